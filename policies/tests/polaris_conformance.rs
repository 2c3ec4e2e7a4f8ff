//! Conformance with Polaris's own per-check test cases.
//!
//! For every directory `test/checks/<id>/` of the Polaris fixtures in
//! `../shared/corpus_fixtures/FairwindsOps__polaris/` (relative to the
//! repository root), with only check `<id>` enabled:
//! - every `success*` file must produce no finding of `<id>`;
//! - every `failure*` file must produce at least one;
//! - where a `mutated*` file pairs with a failure file (`failure.X.yaml` with
//!   `mutated.X.yaml`, `failure.yaml` with `mutated.yaml`), applying the
//!   findings' fixes to the failing object must give the mutated object
//!   (compared as JSON values).
//!
//! Files may hold several documents (a binding and its role, a pod and a
//! NetworkPolicy): they are checked together with `Engine::check_all`.
//!
//! Cases where eyelint deliberately differs from Polaris (each explained in
//! the rule's docs) are listed in [`DELIBERATE`]; the test fails when one of
//! them stops differing, so the list stays honest.
//!
//! `nakedPod`, `oneController` and `resourceRange` are custom checks that
//! only exist in Polaris's test configuration; they run here as custom checks
//! whose definitions are inferred from the fixtures (see [`custom_check`]).
//!
//! Set `POLARIS_CHECK=<id>` to run a single check directory.
//!
//! The fixtures are not copied into this repository; when they are absent the
//! test prints a message and passes.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use eyelint_policies::object::expand_lists;
use eyelint_policies::yaml::{self, Limits};
use eyelint_policies::{Config, Coverage, Engine, Finding, Severity};
use serde_json::{json, Value};

/// A case where eyelint deliberately gives another outcome than Polaris.
struct Deliberate {
    /// `<check id>/<file name>`.
    case: &'static str,
    /// What Polaris expects (the file's prefix says it too).
    polaris: &'static str,
    /// Why eyelint differs (the rule's docs explain it at length).
    reason: &'static str,
}

const DELIBERATE: &[Deliberate] = &[
    Deliberate {
        case: "hpaMinAvailability/success.minReplicaAbsent.yaml",
        polaris: "success",
        reason: "an unset minReplicas is the 1 the API server defaults it to, which fails",
    },
    Deliberate {
        case: "pdbMinAvailableGreaterThanHPAMinReplicas/success.no-min-replicas.yaml",
        polaris: "success",
        reason: "an unset HPA minReplicas is 1, so a budget with minAvailable 2 fails against it",
    },
    Deliberate {
        case: "clusterrolebindingPodExecAttach/failure.binding_points_to_missing_ref.yaml",
        polaris: "failure",
        reason: "a binding to a ClusterRole outside the input is not evaluated, not failed",
    },
    Deliberate {
        case: "rolebindingClusterRolePodExecAttach/failure.binding_points_to_missing_ref.yaml",
        polaris: "failure",
        reason: "a binding to a ClusterRole outside the input is not evaluated, not failed",
    },
    Deliberate {
        case: "rolebindingRolePodExecAttach/failure.binding_points_to_missing_ref.yaml",
        polaris: "failure",
        reason: "a binding to a Role outside the input is not evaluated, not failed",
    },
    Deliberate {
        case: "missingNetworkPolicy/failure.netpol_missing_egress_rules.yaml",
        polaris: "failure",
        reason: "a policy selecting the pod with both policyTypes and no egress rules is \
                 default-deny egress, which passes (Polaris #1088)",
    },
    Deliberate {
        case: "missingNetworkPolicy/failure.netpol_missing_ingress_rules.yaml",
        polaris: "failure",
        reason: "a policy selecting the pod with both policyTypes and no ingress rules is \
                 default-deny ingress, which passes (Polaris #1088)",
    },
];

