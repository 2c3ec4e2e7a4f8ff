//! `kubectl cluster-info dump`: the single stream (concatenated JSON Lists
//! followed by `==== START logs for container C of pod NS/P ====` sections)
//! and the `--output-directory` tree (`nodes.json`, `NS/pods.json`, …,
//! `NS/POD/logs.txt`), plus bundle layouts whose files are JSON Lists.
//!
//! List items are deserialised one at a time and handed over; the raw dump
//! is never held in memory.

use std::fmt;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::SweepError;
use crate::kinds::{self, KindInfo};
use crate::lite;
use crate::snapshot::Collector;
use crate::source::scan::{self, At, ScanError, Tracked};

const LOG_START: &str = "==== START logs for container ";
const LOG_END: &str = "==== END logs for container ";
const LEGACY: &str = "eyelint-legacy-dump";

/// Counts of what a stream held.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamStats {
    /// JSON documents.
    pub documents: usize,
    /// Log sections.
    pub log_sections: usize,
    /// Lines that were neither JSON nor log sections.
    pub stray_lines: usize,
    /// The first of those: its line number and (the start of) its text.
    pub first_stray: Option<(u64, String)>,
}

impl StreamStats {
    /// What the stray lines were, for a note or an error: `N line(s) … (the
    /// first, line L: TEXT)`.
    pub fn stray_summary(&self) -> Option<String> {
        let (line, text) = self.first_stray.as_ref()?;
        Some(format!(
            "{} line(s) neither JSON nor a log section (the first, line {line}: `{text}`)",
            self.stray_lines
        ))
    }
}

/// Reads a dump stream (or any concatenation of JSON documents).
/// `hint` names the kind of list items that carry no `kind`.
pub fn read_stream<R: BufRead>(
    r: &mut R,
    origin: &str,
    hint: Option<&'static KindInfo>,
    sink: &mut Collector<'_>,
) -> Result<StreamStats, SweepError> {
    let io = |source| SweepError::Io {
        path: PathBuf::from(origin),
        source,
    };
    // Errors in a document say where in the stream they are.
    let r = &mut Tracked::new(r);
    let mut stats = StreamStats::default();
    let mut line = Vec::new();
    loop {
        let (skip, first) = {
            let buf = r.fill_buf().map_err(io)?;
            if buf.is_empty() {
                break;
            }
            let n = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
            (n, buf.get(n).copied())
        };
        r.consume(skip);
        let Some(first) = first else { continue };
        if first == b'{' || first == b'[' {
            stats.documents += 1;
            parse_document(r, origin, stats.documents, hint, sink)?;
            continue;
        }
        line.clear();
        let at = r.at().line;
        r.read_until(b'\n', &mut line).map_err(io)?;
        let text = String::from_utf8_lossy(&line);
        match parse_log_marker(text.trim_end(), LOG_START) {
            Some((ns, pod, container)) => {
                stats.log_sections += 1;
                read_log_section(r, &ns, &pod, &container, sink).map_err(io)?;
            }
            None => {
                stats.stray_lines += 1;
                if stats.first_stray.is_none() {
                    let shown: String = text
                        .trim()
                        .chars()
                        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
                        .take(80)
                        .collect();
                    stats.first_stray = Some((at, shown));
                }
            }
        }
    }
    Ok(stats)
}

/// Parses `==== START logs for container C of pod NS/P ====`.
pub fn parse_log_marker(line: &str, prefix: &str) -> Option<(String, String, String)> {
    let rest = line.strip_prefix(prefix)?.strip_suffix(" ====")?;
    let (container, pod) = rest.split_once(" of pod ")?;
    let (ns, pod) = pod.split_once('/')?;
    Some((ns.to_string(), pod.to_string(), container.to_string()))
}

fn read_log_section<R: BufRead>(
    r: &mut R,
    ns: &str,
    pod: &str,
    container: &str,
    sink: &mut Collector<'_>,
) -> std::io::Result<()> {
    let wanted = sink.wants_logs(ns, pod, container);
    if wanted {
        sink.scanned(ns, pod, container);
    }
    let mut line = Vec::new();
    loop {
        line.clear();
        if r.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        if line.starts_with(LOG_END.as_bytes()) {
            return Ok(());
        }
        if wanted {
            let text = String::from_utf8_lossy(&line);
            sink.log_line(ns, pod, container, text.trim_end());
        }
    }
}

