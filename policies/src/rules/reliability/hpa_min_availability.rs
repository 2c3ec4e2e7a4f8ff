use crate::object::Field;
use serde_json::Value;

use super::util::{add, set_fix};

use crate::declare_rule;
use crate::finding::{Category, FixSafety, Severity};
use crate::object::At;
use crate::path::FieldPath;
use crate::rule::{Ctx, Emitter, Rule, RuleMeta, Scope};

declare_rule! {
    /// ## What it does
    /// Flags HorizontalPodAutoscalers that may scale their workload down to
    /// fewer than 2 replicas: `minReplicas` below 2, or unset (the API server
    /// defaults it to 1).
    ///
    /// ## Why it matters
    /// At night or on a quiet weekend the autoscaler goes down to its
    /// minimum. With one replica left, the next node drain, eviction or crash
    /// is an outage.
    ///
    /// ## Example failing YAML
    /// ```yaml
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
    ///   maxReplicas: 10
    ///   metrics:
    ///     - type: Resource
    ///       resource:
    ///         name: cpu
    ///         target:
    ///           type: Utilization
    ///           averageUtilization: 70
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
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
    ///   maxReplicas: 10
    ///   metrics:
    ///     - type: Resource
    ///       resource:
    ///         name: cpu
    ///         target:
    ///           type: Utilization
    ///           averageUtilization: 70
    /// ```
    ///
    /// ## Config
    /// `checks.hpaMinAvailability: warning` (default). No options.
    ///
    /// Difference from Polaris: an unset `minReplicas` **fails**, because the
    /// API server defaults it to 1. Polaris passes it.
    ///
    /// ## Roles inspected
    /// None: judges `HorizontalPodAutoscaler` objects.
    ///
    /// ## Fix safety
    /// Unsafe: sets `minReplicas: 2`, which raises the workload's lowest
    /// resource use and cost. Offered only when `maxReplicas` is above 2, so
    /// that the autoscaler can still scale up (with `maxReplicas: 2` the fix
    /// would leave nothing to scale, which hpaMaxAvailability reports).
    pub struct HpaMinAvailability;
    meta {
        id: "hpaMinAvailability",
        category: Category::Reliability,
        severity: Severity::Warning,
        scope: Scope::Object,
        kinds: &["HorizontalPodAutoscaler"],
        needs: &[],
        fix: Some(FixSafety::Unsafe),
        summary: "autoscaler may scale down to a single replica",
    }
}

impl Rule for HpaMinAvailability {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let field = FieldPath::keys("spec.minReplicas");
        let (path, message) = match cx.object.at(&["spec", "minReplicas"]) {
            None | Some(Value::Null) => (
                field.nearest_existing(cx.object),
                "minReplicas is not set (defaults to 1)".to_string(),
            ),
            Some(v) => match v.as_i64() {
                Some(n) if n >= 2 => return,
                Some(n) => (
                    field.clone(),
                    format!("minReplicas is {n}; at least 2 are needed"),
                ),
                None => (
                    field.clone(),
                    format!("minReplicas `{v}` is not an integer"),
                ),
            },
        };
        let hit = out.fail(path, message);
        let max = cx
            .object
            .at(&["spec", "maxReplicas"])
            .and_then(Value::as_i64);
        if max.is_some_and(|m| m > 2) && cx.object.field("spec").is_some_and(Value::is_object) {
            let op = add(&FieldPath::root(), &["spec", "minReplicas"], Value::from(2));
            set_fix(hit, vec![op], FixSafety::Unsafe);
        }
    }
}
