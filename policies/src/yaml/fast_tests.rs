//! Tests of the fast path (`fast.rs`): for each construct, that the fast path
//! takes the text itself (or bails where it should) and that the result is
//! saphyr-parser's, value, positions, sources and errors alike.

use super::*;
use serde_json::json;

fn limits() -> Limits {
    Limits::default()
}

/// The fast path loads every document of `text` itself, as saphyr-parser
/// would.
#[track_caller]
fn fast(text: &str) {
    let share = fast_share(text, &limits());
    assert_eq!(share.bailed, None, "the fast path bailed on {text:?}");
    assert_eq!(share.fast, share.total, "{text:?}");
    if let Err(e) = differential(text, &limits()) {
        panic!("{text:?}: {e}");
    }
}

/// The fast path gives up on `text` (handing over `handed` documents
/// first), and the combined load is still saphyr-parser's.
#[track_caller]
fn bails_after(text: &str, handed: usize) {
    let share = fast_share(text, &limits());
    assert!(share.bailed.is_some(), "the fast path took {text:?}");
    assert_eq!(share.fast, handed, "{text:?}");
    if let Err(e) = differential(text, &limits()) {
        panic!("{text:?}: {e}");
    }
}

#[track_caller]
fn bails(text: &str) {
    bails_after(text, 0);
}

fn value(text: &str) -> Value {
    let loaded = load(text, &limits());
    assert!(loaded.error.is_none(), "{:?}", loaded.error);
    loaded.documents[0].value.clone()
}

#[test]
fn block_mappings_and_sequences() {
    fast("a: 1\nb:\n  c: 2\n  d:\n    e: x\nf: y\n");
    fast("- a\n- b\n-   c\n");
    fast("  a: 1\n  b: 2\n");
    fast("a:\n  - x\n  -  y\n  - z\nb: 1\n");
    // Sequences at their key's indentation.
    fast("containers:\n- name: a\n  image: b\n- name: c\nother: 1\n");
    fast("a:\n  b:\n  - 1\n  - 2\n  c: 3\n");
    // Compact forms.
    fast("- name: a\n  args:\n  - x\n  - y\n- - p\n  - q\n- - - deep\n");
    fast("-   name: a\n    image: b\n");
    // An item or value alone on the next line.
    fast("-\n  name: a\n-\n  - x\n-\n  v\n---\nk:\n  v\nl:\n  'q'\nm:\n  [1]\n");
    // Empty values and items (null), also at the end.
    fast("a:\nb: # comment\nc:\n");
    fast("- \n-\n- # c\n- x\n-");
    fast("a:\n  -\n  - \nb:\n");
    assert_eq!(
        value("a:\nb:\n  - \n  -\n"),
        json!({"a": null, "b": [null, null]})
    );
}

#[test]
fn plain_scalars() {
    fast("a: yes\nb: Off\nc: 0x1F\nd: 017\ne: 1.0\nf: '.inf'\ng: ~\nh: -12\ni: 1e3\nj: 1_000\n");
    fast("yes: 1\n0x10: 2\n1.5: 5\n1.0e3: 6\n");
    // kubectl refuses a null key: the reference path says so.
    bails_after("a: 1\n---\nyes: 1\n~: 3\n", 1);
    fast("url: http://example.com:80/x\nt: a#b\nw: a b  c\ncolons: a:b:c\n");
    fast("args:\n- --port=8080\n- -v\n- :x\n- ?y\npath: :path\n");
    fast("k: value # comment\nk2: v  # c\n");
    fast("é: ü\nemoji: 😀 x\n");
    // Folded over several lines.
    fast("description: a long\n  text over\n\n  three lines\nnext: 1\n");
    fast("- item one\n  continued\n- two\n");
    fast("a:\n  b: x\n    y # c\n  c: z\n");
    assert_eq!(value("d: a\n  b\n\n\n  c\n"), json!({"d": "a b\n\nc"}));
}

#[test]
fn quoted_scalars() {
    fast("a: 'single'\nb: \"double\"\nc: 'it''s'\nd: \"\"\ne: ''\n");
    fast("a: \"\\t\\n\\r\\\\\\\" \\0\\a\\b\\e\\f\\v\\N\\_\\L\\P \\x41 \\u00e9 \\U0001F600\"\n");
    fast("a: \"tab\there\" # c\n\"quoted key\": 1\n'k': 2\n");
    fast("- \"q\": 1\n  'r': 2\n");
    // Over several lines.
    fast("a: 'one\n  two\n\n  three'\nb: \"x\\\n   y\"\nc: \"p \n  q\"\n");
    assert_eq!(
        value("a: \"x\\\n   y\"\nb: 'p\n\n  q'\n"),
        json!({"a": "xy", "b": "p\nq"})
    );
}