/// Reads the lines of one container's log file.
pub fn read_log_file<R: BufRead>(
    r: &mut R,
    ns: &str,
    pod: &str,
    container: &str,
    sink: &mut Collector<'_>,
) -> std::io::Result<()> {
    if !sink.wants_logs(ns, pod, container) {
        return Ok(());
    }
    sink.scanned(ns, pod, container);
    let mut line = Vec::new();
    loop {
        line.clear();
        if r.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&line);
        sink.log_line(ns, pod, container, text.trim_end());
    }
}

fn parse_document<R: BufRead>(
    r: &mut Tracked<R>,
    origin: &str,
    n: usize,
    hint: Option<&'static KindInfo>,
    sink: &mut Collector<'_>,
) -> Result<(), SweepError> {
    let mut doc = Doc {
        sink,
        hint,
        buf: Vec::with_capacity(64 * 1024),
    };
    let res = match scan::peek(r) {
        Ok(Some(b'[')) => {
            r.consume(1);
            doc.array(r, None, false)
        }
        Ok(_) => doc.object(r),
        Err(e) => Err(DocError::Scan(ScanError::Io(e))),
    };
    res.map_err(|e| match e {
        DocError::Legacy => SweepError::LegacyDump {
            origin: origin.to_string(),
        },
        e => {
            let at = e.at().unwrap_or_else(|| r.at());
            SweepError::Parse {
                origin: origin.to_string(),
                message: format!(
                    "line {}, column {}: {e} (JSON document {n})",
                    at.line, at.column
                ),
            }
        }
    })
}

#[derive(Debug)]
enum DocError {
    /// The structure is broken where the reader stands.
    Scan(ScanError),
    /// A value that is not valid JSON, from where it starts in the stream
    /// (when known) and, in a list, its 1-based index.
    Json {
        error: serde_json::Error,
        start: Option<At>,
        item: Option<usize>,
    },
    Legacy,
    NotAList(&'static str),
}

impl DocError {
    /// Invalid JSON in the value that starts at `start`.
    fn json(error: serde_json::Error, start: At) -> DocError {
        DocError::Json {
            error,
            start: Some(start),
            item: None,
        }
    }

    /// Where in the stream the error is, when the error itself knows
    /// (otherwise it is where the reader stopped).
    fn at(&self) -> Option<At> {
        match self {
            DocError::Json {
                error,
                start: Some(start),
                ..
            } => Some(start.plus(error.line(), error.column())),
            _ => None,
        }
    }
}

impl fmt::Display for DocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocError::Scan(e) => write!(f, "{e}"),
            DocError::Json { error, item, .. } => {
                // serde_json's own position is within the value: the
                // stream's position is reported instead.
                let text = error.to_string();
                let own = format!(" at line {} column {}", error.line(), error.column());
                f.write_str(text.strip_suffix(&own).unwrap_or(&text))?;
                match item {
                    Some(n) => write!(f, ", in list item {n}"),
                    None => Ok(()),
                }
            }
            DocError::Legacy => f.write_str(LEGACY),
            DocError::NotAList(t) => {
                write!(
                    f,
                    "invalid type: {t}, expected a list of Kubernetes objects"
                )
            }
        }
    }
}

impl From<ScanError> for DocError {
    fn from(e: ScanError) -> Self {
        DocError::Scan(e)
    }
}

impl From<serde_json::Error> for DocError {
    fn from(error: serde_json::Error) -> Self {
        DocError::Json {
            error,
            start: None,
            item: None,
        }
    }
}

impl From<std::io::Error> for DocError {
    fn from(e: std::io::Error) -> Self {
        DocError::Scan(ScanError::Io(e))
    }
}

/// One JSON document of a stream: a List (or a bare array) whose items are
/// cut out one at a time, or a single object.
struct Doc<'a, 'c> {
    sink: &'a mut Collector<'c>,
    hint: Option<&'static KindInfo>,
    /// The bytes of the current item (reused).
    buf: Vec<u8>,
}

