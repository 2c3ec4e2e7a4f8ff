//! The lint run: read, parse and check every input in parallel, then hand
//! each input's findings over in input order while the run goes on.
//!
//! Per file (in parallel): read with a size limit, skip Helm chart sources
//! and non-Kubernetes documents, load the YAML with spans one document at a
//! time, expand `List`s, run the checks on each object and place every
//! finding at the exact line and column of its path.
//!
//! Cross-object checks need the whole run's PDBs, HPAs, NetworkPolicies,
//! ServiceAccounts and Roles. A first reading finds the files that may hold
//! such objects (a fast text scan) and checks those, keeping only what the
//! cross pass needs (pruned `cross_subject` copies with the positions of
//! their fields, and the objects the index wants). Once the index is
//! complete, a second reading goes through the inputs in order: the other
//! files are parsed and checked in one pass, the first ones get their
//! cross-object findings, and each input's outcome is delivered as soon as
//! every input before it has been, so the report streams out and no input's
//! findings, text or spans are kept after it is written.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex, PoisonError};

use rayon::prelude::*;
use serde_json::Value;

use eyelint_policies::engine::{Engine, Evaluation, NotEvaluated, Pass};
use eyelint_policies::finding::Finding;
use eyelint_policies::index::{Coverage, Index};
use eyelint_policies::object::is_kubernetes_object;
use eyelint_policies::path::FieldPath;
use eyelint_policies::report::{FileLocation, ReportFinding};
use eyelint_policies::yaml::{self, Limits, PathHash, Pos, Spans};

use crate::discover::{Bytes, Input, InputSource};
use crate::output::Anchor;

/// Settings of a run that are not the engine's.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Files larger than this are refused.
    pub max_file_size: u64,
    /// Keep the text of inputs with findings in their [`FileOutcome`]
    /// (the human format draws snippets from it).
    pub keep_text: bool,
    /// What discovery's directory walks saw (kustomization files), so
    /// directories walked are not probed again.
    pub walked: Arc<crate::kustomize::Walked>,
    /// An input of at least twice this many bytes is loaded and checked in
    /// parts of at least this many, at the same time (see
    /// [`yaml::parts`]): one large input (standard input from `helm
    /// template`) uses every worker as many files do.
    pub part_bytes: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            max_file_size: 64 * 1024 * 1024,
            keep_text: false,
            walked: Arc::default(),
            part_bytes: PART_BYTES,
        }
    }
}

/// A finding placed in its input: the engine's finding as it came out of
/// the check, with its file, line, column and Helm source.
///
/// The report's flat form ([`ReportFinding`]) is made from it only by the
/// formats that want one ([`Located::report`]); the JSON report, the bulk
/// of a large run's output, is written straight from the finding, without
/// the dotted path and the flat copy in between.
#[derive(Clone, Debug)]
pub struct Located {
    /// The finding (boxed: findings are moved between vectors and sorted,
    /// and a large run has hundreds of thousands).
    pub finding: Box<Finding>,
    /// The input's name as reported (shared by the input's findings).
    pub file: Arc<str>,
    /// 1-based line and column (Unicode characters) of the key (or value)
    /// the finding points at, and its byte offset.
    pub pos: Pos,
    /// The Helm template (`# Source:` comment) of the finding's document.
    pub source: Option<Arc<str>>,
    /// Index of the input in the run's input list.
    pub input: usize,
    /// The finding's line and column in one number (line in the high half),
    /// so that sorting compares most pairs with one comparison.
    place: u128,
}

impl Located {
    /// `f`, found in input `input` (named `file`) at `pos`.
    pub fn new(
        f: Finding,
        input: usize,
        file: &Arc<str>,
        pos: Pos,
        source: Option<&Arc<str>>,
    ) -> Self {
        Located {
            finding: Box::new(f),
            file: file.clone(),
            pos,
            source: source.cloned(),
            input,
            place: place(pos.line, pos.column),
        }
    }

    /// Byte offset in the input of the key (or value) the finding points at.
    pub fn offset(&self) -> usize {
        self.pos.offset
    }

    /// The finding as the report has it.
    pub fn report(&self) -> ReportFinding {
        let loc = FileLocation {
            file: self.file.clone(),
            line: self.pos.line,
            column: self.pos.column,
        };
        ReportFinding::shared(&self.finding, Some(&loc), self.source.clone())
    }
}

/// Why an input was not checked, without that being an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Skip {
    /// No document is a Kubernetes object (CI configs, values files, …).
    NotKubernetes,
    /// A Helm chart template (`{{ }}` under a directory with `Chart.yaml`).
    HelmTemplate {
        /// The chart's directory.
        chart: PathBuf,
    },
    /// A patch a kustomization applies to other objects (see
    /// [`crate::kustomize`]).
    KustomizePatch {
        /// The kustomization file that lists it.
        kustomization: PathBuf,
    },
}

/// What a worker remembers about directories while it reads inputs.
#[derive(Default)]
pub(crate) struct DirCache {
    /// Whether each directory holds a `Chart.yaml`.
    charts: HashMap<PathBuf, bool>,
    /// Each directory's kustomization patches.
    kustomize: crate::kustomize::Cache,
}

/// A problem with one input; any makes the run exit 2.
#[derive(Clone, Debug)]
pub struct InputError {
    /// Index of the input.
    pub input: usize,
    /// Where, when known.
    pub pos: Option<Pos>,
    /// What is wrong.
    pub message: String,
}

/// What one run produced.
#[derive(Debug, Default)]
pub struct RunResult {
    /// Every finding, placed, in a deterministic order (file, line, column,
    /// rule, object, container, path).
    pub findings: Vec<Box<ReportFinding>>,
    /// One anchor per finding, same order.
    pub anchors: Vec<Anchor>,
    /// Input errors, in input order.
    pub errors: Vec<InputError>,
    /// Skipped inputs, in input order.
    pub skipped: Vec<(usize, Skip)>,
    /// Kubernetes objects checked.
    pub objects: usize,
    /// Files (and stdin) read and checked.
    pub files: usize,
    /// Evaluations that passed.
    pub passed: usize,
    /// Evaluations skipped by an exemption.
    pub exempted: usize,
    /// Checks not decidable from the input, with the input of their
    /// object, in input order.
    pub undecided: Vec<(usize, NotEvaluated)>,
}

/// What the cross pass needs of one object, kept small: a run can hold
/// hundreds of thousands of these until every file has been read.
struct CrossItem {
    source: Option<Arc<str>>,
    /// The engine's pruned copy of the object, as compact JSON text (a
    /// parsed `Value` costs several times its text).
    subject: Box<str>,
    /// Where each value of the subject sits in the file (paths from the
    /// object's root), sorted by key, so cross-object findings are placed
    /// without keeping or re-reading the document.
    spots: Box<[(PathHash, Pos)]>,
}

