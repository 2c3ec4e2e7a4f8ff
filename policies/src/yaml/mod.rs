//! YAML with spans: loads Kubernetes manifests into `serde_json::Value`s and
//! remembers where every value was written.
//!
//! - Multi-document streams (`---`); empty and comment-only documents are
//!   skipped. JSON is YAML, so JSON input works too, and so do JSON streams
//!   (one object after another, as `jq` prints them), which kubectl reads
//!   and YAML does not: see `stream.rs`.
//! - Scalars resolve as Kubernetes resolves them (YAML 1.1, as go-yaml v2
//!   behind sigs.k8s.io/yaml does): `y`/`yes`/`on` and `n`/`no`/`off` are
//!   booleans (also as keys: a plain `y:` key becomes `"true"`), `0x1F`, `0o17`
//!   and `017` are integers, integral floats are written as integers, `.inf`
//!   and `.nan` stay strings, quoted and `!!str` scalars are strings, and
//!   non-string keys are written as strings.
//! - Anchors, aliases and merge keys (`<<`) work; alias expansion counts
//!   towards [`Limits::max_nodes`], so a "billion laughs" document ends in an
//!   error quickly and with bounded memory.
//! - Duplicate keys are an error (the API server's decoder rejects them).
//! - Positions: 1-based lines, columns in Unicode characters, byte offsets in
//!   the original text. A UTF-8 BOM and CRLF line endings shift nothing.
//! - Indentation as go-yaml (kubectl) accepts it: a flow collection's
//!   closing `]`/`}` and a quoted scalar's continuation lines may sit at
//!   their key's indentation, which YAML 1.2 and saphyr-parser reject; the
//!   loader then parses again with those lines indented, keeping every
//!   position the original text's (see `lenient.rs`).
//! - Helm's `# Source: chart/templates/x.yaml` comment before a document is
//!   kept in [`Document::source`].
//! - Hostile input (deep nesting in flow or block style, binary garbage) ends
//!   in a [`YamlError`], never in a stack overflow: values are built with an
//!   explicit stack, the parser is iterative and limits flow nesting itself,
//!   and block nesting is bounded by [`Limits::max_depth`].
//!
//! Callers holding bytes use [`load_bytes`], which reports invalid UTF-8 with
//! its position; [`load`] takes text that is already valid UTF-8 (a caller
//! that decodes bytes itself must report invalid UTF-8 itself).
//! [`load_with`] hands documents over one at a time, so a front end that
//! checks and drops each document holds only one.
//!
//! Two parsers, one result. A hand-written fast path (`fast.rs`) reads the
//! YAML Kubernetes manifests are written in, in one pass over the bytes,
//! building values and spans directly. Where it meets anything it does not
//! handle (anchors, tags, directives, complex keys, unusual indentation, any
//! error, …) it bails, and saphyr-parser (the path this module was built on,
//! kept as [`load_reference`]) loads the text, skipping the documents the fast
//! path already handed over; errors therefore always come from
//! saphyr-parser. The two give exactly the same documents and errors:
//! `differential.rs` compares them, and the tests, property tests and the
//! `yaml_differential` fuzz target hold them to it.
//!
//! Cost: the fast path takes every generated workload and 99.9% of the
//! corpus's documents; `load_with` reads 2,000 generated workloads about 4.5
//! times as fast as saphyr-parser alone (60 against 13 MiB/s, 3.6 times fewer
//! instructions) and the shared corpus about 2.7 times as fast (see
//! docs/performance.md, "YAML loader"; `cargo bench -p eyelint-policies
//! --bench yaml`).

mod differential;
mod fast;
pub mod kubectl_json;
mod lenient;
mod parts;
mod pos;
mod scalar;
mod spans;
mod stream;

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span, Tag};
use serde_json::{Map, Value};

pub use pos::line_col;
pub use spans::{Location, PathHash, Pos, Spans};

use lenient::is_yaml_1_1_break;
use pos::{line_start, pos_before, LineMap};

/// Resource limits for one load. Every limit applies per document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting of collections accepted.
    pub max_depth: usize,
    /// Most values (scalars and collections, counting every copy an alias
    /// expands to) one document may hold; or, when that is more, one value
    /// per [`BYTES_PER_VALUE`] bytes of the text loaded.
    pub max_nodes: usize,
}

impl Default for Limits {
    /// 512 levels and 1,000,000 values: far beyond any real Kubernetes
    /// object, small enough to end a hostile document within a second.
    fn default() -> Self {
        Limits {
            max_depth: 512,
            max_nodes: 1_000_000,
        }
    }
}

/// A text may always hold one value per this many bytes, whatever
/// [`Limits::max_nodes`] says. A `kind: List` from `kubectl get pods -A -o
/// json` is one document of millions of values on a large cluster (about 30
/// bytes each); what the value limit is for is alias expansion, which makes
/// many values out of few bytes. Eight bytes per value keeps memory in
/// proportion to the text (about 280 bytes per value loaded) and gives real
/// manifests, 20 to 40 bytes per value, room to spare.
pub const BYTES_PER_VALUE: usize = 8;

impl Limits {
    /// These limits for `text`: `max_nodes` raised to one value per
    /// [`BYTES_PER_VALUE`] bytes of it, if that is more.
    fn for_text(self, text: &str) -> Limits {
        Limits {
            max_nodes: self.max_nodes.max(text.len() / BYTES_PER_VALUE),
            ..self
        }
    }
}

/// The message of a document past the value limit.
fn too_large_message(max_nodes: usize) -> String {
    format!("document too large: more than {max_nodes} values (after expanding aliases)")
}

/// One loaded document.
#[derive(Clone, Debug)]
pub struct Document {
    /// The document's content.
    pub value: Value,
    /// Where each of its values was written.
    pub spans: Spans,
    /// The Helm template it came from (`# Source: …` comment before it).
    pub source: Option<String>,
    /// Where its root value starts.
    pub start: Pos,
    /// Its 0-based position in the stream, counting skipped empty documents.
    pub index: usize,
}

impl Document {
    /// The location of the value at `p`, or of the nearest enclosing value
    /// that exists in the source.
    pub fn locate(&self, p: &crate::path::FieldPath) -> Location {
        self.spans.locate(p).1
    }
}

/// The result of loading a stream: the documents read before the first error
/// (if any), and that error.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Complete documents, in order.
    pub documents: Vec<Document>,
    /// The error that ended the load early.
    pub error: Option<YamlError>,
}

/// A YAML document could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} at line {}, column {}", pos.line, pos.column)]
pub struct YamlError {
    /// What is wrong (lowercase, no position).
    pub message: String,
    /// Where.
    pub pos: Pos,
    /// 0-based index of the document it occurred in.
    pub document: usize,
    /// One of the [`Limits`] (or the loader's own bound on re-reading a
    /// text) was reached: the text may be hostile, and nothing after it
    /// should be read ([`resume_after`] does not go on after it).
    pub limit: bool,
}

impl miette::Diagnostic for YamlError {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new("eyelint::yaml"))
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_primary_with_span(
                Some(self.message.clone()),
                (self.pos.offset, 0),
            ),
        )))
    }
}

/// Loads every document of `text`. Loading stops at the first error; the
/// documents before it are returned with it.
pub fn load(text: &str, limits: &Limits) -> Loaded {
    let mut documents = Vec::new();
    let error = load_with(text, limits, |d| documents.push(d));
    Loaded { documents, error }
}

/// Loads `text` document by document, handing each complete document to
/// `each` as soon as it is read, so a caller that checks and drops documents
/// holds one at a time. Returns the error that ended the load, if any.
pub fn load_with(text: &str, limits: &Limits, mut each: impl FnMut(Document)) -> Option<YamlError> {
    Loader::new(text, *limits).run(&mut each)
}

/// Loads `text` as [`load_with`] does, but with saphyr-parser only, without
/// the fast path: the reference the fast path is tested against.
#[doc(hidden)]
pub fn load_reference(
    text: &str,
    limits: &Limits,
    mut each: impl FnMut(Document),
) -> Option<YamlError> {
    Loader::new(text, *limits).run_reference(&mut each)
}

pub use differential::{
    differential, differential_share, fast_share, parts_differential, FastShare,
};

/// UTF-16 text with a byte-order mark (what Windows PowerShell 5's `>`
/// writes, and what kubectl's YAML decoder reads) as UTF-8, the mark
/// replaced by UTF-8's, which the loader skips: every line and column (in
/// characters) is the original's. `None` for anything else. An odd length
/// or an unpaired surrogate is an error giving its byte offset.
pub fn utf16_as_utf8(bytes: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let big_endian = match bytes {
        [0xFF, 0xFE, ..] => false,
        [0xFE, 0xFF, ..] => true,
        _ => return Ok(None),
    };
    if bytes.len() % 2 != 0 {
        return Err(format!(
            "UTF-16 text (it starts with a byte-order mark) of an odd length: {} bytes",
            bytes.len()
        ));
    }
    let units = bytes.chunks_exact(2).map(|u| {
        if big_endian {
            u16::from_be_bytes([u[0], u[1]])
        } else {
            u16::from_le_bytes([u[0], u[1]])
        }
    });
    let mut out = String::with_capacity(bytes.len());
    let mut at = 0;
    for c in char::decode_utf16(units) {
        let c =
            c.map_err(|_| format!("UTF-16 text with an unpaired surrogate at byte offset {at}"))?;
        at += 2 * c.len_utf16();
        out.push(c);
    }
    Ok(Some(out.into_bytes()))
}

pub use parts::{load_part, load_rest, parts, resume_after, Part, PartFailed, PartLoaded};

/// Loads a stream given as bytes: invalid UTF-8 is an error pointing at the
/// first bad byte (no document is loaded from such input).
pub fn load_bytes(bytes: &[u8], limits: &Limits) -> Loaded {
    match std::str::from_utf8(bytes) {
        Ok(text) => load(text, limits),
        Err(e) => {
            let good = e.valid_up_to();
            // The prefix is valid UTF-8, so positions can be computed on it.
            let prefix = std::str::from_utf8(&bytes[..good]).unwrap_or("");
            let pos = line_col(prefix, good);
            Loaded {
                documents: Vec::new(),
                error: Some(YamlError {
                    message: format!("invalid UTF-8 (byte offset {good}): not a text file"),
                    pos,
                    document: 0,
                    limit: false,
                }),
            }
        }
    }
}

/// Loads a text that must hold exactly one document (a configuration file).
pub fn load_one(text: &str) -> Result<Document, YamlError> {
    let loaded = load(text, &Limits::default());
    if let Some(e) = loaded.error {
        return Err(e);
    }
    let mut docs = loaded.documents;
    match docs.len() {
        1 => Ok(docs.remove(0)),
        0 => Err(YamlError {
            message: "expected one YAML document, found none".to_string(),
            pos: line_col(text, text.len()),
            document: 0,
            limit: false,
        }),
        n => Err(YamlError {
            message: format!("expected one YAML document, found {n}"),
            pos: docs[1].start,
            document: docs[1].index,
            limit: false,
        }),
    }
}

/// A collection being built.
enum Node {
    Seq(Vec<Value>),
    Map(Map<String, Value>),
}

/// A key waiting for its value.
struct PendingKey {
    name: String,
    pos: Pos,
    merge: bool,
}

