use crate::declare_rule;
use crate::finding::{Category, Severity};
use crate::rule::{Ctx, Emitter, Rule, RuleMeta, Scope};

use super::rbac::{check_binding, BindingRule, Grant, DEFAULT_CLUSTER_ROLE_BINDINGS};

declare_rule! {
    /// ## What it does
    /// Flags ClusterRoleBindings that grant cluster-admin power: `roleRef.name`
    /// is `cluster-admin` (failed without looking the role up), or the
    /// referenced ClusterRole has a rule with `apiGroups` containing `*`,
    /// `resources` containing `*` and `verbs` containing `*` or all of `get`,
    /// `list`, `watch`, `create`, `update`, `patch` and `delete`. The finding
    /// points at `roleRef.name`.
    ///
    /// Bindings Kubernetes creates are exempted by name: `cluster-admin`,
    /// names starting with `system:` and `gce:podsecuritypolicy:calico-sa`.
    ///
    /// Deliberate differences from Polaris: a binding to a ClusterRole that is
    /// not in the input (other than `cluster-admin`) is "not evaluated", not a
    /// finding; a verb list holding the seven verbs plus others (such as
    /// `deletecollection`) or holding `*` together with them fails (Polaris
    /// wants exactly one of the two forms); aggregated ClusterRoles collect
    /// the rules of the input's ClusterRoles they select.
    ///
    /// ## Why it matters
    /// Whoever holds cluster-admin can read every Secret and run anything on
    /// every node: one leaked token of a bound subject is the whole cluster.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata:
    ///   name: ci-admin
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: cluster-admin
    /// subjects:
    ///   - kind: ServiceAccount
    ///     name: ci
    ///     namespace: build
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata:
    ///   name: ci-admin
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: ci-deployer
    /// subjects:
    ///   - kind: ServiceAccount
    ///     name: ci
    ///     namespace: build
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: ci-deployer
    /// rules:
    ///   - apiGroups: ["apps"]
    ///     resources: ["deployments"]
    ///     verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
    /// ```
    ///
    /// ## Config
    /// `checks.clusterrolebindingClusterAdmin: danger` (default). No options.
    /// Needs the ClusterRoles of the run (skipped in admission).
    ///
    /// ## Roles inspected
    /// None: judges ClusterRoleBinding objects, not containers.
    ///
    /// ## Fix safety
    /// No automatic fix: the subjects need a narrower role, which only a
    /// human can write.
    pub struct ClusterrolebindingClusterAdmin;
    meta {
        id: "clusterrolebindingClusterAdmin",
        category: Category::Security,
        severity: Severity::Danger,
        scope: Scope::Object,
        kinds: &["ClusterRoleBinding"],
        needs: &["ClusterRole"],
        fix: None,
        summary: "clusterrolebinding grants cluster-admin or a wildcard clusterrole",
    }
}

impl Rule for ClusterrolebindingClusterAdmin {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        check_binding(
            cx,
            out,
            BindingRule {
                role_kind: "ClusterRole",
                defaults: DEFAULT_CLUSTER_ROLE_BINDINGS,
                grant: Grant::ClusterAdmin,
            },
        );
    }
}
