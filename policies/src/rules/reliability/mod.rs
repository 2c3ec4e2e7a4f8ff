//! Reliability rules: replicas, probes, image pinning, disruption budgets,
//! autoscalers and spreading.

use crate::object::Field;
use serde_json::{json, Map, Value};

use crate::finding::FixSafety;
use crate::labels::selector_matches;
use crate::object::At;
use crate::object::Workload;
use crate::rule::{Ctx, Emitter, Rule};

mod deployment_missing_replicas;
mod hpa_max_availability;
mod hpa_min_availability;
mod liveness_probe_missing;
mod metadata_and_instance_mismatched;
mod missing_pod_disruption_budget;
mod pdb_disruptions_is_zero;
mod pdb_min_available_greater_than_hpa_min_replicas;
mod priority_class_not_set;
mod pull_policy_not_always;
mod readiness_probe_missing;
mod tag_not_specified;
mod topology_spread_constraint;
pub(crate) mod util;

pub use deployment_missing_replicas::DeploymentMissingReplicas;
pub use hpa_max_availability::HpaMaxAvailability;
pub use hpa_min_availability::HpaMinAvailability;
pub use liveness_probe_missing::LivenessProbeMissing;
pub use metadata_and_instance_mismatched::MetadataAndInstanceMismatched;
pub use missing_pod_disruption_budget::MissingPodDisruptionBudget;
pub use pdb_disruptions_is_zero::PdbDisruptionsIsZero;
pub use pdb_min_available_greater_than_hpa_min_replicas::PdbMinAvailableGreaterThanHpaMinReplicas;
pub use priority_class_not_set::PriorityClassNotSet;
pub use pull_policy_not_always::PullPolicyNotAlways;
pub use readiness_probe_missing::ReadinessProbeMissing;
pub use tag_not_specified::TagNotSpecified;
pub use topology_spread_constraint::TopologySpreadConstraint;

/// Every reliability rule, in Polaris's order.
pub fn all() -> Vec<&'static dyn Rule> {
    vec![
        &DeploymentMissingReplicas,
        &PriorityClassNotSet,
        &TagNotSpecified,
        &PullPolicyNotAlways,
        &ReadinessProbeMissing,
        &LivenessProbeMissing,
        &MetadataAndInstanceMismatched,
        &PdbDisruptionsIsZero,
        &MissingPodDisruptionBudget,
        &TopologySpreadConstraint,
        &HpaMaxAvailability,
        &HpaMinAvailability,
        &PdbMinAvailableGreaterThanHpaMinReplicas,
    ]
}

const PDB: &str = "PodDisruptionBudget";
const HPA: &str = "HorizontalPodAutoscaler";

/// True for pods that run to completion: Jobs, CronJobs, and bare Pods whose
/// controller is a Job.
pub(crate) fn runs_to_completion(w: &Workload<'_>) -> bool {
    w.is_job() || pod_controlled_by(w, "Job")
}

/// True for a bare Pod whose controller (the ownerReference with
/// `controller: true`) is of `kind`: a pod read from a cluster
/// (`kubectl get pod -o yaml`), judged as what made it.
pub(crate) fn pod_controlled_by(w: &Workload<'_>, kind: &str) -> bool {
    w.kind == "Pod"
        && w.object
            .at(&["metadata", "ownerReferences"])
            .and_then(Value::as_array)
            .is_some_and(|owners| {
                owners.iter().any(|o| {
                    o.field("controller") == Some(&Value::Bool(true))
                        && o.field("kind").and_then(Value::as_str) == Some(kind)
                })
            })
}

/// Checks that the container under test declares the probe `field`
/// (`readinessProbe`, `livenessProbe`) with one handler, holding what the API
/// server requires of it (`exec.command`, a `port` for the others).
pub(crate) fn check_probe(cx: &Ctx<'_>, out: &mut Emitter, field: &str, noun: &str) {
    let (Some(w), Some(c)) = (cx.workload, cx.container) else {
        return;
    };
    if runs_to_completion(w) {
        out.not_applicable();
        return;
    }
    match c.value.field(field) {
        None | Some(Value::Null) => {
            let ops = vec![util::add(&c.path, &[field], placeholder_probe(c.value))];
            let hit = out.fail(c.path.clone(), format!("container has no {noun}"));
            util::set_fix(hit, ops, FixSafety::Unsafe);
        }
        Some(Value::Object(p)) => {
            const HANDLERS: [&str; 4] = ["exec", "httpGet", "tcpSocket", "grpc"];
            let mut set = HANDLERS
                .iter()
                .filter_map(|h| p.field(h).filter(|v| !v.is_null()).map(|v| (*h, v)));
            let Some((handler, spec)) = set.next() else {
                out.fail(
                    util::sub(&c.path, &[field]),
                    format!("{field} has no handler (exec, httpGet, tcpSocket or grpc)"),
                );
                return;
            };
            if let Some((other, _)) = set.next() {
                out.fail(
                    util::sub(&c.path, &[field]),
                    format!("{field} has two handlers ({handler} and {other}); the API server refuses more than one"),
                );
                return;
            }
            // What the API server requires of the handler: a command to run,
            // a port to reach.
            let (needs, missing) = match handler {
                "exec" => (
                    "command",
                    spec.field("command")
                        .and_then(Value::as_array)
                        .is_none_or(|c| c.is_empty()),
                ),
                _ => (
                    "port",
                    spec.field("port")
                        .is_none_or(|p| p.is_null() || p.as_str() == Some("")),
                ),
            };
            if missing {
                out.fail(
                    util::sub(&c.path, &[field, handler]),
                    format!("{field}.{handler} has no {needs}; the API server refuses it"),
                );
            }
        }
        Some(_) => {
            out.fail(
                util::sub(&c.path, &[field]),
                format!("{field} is not a mapping"),
            );
        }
    }
}

