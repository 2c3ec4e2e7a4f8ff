//! `--format human`: findings grouped by file and object, each with a source
//! snippet underlining the offending key, the container, and a one-line fix
//! hint; then a summary with counts per severity and the score.

use std::fmt::Write as _;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, NamedSource, SourceCode, SourceSpan, SpanContents,
};

use eyelint_policies::finding::Severity;
use eyelint_policies::report::ReportFinding;

use super::{Context, FileView, Style, Tail};
use crate::lint::Located;

/// Snippets are drawn only for positions up to this column. Past it a line
/// is not readable as a snippet anyway (minified JSON, a long scalar), and
/// miette cannot draw one: its underline's padding is a formatting width,
/// which panics past 65,535 (tabs and wide characters count more than one).
const SNIPPET_COLUMNS: usize = 8192;

/// Whether a snippet is drawn for a position at `column` (1-based).
pub fn shows_snippet(column: usize) -> bool {
    column <= SNIPPET_COLUMNS
}

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
        // Lines break at spaces only, never inside a word at a hyphen or a
        // slash: names (`kube-system`, `app.kubernetes.io/instance`) stay
        // whole for search and copy. It is also the cheap way to wrap: the
        // Unicode line-breaking rules took a third of a human report's time.
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
}

#[derive(Debug)]
struct FindingDiag {
    message: String,
    severity: Severity,
    src: Option<NamedSource<Window>>,
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
pub fn summary_line(tail: &Tail<'_>) -> String {
    let s = tail.summary;
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
        format!(
            "{danger} danger, {warning} warning in {}",
            plural(tail.files_with_findings, "file", "files")
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

/// An input's text as miette reads it for snippets: only the lines around
/// a span are handed over, found through a table of line starts, so a
/// snippet costs the same at the end of a large file as at its start
/// (miette's own reading of a `str` walks the text from the beginning).
#[derive(Debug, Clone)]
pub struct Window {
    text: Arc<str>,
    /// Byte offset of each line's start (line breaks as miette counts
    /// them: `\n`, `\r\n`, or a lone `\r`).
    starts: Arc<[usize]>,
}

impl Window {
    /// Indexes `text`.
    pub fn new(text: &str) -> Window {
        let b = text.as_bytes();
        let mut starts = vec![0];
        for i in memchr::memchr2_iter(b'\n', b'\r', b) {
            if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
                continue;
            }
            starts.push(i + 1);
        }
        Window {
            text: Arc::from(text),
            starts: Arc::from(starts),
        }
    }

    /// 0-based line holding byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let bytes = self.text.as_bytes();
        if span.offset() > bytes.len() {
            return Err(MietteError::OutOfBounds);
        }
        // Whole lines from one before the context to one after it: miette
        // then finds the same context in the window as in the whole text.
        let first = self
            .line_of(span.offset())
            .saturating_sub(context_lines_before + 1);
        let end = (span.offset() + span.len()).min(bytes.len());
        let last = self.line_of(end) + context_lines_after + 2;
        let from = self.starts.get(first).copied().unwrap_or(0);
        let to = self.starts.get(last).copied().unwrap_or(bytes.len());
        let window = bytes.get(from..to).ok_or(MietteError::OutOfBounds)?;
        let inner = SourceSpan::from((span.offset() - from, span.len()));
        let c = window.read_span(&inner, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new(
            c.data(),
            SourceSpan::from((c.span().offset() + from, c.span().len())),
            c.line() + first,
            c.column(),
            c.line_count() + first,
        )))
    }
}

/// Renders one input's findings for people: object headers, snippets and
/// fix hints.
pub(super) fn file(cx: &Context, file: &FileView<'_>, buf: &mut Vec<u8>) {
    let window = file.text.map(Window::new);
    chunk(cx, file, window.as_ref(), None, buf);
}

