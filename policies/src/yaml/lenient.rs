//! Tolerance for what `kubectl` reads and saphyr-parser rejects. First, two
//! indentation rules that saphyr-parser enforces (as YAML 1.2 asks) but
//! go-yaml, and so `kubectl`, does not:
//!
//! - the lines of a flow collection inside a block mapping must be indented
//!   more than the mapping's keys, so a closing `]` or `}` written at the
//!   key's indentation, or an item written at a smaller one (`args: [a,`
//!   with `b]` at column 1 on the next line), is "invalid indentation" (or
//!   "invalid indentation in flow construct");
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
//!
//! A tab after a key's `:` is a blank to go-yaml and an error to
//! saphyr-parser ("':' must be followed by a valid YAML whitespace"): the
//! copy has spaces there instead, as many as there were tabs and spaces, so
//! no position moves.
//!
//! So is a comment right after a closing quote or bracket (`"x"#note`) or
//! a block scalar's header (`|-#note`): saphyr-parser wants a blank before
//! it ("comments must be separated from other tokens by whitespace"); the
//! copy has the comment blanked out, a space for each character.
//!
//! It also reads what JSON writes for characters beyond U+FFFF: a UTF-16
//! surrogate pair in two `\u` escapes (`"\ud83d\ude80"`, as Python's
//! `json.dumps` writes an emoji), which YAML's `\u` cannot express and
//! saphyr-parser rejects ("found invalid Unicode character escape code").
//! kubectl reads such escapes only in a text it reads as JSON (one that
//! starts with `{`, [`super::kubectl_json::json_root`]): Go's JSON decoder
//! combines a high and a low surrogate into one character and reads any
//! other surrogate escape as U+FFFD. Its YAML parser refuses them all, and
//! so does the loader, at the escape ([`yaml_surrogate`]). In a JSON text
//! the scalar is rewritten with each pair as one `\U` escape (10 bytes for
//! 12) and each lone surrogate as `\uFFFD` (6 for 6), and the two bytes
//! saved per pair put back as spaces after its closing quote, where they
//! mean nothing: no byte moves outside the scalar, so positions need no
//! shift.
//!
//! Byte-order marks (U+FEFF) after the text's first character: saphyr-
//! parser takes one only at the start of a line between documents, as YAML
//! 1.2 asks, and kubectl reads them otherwise. Its file reader drops the
//! file's leading mark, and its YAML parser (go-yaml) the one that starts
//! the text, which the loader leaves to saphyr-parser. A mark that starts
//! the line right after a `---` line is dropped too, except when that `---`
//! line is the file's first; every other mark is a character like any
//! other (in a comment, a scalar, a key; at the start of a line, the first
//! character of what follows). [`byte_order_marks`] copies the text with
//! each mark that kubectl drops moved to the start of the `---` line before
//! it (where saphyr-parser takes it, and [`Shifts`] maps positions back),
//! and each other one replaced by a stand-in of the same length (a
//! noncharacter the text does not hold), which the loader turns back into
//! U+FEFF in every scalar.

use std::cell::OnceCell;
use std::collections::BTreeMap;

/// Most re-parses one load may do: each one repairs one error.
pub(crate) const MAX_RETRIES: usize = 1000;
/// Most bytes all re-parses of one load may read together, so that hostile
/// input full of repairable lines still ends quickly.
pub(crate) const MAX_RETRY_BYTES: usize = 16 << 20;

/// Characters added at the start of lines (1-based line → count; negative
/// when the copy has fewer there than the original).
#[derive(Clone, Debug, Default)]
pub(crate) struct Shifts {
    lines: BTreeMap<usize, isize>,
    /// Each shifted line with the sum of the shifts of the lines before it,
    /// in line order, built on first use after a change: the loader asks
    /// for a position at every event, and a text may have a shift on every
    /// line.
    before: OnceCell<Vec<(usize, isize)>>,
}

