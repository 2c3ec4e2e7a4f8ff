//! kubectl reads a manifest as JSON, not as YAML, when its first non-blank
//! character is `{`: its YAML-or-JSON decoder looks at how the text starts.
//! Such a file is then a stream of JSON objects, and what only YAML allows
//! (comments, unquoted keys and strings, single quotes, a trailing comma),
//! a number beyond a float64 (`1e400`) or a value that is not an object
//! makes kubectl refuse the whole file. YAML reads all of these.
//!
//! [`refusal`] says where kubectl's JSON decoder stops. It checks the text
//! in one pass with an explicit stack (no recursion, nothing built).

/// Whether kubectl reads `text` with its JSON decoder: after a byte-order
/// mark, which kubectl's file reader drops, its first character that is not
/// Unicode white space is `{`.
pub fn json_root(text: &str) -> bool {
    after_bom(text)
        .trim_start_matches(char::is_whitespace)
        .starts_with('{')
}

/// `text` without a leading byte-order mark.
fn after_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Where (a byte offset) and why kubectl's JSON decoder refuses `text`;
/// `None` when kubectl reads it as JSON without error, or reads it as YAML.
pub fn refusal(text: &str) -> Option<(usize, String)> {
    if !json_root(text) {
        return None;
    }
    let b = text.as_bytes();
    // The JSON decoder itself skips only JSON's blanks.
    let mut i = blanks(b, text.len() - after_bom(text).len());
    while i < b.len() {
        if b[i] != b'{' {
            let why = match b[i] {
                b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
                    "kubectl reads each value of a file that starts with `{` as an object, and \
                     this value is not one"
                        .to_string()
                }
                _ => not_json(text, i, "another JSON object or the end"),
            };
            return Some((i, why));
        }
        i = match object(text, i) {
            Ok(end) => blanks(b, end),
            Err(e) => return Some(e),
        };
    }
    None
}

/// JSON's blanks from `i` on.
fn blanks(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// The message for what is at `i` where `expected` should be.
fn not_json(text: &str, i: usize, expected: &str) -> String {
    let found = match text[i..].chars().next() {
        None => "the end of the file".to_string(),
        Some('#') => "`#` (JSON has no comments)".to_string(),
        Some('\'') => "`'` (JSON strings take double quotes)".to_string(),
        Some(c) if c.is_alphabetic() => format!("`{c}` (JSON keys and strings are quoted)"),
        Some(c) => format!("`{}`", c.escape_debug()),
    };
    format!(
        "kubectl reads a file that starts with `{{` as JSON, and this is not JSON: expected \
         {expected}, found {found} (write it as JSON, or as YAML that does not start with `{{`)"
    )
}

type Step = Result<usize, (usize, String)>;

/// The end of the object at `i` (a `{`).
fn object(text: &str, i: usize) -> Step {
    let b = text.as_bytes();
    // The containers open around the current place: `{` or `[`.
    let mut open: Vec<u8> = Vec::new();
    let mut i = i;
    loop {
        // A value.
        i = blanks(b, i);
        match b.get(i) {
            Some(&c @ (b'{' | b'[')) => {
                let close = if c == b'{' { b'}' } else { b']' };
                let inside = blanks(b, i + 1);
                if b.get(inside) == Some(&close) {
                    i = inside + 1;
                } else {
                    open.push(c);
                    i = if c == b'{' {
                        key(text, inside)?
                    } else {
                        inside
                    };
                    continue;
                }
            }
            Some(b'"') => i = string(text, i)?,
            Some(b'-' | b'0'..=b'9') => i = number(text, i)?,
            Some(b't') => i = literal(text, i, "true")?,
            Some(b'f') => i = literal(text, i, "false")?,
            Some(b'n') => i = literal(text, i, "null")?,
            _ => return Err((i, not_json(text, i, "a JSON value"))),
        }
        // After a value: the next entry, or the ends of containers.
        loop {
            let Some(&top) = open.last() else {
                return Ok(i);
            };
            i = blanks(b, i);
            let close = if top == b'{' { b'}' } else { b']' };
            match b.get(i) {
                Some(b',') if top == b'{' => {
                    i = key(text, blanks(b, i + 1))?;
                    break;
                }
                Some(b',') => {
                    i += 1;
                    break;
                }
                Some(&c) if c == close => {
                    open.pop();
                    i += 1;
                }
                _ => {
                    let expected = if top == b'{' {
                        "`,` or `}`"
                    } else {
                        "`,` or `]`"
                    };
                    return Err((i, not_json(text, i, expected)));
                }
            }
        }
    }
}

/// After a key at `i` and its `:`.
fn key(text: &str, i: usize) -> Step {
    let b = text.as_bytes();
    if b.get(i) != Some(&b'"') {
        return Err((i, not_json(text, i, "a key in double quotes")));
    }
    let i = blanks(b, string(text, i)?);
    if b.get(i) != Some(&b':') {
        return Err((i, not_json(text, i, "`:`")));
    }
    Ok(i + 1)
}

/// The end of the string at `i` (a `"`).
fn string(text: &str, i: usize) -> Step {
    let b = text.as_bytes();
    let mut i = i + 1;
    loop {
        match b.get(i) {
            None => return Err((i, not_json(text, i, "the string's closing `\"`"))),
            Some(b'"') => return Ok(i + 1),
            Some(b'\\') => {
                let hex = |k: usize| b.get(k).is_some_and(u8::is_ascii_hexdigit);
                match b.get(i + 1) {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                    // Any four hexadecimal digits: Go takes a lone surrogate.
                    Some(b'u') if (i + 2..i + 6).all(hex) => i += 6,
                    _ => return Err((i, not_json(text, i, "a JSON escape (`\\n`, `\\u00e9`, …)"))),
                }
            }
            Some(&c) if c < 0x20 => {
                return Err((i, not_json(text, i, "a character JSON allows in a string")))
            }
            Some(_) => i += 1,
        }
    }
}

/// The end of the number at `i`, which must fit a float64 (kubectl decodes
/// numbers as floats).
fn number(text: &str, start: usize) -> Step {
    let b = text.as_bytes();
    let digits = |i: usize| i + b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i = start + usize::from(b[start] == b'-');
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = digits(i),
        _ => return Err((i, not_json(text, i, "a digit"))),
    }
    if b.get(i) == Some(&b'.') {
        let after = digits(i + 1);
        if after == i + 1 {
            return Err((after, not_json(text, after, "a digit after `.`")));
        }
        i = after;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let after = digits(j);
        if after == j {
            return Err((after, not_json(text, after, "a digit in the exponent")));
        }
        i = after;
    }
    let token = &text[start..i];
    if token.parse::<f64>().is_ok_and(f64::is_infinite) {
        let why = format!(
            "kubectl reads a file that starts with `{{` as JSON, and the number {token} is \
             beyond what a float64 holds, which kubectl refuses"
        );
        return Err((start, why));
    }
    Ok(i)
}

