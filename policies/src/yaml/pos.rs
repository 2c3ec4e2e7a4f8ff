//! Converting parser markers (character indexes) to byte offsets, and byte
//! offsets to line/column positions.

use super::spans::Pos;

/// Maps character indexes of `text` to byte offsets. Queries arrive in
/// (mostly) increasing order, so a cursor that walks forwards or backwards
/// from the previous answer makes the whole load linear.
pub(crate) struct CharMap<'t> {
    text: &'t str,
    ascii: bool,
    chars: usize,
    bytes: usize,
}

impl<'t> CharMap<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        CharMap {
            text,
            ascii: text.is_ascii(),
            chars: 0,
            bytes: 0,
        }
    }

    /// Byte offset of character `index` (clamped to the end of the text).
    pub(crate) fn byte(&mut self, index: usize) -> usize {
        if self.ascii {
            return index.min(self.text.len());
        }
        if index >= self.chars {
            let mut it = self.text[self.bytes..].char_indices();
            while self.chars < index {
                match it.next() {
                    Some((_, c)) => {
                        self.chars += 1;
                        self.bytes += c.len_utf8();
                    }
                    None => break,
                }
            }
        } else {
            let mut it = self.text[..self.bytes].chars().rev();
            while self.chars > index {
                match it.next() {
                    Some(c) => {
                        self.chars -= 1;
                        self.bytes -= c.len_utf8();
                    }
                    None => break,
                }
            }
        }
        self.bytes
    }
}

/// The 1-based line and column (in characters) of byte `offset` in `text`.
///
/// Line breaks are `\n`, `\r\n` (one break) and a lone `\r`, as in YAML. A
/// UTF-8 byte-order mark at the start of the text does not count as a
/// column. An offset inside a character is moved back to its start; one past
/// the end is clamped to the end.
pub fn line_col(text: &str, offset: usize) -> Pos {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let bytes = text.as_bytes();
    let mut line = 1;
    let mut line_start = 0;
    for i in 0..offset {
        match bytes[i] {
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            // A lone CR breaks the line; in a CRLF pair the LF does.
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => {
                line += 1;
                line_start = i + 1;
            }
            _ => {}
        }
    }
    let mut column_text = &text[line_start..offset];
    if line_start == 0 {
        column_text = column_text.strip_prefix('\u{feff}').unwrap_or(column_text);
    }
    Pos {
        line,
        column: column_text.chars().count() + 1,
        offset,
    }
}

/// The position of byte `offset`, which lies before `known` (a position in
/// `text` whose offset is `known.offset`), computed from `known` without
/// rescanning the whole text when both are on the same line.
pub(crate) fn pos_before(text: &str, base: usize, known: Pos, offset: usize) -> Pos {
    // `text` is the text the offsets (minus `base`) index into.
    let local_known = known.offset - base;
    let local = offset - base;
    let between = &text[local..local_known];
    if !between.contains(['\n', '\r']) {
        return Pos {
            line: known.line,
            column: known.column - between.chars().count(),
            offset,
        };
    }
    let breaks = {
        let b = between.as_bytes();
        let mut n = 0;
        for (i, c) in b.iter().enumerate() {
            if *c == b'\n' || (*c == b'\r' && b.get(i + 1) != Some(&b'\n')) {
                n += 1;
            }
        }
        n
    };
    let line_start = text[..local].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    Pos {
        line: known.line - breaks,
        column: text[line_start..local].chars().count() + 1,
        offset,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars_and_breaks() {
        let t = "\u{feff}ab\r\nçd\ne\rf";
        assert_eq!(
            line_col(t, 3),
            Pos {
                line: 1,
                column: 1,
                offset: 3
            }
        );
        assert_eq!(
            line_col(t, 4),
            Pos {
                line: 1,
                column: 2,
                offset: 4
            }
        );
        // "çd" starts at byte 7; 'd' at 9.
        assert_eq!(
            line_col(t, 9),
            Pos {
                line: 2,
                column: 2,
                offset: 9
            }
        );
        assert_eq!(
            line_col(t, 11),
            Pos {
                line: 3,
                column: 1,
                offset: 11
            }
        );
        assert_eq!(
            line_col(t, 13),
            Pos {
                line: 4,
                column: 1,
                offset: 13
            }
        );
        assert_eq!(line_col(t, 8).offset, 7);
        assert_eq!(line_col(t, 999).offset, t.len());
    }

    #[test]
    fn char_map_walks_both_ways() {
        let t = "aé€b";
        let mut m = CharMap::new(t);
        assert_eq!(m.byte(3), 6);
        assert_eq!(m.byte(1), 1);
        assert_eq!(m.byte(2), 3);
        assert_eq!(m.byte(4), 7);
        assert_eq!(m.byte(99), 7);
    }
}
