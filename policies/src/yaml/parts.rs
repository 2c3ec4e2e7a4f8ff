//! Loading one large text in parts, so that its parts can be loaded at the
//! same time (the linter does, for a large file or standard input: `helm
//! template` of a big chart, `kubectl get … -o yaml` of a cluster).
//!
//! [`parts`] cuts a text only at lines where kubectl's document splitter
//! and the loader both start a new document, and only texts in which
//! nothing reaches across such a line (a directive, a byte-order mark, a
//! refused character or separator, a YAML 1.1 line break, a lone CR). Each
//! part is then what the whole text's loader would read from that line on,
//! with the same state: documents share nothing but their place in the
//! stream. [`load_part`] loads one and places its documents in the whole
//! text.
//!
//! What a part cannot settle on its own it refuses ([`PartFailed`]): an
//! error (the whole text's loader stops at the first and reports it), and
//! any mending for go-yaml's leniency, whose budget is the whole text's.
//! The caller then loads the text from that part on in one piece with
//! [`load_rest`], which reads on as the whole text's loader does from that
//! line. So a text loaded in parts gives exactly the documents, values,
//! positions and error of [`super::load_with`].

use std::ops::Range;

use super::lenient::{self, is_yaml_1_1_break};
use super::{kubectl_json, refused_character, stream, Document, Limits, Loader, Pos, YamlError};

/// A part of a text ([`parts`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// Its bytes in the text; every part but the first starts at a `---`
    /// line.
    pub range: Range<usize>,
    /// The 1-based line it starts on.
    pub line: usize,
}

/// Why a part was not loaded on its own: the text must be loaded from its
/// start on as the whole text's loader reads it ([`load_rest`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartFailed;

/// What loading a part tells besides its documents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PartLoaded {
    /// The fast path gave up on one of its documents: from there on the
    /// whole text's loader reads with saphyr-parser alone.
    pub bailed: bool,
}

/// Cuts `text` into parts of at least `min` bytes (the last may be longer,
/// none shorter) at `---` lines, or `None` when it is not cut: shorter than
/// two parts, or holding anything that could make a part load differently
/// from the same lines in the whole text (see the module's documentation).
pub fn parts(text: &str, min: usize) -> Option<Vec<Part>> {
    let min = min.max(1);
    if text.len() < min.saturating_mul(2) || !cuttable(text) {
        return None;
    }
    let b = text.as_bytes();
    let mut parts = Vec::new();
    // The current part's first byte and line.
    let (mut start, mut line) = (0, 1);
    // Lines that start with `---` (`cuttable` saw that each is a document
    // start to both kubectl and the loader).
    for at in memchr::memmem::find_iter(b, b"\n---").map(|i| i + 1) {
        if at - start >= min && text.len() - at >= min {
            parts.push(Part {
                range: start..at,
                line,
            });
            line += memchr::memchr_iter(b'\n', &b[start..at]).count();
            start = at;
        }
    }
    if parts.is_empty() {
        return None;
    }
    parts.push(Part {
        range: start..text.len(),
        line,
    });
    Some(parts)
}

/// Whether nothing in `text` makes a part's loading depend on what comes
/// before it.
fn cuttable(text: &str) -> bool {
    // JSON (one value or a stream of them) is read by kubectl's JSON
    // decoder, not cut at lines.
    if kubectl_json::json_root(text) || stream::split(text).is_some() {
        return false;
    }
    let b = text.as_bytes();
    // A byte-order mark and a YAML 1.1 line break are mended over the whole
    // text; a refused character is reported wherever the parser stops after
    // it.
    if text.is_ascii() {
        let refused = |c: u8| (c < b' ' && !matches!(c, b'\t' | b'\n' | b'\r')) || c == 0x7f;
        // Folded a block at a time, which the compiler turns into vector code.
        if b.chunks(64)
            .any(|block| block.iter().fold(false, |any, &c| any | refused(c)))
        {
            return false;
        }
    } else if text
        .chars()
        .any(|c| c == '\u{feff}' || is_yaml_1_1_break(c))
        || refused_character(text).is_some()
    {
        return false;
    }
    // A lone CR makes a `---` line longer to kubectl's splitter than to the
    // parser.
    if memchr::memchr_iter(b'\r', b).any(|i| b.get(i + 1) != Some(&b'\n')) {
        return false;
    }
    // A directive belongs to the document after it, wherever a cut falls.
    if b.first() == Some(&b'%') || memchr::memmem::find(b, b"\n%").is_some() {
        return false;
    }
    // Every line that starts with `---` must be a plain separator: not one
    // kubectl refuses (`----`, `---x: 1`) or one the loader mends (a
    // comment straight after the dashes).
    let line_at = |at: usize| {
        let end = memchr::memchr(b'\n', &b[at..]).map_or(b.len(), |n| at + n + 1);
        &text[at..end]
    };
    let first = text.starts_with("---").then_some(0);
    first
        .into_iter()
        .chain(memchr::memmem::find_iter(b, b"\n---").map(|i| i + 1))
        .all(|at| lenient::splits(line_at(at)))
}

