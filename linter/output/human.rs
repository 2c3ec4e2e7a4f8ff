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
use eyelint_policies::text::{printable, printable_in_place};

use super::{Context, FileView, Style, Tail};
use crate::lint::Located;

/// A snippet with a line of more characters than this has its lines cut
/// to [`SNIPPET_LINE`] characters around the finding's column, each cut
/// marked with [`CUT`]: a one-line JSON object with a long annotation, or a
/// long value on the line next to the finding's, would otherwise be
/// printed whole for every finding on or near it. So a snippet can be
/// drawn at any column: miette, whose underline's padding is a formatting
/// width that panics past 65,535, only ever sees the cut lines.
pub const LONG_LINE: usize = 200;

/// The characters of each line a cut snippet shows.
pub const SNIPPET_LINE: usize = 160;

/// Characters a cut snippet shows before the finding's column, where the
/// line has them: the rest of [`SNIPPET_LINE`] follows it (the key and its
/// value), unless every line ends sooner, when more are shown before it.
pub const BEFORE_COLUMN: usize = 60;

/// Marks where a snippet line was cut.
pub const CUT: char = '…';

/// Lines shown above and below a finding's line.
const CONTEXT_LINES: usize = 1;

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
        .with_context_lines(CONTEXT_LINES)
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
    src: Option<NamedSource<Excerpt>>,
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
    printable(&s).into_owned()
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

/// An input's text with a table of its line starts, from which each
/// snippet's lines are taken ([`Window::excerpt`]): a snippet costs the
/// same at the end of a large file as at its start (miette's own reading
/// of a `str` walks the text from the beginning).
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

    /// Line `i`'s text, without its line break, and its first byte's offset.
    fn line(&self, i: usize) -> (&str, usize) {
        let from = self.starts.get(i).copied().unwrap_or(self.text.len());
        let to = self.starts.get(i + 1).copied().unwrap_or(self.text.len());
        let raw = self.text.get(from..to).unwrap_or("");
        (raw.trim_end_matches(['\n', '\r']), from)
    }

    /// The snippet of a span of `len` bytes at byte `offset`: the lines
    /// around it, each cut to [`SNIPPET_LINE`] characters when one of them
    /// is longer than [`LONG_LINE`], and the span in that text. `None` when
    /// `offset` is not in the text or not at a character.
    pub fn excerpt(&self, offset: usize, len: usize) -> Option<(Excerpt, SourceSpan)> {
        let end = offset.checked_add(len)?.min(self.text.len());
        let at = self.line_of(offset);
        let (_, line_start) = self.line(at);
        // The span's first character, counted from its line's start.
        let column = self.text.get(line_start..offset)?.chars().count();
        let end_line = self.line_of(end);
        // Whole lines from one before the context to one after it: miette
        // then finds the same context in the excerpt as in the whole text.
        let first = at.saturating_sub(CONTEXT_LINES + 1);
        let stop = (end_line + CONTEXT_LINES + 2).min(self.starts.len());
        // Every line is cut at the same characters, so that what stands
        // above the finding in the file stands above it in the snippet:
        // from `BEFORE_COLUMN` before the finding's column, or earlier when
        // no line goes on that far (characters are counted only as far as
        // that window reaches).
        let long = |i: usize| self.line(i).0.chars().nth(LONG_LINE).is_some();
        let (from_char, to_char) = if (first..stop).any(long) {
            let reach = column.saturating_sub(BEFORE_COLUMN) + SNIPPET_LINE;
            let longest = (first..stop)
                .map(|i| self.line(i).0.chars().take(reach).count())
                .max()
                .unwrap_or(0);
            let from = longest.saturating_sub(SNIPPET_LINE);
            (from, from + SNIPPET_LINE)
        } else {
            (0, usize::MAX)
        };
        let mut text = String::new();
        let mut span = (0, 0);
        for i in first..stop {
            let (content, start) = self.line(i);
            let (from, to) = char_range(content, from_char, to_char);
            let at_text = text.len();
            if from > 0 {
                text.push(CUT);
            }
            let marker = text.len() - at_text;
            // Shown as it may be on a terminal, each byte where it was.
            text.push_str(&printable_in_place(&content[from..to]));
            if to < content.len() {
                text.push(CUT);
            }
            // Where a byte of the line lands in the excerpt: a byte cut
            // away lands at the cut; one in the line break (a span that
            // goes on to the next line) in the break.
            let next = self.starts.get(i + 1).copied().unwrap_or(self.text.len());
            let upto = if to < content.len() { to } else { next - start };
            let place = |o: usize| at_text + marker + (o - start).clamp(from, upto) - from;
            if i == at {
                span.0 = place(offset);
            }
            if i == end_line {
                span.1 = place(end);
            }
            text.push_str(self.text.get(start + content.len()..next).unwrap_or(""));
        }
        let span = SourceSpan::from((span.0, span.1.saturating_sub(span.0)));
        Some((
            Excerpt {
                text,
                first_line: first,
            },
            span,
        ))
    }
}

