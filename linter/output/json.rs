//! `--format json`: the shared report, pretty-printed.
//!
//! The text is exactly what `serde_json::to_writer_pretty` makes of the
//! [`Report`](eyelint_policies::report::Report) (a test holds it to that),
//! but it is written one input at a time: each input's findings are
//! rendered on the worker that checked it, and the report streams out while
//! the run goes on (a large run has hundreds of thousands of findings and a
//! report of a hundred megabytes).

use std::io::{self, Write};
use std::sync::Arc;

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, Serializer};

use eyelint_policies::bytes::{any_byte, word_has, word_has_below};
use eyelint_policies::finding::{Finding, Severity};
use eyelint_policies::path::decimal;
use eyelint_policies::report::SCHEMA_VERSION;

use crate::lint::Located;

use super::{FileView, Tail};

/// The report's beginning.
pub(super) fn begin(w: &mut dyn Write) -> io::Result<()> {
    write!(
        w,
        "{{\n  \"schemaVersion\": {SCHEMA_VERSION},\n  \"findings\": ["
    )
}

/// One input's findings, each preceded by its `,` separator (the writer
/// drops the first one of the report).
pub(super) fn file(file: &FileView<'_>, buf: &mut Vec<u8>) {
    buf.reserve(file.findings.len() * 768);
    let mut shared = Shared::default();
    for l in file.findings {
        buf.extend_from_slice(b",\n    ");
        finding(l, buf, &mut shared);
    }
}

/// The report's end: errors and summary. `empty` when no finding was written.
pub(super) fn end(empty: bool, tail: &Tail<'_>, w: &mut dyn Write) -> io::Result<()> {
    w.write_all(if empty {
        b"],\n  \"errors\": "
    } else {
        b"\n  ],\n  \"errors\": "
    })?;
    nested(&tail.errors, w)?;
    w.write_all(b",\n  \"summary\": ")?;
    nested(tail.summary, w)?;
    w.write_all(b"\n}\n")
}

/// A rule's id, severity and category, and the text they start a finding with.
type Head = (Arc<str>, Severity, Arc<str>, Vec<u8>);

/// The text of fields that findings share, escaped once: the head of
/// each rule's findings (id, severity, category), the object of
/// consecutive findings and the input's name (the strings are the same
/// `Arc`), and a reused buffer for paths.
#[derive(Default)]
struct Shared {
    /// Per rule: its id, severity and category, and their text up to the
    /// message's value.
    heads: Vec<Head>,
    object: Option<[Arc<str>; 4]>,
    object_text: Vec<u8>,
    file: Option<Arc<str>>,
    file_text: Vec<u8>,
    path: String,
}

impl Shared {
    /// Whether `object`'s strings are those of the previous finding.
    fn object_is(&self, object: [&Arc<str>; 4]) -> bool {
        self.object
            .as_ref()
            .is_some_and(|o| o.iter().zip(object).all(|(a, b)| Arc::ptr_eq(a, b)))
    }

    /// The text of `f`'s first fields, up to the message's value. A run has
    /// a few dozen rules; the list is searched, most recent first, by text
    /// (each batch of documents has its own copies of the strings).
    fn head(&mut self, f: &Finding) -> &[u8] {
        let same = |(id, severity, category, _): &Head| {
            *severity == f.severity && **id == *f.id && **category == *f.category
        };
        let at = match self.heads.iter().rposition(same) {
            Some(at) => at,
            None => {
                let mut t = Vec::with_capacity(128);
                t.extend_from_slice(b"{\n      \"id\": ");
                string(&mut t, &f.id);
                t.extend_from_slice(b",\n      \"severity\": ");
                literal(&mut t, f.severity.as_str());
                t.extend_from_slice(b",\n      \"category\": ");
                string(&mut t, &f.category);
                t.extend_from_slice(b",\n      \"message\": ");
                self.heads
                    .push((f.id.clone(), f.severity, f.category.clone(), t));
                self.heads.len() - 1
            }
        };
        &self.heads[at].3
    }
}

