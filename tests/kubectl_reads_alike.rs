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

use common::{kubectl, Mix};

use std::path::{Path, PathBuf};
use std::process::Command;

use eyelint_policies::yaml::{load, Limits};
use eyelint_policies::{Engine, Pass};
use serde_json::Value;

const PROBE: &str = "eyelint-probe";

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
    /// Its document splitter or its YAML parser (go-yaml) refused the text.
    Yaml(String),
    /// Anything else.
    Other,
}

/// What kubectl reads from `file`, without the probe label.
fn kubectl_objects(kubectl: &Path, file: &Path) -> Result<Vec<Value>, Refused> {
    kubectl_verdict(&kubectl_label(kubectl, file).map_err(|_| Refused::Other)?)
}

/// kubectl's run over `file` (it labels each object with the probe).
fn kubectl_label(kubectl: &Path, file: &Path) -> std::io::Result<std::process::Output> {
    Command::new(kubectl)
        .args(["label", "--local", "-o", "json", "-f"])
        .arg(file)
        .arg(format!("{PROBE}=1"))
        .output()
}

/// What kubectl read, from its run: the objects, or why it refused.
fn kubectl_verdict(out: &std::process::Output) -> Result<Vec<Value>, Refused> {
    if !out.status.success() || out.stdout.is_empty() {
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        return Err(if stderr.contains("cannot unmarshal") {
            Refused::Type(stderr.trim().to_string())
        } else if stderr.contains("error parsing ") {
            // Its splitter or its YAML parser: "error parsing FILE: …".
            Refused::Yaml(stderr.trim().to_string())
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
        // Whole numbers within int64 exactly (kubectl prints `1.0` as `1`,
        // and a float past 2^53 as its shortest decimal); others by value,
        // since kubectl decodes a whole number past int64 as a float.
        (Value::Number(x), Value::Number(y))
            if match (x.as_i64(), y.as_i64()) {
                (Some(i), Some(j)) => i == j,
                _ => x.as_f64() == y.as_f64(),
            } =>
        {
            None
        }
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

/// Where the objects eyelint read (`ours`) differ from kubectl's, each line
/// starting with `what`. kubectl's label command makes the `metadata` it
/// labels, so an object without one is compared as if it had an empty one.
fn objects_differ(what: &str, mut ours: Vec<Value>, theirs: &[Value]) -> Vec<String> {
    if ours.len() != theirs.len() {
        return vec![format!(
            "{what}: eyelint reads {} objects, kubectl {}",
            ours.len(),
            theirs.len()
        )];
    }
    for o in &mut ours {
        if let Some(m) = o.as_object_mut() {
            let meta = m.entry("metadata").or_insert_with(|| serde_json::json!({}));
            // `kubectl label` rebuilds the labels from their string values:
            // one null or other value drops them all.
            if let Some(meta) = meta.as_object_mut() {
                let rebuilt = match meta.get("labels") {
                    Some(Value::Object(l)) => l.values().any(|v| !v.is_string()),
                    Some(v) => !v.is_object(),
                    None => false,
                };
                if rebuilt {
                    meta.remove("labels");
                }
            }
        }
    }
    // kubectl decodes `metadata` into its Go type, where a null is no value
    // (and writes some empty fields back as null): nulls there compare as
    // missing.
    let mut theirs = theirs.to_vec();
    for o in ours.iter_mut().chain(theirs.iter_mut()) {
        if let Some(meta) = o.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.retain(|_, v| !v.is_null());
        }
    }
    ours.iter()
        .zip(&theirs)
        .enumerate()
        .filter_map(|(i, (a, b))| {
            Some(format!(
                "{what} object {i}: {}",
                first_difference(a, b, "")?
            ))
        })
        .collect()
}

/// `../shared/NAME` and kubectl, or `None` after a SKIP line.
fn shared_and_kubectl(name: &str) -> Option<(PathBuf, PathBuf)> {
    let Some(dir) = common::shared()
        .map(|s| s.join(name))
        .filter(|d| d.is_dir())
    else {
        eprintln!("SKIP: ../shared/{name} not found");
        return None;
    };
    let Some(kubectl) = kubectl() else {
        eprintln!("SKIP: kubectl not on PATH");
        return None;
    };
    Some((dir, kubectl))
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
    let Some((corpus, kubectl)) = shared_and_kubectl(name) else {
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
                            Err(Refused::Yaml(why)) => {
                                diffs.push(format!(
                                    "{rel}: kubectl's YAML parser refuses it ({why}); eyelint reads it"
                                ));
                                continue;
                            }
                            Err(Refused::Other) => continue,
                        };
                        compared += 1;
                        objects += ours.len();
                        diffs.extend(objects_differ(&rel.to_string(), ours, &theirs));
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
  k_big_float: 251908010080205004.2
  k_big_negative_float: -1.2345678901234567e17
  k_past_2_53: 9007199254740993.0
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
    let dir = tempfile::Builder::new()
        .prefix("eyelint-kubectl-")
        .tempdir()
        .expect("temp dir");
    let file = dir.path().join("scalars.yaml");
    std::fs::write(&file, SCALARS).expect("write");
    let theirs = kubectl_objects(&kubectl, &file).expect("kubectl reads the fixture");
    let ours = eyelint_objects(SCALARS).expect("eyelint reads the fixture");
    drop(dir);
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
    // Whole numbers compare exactly, even where floats cannot tell them apart.
    assert!(first_difference(
        &json!({"a": 251_908_010_080_204_992i64}),
        &json!({"a": 251_908_010_080_205_000i64}),
        ""
    )
    .is_some());
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

/// Tabs where go-yaml (kubectl's YAML parser) takes them for blanks and
/// where it refuses them; saphyr-parser draws the line elsewhere on both
/// sides. `ConfigMap` documents, `metadata` below.
const TABS: &[(&str, &str)] = &[
    (
        "starting a quoted value's continuation line",
        "metadata:\n  name: x\n  annotations:\n    a: '[\n        1,\n   \t2]'\n",
    ),
    (
        "starting a double-quoted value's continuation line",
        "metadata:\n  name: x\n  annotations:\n    a: \"b\n\tc\"\n",
    ),
    (
        "inside a key",
        "metadata:\n  name: x\nx-a:\n- a: 1\n  k\tb: 2\n",
    ),
    ("after a key's colon", "metadata:\n  name:\tx\n"),
    ("space then tab after a colon", "metadata:\n  name: \tx\n"),
    (
        "tab then line end after a colon",
        "metadata:\n  name: x\n  labels:\t\n    a: b\n",
    ),
    (
        "tab then comment after a colon",
        "metadata:\n  name:\t# c\n    x\n",
    ),
    ("after a value", "metadata:\n  name: x\t\n"),
    ("before a comment", "metadata:\n  name: x\t# c\n"),
    (
        "after a colon in flow",
        "metadata: {name:\tx, labels: {\ta: b}}\n",
    ),
    (
        "in a flow sequence",
        "metadata:\n  name: x\n  finalizers: [\ta,\tb]\n",
    ),
    ("between key and colon", "metadata:\n  name\t: x\n"),
    ("after a quoted value", "metadata:\n  name: \"x\"\t\n"),
    (
        "after a block scalar header",
        "metadata:\n  name: x\n  annotations:\n    a: |\t\n      t\n",
    ),
    (
        "before a block scalar",
        "metadata:\n  name: x\n  annotations:\n    a:\t|\n      t\n",
    ),
    (
        "before a flow mapping",
        "metadata:\n  name: x\n  labels:\t{a: b}\n",
    ),
    ("before a quoted value", "metadata:\n  name:\t\"x\"\n"),
    (
        "before a block sequence",
        "metadata:\n  name: x\n  finalizers:\t\n  - a\n",
    ),
    (
        "after an explicit key's colon",
        "metadata:\n  name: x\n  labels:\n    ? a\n    :\tb\n",
    ),
    (
        "after a dash",
        "metadata:\n  name: x\n  finalizers:\n  -\tfoo\n",
    ),
    (
        "space then tab after a dash",
        "metadata:\n  name: x\n  finalizers:\n  - \tfoo\n",
    ),
    (
        "after a dash before a mapping",
        "metadata:\n  name: x\n  ownerReferences:\n  -\tname: a\n    kind: b\n",
    ),
    (
        "after a dash, then line end",
        "metadata:\n  name: x\n  finalizers:\n  -\t\n    foo\n",
    ),
    (
        "after an inner dash",
        "metadata:\n  name: x\n  finalizers:\n  - -\tfoo\n",
    ),
    ("as indentation", "metadata:\n\tname: x\n"),
    ("after indentation spaces", "metadata:\n  \tname: x\n"),
    // Where a block scalar's indentation is read.
    (
        "starting a block scalar's first line",
        "data:\n  x: |\n    \ta\n",
    ),
    (
        "in a Makefile in a block scalar",
        "data:\n  x: |\n    all:\n    \techo hi\n",
    ),
    (
        "alone in a block scalar's line",
        "data:\n  x: |\n    a\n\n\t\n    b\n",
    ),
    (
        "after a block scalar's blank line",
        "data:\n  x: |\n\n    \ta\n",
    ),
    ("with an indentation indicator", "data:\n  x: |2\n    \ta\n"),
    ("starting a folded scalar", "data:\n  x: >\n    \ta\n"),
    ("among a first line's spaces", "data:\n  x: |\n     \t a\n"),
    (
        "past a block scalar's indentation",
        "data:\n  x: |\n    a\n     \tb\n",
    ),
    (
        "short of a block scalar's indentation",
        "data:\n  x: |\n    a\n   \tb\n",
    ),
    (
        "in a block scalar in a sequence",
        "data:\n  x: |-\n    a\n\n    \tb\n",
    ),
    (
        "starting an anchored block scalar's first line",
        "data:\n  x: &x |\n    \ta\n",
    ),
    (
        "starting a tagged block scalar's first line",
        "data:\n  x: !!str |\n    \ta\n",
    ),
    (
        "starting a first line, header after an anchor's line",
        "data:\n  x: &x\n    |\n    \ta\n",
    ),
    (
        "starting a first line, tag and anchor",
        "data:\n  x: !!str &x >-\n    \ta\n",
    ),
    (
        "short of an anchored block scalar's indentation",
        "data:\n  x: &x |\n    a\n  \tb\n",
    ),
    (
        "past an anchored block scalar's indentation",
        "data:\n  x: &x |\n    a\n    \tb\n",
    ),
    (
        "alone on a line before a first line",
        "data:\n  x: |\n    \t\n    a\n",
    ),
    (
        "with an indentation indicator, short of it",
        "data:\n  x: |2\n  \tx\n",
    ),
    (
        "with an indentation indicator, at it",
        "data:\n  x: |1\n     a\n   \tb\n",
    ),
    (
        "with an indentation indicator, on a blank line",
        "data:\n  x: |2\n    a\n  \t\n    b\n",
    ),
    (
        "in a sequence's block scalar, with an indicator",
        "x-l:\n- |2\n   \ta\n",
    ),
    // Lines that start with a tab and hold nothing else, or a comment.
    ("alone on a line after a key", "metadata:\n\t\n  name: x\n"),
    (
        "alone on a line between keys",
        "metadata:\n  name: x\n\t\ndata:\n  a: b\n",
    ),
    (
        "after spaces, alone on a line",
        "metadata:\n  name: x\ndata:\n  a: b\n  \t\n  c: d\n",
    ),
    (
        "before a comment",
        "metadata:\n  name: x\ndata:\n  a: b\n\t# c\n  c: d\n",
    ),
    (
        "alone on the last line",
        "metadata:\n  name: x\ndata:\n  a: b\n\t\n",
    ),
    (
        "after a block scalar",
        "metadata:\n  name: x\ndata:\n  a: |\n    b\n\t\n  c: d\n",
    ),
    (
        "between sequence items",
        "metadata:\n  name: x\nx-l:\n- a\n\t\n- b\n",
    ),
    (
        "in a flow collection's line",
        "metadata:\n  name: x\nx-a: [b,\n\t\n  c]\n",
    ),
    (
        "in a quoted value's blank line",
        "metadata:\n  name: x\ndata:\n  a: \"b\n\t\n   c\"\n",
    ),
    (
        "after a value and a comment",
        "metadata:\n  name: x\ndata:\n  a: b\t\n  c: d \t # x\n",
    ),
    // In a plain value's lines, left of its indentation or not.
    (
        "alone in a plain value's line",
        "metadata:\n  name: x\ndata:\n  a: b\n\t\n    c\n",
    ),
    (
        "past a plain value's indentation",
        "metadata:\n  name: x\ndata:\n  a: b\n    \tc\n",
    ),
    (
        "short of a plain value's indentation",
        "metadata:\n  name: x\ndata:\n  a: b\n  \tc\n",
    ),
    (
        "at a plain value's indentation",
        "metadata:\n  name: x\ndata:\n  a: b\n   \tc\n",
    ),
    (
        "at a sequence item's indentation",
        "metadata:\n  name: x\nx-l:\n- b\n \tc\n",
    ),
    (
        "short of a sequence item's indentation",
        "metadata:\n  name: x\nx-l:\n- b\n\tc\n",
    ),
    (
        "in a plain value on the key's next line",
        "metadata:\n  name: x\ndata:\n  a:\n    b\n  \t\n    c\n",
    ),
];

#[test]
fn tabs_are_refused_where_kubectl_refuses_them() {
    let Some(kubectl) = kubectl() else {
        eprintln!("SKIP: kubectl not on PATH");
        return;
    };
    // JSON, which kubectl reads with its JSON decoder: a tab is a blank
    // anywhere, before the root too.
    let json = [
        ("JSON indented with tabs", "{\n\t\"apiVersion\": \"v1\",\n\t\"kind\": \"ConfigMap\",\n\t\"metadata\": {\n\t\t\"name\": \"x\"\n\t}\n}\n".to_string()),
        ("JSON after a tab", "\t{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\",\n\t\"metadata\":\t{\"name\": \"x\"}}\n".to_string()),
    ];
    let yaml = TABS
        .iter()
        .map(|(what, body)| (*what, format!("apiVersion: v1\nkind: ConfigMap\n{body}")));
    let (read, refused) = read_alike(&kubectl, json.into_iter().chain(yaml));
    assert!(
        read >= 33 && refused >= 32,
        "{read} read, {refused} refused"
    );
}

/// Files that start with `{`, which kubectl reads with its JSON decoder:
/// eyelint (its loader, then the linter's JSON check for files of objects)
/// must refuse exactly those kubectl refuses, and read the others alike.
#[test]
fn json_roots_are_refused_where_kubectl_refuses_them() {
    let Some(kubectl) = kubectl() else {
        eprintln!("SKIP: kubectl not on PATH");
        return;
    };
    let cm = |rest: &str| {
        format!("{{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {{\"name\": \"a\"}}{rest}}}")
    };
    let cases = [
        ("JSON", cm("")),
        (
            "JSON with data",
            cm(", \"data\": {\"k\": \"v\", \"n\": \"1\"}"),
        ),
        ("two JSON objects", format!("{}\n{}\n", cm(""), cm(""))),
        ("blank lines and tabs first", format!("\n\n\t  {}", cm(""))),
        (
            "a surrogate pair's escapes",
            cm(", \"data\": {\"k\": \"\\ud83d\\ude00 \\u00e9\"}"),
        ),
        (
            "lone surrogate escapes",
            cm(", \"data\": {\"a\": \"x\\ud83dy\", \"b\": \"\\ud83d\\ud83d\\ude00\", \"c\": \"\\ude00\\ud83d\", \"\\udc00\": \"\\ud83d\\u0041\"}"),
        ),
        (
            "a number past int64",
            cm(", \"x-n\": 123456789012345678901234567890"),
        ),
        (
            "flow YAML at the root",
            "{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}".to_string(),
        ),
        (
            "a comment after the object",
            format!("{} # the config map\n", cm("")),
        ),
        ("a comment inside", cm(", # x\n \"data\": {}")),
        ("a single-quoted string", cm(", \"data\": {\"k\": 'v'}")),
        ("an unquoted string", cm(", \"data\": {\"k\": v}")),
        ("a trailing comma", cm(",")),
        ("a number beyond float64", cm(", \"x-n\": 1e400")),
        ("a leading zero", cm(", \"x-n\": 01")),
        (
            "an array after the object",
            format!("{}\n[{}]", cm(""), cm("")),
        ),
        ("a number after the object", format!("{}\n5", cm(""))),
        (
            "a YAML document after the object",
            format!("{}\n---\napiVersion: v1\n", cm("")),
        ),
        ("a tab inside a string", cm(", \"data\": {\"k\": \"a\tb\"}")),
        // kubectl's file reader drops a leading byte-order mark.
        (
            "a byte-order mark, then surrogate escapes",
            format!("\u{feff}{}", cm(", \"data\": {\"k\": \"\\ud83d\\ude00\\ud83d\"}")),
        ),
        (
            "a byte-order mark, then flow YAML",
            "\u{feff}{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}".to_string(),
        ),
        (
            "a byte-order mark, then a comment after the object",
            format!("\u{feff}\n{} # c\n", cm("")),
        ),
    ];
    // eyelint: its loader, then the linter's check of files that start
    // with `{`; kubectl: any refusal, its JSON decoder's included.
    let ours = |text: &str| {
        let loaded = load(text, &Limits::default());
        loaded
            .error
            .map(|e| e.message)
            .or_else(|| eyelint_policies::yaml::kubectl_json::refusal(text).map(|(_, m)| m))
    };
    let (read, refused) = compare_reading(&kubectl, cases, ours, |_| true);
    assert!(read >= 7 && refused >= 13, "{read} read, {refused} refused");
}

/// `\u` escapes of UTF-16 surrogates, as JSON writes characters beyond
/// U+FFFF, in YAML: kubectl's YAML parser refuses every one, paired or
/// not (files that start with `{` are in the matrix above).
#[test]
fn surrogate_escapes_in_yaml_are_refused_as_kubectl_refuses_them() {
    let Some(kubectl) = kubectl() else {
        eprintln!("SKIP: kubectl not on PATH");
        return;
    };
    let cm = |data: &str| {
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: a}}\ndata:\n{data}")
    };
    let cases = [
        ("a pair", cm("  k: \"\\ud83d\\ude00\"\n")),
        ("a lone high surrogate", cm("  k: \"x\\ud83d\"\n")),
        ("a lone low surrogate", cm("  k: \"\\udc00\"\n")),
        ("a pair in a key", cm("  \"\\ud83d\\ude00\": v\n")),
        (
            "a pair in a flow mapping",
            cm("  {k: \"\\ud83d\\ude00\"}\n"),
        ),
        (
            "a pair on a continuation line",
            cm("  k: \"one\n    two \\ud83d\\ude00\"\n"),
        ),
        (
            "the character as one `\\U` escape",
            cm("  k: \"\\U0001F600\"\n"),
        ),
        ("the character itself", cm("  k: \"😀\"\n")),
        ("escapes in single quotes", cm("  k: '\\ud83d\\ude00'\n")),
        ("escapes unquoted", cm("  k: \\ud83d\\ude00\n")),
        (
            "escapes in a block scalar",
            cm("  k: |\n    \\ud83d\\ude00\n"),
        ),
    ];
    let (read, refused) = read_alike(&kubectl, cases);
    assert!(read >= 5 && refused >= 6, "{read} read, {refused} refused");
}

/// Reads each text with eyelint's loader and with kubectl: both must refuse
/// it (kubectl at its splitter or YAML parser), or both read the same
/// objects. Returns how many both read and how many both refused.
fn read_alike<W: AsRef<str>>(
    kubectl: &Path,
    cases: impl IntoIterator<Item = (W, String)>,
) -> (usize, usize) {
    let loader = |text: &str| {
        let loaded = load(text, &Limits::default());
        loaded
            .error
            .map(|e| format!("{}, {}:{}", e.message, e.pos.line, e.pos.column))
    };
    compare_reading(kubectl, cases, loader, |r| matches!(r, Refused::Yaml(_)))
}

/// [`read_alike`] with eyelint's refusal (`ours`: why, or `None` when it
/// reads the text) and the kubectl refusals that count as refusing alike.
fn compare_reading<W: AsRef<str>>(
    kubectl: &Path,
    cases: impl IntoIterator<Item = (W, String)>,
    ours: impl Fn(&str) -> Option<String>,
    kubectl_refuses: impl Fn(&Refused) -> bool,
) -> (usize, usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut read, mut refused, mut bad) = (0, 0, Vec::new());
    for (what, text) in cases {
        let what = what.as_ref();
        let file = dir.path().join("case.yaml");
        std::fs::write(&file, &text).expect("write");
        match (ours(&text), kubectl_objects(kubectl, &file)) {
            (None, Ok(t)) => {
                read += 1;
                bad.extend(objects_differ(
                    what,
                    eyelint_objects(&text).unwrap_or_default(),
                    &t,
                ));
            }
            (Some(_), Err(r)) if kubectl_refuses(&r) => refused += 1,
            (None, Err(e)) => bad.push(format!(
                "{what}: kubectl refuses it ({e:?}); eyelint reads it"
            )),
            (Some(why), Err(r)) => bad.push(format!(
                "{what}: eyelint refuses it ({why}); kubectl too, but not at parsing ({r:?})"
            )),
            (Some(why), Ok(_)) => bad.push(format!(
                "{what}: eyelint refuses it ({why}); kubectl reads it"
            )),
        }
    }
    eprintln!("{read} read by both, {refused} refused by both");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    (read, refused)
}

/// The cases `cases` makes for each of YAML 1.1's line breaks (NEL, U+2028,
/// U+2029), each named after its break (`U+0085 before an item`).
fn each_yaml_1_1_break<const N: usize>(
    cases: impl Fn(char) -> [(&'static str, String); N],
) -> Vec<(String, String)> {
    ['\u{85}', '\u{2028}', '\u{2029}']
        .into_iter()
        .flat_map(|c| cases(c).map(|(what, text)| (format!("U+{:04X} {what}", u32::from(c)), text)))
        .collect()
}

/// Whether any key of `v`, at any depth, holds a byte-order mark.
fn marked_key(v: &Value) -> bool {
    match v {
        Value::Object(m) => m
            .iter()
            .any(|(k, v)| k.contains('\u{feff}') || marked_key(v)),
        Value::Array(a) => a.iter().any(marked_key),
        _ => false,
    }
}

/// Byte-order marks after a file's first character, as `cat` leaves them
/// when it joins files saved with one: kubectl drops the one that starts
/// the line after a `---` line (unless that line is the file's first) and
/// reads every other as a character. eyelint must read such files as
/// kubectl does, or refuse them where kubectl refuses them, or where kubectl
/// reads a mark into a key (`\u{feff}apiVersion` is not `apiVersion`).
#[test]
fn byte_order_marks_inside_are_read_as_kubectl_reads_them() {
    let Some(kubectl) = kubectl() else {
        eprintln!("SKIP: kubectl not on PATH");
        return;
    };
    const M: &str = "\u{feff}";
    let cm = |name: &str| format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\n");
    let (a, b) = (cm("a"), cm("b"));
    let cases = [
        ("after a `---` line", format!("{a}---\n{M}{b}")),
        (
            "after each of two `---` lines",
            format!("{a}---\n{M}{b}---\n{M}{}", cm("c")),
        ),
        ("after `---` and blanks", format!("{a}---   \n{M}{b}")),
        ("after `---` and a comment", format!("{a}--- # x\n{M}{b}")),
        (
            "after a `---` line ending in CRLF",
            format!("{a}---\r\n{M}{b}"),
        ),
        (
            "after `---`, then spaces",
            format!("{a}---\n{M}  apiVersion: v1\n  kind: ConfigMap\n  metadata: {{name: b}}\n"),
        ),
        (
            "after `---`, before a comment",
            format!("{a}---\n{M}# c\n{b}"),
        ),
        ("after `---`, before `---`", format!("{a}---\n{M}---\n{b}")),
        ("after `---`, at the end", format!("{a}---\n{M}")),
        ("after a second leading `---`", format!("---\n---\n{M}{a}")),
        ("after a comment and `---`", format!("# c\n---\n{M}{a}")),
        ("after the file's first line, `---`", format!("---\n{M}{a}")),
        ("twice at the start", format!("{M}{M}{a}")),
        ("after a comment line", format!("# c\n{M}{a}")),
        ("after a blank line", format!("\n{M}{a}")),
        ("after `---` and a blank line", format!("{a}---\n\n{M}{b}")),
        (
            "after `---` and a comment line",
            format!("{a}---\n# c\n{M}{b}"),
        ),
        (
            "before a key inside",
            format!("apiVersion: v1\n{M}kind: ConfigMap\nmetadata: {{name: a}}\n"),
        ),
        ("before an indented key", format!("{a}data:\n{M}  x: y\n")),
        ("before `---`", format!("{a}{M}---\n{b}")),
        ("after `...`", format!("{a}...{M}\n---\n{b}")),
        (
            "inside scalars",
            format!(
                "{a}data:\n  k: v{M}\n  j: {M}x\n  m: \"{M}q\"\n  s: '{M}s'\n  f: {{g: h{M}}}\n"
            ),
        ),
        (
            "in a block scalar and a comment",
            format!("{a}data:\n  k: |\n    {M}text\n  # {M}c\n"),
        ),
        ("in a comment after a value", format!("{a}# x{M}\n")),
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut read, mut refused, mut keyed, mut bad) = (0, 0, 0, Vec::new());
    for (what, text) in &cases {
        let file = dir.path().join("case.yaml");
        std::fs::write(&file, text).expect("write");
        let ours = load(text, &Limits::default()).error;
        // One run: its objects, and whether one has a key with a mark in it
        // (such an object has no `apiVersion`, so it is not among them).
        let raw = kubectl_label(&kubectl, &file).expect("kubectl runs");
        let keeps_mark = serde_json::Deserializer::from_slice(&raw.stdout)
            .into_iter::<Value>()
            .any(|v| v.is_ok_and(|v| marked_key(&v)));
        match (ours, kubectl_verdict(&raw)) {
            (None, Ok(t)) => {
                read += 1;
                bad.extend(objects_differ(
                    what,
                    eyelint_objects(text).unwrap_or_default(),
                    &t,
                ));
            }
            (Some(_), Err(_)) => refused += 1,
            (Some(e), Ok(_)) if keeps_mark && e.message.contains("byte-order mark") => keyed += 1,
            (ours, theirs) => bad.push(format!("{what}: eyelint {ours:?}, kubectl {theirs:?}")),
        }
    }
    eprintln!("{read} read alike, {refused} refused by both, {keyed} refused where kubectl reads a mark into a key");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(
        read >= 12 && refused >= 3 && keyed >= 5,
        "{read} {refused} {keyed}"
    );
}

/// A document after a `...` line that no `---` line follows: kubectl reads
/// one document from each part of the file between `---` lines, so it
/// silently drops such a document (or refuses the file when the `...` came
/// first). eyelint must refuse each file, at the dropped document.
#[test]
fn documents_after_an_end_marker_are_refused_where_kubectl_drops_them() {
    let Some(kubectl) = kubectl() else {
        eprintln!("SKIP: kubectl not on PATH");
        return;
    };
    let cm = |name: &str| format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\n");
    let (a, b, c) = (cm("a"), cm("b"), cm("c"));
    // (what, text, the names kubectl reads or None if it refuses the file,
    // the line of eyelint's error)
    let cases = [
        (
            "`...` then a document",
            format!("{a}...\n{b}"),
            Some(vec!["a"]),
            5,
        ),
        (
            "`...`, a document, `---`",
            format!("{a}...\n{b}---\n{c}"),
            Some(vec!["a", "c"]),
            5,
        ),
        (
            "two `...` lines",
            format!("{a}...\n...\n{b}"),
            Some(vec!["a"]),
            6,
        ),
        (
            "`...` with a comment, blank lines",
            format!("{a}... # end\n\n# b\n{b}"),
            Some(vec!["a"]),
            7,
        ),
        ("`...` first", format!("...\n{b}"), None, 2),
        (
            "duplicate keys after `...`",
            format!("{a}...\nx: 1\nx: 2\n"),
            Some(vec!["a"]),
            5,
        ),
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("case.yaml");
    for (what, text, kubectl_names, line) in cases {
        std::fs::write(&file, &text).expect("write");
        let names = kubectl_objects(&kubectl, &file).ok().map(|objects| {
            objects
                .iter()
                .map(|o| o["metadata"]["name"].as_str().unwrap_or("").to_string())
                .collect::<Vec<_>>()
        });
        assert_eq!(
            names,
            kubectl_names.map(|n| n.iter().map(|s| s.to_string()).collect()),
            "{what}: kubectl"
        );
        let e = load(&text, &Limits::default()).error;
        let e = e.unwrap_or_else(|| panic!("{what}: eyelint reads it"));
        assert_eq!((e.pos.line, e.pos.column), (line, 1), "{what}: {e}");
        assert!(e.message.contains("follows a `...` line"), "{what}: {e}");
    }
    // A `...` followed by `---`, or by comments only, is read alike.
    let (read, refused) = read_alike(
        &kubectl,
        [
            ("`...` then `---`", format!("{a}...\n---\n{b}")),
            ("`...` then a comment", format!("{a}...\n# the end\n")),
            (
                "`---`, `...`, `---`",
                format!("---\n{a}...\n--- # b\n{b}...\n"),
            ),
        ],
    );
    assert_eq!((read, refused), (3, 0));
}

/// Control characters and noncharacters, which go-yaml (kubectl's YAML
/// parser) refuses anywhere in a YAML file, comments included, and its JSON
/// decoder takes inside strings (all but C0). Every character in every
/// placement must be read or refused alike.
#[test]
fn control_characters_are_refused_where_kubectl_refuses_them() {
    let Some(kubectl) = kubectl() else {
        eprintln!("SKIP: kubectl not on PATH");
        return;
    };
    let head = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n";
    let chars = [
        '\u{1}',
        '\u{8}',
        '\u{b}',
        '\u{c}',
        '\u{1b}',
        '\u{1f}',
        '\u{7f}',
        '\u{80}',
        '\u{9f}',
        '\u{a0}',
        '\u{d7ff}',
        '\u{e000}',
        '\u{fdd0}',
        '\u{fffd}',
        '\u{fffe}',
        '\u{ffff}',
        '\u{10ffff}',
    ];
    let mut cases = Vec::new();
    for c in chars {
        let placements = [
            ("double-quoted", format!("{head}data: {{x: \"a{c}b\"}}\n")),
            ("single-quoted", format!("{head}data:\n  x: 'a{c}b'\n")),
            ("plain", format!("{head}data:\n  x: a{c}b\n")),
            (
                "in a block scalar",
                format!("{head}data:\n  x: |\n    a{c}b\n"),
            ),
            ("in a key", format!("{head}data:\n  a{c}b: x\n")),
            ("in a comment", format!("{head}# a{c}b\n")),
            (
                "in a later document's comment",
                format!("{head}---\n{}# {c}\n", head.replace("name: a", "name: b")),
            ),
        ];
        for (place, text) in placements {
            cases.push((format!("U+{:04X} {place}", u32::from(c)), text));
        }
    }
    let (read, refused) = read_alike(&kubectl, cases);
    assert!(
        read >= 40 && refused >= 60,
        "{read} read, {refused} refused"
    );
    // In JSON, kubectl's JSON decoder takes all but C0 inside strings.
    let json = chars.map(|c| {
        (
            format!("U+{:04X} in a JSON string", u32::from(c)),
            format!("{{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {{\"name\": \"a\"}}, \"data\": {{\"x\": \"a{c}b\"}}}}\n"),
        )
    });
    let ours = |text: &str| {
        let loaded = load(text, &Limits::default());
        loaded
            .error
            .map(|e| e.message)
            .or_else(|| eyelint_policies::yaml::kubectl_json::refusal(text).map(|(_, m)| m))
    };
    let (read, refused) = compare_reading(&kubectl, json, ours, |_| true);
    assert!(read >= 10 && refused >= 5, "{read} read, {refused} refused");
}

/// NEL, U+2028 and U+2029, line breaks in go-yaml's YAML 1.1: in a block
/// collection's plain scalar or key, a block scalar or a comment they cut
/// the line in two (kubectl refuses the file or reads another structure,
/// and eyelint refuses it); in a quoted scalar or a flow collection's plain
/// one they are folded (U+2028 and U+2029 read alike; NEL is a space to
/// kubectl and stays NEL to eyelint, the one difference left).
#[test]
fn yaml_1_1_line_breaks_are_read_or_refused_as_kubectl_reads_them() {
    let Some(kubectl) = kubectl() else {
        eprintln!("SKIP: kubectl not on PATH");
        return;
    };
    let head = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n";
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("case.yaml");
    let (mut read, mut refused, mut restructured, mut bad) = (0, 0, 0, Vec::new());
    for c in ['\u{85}', '\u{2028}', '\u{2029}'] {
        let value = format!("a{c}b");
        let placements = [
            (
                "double-quoted",
                format!("{head}data: {{x: \"{value}\"}}\n"),
                true,
            ),
            (
                "single-quoted",
                format!("{head}data:\n  x: '{value}'\n"),
                true,
            ),
            (
                "plain in a flow mapping",
                format!("{head}data: {{x: {value}}}\n"),
                true,
            ),
            (
                "a key in a flow mapping",
                format!("{head}data: {{{value}: x}}\n"),
                false,
            ),
            (
                "a quoted key in a flow mapping",
                format!("{head}data: {{\"{value}\": x}}\n"),
                false,
            ),
            (
                "a quoted key",
                format!("{head}data:\n  '{value}': x\n"),
                false,
            ),
            (
                "an item of a flow sequence",
                format!("{head}data: {{x: [{value}]}}\n"),
                true,
            ),
            ("plain", format!("{head}data:\n  x: {value}\n"), false),
            ("a key", format!("{head}data:\n  {value}: x\n"), false),
            (
                "in a block scalar",
                format!("{head}data:\n  x: |\n    {value}\n"),
                false,
            ),
            (
                "in a comment",
                format!("{head}data: {{x: y}} # {value}\n"),
                false,
            ),
        ];
        for (place, text, folded) in placements {
            let what = format!("U+{:04X} {place}", u32::from(c));
            std::fs::write(&file, &text).expect("write");
            let ours = load(&text, &Limits::default());
            match (ours.error, kubectl_objects(&kubectl, &file)) {
                (None, Ok(theirs)) if folded => {
                    read += 1;
                    let ours = eyelint_objects(&text).unwrap_or_default();
                    bad.extend(objects_differ(&what, ours, &theirs));
                }
                (Some(_), Err(_)) if !folded => refused += 1,
                (Some(e), Ok(theirs)) if !folded && e.message.contains("YAML 1.1") => {
                    // kubectl reads another structure: not the data written.
                    let written = [
                        serde_json::json!({"x": value}),
                        serde_json::json!({(value.clone()): "x"}),
                    ];
                    if theirs.iter().any(|o| written.contains(&o["data"])) {
                        bad.push(format!(
                            "{what}: kubectl reads the data written, eyelint refuses it"
                        ));
                    }
                    restructured += 1;
                }
                (ours, theirs) => bad.push(format!("{what}: eyelint {ours:?}, kubectl {theirs:?}")),
            }
        }
    }
    eprintln!("{read} read alike, {refused} refused by both, {restructured} refused where kubectl reads another structure");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert_eq!(read, 12);
    assert_eq!(refused + restructured, 21);
}

/// Keys that are not strings to go-yaml: kubectl's YAML-to-JSON conversion
/// writes booleans and integers as text and floats as float32 text
/// (`123456.789e3` is `1.2345679e+08`), and refuses null keys and integers
/// beyond int64 ("unsupported map key").
#[test]
fn keys_read_as_kubectl_reads_them() {
    let Some(kubectl) = kubectl() else {
        eprintln!("SKIP: kubectl not on PATH");
        return;
    };
    let keys = [
        "yes",
        "On",
        "false",
        "1",
        "-1",
        "+1",
        "0x10",
        "010",
        "0o17",
        "0b11",
        "1_0",
        "1.5",
        "1.0",
        "1e3",
        "1e21",
        "1e-7",
        "3.0e-5",
        "0.1",
        "0.0001",
        "0.00001",
        "-0.0",
        "123456.0",
        "1234567.0",
        "123456.789e3",
        "16777217.0",
        "3.4028235e38",
        "3.4028236e38",
        "1.5e300",
        "2e308",
        ".inf",
        ".nan",
        "9223372036854775807",
        "-9223372036854775808",
        "9223372036854775808",
        "0xFFFFFFFFFFFFFFFF",
        "18446744073709551616",
        "-9223372036854775809",
        "123456789012345678901234567890",
        "2001-01-01",
        "1:30",
        "null",
        "~",
        "!!null ''",
        "!!float 5",
        "!!int 18446744073709551615",
        "'null'",
        "\"1.0\"",
        "&a 1.25",
    ];
    let cases = keys.map(|k| {
        (
            k,
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: a}}\nx-keys:\n  {k}: v\n"),
        )
    });
    let (read, refused) = read_alike(&kubectl, cases);
    assert!(read >= 40 && refused >= 6, "{read} read, {refused} refused");
}

/// Merge keys and tags, as go-yaml reads them: in the order of the text the
/// last to set a key wins (a `<<` after an explicit key replaces it; of a
/// merged sequence, the first mapping wins); `!!merge` and verbatim core
/// tags are the core tags; `!!binary` is decoded; a scalar with any other
/// tag is its text.
#[test]
fn merge_keys_and_tags_read_as_kubectl_reads_them() {
    let Some(kubectl) = kubectl() else {
        eprintln!("SKIP: kubectl not on PATH");
        return;
    };
    let cases = [
        ("two merges", "x-a:\n  <<: {a: 1}\n  <<: {a: 2, b: 2}\n"),
        ("a merge after a key", "x-a:\n  a: 0\n  <<: {a: 1, b: 2}\n"),
        ("a key after a merge", "x-a:\n  <<: {a: 1, b: 2}\n  a: 0\n"),
        ("a merged sequence", "x-a:\n  <<: [{a: 1}, {a: 2, b: 2}]\n"),
        (
            "keys around a merged sequence",
            "x-a:\n  c: 0\n  <<: [{a: 1, c: 5}, {a: 2, b: 2}]\n  b: 9\n",
        ),
        (
            "a merged alias",
            "x-b: &b {a: 1, c: {d: 1}}\nx-a:\n  c: 0\n  <<: *b\n",
        ),
        ("a merged scalar", "x-b: &s 1\nx-a:\n  <<: *s\n"),
        ("a quoted `<<`", "x-a:\n  \"<<\": {a: 1}\n"),
        ("`!!merge <<`", "x-a:\n  !!merge <<: {a: 1}\n"),
        (
            "`!!merge` on a quoted `<<`",
            "x-a:\n  !!merge \"<<\": {a: 1}\n",
        ),
        (
            "a verbatim merge tag",
            "x-a:\n  !<tag:yaml.org,2002:merge> <<: {a: 1}\n",
        ),
        ("`!!binary`", "x-a: !!binary aGVsbG8=\n"),
        ("`!!binary` over lines", "x-a: !!binary |\n  aGVs\n  bG8=\n"),
        ("`!!binary` not padded", "x-a: !!binary aGVsbG8\n"),
        ("`!!binary` not UTF-8", "x-a: !!binary /w==\n"),
        ("`!!binary` empty", "x-a: !!binary ''\n"),
        ("`!!binary` with a space", "x-a: !!binary aGVs bG8=\n"),
        ("a verbatim str tag", "x-a: !<tag:yaml.org,2002:str> 12\n"),
        ("a verbatim int tag", "x-a: !<tag:yaml.org,2002:int> '12'\n"),
        ("a verbatim local tag", "x-a: !<!foo> 12\n"),
        ("a local tag on a number", "x-a: !foo 12\n"),
        ("a local tag on a boolean", "x-a: !foo true\n"),
        ("a local tag on null", "x-a: !foo ~\n"),
        ("a local tag on a sequence", "x-a: !foo [1, 2]\n"),
        ("the non-specific tag", "x-a: ! 12\n"),
        ("an unknown core tag", "x-a: !!foo 12\n"),
        ("`!!int` on a float", "x-a: !!int 1.5\n"),
        ("`!!float` on an integer", "x-a: !!float 1\n"),
        ("`!!str` on a mapping", "x-a: !!str {a: 1}\n"),
    ];
    let head = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n";
    let (read, refused) = read_alike(
        &kubectl,
        cases.iter().map(|(w, body)| (*w, format!("{head}{body}"))),
    );
    assert!(read >= 24 && refused >= 4, "{read} read, {refused} refused");
}

/// Scalars YAML 1.2 reads and kubectl refuses: a `\/` escape in YAML (JSON
/// has it, YAML 1.1 not), and an infinity or NaN as a value, which JSON
/// cannot hold.
#[test]
fn json_escapes_and_infinities_read_as_kubectl_reads_them() {
    let Some(kubectl) = kubectl() else {
        eprintln!("SKIP: kubectl not on PATH");
        return;
    };
    let values = [
        ".inf",
        "-.inf",
        "+.INF",
        ".NaN",
        "[.inf]",
        "!!float .nan",
        "!!str .inf",
        "'.inf'",
        "{.inf: 1}",
        "\"\\/\"",
        "\"a\\\\/\"",
        "\"\\u002f\"",
        "\"\\x2f\"",
    ];
    let head = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n";
    let cases = values.map(|v| (v, format!("{head}x-a: {v}\n")));
    let (read, refused) = read_alike(&kubectl, cases);
    assert!(read >= 6 && refused >= 7, "{read} read, {refused} refused");
    // In JSON, `\/` is an escape to kubectl too.
    let json = [(
        "`\\/` in JSON",
        "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"a\"}, \"x-a\": \"http:\\/\\/x\"}\n".to_string(),
    )];
    assert_eq!(read_alike(&kubectl, json), (1, 0));
}

/// `---` lines and directives, which kubectl's document splitter handles
/// before its YAML parser sees the text.
#[test]
fn document_markers_are_read_as_kubectl_splits_them() {
    let Some(kubectl) = kubectl() else {
        eprintln!("SKIP: kubectl not on PATH");
        return;
    };
    let cm = |name: &str| format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\n");
    let cases = [
        ("a comment after `---`", format!("--- # c\n{}", cm("a"))),
        (
            "blanks after `---`",
            format!("{}---   \n{}", cm("a"), cm("b")),
        ),
        (
            "`...` then `---`",
            format!("{}...\n---\n{}", cm("a"), cm("b")),
        ),
        (
            "a flow mapping on the `---` line",
            "--- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n".to_string(),
        ),
        (
            "a block scalar on the `---` line",
            "--- |\n  text\n".to_string(),
        ),
        ("a tag on the `---` line", format!("--- !!map\n{}", cm("a"))),
        ("a %YAML directive", format!("%YAML 1.1\n---\n{}", cm("a"))),
        (
            "a directive before the second document",
            format!("{}---\n%YAML 1.2\n---\n{}", cm("a"), cm("b")),
        ),
        ("`----`", format!("{}----\n{}", cm("a"), cm("b"))),
        // A line that starts with `---` is a separator to kubectl whatever
        // follows: refused unless that is blank or a comment.
        (
            "a comment right after `---`",
            format!("{}---#c\n{}", cm("a"), cm("b")),
        ),
        ("`---#` alone", format!("{}---#\n{}", cm("a"), cm("b"))),
        ("`---#c` first", format!("---#c\n{}", cm("a"))),
        (
            "`---#c` right after `---`",
            format!("{}---\n---#c\n{}", cm("a"), cm("b")),
        ),
        (
            "`---#c` after a blank line after `---`",
            format!("{}---\n\n---#c\n{}", cm("a"), cm("b")),
        ),
        (
            "`---#` with CRLF",
            format!("{}---#c\r\n{}", cm("a"), cm("b"))
                .replace('\n', "\r\n")
                .replace("\r\r", "\r"),
        ),
        (
            "a non-breaking space then a comment",
            format!("{}---\u{a0}#c\n{}", cm("a"), cm("b")),
        ),
        (
            "a blank, a non-breaking space, then a comment",
            format!("{}--- \u{a0}#c\n{}", cm("a"), cm("b")),
        ),
        (
            "a blank then an em space",
            format!("{}--- \u{2003}\n{}", cm("a"), cm("b")),
        ),
        (
            "a control character in a dropped `---` line's comment",
            format!("{}--- # c\u{1}\n{}", cm("a"), cm("b")),
        ),
        (
            "DEL in a `---#` comment",
            format!("{}---#\u{7f}\n{}", cm("a"), cm("b")),
        ),
        (
            "a control character in a first `---` line's comment",
            format!("--- # c\u{1}\n{}", cm("a")),
        ),
        (
            "a control character in a `---` line after `---`",
            format!("{}---\n--- # c\u{1}\n{}", cm("a"), cm("b")),
        ),
        (
            "a flow mapping left open before `---` and a byte-order mark",
            format!("{}x-m: {{a: 1\n---\n\u{feff}{}", cm("a"), cm("b")),
        ),
        (
            "`---#c: 1`, a key to YAML",
            format!("{}---#c: 1\nx-b: 2\n{}", cm("a"), cm("b")),
        ),
        ("`----: 1`", format!("{}----: 1\n{}", cm("a"), cm("b"))),
        ("`---x`", format!("{}---x\n{}", cm("a"), cm("b"))),
        ("`---x` first", format!("---x\n{}", cm("a"))),
        (
            "`---x` inside a flow mapping",
            format!("{}x-m: {{a: 1,\n---x: 2}}\n", cm("a")),
        ),
        (
            "`---#c` inside a flow mapping",
            format!("{}x-m: {{a: 1,\n---#c\n b: 2}}\n", cm("a")),
        ),
        (
            "`---#c` in a root block scalar",
            "--- |\n text\n---#c\n".to_string(),
        ),
    ];
    let (read, refused) = read_alike(&kubectl, cases);
    assert!(
        read >= 13 && refused >= 17,
        "{read} read, {refused} refused"
    );
}

/// `text` with one line changed the way a hand edit goes wrong: indented or
/// dedented, a tab put in, a colon, quote or bracket dropped, a dash added or
/// removed, the line doubled or joined to the next, a comment opened inside
/// it or right after it. `None` when the chosen edit does not apply to the chosen line.
fn mutate(text: &str, rng: &mut Mix) -> Option<(String, String)> {
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let content: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            let t = lines[i].trim();
            !t.is_empty() && !t.starts_with('#')
        })
        .collect();
    let i = *content.get(rng.below(content.len()))?;
    let l = lines[i].clone();
    let ind = l.len() - l.trim_start_matches(' ').len();
    let rest = &l[ind..];
    let kinds = [
        "indent+1",
        "indent-1",
        "indent+2",
        "tab",
        "dropcolon",
        "dropquote",
        "dropbracket",
        "dupline",
        "trailing",
        "colonspace",
        "colontab",
        "dash",
        "undash",
        "joinnext",
        "hash",
        "hashnospace",
        "insert",
        "split",
    ];
    let kind = kinds[rng.below(kinds.len())];
    let pick = |rng: &mut Mix, set: &str| -> Option<usize> {
        let at: Vec<usize> = l
            .char_indices()
            .filter(|(_, c)| set.contains(*c))
            .map(|(j, _)| j)
            .collect();
        at.get(rng.below(at.len())).copied()
    };
    match kind {
        "indent+1" => lines[i] = format!(" {l}"),
        "indent+2" => lines[i] = format!("  {l}"),
        "indent-1" if ind > 0 => lines[i] = l[1..].to_string(),
        "tab" if ind > 0 => lines[i] = format!("{}\t{rest}", &l[..ind - 1]),
        "tab" => lines[i] = l.replacen(' ', "\t", 1),
        "dropcolon" | "dropquote" | "dropbracket" => {
            let set = match kind {
                "dropcolon" => ":",
                "dropquote" => "\"'",
                _ => "[]{}",
            };
            let j = pick(rng, set)?;
            lines[i] = format!("{}{}", &l[..j], &l[j + 1..]);
        }
        "dupline" => lines.insert(i, l.clone()),
        "hashnospace" => lines[i] = format!("{l}#x"),
        "trailing" => {
            let tails = ["  ", " #x", "\t", " :", ":"];
            lines[i] = format!("{l}{}", tails[rng.below(tails.len())]);
        }
        "colonspace" if l.contains(": ") => lines[i] = l.replacen(": ", ":", 1),
        "colontab" if l.contains(": ") => lines[i] = l.replacen(": ", ":\t", 1),
        "dash" => lines[i] = format!("{}- {rest}", &l[..ind]),
        "undash" if rest.starts_with("- ") => lines[i] = format!("{}  {}", &l[..ind], &rest[2..]),
        "joinnext" if i + 1 < lines.len() => {
            let next = lines.remove(i + 1);
            lines[i] = format!("{l} {}", next.trim());
        }
        "hash" => {
            let cut: Vec<usize> = (ind..=l.len()).filter(|j| l.is_char_boundary(*j)).collect();
            let j = cut[rng.below(cut.len())];
            lines[i] = format!("{} #{}", &l[..j], &l[j..]);
        }
        "insert" | "split" => {
            let cut: Vec<usize> = (ind..=l.len()).filter(|j| l.is_char_boundary(*j)).collect();
            let j = cut[rng.below(cut.len())];
            let (head, tail) = l.split_at(j);
            lines[i] = if kind == "insert" {
                // Indicators, blanks and characters YAML 1.1 and 1.2 read
                // differently.
                let odd = [
                    "&a ", "*a", "!", "!!str ", "|", ">", "@", "`", "%", "? ", "- ", ",", "{", "[",
                    "]", "}", "'", "\"", "\\", ": ", "\t", "\u{85}", "\u{2028}", "\u{a0}",
                    "\u{feff}", "~", "<<: ", "=", "\r", "\u{2029}", "\t\n",
                ];
                format!("{head}{}{tail}", odd[rng.below(odd.len())])
            } else {
                let more = " ".repeat(rng.below(ind + 4));
                format!("{head}\n{more}{}", tail.trim_start())
            };
        }
        _ => return None,
    }
    let out = lines.join("\n");
    (out != text).then(|| (out, format!("{kind} at line {}", i + 1)))
}

