//! The serialisable report shared by `eyelint` (files) and `eyelint sweep`
//! (clusters): `{"schemaVersion": 1, "findings": [...], "summary": {...}}`.
//!
//! A [`ReportFinding`] is a [`Finding`] flattened for machines, plus where it
//! was found: a file, 1-based line and column (columns count Unicode
//! characters), and the Helm template it came from. Sources without files
//! (a live cluster) leave the location fields `null`. The format is
//! documented in `docs/output.md`; fields are only ever added.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::finding::{Finding, Fix, FixSafety, PatchText, Severity};

/// The version of the JSON report format.
pub const SCHEMA_VERSION: u32 = 1;

/// Where a finding sits in a file: 1-based line and column (Unicode characters).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FileLocation {
    /// The file as the user named it (relative paths stay relative); shared
    /// by every finding in the file.
    pub file: Arc<str>,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in Unicode characters.
    pub column: usize,
}

/// The fix of a finding in the report.
///
/// The patch is kept as compact JSON text: a run can hold hundreds of
/// thousands of findings, and a parsed patch costs several times its text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportFix {
    /// RFC 6902 JSON Patch operations relative to the object's root.
    pub patch: PatchText,
    /// `safe` or `unsafe`.
    pub safety: FixSafety,
}

impl ReportFix {
    /// The patch operations as JSON values.
    pub fn operations(&self) -> Vec<Value> {
        serde_json::from_str(self.patch.get()).unwrap_or_default()
    }
}

impl From<&Fix> for ReportFix {
    fn from(f: &Fix) -> Self {
        ReportFix {
            patch: f.patch_json().clone(),
            safety: f.safety,
        }
    }
}

impl From<Fix> for ReportFix {
    fn from(f: Fix) -> Self {
        let safety = f.safety;
        ReportFix {
            patch: f.into_patch_json(),
            safety,
        }
    }
}

/// One finding, as machines read it.
///
/// The strings a finding shares with others (rule id and category, the
/// object's reference, the container's name, the file and Helm template)
/// are reference-counted, so a report of many findings holds one copy of
/// each.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportFinding {
    /// Rule id.
    pub id: Arc<str>,
    /// Effective severity.
    pub severity: Severity,
    /// Rule category.
    pub category: Arc<str>,
    /// What is wrong.
    pub message: Cow<'static, str>,
    /// The object's `apiVersion`.
    pub api_version: Arc<str>,
    /// The object's `kind`.
    pub kind: Arc<str>,
    /// The object's namespace ("" when unset).
    pub namespace: Arc<str>,
    /// The object's name.
    pub name: Arc<str>,
    /// The container's name, for container-level rules.
    pub container: Option<Arc<str>>,
    /// The container's role (`container`, `initContainer`, `sidecar`, `ephemeral`).
    pub container_role: Option<Cow<'static, str>>,
    /// Path of the offending field from the object's root
    /// (`spec.template.spec.containers[0].securityContext.privileged`).
    pub path: String,
    /// File the object came from; `null` for objects without a file. Shared
    /// by every finding in the file.
    pub file: Option<Arc<str>>,
    /// 1-based line of the offending key; `null` without a file.
    pub line: Option<usize>,
    /// 1-based column (Unicode characters) of the offending key.
    pub column: Option<usize>,
    /// The Helm template (`# Source:` comment) the object was rendered from.
    pub source: Option<Arc<str>>,
    /// A fix, when the rule offers one.
    pub fix: Option<ReportFix>,
}

impl ReportFinding {
    /// Flattens `f`, placing it at `location` (if any) with a Helm `source`.
    pub fn new(f: &Finding, location: Option<&FileLocation>, source: Option<&str>) -> Self {
        ReportFinding::shared(f, location, source.map(Arc::from))
    }

    /// Like [`ReportFinding::new`], with a shared `source` (the finding's
    /// strings are shared, not copied; its path is written out).
    pub fn shared(f: &Finding, location: Option<&FileLocation>, source: Option<Arc<str>>) -> Self {
        let (container, container_role) = match &f.container {
            Some(c) => (Some(c.name.clone()), Some(Cow::Borrowed(c.role.as_str()))),
            None => (None, None),
        };
        ReportFinding {
            path: f.path.to_dotted(),
            id: f.id.clone(),
            severity: f.severity,
            category: f.category.clone(),
            message: f.message.clone(),
            api_version: f.object.api_version.clone(),
            kind: f.object.kind.clone(),
            namespace: f.object.namespace.clone(),
            name: f.object.name.clone(),
            container,
            container_role,
            file: location.map(|l| l.file.clone()),
            line: location.map(|l| l.line),
            column: location.map(|l| l.column),
            source,
            fix: f.fix.as_ref().map(ReportFix::from),
        }
    }

