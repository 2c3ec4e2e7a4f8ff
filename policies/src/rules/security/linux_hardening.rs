use crate::declare_rule;
use crate::finding::{Category, FixSafety, Severity};
use crate::object::Field;
use crate::object::Roles;
use crate::rule::{Ctx, Emitter, Rule, Scope};
use crate::rules::security::util::{capability_is, drops_something, is_windows_pod, Sc, WithPatch};
use serde_json::{json, Value};

/// Prefix of the (deprecated) per-container AppArmor annotation.
const APPARMOR_ANNOTATION: &str = "container.apparmor.security.beta.kubernetes.io/";

declare_rule! {
    /// ## What it does
    /// Flags containers that use none of the Linux hardening mechanisms. A
    /// container passes when any one of these holds:
    /// - **AppArmor:** the pod template carries the annotation
    ///   `container.apparmor.security.beta.kubernetes.io/<container name>`
    ///   with a value other than `unconfined`, or the container's
    ///   `securityContext.appArmorProfile` (else the pod's) has a `type`
    ///   other than `Unconfined`;
    /// - **seccomp:** the container's `securityContext.seccompProfile.type`
    ///   (else the pod's) is set and is not `Unconfined`;
    /// - **SELinux:** a non-empty `seLinuxOptions` on the container or the pod;
    /// - **capabilities:** `capabilities.drop` lists at least one capability
    ///   and `capabilities.add` does not contain `ALL`.
    ///
    /// Differences from Polaris, deliberate: an `unconfined` AppArmor
    /// annotation does not count (Polaris accepts any value), the
    /// `appArmorProfile` field (Kubernetes 1.30+) counts (Polaris ignores it),
    /// and a `drop` entry spelled with the `CAP_` prefix does not count:
    /// containerd puts `CAP_` before every entry itself, so it drops nothing
    /// for one (see `insecureCapabilities`).
    ///
    /// Not applicable to pods with `spec.os.name: windows`, where Kubernetes
    /// forbids these fields.
    ///
    /// ## Why it matters
    /// seccomp, AppArmor and SELinux confine what a compromised process can
    /// ask of the kernel; dropping capabilities removes privileges it would
    /// otherwise inherit. A container with none of them relies on the
    /// container boundary alone.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
    /// spec:
    ///   selector:
    ///     matchLabels:
    ///       app: api
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: api
    ///       annotations:
    ///         container.apparmor.security.beta.kubernetes.io/api: unconfined
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: registry.example.com/api:1.4
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
    /// spec:
    ///   selector:
    ///     matchLabels:
    ///       app: api
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: api
    ///     spec:
    ///       securityContext:
    ///         seccompProfile:
    ///           type: RuntimeDefault
    ///       containers:
    ///         - name: api
    ///           image: registry.example.com/api:1.4
    /// ```
    ///
    /// ## Config
    /// `checks.linuxHardening: warning` (default; Polaris's documentation
    /// says `danger`, its configuration `warning`). No options.
    ///
    /// ## Roles inspected
    /// Every role: containers, init containers, native sidecars and ephemeral
    /// containers.
    ///
    /// ## Fix safety
    /// Unsafe: sets the container's `seccompProfile` to `RuntimeDefault`
    /// (adding the `securityContext` when missing). The runtime's default
    /// profile blocks rarely used system calls, which a few applications
    /// (debuggers, some JIT runtimes) need.
    pub struct LinuxHardening;
    meta {
        id: "linuxHardening",
        category: Category::Security,
        severity: Severity::Warning,
        scope: Scope::Container(Roles::ALL),
        kinds: &[],
        needs: &[],
        fix: Some(FixSafety::Unsafe),
        summary: "container uses no Linux hardening (seccomp, AppArmor, SELinux, dropped capabilities)",
    }
}

/// `profile.type` when set and not `Unconfined` (the profile confines).
fn confining(profile: Option<&Value>) -> Option<bool> {
    let t = profile?.field("type")?.as_str()?;
    Some(!t.eq_ignore_ascii_case("Unconfined"))
}

/// The container's profile decides when it sets one; otherwise the pod's.
fn profile_confines(container: Option<&Value>, pod: Option<&Value>, field: &str) -> bool {
    let from = |sc: Option<&Value>| confining(sc.and_then(|s| s.field(field)));
    from(container).or_else(|| from(pod)).unwrap_or(false)
}

fn non_empty_object(v: Option<&Value>) -> bool {
    v.and_then(Value::as_object).is_some_and(|m| !m.is_empty())
}

impl Rule for LinuxHardening {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let (Some(c), Some(w)) = (cx.container, cx.workload()) else {
            return;
        };
        let sc = Sc::of(c);
        let csc = c.value.field("securityContext");
        let psc = cx.pod_security_context();
        // AppArmor through the annotation.
        let annotation_ok = || {
            w.pod_annotations().is_some_and(|a| {
                a.iter().any(|(k, v)| {
                    k.strip_prefix(APPARMOR_ANNOTATION) == Some(c.name)
                        && v.as_str()
                            .is_some_and(|s| !s.trim().eq_ignore_ascii_case("unconfined"))
                })
            })
        };
        if profile_confines(csc, psc, "seccompProfile")
            || non_empty_object(csc.and_then(|s| s.field("seLinuxOptions")))
            || non_empty_object(psc.and_then(|s| s.field("seLinuxOptions")))
            || profile_confines(csc, psc, "appArmorProfile")
            || annotation_ok()
        {
            return;
        }
        let drops_some = sc.cap_list("drop").any(|(_, cap)| drops_something(cap));
        let adds_all = sc.cap_list("add").any(|(_, cap)| capability_is(cap, "ALL"));
        if drops_some && !adds_all {
            return;
        }
        // Checked last: only a failure needs to know (the API forbids these
        // fields on Windows pods).
        if is_windows_pod(cx) {
            out.not_applicable();
            return;
        }
        let msg = if adds_all {
            "container adds ALL capabilities and has no seccomp, AppArmor or SELinux profile"
        } else {
            "container has no seccomp, AppArmor or SELinux profile and drops no capabilities"
        };
        out.fail(sc.field_path("seccompProfile"), msg).with_patch(
            sc.set_ops("seccompProfile", json!({"type": "RuntimeDefault"})),
            FixSafety::Unsafe,
        );
    }
}