/// Records the location of every value of `v`, keyed by the hash of its
/// path from the object's root (`at`), with `in_doc` the hash of the same
/// value's path in the document (the object may be an item of a `List`).
fn record_spots(
    v: &Value,
    at: PathHash,
    in_doc: PathHash,
    spans: &Spans,
    out: &mut Vec<(PathHash, Pos)>,
) {
    if let Some(loc) = spans.get_hashed(in_doc) {
        out.push((at, loc.primary()));
    }
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                record_spots(child, at.key(k), in_doc.key(k), spans, out);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                record_spots(child, at.index(i), in_doc.index(i), spans, out);
            }
        }
        _ => {}
    }
}

/// The recorded location of `path`, or of its longest recorded prefix.
fn spot(spots: &[(PathHash, Pos)], path: &FieldPath) -> Pos {
    let find = |h: PathHash| {
        spots
            .binary_search_by_key(&h, |(k, _)| *k)
            .ok()
            .map(|i| spots[i].1)
    };
    let mut h = PathHash::root();
    let mut best = find(h).unwrap_or(Pos {
        line: 1,
        column: 1,
        offset: 0,
    });
    for seg in path.segments() {
        h = h.seg(seg);
        match find(h) {
            Some(pos) => best = pos,
            None => break,
        }
    }
    best
}

#[derive(Default)]
struct FileResult {
    findings: Vec<Located>,
    errors: Vec<InputError>,
    skip: Option<Skip>,
    objects: usize,
    checked: bool,
    passed: usize,
    exempted: usize,
    /// Checks not decidable from the input.
    undecided: Vec<NotEvaluated>,
    cross: Vec<CrossItem>,
    indexed: Vec<Value>,
    /// Classified as unable to hold an object the index wants; checked in
    /// one pass once the index is complete.
    pending: bool,
    /// Objects of a kind the index wants, met in one-pass mode (the
    /// classification said there could be none; see [`run_each`]).
    unexpected_indexed: usize,
    /// The file's bytes, when they will be wanted for snippets.
    text: Option<Bytes>,
    /// Where its documents that hold no object start (an error once the
    /// file turns out to hold objects).
    strays: Vec<Pos>,
}

/// Parts of an input checked so far ([`Batch::in_parts`]): the results of
/// those before the first that refused, if any.
#[derive(Default)]
struct Merged {
    result: FileResult,
    /// The fast path gave up in one of them.
    bailed: bool,
    /// The first part that refused, or one after it.
    refused: Option<usize>,
}

impl FileResult {
    /// Adds what checking the next part of the same input, or its cross
    /// pass, found.
    fn absorb_part(&mut self, mut p: FileResult) {
        // The larger vectors are kept and the smaller moved over.
        fn join<T>(a: &mut Vec<T>, mut b: Vec<T>) {
            if a.len() < b.len() {
                std::mem::swap(a, &mut b);
                a.splice(0..0, b);
            } else {
                a.append(&mut b);
            }
        }
        join(&mut self.findings, std::mem::take(&mut p.findings));
        join(&mut self.errors, std::mem::take(&mut p.errors));
        join(&mut self.cross, std::mem::take(&mut p.cross));
        join(&mut self.indexed, std::mem::take(&mut p.indexed));
        join(&mut self.strays, std::mem::take(&mut p.strays));
        join(&mut self.undecided, std::mem::take(&mut p.undecided));
        self.objects += p.objects;
        self.passed += p.passed;
        self.exempted += p.exempted;
        self.unexpected_indexed += p.unexpected_indexed;
    }
}

/// How [`check_file`] treats a file.
#[derive(Clone, Copy)]
enum Mode<'i> {
    /// Every file: local checks now, cross-object checks deferred to the
    /// cross pass, index objects collected. The general way, without the
    /// classification: the tests hold the run's results to it.
    #[cfg(test)]
    Deferred,
    /// First reading: files that [`may_hold_indexed`] clears are left
    /// pending; the others are checked as in `Deferred`.
    Classify(&'i KindScan),
    /// A pending file, with the complete index: every check in one pass.
    Complete(&'i Index),
}

/// Finds, in one pass over a file, whether it may hold an object of a
/// kind the cross-object index wants ([`may_hold_indexed`]): every kind and
/// the backslash are patterns of one automaton.
pub(crate) enum KindScan {
    /// No kind is wanted: no file may hold one.
    NoneWanted,
    /// The automaton could not be built: every file may hold one, and is
    /// checked the general way.
    Unbuildable,
    /// The wanted kinds, and an automaton whose patterns are the kinds in
    /// the same order followed by the backslash.
    Search {
        kinds: Vec<Box<[u8]>>,
        automaton: aho_corasick::AhoCorasick,
    },
}

impl KindScan {
    pub(crate) fn new(kinds: &BTreeSet<String>) -> Self {
        let kinds: Vec<Box<[u8]>> = kinds
            .iter()
            .filter(|k| !k.is_empty())
            .map(|k| k.as_bytes().into())
            .collect();
        if kinds.is_empty() {
            return KindScan::NoneWanted;
        }
        let patterns = kinds.iter().map(|k| &k[..]).chain([&b"\\"[..]]);
        // Leftmost-longest, so the search can use its literal prefilter;
        // [`may_hold_indexed`] resumes one byte after a match that is not a
        // whole word and tries the shorter kinds at the same start.
        match aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(patterns)
        {
            Ok(automaton) => KindScan::Search { kinds, automaton },
            Err(_) => KindScan::Unbuildable,
        }
    }
}

/// Whether `text` may hold an object of one of the scan's kinds: it names
/// one of them as a whole word (not inside a longer identifier such as
/// `automountServiceAccountToken`) or followed by `List` (a typed list,
/// whose items name no kind: see `complete_list_items`), or it contains a
/// backslash, the only way (escape sequences in double-quoted YAML and
/// JSON) to write a kind without its letters appearing in a row. Folding in
/// multi-line scalars inserts spaces, which no kind name contains, and tags
/// do not change a scalar's text.
fn may_hold_indexed(text: &str, scan: &KindScan) -> bool {
    let (kinds, ac) = match scan {
        KindScan::NoneWanted => return false,
        KindScan::Unbuildable => return true,
        KindScan::Search { kinds, automaton } => (kinds, automaton),
    };
    let bytes = text.as_bytes();
    let ident =
        |c: Option<u8>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80);
    let whole = |at: usize, len: usize| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let end = at + len;
        let end = if bytes.get(end..end + 4) == Some(b"List") {
            end + 4
        } else {
            end
        };
        !ident(before) && !ident(bytes.get(end).copied())
    };
    let mut from = 0;
    while let Some(m) = ac.find(aho_corasick::Input::new(bytes).range(from..)) {
        let at = m.start();
        // The pattern after the kinds is the backslash.
        if m.pattern().as_usize() == kinds.len() || whole(at, m.len()) {
            return true;
        }
        // A shorter kind starting here may still be a whole word.
        let shorter = kinds
            .iter()
            .any(|k| k.len() < m.len() && bytes[at..].starts_with(k) && whole(at, k.len()));
        if shorter {
            return true;
        }
        from = at + 1;
    }
    false
}

