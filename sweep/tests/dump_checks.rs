//! Every runtime check against small dump fixtures (tests/fixtures).

mod common;

use common::{fixture, has, run, run_with, runtime};
use eyelint_policies::Severity;
use eyelint_sweep::render::{human, json};
use eyelint_sweep::sweep::Offline;
use eyelint_sweep::{SweepConfig, SweepError};

fn sick() -> eyelint_sweep::Report {
    run(Offline::Dump(fixture("sick-cluster.dump"))).expect("sweep")
}

#[test]
fn node_conditions() {
    let r = sick();
    for (id, node) in [
        ("KubeletHealthStatus", "node-unknown"),
        ("DockerHealthStatus", "node-runtime"),
        ("NodeNotReady", "node-cm"),
        ("NodeNotReadyAndUseOfClosedNetworkConnection", "node-closed"),
        ("NodeMemory", "node-pressure"),
        ("NodeDisk", "node-pressure"),
        ("NodePIDPressure", "node-pressure"),
        ("NodeConditionProblem", "node-pressure"),
        ("NodeDockerHung", "node-npd"),
        ("NodeReadonlyFilesystem", "node-npd"),
        ("NodeCorruptOverlay2", "node-npd"),
        ("DockerHealthStatus", "node-npd"),
        ("NodeAUFSUmountHung", "node-deadlock"),
        ("KubeletHealthStatus", "node-deadlock"),
    ] {
        assert!(has(&r, id, node), "{id} on {node}");
    }
    // A stale node is one finding, not one per Unknown condition.
    let stale: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.name == "node-unknown")
        .collect();
    assert_eq!(stale.len(), 1);
    assert_eq!(stale[0].severity, Severity::Danger);
    // Healthy conditions (False pressure, KubeletUnhealthy False) and the healthy node are silent.
    assert!(!r
        .findings
        .iter()
        .any(|f| f.kind == "Node" && f.name == "cp-1" && f.id != "WarningEvent"));
    // Severities per the issue.
    let sev = |id: &str| r.findings.iter().find(|f| f.id == id).map(|f| f.severity);
    assert_eq!(sev("NodeNotReady"), Some(Severity::Danger));
    assert_eq!(sev("NodeMemory"), Some(Severity::Warning));
}

/// The EKS node monitoring agent's `…Ready` conditions, read from
/// `kubectl get nodes -o json`: a node where they are all True is healthy;
/// one where some are False is reported for each of those.
#[test]
fn eks_monitoring_agent_conditions_are_healthy_when_true() {
    let cond = |kind: &str, status: &str, reason: &str| {
        serde_json::json!({"type": kind, "status": status, "reason": reason,
            "message": format!("{kind} {status}"),
            "lastTransitionTime": "2024-05-01T10:00:00Z"})
    };
    let node = |name: &str, agent: &[(&str, &str, &str)]| {
        let mut conditions: Vec<_> = agent.iter().map(|(k, s, r)| cond(k, s, r)).collect();
        conditions.push(cond(
            "MemoryPressure",
            "False",
            "KubeletHasSufficientMemory",
        ));
        conditions.push(cond("Ready", "True", "KubeletReady"));
        serde_json::json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name},
            "status": {"conditions": conditions}})
    };
    let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": [
        node("eks-ok", &[
            ("KernelReady", "True", "KernelIsReady"),
            ("NetworkingReady", "True", "NetworkingIsReady"),
            ("StorageReady", "True", "DiskIsReady"),
            ("ContainerRuntimeReady", "True", "ContainerRuntimeIsReady"),
        ]),
        node("eks-sick", &[
            ("KernelReady", "False", "SoftLockup"),
            ("NetworkingReady", "True", "NetworkingIsReady"),
            ("StorageReady", "False", "IODelays"),
        ]),
    ]});
    let p = temp("eks-nodes.json");
    std::fs::write(&p, list.to_string()).unwrap();
    let r = run(Offline::File(p.to_path_buf())).expect("sweep");
    let got: Vec<_> = r
        .findings
        .iter()
        .map(|f| {
            (
                f.id.as_str(),
                f.name.as_str(),
                f.message.as_str(),
                f.severity,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "NodeConditionProblem",
                "eks-sick",
                "condition StorageReady is False: IODelays: StorageReady False",
                Severity::Warning
            ),
            (
                "NodeConditionProblem",
                "eks-sick",
                "condition KernelReady is False: SoftLockup: KernelReady False",
                Severity::Warning
            ),
        ]
    );
}

