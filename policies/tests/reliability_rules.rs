//! Edge cases of the reliability rules.

use std::collections::{BTreeMap, BTreeSet};

use eyelint_policies::{Config, Coverage, Engine, Evaluation, Finding, FixSafety, Pass, Severity};
use serde_json::{json, Value};

fn engine(id: &str) -> Engine {
    let mut config = Config::defaults();
    config.checks = BTreeMap::from([(id.to_string(), Severity::Warning)]);
    Engine::new(config).unwrap()
}

/// Evaluations of every object (cross-object rules see all of them).
fn eval_all(id: &str, objs: &[Value]) -> Vec<Evaluation> {
    engine(id).check_all(objs, Coverage::All)
}

fn eval(id: &str, obj: &Value) -> Evaluation {
    eval_all(id, std::slice::from_ref(obj)).remove(0)
}

fn findings(id: &str, obj: &Value) -> Vec<Finding> {
    eval(id, obj).findings
}

fn is_not_applicable(e: &Evaluation) -> bool {
    e.findings.is_empty() && e.passed == 0 && e.not_evaluated.is_empty()
}

fn pod_with(containers: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns"},
           "spec": {"containers": containers}})
}

fn image(img: &str) -> Value {
    pod_with(json!([{"name": "app", "image": img}]))
}

fn deployment(name: &str, ns: &str, labels: Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": name, "namespace": ns},
           "spec": {"replicas": 3, "selector": {"matchLabels": labels.clone()},
                    "template": {"metadata": {"labels": labels},
                                 "spec": {"containers": [{"name": "app", "image": "x:1"}]}}}})
}

fn pdb(ns: &str, spec: Value) -> Value {
    json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
           "metadata": {"name": "budget", "namespace": ns}, "spec": spec})
}

fn hpa(ns: &str, target: &str, min: Option<i64>, max: i64) -> Value {
    let mut spec = json!({"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target},
                          "maxReplicas": max});
    if let Some(m) = min {
        spec["minReplicas"] = json!(m);
    }
    json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
           "metadata": {"name": "scaler", "namespace": ns}, "spec": spec})
}

fn apply_only_fix(id: &str, obj: &Value) -> (Value, FixSafety) {
    let f = findings(id, obj);
    assert_eq!(f.len(), 1, "{f:?}");
    let fix = f[0].fix.as_ref().expect("a fix");
    let fixed = fix.apply(obj).unwrap();
    assert!(findings(id, &fixed).is_empty(), "fix did not help: {fixed}");
    (fixed, fix.safety)
}

// ---- tagNotSpecified ----

#[test]
fn tag_registry_port_is_not_a_tag() {
    let f = findings("tagNotSpecified", &image("host:5000/app"));
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].path.to_string(), "spec.containers[0].image");
    assert!(f[0].message.contains("no tag"), "{}", f[0].message);
    assert!(findings("tagNotSpecified", &image("host:5000/app:1.2")).is_empty());
    assert_eq!(findings("tagNotSpecified", &image("nginx")).len(), 1);
    assert!(findings("tagNotSpecified", &image("nginx:1.25")).is_empty());
}

#[test]
fn tag_latest_fails_and_digest_passes() {
    assert_eq!(findings("tagNotSpecified", &image("nginx:latest")).len(), 1);
    assert_eq!(findings("tagNotSpecified", &image("nginx:LATEST")).len(), 1);
    assert_eq!(findings("tagNotSpecified", &image("nginx:")).len(), 1);
    let digest = "sha256:0f3c9d1b6e2a4c8f7d5e3b1a9c7e5d3b1f9e7d5c3b1a9f7e5d3c1b9a7f5e3d1c";
    assert!(findings(
        "tagNotSpecified",
        &image(&format!("host:5000/app@{digest}"))
    )
    .is_empty());
    assert!(findings("tagNotSpecified", &image(&format!("nginx:latest@{digest}"))).is_empty());
    let f = findings("tagNotSpecified", &pod_with(json!([{"name": "app"}])));
    assert_eq!(f[0].message, "container has no image");
    assert_eq!(f[0].path.to_string(), "spec.containers[0]");
}

