use crate::declare_rule;
use crate::finding::{Category, Severity};
use crate::rule::{Ctx, Emitter, Rule, RuleMeta, Scope};

use super::rbac::{check_binding, BindingRule, Grant, DEFAULT_ROLE_BINDINGS};

declare_rule! {
    /// ## What it does
    /// Flags RoleBindings that bind a ClusterRole letting the subjects exec
    /// into or attach to pods of the binding's namespace (the exec/attach
    /// test of `clusterrolePodExecAttach`). RoleBindings to a Role are left to
    /// `rolebindingRolePodExecAttach`. The ClusterRole is looked up among the
    /// objects of the same run (aggregated ClusterRoles collect the rules of
    /// the ClusterRoles they select). The finding points at `roleRef.name`.
    ///
    /// RoleBindings named `system:…` or `gce:podsecuritypolicy:calico-sa`
    /// are exempted by name.
    ///
    /// Deliberate difference from Polaris: a binding to a ClusterRole that is
    /// not in the input (the cluster's built-in `edit` or `admin`, which do
    /// allow exec, or one created elsewhere) is reported as "not evaluated",
    /// not as a finding. Polaris fails it.
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
    ///   name: dev-debug
    ///   namespace: shop
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: pod-debugger
    /// subjects:
    ///   - apiGroup: rbac.authorization.k8s.io
    ///     kind: Group
    ///     name: developers
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: pod-debugger
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["pods/exec"]
    ///     verbs: ["get", "create"]
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata:
    ///   name: dev-debug
    ///   namespace: shop
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: pod-reader
    /// subjects:
    ///   - apiGroup: rbac.authorization.k8s.io
    ///     kind: Group
    ///     name: developers
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: pod-reader
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["pods", "pods/log"]
    ///     verbs: ["get", "list"]
    /// ```
    ///
    /// ## Config
    /// `checks.rolebindingClusterRolePodExecAttach: danger` (default). No
    /// options. Needs the ClusterRoles of the run (skipped in admission).
    ///
    /// ## Roles inspected
    /// None: judges RoleBinding objects, not containers.
    ///
    /// ## Fix safety
    /// No automatic fix: which permission to remove is a human decision.
    pub struct RolebindingClusterRolePodExecAttach;
    meta {
        id: "rolebindingClusterRolePodExecAttach",
        category: Category::Security,
        severity: Severity::Danger,
        scope: Scope::Object,
        kinds: &["RoleBinding"],
        needs: &["ClusterRole"],
        fix: None,
        summary: "rolebinding grants a clusterrole allowing exec into or attach to pods",
    }
}

impl Rule for RolebindingClusterRolePodExecAttach {
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
                grant: Grant::ExecAttach,
            },
        );
    }
}
