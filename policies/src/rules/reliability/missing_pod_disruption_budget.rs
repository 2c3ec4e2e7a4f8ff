use crate::declare_rule;
use crate::finding::{Category, Severity};
use crate::rule::{Ctx, Emitter, Rule, RuleMeta, Scope};

use super::{covering_index, pdb_selects, PDB};

declare_rule! {
    /// ## What it does
    /// Flags Deployments and StatefulSets whose pods no PodDisruptionBudget
    /// of the same namespace selects.
    ///
    /// ## Why it matters
    /// Without a budget, a node drain or a cluster-autoscaler scale-down may
    /// evict every replica at once, and the workload goes down during routine
    /// maintenance even though it runs several replicas.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// spec:
    ///   replicas: 3
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
    ///   namespace: other
    /// spec:
    ///   maxUnavailable: 1
    ///   selector:
    ///     matchLabels:
    ///       app: web
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
    ///   replicas: 3
    ///   selector:
    ///     matchLabels:
    ///       app: web
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: web
    ///         tier: front
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
    ///   maxUnavailable: 1
    ///   selector:
    ///     matchExpressions:
    ///       - key: tier
    ///         operator: In
    ///         values: [front]
    /// ```
    ///
    /// ## Config
    /// `checks.missingPodDisruptionBudget: warning` (default). No options.
    /// A cross-object rule: it needs the run's PodDisruptionBudgets. It does
    /// not run in admission (no other objects), and when a cluster dump did
    /// not collect PodDisruptionBudgets it is reported as not evaluated.
    ///
    /// ### Differences from Polaris
    /// - Real label-selector semantics: every `matchLabels` pair and every
    ///   `matchExpressions` entry must hold (Polaris passes when any single
    ///   pair matches and ignores `matchExpressions`); an empty `policy/v1`
    ///   selector selects every pod of the namespace (in `policy/v1beta1` it
    ///   selects none).
    /// - StatefulSets are judged too (Polaris #1029): their replicas are
    ///   usually members of a quorum, the workload a drain hurts most.
    ///   Polaris judges Deployments only.
    /// - Pods without labels fail only because no selector can match them,
    ///   not because of a rule of their own.
    ///
    /// ## Roles inspected
    /// None: the pod template's labels.
    ///
    /// ## Fix safety
    /// No fix: the remedy is a new PodDisruptionBudget object, whose limits
    /// are the owner's decision.
    pub struct MissingPodDisruptionBudget;
    meta {
        id: "missingPodDisruptionBudget",
        category: Category::Reliability,
        severity: Severity::Warning,
        scope: Scope::Workload,
        kinds: &["Deployment", "StatefulSet"],
        needs: &["PodDisruptionBudget"],
        fix: None,
        summary: "no disruption budget selects the workload's pods",
    }
}

impl Rule for MissingPodDisruptionBudget {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let Some(w) = cx.workload() else { return };
        let Some(index) = covering_index(cx, out, &[PDB]) else {
            return;
        };
        let labels = w.pod_labels();
        let ns = cx.namespace();
        if index
            .selector_candidates(PDB, ns, labels)
            .into_iter()
            .any(|pdb| pdb_selects(pdb, labels))
        {
            return;
        }
        let path = w
            .template_path
            .key("metadata")
            .key("labels")
            .nearest_existing(cx.object);
        let message = if ns.is_empty() {
            "no PodDisruptionBudget selects this workload's pods (of those that, like it, set no namespace)"
                .to_string()
        } else {
            format!("no PodDisruptionBudget in namespace `{ns}` selects this workload's pods")
        };
        out.fail(path, message);
    }
}