impl Shifts {
    pub(crate) fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Turns a parser position in the copy (character index, 1-based line,
    /// 0-based column) into the same position in the original.
    pub(crate) fn original(&self, index: usize, line: usize, col: usize) -> (usize, usize) {
        let sums = self.before.get_or_init(|| {
            let mut sum = 0;
            self.lines
                .iter()
                .map(|(&l, &n)| {
                    let before = sum;
                    sum += n;
                    (l, before)
                })
                .collect()
        });
        // The shifts of the lines before `line`: those up to the last
        // shifted line before it, and that line's own.
        let at = sums.partition_point(|&(l, _)| l < line);
        let before = at
            .checked_sub(1)
            .and_then(|i| sums.get(i))
            .map_or(0, |&(l, b)| b + self.lines.get(&l).copied().unwrap_or(0));
        // A column within characters added maps to the first one after.
        let here = match self.lines.get(&line) {
            Some(&n) if n > 0 => n.min(col.try_into().unwrap_or(isize::MAX)),
            Some(&n) => n,
            None => 0,
        };
        let back = |v: usize, by: isize| v.checked_add_signed(-by).unwrap_or(0);
        (back(index, before + here), back(col, here))
    }

    fn add(&mut self, line: usize, count: isize) {
        *self.lines.entry(line).or_insert(0) += count;
        self.before = OnceCell::new();
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
/// `flow` is the column of the `[` or `{` of the flow collection the parser
/// was in, if it was in one.
pub(crate) fn repair(
    text: &str,
    shifts: &mut Shifts,
    info: &str,
    (line, col): (usize, usize),
    flow: Option<usize>,
    json: bool,
) -> Option<String> {
    let mut add: Vec<(usize, usize, usize)> = Vec::new(); // (line, byte offset, count)
    match info {
        "invalid indentation" | "invalid indentation in flow construct" => {
            // Inside a flow collection, the line is lifted so that the token
            // the parser stopped at stands two columns past the collection's
            // bracket, which is past any indentation saphyr-parser can ask
            // there (the block indentation when the bracket was read, which
            // the bracket met, plus one for the collection, plus one for a
            // plain scalar). That token is the line's first, or comes after
            // a plain scalar continued there (`m: [a` then `b]`), which the
            // lift leaves as it was. Outside one, only a closing `]` or `}`
            // that starts its line is lifted, by one (the parser may not yet
            // have told where its collection opened).
            let (start, l) = lines(text).nth(line.checked_sub(1)?)?;
            let spaces = leading_spaces(l);
            let lift = match flow {
                Some(bracket) if col >= spaces => (bracket + 2).checked_sub(col)?,
                None if col == spaces
                    && info == "invalid indentation"
                    && matches!(l.as_bytes().get(spaces), Some(b']' | b'}')) =>
                {
                    1
                }
                _ => return None,
            };
            if lift == 0 {
                return None;
            }
            add.push((line, start, lift));
        }
        // go-yaml takes a tab for a blank anywhere in a flow collection, and
        // among the blanks that start a quoted scalar's continuation line;
        // saphyr-parser refuses one that indents such a line less than the
        // block around it. The copy has spaces there instead, one for one,
        // and the parser then stops at the line's first token (which the
        // arm above lifts) or at the quoted scalar (which the one below
        // lifts).
        "tabs disallowed within this context (block indentation)" if flow.is_some() => {
            return untab(text, line);
        }
        "tab cannot be used as indentation" => return untab(text, line),
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
        "while parsing a quoted scalar, found invalid Unicode character escape code" if json => {
            return json_surrogates(text, line, col);
        }
        "':' must be followed by a valid YAML whitespace" => {
            return tab_after_colon(text, line, col);
        }
        "comments must be separated from other tokens by whitespace" => {
            return comment_after_token(text, line, col);
        }
        _ => return None,
    }
    let mut out = String::with_capacity(text.len() + add.iter().map(|a| a.2).sum::<usize>());
    let mut from = 0;
    for (line, offset, count) in add {
        out.push_str(&text[from..offset]);
        out.extend(std::iter::repeat_n(' ', count));
        from = offset;
        shifts.add(line, count.try_into().ok()?);
    }
    out.push_str(&text[from..]);
    Some(out)
}

/// The copy with the tabs among the blanks that start line `line` (1-based)
/// turned into spaces, one for one; `None` when there are none.
fn untab(text: &str, line: usize) -> Option<String> {
    let (start, l) = lines(text).nth(line.checked_sub(1)?)?;
    let blanks = l.len() - l.trim_start_matches([' ', '\t']).len();
    if !l[..blanks].contains('\t') {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..start]);
    out.extend(l[..blanks].chars().map(|_| ' '));
    out.push_str(&text[start + blanks..]);
    Some(out)
}

/// A tab between a key's `:` and its value (`name:\tx`, `{a:\tb}`), which
/// go-yaml, and so `kubectl`, reads as a blank after a key and
/// saphyr-parser rejects: the copy with the blanks before the error (the
/// value's start) turned into spaces, one for one, so nothing moves. Not
/// after a `:` that opens its line (an explicit `? key`'s value), where
/// go-yaml rejects the tab too.
fn tab_after_colon(text: &str, line: usize, col: usize) -> Option<String> {
    let (start, l) = lines(text).nth(line.checked_sub(1)?)?;
    let at = l.char_indices().nth(col).map_or(l.len(), |(i, _)| i);
    let before = &l[..at];
    let value_blanks = before.len() - before.trim_end_matches([' ', '\t']).len();
    let colon = at - value_blanks;
    let key = before[..colon].strip_suffix(':')?;
    if !before[colon..].contains('\t') || key.trim().is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..start + colon]);
    out.extend(std::iter::repeat_n(' ', value_blanks));
    out.push_str(&text[start + at..]);
    Some(out)
}