impl Doc<'_, '_> {
    /// Reads the next value into `buf`; returns where it starts.
    fn take<R: BufRead>(&mut self, r: &mut Tracked<R>) -> Result<At, DocError> {
        scan::peek(r)?;
        let start = r.at();
        self.buf.clear();
        scan::take_value(r, &mut self.buf)?;
        Ok(start)
    }

    /// `{ ... }`: a List's `items` are streamed; other keys are kept as the head.
    fn object<R: BufRead>(&mut self, r: &mut Tracked<R>) -> Result<(), DocError> {
        scan::expect(r, b'{')?;
        let mut head = Map::new();
        let mut listed = false;
        if scan::peek(r)? == Some(b'}') {
            r.consume(1);
        } else {
            loop {
                match scan::peek(r)? {
                    Some(b'"') => {}
                    Some(b) => return Err(ScanError::Unexpected(b).into()),
                    None => return Err(ScanError::Eof.into()),
                }
                let start = self.take(r)?;
                let key: String =
                    serde_json::from_slice(&self.buf).map_err(|e| DocError::json(e, start))?;
                scan::expect(r, b':')?;
                match key.as_str() {
                    "items" => {
                        let kind = head.get("kind").and_then(Value::as_str).unwrap_or("");
                        let api = head.get("apiVersion").and_then(Value::as_str).unwrap_or("");
                        let item_kind = kind
                            .strip_suffix("List")
                            .filter(|k| !k.is_empty())
                            .map(|k| (k.to_string(), api.to_string()));
                        if let Some((k, _)) = &item_kind {
                            self.sink.covers(k);
                        } else if let Some(h) = self.hint {
                            self.sink.covers(h.kind);
                        }
                        if scan::peek(r)? == Some(b'[') {
                            r.consume(1);
                            let list = item_kind.as_ref().map(|(k, a)| (k.as_str(), a.as_str()));
                            self.array(r, list, true)?;
                        } else {
                            let start = self.take(r)?;
                            let value = serde_json::from_slice::<Value>(&self.buf)
                                .map_err(|e| DocError::json(e, start))?;
                            let what = match value {
                                Value::Null => None,
                                Value::Bool(_) => Some("boolean"),
                                Value::Number(_) => Some("number"),
                                Value::String(_) => Some("string"),
                                Value::Array(_) => Some("array"),
                                Value::Object(_) => Some("map"),
                            };
                            if let Some(t) = what {
                                return Err(DocError::NotAList(t));
                            }
                        }
                        listed = true;
                    }
                    "Items" => return Err(DocError::Legacy),
                    _ => {
                        let start = self.take(r)?;
                        let v: Value = serde_json::from_slice(&self.buf)
                            .map_err(|e| DocError::json(e, start))?;
                        head.insert(key, v);
                    }
                }
                match scan::peek(r)? {
                    Some(b',') => r.consume(1),
                    Some(b'}') => {
                        r.consume(1);
                        break;
                    }
                    Some(b) => return Err(ScanError::Unexpected(b).into()),
                    None => return Err(ScanError::Eof.into()),
                }
            }
        }
        if !listed {
            let mut v = Value::Object(head);
            if v.get("kind").is_some() && name_item(&mut v, None, None) {
                self.sink.object(v);
            }
        }
        Ok(())
    }

    /// The elements of an array whose `[` was consumed. `list` is the
    /// item kind of an enclosing List; `nested` allows Lists inside it.
    fn array<R: BufRead>(
        &mut self,
        r: &mut Tracked<R>,
        list: Option<(&str, &str)>,
        nested: bool,
    ) -> Result<(), DocError> {
        if scan::peek(r)? == Some(b']') {
            r.consume(1);
            return Ok(());
        }
        let mut n = 0usize;
        loop {
            n += 1;
            let start = self.take(r)?;
            item(&self.buf, list, self.hint, nested, self.sink).map_err(|e| match e {
                DocError::Json { error, .. } => DocError::Json {
                    error,
                    start: Some(start),
                    item: Some(n),
                },
                e => e,
            })?;
            match scan::peek(r)? {
                Some(b',') => r.consume(1),
                Some(b']') => {
                    r.consume(1);
                    return Ok(());
                }
                Some(b) => return Err(ScanError::Unexpected(b).into()),
                None => return Err(ScanError::Eof.into()),
            }
        }
    }
}

