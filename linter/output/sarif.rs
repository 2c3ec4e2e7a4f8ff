//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other viewers.
//!
//! Every rule that ran is described in `tool.driver.rules` (summary, full
//! documentation as help, default level). Results carry a region with the
//! exact 1-based line and column; columns count Unicode code points
//! (`columnKind: unicodeCodePoints`). File URIs are relative to the current
//! directory. Each result's `partialFingerprints` entry is distinct within
//! its file and does not depend on lines (see [`fingerprint`]).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::{self, Write};
use std::path::Path;

use serde_json::{json, Value};

use eyelint_policies::finding::Severity;
use eyelint_policies::report::{ReportError, ReportFinding};

use super::{Context, FileView, Tail};
use crate::lint::Located;

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

/// The `partialFingerprints` key. Its value was the rule, object and
/// container alone under `eyelintObject/v1`, which gave two findings of one
/// rule on one container (two credential env vars) the same fingerprint.
pub const FINGERPRINT: &str = "eyelintFinding/v1";

/// What tells a finding from the others of its file, lines aside: the rule,
/// the object, the container and the message (which names the env var, the
/// volume, the port…). Not the field path: its list indices move when an
/// entry is added above (the baseline matches by message for that reason).
fn fingerprint_key(f: &Located) -> (&str, &str, &str, &str, &str, &str) {
    let g = &f.finding;
    (
        &g.id,
        &g.object.kind,
        &g.object.namespace,
        &g.object.name,
        g.container.as_ref().map_or("", |c| &c.name),
        &g.message,
    )
}

/// For each of an input's findings (in report order), its occurrence among
/// the input's findings with the same [`fingerprint_key`], from 1: a
/// finding of the same object written twice in a file, or of two containers
/// of one pod with no name, gets `:1` and `:2` in document order.
///
/// Keys are counted by a hash of them, to keep 16 bytes per key rather than
/// the key itself: findings with the same key still count up one counter,
/// so every fingerprint stays distinct; two keys of one hash (one chance in
/// 2⁶⁴) would only share a count.
pub(super) fn occurrences(findings: &[Located]) -> Vec<u32> {
    let mut seen: HashMap<u64, u32> = HashMap::new();
    findings
        .iter()
        .map(|f| {
            // `DefaultHasher::new` has fixed keys: the same count every run.
            let mut h = std::collections::hash_map::DefaultHasher::new();
            fingerprint_key(f).hash(&mut h);
            let n = seen.entry(h.finish()).or_insert(0);
            *n += 1;
            *n
        })
        .collect()
}

/// A result's fingerprint: `rule|kind|namespace|name|container|message:n`,
/// `n` from [`occurrences`].
pub fn fingerprint(f: &Located, occurrence: u32) -> String {
    let (id, kind, namespace, name, container, message) = fingerprint_key(f);
    format!("{id}|{kind}|{namespace}|{name}|{container}|{message}:{occurrence}")
}

/// One result.
fn result(cx: &Context, f: &ReportFinding, fingerprint: String) -> Value {
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
        "partialFingerprints": {FINGERPRINT: fingerprint},
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

/// One input's results (or a chunk of them), each preceded by its `,`
/// separator (the writer drops the first one of the log). `occurrence`
/// holds each finding's [`occurrences`] entry, counted over the whole input.
pub(super) fn file(cx: &Context, file: &FileView<'_>, occurrence: &[u32], buf: &mut Vec<u8>) {
    for (l, &n) in file.findings.iter().zip(occurrence) {
        buf.extend_from_slice(b",\n        ");
        // Writing a value to a vector cannot fail.
        let _ = super::json::nested_at(&result(cx, &l.report(), fingerprint(l, n)), 4, buf);
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
