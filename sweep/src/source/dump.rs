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

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::error::SweepError;
use crate::kinds::{self, KindInfo};
use crate::snapshot::Collector;

const LOG_START: &str = "==== START logs for container ";
const LOG_END: &str = "==== END logs for container ";
const LEGACY: &str = "eyelint-legacy-dump";

/// Counts of what a stream held.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamStats {
    /// JSON documents.
    pub documents: usize,
    /// Log sections.
    pub log_sections: usize,
    /// Lines that were neither JSON nor log sections.
    pub stray_lines: usize,
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
        r.read_until(b'\n', &mut line).map_err(io)?;
        let text = String::from_utf8_lossy(&line);
        match parse_log_marker(text.trim_end(), LOG_START) {
            Some((ns, pod, container)) => {
                stats.log_sections += 1;
                read_log_section(r, &ns, &pod, &container, sink).map_err(io)?;
            }
            None => stats.stray_lines += 1,
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
        sink.logs_scanned += 1;
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
    sink.logs_scanned += 1;
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
    r: &mut R,
    origin: &str,
    n: usize,
    hint: Option<&'static KindInfo>,
    sink: &mut Collector<'_>,
) -> Result<(), SweepError> {
    let mut de = serde_json::Deserializer::from_reader(&mut *r);
    let seed = DocSeed { sink, hint };
    match seed.deserialize(&mut de) {
        Ok(()) => Ok(()),
        Err(e) if e.to_string().starts_with(LEGACY) => Err(SweepError::LegacyDump {
            origin: origin.to_string(),
        }),
        Err(e) => Err(SweepError::Parse {
            origin: origin.to_string(),
            message: format!("JSON document {n}: {e}"),
        }),
    }
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

struct DocSeed<'a, 'c> {
    sink: &'a mut Collector<'c>,
    hint: Option<&'static KindInfo>,
}

impl<'de> DeserializeSeed<'de> for DocSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DocSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Kubernetes object or list")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut head = Map::new();
        let mut listed = false;
        while let Some(key) = map.next_key::<String>()? {
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
                    map.next_value_seed(Items {
                        sink: &mut *self.sink,
                        list: item_kind,
                        hint: self.hint,
                    })?;
                    listed = true;
                }
                "Items" => return Err(de::Error::custom(LEGACY)),
                _ => {
                    let v: Value = map.next_value()?;
                    head.insert(key, v);
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

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(mut item) = seq.next_element::<Value>()? {
            if name_item(&mut item, None, self.hint) {
                self.sink.object(item);
            }
        }
        Ok(())
    }
}

struct Items<'a, 'c> {
    sink: &'a mut Collector<'c>,
    list: Option<(String, String)>,
    hint: Option<&'static KindInfo>,
}

impl<'de> DeserializeSeed<'de> for Items<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Items<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of Kubernetes objects")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let list = self.list.as_ref().map(|(k, a)| (k.as_str(), a.as_str()));
        while let Some(mut item) = seq.next_element::<Value>()? {
            // A List of Lists (`kubectl get a,b -o json` nests none, but be safe).
            let nested = item.get("items").is_some_and(Value::is_array)
                && item
                    .get("kind")
                    .and_then(Value::as_str)
                    .is_some_and(|k| k.ends_with("List"));
            if nested {
                let mut flat = Vec::new();
                eyelint_policies::object::expand_lists(item, &mut flat);
                for o in flat {
                    self.sink.object(o);
                }
                continue;
            }
            if name_item(&mut item, list, self.hint) {
                self.sink.object(item);
            }
        }
        Ok(())
    }
}

/// Reads a dump directory: `kubectl cluster-info dump --output-directory`,
/// or any tree of List JSON files with logs (support-bundle layouts).
pub fn read_dir(root: &Path, sink: &mut Collector<'_>) -> Result<(), SweepError> {
    let mut files = Vec::new();
    walk(root, &mut files).map_err(|source| SweepError::Io {
        path: root.to_path_buf(),
        source,
    })?;
    files.sort();
    let mut json: Vec<(u8, PathBuf, Option<&'static KindInfo>)> = Vec::new();
    let mut logs: Vec<PathBuf> = Vec::new();
    let mut skipped = 0usize;
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
        } else if ext == "gz" || ext == "tgz" {
            skipped += 1;
        }
    }
    json.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    for (_, path, hint) in &json {
        let mut r = crate::source::decode::open(path)?;
        read_stream(&mut r, &path.display().to_string(), *hint, sink)?;
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
    if skipped > 0 {
        sink.notes.push(format!(
            "{skipped} compressed file(s) in {} were not read: unpack them first",
            root.display()
        ));
    }
    Ok(())
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let ty = entry.file_type()?;
        if ty.is_dir() {
            walk(&entry.path(), out)?;
        } else if ty.is_file() {
            out.push(entry.path());
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