#[test]
fn block_scalars() {
    fast("a: |\n  line 1\n  line 2\nb: 1\n");
    fast("a: |-\n  x\n\n\nb: |+\n  y\n\n\nc: >\n  folded\n  text\n\n  para\n   more\n  end\n");
    fast("a: >-\n  x\n  y\nb: >+\n  z\n");
    fast("a: |2\n    indented\n  b\nc: |1-\n  d\n");
    fast("- |\n  item\n- >\n  item\n");
    fast("a: |\n  tab\there\n  \ttab first\nb: |\n\n  leading blank\n");
    fast("a: | # comment\n  x\n");
    fast("a: |\nb: >\n");
    fast("a: |+\n  keep\n\n");
    fast("a: |\n  at the end");
    fast("a: |+");
    fast("a: |-\n  x\n   \n  y\n");
    assert_eq!(
        value("a: >\n  one\n  two\n\n  three\n"),
        json!({"a": "one two\nthree\n"})
    );
}

#[test]
fn flow_collections() {
    fast("a: {cpu: 100m, memory: 128Mi}\nb: [ALL]\nc: []\nd: {}\n");
    fast("a: [1, [2, [3]], {x: [y]}]\nb: {\"k\": \"v\", 'q': 1, n: null,}\nc: [a, b, ]\n");
    fast("- {name: a, value: b}\n- [x]\n");
    fast("a: {x: , y:}\n");
    fast("a: [\n    x,\n    y\n  ]\nb: 1\n");
    // JSON.
    fast("{\n  \"kind\": \"Pod\",\n  \"spec\": {\"containers\": [{\"name\": \"a\", \"n\": 1.5}]},\n  \"z\": null\n}\n");
    fast("[1, 2]\n");
    fast("{\"a\":1,\"b\":[true,false]}");
    // A blank after `[`: the reference loader locates items at a dash.
    fast("- apiGroups: [ \"\" ]\n  verbs: [ get, list ]\n");
    fast("a: [ x, [ y ] ]\n");
}

#[test]
fn comments_markers_and_documents() {
    fast("# head\n\na: 1 # c\n# mid\n\n  # indented\nb: 2\n# tail\n");
    fast("---\na: 1\n---\nb: 2\n...\n---\nc: 3\n...\n");
    fast("--- # c\na: 1\n");
    // Empty and comment-only documents are skipped but counted.
    let text = "---\n---\n# only a comment\n---\na: 1\n---\n";
    fast(text);
    let d = load(text, &limits()).documents;
    assert_eq!((d.len(), d[0].index), (1, 2));
    fast("");
    fast("# nothing\n");
    fast("\n\n");
    // Helm sources.
    let text = "---\n# Source: c/templates/a.yaml\nkind: A\n---\n# Source: c/templates/b.yaml\n# other\nkind: B\n--- # Source: c/templates/c.yaml\nkind: C\n";
    fast(text);
    let d = load(text, &limits()).documents;
    assert_eq!(d[1].source.as_deref(), Some("c/templates/b.yaml"));
    assert_eq!(d[2].source.as_deref(), Some("c/templates/c.yaml"));
}

#[test]
fn bom_crlf_and_unicode_positions() {
    fast("\u{feff}a: 1\nb: [x]\n");
    fast("a: 1\r\nb:\r\n  - x\r\n  - 'y'\r\nc: |\r\n  t\r\n\r\nd: e\r\n");
    fast("\u{feff}---\r\n- a\r\n");
    fast("ä: \"héllo\"\nb: [é, 😀, z]\nc:\n  - ü: ö\n    x: y\n");
    fast("k: é\n  ü\n");
}

