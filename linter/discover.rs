//! Input discovery: the files a run reads.
//!
//! Directories are walked recursively for `*.yaml`, `*.yml` and `*.json`,
//! skipping hidden files and directories and obeying `.gitignore` (and
//! `.ignore`) files wherever they are, inside a git repository or not. A file
//! named explicitly is always read, whatever its extension. `-` is standard
//! input. The order is deterministic: arguments in the order given, each
//! directory's files sorted by path.

use crate::kustomize::Walked;
use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// An input's bytes, shared (standard input is read once; a file's bytes
/// are passed between the stages of a run). A vector behind the `Arc`, so
/// the bytes read are never copied into a new allocation.
pub type Bytes = Arc<Vec<u8>>;

/// One input of a run.
#[derive(Clone, Debug)]
pub struct Input {
    /// The name shown in reports (relative paths stay relative, `/` separated).
    pub name: String,
    /// What to read.
    pub source: InputSource,
}

/// Where an input's text comes from.
#[derive(Clone, Debug)]
pub enum InputSource {
    /// A file on disk.
    File(PathBuf),
    /// Standard input, read once up front.
    Stdin(Bytes),
    /// A part of a directory walk that could not be read (a subdirectory
    /// without permission): an input error of its own, while the rest of
    /// the walk is still linted.
    Unreadable(String),
}

impl Input {
    /// The file's path on disk, if it is a file.
    pub fn path(&self) -> Option<&Path> {
        match &self.source {
            InputSource::File(p) => Some(p),
            InputSource::Stdin(_) | InputSource::Unreadable(_) => None,
        }
    }
}

/// Why discovery failed.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    /// Walking a directory failed.
    #[error("{0}")]
    Walk(#[from] ignore::Error),
}

/// Whether `path` is one of `files`: the same file on disk (through links,
/// hard links included, by device and inode where there are such), or, for a
/// file that does not exist yet, the same canonical directory and name.
pub fn same_file(path: &Path, files: &[&Path]) -> bool {
    let resolve = |p: &Path| -> Option<PathBuf> {
        if let Ok(c) = std::fs::canonicalize(p) {
            return Some(c);
        }
        let dir = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        Some(std::fs::canonicalize(dir).ok()?.join(p.file_name()?))
    };
    if files.is_empty() {
        return false;
    }
    let here = std::fs::metadata(path).ok();
    files.iter().any(|f| {
        if let (Some(a), Ok(b)) = (&here, std::fs::metadata(f)) {
            if let Some(same) = same_identity(a, &b) {
                return same;
            }
        }
        let (a, b) = (resolve(path), resolve(f));
        a.is_some() && a == b
    })
}

/// Whether two existing files are one, where the system says (device and
/// inode); `None` where it does not.
#[cfg(unix)]
fn same_identity(a: &std::fs::Metadata, b: &std::fs::Metadata) -> Option<bool> {
    use std::os::unix::fs::MetadataExt;
    Some(a.dev() == b.dev() && a.ino() == b.ino())
}

#[cfg(not(unix))]
fn same_identity(_: &std::fs::Metadata, _: &std::fs::Metadata) -> Option<bool> {
    None
}

/// True for the extensions a directory walk picks up.
pub fn is_manifest_name(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// Removes an output that could not be written whole (a cut report would
/// pass for a whole one), when it is a regular file: never a device or a
/// link (`-o /dev/stdout`, a link to `/dev/full`). True when it was removed.
pub fn remove_cut_output(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file()) && std::fs::remove_file(p).is_ok()
}

