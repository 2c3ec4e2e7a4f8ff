use crate::declare_rule;
use crate::finding::{Category, Severity};
use crate::rule::{Ctx, Emitter, Rule, RuleMeta, Scope};

use super::rbac::{check_role, Grant, DEFAULT_CLUSTER_ROLES};

declare_rule! {
    /// ## What it does
    /// Flags ClusterRoles with a rule that lets its holder exec into or attach
    /// to pods: `apiGroups` contains `""` or `*`, `resources` contains
    /// `pods/exec`, `pods/attach`, `*/exec`, `*/attach` or `*`, and `verbs`
    /// contains `create`, `get` or `*` (`get` opens the websocket variant).
    /// The finding points at the `verbs` of the first such rule; the message
    /// lists every offending rule.
    ///
    /// Kubernetes' own ClusterRoles are exempted by name: `admin`,
    /// `cluster-admin`, `edit`, names starting with `system:` and
    /// `gce:podsecuritypolicy:calico-sa`.
    ///
    /// Deliberate differences from Polaris: `*/exec` and `*/attach` count (the
    /// API server matches them against `pods/exec`), and a ClusterRole without
    /// `rules` (for example an aggregated one) passes instead of failing.
    ///
    /// ## Why it matters
    /// Exec and attach run commands inside a running container with its
    /// service-account token, mounted secrets and network position. A
    /// ClusterRole granting them, once bound, reaches every namespace.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: debugger
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["pods"]
    ///     verbs: ["get", "list"]
    ///   - apiGroups: [""]
    ///     resources: ["pods/exec"]
    ///     verbs: ["create"]
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: debugger
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["pods", "pods/log"]
    ///     verbs: ["get", "list"]
    /// ```
    ///
    /// ## Config
    /// `checks.clusterrolePodExecAttach: danger` (default). No options.
    ///
    /// ## Roles inspected
    /// None: judges ClusterRole objects, not containers.
    ///
    /// ## Fix safety
    /// No automatic fix: removing a permission can break whoever relies on it.
    pub struct ClusterrolePodExecAttach;
    meta {
        id: "clusterrolePodExecAttach",
        category: Category::Security,
        severity: Severity::Danger,
        scope: Scope::Object,
        kinds: &["ClusterRole"],
        needs: &[],
        fix: None,
        summary: "clusterrole allows exec into or attach to pods",
    }
}

impl Rule for ClusterrolePodExecAttach {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        check_role(cx, out, DEFAULT_CLUSTER_ROLES, Grant::ExecAttach);
    }
}
