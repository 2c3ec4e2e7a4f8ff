use super::*;
use crate::path::FieldPath;
use serde_json::json;

fn one(text: &str) -> Document {
    let loaded = load(text, &Limits::default());
    assert!(loaded.error.is_none(), "{:?}", loaded.error);
    assert_eq!(loaded.documents.len(), 1);
    loaded.documents.into_iter().next().unwrap()
}

fn at(doc: &Document, path: &str) -> Location {
    doc.spans
        .get(&FieldPath::parse(path).unwrap())
        .unwrap_or_else(|| panic!("no location for {path}"))
}

fn lc(p: Pos) -> (usize, usize) {
    (p.line, p.column)
}

/// The first document of `text` as the whole loader (fast path first) and
/// as the reference loader (saphyr-parser only) read it.
fn both_loaders(text: &str) -> [Document; 2] {
    let mut docs = Vec::new();
    assert!(load_with(text, &Limits::default(), |d| docs.push(d)).is_none());
    let mut reference = Vec::new();
    assert!(load_reference(text, &Limits::default(), |d| reference.push(d)).is_none());
    [docs.remove(0), reference.remove(0)]
}

#[test]
fn keys_and_block_items() {
    let text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: app\n    image: x\n  -   name: b\n  -\n    name: c\n";
    let d = one(text);
    assert_eq!(d.value["spec"]["containers"][2]["name"], json!("c"));
    let l = at(&d, "kind");
    assert_eq!(lc(l.key.unwrap()), (2, 1));
    assert_eq!(lc(l.value), (2, 7));
    let l = at(&d, "spec.containers[0]");
    assert_eq!(lc(l.key.unwrap()), (5, 3));
    assert_eq!(lc(l.value), (5, 5));
    let l = at(&d, "spec.containers[1]");
    assert_eq!(lc(l.key.unwrap()), (7, 3));
    assert_eq!(lc(l.value), (7, 7));
    let l = at(&d, "spec.containers[2]");
    assert_eq!(lc(l.key.unwrap()), (8, 3));
    assert_eq!(lc(l.value), (9, 5));
    let l = at(&d, "spec.containers[0].image");
    assert_eq!(lc(l.key.unwrap()), (6, 5));
    assert_eq!(l.key.unwrap().offset, text.find("image").unwrap());
    let root = d.spans.get(&FieldPath::root()).unwrap();
    assert_eq!(root.key, None);
    assert_eq!(lc(root.value), (1, 1));
    assert_eq!(lc(d.start), (1, 1));
}

#[test]
fn locate_falls_back_to_nearest_existing() {
    let d = one("spec:\n  containers:\n  - name: app\n");
    let p = FieldPath::parse("spec.containers[0].securityContext.privileged").unwrap();
    let (prefix, loc) = d.spans.locate(&p);
    assert_eq!(prefix.to_string(), "spec.containers[0]");
    assert_eq!(lc(loc.key.unwrap()), (3, 3));
    assert_eq!(lc(d.locate(&p).primary()), (3, 3));
    assert!(d.spans.get(&p).is_none());
    // The allocation-free form agrees, whatever the split into prefix and path.
    for split in ["", "spec", "spec.containers[0]"] {
        let prefix = FieldPath::parse(split).unwrap();
        let mut rest = FieldPath::root();
        for seg in &p.segments()[prefix.segments().len()..] {
            match seg {
                crate::path::Seg::Key(k) => rest.push_key(k),
                crate::path::Seg::Index(i) => rest.push_index(*i),
            }
        }
        assert_eq!(d.spans.position(&prefix, &rest), loc.primary(), "{split}");
    }
    let h = PathHash::root().key("spec").key("containers").index(0);
    assert_eq!(d.spans.get_hashed(h), d.spans.get(&prefix));
}

#[test]
fn nested_flow_and_anchored_items() {
    let d = one("a: [1, {b: [x, w]}, \"q\"]\nl:\n  - &k ü\n  - - p\n    - q\n");
    assert_eq!(d.value["a"], json!([1, {"b": ["x", "w"]}, "q"]));
    let l = at(&d, "a[1].b[1]");
    assert_eq!(l.key, None);
    assert_eq!(lc(l.value), (1, 16));
    let l = at(&d, "a[1].b");
    assert_eq!(lc(l.key.unwrap()), (1, 9));
    let l = at(&d, "l[0]");
    assert_eq!(lc(l.key.unwrap()), (3, 3));
    assert_eq!(lc(l.value), (3, 5));
    let l = at(&d, "l[1][1]");
    assert_eq!(lc(l.key.unwrap()), (5, 5));
    let l = at(&d, "l[1]");
    assert_eq!(lc(l.key.unwrap()), (4, 3));
}

#[test]
fn anchored_and_tagged_sequences() {
    let d = one("- a: &x [1, 2]\n  b: !!seq [3]\n  c: &y\n    - 4\n  d: *x\n");
    assert_eq!(d.value[0]["d"], json!([1, 2]));
    // Flow items have no dash; block items do.
    assert_eq!(at(&d, "[0].a[1]").key, None);
    assert_eq!(at(&d, "[0].b[0]").key, None);
    assert_eq!(lc(at(&d, "[0].c[0]").key.unwrap()), (4, 5));
    assert_eq!(lc(at(&d, "[0].c").value), (3, 6));
    assert_eq!(lc(at(&d, "[0]").key.unwrap()), (1, 1));
    // Values that come from an alias are located at the alias.
    assert!(d
        .spans
        .get(&FieldPath::parse("[0].d[0]").unwrap())
        .is_none());
    let (prefix, loc) = d.spans.locate(&FieldPath::parse("[0].d[0]").unwrap());
    assert_eq!(prefix.to_string(), "[0].d");
    assert_eq!(lc(loc.value), (5, 6));
}

#[test]
fn unicode_columns_and_offsets() {
    let text = "ä: \"héllo\"\nb: [é, 😀, z]\n";
    let d = one(text);
    let l = at(&d, "b[2]");
    assert_eq!(lc(l.value), (2, 11));
    assert_eq!(&text[l.value.offset..l.value.offset + 1], "z");
    let l = at(&d, "b");
    assert_eq!(&text[l.key.unwrap().offset..l.key.unwrap().offset + 1], "b");
    let l = at(&d, "[\"ä\"]");
    assert_eq!(lc(l.value), (1, 4));
    assert_eq!(&text[l.value.offset..l.value.offset + 1], "\"");
}

#[test]
fn bom_and_crlf_shift_nothing() {
    let plain = "a: 1\nb:\n  - x\n  - y\n";
    let crlf = plain.replace('\n', "\r\n");
    let cr = plain.replace('\n', "\r");
    let bom = format!("\u{feff}{crlf}");
    let p = one(plain);
    for (text, extra) in [(crlf.as_str(), 0), (bom.as_str(), 3), (cr.as_str(), 0)] {
        let d = one(text);
        assert_eq!(d.value, p.value);
        for path in ["a", "b", "b[0]", "b[1]"] {
            let (x, y) = (at(&p, path), at(&d, path));
            assert_eq!(lc(x.value), lc(y.value), "{path}");
            assert_eq!(x.key.map(lc), y.key.map(lc), "{path}");
            let off = y.value.offset;
            assert_eq!(
                &text[off..off + 1],
                &plain[x.value.offset..x.value.offset + 1]
            );
            assert!(off >= x.value.offset + extra);
        }
    }
    assert_eq!(lc(at(&one(&bom), "a").key.unwrap()), (1, 1));
    assert_eq!(at(&one(&bom), "a").key.unwrap().offset, 3);
}

