//! JSON Schema compilation for custom checks: offline (no remote or file
//! `$ref`), draft 2019-09 unless the schema names its own `$schema`, plus
//! Polaris's `resourceMinimum` / `resourceMaximum` keywords, which compare
//! Kubernetes quantities by value.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jsonschema::paths::Location;
use jsonschema::{Keyword, ValidationError, Validator};
use serde_json::{Map, Value};

use crate::quantity::Quantity;

/// A compiled schema.
pub type Compiled = Arc<Validator>;

/// Compiles `schema`, refusing every external reference.
pub fn compile(schema: &Value) -> Result<Compiled, String> {
    let mut opts = jsonschema::options()
        .offline()
        .with_keyword(
            "resourceMinimum",
            |_p: &Map<String, Value>, v: &Value, _l: Location| {
                range_keyword(v, Ordering::Less, "resourceMinimum")
            },
        )
        .with_keyword(
            "resourceMaximum",
            |_p: &Map<String, Value>, v: &Value, _l: Location| {
                range_keyword(v, Ordering::Greater, "resourceMaximum")
            },
        );
    if schema.get("$schema").is_none() {
        opts = opts.with_draft(jsonschema::Draft::Draft201909);
    }
    opts.build(schema).map(Arc::new).map_err(|e| {
        let at = e.instance_path().as_str();
        if at.is_empty() {
            e.to_string()
        } else {
            format!("{e} (at `{at}`)")
        }
    })
}

/// `resourceMinimum: 100m` fails values below 100m; `resourceMaximum: 2Gi`
/// fails values above 2Gi. A value that is not a quantity fails.
struct ResourceRange {
    bound: Quantity,
    text: String,
    /// The ordering of `value` against `bound` that fails.
    fails_when: Ordering,
}

fn range_keyword<'a>(
    v: &'a Value,
    fails_when: Ordering,
    name: &str,
) -> Result<Box<dyn for<'i> Keyword<'i>>, ValidationError<'a>> {
    let bound =
        Quantity::from_value(v).map_err(|e| ValidationError::custom(format!("{name}: {e}")))?;
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Ok(Box::new(ResourceRange {
        bound,
        text,
        fails_when,
    }))
}

impl<'i> Keyword<'i> for ResourceRange {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        if self.is_valid(instance) {
            return Ok(());
        }
        let what = if self.fails_when == Ordering::Less {
            "less than the minimum"
        } else {
            "greater than the maximum"
        };
        Err(ValidationError::custom(format!(
            "{instance} is {what} {}",
            self.text
        )))
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        match Quantity::from_value(instance) {
            Ok(q) => q.cmp(&self.bound) != self.fails_when,
            Err(_) => false,
        }
    }
}

/// Compiled schemas keyed by their rendered text, for templated schemas.
/// Bounded: when full, it starts over (rendered texts repeat per workload
/// shape, so a small cache catches nearly every repeat).
#[derive(Debug, Default)]
pub struct Cache {
    map: Mutex<HashMap<String, Result<Compiled, String>>>,
}

/// Entries kept before the cache is cleared.
pub const CACHE_CAPACITY: usize = 512;

impl Cache {
    /// The compiled schema for `text`, compiling (with `parse`) on a miss.
    pub fn get_or_compile(
        &self,
        text: &str,
        parse: impl FnOnce(&str) -> Result<Value, String>,
    ) -> Result<Compiled, String> {
        if let Ok(map) = self.map.lock() {
            if let Some(hit) = map.get(text) {
                return hit.clone();
            }
        }
        let result = parse(text).and_then(|v| compile(&v));
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= CACHE_CAPACITY {
                map.clear();
            }
            map.insert(text.to_string(), result.clone());
        }
        result
    }

    /// Number of cached entries.
    pub fn len(&self) -> usize {
        self.map.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl std::fmt::Debug for ResourceRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceRange")
            .field("bound", &self.text)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resource_range_compares_quantities() {
        let s = compile(
            &json!({"properties": {"cpu": {"resourceMinimum": "100m", "resourceMaximum": "2"}}}),
        )
        .unwrap();
        assert!(s.is_valid(&json!({"cpu": "1"})));
        assert!(s.is_valid(&json!({"cpu": 1.5})));
        assert!(s.is_valid(&json!({"cpu": "100m"})));
        assert!(!s.is_valid(&json!({"cpu": 0.05})));
        assert!(!s.is_valid(&json!({"cpu": "3"})));
        assert!(!s.is_valid(&json!({"cpu": "lots"})));
        assert!(s.validate(&json!({"cpu": "3"})).is_err());
    }

    #[test]
    fn remote_refs_are_refused() {
        assert!(compile(&json!({"$ref": "https://example.com/s.json"})).is_err());
        assert!(compile(&json!({"$ref": "file:///etc/passwd"})).is_err());
        assert!(compile(&json!({"type": "nonsense"})).is_err());
    }
}
