//! The linter and the admission webhook agree: for a CREATE in a
//! non-exempt namespace, the webhook's findings on an object are the
//! engine's on that object alone (an index that covers no other kind), equal
//! what `eyelint` reports for it with cross-object rules set aside, and every
//! cross-object finding the webhook makes from the object alone (a binding
//! to cluster-admin, `automountServiceAccountToken: true`) is one the linter
//! makes too.
//! Runs over every fixture manifest in `../shared/corpus_fixtures` and the
//! repository's own lint fixtures.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use eyelint::discover::{Input, InputSource};
use eyelint::lint::{run, RunOptions};
use eyelint_policies::object::expand_lists;
use eyelint_policies::report::ReportFinding;
use eyelint_policies::yaml::{self, Limits};
use eyelint_policies::{Coverage, Engine, Finding, Pass};
use eyelint_webhook::{decide, review, Outcome, Settings};
use serde_json::{json, Value};

/// A CREATE review of `object` as the API server would send it.
fn create_review(object: &Value) -> Vec<u8> {
    let kind = object["kind"].as_str().unwrap_or("").to_string();
    let api_version = object["apiVersion"].as_str().unwrap_or("v1");
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let ns = object["metadata"]["namespace"].clone();
    serde_json::to_vec(&json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "00000000-0000-0000-0000-000000000001",
            "kind": {"group": group, "version": version, "kind": kind},
            "resource": {"group": group, "version": version, "resource": format!("{}s", kind.to_lowercase())},
            "name": object["metadata"]["name"],
            "namespace": ns,
            "operation": "CREATE",
            "userInfo": {"username": "developer@example.com", "groups": ["system:authenticated"]},
            "object": object,
            "oldObject": null,
            "dryRun": false
        }
    }))
    .unwrap()
}

/// A comparable form of a finding: the report model without the file
/// position (the webhook has no file).
fn key(f: &ReportFinding) -> String {
    let mut f = f.clone();
    f.file = None;
    f.line = None;
    f.column = None;
    f.source = None;
    serde_json::to_string(&f).unwrap()
}

fn webhook_key(f: &Finding) -> String {
    key(&ReportFinding::new(f, None, None))
}

fn is_cross_rule(id: &str) -> bool {
    eyelint_policies::engine::builtin_rules()
        .iter()
        .any(|m| m.id == id && !m.needs.is_empty())
}

#[test]
fn webhook_findings_equal_linter_findings_on_every_fixture() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let shared = root.join("../shared/corpus_fixtures");
    if shared.is_dir() {
        files = common::manifests(&shared);
    } else {
        eprintln!(
            "SKIP: {} is absent; only the repository fixtures are compared",
            shared.display()
        );
    }
    files.extend(common::manifests(&root.join("tests/fixtures")));
    if files.is_empty() {
        eprintln!("SKIP: no fixture manifests found");
        return;
    }

    let engine = Engine::with_defaults().unwrap();
    let settings = Settings {
        own_namespace: Some("eyelint-system".to_string()),
    };
    let exempt = &engine.config().admission.exempt_namespaces;
    let (mut objects, mut judged_files, mut with_findings, mut cross_seen) = (0, 0, 0, 0);

    for path in &files {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let loaded = yaml::load_bytes(&bytes, &Limits::default());
        if loaded.error.is_some() {
            continue; // not loadable: the linter reports an error, nothing to compare
        }
        let mut docs = Vec::new();
        for d in loaded.documents {
            expand_lists(d.value, &mut docs);
        }
        let docs: Vec<Value> = docs
            .into_iter()
            .filter(eyelint_policies::object::is_kubernetes_object)
            .collect();
        if docs.is_empty() {
            continue;
        }

        // The webhook, one CREATE per object.
        let mut webhook: Vec<String> = Vec::new();
        let mut webhook_cross: Vec<String> = Vec::new();
        let mut judged_refs = Vec::new();
        for obj in &docs {
            let ns = obj["metadata"]["namespace"].as_str().unwrap_or("");
            if exempt.iter().any(|e| e == ns) || ns == "eyelint-system" {
                continue;
            }
            let body = create_review(obj);
            let (_, req) = review::parse(&body).unwrap();
            let d = decide(&req, &engine, &settings);
            assert!(
                !matches!(d.outcome, Outcome::Skipped(_)),
                "{}: {:?} skipped",
                path.display(),
                d.outcome
            );
            // Same as the engine on the object alone.
            let mut alone = engine.new_index(Coverage::Kinds(Default::default()));
            alone.add(obj);
            assert_eq!(
                d.findings,
                engine.check(obj, Some(&alone), Pass::All).findings,
                "{}",
                path.display()
            );
            webhook.extend(
                d.findings
                    .iter()
                    .filter(|f| !is_cross_rule(&f.id))
                    .map(webhook_key),
            );
            webhook_cross.extend(
                d.findings
                    .iter()
                    .filter(|f| is_cross_rule(&f.id))
                    .map(webhook_key),
            );
            let r = eyelint_policies::ObjectRef::of(obj);
            judged_refs.push((r.api_version, r.kind, r.namespace, r.name));
            objects += 1;
        }

        // The linter on the whole file, cross-object rules aside.
        let input = Input {
            name: path.display().to_string(),
            source: InputSource::File(path.clone()),
        };
        let result = run(&engine, &[input], &RunOptions::default());
        if !result.errors.is_empty() || !result.skipped.is_empty() {
            continue;
        }
        let mut linter: Vec<String> = result
            .findings
            .iter()
            .filter(|f| {
                let r = (
                    f.api_version.clone(),
                    f.kind.clone(),
                    f.namespace.clone(),
                    f.name.clone(),
                );
                !is_cross_rule(&f.id) && judged_refs.contains(&r)
            })
            .map(|f| key(f))
            .collect();
        // What the webhook decides from the object alone, the linter
        // reports too (it sees the whole file, so it may report more).
        let linter_all: Vec<String> = result.findings.iter().map(|f| key(f)).collect();
        for k in &webhook_cross {
            assert!(
                linter_all.contains(k),
                "{}: the webhook's cross-object finding is not the linter's: {k}",
                path.display()
            );
        }
        cross_seen += webhook_cross.len();
        webhook.sort();
        linter.sort();
        if webhook != linter {
            let count = |v: &[String]| {
                let mut m = BTreeMap::new();
                for k in v {
                    *m.entry(k.clone()).or_insert(0) += 1;
                }
                m
            };
            let (w, l) = (count(&webhook), count(&linter));
            let only_w: Vec<_> = w.keys().filter(|k| w.get(*k) != l.get(*k)).collect();
            let only_l: Vec<_> = l.keys().filter(|k| w.get(*k) != l.get(*k)).collect();
            panic!(
                "{}: webhook and linter disagree\nwebhook only: {only_w:#?}\nlinter only: {only_l:#?}",
                path.display()
            );
        }
        judged_files += 1;
        if !webhook.is_empty() {
            with_findings += 1;
        }
    }
    eprintln!("webhook and linter agree on {objects} objects in {judged_files} files ({with_findings} with findings, {cross_seen} cross-object findings decided from the object alone)");
    assert!(judged_files > 0, "no fixture file was compared");
    if shared.is_dir() {
        assert!(
            with_findings > 50,
            "suspiciously few files with findings: {with_findings}"
        );
        assert!(
            cross_seen > 0,
            "no cross-object finding decided from an object alone"
        );
    }
}

