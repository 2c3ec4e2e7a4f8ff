use serde_json::Value;

use crate::declare_rule;
use crate::finding::{Category, Severity};
use crate::object::At;
use crate::path::FieldPath;
use crate::rule::{Ctx, Emitter, Rule, RuleMeta, Scope};

declare_rule! {
    /// ## What it does
    /// Flags HorizontalPodAutoscalers whose `maxReplicas` is missing, below
    /// 1, or not above the effective `minReplicas` (1 when unset).
    ///
    /// ## Why it matters
    /// An autoscaler whose maximum does not exceed its minimum cannot scale
    /// up: under load the workload stays at its floor and the autoscaler only
    /// pretends to protect it.
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
    ///   minReplicas: 4
    ///   maxReplicas: 4
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
    /// `checks.hpaMaxAvailability: warning` (default). No options.
    ///
    /// Difference from Polaris: an unset `minReplicas` is taken as the 1 the
    /// API server defaults it to, so `maxReplicas: 1` without `minReplicas`
    /// fails (the autoscaler cannot scale). Polaris only asks for
    /// `maxReplicas >= 1` in that case.
    ///
    /// ## Roles inspected
    /// None: judges `HorizontalPodAutoscaler` objects.
    ///
    /// ## Fix safety
    /// No fix: the ceiling depends on the cluster's capacity and the
    /// workload's cost.
    pub struct HpaMaxAvailability;
    meta {
        id: "hpaMaxAvailability",
        category: Category::Reliability,
        severity: Severity::Warning,
        scope: Scope::Object,
        kinds: &["HorizontalPodAutoscaler"],
        needs: &[],
        fix: None,
        summary: "autoscaler cannot scale above its minimum",
    }
}

impl Rule for HpaMaxAvailability {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let field = FieldPath::keys("spec.maxReplicas");
        let max = match cx.object.at(&["spec", "maxReplicas"]) {
            None | Some(Value::Null) => {
                out.fail(field.nearest_existing(cx.object), "maxReplicas is not set");
                return;
            }
            Some(v) => match v.as_i64() {
                Some(n) => n,
                None => {
                    out.fail(field, format!("maxReplicas `{v}` is not an integer"));
                    return;
                }
            },
        };
        if max < 1 {
            out.fail(
                field,
                format!("maxReplicas is {max}; it must be at least 1"),
            );
            return;
        }
        let (min, min_set) = match cx
            .object
            .at(&["spec", "minReplicas"])
            .and_then(Value::as_i64)
        {
            Some(n) => (n, true),
            None => (1, false),
        };
        if max <= min {
            let min_text = if min_set {
                format!("minReplicas ({min})")
            } else {
                "the default minReplicas (1)".to_string()
            };
            out.fail(
                field,
                format!("maxReplicas ({max}) is not greater than {min_text}: the autoscaler cannot scale up"),
            );
        }
    }
}
