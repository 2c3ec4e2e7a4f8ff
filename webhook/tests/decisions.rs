//! Hand-made reviews for every decision path of the pure decision functions.

mod common;

use common::{only, request};
use eyelint_policies::{Pass, Severity};
use eyelint_webhook::decide::{MAX_WARNINGS_BYTES, MAX_WARNING_CHARS};
use eyelint_webhook::{decide, mutate, Outcome, Settings, Skip};
use serde_json::{json, Value};

const USER: &str = "jane@example.com";

fn settings() -> Settings {
    Settings {
        own_namespace: Some("eyelint-system".to_string()),
    }
}

fn pod(ns: &str, spec: Value) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web", "namespace": ns},
        "spec": spec
    })
}

fn container(name: &str) -> Value {
    json!({"name": name, "image": "registry.example.com/app:1.0"})
}

/// hostIPCSet danger, hostPortSet warning; everything else off.
fn engine_ipc_port(extra: &str) -> eyelint_policies::Engine {
    only(
        &[("hostIPCSet", "danger"), ("hostPortSet", "warning")],
        extra,
    )
}

fn ipc_pod(ns: &str) -> Value {
    pod(
        ns,
        json!({"hostIPC": true, "containers": [container("app")]}),
    )
}

fn port_pod(ns: &str) -> Value {
    let mut c = container("app");
    c["ports"] = json!([{"containerPort": 80, "hostPort": 8080}]);
    pod(ns, json!({"containers": [c]}))
}

#[test]
fn clean_create_is_allowed_without_warnings() {
    let e = engine_ipc_port("");
    let obj = pod("team-a", json!({"containers": [container("app")]}));
    let d = decide(
        &request("CREATE", Some(&obj), None, USER, None),
        &e,
        &settings(),
    );
    assert_eq!(d.outcome, Outcome::Allowed);
    assert!(d.response.allowed);
    assert!(d.response.status.is_none());
    assert!(d.response.warnings.is_empty());
    assert!(d.findings.is_empty());
}

#[test]
fn danger_finding_denies_with_a_403_listing_rule_and_path() {
    let e = engine_ipc_port("");
    let mut obj = ipc_pod("team-a");
    obj["spec"]["containers"][0]["ports"] = json!([{"containerPort": 80, "hostPort": 8080}]);
    let d = decide(
        &request("CREATE", Some(&obj), None, USER, None),
        &e,
        &settings(),
    );
    assert_eq!(d.outcome, Outcome::Denied);
    assert!(!d.response.allowed);
    assert_eq!(d.denying, 1);
    let status = d.response.status.as_ref().unwrap();
    assert_eq!(status.code, 403);
    assert_eq!(status.reason, "Forbidden");
    assert!(status.message.contains("Pod web"), "{}", status.message);
    assert!(status.message.contains("hostIPCSet"), "{}", status.message);
    assert!(
        status.message.contains("spec.hostIPC"),
        "{}",
        status.message
    );
    // The warning-level finding rides along as a warning, with its container.
    assert_eq!(d.response.warnings.len(), 1, "{:?}", d.response.warnings);
    let w = &d.response.warnings[0];
    assert!(
        w.starts_with("warning hostPortSet (container app): "),
        "{w}"
    );
    let json = serde_json::to_value(&d.response).unwrap();
    assert_eq!(json["status"]["code"], 403);
    assert_eq!(json["status"]["status"], "Failure");
}

#[test]
fn warning_findings_only_warn_by_default() {
    let e = engine_ipc_port("");
    let obj = port_pod("team-a");
    let d = decide(
        &request("CREATE", Some(&obj), None, USER, None),
        &e,
        &settings(),
    );
    assert_eq!(d.outcome, Outcome::Warned);
    assert!(d.response.allowed);
    assert_eq!(d.response.warnings.len(), 1);
}

#[test]
fn deny_on_warning_denies_warnings_too() {
    let e = engine_ipc_port("admission:\n  denyOn: warning\n");
    let obj = port_pod("team-a");
    let d = decide(
        &request("CREATE", Some(&obj), None, USER, None),
        &e,
        &settings(),
    );
    assert_eq!(d.outcome, Outcome::Denied);
    assert!(d.response.status.unwrap().message.contains("hostPortSet"));
}

/// With `denyOn: warning` the message names dangers and warnings for what
/// they are and lists the dangers first, so the ten lines shown never hide
/// one (they were all called "warning findings", and a pod's dangers were
/// cut off behind its warnings).
#[test]
fn deny_on_warning_names_and_lists_dangers_first() {
    let e = engine_ipc_port("admission:\n  denyOn: warning\n");
    let mut obj = port_pod("team-a");
    obj["spec"]["hostIPC"] = json!(true);
    let d = decide(
        &request("CREATE", Some(&obj), None, USER, None),
        &e,
        &settings(),
    );
    let message = d.response.status.unwrap().message;
    let mut lines = message.lines();
    assert_eq!(
        lines.next(),
        Some("eyelint: Pod web has 1 danger and 1 warning findings:"),
        "{message}"
    );
    assert!(
        lines.next().unwrap().starts_with("- hostIPCSet"),
        "{message}"
    );
    assert!(
        lines.next().unwrap().starts_with("- hostPortSet"),
        "{message}"
    );

    // Only warnings: called so.
    let d = decide(
        &request("CREATE", Some(&port_pod("team-a")), None, USER, None),
        &e,
        &settings(),
    );
    let message = d.response.status.unwrap().message;
    assert!(
        message.starts_with("eyelint: Pod web has 1 warning finding:"),
        "{message}"
    );
}