/// An anchored value, ready to be copied by aliases.
struct Anchored {
    value: Value,
    /// How many values it holds (itself included).
    nodes: usize,
    /// How many levels of collections it holds (0 for a scalar).
    height: usize,
}

struct Frame {
    node: Node,
    hash: u64,
    anchor: usize,
    nodes_before: usize,
    /// The greatest height among the values attached so far.
    height: usize,
    block: bool,
    /// Index of its own location in the document's spans.
    loc: usize,
    key: Option<PendingKey>,
    /// Each merge key's value, where it is, and how many keys the mapping
    /// had before it.
    merges: Vec<(Value, Pos, usize)>,
}

struct Loader<'t> {
    /// The text as given.
    original: &'t str,
    /// The text given to the parser (the original without a BOM).
    body: &'t str,
    /// Byte length of the stripped BOM.
    base: usize,
    lines: LineMap<'t>,
    /// The body is ASCII: character indexes are byte offsets.
    ascii: bool,
    /// kubectl reads the text with its JSON decoder
    /// ([`kubectl_json::json_root`]), which reads `\u` escapes of UTF-16
    /// surrogates; its YAML parser refuses them (see [`lenient`]).
    json: bool,
    limits: Limits,
    // Per-document state.
    stack: Vec<Frame>,
    root: Option<Value>,
    spans: Spans,
    anchors: HashMap<usize, Anchored>,
    nodes: usize,
    doc_index: usize,
    doc_start: Pos,
    /// Byte offset (in `body`) from which a Helm source comment is looked for.
    region_start: usize,
    source: Option<String>,
    /// Spaces added to the text given to the parser (see [`lenient`]).
    shifts: lenient::Shifts,
    /// What stands in for a byte-order mark in the text given to the parser
    /// (see [`lenient::byte_order_marks`]).
    mark_stand_in: Option<char>,
    /// The first place (a byte offset in `body`) where kubectl refuses the
    /// text, whatever the parser makes of it: a character its YAML parser
    /// refuses ([`refused_character`]), or the content of a `---` line,
    /// which its document splitter refuses ([`lenient::separators`]).
    refused_at: Option<(usize, Refusal)>,
    /// Where NEL, U+2028 and U+2029 are (byte offsets in `body`, ascending),
    /// from the `next_break`th on not yet seen ([`Loader::yaml_1_1_break`]).
    breaks: Vec<usize>,
    next_break: usize,
    /// Those of `breaks` at either end of a line, which the text given to
    /// the parser has as spaces or without ([`lenient::line_end_breaks`]).
    line_final: Vec<usize>,
    /// Documents below this index were handed over before a re-parse.
    handed: usize,
    /// Where the previous event ended (where a block scalar's header is
    /// looked for).
    prev_end: Option<saphyr_parser::Marker>,
    /// The collections open where the parser is: where each starts (a byte
    /// offset in `original`) and, for a flow collection, the column (0-based,
    /// in the text given to the parser) of its `[` or `{`.
    open: Vec<(usize, Option<usize>)>,
    /// A character index in the text given to the parser and its byte
    /// offset, from which [`Loader::copy_offset`] counts on.
    copy_at: (usize, usize),
    /// Whether the text may be mended and parsed again where go-yaml reads
    /// what saphyr-parser refuses (see [`lenient`]); a part of a text
    /// ([`parts`]) may not, as its budget is the whole text's.
    repairs: bool,
    /// Bytes of the whole text before `original`, when the loader reads on
    /// from a part of it ([`load_rest`]): the mending budget is the whole
    /// text's.
    budget_before: usize,
    /// Lines of the whole text before `original` (see `budget_before`),
    /// for the positions an error's message names.
    lines_before: usize,
}

/// What kubectl refuses at [`Loader::refused_at`].
#[derive(Clone, Copy)]
enum Refusal {
    Character,
    Separator,
}

/// What [`Loader::run_reporting`] tells: the error that ended the load,
/// how many documents the fast path handed over, and where it bailed.
type Reported = (Option<YamlError>, usize, Option<fast::Bail>);

/// Why a parse stopped.
enum Failed {
    /// The parser rejected the text.
    Scan(ScanError),
    /// The builder rejected a value (limits, duplicate keys, …).
    Load(YamlError),
    /// YAML 1.1 line breaks that go-yaml reads as blanks between tokens,
    /// and saphyr-parser as characters of a token: parse again with each
    /// a space (byte offset in the text given to the parser, byte offset
    /// in `body`).
    Blank(Vec<(usize, usize)>),
}

/// A node event, reduced to what the builder needs.
enum Item<'input> {
    Scalar(
        Cow<'input, str>,
        ScalarStyle,
        usize,
        Option<Cow<'input, Tag>>,
    ),
    Alias(usize),
    SeqStart(usize),
    MapStart(usize),
}

impl<'t> Loader<'t> {
    fn new(original: &'t str, limits: Limits) -> Self {
        let body = original.strip_prefix('\u{feff}').unwrap_or(original);
        let base = original.len() - body.len();
        Loader {
            original,
            body,
            base,
            lines: LineMap::new(body),
            ascii: body.is_ascii(),
            json: kubectl_json::json_root(original),
            limits: limits.for_text(body),
            stack: Vec::new(),
            root: None,
            spans: Spans::default(),
            anchors: HashMap::new(),
            nodes: 0,
            doc_index: 0,
            doc_start: Pos::default(),
            region_start: 0,
            source: None,
            shifts: lenient::Shifts::default(),
            mark_stand_in: None,
            refused_at: None,
            breaks: Vec::new(),
            next_break: 0,
            line_final: Vec::new(),
            handed: 0,
            prev_end: None,
            open: Vec::new(),
            copy_at: (0, 0),
            repairs: true,
            budget_before: 0,
            lines_before: 0,
        }
    }

    fn pos(&mut self, m: saphyr_parser::Marker) -> Pos {
        let m = if self.shifts.is_empty() {
            m
        } else {
            let (index, col) = self.shifts.original(m.index(), m.line(), m.col());
            saphyr_parser::Marker::new(index, m.line(), col)
        };
        if self.ascii && m.index() < self.body.len() {
            // One byte per character: the parser's index is the offset.
            return Pos {
                line: m.line(),
                column: m.col() + 1,
                offset: self.base + m.index().min(self.body.len()),
            };
        }
        if m.index() >= self.body.len() {
            // At the end: the parser may count a line that is not there.
            return line_col(self.original, self.original.len());
        }
        let line = m.line().max(1);
        let (offset, col) = self.lines.locate(line, m.col());
        let line = line.min(self.lines.line_count());
        Pos {
            line,
            column: col + 1,
            offset: self.base + offset,
        }
    }

    fn err(&self, message: impl Into<String>, pos: Pos) -> YamlError {
        YamlError {
            message: message.into(),
            pos,
            document: self.doc_index,
            limit: false,
        }
    }

    /// An error for a limit reached ([`YamlError::limit`]).
    fn limit_err(&self, message: impl Into<String>, pos: Pos) -> YamlError {
        YamlError {
            limit: true,
            ..self.err(message, pos)
        }
    }

    fn scan_error(&mut self, e: &ScanError) -> YamlError {
        // The parser may place an error past the end (on a line after the
        // last): recompute line and column from the offset.
        let mut pos = line_col(self.original, self.pos(*e.marker()).offset);
        let message = match e.info() {
            "recursion limit exceeded" => {
                "collections nested too deeply (flow collections are limited to 255 levels)"
                    .to_string()
            }
            // Unless the text is JSON (then `lenient` mended them), the
            // escape of a surrogate, at the escape.
            info @ "while parsing a quoted scalar, found invalid Unicode character escape code" => {
                match lenient::yaml_surrogate(self.original, pos.offset) {
                    Some((at, message)) if !self.json => {
                        pos = line_col(self.original, at);
                        message
                    }
                    _ => info.to_string(),
                }
            }
            // A mark after a `---` line goes before it in the text given to
            // the parser (see `lenient::byte_order_marks`); in a flow
            // collection left open, the parser stops at it, where kubectl's
            // splitter ends the document: the error the `---` gives.
            info @ "a byte order mark must not appear inside a document" => {
                let dashes = self
                    .original
                    .get(pos.offset..)
                    .is_some_and(|r| r.starts_with("---"));
                let flow = self.open.iter().rev().find(|o| o.1.is_some());
                match flow.and_then(|o| self.original.get(o.0..)) {
                    Some(open) if dashes && open.starts_with('{') => {
                        "while parsing a flow mapping, did not find expected ',' or '}'".to_string()
                    }
                    Some(open) if dashes && open.starts_with('[') => {
                        "while parsing a flow sequence, expected ',' or ']'".to_string()
                    }
                    _ => info.to_string(),
                }
            }
            info => info.to_string(),
        };
        self.err(message, pos)
    }

    /// Loads with the fast path first; from the first document it cannot
    /// take, with saphyr-parser (documents already handed over are not
    /// handed again).
    fn run(self, each: &mut dyn FnMut(Document)) -> Option<YamlError> {
        self.run_reporting(each).0
    }

    /// [`Loader::run`], also telling how many documents the fast path
    /// handed over and where it bailed, if it did.
    fn run_reporting(self, each: &mut dyn FnMut(Document)) -> Reported {
        match stream::split(self.body) {
            Some(split) => self.run_split(&split, each, |l, each| l.load_unsplit(each)),
            None => self.load_unsplit(each),
        }
    }

    /// [`Loader::run_reporting`] on a text that is not a JSON stream (or
    /// one value of it): the fast path, then saphyr-parser if it bails.
    fn load_unsplit(mut self, each: &mut dyn FnMut(Document)) -> Reported {
        let mut fast_documents = 0;
        let outcome = fast::run(&self, &mut |d| {
            fast_documents += 1;
            each(d)
        });
        match outcome {
            Ok(()) => (None, fast_documents, None),
            Err(mut bail) => {
                if let Some(e) = bail.error.take() {
                    return (Some(e), fast_documents, Some(bail));
                }
                self.handed = bail.first_unhanded;
                (self.parse_reference(each), fast_documents, Some(bail))
            }
        }
    }

    /// Loads with saphyr-parser only (skipping documents below `handed`).
    fn run_reference(self, each: &mut dyn FnMut(Document)) -> Option<YamlError> {
        if let Some(split) = stream::split(self.body) {
            return self
                .run_split(&split, each, |l, each| (l.parse_reference(each), 0, None))
                .0;
        }
        self.parse_reference(each)
    }