#[test]
fn bails_on_what_it_does_not_handle() {
    // Anchors, aliases, tags, complex keys, directives, merge keys.
    bails("a: &x 1\nb: *x\n");
    bails("a: !!str 1\n");
    bails("? a\n: b\n");
    bails("%YAML 1.2\n---\na: 1\n");
    bails("base: {x: 1}\nm:\n  <<: {y: 2}\n");
    // Tabs, lone CRs, control characters, a BOM inside.
    bails("a:\t1\n");
    bails("a: 1\rb: 2\n");
    bails("a: \u{1}\n");
    bails("a: 1\n\u{feff}b: 2\n");
    bails("# a comment \u{feff}\na: 1\n");
    // Scalars as roots, and other rare forms.
    bails("just text\n");
    bails("--- |\n  x\n");
    bails("a: {b}\n");
    bails("a: [b: c]\n");
    bails("k:\n  |\n  x\n");
    // Errors: saphyr-parser reports them.
    bails("a: 'open\n");
    bails("a: 1\n  b: 2\n");
    bails("a: 1\na: 2\n");
    bails("a: [1, 2\n");
    bails("a: b: c\n");
    bails("k: [flow]x\n");
    // go-yaml's indentation, accepted by re-parsing.
    bails("args: [\n  x,\n]\n");
}

#[test]
fn bails_near_limits() {
    let deep = format!("{}x\n", "- ".repeat(70));
    bails(&deep);
    let small = Limits {
        max_depth: 3,
        max_nodes: 5,
    };
    for text in [
        "a:\n  b:\n    c: 1\n",
        "[1, 2, 3, 4, 5, 6]\n",
        "a: [[[1]]]\n",
    ] {
        assert!(fast_share(text, &small).bailed.is_some(), "{text:?}");
        differential(text, &small).unwrap();
    }
    let keys: String = (0..20).map(|i| format!("k{i}: {i}\n")).collect();
    let few = Limits {
        max_depth: 10,
        max_nodes: 10,
    };
    assert!(fast_share(&keys, &few).bailed.is_some());
    differential(&keys, &few).unwrap();
    // A long key.
    bails(&format!("{}: 1\n", "k".repeat(2000)));
}

#[test]
fn documents_before_a_bail_are_handed_once() {
    let text = "a: 1\n---\nb: 2\n---\nc: &x 3\n---\nd: 4\n";
    bails_after(text, 2);
    let loaded = load(text, &limits());
    assert!(loaded.error.is_none());
    let idx: Vec<_> = loaded.documents.iter().map(|d| d.index).collect();
    assert_eq!(idx, vec![0, 1, 2, 3]);
    // An error after fast documents: they are kept, the error is saphyr's.
    let text = "a: 1\n---\nb: [\n";
    bails_after(text, 1);
    let loaded = load(text, &limits());
    assert_eq!(loaded.documents.len(), 1);
    assert_eq!(loaded.error.map(|e| e.document), Some(1));
    // A bad marker line: the document before it is left to saphyr.
    bails_after("a: 1\n... x\n", 0);
    bails_after("a: 1\n--- x: y\n", 0);
}

#[test]
fn items_of_a_flow_sequence_in_a_block_one_have_no_dash() {
    // A flow sequence is one whatever blank follows its `[`: its items are
    // located at themselves (in code points along a long line), never at the
    // `-` of the block sequence around it.
    let items: Vec<String> = (0..50_000).map(|i| format!("é{i}")).collect();
    let text = format!("- [ {} ]\n", items.join(", "));
    let start = std::time::Instant::now();
    let loaded = load(&text, &limits());
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
    assert!(loaded.error.is_none());
    let d = &loaded.documents[0];
    let last = d
        .spans
        .get(&crate::path::FieldPath::root().index(0).index(49_999))
        .unwrap();
    let before: usize = items[..49_999].iter().map(|s| s.chars().count() + 2).sum();
    assert_eq!(last.key, None);
    assert_eq!((last.value.line, last.value.column), (1, 5 + before));
    // The same on short lines, against the reference.
    fast("- [ a, b - c, d ]\n- {k: [ x, y ]}\n- [a]\n- [ [ b ] ]\n");
}

