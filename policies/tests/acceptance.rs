//! Acceptance tests for issue 2 (the shared policy engine and the built-in
//! rule catalog): one test per requirement that no other test file proves
//! end to end. Tests that read `../shared/` skip with a message when it is
//! absent.

use std::collections::BTreeMap;
use std::path::PathBuf;

use eyelint_policies::config::load_config;
use eyelint_policies::engine::builtin_rules;
use eyelint_policies::object::expand_lists;
use eyelint_policies::rule::Scope;
use eyelint_policies::{
    rule_doc, yaml, Category, Config, Coverage, Engine, Evaluation, Finding, FixSafety, Pass, Role,
    Roles, Severity,
};
use serde_json::{json, Value};

// ---------------------------------------------------------------- helpers

fn shared() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared"));
    if p.is_dir() {
        Some(p)
    } else {
        println!(
            "SKIPPED: {} not found (shared reference material absent)",
            p.display()
        );
        None
    }
}

fn obj(y: &str) -> Value {
    yaml::load_one(y).expect("yaml").value
}

fn objs(y: &str) -> Vec<Value> {
    let loaded = yaml::load(y, &yaml::Limits::default());
    assert!(loaded.error.is_none(), "{:?}", loaded.error);
    let mut out = Vec::new();
    for d in loaded.documents {
        expand_lists(d.value, &mut out);
    }
    out
}

/// An engine running only `ids`, at their default severities.
fn only(ids: &[&str]) -> Engine {
    only_with(ids, |_| {})
}

fn only_with(ids: &[&str], edit: impl FnOnce(&mut Config)) -> Engine {
    let mut c = Config::defaults();
    for (k, v) in c.checks.iter_mut() {
        if !ids.contains(&k.as_str()) {
            *v = Severity::Ignore;
        }
    }
    edit(&mut c);
    Engine::new(c).expect("engine")
}

/// Runs `engine` over a complete input; returns every evaluation.
fn run(engine: &Engine, objects: &[Value]) -> Vec<Evaluation> {
    engine.check_all(objects, Coverage::All)
}

/// Paths of the findings of `id` over a complete input.
fn paths_of(engine: &Engine, objects: &[Value], id: &str) -> Vec<String> {
    run(engine, objects)
        .into_iter()
        .flat_map(|e| e.findings)
        .filter(|f| &*f.id == id)
        .map(|f| f.path.to_string())
        .collect()
}

/// Findings of rule `id` alone on one object (no other object given).
fn fails(id: &str, object: &Value) -> Vec<Finding> {
    run(&only(&[id]), std::slice::from_ref(object))
        .remove(0)
        .findings
}

fn deployment(pod_spec: Value) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}}, "spec": pod_spec}}
    })
}

fn container(extra: Value) -> Value {
    let mut c = json!({"name": "app", "image": "registry.example.com/app:1.0"});
    if let (Some(m), Value::Object(e)) = (c.as_object_mut(), extra) {
        m.extend(e);
    }
    deployment(json!({"containers": [c]}))
}

// ------------------------------------------------------- catalog (Rules)

/// Polaris's 44 built-in checks (`default.yaml`): id, default severity,
/// category. Facts from `../shared/reference/polaris.md` §2.
const POLARIS: [(&str, &str, &str); 44] = [
    ("deploymentMissingReplicas", "warning", "Reliability"),
    ("priorityClassNotSet", "warning", "Reliability"),
    ("tagNotSpecified", "danger", "Reliability"),
    ("pullPolicyNotAlways", "warning", "Reliability"),
    ("readinessProbeMissing", "warning", "Reliability"),
    ("livenessProbeMissing", "warning", "Reliability"),
    ("metadataAndInstanceMismatched", "warning", "Reliability"),
    ("pdbDisruptionsIsZero", "warning", "Reliability"),
    ("missingPodDisruptionBudget", "warning", "Reliability"),
    ("topologySpreadConstraint", "warning", "Reliability"),
    ("hpaMaxAvailability", "warning", "Reliability"),
    ("hpaMinAvailability", "warning", "Reliability"),
    (
        "pdbMinAvailableGreaterThanHPAMinReplicas",
        "warning",
        "Reliability",
    ),
    ("cpuRequestsMissing", "warning", "Efficiency"),
    ("cpuLimitsMissing", "warning", "Efficiency"),
    ("memoryRequestsMissing", "warning", "Efficiency"),
    ("memoryLimitsMissing", "warning", "Efficiency"),
    ("automountServiceAccountToken", "warning", "Security"),
    ("hostIPCSet", "danger", "Security"),
    ("hostPathSet", "warning", "Security"),
    ("hostProcess", "warning", "Security"),
    ("hostPIDSet", "danger", "Security"),
    ("hostNetworkSet", "danger", "Security"),
    ("hostPortSet", "warning", "Security"),
    ("linuxHardening", "warning", "Security"),
    ("missingNetworkPolicy", "warning", "Security"),
    ("notReadOnlyRootFilesystem", "warning", "Security"),
    ("privilegeEscalationAllowed", "danger", "Security"),
    ("procMount", "warning", "Security"),
    ("runAsRootAllowed", "danger", "Security"),
    ("runAsPrivileged", "danger", "Security"),
    ("dangerousCapabilities", "danger", "Security"),
    ("insecureCapabilities", "warning", "Security"),
    ("tlsSettingsMissing", "warning", "Security"),
    ("sensitiveContainerEnvVar", "danger", "Security"),
    ("sensitiveConfigmapContent", "danger", "Security"),
    ("clusterrolePodExecAttach", "danger", "Security"),
    ("rolePodExecAttach", "danger", "Security"),
    ("clusterrolebindingPodExecAttach", "danger", "Security"),
    ("rolebindingClusterRolePodExecAttach", "danger", "Security"),
    ("rolebindingRolePodExecAttach", "danger", "Security"),
    ("clusterrolebindingClusterAdmin", "danger", "Security"),
    ("rolebindingClusterAdminClusterRole", "danger", "Security"),
    ("rolebindingClusterAdminRole", "danger", "Security"),
];

fn builtin_table() -> BTreeMap<String, (String, String)> {
    builtin_rules()
        .into_iter()
        .map(|m| {
            (
                m.id.to_string(),
                (m.severity.to_string(), m.category.to_string()),
            )
        })
        .collect()
}

#[test]
fn catalog_is_polaris_44_plus_image_registry() {
    let ours = builtin_table();
    for (id, sev, cat) in POLARIS {
        assert_eq!(
            ours.get(id),
            Some(&(sev.to_string(), cat.to_string())),
            "{id}"
        );
    }
    assert_eq!(
        ours.get("imageRegistry"),
        Some(&("danger".to_string(), "Security".to_string()))
    );
    assert_eq!(ours.len(), 45, "{:?}", ours.keys().collect::<Vec<_>>());
    // Polaris's totals: 18 danger / 26 warning; 13 / 4 / 27 by category.
    let count = |f: &dyn Fn(&(String, String)) -> bool| {
        POLARIS.iter().filter(|(id, _, _)| f(&ours[*id])).count()
    };
    assert_eq!(count(&|(s, _)| s == "danger"), 18);
    assert_eq!(count(&|(_, c)| c == "Reliability"), 13);
    assert_eq!(count(&|(_, c)| c == "Efficiency"), 4);
    // The defaults enable every rule at the rule's own severity.
    let defaults = Config::defaults();
    for m in builtin_rules() {
        assert_eq!(defaults.severity(m.id), Some(m.severity), "{}", m.id);
    }
}

