use crate::declare_rule;
use crate::finding::{Category, Severity};
use crate::image::{registry_allowed, ImageRef};
use crate::object::Field;
use crate::object::Roles;
use crate::rule::{Ctx, Emitter, Rule, Scope};
use serde_json::Value;

declare_rule! {
    /// ## What it does
    /// Flags containers whose image does not come from one of the registries
    /// listed in the configuration's `allowedRegistries` (KubeEye's
    /// `PodSetImageRegistry`). Images without a registry host are Docker Hub
    /// images and count as `docker.io`; the first component of an image is
    /// its registry as the kubelet decides it (`localhost`, or it holds a `.`
    /// or `:`, or an upper-case letter). An entry is a registry host (with an
    /// optional port) or a host with a path prefix (`ghcr.io/my-org`);
    /// matching respects host and path boundaries, so `quay.io.evil.com/x`
    /// is not from `quay.io`, and `ghcr.io/my-org` does not allow
    /// `ghcr.io/my-organisation`. The rule is off while the list is empty.
    ///
    /// ## Why it matters
    /// Images from arbitrary registries bypass the scanning, signing and
    /// provenance controls an organisation applies to its own registries, and
    /// a typo-squatted public image runs with the workload's credentials.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   selector:
    ///     matchLabels:
    ///       app: web
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: web
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: nginx:1.27
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   selector:
    ///     matchLabels:
    ///       app: web
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: web
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: registry.example.com/mirror/nginx:1.27
    /// ```
    ///
    /// ## Config
    /// `checks.imageRegistry: danger` (default), active only when
    /// `allowedRegistries` lists at least one registry:
    ///
    /// ```yaml
    /// allowedRegistries: [registry.example.com]
    /// ```
    ///
    /// ## Roles inspected
    /// Every role: containers, init containers, native sidecars and ephemeral
    /// containers.
    ///
    /// ## Fix safety
    /// No fix: the image has to be mirrored into an allowed registry first.
    pub struct ImageRegistry;
    meta {
        id: "imageRegistry",
        category: Category::Security,
        severity: Severity::Danger,
        scope: Scope::Container(Roles::ALL),
        kinds: &[],
        needs: &[],
        fix: None,
        summary: "image does not come from an allowed registry",
    }
}

impl Rule for ImageRegistry {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let Some(c) = cx.container else { return };
        let allowed = &cx.config.allowed_registries;
        if allowed.is_empty() {
            out.not_applicable();
            return;
        }
        let Some(image) = c
            .value
            .field("image")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
        else {
            out.not_applicable();
            return;
        };
        let r = ImageRef::parse(image);
        if allowed.iter().any(|a| registry_allowed(&r, a)) {
            return;
        }
        out.fail(
            c.path.key("image"),
            format!(
                "image `{image}` comes from registry `{}`, which is not in allowedRegistries",
                r.registry
            ),
        );
    }
}