/// Custom checks that exist only in Polaris's test setup. Their definitions
/// are not part of the fixtures; these are inferred from the fixture files.
fn custom_check(id: &str) -> Option<Value> {
    let label_matches_name = json!({
        "type": "object",
        "required": ["metadata"],
        "properties": {"metadata": {
            "required": ["labels"],
            "properties": {"labels": {
                "required": ["app.kubernetes.io/name"],
                "properties": {"app.kubernetes.io/name": {"const": "{{ .metadata.name }}"}}
            }}
        }}
    });
    let spec = match id {
        "nakedPod" => json!({
            "successMessage": "the pod's name label matches its name",
            "failureMessage": "the pod's name label does not match its name",
            "category": "Reliability",
            "target": "Controller",
            "controllers": {"include": ["Pod"]},
            "schemaString": serde_json::to_string(&label_matches_name).ok()?,
        }),
        "oneController" => json!({
            "successMessage": "the controller's name label matches its name",
            "failureMessage": "the controller's name label does not match its name",
            "category": "Reliability",
            "target": "Controller",
            "controllers": {"include": ["StatefulSet"]},
            "schemaString": serde_json::to_string(&label_matches_name).ok()?,
        }),
        "resourceRange" => json!({
            "successMessage": "resource limits are within range",
            "failureMessage": "resource limits are out of range",
            "category": "Efficiency",
            "target": "Container",
            "schema": {
                "type": "object",
                "required": ["resources"],
                "properties": {"resources": {
                    "required": ["limits"],
                    "properties": {"limits": {
                        "required": ["cpu", "memory"],
                        "properties": {
                            "cpu": {"resourceMinimum": "100m", "resourceMaximum": "2"},
                            "memory": {"resourceMinimum": "100Mi", "resourceMaximum": "6G"}
                        }
                    }}
                }}
            }
        }),
        _ => return None,
    };
    Some(spec)
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("..")
        .join("shared")
        .join("corpus_fixtures")
        .join("FairwindsOps__polaris")
        .join("test")
        .join("checks")
}

/// An engine running only `id`: the defaults with every other check ignored.
fn engine_for(id: &str) -> Result<Engine, String> {
    let mut config = Config::defaults();
    let builtin = config.checks.contains_key(id);
    for (k, sev) in config.checks.iter_mut() {
        if k != id {
            *sev = Severity::Ignore;
        }
    }
    if !builtin {
        let Some(spec) = custom_check(id) else {
            return Err(format!("no built-in rule `{id}`"));
        };
        config.custom_checks.insert(id.to_string(), spec);
        config.checks.insert(id.to_string(), Severity::Warning);
    }
    let engine = Engine::new(config).map_err(|e| format!("engine: {e}"))?;
    if engine.active_ids().collect::<Vec<_>>() != vec![id] {
        return Err(format!(
            "check `{id}` is not active (active: {:?})",
            engine.active_ids().collect::<Vec<_>>()
        ));
    }
    Ok(engine)
}

fn load_objects(path: &Path) -> Result<Vec<Value>, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("read: {e}"))?;
    let loaded = yaml::load(&text, &Limits::default());
    if let Some(e) = loaded.error {
        return Err(format!("yaml: {e}"));
    }
    let mut out = Vec::new();
    for d in loaded.documents {
        if d.value.is_object() {
            expand_lists(d.value, &mut out);
        }
    }
    if out.is_empty() {
        return Err("no object in file".to_string());
    }
    Ok(out)
}

/// What happened to one case.
enum Outcome {
    /// Matches Polaris.
    Same,
    /// Differs from Polaris; why.
    Differs(String),
}

/// Findings of `id` per object index.
fn findings_of(engine: &Engine, objects: &[Value], id: &str) -> Vec<Vec<Finding>> {
    engine
        .check_all(objects, Coverage::All)
        .into_iter()
        .map(|e| e.findings.into_iter().filter(|f| &*f.id == id).collect())
        .collect()
}

