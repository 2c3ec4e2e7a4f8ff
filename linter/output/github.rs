//! `--format github`: GitHub Actions workflow commands, one per finding
//! (`::error` for danger, `::warning` for warning) plus one per input error,
//! file by file (a file's errors before its findings).

use std::fmt::Write as _;
use std::io::{self, Write};

use eyelint_policies::finding::Severity;
use eyelint_policies::report::ReportError;

use super::FileView;

/// Escapes a command's message: GitHub's escapes, then any other control
/// character or bidirectional override written as an escape (`\x1b`), so
/// none acts on the log it lands in.
fn data(s: &str) -> String {
    let escaped = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    eyelint_policies::text::printable(&escaped).into_owned()
}

/// Escapes a command property value.
fn prop(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Input errors as `::error` commands.
pub(super) fn errors(errors: &[ReportError], w: &mut dyn Write) -> io::Result<()> {
    let mut s = String::new();
    for e in errors {
        let _ = write!(s, "::error file={}", prop(&e.file));
        if let (Some(l), Some(c)) = (e.line, e.column) {
            let _ = write!(s, ",line={l},col={c}");
        }
        let _ = writeln!(s, ",title=eyelint::{}", data(&e.message));
    }
    w.write_all(s.as_bytes())
}

/// One input's findings as workflow commands.
pub(super) fn file(file: &FileView<'_>, buf: &mut Vec<u8>) {
    let mut s = String::new();
    for l in file.findings {
        let f = &l.report();
        let level = match f.severity {
            Severity::Danger => "error",
            _ => "warning",
        };
        let _ = write!(s, "::{level} ");
        let mut props = Vec::new();
        if let Some(file) = &f.file {
            props.push(format!("file={}", prop(file)));
        }
        if let Some(l) = f.line {
            props.push(format!("line={l}"));
        }
        if let Some(c) = f.column {
            props.push(format!("col={c}"));
        }
        props.push(format!("title={}", prop(&format!("eyelint {}", f.id))));
        let mut msg = format!("{} ({}", f.message, f.object_label());
        if let Some(c) = &f.container {
            let _ = write!(msg, ", container {c}");
        }
        if let Some(src) = &f.source {
            let _ = write!(msg, ", from {src}");
        }
        msg.push(')');
        let _ = writeln!(s, "{}::{}", props.join(","), data(&msg));
    }
    buf.extend_from_slice(s.as_bytes());
}
