//! `--format human`: findings grouped by file and object, each with a source
//! snippet underlining the offending key, the container, and a one-line fix
//! hint; then a summary with counts per severity and the score.

use std::fmt::Write as _;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan,
};

use eyelint_policies::finding::Severity;
use eyelint_policies::report::{Report, ReportFinding};

use super::{Output, Style};

/// The renderer of snippets: fixed width, colour only when asked.
pub fn handler(style: &Style) -> GraphicalReportHandler {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .without_primary_span_start()
        .with_context_lines(1)
}

#[derive(Debug)]
struct FindingDiag {
    message: String,
    severity: Severity,
    src: Option<NamedSource<Arc<str>>>,
    span: Option<SourceSpan>,
    label: String,
    help: Option<String>,
}

impl std::fmt::Display for FindingDiag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FindingDiag {}

impl Diagnostic for FindingDiag {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Danger => miette::Severity::Error,
            _ => miette::Severity::Warning,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.src.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span?;
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some(self.label.clone()), span),
        )))
    }
}

/// Length in bytes of the YAML token starting at `offset`: a quoted or
/// plain key, a `- ` sequence indicator, or a flow bracket.
pub fn token_len(text: &str, offset: usize) -> usize {
    let Some(rest) = text.get(offset..) else {
        return 0;
    };
    let line = rest.split(['\n', '\r']).next().unwrap_or("");
    let mut chars = line.char_indices();
    let Some((_, first)) = chars.next() else {
        return 0;
    };
    match first {
        '-' if line[1..].starts_with([' ', '\t']) || line.len() == 1 => 1,
        '{' | '[' => 1,
        '"' => {
            let mut escaped = false;
            for (i, c) in chars {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => return i + 1,
                    _ => escaped = false,
                }
            }
            line.len()
        }
        '\'' => {
            let b = line.as_bytes();
            let mut i = 1;
            while i < b.len() {
                if b[i] == b'\'' {
                    if b.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    return i + 1;
                }
                i += 1;
            }
            line.len()
        }
        _ => {
            let b = line.as_bytes();
            let mut end = line.len();
            for i in 0..b.len() {
                let next_blank = b.get(i + 1).is_none_or(|c| *c == b' ' || *c == b'\t');
                if (b[i] == b':' && next_blank)
                    || (b[i] == b'#' && i > 0 && (b[i - 1] == b' ' || b[i - 1] == b'\t'))
                    || (i > 0 && matches!(b[i], b',' | b']' | b'}'))
                {
                    end = i;
                    break;
                }
            }
            line[..end].trim_end().len().max(1)
        }
    }
}

fn object_header(f: &ReportFinding) -> String {
    let mut s = format!("{} {}", f.kind, f.name);
    if !f.namespace.is_empty() {
        s = format!("{} {}/{}", f.kind, f.namespace, f.name);
    }
    if let Some(src) = &f.source {
        let _ = write!(s, " (from {src})");
    }
    s
}

/// The closing summary line.
pub fn summary_line(report: &Report) -> String {
    let s = &report.summary;
    let danger = s.counts.get(&Severity::Danger).copied().unwrap_or(0);
    let warning = s.counts.get(&Severity::Warning).copied().unwrap_or(0);
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("{n} {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let mut line = if danger + warning == 0 {
        "no findings".to_string()
    } else {
        let mut files: Vec<&str> = report
            .findings
            .iter()
            .filter_map(|f| f.file.as_deref())
            .collect();
        files.dedup();
        format!(
            "{danger} danger, {warning} warning in {}",
            plural(files.len(), "file", "files")
        )
    };
    let _ = write!(
        line,
        ": {} in {} checked, score {}/100",
        plural(s.objects, "object", "objects"),
        plural(s.files, "file", "files"),
        s.score
    );
    if s.baselined > 0 {
        let _ = write!(line, ", {} hidden by the baseline", s.baselined);
    }
    if s.errors > 0 {
        let _ = write!(
            line,
            ", {}",
            plural(s.errors, "input error", "input errors")
        );
    }
    line
}

/// Renders the report for people.
pub fn render(out: &Output<'_>, style: &Style) -> String {
    let handler = handler(style);
    let mut s = String::new();
    let mut current_file: Option<usize> = None;
    let mut text: Option<Arc<str>> = None;
    let mut last_object: Option<String> = None;
    for (f, anchor) in out.report.findings.iter().zip(&out.anchors) {
        if current_file != Some(anchor.input) {
            current_file = Some(anchor.input);
            last_object = None;
            text = out.inputs.get(anchor.input).and_then(|input| {
                let bytes = crate::lint::read_input(input, style.max_file_size).ok()?;
                crate::lint::as_text(&bytes).ok().map(Arc::from)
            });
        }
        let file = f.file.as_deref().unwrap_or("-");
        let header = object_header(f);
        if last_object.as_deref() != Some(header.as_str()) {
            let _ = writeln!(s, "{file}: {header}");
            last_object = Some(header);
        }
        let mut message = format!("{} ({}): {}", f.id, f.severity, f.message);
        if let Some(c) = &f.container {
            let _ = write!(message, " [container {c}]");
        }
        let (src, span) = match (&text, f.line, f.column) {
            (Some(t), Some(l), Some(c)) if anchor.offset <= t.len() => {
                let len = token_len(t, anchor.offset);
                (
                    Some(NamedSource::new(format!("{file}:{l}:{c}"), t.clone())),
                    Some(SourceSpan::from((anchor.offset, len))),
                )
            }
            _ => (None, None),
        };
        let diag = FindingDiag {
            message,
            severity: f.severity,
            src,
            span,
            label: f.path.clone(),
            help: super::fix_hint(f),
        };
        let mut rendered = String::new();
        if handler.render_report(&mut rendered, &diag).is_err() {
            rendered = format!("  {}\n", diag.message);
        }
        s.push_str(&rendered);
        s.push('\n');
    }
    s.push_str(&summary_line(&out.report));
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::token_len;

    #[test]
    fn token_lengths() {
        let t = "  privileged: true\n  - name: x\n  \"a b\": 1\n  'it''s': 2\n  k: v # c\n";
        assert_eq!(token_len(t, 2), "privileged".len());
        let dash = t.find("- name").unwrap();
        assert_eq!(token_len(t, dash), 1);
        assert_eq!(token_len(t, dash + 2), 4);
        let q = t.find("\"a b\"").unwrap();
        assert_eq!(token_len(t, q), 5);
        let sq = t.find("'it''s'").unwrap();
        assert_eq!(token_len(t, sq), 7);
        assert_eq!(token_len("image: nginx:1.2\n", 7), "nginx:1.2".len());
        assert_eq!(token_len("x", 5), 0);
    }
}
