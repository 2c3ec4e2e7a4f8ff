use crate::object::Field;
use serde_json::Value;

use crate::declare_rule;
use crate::finding::{Category, Severity};
use crate::object::At;
use crate::path::FieldPath;
use crate::rule::{Ctx, Emitter, Rule, RuleMeta, Scope};

use super::{covering_index, pdb_selects, IntOrPercent, HPA, PDB};

declare_rule! {
    /// ## What it does
    /// Flags Deployments and StatefulSets scaled by a HorizontalPodAutoscaler
    /// whose minimum is below the `minAvailable` of a PodDisruptionBudget
    /// selecting their pods (both in the workload's namespace). A percentage
    /// `minAvailable` is taken of the autoscaler's `minReplicas`, rounding up.
    ///
    /// ## Why it matters
    /// When the autoscaler goes down to its minimum, the budget demands more
    /// available pods than exist, so it allows no eviction at all: node
    /// drains and cluster upgrades hang on these pods.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// spec:
    ///   selector:
    ///     matchLabels:
    ///       app: web
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: web
    ///     spec:
    ///       containers:
    ///         - name: app
    ///           image: registry.example.com/web:1.4.2
    /// ---
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// spec:
    ///   minAvailable: 3
    ///   selector:
    ///     matchLabels:
    ///       app: web
    /// ---
    /// apiVersion: autoscaling/v2
    /// kind: HorizontalPodAutoscaler
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// spec:
    ///   scaleTargetRef:
    ///     apiVersion: apps/v1
    ///     kind: Deployment
    ///     name: web
    ///   minReplicas: 2
    ///   maxReplicas: 6
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// spec:
    ///   selector:
    ///     matchLabels:
    ///       app: web
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: web
    ///     spec:
    ///       containers:
    ///         - name: app
    ///           image: registry.example.com/web:1.4.2
    /// ---
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// spec:
    ///   minAvailable: 50%
    ///   selector:
    ///     matchLabels:
    ///       app: web
    /// ---
    /// apiVersion: autoscaling/v2
    /// kind: HorizontalPodAutoscaler
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// spec:
    ///   scaleTargetRef:
    ///     apiVersion: apps/v1
    ///     kind: Deployment
    ///     name: web
    ///   minReplicas: 3
    ///   maxReplicas: 6
    /// ```
    ///
    /// ## Config
    /// `checks.pdbMinAvailableGreaterThanHPAMinReplicas: warning` (default).
    /// No options. A cross-object rule: it needs the run's
    /// PodDisruptionBudgets and HorizontalPodAutoscalers. It does not run in
    /// admission, and when a cluster dump did not collect one of those kinds
    /// it is reported as not evaluated. Without a matching autoscaler or
    /// budget it passes (there is nothing to contradict).
    ///
    /// ### Differences from Polaris
    /// - Budgets and autoscalers must be in the workload's namespace; Polaris
    ///   matches them across namespaces.
    /// - Budgets are matched with real label-selector semantics (all of
    ///   `matchLabels` and `matchExpressions`), and every matching budget is
    ///   checked, not just the first one that shares a label.
    /// - The autoscaler must target the workload by kind, name and API group.
    /// - An unset `minReplicas` is the 1 the API server defaults it to, so a
    ///   budget with `minAvailable: 2` fails against it; Polaris passes.
    /// - StatefulSets are judged too; Polaris judges Deployments only.
    ///
    /// ## Roles inspected
    /// None: the pod template's labels and the object's name.
    ///
    /// ## Fix safety
    /// No fix: either the budget or the autoscaler must change, and which one
    /// is the owner's decision.
    pub struct PdbMinAvailableGreaterThanHpaMinReplicas;
    meta {
        id: "pdbMinAvailableGreaterThanHPAMinReplicas",
        category: Category::Reliability,
        severity: Severity::Warning,
        scope: Scope::Workload,
        kinds: &["Deployment", "StatefulSet"],
        needs: &["PodDisruptionBudget", "HorizontalPodAutoscaler"],
        fix: None,
        summary: "disruption budget needs more pods than the autoscaler's minimum",
    }
}

/// The API group of an `apiVersion` (`apps/v1` → `apps`, `v1` → "").
fn group(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

impl Rule for PdbMinAvailableGreaterThanHpaMinReplicas {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let Some(w) = cx.workload() else { return };
        let Some(index) = covering_index(cx, out, &[PDB, HPA]) else {
            return;
        };
        let name: &str = &cx.object_ref.name;
        let kind: &str = &cx.object_ref.kind;
        let my_group = group(&cx.object_ref.api_version);
        let ns = cx.namespace();
        let labels = w.pod_labels();
        for hpa in index.autoscalers_of(ns, kind, name) {
            let Some(target) = hpa.at(&["spec", "scaleTargetRef"]) else {
                continue;
            };
            let s = |k: &str| target.field(k).and_then(Value::as_str);
            if s("kind") != Some(kind) || s("name") != Some(name) {
                continue;
            }
            if let Some(av) = s("apiVersion") {
                if group(av) != my_group {
                    continue;
                }
            }
            let min_replicas = hpa
                .at(&["spec", "minReplicas"])
                .and_then(Value::as_i64)
                .unwrap_or(1);
            let hpa_name = hpa
                .at(&["metadata", "name"])
                .and_then(Value::as_str)
                .unwrap_or("");
            for pdb in index.selector_candidates(PDB, ns, labels) {
                if !pdb_selects(pdb, labels) {
                    continue;
                }
                let Some(min_available) =
                    pdb.at(&["spec", "minAvailable"]).and_then(IntOrPercent::of)
                else {
                    continue;
                };
                let needed = min_available.scaled_up(min_replicas);
                if needed > min_replicas {
                    let pdb_name = pdb
                        .at(&["metadata", "name"])
                        .and_then(Value::as_str)
                        .unwrap_or("");
                    out.fail(
                        FieldPath::keys("metadata.name").nearest_existing(cx.object),
                        format!(
                            "PodDisruptionBudget `{pdb_name}` requires {needed} available pods but \
                             HorizontalPodAutoscaler `{hpa_name}` may scale down to {min_replicas}"
                        ),
                    );
                }
            }
        }
    }
}
