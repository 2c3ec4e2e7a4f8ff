//! `--format json`: the shared report, pretty-printed.
//!
//! The text is exactly what `serde_json::to_writer_pretty` makes of the
//! [`Report`](eyelint_policies::report::Report) (a test holds it to that),
//! but the findings are rendered in parallel, a window at a time, and
//! streamed: a large run has hundreds of thousands of findings and a report
//! of a hundred megabytes, which one thread would take a noticeable share of
//! the run to print.

use std::io::{self, Write};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, Serializer};

use eyelint_policies::report::ReportFinding;

use super::Output;

/// Findings rendered per parallel task.
const CHUNK: usize = 1024;
/// Parallel tasks per thread between writes (bounds the memory held by
/// rendered text to a few megabytes).
const TASKS_PER_THREAD: usize = 2;

/// Renders the report as JSON (see `docs/output.md`).
pub fn render(out: &Output<'_>) -> String {
    let mut buf = Vec::new();
    // Writing to a vector cannot fail.
    let _ = write(out, &mut buf);
    String::from_utf8(buf).unwrap_or_default()
}

/// Writes the report as JSON to `w`.
pub fn write(out: &Output<'_>, w: &mut dyn Write) -> io::Result<()> {
    let r = &out.report;
    write!(
        w,
        "{{\n  \"schemaVersion\": {},\n  \"findings\": [",
        r.schema_version
    )?;
    let window_len = CHUNK * TASKS_PER_THREAD * rayon::current_num_threads().max(1);
    // Rendering (on the pool) runs one window ahead of writing (here).
    std::thread::scope(|scope| -> io::Result<()> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<io::Result<Vec<u8>>>(TASKS_PER_THREAD * 4);
        let findings = &r.findings;
        scope.spawn(move || {
            for window in findings.chunks(window_len) {
                let texts: Vec<io::Result<Vec<u8>>> = window
                    .par_chunks(CHUNK)
                    .map(|chunk| {
                        let mut buf = Vec::with_capacity(chunk.len() * 768);
                        for f in chunk {
                            buf.extend_from_slice(b",\n    ");
                            finding(f, &mut buf)?;
                        }
                        Ok(buf)
                    })
                    .collect();
                for text in texts {
                    if tx.send(text).is_err() {
                        // The writer stopped (a write failed); nothing more to do.
                        return;
                    }
                }
            }
        });
        let mut first = true;
        for text in rx {
            let text = text?;
            // Every chunk starts with a separator; the array's first element has none.
            let skip = if first { 1 } else { 0 };
            first = false;
            w.write_all(&text[skip..])?;
        }
        Ok(())
    })?;
    w.write_all(if r.findings.is_empty() {
        b"],\n  \"errors\": "
    } else {
        b"\n  ],\n  \"errors\": "
    })?;
    nested(&r.errors, w)?;
    w.write_all(b",\n  \"summary\": ")?;
    nested(&r.summary, w)?;
    w.write_all(b"\n}\n")
}

/// One finding, indented as an element of the top-level `findings` array.
///
/// Written field by field rather than through serde's derive: it is the bulk
/// of a large report, and this is about twice as fast. The test below holds
/// the text to serde's, so a field added to [`ReportFinding`] fails it until
/// it is added here.
fn finding(f: &ReportFinding, buf: &mut Vec<u8>) -> io::Result<()> {
    buf.extend_from_slice(b"{\n      \"id\": ");
    string(buf, &f.id)?;
    buf.extend_from_slice(b",\n      \"severity\": ");
    string(buf, f.severity.as_str())?;
    buf.extend_from_slice(b",\n      \"category\": ");
    string(buf, &f.category)?;
    buf.extend_from_slice(b",\n      \"message\": ");
    string(buf, &f.message)?;
    buf.extend_from_slice(b",\n      \"apiVersion\": ");
    string(buf, &f.api_version)?;
    buf.extend_from_slice(b",\n      \"kind\": ");
    string(buf, &f.kind)?;
    buf.extend_from_slice(b",\n      \"namespace\": ");
    string(buf, &f.namespace)?;
    buf.extend_from_slice(b",\n      \"name\": ");
    string(buf, &f.name)?;
    buf.extend_from_slice(b",\n      \"container\": ");
    opt_string(buf, f.container.as_deref())?;
    buf.extend_from_slice(b",\n      \"containerRole\": ");
    opt_string(buf, f.container_role.as_deref())?;
    buf.extend_from_slice(b",\n      \"path\": ");
    string(buf, &f.path)?;
    buf.extend_from_slice(b",\n      \"file\": ");
    opt_string(buf, f.file.as_deref())?;
    buf.extend_from_slice(b",\n      \"line\": ");
    opt_number(buf, f.line)?;
    buf.extend_from_slice(b",\n      \"column\": ");
    opt_number(buf, f.column)?;
    buf.extend_from_slice(b",\n      \"source\": ");
    opt_string(buf, f.source.as_deref())?;
    buf.extend_from_slice(b",\n      \"fix\": ");
    match &f.fix {
        None => buf.extend_from_slice(b"null"),
        Some(fix) => {
            buf.extend_from_slice(b"{\n        \"patch\": ");
            buf.extend_from_slice(fix.patch.get().as_bytes());
            buf.extend_from_slice(b",\n        \"safety\": ");
            string(buf, fix.safety.as_str())?;
            buf.extend_from_slice(b"\n      }");
        }
    }
    buf.extend_from_slice(b"\n    }");
    Ok(())
}