/// Reads an input's bytes, refusing more than `max` bytes. UTF-16 text
/// with a byte-order mark comes back as UTF-8 (`utf16_as_utf8`).
pub fn read_input(input: &Input, max: u64) -> Result<Bytes, String> {
    match &input.source {
        InputSource::Unreadable(why) => Err(format!("cannot read: {why}")),
        InputSource::Stdin(b) => {
            // Standard input is read up to one byte over the limit: its
            // real size is not known.
            if b.len() as u64 > max {
                return Err(format!(
                    "standard input is over the {max} byte limit (raise it with --max-file-size)"
                ));
            }
            match yaml::utf16_as_utf8(b)? {
                Some(utf8) => Ok(Arc::new(utf8)),
                None => Ok(b.clone()),
            }
        }
        InputSource::File(p) => {
            let f = std::fs::File::open(p).map_err(|e| match std::fs::read_link(p) {
                Ok(target) if e.kind() == std::io::ErrorKind::NotFound => format!(
                    "cannot read: a link to {}, which does not exist",
                    target.display()
                ),
                _ => format!("cannot read: {e}"),
            })?;
            let len = f.metadata().map(|m| m.len()).unwrap_or(0);
            if len > max {
                return Err(too_large(len, max));
            }
            let mut buf = Vec::with_capacity(len as usize);
            f.take(max + 1)
                .read_to_end(&mut buf)
                .map_err(|e| format!("cannot read: {e}"))?;
            if buf.len() as u64 > max {
                return Err(too_large(buf.len() as u64, max));
            }
            Ok(Arc::new(yaml::utf16_as_utf8(&buf)?.unwrap_or(buf)))
        }
    }
}

/// Reads standard input, at most `max` bytes (plus one to detect overflow).
pub fn read_stdin(max: u64) -> std::io::Result<Bytes> {
    let mut buf = Vec::new();
    std::io::stdin()
        .lock()
        .take(max + 1)
        .read_to_end(&mut buf)?;
    Ok(Arc::new(buf))
}

fn too_large(len: u64, max: u64) -> String {
    format!(
        "file is {} bytes, over the {} byte limit (raise it with --max-file-size)",
        len, max
    )
}

/// The bytes as text: UTF-8 without NUL bytes (anything else is binary).
pub fn as_text(bytes: &[u8]) -> Result<&str, String> {
    text_or_error(bytes).map_err(|(message, _)| message)
}

/// [`as_text`], with the position of the offending byte (line and column
/// counted in the valid text before it) for the report.
fn text_or_error(bytes: &[u8]) -> Result<&str, (String, Pos)> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let good = e.valid_up_to();
            let before = std::str::from_utf8(&bytes[..good]).unwrap_or("");
            let byte = bytes.get(good).copied().unwrap_or(0);
            return Err((
                format!(
                    "not UTF-8 text: byte 0x{byte:02X} at offset {good} is not part of a UTF-8 \
                     character (a Latin-1 or Windows-1252 file, or a binary one? save text as \
                     UTF-8)"
                ),
                yaml::line_col(before, good),
            ));
        }
    };
    if let Some(at) = text.find('\0') {
        return Err((
            format!("not a text file (NUL byte at offset {at}); is this a binary file?"),
            yaml::line_col(text, at),
        ));
    }
    Ok(text)
}

/// The chart directory above `path` (a directory holding `Chart.yaml`).
fn chart_dir(path: &Path, cache: &mut HashMap<PathBuf, bool>) -> Option<PathBuf> {
    let abs = std::path::absolute(path).ok()?;
    let mut dir = abs.parent();
    while let Some(d) = dir {
        let has = *cache
            .entry(d.to_path_buf())
            .or_insert_with(|| d.join("Chart.yaml").is_file());
        if has {
            return Some(d.to_path_buf());
        }
        dir = d.parent();
    }
    None
}

/// What is wrong with `v` as an object's `apiVersion` or `kind`: "is empty",
/// "is a list, not a string"; `None` for a string.
fn not_a_string(v: &Value) -> Option<String> {
    match v {
        Value::String(_) => None,
        Value::Null => Some("is empty".to_string()),
        v => Some(format!(
            "is {}, not a string",
            eyelint_policies::object::kind_of(v)
        )),
    }
}

/// Why `v`, a List item, is not a Kubernetes object.
fn why_not_an_object(v: &Value) -> String {
    let Value::Object(m) = v else {
        return format!("it is {}", eyelint_policies::object::kind_of(v));
    };
    let field = |key: &str| match m.get(key) {
        None => Some(format!("it has no {key}")),
        Some(v) => not_a_string(v).map(|why| format!("its {key} {why}")),
    };
    match (field("apiVersion"), field("kind")) {
        (Some(a), Some(k)) if a.starts_with("it has no") && k.starts_with("it has no") => {
            "it has no apiVersion and kind".to_string()
        }
        (Some(a), Some(k)) => format!("{a}, {k}"),
        (Some(why), None) | (None, Some(why)) => why,
        (None, None) => "it is one".to_string(),
    }
}

/// Objects of a document, with their path prefix inside it: the document
/// itself, or the items of a `List` (recursively).
pub fn expand<'a>(v: &'a Value, prefix: FieldPath, out: &mut Vec<(FieldPath, &'a Value)>) {
    let kind = v.get("kind").and_then(Value::as_str).unwrap_or("");
    let items = v.get("items").and_then(Value::as_array);
    match items {
        Some(items) if kind == "List" || kind.ends_with("List") => {
            let base = prefix.key("items");
            for (i, item) in items.iter().enumerate() {
                expand(item, base.index(i), out);
            }
        }
        _ => out.push((prefix, v)),
    }
}

/// Adds an object's counts and undecided checks to `r`; a check at fault
/// (a custom check whose template rendered no valid schema for the object)
/// is an error at `pos()`, the object's place: the configuration is broken
/// for it, and passing it silently would bypass the check.
fn add_eval(r: &mut FileResult, input: usize, pos: impl Fn() -> Pos, eval: &mut Evaluation) {
    r.passed += eval.passed;
    r.exempted += eval.exempted;
    for n in std::mem::take(&mut eval.not_evaluated) {
        if n.fault {
            r.errors.push(InputError {
                input,
                pos: Some(pos()),
                message: format!(
                    "custom check `{}` could not be evaluated on {}: {}",
                    n.id, n.object, n.reason
                ),
            });
        }
        r.undecided.push(n);
    }
}

