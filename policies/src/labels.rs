//! Kubernetes label-selector semantics: `matchLabels` and `matchExpressions`
//! (`In`, `NotIn`, `Exists`, `DoesNotExist`); an empty selector selects everything.

use crate::object::Field;
use serde_json::{Map, Value};

/// Whether `selector` (a LabelSelector object) selects an object with `labels`.
///
/// A missing or `null` selector selects nothing (as for a PDB without a
/// selector); an empty one (`{}`) selects everything. A malformed selector
/// (unknown operator, wrong types) selects nothing.
pub fn selector_matches(selector: Option<&Value>, labels: Option<&Map<String, Value>>) -> bool {
    let Some(sel) = selector.and_then(Value::as_object) else {
        return false;
    };
    let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
    if let Some(ml) = sel.field("matchLabels") {
        let Some(ml) = ml.as_object() else {
            return ml.is_null();
        };
        for (k, v) in ml {
            if get(k) != v.as_str() {
                return false;
            }
        }
    }
    if let Some(exprs) = sel.field("matchExpressions") {
        let Some(exprs) = exprs.as_array() else {
            return exprs.is_null();
        };
        for e in exprs {
            let key = e.field("key").and_then(Value::as_str).unwrap_or("");
            let values: Vec<&str> = e
                .field("values")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let have = get(key);
            let ok = match e.field("operator").and_then(Value::as_str) {
                Some("In") => have.is_some_and(|h| values.contains(&h)),
                Some("NotIn") => have.is_none_or(|h| !values.contains(&h)),
                Some("Exists") => have.is_some(),
                Some("DoesNotExist") => have.is_none(),
                _ => false,
            };
            if !ok {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn match_labels_and_expressions() {
        let l = labels(json!({"app": "web", "tier": "front"}));
        assert!(selector_matches(Some(&json!({})), Some(&l)));
        assert!(selector_matches(
            Some(&json!({"matchLabels": {"app": "web"}})),
            Some(&l)
        ));
        assert!(!selector_matches(
            Some(&json!({"matchLabels": {"app": "db"}})),
            Some(&l)
        ));
        let sel = json!({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "x"]}]});
        assert!(selector_matches(Some(&sel), Some(&l)));
        let sel = json!({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]});
        assert!(!selector_matches(Some(&sel), Some(&l)));
        let sel = json!({"matchExpressions": [{"key": "zone", "operator": "DoesNotExist"}]});
        assert!(selector_matches(Some(&sel), Some(&l)));
        let sel = json!({"matchExpressions": [{"key": "zone", "operator": "Bogus"}]});
        assert!(!selector_matches(Some(&sel), Some(&l)));
        assert!(!selector_matches(None, Some(&l)));
    }
}
