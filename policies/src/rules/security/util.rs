//! Helpers shared by the security rules: a container's `securityContext`
//! looked up once, field paths, JSON Patch operations built directly (no JSON
//! round trip, no path clones), and capability-name comparison.
//!
//! These run for every container of every workload, so they avoid repeated
//! map lookups (keys hash with SipHash) and allocations.

use crate::object::Field;
use serde_json::{Map, Value};

use crate::finding::FixSafety;
use crate::object::ContainerRef;
use crate::path::FieldPath;
use crate::rule::{Ctx, Hit};

pub(crate) use crate::rules::patch::{add, remove, replace, sub, Op};

/// Attaches patch operations to a hit (no JSON round trip, unlike
/// [`Hit::with_fix`]).
pub(crate) trait WithPatch {
    /// Sets the hit's fix.
    fn with_patch(&mut self, ops: Vec<Op>, safety: FixSafety);
}

impl WithPatch for Hit {
    fn with_patch(&mut self, ops: Vec<Op>, safety: FixSafety) {
        crate::rules::patch::set_fix(self, ops, safety);
    }
}

/// A container with its `securityContext` looked up once.
pub(crate) struct Sc<'c, 'a> {
    /// The container.
    pub c: &'c ContainerRef<'a>,
    /// Its `securityContext`, when it is an object.
    pub map: Option<&'a Map<String, Value>>,
}

impl<'c, 'a> Sc<'c, 'a> {
    /// Looks up the container's `securityContext`.
    pub fn of(c: &'c ContainerRef<'a>) -> Self {
        Sc {
            c,
            map: c.value.field("securityContext").and_then(Value::as_object),
        }
    }

    /// A field of the `securityContext`, if set (not null).
    pub fn field(&self, name: &str) -> Option<&'a Value> {
        self.map
            .and_then(|sc| sc.field(name))
            .filter(|v| !v.is_null())
    }

    /// Path to `securityContext.<field>` when the field exists, else to the
    /// `securityContext` when it is an object, else to the container.
    pub fn field_path(&self, field: &str) -> FieldPath {
        match self.map {
            Some(sc) if sc.field(field).is_some() => sub(&self.c.path, &["securityContext", field]),
            Some(_) => sub(&self.c.path, &["securityContext"]),
            None => self.c.path.clone(),
        }
    }

    /// Operations that set `securityContext.<field>` to `value`, creating
    /// the `securityContext` when it is missing or null.
    pub fn set_ops(&self, field: &str, value: Value) -> Vec<Op> {
        if self.map.is_some() {
            vec![add(&self.c.path, &["securityContext", field], value)]
        } else {
            vec![add(
                &self.c.path,
                &["securityContext"],
                OneField(field, &value),
            )]
        }
    }

    /// The `capabilities` object, when set.
    pub fn capabilities(&self) -> Option<&'a Map<String, Value>> {
        self.field("capabilities").and_then(Value::as_object)
    }

    /// The strings of `capabilities.<list>` (`add` / `drop`) with their
    /// indexes; non-string entries are skipped.
    pub fn cap_list(&self, list: &str) -> impl Iterator<Item = (usize, &'a str)> + 'a {
        self.capabilities()
            .and_then(|caps| caps.get(list))
            .and_then(Value::as_array)
            .into_iter()
            .flat_map(|a| a.iter().enumerate())
            .filter_map(|(i, v)| v.as_str().map(|s| (i, s)))
    }
}

/// A capability name without its optional `CAP_` prefix (any case), as the
/// container runtimes accept both spellings.
fn bare_capability(name: &str) -> &str {
    match name.get(..4) {
        Some(p) if p.eq_ignore_ascii_case("CAP_") => &name[4..],
        _ => name,
    }
}

/// True when capability `name`, in an `add` list, may be `wanted` (an
/// upper-case bare name such as `SYS_ADMIN`): compared case-insensitively,
/// ignoring a `CAP_` prefix and blanks, so that any spelling a runtime might
/// grant counts.
pub(crate) fn capability_is(name: &str, wanted: &str) -> bool {
    bare_capability(name.trim()).eq_ignore_ascii_case(wanted)
}

