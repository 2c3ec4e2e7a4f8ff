//! What the sweep keeps of a cluster: small summaries of nodes, pods and
//! warning events, the workloads for the policy engine, and log matches.
//! Sources feed objects one at a time to a [`Collector`] and drop them.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use eyelint_policies::quantity::Quantity;
use serde_json::Value;

use crate::config::SweepConfig;
use crate::lite;
use crate::workloads::Workloads;

/// One node condition.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Condition {
    /// `type`.
    pub kind: String,
    /// `status` (`True`, `False`, `Unknown`).
    pub status: String,
    /// `reason`.
    pub reason: String,
    /// `message`.
    pub message: String,
    /// `lastHeartbeatTime`.
    pub heartbeat: String,
    /// `lastTransitionTime`.
    pub transition: String,
}

/// What the checks read of a node.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NodeInfo {
    /// Name.
    pub name: String,
    /// Every condition.
    pub conditions: Vec<Condition>,
    /// Allocatable CPU in millicores.
    pub cpu_millis: Option<i128>,
    /// Allocatable memory in bytes.
    pub memory_bytes: Option<i128>,
    /// True for control-plane nodes (by role label).
    pub control_plane: bool,
}

/// A container's status.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContainerInfo {
    /// Name.
    pub name: String,
    /// An init container (or native sidecar).
    pub init: bool,
    /// `ready`.
    pub ready: bool,
    /// `restartCount`.
    pub restarts: u64,
    /// `state.waiting.reason` / message.
    pub waiting: Option<(String, String)>,
    /// `state.terminated`: reason, exit code, finishedAt.
    pub terminated: Option<(String, i64, String)>,
    /// `lastState.terminated`: reason, exit code, finishedAt.
    pub last_terminated: Option<(String, i64, String)>,
    /// `state.running` is set.
    pub running: bool,
}

/// Whether a termination (reason, exit code, finishedAt) was a failure: a
/// non-zero exit code, or a reason other than `Completed`.
pub fn ended_in_failure((reason, code, _): &(String, i64, String)) -> bool {
    *code != 0 || !matches!(reason.as_str(), "Completed" | "")
}

impl ContainerInfo {
    /// How the container last ended: its current state when it has
    /// ended, else its last state (reason, exit code, finishedAt).
    pub fn last_end(&self) -> Option<&(String, i64, String)> {
        self.terminated.as_ref().or(self.last_terminated.as_ref())
    }

    /// True when the container is failing: its latest end was a failure,
    /// or it waits in an error. Only such containers' logs are scanned (a
    /// container that restarted after clean exits, or has now completed,
    /// logged a good run).
    pub fn failing(&self) -> bool {
        self.last_end().is_some_and(ended_in_failure)
            || self.waiting.as_ref().is_some_and(|(r, _)| {
                matches!(
                    r.as_str(),
                    "CrashLoopBackOff" | "RunContainerError" | "CreateContainerError" | "Error"
                )
            })
    }
}

/// What the checks read of a pod.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PodInfo {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// `status.phase`.
    pub phase: String,
    /// `status.reason` (`Evicted`, …).
    pub reason: String,
    /// `status.message`.
    pub message: String,
    /// `spec.nodeName`.
    pub node: String,
    /// `metadata.labels.component` (static control-plane pods).
    pub component: String,
    /// The PodScheduled condition when it is False: reason, message.
    pub unscheduled: Option<(String, String)>,
    /// Container statuses (init containers first).
    pub containers: Vec<ContainerInfo>,
    /// `metadata.deletionTimestamp` is set.
    pub terminating: bool,
    /// The controller that made it (a Job, a ReplicaSet…; a static pod's
    /// mirror, owned by its Node, has none).
    pub owner: Option<crate::workloads::Owner>,
}

impl PodInfo {
    /// Reads a pod.
    pub fn of(v: &Value) -> PodInfo {
        PodInfo::from_view(&lite::Item::of(v))
    }

