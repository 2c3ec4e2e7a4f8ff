//! The cluster sweep's catalogue of runtime checks and its `sweep:`
//! configuration section. Pure data: the checks themselves run in
//! `eyelint-sweep`; they live here so that every front end reads one
//! configuration file alike (`eyelint config` checks the section too,
//! without building the sweep).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::finding::Severity;

/// The report section a check belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Section {
    /// Node conditions, usage and node-problem-detector signals.
    Nodes,
    /// etcd, scheduler, controller manager, API server certificate.
    ControlPlane,
    /// Warning events.
    Events,
    /// Pod status and logs.
    Pods,
    /// The policy engine over workloads.
    Workloads,
}

impl Section {
    /// Every section, in report order.
    pub const ALL: [Section; 5] = [
        Section::Nodes,
        Section::ControlPlane,
        Section::Events,
        Section::Pods,
        Section::Workloads,
    ];

    /// The heading shown in reports.
    pub fn title(self) -> &'static str {
        match self {
            Section::Nodes => "Nodes",
            Section::ControlPlane => "Control plane",
            Section::Events => "Events",
            Section::Pods => "Pods",
            Section::Workloads => "Workloads",
        }
    }
}

/// A runtime check of the sweep (the workload rules are the engine's own).
#[derive(Debug)]
pub struct CheckInfo {
    /// KubeEye's id.
    pub id: &'static str,
    /// Section.
    pub section: Section,
    /// Default severity.
    pub severity: Severity,
    /// What it reports (lowercase, no trailing period).
    pub summary: &'static str,
}

macro_rules! checks {
    ($( $id:literal, $section:ident, $sev:ident, $summary:literal; )*) => {
        /// Every runtime check, in report order.
        pub const CHECKS: &[CheckInfo] = &[
            $( CheckInfo { id: $id, section: Section::$section, severity: Severity::$sev, summary: $summary }, )*
        ];
    };
}