/// Byte offsets in `s` of its characters `lo` and `hi` (or its end).
fn char_range(s: &str, lo: usize, hi: usize) -> (usize, usize) {
    let mut at = s
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()));
    let from = at.nth(lo).unwrap_or(s.len());
    let to = match hi.checked_sub(lo + 1) {
        Some(n) => at.nth(n).unwrap_or(s.len()),
        None => from,
    };
    (from, to)
}

/// The lines a finding's snippet is drawn from ([`Window::excerpt`]), cut
/// where they are long: miette reads only these, so a snippet costs the
/// same at the end of a large file as at its start and on a line of
/// megabytes as on a short one.
#[derive(Debug, Clone)]
pub struct Excerpt {
    text: String,
    /// The 0-based line of the input that the excerpt starts with.
    first_line: usize,
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let c = self
            .text
            .as_bytes()
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new(
            c.data(),
            *c.span(),
            c.line() + self.first_line,
            c.column(),
            c.line_count() + self.first_line,
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
        // What the input names (files, objects, containers, keys, values in
        // messages) is shown as it may be on a terminal.
        let name = printable(f.file.as_deref().unwrap_or("-"));
        let header = object_header(f);
        if last_object.as_deref() != Some(header.as_str()) {
            let _ = writeln!(s, "{name}: {header}");
            last_object = Some(header);
        }
        let mut message = format!("{} ({}): {}", f.id, f.severity, printable(&f.message));
        if let Some(c) = &f.container {
            let _ = write!(message, " [container {}]", printable(c));
        }
        let (src, span) = match (window, file.text, f.line, f.column) {
            (Some(w), Some(t), Some(line), Some(col)) => {
                match w.excerpt(l.offset(), token_len(t, l.offset())) {
                    Some((excerpt, span)) => (
                        Some(NamedSource::new(format!("{name}:{line}:{col}"), excerpt)),
                        Some(span),
                    ),
                    None => (None, None),
                }
            }
            _ => (None, None),
        };
        let diag = FindingDiag {
            message,
            severity: f.severity,
            src,
            span,
            label: printable(&f.path).into_owned(),
            help: super::fix_hint(f).map(|h| printable(&h).into_owned()),
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

    /// A finding's diagnostic with `src` as its source and `span` in it.
    fn diag<S: Into<Option<NamedSource<Excerpt>>>>(src: S, span: SourceSpan) -> FindingDiag {
        FindingDiag {
            message: "m".into(),
            severity: Severity::Warning,
            src: src.into(),
            span: Some(span),
            label: "label".into(),
            help: None,
        }
    }

    /// The snippet miette draws of `text` at `offset`, `len` bytes long:
    /// from the excerpt, and from the whole text.
    fn excerpt_and_whole(text: &str, offset: usize, len: usize) -> (String, String) {
        let handler = handler(&Style {
            color: false,
            width: 80,
        });
        let (excerpt, span) = Window::new(text).excerpt(offset, len).unwrap();
        let mut cut = String::new();
        let c = handler.render_report(&mut cut, &diag(NamedSource::new("f", excerpt), span));
        let whole = FullText {
            diag: diag(None, SourceSpan::from((offset, len))),
            text: NamedSource::new("f", Arc::from(text)),
        };
        let mut plain = String::new();
        let p = handler.render_report(&mut plain, &whole);
        assert_eq!(c.is_ok(), p.is_ok(), "{text:?} at {offset}+{len}");
        (cut, plain)
    }

    /// A snippet drawn from an excerpt is the one miette draws from the
    /// whole text, wherever the span is (first and last lines, CRLF, lone
    /// CR, no final line break, empty lines, multi-byte characters), when
    /// no line near it is long: one three lines away may be.
    #[test]
    fn excerpt_snippets_equal_whole_text_snippets() {
        let long = format!("x: {}", "y".repeat(LONG_LINE));
        let hidden = format!("{long}\nb: 1\nc: 2\nd: 3\ne: 4\nf: 5\n{long}\n");
        for text in [
            "a: 1\nb: 2\nc:\n  d: 3\n\n  e: ü4\nf: 5",
            "a: 1\r\nb: 2\r\n\r\nc: 3\r\n",
            "x\ry: 1\rz: 2\n",
            "only: line",
            "\n\n\nk: v\n\n",
            &hidden,
        ] {
            let (from, to) = if text == hidden {
                (hidden.find("d: 3").unwrap(), hidden.find("e: 4").unwrap())
            } else {
                (0, text.len())
            };
            for offset in (from..=to).filter(|o| text.is_char_boundary(*o)) {
                for len in [0, 1, 3] {
                    let len = len.min(text.len() - offset);
                    if !text.is_char_boundary(offset + len) {
                        continue;
                    }
                    let (cut, whole) = excerpt_and_whole(text, offset, len);
                    assert_eq!(cut, whole, "{text:?} at {offset}+{len}");
                }
            }
        }
    }

    /// The snippet's code line and the underline below it.
    fn code_and_underline(snippet: &str) -> (&str, &str) {
        let lines: Vec<&str> = snippet.lines().collect();
        let i = lines
            .iter()
            .position(|l| l.contains('┬'))
            .expect("an underline");
        (lines[i - 1], lines[i])
    }

    /// Display column (here: character) of `needle` in `line`.
    fn column_of(line: &str, needle: &str) -> usize {
        line[..line.find(needle).expect(needle)].chars().count()
    }

    /// A long line is cut around the finding's column, with a mark where it
    /// was cut, and every line shown is cut at the same characters; the
    /// underline stays under the finding's key. Multi-byte characters are
    /// cut whole.
    #[test]
    fn long_lines_are_cut_around_the_finding() {
        let pad = "é".repeat(5000);
        let text = format!(
            "{{\"a\": \"{pad}{pad}\",\n\"b\": \"{pad}\", \"hostIPC\": true, \"c\": \"{pad}\"\n}}\n"
        );
        let offset = text.find("\"hostIPC\"").unwrap();
        let (snippet, whole) = excerpt_and_whole(&text, offset, "\"hostIPC\"".len());
        assert!(whole.len() > 20_000);
        assert!(snippet.len() < 2_000, "{snippet}");
        for l in snippet.lines() {
            assert!(l.chars().count() <= SNIPPET_LINE + 12, "{l}");
        }
        let (code, underline) = code_and_underline(&snippet);
        assert!(code.contains(" │ …éé"), "{code}");
        assert!(code.ends_with("éé…"), "{code}");
        let key = column_of(code, "\"hostIPC\": true, \"c\"");
        assert_eq!(column_of(underline, "─"), key, "\n{snippet}");
        assert_eq!(
            column_of(code, "\"hostIPC\"") - column_of(code, "…"),
            1 + BEFORE_COLUMN,
            "{code}"
        );
        // The line above, cut at the same characters: its text stops before
        // the finding's column, where the finding's own line goes on.
        let above = snippet
            .lines()
            .find(|l| l.starts_with(" 1 │"))
            .expect("line 1");
        assert!(above.ends_with("éé…"), "{above}");
        assert_eq!(column_of(above, "…"), column_of(code, "…"));
        // The last line (`}`) holds no character of the cut: a mark alone.
        assert!(snippet.lines().any(|l| l == " 3 │ …"), "{snippet}");
    }

    /// A line of up to [`LONG_LINE`] characters is shown whole; past that,
    /// one whose finding is near its end is cut before it only.
    #[test]
    fn lines_are_cut_only_past_the_long_line_length() {
        let line = |n: usize| format!("{}: v", "k".repeat(n - 3));
        let text = format!("a: 1\n{}\nb: 2\n", line(LONG_LINE));
        let (snippet, whole) = excerpt_and_whole(&text, text.find("b: 2").unwrap(), 1);
        assert_eq!(snippet, whole);
        assert!(!snippet.contains(CUT));
        let text = format!("a: 1\n{}\n", line(LONG_LINE + 50));
        let offset = text.find(": v").unwrap();
        let (snippet, _) = excerpt_and_whole(&text, offset, 1);
        let (code, underline) = code_and_underline(&snippet);
        assert!(code.ends_with("kkk: v"), "{code}");
        assert_eq!(code.matches(CUT).count(), 1, "{code}");
        assert_eq!(
            code.chars().count(),
            " 2 │ …".chars().count() + SNIPPET_LINE
        );
        assert_eq!(column_of(underline, "┬"), column_of(code, ": v"));
    }

    /// A finding near the start of a long line keeps the line's start; the
    /// line is cut after [`SNIPPET_LINE`] characters.
    #[test]
    fn a_long_line_is_cut_after_a_finding_near_its_start() {
        let text = format!("{{\"kind\": \"Pod\", \"x\": \"{}\"}}", "y".repeat(500_000));
        let offset = text.find("\"kind\"").unwrap();
        let (snippet, _) = excerpt_and_whole(&text, offset, 6);
        let (code, underline) = code_and_underline(&snippet);
        assert!(code.starts_with(" 1 │ {\"kind\""), "{code}");
        assert!(code.ends_with("y…"), "{code}");
        assert_eq!(
            code.chars().count(),
            " 1 │ ".chars().count() + SNIPPET_LINE + 1
        );
        assert_eq!(column_of(underline, "─"), column_of(code, "\"kind\""));
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