/// True when every container runtime drops `wanted` (an upper-case bare
/// name, or `ALL`) for `name` in a `drop` list: the bare name in any case.
/// containerd puts `CAP_` before each entry itself, so it drops nothing for
/// `CAP_NET_RAW` (it looks for `CAP_CAP_NET_RAW`), nor everything for
/// `CAP_ALL`; it compares `ALL` without case and trims nothing.
pub(crate) fn drop_is(name: &str, wanted: &str) -> bool {
    name.eq_ignore_ascii_case(wanted)
}

/// True when a `drop` entry drops something on every runtime: not spelled
/// with the `CAP_` prefix, which containerd doubles (see [`drop_is`]).
pub(crate) fn drops_something(name: &str) -> bool {
    !name.is_empty()
        && !name
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("CAP_"))
}

/// True when the pod declares `spec.os.name: windows`: Kubernetes then
/// forbids the Linux-only security fields (`allowPrivilegeEscalation`,
/// `readOnlyRootFilesystem`, `capabilities`, `seccompProfile`, …), so rules
/// that demand them do not apply.
pub(crate) fn is_windows_pod(cx: &Ctx<'_>) -> bool {
    cx.workload()
        .and_then(|w| w.pod_spec.field("os"))
        .and_then(|os| os.field("name"))
        .and_then(Value::as_str)
        == Some("windows")
}

/// True when a boolean field is exactly `true`.
pub(crate) fn is_true(v: Option<&Value>) -> bool {
    v == Some(&Value::Bool(true))
}

/// A JSON object of one field, serialized as a `Map` holding it would be,
/// without building the map.
struct OneField<'a>(&'a str, &'a Value);

impl serde::Serialize for OneField<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry(self.0, self.1)?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::patch::pointer;

    #[test]
    fn pointers_escape_and_index() {
        let base = FieldPath::keys("metadata.annotations").key("a/b~c");
        assert_eq!(
            pointer(&base, &["x"]).as_str(),
            "/metadata/annotations/a~1b~0c/x"
        );
        let c = FieldPath::keys("spec.containers").index(3);
        assert_eq!(
            pointer(&c, &["securityContext"]).as_str(),
            "/spec/containers/3/securityContext"
        );
        assert_eq!(pointer(&FieldPath::root(), &[]).as_str(), "");
        let big = FieldPath::keys("a").index(0).index(10).index(12345);
        assert_eq!(pointer(&big, &[]).as_str(), "/a/0/10/12345");
    }

    #[test]
    fn capability_names() {
        assert!(capability_is("cap_sys_admin", "SYS_ADMIN"));
        assert!(capability_is(" NET_ADMIN ", "NET_ADMIN"));
        assert!(!capability_is("CAP_", "ALL"));
        assert!(!capability_is("SYS_ADMINX", "SYS_ADMIN"));
        assert!(drop_is("all", "ALL") && drop_is("Net_Raw", "NET_RAW"));
        assert!(!drop_is("CAP_ALL", "ALL") && !drop_is("CAP_NET_RAW", "NET_RAW"));
        assert!(!drop_is(" ALL", "ALL"));
        assert!(drops_something("NET_RAW") && drops_something("ALL"));
        assert!(!drops_something("cap_net_raw") && !drops_something(""));
    }

    #[test]
    fn one_field_is_written_as_its_map() {
        for v in [
            Value::Bool(true),
            serde_json::json!({"type": "RuntimeDefault", "q": "\"x\""}),
        ] {
            let mut m = Map::new();
            m.insert("a\"b".to_string(), v.clone());
            assert_eq!(
                serde_json::to_string(&OneField("a\"b", &v)).unwrap(),
                serde_json::to_string(&Value::Object(m)).unwrap()
            );
        }
    }
}
