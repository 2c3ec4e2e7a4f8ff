//! Snapshots of every output format on the same fixtures (colour off,
//! fixed width), through the real binary.

mod common;

use common::{eyelint, fixtures};

/// A stable rule set: container, pod and cross-object rules.
const ONLY: &str = "--only=hostIPCSet,runAsPrivileged,tagNotSpecified,missingPodDisruptionBudget";

fn run(format: &str) -> common::Run {
    let r = eyelint(&fixtures(), &[ONLY, "--format", format], None);
    assert_eq!(r.code, 1, "danger findings exit 1; stderr: {}", r.stderr);
    assert_eq!(r.stderr, "", "no skip notices without --verbose");
    r
}

#[test]
fn human() {
    let r = run("human");
    assert!(
        !r.stdout.contains('\u{1b}'),
        "no colour when not a terminal"
    );
    insta::assert_snapshot!("human", r.stdout);
}

#[test]
fn json() {
    let r = run("json");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["schemaVersion"], 1);
    insta::assert_snapshot!("json", r.stdout);
}

#[test]
fn sarif() {
    let r = run("sarif");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let run0 = &v["runs"][0];
    assert_eq!(v["version"], "2.1.0");
    assert_eq!(run0["columnKind"], "unicodeCodePoints");
    let rules: Vec<&str> = run0["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "hostIPCSet",
            "missingPodDisruptionBudget",
            "runAsPrivileged",
            "tagNotSpecified"
        ]
    );
    for rule in run0["tool"]["driver"]["rules"].as_array().unwrap() {
        assert!(rule["help"]["text"]
            .as_str()
            .unwrap()
            .contains("## What it does"));
        assert_eq!(rule["help"]["text"], rule["help"]["markdown"]);
    }
    for res in run0["results"].as_array().unwrap() {
        let loc = &res["locations"][0]["physicalLocation"];
        assert!(!loc["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .starts_with('/'));
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx], res["ruleId"]);
    }
    // The rules' documentation belongs to the rules' own tests: redact it here.
    let mut v = v;
    for rule in v["runs"][0]["tool"]["driver"]["rules"]
        .as_array_mut()
        .unwrap()
    {
        rule["help"] = serde_json::json!("[rule documentation]");
    }
    insta::assert_snapshot!("sarif", serde_json::to_string_pretty(&v).unwrap());
}

#[test]
fn junit() {
    let r = run("junit");
    assert!(r.stdout.starts_with("<?xml"));
    insta::assert_snapshot!("junit", r.stdout);
}

#[test]
fn github() {
    let r = run("github");
    insta::assert_snapshot!("github", r.stdout);
}

#[test]
fn unicode_columns_count_characters() {
    // `"hostIPC"` follows `café-☕` on a one-line JSON object: byte column 93,
    // character column 89.
    let r = eyelint(
        &fixtures(),
        &["--only=hostIPCSet", "-f", "json", "nested/oneline.json"],
        None,
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let f = &v["findings"][0];
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(1), Some(89))
    );
}

#[test]
fn rules_table_and_rule_doc() {
    let r = eyelint(&fixtures(), &["rules"], None);
    assert_eq!(r.code, 0);
    let header = r.stdout.lines().next().unwrap();
    assert!(header.starts_with("ID") && header.contains("SEVERITY"));
    for id in ["hostIPCSet", "runAsPrivileged", "tagNotSpecified"] {
        assert!(r.stdout.lines().any(|l| l.starts_with(id)), "{id} listed");
    }
    let r = eyelint(&fixtures(), &["rule", "hostIPCSet"], None);
    assert_eq!(r.code, 0);
    insta::assert_snapshot!("rule_hostIPCSet", r.stdout);
    let r = eyelint(&fixtures(), &["rule", "hostipc"], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("did you mean hostIPCSet"), "{}", r.stderr);
}

/// docs/output.md's summary examples are what `eyelint .` and
/// `eyelint -f json .` print in `tests/fixtures/lint` (they had drifted as
/// rules were added).
#[test]
fn the_documented_summaries_are_the_fixtures() {
    let doc = std::fs::read_to_string(common::root().join("docs/output.md")).unwrap();
    let human = eyelint(&fixtures(), &["--no-color"], None);
    let last = human.stdout.lines().last().unwrap();
    assert!(
        doc.contains(&format!("```\n{last}\n```")),
        "docs/output.md should show the summary line `{last}`"
    );
    let json = eyelint(&fixtures(), &["-f", "json"], None);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let s = &v["summary"];
    let shown = format!(
        "\"files\": {}, \"objects\": {}, \"passed\": {}, \"exempted\": {}, \"notEvaluated\": {},\n    \"counts\": {{\"warning\": {}, \"danger\": {}}}, \"baselined\": {}, \"score\": {}, \"errors\": {}",
        s["files"],
        s["objects"],
        s["passed"],
        s["exempted"],
        s["notEvaluated"],
        s["counts"]["warning"],
        s["counts"]["danger"],
        s["baselined"],
        s["score"],
        s["errors"]
    );
    assert!(
        doc.contains(&shown),
        "docs/output.md should show the JSON summary\n{shown}"
    );
}

