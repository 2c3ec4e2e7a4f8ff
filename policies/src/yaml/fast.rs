//! The fast path: a single-pass, byte-level parser for the YAML that
//! Kubernetes manifests are written in, building `Value`s and spans directly
//! (no token or event layer in between).
//!
//! It produces exactly what the saphyr-parser path produces (same values and
//! key order, same located positions, sources, starts, document indexes), and
//! stops — *bails* — wherever it is not sure to: the loader then parses the
//! whole text again with saphyr-parser, skipping the documents the fast path
//! already handed over. Errors therefore always come from saphyr-parser.
//! `differential::differential` compares the two paths; the tests, property
//! tests and the fuzz target hold them to each other.
//!
//! Handled:
//! - block mappings and block sequences nested to any depth below
//!   [`MAX_DEPTH`], sequences at their key's indentation (`key:\n- x`),
//!   compact forms (`- name: x`, `- - x`), empty values and items (null),
//!   values alone on the line after their key or dash;
//! - plain scalars, folded over more-indented continuation lines in block
//!   context; single- and double-quoted scalars (every escape saphyr-parser
//!   knows), also over several lines; block scalars `|` and `>` with
//!   chomping (`-`, `+`) and indentation indicators;
//! - flow mappings and sequences (nested, over several lines when every line
//!   is indented past the enclosing block collection), JSON included;
//! - comments, blank lines, `---` and `...`, CRLF line endings, a leading BOM
//!   (stripped by the loader), Helm `# Source:` comments, empty and
//!   comment-only documents, UTF-8 anywhere in scalars and comments.
//!
//! Bails on: anchors, aliases, tags, `?` complex keys, directives, merge keys
//! (`<<`), plain or block scalars as a document root, content on a `---`
//! line, a block scalar alone on the line after its key, keys over several
//! lines or longer than [`MAX_KEY`] bytes, plain scalars over several lines
//! inside flow collections, continuation lines (of quoted scalars and flow
//! collections) at or left of the enclosing collection's indentation (what
//! go-yaml accepts and the saphyr-parser path repairs, see `lenient.rs`), tabs
//! outside comments and quoted or block scalar content, lone CRs, control
//! characters, BOMs inside the text, duplicate keys, nesting past
//! [`MAX_DEPTH`] or near [`Limits::max_depth`], more values than
//! [`Limits::max_nodes`], and anything else it does not recognise (every
//! syntax error included).
//!
//! Positions are the reference loader's, which are those libyaml, go-yaml
//! and PyYAML give (`tests/spans_oracle.rs` holds both to PyYAML): a block
//! mapping starts at its first key, a block sequence at its first `-`, a
//! block scalar at its `|` or `>`, an empty value just after its `:` (an
//! empty item just after its `-`), and a block sequence item's "dash" is the
//! reference loader's `dash_of` (flow items have none).
//!
//! Everything is iterative (explicit stacks) and linear in the text.

use serde_json::{Map, Value};

use super::spans::{self, Location, Pos, Spans};
use super::{dash_of, find_source, scalar, too_large_message, Document, Limits, Loader, YamlError};

/// Deepest nesting the fast path builds itself.
pub(super) const MAX_DEPTH: usize = 64;
/// Longest key, in bytes, the fast path takes (saphyr-parser stops looking
/// for a simple key's `:` after 1024 characters).
pub(super) const MAX_KEY: usize = 1000;

/// The fast path gave up.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Bail {
    /// The index of the first document it did not hand over.
    pub(super) first_unhanded: usize,
    /// The line it was reading.
    pub(super) line: usize,
    /// The error saphyr-parser would end the load with, when the fast path
    /// knows it: a document past [`Limits::max_nodes`]. The reference path
    /// is then not run, which matters: saphyr-parser holds every token of a
    /// flow collection until it closes (about 200 bytes per byte of a long
    /// `[0,0,…]`), so a huge one took gigabytes only to fail at the limit.
    pub(super) error: Option<YamlError>,
}

/// Internal: stop and let saphyr-parser do it.
struct Stop;

type R<T> = Result<T, Stop>;

/// Loads `loader`'s text with the fast path, handing each document to `each`.
pub(super) fn run(loader: &Loader<'_>, each: &mut dyn FnMut(Document)) -> Result<(), Bail> {
    let mut fast = Fast::new(loader);
    match fast.stream(each) {
        Ok(()) => Ok(()),
        Err(Stop) => Err(Bail {
            first_unhanded: fast.doc_index,
            line: fast.line,
            error: fast.limit_error(),
        }),
    }
}

/// Where a finished value goes.
#[derive(Clone, Copy)]
enum Slot {
    Root,
    /// The value of `ents[i]`.
    Ent(usize),
    /// `vals[i]`.
    Val(usize),
}

/// A value not written yet: decided by the next content line.
#[derive(Clone, Copy)]
enum Pending {
    None,
    /// `key:` and nothing more on its line (`empty`: just after the `:`,
    /// where an empty value is placed).
    Key {
        hash: u64,
        key: Pos,
        empty: Pos,
    },
    /// `-` and nothing more on its line (`mark`: just after the `-`, where
    /// an empty item is placed).
    Item {
        idx: usize,
        mark: Pos,
    },
}

/// An open block collection.
struct Frame {
    map: bool,
    /// Column of its keys or dashes.
    indent: usize,
    hash: u64,
    /// Where its entries start in `ents` (mapping) or `vals` (sequence).
    start: usize,
    slot: Slot,
    /// A sequence at its parent key's indentation.
    indentless: bool,
    pending: Pending,
}

/// An open flow collection.
struct FlowFrame {
    map: bool,
    hash: u64,
    start: usize,
    slot: Slot,
}

/// How a plain scalar ended.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    /// At a `:` indicator (the scalar is a key).
    Colon,
    /// At a comment.
    Comment,
    /// At the end of the line or text.
    Eol,
    /// At a flow indicator (flow context only).
    Flow,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Chomp {
    Strip,
    Clip,
    Keep,
}

/// What a value on a line belongs to.
#[derive(Clone, Copy)]
enum Owner {
    /// A mapping value: the key's hash and position, and the entry slot.
    Key { hash: u64, key: Pos, slot: usize },
    /// A sequence item: its hash and slot.
    Item { hash: u64, slot: usize },
}

struct Fast<'t> {
    text: &'t str,
    b: &'t [u8],
    base: usize,
    ascii: bool,
    /// kubectl reads the text as JSON (see `Loader::json`).
    json: bool,
    limits: Limits,
    /// Open collections allowed (fewer than saphyr-parser's limit).
    depth_limit: usize,
    /// Cursor.
    i: usize,
    /// 1-based line of `ls`.
    line: usize,
    /// Start of the current line.
    ls: usize,
    /// Column cache on non-ASCII lines: (line start, offset, 0-based column).
    cc: (usize, usize, usize),
    stack: Vec<Frame>,
    flow: Vec<FlowFrame>,
    ents: Vec<(String, Value)>,
    vals: Vec<Value>,
    spans: Spans,
    nodes: usize,
    /// Where the value past [`Limits::max_nodes`] is, once one was counted.
    too_many: Option<Pos>,
    root: Option<Value>,
    doc_index: usize,
    /// Capacity for the next document's spans (the last one's size).
    spans_hint: usize,
    /// The column continuation lines of quoted scalars in the current flow
    /// collection must reach.
    flow_min: usize,
}

