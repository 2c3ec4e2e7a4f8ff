//! Edge cases of the securityContext rules: privileged, read-only root
//! filesystem, privilege escalation and run-as-root (pod/container merge).

mod security_support;

use eyelint_policies::FixSafety;
use security_support::*;
use serde_json::{json, Value};

const C0: &str = "spec.template.spec.containers[0]";

#[test]
fn privileged_container_field_only() {
    let f = on(
        "runAsPrivileged",
        with_container(json!({"securityContext": {"privileged": true}})),
    );
    assert_eq!(paths(&f), vec![format!("{C0}.securityContext.privileged")]);
    assert_fixes_resolve(
        "runAsPrivileged",
        &with_container(json!({"securityContext": {"privileged": true}})),
    );
    // The pod-level field does not exist in Kubernetes: ignored.
    let d = deployment(
        json!({"securityContext": {"privileged": true}, "containers": [{"name": "a", "image": "x:1"}]}),
    );
    assert!(on("runAsPrivileged", d).is_empty());
    // Init containers and sidecars count.
    let d = deployment(json!({
        "containers": [{"name": "a", "image": "x:1"}],
        "initContainers": [{"name": "s", "image": "x:1", "restartPolicy": "Always", "securityContext": {"privileged": true}}]
    }));
    let f = on("runAsPrivileged", d);
    assert_eq!(f.len(), 1);
    assert_eq!(
        f[0].container.as_ref().unwrap().role,
        eyelint_policies::Role::Sidecar
    );
}

#[test]
fn read_only_root_filesystem_paths_and_fixes() {
    let id = "notReadOnlyRootFilesystem";
    // Missing securityContext: points at the container, fix adds the context.
    let d = with_container(json!({}));
    let f = on(id, d.clone());
    assert_eq!(paths(&f), vec![C0.to_string()]);
    assert_fixes_resolve(id, &d);
    // securityContext: null (YAML `securityContext:` with nothing) is replaced.
    let d = with_container(json!({"securityContext": null}));
    assert_eq!(paths(&on(id, d.clone())), vec![C0.to_string()]);
    assert_fixes_resolve(id, &d);
    // Present context without the field: points at the context.
    let d = with_container(json!({"securityContext": {"runAsUser": 1}}));
    assert_eq!(
        paths(&on(id, d.clone())),
        vec![format!("{C0}.securityContext")]
    );
    assert_fixes_resolve(id, &d);
    // Explicit false: points at the field.
    let d = with_container(json!({"securityContext": {"readOnlyRootFilesystem": false}}));
    assert_eq!(
        paths(&on(id, d.clone())),
        vec![format!("{C0}.securityContext.readOnlyRootFilesystem")]
    );
    assert_fixes_resolve(id, &d);
    assert!(on(
        id,
        with_container(json!({"securityContext": {"readOnlyRootFilesystem": true}}))
    )
    .is_empty());
    // Pod-level value does not exist in Kubernetes and does not help.
    let d = deployment(
        json!({"securityContext": {"readOnlyRootFilesystem": true}, "containers": [{"name": "a", "image": "x:1"}]}),
    );
    assert_eq!(on(id, d).len(), 1);
}

#[test]
fn privilege_escalation_requires_explicit_false() {
    let id = "privilegeEscalationAllowed";
    let missing = with_container(json!({}));
    let f = on(id, missing.clone());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].fix.as_ref().unwrap().safety, FixSafety::Safe);
    assert_fixes_resolve(id, &missing);
    let t = with_container(json!({"securityContext": {"allowPrivilegeEscalation": true}}));
    assert_eq!(
        paths(&on(id, t.clone())),
        vec![format!("{C0}.securityContext.allowPrivilegeEscalation")]
    );
    assert_fixes_resolve(id, &t);
    assert!(on(
        id,
        with_container(json!({"securityContext": {"allowPrivilegeEscalation": false}}))
    )
    .is_empty());
    // The API server rejects false together with privileged or SYS_ADMIN: fix is unsafe.
    for sc in [
        json!({"privileged": true}),
        json!({"capabilities": {"add": ["CAP_SYS_ADMIN"]}}),
    ] {
        let f = on(id, with_container(json!({"securityContext": sc})));
        assert_eq!(f[0].fix.as_ref().unwrap().safety, FixSafety::Unsafe);
    }
}

fn root(pod_sc: Value, container_sc: Value) -> Vec<String> {
    let mut c = json!({"name": "a", "image": "x:1"});
    if !container_sc.is_null() {
        c["securityContext"] = container_sc;
    }
    let mut spec = json!({"containers": [c]});
    if !pod_sc.is_null() {
        spec["securityContext"] = pod_sc;
    }
    paths(&on("runAsRootAllowed", deployment(spec)))
}