#[test]
fn helm_sources_and_multi_documents() {
    let text = "---\n# Source: chart/templates/a.yaml\nkind: A\n---\n# just a comment\n---\n---\n# Source: chart/templates/b.yaml\nkind: B\n...\n---\nkind: C\n";
    let loaded = load(text, &Limits::default());
    assert!(loaded.error.is_none());
    let d = &loaded.documents;
    assert_eq!(d.len(), 3);
    assert_eq!(d[0].source.as_deref(), Some("chart/templates/a.yaml"));
    assert_eq!(d[1].source.as_deref(), Some("chart/templates/b.yaml"));
    assert_eq!(d[2].source, None);
    assert_eq!(d[1].value, json!({"kind": "B"}));
    assert_eq!((d[0].index, d[1].index, d[2].index), (0, 3, 4));
    assert_eq!(lc(d[1].start), (9, 1));
    assert_eq!(lc(at(&d[2], "kind").key.unwrap()), (12, 1));
    // A first implicit document can carry a source comment too.
    let d = one("# Source: c/templates/x.yaml\nkind: X\n");
    assert_eq!(d.source.as_deref(), Some("c/templates/x.yaml"));
    assert!(load("", &Limits::default()).documents.is_empty());
    assert!(load("# only\n---\n", &Limits::default())
        .documents
        .is_empty());
}

#[test]
fn json_input() {
    let d = one("{\n  \"kind\": \"Pod\",\n  \"spec\": {\"containers\": [{\"name\": \"a\", \"n\": 1.5, \"t\": true, \"z\": null}]}\n}\n");
    assert_eq!(
        d.value,
        json!({"kind": "Pod", "spec": {"containers": [{"name": "a", "n": 1.5, "t": true, "z": null}]}})
    );
    let l = at(&d, "spec.containers[0].name");
    assert_eq!(lc(l.key.unwrap()), (3, 28));
}

#[test]
fn scalars_resolve_like_kubernetes() {
    let d = one("a: yes\nb: Off\nc: \"yes\"\nd: 0x10\ne: 017\nf: ~\ng:\nh: !!str 12\ni: 1.0\nj: !!str .inf\nk: '12'\nl: |\n  text\n0x10: hex key\nyes: bool key\n123456.789e3: float key\n");
    assert_eq!(
        d.value,
        json!({"a": true, "b": false, "c": "yes", "d": 16, "e": 15, "f": null, "g": null,
               "h": "12", "i": 1, "j": ".inf", "k": "12", "l": "text\n",
               "16": "hex key", "true": "bool key", "1.2345679e+08": "float key"})
    );
    let e = load("a: !!int x\n", &Limits::default()).error.unwrap();
    assert!(e.message.contains("integer"), "{e}");
}

#[test]
fn merge_keys() {
    let d =
        one("base: &b\n  x: 1\n  w: 2\nother: &o\n  z: 3\n  x: 9\nm:\n  <<: [*b, *o]\n  w: 5\n");
    assert_eq!(d.value["m"], json!({"w": 5, "x": 1, "z": 3}));
    // YAML 1.1 as Kubernetes reads it: a plain `y` key is the boolean true.
    let d = one("y: 1\nn: 2\n");
    assert_eq!(d.value, json!({"true": 1, "false": 2}));
    let d = one("base: &b {x: 1}\nm:\n  <<: *b\n");
    assert_eq!(d.value["m"], json!({"x": 1}));
    let e = load("m:\n  <<: 3\n", &Limits::default()).error.unwrap();
    assert!(e.message.contains("merge key"));
    // A quoted "<<" is an ordinary key.
    let d = one("m: {\"<<\": 1}\n");
    assert_eq!(d.value["m"], json!({"<<": 1}));
}

#[test]
fn duplicate_keys_are_errors_with_positions() {
    let e = load("a: 1\nb:\n  c: 1\n  c: 2\n", &Limits::default())
        .error
        .unwrap();
    assert_eq!((e.pos.line, e.pos.column), (4, 3));
    assert!(e.message.contains("duplicate key `c`"), "{e}");
    assert!(e.message.contains("line 3, column 3"), "{e}");
    // `0x1` and `1` are the same key once resolved.
    assert!(load("{1: a, 0x1: b}", &Limits::default()).error.is_some());
}

#[test]
fn documents_before_an_error_are_kept() {
    let loaded = load("a: 1\n---\nb: [\n---\nc: 3\n", &Limits::default());
    assert_eq!(loaded.documents.len(), 1);
    let e = loaded.error.unwrap();
    assert_eq!(e.document, 1);
    assert!(e.pos.line >= 3, "{e}");
    assert!(e.to_string().contains("line"), "{e}");
}

#[test]
fn error_positions() {
    let e = load("a: 1\nb: \"unterminated\n", &Limits::default())
        .error
        .unwrap();
    assert_eq!((e.pos.line, e.pos.column), (2, 4), "{e}");
    assert!(e.message.contains("quoted scalar"), "{e}");
    let e = load("a: 1\n  b: 2\n", &Limits::default()).error.unwrap();
    assert_eq!((e.pos.line, e.pos.column), (2, 4), "{e}");
    let e = load("a: *nope\n", &Limits::default()).error.unwrap();
    assert!(e.message.contains("anchor"), "{e}");
    assert_eq!(e.pos.line, 1);
}

#[test]
fn load_one_wants_exactly_one_document() {
    assert!(load_one("a: 1\n").is_ok());
    assert!(load_one("").is_err());
    let e = load_one("a: 1\n---\nb: 2\n").unwrap_err();
    assert_eq!(e.pos.line, 3);
}

#[test]
fn invalid_utf8_is_reported_with_position() {
    let loaded = load_bytes(b"a: 1\nb: \xff\xfe\n", &Limits::default());
    assert!(loaded.documents.is_empty());
    let e = loaded.error.unwrap();
    assert_eq!((e.pos.line, e.pos.column, e.pos.offset), (2, 4, 8));
    assert!(load_bytes(b"a: 1\n", &Limits::default()).error.is_none());
}

#[test]
fn miette_label_points_at_offset() {
    use miette::Diagnostic;
    let e = load("a: 1\na: 2\n", &Limits::default()).error.unwrap();
    let labels: Vec<_> = e.labels().unwrap().collect();
    assert_eq!(labels[0].offset(), 5);
}

fn timed_error(text: &str) -> YamlError {
    let start = std::time::Instant::now();
    let loaded = load(text, &Limits::default());
    let elapsed = start.elapsed();
    assert!(
        elapsed < std::time::Duration::from_secs(5),
        "took {elapsed:?}"
    );
    loaded.error.expect("hostile input must be an error")
}

#[test]
fn alias_bomb_ends_in_an_error() {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..12 {
        let prev = format!("*a{}", i - 1);
        let items = [prev.as_str(); 9].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{items}]\n"));
    }
    let e = timed_error(&text);
    assert!(e.message.contains("too large"), "{e}");
    // A small limit trips on a modest expansion too.
    let small = Limits {
        max_depth: 64,
        max_nodes: 50,
    };
    let e = load(
        "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: [*a, *a, *a, *a, *a]\n",
        &small,
    )
    .error
    .unwrap();
    assert!(e.message.contains("more than 50 values"), "{e}");
    assert_eq!(e.pos.line, 2);
}

#[test]
fn deep_flow_nesting_ends_in_an_error() {
    for open in ["[", "{a: ", "[{a: "] {
        let text = open.repeat(100_000);
        let e = timed_error(&text);
        assert!(e.message.contains("nested too deeply"), "{e}");
    }
}