/// Loads `part` of `text` (one of [`parts`]`(text, …)`), handing each
/// document to `each` with its positions in the whole text; a document's
/// `index` counts from the part's first document. `limits` are those given
/// for the whole text. On [`PartFailed`] the documents handed over so far
/// are the whole text's too, but the text from the part on must be loaded
/// with [`load_rest`].
pub fn load_part(
    text: &str,
    part: &Part,
    limits: &Limits,
    mut each: impl FnMut(Document),
) -> Result<PartLoaded, PartFailed> {
    // With the `---` line that follows, if any: the whole text's loader
    // ends the part's last document there, not at the end of the text, and
    // some values are placed differently at either (an empty block scalar
    // at the end of the text is placed at its `|`, before a `---` line at
    // that line). The `---` line holds no document of its own: the loader
    // hands over none for an empty document.
    let end = match text.as_bytes().get(part.range.end..) {
        Some(rest) if !rest.is_empty() => {
            part.range.end + memchr::memchr(b'\n', rest).map_or(rest.len(), |n| n + 1)
        }
        _ => part.range.end,
    };
    let body = text.get(part.range.start..end).ok_or(PartFailed)?;
    let mut loader = Loader::new(body, limits.for_text(text));
    loader.repairs = false;
    loader.lines_before = part.line - 1;
    let shift = shift_by(part);
    let (error, _, bail) = loader.run_reporting(&mut |mut d| {
        d.start = shift(d.start);
        d.spans.shift(&shift);
        each(d);
    });
    match error {
        None => Ok(PartLoaded {
            bailed: bail.is_some(),
        }),
        Some(_) => Err(PartFailed),
    }
}

/// Loads `text` from `part` to its end as the whole text's loader reads on
/// from that line, for a part that refused ([`PartFailed`]) after every part
/// before it loaded with the fast path taking all their documents (none
/// [`PartLoaded::bailed`]). Otherwise the whole text must be loaded again:
/// saphyr-parser, which the whole text's loader reads on with after the
/// fast path gives up, remembers anchors from one document to the next (an
/// alias to another document's anchor is an error either way, with another
/// message). Documents and the error, if any, are placed in the whole text;
/// a document's `index` counts from the part's first document.
pub fn load_rest(
    text: &str,
    part: &Part,
    limits: &Limits,
    mut each: impl FnMut(Document),
) -> Option<YamlError> {
    let Some(body) = text.get(part.range.start..) else {
        return Some(YamlError {
            message: "internal error: a part outside its text".to_string(),
            pos: Pos::default(),
            document: 0,
            limit: false,
        });
    };
    let mut loader = Loader::new(body, limits.for_text(text));
    loader.budget_before = part.range.start;
    loader.lines_before = part.line - 1;
    let shift = shift_by(part);
    let error = loader.run(&mut |mut d| {
        d.start = shift(d.start);
        d.spans.shift(&shift);
        each(d);
    });
    error.map(|mut e| {
        e.pos = shift(e.pos);
        e
    })
}

