use crate::declare_rule;
use crate::finding::{Category, FixSafety, Severity};
use crate::object::Field;
use crate::rule::{Ctx, Emitter, Rule, Scope};
use crate::rules::security::util::{add, WithPatch};
use serde_json::Value;

declare_rule! {
    /// ## What it does
    /// Flags pods that get a ServiceAccount token mounted automatically. The
    /// pod's `automountServiceAccountToken` decides when set: `false` passes,
    /// `true` fails. When the pod leaves it unset, the ServiceAccount the pod
    /// uses (`serviceAccountName`, else the deprecated `serviceAccount`, else
    /// `default`) in the same namespace must set
    /// `automountServiceAccountToken: false`.
    ///
    /// When that ServiceAccount is not part of the input (created elsewhere,
    /// or the namespace's built-in `default`), the rule reports "not
    /// evaluated" instead of a finding; Polaris fails it (#953). eyelint only
    /// reads the pod spec's service-account fields here, so the linter's
    /// streaming mode gives the same results.
    ///
    /// ## Why it matters
    /// Most applications never talk to the Kubernetes API, yet every
    /// container then holds a token for it; whoever compromises the container
    /// acts with the ServiceAccount's permissions.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: v1
    /// kind: ServiceAccount
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// spec:
    ///   selector:
    ///     matchLabels:
    ///       app: web
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: web
    ///     spec:
    ///       serviceAccountName: web
    ///       containers:
    ///         - name: web
    ///           image: registry.example.com/web:2.1
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: v1
    /// kind: ServiceAccount
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// automountServiceAccountToken: false
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// spec:
    ///   selector:
    ///     matchLabels:
    ///       app: web
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: web
    ///     spec:
    ///       serviceAccountName: web
    ///       containers:
    ///         - name: web
    ///           image: registry.example.com/web:2.1
    /// ```
    ///
    /// ## Config
    /// `checks.automountServiceAccountToken: warning` (default). No options.
    ///
    /// ## Roles inspected
    /// None: a pod-level setting.
    ///
    /// ## Fix safety
    /// Unsafe: sets the pod's `automountServiceAccountToken: false`.
    /// Workloads that call the Kubernetes API (operators, controllers) lose
    /// their credentials.
    pub struct AutomountServiceAccountToken;
    meta {
        id: "automountServiceAccountToken",
        category: Category::Security,
        severity: Severity::Warning,
        scope: Scope::Workload,
        kinds: &[],
        needs: &["ServiceAccount"],
        fix: Some(FixSafety::Unsafe),
        summary: "pod mounts a ServiceAccount token automatically",
    }
}

impl Rule for AutomountServiceAccountToken {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let Some(w) = cx.workload() else { return };
        let field = "automountServiceAccountToken";
        let fix = || vec![add(&w.pod_spec_path, &[field], Value::Bool(false))];
        match w.pod_spec.field(field).and_then(Value::as_bool) {
            Some(false) => return,
            Some(true) => {
                out.fail(
                    w.pod_spec_path.key(field),
                    "pod mounts its ServiceAccount token (automountServiceAccountToken: true)",
                )
                .with_patch(fix(), FixSafety::Unsafe);
                return;
            }
            None => {}
        }
        let sa_name = ["serviceAccountName", "serviceAccount"]
            .iter()
            .find_map(|k| {
                w.pod_spec
                    .get(*k)
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
            })
            .unwrap_or("default");
        let Some(index) = cx.index else {
            out.not_evaluated(format!(
                "ServiceAccount `{sa_name}` is not available (no other objects given)"
            ));
            return;
        };
        if !index.covers("ServiceAccount") {
            out.not_evaluated("the input does not include ServiceAccounts");
            return;
        }
        let Some(sa) = index.get("ServiceAccount", cx.namespace(), sa_name) else {
            out.not_evaluated(format!(
                "ServiceAccount `{sa_name}` is not in the input, so whether it mounts its token is unknown"
            ));
            return;
        };
        if sa.get(field).and_then(Value::as_bool) == Some(false) {
            return;
        }
        out.fail(
            w.pod_spec_path.clone(),
            format!(
                "pod mounts the token of ServiceAccount `{sa_name}`: neither the pod nor the ServiceAccount sets automountServiceAccountToken: false"
            ),
        )
        .with_patch(fix(), FixSafety::Unsafe);
    }
}
