//! Edge cases of the host-namespace and host-resource rules.

mod security_support;

use security_support::*;
use serde_json::json;

#[test]
fn host_pid_and_network_flag_true_only() {
    for (id, field) in [("hostPIDSet", "hostPID"), ("hostNetworkSet", "hostNetwork")] {
        let mut spec = json!({"containers": [{"name": "a", "image": "x:1"}]});
        spec[field] = json!(true);
        let f = on(id, deployment(spec.clone()));
        assert_eq!(paths(&f), vec![format!("spec.template.spec.{field}")]);
        assert_eq!(f[0].severity, eyelint_policies::Severity::Danger);
        let fix = f[0].fix.as_ref().unwrap();
        let fixed = fix.apply(&deployment(spec.clone())).unwrap();
        assert!(fixed
            .pointer(&format!("/spec/template/spec/{field}"))
            .is_none());
        spec[field] = json!(false);
        assert!(on(id, deployment(spec.clone())).is_empty());
        spec[field] = json!("true");
        assert!(
            on(id, deployment(spec)).is_empty(),
            "{id}: only a boolean true counts"
        );
    }
}

#[test]
fn host_path_one_finding_per_volume() {
    let d = deployment(json!({
        "containers": [{"name": "a", "image": "x:1"}],
        "volumes": [
            {"name": "logs", "hostPath": {"path": "/var/log"}},
            {"name": "tmp", "emptyDir": {}},
            {"name": "sock", "hostPath": {"path": "/run/containerd/containerd.sock", "type": "Socket"}},
            {"name": "nothing", "hostPath": null}
        ]
    }));
    let f = on("hostPathSet", d);
    assert_eq!(
        paths(&f),
        vec![
            "spec.template.spec.volumes[0].hostPath",
            "spec.template.spec.volumes[2].hostPath"
        ]
    );
    assert!(f[0].message.contains("/var/log"), "{}", f[0].message);
    assert!(f[0].fix.is_none());
    let none = deployment(json!({"containers": [{"name": "a", "image": "x:1"}]}));
    assert!(on("hostPathSet", none).is_empty());
}

#[test]
fn host_port_every_role_and_each_port() {
    let d = deployment(json!({
        "containers": [{"name": "a", "image": "x:1", "ports": [
            {"containerPort": 80, "hostPort": 8080},
            {"containerPort": 81},
            {"containerPort": 82, "hostPort": 0},
            {"containerPort": 83, "hostPort": 9090}
        ]}],
        "initContainers": [
            {"name": "init", "image": "x:1", "ports": [{"containerPort": 1, "hostPort": 1}]},
            {"name": "side", "image": "x:1", "restartPolicy": "Always", "ports": [{"containerPort": 2, "hostPort": "2"}]}
        ],
        "ephemeralContainers": [{"name": "dbg", "image": "x:1", "ports": [{"containerPort": 3, "hostPort": 3}]}]
    }));
    let f = on("hostPortSet", d.clone());
    let mut p = paths(&f);
    p.sort();
    assert_eq!(
        p,
        vec![
            "spec.template.spec.containers[0].ports[0].hostPort",
            "spec.template.spec.containers[0].ports[3].hostPort",
            "spec.template.spec.ephemeralContainers[0].ports[0].hostPort",
            "spec.template.spec.initContainers[0].ports[0].hostPort",
            "spec.template.spec.initContainers[1].ports[0].hostPort",
        ]
    );
    assert_fixes_resolve("hostPortSet", &d);
    let sidecar = f
        .iter()
        .find(|f| f.container.as_ref().unwrap().name.as_ref() == "side")
        .unwrap();
    assert_eq!(sidecar.message, "container binds host port 2");
}

#[test]
fn host_process_container_wins_over_pod_and_init_containers_count() {
    // Pod-level true: every container without its own setting fails, at the pod field.
    let d = deployment(json!({
        "securityContext": {"windowsOptions": {"hostProcess": true}},
        "containers": [
            {"name": "a", "image": "x:1"},
            {"name": "b", "image": "x:1", "securityContext": {"windowsOptions": {"hostProcess": false}}}
        ]
    }));
    let f = on("hostProcess", d);
    assert_eq!(f.len(), 1);
    assert_eq!(&*f[0].container.as_ref().unwrap().name, "a");
    assert_eq!(
        f[0].path.to_string(),
        "spec.template.spec.securityContext.windowsOptions.hostProcess"
    );
    // An init container's own hostProcess: true fails (Polaris skips it).
    let d = deployment(json!({
        "containers": [{"name": "a", "image": "x:1"}],
        "initContainers": [{"name": "i", "image": "x:1", "securityContext": {"windowsOptions": {"hostProcess": true}}}]
    }));
    assert_eq!(
        paths(&on("hostProcess", d)),
        vec!["spec.template.spec.initContainers[0].securityContext.windowsOptions.hostProcess"]
    );
    let clean = deployment(
        json!({"containers": [{"name": "a", "image": "x:1", "securityContext": {"windowsOptions": {"runAsUserName": "x"}}}]}),
    );
    assert!(on("hostProcess", clean).is_empty());
}

#[test]
fn proc_mount_default_passes_others_fail_in_every_role() {
    let d = deployment(json!({
        "containers": [
            {"name": "a", "image": "x:1", "securityContext": {"procMount": "Default"}},
            {"name": "b", "image": "x:1"}
        ],
        "initContainers": [{"name": "i", "image": "x:1", "securityContext": {"procMount": "Unmasked"}}],
        "ephemeralContainers": [{"name": "e", "image": "x:1", "securityContext": {"procMount": "Unmasked"}}]
    }));
    let f = on("procMount", d.clone());
    let mut p = paths(&f);
    p.sort();
    assert_eq!(
        p,
        vec![
            "spec.template.spec.ephemeralContainers[0].securityContext.procMount",
            "spec.template.spec.initContainers[0].securityContext.procMount"
        ]
    );
    assert_fixes_resolve("procMount", &d);
}

/// A built-in workload whose pod spec has no `containers` (a fragment the
/// API server would refuse) still has its pod-level settings judged; a
/// custom resource of the same shape is not a workload.
#[test]
fn containerless_workloads_are_judged_at_pod_level() {
    for (id, field) in [
        ("hostIPCSet", "hostIPC"),
        ("hostPIDSet", "hostPID"),
        ("hostNetworkSet", "hostNetwork"),
    ] {
        let spec = json!({ field: true });
        let f = on(id, deployment(spec.clone()));
        assert_eq!(paths(&f), vec![format!("spec.template.spec.{field}")]);
        let f = on(id, pod(spec.clone()));
        assert_eq!(paths(&f), vec![format!("spec.{field}")]);
        let mut crd = deployment(spec);
        crd["kind"] = json!("Widget");
        crd["apiVersion"] = json!("example.com/v1");
        assert!(on(id, crd).is_empty(), "{id}");
    }
    // Container rules have nothing to look at.
    assert!(on("runAsPrivileged", deployment(json!({"hostIPC": true}))).is_empty());
}