fn check_file(
    engine: &Engine,
    input_idx: usize,
    input: &Input,
    opts: &RunOptions,
    dirs: &mut DirCache,
    mode: Mode<'_>,
) -> FileResult {
    let mut r = FileResult::default();
    let err = |r: &mut FileResult, pos: Option<Pos>, message: String| {
        r.errors.push(InputError {
            input: input_idx,
            pos,
            message,
        })
    };
    let bytes = match read_input(input, opts.max_file_size) {
        Ok(b) => b,
        Err(m) => {
            err(&mut r, None, m);
            return r;
        }
    };
    let text = match text_or_error(&bytes) {
        Ok(t) => t,
        Err((m, pos)) => {
            err(&mut r, Some(pos), m);
            return r;
        }
    };
    if text.contains("{{") {
        if let Some(chart) = input.path().and_then(|p| chart_dir(p, &mut dirs.charts)) {
            r.skip = Some(Skip::HelmTemplate { chart });
            return r;
        }
    }
    let patch_of = |p: &Path| crate::kustomize::patch_of(p, &opts.walked, &mut dirs.kustomize);
    if let Some(kustomization) = input.path().and_then(patch_of) {
        r.skip = Some(Skip::KustomizePatch { kustomization });
        return r;
    }
    if let Mode::Classify(scan) = mode {
        if !may_hold_indexed(text, scan) {
            r.pending = true;
            return r;
        }
    }
    let complete = match mode {
        Mode::Complete(index) => Some(index),
        _ => None,
    };
    let file: Arc<str> = Arc::from(input.name.as_str());
    // Documents are checked a few at a time as they are read, and dropped
    // after: a file's working set is a batch, not the whole file.
    let batch = Batch {
        engine,
        input_idx,
        file: &file,
        complete,
    };
    // The error that ended the load, and the byte at which that load began.
    let (mut error, mut began) = match batch.in_parts(text, opts.part_bytes, &mut r) {
        Some(ended) => ended,
        None => (
            batch.checking(&mut r, |each| {
                yaml::load_with(text, &Limits::default(), each)
            }),
            0,
        ),
    };
    if error.is_none() && r.objects > 0 && r.errors.is_empty() {
        // kubectl reads a file that starts with `{` as JSON: in a file of
        // objects, what only YAML allows there is an error (files of no
        // objects, such as a tsconfig.json with comments, are still skipped).
        if let Some((offset, message)) = yaml::kubectl_json::refusal(text) {
            err(&mut r, Some(yaml::line_col(text, offset)), message);
        }
    }
    // After a syntax error, the documents after the one it is in are still
    // read, from the next `---` line, as kubectl's splitter cuts a stream
    // before parsing it (`yaml::resume_after`), up to a bound.
    let mut resumed = 0;
    while let Some(e) = error.take() {
        let next = yaml::resume_after(text, &e, began);
        err(&mut r, Some(e.pos), e.message);
        let Some(part) = next else { break };
        if resumed == MAX_RESUMED {
            err(
                &mut r,
                Some(yaml::line_col(text, part.range.start)),
                format!(
                    "not read from here on: this file already has {} YAML errors",
                    MAX_RESUMED + 1
                ),
            );
            break;
        }
        resumed += 1;
        began = part.range.start;
        error = batch.checking(&mut r, |each| {
            yaml::load_rest(text, &part, &Limits::default(), each)
        });
    }
    if (opts.keep_text && !r.findings.is_empty()) || !r.errors.is_empty() {
        r.text = Some(bytes.clone());
    }
    // kubectl reads a file as objects or not at all: in a file of objects,
    // a document that is none is an error (often a `---` out of place,
    // which cuts an object in two), not a file to skip.
    if r.objects > 0 {
        for pos in std::mem::take(&mut r.strays) {
            err(
                &mut r,
                Some(pos),
                "this document is not a Kubernetes object (it has no apiVersion and kind) but \
                 the file's others are, and kubectl refuses such a file: is a `---` out of place?"
                    .to_string(),
            );
        }
    }
    r.checked = true;
    if r.objects == 0 && r.errors.is_empty() {
        r.skip = Some(Skip::NotKubernetes);
    }
    r
}

/// Times one input is read on after a YAML error ([`yaml::resume_after`]);
/// each costs a pass over the rest of the text.
const MAX_RESUMED: usize = 10;

/// The default [`RunOptions::part_bytes`]: large enough that a part's
/// fixed costs do not count, small enough that a few megabytes keep two
/// workers busy.
pub const PART_BYTES: usize = 256 * 1024;

/// Documents checked together (see [`Engine::check_batch_unordered`]):
/// enough for each check's code to be reused while it is in the cache, few
/// enough for the documents to stay there too.
const BATCH: usize = 16;

/// What checking a batch of one input's documents needs.
struct Batch<'a> {
    engine: &'a Engine,
    input_idx: usize,
    file: &'a Arc<str>,
    /// The complete index, when the input is checked in one pass.
    complete: Option<&'a Index>,
}

