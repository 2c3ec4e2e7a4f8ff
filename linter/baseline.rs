//! Baselines: record today's findings, then report only new ones.
//!
//! An entry names a rule, an object (`kind`, `namespace`, `name`) and a
//! container, with how many findings it covered. Lines, columns and files
//! are not part of the key, so editing or moving other parts of a manifest
//! does not bring baselined findings back; a rule firing more often on the
//! same object and container than recorded reports the extra ones.

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use eyelint_policies::finding::Finding;
use eyelint_policies::report::ReportFinding;

/// The identity a baseline entry matches on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Key {
    /// Rule id.
    pub id: String,
    /// Object kind.
    pub kind: String,
    /// Object namespace ("" when unset).
    #[serde(default)]
    pub namespace: String,
    /// Object name.
    pub name: String,
    /// Container name, for container-level rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
}

impl Key {
    /// The key of a finding.
    pub fn of(f: &(impl Keyed + ?Sized)) -> Key {
        f.key()
    }

    fn new(id: &str, kind: &str, namespace: &str, name: &str, container: Option<&str>) -> Key {
        Key {
            id: id.to_string(),
            kind: kind.to_string(),
            namespace: namespace.to_string(),
            name: name.to_string(),
            container: container.map(str::to_string),
        }
    }
}

/// A finding a baseline can match: the engine's, or the report's.
pub trait Keyed {
    /// What the baseline matches it by.
    fn key(&self) -> Key;
}

impl Keyed for ReportFinding {
    fn key(&self) -> Key {
        Key::new(
            &self.id,
            &self.kind,
            &self.namespace,
            &self.name,
            self.container.as_deref(),
        )
    }
}

impl Keyed for Finding {
    fn key(&self) -> Key {
        let o = &self.object;
        let container = self.container.as_ref().map(|c| &*c.name);
        Key::new(&self.id, &o.kind, &o.namespace, &o.name, container)
    }
}

/// One baseline entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// What it matches.
    #[serde(flatten)]
    pub key: Key,
    /// How many findings it covers.
    #[serde(default = "one")]
    pub count: usize,
}

fn one() -> usize {
    1
}

/// A baseline file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Baseline {
    /// Format version (1).
    pub schema_version: u32,
    /// The entries, sorted.
    pub entries: Vec<Entry>,
}

/// Baseline file problems.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// Reading or writing failed.
    #[error("baseline {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a baseline.
    #[error("baseline {path} is not a valid eyelint baseline: {source}")]
    Parse {
        /// The file.
        path: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
}

impl Baseline {
    /// A baseline covering `findings`.
    pub fn from_findings<F: Borrow<ReportFinding>>(findings: &[F]) -> Baseline {
        let mut counts = Counts::default();
        for f in findings {
            counts.add(f.borrow());
        }
        counts.baseline()
    }

    /// Reads a baseline file.
    pub fn read(path: &Path) -> Result<Baseline, BaselineError> {
        let name = crate::discover::display_name(path);
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Io {
            path: name.clone(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| BaselineError::Parse { path: name, source })
    }

    /// Writes the baseline as pretty JSON.
    pub fn write(&self, path: &Path) -> Result<(), BaselineError> {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        std::fs::write(path, text).map_err(|source| BaselineError::Io {
            path: crate::discover::display_name(path),
            source,
        })
    }
}

/// Findings counted by key, as a baseline records them (fed one at a time,
/// so a run can record while it streams).
#[derive(Clone, Debug, Default)]
pub struct Counts {
    counts: BTreeMap<Key, usize>,
}

impl Counts {
    /// Counts one finding.
    pub fn add(&mut self, f: &(impl Keyed + ?Sized)) {
        *self.counts.entry(Key::of(f)).or_insert(0) += 1;
    }

    /// The baseline covering every finding counted.
    pub fn baseline(self) -> Baseline {
        Baseline {
            schema_version: 1,
            entries: self
                .counts
                .into_iter()
                .map(|(key, count)| Entry { key, count })
                .collect(),
        }
    }
}

/// Matches findings against a baseline one at a time, in report order:
/// with a count of N, the first N findings of a key are covered.
#[derive(Clone, Debug)]
pub struct Matcher {
    left: BTreeMap<Key, usize>,
}

impl Matcher {
    /// A matcher with every entry of `baseline` unused.
    pub fn new(baseline: &Baseline) -> Matcher {
        let mut left: BTreeMap<Key, usize> = BTreeMap::new();
        for e in &baseline.entries {
            *left.entry(e.key.clone()).or_insert(0) += e.count;
        }
        Matcher { left }
    }

    /// Whether `f` is new (not covered by what is left of the baseline);
    /// a covered finding uses up one count of its entry.
    pub fn is_new(&mut self, f: &(impl Keyed + ?Sized)) -> bool {
        match self.left.get_mut(&Key::of(f)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        }
    }
}

/// Which of `findings` are new: `false` for those the baseline covers.
/// Findings are matched in order, so with a count of N the first N
/// findings of a key are covered.
pub fn survivors<F: Borrow<ReportFinding>>(baseline: &Baseline, findings: &[F]) -> Vec<bool> {
    let mut m = Matcher::new(baseline);
    findings.iter().map(|f| m.is_new(f.borrow())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use eyelint_policies::finding::Severity;

    fn f(id: &str, name: &str, line: usize) -> ReportFinding {
        ReportFinding {
            id: id.into(),
            severity: Severity::Danger,
            category: "Security".into(),
            message: "m".into(),
            api_version: "v1".into(),
            kind: "Pod".into(),
            namespace: "".into(),
            name: name.into(),
            container: Some("app".into()),
            container_role: None,
            path: "spec".into(),
            file: Some("a.yaml".into()),
            line: Some(line),
            column: Some(1),
            source: None,
            fix: None,
        }
    }

    #[test]
    fn matches_by_object_container_and_rule_not_line() {
        let b = Baseline::from_findings(&[f("a", "p", 3), f("a", "p", 9)]);
        assert_eq!(b.entries.len(), 1);
        assert_eq!(b.entries[0].count, 2);
        let alive = survivors(
            &b,
            &[
                f("a", "p", 30),
                f("a", "p", 40),
                f("a", "p", 50),
                f("b", "p", 3),
                f("a", "q", 3),
            ],
        );
        assert_eq!(alive, [false, false, true, true, true]);
        let alive = survivors(
            &b,
            &[
                f("a", "p", 1),
                f("b", "p", 1),
                f("a", "p", 2),
                f("a", "p", 3),
            ],
        );
        assert_eq!(alive, [false, true, false, true]);
    }

    #[test]
    fn round_trips_through_json() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.json");
        let b = Baseline::from_findings(&[f("a", "p", 3)]);
        b.write(&p).unwrap();
        assert_eq!(Baseline::read(&p).unwrap(), b);
        std::fs::write(&p, "[]").unwrap();
        assert!(Baseline::read(&p).is_err());
    }
}