/// The same comparison, read from the reference document itself.
#[test]
fn catalog_matches_the_polaris_reference_table() {
    let Some(root) = shared() else { return };
    let Ok(text) = std::fs::read_to_string(root.join("reference/polaris.md")) else {
        println!("SKIPPED: reference/polaris.md not found");
        return;
    };
    let ours = builtin_table();
    let mut rows = 0;
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // | # | `id` | default | category | …
        if cells.len() < 5 || cells[1].parse::<u32>().is_err() {
            continue;
        }
        let id = cells[2].trim_matches('`');
        let sev = cells[3]
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_matches('*');
        let cat = cells[4];
        assert_eq!(
            ours.get(id),
            Some(&(sev.to_string(), cat.to_string())),
            "reference row: {line}"
        );
        rows += 1;
    }
    assert_eq!(rows, 44, "the reference table has 44 rows");
}

// ------------------------------------------------------ object model

#[test]
fn every_pod_bearing_shape_is_judged() {
    let spec = json!({"hostIPC": true, "containers": [{"name": "a", "image": "x:1"}]});
    let tpl = json!({"metadata": {"labels": {"app": "a"}}, "spec": spec});
    let m = json!({"name": "x", "namespace": "ns"});
    let cases = [
        (
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": m, "spec": spec}),
            "spec.hostIPC",
        ),
        (
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": m, "spec": {"template": tpl}}),
            "spec.template.spec.hostIPC",
        ),
        (
            json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": m, "spec": {"template": tpl}}),
            "spec.template.spec.hostIPC",
        ),
        (
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": m, "spec": {"template": tpl}}),
            "spec.template.spec.hostIPC",
        ),
        (
            json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": m, "spec": {"template": tpl}}),
            "spec.template.spec.hostIPC",
        ),
        (
            json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": m, "spec": {"template": tpl}}),
            "spec.template.spec.hostIPC",
        ),
        (
            json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": m, "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": tpl}}}}),
            "spec.jobTemplate.spec.template.spec.hostIPC",
        ),
        (
            json!({"apiVersion": "v1", "kind": "ReplicationController", "metadata": m, "spec": {"template": tpl}}),
            "spec.template.spec.hostIPC",
        ),
        (
            json!({"apiVersion": "v1", "kind": "PodTemplate", "metadata": m, "template": tpl}),
            "template.spec.hostIPC",
        ),
        (
            json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": m, "spec": {"strategy": {"canary": {}}, "template": tpl}}),
            "spec.template.spec.hostIPC",
        ),
        (
            json!({"apiVersion": "apps.kruise.io/v1alpha1", "kind": "CloneSet", "metadata": m, "spec": {"template": tpl}}),
            "spec.template.spec.hostIPC",
        ),
        (
            json!({"apiVersion": "example.com/v1", "kind": "NightlyTask", "metadata": m, "spec": {"jobTemplate": {"spec": {"template": tpl}}}}),
            "spec.jobTemplate.spec.template.spec.hostIPC",
        ),
    ];
    let e = only(&["hostIPCSet"]);
    for (o, path) in cases {
        let kind = o["kind"].as_str().unwrap_or("").to_string();
        assert_eq!(paths_of(&e, &[o], "hostIPCSet"), vec![path], "{kind}");
    }
    // Not pod-bearing: nothing judged.
    let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": m, "spec": {"template": {"spec": {}}}});
    assert!(paths_of(&e, &[svc], "hostIPCSet").is_empty());
}

#[test]
fn lists_expand_and_unknown_fields_are_kept() {
    let items = objs(
        r#"
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: a, namespace: ns}
  spec: {hostPID: true, containers: [{name: c, image: "x:1"}]}
- apiVersion: v1
  kind: DeploymentList
  items:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: b, namespace: ns}
    spec:
      template:
        spec:
          hostPID: true
          containers: [{name: c, image: "x:1", futureField: {deep: [1, 2]}}]
"#,
    );
    assert_eq!(items.len(), 2);
    assert_eq!(
        paths_of(&only(&["hostPIDSet"]), &items, "hostPIDSet"),
        vec!["spec.hostPID", "spec.template.spec.hostPID"]
    );
    // The object is never narrowed to a typed struct: a custom check sees a
    // field Kubernetes does not (yet) define.
    let cfg = r#"
checks: {noFuture: warning}
customChecks:
  noFuture:
    target: Container
    schema: {not: {required: [futureField]}}
"#;
    let e = Engine::new(load_config(cfg, "c.yaml", true).expect("config").config).expect("engine");
    let f: Vec<Vec<Finding>> = run(&e, &items)
        .into_iter()
        .map(|ev| {
            ev.findings
                .into_iter()
                .filter(|f| &*f.id == "noFuture")
                .collect()
        })
        .collect();
    assert_eq!(f[0].len(), 0);
    assert_eq!(f[1].len(), 1);
    assert_eq!(
        f[1][0].container.as_ref().map(|c| c.name.as_ref()),
        Some("c")
    );
}

