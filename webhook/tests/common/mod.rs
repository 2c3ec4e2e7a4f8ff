//! Helpers shared by the webhook's integration tests.
#![allow(dead_code)]

pub mod tls;

use std::path::{Path, PathBuf};

use eyelint_policies::Engine;
use eyelint_webhook::review::{self, AdmissionRequest};
use serde_json::{json, Value};

/// `../shared/admission-reviews`, or `None` (with a message) when absent.
pub fn shared_reviews_dir() -> Option<PathBuf> {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/admission-reviews"
    ));
    if dir.is_dir() {
        Some(dir.to_path_buf())
    } else {
        eprintln!(
            "SKIP: {} is absent; shared admission reviews not tested",
            dir.display()
        );
        None
    }
}

/// Every `*.json` review in the shared directory: (file name, raw body).
pub fn shared_reviews() -> Vec<(String, Vec<u8>)> {
    let Some(dir) = shared_reviews_dir() else {
        return Vec::new();
    };
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// A config text listing every built-in fix under `mutations` and
/// `admission.unsafeMutations`, followed by `extra` lines of `admission:`.
pub fn every_fix_config(extra_admission: &str) -> String {
    let ids: Vec<&str> = eyelint_policies::engine::builtin_rules()
        .iter()
        .filter(|m| m.fix.is_some())
        .map(|m| m.id)
        .collect();
    let list = ids.join(", ");
    format!("mutations: [{list}]\nadmission:\n  unsafeMutations: [{list}]\n{extra_admission}")
}

/// An engine from a YAML config text.
pub fn engine(yaml: &str) -> Engine {
    eyelint_webhook::config::engine_from_text(yaml, Path::new("test.yaml"))
        .unwrap()
        .engine
}

/// A config that sets every built-in rule to `ignore` except `enabled`
/// (which may also name custom checks defined in `extra`).
pub fn only(enabled: &[(&str, &str)], extra: &str) -> Engine {
    let mut text = String::from("checks:\n");
    for meta in eyelint_policies::engine::builtin_rules() {
        let sev = enabled
            .iter()
            .find(|(id, _)| *id == meta.id)
            .map(|(_, s)| *s)
            .unwrap_or("ignore");
        text.push_str(&format!("  {}: {}\n", meta.id, sev));
    }
    // Ids that are not built-in name custom checks defined in `extra`.
    for (id, sev) in enabled {
        if !eyelint_policies::engine::builtin_rules()
            .iter()
            .any(|m| m.id == *id)
        {
            text.push_str(&format!("  {id}: {sev}\n"));
        }
    }
    text.push_str(extra);
    engine(&text)
}

/// Parses a review body.
pub fn parse(body: &[u8]) -> (String, AdmissionRequest) {
    review::parse(body).unwrap()
}

/// A review around `object` (and `old`), as the API server would send it.
pub fn review_json(
    operation: &str,
    object: Option<&Value>,
    old: Option<&Value>,
    user: &str,
    sub_resource: Option<&str>,
) -> Value {
    let src = object.or(old).cloned().unwrap_or(json!({}));
    let kind = src["kind"].as_str().unwrap_or("Pod").to_string();
    let api_version = src["apiVersion"].as_str().unwrap_or("v1").to_string();
    let (group, version) = match api_version.split_once('/') {
        Some((g, v)) => (g.to_string(), v.to_string()),
        None => (String::new(), api_version.clone()),
    };
    let resource = format!("{}s", kind.to_lowercase());
    let mut req = json!({
        "uid": "0d1c2b3a-4455-6677-8899-aabbccddeeff",
        "kind": {"group": group, "version": version, "kind": kind},
        "resource": {"group": group, "version": version, "resource": resource},
        "requestKind": {"group": group, "version": version, "kind": kind},
        "requestResource": {"group": group, "version": version, "resource": resource},
        "name": src["metadata"]["name"],
        "namespace": src["metadata"]["namespace"],
        "operation": operation,
        "userInfo": {"username": user, "groups": ["system:authenticated"]},
        "object": object.cloned().unwrap_or(Value::Null),
        "oldObject": old.cloned().unwrap_or(Value::Null),
        "dryRun": false,
        "options": null
    });
    if let Some(s) = sub_resource {
        req["subResource"] = json!(s);
        req["requestSubResource"] = json!(s);
    }
    json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": req})
}

/// The request of [`review_json`].
pub fn request(
    operation: &str,
    object: Option<&Value>,
    old: Option<&Value>,
    user: &str,
    sub_resource: Option<&str>,
) -> AdmissionRequest {
    let body =
        serde_json::to_vec(&review_json(operation, object, old, user, sub_resource)).unwrap();
    parse(&body).1
}

/// Applies a base64 JSON Patch from a response to `object`.
pub fn apply_patch(object: &Value, patch_b64: &str) -> Value {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(patch_b64)
        .unwrap();
    let patch: json_patch::Patch = serde_json::from_slice(&bytes).unwrap();
    let mut out = object.clone();
    json_patch::patch(&mut out, &patch.0).unwrap();
    out
}

/// A text log captured in memory: a `tracing` subscriber's writer, and what
/// it wrote so far.
#[derive(Clone, Default)]
pub struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Captured {
    /// A text subscriber (no colours) that writes here.
    pub fn subscriber(&self) -> impl tracing::Subscriber + Send + Sync {
        let writer = self.clone();
        tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish()
    }

    /// What was written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
