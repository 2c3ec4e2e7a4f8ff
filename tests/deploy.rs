//! Dogfood: eyelint's own install manifests (`deploy/`) are the best example of
//! what eyelint enforces. Every overlay is rendered with `kubectl kustomize`
//! and must (1) lint clean with `eyelint --fail-on warning` and (2) consist of
//! valid Kubernetes objects: each one deserialises into its k8s-openapi type
//! with no field the type does not know (k8s-openapi drops unknown fields
//! silently, so `serde_ignored` reports them).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use eyelint_policies::yaml;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn overlays() -> Vec<PathBuf> {
    let dir = root().join("deploy/overlays");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("deploy/overlays exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.join("kustomization.yaml").exists())
        .collect();
    v.push(root().join("deploy/base"));
    v.sort();
    v
}

/// Renders a kustomization; `None` (test skipped) when kubectl is not installed.
fn render(dir: &Path) -> Option<String> {
    let out = match Command::new("kubectl").arg("kustomize").arg(dir).output() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("SKIP: kubectl not available ({e}); deploy manifests not rendered");
            return None;
        }
    };
    assert!(
        out.status.success(),
        "kubectl kustomize {} failed: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).expect("utf-8 output"))
}

#[test]
fn every_overlay_lints_clean_at_warning_level() {
    let overlays = overlays();
    assert!(overlays.len() >= 5, "base and four overlays: {overlays:?}");
    for dir in overlays {
        let Some(rendered) = render(&dir) else { return };
        let mut child = Command::new(env!("CARGO_BIN_EXE_eyelint"))
            .args([
                "--fail-on",
                "warning",
                "--format",
                "json",
                "--no-color",
                "-",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("eyelint runs");
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().expect("stdin");
            stdin
                .write_all(rendered.as_bytes())
                .expect("write manifests");
        }
        let out = child.wait_with_output().expect("eyelint finishes");
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{}: eyelint printed no JSON report ({e}); stderr: {}",
                dir.display(),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let findings = report["findings"].as_array().cloned().unwrap_or_default();
        assert!(
            findings.is_empty() && out.status.code() == Some(0),
            "{} has findings (exit {:?}):\n{}",
            dir.display(),
            out.status.code(),
            serde_json::to_string_pretty(&findings).unwrap_or_default()
        );
    }
}

fn check_typed<T: serde::de::DeserializeOwned>(obj: &Value) -> Result<(), String> {
    let mut unknown = Vec::new();
    let _typed: T =
        serde_ignored::deserialize(obj, |path| unknown.push(path.to_string().replace(".?", "")))
            .map_err(|e| format!("does not deserialise: {e}"))?;
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "fields unknown to the type: {}",
            unknown.join(", ")
        ))
    }
}

fn validate(obj: &Value) -> Result<(), String> {
    use k8s_openapi::api::{
        admissionregistration::v1 as adm, apps::v1 as apps, batch::v1 as batch, core::v1 as core,
        networking::v1 as net, policy::v1 as policy, rbac::v1 as rbac, scheduling::v1 as sched,
    };
    let kind = obj["kind"].as_str().unwrap_or("");
    let api = obj["apiVersion"].as_str().unwrap_or("");
    match (api, kind) {
        ("v1", "Namespace") => check_typed::<core::Namespace>(obj),
        ("v1", "ServiceAccount") => check_typed::<core::ServiceAccount>(obj),
        ("v1", "ConfigMap") => check_typed::<core::ConfigMap>(obj),
        ("v1", "Secret") => check_typed::<core::Secret>(obj),
        ("v1", "Service") => check_typed::<core::Service>(obj),
        ("apps/v1", "Deployment") => check_typed::<apps::Deployment>(obj),
        ("batch/v1", "CronJob") => check_typed::<batch::CronJob>(obj),
        ("policy/v1", "PodDisruptionBudget") => check_typed::<policy::PodDisruptionBudget>(obj),
        ("networking.k8s.io/v1", "NetworkPolicy") => check_typed::<net::NetworkPolicy>(obj),
        ("scheduling.k8s.io/v1", "PriorityClass") => check_typed::<sched::PriorityClass>(obj),
        ("rbac.authorization.k8s.io/v1", "ClusterRole") => check_typed::<rbac::ClusterRole>(obj),
        ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding") => {
            check_typed::<rbac::ClusterRoleBinding>(obj)
        }
        ("rbac.authorization.k8s.io/v1", "Role") => check_typed::<rbac::Role>(obj),
        ("rbac.authorization.k8s.io/v1", "RoleBinding") => check_typed::<rbac::RoleBinding>(obj),
        ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration") => {
            check_typed::<adm::ValidatingWebhookConfiguration>(obj)
        }
        ("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration") => {
            check_typed::<adm::MutatingWebhookConfiguration>(obj)
        }
        // Kinds k8s-openapi has no type for (cert-manager's): identity only.
        (api, kind) if api.starts_with("cert-manager.io/") => {
            let name = obj.pointer("/metadata/name").and_then(Value::as_str);
            match (kind.is_empty(), name) {
                (false, Some(n)) if !n.is_empty() => Ok(()),
                _ => Err("missing kind or metadata.name".to_string()),
            }
        }
        (api, kind) => Err(format!(
            "{api}/{kind}: no typed check for this kind; add it to tests/deploy.rs"
        )),
    }
}

