//! The finding model shared by the linter, the webhook and the sweep.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::object::{ObjectRef, Role};
use crate::path::FieldPath;

/// How serious a failed check is. `Ignore` means "do not run".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The check does not run.
    Ignore,
    /// Reported; never denies by default.
    Warning,
    /// Reported; fails CI and denies in admission by default.
    Danger,
}

impl Severity {
    /// The lowercase name used in configs and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Ignore => "ignore",
            Severity::Warning => "warning",
            Severity::Danger => "danger",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "ignore" => Ok(Severity::Ignore),
            "warning" => Ok(Severity::Warning),
            "danger" => Ok(Severity::Danger),
            other => Err(format!(
                "unknown severity `{other}` (expected ignore, warning or danger)"
            )),
        }
    }
}

/// Rule categories, as Polaris names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Category {
    /// Keeps workloads available.
    Reliability,
    /// Keeps resource usage predictable.
    Efficiency,
    /// Keeps workloads and the cluster safe.
    Security,
}

impl Category {
    /// The category's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Reliability => "Reliability",
            Category::Efficiency => "Efficiency",
            Category::Security => "Security",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether applying a fix can break a working workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FixSafety {
    /// Cannot break a working workload (e.g. `allowPrivilegeEscalation: false`).
    Safe,
    /// Invents something the author must check (a probe command, a replica count).
    Unsafe,
}

impl FixSafety {
    /// `safe` or `unsafe`.
    pub fn as_str(self) -> &'static str {
        match self {
            FixSafety::Safe => "safe",
            FixSafety::Unsafe => "unsafe",
        }
    }
}

/// The compact JSON text of a patch, known to be JSON: it was either checked
/// when it came in ([`Fix::from_json`], deserializing) or written by this
/// crate's own patch builder, whose output the tests hold to serde's.
/// Reports copy it out as it is; serializing it through serde embeds it as
/// raw JSON.
///
/// A `String`, not a boxed `str`: the builder writes into a string with
/// room to spare, and shrinking it would copy every patch once more.
/// Findings are held one input at a time, so the spare room stays small.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatchText(String);

impl PatchText {
    /// Checks that `text` is one JSON value.
    pub fn parse(text: String) -> Option<PatchText> {
        let raw = RawValue::from_string(text).ok()?;
        Some(PatchText(raw.get().into()))
    }

    /// Text this crate wrote as JSON (no check in release builds).
    pub(crate) fn trusted(text: String) -> PatchText {
        debug_assert!(
            serde_json::from_str::<&RawValue>(&text).is_ok(),
            "patch builder wrote invalid JSON: {text}"
        );
        PatchText(text)
    }

    /// The JSON text.
    pub fn get(&self) -> &str {
        &self.0
    }
}

impl Serialize for PatchText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let raw: &RawValue = serde_json::from_str(&self.0).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

impl<'de> Deserialize<'de> for PatchText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        Ok(PatchText(raw.get().into()))
    }
}

/// A fix: an RFC 6902 JSON Patch against the whole object, and its safety.
///
/// The patch is kept as the compact JSON text reports print (built directly
/// by the rules, without typed operations or a JSON round trip); it is
/// parsed into operations only to be applied ([`Fix::patch`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fix {
    /// The JSON Patch operations, relative to the object's root, as JSON text.
    patch: PatchText,
    /// Whether it is safe to apply without review.
    pub safety: FixSafety,
}

impl Fix {
    /// A fix from patch operations written as JSON values
    /// (`{"op": "add", "path": "/x", "value": 1}`).
    ///
    /// Returns `None` when the operations are not a valid JSON Patch, which
    /// only happens on a programming error in a rule (or a custom check's
    /// mutation that makes no patch).
    pub fn from_ops(ops: Vec<Value>, safety: FixSafety) -> Option<Fix> {
        let patch: json_patch::Patch = serde_json::from_value(Value::Array(ops)).ok()?;
        let patch = PatchText::trusted(serde_json::to_string(&patch).ok()?);
        Some(Fix { patch, safety })
    }