#[test]
fn deny_on_never_is_warn_only() {
    let e = engine_ipc_port("admission:\n  denyOn: never\n");
    let obj = ipc_pod("team-a");
    let d = decide(
        &request("CREATE", Some(&obj), None, USER, None),
        &e,
        &settings(),
    );
    assert_eq!(d.outcome, Outcome::Warned);
    assert!(d.response.allowed);
    assert!(
        d.response.warnings[0].starts_with("danger hostIPCSet: "),
        "{:?}",
        d.response.warnings
    );
}

#[test]
fn update_denies_only_new_denying_findings() {
    let e = engine_ipc_port("");
    let old = ipc_pod("team-a");
    // Relabelling a legacy pod that already had hostIPC: allowed, with a warning.
    let mut relabelled = old.clone();
    relabelled["metadata"]["labels"] = json!({"tier": "web"});
    let d = decide(
        &request("UPDATE", Some(&relabelled), Some(&old), USER, None),
        &e,
        &settings(),
    );
    assert_eq!(d.outcome, Outcome::Warned, "{:?}", d.response);
    assert!(d.response.allowed);
    assert!(
        d.response.warnings[0].contains("already present"),
        "{:?}",
        d.response.warnings
    );

    // Introducing hostIPC on UPDATE: denied as on CREATE.
    let clean = pod("team-a", json!({"containers": [container("app")]}));
    let d = decide(
        &request("UPDATE", Some(&old), Some(&clean), USER, None),
        &e,
        &settings(),
    );
    assert_eq!(d.outcome, Outcome::Denied);
    assert!(d
        .response
        .status
        .unwrap()
        .message
        .contains("previous version did not have"));
}

/// Warnings the old object already had are marked too, not only the danger
/// findings that would have denied; new ones are not.
#[test]
fn update_marks_every_finding_the_old_object_had() {
    let e = engine_ipc_port("");
    let old = port_pod("team-a");
    let mut new = old.clone();
    new["metadata"]["labels"] = json!({"tier": "web"});
    let d = decide(
        &request("UPDATE", Some(&new), Some(&old), USER, None),
        &e,
        &settings(),
    );
    assert_eq!(d.outcome, Outcome::Warned, "{:?}", d.response);
    assert_eq!(d.response.warnings.len(), 1, "{:?}", d.response.warnings);
    assert!(
        d.response.warnings[0]
            .starts_with("warning hostPortSet (container app) (already present): "),
        "{:?}",
        d.response.warnings
    );
    // The host port added by this UPDATE is not marked.
    let clean = pod("team-a", json!({"containers": [container("app")]}));
    let d = decide(
        &request("UPDATE", Some(&old), Some(&clean), USER, None),
        &e,
        &settings(),
    );
    assert_eq!(d.response.warnings.len(), 1, "{:?}", d.response.warnings);
    assert!(
        !d.response.warnings[0].contains("already present"),
        "{:?}",
        d.response.warnings
    );
}

#[test]
fn update_compares_containers_by_name_not_index() {
    let e = only(&[("runAsPrivileged", "danger")], "");
    let mut bad = container("legacy");
    bad["securityContext"] = json!({"privileged": true});
    let old = pod("team-a", json!({"containers": [bad.clone()]}));
    // A new, clean container inserted before the legacy one shifts its index.
    let new = pod(
        "team-a",
        json!({"containers": [container("fresh"), bad.clone()]}),
    );
    let d = decide(
        &request("UPDATE", Some(&new), Some(&old), USER, None),
        &e,
        &settings(),
    );
    assert!(d.response.allowed, "{:?}", d.response);
    // A second privileged container is new, though.
    let mut bad2 = bad.clone();
    bad2["name"] = json!("other");
    let new = pod("team-a", json!({"containers": [bad2, bad]}));
    let d = decide(
        &request("UPDATE", Some(&new), Some(&old), USER, None),
        &e,
        &settings(),
    );
    assert_eq!(d.outcome, Outcome::Denied);
    assert_eq!(d.denying, 1);
    assert!(d
        .response
        .status
        .unwrap()
        .message
        .contains("(container other)"));
}

