//! Random changes to JSON documents, for property tests of readers that
//! take JSON from outside (included with `#[path]` by the webhook's and the
//! sweep's tests): a node anywhere becomes a value of another type, is
//! removed, gets a key the reader looks at, or is replaced by a copy of
//! another node.

use proptest::prelude::*;
use serde_json::{json, Value};

/// JSON Pointers of every node of `v`, the root first.
pub fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let key = k.replace('~', "~0").replace('/', "~1");
                pointers(child, format!("{at}/{key}"), out);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Values of every JSON type, including ones a check might trip on.
pub fn odd_value(n: u32) -> Value {
    match n % 24 {
        0 => Value::Null,
        1 => json!(true),
        2 => json!(false),
        3 => json!(0),
        4 => json!(-1),
        5 => json!(i64::MAX),
        6 => json!(u64::MAX),
        7 => json!(1.5),
        8 => json!(1e308),
        9 => json!(""),
        10 => json!("ALL"),
        11 => json!("SYS_ADMIN"),
        12 => json!("nginx:latest"),
        13 => json!("100m"),
        14 => json!("1Gi"),
        15 => json!("-5"),
        16 => json!("ünïcödé\u{0}\n\t"),
        17 => json!([]),
        18 => json!({}),
        19 => json!([null, 1, "x", {}]),
        20 => json!({"name": "c", "image": 7}),
        21 => json!("CREATE"),
        22 => json!("UPDATE"),
        _ => json!("x".repeat(5000)),
    }
}

#[derive(Clone, Debug)]
pub enum Change {
    /// The node at (pointer index) becomes an odd value.
    Replace(usize, u32),
    /// The node is removed from its mapping or sequence.
    Remove(usize),
    /// One of the given keys is added to the node (when a mapping).
    Insert(usize, usize, u32),
    /// The node is replaced by a copy of another one.
    Copy(usize, usize),
}

pub fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (any::<usize>(), any::<u32>()).prop_map(|(a, n)| Change::Replace(a, n)),
        any::<usize>().prop_map(Change::Remove),
        (any::<usize>(), any::<usize>(), any::<u32>())
            .prop_map(|(a, k, n)| Change::Insert(a, k, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Change::Copy(a, b)),
    ]
}

pub fn apply(v: &mut Value, c: &Change, keys: &[&str]) {
    let mut all = Vec::new();
    pointers(v, String::new(), &mut all);
    let at = |i: usize| all[i % all.len()].clone();
    match c {
        Change::Replace(a, n) => {
            if let Some(node) = v.pointer_mut(&at(*a)) {
                *node = odd_value(*n);
            }
        }
        Change::Remove(a) => {
            let p = at(*a);
            let Some((parent, last)) = p.rsplit_once('/') else {
                return;
            };
            let last = last.replace("~1", "/").replace("~0", "~");
            match v.pointer_mut(parent) {
                Some(Value::Object(m)) => {
                    m.remove(&last);
                }
                Some(Value::Array(items)) => {
                    if let Ok(i) = last.parse::<usize>() {
                        if i < items.len() {
                            items.remove(i);
                        }
                    }
                }
                _ => {}
            }
        }
        Change::Insert(a, k, n) => {
            if let Some(Value::Object(m)) = v.pointer_mut(&at(*a)) {
                m.insert(keys[k % keys.len()].to_string(), odd_value(*n));
            }
        }
        Change::Copy(a, b) => {
            let copy = v.pointer(&at(*b)).cloned();
            if let (Some(copy), Some(node)) = (copy, v.pointer_mut(&at(*a))) {
                *node = copy;
            }
        }
    }
}

/// Proptest settings for these tests: `PROPTEST_CASES` cases, else
/// `default`; no regression files.
pub fn config(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}
