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
    let (r, seen) = sweep_cfg(route, settings, &SweepConfig::default()).await;
    (r.unwrap(), seen)
}

async fn sweep_cfg(
    route: Route,
    settings: Settings,
    cfg: &SweepConfig,
) -> (Result<Report, eyelint_sweep::SweepError>, Vec<String>) {
    let (client, seen) = mock(route);
    let engine = Engine::with_defaults().unwrap();
    let kinds: BTreeSet<String> = engine.index_kinds().clone();
    let mut col = Collector::new(cfg, kinds.clone());
    let mut extras = Extras::default();
    if let Err(e) = collect(&client, &mut col, &mut extras, &kinds, settings).await {
        return (Err(e), seen.lock().unwrap().clone());
    }
    let source = SourceInfo {
        kind: "live".into(),
        origin: "mock".into(),
    };
    let r = analyse(col, &engine, extras, common::NOW, source);
    let seen = seen.lock().unwrap().clone();
    (Ok(r), seen)
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
    // One note says why pods are missing; no second one claims the cluster
    // has none.
    assert!(
        !r.notes.iter().any(|n| n.contains("holds no pods")),
        "{:?}",
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

/// A cluster that cannot be read at all fails the sweep (exit 2), whether
/// the credentials are refused or nothing answers in time: an empty report
/// would pass for a healthy cluster.
#[tokio::test]
async fn nothing_read_fails_the_sweep() {
    let route: Route = Box::new(|_: &str| Some((401, status(401, "Unauthorized"))));
    let (r, _) = sweep_cfg(route, quick(), &SweepConfig::default()).await;
    let e = r.expect_err("a failure").to_string();
    assert!(
        e.contains("nothing could be read from the cluster") && e.contains("unauthorized (401)"),
        "{e}"
    );
    let route: Route = Box::new(|_: &str| None);
    let settings = Settings {
        request_timeout: Duration::from_secs(30),
        total_timeout: Duration::from_millis(300),
        ..Settings::default()
    };
    let (r, _) = sweep_cfg(route, settings, &SweepConfig::default()).await;
    let e = r.expect_err("a failure").to_string();
    assert!(e.contains("no list was read within the time limit"), "{e}");
    // Every list forbidden: also nothing read.
    let route: Route = Box::new(|_: &str| Some((403, status(403, "Forbidden"))));
    let (r, _) = sweep_cfg(route, quick(), &SweepConfig::default()).await;
    let e = r.expect_err("a failure").to_string();
    assert!(e.contains("every list was forbidden"), "{e}");
}

/// A list answered 503 is tried again; an optional endpoint answered 503
/// (metrics-server down) is one request and a note naming the answer.
#[tokio::test]
async fn busy_lists_are_retried_and_optional_endpoints_are_not() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let pods_calls = Arc::new(AtomicUsize::new(0));
    let calls = pods_calls.clone();
    let route: Route = Box::new(move |pq: &str| {
        if pq.starts_with("/api/v1/pods?")
            && !pq.contains("continue=")
            && calls.fetch_add(1, Ordering::SeqCst) < 2
        {
            return Some((503, status(503, "ServiceUnavailable")));
        }
        if pq.starts_with("/apis/metrics.k8s.io/") {
            return Some((503, status(503, "ServiceUnavailable")));
        }
        default_route(pq)
    });
    let started = std::time::Instant::now();
    let (r, seen) = sweep_with(route, quick()).await;
    assert!(
        common::has(&r, "PodCrashLoopBackOff", "api-0"),
        "{:?}",
        r.notes
    );
    assert_eq!(pods_calls.load(Ordering::SeqCst), 3);
    assert_eq!(
        seen.iter()
            .filter(|p| p.starts_with("/apis/metrics.k8s.io/"))
            .count(),
        1
    );
    assert!(
        r.notes.iter().any(|n| n.contains(
            "metrics.k8s.io node metrics: the API server answered 503 (service unavailable)"
        )),
        "{:?}",
        r.notes
    );
    // Two backoffs of 0.5 and 1 s, and no more.
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

/// A continue token that expires (410) restarts the list from its first
/// page; what the first pass sent is not sent twice.
#[tokio::test]
async fn an_expired_continue_token_restarts_the_list() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let gone = Arc::new(AtomicUsize::new(0));
    let g = gone.clone();
    let route: Route = Box::new(move |pq: &str| {
        if pq.starts_with("/api/v1/pods?")
            && pq.contains("continue=")
            && g.fetch_add(1, Ordering::SeqCst) == 0
        {
            return Some((410, status(410, "Expired")));
        }
        default_route(pq)
    });
    let (r, seen) = sweep_with(route, quick()).await;
    let pods: Vec<_> = seen
        .iter()
        .filter(|p| p.starts_with("/api/v1/pods?"))
        .collect();
    assert_eq!(pods.len(), 4, "{pods:?}");
    assert!(!pods[2].contains("continue="), "restarted: {pods:?}");
    let crash: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.id == "PodCrashLoopBackOff" && f.name == "api-0")
        .collect();
    assert_eq!(crash.len(), 1, "page 1 counted once");
    assert!(common::has(&r, "PodSetImagePullBackOff", "web-1"), "page 2");
    assert!(
        !r.notes.iter().any(|n| n.contains("cannot read pods")),
        "{:?}",
        r.notes
    );
}

