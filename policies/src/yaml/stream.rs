//! JSON streams: one JSON object or array after another, with only
//! whitespace between them, as `jq` prints a filter's results and
//! `kubectl cluster-info dump` prints its Lists. kubectl reads such a file
//! value by value (its JSON decoder reads a stream); YAML does not (a second
//! value is "did not find expected `<document start>`"). The loader splits
//! the text at the values' ends and loads each value as a document, with its
//! positions moved to where it sits in the whole text.
//!
//! Only text that YAML rejects is split: the first value must be followed,
//! after whitespace only, by a `{` or `[`, which no YAML document allows.
//! And only JSON is split: a `#` or `'` outside a string (a YAML comment or
//! single-quoted scalar) means the text is not a JSON stream, and it is
//! loaded as YAML, errors and all.

use std::ops::Range;

/// Where the values of a JSON stream are.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Split {
    /// Byte ranges of the top-level values, in order (at least two).
    pub(crate) values: Vec<Range<usize>>,
    /// The byte offset of text after the last value that does not start
    /// another (`None` when only whitespace follows it).
    pub(crate) rest: Option<usize>,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn skip_space(b: &[u8], mut i: usize) -> usize {
    while b.get(i).copied().is_some_and(is_space) {
        i += 1;
    }
    i
}

/// The end (exclusive) of the object or array starting at `start` (a `{` or
/// `[`); `None` when it is not closed or holds a `#` or `'` outside its
/// strings.
fn value_end(b: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    while let Some(&c) = b.get(i) {
        match c {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            b'"' => {
                // Most of a JSON text is strings: jump to the next quote or
                // backslash.
                i += 1;
                loop {
                    i += memchr::memchr2(b'"', b'\\', b.get(i..)?)?;
                    if b[i] == b'"' {
                        break;
                    }
                    i += 2;
                }
            }
            b'#' | b'\'' => return None,
            _ => {}
        }
        i += 1;
    }
    None
}

/// The values of `body` if it is a JSON stream of two values or more.
pub(crate) fn split(body: &str) -> Option<Split> {
    let b = body.as_bytes();
    let mut i = skip_space(b, 0);
    if !matches!(b.get(i), Some(b'{' | b'[')) {
        return None;
    }
    let mut values = Vec::new();
    loop {
        let end = value_end(b, i)?;
        values.push(i..end);
        i = skip_space(b, end);
        match b.get(i) {
            Some(b'{' | b'[') => {}
            None => break,
            Some(_) if values.len() < 2 => return None,
            Some(_) => {
                return Some(Split {
                    values,
                    rest: Some(i),
                })
            }
        }
    }
    (values.len() >= 2).then_some(Split { values, rest: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_values_at_their_ends() {
        let s = split("{\"a\": \"}{\"}\n{\"b\": [1, {\"c\": \"\\\"]\"}]}\n").unwrap();
        assert_eq!(s.values, vec![0..11, 12..36]);
        assert_eq!(s.rest, None);
        let s = split(" [1]{\"x\": 1}  [] ").unwrap();
        assert_eq!(s.values, vec![1..4, 4..12, 14..16]);
        let s = split("{}\n{}\n==== START logs\n").unwrap();
        assert_eq!(s.values, vec![0..2, 3..5]);
        assert_eq!(s.rest, Some(6));
    }

    #[test]
    fn leaves_everything_else_to_yaml() {
        for text in [
            "",
            "a: 1\n",
            "{\"a\": 1}\n",
            "{\"a\": 1}\n---\n{\"b\": 2}\n",
            "{\"a\": 1} # c\n{}\n",
            "{a: 'x'}\n{}\n",
            "[a]: b\n",
            "{\"a\": 1}\nb: 2\n",
            "{\"a\": [1}\n",
            "{\"a\": \"x\n",
            "}{",
        ] {
            assert_eq!(split(text), None, "{text:?}");
        }
    }
}
