use crate::object::Field;
use serde_json::Value;

use super::util::{add, set_fix, sub};

use crate::declare_rule;
use crate::finding::{Category, FixSafety, Severity};
use crate::image::Pin;
use crate::object::Roles;
use crate::rule::{Ctx, Emitter, Rule, RuleMeta, Scope};

declare_rule! {
    /// ## What it does
    /// Flags containers whose `imagePullPolicy` is not `Always`, unless the
    /// image is pinned by digest.
    ///
    /// ## Why it matters
    /// With `IfNotPresent` (or `Never`) a node runs whatever image it cached
    /// under that tag: after a tag is re-pushed, different nodes run
    /// different code. `Always` also makes the kubelet check the pod's
    /// registry credentials, so a pod cannot use a private image another pod
    /// already pulled onto the node.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: registry.example.com/web:1.4.2
    ///       imagePullPolicy: IfNotPresent
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: registry.example.com/web:1.4.2
    ///       imagePullPolicy: Always
    ///     - name: proxy
    ///       image: registry.example.com/proxy@sha256:0f3c9d1b6e2a4c8f7d5e3b1a9c7e5d3b1f9e7d5c3b1a9f7e5d3c1b9a7f5e3d1c
    ///       imagePullPolicy: IfNotPresent
    /// ```
    ///
    /// ## Config
    /// `checks.pullPolicyNotAlways: warning` (default). No options. The rule
    /// is in the default `mutations` list (as in Polaris), but its fix is
    /// unsafe, so the webhook applies it only when it is also listed under
    /// `admission.unsafeMutations`.
    ///
    /// ### Differences from Polaris
    /// - A digest-pinned image (`app@sha256:…`) **passes** whatever its pull
    ///   policy (Polaris #1058): the digest already guarantees every node runs
    ///   the same bytes.
    /// - Like Polaris, an unset policy fails even where the API server would
    ///   default it to `Always` (untagged or `latest` images): that default
    ///   silently turns into `IfNotPresent` as soon as someone adds a tag.
    ///
    /// ## Roles inspected
    /// Every role: containers, init containers, native sidecars and ephemeral
    /// containers all pull their image the same way.
    ///
    /// ## Fix safety
    /// Unsafe: sets `imagePullPolicy: Always`. Every container start then
    /// needs the registry: while it is unreachable (outage, rate limit,
    /// air-gapped nodes that rely on preloaded images) pods stop starting on
    /// restarts and rescheduling where they used to run from the cache.
    pub struct PullPolicyNotAlways;
    meta {
        id: "pullPolicyNotAlways",
        category: Category::Reliability,
        severity: Severity::Warning,
        scope: Scope::Container(Roles::ALL),
        kinds: &[],
        needs: &[],
        fix: Some(FixSafety::Unsafe),
        summary: "image pull policy is not Always",
    }
}

impl Rule for PullPolicyNotAlways {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let Some(c) = cx.container else { return };
        let policy = c.value.field("imagePullPolicy");
        if policy.and_then(Value::as_str) == Some("Always") {
            return;
        }
        if let Some(image) = c.value.field("image").and_then(Value::as_str) {
            if Pin::parse(image).is_digest_pinned() {
                return;
            }
        }
        let hit = match policy {
            None | Some(Value::Null) => out.fail(c.path.clone(), "imagePullPolicy is not set"),
            Some(Value::String(p)) => out.fail(
                sub(&c.path, &["imagePullPolicy"]),
                format!("imagePullPolicy is `{p}`, not `Always`"),
            ),
            Some(other) => out.fail(
                sub(&c.path, &["imagePullPolicy"]),
                format!("imagePullPolicy `{other}` is not a string"),
            ),
        };
        let fix = add(&c.path, &["imagePullPolicy"], Value::from("Always"));
        set_fix(hit, vec![fix], FixSafety::Unsafe);
    }
}
