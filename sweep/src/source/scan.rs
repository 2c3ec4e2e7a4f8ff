//! Framing JSON without parsing it: finds where the next value of a stream
//! ends (tracking strings, escapes and bracket depth), so a list's items can
//! be cut out one at a time and deserialised from a byte slice, which is
//! several times faster than deserialising through `io::Read` byte by byte.
//! Whether the bytes are well-formed JSON is checked when they are parsed.

use std::io::{self, BufRead};

/// Why the next value could not be framed.
#[derive(Debug)]
pub enum ScanError {
    /// Reading failed.
    Io(io::Error),
    /// The input ended inside a value.
    Eof,
    /// A byte that cannot start or continue the structure here.
    Unexpected(u8),
}

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScanError::Io(e) => write!(f, "{e}"),
            ScanError::Eof => f.write_str("EOF while parsing a value"),
            ScanError::Unexpected(b) if b.is_ascii_graphic() => {
                write!(f, "unexpected character `{}`", *b as char)
            }
            ScanError::Unexpected(b) => write!(f, "unexpected byte 0x{b:02x}"),
        }
    }
}

impl From<io::Error> for ScanError {
    fn from(e: io::Error) -> Self {
        ScanError::Io(e)
    }
}

/// Skips whitespace and returns the next byte without consuming it (None at the end).
pub fn peek<R: BufRead>(r: &mut R) -> io::Result<Option<u8>> {
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(None);
        }
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(n) => {
                let b = buf[n];
                r.consume(n);
                return Ok(Some(b));
            }
            None => {
                let n = buf.len();
                r.consume(n);
            }
        }
    }
}

/// Skips whitespace and consumes `want`, or fails.
pub fn expect<R: BufRead>(r: &mut R, want: u8) -> Result<(), ScanError> {
    match peek(r)? {
        Some(b) if b == want => {
            r.consume(1);
            Ok(())
        }
        Some(b) => Err(ScanError::Unexpected(b)),
        None => Err(ScanError::Eof),
    }
}

/// Skips whitespace, then consumes the next JSON value and appends its
/// bytes to `out`.
pub fn take_value<R: BufRead>(r: &mut R, out: &mut Vec<u8>) -> Result<(), ScanError> {
    let first = peek(r)?.ok_or(ScanError::Eof)?;
    match first {
        b'{' | b'[' | b'"' => take_nested(r, out),
        b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => take_scalar(r, out),
        b => Err(ScanError::Unexpected(b)),
    }
}

/// A number or literal: everything up to the next delimiter.
fn take_scalar<R: BufRead>(r: &mut R, out: &mut Vec<u8>) -> Result<(), ScanError> {
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        let end = buf
            .iter()
            .position(|b| matches!(b, b',' | b'}' | b']' | b':') || b.is_ascii_whitespace());
        let n = end.unwrap_or(buf.len());
        out.extend_from_slice(&buf[..n]);
        r.consume(n);
        if end.is_some() {
            return Ok(());
        }
    }
}

/// An object, an array or a string: up to the matching close.
fn take_nested<R: BufRead>(r: &mut R, out: &mut Vec<u8>) -> Result<(), ScanError> {
    let mut depth = 0usize;
    let mut in_str = false;
    let mut escaped = false;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Err(ScanError::Eof);
        }
        let mut i = 0;
        let mut done = false;
        while i < buf.len() {
            if in_str {
                if escaped {
                    // The byte after a backslash is taken as is.
                    escaped = false;
                    i += 1;
                    continue;
                }
                // Jump to the next quote or backslash.
                match buf[i..].iter().position(|b| *b == b'"' || *b == b'\\') {
                    None => {
                        i = buf.len();
                        break;
                    }
                    Some(k) => {
                        i += k;
                        if buf[i] == b'\\' {
                            escaped = true;
                        } else {
                            in_str = false;
                            if depth == 0 {
                                i += 1;
                                done = true;
                                break;
                            }
                        }
                        i += 1;
                        continue;
                    }
                }
            }
            match buf[i] {
                b'"' => in_str = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        i += 1;
                        done = true;
                        break;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        out.extend_from_slice(&buf[..i]);
        r.consume(i);
        if done {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(text: &str, cap: usize) -> Vec<String> {
        let mut r = io::BufReader::with_capacity(cap, text.as_bytes());
        let mut out = Vec::new();
        let mut buf = Vec::new();
        while peek(&mut r).unwrap().is_some() {
            buf.clear();
            take_value(&mut r, &mut buf).unwrap();
            out.push(String::from_utf8(buf.clone()).unwrap());
            if peek(&mut r).unwrap() == Some(b',') {
                r.consume(1);
            }
        }
        out
    }

    #[test]
    fn frames_values_across_buffer_boundaries() {
        let text = r#" {"a": "x}\"]\\", "b": [1, {"c": "{"}]} , [ "]" ,"\\\"" ], "s\"}", 12.5e3, -3,true, null ,{} "#;
        let want = vec![
            r#"{"a": "x}\"]\\", "b": [1, {"c": "{"}]}"#,
            r#"[ "]" ,"\\\"" ]"#,
            r#""s\"}""#,
            "12.5e3",
            "-3",
            "true",
            "null",
            "{}",
        ];
        for cap in [1, 2, 3, 5, 8, 64, 4096] {
            assert_eq!(frames(text, cap), want, "buffer of {cap}");
        }
        for w in &want {
            serde_json::from_str::<serde_json::Value>(w).unwrap();
        }
    }

    #[test]
    fn truncated_and_stray_input_fail() {
        for (text, cap) in [(r#"{"a": [1, 2"#, 4), (r#"{"a": "b\"#, 3), (r#""abc"#, 2)] {
            let mut r = io::BufReader::with_capacity(cap, text.as_bytes());
            assert!(matches!(
                take_value(&mut r, &mut Vec::new()),
                Err(ScanError::Eof)
            ));
        }
        let mut r = io::BufReader::new(&b"  ]"[..]);
        assert!(matches!(
            take_value(&mut r, &mut Vec::new()),
            Err(ScanError::Unexpected(b']'))
        ));
        let mut r = io::BufReader::new(&b" x"[..]);
        assert!(matches!(
            expect(&mut r, b','),
            Err(ScanError::Unexpected(b'x'))
        ));
    }
}