    /// Reads a pod from its typed view.
    pub fn from_view(it: &lite::Item<'_>) -> PodInfo {
        let meta = it.meta();
        let status = it.status.get();
        let st =
            |f: fn(&lite::PodStatus<'_>) -> Option<String>| status.and_then(f).unwrap_or_default();
        let mut pod = PodInfo {
            namespace: meta.namespace.get().to_string(),
            name: meta.name.get().to_string(),
            phase: st(|s| Some(s.phase.get().to_string())),
            reason: st(|s| Some(s.reason.get().to_string())),
            message: st(|s| Some(s.message.get().to_string())),
            node: it.spec.get().map_or("", |s| s.node_name.get()).to_string(),
            component: it.label(|l| &l.component).to_string(),
            unscheduled: None,
            containers: Vec::new(),
            terminating: meta.deletion_timestamp.present,
            owner: crate::workloads::Owner::of_refs(&meta.owner_references),
        };
        let Some(status) = status else {
            return pod;
        };
        for c in &status.conditions.0 {
            let Some(c) = c.get() else { continue };
            if c.kind.get() == "PodScheduled" && c.status.get() == "False" {
                pod.unscheduled = Some((c.reason.get().to_string(), c.message.get().to_string()));
            }
        }
        pod.containers.reserve_exact(
            status.init_container_statuses.0.len() + status.container_statuses.0.len(),
        );
        for (list, init) in [
            (&status.init_container_statuses, true),
            (&status.container_statuses, false),
        ] {
            for c in &list.0 {
                pod.containers.push(container_info(c.get(), init));
            }
        }
        pod
    }

    /// The container status with this name.
    pub fn container(&self, name: &str) -> Option<&ContainerInfo> {
        self.containers.iter().find(|c| c.name == name)
    }
}

fn container_info(c: Option<&lite::ContainerStatus<'_>>, init: bool) -> ContainerInfo {
    let Some(c) = c else {
        return ContainerInfo {
            init,
            ..ContainerInfo::default()
        };
    };
    let state = c.state.get();
    let detail = |o: &lite::Obj<lite::StateDetail<'_>>| {
        o.present.then(|| {
            o.get().map_or_else(Default::default, |d| {
                (
                    d.reason.get().to_string(),
                    d.message.get().to_string(),
                    d.exit_code.0.unwrap_or(0),
                    d.finished_at.get().to_string(),
                )
            })
        })
    };
    let waiting = state
        .and_then(|s| detail(&s.waiting))
        .map(|(reason, message, _, _)| (reason, message));
    let terminated = state
        .and_then(|s| detail(&s.terminated))
        .map(|(reason, _, code, finished)| (reason, code, finished));
    let last_terminated = c
        .last_state
        .get()
        .and_then(|s| detail(&s.terminated))
        .map(|(reason, _, code, finished)| (reason, code, finished));
    ContainerInfo {
        name: c.name.get().to_string(),
        init,
        ready: c.ready.0.unwrap_or(false),
        restarts: c.restart_count.0.unwrap_or(0),
        waiting,
        terminated,
        last_terminated,
        running: state.is_some_and(|s| s.running.present),
    }
}

impl NodeInfo {
    /// Reads a node.
    pub fn of(v: &Value) -> NodeInfo {
        let mut node = NodeInfo {
            name: v
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            ..NodeInfo::default()
        };
        if let Some(labels) = v.pointer("/metadata/labels").and_then(Value::as_object) {
            node.control_plane = labels.contains_key("node-role.kubernetes.io/control-plane")
                || labels.contains_key("node-role.kubernetes.io/master");
        }
        if let Some(conds) = v.pointer("/status/conditions").and_then(Value::as_array) {
            for c in conds {
                let g = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                node.conditions.push(Condition {
                    kind: g("type"),
                    status: g("status"),
                    reason: g("reason"),
                    message: g("message"),
                    heartbeat: g("lastHeartbeatTime"),
                    transition: g("lastTransitionTime"),
                });
            }
        }
        node.cpu_millis = v
            .pointer("/status/allocatable/cpu")
            .and_then(|q| Quantity::from_value(q).ok())
            .map(Quantity::millis);
        node.memory_bytes = v
            .pointer("/status/allocatable/memory")
            .and_then(|q| Quantity::from_value(q).ok())
            .map(|q| q.nanos() / 1_000_000_000);
        node
    }
}

