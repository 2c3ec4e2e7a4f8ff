//! The live source against kube's tower-test mock service: pagination,
//! forbidden resources, timeouts, and recorded API JSON.
#![cfg(feature = "live")]

mod common;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use eyelint_policies::Engine;
use eyelint_sweep::live::{collect, Settings};
use eyelint_sweep::report::SourceInfo;
use eyelint_sweep::snapshot::Collector;
use eyelint_sweep::sweep::{analyse, Extras};
use eyelint_sweep::{Report, SweepConfig};
use http::{Request, Response};
use kube::client::Body;
use kube::Client;

type Route = Box<dyn Fn(&str) -> Option<(u16, String)> + Send + Sync>;

fn api(name: &str) -> String {
    std::fs::read_to_string(common::fixture(&format!("api/{name}"))).unwrap()
}

fn status(code: u16, reason: &str) -> String {
    format!(
        r#"{{"kind":"Status","apiVersion":"v1","metadata":{{}},"status":"Failure","message":"{reason}","reason":"{reason}","code":{code}}}"#
    )
}

/// A mock API server: `route` answers by path and query; `None` never answers.
fn mock(route: Route) -> (Client, Arc<Mutex<Vec<String>>>) {
    let (svc, mut handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Some((req, send)) = handle.next_request().await {
            let pq = req
                .uri()
                .path_and_query()
                .map(|p| p.to_string())
                .unwrap_or_default();
            seen2.lock().unwrap().push(pq.clone());
            match route(&pq) {
                Some((code, body)) => send.send_response(
                    Response::builder()
                        .status(code)
                        .header("content-type", "application/json")
                        .body(Body::from(body.into_bytes()))
                        .unwrap(),
                ),
                None => held.push(send),
            }
        }
    });
    (Client::new(svc, "default"), seen)
}

fn default_route(pq: &str) -> Option<(u16, String)> {
    let empty = r#"{"kind":"List","apiVersion":"v1","metadata":{},"items":[]}"#.to_string();
    Some(match pq {
        p if p.starts_with("/api/v1/nodes?") => (200, api("nodes.json")),
        p if p.starts_with("/api/v1/pods?") && p.contains("continue=") => {
            (200, api("pods-page2.json"))
        }
        p if p.starts_with("/api/v1/pods?") => (200, api("pods-page1.json")),
        p if p.starts_with("/apis/metrics.k8s.io/") => (200, api("metrics-nodes.json")),
        "/api/v1/nodes/worker-1/proxy/stats/summary" => (200, api("stats-summary-worker-1.json")),
        "/api/v1/nodes/worker-2/proxy/stats/summary" => (503, status(503, "ServiceUnavailable")),
        p if p.starts_with("/api/v1/namespaces/shop/pods/api-0/log") => (
            200,
            "starting\nopen /data/db: no space left on device\n".to_string(),
        ),
        "/readyz?verbose" => (
            500,
            "[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\nreadyz check failed\n"
                .to_string(),
        ),
        "/livez?verbose" => (200, "[+]ping ok\nlivez check passed\n".to_string()),
        "/api/v1/componentstatuses" => (404, status(404, "NotFound")),
        _ => (200, empty),
    })
}

async fn sweep_with(route: Route, settings: Settings) -> (Report, Vec<String>) {
    let (client, seen) = mock(route);
    let cfg = SweepConfig::default();
    let engine = Engine::with_defaults().unwrap();
    let kinds: BTreeSet<String> = engine.index_kinds().clone();
    let mut col = Collector::new(&cfg, kinds.clone());
    let mut extras = Extras::default();
    collect(&client, &mut col, &mut extras, &kinds, settings).await;
    let source = SourceInfo {
        kind: "live".into(),
        origin: "mock".into(),
    };
    let r = analyse(col, &engine, extras, common::NOW, source);
    let seen = seen.lock().unwrap().clone();
    (r, seen)
}

fn quick() -> Settings {
    Settings {
        request_timeout: Duration::from_millis(300),
        total_timeout: Duration::from_secs(10),
        ..Settings::default()
    }
}