/// The rule id and fingerprint of each SARIF result of `eyelint -f sarif`
/// on `text` (as `pod.yaml`).
fn fingerprints(text: &str) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pod.yaml"), text).unwrap();
    let r = eyelint(dir.path(), &["-f", "sarif", "pod.yaml"], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let prints = r["partialFingerprints"].as_object().unwrap();
            assert_eq!(prints.len(), 1);
            (
                r["ruleId"].as_str().unwrap().to_string(),
                prints["eyelintFinding/v1"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// GitHub code scanning tells results apart by their fingerprints: two
/// credential env vars of one container, once one alert, are two; and an
/// edit elsewhere in the file (a comment and an env var added above, the
/// object written again below) changes none of them.
#[test]
fn sarif_fingerprints_tell_findings_apart_and_ignore_lines() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      image: nginx:1.25\n      env:\n        - {name: DB_PASSWORD, value: a}\n        - {name: API_TOKEN, value: b}\n";
    let before = fingerprints(pod);
    let env: Vec<&str> = before
        .iter()
        .filter(|(id, _)| id == "sensitiveContainerEnvVar")
        .map(|(_, p)| p.as_str())
        .collect();
    assert_eq!(
        env,
        [
            "sensitiveContainerEnvVar|Pod||p|app|environment variable `DB_PASSWORD` looks like a credential and has a literal value (use valueFrom.secretKeyRef):1",
            "sensitiveContainerEnvVar|Pod||p|app|environment variable `API_TOKEN` looks like a credential and has a literal value (use valueFrom.secretKeyRef):1",
        ]
    );
    let distinct: std::collections::BTreeSet<_> = before.iter().collect();
    assert_eq!(distinct.len(), before.len(), "{before:#?}");

    let edited = format!(
        "# edited\n{}---\n{pod}",
        pod.replace(
            "      env:\n",
            "      env:\n        - {name: SECRET_KEY, value: c}\n"
        )
    );
    let after = fingerprints(&edited);
    let after_set: std::collections::BTreeSet<_> = after.iter().collect();
    assert_eq!(after_set.len(), after.len(), "{after:#?}");
    for f in &before {
        assert!(after_set.contains(f), "{f:?} changed: {after:#?}");
    }
    // The object written a second time: its findings are the second of
    // their kind in the file.
    assert!(
        after.iter().any(|(_, p)| p
            == "sensitiveContainerEnvVar|Pod||p|app|environment variable `DB_PASSWORD` looks like a credential and has a literal value (use valueFrom.secretKeyRef):2"),
        "{after:#?}"
    );
}

/// Snippets of long lines (one-line JSON with a big annotation, a long
/// value next to the finding's line) show the part of each line around
/// the finding, cut with `…`, not the whole line for every finding.
#[test]
fn long_lines_are_cut_in_snippets() {
    let dir = tempfile::tempdir().unwrap();
    let json = format!(
        "{{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {{\"name\": \"p\", \
         \"annotations\": {{\"a\": \"{}\"}}}}, \"spec\": {{\"hostIPC\": true, \"containers\": \
         [{{\"name\": \"c\", \"image\": \"nginx:1\"}}]}}, \"status\": {{\"message\": \"{}\"}}}}",
        "x".repeat(4000),
        "y".repeat(500_000)
    );
    std::fs::write(dir.path().join("oneline.json"), &json).unwrap();
    let yaml = format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: q\n  labels: {{app.kubernetes.io/instance: q}}\nspec:\n  schedulerName: {}\n  hostIPC: true\n  containers: [{{name: c, image: \"nginx:1\"}}]\n",
        "é".repeat(3000)
    );
    std::fs::write(dir.path().join("pod.yaml"), &yaml).unwrap();
    let r = eyelint(
        dir.path(),
        &[
            "--only=hostIPCSet,metadataAndInstanceMismatched",
            "oneline.json",
            "pod.yaml",
        ],
        None,
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.len() < 4000, "{} bytes", r.stdout.len());
    insta::assert_snapshot!("human_long_lines", r.stdout);
}

/// A custom check that takes a built-in rule's id is what runs, with its
/// own message and category. SARIF's rule entry for that id must describe
/// it as it describes the same check under an id of its own, not carry
/// the built-in's description, help and category.
#[test]
fn sarif_describes_a_custom_check_that_overrides_a_builtin() {
    let dir = tempfile::tempdir().unwrap();
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      image: nginx:latest\n";
    std::fs::write(dir.path().join("pod.yaml"), pod).unwrap();
    let rule_and_results = |id: &str| {
        let cfg = format!(
            "checks: {{{id}: danger}}\ncustomChecks:\n  {id}:\n    failureMessage: must use a semver tag\n    target: Container\n    schema:\n      properties:\n        image: {{pattern: ':v?[0-9]+\\.[0-9]+'}}\n"
        );
        std::fs::write(dir.path().join("cfg.yaml"), cfg).unwrap();
        let r = eyelint(
            dir.path(),
            &["--config", "cfg.yaml", "-f", "sarif", "pod.yaml"],
            None,
        );
        assert_eq!(r.code, 1, "{}", r.stderr);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let run = &v["runs"][0];
        let rule = run["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap();
        let results: Vec<serde_json::Value> = run["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["ruleId"] == id)
            .cloned()
            .collect();
        (rule, results)
    };
    let (own, own_results) = rule_and_results("semverTag");
    let (overriding, results) = rule_and_results("tagNotSpecified");
    assert_eq!(own_results.len(), 1);
    assert_eq!(results.len(), 1);
    assert!(
        results[0]["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("must use a semver tag"),
        "{results:#?}"
    );
    assert_eq!(
        results[0]["properties"]["category"],
        overriding["properties"]["category"]
    );
    let renamed: serde_json::Value = serde_json::from_str(
        &overriding
            .to_string()
            .replace("tagNotSpecified", "semverTag"),
    )
    .unwrap();
    assert_eq!(renamed, own);
}
