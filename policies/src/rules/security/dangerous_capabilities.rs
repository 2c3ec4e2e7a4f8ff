use crate::declare_rule;
use crate::finding::{Category, FixSafety, Severity};
use crate::object::Field;
use crate::object::Roles;
use crate::rule::{Ctx, Emitter, Rule, Scope};
use crate::rules::security::util::{capability_is, remove, replace, sub, Sc, WithPatch};
use serde_json::Value;

/// Capabilities this rule refuses in `capabilities.add`.
const DANGEROUS: [&str; 3] = ["ALL", "SYS_ADMIN", "NET_ADMIN"];

declare_rule! {
    /// ## What it does
    /// Flags containers whose `securityContext.capabilities.add` lists `ALL`,
    /// `SYS_ADMIN` or `NET_ADMIN`. Names compare case-insensitively and with
    /// or without the `CAP_` prefix (`cap_sys_admin` counts): CRI-O grants
    /// either spelling. One finding per container, at its `capabilities.add`.
    ///
    /// ## Why it matters
    /// `SYS_ADMIN` is close to full root on the node (mounts, namespaces, BPF),
    /// `NET_ADMIN` lets the container rewrite routing and firewall rules of
    /// its network namespace (and the node's, with host networking), and
    /// `ALL` grants everything.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: DaemonSet
    /// metadata:
    ///   name: net-tuner
    /// spec:
    ///   selector:
    ///     matchLabels:
    ///       app: net-tuner
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: net-tuner
    ///     spec:
    ///       containers:
    ///         - name: tuner
    ///           image: registry.example.com/net-tuner:1.1
    ///           securityContext:
    ///             capabilities:
    ///               add: ["net_admin"]
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: DaemonSet
    /// metadata:
    ///   name: net-tuner
    /// spec:
    ///   selector:
    ///     matchLabels:
    ///       app: net-tuner
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: net-tuner
    ///     spec:
    ///       containers:
    ///         - name: tuner
    ///           image: registry.example.com/net-tuner:1.1
    ///           securityContext:
    ///             capabilities:
    ///               drop: ["ALL"]
    ///               add: ["NET_BIND_SERVICE"]
    /// ```
    ///
    /// ## Config
    /// `checks.dangerousCapabilities: danger` (default). No options.
    ///
    /// ## Roles inspected
    /// Every role: containers, init containers, native sidecars and ephemeral
    /// containers.
    ///
    /// ## Fix safety
    /// Unsafe: removes the dangerous entries from `add` (the whole `add`, or
    /// the whole `capabilities` when nothing else is left). A workload that
    /// really needs them stops working.
    pub struct DangerousCapabilities;
    meta {
        id: "dangerousCapabilities",
        category: Category::Security,
        severity: Severity::Danger,
        scope: Scope::Container(Roles::ALL),
        kinds: &[],
        needs: &[],
        fix: Some(FixSafety::Unsafe),
        summary: "container adds dangerous capabilities",
    }
}

fn is_dangerous(cap: &str) -> bool {
    DANGEROUS.iter().any(|d| capability_is(cap, d))
}

impl Rule for DangerousCapabilities {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let Some(c) = cx.container else { return };
        let sc = Sc::of(c);
        let mut found: Vec<&str> = Vec::new();
        for (_, cap) in sc.cap_list("add") {
            if is_dangerous(cap) {
                found.push(cap);
            }
        }
        if found.is_empty() {
            return;
        }
        let caps_keys = ["securityContext", "capabilities"];
        let add_keys = ["securityContext", "capabilities", "add"];
        let msg = format!(
            "container adds dangerous capabilities: {}",
            found.join(", ")
        );
        // What remains of `add` (non-strings are kept as they are).
        let caps = sc.capabilities();
        let add = caps.and_then(|m| m.field("add")).and_then(Value::as_array);
        let remaining: Vec<Value> = add
            .into_iter()
            .flatten()
            .filter(|v| !v.as_str().is_some_and(is_dangerous))
            .cloned()
            .collect();
        let only_add = caps.is_some_and(|m| m.len() == 1);
        let op = if !remaining.is_empty() {
            replace(&c.path, &add_keys, Value::Array(remaining))
        } else if only_add {
            remove(&c.path, &caps_keys)
        } else {
            remove(&c.path, &add_keys)
        };
        out.fail(sub(&c.path, &add_keys), msg)
            .with_patch(vec![op], FixSafety::Unsafe);
    }
}
