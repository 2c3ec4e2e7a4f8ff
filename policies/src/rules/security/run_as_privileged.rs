use crate::declare_rule;
use crate::finding::{Category, FixSafety, Severity};
use crate::object::Roles;
use crate::rule::{Ctx, Emitter, Rule, Scope};
use crate::rules::security::util::{is_true, replace, sub, Sc, WithPatch};
use serde_json::Value;

declare_rule! {
    /// ## What it does
    /// Flags containers with `securityContext.privileged: true`.
    ///
    /// Polaris also reads a pod-level `securityContext.privileged`, a field
    /// that does not exist in Kubernetes (the API server drops it); eyelint
    /// judges the container field only.
    ///
    /// ## Why it matters
    /// A privileged container has every capability, sees every host device
    /// and runs without seccomp or AppArmor confinement: escaping to the node
    /// is trivial.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
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
    ///           securityContext:
    ///             privileged: true
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
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
    ///           securityContext:
    ///             privileged: false
    /// ```
    ///
    /// ## Config
    /// `checks.runAsPrivileged: danger` (default). No options.
    ///
    /// ## Roles inspected
    /// Every role: containers, init containers, native sidecars and ephemeral
    /// containers.
    ///
    /// ## Fix safety
    /// Unsafe: sets `privileged: false`. Workloads that manage devices or
    /// kernel settings (CNI and storage drivers) stop working.
    pub struct RunAsPrivileged;
    meta {
        id: "runAsPrivileged",
        category: Category::Security,
        severity: Severity::Danger,
        scope: Scope::Container(Roles::ALL),
        kinds: &[],
        needs: &[],
        fix: Some(FixSafety::Unsafe),
        summary: "container runs privileged",
    }
}

impl Rule for RunAsPrivileged {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let Some(c) = cx.container else { return };
        if is_true(Sc::of(c).field("privileged")) {
            let keys = ["securityContext", "privileged"];
            let op = replace(&c.path, &keys, Value::Bool(false));
            out.fail(
                sub(&c.path, &keys),
                "container runs privileged (privileged: true)",
            )
            .with_patch(vec![op], FixSafety::Unsafe);
        }
    }
}