/// [`file`] for a chunk of an input's findings: `window` indexes the
/// input's text (made once for all its chunks), and `before` is the finding
/// before the chunk's first, if any (its object's header is not repeated).
pub(super) fn chunk(
    cx: &Context,
    file: &FileView<'_>,
    window: Option<&Window>,
    before: Option<&Located>,
    buf: &mut Vec<u8>,
) {
    let handler = handler(&cx.style);
    let mut s = String::new();
    let mut last_object: Option<String> = before.map(|l| object_header(&l.report()));
    for l in file.findings {
        let f = &l.report();
        let name = f.file.as_deref().unwrap_or("-");
        let header = object_header(f);
        if last_object.as_deref() != Some(header.as_str()) {
            let _ = writeln!(s, "{name}: {header}");
            last_object = Some(header);
        }
        let mut message = format!("{} ({}): {}", f.id, f.severity, f.message);
        if let Some(c) = &f.container {
            let _ = write!(message, " [container {c}]");
        }
        let (src, span) = match (window, file.text, f.line, f.column) {
            (_, _, Some(line), Some(col)) if !shows_snippet(col) => {
                let _ = write!(
                    message,
                    "\n{name}:{line}:{col} (the line is too long to show)"
                );
                (None, None)
            }
            (Some(w), Some(t), Some(line), Some(col)) if l.offset() <= t.len() => {
                let len = token_len(t, l.offset());
                (
                    Some(NamedSource::new(format!("{name}:{line}:{col}"), w.clone())),
                    Some(SourceSpan::from((l.offset(), len))),
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
    buf.extend_from_slice(s.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A snippet drawn from the window is the one miette draws from the
    /// whole text, wherever the span is (first and last lines, CRLF, lone
    /// CR, no final line break, empty lines, multi-byte characters).
    #[test]
    fn windowed_snippets_equal_whole_text_snippets() {
        let style = Style {
            color: false,
            width: 80,
        };
        let handler = handler(&style);
        for text in [
            "a: 1\nb: 2\nc:\n  d: 3\n\n  e: ü4\nf: 5",
            "a: 1\r\nb: 2\r\n\r\nc: 3\r\n",
            "x\ry: 1\rz: 2\n",
            "only: line",
            "\n\n\nk: v\n\n",
        ] {
            let window = Window::new(text);
            for offset in (0..=text.len()).filter(|o| text.is_char_boundary(*o)) {
                for len in [0, 1, 3] {
                    let len = len.min(text.len() - offset);
                    if !text.is_char_boundary(offset + len) {
                        continue;
                    }
                    let diag = |src| FindingDiag {
                        message: "m".into(),
                        severity: Severity::Warning,
                        src: Some(src),
                        span: Some(SourceSpan::from((offset, len))),
                        label: "label".into(),
                        help: None,
                    };
                    let mut windowed = String::new();
                    let w = handler
                        .render_report(&mut windowed, &diag(NamedSource::new("f", window.clone())));
                    let whole = FullText {
                        diag: diag(NamedSource::new("f", window.clone())),
                        text: NamedSource::new("f", Arc::from(text)),
                    };
                    let mut plain = String::new();
                    let p = handler.render_report(&mut plain, &whole);
                    assert_eq!(w.is_ok(), p.is_ok(), "{text:?} at {offset}+{len}");
                    assert_eq!(windowed, plain, "{text:?} at {offset}+{len}");
                }
            }
        }
    }

    /// The same diagnostic, with the whole text as its source.
    #[derive(Debug)]
    struct FullText {
        diag: FindingDiag,
        text: NamedSource<Arc<str>>,
    }

    impl std::fmt::Display for FullText {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            self.diag.fmt(f)
        }
    }

    impl std::error::Error for FullText {}

    impl Diagnostic for FullText {
        fn severity(&self) -> Option<miette::Severity> {
            self.diag.severity()
        }
        fn source_code(&self) -> Option<&dyn miette::SourceCode> {
            Some(&self.text)
        }
        fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
            self.diag.labels()
        }
    }

    /// Long help lines wrap at spaces only: a hyphenated or slashed name
    /// and a JSON value stay whole on one line.
    #[test]
    fn wrapping_never_breaks_inside_a_word() {
        let handler = handler(&Style {
            color: false,
            width: 60,
        });
        let words = [
            "\"high-priority-workloads\"",
            "app.kubernetes.io/instance",
            "{\"exec\":{\"command\":[\"cat\"]}}",
        ];
        let help = format!(
            "fix (unsafe, review it): add spec.template.spec.priorityClassName: {} and {} then {}",
            words[0], words[1], words[2]
        );
        let diag = FindingDiag {
            message: "m".into(),
            severity: Severity::Warning,
            src: None,
            span: None,
            label: "label".into(),
            help: Some(help),
        };
        let mut out = String::new();
        handler.render_report(&mut out, &diag).unwrap();
        assert!(out.lines().count() > 3, "the help wraps: {out}");
        for w in words {
            assert!(out.lines().any(|l| l.contains(w)), "{w} split: {out}");
        }
    }

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