#[tokio::test]
async fn paginates_and_runs_every_check() {
    let (r, seen) = sweep_with(Box::new(default_route), quick()).await;
    let pods: Vec<_> = seen
        .iter()
        .filter(|p| p.starts_with("/api/v1/pods?"))
        .collect();
    assert_eq!(pods.len(), 2, "{pods:?}");
    assert!(pods[0].contains("limit=500"));
    assert!(
        pods[1].contains("continue=eyJ2"),
        "continue token sent back"
    );
    assert!(
        pods[1].ends_with("%2B%2F%3D"),
        "token is percent-encoded: {}",
        pods[1]
    );
    assert!(seen
        .iter()
        .any(|p| p.starts_with("/api/v1/events?") && p.contains("fieldSelector=type%3DWarning")));
    assert!(common::has(&r, "PodCrashLoopBackOff", "api-0"), "page 1");
    assert!(common::has(&r, "PodSetImagePullBackOff", "web-1"), "page 2");
    assert!(common::has(&r, "KubeletHealthStatus", "worker-2"));
    // Logs read only for the failing container, previous instance first.
    let logs: Vec<_> = seen.iter().filter(|p| p.contains("/log?")).collect();
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert!(logs[0].contains("previous=true") && logs[0].contains("tailLines=500"));
    assert!(common::has(&r, "PodNoSpaceLeftOnDevice", "api-0"));
    // Usage thresholds: 1.9 of 2 CPUs, 95 % of the disk; memory 25 %.
    assert!(common::has(&r, "NodeCPU", "worker-1"));
    assert!(common::has(&r, "NodeDisk", "worker-1"));
    assert!(!common::has(&r, "NodeMemory", "worker-1"));
    // /readyz answered 500 with a failed etcd check.
    assert!(common::has(&r, "ETCDHealthStatus", "etcd"));
}

#[tokio::test]
async fn forbidden_resource_becomes_a_note() {
    let route: Route = Box::new(|pq: &str| {
        if pq.starts_with("/api/v1/pods?") || pq.starts_with("/apis/metrics.k8s.io/") {
            return Some((403, status(403, "Forbidden")));
        }
        default_route(pq)
    });
    let (r, _) = sweep_with(route, quick()).await;
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("cannot read pods: forbidden (403)")),
        "{:?}",
        r.notes
    );
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("metrics.k8s.io") && n.contains("forbidden")),
        "{:?}",
        r.notes
    );
    assert!(
        r.notes.iter().any(|n| n.contains("no pods")),
        "pods not covered: {:?}",
        r.notes
    );
    // The rest still ran.
    assert!(common::has(&r, "KubeletHealthStatus", "worker-2"));
    assert!(!r
        .findings
        .iter()
        .any(|f| f.kind == "Pod" && f.name == "api-0"));
}

#[tokio::test]
async fn slow_resource_times_out_into_a_note() {
    let route: Route = Box::new(|pq: &str| {
        if pq.starts_with("/api/v1/events?") {
            return None;
        }
        default_route(pq)
    });
    let (r, _) = sweep_with(route, quick()).await;
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("reading events timed out")),
        "{:?}",
        r.notes
    );
    assert!(common::has(&r, "PodCrashLoopBackOff", "api-0"));
}

#[tokio::test]
async fn global_deadline_keeps_partial_results() {
    let route: Route = Box::new(|pq: &str| {
        if pq.starts_with("/api/v1/nodes?") {
            return default_route(pq);
        }
        None
    });
    let settings = Settings {
        request_timeout: Duration::from_secs(30),
        total_timeout: Duration::from_millis(400),
        ..Settings::default()
    };
    let (r, _) = sweep_with(route, settings).await;
    assert!(
        r.notes.iter().any(|n| n.contains("time limit")),
        "{:?}",
        r.notes
    );
    assert!(
        common::has(&r, "KubeletHealthStatus", "worker-2"),
        "nodes arrived before the deadline"
    );
}
