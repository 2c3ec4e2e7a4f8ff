//! Writes a synthetic `kubectl cluster-info dump` (stream form) for the
//! scale benchmark: `cargo run --release -p eyelint-sweep --example sweep_gen
//! -- [--compact] OUT [NODES PODS EVENTS]` (default 2,000 nodes, 60,000 pods,
//! 200,000 events in 20 namespaces). `bench/sweep-scale.sh` runs it.
//!
//! The objects look like what the API server returns and kubectl writes:
//! JSON indented by four spaces, lists wrapped in `{"kind": "PodList", …,
//! "items": [...]}`, pods with their full spec, status and the managedFields
//! the controller manager and the kubelet leave (about 6 KB per pod as
//! written), nodes with conditions, addresses, node info and an image list,
//! events with their involved object, source and timestamps. Every 97th pod
//! is in CrashLoopBackOff with a log section; events point at real pods.
//! `--compact` writes one object per line without indentation instead (the
//! same objects in far fewer bytes: a stricter memory-to-size test).

use std::fs::File;
use std::io::{BufWriter, Write};

use serde::Serialize;
use serde_json::{json, Map, Value};

const INDENT: &[u8] = b"    ";

/// Writes `v` indented by four spaces, as nested `depth` levels deep
/// (depth 0: compact, on one line).
fn write_item<W: Write>(
    w: &mut W,
    v: &Value,
    depth: usize,
    buf: &mut Vec<u8>,
) -> std::io::Result<()> {
    if depth == 0 {
        return serde_json::to_writer(w, v).map_err(std::io::Error::from);
    }
    buf.clear();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut *buf,
        serde_json::ser::PrettyFormatter::with_indent(INDENT),
    );
    v.serialize(&mut ser)?;
    let pad = INDENT.repeat(depth);
    for (i, line) in buf.split(|b| *b == b'\n').enumerate() {
        if i > 0 {
            w.write_all(b"\n")?;
        }
        w.write_all(&pad)?;
        w.write_all(line)?;
    }
    Ok(())
}

fn list_start<W: Write>(w: &mut W, kind: &str, compact: bool) -> std::io::Result<()> {
    if compact {
        return writeln!(
            w,
            "{{\"kind\":\"{kind}\",\"apiVersion\":\"v1\",\"metadata\":{{\"resourceVersion\":\"9876543\"}},\"items\":["
        );
    }
    write!(
        w,
        "{{\n    \"kind\": \"{kind}\",\n    \"apiVersion\": \"v1\",\n    \"metadata\": {{\n        \"resourceVersion\": \"9876543\"\n    }},\n    \"items\": [\n"
    )
}

fn list_end<W: Write>(w: &mut W) -> std::io::Result<()> {
    w.write_all(b"\n    ]\n}\n")
}

/// `{".": {}, "f:a": {}, …}` for managedFields.
fn fields(names: &[&str], dot: bool) -> Value {
    let mut m = Map::new();
    if dot {
        m.insert(".".into(), json!({}));
    }
    for n in names {
        m.insert(format!("f:{n}"), json!({}));
    }
    Value::Object(m)
}

fn pod_name(i: usize) -> String {
    format!("app-{}-5d8f7c9b4-{:05x}", i / 6, i)
}