/// Every role a rule family must inspect by default, by metadata, by
/// behaviour, and in the generated `docs/rules.md`.
#[test]
fn default_roles_per_rule_family() {
    let every_role = [
        "runAsPrivileged",
        "runAsRootAllowed",
        "privilegeEscalationAllowed",
        "dangerousCapabilities",
        "insecureCapabilities",
        "notReadOnlyRootFilesystem",
        "hostPortSet",
        "tagNotSpecified",
        "pullPolicyNotAlways",
        "imageRegistry",
        "procMount",
        "hostProcess",
    ];
    let running = [
        "readinessProbeMissing",
        "livenessProbeMissing",
        "cpuRequestsMissing",
        "cpuLimitsMissing",
        "memoryRequestsMissing",
        "memoryLimitsMissing",
    ];
    let metas: BTreeMap<&str, _> = builtin_rules().into_iter().map(|m| (m.id, m)).collect();
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/rules.md"))
        .expect("docs/rules.md");
    for (ids, roles, label) in [
        (
            &every_role[..],
            Roles::ALL,
            "container, initContainer, sidecar, ephemeral",
        ),
        (&running[..], Roles::RUNNING, "container, sidecar"),
    ] {
        for id in ids {
            assert_eq!(metas[id].scope, Scope::Container(roles), "{id}");
            let row = docs
                .lines()
                .find(|l| l.starts_with(&format!("| [`{id}`]")))
                .unwrap_or_else(|| panic!("{id} missing from docs/rules.md"));
            assert!(row.contains(&format!("| {label} |")), "{row}");
        }
    }

    // Behaviour: a pod with one container of each role, all bad.
    let bad = json!({"name": "?", "image": "nginx", "ports": [{"containerPort": 80, "hostPort": 80}],
                     "securityContext": {"privileged": true, "procMount": "Unmasked",
                                         "windowsOptions": {"hostProcess": true},
                                         "capabilities": {"add": ["SYS_ADMIN"]}}});
    let named = |n: &str, extra: Value| {
        let mut c = bad.clone();
        c["name"] = json!(n);
        if let (Some(m), Value::Object(e)) = (c.as_object_mut(), extra) {
            m.extend(e);
        }
        c
    };
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns"},
        "spec": {"containers": [named("app", json!({}))],
                 "initContainers": [named("init", json!({})), named("side", json!({"restartPolicy": "Always"}))],
                 "ephemeralContainers": [named("debug", json!({}))]}});
    let mut ids: Vec<&str> = every_role.to_vec();
    ids.extend(running);
    let e = only_with(&ids, |c| {
        c.allowed_registries = vec!["registry.example.com".into()]
    });
    let ev = run(&e, &[pod]).remove(0);
    let mut seen: BTreeMap<&str, Vec<Role>> = BTreeMap::new();
    for f in &ev.findings {
        let id = ids
            .iter()
            .find(|i| ***i == *f.id)
            .copied()
            .expect("known id");
        let role = f.container.as_ref().expect("container finding").role;
        let v = seen.entry(id).or_default();
        if !v.contains(&role) {
            v.push(role);
        }
    }
    for v in seen.values_mut() {
        v.sort();
    }
    for id in every_role {
        assert_eq!(
            seen.get(id).cloned().unwrap_or_default(),
            Role::ALL.to_vec(),
            "{id}"
        );
    }
    for id in running {
        assert_eq!(
            seen.get(id).cloned().unwrap_or_default(),
            vec![Role::Container, Role::Sidecar],
            "{id}"
        );
    }
}

#[test]
fn quantities_compare_by_value() {
    let e = only(&["cpuRequestsMissing", "memoryLimitsMissing"]);
    for (cpu, mem) in [
        (json!(1), json!(1073741824)),
        (json!("1"), json!("1Gi")),
        (json!(0.5), json!("512Mi")),
    ] {
        let d =
            container(json!({"resources": {"requests": {"cpu": cpu}, "limits": {"memory": mem}}}));
        assert!(run(&e, &[d]).remove(0).findings.is_empty(), "{cpu} {mem}");
    }
    // A custom range check reads numbers and strings alike.
    let cfg = r#"
checks: {cpuAtLeastOne: warning}
customChecks:
  cpuAtLeastOne:
    target: Container
    schema:
      properties:
        resources:
          properties:
            requests:
              properties:
                cpu: {resourceMinimum: "1000m"}
"#;
    let e = Engine::new(load_config(cfg, "c.yaml", true).expect("config").config).expect("engine");
    let at = |cpu: Value| {
        run(
            &e,
            &[container(json!({"resources": {"requests": {"cpu": cpu}}}))],
        )
        .remove(0)
        .findings
        .iter()
        .filter(|f| &*f.id == "cpuAtLeastOne")
        .count()
    };
    assert_eq!(at(json!(1)), 0);
    assert_eq!(at(json!("1")), 0);
    assert_eq!(at(json!("1000m")), 0);
    assert_eq!(at(json!("999m")), 1);
    assert_eq!(at(json!(0.5)), 1);
}

// ------------------------------------------------------------ findings

#[test]
fn a_finding_carries_every_field() {
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns"},
        "spec": {"containers": [{"name": "app", "image": "x:1", "securityContext": {"runAsNonRoot": true}}],
                 "initContainers": [{"name": "side", "image": "x:1", "restartPolicy": "Always"}]}});
    let f = fails("privilegeEscalationAllowed", &pod);
    assert_eq!(f.len(), 2);
    // Field missing: the nearest enclosing object (the sidecar itself, the
    // app's securityContext).
    let side = f
        .iter()
        .find(|f| f.container.as_ref().is_some_and(|c| &*c.name == "side"))
        .expect("side");
    assert_eq!(&*side.id, "privilegeEscalationAllowed");
    assert_eq!(side.severity, Severity::Danger);
    assert_eq!(&*side.category, Category::Security.as_str());
    assert_eq!(
        (
            side.object.api_version.as_ref(),
            side.object.kind.as_ref(),
            side.object.namespace.as_ref(),
            side.object.name.as_ref()
        ),
        ("v1", "Pod", "ns", "p")
    );
    assert_eq!(side.container.as_ref().map(|c| c.role), Some(Role::Sidecar));
    assert_eq!(side.path.to_string(), "spec.initContainers[0]");
    let app = f
        .iter()
        .find(|f| f.container.as_ref().is_some_and(|c| &*c.name == "app"))
        .expect("app");
    assert_eq!(app.path.to_string(), "spec.containers[0].securityContext");
    for f in &f {
        let fix = f.fix.as_ref().expect("fix");
        assert_eq!(fix.safety, FixSafety::Safe);
        let fixed = fix.apply(&pod).expect("patch applies");
        assert_eq!(
            fixed.pointer(&format!(
                "{}/securityContext/allowPrivilegeEscalation",
                f.path.to_pointer().trim_end_matches("/securityContext")
            )),
            Some(&json!(false)),
            "{fixed}"
        );
    }
    // An invented value is marked unsafe.
    let probe = fails("livenessProbeMissing", &pod);
    assert!(probe.iter().all(|f| f
        .fix
        .as_ref()
        .is_some_and(|x| x.safety == FixSafety::Unsafe)));
    let replicas = fails(
        "deploymentMissingReplicas",
        &json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "d"}, "spec": {"template": {"spec": {"containers": []}}}}),
    );
    assert_eq!(replicas[0].path.to_string(), "spec");
    assert_eq!(
        replicas[0].fix.as_ref().map(|f| f.safety),
        Some(FixSafety::Unsafe)
    );
    // Pod-level findings carry no container.
    let ipc = fails(
        "hostIPCSet",
        &deployment(json!({"hostIPC": true, "containers": []})),
    );
    assert!(ipc[0].container.is_none());
}

