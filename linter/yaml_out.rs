//! A small YAML emitter for `eyelint config`: block mappings and sequences,
//! plain scalars where they read back as the same string, double-quoted
//! (JSON-escaped, which YAML accepts) everywhere else.

use serde_json::Value;

/// True when `s` can be written unquoted and reads back as the same string.
fn plain_ok(s: &str) -> bool {
    if s.is_empty() || s.trim() != s {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "null"
            | "~"
            | "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "y"
            | "n"
            | ".nan"
            | ".inf"
            | "-.inf"
            | "+.inf"
    ) {
        return false;
    }
    // Anything that could read as a number (decimal, octal, hex, float).
    let mut cs = s.chars();
    let c0 = cs.next().unwrap_or(' ');
    let c1 = cs.next().unwrap_or(' ');
    if c0.is_ascii_digit() || ("+-.".contains(c0) && c1.is_ascii_digit()) {
        return false;
    }
    let first = s.chars().next().unwrap_or(' ');
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return false;
    }
    s.chars().all(|c| {
        c.is_alphanumeric()
            || matches!(
                c,
                '-' | '_' | '.' | '/' | '*' | '$' | '(' | ')' | '=' | '+' | '^' | '\\'
            )
    })
}

/// A scalar or key as YAML.
pub fn scalar(s: &str) -> String {
    if plain_ok(s) {
        return s.to_string();
    }
    let json = Value::String(s.to_string()).to_string();
    // JSON leaves these as they are; YAML 1.1 (kubectl's, and the loader
    // reading the config back) folds its line breaks (NEL, U+2028, U+2029)
    // in a quoted scalar and refuses DEL, C1 controls and U+FFFE/U+FFFF
    // anywhere: they are written as escapes, which read back as themselves.
    let escaped = |c: char| {
        matches!(
            c,
            '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{fffe}' | '\u{ffff}'
        )
    };
    if !json.contains(escaped) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 8);
    for c in json.chars() {
        if escaped(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

fn inline(v: &Value) -> Option<String> {
    match v {
        Value::Null => Some("null".into()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(scalar(s)),
        Value::Array(a) if a.is_empty() => Some("[]".into()),
        Value::Object(m) if m.is_empty() => Some("{}".into()),
        _ => None,
    }
}

fn emit(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) => {
            for (k, val) in m {
                out.push_str(&pad);
                out.push_str(&scalar(k));
                out.push(':');
                match inline(val) {
                    Some(s) => {
                        out.push(' ');
                        out.push_str(&s);
                        out.push('\n');
                    }
                    None => {
                        out.push('\n');
                        let child = if val.is_array() { indent } else { indent + 2 };
                        emit(val, child, out);
                    }
                }
            }
        }
        Value::Array(a) => {
            for item in a {
                out.push_str(&pad);
                out.push('-');
                match inline(item) {
                    Some(s) => {
                        out.push(' ');
                        out.push_str(&s);
                        out.push('\n');
                    }
                    None => {
                        // Nested collection: first line after "- ", the rest indented.
                        let mut inner = String::new();
                        emit(item, indent + 2, &mut inner);
                        out.push(' ');
                        out.push_str(inner.trim_start());
                    }
                }
            }
        }
        other => {
            out.push_str(&pad);
            out.push_str(&inline(other).unwrap_or_default());
            out.push('\n');
        }
    }
}

/// Renders `v` as a YAML document.
pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    match inline(v) {
        Some(s) => {
            out.push_str(&s);
            out.push('\n');
        }
        None => emit(v, 0, &mut out),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn emits_block_yaml_and_quotes_ambiguous_scalars() {
        let v = json!({
            "checks": {"hostIPCSet": "danger"},
            "exemptions": [{"rules": ["a", "b"], "namespace": "kube-system"}],
            "weird": ["yes", "1.0", "", "a: b", "#x", "-1", "ok"],
            "empty": [],
            "n": 3,
            "nested": [[1, 2], {"k": {"x": true}}]
        });
        let y = to_yaml(&v);
        assert_eq!(
            y,
            "checks:\n  hostIPCSet: danger\nexemptions:\n- rules:\n  - a\n  - b\n  namespace: kube-system\nweird:\n- \"yes\"\n- \"1.0\"\n- \"\"\n- \"a: b\"\n- \"#x\"\n- \"-1\"\n- ok\nempty: []\n\"n\": 3\nnested:\n- - 1\n  - 2\n- k:\n    x: true\n"
        );
        // It reads back as the same value.
        let back = eyelint_policies::yaml::load(&y, &eyelint_policies::yaml::Limits::default());
        assert!(back.error.is_none());
        assert_eq!(back.documents[0].value, v);
    }

    /// Characters JSON leaves raw and YAML 1.1 folds (NEL, U+2028, U+2029)
    /// or refuses (DEL, C1, U+FFFE) read back as themselves.
    #[test]
    fn yaml_1_1_line_breaks_and_refused_characters_read_back() {
        let v =
            json!({"s": ["\u{85}", "a\u{2028}b\u{2029}", "\u{7f}\u{9b}", "x\u{fffe}", "\u{1}\tq"]});
        let y = to_yaml(&v);
        assert!(y.contains("\"\\u0085\""), "{y}");
        assert!(
            !y.contains(['\u{85}', '\u{2028}', '\u{7f}', '\u{9b}', '\u{fffe}']),
            "{y}"
        );
        let back = eyelint_policies::yaml::load(&y, &eyelint_policies::yaml::Limits::default());
        assert!(back.error.is_none(), "{:?}", back.error);
        assert_eq!(back.documents[0].value, v);
    }
}