/// A 200 that is not a list, and items without a name: notes, not an
/// empty or unnamed cluster.
#[tokio::test]
async fn answers_that_are_not_lists_and_nameless_items() {
    let route: Route = Box::new(|pq: &str| {
        if pq.starts_with("/api/v1/pods?") {
            return Some((200, status(200, "Success")));
        }
        if pq.starts_with("/api/v1/events?") {
            return Some((
                200,
                r#"{"kind":"EventList","metadata":{},"items":[{"type":"Warning","reason":"X"},{"metadata":{"name":""},"type":"Warning"}]}"#
                    .to_string(),
            ));
        }
        default_route(pq)
    });
    let (r, _) = sweep_with(route, quick()).await;
    assert!(
        r.notes
            .iter()
            .any(|n| n == "cannot read pods: the answer is not a list (no `items`)"),
        "{:?}",
        r.notes
    );
    assert!(!r.notes.iter().any(|n| n.contains("holds no pods")));
    assert!(
        r.notes
            .iter()
            .any(|n| n == "2 events without metadata.name in the answer were left out"),
        "{:?}",
        r.notes
    );
    assert!(!r.findings.iter().any(|f| f.name.is_empty()));
}

/// A log that cannot be read is a note, whatever the failure; a previous
/// log that times out is not followed by a try at the current one.
#[tokio::test]
async fn log_and_stats_failures_are_notes() {
    let route: Route = Box::new(|pq: &str| {
        if pq.contains("/log?") {
            return Some((500, status(500, "InternalError")));
        }
        default_route(pq)
    });
    let (r, _) = sweep_with(route, quick()).await;
    assert!(
        r.notes.iter().any(|n| n
            .starts_with("cannot read the log of shop/api-0 container api: HTTP 500")
            && n.ends_with("log checks skipped for it")),
        "{:?}",
        r.notes
    );
    // The default route answers worker-2's stats summary with 503.
    assert!(
        r.notes.iter().any(|n| n
            == "cannot read node worker-2's stats summary: the API server answered 503 (service unavailable): its disk usage was not checked"),
        "{:?}",
        r.notes
    );
    let route: Route = Box::new(|pq: &str| {
        if pq.contains("/log?") {
            return None;
        }
        default_route(pq)
    });
    let (r, seen) = sweep_with(route, quick()).await;
    assert_eq!(seen.iter().filter(|p| p.contains("/log?")).count(), 1);
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("the log of shop/api-0 container api timed out")),
        "{:?}",
        r.notes
    );
}