/// Warning events of one (reason, object) group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventGroup {
    /// Event reason.
    pub reason: String,
    /// Involved object kind.
    pub kind: String,
    /// Involved object namespace.
    pub namespace: String,
    /// Involved object name.
    pub name: String,
    /// Total count (sum of the events' counts).
    pub count: u64,
    /// Last time seen.
    pub last: String,
    /// The most recent message.
    pub message: String,
    /// Reporting host (`source.host`).
    pub host: String,
    /// Reporting component (`source.component` / `reportingComponent`).
    pub component: String,
}

/// Key of an event group: (reason, kind, namespace, name).
pub type EventKey = (String, String, String, String);

/// Log patterns: (check id, lowercase needles).
pub const LOG_PATTERNS: &[(&str, &[&str])] = &[
    ("PodNoSuchFileOrDirectory", &["no such file or directory"]),
    ("PodIOError", &["i/o error", "input/output error"]),
    ("PodNoSuchDeviceOrAddress", &["no such device or address"]),
    ("PodInvalidArgument", &["invalid argument"]),
    ("PodDeviceOrResourceBusy", &["device or resource busy"]),
    // EEXIST's text is common English ("whether the lock file exists"):
    // only as an error prints it. After the failed call and a colon (Go's
    // `mkdir /data: file exists`, C's perror and coreutils), after
    // Python's `[Errno 17]`, before Rust's `(os error 17)`, or the errno's
    // name (Node's `EEXIST: file already exists`).
    (
        "PodFileExists",
        &[
            ": file exists",
            "[errno 17] file exists",
            "file exists (os error",
            "eexist",
        ],
    ),
    ("PodTooManyOpenFiles", &["too many open files"]),
    ("PodNoSpaceLeftOnDevice", &["no space left on device"]),
    ("PodNotADirectory", &["not a directory"]),
];

/// Whether `needle` occurs in `hay` as a phrase of its own: not inside a
/// longer word (`profile exists` is no `file exists`, `not a directoryX`
/// no `not a directory`). An end of the needle that is punctuation
/// (`: file exists`) needs no word boundary there.
fn contains_phrase(hay: &str, needle: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let word = |c: Option<char>| c.is_some_and(is_word);
    let open_start = needle.chars().next().is_some_and(is_word);
    let open_end = needle.chars().next_back().is_some_and(is_word);
    hay.match_indices(needle).any(|(i, m)| {
        let glued_before = open_start && word(hay[..i].chars().next_back());
        let glued_after = open_end && word(hay[i + m.len()..].chars().next());
        !glued_before && !glued_after
    })
}

/// Matches of one log pattern in one container's log.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogHit {
    /// Matching lines.
    pub count: u64,
    /// The first matching line (trimmed, at most 200 characters).
    pub sample: String,
}

/// Key of a log hit: (namespace, pod, container, check id).
pub type LogKey = (String, String, String, &'static str);

/// Everything the checks need, filled one object at a time.
#[derive(Debug)]
pub struct Collector<'c> {
    config: &'c SweepConfig,
    /// Nodes.
    pub nodes: Vec<NodeInfo>,
    /// Pods (summaries).
    pub pods: Vec<PodInfo>,
    pod_index: HashMap<(String, String), usize>,
    /// Warning events by group.
    pub events: BTreeMap<EventKey, EventGroup>,
    /// Workloads for the policy engine.
    pub workloads: Workloads,
    /// Objects of other kinds the engine's cross-object rules consult.
    pub index_objects: Vec<Value>,
    index_kinds: BTreeSet<String>,
    /// Kinds the source holds (lists seen, even empty ones).
    pub kinds: BTreeSet<String>,
    /// Kinds whose list failed, part-way or before any item (live mode):
    /// not covered, yet not absent either (a note says why).
    pub partial: BTreeSet<String>,
    /// Objects looked at, per kind.
    pub counts: BTreeMap<String, usize>,
    /// Namespaces seen.
    pub namespaces: BTreeSet<String>,
    /// Log matches.
    pub log_hits: BTreeMap<LogKey, LogHit>,
    /// Containers whose logs were scanned, as (namespace, pod, container):
    /// a container's current and previous logs, or two copies of one in a
    /// support bundle, are one.
    pub logs_scanned: BTreeSet<(String, String, String)>,
    /// Notes for the report.
    pub notes: Vec<String>,
}