    /// A fix from the JSON text of a patch (an array of operations).
    /// `None` when the text is not JSON.
    pub fn from_json(text: String, safety: FixSafety) -> Option<Fix> {
        let patch = PatchText::parse(text)?;
        Some(Fix { patch, safety })
    }

    /// A fix from patch text this crate's builder wrote.
    pub(crate) fn from_trusted_json(text: String, safety: FixSafety) -> Fix {
        Fix {
            patch: PatchText::trusted(text),
            safety,
        }
    }

    /// The patch as compact JSON text.
    pub fn patch_json(&self) -> &PatchText {
        &self.patch
    }

    /// Takes the patch's JSON text.
    pub fn into_patch_json(self) -> PatchText {
        self.patch
    }

    /// The patch's operations.
    pub fn patch(&self) -> Result<json_patch::Patch, serde_json::Error> {
        serde_json::from_str(self.patch.get())
    }

    /// Applies the fix to a copy of `object`.
    pub fn apply(&self, object: &Value) -> Result<Value, FixError> {
        let patch = self.patch().map_err(FixError::Invalid)?;
        let mut out = object.clone();
        json_patch::patch(&mut out, &patch).map_err(FixError::Patch)?;
        Ok(out)
    }
}

/// A fix that could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum FixError {
    /// The patch is not a JSON Patch.
    #[error("not a JSON Patch: {0}")]
    Invalid(#[source] serde_json::Error),
    /// An operation failed on the object.
    #[error("{0}")]
    Patch(#[source] json_patch::PatchError),
}

/// The container a finding is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContainerInfo {
    /// The container's `name` (shared by the findings of the container).
    pub name: Arc<str>,
    /// Its role in the pod.
    pub role: Role,
}

/// One failed check on one object (and container).
///
/// The rule's id and category and the object's reference are shared with
/// every other finding of the same rule or object; the message is a static
/// string when the rule's message has no parameters.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// Rule id (`runAsPrivileged`, or a custom check's id).
    pub id: Arc<str>,
    /// Effective severity after configuration.
    pub severity: Severity,
    /// The rule's category (free text for custom checks).
    pub category: Arc<str>,
    /// What is wrong, in one sentence.
    pub message: Cow<'static, str>,
    /// The object.
    pub object: ObjectRef,
    /// The container, for container-level rules.
    pub container: Option<ContainerInfo>,
    /// The offending field, or the nearest enclosing object when it is missing.
    pub path: FieldPath,
    /// A fix, where the rule has one.
    pub fix: Option<Fix>,
}

impl Finding {
    /// The deterministic order in which findings are reported: object, path, rule.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            &self.object.namespace,
            &self.object.kind,
            &self.object.name,
            &self.path,
            &self.id,
            self.container.as_ref().map(|c| &c.name),
        )
    }
}

/// Polaris's score: `floor(100 * 2S / (2S + W + 2D))`, 100 with no results.
pub fn score(passed: usize, warnings: usize, dangers: usize) -> u32 {
    let denom = 2 * passed + warnings + 2 * dangers;
    if denom == 0 {
        return 100;
    }
    ((200 * passed) / denom) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_matches_polaris_formula() {
        assert_eq!(score(0, 0, 0), 100);
        assert_eq!(score(10, 0, 0), 100);
        // 2*8 / (16 + 1 + 2) = 16/19 = 84.2 -> 84
        assert_eq!(score(8, 1, 1), 84);
        assert_eq!(score(0, 1, 0), 0);
    }

    #[test]
    fn severities_order_and_parse() {
        assert!(Severity::Danger > Severity::Warning);
        assert_eq!("danger".parse::<Severity>(), Ok(Severity::Danger));
        assert!("fatal".parse::<Severity>().is_err());
    }
}