/// One finding, indented as an element of the top-level `findings` array:
/// the text serde_json writes for its
/// [`ReportFinding`](eyelint_policies::report::ReportFinding)
/// ([`Located::report`]), written from the finding itself.
///
/// Written field by field rather than through serde's derive: it is the bulk
/// of a large report, and this is about twice as fast. The test below
/// holds the text to serde's, so a field added to `ReportFinding` fails it
/// until it is added here.
fn finding(l: &Located, buf: &mut Vec<u8>, shared: &mut Shared) {
    let f = &l.finding;
    buf.extend_from_slice(shared.head(f));
    string(buf, &f.message);
    let o = &f.object;
    let object = [&o.api_version, &o.kind, &o.namespace, &o.name];
    if !shared.object_is(object) {
        let t = &mut shared.object_text;
        t.clear();
        t.extend_from_slice(b",\n      \"apiVersion\": ");
        string(t, &o.api_version);
        t.extend_from_slice(b",\n      \"kind\": ");
        string(t, &o.kind);
        t.extend_from_slice(b",\n      \"namespace\": ");
        string(t, &o.namespace);
        t.extend_from_slice(b",\n      \"name\": ");
        string(t, &o.name);
        shared.object = Some(object.map(Arc::clone));
    }
    buf.extend_from_slice(&shared.object_text);
    match &f.container {
        None => {
            buf.extend_from_slice(b",\n      \"container\": null,\n      \"containerRole\": null")
        }
        Some(c) => {
            buf.extend_from_slice(b",\n      \"container\": ");
            string(buf, &c.name);
            buf.extend_from_slice(b",\n      \"containerRole\": ");
            literal(buf, c.role.as_str());
        }
    }
    buf.extend_from_slice(b",\n      \"path\": ");
    shared.path.clear();
    f.path.write_dotted(&mut shared.path);
    string(buf, &shared.path);
    buf.extend_from_slice(b",\n      \"file\": ");
    if !shared
        .file
        .as_ref()
        .is_some_and(|s| Arc::ptr_eq(s, &l.file))
    {
        shared.file_text.clear();
        string(&mut shared.file_text, &l.file);
        shared.file = Some(l.file.clone());
    }
    buf.extend_from_slice(&shared.file_text);
    buf.extend_from_slice(b",\n      \"line\": ");
    number(buf, l.pos.line);
    buf.extend_from_slice(b",\n      \"column\": ");
    number(buf, l.pos.column);
    buf.extend_from_slice(b",\n      \"source\": ");
    opt_string(buf, l.source.as_deref());
    buf.extend_from_slice(b",\n      \"fix\": ");
    match &f.fix {
        None => buf.extend_from_slice(b"null"),
        Some(fix) => {
            buf.extend_from_slice(b"{\n        \"patch\": ");
            buf.extend_from_slice(fix.patch_json().get().as_bytes());
            buf.extend_from_slice(b",\n        \"safety\": ");
            literal(buf, fix.safety.as_str());
            buf.extend_from_slice(b"\n      }");
        }
    }
    buf.extend_from_slice(b"\n    }");
}

/// A JSON string, escaped as serde_json escapes it: `"` and `\\`, the
/// short escapes `\b \t \n \f \r`, other control characters as `\u00XX`,
/// everything else (non-ASCII included) as it is.
///
/// Findings are mostly strings that need no escape at all, which this copies
/// in one go (serde's writer goes through its formatter for every string).
fn string(buf: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    buf.reserve(b.len() + 2);
    buf.push(b'"');
    if !any_escape(b) {
        buf.extend_from_slice(b);
        buf.push(b'"');
        return;
    }
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        if !ESCAPED[usize::from(c)] {
            continue;
        }
        buf.extend_from_slice(&b[start..i]);
        start = i + 1;
        match c {
            b'"' => buf.extend_from_slice(b"\\\""),
            b'\\' => buf.extend_from_slice(b"\\\\"),
            0x08 => buf.extend_from_slice(b"\\b"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            0x0c => buf.extend_from_slice(b"\\f"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                buf.extend_from_slice(b"\\u00");
                buf.push(HEX[usize::from(c >> 4)]);
                buf.push(HEX[usize::from(c & 0xf)]);
            }
        }
    }
    buf.extend_from_slice(&b[start..]);
    buf.push(b'"');
}

