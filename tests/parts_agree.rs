//! A large input is loaded and checked in parts at the same time
//! (`RunOptions::part_bytes`, `yaml::parts`); the run must give exactly
//! what loading it whole gives: findings, their places, input errors,
//! skips and counts. Held here on the lint fixtures, the real manifests of
//! `../shared` (when present) one file at a time, and all of them as one
//! stream on standard input, each cut as finely as it can be (every `---`).

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use eyelint::discover::{Input, InputSource};
use eyelint::lint::{run, RunOptions, RunResult};
use eyelint_policies::yaml;
use eyelint_policies::Engine;

/// Everything a run tells, comparable.
fn told(r: &RunResult) -> String {
    format!(
        "{:#?}\n{:?}\n{:?}\n{:?}\n{:?}",
        r.findings,
        r.anchors,
        r.errors,
        r.skipped,
        (r.objects, r.files, r.passed, r.exempted, r.undecided.len())
    )
}

/// Runs `inputs` whole and cut at every `---`, checks that they agree, and
/// returns how many inputs were cut.
fn agree(engine: &Engine, inputs: &[Input]) -> usize {
    let whole = run(
        engine,
        inputs,
        &RunOptions {
            part_bytes: usize::MAX,
            ..RunOptions::default()
        },
    );
    let cut = run(
        engine,
        inputs,
        &RunOptions {
            part_bytes: 1,
            ..RunOptions::default()
        },
    );
    let (w, c) = (told(&whole), told(&cut));
    if w != c {
        let line = w
            .lines()
            .zip(c.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "whole and cut runs differ at line {line} of their account:\n  whole: {:?}\n  cut:   {:?}",
            w.lines().nth(line),
            c.lines().nth(line)
        );
    }
    inputs
        .iter()
        .filter(|i| {
            let text = match &i.source {
                InputSource::File(p) => std::fs::read_to_string(p).ok(),
                InputSource::Stdin(b) => String::from_utf8(b.to_vec()).ok(),
                _ => None,
            };
            text.is_some_and(|t| yaml::parts(&t, 1).is_some())
        })
        .count()
}

fn files(paths: &[PathBuf]) -> Vec<Input> {
    paths
        .iter()
        .map(|p| Input {
            name: p.display().to_string(),
            source: InputSource::File(p.clone()),
        })
        .collect()
}

/// A Deployment named `name` in namespace `ns`.
fn deployment(name: &str, extra: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: ns}}\nspec:\n  replicas: 1\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n{extra}      containers:\n      - name: c\n        image: nginx\n        securityContext: {{privileged: true}}\n"
    )
}

#[test]
fn streams_cut_in_parts_give_what_they_give_whole() {
    let engine = Engine::with_defaults().expect("default engine");
    let docs = [
        format!("# Source: chart/templates/a.yaml\n{}", deployment("a", "")),
        "# a comment-only document\n".to_string(),
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: pdb, namespace: ns}\nspec: {minAvailable: 1, selector: {matchLabels: {app: b}}}\n".to_string(),
        format!("# Source: chart/templates/b.yaml\n{}", deployment("b", "      serviceAccountName: sa\n      hostNetwork: true\n")),
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p, namespace: ns}\n  spec:\n    containers:\n    - {name: c, image: \"busybox:latest\"}\n".to_string(),
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa, namespace: ns}\n".to_string(),
        "base: &b {app: x}\nlabels: *b\n".to_string(),
        format!("{}...\n", deployment("c", "")),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  namespace: ns\nspec:\n  template:\n    spec:\n      containers: {}\n".to_string(),
        deployment("e", "      hostPID: true\n"),
    ];
    let stream = |docs: &[String]| docs.iter().map(|d| format!("---\n{d}")).collect::<String>();
    let mut texts = vec![stream(&docs), stream(&docs).replace('\n', "\r\n")];
    // An error in the middle ends the stream there, in whatever part it is.
    for bad in [
        "key: [unclosed\n",
        "a: 1\na: 2\n",
        "- apiVersion: v1\n  kind: Pod\n",
    ] {
        let mut d = docs.to_vec();
        d.insert(4, bad.to_string());
        texts.push(stream(&d));
    }
    // Texts that are not cut (and must still agree).
    texts.push(format!("\u{feff}{}", stream(&docs)));
    texts.push(format!("%YAML 1.1\n{}", stream(&docs)));
    let inputs: Vec<Input> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| Input {
            name: format!("stream-{i}.yaml"),
            source: InputSource::Stdin(Arc::new(t.clone().into_bytes())),
        })
        .collect();
    assert_eq!(agree(&engine, &inputs), texts.len() - 2);
    // Alone, so that no other input's objects are in the index.
    for input in inputs {
        agree(&engine, &[input]);
    }
}

#[test]
fn real_manifests_cut_in_parts_give_what_they_give_whole() {
    let Some(shared) = common::shared() else {
        eprintln!("SKIP: ../shared not found");
        return;
    };
    let engine = Engine::with_defaults().expect("default engine");
    let paths = common::corpus_and_fixtures(&shared);
    let inputs = files(&paths);
    let cut = agree(&engine, &inputs);
    assert!(cut >= 100, "only {cut} of {} files were cut", inputs.len());

    // All of them as one stream, as `cat … | eyelint -` gives it: errors
    // end the stream where the whole load ends it.
    let mut stream = Vec::new();
    for p in &paths {
        let Ok(bytes) = std::fs::read(p) else {
            continue;
        };
        stream.extend_from_slice(b"---\n");
        stream.extend_from_slice(&bytes);
        if !bytes.ends_with(b"\n") {
            stream.push(b'\n');
        }
    }
    let stdin = [Input {
        name: "<stdin>".to_string(),
        source: InputSource::Stdin(Arc::new(stream)),
    }];
    agree(&engine, &stdin);
}