#[test]
fn deep_block_nesting_ends_in_an_error() {
    let text = format!("{}x\n", "- ".repeat(100_000));
    let e = timed_error(&text);
    assert!(e.message.contains("more than 512 levels"), "{e}");
    // Block mappings, one level per line.
    let mut text = String::new();
    for i in 0..2_000 {
        text.push_str(&" ".repeat(i));
        text.push_str("a:\n");
    }
    let e = timed_error(&text);
    assert!(e.message.contains("nested too deeply"), "{e}");
    // Within the limit, deep nesting loads.
    let text = format!("{}x\n", "- ".repeat(500));
    assert!(load(&text, &Limits::default()).error.is_none());
}

#[test]
fn binary_garbage_ends_in_an_error() {
    let mut bytes = Vec::new();
    let mut x: u32 = 12345;
    for _ in 0..200_000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        bytes.push((x >> 16) as u8);
    }
    let start = std::time::Instant::now();
    let loaded = load_bytes(&bytes, &Limits::default());
    assert!(loaded.error.is_some());
    let text: String = bytes.iter().map(|b| char::from(*b)).collect();
    let loaded = load(&text, &Limits::default());
    assert!(loaded.error.is_some());
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn aliases_cannot_stack_nesting_past_the_depth_limit() {
    // Each anchor nests the previous one 400 levels deeper: few values, but
    // the copies would be 400 × 300 levels deep.
    let mut text = format!("a0: &a0 {}x{}\n", "[".repeat(200), "]".repeat(200));
    for i in 1..300 {
        text.push_str(&format!(
            "a{i}: &a{i} {}*a{}{}\n",
            "[".repeat(200),
            i - 1,
            "]".repeat(200)
        ));
    }
    let e = timed_error(&text);
    assert!(e.message.contains("nested too deeply"), "{e}");
    // a1 reaches 401 levels; a2 would pass 512.
    assert_eq!(e.pos.line, 3);
}

#[test]
fn fuzz_regressions() {
    // An empty block item at the very end of the text (BOM, CRLF).
    let d = one("\u{feff}aspec:\r\n  -");
    assert_eq!(d.value, json!({"aspec": [null]}));
    assert_eq!(lc(at(&d, "aspec[0]").key.unwrap()), (2, 3));
    // A reserved directive with a non-ASCII name made the parser's character
    // index drift (positions come from its lines and columns instead). Such
    // a directive is refused now, as kubectl's document splitter refuses it,
    // at its own place.
    let text = "%\u{7e4}-\n\n\n---\n\n-\n-\n- a\n";
    let e = load(text, &Limits::default()).error.unwrap();
    assert!(e.message.starts_with("a directive"), "{}", e.message);
    assert_eq!((e.pos.line, e.pos.column, e.pos.offset), (1, 1, 0));
    // The parser put this error on a line past the end of the text; the
    // control character, which kubectl refuses, is the error now, at itself.
    let e = load("%\u{12}", &Limits::default()).error.unwrap();
    assert_eq!((e.pos.line, e.pos.column, e.pos.offset), (1, 2, 1));
    assert!(e.message.contains("U+0012"), "{e}");
    // An empty value at the very end.
    // An empty key at the very end: null, which kubectl refuses.
    let e = load("? ", &Limits::default()).error.unwrap();
    assert_eq!((e.pos.line, e.pos.column), (1, 3), "{e}");
    assert!(e.message.starts_with("a null key"), "{e}");
}

#[test]
fn flow_collection_closed_at_the_key_indentation() {
    // go-yaml accepts a closing bracket at its key's indentation; YAML 1.2
    // (and saphyr-parser) want it indented more.
    let text = "spec:\n  args: [\n      \"-a\", \"x\",\n      \"-b\",\n  ]\n  env: {\n    k: \"v\"\n  }\n  image: i\n";
    let d = one(text);
    assert_eq!(d.value["spec"]["args"], json!(["-a", "x", "-b"]));
    assert_eq!(d.value["spec"]["env"], json!({"k": "v"}));
    // Positions are the original text's, on and after the repaired lines.
    let l = at(&d, "spec.args[2]");
    assert_eq!(lc(l.value), (4, 7));
    assert_eq!(l.value.offset, text.find("\"-b\"").unwrap());
    let l = at(&d, "spec.image");
    assert_eq!(lc(l.key.unwrap()), (9, 3));
    assert_eq!(l.key.unwrap().offset, text.find("image").unwrap());
    assert_eq!(lc(l.value), (9, 10));
    // At the top level, in a sequence item, and nested brackets.
    assert_eq!(
        one("b: [\n  \"x\",\n]\nc: 1\n").value,
        json!({"b": ["x"], "c": 1})
    );
    assert_eq!(
        one("- b: [\n    \"x\",\n  ]\n  c: ü\n").value,
        json!([{"b": ["x"], "c": "ü"}])
    );
    let d = one("a:\n  b: [[\n    \"x\"],\n  ]\n  c: ü\n");
    assert_eq!(d.value, json!({"a": {"b": [["x"]], "c": "ü"}}));
    assert_eq!(lc(at(&d, "a.c").value), (5, 6));
    // Documents read before a repair are handed over once.
    let loaded = load(
        "a: 1\n---\nb: [\n  \"x\",\n]\n---\nc: 2\n",
        &Limits::default(),
    );
    assert!(loaded.error.is_none(), "{:?}", loaded.error);
    let values: Vec<_> = loaded.documents.iter().map(|d| d.value.clone()).collect();
    assert_eq!(
        values,
        vec![json!({"a": 1}), json!({"b": ["x"]}), json!({"c": 2})]
    );
    let indexes: Vec<_> = loaded.documents.iter().map(|d| d.index).collect();
    assert_eq!(indexes, vec![0, 1, 2]);
}

#[test]
fn quoted_scalar_continued_at_the_key_indentation() {
    let text = "metadata:\n  annotations:\n    x: '[\n        {\n            \"n\": \"it''s\"\n        }\n    ]'\n    w: \"a\n    b\\\n    c\"\n    z: 1\n";
    let d = one(text);
    assert_eq!(
        d.value["metadata"]["annotations"]["x"],
        json!("[ { \"n\": \"it's\" } ]")
    );
    assert_eq!(d.value["metadata"]["annotations"]["w"], json!("a bc"));
    let l = at(&d, "metadata.annotations.z");
    assert_eq!(lc(l.key.unwrap()), (11, 5));
    assert_eq!(l.key.unwrap().offset, text.find("z:").unwrap());
    let l = at(&d, "metadata.annotations.w");
    assert_eq!(lc(l.value), (8, 8));
    assert_eq!(one("b: 'x\ny'\n").value, json!({"b": "x y"}));
    // Non-ASCII text before and inside the repaired lines.
    let d = one("a:\n  ü: 'é\n  ü'\n  z: ö\n");
    assert_eq!(d.value["a"]["ü"], json!("é ü"));
    let l = at(&d, "a.z");
    assert_eq!(lc(l.value), (4, 6));
    assert_eq!(l.value.offset, "a:\n  ü: 'é\n  ü'\n  z: ".len());
}

