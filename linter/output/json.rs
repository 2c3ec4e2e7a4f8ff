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
    let mut first = true;
    let window_len = CHUNK * TASKS_PER_THREAD * rayon::current_num_threads().max(1);
    for window in r.findings.chunks(window_len) {
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
            let text = text?;
            // Every chunk starts with a separator; the array's first element has none.
            let skip = if first { 1 } else { 0 };
            first = false;
            w.write_all(&text[skip..])?;
        }
    }
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
fn finding(f: &ReportFinding, buf: &mut Vec<u8>) -> io::Result<()> {
    let mut ser = Serializer::with_formatter(&mut *buf, Pretty::at(2));
    f.serialize(&mut ser).map_err(io::Error::other)
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
        for _ in 0..self.level {
            w.write_all(b"  ")?;
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
    use eyelint_policies::finding::{Finding, Fix, FixSafety, Severity};
    use eyelint_policies::object::ObjectRef;
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
                message: format!("message \"{i}\" with ünïcode"),
                object: ObjectRef {
                    api_version: "v1".into(),
                    kind: "Pod".into(),
                    namespace: "ns".into(),
                    name: format!("p{i}"),
                },
                container: None,
                path: FieldPath::keys("spec.hostIPC"),
                fix: Fix::from_ops(
                    vec![
                        serde_json::json!({"op": "add", "path": "/spec/x", "value": {"a": [1, {}], "b": []}}),
                    ],
                    FixSafety::Safe,
                ),
            };
            let loc = FileLocation {
                file: "a.yaml".into(),
                line: i + 1,
                column: 3,
            };
            let source = (i % 2 == 1).then_some("chart/templates/pod.yaml");
            report
                .findings
                .push(Box::new(ReportFinding::new(&f, Some(&loc), source)));
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
