//! Tests of the object rules: documented examples, metadata, edge cases.

use crate::config::Config;
use crate::finding::Severity;
use crate::index::Coverage;
use crate::object::expand_lists;
use crate::rule::RuleMeta;
use crate::yaml::{load, Limits};
use crate::Engine;
use serde_json::json;

/// The ```yaml block of the doc section `heading`.
fn example(meta: &RuleMeta, heading: &str) -> String {
    let doc: String = meta
        .doc
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    let section = doc
        .split_once(&format!("## {heading}\n"))
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("{}: no `## {heading}`", meta.id));
    let block = section
        .split_once("```yaml\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .map(|(yaml, _)| yaml)
        .unwrap_or_else(|| panic!("{}: no yaml block under `{heading}`", meta.id));
    block.to_string()
}

/// Findings of rule `id` alone over every document of `yaml`.
fn findings(id: &str, yaml: &str) -> (usize, usize) {
    let loaded = load(yaml, &Limits::default());
    assert!(loaded.error.is_none(), "{id}: {:?}", loaded.error);
    let mut objects = Vec::new();
    for d in loaded.documents {
        expand_lists(d.value, &mut objects);
    }
    let mut config = Config::defaults();
    for (k, sev) in config.checks.iter_mut() {
        if k != id {
            *sev = Severity::Ignore;
        }
    }
    let engine = Engine::new(config).unwrap();
    let evals = engine.check_all(&objects, Coverage::All);
    let hits = evals.iter().map(|e| e.findings.len()).sum();
    let undecided = evals.iter().map(|e| e.not_evaluated.len()).sum();
    (hits, undecided)
}

#[test]
fn documented_examples_fail_and_pass() {
    for rule in super::all() {
        let meta = rule.meta();
        for heading in [
            "What it does",
            "Why it matters",
            "Config",
            "Roles inspected",
            "Fix safety",
        ] {
            assert!(
                meta.doc.contains(&format!("## {heading}\n")),
                "{}: {heading}",
                meta.id
            );
        }
        let (bad, undecided) = findings(meta.id, &example(meta, "Example failing YAML"));
        assert!(bad >= 1 && undecided == 0, "{}: failing example", meta.id);
        let (good, undecided) = findings(meta.id, &example(meta, "Passing YAML"));
        assert!(good == 0 && undecided == 0, "{}: passing example", meta.id);
    }
}

#[test]
fn metadata_matches_polaris() {
    let got: Vec<(&str, Severity, &str)> = super::all()
        .iter()
        .map(|r| (r.meta().id, r.meta().severity, r.meta().category.as_str()))
        .collect();
    let d = Severity::Danger;
    assert_eq!(
        got,
        [
            ("tlsSettingsMissing", Severity::Warning, "Security"),
            ("sensitiveConfigmapContent", d, "Security"),
            ("clusterrolePodExecAttach", d, "Security"),
            ("rolePodExecAttach", d, "Security"),
            ("clusterrolebindingPodExecAttach", d, "Security"),
            ("rolebindingClusterRolePodExecAttach", d, "Security"),
            ("rolebindingRolePodExecAttach", d, "Security"),
            ("clusterrolebindingClusterAdmin", d, "Security"),
            ("rolebindingClusterAdminClusterRole", d, "Security"),
            ("rolebindingClusterAdminRole", d, "Security"),
        ]
    );
}

/// Runs rule `id` alone over `objects`; returns (path, message) of each
/// finding and the not-evaluated reasons.
fn run(id: &str, objects: &[serde_json::Value]) -> (Vec<(String, String)>, Vec<String>) {
    let mut config = Config::defaults();
    for (k, sev) in config.checks.iter_mut() {
        if k != id {
            *sev = Severity::Ignore;
        }
    }
    let engine = Engine::new(config).unwrap();
    let mut hits = Vec::new();
    let mut undecided = Vec::new();
    for e in engine.check_all(objects, Coverage::All) {
        hits.extend(
            e.findings
                .into_iter()
                .map(|f| (f.path.to_string(), f.message.into_owned())),
        );
        undecided.extend(e.not_evaluated.into_iter().map(|n| n.reason));
    }
    (hits, undecided)
}