impl Batch<'_> {
    /// A document that holds no Kubernetes object. With `apiVersion` and
    /// `kind` of which one is not a string, or with `metadata` and only one
    /// of them, an error at it: kubectl cannot read it, and skipping it would
    /// pass it silently. Otherwise remembered, to be an error if the file
    /// holds objects.
    fn not_an_object(&self, doc: &yaml::Document, r: &mut FileResult) {
        let Value::Object(m) = &doc.value else {
            if !matches!(&doc.value, Value::Array(items) if items.iter().any(is_kubernetes_object))
            {
                r.strays.push(doc.start);
            }
            return;
        };
        let at = |key: &str| {
            Some(
                doc.spans
                    .position(&FieldPath::root(), &FieldPath::root().key(key)),
            )
        };
        let (api, kind) = match (m.get("apiVersion"), m.get("kind")) {
            (Some(api), Some(kind)) => (api, kind),
            (api, kind)
                if api.is_some() != kind.is_some()
                    && m.get("metadata").is_some_and(Value::is_object) =>
            {
                let (has, lacks) = if api.is_some() {
                    ("apiVersion", "kind")
                } else {
                    ("kind", "apiVersion")
                };
                r.errors.push(InputError {
                    input: self.input_idx,
                    pos: at(has),
                    message: format!(
                        "this document has {has} and metadata but no {lacks}, and kubectl cannot \
                         read it as an object: is a `---` out of place, or a line indented?"
                    ),
                });
                return;
            }
            _ => {
                r.strays.push(doc.start);
                return;
            }
        };
        for (key, v) in [("apiVersion", api), ("kind", kind)] {
            let Some(why) = not_a_string(v) else {
                continue;
            };
            let message = if v.is_null() {
                format!("{key} {why}: the API server takes no object without one")
            } else {
                format!("{key} {why}: kubectl cannot read this document as an object")
            };
            r.errors.push(InputError {
                input: self.input_idx,
                pos: at(key),
                message,
            });
        }
    }

    /// Loads and checks `text` in parts at the same time, adding to `r`
    /// what checking it whole adds, when it is large enough to be cut
    /// ([`yaml::parts`]); `None` (and `r` as it was) when it is not, and the
    /// error that ended the load otherwise, with the byte at which the load
    /// that met it began. From the first part that cannot
    /// be loaded on its own (it ends in an error, or needs go-yaml's
    /// leniency mended with the whole text's budget), the rest of the text
    /// is loaded in one piece as the whole text's loader reads it; or, when
    /// the fast path gave up in a part before it, the whole text is (`None`,
    /// see [`yaml::load_rest`]).
    fn in_parts(
        &self,
        text: &str,
        part_bytes: usize,
        r: &mut FileResult,
    ) -> Option<(Option<yaml::YamlError>, usize)> {
        let parts = yaml::parts(text, part_bytes)?;
        // The first part known to refuse: parts after it are not loaded.
        let refused = AtomicUsize::new(usize::MAX);
        // Merged as neighbouring parts finish, in order, up to the first
        // that refused.
        let merged = parts
            .par_iter()
            .enumerate()
            .map(|(i, part)| {
                let mut done = Merged::default();
                if i > refused.load(AtomicOrdering::Relaxed) {
                    done.refused = Some(i);
                    return done;
                }
                let loaded = self.checking(&mut done.result, |each| {
                    yaml::load_part(text, part, &Limits::default(), each)
                });
                match loaded {
                    Ok(l) => done.bailed = l.bailed,
                    Err(yaml::PartFailed) => {
                        refused.fetch_min(i, AtomicOrdering::Relaxed);
                        done = Merged {
                            refused: Some(i),
                            ..Merged::default()
                        };
                    }
                }
                done
            })
            .reduce(Merged::default, |mut a, b| {
                if a.refused.is_none() {
                    a.result.absorb_part(b.result);
                    a.bailed |= b.bailed;
                    a.refused = b.refused;
                }
                a
            });
        let refused = merged.refused.and_then(|i| parts.get(i));
        if refused.is_some() && merged.bailed {
            // The whole text is loaded again (see `yaml::load_rest`).
            return None;
        }
        r.absorb_part(merged.result);
        let Some(part) = refused else {
            return Some((None, 0));
        };
        let error = self.checking(r, |each| {
            yaml::load_rest(text, part, &Limits::default(), each)
        });
        Some((error, part.range.start))
    }

    /// Runs `load`, checking the documents it hands to `each` a batch at a
    /// time as they come (so that a file's working set is a batch, not the
    /// whole file), and returns what it returns.
    fn checking<T>(
        &self,
        r: &mut FileResult,
        load: impl FnOnce(&mut dyn FnMut(yaml::Document)) -> T,
    ) -> T {
        let mut docs = Vec::with_capacity(BATCH);
        let out = load(&mut |doc| {
            docs.push(doc);
            if docs.len() == BATCH {
                self.check(&mut docs, r);
            }
        });
        self.check(&mut docs, r);
        out
    }

    /// Checks the objects of `docs` (and empties it), in document order.
    fn check(&self, docs: &mut Vec<yaml::Document>, r: &mut FileResult) {
        if docs.is_empty() {
            return;
        }
        let engine = self.engine;
        let wanted = engine.index_kinds();
        // Every Kubernetes object of the batch: its document, path prefix
        // and value.
        for doc in docs.iter_mut() {
            eyelint_policies::object::complete_list_items(&mut doc.value);
        }
        let mut objects = Vec::new();
        let mut found = Vec::new();
        for (d, doc) in docs.iter().enumerate() {
            // kubectl reads one object per document and refuses a
            // sequence; skipping it as "not Kubernetes" would pass silently.
            if let Value::Array(items) = &doc.value {
                if items.iter().any(is_kubernetes_object) {
                    r.errors.push(InputError {
                        input: self.input_idx,
                        pos: Some(doc.start),
                        message: "a sequence of Kubernetes objects at the top of a document, \
                                  which kubectl cannot apply: write each as its own document \
                                  (`---`) or as the items of a `kind: List`"
                            .to_string(),
                    });
                }
            }
            expand(&doc.value, FieldPath::root(), &mut found);
            let before = objects.len();
            for (prefix, obj) in found.drain(..) {
                if is_kubernetes_object(obj) {
                    objects.push((d, prefix, obj));
                } else if !prefix.segments().is_empty() {
                    // kubectl refuses a List with an item that is no object;
                    // dropping the item would pass it silently.
                    r.errors.push(InputError {
                        input: self.input_idx,
                        pos: Some(doc.spans.position(&FieldPath::root(), &prefix)),
                        message: format!(
                            "{prefix} of this List is not a Kubernetes object ({}): kubectl \
                             refuses the List",
                            why_not_an_object(obj)
                        ),
                    });
                }
            }
            if objects.len() == before {
                self.not_an_object(doc, r);
            }
        }
        let subjects: Vec<&Value> = objects.iter().map(|(_, _, obj)| *obj).collect();
        let evals = match self.complete {
            // The index is complete: cross-object checks run here too, and
            // their findings are placed like any other.
            Some(index) => engine.check_batch_unordered(&subjects, Some(index), Pass::All),
            None => engine.check_batch_unordered(&subjects, None, Pass::Local),
        };
        // Shared by each document's findings.
        let sources: Vec<Option<Arc<str>>> = docs
            .iter()
            .map(|doc| doc.source.as_deref().map(Arc::from))
            .collect();
        for ((d, prefix, obj), mut eval) in objects.iter().zip(evals) {
            let (doc, source) = (&docs[*d], &sources[*d]);
            r.objects += 1;
            let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
            if self.complete.is_some() && wanted.contains(kind) {
                r.unexpected_indexed += 1;
            }
            let at = || doc.spans.position(prefix, &FieldPath::root());
            add_eval(r, self.input_idx, at, &mut eval);
            // A container list that is not one, a field of the wrong type:
            // kubectl cannot apply the object, and no check could judge
            // that field.
            for (path, message) in &eval.malformed {
                r.errors.push(InputError {
                    input: self.input_idx,
                    pos: Some(doc.spans.position(prefix, path)),
                    message: message.clone(),
                });
            }
            let first = r.findings.len();
            for f in eval.findings {
                let pos = doc.spans.position(prefix, &f.path);
                r.findings.push(Located::new(
                    f,
                    self.input_idx,
                    self.file,
                    pos,
                    source.as_ref(),
                ));
            }
            // An object's findings lie within its own text, and objects come
            // in the order of the file: sorted object by object, the file's
            // findings are then (nearly always) in order already, and the
            // final stable sort has little left to do. Its result is the
            // same either way.
            if let Some(mine) = r.findings.get_mut(first..) {
                mine.sort_by(order);
            }
            if self.complete.is_some() {
                continue;
            }
            if let Some(subject) = engine.cross_subject(obj) {
                let mut spots = Vec::new();
                record_spots(
                    &subject,
                    PathHash::root(),
                    PathHash::of(prefix),
                    &doc.spans,
                    &mut spots,
                );
                spots.sort_unstable_by_key(|(k, _)| *k);
                spots.dedup_by_key(|(k, _)| *k);
                r.cross.push(CrossItem {
                    source: source.clone(),
                    subject: subject.to_string().into_boxed_str(),
                    spots: spots.into_boxed_slice(),
                });
            }
            if wanted.contains(kind) {
                r.indexed.push((*obj).clone());
            }
        }
        drop((objects, found, subjects));
        docs.clear();
    }
}

