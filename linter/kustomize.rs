//! Kustomize patches: files a `kustomization.yaml` applies to other
//! objects (`patches: [{path: …}]`, `patchesStrategicMerge: [file, …]`,
//! `patchesJson6902: [{path: …}]`). A strategic-merge patch looks like an
//! object (`apiVersion`, `kind`, `metadata.name`) but holds only the fields
//! it changes, so judging it as a whole object reports what it never meant
//! to set. Such files are skipped with a notice that points at
//! `kubectl kustomize DIR | eyelint -`, which lints the objects the patches
//! produce.
//!
//! A file is a patch when a kustomization file (`kustomization.yaml`,
//! `kustomization.yml` or `Kustomization`) in its directory or a directory
//! above lists it. Each kustomization is read once per worker.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use eyelint_policies::yaml::{self, Limits};
use serde_json::Value;

/// The names kustomize looks for in a directory, in its order.
const NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The patch files one kustomization lists.
#[derive(Debug)]
pub(crate) struct Patches {
    /// The kustomization file.
    pub(crate) kustomization: PathBuf,
    /// Its patch files, absolute and normalised.
    files: HashSet<PathBuf>,
}

/// What a worker remembers about directories.
#[derive(Debug, Default)]
pub(crate) struct Cache {
    /// Per directory as an input names it (its path's parent): the
    /// kustomizations in it and above it, nearest first. Most files share
    /// their directory, so most lookups end here, without a system call.
    by_dir: HashMap<PathBuf, Arc<[Arc<Patches>]>>,
    /// Per absolute directory: its own kustomization's patches.
    own: HashMap<PathBuf, Option<Arc<Patches>>>,
}

/// What directory walks saw: every directory they entered and which of
/// those hold a kustomization file. A directory walked is not probed again
/// (three failed opens per directory were 7% of linting the corpus).
#[derive(Clone, Debug, Default)]
pub struct Walked {
    entered: HashSet<PathBuf>,
    with_kustomization: HashSet<PathBuf>,
    /// Directories named on the command line whose walk found no file to
    /// lint, as given.
    pub no_files: Vec<PathBuf>,
}

impl Walked {
    /// Records a walked directory entry (`is_dir`: a directory entered)
    /// found at `rel` under the walk's root, whose absolute, normalised
    /// path is `root`.
    pub(crate) fn saw(&mut self, root: &Path, rel: &Path, is_dir: bool) {
        if is_dir {
            self.entered.insert(root.join(rel));
            return;
        }
        let kustomization = rel
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| NAMES.contains(&n));
        if kustomization {
            let dir = rel
                .parent()
                .map_or_else(|| root.to_path_buf(), |d| root.join(d));
            self.with_kustomization.insert(dir);
        }
    }

    /// The absolute, normalised form of a walk's root, for [`Walked::saw`].
    pub(crate) fn root(path: &Path) -> Option<PathBuf> {
        std::path::absolute(path).ok().map(|a| normalise(&a))
    }

    /// Whether `dir` may hold a kustomization: it was seen with one, or it
    /// was not walked (then only reading it tells).
    fn may_hold(&self, dir: &Path) -> bool {
        self.with_kustomization.contains(dir) || !self.entered.contains(dir)
    }
}

/// The kustomization file that lists `path` as a patch, if one does.
pub(crate) fn patch_of(path: &Path, walked: &Walked, cache: &mut Cache) -> Option<PathBuf> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let chain = match cache.by_dir.get(parent) {
        Some(c) => c.clone(),
        None => {
            let c = chain_of(parent, walked, &mut cache.own);
            cache.by_dir.insert(parent.to_path_buf(), c.clone());
            c
        }
    };
    if chain.is_empty() {
        return None;
    }
    let abs = normalise(&std::path::absolute(path).ok()?);
    chain
        .iter()
        .find(|p| p.files.contains(&abs))
        .map(|p| p.kustomization.clone())
}

/// The kustomizations in `dir` and the directories above it, nearest first.
fn chain_of(
    dir: &Path,
    walked: &Walked,
    own: &mut HashMap<PathBuf, Option<Arc<Patches>>>,
) -> Arc<[Arc<Patches>]> {
    let Ok(abs) = std::path::absolute(dir) else {
        return Arc::new([]);
    };
    let abs = normalise(&abs);
    let mut chain = Vec::new();
    for d in abs.ancestors() {
        let patches = own
            .entry(d.to_path_buf())
            .or_insert_with(|| walked.may_hold(d).then(|| read(d)).flatten().map(Arc::new));
        if let Some(p) = patches {
            chain.push(p.clone());
        }
    }
    chain.into()
}