/// Over every object of the shared corpus, with the default rules: every
/// finding's path exists in its object (the offending field, or the nearest
/// enclosing object), every message is lowercase without a trailing
/// period, every fix applies, and the output does not depend on input order.
#[test]
fn corpus_findings_are_well_formed_and_deterministic() {
    let Some(root) = shared() else { return };
    let mut files = Vec::new();
    let mut stack = vec![root.join("corpus")];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
            {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut objects = Vec::new();
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let loaded = yaml::load(&text, &yaml::Limits::default());
        for d in loaded.documents {
            if eyelint_policies::object::is_kubernetes_object(&d.value)
                || d.value.get("items").is_some()
            {
                expand_lists(d.value, &mut objects);
            }
        }
    }
    assert!(objects.len() > 100, "corpus too small: {}", objects.len());
    let engine = only_with(
        &builtin_rules().iter().map(|m| m.id).collect::<Vec<_>>(),
        |c| c.allowed_registries = vec!["registry.example.com".into()],
    );
    let forward = run(&engine, &objects);
    let mut total = 0;
    for (o, ev) in objects.iter().zip(&forward) {
        for f in &ev.findings {
            total += 1;
            assert!(
                f.path.lookup(o).is_some(),
                "{} {}: path {} not in object",
                f.id,
                f.object,
                f.path
            );
            // Lowercase start, unless the first word is an identifier
            // (`NetworkPolicies`, `PodDisruptionBudget`); no trailing period.
            let first = f.message.split_whitespace().next().unwrap_or("");
            let lower = first.chars().next().is_some_and(|c| !c.is_uppercase())
                || first.chars().skip(1).any(char::is_uppercase);
            assert!(
                lower && !f.message.ends_with('.'),
                "{}: {:?}",
                f.id,
                f.message
            );
            if let Some(fix) = &f.fix {
                assert!(
                    fix.apply(o).is_ok(),
                    "{} {} at {}: fix does not apply",
                    f.id,
                    f.object,
                    f.path
                );
            }
        }
    }
    assert!(total > 100, "only {total} findings");
    let mut reversed: Vec<Value> = objects.clone();
    reversed.reverse();
    let mut backward = run(&engine, &reversed);
    backward.reverse();
    assert_eq!(forward, backward, "findings depend on input order");
}

#[test]
fn findings_order_does_not_depend_on_key_order() {
    let a = obj(r#"
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: ns}
spec:
  hostPID: true
  hostIPC: true
  containers:
  - {name: b, image: "x", securityContext: {privileged: true}}
  - {name: a, image: "y:latest"}
"#);
    let b = obj(r#"
kind: Pod
spec:
  containers:
  - {securityContext: {privileged: true}, image: "x", name: b}
  - {image: "y:latest", name: a}
  hostIPC: true
  hostPID: true
metadata: {namespace: ns, name: p}
apiVersion: v1
"#);
    let e = Engine::with_defaults().expect("engine");
    let fa = e.check(&a, None, Pass::All).findings;
    let fb = e.check(&b, None, Pass::All).findings;
    assert!(fa.len() > 5);
    let key = |f: &[Finding]| {
        f.iter()
            .map(|f| (f.id.clone(), f.path.to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(key(&fa), key(&fb));
    let mut sorted = key(&fa);
    sorted.sort_by(|x, y| x.1.cmp(&y.1).then(x.0.cmp(&y.0)));
    // Within one object: by path, then rule id.
    assert_eq!(
        key(&fa).iter().map(|k| &k.1).collect::<Vec<_>>(),
        sorted.iter().map(|k| &k.1).collect::<Vec<_>>()
    );
}

// ------------------------------------------------------ imageRegistry

#[test]
fn image_registry_semantics() {
    let check = |allowed: &[&str], image: &str| -> bool {
        let e = only_with(&["imageRegistry"], |c| {
            c.allowed_registries = allowed.iter().map(|s| s.to_string()).collect()
        });
        run(&e, &[container(json!({"image": image}))])
            .remove(0)
            .findings
            .is_empty()
    };
    // Off while the list is empty (also in the default engine).
    assert!(check(&[], "evil.example/x:1"));
    assert!(!Engine::with_defaults()
        .expect("engine")
        .active_ids()
        .any(|i| i == "imageRegistry"));
    // Docker Hub short names are docker.io, whichever way they are written.
    for image in [
        "nginx:1",
        "library/nginx:1",
        "bitnami/redis:7",
        "docker.io/library/nginx:1",
        "index.docker.io/library/nginx:1",
        "docker.io/nginx:1",
    ] {
        assert!(check(&["docker.io"], image), "{image}");
        assert!(!check(&["quay.io"], image), "{image}");
    }
    assert!(check(&["index.docker.io"], "nginx"));
    // A Docker Hub path prefix is compared after normalisation.
    assert!(check(&["docker.io/library"], "nginx:1"));
    assert!(check(&["docker.io/library"], "docker.io/nginx:1"));
    assert!(!check(&["docker.io/library"], "bitnami/redis:7"));
    // Host boundaries.
    assert!(check(&["quay.io"], "quay.io/org/app:1"));
    assert!(!check(&["quay.io"], "quay.io.evil.example/org/app:1"));
    assert!(!check(&["quay.io"], "notquay.io/org/app:1"));
    assert!(!check(&["quay.io"], "quay.io:5000/org/app:1"));
    assert!(check(&["Quay.IO"], "quay.io/org/app@sha256:0123"));
    assert!(check(&["localhost:5000"], "localhost:5000/app:1"));
    assert!(!check(
        &["registry.example.com/team"],
        "registry.example.com/teammate/app:1"
    ));
    assert!(check(
        &["registry.example.com/team/"],
        "registry.example.com/team/app:1"
    ));
}

// ------------------------------------- where Polaris is known to be wrong

#[test]
fn tag_and_pull_policy_edge_cases() {
    let tag = |image: &str| fails("tagNotSpecified", &container(json!({"image": image}))).len();
    assert_eq!(tag("host:5000/app"), 1);
    assert_eq!(tag("localhost:5000/app"), 1);
    assert_eq!(tag("app"), 1);
    assert_eq!(tag("app:latest"), 1);
    assert_eq!(tag("host:5000/app:latest"), 1);
    assert_eq!(tag("host:5000/app:1.2"), 0);
    let digest = format!("sha256:{}", "0123456789abcdef".repeat(4));
    assert_eq!(tag(&format!("app@{digest}")), 0);
    assert_eq!(tag(&format!("host:5000/app@{digest}")), 0);
    // A cut-off digest is no digest: the kubelet cannot pull the image.
    assert_eq!(tag("app@sha256:0123456789abcdef"), 1);
    let pull = |image: &str, policy: Option<&str>| {
        let mut c = json!({"image": image});
        if let Some(p) = policy {
            c["imagePullPolicy"] = json!(p);
        }
        fails("pullPolicyNotAlways", &container(c)).len()
    };
    assert_eq!(pull(&format!("app@{digest}"), None), 0);
    assert_eq!(pull(&format!("app@{digest}"), Some("IfNotPresent")), 0);
    assert_eq!(pull("app:1", Some("IfNotPresent")), 1);
    assert_eq!(pull("app:1", None), 1);
    assert_eq!(pull("app:1", Some("Always")), 0);
}

#[test]
fn capability_edge_cases() {
    let caps = |c: Value| container(json!({"securityContext": {"capabilities": c}}));
    let insecure = |c: Value| fails("insecureCapabilities", &caps(c)).len();
    let fifteen = [
        "NET_ADMIN",
        "CHOWN",
        "DAC_OVERRIDE",
        "FSETID",
        "FOWNER",
        "MKNOD",
        "NET_RAW",
        "SETGID",
        "SETUID",
        "SETFCAP",
        "SETPCAP",
        "NET_BIND_SERVICE",
        "SYS_CHROOT",
        "KILL",
        "AUDIT_WRITE",
    ];
    let mut all_and_fifteen = vec!["ALL"];
    all_and_fifteen.extend(fifteen);
    assert_eq!(
        insecure(json!({"drop": all_and_fifteen})),
        0,
        "ALL plus the 15 passes (Polaris's oneOf fails it)"
    );
    assert_eq!(insecure(json!({"drop": ["NET_RAW", "ALL"]})), 0);
    assert_eq!(insecure(json!({"drop": ["all"]})), 0);
    assert_eq!(
        insecure(json!({"drop": fifteen.iter().map(|c| c.to_lowercase()).collect::<Vec<_>>()})),
        0
    );
    assert_eq!(insecure(json!({"drop": ["NET_RAW"]})), 1);
    assert_eq!(insecure(json!({})), 1);
    let dangerous = |c: Value| fails("dangerousCapabilities", &caps(c)).len();
    assert_eq!(dangerous(json!({"add": ["sys_admin"]})), 1);
    assert_eq!(dangerous(json!({"add": ["Net_Admin"]})), 1);
    assert_eq!(dangerous(json!({"add": ["all"]})), 1);
    assert_eq!(dangerous(json!({"add": ["NET_BIND_SERVICE"]})), 0);
}

#[test]
fn run_as_root_pod_and_container_merge() {
    let case = |pod: Value, c: Value| {
        let mut spec =
            json!({"containers": [{"name": "app", "image": "x:1", "securityContext": c}]});
        if !pod.is_null() {
            spec["securityContext"] = pod;
        }
        fails("runAsRootAllowed", &deployment(spec)).len()
    };
    let none = json!({});
    // Pod-level settings satisfy it unless the container overrides them.
    assert_eq!(case(json!({"runAsUser": 1000}), none.clone()), 0);
    assert_eq!(case(json!({"runAsNonRoot": true}), none.clone()), 0);
    assert_eq!(
        case(json!({"runAsNonRoot": true}), json!({"runAsUser": 0})),
        1
    );
    assert_eq!(case(json!({"runAsUser": 1000}), json!({"runAsUser": 0})), 1);
    assert_eq!(
        case(
            json!({"runAsNonRoot": true}),
            json!({"runAsNonRoot": false})
        ),
        1
    );
    assert_eq!(case(json!({"runAsUser": 0}), json!({"runAsUser": 1000})), 0);
    assert_eq!(
        case(json!({"runAsUser": 0}), json!({"runAsNonRoot": true})),
        1
    );
    assert_eq!(case(Value::Null, none.clone()), 1);
    assert_eq!(case(Value::Null, json!({"runAsNonRoot": true})), 0);
    assert_eq!(case(Value::Null, json!({"runAsUser": 0})), 1);
}

#[test]
fn probes_never_judge_jobs() {
    let tpl =
        json!({"spec": {"restartPolicy": "Never", "containers": [{"name": "a", "image": "x:1"}]}});
    let e = only(&["livenessProbeMissing", "readinessProbeMissing"]);
    let job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {"template": tpl}});
    let cron = json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
                      "spec": {"jobTemplate": {"spec": {"template": tpl}}}});
    let pod_of_job = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "j-x", "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": "j", "uid": "1", "controller": true}]},
        "spec": tpl["spec"]});
    for o in [job, cron, pod_of_job] {
        let ev = run(&e, &[o]).remove(0);
        assert!(ev.findings.is_empty(), "{:?}", ev.findings);
        assert_eq!(ev.passed, 0, "not applicable, so not counted in the score");
    }
    let dep = deployment(tpl["spec"].clone());
    assert_eq!(run(&e, &[dep]).remove(0).findings.len(), 2);
}