/// The health and usage endpoints are read at once: four that never answer
/// cost one request timeout, not four, each gets its own note, and the
/// disk usage is still read.
#[tokio::test]
async fn hanging_optional_endpoints_time_out_together() {
    let route: Route = Box::new(|pq: &str| {
        if pq.starts_with("/apis/metrics.k8s.io/")
            || pq.starts_with("/readyz")
            || pq.starts_with("/livez")
            || pq.starts_with("/api/v1/componentstatuses")
        {
            return None;
        }
        default_route(pq)
    });
    let settings = Settings {
        request_timeout: Duration::from_millis(700),
        total_timeout: Duration::from_secs(10),
        ..Settings::default()
    };
    let started = std::time::Instant::now();
    let (r, seen) = sweep_with(route, settings).await;
    assert!(
        started.elapsed() < Duration::from_millis(2000),
        "{:?}",
        started.elapsed()
    );
    for what in ["metrics.k8s.io", "/readyz", "/livez", "componentstatuses"] {
        assert!(
            r.notes
                .iter()
                .any(|n| n.contains(what) && n.contains("timed out")),
            "{what}: {:?}",
            r.notes
        );
    }
    assert!(seen.iter().any(|p| p.ends_with("/proxy/stats/summary")));
}

/// A sweep narrowed to namespaces still reads the node events, which are
/// posted in `default`.
#[tokio::test]
async fn a_narrowed_sweep_reads_node_events_from_default() {
    let cfg = SweepConfig {
        namespaces: vec!["shop".to_string()],
        ..SweepConfig::default()
    };
    let route: Route = Box::new(|pq: &str| {
        if pq.starts_with("/api/v1/namespaces/default/events?") {
            return Some((
                200,
                r#"{"kind":"EventList","metadata":{},"items":[{"metadata":{"name":"n.1","namespace":"default"},"type":"Warning","reason":"OOMKilling","message":"Out of memory: Killed process 4242 (java)","source":{"component":"kernel-monitor","host":"worker-1"},"involvedObject":{"kind":"Node","name":"worker-1"},"count":1,"lastTimestamp":"2024-05-01T09:00:00Z"}]}"#
                    .to_string(),
            ));
        }
        default_route(pq)
    });
    let (r, seen) = sweep_cfg(route, quick(), &cfg).await;
    let r = r.unwrap();
    let events: Vec<_> = seen.iter().filter(|p| p.contains("/events?")).collect();
    assert!(
        events
            .iter()
            .any(|p| p.starts_with("/api/v1/namespaces/shop/events?")),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .any(|p| p.starts_with("/api/v1/namespaces/default/events?")
                && p.contains("fieldSelector=type%3DWarning%2CinvolvedObject.kind%3DNode")),
        "{events:?}"
    );
    assert!(common::has(&r, "NodeOOM", "worker-1"), "{:?}", r.findings);
}

/// Logs that hang (pods on a dead node) cost the log checks only: the
/// health endpoints and the stats summaries are read beside them, so the
/// control plane's danger is still found when the time limit ends the logs.
#[tokio::test]
async fn hanging_logs_do_not_cost_the_control_plane() {
    let route: Route = Box::new(|pq: &str| {
        if pq.contains("/log?") {
            return None;
        }
        default_route(pq)
    });
    let settings = Settings {
        request_timeout: Duration::from_secs(30),
        total_timeout: Duration::from_millis(1500),
        ..Settings::default()
    };
    let started = std::time::Instant::now();
    let (r, seen) = sweep_with(route, settings).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("time limit while reading logs")),
        "{:?}",
        r.notes
    );
    // The default route's /readyz reports `[-]etcd failed`.
    assert!(
        r.findings.iter().any(|f| f.id == "ETCDHealthStatus"),
        "{:?}",
        r.notes
    );
    assert!(seen.iter().any(|p| p.ends_with("/proxy/stats/summary")));
}

/// A narrowed sweep whose account may not read `default`: the note names
/// the node events, not the events it did read.
#[tokio::test]
async fn forbidden_node_events_are_named_as_such() {
    let cfg = SweepConfig {
        namespaces: vec!["shop".to_string()],
        ..SweepConfig::default()
    };
    let route: Route = Box::new(|pq: &str| {
        if pq.starts_with("/api/v1/namespaces/default/") {
            return Some((403, status(403, "Forbidden")));
        }
        default_route(pq)
    });
    let (r, _) = sweep_cfg(route, quick(), &cfg).await;
    let r = r.unwrap();
    assert!(
        r.notes
            .iter()
            .any(|n| n.starts_with("cannot read node events (in default): forbidden (403)")),
        "{:?}",
        r.notes
    );
}
