//! Field paths: how a finding addresses the offending field of an object.
//!
//! A path is a list of segments from the object's root. It prints in the
//! familiar dotted form (`spec.template.spec.containers[0].securityContext`),
//! with keys that contain dots or other punctuation bracketed and quoted
//! (`metadata.annotations["eyelint.io/exempt"]`). Front ends turn a path into a
//! file/line/column; the engine never deals with bytes.

use crate::object::Field;
use std::borrow::Cow;
use std::fmt;

use serde::{Serialize, Serializer};
use serde_json::Value;

/// One step of a [`FieldPath`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Seg {
    /// A mapping key. Kubernetes field names are kept as static strings
    /// (see [`key`]), so building and cloning the paths rules report costs
    /// no allocation per segment; other keys (label names, …) are owned.
    Key(Cow<'static, str>),
    /// A sequence index.
    Index(usize),
}

/// The field names of Kubernetes objects that rules' paths go through.
macro_rules! known_keys {
    ($k:expr; $($s:literal)*) => {
        match $k {
            $($s => Some($s),)*
            _ => None,
        }
    };
}

/// `k` as a path key: a static string for a well-known Kubernetes field
/// name, an owned copy otherwise.
pub fn key(k: &str) -> Cow<'static, str> {
    let known: Option<&'static str> = known_keys!(k;
        "apiVersion" "kind" "metadata" "name" "namespace" "labels" "annotations"
        "ownerReferences" "spec" "template" "jobTemplate" "containers"
        "initContainers" "ephemeralContainers" "securityContext" "resources"
        "requests" "limits" "cpu" "memory" "image" "imagePullPolicy"
        "livenessProbe" "readinessProbe" "startupProbe" "ports" "hostPort"
        "containerPort" "env" "envFrom" "value" "valueFrom" "volumes" "hostPath"
        "volumeMounts" "replicas" "selector" "matchLabels" "hostNetwork"
        "hostPID" "hostIPC" "serviceAccountName" "serviceAccount"
        "automountServiceAccountToken" "priorityClassName"
        "topologySpreadConstraints" "capabilities" "drop" "add" "privileged"
        "allowPrivilegeEscalation" "runAsNonRoot" "runAsUser" "runAsGroup"
        "readOnlyRootFilesystem" "procMount" "windowsOptions" "hostProcess"
        "seccompProfile" "appArmorProfile" "seLinuxOptions" "type" "data"
        "stringData" "rules" "roleRef" "subjects" "verbs" "apiGroups"
        "minAvailable" "maxUnavailable" "minReplicas" "maxReplicas"
        "scaleTargetRef" "tls" "items" "restartPolicy" "nodeSelector"
        "tolerations" "affinity" "os" "podSelector" "policyTypes"
        "aggregationRule" "clusterRoleSelectors" "app.kubernetes.io/name"
        "app.kubernetes.io/instance" "checks" "exemptions"
    );
    match known {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(k.to_string()),
    }
}

/// A path from an object's root to one of its fields.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldPath(Vec<Seg>);

impl FieldPath {
    /// The object's root.
    pub fn root() -> Self {
        FieldPath(Vec::new())
    }

    /// Builds a path from dotted keys (`"spec.template"`); no indexes.
    pub fn keys(dotted: &str) -> Self {
        // Room for the keys and two more (rules often extend the path).
        let n = dotted.bytes().filter(|&b| b == b'.').count() + 1;
        let mut p = FieldPath(Vec::with_capacity(n + 2));
        for k in dotted.split('.').filter(|k| !k.is_empty()) {
            p.0.push(Seg::Key(key(k)));
        }
        p
    }

    /// This path extended by a key.
    #[must_use]
    pub fn key(&self, key: &str) -> Self {
        let mut p = FieldPath(Vec::with_capacity(self.0.len() + 1));
        p.0.extend_from_slice(&self.0);
        p.0.push(Seg::Key(self::key(key)));
        p
    }

