//! Reporters. Every format renders the same findings (the shared report
//! model, in file, line, column, rule order), and every format is written
//! one input at a time: [`render_file`] turns an input's findings into text
//! on whichever worker finished it, and a [`Writer`] puts the pieces out in
//! input order between the format's beginning and end, so a large run never
//! holds its whole report.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::str::FromStr;

use rayon::prelude::*;

use eyelint_policies::finding::{FixSafety, Severity};
use eyelint_policies::path::FieldPath;
use eyelint_policies::report::{ReportError, ReportFinding, Summary};

use crate::discover::Input;
use crate::lint::Located;

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

/// Rendering settings for the human format.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// ANSI colour.
    pub color: bool,
    /// Wrap width.
    pub width: usize,
}

/// What every format needs besides the findings.
#[derive(Debug)]
pub struct Context {
    /// The output format.
    pub format: Format,
    /// The rules that ran, sorted by id.
    pub rules: Vec<RuleInfo>,
    /// The tool's version.
    pub version: &'static str,
    /// Human-format settings.
    pub style: Style,
}

impl Context {
    /// Whether the format draws snippets from the inputs' text.
    pub fn needs_text(&self) -> bool {
        self.format == Format::Human
    }
}

/// One input's reported findings, as a format renders them.
#[derive(Clone, Copy, Debug)]
pub struct FileView<'a> {
    /// The input's name in reports.
    pub name: &'a str,
    /// Its findings, in report order.
    pub findings: &'a [Located],
    /// Its text (for snippets), when kept.
    pub text: Option<&'a str>,
}

/// One input rendered, waiting to be written in input order.
#[derive(Debug, Default)]
pub struct Rendered {
    /// The text.
    pub bytes: Vec<u8>,
    /// The text's continuation, when its findings were rendered in chunks
    /// at the same time (written after `bytes`, in order, and never joined
    /// into one buffer: that would hold the report twice).
    pub more: Vec<Vec<u8>>,
    /// Findings in it.
    pub findings: usize,
}

/// Renders one input's findings. Pure, and safe to run on any thread: the
/// command line renders inputs in parallel and writes them in order.
pub fn render_file(cx: &Context, file: &FileView<'_>) -> Rendered {
    // An input with many findings (`helm template … | eyelint -` is one
    // input) is rendered a chunk at a time in parallel; JUnit's suites are
    // joined at the end anyway.
    let chunked = cx.format != Format::Junit && file.findings.len() > CHUNK;
    let (bytes, more) = if chunked {
        // The human format's snippets come from one index of the text.
        let window = match cx.format {
            Format::Human => file.text.map(human::Window::new),
            _ => None,
        };
        // A SARIF fingerprint counts the findings alike before it in the
        // whole input, not only in its chunk.
        let occurrence = match cx.format {
            Format::Sarif => sarif::occurrences(file.findings),
            _ => Vec::new(),
        };
        let mut chunks: Vec<Vec<u8>> = file
            .findings
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(k, findings)| {
                let mut bytes = Vec::new();
                let part = FileView { findings, ..*file };
                if cx.format == Format::Human {
                    let before = (k * CHUNK).checked_sub(1).map(|i| &file.findings[i]);
                    human::chunk(cx, &part, window.as_ref(), before, &mut bytes);
                } else if cx.format == Format::Sarif {
                    sarif::file(cx, &part, &occurrence[k * CHUNK..], &mut bytes);
                } else {
                    render_into(cx, &part, &mut bytes);
                }
                bytes
            })
            .collect();
        let bytes = if chunks.is_empty() {
            Vec::new()
        } else {
            chunks.remove(0)
        };
        (bytes, chunks)
    } else {
        let mut bytes = if file.findings.is_empty() {
            Vec::new()
        } else {
            spare::SPARE.take()
        };
        render_into(cx, file, &mut bytes);
        (bytes, Vec::new())
    };
    Rendered {
        bytes,
        more,
        findings: file.findings.len(),
    }
}

/// Findings of one input rendered per parallel task, when it has more than
/// this many.
const CHUNK: usize = 2048;

/// Renders `file`'s findings into `bytes`.
fn render_into(cx: &Context, file: &FileView<'_>, bytes: &mut Vec<u8>) {
    match cx.format {
        Format::Human => human::file(cx, file, bytes),
        Format::Json => json::file(file, bytes),
        Format::Sarif => sarif::file(cx, file, &sarif::occurrences(file.findings), bytes),
        Format::Junit => junit::file(file, bytes),
        Format::Github => github::file(file, bytes),
    }
}

/// Buffers of inputs already written, kept for the next ones to render
/// into. A large run renders hundreds of inputs of a megabyte each; a
/// buffer that big is given back to the operating system when freed, and
/// a new one costs a page fault and a zeroed page for every 4 KiB written
/// (measured: about 4% of a lint run of the 20,000 workloads). Only a few
/// are kept, so what is held stays bounded by the largest inputs' reports.
mod spare {
    use std::sync::{Mutex, PoisonError};

    /// Buffers kept at most.
    const KEPT: usize = 4;

    /// The run's spare buffers.
    pub(super) static SPARE: Spare = Spare::new();

