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
    /// When the collection must end, when it began before [`collect`] did
    /// (the sweep's `--timeout` counts from its start, a credentials plugin
    /// included); else `total_timeout` from the start of [`collect`].
    pub deadline: Option<std::time::Instant>,
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
            deadline: None,
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
    /// 401: the credentials were refused.
    Unauthorized,
    /// 410: a list's continue token expired.
    Gone,
    /// 429, 503 or 504: the server (or an aggregated API behind it) is busy
    /// or down.
    Busy(u16),
    Timeout,
    /// No HTTP answer at all (connection refused, TLS, DNS, credentials
    /// plugin): the cluster could not be reached.
    Unreachable(String),
    Other(String),
}

impl Fail {
    /// The note for a failure whose checks were skipped.
    fn describe(&self, what: &str) -> String {
        match self {
            Fail::Forbidden | Fail::Timeout => {
                format!("{}; checks that need it were skipped", self.cause(what))
            }
            _ => self.cause(what),
        }
    }

    /// What went wrong reading `what`.
    fn cause(&self, what: &str) -> String {
        match self {
            Fail::Forbidden => format!("cannot read {what}: forbidden (403) for this account"),
            Fail::NotFound => format!("{what} is not served by this cluster (404)"),
            Fail::Unauthorized => {
                format!("cannot read {what}: unauthorized (401): the credentials were refused")
            }
            Fail::Busy(code) => format!(
                "cannot read {what}: the API server answered {code} ({})",
                match code {
                    429 => "too many requests",
                    503 => "service unavailable",
                    _ => "gateway timeout",
                }
            ),
            Fail::Gone => {
                format!("cannot read {what}: the list expired while it was read (410 Gone)")
            }
            Fail::Timeout => format!("reading {what} timed out"),
            Fail::Unreachable(e) => format!("cannot reach the API server to read {what}: {e}"),
            Fail::Other(e) => format!("cannot read {what}: {e}"),
        }
    }
}

