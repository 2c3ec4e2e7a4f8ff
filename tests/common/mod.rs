//! Helpers for the CLI integration tests: run the built `eyelint` binary.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What a run printed and returned.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The lint fixtures.
pub fn fixtures() -> PathBuf {
    root().join("tests/fixtures/lint")
}

/// `../shared` next to the repository, if present.
pub fn shared() -> Option<PathBuf> {
    let p = root().join("../shared");
    p.is_dir().then_some(p)
}

/// Runs `eyelint args` in `dir` with a fixed environment (no colour
/// settings, no width, no config search above a temporary dir).
pub fn eyelint(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eyelint"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn eyelint");
    if let Some(input) = stdin {
        let mut s = child.stdin.take().expect("stdin");
        s.write_all(input).expect("write stdin");
    }
    let out = child.wait_with_output().expect("wait for eyelint");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Every `*.yaml`, `*.yml` and `*.json` file below `dir`, sorted.
pub fn manifests(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for p in entries.flatten().map(|e| e.path()) {
            if p.is_dir() {
                walk(&p, out);
            } else if p
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| matches!(x, "yaml" | "yml" | "json"))
            {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

/// Every manifest of `../shared/corpus` and `../shared/corpus_fixtures`.
pub fn corpus_and_fixtures(shared: &Path) -> Vec<PathBuf> {
    let mut files = manifests(&shared.join("corpus"));
    files.extend(manifests(&shared.join("corpus_fixtures")));
    files
}

/// True when python3 can create virtualenvs; prints a SKIP line when not.
pub fn python_venv_or_skip() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import venv, ensurepip"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("SKIP: python3 with venv/ensurepip is not available");
    }
    ok
}

/// What a script printed, and whether it succeeded.
pub struct Script {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Runs a script that installs `tool` from a package registry (PyPI, npm)
/// on first use; `None`, after a SKIP line, when it exits 3 (the tool could
/// not be installed).
pub fn run_pypi_script(mut cmd: Command, tool: &str) -> Option<Script> {
    let out = cmd.output().expect("run the script");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.code() == Some(3) {
        eprintln!("SKIP: {tool} could not be installed:\n{stderr}");
        return None;
    }
    Some(Script {
        ok: out.status.success(),
        stdout,
        stderr,
    })
}

/// `bash tests/python-oracle.sh SCRIPT`, to which the caller adds the
/// script's arguments.
pub fn python_oracle(script: &str) -> Command {
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("tests/python-oracle.sh")).arg(script);
    cmd
}

/// Runs a script (see [`run_pypi_script`]) that must succeed and write its
/// result as JSON to `out`, and reads that result; `None` after a SKIP line.
pub fn run_json_script(cmd: Command, tool: &str, out: &Path) -> Option<serde_json::Value> {
    let script = run_pypi_script(cmd, tool)?;
    assert!(
        script.ok,
        "{tool} failed:\n{}\n{}",
        script.stdout, script.stderr
    );
    let bytes =
        std::fs::read(out).unwrap_or_else(|e| panic!("{tool}'s output {}: {e}", out.display()));
    Some(
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("{tool}'s output is not JSON: {e}")),
    )
}

/// kubectl, when it is on PATH (client only: the tests never reach a cluster).
pub fn kubectl() -> Option<PathBuf> {
    let ok = Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then(|| PathBuf::from("kubectl"))
}

/// A small deterministic generator (SplitMix64), so that every run makes
/// the same cases.
pub struct Mix(pub u64);

impl Mix {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The findings of `eyelint --only RULES -f json` on one file (run in the
/// file's directory), which must not fail.
pub fn findings_of(file: &Path, rules: &[&str]) -> Vec<serde_json::Value> {
    let dir = file.parent().expect("a directory");
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .expect("a file name");
    let only = rules.join(",");
    let args = ["--only", &only, "-f", "json", "--fail-on", "never", name];
    let run = eyelint(dir, &args, None);
    assert_eq!(run.code, 0, "{name}: {}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("a JSON report");
    report["findings"].as_array().expect("findings").clone()
}