fn role(kind: &str, name: &str, ns: Option<&str>, rules: serde_json::Value) -> serde_json::Value {
    let mut meta = json!({"name": name});
    if let Some(ns) = ns {
        meta["namespace"] = json!(ns);
    }
    json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta, "rules": rules})
}

fn binding(
    kind: &str,
    name: &str,
    ns: Option<&str>,
    ref_kind: &str,
    ref_name: &str,
) -> serde_json::Value {
    let mut meta = json!({"name": name});
    if let Some(ns) = ns {
        meta["namespace"] = json!(ns);
    }
    json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta,
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": ref_kind, "name": ref_name},
           "subjects": [{"kind": "Group", "name": "dev"}]})
}

#[test]
fn role_finding_points_at_first_offending_rule_and_lists_all() {
    let r = role(
        "ClusterRole",
        "ops",
        None,
        json!([
            {"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]},
            {"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]},
            {"apiGroups": ["*"], "resources": ["*/attach"], "verbs": ["get"]}
        ]),
    );
    let (hits, _) = run("clusterrolePodExecAttach", &[r]);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].0, "rules[1].verbs");
    assert!(
        hits[0].1.contains("(create on pods/exec; get on */attach)"),
        "{}",
        hits[0].1
    );
    assert!(!hits[0].1.contains("rules["), "{}", hits[0].1);
}

#[test]
fn default_roles_are_exempted_by_name_and_roles_without_rules_pass() {
    let wild = json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]);
    for name in ["admin", "edit", "cluster-admin", "system:controller:x"] {
        let (hits, _) = run(
            "clusterrolePodExecAttach",
            &[role("ClusterRole", name, None, wild.clone())],
        );
        assert!(hits.is_empty(), "{name}");
    }
    // `edit` is only a default ClusterRole name, not a default Role name.
    let (hits, _) = run(
        "rolePodExecAttach",
        &[role("Role", "edit", Some("a"), wild.clone())],
    );
    assert_eq!(hits.len(), 1);
    let aggregated = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": "agg"}, "aggregationRule": {"clusterRoleSelectors": []}});
    assert!(run("clusterrolePodExecAttach", &[aggregated]).0.is_empty());
}

#[test]
fn binding_to_role_outside_the_input_is_not_evaluated() {
    let b = binding("RoleBinding", "dev", Some("shop"), "ClusterRole", "edit");
    let (hits, undecided) = run("rolebindingClusterRolePodExecAttach", &[b]);
    assert!(hits.is_empty());
    assert_eq!(undecided.len(), 1);
    assert!(undecided[0].contains("`edit`"), "{}", undecided[0]);
    // A Role of the same name in another namespace is not the one bound.
    let b = binding("RoleBinding", "dev", Some("shop"), "Role", "ops");
    let r = role(
        "Role",
        "ops",
        Some("other"),
        json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]),
    );
    let (hits, undecided) = run("rolebindingRolePodExecAttach", &[b.clone(), r]);
    assert!(hits.is_empty());
    assert_eq!(undecided.len(), 1);
    let r = role(
        "Role",
        "ops",
        Some("shop"),
        json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]),
    );
    let (hits, _) = run("rolebindingRolePodExecAttach", &[b, r]);
    assert_eq!(hits, [("roleRef.name".to_string(), hits[0].1.clone())]);
}