#[test]
fn surrogate_escapes_read_as_kubectl_reads_them() {
    // JSON writes a character beyond U+FFFF as a UTF-16 surrogate pair. In
    // a text that starts with `{`, which kubectl reads as JSON, both paths
    // read a pair as that character and any other surrogate escape as
    // U+FFFD, as Go's JSON decoder does (saphyr-parser after `lenient.rs`
    // mends the scalar).
    fast("{\"a\": \"go \\ud83d\\ude80!\", \"b\": 1}\n");
    fast("{\"\\uD83D\\uDE80\":\"\\ud83d\\ude80\\ud83c\\udf89\",\"c\":[\"\\u00e9\"]}\n");
    let lone = "\n {\"a\": \"x\\ud83dy\", \"b\": \"\\ud83d\\ud83d\\ude00\", \"c\": \"\\ude00\\ud83d\", \"\\udc00\": [\"\\ud83d\\u0041\"]}\n";
    fast(lone);
    assert_eq!(
        value(lone),
        serde_json::json!({"a": "x\u{fffd}y", "b": "\u{fffd}😀", "c": "\u{fffd}\u{fffd}", "\u{fffd}": ["\u{fffd}A"]})
    );
    // A multi-line string, which JSON does not have, is not mended: the
    // mend would move what follows its closing quote (found by fuzzing).
    let text = "{\"Fa\": \"multi\n  \\ud83d\\udd80 \\udfff,\nne\", \"k\": 1}\n";
    let e = load(text, &limits()).error.expect("an error");
    assert!(
        e.message.contains("invalid Unicode character escape"),
        "{e}"
    );
    if let Err(e) = differential(text, &limits()) {
        panic!("{text:?}: {e}");
    }
    // After a byte-order mark too, which kubectl drops before it looks.
    fast("\u{feff}{\"a\": \"\\ud83d\\ude80\"}\n");
    // A stream of JSON values, one of them an array: the whole text is JSON.
    fast("{\"a\": \"\\ud83d\"}\n[{\"b\": \"\\ude80\"}]\n");
    // After a bail, the reference path mends them alone.
    bails("{\"a\": &x \"\\ud83d\\ude80 \\ud83d\", \"b\": *x, \"c\": \"\\ude80\\ud83d\\ude80\"}\n");
    assert_eq!(
        value("{\"a\": &x \"\\ud83d\\ude80 \\ud83d\", \"b\": *x}"),
        serde_json::json!({"a": "🚀 \u{fffd}", "b": "🚀 \u{fffd}"})
    );
    // kubectl's YAML parser refuses every surrogate escape, paired or not;
    // so do both paths, at the first one. A malformed escape stays
    // saphyr-parser's error, in JSON too.
    for (text, at) in [
        ("a: \"x \\ud83d\\ude80\"\n", Some((1, 7))),
        ("a: 1\n\"\\ud83d\\ude80\": 2\n", Some((2, 2))),
        ("a: \"multi\n  line \\ud83d\\ude80\"\nb: 1\n", Some((2, 8))),
        ("a: \"\\ud83d\"\n", Some((1, 5))),
        ("a: \"\\u00e9\\ude80\\ud83d\"\n", Some((1, 11))),
        ("a: \"\\ud83d \\ude80\"\n", Some((1, 5))),
        ("a: &x \"\\ud83d\\ude80\"\nb: *x\n", Some((1, 8))),
        ("a: \"\\ud83d\\ude8\"\n", None),
        ("a: \"\\ud83d\\ude80\n", None),
        ("{\"a\": \"\\ud83d\\ude8\"}\n", None),
        ("{\"a\": \"\\ud83d\\ude80 \\U00110000\"}\n", None),
    ] {
        let e = load(text, &limits()).error;
        let Some(e) = e else {
            panic!("{text:?} loaded");
        };
        match at {
            Some(at) => {
                assert_eq!((e.pos.line, e.pos.column), at, "{text:?}: {e}");
                assert!(
                    e.message.starts_with("kubectl's YAML parser refuses `\\u"),
                    "{e}"
                );
            }
            None => assert!(e.message.contains("invalid"), "{text:?}: {e}"),
        }
        if let Err(e) = differential(text, &limits()) {
            panic!("{text:?}: {e}");
        }
    }
    let e = load("a: \"x \\ud83d\\ude80\"\n", &limits()).error.unwrap();
    assert_eq!(
        e.message,
        "kubectl's YAML parser refuses `\\ud83d\\ude80`, a character written as JSON writes it, \
         in two `\\u` escapes of UTF-16 surrogates: in YAML, write `\\U0001F680` or the \
         character itself"
    );
}

