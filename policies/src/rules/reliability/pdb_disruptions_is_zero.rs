use crate::declare_rule;
use crate::finding::{Category, Severity};
use crate::object::Field;
use crate::path::FieldPath;
use crate::rule::{Ctx, Emitter, Rule, RuleMeta, Scope};

use super::IntOrPercent;

declare_rule! {
    /// ## What it does
    /// Flags PodDisruptionBudgets that allow no voluntary disruption at all:
    /// `maxUnavailable` of `0` or `0%`, or `minAvailable` of `100%` or more.
    ///
    /// ## Why it matters
    /// Such a budget blocks every eviction of the pods it selects, so
    /// `kubectl drain`, node upgrades and cluster-autoscaler scale-down hang
    /// until someone deletes the budget or the pods by hand.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// spec:
    ///   maxUnavailable: 0
    ///   selector:
    ///     matchLabels:
    ///       app: web
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// spec:
    ///   maxUnavailable: 1
    ///   selector:
    ///     matchLabels:
    ///       app: web
    /// ```
    ///
    /// ## Config
    /// `checks.pdbDisruptionsIsZero: warning` (default). No options.
    ///
    /// ### Differences from Polaris
    /// - `maxUnavailable: "0"` (a string) fails like `0`, and a
    ///   `minAvailable` percentage above 100% fails like `100%`.
    /// - A budget without `spec` passes, as `spec: {}` does: neither sets a
    ///   limit. Polaris fails a missing `spec`.
    /// - As in Polaris, an integer `minAvailable` equal to the workload's
    ///   replica count is not detected: the budget alone does not say how
    ///   many pods it selects.
    ///
    /// ## Roles inspected
    /// None: judges `PodDisruptionBudget` objects.
    ///
    /// ## Fix safety
    /// No fix: how many pods may be down at once is the owner's decision.
    pub struct PdbDisruptionsIsZero;
    meta {
        id: "pdbDisruptionsIsZero",
        category: Category::Reliability,
        severity: Severity::Warning,
        scope: Scope::Object,
        kinds: &["PodDisruptionBudget"],
        needs: &[],
        fix: None,
        summary: "disruption budget allows no evictions",
    }
}

impl Rule for PdbDisruptionsIsZero {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let Some(spec) = cx.object.field("spec") else {
            return;
        };
        if let Some(v) = spec.field("minAvailable") {
            if let Some(IntOrPercent::Percent(p)) = IntOrPercent::of(v) {
                if p >= 100 {
                    out.fail(
                        FieldPath::keys("spec.minAvailable"),
                        format!("minAvailable is {p}%: no pod may ever be evicted"),
                    );
                }
            }
        }
        if let Some(v) = spec.field("maxUnavailable") {
            let zero = match IntOrPercent::of(v) {
                Some(IntOrPercent::Int(n) | IntOrPercent::Percent(n)) => n == 0,
                None => v.as_str() == Some("0"),
            };
            if zero {
                let shown = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                out.fail(
                    FieldPath::keys("spec.maxUnavailable"),
                    format!("maxUnavailable is {shown}: no pod may ever be evicted"),
                );
            }
        }
    }
}