#[test]
fn network_policy_default_deny_and_real_selectors() {
    let dep = obj(r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web, tier: front}}
    spec: {containers: [{name: a, image: "x:1"}]}
"#);
    let pol = |ns: &str, sel: Value, types: Value| {
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
               "metadata": {"name": "p", "namespace": ns},
               "spec": {"podSelector": sel, "policyTypes": types}})
    };
    let both = json!(["Ingress", "Egress"]);
    let e = only(&["missingNetworkPolicy"]);
    let fails_with = |policies: Vec<Value>| {
        let mut all = vec![dep.clone()];
        all.extend(policies);
        !paths_of(&e, &all, "missingNetworkPolicy").is_empty()
    };
    assert!(fails_with(vec![]));
    // Default deny with no rules passes (Polaris #1088).
    assert!(!fails_with(vec![pol("shop", json!({}), both.clone())]));
    // Both labels match (Polaris's oneOf fails this).
    assert!(!fails_with(vec![pol(
        "shop",
        json!({"matchLabels": {"app": "web", "tier": "front"}}),
        both.clone()
    )]));
    assert!(!fails_with(vec![pol(
        "shop",
        json!({"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "api"]}]}),
        both.clone()
    )]));
    assert!(fails_with(vec![pol(
        "shop",
        json!({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]}),
        both.clone()
    )]));
    assert!(fails_with(vec![pol(
        "shop",
        json!({"matchLabels": {"app": "api"}}),
        both.clone()
    )]));
    // Only one direction isolated.
    assert!(fails_with(vec![pol("shop", json!({}), json!(["Ingress"]))]));
    // Two policies together isolate both directions.
    assert!(!fails_with(vec![
        pol("shop", json!({}), json!(["Ingress"])),
        pol(
            "shop",
            json!({"matchLabels": {"tier": "front"}}),
            json!(["Egress"])
        )
    ]));
    // Other namespace: does not count.
    assert!(fails_with(vec![pol("other", json!({}), both.clone())]));
}

// --------------------------------------------------- cross-object checks