/// A JSON string, escaped as serde_json escapes it.
fn string(buf: &mut Vec<u8>, s: &str) -> io::Result<()> {
    serde_json::to_writer(&mut *buf, s).map_err(io::Error::other)
}

fn opt_string(buf: &mut Vec<u8>, s: Option<&str>) -> io::Result<()> {
    match s {
        Some(s) => string(buf, s),
        None => {
            buf.extend_from_slice(b"null");
            Ok(())
        }
    }
}

fn opt_number(buf: &mut Vec<u8>, n: Option<usize>) -> io::Result<()> {
    match n {
        Some(n) => write!(buf, "{n}"),
        None => {
            buf.extend_from_slice(b"null");
            Ok(())
        }
    }
}

/// A value of a top-level field.
fn nested<T: Serialize>(v: &T, w: &mut dyn Write) -> io::Result<()> {
    let mut ser = Serializer::with_formatter(w, Pretty::at(1));
    v.serialize(&mut ser).map_err(io::Error::other)
}

/// serde_json's pretty layout (two-space indent), starting `level` levels deep.
struct Pretty {
    level: usize,
    has_value: bool,
}

impl Pretty {
    fn at(level: usize) -> Self {
        Pretty {
            level,
            has_value: false,
        }
    }

    fn indent<W: ?Sized + Write>(&self, w: &mut W) -> io::Result<()> {
        const SPACES: &[u8; 64] = &[b' '; 64];
        let mut n = 2 * self.level;
        while n > 0 {
            let k = n.min(SPACES.len());
            w.write_all(&SPACES[..k])?;
            n -= k;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, c: &[u8]) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(c)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, c: &[u8]) -> io::Result<()> {
        self.level = self.level.saturating_sub(1);
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(c)
    }

    fn item<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }
}

impl Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn write_raw_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        CompactFormatter.write_raw_fragment(w, fragment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Anchor;
    use eyelint_policies::finding::{ContainerInfo, Finding, Fix, FixSafety, Severity};
    use eyelint_policies::object::{ObjectRef, Role};
    use eyelint_policies::path::FieldPath;
    use eyelint_policies::report::{FileLocation, Report, ReportError};

    fn output(findings: usize, errors: usize) -> Output<'static> {
        let mut report = Report::new();
        for i in 0..findings {
            let f = Finding {
                id: format!("rule{}", i % 3),
                severity: if i % 2 == 0 {
                    Severity::Danger
                } else {
                    Severity::Warning
                },
                category: "Security".into(),
                message: format!("message \"{i}\" with ünïcode,\ttabs, \\ and \u{1}"),
                object: ObjectRef {
                    api_version: "v1".into(),
                    kind: "Pod".into(),
                    namespace: "ns".into(),
                    name: format!("p{i}"),
                },
                container: (i % 3 == 0).then(|| ContainerInfo {
                    name: "app".into(),
                    role: Role::Sidecar,
                }),
                path: FieldPath::keys("spec.hostIPC"),
                fix: (i % 4 != 1)
                    .then(|| {
                        Fix::from_ops(
                            vec![
                                serde_json::json!({"op": "add", "path": "/spec/x", "value": {"a": [1, {}], "b": []}}),
                            ],
                            if i % 2 == 0 {
                                FixSafety::Safe
                            } else {
                                FixSafety::Unsafe
                            },
                        )
                    })
                    .flatten(),
            };
            let loc = FileLocation {
                file: "a.yaml".into(),
                line: i + 1,
                column: 3,
            };
            let source = (i % 2 == 1).then_some("chart/templates/pod.yaml");
            // Findings without a file (as the sweep reports them) too.
            let loc = (i % 5 != 2).then_some(&loc);
            report
                .findings
                .push(Box::new(ReportFinding::new(&f, loc, source)));
        }
        for i in 0..errors {
            report.errors.push(ReportError {
                file: format!("bad{i}.yaml"),
                line: Some(1),
                column: None,
                message: "invalid".into(),
            });
        }
        report.count();
        Output {
            report,
            anchors: vec![
                Anchor {
                    input: 0,
                    offset: 0
                };
                findings
            ],
            inputs: &[],
            rules: Vec::new(),
            version: "0",
        }
    }

    #[test]
    fn text_is_exactly_serde_jsons_pretty_printing() {
        // Sizes around the chunk and window edges, with and without errors.
        let window = CHUNK * TASKS_PER_THREAD * rayon::current_num_threads().max(1);
        for (n, e) in [
            (0, 0),
            (1, 0),
            (0, 2),
            (3, 1),
            (CHUNK + 1, 0),
            (window + 5, 1),
        ] {
            let out = output(n, e);
            let mut expected = serde_json::to_string_pretty(&out.report).unwrap();
            expected.push('\n');
            assert_eq!(render(&out), expected, "{n} findings, {e} errors");
        }
    }
}