/// Failing pods that no pod check reported before, read from
/// `kubectl get pods -o json`: a running pod whose main container ended in
/// failure beside a container that still runs, a pod the scheduler failed
/// on (`SchedulerError`), a container waiting in `ErrImageNeverPull`.
#[test]
fn failing_pods_of_every_kind_are_reported() {
    let pod = |name: &str, status: serde_json::Value| {
        serde_json::json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "shop"},
            "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "x:1"}]},
            "status": status})
    };
    let list = serde_json::json!({"apiVersion": "v1", "kind": "PodList", "items": [
        pod("helm-operation", serde_json::json!({"phase": "Running", "containerStatuses": [
            {"name": "helm", "ready": false, "restartCount": 0,
             "state": {"terminated": {"exitCode": 123, "reason": "Error", "finishedAt": "2024-05-01T10:27:14Z"}}},
            {"name": "proxy", "ready": true, "restartCount": 0,
             "state": {"running": {"startedAt": "2024-05-01T10:26:55Z"}}}]})),
        pod("mysql-0", serde_json::json!({"phase": "Pending", "conditions": [
            {"type": "PodScheduled", "status": "False", "reason": "SchedulerError",
             "message": "running PreBind plugin \"VolumeBinding\": binding volumes: timed out waiting for the condition"}]})),
        pod("never-pull", serde_json::json!({"phase": "Pending", "containerStatuses": [
            {"name": "c", "ready": false, "restartCount": 0,
             "state": {"waiting": {"reason": "ErrImageNeverPull",
                "message": "Container image \"x:1\" is not present with pull policy of Never"}}}]})),
    ]});
    let p = temp("missed-pods.json");
    std::fs::write(&p, list.to_string()).unwrap();
    let r = run(Offline::File(p.to_path_buf())).expect("sweep");
    let got: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.section == eyelint_sweep::checks::Section::Pods)
        .map(|f| (f.id.as_str(), f.name.as_str(), f.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "PodFailed",
                "helm-operation",
                "container helm ended with Error (code 123) while the pod is still Running"
            ),
            (
                "PodUnschedulable",
                "mysql-0",
                "pod cannot be scheduled: SchedulerError: running PreBind plugin \"VolumeBinding\": binding volumes: timed out waiting for the condition"
            ),
            (
                "PodSetImagePullBackOff",
                "never-pull",
                "container c cannot pull its image: ErrImageNeverPull: Container image \"x:1\" is not present with pull policy of Never"
            ),
        ]
    );
}

#[test]
fn node_problem_detector_events() {
    let r = sick();
    for id in [
        "NodeOOM",
        "NodeTaskHung",
        "NodeKernelNULLPointer",
        "NodeExt4Error",
        "NodeUnregisterNetDevice",
        "NodeCorruptDockerImage",
    ] {
        assert!(has(&r, id, "node-npd"), "{id}");
    }
    // node-deadlock's condition-change event ("KernelDeadlock is now: True,
    // reason: DockerHung") is older than its condition, which says
    // AUFSUmountHung now: the condition is reported, the event is not.
    assert!(has(&r, "NodeAUFSUmountHung", "node-deadlock"));
    assert!(!has(&r, "NodeDockerHung", "node-deadlock"));
    let oom = r
        .findings
        .iter()
        .find(|f| &*f.id == "NodeOOM" && f.reason.as_deref() == Some("OOMKilling"))
        .unwrap();
    assert_eq!(oom.count, Some(3));
    // NPD events are not repeated as WarningEvent.
    assert!(!r
        .findings
        .iter()
        .any(|f| &*f.id == "WarningEvent" && f.reason.as_deref() == Some("OOMKilling")));
}

