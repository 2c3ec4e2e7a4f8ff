use crate::object::Field;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use crate::declare_rule;
use crate::finding::{Category, Severity};
use crate::path::FieldPath;
use crate::rule::{Ctx, Emitter, Rule, RuleMeta, Scope};

declare_rule! {
    /// ## What it does
    /// Flags ConfigMaps that hold what looks like a credential:
    /// - a key of `data` or `binaryData` named like a secret: exactly
    ///   `AWS_SECRET_ACCESS_KEY`, `GOOGLE_APPLICATION_CREDENTIALS` or
    ///   `OCI_CLI_KEY_CONTENT`, `AZURE_…KEY`, or containing `password`,
    ///   `token`, `bearer` or `secret` (all case-insensitive);
    /// - a `data` value holding a PEM private key (`-----BEGIN … PRIVATE
    ///   KEY-----`), or a `binaryData` value that decodes (base64) to one.
    ///
    /// The finding points at the first offending entry (`data.db_password`);
    /// the message names every offending key.
    ///
    /// Deliberate difference from Polaris: `binaryData` keys and decoded
    /// values are checked too (Polaris only reads `data`), because a file
    /// added with `kubectl create configmap --from-file` lands in
    /// `binaryData` when it is not valid UTF-8.
    ///
    /// ## Why it matters
    /// ConfigMaps are not secret: they are readable by anyone with `get` on
    /// ConfigMaps, not encrypted at rest by default, printed by
    /// `kubectl describe` and copied into logs and dumps. Credentials belong
    /// in Secrets (or an external secret store).
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: db
    /// data:
    ///   db_host: postgres.shop.svc
    ///   db_password: hunter2
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: db
    /// data:
    ///   db_host: postgres.shop.svc
    ///   db_user: shop
    /// ```
    ///
    /// ## Config
    /// `checks.sensitiveConfigmapContent: danger` (default). No options.
    ///
    /// ## Roles inspected
    /// None: judges ConfigMap objects, not containers.
    ///
    /// ## Fix safety
    /// No automatic fix: the value has to move to a Secret and every consumer
    /// has to read it from there.
    pub struct SensitiveConfigmapContent;
    meta {
        id: "sensitiveConfigmapContent",
        category: Category::Security,
        severity: Severity::Danger,
        scope: Scope::Object,
        kinds: &["ConfigMap"],
        needs: &[],
        fix: None,
        summary: "configmap holds credential-like keys or a private key",
    }
}

/// Key names that look like credentials (Polaris's list).
static SENSITIVE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^AWS_SECRET_ACCESS_KEY$|^GOOGLE_APPLICATION_CREDENTIALS$|^AZURE_.+KEY$|^OCI_CLI_KEY_CONTENT$|password|token|bearer|secret",
    )
    .expect("constant regex")
});

/// A PEM private key header (`-----BEGIN RSA PRIVATE KEY-----` and friends).
static PRIVATE_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)-BEGIN\s+.*PRIVATE KEY-").expect("constant regex"));

/// Decodes standard base64 (whitespace ignored, padding optional); `None` on
/// anything else.
fn decode_base64(s: &str) -> Option<Vec<u8>> {
    fn val(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let body: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let body = body
        .strip_suffix(b"==")
        .or_else(|| body.strip_suffix(b"="))
        .unwrap_or(&body);
    if body.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    for chunk in body.chunks(4) {
        let mut acc = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            acc |= val(*c)? << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

struct Offender {
    path: FieldPath,
    what: String,
}

impl Rule for SensitiveConfigmapContent {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let mut found: Vec<Offender> = Vec::new();
        for field in ["data", "binaryData"] {
            let Some(map) = cx.object.field(field).and_then(Value::as_object) else {
                continue;
            };
            for (key, value) in map {
                let path = FieldPath::keys(field).key(key);
                let text = value.as_str().unwrap_or("");
                let holds_key = if field == "data" {
                    PRIVATE_KEY.is_match(text)
                } else {
                    decode_base64(text)
                        .is_some_and(|b| PRIVATE_KEY.is_match(&String::from_utf8_lossy(&b)))
                };
                if SENSITIVE_NAME.is_match(key) {
                    found.push(Offender {
                        path,
                        what: format!("key `{key}` is named like a credential"),
                    });
                } else if holds_key {
                    found.push(Offender {
                        path,
                        what: format!("`{key}` holds a private key"),
                    });
                }
            }
        }
        let Some(first) = found.first() else { return };
        let mut message = found
            .iter()
            .take(3)
            .map(|o| o.what.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        if found.len() > 3 {
            message.push_str(&format!("; and {} more", found.len() - 3));
        }
        message.push_str(": move it to a Secret");
        out.fail(first.path.clone(), message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip() {
        assert_eq!(decode_base64("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(decode_base64("aGVsbA==").as_deref(), Some(&b"hell"[..]));
        assert_eq!(decode_base64("aGVs\nbG8h").as_deref(), Some(&b"hello!"[..]));
        assert_eq!(decode_base64("a$==").as_deref(), None);
    }

    #[test]
    fn patterns() {
        assert!(SENSITIVE_NAME.is_match("db_Password"));
        assert!(SENSITIVE_NAME.is_match("azure_batch_key"));
        assert!(SENSITIVE_NAME.is_match("aws_secret_access_key"));
        assert!(!SENSITIVE_NAME.is_match("AZURE_KEY"));
        assert!(!SENSITIVE_NAME.is_match("username"));
        assert!(PRIVATE_KEY.is_match("x\n-----BEGIN EC PRIVATE KEY-----\n"));
        assert!(!PRIVATE_KEY.is_match("-----BEGIN CERTIFICATE-----"));
    }
}
