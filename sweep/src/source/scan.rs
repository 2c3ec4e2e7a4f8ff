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
            ScanError::Eof => f.write_str("the input ends inside a JSON value: is it cut short?"),
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

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;
/// Eight spaces: a word of indentation.
const BLANK: u64 = 0x2020_2020_2020_2020;

/// Non-zero when a byte of `x` equals `c` (the lowest flagged byte is exact).
#[inline]
fn has_byte(x: u64, c: u8) -> u64 {
    let y = x ^ (ONES * u64::from(c));
    y.wrapping_sub(ONES) & !y & HIGHS
}

/// Non-zero when a byte of `x` may be `"`, `{`, `}`, `[` or `]` (`| 0x20`
/// folds `[`/`]` onto `{`/`}`; the only other byte it lets through is 0x02).
#[inline]
fn maybe_structural(x: u64) -> bool {
    let folded = x | (ONES * 0x20);
    (has_byte(folded, b'"') | has_byte(folded, b'{') | has_byte(folded, b'}')) != 0
}

/// An object, an array or a string: up to the matching close. Outside
/// strings, words of eight spaces (indentation) are left out of `out`.
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
        // Start of the bytes not yet copied to `out`.
        let mut from = 0;
        let mut done = false;
        while i < buf.len() {
            if in_str {
                if escaped {
                    // The byte after a backslash is taken as is.
                    escaped = false;
                    i += 1;
                    continue;
                }
                match memchr::memchr2(b'"', b'\\', &buf[i..]) {
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
            // Whole words without structure: skipped, and left out when blank.
            if let Some(word) = buf.get(i..i + 8) {
                let mut w = [0u8; 8];
                w.copy_from_slice(word);
                let x = u64::from_le_bytes(w);
                if x == BLANK {
                    out.extend_from_slice(&buf[from..i]);
                    i += 8;
                    from = i;
                    continue;
                }
                if !maybe_structural(x) {
                    i += 8;
                    continue;
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
        out.extend_from_slice(&buf[from..i]);
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
        // Indentation is dropped outside strings, never inside them.
        let text =
            "{\n        \"a\":         [1,\n                2],\n \"s\": \"x                 y\"}";
        for cap in [1, 7, 9, 4096] {
            let got = frames(text, cap);
            assert_eq!(got.len(), 1);
            let v: serde_json::Value = serde_json::from_str(&got[0]).unwrap();
            assert_eq!(
                v,
                serde_json::json!({"a": [1, 2], "s": "x                 y"})
            );
            if cap == 4096 {
                assert!(got[0].len() < text.len(), "{}", got[0]);
            }
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

/// A line and column (1-based; the column counts bytes) in a stream.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct At {
    /// Line.
    pub line: u64,
    /// Column, in bytes.
    pub column: u64,
}

impl At {
    /// Where a position `line`:`column` inside a value that starts here is
    /// in the stream (serde_json's positions are 1-based; line 0 means none).
    pub fn plus(self, line: usize, column: usize) -> At {
        match line {
            0 => self,
            1 => At {
                line: self.line,
                column: self.column + column.saturating_sub(1) as u64,
            },
            l => At {
                line: self.line + l as u64 - 1,
                column: column as u64,
            },
        }
    }
}

/// A reader that knows the line and column of the next byte it will give,
/// so an error in a stream can say where it is. Counting costs one scan
/// for newlines over each consumed slice.
pub struct Tracked<R> {
    inner: R,
    offset: u64,
    line: u64,
    line_start: u64,
}

impl<R: BufRead> Tracked<R> {
    /// Wraps `inner`, at line 1, column 1.
    pub fn new(inner: R) -> Self {
        Tracked {
            inner,
            offset: 0,
            line: 1,
            line_start: 0,
        }
    }

    /// The position of the next byte.
    pub fn at(&self) -> At {
        At {
            line: self.line,
            column: self.offset - self.line_start + 1,
        }
    }
}

impl<R: BufRead> io::Read for Tracked<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let buf = self.fill_buf()?;
            let n = buf.len().min(out.len());
            out[..n].copy_from_slice(&buf[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Tracked<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        // The bytes being consumed are still in the buffer: no I/O here.
        if let Ok(buf) = self.inner.fill_buf() {
            let part = &buf[..n.min(buf.len())];
            if let Some(last) = memchr::memrchr(b'\n', part) {
                self.line += memchr::memchr_iter(b'\n', part).count() as u64;
                self.line_start = self.offset + last as u64 + 1;
            }
        }
        self.offset += n as u64;
        self.inner.consume(n);
    }
}

#[cfg(test)]
mod tracked_tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn positions_follow_every_way_of_reading() {
        let mut t = Tracked::new(io::BufReader::with_capacity(3, &b"ab\ncd\n\nxyz"[..]));
        assert_eq!(t.at(), At { line: 1, column: 1 });
        let mut two = [0u8; 2];
        t.read_exact(&mut two).unwrap();
        assert_eq!(t.at(), At { line: 1, column: 3 });
        let mut line = Vec::new();
        t.read_until(b'\n', &mut line).unwrap();
        assert_eq!(t.at(), At { line: 2, column: 1 });
        assert_eq!(peek(&mut t).unwrap(), Some(b'c'));
        t.consume(3);
        assert_eq!(t.at(), At { line: 3, column: 1 });
        assert_eq!(peek(&mut t).unwrap(), Some(b'x'));
        assert_eq!(t.at(), At { line: 4, column: 1 });
        t.consume(2);
        assert_eq!(t.at(), At { line: 4, column: 3 });
        let base = At { line: 4, column: 3 };
        assert_eq!(base.plus(1, 5), At { line: 4, column: 7 });
        assert_eq!(base.plus(3, 2), At { line: 6, column: 2 });
        assert_eq!(base.plus(0, 0), base);
    }
}
