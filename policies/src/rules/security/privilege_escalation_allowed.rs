use crate::declare_rule;
use crate::finding::{Category, FixSafety, Severity};
use crate::object::Roles;
use crate::rule::{Ctx, Emitter, Rule, Scope};
use crate::rules::security::util::{capability_is, is_true, is_windows_pod, Sc, WithPatch};
use serde_json::Value;

declare_rule! {
    /// ## What it does
    /// Flags containers that do not set `securityContext.allowPrivilegeEscalation`
    /// explicitly to `false`. As in Polaris, leaving it unset fails: the
    /// runtime default allows escalation.
    ///
    /// Polaris also merges in a pod-level `allowPrivilegeEscalation`, a field
    /// that does not exist in Kubernetes; eyelint judges the container field
    /// only, which gives the same results on every real object.
    ///
    /// Not applicable to pods with `spec.os.name: windows`, where Kubernetes
    /// forbids the field.
    ///
    /// ## Why it matters
    /// Without `no_new_privs`, a process can gain privileges through setuid
    /// binaries or file capabilities, turning a foothold in the container into
    /// root inside it.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: Job
    /// metadata:
    ///   name: migrate
    /// spec:
    ///   template:
    ///     spec:
    ///       restartPolicy: Never
    ///       containers:
    ///         - name: migrate
    ///           image: registry.example.com/migrate:0.9
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: Job
    /// metadata:
    ///   name: migrate
    /// spec:
    ///   template:
    ///     spec:
    ///       restartPolicy: Never
    ///       containers:
    ///         - name: migrate
    ///           image: registry.example.com/migrate:0.9
    ///           securityContext:
    ///             allowPrivilegeEscalation: false
    /// ```
    ///
    /// ## Config
    /// `checks.privilegeEscalationAllowed: danger` (default). No options.
    ///
    /// ## Roles inspected
    /// Every role: containers, init containers, native sidecars and ephemeral
    /// containers.
    ///
    /// ## Fix safety
    /// Safe: sets `allowPrivilegeEscalation: false` (adding the
    /// `securityContext` when missing). It only stops processes from gaining
    /// more privilege than they start with. Unsafe instead when the container
    /// is privileged or adds `SYS_ADMIN`: the API server rejects
    /// `allowPrivilegeEscalation: false` together with those, so the fix
    /// needs them removed too.
    pub struct PrivilegeEscalationAllowed;
    meta {
        id: "privilegeEscalationAllowed",
        category: Category::Security,
        severity: Severity::Danger,
        scope: Scope::Container(Roles::ALL),
        kinds: &[],
        needs: &[],
        fix: Some(FixSafety::Safe),
        summary: "container allows privilege escalation",
    }
}

impl Rule for PrivilegeEscalationAllowed {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let Some(c) = cx.container else { return };
        let field = "allowPrivilegeEscalation";
        let sc = Sc::of(c);
        let v = sc.field(field);
        if v == Some(&Value::Bool(false)) {
            return;
        }
        // Checked last: only a failure needs to know (the API forbids these
        // fields on Windows pods).
        if is_windows_pod(cx) {
            out.not_applicable();
            return;
        }
        let msg = if v.is_some() {
            "privilege escalation is allowed (allowPrivilegeEscalation is not false)"
        } else {
            "privilege escalation is allowed (allowPrivilegeEscalation is not set to false)"
        };
        let conflicts = is_true(sc.field("privileged"))
            || sc
                .cap_list("add")
                .any(|(_, cap)| capability_is(cap, "SYS_ADMIN"));
        let safety = if conflicts {
            FixSafety::Unsafe
        } else {
            FixSafety::Safe
        };
        out.fail(sc.field_path(field), msg)
            .with_patch(sc.set_ops(field, Value::Bool(false)), safety);
    }
}
