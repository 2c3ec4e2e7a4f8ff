//! `--format junit`: JUnit XML for GitLab and Jenkins. One test suite per
//! file with findings or errors: one failing test case per finding and one
//! erroring case per input error. A clean run is one passing case.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::Output;

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

/// Renders the report as JUnit XML.
pub fn render(out: &Output<'_>) -> String {
    #[derive(Default)]
    struct Suite {
        cases: Vec<String>,
        failures: usize,
        errors: usize,
    }
    let mut suites: BTreeMap<String, Suite> = BTreeMap::new();
    for f in &out.report.findings {
        let file = f.file.as_deref().unwrap_or("cluster").to_string();
        let mut name = format!("{} {}", f.id, f.object_label());
        if let Some(c) = &f.container {
            let _ = write!(name, " container {c}");
        }
        let loc = match (f.line, f.column) {
            (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
            _ => file.clone(),
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
            xml(&file),
            xml(f.severity.as_str()),
            xml(&f.message),
            xml(&body)
        );
        let s = suites.entry(file).or_default();
        s.cases.push(case);
        s.failures += 1;
    }
    for e in &out.report.errors {
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
        s.cases.push(case);
        s.errors += 1;
    }
    let tests: usize = suites.values().map(|s| s.cases.len()).sum::<usize>().max(1);
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
            out.report.summary.objects, out.report.summary.files
        );
    }
    for (file, s) in &suites {
        let _ = writeln!(
            x,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
            xml(file),
            s.cases.len(),
            s.failures,
            s.errors
        );
        for c in &s.cases {
            x.push_str(c);
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}
