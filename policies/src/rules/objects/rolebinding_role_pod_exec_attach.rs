use crate::declare_rule;
use crate::finding::{Category, Severity};
use crate::rule::{Ctx, Emitter, Rule, RuleMeta, Scope};

use super::rbac::{check_binding, BindingRule, Grant, DEFAULT_ROLE_BINDINGS};

declare_rule! {
    /// ## What it does
    /// Flags RoleBindings that bind a Role letting the subjects exec into or
    /// attach to pods (the exec/attach test of `rolePodExecAttach`). The Role
    /// is looked up by name in the binding's namespace among the objects of
    /// the same run. RoleBindings to a ClusterRole are left to
    /// `rolebindingClusterRolePodExecAttach`. The finding points at
    /// `roleRef.name`.
    ///
    /// RoleBindings named `system:…` or `gce:podsecuritypolicy:calico-sa`
    /// are exempted by name.
    ///
    /// Deliberate difference from Polaris: a binding to a Role that is not in
    /// the input (created elsewhere) is reported as "not evaluated", not as a
    /// finding. Polaris fails it.
    ///
    /// ## Why it matters
    /// Exec and attach run commands inside running containers with their
    /// service-account tokens and secrets: the subjects can act as any
    /// workload of the namespace.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata:
    ///   name: ci-deployer
    ///   namespace: shop
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: Role
    ///   name: deployer
    /// subjects:
    ///   - kind: ServiceAccount
    ///     name: ci
    ///     namespace: shop
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: deployer
    ///   namespace: shop
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["*"]
    ///     verbs: ["get", "create"]
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata:
    ///   name: ci-deployer
    ///   namespace: shop
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: Role
    ///   name: deployer
    /// subjects:
    ///   - kind: ServiceAccount
    ///     name: ci
    ///     namespace: shop
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: deployer
    ///   namespace: shop
    /// rules:
    ///   - apiGroups: ["apps"]
    ///     resources: ["deployments"]
    ///     verbs: ["get", "create", "patch"]
    /// ```
    ///
    /// ## Config
    /// `checks.rolebindingRolePodExecAttach: danger` (default). No options.
    /// Needs the Roles of the run (skipped in admission).
    ///
    /// ## Roles inspected
    /// None: judges RoleBinding objects, not containers.
    ///
    /// ## Fix safety
    /// No automatic fix: which permission to remove is a human decision.
    pub struct RolebindingRolePodExecAttach;
    meta {
        id: "rolebindingRolePodExecAttach",
        category: Category::Security,
        severity: Severity::Danger,
        scope: Scope::Object,
        kinds: &["RoleBinding"],
        needs: &["Role"],
        fix: None,
        summary: "rolebinding grants a role allowing exec into or attach to pods",
    }
}

impl Rule for RolebindingRolePodExecAttach {
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
                grant: Grant::ExecAttach,
            },
        );
    }
}