/// Bytes that end a run of ordinary plain-scalar characters: blanks, `:`,
/// control characters, DEL, the first bytes of the characters
/// [`Fast::unusual`] tells, and in flow context the flow indicators.
const fn stops(flow: bool) -> [bool; 256] {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = true;
        c += 1;
    }
    t[b' ' as usize] = true;
    t[b':' as usize] = true;
    t[0x7F] = true;
    t[0xC2] = true;
    t[0xE2] = true;
    t[0xEF] = true;
    if flow {
        t[b',' as usize] = true;
        t[b'[' as usize] = true;
        t[b']' as usize] = true;
        t[b'{' as usize] = true;
        t[b'}' as usize] = true;
    }
    t
}

static BLOCK_STOPS: [bool; 256] = stops(false);
static FLOW_STOPS: [bool; 256] = stops(true);

/// A plain scalar's value: a string, unless it is one of the words or
/// numbers YAML 1.1 resolves (all of which are short, or start with a digit,
/// a sign or a dot). `Stop` for an infinity or NaN (`.inf`), which kubectl
/// refuses as a value (the reference path says why).
#[inline]
fn plain_value(text: &str) -> R<Value> {
    match text.as_bytes().first() {
        Some(c) if c.is_ascii_alphabetic() && text.len() > 5 => Ok(Value::String(text.to_string())),
        Some(b'.' | b'+' | b'-') if text.len() <= 5 && scalar::is_special_float(text) => Err(Stop),
        _ => Ok(scalar::resolve_plain(text)),
    }
}

/// A plain key's name (see [`plain_value`]); `None` for a key kubectl
/// refuses (the reference path says why).
#[inline]
fn plain_name(text: &str) -> Option<String> {
    match text.as_bytes().first() {
        Some(c) if c.is_ascii_alphabetic() && text.len() > 5 => Some(text.to_string()),
        _ => scalar::plain_key_string(text).ok(),
    }
}

#[inline]
fn is_flow(c: u8) -> bool {
    matches!(c, b',' | b'[' | b']' | b'{' | b'}')
}

impl<'t> Fast<'t> {
    fn new(l: &Loader<'t>) -> Self {
        Fast {
            text: l.body,
            b: l.body.as_bytes(),
            base: l.base,
            ascii: l.ascii,
            json: l.json,
            limits: l.limits,
            depth_limit: MAX_DEPTH.min(l.limits.max_depth.saturating_sub(1)),
            i: 0,
            line: 1,
            ls: 0,
            cc: (usize::MAX, 0, 0),
            stack: Vec::new(),
            flow: Vec::new(),
            ents: Vec::new(),
            vals: Vec::new(),
            spans: Spans::default(),
            nodes: 0,
            too_many: None,
            root: None,
            doc_index: 0,
            spans_hint: 64,
            flow_min: 0,
        }
    }

    // ---- bytes and positions ----

    /// The byte at `i`, 0 past the end.
    #[inline]
    fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    #[inline]
    fn eof(&self, i: usize) -> bool {
        i >= self.b.len()
    }

    /// The first byte at or after `i` that is not a space.
    #[inline]
    fn spaces(&self, mut i: usize) -> usize {
        // Eight bytes at a time: indentation runs long in deep manifests.
        while let Some(chunk) = self.b.get(i..i + 8) {
            let Ok(chunk) = <[u8; 8]>::try_from(chunk) else {
                break;
            };
            let others = u64::from_le_bytes(chunk) ^ 0x2020_2020_2020_2020;
            if others != 0 {
                return i + (others.trailing_zeros() / 8) as usize;
            }
            i += 8;
        }
        while self.at(i) == b' ' {
            i += 1;
        }
        i
    }

    /// A BOM (U+FEFF) starts at `i`.
    #[inline]
    fn bom(&self, i: usize) -> bool {
        self.at(i) == 0xEF && self.at(i + 1) == 0xBB && self.at(i + 2) == 0xBF
    }

    /// Whether the character whose first byte (`0xC2`, `0xE2` or `0xEF`) is
    /// at `i` is one the fast path leaves to the reference path: a C1
    /// control character or NEL, U+2028 or U+2029 (line breaks to go-yaml's
    /// YAML 1.1, `Loader::yaml_1_1_break`), U+FFFE or U+FFFF (refused by
    /// go-yaml, `refused_character` in `mod.rs`), or a byte-order mark.
    // Cold and not inlined: these bytes are rare, and inlined this cost the
    // scanning loops registers (0.3% of a parse's instructions).
    #[cold]
    #[inline(never)]
    fn unusual(&self, i: usize) -> bool {
        match self.at(i) {
            0xC2 => matches!(self.at(i + 1), 0x80..=0x9F),
            0xE2 => self.at(i + 1) == 0x80 && matches!(self.at(i + 2), 0xA8 | 0xA9),
            0xEF => {
                self.bom(i) || (self.at(i + 1) == 0xBF && matches!(self.at(i + 2), 0xBE | 0xBF))
            }
            _ => false,
        }
    }

    /// The position of byte `off` of the current line.
    fn pos(&mut self, off: usize) -> Pos {
        let column = if self.ascii {
            off.saturating_sub(self.ls)
        } else {
            self.chars_to(off)
        };
        Pos {
            line: self.line,
            column: column + 1,
            offset: self.base + off,
        }
    }

    /// Characters between the start of the current line and `off`.
    fn chars_to(&mut self, off: usize) -> usize {
        let (ls, mut o, mut c) = self.cc;
        if ls != self.ls || o > off {
            o = self.ls;
            c = 0;
        }
        let counted = self.b.get(o..off).unwrap_or(&[]);
        c += counted.iter().filter(|&&x| (x as i8) >= -0x40).count();
        self.cc = (self.ls, off, c);
        c
    }

    /// Consumes the line break at `i`; returns the start of the next line.
    #[inline]
    fn newline(&mut self, i: usize) -> R<usize> {
        let next = match self.at(i) {
            b'\n' => i + 1,
            b'\r' if self.at(i + 1) == b'\n' => i + 2,
            _ => return Err(Stop),
        };
        self.line += 1;
        self.ls = next;
        Ok(next)
    }

    /// The end of the comment starting at `i` (its line break or the end).
    fn comment_end(&self, mut i: usize) -> R<usize> {
        loop {
            match self.at(i) {
                b'\n' | b'\r' => return Ok(i),
                0 if self.eof(i) => return Ok(i),
                b'\t' => i += 1,
                0..=0x1F | 0x7F => return Err(Stop),
                0xC2 | 0xE2 | 0xEF if self.unusual(i) => return Err(Stop),
                _ => i += 1,
            }
        }
    }

