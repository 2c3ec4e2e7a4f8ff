use crate::declare_rule;
use crate::finding::{Category, FixSafety, Severity};
use crate::object::Field;
use crate::object::Roles;
use crate::rule::{Ctx, Emitter, Rule, Scope};
use crate::rules::security::util::{remove, WithPatch};
use serde_json::Value;

declare_rule! {
    /// ## What it does
    /// Flags container ports that set a non-zero `hostPort`: one finding per
    /// port, at its `hostPort` field.
    ///
    /// ## Why it matters
    /// A host port binds the port on the node's address for the pod. It ties
    /// the pod to nodes where the port is free (limiting scheduling), exposes
    /// the container outside of Services and NetworkPolicy-aware paths, and
    /// lets a pod squat on ports other node services expect.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///     - name: web
    ///       image: registry.example.com/web:2.1
    ///       ports:
    ///         - containerPort: 8080
    ///           hostPort: 80
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///     - name: web
    ///       image: registry.example.com/web:2.1
    ///       ports:
    ///         - containerPort: 8080
    /// ```
    ///
    /// ## Config
    /// `checks.hostPortSet: warning` (default). No options.
    ///
    /// ## Roles inspected
    /// Every role: containers, init containers, native sidecars and ephemeral
    /// containers.
    ///
    /// ## Fix safety
    /// Unsafe: removes the `hostPort`. Clients that connect to the node's
    /// address on that port (an ingress controller exposed this way, a node
    /// agent) stop reaching the pod; expose it through a Service instead.
    pub struct HostPortSet;
    meta {
        id: "hostPortSet",
        category: Category::Security,
        severity: Severity::Warning,
        scope: Scope::Container(Roles::ALL),
        kinds: &[],
        needs: &[],
        fix: Some(FixSafety::Unsafe),
        summary: "container binds a port on the host",
    }
}

/// True when a `hostPort` value asks for a port on the node.
fn is_set(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.trim().is_empty() && s.trim() != "0",
        _ => true,
    }
}

impl Rule for HostPortSet {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let Some(c) = cx.container else { return };
        let Some(ports) = c.value.field("ports").and_then(Value::as_array) else {
            return;
        };
        for (i, p) in ports.iter().enumerate() {
            let Some(hp) = p.field("hostPort").filter(|v| is_set(v)) else {
                continue;
            };
            let mut path = c.path.key("ports");
            path.push_index(i);
            path.push_key("hostPort");
            let op = remove(&path, &[]);
            let shown = hp.as_str().map_or_else(|| hp.to_string(), str::to_string);
            out.fail(path, format!("container binds host port {shown}"))
                .with_patch(vec![op], FixSafety::Unsafe);
        }
    }
}
