//! Baselines: record today's findings, then report only new ones.
//!
//! An entry names a rule, an object (`kind`, `namespace`, `name`) and a
//! container, with how many findings it covered and their messages. Lines,
//! columns and files are not part of the key, so editing or moving other
//! parts of a manifest does not bring baselined findings back. A rule firing
//! more often on the same object and container than recorded reports the
//! extra ones, and the messages say which those are: a secret env var added
//! before a baselined one is the new finding, not the old one whose index
//! moved. A baseline written before messages were recorded matches by count.
//! A finding whose message the baseline does not have is new, also when its
//! rule's message was reworded by a later eyelint (write the baseline again
//! then): a new problem is never hidden in place of a known one.
//!
//! Each message is recorded with its file. The file does not make the key
//! either (a file moved or renamed keeps its findings covered), but one
//! object name in two files (an overlay beside its base, `dev/` beside
//! `prod/`) is told apart by it: a recorded finding whose file is among the
//! run's inputs covers only a finding of that file, so a problem copied into
//! the other file is reported there, not in the untouched one.

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
    /// Its message, which tells apart the findings of one key.
    fn message(&self) -> &str;
}

impl Keyed for ReportFinding {
    fn message(&self) -> &str {
        &self.message
    }

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
    fn message(&self) -> &str {
        &self.message
    }

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
    /// Their messages, sorted (one per finding; absent in older baselines).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<String>,
    /// The file of each message, in the same order (absent in older
    /// baselines).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
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
            let f = f.borrow();
            counts.add(f, f.file.as_deref().unwrap_or(""));
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
    ///
    /// A regular file (or a new one) is replaced whole or not at all: the
    /// baseline is written beside it and renamed over it, so a full disk
    /// leaves the last good baseline (a lost one would bring every old
    /// finding back as new). Anything else (`/dev/stdout`, a link) is
    /// written in place.
    pub fn write(&self, path: &Path) -> Result<(), BaselineError> {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        let io = |source: std::io::Error| BaselineError::Io {
            path: crate::discover::display_name(path),
            source,
        };
        let regular = match std::fs::symlink_metadata(path) {
            Ok(m) => m.is_file(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
            Err(e) => return Err(io(e)),
        };
        if !regular {
            return std::fs::write(path, text).map_err(io);
        }
        let name = path
            .file_name()
            .map_or_else(Default::default, |n| n.to_string_lossy());
        let temp = path.with_file_name(format!(".{name}.eyelint-{}.tmp", std::process::id()));
        let written = std::fs::write(&temp, text).and_then(|()| std::fs::rename(&temp, path));
        written.map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            let kept = std::io::Error::new(
                e.kind(),
                format!("{e}; the file is as it was before this run"),
            );
            io(kept)
        })
    }
}

/// Findings counted by key, as a baseline records them (fed one at a time,
/// so a run can record while it streams).
#[derive(Clone, Debug, Default)]
pub struct Counts {
    /// (message, file) of each finding, by key.
    counts: BTreeMap<Key, Vec<(String, String)>>,
}

impl Counts {
    /// Counts one finding, of `file`.
    pub fn add(&mut self, f: &(impl Keyed + ?Sized), file: &str) {
        self.counts
            .entry(Key::of(f))
            .or_default()
            .push((f.message().to_string(), file.to_string()));
    }

    /// The baseline covering every finding counted.
    pub fn baseline(self) -> Baseline {
        Baseline {
            schema_version: 1,
            entries: self
                .counts
                .into_iter()
                .map(|(key, mut recorded)| {
                    recorded.sort();
                    let (messages, files): (Vec<String>, Vec<String>) =
                        recorded.into_iter().unzip();
                    Entry {
                        key,
                        count: messages.len(),
                        messages,
                        files,
                    }
                })
                .collect(),
        }
    }
}

/// What is left of one key's entries.
#[derive(Clone, Debug, Default)]
struct Left {
    /// Findings still covered.
    count: usize,
    /// Recorded messages not yet matched, with the file of each: `None`
    /// when it is none of the run's inputs (or not recorded), and any file
    /// may have it.
    messages: BTreeMap<String, Vec<Option<String>>>,
}

/// Matches findings against a baseline, one file's findings at a time.
#[derive(Clone, Debug)]
pub struct Matcher {
    left: BTreeMap<Key, Left>,
}