    /// From `self.i` (a line start, or the end), skips blank and comment
    /// lines. Returns the next content line's indentation, `self.i` at its
    /// first character, or `None` at the end of the text.
    fn skip_lines(&mut self) -> R<Option<usize>> {
        let mut i = self.i;
        loop {
            i = self.spaces(i);
            match self.at(i) {
                b'\n' | b'\r' => i = self.newline(i)?,
                b'#' => {
                    i = self.comment_end(i)?;
                    if self.eof(i) {
                        self.i = i;
                        return Ok(None);
                    }
                    i = self.newline(i)?;
                }
                0 if self.eof(i) => {
                    self.i = i;
                    return Ok(None);
                }
                c if c < 0x20 => return Err(Stop),
                _ if self.bom(i) => return Err(Stop),
                _ => {
                    self.i = i;
                    return Ok(Some(i.saturating_sub(self.ls)));
                }
            }
        }
    }

    /// After a value or marker ending at `i`: spaces, maybe a comment, then
    /// the line break (consumed) or the end.
    fn rest_of_line(&mut self, mut i: usize) -> R<()> {
        i = self.spaces(i);
        if self.at(i) == b'#' {
            if i == 0 || self.at(i - 1) != b' ' {
                return Err(Stop);
            }
            i = self.comment_end(i)?;
        }
        match self.at(i) {
            b'\n' | b'\r' => {
                self.i = self.newline(i)?;
                Ok(())
            }
            0 if self.eof(i) => {
                self.i = i;
                Ok(())
            }
            _ => Err(Stop),
        }
    }

    /// A `---` or `...` marker (`c` repeated) at line start `p`.
    fn marker(&self, p: usize, c: u8) -> bool {
        p == self.ls
            && self.at(p) == c
            && self.at(p + 1) == c
            && self.at(p + 2) == c
            && matches!(self.at(p + 3), b' ' | b'\t' | b'\n' | b'\r' | 0)
    }

    /// Whether a block sequence entry (`-` and a blank) starts at `p`.
    #[inline]
    fn dash(&self, p: usize) -> R<bool> {
        if self.at(p) != b'-' {
            return Ok(false);
        }
        match self.at(p + 1) {
            b' ' | b'\n' | b'\r' => Ok(true),
            0 if self.eof(p + 1) => Ok(true),
            b'\t' | 0 => Err(Stop),
            _ => Ok(false),
        }
    }

    // ---- building ----

    /// The error the reference loader gives where the fast path stopped,
    /// if it stopped at the value limit: "document too large" at the first
    /// value past it. The reference loader rejects a duplicate key as it
    /// reads it, while the fast path finds them as it closes mappings; so
    /// when a mapping still open holds a duplicate key (which may have
    /// ended the reference load earlier), this leaves the error to it.
    fn limit_error(&self) -> Option<YamlError> {
        let at = self.too_many?;
        let mut starts: Vec<usize> = self
            .stack
            .iter()
            .filter(|f| f.map)
            .map(|f| f.start)
            .chain(self.flow.iter().filter(|f| f.map).map(|f| f.start))
            .collect();
        starts.push(self.ents.len());
        for w in starts.windows(2) {
            let mut seen = std::collections::HashSet::new();
            let ents = self.ents.get(w[0]..w[1]).unwrap_or(&[]);
            if !ents.iter().all(|(k, _)| seen.insert(k.as_str())) {
                return None;
            }
        }
        Some(YamlError {
            message: too_large_message(self.limits.max_nodes),
            pos: at,
            document: self.doc_index,
            limit: true,
        })
    }

    /// Counts the value at `at` (where the reference loader would report
    /// it); past [`Limits::max_nodes`], stops and remembers where.
    #[inline]
    fn count(&mut self, at: Pos) -> R<()> {
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes {
            self.too_many = Some(at);
            return Err(Stop);
        }
        Ok(())
    }

    #[inline]
    fn open_check(&self) -> R<()> {
        if self.stack.len() + self.flow.len() + 1 >= self.depth_limit {
            return Err(Stop);
        }
        Ok(())
    }

    #[inline]
    fn span(&mut self, hash: u64, key: Option<Pos>, value: Pos) {
        self.spans.push(hash, Location { key, value });
    }

    fn store(&mut self, slot: Slot, v: Value) -> R<()> {
        match slot {
            Slot::Root => self.root = Some(v),
            Slot::Ent(i) => self.ents.get_mut(i).ok_or(Stop)?.1 = v,
            Slot::Val(i) => *self.vals.get_mut(i).ok_or(Stop)? = v,
        }
        Ok(())
    }

    /// Builds a mapping from `ents[start..]` (duplicate keys: stop).
    fn build_map(&mut self, start: usize) -> R<Value> {
        let n = self.ents.len().saturating_sub(start);
        let mut m = Map::with_capacity(n);
        for (k, v) in self.ents.drain(start.min(self.ents.len())..) {
            if m.insert(k, v).is_some() {
                return Err(Stop);
            }
        }
        Ok(Value::Object(m))
    }

    fn build_seq(&mut self, start: usize) -> Value {
        let start = start.min(self.vals.len());
        Value::Array(self.vals.drain(start..).collect())
    }

    /// The "dash" of a sequence item at `pos`, as the reference loader finds
    /// it (`dash_of`).
    fn item_key(&self, pos: Pos) -> Option<Pos> {
        dash_of(self.text, self.base, pos, false)
    }

    // ---- the stream ----

    fn stream(&mut self, each: &mut dyn FnMut(Document)) -> R<()> {
        // A document is open (started, not ended yet).
        let mut open = false;
        // A `...` line came since the last `---` line: a document that
        // starts without one is an error (`Loader::after_document_end`).
        let mut ended = false;
        // Its root, once read: (value, start, source).
        let mut root: Option<(Value, Pos, Option<String>)> = None;
        let mut region_start = 0;
        loop {
            let Some(n) = self.skip_lines()? else {
                if open {
                    self.end_document(root.take(), each);
                }
                return Ok(());
            };
            let p = self.i;
            // A marker line is checked whole before the document it ends is
            // handed over: saphyr-parser may reject it first.
            if n == 0 && self.marker(p, b'-') {
                self.rest_of_line(p + 3)?;
                if open {
                    self.end_document(root.take(), each);
                }
                open = true;
                ended = false;
                region_start = p + 3;
                continue;
            }
            if n == 0 && self.marker(p, b'.') {
                self.rest_of_line(p + 3)?;
                ended = true;
                if open {
                    self.end_document(root.take(), each);
                    region_start = region_start.max(p + 3);
                    open = false;
                }
                continue;
            }
            if root.is_some() || ended || (n == 0 && self.at(p) == b'%') {
                return Err(Stop);
            }
            open = true;
            root = Some(self.document(n, region_start)?);
        }
    }

    fn end_document(
        &mut self,
        root: Option<(Value, Pos, Option<String>)>,
        each: &mut dyn FnMut(Document),
    ) {
        let index = self.doc_index;
        self.doc_index += 1;
        if let Some((value, start, source)) = root {
            let mut spans = std::mem::take(&mut self.spans);
            self.spans_hint = spans.len();
            spans.finish();
            each(Document {
                value,
                spans,
                source,
                start,
                index,
            });
        }
    }

