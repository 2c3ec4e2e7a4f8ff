//! Every node eyelint's loader places is where PyYAML places it.
//!
//! Findings point at the line and column the loader records for a field
//! (`Spans`); `tests/finding_positions.rs` checks the text found there for
//! the findings that are made. This test holds every recorded position of
//! every node of `../shared/corpus` and `../shared/corpus_fixtures` to an
//! independent parser: PyYAML 6.0.4 (`tests/spans_oracle.py`, run with the
//! virtualenv of `tests/python-oracle.sh`), which composes each document
//! and reports the 1-based line and column, in code points, of each key and
//! each value. They must agree on which documents and paths exist, on every
//! key's position and on every value's.
//!
//! Left out, and counted: files either parser refuses (YAML 1.1 and 1.2
//! differ), and files holding a line break of YAML 1.1 only (U+0085,
//! U+2028, U+2029), where the two count lines differently by definition.
//! Values that come from an alias or a merge key have no place of their
//! own in either.
//!
//! Skips (with a message) when python3 cannot create virtualenvs, PyPI is
//! unreachable or ../shared is absent.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use eyelint_policies::path::{FieldPath, Seg};
use eyelint_policies::yaml::{self, Document, Limits, Location};
use serde_json::Value;

/// A path as PyYAML's side writes it: keys as strings, indices as numbers.
fn field_path(steps: &[Value]) -> Option<FieldPath> {
    let mut p = FieldPath::root();
    for s in steps {
        match s {
            Value::String(k) => p.push_key(k),
            Value::Number(n) => p.push_index(usize::try_from(n.as_u64()?).ok()?),
            _ => return None,
        }
    }
    Some(p)
}

/// Every path of `v`, the root included, in document order.
fn paths(v: &Value, at: &FieldPath, out: &mut Vec<FieldPath>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => {
            for (k, inner) in m {
                paths(inner, &at.key(k), out);
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                paths(inner, &at.index(i), out);
            }
        }
        _ => {}
    }
}

/// The location eyelint records for exactly `p`, if it records one.
fn exact(doc: &Document, p: &FieldPath) -> Option<Location> {
    let (found, loc) = doc.spans.locate(p);
    (found == *p).then_some(loc)
}

#[derive(Default)]
struct Tally {
    files: usize,
    compared_files: usize,
    documents: usize,
    nodes: usize,
    keys: usize,
    unplaced: usize,
    refused_by_pyyaml: BTreeMap<String, String>,
    refused_by_eyelint: BTreeMap<String, String>,
    bad: Vec<String>,
}

/// Compares one document of one file: PyYAML's `theirs` with eyelint's `doc`.
fn compare(file: &str, doc: &Document, theirs: &Value, t: &mut Tally) {
    let index = doc.index;
    let mut placed = BTreeSet::new();
    for node in theirs["nodes"].as_array().into_iter().flatten() {
        let Some(steps) = node.get(0).and_then(Value::as_array) else {
            continue;
        };
        let Some(p) = field_path(steps) else {
            t.bad.push(format!(
                "{file}: document {index}: a path PyYAML wrote oddly: {node}"
            ));
            continue;
        };
        let num = |i: usize| node.get(i).and_then(Value::as_u64).map(|n| n as usize);
        let their_key = num(1).zip(num(2));
        let their_value = num(3).zip(num(4));
        t.nodes += 1;
        let Some(loc) = exact(doc, &p) else {
            t.bad.push(format!(
                "{file}: document {index}: `{p}` has no place of its own in eyelint; PyYAML puts it at {their_value:?}"
            ));
            continue;
        };
        let our_key = loc.key.map(|k| (k.line, k.column));
        // eyelint's key of a block sequence item is its `-`, which PyYAML
        // does not record: only mapping keys are compared.
        let is_item = matches!(p.segments().last(), Some(Seg::Index(_)));
        if !is_item {
            if their_key.is_some() {
                t.keys += 1;
            }
            if our_key != their_key {
                t.bad.push(format!(
                    "{file}: document {index}: the key of `{p}` is at {our_key:?} in eyelint, {their_key:?} in PyYAML"
                ));
            }
        }
        let our_value = Some((loc.value.line, loc.value.column));
        if our_value != their_value {
            t.bad.push(format!(
                "{file}: document {index}: the value of `{p}` is at {our_value:?} in eyelint, {their_value:?} in PyYAML"
            ));
        }
        placed.insert(p);
    }
    let unplaced: Vec<FieldPath> = theirs["unplaced"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| field_path(s.as_array()?))
        .collect();
    t.unplaced += unplaced.len();
    // The other way round: every path eyelint has is one PyYAML places, or
    // comes from an alias or a merge.
    let mut ours = Vec::new();
    paths(&doc.value, &FieldPath::root(), &mut ours);
    for p in ours {
        if placed.contains(&p) {
            continue;
        }
        // Below an alias of a collection, or a key a merge may have
        // brought into the mapping that holds the `<<`.
        let copied = unplaced.iter().any(|u| {
            let up = u.segments();
            let base = match up.split_last() {
                Some((Seg::Key(k), base)) if k.as_ref() == "<<" => base,
                _ => up,
            };
            let segs = p.segments();
            segs.len() > base.len() && segs[..base.len()] == *base
        });
        if copied {
            if exact(doc, &p).is_some() {
                t.bad.push(format!(
                    "{file}: document {index}: eyelint places `{p}`, which is a copy (alias or merge)"
                ));
            }
            continue;
        }
        t.bad.push(format!(
            "{file}: document {index}: eyelint has `{p}`, which PyYAML does not place"
        ));
    }
}