    /// [`Loader::run_reference`] on a text that is not a JSON stream.
    fn parse_reference(mut self, each: &mut dyn FnMut(Document)) -> Option<YamlError> {
        let mut text: Cow<'t, str> = Cow::Borrowed(self.body);
        let mut bad_separator = None;
        if !self.json {
            let (copy, bad) = lenient::separators(self.body);
            if let Some(copy) = copy {
                text = Cow::Owned(copy);
            }
            bad_separator = bad;
        }
        if let Some((copy, shifts, stand_in)) = lenient::byte_order_marks(&text) {
            text = Cow::Owned(copy);
            self.shifts = shifts;
            self.mark_stand_in = Some(stand_in);
        }
        if !self.json {
            let character = refused_character(self.body).map(|at| (at, Refusal::Character));
            let separator = bad_separator.map(|at| (at, Refusal::Separator));
            self.refused_at = match (character, separator) {
                (Some(c), Some(s)) => Some(if c.0 <= s.0 { c } else { s }),
                (c, s) => c.or(s),
            };
            self.breaks = self
                .body
                .match_indices(['\u{85}', '\u{2028}', '\u{2029}'])
                .map(|(at, _)| at)
                .collect();
            if !self.breaks.is_empty() {
                let ends = lenient::line_end_breaks(&text, self.body, &mut self.shifts);
                if let Some((copy, finals)) = ends {
                    text = Cow::Owned(copy);
                    self.line_final = finals;
                }
            }
        }
        let mut retries = 0;
        loop {
            let budget = self.repairs
                && retries < lenient::MAX_RETRIES
                && retries.saturating_mul(text.len() + self.budget_before)
                    < lenient::MAX_RETRY_BYTES;
            let e = match self.parse(&text, each) {
                Ok(()) => return None,
                Err(Failed::Load(e)) => return Some(e),
                Err(Failed::Scan(e)) => e,
                Err(Failed::Blank(at)) => {
                    let first = at.first().map_or(0, |a| a.1);
                    if !budget {
                        return Some(self.too_many_breaks(first, retries));
                    }
                    let Some(blanked) = blank_breaks(&text, &at) else {
                        return Some(self.break_error(first, false));
                    };
                    self.breaks.retain(|b| !at.iter().any(|a| a.1 == *b));
                    retries += 1;
                    text = Cow::Owned(blanked);
                    self.restart();
                    continue;
                }
            };
            // A refused character comes first, wherever the parser stopped
            // after it.
            let m = e.marker();
            let stopped = self.pos(*m).offset - self.base;
            if let Some((at, what)) = self.refused_at {
                if stopped >= at {
                    return Some(self.refusal_error(at, what));
                }
            }
            // A YAML 1.1 line break that go-yaml reads and saphyr-parser
            // stopped at: parse again with a space there.
            if let Some((copy, at, blank)) = self.stopped_at_break(&text, m, e.info()) {
                if !budget {
                    return Some(self.too_many_breaks(at, retries));
                }
                if let Some(blanked) = blank_breaks(&text, &[(copy, at)]) {
                    if blank {
                        self.breaks.retain(|&b| b != at);
                    }
                    retries += 1;
                    text = Cow::Owned(blanked);
                    self.restart();
                    continue;
                }
            }
            // go-yaml accepts some indentation saphyr-parser rejects: parse
            // again with those lines indented (positions stay the original's).
            let mut shifts = self.shifts.clone();
            let repaired = budget
                .then(|| {
                    let flow = self.open.iter().rev().find_map(|o| o.1);
                    let at = (m.line(), m.col());
                    lenient::repair(&text, &mut shifts, e.info(), at, flow, self.json)
                })
                .flatten();
            let Some(repaired) = repaired else {
                if let Some(at) = self.break_before(stopped) {
                    return Some(self.break_error(at, false));
                }
                return Some(self.scan_error(&e));
            };
            retries += 1;
            text = Cow::Owned(repaired);
            self.shifts = shifts;
            self.restart();
        }
    }

    /// Where a YAML 1.1 line break made saphyr-parser stop at `m` (with the
    /// error `info`) and go-yaml reads on: its byte offset in `text` (the
    /// text given to the parser) and in `body`, and whether it is a blank
    /// (else it stays a break of a quoted scalar, whose value
    /// [`go_yaml_quoted`] reads). In a flow collection, a break where the
    /// parser stopped (after a quoted value or a closing bracket), or in the
    /// anchor, alias or tag it stopped at, is a blank between tokens; an
    /// escaped break (`\` and NEL) in the double-quoted scalar it stopped
    /// at is one to go-yaml, and saphyr-parser reads the copy's `\ ` in its
    /// place.
    fn stopped_at_break(
        &mut self,
        text: &str,
        m: &saphyr_parser::Marker,
        info: &str,
    ) -> Option<(usize, usize, bool)> {
        if self.json || self.breaks.is_empty() {
            return None;
        }
        let stopped = self.pos(*m).offset - self.base;
        let rest = self.body.get(stopped..)?;
        if info == "while parsing a quoted scalar, found unknown escape character" {
            let mut chars = rest.char_indices().skip(1);
            while let Some((_, c)) = chars.next() {
                match c {
                    '"' => return None,
                    '\\' => {
                        let (j, e) = chars.next()?;
                        if is_yaml_1_1_break(e) {
                            let from = self.copy_offset(text, m.index());
                            return (text.get(from..from + j)? == rest.get(..j)?).then_some((
                                from + j,
                                stopped + j,
                                false,
                            ));
                        }
                    }
                    _ => {}
                }
            }
            return None;
        }
        if !self.in_flow() {
            return None;
        }
        let token = if rest.starts_with(['!', '&', '*']) {
            rest.find(|c: char| matches!(c, ' ' | '\t' | '\n' | '\r') || is_yaml_1_1_break(c))?
        } else {
            0
        };
        let at = stopped + token;
        self.breaks.binary_search(&at).ok()?;
        let from = self.copy_offset(text, m.index());
        (text.get(from..from + token)? == rest.get(..token)?).then_some((from + token, at, true))
    }

    /// A YAML 1.1 line break, not yet read as part of a value, on the line
    /// where the parser stopped (at `stopped`, a byte offset in `body`) or
    /// the line before: where go-yaml starts a line that saphyr-parser
    /// does not (`kind:<NEL> Pod`), which is the error to report.
    fn break_before(&self, stopped: usize) -> Option<usize> {
        let line = line_start(self.body, stopped);
        let mut end = line.saturating_sub(1);
        if end > 0 && self.body.as_bytes().get(end - 1..=end) == Some(b"\r\n") {
            end -= 1;
        }
        let from = line_start(self.body, end);
        self.breaks
            .get(self.next_break..)?
            .iter()
            .copied()
            .filter(|&at| at >= from && at <= stopped)
            .find(|at| self.line_final.binary_search(at).is_err())
    }

    /// Before a re-parse: documents already handed over are read again but
    /// not handed.
    fn restart(&mut self) {
        self.handed = self.handed.max(self.doc_index);
        self.doc_index = 0;
        self.region_start = 0;
        self.start_document();
    }

