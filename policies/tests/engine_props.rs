//! Property tests of the engine on objects of the right shape with values of
//! the wrong type or odd content where the rules look: no object makes a
//! rule panic, every finding names a path the object has, and every fix
//! applies to the object it was made for.

use eyelint_policies::{Coverage, Engine, Pass};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// Any small JSON value, with the scalars rules care about well represented.
fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        Just(json!(0)),
        Just(json!(-1)),
        Just(json!(1.5)),
        Just(json!(1e300)),
        any::<i64>().prop_map(Value::from),
        prop::sample::select(vec![
            "",
            "true",
            "ALL",
            "all",
            "SYS_ADMIN",
            "NET_ADMIN",
            "Always",
            "100m",
            "1Gi",
            "-1",
            "0",
            "nginx",
            "nginx:latest",
            "reg.example.com/a:1",
            "a@sha256:00",
            "Unconfined",
            "RuntimeDefault",
            "runtime/default",
            "Localhost",
            "0.5",
            "1e3",
            "lots",
            "é😀",
        ])
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(vec![
                        "name",
                        "cpu",
                        "memory",
                        "add",
                        "drop",
                        "type",
                        "path",
                        "port",
                        "hostPort",
                        "containerPort",
                        "httpGet",
                        "exec",
                        "privileged",
                        "runAsUser",
                        "runAsNonRoot",
                        "matchLabels",
                        "app",
                    ]),
                    inner
                ),
                0..4
            )
            .prop_map(|kv| Value::Object(
                kv.into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect::<Map<_, _>>()
            )),
        ]
    })
}

/// Where rules look, relative to a pod spec (`C` is the first container).
const POD_PATHS: &[&str] = &[
    "hostPID",
    "hostIPC",
    "hostNetwork",
    "securityContext",
    "securityContext.runAsNonRoot",
    "securityContext.runAsUser",
    "securityContext.seccompProfile",
    "securityContext.seLinuxOptions",
    "containers",
    "initContainers",
    "ephemeralContainers",
    "volumes",
    "automountServiceAccountToken",
    "serviceAccountName",
    "priorityClassName",
    "topologySpreadConstraints",
    "os",
    "os.name",
    "C",
    "C.name",
    "C.image",
    "C.imagePullPolicy",
    "C.resources",
    "C.resources.requests",
    "C.resources.limits",
    "C.resources.requests.cpu",
    "C.resources.limits.memory",
    "C.securityContext",
    "C.securityContext.privileged",
    "C.securityContext.capabilities",
    "C.securityContext.capabilities.drop",
    "C.securityContext.capabilities.add",
    "C.securityContext.allowPrivilegeEscalation",
    "C.securityContext.readOnlyRootFilesystem",
    "C.securityContext.runAsUser",
    "C.securityContext.procMount",
    "C.securityContext.windowsOptions",
    "C.livenessProbe",
    "C.readinessProbe",
    "C.ports",
    "C.env",
    "C.restartPolicy",
];

/// Where rules look on the object itself.
const OBJECT_PATHS: &[&str] = &[
    "metadata",
    "metadata.labels",
    "metadata.annotations",
    "metadata.name",
    "metadata.namespace",
    "spec",
    "spec.replicas",
    "spec.selector",
    "spec.template",
    "spec.template.metadata",
    "spec.template.metadata.labels",
    "spec.template.metadata.annotations",
];

fn set(object: &mut Value, path: &str, v: Value) {
    let mut at = object;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, p) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let next = match at {
            Value::Object(m) => {
                if last {
                    m.insert((*p).to_string(), v);
                    return;
                }
                m.entry((*p).to_string()).or_insert_with(|| json!({}))
            }
            Value::Array(a) if *p == "0" => match a.first_mut() {
                Some(first) if last => {
                    *first = v;
                    return;
                }
                Some(first) => first,
                None => return,
            },
            _ => return,
        };
        at = next;
    }
}