#[test]
fn run_as_root_merge_matrix() {
    let none: Vec<String> = Vec::new();
    let pod = "spec.template.spec.securityContext";
    let cont = format!("{C0}.securityContext");
    // Nothing set: fails at the container.
    assert_eq!(root(Value::Null, Value::Null), vec![C0.to_string()]);
    // Pod-level settings satisfy it.
    assert_eq!(root(json!({"runAsNonRoot": true}), Value::Null), none);
    assert_eq!(root(json!({"runAsUser": 1000}), Value::Null), none);
    // Container-level settings satisfy it.
    assert_eq!(root(Value::Null, json!({"runAsNonRoot": true})), none);
    assert_eq!(root(Value::Null, json!({"runAsUser": 1})), none);
    // The container overrides a good pod setting.
    assert_eq!(
        root(
            json!({"runAsNonRoot": true}),
            json!({"runAsNonRoot": false})
        ),
        vec![format!("{cont}.runAsNonRoot")]
    );
    assert_eq!(
        root(json!({"runAsUser": 1000}), json!({"runAsUser": 0})),
        vec![format!("{cont}.runAsUser")]
    );
    // The container fixes a bad pod setting.
    assert_eq!(
        root(json!({"runAsUser": 0}), json!({"runAsUser": 1000})),
        none
    );
    assert_eq!(
        root(
            json!({"runAsNonRoot": false}),
            json!({"runAsNonRoot": true})
        ),
        none
    );
    // A bad pod setting with nothing on the container: points at the pod field.
    assert_eq!(
        root(json!({"runAsUser": 0}), Value::Null),
        vec![format!("{pod}.runAsUser")]
    );
    assert_eq!(
        root(json!({"runAsNonRoot": false}), json!({})),
        vec![format!("{pod}.runAsNonRoot")]
    );
    // runAsNonRoot: true with runAsUser: 0 contradicts itself: fails (Polaris passes).
    assert_eq!(
        root(Value::Null, json!({"runAsNonRoot": true, "runAsUser": 0})),
        vec![format!("{cont}.runAsUser")]
    );
    assert_eq!(
        root(json!({"runAsUser": 0}), json!({"runAsNonRoot": true})),
        vec![format!("{pod}.runAsUser")]
    );
    // A non-zero UID is not root even when runAsNonRoot: false turns the verification off.
    assert_eq!(
        root(json!({"runAsUser": 1000}), json!({"runAsNonRoot": false})),
        none
    );
}

#[test]
fn run_as_root_fixes() {
    let id = "runAsRootAllowed";
    for c in [
        json!({}),
        json!({"securityContext": null}),
        json!({"securityContext": {"runAsNonRoot": false}}),
        json!({"securityContext": {"runAsUser": 0}}),
        json!({"securityContext": {"runAsNonRoot": true, "runAsUser": 0}}),
    ] {
        assert_fixes_resolve(id, &with_container(c));
    }
    // Pod runAsUser: 0 cannot be fixed on the container without inventing a UID.
    let d = deployment(
        json!({"securityContext": {"runAsUser": 0}, "containers": [{"name": "a", "image": "x:1"}]}),
    );
    let f = on(id, d);
    assert!(f[0].fix.is_none());
    // Polaris's mutation: runAsNonRoot false -> true.
    let d = with_container(json!({"securityContext": {"runAsNonRoot": false}}));
    let fixed = on(id, d.clone())[0]
        .fix
        .as_ref()
        .unwrap()
        .apply(&d)
        .unwrap();
    assert_eq!(
        fixed.pointer("/spec/template/spec/containers/0/securityContext"),
        Some(&json!({"runAsNonRoot": true}))
    );
}

#[test]
fn every_role_is_inspected() {
    let spec = json!({
        "securityContext": {"runAsNonRoot": true},
        "containers": [{"name": "a", "image": "x:1", "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true}}],
        "initContainers": [
            {"name": "i", "image": "x:1"},
            {"name": "s", "image": "x:1", "restartPolicy": "Always"}
        ],
        "ephemeralContainers": [{"name": "e", "image": "x:1"}]
    });
    for id in ["privilegeEscalationAllowed", "notReadOnlyRootFilesystem"] {
        let f = on(id, deployment(spec.clone()));
        let mut names: Vec<_> = f
            .iter()
            .map(|f| f.container.as_ref().unwrap().name.to_string())
            .collect();
        names.sort();
        assert_eq!(names, vec!["e", "i", "s"], "{id}");
    }
}

#[test]
fn linux_only_rules_do_not_apply_to_windows_pods() {
    let spec = |os: &str| json!({"os": {"name": os}, "containers": [{"name": "a", "image": "x:1", "securityContext": {"runAsNonRoot": true}}]});
    for id in [
        "privilegeEscalationAllowed",
        "notReadOnlyRootFilesystem",
        "insecureCapabilities",
        "linuxHardening",
    ] {
        assert_eq!(on(id, deployment(spec("linux"))).len(), 1, "{id} on linux");
        let e = run(id, &[deployment(spec("windows"))]).remove(0);
        assert!(e.findings.is_empty() && e.passed == 0, "{id} on windows");
    }
}
