//! `--format junit`: JUnit XML for GitLab and Jenkins. One test suite per
//! file with findings or errors: one failing test case per finding and one
//! erroring case per input error. A clean run is one passing case.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::{FileView, Tail};

/// Escapes text for XML attributes and content.
pub fn xml(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            '\n' => o.push_str("&#10;"),
            c if (c as u32) < 0x20 && c != '\t' => {}
            c => o.push(c),
        }
    }
    o
}

/// One test suite: a file with findings or errors.
#[derive(Debug, Default)]
pub(super) struct Suite {
    /// Rendered test cases (findings first, then errors).
    pub(super) cases: Vec<Vec<u8>>,
    /// Failing cases (findings).
    pub(super) failures: usize,
    /// Erroring cases (input errors).
    pub(super) errors: usize,
}

/// One input's findings as failing test cases.
pub(super) fn file(file: &FileView<'_>, buf: &mut Vec<u8>) {
    for l in file.findings {
        let f = &l.report();
        let file = f.file.as_deref().unwrap_or("cluster");
        let mut name = format!("{} {}", f.id, f.object_label());
        if let Some(c) = &f.container {
            let _ = write!(name, " container {c}");
        }
        let loc = match (f.line, f.column) {
            (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
            _ => file.to_string(),
        };
        let mut body = format!("{}\n{loc}\npath: {}", f.message, f.path);
        if let Some(s) = &f.source {
            let _ = write!(body, "\nsource: {s}");
        }
        if let Some(h) = super::fix_hint(f) {
            let _ = write!(body, "\n{h}");
        }
        let case = format!(
            "    <testcase name=\"{}\" classname=\"{}\">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>\n",
            xml(&name),
            xml(file),
            xml(f.severity.as_str()),
            xml(&f.message),
            xml(&body)
        );
        buf.extend_from_slice(case.as_bytes());
    }
}

/// The whole XML document: suites by file name, then the totals they need
/// up front.
pub(super) fn end(
    mut suites: BTreeMap<String, Suite>,
    tail: &Tail<'_>,
    w: &mut dyn Write,
) -> io::Result<()> {
    for e in tail.errors {
        let loc = match (e.line, e.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", e.file),
            _ => e.file.clone(),
        };
        let case = format!(
            "    <testcase name=\"input {}\" classname=\"{}\">\n      <error type=\"input\" message=\"{}\">{}</error>\n    </testcase>\n",
            xml(&e.file),
            xml(&e.file),
            xml(&e.message),
            xml(&loc)
        );
        let s = suites.entry(e.file.clone()).or_default();
        s.cases.push(case.into_bytes());
        s.errors += 1;
    }
    let cases = |s: &Suite| s.failures + s.errors;
    let tests: usize = suites.values().map(cases).sum::<usize>().max(1);
    let failures: usize = suites.values().map(|s| s.failures).sum();
    let errors: usize = suites.values().map(|s| s.errors).sum();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"eyelint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">"
    );
    if suites.is_empty() {
        // Tools reject an empty report; record the clean run as one passing case.
        let _ = writeln!(
            x,
            "  <testsuite name=\"eyelint\" tests=\"1\" failures=\"0\" errors=\"0\">\n    <testcase name=\"{} objects in {} files\" classname=\"eyelint\"/>\n  </testsuite>",
            tail.summary.objects, tail.summary.files
        );
    }
    w.write_all(x.as_bytes())?;
    for (file, s) in &suites {
        writeln!(
            w,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
            xml(file),
            cases(s),
            s.failures,
            s.errors
        )?;
        for c in &s.cases {
            w.write_all(c)?;
        }
        w.write_all(b"  </testsuite>\n")?;
    }
    w.write_all(b"</testsuites>\n")
}