#[test]
fn cross_object_checks_stay_in_the_namespace() {
    let dep = |ns: &str| {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": ns},
               "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                        "template": {"metadata": {"labels": {"app": "web"}},
                                     "spec": {"serviceAccountName": "web", "containers": [{"name": "a", "image": "x:1"}]}}}})
    };
    let pdb = |ns: &str, min: i64| {
        json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "pdb", "namespace": ns},
               "spec": {"minAvailable": min, "selector": {"matchLabels": {"app": "web"}}}})
    };
    let hpa = |ns: &str| {
        json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "hpa", "namespace": ns},
               "spec": {"minReplicas": 2, "maxReplicas": 5, "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}}})
    };
    let sa = |ns: &str| json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "web", "namespace": ns}, "automountServiceAccountToken": false});

    let e = only(&["missingPodDisruptionBudget"]);
    assert!(paths_of(&e, &[dep("a"), pdb("a", 1)], "missingPodDisruptionBudget").is_empty());
    assert_eq!(
        paths_of(&e, &[dep("a"), pdb("b", 1)], "missingPodDisruptionBudget").len(),
        1
    );

    let e = only(&["pdbMinAvailableGreaterThanHPAMinReplicas"]);
    assert_eq!(
        paths_of(
            &e,
            &[dep("a"), pdb("a", 3), hpa("a")],
            "pdbMinAvailableGreaterThanHPAMinReplicas"
        )
        .len(),
        1
    );
    assert!(paths_of(
        &e,
        &[dep("a"), pdb("a", 3), hpa("b")],
        "pdbMinAvailableGreaterThanHPAMinReplicas"
    )
    .is_empty());
    assert!(paths_of(
        &e,
        &[dep("a"), pdb("b", 3), hpa("a")],
        "pdbMinAvailableGreaterThanHPAMinReplicas"
    )
    .is_empty());

    let e = only(&["automountServiceAccountToken"]);
    let same = run(&e, &[dep("a"), sa("a")]).remove(0);
    assert!(same.findings.is_empty() && same.not_evaluated.is_empty() && same.passed == 1);
    // The ServiceAccount lives elsewhere: not evaluated, not a finding.
    let other = run(&e, &[dep("a"), sa("b")]).remove(0);
    assert!(other.findings.is_empty());
    assert_eq!(other.not_evaluated.len(), 1);
    assert_eq!(&*other.not_evaluated[0].id, "automountServiceAccountToken");

    // A RoleBinding to a Role of another namespace is not that Role.
    let role = |ns: &str| {
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r", "namespace": ns},
        "rules": [{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]}]})
    };
    let rb = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "rb", "namespace": "a"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"},
        "subjects": [{"kind": "User", "name": "u"}]});
    let e = only(&["rolebindingRolePodExecAttach"]);
    assert_eq!(
        paths_of(&e, &[rb.clone(), role("a")], "rolebindingRolePodExecAttach").len(),
        1
    );
    let ev = run(&e, &[rb, role("b")]).remove(0);
    assert!(ev.findings.is_empty());
    assert_eq!(ev.not_evaluated.len(), 1);
}

#[test]
fn references_outside_the_input_are_not_evaluated() {
    // A RoleBinding to the cluster's built-in `edit` ClusterRole.
    let rb = obj(r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: devs-edit, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: Group, name: devs}]
"#);
    let ids = [
        "rolebindingClusterRolePodExecAttach",
        "rolebindingClusterAdminClusterRole",
    ];
    let ev = run(&only(&ids), &[rb]).remove(0);
    assert!(ev.findings.is_empty(), "{:?}", ev.findings);
    let mut undecided: Vec<&str> = ev.not_evaluated.iter().map(|n| n.id.as_ref()).collect();
    undecided.sort();
    assert_eq!(
        undecided,
        [
            "rolebindingClusterAdminClusterRole",
            "rolebindingClusterRolePodExecAttach"
        ]
    );
    assert!(
        ev.not_evaluated.iter().all(|n| n.reason.contains("edit")),
        "{:?}",
        ev.not_evaluated
    );
    // A ServiceAccount created elsewhere.
    let d = deployment(
        json!({"serviceAccountName": "made-by-terraform", "containers": [{"name": "a", "image": "x:1"}]}),
    );
    let ev = run(&only(&["automountServiceAccountToken"]), &[d]).remove(0);
    assert!(ev.findings.is_empty());
    assert_eq!(ev.not_evaluated.len(), 1);
    assert!(ev.not_evaluated[0].reason.contains("made-by-terraform"));
}

#[test]
fn the_index_keeps_only_what_cross_checks_need() {
    let e = Engine::with_defaults().expect("engine");
    let mut idx = e.new_index(Coverage::All);
    let mut stored = 0;
    for o in [
        deployment(json!({"containers": [{"name": "a", "image": "x:1"}]})),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "b"}}),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}}),
        json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "p"}}),
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "s"}}),
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "n"}}),
        json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h"}}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r"}}),
    ] {
        stored += usize::from(idx.add(&o));
    }
    assert_eq!(stored, 5);
    assert_eq!(idx.len(), 5);
    for k in ["Deployment", "ConfigMap", "Service", "Pod"] {
        assert!(!e.index_kinds().contains(k), "{k}");
    }
    // A workload kept for the cross pass is a small copy, not the pod spec.
    let big = deployment(
        json!({"containers": [{"name": "a", "image": "x:1", "env": [{"name": "A", "value": "x".repeat(10_000)}]}]}),
    );
    let subject = e.cross_subject(&big).expect("workloads have cross checks");
    assert!(subject.to_string().len() < 1_000, "{subject}");
    // Cross checks give the same answer on the pruned copy.
    let sa = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": "shop"}});
    let mut idx = e.new_index(Coverage::All);
    idx.add(&sa);
    idx.add(&big);
    let full = e.check(&big, Some(&idx), Pass::Cross);
    let pruned = e.check(&subject, Some(&idx), Pass::Cross);
    assert_eq!(full.findings, pruned.findings);
    assert_eq!(full.not_evaluated, pruned.not_evaluated);
}

#[test]
fn proc_mount_and_host_process_inspect_init_containers() {
    let pod = |c: Value| {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
               "spec": {"containers": [{"name": "app", "image": "x:1"}],
                        "initContainers": [{"name": "init", "image": "x:1", "securityContext": c}]}})
    };
    let f = fails("procMount", &pod(json!({"procMount": "Unmasked"})));
    assert_eq!(f.len(), 1);
    assert_eq!(
        f[0].container.as_ref().map(|c| c.role),
        Some(Role::InitContainer)
    );
    assert_eq!(
        f[0].path.to_string(),
        "spec.initContainers[0].securityContext.procMount"
    );
    assert!(fails("procMount", &pod(json!({"procMount": "Default"}))).is_empty());
    let f = fails(
        "hostProcess",
        &pod(json!({"windowsOptions": {"hostProcess": true}})),
    );
    assert_eq!(f.len(), 1);
    assert_eq!(
        f[0].container.as_ref().map(|c| c.role),
        Some(Role::InitContainer)
    );
}

// -------------------------------------------------------- configuration

/// A Polaris configuration written the way Polaris's docs and default file
/// write one, used as it is.
const POLARIS_CONFIG: &str = r#"
displayName: cluster-a
kubeContext: ""
namespace: ""
checks:
  # reliability
  deploymentMissingReplicas: warning
  priorityClassNotSet: ignore
  tagNotSpecified: danger
  pullPolicyNotAlways: warning
  readinessProbeMissing: warning
  livenessProbeMissing: warning
  metadataAndInstanceMismatched: ignore
  pdbDisruptionsIsZero: warning
  missingPodDisruptionBudget: ignore
  topologySpreadConstraint: ignore
  # efficiency
  cpuRequestsMissing: warning
  cpuLimitsMissing: warning
  memoryRequestsMissing: warning
  memoryLimitsMissing: warning
  # security
  automountServiceAccountToken: ignore
  hostIPCSet: danger
  hostPIDSet: danger
  hostNetworkSet: danger
  linuxHardening: warning
  notReadOnlyRootFilesystem: warning
  privilegeEscalationAllowed: danger
  runAsRootAllowed: danger
  runAsPrivileged: danger
  dangerousCapabilities: danger
  insecureCapabilities: warning
  hostPortSet: warning
  tlsSettingsMissing: warning
  sensitiveContainerEnvVar: danger
  sensitiveConfigmapContent: danger
  clusterrolePodExecAttach: danger
  rolePodExecAttach: danger
  # custom
  imageRegistryAllowed: danger
  resourceLimits: warning
  legacyJsonSchema: warning
  configMapForDeployment: warning
