use crate::declare_rule;
use crate::finding::{Category, FixSafety, Severity};
use crate::object::Roles;
use crate::rule::{Ctx, Emitter, Rule, Scope};
use crate::rules::security::util::{is_true, is_windows_pod, Sc, WithPatch};
use serde_json::Value;

declare_rule! {
    /// ## What it does
    /// Flags containers whose `securityContext.readOnlyRootFilesystem` is not
    /// `true` (missing counts as not set).
    ///
    /// Polaris merges in a pod-level `readOnlyRootFilesystem`, a field that
    /// does not exist in Kubernetes; eyelint judges the container field only,
    /// which gives the same results on every real object.
    ///
    /// Not applicable to pods with `spec.os.name: windows`, where Kubernetes
    /// forbids the field.
    ///
    /// ## Why it matters
    /// A writable root filesystem lets an attacker who gained code execution
    /// drop tools, modify binaries and persist across process restarts.
    /// Writable paths an application needs belong on explicit volumes
    /// (`emptyDir`).
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: StatefulSet
    /// metadata:
    ///   name: cache
    /// spec:
    ///   serviceName: cache
    ///   selector:
    ///     matchLabels:
    ///       app: cache
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: cache
    ///     spec:
    ///       containers:
    ///         - name: cache
    ///           image: registry.example.com/cache:7.2
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: StatefulSet
    /// metadata:
    ///   name: cache
    /// spec:
    ///   serviceName: cache
    ///   selector:
    ///     matchLabels:
    ///       app: cache
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: cache
    ///     spec:
    ///       containers:
    ///         - name: cache
    ///           image: registry.example.com/cache:7.2
    ///           securityContext:
    ///             readOnlyRootFilesystem: true
    ///           volumeMounts:
    ///             - name: tmp
    ///               mountPath: /tmp
    ///       volumes:
    ///         - name: tmp
    ///           emptyDir: {}
    /// ```
    ///
    /// ## Config
    /// `checks.notReadOnlyRootFilesystem: warning` (default). No options.
    ///
    /// ## Roles inspected
    /// Every role: containers, init containers, native sidecars and ephemeral
    /// containers.
    ///
    /// ## Fix safety
    /// Unsafe: sets `readOnlyRootFilesystem: true` (adding the
    /// `securityContext` when missing). Applications that write outside their
    /// volumes (temporary files, caches, pid files) fail until writable
    /// volumes are added.
    pub struct NotReadOnlyRootFilesystem;
    meta {
        id: "notReadOnlyRootFilesystem",
        category: Category::Security,
        severity: Severity::Warning,
        scope: Scope::Container(Roles::ALL),
        kinds: &[],
        needs: &[],
        fix: Some(FixSafety::Unsafe),
        summary: "container's root filesystem is writable",
    }
}

impl Rule for NotReadOnlyRootFilesystem {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let Some(c) = cx.container else { return };
        let field = "readOnlyRootFilesystem";
        let sc = Sc::of(c);
        let v = sc.field(field);
        if is_true(v) {
            return;
        }
        // Checked last: only a failure needs to know (the API forbids these
        // fields on Windows pods).
        if is_windows_pod(cx) {
            out.not_applicable();
            return;
        }
        let msg = if v.is_some() {
            "root filesystem is writable (readOnlyRootFilesystem is not true)"
        } else {
            "root filesystem is writable (readOnlyRootFilesystem is not set)"
        };
        out.fail(sc.field_path(field), msg)
            .with_patch(sc.set_ops(field, Value::Bool(true)), FixSafety::Unsafe);
    }
}