#[test]
fn cluster_admin_by_name_needs_no_lookup_but_default_bindings_pass() {
    for (rule, kind, ns) in [
        ("clusterrolebindingClusterAdmin", "ClusterRoleBinding", None),
        (
            "rolebindingClusterAdminClusterRole",
            "RoleBinding",
            Some("shop"),
        ),
    ] {
        let (hits, undecided) = run(
            rule,
            &[binding(kind, "ci", ns, "ClusterRole", "cluster-admin")],
        );
        assert_eq!(hits.len(), 1, "{rule}");
        assert_eq!(hits[0].0, "roleRef.name");
        assert!(undecided.is_empty());
        let (hits, _) = run(
            rule,
            &[binding(
                kind,
                "system:ci",
                ns,
                "ClusterRole",
                "cluster-admin",
            )],
        );
        assert!(hits.is_empty(), "{rule}");
    }
    // The ClusterRoleBinding named cluster-admin is Kubernetes's own.
    let (hits, _) = run(
        "clusterrolebindingClusterAdmin",
        &[binding(
            "ClusterRoleBinding",
            "cluster-admin",
            None,
            "ClusterRole",
            "cluster-admin",
        )],
    );
    assert!(hits.is_empty());
    // Bindings to the other kind of role are left to the sibling rule.
    let (hits, undecided) = run(
        "rolebindingClusterAdminRole",
        &[binding(
            "RoleBinding",
            "ci",
            Some("shop"),
            "ClusterRole",
            "cluster-admin",
        )],
    );
    assert!(hits.is_empty() && undecided.is_empty());
}

#[test]
fn aggregated_cluster_role_collects_selected_rules() {
    let agg = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": "support"},
        "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"example.com/aggregate-to-support": "true"}}]},
        "rules": []});
    let part = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": "support-exec", "labels": {"example.com/aggregate-to-support": "true"}},
        "rules": [{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]}]});
    let b = binding(
        "ClusterRoleBinding",
        "support",
        None,
        "ClusterRole",
        "support",
    );
    let (hits, _) = run(
        "clusterrolebindingPodExecAttach",
        &[b.clone(), agg.clone(), part],
    );
    assert_eq!(hits.len(), 1);
    let (hits, _) = run("clusterrolebindingPodExecAttach", &[b, agg]);
    assert!(hits.is_empty());
}

#[test]
fn configmap_paths_binary_data_and_private_keys() {
    let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n";
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
        "data": {"app.conf": "x=1", "tls.key": pem}});
    let (hits, _) = run("sensitiveConfigmapContent", &[cm]);
    assert_eq!(hits[0].0, "data[\"tls.key\"]");
    // A PEM key base64-encoded in binaryData.
    let encoded =
        "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUIKLS0tLS1FTkQgUFJJVkFURSBLRVktLS0tLQo=";
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
        "binaryData": {"id": encoded}});
    let (hits, _) = run("sensitiveConfigmapContent", &[cm]);
    assert_eq!(hits[0].0, "binaryData.id");
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
        "binaryData": {"api_token": "AAEC"}, "data": {"a": "1", "b_secret": "2"}});
    let (hits, _) = run("sensitiveConfigmapContent", &[cm]);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].0, "data.b_secret");
    assert!(hits[0].1.contains("`api_token`"), "{}", hits[0].1);
    let cert = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
        "data": {"ca.crt": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"}});
    assert!(run("sensitiveConfigmapContent", &[cert]).0.is_empty());
}

#[test]
fn ingress_tls_paths() {
    let ing = |spec: serde_json::Value| json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i"}, "spec": spec});
    let (hits, _) = run("tlsSettingsMissing", &[ing(json!({"rules": []}))]);
    assert_eq!(hits[0].0, "spec");
    let (hits, _) = run("tlsSettingsMissing", &[ing(json!({"tls": []}))]);
    assert_eq!(hits[0].0, "spec.tls");
    let (hits, _) = run("tlsSettingsMissing", &[ing(json!({"tls": null}))]);
    assert_eq!(hits[0].0, "spec");
    let (hits, _) = run(
        "tlsSettingsMissing",
        &[ing(json!({"tls": [{"hosts": ["a.example.com"]}]}))],
    );
    assert!(hits.is_empty());
    let bare =
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i"}});
    assert_eq!(run("tlsSettingsMissing", &[bare]).0[0].0, "");
}