/// A path as shown in reports: `./` prefixes dropped, `/` separators.
pub fn display_name(p: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut absolute = false;
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::RootDir => absolute = true,
            Component::Prefix(pre) => parts.push(pre.as_os_str().to_string_lossy().into_owned()),
            other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// Expands `paths` into the files to read. `stdin` supplies the bytes of
/// `-` (read by the caller) and `stdin_name` its report name.
pub fn discover(
    paths: &[PathBuf],
    stdin: Option<Bytes>,
    stdin_name: &str,
) -> Result<Vec<Input>, DiscoverError> {
    discover_walked(paths, stdin, stdin_name).map(|(inputs, _)| inputs)
}

/// [`discover`], also telling what the directory walks saw.
pub fn discover_walked(
    paths: &[PathBuf],
    stdin: Option<Bytes>,
    stdin_name: &str,
) -> Result<(Vec<Input>, Walked), DiscoverError> {
    let mut walked = Walked::default();
    let mut out = Vec::new();
    // Files by where they really are, so that `a.yaml ./a.yaml`, a file and
    // its directory under another spelling, or an absolute and a relative
    // path are read once.
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut stdin = stdin;
    for p in paths {
        if p.as_os_str() == "-" {
            if let Some(bytes) = stdin.take() {
                out.push(Input {
                    name: stdin_name.to_string(),
                    source: InputSource::Stdin(bytes),
                });
            }
            continue;
        }
        // A named path that cannot be read is an input error of its own,
        // as a dangling link in a directory is: the other inputs are still
        // linted and reported.
        let meta = match std::fs::metadata(p) {
            Ok(meta) => meta,
            Err(e) => {
                out.push(Input {
                    name: display_name(p),
                    source: InputSource::Unreadable(e.to_string()),
                });
                continue;
            }
        };
        if !meta.is_dir() {
            if seen.insert(real_path(p)) {
                out.push(Input {
                    name: display_name(p),
                    source: InputSource::File(p.clone()),
                });
            }
            continue;
        }
        let mut files = Vec::new();
        let mut unreadable = Vec::new();
        let real_root = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
        // Inside a git repository, `.gitignore` files count as git counts
        // them: the repository's own, not those of directories above its
        // root (a `*` in a home directory's `.gitignore` hides nothing in a
        // repository below it). Outside one, each `.gitignore` from the
        // directory upwards counts. Other tools' ignore files (`.ignore`)
        // do not.
        let in_repo = real_root.ancestors().any(|d| d.join(".git").exists());
        let walker = ignore::WalkBuilder::new(p)
            .hidden(true)
            .git_ignore(true)
            .git_exclude(true)
            .git_global(false)
            .ignore(false)
            .parents(true)
            .require_git(in_repo)
            .follow_links(false)
            .build();
        let root = Walked::root(p);
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    // A part of the tree that cannot be read is an input
                    // error of its own; the rest of the walk goes on.
                    let at = error_path(&e).map_or_else(|| p.clone(), Path::to_path_buf);
                    let input = Input {
                        name: display_name(&at),
                        source: InputSource::Unreadable(error_text(&e)),
                    };
                    unreadable.push((at, input));
                    continue;
                }
            };
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if let (Some(root), Ok(rel)) = (&root, entry.path().strip_prefix(p)) {
                walked.saw(root, rel, is_dir);
            }
            if !is_manifest_name(entry.path()) {
                continue;
            }
            // As `kubectl apply -f DIR`: a link to a file is read (a
            // dangling one is then an input error), a link to a directory
            // is not followed.
            let wanted = match entry.file_type() {
                Some(t) if t.is_symlink() => {
                    std::fs::metadata(entry.path()).map_or(true, |m| !m.is_dir())
                }
                Some(t) => t.is_file(),
                None => false,
            };
            if wanted {
                files.push(entry.into_path());
            }
        }
        files.sort();
        if files.is_empty() && unreadable.is_empty() {
            walked.no_files.push(p.clone());
        }
        // What could not be read comes in the walk's order too, as its
        // place comes among the files.
        unreadable.sort_by(|a, b| a.0.cmp(&b.0));
        let mut unreadable = unreadable.into_iter().peekable();
        for f in files {
            while let Some((_, input)) = unreadable.next_if(|(at, _)| *at < f) {
                out.push(input);
            }
            // A walk follows no directory link, so a file is where its path
            // under the resolved root says, unless it is a link itself.
            let real = match f.strip_prefix(p) {
                Ok(rel) if !f.is_symlink() => real_root.join(rel),
                _ => real_path(&f),
            };
            if seen.insert(real) {
                out.push(Input {
                    name: display_name(&f),
                    source: InputSource::File(f),
                });
            }
        }
        out.extend(unreadable.map(|(_, input)| input));
    }
    Ok((out, walked))
}

/// Where a file really is: its canonical path, or the path as given when it
/// cannot be resolved (a dangling link, reported when read).
fn real_path(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The path a walk error is about, if it names one.
fn error_path(e: &ignore::Error) -> Option<&Path> {
    match e {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child),
        _ => None,
    }
}

