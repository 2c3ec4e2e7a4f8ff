//! JSON Patch operations for fixes, written straight as the JSON text
//! reports print (no typed operations, no JSON round trip), with pointers
//! written from a field path. Shared by every rule family.

use serde::Serialize;
use serde_json::Value;

use crate::bytes::{any_byte, word_has, word_has_below};
use crate::finding::{Fix, FixSafety};
use crate::path::{FieldPath, Seg};
use crate::rule::Hit;

/// `base` extended by `keys`, with one clone of the segment list.
pub(crate) fn sub(base: &FieldPath, keys: &[&str]) -> FieldPath {
    let mut p = base.with_room(keys.len());
    for k in keys {
        p.push_key(k);
    }
    p
}

/// Appends `/` and `t` as a JSON Pointer token (`~` as `~0`, `/` as `~1`).
/// Returns false when the token holds a byte that JSON escapes inside a
/// string (a control character, `"` or `\\`), so the caller knows whether
/// the pointer can go into the patch's text as it is.
fn push_token(s: &mut String, t: &str) -> bool {
    s.reserve(t.len() + 1);
    s.push('/');
    let b = t.as_bytes();
    // One pass over the token says whether it needs either escape (almost
    // no token does).
    if !any_byte(
        b,
        |w| pointer_special(w) | json_special(w),
        |c| is_pointer_special(c) || is_json_special(c),
    ) {
        s.push_str(t);
        return true;
    }
    // Copied between the bytes to escape (both ASCII, so every piece lies on
    // character boundaries).
    let mut from = 0;
    for (i, &c) in b.iter().enumerate() {
        let escaped = match c {
            b'~' => "~0",
            b'/' => "~1",
            _ => continue,
        };
        s.push_str(&t[from..i]);
        s.push_str(escaped);
        from = i + 1;
    }
    s.push_str(&t[from..]);
    !b.iter().any(|&c| is_json_special(c))
}

/// Whether a word holds `~` or `/`, which a JSON Pointer token escapes.
#[inline]
fn pointer_special(w: u64) -> bool {
    word_has(w, b'~') | word_has(w, b'/')
}

fn is_pointer_special(c: u8) -> bool {
    c == b'~' || c == b'/'
}

/// Whether a word holds a byte JSON escapes in a string.
#[inline]
fn json_special(w: u64) -> bool {
    word_has_below(w, 0x20) | word_has(w, b'"') | word_has(w, b'\\')
}

fn is_json_special(c: u8) -> bool {
    c < 0x20 || c == b'"' || c == b'\\'
}

fn push_index(s: &mut String, i: usize) {
    s.push('/');
    crate::path::push_decimal(s, i);
}

/// The JSON Pointer of `base` extended by `keys`, without cloning `base`.
#[cfg(test)]
pub(crate) fn pointer(base: &FieldPath, keys: &[&str]) -> String {
    let mut s = String::with_capacity(96);
    push_pointer(&mut s, base, keys);
    s
}

/// Appends the pointer; false when JSON must escape some byte of it.
fn push_pointer(s: &mut String, base: &FieldPath, keys: &[&str]) -> bool {
    let mut plain = true;
    for seg in base.segments() {
        match seg {
            Seg::Key(k) => plain &= push_token(s, k),
            Seg::Index(i) => push_index(s, *i),
        }
    }
    for k in keys {
        plain &= push_token(s, k);
    }
    plain
}

/// One JSON Patch operation, as the compact JSON text serde_json would
/// write for it (`{"op":"add","path":"/x","value":1}`), after a `[`: most
/// fixes are one operation, whose patch is then this text and a `]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Op(String);

impl Op {
    /// The operation's text.
    fn text(&self) -> &str {
        self.0.get(1..).unwrap_or_default()
    }

    fn new<T: Serialize + ?Sized>(
        op: &str,
        base: &FieldPath,
        keys: &[&str],
        value: Option<&T>,
    ) -> Op {
        let mut s = String::with_capacity(128);
        s.push_str("[{\"op\":\"");
        s.push_str(op);
        s.push_str("\",\"path\":\"");
        // The pointer goes in as it is unless it holds a character JSON
        // escapes (then serde_json writes the string).
        let start = s.len();
        if !push_pointer(&mut s, base, keys) {
            let ptr = s.split_off(start);
            s.pop();
            s.push_str(&serde_json::to_string(&ptr).unwrap_or_default());
        } else {
            s.push('"');
        }
        let Some(v) = value else {
            s.push('}');
            return Op(s);
        };
        s.push_str(",\"value\":");
        // Writing JSON into a vector cannot fail, and serde_json writes
        // valid UTF-8.
        let mut b = s.into_bytes();
        let _ = serde_json::to_writer(&mut b, v);
        b.push(b'}');
        Op(String::from_utf8(b).unwrap_or_default())
    }
}

/// A JSON Patch `add` of `value` at `base` + `keys`.
pub(crate) fn add(base: &FieldPath, keys: &[&str], value: impl Serialize) -> Op {
    Op::new("add", base, keys, Some(&value))
}

/// A JSON Patch `remove` of `base` + `keys`.
pub(crate) fn remove(base: &FieldPath, keys: &[&str]) -> Op {
    Op::new::<Value>("remove", base, keys, None)
}

/// A JSON Patch `replace` of `base` + `keys` by `value`.
pub(crate) fn replace(base: &FieldPath, keys: &[&str], value: impl Serialize) -> Op {
    Op::new("replace", base, keys, Some(&value))
}