#[test]
fn warning_events_are_grouped() {
    let r = sick();
    let pulls: Vec<_> = r
        .findings
        .iter()
        .filter(|f| &*f.id == "WarningEvent" && f.name == "web-7d9f8-bbbbb")
        .collect();
    assert_eq!(pulls.len(), 1, "two events, one group");
    assert_eq!(pulls[0].count, Some(7));
    assert_eq!(pulls[0].last_seen.as_deref(), Some("2024-05-01T09:59:00Z"));
    assert!(has(&r, "WarningEvent", "pending-1"));
    assert!(
        has(&r, "WarningEvent", "cp-1"),
        "a non-NPD warning on a node"
    );
    // Normal events are not findings.
    assert!(!r
        .findings
        .iter()
        .any(|f| f.reason.as_deref() == Some("Pulled")));
}

#[test]
fn control_plane_pods() {
    let r = sick();
    assert!(has(&r, "ETCDHealthStatus", "etcd-cp-1"));
    assert!(has(
        &r,
        "ControllerManagerHealthStatus",
        "kube-controller-manager-cp-1"
    ));
    assert!(!r.findings.iter().any(|f| &*f.id == "SchedulerHealthStatus"));
    assert!(!r.notes.iter().any(|n| n.contains("not observable")));
}

#[test]
fn pod_status() {
    let r = sick();
    for (id, pod) in [
        ("PodSetImagePullBackOff", "web-7d9f8-bbbbb"),
        ("PodSetImagePullBackOff", "web-7d9f8-ccccc"),
        ("PodCrashLoopBackOff", "api-0"),
        ("PodOOMKilled", "worker-5c6b7-ddddd"),
        ("PodUnschedulable", "pending-1"),
        ("PodEvicted", "evicted-1"),
    ] {
        assert!(has(&r, id, pod), "{id} on {pod}");
    }
    assert!(!r
        .findings
        .iter()
        .any(|f| f.section == eyelint_sweep::checks::Section::Pods && f.name == "web-7d9f8-aaaaa"));
}

#[test]
fn log_patterns_only_in_failing_containers() {
    let r = sick();
    for id in [
        "PodNoSuchDeviceOrAddress",
        "PodInvalidArgument",
        "PodDeviceOrResourceBusy",
        "PodFileExists",
        "PodTooManyOpenFiles",
        "PodNoSpaceLeftOnDevice",
        "PodNotADirectory",
        "PodIOError",
    ] {
        assert!(has(&r, id, "api-0"), "{id}");
    }
    let files = r
        .findings
        .iter()
        .find(|f| &*f.id == "PodTooManyOpenFiles")
        .unwrap();
    assert_eq!(files.count, Some(2), "matched case-insensitively");
    assert!(has(&r, "PodNoSuchFileOrDirectory", "etcd-cp-1"));
    assert!(has(&r, "PodIOError", "batch-1"));
    // The healthy container logs the same words: not reported.
    assert!(!r
        .findings
        .iter()
        .any(|f| f.name == "healthy-logger" && f.section == eyelint_sweep::checks::Section::Pods));
}

#[test]
fn workloads_roll_up_to_owners() {
    let r = sick();
    let w: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.section == eyelint_sweep::checks::Section::Workloads)
        .collect();
    // The Deployment is judged from its own spec (privileged), once.
    let privileged: Vec<_> = w.iter().filter(|f| &*f.id == "runAsPrivileged").collect();
    assert_eq!(privileged.len(), 1);
    assert_eq!(
        (privileged[0].kind.as_str(), privileged[0].name.as_str()),
        ("Deployment", "web")
    );
    assert_eq!(privileged[0].count, Some(3), "three pods under it");
    // No finding is reported under a pod that has an owner.
    assert!(!w
        .iter()
        .any(|f| f.kind == "Pod" && f.name.starts_with("web-")));
    // An owner the dump does not hold is judged from one of its pods.
    assert!(w.iter().any(|f| f.kind == "StatefulSet"
        && f.name == "api"
        && f.message.contains("seen in pod api-0")));
    assert!(w
        .iter()
        .any(|f| f.kind == "Deployment" && f.name == "worker"));
    // Cross-object rules over kinds a dump lacks are not evaluated.
    assert!(r
        .notes
        .iter()
        .any(|n| n.contains("missingPodDisruptionBudget") && n.contains("not evaluated")));
}

