//! Warning events: node-problem-detector (and kubelet) signals on nodes
//! become node findings; every other Warning event group is one
//! `WarningEvent` finding with its count and last time.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex::Regex;

use crate::checks::Section;
use crate::report::{Findings, SweepFinding};
use crate::snapshot::{EventGroup, EventKey, NodeInfo};

struct Patterns {
    condition_change: Regex,
    rules: Vec<(Regex, &'static str)>,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        // Patterns of node-problem-detector's kernel, docker and readonly
        // monitors (old and current forms).
        let rules = [
            (r"task docker:\w+ blocked for more than \w+ seconds\.", "NodeDockerHung"),
            (r"task umount\.aufs:\w+ blocked for more than \w+ seconds\.", "NodeAUFSUmountHung"),
            (r"task [\S ]+:\w+ blocked for more than \w+ seconds\.", "NodeTaskHung"),
            (r"Killed process \d+ (.+) total-vm:\d+kB, anon-rss:\d+kB, file-rss:\d+kB", "NodeOOM"),
            (r"unregister_netdevice: waiting for \w+ to become free\. Usage count = \d+", "NodeUnregisterNetDevice"),
            (r"BUG: unable to handle kernel NULL pointer dereference", "NodeKernelNULLPointer"),
            (r"EXT4-fs error", "NodeExt4Error"),
            (r"Remounting filesystem read-only", "NodeReadonlyFilesystem"),
            (
                r"failed to register layer: rename /var/lib/docker/image/(.+) /var/lib/docker/image/(.+): directory not empty",
                "NodeCorruptDockerImage",
            ),
            (r"readlink /var/lib/docker/overlay2.*: invalid argument", "NodeCorruptOverlay2"),
        ];
        Patterns {
            condition_change: Regex::new(r"Node condition (\w+) is now: True, reason: (\w+)")
                .unwrap_or_else(|_| unreachable!("constant pattern")),
            rules: rules
                .into_iter()
                .filter_map(|(p, id)| Regex::new(p).ok().map(|r| (r, id)))
                .collect(),
        }
    })
}

/// The node check a Warning event on a node belongs to, if any.
pub fn node_signal(reason: &str, message: &str) -> Option<&'static str> {
    let by_message = || {
        patterns()
            .rules
            .iter()
            .find(|(re, _)| re.is_match(message))
            .map(|(_, id)| *id)
    };
    if let Some(c) = patterns().condition_change.captures(message) {
        let (cond, why) = (&c[1], &c[2]);
        if let Some(id) = node_signal(why, "") {
            return Some(id);
        }
        return match cond {
            "KernelDeadlock" => Some("NodeDeadlock"),
            "ReadonlyFilesystem" => Some("NodeReadonlyFilesystem"),
            "CorruptDockerOverlay2" => Some("NodeCorruptOverlay2"),
            "KubeletUnhealthy" | "FrequentKubeletRestart" => Some("KubeletHealthStatus"),
            "ContainerRuntimeUnhealthy" | "FrequentDockerRestart" | "FrequentContainerdRestart" => {
                Some("DockerHealthStatus")
            }
            _ => None,
        };
    }
    let id = match reason {
        "OOMKilling" | "SystemOOM" => "NodeOOM",
        // node-problem-detector's temporary TaskHung event, whatever the
        // task: for a docker task it also sets the permanent KernelDeadlock
        // condition (reason DockerHung), which is NodeDockerHung's.
        "TaskHung" => "NodeTaskHung",
        "KernelOops" => {
            return message
                .contains("NULL pointer dereference")
                .then_some("NodeKernelNULLPointer")
        }
        "Ext4Error" => "NodeExt4Error",
        "UnregisterNetDevice" => "NodeUnregisterNetDevice",
        "CorruptDockerImage" => "NodeCorruptDockerImage",
        "CorruptDockerOverlay2" => "NodeCorruptOverlay2",
        "DockerHung" => "NodeDockerHung",
        "AUFSUmountHung" => "NodeAUFSUmountHung",
        "KernelDeadlock" => "NodeDeadlock",
        "FilesystemIsReadOnly" => "NodeReadonlyFilesystem",
        "KubeletUnhealthy" | "FrequentKubeletRestart" => "KubeletHealthStatus",
        "ContainerRuntimeUnhealthy"
        | "ContainerdUnhealthy"
        | "DockerUnhealthy"
        | "FrequentDockerRestart"
        | "FrequentContainerdRestart" => "DockerHealthStatus",
        _ => return by_message(),
    };
    Some(id)
}

fn one_line(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > 300 {
        let mut t: String = s.chars().take(297).collect();
        t.push_str("...");
        t
    } else {
        s
    }
}

/// Whether an event is node-problem-detector's report of a condition change
/// ("Node condition X is now: …").
fn is_condition_change(message: &str) -> bool {
    message.trim_start().starts_with("Node condition ") && message.contains(" is now: ")
}