/// A comment right after a closing quote or bracket (`"x"#note`, `[a]#n`)
/// or a block scalar's header (`|-#note`), which go-yaml, and so `kubectl`,
/// reads as a comment and saphyr-parser rejects: the copy with the comment
/// blanked out, one space for each of its characters, so that no line or
/// column moves. Not after anything else: in a plain scalar `#` is text to
/// both.
fn comment_after_token(text: &str, line: usize, col: usize) -> Option<String> {
    let (start, l) = lines(text).nth(line.checked_sub(1)?)?;
    let at = l.char_indices().nth(col)?.0;
    let before = &l[..at];
    // A block scalar's header: `|` or `>` after a blank, then chomping and
    // indentation indicators.
    let header = before
        .trim_end_matches(|c: char| c == '-' || c == '+' || c.is_ascii_digit())
        .strip_suffix(['|', '>'])
        .is_some_and(|t| t.ends_with([' ', '\t']));
    if !l[at..].starts_with('#') || !(header || before.ends_with(['"', '\'', ']', '}'])) {
        return None;
    }
    let comment = &l[at..];
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..start + at]);
    out.extend(std::iter::repeat_n(' ', comment.chars().count()));
    out.push_str(&text[start + at + comment.len()..]);
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

/// A `\u` escape of a UTF-16 surrogate, as Go's JSON decoder pairs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Surrogate {
    /// A high surrogate's escape and a low one's right after it: one
    /// character beyond U+FFFF (12 bytes of text).
    Pair(char),
    /// Any other: U+FFFD to Go's JSON decoder (6 bytes).
    Lone,
}