customChecks:
  imageRegistryAllowed:
    successMessage: Image comes from allowed registries
    failureMessage: Image should not be from disallowed registry
    category: Security
    target: Container
    schema:
      '$schema': http://json-schema.org/draft-07/schema
      type: object
      properties:
        image:
          type: string
          not:
            pattern: ^quay.io
  resourceLimits:
    successMessage: Resource limits are within the required range
    failureMessage: Resource limits should be within the required range
    category: Efficiency
    target: Container
    containers:
      exclude:
      - initContainer
    schema:
      '$schema': http://json-schema.org/draft-07/schema
      type: object
      required: [resources]
      properties:
        resources:
          type: object
          required: [limits]
          properties:
            limits:
              type: object
              required: [memory]
              properties:
                memory:
                  type: string
                  resourceMaximum: 6G
  legacyJsonSchema:
    promptMessage: Deployments need the app label
    category: Reliability
    target: Controller
    controllers:
      include: [Deployment]
    jsonSchema: |
      {"type": "object", "required": ["metadata"],
       "properties": {"metadata": {"required": ["labels"],
         "properties": {"labels": {"required": ["app"]}}}}}
  configMapForDeployment:
    successMessage: A ConfigMap named after the Deployment exists
    failureMessage: Each Deployment needs a ConfigMap with its name
    category: Reliability
    target: apps/Deployment
    schemaString: |
      type: object
    additionalSchemaStrings:
      /ConfigMap: |
        type: object
        properties:
          metadata:
            properties:
              name:
                const: "{{ .metadata.name }}"
exemptions:
  - namespace: kube-system
    controllerNames:
      - kube-apiserver
      - kube-proxy
    rules:
      - hostNetworkSet
  - controllerNames:
      - web
    containerNames:
      - istio-proxy
    rules:
      - runAsRootAllowed
disallowExemptions: false
disallowConfigExemptions: false
disallowAnnotationExemptions: false
mutations:
  - pullPolicyNotAlways
  - privilegeEscalationAllowed
"#;

#[test]
fn a_polaris_config_works_as_it_is() {
    let loaded = load_config(POLARIS_CONFIG, "polaris.yaml", true)
        .unwrap_or_else(|d| panic!("rejected: {}", d.to_short_string()));
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let c = &loaded.config;
    // Merged over the defaults: a rule the file does not name keeps its default.
    assert_eq!(c.severity("procMount"), Some(Severity::Warning));
    assert_eq!(c.severity("priorityClassNotSet"), Some(Severity::Ignore));
    assert_eq!(
        c.mutations,
        ["pullPolicyNotAlways", "privilegeEscalationAllowed"]
    );
    assert_eq!(c.exemptions.len(), 2);
    let e = Engine::new(loaded.config.clone()).expect("engine");
    assert!(e.warnings().is_empty());

    let objects = objs(
        r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: app, image: "quay.io/acme/web:1", resources: {limits: {memory: 8G}}}
      - {name: istio-proxy, image: "registry.example.com/proxy:1", resources: {limits: {memory: 1G}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: other, namespace: shop}
"#,
    );
    let ev = run(&e, &objects).remove(0);
    let ids = |id: &str| {
        ev.findings
            .iter()
            .filter(|f| &*f.id == id)
            .map(|f| {
                f.container
                    .as_ref()
                    .map_or(String::new(), |c| c.name.to_string())
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(ids("imageRegistryAllowed"), ["app"]);
    assert_eq!(ids("resourceLimits"), ["app"]);
    assert_eq!(ids("legacyJsonSchema"), [""]);
    assert_eq!(
        ev.findings
            .iter()
            .find(|f| &*f.id == "legacyJsonSchema")
            .map(|f| f.message.as_ref()),
        Some("Deployments need the app label")
    );
    assert_eq!(ids("configMapForDeployment"), [""]);
    // The container-named exemption: the sidecar alone.
    assert_eq!(ids("runAsRootAllowed"), ["app"]);
    let mut with_cm = objects.clone();
    with_cm.push(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web", "namespace": "shop"}}));
    assert!(run(&e, &with_cm)[0]
        .findings
        .iter()
        .all(|f| &*f.id != "configMapForDeployment"));
}

#[test]
fn merge_over_defaults_and_no_builtin_exemptions() {
    let d = Config::defaults();
    assert!(d.exemptions.is_empty(), "no built-in exemptions ship");
    assert!(d.allowed_registries.is_empty());
    assert_eq!(d.mutations, ["pullPolicyNotAlways"]);
    let c = load_config(
        r#"
checks: {hostIPCSet: ignore}
allowedRegistries: [registry.example.com]
mutations: []
---
checks: {hostPIDSet: warning}
allowedRegistries: [ghcr.io]
"#,
        "c.yaml",
        true,
    )
    .expect("config")
    .config;
    assert_eq!(c.severity("hostIPCSet"), Some(Severity::Ignore));
    assert_eq!(c.severity("hostPIDSet"), Some(Severity::Warning));
    assert_eq!(c.severity("runAsPrivileged"), Some(Severity::Danger));
    assert_eq!(c.checks.len(), d.checks.len());
    assert_eq!(c.allowed_registries, ["ghcr.io"]);
    assert!(c.mutations.is_empty());
    // The effective configuration round-trips (what `eyelint config` prints).
    let printed = serde_json::to_value(&c).expect("serialise");
    assert_eq!(Config::from_user_value(printed).expect("parse"), c);
}

#[test]
fn kubeeye_readme_rule_verbatim_from_the_readme() {
    let Some(root) = shared() else { return };
    let Ok(readme) = std::fs::read_to_string(root.join("seeds/kubeeye-readme-zh.md")) else {
        println!("SKIPPED: seeds/kubeeye-readme-zh.md not found");
        return;
    };
    // The first fenced block that defines the rule, exactly as printed.
    let block = readme
        .split("```")
        .skip(1)
        .step_by(2)
        .find(|b| b.contains("imageFromUnauthorizedRegistry") && b.contains("customChecks"))
        .expect("rule block in the README");
    let loaded = load_config(block, "rule.yaml", false)
        .unwrap_or_else(|d| panic!("rejected: {}", d.to_short_string()));
    let e = Engine::new(loaded.config).expect("engine");
    let dep = |image: &str| deployment(json!({"containers": [{"name": "app", "image": image}]}));
    let f: Vec<Finding> = run(&e, &[dep("quay.io/acme/web:1")])
        .remove(0)
        .findings
        .into_iter()
        .filter(|f| &*f.id == "imageFromUnauthorizedRegistry")
        .collect();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::Warning);
    assert_eq!(&*f[0].category, "Images");
    assert!(f[0]
        .message
        .starts_with("When the corresponding rule does not match"));
    assert!(run(&e, &[dep("registry.example.com/web:1")])[0]
        .findings
        .iter()
        .all(|f| &*f.id != "imageFromUnauthorizedRegistry"));
    // The repository's fixture is the same rule.
    let fixture = include_str!("fixtures/kubeeye-unauthorized-registry.yaml");
    let strip = |s: &str| {
        s.lines()
            .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(fixture), strip(block));
}

#[test]
fn annotation_exemptions_on_a_cronjob_pod_template() {
    let cron = |annotations: Value| {
        json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "ns"},
               "spec": {"jobTemplate": {"spec": {"template": {"metadata": {"annotations": annotations},
                        "spec": {"hostPID": true, "hostIPC": true, "containers": [{"name": "a", "image": "x:1"}]}}}}}})
    };
    let e = only(&["hostPIDSet", "hostIPCSet"]);
    let ids = |a: Value| {
        run(&e, &[cron(a)])
            .remove(0)
            .findings
            .into_iter()
            .map(|f| f.id.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(json!({})), ["hostIPCSet", "hostPIDSet"]);
    assert_eq!(
        ids(json!({"polaris.fairwinds.com/hostPIDSet-exempt": "true"})),
        ["hostIPCSet"]
    );
    assert!(ids(json!({"polaris.fairwinds.com/exempt": "TRUE"})).is_empty());
    assert_eq!(
        ids(json!({"eyelint.io/exempt": "hostIPCSet", "eyelint.io/exempt-reason": "node agent"})),
        ["hostPIDSet"]
    );
    assert!(ids(json!({"eyelint.io/exempt": "all"})).is_empty());
}

/// Every configuration key is documented in `docs/config.md`.
#[test]
fn config_format_is_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/config.md"))
        .expect("docs/config.md");
    let mut missing = Vec::new();
    for key in [
        "displayName",
        "checks",
        "customChecks",
        "exemptions",
        "disallowExemptions",
        "disallowConfigExemptions",
        "disallowAnnotationExemptions",
        "mutations",
        "allowedRegistries",
        "admission",
        "sweep",
        // exemptions
        "namespace",
        "namespaces",
        "controllerNames",
        "containerNames",
        "rules",
        "reason",
        // custom checks
        "successMessage",
        "failureMessage",
        "promptMessage",
        "category",
        "target",
        "schemaTarget",
        "controllers",
        "containers",
        "schema",
        "schemaString",
        "jsonSchema",
        "additionalSchemas",
        "additionalSchemaStrings",
        "resourceMinimum",
        "resourceMaximum",
        // annotations
        "polaris.fairwinds.com/exempt",
        "eyelint.io/exempt",
        "eyelint.io/exempt-reason",
        // targets
        "Container",
        "PodSpec",
        "PodTemplate",
        "Controller",
    ] {
        if !doc.contains(key) {
            missing.push(key);
        }
    }
    assert!(
        missing.is_empty(),
        "docs/config.md does not mention {missing:?}"
    );
    assert!(doc.contains("--strict"));
}