    /// Loads a JSON stream (`stream.rs`) value by value with `load` (the
    /// fast path with its fallback, or saphyr-parser only), each value a
    /// document whose positions and index are the whole text's; text after
    /// the last value that does not start another is an error.
    fn run_split(
        &self,
        split: &stream::Split,
        each: &mut dyn FnMut(Document),
        mut load: impl FnMut(Loader<'_>, &mut dyn FnMut(Document)) -> Reported,
    ) -> Reported {
        let mut documents = 0;
        let mut fast_documents = 0;
        let mut first_bail = None;
        for range in &split.values {
            let start = self.base + range.start;
            let at = line_col(self.original, start);
            let shift = |p: Pos| Pos {
                line: p.line + at.line - 1,
                column: if p.line == 1 {
                    p.column + at.column - 1
                } else {
                    p.column
                },
                offset: p.offset + start,
            };
            let value = &self.body[range.clone()];
            let before = documents;
            // Read as the whole text is (a value may start with `[`).
            let mut loader = Loader::new(value, self.limits);
            loader.json = self.json;
            let (error, fast, bail) = load(loader, &mut |mut d| {
                d.index += before;
                d.start = shift(d.start);
                d.spans.shift(shift);
                documents += 1;
                each(d);
            });
            fast_documents += fast;
            if let (None, Some(b)) = (&first_bail, bail) {
                first_bail = Some(fast::Bail {
                    first_unhanded: before + b.first_unhanded,
                    line: b.line + at.line - 1,
                    error: None,
                });
            }
            if let Some(mut e) = error {
                e.pos = shift(e.pos);
                e.document += before;
                return (Some(e), fast_documents, first_bail);
            }
        }
        let error = split.rest.map(|rest| {
            let message = if self.body[rest..].starts_with("==== START logs for container") {
                "a `kubectl cluster-info dump` log section follows the JSON values: \
                 `eyelint sweep --from-dump FILE` reads whole dumps"
            } else {
                "expected another JSON value (`{` or `[`) or the end after the JSON values before it"
            };
            self.err(message, line_col(self.original, self.base + rest))
        });
        let error = error.map(|mut e| {
            e.document = documents;
            e
        });
        (error, fast_documents, first_bail)
    }

    /// Notes a collection whose start event has `span` in [`Loader::open`]:
    /// a flow collection when a `[` or `{` starts it, or ends it after an
    /// anchor or a tag (`&a [`). A block mapping whose first key is a flow
    /// collection starts at the same place, and is not one.
    fn opened(&mut self, span: Span) {
        let at = self.pos(span.start).offset;
        if let Some(top) = self.open.last_mut().filter(|top| top.0 == at) {
            top.1 = None;
        }
        let bracket = |at: usize| matches!(self.original.as_bytes().get(at), Some(b'[' | b'{'));
        let column = if bracket(at) {
            Some(span.start.col())
        } else if matches!(self.original.as_bytes().get(at), Some(b'&' | b'!')) {
            let end = self.pos(span.end).offset;
            (end > at && bracket(end - 1))
                .then(|| span.end.col().checked_sub(1))
                .flatten()
        } else {
            None
        };
        self.open.push((at, column));
    }

    /// Whether the parser is inside a flow collection.
    fn in_flow(&self) -> bool {
        self.open.iter().any(|o| o.1.is_some())
    }

    /// One pass of the parser over `text` (the body, possibly repaired).
    fn parse(&mut self, text: &str, each: &mut dyn FnMut(Document)) -> Result<(), Failed> {
        let mut parser = Parser::new_from_str(text);
        self.next_break = 0;
        self.open.clear();
        self.copy_at = (0, 0);
        while let Some(next) = parser.next_event() {
            let (event, span) = next.map_err(Failed::Scan)?;
            if let Some((at, what)) = self.refused_at {
                let past =
                    matches!(event, Event::StreamEnd) || self.pos(span.end).offset - self.base > at;
                if past {
                    return Err(Failed::Load(self.refusal_error(at, what)));
                }
            }
            let mut folded = None;
            if self.next_break < self.breaks.len() {
                folded = self.yaml_1_1_break(text, &event, span)?;
            }
            let tagged = match &event {
                Event::Scalar(_, _, _, tag) => tag.is_some(),
                Event::SequenceStart(_, tag) | Event::MappingStart(_, tag) => tag.is_some(),
                _ => false,
            };
            if tagged && !self.json {
                let start = self.pos(span.start);
                self.go_yaml_tag(start).map_err(Failed::Load)?;
            }
            if !self.json && !self.in_flow() {
                let block_scalar = matches!(
                    event,
                    Event::Scalar(_, ScalarStyle::Literal | ScalarStyle::Folded, ..)
                );
                if !block_scalar {
                    self.tab_lines(&event, span).map_err(Failed::Load)?;
                }
            }
            let end = span.end;
            let event = match (event, folded) {
                (Event::Scalar(_, style, anchor, tag), Some(v)) => {
                    Event::Scalar(Cow::Owned(v), style, anchor, tag)
                }
                (event, _) => event,
            };
            let step = match event {
                Event::StreamStart | Event::Nothing => Ok(()),
                Event::StreamEnd => break,
                Event::DocumentStart(explicit) => {
                    let kubectl = if explicit {
                        let start = self.pos(span.start);
                        let checked = self.kubectl_splits(start);
                        self.region_start = self.pos(span.end).offset - self.base;
                        checked
                    } else {
                        let start = self.pos(span.start);
                        self.after_document_end(start)
                    };
                    self.start_document();
                    kubectl
                }
                Event::DocumentEnd => {
                    if let Some(doc) = self.end_document() {
                        if doc.index >= self.handed {
                            each(doc);
                        }
                    }
                    self.region_start =
                        self.region_start.max(self.pos(span.end).offset - self.base);
                    Ok(())
                }
                Event::Scalar(v, style, anchor, tag) => {
                    self.go_yaml_scalar(&v, style, tag.as_deref(), span)
                        .map_err(Failed::Load)?;
                    let v = match self.mark_stand_in {
                        Some(c) if v.contains(c) => Cow::Owned(v.replace(c, "\u{feff}")),
                        _ => v,
                    };
                    self.item(Item::Scalar(v, style, anchor, tag), span)
                }
                Event::Alias(id) => self.item(Item::Alias(id), span),
                Event::SequenceStart(anchor, _) => {
                    let item = self.item(Item::SeqStart(anchor), span);
                    self.opened(span);
                    item
                }
                Event::MappingStart(anchor, _) => {
                    let item = self.item(Item::MapStart(anchor), span);
                    self.opened(span);
                    item
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    self.open.pop();
                    self.end_collection()
                }
            };
            step.map_err(Failed::Load)?;
            self.prev_end = Some(end);
        }
        Ok(())
    }

    fn start_document(&mut self) {
        self.stack.clear();
        self.root = None;
        self.spans = Spans::default();
        self.anchors.clear();
        self.nodes = 0;
        self.source = None;
    }

    fn end_document(&mut self) -> Option<Document> {
        let index = self.doc_index;
        self.doc_index += 1;
        let value = self.root.take()?;
        if value.is_null() {
            return None;
        }
        let mut spans = std::mem::take(&mut self.spans);
        spans.finish();
        Some(Document {
            value,
            spans,
            source: self.source.take(),
            start: self.doc_start,
            index,
        })
    }

    /// Finds Helm's `# Source: x` comment between the previous document and
    /// this document's root at byte `root` of the body.
    fn find_source(&self, root: usize) -> Option<String> {
        find_source(self.body, self.region_start, root)
    }

    /// The `-` indicator of a block sequence item starting at `item`
    /// (`empty`: an empty item, which saphyr-parser places after the blanks
    /// and comment that follow its `-`).
    fn dash_of(&self, item: Pos, empty: bool) -> Option<Pos> {
        dash_of(self.body, self.base, item, empty)
    }

    /// A tab where go-yaml, and so `kubectl`, refuses one and saphyr-parser
    /// does not, before a node in block context at `pos`: among the blanks
    /// that indent its line, or (for a block sequence item, `dash` its `-`)
    /// among those after its `-`. go-yaml takes a tab for a blank only where
    /// a key cannot start.
    fn go_yaml_tab(&self, pos: Pos, dash: Option<Pos>) -> Option<YamlError> {
        let b = self.body.as_bytes();
        let local = pos.offset.checked_sub(self.base)?.min(b.len());
        let line_start = line_start(self.body, local);
        let leading = b.get(line_start..local)?;
        // A JSON text (a flow collection as the root) is read by kubectl's
        // JSON decoder, where a tab is a blank anywhere.
        let json_root = self.stack.is_empty() && matches!(b.get(local), Some(b'{' | b'['));
        let (tab, what) = if !json_root && leading.iter().all(|c| matches!(c, b' ' | b'\t')) {
            (
                leading
                    .iter()
                    .position(|&c| c == b'\t')
                    .map(|i| line_start + i),
                "in the indentation",
            )
        } else {
            (None, "")
        };
        let (tab, what) = match (tab, dash) {
            (Some(t), _) => (t, what),
            (None, Some(d)) => {
                let after = d.offset.checked_sub(self.base)? + 1;
                let blanks = b.get(after..)?.iter().take_while(|c| **c == b' ').count();
                if b.get(after + blanks) != Some(&b'\t') {
                    return None;
                }
                (after + blanks, "after `-`")
            }
            (None, None) => return None,
        };
        let at = pos_before(self.body, self.base, pos, self.base + tab.min(local));
        Some(self.err(
            format!(
                "a tab {what}: kubectl's YAML parser (go-yaml) does not take a tab there; use spaces"
            ),
            at,
        ))
    }

    /// A tag as go-yaml scans it, in the properties that start at `start`
    /// (an anchor may come first): after `!`, every character of a URI,
    /// `,`, `[` and `]` included, up to a blank or a line break, which must
    /// follow ("did not find expected whitespace or line break"). saphyr-
    /// parser ends a tag at a flow indicator, so `{!}`, `[!a]` and `!!str#c`
    /// are refused, and `[!a, b]` (a tag `!a,` on `b` to kubectl, an empty
    /// item more to saphyr-parser) too. A verbatim tag (`!<…>`) ends at its
    /// `>`.
    fn go_yaml_tag(&self, start: Pos) -> Result<(), YamlError> {
        let b = self.body.as_bytes();
        let mut at = (start.offset - self.base).min(b.len());
        let blank = |c: Option<&u8>| matches!(c, Some(b' ' | b'\t' | b'\n' | b'\r') | None);
        if b.get(at) == Some(&b'&') {
            while !blank(b.get(at)) {
                at += 1;
            }
            while matches!(b.get(at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                at += 1;
            }
        }
        if b.get(at) != Some(&b'!') {
            return Ok(());
        }
        let tag = at;
        let end = if b.get(at + 1) == Some(&b'<') {
            match b[at..].iter().position(|&c| c == b'>') {
                Some(n) => at + n + 1,
                None => return Ok(()),
            }
        } else {
            at += 1;
            while b.get(at).is_some_and(|&c| {
                c.is_ascii_alphanumeric() || b"-_;/?:@&=+$,.!~*'()[]%".contains(&c)
            }) {
                at += 1;
            }
            at
        };
        let text = self.body.get(tag..end).unwrap_or("");
        let after = self.body.get(end..).and_then(|t| t.chars().next());
        let ends =
            after.is_none_or(|c| matches!(c, ' ' | '\t' | '\n' | '\r') || is_yaml_1_1_break(c));
        let why = if !ends {
            "kubectl's YAML parser (go-yaml) wants a blank or a line break after a tag (\"did not \
             find expected whitespace or line break\"); put a space after it"
        } else if self.in_flow() && !text.starts_with("!<") && text.contains([',', '[', ']']) {
            "in a flow collection kubectl's YAML parser (go-yaml) reads `,`, `[` and `]` into a \
             tag; put a space after it"
        } else {
            return Ok(());
        };
        Err(self.err(
            format!("the tag `{text}`: {why}"),
            line_col(self.original, self.base + tag),
        ))
    }

    /// go-yaml refuses a tab among the blanks that start a line in a block
    /// collection ("found a tab character that violates indentation", or
    /// "found character that cannot start any token"), on a line with
    /// nothing else or only a comment too; saphyr-parser skips such a line.
    /// Checked on the lines wholly between the previous event and `event`
    /// (those of tokens are [`Loader::go_yaml_tab`]'s, those of block
    /// scalars [`Loader::block_scalar_tab`]'s).
    fn tab_lines(&mut self, event: &Event<'_>, span: Span) -> Result<(), YamlError> {
        let b = self.body.as_bytes();
        let end = self.prev_end.map_or(0, |m| self.pos(m).offset - self.base);
        let end = end.min(b.len());
        // From the line after the previous event's (from its end when that
        // is a line's start, or nothing came before).
        let from = if line_start(self.body, end) == end {
            end
        } else {
            match b[end..].iter().position(|&c| matches!(c, b'\n' | b'\r')) {
                Some(n) => end + n + 1,
                None => return Ok(()),
            }
        };
        let to = if matches!(event, Event::StreamEnd) {
            b.len()
        } else {
            line_start(
                self.body,
                (self.pos(span.start).offset - self.base).min(b.len()),
            )
        };
        match leading_tab(b, from..to, usize::MAX) {
            Some(tab) => Err(self.err(
                "a tab that starts a line (blank, or a comment's) in a block collection: \
                 kubectl's YAML parser (go-yaml) refuses it (\"found a tab character that \
                 violates indentation\"); delete it, or use spaces",
                line_col(self.original, self.base + tab),
            )),
            None => Ok(()),
        }
    }

    /// go-yaml refuses a tab among the blanks that start a line of a block
    /// collection's plain value over several lines, left of the value's
    /// indentation (one past its key's or `-`'s column, at `parent`):
    /// "found a tab character that violates indentation". saphyr-parser
    /// reads such a line as part of the value.
    fn plain_tab(&mut self, span: Span, parent: Pos) -> Result<(), YamlError> {
        let b = self.body.as_bytes();
        let start = (self.pos(span.start).offset - self.base).min(b.len());
        let end = (self.pos(span.end).offset - self.base).min(b.len());
        let Some(first_break) = b[start..end]
            .iter()
            .position(|&c| matches!(c, b'\n' | b'\r'))
        else {
            return Ok(());
        };
        // The value's indentation, one past the key's or `-`'s column.
        match leading_tab(b, start + first_break + 1..end, parent.column) {
            Some(tab) => Err(self.err(
                "a tab left of this value's indentation, among the blanks that start one of its \
                 lines: kubectl's YAML parser (go-yaml) refuses it (\"found a tab character \
                 that violates indentation\"); use spaces",
                line_col(self.original, self.base + tab),
            )),
            None => Ok(()),
        }
    }

    /// A key in a flow collection whose `:` go-yaml, and so `kubectl`, does
    /// not find: go-yaml takes a key without `?` only while its `:` is on
    /// the line where the key starts and at most 1,024 characters after its
    /// start ("did not find expected ',' or '}'"); saphyr-parser reads such
    /// keys in flow collections as YAML 1.2 does. `start` and `end` are the
    /// key's.
    fn flow_key_reach(&self, start: Pos, end: Pos) -> Result<(), YamlError> {
        let text = self.original;
        let before = text.get(..start.offset).unwrap_or("");
        if before
            .trim_end_matches([' ', '\t', '\r', '\n'])
            .ends_with('?')
        {
            return Ok(());
        }
        // The first character after the key that is not a blank, a line
        // break or a comment.
        let mut at = end.offset.min(text.len());
        let colon = loop {
            match text.as_bytes().get(at) {
                Some(b' ' | b'\t' | b'\r' | b'\n') => at += 1,
                Some(b'#') => at += text[at..].find(['\r', '\n']).unwrap_or(text.len() - at),
                Some(b':') => break at,
                _ => return Ok(()),
            }
        };
        // go-yaml's line breaks include YAML 1.1's, which saphyr-parser
        // reads into the key: the key starts after those before it.
        const BREAKS: [char; 5] = ['\r', '\n', '\u{85}', '\u{2028}', '\u{2029}'];
        let reach = text.get(start.offset..colon).unwrap_or("");
        let reach = reach.trim_start_matches(|c| c == ' ' || c == '\t' || BREAKS.contains(&c));
        let why = if reach.contains(BREAKS) {
            "its `:` is on a later line"
        } else if reach.len() > 1024 && reach.chars().count() > 1024 {
            "its `:` is more than 1,024 characters after its start"
        } else {
            return Ok(());
        };
        Err(self.err(
            format!(
                "this key in a flow collection is not one to kubectl: {why}, and kubectl's YAML \
                 parser (go-yaml) looks for a key's `:` only on the key's line, within 1,024 \
                 characters; put the `:` right after the key, or write the key as `? key`"
            ),
            start,
        ))
    }

    /// What kubectl's document splitter, which cuts the text at `---` lines
    /// before its YAML parser reads it, refuses before the `---` at
    /// `marker`: a directive (cut off from its document, the directive alone
    /// is a YAML error); and what it does not cut at: a `---` after a lone
    /// `\r`, where kubectl reads no more documents. Content on a `---` line
    /// is [`lenient::separators`]' concern.
    fn kubectl_splits(&self, marker: Pos) -> Result<(), YamlError> {
        let b = self.body.as_bytes();
        let at = marker.offset - self.base;
        if b.get(at..at + 3) != Some(b"---") {
            return Ok(());
        }
        if at > 0 && b.get(at - 1) == Some(&b'\r') {
            return Err(self.err(
                "this `---` starts a line after a lone `\\r` (a line break of old Mac files): \
                 kubectl's document splitter cuts the text only at `---` lines after a `\\n`, \
                 and its YAML parser reads the first document of what it is given, so kubectl \
                 ignores this document and those after it; end the lines with `\\n`",
                marker,
            ));
        }
        let before = self.body.get(self.region_start.min(at)..at).unwrap_or("");
        let mut line_start = self.region_start.min(at);
        for line in before.split_inclusive('\n') {
            if line.starts_with('%') {
                return Err(self.err(
                    "a directive (`%YAML`, `%TAG`): kubectl's document splitter cuts it off its \
                     document at the `---`, and its YAML parser refuses it alone; remove it",
                    line_col(self.original, self.base + line_start),
                ));
            }
            line_start += line.len();
        }
        Ok(())
    }

    /// What kubectl refuses in a scalar that YAML 1.2 reads: in YAML (not
    /// JSON), a `\/` escape, which go-yaml's YAML 1.1 does not have ("found
    /// unknown escape character"); as a value, an infinity or NaN (`.inf`,
    /// `!!float .nan`), which JSON cannot hold ("unsupported value: +Inf").
    fn go_yaml_scalar(
        &mut self,
        v: &str,
        style: ScalarStyle,
        tag: Option<&Tag>,
        span: Span,
    ) -> Result<(), YamlError> {
        let start = self.pos(span.start).offset - self.base;
        if style == ScalarStyle::DoubleQuoted && !self.json {
            let end = (self.pos(span.end).offset - self.base).min(self.body.len());
            let b = self.body.as_bytes();
            let mut i = start + 1;
            while i < end {
                if b[i] == b'\\' {
                    if b.get(i + 1) == Some(&b'/') {
                        return Err(self.err(
                            "kubectl's YAML parser (YAML 1.1) has no escape `\\/`, as JSON has: \
                             write `/`",
                            line_col(self.original, self.base + i),
                        ));
                    }
                    i += 1;
                }
                i += 1;
            }
        }
        // In a flow collection `|` and `>` are no block scalar's header to
        // go-yaml, and cannot start a plain scalar either; saphyr-parser
        // reads `{|}` as a mapping with the key `|`.
        if style == ScalarStyle::Plain && self.in_flow() {
            if let Some(c @ ('|' | '>')) = v.chars().next() {
                if self.body.get(start..).is_some_and(|t| t.starts_with(c)) {
                    return Err(self.err(
                        format!(
                            "`{c}` cannot start a value inside a flow collection (`[…]`, `{{…}}`): \
                             kubectl's YAML parser (go-yaml) refuses it (\"found character that \
                             cannot start any token\"); quote the value"
                        ),
                        line_col(self.original, self.base + start),
                    ));
                }
            }
        }
        let key = self
            .stack
            .last()
            .is_some_and(|f| matches!(f.node, Node::Map(_)) && f.key.is_none());
        let float = match tag {
            None => style == ScalarStyle::Plain,
            Some(t) => core_tag(t) == Some("float"),
        };
        if !key && float && scalar::is_special_float(v) {
            return Err(self.err(
                format!(
                    "kubectl reads `{v}` as a float that JSON cannot hold (an infinity or NaN) \
                     and refuses the file (\"unsupported value\"); quote it for the text"
                ),
                line_col(self.original, self.base + start),
            ));
        }
        Ok(())
    }

    /// The error for what kubectl refuses at `at` (a byte offset in `body`,
    /// [`Loader::refused_at`]).
    fn refusal_error(&self, at: usize, what: Refusal) -> YamlError {
        if let Refusal::Separator = what {
            return self.err(
                "content on a `---` line: kubectl's document splitter, which takes every line \
                 that starts with `---` for a separator, refuses it (\"invalid Yaml document \
                 separator\"); start the document on the next line",
                line_col(self.original, self.base + at),
            );
        }
        let c = self
            .body
            .get(at..)
            .and_then(|t| t.chars().next())
            .unwrap_or('\0');
        let what = if matches!(c, '\u{fffe}' | '\u{ffff}') {
            "noncharacter"
        } else {
            "control character"
        };
        self.err(
            format!(
                "kubectl's YAML parser refuses the {what} U+{:04X} anywhere in a YAML file, even \
                 in a comment or a quoted string; in a double-quoted string, write it as the \
                 escape `\\u{:04X}`",
                u32::from(c),
                u32::from(c)
            ),
            line_col(self.original, self.base + at),
        )
    }

    /// go-yaml reads YAML 1.1, where NEL (U+0085), U+2028 and U+2029 are
    /// line breaks: one in the middle of a line of a block collection's
    /// plain scalar, of a key, of a block scalar or of a comment cuts the
    /// line in two, and kubectl refuses the file or reads another structure.
    /// Inside a quoted value or a flow collection's plain one it is folded as
    /// a line break of the scalar, and between the tokens of a flow
    /// collection it is a blank. At either end of a line
    /// ([`lenient::line_end_breaks`]) it means nothing between tokens, and
    /// folds into a plain value that goes on. So each of them before the end
    /// of `event` must lie inside such a value, or at a line's end outside a
    /// block scalar; the first that does not is an error. A quoted value, or
    /// a plain value that holds one, is read again as go-yaml reads it
    /// ([`go_yaml_quoted`], [`go_yaml_flow_plain`], [`go_yaml_fold`]): that
    /// text is returned. One that go-yaml reads as blanks before a flow
    /// collection's value, or as its end, is [`Failed::Blank`].
    fn yaml_1_1_break(
        &mut self,
        text: &str,
        event: &Event<'_>,
        span: saphyr_parser::Span,
    ) -> Result<Option<String>, Failed> {
        let end = if matches!(event, Event::StreamEnd) {
            self.body.len()
        } else {
            self.pos(span.end).offset - self.base
        };
        let has_break = self.breaks.get(self.next_break).is_some_and(|&at| at < end);
        if !has_break {
            return Ok(None);
        }
        let key = self
            .stack
            .last()
            .is_some_and(|f| matches!(f.node, Node::Map(_)) && f.key.is_none());
        let start = self.pos(span.start).offset - self.base;
        let raw = self.body.get(start..end).unwrap_or("");
        // The value as go-yaml reads it, when the breaks in its span are
        // part of it. A key may not span lines; a flow plain scalar's
        // breaks before or after its text are blanks around it.
        let mut read = None;
        match event {
            Event::Scalar(
                _,
                style @ (ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted),
                ..,
            ) if !key => match go_yaml_quoted(raw, *style == ScalarStyle::DoubleQuoted) {
                Ok(v) => read = Some(v),
                Err(Some(marker)) => {
                    return Err(Failed::Load(self.err(
                        "kubectl's YAML parser reads YAML 1.1, where NEL (U+0085), U+2028 and \
                             U+2029 are line breaks, so this document marker starts a line inside \
                             a quoted string, which it refuses (\"found unexpected document \
                             indicator\"); remove the line break before it",
                        line_col(self.original, self.base + start + marker),
                    )))
                }
                Err(None) => {}
            },
            // A block plain value over several lines, each of its breaks at
            // the end of a line, folds as a flow one does.
            Event::Scalar(_, ScalarStyle::Plain, 0, None)
                if !key
                    && !self.in_flow()
                    && self.breaks[self.next_break..]
                        .iter()
                        .take_while(|&&at| at < end)
                        .all(|at| self.line_final.binary_search(at).is_ok()) =>
            {
                read = Some(go_yaml_fold(raw).0);
            }
            Event::Scalar(_, ScalarStyle::Plain, ..) if self.in_flow() => {
                match go_yaml_flow_plain(raw) {
                    FlowPlain::Read(v, inner) if !(key && inner) => read = Some(v),
                    FlowPlain::Blank(at) => {
                        let copy = self.copy_offset(text, span.start.index());
                        if text.get(copy..copy + raw.len()) == Some(raw) {
                            let at = at.iter().map(|&a| (copy + a, start + a)).collect();
                            return Err(Failed::Blank(at));
                        }
                    }
                    FlowPlain::Read(..) => {}
                }
            }
            _ => {}
        }
        // A break at the end of a line (a space to the parser) ends the line
        // to go-yaml: nothing changes between tokens, nor after a one-line
        // plain value; a block scalar (after its header too) and a plain
        // value that goes on in the next line would read an empty line more.
        let last_line = raw.rfind(['\n', '\r']).map(|n| start + n);
        let line_final_ok = |at: usize| match event {
            Event::Scalar(_, ScalarStyle::Literal | ScalarStyle::Folded, ..) => false,
            Event::Scalar(_, ScalarStyle::Plain, ..) if at >= start => {
                !key && last_line.is_none_or(|n| n < at)
            }
            _ => true,
        };
        while let Some(&at) = self.breaks.get(self.next_break) {
            if at >= end {
                break;
            }
            let line_final = self.line_final.binary_search(&at).is_ok();
            if !(read.is_some() && at >= start || line_final && line_final_ok(at)) {
                let spans_key = key && at >= start && matches!(event, Event::Scalar(..));
                return Err(Failed::Load(self.break_error(at, spans_key)));
            }
            self.next_break += 1;
        }
        Ok(read)
    }

    /// The error for a YAML 1.1 line break at `at` (a byte offset in
    /// `body`) that kubectl does not read as eyelint would: one that cuts a
    /// line in two, or a key (`key`).
    fn break_error(&self, at: usize, key: bool) -> YamlError {
        let c = self
            .body
            .get(at..)
            .and_then(|t| t.chars().next())
            .unwrap_or('\n');
        let why = if key {
            "and a key may not span lines; remove it"
        } else {
            "here it cuts the line in two; remove it, or quote the string"
        };
        self.err(
            format!(
                "kubectl's YAML parser reads YAML 1.1, where U+{:04X} is a line break, {why}",
                u32::from(c)
            ),
            line_col(self.original, self.base + at),
        )
    }

    /// The error for a YAML 1.1 line break at `at` (a byte offset in
    /// `body`) that go-yaml reads as a blank, when the text was read again
    /// `retries` times for others and the loader stops re-reading it.
    fn too_many_breaks(&self, at: usize, retries: usize) -> YamlError {
        self.limit_err(
            format!(
                "kubectl's YAML parser reads YAML 1.1, where NEL (U+0085), U+2028 and U+2029 are \
                 line breaks, and this one is a blank between tokens to it; eyelint reads the \
                 file again for each such break, and stopped after {retries}: replace them with \
                 spaces"
            ),
            line_col(self.original, self.base + at),
        )
    }

    /// The byte offset in `text` (the text given to the parser) of its
    /// `index`th character, counted on from the last one asked for (events
    /// come in the text's order).
    fn copy_offset(&mut self, text: &str, index: usize) -> usize {
        if index < self.copy_at.0 {
            self.copy_at = (0, 0);
        }
        let (from, byte) = self.copy_at;
        let offset = text
            .get(byte..)
            .and_then(|t| t.char_indices().nth(index - from))
            .map_or(text.len(), |(i, _)| byte + i);
        self.copy_at = (index, offset);
        offset
    }

    /// A document that starts without `---` at `start` (its first token),
    /// after a `...` line: kubectl's YAML parser reads one document from
    /// each part of the text between `---` lines, so it ignores this one
    /// (and what follows up to the next `---` line), or refuses the file
    /// when no document came before the `...`.
    fn after_document_end(&self, start: Pos) -> Result<(), YamlError> {
        let before = self.body.get(..start.offset - self.base).unwrap_or("");
        let last = before
            .lines()
            .rev()
            .map(str::trim_end)
            .find(|l| !l.is_empty() && !l.trim_start().starts_with('#'));
        let after_end = last.is_some_and(|l| {
            l.strip_prefix("...")
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
        });
        if !after_end {
            return Ok(());
        }
        Err(self.err(
            "this document follows a `...` line with no `---` line between: kubectl reads the \
             next document only from a `---` line, so it ignores this one (or refuses the file, \
             when no document came before the `...`); start it with `---`",
            start,
        ))
    }

    /// The `|` or `>` indicator of the block scalar whose content saphyr-
    /// parser places at `content`: the first token after the previous
    /// event, past indicators (`:`, `-`, `?`), blanks and comments.
    fn block_header(&mut self, content: Pos) -> Pos {
        let Some(m) = self.prev_end else {
            return content;
        };
        let b = self.body.as_bytes();
        let to = content.offset - self.base;
        let mut i = self.pos(m).offset - self.base;
        while i < to {
            match b.get(i) {
                Some(b' ' | b'\t' | b'\n' | b'\r' | b':' | b'-' | b'?') => i += 1,
                Some(b'#') => {
                    while i < to && !matches!(b.get(i), Some(b'\n' | b'\r')) {
                        i += 1;
                    }
                }
                Some(b'|' | b'>') => {
                    return pos_before(self.body, self.base, content, self.base + i)
                }
                _ => break,
            }
        }
        content
    }

    /// go-yaml refuses a tab where a block scalar's indentation is read: in
    /// its first content line (whose spaces set the indentation) or an empty
    /// line before it and, after it, in a line with fewer spaces than that
    /// ("found a tab character where an indentation space is expected");
    /// YAML 1.2 reads such a tab as content. Checked for a block scalar
    /// whose indentation is detected (the `|` or `>` at `header`, a byte
    /// offset in `body`, has no indentation indicator), from the line after
    /// the header to the scalar's end. An anchor or a tag before the header
    /// (`&a |`, where `header` is the anchor's) is passed over.
    fn block_scalar_tab(&self, header: usize, end: Pos) -> Result<(), YamlError> {
        let b = self.body.as_bytes();
        let mut header = header;
        while matches!(b.get(header), Some(b'&' | b'!')) {
            while !matches!(b.get(header), Some(b' ' | b'\t' | b'\n' | b'\r') | None) {
                header += 1;
            }
            while matches!(b.get(header), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                header += 1;
            }
        }
        if !matches!(b.get(header), Some(b'|' | b'>')) {
            return Ok(());
        }
        let after = b.get(header + 1..).unwrap_or(&[]);
        let indicator = after
            .iter()
            .take_while(|c| !matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'#'))
            .any(u8::is_ascii_digit);
        if indicator {
            return Ok(());
        }
        let Some(mut start) = after
            .iter()
            .position(|&c| c == b'\n')
            .map(|n| header + n + 2)
        else {
            return Ok(());
        };
        let stop = end.offset - self.base;
        let mut indent = None;
        while start < stop.min(b.len()) {
            let spaces = b[start..].iter().take_while(|&&c| c == b' ').count();
            let at = start + spaces;
            if b.get(at) == Some(&b'\t') && indent.is_none_or(|n| spaces < n) {
                return Err(self.err(
                    "a tab where this block scalar's indentation is read: kubectl's YAML parser \
                     refuses it (\"found a tab character where an indentation space is \
                     expected\"); indent with spaces, or give the indentation (`|2`)",
                    line_col(self.original, self.base + at),
                ));
            }
            if !matches!(b.get(at), Some(b'\n' | b'\r') | None) {
                indent.get_or_insert(spaces);
            }
            start = match b[at..].iter().position(|&c| c == b'\n') {
                Some(n) => at + n + 1,
                None => break,
            };
        }
        Ok(())
    }

    fn item(&mut self, item: Item<'_>, span: Span) -> Result<(), YamlError> {
        let pos = self.pos(span.start);
        let expects_key = matches!(
            self.stack.last(),
            Some(Frame {
                node: Node::Map(_),
                key: None,
                ..
            })
        );
        if expects_key {
            if self.in_flow() && !self.json {
                let end = self.pos(span.end);
                self.flow_key_reach(pos, end)?;
            }
            return self.key(item, pos);
        }

        // saphyr-parser places a block scalar at its first content line and
        // an empty value at its `:` (an empty item after its blanks and
        // comment). The places libyaml, go-yaml and PyYAML give, and the
        // ones recorded, are the `|` or `>` indicator and just after the `:`
        // (or the `-`, below). A value with an anchor or a tag starts there.
        let empty = matches!(&item, Item::Scalar(v, ScalarStyle::Plain, 0, None) if v.is_empty());
        let pos = match &item {
            Item::Scalar(_, ScalarStyle::Literal | ScalarStyle::Folded, anchor, tag) => {
                let header = if *anchor == 0 && tag.is_none() {
                    self.block_header(pos)
                } else {
                    pos
                };
                let end = self.pos(span.end);
                self.block_scalar_tab(header.offset - self.base, end)?;
                header
            }
            _ if empty && self.body.as_bytes().get(pos.offset - self.base) == Some(&b':') => {
                next_column(pos)
            }
            _ => pos,
        };

        // A value: record where it is. A block sequence starts at its first
        // `-` (saphyr-parser places one at its key's indentation after that
        // `-`, and one whose first item is a sequence at the inner `-`).
        let mut first_dash = None;
        let (hash, key) = match self.stack.last() {
            None => {
                self.doc_start = pos;
                let root = pos.offset - self.base;
                self.source = self.find_source(root);
                (spans::root_hash(), None)
            }
            Some(f) => match &f.node {
                Node::Map(_) => match &f.key {
                    Some(k) => (spans::key_hash(f.hash, &k.name), Some(k.pos)),
                    None => (spans::key_hash(f.hash, ""), None),
                },
                Node::Seq(items) => {
                    let key = if f.block {
                        self.dash_of(pos, empty)
                    } else {
                        None
                    };
                    if items.is_empty() {
                        first_dash = key.map(|d| (f.loc, d, self.stack.len() == 1));
                    }
                    (spans::index_hash(f.hash, items.len()), key)
                }
            },
        };
        // A block sequence item's `-` (a mapping value's `key` is its key).
        let block_item = self
            .stack
            .last()
            .is_some_and(|f| f.block && matches!(f.node, Node::Seq(_)));
        if !self.in_flow() {
            if let Some(e) = self.go_yaml_tab(pos, key.filter(|_| block_item)) {
                return Err(e);
            }
            if let (Item::Scalar(_, ScalarStyle::Plain, ..), Some(parent)) = (&item, key) {
                self.plain_tab(span, parent)?;
            }
        }
        if let Some((loc, dash, root)) = first_dash {
            self.spans.move_value_back(loc, dash);
            if root && dash.offset < self.doc_start.offset {
                self.doc_start = dash;
            }
        }
        let value = match key {
            Some(dash)
                if empty
                    && self
                        .stack
                        .last()
                        .is_some_and(|f| f.block && matches!(f.node, Node::Seq(_))) =>
            {
                next_column(dash)
            }
            _ => pos,
        };
        let loc = self.spans.len();
        self.spans.push(hash, Location { key, value });
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes {
            return Err(self.too_many(value));
        }
        match item {
            Item::Scalar(v, style, anchor, tag) => {
                let value =
                    resolve_scalar(&v, style, tag.as_deref()).map_err(|m| self.err(m, pos))?;
                if anchor != 0 {
                    self.anchor(anchor, value.clone(), 1, 0);
                }
                self.attach(value, 0)
            }
            Item::Alias(id) => {
                let Some(a) = self.anchors.get(&id) else {
                    return Err(self.err("unknown anchor in alias", pos));
                };
                let (count, height) = (a.nodes, a.height);
                self.nodes = self.nodes.saturating_add(count.saturating_sub(1));
                if self.nodes > self.limits.max_nodes {
                    return Err(self.too_many(pos));
                }
                // Aliases can stack anchored subtrees on top of each other:
                // the copy must not nest deeper than the limit either.
                if self.stack.len() + height > self.limits.max_depth {
                    return Err(self.too_deep(pos));
                }
                let value = a.value.clone();
                self.attach(value, height)
            }
            Item::SeqStart(anchor) | Item::MapStart(anchor) => {
                if self.stack.len() >= self.limits.max_depth {
                    return Err(self.too_deep(pos));
                }
                let seq = matches!(item, Item::SeqStart(_));
                // A flow sequence's start span ends after its `[` (and any
                // blanks that follow it); a block sequence's ends at or
                // before its first `-`.
                let block = {
                    let end = self.pos(span.end).offset - self.base;
                    let start = (pos.offset - self.base).min(end);
                    let open = if seq { '[' } else { '{' };
                    !self
                        .body
                        .get(start..end)
                        .is_some_and(|t| t.trim_end().ends_with(open))
                };
                self.stack.push(Frame {
                    node: if seq {
                        Node::Seq(Vec::new())
                    } else {
                        Node::Map(Map::new())
                    },
                    hash,
                    anchor,
                    nodes_before: self.nodes - 1,
                    height: 0,
                    block,
                    loc,
                    key: None,
                    merges: Vec::new(),
                });
                Ok(())
            }
        }
    }

    /// Handles a node in key position of the innermost mapping.
    fn key(&mut self, item: Item<'_>, pos: Pos) -> Result<(), YamlError> {
        if !self.in_flow() {
            if let Some(e) = self.go_yaml_tab(pos, None) {
                return Err(e);
            }
        }
        let (name, merge) =
            match item {
                Item::Scalar(v, style, anchor, tag) => {
                    // go-yaml: a plain `<<`, or one tagged `!!merge`.
                    let merge = v == "<<"
                        && match tag.as_deref() {
                            None => style == ScalarStyle::Plain,
                            Some(t) => core_tag(t) == Some("merge"),
                        };
                    let value =
                        resolve_scalar(&v, style, tag.as_deref()).map_err(|m| self.err(m, pos))?;
                    if anchor != 0 {
                        self.anchor(anchor, value.clone(), 1, 0);
                    }
                    let name = if style == ScalarStyle::Plain && tag.is_none() {
                        scalar::plain_key_string(&v)
                    } else {
                        scalar::key_string(value)
                    };
                    (name.map_err(|m| self.err(m, pos))?, merge)
                }
                Item::Alias(id) => match self.anchors.get(&id) {
                    Some(a) if !a.value.is_object() && !a.value.is_array() => {
                        let name = scalar::key_string(a.value.clone());
                        (name.map_err(|m| self.err(m, pos))?, false)
                    }
                    Some(_) => {
                        return Err(self.err(
                            "a mapping key refers to a collection; keys must be scalars",
                            pos,
                        ))
                    }
                    None => return Err(self.err("unknown anchor in alias", pos)),
                },
                Item::SeqStart(_) | Item::MapStart(_) => return Err(self.err(
                    "complex mapping keys (a sequence or mapping used as a key) are not supported",
                    pos,
                )),
            };
        if name.contains('\u{feff}') {
            return Err(self.err(
                format!(
                    "this key holds a byte-order mark (U+FEFF, invisible in most editors), and \
                     kubectl keeps it: it reads the key as `{}`; delete the mark",
                    name.replace('\u{feff}', "<U+FEFF>")
                ),
                pos,
            ));
        }
        let Some(frame) = self.stack.last() else {
            return Ok(());
        };
        let duplicate = !merge && matches!(&frame.node, Node::Map(m) if m.contains_key(&name));
        if duplicate {
            let first = self
                .spans
                .find_unsorted(spans::key_hash(frame.hash, &name))
                .and_then(|l| l.key);
            let message = match first {
                Some(p) => format!(
                    "duplicate key `{name}` (first defined at line {}, column {})",
                    p.line + self.lines_before,
                    p.column
                ),
                None => format!("duplicate key `{name}`"),
            };
            return Err(self.err(message, pos));
        }
        if let Some(frame) = self.stack.last_mut() {
            frame.key = Some(PendingKey { name, pos, merge });
        }
        Ok(())
    }

    fn too_many(&self, pos: Pos) -> YamlError {
        self.limit_err(too_large_message(self.limits.max_nodes), pos)
    }

    fn end_collection(&mut self) -> Result<(), YamlError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let value = match frame.node {
            Node::Seq(items) => Value::Array(items),
            Node::Map(mut map) => {
                if !frame.merges.is_empty() {
                    // Where each explicit key is in the mapping.
                    let explicit: HashMap<String, usize> = map
                        .keys()
                        .cloned()
                        .enumerate()
                        .map(|(i, k)| (k, i))
                        .collect();
                    for (source, pos, before) in frame.merges {
                        merge_into(&mut map, source, &explicit, before)
                            .map_err(|m| self.err(m, pos))?;
                    }
                }
                Value::Object(map)
            }
        };
        let height = frame.height + 1;
        if frame.anchor != 0 {
            let count = self.nodes - frame.nodes_before;
            self.anchor(frame.anchor, value.clone(), count, height);
        }
        self.attach(value, height)
    }

