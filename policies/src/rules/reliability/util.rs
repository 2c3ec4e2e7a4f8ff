//! Helpers for building fixes cheaply: JSON Patch operations constructed as
//! typed values (no JSON round trip) with pointers written straight from a
//! field path.

use std::fmt::Write as _;

use json_patch::jsonptr::{PointerBuf, Token};
use json_patch::{AddOperation, Patch, PatchOperation};
use serde_json::Value;

use crate::finding::{Fix, FixSafety};
use crate::path::{FieldPath, Seg};
use crate::rule::Hit;

fn push_token(s: &mut String, t: &str) {
    s.push('/');
    for ch in t.chars() {
        match ch {
            '~' => s.push_str("~0"),
            '/' => s.push_str("~1"),
            c => s.push(c),
        }
    }
}

/// The JSON Pointer of `base` extended by `keys`.
pub(crate) fn pointer(base: &FieldPath, keys: &[&str]) -> PointerBuf {
    let mut s = String::with_capacity(64);
    for seg in base.segments() {
        match seg {
            Seg::Key(k) => push_token(&mut s, k),
            Seg::Index(i) => {
                let _ = write!(s, "/{i}");
            }
        }
    }
    for k in keys {
        push_token(&mut s, k);
    }
    // Well-formed by construction; the token-by-token fallback only avoids a
    // panic path.
    PointerBuf::parse(s).unwrap_or_else(|_| {
        PointerBuf::from_tokens(
            base.segments()
                .iter()
                .map(|s| match s {
                    Seg::Key(k) => Token::new(k.as_str()),
                    Seg::Index(i) => Token::from(*i),
                })
                .chain(keys.iter().map(|k| Token::new(*k))),
        )
    })
}

/// A JSON Patch `add` of `value` at `base` + `keys` (replaces an existing member).
pub(crate) fn add(base: &FieldPath, keys: &[&str], value: Value) -> PatchOperation {
    PatchOperation::Add(AddOperation {
        path: pointer(base, keys),
        value,
    })
}

/// `base` extended by `keys`, with a single clone of the segment list.
pub(crate) fn sub(base: &FieldPath, keys: &[&str]) -> FieldPath {
    let mut p = base.clone();
    for k in keys {
        p.push_key(k);
    }
    p
}

/// Attaches a fix made of typed operations to a hit.
pub(crate) fn set_fix(hit: &mut Hit, ops: Vec<PatchOperation>, safety: FixSafety) {
    hit.fix = Some(Fix {
        patch: Patch(ops),
        safety,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_keys() {
        let base = FieldPath::keys("spec.containers").index(1);
        assert_eq!(
            pointer(&base, &["a/b", "c~d"]).as_str(),
            "/spec/containers/1/a~1b/c~0d"
        );
        assert_eq!(pointer(&FieldPath::root(), &[]).as_str(), "");
        let p = sub(&base, &["resources", "limits"]);
        assert_eq!(p.to_string(), "spec.containers[1].resources.limits");
    }
}