/// One list item. Pods and events (nearly all of a dump) are read through
/// their typed views; a pod's whole object is parsed only when it is kept
/// for the policy engine. Everything else is read as a value.
fn item(
    bytes: &[u8],
    list: Option<(&str, &str)>,
    hint: Option<&'static KindInfo>,
    nested: bool,
    sink: &mut Collector<'_>,
) -> Result<(), DocError> {
    if let Ok(view) = serde_json::from_slice::<lite::Obj<lite::Item<'_>>>(bytes) {
        let Some(view) = view.value else {
            // Not an object: not a Kubernetes object either.
            return Ok(());
        };
        // The kind `name_item` would give it.
        let own = view.kind.get();
        let kind = if !own.is_empty() {
            own
        } else if let Some((k, _)) = list {
            k
        } else {
            hint.map_or("", |h| h.kind)
        };
        match kind {
            "Pod" => {
                return sink
                    .pod_view(&view, || {
                        let mut v = lite::parse_pruned(bytes)?;
                        name_item(&mut v, list, hint);
                        Ok::<_, serde_json::Error>(v)
                    })
                    .map_err(DocError::from);
            }
            "Event" => {
                sink.event_view(&view);
                return Ok(());
            }
            _ => {}
        }
    }
    let mut item: Value = serde_json::from_slice(bytes)?;
    // A List of Lists (`kubectl get a,b -o json` nests none, but be safe).
    if nested
        && item.get("items").is_some_and(Value::is_array)
        && item
            .get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| k.ends_with("List"))
    {
        let mut flat = Vec::new();
        eyelint_policies::object::expand_lists(item, &mut flat);
        for o in flat {
            sink.object(o);
        }
        return Ok(());
    }
    if name_item(&mut item, list, hint) {
        sink.object(item);
    }
    Ok(())
}

/// Fills in `kind` and `apiVersion` of a list item that lacks them.
fn name_item(
    item: &mut Value,
    list: Option<(&str, &str)>,
    hint: Option<&'static KindInfo>,
) -> bool {
    let Some(map) = item.as_object_mut() else {
        return false;
    };
    if map
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| !k.is_empty())
    {
        return true;
    }
    let (kind, api) = match (list, hint) {
        (Some((k, a)), _) => (k.to_string(), a.to_string()),
        (None, Some(h)) => (h.kind.to_string(), h.api_version.to_string()),
        (None, None) => {
            let shape = if map.contains_key("involvedObject") {
                "Event"
            } else if map.get("status").and_then(|s| s.get("nodeInfo")).is_some() {
                "Node"
            } else if map
                .get("spec")
                .and_then(|s| s.get("containers"))
                .is_some_and(Value::is_array)
            {
                "Pod"
            } else {
                return false;
            };
            let info = kinds::by_kind(shape);
            (
                shape.to_string(),
                info.map_or("v1", |i| i.api_version).to_string(),
            )
        }
    };
    map.insert("kind".to_string(), Value::String(kind));
    if !map.contains_key("apiVersion") {
        map.insert("apiVersion".to_string(), Value::String(api));
    }
    true
}