    /// Reads a document's root value, starting at `self.i` (indentation
    /// `n`). Leaves `self.i` at the start of the line after it.
    fn document(&mut self, n: usize, region_start: usize) -> R<(Value, Pos, Option<String>)> {
        self.stack.clear();
        self.flow.clear();
        self.ents.clear();
        self.vals.clear();
        self.spans = Spans::with_capacity(self.spans_hint.max(16));
        self.nodes = 0;
        self.root = None;
        let p = self.i;
        let start = self.pos(p);
        let source = find_source(self.text, region_start, p);
        let root = spans::root_hash();
        match self.at(p) {
            b'[' | b'{' => {
                self.count(start)?;
                self.span(root, None, start);
                let end = self.flow(p, root, None, Slot::Root)?;
                self.rest_of_line(end)?;
            }
            _ => {
                let seq = self.dash(p)?;
                self.open_block(seq, n, root, Slot::Root, false, start)?;
                self.span(root, None, start);
                self.block()?;
            }
        }
        let value = self.root.take().ok_or(Stop)?;
        Ok((value, start, source))
    }

    // ---- block collections ----

    /// Opens a block collection (counted as a value).
    fn open_block(
        &mut self,
        seq: bool,
        indent: usize,
        hash: u64,
        slot: Slot,
        indentless: bool,
        at: Pos,
    ) -> R<()> {
        self.open_check()?;
        self.count(at)?;
        let start = if seq {
            self.vals.len()
        } else {
            self.ents.len()
        };
        self.stack.push(Frame {
            map: !seq,
            indent,
            hash,
            start,
            slot,
            indentless,
            pending: Pending::None,
        });
        Ok(())
    }

    fn close_top(&mut self) -> R<()> {
        let Some(f) = self.stack.pop() else {
            return Ok(());
        };
        let v = if f.map {
            self.build_map(f.start)?
        } else {
            self.build_seq(f.start)
        };
        self.store(f.slot, v)
    }

    /// Reads block collections line by line from the root's first line
    /// (`self.i` at its content) to the end of the document.
    fn block(&mut self) -> R<()> {
        let mut in_frame = true;
        loop {
            if in_frame {
                self.line_in_frame()?;
            }
            let Some(n) = self.skip_lines()? else {
                break;
            };
            let p = self.i;
            if n == 0 && (self.marker(p, b'-') || self.marker(p, b'.')) {
                break;
            }
            in_frame = self.arrange(n)?;
        }
        self.pending_null()?;
        while !self.stack.is_empty() {
            self.close_top()?;
        }
        Ok(())
    }

    /// Resolves the top collection's pending value as empty (null).
    fn pending_null(&mut self) -> R<()> {
        let Some(top) = self.stack.last_mut() else {
            return Ok(());
        };
        let hash = top.hash;
        match std::mem::replace(&mut top.pending, Pending::None) {
            Pending::None => {}
            Pending::Key { hash, key, empty } => {
                self.count(empty)?;
                self.span(hash, Some(key), empty);
            }
            Pending::Item { idx, mark } => {
                self.count(mark)?;
                let key = self.item_key(mark);
                self.span(spans::index_hash(hash, idx), key, mark);
            }
        }
        Ok(())
    }

    /// Before a content line indented `n` (`self.i` at its content): gives
    /// a pending value its nested collection or scalar, or null, and closes
    /// the collections the line ends. `true` when the line is left to
    /// [`Fast::line_in_frame`], `false` when it was read here.
    fn arrange(&mut self, n: usize) -> R<bool> {
        let p = self.i;
        let dash = self.dash(p)?;
        if let Some(top) = self.stack.last_mut() {
            let (indent, hash) = (top.indent, top.hash);
            match top.pending {
                Pending::None => {}
                Pending::Key { hash: kh, key, .. } => {
                    if n > indent || (n == indent && dash) {
                        top.pending = Pending::None;
                        let slot = self.ents.len().checked_sub(1).ok_or(Stop)?;
                        if !dash {
                            let owner = Owner::Key {
                                hash: kh,
                                key,
                                slot,
                            };
                            self.inline_value(p, owner, true)?;
                            return Ok(false);
                        }
                        let indentless = n == indent;
                        let vpos = self.pos(p);
                        // Counted (for the node limit's error) where the
                        // reference loader counts it: saphyr-parser's place.
                        let counted = if indentless {
                            self.entry_mark(p)?
                        } else {
                            vpos
                        };
                        self.span(kh, Some(key), vpos);
                        self.open_block(true, n, kh, Slot::Ent(slot), indentless, counted)?;
                        return Ok(true);
                    }
                    self.pending_null()?;
                }
                Pending::Item { idx, .. } => {
                    if n > indent {
                        top.pending = Pending::None;
                        let slot = self.vals.len().checked_sub(1).ok_or(Stop)?;
                        let ih = spans::index_hash(hash, idx);
                        if !dash {
                            self.inline_value(p, Owner::Item { hash: ih, slot }, true)?;
                            return Ok(false);
                        }
                        let vpos = self.pos(p);
                        let key = self.item_key(vpos);
                        self.span(ih, key, vpos);
                        self.open_block(true, n, ih, Slot::Val(slot), false, vpos)?;
                        return Ok(true);
                    }
                    self.pending_null()?;
                }
            }
        }
        loop {
            let Some(top) = self.stack.last() else {
                // More content after the root.
                return Err(Stop);
            };
            if top.indent > n || (top.indentless && top.indent == n && !dash) {
                self.close_top()?;
            } else if top.indent == n {
                return Ok(true);
            } else {
                return Err(Stop);
            }
        }
    }

    /// Where saphyr-parser puts the `-` entry at `p`: after the dash, the
    /// blanks and any comment that follow it on its line.
    fn entry_mark(&mut self, p: usize) -> R<Pos> {
        let mut j = p + 1;
        j = self.spaces(j);
        if self.at(j) == b'#' {
            j = self.comment_end(j)?;
        }
        Ok(self.pos(j))
    }

    /// The content of a line in the top collection, whose indentation it
    /// has.
    fn line_in_frame(&mut self) -> R<()> {
        let p = self.i;
        let Some(top) = self.stack.last() else {
            return Err(Stop);
        };
        if top.map {
            self.map_entry(p)
        } else if self.dash(p)? {
            self.seq_entry(p)
        } else {
            Err(Stop)
        }
    }

    /// `- …` at `d`, an entry of the top sequence (and of sequences nested on
    /// the same line: `- - x`).
    fn seq_entry(&mut self, mut d: usize) -> R<()> {
        loop {
            let Some(top) = self.stack.last() else {
                return Err(Stop);
            };
            let hash = top.hash;
            let idx = self.vals.len().checked_sub(top.start).ok_or(Stop)?;
            let mut j = d + 1;
            j = self.spaces(j);
            self.vals.push(Value::Null);
            let slot = self.vals.len() - 1;
            let c = self.at(j);
            if c == b'\n' || c == b'\r' || c == b'#' || self.eof(j) {
                let e = if c == b'#' { self.comment_end(j)? } else { j };
                let mark = self.pos(d + 1);
                if let Some(top) = self.stack.last_mut() {
                    top.pending = Pending::Item { idx, mark };
                }
                return self.rest_of_line(e);
            }
            let ih = spans::index_hash(hash, idx);
            if self.dash(j)? {
                let vpos = self.pos(j);
                let key = self.item_key(vpos);
                self.span(ih, key, vpos);
                self.open_block(
                    true,
                    j.saturating_sub(self.ls),
                    ih,
                    Slot::Val(slot),
                    false,
                    vpos,
                )?;
                d = j;
                continue;
            }
            return self.inline_value(j, Owner::Item { hash: ih, slot }, false);
        }
    }