/// Line and column in one number that orders as the pairs do.
fn place(line: usize, column: usize) -> u128 {
    (u128::from(line as u64) << 64) | u128::from(column as u64)
}

/// The order of findings within one input: line, column, rule, object,
/// container, path (the input itself comes first in the run's order).
/// Paths compare as the report prints them (dotted), which only findings
/// alike in everything else get to.
fn order(a: &Located, b: &Located) -> std::cmp::Ordering {
    if a.place != b.place {
        return a.place.cmp(&b.place);
    }
    let (x, y) = (&a.finding, &b.finding);
    (
        &x.id,
        &x.object.namespace,
        &x.object.kind,
        &x.object.name,
        x.container.as_ref().map(|c| &c.name),
    )
        .cmp(&(
            &y.id,
            &y.object.namespace,
            &y.object.kind,
            &y.object.name,
            y.container.as_ref().map(|c| &c.name),
        ))
        .then_with(|| {
            if x.path == y.path {
                std::cmp::Ordering::Equal
            } else {
                x.path.to_dotted().cmp(&y.path.to_dotted())
            }
        })
}

/// One input's complete outcome: every finding final (cross-object ones
/// included) and in order. [`run_each`] hands these over in input order.
#[derive(Debug, Default)]
pub struct FileOutcome {
    /// Index of the input in the run's input list.
    pub input: usize,
    /// Its findings, placed and in order (line, column, rule, object, …).
    pub findings: Vec<Located>,
    /// Its problems (any makes the run exit 2).
    pub errors: Vec<InputError>,
    /// Why it was not checked, when it was skipped.
    pub skip: Option<Skip>,
    /// Kubernetes objects checked.
    pub objects: usize,
    /// Read and checked (a file counts as checked when it held objects).
    pub checked: bool,
    /// Evaluations that passed.
    pub passed: usize,
    /// Evaluations skipped by an exemption.
    pub exempted: usize,
    /// Checks not decidable from the input.
    pub undecided: Vec<NotEvaluated>,
    /// The input's bytes (valid UTF-8), kept for snippets: with
    /// [`RunOptions::keep_text`] when it has findings, and whenever it has
    /// an error with a position.
    pub text: Option<Bytes>,
}

impl FileOutcome {
    /// The kept text, as text.
    pub fn text(&self) -> Option<&str> {
        self.text
            .as_deref()
            .and_then(|b| std::str::from_utf8(b).ok())
    }
}

/// Runs the engine over `inputs` and collects everything (tests and small
/// runs; the command line streams with [`run_each`]).
pub fn run(engine: &Engine, inputs: &[Input], opts: &RunOptions) -> RunResult {
    let mut out = RunResult::default();
    run_each(engine, inputs, opts, |_| (), |o, ()| out.absorb(o));
    out
}

impl RunResult {
    /// Adds one input's outcome (inputs must come in order).
    fn absorb(&mut self, o: FileOutcome) {
        let FileOutcome {
            input,
            findings,
            mut errors,
            skip,
            objects,
            checked,
            passed,
            exempted,
            undecided,
            text: _,
        } = o;
        self.errors.append(&mut errors);
        if let Some(s) = skip {
            self.skipped.push((input, s));
        }
        if checked && objects > 0 {
            self.files += 1;
        }
        self.objects += objects;
        self.passed += passed;
        self.exempted += exempted;
        self.undecided
            .extend(undecided.into_iter().map(|n| (input, n)));
        self.findings.reserve(findings.len());
        self.anchors.reserve(findings.len());
        for l in findings {
            self.anchors.push(Anchor {
                input: l.input,
                offset: l.offset(),
            });
            self.findings.push(Box::new(l.report()));
        }
    }
}

/// Runs the engine over `inputs`, handing each input's complete outcome to
/// `deliver` in input order as soon as it and every input before it are
/// done, so a report can be written while the run goes on and nothing of
/// an input is kept once it is delivered.
///
/// `prepare` runs on the worker that finished the input, in parallel with
/// other inputs (filter and render there); `deliver` runs one input at a
/// time, in order (write there).
///
/// Cross-object checks need every object the index wants before they can
/// judge anything. Most files cannot hold such an object at all
/// (`may_hold_indexed`): a first reading sets them aside, and they are
/// checked once the index is complete, local and cross-object checks in one
/// pass. Files that may hold one are checked on the first reading, and what
/// the cross pass reads of their objects is kept small (`CrossItem`)
/// until the index is complete. The results are the same either way.
pub fn run_each<P: Send>(
    engine: &Engine,
    inputs: &[Input],
    opts: &RunOptions,
    prepare: impl Fn(&mut FileOutcome) -> P + Sync,
    deliver: impl FnMut(FileOutcome, P) + Send,
) {
    let scan = KindScan::new(engine.index_kinds());
    run_with(
        engine,
        inputs,
        opts,
        Mode::Classify(&scan),
        &prepare,
        deliver,
    )
}

/// Inputs finished out of order wait here until those before them are
/// delivered.
struct Ordered<P, D> {
    next: usize,
    ready: BTreeMap<usize, (FileOutcome, P)>,
    deliver: D,
}