impl Matcher {
    /// A matcher with every entry of `baseline` unused, for a run of the
    /// inputs named `inputs`.
    pub fn new<'n>(baseline: &Baseline, inputs: impl IntoIterator<Item = &'n str>) -> Matcher {
        let inputs: std::collections::HashSet<&str> = inputs.into_iter().collect();
        let mut left: BTreeMap<Key, Left> = BTreeMap::new();
        for e in &baseline.entries {
            let l = left.entry(e.key.clone()).or_default();
            l.count += e.count;
            for (i, m) in e.messages.iter().take(e.count).enumerate() {
                let file = e
                    .files
                    .get(i)
                    .filter(|f| inputs.contains(f.as_str()))
                    .cloned();
                l.messages.entry(m.clone()).or_default().push(file);
            }
        }
        Matcher { left }
    }

    /// Which of `findings` (the findings of `file`, in report order) are
    /// new: `false` for those the baseline covers, each using up one
    /// finding of its entry. First every finding whose message was recorded
    /// is covered, by a recording of this file or of none of the run's;
    /// then the rest of a key's findings, in order, while what the entry
    /// covers beyond its unmet messages lasts (all of it for an entry
    /// without messages).
    pub fn new_ones<'f, F: Keyed + ?Sized + 'f>(
        &mut self,
        file: &str,
        findings: impl IntoIterator<Item = &'f F>,
    ) -> Vec<bool> {
        let findings: Vec<&F> = findings.into_iter().collect();
        let keys: Vec<Key> = findings.iter().map(|f| Key::of(*f)).collect();
        let mut new = vec![true; findings.len()];
        for (i, f) in findings.iter().enumerate() {
            let Some(l) = self.left.get_mut(&keys[i]) else {
                continue;
            };
            if l.count == 0 {
                continue;
            }
            let Some(files) = l.messages.get_mut(f.message()) else {
                continue;
            };
            let mine = files
                .iter()
                .position(|r| r.as_deref() == Some(file))
                .or_else(|| files.iter().position(Option::is_none));
            if let Some(at) = mine {
                files.swap_remove(at);
                l.count -= 1;
                new[i] = false;
            }
        }
        for (i, key) in keys.iter().enumerate() {
            if !new[i] {
                continue;
            }
            let Some(l) = self.left.get_mut(key) else {
                continue;
            };
            // Only what the baseline covers beyond its recorded messages: a
            // recorded message not met yet is kept for its finding, which
            // may come in a later file (one object name in two directories),
            // and a new finding must not take its place.
            let reserved: usize = l.messages.values().map(Vec::len).sum();
            if l.count <= reserved {
                continue;
            }
            l.count -= 1;
            new[i] = false;
        }
        new
    }
}

/// Which of `findings` (in report order: a file's findings together) are
/// new: `false` for those the baseline covers.
pub fn survivors<F: Borrow<ReportFinding>>(baseline: &Baseline, findings: &[F]) -> Vec<bool> {
    fn file<F: Borrow<ReportFinding>>(f: &F) -> &str {
        f.borrow().file.as_deref().unwrap_or("")
    }
    let mut m = Matcher::new(baseline, findings.iter().map(file));
    let mut out = Vec::with_capacity(findings.len());
    for group in findings.chunk_by(|a, b| file(a) == file(b)) {
        out.extend(m.new_ones(file(&group[0]), group.iter().map(|f| f.borrow())));
    }
    out
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

    fn with_message(id: &str, message: &str) -> ReportFinding {
        ReportFinding {
            message: message.to_string().into(),
            ..f(id, "p", 1)
        }
    }

    #[test]
    fn messages_tell_the_findings_of_a_key_apart() {
        let b = Baseline::from_findings(&[with_message("a", "env var PASSWORD")]);
        assert_eq!(b.entries[0].messages, ["env var PASSWORD"]);
        // The new one comes first in the file; the recorded one is covered.
        let alive = survivors(
            &b,
            &[
                with_message("a", "env var NEW_TOKEN"),
                with_message("a", "env var PASSWORD"),
            ],
        );
        assert_eq!(alive, [true, false]);
        // A message the baseline does not have is new, even where the
        // count would cover it (a reworded message included).
        let alive = survivors(&b, &[with_message("a", "secret in PASSWORD")]);
        assert_eq!(alive, [true]);
        // Entries without messages (older baselines) match by count, in order.
        let mut old = b.clone();
        old.entries[0].messages.clear();
        let alive = survivors(
            &old,
            &[
                with_message("a", "env var NEW_TOKEN"),
                with_message("a", "env var PASSWORD"),
            ],
        );
        assert_eq!(alive, [false, true]);
        // Two recorded findings with the same message are two.
        let b = Baseline::from_findings(&[with_message("a", "m"), with_message("a", "m")]);
        assert_eq!(b.entries[0].count, 2);
        let alive = survivors(
            &b,
            &[
                with_message("a", "m"),
                with_message("a", "x"),
                with_message("a", "m"),
            ],
        );
        assert_eq!(alive, [false, true, false]);
        // One key in two files (an object name in two directories): the new
        // finding of the first file does not take the place of the second
        // file's recorded one.
        let b =
            Baseline::from_findings(&[with_message("a", "port 80"), with_message("a", "port 80")]);
        let mut m = Matcher::new(&b, ["a.yaml", "b.yaml"]);
        let first = m.new_ones(
            "b.yaml",
            [
                &with_message("a", "port 443"),
                &with_message("a", "port 80"),
            ],
        );
        let second = m.new_ones("a.yaml", [&with_message("a", "port 80")]);
        assert_eq!((first, second), (vec![true, true], vec![false]));
    }

    fn in_file(message: &str, file: &str) -> ReportFinding {
        ReportFinding {
            file: Some(file.into()),
            ..with_message("a", message)
        }
    }

    #[test]
    fn a_recorded_finding_covers_its_own_file_while_that_file_is_linted() {
        // Recorded in prod/; the same problem copied into dev/, linted first.
        let b = Baseline::from_findings(&[in_file("env var DB_PASSWORD", "prod/app.yaml")]);
        assert_eq!(b.entries[0].files, ["prod/app.yaml"]);
        let run = [
            in_file("env var DB_PASSWORD", "dev/app.yaml"),
            in_file("env var DB_PASSWORD", "prod/app.yaml"),
        ];
        assert_eq!(survivors(&b, &run), [true, false]);
        // prod/ not linted in this run (or renamed): the recording covers
        // the finding wherever it is.
        assert_eq!(survivors(&b, &run[..1]), [false]);
        let moved = [in_file("env var DB_PASSWORD", "production/app.yaml")];
        assert_eq!(survivors(&b, &moved), [false]);
        // A baseline without files (older) matches by key and message.
        let mut old = b.clone();
        old.entries[0].files.clear();
        assert_eq!(survivors(&old, &run), [false, true]);
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