#[test]
fn flow_collection_continued_left_of_its_key() {
    // go-yaml does not look at indentation inside a flow collection: a line
    // of one may start anywhere, even with a tab.
    let text = "spec:\n  args: [a,\nb,\n\t \"c\",\n  d\ne]\n  env: {k: 1,\n é: [x,\nw]}\n  z: ü\n";
    let d = one(text);
    assert_eq!(d.value["spec"]["args"], json!(["a", "b", "c", "d e"]));
    assert_eq!(d.value["spec"]["env"], json!({"k": 1, "é": ["x", "w"]}));
    // Positions are the original text's, on the lifted lines and after.
    assert_eq!(lc(at(&d, "spec.args[1]").value), (3, 1));
    assert_eq!(lc(at(&d, "spec.args[2]").value), (4, 3));
    assert_eq!(
        at(&d, "spec.args[2]").value.offset,
        text.find("\"c\"").unwrap()
    );
    assert_eq!(lc(at(&d, "spec.args[3]").value), (5, 3));
    let l = at(&d, "spec.env.é");
    assert_eq!(lc(l.key.unwrap()), (8, 2));
    assert_eq!(lc(at(&d, "spec.env.é[1]").value), (9, 1));
    let l = at(&d, "spec.z");
    assert_eq!(lc(l.key.unwrap()), (10, 3));
    assert_eq!(l.value.offset, text.find("ü").unwrap());
    // A key's `:` must be on its line, within 1,024 characters of its start.
    for (text, at) in [
        ("a: {b\n  : 1}\n", (1, 5)),
        ("a: {x: 1, b # c\n  : 1}\n", (1, 11)),
        ("a:\n  b: {\"c\n  d\": 1}\n", (2, 7)),
    ] {
        let e = load(text, &Limits::default()).error.unwrap();
        assert_eq!((e.pos.line, e.pos.column), at, "{text:?}: {e}");
        assert!(e.message.contains("`:` is on a later line"), "{e}");
    }
    let fits = format!("a: {{{}: 1}}\n", "é".repeat(1024));
    assert!(load(&fits, &Limits::default()).error.is_none());
    let far = format!("a: {{{}: 1}}\n", "é".repeat(1025));
    let e = load(&far, &Limits::default()).error.unwrap();
    assert!(e.message.contains("more than 1,024 characters"), "{e}");
    // An explicit key and a value on the next line are fine.
    assert_eq!(
        one("a: {? b\n  : 1, c:\n  2}\n").value,
        json!({"a": {"b": 1, "c": 2}})
    );
}

/// YAML 1.1's line breaks (NEL, U+2028, U+2029) in a flow collection's
/// plain scalars are read as go-yaml reads them: blanks before and after
/// the text, folded inside it.
#[test]
fn yaml_1_1_breaks_in_flow_plain_scalars() {
    let cases = [
        ("[a,\u{85}b]", json!(["a", "b"])),
        ("[a\u{2028}, b]", json!(["a", "b"])),
        ("[a\u{85}b]", json!(["a b"])),
        ("[a \u{85} b]", json!(["a b"])),
        ("[a \u{2028} b]", json!(["a\u{2028}b"])),
        ("[a\u{85}\u{85}b]", json!(["a\nb"])),
        ("[\u{85}1]", json!([1])),
        ("{a: 1,\u{2029}b: 2}", json!({"a": 1, "b": 2})),
    ];
    for (flow, want) in cases {
        assert_eq!(one(&format!("x: {flow}\n")).value["x"], want, "{flow:?}");
    }
    // A comment after the break, a key over two lines, and a break between
    // a key and its `:` are errors, as kubectl refuses them.
    for flow in ["[a\u{85}#b]", "{a\u{85}b: 1}", "{a\u{2028}: 1}"] {
        let e = load(&format!("x: {flow}\n"), &Limits::default()).error;
        assert!(e.is_some(), "{flow:?}");
    }
}

/// Between the tokens of a flow collection, YAML 1.1's line breaks are
/// blanks to go-yaml; saphyr-parser refuses them after a quoted value or a
/// bracket, and reads them into the next token otherwise. Positions after
/// them stay where they are.
#[test]
fn yaml_1_1_breaks_between_flow_tokens() {
    let cases = [
        ("[\"a\"\u{85}, b]", json!(["a", "b"])),
        ("[[a]\u{2028}]", json!([["a"]])),
        ("{a: 'b'\u{2029}}", json!({"a": "b"})),
        ("[\u{85}\"a\"]", json!(["a"])),
        ("[a,\u{85}]", json!(["a"])),
        ("{a:\u{85}\"b\"}", json!({"a": "b"})),
        ("{a:\u{85}}", json!({"a": null})),
        ("[&x\u{85}a, *x]", json!(["a", "a"])),
        ("[!!str\u{2028}1]", json!(["1"])),
        ("[a,\u{85}*x]", Value::Null),
    ];
    for (flow, want) in cases {
        let loaded = load(&format!("x: &x {flow}\nz: 1\n"), &Limits::default());
        if want.is_null() {
            // `*x` names the anchor being defined: an error, read alike.
            assert!(loaded.error.is_some(), "{flow:?}");
            continue;
        }
        assert!(loaded.error.is_none(), "{flow:?}: {:?}", loaded.error);
        let doc = &loaded.documents[0];
        assert_eq!(doc.value["x"], want, "{flow:?}");
        assert_eq!(lc(at(doc, "z").value), (2, 4), "{flow:?}");
    }
    // In a comment the break ends the comment to go-yaml, which then reads
    // on: eyelint refuses it rather than read less than kubectl.
    let e = load("x: [a, # c\u{85} b\n  ]\n", &Limits::default()).error;
    assert!(e.is_some_and(|e| e.message.contains("cuts the line in two")));
    // Each such break costs a re-read; the loader stops, with an error
    // that says so, where other repairs stop.
    let many = format!("x: [{}]\n", "\"a\"\u{85}, ".repeat(5000));
    let e = load(&many, &Limits::default()).error;
    let e = e.unwrap_or_else(|| panic!("5,000 breaks read"));
    assert!(e.message.contains("stopped after"), "{e:?}");
    assert!(e.pos.column > 1000, "{e:?}");
}

/// A YAML 1.1 line break at the end of a line ends it, as go-yaml reads it:
/// an empty line follows, which folds into a plain value that goes on, and
/// means nothing elsewhere. Positions after it stay where they are.
#[test]
fn yaml_1_1_breaks_at_line_ends() {
    let text = "a:\u{85}\n  b: c\u{2028} # d\u{85}\n  e: f \u{85}\n    g\nh:\n- \u{2029}\n- i\nk: [1,\u{85}\n  2]\nl: 'm\u{85}\n  n'\n";
    let loaded = load(text, &Limits::default());
    assert!(loaded.error.is_none(), "{:?}", loaded.error);
    let doc = &loaded.documents[0];
    assert_eq!(
        doc.value,
        json!({"a": {"b": "c", "e": "f\ng"}, "h": [null, "i"], "k": [1, 2], "l": "m\nn"})
    );
    assert_eq!(lc(at(doc, "a.e").key.unwrap_or_default()), (3, 3));
    assert_eq!(lc(at(doc, "k[1]").value), (9, 3));
    // At a line's start the line's content starts after it, at column 0 to
    // go-yaml; positions stay the original's.
    let loaded = load("a:\n\u{85}  b: c\n \u{2028}  d: e\n", &Limits::default());
    assert!(loaded.error.is_none(), "{:?}", loaded.error);
    let doc = &loaded.documents[0];
    assert_eq!(doc.value, json!({"a": {"b": "c", "d": "e"}}));
    assert_eq!(lc(at(doc, "a.b").key.unwrap_or_default()), (2, 4));
    assert_eq!(lc(at(doc, "a.d").value), (3, 8));
    // In a block scalar's lines, or after its header, it would be an empty
    // line more: an error, at it.
    for (text, column) in [("a: |\u{85}\n  b\n", 5), ("a: |\n  b\u{2028}\n  c\n", 4)] {
        let e = load(text, &Limits::default()).error;
        let e = e.unwrap_or_else(|| panic!("{text:?} read"));
        assert!(e.message.contains("YAML 1.1"), "{e:?}");
        assert_eq!(e.pos.column, column, "{text:?}");
    }
}

