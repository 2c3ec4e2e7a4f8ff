use crate::declare_rule;
use crate::finding::{Category, Severity};
use crate::labels::selector_matches;
use crate::object::Field;
use crate::rule::{Ctx, Emitter, Rule, Scope};
use crate::rules::security::util::sub;
use serde_json::Value;

declare_rule! {
    /// ## What it does
    /// Flags workloads whose pods are not isolated in both directions by the
    /// NetworkPolicies of their namespace (in the same run). A policy applies
    /// to the pods its `spec.podSelector` selects, with real label-selector
    /// semantics: `matchLabels` and `matchExpressions`, and an empty selector
    /// (`{}`, or none) selects every pod of the namespace, labelled or not. A
    /// policy isolates the directions in its `policyTypes`; when that field is
    /// absent, Kubernetes's defaults apply (`Ingress` always, `Egress` when it
    /// has egress rules). The pod passes when the policies that select it
    /// together isolate both ingress and egress: as in Kubernetes, isolation
    /// per direction is the union over all selecting policies, so one
    /// ingress policy plus one egress policy pass.
    ///
    /// Differences from Polaris, deliberate: a policy with both types and no
    /// rules (default deny) passes (Polaris #1088 fails it), empty selectors
    /// and `matchExpressions` are understood, a pod with several matching
    /// labels is not failed by Polaris's `oneOf`, and several policies combine.
    ///
    /// Without NetworkPolicies in the input's coverage (a cluster dump that did
    /// not collect them), the rule reports "not evaluated" instead of a
    /// finding. Note that NetworkPolicies do not apply to `hostNetwork` pods
    /// (see `hostNetworkSet`).
    ///
    /// ## Why it matters
    /// Without a policy, every pod can reach every other pod and any
    /// destination outside the cluster: a compromised pod can scan the
    /// cluster and exfiltrate data freely. Default-deny policies with explicit
    /// allowances limit that blast radius.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
    ///   namespace: shop
    /// spec:
    ///   selector:
    ///     matchLabels:
    ///       app: api
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: api
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: registry.example.com/api:1.4
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: api-ingress
    ///   namespace: shop
    /// spec:
    ///   podSelector:
    ///     matchLabels:
    ///       app: api
    ///   policyTypes: [Ingress]
    ///   ingress:
    ///     - from:
    ///         - podSelector:
    ///             matchLabels:
    ///               app: web
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
    ///   namespace: shop
    /// spec:
    ///   selector:
    ///     matchLabels:
    ///       app: api
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: api
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: registry.example.com/api:1.4
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: default-deny
    ///   namespace: shop
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Ingress, Egress]
    /// ```
    ///
    /// ## Config
    /// `checks.missingNetworkPolicy: warning` (default). No options.
    ///
    /// ## Roles inspected
    /// None: a pod-level property.
    ///
    /// ## Fix safety
    /// No fix: the remedy is a new NetworkPolicy object, whose allowances only
    /// the author knows.
    pub struct MissingNetworkPolicy;
    meta {
        id: "missingNetworkPolicy",
        category: Category::Security,
        severity: Severity::Warning,
        scope: Scope::Workload,
        kinds: &[],
        needs: &["NetworkPolicy"],
        fix: None,
        summary: "pod is not isolated by NetworkPolicies for both ingress and egress",
    }
}

/// The directions (ingress, egress) a NetworkPolicy isolates.
fn directions(policy: &Value) -> (bool, bool) {
    let spec = policy.field("spec");
    match spec
        .and_then(|s| s.field("policyTypes"))
        .and_then(Value::as_array)
    {
        Some(types) => (
            types.iter().any(|t| t.as_str() == Some("Ingress")),
            types.iter().any(|t| t.as_str() == Some("Egress")),
        ),
        None => {
            let has_egress_rules = spec
                .and_then(|s| s.field("egress"))
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty());
            (true, has_egress_rules)
        }
    }
}

impl Rule for MissingNetworkPolicy {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let Some(w) = cx.workload() else { return };
        let Some(index) = cx.index else {
            out.not_evaluated("NetworkPolicies are not available (no other objects given)");
            return;
        };
        if !index.covers("NetworkPolicy") {
            out.not_evaluated("the input does not include NetworkPolicies");
            return;
        }
        let labels = w.pod_labels();
        let (mut ingress, mut egress, mut selected) = (false, false, false);
        for policy in index.selector_candidates("NetworkPolicy", cx.namespace(), labels) {
            // An absent podSelector is the empty one: every pod.
            let selects = match policy
                .field("spec")
                .and_then(|s| s.field("podSelector"))
                .filter(|s| !s.is_null())
            {
                None => true,
                Some(sel) => selector_matches(Some(sel), labels),
            };
            if !selects {
                continue;
            }
            selected = true;
            let (i, e) = directions(policy);
            ingress |= i;
            egress |= e;
            if ingress && egress {
                return;
            }
        }
        let msg = match (selected, ingress, egress) {
            (false, _, _) => "no NetworkPolicy in the namespace selects the pod",
            (true, true, false) => {
                "NetworkPolicies select the pod but none isolates its egress (policyTypes lacks Egress)"
            }
            (true, false, true) => {
                "NetworkPolicies select the pod but none isolates its ingress (policyTypes lacks Ingress)"
            }
            _ => "NetworkPolicies select the pod but isolate neither ingress nor egress",
        };
        let meta = w.template.field("metadata");
        let path = if meta.is_some_and(|m| m.field("labels").is_some()) {
            sub(&w.template_path, &["metadata", "labels"])
        } else if meta.is_some() {
            sub(&w.template_path, &["metadata"])
        } else {
            w.template_path.clone()
        };
        out.fail(path, msg);
    }
}
