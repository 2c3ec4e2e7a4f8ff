//! Fuzzes the YAML loader with arbitrary bytes: it must never panic, never
//! overflow the stack, and every position it reports must lie inside the
//! input on a character boundary.

#![no_main]

use eyelint_policies::path::FieldPath;
use eyelint_policies::yaml::{line_col, load_bytes, Document, Limits, Pos};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn check_pos(text: &str, p: Pos) {
    assert!(p.offset <= text.len(), "offset {} past the end", p.offset);
    assert!(
        text.is_char_boundary(p.offset),
        "offset {} inside a character",
        p.offset
    );
    assert!(p.line >= 1 && p.column >= 1);
    let lc = line_col(text, p.offset);
    assert_eq!(
        (lc.line, lc.column),
        (p.line, p.column),
        "line/column disagree with the offset"
    );
}

fn check_doc(text: &str, doc: &Document) {
    // Walk the value iteratively (documents may be deep).
    let mut stack: Vec<(&Value, FieldPath)> = vec![(&doc.value, FieldPath::root())];
    while let Some((v, path)) = stack.pop() {
        if let Some(loc) = doc.spans.get(&path) {
            check_pos(text, loc.value);
            if let Some(k) = loc.key {
                check_pos(text, k);
                assert!(k.offset <= loc.value.offset, "key after its value");
            }
        }
        match v {
            Value::Object(m) => stack.extend(m.iter().map(|(k, c)| (c, path.key(k)))),
            Value::Array(a) => stack.extend(a.iter().enumerate().map(|(i, c)| (c, path.index(i)))),
            _ => {}
        }
    }
    check_pos(text, doc.start);
}

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_depth: 128,
        max_nodes: 100_000,
    };
    let loaded = load_bytes(data, &limits);
    let text = match std::str::from_utf8(data) {
        Ok(t) => t,
        Err(_) => {
            assert!(loaded.documents.is_empty());
            assert!(loaded.error.is_some());
            return;
        }
    };
    for d in &loaded.documents {
        check_doc(text, d);
    }
    if let Some(e) = &loaded.error {
        check_pos(text, e.pos);
        assert!(!e.message.is_empty());
    }
});
