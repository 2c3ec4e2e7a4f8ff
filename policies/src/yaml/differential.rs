//! Checks that the fast path (`fast.rs`) and saphyr-parser load every text
//! alike: the tests, the property tests and the fuzz target call
//! [`differential`]. The fast-path half is `Loader::run`, exactly what
//! [`load_with`](super::load_with) runs.

use std::collections::HashMap;
use std::fmt::Write;

use serde_json::Value;

use super::spans::{self, Location};
use super::{load_reference, Document, Limits, Loader, YamlError};

/// What the fast path made of one text.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FastShare {
    /// Documents the fast path handed over itself.
    pub fast: usize,
    /// Documents the whole load hands over (saphyr-parser's count).
    pub total: usize,
    /// The line the fast path gave up on (leaving the rest to
    /// saphyr-parser), if it did.
    pub bailed: Option<usize>,
}

/// Loads `text` as [`load_with`] does and reports what the fast path did.
#[doc(hidden)]
pub fn fast_share(text: &str, limits: &Limits) -> FastShare {
    let (_, fast, bail) = Loader::new(text, *limits).run_reporting(&mut |_| {});
    let mut total = 0;
    load_reference(text, limits, |_| total += 1);
    FastShare {
        fast,
        total,
        bailed: bail.map(|b| b.line),
    }
}

/// Loads `text` with the fast path on ([`load_with`]) and with saphyr-parser
/// only ([`load_reference`]); `Err` describes the first difference: in the
/// documents (value, key order, every located value, source, start, index)
/// or in the error.
#[doc(hidden)]
pub fn differential(text: &str, limits: &Limits) -> Result<(), String> {
    differential_share(text, limits).map(|_| ())
}

/// [`differential`], telling on success what the fast path did.
#[doc(hidden)]
pub fn differential_share(text: &str, limits: &Limits) -> Result<FastShare, String> {
    let mut got = Vec::new();
    let (got_error, fast, bail) = Loader::new(text, *limits).run_reporting(&mut |d| got.push(d));
    let mut want = Vec::new();
    let want_error = load_reference(text, limits, |d| want.push(d));
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        compare_documents(g, w).map_err(|e| format!("document #{i} (handed over): {e}"))?;
    }
    if got.len() != want.len() {
        return Err(format!(
            "{} documents with the fast path, {} without (indexes {:?} vs {:?})",
            got.len(),
            want.len(),
            got.iter().map(|d| d.index).collect::<Vec<_>>(),
            want.iter().map(|d| d.index).collect::<Vec<_>>()
        ));
    }
    if got_error != want_error && !limit_first(&got_error, &want_error) {
        return Err(format!(
            "errors differ: fast path {}, saphyr {}",
            describe_error(&got_error),
            describe_error(&want_error)
        ));
    }
    Ok(FastShare {
        fast,
        total: want.len(),
        bailed: bail.map(|b| b.line),
    })
}

/// Loads `text` whole and, when [`super::parts`] cuts it (as finely as it
/// can), part by part with [`super::load_part`] up to the first part that
/// refuses, and from that one on with [`super::load_rest`] (unless the
/// fast path gave up before it: then the whole text is loaded again), as
/// the linter does: the documents must be the whole text's (a part counts its
/// documents' indexes from its first) and so must the error, in its
/// message and place. `Ok(true)` when the text was cut and every part
/// loaded.
#[doc(hidden)]
pub fn parts_differential(text: &str, limits: &Limits) -> Result<bool, String> {
    let Some(parts) = super::parts(text, 1) else {
        return Ok(false);
    };
    let mut whole = Vec::new();
    let error = super::load_with(text, limits, |d| whole.push(d));
    let mut got = Vec::new();
    let mut bailed = false;
    let mut got_error = None;
    let mut refused = false;
    for p in &parts {
        let mut docs = Vec::new();
        match super::load_part(text, p, limits, |d| docs.push(d)) {
            Ok(loaded) => {
                got.append(&mut docs);
                bailed |= loaded.bailed;
            }
            Err(_) if bailed => {
                // The caller loads the whole text again (see `load_rest`).
                return Ok(false);
            }
            Err(_) => {
                refused = true;
                got_error = super::load_rest(text, p, limits, |d| got.push(d));
                break;
            }
        }
    }
    if got.len() != whole.len() {
        return Err(format!(
            "{} documents in parts, {} whole",
            got.len(),
            whole.len()
        ));
    }
    for (i, (g, w)) in got.iter_mut().zip(&whole).enumerate() {
        g.index = w.index;
        compare_documents(g, w).map_err(|e| format!("document #{i}: {e}"))?;
    }
    let place = |e: &Option<YamlError>| e.as_ref().map(|e| (e.message.clone(), e.pos));
    if place(&got_error) != place(&error) {
        return Err(format!(
            "errors differ: in parts {}, whole {}",
            describe_error(&got_error),
            describe_error(&error)
        ));
    }
    Ok(!refused)
}