impl<'c> Collector<'c> {
    /// An empty collector; `index_kinds` are the kinds the engine's
    /// cross-object rules consult.
    pub fn new(config: &'c SweepConfig, index_kinds: BTreeSet<String>) -> Self {
        Collector {
            config,
            nodes: Vec::new(),
            pods: Vec::new(),
            pod_index: HashMap::new(),
            events: BTreeMap::new(),
            workloads: Workloads::default(),
            index_objects: Vec::new(),
            index_kinds,
            kinds: BTreeSet::new(),
            partial: BTreeSet::new(),
            counts: BTreeMap::new(),
            namespaces: BTreeSet::new(),
            log_hits: BTreeMap::new(),
            logs_scanned: BTreeSet::new(),
            notes: Vec::new(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &'c SweepConfig {
        self.config
    }

    /// The kinds the engine's cross-object rules consult.
    pub fn index_kinds(&self) -> &BTreeSet<String> {
        &self.index_kinds
    }

    /// Records that the source holds objects of `kind` (a list was read).
    pub fn covers(&mut self, kind: &str) {
        if !kind.is_empty() {
            self.kinds.insert(kind.to_string());
        }
    }

    /// Number of objects read so far.
    pub fn object_count(&self) -> usize {
        self.counts.values().sum()
    }

    /// Takes one object (whose `kind` is set) and keeps what checks need.
    pub fn object(&mut self, v: Value) {
        let kind = v
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if kind.is_empty() {
            return;
        }
        match kind.as_str() {
            "Pod" => {
                let view = lite::Item::of(&v);
                let Some((ns, owner)) = self.pod_summary(&view) else {
                    return;
                };
                drop(view);
                let kept: Result<(), std::convert::Infallible> =
                    self.workloads.pod_with(&ns, owner, || Ok(v));
                let Ok(()) = kept;
            }
            "Event" => self.event_view(&lite::Item::of(&v)),
            _ => {
                let ns = v
                    .pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                if !self.admit(&kind, ns, false) {
                    return;
                }
                if kind == "Node" {
                    self.nodes.push(NodeInfo::of(&v));
                    return;
                }
                if self.index_kinds.contains(&kind) {
                    self.index_objects.push(v.clone());
                }
                if eyelint_policies::Workload::of(&v).is_some() {
                    self.workloads.controller(v);
                } else if kind == "ReplicaSet" || kind == "Job" {
                    // Without a template they are still owners.
                    self.workloads.controller(v);
                }
            }
        }
    }

    /// Takes a pod read as a typed view; `full` gives the whole object,
    /// asked for only when the pod is kept for the policy engine (the first
    /// pod of an owner, or a pod without owner).
    pub fn pod_view<E>(
        &mut self,
        view: &lite::Item<'_>,
        full: impl FnOnce() -> Result<Value, E>,
    ) -> Result<(), E> {
        match self.pod_summary(view) {
            Some((ns, owner)) => self.workloads.pod_with(&ns, owner, full),
            None => Ok(()),
        }
    }

    /// Takes an event read as a typed view.
    pub fn event_view(&mut self, view: &lite::Item<'_>) {
        let node_event = view
            .involved_object
            .get()
            .is_some_and(|o| o.kind.get() == "Node");
        if self.admit("Event", view.meta().namespace.get(), node_event) {
            self.event(view);
        }
    }

    /// Applies the namespace filter and counts the object. False when it is filtered out.
    fn admit(&mut self, kind: &str, ns: &str, node_event: bool) -> bool {
        if !node_event && !self.config.namespace_wanted(ns) {
            return false;
        }
        if !self.kinds.contains(kind) {
            self.kinds.insert(kind.to_string());
        }
        match self.counts.get_mut(kind) {
            Some(n) => *n += 1,
            None => {
                self.counts.insert(kind.to_string(), 1);
            }
        }
        if !ns.is_empty() && !self.namespaces.contains(ns) {
            self.namespaces.insert(ns.to_string());
        }
        true
    }

    /// Keeps a pod's summary; returns its namespace and owner for the
    /// workloads (None when the namespace is filtered out).
    fn pod_summary(
        &mut self,
        view: &lite::Item<'_>,
    ) -> Option<(String, Option<crate::workloads::Owner>)> {
        let ns = view.meta().namespace.get();
        if !self.admit("Pod", ns, false) {
            return None;
        }
        let info = PodInfo::from_view(view);
        let key = (info.namespace.clone(), info.name.clone());
        let owner = info.owner.clone();
        self.pod_index.insert(key, self.pods.len());
        self.pods.push(info);
        Some((ns.to_string(), owner))
    }

    fn event(&mut self, v: &lite::Item<'_>) {
        if v.event_type.get() != "Warning" {
            return;
        }
        // core/v1 names first, then what events.k8s.io/v1 calls them.
        let involved = v.involved_object.get().or_else(|| v.regarding.get());
        let series = v.series.get();
        let count = series
            .and_then(|s| s.count.0)
            .or(v.count.0)
            .or(v.deprecated_count.0)
            .unwrap_or(1)
            .max(1);
        let last = [
            series.map_or("", |s| s.last_observed_time.get()),
            v.last_timestamp.get(),
            v.deprecated_last_timestamp.get(),
            v.event_time.get(),
            v.first_timestamp.get(),
            v.deprecated_first_timestamp.get(),
            v.meta().creation_timestamp.get(),
        ]
        .into_iter()
        .find(|t| !t.is_empty())
        .unwrap_or("");
        let source = v.source.get().or_else(|| v.deprecated_source.get());
        let component = [
            source.map_or("", |s| s.component.get()),
            v.reporting_component.get(),
            v.reporting_controller.get(),
        ]
        .into_iter()
        .find(|c| !c.is_empty())
        .unwrap_or("");
        // The node an event comes from: `source.host`, or the reporting
        // instance of a reporter that runs on nodes (the kubelet, the
        // node-problem-detector's monitors). Another reporter's instance
        // (`default-scheduler-cp1`) is no node.
        let host = source.map_or("", |s| s.host.get());
        let on_node = component == "kubelet"
            || component.ends_with("-monitor")
            || component.contains("problem-detector");
        let host = if host.is_empty() && on_node {
            v.reporting_instance.get()
        } else {
            host
        };
        let message = if v.message.get().is_empty() {
            v.note.get()
        } else {
            v.message.get()
        };
        let key = (
            v.reason.get().to_string(),
            involved.map_or("", |o| o.kind.get()).to_string(),
            involved.map_or("", |o| o.namespace.get()).to_string(),
            involved.map_or("", |o| o.name.get()).to_string(),
        );
        let g = match self.events.entry(key) {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(slot) => {
                let (reason, kind, namespace, name) = slot.key().clone();
                slot.insert(EventGroup {
                    reason,
                    kind,
                    namespace,
                    name,
                    ..EventGroup::default()
                })
            }
        };
        // The counts are the source's: a hostile or corrupt one may be any
        // number, and their sum stays one.
        g.count = g.count.saturating_add(count);
        if crate::time::at_or_after(last, &g.last) {
            g.last = last.to_string();
            g.message = message.to_string();
            g.host = host.to_string();
            g.component = component.to_string();
        }
    }

    /// True when the log of this container is to be scanned: the pod is
    /// known and the container is failing or restarting.
    pub fn wants_logs(&self, ns: &str, pod: &str, container: &str) -> bool {
        self.pod_index
            .get(&(ns.to_string(), pod.to_string()))
            .and_then(|i| self.pods[*i].container(container))
            .is_some_and(ContainerInfo::failing)
    }

    /// Names of the containers whose logs are to be scanned, as (ns, pod, container, previous).
    pub fn log_targets(&self) -> Vec<(String, String, String, bool)> {
        let mut out = Vec::new();
        for p in &self.pods {
            for c in p.containers.iter().filter(|c| c.failing()) {
                out.push((
                    p.namespace.clone(),
                    p.name.clone(),
                    c.name.clone(),
                    c.restarts > 0 || c.last_terminated.is_some(),
                ));
            }
        }
        out
    }

    /// Scans one log line of a container that [`wants_logs`](Self::wants_logs).
    pub fn log_line(&mut self, ns: &str, pod: &str, container: &str, line: &str) {
        let lower = line.to_ascii_lowercase();
        for (id, needles) in LOG_PATTERNS {
            if needles.iter().any(|n| contains_phrase(&lower, n)) {
                let hit = self
                    .log_hits
                    .entry((ns.to_string(), pod.to_string(), container.to_string(), id))
                    .or_default();
                if hit.count == 0 {
                    hit.sample = line.trim().chars().take(200).collect();
                }
                hit.count += 1;
            }
        }
    }

    /// Records that a container's log is being scanned.
    pub fn scanned(&mut self, ns: &str, pod: &str, container: &str) {
        self.logs_scanned
            .insert((ns.to_string(), pod.to_string(), container.to_string()));
    }

    /// Scans a whole log text of one container (if it is to be scanned).
    pub fn log_text(&mut self, ns: &str, pod: &str, container: &str, text: &str) {
        if !self.wants_logs(ns, pod, container) {
            return;
        }
        self.scanned(ns, pod, container);
        for line in text.lines() {
            self.log_line(ns, pod, container, line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_phrases_are_whole_words() {
        assert!(contains_phrase("mkdir /x: file exists", "file exists"));
        assert!(contains_phrase("error: file exists.", "file exists"));
        assert!(!contains_phrase("profile exists", "file exists"));
        assert!(!contains_phrase("file existsx", "file exists"));
        assert!(contains_phrase("read: i/o error", "i/o error"));
        assert!(contains_phrase(
            "x profile exists; file exists",
            "file exists"
        ));
        // Punctuation at an end of the needle is its own boundary.
        assert!(contains_phrase("mkdir /x: file exists", ": file exists"));
        assert!(!contains_phrase("x: file existsx", ": file exists"));
    }

    /// Counts of one event group, as large as the source makes them, add
    /// up without overflowing (found by `changed_dumps_are_swept`).
    #[test]
    fn event_counts_saturate() {
        let cfg = SweepConfig::default();
        let mut c = Collector::new(&cfg, BTreeSet::new());
        let event = serde_json::json!({
            "apiVersion": "v1", "kind": "Event", "type": "Warning", "reason": "BackOff",
            "count": u64::MAX, "metadata": {"name": "e", "namespace": "ns"},
            "involvedObject": {"kind": "Pod", "name": "p", "namespace": "ns"}
        });
        for _ in 0..2 {
            c.object(event.clone());
        }
        let counts: Vec<u64> = c.events.values().map(|g| g.count).collect();
        assert_eq!(counts, [u64::MAX]);
    }

    /// The log patterns each line matches, through `Collector::log_line`.
    fn patterns(line: &str) -> Vec<&'static str> {
        let cfg = SweepConfig::default();
        let mut c = Collector::new(&cfg, BTreeSet::new());
        c.log_line("ns", "p", "c", line);
        c.log_hits.keys().map(|k| k.3).collect()
    }

    /// PodFileExists is EEXIST's text where an error prints it (after the
    /// failed call and a colon, after Python's `[Errno 17]`, before Rust's
    /// `(os error 17)`, or the errno's name), not the words "file exists"
    /// in prose.
    #[test]
    fn file_exists_needs_the_errno_context() {
        for line in [
            "mkdir /data/cache: file exists",
            "Error: symlink /a /b: file exists",
            "mkdir: cannot create directory '/data': File exists",
            "ln: failed to create symbolic link '/b': File exists",
            "FileExistsError: [Errno 17] File exists: '/data'",
            "Error: EEXIST: file already exists, mkdir '/data'",
            "Error: File exists (os error 17)",
        ] {
            assert_eq!(patterns(line), ["PodFileExists"], "{line}");
        }
        for line in [
            "checking whether the lock file exists",
            "Checking whether the config File exists...",
            "if the file exists it is reused",
            "WARN: profile exists already",
            "lock file exists: waiting for the other instance",
            "file existsx: /data",
            "[INFO] file exists, reusing cached model",
            "2024-05-01T10:00:00 [main] file exists",
        ] {
            assert_eq!(patterns(line), Vec::<&str>::new(), "{line}");
        }
    }
}