/// A walk error's message without the path it is about (the input's name
/// says that).
fn error_text(e: &ignore::Error) -> String {
    match e {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => error_text(err),
        // A walk's I/O error repeats the path; the system's own message
        // does not.
        ignore::Error::Io(io) => io
            .get_ref()
            .and_then(std::error::Error::source)
            .map_or_else(|| io.to_string(), ToString::to_string),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_drop_dot_prefixes() {
        assert_eq!(display_name(Path::new("./a/b.yaml")), "a/b.yaml");
        assert_eq!(display_name(Path::new(".")), ".");
        assert_eq!(display_name(Path::new("/x/y.yaml")), "/x/y.yaml");
    }

    #[test]
    fn walks_sorted_skipping_hidden_and_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("sub")).unwrap();
        std::fs::create_dir_all(d.join(".hidden")).unwrap();
        std::fs::create_dir_all(d.join("vendor")).unwrap();
        for f in [
            "b.yaml",
            "a.yml",
            "c.json",
            "notes.txt",
            "sub/d.yaml",
            ".hidden/e.yaml",
            "vendor/f.yaml",
        ] {
            std::fs::write(d.join(f), "x: 1\n").unwrap();
        }
        std::fs::write(d.join(".gitignore"), "vendor/\n").unwrap();
        let found = discover(&[d.to_path_buf()], None, "<stdin>").unwrap();
        let names: Vec<_> = found
            .iter()
            .map(|i| {
                i.path()
                    .unwrap()
                    .strip_prefix(d)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["a.yml", "b.yaml", "c.json", "sub/d.yaml"]);
    }

    /// In a git repository, ignore files count as git counts them: a `*`
    /// in the `.gitignore` of a directory above the repository's root
    /// hides nothing in it, and the repository's own `.gitignore` does.
    /// Outside a repository the one above counts. `.ignore` files do not.
    #[test]
    fn ignore_files_count_as_git_counts_them() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        for d in ["repo/.git", "repo/k8s", "repo/skip", "plain/k8s"] {
            std::fs::create_dir_all(home.join(d)).unwrap();
        }
        for (f, text) in [
            (".gitignore", "*\n"),
            ("repo/.gitignore", "skip/\n"),
            ("repo/k8s/.ignore", "*.yaml\n"),
            ("repo/k8s/a.yaml", "x: 1\n"),
            ("repo/skip/b.yaml", "x: 1\n"),
            ("plain/k8s/c.yaml", "x: 1\n"),
        ] {
            std::fs::write(home.join(f), text).unwrap();
        }
        let repo = home.join("repo");
        let (found, walked) =
            discover_walked(std::slice::from_ref(&repo), None, "<stdin>").unwrap();
        let names: Vec<_> = found
            .iter()
            .map(|i| i.path().unwrap().strip_prefix(&repo).unwrap().to_path_buf())
            .collect();
        assert_eq!(names, [Path::new("k8s/a.yaml")]);
        assert!(walked.no_files.is_empty());
        let plain = home.join("plain");
        let (found, walked) =
            discover_walked(std::slice::from_ref(&plain), None, "<stdin>").unwrap();
        assert!(found.is_empty());
        assert_eq!(walked.no_files, [plain]);
    }

    #[cfg(unix)]
    #[test]
    fn links_to_files_are_read_links_to_directories_are_not_followed() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("base")).unwrap();
        std::fs::create_dir_all(d.join("prod")).unwrap();
        std::fs::write(d.join("base/app.yaml"), "x: 1\n").unwrap();
        symlink("../base/app.yaml", d.join("prod/app.yaml")).unwrap();
        symlink("../base", d.join("prod/base.yaml")).unwrap();
        symlink("..", d.join("prod/loop")).unwrap();
        symlink("../base/gone.yaml", d.join("prod/gone.yaml")).unwrap();
        let found = discover(&[d.join("prod")], None, "<stdin>").unwrap();
        let names: Vec<_> = found
            .iter()
            .map(|i| i.path().unwrap().strip_prefix(d).unwrap().to_path_buf())
            .collect();
        assert_eq!(
            names,
            [
                PathBuf::from("prod/app.yaml"),
                PathBuf::from("prod/gone.yaml")
            ]
        );
    }

    #[test]
    fn explicit_files_are_read_whatever_their_extension() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("manifest.txt");
        std::fs::write(&f, "x: 1\n").unwrap();
        let found = discover(&[f.clone(), f], None, "<stdin>").unwrap();
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn same_file_by_path_link_or_inode() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("sub")).unwrap();
        std::fs::write(d.join("report.json"), "{}").unwrap();
        let out = d.join("sub/../report.json");
        assert!(same_file(&d.join("report.json"), &[&out]));
        assert!(!same_file(&d.join("sub/report.json"), &[&out]));
        assert!(!same_file(&d.join("other.json"), &[&out]));
        // A report that does not exist yet.
        let later = d.join("sub/later.json");
        assert!(same_file(&d.join("sub/./later.json"), &[&later]));
        assert!(!same_file(&d.join("later.json"), &[&later]));
        // Through a link, or a hard link under another name.
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("report.json", d.join("link.json")).unwrap();
            std::fs::hard_link(d.join("report.json"), d.join("sub/hard.json")).unwrap();
            assert!(same_file(&d.join("link.json"), &[&out]));
            assert!(same_file(
                &d.join("report.json"),
                &[&d.join("sub/hard.json")]
            ));
            assert!(!same_file(&d.join("link.json"), &[]));
        }
    }

    #[test]
    fn a_missing_path_is_an_unreadable_input() {
        let inputs = discover(&[PathBuf::from("/nonexistent/eyelint")], None, "-").unwrap();
        assert_eq!(inputs.len(), 1);
        assert_eq!(inputs[0].name, "/nonexistent/eyelint");
        assert!(
            matches!(&inputs[0].source, InputSource::Unreadable(why) if why.contains("No such file")),
            "{:?}",
            inputs[0].source
        );
    }
}