/// The one way the two may end differently. The fast path ends a document
/// at the value limit as soon as it counts past it (see `fast::Bail`);
/// saphyr-parser's scanner reads a whole flow collection before it hands
/// over its values, and may first stop at a syntax error further on in the
/// same document. Both errors are true; the fast path's comes first.
fn limit_first(got: &Option<YamlError>, want: &Option<YamlError>) -> bool {
    let too_large = |e: &YamlError| e.message.starts_with("document too large");
    matches!((got, want), (Some(g), Some(w))
        if too_large(g) && !too_large(w) && g.document == w.document && g.pos.offset <= w.pos.offset)
}

fn describe_error(e: &Option<YamlError>) -> String {
    match e {
        None => "none".to_string(),
        Some(e) => format!("{:?} at {:?} in document {}", e.message, e.pos, e.document),
    }
}

pub(super) fn compare_documents(got: &Document, want: &Document) -> Result<(), String> {
    if got.index != want.index {
        return Err(format!("index {} vs {}", got.index, want.index));
    }
    if got.start != want.start {
        return Err(format!("start {:?} vs {:?}", got.start, want.start));
    }
    if got.source != want.source {
        return Err(format!("source {:?} vs {:?}", got.source, want.source));
    }
    // Compared as text too, so that key order counts.
    let (g, w) = (got.value.to_string(), want.value.to_string());
    if got.value != want.value || g != w {
        return Err(format!(
            "values differ:\n  fast:   {}\n  saphyr: {}",
            clip(&g),
            clip(&w)
        ));
    }
    let (g, w) = (got.spans.sorted_entries(), want.spans.sorted_entries());
    if g != w {
        let names = path_names(&want.value);
        let mut out = format!("spans differ ({} vs {} entries)", g.len(), w.len());
        let mut shown = 0;
        for e in g.iter().filter(|e| !w.contains(e)) {
            let _ = write!(out, "\n  only fast:   {}", entry(&names, e));
            shown += 1;
            if shown > 4 {
                break;
            }
        }
        shown = 0;
        for e in w.iter().filter(|e| !g.contains(e)) {
            let _ = write!(out, "\n  only saphyr: {}", entry(&names, e));
            shown += 1;
            if shown > 4 {
                break;
            }
        }
        return Err(out);
    }
    Ok(())
}

fn clip(s: &str) -> String {
    if s.len() <= 600 {
        return s.to_string();
    }
    let mut end = 600;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

fn entry(names: &HashMap<u64, String>, e: &(u64, Location)) -> String {
    let name = names.get(&e.0).map_or("?", String::as_str);
    let p = |p: super::Pos| format!("{}:{}@{}", p.line, p.column, p.offset);
    format!(
        "{name}: key {}, value {}",
        e.1.key.map_or("-".to_string(), p),
        p(e.1.value)
    )
}

/// The path of every value of `v`, by hash (for describing differences).
fn path_names(v: &Value) -> HashMap<u64, String> {
    let mut names = HashMap::new();
    let mut stack = vec![(v, spans::root_hash(), String::from("$"))];
    while let Some((v, h, name)) = stack.pop() {
        match v {
            Value::Object(m) => {
                for (k, c) in m {
                    stack.push((c, spans::key_hash(h, k), format!("{name}.{k}")));
                }
            }
            Value::Array(a) => {
                for (i, c) in a.iter().enumerate() {
                    stack.push((c, spans::index_hash(h, i), format!("{name}[{i}]")));
                }
            }
            _ => {}
        }
        names.insert(h, name);
    }
    names
}
