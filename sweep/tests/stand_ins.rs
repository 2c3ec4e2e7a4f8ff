//! Pods standing in for owners the source does not hold, end to end
//! through the binary (`--from-file`): an owner of a built-in controller
//! kind is judged as that owner, rebuilt from its pod, so the rules limited
//! to some kinds judge it as they judge the owner itself.

use std::process::Command;

use serde_json::{json, Value};

/// (id, kind, name, path, message) of the report's workload findings.
type Row = (String, String, String, String, String);

/// Runs `eyelint-sweep --from-file` on `items` (a `kind: List`) and returns
/// its workload findings and the summary's exempted count.
fn sweep(items: Vec<Value>) -> (Vec<Row>, u64) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("list.json");
    let list = json!({"apiVersion": "v1", "kind": "List", "items": items});
    std::fs::write(&file, list.to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_eyelint-sweep"))
        .args(["--format", "json", "--fail-on", "never", "--from-file"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = |f: &Value, k: &str| f[k].as_str().unwrap_or("").to_string();
    let rows = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["section"] == "workloads")
        .map(|f| {
            (
                s(f, "id"),
                s(f, "kind"),
                s(f, "name"),
                s(f, "path"),
                s(f, "message"),
            )
        })
        .collect();
    let exempted = report["summary"]["exempted"].as_u64().unwrap();
    (rows, exempted)
}

fn has(rows: &[Row], id: &str, kind: &str, name: &str) -> bool {
    rows.iter().any(|r| r.0 == id && r.1 == kind && r.2 == name)
}

fn pod(name: &str, labels: Value, owner: (&str, &str, &str)) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": "ns", "labels": labels,
            "ownerReferences": [{"apiVersion": owner.0, "kind": owner.1, "name": owner.2,
                "uid": format!("uid-{}", owner.2), "controller": true}]},
        "spec": {"containers": [{"name": "c", "image": "db:1.2"}]},
        "status": {"phase": "Running"}})
}

fn pdb(name: &str, app: &str) -> Value {
    json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
        "metadata": {"name": name, "namespace": "ns"},
        "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": app}}}})
}

fn hpa_of_db() -> Value {
    json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "db", "namespace": "ns"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db"},
            "minReplicas": 1, "maxReplicas": 5}})
}

fn db_pod(annotations: Value) -> Value {
    let mut p = pod(
        "db-0",
        json!({"app": "db", "controller-revision-hash": "db-5b7",
            "statefulset.kubernetes.io/pod-name": "db-0"}),
        ("apps/v1", "StatefulSet", "db"),
    );
    p["metadata"]["annotations"] = annotations;
    p
}

/// QA's case: a StatefulSet seen only through its pod gets the budget and
/// autoscaler finding, and every finding the StatefulSet itself would get,
/// at the same paths.
#[test]
fn a_statefulset_seen_in_its_pod_is_judged_as_the_statefulset() {
    let (stand_in, _) = sweep(vec![db_pod(json!({})), pdb("db", "db"), hpa_of_db()]);
    let pdb_hpa: Vec<_> = stand_in
        .iter()
        .filter(|r| r.0 == "pdbMinAvailableGreaterThanHPAMinReplicas")
        .map(|r| (r.1.as_str(), r.2.as_str(), r.4.as_str()))
        .collect();
    assert_eq!(
        pdb_hpa,
        [(
            "StatefulSet",
            "db",
            "PodDisruptionBudget `db` requires 2 available pods but HorizontalPodAutoscaler \
             `db` may scale down to 1 (seen in pod db-0)"
        )]
    );

    let template = db_pod(json!({}));
    let statefulset = json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": "db", "namespace": "ns", "labels": {"app": "db"}},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "db"}},
            "template": {"metadata": {"labels": {"app": "db"}}, "spec": template["spec"]}}});
    let (real, _) = sweep(vec![statefulset, pdb("db", "db"), hpa_of_db()]);
    let unmarked: Vec<Row> = stand_in
        .iter()
        .map(|r| {
            let message =
                r.4.strip_suffix(" (seen in pod db-0)")
                    .unwrap_or("unmarked");
            (
                r.0.clone(),
                r.1.clone(),
                r.2.clone(),
                r.3.clone(),
                message.to_string(),
            )
        })
        .collect();
    assert!(real.len() > 10, "{real:#?}");
    assert_eq!(unmarked, real);
}

#[test]
fn rules_for_some_kinds_judge_stand_ins_of_those_kinds() {
    let deployment_pods = |prefix: &str, n: usize| -> Vec<Value> {
        (0..n)
            .map(|i| {
                pod(
                    &format!("{prefix}-5d9c-{i}"),
                    json!({"app": prefix, "pod-template-hash": "5d9c"}),
                    ("apps/v1", "ReplicaSet", &format!("{prefix}-5d9c")),
                )
            })
            .collect()
    };
    let mut items = vec![
        db_pod(json!({})),
        pod(
            "agent-x7",
            json!({"app": "agent", "controller-revision-hash": "6c",
                "pod-template-generation": "1"}),
            ("apps/v1", "DaemonSet", "agent"),
        ),
        // Budgets are collected (so their absence is known), none for db.
        pdb("other", "other"),
    ];
    items.extend(deployment_pods("one", 1));
    items.extend(deployment_pods("three", 3));
    let (rows, _) = sweep(items);
    assert!(has(
        &rows,
        "missingPodDisruptionBudget",
        "StatefulSet",
        "db"
    ));
    assert!(has(&rows, "topologySpreadConstraint", "StatefulSet", "db"));
    assert!(!has(
        &rows,
        "topologySpreadConstraint",
        "DaemonSet",
        "agent"
    ));
    // Other rules still judge the DaemonSet.
    assert!(has(&rows, "cpuLimitsMissing", "DaemonSet", "agent"));
    // The Deployments found through `pod-template-hash`: replicas are the
    // pods seen.
    let replicas: Vec<_> = rows
        .iter()
        .filter(|r| r.0 == "deploymentMissingReplicas")
        .map(|r| (r.1.as_str(), r.2.as_str(), r.3.as_str(), r.4.as_str()))
        .collect();
    assert_eq!(
        replicas,
        [(
            "Deployment",
            "one",
            "spec.replicas",
            "replicas is 1; at least 2 are needed (seen in pod one-5d9c-0)"
        )]
    );
}

/// An exemption annotated on the pod exempts the owner it stands for, as
/// it exempted the pod.
#[test]
fn exemption_annotations_on_the_pod_still_exempt() {
    let items = |annotations: Value| vec![db_pod(annotations), pdb("db", "db"), hpa_of_db()];
    let (plain, plain_exempted) = sweep(items(json!({})));
    let (exempt, exempted) = sweep(items(json!({
        "eyelint.io/exempt": "pdbMinAvailableGreaterThanHPAMinReplicas, cpuLimitsMissing",
        "polaris.fairwinds.com/readinessProbeMissing-exempt": "true"})));
    for id in [
        "pdbMinAvailableGreaterThanHPAMinReplicas",
        "cpuLimitsMissing",
        "readinessProbeMissing",
    ] {
        assert!(has(&plain, id, "StatefulSet", "db"), "{id}");
        assert!(!has(&exempt, id, "StatefulSet", "db"), "{id}");
    }
    assert_eq!(exempt.len() + 3, plain.len());
    assert_eq!((plain_exempted, exempted), (0, 3));
    let (all, _) = sweep(items(json!({"polaris.fairwinds.com/exempt": "true"})));
    assert_eq!(all, []);
}
