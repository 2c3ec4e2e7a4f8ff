use crate::declare_rule;
use crate::finding::{Category, FixSafety, Severity};
use crate::object::Field;
use crate::object::Roles;
use crate::rule::{Ctx, Emitter, Rule, Scope};
use crate::rules::security::util::{
    add, capability_is, drop_is, is_windows_pod, sub, Sc, WithPatch,
};
use serde_json::{json, Map, Value};

/// The capabilities a container runtime grants by default that Polaris
/// accepts dropping one by one instead of dropping `ALL`.
const INSECURE_DEFAULTS: [&str; 15] = [
    "NET_ADMIN",
    "CHOWN",
    "DAC_OVERRIDE",
    "FSETID",
    "FOWNER",
    "MKNOD",
    "NET_RAW",
    "SETGID",
    "SETUID",
    "SETFCAP",
    "SETPCAP",
    "NET_BIND_SERVICE",
    "SYS_CHROOT",
    "KILL",
    "AUDIT_WRITE",
];

declare_rule! {
    /// ## What it does
    /// Flags containers that keep the runtime's default capabilities: their
    /// `securityContext.capabilities.drop` must contain `ALL`, or else every
    /// one of NET_ADMIN, CHOWN, DAC_OVERRIDE, FSETID, FOWNER, MKNOD, NET_RAW,
    /// SETGID, SETUID, SETFCAP, SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL
    /// and AUDIT_WRITE. `add` is not judged here (see `dangerousCapabilities`).
    ///
    /// Differences from Polaris, deliberate: a `drop` list containing `ALL`
    /// passes whatever else it lists (Polaris's `oneOf` fails a list holding
    /// both `ALL` and the fifteen names), and names compare case-insensitively.
    /// A name spelled with the `CAP_` prefix (`CAP_NET_RAW`, `CAP_ALL`) counts
    /// as nothing dropped: containerd, the runtime of most clusters, puts
    /// `CAP_` before every entry itself and so drops nothing for it (CRI-O
    /// accepts both spellings).
    ///
    /// Not applicable to pods with `spec.os.name: windows`, where Kubernetes
    /// forbids the field.
    ///
    /// ## Why it matters
    /// The default set includes capabilities an attacker can use to spoof
    /// traffic (`NET_RAW`), change file ownership and permissions, or kill
    /// processes. Almost no application needs them; dropping `ALL` and adding
    /// back the one or two a workload needs is the robust pattern.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: worker
    /// spec:
    ///   containers:
    ///     - name: worker
    ///       image: registry.example.com/worker:4.0
    ///       securityContext:
    ///         capabilities:
    ///           drop: ["NET_RAW"]
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: worker
    /// spec:
    ///   containers:
    ///     - name: worker
    ///       image: registry.example.com/worker:4.0
    ///       securityContext:
    ///         capabilities:
    ///           drop: ["all"]
    ///           add: ["NET_BIND_SERVICE"]
    /// ```
    ///
    /// ## Config
    /// `checks.insecureCapabilities: warning` (default). No options.
    ///
    /// ## Roles inspected
    /// Every role: containers, init containers, native sidecars and ephemeral
    /// containers.
    ///
    /// ## Fix safety
    /// Unsafe: sets `capabilities` to `drop: [ALL]`, keeping the `add` entries
    /// other than `ALL` (adding the `securityContext` when missing). An
    /// application that relies on a default capability (binding a port below
    /// 1024, changing file ownership) fails until it is added back.
    pub struct InsecureCapabilities;
    meta {
        id: "insecureCapabilities",
        category: Category::Security,
        severity: Severity::Warning,
        scope: Scope::Container(Roles::ALL),
        kinds: &[],
        needs: &[],
        fix: Some(FixSafety::Unsafe),
        summary: "container keeps the runtime's default capabilities",
    }
}

impl Rule for InsecureCapabilities {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let Some(c) = cx.container else { return };
        let sc = Sc::of(c);
        let mut seen = [false; INSECURE_DEFAULTS.len()];
        for (_, cap) in sc.cap_list("drop") {
            if drop_is(cap, "ALL") {
                return;
            }
            for (i, name) in INSECURE_DEFAULTS.iter().enumerate() {
                if drop_is(cap, name) {
                    seen[i] = true;
                }
            }
        }
        if seen.iter().all(|s| *s) {
            return;
        }
        // Checked last: only a failure needs to know (the API forbids these
        // fields on Windows pods).
        if is_windows_pod(cx) {
            out.not_applicable();
            return;
        }
        let missing: Vec<&str> = INSECURE_DEFAULTS
            .iter()
            .zip(seen)
            .filter(|(_, s)| !s)
            .map(|(n, _)| *n)
            .collect();
        let path = match sc.capabilities() {
            Some(m) if m.field("drop").is_some_and(|d| !d.is_null()) => {
                sub(&c.path, &["securityContext", "capabilities", "drop"])
            }
            Some(_) => sub(&c.path, &["securityContext", "capabilities"]),
            None => sc.field_path("capabilities"),
        };
        let msg = if missing.len() == INSECURE_DEFAULTS.len() {
            "container keeps the default capabilities (capabilities.drop does not contain ALL)"
                .to_string()
        } else {
            format!(
                "container keeps default capabilities: {} (drop ALL instead)",
                missing.join(", ")
            )
        };
        // The fix: drop ALL, keep what is added other than ALL.
        let kept: Vec<Value> = sc
            .cap_list("add")
            .filter(|(_, cap)| !capability_is(cap, "ALL"))
            .map(|(_, cap)| Value::String(cap.to_string()))
            .collect();
        let mut new_caps = Map::new();
        new_caps.insert("drop".to_string(), json!(["ALL"]));
        if !kept.is_empty() {
            new_caps.insert("add".to_string(), Value::Array(kept));
        }
        let op = if sc.map.is_some() {
            add(
                &c.path,
                &["securityContext", "capabilities"],
                Value::Object(new_caps),
            )
        } else {
            add(
                &c.path,
                &["securityContext"],
                json!({"capabilities": new_caps}),
            )
        };
        out.fail(path, msg).with_patch(vec![op], FixSafety::Unsafe);
    }
}