#[test]
fn characters_kubectl_refuses_are_errors_on_both_paths() {
    // go-yaml refuses C0 and C1 control characters (but tab, the line
    // breaks and NEL), DEL, U+FFFE and U+FFFF anywhere: an error at the
    // character, after the documents before it.
    for c in [
        '\u{1b}', '\u{7f}', '\u{80}', '\u{9f}', '\u{fffe}', '\u{ffff}', '\u{c}',
    ] {
        for (text, handed) in [
            (format!("a: 1\n---\nb: x{c}y\n"), 1),
            (format!("a: 1\n---\nb: \"x{c}y\"\n"), 1),
            (format!("a: 1\n---\nb: 'x{c}y'\n"), 1),
            (format!("a: 1\n---\nb: |\n  x{c}y\n"), 1),
            (format!("a: 1\n---\nb: [x{c}y]\n"), 1),
            (format!("a: 1\n---\nx{c}y: 1\n"), 1),
            (format!("a: 1\n---\nb: 2 # x{c}y\n"), 1),
            (format!("a: 1\n---\nb: 2\n# x{c}y\n"), 1),
        ] {
            let name = format!("{text:?}");
            bails_after(&text, handed);
            let loaded = load(&text, &limits());
            assert_eq!(loaded.documents.len(), 1, "{name}");
            let e = loaded.error.unwrap_or_else(|| panic!("{name} loaded"));
            let at = text.find(c).unwrap();
            assert_eq!(e.pos.offset, at, "{name}: {e}");
            assert!(
                e.message.contains(&format!("U+{:04X}", u32::from(c))),
                "{e}"
            );
        }
    }
    // Its JSON decoder takes all but C0 in strings: so does the loader in a
    // text that starts with `{`.
    assert_eq!(
        value("{\"a\": \"x\u{7f}\u{85}\u{9f}\u{fffe}y\"}"),
        serde_json::json!({"a": "x\u{7f}\u{85}\u{9f}\u{fffe}y"})
    );
    // Neighbours that go-yaml takes: the fast path reads them.
    fast("a: \"x\u{a0}\u{fffd}\u{d7ff}\u{e000}y\" # \u{a0}\u{fffd}\nb: x\u{a0}\u{fffd}y\n");
}

#[test]
fn yaml_1_1_line_breaks_are_errors_where_they_cut_a_line() {
    // NEL, U+2028 and U+2029 are line breaks to go-yaml (YAML 1.1): the fast
    // path leaves them to the reference path, which reads them inside a
    // quoted value or a flow collection's plain one (folded there by
    // go-yaml) and refuses them elsewhere, at the character.
    for c in ['\u{85}', '\u{2028}', '\u{2029}'] {
        for text in [
            format!("a: \"x{c}y\"\n"),
            format!("a: 'x{c}y'\n"),
            format!("a: [x{c}y, {{b: x{c}y}}]\n"),
        ] {
            bails(&text);
            assert!(load(&text, &limits()).error.is_none(), "{text:?}");
        }
        for (text, key) in [
            (format!("a: 1\n---\nb: x{c}y\n"), false),
            (format!("a: 1\n---\nb: |\n  x{c}y\n"), false),
            (format!("a: 1\n---\nb: 1 # x{c}y\n"), false),
            (format!("a: 1\n---\nb: 1\n# x{c}y\n"), false),
            (format!("a: 1\n---\nx{c}y: 1\n"), true),
            (format!("a: 1\n---\n\"x{c}y\": 1\n"), true),
            (format!("a: 1\n---\nb: {{x{c}y: 1}}\n"), true),
        ] {
            bails_after(&text, 1);
            let loaded = load(&text, &limits());
            assert_eq!(loaded.documents.len(), 1, "{text:?}");
            let e = loaded.error.unwrap_or_else(|| panic!("{text:?} loaded"));
            assert_eq!(e.pos.offset, text.find(c).unwrap(), "{text:?}: {e}");
            assert!(e.message.contains("YAML 1.1"), "{e}");
            assert_eq!(e.message.contains("a key may not span lines"), key, "{e}");
        }
    }
}

#[test]
fn tabs_where_a_block_scalars_indentation_is_read() {
    // go-yaml refuses them; the fast path leaves them to the reference path.
    for (text, refused) in [
        ("a: 1\n---\nx: |\n  \tb\n", true),
        ("a: 1\n---\nx: >-\n\n  \tb\n", true),
        ("a: 1\n---\nx: |\n  a\n \tb\n", true),
        ("a: 1\n---\nx:\n- |\n  a\n\n \tb\n", true),
        // With the indentation given, or past it, a tab is content.
        ("a: 1\n---\nx: |2\n  \tb\n", false),
        ("a: 1\n---\nx: |\n  a\n  \tb\n", false),
    ] {
        let share = fast_share(text, &limits());
        assert_eq!(share.bailed.is_some(), refused, "{text:?}");
        let e = load(text, &limits()).error;
        let at = refused.then(|| text.find('\t').unwrap_or(0));
        assert_eq!(e.as_ref().map(|e| e.pos.offset), at, "{text:?}: {e:?}");
        if let Some(e) = e {
            assert!(e.message.contains("block scalar's indentation"), "{e}");
        }
        if let Err(e) = differential(text, &limits()) {
            panic!("{text:?}: {e}");
        }
    }
    // A tab inside a line stays content, on the fast path.
    fast("x: |\n  a\tb\n  \n");
}

