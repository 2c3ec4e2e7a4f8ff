use crate::declare_rule;
use crate::finding::{Category, Severity};
use crate::rule::{Ctx, Emitter, Rule, RuleMeta, Scope};

use super::rbac::{check_binding, BindingRule, Grant, DEFAULT_ROLE_BINDINGS};

declare_rule! {
    /// ## What it does
    /// Flags RoleBindings that bind a Role with wildcard power over the
    /// namespace: a rule with `apiGroups` containing `*`, `resources`
    /// containing `*` and `verbs` containing `*` or all of `get`, `list`,
    /// `watch`, `create`, `update`, `patch` and `delete`. The Role is looked
    /// up by name in the binding's namespace among the objects of the same
    /// run. RoleBindings to a ClusterRole are left to
    /// `rolebindingClusterAdminClusterRole`. The finding points at
    /// `roleRef.name`.
    ///
    /// RoleBindings named `system:…` or `gce:podsecuritypolicy:calico-sa`
    /// are exempted by name.
    ///
    /// Deliberate differences from Polaris: a binding to a Role that is not in
    /// the input is "not evaluated", not a finding; extra verbs next to the
    /// seven, or `*` together with them, still fail.
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
    ///   name: ci
    ///   namespace: shop
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: Role
    ///   name: ci
    /// subjects:
    ///   - kind: ServiceAccount
    ///     name: ci
    ///     namespace: shop
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: ci
    ///   namespace: shop
    /// rules:
    ///   - apiGroups: ["*"]
    ///     resources: ["*"]
    ///     verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata:
    ///   name: ci
    ///   namespace: shop
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: Role
    ///   name: ci
    /// subjects:
    ///   - kind: ServiceAccount
    ///     name: ci
    ///     namespace: shop
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: ci
    ///   namespace: shop
    /// rules:
    ///   - apiGroups: ["*"]
    ///     resources: ["*"]
    ///     verbs: ["get", "list", "watch"]
    /// ```
    ///
    /// ## Config
    /// `checks.rolebindingClusterAdminRole: danger` (default). No options.
    /// Needs the Roles of the run (skipped in admission).
    ///
    /// ## Roles inspected
    /// None: judges RoleBinding objects, not containers.
    ///
    /// ## Fix safety
    /// No automatic fix: the subjects need a narrower role, which only a
    /// human can write.
    pub struct RolebindingClusterAdminRole;
    meta {
        id: "rolebindingClusterAdminRole",
        category: Category::Security,
        severity: Severity::Danger,
        scope: Scope::Object,
        kinds: &["RoleBinding"],
        needs: &["Role"],
        fix: None,
        summary: "rolebinding grants a role with wildcard permissions",
    }
}

impl Rule for RolebindingClusterAdminRole {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        check_binding(
            cx,
            out,
            BindingRule {
                role_kind: "Role",
                defaults: DEFAULT_ROLE_BINDINGS,
                grant: Grant::ClusterAdmin,
            },
        );
    }
}