/// Where the linter goes on reading `text` after `error`: at the first
/// line at or after the error's line at which kubectl's document splitter
/// cuts (`---`, then nothing but white space or a comment: `---#note` too),
/// or the line after it (see below), to the end of the text, somewhere
/// after `after` (the byte at which the load that failed began: every
/// resumption moves on); `None` when there is none, when the error is a limit
/// reached ([`YamlError::limit`]: the text may be hostile), or when the
/// text is JSON (read by kubectl's JSON decoder, which cannot find its
/// footing again).
///
/// kubectl cuts a YAML stream into documents at such lines before it
/// parses any, so a syntax error belongs to one document and the ones after
/// it are read as they would be without it. [`load_rest`] reads the part as
/// a stream of its own, as kubectl reads each document.
pub fn resume_after(text: &str, error: &YamlError, after: usize) -> Option<Part> {
    if error.limit || kubectl_json::json_root(text) || stream::split(text).is_some() {
        return None;
    }
    let b = text.as_bytes();
    let at = error.pos.offset.min(b.len());
    let line_start = memchr::memrchr(b'\n', &b[..at]).map_or(0, |n| n + 1);
    let line_end = |at: usize| memchr::memchr(b'\n', &b[at..]).map_or(b.len(), |n| at + n + 1);
    // kubectl's splitter's lines end at `\n`.
    let cuts = |at: usize| lenient::kubectl_cuts(&text[at..line_end(at)]);
    // From the line break before the error's line, so that the line itself
    // is one of the candidates (a text's first line is never one: the load
    // that failed began there or later).
    let from = line_start.saturating_sub(1);
    // At the separator line, so that a comment on it (`--- # Source: …`,
    // which names the next document's Helm template) is read with the
    // document; after it where a text that starts with it would be read
    // otherwise than after content: a comment straight after the dashes
    // (`---#note`, content to the parser as a text's first line), or a
    // byte-order mark that starts the next line (kubectl drops it there,
    // and so does the loader after any other `---` line), or a character
    // kubectl's YAML parser refuses, which it never sees on a line its
    // splitter drops.
    let start_at = |separator: usize| {
        let next = line_end(separator);
        let line = &text[separator..next];
        let plain = lenient::splits(line) && refused_character(line).is_none();
        if plain && !text[next..].starts_with('\u{feff}') {
            separator
        } else {
            next
        }
    };
    let start = memchr::memmem::find_iter(&b[from..], b"\n---")
        .map(|i| from + i + 1)
        .filter(|&s| s >= line_start && s >= after && cuts(s))
        .map(start_at)
        // Each resumption moves on, also when the load that failed began
        // at this separator and failed on its line.
        .find(|&start| start > after)?;
    Some(Part {
        range: start..text.len(),
        line: 1 + memchr::memchr_iter(b'\n', &b[..start]).count(),
    })
}