    /// A small pool of emptied buffers.
    pub(super) struct Spare(Mutex<Vec<Vec<u8>>>);

    impl Spare {
        const fn new() -> Spare {
            Spare(Mutex::new(Vec::new()))
        }

        /// An empty buffer, with room left by an earlier input when there is one.
        pub(super) fn take(&self) -> Vec<u8> {
            self.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop()
                .unwrap_or_default()
        }

        /// Keeps `buf` for a later input, unless enough are kept already.
        pub(super) fn give_back(&self, mut buf: Vec<u8>) {
            if buf.capacity() == 0 {
                return;
            }
            buf.clear();
            let mut spare = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            if spare.len() < KEPT {
                spare.push(buf);
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_buffer_given_back_comes_out_empty_with_its_room() {
            let spare = Spare::new();
            let mut b = Vec::with_capacity(1 << 16);
            b.extend_from_slice(b"written");
            spare.give_back(b);
            let t = spare.take();
            assert!(t.is_empty());
            assert!(t.capacity() >= 1 << 16);
            assert_eq!(spare.take().capacity(), 0, "only one was given back");
        }

        #[test]
        fn no_more_than_a_few_buffers_are_kept() {
            let spare = Spare::new();
            for _ in 0..3 * KEPT {
                spare.give_back(Vec::with_capacity(8));
            }
            let kept = std::iter::from_fn(|| Some(spare.take()))
                .take_while(|b| b.capacity() > 0)
                .count();
            assert_eq!(kept, KEPT);
        }
    }
}

/// What a report ends with.
#[derive(Clone, Copy, Debug)]
pub struct Tail<'a> {
    /// Input errors, in input order.
    pub errors: &'a [ReportError],
    /// Totals (after filters and the baseline).
    pub summary: &'a Summary,
    /// Inputs with at least one reported finding.
    pub files_with_findings: usize,
}

/// Writes a report one input at a time, in input order.
pub struct Writer<'w> {
    format: Format,
    w: &'w mut (dyn Write + Send),
    /// No finding has been written yet (JSON and SARIF arrays).
    first: bool,
    /// JUnit needs totals before its suites: suites wait here, in input order.
    junit: junit::Suites,
}

