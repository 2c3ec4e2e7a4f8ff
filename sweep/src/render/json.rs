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
    findings: Vec<JsonFinding<'a>>,
    errors: Vec<()>,
    summary: JsonSummary<'a>,
    notes: &'a [String],
}

fn finding(f: &SweepFinding) -> JsonFinding<'_> {
    JsonFinding {
        base: ReportFinding {
            id: f.id.clone(),
            severity: f.severity,
            category: f.category.clone(),
            message: f.message.clone(),
            api_version: crate::kinds::by_kind(&f.kind)
                .map(|k| k.api_version.to_string())
                .unwrap_or_default(),
            kind: f.kind.clone(),
            namespace: f.namespace.clone(),
            name: f.name.clone(),
            container: f.container.clone(),
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
    let mut counts = BTreeMap::new();
    for s in [Severity::Warning, Severity::Danger] {
        counts.insert(s, r.findings.iter().filter(|f| f.severity == s).count());
    }
    let base = BaseSummary {
        files: 0,
        objects: r.summary.objects.values().sum(),
        passed: r.summary.passed,
        exempted: 0,
        not_evaluated: 0,
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
        findings: r.findings.iter().map(finding).collect(),
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
    let mut s =
        serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
