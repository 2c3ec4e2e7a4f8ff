//! The sweep's checks: node conditions and node-problem-detector signals,
//! control-plane components, pods, warning events, the API server
//! certificate, and the policy engine over workloads.

pub mod cert;
pub mod control_plane;
pub mod events;
pub mod nodes;
pub mod pods;

use eyelint_policies::Severity;
use serde::Serialize;

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
    "NodeConditionProblem", Nodes, Warning, "any other node condition in its problem state";
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
    "PodSetImagePullBackOff", Pods, Warning, "a container cannot pull its image (ErrImagePull, ImagePullBackOff)";
    "PodCrashLoopBackOff", Pods, Warning, "a container keeps crashing (CrashLoopBackOff)";
    "PodOOMKilled", Pods, Warning, "a container was killed for exceeding its memory limit";
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
