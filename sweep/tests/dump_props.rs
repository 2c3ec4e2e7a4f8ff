//! Property tests of the dump reader and the checks behind it: a
//! `kubectl cluster-info dump` stream (the sick-cluster fixture, and the
//! real capture of `../shared/clusterdumps` when present) with random
//! changes in its JSON documents — values of another type, fields removed,
//! fields the checks read added with odd values, subtrees copied — and its
//! bytes cut short or overwritten.
//!
//! Whatever the stream holds, the sweep gives a report or an error that
//! says something, never a panic; a report renders as JSON (which parses
//! back), as text and as HTML. `PROPTEST_CASES` sets the number of cases
//! (default 64: each case reads and judges a whole dump).

mod common;
#[path = "../../policies/tests/json_changes/mod.rs"]
mod json_changes;

use std::io::Cursor;
use std::sync::OnceLock;

use eyelint_policies::Engine;
use eyelint_sweep::render::{html, human, json};
use eyelint_sweep::report::SourceInfo;
use eyelint_sweep::snapshot::Collector;
use eyelint_sweep::source::dump;
use eyelint_sweep::sweep::{analyse, Extras};
use eyelint_sweep::SweepConfig;
use json_changes::{apply, change};
use proptest::prelude::*;
use serde_json::Value;

/// Field names the runtime checks and the workload audit read.
const KEYS: &[&str] = &[
    "kind",
    "apiVersion",
    "items",
    "metadata",
    "name",
    "namespace",
    "uid",
    "ownerReferences",
    "creationTimestamp",
    "status",
    "conditions",
    "type",
    "reason",
    "message",
    "lastTransitionTime",
    "lastHeartbeatTime",
    "allocatable",
    "capacity",
    "phase",
    "containerStatuses",
    "initContainerStatuses",
    "restartCount",
    "ready",
    "state",
    "lastState",
    "waiting",
    "terminated",
    "running",
    "exitCode",
    "involvedObject",
    "count",
    "firstTimestamp",
    "lastTimestamp",
    "eventTime",
    "series",
    "source",
    "component",
    "host",
    "spec",
    "containers",
    "nodeName",
    "taints",
    "unschedulable",
    "template",
    "replicas",
];

/// One part of a dump stream: a JSON document or a log section.
#[derive(Clone, Debug)]
enum Part {
    Json(Value),
    Text(String),
}

/// Splits a dump stream into its JSON documents and log sections.
fn split(text: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        if rest.starts_with('{') || rest.starts_with('[') {
            let mut values = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
            let v = values
                .next()
                .expect("a document")
                .expect("the seed dump's JSON is valid");
            let used = values.byte_offset();
            parts.push(Part::Json(v));
            rest = &rest[used..];
        } else {
            let end = rest
                .find("==== END logs")
                .and_then(|i| rest[i..].find('\n').map(|j| i + j + 1))
                .unwrap_or(rest.len());
            parts.push(Part::Text(rest[..end].to_string()));
            rest = &rest[end..];
        }
        rest = rest.trim_start();
    }
    parts
}

fn join(parts: &[Part]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        match p {
            Part::Json(v) => {
                out.extend(serde_json::to_vec_pretty(v).expect("a Value serializes"));
                out.push(b'\n');
            }
            Part::Text(t) => out.extend_from_slice(t.as_bytes()),
        }
    }
    out
}

fn seeds() -> &'static [Vec<Part>] {
    static SEEDS: OnceLock<Vec<Vec<Part>>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut out = Vec::new();
        let sick = std::fs::read_to_string(common::fixture("sick-cluster.dump")).expect("fixture");
        out.push(split(&sick));
        if let Some(p) = common::shared("craig8__blockchain-automation-framework/cluster-dump.txt")
        {
            let text = std::fs::read_to_string(p).expect("a readable capture");
            out.push(split(&text));
        }
        out
    })
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::with_defaults().expect("engine"))
}

/// Sweeps a dump stream held in memory, checking what must hold whatever
/// it holds.
fn sweep(bytes: &[u8]) -> Result<(), TestCaseError> {
    let cfg = SweepConfig::default();
    let mut col = Collector::new(&cfg, engine().index_kinds().clone());
    if let Err(e) = dump::read_stream(&mut Cursor::new(bytes), "dump", None, &mut col) {
        prop_assert!(!e.to_string().trim().is_empty());
        return Ok(());
    }
    let source = SourceInfo {
        kind: "dump".to_string(),
        origin: "dump".to_string(),
    };
    let report = analyse(col, engine(), Extras::default(), common::NOW, source);
    let text = json::render(&report);
    let back: Value = serde_json::from_str(&text)
        .map_err(|e| TestCaseError::fail(format!("the JSON report does not parse: {e}")))?;
    prop_assert!(back["findings"].is_array());
    let style = human::Style {
        color: false,
        width: Some(100),
    };
    prop_assert!(!human::render(&report, style).is_empty());
    prop_assert!(html::render(&report).contains("</html>"));
    Ok(())
}

/// The fixture split and joined again reads as the fixture does.
#[test]
fn split_and_join_keep_the_report() {
    let sick = std::fs::read(common::fixture("sick-cluster.dump")).expect("fixture");
    let cfg = SweepConfig::default();
    let ids = |bytes: &[u8]| {
        let mut col = Collector::new(&cfg, engine().index_kinds().clone());
        dump::read_stream(&mut Cursor::new(bytes), "dump", None, &mut col).expect("reads");
        let source = SourceInfo {
            kind: "dump".to_string(),
            origin: "dump".to_string(),
        };
        let r = analyse(col, engine(), Extras::default(), common::NOW, source);
        let mut v: Vec<(String, String)> = r
            .findings
            .iter()
            .map(|f| (f.id.clone(), f.name.clone()))
            .collect();
        v.sort();
        v
    };
    let original = ids(&sick);
    assert!(original.len() > 20, "{original:?}");
    let text = String::from_utf8(sick).expect("UTF-8");
    assert_eq!(ids(&join(&split(&text))), original);
}

proptest! {
    #![proptest_config(json_changes::config(64))]

    /// Documents changed anywhere, one to six times.
    #[test]
    fn changed_dumps_are_swept(
        seed in any::<usize>(),
        changes in proptest::collection::vec((any::<usize>(), change()), 1..7),
    ) {
        let mut parts = seeds()[seed % seeds().len()].clone();
        let documents: Vec<usize> = parts
            .iter()
            .enumerate()
            .filter(|(_, p)| matches!(p, Part::Json(_)))
            .map(|(i, _)| i)
            .collect();
        for (which, c) in &changes {
            let at = documents[which % documents.len()];
            if let Part::Json(v) = &mut parts[at] {
                apply(v, c, KEYS);
            }
        }
        sweep(&join(&parts))?;
    }

    /// The stream cut short, or with bytes overwritten.
    #[test]
    fn damaged_dumps_are_swept_or_refused(
        seed in any::<usize>(),
        cut in any::<usize>(),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
    ) {
        let mut bytes = join(&seeds()[seed % seeds().len()]);
        for (at, byte) in flips {
            let i = at % bytes.len();
            bytes[i] = byte;
        }
        bytes.truncate(cut % (bytes.len() + 1));
        sweep(&bytes)?;
    }
}