#[test]
fn tag_images_the_kubelet_cannot_pull_fail() {
    for (bad, why) in [
        ("Nginx:1.25", "the repository name must be lowercase"),
        ("app@sha256:0f3c9d1b", "a digest is `sha256:`"),
        ("nginx:1.25 ", "a tag is 1 to 128"),
        (
            "registry.example.com//web:1",
            "it is not [registry[:port]/]path",
        ),
    ] {
        let f = findings("tagNotSpecified", &image(bad));
        assert_eq!(f.len(), 1, "{bad:?}");
        let expected = format!("image `{bad}` cannot be pulled (InvalidImageName): {why}");
        assert!(f[0].message.starts_with(&expected), "{}", f[0].message);
        assert_eq!(f[0].path.to_string(), "spec.containers[0].image");
    }
    // A registry written in capitals is a registry, and valid.
    assert!(findings("tagNotSpecified", &image("MyRegistry/web:1.4")).is_empty());
}

#[test]
fn tag_inspects_every_role() {
    let obj = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
        "containers": [{"name": "a", "image": "a"}],
        "initContainers": [{"name": "i", "image": "i"}, {"name": "s", "image": "s", "restartPolicy": "Always"}],
        "ephemeralContainers": [{"name": "e", "image": "e"}]}});
    let f = findings("tagNotSpecified", &obj);
    let mut names: Vec<_> = f
        .iter()
        .map(|f| f.container.as_ref().unwrap().name.to_string())
        .collect();
    names.sort();
    assert_eq!(names, vec!["a", "e", "i", "s"]);
}

// ---- pullPolicyNotAlways ----

#[test]
fn pull_policy_digest_passes_and_fix_is_unsafe() {
    let digest = "registry.example.com/app@sha256:0f3c9d1b6e2a4c8f7d5e3b1a9c7e5d3b1f9e7d5c3b1a9f7e5d3c1b9a7f5e3d1c";
    assert!(findings("pullPolicyNotAlways", &image(digest)).is_empty());
    let obj = pod_with(json!([{"name": "app", "image": "app:1", "imagePullPolicy": "Always"}]));
    assert!(findings("pullPolicyNotAlways", &obj).is_empty());

    let obj =
        pod_with(json!([{"name": "app", "image": "app:1", "imagePullPolicy": "IfNotPresent"}]));
    let f = findings("pullPolicyNotAlways", &obj);
    assert_eq!(f[0].path.to_string(), "spec.containers[0].imagePullPolicy");
    let (fixed, safety) = apply_only_fix("pullPolicyNotAlways", &obj);
    assert_eq!(safety, FixSafety::Unsafe);
    assert_eq!(fixed["spec"]["containers"][0]["imagePullPolicy"], "Always");

    let f = findings("pullPolicyNotAlways", &image("app:1"));
    assert_eq!(f[0].path.to_string(), "spec.containers[0]");
    apply_only_fix("pullPolicyNotAlways", &image("app:1"));
}

#[test]
fn pull_policy_inspects_ephemeral_and_init() {
    let obj = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
        "containers": [{"name": "a", "image": "a:1", "imagePullPolicy": "Always"}],
        "initContainers": [{"name": "i", "image": "i:1"}],
        "ephemeralContainers": [{"name": "e", "image": "e:1"}]}});
    assert_eq!(findings("pullPolicyNotAlways", &obj).len(), 2);
}

// ---- probes ----

#[test]
fn probes_never_apply_to_jobs() {
    let job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
        "spec": {"template": {"spec": {"restartPolicy": "Never",
            "containers": [{"name": "c", "image": "x:1"}]}}}});
    let cron = json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
        "spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": {"spec": {
            "restartPolicy": "Never", "containers": [{"name": "c", "image": "x:1"}]}}}}}});
    let owned = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "j-abc",
        "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": "j", "uid": "1", "controller": true}]},
        "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "x:1"}]}});
    for id in ["readinessProbeMissing", "livenessProbeMissing"] {
        for obj in [&job, &cron, &owned] {
            let e = eval(id, obj);
            assert!(is_not_applicable(&e), "{id} on {}: {e:?}", obj["kind"]);
        }
    }
}