#[test]
fn every_rendered_object_is_a_valid_kubernetes_object() {
    for dir in overlays() {
        let Some(rendered) = render(&dir) else { return };
        let loaded = yaml::load(&rendered, &yaml::Limits::default());
        assert!(
            loaded.error.is_none(),
            "{}: {:?}",
            dir.display(),
            loaded.error
        );
        assert!(!loaded.documents.is_empty());
        let mut errors = Vec::new();
        for doc in &loaded.documents {
            if let Err(e) = validate(&doc.value) {
                errors.push(format!(
                    "{} {}/{}: {e}",
                    dir.display(),
                    doc.value["kind"].as_str().unwrap_or("?"),
                    doc.value
                        .pointer("/metadata/name")
                        .and_then(Value::as_str)
                        .unwrap_or("?")
                ));
            }
        }
        assert!(errors.is_empty(), "invalid objects:\n{}", errors.join("\n"));
    }
}

#[test]
fn typed_validation_catches_an_unknown_field() {
    let bad: Value = serde_json::json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "x"},
        "spec": {"replicas": 2, "replica": 3,
                 "selector": {"matchLabels": {"a": "b"}},
                 "template": {"metadata": {"labels": {"a": "b"}},
                              "spec": {"containers": [{"name": "c", "image": "i:1", "imagePullPolicy": "Always", "securityContxt": {}}]}}}
    });
    let err = validate(&bad).expect_err("unknown fields are reported");
    assert!(err.contains("spec.replica"), "{err}");
    assert!(err.contains("securityContxt"), "{err}");
}

/// `to` relative to directory `from` (both absolute): kustomize refuses
/// absolute paths.
fn relative(from: &Path, to: &Path) -> PathBuf {
    let (from, to) = (
        std::fs::canonicalize(from).expect("from"),
        std::fs::canonicalize(to).expect("to"),
    );
    let common = from
        .components()
        .zip(to.components())
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = PathBuf::new();
    for _ in from.components().skip(common) {
        out.push("..");
    }
    for c in to.components().skip(common) {
        out.push(c);
    }
    out
}

