use serde_json::{json, Value};

use super::*;
use crate::object::Workload;

/// The problems `problems` finds in `object`, as (dotted path, message).
fn found(object: &Value) -> Vec<(String, String)> {
    let w = Workload::of(object);
    let containers = w.as_ref().map(|w| w.containers()).unwrap_or_default();
    let mut out = Vec::new();
    problems(object, w.as_ref(), &containers, &mut out);
    out.into_iter().map(|(p, m)| (p.to_dotted(), m)).collect()
}

fn deployment(container: Value, pod: Value) -> Value {
    let mut spec = json!({"containers": [container]});
    if let (Some(s), Value::Object(extra)) = (spec.as_object_mut(), pod) {
        s.extend(extra);
    }
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {"replicas": 2, "template": {"metadata": {"labels": {"app": "web"}}, "spec": spec}}
    })
}

#[test]
fn well_typed_objects_have_no_problems() {
    let d = deployment(
        json!({
            "name": "web", "image": "nginx:1.25",
            "securityContext": {"privileged": false, "runAsUser": 1000.0,
                                "capabilities": {"drop": ["ALL"], "add": null}},
            "resources": {"limits": {"cpu": 1, "memory": "1Gi"}},
            "ports": [{"containerPort": 80, "hostPort": null}],
            "env": [{"name": "A", "value": "1"}, {"name": "B", "valueFrom": {}}]
        }),
        json!({"hostNetwork": false, "securityContext": {"runAsNonRoot": true}}),
    );
    assert_eq!(found(&d), vec![]);
    let pdb = json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
        "metadata": {"name": "p"}, "spec": {"minAvailable": "50%", "maxUnavailable": 1}});
    assert_eq!(found(&pdb), vec![]);
}

#[test]
fn a_quoted_boolean_is_refused_where_a_rule_reads_it() {
    let d = deployment(
        json!({"name": "web", "image": "nginx", "securityContext": {"privileged": "true"}}),
        json!({"hostNetwork": "yes"}),
    );
    assert_eq!(
        found(&d),
        vec![
            (
                "spec.template.spec.hostNetwork".to_string(),
                "spec.template.spec.hostNetwork is a string (\"yes\"), not a boolean: remove the quotes"
                    .to_string()
            ),
            (
                "spec.template.spec.containers[0].securityContext.privileged".to_string(),
                "spec.template.spec.containers[0].securityContext.privileged is a string (\"true\"), not a boolean: remove the quotes"
                    .to_string()
            ),
        ]
    );
}

#[test]
fn numbers_where_strings_belong_are_refused_with_a_hint() {
    let mut d = deployment(
        json!({"name": "web", "image": "nginx", "env": [{"name": "PORT", "value": 8080}]}),
        json!({}),
    );
    d["metadata"]["labels"]["version"] = json!(1.5);
    let got = found(&d);
    assert_eq!(
        got,
        vec![
            (
                "metadata.labels.version".to_string(),
                "metadata.labels.version is a number (1.5), not a string: quote it".to_string()
            ),
            (
                "spec.template.spec.containers[0].env[0].value".to_string(),
                "spec.template.spec.containers[0].env[0].value is a number (8080), not a string: quote it"
                    .to_string()
            ),
        ]
    );
}

#[test]
fn integers_accept_whole_floats_only() {
    for (v, ok) in [
        (json!(3), true),
        (json!(3.0), true),
        (json!(-1), true),
        (json!(2.5), false),
        (json!("3"), false),
    ] {
        let mut d = deployment(json!({"name": "web", "image": "nginx"}), json!({}));
        d["spec"]["replicas"] = v.clone();
        assert_eq!(found(&d).is_empty(), ok, "replicas: {v}");
    }
    let mut d = deployment(json!({"name": "web", "image": "nginx"}), json!({}));
    d["spec"]["replicas"] = json!("3");
    assert_eq!(
        found(&d)[0].1,
        "spec.replicas is a string (\"3\"), not an integer: remove the quotes"
    );
}

#[test]
fn a_mapping_where_a_list_belongs_gets_the_dash_hint() {
    let d = deployment(
        json!({"name": "web", "image": "nginx", "ports": {"containerPort": 80}}),
        json!({}),
    );
    assert_eq!(
        found(&d)[0].1,
        "spec.template.spec.containers[0].ports is a mapping, not a list (is the `- ` before its first field missing?)"
    );
}

#[test]
fn null_is_accepted_anywhere() {
    let d = deployment(
        json!({"name": null, "image": null, "securityContext": null, "ports": [null], "env": null}),
        json!({"hostPID": null, "volumes": [{"name": "v", "hostPath": null}]}),
    );
    assert_eq!(found(&d), vec![]);
}