/// Reads a dump directory: `kubectl cluster-info dump --output-directory`,
/// or any tree of List JSON files with logs (support-bundle layouts).
pub fn read_dir(root: &Path, sink: &mut Collector<'_>) -> Result<(), SweepError> {
    let mut files = Vec::new();
    walk(root, &mut files)?;
    files.sort();
    let mut json: Vec<(u8, PathBuf, Option<&'static KindInfo>)> = Vec::new();
    let mut logs: Vec<PathBuf> = Vec::new();
    let mut skipped = Vec::new();
    for f in files {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let ext = f.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext == "json" {
            let stem = f.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            let hint = kinds::by_plural(stem).or_else(|| {
                f.parent()
                    .and_then(|p| p.file_name())
                    .and_then(|n| n.to_str())
                    .and_then(kinds::by_plural)
            });
            let prio = match hint.map(|h| h.kind) {
                Some("Node") => 0,
                Some("Pod") => 3,
                Some("Event") => 4,
                Some(_) => 1,
                None => 2,
            };
            json.push((prio, f, hint));
        } else if name == "logs.txt" || ((ext == "log" || ext == "txt") && in_logs_dir(&f)) {
            logs.push(f);
        } else if matches!(ext, "gz" | "tgz" | "bz2" | "xz" | "zst" | "zip") {
            skipped.push(f);
        }
    }
    if json.is_empty() && logs.is_empty() && !skipped.is_empty() {
        // Nothing else to read: say why, not "no objects found" (opening
        // one names its format, as for a file given alone).
        let named = skipped.iter().find_map(|p| {
            crate::source::decode::open(p)
                .err()
                .filter(|e| matches!(e, SweepError::Compressed { .. }))
        });
        return Err(named.unwrap_or_else(|| SweepError::Compressed {
            path: skipped[0].clone(),
            format: "compressed",
        }));
    }
    json.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    for (_, path, hint) in &json {
        let mut r = crate::source::decode::open(path)?;
        let origin = path.display().to_string();
        let stats = read_stream(&mut r, &origin, *hint, sink)?;
        // A `.json` file of a dump that is not JSON (kubectl's "Error from
        // server (Forbidden)" text written in its place) would take its
        // objects out of the sweep without a word.
        if let Some(what) = stats.stray_summary() {
            return Err(SweepError::Parse {
                origin,
                message: format!("not JSON: {what}"),
            });
        }
        // Nor is one that holds nothing (0 bytes, blank lines, a
        // byte-order mark alone): what `kubectl get … -o json > FILE`
        // leaves when kubectl fails. An empty list is `"items": []`.
        if stats.documents == 0 && stats.log_sections == 0 {
            return Err(SweepError::Parse {
                origin,
                message: "holds no JSON (the file is empty or blank: did the command that wrote it fail?)".to_string(),
            });
        }
    }
    for path in &logs {
        let mut r = crate::source::decode::open(path)?;
        let origin = path.display().to_string();
        if path.file_name().and_then(|n| n.to_str()) == Some("logs.txt") {
            read_stream(&mut r, &origin, None, sink)?;
        } else if let Some((ns, pod, container)) = log_identity(path) {
            read_log_file(&mut r, &ns, &pod, &container, sink).map_err(|source| {
                SweepError::Io {
                    path: path.clone(),
                    source,
                }
            })?;
        }
    }
    if !skipped.is_empty() {
        sink.notes.push(format!(
            "{} compressed file(s) in {} were not read: unpack them first",
            skipped.len(),
            root.display()
        ));
    }
    Ok(())
}

/// The files under `dir`, following links to files (as `kubectl apply -f`
/// does; links to directories are not followed). A `.json` name that is no
/// readable file (a broken link, a pipe) is an error: its objects would
/// otherwise be missing without a word.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), SweepError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SweepError::Io { path, source }
    };
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let path = entry.path();
        let mut ty = entry.file_type().map_err(io(&path))?;
        if ty.is_symlink() {
            match std::fs::metadata(&path) {
                // Links to directories are not followed; a link to a file,
                // or to a pipe or device (an error below when it is named
                // `.json`), is taken for what it points at.
                Ok(m) if m.is_dir() => continue,
                Ok(m) => ty = m.file_type(),
                Err(e) if path.extension().is_some_and(|x| x == "json") => {
                    return Err(io(&path)(e));
                }
                Err(_) => continue,
            }
        }
        if ty.is_dir() {
            walk(&path, out)?;
        } else if ty.is_file() {
            out.push(path);
        } else if path.extension().is_some_and(|x| x == "json") {
            return Err(SweepError::Parse {
                origin: path.display().to_string(),
                message: "not a regular file (a pipe, socket or device)".to_string(),
            });
        }
    }
    Ok(())
}

fn in_logs_dir(p: &Path) -> bool {
    p.components()
        .any(|c| matches!(c.as_os_str().to_str(), Some("logs" | "podlogs")))
}