/// The components add to each other and to the user's own overlay: the
/// cert-manager component keeps annotations already there (it once replaced
/// the whole map), and cert-manager, enforce and the sweep combine.
#[test]
fn components_combine_without_undoing_each_other() {
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("compose-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let deploy = root().join("deploy");
    let rel = |p: &str| relative(&dir, &deploy.join(p)).display().to_string();
    std::fs::write(
        dir.join("kustomization.yaml"),
        format!(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [{}]\ncommonAnnotations:\n  team: platform\ncomponents: [{}, {}, {}]\n",
            rel("base"),
            rel("components/cert-manager"),
            rel("components/enforce"),
            rel("components/sweep"),
        ),
    )
    .unwrap();
    let Some(rendered) = render(&dir) else { return };
    let _ = std::fs::remove_dir_all(&dir);
    let loaded = yaml::load(&rendered, &yaml::Limits::default());
    let objects: Vec<&Value> = loaded.documents.iter().map(|d| &d.value).collect();
    let find = |kind: &str| {
        objects
            .iter()
            .find(|o| o["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind}"))
    };
    for kind in [
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
    ] {
        let a = &find(kind)["metadata"]["annotations"];
        assert_eq!(
            a["cert-manager.io/inject-ca-from"], "eyelint/eyelint-ca",
            "{kind}: {a}"
        );
        assert_eq!(a["team"], "platform", "{kind}: {a}");
    }
    assert_eq!(
        find("ValidatingWebhookConfiguration")["webhooks"][0]["failurePolicy"],
        "Fail"
    );
    find("CronJob");
}

/// The sweep's role is read-only as its comments say: no `nodes/proxy` (the
/// kubelet API behind it runs commands in containers) unless the opt-in
/// component is added; and the nightly job runs at the default priority and
/// never preempts (not at the webhook's, which would evict workloads).
#[test]
fn the_sweep_is_read_only_and_runs_at_default_priority() {
    let Some(rendered) = render(&root().join("deploy/overlays/sweep")) else {
        return;
    };
    let loaded = yaml::load(&rendered, &yaml::Limits::default());
    let mut seen_role = false;
    for o in loaded.documents.iter().map(|d| &d.value) {
        if o["kind"] == "ClusterRole" {
            seen_role = true;
            for rule in o["rules"].as_array().unwrap() {
                let resources = rule["resources"].as_array().cloned().unwrap_or_default();
                assert!(
                    !resources
                        .iter()
                        .any(|r| r == "nodes/proxy" || r == "pods/exec" || r == "secrets"),
                    "{rule}"
                );
                let verbs = rule["verbs"].as_array().unwrap();
                assert!(verbs.iter().all(|v| v == "get" || v == "list"), "{rule}");
            }
        }
        if o["kind"] == "CronJob" {
            assert_eq!(
                o.pointer("/spec/jobTemplate/spec/template/spec/priorityClassName"),
                Some(&Value::from("eyelint-sweep")),
                "{o}"
            );
        }
        if o["kind"] == "PriorityClass" && o["metadata"]["name"] == "eyelint-sweep" {
            assert_eq!(o["value"], 0);
            assert_eq!(o["preemptionPolicy"], "Never");
        }
    }
    assert!(seen_role);
    let Some(stats) = render(&root().join("deploy/components/sweep-node-stats")) else {
        return;
    };
    assert!(stats.contains("nodes/proxy"));
}

/// Whether a label selector's `matchExpressions` select an object with
/// `labels`, as the API server decides it (a `NotIn` also selects objects
/// without the key).
fn selects(expressions: &[Value], labels: &[(&str, &str)]) -> bool {
    expressions.iter().all(|e| {
        let key = e["key"].as_str().unwrap();
        let value = labels.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
        let values: Vec<&str> = e["values"]
            .as_array()
            .map(|vs| vs.iter().map(|v| v.as_str().unwrap()).collect())
            .unwrap_or_default();
        match e["operator"].as_str().unwrap() {
            "In" => value.is_some_and(|v| values.contains(&v)),
            "NotIn" => value.is_none_or(|v| !values.contains(&v)),
            "Exists" => value.is_some(),
            "DoesNotExist" => value.is_none(),
            op => panic!("unknown operator {op}"),
        }
    })
}

/// An object opts out of both webhooks with the label
/// `eyelint.io/ignore: "true"`, as docs/install.md says; another value
/// (`"false"`) does not opt it out (the selector once excluded any object
/// with the key).
#[test]
fn only_the_ignore_label_set_to_true_opts_an_object_out() {
    let Some(rendered) = render(&root().join("deploy/base")) else {
        return;
    };
    let loaded = yaml::load(&rendered, &yaml::Limits::default());
    let mut webhooks = 0;
    for o in loaded.documents.iter().map(|d| &d.value) {
        if !matches!(
            o["kind"].as_str(),
            Some("ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration")
        ) {
            continue;
        }
        for w in o["webhooks"].as_array().unwrap() {
            webhooks += 1;
            let exprs = w["objectSelector"]["matchExpressions"]
                .as_array()
                .unwrap_or_else(|| panic!("{} has no objectSelector", w["name"]));
            assert!(selects(exprs, &[]), "{}", w["name"]);
            assert!(selects(exprs, &[("app", "web")]), "{}", w["name"]);
            assert!(
                selects(exprs, &[("eyelint.io/ignore", "false")]),
                "{}",
                w["name"]
            );
            assert!(
                !selects(exprs, &[("eyelint.io/ignore", "true")]),
                "{}",
                w["name"]
            );
        }
    }
    assert_eq!(webhooks, 2);
}

/// Each overlay's validating webhook and its config agree on the opt-out:
/// where the webhook configuration's `objectSelector` leaves out objects
/// labelled `eyelint.io/ignore: "true"`, the config's
/// `admission.optOutLabel` names that key (so an UPDATE that adds the label,
/// which the API server still sends, is allowed too); where validation has
/// no opt-out (`enforce`, which also disallows annotation exemptions), the
/// config has none either.
#[test]
fn the_opt_out_label_is_the_same_in_the_selector_and_the_config() {
    let mut seen = (0, 0);
    for dir in overlays() {
        let Some(rendered) = render(&dir) else {
            return;
        };
        let loaded = yaml::load(&rendered, &yaml::Limits::default());
        let docs: Vec<&Value> = loaded.documents.iter().map(|d| &d.value).collect();
        let config = docs
            .iter()
            .find(|o| o["kind"] == "ConfigMap" && o["metadata"]["name"] == "eyelint-config")
            .and_then(|o| o["data"]["config.yaml"].as_str())
            .unwrap_or_else(|| panic!("{}: no eyelint-config", dir.display()));
        let config = eyelint_policies::config::load_config(config, "config.yaml", true)
            .unwrap_or_else(|e| panic!("{}: {e:?}", dir.display()))
            .config;
        let validating = docs
            .iter()
            .find(|o| o["kind"] == "ValidatingWebhookConfiguration")
            .unwrap_or_else(|| panic!("{}: no validating webhook", dir.display()));
        let selector_key = validating["webhooks"][0]["objectSelector"]["matchExpressions"]
            .as_array()
            .and_then(|e| e.iter().find(|e| e["operator"] == "NotIn"))
            .and_then(|e| e["key"].as_str());
        assert_eq!(
            config.admission.opt_out_label.as_deref(),
            selector_key,
            "{}",
            dir.display()
        );
        let enforcing = config.admission.deny_on != eyelint_policies::config::DenyOn::Never;
        assert_eq!(enforcing, selector_key.is_none(), "{}", dir.display());
        if enforcing {
            seen.0 += 1;
        } else {
            seen.1 += 1;
        }
    }
    assert_eq!(seen, (2, 4), "(enforcing, warn-only) of base and overlays");
}

/// cert-manager: the webhook configurations trust a CA of their own (the
/// Certificate whose CA is injected is a CA, kept with its key across
/// renewals), and the serving certificate the Deployment mounts is signed
/// by that CA for the Service's names. So renewing the serving certificate
/// never changes the caBundle while pods still serve the previous one.
#[test]
fn cert_manager_injects_a_stable_ca_that_signs_the_serving_certificate() {
    let Some(rendered) = render(&root().join("deploy/overlays/cert-manager")) else {
        return;
    };
    let loaded = yaml::load(&rendered, &yaml::Limits::default());
    let objects: Vec<&Value> = loaded.documents.iter().map(|d| &d.value).collect();
    let named = |kind: &str, name: &str| {
        *objects
            .iter()
            .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("no {kind} {name}"))
    };
    let injected = named("ValidatingWebhookConfiguration", "eyelint")["metadata"]["annotations"]
        ["cert-manager.io/inject-ca-from"]
        .as_str()
        .expect("inject-ca-from");
    let (ns, ca_name) = injected.split_once('/').expect("namespace/name");
    let ca = named("Certificate", ca_name);
    assert_eq!(ca["metadata"]["namespace"], ns);
    assert_eq!(ca["spec"]["isCA"], true);
    assert_eq!(ca["spec"]["privateKey"]["rotationPolicy"], "Never");
    let ca_issuer = objects
        .iter()
        .find(|o| {
            o["kind"] == "Issuer" && o["spec"]["ca"]["secretName"] == ca["spec"]["secretName"]
        })
        .expect("an Issuer signing with the CA's Secret");
    let serving = objects
        .iter()
        .find(|o| o["kind"] == "Certificate" && o["spec"]["isCA"] != true)
        .expect("a serving Certificate");
    assert_eq!(
        serving["spec"]["issuerRef"]["name"],
        ca_issuer["metadata"]["name"]
    );
    // The Deployment mounts the serving certificate's Secret, and it names
    // the Service.
    let deployment = named("Deployment", "eyelint-webhook");
    let volumes = deployment["spec"]["template"]["spec"]["volumes"]
        .as_array()
        .expect("volumes");
    assert!(
        volumes
            .iter()
            .any(|v| v["secret"]["secretName"] == serving["spec"]["secretName"]),
        "{volumes:?}"
    );
    let service = named("Service", "eyelint-webhook");
    let svc = format!(
        "{}.{}.svc",
        service["metadata"]["name"].as_str().unwrap(),
        ns
    );
    assert!(
        serving["spec"]["dnsNames"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d == svc.as_str()),
        "{svc}"
    );
    let hook = &named("ValidatingWebhookConfiguration", "eyelint")["webhooks"][0]["clientConfig"]
        ["service"];
    assert_eq!(hook["name"], service["metadata"]["name"]);
}