/// A string this crate knows needs no escape (a severity, a fix's safety).
fn literal(buf: &mut Vec<u8>, s: &'static str) {
    debug_assert!(!any_escape(s.as_bytes()), "{s:?} needs escaping");
    buf.reserve(s.len() + 2);
    buf.push(b'"');
    buf.extend_from_slice(s.as_bytes());
    buf.push(b'"');
}

/// The bytes JSON escapes: control characters, `"` and `\`.
const ESCAPED: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = true;
        c += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// Whether any byte of `b` needs an escape (a control character, `"` or
/// `\\`), eight bytes at a time.
#[inline]
fn any_escape(b: &[u8]) -> bool {
    any_byte(
        b,
        |w| word_has_below(w, 0x20) | word_has(w, b'"') | word_has(w, b'\\'),
        |c| ESCAPED[usize::from(c)],
    )
}

fn opt_string(buf: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => string(buf, s),
        None => buf.extend_from_slice(b"null"),
    }
}

fn number(buf: &mut Vec<u8>, n: usize) {
    buf.extend_from_slice(decimal(n, &mut [0; 20]).as_bytes());
}

/// A value of a top-level field.
fn nested<T: Serialize + ?Sized>(v: &T, w: &mut dyn Write) -> io::Result<()> {
    nested_at(v, 1, w)
}