/// The surrogate escapes of the double-quoted scalar whose quote is at byte
/// `quote` of `text` (each with the offset of its backslash), and the offset
/// of its closing quote. `None` when there is no `"` at `quote`, the scalar
/// is not closed, or a `\u` is not followed by four hexadecimal digits.
fn surrogates(text: &str, quote: usize) -> Option<(Vec<(usize, Surrogate)>, usize)> {
    let b = text.as_bytes();
    if b.get(quote) != Some(&b'"') {
        return None;
    }
    let hex4 = |at: usize| -> Option<u32> {
        let digits = text.get(at..at + 4)?;
        if !digits.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(digits, 16).ok()
    };
    let mut found = Vec::new();
    let mut i = quote + 1;
    loop {
        match b.get(i)? {
            b'"' => return Some((found, i)),
            b'\\' if b.get(i + 1) == Some(&b'u') => {
                let unit = hex4(i + 2)?;
                if !(0xD800..0xE000).contains(&unit) {
                    i += 6;
                    continue;
                }
                let low = (unit < 0xDC00 && text.get(i + 6..i + 8) == Some("\\u"))
                    .then(|| hex4(i + 8))
                    .flatten()
                    .filter(|low| (0xDC00..0xE000).contains(low));
                match low.and_then(|low| {
                    char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                }) {
                    Some(c) => {
                        found.push((i, Surrogate::Pair(c)));
                        i += 12;
                    }
                    None => {
                        found.push((i, Surrogate::Lone));
                        i += 6;
                    }
                }
            }
            // Any other escape: the backslash and the byte after it (a
            // quote, a backslash or a line break among them).
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
}

/// The double-quoted scalar whose quote is at (1-based `line`, 0-based
/// character `col`) in `text`, rewritten as Go's JSON decoder reads its
/// surrogate escapes: every pair as one `\U` escape, with two spaces per
/// pair after the closing quote, and every lone one as `\uFFFD`. The text
/// keeps its length and every byte outside the scalar keeps its offset.
/// `None` when the scalar holds no surrogate escape or a malformed `\u`
/// escape, or is not closed.
fn json_surrogates(text: &str, line: usize, col: usize) -> Option<String> {
    let (start, l) = lines(text).nth(line.checked_sub(1)?)?;
    let quote = start + l.char_indices().nth(col)?.0;
    let (found, close) = surrogates(text, quote)?;
    // The bytes saved go after the closing quote, which must be on the same
    // line for no position to move. JSON has no multi-line strings (kubectl
    // refuses them), so a multi-line scalar keeps its error.
    if found.is_empty() || text[quote..close].contains(['\n', '\r']) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    let mut pairs = 0;
    for (at, s) in &found {
        out.push_str(text.get(from..*at)?);
        match s {
            Surrogate::Pair(c) => {
                out.push_str(&format!("\\U{:08X}", u32::from(*c)));
                pairs += 1;
                from = at + 12;
            }
            Surrogate::Lone => {
                out.push_str("\\uFFFD");
                from = at + 6;
            }
        }
    }
    out.push_str(text.get(from..=close)?);
    out.extend(std::iter::repeat_n(' ', 2 * pairs));
    out.push_str(text.get(close + 1..)?);
    debug_assert_eq!(out.len(), text.len());
    Some(out)
}

/// Where and why kubectl's YAML parser refuses the double-quoted scalar
/// whose quote is at byte `quote` of `text`: its first surrogate escape.
/// `None` when it holds none (the parser refused another escape).
pub(crate) fn yaml_surrogate(text: &str, quote: usize) -> Option<(usize, String)> {
    let (found, _) = surrogates(text, quote)?;
    let &(at, s) = found.first()?;
    let message = match s {
        Surrogate::Pair(c) => format!(
            "kubectl's YAML parser refuses `{}`, a character written as JSON writes it, in \
             two `\\u` escapes of UTF-16 surrogates: in YAML, write `\\U{:08X}` or the \
             character itself",
            text.get(at..at + 12)?,
            u32::from(c)
        ),
        Surrogate::Lone => format!(
            "kubectl's YAML parser refuses `{}`, the escape of half a UTF-16 surrogate pair, \
             which is not a character",
            text.get(at..at + 6)?
        ),
    };
    Some((at, message))
}

/// The copy of `body` (a text without its file's byte-order mark) that
/// saphyr-parser reads as kubectl reads its byte-order marks (see the module
/// documentation), the shifts of the moved marks, and the stand-in of the
/// others. `None` when no mark follows the text's first character, or the
/// text holds every stand-in.
pub(crate) fn byte_order_marks(body: &str) -> Option<(String, Shifts, char)> {
    const MARK: &str = "\u{feff}";
    let first = body.chars().next().map_or(0, char::len_utf8);
    if !body.get(first..)?.contains(MARK) {
        return None;
    }
    let stand_in = ('\u{fdd0}'..='\u{fdef}').find(|c| !body.contains(*c))?;
    let mut stand_in_bytes = [0u8; 3];
    stand_in.encode_utf8(&mut stand_in_bytes);
    let mut copy = body.as_bytes().to_vec();
    // Each mark that starts the line after a `---` line (not the first):
    // the `---` line and its break move right by the mark, which goes first.
    let mut shifts = Shifts::default();
    let mut moved = Vec::new();
    let mut previous: Option<usize> = None;
    for (i, (start, line)) in lines(body).enumerate() {
        if let Some(p) = previous.filter(|&p| p > 0) {
            if line.starts_with(MARK) && splits(body.get(p..start)?) {
                copy[p + MARK.len()..start + MARK.len()]
                    .copy_from_slice(body.get(p..start)?.as_bytes());
                copy[p..p + MARK.len()].copy_from_slice(MARK.as_bytes());
                shifts.add(i, 1);
                shifts.add(i + 1, -1);
                moved.push(start);
            }
        }
        previous = Some(start);
    }
    for (at, _) in body.match_indices(MARK) {
        if at >= first && moved.binary_search(&at).is_err() {
            copy[at..at + MARK.len()].copy_from_slice(&stand_in_bytes);
        }
    }
    Some((String::from_utf8(copy).ok()?, shifts, stand_in))
}

/// Whether kubectl's document splitter cuts a text at `line` (its line
/// break may be included): it starts with `---`, and what follows, without
/// its white space (trimmed as Go's `strings.TrimSpace` trims it), is
/// nothing or a comment (`---#note` too).
pub(crate) fn kubectl_cuts(line: &str) -> bool {
    line.strip_prefix("---").is_some_and(|rest| {
        let content = rest.trim();
        content.is_empty() || content.starts_with('#')
    })
}

/// Lines that start with `---` and go on without a blank: kubectl's
/// document splitter cuts the text at each line that starts with `---`,
/// refusing it unless what follows, without its white space, is nothing or
/// a comment (`---#note` is a separator to it); saphyr-parser reads such a
/// line as content. The splitter hands a separator line on to the YAML
/// parser as the first line of the next document when nothing came before
/// it (the text's first line, or the line after another separator), and
/// that parser reads `---#note` as content too. Returns the copy with each
/// other such comment blanked out (a space for each character, so no
/// position moves), and where (a byte offset: its content, after the dashes
/// and any white space) the first line is that kubectl refuses (`----`,
/// `---x: 1`, `--- {a: 1}`). The splitter's lines end at `\n` only: in a
/// file whose lines end with a lone `\r`, `---` then `\r` then more text is
/// one line to it, refused unless the text is white space or starts with
/// `#`, and then dropped with the separator (blanked in the copy too).
pub(crate) fn separators(text: &str) -> (Option<String>, Option<usize>) {
    let mut copy: Option<String> = None;
    let mut done = 0;
    let mut refused = None;
    for dash in dash_lines(text) {
        let (start, line) = (dash.start, dash.line);
        let rest = &line[3..];
        if !dash.separator {
            refused.get_or_insert(start + 3 + rest.len() - rest.trim_start().len());
            continue;
        }
        // A line the splitter hands on to the YAML parser stays as it is.
        if dash.handed_on {
            continue;
        }
        // The rest of the `---` line to saphyr-parser, and what follows a
        // lone `\r` there, which the splitter drops with the line and the
        // parser would read as the next line. saphyr-parser takes `---` and
        // a blank, then nothing or a comment, for a document start itself,
        let own = rest.split('\r').next().unwrap_or(rest);
        let dropped = &rest[own.len()..];
        // and no more than that: Unicode white space after the blank (`---
        // <NBSP># c`), which kubectl trims, is content to it.
        let after_blanks = own.trim_start_matches([' ', '\t']);
        let saphyr_cuts = own.is_empty()
            || (own.starts_with([' ', '\t'])
                && (after_blanks.is_empty() || after_blanks.starts_with('#')));
        if saphyr_cuts && dropped.trim().is_empty() {
            continue;
        }
        let out = copy.get_or_insert_with(|| String::with_capacity(text.len()));
        out.push_str(&text[done..start + 3]);
        out.extend(rest.chars().map(|c| if c == '\r' { c } else { ' ' }));
        done = start + 3 + rest.len();
    }
    let copy = copy.map(|mut out| {
        out.push_str(&text[done..]);
        out
    });
    (copy, refused)
}

/// A line of a text that starts with `---`, as kubectl's document
/// splitter reads it.
pub(crate) struct DashLine<'t> {
    /// Its byte offset.
    pub start: usize,
    /// The line without its `\n` (the splitter's lines end at `\n` only:
    /// what follows a lone `\r` is the same line to it).
    pub line: &'t str,
    /// Whether the splitter cuts the text there ([`kubectl_cuts`]); else
    /// it refuses the text.
    pub separator: bool,
    /// Whether the splitter hands the line on to the YAML parser, as the
    /// first line of a document: nothing came before it (it is the text's
    /// first line, or the line after another separator). Else it drops it.
    pub handed_on: bool,
}

/// The lines of `text` that start with `---`, in order.
pub(crate) fn dash_lines(text: &str) -> impl Iterator<Item = DashLine<'_>> {
    // Whether the splitter's buffer is empty before the line.
    let mut empty = true;
    text.split_inclusive('\n')
        .scan(0, |start, line| {
            let at = *start;
            *start += line.len();
            Some((at, line.strip_suffix('\n').unwrap_or(line)))
        })
        .filter_map(move |(start, line)| {
            let was_empty = std::mem::replace(&mut empty, false);
            if !line.starts_with("---") {
                return None;
            }
            let separator = kubectl_cuts(line);
            empty = separator;
            Some(DashLine {
                start,
                line,
                separator,
                handed_on: was_empty,
            })
        })
}