/// JSON as Python's `json.dumps` writes it: characters beyond U+FFFF as
/// UTF-16 surrogate pairs (`\ud83d\ude80`). The API server (Go) and the
/// webhook (serde_json) read each pair as one character; so does the
/// linter, which then reports what the webhook reports.
#[test]
fn json_with_surrogate_pairs_is_read_as_the_webhook_reads_it() {
    let text = r#"{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "rocket", "namespace": "shop", "annotations": {"note": "ship it \ud83d\ude80", "\ud83c\udf89": "party"}}, "spec": {"selector": {"matchLabels": {"app": "rocket"}}, "template": {"metadata": {"labels": {"app": "rocket"}}, "spec": {"containers": [{"name": "app", "image": "registry.example.com/rocket", "env": [{"name": "GREETING", "value": "\ud83d\udc4b hello"}], "securityContext": {"privileged": true}}]}}}}"#;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rocket.json");
    std::fs::write(&path, text).unwrap();

    let decoded: Value = serde_json::from_str(text).unwrap();
    assert_eq!(decoded["metadata"]["annotations"]["note"], "ship it 🚀");
    let loaded = yaml::load_bytes(text.as_bytes(), &Limits::default());
    assert!(loaded.error.is_none(), "{:?}", loaded.error);
    assert_eq!(loaded.documents[0].value, decoded);

    let engine = Engine::with_defaults().unwrap();
    let settings = Settings {
        own_namespace: Some("eyelint-system".to_string()),
    };
    let (_, req) = review::parse(&create_review(&decoded)).unwrap();
    let d = decide(&req, &engine, &settings);
    let mut webhook: Vec<String> = d.findings.iter().map(webhook_key).collect();
    assert!(
        d.findings.iter().any(|f| &*f.id == "runAsPrivileged"),
        "{:?}",
        d.findings
    );

    let input = Input {
        name: path.display().to_string(),
        source: InputSource::File(path.clone()),
    };
    let result = run(&engine, &[input], &RunOptions::default());
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    let mut linter: Vec<String> = result
        .findings
        .iter()
        .filter(|f| !is_cross_rule(&f.id))
        .map(|f| key(f))
        .collect();
    // The privileged finding points at the `privileged` key in the file.
    let privileged = result
        .findings
        .iter()
        .find(|f| &*f.id == "runAsPrivileged")
        .unwrap();
    assert_eq!(
        (privileged.line, privileged.column),
        (Some(1), Some(text.find("\"privileged\"").unwrap() + 1))
    );
    webhook.sort();
    linter.sort();
    assert_eq!(webhook, linter);
}