#[test]
fn custom_resources_keep_their_own_pod_schema_but_not_their_own_metadata() {
    let mut cr = deployment(
        json!({"name": "web", "image": "nginx", "securityContext": {"privileged": "true"}}),
        json!({}),
    );
    cr["apiVersion"] = json!("argoproj.io/v1alpha1");
    cr["kind"] = json!("Rollout");
    assert_eq!(found(&cr), vec![]);
    cr["metadata"]["labels"]["n"] = json!(1);
    assert_eq!(found(&cr).len(), 1);
    // A Deployment of another group is not the built-in one.
    let mut other = deployment(
        json!({"name": "web", "securityContext": {"privileged": "true"}}),
        json!({}),
    );
    other["apiVersion"] = json!("example.com/v1");
    assert_eq!(found(&other), vec![]);
}

#[test]
fn kinds_beyond_workloads_are_checked_where_rules_read_them() {
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
        "data": {"PORT": 8080, "ok": "x"}});
    assert_eq!(found(&cm)[0].0, "data.PORT");
    let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": {"name": "r"}, "rules": [{"verbs": "get", "resources": ["pods"]}]});
    assert_eq!(found(&role)[0].0, "rules[0].verbs");
    let hpa = json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "h"}, "spec": {"minReplicas": "2", "maxReplicas": 5}});
    assert_eq!(found(&hpa)[0].0, "spec.minReplicas");
    // Keys with dots are named the way every finding names them.
    let labelled = json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "s", "labels": {"app.kubernetes.io/version": 2}}});
    assert_eq!(
        found(&labelled)[0].0,
        "metadata.labels[\"app.kubernetes.io/version\"]"
    );
}

#[test]
fn cronjob_and_pod_templates_are_walked_from_their_own_paths() {
    let cj = json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
        "spec": {"jobTemplate": {"spec": {"template": {"spec": {
            "hostIPC": 1, "containers": [{"name": "a", "image": "x"}]}}}}}});
    assert_eq!(
        found(&cj)[0].0,
        "spec.jobTemplate.spec.template.spec.hostIPC"
    );
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "annotations": {"a": true}},
        "spec": {"containers": [{"name": "a", "image": "x"}]}});
    // The Pod's own metadata is its template's: reported once.
    assert_eq!(
        found(&pod),
        vec![(
            "metadata.annotations.a".to_string(),
            "metadata.annotations.a is a boolean (true), not a string: quote it (unquoted, y, n, yes, no, on and off are booleans to kubectl)".to_string()
        )]
    );
}

#[test]
fn pod_spec_fields_above_the_pod_spec_are_named_with_where_they_belong() {
    // `spec:` under the template is empty, and the container sits beside it.
    let d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w"},
        "spec": {"template": {"spec": null, "containers": [{"name": "a", "securityContext": {"privileged": true}}]}}});
    assert_eq!(
        found(&d),
        vec![(
            "spec.template.containers".to_string(),
            "spec.template.containers belongs in the pod spec, spec.template.spec (is its indentation off?)"
                .to_string()
        )]
    );
    let cj = json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
        "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"hostNetwork": true, "activeDeadlineSeconds": 5,
            "template": {"spec": {"containers": []}}}}}});
    assert_eq!(found(&cj)[0].1,
        "spec.jobTemplate.spec.hostNetwork belongs in the pod spec, spec.jobTemplate.spec.template.spec (is its indentation off?)");
    assert_eq!(
        found(&cj).len(),
        1,
        "activeDeadlineSeconds is a Job field too"
    );
    let pod =
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "containers": []});
    assert_eq!(found(&pod)[0].0, "containers");
    // A custom resource's layout is its own.
    let mut cr = d.clone();
    cr["apiVersion"] = json!("example.com/v1");
    assert_eq!(found(&cr), vec![]);
}

#[test]
fn a_yaml_1_1_boolean_where_a_string_belongs_is_explained() {
    // `namespace: n` reads as `false`, as kubectl reads it.
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: n\nspec:\n  containers: []\n";
    let loaded = crate::yaml::load(text, &crate::yaml::Limits::default());
    let object = &loaded.documents[0].value;
    assert_eq!(
        found(object),
        vec![(
            "metadata.namespace".to_string(),
            "metadata.namespace is a boolean (false), not a string: quote it (unquoted, y, n, yes, no, on and off are booleans to kubectl)"
                .to_string()
        )]
    );
}
