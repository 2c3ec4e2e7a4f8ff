//! The pre-commit hook, end to end: runs `tests/precommit.sh`, which installs
//! pre-commit from PyPI into a throwaway virtualenv and runs the hook from
//! this checkout against a good and a bad manifest.
//!
//! Skips (with a message) when python3 cannot create virtualenvs, when the
//! checkout is not a git repository, or when PyPI is unreachable; set
//! `EYELINT_SKIP_PRECOMMIT=1` to skip it on purpose (it builds eyelint in
//! release mode, which takes a few minutes).

mod common;

use std::process::Command;

#[test]
fn pre_commit_hook_fails_on_bad_and_passes_on_good_manifests() {
    let root = env!("CARGO_MANIFEST_DIR");
    if std::env::var_os("EYELINT_SKIP_PRECOMMIT").is_some() {
        eprintln!("SKIP: EYELINT_SKIP_PRECOMMIT is set");
        return;
    }
    if !common::python_venv_or_skip() {
        return;
    }
    let git_ok = Command::new("git")
        .args(["-C", root, "rev-parse", "HEAD"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !git_ok {
        eprintln!("SKIP: {root} is not a git checkout with a commit");
        return;
    }
    let mut cmd = Command::new("bash");
    cmd.arg(format!("{root}/tests/precommit.sh"));
    let Some(common::Script { ok, stdout, stderr }) = common::run_pypi_script(cmd, "pre-commit")
    else {
        return;
    };
    assert!(
        ok,
        "tests/precommit.sh failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.contains("PASS"), "{stdout}");
}