fn pod(i: usize, ns: &str, nodes: usize) -> Value {
    let dep = i / 6;
    let rs = format!("app-{dep}-5d8f7c9b4");
    let name = pod_name(i);
    let node = format!("node-{}", i % nodes);
    let crash = i % 97 == 0;
    let uid = format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        i,
        ns.len(),
        i % 4096,
        dep % 4096,
        i * 7919
    );
    let rs_uid = format!("{:08x}-0000-4000-8000-{:012x}", dep, dep * 104_729);
    let pod_ip = format!("10.{}.{}.{}", 64 + i / 65_536 % 64, i / 256 % 256, i % 256);
    let host_ip = format!("10.0.{}.{}", (i % nodes) / 256, (i % nodes) % 256);
    let image = format!("registry.example.com/team/app-{dep}:1.2.3");
    let env_names: Vec<String> = (0..6).map(|e| format!("SETTING_{e}")).collect();
    let mut env_fields = Map::new();
    env_fields.insert(".".into(), json!({}));
    for e in &env_names {
        env_fields.insert(
            format!("k:{{\"name\":\"{e}\"}}"),
            fields(&["name", "value"], true),
        );
    }
    let mut cond_fields = Map::new();
    for t in [
        "ContainersReady",
        "Initialized",
        "PodReadyToStartContainers",
        "PodScheduled",
        "Ready",
    ] {
        cond_fields.insert(
            format!("k:{{\"type\":\"{t}\"}}"),
            fields(
                &["lastProbeTime", "lastTransitionTime", "status", "type"],
                true,
            ),
        );
    }
    let state = if crash {
        json!({"waiting": {"reason": "CrashLoopBackOff", "message": format!("back-off 5m0s restarting failed container=app pod={name}_{ns}({uid})")}})
    } else {
        json!({"running": {"startedAt": "2024-05-01T08:00:04Z"}})
    };
    let last_state = if crash {
        json!({"terminated": {"exitCode": 1, "reason": "Error", "startedAt": "2024-05-01T08:54:00Z", "finishedAt": "2024-05-01T08:55:00Z", "containerID": format!("containerd://{:064x}", i as u128 * 31)}})
    } else {
        json!({})
    };
    json!({
        "metadata": {
            "name": name,
            "generateName": format!("{rs}-"),
            "namespace": ns,
            "uid": uid,
            "resourceVersion": format!("{}", 1_000_000 + i),
            "creationTimestamp": "2024-05-01T08:00:00Z",
            "labels": {"app": format!("app-{dep}"), "pod-template-hash": "5d8f7c9b4"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs, "uid": rs_uid, "controller": true, "blockOwnerDeletion": true}],
            "managedFields": [
                {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1", "time": "2024-05-01T08:00:00Z", "fieldsType": "FieldsV1", "fieldsV1": {
                    "f:metadata": {
                        "f:generateName": {},
                        "f:labels": fields(&["app", "pod-template-hash"], true),
                        "f:ownerReferences": {".": {}, format!("k:{{\"uid\":\"{rs_uid}\"}}"): {}}
                    },
                    "f:spec": {
                        "f:containers": {format!("k:{{\"name\":\"app\"}}"): {
                            ".": {},
                            "f:env": Value::Object(env_fields),
                            "f:image": {}, "f:imagePullPolicy": {}, "f:name": {},
                            "f:ports": {".": {}, "k:{\"containerPort\":8080,\"protocol\":\"TCP\"}": fields(&["containerPort", "protocol"], true)},
                            "f:resources": {".": {}, "f:limits": fields(&["cpu", "memory"], true), "f:requests": fields(&["cpu", "memory"], true)},
                            "f:terminationMessagePath": {}, "f:terminationMessagePolicy": {}
                        }},
                        "f:dnsPolicy": {}, "f:enableServiceLinks": {}, "f:restartPolicy": {}, "f:schedulerName": {},
                        "f:securityContext": {}, "f:terminationGracePeriodSeconds": {}
                    }
                }},
                {"manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": "2024-05-01T08:00:05Z", "fieldsType": "FieldsV1", "fieldsV1": {
                    "f:status": {
                        "f:conditions": Value::Object(cond_fields),
                        "f:containerStatuses": {}, "f:hostIP": {},
                        "f:hostIPs": {".": {}, format!("k:{{\"ip\":\"{host_ip}\"}}"): fields(&["ip"], true)},
                        "f:phase": {}, "f:podIP": {},
                        "f:podIPs": {".": {}, format!("k:{{\"ip\":\"{pod_ip}\"}}"): fields(&["ip"], true)},
                        "f:startTime": {}
                    }
                }, "subresource": "status"}
            ]
        },
        "spec": {
            "volumes": [{"name": "kube-api-access-x7k2p", "projected": {"sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}
            ], "defaultMode": 420}}],
            "containers": [{
                "name": "app", "image": image,
                "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                "env": env_names.iter().enumerate().map(|(e, n)| json!({"name": n, "value": format!("value-{e}")})).collect::<Vec<_>>(),
                "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}},
                "volumeMounts": [{"name": "kube-api-access-x7k2p", "readOnly": true, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}],
                "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent"
            }],
            "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
            "serviceAccountName": "default", "serviceAccount": "default", "nodeName": node,
            "securityContext": {}, "schedulerName": "default-scheduler",
            "tolerations": [
                {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
            ],
            "priority": 0, "enableServiceLinks": true, "preemptionPolicy": "PreemptLowerPriority"
        },
        "status": {
            "phase": "Running",
            "conditions": (["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"].iter().map(|t| {
                let ok = crash && (*t == "Ready" || *t == "ContainersReady");
                let mut c = json!({"type": t, "status": if ok { "False" } else { "True" }, "lastProbeTime": null, "lastTransitionTime": "2024-05-01T08:00:02Z"});
                if ok {
                    c["reason"] = json!("ContainersNotReady");
                    c["message"] = json!("containers with unready status: [app]");
                }
                c
            }).collect::<Vec<_>>()),
            "hostIP": host_ip, "hostIPs": [{"ip": host_ip}],
            "podIP": pod_ip, "podIPs": [{"ip": pod_ip}],
            "startTime": "2024-05-01T08:00:00Z",
            "containerStatuses": [{
                "name": "app", "state": state, "lastState": last_state,
                "ready": !crash, "restartCount": if crash { 9 } else { 0 },
                "image": image,
                "imageID": format!("registry.example.com/team/app-{dep}@sha256:{:064x}", dep as u128 * 1_000_003),
                "containerID": format!("containerd://{:064x}", i as u128 * 7),
                "started": !crash
            }],
            "qosClass": "Burstable"
        }
    })
}

