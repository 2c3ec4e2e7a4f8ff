use crate::declare_rule;
use crate::finding::{Category, FixSafety, Severity};
use crate::object::Roles;
use crate::rule::{Ctx, Emitter, Rule, RuleMeta, Scope};

use super::{check_resource, ResourceField};

declare_rule! {
    /// ## What it does
    /// Flags long-running containers whose `resources.limits.cpu` is not set,
    /// is empty, is not a valid Kubernetes quantity, has no digits (`m`, which the
    /// API server reads as 0), is 0, or is negative.
    ///
    /// ## Why it matters
    /// a container without a CPU limit can use every idle core of its node, so its latency depends on what its neighbours do, and a runaway process slows every other pod on the node.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// spec:
    ///   replicas: 2
    ///   selector:
    ///     matchLabels:
    ///       app: web
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: web
    ///     spec:
    ///       containers:
    ///         - name: app
    ///           image: registry.example.com/web:1.4.2
    ///           resources:
    ///             requests:
    ///               memory: 256Mi
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// spec:
    ///   replicas: 2
    ///   selector:
    ///     matchLabels:
    ///       app: web
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: web
    ///     spec:
    ///       containers:
    ///         - name: app
    ///           image: registry.example.com/web:1.4.2
    ///           resources:
    ///             limits:
    ///               cpu: 500m
    /// ```
    ///
    /// ## Config
    /// `checks.cpuLimitsMissing: warning` (default). No options.
///
/// ### Differences from Polaris
/// - Quantities are read by value: `cpu: 1` written as a YAML number counts
///   as set (Polaris's schema wants a string, so a bare number fails there).
/// - An empty string counts as not set, and a value that is not a valid
///   quantity (`cpu: lots`) or is negative fails with a message saying so.
///   Quantities are read as the API server reads them (blanks trimmed, `1e-10`
///   rounded up to `1n`); a number with no digits (`m`, what
///   `"{{ .Values.cpu }}m"` renders to when the value is unset) is 0 to
///   the API server, and fails here, as does a zero (`0`, `0m`): Kubernetes
///   reads it as nothing (the kubelet then sets no limit, and QoS classes ignore it), where
///   Polaris's schema passes any non-empty string.
/// - Native sidecars are inspected; Polaris skips every init container.
    ///
    /// ## Roles inspected
    /// Containers and native sidecars (init containers with
    /// `restartPolicy: Always`). Plain init containers run one at a time
    /// before the pod starts and ephemeral containers cannot declare
    /// resources, so neither is inspected.
    ///
    /// ## Fix safety
    /// Unsafe: writes a placeholder of `100m`, or the container's CPU request when that is higher (the API server refuses a request above its limit). A limit below what the container really uses throttles it (slow responses, failing probes). Set a value measured from the workload. The patch creates `resources` and `limits` when they are missing.
    pub struct CpuLimitsMissing;
    meta {
        id: "cpuLimitsMissing",
        category: Category::Efficiency,
        severity: Severity::Warning,
        scope: Scope::Container(Roles::RUNNING),
        kinds: &[],
        needs: &[],
        fix: Some(FixSafety::Unsafe),
        summary: "container has no CPU limit",
    }
}

const FIELD: ResourceField = ResourceField {
    section: "limits",
    resource: "cpu",
    noun: "cpu limit",
    placeholder: "100m",
};

impl Rule for CpuLimitsMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        check_resource(cx, out, &FIELD);
    }
}
