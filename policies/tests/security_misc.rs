//! sensitiveContainerEnvVar and imageRegistry.

mod security_support;

use eyelint_policies::Coverage;
use security_support::*;
use serde_json::{json, Value};

fn env(vars: Value) -> Vec<String> {
    paths(&on(
        "sensitiveContainerEnvVar",
        with_container(json!({"env": vars})),
    ))
}

#[test]
fn sensitive_env_names_values_and_value_from() {
    let e = "spec.template.spec.containers[0].env";
    for name in [
        "AWS_SECRET_ACCESS_KEY",
        "aws_secret_access_key",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "AZURE_STORAGE_KEY",
        "OCI_CLI_KEY_CONTENT",
        "DB_PASSWORD",
        "github_token",
        "BearerAuth",
        "client-Secret",
    ] {
        assert_eq!(
            env(json!([{"name": name, "value": "x"}])),
            vec![format!("{e}[0].value")],
            "{name}"
        );
    }
    for name in [
        "AWS_ACCESS_KEY_ID",
        "AZURE_KEY",
        "GREETING",
        "MY_GOOGLE_APPLICATION_CREDENTIALS",
        "AZUREKEY",
    ] {
        assert!(
            env(json!([{"name": name, "value": "x"}])).is_empty(),
            "{name}"
        );
    }
    // valueFrom, no value and an empty value pass.
    assert!(env(
        json!([{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}])
    )
    .is_empty());
    assert!(env(json!([{"name": "DB_PASSWORD"}])).is_empty());
    assert!(env(json!([{"name": "DB_PASSWORD", "value": ""}])).is_empty());
    // A private key in any variable's value.
    let key = "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n";
    assert_eq!(
        env(json!([{"name": "a", "value": "b"}, {"name": "CONFIG", "value": key}])),
        vec![format!("{e}[1].value")]
    );
    assert!(env(json!([{"name": "CERT", "value": "-----BEGIN CERTIFICATE-----"}])).is_empty());
    // One finding per variable, every role.
    let d = deployment(json!({
        "containers": [{"name": "a", "image": "x:1", "env": [{"name": "TOKEN", "value": "t"}, {"name": "PASSWORD", "value": "p"}]}],
        "initContainers": [{"name": "i", "image": "x:1", "env": [{"name": "SECRET", "value": "s"}]}]
    }));
    assert_eq!(on("sensitiveContainerEnvVar", d).len(), 3);
}

fn registry(allowed: &[&str], image: &str) -> Vec<String> {
    let engine = engine_with("imageRegistry", |c| {
        c.allowed_registries = allowed.iter().map(|s| s.to_string()).collect();
    });
    let d = with_container(json!({"image": image}));
    paths(&engine.check_all(&[d], Coverage::All).remove(0).findings)
}

#[test]
fn image_registry_boundaries_and_docker_hub() {
    let bad = vec!["spec.template.spec.containers[0].image".to_string()];
    let none: Vec<String> = Vec::new();
    assert_eq!(registry(&["quay.io"], "quay.io/org/app:1"), none);
    assert_eq!(
        registry(&["quay.io"], "quay.io.evil.example/org/app:1"),
        bad
    );
    assert_eq!(registry(&["docker.io"], "nginx:1.27"), none);
    assert_eq!(registry(&["docker.io"], "bitnami/redis:7"), none);
    assert_eq!(registry(&["registry.example.com"], "nginx:1.27"), bad);
    assert_eq!(
        registry(
            &["registry.example.com:5000"],
            "registry.example.com:5000/a:1"
        ),
        none
    );
    assert_eq!(
        registry(&["registry.example.com:5000"], "registry.example.com/a:1"),
        bad
    );
    assert_eq!(
        registry(&["ghcr.io/my-org"], "ghcr.io/my-org/a@sha256:abcd"),
        none
    );
    assert_eq!(
        registry(&["ghcr.io/my-org"], "ghcr.io/my-organisation/a:1"),
        bad
    );
    assert_eq!(
        registry(&["a.example.com", "ghcr.io"], "ghcr.io/x/y:1"),
        none
    );
}

#[test]
fn image_registry_off_without_list_and_every_role() {
    // The default config has no allowed registries: the rule does not run.
    assert_eq!(registry(&[], "nginx:1.27"), Vec::<String>::new());
    let engine = engine_with("imageRegistry", |c| {
        c.allowed_registries = vec!["registry.example.com".into()]
    });
    let d = deployment(json!({
        "containers": [{"name": "a", "image": "registry.example.com/a:1"}],
        "initContainers": [{"name": "i", "image": "busybox:1.36"}],
        "ephemeralContainers": [{"name": "e", "image": "registry.example.com/debug:1"}]
    }));
    let f = engine.check_all(&[d], Coverage::All).remove(0).findings;
    assert_eq!(
        paths(&f),
        vec!["spec.template.spec.initContainers[0].image"]
    );
    assert!(f[0].message.contains("docker.io"), "{}", f[0].message);
}
