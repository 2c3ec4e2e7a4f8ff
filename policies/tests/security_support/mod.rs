//! Shared helpers for the security rule tests: run one rule alone over
//! objects, and check that its fixes apply and resolve the finding.
#![allow(dead_code)]

use eyelint_policies::finding::Finding;
use eyelint_policies::{Config, Coverage, Engine, Evaluation, Severity};
use serde_json::{json, Value};

/// An engine with only `id` enabled (at its default severity).
pub fn engine_for(id: &str) -> Engine {
    engine_with(id, |_| {})
}

/// An engine with only `id` enabled, after `tweak` adjusts the config.
pub fn engine_with(id: &str, tweak: impl FnOnce(&mut Config)) -> Engine {
    let mut cfg = Config::defaults();
    assert!(cfg.checks.contains_key(id), "unknown rule {id}");
    for (k, v) in cfg.checks.iter_mut() {
        if k != id {
            *v = Severity::Ignore;
        }
    }
    tweak(&mut cfg);
    Engine::new(cfg).unwrap()
}

/// Runs rule `id` over `objects` (a complete input) and returns one
/// evaluation per object.
pub fn run(id: &str, objects: &[Value]) -> Vec<Evaluation> {
    engine_for(id).check_all(objects, Coverage::All)
}

/// Findings of rule `id` on the first object of `objects`.
pub fn findings(id: &str, objects: &[Value]) -> Vec<Finding> {
    run(id, objects).remove(0).findings
}

/// Findings of rule `id` on a single object.
pub fn on(id: &str, object: Value) -> Vec<Finding> {
    findings(id, &[object])
}

/// Paths of the findings, as strings.
pub fn paths(f: &[Finding]) -> Vec<String> {
    f.iter().map(|f| f.path.to_string()).collect()
}

/// A Deployment whose pod spec is `pod_spec`.
pub fn deployment(pod_spec: Value) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": pod_spec}
        }
    })
}

/// A Pod whose spec is `spec`.
pub fn pod(spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec})
}

/// A Deployment with one container `app` whose fields are `container`
/// (merged with name and image).
pub fn with_container(container: Value) -> Value {
    let mut c = json!({"name": "app", "image": "registry.example.com/app:1.0"});
    if let (Some(m), Value::Object(extra)) = (c.as_object_mut(), container) {
        m.extend(extra);
    }
    deployment(json!({"containers": [c]}))
}

/// Applies each finding's fix (one at a time, to a fresh copy) and asserts
/// the patch applies and the rule no longer reports that finding's container.
pub fn assert_fixes_resolve(id: &str, object: &Value) {
    let found = on(id, object.clone());
    assert!(!found.is_empty(), "{id}: expected findings on {object}");
    for f in &found {
        let Some(fix) = &f.fix else { continue };
        let fixed = fix
            .apply(object)
            .unwrap_or_else(|e| panic!("{id}: fix does not apply: {e}: {object}"));
        let after = on(id, fixed.clone());
        let same = after
            .iter()
            .filter(|g| g.container == f.container && g.path == f.path)
            .count();
        assert_eq!(same, 0, "{id}: fix did not resolve {}: {fixed}", f.path);
    }
}