/// A YAML 1.1 break before every line's first token puts a shift on every
/// line: positions are still found in logarithmic time (50,000 lines took
/// minutes when each position summed the shifts before it).
#[test]
fn yaml_1_1_breaks_on_every_line_load_quickly() {
    let lines: String = (0..50_000)
        .map(|i| format!("\u{2028}  k{i}: \"v\u{85}{i}\"\n"))
        .collect();
    let text = format!("data:\n{lines}");
    let start = std::time::Instant::now();
    let loaded = load(&text, &Limits::default());
    let elapsed = start.elapsed();
    assert!(loaded.error.is_none(), "{:?}", loaded.error);
    let doc = &loaded.documents[0];
    assert_eq!(doc.value["data"]["k49999"], json!("v 49999"));
    assert_eq!(lc(at(doc, "data.k49999").value), (50_001, 12));
    assert!(
        elapsed < std::time::Duration::from_secs(10),
        "took {elapsed:?}"
    );
}

/// A tab that starts a blank or comment line of a block collection is an
/// error at it, as go-yaml refuses it; in a flow collection, after a token
/// and in a quoted value it is a blank.
#[test]
fn tabs_that_start_a_line() {
    for (text, at) in [
        ("\t# c\na: 1\n", (1, 1)),
        ("a: 1\r\n  \t\r\nb: 2\r\n", (2, 3)),
        ("a:\n  b: c\n\t\n", (3, 1)),
        ("x:\n  a: b\n\t\n    c\n", (3, 1)),
    ] {
        let e = load(text, &Limits::default()).error;
        let e = e.unwrap_or_else(|| panic!("{text:?} read"));
        assert!(e.message.contains("tab"), "{e:?}");
        assert_eq!((e.pos.line, e.pos.column), at, "{text:?}");
    }
    for text in [
        "a: [1,\n\t\n  2]\n",
        "a: 1\t# c\n",
        "a: \"b\n\t\n  c\"\n",
        "a: b\n  \tc\n",
    ] {
        let e = load(text, &Limits::default()).error;
        assert!(e.is_none(), "{text:?}: {e:?}");
    }
}

/// In a quoted value, YAML 1.1's line breaks fold as go-yaml folds them.
#[test]
fn yaml_1_1_breaks_in_quoted_values() {
    let cases = [
        ("\"a\u{85}b\"", "a b"),
        ("\"a \u{85}  b\"", "a b"),
        ("\"a\u{85}\u{85}b\"", "a\nb"),
        ("\"a\u{2028}b\"", "a\u{2028}b"),
        ("\"a \u{2029} b\"", "a\u{2029}b"),
        ("\"a\u{2028}\u{85}b\"", "a\u{2028}\nb"),
        ("\"a\u{85}\n  b\"", "a\nb"),
        ("\"\u{85}a\"", " a"),
        ("\"a \u{85} \"", "a "),
        ("\"a\\\u{85}  b\"", "ab"),
        ("\"a\\t\u{85}\\x41\\u00e9\\N\"", "a\t A\u{e9}\u{85}"),
        ("'it''s\u{85}ok'", "it's ok"),
        ("'a\\\u{85}b'", "a\\ b"),
        ("&q \"a\u{85}b\"", "a b"),
    ];
    for (quoted, want) in cases {
        let loaded = load(&format!("x: {quoted}\nz: [{quoted}]\n"), &Limits::default());
        assert!(loaded.error.is_none(), "{quoted:?}: {:?}", loaded.error);
        let doc = &loaded.documents[0];
        assert_eq!(doc.value["x"], json!(want), "{quoted:?}");
        assert_eq!(doc.value["z"], json!([want]), "{quoted:?}");
    }
    // A document marker right after a break is refused, at the marker.
    for (quoted, column) in [("\"a\u{85}--- b\"", 7), ("'a\u{2028}... b'", 7)] {
        let e = load(&format!("x: {quoted}\n"), &Limits::default()).error;
        let e = e.unwrap_or_else(|| panic!("{quoted:?} read"));
        assert!(e.message.contains("document marker"), "{e:?}");
        assert_eq!((e.pos.line, e.pos.column), (1, column), "{quoted:?}");
    }
}

/// A line that starts with `---` is a document separator to kubectl
/// whatever follows: a comment right after it (`---#c`) separates, other
/// content is an error at it.
#[test]
fn lines_that_start_with_three_dashes() {
    let loaded = load(
        "a: 1\n---#c\nb: 2\n---\u{a0}#c\nc: 3\n--- \u{a0}#c\nd: 4\n--- \u{2003}\ne: 5\n",
        &Limits::default(),
    );
    assert!(loaded.error.is_none(), "{:?}", loaded.error);
    let values: Vec<_> = loaded.documents.iter().map(|d| d.value.clone()).collect();
    assert_eq!(
        values,
        vec![
            json!({"a": 1}),
            json!({"b": 2}),
            json!({"c": 3}),
            json!({"d": 4}),
            json!({"e": 5})
        ]
    );
    assert_eq!(lc(at(&loaded.documents[1], "b").value), (3, 4));
    for (text, at) in [
        ("a: 1\n---x: 2\nb: 3\n", (2, 4)),
        ("a: 1\n----\nb: 3\n", (2, 4)),
        ("---x\na: 1\n", (1, 4)),
        ("a: 1\n---  {b: 1}\n", (2, 6)),
        ("--- |\n  text\n", (1, 5)),
    ] {
        let e = load(text, &Limits::default()).error.unwrap();
        assert!(
            e.message.starts_with("content on a `---` line"),
            "{text:?}: {e}"
        );
        assert_eq!((e.pos.line, e.pos.column), at, "{text:?}");
    }
    // Where the splitter hands the line to the YAML parser (the first line,
    // or right after another separator), `---#c` is content, as to go-yaml.
    assert!(load("---#c\na: 1\n", &Limits::default()).error.is_some());
}

/// In a flow collection, `|` and `>` start no token to go-yaml.
#[test]
fn block_scalar_indicators_in_flow_collections() {
    for flow in ["{|}", "[>]", "[a, |-]", "{a: >}"] {
        let e = load(&format!("x: {flow}\n"), &Limits::default())
            .error
            .unwrap();
        assert!(e.message.contains("cannot start a value"), "{flow:?}: {e}");
        assert_eq!(e.pos.line, 1);
    }
    assert_eq!(
        one("x: [a|, 'b>', \"|\"]\n").value["x"],
        json!(["a|", "b>", "|"])
    );
}

