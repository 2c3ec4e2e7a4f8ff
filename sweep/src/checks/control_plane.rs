//! Control-plane components: etcd, kube-scheduler and
//! kube-controller-manager from their pods in kube-system (static pods of
//! kubeadm-style clusters), the API server's `/readyz?verbose` and
//! `/livez?verbose`, and ComponentStatus where still served (live).

use serde_json::Value;

use crate::checks::Section;
use crate::report::{Findings, SweepFinding};
use crate::snapshot::PodInfo;

/// (check id, component name).
pub const COMPONENTS: [(&str, &str); 3] = [
    ("ETCDHealthStatus", "etcd"),
    ("SchedulerHealthStatus", "kube-scheduler"),
    ("ControllerManagerHealthStatus", "kube-controller-manager"),
];

/// A component's pod: labelled `component: NAME` (kubeadm's static pods),
/// or, with no `component` label, named as the kubelet names a static pod's
/// mirror, `NAME-NODE`. A name that only starts with the component's
/// (`etcd-backup-27900000-abcde`, a Job's pod) is not one, and neither is
/// a pod a controller made, whatever its labels (a backup Job's pod
/// labelled `component: etcd`): the components are static pods.
fn is_component(pod: &PodInfo, component: &str) -> bool {
    pod.namespace == "kube-system"
        && pod.owner.is_none()
        && (pod.component == component
            || (pod.component.is_empty()
                && !pod.node.is_empty()
                && pod
                    .name
                    .strip_prefix(component)
                    .and_then(|rest| rest.strip_prefix('-'))
                    == Some(pod.node.as_str())))
}

/// What is wrong with a component pod, if anything.
fn pod_problem(pod: &PodInfo) -> Option<String> {
    if pod.terminating {
        return Some("is being deleted".to_string());
    }
    if pod.phase != "Running" {
        let why = if pod.reason.is_empty() {
            String::new()
        } else {
            format!(" ({})", pod.reason)
        };
        return Some(format!(
            "is {}{why}",
            if pod.phase.is_empty() {
                "in no phase"
            } else {
                &pod.phase
            }
        ));
    }
    for c in pod.containers.iter().filter(|c| !c.init) {
        if !c.ready {
            let state = match (&c.waiting, &c.terminated) {
                (Some((r, _)), _) if !r.is_empty() => format!(", waiting: {r}"),
                (_, Some((r, code, _))) => format!(", terminated: {r} (exit {code})"),
                _ => String::new(),
            };
            return Some(format!(
                "is Running but container {} is not ready{state}, {} restart(s)",
                c.name, c.restarts
            ));
        }
    }
    None
}

/// Judges the component pods. Returns notes for components that cannot be
/// observed. `kube_system_seen` says whether the source holds kube-system pods.
pub fn check_pods(pods: &[PodInfo], kube_system_seen: bool, out: &mut Findings<'_>) -> Vec<String> {
    let mut missing = Vec::new();
    for (id, component) in COMPONENTS {
        let mut found = false;
        for pod in pods.iter().filter(|p| is_component(p, component)) {
            found = true;
            if let Some(problem) = pod_problem(pod) {
                out.push(
                    SweepFinding::new(
                        id,
                        Section::ControlPlane,
                        "Pod",
                        &pod.namespace,
                        &pod.name,
                        format!("{component} pod {}", problem),
                    )
                    .node(&pod.node)
                    .reason(&pod.reason),
                );
            }
        }
        if !found {
            missing.push(component);
        }
    }
    let mut notes = Vec::new();
    if missing.len() == COMPONENTS.len() {
        notes.push(if kube_system_seen {
            "control plane not observable: no etcd, kube-scheduler or kube-controller-manager pods in kube-system (a managed control plane?)".to_string()
        } else {
            "control plane not observable: the source holds no kube-system pods".to_string()
        });
    } else if !missing.is_empty() {
        notes.push(format!(
            "{} not observable: no pod in kube-system (external or managed)",
            missing.join(", ")
        ));
    }
    notes
}

/// Judges the API server's verbose health output (`/readyz?verbose`,
/// `/livez?verbose`): failed `etcd` checks are ETCDHealthStatus findings,
/// other failed checks become notes.
pub fn check_health_text(endpoint: &str, text: &str, out: &mut Findings<'_>) -> Vec<String> {
    let mut notes = Vec::new();
    // A proxy's HTML page, or anything else answered with 200, is not a
    // verbose health report: not a pass either.
    let report = text.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("[+]") || l.starts_with("[-]")
    });
    if !report {
        notes.push(format!(
            "API server {endpoint}: the answer is not a verbose health report (no `[+]` or `[-]` lines): not checked"
        ));
        return notes;
    }
    for line in text.lines() {
        let Some(rest) = line.trim().strip_prefix("[-]") else {
            continue;
        };
        let name = rest.split_whitespace().next().unwrap_or("");
        if name == "etcd" || name.starts_with("etcd-") {
            out.push(SweepFinding::new(
                "ETCDHealthStatus",
                Section::ControlPlane,
                "HealthCheck",
                "",
                name,
                format!("API server {endpoint} reports {}", rest.trim()),
            ));
        } else if !name.is_empty() {
            notes.push(format!("API server {endpoint}: check {}", rest.trim()));
        }
    }
    notes
}