impl<'w> Writer<'w> {
    /// Writes what comes before the first input.
    pub fn begin(cx: &Context, w: &'w mut (dyn Write + Send)) -> io::Result<Writer<'w>> {
        match cx.format {
            Format::Json => json::begin(w)?,
            Format::Sarif => sarif::begin(cx, w)?,
            Format::Human | Format::Junit | Format::Github => {}
        }
        Ok(Writer {
            format: cx.format,
            w,
            first: true,
            junit: junit::Suites::default(),
        })
    }

    /// Writes one input: its rendered findings and (for formats that list
    /// them with the files) its errors.
    pub fn file(
        &mut self,
        name: &str,
        rendered: Rendered,
        errors: &[ReportError],
    ) -> io::Result<()> {
        let Rendered {
            mut bytes,
            more,
            findings,
        } = rendered;
        let rest = |w: &mut dyn Write| more.iter().try_for_each(|m| w.write_all(m));
        let written = match self.format {
            Format::Junit => {
                // Suites are written at the end, after the totals (JUnit's
                // findings are not rendered in chunks; joined if they were).
                more.iter().for_each(|m| bytes.extend_from_slice(m));
                self.junit.add(name, &bytes, findings, errors)
            }
            Format::Json | Format::Sarif => {
                // Every finding starts with a separator; the array's first
                // element has none.
                let skip = usize::from(self.first && !bytes.is_empty());
                self.first &= bytes.is_empty();
                self.w.write_all(&bytes[skip..]).and_then(|()| rest(self.w))
            }
            Format::Github => github::errors(errors, self.w)
                .and_then(|()| self.w.write_all(&bytes))
                .and_then(|()| rest(self.w)),
            Format::Human => self.w.write_all(&bytes).and_then(|()| rest(self.w)),
        };
        spare::SPARE.give_back(bytes);
        written
    }

    /// Writes what comes after the last input.
    pub fn end(self, cx: &Context, tail: &Tail<'_>) -> io::Result<()> {
        match self.format {
            Format::Json => json::end(self.first, tail, self.w),
            Format::Sarif => sarif::end(cx, self.first, tail, self.w),
            Format::Human => {
                self.w.write_all(human::summary_line(tail).as_bytes())?;
                self.w.write_all(b"\n")
            }
            Format::Junit => self.junit.end(tail, self.w),
            Format::Github => Ok(()),
        }
    }
}

/// Renders a whole report held in memory (tests, small reports): the same
/// text the streaming writer produces. `findings` must be in report order,
/// grouped by input.
pub fn render_all(
    cx: &Context,
    inputs: &[Input],
    findings: &[Located],
    texts: &[Option<&str>],
    tail: &Tail<'_>,
) -> String {
    let mut buf = Vec::new();
    // Writing to a vector cannot fail.
    let _ = (|| -> io::Result<()> {
        let mut w = Writer::begin(cx, &mut buf)?;
        let mut rest = findings;
        for (i, input) in inputs.iter().enumerate() {
            let n = rest.iter().take_while(|l| l.input == i).count();
            let (mine, others) = rest.split_at(n);
            rest = others;
            let errors: Vec<ReportError> = tail
                .errors
                .iter()
                .filter(|e| e.file == input.name)
                .cloned()
                .collect();
            let view = FileView {
                name: &input.name,
                findings: mine,
                text: texts.get(i).copied().flatten(),
            };
            w.file(&input.name, render_file(cx, &view), &errors)?;
        }
        w.end(cx, tail)
    })();
    String::from_utf8(buf).unwrap_or_default()
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

    /// The text of the input of [`findings`]`(n)`: the finding `i` points
    /// at line `i + 1`.
    fn text(n: usize) -> String {
        (0..n + 2).map(|i| format!("line{i}: {i}\n")).collect()
    }

    /// Findings of several objects, rules and severities in one input; an
    /// object's findings may fall on either side of a chunk's end.
    fn findings(n: usize) -> Vec<Located> {
        use eyelint_policies::finding::{Category, Finding};
        use eyelint_policies::object::ObjectRef;
        use eyelint_policies::yaml::Pos;
        use std::sync::Arc;
        let file: Arc<str> = "big.yaml".into();
        let source: Arc<str> = "chart/templates/x.yaml".into();
        let text = text(n);
        let starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        (0..n)
            .map(|i| {
                let f = Finding {
                    id: ["hostIPCSet", "tagNotSpecified"][i % 2].into(),
                    severity: if i % 3 == 0 {
                        Severity::Danger
                    } else {
                        Severity::Warning
                    },
                    category: Category::Security.as_str().into(),
                    message: format!("message {i} with \"quotes\", ü and %").into(),
                    object: ObjectRef {
                        api_version: "v1".into(),
                        kind: "Pod".into(),
                        namespace: "ns".into(),
                        name: format!("p{}", i / 5).into(),
                    },
                    container: None,
                    path: FieldPath::keys("spec.containers").index(i % 4),
                    fix: None,
                };
                let pos = Pos {
                    line: i + 1,
                    column: 1,
                    offset: starts[i],
                };
                Located::new(f, 0, &file, pos, (i / 5 % 2 == 0).then_some(&source))
            })
            .collect()
    }

    #[test]
    fn an_input_rendered_in_chunks_reads_as_one_rendered_whole() {
        let all = findings(2 * CHUNK + 5);
        let text = text(all.len());
        for format in [
            Format::Json,
            Format::Sarif,
            Format::Github,
            Format::Junit,
            Format::Human,
        ] {
            let cx = plain(format);
            let file = FileView {
                name: "big.yaml",
                findings: &all,
                text: Some(&text),
            };
            let mut whole = Vec::new();
            render_into(&cx, &file, &mut whole);
            let r = render_file(&cx, &file);
            let chunks = if format == Format::Junit { 0 } else { 2 };
            assert_eq!(r.more.len(), chunks, "{format:?}");
            assert_eq!(r.findings, all.len());
            let mut joined = r.bytes;
            r.more.iter().for_each(|m| joined.extend_from_slice(m));
            assert!(whole.len() > all.len() * 20, "{format:?}");
            assert!(joined == whole, "{format:?}");
        }
    }

    /// A context of `format` with no colour, 80 columns wide.
    fn plain(format: Format) -> Context {
        Context {
            format,
            rules: Vec::new(),
            version: "0",
            style: Style {
                color: false,
                width: 80,
            },
        }
    }

    /// Findings of one rule, object and message repeat in an input (the
    /// same object written twice): each still gets a fingerprint of its own,
    /// numbered over the whole input when it is rendered in chunks.
    #[test]
    fn sarif_fingerprints_are_distinct_across_chunks() {
        let mut all = findings(2 * CHUNK + 5);
        for l in &mut all {
            l.finding.message = "the same message".into();
        }
        let cx = plain(Format::Sarif);
        let file = FileView {
            name: "big.yaml",
            findings: &all,
            text: None,
        };
        let mut whole = Vec::new();
        render_into(&cx, &file, &mut whole);
        let r = render_file(&cx, &file);
        assert_eq!(r.more.len(), 2);
        let mut joined = r.bytes;
        r.more.iter().for_each(|m| joined.extend_from_slice(m));
        assert!(joined == whole);
        // The results, each after a `,`: an array once the first is dropped.
        let text = format!("[{}]", &String::from_utf8(whole).unwrap()[1..]);
        let results: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
        assert_eq!(results.len(), all.len());
        let prints: std::collections::HashSet<&str> = results
            .iter()
            .map(|r| {
                r["partialFingerprints"][sarif::FINGERPRINT]
                    .as_str()
                    .unwrap()
            })
            .collect();
        assert_eq!(prints.len(), all.len(), "every fingerprint differs");
        // Findings 2045, 2047 and 2049 are one rule on one object, the last
        // in the second chunk.
        assert_eq!(
            results[2049]["partialFingerprints"][sarif::FINGERPRINT],
            "tagNotSpecified|Pod|ns|p409||the same message:3"
        );
    }

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
