//! `--format junit`: JUnit XML for GitLab and Jenkins. One test suite per
//! file with findings or errors: one failing test case per finding and one
//! erroring case per input error. A clean run is one passing case.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::PathBuf;

use eyelint_policies::report::ReportError;

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

/// Reports up to this size are held in memory until the end; past it,
/// the suites go to an unnamed temporary file.
const HELD: usize = 8 << 20;

/// The suites written so far, in input order, waiting for the totals that
/// the report's first element carries. One suite is written as soon as its
/// input is, so what is held in memory is bounded (by [`HELD`] and the
/// largest input's suite) whatever the number of inputs: larger reports
/// wait in a temporary file, which is deleted when it is closed.
#[derive(Debug)]
pub(super) struct Suites {
    /// The suites' text not yet moved to `spilled`.
    held: Vec<u8>,
    /// How much of it is held before it goes to the file ([`HELD`]).
    hold: usize,
    /// The temporary file, once the report outgrew [`HELD`].
    spilled: Option<File>,
    /// Where suites past [`HELD`] go: the system's temporary directory
    /// unless a test names another one.
    spill_dir: Option<PathBuf>,
    /// Test cases (findings and errors), failures (findings) and errors
    /// (input errors) of every suite.
    tests: usize,
    failures: usize,
    errors: usize,
}

impl Default for Suites {
    fn default() -> Suites {
        Suites {
            held: Vec::new(),
            hold: HELD,
            spilled: None,
            spill_dir: None,
            tests: 0,
            failures: 0,
            errors: 0,
        }
    }
}

impl Suites {
    /// Suites that go to a file in `dir` once `hold` bytes are held (tests).
    #[cfg(test)]
    fn spilling_into(dir: &std::path::Path, hold: usize) -> Suites {
        Suites {
            hold,
            spill_dir: Some(dir.to_path_buf()),
            ..Suites::default()
        }
    }

    /// Adds the suite of one input: its rendered failing cases (`findings`
    /// of them) and its input errors. An input with neither has no suite.
    pub(super) fn add(
        &mut self,
        name: &str,
        cases: &[u8],
        findings: usize,
        errors: &[ReportError],
    ) -> io::Result<()> {
        if findings == 0 && errors.is_empty() {
            return Ok(());
        }
        let b = &mut self.held;
        let _ = writeln!(
            b,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{findings}\" errors=\"{}\">",
            xml(name),
            findings + errors.len(),
            errors.len()
        );
        b.extend_from_slice(cases);
        for e in errors {
            error_case(e, b);
        }
        b.extend_from_slice(b"  </testsuite>\n");
        self.tests += findings + errors.len();
        self.failures += findings;
        self.errors += errors.len();
        if self.held.len() >= self.hold {
            self.spill()?;
        }
        Ok(())
    }

    /// Moves the held text to the temporary file (made on first use).
    fn spill(&mut self) -> io::Result<()> {
        let file = match &mut self.spilled {
            Some(f) => f,
            None => {
                let made = match &self.spill_dir {
                    Some(dir) => tempfile::tempfile_in(dir),
                    None => tempfile::tempfile(),
                };
                // Say which file could not be made: the report's own path
                // is fine, the temporary directory is not.
                let made = made.map_err(|e| {
                    let dir = self.spill_dir.clone().unwrap_or_else(std::env::temp_dir);
                    io::Error::new(
                        e.kind(),
                        format!(
                            "no temporary file for the JUnit report in {} (set TMPDIR): {e}",
                            dir.display()
                        ),
                    )
                })?;
                self.spilled.insert(made)
            }
        };
        file.write_all(&self.held)?;
        self.held.clear();
        Ok(())
    }

    /// Writes the whole XML document: the totals, then every suite.
    pub(super) fn end(mut self, tail: &Tail<'_>, w: &mut dyn Write) -> io::Result<()> {
        let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            x,
            "<testsuites name=\"eyelint\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
            self.tests.max(1),
            self.failures,
            self.errors
        );
        if self.tests == 0 {
            // Tools reject an empty report; record the clean run as one passing case.
            let _ = writeln!(
                x,
                "  <testsuite name=\"eyelint\" tests=\"1\" failures=\"0\" errors=\"0\">\n    <testcase name=\"{} objects in {} files\" classname=\"eyelint\"/>\n  </testsuite>",
                tail.summary.objects, tail.summary.files
            );
        }
        w.write_all(x.as_bytes())?;
        if let Some(mut f) = self.spilled.take() {
            f.seek(SeekFrom::Start(0))?;
            io::copy(&mut f, w)?;
        }
        w.write_all(&self.held)?;
        w.write_all(b"</testsuites>\n")
    }
}

