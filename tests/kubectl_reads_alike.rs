//! eyelint reads every manifest of `../shared/corpus` and of the peers'
//! fixtures (`../shared/corpus_fixtures`) as kubectl does.
//!
//! kubectl is the reference for what a manifest means: `kubectl label
//! --local -f FILE k=v -o json` reads the file with kubectl's own YAML
//! decoder (YAML 1.1 scalars, JSON conversion) and prints the objects
//! without contacting a cluster. For each file eyelint loads without error,
//! the objects eyelint's loader produces must equal kubectl's, minus the
//! probe label. Numbers compare by value (kubectl prints `1.0` as `1`).
//!
//! Skips, saying so, when kubectl is not on PATH or ../shared is absent.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use eyelint_policies::yaml::{load, Limits};
use eyelint_policies::{Engine, Pass};
use serde_json::Value;

const PROBE: &str = "eyelint-probe";

fn kubectl() -> Option<PathBuf> {
    let ok = Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then(|| PathBuf::from("kubectl"))
}

/// The objects of a loaded value: a `kind: List`'s items, or the value itself
/// when it is a Kubernetes object.
fn objects(v: Value, out: &mut Vec<Value>) {
    if v.get("kind").and_then(Value::as_str) == Some("List") {
        if let Some(Value::Array(items)) = v.get("items").cloned() {
            for i in items {
                objects(i, out);
            }
        }
        return;
    }
    if v.get("apiVersion").is_some_and(Value::is_string)
        && v.get("kind").is_some_and(Value::is_string)
    {
        out.push(v);
    }
}

/// What eyelint's loader reads from `text`, or None when it reports an error
/// (refusals are the linter tests' concern, not this one's).
fn eyelint_objects(text: &str) -> Option<Vec<Value>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let loaded = load(text, &Limits::default());
    if loaded.error.is_some() {
        return None;
    }
    let mut out = Vec::new();
    for d in loaded.documents {
        objects(d.value, &mut out);
    }
    Some(out)
}

/// What kubectl says of a file it refuses.
#[derive(Debug)]
enum Refused {
    /// Its decoder refused a value's type (in `metadata`, which kubectl
    /// decodes into its Go type even offline): "cannot unmarshal …".
    Type(String),
    /// Anything else.
    Other,
}

/// What kubectl reads from `file`, without the probe label.
fn kubectl_objects(kubectl: &Path, file: &Path) -> Result<Vec<Value>, Refused> {
    let out = Command::new(kubectl)
        .args(["label", "--local", "-o", "json", "-f"])
        .arg(file)
        .arg(format!("{PROBE}=1"))
        .output()
        .map_err(|_| Refused::Other)?;
    if !out.status.success() || out.stdout.is_empty() {
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        return Err(if stderr.contains("cannot unmarshal") {
            Refused::Type(stderr.trim().to_string())
        } else {
            Refused::Other
        });
    }
    kubectl_read(&out.stdout).ok_or(Refused::Other)
}

/// The objects of kubectl's JSON output, without the probe label.
fn kubectl_read(stdout: &[u8]) -> Option<Vec<Value>> {
    // One JSON value per object, one after another.
    let mut list = Vec::new();
    for v in serde_json::Deserializer::from_slice(stdout).into_iter::<Value>() {
        objects(v.ok()?, &mut list);
    }
    for o in &mut list {
        let meta = o.get_mut("metadata").and_then(Value::as_object_mut)?;
        let labels = meta.get_mut("labels").and_then(Value::as_object_mut)?;
        labels.remove(PROBE);
        if labels.is_empty() {
            meta.remove("labels");
        }
    }
    Some(list)
}

/// The first place where `a` and `b` differ, as a JSON pointer with both
/// values; numbers are equal when their values are.
fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.as_f64() == y.as_f64() => None,
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                let here = format!("{at}/{k}");
                match y.get(k) {
                    Some(w) => {
                        if let Some(d) = first_difference(v, w, &here) {
                            return Some(d);
                        }
                    }
                    None => return Some(format!("{here}: eyelint {v}, kubectl has no such key")),
                }
            }
            y.keys()
                .find(|k| !x.contains_key(*k))
                .map(|k| format!("{at}/{k}: kubectl {}, eyelint has no such key", y[k]))
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (v, w))| first_difference(v, w, &format!("{at}/{i}"))),
        _ if a == b => None,
        _ => Some(format!("{at}: eyelint {a}, kubectl {b}")),
    }
}

#[test]
fn corpus_objects_read_as_kubectl_reads_them() {
    compare_directory("corpus", 900);
}

#[test]
fn peers_fixtures_read_as_kubectl_reads_them() {
    compare_directory("corpus_fixtures", 500);
}

