//! Every finding on the real manifests of `../shared/corpus` and the peers'
//! fixtures points where the README says: at the offending key when the
//! field exists, else at the nearest enclosing value that does (a
//! container's `- ` entry, the pod spec's `spec:` key), and never elsewhere.
//!
//! Rules name a missing field by the value that should hold it, so every
//! finding's path must exist in the object. The check is made against the
//! text itself, not against the loader's own records: the position must hold
//! the path's last key (plain or quoted) or the `-` of its sequence entry.
//!
//! Skips, saying so, when ../shared is absent.

mod common;

use eyelint_policies::path::{FieldPath, Seg};
use eyelint_policies::yaml::{self, line_col, Limits};
use eyelint_policies::{Engine, Pass};
use serde_json::Value;

/// The objects of a document with their paths: the root, or a List's items.
fn objects(v: &Value) -> Vec<(FieldPath, &Value)> {
    if v.get("kind").and_then(Value::as_str) == Some("List") {
        if let Some(items) = v.get("items").and_then(Value::as_array) {
            return items
                .iter()
                .enumerate()
                .map(|(i, o)| (FieldPath::root().key("items").index(i), o))
                .collect();
        }
    }
    vec![(FieldPath::root(), v)]
}

#[test]
fn findings_point_at_the_key_or_the_nearest_enclosing_value() {
    let Some(shared) = common::shared() else {
        eprintln!("SKIP: ../shared not found");
        return;
    };
    let files = common::corpus_and_fixtures(&shared);
    let engine = Engine::with_defaults().expect("default engine");
    let (mut checked, mut entries, mut bad) = (0usize, 0usize, Vec::new());
    for file in &files {
        let Ok(bytes) = std::fs::read(file) else {
            continue;
        };
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        let loaded = yaml::load(text, &Limits::default());
        for doc in &loaded.documents {
            for (prefix, object) in objects(&doc.value) {
                if !eyelint_policies::object::is_kubernetes_object(object) {
                    continue;
                }
                for f in engine.check(object, None, Pass::Local).findings {
                    let full = prefix.join(&f.path);
                    let (found, loc) = doc.spans.locate(&full);
                    let expected = full.nearest_existing(&doc.value);
                    let pos = loc.primary();
                    let rest = &text[pos.offset..];
                    let here = format!(
                        "{}:{}:{} {} at `{}`",
                        file.display(),
                        pos.line,
                        pos.column,
                        f.id,
                        full
                    );
                    checked += 1;
                    if found != expected || found != full {
                        bad.push(format!(
                            "{here}: located `{found}`; the object has `{expected}`"
                        ));
                        continue;
                    }
                    if matches!(found.segments().last(), Some(Seg::Index(_))) {
                        entries += 1;
                    }
                    let lc = line_col(text, pos.offset);
                    if (lc.line, lc.column) != (pos.line, pos.column) {
                        bad.push(format!("{here}: line and column disagree with the offset"));
                    }
                    let ok = match found.segments().last() {
                        None => pos == doc.start,
                        Some(Seg::Key(k)) => {
                            let quoted = serde_json::to_string(k.as_ref()).unwrap_or_default();
                            rest.starts_with(k.as_ref())
                                || rest.starts_with(&quoted)
                                || rest.starts_with(&format!("'{k}'"))
                        }
                        Some(Seg::Index(_)) => match loc.key {
                            Some(_) => rest.starts_with('-'),
                            None => !rest.starts_with([' ', ',', '\n', '\r']),
                        },
                    };
                    if !ok {
                        let line = rest.lines().next().unwrap_or("");
                        bad.push(format!("{here}: the text there is `{line}`"));
                    }
                }
            }
        }
    }
    eprintln!("{checked} findings checked, {entries} of them at a sequence entry");
    assert!(checked > 15_000, "only {checked} findings");
    assert!(entries > 1_000, "only {entries} at a sequence entry");
    assert!(
        bad.is_empty(),
        "{} findings point at the wrong place:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
