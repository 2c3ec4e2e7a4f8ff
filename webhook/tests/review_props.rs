//! Property tests of what the webhook reads from the API server: real
//! AdmissionReviews (`../shared/admission-reviews`, plus two built here so
//! the test never runs empty) with random changes anywhere in them — values
//! of another type, fields removed, fields the checks read added with odd
//! values, subtrees copied elsewhere — and the bytes of such reviews cut
//! short or flipped.
//!
//! Whatever arrives, reading the review gives a review or an error that
//! says something; a review read is judged by `/validate` and `/mutate`
//! with every check on and every fix listed (unsafe ones too) without a
//! panic or the mutating side's internal-error fallback; both answers carry
//! the request's uid and encode; a patch applies to the object as sent.
//! `PROPTEST_CASES` sets the number of cases (default 256).

mod common;
#[path = "../../policies/tests/json_changes/mod.rs"]
mod json_changes;

use std::sync::OnceLock;

use eyelint_policies::Engine;
use eyelint_webhook::review;
use eyelint_webhook::{decide, mutate, Settings};
use json_changes::{apply, change};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Every check at its default severity, every fix listed and opted into.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| common::engine(&common::every_fix_config("  denyOn: warning\n")))
}

fn settings() -> Settings {
    Settings {
        own_namespace: Some("eyelint-system".to_string()),
    }
}

/// The reviews the changes start from.
fn seeds() -> &'static [Value] {
    static SEEDS: OnceLock<Vec<Value>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let pod = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
            "spec": {
                "hostPID": true,
                "containers": [{
                    "name": "app", "image": "nginx",
                    "securityContext": {"privileged": true, "capabilities": {"add": ["SYS_ADMIN"]}},
                    "ports": [{"containerPort": 80, "hostPort": 80}]
                }],
                "initContainers": [{"name": "init", "image": "busybox:1.36",
                    "resources": {"limits": {"cpu": "100m", "memory": "1Gi"}}}]
            }
        });
        let mut old = pod.clone();
        old["spec"]["hostPID"] = json!(false);
        let mut out = vec![
            common::review_json("CREATE", Some(&pod), None, "dev@example.com", None),
            common::review_json("UPDATE", Some(&pod), Some(&old), "dev@example.com", None),
        ];
        for (_, body) in common::shared_reviews() {
            out.push(serde_json::from_slice(&body).expect("a shared review is JSON"));
        }
        out
    })
}

/// Field names the checks and the review reader look at.
const KEYS: &[&str] = &[
    "securityContext",
    "privileged",
    "allowPrivilegeEscalation",
    "capabilities",
    "add",
    "drop",
    "runAsNonRoot",
    "runAsUser",
    "readOnlyRootFilesystem",
    "hostPID",
    "hostIPC",
    "hostNetwork",
    "hostPort",
    "ports",
    "containers",
    "initContainers",
    "ephemeralContainers",
    "resources",
    "limits",
    "requests",
    "cpu",
    "memory",
    "image",
    "imagePullPolicy",
    "livenessProbe",
    "readinessProbe",
    "volumes",
    "hostPath",
    "metadata",
    "labels",
    "annotations",
    "ownerReferences",
    "namespace",
    "name",
    "template",
    "spec",
    "replicas",
    "kind",
    "apiVersion",
    "object",
    "oldObject",
    "operation",
    "uid",
    "subResource",
    "userInfo",
    "username",
    "dryRun",
];

/// Judges one review body the way the server does, checking what must
/// hold whatever the body.
fn judge(body: &[u8]) -> Result<(), TestCaseError> {
    let (api_version, request) = match review::parse(body) {
        Ok(x) => x,
        Err(e) => {
            prop_assert!(!e.to_string().trim().is_empty());
            return Ok(());
        }
    };
    let validated = decide(&request, engine(), &settings());
    prop_assert_eq!(&validated.response.uid, &request.uid);
    prop_assert!(review::render(&api_version, &validated.response).is_ok());

    let mutated = mutate(&request, engine(), &settings());
    prop_assert_eq!(&mutated.response.uid, &request.uid);
    prop_assert!(
        !mutated
            .response
            .warnings
            .iter()
            .any(|w| w.contains("internal error")),
        "{:?}",
        mutated.response.warnings
    );
    prop_assert!(review::render(&api_version, &mutated.response).is_ok());
    if let Some(patch) = &mutated.response.patch {
        let object = request.object.clone().unwrap_or(Value::Null);
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(patch)
            .map_err(|e| TestCaseError::fail(format!("patch is not base64: {e}")))?;
        let ops: json_patch::Patch = serde_json::from_slice(&bytes)
            .map_err(|e| TestCaseError::fail(format!("patch is not a JSON Patch: {e}")))?;
        let mut patched = object.clone();
        json_patch::patch(&mut patched, &ops.0).map_err(|e| {
            TestCaseError::fail(format!(
                "patch does not apply: {e}\npatch: {}\nobject: {object}",
                String::from_utf8_lossy(&bytes)
            ))
        })?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(json_changes::config(256))]

    /// Reviews changed anywhere, one to six times.
    #[test]
    fn changed_reviews_are_judged_or_refused(
        seed in any::<usize>(),
        changes in proptest::collection::vec(change(), 1..7),
    ) {
        let mut v = seeds()[seed % seeds().len()].clone();
        for c in &changes {
            apply(&mut v, c, KEYS);
        }
        let body = serde_json::to_vec(&v).expect("a Value serializes");
        judge(&body)?;
    }

    /// The bytes of a review cut short, or with bytes overwritten.
    #[test]
    fn damaged_bytes_are_refused_or_judged(
        seed in any::<usize>(),
        cut in any::<usize>(),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4),
    ) {
        let mut body = serde_json::to_vec(&seeds()[seed % seeds().len()]).expect("serializes");
        for (at, byte) in flips {
            let i = at % body.len();
            body[i] = byte;
        }
        body.truncate(cut % (body.len() + 1));
        judge(&body)?;
    }
}