    /// `key: …` at `p`, an entry of the top mapping.
    fn map_entry(&mut self, p: usize) -> R<()> {
        let kpos = self.pos(p);
        let c = self.at(p);
        let (name, colon) = if c == b'"' || c == b'\'' {
            let (s, end, _) = self.quoted(p, None)?;
            let mut k = end;
            k = self.spaces(k);
            if !self.value_indicator(k)? {
                return Err(Stop);
            }
            (s, k)
        } else {
            // A line that starts with `---` is a document separator to
            // kubectl, whatever follows (`lenient::separators`).
            if !self.plain_start(p, false) || (c == b'-' && p == self.ls) {
                return Err(Stop);
            }
            let (end, stop, why) = self.plain(p, false)?;
            if why != End::Colon {
                return Err(Stop);
            }
            (self.plain_key(p, end)?, stop)
        };
        self.key_value(name, kpos, colon)
    }

    /// `:` then a blank or the end of the line at `k`.
    fn value_indicator(&self, k: usize) -> R<bool> {
        if self.at(k) != b':' {
            return Ok(false);
        }
        match self.at(k + 1) {
            b' ' | b'\n' | b'\r' => Ok(true),
            0 if self.eof(k + 1) => Ok(true),
            b'\t' | 0 => Err(Stop),
            _ => Ok(false),
        }
    }

    /// The name of the plain key `text[p..end]`.
    fn plain_key(&self, p: usize, end: usize) -> R<String> {
        let text = self.text.get(p..end).ok_or(Stop)?;
        if text == "<<" {
            return Err(Stop);
        }
        plain_name(text).ok_or(Stop)
    }

    /// A key of the top mapping (at `kpos`, its `:` at `colon`) and its value.
    fn key_value(&mut self, name: String, kpos: Pos, colon: usize) -> R<()> {
        if (colon + self.base).saturating_sub(kpos.offset) > MAX_KEY {
            return Err(Stop);
        }
        let Some(top) = self.stack.last() else {
            return Err(Stop);
        };
        let hash = spans::key_hash(top.hash, &name);
        self.ents.push((name, Value::Null));
        let slot = self.ents.len() - 1;
        let mut j = colon + 1;
        j = self.spaces(j);
        let c = self.at(j);
        if c == b'\n' || c == b'\r' || c == b'#' || self.eof(j) {
            let empty = self.pos(colon + 1);
            if let Some(top) = self.stack.last_mut() {
                top.pending = Pending::Key {
                    hash,
                    key: kpos,
                    empty,
                };
            }
            return self.rest_of_line(j);
        }
        if self.dash(j)? {
            return Err(Stop);
        }
        let owner = Owner::Key {
            hash,
            key: kpos,
            slot,
        };
        self.inline_value(j, owner, false)
    }

    /// Records where a value of `owner` is and returns its hash and slot.
    fn owner_span(&mut self, owner: Owner, vpos: Pos) -> (u64, Slot) {
        match owner {
            Owner::Key { hash, key, slot } => {
                self.span(hash, Some(key), vpos);
                (hash, Slot::Ent(slot))
            }
            Owner::Item { hash, slot } => {
                let key = self.item_key(vpos);
                self.span(hash, key, vpos);
                (hash, Slot::Val(slot))
            }
        }
    }

    /// A value starting at `j`: on the line of its key or dash, or alone on
    /// the line after them (`own_line`). A `key:` there starts a mapping,
    /// except on the line of a key.
    fn inline_value(&mut self, j: usize, owner: Owner, own_line: bool) -> R<()> {
        let parent = self.stack.last().map_or(0, |f| f.indent);
        let nests = own_line || matches!(owner, Owner::Item { .. });
        match self.at(j) {
            b'[' | b'{' => {
                let vpos = self.pos(j);
                self.count(vpos)?;
                let (hash, slot) = self.owner_span(owner, vpos);
                let end = self.flow(j, hash, Some(parent), slot)?;
                return self.rest_of_line(end);
            }
            b'"' | b'\'' => {
                let vpos = self.pos(j);
                let (s, end, lines) = self.quoted(j, Some(parent + 1))?;
                let mut k = end;
                k = self.spaces(k);
                if self.at(k) == b':' {
                    if !nests || lines || !self.value_indicator(k)? {
                        return Err(Stop);
                    }
                    return self.nested_map(j, vpos, owner, s, k);
                }
                self.count(vpos)?;
                let (_, slot) = self.owner_span(owner, vpos);
                self.store(slot, Value::String(s))?;
                return self.rest_of_line(end);
            }
            b'|' | b'>' if !own_line => {
                let (s, vpos, resume) = self.block_scalar(j, parent)?;
                self.count(vpos)?;
                let (_, slot) = self.owner_span(owner, vpos);
                self.store(slot, Value::String(s))?;
                self.i = resume;
                return Ok(());
            }
            _ => {}
        }
        if !self.plain_start(j, false) {
            return Err(Stop);
        }
        let (end, stop, why) = self.plain(j, false)?;
        let vpos = self.pos(j);
        if why == End::Colon {
            if !nests {
                return Err(Stop);
            }
            let name = self.plain_key(j, end)?;
            return self.nested_map(j, vpos, owner, name, stop);
        }
        let text = self.text.get(j..end).ok_or(Stop)?;
        let (v, stop) = if why == End::Eol {
            match self.plain_lines(text, stop, parent)? {
                Some((s, stop)) => (Value::String(s), stop),
                None => (plain_value(text)?, stop),
            }
        } else {
            (plain_value(text)?, stop)
        };
        self.count(vpos)?;
        let (_, slot) = self.owner_span(owner, vpos);
        self.store(slot, v)?;
        self.rest_of_line(stop)
    }

    /// A plain scalar `first` ended at the line break `stop`, in a block
    /// collection indented `parent`: when lines indented more follow, the
    /// scalar folded over them and where its last line ends; `None` (and
    /// nothing consumed) when it is one line.
    fn plain_lines(
        &mut self,
        first: &str,
        stop: usize,
        parent: usize,
    ) -> R<Option<(String, usize)>> {
        let mut out: Option<String> = None;
        // The end of the last line read, and that line.
        let (mut last, mut line, mut ls) = (stop, self.line, self.ls);
        loop {
            if self.eof(last) {
                break;
            }
            let mut i = self.newline(last)?;
            let mut breaks = 0;
            loop {
                i = self.spaces(i);
                match self.at(i) {
                    b'\n' | b'\r' => {
                        i = self.newline(i)?;
                        breaks += 1;
                    }
                    _ => break,
                }
            }
            if self.eof(i) || self.at(i) == b'#' || i.saturating_sub(self.ls) <= parent {
                break;
            }
            let (end, next, why) = self.plain(i, false)?;
            if why == End::Colon || end == i {
                return Err(Stop);
            }
            let s = out.get_or_insert_with(|| first.to_string());
            if breaks == 0 {
                s.push(' ');
            }
            for _ in 0..breaks {
                s.push('\n');
            }
            s.push_str(self.text.get(i..end).ok_or(Stop)?);
            (last, line, ls) = (next, self.line, self.ls);
            if why == End::Comment {
                break;
            }
        }
        // Back to the end of the scalar's last line.
        self.line = line;
        self.ls = ls;
        Ok(out.map(|s| (s, last)))
    }

