use crate::object::Field;
use serde_json::Value;

use crate::declare_rule;
use crate::finding::{Category, Severity};
use crate::image::{check, Pin};
use crate::object::Roles;
use crate::rule::{Ctx, Emitter, Rule, RuleMeta, Scope};

declare_rule! {
    /// ## What it does
    /// Flags containers whose image is not pinned: no tag, an empty tag, or
    /// the `latest` tag, unless the image is pinned by digest. Also flags
    /// images that are no valid image reference.
    ///
    /// The kubelet cannot pull an invalid reference (`Nginx:1.25`,
    /// `app@sha256:` with a cut-off digest, a trailing space) and fails the
    /// container with `InvalidImageName`.
    ///
    /// ## Why it matters
    /// An untagged image means `latest`, which moves. Two pods of the same
    /// ReplicaSet can then run different code, a rollback does not roll back,
    /// and nobody can tell from the manifest what is running.
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
    ///           image: registry.example.com:5000/web
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
    ///           image: registry.example.com:5000/web:1.4.2
    ///         - name: proxy
    ///           image: registry.example.com/proxy@sha256:0f3c9d1b6e2a4c8f7d5e3b1a9c7e5d3b1f9e7d5c3b1a9f7e5d3c1b9a7f5e3d1c
    /// ```
    ///
    /// ## Config
    /// `checks.tagNotSpecified: danger` (default). No options.
    ///
    /// ### Differences from Polaris
    /// Polaris only asks that the image text contain a colon and not end in
    /// `:latest`. eyelint parses the reference instead:
    /// - `registry.example.com:5000/app` (a registry port, no tag) **fails**;
    ///   Polaris passes it because of the port's colon.
    /// - A digest-pinned image (`app@sha256:…`, with or without a tag)
    ///   **passes**: the digest, not the tag, decides what is pulled.
    /// - `latest` is matched case-insensitively, and an empty tag (`app:`)
    ///   fails.
    /// - A container without an `image` fails with its own message.
    /// - An image that is no valid reference fails, saying what is wrong
    ///   with it; Polaris passes `Nginx:1.25` and `app@sha256:abc`. The
    ///   grammar is the one the kubelet applies (distribution's
    ///   `ParseNormalizedNamed`); `tests/image_refs_oracle.rs` holds it to a
    ///   port of that package on every image of the corpus and thousands of
    ///   mutants.
    ///
    /// ## Roles inspected
    /// Every role: containers, init containers, native sidecars and ephemeral
    /// containers. Any of them runs the image it names.
    ///
    /// ## Fix safety
    /// No fix: only the author knows which version to pin.
    pub struct TagNotSpecified;
    meta {
        id: "tagNotSpecified",
        category: Category::Reliability,
        severity: Severity::Danger,
        scope: Scope::Container(Roles::ALL),
        kinds: &[],
        needs: &[],
        fix: None,
        summary: "image has no tag or uses latest",
    }
}

impl Rule for TagNotSpecified {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let Some(c) = cx.container else { return };
        let image = match c.value.field("image") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.as_str(),
            Some(Value::String(_)) => {
                out.fail(c.path.key("image"), "image is empty");
                return;
            }
            None | Some(Value::Null) => {
                out.fail(c.path.clone(), "container has no image");
                return;
            }
            Some(_) => {
                out.fail(c.path.key("image"), "image is not a string");
                return;
            }
        };
        let r = match check(image) {
            Ok(pin) => pin,
            Err(e) => {
                let pin = Pin::parse(image);
                // `app:` gets its own message below (the kubelet refuses it too).
                if pin.tag != Some("") {
                    let message =
                        format!("image `{image}` cannot be pulled (InvalidImageName): {e}");
                    out.fail(c.path.key("image"), message);
                    return;
                }
                pin
            }
        };
        if r.is_digest_pinned() {
            return;
        }
        match r.tag {
            None => {
                out.fail(
                    c.path.key("image"),
                    format!("image `{image}` has no tag (it pulls `latest`)"),
                );
            }
            Some("") => {
                out.fail(
                    c.path.key("image"),
                    format!("image `{image}` has an empty tag"),
                );
            }
            Some(t) if t.eq_ignore_ascii_case("latest") => {
                out.fail(
                    c.path.key("image"),
                    format!("image `{image}` uses the mutable `{t}` tag"),
                );
            }
            Some(_) => {}
        }
    }
}
