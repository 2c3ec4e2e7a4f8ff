use crate::object::Field;
use serde_json::Value;

use super::util::{add, set_fix, sub};

use crate::declare_rule;
use crate::finding::{Category, FixSafety, Severity};
use crate::rule::{Ctx, Emitter, Rule, RuleMeta, Scope};

declare_rule! {
    /// ## What it does
    /// Flags pods without a `priorityClassName`.
    ///
    /// ## Why it matters
    /// Without a priority class a pod gets the cluster's default priority
    /// (usually 0). When the cluster is full the scheduler preempts
    /// lower-priority pods first, and the kubelet evicts them first under node
    /// pressure; naming a class states how important the workload is instead
    /// of leaving it to chance.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: worker
    ///   namespace: batch
    /// spec:
    ///   containers:
    ///     - name: worker
    ///       image: registry.example.com/worker:2.0.1
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: worker
    ///   namespace: batch
    /// spec:
    ///   priorityClassName: business-critical
    ///   containers:
    ///     - name: worker
    ///       image: registry.example.com/worker:2.0.1
    /// ```
    ///
    /// ## Config
    /// `checks.priorityClassNotSet: warning` (default). No options.
    ///
    /// Difference from Polaris: an empty `priorityClassName: ""` counts as
    /// not set (the API treats it so); Polaris accepts any value.
    ///
    /// ## Roles inspected
    /// None: a pod-level setting.
    ///
    /// ## Fix safety
    /// Unsafe: sets `priorityClassName: high-priority`, a class that must
    /// exist in the cluster. If it does not, the API server rejects every new
    /// pod of the workload; if it does, the workload may start preempting
    /// others. Pick a class that exists and fits.
    pub struct PriorityClassNotSet;
    meta {
        id: "priorityClassNotSet",
        category: Category::Reliability,
        severity: Severity::Warning,
        scope: Scope::Workload,
        kinds: &[],
        needs: &[],
        fix: Some(FixSafety::Unsafe),
        summary: "pod has no priority class",
    }
}

impl Rule for PriorityClassNotSet {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let Some(w) = cx.workload() else { return };
        let fix = || {
            vec![add(
                &w.pod_spec_path,
                &["priorityClassName"],
                Value::from("high-priority"),
            )]
        };
        match w.pod_spec.field("priorityClassName") {
            None | Some(Value::Null) => {
                let hit = out.fail(w.pod_spec_path.clone(), "priorityClassName is not set");
                set_fix(hit, fix(), FixSafety::Unsafe);
            }
            Some(Value::String(s)) if !s.is_empty() => {}
            Some(Value::String(_)) => {
                let hit = out.fail(
                    sub(&w.pod_spec_path, &["priorityClassName"]),
                    "priorityClassName is empty",
                );
                set_fix(hit, fix(), FixSafety::Unsafe);
            }
            Some(_) => {
                out.fail(
                    sub(&w.pod_spec_path, &["priorityClassName"]),
                    "priorityClassName is not a string",
                );
            }
        }
    }
}
