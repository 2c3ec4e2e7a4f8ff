//! `Engine::check_batch_unordered` runs the checks one after the other over
//! a batch of objects; each object's evaluation must be exactly what
//! `check_unordered` gives for it alone: same findings in the same order,
//! same counts, same not-evaluated checks. Held on every object of the
//! repository's examples and fixtures, and of `../shared` (corpus and
//! peers' fixtures) when it is there, with a configuration that also
//! exercises exemptions and a custom check, in both passes and with the
//! cross-object index.

mod corpus_objects;
mod corpus_walk;

use corpus_objects::objects;

use eyelint_policies::config::load_config;
use eyelint_policies::{Coverage, Engine, Pass};
use serde_json::Value;

fn engine() -> Engine {
    let text = r#"
checks:
  imageRegistry: danger
  noLatestAnywhere: warning
allowedRegistries: [registry.example.com]
exemptions:
  - namespace: kube-system
    rules: [hostNetworkSet, runAsRootAllowed]
  - containerNames: [istio-proxy]
    rules: [cpuLimitsMissing]
customChecks:
  noLatestAnywhere:
    successMessage: image pinned
    failureMessage: image uses latest
    category: Reliability
    target: Container
    schema:
      '$schema': http://json-schema.org/draft-07/schema
      type: object
      properties:
        image:
          type: string
          not:
            pattern: ":latest$"
"#;
    let loaded = load_config(text, "test.yaml", false)
        .unwrap_or_else(|e| panic!("config rejected: {}", e.to_short_string()));
    Engine::new(loaded.config).expect("engine")
}

#[test]
fn batches_evaluate_each_object_as_it_would_be_alone() {
    let (objects, with_shared) = objects();
    assert!(objects.len() >= 20, "too few objects: {}", objects.len());
    if with_shared {
        assert!(objects.len() > 1000, "{}", objects.len());
    } else {
        eprintln!("SKIP the shared corpus: ../shared/corpus not found");
    }
    let engine = engine();
    let mut index = engine.new_index(Coverage::All);
    for o in &objects {
        index.add(o);
    }
    let refs: Vec<&Value> = objects.iter().collect();
    let mut findings = 0;
    for (index, pass) in [
        (None, Pass::Local),
        (Some(&index), Pass::All),
        (Some(&index), Pass::Cross),
    ] {
        let alone: Vec<_> = refs
            .iter()
            .map(|o| engine.check_unordered(o, index, pass))
            .collect();
        findings += alone.iter().map(|e| e.findings.len()).sum::<usize>();
        // Batches of several sizes, so that objects of different kinds (and
        // workloads next to other objects) share a batch.
        for size in [2, 5, 16, 17] {
            let mut at = 0;
            for chunk in refs.chunks(size) {
                let batch = engine.check_batch_unordered(chunk, index, pass);
                assert_eq!(batch.len(), chunk.len());
                for (i, eval) in batch.iter().enumerate() {
                    assert_eq!(
                        eval,
                        &alone[at + i],
                        "object {} in batches of {size}",
                        at + i
                    );
                }
                at += chunk.len();
            }
        }
    }
    assert!(findings > 0, "the objects should have findings");
    assert!(engine
        .check_batch_unordered(&[], None, Pass::Local)
        .is_empty());
}

#[test]
fn malformed_container_lists_are_reported_once_by_the_local_pass() {
    let engine = engine();
    let object = serde_json::json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"template": {"spec": {
            "hostIPC": true,
            "containers": {"name": "app", "image": "nginx"}
        }}}
    });
    let paths = |pass, index| -> Vec<String> {
        engine
            .check_unordered(&object, index, pass)
            .malformed
            .iter()
            .map(|(p, _)| p.to_string())
            .collect()
    };
    let index = engine.new_index(Coverage::All);
    assert_eq!(
        paths(Pass::Local, None),
        vec!["spec.template.spec.containers"]
    );
    assert_eq!(
        paths(Pass::All, Some(&index)),
        vec!["spec.template.spec.containers"]
    );
    assert!(paths(Pass::Cross, Some(&index)).is_empty());
    // The pod-level check still runs.
    let eval = engine.check(&object, None, Pass::Local);
    assert!(eval.findings.iter().any(|f| &*f.id == "hostIPCSet"));
}

/// A pod spec field written above the pod spec (a `containers:` list
/// indented under `spec.template`) stops the object from being judged, in
/// every pass: its pod spec as written is not what its author meant, so
/// every finding on it would mislead (no priority class, no probes…). The
/// field is reported as malformed once, by the local pass.
#[test]
fn an_object_with_a_pod_spec_field_out_of_place_is_not_judged() {
    let engine = Engine::new(eyelint_policies::config::Config::defaults()).unwrap();
    let object = serde_json::json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"replicas": 1, "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"dnsPolicy": "ClusterFirst"},
            "containers": [{"name": "c", "image": "nginx", "securityContext": {"privileged": true}}]
        }}
    });
    let index = engine.new_index(Coverage::All);
    for (pass, index) in [
        (Pass::Local, None),
        (Pass::All, Some(&index)),
        (Pass::Cross, Some(&index)),
    ] {
        let eval = engine.check_unordered(&object, index, pass);
        assert!(eval.findings.is_empty(), "{pass:?}: {:?}", eval.findings);
        assert_eq!((eval.passed, eval.not_evaluated.len()), (0, 0), "{pass:?}");
        let malformed: Vec<String> = eval.malformed.iter().map(|(p, _)| p.to_string()).collect();
        let want: &[&str] = if pass == Pass::Cross {
            &[]
        } else {
            &["spec.template.containers"]
        };
        assert_eq!(malformed, want, "{pass:?}");
    }
    // In place, the same object is judged.
    let mut fixed = object.clone();
    let containers = fixed["spec"]["template"]["containers"].take();
    fixed["spec"]["template"]["spec"]["containers"] = containers;
    if let Some(t) = fixed["spec"]["template"].as_object_mut() {
        t.remove("containers");
    }
    let eval = engine.check(&fixed, None, Pass::Local);
    assert!(eval
        .findings
        .iter()
        .any(|f| &*f.id == "privilegeEscalationAllowed" || &*f.id == "runAsPrivileged"));
}