#[test]
fn probes_roles_and_paths() {
    let obj = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
        "containers": [{"name": "app", "image": "x:1"}],
        "initContainers": [{"name": "init", "image": "x:1"},
                           {"name": "proxy", "image": "x:1", "restartPolicy": "Always",
                            "ports": [{"containerPort": 15001}]}],
        "ephemeralContainers": [{"name": "debug", "image": "x:1"}]}});
    let f = findings("readinessProbeMissing", &obj);
    let paths: Vec<_> = f.iter().map(|f| f.path.to_string()).collect();
    assert_eq!(paths, vec!["spec.containers[0]", "spec.initContainers[1]"]);
    assert_eq!(f[0].message, "container has no readiness probe");
    // Without ports: Polaris's exec placeholder; with a port: a TCP probe.
    let fix0 = f[0].fix.as_ref().unwrap();
    assert_eq!(fix0.safety, FixSafety::Unsafe);
    let fixed = fix0.apply(&obj).unwrap();
    assert_eq!(
        fixed["spec"]["containers"][0]["readinessProbe"]["exec"]["command"],
        json!(["cat", "/tmp/healthy"])
    );
    let fixed = f[1].fix.as_ref().unwrap().apply(&obj).unwrap();
    assert_eq!(
        fixed["spec"]["initContainers"][1]["readinessProbe"]["tcpSocket"]["port"],
        15001
    );
}

#[test]
fn probe_without_handler_fails() {
    let obj =
        pod_with(json!([{"name": "app", "image": "x:1", "livenessProbe": {"periodSeconds": 5}}]));
    let f = findings("livenessProbeMissing", &obj);
    assert_eq!(f[0].path.to_string(), "spec.containers[0].livenessProbe");
    assert!(f[0].fix.is_none());
    let obj = pod_with(
        json!([{"name": "app", "image": "x:1", "livenessProbe": {"grpc": {"port": 9000}}}]),
    );
    assert!(findings("livenessProbeMissing", &obj).is_empty());
    let obj = pod_with(json!([{"name": "app", "image": "x:1", "livenessProbe": null}]));
    apply_only_fix("livenessProbeMissing", &obj);
    // Handlers the API server refuses: each a finding at the handler, or at
    // the probe for two handlers.
    for (probe, path, message) in [
        (json!({"exec": {}}), "readinessProbe.exec", "readinessProbe.exec has no command; the API server refuses it"),
        (json!({"exec": {"command": []}}), "readinessProbe.exec", "readinessProbe.exec has no command; the API server refuses it"),
        (json!({"httpGet": {"path": "/"}}), "readinessProbe.httpGet", "readinessProbe.httpGet has no port; the API server refuses it"),
        (json!({"tcpSocket": {"port": ""}}), "readinessProbe.tcpSocket", "readinessProbe.tcpSocket has no port; the API server refuses it"),
        (json!({"grpc": {}}), "readinessProbe.grpc", "readinessProbe.grpc has no port; the API server refuses it"),
        (
            json!({"exec": {"command": ["true"]}, "tcpSocket": {"port": 80}}),
            "readinessProbe",
            "readinessProbe has two handlers (exec and tcpSocket); the API server refuses more than one",
        ),
    ] {
        let obj = pod_with(json!([{"name": "app", "image": "x:1", "readinessProbe": probe.clone()}]));
        let f = findings("readinessProbeMissing", &obj);
        assert_eq!(f.len(), 1, "{probe}");
        assert_eq!(f[0].path.to_string(), format!("spec.containers[0].{path}"), "{probe}");
        assert_eq!(f[0].message, message, "{probe}");
    }
    for probe in [
        json!({"exec": {"command": ["true"]}}),
        json!({"httpGet": {"port": "http"}}),
        json!({"tcpSocket": {"port": 8080}, "exec": null}),
    ] {
        let obj =
            pod_with(json!([{"name": "app", "image": "x:1", "readinessProbe": probe.clone()}]));
        assert!(
            findings("readinessProbeMissing", &obj).is_empty(),
            "{probe}"
        );
    }
}