#[test]
fn delete_and_connect_are_always_allowed() {
    let e = engine_ipc_port("");
    let obj = ipc_pod("team-a");
    let d = decide(
        &request("DELETE", None, Some(&obj), USER, None),
        &e,
        &settings(),
    );
    assert_eq!(d.outcome, Outcome::Skipped(Skip::Operation));
    assert!(d.response.allowed);
    let d = decide(
        &request(
            "CONNECT",
            Some(&json!({"kind": "PodExecOptions", "apiVersion": "v1"})),
            None,
            USER,
            Some("exec"),
        ),
        &e,
        &settings(),
    );
    assert_eq!(d.outcome, Outcome::Skipped(Skip::Operation));
    assert!(d.response.allowed);
    let m = mutate(
        &request("DELETE", None, Some(&obj), USER, None),
        &e,
        &settings(),
    );
    assert!(m.response.allowed && m.response.patch.is_none());
}

#[test]
fn other_subresources_are_not_judged() {
    let e = engine_ipc_port("");
    let obj = ipc_pod("team-a");
    let d = decide(
        &request("UPDATE", Some(&obj), Some(&obj), USER, Some("status")),
        &e,
        &settings(),
    );
    assert_eq!(d.outcome, Outcome::Skipped(Skip::Subresource));
    assert!(d.response.allowed);
}

#[test]
fn ephemeral_containers_are_judged_by_security_checks_only() {
    // tagNotSpecified (Reliability) and runAsPrivileged (Security) both
    // inspect ephemeral containers; only the security one may deny here.
    let e = only(
        &[("tagNotSpecified", "danger"), ("runAsPrivileged", "danger")],
        "",
    );
    let old = pod("team-a", json!({"containers": [container("app")]}));
    let mut dbg =
        json!({"name": "debugger", "image": "busybox", "securityContext": {"privileged": true}});
    let mut new = old.clone();
    new["spec"]["ephemeralContainers"] = json!([dbg.clone()]);
    let d = decide(
        &request(
            "UPDATE",
            Some(&new),
            Some(&old),
            USER,
            Some("ephemeralcontainers"),
        ),
        &e,
        &settings(),
    );
    assert_eq!(d.outcome, Outcome::Denied, "{:?}", d.response);
    assert!(
        d.findings.iter().all(|f| &*f.category == "Security"),
        "{:?}",
        d.findings
    );
    assert_eq!(d.findings.len(), 1);
    assert_eq!(&*d.findings[0].id, "runAsPrivileged");
    // The same debug container without privileges: allowed, though its image has no tag.
    dbg["securityContext"] = json!({});
    new["spec"]["ephemeralContainers"] = json!([dbg]);
    let d = decide(
        &request(
            "UPDATE",
            Some(&new),
            Some(&old),
            USER,
            Some("ephemeralcontainers"),
        ),
        &e,
        &settings(),
    );
    assert_eq!(d.outcome, Outcome::Allowed, "{:?}", d.response);
    // As a plain CREATE the untagged image would deny.
    let d = decide(
        &request("CREATE", Some(&new), None, USER, None),
        &e,
        &settings(),
    );
    assert_eq!(d.outcome, Outcome::Denied);
    assert!(d
        .response
        .status
        .unwrap()
        .message
        .contains("tagNotSpecified"));
}

#[test]
fn legacy_ephemeral_containers_kind_is_judged_as_a_pod() {
    let e = only(&[("runAsPrivileged", "danger")], "");
    let obj = json!({
        "apiVersion": "v1",
        "kind": "EphemeralContainers",
        "metadata": {"name": "web", "namespace": "team-a"},
        "ephemeralContainers": [{"name": "dbg", "image": "busybox:1", "securityContext": {"privileged": true}}]
    });
    let mut req = request(
        "UPDATE",
        Some(&obj),
        None,
        USER,
        Some("ephemeralcontainers"),
    );
    req.resource.resource = "pods".to_string();
    let d = decide(&req, &e, &settings());
    assert_eq!(d.outcome, Outcome::Denied, "{:?}", d.response);
}

#[test]
fn exempt_and_own_namespaces_are_not_judged() {
    let e = engine_ipc_port("admission:\n  exemptNamespaces: [legacy, kube-system]\n");
    for ns in ["legacy", "kube-system", "eyelint-system"] {
        let obj = ipc_pod(ns);
        let d = decide(
            &request("CREATE", Some(&obj), None, USER, None),
            &e,
            &settings(),
        );
        assert_eq!(d.outcome, Outcome::Skipped(Skip::ExemptNamespace), "{ns}");
        assert!(d.response.allowed);
    }
    // Without the setting, the webhook's namespace is judged like any other.
    let obj = ipc_pod("eyelint-system");
    let d = decide(
        &request("CREATE", Some(&obj), None, USER, None),
        &e,
        &Settings::default(),
    );
    assert_eq!(d.outcome, Outcome::Denied);
}

fn owned_pod(owner_api: &str, owner_kind: &str, controller: bool) -> Value {
    let mut p = ipc_pod("team-a");
    p["metadata"]["ownerReferences"] = json!([{
        "apiVersion": owner_api, "kind": owner_kind, "name": "web-6b8f9c7d5",
        "uid": "11111111-2222-3333-4444-555555555555", "controller": controller, "blockOwnerDeletion": true
    }]);
    p
}

