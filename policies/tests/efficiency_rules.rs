//! Edge cases of the efficiency rules (cpu/memory requests and limits).

use std::collections::BTreeMap;

use eyelint_policies::{Config, Coverage, Engine, Evaluation, Finding, FixSafety, Severity};
use serde_json::{json, Value};

fn engine(id: &str) -> Engine {
    let mut config = Config::defaults();
    config.checks = BTreeMap::from([(id.to_string(), Severity::Warning)]);
    Engine::new(config).unwrap()
}

fn eval(id: &str, obj: &Value) -> Evaluation {
    engine(id)
        .check_all(std::slice::from_ref(obj), Coverage::All)
        .remove(0)
}

fn findings(id: &str, obj: &Value) -> Vec<Finding> {
    eval(id, obj).findings
}

fn pod(container: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns"},
           "spec": {"containers": [container]}})
}

fn app(resources: Value) -> Value {
    json!({"name": "app", "image": "registry.example.com/app:1", "resources": resources})
}

/// Applies the single finding's fix and checks the rule then passes.
fn fix_makes_it_pass(id: &str, obj: &Value) -> Value {
    let f = findings(id, obj);
    assert_eq!(f.len(), 1, "{f:?}");
    let fix = f[0].fix.as_ref().expect("a fix");
    assert_eq!(fix.safety, FixSafety::Unsafe);
    let fixed = fix.apply(obj).unwrap();
    assert!(findings(id, &fixed).is_empty(), "fix did not help: {fixed}");
    fixed
}

#[test]
fn numbers_and_strings_are_the_same_quantity() {
    for v in [
        json!(1),
        json!("1"),
        json!("1000m"),
        json!(0.5),
        json!("500m"),
    ] {
        let obj = pod(app(
            json!({"requests": {"cpu": v.clone()}, "limits": {"cpu": v.clone()}}),
        ));
        assert!(findings("cpuRequestsMissing", &obj).is_empty(), "{v}");
        assert!(findings("cpuLimitsMissing", &obj).is_empty(), "{v}");
    }
    let obj = pod(app(
        json!({"requests": {"memory": 1073741824}, "limits": {"memory": "1Gi"}}),
    ));
    assert!(findings("memoryRequestsMissing", &obj).is_empty());
    assert!(findings("memoryLimitsMissing", &obj).is_empty());
}

#[test]
fn missing_field_points_at_deepest_existing_ancestor() {
    // No resources at all: the container.
    let obj = pod(json!({"name": "app", "image": "x:1"}));
    let f = findings("cpuRequestsMissing", &obj);
    assert_eq!(f[0].path.to_string(), "spec.containers[0]");
    assert_eq!(f[0].message, "cpu request is not set");
    let fixed = fix_makes_it_pass("cpuRequestsMissing", &obj);
    assert_eq!(
        fixed["spec"]["containers"][0]["resources"],
        json!({"requests": {"cpu": "100m"}})
    );

    // resources present, requests missing.
    let obj = pod(app(json!({"limits": {"memory": "1Gi"}})));
    let f = findings("memoryRequestsMissing", &obj);
    assert!(f.is_empty(), "a memory limit implies the request");
    let f = findings("cpuRequestsMissing", &obj);
    assert_eq!(f[0].path.to_string(), "spec.containers[0].resources");
    let fixed = fix_makes_it_pass("cpuRequestsMissing", &obj);
    assert_eq!(
        fixed["spec"]["containers"][0]["resources"],
        json!({"limits": {"memory": "1Gi"}, "requests": {"cpu": "100m"}})
    );

    // limits left null (`limits:` in YAML): the fix replaces it.
    let obj = pod(app(json!({"limits": null})));
    let f = findings("memoryLimitsMissing", &obj);
    assert_eq!(f[0].path.to_string(), "spec.containers[0].resources.limits");
    let fixed = fix_makes_it_pass("memoryLimitsMissing", &obj);
    assert_eq!(
        fixed["spec"]["containers"][0]["resources"]["limits"],
        json!({"memory": "512Mi"})
    );

    // Section present, field missing: the fix keeps siblings.
    let obj = pod(app(json!({"limits": {"cpu": "100m"}})));
    let f = findings("memoryLimitsMissing", &obj);
    assert_eq!(f[0].path.to_string(), "spec.containers[0].resources.limits");
    let fixed = fix_makes_it_pass("memoryLimitsMissing", &obj);
    assert_eq!(
        fixed["spec"]["containers"][0]["resources"]["limits"],
        json!({"cpu": "100m", "memory": "512Mi"})
    );
}

