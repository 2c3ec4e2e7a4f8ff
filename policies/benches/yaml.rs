//! YAML loader benchmarks: MB/s of `yaml::load_with` (fast path first,
//! saphyr-parser where it bails) against `yaml::load_reference` (saphyr-parser
//! only) on
//!
//! - generated workloads: the first 2,000 objects of
//!   `target/bench-data/workloads/` when present (what `bench/run.sh`
//!   writes), else 2,000 objects written by `bench/gen_workloads.py` into a
//!   temporary directory (skipped without `python3`);
//! - every `*.yaml`/`*.yml`/`*.json` file of `../shared/corpus/` (skipped
//!   when absent).
//!
//! Run: `cargo bench -p eyelint-policies --bench yaml`
//!
//! For instruction counts (repeatable on a noisy machine), run one load of
//! one data set under callgrind:
//! `YAML_BENCH_ONCE=fast:workloads valgrind --tool=callgrind target/release/deps/yaml-<hash>`
//! (`fast` or `reference`, `workloads` or `corpus`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

// The eyelint binary runs on mimalloc; measure the loader the way it runs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{Criterion, Throughput};
use eyelint_policies::yaml::{self, Limits};

#[path = "../tests/corpus_walk/mod.rs"]
mod corpus_walk;

/// Objects of generated workloads to load.
const WORKLOAD_OBJECTS: usize = 2000;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read_yaml_files(dir: &Path, limit: usize) -> Vec<String> {
    let mut files = corpus_walk::yaml_files(dir);
    files.truncate(limit);
    files
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .collect()
}

/// 2,000 generated workloads, 200 per file.
fn workloads() -> Option<Vec<String>> {
    let existing = workspace().join("target/bench-data/workloads");
    if existing.join("workloads-0000.yaml").is_file() {
        // bench/gen_workloads.py writes 200 objects per file by default.
        return Some(read_yaml_files(&existing, WORKLOAD_OBJECTS / 200));
    }
    let dir = std::env::temp_dir().join("eyelint-yaml-bench-workloads");
    if !dir.join("workloads-0000.yaml").is_file() {
        let status = Command::new("python3")
            .arg(workspace().join("bench/gen_workloads.py"))
            .arg(&dir)
            .arg(WORKLOAD_OBJECTS.to_string())
            .arg("200")
            .status();
        if !status.is_ok_and(|s| s.success()) {
            eprintln!("SKIP workloads benchmark: could not run bench/gen_workloads.py");
            return None;
        }
    }
    Some(read_yaml_files(&dir, usize::MAX))
}

fn corpus() -> Option<Vec<String>> {
    let dir = workspace().join("../shared/corpus");
    if !dir.is_dir() {
        eprintln!("SKIP corpus benchmark: {} not found", dir.display());
        return None;
    }
    Some(read_yaml_files(&dir, usize::MAX))
}

/// Loads every text; returns the number of documents (so nothing is
/// optimised away).
fn load_all(texts: &[String], fast: bool) -> usize {
    let limits = Limits::default();
    let mut docs = 0;
    for t in texts {
        let count = |_: yaml::Document| docs += 1;
        if fast {
            yaml::load_with(t, &limits, count);
        } else {
            yaml::load_reference(t, &limits, count);
        }
    }
    docs
}

fn bench_set(c: &mut Criterion, name: &str, texts: &[String]) {
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut g = c.benchmark_group(format!("yaml/{name}"));
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(8));
    g.bench_function("load_with (fast path)", |b| {
        b.iter(|| load_all(texts, true))
    });
    g.bench_function("load_reference (saphyr)", |b| {
        b.iter(|| load_all(texts, false))
    });
    g.finish();
}

fn main() {
    if let Ok(once) = std::env::var("YAML_BENCH_ONCE") {
        let (path, set) = once.split_once(':').unwrap_or((once.as_str(), "workloads"));
        let texts = if set == "corpus" {
            corpus()
        } else {
            workloads()
        };
        let texts = texts.unwrap_or_default();
        let docs = load_all(&texts, path == "fast");
        println!("{path} on {set}: {docs} documents");
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    if let Some(t) = workloads() {
        bench_set(&mut c, "workloads", &t);
    }
    if let Some(t) = corpus() {
        bench_set(&mut c, "corpus", &t);
    }
    c.final_summary();
}