    fn anchor(&mut self, id: usize, value: Value, nodes: usize, height: usize) {
        self.anchors.insert(
            id,
            Anchored {
                value,
                nodes,
                height,
            },
        );
    }

    fn too_deep(&self, pos: Pos) -> YamlError {
        self.limit_err(
            format!(
                "collections nested too deeply (more than {} levels)",
                self.limits.max_depth
            ),
            pos,
        )
    }

    /// Attaches a complete value of the given height to its parent.
    fn attach(&mut self, value: Value, height: usize) -> Result<(), YamlError> {
        match self.stack.last_mut() {
            None => {
                self.root = Some(value);
                Ok(())
            }
            Some(f) => {
                f.height = f.height.max(height);
                match &mut f.node {
                    Node::Seq(items) => {
                        items.push(value);
                        Ok(())
                    }
                    Node::Map(map) => match f.key.take() {
                        Some(k) if k.merge => {
                            f.merges.push((value, k.pos, map.len()));
                            Ok(())
                        }
                        Some(k) => {
                            map.insert(k.name, value);
                            Ok(())
                        }
                        // The parser always sends a key before a value.
                        None => Ok(()),
                    },
                }
            }
        }
    }
}

/// Finds Helm's `# Source: x` comment in `body` between byte `region_start`
/// (the end of the previous document) and the document's root at byte `root`.
fn find_source(body: &str, region_start: usize, root: usize) -> Option<String> {
    let region = body.get(region_start.min(root)..root)?;
    region.lines().rev().find_map(|l| {
        let s = l.trim().strip_prefix("# Source:")?.trim();
        (!s.is_empty()).then(|| s.to_string())
    })
}