// ---- deploymentMissingReplicas, priorityClassNotSet ----

#[test]
fn replicas_cases() {
    let mut d = deployment("web", "ns", json!({"app": "web"}));
    assert!(findings("deploymentMissingReplicas", &d).is_empty());
    d["spec"]["replicas"] = json!(1);
    let f = findings("deploymentMissingReplicas", &d);
    assert_eq!(f[0].path.to_string(), "spec.replicas");
    let (fixed, safety) = apply_only_fix("deploymentMissingReplicas", &d);
    assert_eq!(
        (fixed["spec"]["replicas"].clone(), safety),
        (json!(3), FixSafety::Unsafe)
    );
    d["spec"].as_object_mut().unwrap().remove("replicas");
    let f = findings("deploymentMissingReplicas", &d);
    assert_eq!(
        (f[0].path.to_string(), f[0].message.as_ref()),
        ("spec".into(), "replicas is not set (defaults to 1)")
    );
    apply_only_fix("deploymentMissingReplicas", &d);
    d["spec"]["replicas"] = json!("3");
    assert_eq!(findings("deploymentMissingReplicas", &d).len(), 1);
    // Only Deployments.
    let mut s = deployment("db", "ns", json!({"app": "db"}));
    s["kind"] = json!("StatefulSet");
    s["spec"]["replicas"] = json!(1);
    assert!(is_not_applicable(&eval("deploymentMissingReplicas", &s)));
}

#[test]
fn priority_class_cases() {
    let mut p = image("x:1");
    let f = findings("priorityClassNotSet", &p);
    assert_eq!(f[0].path.to_string(), "spec");
    apply_only_fix("priorityClassNotSet", &p);
    p["spec"]["priorityClassName"] = json!("");
    assert_eq!(
        findings("priorityClassNotSet", &p)[0].message,
        "priorityClassName is empty"
    );
    p["spec"]["priorityClassName"] = json!("critical");
    assert!(findings("priorityClassNotSet", &p).is_empty());
}

// ---- metadataAndInstanceMismatched ----

#[test]
fn instance_label_cases() {
    let mut d = deployment("web", "ns", json!({"app": "web"}));
    let f = findings("metadataAndInstanceMismatched", &d);
    assert_eq!(f[0].path.to_string(), "metadata");
    let (fixed, _) = apply_only_fix("metadataAndInstanceMismatched", &d);
    assert_eq!(
        fixed["metadata"]["labels"]["app.kubernetes.io/instance"],
        "web"
    );
    d["metadata"]["labels"] = json!({"app.kubernetes.io/instance": "other"});
    let f = findings("metadataAndInstanceMismatched", &d);
    assert_eq!(
        f[0].path.to_string(),
        "metadata.labels[\"app.kubernetes.io/instance\"]"
    );
    apply_only_fix("metadataAndInstanceMismatched", &d);
    d["metadata"]["labels"] = json!({"team": "a"});
    assert_eq!(
        findings("metadataAndInstanceMismatched", &d)[0]
            .path
            .to_string(),
        "metadata.labels"
    );
    apply_only_fix("metadataAndInstanceMismatched", &d);
    let gen = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "x-"},
                     "spec": {"containers": [{"name": "a", "image": "a:1"}]}});
    assert!(is_not_applicable(&eval(
        "metadataAndInstanceMismatched",
        &gen
    )));
}

// ---- pdbDisruptionsIsZero ----

#[test]
fn pdb_zero_disruption_cases() {
    let fails = |spec: Value| !findings("pdbDisruptionsIsZero", &pdb("ns", spec)).is_empty();
    assert!(fails(json!({"maxUnavailable": 0})));
    assert!(fails(json!({"maxUnavailable": "0%"})));
    assert!(fails(json!({"maxUnavailable": "0"})));
    assert!(fails(json!({"minAvailable": "100%"})));
    assert!(fails(json!({"minAvailable": "120%"})));
    assert!(!fails(json!({"minAvailable": "99%"})));
    assert!(!fails(json!({"minAvailable": 100})));
    assert!(!fails(json!({"maxUnavailable": 1})));
    assert!(!fails(json!({"maxUnavailable": "10%"})));
    assert!(!fails(json!({})));
    let f = findings(
        "pdbDisruptionsIsZero",
        &pdb("ns", json!({"maxUnavailable": 0})),
    );
    assert_eq!(f[0].path.to_string(), "spec.maxUnavailable");
}

