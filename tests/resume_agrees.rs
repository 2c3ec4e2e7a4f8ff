//! After a YAML syntax error, the linter reads on from the next `---` line
//! (`yaml::resume_after`), as kubectl's splitter cuts a stream before it
//! parses any document. So a stream with one broken document must give,
//! for every other document, exactly what the same stream gives with that
//! document written as comments (the same lines, no object): the same
//! findings at the same places, the same counts; and one error more.
//! Held on a stream of the real manifests of `../shared` (when present),
//! with the broken document at several places, loaded whole and in parts.

mod common;

use std::sync::Arc;

use eyelint::discover::{Input, InputSource};
use eyelint::lint::{run, RunOptions, RunResult};
use eyelint_policies::Engine;

/// Findings and counts, comparable.
fn findings(r: &RunResult) -> String {
    format!(
        "{:#?}\n{:?}",
        r.findings,
        (r.objects, r.files, r.passed, r.exempted, r.undecided.len())
    )
}

fn lint(engine: &Engine, text: &str, part_bytes: usize) -> RunResult {
    let input = Input {
        name: "<stdin>".to_string(),
        source: InputSource::Stdin(Arc::new(text.as_bytes().to_vec())),
    };
    run(
        engine,
        &[input],
        &RunOptions {
            part_bytes,
            ..RunOptions::default()
        },
    )
}

#[test]
fn a_broken_document_costs_only_itself() {
    let Some(shared) = common::shared() else {
        eprintln!("SKIP: ../shared not found");
        return;
    };
    let engine = Engine::with_defaults().expect("default engine");
    // YAML manifests that load without an error on their own, as documents.
    let mut docs: Vec<String> = Vec::new();
    for p in common::corpus_and_fixtures(&shared) {
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        let yaml = p.extension().is_some_and(|e| e == "yaml" || e == "yml");
        if !yaml || text.trim_start().starts_with('{') || text.contains('\r') {
            continue;
        }
        if lint(&engine, &text, usize::MAX).errors.is_empty() && text.contains("kind:") {
            let mut t = text;
            if !t.ends_with('\n') {
                t.push('\n');
            }
            docs.push(t);
        }
        if docs.len() == 150 {
            break;
        }
    }
    assert!(docs.len() >= 50, "only {} documents", docs.len());
    // Broken in three ways: an unclosed flow mapping (the error is on the
    // next `---` line), a quoted value cut by a `---` line, a bad indent.
    let broken = [
        "apiVersion: v1\nkind: Pod\nmetadata: {name: broken\nspec: {}\n",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"broken\n",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: broken\n   labels: {}\n",
    ];
    let stream = |docs: &[String]| docs.iter().map(|d| format!("---\n{d}")).collect::<String>();
    let mut checked = 0;
    for (b, bad) in broken.iter().enumerate() {
        for at in [0, docs.len() / 3, docs.len() - 1] {
            let mut with_bad = docs.clone();
            with_bad.insert(at, bad.to_string());
            let mut with_comment = docs.clone();
            let commented: String = bad.lines().map(|l| format!("# {l}\n")).collect();
            with_comment.insert(at, commented);
            let (bad_text, good_text) = (stream(&with_bad), stream(&with_comment));
            assert_eq!(bad_text.lines().count(), good_text.lines().count());
            let good = lint(&engine, &good_text, usize::MAX);
            assert!(good.errors.is_empty(), "{:?}", good.errors);
            for part_bytes in [usize::MAX, 64 * 1024] {
                let got = lint(&engine, &bad_text, part_bytes);
                assert_eq!(
                    got.errors.len(),
                    1,
                    "broken document {b} at {at}: {:?}",
                    got.errors
                );
                assert!(
                    findings(&got) == findings(&good),
                    "broken document {b} at {at}, parts of {part_bytes} bytes: the other \
                     documents' findings differ"
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 18);
}