checks! {
    "KubeletHealthStatus", Nodes, Danger, "kubelet stopped posting status, or node-problem-detector reports it unhealthy or restarting often";
    "DockerHealthStatus", Nodes, Danger, "the container runtime (docker or containerd) is not ready, unhealthy or restarting often";
    "NodeNotReady", Nodes, Danger, "node not ready because the container manager failed to start (TasksAccounting)";
    "NodeNotReadyAndUseOfClosedNetworkConnection", Nodes, Danger, "node not ready after `use of closed network connection` errors (stale HTTP/2 connection to the API server)";
    "NodeMemory", Nodes, Warning, "memory pressure (MemoryPressure), or memory usage over the threshold";
    "NodeDisk", Nodes, Warning, "disk pressure (DiskPressure), or filesystem usage over the threshold";
    "NodeCPU", Nodes, Warning, "node CPU usage over the threshold";
    "NodePIDPressure", Nodes, Warning, "process-id pressure (PIDPressure): the node is running out of process ids";
    "NodeConditionProblem", Nodes, Warning, "any other node condition in its problem state (danger when the node is not ready)";
    "NodeDeadlock", Nodes, Warning, "kernel deadlock reported by node-problem-detector";
    "NodeOOM", Nodes, Warning, "the kernel killed processes for lack of memory (OOMKilling, SystemOOM)";
    "NodeTaskHung", Nodes, Warning, "a task blocked in the kernel for more than 120 seconds";
    "NodeKernelNULLPointer", Nodes, Warning, "kernel oops: NULL pointer dereference";
    "NodeExt4Error", Nodes, Warning, "ext4 filesystem errors";
    "NodeUnregisterNetDevice", Nodes, Warning, "unregister_netdevice waits for a network device to become free";
    "NodeCorruptDockerImage", Nodes, Warning, "docker failed to register an image layer (corrupt image store)";
    "NodeCorruptOverlay2", Nodes, Warning, "docker overlay2 storage is corrupt";
    "NodeAUFSUmountHung", Nodes, Warning, "umount of an aufs filesystem hangs";
    "NodeDockerHung", Nodes, Warning, "the docker daemon hangs in the kernel";
    "NodeReadonlyFilesystem", Nodes, Warning, "a filesystem was remounted read-only";
    "ETCDHealthStatus", ControlPlane, Danger, "etcd is not running, not ready, or reported unhealthy";
    "SchedulerHealthStatus", ControlPlane, Danger, "kube-scheduler is not running, not ready, or reported unhealthy";
    "ControllerManagerHealthStatus", ControlPlane, Danger, "kube-controller-manager is not running, not ready, or reported unhealthy";
    "NodeApiServerExpiredPeriod", ControlPlane, Danger, "the API server certificate expires soon (warning under 30 days, danger under 7) or has expired";
    "WarningEvent", Events, Warning, "events of type Warning, grouped by reason and object";
    "PodSetImagePullBackOff", Pods, Warning, "a container cannot pull or use its image (ErrImagePull, ImagePullBackOff, the kubelet's other image errors)";
    "PodCrashLoopBackOff", Pods, Warning, "a container keeps crashing (CrashLoopBackOff)";
    "PodRestartingOften", Pods, Warning, "a container that is not in CrashLoopBackOff has restarted often (thresholds.restarts, 5 by default) and last ended in failure";
    "PodOOMKilled", Pods, Warning, "a container was killed for exceeding its memory limit";
    "PodContainerCannotStart", Pods, Warning, "a container cannot start (CreateContainerConfigError: a missing Secret or ConfigMap; CreateContainerError, RunContainerError, a failing lifecycle hook)";
    "PodFailed", Pods, Warning, "the pod failed (phase Failed) for a reason other than eviction or an OOM kill, or a container of a running pod ended in failure";
    "PodUnschedulable", Pods, Warning, "the scheduler cannot place the pod";
    "PodEvicted", Pods, Warning, "the kubelet evicted the pod";
    "PodNoSuchFileOrDirectory", Pods, Warning, "`no such file or directory` in the log of a failing or restarting container";
    "PodIOError", Pods, Warning, "`I/O error` in the log of a failing or restarting container";
    "PodNoSuchDeviceOrAddress", Pods, Warning, "`no such device or address` in the log of a failing or restarting container";
    "PodInvalidArgument", Pods, Warning, "`invalid argument` in the log of a failing or restarting container";
    "PodDeviceOrResourceBusy", Pods, Warning, "`device or resource busy` in the log of a failing or restarting container";
    "PodFileExists", Pods, Warning, "`file exists` in the log of a failing or restarting container";
    "PodTooManyOpenFiles", Pods, Warning, "`too many open files` in the log of a failing or restarting container";
    "PodNoSpaceLeftOnDevice", Pods, Warning, "`no space left on device` in the log of a failing or restarting container";
    "PodNotADirectory", Pods, Warning, "`not a directory` in the log of a failing or restarting container";
}

/// The runtime check with this id.
pub fn info(id: &str) -> Option<&'static CheckInfo> {
    CHECKS.iter().find(|c| c.id == id)
}

/// The default severity of a runtime check (warning for an unknown id).
pub fn default_severity(id: &str) -> Severity {
    info(id).map_or(Severity::Warning, |c| c.severity)
}

/// Usage and expiry thresholds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Thresholds {
    /// Node CPU usage (percent of allocatable) above which `NodeCPU` fires (live).
    #[serde(default = "eighty")]
    pub cpu_percent: f64,
    /// Node memory usage (percent of allocatable) above which `NodeMemory` fires (live).
    #[serde(default = "eighty")]
    pub memory_percent: f64,
    /// Node filesystem usage (percent of capacity) above which `NodeDisk` fires (live).
    #[serde(default = "eighty")]
    pub disk_percent: f64,
    /// Days before expiry under which the API server certificate is a warning.
    #[serde(default = "thirty")]
    pub cert_warning_days: i64,
    /// Days before expiry under which the API server certificate is a danger.
    #[serde(default = "seven")]
    pub cert_danger_days: i64,
    /// Restarts from which a container whose last run failed is
    /// `PodRestartingOften` (Popeye's pod threshold is the same idea).
    #[serde(default = "five")]
    pub restarts: u64,
}