#[test]
fn directory_dump_without_nodes_and_utf16() {
    let r = run(Offline::Dump(fixture("dir-dump"))).expect("sweep");
    assert!(r.notes.iter().any(|n| n.contains("no nodes")));
    let sched = r
        .findings
        .iter()
        .find(|f| &*f.id == "WarningEvent")
        .expect("UTF-16 events.json read");
    assert_eq!(sched.count, Some(27));
    assert!(has(&r, "PodNoSpaceLeftOnDevice", "api-0"));
    assert!(has(&r, "PodOOMKilled", "worker-5c6b7-ddddd"));
}

/// `name` in a fresh temporary directory, removed with it when the value
/// is dropped.
struct Temp {
    path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl std::ops::Deref for Temp {
    type Target = std::path::PathBuf;
    fn deref(&self) -> &std::path::PathBuf {
        &self.path
    }
}

impl AsRef<std::path::Path> for Temp {
    fn as_ref(&self) -> &std::path::Path {
        &self.path
    }
}

fn temp(name: &str) -> Temp {
    let dir = tempfile::Builder::new()
        .prefix("eyelint-sweep-test-")
        .tempdir()
        .unwrap();
    Temp {
        path: dir.path().join(name),
        _dir: dir,
    }
}

#[test]
fn utf16_stream_dump_gives_the_same_report() {
    let text = std::fs::read_to_string(fixture("sick-cluster.dump")).unwrap();
    let p = temp("sick-utf16.dump");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(&p, bytes).unwrap();
    let a = sick();
    let b = run(Offline::Dump(p.to_path_buf())).unwrap();
    assert_eq!(runtime(&a), runtime(&b));
}

#[test]
fn yaml_list_from_file() {
    let r = run(Offline::File(fixture("pods-list.yaml"))).expect("sweep");
    assert!(has(&r, "PodOOMKilled", "oom-job-x1"));
    assert!(r
        .findings
        .iter()
        .any(|f| f.kind == "Job" && f.name == "oom-job"));
}

#[test]
fn legacy_and_empty_inputs_are_refused_clearly() {
    let p = temp("legacy.json");
    std::fs::write(
        &p,
        r#"{"selfLink": "/api/v1/nodes", "Items": [{"name": "n1"}]}"#,
    )
    .unwrap();
    let e = run(Offline::Dump(p.to_path_buf())).unwrap_err();
    assert!(matches!(e, SweepError::LegacyDump { .. }), "{e}");
    assert!(e.to_string().contains("kubectl 1.9"));
    let p = temp("nothing.txt");
    std::fs::write(&p, "hello\n").unwrap();
    assert!(matches!(
        run(Offline::Dump(p.to_path_buf())).unwrap_err(),
        SweepError::Empty { .. }
    ));
    let p = temp("broken.json");
    std::fs::write(&p, "{\"kind\": \"PodList\", \"items\": [ {").unwrap();
    assert!(matches!(
        run(Offline::Dump(p.to_path_buf())).unwrap_err(),
        SweepError::Parse { .. }
    ));
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// A fresh copy of the `dir-dump` fixture, to change.
fn dir_dump_copy(name: &str) -> Temp {
    let d = temp(name);
    let _ = std::fs::remove_dir_all(&d);
    copy_dir(&fixture("dir-dump"), &d);
    d
}

#[test]
fn dump_directory_files_that_are_not_json_are_errors() {
    let d = dir_dump_copy("forbidden-dump");
    std::fs::create_dir_all(d.join("ns1")).unwrap();
    let pods = d.join("ns1/pods.json");
    // What kubectl writes in place of a list it may not read.
    std::fs::write(
        &pods,
        "Error from server (Forbidden): pods is forbidden: User \"x\" cannot list resource \"pods\" in API group \"\" in the namespace \"ns1\"\n",
    )
    .unwrap();
    let e = run(Offline::Dump(d.clone())).unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, SweepError::Parse { .. }), "{text}");
    assert!(text.contains("ns1/pods.json: not JSON: 1 line(s) neither JSON nor a log section (the first, line 1: `Error from server (Forbidden): pods is forbidden"), "{text}");
    #[cfg(unix)]
    {
        // A link to a file is read; a broken one is an error naming it.
        std::fs::remove_file(&pods).unwrap();
        std::os::unix::fs::symlink("../shop/pods.json", &pods).unwrap();
        let r = run(Offline::Dump(d.clone())).expect("linked pods.json");
        assert_eq!(
            r.summary.objects.get("Pod"),
            Some(&4),
            "{:?}",
            r.summary.objects
        );
        std::fs::remove_file(&pods).unwrap();
        std::os::unix::fs::symlink("../nowhere.json", &pods).unwrap();
        let e = run(Offline::Dump(d.clone())).unwrap_err();
        assert!(matches!(e, SweepError::Io { .. }), "{e}");
        assert!(e.to_string().contains("ns1/pods.json"), "{e}");
    }
    std::fs::remove_dir_all(&d).unwrap();
}