    /// This path extended by a sequence index.
    #[must_use]
    pub fn index(&self, i: usize) -> Self {
        let mut p = FieldPath(Vec::with_capacity(self.0.len() + 1));
        p.0.extend_from_slice(&self.0);
        p.0.push(Seg::Index(i));
        p
    }

    /// This path extended by every segment of `other`.
    #[must_use]
    pub fn join(&self, other: &FieldPath) -> Self {
        let mut p = self.with_room(other.0.len());
        p.0.extend(other.0.iter().cloned());
        p
    }

    /// A copy of this path with room for `extra` more segments, so that
    /// extending it does not reallocate.
    #[must_use]
    pub fn with_room(&self, extra: usize) -> Self {
        let mut p = FieldPath(Vec::with_capacity(self.0.len() + extra));
        p.0.extend_from_slice(&self.0);
        p
    }

    /// Appends a key in place.
    pub fn push_key(&mut self, key: &str) {
        self.0.push(Seg::Key(self::key(key)));
    }

    /// Appends an index in place.
    pub fn push_index(&mut self, i: usize) {
        self.0.push(Seg::Index(i));
    }

    /// The segments, root first.
    pub fn segments(&self) -> &[Seg] {
        &self.0
    }

    /// Number of segments.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True for the root path.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The path without its last segment (the root stays the root).
    #[must_use]
    pub fn parent(&self) -> Self {
        let mut p = self.clone();
        p.0.pop();
        p
    }

    /// True when `self` is `other` or lies below it.
    pub fn starts_with(&self, other: &FieldPath) -> bool {
        self.0.starts_with(&other.0)
    }

    /// RFC 6901 JSON Pointer (`/spec/template/spec/containers/0`).
    pub fn to_pointer(&self) -> String {
        let mut s = String::new();
        for seg in &self.0 {
            s.push('/');
            match seg {
                Seg::Key(k) if !k.contains(['~', '/']) => s.push_str(k),
                Seg::Key(k) => s.push_str(&k.replace('~', "~0").replace('/', "~1")),
                Seg::Index(i) => {
                    use std::fmt::Write as _;
                    let _ = write!(s, "{i}");
                }
            }
        }
        s
    }

    /// Follows the path into `value`.
    pub fn lookup<'a>(&self, value: &'a Value) -> Option<&'a Value> {
        let mut cur = value;
        for seg in &self.0 {
            cur = match seg {
                Seg::Key(k) => cur.as_object()?.field(k.as_ref())?,
                Seg::Index(i) => cur.as_array()?.get(*i)?,
            };
        }
        Some(cur)
    }

    /// The longest prefix of this path that exists in `value`.
    pub fn nearest_existing(&self, value: &Value) -> FieldPath {
        let mut cur = value;
        let mut out = FieldPath(Vec::with_capacity(self.0.len()));
        for seg in &self.0 {
            let next = match seg {
                Seg::Key(k) => cur.as_object().and_then(|m| m.field(k.as_ref())),
                Seg::Index(i) => cur.as_array().and_then(|a| a.get(*i)),
            };
            match next {
                Some(v) => {
                    cur = v;
                    out.0.push(seg.clone());
                }
                None => break,
            }
        }
        out
    }

    /// Parses the dotted form produced by `Display`.
    pub fn parse(s: &str) -> Option<FieldPath> {
        let mut out = FieldPath::root();
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'.' => i += 1,
                b'[' => {
                    if b.get(i + 1) == Some(&b'"') {
                        let rest = &s[i + 2..];
                        let end = rest.find("\"]")?;
                        out.0
                            .push(Seg::Key(Cow::Owned(rest[..end].replace("\\\"", "\""))));
                        i += 2 + end + 2;
                    } else {
                        let rest = &s[i + 1..];
                        let end = rest.find(']')?;
                        out.0.push(Seg::Index(rest[..end].parse().ok()?));
                        i += 1 + end + 1;
                    }
                }
                _ => {
                    let rest = &s[i..];
                    let end = rest.find(['.', '[']).unwrap_or(rest.len());
                    out.0.push(Seg::Key(key(&rest[..end])));
                    i += end;
                }
            }
        }
        Some(out)
    }
}