/// The probe a fix invents: a TCP check of the container's first declared
/// port, or (without ports) the exec probe Polaris writes.
fn placeholder_probe(container: &Value) -> Value {
    let port = container
        .field("ports")
        .and_then(Value::as_array)
        .and_then(|ports| ports.iter().find_map(|p| p.field("containerPort")))
        .filter(|p| p.is_u64());
    match port {
        Some(port) => json!({
            "tcpSocket": {"port": port},
            "initialDelaySeconds": 5,
            "periodSeconds": 5,
        }),
        None => json!({
            "exec": {"command": ["cat", "/tmp/healthy"]},
            "initialDelaySeconds": 5,
            "periodSeconds": 5,
        }),
    }
}

/// Whether the PodDisruptionBudget `pdb` selects pods with `labels`, with
/// the API's semantics: in `policy/v1` an empty selector selects every pod of
/// the namespace, in `policy/v1beta1` it selects none; a missing selector
/// selects none.
pub(crate) fn pdb_selects(pdb: &Value, labels: Option<&Map<String, Value>>) -> bool {
    let selector = pdb.at(&["spec", "selector"]);
    let empty = selector.and_then(Value::as_object).is_some_and(|s| {
        s.values().all(|v| {
            v.is_null()
                || v.as_object().is_some_and(Map::is_empty)
                || v.as_array().is_some_and(Vec::is_empty)
        })
    });
    if empty && pdb.field("apiVersion").and_then(Value::as_str) == Some("policy/v1beta1") {
        return false;
    }
    selector_matches(selector, labels)
}

/// An `IntOrString` field of a PDB: a count, or a whole percentage (`"50%"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IntOrPercent {
    /// A number of pods.
    Int(i64),
    /// A percentage of the pods.
    Percent(i64),
}

impl IntOrPercent {
    /// Reads the field; `None` when it is neither form.
    pub(crate) fn of(v: &Value) -> Option<IntOrPercent> {
        match v {
            Value::Number(n) => n.as_i64().map(IntOrPercent::Int),
            Value::String(s) => s
                .strip_suffix('%')
                .and_then(|p| p.parse().ok())
                .map(IntOrPercent::Percent),
            _ => None,
        }
    }

    /// The number of pods out of `total`, rounding a percentage up (as the
    /// disruption controller does for `minAvailable`).
    pub(crate) fn scaled_up(self, total: i64) -> i64 {
        match self {
            IntOrPercent::Int(n) => n,
            IntOrPercent::Percent(p) => p.saturating_mul(total).saturating_add(99).div_euclid(100),
        }
    }
}

/// Reports "not evaluated" and returns `None` when the run's index does not
/// cover `kinds`; the index otherwise.
pub(crate) fn covering_index<'a>(
    cx: &Ctx<'a>,
    out: &mut Emitter,
    kinds: &[&str],
) -> Option<&'a crate::index::Index> {
    let Some(index) = cx.index else {
        out.not_evaluated("no other objects are available to this run");
        return None;
    };
    if let Some(missing) = kinds.iter().find(|k| !index.covers(k)) {
        out.not_evaluated(format!("{missing} objects were not collected by this run"));
        return None;
    }
    Some(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_or_percent() {
        assert_eq!(IntOrPercent::of(&json!(3)), Some(IntOrPercent::Int(3)));
        assert_eq!(
            IntOrPercent::of(&json!("50%")),
            Some(IntOrPercent::Percent(50))
        );
        assert_eq!(IntOrPercent::of(&json!("5")), None);
        assert_eq!(IntOrPercent::of(&json!("x%")), None);
        assert_eq!(IntOrPercent::Percent(50).scaled_up(5), 3);
        assert_eq!(IntOrPercent::Percent(150).scaled_up(10), 15);
        assert_eq!(IntOrPercent::Percent(0).scaled_up(10), 0);
        assert_eq!(IntOrPercent::Int(4).scaled_up(10), 4);
        // Absurd percentages saturate instead of overflowing.
        let huge = IntOrPercent::of(&json!("9223372036854775807%"));
        assert!(huge.is_some_and(|h| h.scaled_up(10) > 10));
    }

    #[test]
    fn pdb_selector_versions() {
        let labels = json!({"app": "web"});
        let labels = labels.as_object();
        let v1 = json!({"apiVersion": "policy/v1", "spec": {"selector": {}}});
        assert!(pdb_selects(&v1, labels));
        let beta = json!({"apiVersion": "policy/v1beta1", "spec": {"selector": {}}});
        assert!(!pdb_selects(&beta, labels));
        let none = json!({"apiVersion": "policy/v1", "spec": {}});
        assert!(!pdb_selects(&none, labels));
        let exprs = json!({"apiVersion": "policy/v1", "spec": {"selector": {
            "matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "api"]}]}}});
        assert!(pdb_selects(&exprs, labels));
    }
}