// ---- missingPodDisruptionBudget ----

#[test]
fn missing_pdb_same_namespace_and_real_selectors() {
    let d = deployment("web", "shop", json!({"app": "web", "tier": "front"}));
    let fails = |others: Vec<Value>| {
        let mut objs = vec![d.clone()];
        objs.extend(others);
        !eval_all("missingPodDisruptionBudget", &objs)[0]
            .findings
            .is_empty()
    };
    assert!(fails(vec![]));
    assert!(!fails(vec![pdb(
        "shop",
        json!({"selector": {"matchLabels": {"app": "web"}}})
    )]));
    assert!(fails(vec![pdb(
        "other",
        json!({"selector": {"matchLabels": {"app": "web"}}})
    )]));
    // Every matchLabels pair must hold (Polaris: any one).
    assert!(fails(vec![pdb(
        "shop",
        json!({"selector": {"matchLabels": {"app": "web", "tier": "back"}}})
    )]));
    assert!(!fails(vec![pdb(
        "shop",
        json!({"selector": {"matchExpressions": [
        {"key": "tier", "operator": "In", "values": ["front"]}]}})
    )]));
    assert!(fails(vec![pdb(
        "shop",
        json!({"selector": {"matchExpressions": [
        {"key": "tier", "operator": "NotIn", "values": ["front"]}]}})
    )]));
    // Empty selector: all pods in policy/v1, none in v1beta1.
    assert!(!fails(vec![pdb("shop", json!({"selector": {}}))]));
    let mut beta = pdb("shop", json!({"selector": {}}));
    beta["apiVersion"] = json!("policy/v1beta1");
    assert!(fails(vec![beta]));
    let f = &eval_all("missingPodDisruptionBudget", std::slice::from_ref(&d))[0].findings;
    assert_eq!(f[0].path.to_string(), "spec.template.metadata.labels");
    assert!(f[0].fix.is_none());
    assert_eq!(
        f[0].message,
        "no PodDisruptionBudget in namespace `shop` selects this workload's pods"
    );
    // Without a namespace, only budgets without one are looked at.
    let bare = deployment("web", "", json!({"app": "web"}));
    let f = &eval_all(
        "missingPodDisruptionBudget",
        &[
            bare,
            pdb("shop", json!({"selector": {"matchLabels": {"app": "web"}}})),
        ],
    )[0]
    .findings;
    assert_eq!(
        f[0].message,
        "no PodDisruptionBudget selects this workload's pods (of those that, like it, set no namespace)"
    );
}

#[test]
fn missing_pdb_judges_statefulsets_not_daemonsets() {
    let mut s = deployment("db", "ns", json!({"app": "db"}));
    s["kind"] = json!("StatefulSet");
    assert_eq!(
        eval_all("missingPodDisruptionBudget", &[s.clone()])[0]
            .findings
            .len(),
        1
    );
    s["kind"] = json!("DaemonSet");
    assert!(is_not_applicable(
        &eval_all("missingPodDisruptionBudget", &[s])[0]
    ));
}

#[test]
fn missing_pdb_not_evaluated_without_coverage() {
    let e = engine("missingPodDisruptionBudget");
    let d = deployment("web", "shop", json!({"app": "web"}));
    let evals = e.check_all(
        &[d],
        Coverage::Kinds(BTreeSet::from(["Deployment".to_string()])),
    );
    assert!(evals[0].findings.is_empty());
    assert_eq!(evals[0].not_evaluated.len(), 1);
    assert!(evals[0].not_evaluated[0]
        .reason
        .contains("PodDisruptionBudget"));
}

