use serde_json::{json, Value};

use super::util::{add, set_fix};

use crate::declare_rule;
use crate::finding::{Category, FixSafety, Severity};
use crate::object::At;
use crate::path::FieldPath;
use crate::rule::{Ctx, Emitter, Rule, RuleMeta, Scope};

declare_rule! {
    /// ## What it does
    /// Flags Deployments whose `spec.replicas` is missing, not an integer, or
    /// below 2.
    ///
    /// ## Why it matters
    /// A single replica means downtime whenever its pod is rescheduled: on
    /// every node drain, node failure, eviction and (with a `Recreate`
    /// strategy) every rollout. A missing `replicas` defaults to 1.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// spec:
    ///   replicas: 1
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
    ///     spec:
    ///       containers:
    ///         - name: app
    ///           image: registry.example.com/web:1.4.2
    /// ```
    ///
    /// ## Config
    /// `checks.deploymentMissingReplicas: warning` (default). No options.
    ///
    /// A Deployment scaled by a HorizontalPodAutoscaler usually omits
    /// `replicas` on purpose (so that re-applying it does not reset the
    /// autoscaler's choice). The rule cannot see the autoscaler in admission,
    /// so, as in Polaris, a missing `replicas` fails; exempt such
    /// Deployments with the annotation
    /// `eyelint.io/exempt: deploymentMissingReplicas` (and let
    /// `hpaMinAvailability` judge the autoscaler's minimum instead).
    ///
    /// ## Roles inspected
    /// None: an object-level setting. Only `Deployment` objects are judged.
    ///
    /// ## Fix safety
    /// Unsafe: sets `replicas: 3`, an invented number. It triples the
    /// workload's resource use, may not fit the cluster, and is wrong for
    /// workloads that must run as a single instance (leader-less singletons).
    pub struct DeploymentMissingReplicas;
    meta {
        id: "deploymentMissingReplicas",
        category: Category::Reliability,
        severity: Severity::Warning,
        scope: Scope::Workload,
        kinds: &["Deployment"],
        needs: &[],
        fix: Some(FixSafety::Unsafe),
        summary: "deployment runs fewer than 2 replicas",
    }
}

impl Rule for DeploymentMissingReplicas {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let field = FieldPath::keys("spec.replicas");
        let fix = || vec![add(&FieldPath::root(), &["spec", "replicas"], json!(3))];
        match cx.object.at(&["spec", "replicas"]) {
            None | Some(Value::Null) => {
                let hit = out.fail(
                    field.nearest_existing(cx.object),
                    "replicas is not set (defaults to 1)",
                );
                set_fix(hit, fix(), FixSafety::Unsafe);
            }
            Some(v) => match v.as_i64() {
                Some(n) if n >= 2 => {}
                Some(n) => {
                    let hit = out.fail(field, format!("replicas is {n}; at least 2 are needed"));
                    set_fix(hit, fix(), FixSafety::Unsafe);
                }
                None => {
                    let hit = out.fail(field, format!("replicas `{v}` is not an integer"));
                    set_fix(hit, fix(), FixSafety::Unsafe);
                }
            },
        }
    }
}