fn workload(kind: &str) -> (Value, &'static str) {
    let container = json!({"name": "app", "image": "reg.example.com/app:1.0",
        "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "1", "memory": "128Mi"}},
        "securityContext": {"privileged": false, "capabilities": {"drop": ["ALL"]}}});
    let pod_spec = json!({"containers": [container], "initContainers": [{"name": "init", "image": "busybox"}]});
    let meta = json!({"name": "web", "namespace": "shop", "labels": {"app": "web"}});
    match kind {
        "Pod" => (
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": pod_spec}),
            "spec",
        ),
        "CronJob" => (
            json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta,
                "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"metadata": {"labels": {"app": "web"}}, "spec": pod_spec}}}}}),
            "spec.jobTemplate.spec.template.spec",
        ),
        _ => (
            json!({"apiVersion": "apps/v1", "kind": kind, "metadata": meta,
                "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}}, "spec": pod_spec}}}),
            "spec.template.spec",
        ),
    }
}

/// Objects the object-level and cross-object rules read, with one field changed.
fn neighbours(field: usize, v: &Value) -> Vec<Value> {
    let mut objects = vec![
        json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "pdb", "namespace": "shop"},
            "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}}}),
        json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "hpa", "namespace": "shop"},
            "spec": {"minReplicas": 1, "maxReplicas": 3, "scaleTargetRef": {"kind": "Deployment", "name": "web", "apiVersion": "apps/v1"}}}),
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "np", "namespace": "shop"},
            "spec": {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [{}], "egress": [{}]}}),
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": "shop"}, "automountServiceAccountToken": false}),
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "ing", "namespace": "shop"},
            "spec": {"tls": [{"hosts": ["a.example.com"]}], "rules": []}}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "crb"},
            "roleRef": {"kind": "ClusterRole", "name": "cluster-admin"}, "subjects": [{"kind": "User", "name": "x"}]}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r", "namespace": "shop"},
            "rules": [{"apiGroups": ["*"], "resources": ["pods/exec"], "verbs": ["create"]}]}),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "shop"}, "data": {"password": "x"}}),
    ];
    let paths = [
        "spec.minAvailable",
        "spec.selector",
        "spec.minReplicas",
        "spec.podSelector",
        "automountServiceAccountToken",
        "spec.tls",
        "roleRef",
        "rules",
        "data",
        "spec.maxReplicas",
        "subjects",
        "spec.scaleTargetRef",
    ];
    let path = paths[field % paths.len()];
    let target = field % objects.len();
    set(&mut objects[target], path, v.clone());
    objects
}

fn check_all(engine: &Engine, objects: &[Value]) -> Result<(), TestCaseError> {
    let mut index = engine.new_index(Coverage::All);
    for o in objects {
        index.add(o);
    }
    for o in objects {
        for pass in [Pass::Local, Pass::All] {
            let idx = matches!(pass, Pass::All).then_some(&index);
            let eval = engine.check(o, idx, pass);
            for f in &eval.findings {
                prop_assert_eq!(
                    f.path.nearest_existing(o),
                    f.path.clone(),
                    "{} names a path the object lacks: {}",
                    f.id,
                    o
                );
                if let Some(fix) = &f.fix {
                    prop_assert!(
                        fix.apply(o).is_ok(),
                        "{}'s fix does not apply: {:?} on {}",
                        f.id,
                        fix.patch_json(),
                        o
                    );
                }
            }
            for (p, _) in &eval.malformed {
                prop_assert_eq!(p.nearest_existing(o), p.clone());
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(2_000),
        ..ProptestConfig::default()
    })]

    #[test]
    fn odd_workloads_never_panic_and_findings_name_real_paths(
        kind in prop::sample::select(vec!["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod", "Rollout"]),
        changes in prop::collection::vec((0..POD_PATHS.len() + OBJECT_PATHS.len(), any_value()), 1..5),
        field in 0usize..100,
        other in any_value(),
    ) {
        let engine = Engine::with_defaults().expect("default engine");
        let (mut object, pod) = workload(kind);
        for (i, v) in changes {
            let path = match POD_PATHS.get(i) {
                Some(p) => format!("{pod}.{}", p.replacen('C', "containers.0", 1)),
                None => OBJECT_PATHS[i - POD_PATHS.len()].to_string(),
            };
            set(&mut object, &path, v);
        }
        let mut objects = neighbours(field, &other);
        objects.push(object);
        check_all(&engine, &objects)?;
    }
}
