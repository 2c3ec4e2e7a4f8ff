use crate::declare_rule;
use crate::finding::{Category, Severity};
use crate::rule::{Ctx, Emitter, Rule, RuleMeta, Scope};

use super::rbac::{check_role, Grant, DEFAULT_ROLES};

declare_rule! {
    /// ## What it does
    /// Flags Roles with a rule that lets its holder exec into or attach to
    /// pods of the Role's namespace: `apiGroups` contains `""` or `*`,
    /// `resources` contains `pods/exec`, `pods/attach`, `*/exec`, `*/attach`
    /// or `*`, and `verbs` contains `create`, `get` or `*`. The finding points
    /// at the `verbs` of the first such rule; the message lists every
    /// offending rule.
    ///
    /// Roles named `system:…` or `gce:podsecuritypolicy:calico-sa` are
    /// Kubernetes/GKE defaults and are exempted by name.
    ///
    /// Deliberate differences from Polaris: `*/exec` and `*/attach` count, and
    /// a Role without `rules` passes instead of failing.
    ///
    /// ## Why it matters
    /// Exec and attach run commands inside a running container with its
    /// service-account token and mounted secrets: whoever holds the Role can
    /// act as any workload of the namespace.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: operator
    ///   namespace: shop
    /// rules:
    ///   - apiGroups: ["*"]
    ///     resources: ["*"]
    ///     verbs: ["*"]
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: operator
    ///   namespace: shop
    /// rules:
    ///   - apiGroups: ["apps"]
    ///     resources: ["deployments"]
    ///     verbs: ["get", "list", "patch"]
    /// ```
    ///
    /// ## Config
    /// `checks.rolePodExecAttach: danger` (default). No options.
    ///
    /// ## Roles inspected
    /// None: judges Role objects, not containers.
    ///
    /// ## Fix safety
    /// No automatic fix: removing a permission can break whoever relies on it.
    pub struct RolePodExecAttach;
    meta {
        id: "rolePodExecAttach",
        category: Category::Security,
        severity: Severity::Danger,
        scope: Scope::Object,
        kinds: &["Role"],
        needs: &[],
        fix: None,
        summary: "role allows exec into or attach to pods",
    }
}

impl Rule for RolePodExecAttach {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        check_role(cx, out, DEFAULT_ROLES, Grant::ExecAttach);
    }
}