/// The end of `word` at `i`.
fn literal(text: &str, i: usize, word: &str) -> Step {
    if text[i..].starts_with(word) {
        Ok(i + word.len())
    } else {
        Err((i, not_json(text, i, "a JSON value")))
    }
}

#[cfg(test)]
mod tests {
    use super::refusal;

    #[test]
    fn json_is_read() {
        for ok in [
            "{}",
            " \n\t{\"a\": [1, -2.5e3, true, false, null, \"x\\u00e9\\ud800\\n\", {}, []]}\n",
            "{\"a\": 1}\n{\"b\": {\"c\": [[]]}}  \n",
            "{\"big\": 123456789012345678901234567890, \"tiny\": 1e-400}",
            // Not JSON, but YAML to kubectl: it does not start with `{`.
            "# c\n{a: 1}",
            "\u{a0}\u{feff}{a: 1}",
            "a: {b: 1}",
            "[1, 2]",
            "",
        ] {
            assert_eq!(refusal(ok), None, "{ok:?}");
        }
    }

    #[test]
    fn what_only_yaml_allows_is_refused_where_it_is() {
        for (text, at, says) in [
            (
                "{apiVersion: v1}",
                1,
                "`a` (JSON keys and strings are quoted)",
            ),
            ("{\"a\": 1} # c", 9, "`#` (JSON has no comments)"),
            ("{\"a\": 'x'}", 6, "`'` (JSON strings take double quotes)"),
            ("{\"a\": 1,}", 8, "expected a key in double quotes"),
            ("{\"a\": 1e400}", 6, "beyond what a float64 holds"),
            ("{\"a\": 01}", 7, "expected `,` or `}`"),
            ("{\"a\": [1 2]}", 9, "expected `,` or `]`"),
            (
                "{\"a\": \"x\ty\"}",
                8,
                "a character JSON allows in a string",
            ),
            ("{\"a\": \"\\x\"}", 7, "a JSON escape"),
            ("{\"a\": tru}", 6, "expected a JSON value"),
            (
                "{\"a\": 1",
                7,
                "expected `,` or `}`, found the end of the file",
            ),
            ("{\"a\": 1}\n[1]", 9, "this value is not one"),
            ("{\"a\": 1}\n5", 9, "this value is not one"),
            (
                "\u{a0}{\"a\": 1}",
                0,
                "expected another JSON object or the end",
            ),
            // kubectl drops a leading byte-order mark before it looks.
            (
                "\u{feff}{a: 1}",
                4,
                "`a` (JSON keys and strings are quoted)",
            ),
            ("\u{feff} {\"a\": 1} # c", 13, "`#` (JSON has no comments)"),
        ] {
            let (offset, message) = refusal(text).unwrap_or_else(|| panic!("{text:?} is read"));
            assert_eq!(offset, at, "{text:?}: {message}");
            assert!(message.contains(says), "{text:?}: {message}");
        }
    }

    #[test]
    fn deep_nesting_needs_no_stack() {
        let deep = format!("{{\"a\": {}1{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(refusal(&deep), None);
    }
}