/// [`run_each`], with `first` the treatment of every file on the first reading.
fn run_with<P: Send>(
    engine: &Engine,
    inputs: &[Input],
    opts: &RunOptions,
    first: Mode<'_>,
    prepare: &(dyn Fn(&mut FileOutcome) -> P + Sync),
    deliver: impl FnMut(FileOutcome, P) + Send,
) {
    let mut per_file: Vec<FileResult> = inputs
        .par_iter()
        .enumerate()
        .map_init(DirCache::default, |cache, (i, input)| {
            check_file(engine, i, input, opts, cache, first)
        })
        .collect();

    let mut index = engine.new_index(Coverage::All);
    for f in per_file.iter_mut() {
        for o in std::mem::take(&mut f.indexed) {
            index.add(&o);
        }
    }
    let index = &index;

    // Second reading, in input order: workers take the next input, finish
    // it (one-pass check or cross pass), prepare it, and deliver whatever
    // is ready in order.
    let slots: Vec<Mutex<Option<FileResult>>> =
        per_file.into_iter().map(|f| Mutex::new(Some(f))).collect();
    let next = AtomicUsize::new(0);
    let ordered = Mutex::new(Ordered {
        next: 0,
        ready: BTreeMap::new(),
        deliver,
    });
    let workers = rayon::current_num_threads().clamp(1, inputs.len().max(1));
    rayon::scope(|s| {
        for _ in 0..workers {
            s.spawn(|_| {
                let mut cache = DirCache::default();
                loop {
                    let i = next.fetch_add(1, AtomicOrdering::Relaxed);
                    let Some(slot) = slots.get(i) else { break };
                    let Some(f) = lock(slot).take() else { continue };
                    let mut outcome =
                        finish_file(engine, i, &inputs[i], opts, &mut cache, index, f);
                    let prepared = prepare(&mut outcome);
                    let mut o = lock(&ordered);
                    o.ready.insert(i, (outcome, prepared));
                    loop {
                        let n = o.next;
                        let Some((outcome, prepared)) = o.ready.remove(&n) else {
                            break;
                        };
                        o.next += 1;
                        (o.deliver)(outcome, prepared);
                    }
                }
            });
        }
    });
}

/// Locks `m`, also after a panic elsewhere (the data is still consistent:
/// every critical section here only moves values).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Completes one input once the index is complete: a pending file is
/// checked in one pass; a file checked on the first reading gets its
/// cross-object findings. The findings are then sorted.
fn finish_file(
    engine: &Engine,
    i: usize,
    input: &Input,
    opts: &RunOptions,
    dirs: &mut DirCache,
    index: &Index,
    f: FileResult,
) -> FileOutcome {
    let mut f = if f.pending {
        let mut r = check_file(engine, i, input, opts, dirs, Mode::Complete(index));
        if r.unexpected_indexed > 0 {
            // The first reading found no object the index wants; this one
            // did, so the file changed in between. Its findings (and other
            // files' cross-object findings) could be wrong: refuse it.
            r.findings.clear();
            r.errors.push(InputError {
                input: i,
                pos: None,
                message: "the file changed while eyelint was reading it; run again".to_string(),
            });
        }
        r
    } else {
        let mut f = f;
        cross_pass(engine, i, input, index, &mut f);
        f
    };
    f.findings.sort_by(order);
    // Input errors in the order of the text too (an object's are found
    // field by field, a sequence of objects before the batch is checked);
    // those without a position first.
    f.errors.sort_by_key(|e| e.pos.map(|p| (p.line, p.column)));
    let wants_text =
        (opts.keep_text && !f.findings.is_empty()) || f.errors.iter().any(|e| e.pos.is_some());
    if wants_text && f.text.is_none() {
        f.text = read_input(input, opts.max_file_size)
            .ok()
            .filter(|b| as_text(b).is_ok());
    }
    if !wants_text {
        f.text = None;
    }
    FileOutcome {
        input: i,
        findings: f.findings,
        errors: f.errors,
        skip: f.skip,
        objects: f.objects,
        checked: f.checked,
        passed: f.passed,
        exempted: f.exempted,
        undecided: f.undecided,
        text: f.text,
    }
}

