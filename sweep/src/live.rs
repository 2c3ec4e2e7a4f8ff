//! The live source: lists from the API server with kube-rs (paginated,
//! bounded concurrency, a global deadline), logs of failing containers,
//! node usage from metrics.k8s.io and the kubelet's stats summary,
//! `/readyz?verbose` and `/livez?verbose`, ComponentStatus, and the API
//! server certificate from a TLS handshake. A resource the account may not
//! read (403), or one that times out, becomes a note; the rest still runs.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use eyelint_policies::quantity::Quantity;
use futures_util::stream::{self, StreamExt};
use kube::Client;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::checks::nodes::NodeUsage;
use crate::error::SweepError;
use crate::kinds::{self, KindInfo};
use crate::report::SourceInfo;
use crate::snapshot::Collector;
use crate::sweep::Extras;

/// How to reach the cluster.
#[derive(Clone, Debug, Default)]
pub struct LiveOptions {
    /// Kubeconfig file (default: $KUBECONFIG, ~/.kube/config, then in-cluster).
    pub kubeconfig: Option<PathBuf>,
    /// Context.
    pub context: Option<String>,
    /// Show progress on stderr.
    pub progress: bool,
}

/// Limits of one live collection.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Items per list page.
    pub page_size: usize,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Time limit of one request.
    pub request_timeout: Duration,
    /// Time limit of the whole collection.
    pub total_timeout: Duration,
    /// Lines read from the end of a container's log.
    pub log_tail_lines: u32,
    /// At most this many containers' logs.
    pub max_log_containers: usize,
    /// At most this many nodes' stats summaries (disk usage).
    pub max_stats_nodes: usize,
    /// Progress on stderr.
    pub progress: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            page_size: 500,
            concurrency: 4,
            request_timeout: Duration::from_secs(30),
            total_timeout: Duration::from_secs(120),
            log_tail_lines: 500,
            max_log_containers: 200,
            max_stats_nodes: 200,
            progress: false,
        }
    }
}

/// Kinds listed by a sweep: what the runtime checks need, plus the kinds
/// the engine's cross-object rules consult.
pub fn kinds_to_list(index_kinds: &std::collections::BTreeSet<String>) -> Vec<&'static KindInfo> {
    let mut out: Vec<&'static KindInfo> = kinds::KINDS[..10].iter().collect();
    for k in index_kinds {
        if let Some(info) = kinds::by_kind(k) {
            if !out.contains(&info) {
                out.push(info);
            }
        }
    }
    out
}

fn encode(s: &str) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            o.push(b as char);
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

/// The list path of a kind (in one namespace, or cluster-wide).
pub fn list_path(k: &KindInfo, ns: Option<&str>) -> String {
    let base = if k.api_version == "v1" {
        "/api/v1".to_string()
    } else {
        format!("/apis/{}", k.api_version)
    };
    match ns {
        Some(ns) if k.namespaced => format!("{base}/namespaces/{}/{}", encode(ns), k.plural),
        _ => format!("{base}/{}", k.plural),
    }
}

enum Fail {
    Forbidden,
    NotFound,
    Timeout,
    Other(String),
}

impl Fail {
    fn describe(&self, what: &str) -> String {
        match self {
            Fail::Forbidden => format!("cannot read {what}: forbidden (403) for this account; checks that need it were skipped"),
            Fail::NotFound => format!("{what} is not served by this cluster (404)"),
            Fail::Timeout => format!("reading {what} timed out; checks that need it were skipped"),
            Fail::Other(e) => format!("cannot read {what}: {e}"),
        }
    }
}

fn classify(e: kube::Error) -> (Fail, Option<String>) {
    match e {
        kube::Error::Api(s) if s.code == 403 => (Fail::Forbidden, None),
        kube::Error::Api(s) if s.code == 404 => (Fail::NotFound, None),
        kube::Error::Api(s) => {
            let body = s.message.clone();
            (
                Fail::Other(format!("HTTP {}: {}", s.code, s.message)),
                Some(body),
            )
        }
        other => (Fail::Other(other.to_string()), None),
    }
}

async fn get_text(
    client: &Client,
    path: &str,
    timeout: Duration,
) -> Result<String, (Fail, Option<String>)> {
    let req = http::Request::get(path)
        .body(Vec::new())
        .map_err(|e| (Fail::Other(e.to_string()), None))?;
    match tokio::time::timeout(timeout, client.request_text(req)).await {
        Err(_) => Err((Fail::Timeout, None)),
        Ok(Err(e)) => Err(classify(e)),
        Ok(Ok(t)) => Ok(t),
    }
}

