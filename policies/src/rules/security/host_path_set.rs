use crate::declare_rule;
use crate::finding::{Category, Severity};
use crate::object::Field;
use crate::rule::{Ctx, Emitter, Rule, Scope};
use serde_json::Value;

declare_rule! {
    /// ## What it does
    /// Flags pods that mount a `hostPath` volume: one finding per such volume,
    /// at its `hostPath` field.
    ///
    /// Polaris expresses this as "`hostPath` must be the empty string", which
    /// in practice means "no hostPath volume"; eyelint says so directly. A
    /// `hostPath: null` entry is treated as unset.
    ///
    /// ## Why it matters
    /// A hostPath volume exposes the node's filesystem to the pod. Writable
    /// mounts of paths such as `/`, `/etc`, `/var/lib/kubelet` or the
    /// container runtime's socket are a direct route to taking over the node.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: DaemonSet
    /// metadata:
    ///   name: log-shipper
    /// spec:
    ///   selector:
    ///     matchLabels:
    ///       app: log-shipper
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: log-shipper
    ///     spec:
    ///       containers:
    ///         - name: shipper
    ///           image: registry.example.com/shipper:3.2
    ///           volumeMounts:
    ///             - name: logs
    ///               mountPath: /host/var/log
    ///       volumes:
    ///         - name: logs
    ///           hostPath:
    ///             path: /var/log
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: DaemonSet
    /// metadata:
    ///   name: log-shipper
    /// spec:
    ///   selector:
    ///     matchLabels:
    ///       app: log-shipper
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: log-shipper
    ///     spec:
    ///       containers:
    ///         - name: shipper
    ///           image: registry.example.com/shipper:3.2
    ///           volumeMounts:
    ///             - name: scratch
    ///               mountPath: /scratch
    ///       volumes:
    ///         - name: scratch
    ///           emptyDir: {}
    /// ```
    ///
    /// ## Config
    /// `checks.hostPathSet: warning` (default). No options.
    ///
    /// ## Roles inspected
    /// None: volumes are declared at pod level.
    ///
    /// ## Fix safety
    /// No fix: removing a volume that containers mount makes the pod invalid,
    /// and what should replace it depends on the workload.
    pub struct HostPathSet;
    meta {
        id: "hostPathSet",
        category: Category::Security,
        severity: Severity::Warning,
        scope: Scope::Workload,
        kinds: &[],
        needs: &[],
        fix: None,
        summary: "pod mounts a hostPath volume",
    }
}

impl Rule for HostPathSet {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let Some(w) = cx.workload() else { return };
        let Some(volumes) = w.pod_spec.field("volumes").and_then(Value::as_array) else {
            return;
        };
        for (i, v) in volumes.iter().enumerate() {
            let Some(hp) = v.field("hostPath").filter(|h| !h.is_null()) else {
                continue;
            };
            let name = v.field("name").and_then(Value::as_str).unwrap_or("");
            let host = hp.field("path").and_then(Value::as_str).unwrap_or("");
            let msg = if host.is_empty() {
                format!("volume `{name}` mounts a path of the node (hostPath)")
            } else {
                format!("volume `{name}` mounts the node's `{host}` (hostPath)")
            };
            out.fail(w.pod_spec_path.key("volumes").index(i).key("hostPath"), msg);
        }
    }
}
