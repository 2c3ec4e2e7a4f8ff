//! Engine behaviour around exemptions, finding order and the score:
//! annotation exemptions (Polaris's and eyelint's, on the object or its pod
//! template), config exemptions (namespace, namespaces, controllerNames and
//! containerNames prefixes, rules), the `disallow*` switches, deterministic
//! ordering, and Polaris's score.

use eyelint_policies::config::Exemption;
use eyelint_policies::engine::Evaluation;
use eyelint_policies::{Config, Coverage, Engine, Pass, Severity};
use serde_json::{json, Value};

/// An engine running only `ids`, at their default severities.
fn engine_with(ids: &[&str], edit: impl FnOnce(&mut Config)) -> Engine {
    let mut config = Config::defaults();
    for id in ids {
        assert!(config.checks.contains_key(*id), "rule `{id}` is missing");
    }
    for (k, sev) in config.checks.iter_mut() {
        if !ids.contains(&k.as_str()) {
            *sev = Severity::Ignore;
        }
    }
    edit(&mut config);
    let engine = Engine::new(config).unwrap();
    let mut active: Vec<&str> = engine.active_ids().collect();
    active.sort_unstable();
    let mut want = ids.to_vec();
    want.sort_unstable();
    assert_eq!(active, want);
    engine
}

fn ids(e: &Evaluation) -> Vec<String> {
    e.findings.iter().map(|f| f.id.to_string()).collect()
}

/// A pod in `ns` sharing the host's IPC namespace, with two privileged
/// containers (`app` and the sidecar `istio-proxy`).
fn pod(name: &str, ns: &str, annotations: Value) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "annotations": annotations},
        "spec": {
            "hostIPC": true,
            "containers": [
                {"name": "app", "image": "registry.example.com/app:1.0",
                 "securityContext": {"privileged": true}},
                {"name": "istio-proxy", "image": "registry.example.com/proxy:1.0",
                 "securityContext": {"privileged": true}}
            ]
        }
    })
}

/// A Deployment whose pod template (not the object) carries `annotations`.
fn deployment(name: &str, annotations: Value) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "shop"},
        "spec": {
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}, "annotations": annotations},
                "spec": {
                    "hostIPC": true,
                    "containers": [{"name": "app", "image": "registry.example.com/app:1.0",
                                    "securityContext": {"privileged": true}}]
                }
            }
        }
    })
}

fn configmap(annotations: Value) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "db", "namespace": "shop", "annotations": annotations},
        "data": {"db_password": "hunter2"}
    })
}

const POD_RULES: &[&str] = &["hostIPCSet", "runAsPrivileged"];

#[test]
fn no_exemption_reports_everything() {
    let e = engine_with(POD_RULES, |_| {});
    let ev = e.check(&pod("web", "shop", json!({})), None, Pass::All);
    assert_eq!(
        ids(&ev),
        ["runAsPrivileged", "runAsPrivileged", "hostIPCSet"]
    );
    assert_eq!(ev.exempted, 0);
}

#[test]
fn polaris_exempt_annotation_exempts_all_rules() {
    let e = engine_with(POD_RULES, |_| {});
    for value in ["true", "TRUE", "True"] {
        let ev = e.check(
            &pod(
                "web",
                "shop",
                json!({"polaris.fairwinds.com/exempt": value}),
            ),
            None,
            Pass::All,
        );
        assert!(ev.findings.is_empty(), "{value}: {:?}", ids(&ev));
        // Counted as configured exemptions are: hostIPCSet once, the
        // container check once per container.
        assert_eq!(ev.exempted, 3);
        assert_eq!(ev.passed, 0);
    }
    let ev = e.check(
        &pod(
            "web",
            "shop",
            json!({"polaris.fairwinds.com/exempt": "false"}),
        ),
        None,
        Pass::All,
    );
    assert_eq!(ev.findings.len(), 3);
}

