//! Property tests of the YAML loader: no input makes it panic, and values
//! written as JSON come back with every key located exactly.

use eyelint_policies::path::FieldPath;
use eyelint_policies::yaml::{line_col, load, load_bytes, Document, Limits};
use proptest::prelude::*;
use serde_json::{Map, Value};

fn small_limits() -> Limits {
    Limits {
        max_depth: 64,
        max_nodes: 10_000,
    }
}

/// Pieces that make the scanner and parser take unusual paths.
const PIECES: &[&str] = &[
    "a",
    "b: ",
    "- ",
    "-",
    ":",
    " ",
    "  ",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "[",
    "]",
    "{",
    "}",
    ",",
    "? ",
    "&x ",
    "*x",
    "&y",
    "*y",
    "!!str ",
    "!!int ",
    "!t ",
    "<<: ",
    "'",
    "\"",
    "\\",
    "#",
    "# Source: s\n",
    "---\n",
    "...\n",
    "|",
    ">",
    "|-\n",
    "%YAML 1.2\n",
    "%TAG ! x\n",
    "é",
    "😀",
    "\u{feff}",
    "\0",
    "0x1",
    "yes",
    "~",
    "1.5",
    ".inf",
];

fn yamlish() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..60).prop_map(|v| v.concat())
}

fn check_positions(text: &str, doc: &Document) {
    // Every located value points inside the text, at a character boundary.
    fn walk(text: &str, doc: &Document, v: &Value, p: &FieldPath) {
        if let Some(loc) = doc.spans.get(p) {
            for pos in loc.key.into_iter().chain([loc.value]) {
                assert!(pos.offset <= text.len());
                assert!(text.is_char_boundary(pos.offset));
                assert!(pos.line >= 1 && pos.column >= 1);
                // Line and column agree with the offset.
                let lc = line_col(text, pos.offset);
                assert_eq!((lc.line, lc.column), (pos.line, pos.column), "{text:?}");
            }
        }
        match v {
            Value::Object(m) => {
                for (k, c) in m {
                    walk(text, doc, c, &p.key(k));
                }
            }
            Value::Array(a) => {
                for (i, c) in a.iter().enumerate() {
                    walk(text, doc, c, &p.index(i));
                }
            }
            _ => {}
        }
    }
    walk(text, doc, &doc.value, &FieldPath::root());
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[a-zA-Z0-9 ._/:é😀-]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-z][a-z0-9./-]{0,8}", inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn keys_are_located(text: &str, doc: &Document, v: &Value, p: &FieldPath) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                let cp = p.key(k);
                let loc = doc.spans.get(&cp).expect("every key is located");
                let key = loc.key.expect("mapping values have a key position");
                let quoted = serde_json::to_string(k).unwrap();
                assert!(
                    text[key.offset..].starts_with(&quoted),
                    "key {quoted} not at offset {}",
                    key.offset
                );
                keys_are_located(text, doc, c, &cp);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                assert!(doc.spans.get(&p.index(i)).is_some());
                keys_are_located(text, doc, c, &p.index(i));
            }
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn yamlish_input_never_panics(text in yamlish()) {
        let loaded = load(&text, &small_limits());
        for d in &loaded.documents {
            check_positions(&text, d);
        }
        if let Some(e) = loaded.error {
            prop_assert!(e.pos.offset <= text.len());
            prop_assert!(e.pos.line >= 1 && e.pos.column >= 1);
            prop_assert!(!e.message.is_empty());
        }
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let loaded = load_bytes(&bytes, &small_limits());
        if let Some(e) = loaded.error {
            prop_assert!(e.pos.offset <= bytes.len());
        }
    }

    #[test]
    fn json_round_trips_with_exact_key_positions(v in json_value(), pretty in any::<bool>(), crlf in any::<bool>()) {
        let mut text = if pretty {
            serde_json::to_string_pretty(&v).unwrap()
        } else {
            serde_json::to_string(&v).unwrap()
        };
        if crlf {
            text = text.replace('\n', "\r\n");
        }
        let loaded = load(&text, &Limits::default());
        prop_assert!(loaded.error.is_none(), "{:?}", loaded.error);
        if v.is_null() {
            prop_assert!(loaded.documents.is_empty());
        } else {
            prop_assert_eq!(loaded.documents.len(), 1);
            let d = &loaded.documents[0];
            prop_assert_eq!(&d.value, &v);
            keys_are_located(&text, d, &v, &FieldPath::root());
        }
    }
}
