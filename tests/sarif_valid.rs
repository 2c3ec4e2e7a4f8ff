//! `--format sarif` passes Microsoft's SARIF validator (the SARIF
//! Multitool, `tests/sarif-validator.sh`, installed from npm on first use),
//! with both of its rule sets: the SARIF 2.1.0 specification's and what
//! GitHub's code scanning ingestion requires. The log holds findings of
//! every kind the lint fixtures make, input errors with and without a line
//! (tool execution notifications), and files named absolutely outside the
//! current directory (absolute `file:` URIs).
//!
//! The one warning allowed is SARIF2005, "the tool does not provide
//! `informationUri`": eyelint has no public home page to name yet.
//!
//! Skips (with a message) when npm is missing or the package cannot be
//! installed.

mod common;

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::Value;

#[test]
fn sarif_logs_pass_microsofts_validator() {
    let work = tempfile::tempdir().expect("temp dir");
    let inside = work.path().join("project");
    std::fs::create_dir_all(&inside).expect("dir");
    for entry in std::fs::read_dir(common::fixtures()).expect("fixtures") {
        let p = entry.expect("entry").path();
        if p.is_file() {
            std::fs::copy(&p, inside.join(p.file_name().expect("name"))).expect("copy");
        }
    }
    std::fs::write(inside.join("broken.yaml"), "a: [\n").expect("write");
    // An input error with no line: SARIF wants no region rather than an
    // empty one.
    #[cfg(unix)]
    std::os::unix::fs::symlink("nowhere.yaml", inside.join("dangling.yaml")).expect("link");
    // A file outside the current directory, named by its absolute path.
    let outside = work.path().join("outside dir");
    std::fs::create_dir_all(&outside).expect("dir");
    std::fs::copy(
        common::fixtures().join("deploy.yaml"),
        outside.join("déploy.yaml"),
    )
    .expect("copy");
    let outside_arg = outside.to_string_lossy().into_owned();
    let r = common::eyelint(
        &inside,
        &["-f", "sarif", "-o", "log.sarif", ".", &outside_arg],
        None,
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    let log = inside.join("log.sarif");
    let sarif: Value = serde_json::from_slice(&std::fs::read(&log).expect("log")).expect("json");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(results.len() > 20, "{} results", results.len());
    let uris: Vec<&str> = results
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(
        uris.iter()
            .any(|u| u.starts_with("file:///") && u.ends_with("/outside%20dir/d%C3%A9ploy.yaml")),
        "{uris:?}"
    );
    assert!(uris.contains(&"deploy.yaml"), "{uris:?}");

    for kind in ["Sarif", "Gh"] {
        let out = work.path().join(format!("validation-{kind}.sarif"));
        let mut cmd = Command::new("bash");
        cmd.arg(common::root().join("tests/sarif-validator.sh"))
            .arg(&log)
            .arg(&out)
            .arg(kind);
        let Some(report) = common::run_json_script(cmd, "@microsoft/sarif-multitool", &out) else {
            return;
        };
        let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for result in report["runs"][0]["results"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let id = result["ruleId"].as_str().unwrap_or("?").to_string();
            let detail = format!("{} {}", result["level"], result["message"]);
            found.entry(id).or_default().push(detail);
        }
        found.remove("SARIF2005");
        assert!(found.is_empty(), "{kind} rules: {found:#?}");
    }
}

/// GitHub code scanning tells results apart across runs by their
/// `partialFingerprints`: two results of one run with the same rule, file
/// and fingerprint are one alert to it. Over `../shared/corpus` and the
/// peers' fixtures (two credential env vars or host paths in one container,
/// the same object written twice in one file), no two results share them.
#[test]
fn no_two_results_of_a_run_share_a_fingerprint() {
    let Some(shared) = common::shared() else {
        eprintln!("SKIP: ../shared not found");
        return;
    };
    let r = common::eyelint(&shared, &["-f", "sarif", "corpus", "corpus_fixtures"], None);
    assert!(matches!(r.code, 1 | 2), "{}", r.stderr);
    let sarif: Value = serde_json::from_str(&r.stdout).expect("json");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(results.len() > 10_000, "{} results", results.len());
    let mut seen: BTreeMap<(&str, &str, &str), usize> = BTreeMap::new();
    for res in results {
        let print = res["partialFingerprints"]
            .as_object()
            .and_then(|p| p.values().next())
            .and_then(Value::as_str)
            .expect("a fingerprint");
        let key = (
            res["ruleId"].as_str().expect("rule"),
            res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .expect("uri"),
            print,
        );
        *seen.entry(key).or_default() += 1;
    }
    let shared_prints: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        shared_prints.is_empty(),
        "{} fingerprints shared, e.g. {:#?}",
        shared_prints.len(),
        &shared_prints[..shared_prints.len().min(5)]
    );
}