/// The `-` indicator of a block sequence item starting at `item`, in `body`
/// (the text without its BOM, `base` bytes long): the `-` right before the
/// item on its line, blanks and a comment between (an empty item's place is
/// after them); or, when the item opens its line, the `-` that ends the
/// nearest line above holding more than blanks and a comment. `None` when
/// something else comes before the item. `after_comment`: `item` may be
/// the place saphyr-parser gives an empty item, after the blanks and the
/// comment that follow its `-`.
fn dash_of(body: &str, base: usize, item: Pos, after_comment: bool) -> Option<Pos> {
    /// What comes before a place on its line.
    enum Before {
        Dash(usize),
        Content,
        Nothing,
    }
    let b = body.as_bytes();
    let local = item.offset.checked_sub(base)?.min(b.len());
    let ws = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r');
    // An indicator: `-` at the line start or after a blank, followed by
    // a blank or the end of the text.
    let indicator =
        |j: usize| b[j] == b'-' && b.get(j + 1).is_none_or(|c| ws(*c)) && (j == 0 || ws(b[j - 1]));
    // What `start..end` (part of one line) ends with, past blanks and a
    // comment.
    let before = |start: usize, end: usize| {
        let comment = (start..end)
            .find(|&j| b[j] == b'#' && (j == start || matches!(b[j - 1], b' ' | b'\t')));
        let mut i = comment.unwrap_or(end);
        while i > start && matches!(b[i - 1], b' ' | b'\t') {
            i -= 1;
        }
        if i == start {
            Before::Nothing
        } else if indicator(i - 1) {
            Before::Dash(i - 1)
        } else {
            Before::Content
        }
    };
    // Most often the dash is just before the item, blanks between. Not
    // when the place may follow a comment (which may end in ` -`).
    if !after_comment {
        let mut i = local;
        while i > 0 && matches!(b[i - 1], b' ' | b'\t') {
            i -= 1;
        }
        if i > 0 && indicator(i - 1) {
            return Some(pos_before(body, base, item, base + i - 1));
        }
    }
    let mut start = line_start(body, local);
    let mut end = local;
    let dash = loop {
        match before(start, end) {
            Before::Dash(d) => break d,
            Before::Content => return None,
            // Only blanks or a comment: the line above, without its break.
            Before::Nothing => {
                end = start.checked_sub(1)?;
                if b[end] == b'\n' && end > 0 && b[end - 1] == b'\r' {
                    end -= 1;
                }
                start = line_start(body, end);
            }
        }
    };
    Some(pos_before(body, base, item, base + dash))
}