#[test]
fn lenient_indentation_stays_narrow() {
    // Real errors stay errors, with their original positions.
    let e = load("a:\n  b: [\n  ]\n  c: [\n", &Limits::default())
        .error
        .unwrap();
    assert_eq!(e.pos.line, 5, "{e}");
    let e = load("a:\n  b: 1\n c: 2\n", &Limits::default())
        .error
        .unwrap();
    assert_eq!((e.pos.line, e.pos.column), (3, 2), "{e}");
    // A document marker inside a quoted scalar is not repaired.
    let e = load("a: 'x\n--- y'\n", &Limits::default()).error;
    assert!(e.is_some());
    // An unterminated quoted scalar is not repaired.
    let e = load("a: 'x\ny\n", &Limits::default()).error;
    assert!(e.is_some());
    // Block content left of its key is not lifted, nor is a line inside a
    // flow collection that the lift would not mend (a document marker).
    let e = load("a:\n  b: 1\n c: [x,\n y]\n", &Limits::default())
        .error
        .unwrap();
    assert_eq!((e.pos.line, e.pos.column), (3, 2), "{e}");
    let e = load("a: [x,\n---\ny]\n", &Limits::default()).error.unwrap();
    assert_eq!(e.pos.line, 2, "{e}");
    // Many repairable lines: repaired one parse at a time...
    let mut text = String::from("a:\n");
    for i in 0..200 {
        text.push_str(&format!("  k{i}: [\n    \"x\",\n  ]\n"));
    }
    let d = one(&text);
    assert_eq!(d.value["a"]["k199"], json!(["x"]));
    assert_eq!(lc(at(&d, "a.k199").key.unwrap()), (599, 3));
    // ...within a budget: beyond it, the parser's error, quickly.
    let mut text = String::from("a:\n");
    for i in 0..20_000 {
        text.push_str(&format!("  k{i}: [\n    \"x\",\n  ]\n"));
    }
    let e = timed_error(&text);
    assert_eq!(e.message, "invalid indentation");
}

