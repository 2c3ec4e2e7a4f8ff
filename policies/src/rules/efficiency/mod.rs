//! Efficiency rules: every long-running container declares CPU and memory
//! requests and limits, as valid quantities.

use crate::object::Field;
use serde_json::{Map, Value};

use crate::finding::FixSafety;
use crate::path::FieldPath;
use crate::quantity::{without_digits, Quantity, QuantityError};
use crate::rule::{Ctx, Emitter, Rule};
use crate::rules::patch::Op;
use crate::rules::reliability::util::{add, set_fix, sub};

mod cpu_limits_missing;
mod cpu_requests_missing;
mod memory_limits_missing;
mod memory_requests_missing;

pub use cpu_limits_missing::CpuLimitsMissing;
pub use cpu_requests_missing::CpuRequestsMissing;
pub use memory_limits_missing::MemoryLimitsMissing;
pub use memory_requests_missing::MemoryRequestsMissing;

/// Every efficiency rule.
pub fn all() -> Vec<&'static dyn Rule> {
    vec![
        &CpuRequestsMissing,
        &CpuLimitsMissing,
        &MemoryRequestsMissing,
        &MemoryLimitsMissing,
    ]
}

/// Which `resources` entry a rule wants.
pub(crate) struct ResourceField {
    /// `requests` or `limits`.
    pub section: &'static str,
    /// `cpu` or `memory`.
    pub resource: &'static str,
    /// How messages name it (`cpu request`).
    pub noun: &'static str,
    /// The placeholder the fix writes.
    pub placeholder: &'static str,
}

/// Checks that the container under test sets `resources.<section>.<resource>`
/// to a valid quantity above zero.
///
/// A missing request is satisfied by a valid limit of the same resource above
/// zero: the API server copies the limit into the request in that case.
pub(crate) fn check_resource(cx: &Ctx<'_>, out: &mut Emitter, field: &ResourceField) {
    let Some(c) = cx.container else { return };
    let resources = c.value.field("resources");
    let section = resources.and_then(|r| r.field(field.section));
    let value = section.and_then(|s| s.field(field.resource));
    match value {
        None | Some(Value::Null) => {
            if field.section == "requests" {
                let limit = resources
                    .and_then(|r| r.field("limits"))
                    .and_then(|l| l.field(field.resource));
                let positive = |q: Quantity| !q.is_negative() && !q.is_zero();
                if limit.is_some_and(|l| Quantity::from_value(l).is_ok_and(positive)) {
                    return;
                }
            }
            // The deepest existing ancestor of the missing field.
            let path = match (resources, section) {
                (None, _) => c.path.clone(),
                (Some(_), None) => sub(&c.path, &["resources"]),
                (Some(_), Some(_)) => sub(&c.path, &["resources", field.section]),
            };
            let fix = add_op(&c.path, resources, section, field);
            let hit = out.fail(path, format!("{} is not set", field.noun));
            set_fix(hit, vec![fix], FixSafety::Unsafe);
        }
        Some(v) => {
            // Built only for a failure: most containers pass.
            let path = || sub(&c.path, &["resources", field.section, field.resource]);
            match Quantity::from_value(v) {
                // Kubernetes reads a zero as nothing: the kubelet sets no
                // memory limit or CPU quota for it, the scheduler reserves
                // nothing, and QoS classes ignore it. A number without
                // digits (`m`) is most often a template that rendered
                // nothing.
                Ok(q) if q.is_zero() => {
                    let (noun, shown) = (field.noun, show(v));
                    let message = if without_digits(v) {
                        format!("{noun} `{shown}` has no digits: the API server reads it as 0")
                    } else if field.section == "limits" {
                        format!("{noun} `{shown}` is 0, which Kubernetes reads as no limit")
                    } else {
                        format!("{noun} `{shown}` is 0: the scheduler reserves nothing for the container")
                    };
                    let fix = add_op(&c.path, resources, section, field);
                    let hit = out.fail(path(), message);
                    set_fix(hit, vec![fix], FixSafety::Unsafe);
                }
                Ok(q) if q.is_negative() => {
                    out.fail(path(), format!("{} `{}` is negative", field.noun, show(v)));
                }
                Ok(_) => {}
                Err(QuantityError::Empty) => {
                    let fix = add_op(&c.path, resources, section, field);
                    let hit = out.fail(path(), format!("{} is empty", field.noun));
                    set_fix(hit, vec![fix], FixSafety::Unsafe);
                }
                Err(QuantityError::WrongType(t)) => {
                    out.fail(path(), format!("{} is {t}, not a quantity", field.noun));
                }
                Err(e @ QuantityError::OutOfRange(_)) => {
                    out.fail(path(), format!("{}: {e}", field.noun));
                }
                Err(_) => {
                    out.fail(
                        path(),
                        format!("{} `{}` is not a valid quantity", field.noun, show(v)),
                    );
                }
            }
        }
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The value a fix writes: the placeholder, except that a limit is never
/// written below the container's valid request of the same resource (the
/// API server refuses a request above its limit, so the fix would turn an
/// admitted object into a refused one); then it is the request's value.
fn fix_value(resources: Option<&Value>, field: &ResourceField) -> Value {
    let placeholder = Value::String(field.placeholder.to_string());
    if field.section != "limits" {
        return placeholder;
    }
    let request = resources
        .and_then(|r| r.field("requests"))
        .and_then(|r| r.field(field.resource));
    let (Some(request), Ok(bound)) = (request, Quantity::parse(field.placeholder)) else {
        return placeholder;
    };
    match Quantity::from_value(request) {
        Ok(q) if q > bound => Value::String(show(request).trim().to_string()),
        _ => placeholder,
    }
}

/// The JSON Patch `add` that sets the field, creating `resources` and the
/// section when they are missing (or not mappings, e.g. `limits:` left null).
fn add_op(
    container: &FieldPath,
    resources: Option<&Value>,
    section: Option<&Value>,
    field: &ResourceField,
) -> Op {
    let placeholder = fix_value(resources, field);
    let one = |k: &str, v: Value| {
        let mut m = Map::new();
        m.insert(k.to_string(), v);
        Value::Object(m)
    };
    if !resources.is_some_and(Value::is_object) {
        add(
            container,
            &["resources"],
            one(field.section, one(field.resource, placeholder)),
        )
    } else if !section.is_some_and(Value::is_object) {
        add(
            container,
            &["resources", field.section],
            one(field.resource, placeholder),
        )
    } else {
        add(
            container,
            &["resources", field.section, field.resource],
            placeholder,
        )
    }
}
