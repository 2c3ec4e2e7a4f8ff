//! Source positions of every value of a document, keyed by a hash of its path.
//!
//! Building a `FieldPath` (and its strings) per node would dominate the cost
//! of loading, so the loader hashes each node's path incrementally (the
//! parent's hash combined with the key or index) and stores only that u64.
//! [`Spans::get`] recomputes the hash from a [`FieldPath`]. Two different
//! paths colliding on 64 bits inside one document is not a practical concern.

use serde::Serialize;

use crate::path::{FieldPath, Seg};

/// A position in the original text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in Unicode characters (code points).
    pub column: usize,
    /// Byte offset in the original text (a leading BOM included).
    pub offset: usize,
}

/// Where a value sits in the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    /// For a mapping value: its key. For an item of a block sequence: the
    /// item's `-` indicator. `None` for the document root and flow items.
    pub key: Option<Pos>,
    /// The start of the value itself (its anchor or tag, if it has one): a
    /// block sequence's first `-`, a block scalar's `|` or `>`, just after
    /// the `:` (or `-`) of an empty value (the places libyaml, go-yaml and
    /// PyYAML give).
    pub value: Pos,
}

impl Location {
    /// The position a report should point at: the key when there is one,
    /// else the value.
    pub fn primary(&self) -> Pos {
        self.key.unwrap_or(self.value)
    }
}

const SEED: u64 = 0x2d35_8dcc_aa6c_78a5;
const K: u64 = 0x517c_c1b7_2722_0a95;

#[inline]
fn mix(h: u64, w: u64) -> u64 {
    (h.rotate_left(5) ^ w).wrapping_mul(K)
}

/// Hash of the root path.
#[inline]
pub(crate) fn root_hash() -> u64 {
    SEED
}

/// Hash of `parent` extended by a key.
#[inline]
pub(crate) fn key_hash(parent: u64, key: &str) -> u64 {
    let mut h = mix(parent, 0x6b65_7900 ^ key.len() as u64);
    let mut chunks = key.as_bytes().chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = mix(h, u64::from_le_bytes(w));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = mix(h, u64::from_le_bytes(w));
    }
    mix(h, 0xff)
}

/// Hash of `parent` extended by an index.
#[inline]
pub(crate) fn index_hash(parent: u64, i: usize) -> u64 {
    mix(mix(parent, 0x6964_7800), i as u64)
}

/// The hash of a path as [`Spans`] keys it, built one segment at a time, so
/// a caller walking a value can look every node up without building paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PathHash(u64);

impl PathHash {
    /// The root path.
    pub fn root() -> Self {
        PathHash(root_hash())
    }

    /// The hash of `p`.
    pub fn of(p: &FieldPath) -> Self {
        PathHash::root().join(p)
    }

    /// This path extended by a mapping key.
    pub fn key(self, key: &str) -> Self {
        PathHash(key_hash(self.0, key))
    }

    /// This path extended by a sequence index.
    pub fn index(self, i: usize) -> Self {
        PathHash(index_hash(self.0, i))
    }

    /// This path extended by one segment.
    pub fn seg(self, seg: &Seg) -> Self {
        PathHash(seg_hash(self.0, seg))
    }

    /// This path extended by every segment of `p`.
    pub fn join(self, p: &FieldPath) -> Self {
        p.segments().iter().fold(self, |h, s| h.seg(s))
    }
}

fn seg_hash(parent: u64, seg: &Seg) -> u64 {
    match seg {
        Seg::Key(k) => key_hash(parent, k),
        Seg::Index(i) => index_hash(parent, *i),
    }
}

/// The locations of every value of one document.
#[derive(Clone, Debug, Default)]
pub struct Spans {
    /// (path hash, index in `locs`), sorted by hash once the document is
    /// complete. Sorting these small pairs rather than whole locations is
    /// much of the loader's cost saved.
    index: Vec<(u64, usize)>,
    /// Locations, in the order they were recorded.
    locs: Vec<Location>,
}

impl Spans {
    /// Moves every position by `f` (for a document loaded from a slice of
    /// a larger text).
    pub(crate) fn shift(&mut self, f: impl Fn(Pos) -> Pos) {
        for l in &mut self.locs {
            l.value = f(l.value);
            l.key = l.key.map(&f);
        }
    }

    /// The location of the value at `p`, if it was written in the source
    /// (values that come from an alias or a merge key (`<<`) have none of
    /// their own below the alias).
    pub fn get(&self, p: &FieldPath) -> Option<Location> {
        self.find(PathHash::of(p).0)
    }

    /// The location of the value whose path hashes to `h`.
    pub fn get_hashed(&self, h: PathHash) -> Option<Location> {
        self.find(h.0)
    }