#[test]
fn empty_invalid_and_negative_values() {
    let obj = pod(app(json!({"requests": {"cpu": ""}})));
    let f = findings("cpuRequestsMissing", &obj);
    assert_eq!(f[0].message, "cpu request is empty");
    assert_eq!(
        f[0].path.to_string(),
        "spec.containers[0].resources.requests.cpu"
    );
    fix_makes_it_pass("cpuRequestsMissing", &obj);

    let obj = pod(app(json!({"limits": {"memory": "lots"}})));
    let f = findings("memoryLimitsMissing", &obj);
    assert_eq!(f[0].message, "memory limit `lots` is not a valid quantity");
    assert!(f[0].fix.is_none(), "a typo needs a human");

    let obj = pod(app(json!({"limits": {"cpu": "-1"}})));
    assert_eq!(
        findings("cpuLimitsMissing", &obj)[0].message,
        "cpu limit `-1` is negative"
    );

    let obj = pod(app(json!({"requests": {"memory": {"a": 1}}})));
    assert_eq!(
        findings("memoryRequestsMissing", &obj)[0].message,
        "memory request is a mapping, not a quantity"
    );

    // No digits: the API server reads 0, which is almost always a template
    // that rendered nothing; the fix puts the placeholder in its place.
    let obj = pod(app(json!({"requests": {"cpu": "m", "memory": "512Mi"}})));
    let f = findings("cpuRequestsMissing", &obj);
    assert_eq!(
        f[0].message,
        "cpu request `m` has no digits: the API server reads it as 0"
    );
    assert_eq!(
        f[0].path.to_string(),
        "spec.containers[0].resources.requests.cpu"
    );
    let fixed = fix_makes_it_pass("cpuRequestsMissing", &obj);
    assert_eq!(
        fixed["spec"]["containers"][0]["resources"]["requests"],
        json!({"cpu": "100m", "memory": "512Mi"})
    );

    // Too large for eyelint (the API server takes it; no node has it).
    let obj = pod(app(json!({"limits": {"memory": "1e40"}})));
    assert!(findings("memoryLimitsMissing", &obj)[0]
        .message
        .starts_with("memory limit: `1e40` is out of range"));

    // Spaces are trimmed as the API server's decoder trims them; a tab is not.
    assert!(findings(
        "cpuLimitsMissing",
        &pod(app(json!({"limits": {"cpu": " 500m "}})))
    )
    .is_empty());
    assert_eq!(
        findings(
            "cpuLimitsMissing",
            &pod(app(json!({"limits": {"cpu": "\t1"}})))
        )[0]
        .message,
        "cpu limit `\t1` is not a valid quantity"
    );

    // Zero, however written, is nothing to Kubernetes: no limit, no
    // reservation; a zero limit does not stand in for a missing request.
    for zero in [
        json!("0"),
        json!(0),
        json!("0m"),
        json!("0.0Mi"),
        json!(" 0 "),
    ] {
        let obj = pod(app(
            json!({"limits": {"cpu": zero.clone(), "memory": zero.clone()}}),
        ));
        let shown = zero
            .as_str()
            .map_or_else(|| zero.to_string(), str::to_string);
        for (id, message) in [
            (
                "cpuLimitsMissing",
                format!("cpu limit `{shown}` is 0, which Kubernetes reads as no limit"),
            ),
            (
                "memoryLimitsMissing",
                format!("memory limit `{shown}` is 0, which Kubernetes reads as no limit"),
            ),
            ("cpuRequestsMissing", "cpu request is not set".to_string()),
            (
                "memoryRequestsMissing",
                "memory request is not set".to_string(),
            ),
        ] {
            let f = findings(id, &obj);
            assert_eq!(f.len(), 1, "{id} {zero}");
            assert_eq!(f[0].message, message, "{id} {zero}");
            fix_makes_it_pass(id, &obj);
        }
    }
    let obj = pod(app(json!({"requests": {"cpu": "0", "memory": "512Mi"}})));
    let f = findings("cpuRequestsMissing", &obj);
    assert_eq!(
        f[0].message,
        "cpu request `0` is 0: the scheduler reserves nothing for the container"
    );
    assert_eq!(
        f[0].path.to_string(),
        "spec.containers[0].resources.requests.cpu"
    );
    fix_makes_it_pass("cpuRequestsMissing", &obj);
    // A limit of `m` is 0 too: it stands in for no request.
    let obj = pod(app(json!({"limits": {"memory": "Mi"}})));
    assert_eq!(
        findings("memoryRequestsMissing", &obj)[0].message,
        "memory request is not set"
    );

    // An invalid limit does not stand in for a missing request.
    let obj = pod(app(json!({"limits": {"cpu": "fast"}})));
    assert_eq!(
        findings("cpuRequestsMissing", &obj)[0].message,
        "cpu request is not set"
    );
}

