//! `--from-file FILE`: the output of `kubectl get … -o json|yaml` (a List or
//! a single object). JSON is streamed like a dump; YAML goes through the
//! policy engine's loader (which needs the whole text).

use std::io::Read;
use std::path::Path;

use serde_json::Value;

use crate::error::SweepError;
use crate::snapshot::Collector;
use crate::source::{decode, dump};

/// Reads one file.
pub fn read_file(path: &Path, sink: &mut Collector<'_>) -> Result<(), SweepError> {
    let origin = path.display().to_string();
    let mut r = decode::open(path)?;
    let yaml = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    );
    if !yaml {
        let stats = dump::read_stream(&mut r, &origin, None, sink)?;
        if let Some(what) = stats.stray_summary() {
            sink.notes.push(format!("{origin}: {what}, skipped"));
        }
        return Ok(());
    }
    let mut text = String::new();
    r.read_to_string(&mut text)
        .map_err(|source| SweepError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    read_yaml(&text, &origin, sink)
}

/// Reads YAML text (one or more documents, Lists expanded).
pub fn read_yaml(text: &str, origin: &str, sink: &mut Collector<'_>) -> Result<(), SweepError> {
    let loaded = eyelint_policies::yaml::load(text, &eyelint_policies::yaml::Limits::default());
    if let Some(e) = loaded.error {
        return Err(SweepError::Parse {
            origin: origin.to_string(),
            message: e.to_string(),
        });
    }
    for doc in loaded.documents {
        let value = doc.value;
        let list_kind = value
            .get("kind")
            .and_then(Value::as_str)
            .and_then(|k| k.strip_suffix("List"))
            .filter(|k| !k.is_empty())
            .map(str::to_string);
        if let Some(k) = &list_kind {
            sink.covers(k);
        }
        let mut objects = Vec::new();
        eyelint_policies::object::expand_lists(value, &mut objects);
        // `expand_lists` gives a typed list's items its kind.
        for o in objects {
            if eyelint_policies::object::is_kubernetes_object(&o) || o.get("kind").is_some() {
                sink.object(o);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SweepConfig;

    #[test]
    fn typed_list_items_in_yaml_are_read_with_their_kind() {
        // `kubectl get --raw` written as YAML: the items name no kind.
        let cfg = SweepConfig::default();
        let mut c = Collector::new(&cfg, Default::default());
        let text = "kind: PodList\napiVersion: v1\nitems:\n- metadata: {name: a, namespace: ns}\n  spec: {containers: [{name: c, image: x}]}\n";
        read_yaml(text, "t", &mut c).unwrap();
        assert_eq!(c.object_count(), 1);
        assert_eq!(c.pods.len(), 1);
    }
}