    /// `Kind/namespace/name` (or `Kind/name` without a namespace).
    pub fn object_label(&self) -> String {
        if self.namespace.is_empty() {
            format!("{}/{}", self.kind, self.name)
        } else {
            format!("{}/{}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// A problem with the input that stopped part of it from being checked
/// (invalid YAML, unreadable or oversized file). Any error makes the run exit 2.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportError {
    /// The file (or other source) at fault.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column (Unicode characters), when known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
}

/// Totals of a run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Files read (0 for sources without files).
    pub files: usize,
    /// Kubernetes objects checked.
    pub objects: usize,
    /// Evaluations that passed.
    pub passed: usize,
    /// Evaluations skipped by an exemption.
    pub exempted: usize,
    /// Checks that could not be decided from the input.
    pub not_evaluated: usize,
    /// Reported findings per severity (after filters and baseline).
    pub counts: BTreeMap<Severity, usize>,
    /// Findings hidden because the baseline lists them.
    pub baselined: usize,
    /// Polaris's score over every evaluation of the run (0–100).
    pub score: u32,
    /// Input errors.
    pub errors: usize,
}

/// A whole report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Findings, in a deterministic order. Boxed: a run can hold hundreds of
    /// thousands, and moving, sorting and filtering pointers instead of the
    /// findings themselves keeps one copy of each in memory.
    pub findings: Vec<Box<ReportFinding>>,
    /// Input errors.
    #[serde(default)]
    pub errors: Vec<ReportError>,
    /// Totals.
    pub summary: Summary,
}

impl Report {
    /// An empty report.
    pub fn new() -> Self {
        Report {
            schema_version: SCHEMA_VERSION,
            findings: Vec::new(),
            errors: Vec::new(),
            summary: Summary::default(),
        }
    }

    /// Sorts findings by file, line, column, rule, object and container.
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            (
                &a.file,
                a.line,
                a.column,
                &a.id,
                &a.namespace,
                &a.kind,
                &a.name,
                &a.container,
            )
                .cmp(&(
                    &b.file,
                    b.line,
                    b.column,
                    &b.id,
                    &b.namespace,
                    &b.kind,
                    &b.name,
                    &b.container,
                ))
        });
    }

    /// Recomputes `summary.counts` from the findings.
    pub fn count(&mut self) {
        self.summary.counts.clear();
        for f in &self.findings {
            *self.summary.counts.entry(f.severity).or_insert(0) += 1;
        }
    }

    /// The number of findings at or above `threshold`.
    pub fn at_or_above(&self, threshold: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity >= threshold && f.severity != Severity::Ignore)
            .count()
    }
}

impl Default for Report {
    fn default() -> Self {
        Report::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::ContainerInfo;
    use crate::object::{ObjectRef, Role};
    use crate::path::FieldPath;

    fn finding(id: &str, severity: Severity) -> Finding {
        Finding {
            id: id.into(),
            severity,
            category: "Security".into(),
            message: "m".into(),
            object: ObjectRef {
                api_version: "v1".into(),
                kind: "Pod".into(),
                namespace: "ns".into(),
                name: "p".into(),
            },
            container: Some(ContainerInfo {
                name: "app".into(),
                role: Role::Sidecar,
            }),
            path: FieldPath::keys("spec.hostIPC"),
            fix: None,
        }
    }

    #[test]
    fn serialises_with_the_documented_field_names() {
        let loc = FileLocation {
            file: "a.yaml".into(),
            line: 3,
            column: 5,
        };
        let mut r = Report::new();
        r.findings.push(Box::new(ReportFinding::new(
            &finding("hostIPCSet", Severity::Danger),
            Some(&loc),
            Some("chart/templates/pod.yaml"),
        )));
        r.count();
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["schemaVersion"], 1);
        let f = &v["findings"][0];
        for k in [
            "id",
            "severity",
            "category",
            "message",
            "kind",
            "namespace",
            "name",
            "container",
            "path",
            "file",
            "line",
            "column",
            "source",
            "fix",
        ] {
            assert!(f.get(k).is_some(), "missing {k}");
        }
        assert_eq!(f["containerRole"], "sidecar");
        assert_eq!(f["line"], 3);
        assert_eq!(v["summary"]["counts"]["danger"], 1);
        let back: Report = serde_json::from_value(v).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn threshold_counts_danger_above_warning() {
        let mut r = Report::new();
        for s in [Severity::Warning, Severity::Danger, Severity::Danger] {
            r.findings
                .push(Box::new(ReportFinding::new(&finding("x", s), None, None)));
        }
        assert_eq!(r.at_or_above(Severity::Danger), 2);
        assert_eq!(r.at_or_above(Severity::Warning), 3);
    }
}