#[test]
fn controller_owned_pods_skip_only_with_controller_identity() {
    let e = engine_ipc_port("");
    let rs = owned_pod("apps/v1", "ReplicaSet", true);
    for user in [
        "system:kube-controller-manager",
        "system:serviceaccount:kube-system:replicaset-controller",
    ] {
        let d = decide(
            &request("CREATE", Some(&rs), None, user, None),
            &e,
            &settings(),
        );
        assert_eq!(d.outcome, Outcome::Skipped(Skip::ControllerOwned), "{user}");
    }
    for (api, kind) in [
        ("batch/v1", "Job"),
        ("apps/v1", "DaemonSet"),
        ("apps/v1", "StatefulSet"),
        ("v1", "ReplicationController"),
    ] {
        let p = owned_pod(api, kind, true);
        let d = decide(
            &request(
                "CREATE",
                Some(&p),
                None,
                "system:kube-controller-manager",
                None,
            ),
            &e,
            &settings(),
        );
        assert_eq!(d.outcome, Outcome::Skipped(Skip::ControllerOwned), "{kind}");
    }
    // A user who writes a fake ownerReference is judged.
    let d = decide(
        &request("CREATE", Some(&rs), None, USER, None),
        &e,
        &settings(),
    );
    assert_eq!(d.outcome, Outcome::Denied);
    // A controller identity without a controller reference is judged too.
    let plain = ipc_pod("team-a");
    let d = decide(
        &request(
            "CREATE",
            Some(&plain),
            None,
            "system:kube-controller-manager",
            None,
        ),
        &e,
        &settings(),
    );
    assert_eq!(d.outcome, Outcome::Denied);
    // Not `controller: true`, an unknown kind, or a look-alike group: judged.
    for p in [
        owned_pod("apps/v1", "ReplicaSet", false),
        owned_pod("example.com/v1", "ReplicaSet", true),
        owned_pod("apps/v1", "Deployment", true),
    ] {
        let d = decide(
            &request(
                "CREATE",
                Some(&p),
                None,
                "system:kube-controller-manager",
                None,
            ),
            &e,
            &settings(),
        );
        assert_eq!(
            d.outcome,
            Outcome::Denied,
            "{}",
            p["metadata"]["ownerReferences"]
        );
    }
    // Identities are configurable.
    let e2 =
        engine_ipc_port("admission:\n  controllerIdentities: [\"system:serviceaccount:ops:*\"]\n");
    let d = decide(
        &request(
            "CREATE",
            Some(&rs),
            None,
            "system:serviceaccount:ops:rollouts",
            None,
        ),
        &e2,
        &settings(),
    );
    assert_eq!(d.outcome, Outcome::Skipped(Skip::ControllerOwned));
    let d = decide(
        &request(
            "CREATE",
            Some(&rs),
            None,
            "system:kube-controller-manager",
            None,
        ),
        &e2,
        &settings(),
    );
    assert_eq!(d.outcome, Outcome::Denied);
}

#[test]
fn annotation_exemptions_are_honoured_unless_disallowed() {
    let mut obj = ipc_pod("team-a");
    obj["metadata"]["annotations"] = json!({"polaris.fairwinds.com/hostIPCSet-exempt": "true"});
    let e = engine_ipc_port("");
    let d = decide(
        &request("CREATE", Some(&obj), None, USER, None),
        &e,
        &settings(),
    );
    assert!(d.response.allowed, "{:?}", d.response);
    let strict = engine_ipc_port("disallowAnnotationExemptions: true\n");
    let d = decide(
        &request("CREATE", Some(&obj), None, USER, None),
        &strict,
        &settings(),
    );
    assert_eq!(d.outcome, Outcome::Denied);
}

#[test]
fn config_exemptions_are_honoured() {
    let e = engine_ipc_port("exemptions:\n  - namespace: team-a\n    rules: [hostIPCSet]\n");
    let d = decide(
        &request("CREATE", Some(&ipc_pod("team-a")), None, USER, None),
        &e,
        &settings(),
    );
    assert!(d.response.allowed);
    let d = decide(
        &request("CREATE", Some(&ipc_pod("team-b")), None, USER, None),
        &e,
        &settings(),
    );
    assert_eq!(d.outcome, Outcome::Denied);
}

#[test]
fn namespace_comes_from_the_request_when_the_object_has_none() {
    let e = engine_ipc_port("exemptions:\n  - namespace: team-a\n    rules: [hostIPCSet]\n");
    let mut obj = ipc_pod("team-a");
    obj["metadata"].as_object_mut().unwrap().remove("namespace");
    let mut req = request("CREATE", Some(&obj), None, USER, None);
    req.namespace = Some("team-a".to_string());
    let d = decide(&req, &e, &settings());
    assert!(d.response.allowed, "{:?}", d.response);
}