    /// A mapping whose first key (`name` at `j`, `kpos`, its `:` at `colon`)
    /// is the value of `owner`: `- key: …`, or a key on the line after its
    /// parent key or dash.
    fn nested_map(
        &mut self,
        j: usize,
        kpos: Pos,
        owner: Owner,
        name: String,
        colon: usize,
    ) -> R<()> {
        let (hash, slot) = self.owner_span(owner, kpos);
        self.open_block(false, j.saturating_sub(self.ls), hash, slot, false, kpos)?;
        self.key_value(name, kpos, colon)
    }

    // ---- scalars ----

    /// Whether a plain scalar may start at `p`.
    fn plain_start(&self, p: usize, flow: bool) -> bool {
        match self.at(p) {
            b'-' => {
                let n = self.at(p + 1);
                !(matches!(n, b' ' | b'\t' | b'\n' | b'\r' | 0) || (flow && is_flow(n)))
            }
            // `?x` and `:x` start plain scalars in block context only.
            b'?' | b':' => !flow && !matches!(self.at(p + 1), b' ' | b'\t' | b'\n' | b'\r' | 0),
            b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\''
            | b'"' | b'%' | b'@' | b'`' => false,
            c if c < 0x20 => false,
            _ => !self.bom(p),
        }
    }

    /// Scans a one-line plain scalar starting at `p`: (end of its text,
    /// where scanning stopped, why).
    fn plain(&self, p: usize, flow: bool) -> R<(usize, usize, End)> {
        let table = if flow { &FLOW_STOPS } else { &BLOCK_STOPS };
        let mut i = p;
        let mut end = p;
        loop {
            let rest = self.b.get(i..).unwrap_or(&[]);
            let run = rest
                .iter()
                .position(|&c| table[usize::from(c)])
                .unwrap_or(rest.len());
            if run > 0 {
                i += run;
                end = i;
            }
            match self.at(i) {
                b' ' => {
                    let mut j = i + 1;
                    j = self.spaces(j);
                    match self.at(j) {
                        b'#' => return Ok((end, j, End::Comment)),
                        b'\n' | b'\r' => return Ok((end, j, End::Eol)),
                        0 if self.eof(j) => return Ok((end, j, End::Eol)),
                        b'-' if flow && is_flow(self.at(j + 1)) => return Err(Stop),
                        _ => i = j,
                    }
                }
                b':' => {
                    let n = self.at(i + 1);
                    if matches!(n, b' ' | b'\n' | b'\r') || self.eof(i + 1) || (flow && is_flow(n))
                    {
                        return Ok((end, i, End::Colon));
                    }
                    if n == b'\t' || n == 0 {
                        return Err(Stop);
                    }
                    i += 1;
                    end = i;
                }
                b'\n' | b'\r' => return Ok((end, i, End::Eol)),
                0 if self.eof(i) => return Ok((end, i, End::Eol)),
                b',' | b'[' | b']' | b'{' | b'}' if flow => return Ok((end, i, End::Flow)),
                0xC2 | 0xE2 | 0xEF if !self.unusual(i) => {
                    i += 1;
                    end = i;
                }
                _ => return Err(Stop),
            }
        }
    }

    /// A quoted scalar, its quote at `p`: its text, the offset after the
    /// closing quote, and whether it spans lines. It may only when
    /// `min_col` is given: the column its continuation lines must reach.
    fn quoted(&mut self, p: usize, min_col: Option<usize>) -> R<(String, usize, bool)> {
        let q = self.at(p);
        let single = q == b'\'';
        let first_line = self.line;
        let mut s = String::new();
        let mut i = p + 1;
        let mut leading_blanks = false;
        // A `\u` escape of a UTF-16 surrogate was read (see the end).
        let mut surrogate = false;
        loop {
            // A run of non-blank characters.
            let mut run = i;
            loop {
                match self.at(i) {
                    b' ' | b'\t' | b'\n' | b'\r' => break,
                    b'\'' if single => {
                        if self.at(i + 1) != b'\'' {
                            break;
                        }
                        s.push_str(self.text.get(run..=i).ok_or(Stop)?);
                        i += 2;
                        run = i;
                    }
                    b'"' if !single => break,
                    b'\\' if !single => {
                        s.push_str(self.text.get(run..i).ok_or(Stop)?);
                        if matches!(self.at(i + 1), b'\n' | b'\r') {
                            // An escaped line break: the lines are joined.
                            if min_col.is_none() {
                                return Err(Stop);
                            }
                            i = self.newline(i + 1)?;
                            run = i;
                            leading_blanks = true;
                            break;
                        }
                        let (ch, len) = self.escape(i)?;
                        surrogate |= self.at(i + 1) == b'u'
                            && matches!(self.at(i + 2), b'd' | b'D')
                            && matches!(self.at(i + 3), b'8'..=b'9' | b'a'..=b'f' | b'A'..=b'F');
                        s.push(ch);
                        i += len;
                        run = i;
                    }
                    c if c < 0x20 => return Err(Stop),
                    0x7F => return Err(Stop),
                    0xC2 | 0xE2 | 0xEF if self.unusual(i) => return Err(Stop),
                    _ => i += 1,
                }
            }
            s.push_str(self.text.get(run..i).ok_or(Stop)?);
            if self.at(i) == q {
                if leading_blanks && i.saturating_sub(self.ls) < min_col.ok_or(Stop)? {
                    return Err(Stop);
                }
                // The reference path does not mend surrogate escapes in a
                // string over several lines, which JSON does not have.
                if surrogate && self.line != first_line {
                    return Err(Stop);
                }
                return Ok((s, i + 1, self.line != first_line));
            }
            // Blanks and line breaks.
            let ws = i;
            let mut leading_break = false;
            let mut trailing = 0;
            loop {
                match self.at(i) {
                    b' ' => i += 1,
                    b'\t' if !leading_blanks => i += 1,
                    b'\n' | b'\r' => {
                        if min_col.is_none() {
                            return Err(Stop);
                        }
                        if !leading_blanks {
                            leading_break = true;
                            leading_blanks = true;
                        } else {
                            trailing += 1;
                        }
                        i = self.newline(i)?;
                    }
                    b'\t' => return Err(Stop),
                    _ => break,
                }
            }
            if !leading_blanks {
                s.push_str(self.text.get(ws..i).ok_or(Stop)?);
                continue;
            }
            // Folding: one line break is a space, each further one a
            // newline; an escaped break adds nothing itself.
            if leading_break && trailing == 0 {
                s.push(' ');
            }
            for _ in 0..trailing {
                s.push('\n');
            }
            leading_blanks = false;
            // The continuation line must be indented enough, and not be a
            // document marker.
            let col = i.saturating_sub(self.ls);
            let min = min_col.ok_or(Stop)?;
            if col < min
                || self.eof(i)
                || (col == 0 && (self.marker(i, b'-') || self.marker(i, b'.')))
            {
                return Err(Stop);
            }
        }
    }

