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

/// Keywords whose values are data, not schemas: nothing under them is
/// touched by [`drop_null_keywords`], and a null there means null.
const DATA_KEYWORDS: [&str; 4] = ["const", "enum", "default", "examples"];

/// Drops every keyword whose value is null, in the schema and its subschemas.
/// Polaris's validator (qri-io/jsonschema) decodes each keyword into a Go
/// slice, map or pointer, where JSON null is the same as the keyword being
/// absent; its templated checks rely on it (`required:` rendered empty when
/// an `{{ if }}` is false, as in Polaris's own `linuxHardening`). Standard
/// JSON Schema would refuse `required: null`. `const: null` keeps its meaning.
fn drop_null_keywords(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|k, v| !v.is_null() || DATA_KEYWORDS.contains(&k.as_str()));
            for (k, v) in m.iter_mut() {
                if SCHEMA_MAPS.contains(&k.as_str()) {
                    // Keys here are names (a property called `default`),
                    // each value a schema.
                    if let Value::Object(named) = v {
                        named.retain(|_, s| !s.is_null());
                        named.values_mut().for_each(drop_null_keywords);
                    }
                } else if !DATA_KEYWORDS.contains(&k.as_str()) {
                    drop_null_keywords(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(drop_null_keywords),
        _ => {}
    }
}

/// Keywords whose value maps names to subschemas (draft 7's `dependencies`
/// maps them to a subschema or a list of names).
const SCHEMA_MAPS: [&str; 6] = [
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
    "dependencies",
];

/// Compiles `schema`, refusing every external reference. Keywords set to
/// null are left out first, as Polaris leaves them out.
pub fn compile(schema: &Value) -> Result<Compiled, String> {
    if has_null(schema) {
        let mut owned = schema.clone();
        drop_null_keywords(&mut owned);
        return compile_as_is(&owned);
    }
    compile_as_is(schema)
}

fn has_null(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.values().any(has_null),
        Value::Array(items) => items.iter().any(has_null),
        _ => false,
    }
}

fn compile_as_is(schema: &Value) -> Result<Compiled, String> {
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
    fn null_keywords_are_absent_as_in_polaris() {
        // `required:` left empty by a template is no requirement.
        let s = compile(&json!({
            "type": "object",
            "required": null,
            "properties": {
                "image": {"type": "string", "pattern": "^good/"},
                "name": null,
                "default": {"type": "string", "minLength": null}
            },
            "anyOf": [{"required": null}, {"required": ["image"]}]
        }))
        .unwrap();
        assert!(s.is_valid(&json!({"name": "c"})));
        assert!(s.is_valid(&json!({"image": "good/a:1"})));
        assert!(!s.is_valid(&json!({"image": "bad/a:1"})));
        assert!(!s.is_valid(&json!({"default": 1})));
        // Data keeps its nulls: `const: null` matches null only, and an
        // `enum` may hold null.
        let s = compile(&json!({"properties": {"a": {"const": null}, "b": {"enum": [null, 1]}}}))
            .unwrap();
        assert!(s.is_valid(&json!({"a": null, "b": null})));
        assert!(!s.is_valid(&json!({"a": 1})));
        assert!(!s.is_valid(&json!({"b": 2})));
        // A property called `default` under draft 7's `dependencies`.
        let s =
            compile(&json!({"dependencies": {"default": {"required": null}, "image": ["name"]}}))
                .unwrap();
        assert!(s.is_valid(&json!({"default": 1})));
        assert!(!s.is_valid(&json!({"image": "x"})));
        let s = compile(&json!({"const": {"x": null}})).unwrap();
        assert!(s.is_valid(&json!({"x": null})));
        assert!(!s.is_valid(&json!({})));
    }

    #[test]
    fn remote_refs_are_refused() {
        assert!(compile(&json!({"$ref": "https://example.com/s.json"})).is_err());
        assert!(compile(&json!({"$ref": "file:///etc/passwd"})).is_err());
        assert!(compile(&json!({"type": "nonsense"})).is_err());
    }
}