/// A `.json` file of a dump directory that holds no JSON at all (0 bytes,
/// blank lines, a byte-order mark alone: what `kubectl get … -o json >
/// FILE` leaves when kubectl fails) is an error naming the file, not a
/// namespace whose pods are silently missing.
#[test]
fn blank_json_files_in_a_dump_directory_are_errors() {
    let d = dir_dump_copy("blank-dump");
    let pods = d.join("shop/pods.json");
    let mut utf16_bom_and_newline = vec![0xFF, 0xFE];
    utf16_bom_and_newline.extend("\r\n".encode_utf16().flat_map(u16::to_le_bytes));
    for (what, bytes) in [
        ("0 bytes", Vec::new()),
        ("a newline", b"\n".to_vec()),
        ("blank space", b" \t\r\n\n  ".to_vec()),
        ("a UTF-8 byte-order mark", vec![0xEF, 0xBB, 0xBF]),
        (
            "a UTF-8 byte-order mark and a newline",
            vec![0xEF, 0xBB, 0xBF, b'\n'],
        ),
        ("a UTF-16 byte-order mark", vec![0xFF, 0xFE]),
        ("a UTF-16 byte-order mark and CRLF", utf16_bom_and_newline),
    ] {
        std::fs::write(&pods, &bytes).unwrap();
        let e = run(Offline::Dump(d.to_path_buf())).expect_err(what);
        let text = e.to_string();
        assert!(matches!(e, SweepError::Parse { .. }), "{what}: {text}");
        assert!(
            text.starts_with(&format!("{}: ", pods.display())),
            "{what}: {text}"
        );
        assert!(text.contains("holds no JSON"), "{what}: {text}");
    }
    // An empty list is a list: the namespace has no pods.
    std::fs::write(&pods, "{\"kind\": \"PodList\", \"items\": []}\n").unwrap();
    let r = run(Offline::Dump(d.to_path_buf())).expect("empty list");
    assert_eq!(
        r.summary.objects.get("Pod"),
        None,
        "{:?}",
        r.summary.objects
    );
}

