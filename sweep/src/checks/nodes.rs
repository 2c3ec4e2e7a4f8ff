//! Node conditions (every one, not just the last), and usage thresholds.

use crate::checks::Section;
use crate::config::Thresholds;
use crate::report::{Findings, SweepFinding};
use crate::snapshot::{Condition, NodeInfo};

fn finding(id: &str, node: &NodeInfo, c: &Condition, message: String) -> SweepFinding {
    SweepFinding::new(id, Section::Nodes, "Node", "", &node.name, message)
        .node(&node.name)
        .reason(&c.reason)
        .last_seen(if c.transition.is_empty() {
            &c.heartbeat
        } else {
            &c.transition
        })
}

fn detail(c: &Condition) -> String {
    match (c.reason.is_empty(), c.message.is_empty()) {
        (true, true) => String::new(),
        (false, true) => format!(": {}", c.reason),
        (true, false) => format!(": {}", c.message.trim()),
        (false, false) => format!(": {}: {}", c.reason, c.message.trim()),
    }
}

/// Which check a Ready=False condition belongs to, from its message. The
/// kubelet's "container runtime network not ready: NetworkReady=false …" (a
/// network plugin that has not started) is not the runtime's failure: it
/// stays a NodeConditionProblem, as the shorter "runtime network not ready"
/// is.
fn not_ready_id(c: &Condition) -> &'static str {
    let m = c.message.to_ascii_lowercase();
    if m.contains("use of closed network connection") {
        "NodeNotReadyAndUseOfClosedNetworkConnection"
    } else if m.contains("containermanager") || m.contains("tasksaccounting") {
        "NodeNotReady"
    } else if m.contains("container runtime is down")
        || m.contains("container runtime not ready")
        || m.contains("container runtime status check")
        || m.contains("runtimeready=false")
        || m.contains("dockerdaemonnotready")
        || m.contains("cannot connect to the docker daemon")
    {
        "DockerHealthStatus"
    } else if m.contains("pleg is not healthy") {
        "KubeletHealthStatus"
    } else {
        "NodeConditionProblem"
    }
}

/// The check a non-Ready condition in its problem state (True) belongs to.
fn problem_id(c: &Condition) -> &'static str {
    match c.kind.as_str() {
        "MemoryPressure" => "NodeMemory",
        "DiskPressure" | "OutOfDisk" => "NodeDisk",
        "PIDPressure" => "NodePIDPressure",
        "KernelDeadlock" => match c.reason.as_str() {
            "DockerHung" => "NodeDockerHung",
            "AUFSUmountHung" => "NodeAUFSUmountHung",
            _ => "NodeDeadlock",
        },
        "ReadonlyFilesystem" => "NodeReadonlyFilesystem",
        "CorruptDockerOverlay2" => "NodeCorruptOverlay2",
        "FrequentUnregisterNetDevice" => "NodeUnregisterNetDevice",
        "KubeletUnhealthy" | "FrequentKubeletRestart" => "KubeletHealthStatus",
        "ContainerRuntimeUnhealthy" | "FrequentDockerRestart" | "FrequentContainerdRestart" => {
            "DockerHealthStatus"
        }
        _ => "NodeConditionProblem",
    }
}

/// Whether a condition other than `Ready` is healthy when True: a type
/// that ends in `Ready` says that a part of the node works (the EKS node
/// monitoring agent's `KernelReady`, `NetworkingReady`, `StorageReady`,
/// `ContainerRuntimeReady`), unless it says `NotReady`. Every other one
/// (the kubelet's pressure conditions, node-problem-detector's, none of
/// which ends in `Ready`) names a problem: healthy when False.
fn healthy_when_true(kind: &str) -> bool {
    kind.ends_with("Ready") && !kind.ends_with("NotReady")
}

/// Judges every condition of every node. Polarity: Ready, and the other
/// conditions whose type ends in `Ready`, are healthy when True; every
/// other condition (kubelet's and node-problem-detector's) is healthy when
/// False.
pub fn check(nodes: &[NodeInfo], out: &mut Findings<'_>) {
    for node in nodes {
        let ready_unknown = node
            .conditions
            .iter()
            .any(|c| c.kind == "Ready" && c.status == "Unknown");
        for c in &node.conditions {
            if c.kind == "Ready" {
                match c.status.as_str() {
                    "True" => {}
                    "Unknown" => out.push(finding(
                        "KubeletHealthStatus",
                        node,
                        c,
                        format!(
                            "kubelet stopped posting node status (Ready is Unknown){}",
                            detail(c)
                        ),
                    )),
                    _ => {
                        // A node that is not ready takes no new pods, and
                        // its pods are evicted after a few minutes: danger,
                        // whatever the reason (the check's own default is
                        // for its other conditions).
                        let id = not_ready_id(c);
                        out.push(
                            finding(id, node, c, format!("node is not ready{}", detail(c)))
                                .severity(eyelint_policies::Severity::Danger),
                        );
                    }
                }
                continue;
            }
            let positive = healthy_when_true(&c.kind);
            match c.status.as_str() {
                "True" if positive => {}
                "False" if positive => out.push(finding(
                    "NodeConditionProblem",
                    node,
                    c,
                    format!("condition {} is False{}", c.kind, detail(c)),
                )),
                "True" => {
                    let id = problem_id(c);
                    out.push(finding(
                        id,
                        node,
                        c,
                        format!("condition {} is True{}", c.kind, detail(c)),
                    ));
                }
                "Unknown" if !ready_unknown => out.push(finding(
                    "NodeConditionProblem",
                    node,
                    c,
                    format!("condition {} is Unknown{}", c.kind, detail(c)),
                )),
                _ => {}
            }
        }
    }
}

