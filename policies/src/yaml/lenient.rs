//! Tolerance for two indentation rules that saphyr-parser enforces (as YAML
//! 1.2 asks) but go-yaml, and so `kubectl`, does not:
//!
//! - the lines of a flow collection inside a block mapping must be indented
//!   more than the mapping's keys, so a closing `]` or `}` written at the
//!   key's indentation is "invalid indentation";
//! - the continuation lines of a multi-line quoted scalar must be indented
//!   more than the enclosing mapping's keys ("invalid indentation in quoted
//!   scalar").
//!
//! When the parser reports one of these two errors, the loader parses again
//! a copy of the text in which spaces were put at the start of the offending
//! lines. Leading spaces on those lines mean nothing (flow collections ignore
//! indentation; a quoted scalar's line folding drops them), so the values are
//! what go-yaml reads. Only spaces are added, never line breaks: lines stay
//! put, and [`Shifts`] turns the parser's positions in the copy back into
//! positions in the original text.

use std::collections::BTreeMap;

/// Most re-parses one load may do: each one repairs one error.
pub(crate) const MAX_RETRIES: usize = 1000;
/// Most bytes all re-parses of one load may read together, so that hostile
/// input full of repairable lines still ends quickly.
pub(crate) const MAX_RETRY_BYTES: usize = 16 << 20;

/// Spaces added at the start of lines (1-based line → count).
#[derive(Clone, Debug, Default)]
pub(crate) struct Shifts {
    lines: BTreeMap<usize, usize>,
}

impl Shifts {
    pub(crate) fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Turns a parser position in the copy (character index, 1-based line,
    /// 0-based column) into the same position in the original.
    pub(crate) fn original(&self, index: usize, line: usize, col: usize) -> (usize, usize) {
        let before: usize = self.lines.range(..line).map(|(_, n)| n).sum();
        let here = self.lines.get(&line).map_or(0, |n| (*n).min(col));
        (index.saturating_sub(before + here), col - here)
    }

    fn add(&mut self, line: usize, count: usize) {
        *self.lines.entry(line).or_insert(0) += count;
    }
}

/// Lines of `text` as the parser counts them (`\n`, `\r\n` and `\r` end a
/// line): (byte offset of the line start, the line without its break).
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let b = text.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        if start > b.len() {
            return None;
        }
        let rel = b[start..].iter().position(|c| matches!(c, b'\n' | b'\r'));
        let end = rel.map_or(b.len(), |r| start + r);
        let line = (start, &text[start..end]);
        start = match b.get(end) {
            None => b.len() + 1,
            Some(b'\r') if b.get(end + 1) == Some(&b'\n') => end + 2,
            Some(_) => end + 1,
        };
        Some(line)
    })
}

fn leading_spaces(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// For a parser error (message, 1-based line, 0-based column in the copy
/// `text`), the copy with spaces added so that go-yaml's reading parses, and
/// the shifts updated; `None` when the error is not one this tolerates.
pub(crate) fn repair(
    text: &str,
    shifts: &mut Shifts,
    info: &str,
    line: usize,
    col: usize,
) -> Option<String> {
    let mut add: Vec<(usize, usize, usize)> = Vec::new(); // (line, byte offset, count)
    match info {
        "invalid indentation" => {
            // Only a line that starts (after spaces) with the `]` or `}`
            // the parser stopped at.
            let (start, l) = lines(text).nth(line.checked_sub(1)?)?;
            let spaces = leading_spaces(l);
            if spaces != col || !matches!(l.as_bytes().get(spaces), Some(b']' | b'}')) {
                return None;
            }
            add.push((line, start, 1));
        }
        "invalid indentation in quoted scalar" => {
            // The error points at the opening quote; every continuation line
            // indented less than the quote is lifted to its column (the
            // indentation in force when the quote was read, which the quote
            // itself satisfied).
            let mut all = lines(text).enumerate().skip(line.checked_sub(1)?);
            let (_, (_, first)) = all.next()?;
            let quote_at = first.char_indices().nth(col)?.0;
            let quote = first[quote_at..].chars().next()?;
            if quote != '\'' && quote != '"' {
                return None;
            }
            let mut closed = closes(&first[quote_at + 1..], quote);
            for (i, (start, l)) in all {
                if closed {
                    break;
                }
                let spaces = leading_spaces(l);
                let is_indicator = (l.starts_with("---") || l.starts_with("..."))
                    && l[3..].chars().next().is_none_or(|c| c == ' ' || c == '\t');
                if is_indicator {
                    // go-yaml rejects a document marker inside a scalar too.
                    return None;
                }
                if spaces < col && !l.trim().is_empty() {
                    add.push((i + 1, start, col - spaces));
                }
                closed = closes(l, quote);
            }
            if !closed || add.is_empty() {
                return None;
            }
        }
        _ => return None,
    }
    let mut out = String::with_capacity(text.len() + add.iter().map(|a| a.2).sum::<usize>());
    let mut from = 0;
    for (line, offset, count) in add {
        out.push_str(&text[from..offset]);
        out.extend(std::iter::repeat_n(' ', count));
        from = offset;
        shifts.add(line, count);
    }
    out.push_str(&text[from..]);
    Some(out)
}

/// Whether a quoted scalar whose quote is `quote` ends on `rest` (the text
/// after the opening quote, or one continuation line).
fn closes(rest: &str, quote: char) -> bool {
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            ('\'', '\'') => {
                if chars.peek() == Some(&'\'') {
                    chars.next();
                } else {
                    return true;
                }
            }
            ('"', '\\') => {
                chars.next();
            }
            ('"', '"') => return true,
            _ => {}
        }
    }
    false
}
