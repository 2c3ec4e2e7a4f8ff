//! The `AdmissionReview` wire format (`admission.k8s.io/v1` and `v1beta1`,
//! which share one shape), written by hand so the webhook needs neither
//! kube nor k8s-openapi. Unknown fields are ignored; objects stay
//! `serde_json::Value`s so no field is dropped before the engine sees it.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `admission.k8s.io/v1`.
pub const V1: &str = "admission.k8s.io/v1";
/// `admission.k8s.io/v1beta1`.
pub const V1BETA1: &str = "admission.k8s.io/v1beta1";

/// An incoming review.
#[derive(Clone, Debug, Deserialize)]
pub struct AdmissionReview {
    /// `admission.k8s.io/v1` or `admission.k8s.io/v1beta1`.
    #[serde(rename = "apiVersion", default)]
    pub api_version: String,
    /// `AdmissionReview`.
    #[serde(default)]
    pub kind: String,
    /// The request; absent in a malformed review.
    #[serde(default)]
    pub request: Option<AdmissionRequest>,
}

/// Group, version and kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct GroupVersionKind {
    /// API group ("" for the core group).
    #[serde(default)]
    pub group: String,
    /// Version.
    #[serde(default)]
    pub version: String,
    /// Kind.
    #[serde(default)]
    pub kind: String,
}

/// Group, version and resource.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct GroupVersionResource {
    /// API group ("" for the core group).
    #[serde(default)]
    pub group: String,
    /// Version.
    #[serde(default)]
    pub version: String,
    /// Resource (plural, lowercase).
    #[serde(default)]
    pub resource: String,
}

/// The operation under review.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Operation {
    /// Create.
    Create,
    /// Update (including subresource updates).
    Update,
    /// Delete.
    Delete,
    /// Connect (exec, attach, port-forward, proxy).
    Connect,
    /// Anything a newer API server might send.
    #[serde(other)]
    Unknown,
}

impl Operation {
    /// The upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "CREATE",
            Operation::Update => "UPDATE",
            Operation::Delete => "DELETE",
            Operation::Connect => "CONNECT",
            Operation::Unknown => "UNKNOWN",
        }
    }
}

/// Who sent the request.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct UserInfo {
    /// User name (`system:serviceaccount:kube-system:replicaset-controller`).
    #[serde(default)]
    pub username: String,
    /// Groups.
    #[serde(default)]
    pub groups: Vec<String>,
}

/// The request part of a review.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdmissionRequest {
    /// Echoed in the response.
    pub uid: String,
    /// The kind of the object.
    #[serde(default)]
    pub kind: GroupVersionKind,
    /// The resource.
    #[serde(default)]
    pub resource: GroupVersionResource,
    /// The subresource (`ephemeralcontainers`, `status`, `scale`), if any.
    #[serde(default)]
    pub sub_resource: Option<String>,
    /// The object's name (may be empty on CREATE with `generateName`).
    #[serde(default)]
    pub name: Option<String>,
    /// The namespace (absent for cluster-scoped objects).
    #[serde(default)]
    pub namespace: Option<String>,
    /// The operation.
    pub operation: Operation,
    /// The requesting user.
    #[serde(default)]
    pub user_info: UserInfo,
    /// The object as it will be stored (null on DELETE), without
    /// `metadata.managedFields` (see [`de_object`]).
    #[serde(default, deserialize_with = "de_object")]
    pub object: Option<Value>,
    /// The object as it is stored (UPDATE and DELETE), without `metadata.managedFields`.
    #[serde(default, deserialize_with = "de_object")]
    pub old_object: Option<Value>,
    /// True for `--dry-run=server`.
    #[serde(default)]
    pub dry_run: Option<bool>,
}

impl AdmissionRequest {
    /// The namespace the request is in: the request's, else the object's.
    pub fn effective_namespace(&self) -> &str {
        if let Some(ns) = self.namespace.as_deref().filter(|n| !n.is_empty()) {
            return ns;
        }
        self.object
            .as_ref()
            .or(self.old_object.as_ref())
            .and_then(|o| o.pointer("/metadata/namespace"))
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// The name the request is about (request name, else object name or generateName).
    pub fn display_name(&self) -> &str {
        if let Some(n) = self.name.as_deref().filter(|n| !n.is_empty()) {
            return n;
        }
        let meta = self.object.as_ref().and_then(|o| o.get("metadata"));
        meta.and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
            .or_else(|| {
                meta.and_then(|m| m.get("generateName"))
                    .and_then(Value::as_str)
            })
            .unwrap_or("")
    }
}

/// `metav1.Status`, as admission responses carry it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Status {
    /// Always `{}`.
    pub metadata: serde_json::Map<String, Value>,
    /// `Failure`.
    pub status: &'static str,
    /// Human-readable explanation, shown by kubectl.
    pub message: String,
    /// Machine-readable reason (`Forbidden`).
    pub reason: &'static str,
    /// HTTP-like code (403).
    pub code: u16,
}

impl Status {
    /// A 403 Forbidden status with `message`.
    pub fn forbidden(message: String) -> Status {
        Status {
            metadata: serde_json::Map::new(),
            status: "Failure",
            message,
            reason: "Forbidden",
            code: 403,
        }
    }
}