/// Turns a position in `part`'s text into one in the whole text.
fn shift_by(part: &Part) -> impl Fn(Pos) -> Pos {
    let (line, offset) = (part.line, part.range.start);
    move |p: Pos| Pos {
        line: p.line + line - 1,
        column: p.column,
        offset: p.offset + offset,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::differential::compare_documents;
    use crate::yaml::{load, parts_differential};

    /// `got` (loaded in parts) against `want` (the whole text), document by
    /// document; a part's documents count their index from its first.
    fn same(got: &mut [Document], want: &[Document]) {
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter_mut().zip(want) {
            g.index = w.index;
            if let Err(e) = compare_documents(g, w) {
                panic!("document {}: {e}", w.index);
            }
        }
    }

    fn in_parts(text: &str, min: usize) -> Option<Result<Vec<Document>, PartFailed>> {
        let parts = parts(text, min)?;
        let mut docs = Vec::new();
        for p in &parts {
            if let Err(e) = load_part(text, p, &Limits::default(), |d| docs.push(d)) {
                return Some(Err(e));
            }
        }
        Some(Ok(docs))
    }

    const THREE: &str = "# Source: c/templates/a.yaml\napiVersion: v1\nkind: A\n---\n# Source: c/templates/b.yaml\napiVersion: v1\nkind: B\nmetadata:\n  name: \"b\"\n--- # a comment\napiVersion: v1\nkind: C\nspec:\n  x: [1, {y: 2}]\n";

    #[test]
    fn parts_load_as_the_whole_text_does() {
        let whole = load(THREE, &Limits::default());
        assert!(whole.error.is_none());
        for min in [1, 10, 40] {
            let parts = parts(THREE, min).expect("cut");
            assert!(parts.len() >= 2, "{min}: {parts:?}");
            assert_eq!(parts[0].range.start, 0);
            assert_eq!(parts.last().map(|p| p.range.end), Some(THREE.len()));
            for w in parts.windows(2) {
                assert_eq!(w[0].range.end, w[1].range.start);
                assert!(THREE[w[1].range.clone()].starts_with("---"));
            }
            let mut docs = in_parts(THREE, min).expect("cut").expect("loads");
            same(&mut docs, &whole.documents);
        }
        // Every part at least `min` long: at most one cut here.
        assert_eq!(parts(THREE, 60).map(|p| p.len()), Some(2));
        assert_eq!(parts(THREE, THREE.len() / 2 + 1), None);
    }

    #[test]
    fn a_part_ends_its_last_document_where_the_whole_text_does() {
        // No document for an empty one at the end.
        assert_eq!(load("a: 1\n---\n", &Limits::default()).documents.len(), 1);
        assert_eq!(
            load("a: 1\n--- # c\n", &Limits::default()).documents.len(),
            1
        );
        // Found by the fuzz target: an empty block scalar as a document's
        // root is placed at its `|` at the end of the text, and at the line
        // after it before a `---` line.
        for text in [
            "\n#c\n |\n---\n#c\n |\ntwo\n",
            "a: 1\n---\n|\n---\n>\n",
            "x: |\n---\ny: >-\n---\nplain\n---\n",
        ] {
            assert_eq!(parts_differential(text, &Limits::default()), Ok(true));
        }
    }

    #[test]
    fn anchors_and_other_slow_path_documents_load_in_parts() {
        let text = "a: &x {b: 1}\nc: *x\n---\nd: !!str 1\n---\ne: {f: 1}\ng:\n  <<: {h: 2}\n";
        assert_eq!(parts_differential(text, &Limits::default()), Ok(true));
    }

    #[test]
    fn texts_a_part_could_read_differently_are_not_cut() {
        let body = "a: 1\n---\nb: 2\n---\nc: 3\n";
        assert!(parts(body, 1).is_some());
        for text in [
            format!("\u{feff}{body}"),
            format!("{body}x: \"\u{85}\"\n"),
            format!("{body}x: \"\u{2028}\"\n"),
            format!("{body}x: \"\u{7}\"\n"),
            format!("{body}x: 1\ry: 2\n"),
            format!("{body}---x: 1\n"),
            format!("{body}---#note\nd: 4\n"),
            format!("%YAML 1.2\n---\n{body}"),
            format!("{{\"a\": 1}}\n{body}"),
            "[1]\n[2]\n[3]\n".to_string(),
        ] {
            assert_eq!(parts(&text, 1), None, "{text:?}");
        }
        // CRLF line endings are line ends to both.
        let crlf = body.replace('\n', "\r\n");
        assert_eq!(parts_differential(&crlf, &Limits::default()), Ok(true));
    }

    #[test]
    fn the_rest_from_a_refusing_part_loads_as_the_whole_text_does() {
        // A duplicate key (its message names the first one's line), a
        // mended indentation; and an anchor before them, where the fast path
        // gives up and the whole text must be loaded again.
        for (text, rest) in [
            ("a: 1\n---\nb: 2\n---\nc: 1\nd: 2\nc: 3\n---\ne: 4\n", true),
            ("a: 1\n---\nspec:\n  args: [a,\n  b]\n---\nd: 1\n", true),
            ("a: &x 1\n---\nb: *x\n---\nc: 1\nc: 2\n", false),
        ] {
            // The duplicate keys are errors; the mended text loads.
            let whole = load(text, &Limits::default());
            assert_eq!(whole.error.is_some(), text.contains("c: 1"), "{text:?}");
            // A part refuses; parts before it, then the rest, give the whole
            // text's documents and error (or the whole text is loaded again).
            assert_eq!(parts_differential(text, &Limits::default()), Ok(false));
            let first = &parts(text, 1).expect("cut")[0];
            let bailed = load_part(text, first, &Limits::default(), |_| {}).map(|l| l.bailed);
            assert_eq!(bailed, Ok(!rest), "{text:?}");
        }
    }

    #[test]
    fn a_part_that_needs_the_whole_text_refuses() {
        // An error: the whole text's loader reports it (and stops there).
        let text = "a: 1\n---\nb: [1, 2\n---\nc: 3\n";
        assert_eq!(
            in_parts(text, 1).map(|r| r.map(|d| d.len())),
            Some(Err(PartFailed))
        );
        // Indentation go-yaml takes, mended by the whole text's loader.
        let text = "a: 1\n---\nspec:\n  args: [a,\n  b]\n---\nd: 1\n";
        let whole = load(text, &Limits::default());
        assert!(whole.error.is_none(), "{:?}", whole.error);
        assert_eq!(whole.documents.len(), 3);
        assert_eq!(
            in_parts(text, 1).map(|r| r.map(|d| d.len())),
            Some(Err(PartFailed))
        );
    }

    /// Where reading goes on after the error that loading `text` whole
    /// ends with, from `after`: its line and first bytes.
    fn resumes(text: &str, after: usize) -> Option<(usize, String)> {
        let error = load(text, &Limits::default()).error.expect("an error");
        let part = resume_after(text, &error, after)?;
        Some((part.line, text[part.range].chars().take(8).collect()))
    }

    #[test]
    fn reading_goes_on_at_the_next_separator_kubectl_cuts_at() {
        // The error on a `---` line (a flow mapping cut by it): from the
        // line after it.
        let cut = "a: {b: 1\n---\nc: 1\n";
        assert_eq!(resumes(cut, 0), Some((2, "---\nc: 1".into())));
        // Inside a document: after the next separator, with a comment or
        // CRLF after its dashes (`---#note` is one to kubectl's splitter);
        // a line kubectl refuses as one is not.
        let inside = "a:\n  b: \"x\n---x: 1\n---  # next\r\nc: 1\r\n";
        assert_eq!(resumes(inside, 0), Some((4, "---  # n".into())));
        // After the separator where a text that starts with it reads
        // otherwise: a comment straight after the dashes, a byte-order mark
        // on the next line.
        let hash = "a: {b: 1\n---#second\nc: 1\n";
        assert_eq!(resumes(hash, 0), Some((3, "c: 1\n".into())));
        let bom = "a: {b: 1\n---\n\u{feff}c: 1\n";
        assert_eq!(resumes(bom, 0), Some((3, "\u{feff}c: 1\n".into())));
        // or a character kubectl's YAML parser refuses on the `---` line,
        // which its splitter drops after content and hands on at the start.
        let control = "a: {b: 1\n--- # x\u{1}\nc: 1\n";
        assert_eq!(resumes(control, 0), Some((3, "c: 1\n".into())));
        let part = load("c: 1\n--- # x\u{1}\nd: 1\n", &Limits::default());
        assert!(part.error.is_none(), "{:?}", part.error);
        // Each resumption moves on: past where the load that failed began.
        assert_eq!(resumes(cut, 9), None);
        // Nothing after the error.
        assert_eq!(resumes("a: 1\n---\nb: [\n", 0), None);
        // A limit reached: the text may be hostile.
        let mut laughs = String::from("a: &a [l, l, l, l, l, l, l, l, l, l]\n");
        for (prev, name) in "abcdefg".chars().zip("bcdefgh".chars()) {
            let refs = vec![format!("*{prev}"); 10].join(", ");
            laughs.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        laughs.push_str("---\nc: 1\n");
        assert!(load(&laughs, &Limits::default())
            .error
            .is_some_and(|e| e.limit));
        assert_eq!(resumes(&laughs, 0), None);
        // JSON is read by kubectl's JSON decoder, which does not go on.
        assert_eq!(resumes("{\"a\": [1,\n---\n{}\n", 0), None);
    }
}
