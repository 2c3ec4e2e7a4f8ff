//! Every real capture in ../shared/clusterdumps is read and gives a sensible
//! report. Skips cleanly when the shared material is absent.

mod common;

use common::{has, run, shared};
use eyelint_sweep::sweep::Offline;
use eyelint_sweep::SweepError;

#[test]
fn minikube_stdout_dump() {
    let Some(p) = shared("craig8__blockchain-automation-framework/cluster-dump.txt") else {
        return;
    };
    let r = run(Offline::Dump(p)).unwrap();
    assert_eq!(r.summary.objects.get("Node"), Some(&1));
    assert!(has(&r, "WarningEvent", "storage-provisioner"));
    assert!(r
        .findings
        .iter()
        .any(|f| f.reason.as_deref() == Some("FailedScheduling")));
    // minikube's static control-plane pods are healthy.
    assert!(!r
        .findings
        .iter()
        .any(|f| f.section == eyelint_sweep::checks::Section::ControlPlane));
    assert!(!r.notes.iter().any(|n| n.contains("not observable")));
    assert!(r.summary.workloads_judged >= 5);
}

#[test]
fn kubectl_1_9_dump_is_refused_clearly() {
    let Some(p) = shared("wangwg2__kubernetes-vagrant-centos-cluster/cluster-info-dump.json")
    else {
        return;
    };
    let e = run(Offline::Dump(p)).unwrap_err();
    assert!(matches!(e, SweepError::LegacyDump { .. }), "{e}");
}

#[test]
fn oke_directory_dump() {
    let Some(p) = shared("verrazzano__verrazzano/capture_Ba8mq7N/cluster-snapshot") else {
        return;
    };
    let r = run(Offline::Dump(p)).unwrap();
    assert_eq!(r.summary.objects.get("Node"), Some(&3));
    // All nodes Ready: no node findings. A managed control plane: a note.
    assert!(!r.findings.iter().any(|f| f.kind == "Node"));
    assert!(r
        .notes
        .iter()
        .any(|n| n.contains("control plane not observable")));
    assert!(r.summary.workloads_judged > 10);
    // Running, but restarted five times after exiting with code 2.
    let restarts: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.id == "PodRestartingOften")
        .map(|f| (f.name.as_str(), f.count, f.last_seen.as_deref()))
        .collect();
    assert_eq!(
        restarts,
        [(
            "kube-dns-autoscaler-65f7579cb4-5mkh7",
            Some(5),
            Some("2022-06-16T13:52:55Z")
        )]
    );
}

#[test]
fn verrazzano_partial_dumps() {
    let base = "verrazzano__verrazzano/tools/vz/pkg/internal/test/cluster";
    let cases: [(&str, &[&str]); 7] = [
        ("image-pull-case1", &["PodSetImagePullBackOff"]),
        ("insufficient-mem", &["WarningEvent"]),
        ("pending-pods", &[]),
        ("problem-pods", &[]),
        ("problem-pods-install", &["WarningEvent"]),
        ("components-not-ready", &["WarningEvent"]),
        ("blockstorage-limitexceeded", &["WarningEvent"]),
    ];
    for (case, ids) in cases {
        let Some(p) = shared(&format!("{base}/{case}/cluster-snapshot")) else {
            return;
        };
        let r = run(Offline::Dump(p)).unwrap_or_else(|e| panic!("{case}: {e}"));
        assert!(
            r.notes.iter().any(|n| n.contains("no nodes")),
            "{case}: no nodes.json"
        );
        for id in ids {
            assert!(r.findings.iter().any(|f| f.id == *id), "{case}: {id}");
        }
    }
}