/// Compares every manifest under `../shared/NAME` (at least `min_files` of them).
fn compare_directory(name: &str, min_files: usize) {
    let Some(corpus) = common::shared()
        .map(|s| s.join(name))
        .filter(|d| d.is_dir())
    else {
        eprintln!("SKIP: ../shared/{name} not found");
        return;
    };
    let Some(kubectl) = kubectl() else {
        eprintln!("SKIP: kubectl not on PATH");
        return;
    };
    let files = common::manifests(&corpus);
    assert!(files.len() > min_files, "{} files", files.len());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = files.len().div_ceil(workers);
    let results: Vec<(usize, usize, Vec<String>, usize)> = std::thread::scope(|s| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                let (kubectl, corpus) = (&kubectl, &corpus);
                s.spawn(move || {
                    let (mut compared, mut objects, mut diffs) = (0, 0, Vec::new());
                    let mut type_refusals = 0;
                    for f in part {
                        let Ok(text) = std::fs::read_to_string(f) else {
                            continue;
                        };
                        let Some(ours) = eyelint_objects(&text) else {
                            continue;
                        };
                        if ours.is_empty() {
                            continue;
                        }
                        let rel = f.strip_prefix(corpus).unwrap_or(f).display();
                        let theirs = match kubectl_objects(kubectl, f) {
                            Ok(theirs) => theirs,
                            // kubectl's decoder refuses a type: eyelint must
                            // refuse the file too (a field type error).
                            Err(Refused::Type(why)) => {
                                let engine = Engine::with_defaults().expect("engine");
                                let refused = ours.iter().any(|o| {
                                    !engine.check(o, None, Pass::Local).malformed.is_empty()
                                });
                                if refused {
                                    type_refusals += 1;
                                } else {
                                    diffs.push(format!(
                                        "{rel}: kubectl refuses it ({why}); eyelint accepts it"
                                    ));
                                }
                                continue;
                            }
                            Err(Refused::Other) => continue,
                        };
                        compared += 1;
                        objects += ours.len();
                        if ours.len() != theirs.len() {
                            diffs.push(format!(
                                "{rel}: eyelint reads {} objects, kubectl {}",
                                ours.len(),
                                theirs.len()
                            ));
                            continue;
                        }
                        for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
                            if let Some(d) = first_difference(a, b, "") {
                                diffs.push(format!("{rel} object {i}: {d}"));
                            }
                        }
                    }
                    (compared, objects, diffs, type_refusals)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker"))
            .collect()
    });
    let compared: usize = results.iter().map(|r| r.0).sum();
    let objects: usize = results.iter().map(|r| r.1).sum();
    let diffs: Vec<&String> = results.iter().flat_map(|r| &r.2).collect();
    let type_refusals: usize = results.iter().map(|r| r.3).sum();
    eprintln!(
        "{name}: {compared} files, {objects} objects compared with kubectl; \
         {type_refusals} files whose types kubectl's decoder refuses, refused by eyelint too"
    );
    // Nearly every file holds objects both tools read.
    assert!(
        compared > min_files * 4 / 5,
        "only {compared} files compared"
    );
    assert!(
        diffs.is_empty(),
        "{} objects read differently:\n{}",
        diffs.len(),
        diffs
            .iter()
            .map(|d| d.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The scalars where YAML 1.1 (kubectl's decoder) and YAML 1.2 disagree, and
/// other forms a manifest may use: each must read as kubectl reads it.
const SCALARS: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: scalars
data:
  k: v
x-scalars:
  k_yes: yes
  k_no: no
  k_on: on
  k_off: off
  k_y: y
  k_n: n
  k_Y: Y
  k_True: True
  k_FALSE: FALSE
  k_Yes: Yes
  k_NO: NO
  k_On: On
  octal: 0755
  octal12: 0o755
  hex: 0x1F
  hexneg: -0x1F
  bin: 0b1010
  under: 1_000
  underf: 1_000.5
  sexa: 1:20
  sexaf: 190:20:30.15
  plus: +12
  plusf: +1.5
  dot5: .5
  exp: 1e3
  expd: 1.0e+3
  zeros: 0012
  str09: 09
  zero: 0
  neg0: -0
  float0: 0.
  tilde: ~
  null1: null
  Null2: Null
  NULL3: NULL
  empty:
  ts: 2001-12-14t21:59:43.10-05:00
  date: 2002-12-14
  big: 12345678901234567890
  ver: 1.10
  colon: a:b
  quoted: "0755"
  single: 'it''s'
  merge:
    <<: {a: 1, b: 2}
    b: 3
  mergelist:
    <<: [{a: 1}, {a: 2, c: 3}]
  multi: |
    line1
    line2
  keep: |+
    kept

  strip: |-
    stripped
  folded: >
    a
    b
  "=": eq
  "?": q
  key with spaces: v
"#;

#[test]
fn yaml_1_1_scalars_read_as_kubectl_reads_them() {
    let Some(kubectl) = kubectl() else {
        eprintln!("SKIP: kubectl not on PATH");
        return;
    };
    let dir = std::env::temp_dir().join(format!("eyelint-kubectl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("scalars.yaml");
    std::fs::write(&file, SCALARS).expect("write");
    let theirs = kubectl_objects(&kubectl, &file).expect("kubectl reads the fixture");
    let ours = eyelint_objects(SCALARS).expect("eyelint reads the fixture");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(theirs.len(), 1);
    assert_eq!(ours.len(), 1);
    // Key by key, so one run names every difference.
    let (a, b) = (&ours[0]["x-scalars"], &theirs[0]["x-scalars"]);
    let keys = b.as_object().expect("kubectl's mapping");
    assert!(keys.len() > 50, "{b}");
    let diffs: Vec<String> = keys
        .keys()
        .filter_map(|k| first_difference(&a[k], &b[k], &format!("/x-scalars/{k}")))
        .collect();
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
    assert_eq!(first_difference(&ours[0], &theirs[0], ""), None);
}

#[test]
fn differences_are_found_and_numbers_compare_by_value() {
    use serde_json::json;
    assert_eq!(
        first_difference(&json!({"a": 1.0}), &json!({"a": 1}), ""),
        None
    );
    assert_eq!(
        first_difference(&json!({"a": "1"}), &json!({"a": 1}), "").as_deref(),
        Some("/a: eyelint \"1\", kubectl 1")
    );
    assert!(
        first_difference(&json!({"a": [1, 2]}), &json!({"a": [1, 3]}), "")
            .is_some_and(|d| d.starts_with("/a/1:"))
    );
    assert!(first_difference(&json!({}), &json!({"b": true}), "")
        .is_some_and(|d| d.contains("eyelint has no such key")));
    assert!(first_difference(&json!({"b": null}), &json!({}), "")
        .is_some_and(|d| d.contains("kubectl has no such key")));
}
