//! Custom checks' `mutations`: Polaris-style edits with paths relative to the
//! check's target and `*` wildcards, turned into an RFC 6902 JSON Patch with
//! absolute paths.
//!
//! Semantics (Polaris's): `add` and `replace` create missing parents and
//! overwrite existing values; `remove` of a missing path does nothing; `*`
//! expands to every element of a list or every key of a map that exists.

use serde_json::{json, Map, Value};

use crate::path::FieldPath;

/// The operation of one mutation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Set a value, creating missing parents.
    Add,
    /// Same as `Add` (Polaris treats them alike).
    Replace,
    /// Delete a value if it exists.
    Remove,
}

/// One compiled mutation.
#[derive(Clone, Debug, PartialEq)]
pub struct Mutation {
    /// What to do.
    pub op: Op,
    /// Path segments relative to the target (`*` is a wildcard).
    pub path: Vec<String>,
    /// The value for `add` / `replace`.
    pub value: Value,
}

impl Mutation {
    /// Parses one entry of `mutations`.
    pub fn parse(entry: &Value) -> Result<Mutation, String> {
        let map = entry
            .as_object()
            .ok_or_else(|| "a mutation must be a mapping with `op` and `path`".to_string())?;
        for k in map.keys() {
            if !matches!(k.as_str(), "op" | "path" | "value" | "comment") {
                return Err(format!(
                    "unknown key `{k}` (expected op, path, value, comment)"
                ));
            }
        }
        let op = match map.get("op").and_then(Value::as_str) {
            Some("add") => Op::Add,
            Some("replace") => Op::Replace,
            Some("remove") => Op::Remove,
            Some(other) => {
                return Err(format!(
                    "unknown op `{other}` (expected add, replace or remove)"
                ))
            }
            None => return Err("missing `op` (add, replace or remove)".to_string()),
        };
        let path = map.get("path").and_then(Value::as_str).ok_or_else(|| {
            "missing `path` (a JSON Pointer such as /securityContext/runAsNonRoot)".to_string()
        })?;
        let Some(rest) = path.strip_prefix('/') else {
            return Err(format!("path `{path}` must start with `/`"));
        };
        let path: Vec<String> = rest
            .split('/')
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        let value = map.get("value").cloned().unwrap_or(Value::Null);
        if op != Op::Remove && !map.contains_key("value") {
            return Err("`add` and `replace` need a `value`".to_string());
        }
        Ok(Mutation { op, path, value })
    }
}

/// JSON Patch operations applying `mutations` to `target` (found at `base`
/// inside the object).
pub fn to_patch(mutations: &[Mutation], target: &Value, base: &FieldPath) -> Vec<Value> {
    let mut ops = Vec::new();
    for m in mutations {
        let mut matches = Vec::new();
        expand(target, &m.path, base.clone(), &mut matches);
        for (path, cur, rest) in matches {
            match m.op {
                Op::Remove => {
                    if rest.is_empty() && !path.is_empty() {
                        ops.push(json!({"op": "remove", "path": path.to_pointer()}));
                    }
                }
                Op::Add | Op::Replace => {
                    if rest.is_empty() {
                        if path.is_empty() {
                            ops.push(json!({"op": "replace", "path": "", "value": m.value}));
                        } else {
                            ops.push(json!({"op": "replace", "path": path.to_pointer(), "value": m.value}));
                        }
                        continue;
                    }
                    // `cur` exists; create the first missing segment with the
                    // rest of the path nested inside it.
                    let first = &rest[0];
                    let nested = nest(&rest[1..], m.value.clone());
                    match cur {
                        Value::Object(_) => {
                            let p = path.key(first);
                            ops.push(json!({"op": "add", "path": p.to_pointer(), "value": nested}));
                        }
                        Value::Array(a) => {
                            let at = if first == "-" {
                                Some(a.len())
                            } else {
                                first.parse::<usize>().ok().filter(|i| *i == a.len())
                            };
                            if let Some(i) = at {
                                let p = path.index(i);
                                ops.push(
                                    json!({"op": "add", "path": p.to_pointer(), "value": nested}),
                                );
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    ops
}

fn nest(rest: &[String], value: Value) -> Value {
    rest.iter().rev().fold(value, |acc, k| {
        let mut m = Map::new();
        m.insert(k.clone(), acc);
        Value::Object(m)
    })
}

/// Walks `segs` from `cur`; every reachable end yields (path reached, the
/// deepest existing value, the segments left).
fn expand<'v>(
    cur: &'v Value,
    segs: &[String],
    path: FieldPath,
    out: &mut Vec<(FieldPath, &'v Value, Vec<String>)>,
) {
    let Some((first, rest)) = segs.split_first() else {
        out.push((path, cur, Vec::new()));
        return;
    };
    match cur {
        Value::Object(m) if first == "*" => {
            for (k, v) in m {
                expand(v, rest, path.key(k), out);
            }
        }
        Value::Array(a) if first == "*" => {
            for (i, v) in a.iter().enumerate() {
                expand(v, rest, path.index(i), out);
            }
        }
        _ if first == "*" => {}
        Value::Object(m) => match m.get(first) {
            Some(v) => expand(v, rest, path.key(first), out),
            None => out.push((path, cur, segs.to_vec())),
        },
        Value::Array(a) => match first
            .parse::<usize>()
            .ok()
            .and_then(|i| a.get(i).map(|v| (i, v)))
        {
            Some((i, v)) => expand(v, rest, path.index(i), out),
            None => out.push((path, cur, segs.to_vec())),
        },
        _ => out.push((path, cur, segs.to_vec())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(v: Value) -> Mutation {
        Mutation::parse(&v).unwrap()
    }

    #[test]
    fn creates_missing_parents_and_expands_wildcards() {
        let target = json!({"containers": [{"name": "a"}, {"name": "b", "securityContext": {"runAsNonRoot": false}}]});
        let base = FieldPath::keys("spec");
        let ops = to_patch(
            &[m(
                json!({"op": "add", "path": "/containers/*/securityContext/runAsNonRoot", "value": true}),
            )],
            &target,
            &base,
        );
        assert_eq!(
            ops,
            vec![
                json!({"op": "add", "path": "/spec/containers/0/securityContext", "value": {"runAsNonRoot": true}}),
                json!({"op": "replace", "path": "/spec/containers/1/securityContext/runAsNonRoot", "value": true}),
            ]
        );
        let ops = to_patch(
            &[m(
                json!({"op": "remove", "path": "/containers/*/securityContext"}),
            )],
            &target,
            &base,
        );
        assert_eq!(
            ops,
            vec![json!({"op": "remove", "path": "/spec/containers/1/securityContext"})]
        );
    }

    #[test]
    fn rejects_bad_entries() {
        assert!(Mutation::parse(&json!({"op": "move", "path": "/a"})).is_err());
        assert!(Mutation::parse(&json!({"op": "add", "path": "a", "value": 1})).is_err());
        assert!(Mutation::parse(&json!({"op": "add", "path": "/a"})).is_err());
        assert!(Mutation::parse(&json!({"op": "remove", "path": "/a", "extra": 1})).is_err());
    }
}