    /// The escape sequence at `i` (a backslash): its character and length.
    fn escape(&self, i: usize) -> R<(char, usize)> {
        let c = match self.at(i + 1) {
            b'0' => '\0',
            b'a' => '\x07',
            b'b' => '\x08',
            b't' | b'\t' => '\t',
            b'n' => '\n',
            b'v' => '\x0b',
            b'f' => '\x0c',
            b'r' => '\r',
            b'e' => '\x1b',
            b' ' => ' ',
            b'"' => '"',
            // Not an escape to go-yaml (YAML 1.1): JSON's only.
            b'/' if self.json => '/',
            b'\\' => '\\',
            b'N' => '\u{85}',
            b'_' => '\u{a0}',
            b'L' => '\u{2028}',
            b'P' => '\u{2029}',
            b'x' => return self.hex(i, 2),
            b'u' => return self.utf16(i),
            b'U' => return self.hex(i, 8),
            _ => return Err(Stop),
        };
        Ok((c, 2))
    }

    fn hex(&self, i: usize, n: usize) -> R<(char, usize)> {
        let v = self.hex_value(i, n)?;
        Ok((char::from_u32(v).ok_or(Stop)?, 2 + n))
    }

    /// The `n` hex digits after the two-byte escape at `i`.
    fn hex_value(&self, i: usize, n: usize) -> R<u32> {
        let mut v: u32 = 0;
        for k in 0..n {
            let d = char::from(self.at(i + 2 + k)).to_digit(16).ok_or(Stop)?;
            v = (v << 4) | d;
        }
        Ok(v)
    }

    /// A `\u` escape at `i`: one character. An escape of a UTF-16
    /// surrogate is JSON's: in a text kubectl reads as JSON, a high and a low
    /// surrogate escape make one character beyond U+FFFF, and any other is
    /// U+FFFD, as Go's JSON decoder reads them (and the reference path, as
    /// `lenient.rs` mends them); kubectl's YAML parser refuses it, and the
    /// reference path reports that.
    fn utf16(&self, i: usize) -> R<(char, usize)> {
        let unit = self.hex_value(i, 4)?;
        if !(0xD800..0xE000).contains(&unit) {
            return Ok((char::from_u32(unit).ok_or(Stop)?, 6));
        }
        if !self.json {
            return Err(Stop);
        }
        if (0xD800..0xDC00).contains(&unit) && self.at(i + 6) == b'\\' && self.at(i + 7) == b'u' {
            if let Ok(low) = self.hex_value(i + 6, 4) {
                if (0xDC00..0xE000).contains(&low) {
                    let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                    return Ok((char::from_u32(c).ok_or(Stop)?, 12));
                }
            }
        }
        Ok(('\u{fffd}', 6))
    }

    /// The block scalar whose `|` or `>` is at `j`, in a block collection
    /// indented `parent`: its text, its position (its header's `|` or `>`)
    /// and where to resume.
    fn block_scalar(&mut self, j: usize, parent: usize) -> R<(String, Pos, usize)> {
        let literal = self.at(j) == b'|';
        let header = self.pos(j);
        let header_line = self.line;
        let sign = |c: u8| match c {
            b'+' => Some(Chomp::Keep),
            b'-' => Some(Chomp::Strip),
            _ => None,
        };
        let mut k = j + 1;
        let mut chomp = Chomp::Clip;
        let mut inc = 0usize;
        if let Some(ch) = sign(self.at(k)) {
            chomp = ch;
            k += 1;
            if self.at(k).is_ascii_digit() {
                if self.at(k) == b'0' {
                    return Err(Stop);
                }
                inc = usize::from(self.at(k) - b'0');
                k += 1;
            }
        } else if self.at(k).is_ascii_digit() {
            if self.at(k) == b'0' {
                return Err(Stop);
            }
            inc = usize::from(self.at(k) - b'0');
            k += 1;
            if let Some(ch) = sign(self.at(k)) {
                chomp = ch;
                k += 1;
            }
        }
        let s = k;
        k = self.spaces(k);
        if self.at(k) == b'#' {
            if k == s {
                return Err(Stop);
            }
            k = self.comment_end(k)?;
        }
        let mut i = match self.at(k) {
            b'\n' | b'\r' => self.newline(k)?,
            0 if self.eof(k) => return Ok((String::new(), header, k)),
            _ => return Err(Stop),
        };
        if self.at(i) == b'\t' {
            return Err(Stop);
        }
        let mut breaks = 0usize;
        let mut indent = if inc > 0 { parent + inc } else { 0 };
        let mut col;
        if indent == 0 {
            let mut max = 0;
            loop {
                i = self.spaces(i);
                col = i.saturating_sub(self.ls);
                max = max.max(col);
                // A tab where the indentation is read: go-yaml refuses it
                // (`Loader::block_scalar_tab`).
                if self.at(i) == b'\t' {
                    return Err(Stop);
                }
                match self.at(i) {
                    b'\n' | b'\r' => {
                        i = self.newline(i)?;
                        breaks += 1;
                    }
                    _ => break,
                }
            }
            indent = max.max(parent + 1);
        } else {
            col = self.block_indent(&mut i, indent, &mut breaks)?;
        }
        if self.eof(i) {
            let s = match chomp {
                Chomp::Strip | Chomp::Clip => String::new(),
                Chomp::Keep if breaks == 0 && self.line > header_line && col > 0 => "\n".into(),
                Chomp::Keep => "\n".repeat(breaks),
            };
            return Ok((s, header, i));
        }
        if col < indent && col > parent {
            return Err(Stop);
        }
        let mut out = String::new();
        let mut leading_break = false;
        let mut leading_blank = false;
        while col == indent && !matches!(self.at(i), b'\n' | b'\r') && !self.eof(i) {
            let c = self.at(i);
            let trailing_blank = c == b' ' || c == b'\t';
            if !literal && leading_break && !leading_blank && !trailing_blank {
                if breaks == 0 {
                    out.push(' ');
                }
            } else if leading_break {
                out.push('\n');
            }
            for _ in 0..breaks {
                out.push('\n');
            }
            leading_break = false;
            breaks = 0;
            leading_blank = trailing_blank;
            let s = i;
            loop {
                match self.at(i) {
                    b'\n' | b'\r' => break,
                    0 if self.eof(i) => break,
                    b'\t' => i += 1,
                    c if c < 0x20 => return Err(Stop),
                    0x7F => return Err(Stop),
                    0xC2 | 0xE2 | 0xEF if self.unusual(i) => return Err(Stop),
                    _ => i += 1,
                }
            }
            out.push_str(self.text.get(s..i).ok_or(Stop)?);
            if self.eof(i) {
                // The text ends on a content line.
                col = indent + 1;
                break;
            }
            i = self.newline(i)?;
            leading_break = true;
            col = self.block_indent(&mut i, indent, &mut breaks)?;
        }
        if chomp != Chomp::Strip {
            if leading_break {
                out.push('\n');
            }
            if self.eof(i) && col >= indent.max(1) {
                out.push('\n');
            }
        }
        if chomp == Chomp::Keep {
            for _ in 0..breaks {
                out.push('\n');
            }
        }
        let resume = if self.eof(i) { i } else { self.ls };
        Ok((out, header, resume))
    }