#[test]
fn compressed_inputs_are_named_as_such() {
    let gz = temp("bundle.tar.gz");
    std::fs::write(&gz, [0x1F, 0x8B, 0x08, 0x00, b'{', b'[', 0x00, 0xFF]).unwrap();
    for source in [Offline::Dump(gz.clone()), Offline::File(gz.clone())] {
        let e = run(source).unwrap_err();
        assert!(
            matches!(
                e,
                SweepError::Compressed {
                    format: "a gzip-compressed file",
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("unpack it first"), "{e}");
    }
    // A directory with nothing else in it says so too.
    let only = temp("only-bundle");
    let _ = std::fs::remove_dir_all(&only);
    std::fs::create_dir_all(&only).unwrap();
    std::fs::copy(&gz, only.join("support-bundle.tar.gz")).unwrap();
    let e = run(Offline::Dump(only.clone())).unwrap_err();
    assert!(matches!(e, SweepError::Compressed { .. }), "{e}");
    // Beside other files, a note.
    let d = dir_dump_copy("dump-with-bundle");
    std::fs::copy(&gz, d.join("extra.tgz")).unwrap();
    let r = run(Offline::Dump(d.clone())).expect("sweep");
    assert!(
        r.notes
            .iter()
            .any(|n| n.starts_with("1 compressed file(s) in ")),
        "{:?}",
        r.notes
    );
    for p in [&only, &d] {
        std::fs::remove_dir_all(p).unwrap();
    }
    std::fs::remove_file(&gz).unwrap();
}

#[test]
fn stray_lines_in_a_stream_are_a_note() {
    // `kubectl cluster-info dump > f 2>&1` mixes kubectl's own warnings in.
    let text = std::fs::read_to_string(fixture("sick-cluster.dump")).unwrap();
    let p = temp("with-warning.dump");
    std::fs::write(
        &p,
        format!("Warning: v1 ComponentStatus is deprecated in v1.19+\n{text}"),
    )
    .unwrap();
    let r = run(Offline::Dump(p.clone())).expect("sweep");
    assert_eq!(runtime(&r), runtime(&sick()));
    assert!(r.notes.iter().any(|n| n.ends_with(
        ": 1 line(s) neither JSON nor a log section (the first, line 1: `Warning: v1 ComponentStatus is deprecated in v1.19+`), skipped"
    )), "{:?}", r.notes);
    std::fs::remove_file(&p).unwrap();
}

#[test]
fn logs_are_counted_per_container_not_per_file() {
    // The same container's log twice (current and previous, or a support
    // bundle's two copies) is one container scanned.
    let d = dir_dump_copy("two-log-files");
    let logs = d.join("podlogs/shop/api-0");
    std::fs::create_dir_all(&logs).unwrap();
    std::fs::write(logs.join("api.log"), "open /x: no such file or directory\n").unwrap();
    std::fs::write(
        logs.join("api-previous.log"),
        "open /y: no such file or directory\n",
    )
    .unwrap();
    let r = run(Offline::Dump(d.clone())).expect("sweep");
    assert!(
        r.notes
            .iter()
            .any(|n| n == "logs of 1 failing or restarting container(s) scanned"),
        "{:?}",
        r.notes
    );
    assert!(has(&r, "PodNoSuchFileOrDirectory", "api-0"));
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn config_ignores_ids_and_narrows_namespaces() {
    let cfg: SweepConfig = serde_json::from_value(serde_json::json!({
        "ignore": ["WarningEvent"],
        "checks": {"PodOOMKilled": "danger", "NodeOOM": "ignore"},
        "namespaces": ["shop"]
    }))
    .unwrap();
    let r = run_with(Offline::Dump(fixture("sick-cluster.dump")), &cfg).unwrap();
    assert!(!r
        .findings
        .iter()
        .any(|f| &*f.id == "WarningEvent" || &*f.id == "NodeOOM"));
    assert_eq!(
        r.findings
            .iter()
            .find(|f| &*f.id == "PodOOMKilled")
            .map(|f| f.severity),
        Some(Severity::Danger)
    );
    assert!(!r.findings.iter().any(|f| f.namespace == "kube-system"));
    assert!(
        has(&r, "NodeDisk", "node-pressure"),
        "nodes are cluster-scoped: still checked"
    );
    assert!(r.notes.iter().any(|n| n.contains("kube-system is outside")));
}

fn stable(mut r: eyelint_sweep::Report) -> eyelint_sweep::Report {
    r.source.origin = "sick-cluster.dump".to_string();
    r.tool = "eyelint-sweep".to_string();
    r
}

#[test]
fn snapshot_human() {
    let r = stable(sick());
    let text = human::render(
        &r,
        human::Style {
            color: false,
            width: Some(140),
        },
    );
    insta::assert_snapshot!("sick_cluster_human", text);
}

#[test]
fn snapshot_json() {
    let r = stable(sick());
    let text = json::render(&r);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["schemaVersion"], 1);
    for k in [
        "id",
        "severity",
        "category",
        "message",
        "kind",
        "namespace",
        "name",
    ] {
        assert!(v["findings"][0].get(k).is_some(), "{k}");
    }
    insta::assert_snapshot!("sick_cluster_json", text);
}

#[test]
fn colours_only_when_asked() {
    let r = sick();
    let plain = human::render(
        &r,
        human::Style {
            color: false,
            width: None,
        },
    );
    assert!(!plain.contains('\x1b'));
    let coloured = human::render(
        &r,
        human::Style {
            color: true,
            width: None,
        },
    );
    assert!(coloured.contains("\x1b[1;31mDANGER\x1b[0m"));
}

/// Text from the cluster cannot drive the terminal: event messages, names
/// and the kinds in the `Read:` line are shown with their control
/// characters escaped.
#[test]
fn human_output_escapes_terminal_controls_from_the_cluster() {
    let p = temp("controls.json");
    std::fs::write(
        &p,
        r#"{"kind": "List", "apiVersion": "v1", "items": [
          {"kind": "Evil\u001b[2Jkind", "apiVersion": "v1", "metadata": {"name": "x", "namespace": "a"}},
          {"kind": "Event", "apiVersion": "v1", "metadata": {"name": "e1", "namespace": "a"}, "type": "Warning",
           "reason": "BackOff", "message": "boom \u001b]0;pwned\u0007 \u202eevil",
           "involvedObject": {"kind": "Pod", "namespace": "a", "name": "web\u001b[31m"}}
        ]}"#,
    )
    .unwrap();
    let r = run(Offline::File(p.clone())).expect("sweep");
    let text = human::render(
        &r,
        human::Style {
            color: false,
            width: None,
        },
    );
    assert!(
        !text.contains('\x1b') && !text.contains('\u{202e}'),
        "{text}"
    );
    assert!(text.contains("Evil\\x1b[2Jkind"), "{text}");
    assert!(
        text.contains("boom \\x1b]0;pwned\\x07 \\u{202e}evil"),
        "{text}"
    );
    std::fs::remove_file(&p).unwrap();
}

