use crate::declare_rule;
use crate::finding::{Category, FixSafety, Severity};
use crate::object::Field;
use crate::rule::{Ctx, Emitter, Rule, Scope};
use serde_json::{json, Value};

declare_rule! {
    /// ## What it does
    /// Flags pods that set `hostIPC: true`.
    ///
    /// ## Why it matters
    /// A pod in the host's IPC namespace can read and write the shared memory
    /// and message queues of every process on the node, including other
    /// tenants' workloads and the kubelet's neighbours.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: shm-reader
    /// spec:
    ///   hostIPC: true
    ///   containers:
    ///     - name: app
    ///       image: registry.example.com/app:1.0
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: shm-reader
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: registry.example.com/app:1.0
    /// ```
    ///
    /// ## Config
    /// `checks.hostIPCSet: danger` (default). No options.
    ///
    /// ## Roles inspected
    /// None: a pod-level setting.
    ///
    /// ## Fix safety
    /// Safe: removes `hostIPC`. A workload that really shares memory with the
    /// host needs an exemption instead.
    pub struct HostIpcSet;
    meta {
        id: "hostIPCSet",
        category: Category::Security,
        severity: Severity::Danger,
        scope: Scope::Workload,
        kinds: &[],
        needs: &[],
        fix: Some(FixSafety::Safe),
        summary: "pod shares the host's IPC namespace",
    }
}

impl Rule for HostIpcSet {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let Some(w) = cx.workload() else { return };
        if w.pod_spec.field("hostIPC") == Some(&Value::Bool(true)) {
            let path = w.pod_spec_path.key("hostIPC");
            out.fail(path.clone(), "host IPC namespace is shared (hostIPC: true)")
                .with_fix(
                    vec![json!({"op": "remove", "path": path.to_pointer()})],
                    FixSafety::Safe,
                );
        }
    }
}