#[test]
fn troubleshoot_bundle_with_logs() {
    let Some(p) = shared("replicatedhq__troubleshoot/real-support-bundles") else {
        return;
    };
    let r = run(Offline::Dump(p)).unwrap();
    assert!(has(
        &r,
        "PodCrashLoopBackOff",
        "backend-api-75fb46b7bd-xtkrh"
    ));
    assert!(has(
        &r,
        "PodUnschedulable",
        "cpu-intensive-app-7bcfc5d944-hw2vc"
    ));
    assert!(r
        .findings
        .iter()
        .any(|f| f.reason.as_deref() == Some("InvalidDiskCapacity")));
    assert!(
        r.notes.iter().any(|n| n.contains("logs of")),
        "{:?}",
        r.notes
    );
}

#[test]
fn troubleshoot_compressed_bundle_is_noted() {
    let Some(p) = shared("replicatedhq__troubleshoot/testdata/supportbundle") else {
        return;
    };
    // A directory that holds only the packed bundle: the error says to unpack
    // it, for the directory and for the file itself.
    let e = run(Offline::Dump(p.clone())).unwrap_err();
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
    let e = run(Offline::Dump(p.join("support-bundle.tar.gz"))).unwrap_err();
    assert!(e.to_string().contains("unpack it first"), "{e}");
}

#[test]
fn troubleshoot_list_files() {
    let Some(dir) = shared("replicatedhq__troubleshoot/pkg/analyze/files") else {
        return;
    };
    let cases = [
        ("pods/message-oomkill-pod.json", "PodOOMKilled"),
        (
            "pods/message-pod-crashloop-backoff.json",
            "PodCrashLoopBackOff",
        ),
        (
            "pods/message-image-pull-fail.json",
            "PodSetImagePullBackOff",
        ),
        (
            "pods/message-pending-pod-resources.json",
            "PodUnschedulable",
        ),
        (
            "pods/message-pending-node-affinity.json",
            "PodUnschedulable",
        ),
        ("events/message-image-pull-fail.json", "WarningEvent"),
        (
            "events/message-container-creating-failed-mount.json",
            "WarningEvent",
        ),
    ];
    for (file, id) in cases {
        let r = run(Offline::File(dir.join(file))).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(r.findings.iter().any(|f| f.id == id), "{file}: {id}");
    }
    let r = run(Offline::File(dir.join("nodes.json"))).unwrap();
    assert_eq!(r.summary.objects.get("Node"), Some(&7));
    assert!(
        !r.findings.iter().any(|f| f.kind == "Node"),
        "a healthy baseline"
    );
    // The FailedMount group is one finding with its count, not 178 rows.
    let r = run(Offline::File(
        dir.join("events/message-container-creating-failed-mount.json"),
    ))
    .unwrap();
    let mounts: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.reason.as_deref() == Some("FailedMount"))
        .collect();
    assert!(!mounts.is_empty() && mounts.iter().all(|f| f.count.unwrap_or(0) >= 1));
}

#[test]
fn sonobuoy_bundle_and_pod_list() {
    let Some(p) = shared("vmware-tanzu__sonobuoy/pkg/discovery/testdata/healthsummary") else {
        return;
    };
    let r = run(Offline::Dump(p)).unwrap();
    assert!(has(&r, "NodeConditionProblem", "kind-worker"));
    // The static control-plane pods (mirrors owned by their Node) are
    // judged as themselves, not folded into one "Node" workload.
    let workloads = |kind: &str| {
        r.findings
            .iter()
            .filter(|f| f.section == eyelint_sweep::checks::Section::Workloads && f.kind == kind)
            .map(|f| f.name.as_str())
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert!(workloads("Node").is_empty());
    assert!(workloads("Pod").contains("kube-apiserver-kind-control-plane"));
    assert!(
        r.findings
            .iter()
            .filter(|f| &*f.id == "PodUnschedulable")
            .count()
            >= 4
    );
    let Some(p) = shared("vmware-tanzu__sonobuoy/pkg/client/testdata/PrintPodStatus.json") else {
        return;
    };
    let r = run(Offline::File(p)).unwrap();
    assert!(r
        .findings
        .iter()
        .any(|f| &*f.id == "PodSetImagePullBackOff"));
}
