//! Helpers shared by the security rules: reading a container's
//! `securityContext`, addressing its fields, building patches that apply
//! whether or not the `securityContext` exists, and comparing capability names.

use json_patch::jsonptr::{PointerBuf, Token};
use json_patch::{AddOperation, Patch, PatchOperation, RemoveOperation, ReplaceOperation};
use serde_json::{Map, Value};

use crate::finding::{Fix, FixSafety};
use crate::object::ContainerRef;
use crate::path::{FieldPath, Seg};
use crate::rule::{Ctx, Hit};

/// `base` extended by `keys`, with one allocation of the segment list.
pub(crate) fn sub(base: &FieldPath, keys: &[&str]) -> FieldPath {
    let mut p = base.clone();
    for k in keys {
        p.push_key(k);
    }
    p
}

/// The JSON Pointer of `p`, built without formatting and re-parsing.
fn pointer(p: &FieldPath) -> PointerBuf {
    PointerBuf::from_tokens(p.segments().iter().map(|s| match s {
        Seg::Key(k) => Token::new(k.as_str()),
        Seg::Index(i) => Token::from(*i),
    }))
}

/// A JSON Patch `add` of `value` at `p`.
pub(crate) fn add(p: &FieldPath, value: Value) -> PatchOperation {
    PatchOperation::Add(AddOperation {
        path: pointer(p),
        value,
    })
}

/// A JSON Patch `remove` of `p`.
pub(crate) fn remove(p: &FieldPath) -> PatchOperation {
    PatchOperation::Remove(RemoveOperation { path: pointer(p) })
}

/// A JSON Patch `replace` of `p` by `value`.
pub(crate) fn replace(p: &FieldPath, value: Value) -> PatchOperation {
    PatchOperation::Replace(ReplaceOperation {
        path: pointer(p),
        value,
    })
}

/// Attaches typed patch operations to a hit (no JSON round trip, unlike
/// [`Hit::with_fix`], which matters on the hot path).
pub(crate) trait WithPatch {
    /// Sets the hit's fix.
    fn with_patch(&mut self, ops: Vec<PatchOperation>, safety: FixSafety);
}

impl WithPatch for Hit {
    fn with_patch(&mut self, ops: Vec<PatchOperation>, safety: FixSafety) {
        self.fix = Some(Fix {
            patch: Patch(ops),
            safety,
        });
    }
}

/// The container's `securityContext` when it is an object.
pub(crate) fn security_context<'a>(c: &ContainerRef<'a>) -> Option<&'a Map<String, Value>> {
    c.value.get("securityContext").and_then(Value::as_object)
}

/// A field of the container's `securityContext`, if set (not null).
pub(crate) fn sc_field<'a>(c: &ContainerRef<'a>, field: &str) -> Option<&'a Value> {
    security_context(c)
        .and_then(|sc| sc.get(field))
        .filter(|v| !v.is_null())
}

/// Path to `securityContext.<field>` of the container when the field exists,
/// else to the `securityContext` when it is an object, else to the container.
pub(crate) fn sc_field_path(c: &ContainerRef<'_>, field: &str) -> FieldPath {
    match security_context(c) {
        Some(sc) if sc.contains_key(field) => sub(&c.path, &["securityContext", field]),
        Some(_) => c.path.key("securityContext"),
        None => c.path.clone(),
    }
}

/// JSON Patch operations that set `securityContext.<field>` of the container
/// to `value`, creating the `securityContext` when it is missing or null.
pub(crate) fn set_sc_field_ops(
    c: &ContainerRef<'_>,
    field: &str,
    value: Value,
) -> Vec<PatchOperation> {
    if security_context(c).is_some() {
        vec![add(&sub(&c.path, &["securityContext", field]), value)]
    } else {
        let mut m = Map::new();
        m.insert(field.to_string(), value);
        vec![add(&c.path.key("securityContext"), Value::Object(m))]
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

/// True when capability `name` is `wanted` (an upper-case bare name such as
/// `SYS_ADMIN`), comparing case-insensitively and ignoring a `CAP_` prefix.
pub(crate) fn capability_is(name: &str, wanted: &str) -> bool {
    bare_capability(name.trim()).eq_ignore_ascii_case(wanted)
}

/// The strings of a capability list (`capabilities.add` / `drop`), with
/// their indexes; non-string entries are skipped.
pub(crate) fn capability_list<'a>(
    c: &ContainerRef<'a>,
    list: &str,
) -> impl Iterator<Item = (usize, &'a str)> + 'a {
    sc_field(c, "capabilities")
        .and_then(|caps| caps.get(list))
        .and_then(Value::as_array)
        .into_iter()
        .flat_map(|a| a.iter().enumerate())
        .filter_map(|(i, v)| v.as_str().map(|s| (i, s)))
}

/// True when the pod declares `spec.os.name: windows`: Kubernetes then
/// forbids the Linux-only security fields (`allowPrivilegeEscalation`,
/// `readOnlyRootFilesystem`, `capabilities`, `seccompProfile`, …), so rules
/// that demand them do not apply.
pub(crate) fn is_windows_pod(cx: &Ctx<'_>) -> bool {
    cx.workload()
        .and_then(|w| w.pod_spec.get("os"))
        .and_then(|os| os.get("name"))
        .and_then(Value::as_str)
        == Some("windows")
}

/// True when a boolean field is exactly `true`.
pub(crate) fn is_true(v: Option<&Value>) -> bool {
    v == Some(&Value::Bool(true))
}
