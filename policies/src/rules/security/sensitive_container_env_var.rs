use crate::object::Field;
use std::sync::LazyLock;

use crate::declare_rule;
use crate::finding::{Category, Severity};
use crate::object::Roles;
use crate::rule::{Ctx, Emitter, Rule, Scope};
use regex::Regex;
use serde_json::Value;

/// The exact names (case-insensitive) of well-known cloud credential variables.
const SENSITIVE_EXACT: [&str; 3] = [
    "AWS_SECRET_ACCESS_KEY",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "OCI_CLI_KEY_CONTENT",
];

/// Words whose presence anywhere in a name (case-insensitive) marks it.
const SENSITIVE_WORDS: [&str; 4] = ["password", "token", "bearer", "secret"];

/// A PEM private-key header (`-----BEGIN RSA PRIVATE KEY-----` and kin).
// A constant pattern, exercised by the tests: failing to compile it is a
// programming error, not an input error.
#[allow(clippy::expect_used)]
static PRIVATE_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)-BEGIN\s+.*PRIVATE KEY-").expect("constant regex"));

/// ASCII case-insensitive substring search (`needle` is ASCII).
fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    h.len() >= n.len() && h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// True when an environment variable (or ConfigMap key) name suggests a
/// credential: exactly one of [`SENSITIVE_EXACT`], `AZURE_<something>KEY`,
/// or containing one of [`SENSITIVE_WORDS`], all case-insensitive. This is
/// the pattern `(?i)^(AWS_SECRET_ACCESS_KEY|GOOGLE_APPLICATION_CREDENTIALS|
/// AZURE_.+KEY|OCI_CLI_KEY_CONTENT)$|password|token|bearer|secret`, matched
/// without a regex engine because it runs for every environment variable
/// (the tests check both agree).
pub(crate) fn is_sensitive_name(name: &str) -> bool {
    let b = name.as_bytes();
    SENSITIVE_EXACT.iter().any(|n| name.eq_ignore_ascii_case(n))
        || (b.len() >= 10
            && b[..6].eq_ignore_ascii_case(b"AZURE_")
            && b[b.len() - 3..].eq_ignore_ascii_case(b"KEY")
            && !b[6..b.len() - 3].contains(&b'\n'))
        || SENSITIVE_WORDS
            .iter()
            .any(|w| contains_ignore_case(name, w))
}

/// True when a value contains a PEM private key header
/// (`(?i)-BEGIN\s+.*PRIVATE KEY-`).
pub(crate) fn contains_private_key(value: &str) -> bool {
    // Cheap necessary condition first: most values are short and keyless.
    contains_ignore_case(value, "PRIVATE KEY-") && PRIVATE_KEY.is_match(value)
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
        let Some(env) = c.value.field("env").and_then(Value::as_array) else {
            return;
        };
        for (i, e) in env.iter().enumerate() {
            if e.field("valueFrom").is_some_and(|v| !v.is_null()) {
                continue;
            }
            let Some(value) = e.field("value").and_then(Value::as_str) else {
                continue;
            };
            if value.is_empty() {
                continue;
            }
            let name = e.field("name").and_then(Value::as_str).unwrap_or("");
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[allow(clippy::expect_used)]
    fn name_regex() -> Regex {
        Regex::new(
            r"(?i)^(?:AWS_SECRET_ACCESS_KEY|GOOGLE_APPLICATION_CREDENTIALS|AZURE_.+KEY|OCI_CLI_KEY_CONTENT)$|password|token|bearer|secret",
        )
        .expect("regex")
    }

    #[test]
    fn names_match_the_documented_pattern() {
        let re = name_regex();
        for n in [
            "AWS_SECRET_ACCESS_KEY",
            "aws_secret_access_key",
            "AZURE_KEY",
            "AZURE_xKEY",
            "azure_storage_key",
            "AZURE_STORAGE_KEYS",
            "my_password",
            "TOKEN_URL",
            "Bearer",
            "GOOGLE_APPLICATION_CREDENTIALS_FILE",
            "OCI_CLI_KEY_CONTENT",
            "greeting",
            "",
        ] {
            assert_eq!(is_sensitive_name(n), re.is_match(n), "{n}");
        }
    }

    proptest! {
        #[test]
        fn names_agree_with_regex(
            n in "(AZURE_|AWS_|OCI_|GOOGLE_|azure_|)[A-Za-z_]{0,8}(KEY|key|Key|PASSWORD|secret|toKen|bearer|)[A-Za-z_]{0,4}"
        ) {
            prop_assert_eq!(is_sensitive_name(&n), name_regex().is_match(&n));
        }

        #[test]
        fn private_key_prefilter_is_sound(
            v in "[ -~]{0,6}(-{1,5}BEGIN[ \t]{1,2}(RSA |EC |OPENSSH |)[Pp]rivate [Kk]ey-{1,5})?[ -~]{0,6}"
        ) {
            let re = Regex::new(r"(?i)-BEGIN\s+.*PRIVATE KEY-").expect("regex");
            prop_assert_eq!(contains_private_key(&v), re.is_match(&v));
        }
    }
}
