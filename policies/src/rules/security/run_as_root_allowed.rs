use crate::declare_rule;
use crate::finding::{Category, FixSafety, Severity};
use crate::object::Field;
use crate::object::Roles;
use crate::path::FieldPath;
use crate::rule::{Ctx, Emitter, Rule, Scope};
use crate::rules::security::util::{remove, sub, Sc, WithPatch};
use serde_json::{Map, Value};

declare_rule! {
    /// ## What it does
    /// Flags containers that may run as root. The pod's `securityContext`
    /// and the container's merge field by field, the container's value
    /// winning (Kubernetes semantics). The container passes when its
    /// effective `runAsUser` is 1 or more, or when no `runAsUser` applies and
    /// its effective `runAsNonRoot` is `true` (the kubelet then refuses to
    /// start an image whose user is root). It fails otherwise, pointing at
    /// the field responsible.
    ///
    /// Differences from Polaris, deliberate:
    /// - `runAsNonRoot: true` with an effective `runAsUser: 0` fails (Polaris
    ///   passes it): the settings contradict each other and the kubelet
    ///   refuses to start the container, so the author asked for root.
    /// - A pod-level `runAsUser: 1000` with a container-level
    ///   `runAsNonRoot: false` passes (Polaris fails it): the process runs as
    ///   UID 1000; `runAsNonRoot: false` only turns off a verification.
    ///
    /// `runAsGroup` and the image's `USER` are not considered: the image is
    /// not available to a static check.
    ///
    /// ## Why it matters
    /// Root inside a container is root on the node's kernel: any container
    /// escape, writable hostPath or leaked capability is far more damaging
    /// when the process runs as UID 0.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   selector:
    ///     matchLabels:
    ///       app: web
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: web
    ///     spec:
    ///       securityContext:
    ///         runAsNonRoot: true
    ///       containers:
    ///         - name: web
    ///           image: registry.example.com/web:2.1
    ///           securityContext:
    ///             runAsNonRoot: false
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   selector:
    ///     matchLabels:
    ///       app: web
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: web
    ///     spec:
    ///       securityContext:
    ///         runAsUser: 10001
    ///         runAsNonRoot: true
    ///       containers:
    ///         - name: web
    ///           image: registry.example.com/web:2.1
    /// ```
    ///
    /// ## Config
    /// `checks.runAsRootAllowed: danger` (default). No options.
    ///
    /// ## Roles inspected
    /// Every role: containers, init containers, native sidecars and ephemeral
    /// containers.
    ///
    /// ## Fix safety
    /// Unsafe: sets the container's `runAsNonRoot: true` (adding the
    /// `securityContext` when missing) and removes a container-level
    /// `runAsUser: 0`. An image whose user is root then fails to start until
    /// it gets a non-root user. No fix is offered when the pod itself sets
    /// `runAsUser: 0`, since a UID cannot be invented.
    pub struct RunAsRootAllowed;
    meta {
        id: "runAsRootAllowed",
        category: Category::Security,
        severity: Severity::Danger,
        scope: Scope::Container(Roles::ALL),
        kinds: &[],
        needs: &[],
        fix: Some(FixSafety::Unsafe),
        summary: "container may run as root",
    }
}

/// Where an effective value comes from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum From {
    Container,
    Pod,
}

/// The effective value of `field`: the container's when set, else the pod's.
fn effective<'a>(
    container: Option<&'a Map<String, Value>>,
    pod: Option<&'a Map<String, Value>>,
    field: &str,
) -> Option<(&'a Value, From)> {
    let get =
        |m: Option<&'a Map<String, Value>>| m.and_then(|m| m.get(field)).filter(|v| !v.is_null());
    get(container)
        .map(|v| (v, From::Container))
        .or_else(|| get(pod).map(|v| (v, From::Pod)))
}

impl Rule for RunAsRootAllowed {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let (Some(c), Some(w)) = (cx.container, cx.workload()) else {
            return;
        };
        let sc = Sc::of(c);
        let csc = sc.map;
        let psc = cx.pod_security_context().and_then(Value::as_object);
        let user = effective(csc, psc, "runAsUser").map(|(v, f)| (v.as_i64(), f));
        let non_root = effective(csc, psc, "runAsNonRoot").map(|(v, f)| (v.as_bool(), f));
        let field_path = |from: From, field: &str| -> FieldPath {
            match from {
                From::Container => sub(&c.path, &["securityContext", field]),
                From::Pod => sub(&w.pod_spec_path, &["securityContext", field]),
            }
        };
        let (path, msg) = match (user, non_root) {
            (Some((Some(uid), _)), _) if uid >= 1 => return,
            (Some((Some(0), from)), Some((Some(true), _))) => (
                field_path(from, "runAsUser"),
                "container runs as root: runAsUser is 0, which contradicts runAsNonRoot: true (the kubelet refuses to start it)",
            ),
            (Some((Some(0), from)), _) => {
                (field_path(from, "runAsUser"), "container runs as root (runAsUser: 0)")
            }
            (_, Some((Some(true), _))) => return,
            (_, Some((_, from))) => (
                field_path(from, "runAsNonRoot"),
                "container may run as root (runAsNonRoot is not true and no non-zero runAsUser is set)",
            ),
            (_, None) => (
                sc.field_path("runAsNonRoot"),
                "container may run as root (neither runAsNonRoot: true nor a non-zero runAsUser is set)",
            ),
        };
        let hit = out.fail(path, msg);
        // Fix: runAsNonRoot: true on the container, dropping its own
        // runAsUser: 0; impossible when the pod sets runAsUser: 0.
        let pod_root = psc
            .and_then(|p| p.field("runAsUser"))
            .and_then(Value::as_i64)
            == Some(0);
        let container_user = csc
            .and_then(|m| m.field("runAsUser"))
            .filter(|v| !v.is_null());
        let container_root = container_user.and_then(Value::as_i64) == Some(0);
        let container_sets_user = container_user.is_some() && !container_root;
        if pod_root && !container_sets_user {
            return;
        }
        let mut ops = sc.set_ops("runAsNonRoot", Value::Bool(true));
        if container_root {
            ops.push(remove(&c.path, &["securityContext", "runAsUser"]));
        }
        hit.with_patch(ops, FixSafety::Unsafe);
    }
}