fn classify(e: kube::Error) -> (Fail, Option<String>) {
    match e {
        kube::Error::Api(s) if s.code == 403 => (Fail::Forbidden, None),
        kube::Error::Api(s) if s.code == 404 => (Fail::NotFound, None),
        kube::Error::Api(s) if s.code == 401 => (Fail::Unauthorized, None),
        kube::Error::Api(s) if s.code == 410 => (Fail::Gone, None),
        kube::Error::Api(s) if matches!(s.code, 429 | 503 | 504) => (Fail::Busy(s.code), None),
        kube::Error::Api(s) => {
            let body = s.message.clone();
            (
                Fail::Other(format!("HTTP {}: {}", s.code, s.message)),
                Some(body),
            )
        }
        // The whole chain: "client error (Connect)" alone hides "connection
        // refused" or "invalid peer certificate: UnknownIssuer".
        other @ (kube::Error::HyperError(_)
        | kube::Error::Service(_)
        | kube::Error::Auth(_)
        | kube::Error::RustlsTls(_)) => (
            Fail::Unreachable(eyelint_policies::error_chain::error_chain(&other)),
            None,
        ),
        other => (
            Fail::Other(eyelint_policies::error_chain::error_chain(&other)),
            None,
        ),
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
    /// A list that failed: its note, and whether some of its pages had
    /// already arrived.
    Failed(&'static KindInfo, &'static str, Fail, bool),
}

/// One list to read: a kind, its path, a field selector, and what notes
/// call it.
struct ListTask {
    kind: &'static KindInfo,
    path: String,
    selector: Option<&'static str>,
    what: &'static str,
}

/// An item's identity within one list, to skip what a restarted list sends
/// again.
fn item_id(v: &Value) -> Option<String> {
    let m = v.get("metadata")?;
    if let Some(uid) = m
        .get("uid")
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
    {
        return Some(uid.to_string());
    }
    let name = m.get("name").and_then(Value::as_str)?;
    let ns = m.get("namespace").and_then(Value::as_str).unwrap_or("");
    Some(format!("{ns}/{name}"))
}

/// Times a list restarts from its first page when its continue token
/// expires (410 Gone), as client-go's pager falls back to a full list.
const GONE_RESTARTS: usize = 2;

/// Times a list request answered 429, 503 or 504 is tried again, after
/// 0.5, 1 and 2 s.
const BUSY_RETRIES: u32 = 3;

async fn list_all(client: Client, task: ListTask, s: Arc<Settings>, tx: mpsc::Sender<Msg>) {
    let kind = task.kind;
    let mut cont: Option<String> = None;
    let mut restarts = 0;
    let mut busy_retries = 0;
    // What was sent, by identity, for a list read in pages: after a
    // restart, what comes again is not sent twice. A list of one page
    // never restarts and keeps no set.
    let mut sent: std::collections::HashSet<String> = Default::default();
    let mut pages = 0usize;
    loop {
        let mut url = format!("{}?limit={}", task.path, s.page_size);
        if let Some(sel) = task.selector {
            url.push_str("&fieldSelector=");
            url.push_str(sel);
        }
        if let Some(c) = &cont {
            url.push_str("&continue=");
            url.push_str(&encode(c));
        }
        let page = match get_json(&client, &url, s.request_timeout).await {
            Ok(v) => v,
            Err(Fail::Busy(_)) if busy_retries < BUSY_RETRIES => {
                tokio::time::sleep(Duration::from_millis(500 << busy_retries)).await;
                busy_retries += 1;
                continue;
            }
            Err(Fail::Gone) if cont.is_some() && restarts < GONE_RESTARTS => {
                restarts += 1;
                cont = None;
                continue;
            }
            Err(f) => {
                let _ = tx.send(Msg::Failed(kind, task.what, f, pages > 0)).await;
                return;
            }
        };
        // A list always has `items` (`null` when empty, from some servers);
        // a Status or anything else answered with 200 is not one.
        let items = match page {
            Value::Object(mut page) => match page.remove("items") {
                Some(Value::Array(items)) => Some((items, page)),
                Some(Value::Null) => Some((Vec::new(), page)),
                _ => None,
            },
            _ => None,
        };
        let Some((mut items, page)) = items else {
            let f = Fail::Other("the answer is not a list (no `items`)".to_string());
            let _ = tx.send(Msg::Failed(kind, task.what, f, pages > 0)).await;
            return;
        };
        pages += 1;
        let next = page
            .get("metadata")
            .and_then(|m| m.get("continue"))
            .and_then(Value::as_str)
            .filter(|c| !c.is_empty())
            .map(str::to_string);
        if restarts > 0 {
            items.retain(|it| item_id(it).is_none_or(|id| sent.insert(id)));
        } else if cont.is_some() || next.is_some() {
            sent.extend(items.iter().filter_map(item_id));
        }
        cont = next;
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

/// The lists a sweep reads: every kind (in each namespace swept, when the
/// sweep is narrowed), and with a narrowed sweep the node events too, which
/// the kubelet and node-problem-detector post in `default`.
fn list_tasks(
    index_kinds: &std::collections::BTreeSet<String>,
    namespaces: &[String],
) -> Vec<ListTask> {
    const WARNINGS: &str = "type%3DWarning";
    const NODE_WARNINGS: &str = "type%3DWarning%2CinvolvedObject.kind%3DNode";
    let mut tasks = Vec::new();
    for kind in kinds_to_list(index_kinds) {
        let selector = (kind.kind == "Event").then_some(WARNINGS);
        if kind.namespaced && !namespaces.is_empty() {
            for ns in namespaces {
                let path = list_path(kind, Some(ns));
                tasks.push(ListTask {
                    kind,
                    path,
                    selector,
                    what: kind.plural,
                });
            }
            if kind.kind == "Event" && !namespaces.iter().any(|n| n == "default") {
                let path = list_path(kind, Some("default"));
                tasks.push(ListTask {
                    kind,
                    path,
                    selector: Some(NODE_WARNINGS),
                    what: "node events (in default)",
                });
            }
        } else {
            tasks.push(ListTask {
                kind,
                path: list_path(kind, None),
                selector,
                what: kind.plural,
            });
        }
    }
    tasks
}

/// Collects everything from `client` into `col` and `extras`. What cannot
/// be read becomes a note; the sweep fails only when nothing at all could be
/// listed (the cluster unreachable, the credentials refused, no time), so
/// that a dead cluster never passes for a healthy one.
///
/// Lists retry a busy API server's 429, 503 and 504 a few times; the rest
/// (logs, node usage, health, ComponentStatus) does not, so that a metrics
/// API whose server is down is a prompt note. The client should not retry
/// on its own (`kube::Config::default_retry` off, as [`run`] builds it).
pub async fn collect(
    client: &Client,
    col: &mut Collector<'_>,
    extras: &mut Extras,
    index_kinds: &std::collections::BTreeSet<String>,
    settings: Settings,
) -> Result<(), SweepError> {
    let s = Arc::new(settings);
    let progress = Progress { on: s.progress };
    let deadline = s
        .deadline
        .map_or_else(|| Instant::now() + s.total_timeout, Instant::from_std);
    let namespaces = col.config().namespaces.clone();
    let tasks = list_tasks(index_kinds, &namespaces);
    let kinds: Vec<&'static str> = tasks.iter().map(|t| t.kind.kind).collect();
    let (tx, mut rx) = mpsc::channel::<Msg>(8);
    let driver = {
        let client = client.clone();
        let s = s.clone();
        async move {
            stream::iter(tasks)
                .map(|task| list_all(client.clone(), task, s.clone(), tx.clone()))
                .buffer_unordered(s.concurrency.max(1))
                .collect::<Vec<()>>()
                .await;
            drop(tx);
        }
    };
    let mut failures: Vec<(&'static KindInfo, &'static str, Fail, bool)> = Vec::new();
    let mut listed = 0usize;
    let mut nameless: std::collections::BTreeMap<&'static str, usize> = Default::default();
    let consumer = async {
        while let Some(msg) = rx.recv().await {
            match msg {
                Msg::Page(k, items) => {
                    for mut item in items {
                        let named = item
                            .pointer("/metadata/name")
                            .and_then(Value::as_str)
                            .is_some_and(|n| !n.is_empty());
                        if !named {
                            *nameless.entry(k.plural).or_default() += 1;
                            continue;
                        }
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
                Msg::Done(k) => {
                    listed += 1;
                    col.covers(k.kind);
                }
                Msg::Failed(k, what, f, partial) => failures.push((k, what, f, partial)),
            }
        }
    };
    let finished =
        tokio::time::timeout_at(deadline, async { tokio::join!(driver, consumer) }).await;
    // A kind is covered only when every one of its lists was read whole.
    let mut notes = Vec::new();
    for (k, what, f, partial) in &failures {
        col.kinds.remove(k.kind);
        col.partial.insert(k.kind.to_string());
        notes.push(if *partial {
            format!(
                "{}; the {what} read before it are judged, checks that need them all were skipped",
                f.describe(what)
            )
        } else {
            f.describe(what)
        });
    }
    for (plural, n) in &nameless {
        notes.push(format!(
            "{n} {plural} without metadata.name in the answer were left out"
        ));
    }
    // Lists finish in any order; their notes do not.
    notes.sort();
    notes.dedup();
    col.notes.extend(notes);
    if listed == 0 {
        let why = match failures
            .iter()
            .find(|(_, _, f, _)| !matches!(f, Fail::Forbidden))
        {
            Some((_, what, f, _)) => f.cause(what),
            None if failures.is_empty() => format!(
                "no list was read within the time limit ({} s)",
                s.total_timeout.as_secs()
            ),
            None => "every list was forbidden (403) for this account".to_string(),
        };
        progress.done();
        return Err(SweepError::Cluster(format!(
            "nothing could be read from the cluster: {why}"
        )));
    }
    if finished.is_err() {
        for k in &kinds {
            if !col.kinds.contains(*k) {
                col.partial.insert((*k).to_string());
            }
        }
        col.notes.push(format!(
            "the sweep reached its time limit ({} s) while listing: results are partial",
            s.total_timeout.as_secs()
        ));
        progress.done();
        return Ok(());
    }
    // After the lists: logs, the health and usage endpoints, and the
    // stats summaries are read side by side, each phase bounded by the time
    // limit on its own, so that logs that hang (pods on a dead node) cost
    // the log checks, not the control plane's or the disks'.
    progress.show("reading logs, node usage and API server health…");
    // Logs of failing or restarting containers.
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
                // The current log when there is no previous one (400: "previous
                // terminated container not found"); not after a timeout or a
                // refusal, which the current log would meet as well.
                let retry = match &text {
                    Ok(_) => false,
                    Err((Fail::NotFound, _)) => true,
                    Err((Fail::Other(_), Some(_))) => true,
                    Err(_) => false,
                };
                if retry {
                    text = get_text(&client, &base, s.request_timeout).await;
                }
                (ns, pod, c, text.map_err(|(f, _)| f))
            }
        })
        .buffer_unordered(s.concurrency.max(1))
        .collect::<Vec<_>>();
    // Node usage, health endpoints, ComponentStatus.
    // At once, each on its own: one endpoint that hangs (an aggregated API
    // whose server is gone) costs its own note, not the others' results.
    let optional = |path: &'static str| {
        let client = client.clone();
        let s = s.clone();
        async move {
            match tokio::time::timeout_at(deadline, get_text(&client, path, s.request_timeout))
                .await
            {
                Ok(r) => r,
                Err(_) => Err((Fail::Timeout, None)),
            }
        }
    };
    let health = async {
        tokio::join!(
            optional("/apis/metrics.k8s.io/v1beta1/nodes"),
            optional("/readyz?verbose"),
            optional("/livez?verbose"),
            optional("/api/v1/componentstatuses"),
        )
    };
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
    let (logs, (metrics, readyz, livez, cs), stats) = tokio::join!(
        tokio::time::timeout_at(deadline, logs),
        health,
        tokio::time::timeout_at(deadline, stats),
    );
    match logs {
        Err(_) => col.notes.push(
            "the sweep reached its time limit while reading logs: log checks are partial"
                .to_string(),
        ),
        Ok(logs) => {
            let mut log_forbidden = 0;
            let mut log_failed: Vec<String> = Vec::new();
            for (ns, pod, c, text) in logs {
                match text {
                    Ok(t) => col.log_text(&ns, &pod, &c, &t),
                    Err(Fail::Forbidden) => log_forbidden += 1,
                    Err(f) => {
                        log_failed.push(f.describe(&format!("the log of {ns}/{pod} container {c}")))
                    }
                }
            }
            if log_forbidden > 0 {
                col.notes.push(format!(
                    "cannot read pod logs: forbidden (403) for {log_forbidden} container(s); log checks skipped for them"
                ));
            }
            if !log_failed.is_empty() {
                log_failed.sort();
                let n = log_failed.len();
                col.notes.push(if n == 1 {
                    format!("{}; log checks skipped for it", log_failed[0])
                } else {
                    format!(
                        "the logs of {n} containers could not be read (first: {}); log checks skipped for them",
                        log_failed[0]
                    )
                });
            }
        }
    }
    let json = |r: Result<String, (Fail, Option<String>)>, path: &str| -> Result<Value, Fail> {
        let text = r.map_err(|(f, _)| f)?;
        serde_json::from_str(&text)
            .map_err(|e| Fail::Other(format!("invalid JSON from {path}: {e}")))
    };
    let metrics = json(metrics, "/apis/metrics.k8s.io/v1beta1/nodes");
    let cs = json(cs, "/api/v1/componentstatuses");
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
        // Deprecated since 1.19: a cluster that no longer serves it is fine.
        Err(Fail::NotFound) => {}
        Err(f) => extras.notes.push(f.describe("componentstatuses")),
    }
    match stats {
        Err(_) => extras
            .notes
            .push("the sweep reached its time limit while reading node disk usage".to_string()),
        Ok(results) => {
            let mut forbidden = false;
            let mut failed: Vec<String> = Vec::new();
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
                    Err(f) => failed.push(f.describe(&format!("node {node}'s stats summary"))),
                }
            }
            if !failed.is_empty() {
                failed.sort();
                extras.notes.push(if failed.len() == 1 {
                    format!("{}: its disk usage was not checked", failed[0])
                } else {
                    format!(
                        "the stats summaries of {} nodes could not be read (first: {}): their disk usage was not checked",
                        failed.len(),
                        failed[0]
                    )
                });
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
    Ok(())
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
    let deadline = std::time::Instant::now() + settings.total_timeout;
    let wall_deadline = std::time::SystemTime::now() + settings.total_timeout;
    let settings = Settings {
        deadline: Some(deadline),
        ..settings
    };
    let limit = settings.total_timeout.as_secs();
    let collected = rt.block_on(async {
        let mut config = load_kube_config(opts).await?;
        // Lists retry busy answers themselves; nothing else should.
        config.default_retry = false;
        let url = config.cluster_url.clone();
        // The certificate handshake runs beside the collection, so that a
        // slow phase cannot leave it no time.
        let handshake = {
            let url = url.clone();
            let limit = settings.total_timeout.min(Duration::from_secs(10));
            tokio::task::spawn_blocking(move || crate::tls::peer_certificates(&url, limit))
        };
        // A kubeconfig's credentials plugin (`user.exec`) runs once, here,
        // rather than each time kube builds a part of the client (see
        // `exec`); kube still runs it when its credential would expire
        // before the sweep ends. Either way it runs on the blocking pool,
        // under the time limit: a plugin that hangs cannot hold the sweep.
        let plugin = config.auth_info.exec.is_some();
        let build = tokio::task::spawn_blocking(move || {
            if crate::exec::would_run(&config.auth_info) {
                if let Some(exec) = &config.auth_info.exec {
                    let status = crate::exec::run(exec).map_err(SweepError::Cluster)?;
                    if crate::exec::lasts(&status, wall_deadline) {
                        crate::exec::hand_over(&mut config.auth_info, status);
                    }
                }
            }
            Client::try_from(config)
                .map_err(|e| SweepError::Cluster(eyelint_policies::error_chain::error_chain(&e)))
        });
        let client = match tokio::time::timeout_at(Instant::from_std(deadline), build).await {
            Err(_) => {
                stop_children();
                let why = if plugin {
                    "the kubeconfig's credentials plugin (user.exec) did not finish"
                } else {
                    "the client could not be made"
                };
                return Err(SweepError::Cluster(format!(
                    "no connection within the time limit ({limit} s): {why}"
                )));
            }
            Ok(Err(e)) => return Err(SweepError::Cluster(e.to_string())),
            Ok(Ok(Err(e))) => return Err(e),
            Ok(Ok(Ok(client))) => client,
        };
        collect(&client, col, extras, &index_kinds, settings).await?;
        let handshake = match tokio::time::timeout_at(Instant::from_std(deadline), handshake).await
        {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err("the sweep reached its time limit first".to_string()),
        };
        Ok::<_, SweepError>((url, handshake))
    });
    // A plugin still running on the blocking pool is not waited for.
    rt.shutdown_background();
    let (url, handshake) = collected?;
    match handshake {
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

/// Ends the processes the sweep started that still run: a kubeconfig's
/// credentials plugin that hung (kube waits for it on a thread the sweep no
/// longer waits for, and it would outlive the sweep). Best effort, and on
/// Linux only, where `/proc` lists a process's children.
fn stop_children() {
    #[cfg(target_os = "linux")]
    {
        let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
            return;
        };
        for task in tasks.flatten() {
            let Ok(text) = std::fs::read_to_string(task.path().join("children")) else {
                continue;
            };
            for pid in text
                .split_whitespace()
                .filter_map(|p| p.parse::<i32>().ok())
            {
                if let Some(pid) = rustix::process::Pid::from_raw(pid) {
                    // A plugin the sweep ran leads a process group of its
                    // own (`exec`), with what it started: all of it ends.
                    // (No such group for a plugin kube ran: nothing to do.)
                    let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::TERM);
                    let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
                }
            }
        }
    }
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