/// A `.json` name that is a pipe, directly or through a link, is an error:
/// its objects would be missing without a word (and reading a pipe could
/// wait for ever). Skipped where `mkfifo` is missing.
#[cfg(unix)]
#[test]
fn a_pipe_named_json_in_a_dump_is_an_error_even_through_a_link() {
    let d = dir_dump_copy("fifo-dump");
    let fifo = d.join("the-pipe");
    match std::process::Command::new("mkfifo").arg(&fifo).status() {
        Ok(s) if s.success() => {}
        _ => {
            eprintln!("SKIP: mkfifo is not available");
            return;
        }
    }
    std::os::unix::fs::symlink(&fifo, d.join("shop/events2.json")).unwrap();
    let e = run(Offline::Dump(d.clone())).unwrap_err();
    assert!(
        e.to_string().contains("events2.json: not a regular file"),
        "{e}"
    );
    std::fs::remove_dir_all(&d).unwrap();
}

/// A pod judged in place of an owner the source does not hold is judged
/// under the owner's name: its `app.kubernetes.io/instance` label is held
/// to the owner's name, not to the pod's (`keycloak`, not `keycloak-0`,
/// which no StatefulSet could ever satisfy).
#[test]
fn a_stand_in_pod_is_judged_under_its_owners_name() {
    let pod = |name: &str, owner: &str, instance: Option<&str>| {
        let mut labels = serde_json::json!({"app.kubernetes.io/name": owner});
        if let Some(i) = instance {
            labels["app.kubernetes.io/instance"] = serde_json::json!(i);
        }
        serde_json::json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "auth", "labels": labels,
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet",
                    "name": owner, "uid": format!("uid-{owner}"), "controller": true}]},
            "spec": {"containers": [{"name": "app", "image": "keycloak:24"}]},
            "status": {"phase": "Running"}
        })
    };
    let list = serde_json::json!({"apiVersion": "v1", "kind": "PodList", "items": [
        pod("keycloak-0", "keycloak", Some("keycloak")),
        pod("ldap-0", "ldap", None),
    ]});
    let p = temp("stand-in.json");
    std::fs::write(&p, list.to_string()).unwrap();
    let r = run(Offline::File(p.to_path_buf())).expect("sweep");
    let mismatched: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.id == "metadataAndInstanceMismatched")
        .map(|f| (f.name.as_str(), f.message.as_str()))
        .collect();
    assert_eq!(
        mismatched,
        [(
            "ldap",
            "label app.kubernetes.io/instance is not set (expected `ldap`) (seen in pod ldap-0)"
        )]
    );
}

