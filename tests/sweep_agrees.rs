//! The sweep and the linter agree: the workload findings `eyelint sweep
//! --from-dump` reports for the Deployments and DaemonSets of a
//! real `kubectl cluster-info dump --output-directory` are the findings
//! `eyelint` reports when it lints that dump's JSON files (rule, container,
//! message and path alike), cross-object rules set aside (the sweep says which of those it could not evaluate; the
//! linter judges what the files hold).
//!
//! Skips, saying so, when ../shared is absent.

mod common;

use std::collections::BTreeMap;

use eyelint::discover::{Input, InputSource};
use eyelint::lint::{run, RunOptions};
use eyelint_policies::Engine;
use eyelint_sweep::checks::Section;
use eyelint_sweep::snapshot::Collector;
use eyelint_sweep::sweep::{analyse, collect_offline, Extras, Offline};
use eyelint_sweep::SweepConfig;

/// The controllers whose objects the dump holds (`kubectl cluster-info dump`
/// writes no StatefulSets: the sweep judges those from their pods).
const CONTROLLERS: [&str; 2] = ["Deployment", "DaemonSet"];

/// kind, namespace, name, rule, container, message, path.
type Key = (
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
);

fn is_cross_rule(id: &str) -> bool {
    eyelint_policies::engine::builtin_rules()
        .iter()
        .any(|m| m.id == id && !m.needs.is_empty())
}

fn count(keys: impl Iterator<Item = Key>) -> BTreeMap<Key, usize> {
    let mut m = BTreeMap::new();
    for k in keys {
        *m.entry(k).or_insert(0) += 1;
    }
    m
}

#[test]
fn sweep_and_linter_find_the_same_on_a_dumps_workloads() {
    let Some(shared) = common::shared() else {
        eprintln!("SKIP: ../shared not found");
        return;
    };
    let dump = shared.join("clusterdumps/verrazzano__verrazzano/capture_Ba8mq7N");
    assert!(dump.is_dir(), "{}", dump.display());
    let engine = Engine::with_defaults().expect("default engine");

    // The sweep.
    let cfg = SweepConfig::default();
    let mut col = Collector::new(&cfg, engine.index_kinds().clone());
    let source = collect_offline(&Offline::Dump(dump.clone()), &mut col).expect("dump read");
    let report = analyse(col, &engine, Extras::default(), 0, source);
    let sweep = count(
        report
            .findings
            .iter()
            .filter(|f| f.section == Section::Workloads)
            .filter(|f| CONTROLLERS.contains(&f.kind.as_str()) && !is_cross_rule(&f.id))
            .map(|f| {
                (
                    f.kind.clone(),
                    f.namespace.clone(),
                    f.name.clone(),
                    f.id.clone(),
                    f.container.clone(),
                    f.message.clone(),
                    f.path.clone().unwrap_or_default(),
                )
            }),
    );

    // The linter, on the same dump's controller files.
    let inputs: Vec<Input> = common::manifests(&dump)
        .into_iter()
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| matches!(n, "deployments.json" | "daemonsets.json"))
        })
        .map(|p| Input {
            name: p.display().to_string(),
            source: InputSource::File(p),
        })
        .collect();
    assert!(inputs.len() > 10, "{} files", inputs.len());
    let result = run(&engine, &inputs, &RunOptions::default());
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    let linter = count(
        result
            .findings
            .iter()
            .filter(|f| CONTROLLERS.contains(&&*f.kind) && !is_cross_rule(&f.id))
            .map(|f| {
                (
                    f.kind.to_string(),
                    f.namespace.to_string(),
                    f.name.to_string(),
                    f.id.to_string(),
                    f.container.as_deref().map(str::to_string),
                    f.message.to_string(),
                    f.path.to_string(),
                )
            }),
    );
    let total: usize = linter.values().sum();
    eprintln!("{total} workload findings compared");
    assert!(total > 200, "only {total} findings");
    let differ: Vec<_> = sweep
        .keys()
        .chain(linter.keys())
        .filter(|k| sweep.get(*k) != linter.get(*k))
        .collect();
    assert!(
        differ.is_empty(),
        "sweep and linter disagree on:\n{differ:#?}"
    );
}