/// Reports event groups. `nodes` are the nodes the source holds: the
/// condition-change events of those are left to their conditions, which say
/// whether the problem is still there (the node check reports it then, once)
/// or is gone.
pub fn check(events: &BTreeMap<EventKey, EventGroup>, nodes: &[NodeInfo], out: &mut Findings<'_>) {
    for g in events.values() {
        let times = if g.count == 1 {
            String::new()
        } else {
            format!(" ({}x)", g.count)
        };
        if g.kind == "Node" {
            if is_condition_change(&g.message) && nodes.iter().any(|n| n.name == g.name) {
                continue;
            }
            if let Some(id) = node_signal(&g.reason, &g.message) {
                out.push(
                    SweepFinding::new(
                        id,
                        Section::Nodes,
                        "Node",
                        "",
                        &g.name,
                        format!("event {}{times}: {}", g.reason, one_line(&g.message)),
                    )
                    .node(&g.name)
                    .reason(&g.reason)
                    .count(g.count)
                    .last_seen(&g.last),
                );
                continue;
            }
        }
        let mut f = SweepFinding::new(
            "WarningEvent",
            Section::Events,
            &g.kind,
            &g.namespace,
            &g.name,
            format!("{}{times}: {}", g.reason, one_line(&g.message)),
        )
        .reason(&g.reason)
        .count(g.count)
        .last_seen(&g.last);
        if g.kind == "Node" {
            f = f.node(&g.name);
        } else if !g.host.is_empty() {
            f = f.node(&g.host);
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SweepConfig;
    use crate::snapshot::Condition;

    #[test]
    fn classifies_npd_signals() {
        assert_eq!(
            node_signal("OOMKilling", "Killed process 1 (x)"),
            Some("NodeOOM")
        );
        // The event is TaskHung's whatever the task; the condition it comes
        // with (KernelDeadlock, DockerHung) is NodeDockerHung's.
        assert_eq!(
            node_signal(
                "TaskHung",
                "task docker:123 blocked for more than 120 seconds."
            ),
            Some("NodeTaskHung")
        );
        assert_eq!(
            node_signal("", "task docker:123 blocked for more than 120 seconds."),
            Some("NodeDockerHung")
        );
        assert_eq!(
            node_signal(
                "TaskHung",
                "task airflow scheduler:77 blocked for more than 120 seconds."
            ),
            Some("NodeTaskHung")
        );
        assert_eq!(
            node_signal(
                "KernelOops",
                "BUG: unable to handle kernel NULL pointer dereference at 0"
            ),
            Some("NodeKernelNULLPointer")
        );
        assert_eq!(
            node_signal("KernelOops", "divide error: 0000 [#1] SMP"),
            None
        );
        assert_eq!(
            node_signal(
                "KernelDeadlock",
                "Node condition KernelDeadlock is now: True, reason: DockerHung"
            ),
            Some("NodeDockerHung")
        );
        assert_eq!(
            node_signal(
                "NodeProblem",
                "Node condition KernelDeadlock is now: True, reason: AUFSUmountHung, message: x"
            ),
            Some("NodeAUFSUmountHung")
        );
        assert_eq!(
            node_signal("FreeDiskSpaceFailed", "failed to garbage collect"),
            None
        );
    }

    fn group(node: &str, reason: &str, message: &str) -> (EventKey, EventGroup) {
        let key = (
            reason.to_string(),
            "Node".to_string(),
            String::new(),
            node.to_string(),
        );
        let g = EventGroup {
            reason: reason.to_string(),
            kind: "Node".to_string(),
            name: node.to_string(),
            count: 1,
            last: "2024-05-01T00:41:00Z".to_string(),
            message: message.to_string(),
            ..EventGroup::default()
        };
        (key, g)
    }

    #[test]
    fn condition_changes_of_known_nodes_are_left_to_their_conditions() {
        let events: BTreeMap<_, _> = [
            // Resolved since: the node's condition is False now.
            group(
                "fixed",
                "ReadonlyFilesystem",
                "Node condition ReadonlyFilesystem is now: True, reason: FilesystemIsReadOnly",
            ),
            // Still there: the node check reports the condition, once.
            group(
                "hung",
                "KernelDeadlock",
                "Node condition KernelDeadlock is now: True, reason: DockerHung",
            ),
            // A node the source does not hold: the event is all there is.
            group(
                "elsewhere",
                "KernelDeadlock",
                "Node condition KernelDeadlock is now: True, reason: DockerHung",
            ),
            // Not a condition change: reported whatever the node's state.
            group(
                "fixed",
                "OOMKilling",
                "Killed process 7 (java) total-vm:1kB, anon-rss:1kB, file-rss:0kB",
            ),
        ]
        .into_iter()
        .collect();
        let cond = |kind: &str, status: &str, reason: &str| Condition {
            kind: kind.to_string(),
            status: status.to_string(),
            reason: reason.to_string(),
            ..Condition::default()
        };
        let nodes = [
            NodeInfo {
                name: "fixed".to_string(),
                conditions: vec![cond(
                    "ReadonlyFilesystem",
                    "False",
                    "FilesystemIsNotReadOnly",
                )],
                ..NodeInfo::default()
            },
            NodeInfo {
                name: "hung".to_string(),
                conditions: vec![cond("KernelDeadlock", "True", "DockerHung")],
                ..NodeInfo::default()
            },
        ];
        let cfg = SweepConfig::default();
        let mut out = Findings::new(&cfg);
        crate::checks::nodes::check(&nodes, &mut out);
        check(&events, &nodes, &mut out);
        let mut got: Vec<(String, String)> = out
            .finish()
            .into_iter()
            .map(|f| (f.id.to_string(), f.name.clone()))
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("NodeDockerHung", "elsewhere"),
                ("NodeDockerHung", "hung"),
                ("NodeOOM", "fixed"),
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );
    }
}