#[test]
fn cross_rules_work_on_pruned_subjects() {
    // The streaming front end runs the cross pass on pruned copies.
    for id in [
        "missingPodDisruptionBudget",
        "pdbMinAvailableGreaterThanHPAMinReplicas",
    ] {
        let e = engine(id);
        let d = deployment("web", "shop", json!({"app": "web"}));
        let others = [
            pdb(
                "shop",
                json!({"minAvailable": 3, "selector": {"matchLabels": {"app": "web"}}}),
            ),
            hpa("shop", "web", Some(2), 5),
        ];
        let mut index = e.new_index(Coverage::All);
        for o in others.iter().chain(std::iter::once(&d)) {
            index.add(o);
        }
        let pruned = e.cross_subject(&d).expect("a cross subject");
        let full = e.check(&d, Some(&index), Pass::Cross);
        let small = e.check(&pruned, Some(&index), Pass::Cross);
        let expected = usize::from(id == "pdbMinAvailableGreaterThanHPAMinReplicas");
        assert_eq!(full.findings.len(), expected, "{id}");
        assert_eq!(full.findings.len(), small.findings.len(), "{id}");
        assert_eq!(full.passed, small.passed, "{id}");
        assert_eq!(
            full.findings
                .iter()
                .map(|f| f.path.clone())
                .collect::<Vec<_>>(),
            small
                .findings
                .iter()
                .map(|f| f.path.clone())
                .collect::<Vec<_>>()
        );
    }
}

// ---- topologySpreadConstraint ----

#[test]
fn topology_spread_constraints_that_spread_nothing_fail() {
    let good = json!({"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule",
        "labelSelector": {"matchLabels": {"app": "web"}}});
    let with = |change: &dyn Fn(&mut Value)| {
        let mut c = good.clone();
        change(&mut c);
        let mut d = deployment("web", "ns", json!({"app": "web"}));
        d["spec"]["template"]["spec"]["topologySpreadConstraints"] = json!([good.clone(), c]);
        findings("topologySpreadConstraint", &d)
    };
    assert!(with(&|_| {}).is_empty());
    assert!(with(&|c| c["minDomains"] = json!(2)).is_empty());
    let at = "spec.template.spec.topologySpreadConstraints[1]";
    for (change, path, message) in [
        (
            Box::new(|c: &mut Value| c["maxSkew"] = json!(0)) as Box<dyn Fn(&mut Value)>,
            ".maxSkew",
            "maxSkew is 0: it must be a whole number of at least 1",
        ),
        (
            Box::new(|c: &mut Value| c["maxSkew"] = json!("1")),
            ".maxSkew",
            "maxSkew is \"1\": it must be a whole number of at least 1",
        ),
        (
            Box::new(|c: &mut Value| {
                c.as_object_mut().unwrap().remove("maxSkew");
            }),
            "",
            "the constraint has no maxSkew",
        ),
        (
            Box::new(|c: &mut Value| {
                c.as_object_mut().unwrap().remove("topologyKey");
            }),
            "",
            "the constraint has no topologyKey: there are no domains to spread over",
        ),
        (
            Box::new(|c: &mut Value| c["whenUnsatisfiable"] = json!("DoNotSCHEDULE ")),
            ".whenUnsatisfiable",
            "whenUnsatisfiable is \"DoNotSCHEDULE \": it must be DoNotSchedule or ScheduleAnyway",
        ),
        (
            Box::new(|c: &mut Value| c["minDomains"] = json!(0)),
            ".minDomains",
            "minDomains is 0: it must be a whole number of at least 1",
        ),
        (
            Box::new(|c: &mut Value| {
                c["minDomains"] = json!(2);
                c["whenUnsatisfiable"] = json!("ScheduleAnyway");
            }),
            ".minDomains",
            "minDomains only works with whenUnsatisfiable: DoNotSchedule",
        ),
        (
            Box::new(|c: &mut Value| {
                c.as_object_mut().unwrap().remove("labelSelector");
            }),
            "",
            "the constraint has no labelSelector: it counts no pods, so it spreads nothing",
        ),
        (
            Box::new(|c: &mut Value| *c = json!("zone")),
            "",
            "the constraint is not a mapping",
        ),
    ] {
        let f = with(&*change);
        assert_eq!(f.len(), 1, "{message}");
        assert_eq!(f[0].message, message);
        assert_eq!(f[0].path.to_string(), format!("{at}{path}"));
        assert!(
            f[0].fix.is_none(),
            "{message}: only a person knows the intended constraint"
        );
    }
}