    /// Skips a block scalar's indentation (up to `indent` spaces) and its
    /// empty lines (counted in `breaks`); returns the column reached.
    fn block_indent(&mut self, i: &mut usize, indent: usize, breaks: &mut usize) -> R<usize> {
        loop {
            let mut col = (*i).saturating_sub(self.ls);
            if col < indent {
                let end = self.spaces(*i).min(*i + (indent - col));
                col += end - *i;
                *i = end;
                if col < indent && self.at(*i) == b'\t' {
                    return Err(Stop);
                }
            }
            match self.at(*i) {
                b'\n' | b'\r' => {
                    *i = self.newline(*i)?;
                    *breaks += 1;
                }
                _ => return Ok(col),
            }
        }
    }

    // ---- flow collections ----

    /// Opens the flow collection whose bracket is at `j`.
    fn push_flow(&mut self, j: usize, hash: u64, slot: Slot) {
        let map = self.at(j) == b'{';
        let start = if map {
            self.ents.len()
        } else {
            self.vals.len()
        };
        self.flow.push(FlowFrame {
            map,
            hash,
            start,
            slot,
        });
    }

    /// The flow collection opening at `j` (already counted and located),
    /// stored into `slot` when complete. `indent`: the enclosing block
    /// collection's, which continuation lines must pass (`None` at the
    /// root). Returns the offset after its closing bracket.
    fn flow(&mut self, j: usize, hash: u64, indent: Option<usize>, slot: Slot) -> R<usize> {
        self.open_check()?;
        self.flow_min = indent.map_or(0, |m| m + 1);
        let depth = self.flow.len();
        self.push_flow(j, hash, slot);
        let mut i = j + 1;
        let mut expect_entry = true;
        loop {
            i = self.flow_ws(i, indent)?;
            let c = self.at(i);
            let Some(top) = self.flow.last() else {
                return Err(Stop);
            };
            let map = top.map;
            if c == if map { b'}' } else { b']' } {
                let Some(f) = self.flow.pop() else {
                    return Err(Stop);
                };
                let v = if f.map {
                    self.build_map(f.start)?
                } else {
                    self.build_seq(f.start)
                };
                self.store(f.slot, v)?;
                i += 1;
                if self.flow.len() == depth {
                    return Ok(i);
                }
                expect_entry = false;
                continue;
            }
            if !expect_entry {
                if c != b',' {
                    return Err(Stop);
                }
                i += 1;
                expect_entry = true;
                continue;
            }
            let (next, opened) = if map {
                self.flow_entry(i)?
            } else {
                self.flow_item(i)?
            };
            i = next;
            expect_entry = opened;
        }
    }

    /// Blanks, line breaks and comments inside a flow collection.
    fn flow_ws(&mut self, mut i: usize, indent: Option<usize>) -> R<usize> {
        loop {
            match self.at(i) {
                b' ' => i += 1,
                b'#' => {
                    if i == 0 || !matches!(self.at(i - 1), b' ' | b'\n') {
                        return Err(Stop);
                    }
                    i = self.comment_end(i)?;
                }
                b'\n' | b'\r' => {
                    i = self.newline(i)?;
                    let mut k = i;
                    k = self.spaces(k);
                    let c = self.at(k);
                    if !matches!(c, b'\n' | b'\r' | b'#') && !self.eof(k) {
                        let col = k.saturating_sub(self.ls);
                        if indent.is_some_and(|m| col <= m)
                            || (col == 0 && (self.marker(k, b'-') || self.marker(k, b'.')))
                        {
                            return Err(Stop);
                        }
                    }
                    i = k;
                }
                _ => return Ok(i),
            }
        }
    }

    /// An item of the top flow sequence at `i`: where it ends, and whether
    /// it opened a collection.
    fn flow_item(&mut self, i: usize) -> R<(usize, bool)> {
        let Some(top) = self.flow.last() else {
            return Err(Stop);
        };
        let idx = self.vals.len().checked_sub(top.start).ok_or(Stop)?;
        let ih = spans::index_hash(top.hash, idx);
        let c = self.at(i);
        let vpos = self.pos(i);
        self.count(vpos)?;
        self.span(ih, None, vpos);
        match c {
            b'[' | b'{' => {
                self.open_check()?;
                self.vals.push(Value::Null);
                let slot = Slot::Val(self.vals.len() - 1);
                self.push_flow(i, ih, slot);
                Ok((i + 1, true))
            }
            b'"' | b'\'' => {
                let (s, end, _) = self.quoted(i, Some(self.flow_min))?;
                self.vals.push(Value::String(s));
                Ok((end, false))
            }
            _ => {
                if !self.plain_start(i, true) {
                    return Err(Stop);
                }
                let (end, stop, why) = self.plain(i, true)?;
                if why == End::Colon {
                    return Err(Stop);
                }
                let v = plain_value(self.text.get(i..end).ok_or(Stop)?)?;
                self.vals.push(v);
                Ok((stop, false))
            }
        }
    }

    /// An entry (`key: value`) of the top flow mapping at `i`.
    fn flow_entry(&mut self, i: usize) -> R<(usize, bool)> {
        let kpos = self.pos(i);
        let c = self.at(i);
        let (name, k) = if c == b'"' || c == b'\'' {
            let (s, end, _) = self.quoted(i, None)?;
            let mut k = end;
            k = self.spaces(k);
            if self.at(k) != b':' {
                return Err(Stop);
            }
            (s, k)
        } else {
            if !self.plain_start(i, true) {
                return Err(Stop);
            }
            let (end, stop, why) = self.plain(i, true)?;
            if why != End::Colon || matches!(self.at(stop + 1), b'[' | b'{') {
                return Err(Stop);
            }
            (self.plain_key(i, end)?, stop)
        };
        if (k - i) > MAX_KEY {
            return Err(Stop);
        }
        let Some(top) = self.flow.last() else {
            return Err(Stop);
        };
        let kh = spans::key_hash(top.hash, &name);
        let mut v = k + 1;
        v = self.spaces(v);
        let c = self.at(v);
        match c {
            b',' | b'}' => {
                let empty = self.pos(k + 1);
                self.count(empty)?;
                self.span(kh, Some(kpos), empty);
                self.ents.push((name, Value::Null));
                Ok((v, false))
            }
            b'[' | b'{' => {
                let vpos = self.pos(v);
                self.count(vpos)?;
                self.span(kh, Some(kpos), vpos);
                self.open_check()?;
                self.ents.push((name, Value::Null));
                let slot = Slot::Ent(self.ents.len() - 1);
                self.push_flow(v, kh, slot);
                Ok((v + 1, true))
            }
            b'"' | b'\'' => {
                let vpos = self.pos(v);
                let (s, end, _) = self.quoted(v, Some(self.flow_min))?;
                self.count(vpos)?;
                self.span(kh, Some(kpos), vpos);
                self.ents.push((name, Value::String(s)));
                Ok((end, false))
            }
            _ => {
                if !self.plain_start(v, true) {
                    return Err(Stop);
                }
                let vpos = self.pos(v);
                let (end, stop, why) = self.plain(v, true)?;
                if why == End::Colon {
                    return Err(Stop);
                }
                let value = plain_value(self.text.get(v..end).ok_or(Stop)?)?;
                self.count(vpos)?;
                self.span(kh, Some(kpos), vpos);
                self.ents.push((name, value));
                Ok((stop, false))
            }
        }
    }
}
