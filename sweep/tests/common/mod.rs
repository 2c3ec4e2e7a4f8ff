//! Helpers shared by the sweep's integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use eyelint_policies::Engine;
use eyelint_sweep::report::Report;
use eyelint_sweep::snapshot::Collector;
use eyelint_sweep::sweep::{self, Extras, Offline};
use eyelint_sweep::{SweepConfig, SweepError};

/// 2024-05-02T00:00:00Z: a fixed "now".
pub const NOW: i64 = 1_714_608_000;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// `../shared/clusterdumps` from the repository root, if present.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/clusterdumps")
        .join(rel);
    let p2 = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/clusterdumps")
        .join(rel);
    if p2.exists() {
        Some(p2)
    } else if p.exists() {
        Some(p)
    } else {
        eprintln!("SKIP: {rel} not found under ../shared/clusterdumps (shared material absent)");
        None
    }
}

pub fn run_with(source: Offline, cfg: &SweepConfig) -> Result<Report, SweepError> {
    let engine = Engine::with_defaults().expect("engine");
    let mut col = Collector::new(cfg, engine.index_kinds().clone());
    let info = sweep::collect_offline(&source, &mut col)?;
    Ok(sweep::analyse(col, &engine, Extras::default(), NOW, info))
}

pub fn run(source: Offline) -> Result<Report, SweepError> {
    run_with(source, &SweepConfig::default())
}

/// (id, name) of every finding outside the workloads section.
pub fn runtime(r: &Report) -> Vec<(String, String)> {
    r.findings
        .iter()
        .filter(|f| f.section != eyelint_sweep::checks::Section::Workloads)
        .map(|f| (f.id.clone(), f.name.clone()))
        .collect()
}

pub fn has(r: &Report, id: &str, name: &str) -> bool {
    r.findings.iter().any(|f| f.id == id && f.name == name)
}
