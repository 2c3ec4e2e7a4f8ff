use std::sync::LazyLock;

use crate::declare_rule;
use crate::finding::{Category, Severity};
use crate::object::Roles;
use crate::rule::{Ctx, Emitter, Rule, Scope};
use regex::Regex;
use serde_json::Value;

/// Names that hold credentials: a few well-known cloud credential variables
/// exactly, and anything mentioning a password, token, bearer or secret.
// The patterns are constants, checked by the tests: failing to compile them is
// a programming error, not an input error.
#[allow(clippy::expect_used)]
static SENSITIVE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:AWS_SECRET_ACCESS_KEY|GOOGLE_APPLICATION_CREDENTIALS|AZURE_.+KEY|OCI_CLI_KEY_CONTENT)$|password|token|bearer|secret",
    )
    .expect("constant regex")
});

/// A PEM private-key header (`-----BEGIN RSA PRIVATE KEY-----` and kin).
#[allow(clippy::expect_used)]
static PRIVATE_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)-BEGIN\s+.*PRIVATE KEY-").expect("constant regex"));

/// True when an environment variable (or ConfigMap key) name suggests a
/// credential.
pub(crate) fn is_sensitive_name(name: &str) -> bool {
    SENSITIVE_NAME.is_match(name)
}

/// True when a value contains a PEM private key.
pub(crate) fn contains_private_key(value: &str) -> bool {
    PRIVATE_KEY.is_match(value)
}

declare_rule! {
    /// ## What it does
    /// Flags environment variables that carry a literal `value` when either
    /// the name looks like a credential (exactly `AWS_SECRET_ACCESS_KEY`,
    /// `GOOGLE_APPLICATION_CREDENTIALS`, `OCI_CLI_KEY_CONTENT`, or `AZURE_…KEY`;
    /// or containing `password`, `token`, `bearer` or `secret`, all
    /// case-insensitive) or the value contains a PEM private key
    /// (`-BEGIN … PRIVATE KEY-`). Variables using `valueFrom` pass. One
    /// finding per variable, at its `value`.
    ///
    /// Difference from Polaris, deliberate: an empty `value: ""` passes, as it
    /// discloses nothing.
    ///
    /// ## Why it matters
    /// Literal values are stored in the manifest, in the repository, in the
    /// API server and in every tool that reads workloads: anyone who can read
    /// a Deployment can read the secret. Secrets belong in `Secret` objects
    /// referenced with `valueFrom.secretKeyRef`.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
    /// spec:
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
    ///           image: registry.example.com/api:1.4
    ///           env:
    ///             - name: DB_PASSWORD
    ///               value: hunter2
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
    /// spec:
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
    ///           image: registry.example.com/api:1.4
    ///           env:
    ///             - name: DB_HOST
    ///               value: db.internal.example.com
    ///             - name: DB_PASSWORD
    ///               valueFrom:
    ///                 secretKeyRef:
    ///                   name: api-db
    ///                   key: password
    /// ```
    ///
    /// ## Config
    /// `checks.sensitiveContainerEnvVar: danger` (default). No options.
    ///
    /// ## Roles inspected
    /// Every role: containers, init containers, native sidecars and ephemeral
    /// containers.
    ///
    /// ## Fix safety
    /// No fix: moving the value into a Secret means creating an object, and
    /// the value must also be rotated, since it has been disclosed.
    pub struct SensitiveContainerEnvVar;
    meta {
        id: "sensitiveContainerEnvVar",
        category: Category::Security,
        severity: Severity::Danger,
        scope: Scope::Container(Roles::ALL),
        kinds: &[],
        needs: &[],
        fix: None,
        summary: "environment variable holds a literal secret",
    }
}

impl Rule for SensitiveContainerEnvVar {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let Some(c) = cx.container else { return };
        let Some(env) = c.value.get("env").and_then(Value::as_array) else {
            return;
        };
        for (i, e) in env.iter().enumerate() {
            if e.get("valueFrom").is_some_and(|v| !v.is_null()) {
                continue;
            }
            let Some(value) = e.get("value").and_then(Value::as_str) else {
                continue;
            };
            if value.is_empty() {
                continue;
            }
            let name = e.get("name").and_then(Value::as_str).unwrap_or("");
            let msg = if contains_private_key(value) {
                format!("environment variable `{name}` holds a private key in its value")
            } else if is_sensitive_name(name) {
                format!("environment variable `{name}` looks like a credential and has a literal value (use valueFrom.secretKeyRef)")
            } else {
                continue;
            };
            out.fail(c.path.key("env").index(i).key("value"), msg);
        }
    }
}
