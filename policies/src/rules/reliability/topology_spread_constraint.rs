use crate::object::Field;
use serde::Serialize;
use serde_json::Value;

use crate::declare_rule;
use crate::finding::{Category, FixSafety, Severity};
use crate::rule::{Ctx, Emitter, Rule, RuleMeta, Scope};

use super::util::{add, set_fix, sub};
use super::{pod_controlled_by, runs_to_completion};

declare_rule! {
    /// ## What it does
    /// Flags pods without `topologySpreadConstraints` (missing or empty),
    /// and each constraint that cannot spread anything: one the API server
    /// refuses (`maxSkew` below 1, no `topologyKey`, a `whenUnsatisfiable`
    /// other than `DoNotSchedule` or `ScheduleAnyway`, `minDomains` below 1
    /// or without `DoNotSchedule`) or one without a `labelSelector`, which
    /// counts no pods.
    ///
    /// ## Why it matters
    /// Without a spread constraint the scheduler may put every replica on
    /// one node or in one zone, and a single node or zone failure takes the
    /// whole workload down despite its replica count.
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
    ///       topologySpreadConstraints: []
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
    ///       topologySpreadConstraints:
    ///         - maxSkew: 1
    ///           topologyKey: topology.kubernetes.io/zone
    ///           whenUnsatisfiable: ScheduleAnyway
    ///           labelSelector:
    ///             matchLabels:
    ///               app: web
    ///       containers:
    ///         - name: app
    ///           image: registry.example.com/web:1.4.2
    /// ```
    ///
    /// ## Config
    /// `checks.topologySpreadConstraint: warning` (default). No options.
    ///
    /// ### Differences from Polaris
    /// - DaemonSets, and pods a DaemonSet controls, are not judged (Polaris
    ///   #911): they already run one pod per node, so a spread constraint
    ///   cannot change their placement.
    /// - Pods controlled by a Job are not judged, like Jobs and CronJobs.
    /// - Single-replica Deployments are still judged: their replica count
    ///   is routinely raised later or by an autoscaler.
    /// - Each constraint is read (Polaris only asks that the list have an
    ///   item): `maxSkew: 0`, a missing `topologyKey` or `labelSelector`,
    ///   `whenUnsatisfiable: DoNotSCHEDULE` fail, each at its field, as
    ///   kube-score's tests expect.
    ///
    /// ## Roles inspected
    /// None: a pod-level setting.
    ///
    /// ## Fix safety
    /// Safe: adds one soft constraint (`whenUnsatisfiable: ScheduleAnyway`,
    /// `maxSkew: 1` over `kubernetes.io/hostname`, selecting the pod's own
    /// labels). A soft constraint only changes how the scheduler ranks nodes;
    /// it never leaves a pod pending. No fix is offered for pods without
    /// labels, which no selector could group.
    pub struct TopologySpreadConstraint;
    meta {
        id: "topologySpreadConstraint",
        category: Category::Reliability,
        severity: Severity::Warning,
        scope: Scope::Workload,
        kinds: &[],
        needs: &[],
        fix: Some(FixSafety::Safe),
        summary: "pod has no topology spread constraint",
    }
}

impl Rule for TopologySpreadConstraint {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let Some(w) = cx.workload() else { return };
        if w.kind == "DaemonSet" || pod_controlled_by(w, "DaemonSet") || runs_to_completion(w) {
            out.not_applicable();
            return;
        }
        let (path, message) = match w.pod_spec.field("topologySpreadConstraints") {
            Some(Value::Array(a)) if !a.is_empty() => {
                let list = sub(&w.pod_spec_path, &["topologySpreadConstraints"]);
                for (i, c) in a.iter().enumerate() {
                    if let Some((field, why)) = problem(c) {
                        let at = list.index(i);
                        out.fail(field.map_or(at.clone(), |f| at.key(f)), why);
                    }
                }
                return;
            }
            Some(Value::Array(_)) => (
                sub(&w.pod_spec_path, &["topologySpreadConstraints"]),
                "topologySpreadConstraints is empty",
            ),
            None | Some(Value::Null) => (
                w.pod_spec_path.clone(),
                "pod has no topologySpreadConstraints",
            ),
            Some(_) => (
                sub(&w.pod_spec_path, &["topologySpreadConstraints"]),
                "topologySpreadConstraints is not a list",
            ),
        };
        let hit = out.fail(path, message);
        if let Some(labels) = w.pod_labels().filter(|l| !l.is_empty()) {
            let constraint = [Constraint {
                max_skew: 1,
                topology_key: "kubernetes.io/hostname",
                when_unsatisfiable: "ScheduleAnyway",
                label_selector: Selector {
                    match_labels: labels,
                },
            }];
            let op = add(&w.pod_spec_path, &["topologySpreadConstraints"], constraint);
            set_fix(hit, vec![op], FixSafety::Safe);
        }
    }
}

/// What makes a constraint spread nothing: the field at fault (`None` for
/// the constraint itself or a field it lacks) and why.
fn problem(c: &Value) -> Option<(Option<&'static str>, String)> {
    let Some(c) = c.as_object() else {
        return Some((None, "the constraint is not a mapping".to_string()));
    };
    let whole = |v: &Value| {
        v.as_i64()
            .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
    };
    match c.get("maxSkew") {
        None | Some(Value::Null) => {
            return Some((None, "the constraint has no maxSkew".to_string()))
        }
        Some(v) if whole(v).is_none_or(|n| n < 1) => {
            return Some((
                Some("maxSkew"),
                format!("maxSkew is {v}: it must be a whole number of at least 1"),
            ));
        }
        Some(_) => {}
    }
    match c.get("topologyKey").and_then(Value::as_str) {
        Some(k) if !k.is_empty() => {}
        _ => {
            let why = "the constraint has no topologyKey: there are no domains to spread over";
            return Some((None, why.to_string()));
        }
    }
    let when = c.get("whenUnsatisfiable");
    match when.and_then(Value::as_str) {
        Some("DoNotSchedule" | "ScheduleAnyway") => {}
        _ => {
            let shown = when.map_or("missing".to_string(), Value::to_string);
            let why =
                format!("whenUnsatisfiable is {shown}: it must be DoNotSchedule or ScheduleAnyway");
            return Some((when.map(|_| "whenUnsatisfiable"), why));
        }
    }
    if let Some(v) = c.get("minDomains").filter(|v| !v.is_null()) {
        if whole(v).is_none_or(|n| n < 1) {
            let why = format!("minDomains is {v}: it must be a whole number of at least 1");
            return Some((Some("minDomains"), why));
        }
        if when.and_then(Value::as_str) != Some("DoNotSchedule") {
            let why = "minDomains only works with whenUnsatisfiable: DoNotSchedule".to_string();
            return Some((Some("minDomains"), why));
        }
    }
    if c.get("labelSelector").is_none_or(Value::is_null) {
        let why = "the constraint has no labelSelector: it counts no pods, so it spreads nothing";
        return Some((None, why.to_string()));
    }
    None
}

/// The constraint the fix adds, written straight from the pod's labels.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Constraint<'a> {
    max_skew: u32,
    topology_key: &'static str,
    when_unsatisfiable: &'static str,
    label_selector: Selector<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Selector<'a> {
    match_labels: &'a serde_json::Map<String, Value>,
}
