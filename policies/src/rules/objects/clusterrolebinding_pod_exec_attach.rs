use crate::declare_rule;
use crate::finding::{Category, Severity};
use crate::rule::{Ctx, Emitter, Rule, RuleMeta, Scope};

use super::rbac::{check_binding, BindingRule, Grant, DEFAULT_CLUSTER_ROLE_BINDINGS};

declare_rule! {
    /// ## What it does
    /// Flags ClusterRoleBindings whose ClusterRole lets the subjects exec into
    /// or attach to pods in every namespace (the exec/attach test of
    /// `clusterrolePodExecAttach`). The ClusterRole is looked up among the
    /// objects of the same run; an aggregated ClusterRole also collects the
    /// rules of the input's ClusterRoles its selectors match. The finding
    /// points at the binding's `roleRef.name`.
    ///
    /// Bindings Kubernetes creates are exempted by name: `cluster-admin`,
    /// names starting with `system:` and `gce:podsecuritypolicy:calico-sa`.
    /// A binding to a `system:` ClusterRole under another name is judged.
    ///
    /// Deliberate difference from Polaris: a binding to a ClusterRole that is
    /// not in the input (the cluster's built-in `edit`, `view` or `admin`, or
    /// one created elsewhere) is reported as "not evaluated", not as a
    /// finding: nothing in the input says what it grants. Polaris fails such
    /// bindings (and passes every binding to `view`).
    ///
    /// ## Why it matters
    /// Exec and attach run commands inside running containers with their
    /// service-account tokens and secrets; granted cluster-wide, that is
    /// every workload of the cluster.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata:
    ///   name: support-debug
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: pod-debugger
    /// subjects:
    ///   - apiGroup: rbac.authorization.k8s.io
    ///     kind: Group
    ///     name: support
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: pod-debugger
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["pods/exec", "pods/attach"]
    ///     verbs: ["create"]
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata:
    ///   name: support-debug
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: pod-reader
    /// subjects:
    ///   - apiGroup: rbac.authorization.k8s.io
    ///     kind: Group
    ///     name: support
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: pod-reader
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["pods", "pods/log"]
    ///     verbs: ["get", "list", "watch"]
    /// ```
    ///
    /// ## Config
    /// `checks.clusterrolebindingPodExecAttach: danger` (default). No options.
    /// Needs the ClusterRoles of the run (skipped in admission).
    ///
    /// ## Roles inspected
    /// None: judges ClusterRoleBinding objects, not containers.
    ///
    /// ## Fix safety
    /// No automatic fix: which permission to remove is a human decision.
    pub struct ClusterrolebindingPodExecAttach;
    meta {
        id: "clusterrolebindingPodExecAttach",
        category: Category::Security,
        severity: Severity::Danger,
        scope: Scope::Object,
        kinds: &["ClusterRoleBinding"],
        needs: &["ClusterRole"],
        fix: None,
        summary: "clusterrolebinding grants exec into or attach to pods",
    }
}

impl Rule for ClusterrolebindingPodExecAttach {
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
                grant: Grant::ExecAttach,
            },
        );
    }
}