#[test]
fn polaris_per_rule_annotation_exempts_one_rule() {
    let e = engine_with(POD_RULES, |_| {});
    let ev = e.check(
        &pod(
            "web",
            "shop",
            json!({"polaris.fairwinds.com/hostIPCSet-exempt": "true"}),
        ),
        None,
        Pass::All,
    );
    assert_eq!(ids(&ev), ["runAsPrivileged", "runAsPrivileged"]);
    assert_eq!(ev.exempted, 1);

    let e = engine_with(&["sensitiveConfigmapContent"], |_| {});
    let annotated =
        configmap(json!({"polaris.fairwinds.com/sensitiveConfigmapContent-exempt": "true"}));
    assert!(e.check(&annotated, None, Pass::All).findings.is_empty());
    let other = configmap(json!({"polaris.fairwinds.com/hostIPCSet-exempt": "true"}));
    assert_eq!(e.check(&other, None, Pass::All).findings.len(), 1);
}

#[test]
fn eyelint_exempt_annotation_lists_rules_or_all() {
    let e = engine_with(POD_RULES, |_| {});
    let ev = e.check(
        &pod(
            "web",
            "shop",
            json!({"eyelint.io/exempt": "runAsPrivileged, tlsSettingsMissing"}),
        ),
        None,
        Pass::All,
    );
    assert_eq!(ids(&ev), ["hostIPCSet"]);
    let ev = e.check(
        &pod(
            "web",
            "shop",
            json!({"eyelint.io/exempt": "all", "eyelint.io/exempt-reason": "legacy"}),
        ),
        None,
        Pass::All,
    );
    assert!(ev.findings.is_empty());
    assert_eq!(ev.exempted, 3);
}

#[test]
fn pod_template_annotations_exempt_too() {
    let e = engine_with(POD_RULES, |_| {});
    let plain = e.check(&deployment("web", json!({})), None, Pass::All);
    assert_eq!(ids(&plain), ["runAsPrivileged", "hostIPCSet"]);
    for annotations in [
        json!({"polaris.fairwinds.com/hostIPCSet-exempt": "true"}),
        json!({"eyelint.io/exempt": "hostIPCSet"}),
    ] {
        let ev = e.check(&deployment("web", annotations.clone()), None, Pass::All);
        assert_eq!(ids(&ev), ["runAsPrivileged"], "{annotations}");
    }
}

fn exemption(edit: impl FnOnce(&mut Exemption)) -> Exemption {
    let mut e = Exemption::default();
    edit(&mut e);
    e
}

#[test]
fn config_exemption_by_namespace() {
    let e = engine_with(POD_RULES, |c| {
        c.exemptions = vec![exemption(|e| e.namespace = Some("kube-system".into()))];
    });
    let exempt = e.check(&pod("dns", "kube-system", json!({})), None, Pass::All);
    assert!(exempt.findings.is_empty());
    // The same count as an annotation that exempts every check.
    let plain = engine_with(POD_RULES, |_| {});
    let annotated = plain.check(
        &pod(
            "dns",
            "kube-system",
            json!({"polaris.fairwinds.com/exempt": "true"}),
        ),
        None,
        Pass::All,
    );
    assert_eq!(exempt.exempted, annotated.exempted);
    assert_eq!(
        e.check(&pod("dns", "shop", json!({})), None, Pass::All)
            .findings
            .len(),
        3
    );
}

/// `namespaces` lists namespaces; with `namespace` in the same entry the
/// two are one field: either names the namespace.
#[test]
fn config_exemption_by_namespaces_list() {
    let lists: [(Option<&str>, &[&str]); 2] = [
        (None, &["monitoring", "logging"]),
        (Some("logging"), &["monitoring"]),
    ];
    for (namespace, namespaces) in lists {
        let e = engine_with(POD_RULES, |c| {
            c.exemptions = vec![exemption(|e| {
                e.namespace = namespace.map(str::to_string);
                e.namespaces = namespaces.iter().map(|n| n.to_string()).collect();
            })];
        });
        for ns in ["monitoring", "logging"] {
            assert!(e
                .check(&pod("x", ns, json!({})), None, Pass::All)
                .findings
                .is_empty());
        }
        assert_eq!(
            e.check(&pod("x", "shop", json!({})), None, Pass::All)
                .findings
                .len(),
            3
        );
    }
}