#[test]
fn json_only_escapes_and_infinite_values_are_errors_in_yaml() {
    for (text, what) in [
        ("a: 1\n---\nb: \"http:\\/\\/x\"\n", "no escape `\\/`"),
        ("a: 1\n---\nb: .inf\n", "cannot hold"),
        ("a: 1\n---\nb: [1, -.Inf]\n", "cannot hold"),
        ("a: 1\n---\nb: !!float .nan\n", "cannot hold"),
    ] {
        bails_after(text, 1);
        let e = load(text, &limits())
            .error
            .unwrap_or_else(|| panic!("{text:?} loaded"));
        assert!(e.message.contains(what), "{text:?}: {e}");
        assert_eq!(e.pos.line, 3, "{text:?}: {e}");
    }
    // JSON has `\/`; a key `.inf` and a quoted `.inf` are text.
    fast("{\"b\": \"http:\\/\\/x\"}\n");
    assert_eq!(
        value("{\"b\": \"http:\\/\\/x\"}"),
        serde_json::json!({"b": "http://x"})
    );
    fast("x: '.inf'\n");
    assert_eq!(
        value("x: {.inf: 1}\n"),
        serde_json::json!({"x": {".inf": 1}})
    );
}

#[test]
fn a_document_after_an_end_marker_is_an_error_on_both_paths() {
    // kubectl drops a document that follows `...` without a `---` line.
    for (text, handed) in [
        ("a: 1\n...\nb: 2\n", 1),
        ("...\nb: 2\n", 0),
        ("a: 1\n... # end\n\n# c\nb: [2]\n---\nc: 3\n", 1),
        ("---\na: 1\n...\n...\n- b\n", 1),
    ] {
        bails_after(text, handed);
        let e = load(text, &limits()).error.unwrap();
        assert!(e.message.contains("follows a `...` line"), "{text:?}: {e}");
    }
    // With `---`, or nothing but comments after it, the fast path reads on.
    fast("a: 1\n...\n---\nb: 2\n...\n# c\n");
}

#[test]
fn the_value_limit_comes_first_where_saphyr_reads_on_to_a_later_error() {
    // In a flow mapping inside a flow sequence, saphyr-parser reads on
    // before it hands over the values, and stops at the unclosed quote; the
    // fast path stops at the 41st value, before it.
    let small = Limits {
        max_depth: 6,
        max_nodes: 40,
    };
    let text = format!("b: [ {{ x: [{}], c: {{\"d: 3 }} }}\n", "0, ".repeat(60));
    let fast = load(&text, &small).error.unwrap();
    assert!(fast.message.starts_with("document too large"), "{fast}");
    let mut none = 0;
    let reference = load_reference(&text, &small, |_| none += 1).unwrap();
    assert!(reference.message.contains("quoted scalar"), "{reference}");
    assert!(fast.pos.offset < reference.pos.offset);
    differential(&text, &small).unwrap();
}

#[test]
fn the_value_limit_error_comes_from_the_fast_path_alike() {
    let small = Limits {
        max_depth: 10,
        max_nodes: 30,
    };
    let items: Vec<String> = (0..40).map(|i| i.to_string()).collect();
    let flow = format!("[{}]\n", items.join(", "));
    let block: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
    let nested = format!("a:\n  b: {{x: 1, y: {flow}}}\n");
    let after = format!("first: 1\n---\n{block}");
    // A duplicate key in a mapping still open: the reference loader's
    // error (the duplicate) comes first, and the fast path leaves it to it.
    let duplicate = format!("{{a: 1, a: 2, b: {flow}}}\n");
    for text in [&flow, &block, &nested, &after, &duplicate] {
        assert!(fast_share(text, &small).bailed.is_some(), "{text:?}");
        if let Err(e) = differential(text, &small) {
            panic!("{text:?}: {e}");
        }
        assert!(load(text, &small).error.is_some(), "{text:?}");
    }
    let e = load(&duplicate, &small).error.unwrap();
    assert!(e.message.contains("duplicate key"), "{e}");
    // The text's size raises the limit to one value per 8 bytes.
    let e = load(&after, &small).error.unwrap();
    let limit = after.len() / BYTES_PER_VALUE;
    assert!(
        e.message.contains(&format!("more than {limit} values")),
        "{e}"
    );
    assert_eq!((e.pos.line, e.document), (limit + 2, 1), "{e}");
}