/// Measured usage of one node (live mode).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NodeUsage {
    /// Node name.
    pub node: String,
    /// CPU in use, millicores (metrics.k8s.io).
    pub cpu_millis: Option<i128>,
    /// Memory working set, bytes (metrics.k8s.io).
    pub memory_bytes: Option<i128>,
    /// Node filesystem: used and capacity bytes (kubelet stats summary).
    pub fs: Option<(u64, u64)>,
}

fn pct(used: i128, total: i128) -> Option<f64> {
    (total > 0).then(|| used as f64 * 100.0 / total as f64)
}

/// Usage over the thresholds: NodeCPU, NodeMemory (against allocatable) and
/// NodeDisk (against the filesystem's capacity).
pub fn check_usage(
    usage: &[NodeUsage],
    nodes: &[NodeInfo],
    t: &Thresholds,
    out: &mut Findings<'_>,
) {
    for u in usage {
        let node = nodes.iter().find(|n| n.name == u.node);
        let mk = |id: &str, msg: String| {
            SweepFinding::new(id, Section::Nodes, "Node", "", &u.node, msg).node(&u.node)
        };
        if let (Some(used), Some(total)) = (u.cpu_millis, node.and_then(|n| n.cpu_millis)) {
            if let Some(p) = pct(used, total).filter(|p| *p > t.cpu_percent) {
                out.push(mk(
                    "NodeCPU",
                    format!("CPU usage is {p:.0}% of allocatable ({used}m of {total}m), over the {}% threshold", t.cpu_percent),
                ));
            }
        }
        if let (Some(used), Some(total)) = (u.memory_bytes, node.and_then(|n| n.memory_bytes)) {
            if let Some(p) = pct(used, total).filter(|p| *p > t.memory_percent) {
                out.push(mk(
                    "NodeMemory",
                    format!(
                        "memory usage is {p:.0}% of allocatable ({} MiB of {} MiB), over the {}% threshold",
                        used / (1 << 20),
                        total / (1 << 20),
                        t.memory_percent
                    ),
                ));
            }
        }
        if let Some((used, cap)) = u.fs {
            if let Some(p) = pct(used as i128, cap as i128).filter(|p| *p > t.disk_percent) {
                out.push(mk(
                    "NodeDisk",
                    format!(
                        "node filesystem is {p:.0}% full ({} GiB of {} GiB), over the {}% threshold",
                        used >> 30,
                        cap >> 30,
                        t.disk_percent
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eyelint_policies::Severity;

    fn not_ready(message: &str) -> &'static str {
        not_ready_id(&Condition {
            kind: "Ready".to_string(),
            status: "False".to_string(),
            reason: "KubeletNotReady".to_string(),
            message: message.to_string(),
            ..Condition::default()
        })
    }

    #[test]
    fn not_ready_reasons() {
        for (message, id) in [
            ("container runtime is down", "DockerHealthStatus"),
            ("container runtime not ready: RuntimeReady=false reason:DockerDaemonNotReady message:docker: failed to get docker version", "DockerHealthStatus"),
            ("container runtime status check may not have completed yet", "DockerHealthStatus"),
            ("[container runtime is down, container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:docker: network plugin is not ready: cni config uninitialized]", "DockerHealthStatus"),
            ("Cannot connect to the Docker daemon at unix:///var/run/docker.sock", "DockerHealthStatus"),
            // A network plugin that has not started is not the runtime's failure.
            ("container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized", "NodeConditionProblem"),
            ("runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized", "NodeConditionProblem"),
            ("PLEG is not healthy: pleg was last seen active 3m0s ago", "KubeletHealthStatus"),
            ("Failed to start ContainerManager failed to initialise top level QOS containers", "NodeNotReady"),
            ("use of closed network connection", "NodeNotReadyAndUseOfClosedNetworkConnection"),
            ("node is shutting down", "NodeConditionProblem"),
        ] {
            assert_eq!(not_ready(message), id, "{message}");
        }
    }

    /// Ready False is a danger whichever check it falls to; the same check's
    /// other conditions keep its default (a config override still wins).
    #[test]
    fn not_ready_is_a_danger() {
        let node = |kind: &str, status: &str, message: &str| NodeInfo {
            name: format!("n-{kind}"),
            conditions: vec![Condition {
                kind: kind.to_string(),
                status: status.to_string(),
                message: message.to_string(),
                ..Condition::default()
            }],
            ..NodeInfo::default()
        };
        let nodes = [
            node("Ready", "False", "node is shutting down"),
            node(
                "Ready",
                "False",
                "container runtime network not ready: NetworkReady=false",
            ),
            node("NetworkUnavailable", "True", "no route"),
        ];
        let run = |cfg: &crate::config::SweepConfig| {
            let mut out = Findings::new(cfg);
            check(&nodes, &mut out);
            out.finish()
                .into_iter()
                .map(|f| (f.name, f.id.to_string(), f.severity))
                .collect::<Vec<_>>()
        };
        let got = run(&crate::config::SweepConfig::default());
        assert_eq!(
            got,
            [
                (
                    "n-Ready".into(),
                    "NodeConditionProblem".into(),
                    Severity::Danger
                ),
                (
                    "n-Ready".into(),
                    "NodeConditionProblem".into(),
                    Severity::Danger
                ),
                (
                    "n-NetworkUnavailable".into(),
                    "NodeConditionProblem".into(),
                    Severity::Warning
                ),
            ]
        );
        let mut cfg = crate::config::SweepConfig::default();
        cfg.checks
            .insert("NodeConditionProblem".to_string(), Severity::Warning);
        assert!(run(&cfg).iter().all(|f| f.2 == Severity::Warning));
    }

    fn cond(kind: &str, status: &str, reason: &str) -> Condition {
        Condition {
            kind: kind.to_string(),
            status: status.to_string(),
            reason: reason.to_string(),
            ..Condition::default()
        }
    }

    fn judge(conditions: Vec<Condition>) -> Vec<(String, Severity, String)> {
        let nodes = [NodeInfo {
            name: "n1".to_string(),
            conditions,
            ..NodeInfo::default()
        }];
        let cfg = crate::config::SweepConfig::default();
        let mut out = Findings::new(&cfg);
        check(&nodes, &mut out);
        out.finish()
            .into_iter()
            .map(|f| (f.id.to_string(), f.severity, f.message))
            .collect()
    }

    /// The EKS node monitoring agent's conditions (`KernelReady`,
    /// `NetworkingReady`, `StorageReady`, `ContainerRuntimeReady`) say that
    /// a part of the node works: healthy when True, a problem when False
    /// (or Unknown while Ready is not), as any other problem condition.
    #[test]
    fn conditions_named_ready_are_healthy_when_true() {
        let healthy = [
            "KernelReady",
            "NetworkingReady",
            "StorageReady",
            "ContainerRuntimeReady",
        ]
        .map(|k| cond(k, "True", "IsReady"));
        let mut all = healthy.to_vec();
        all.push(cond("Ready", "True", "KubeletReady"));
        assert_eq!(judge(all), []);
        let got = judge(vec![
            cond("KernelReady", "False", "SoftLockup"),
            cond("StorageReady", "Unknown", ""),
            cond("NetworkingReady", "True", "NetworkingIsReady"),
            cond("Ready", "True", "KubeletReady"),
        ]);
        assert_eq!(
            got,
            [
                (
                    "NodeConditionProblem".to_string(),
                    Severity::Warning,
                    "condition StorageReady is Unknown".to_string()
                ),
                (
                    "NodeConditionProblem".to_string(),
                    Severity::Warning,
                    "condition KernelReady is False: SoftLockup".to_string()
                ),
            ]
        );
        // While Ready itself is Unknown (the kubelet is gone), the others'
        // Unknown says nothing more.
        let got = judge(vec![
            cond("KernelReady", "Unknown", ""),
            cond("Ready", "Unknown", "NodeStatusUnknown"),
        ]);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].0, "KubeletHealthStatus");
    }

    /// node-problem-detector's conditions and the kubelet's pressure
    /// conditions keep their polarity (a problem when True); so does a
    /// type that says "not ready".
    #[test]
    fn other_conditions_are_healthy_when_false() {
        let npd = [
            "KernelDeadlock",
            "ReadonlyFilesystem",
            "FrequentKubeletRestart",
            "FrequentDockerRestart",
            "FrequentContainerdRestart",
            "FrequentUnregisterNetDevice",
            "CorruptDockerOverlay2",
            "KubeletUnhealthy",
            "ContainerRuntimeUnhealthy",
            "XfsShutdown",
            "CperHardwareErrorFatal",
            "DiskBadBlock",
            "NTPProblem",
            "MemoryPressure",
            "NetworkUnavailable",
            "VolumeNotReady",
        ];
        assert_eq!(
            judge(npd.iter().map(|k| cond(k, "False", "")).collect()),
            []
        );
        let got = judge(npd.iter().map(|k| cond(k, "True", "")).collect());
        assert_eq!(got.len(), npd.len(), "{got:?}");
        assert!(
            got.iter()
                .any(|f| f.2 == "condition VolumeNotReady is True"),
            "{got:?}"
        );
    }
}
