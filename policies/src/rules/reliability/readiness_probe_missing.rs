use crate::declare_rule;
use crate::finding::{Category, FixSafety, Severity};
use crate::object::Roles;
use crate::rule::{Ctx, Emitter, Rule, RuleMeta, Scope};

use super::check_probe;

declare_rule! {
    /// ## What it does
    /// Flags long-running containers without a `readinessProbe`, or with one that
    /// has no valid handler (`exec` with a command, or `httpGet`, `tcpSocket` or
    /// `grpc` with a port).
    ///
    /// ## Why it matters
    /// Without a readiness probe a container counts as ready as soon as it starts, so Services send it traffic before it can answer, and a rolling update replaces old pods with new ones that may not work at all.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
    ///   namespace: shop
    /// spec:
    ///   replicas: 2
    ///   selector:
    ///     matchLabels:
    ///       app: api
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: api
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: registry.example.com/api:3.1.0
    ///           ports:
    ///             - containerPort: 8080
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
    ///   namespace: shop
    /// spec:
    ///   replicas: 2
    ///   selector:
    ///     matchLabels:
    ///       app: api
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: api
    ///     spec:
    ///       initContainers:
    ///         - name: migrate
    ///           image: registry.example.com/api-migrate:3.1.0
    ///       containers:
    ///         - name: api
    ///           image: registry.example.com/api:3.1.0
    ///           ports:
    ///             - containerPort: 8080
    ///           readinessProbe:
    ///             httpGet:
    ///               path: /healthz
    ///               port: 8080
    /// ```
    ///
    /// ## Config
    /// `checks.readinessProbeMissing: warning` (default). No options.
    ///
    /// Never applies to Jobs, CronJobs or Pods controlled by a Job: they run
    /// to completion, so they are not counted in the score either.
    ///
    /// ### Differences from Polaris
    /// - Native sidecars (init containers with `restartPolicy: Always`) are
    ///   inspected: they run for the pod's whole life and support probes.
    ///   Polaris skips every init container.
    /// - A probe the API server rejects fails: one without a handler
    ///   (`readinessProbe: {}`), with two, or whose handler lacks what it needs
    ///   (`exec` without a `command`, `httpGet`, `tcpSocket` or `grpc`
    ///   without a `port`). Polaris accepts any mapping.
    ///
    /// ## Roles inspected
    /// Containers and native sidecars. Plain init containers run to
    /// completion before the pod starts and ephemeral containers cannot have
    /// probes, so neither is inspected.
    ///
    /// ## Fix safety
    /// Unsafe: the probe is invented. When the container declares a port the
    /// fix probes it over TCP; otherwise it writes Polaris's placeholder
    /// (`exec: cat /tmp/healthy`), which fails unless the image creates that
    /// file. A failing readiness probe keeps the pod out of its Services. Replace it with a
    /// real health check.
    pub struct ReadinessProbeMissing;
    meta {
        id: "readinessProbeMissing",
        category: Category::Reliability,
        severity: Severity::Warning,
        scope: Scope::Container(Roles::RUNNING),
        kinds: &[],
        needs: &[],
        fix: Some(FixSafety::Unsafe),
        summary: "container has no readiness probe",
    }
}

impl Rule for ReadinessProbeMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        check_probe(cx, out, "readinessProbe", "readiness probe");
    }
}