#[test]
fn cross_object_checks_are_skipped() {
    // missingPodDisruptionBudget needs other objects; it must not fire
    // against an empty world.
    let e = only(&[("missingPodDisruptionBudget", "danger")], "");
    let deploy = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "team-a"},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [container("app")]}}}
    });
    // With an (empty) index the engine does report it...
    let with_index = e.check_all(
        std::slice::from_ref(&deploy),
        eyelint_policies::Coverage::All,
    );
    assert!(with_index[0]
        .findings
        .iter()
        .any(|f| &*f.id == "missingPodDisruptionBudget"));
    // ...the webhook does not.
    let d = decide(
        &request("CREATE", Some(&deploy), None, USER, None),
        &e,
        &settings(),
    );
    assert_eq!(d.outcome, Outcome::Allowed, "{:?}", d.response);
}

#[test]
fn dry_run_is_judged_the_same() {
    let e = engine_ipc_port("");
    let mut req = request("CREATE", Some(&ipc_pod("team-a")), None, USER, None);
    let real = decide(&req, &e, &settings());
    req.dry_run = Some(true);
    let dry = decide(&req, &e, &settings());
    assert_eq!(real.response, dry.response);
}

#[test]
fn no_object_is_allowed() {
    let e = engine_ipc_port("");
    let d = decide(&request("CREATE", None, None, USER, None), &e, &settings());
    assert_eq!(d.outcome, Outcome::Skipped(Skip::NoObject));
    assert!(d.response.allowed);
}

#[test]
fn many_warnings_are_cut_to_the_budget() {
    let e = engine_ipc_port("");
    let containers: Vec<Value> = (0..200)
        .map(|i| {
            let mut c = container(&format!("container-with-a-rather-long-name-{i:03}"));
            c["ports"] = json!([{"containerPort": 80, "hostPort": 8000 + i}]);
            c
        })
        .collect();
    let obj = pod("team-a", json!({"containers": containers}));
    let d = decide(
        &request("CREATE", Some(&obj), None, USER, None),
        &e,
        &settings(),
    );
    assert!(d.response.allowed);
    assert_eq!(d.findings.len(), 200);
    let w = &d.response.warnings;
    assert!(w.iter().all(|l| l.chars().count() <= MAX_WARNING_CHARS));
    assert!(w.iter().map(String::len).sum::<usize>() <= MAX_WARNINGS_BYTES);
    let kept = w.len() - 1;
    assert!(kept >= 20, "{kept}");
    assert_eq!(w.last().unwrap(), &format!("… and {} more", 200 - kept));
}

#[test]
fn long_messages_are_cut_to_120_characters() {
    let e = only(&[("tagNotSpecified", "warning")], "");
    let name = "x".repeat(300);
    let obj = pod(
        "team-a",
        json!({"containers": [{"name": name, "image": "busybox"}]}),
    );
    let d = decide(
        &request("CREATE", Some(&obj), None, USER, None),
        &e,
        &settings(),
    );
    assert_eq!(d.response.warnings.len(), 1);
    let w = &d.response.warnings[0];
    assert_eq!(w.chars().count(), MAX_WARNING_CHARS, "{w}");
    assert!(w.ends_with('…'));
}

#[test]
fn denial_lists_at_most_ten_findings() {
    let e = only(&[("runAsPrivileged", "danger")], "");
    let containers: Vec<Value> = (0..15)
        .map(|i| {
            let mut c = container(&format!("c{i}"));
            c["securityContext"] = json!({"privileged": true});
            c
        })
        .collect();
    let obj = pod("team-a", json!({"containers": containers}));
    let d = decide(
        &request("CREATE", Some(&obj), None, USER, None),
        &e,
        &settings(),
    );
    let msg = d.response.status.unwrap().message;
    assert_eq!(msg.matches("\n- runAsPrivileged").count(), 10, "{msg}");
    assert!(msg.ends_with("… and 5 more"), "{msg}");
    assert!(msg.contains("15 danger findings"), "{msg}");
}

// ---- /mutate ----

fn escalating_pod() -> Value {
    pod(
        "team-a",
        json!({"hostIPC": true, "containers": [container("app"), container("sidecar")]}),
    )
}

#[test]
fn mutate_applies_listed_safe_fixes_and_the_patch_applies_cleanly() {
    let e = only(
        &[
            ("hostIPCSet", "danger"),
            ("privilegeEscalationAllowed", "warning"),
            ("hostPortSet", "warning"),
        ],
        "mutations: [hostIPCSet, privilegeEscalationAllowed]\n",
    );
    let obj = escalating_pod();
    let req = request("CREATE", Some(&obj), None, USER, None);
    let m = mutate(&req, &e, &settings());
    assert_eq!(m.outcome, Outcome::Patched, "{:?}", m.response);
    assert!(m.response.allowed);
    assert_eq!(m.response.patch_type, Some("JSONPatch"));
    let patched = common::apply_patch(&obj, m.response.patch.as_ref().unwrap());
    assert!(patched["spec"].get("hostIPC").is_none());
    assert_eq!(
        patched["spec"]["containers"][1]["securityContext"]["allowPrivilegeEscalation"],
        json!(false)
    );
    // Each applied fix is announced.
    assert_eq!(
        m.response
            .warnings
            .iter()
            .filter(|w| w.starts_with("eyelint fixed "))
            .count(),
        3,
        "{:?}",
        m.response.warnings
    );
    // Re-validated, the mutated object passes.
    let d = decide(
        &request("CREATE", Some(&patched), None, USER, None),
        &e,
        &settings(),
    );
    assert_eq!(d.outcome, Outcome::Allowed, "{:?}", d.response);
}