#[test]
fn config_exemption_by_controller_name_prefix_and_rule() {
    let e = engine_with(POD_RULES, |c| {
        c.exemptions = vec![exemption(|e| {
            e.controller_names = vec!["node-exporter".into()];
            e.rules = vec!["hostIPCSet".into()];
        })];
    });
    // Prefix match on the object name, only for the listed rule.
    let ev = e.check(
        &pod("node-exporter-abc12", "shop", json!({})),
        None,
        Pass::All,
    );
    assert_eq!(ids(&ev), ["runAsPrivileged", "runAsPrivileged"]);
    assert_eq!(ev.exempted, 1);
    // Not a prefix.
    let ev = e.check(&pod("my-node-exporter", "shop", json!({})), None, Pass::All);
    assert_eq!(ev.findings.len(), 3);
}

#[test]
fn config_exemption_of_one_sidecar_alone() {
    let e = engine_with(POD_RULES, |c| {
        c.exemptions = vec![exemption(|e| {
            e.container_names = vec!["istio".into()];
            e.rules = vec!["runAsPrivileged".into()];
        })];
    });
    let ev = e.check(&pod("web", "shop", json!({})), None, Pass::All);
    // The sidecar is exempted; `app` still fails, and the pod-level rule (no
    // container, so no container name) is not touched by a container exemption.
    let containers: Vec<_> = ev
        .findings
        .iter()
        .map(|f| (f.id.as_ref(), f.container.as_ref().map(|c| c.name.as_ref())))
        .collect();
    assert_eq!(
        containers,
        [("runAsPrivileged", Some("app")), ("hostIPCSet", None)]
    );
    assert_eq!(ev.exempted, 1);
}

#[test]
fn disallow_switches() {
    let obj = pod(
        "node-exporter",
        "shop",
        json!({"polaris.fairwinds.com/hostIPCSet-exempt": "true"}),
    );
    let exempt_runas = vec![exemption(|e| {
        e.controller_names = vec!["node-exporter".into()];
        e.rules = vec!["runAsPrivileged".into()];
    })];

    // Both kinds of exemption apply (a union).
    let e = engine_with(POD_RULES, |c| c.exemptions = exempt_runas.clone());
    assert!(e.check(&obj, None, Pass::All).findings.is_empty());

    let e = engine_with(POD_RULES, |c| {
        c.exemptions = exempt_runas.clone();
        c.disallow_exemptions = true;
    });
    assert_eq!(e.check(&obj, None, Pass::All).findings.len(), 3);

    let e = engine_with(POD_RULES, |c| {
        c.exemptions = exempt_runas.clone();
        c.disallow_annotation_exemptions = true;
    });
    assert_eq!(ids(&e.check(&obj, None, Pass::All)), ["hostIPCSet"]);

    let e = engine_with(POD_RULES, |c| {
        c.exemptions = exempt_runas.clone();
        c.disallow_config_exemptions = true;
    });
    assert_eq!(
        ids(&e.check(&obj, None, Pass::All)),
        ["runAsPrivileged", "runAsPrivileged"]
    );
}

#[test]
fn disallow_switches_parse_from_user_config() {
    let c = Config::from_user_value(json!({
        "disallowExemptions": true,
        "disallowAnnotationExemptions": true,
        "disallowConfigExemptions": true,
        "exemptions": [{"namespace": "kube-system", "controllerNames": ["dns"],
                        "containerNames": ["side"], "rules": ["hostIPCSet"]}]
    }))
    .unwrap();
    assert!(
        c.disallow_exemptions && c.disallow_annotation_exemptions && c.disallow_config_exemptions
    );
    assert_eq!(c.exemptions[0].container_names, ["side"]);
    assert!(Config::from_user_value(json!({"exemptions": [{"namespaec": "x"}]})).is_err());
}

