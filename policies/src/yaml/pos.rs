//! Converting parser markers (character indexes) to byte offsets, and byte
//! offsets to line/column positions.

use super::spans::Pos;

/// Maps the parser's (line, column) markers to byte offsets of `text`.
///
/// The parser's character index can drift from the text on some malformed
/// input (found by fuzzing), its line and column do not, so offsets are
/// derived from those. Line starts are found lazily; a cursor makes
/// successive queries on one line walk it only once, so the whole load stays
/// linear even for megabytes of JSON on a single line.
pub(crate) struct LineMap<'t> {
    text: &'t str,
    ascii: bool,
    /// Byte offset of the start of each line found so far (line 1 first).
    starts: Vec<usize>,
    /// Where the scan for more line starts resumes.
    scanned: usize,
    /// Last answer: (line, column, byte).
    cursor: (usize, usize, usize),
    /// The end of the last line asked about: (line, byte).
    end: (usize, usize),
}

impl<'t> LineMap<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        LineMap {
            text,
            ascii: text.is_ascii(),
            starts: vec![0],
            scanned: 0,
            cursor: (1, 0, 0),
            end: (0, 0),
        }
    }

    /// Finds line starts up to `line` (1-based), or to the end of the text.
    fn ensure(&mut self, line: usize) {
        let b = self.text.as_bytes();
        let mut i = self.scanned;
        while self.starts.len() < line && i < b.len() {
            match b[i] {
                b'\n' => self.starts.push(i + 1),
                // A lone CR breaks the line; in a CRLF pair the LF does.
                b'\r' if b.get(i + 1) != Some(&b'\n') => self.starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        self.scanned = i;
    }

    /// Number of lines found so far (after a query, at least up to the
    /// queried line when it exists).
    pub(crate) fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// End of the line starting at `start` (its break, or the end of text).
    fn line_end(&self, start: usize) -> usize {
        self.text.as_bytes()[start..]
            .iter()
            .position(|c| *c == b'\n' || *c == b'\r')
            .map_or(self.text.len(), |p| start + p)
    }

    /// Byte offset and 0-based column of 1-based `line`, 0-based character
    /// `col`, clamped to the end of that line (and to the text).
    pub(crate) fn locate(&mut self, line: usize, col: usize) -> (usize, usize) {
        let line = line.max(1);
        self.ensure(line);
        let Some(&start) = self.starts.get(line - 1) else {
            let last = self.starts.last().copied().unwrap_or(0);
            let col = self.text[last..].chars().count();
            return (self.text.len(), col);
        };
        if self.ascii {
            if self.end.0 != line {
                self.end = (line, self.line_end(start));
            }
            let end = self.end.1;
            let b = (start + col).min(end);
            return (b, b - start);
        }
        let (mut c, mut b) = if self.cursor.0 == line && self.cursor.1 <= col {
            (self.cursor.1, self.cursor.2)
        } else {
            (0, start)
        };
        let mut it = self.text[b..].chars();
        while c < col {
            match it.next() {
                Some('\n' | '\r') | None => break,
                Some(ch) => {
                    c += 1;
                    b += ch.len_utf8();
                }
            }
        }
        self.cursor = (line, c, b);
        (b, c)
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

/// The byte offset where the line holding byte `offset` of `text` starts
/// (after a `\n` or `\r`).
pub(crate) fn line_start(text: &str, offset: usize) -> usize {
    let b = text.as_bytes();
    b[..offset.min(b.len())]
        .iter()
        .rposition(|c| matches!(c, b'\n' | b'\r'))
        .map_or(0, |p| p + 1)
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
            column: known.column.saturating_sub(between.chars().count()).max(1),
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
    let line_start = line_start(text, local);
    Pos {
        line: known.line.saturating_sub(breaks).max(1),
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
    fn line_map_finds_offsets() {
        let t = "aé€b\r\nx\ry\n\nz";
        let mut m = LineMap::new(t);
        assert_eq!(m.locate(1, 3).0, 6);
        assert_eq!(m.locate(1, 1).0, 1);
        assert_eq!(m.locate(1, 2).0, 3);
        assert_eq!(m.locate(1, 99).0, 7);
        assert_eq!(m.locate(2, 0).0, 9);
        assert_eq!(m.locate(3, 0).0, 11);
        assert_eq!(m.locate(5, 0).0, 14);
        assert_eq!(m.locate(9, 0).0, t.len());
        let mut a = LineMap::new("ab\ncd");
        assert_eq!(a.locate(2, 1).0, 4);
        assert_eq!(a.locate(1, 9).0, 2);
    }
}
