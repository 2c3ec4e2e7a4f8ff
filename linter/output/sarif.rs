//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other viewers.
//!
//! Every rule that ran is described in `tool.driver.rules` (summary, full
//! documentation as help, default level). Results carry a region with the
//! exact 1-based line and column; columns count Unicode code points
//! (`columnKind: unicodeCodePoints`). File URIs are relative to the current
//! directory.

use std::io::{self, Write};
use std::path::Path;

use serde_json::{json, Value};

use eyelint_policies::finding::Severity;
use eyelint_policies::report::{ReportError, ReportFinding};

use super::{Context, FileView, Tail};

/// The final OASIS SARIF 2.1.0 schema, which GitHub Advanced Security for
/// Azure DevOps requires `$schema` to name (Microsoft's SARIF validator,
/// rule GH1013).
const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Danger => "error",
        Severity::Warning => "warning",
        Severity::Ignore => "none",
    }
}

/// A file's URI: relative to the current directory (percent-encoded, `/`
/// kept) when the file is below it or was named relatively; otherwise an
/// absolute `file:` URI, since SARIF forbids a relative reference that
/// starts with `/` (Microsoft's SARIF validator, rule SARIF1004).
pub fn uri(path: &str) -> String {
    let rel = relative_to_cwd(path);
    let absolute = Path::new(&rel).is_absolute();
    let rel = if absolute && std::path::MAIN_SEPARATOR == '\\' {
        rel.replace('\\', "/")
    } else {
        rel
    };
    let mut s = String::new();
    if absolute {
        // `file:///C:/x` on Windows, `file:///x` elsewhere.
        s.push_str(if rel.starts_with('/') {
            "file://"
        } else {
            "file:///"
        });
    }
    for b in rel.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) || (absolute && b == b':') {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

fn relative_to_cwd(path: &str) -> String {
    let p = Path::new(path);
    if p.is_absolute() {
        if let Ok(cwd) = std::env::current_dir() {
            if let Ok(rel) = p.strip_prefix(&cwd) {
                return crate::discover::display_name(rel);
            }
        }
    }
    path.to_string()
}

/// The `tool.driver.rules` entries: every rule that ran.
fn rules(cx: &Context) -> Vec<Value> {
    cx.rules
        .iter()
        .map(|r| {
            let doc = eyelint_policies::rule_doc::parse_markdown(&r.doc);
            let full = doc
                .section("What it does")
                .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
                .unwrap_or_else(|| r.summary.clone());
            // No `name`: SARIF wants it to differ from `id` (which is
            // already readable) or be left out.
            json!({
                "id": r.id,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": full},
                "help": {"text": r.doc, "markdown": r.doc},
                "defaultConfiguration": {"level": level(r.severity)},
                "properties": {"category": r.category, "tags": [r.category.to_lowercase(), "kubernetes"]},
            })
        })
        .collect()
}

/// A file and, when known, the region in it. SARIF requires a region to
/// have a start, so a problem with no line (an unreadable file) has none.
fn physical_location(file: &str, line: Option<usize>, column: Option<usize>) -> Value {
    let mut location = json!({"artifactLocation": {"uri": uri(file)}});
    if let Some(l) = line {
        let mut region = json!({"startLine": l});
        if let Some(c) = column {
            region["startColumn"] = json!(c);
        }
        location["region"] = region;
    }
    location
}

/// One result.
fn result(cx: &Context, f: &ReportFinding) -> Value {
    let mut loc = serde_json::Map::new();
    if let Some(file) = &f.file {
        loc.insert(
            "physicalLocation".into(),
            physical_location(file, f.line, f.column),
        );
    }
    let mut logical = f.object_label();
    if let Some(c) = &f.container {
        logical = format!("{logical}/{c}");
    }
    loc.insert(
        "logicalLocations".into(),
        json!([{"fullyQualifiedName": logical, "kind": "object"}]),
    );
    let mut text = format!("{} ({}", f.message, f.object_label());
    if let Some(c) = &f.container {
        text.push_str(&format!(", container {c}"));
    }
    if let Some(s) = &f.source {
        text.push_str(&format!(", from {s}"));
    }
    text.push(')');
    let mut r = json!({
        "ruleId": f.id,
        "level": level(f.severity),
        "message": {"text": text},
        "locations": [Value::Object(loc)],
        "partialFingerprints": {
            "eyelintObject/v1": format!("{}|{}|{}|{}|{}", f.id, f.kind, f.namespace, f.name, f.container.as_deref().unwrap_or("")),
        },
        "properties": {"path": f.path, "category": f.category},
    });
    if let Some(i) = cx.rules.iter().position(|r| *r.id == *f.id) {
        r["ruleIndex"] = json!(i);
    }
    if let Some(fix) = &f.fix {
        r["properties"]["fix"] = json!({"patch": fix.patch, "safety": fix.safety});
    }
    r
}

/// The whole log without results, pretty-printed, cut where the results
/// go: the text before the array's `[` (included) and from its `]` on.
fn around_results(cx: &Context, errors: &[ReportError]) -> (String, String) {
    let notifications: Vec<Value> = errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": {"text": e.message},
                "locations": [{"physicalLocation": physical_location(&e.file, e.line, e.column)}],
            })
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "eyelint",
                "version": cx.version,
                "semanticVersion": cx.version,
                "rules": rules(cx),
            }},
            "columnKind": "unicodeCodePoints",
            "results": [],
            "invocations": [{
                "executionSuccessful": errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
        }],
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    // The key at its indentation, unescaped: only the run's own key matches
    // (quotes inside strings are escaped).
    const MARK: &str = "\n      \"results\": [";
    match s.find(MARK) {
        Some(at) => {
            let tail = s.split_off(at + MARK.len());
            (s, tail)
        }
        None => (s, String::new()),
    }
}

/// The log up to the results array's `[`.
pub(super) fn begin(cx: &Context, w: &mut dyn Write) -> io::Result<()> {
    w.write_all(around_results(cx, &[]).0.as_bytes())
}

/// One input's results, each preceded by its `,` separator (the writer
/// drops the first one of the log).
pub(super) fn file(cx: &Context, file: &FileView<'_>, buf: &mut Vec<u8>) {
    for l in file.findings {
        buf.extend_from_slice(b",\n        ");
        // Writing a value to a vector cannot fail.
        let _ = super::json::nested_at(&result(cx, &l.report()), 4, buf);
    }
}

/// The log from the results array's `]` on. `empty` when no result was written.
pub(super) fn end(cx: &Context, empty: bool, tail: &Tail<'_>, w: &mut dyn Write) -> io::Result<()> {
    let rest = around_results(cx, tail.errors).1;
    if !empty {
        w.write_all(b"\n      ")?;
    }
    w.write_all(rest.as_bytes())
}