#[test]
fn mutate_ignores_unlisted_checks_and_unsafe_fixes_without_opt_in() {
    // hostNetworkSet's fix is unsafe.
    let obj = pod(
        "team-a",
        json!({"hostNetwork": true, "containers": [container("app")]}),
    );
    let req = request("CREATE", Some(&obj), None, USER, None);
    let not_listed = only(&[("hostNetworkSet", "danger")], "mutations: []\n");
    assert_eq!(mutate(&req, &not_listed, &settings()).response.patch, None);
    let listed = only(
        &[("hostNetworkSet", "danger")],
        "mutations: [hostNetworkSet]\n",
    );
    assert_eq!(mutate(&req, &listed, &settings()).response.patch, None);
    let opted_in = only(
        &[("hostNetworkSet", "danger")],
        "mutations: [hostNetworkSet]\nadmission:\n  unsafeMutations: [hostNetworkSet]\n",
    );
    let m = mutate(&req, &opted_in, &settings());
    let patched = common::apply_patch(&obj, m.response.patch.as_ref().unwrap());
    assert!(patched["spec"].get("hostNetwork").is_none());
}

#[test]
fn mutate_does_not_fix_what_an_earlier_fix_already_fixed() {
    // A custom check whose fix also removes hostIPC (plus another edit):
    // once hostIPCSet's fix has removed it, the object is judged again, the
    // custom check passes, and its fix (with its other edit) is not applied.
    let e = only(
        &[("hostIPCSet", "danger"), ("noSharedIpc", "warning")],
        r#"
customChecks:
  noSharedIpc:
    successMessage: no host IPC
    failureMessage: host IPC is shared
    category: Security
    target: PodSpec
    schema:
      properties:
        hostIPC:
          not:
            const: true
    mutations:
      - op: remove
        path: /hostIPC
      - op: add
        path: /shareProcessNamespace
        value: false
    mutationSafety: safe
mutations: [hostIPCSet, noSharedIpc]
"#,
    );
    assert!(
        e.active_ids().any(|id| id == "noSharedIpc"),
        "custom check not active"
    );
    let obj = ipc_pod("team-a");
    let m = mutate(
        &request("CREATE", Some(&obj), None, USER, None),
        &e,
        &settings(),
    );
    assert!(m.response.allowed);
    assert_eq!(m.outcome, Outcome::Patched, "{:?}", m.response);
    assert_eq!(
        m.response.warnings,
        vec!["eyelint fixed hostIPCSet: host IPC namespace is shared (hostIPC: true)".to_string()]
    );
    let patched = common::apply_patch(&obj, m.response.patch.as_ref().unwrap());
    assert!(patched["spec"].get("hostIPC").is_none());
    assert!(patched["spec"].get("shareProcessNamespace").is_none());
}

#[test]
fn mutate_fixes_that_create_the_same_mapping_all_hold() {
    // Each of these fixes, worked out on a container with no `resources`
    // and no `securityContext`, writes that mapping whole: applied one
    // after the other they undid each other, and only the last held while
    // every one was announced as applied.
    let checks = [
        "cpuRequestsMissing",
        "cpuLimitsMissing",
        "memoryRequestsMissing",
        "memoryLimitsMissing",
        "notReadOnlyRootFilesystem",
        "runAsRootAllowed",
        "privilegeEscalationAllowed",
        "insecureCapabilities",
    ];
    let list = checks.join(", ");
    let e = only(
        &checks.map(|c| (c, "warning")),
        &format!("mutations: [{list}]\nadmission:\n  unsafeMutations: [{list}]\n"),
    );
    let obj = pod(
        "team-a",
        json!({"containers": [container("app"), container("sidecar")]}),
    );
    let m = mutate(
        &request("CREATE", Some(&obj), None, USER, None),
        &e,
        &settings(),
    );
    assert_eq!(m.outcome, Outcome::Patched, "{:?}", m.response);
    let fixed = m
        .response
        .warnings
        .iter()
        .filter(|w| w.starts_with("eyelint fixed "))
        .count();
    // 7 per container: once its cpu limit is set, a missing cpu request is
    // no longer a problem (the API server copies the limit into it), so
    // cpuRequestsMissing's fix is not applied.
    assert_eq!(fixed, 14, "{:?}", m.response.warnings);
    let patched = common::apply_patch(&obj, m.response.patch.as_ref().unwrap());
    for c in 0..2 {
        let c = &patched["spec"]["containers"][c];
        for (kind, what) in [
            ("requests", "memory"),
            ("limits", "cpu"),
            ("limits", "memory"),
        ] {
            assert!(c["resources"][kind][what].is_string(), "{kind}.{what}: {c}");
        }
        let sc = &c["securityContext"];
        assert_eq!(sc["readOnlyRootFilesystem"], json!(true), "{sc}");
        assert_eq!(sc["runAsNonRoot"], json!(true), "{sc}");
        assert_eq!(sc["allowPrivilegeEscalation"], json!(false), "{sc}");
        assert_eq!(sc["capabilities"]["drop"], json!(["ALL"]), "{sc}");
    }
    // Judged again, nothing is left to fix.
    let d = decide(
        &request("CREATE", Some(&patched), None, USER, None),
        &e,
        &settings(),
    );
    assert!(d.findings.is_empty(), "{:?}", d.findings);
}

