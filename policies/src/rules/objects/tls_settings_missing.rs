use crate::object::Field;
use serde_json::Value;

use crate::declare_rule;
use crate::finding::{Category, Severity};
use crate::path::FieldPath;
use crate::rule::{Ctx, Emitter, Rule, RuleMeta, Scope};

declare_rule! {
    /// ## What it does
    /// Flags Ingresses without TLS: `spec.tls` missing, `null`, or an empty
    /// list. The finding points at `spec.tls` when it is present but empty,
    /// otherwise at `spec` (or the object when there is no `spec`).
    ///
    /// Deliberate difference from Polaris: `tls: []` fails (Polaris passes
    /// any list, even an empty one, although it configures no TLS at all).
    ///
    /// ## Why it matters
    /// Without TLS the Ingress serves plain HTTP: credentials, session
    /// cookies and data cross the network readable and modifiable by anyone
    /// on the path.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: shop
    /// spec:
    ///   rules:
    ///     - host: shop.example.com
    ///       http:
    ///         paths:
    ///           - path: /
    ///             pathType: Prefix
    ///             backend:
    ///               service:
    ///                 name: shop
    ///                 port:
    ///                   number: 80
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: shop
    /// spec:
    ///   tls:
    ///     - hosts: ["shop.example.com"]
    ///       secretName: shop-tls
    ///   rules:
    ///     - host: shop.example.com
    ///       http:
    ///         paths:
    ///           - path: /
    ///             pathType: Prefix
    ///             backend:
    ///               service:
    ///                 name: shop
    ///                 port:
    ///                   number: 80
    /// ```
    ///
    /// ## Config
    /// `checks.tlsSettingsMissing: warning` (default). No options.
    ///
    /// ## Roles inspected
    /// None: judges Ingress objects, not containers.
    ///
    /// ## Fix safety
    /// No automatic fix: TLS needs a certificate Secret that only the author
    /// can name.
    pub struct TlsSettingsMissing;
    meta {
        id: "tlsSettingsMissing",
        category: Category::Security,
        severity: Severity::Warning,
        scope: Scope::Object,
        kinds: &["Ingress"],
        needs: &[],
        fix: None,
        summary: "ingress has no tls settings",
    }
}

impl Rule for TlsSettingsMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let Some(spec) = cx.object.field("spec").filter(|s| s.is_object()) else {
            out.fail(FieldPath::root(), "ingress has no spec, so no tls settings");
            return;
        };
        match spec.field("tls") {
            Some(Value::Array(list)) if !list.is_empty() => {}
            Some(Value::Array(_)) => {
                out.fail(
                    FieldPath::keys("spec.tls"),
                    "spec.tls is empty: the ingress serves plain http",
                );
            }
            Some(Value::Null) | None => {
                out.fail(
                    FieldPath::keys("spec"),
                    "spec.tls is not set: the ingress serves plain http",
                );
            }
            Some(_) => {
                out.fail(FieldPath::keys("spec.tls"), "spec.tls is not a list");
            }
        }
    }
}