fn eighty() -> f64 {
    80.0
}
fn thirty() -> i64 {
    30
}
fn seven() -> i64 {
    7
}
fn five() -> u64 {
    5
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            cpu_percent: eighty(),
            memory_percent: eighty(),
            disk_percent: eighty(),
            cert_warning_days: thirty(),
            cert_danger_days: seven(),
            restarts: five(),
        }
    }
}

/// The longest time limit a sweep takes, in seconds (a day): far beyond any
/// cluster's, and a deadline the clock can always hold.
pub const MAX_TIMEOUT_SECONDS: u64 = 86_400;

/// Sweep settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SweepConfig {
    /// Severity overrides per check id (`ignore` turns a check off).
    #[serde(default)]
    pub checks: BTreeMap<String, Severity>,
    /// Check ids that are not reported.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Only these namespaces (empty: all).
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// Namespaces left out.
    #[serde(default)]
    pub exclude_namespaces: Vec<String>,
    /// Thresholds.
    #[serde(default)]
    pub thresholds: Thresholds,
    /// Lines of a container's log read in live mode (from the end).
    #[serde(default = "default_tail")]
    pub log_tail_lines: u32,
    /// At most this many containers' logs are read in live mode.
    #[serde(default = "default_max_logs")]
    pub max_log_containers: usize,
    /// Requests in flight at once in live mode.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// Global time limit of a live sweep, in seconds.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
}

fn default_tail() -> u32 {
    500
}
fn default_max_logs() -> usize {
    200
}
fn default_concurrency() -> usize {
    4
}
fn default_timeout() -> u64 {
    120
}

impl Default for SweepConfig {
    fn default() -> Self {
        SweepConfig {
            checks: BTreeMap::new(),
            ignore: Vec::new(),
            namespaces: Vec::new(),
            exclude_namespaces: Vec::new(),
            thresholds: Thresholds::default(),
            log_tail_lines: default_tail(),
            max_log_containers: default_max_logs(),
            concurrency: default_concurrency(),
            timeout_seconds: default_timeout(),
        }
    }
}

impl SweepConfig {
    /// True when objects of namespace `ns` are looked at ("" = cluster-scoped: always).
    pub fn namespace_wanted(&self, ns: &str) -> bool {
        if ns.is_empty() {
            return true;
        }
        if self.exclude_namespaces.iter().any(|n| n == ns) {
            return false;
        }
        self.namespaces.is_empty() || self.namespaces.iter().any(|n| n == ns)
    }

    /// The severity a check reports with, given the severity its logic chose;
    /// `None` when the check is turned off.
    pub fn effective_severity(&self, id: &str, chosen: Severity) -> Option<Severity> {
        if self.ignore.iter().any(|i| i == id) {
            return None;
        }
        match self.checks.get(id) {
            Some(Severity::Ignore) => None,
            Some(s) => Some(*s),
            None => Some(chosen),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_are_unique_and_summaries_lowercase() {
        let mut ids: Vec<_> = CHECKS.iter().map(|c| c.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), CHECKS.len());
        for c in CHECKS {
            let first = c.summary.chars().next().unwrap();
            assert!(
                !first.is_uppercase() && !c.summary.ends_with('.'),
                "{}",
                c.id
            );
        }
    }

    #[test]
    fn reads_defaults_and_overrides() {
        let c: SweepConfig = serde_json::from_value(json!({})).unwrap();
        assert_eq!(c, SweepConfig::default());
        assert_eq!(c.thresholds.cpu_percent, 80.0);
        let c: SweepConfig = serde_json::from_value(json!({
            "checks": {"WarningEvent": "ignore", "NodeDisk": "danger"},
            "ignore": ["PodEvicted"],
            "namespaces": ["a"],
            "thresholds": {"cpuPercent": 90}
        }))
        .unwrap();
        assert_eq!(
            c.effective_severity("WarningEvent", Severity::Warning),
            None
        );
        assert_eq!(c.effective_severity("PodEvicted", Severity::Warning), None);
        assert_eq!(
            c.effective_severity("NodeDisk", Severity::Warning),
            Some(Severity::Danger)
        );
        assert_eq!(c.thresholds.cpu_percent, 90.0);
        assert!(c.namespace_wanted("a") && !c.namespace_wanted("b") && c.namespace_wanted(""));
    }
}