#[test]
fn topology_spread_cases() {
    let mut d = deployment("web", "ns", json!({"app": "web"}));
    let f = findings("topologySpreadConstraint", &d);
    assert_eq!(f[0].path.to_string(), "spec.template.spec");
    let (fixed, safety) = apply_only_fix("topologySpreadConstraint", &d);
    assert_eq!(safety, FixSafety::Safe);
    let tsc = &fixed["spec"]["template"]["spec"]["topologySpreadConstraints"][0];
    assert_eq!(tsc["whenUnsatisfiable"], "ScheduleAnyway");
    assert_eq!(tsc["labelSelector"]["matchLabels"], json!({"app": "web"}));
    d["spec"]["template"]["spec"]["topologySpreadConstraints"] = json!([]);
    assert_eq!(
        findings("topologySpreadConstraint", &d)[0].path.to_string(),
        "spec.template.spec.topologySpreadConstraints"
    );
    apply_only_fix("topologySpreadConstraint", &d);
    let mut ds = d.clone();
    ds["kind"] = json!("DaemonSet");
    assert!(is_not_applicable(&eval("topologySpreadConstraint", &ds)));
    let job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
        "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "x:1"}]}}}});
    assert!(is_not_applicable(&eval("topologySpreadConstraint", &job)));
    // A pod read from a cluster is judged as what controls it: not when a
    // DaemonSet does; when a ReplicaSet does, or a DaemonSet owns it without
    // controlling it.
    let owned = |kind: &str, controller: bool| {
        json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "agent-x", "namespace": "ns", "labels": {"app": "agent"},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": kind, "name": "agent",
                    "uid": "u1", "controller": controller}]},
            "spec": {"containers": [{"name": "c", "image": "x:1"}]}})
    };
    assert!(is_not_applicable(&eval(
        "topologySpreadConstraint",
        &owned("DaemonSet", true)
    )));
    assert_eq!(
        findings("topologySpreadConstraint", &owned("ReplicaSet", true)).len(),
        1
    );
    assert_eq!(
        findings("topologySpreadConstraint", &owned("DaemonSet", false)).len(),
        1
    );
    // No labels: no fix.
    let f = findings("topologySpreadConstraint", &image("x:1"));
    assert!(f[0].fix.is_none());
}

// ---- HPA ----

#[test]
fn hpa_min_and_max() {
    let h = |min, max| hpa("ns", "web", min, max);
    assert!(findings("hpaMinAvailability", &h(Some(2), 5)).is_empty());
    let f = findings("hpaMinAvailability", &h(Some(1), 5));
    assert_eq!(f[0].path.to_string(), "spec.minReplicas");
    let f = findings("hpaMinAvailability", &h(None, 5));
    assert_eq!(
        (f[0].path.to_string(), f[0].message.as_ref()),
        ("spec".into(), "minReplicas is not set (defaults to 1)")
    );
    let (fixed, _) = apply_only_fix("hpaMinAvailability", &h(None, 5));
    assert_eq!(fixed["spec"]["minReplicas"], 2);
    assert!(
        findings("hpaMinAvailability", &h(Some(1), 1))[0]
            .fix
            .is_none(),
        "min 2 > max 1 is invalid"
    );
    // With maxReplicas 2, minReplicas 2 leaves nothing to scale
    // (hpaMaxAvailability would fail): no fix.
    assert!(findings("hpaMinAvailability", &h(Some(1), 2))[0]
        .fix
        .is_none());
    assert!(findings("hpaMinAvailability", &h(Some(1), 3))[0]
        .fix
        .is_some());

    assert!(findings("hpaMaxAvailability", &h(Some(2), 5)).is_empty());
    assert_eq!(findings("hpaMaxAvailability", &h(Some(5), 5)).len(), 1);
    assert_eq!(findings("hpaMaxAvailability", &h(None, 1)).len(), 1);
    assert!(findings("hpaMaxAvailability", &h(None, 2)).is_empty());
    assert_eq!(findings("hpaMaxAvailability", &h(None, 0)).len(), 1);
    let mut no_max = h(Some(2), 5);
    no_max["spec"]
        .as_object_mut()
        .unwrap()
        .remove("maxReplicas");
    assert_eq!(
        findings("hpaMaxAvailability", &no_max)[0].path.to_string(),
        "spec"
    );
}

