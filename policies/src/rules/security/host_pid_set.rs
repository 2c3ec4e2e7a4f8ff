use crate::declare_rule;
use crate::finding::{Category, FixSafety, Severity};
use crate::object::Field;
use crate::rule::{Ctx, Emitter, Rule, Scope};
use crate::rules::security::util::{remove, WithPatch};
use serde_json::Value;

declare_rule! {
    /// ## What it does
    /// Flags pods that set `hostPID: true`.
    ///
    /// ## Why it matters
    /// A pod in the node's process namespace sees every process on the node,
    /// can read their environment and command lines (often holding secrets),
    /// and, with enough privilege, can signal or trace them.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: process-watcher
    /// spec:
    ///   selector:
    ///     matchLabels:
    ///       app: process-watcher
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: process-watcher
    ///     spec:
    ///       hostPID: true
    ///       containers:
    ///         - name: app
    ///           image: registry.example.com/watcher:1.0
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: process-watcher
    /// spec:
    ///   selector:
    ///     matchLabels:
    ///       app: process-watcher
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: process-watcher
    ///     spec:
    ///       hostPID: false
    ///       containers:
    ///         - name: app
    ///           image: registry.example.com/watcher:1.0
    /// ```
    ///
    /// ## Config
    /// `checks.hostPIDSet: danger` (default). No options.
    ///
    /// ## Roles inspected
    /// None: a pod-level setting.
    ///
    /// ## Fix safety
    /// Unsafe: removes `hostPID`. Node agents that inspect host processes
    /// (monitoring, debugging tools) stop working without it; such workloads
    /// need an exemption instead.
    pub struct HostPidSet;
    meta {
        id: "hostPIDSet",
        category: Category::Security,
        severity: Severity::Danger,
        scope: Scope::Workload,
        kinds: &[],
        needs: &[],
        fix: Some(FixSafety::Unsafe),
        summary: "pod shares the host's process namespace",
    }
}

impl Rule for HostPidSet {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let Some(w) = cx.workload() else { return };
        if w.pod_spec.field("hostPID") == Some(&Value::Bool(true)) {
            let op = remove(&w.pod_spec_path, &["hostPID"]);
            out.fail(
                w.pod_spec_path.key("hostPID"),
                "host process namespace is shared (hostPID: true)",
            )
            .with_patch(vec![op], FixSafety::Unsafe);
        }
    }
}