/// The response part of a review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdmissionResponse {
    /// The request's uid.
    pub uid: String,
    /// Whether the request may proceed.
    pub allowed: bool,
    /// Why not (set when denied).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Base64 of an RFC 6902 JSON Patch (mutation only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patch: Option<String>,
    /// `JSONPatch` when `patch` is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patch_type: Option<&'static str>,
    /// Warnings shown to the client (`kubectl` prints them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl AdmissionResponse {
    /// An allowed response without warnings.
    pub fn allow(uid: &str) -> AdmissionResponse {
        AdmissionResponse {
            uid: uid.to_string(),
            allowed: true,
            status: None,
            patch: None,
            patch_type: None,
            warnings: Vec::new(),
        }
    }
}

/// An outgoing review.
#[derive(Clone, Debug, Serialize)]
pub struct AdmissionReviewOut<'a> {
    /// The request's `apiVersion` (a v1beta1 request is answered in v1beta1).
    #[serde(rename = "apiVersion")]
    pub api_version: &'a str,
    /// `AdmissionReview`.
    pub kind: &'static str,
    /// The response.
    pub response: &'a AdmissionResponse,
}

/// Why a request body is not a review the webhook can answer.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// Not JSON, or JSON of the wrong shape.
    #[error("malformed AdmissionReview: {0}")]
    Malformed(#[from] serde_json::Error),
    /// Not an `AdmissionReview`.
    #[error("expected kind AdmissionReview, got `{0}`")]
    WrongKind(String),
    /// An unsupported `apiVersion`.
    #[error(
        "unsupported apiVersion `{0}` (expected admission.k8s.io/v1 or admission.k8s.io/v1beta1)"
    )]
    WrongVersion(String),
    /// No `request`.
    #[error("the AdmissionReview has no `request`")]
    NoRequest,
}

/// Parses a request body into a review with a request, checking kind and version.
pub fn parse(body: &[u8]) -> Result<(String, AdmissionRequest), ReviewError> {
    let review: AdmissionReview = serde_json::from_slice(body)?;
    if review.kind != "AdmissionReview" {
        return Err(ReviewError::WrongKind(review.kind));
    }
    if review.api_version != V1 && review.api_version != V1BETA1 {
        return Err(ReviewError::WrongVersion(review.api_version));
    }
    let request = review.request.ok_or(ReviewError::NoRequest)?;
    Ok((review.api_version, request))
}

/// Serialises a response review in the request's `apiVersion`.
pub fn render(
    api_version: &str,
    response: &AdmissionResponse,
) -> Result<Vec<u8>, serde_json::Error> {
    serde_json::to_vec(&AdmissionReviewOut {
        api_version,
        kind: "AdmissionReview",
        response,
    })
}

/// Deserialises `object` / `oldObject`: `null` (or absent) is `None`; an
/// object is read whole except `metadata.managedFields`, which the API
/// server adds to every object, no check reads, and which costs about as
/// much to parse as the rest of a typical object. Anything else is an error.
pub fn de_object<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    d.deserialize_option(OptionalObject)
}

struct OptionalObject;

impl<'de> Visitor<'de> for OptionalObject {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Kubernetes object or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(ObjectVisitor { metadata: false })
            .map(Some)
    }
}

/// Reads a JSON object into a `Value`; at the top level, `metadata` is read
/// by the same visitor in metadata mode, which skips `managedFields`.
#[derive(Clone, Copy)]
struct ObjectVisitor {
    metadata: bool,
}

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.metadata {
            "object metadata (a JSON object)"
        } else {
            "a Kubernetes object (a JSON object)"
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if self.metadata && key == "managedFields" {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let value = if !self.metadata && key == "metadata" {
                map.next_value_seed(MetadataSeed)?
            } else {
                map.next_value::<Value>()?
            };
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

struct MetadataSeed;

impl<'de> DeserializeSeed<'de> for MetadataSeed {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        // `metadata: null` stays null; anything else must be an object.
        Option::<MetadataValue>::deserialize(d).map(|m| m.map_or(Value::Null, |m| m.0))
    }
}

struct MetadataValue(Value);

impl<'de> Deserialize<'de> for MetadataValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ObjectVisitor { metadata: true })
            .map(MetadataValue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_fields_are_dropped_and_everything_else_kept() {
        let body = br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
            "uid":"u","operation":"UPDATE",
            "object":{"kind":"Pod","metadata":{"name":"p","managedFields":[{"manager":"kubectl"}],"labels":{"a":"b"}},"spec":{"managedFields":1}},
            "oldObject":{"kind":"Pod","metadata":null}}}"#;
        let (_, r) = parse(body).unwrap();
        let o = r.object.unwrap();
        assert_eq!(
            o,
            serde_json::json!({"kind":"Pod","metadata":{"name":"p","labels":{"a":"b"}},"spec":{"managedFields":1}})
        );
        assert_eq!(
            r.old_object.unwrap(),
            serde_json::json!({"kind":"Pod","metadata":null})
        );
    }

    #[test]
    fn null_and_absent_objects_are_none_and_non_objects_are_errors() {
        let (_, r) = parse(br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"DELETE","object":null}}"#).unwrap();
        assert!(r.object.is_none() && r.old_object.is_none());
        let e = parse(br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","object":"x"}}"#).unwrap_err();
        assert!(e.to_string().contains("a Kubernetes object"), "{e}");
        let e = parse(br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","object":{"metadata":[1]}}}"#).unwrap_err();
        assert!(e.to_string().contains("object metadata"), "{e}");
    }
}