/// The patch made of `ops`, as JSON text.
fn patch_text(ops: &[Op]) -> String {
    let mut s = String::with_capacity(2 + ops.iter().map(|o| o.0.len()).sum::<usize>());
    s.push('[');
    for (i, op) in ops.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(op.text());
    }
    s.push(']');
    s
}

/// Attaches a fix made of `ops` to a hit.
pub(crate) fn set_fix(hit: &mut Hit, ops: Vec<Op>, safety: FixSafety) {
    let text = match <[Op; 1]>::try_from(ops) {
        // One operation (the usual case): its text already follows a `[`.
        Ok([Op(mut only)]) => {
            only.push(']');
            only
        }
        Err(ops) => patch_text(&ops),
    };
    hit.fix = Some(Fix::from_trusted_json(text, safety));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_keys() {
        let base = FieldPath::keys("spec.containers").index(1);
        assert_eq!(
            pointer(&base, &["a/b", "c~d"]),
            "/spec/containers/1/a~1b/c~0d"
        );
        assert_eq!(pointer(&FieldPath::root(), &[]), "");
        // Keys of eight bytes and more go through the word-at-a-time test.
        assert_eq!(
            pointer(
                &FieldPath::root(),
                &["app.kubernetes.io/name", "ключ~長い名前"]
            ),
            "/app.kubernetes.io~1name/ключ~0長い名前"
        );
        let p = sub(&base, &["resources", "limits"]);
        assert_eq!(p.to_string(), "spec.containers[1].resources.limits");
    }

    /// The text is what serde_json writes for the same typed operations.
    #[test]
    fn operations_are_written_as_serde_writes_them() {
        use json_patch::jsonptr::PointerBuf;
        use json_patch::{AddOperation, Patch, PatchOperation, RemoveOperation, ReplaceOperation};
        let base = FieldPath::keys("spec.containers").index(0);
        let value = serde_json::json!({"b": [1, "\"q\""], "a": {"ü": null}});
        let ptr = |keys: &[&str]| PointerBuf::parse(pointer(&base, keys)).unwrap();
        let ops = vec![
            add(&base, &["x/y"], value.clone()),
            remove(&base, &["z~"]),
            replace(&base, &["w"], Value::Bool(true)),
            // Keys JSON must escape inside the pointer string.
            remove(&base, &["q\"uote", "back\\slash", "tab\t", "ü"]),
        ];
        let typed = Patch(vec![
            PatchOperation::Add(AddOperation {
                path: ptr(&["x/y"]),
                value,
            }),
            PatchOperation::Remove(RemoveOperation { path: ptr(&["z~"]) }),
            PatchOperation::Replace(ReplaceOperation {
                path: ptr(&["w"]),
                value: Value::Bool(true),
            }),
            PatchOperation::Remove(RemoveOperation {
                path: ptr(&["q\"uote", "back\\slash", "tab\t", "ü"]),
            }),
        ]);
        let text = patch_text(&ops);
        assert_eq!(text, serde_json::to_string(&typed).unwrap());
        let parsed: Patch = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed, typed);
        assert_eq!(patch_text(&[]), "[]");
    }

    /// Keys with each byte that either escape concerns, at every position of
    /// tokens shorter and longer than a word, and values with text JSON
    /// escapes and text beyond ASCII: each operation is serde_json's text.
    #[test]
    fn every_token_and_value_is_written_as_serde_writes_it() {
        use json_patch::jsonptr::PointerBuf;
        use json_patch::{AddOperation, PatchOperation};
        let base = FieldPath::keys("spec.template").index(12);
        let specials = ["~", "/", "\"", "\\", "\t", "\u{1}", "ü", "長", "😀", "~/"];
        let mut keys = vec![
            String::new(),
            "plain".into(),
            "app.kubernetes.io/name".into(),
        ];
        for sp in specials {
            for len in [0, 1, 7, 8, 9, 15, 17] {
                for at in [0, len / 2, len] {
                    let mut k = "k".repeat(len);
                    k.insert_str(at, sp);
                    keys.push(k);
                }
            }
        }
        let values = [
            Value::from("plain"),
            Value::from("quote \" back \\ tab \t nul \u{0} ü 長 😀 \u{7f}"),
            serde_json::json!({"ü": ["\n", 1.5, null, {"長": "😀"}]}),
        ];
        for k in &keys {
            for v in &values {
                let op = add(&base, &["metadata", k], v);
                let typed = PatchOperation::Add(AddOperation {
                    path: PointerBuf::parse(pointer(&base, &["metadata", k])).unwrap(),
                    value: v.clone(),
                });
                assert_eq!(op.text(), serde_json::to_string(&typed).unwrap(), "{k:?}");
            }
            let unescaped = pointer(&FieldPath::root(), &[k]);
            let back: String = unescaped[1..].replace("~1", "/").replace("~0", "~");
            assert_eq!(&back, k);
        }
    }

    #[test]
    fn fixes_of_one_and_several_operations_hold_the_whole_patch() {
        let base = FieldPath::keys("spec");
        let ops = [
            add(&base, &["a"], 1),
            remove(&base, &["b"]),
            replace(&base, &["c"], "x"),
        ];
        for n in 0..=ops.len() {
            let mut hit = Hit {
                path: base.clone(),
                message: "m".into(),
                fix: None,
            };
            set_fix(&mut hit, ops[..n].to_vec(), FixSafety::Safe);
            let fix = hit.fix.unwrap();
            assert_eq!(fix.patch_json().get(), patch_text(&ops[..n]), "{n}");
        }
    }
}
