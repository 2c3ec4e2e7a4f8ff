//! Edge cases of the capability rules and linuxHardening.

mod security_support;

use security_support::*;
use serde_json::{json, Value};

const C0: &str = "spec.template.spec.containers[0]";

fn caps(c: Value) -> Value {
    with_container(json!({"securityContext": {"capabilities": c}}))
}

#[test]
fn dangerous_capabilities_any_case_and_prefix() {
    let id = "dangerousCapabilities";
    for cap in [
        "ALL",
        "all",
        "SYS_ADMIN",
        "cap_sys_admin",
        "CAP_NET_ADMIN",
        "nEt_aDmIn",
    ] {
        let f = on(id, caps(json!({"add": [cap]})));
        assert_eq!(
            paths(&f),
            vec![format!("{C0}.securityContext.capabilities.add")],
            "{cap}"
        );
    }
    for cap in ["NET_BIND_SERVICE", "SYS_ADMINISTRATOR", "CAP_"] {
        assert!(on(id, caps(json!({"add": [cap]}))).is_empty(), "{cap}");
    }
    assert!(on(id, caps(json!({"add": null}))).is_empty());
}

#[test]
fn dangerous_capabilities_fix_keeps_harmless_entries() {
    let id = "dangerousCapabilities";
    let d = caps(json!({"drop": ["ALL"], "add": ["NET_BIND_SERVICE", "SYS_ADMIN", "net_admin"]}));
    let fixed = on(id, d.clone())[0]
        .fix
        .as_ref()
        .unwrap()
        .apply(&d)
        .unwrap();
    assert_eq!(
        fixed.pointer("/spec/template/spec/containers/0/securityContext/capabilities"),
        Some(&json!({"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}))
    );
    // Only dangerous entries, with drop: `add` goes.
    let d = caps(json!({"drop": ["ALL"], "add": ["SYS_ADMIN"]}));
    let fixed = on(id, d.clone())[0]
        .fix
        .as_ref()
        .unwrap()
        .apply(&d)
        .unwrap();
    assert_eq!(
        fixed.pointer("/spec/template/spec/containers/0/securityContext/capabilities"),
        Some(&json!({"drop": ["ALL"]}))
    );
    // Nothing else in capabilities: the whole block goes (Polaris's mutated output).
    let d = caps(json!({"add": ["ALL"]}));
    let fixed = on(id, d.clone())[0]
        .fix
        .as_ref()
        .unwrap()
        .apply(&d)
        .unwrap();
    assert_eq!(
        fixed.pointer("/spec/template/spec/containers/0/securityContext"),
        Some(&json!({}))
    );
    assert_fixes_resolve(id, &caps(json!({"add": ["NET_RAW", "SYS_ADMIN"]})));
}

#[test]
fn insecure_capabilities_drop_all_or_all_fifteen() {
    let id = "insecureCapabilities";
    let fifteen = json!([
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
        "AUDIT_WRITE"
    ]);
    assert!(on(id, caps(json!({"drop": fifteen.clone()}))).is_empty());
    assert!(on(id, caps(json!({"drop": ["ALL"]}))).is_empty());
    assert!(on(id, caps(json!({"drop": ["all"]}))).is_empty());
    // containerd reads `CAP_ALL` as `CAP_CAP_ALL`: nothing is dropped.
    assert_eq!(on(id, caps(json!({"drop": ["CAP_ALL"]}))).len(), 1);
    assert_eq!(on(id, caps(json!({"drop": [" ALL"]}))).len(), 1);
    // ALL plus the fifteen passes (Polaris's oneOf fails it).
    let mut both = fifteen.as_array().unwrap().clone();
    both.push(json!("ALL"));
    assert!(on(id, caps(json!({"drop": both}))).is_empty());
    // ALL plus anything passes.
    assert!(on(
        id,
        caps(json!({"drop": ["NET_RAW", "ALL"], "add": ["SYS_ADMIN"]}))
    )
    .is_empty());
    // Lower case of the fifteen passes; the `CAP_` spelling drops nothing
    // on containerd, which puts `CAP_` before every entry itself.
    let spelled = |f: &dyn Fn(&str) -> String| -> Vec<Value> {
        let names = fifteen.as_array().unwrap().iter();
        names.map(|v| json!(f(v.as_str().unwrap()))).collect()
    };
    let lower = spelled(&|n| n.to_lowercase());
    assert!(on(id, caps(json!({"drop": lower}))).is_empty());
    let prefixed = spelled(&|n| format!("CAP_{n}"));
    let f = on(id, caps(json!({"drop": prefixed})));
    assert_eq!(f.len(), 1);
    assert!(
        f[0].message.contains("does not contain ALL"),
        "{}",
        f[0].message
    );
    let mut one_prefixed = fifteen.as_array().unwrap().clone();
    one_prefixed[14] = json!("CAP_AUDIT_WRITE");
    let f = on(id, caps(json!({"drop": one_prefixed})));
    assert!(
        f[0].message.ends_with("AUDIT_WRITE (drop ALL instead)"),
        "{}",
        f[0].message
    );
    // Fourteen of them fail, naming the missing one.
    let fourteen: Vec<Value> = fifteen.as_array().unwrap()[..14].to_vec();
    let f = on(id, caps(json!({"drop": fourteen})));
    assert_eq!(
        paths(&f),
        vec![format!("{C0}.securityContext.capabilities.drop")]
    );
    assert!(f[0].message.contains("AUDIT_WRITE"), "{}", f[0].message);
    // Paths when things are missing.
    assert_eq!(
        paths(&on(id, with_container(json!({})))),
        vec![C0.to_string()]
    );
    assert_eq!(
        paths(&on(id, with_container(json!({"securityContext": {}})))),
        vec![format!("{C0}.securityContext")]
    );
    assert_eq!(
        paths(&on(id, caps(json!({"add": ["NET_BIND_SERVICE"]})))),
        vec![format!("{C0}.securityContext.capabilities")]
    );
}

#[test]
fn insecure_capabilities_fix_drops_all_and_keeps_adds() {
    let id = "insecureCapabilities";
    let d = caps(json!({"add": ["NET_BIND_SERVICE", "all"], "drop": ["NET_RAW"]}));
    let fixed = on(id, d.clone())[0]
        .fix
        .as_ref()
        .unwrap()
        .apply(&d)
        .unwrap();
    assert_eq!(
        fixed.pointer("/spec/template/spec/containers/0/securityContext/capabilities"),
        Some(&json!({"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}))
    );
    let d = with_container(json!({}));
    let fixed = on(id, d.clone())[0]
        .fix
        .as_ref()
        .unwrap()
        .apply(&d)
        .unwrap();
    assert_eq!(
        fixed.pointer("/spec/template/spec/containers/0/securityContext"),
        Some(&json!({"capabilities": {"drop": ["ALL"]}}))
    );
    for c in [
        json!({}),
        json!({"securityContext": null}),
        json!({"securityContext": {"runAsUser": 5}}),
    ] {
        assert_fixes_resolve(id, &with_container(c));
    }
}

fn hardening(pod_sc: Value, container: Value, annotations: Value) -> usize {
    let mut c = json!({"name": "app", "image": "x:1"});
    if let (Some(m), Value::Object(extra)) = (c.as_object_mut(), container) {
        m.extend(extra);
    }
    let mut d = deployment(json!({"containers": [c]}));
    if !pod_sc.is_null() {
        d["spec"]["template"]["spec"]["securityContext"] = pod_sc;
    }
    if !annotations.is_null() {
        d["spec"]["template"]["metadata"]["annotations"] = annotations;
    }
    on("linuxHardening", d).len()
}

#[test]
fn linux_hardening_mechanisms() {
    let n = Value::Null;
    assert_eq!(hardening(n.clone(), json!({}), n.clone()), 1);
    // seccomp: container, pod, container overrides pod either way.
    let rd = json!({"seccompProfile": {"type": "RuntimeDefault"}});
    let unc = json!({"seccompProfile": {"type": "Unconfined"}});
    assert_eq!(
        hardening(n.clone(), json!({"securityContext": rd.clone()}), n.clone()),
        0
    );
    assert_eq!(hardening(rd.clone(), json!({}), n.clone()), 0);
    assert_eq!(
        hardening(
            rd.clone(),
            json!({"securityContext": unc.clone()}),
            n.clone()
        ),
        1
    );
    assert_eq!(
        hardening(
            unc.clone(),
            json!({"securityContext": rd.clone()}),
            n.clone()
        ),
        0
    );
    assert_eq!(
        hardening(json!({"seccompProfile": null}), json!({}), n.clone()),
        1
    );
    // SELinux: non-empty options on either level.
    let se = json!({"seLinuxOptions": {"level": "s0:c1,c2"}});
    assert_eq!(hardening(se.clone(), json!({}), n.clone()), 0);
    assert_eq!(
        hardening(n.clone(), json!({"securityContext": se}), n.clone()),
        0
    );
    assert_eq!(
        hardening(json!({"seLinuxOptions": {}}), json!({}), n.clone()),
        1
    );
    // Capabilities: drop something and do not add ALL.
    assert_eq!(
        hardening(
            n.clone(),
            json!({"securityContext": {"capabilities": {"drop": ["NET_RAW"]}}}),
            n.clone()
        ),
        0
    );
    assert_eq!(
        hardening(
            n.clone(),
            json!({"securityContext": {"capabilities": {"drop": ["ALL"], "add": ["All"]}}}),
            n.clone()
        ),
        1
    );
    // A `CAP_` spelling drops nothing on containerd.
    for drop in [json!(["CAP_NET_RAW"]), json!(["cap_all"]), json!([""])] {
        let c = json!({"securityContext": {"capabilities": {"drop": drop.clone()}}});
        assert_eq!(hardening(n.clone(), c, n.clone()), 1, "{drop}");
    }
    // AppArmor annotation: must name this container and not be unconfined.
    let key = "container.apparmor.security.beta.kubernetes.io/app";
    assert_eq!(
        hardening(n.clone(), json!({}), json!({key: "runtime/default"})),
        0
    );
    assert_eq!(
        hardening(n.clone(), json!({}), json!({key: "localhost/custom"})),
        0
    );
    assert_eq!(
        hardening(n.clone(), json!({}), json!({key: "unconfined"})),
        1
    );
    assert_eq!(
        hardening(
            n.clone(),
            json!({}),
            json!({"container.apparmor.security.beta.kubernetes.io/other": "runtime/default"})
        ),
        1
    );
    // appArmorProfile field: pod or container, container wins.
    let aa = json!({"appArmorProfile": {"type": "RuntimeDefault"}});
    let aa_unc = json!({"appArmorProfile": {"type": "Unconfined"}});
    assert_eq!(hardening(aa.clone(), json!({}), n.clone()), 0);
    assert_eq!(
        hardening(n.clone(), json!({"securityContext": aa.clone()}), n.clone()),
        0
    );
    assert_eq!(
        hardening(aa, json!({"securityContext": aa_unc}), n.clone()),
        1
    );
}

#[test]
fn linux_hardening_fix_sets_runtime_default_seccomp() {
    for c in [
        json!({}),
        json!({"securityContext": null}),
        json!({"securityContext": {"seccompProfile": {"type": "Unconfined"}}}),
        json!({"securityContext": {"capabilities": {"drop": ["ALL"], "add": ["ALL"]}}}),
    ] {
        assert_fixes_resolve("linuxHardening", &with_container(c));
    }
}