/// Every path of `v` from `at`, with paths that do not exist below each.
fn paths_and_misses(v: &serde_json::Value, at: FieldPath, out: &mut Vec<FieldPath>) {
    out.push(at.key("notThere").key("deeper"));
    out.push(at.index(99));
    match v {
        serde_json::Value::Object(m) => {
            for (k, child) in m {
                paths_and_misses(child, at.key(k), out);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                paths_and_misses(child, at.index(i), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// `position` (longest prefix first) finds what the walk from the root finds.
fn position_agrees_with_walk(text: &str) -> usize {
    let mut checked = 0;
    load_with(text, &Limits::default(), |d| {
        let mut paths = Vec::new();
        paths_and_misses(&d.value, FieldPath::root(), &mut paths);
        let prefixes = [FieldPath::root(), FieldPath::root().key("items").index(0)];
        for p in &paths {
            for prefix in &prefixes {
                assert_eq!(
                    d.spans.position(prefix, p),
                    d.spans.position_walk(prefix, p),
                    "{prefix} + {p} in {text:?}"
                );
                checked += 1;
            }
        }
    });
    checked
}

#[test]
fn position_finds_the_longest_located_prefix() {
    for text in [
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: app\n    image: x\n",
        "a: [1, {b: [x, w]}, \"q\"]\nl:\n  - &k ü\n  - - p\n    - q\n  - *k\n",
        "base: &b {x: 1, y: {z: 2}}\nuse:\n  <<: *b\n  y: 3\n",
        "{\"kind\": \"List\", \"items\": [{\"kind\": \"Pod\", \"spec\": {}}, null]}",
        "k: ~\nempty:\nlist: []\nmap: {}\n\"a.b\": {\"c/d\": 1}\n",
        "---\n# only a comment\n---\nplain\n---\n- 1\n- [2, [3]]\n",
    ] {
        assert!(position_agrees_with_walk(text) > 0, "{text:?}");
    }
    // A path deeper than the longest-first search keeps on the stack.
    let deep = (0..30).fold(FieldPath::root(), |p, i| p.key(&format!("k{i}")));
    let d = one("k0: {k1: 1}\n");
    assert_eq!(
        d.spans.position(&FieldPath::root(), &deep),
        d.spans.position_walk(&FieldPath::root(), &deep)
    );
    assert_eq!(lc(d.spans.position(&FieldPath::root(), &deep)), (1, 6));
}

#[path = "../../tests/corpus_walk/mod.rs"]
mod corpus_walk;

#[test]
fn position_agrees_with_walk_on_the_corpus() {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus"));
    if !root.is_dir() {
        eprintln!("SKIPPED: {} not found", root.display());
        return;
    }
    let (mut files, mut checked) = (0, 0);
    for p in corpus_walk::yaml_files(root) {
        if let Ok(text) = std::fs::read_to_string(&p) {
            files += 1;
            checked += position_agrees_with_walk(&text);
        }
    }
    eprintln!("{files} files, {checked} positions");
    assert!(files > 100 && checked > 10_000);
}

#[test]
fn json_surrogate_pairs_read_as_one_character() {
    // As Python's json.dumps writes an emoji; kubectl (Go's JSON decoder)
    // and serde_json read the pair as one character.
    let text = "{\"metadata\": {\"annotations\": {\"a\": \"go \\ud83d\\ude80\", \"\\ud83c\\udf89\": \"x\", \"z\": 1}}}\n";
    let d = one(text);
    let ann = &d.value["metadata"]["annotations"];
    assert_eq!(ann["a"], json!("go 🚀"));
    assert_eq!(ann["🎉"], json!("x"));
    // Positions after the mended scalars are the original text's.
    let l = at(&d, "metadata.annotations.z");
    assert_eq!(l.key.unwrap().offset, text.find("\"z\"").unwrap());
    assert_eq!(lc(l.value), (1, text.find(": 1").unwrap() + 3));
    // The same through the reference path alone.
    let mut docs = Vec::new();
    let e = load_reference(text, &Limits::default(), |doc| docs.push(doc));
    assert!(e.is_none(), "{e:?}");
    assert_eq!(docs[0].value, d.value);
    let l = docs[0]
        .spans
        .get(&FieldPath::parse("metadata.annotations.z").unwrap())
        .unwrap();
    assert_eq!(lc(l.value), (1, text.find(": 1").unwrap() + 3));
    // In YAML, which kubectl's YAML parser reads, a surrogate escape is an
    // error at the escape.
    let e = load("a: 1\nb: \"x\\ud83d\"\n", &Limits::default())
        .error
        .unwrap();
    assert_eq!((e.pos.line, e.pos.column), (2, 6), "{e}");
    assert!(e.message.contains("half a UTF-16 surrogate pair"), "{e}");
}

#[test]
fn json_streams_load_value_by_value() {
    // As jq prints results: one object after another, kubectl reads each.
    let text = "\u{feff}{\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": \"a\"}\n}\n{\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": \"b\"}\n} [{\"x\": 1}] {\"ü\": 2, \"z\": 3}\n";
    let loaded = load(text, &Limits::default());
    assert!(loaded.error.is_none(), "{:?}", loaded.error);
    let values: Vec<_> = loaded.documents.iter().map(|d| d.value.clone()).collect();
    assert_eq!(
        values,
        vec![
            json!({"kind": "Pod", "metadata": {"name": "a"}}),
            json!({"kind": "Pod", "metadata": {"name": "b"}}),
            json!([{"x": 1}]),
            json!({"ü": 2, "z": 3}),
        ]
    );
    let indexes: Vec<_> = loaded.documents.iter().map(|d| d.index).collect();
    assert_eq!(indexes, vec![0, 1, 2, 3]);
    // Positions are the whole text's, also for values starting mid-line.
    let d = &loaded.documents[1];
    let l = d
        .spans
        .get(&FieldPath::parse("metadata.name").unwrap())
        .unwrap();
    assert_eq!(lc(l.key.unwrap()), (7, 16));
    assert_eq!(l.key.unwrap().offset, text.rfind("\"name\"").unwrap());
    assert_eq!(lc(d.start), (5, 1));
    let d = &loaded.documents[3];
    assert_eq!(lc(d.start), (8, 14));
    assert_eq!(d.start.offset, text.find("{\"ü\"").unwrap());
    let l = d.spans.get(&FieldPath::parse("z").unwrap()).unwrap();
    assert_eq!(lc(l.key.unwrap()), (8, 23));
    assert_eq!(l.value.offset, text.find("3}").unwrap());
    for t in [
        text,
        "{}{}",
        "[1]\n[2, {\"a\": \"x\"}]\n",
        "{\"a\": &x 1}\n{\"b\": 2}",
    ] {
        if let Err(e) = differential(t, &Limits::default()) {
            panic!("{t:?}: {e}");
        }
    }
}

#[test]
fn json_stream_errors_point_into_the_whole_text() {
    // An error inside a later value: its position in the whole text, the
    // values before it kept.
    let text = "{\"a\": 1}\n{\"b\": 2,\n  \"b\": 3}\n";
    let loaded = load(text, &Limits::default());
    assert_eq!(loaded.documents.len(), 1);
    let e = loaded.error.unwrap();
    assert_eq!((e.pos.line, e.pos.column, e.document), (3, 3, 1), "{e}");
    assert!(e.message.contains("duplicate key"), "{e}");
    // Text after the values that starts no other value.
    let text = "{\"a\": 1}\n{\"b\": 2}\nc: 3\n";
    let loaded = load(text, &Limits::default());
    assert_eq!(loaded.documents.len(), 2);
    let e = loaded.error.unwrap();
    assert_eq!((e.pos.line, e.pos.column, e.document), (3, 1, 2), "{e}");
    assert!(e.message.contains("another JSON value"), "{e}");
    // A cluster-info dump's log sections: pointed at, with the way to read
    // them.
    let text = "{\"kind\": \"PodList\", \"items\": []}\n{\"kind\": \"EventList\", \"items\": []}\n==== START logs for container c of pod ns/p ====\nhello\n";
    let loaded = load(text, &Limits::default());
    assert_eq!(loaded.documents.len(), 2);
    let e = loaded.error.unwrap();
    assert_eq!((e.pos.line, e.pos.column), (3, 1), "{e}");
    assert!(e.message.contains("eyelint sweep --from-dump"), "{e}");
    for t in [
        "{\"a\": 1}\n{\"b\": 2,\n  \"b\": 3}\n",
        "{\"a\": 1}\n{\"b\": 2}\nc: 3\n",
        "{}\n{\"a\": [1, 2}\n",
    ] {
        if let Err(e) = differential(t, &Limits::default()) {
            panic!("{t:?}: {e}");
        }
    }
}

#[test]
fn a_huge_flow_collection_ends_at_the_value_limit_quickly() {
    // 2,000,000 values in one 4 MB flow sequence: past the limit (1,000,000,
    // or one value per 8 bytes), an error within seconds. saphyr-parser
    // held the whole sequence's tokens (about 1 GB here) before failing.
    let text = format!("[{}0]\n", "0,".repeat(1_999_999));
    let e = timed_error(&text);
    assert!(e.message.contains("more than 1000000 values"), "{e}");
    assert_eq!((e.pos.line, e.pos.column), (1, 2_000_000), "{e}");
    // A List as big as kubectl prints for a large cluster is read whole:
    // its values are bounded by its size.
    let item = "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"c\", \"namespace\": \"default\"}, \"data\": {\"k\": \"value\"}}";
    let items = vec![item; 160_000].join(",\n");
    let text =
        format!("{{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n{items}\n]}}\n");
    let loaded = load(&text, &Limits::default());
    assert!(loaded.error.is_none(), "{:?}", loaded.error);
    assert_eq!(
        loaded.documents[0].value["items"].as_array().unwrap().len(),
        160_000
    );
}

/// Every position both loaders record where libyaml, go-yaml and PyYAML
/// put it (`tests/spans_oracle.rs` checks the same against PyYAML on the
/// corpus): a block sequence at its first `-`, a block scalar at its `|` or
/// `>`, an empty value just after its `:`, an empty item just after its
/// `-`, and an item's dash also past a comment or in front of a block scalar.
#[test]
fn positions_are_the_conventional_ones() {
    let text = "same: \n- a\n- b\nnested:\n- - x\n  - y\nblock: |\n  text\nfolded: >- # c\n  t\nempty:\nspaced:   \nitems:\n-\n- # c\n-   \n- |\n  t\n- # c\n  k: v\n-\n  # c\n  k: v\nflow:\n- [ a, b ]\n";
    let [docs, reference] = both_loaders(text);
    for d in [&docs, &reference] {
        let value = |p: &str| lc(at(d, p).value);
        let key = |p: &str| at(d, p).key.map(lc);
        assert_eq!(value("same"), (2, 1));
        assert_eq!(value("nested"), (5, 1));
        assert_eq!(value("nested[0]"), (5, 3));
        assert_eq!(key("nested[0]"), Some((5, 1)));
        assert_eq!(key("nested[0][0]"), Some((5, 3)));
        assert_eq!(value("block"), (7, 8));
        assert_eq!(value("folded"), (9, 9));
        assert_eq!(value("empty"), (11, 7));
        assert_eq!(value("spaced"), (12, 8));
        for (i, line) in [(0, 14), (1, 15), (2, 16), (3, 17)] {
            assert_eq!(key(&format!("items[{i}]")), Some((line, 1)), "items[{i}]");
        }
        assert_eq!(value("items[0]"), (14, 2));
        assert_eq!(value("items[1]"), (15, 2));
        assert_eq!(value("items[2]"), (16, 2));
        assert_eq!(value("items[3]"), (17, 3));
        assert_eq!(key("items[4]"), Some((19, 1)));
        assert_eq!(value("items[4]"), (20, 3));
        assert_eq!(key("items[5]"), Some((21, 1)));
        assert_eq!(value("items[5]"), (23, 3));
        assert_eq!(key("flow[0]"), Some((25, 1)));
        assert_eq!(value("flow[0]"), (25, 3));
        assert_eq!(key("flow[0][1]"), None);
        assert_eq!(value("flow[0][1]"), (25, 8));
    }
    // A document that is a block sequence starts at its first `-`.
    let d = one("# c\n- - a\n");
    assert_eq!(lc(d.start), (2, 1));
}

/// Tabs are blanks where go-yaml (kubectl's parser) takes them for blanks,
/// and errors where it refuses them (`tests/kubectl_reads_alike.rs` checks
/// each placement against kubectl itself).
#[test]
fn tabs_read_as_go_yaml_reads_them() {
    let d = one("a:\tx\nb: {c:\tz}\n");
    assert_eq!(d.value, json!({"a": "x", "b": {"c": "z"}}));
    // The repaired copy keeps every position.
    assert_eq!(lc(at(&d, "a").value), (1, 4));
    assert_eq!(lc(at(&d, "b.c").value), (2, 8));
    for (text, at, what) in [
        ("a:\n-\tx\n", (2, 2), "a tab after `-`"),
        ("a:\n  - \tb: 1\n", (2, 5), "a tab after `-`"),
        ("a:\n- -\tx\n", (2, 4), "a tab after `-`"),
        ("a:\n  \tb: 1\n", (2, 3), "a tab in the indentation"),
    ] {
        let loaded = load(text, &Limits::default());
        let e = loaded.error.unwrap_or_else(|| panic!("{text:?} loads"));
        assert!(e.message.starts_with(what), "{text:?}: {}", e.message);
        assert!(e.message.contains("go-yaml"), "{}", e.message);
        assert_eq!((e.pos.line, e.pos.column), at, "{text:?}");
    }
    // An explicit key's `:` takes no tab in go-yaml either.
    assert!(load("? a\n:\tb\n", &Limits::default()).error.is_some());
    // Tabs in comments, quoted and block scalars are text (in a block
    // scalar, past the indentation its first line sets).
    let d = one("a: \"x\ty\" # \tc\nb: |\n  z\tw\n  \tz\n");
    assert_eq!(d.value, json!({"a": "x\ty", "b": "z\tw\n\tz\n"}));
    // So is a tab inside a key, in a sequence item's mapping too.
    let d = one("- a: 1\n  k\tb: 2\n");
    assert_eq!(d.value, json!([{"a": 1, "k\tb": 2}]));
    // Inside a flow collection a tab is a blank anywhere, indenting a line
    // too.
    assert_eq!(
        one("a:\n  b: [x,\n\tz]\n").value,
        json!({"a": {"b": ["x", "z"]}})
    );
}

/// A comment right after a closing quote or bracket is a comment to go-yaml
/// (kubectl), though YAML 1.2 wants a blank before it; after a plain
/// scalar, `#` is text to both.
#[test]
fn comments_right_after_a_quote_or_bracket() {
    let d = one("a: \"x\"#c\nb: 'é'#ünï\nc: [x]#c\nd: {e: f}#c\ng: h#c\ni: 1\n");
    assert_eq!(
        d.value,
        json!({"a": "x", "b": "é", "c": ["x"], "d": {"e": "f"}, "g": "h#c", "i": 1})
    );
    // Nothing moved.
    assert_eq!(lc(at(&d, "i").key.unwrap()), (6, 1));
    assert_eq!(lc(at(&d, "d.e").value), (4, 8));
    // After a block scalar's header too.
    let d = one("a: |-#c
  text
b:
- >+#c
  t
");
    assert_eq!(
        d.value,
        json!({"a": "text", "b": ["t
"]})
    );
}

/// Found by the `yaml_differential` fuzz target: an empty item whose
/// comment ends in ` -` keeps its own dash in both loaders.
#[test]
fn empty_item_with_a_comment_ending_in_a_dash() {
    let text = "a:\n- # see -\n- x\n";
    let [docs, reference] = both_loaders(text);
    for d in [&docs, &reference] {
        let item = at(d, "a[0]");
        assert_eq!((item.key.map(lc), lc(item.value)), (Some((2, 1)), (2, 2)));
    }
}

/// Found by the `yaml_load` fuzz target: the dash of an item that follows an
/// empty key on its line (`- : -`) is its own, not the line's first.
#[test]
fn dash_after_an_empty_key() {
    // An empty key is null, which kubectl refuses: both loaders stop there,
    // at the key (fuzzing once found their positions of what follows apart).
    for text in ["- : -", "- : - # c\n", "a:\n- : -\n"] {
        let line = if text.starts_with('a') { 2 } else { 1 };
        let e = load(text, &Limits::default()).error.expect(text);
        assert_eq!(e.pos.line, line, "{text:?}: {e}");
        assert!(e.message.starts_with("a null key"), "{e}");
        assert_eq!(differential(text, &Limits::default()), Ok(()), "{text:?}");
    }
}

#[test]
fn byte_order_marks_inside_read_as_kubectl_reads_them() {
    // A mark that starts the line after a `---` line is dropped, as kubectl
    // drops it; it is still a character of its line, so the key after it is
    // at column 2 (columns count characters, and the file's own mark is the
    // only one they skip).
    let text = "\u{feff}a: 1\n--- # x\n\u{feff}b: [x]\nc: \u{feff}v\u{feff}  # \u{feff}\n";
    let loaded = load(text, &Limits::default());
    assert!(loaded.error.is_none(), "{:?}", loaded.error);
    let d = &loaded.documents[1];
    assert_eq!(
        d.value,
        json!({"b": ["x"], "c": "\u{feff}v\u{feff}"}),
        "marks in a scalar are characters of it"
    );
    assert_eq!(lc(d.start), (3, 2));
    assert_eq!(lc(at(d, "b").key.unwrap()), (3, 2));
    assert_eq!(lc(at(d, "b[0]").value), (3, 6));
    assert_eq!(lc(at(d, "c").key.unwrap()), (4, 1));
    assert_eq!(lc(at(d, "c").value), (4, 4));
    // kubectl keeps a mark in a key: an error at the key.
    for (text, pos) in [
        ("---\n\u{feff}a: 1\n", (2, 1)),
        ("# c\n\u{feff}a: 1\n", (2, 1)),
        ("a: 1\n\u{feff}b: 2\n", (2, 1)),
        ("a: {\u{feff}b: 1}\n", (1, 5)),
        ("a: 1\n---\n\n\u{feff}b: 1\n", (4, 1)),
    ] {
        let e = load(text, &Limits::default()).error.expect(text);
        assert_eq!(lc(e.pos), pos, "{text:?}: {e}");
        assert!(
            e.message.contains("it reads the key as `<U+FEFF>"),
            "{text:?}: {e}"
        );
    }
    // A flow collection left open before a `---` line that a mark follows:
    // the error is the one the `---` gives without the mark.
    for (text, message) in [
        (
            "a: {b: 1\n---\n\u{feff}c: 2\n",
            "flow mapping, did not find expected ',' or '}'",
        ),
        (
            "a: [1\n---\n\u{feff}c: 2\n",
            "flow sequence, expected ',' or ']'",
        ),
        (
            "a: {b: [1]\n---\n\u{feff}c: 2\n",
            "flow mapping, did not find expected ',' or '}'",
        ),
    ] {
        let plain = load(&text.replace('\u{feff}', ""), &Limits::default())
            .error
            .expect(text);
        let e = load(text, &Limits::default()).error.expect(text);
        assert!(e.message.ends_with(message), "{text:?}: {e}");
        assert_eq!(
            (e.message.as_str(), lc(e.pos)),
            (plain.message.as_str(), (2, 1)),
            "{text:?}"
        );
    }
    // A mark before `---` inside a document makes it content, not a marker.
    let e = load("a:\n  b: 1\n\u{feff}---\nc: 1\n", &Limits::default()).error;
    assert!(e.is_some());
    // Text that already holds every stand-in keeps saphyr-parser's error.
    let all: String = ('\u{fdd0}'..='\u{fdef}').collect();
    let e = load(
        &format!("a: {all}\n---\n\u{feff}b: 1\n"),
        &Limits::default(),
    )
    .error;
    assert!(e.is_some_and(|e| e.message.contains("byte order mark")));
}

#[test]
fn merge_keys_and_tags_read_as_go_yaml_reads_them() {
    // In the order of the text, the last to set a key wins; of a merged
    // sequence, the first mapping holding a key.
    let d = one("b: &b {a: 1, c: 1}\nx:\n  c: 0\n  <<: [*b, {a: 2, d: 2}]\n  d: 9\n  <<: {e: 5}\n");
    assert_eq!(d.value["x"], json!({"c": 1, "a": 1, "d": 9, "e": 5}));
    let d = one("x:\n  <<: {a: 1}\n  <<: {a: 2}\n  !!merge <<: {b: 3}\n");
    assert_eq!(d.value["x"], json!({"a": 2, "b": 3}));
    // Tags: verbatim core tags, `!!binary` decoded, other tags as text.
    let d = one("a: !<tag:yaml.org,2002:str> 12\nb: !!binary |\n  aGVs\n  bG8=\nc: !foo 12\nd: !!foo true\ne: ! 1.5\n");
    assert_eq!(
        d.value,
        json!({"a": "12", "b": "hello", "c": "12", "d": "true", "e": "1.5"})
    );
    let e = load("a: !!binary aGVsbG8\n", &Limits::default())
        .error
        .unwrap();
    assert!(e.message.contains("not base64"), "{e}");
}
