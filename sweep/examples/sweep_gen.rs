//! Writes a synthetic `kubectl cluster-info dump` (stream form) for the
//! scale benchmark: `cargo run --release -p eyelint-sweep --example sweep_gen
//! -- OUT [NODES PODS EVENTS]` (default 2,000 nodes, 60,000 pods of about
//! 6 KB each with status and managedFields, 200,000 events).

use std::fs::File;
use std::io::{BufWriter, Write};

use serde_json::{json, Value};

fn pod(i: usize, ns: &str, nodes: usize) -> Value {
    let dep = i / 6;
    let rs = format!("app-{dep}-5d8f7c9b4");
    let name = format!("{rs}-{:05x}", i);
    let node = format!("node-{}", i % nodes);
    let crash = i % 97 == 0;
    let mut fields = serde_json::Map::new();
    for k in 0..40 {
        fields.insert(
            format!("f:field{k}"),
            json!({".": {}, "f:value": {}, "f:name": {}}),
        );
    }
    let state = if crash {
        json!({"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container"}})
    } else {
        json!({"running": {"startedAt": "2024-05-01T08:00:00Z"}})
    };
    json!({
        "metadata": {
            "name": name, "namespace": ns, "uid": format!("00000000-0000-0000-0000-{i:012}"),
            "resourceVersion": "123456", "creationTimestamp": "2024-05-01T08:00:00Z",
            "labels": {"app": format!("app-{dep}"), "pod-template-hash": "5d8f7c9b4", "team": "bench"},
            "annotations": {"kubectl.kubernetes.io/restartedAt": "2024-05-01T08:00:00Z"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs, "uid": "x", "controller": true, "blockOwnerDeletion": true}],
            "managedFields": [
                {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1", "time": "2024-05-01T08:00:00Z", "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:labels": Value::Object(fields.clone())}}},
                {"manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": "2024-05-01T08:00:05Z", "fieldsType": "FieldsV1", "subresource": "status", "fieldsV1": {"f:status": Value::Object(fields)}}
            ]
        },
        "spec": {
            "nodeName": node, "restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "serviceAccountName": "default",
            "containers": [{
                "name": "app", "image": format!("registry.example.com/team/app-{dep}:1.2.3"), "imagePullPolicy": "IfNotPresent",
                "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                "env": (0..10).map(|e| json!({"name": format!("SETTING_{e}"), "value": format!("value-{e}")})).collect::<Vec<_>>(),
                "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}},
                "volumeMounts": [{"name": "kube-api-access-abcde", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true}],
                "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"
            }],
            "volumes": [{"name": "kube-api-access-abcde", "projected": {"defaultMode": 420, "sources": [{"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}]}}],
            "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}]
        },
        "status": {
            "phase": "Running", "hostIP": "10.0.0.1", "podIP": "10.1.0.1", "startTime": "2024-05-01T08:00:00Z", "qosClass": "Burstable",
            "conditions": (["Initialized", "Ready", "ContainersReady", "PodScheduled"].iter().map(|t| json!({"type": t, "status": "True", "lastProbeTime": null, "lastTransitionTime": "2024-05-01T08:00:02Z"})).collect::<Vec<_>>()),
            "containerStatuses": [{"name": "app", "ready": !crash, "restartCount": if crash { 9 } else { 0 }, "started": true, "image": "registry.example.com/team/app:1.2.3", "imageID": "registry.example.com/team/app@sha256:0123456789abcdef", "containerID": "containerd://0123456789abcdef", "state": state}]
        }
    })
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let out = args.get(1).map(String::as_str).unwrap_or("synthetic.dump");
    let n = |i: usize, d: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let (nodes, pods, events) = (n(2, 2_000), n(3, 60_000), n(4, 200_000));
    let mut w = BufWriter::with_capacity(1 << 20, File::create(out)?);
    writeln!(
        w,
        "{{\"kind\": \"NodeList\", \"apiVersion\": \"v1\", \"metadata\": {{}}, \"items\": ["
    )?;
    for i in 0..nodes {
        let ready = if i % 500 == 7 { "Unknown" } else { "True" };
        let node = json!({"metadata": {"name": format!("node-{i}")}, "status": {"allocatable": {"cpu": "16", "memory": "64Gi"}, "conditions": [
            {"type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory"},
            {"type": "DiskPressure", "status": if i % 300 == 3 { "True" } else { "False" }, "reason": "KubeletHasNoDiskPressure"},
            {"type": "Ready", "status": ready, "reason": "KubeletReady"}]}});
        if i > 0 {
            w.write_all(b",\n")?;
        }
        serde_json::to_writer_pretty(&mut w, &node)?;
    }
    writeln!(w, "]}}")?;
    let namespaces = 20;
    for ns_i in 0..namespaces {
        let ns = format!("team-{ns_i}");
        writeln!(
            w,
            "{{\"kind\": \"EventList\", \"apiVersion\": \"v1\", \"metadata\": {{}}, \"items\": ["
        )?;
        let per = events / namespaces;
        for e in 0..per {
            let pod_i = (ns_i * per + e) % pods;
            let ev = json!({"metadata": {"name": format!("ev-{ns_i}-{e}"), "namespace": ns}, "involvedObject": {"kind": "Pod", "namespace": ns, "name": format!("pod-{pod_i}")},
                "reason": if e % 3 == 0 { "BackOff" } else { "Unhealthy" }, "message": "Readiness probe failed: HTTP probe failed with statuscode: 500",
                "type": if e % 2 == 0 { "Warning" } else { "Normal" }, "count": 3, "lastTimestamp": "2024-05-01T09:00:00Z", "source": {"component": "kubelet", "host": "node-1"}});
            if e > 0 {
                w.write_all(b",\n")?;
            }
            serde_json::to_writer_pretty(&mut w, &ev)?;
        }
        writeln!(w, "]}}")?;
        writeln!(
            w,
            "{{\"kind\": \"PodList\", \"apiVersion\": \"v1\", \"metadata\": {{}}, \"items\": ["
        )?;
        let per = pods / namespaces;
        for p in 0..per {
            if p > 0 {
                w.write_all(b",\n")?;
            }
            serde_json::to_writer_pretty(&mut w, &pod(ns_i * per + p, &ns, nodes))?;
        }
        writeln!(w, "]}}")?;
        let per_logs = 3;
        for p in 0..per_logs {
            let name = format!(
                "app-{}-5d8f7c9b4-{:05x}",
                (ns_i * per + p * 97) / 6,
                ns_i * per + p * 97
            );
            writeln!(
                w,
                "==== START logs for container app of pod {ns}/{name} ===="
            )?;
            for l in 0..200 {
                writeln!(w, "2024-05-01T09:00:{:02}Z level=error msg=\"open /data/{l}: no such file or directory\"", l % 60)?;
            }
            writeln!(w, "==== END logs for container app of pod {ns}/{name} ====")?;
        }
    }
    w.flush()
}
