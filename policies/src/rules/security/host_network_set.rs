use crate::declare_rule;
use crate::finding::{Category, FixSafety, Severity};
use crate::object::Field;
use crate::rule::{Ctx, Emitter, Rule, Scope};
use crate::rules::security::util::{remove, WithPatch};
use serde_json::Value;

declare_rule! {
    /// ## What it does
    /// Flags pods that set `hostNetwork: true`.
    ///
    /// ## Why it matters
    /// A pod on the node's network stack bypasses NetworkPolicies, can bind
    /// any port of the node, sniff traffic on the node's interfaces and reach
    /// services listening on the node's loopback (the kubelet, metadata
    /// endpoints).
    ///
    /// Polaris's default configuration rates this check `danger` while its
    /// documentation says `warning`; eyelint follows the configuration.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   hostNetwork: true
    ///   containers:
    ///     - name: web
    ///       image: registry.example.com/web:2.1
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
    /// ```
    ///
    /// ## Config
    /// `checks.hostNetworkSet: danger` (default). No options.
    ///
    /// ## Roles inspected
    /// None: a pod-level setting.
    ///
    /// ## Fix safety
    /// Unsafe: removes `hostNetwork`. The pod then gets its own IP address,
    /// so anything that reached it on the node's address, and CNI or node
    /// agents that need the host network, break.
    pub struct HostNetworkSet;
    meta {
        id: "hostNetworkSet",
        category: Category::Security,
        severity: Severity::Danger,
        scope: Scope::Workload,
        kinds: &[],
        needs: &[],
        fix: Some(FixSafety::Unsafe),
        summary: "pod uses the host's network namespace",
    }
}

impl Rule for HostNetworkSet {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let Some(w) = cx.workload() else { return };
        if w.pod_spec.field("hostNetwork") == Some(&Value::Bool(true)) {
            let op = remove(&w.pod_spec_path, &["hostNetwork"]);
            out.fail(
                w.pod_spec_path.key("hostNetwork"),
                "host network namespace is used (hostNetwork: true)",
            )
            .with_patch(vec![op], FixSafety::Unsafe);
        }
    }
}