/// The rules Polaris gets wrong say so in their own docs.
#[test]
fn deliberate_differences_are_documented_in_the_rules() {
    let metas: BTreeMap<&str, _> = builtin_rules().into_iter().map(|m| (m.id, m)).collect();
    for id in [
        "tagNotSpecified",
        "pullPolicyNotAlways",
        "insecureCapabilities",
        "runAsRootAllowed",
        "missingNetworkPolicy",
        "livenessProbeMissing",
        "readinessProbeMissing",
        "procMount",
        "hostProcess",
        "automountServiceAccountToken",
        "hpaMinAvailability",
        "pdbMinAvailableGreaterThanHPAMinReplicas",
        "clusterrolebindingPodExecAttach",
        "rolebindingClusterRolePodExecAttach",
        "rolebindingRolePodExecAttach",
    ] {
        let doc = rule_doc::markdown(metas[id].doc);
        assert!(
            doc.contains("Polaris"),
            "{id}: docs do not explain the difference from Polaris"
        );
    }
}

#[test]
fn a_custom_check_overrides_the_builtin_with_its_id() {
    let cfg = r#"
checks: {hostIPCSet: warning, imageRegistry: warning}
customChecks:
  hostIPCSet:
    failureMessage: no hostIPC here
    category: Policy
    target: PodSpec
    schema: {properties: {hostIPC: {const: false}}, required: [hostIPC]}
  imageRegistry:
    target: Container
    schema: {properties: {image: {pattern: "^registry\\.example\\.com/"}}}
"#;
    let c = load_config(cfg, "c.yaml", true).expect("config").config;
    assert!(c.allowed_registries.is_empty());
    let e = Engine::new(c).expect("engine");
    let d = deployment(json!({"containers": [{"name": "a", "image": "nginx:1"}]}));
    let f = run(&e, &[d]).remove(0).findings;
    let ipc: Vec<&Finding> = f.iter().filter(|f| &*f.id == "hostIPCSet").collect();
    // The built-in passes an unset hostIPC; the custom check requires `false`.
    assert_eq!(ipc.len(), 1);
    assert_eq!(ipc[0].message, "no hostIPC here");
    assert_eq!(&*ipc[0].category, "Policy");
    assert_eq!(ipc[0].severity, Severity::Warning);
    // A custom `imageRegistry` runs without `allowedRegistries`.
    assert_eq!(f.iter().filter(|f| &*f.id == "imageRegistry").count(), 1);
}

#[test]
fn config_exemption_fields_match_like_polaris() {
    let e = |exemptions: &str| {
        let cfg = format!("checks: {{hostIPCSet: danger}}\nexemptions: {exemptions}\n");
        let c = load_config(&cfg, "c.yaml", true).expect("config").config;
        Engine::new(c).expect("engine")
    };
    let pod = |ns: &str, name: &str| {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns},
               "spec": {"hostIPC": true, "containers": [{"name": "a", "image": "x:1"}]}})
    };
    let exempt = |engine: &Engine, o: Value| {
        let ev = run(engine, &[o]).remove(0);
        ev.findings.iter().all(|f| &*f.id != "hostIPCSet")
    };
    // An empty namespace is no constraint (Polaris tests it only when non-empty).
    let any_ns = e(r#"[{namespace: "", rules: [hostIPCSet]}]"#);
    assert!(exempt(&any_ns, pod("shop", "web")));
    let one_ns = e(r#"[{namespace: shop, controllerNames: [we], rules: [hostIPCSet]}]"#);
    assert!(exempt(&one_ns, pod("shop", "web-1")));
    assert!(!exempt(&one_ns, pod("other", "web-1")));
    assert!(!exempt(&one_ns, pod("shop", "api")));
    // Another rule's exemption does not apply; a container-named exemption
    // does not cover a pod-level rule.
    assert!(!exempt(
        &e(r#"[{rules: [hostPIDSet]}]"#),
        pod("shop", "web")
    ));
    assert!(!exempt(
        &e(r#"[{containerNames: [a], rules: [hostIPCSet]}]"#),
        pod("shop", "web")
    ));
}