#[test]
fn findings_come_out_in_a_deterministic_order() {
    let e = engine_with(
        &[
            "hostIPCSet",
            "runAsPrivileged",
            "sensitiveConfigmapContent",
            "tlsSettingsMissing",
        ],
        |_| {},
    );
    let objects = vec![
        pod("zeta", "b", json!({})),
        configmap(json!({})),
        pod("alpha", "a", json!({})),
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
               "metadata": {"name": "web", "namespace": "a"}, "spec": {"rules": []}}),
    ];
    let mut first = Evaluation::default();
    for ev in e.check_all(&objects, Coverage::All) {
        first.extend(ev);
    }
    first.sort();
    let mut reversed: Vec<Value> = objects.clone();
    reversed.reverse();
    let mut second = Evaluation::default();
    for ev in e.check_all(&reversed, Coverage::All) {
        second.extend(ev);
    }
    second.sort();
    assert_eq!(first.findings, second.findings);
    let order: Vec<String> = first
        .findings
        .iter()
        .map(|f| format!("{} {} {}", f.object, f.path, f.id))
        .collect();
    assert_eq!(
        order,
        [
            "Ingress/a/web spec tlsSettingsMissing",
            "Pod/a/alpha spec.containers[0].securityContext.privileged runAsPrivileged",
            "Pod/a/alpha spec.containers[1].securityContext.privileged runAsPrivileged",
            "Pod/a/alpha spec.hostIPC hostIPCSet",
            "Pod/b/zeta spec.containers[0].securityContext.privileged runAsPrivileged",
            "Pod/b/zeta spec.containers[1].securityContext.privileged runAsPrivileged",
            "Pod/b/zeta spec.hostIPC hostIPCSet",
            "ConfigMap/shop/db data.db_password sensitiveConfigmapContent",
        ]
    );
}

#[test]
fn score_counts_passes_warnings_and_dangers_like_polaris() {
    let e = engine_with(
        &[
            "hostIPCSet",
            "sensitiveConfigmapContent",
            "tlsSettingsMissing",
            "rolebindingRolePodExecAttach",
        ],
        |_| {},
    );
    let clean_pod = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "ok", "namespace": "shop"},
        "spec": {"containers": [{"name": "app", "image": "registry.example.com/app:1.0"}]}});
    let clean_cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "ok", "namespace": "shop"}, "data": {"host": "db"}});
    let no_tls = json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": "web", "namespace": "shop"}, "spec": {"rules": []}});
    // A binding to a Role outside the input: not evaluated, not in the score.
    let outside = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": "dev", "namespace": "shop"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "dev"},
        "subjects": [{"kind": "Group", "name": "dev"}]});
    let objects = vec![
        pod("web", "shop", json!({})), // hostIPCSet: danger
        clean_pod,                     // hostIPCSet: pass
        clean_cm,                      // sensitiveConfigmapContent: pass
        no_tls,                        // tlsSettingsMissing: warning
        outside,
    ];
    let mut total = Evaluation::default();
    for ev in e.check_all(&objects, Coverage::All) {
        total.extend(ev);
    }
    assert_eq!(total.passed, 2);
    assert_eq!(total.findings.len(), 2);
    assert_eq!(total.not_evaluated.len(), 1);
    assert_eq!(&*total.not_evaluated[0].id, "rolebindingRolePodExecAttach");
    // floor(100 * 2*2 / (2*2 + 1 + 2*1)) = floor(400 / 7) = 57
    assert_eq!(total.score(), 57);
    // Exempting the failing pod turns its danger into neither pass nor fail.
    let exempted = pod("web", "shop", json!({"eyelint.io/exempt": "hostIPCSet"}));
    let ev = e.check(&exempted, None, Pass::All);
    assert_eq!((ev.passed, ev.findings.len(), ev.exempted), (0, 0, 1));
    assert_eq!(ev.score(), 100);
}