fn node(i: usize) -> Value {
    let name = format!("node-{i}");
    let ready = if i % 500 == 7 { "Unknown" } else { "True" };
    let disk = if i % 300 == 3 { "True" } else { "False" };
    let cond = |t: &str, s: &str, reason: &str, msg: &str| json!({"type": t, "status": s, "lastHeartbeatTime": "2024-05-01T09:00:00Z", "lastTransitionTime": "2024-04-01T08:00:00Z", "reason": reason, "message": msg});
    let images: Vec<Value> = (0..12)
        .map(|k| {
            json!({"names": [format!("registry.example.com/team/app-{k}@sha256:{:064x}", k * 977), format!("registry.example.com/team/app-{k}:1.2.3")], "sizeBytes": 50_000_000 + k * 1_234_567})
        })
        .collect();
    json!({
        "metadata": {
            "name": name, "uid": format!("{i:08x}-1111-4000-8000-000000000000"), "resourceVersion": format!("{}", 5_000_000 + i),
            "creationTimestamp": "2024-04-01T08:00:00Z",
            "labels": {"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
                "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "node.kubernetes.io/instance-type": "m5.4xlarge",
                "topology.kubernetes.io/region": "eu-west-1", "topology.kubernetes.io/zone": format!("eu-west-1{}", ["a", "b", "c"][i % 3])},
            "annotations": {"node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true"}
        },
        "spec": {"podCIDR": format!("10.64.{}.0/24", i % 256), "providerID": format!("aws:///eu-west-1a/i-{i:017x}")},
        "status": {
            "capacity": {"cpu": "16", "ephemeral-storage": "104845292Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0", "memory": "65049808Ki", "pods": "110"},
            "allocatable": {"cpu": "15890m", "ephemeral-storage": "95551679124", "hugepages-1Gi": "0", "hugepages-2Mi": "0", "memory": "64029904Ki", "pods": "110"},
            "conditions": [
                cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                cond("DiskPressure", disk, if disk == "True" { "KubeletHasDiskPressure" } else { "KubeletHasNoDiskPressure" }, "kubelet disk status"),
                cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                if ready == "True" {
                    cond("Ready", "True", "KubeletReady", "kubelet is posting ready status")
                } else {
                    cond("Ready", "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.")
                }
            ],
            "addresses": [{"type": "InternalIP", "address": format!("10.0.{}.{}", i / 256, i % 256)}, {"type": "Hostname", "address": name}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {"machineID": format!("{:032x}", i * 31), "systemUUID": format!("ec2{:05x}-0000-0000-0000-000000000000", i), "bootID": format!("{i:08x}-2222-4000-8000-000000000000"),
                "kernelVersion": "6.1.0-18-cloud-amd64", "osImage": "Debian GNU/Linux 12 (bookworm)", "containerRuntimeVersion": "containerd://1.7.13",
                "kubeletVersion": "v1.29.2", "kubeProxyVersion": "v1.29.2", "operatingSystem": "linux", "architecture": "amd64"},
            "images": images
        }
    })
}

fn event(ns_i: usize, e: usize, round: usize, ns: &str, pod_i: usize, nodes: usize) -> Value {
    let pod = pod_name(pod_i);
    // A pod gets events in several rounds: some Normal, some Warning with
    // different reasons, so warning groups are (reason, pod) pairs.
    let warning = (e + round) % 2 == 0;
    let (reason, message) = match (warning, round % 3) {
        (true, 0) => ("BackOff", "Back-off restarting failed container app in pod".to_string()),
        (true, 1) => ("Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 500".to_string()),
        (true, _) => ("FailedMount", "MountVolume.SetUp failed for volume \"config\" : configmap \"app-config\" not found".to_string()),
        (false, _) => ("Pulled", format!("Container image \"registry.example.com/team/app-{}:1.2.3\" already present on machine", pod_i / 6)),
    };
    json!({
        "metadata": {"name": format!("{pod}.17c9{:012x}", e), "namespace": ns, "uid": format!("{ns_i:08x}-3333-4000-8000-{e:012x}"),
            "resourceVersion": format!("{}", 7_000_000 + e), "creationTimestamp": "2024-05-01T08:10:00Z"},
        "involvedObject": {"kind": "Pod", "namespace": ns, "name": pod, "uid": format!("{pod_i:08x}-0000-4000-8000-000000000000"),
            "apiVersion": "v1", "resourceVersion": format!("{}", 1_000_000 + pod_i), "fieldPath": "spec.containers{app}"},
        "reason": reason, "message": message,
        "source": {"component": "kubelet", "host": format!("node-{}", pod_i % nodes)},
        "firstTimestamp": "2024-05-01T08:10:00Z", "lastTimestamp": format!("2024-05-01T09:{:02}:00Z", e % 60),
        "count": 1 + e % 7, "type": if warning { "Warning" } else { "Normal" },
        "eventTime": null, "reportingComponent": "kubelet", "reportingInstance": format!("node-{}", pod_i % nodes)
    })
}

fn main() -> std::io::Result<()> {
    let mut args: Vec<String> = std::env::args().collect();
    let compact = args.iter().any(|a| a == "--compact");
    args.retain(|a| a != "--compact");
    let depth = if compact { 0 } else { 2 };
    let out = args.get(1).map(String::as_str).unwrap_or("synthetic.dump");
    let n = |i: usize, d: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let (nodes, pods, events) = (n(2, 2_000), n(3, 60_000), n(4, 200_000));
    let nodes = nodes.max(1);
    let namespaces = 20;
    let mut w = BufWriter::with_capacity(1 << 20, File::create(out)?);
    let mut buf = Vec::new();
    list_start(&mut w, "NodeList", compact)?;
    for i in 0..nodes {
        if i > 0 {
            w.write_all(b",\n")?;
        }
        write_item(&mut w, &node(i), depth, &mut buf)?;
    }
    list_end(&mut w)?;
    let pods_per = pods / namespaces;
    let events_per = events / namespaces;
    for ns_i in 0..namespaces {
        let ns = format!("team-{ns_i}");
        list_start(&mut w, "EventList", compact)?;
        for e in 0..events_per {
            if e > 0 {
                w.write_all(b",\n")?;
            }
            // Events point at the namespace's pods, several per pod.
            let (pod_i, round) = match pods_per {
                0 => (ns_i, 0),
                n => (ns_i * n + (e * 7) % n, e / n),
            };
            write_item(
                &mut w,
                &event(ns_i, e, round, &ns, pod_i, nodes),
                depth,
                &mut buf,
            )?;
        }
        list_end(&mut w)?;
        list_start(&mut w, "PodList", compact)?;
        for p in 0..pods_per {
            if p > 0 {
                w.write_all(b",\n")?;
            }
            write_item(
                &mut w,
                &pod(ns_i * pods_per + p, &ns, nodes),
                depth,
                &mut buf,
            )?;
        }
        list_end(&mut w)?;
        // Logs of a few crash-looping containers (kubectl appends them after the lists).
        for i in (ns_i * pods_per..(ns_i + 1) * pods_per)
            .filter(|i| i % 97 == 0)
            .take(3)
        {
            let name = pod_name(i);
            writeln!(
                w,
                "==== START logs for container app of pod {ns}/{name} ===="
            )?;
            for l in 0..200 {
                writeln!(
                    w,
                    "2024-05-01T09:00:{:02}Z level=error msg=\"open /data/{l}: no such file or directory\"",
                    l % 60
                )?;
            }
            writeln!(w, "==== END logs for container app of pod {ns}/{name} ====")?;
        }
    }
    w.flush()
}