impl FieldPath {
    /// The dotted form (what `Display` prints), in a string allocated once
    /// at about its final size.
    pub fn to_dotted(&self) -> String {
        let estimate: usize = self
            .0
            .iter()
            .map(|s| match s {
                Seg::Key(k) => k.len() + 5,
                Seg::Index(_) => 6,
            })
            .sum();
        let mut out = String::with_capacity(estimate);
        self.write_dotted(&mut out);
        out
    }

    /// Appends the dotted form to `out`.
    pub fn write_dotted(&self, out: &mut String) {
        for (n, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if plain_key(k) => {
                    if n > 0 {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Seg::Key(k) => {
                    out.push_str("[\"");
                    for (i, part) in k.split('"').enumerate() {
                        if i > 0 {
                            out.push_str("\\\"");
                        }
                        out.push_str(part);
                    }
                    out.push_str("\"]");
                }
                Seg::Index(i) => {
                    out.push('[');
                    push_decimal(out, *i);
                    out.push(']');
                }
            }
        }
    }
}

/// Appends `n` in decimal.
pub(crate) fn push_decimal(out: &mut String, n: usize) {
    out.push_str(decimal(n, &mut [0; 20]));
}

/// `n` in decimal, written at the end of `digits` (without the formatting
/// machinery of `write!`, which costs several times as much on hot paths).
pub fn decimal(mut n: usize, digits: &mut [u8; 20]) -> &str {
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // ASCII digits only, so always valid UTF-8.
    std::str::from_utf8(&digits[at..]).unwrap_or("0")
}

/// The bytes a key written without brackets may hold.
const PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'$';
        c += 1;
    }
    t
};

fn plain_key(k: &str) -> bool {
    !k.is_empty() && k.bytes().all(|c| PLAIN[usize::from(c)])
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_dotted())
    }
}

impl Serialize for FieldPath {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_parse_round_trip() {
        let p = FieldPath::keys("spec.template.spec")
            .key("containers")
            .index(0)
            .key("securityContext");
        assert_eq!(
            p.to_string(),
            "spec.template.spec.containers[0].securityContext"
        );
        assert_eq!(FieldPath::parse(&p.to_string()), Some(p.clone()));
        assert_eq!(p.to_dotted(), p.to_string());
        let a = FieldPath::keys("metadata.annotations").key("eyelint.io/exempt");
        assert_eq!(a.to_string(), "metadata.annotations[\"eyelint.io/exempt\"]");
        assert_eq!(FieldPath::parse(&a.to_string()), Some(a.clone()));
        assert_eq!(a.to_pointer(), "/metadata/annotations/eyelint.io~1exempt");
    }

    #[test]
    fn dotted_form_of_every_kind_of_segment() {
        let p = FieldPath::root()
            .index(7)
            .key("a b")
            .key("plain_Key-1$")
            .key("say \"hi\"")
            .index(0)
            .index(1_234_567)
            .key("x");
        assert_eq!(
            p.to_dotted(),
            "[7][\"a b\"].plain_Key-1$[\"say \\\"hi\\\"\"][0][1234567].x"
        );
        assert_eq!(p.to_string(), p.to_dotted());
        assert_eq!(FieldPath::root().to_dotted(), "");
        assert_eq!(FieldPath::keys("ü").to_dotted(), "[\"ü\"]");
    }

    #[test]
    fn nearest_existing_stops_at_missing_field() {
        let v: Value = serde_json::json!({"spec": {"containers": [{"name": "a"}]}});
        let p = FieldPath::keys("spec.containers")
            .index(0)
            .key("securityContext");
        assert_eq!(p.nearest_existing(&v).to_string(), "spec.containers[0]");
    }

    #[test]
    fn decimals() {
        for n in [0, 7, 10, 99, 100, 12345, usize::MAX] {
            assert_eq!(decimal(n, &mut [0; 20]), n.to_string());
        }
    }
}