/// Any line break to go-yaml.
fn is_go_yaml_break(c: char) -> bool {
    matches!(c, '\n' | '\r') || is_yaml_1_1_break(c)
}

/// How go-yaml reads a flow collection's plain scalar that saphyr-parser
/// read with YAML 1.1 line breaks in it ([`go_yaml_flow_plain`]).
enum FlowPlain {
    /// Its text, and whether a break lies inside it rather than after it.
    Read(String, bool),
    /// go-yaml ends a token at these breaks (byte offsets in the scalar's
    /// text), or reads them before it: they are blanks.
    Blank(Vec<usize>),
}

/// How go-yaml reads the plain scalar `raw` of a flow collection, where
/// NEL (U+0085), U+2028 and U+2029 are line breaks (YAML 1.1) and
/// saphyr-parser reads them as characters. A run of blanks with such a
/// break is a blank between tokens to go-yaml when it comes first (the
/// scalar starts after it: `[a,<NEL>"b"]` holds a quoted `b`), after a `:`
/// (a value indicator before a blank: `{a:<NEL>b}`), after a lone `-` or
/// `?`, or before a `#` (a comment): [`FlowPlain::Blank`]. Otherwise the
/// scalar is read as go-yaml folds it ([`go_yaml_fold`]). An anchor or tag
/// before the scalar (`&a`, `!t`) ends at a break.
fn go_yaml_flow_plain(raw: &str) -> FlowPlain {
    let blank = |c: char| c == ' ' || c == '\t' || is_go_yaml_break(c);
    let mut blanks = Vec::new();
    // An anchor (`&a`) or a tag (`!t`) ends at a break, and breaks after it
    // are blanks before the value.
    let mut at = 0;
    while raw[at..].starts_with(['&', '!']) {
        let token = raw[at..].find(blank).map_or(raw.len(), |t| at + t);
        let next = raw.len() - raw[token..].trim_start_matches(blank).len();
        blanks.extend(
            raw[token..next]
                .char_indices()
                .filter(|&(_, c)| is_yaml_1_1_break(c))
                .map(|(i, _)| token + i),
        );
        at = next;
    }
    if !blanks.is_empty() {
        return FlowPlain::Blank(blanks);
    }
    let props = at;
    let raw = &raw[props..];
    let mut at = 0;
    while let Some(run) = raw[at..].find(blank).map(|r| at + r) {
        let after = raw[run..].trim_start_matches(blank);
        let next = raw.len() - after.len();
        let gap = &raw[run..next];
        let before = &raw[..run];
        let token_ends = before.is_empty()
            || before.ends_with(':')
            || matches!(before, "-" | "?")
            || after.starts_with('#');
        if token_ends && gap.contains(is_yaml_1_1_break) {
            blanks.extend(
                gap.char_indices()
                    .filter(|&(_, c)| is_yaml_1_1_break(c))
                    .map(|(i, _)| props + run + i),
            );
        }
        at = next;
    }
    if !blanks.is_empty() {
        return FlowPlain::Blank(blanks);
    }
    let (text, inner) = go_yaml_fold(raw);
    FlowPlain::Read(text, inner)
}

/// The text of the plain scalar `raw` as go-yaml folds it, where NEL
/// (U+0085), U+2028 and U+2029 are line breaks (YAML 1.1), and whether a
/// break lies inside the text rather than after it: blanks and breaks
/// before and after the text are not part of it; inside, a run of blanks
/// without a break stays, and one with breaks is folded: its first break
/// (NEL, `\n`, `\r\n` and `\r` count as `\n`) becomes a space when it is
/// the only one and is dropped otherwise, U+2028 and U+2029 stay, and each
/// later break stays as a line break.
fn go_yaml_fold(raw: &str) -> (String, bool) {
    let blank = |c: char| c == ' ' || c == '\t' || is_go_yaml_break(c);
    let text = raw.trim_matches(blank);
    let mut out = String::with_capacity(text.len());
    let mut inner = false;
    let mut rest = text;
    while let Some(run) = rest.find(blank) {
        out.push_str(&rest[..run]);
        let after = rest[run..].trim_start_matches(blank);
        let gap = &rest[run..rest.len() - after.len()];
        rest = after;
        if !gap.contains(is_go_yaml_break) {
            out.push_str(gap);
            continue;
        }
        inner = true;
        let gap = gap.replace("\r\n", "\n");
        let mut breaks = gap
            .chars()
            .filter(|&c| is_go_yaml_break(c))
            .map(|c| match c {
                '\u{2028}' | '\u{2029}' => c,
                _ => '\n',
            });
        match breaks.next() {
            Some('\n') => {
                let later: String = breaks.collect();
                out.push_str(if later.is_empty() { " " } else { &later });
            }
            Some(first) => {
                out.push(first);
                out.extend(breaks);
            }
            None => {}
        }
    }
    out.push_str(rest);
    (out, inner)
}