/// Every fourth manifest written again three ways, into `dir`: with a BOM
/// and CRLF line ends; as JSON on one line, one document per line with its
/// keys prefixed by `é` (columns in code points far along a line); and as
/// indented JSON.
fn variants(files: &[PathBuf], dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for (n, file) in files.iter().enumerate().filter(|(n, _)| n % 4 == 0) {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let loaded = yaml::load(&text, &Limits::default());
        if loaded.error.is_some() || text.contains('\r') {
            continue;
        }
        let crlf = format!("\u{feff}{}", text.replace('\n', "\r\n"));
        let (mut compact, mut pretty) = (String::new(), String::new());
        for doc in &loaded.documents {
            compact += &serde_json::to_string(&accented(&doc.value)).unwrap_or_default();
            compact += "\n---\n";
            pretty += &serde_json::to_string_pretty(&doc.value).unwrap_or_default();
            pretty += "\n---\n";
        }
        for (what, body) in [
            ("crlf.yaml", crlf),
            ("compact.json", compact),
            ("pretty.json", pretty),
        ] {
            let p = dir.join(format!("{n:04}-{what}"));
            std::fs::write(&p, body).expect("write a variant");
            out.push(p);
        }
    }
    out
}

/// `v` with every mapping key prefixed by `é`.
fn accented(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, inner)| (format!("é{k}"), accented(inner)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(accented).collect()),
        other => other.clone(),
    }
}

#[test]
fn every_node_is_where_pyyaml_places_it() {
    let Some(shared) = common::shared() else {
        eprintln!("SKIP: ../shared not found");
        return;
    };
    if !common::python_venv_or_skip() {
        return;
    }
    let mut files = common::corpus_and_fixtures(&shared);
    let work = tempfile::tempdir().expect("temp dir");
    let variants = variants(&files, work.path());
    files.extend(common::manifests(
        &common::root().join("tests/fixtures/spans"),
    ));
    files.extend(variants);
    let out = work.path().join("spans.json");
    let mut cmd = common::python_oracle("spans_oracle.py");
    cmd.arg(&out).args(&files);
    let Some(pyyaml) = common::run_json_script(cmd, "PyYAML", &out) else {
        return;
    };
    let mut t = Tally::default();
    for file in &files {
        t.files += 1;
        let name = file.to_string_lossy().into_owned();
        let theirs = &pyyaml[&name];
        if let Some(e) = theirs.get("error").and_then(Value::as_str) {
            t.refused_by_pyyaml.insert(name, e.to_string());
            continue;
        }
        let bytes = std::fs::read(file).expect("read a manifest");
        let loaded = yaml::load_bytes(&bytes, &Limits::default());
        if let Some(e) = loaded.error {
            t.refused_by_eyelint.insert(name, e.message);
            continue;
        }
        t.compared_files += 1;
        let their_docs: BTreeMap<u64, &Value> = theirs["documents"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| Some((d["index"].as_u64()?, d)))
            .collect();
        let ours: BTreeMap<u64, &Document> = loaded
            .documents
            .iter()
            .filter(|d| d.value.is_object() || d.value.is_array())
            .map(|d| (d.index as u64, d))
            .collect();
        let (a, b): (BTreeSet<_>, BTreeSet<_>) =
            (their_docs.keys().collect(), ours.keys().collect());
        if a != b {
            t.bad.push(format!(
                "{name}: documents holding a mapping or a sequence: {b:?} in eyelint, {a:?} in PyYAML"
            ));
            continue;
        }
        for (i, doc) in ours {
            t.documents += 1;
            compare(&name, doc, their_docs[&i], &mut t);
        }
    }
    eprintln!(
        "{} files: {} compared ({} documents, {} nodes, {} keys, {} unplaced); \
         {} refused by PyYAML, {} by eyelint",
        t.files,
        t.compared_files,
        t.documents,
        t.nodes,
        t.keys,
        t.unplaced,
        t.refused_by_pyyaml.len(),
        t.refused_by_eyelint.len()
    );
    for (f, e) in &t.refused_by_pyyaml {
        eprintln!("  PyYAML refuses {f}: {e}");
    }
    for (f, e) in &t.refused_by_eyelint {
        eprintln!("  eyelint refuses {f}: {e}");
    }
    // The fixtures written for this test are all compared.
    let ours = common::root().join("tests/fixtures/spans");
    let dropped: Vec<&String> = t
        .refused_by_pyyaml
        .keys()
        .chain(t.refused_by_eyelint.keys())
        .filter(|f| Path::new(f).starts_with(&ours))
        .collect();
    assert!(dropped.is_empty(), "fixtures not compared: {dropped:?}");
    assert!(
        t.bad.is_empty(),
        "{} disagreements with PyYAML:\n{}",
        t.bad.len(),
        t.bad
            .iter()
            .take(80)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(t.nodes > 150_000, "only {} nodes compared", t.nodes);
}
