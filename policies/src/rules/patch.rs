//! JSON Patch operations for fixes, built as typed values (no JSON round
//! trip) with pointers written straight from a field path. Shared by every
//! rule family.

use json_patch::jsonptr::{PointerBuf, Token};
use json_patch::{AddOperation, Patch, PatchOperation, RemoveOperation, ReplaceOperation};
use serde_json::Value;

use crate::finding::{Fix, FixSafety};
use crate::path::{FieldPath, Seg};
use crate::rule::Hit;

/// `base` extended by `keys`, with one clone of the segment list.
pub(crate) fn sub(base: &FieldPath, keys: &[&str]) -> FieldPath {
    let mut p = base.clone();
    for k in keys {
        p.push_key(k);
    }
    p
}

fn push_token(s: &mut String, t: &str) {
    s.push('/');
    if !t.contains(['~', '/']) {
        s.push_str(t);
        return;
    }
    for ch in t.chars() {
        match ch {
            '~' => s.push_str("~0"),
            '/' => s.push_str("~1"),
            c => s.push(c),
        }
    }
}

fn push_index(s: &mut String, mut i: usize) {
    s.push('/');
    let mut digits = [0u8; 20];
    let mut n = 0;
    loop {
        digits[n] = b'0' + (i % 10) as u8;
        n += 1;
        i /= 10;
        if i == 0 {
            break;
        }
    }
    for d in digits[..n].iter().rev() {
        s.push(char::from(*d));
    }
}

/// The JSON Pointer of `base` extended by `keys`, without cloning `base`.
pub(crate) fn pointer(base: &FieldPath, keys: &[&str]) -> PointerBuf {
    let mut s = String::with_capacity(96);
    for seg in base.segments() {
        match seg {
            Seg::Key(k) => push_token(&mut s, k),
            Seg::Index(i) => push_index(&mut s, *i),
        }
    }
    for k in keys {
        push_token(&mut s, k);
    }
    // `s` is a well-formed pointer by construction; the fallback only exists
    // to avoid a panic path.
    PointerBuf::parse(s).unwrap_or_else(|_| {
        PointerBuf::from_tokens(
            base.segments()
                .iter()
                .map(|s| match s {
                    Seg::Key(k) => Token::new(k.as_ref()),
                    Seg::Index(i) => Token::from(*i),
                })
                .chain(keys.iter().map(|k| Token::new(*k))),
        )
    })
}

/// A JSON Patch `add` of `value` at `base` + `keys`.
pub(crate) fn add(base: &FieldPath, keys: &[&str], value: Value) -> PatchOperation {
    PatchOperation::Add(AddOperation {
        path: pointer(base, keys),
        value,
    })
}

/// A JSON Patch `remove` of `base` + `keys`.
pub(crate) fn remove(base: &FieldPath, keys: &[&str]) -> PatchOperation {
    PatchOperation::Remove(RemoveOperation {
        path: pointer(base, keys),
    })
}

/// A JSON Patch `replace` of `base` + `keys` by `value`.
pub(crate) fn replace(base: &FieldPath, keys: &[&str], value: Value) -> PatchOperation {
    PatchOperation::Replace(ReplaceOperation {
        path: pointer(base, keys),
        value,
    })
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