fn run_case(engine: &Engine, id: &str, dir: &Path, file: &str) -> Result<Outcome, String> {
    let objects = load_objects(&dir.join(file))?;
    let per_object = findings_of(engine, &objects, id);
    let total: usize = per_object.iter().map(Vec::len).sum();
    if file.starts_with("success") {
        if total == 0 {
            return Ok(Outcome::Same);
        }
        let first = per_object.iter().flatten().next();
        return Ok(Outcome::Differs(format!(
            "expected no finding, got {total} (first: {})",
            first.map_or(String::new(), |f| format!("{} at {}", f.message, f.path))
        )));
    }
    // A failure file.
    if total == 0 {
        return Ok(Outcome::Differs("expected a finding, got none".to_string()));
    }
    let mutated = dir.join(file.replacen("failure", "mutated", 1));
    if !mutated.exists() {
        return Ok(Outcome::Same);
    }
    let expected = load_objects(&mutated)?;
    // The object whose findings are fixed is the first one with findings.
    let Some((i, findings)) = per_object.iter().enumerate().find(|(_, f)| !f.is_empty()) else {
        return Ok(Outcome::Differs("no finding to fix".to_string()));
    };
    let mut fixed = objects[i].clone();
    for f in findings {
        let Some(fix) = &f.fix else {
            return Ok(Outcome::Differs(format!(
                "Polaris mutates, but the finding at {} has no fix",
                f.path
            )));
        };
        fixed = match fix.apply(&fixed) {
            Ok(v) => v,
            Err(e) => {
                return Ok(Outcome::Differs(format!(
                    "fix at {} does not apply: {e}",
                    f.path
                )))
            }
        };
    }
    let want = expected.get(i).unwrap_or(&expected[0]);
    if &fixed == want {
        Ok(Outcome::Same)
    } else {
        Ok(Outcome::Differs(format!(
            "fixed object differs from {}:\n  got:  {fixed}\n  want: {want}",
            mutated
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into_owned())
        )))
    }
}

#[test]
fn polaris_test_cases() {
    let root = fixtures_dir();
    if !root.is_dir() {
        println!(
            "SKIPPED: Polaris fixtures not found at {} (the shared reference directory is absent)",
            root.display()
        );
        return;
    }
    let only = std::env::var("POLARIS_CHECK").ok();
    let mut dirs: Vec<String> = fs::read_dir(&root)
        .expect("fixture dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|d| only.as_deref().is_none_or(|o| o == d))
        .collect();
    dirs.sort();

    let deliberate: BTreeMap<&str, &Deliberate> = DELIBERATE.iter().map(|d| (d.case, d)).collect();
    let mut passed = 0usize;
    let mut differences = Vec::new();
    let mut skipped = Vec::new();
    let mut failures = Vec::new();
    let mut seen_deliberate = Vec::new();

    for id in &dirs {
        let dir = root.join(id);
        let mut files: Vec<String> = fs::read_dir(&dir)
            .expect("check dir")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|f| f.starts_with("success") || f.starts_with("failure"))
            .collect();
        files.sort();
        let engine = match engine_for(id) {
            Ok(e) => e,
            Err(reason) => {
                if custom_check(id).is_some() {
                    skipped.push(format!("{id} ({} files): {reason}", files.len()));
                } else {
                    failures.push(format!("{id}: {reason} ({} files not run)", files.len()));
                }
                continue;
            }
        };
        for file in &files {
            let case = format!("{id}/{file}");
            let outcome = run_case(&engine, id, &dir, file);
            match (outcome, deliberate.get(case.as_str())) {
                (Err(e), _) => failures.push(format!("{case}: {e}")),
                (Ok(Outcome::Same), None) => passed += 1,
                (Ok(Outcome::Same), Some(d)) => {
                    seen_deliberate.push(d.case);
                    failures.push(format!(
                        "{case}: listed as a deliberate difference ({}) but now matches Polaris \
                         ({}): remove it from DELIBERATE",
                        d.reason, d.polaris
                    ));
                }
                (Ok(Outcome::Differs(why)), Some(d)) => {
                    seen_deliberate.push(d.case);
                    differences.push(format!(
                        "{case}: Polaris expects {}; eyelint: {why} — {}",
                        d.polaris, d.reason
                    ));
                }
                (Ok(Outcome::Differs(why)), None) => failures.push(format!("{case}: {why}")),
            }
        }
    }
    if only.is_none() {
        for d in DELIBERATE {
            if !seen_deliberate.contains(&d.case) {
                failures.push(format!(
                    "{}: listed in DELIBERATE but not run (fixture missing or check skipped)",
                    d.case
                ));
            }
        }
    }

    println!("Polaris conformance: {} check directories", dirs.len());
    println!("  cases passed:           {passed}");
    println!("  deliberate differences: {}", differences.len());
    for d in &differences {
        println!("    - {d}");
    }
    println!("  skipped:                {}", skipped.len());
    for s in &skipped {
        println!("    - {s}");
    }
    println!("  failed:                 {}", failures.len());
    for f in &failures {
        println!("    - {f}");
    }
    assert!(
        failures.is_empty(),
        "{} Polaris conformance case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