#[test]
fn mutate_on_update_fixes_only_new_problems() {
    let e = only(&[("hostIPCSet", "danger")], "mutations: [hostIPCSet]\n");
    let old = ipc_pod("team-a");
    let mut new = old.clone();
    new["metadata"]["labels"] = json!({"a": "b"});
    let m = mutate(
        &request("UPDATE", Some(&new), Some(&old), USER, None),
        &e,
        &settings(),
    );
    assert_eq!(
        m.response.patch, None,
        "legacy problems are left alone on UPDATE"
    );
    let clean = pod("team-a", json!({"containers": [container("app")]}));
    let m = mutate(
        &request("UPDATE", Some(&new), Some(&clean), USER, None),
        &e,
        &settings(),
    );
    assert!(m.response.patch.is_some());
}

#[test]
fn mutate_respects_exemptions_and_controller_skip() {
    let e = only(&[("hostIPCSet", "danger")], "mutations: [hostIPCSet]\n");
    let m = mutate(
        &request("CREATE", Some(&ipc_pod("kube-system")), None, USER, None),
        &e,
        &settings(),
    );
    assert_eq!(m.outcome, Outcome::Skipped(Skip::ExemptNamespace));
    let rs = owned_pod("apps/v1", "ReplicaSet", true);
    let m = mutate(
        &request(
            "CREATE",
            Some(&rs),
            None,
            "system:kube-controller-manager",
            None,
        ),
        &e,
        &settings(),
    );
    assert_eq!(m.outcome, Outcome::Skipped(Skip::ControllerOwned));
    assert_eq!(m.response.patch, None);
}

#[test]
fn webhook_findings_equal_the_local_pass() {
    let e = eyelint_policies::Engine::with_defaults().unwrap();
    let obj = escalating_pod();
    let d = decide(
        &request("CREATE", Some(&obj), None, USER, None),
        &e,
        &settings(),
    );
    assert_eq!(d.findings, e.check(&obj, None, Pass::Local).findings);
    assert!(d.findings.iter().any(|f| f.severity == Severity::Danger));
}

/// Cross-object checks report what the object decides alone, as the linter
/// does, and stay silent where another object would be needed.
#[test]
fn cross_object_checks_decide_what_the_object_alone_decides() {
    let e = eyelint_policies::Engine::with_defaults().unwrap();
    // A binding to cluster-admin: denied, the role need not be looked up.
    let crb = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": "ops-admin"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
        "subjects": [{"kind": "Group", "name": "ops", "apiGroup": "rbac.authorization.k8s.io"}]
    });
    let d = decide(
        &request("CREATE", Some(&crb), None, USER, None),
        &e,
        &settings(),
    );
    assert_eq!(d.outcome, Outcome::Denied, "{:?}", d.response);
    assert!(d
        .findings
        .iter()
        .any(|f| &*f.id == "clusterrolebindingClusterAdmin"));
    // A pod that asks for the token: warned; one that says nothing is not
    // judged on it (its ServiceAccount would decide).
    let mut asks = container("app");
    asks["securityContext"] = json!({"allowPrivilegeEscalation": false});
    let with_token = pod(
        "team-a",
        json!({"automountServiceAccountToken": true, "containers": [asks.clone()]}),
    );
    let silent = pod("team-a", json!({"containers": [asks]}));
    let ids = |o: &Value| -> Vec<String> {
        decide(
            &request("CREATE", Some(o), None, USER, None),
            &e,
            &settings(),
        )
        .findings
        .iter()
        .map(|f| f.id.to_string())
        .collect()
    };
    assert!(ids(&with_token).contains(&"automountServiceAccountToken".to_string()));
    let none = ids(&silent);
    for id in [
        "automountServiceAccountToken",
        "missingPodDisruptionBudget",
        "missingNetworkPolicy",
    ] {
        assert!(!none.contains(&id.to_string()), "{id}: {none:?}");
    }
}