#[test]
fn mutated_manifests_are_refused_where_kubectl_refuses_them() {
    let Some((corpus, kubectl)) = shared_and_kubectl("corpus") else {
        return;
    };
    let sources: Vec<(PathBuf, String)> = common::manifests(&corpus)
        .into_iter()
        .filter_map(|f| {
            let text = std::fs::read_to_string(&f).ok()?;
            (!text.contains("{{") && eyelint_objects(&text).is_some_and(|o| !o.is_empty()))
                .then_some((f, text))
        })
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    // `EYELINT_MUTANTS` and `EYELINT_MUTANT_SEED` (hex) make a longer or
    // another run, for a local search; with `EYELINT_MUTANTS_KEEP` set, the
    // mutants stay on disk (their names are in the differences).
    let keep = std::env::var_os("EYELINT_MUTANTS_KEEP").is_some();
    let env = |name: &str, radix: u32, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| u64::from_str_radix(v.trim_start_matches("0x"), radix).ok())
            .unwrap_or(default)
    };
    let count = usize::try_from(env("EYELINT_MUTANTS", 10, 400)).unwrap_or(400);
    let mut rng = Mix(env("EYELINT_MUTANT_SEED", 16, 0x5eed_1e11));
    let mut mutants = Vec::new();
    while mutants.len() < count {
        let (file, text) = &sources[rng.below(sources.len())];
        let Some((mutant, what)) = mutate(text, &mut rng) else {
            continue;
        };
        let path = dir.path().join(format!("{:03}.yaml", mutants.len()));
        std::fs::write(&path, &mutant).expect("write a mutant");
        let rel = file
            .strip_prefix(&corpus)
            .unwrap_or(file)
            .display()
            .to_string();
        let name = format!("{:03}.yaml", mutants.len());
        mutants.push((path, mutant, format!("{rel}, {what} ({name})")));
    }
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = mutants.len().div_ceil(workers);
    let verdicts: Vec<Result<Vec<Value>, Refused>> = std::thread::scope(|s| {
        let handles: Vec<_> = mutants
            .chunks(chunk)
            .map(|part| {
                let kubectl = &kubectl;
                s.spawn(move || {
                    part.iter()
                        .map(|(path, _, _)| kubectl_objects(kubectl, path))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker"))
            .collect()
    });
    let (mut both_read, mut both_refuse, mut known, mut other) = (0, 0, 0, 0);
    let mut bad = Vec::new();
    for ((_, text, what), theirs) in mutants.iter().zip(verdicts) {
        // eyelint: its loader, then the linter's check of files that start
        // with `{` (a mutant of a JSON file is one).
        let ours = load(text, &Limits::default()).error.or_else(|| {
            let (at, message) = eyelint_policies::yaml::kubectl_json::refusal(text)?;
            Some(eyelint_policies::yaml::YamlError {
                message,
                pos: eyelint_policies::yaml::line_col(text, at),
                document: 0,
                limit: false,
            })
        });
        match (ours, theirs) {
            (None, Ok(theirs)) => {
                both_read += 1;
                bad.extend(objects_differ(
                    what,
                    eyelint_objects(text).unwrap_or_default(),
                    &theirs,
                ));
            }
            (Some(_), Err(Refused::Yaml(_))) => both_refuse += 1,
            (None, Err(Refused::Yaml(why))) => bad.push(format!(
                "{what}: kubectl's YAML parser refuses it ({why}); eyelint reads it"
            )),
            // Deliberate: eyelint refuses a duplicate key, which go-yaml
            // reads as the last value; go-yaml reads a document's first
            // node and ignores what follows it (a less indented key after
            // an indented first line, a document after a `...` line), which
            // eyelint refuses; and where go-yaml reads YAML 1.1's line
            // breaks as breaks, a byte-order mark into a key, or `,` and
            // `]` into a tag in a flow collection, kubectl reads another
            // structure than the text shows, which eyelint refuses; and a
            // `---` after a lone `\r`, where kubectl drops the documents
            // after it (the matrices above hold these to kubectl).
            (Some(e), Ok(_))
                if e.message.starts_with("duplicate key")
                    || e.message == "did not find expected <document start>"
                    || e.message.starts_with("this document follows a `...` line")
                    || e.message
                        .starts_with("kubectl's YAML parser reads YAML 1.1")
                    || e.message.starts_with("this key holds a byte-order mark")
                    || e.message.contains("reads `,`, `[` and `]` into a tag")
                    || e.message
                        .starts_with("this `---` starts a line after a lone `\\r`") =>
            {
                known += 1
            }
            (Some(e), Ok(_)) => bad.push(format!(
                "{what}: eyelint refuses it ({}, {}:{}); kubectl reads it",
                e.message, e.pos.line, e.pos.column
            )),
            // kubectl refuses it for another reason (a missing kind, a
            // type in metadata): not the parsers' concern.
            (_, Err(Refused::Type(_) | Refused::Other)) => other += 1,
        }
    }
    if keep {
        eprintln!("mutants kept in {}", dir.keep().display());
    }
    eprintln!(
        "{} mutants: {both_read} read alike, {both_refuse} refused by both parsers, \
         {known} refused by eyelint on purpose (kubectl reads them), {other} refused by \
         kubectl for something else",
        mutants.len()
    );
    assert!(
        bad.is_empty(),
        "{} differences:\n{}",
        bad.len(),
        bad.join("\n")
    );
    assert!(
        both_read > 50 && both_refuse > 100,
        "{both_read} read, {both_refuse} refused"
    );
}

/// YAML 1.1's line breaks (NEL, U+2028, U+2029) around and inside the plain
/// scalars of flow collections: go-yaml takes them for blanks between
/// tokens, and folds them inside a scalar as it folds a line break.
#[test]
fn yaml_1_1_line_breaks_in_flow_plain_scalars_read_as_kubectl_reads_them() {
    let Some(kubectl) = kubectl() else {
        eprintln!("SKIP: kubectl not on PATH");
        return;
    };
    let head = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n";
    let cases = each_yaml_1_1_break(|c| {
        [
            ("before an item", format!("[a,{c}b]")),
            ("after an item", format!("[a{c}, b]")),
            ("inside an item", format!("[a{c}b]")),
            ("inside, between blanks", format!("[a {c} b]")),
            ("two inside", format!("[a{c}{c}b]")),
            ("with a line break", format!("[a{c}\n  b]")),
            ("before a number", format!("[{c}1]")),
            ("before a key", format!("{{a: 1,{c}b: 2}}")),
            ("after a key", format!("{{a{c}: 2}}")),
            ("inside a key", format!("{{a{c}b: 2}}")),
            ("before a comment", format!("[a{c}#b]")),
        ]
        .map(|(what, flow)| (what, format!("{head}x-a: {flow}\n")))
    });
    let (read, refused) = read_alike(&kubectl, cases);
    assert!(read >= 24 && refused >= 6, "{read} read, {refused} refused");
}

/// Block scalar indicators inside flow collections, where go-yaml lets no
/// token start with them, and YAML 1.2's plain scalars may.
#[test]
fn block_scalar_indicators_in_flow_collections_are_refused_as_kubectl_refuses_them() {
    let Some(kubectl) = kubectl() else {
        eprintln!("SKIP: kubectl not on PATH");
        return;
    };
    let head = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n";
    let flows = [
        "{|}",
        "[>]",
        "[a, |]",
        "{a: >}",
        "[|a]",
        "{|: 1}",
        "[>-]",
        "[a|]",
        "{a: b|c}",
        "[a >]",
        "['|']",
        "[\"|\", b]",
    ];
    let cases = flows.map(|f| (f, format!("{head}x-a: {f}\n")));
    let (read, refused) = read_alike(&kubectl, cases);
    assert!(read >= 5 && refused >= 7, "{read} read, {refused} refused");
}

/// Flow collections whose later lines are indented less than YAML 1.2 asks
/// (at or left of the enclosing key): go-yaml does not look at indentation
/// inside a flow collection, so kubectl reads them; saphyr-parser refuses
/// them, and the loader lifts such lines (leading spaces mean nothing
/// there). A document marker or a tab at the start of such a line is still
/// refused where kubectl refuses it.
#[test]
fn flow_collections_continued_left_of_their_key_read_as_kubectl_reads_them() {
    let Some(kubectl) = kubectl() else {
        eprintln!("SKIP: kubectl not on PATH");
        return;
    };
    let nested = [
        ("item at column 1", "args: [a,\nb]"),
        ("item at column 2", "args: [a,\n b]"),
        ("item at the key's column", "args: [a,\n  b]"),
        ("item right of the key", "args: [a,\n   b]"),
        ("flow mapping key at column 1", "m: {a: 1,\nb: 2}"),
        ("quoted key at column 1", "m: {a: 1,\n\"b\": 2}"),
        ("nested sequences", "m: [[1,\n2],\n[3]]"),
        ("JSON-style, one item per line", "m: [\n\"a\",\n\"b\"\n]"),
        (
            "JSON-style mapping",
            "m: {\n\"a\": 1,\n  \"b\": [\n2, 3\n]\n}",
        ),
        ("plain scalar continued at column 1", "m: [a\nb]"),
        ("quoted scalar continued at column 1", "m: [\"a\nb\"]"),
        ("comment at column 1", "m: [a,\n# c\nb]"),
        ("anchor and alias at column 1", "m: [&x a,\n*x]"),
        ("tag at column 1", "m: [a,\n!!str 1]"),
        ("mappings in a sequence", "m: [{a: 1},\n{b: 2}]"),
        (
            "quoted items, as in a command",
            "command: [\"sh\", \"-c\",\n\"echo hi\"]",
        ),
        ("document start inside", "m: [a,\n---\nb]"),
        ("document end inside", "m: [a,\n...\nb]"),
        ("tab at the start of the line", "m: [a,\n\tb]"),
        ("key split over two lines", "m: {a\n: 1}"),
        ("missing comma", "m: [a\n, , b]"),
        ("anchored collection", "m: &x [a,\nb]"),
        ("tagged collection", "m: !!seq [a,\nb]"),
        (
            "anchored and tagged collection",
            "m: &x !!map {a: 1,\nb: 2}",
        ),
    ];
    let head = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n";
    let mut cases: Vec<(String, String)> = nested
        .iter()
        .flat_map(|(what, body)| {
            let block = format!("{head}x-b:\n  {body}\n");
            let item = format!("{head}x-b:\n- {body}\n");
            let top = format!("{head}x-{body}\n");
            [
                (format!("{what}, under a nested key"), block),
                (format!("{what}, in a sequence item"), item),
                (format!("{what}, under a top-level key"), top),
            ]
        })
        .collect();
    // Where go-yaml looks for a flow key's `:`: on the key's line, at most
    // 1,024 characters after the key's start.
    let long = |n: usize| "k".repeat(n);
    let keys = [
        ("`:` on the next line", "m: {a\n  : 1}".to_string()),
        ("`:` after a comment", "m: {a # c\n  : 1}".to_string()),
        ("key over two lines", "m: {a\n  b: 1}".to_string()),
        (
            "quoted key over two lines",
            "m: {\"a\n  b\": 1}".to_string(),
        ),
        (
            "`:` on the next line, in a sequence",
            "m: [a\n  : 1]".to_string(),
        ),
        (
            "explicit key, `:` on the next line",
            "m: {? a\n  : 1}".to_string(),
        ),
        ("value on the next line", "m: {a:\n  1}".to_string()),
        (
            "`:` 1,024 characters after",
            format!("m: {{{}: 1}}", long(1024)),
        ),
        (
            "`:` 1,025 characters after",
            format!("m: {{{}: 1}}", long(1025)),
        ),
        (
            "`:` 1,025 characters after, blanks between",
            format!("m: {{{}  : 1}}", long(1023)),
        ),
        (
            "quoted key of 1,023 characters",
            format!("m: {{\"{}\": 1}}", long(1023)),
        ),
        (
            "multi-byte key of 1,024 characters",
            format!("m: {{{}: 1}}", "é".repeat(1024)),
        ),
        (
            "multi-byte key of 1,025 characters",
            format!("m: {{{}: 1}}", "é".repeat(1025)),
        ),
        ("long block key", format!("m:\n  {}: 1", long(1030))),
    ];
    for (what, body) in keys {
        cases.push((what.to_string(), format!("{head}x-b:\n  {body}\n")));
    }
    cases.push((
        "a container's command".into(),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    command: [\"sh\", \"-c\",\n  \"echo hi\"]\n".into(),
    ));
    let (read, refused) = read_alike(&kubectl, cases);
    assert!(
        read >= 56 && refused >= 22,
        "{read} read, {refused} refused"
    );
}

/// YAML 1.1's line breaks (NEL, U+2028, U+2029) inside quoted values, where
/// go-yaml folds them with the blanks around them, and between the tokens
/// of a flow collection, where they are blanks: after a quoted value or a
/// closing bracket, before a quoted value, an alias or nothing, after a
/// `:`, an anchor or a tag.
#[test]
fn yaml_1_1_line_breaks_in_quoted_values_and_between_flow_tokens_read_as_kubectl_reads_them() {
    let Some(kubectl) = kubectl() else {
        eprintln!("SKIP: kubectl not on PATH");
        return;
    };
    let head = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n";
    let cases = each_yaml_1_1_break(|c| {
        [
            ("in double quotes", format!("\"a{c}b\"")),
            ("in double quotes, between blanks", format!("\"a {c}  b\"")),
            ("twice in double quotes", format!("\"a{c}{c}b\"")),
            ("before a line break", format!("\"a{c}\n    b\"")),
            ("before CRLF", format!("\"a{c}\r\n    b\"")),
            ("after U+2028", format!("\"a\u{2028}{c}b\"")),
            ("first in double quotes", format!("\"{c}a\"")),
            ("last in double quotes", format!("\"a {c} \"")),
            ("escaped", format!("\"a\\{c}b\"")),
            ("between tabs", format!("\"a\t{c}\tb\"")),
            ("among escapes", format!("\"a\\t{c}\\x41b\\N\\_\\L\"")),
            ("before a document marker", format!("\"a{c}--- b\"")),
            ("before a document end", format!("\"a{c}...  b\"")),
            ("before dashes in a word", format!("\"a{c}---b\"")),
            ("in single quotes", format!("'a {c} b'")),
            ("after a quote in single quotes", format!("'it''s{c}ok'")),
            ("in an anchored value", format!("&x \"a{c}b\"")),
            ("in a tagged value", format!("!!str 'a{c}b'")),
            ("in a flow sequence's quoted item", format!("[\"a{c}b\"]")),
            ("after a quoted item", format!("[\"a\"{c}]")),
            (
                "after a quoted item, before a comma",
                format!("[\"a\" {c} , b]"),
            ),
            ("after a single-quoted item", format!("['a'{c}]")),
            ("after a nested sequence", format!("[[a]{c}]")),
            ("after a nested mapping", format!("[{{a: 1}}{c}]")),
            ("after a quoted value", format!("{{a: \"b\"{c}}}")),
            (
                "between a quoted key and its colon",
                format!("{{\"a\"{c}: 1}}"),
            ),
            ("before a quoted item", format!("[{c}\"a\"]")),
            (
                "after a comma, before a quoted item",
                format!("[\"a\",{c}\"b\"]"),
            ),
            ("before a comment", format!("[\"a\"{c}#c\n  ]")),
            ("after a comma, at the end", format!("[a, {c}]")),
            ("alone after a comma", format!("[a,{c}]")),
            ("after an anchor", format!("[&x{c}a]")),
            ("after an anchor and a blank", format!("[&x {c}a]")),
            ("after a tag", format!("[!!str{c}a]")),
            ("before a quoted key", format!("{{{c}\"a\": 1}}")),
            ("after a colon", format!("{{a:{c}\"b\"}}")),
            ("after a colon, at the end", format!("{{a:{c}}}")),
            ("after a colon in a sequence", format!("[a:{c}b]")),
            ("after a colon and a blank", format!("{{a: {c}[b]}}")),
            ("before an alias", format!("[&x a,{c}*x]")),
            ("after a dash", format!("[-{c}a]")),
            ("before a nested sequence", format!("[[a],{c}[b]]")),
        ]
        .map(|(what, value)| (what, format!("{head}x-a: {value}\n")))
    });
    let (read, refused) = read_alike(&kubectl, cases);
    assert!(
        read >= 100 && refused >= 12,
        "{read} read, {refused} refused"
    );
}

/// YAML 1.1's line breaks (NEL, U+2028, U+2029) at the end of a line, with
/// only blanks or a comment after them: go-yaml ends the line there, and
/// what follows up to the real line break is an empty line. After a key's
/// `:`, a value, a `-`, an anchor, a tag, an alias, a quoted value, a flow
/// collection, a `---` or a comment it means nothing; in a plain value that
/// goes on in the next line it folds; in a quoted value it folds as
/// go-yaml folds it. eyelint refuses one after a block scalar's header or
/// in its lines (it would read an empty line more there).
#[test]
fn yaml_1_1_line_breaks_at_line_ends_read_as_kubectl_reads_them() {
    let Some(kubectl) = kubectl() else {
        eprintln!("SKIP: kubectl not on PATH");
        return;
    };
    let head = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n";
    let next = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n";
    let cases = each_yaml_1_1_break(|c| {
        [
            ("after a key's colon", format!("data:{c}\n  a: b\n")),
            (
                "after a colon, blanks around",
                format!("data: {c}  \n  a: b\n"),
            ),
            (
                "after a colon, before a comment",
                format!("data:{c} # c\n  a: b\n"),
            ),
            ("twice after a colon", format!("data:{c}{c}\n  a: b\n")),
            ("after a value", format!("data:\n  a: b{c}\n  c: d\n")),
            (
                "after a value, blanks around",
                format!("data:\n  a: b {c} \n  c: d\n"),
            ),
            (
                "after a value, before a comment",
                format!("data:\n  a: b{c} # c\n"),
            ),
            (
                "after a value, before a hash",
                format!("data:\n  a: b{c}#c\n"),
            ),
            ("alone as a value", format!("data:\n  a: {c}\n")),
            ("at the end of the text", format!("data:\n  a: b{c}")),
            (
                "in a plain value going on",
                format!("data:\n  a: b{c}\n    c\n"),
            ),
            (
                "twice in a plain value going on",
                format!("data:\n  a: b {c} \n    c{c}\n    d\n"),
            ),
            (
                "before an empty line in a plain value",
                format!("data:\n  a: b{c}\n\n    c\n"),
            ),
            ("after a dash", format!("x-l:\n-{c}\n  a\n")),
            ("after a dash and a blank", format!("x-l:\n- {c}\n- b\n")),
            ("alone after a dash", format!("x-l:\n-{c}\n- b\n")),
            ("after an item", format!("x-l:\n- a{c}\n- b\n")),
            ("in a comment", format!("data:\n  a: b # c{c}\n")),
            (
                "after a value and in its comment",
                format!("data:\n  a: b{c} # c{c} \n"),
            ),
            ("in two comments", format!("data:\n  a: b # c{c} # d{c}\n")),
            ("in a comment line", format!("# c{c}\ndata:\n  a: b\n")),
            (
                "between a key and its colon",
                format!("data:\n  a{c}\n  : b\n"),
            ),
            ("after a quoted value", format!("data:\n  a: \"b\"{c}\n")),
            (
                "in a double-quoted value",
                format!("data:\n  a: \"b{c}\n    c\"\n"),
            ),
            (
                "in a single-quoted value",
                format!("data:\n  a: 'b {c}  \n    c'\n"),
            ),
            ("after a flow mapping", format!("data: {{a: b}}{c}\n")),
            ("in a flow sequence's value", format!("x-a: [a{c}\n  b]\n")),
            (
                "after a flow sequence's quoted item",
                format!("x-a: [\"a\"{c}\n  , b]\n"),
            ),
            (
                "after a flow sequence's comma",
                format!("x-a: [a,{c}\n  \"b\"]\n"),
            ),
            ("after an anchor", format!("data: &x{c}\n  a: b\n")),
            ("after a tag", format!("data: !!map{c}\n  a: b\n")),
            ("after an alias", format!("x-a: &x a\nx-b: *x{c}\n")),
            ("alone on a line", format!("data:\n{c}\n  a: b\n")),
            (
                "alone on an indented line",
                format!("data:\n  {c}\n  a: b\n"),
            ),
            (
                "after a document start",
                format!("data:\n  a: b\n---{c}\n{}", &next[4..]),
            ),
            (
                "after a document start and a blank",
                format!("data:\n  a: b\n--- {c}\n{}", &next[4..]),
            ),
            (
                "after a document end",
                format!("data:\n  a: b\n...{c}\n{next}"),
            ),
            ("before a key", format!("data:\n{c}  a: b\n")),
            (
                "before a key, after blanks",
                format!("data:\n  {c}  a: b\n"),
            ),
            ("before a top-level key", format!("{c}data:\n  a: b\n")),
            ("before a sequence item", format!("x-l:\n{c}- a\n")),
            ("twice before a key", format!("data:\n{c} {c}  a: b\n")),
            (
                "before a plain value's next line",
                format!("data:\n  a: b\n{c}    c\n"),
            ),
            (
                "before a quoted value's next line",
                format!("data:\n  a: \"b\n{c}    c\"\n"),
            ),
            (
                "before a flow sequence's next line",
                format!("x-a: [a,\n{c}  b]\n"),
            ),
            ("before a comment line", format!("data:\n{c}# c\n  a: b\n")),
            (
                "before a key and at its line's end",
                format!("data:\n{c}  a: b{c}\n"),
            ),
            (
                "after a block scalar's header",
                format!("data:\n  a: |{c}\n    x\n"),
            ),
            (
                "before a block scalar's line",
                format!("data:\n  a: |\n{c}    x\n"),
            ),
            (
                "in a block scalar's line",
                format!("data:\n  a: |\n    x{c}\n    y\n"),
            ),
            (
                "in a folded scalar's last line",
                format!("data:\n  a: >\n    x{c}\n"),
            ),
        ]
        .map(|(what, body)| (what, format!("{head}{body}")))
    });
    // A block scalar's lines: eyelint refuses them, whatever kubectl reads.
    let (scalars, cases): (Vec<_>, Vec<_>) = cases
        .into_iter()
        .partition(|(what, _)| what.contains("scalar's"));
    for (what, text) in &scalars {
        let e = load(text, &Limits::default()).error;
        assert!(
            e.as_ref().is_some_and(|e| e.message.contains("YAML 1.1")),
            "{what}: {e:?}"
        );
    }
    let (read, refused) = read_alike(&kubectl, cases);
    assert!(
        read >= 130 && refused >= 3,
        "{read} read, {refused} refused"
    );
}

/// Files whose lines end with a lone `\r` (old Mac files): the YAML parser
/// reads `\r` as a line break, and kubectl's document splitter only cuts
/// the text at `---` lines after a `\n`. A `---` after a lone `\r` is no
/// separator to it, and its YAML parser reads only the first document of
/// what it is given: kubectl drops the documents after it, and eyelint
/// refuses the file at that `---`. A `---` line followed by a lone `\r` and
/// more text is one line to the splitter: refused unless that text starts
/// with `#`, then dropped with the separator.
#[test]
fn lone_carriage_returns_split_documents_as_kubectl_splits_them() {
    let Some(kubectl) = kubectl() else {
        eprintln!("SKIP: kubectl not on PATH");
        return;
    };
    let cm = |name: &str| format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\n");
    let cr = |t: String| t.replace('\n', "\r");
    let (a, b) = (cm("a"), cm("b"));
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("case.yaml");
    for (what, text, line) in [
        ("`---` after a lone CR", cr(format!("{a}---\n{b}")), 4),
        (
            "`---` after a lone CR, then LF lines",
            format!("{}---\n{b}", cr(a.clone())),
            4,
        ),
        // LF lines with a lone CR at the start of the `---` line (a mutant
        // of seed 0b5e55ed): the splitter's line is `\r---`, no separator.
        (
            "`---` after LF lines and a lone CR",
            format!("{a}\r---\n{b}"),
            5,
        ),
    ] {
        std::fs::write(&file, &text).expect("write");
        let names: Vec<String> = kubectl_objects(&kubectl, &file)
            .unwrap_or_else(|e| panic!("{what}: kubectl refuses it: {e:?}"))
            .iter()
            .map(|o| o["metadata"]["name"].as_str().unwrap_or("").to_string())
            .collect();
        assert_eq!(names, ["a"], "{what}: kubectl");
        let e = load(&text, &Limits::default()).error;
        let e = e.unwrap_or_else(|| panic!("{what}: eyelint reads it"));
        assert_eq!((e.pos.line, e.pos.column), (line, 1), "{what}: {e}");
        assert!(e.message.contains("lone `\\r`"), "{what}: {e}");
    }
    let (read, refused) = read_alike(
        &kubectl,
        [
            ("one document", cr(a.clone())),
            ("`---` first, then a lone CR", cr(format!("---\n{a}"))),
            ("`---#c` first, then a lone CR", cr(format!("---#c\n{a}"))),
            (
                "`---`, a lone CR and text after LF lines",
                format!("{a}---\r{}", cr(b.clone())),
            ),
            (
                "`---#c`, a lone CR and text after LF lines",
                format!("{a}---#c\rx: 1\n{b}"),
            ),
            (
                "`--- #c`, a lone CR and text after LF lines",
                format!("{a}--- #c\rx: 1\n{b}"),
            ),
            (
                "`---`, CRLF",
                format!("{a}---\r\n{b}").replace('\n', "\r\n"),
            ),
            ("`---#c`, CRLF", format!("{a}---#c\r\n{b}")),
            (
                "a lone CR in a value",
                format!("{a}data:\r  a: b\n  c: d\n"),
            ),
        ],
    );
    assert!(read >= 5 && refused >= 3, "{read} read, {refused} refused");
}

/// Tags as go-yaml scans them: up to a blank or a line break, which must
/// follow, with `,`, `[` and `]` (URI characters) inside; saphyr-parser
/// ends a tag at a flow indicator. eyelint refuses what kubectl refuses,
/// and a tag that swallows a `,` or `]` in a flow collection (kubectl reads
/// another structure there).
#[test]
fn tags_end_where_kubectl_ends_them() {
    let Some(kubectl) = kubectl() else {
        eprintln!("SKIP: kubectl not on PATH");
        return;
    };
    let head = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n";
    let values = [
        ("a tag alone in a flow mapping", "{!}"),
        ("a tag and `]`", "[!a]"),
        ("a tag and `,`", "[!!str,b]"),
        ("a tag before a space in a flow sequence", "[!!str a, b]"),
        ("a tag on a flow value", "{a: !!str b}"),
        ("a tag then `}`", "{a: !!str}"),
        ("a tag alone", "!!str"),
        ("a tag on a flow mapping", "!!map {a: 1}"),
        ("a tag on a quoted item", "[!!str \"a\"]"),
        ("a tag and a quote", "[!!str\"a\"]"),
        ("an anchor, a tag", "&x !!str a"),
        ("a tag, an anchor", "!!str &x a"),
        ("a verbatim tag", "[!<tag:yaml.org,2002:str> a]"),
        ("a tag and a comment", "!!str#c"),
        ("a tag and a flow mapping", "!{a: 1}"),
    ];
    let cases = values
        .iter()
        .map(|(what, v)| (*what, format!("{head}x-a: {v}\n")));
    let (read, refused) = read_alike(&kubectl, cases);
    assert!(read >= 8 && refused >= 7, "{read} read, {refused} refused");
    // A tag that takes in a `,`: kubectl reads `[b]`, saphyr-parser would
    // read an empty item more; eyelint refuses it.
    for flow in ["[!a, b]", "[!, a]"] {
        let e = load(&format!("{head}x-a: {flow}\n"), &Limits::default()).error;
        assert!(
            e.is_some_and(|e| e.message.contains("into a tag")),
            "{flow}"
        );
    }
}
