//! eyelint and checkov judge the same objects alike, where both have the
//! same check, on the corpus and on the peers' fixtures: every disagreement
//! has a documented cause (see docs/agreement.md). Runs
//! `bench/checkov-agreement.sh`, which installs checkov 3.3.30 from PyPI into
//! `bench/.venv-checkov` on first use (about a minute) and exits 1 on a
//! disagreement it cannot explain.
//!
//! Skips (with a message) when ../shared is absent, when python3 cannot
//! create virtualenvs, or when PyPI is unreachable; set
//! `EYELINT_SKIP_CHECKOV=1` to skip it on purpose.

mod common;

use std::process::Command;

#[test]
fn every_disagreement_with_checkov_has_a_documented_cause() {
    if std::env::var_os("EYELINT_SKIP_CHECKOV").is_some() {
        eprintln!("SKIP: EYELINT_SKIP_CHECKOV is set");
        return;
    }
    let Some(shared) = common::shared() else {
        eprintln!("SKIP: ../shared not found");
        return;
    };
    if !common::python_venv_or_skip() {
        return;
    }
    let script = common::root().join("bench/checkov-agreement.sh");
    // One directory after the other: they share the virtualenv.
    for (dir, least) in [("corpus", 10_000), ("corpus_fixtures", 8_000)] {
        let mut cmd = Command::new("bash");
        cmd.arg(&script)
            // checkov finds nothing under a path with `..` in it.
            .arg(std::fs::canonicalize(shared.join(dir)).expect("shared directory"))
            .env("EYELINT", env!("CARGO_BIN_EXE_eyelint"));
        let Some(common::Script { ok, stdout, stderr }) = common::run_pypi_script(cmd, "checkov")
        else {
            return;
        };
        assert!(
            ok,
            "{dir}: disagreements without a known cause\n{stdout}\n{stderr}"
        );
        assert!(stdout.contains(" 0 unexplained"), "{dir}:\n{stdout}");
        // The comparison covered the objects: "all  N  M (x% agree)".
        let compared: usize = stdout
            .lines()
            .find_map(|l| l.strip_prefix("all"))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        assert!(
            compared > least,
            "{dir}: only {compared} object-checks\n{stdout}"
        );
        eprintln!(
            "{dir}: {compared} object-checks compared with checkov, every disagreement explained"
        );
    }
}