/// A custom check whose template renders no valid schema for the object
/// cannot judge it: the review is not denied for it, and a warning says the
/// check was not applied (as the linter makes it an error), so that a
/// broken policy does not pass unseen.
#[test]
fn a_custom_check_that_cannot_be_applied_warns() {
    let e = only(
        &[("minReplicas", "danger")],
        "customChecks:\n  minReplicas:\n    target: Controller\n    schemaString: |\n      \
         properties:\n        spec:\n          properties:\n            \
         replicas: {minimum: {{ .metadata.labels.minReplicas }}}\n",
    );
    let deploy = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "team-a"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [container("app")]}}}
    });
    let d = decide(
        &request("CREATE", Some(&deploy), None, USER, None),
        &e,
        &settings(),
    );
    assert!(d.response.allowed);
    assert_eq!(d.outcome, Outcome::Warned);
    assert_eq!(d.response.warnings.len(), 1, "{:?}", d.response.warnings);
    assert!(
        d.response.warnings[0].starts_with("custom check minReplicas could not be evaluated: "),
        "{:?}",
        d.response.warnings
    );
    // With the label, the check judges and denies.
    let mut labelled = deploy.clone();
    labelled["metadata"]["labels"] = json!({"minReplicas": "2"});
    let d = decide(
        &request("CREATE", Some(&labelled), None, USER, None),
        &e,
        &settings(),
    );
    assert_eq!(d.outcome, Outcome::Denied);
}

/// A finding about a missing field points at its nearest existing ancestor:
/// adding or removing a container's `securityContext` (hardening it, or a
/// chart starting to render `securityContext: {}`) moves the path of the
/// problems it already had, which must still count as already present, on
/// the validating and the mutating side; a new problem in the same
/// container is still new.
#[test]
fn update_that_adds_or_removes_a_security_context_keeps_old_problems_old() {
    let e = only(
        &[
            ("privilegeEscalationAllowed", "danger"),
            ("runAsRootAllowed", "danger"),
            ("runAsPrivileged", "danger"),
        ],
        "mutations: [privilegeEscalationAllowed, runAsRootAllowed]\nadmission:\n  unsafeMutations: [runAsRootAllowed]\n",
    );
    let legacy = pod("team-a", json!({"containers": [container("app")]}));
    for sc in [
        json!({}),
        json!({"readOnlyRootFilesystem": true}),
        json!({"capabilities": {"drop": ["ALL"]}}),
    ] {
        let mut hardened = legacy.clone();
        hardened["spec"]["containers"][0]["securityContext"] = sc.clone();
        for (new, old) in [(&hardened, &legacy), (&legacy, &hardened)] {
            let req = request("UPDATE", Some(new), Some(old), USER, None);
            let d = decide(&req, &e, &settings());
            assert!(d.response.allowed, "{sc}: {:?}", d.response);
            assert_eq!(d.denying, 0, "{sc}");
            assert_eq!(
                d.response.warnings.len(),
                2,
                "{sc}: {:?}",
                d.response.warnings
            );
            assert!(
                d.response
                    .warnings
                    .iter()
                    .all(|w| w.contains("(already present)")),
                "{sc}: {:?}",
                d.response.warnings
            );
            let m = mutate(&req, &e, &settings());
            assert_eq!(m.response.patch, None, "{sc}: {:?}", m.response);
        }
    }
    // Privileged as well: that one is new, and denies alone.
    let mut privileged = legacy.clone();
    privileged["spec"]["containers"][0]["securityContext"] = json!({"privileged": true});
    let d = decide(
        &request("UPDATE", Some(&privileged), Some(&legacy), USER, None),
        &e,
        &settings(),
    );
    assert!(!d.response.allowed);
    assert_eq!(d.denying, 1, "{:?}", d.response);
    let message = d.response.status.unwrap().message;
    assert!(message.contains("runAsPrivileged"), "{message}");
    assert!(!message.contains("runAsRootAllowed"), "{message}");
}

/// `admission.optOutLabel`: an object labelled with it set to `"true"` is
/// not judged, also on the UPDATE that adds the label (which the API server
/// sends, as the old object matches the webhook's objectSelector); another
/// value, or no such setting, is judged.
#[test]
fn the_opt_out_label_skips_only_where_configured() {
    let with = engine_ipc_port("admission:\n  optOutLabel: eyelint.io/ignore\n");
    let without = engine_ipc_port("");
    let old = ipc_pod("team-a");
    for (value, engine, skipped) in [
        ("true", &with, true),
        ("false", &with, false),
        ("True", &with, false),
        ("true", &without, false),
    ] {
        let mut labelled = old.clone();
        labelled["metadata"]["labels"] = json!({"eyelint.io/ignore": value});
        for req in [
            request("CREATE", Some(&labelled), None, USER, None),
            request("UPDATE", Some(&labelled), Some(&json!({})), USER, None),
        ] {
            let d = decide(&req, engine, &settings());
            let m = mutate(&req, engine, &settings());
            if skipped {
                assert_eq!(d.outcome, Outcome::Skipped(Skip::OptedOut), "{value}");
                assert_eq!(m.outcome, Outcome::Skipped(Skip::OptedOut), "{value}");
                assert!(d.response.allowed);
            } else {
                assert_eq!(d.outcome, Outcome::Denied, "{value}");
            }
        }
    }
}