/// Events: an `events.k8s.io/v1` Event is read by its own field names
/// (`regarding`, `note`, `deprecatedCount`; it gave a finding with no
/// object and no message), and only a reporter that runs on nodes names a
/// node through `reportingInstance` (the scheduler's instance was shown as
/// a node).
#[test]
fn events_of_either_api_and_their_nodes() {
    let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"},
         "status": {"conditions": [{"type": "Ready", "status": "True"}]}},
        {"apiVersion": "events.k8s.io/v1", "kind": "Event",
         "metadata": {"name": "n1.1", "namespace": "default"},
         "regarding": {"kind": "Node", "name": "n1"},
         "reason": "OOMKilling", "type": "Warning", "deprecatedCount": 3,
         "note": "Killed process 1 (x) total-vm:1kB, anon-rss:1kB, file-rss:0kB",
         "deprecatedLastTimestamp": "2024-05-01T10:00:00Z",
         "reportingController": "kernel-monitor", "reportingInstance": "n1"},
        {"apiVersion": "v1", "kind": "Event",
         "metadata": {"name": "web.1", "namespace": "shop"},
         "involvedObject": {"kind": "Pod", "namespace": "shop", "name": "web"},
         "reason": "FailedScheduling", "type": "Warning", "source": {},
         "message": "0/3 nodes are available",
         "reportingComponent": "default-scheduler", "reportingInstance": "default-scheduler-cp1",
         "lastTimestamp": "2024-05-01T10:00:00Z"},
        {"apiVersion": "v1", "kind": "Event",
         "metadata": {"name": "api.1", "namespace": "shop"},
         "involvedObject": {"kind": "Pod", "namespace": "shop", "name": "api"},
         "reason": "BackOff", "type": "Warning",
         "message": "Back-off restarting failed container",
         "reportingComponent": "kubelet", "reportingInstance": "n1",
         "lastTimestamp": "2024-05-01T10:00:00Z"}
    ]});
    let p = temp("events.json");
    std::fs::write(&p, list.to_string()).unwrap();
    let r = run(Offline::File(p.to_path_buf())).expect("sweep");
    let oom = r
        .findings
        .iter()
        .find(|f| f.id == "NodeOOM")
        .unwrap_or_else(|| panic!("{:#?}", r.findings));
    assert_eq!((oom.name.as_str(), oom.count), ("n1", Some(3)), "{oom:?}");
    assert!(oom.message.contains("Killed process 1"), "{}", oom.message);
    assert!(
        r.findings.iter().all(|f| !f.name.is_empty()),
        "{:#?}",
        r.findings
    );
    let node_of = |reason: &str| {
        r.findings
            .iter()
            .find(|f| f.reason.as_deref() == Some(reason))
            .unwrap_or_else(|| panic!("no {reason}: {:#?}", r.findings))
            .node
            .clone()
    };
    assert_eq!(node_of("FailedScheduling"), None);
    assert_eq!(node_of("BackOff").as_deref(), Some("n1"));
}

/// Only a controller reference (or, without the mark, a reference to a
/// kind that manages pods) makes a pod part of a workload: pods that a
/// ConfigMap owns for garbage collection are judged as themselves, each
/// (they were folded into one "ConfigMap" workload, and one pod's findings
/// were lost).
#[test]
fn pods_roll_up_only_to_controllers() {
    let pod = |name: &str, image: &str, owner: serde_json::Value| {
        serde_json::json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "shop", "ownerReferences": [owner]},
            "spec": {"containers": [{"name": "app", "image": image}]},
            "status": {"phase": "Running"}
        })
    };
    let cm = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "name": "shared-cfg",
        "uid": "u1", "controller": false});
    let rs = serde_json::json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5d9c",
        "uid": "u2"});
    let list = serde_json::json!({"apiVersion": "v1", "kind": "PodList", "items": [
        pod("alpha", "nginx:1.25", cm.clone()),
        pod("beta", "nginx:latest", cm),
        pod("web-5d9c-x1", "nginx:1.25", rs),
    ]});
    let p = temp("owners.json");
    std::fs::write(&p, list.to_string()).unwrap();
    let r = run(Offline::File(p.to_path_buf())).expect("sweep");
    let mut objects: Vec<(String, String)> = r
        .findings
        .iter()
        .filter(|f| f.section == eyelint_sweep::checks::Section::Workloads)
        .map(|f| (f.kind.clone(), f.name.clone()))
        .collect();
    objects.sort();
    objects.dedup();
    assert_eq!(
        objects,
        [
            ("Pod", "alpha"),
            ("Pod", "beta"),
            ("ReplicaSet", "web-5d9c")
        ]
        .map(|(k, n)| (k.to_string(), n.to_string()))
    );
    assert!(r
        .findings
        .iter()
        .any(|f| f.id == "tagNotSpecified" && f.name == "beta"));
}