/// A value written `level` levels deep in serde_json's pretty layout.
pub(super) fn nested_at<T: Serialize + ?Sized>(
    v: &T,
    level: usize,
    w: &mut dyn Write,
) -> io::Result<()> {
    let mut ser = Serializer::with_formatter(w, Pretty::at(level));
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
    use crate::discover::{Input, InputSource};
    use crate::lint::Located;
    use crate::output::{render_all, Context, Format, Style};
    use eyelint_policies::finding::{ContainerInfo, Finding, Fix, FixSafety, Severity};
    use eyelint_policies::object::{ObjectRef, Role};
    use eyelint_policies::path::FieldPath;
    use eyelint_policies::report::{Report, ReportError};
    use eyelint_policies::yaml::Pos;

    fn finding(i: usize, ids: &[Arc<str>; 3], category: &Arc<str>) -> Finding {
        Finding {
            id: ids[i % 3].clone(),
            severity: if i % 2 == 0 {
                Severity::Danger
            } else {
                Severity::Warning
            },
            category: category.clone(),
            message: format!("message \"{i}\" with ünïcode,\ttabs, \\ and \u{1}").into(),
            object: ObjectRef {
                api_version: "v1".into(),
                kind: "Pod".into(),
                namespace: "ns".into(),
                name: format!("p{i}").into(),
            },
            container: (i % 3 == 0).then(|| ContainerInfo {
                name: "app".into(),
                role: Role::Sidecar,
            }),
            path: match i % 3 {
                0 => FieldPath::keys("spec.hostIPC"),
                1 => FieldPath::keys("spec.containers").index(i).key("image"),
                _ => FieldPath::keys("metadata.labels").key("a\"b/c\\d"),
            },
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
        }
    }

    /// `per_input[k]` findings in input `k`, and `errors` input errors.
    fn case(per_input: &[usize], errors: usize) -> (String, String) {
        let mut report = Report::new();
        let mut located = Vec::new();
        let mut inputs = Vec::new();
        // Findings share strings as the linter's do: one file name per input,
        // one object per pair of findings; neighbouring objects share some
        // strings (kind, api version, a namespace) but not all.
        let namespaces: [Arc<str>; 2] = ["ns".into(), "other".into()];
        let (api_version, kind): (Arc<str>, Arc<str>) = ("v1".into(), "Pod".into());
        // One id per rule, as the engine shares them.
        let ids: [Arc<str>; 3] = ["rule0".into(), "rule1".into(), "rule\"2".into()];
        let security: Arc<str> = "Security".into();
        for (k, n) in per_input.iter().enumerate() {
            let name = format!("f{k}.yaml");
            let file: Arc<str> = name.as_str().into();
            let mut object_name: Arc<str> = "".into();
            inputs.push(Input {
                name: name.clone(),
                source: InputSource::Stdin(std::sync::Arc::new(Vec::new())),
            });
            for i in 0..*n {
                let source: Option<Arc<str>> =
                    (i % 2 == 1).then(|| "chart/templates/pod.yaml".into());
                let mut f = finding(i, &ids, &security);
                if i % 2 == 0 {
                    object_name = format!("p{}", i / 2).into();
                }
                f.object = ObjectRef {
                    api_version: api_version.clone(),
                    kind: kind.clone(),
                    namespace: namespaces[((i + 1) / 4) % 2].clone(),
                    name: if i % 8 == 7 {
                        // Same text as its neighbour's, another string.
                        object_name.to_string().into()
                    } else {
                        object_name.clone()
                    },
                };
                // Rules alike but for their severity, or their category.
                if i % 7 == 3 {
                    f.category = "Reliability".into();
                }
                let pos = Pos {
                    line: i + 1,
                    column: 3 + i % 2,
                    offset: 0,
                };
                let l = Located::new(f, k, &file, pos, source.as_ref());
                report.findings.push(Box::new(l.report()));
                located.push(l);
            }
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
        let mut expected = serde_json::to_string_pretty(&report).unwrap();
        expected.push('\n');
        let cx = Context {
            format: Format::Json,
            rules: Vec::new(),
            version: "0",
            style: Style {
                color: false,
                width: 80,
            },
        };
        let tail = Tail {
            errors: &report.errors,
            summary: &report.summary,
            files_with_findings: 0,
        };
        let texts = vec![None; inputs.len()];
        (render_all(&cx, &inputs, &located, &texts, &tail), expected)
    }

    #[test]
    fn strings_are_escaped_as_serde_escapes_them() {
        let mut every: String = (0u8..0x80).map(char::from).collect();
        every.push_str("ü€😀\u{7f}\u{2028}");
        let shifted: Vec<String> = (0..9)
            .map(|k| format!("{}{every}", "x".repeat(k)))
            .collect();
        let mut cases = vec!["", "plain", "a\"b\\c", "12345678\"", "1234567\n9"];
        cases.extend(shifted.iter().map(String::as_str));
        for s in cases {
            let mut buf = Vec::new();
            string(&mut buf, s);
            assert_eq!(
                String::from_utf8(buf).unwrap(),
                serde_json::to_string(s).unwrap()
            );
        }
    }

    #[test]
    fn text_is_exactly_serde_jsons_pretty_printing() {
        // Empty inputs before, between and after others; an input large
        // enough to be rendered in parallel chunks; with and without errors.
        for (per_input, errors) in [
            (&[][..], 0),
            (&[0][..], 0),
            (&[1][..], 0),
            (&[0, 0][..], 2),
            (&[0, 3, 0, 2][..], 1),
            (&[super::super::CHUNK + 1][..], 0),
            (&[2, 2 * super::super::CHUNK + 5, 0][..], 1),
        ] {
            let (got, expected) = case(per_input, errors);
            assert_eq!(got, expected, "{per_input:?} findings, {errors} errors");
        }
    }
}