/// The value go-yaml reads from the quoted scalar `raw` (its anchor and tag
/// first, if any), where NEL (U+0085), U+2028 and U+2029 are line breaks,
/// which saphyr-parser reads as characters. A line break folds with the
/// blanks around it: blanks before it and at the start of the next line are
/// dropped; the first break (NEL, `\n`, `\r\n` and `\r` count as `\n`)
/// becomes a space when it is the only one and is dropped otherwise, U+2028
/// and U+2029 stay, and each later break stays; an escaped break (`\` and a
/// break, in double quotes) is dropped with the blanks after it. `Err` with
/// the byte offset in `raw` of a document marker (`---` or `...` and a
/// blank) right after a break, which go-yaml refuses in a quoted scalar;
/// `Err(None)` for what this does not read (an escape go-yaml does not
/// have, a scalar that does not end with its quote).
fn go_yaml_quoted(raw: &str, double: bool) -> Result<String, Option<usize>> {
    let quote = if double { '"' } else { '\'' };
    let space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r');
    let mut from = 0;
    while raw[from..].starts_with(['&', '!']) {
        let token = raw[from..].find(space).ok_or(None)?;
        let blanks =
            raw[from + token..].len() - raw[from + token..].trim_start_matches(space).len();
        from += token + blanks;
    }
    if !raw[from..].starts_with(quote) {
        return Err(None);
    }
    let s = &raw[from + 1..];
    let blank = |c: char| c == ' ' || c == '\t';
    let mut out = String::with_capacity(s.len());
    let mut pos = 0;
    let mut line_start = false;
    loop {
        if line_start {
            let rest = &s[pos..];
            let marker = (rest.starts_with("---") || rest.starts_with("..."))
                && rest[3..]
                    .chars()
                    .next()
                    .is_none_or(|c| blank(c) || is_go_yaml_break(c));
            if marker {
                return Err(Some(from + 1 + pos));
            }
        }
        // The characters up to a blank or a break.
        let mut leading_blanks = false;
        loop {
            let c = s[pos..].chars().next().ok_or(None)?;
            if blank(c) || is_go_yaml_break(c) {
                break;
            }
            if c == quote {
                if !double && s[pos + 1..].starts_with('\'') {
                    out.push('\'');
                    pos += 2;
                    continue;
                }
                return if pos + 1 == s.len() {
                    Ok(out)
                } else {
                    Err(None)
                };
            }
            pos += c.len_utf8();
            if double && c == '\\' {
                let e = s[pos..].chars().next().ok_or(None)?;
                if is_go_yaml_break(e) {
                    pos += go_yaml_line_break(&s[pos..]).1;
                    leading_blanks = true;
                    line_start = true;
                    break;
                }
                let (c, len) = go_yaml_escape(&s[pos..]).ok_or(None)?;
                out.push(c);
                pos += len;
                continue;
            }
            out.push(c);
            line_start = false;
        }
        // Blanks and breaks, folded.
        let mut whitespace = String::new();
        let mut leading_break = String::new();
        let mut trailing_breaks = String::new();
        loop {
            let c = s[pos..].chars().next().ok_or(None)?;
            if blank(c) {
                if !leading_blanks {
                    whitespace.push(c);
                }
                pos += 1;
                line_start = false;
            } else if is_go_yaml_break(c) {
                let (read, len) = go_yaml_line_break(&s[pos..]);
                if leading_blanks {
                    trailing_breaks.push(read);
                } else {
                    whitespace.clear();
                    leading_break.push(read);
                    leading_blanks = true;
                }
                pos += len;
                line_start = true;
            } else {
                break;
            }
        }
        if !leading_blanks {
            out.push_str(&whitespace);
        } else if leading_break == "\n" {
            if trailing_breaks.is_empty() {
                out.push(' ');
            } else {
                out.push_str(&trailing_breaks);
            }
        } else {
            out.push_str(&leading_break);
            out.push_str(&trailing_breaks);
        }
    }
}

/// The line break that starts `s`, as go-yaml reads it (`\n` for `\r\n`,
/// `\r` and NEL; U+2028 and U+2029 as they are), and its length in bytes.
fn go_yaml_line_break(s: &str) -> (char, usize) {
    if s.starts_with("\r\n") {
        return ('\n', 2);
    }
    match s.chars().next() {
        Some(c @ ('\u{2028}' | '\u{2029}')) => (c, c.len_utf8()),
        Some(c) => ('\n', c.len_utf8()),
        None => ('\n', 0),
    }
}

/// The character of the double-quoted escape whose letter starts `s` (after
/// the `\\`), as go-yaml reads it, and how many bytes the escape takes
/// after the `\\`; `None` for one it does not have (`\\/`) or an invalid
/// code (a surrogate, beyond U+10FFFF).
fn go_yaml_escape(s: &str) -> Option<(char, usize)> {
    let letter = s.chars().next()?;
    let digits = match letter {
        'x' => 2,
        'u' => 4,
        'U' => 8,
        _ => {
            let c = match letter {
                '0' => '\0',
                'a' => '\u{7}',
                'b' => '\u{8}',
                't' | '\t' => '\t',
                'n' => '\n',
                'v' => '\u{b}',
                'f' => '\u{c}',
                'r' => '\r',
                'e' => '\u{1b}',
                ' ' | '"' | '\'' | '\\' => letter,
                'N' => '\u{85}',
                '_' => '\u{a0}',
                'L' => '\u{2028}',
                'P' => '\u{2029}',
                _ => return None,
            };
            return Some((c, letter.len_utf8()));
        }
    };
    let hex = s.get(1..1 + digits)?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let code = u32::from_str_radix(hex, 16).ok()?;
    Some((char::from_u32(code)?, 1 + digits))
}

/// The first tab (its byte offset) among the blanks that start a line of
/// `b` within `lines` (from a line's start), left of column `before`
/// (0-based, counted in bytes: the blanks are ASCII).
fn leading_tab(b: &[u8], lines: std::ops::Range<usize>, before: usize) -> Option<usize> {
    let text = b.get(lines.clone())?;
    if !text.contains(&b'\t') {
        return None;
    }
    let mut line = lines.start;
    for l in text.split(|&c| matches!(c, b'\n' | b'\r')) {
        let lead = l.iter().take_while(|&&c| c == b' ' || c == b'\t').count();
        if let Some(tab) = l[..lead].iter().position(|&c| c == b'\t') {
            if tab < before {
                return Some(line + tab);
            }
        }
        line += l.len() + 1;
    }
    None
}

/// `text` with each character at the given byte offsets (first of each
/// pair), a YAML 1.1 line break, turned into a space: nothing moves in
/// lines and columns. `None` when one is not such a break.
fn blank_breaks(text: &str, at: &[(usize, usize)]) -> Option<String> {
    let mut offsets: Vec<usize> = at.iter().map(|a| a.0).collect();
    offsets.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for at in offsets {
        let c = text.get(at..)?.chars().next()?;
        if !is_yaml_1_1_break(c) || at < from {
            return None;
        }
        out.push_str(&text[from..at]);
        out.push(' ');
        from = at + c.len_utf8();
    }
    out.push_str(&text[from..]);
    Some(out)
}

/// The byte offset of the first character of `text` that go-yaml, kubectl's
/// YAML parser, refuses wherever it is (in a comment, a quoted string, a
/// block scalar): a C0 control character other than tab and the line
/// breaks, DEL, a C1 control character other than NEL (U+0085), or the
/// noncharacter U+FFFE or U+FFFF. Its JSON decoder takes all but C0 inside
/// strings, so files that start with `{` are not checked. The separator
/// lines kubectl's document splitter drops never reach that parser.
fn refused_character(text: &str) -> Option<usize> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}')
            || ('\u{a0}'..='\u{fffd}').contains(&c)
            || c >= '\u{10000}'
    };
    let from = |from: usize| {
        text.get(from..)?
            .char_indices()
            .find(|&(_, c)| !allowed(c))
            .map(|(at, _)| from + at)
    };
    let mut at = from(0)?;
    let dropped = lenient::dropped_separators(text);
    while let Some(line) = dropped.iter().find(|r| r.contains(&at)) {
        at = from(line.end)?;
    }
    Some(at)
}

/// Merges `source`, the value of a merge key (`<<`) that came after the
/// first `before` of the mapping's `explicit` keys (each with its place),
/// as go-yaml does: in the
/// order of the text, the last to set a key wins. So a merged key replaces
/// an explicit key before the `<<` and an earlier merge's, but not an
/// explicit key after it; of a sequence of mappings, the first to hold a key
/// wins.
fn merge_into(
    map: &mut Map<String, Value>,
    source: Value,
    explicit: &HashMap<String, usize>,
    before: usize,
) -> Result<(), String> {
    let bad = || "the value of a merge key (`<<`) must be a mapping or a sequence of mappings";
    let mappings = match source {
        Value::Object(m) => vec![m],
        Value::Array(items) => {
            let mut all = Vec::with_capacity(items.len());
            for item in items.into_iter().rev() {
                let Value::Object(m) = item else {
                    return Err(bad().to_string());
                };
                all.push(m);
            }
            all
        }
        _ => return Err(bad().to_string()),
    };
    for m in mappings {
        for (k, v) in m {
            // An explicit key after the `<<` stays; anything else is set.
            if explicit.get(&k).is_none_or(|&i| i < before) {
                map.insert(k, v);
            }
        }
    }
    Ok(())
}

/// The name of a tag of YAML's core schema (`str` for `!!str`, and for the
/// same tag written verbatim, `!<tag:yaml.org,2002:str>`).
fn core_tag(t: &Tag) -> Option<&str> {
    if t.is_yaml_core_schema() {
        return Some(&t.suffix);
    }
    t.suffix
        .strip_prefix("tag:yaml.org,2002:")
        .filter(|_| t.handle.is_empty())
}

fn resolve_scalar(v: &str, style: ScalarStyle, tag: Option<&Tag>) -> Result<Value, String> {
    let plain = style == ScalarStyle::Plain;
    match tag {
        None if plain => Ok(scalar::resolve_plain(v)),
        None => Ok(Value::String(v.to_string())),
        Some(t) => match core_tag(t) {
            Some(name) => scalar::resolve_tagged(v, scalar::want_of_core_tag(name)),
            // `!` (non-specific) and application tags: go-yaml keeps the
            // text as written, a string.
            None => Ok(Value::String(v.to_string())),
        },
    }
}

#[cfg(test)]
mod fast_tests;
#[cfg(test)]
mod tests;

/// The position one (ASCII) character after `p`.
fn next_column(p: Pos) -> Pos {
    Pos {
        line: p.line,
        column: p.column + 1,
        offset: p.offset + 1,
    }
}