/// The cross pass over the objects a file kept for it.
fn cross_pass(engine: &Engine, i: usize, input: &Input, index: &Index, f: &mut FileResult) {
    let cross = std::mem::take(&mut f.cross);
    if cross.is_empty() {
        return;
    }
    let file: Arc<str> = Arc::from(input.name.as_str());
    // Items of one file in parallel too: `helm template … | eyelint -` is a
    // single input.
    let checked: Vec<(FileResult, Vec<Located>)> = cross
        .par_iter()
        .map(|c| {
            let mut counts = FileResult::default();
            // The subject is JSON this run wrote; reading it back cannot fail.
            let Ok(subject) = serde_json::from_str::<Value>(&c.subject) else {
                return (counts, Vec::new());
            };
            let mut eval = engine.check_unordered(&subject, Some(index), Pass::Cross);
            let at = || spot(&c.spots, &FieldPath::root());
            add_eval(&mut counts, i, at, &mut eval);
            let found = eval
                .findings
                .into_iter()
                .map(|finding| {
                    let pos = spot(&c.spots, &finding.path);
                    Located::new(finding, i, &file, pos, c.source.as_ref())
                })
                .collect();
            (counts, found)
        })
        .collect();
    f.findings
        .reserve(checked.iter().map(|(_, found)| found.len()).sum());
    for (counts, found) in checked {
        f.absorb_part(counts);
        f.findings.extend(found);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds() -> BTreeSet<String> {
        [
            "ClusterRole",
            "HorizontalPodAutoscaler",
            "NetworkPolicy",
            "PodDisruptionBudget",
            "Role",
            "ServiceAccount",
        ]
        .into_iter()
        .map(String::from)
        .collect()
    }

    #[test]
    fn classification_finds_every_way_to_write_a_wanted_kind() {
        let k = KindScan::new(&kinds());
        for text in [
            "kind: PodDisruptionBudget\n",
            "kind: 'NetworkPolicy'\n",
            "{\"kind\":\"ServiceAccount\"}",
            "kind: |-\n  HorizontalPodAutoscaler\n",
            "base: &k Role\nkind: *k\n",
            "kind: !!str ClusterRole\n",
            "items:\n- {kind: Role}\n",
            // Escapes can spell any kind; a backslash anywhere is enough.
            "kind: \"Pod\\x44isruptionBudget\"\n",
            "{\"kind\":\"\\u0053erviceAccount\"}",
            "kind: \"Service\\\n  Account\"\n",
            // A typed list's items name no kind.
            "{\"kind\":\"NetworkPolicyList\",\"items\":[{\"metadata\":{}}]}",
        ] {
            assert!(may_hold_indexed(text, &k), "{text:?}");
        }
        for text in [
            "kind: Deployment\nspec:\n  automountServiceAccountToken: false\n",
            "kind: ClusterRoleBinding\nroleRef: {kind: ClusterRoleX}\n",
            "kind: RoleBinding\n",
            "metadata: {name: PodDisruptionBudgets}\n",
            "metadata: {name: PodDisruptionBudgetLists}\n",
            // Folding a multi-line scalar inserts a space.
            "kind: Service\n  Account\n",
        ] {
            assert!(!may_hold_indexed(text, &k), "{text:?}");
        }
    }

    #[test]
    fn classification_sees_past_matches_that_are_not_whole_words() {
        let scan = |kinds: &[&str]| KindScan::new(&kinds.iter().map(|k| k.to_string()).collect());
        let roles = scan(&["Role", "RoleBinding"]);
        assert!(may_hold_indexed(
            "kind: RoleX\n---\nkind: RoleBinding\n",
            &roles
        ));
        assert!(may_hold_indexed("a: RoleBindingX\nkind: Role\n", &roles));
        assert!(!may_hold_indexed(
            "kind: RoleX\nkind: RoleBindings\n",
            &roles
        ));
        // The longest kind at a place is not a whole word, a shorter one is.
        let odd = scan(&["A-B", "A-B-C"]);
        assert!(may_hold_indexed("x: A-B-Cz\n", &odd));
        assert!(!may_hold_indexed("x: zA-B-C A-Bz\n", &odd));
        // Nothing wanted: no file may hold it, backslash or not.
        assert!(!may_hold_indexed("kind: \"\\u0041\"\n", &scan(&[])));
    }

    /// Sorting on the packed line and column first gives the order of the
    /// full comparison, `None` and ties included.
    #[test]
    fn packed_places_order_as_lines_and_columns_do() {
        use eyelint_policies::finding::Severity;
        use eyelint_policies::object::ObjectRef;
        let spots = [0, 1, 2, 9, 10, usize::MAX];
        // Paths that order one way as segments and the other way dotted
        // (`spec.b` before `spec["a.b"]`).
        let paths = [
            FieldPath::keys("spec").key("a.b"),
            FieldPath::keys("spec.b"),
        ];
        let file: Arc<str> = "f.yaml".into();
        let mut located = Vec::new();
        for (n, (line, column)) in spots
            .iter()
            .flat_map(|l| spots.iter().map(move |c| (*l, *c)))
            .enumerate()
        {
            for (id, path) in ["b", "a"]
                .iter()
                .flat_map(|id| paths.iter().map(move |p| (id, p)))
            {
                let f = Finding {
                    id: (*id).into(),
                    severity: Severity::Warning,
                    category: "Security".into(),
                    message: "m".into(),
                    object: ObjectRef {
                        api_version: "v1".into(),
                        kind: "Pod".into(),
                        namespace: "".into(),
                        name: format!("p{}", n % 3).into(),
                    },
                    container: None,
                    path: path.clone(),
                    fix: None,
                };
                let pos = Pos {
                    line,
                    column,
                    offset: 0,
                };
                located.push(Located::new(f, 0, &file, pos, None));
            }
        }
        // A fixed shuffle, then both sorts.
        let len = located.len();
        for i in 0..len {
            located.swap(i, (i * 7919 + 13) % len);
        }
        let key = |l: &Located| {
            let f = l.report();
            (f.line, f.column, f.id, f.name, f.path)
        };
        let mut expected: Vec<_> = located.iter().map(key).collect();
        expected.sort();
        located.sort_by(order);
        assert_eq!(located.iter().map(key).collect::<Vec<_>>(), expected);
    }

    #[test]
    fn one_pass_files_get_the_same_findings_as_deferred_checks() {
        let dir = tempfile::tempdir().unwrap();
        let deploy = |name: &str, extra: &str| {
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: ns}}\nspec:\n  replicas: 2\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n{extra}      containers:\n      - name: c\n        image: nginx:1.2.3\n"
            )
        };
        let files = [
            // Holds index objects: checked the deferred way.
            (
                "a.yaml",
                format!(
                    "{}---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: a, namespace: ns}}\nspec: {{minAvailable: 1, selector: {{matchLabels: {{app: b}}}}}}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: sa, namespace: ns}}\n",
                    deploy("a", "")
                ),
            ),
            // Covered by a.yaml's PDB, uses its ServiceAccount: one pass.
            (
                "b.yaml",
                deploy(
                    "b",
                    "      serviceAccountName: sa\n      automountServiceAccountToken: true\n",
                ),
            ),
            // No PDB, unknown ServiceAccount: one pass.
            ("c.yaml", deploy("c", "      serviceAccountName: elsewhere\n")),
        ];
        let mut inputs = Vec::new();
        for (name, text) in &files {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            inputs.push(Input {
                name: (*name).to_string(),
                source: InputSource::File(path),
            });
        }
        let engine = Engine::with_defaults().unwrap();
        let opts = RunOptions::default();
        let pending: Vec<bool> = inputs
            .iter()
            .enumerate()
            .map(|(i, input)| {
                check_file(
                    &engine,
                    i,
                    input,
                    &opts,
                    &mut DirCache::default(),
                    Mode::Classify(&KindScan::new(engine.index_kinds())),
                )
                .pending
            })
            .collect();
        assert_eq!(pending, [false, true, true]);
        // Were a cleared file to hold index objects after all (it changed
        // between the two readings), the one-pass reading counts them, and
        // the run refuses the file.
        let index = engine.new_index(Coverage::All);
        let mode = Mode::Complete(&index);
        let a = check_file(
            &engine,
            0,
            &inputs[0],
            &opts,
            &mut DirCache::default(),
            mode,
        );
        assert_eq!(a.unexpected_indexed, 2);
        let pending = FileResult {
            pending: true,
            ..FileResult::default()
        };
        let changed = finish_file(
            &engine,
            0,
            &inputs[0],
            &opts,
            &mut DirCache::default(),
            &index,
            pending,
        );
        assert!(changed.findings.is_empty());
        assert_eq!(changed.errors.len(), 1);
        assert!(changed.errors[0].message.contains("changed while"));

        let fast = run(&engine, &inputs, &opts);
        let mut general = RunResult::default();
        run_with(&engine, &inputs, &opts, Mode::Deferred, &|_| (), |o, ()| {
            general.absorb(o)
        });
        assert_eq!(fast.findings, general.findings);
        assert_eq!(fast.anchors, general.anchors);
        let counts = |r: &RunResult| (r.objects, r.files, r.passed, r.exempted, r.undecided.len());
        assert_eq!(counts(&fast), counts(&general));
        // The cross-object rules did judge the one-pass files.
        let ids = |file: &str| -> Vec<&str> {
            fast.findings
                .iter()
                .filter(|f| f.file.as_deref() == Some(file))
                .map(|f| &*f.id)
                .collect()
        };
        assert!(!ids("b.yaml").contains(&"missingPodDisruptionBudget"));
        assert!(ids("c.yaml").contains(&"missingPodDisruptionBudget"));
        assert!(
            !fast.undecided.is_empty(),
            "c.yaml's ServiceAccount is outside the input"
        );
    }
}
