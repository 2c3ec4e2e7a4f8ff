use crate::declare_rule;
use crate::finding::{Category, Severity};
use crate::rule::{Ctx, Emitter, Rule, RuleMeta, Scope};

use super::rbac::{check_binding, BindingRule, Grant, DEFAULT_ROLE_BINDINGS};

declare_rule! {
    /// ## What it does
    /// Flags RoleBindings that grant cluster-admin power over their namespace
    /// through a ClusterRole: `roleRef.name` is `cluster-admin` (failed without
    /// looking the role up), or the referenced ClusterRole has a rule with
    /// `apiGroups` containing `*`, `resources` containing `*` and `verbs`
    /// containing `*` or all of `get`, `list`, `watch`, `create`, `update`,
    /// `patch` and `delete`. RoleBindings to a Role are left to
    /// `rolebindingClusterAdminRole`. The finding points at `roleRef.name`.
    ///
    /// RoleBindings named `system:…` or `gce:podsecuritypolicy:calico-sa`
    /// are exempted by name.
    ///
    /// Deliberate differences from Polaris: a binding to a ClusterRole that is
    /// not in the input (other than `cluster-admin`) is "not evaluated", not a
    /// finding; extra verbs next to the seven, or `*` together with them,
    /// still fail; aggregated ClusterRoles collect the rules of the input's
    /// ClusterRoles they select.
    ///
    /// ## Why it matters
    /// Full power over a namespace includes its Secrets, its RoleBindings
    /// (so the subjects can grant themselves more) and every pod in it.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata:
    ///   name: team-admin
    ///   namespace: shop
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: everything
    /// subjects:
    ///   - apiGroup: rbac.authorization.k8s.io
    ///     kind: Group
    ///     name: shop-team
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: everything
    /// rules:
    ///   - apiGroups: ["*"]
    ///     resources: ["*"]
    ///     verbs: ["*"]
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata:
    ///   name: team-admin
    ///   namespace: shop
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: app-manager
    /// subjects:
    ///   - apiGroup: rbac.authorization.k8s.io
    ///     kind: Group
    ///     name: shop-team
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: app-manager
    /// rules:
    ///   - apiGroups: ["apps"]
    ///     resources: ["*"]
    ///     verbs: ["*"]
    /// ```
    ///
    /// ## Config
    /// `checks.rolebindingClusterAdminClusterRole: danger` (default). No
    /// options. Needs the ClusterRoles of the run (skipped in admission).
    ///
    /// ## Roles inspected
    /// None: judges RoleBinding objects, not containers.
    ///
    /// ## Fix safety
    /// No automatic fix: the subjects need a narrower role, which only a
    /// human can write.
    pub struct RolebindingClusterAdminClusterRole;
    meta {
        id: "rolebindingClusterAdminClusterRole",
        category: Category::Security,
        severity: Severity::Danger,
        scope: Scope::Object,
        kinds: &["RoleBinding"],
        needs: &["ClusterRole"],
        fix: None,
        summary: "rolebinding grants cluster-admin or a wildcard clusterrole",
    }
}

impl Rule for RolebindingClusterAdminClusterRole {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        check_binding(
            cx,
            out,
            BindingRule {
                role_kind: "ClusterRole",
                defaults: DEFAULT_ROLE_BINDINGS,
                grant: Grant::ClusterAdmin,
            },
        );
    }
}
