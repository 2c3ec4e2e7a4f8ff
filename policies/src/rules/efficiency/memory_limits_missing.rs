use crate::declare_rule;
use crate::finding::{Category, FixSafety, Severity};
use crate::object::Roles;
use crate::rule::{Ctx, Emitter, Rule, RuleMeta, Scope};

use super::{check_resource, ResourceField};

declare_rule! {
    /// ## What it does
    /// Flags long-running containers whose `resources.limits.memory` is not set,
    /// is empty, is not a valid Kubernetes quantity, has no digits (`Mi`, which the
    /// API server reads as 0), is 0, or is negative.
    ///
    /// ## Why it matters
    /// a container without a memory limit can grow until the node runs out of memory; the kernel then kills processes of other pods as well, and a leak in one workload takes down its neighbours.
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
    ///               cpu: 250m
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
    ///               memory: 512Mi
    /// ```
    ///
    /// ## Config
    /// `checks.memoryLimitsMissing: warning` (default). No options.
///
/// ### Differences from Polaris
/// - Quantities are read by value: `memory: 1` written as a YAML number counts
///   as set (Polaris's schema wants a string, so a bare number fails there).
/// - An empty string counts as not set, and a value that is not a valid
///   quantity (`memory: lots`) or is negative fails with a message saying so.
///   Quantities are read as the API server reads them (blanks trimmed, `1e-10`
///   rounded up to `1n`); a number with no digits (`Mi`, what
///   `"{{ .Values.memory }}Mi"` renders to when the value is unset) is 0 to
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
    /// Unsafe: writes a placeholder of `512Mi`, or the container's memory request when that is higher (the API server refuses a request above its limit). A limit below the container's real peak gets it OOM-killed in a restart loop. Set a value measured from the workload. The patch creates `resources` and `limits` when they are missing.
    pub struct MemoryLimitsMissing;
    meta {
        id: "memoryLimitsMissing",
        category: Category::Efficiency,
        severity: Severity::Warning,
        scope: Scope::Container(Roles::RUNNING),
        kinds: &[],
        needs: &[],
        fix: Some(FixSafety::Unsafe),
        summary: "container has no memory limit",
    }
}

const FIELD: ResourceField = ResourceField {
    section: "limits",
    resource: "memory",
    noun: "memory limit",
    placeholder: "512Mi",
};

impl Rule for MemoryLimitsMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        check_resource(cx, out, &FIELD);
    }
}
