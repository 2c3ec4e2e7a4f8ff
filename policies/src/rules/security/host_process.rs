use crate::declare_rule;
use crate::finding::{Category, Severity};
use crate::object::Field;
use crate::object::Roles;
use crate::rule::{Ctx, Emitter, Rule, Scope};
use crate::rules::security::util::{sub, Sc};
use serde_json::Value;

declare_rule! {
    /// ## What it does
    /// Flags containers that run as Windows host processes: the container's
    /// effective `securityContext.windowsOptions.hostProcess` is `true`. The
    /// container's own setting wins; when it has none, the pod's
    /// `securityContext.windowsOptions.hostProcess` applies (Kubernetes
    /// semantics). The finding points at whichever field sets it.
    ///
    /// Polaris checks only `containers` (not init containers) and any
    /// pod-level `true`; eyelint inspects every role, and a container that
    /// explicitly sets `hostProcess: false` is not blamed for the pod's value.
    ///
    /// ## Why it matters
    /// A HostProcess container runs directly on the Windows node with the
    /// node's privileges, network and filesystem: the Windows equivalent of a
    /// privileged container. Pod Security's Baseline profile forbids it.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: win-agent
    /// spec:
    ///   securityContext:
    ///     windowsOptions:
    ///       hostProcess: true
    ///       runAsUserName: "NT AUTHORITY\\SYSTEM"
    ///   hostNetwork: true
    ///   nodeSelector:
    ///     kubernetes.io/os: windows
    ///   containers:
    ///     - name: agent
    ///       image: registry.example.com/win-agent:1.0
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: win-agent
    /// spec:
    ///   nodeSelector:
    ///     kubernetes.io/os: windows
    ///   containers:
    ///     - name: agent
    ///       image: registry.example.com/win-agent:1.0
    ///       securityContext:
    ///         windowsOptions:
    ///           hostProcess: false
    /// ```
    ///
    /// ## Config
    /// `checks.hostProcess: warning` (default). No options.
    ///
    /// ## Roles inspected
    /// Every role: containers, init containers, native sidecars and ephemeral
    /// containers.
    ///
    /// ## Fix safety
    /// No fix: a HostProcess workload cannot simply run as a normal container
    /// (it also needs host networking and a host user), so it needs redesign
    /// or an exemption.
    pub struct HostProcess;
    meta {
        id: "hostProcess",
        category: Category::Security,
        severity: Severity::Warning,
        scope: Scope::Container(Roles::ALL),
        kinds: &[],
        needs: &[],
        fix: None,
        summary: "container runs as a Windows host process",
    }
}

fn host_process(sc: Option<&serde_json::Map<String, Value>>) -> Option<bool> {
    sc?.field("windowsOptions")?.field("hostProcess")?.as_bool()
}

impl Rule for HostProcess {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let (Some(c), Some(w)) = (cx.container, cx.workload()) else {
            return;
        };
        match host_process(Sc::of(c).map) {
            Some(true) => {
                let path = sub(
                    &c.path,
                    &["securityContext", "windowsOptions", "hostProcess"],
                );
                out.fail(
                    path,
                    "container runs as a Windows host process (hostProcess: true)",
                );
            }
            Some(false) => {}
            None => {
                let pod_sc = cx.pod_security_context().and_then(Value::as_object);
                if host_process(pod_sc) == Some(true) {
                    let path = sub(
                        &w.pod_spec_path,
                        &["securityContext", "windowsOptions", "hostProcess"],
                    );
                    out.fail(
                        path,
                        "container runs as a Windows host process (pod-level hostProcess: true)",
                    );
                }
            }
        }
    }
}
