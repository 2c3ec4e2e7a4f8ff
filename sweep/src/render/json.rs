//! JSON output: the linter's report schema (`eyelint_policies::report`),
//! each finding extended with the sweep's fields (`section`, `node`,
//! `reason`, `count`, `lastSeen`), plus `source` and `notes`.

use std::collections::BTreeMap;

use eyelint_policies::report::{ReportFinding, Summary as BaseSummary};
use eyelint_policies::Severity;
use serde::Serialize;

use crate::checks::Section;
use crate::report::{Report, SourceInfo, SweepFinding};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonFinding<'a> {
    #[serde(flatten)]
    base: ReportFinding,
    section: Section,
    #[serde(skip_serializing_if = "Option::is_none")]
    node: &'a Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: &'a Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_seen: &'a Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonSummary<'a> {
    #[serde(flatten)]
    base: BaseSummary,
    by_section: &'a BTreeMap<Section, usize>,
    by_id: &'a BTreeMap<String, usize>,
    objects_by_kind: &'a BTreeMap<String, usize>,
    workloads_judged: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonReport<'a> {
    schema_version: u32,
    tool: &'a str,
    source: &'a SourceInfo,
    findings: Lazy<'a>,
    errors: Vec<()>,
    summary: JsonSummary<'a>,
    notes: &'a [String],
}

/// The findings, each converted only while it is written (a report can
/// hold hundreds of thousands).
struct Lazy<'a>(&'a [SweepFinding]);

impl Serialize for Lazy<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(finding))
    }
}

fn finding(f: &SweepFinding) -> JsonFinding<'_> {
    JsonFinding {
        base: ReportFinding {
            id: f.id.as_str().into(),
            severity: f.severity,
            category: f.category.as_str().into(),
            message: f.message.clone().into(),
            api_version: crate::kinds::by_kind(&f.kind)
                .map_or("", |k| k.api_version)
                .into(),
            kind: f.kind.as_str().into(),
            namespace: f.namespace.as_str().into(),
            name: f.name.as_str().into(),
            container: f.container.as_deref().map(Into::into),
            container_role: None,
            path: f.path.clone().unwrap_or_default(),
            file: None,
            line: None,
            column: None,
            source: None,
            fix: None,
        },
        section: f.section,
        node: &f.node,
        reason: &f.reason,
        count: f.count,
        last_seen: &f.last_seen,
    }
}

/// Renders the report as pretty JSON.
pub fn render(r: &Report) -> String {
    let mut out = Vec::new();
    match write(r, &mut out) {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(e) => format!("{{\"error\": \"{e}\"}}\n"),
    }
}

/// Writes the report as pretty JSON (what [`render`] returns) to `w`.
pub fn write<W: std::io::Write>(r: &Report, mut w: W) -> std::io::Result<()> {
    let mut counts = BTreeMap::new();
    for s in [Severity::Warning, Severity::Danger] {
        counts.insert(s, r.findings.iter().filter(|f| f.severity == s).count());
    }
    let base = BaseSummary {
        files: 0,
        objects: r.summary.objects.values().sum(),
        passed: r.summary.passed,
        exempted: r.summary.exempted,
        not_evaluated: r.summary.not_evaluated,
        counts,
        baselined: 0,
        score: eyelint_policies::finding::score(
            r.summary.passed,
            r.summary.warning,
            r.summary.danger,
        ),
        errors: 0,
    };
    let doc = JsonReport {
        schema_version: r.schema_version,
        tool: &r.tool,
        source: &r.source,
        findings: Lazy(&r.findings),
        errors: Vec::new(),
        summary: JsonSummary {
            base,
            by_section: &r.summary.by_section,
            by_id: &r.summary.by_id,
            objects_by_kind: &r.summary.objects,
            workloads_judged: r.summary.workloads_judged,
        },
        notes: &r.notes,
    };
    serde_json::to_writer_pretty(&mut w, &doc)?;
    w.write_all(b"\n")?;
    w.flush()
}
