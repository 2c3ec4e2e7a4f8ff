//! Reporters. Every format renders the same [`Output`]: the shared
//! [`Report`] (findings in file, line, column, rule order) plus what the
//! human format needs to draw snippets.

use std::fmt::Write as _;
use std::str::FromStr;

use eyelint_policies::finding::{FixSafety, Severity};
use eyelint_policies::path::FieldPath;
use eyelint_policies::report::{Report, ReportFinding};

use crate::discover::Input;

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Grouped by file, with source snippets (default).
    Human,
    /// `{"schemaVersion": 1, "findings": [...], "summary": {...}}`.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// JUnit XML (GitLab, Jenkins).
    Junit,
    /// GitHub Actions workflow commands (`::error file=…`).
    Github,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        <Format as clap::ValueEnum>::from_str(s, true)
    }
}

/// A rule that ran, for formats that describe rules (SARIF).
#[derive(Clone, Debug)]
pub struct RuleInfo {
    /// Rule id.
    pub id: String,
    /// Category.
    pub category: String,
    /// Effective severity.
    pub severity: Severity,
    /// One-line summary.
    pub summary: String,
    /// Full documentation (Markdown).
    pub doc: String,
}

/// Where a reported finding sits in its input's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Anchor {
    /// Index of the input.
    pub input: usize,
    /// Byte offset of the key (or value) the finding points at.
    pub offset: usize,
}

/// Everything a reporter renders.
#[derive(Debug)]
pub struct Output<'a> {
    /// The report.
    pub report: Report,
    /// One anchor per `report.findings` entry (same order).
    pub anchors: Vec<Anchor>,
    /// The run's inputs (for snippets).
    pub inputs: &'a [Input],
    /// The rules that ran, sorted by id.
    pub rules: Vec<RuleInfo>,
    /// The tool's version.
    pub version: &'static str,
}

/// Rendering settings for the human format.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// ANSI colour.
    pub color: bool,
    /// Wrap width.
    pub width: usize,
    /// Maximum input size (for re-reading snippets).
    pub max_file_size: u64,
}

/// Renders `out` in `format`.
pub fn render(format: Format, out: &Output<'_>, style: &Style) -> String {
    match format {
        Format::Human => human::render(out, style),
        Format::Json => json::render(out),
        Format::Sarif => sarif::render(out),
        Format::Junit => junit::render(out),
        Format::Github => github::render(out),
    }
}

/// Writes `out` in `format` to `w` (the JSON report is streamed, not built in memory).
pub fn write(
    format: Format,
    out: &Output<'_>,
    style: &Style,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => json::write(out, w),
        other => w.write_all(render(other, out, style).as_bytes()),
    }
}

/// A JSON Pointer as a dotted path (`/spec/containers/0` → `spec.containers[0]`).
pub fn pointer_to_path(pointer: &str) -> String {
    let mut p = FieldPath::root();
    for raw in pointer.split('/').skip(1) {
        let seg = raw.replace("~1", "/").replace("~0", "~");
        match seg.parse::<usize>() {
            Ok(i) if !seg.starts_with('+') => p.push_index(i),
            _ if seg == "-" => p.push_key("-"),
            _ => p.push_key(&seg),
        }
    }
    p.to_string()
}

fn short_json(v: &serde_json::Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        let cut: String = s.chars().take(57).collect();
        format!("{cut}...")
    } else {
        s
    }
}

/// A one-line description of a finding's fix (`fix (safe): set x to false`).
pub fn fix_hint(f: &ReportFinding) -> Option<String> {
    let fix = f.fix.as_ref()?;
    let ops = fix.operations();
    let mut parts = Vec::new();
    for op in &ops {
        let kind = op.get("op").and_then(|v| v.as_str()).unwrap_or("");
        let path = pointer_to_path(op.get("path").and_then(|v| v.as_str()).unwrap_or(""));
        let value = op.get("value").map(short_json).unwrap_or_default();
        parts.push(match kind {
            "add" => format!("add {path}: {value}"),
            "replace" => format!("set {path} to {value}"),
            "remove" => format!("remove {path}"),
            "move" | "copy" => {
                let from = pointer_to_path(op.get("from").and_then(|v| v.as_str()).unwrap_or(""));
                format!("{kind} {from} to {path}")
            }
            "test" => continue,
            other => format!("{other} {path}"),
        });
    }
    if parts.is_empty() {
        return None;
    }
    let safety = match fix.safety {
        FixSafety::Safe => "safe",
        FixSafety::Unsafe => "unsafe, review it",
    };
    let mut s = String::new();
    let _ = write!(s, "fix ({safety}): {}", parts.join("; "));
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_read_as_dotted_paths() {
        assert_eq!(
            pointer_to_path("/spec/containers/0/securityContext"),
            "spec.containers[0].securityContext"
        );
        assert_eq!(
            pointer_to_path("/metadata/annotations/eyelint.io~1exempt"),
            "metadata.annotations[\"eyelint.io/exempt\"]"
        );
    }
}