/// One input error as an erroring test case.
fn error_case(e: &ReportError, b: &mut Vec<u8>) {
    let loc = match (e.line, e.column) {
        (Some(l), Some(c)) => format!("{}:{l}:{c}", e.file),
        _ => e.file.clone(),
    };
    let _ = write!(
        b,
        "    <testcase name=\"input {}\" classname=\"{}\">\n      <error type=\"input\" message=\"{}\">{}</error>\n    </testcase>\n",
        xml(&e.file),
        xml(&e.file),
        xml(&e.message),
        xml(&loc)
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use eyelint_policies::report::Summary;

    fn error(file: &str, at: Option<(usize, usize)>) -> ReportError {
        ReportError {
            file: file.into(),
            line: at.map(|a| a.0),
            column: at.map(|a| a.1),
            message: format!("{file}: bad <yaml> & \"quotes\""),
        }
    }

    /// Three inputs: findings only, findings and an error, nothing, an error only.
    fn fill(s: &mut Suites) {
        let case = |n: &str| format!("    <testcase name=\"{n}\"/>\n");
        let two = format!("{}{}", case("a1"), case("a2"));
        s.add("a.yaml", two.as_bytes(), 2, &[]).unwrap();
        s.add(
            "b.yaml",
            case("b1").as_bytes(),
            1,
            &[error("b.yaml", Some((3, 4)))],
        )
        .unwrap();
        s.add("c.yaml", b"", 0, &[]).unwrap();
        s.add("d & e.yaml", b"", 0, &[error("d & e.yaml", None)])
            .unwrap();
    }

    fn written(s: Suites) -> String {
        let summary = Summary::default();
        let tail = Tail {
            errors: &[],
            summary: &summary,
            files_with_findings: 0,
        };
        let mut out = Vec::new();
        s.end(&tail, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn suites_follow_input_order_with_their_errors_and_totals_first() {
        let mut s = Suites::default();
        fill(&mut s);
        assert!(s.spilled.is_none(), "a small report stays in memory");
        let expected = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<testsuites name=\"eyelint\" tests=\"5\" failures=\"3\" errors=\"2\">
  <testsuite name=\"a.yaml\" tests=\"2\" failures=\"2\" errors=\"0\">
    <testcase name=\"a1\"/>
    <testcase name=\"a2\"/>
  </testsuite>
  <testsuite name=\"b.yaml\" tests=\"2\" failures=\"1\" errors=\"1\">
    <testcase name=\"b1\"/>
    <testcase name=\"input b.yaml\" classname=\"b.yaml\">
      <error type=\"input\" message=\"b.yaml: bad &lt;yaml&gt; &amp; &quot;quotes&quot;\">b.yaml:3:4</error>
    </testcase>
  </testsuite>
  <testsuite name=\"d &amp; e.yaml\" tests=\"1\" failures=\"0\" errors=\"1\">
    <testcase name=\"input d &amp; e.yaml\" classname=\"d &amp; e.yaml\">
      <error type=\"input\" message=\"d &amp; e.yaml: bad &lt;yaml&gt; &amp; &quot;quotes&quot;\">d &amp; e.yaml</error>
    </testcase>
  </testsuite>
</testsuites>
";
        assert_eq!(written(s), expected);
    }

    #[test]
    fn a_clean_run_is_one_passing_case() {
        let mut s = Suites::default();
        s.add("c.yaml", b"", 0, &[]).unwrap();
        let text = written(s);
        assert!(
            text.contains("<testsuites name=\"eyelint\" tests=\"1\" failures=\"0\" errors=\"0\">")
        );
        assert!(text.contains("<testcase name=\"0 objects in 0 files\" classname=\"eyelint\"/>"));
    }

    /// Past the limit, suites wait in an unnamed temporary file: memory
    /// holds at most one suite, the text is the same, and nothing is left
    /// in the directory.
    #[test]
    fn a_large_report_waits_in_a_temporary_file_and_reads_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let mut held = Suites::default();
        let mut spilled = Suites::spilling_into(dir.path(), 64);
        for s in [&mut held, &mut spilled] {
            fill(s);
            fill(s);
        }
        assert!(held.spilled.is_none());
        assert!(spilled.spilled.is_some(), "went to the file");
        assert!(spilled.held.len() < 64, "nothing past the limit is held");
        let (a, b) = (written(held), written(spilled));
        assert_eq!(a, b);
        assert_eq!(a.matches("<testsuite ").count(), 6);
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "temporary file left behind: {left:?}");
    }

    /// When the temporary file cannot be made, the error names the
    /// temporary directory, not the report.
    #[test]
    fn no_temporary_file_names_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let gone = dir.path().join("gone");
        let mut s = Suites::spilling_into(&gone, 1);
        let case = "    <testcase name=\"a1\"/>\n";
        let e = s.add("a.yaml", case.as_bytes(), 1, &[]).unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with(&format!(
                "no temporary file for the JUnit report in {} (set TMPDIR): ",
                gone.display()
            )),
            "{text}"
        );
    }
}