/// (namespace, pod, container) of a per-container log file:
/// `…/NS/POD/CONTAINER.log` (with `-previous`), or `…/NS/POD/logs/CONTAINER.txt`.
fn log_identity(p: &Path) -> Option<(String, String, String)> {
    let stem = p.file_stem()?.to_str()?;
    let container = stem.strip_suffix("-previous").unwrap_or(stem);
    let mut up = p.parent()?;
    if up.file_name()?.to_str()? == "logs" {
        up = up.parent()?;
    }
    let pod = up.file_name()?.to_str()?;
    let ns = up.parent()?.file_name()?.to_str()?;
    Some((ns.to_string(), pod.to_string(), container.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SweepConfig;

    const ODD_ITEMS: &str = r#"[
        {"metadata": {"name": "p1", "namespace": "a", "deletionTimestamp": null, "labels": {"component": "etcd"},
          "ownerReferences": [{"kind": "ReplicaSet", "name": "r1", "controller": "yes"}, {"kind": "Job", "name": "j", "controller": true}],
          "managedFields": [{"manager": "kubelet"}]},
         "spec": {"nodeName": 7, "containers": [{"name": "c", "image": "x:1"}]},
         "status": {"phase": "Pending", "reason": null, "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "0/3 nodes"}, "junk"],
           "initContainerStatuses": "none",
           "containerStatuses": [{"name": "c", "ready": "yes", "restartCount": -2,
             "state": {"waiting": null, "terminated": {"exitCode": 1.5, "reason": "Error"}},
             "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled", "finishedAt": "2024-05-01T00:00:00Z"}}}, 5]}},
        {"kind": "Pod", "metadata": {"name": "p\u00e9", "namespace": "b"}, "spec": {"containers": [{"name": "c"}]}},
        {"kind": "Event", "metadata": {"namespace": "a", "creationTimestamp": "2024-05-01T00:00:00Z"}, "type": "Warning", "reason": "BackOff",
         "involvedObject": {"kind": "Pod", "namespace": "a", "name": "p1"}, "count": "3", "series": {"count": 4}, "message": "m1",
         "source": {"host": ""}, "reportingInstance": "node-1"},
        {"kind": "Event", "metadata": {"namespace": "a"}, "type": "Warning", "reason": "BackOff", "eventTime": "2024-05-02T00:00:00Z",
         "involvedObject": {"kind": "Pod", "namespace": "a", "name": "p1"}, "count": 2, "series": null, "message": "m2"},
        {"kind": "Event", "metadata": {"namespace": "z"}, "type": "Warning", "reason": "OOMKilling",
         "involvedObject": {"kind": "Node", "name": "n1"}, "message": "Killed process 1"},
        {"kind": "Event", "type": "Normal", "reason": "Pulled", "involvedObject": {"kind": "Pod", "name": "p1"}},
        "not an object", 5, null
    ]"#;

    #[test]
    fn typed_reading_matches_value_reading() {
        let cfg = serde_json::from_value(serde_json::json!({"excludeNamespaces": ["z"]})).unwrap();
        let items: Vec<Value> = serde_json::from_str(ODD_ITEMS).unwrap();
        for text in [
            format!("{{\"kind\": \"PodList\", \"apiVersion\": \"v1\", \"items\": {ODD_ITEMS}}}"),
            format!(
                "{{\"kind\": \"PodList\", \"apiVersion\": \"v1\", \"items\": {}}}",
                serde_json::to_string(&items).unwrap()
            ),
        ] {
            let mut fast = Collector::new(&cfg, Default::default());
            let stats = read_stream(
                &mut std::io::Cursor::new(text.as_bytes()),
                "t",
                None,
                &mut fast,
            )
            .unwrap();
            assert_eq!(stats.documents, 1);
            let mut slow = Collector::new(&cfg, Default::default());
            slow.covers("Pod");
            for mut v in items.iter().cloned() {
                if name_item(&mut v, Some(("Pod", "v1")), None) {
                    slow.object(v);
                }
            }
            assert_eq!(fast.pods, slow.pods);
            assert_eq!(fast.events, slow.events);
            assert_eq!(fast.counts, slow.counts);
            assert_eq!(fast.kinds, slow.kinds);
            assert_eq!(fast.namespaces, slow.namespaces);
            let (f, s) = (fast.workloads.subjects(), slow.workloads.subjects());
            assert_eq!(f.len(), 2);
            for (a, b) in f.iter().zip(&s) {
                assert_eq!(a.report_as, b.report_as);
                assert_eq!(a.stand_in, b.stand_in);
                assert_eq!(a.object.value(), b.object.value());
            }
        }
        // What the typed reading gives, spelled out.
        let mut c = Collector::new(&cfg, Default::default());
        read_stream(
            &mut std::io::Cursor::new(format!("{{\"kind\": \"PodList\", \"items\": {ODD_ITEMS}}}")),
            "t",
            None,
            &mut c,
        )
        .unwrap();
        let p1 = &c.pods[0];
        assert_eq!(
            (p1.node.as_str(), p1.component.as_str(), p1.terminating),
            ("", "etcd", true)
        );
        assert_eq!(
            p1.unscheduled,
            Some(("Unschedulable".into(), "0/3 nodes".into()))
        );
        assert_eq!(p1.containers.len(), 2);
        let ct = &p1.containers[0];
        assert_eq!((ct.ready, ct.restarts), (false, 0));
        assert_eq!(ct.waiting, Some((String::new(), String::new())));
        assert_eq!(ct.terminated, Some(("Error".into(), 0, String::new())));
        assert_eq!(
            ct.last_terminated,
            Some(("OOMKilled".into(), 137, "2024-05-01T00:00:00Z".into()))
        );
        assert_eq!(c.pods[1].name, "p\u{e9}");
        let g = c.events.values().next().unwrap();
        assert_eq!(
            (g.count, g.last.as_str(), g.message.as_str()),
            (6, "2024-05-02T00:00:00Z", "m2")
        );
        // The node event passes the namespace filter; the Normal event is counted, not grouped.
        assert_eq!(c.events.len(), 2);
        assert_eq!(c.counts.get("Event"), Some(&4));
    }

    #[test]
    fn item_errors_name_the_item() {
        let cfg = SweepConfig::default();
        let mut c = Collector::new(&cfg, Default::default());
        let text = "{\"kind\": \"PodList\", \"items\": [{\"kind\": \"Pod\"},\n {\"metadata\": {\"name\": \"b\" 1}}]}";
        let e = read_stream(&mut std::io::Cursor::new(text), "t", None, &mut c).unwrap_err();
        // The position is in the stream, not within the item.
        assert_eq!(
            e.to_string(),
            "t: line 2, column 28: expected `,` or `}`, in list item 2 (JSON document 1)"
        );
        for (text, at) in [
            (
                "{\"kind\": \"PodList\", \"items\": [{}",
                "line 1, column 33: the input ends inside a JSON value: is it cut short?",
            ),
            (
                "{\"kind\": \"PodList\", \"items\": [{} {}]}",
                "line 1, column 34: unexpected character `{`",
            ),
            ("{\"a\" 1}", "line 1, column 6: unexpected character `1`"),
            (
                "\n\n  {\"kind\": \"List\", \"items\": [\n  {\"kind\": \"Pod\", \"spec\": tru}]}",
                "line 4, column 30: expected ident, in list item 1",
            ),
        ] {
            let mut c = Collector::new(&cfg, Default::default());
            let e = read_stream(&mut std::io::Cursor::new(text), "t", None, &mut c).unwrap_err();
            assert!(matches!(e, SweepError::Parse { .. }), "{text}: {e}");
            assert!(
                e.to_string().starts_with(&format!("t: {at}")),
                "{text}: {e}"
            );
        }
    }

    #[test]
    fn log_markers_and_paths() {
        assert_eq!(
            parse_log_marker(
                "==== START logs for container etcd of pod kube-system/etcd-m ====",
                LOG_START
            ),
            Some(("kube-system".into(), "etcd-m".into(), "etcd".into()))
        );
        assert_eq!(
            parse_log_marker("==== START logs for container x ====", LOG_START),
            None
        );
        assert_eq!(
            log_identity(Path::new(
                "b/pods/logs/default/api-1/api-server-previous.log"
            )),
            Some(("default".into(), "api-1".into(), "api-server".into()))
        );
        assert_eq!(
            log_identity(Path::new("podlogs/kube-system/kp-1/logs/kube-proxy.txt")),
            Some(("kube-system".into(), "kp-1".into(), "kube-proxy".into()))
        );
    }
}