    /// Where a report about `path` inside the object found at `prefix`
    /// points: the primary position of the longest prefix of the two joined
    /// that has a location (what [`Spans::locate`] finds, without building
    /// the prefix path).
    pub fn position(&self, prefix: &FieldPath, path: &FieldPath) -> Pos {
        // Every value of a document is recorded, so the prefixes that have
        // a location are exactly those up to the longest one: look for the
        // longest first (findings mostly point at a field that exists, or
        // at the mapping that should hold it), one search instead of one per
        // segment.
        let mut hashes = [0u64; 24];
        let mut len = 0;
        let mut h = PathHash::root();
        for seg in prefix.segments().iter().chain(path.segments()) {
            h = h.seg(seg);
            match hashes.get_mut(len) {
                Some(slot) => {
                    *slot = h.0;
                    len += 1;
                }
                // Deeper than any real finding: the walk from the root.
                None => return self.position_walk(prefix, path),
            }
        }
        for &h in hashes[..len].iter().rev() {
            if let Some(loc) = self.find(h) {
                return loc.primary();
            }
        }
        self.find(PathHash::root().0).map_or(
            Pos {
                line: 1,
                column: 1,
                offset: 0,
            },
            |loc| loc.primary(),
        )
    }

    /// [`Spans::position`] by walking from the root, one search per segment
    /// (the reference the tests hold the longest-first search to).
    pub(super) fn position_walk(&self, prefix: &FieldPath, path: &FieldPath) -> Pos {
        let mut h = PathHash::root();
        let mut best = self.find(h.0).unwrap_or(Location {
            key: None,
            value: Pos {
                line: 1,
                column: 1,
                offset: 0,
            },
        });
        for seg in prefix.segments().iter().chain(path.segments()) {
            h = h.seg(seg);
            match self.find(h.0) {
                Some(loc) => best = loc,
                None => break,
            }
        }
        best.primary()
    }

    fn find(&self, h: u64) -> Option<Location> {
        let i = self.index.binary_search_by_key(&h, |e| e.0).ok()?;
        self.locs.get(self.index.get(i)?.1).copied()
    }

    /// Records a location while loading (order does not matter until
    /// [`Spans::finish`]).
    pub(crate) fn push(&mut self, h: u64, loc: Location) {
        self.index.push((h, self.locs.len()));
        self.locs.push(loc);
    }

    /// Moves the value of the `i`th location recorded back to `p`, when
    /// `p` comes first (a block sequence's first `-`).
    pub(crate) fn move_value_back(&mut self, i: usize, p: Pos) {
        if let Some(l) = self.locs.get_mut(i) {
            if p.offset < l.value.offset {
                l.value = p;
            }
        }
    }

    /// Looks a hash up before [`Spans::finish`] (slow; error paths only).
    pub(crate) fn find_unsorted(&self, h: u64) -> Option<Location> {
        let i = self.index.iter().find(|e| e.0 == h)?.1;
        self.locs.get(i).copied()
    }

    /// Makes the spans searchable.
    pub(crate) fn finish(&mut self) {
        self.index.sort_unstable_by_key(|e| e.0);
    }

    /// Empty spans with room for `n` locations.
    pub(crate) fn with_capacity(n: usize) -> Spans {
        Spans {
            index: Vec::with_capacity(n),
            locs: Vec::with_capacity(n),
        }
    }

    /// Every entry, sorted by hash and then by location, so that two
    /// loads can be compared whatever order entries of equal hash are in.
    pub(crate) fn sorted_entries(&self) -> Vec<(u64, Location)> {
        let mut v: Vec<(u64, Location)> = self
            .index
            .iter()
            .filter_map(|&(h, i)| Some((h, *self.locs.get(i)?)))
            .collect();
        v.sort_unstable_by_key(|(h, l)| (*h, l.key, l.value));
        v
    }

    /// The longest prefix of `p` that has a location, and that location. The
    /// root always has one for a loaded document; an empty `Spans` answers
    /// the root at line 1, column 1.
    pub fn locate(&self, p: &FieldPath) -> (FieldPath, Location) {
        let mut h = root_hash();
        let mut best = self.find(h).unwrap_or(Location {
            key: None,
            value: Pos {
                line: 1,
                column: 1,
                offset: 0,
            },
        });
        let mut best_len = 0;
        for (i, seg) in p.segments().iter().enumerate() {
            h = seg_hash(h, seg);
            match self.find(h) {
                Some(loc) => {
                    best = loc;
                    best_len = i + 1;
                }
                None => break,
            }
        }
        let mut prefix = FieldPath::root();
        for seg in &p.segments()[..best_len] {
            match seg {
                Seg::Key(k) => prefix.push_key(k),
                Seg::Index(i) => prefix.push_index(*i),
            }
        }
        (prefix, best)
    }

    /// Number of located values.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// True when nothing is located.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }
}
