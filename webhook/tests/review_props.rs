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

use std::sync::OnceLock;

use eyelint_policies::Engine;
use eyelint_webhook::review;
use eyelint_webhook::{decide, mutate, Settings};
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

/// JSON Pointers of every node of `v`, the root first.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let key = k.replace('~', "~0").replace('/', "~1");
                pointers(child, format!("{at}/{key}"), out);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
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

/// Values of every JSON type, including ones a check might trip on.
fn odd_value(n: u32) -> Value {
    match n % 24 {
        0 => Value::Null,
        1 => json!(true),
        2 => json!(false),
        3 => json!(0),
        4 => json!(-1),
        5 => json!(i64::MAX),
        6 => json!(u64::MAX),
        7 => json!(1.5),
        8 => json!(1e308),
        9 => json!(""),
        10 => json!("ALL"),
        11 => json!("SYS_ADMIN"),
        12 => json!("nginx:latest"),
        13 => json!("100m"),
        14 => json!("1Gi"),
        15 => json!("-5"),
        16 => json!("ünïcödé\u{0}\n\t"),
        17 => json!([]),
        18 => json!({}),
        19 => json!([null, 1, "x", {}]),
        20 => json!({"name": "c", "image": 7}),
        21 => json!("CREATE"),
        22 => json!("UPDATE"),
        _ => json!("x".repeat(5000)),
    }
}

#[derive(Clone, Debug)]
enum Change {
    /// The node at (pointer index) becomes an odd value.
    Replace(usize, u32),
    /// The node is removed from its mapping or sequence.
    Remove(usize),
    /// A key the checks read is added to the node (when a mapping).
    Insert(usize, usize, u32),
    /// The node is replaced by a copy of another one.
    Copy(usize, usize),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (any::<usize>(), any::<u32>()).prop_map(|(a, n)| Change::Replace(a, n)),
        any::<usize>().prop_map(Change::Remove),
        (any::<usize>(), any::<usize>(), any::<u32>())
            .prop_map(|(a, k, n)| Change::Insert(a, k, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Change::Copy(a, b)),
    ]
}

fn apply(v: &mut Value, c: &Change) {
    let mut all = Vec::new();
    pointers(v, String::new(), &mut all);
    let at = |i: usize| all[i % all.len()].clone();
    match c {
        Change::Replace(a, n) => {
            if let Some(node) = v.pointer_mut(&at(*a)) {
                *node = odd_value(*n);
            }
        }
        Change::Remove(a) => {
            let p = at(*a);
            let Some((parent, last)) = p.rsplit_once('/') else {
                return;
            };
            let last = last.replace("~1", "/").replace("~0", "~");
            match v.pointer_mut(parent) {
                Some(Value::Object(m)) => {
                    m.remove(&last);
                }
                Some(Value::Array(items)) => {
                    if let Ok(i) = last.parse::<usize>() {
                        if i < items.len() {
                            items.remove(i);
                        }
                    }
                }
                _ => {}
            }
        }
        Change::Insert(a, k, n) => {
            if let Some(Value::Object(m)) = v.pointer_mut(&at(*a)) {
                m.insert(KEYS[k % KEYS.len()].to_string(), odd_value(*n));
            }
        }
        Change::Copy(a, b) => {
            let copy = v.pointer(&at(*b)).cloned();
            if let (Some(copy), Some(node)) = (copy, v.pointer_mut(&at(*a))) {
                *node = copy;
            }
        }
    }
}

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

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Reviews changed anywhere, one to six times.
    #[test]
    fn changed_reviews_are_judged_or_refused(
        seed in any::<usize>(),
        changes in proptest::collection::vec(change(), 1..7),
    ) {
        let mut v = seeds()[seed % seeds().len()].clone();
        for c in &changes {
            apply(&mut v, c);
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