// ---- pdbMinAvailableGreaterThanHPAMinReplicas ----

fn pdb_hpa(objs: &[Value]) -> Evaluation {
    eval_all("pdbMinAvailableGreaterThanHPAMinReplicas", objs).remove(0)
}

#[test]
fn pdb_vs_hpa_cases() {
    let d = deployment("web", "shop", json!({"app": "web"}));
    let budget = |min: Value| {
        pdb(
            "shop",
            json!({"minAvailable": min, "selector": {"matchLabels": {"app": "web"}}}),
        )
    };
    let fails = |objs: &[Value]| !pdb_hpa(objs).findings.is_empty();

    assert!(fails(&[
        d.clone(),
        budget(json!(3)),
        hpa("shop", "web", Some(2), 6)
    ]));
    assert!(!fails(&[
        d.clone(),
        budget(json!(2)),
        hpa("shop", "web", Some(2), 6)
    ]));
    // Percentages scale against minReplicas, rounding up: 60% of 3 = 1.8 -> 2.
    assert!(!fails(&[
        d.clone(),
        budget(json!("60%")),
        hpa("shop", "web", Some(3), 6)
    ]));
    assert!(fails(&[
        d.clone(),
        budget(json!("150%")),
        hpa("shop", "web", Some(10), 15)
    ]));
    // Unset minReplicas is 1.
    assert!(fails(&[
        d.clone(),
        budget(json!(2)),
        hpa("shop", "web", None, 6)
    ]));
    // Other namespaces never count (Polaris matches across namespaces).
    assert!(!fails(&[
        d.clone(),
        pdb(
            "other",
            json!({"minAvailable": 9, "selector": {"matchLabels": {"app": "web"}}})
        ),
        hpa("shop", "web", Some(2), 6)
    ]));
    assert!(!fails(&[
        d.clone(),
        budget(json!(9)),
        hpa("other", "web", Some(2), 6)
    ]));
    // No PDB, no HPA, HPA for another target, maxUnavailable budgets: pass.
    assert!(!fails(&[d.clone(), hpa("shop", "web", Some(2), 6)]));
    assert!(!fails(&[d.clone(), budget(json!(9))]));
    assert!(!fails(&[
        d.clone(),
        budget(json!(9)),
        hpa("shop", "api", Some(2), 6)
    ]));
    assert!(!fails(&[
        d.clone(),
        pdb(
            "shop",
            json!({"maxUnavailable": 5, "selector": {"matchLabels": {"app": "web"}}})
        ),
        hpa("shop", "web", Some(2), 6)
    ]));
    let e = pdb_hpa(&[d.clone(), budget(json!(3)), hpa("shop", "web", Some(2), 6)]);
    assert_eq!(e.findings[0].path.to_string(), "metadata.name");
    assert_eq!(
        e.findings[0].message,
        "PodDisruptionBudget `budget` requires 3 available pods but HorizontalPodAutoscaler `scaler` may scale down to 2"
    );
}

#[test]
fn pdb_vs_hpa_not_evaluated_without_hpas() {
    let e = engine("pdbMinAvailableGreaterThanHPAMinReplicas");
    let d = deployment("web", "shop", json!({"app": "web"}));
    let cov = Coverage::Kinds(BTreeSet::from(["PodDisruptionBudget".to_string()]));
    let evals = e.check_all(&[d], cov);
    assert_eq!(evals[0].not_evaluated.len(), 1);
    assert!(evals[0].not_evaluated[0]
        .reason
        .contains("HorizontalPodAutoscaler"));
}