/// Judges a ComponentStatusList (deprecated API, still served by some clusters).
pub fn check_component_statuses(list: &Value, out: &mut Findings<'_>) {
    let Some(items) = list.get("items").and_then(Value::as_array) else {
        return;
    };
    for item in items {
        let name = item
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let id = if name.starts_with("etcd") {
            "ETCDHealthStatus"
        } else if name.starts_with("scheduler") {
            "SchedulerHealthStatus"
        } else if name.starts_with("controller-manager") {
            "ControllerManagerHealthStatus"
        } else {
            continue;
        };
        let Some(conds) = item.get("conditions").and_then(Value::as_array) else {
            continue;
        };
        for c in conds {
            let g = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("");
            if g("type") == "Healthy" && g("status") != "True" {
                let why = [g("message"), g("error")]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(": ");
                out.push(SweepFinding::new(
                    id,
                    Section::ControlPlane,
                    "ComponentStatus",
                    "",
                    name,
                    format!("component status is not healthy: {why}"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SweepConfig;

    fn pod(name: &str, component: &str, node: &str, phase: &str) -> PodInfo {
        PodInfo {
            namespace: "kube-system".to_string(),
            name: name.to_string(),
            component: component.to_string(),
            node: node.to_string(),
            phase: phase.to_string(),
            ..PodInfo::default()
        }
    }

    #[test]
    fn components_by_label_or_static_pod_name_only() {
        // Labelled as kubeadm labels its static pods: any name.
        assert!(is_component(
            &pod("etcd-a", "etcd", "m1", "Running"),
            "etcd"
        ));
        // No label: the mirror pod's name is COMPONENT-NODE.
        assert!(is_component(&pod("etcd-m1", "", "m1", "Running"), "etcd"));
        // A Job's pod whose name starts with the component's is not one,
        // nor is a pod labelled as another component.
        assert!(!is_component(
            &pod("etcd-backup-27900000-abcde", "", "m1", "Succeeded"),
            "etcd"
        ));
        assert!(!is_component(
            &pod("etcd-m1", "etcd-backup", "m1", "Running"),
            "etcd"
        ));
        assert!(!is_component(&pod("etcd-m1", "", "", "Pending"), "etcd"));
        // A pod a controller made is no component, labelled as one or not.
        let backup = PodInfo {
            owner: Some(crate::workloads::Owner {
                kind: "Job".to_string(),
                name: "etcd-backup-28500000".to_string(),
                api_version: "batch/v1".to_string(),
            }),
            ..pod("etcd-backup-28500000-abcde", "etcd", "m1", "Failed")
        };
        assert!(!is_component(&backup, "etcd"));
    }

    #[test]
    fn a_finished_backup_job_beside_a_healthy_etcd_is_no_finding() {
        let cfg = SweepConfig::default();
        let mut out = Findings::new(&cfg);
        let pods = [
            pod("etcd-m1", "etcd", "m1", "Running"),
            pod("etcd-backup-27900000-abcde", "", "m1", "Succeeded"),
            pod("etcd-defrag-1-xyz", "", "m1", "Failed"),
        ];
        let notes = check_pods(&pods, true, &mut out);
        assert!(out.finish().is_empty());
        assert_eq!(
            notes,
            ["kube-scheduler, kube-controller-manager not observable: no pod in kube-system (external or managed)"]
        );
    }

    /// A failing etcd check is a finding, another failing check a note; an
    /// answer with no check lines at all is not taken for a healthy one.
    #[test]
    fn health_text() {
        let cfg = SweepConfig::default();
        let mut out = Findings::new(&cfg);
        let notes = check_health_text(
            "/readyz",
            "[+]ping ok\n[-]etcd failed: reason withheld\n[-]informer-sync failed\nreadyz check failed\n",
            &mut out,
        );
        assert_eq!(notes, ["API server /readyz: check informer-sync failed"]);
        let found = out.finish();
        assert_eq!(found.len(), 1);
        assert_eq!(&*found[0].id, "ETCDHealthStatus");
        let mut out = Findings::new(&cfg);
        let notes = check_health_text("/livez", "<html><body>Sign in</body></html>\n", &mut out);
        assert_eq!(
            notes,
            ["API server /livez: the answer is not a verbose health report (no `[+]` or `[-]` lines): not checked"]
        );
        assert!(out.finish().is_empty());
    }
}