#[test]
fn roles_running_containers_and_sidecars_only() {
    let obj = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
        "containers": [{"name": "app", "image": "x:1", "resources": {"limits": {"cpu": "1"}}}],
        "initContainers": [
            {"name": "init", "image": "x:1"},
            {"name": "proxy", "image": "x:1", "restartPolicy": "Always"}],
        "ephemeralContainers": [{"name": "debug", "image": "x:1"}]}});
    let f = findings("cpuLimitsMissing", &obj);
    let names: Vec<_> = f
        .iter()
        .map(|f| f.container.as_ref().unwrap().name.as_ref())
        .collect();
    assert_eq!(names, vec!["proxy"]);
    assert_eq!(f[0].path.to_string(), "spec.initContainers[1]");
    let e = eval("cpuLimitsMissing", &obj);
    assert_eq!(
        e.passed, 1,
        "the app container passed; init/ephemeral not counted"
    );
}

#[test]
fn jobs_are_judged_too() {
    let cj = json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
        "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"spec": {
            "restartPolicy": "Never", "containers": [{"name": "c", "image": "x:1"}]}}}}}});
    let f = findings("memoryRequestsMissing", &cj);
    assert_eq!(f.len(), 1);
    assert_eq!(
        f[0].path.to_string(),
        "spec.jobTemplate.spec.template.spec.containers[0]"
    );
    fix_makes_it_pass("memoryRequestsMissing", &cj);
}

/// A limit fix never writes a limit below the container's request: the API
/// server refuses "must be less than or equal to cpu limit", so a
/// placeholder of 100m over a request of 2 CPUs would turn an object it
/// admits into one it refuses. The request's value is written instead.
#[test]
fn limit_fixes_are_never_below_the_request() {
    for (id, resource, request, want) in [
        ("cpuLimitsMissing", "cpu", json!("2"), json!("2")),
        ("cpuLimitsMissing", "cpu", json!(0.15), json!("0.15")),
        ("cpuLimitsMissing", "cpu", json!("50m"), json!("100m")),
        ("cpuLimitsMissing", "cpu", json!("100m"), json!("100m")),
        ("memoryLimitsMissing", "memory", json!("4Gi"), json!("4Gi")),
        (
            "memoryLimitsMissing",
            "memory",
            json!("600M"),
            json!("600M"),
        ),
        (
            "memoryLimitsMissing",
            "memory",
            json!("256Mi"),
            json!("512Mi"),
        ),
        // An invalid request is another finding's business: the placeholder.
        (
            "memoryLimitsMissing",
            "memory",
            json!("lots"),
            json!("512Mi"),
        ),
    ] {
        let obj = pod(app(json!({"requests": {resource: request.clone()}})));
        let fixed = fix_makes_it_pass(id, &obj);
        assert_eq!(
            fixed["spec"]["containers"][0]["resources"]["limits"][resource], want,
            "{id} over a request of {request}"
        );
        // `limits: {}` present: the same value is added into it.
        let obj = pod(app(
            json!({"requests": {resource: request.clone()}, "limits": {}}),
        ));
        let fixed = fix_makes_it_pass(id, &obj);
        assert_eq!(
            fixed["spec"]["containers"][0]["resources"]["limits"][resource], want,
            "{id} over a request of {request}, limits: {{}}"
        );
    }
}