/// The byte ranges of the separator lines kubectl's splitter drops (with
/// their `\n`): what they hold never reaches its YAML parser.
pub(crate) fn dropped_separators(text: &str) -> Vec<std::ops::Range<usize>> {
    dash_lines(text)
        .filter(|d| d.separator && !d.handed_on)
        .map(|d| d.start..(d.start + d.line.len() + 1).min(text.len()))
        .collect()
}

/// Whether `line` (with its line break) is one at which kubectl's document
/// splitter cuts the text and saphyr-parser starts a document: `---`, then
/// nothing but blanks and a comment.
pub(crate) fn splits(line: &str) -> bool {
    line.strip_prefix("---").is_some_and(|rest| {
        let content = rest.trim_start_matches([' ', '\t']);
        let blank = content.trim_start_matches(['\r', '\n']).is_empty();
        blank || (content.len() < rest.len() && content.starts_with('#'))
    })
}

/// NEL (U+0085), U+2028 and U+2029, which go-yaml (YAML 1.1) reads as line
/// breaks and saphyr-parser as characters.
pub(crate) fn is_yaml_1_1_break(c: char) -> bool {
    matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Whether `rest` of a line, after a YAML 1.1 line break, is nothing to
/// go-yaml: blanks and such breaks, and comments (each one's text ends at
/// such a break).
fn ends_line(mut rest: &str) -> bool {
    loop {
        rest = rest.trim_start_matches(|c: char| c == ' ' || c == '\t' || is_yaml_1_1_break(c));
        if rest.is_empty() {
            return true;
        }
        if !rest.starts_with('#') {
            return false;
        }
        match rest.find(is_yaml_1_1_break) {
            Some(at) => rest = &rest[at..],
            None => return true,
        }
    }
}

/// YAML 1.1 line breaks at either end of a line, which go-yaml reads as
/// ends of a line, around empty lines that mean nothing outside a scalar:
///
/// - at its end, after each only blanks, such breaks and comments
///   ([`ends_line`]): the copy `text` has each a space (one character for
///   one, so no line or column moves);
/// - at its start, before its first token (`<NEL>kind: Pod`): the line's
///   content starts at column 0 after the last of them, as go-yaml reads
///   it, so the copy drops what comes before, and `shifts` records the
///   characters dropped. Not before a document marker or a directive,
///   which go-yaml would read there and kubectl's document splitter does
///   not.
///
/// Returns the copy and where those breaks are in `body` (byte offsets,
/// ascending). A line of the copy is changed only where it starts or ends
/// as the same line of `body` does (the copy only ever has spaces added at
/// a line's start, or a comment of a `---` line blanked, where such a break
/// may already be a space). Whether one lies inside a scalar, where the
/// empty line counts, is the loader's concern (`Loader::yaml_1_1_break`).
pub(crate) fn line_end_breaks(
    text: &str,
    body: &str,
    shifts: &mut Shifts,
) -> Option<(String, Vec<usize>)> {
    let mut finals = Vec::new();
    let mut out = String::new();
    let mut from = 0;
    let blank = |c: char| c == ' ' || c == '\t' || is_yaml_1_1_break(c);
    for (n, ((copy_start, copy_line), (start, line))) in lines(text).zip(lines(body)).enumerate() {
        if !line.contains(is_yaml_1_1_break) {
            continue;
        }
        // The line's start, up to and with its last leading break.
        let content = line.trim_start_matches(blank);
        let lead = line[..line.len() - content.len()]
            .rfind(is_yaml_1_1_break)
            .map_or(0, |at| {
                at + line[at..].chars().next().map_or(0, char::len_utf8)
            });
        let marker = ["---", "...", "%"].iter().any(|m| content.starts_with(m));
        let lead =
            if lead > 0 && !content.is_empty() && !marker && copy_line.starts_with(&line[..lead]) {
                out.push_str(&text[from..copy_start]);
                from = copy_start + lead;
                finals.extend(
                    line[..lead]
                        .char_indices()
                        .filter(|&(_, c)| is_yaml_1_1_break(c))
                        .map(|(i, _)| start + i),
                );
                let dropped = line[..lead].chars().count();
                shifts.add(n + 1, -isize::try_from(dropped).ok()?);
                lead
            } else {
                0
            };
        // The line's end, from its first break that ends it.
        let first = line[lead..]
            .char_indices()
            .find(|&(i, c)| is_yaml_1_1_break(c) && ends_line(&line[lead + i + c.len_utf8()..]));
        let Some((at, _)) = first else {
            continue;
        };
        let at = lead + at;
        let tail = &line[at..];
        let blanked: String = tail
            .chars()
            .map(|c| if is_yaml_1_1_break(c) { ' ' } else { c })
            .collect();
        let copy_tail = if copy_line.ends_with(tail) {
            tail.len()
        } else if copy_line.ends_with(blanked.as_str()) {
            blanked.len()
        } else {
            continue;
        };
        let copy_at = copy_start + copy_line.len() - copy_tail;
        if copy_at < from {
            continue;
        }
        out.push_str(&text[from..copy_at]);
        out.push_str(&blanked);
        finals.extend(
            tail.char_indices()
                .filter(|&(_, c)| is_yaml_1_1_break(c))
                .map(|(i, _)| start + at + i),
        );
        from = copy_at + copy_tail;
    }
    if finals.is_empty() {
        return None;
    }
    out.push_str(&text[from..]);
    Some((out, finals))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Shifts::original` against the plain sum over the lines before,
    /// after changes in any order (the sums are cached between changes).
    #[test]
    fn shifts_map_back_as_their_sum() {
        let mut shifts = Shifts::default();
        let mut plain: BTreeMap<usize, isize> = BTreeMap::new();
        let changes = [(5, 2), (2, -1), (9, 3), (5, 1), (1, 4), (7, -2), (9, -3)];
        for (line, count) in changes {
            shifts.add(line, count);
            *plain.entry(line).or_insert(0) += count;
            for line in 1..12 {
                for col in [0usize, 1, 4] {
                    let before: isize = plain.range(..line).map(|(_, n)| n).sum();
                    let here = match plain.get(&line) {
                        Some(&n) if n > 0 => n.min(isize::try_from(col).unwrap_or(isize::MAX)),
                        Some(&n) => n,
                        None => 0,
                    };
                    let index = 100 + col;
                    let want = (
                        index.checked_add_signed(-(before + here)).unwrap_or(0),
                        col.checked_add_signed(-here).unwrap_or(0),
                    );
                    assert_eq!(shifts.original(index, line, col), want, "{line}:{col}");
                }
            }
        }
    }

    /// The line-end pass: breaks at a line's end become spaces, those
    /// before a line's first token are dropped with a shift; a break with
    /// more text after it stays.
    #[test]
    fn line_end_breaks_blank_and_drop() {
        let body = "a: b\u{85}\n\u{2028}  c: d\ne: f\u{85}g\n# h\u{85} # i\u{2029}\n";
        let mut shifts = Shifts::default();
        let (copy, finals) = line_end_breaks(body, body, &mut shifts).expect("changed");
        assert_eq!(copy, "a: b \n  c: d\ne: f\u{85}g\n# h  # i \n");
        let at = |s: &str| body.find(s).expect("in body");
        assert_eq!(
            finals,
            [
                at("\u{85}\n"),
                at("\u{2028}"),
                at("\u{85} # i"),
                at("\u{2029}")
            ]
        );
        // `c` is at column 2 of the copy's line 2, column 3 of the original's.
        assert_eq!(shifts.original(9, 2, 2), (10, 3));
    }
}