async fn get_json(client: &Client, path: &str, timeout: Duration) -> Result<Value, Fail> {
    let text = get_text(client, path, timeout).await.map_err(|(f, _)| f)?;
    serde_json::from_str(&text).map_err(|e| Fail::Other(format!("invalid JSON from {path}: {e}")))
}

enum Msg {
    Page(&'static KindInfo, Vec<Value>),
    Done(&'static KindInfo),
    Failed(&'static KindInfo, String),
}

async fn list_all(
    client: Client,
    kind: &'static KindInfo,
    path: String,
    s: Arc<Settings>,
    tx: mpsc::Sender<Msg>,
) {
    let mut cont: Option<String> = None;
    loop {
        let mut url = format!("{path}?limit={}", s.page_size);
        if kind.kind == "Event" {
            url.push_str("&fieldSelector=type%3DWarning");
        }
        if let Some(c) = &cont {
            url.push_str("&continue=");
            url.push_str(&encode(c));
        }
        let page = match get_json(&client, &url, s.request_timeout).await {
            Ok(v) => v,
            Err(f) => {
                let _ = tx.send(Msg::Failed(kind, f.describe(kind.plural))).await;
                return;
            }
        };
        let Value::Object(mut page) = page else {
            let _ = tx
                .send(Msg::Failed(
                    kind,
                    format!("cannot read {}: the answer is not a list", kind.plural),
                ))
                .await;
            return;
        };
        let items = match page.remove("items") {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        };
        cont = page
            .get("metadata")
            .and_then(|m| m.get("continue"))
            .and_then(Value::as_str)
            .filter(|c| !c.is_empty())
            .map(str::to_string);
        if tx.send(Msg::Page(kind, items)).await.is_err() {
            return;
        }
        if cont.is_none() {
            let _ = tx.send(Msg::Done(kind)).await;
            return;
        }
    }
}

struct Progress {
    on: bool,
}

impl Progress {
    fn show(&self, what: &str) {
        if self.on {
            let mut e = std::io::stderr();
            let _ = write!(e, "\r\x1b[2Keyelint sweep: {what}");
            let _ = e.flush();
        }
    }
    fn done(&self) {
        if self.on {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}

/// Collects everything from `client` into `col` and `extras`. Never fails:
/// what cannot be read becomes a note.
pub async fn collect(
    client: &Client,
    col: &mut Collector<'_>,
    extras: &mut Extras,
    index_kinds: &std::collections::BTreeSet<String>,
    settings: Settings,
) {
    let s = Arc::new(settings);
    let progress = Progress { on: s.progress };
    let deadline = Instant::now() + s.total_timeout;
    let namespaces = col.config().namespaces.clone();
    let mut tasks = Vec::new();
    for k in kinds_to_list(index_kinds) {
        if k.namespaced && !namespaces.is_empty() {
            for ns in &namespaces {
                tasks.push((k, list_path(k, Some(ns))));
            }
        } else {
            tasks.push((k, list_path(k, None)));
        }
    }
    let (tx, mut rx) = mpsc::channel::<Msg>(8);
    let driver = {
        let client = client.clone();
        let s = s.clone();
        async move {
            stream::iter(tasks)
                .map(|(k, path)| list_all(client.clone(), k, path, s.clone(), tx.clone()))
                .buffer_unordered(s.concurrency.max(1))
                .collect::<Vec<()>>()
                .await;
            drop(tx);
        }
    };
    let mut failed_kinds = Vec::new();
    let consumer = async {
        while let Some(msg) = rx.recv().await {
            match msg {
                Msg::Page(k, items) => {
                    for mut item in items {
                        if let Some(map) = item.as_object_mut() {
                            map.insert("kind".into(), Value::String(k.kind.to_string()));
                            map.insert(
                                "apiVersion".into(),
                                Value::String(k.api_version.to_string()),
                            );
                        }
                        col.object(item);
                    }
                    progress.show(&format!("listing… {} objects", col.object_count()));
                }
                Msg::Done(k) => col.covers(k.kind),
                Msg::Failed(k, note) => {
                    failed_kinds.push(k.kind);
                    col.notes.push(note);
                }
            }
        }
    };
    let finished =
        tokio::time::timeout_at(deadline, async { tokio::join!(driver, consumer) }).await;
    for k in failed_kinds {
        col.kinds.remove(k);
    }
    if finished.is_err() {
        col.notes.push(format!(
            "the sweep reached its time limit ({} s) while listing: results are partial",
            s.total_timeout.as_secs()
        ));
        progress.done();
        return;
    }
    // Logs of failing or restarting containers.
    progress.show("reading logs of failing containers…");
    let mut targets = col.log_targets();
    if targets.len() > s.max_log_containers {
        col.notes.push(format!(
            "{} failing or restarting containers: only the logs of the first {} were read",
            targets.len(),
            s.max_log_containers
        ));
        targets.truncate(s.max_log_containers);
    }
    let logs = stream::iter(targets)
        .map(|(ns, pod, c, previous)| {
            let client = client.clone();
            let s = s.clone();
            async move {
                let base = format!(
                    "/api/v1/namespaces/{}/pods/{}/log?container={}&tailLines={}",
                    encode(&ns),
                    encode(&pod),
                    encode(&c),
                    s.log_tail_lines
                );
                let mut text = Err((Fail::NotFound, None));
                if previous {
                    text = get_text(&client, &format!("{base}&previous=true"), s.request_timeout)
                        .await;
                }
                if text.is_err() {
                    text = get_text(&client, &base, s.request_timeout).await;
                }
                (ns, pod, c, text.map_err(|(f, _)| f))
            }
        })
        .buffer_unordered(s.concurrency.max(1))
        .collect::<Vec<_>>();
    let Ok(logs) = tokio::time::timeout_at(deadline, logs).await else {
        col.notes.push(
            "the sweep reached its time limit while reading logs: log checks are partial"
                .to_string(),
        );
        progress.done();
        return;
    };
    let mut log_forbidden = 0;
    for (ns, pod, c, text) in logs {
        match text {
            Ok(t) => col.log_text(&ns, &pod, &c, &t),
            Err(Fail::Forbidden) => log_forbidden += 1,
            Err(_) => {}
        }
    }
    if log_forbidden > 0 {
        col.notes.push(format!(
            "cannot read pod logs: forbidden (403) for {log_forbidden} container(s); log checks skipped for them"
        ));
    }
    // Node usage, health endpoints, ComponentStatus.
    progress.show("reading node usage and API server health…");
    let extra = async {
        let metrics = get_json(
            client,
            "/apis/metrics.k8s.io/v1beta1/nodes",
            s.request_timeout,
        )
        .await;
        let readyz = get_text(client, "/readyz?verbose", s.request_timeout).await;
        let livez = get_text(client, "/livez?verbose", s.request_timeout).await;
        let cs = get_json(client, "/api/v1/componentstatuses", s.request_timeout).await;
        (metrics, readyz, livez, cs)
    };
    let Ok((metrics, readyz, livez, cs)) = tokio::time::timeout_at(deadline, extra).await else {
        col.notes.push(
            "the sweep reached its time limit before reading node usage and API server health"
                .to_string(),
        );
        progress.done();
        return;
    };
    let mut usage: Vec<NodeUsage> = Vec::new();
    match metrics {
        Ok(v) => {
            for item in v
                .get("items")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let name = item
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let q = |p: &str| item.pointer(p).and_then(|q| Quantity::from_value(q).ok());
                usage.push(NodeUsage {
                    node: name.to_string(),
                    cpu_millis: q("/usage/cpu").map(Quantity::millis),
                    memory_bytes: q("/usage/memory").map(|m| m.nanos() / 1_000_000_000),
                    fs: None,
                });
            }
        }
        Err(f) => extras.notes.push(format!(
            "{}: node CPU and memory usage not checked",
            f.describe("metrics.k8s.io node metrics")
        )),
    }
    for (endpoint, res) in [("/readyz", readyz), ("/livez", livez)] {
        match res {
            Ok(text) => extras.health.push((endpoint.to_string(), text)),
            // A failing check answers 500 with the verbose text.
            Err((_, Some(body))) if body.contains("[-]") => {
                extras.health.push((endpoint.to_string(), body))
            }
            Err((f, _)) => extras.notes.push(f.describe(endpoint)),
        }
    }
    match cs {
        Ok(v) => extras.component_statuses = Some(v),
        Err(Fail::NotFound) | Err(Fail::Forbidden) => {}
        Err(f) => extras.notes.push(f.describe("componentstatuses")),
    }
    // Disk usage from the kubelet's stats summary (through the API server proxy).
    let nodes: Vec<String> = col.nodes.iter().map(|n| n.name.clone()).collect();
    if nodes.len() > s.max_stats_nodes {
        extras.notes.push(format!(
            "{} nodes: disk usage read for the first {} only",
            nodes.len(),
            s.max_stats_nodes
        ));
    }
    let stats = stream::iter(nodes.into_iter().take(s.max_stats_nodes))
        .map(|n| {
            let client = client.clone();
            let s = s.clone();
            async move {
                let r = get_json(
                    &client,
                    &format!("/api/v1/nodes/{}/proxy/stats/summary", encode(&n)),
                    s.request_timeout,
                )
                .await;
                (n, r)
            }
        })
        .buffer_unordered(s.concurrency.max(1))
        .collect::<Vec<_>>();
    match tokio::time::timeout_at(deadline, stats).await {
        Err(_) => extras
            .notes
            .push("the sweep reached its time limit while reading node disk usage".to_string()),
        Ok(results) => {
            let mut forbidden = false;
            for (node, r) in results {
                match r {
                    Ok(v) => {
                        let used = v.pointer("/node/fs/usedBytes").and_then(Value::as_u64);
                        let cap = v.pointer("/node/fs/capacityBytes").and_then(Value::as_u64);
                        if let (Some(used), Some(cap)) = (used, cap) {
                            match usage.iter_mut().find(|u| u.node == node) {
                                Some(u) => u.fs = Some((used, cap)),
                                None => usage.push(NodeUsage {
                                    node,
                                    fs: Some((used, cap)),
                                    ..NodeUsage::default()
                                }),
                            }
                        }
                    }
                    Err(Fail::Forbidden) => forbidden = true,
                    Err(_) => {}
                }
            }
            if forbidden {
                extras.notes.push(
                    "cannot read node stats (nodes/proxy): forbidden (403); disk usage not checked"
                        .to_string(),
                );
            }
        }
    }
    extras.usage = usage;
    progress.done();
}

/// Connects, collects, and reads the API server certificate.
pub fn run(
    opts: &LiveOptions,
    col: &mut Collector<'_>,
    extras: &mut Extras,
) -> Result<SourceInfo, SweepError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| SweepError::Cluster(format!("cannot start the runtime: {e}")))?;
    let cfg = col.config().clone();
    let index_kinds: std::collections::BTreeSet<String> = col.index_kinds().clone();
    let settings = Settings {
        concurrency: cfg.concurrency,
        total_timeout: Duration::from_secs(cfg.timeout_seconds),
        request_timeout: Duration::from_secs(cfg.timeout_seconds.min(30)),
        log_tail_lines: cfg.log_tail_lines,
        max_log_containers: cfg.max_log_containers,
        progress: opts.progress,
        ..Settings::default()
    };
    let url = rt.block_on(async {
        let config = load_kube_config(opts).await?;
        let url = config.cluster_url.clone();
        let client = Client::try_from(config).map_err(|e| SweepError::Cluster(e.to_string()))?;
        collect(&client, col, extras, &index_kinds, settings).await;
        Ok::<_, SweepError>(url)
    })?;
    match crate::tls::peer_certificates(&url, Duration::from_secs(10)) {
        Ok(ders) => {
            let mut certs = Vec::new();
            for der in ders.iter().take(1) {
                match crate::checks::cert::parse_der(der, &url.to_string()) {
                    Ok(c) => certs.push(c),
                    Err(e) => extras.notes.push(e.to_string()),
                }
            }
            extras.certs.push(("TLS handshake".to_string(), certs));
        }
        Err(e) => extras
            .notes
            .push(format!("API server certificate not checked: {e}")),
    }
    Ok(SourceInfo {
        kind: "live".to_string(),
        origin: url.to_string(),
    })
}

async fn load_kube_config(opts: &LiveOptions) -> Result<kube::Config, SweepError> {
    let kc_opts = kube::config::KubeConfigOptions {
        context: opts.context.clone(),
        ..Default::default()
    };
    if let Some(path) = &opts.kubeconfig {
        let kc = kube::config::Kubeconfig::read_from(path)
            .map_err(|e| SweepError::Cluster(format!("{}: {e}", path.display())))?;
        return kube::Config::from_custom_kubeconfig(kc, &kc_opts)
            .await
            .map_err(|e| SweepError::Cluster(e.to_string()));
    }
    if opts.context.is_some() {
        return kube::Config::from_kubeconfig(&kc_opts)
            .await
            .map_err(|e| SweepError::Cluster(e.to_string()));
    }
    kube::Config::infer()
        .await
        .map_err(|e| SweepError::Cluster(format!("no kubeconfig and not in a cluster: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        let pods = kinds::by_kind("Pod").unwrap();
        assert_eq!(
            list_path(pods, Some("a b")),
            "/api/v1/namespaces/a%20b/pods"
        );
        let deps = kinds::by_kind("Deployment").unwrap();
        assert_eq!(list_path(deps, None), "/apis/apps/v1/deployments");
        assert_eq!(encode("eyJ2Ijo+/="), "eyJ2Ijo%2B%2F%3D");
    }
}