/// The patches of the kustomization in `dir`, if it has a readable one.
fn read(dir: &Path) -> Option<Patches> {
    let (file, text) = NAMES.iter().find_map(|n| {
        let f = dir.join(n);
        std::fs::read_to_string(&f).ok().map(|t| (f, t))
    })?;
    let loaded = yaml::load(&text, &Limits::default());
    let doc = loaded.documents.into_iter().next()?.value;
    let mut files = HashSet::new();
    let mut add = |p: &str| {
        // An inline patch (YAML text in the list) is not a file.
        if !p.is_empty() && !p.contains('\n') {
            files.insert(normalise(&dir.join(p)));
        }
    };
    for field in ["patches", "patchesJson6902"] {
        for entry in doc
            .get(field)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(p) = entry.get("path").and_then(Value::as_str) {
                add(p);
            }
        }
    }
    let strategic = doc.get("patchesStrategicMerge").and_then(Value::as_array);
    for entry in strategic.into_iter().flatten() {
        if let Some(p) = entry.as_str() {
            add(p);
        }
    }
    Some(Patches {
        kustomization: file,
        files,
    })
}

/// `p` with `.` and `..` resolved lexically (kustomize does not follow
/// links either when it resolves a patch's path).
fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn finds_the_kustomization_that_lists_a_patch() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "base/kustomization.yaml", "resources:\n- deploy.yaml\n");
        write(d, "base/deploy.yaml", "kind: Deployment\n");
        write(
            d,
            "prod/kustomization.yaml",
            "resources:\n- ../base\npatches:\n- path: patches/replicas.yaml\n- patch: |-\n    kind: Deployment\n  target: {kind: Deployment}\npatchesStrategicMerge:\n- ./memory.yaml\n- |-\n  kind: Deployment\npatchesJson6902:\n- path: ops.yaml\n  target: {kind: Deployment}\ncomponents:\n- ../shared\n",
        );
        write(
            d,
            "shared/Kustomization",
            "kind: Component\npatches:\n- path: ../base/extra.yaml\n",
        );
        let mut cache = Cache::default();
        let none = Walked::default();
        let listed = |p: &str, cache: &mut Cache| patch_of(&d.join(p), &none, cache);
        let prod = Some(d.join("prod/kustomization.yaml"));
        assert_eq!(listed("prod/patches/replicas.yaml", &mut cache), prod);
        assert_eq!(listed("prod/memory.yaml", &mut cache), prod);
        assert_eq!(listed("prod/ops.yaml", &mut cache), prod);
        assert_eq!(listed("prod/other.yaml", &mut cache), None);
        assert_eq!(listed("base/deploy.yaml", &mut cache), None);
        // A component lists a file outside its directory: found only from
        // that file's own directories, so not here.
        assert_eq!(listed("base/extra.yaml", &mut cache), None);
        write(d, "shared/extra.yaml", "kind: Deployment\n");
        write(
            d,
            "shared/Kustomization",
            "kind: Component\npatches:\n- path: extra.yaml\n",
        );
        let mut cache = Cache::default();
        assert_eq!(
            listed("shared/extra.yaml", &mut cache),
            Some(d.join("shared/Kustomization"))
        );
    }

    #[test]
    fn walked_directories_are_not_probed_again() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "prod/kustomization.yaml", "patches:\n- path: p.yaml\n");
        let mut walked = Walked::default();
        let root = Walked::root(d).unwrap();
        walked.saw(&root, Path::new("prod"), true);
        walked.saw(&root, Path::new("prod/kustomization.yaml"), false);
        let mut cache = Cache::default();
        let prod = Some(d.join("prod/kustomization.yaml"));
        assert_eq!(patch_of(&d.join("prod/p.yaml"), &walked, &mut cache), prod);
        // A directory walked without seeing a kustomization is taken at its
        // word, even if one appears later.
        let mut walked = Walked::default();
        walked.saw(&root, Path::new("prod"), true);
        let mut cache = Cache::default();
        assert_eq!(patch_of(&d.join("prod/p.yaml"), &walked, &mut cache), None);
    }

    #[test]
    fn unreadable_or_odd_kustomizations_list_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "a/kustomization.yaml", "patches: [\n");
        write(
            d,
            "b/kustomization.yaml",
            "patches: 3\npatchesStrategicMerge: {a: 1}\n",
        );
        let mut cache = Cache::default();
        let none = Walked::default();
        assert_eq!(patch_of(&d.join("a/x.yaml"), &none, &mut cache), None);
        assert_eq!(patch_of(&d.join("b/x.yaml"), &none, &mut cache), None);
    }
}
