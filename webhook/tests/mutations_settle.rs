//! The mutating webhook, with every check's fix listed and every unsafe
//! fix opted into, on every object of `../shared/corpus` and
//! `../shared/corpus_fixtures` (skipped with a message when absent): the
//! patch applies to the object as sent, judged again the patched object
//! has no problem left that a listed fix could fix, and no check reports
//! more than before. Each fix is worked out on the object as the fixes
//! before it left it; worked out on the object as sent, two fixes that each
//! create a container's `resources` undid each other.

mod common;
// The policy engine's manifest walker (`yaml_files`), shared rather than copied.
#[path = "../../policies/tests/corpus_walk/mod.rs"]
mod corpus_walk;

use std::collections::BTreeMap;
use std::path::Path;

use eyelint_policies::object::{expand_lists, is_kubernetes_object};
use eyelint_policies::yaml::{self, Limits};
use eyelint_policies::Finding;
use eyelint_webhook::{decide, mutate, Outcome, Settings};

const USER: &str = "developer@example.com";

/// How many findings each check and container has.
fn counts(findings: &[Finding]) -> BTreeMap<(String, String), usize> {
    let mut out = BTreeMap::new();
    for f in findings {
        let c = f
            .container
            .as_ref()
            .map(|c| c.name.to_string())
            .unwrap_or_default();
        *out.entry((f.id.to_string(), c)).or_insert(0) += 1;
    }
    out
}

#[test]
fn every_fix_at_once_settles_on_real_objects() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared");
    if !shared.join("corpus").is_dir() {
        eprintln!("SKIP: {} is absent", shared.display());
        return;
    }
    let mut paths = Vec::new();
    for dir in ["corpus", "corpus_fixtures"] {
        paths.extend(corpus_walk::yaml_files(&shared.join(dir)));
    }
    let engine = common::engine(&common::every_fix_config("  exemptNamespaces: []\n"));
    let settings = Settings {
        own_namespace: Some("eyelint-system".to_string()),
    };
    let (mut patched_objects, mut fixes, mut wrong) = (0usize, 0usize, Vec::new());
    for path in &paths {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let loaded = yaml::load_bytes(&bytes, &Limits::default());
        let mut objects = Vec::new();
        for d in loaded.documents {
            expand_lists(d.value, &mut objects);
        }
        for object in objects.iter().filter(|o| is_kubernetes_object(o)) {
            let name = format!(
                "{}: {}",
                path.display(),
                eyelint_policies::ObjectRef::of(object)
            );
            let req = common::request("CREATE", Some(object), None, USER, None);
            let before = decide(&req, &engine, &settings);
            if matches!(before.outcome, Outcome::Skipped(_)) {
                continue;
            }
            let m = mutate(&req, &engine, &settings);
            let Some(patch) = m.response.patch.as_ref() else {
                continue;
            };
            patched_objects += 1;
            fixes += m
                .response
                .warnings
                .iter()
                .filter(|w| w.starts_with("eyelint fixed "))
                .count();
            if let Some(w) = m
                .response
                .warnings
                .iter()
                .find(|w| w.contains("could not apply"))
            {
                wrong.push(format!("{name}: {w}"));
            }
            let patched = common::apply_patch(object, patch);
            let after = decide(
                &common::request("CREATE", Some(&patched), None, USER, None),
                &engine,
                &settings,
            );
            for f in after.findings.iter().filter(|f| f.fix.is_some()) {
                wrong.push(format!(
                    "{name}: {} still has a fix to apply at {}",
                    f.id, f.path
                ));
            }
            let had = counts(&before.findings);
            for (k, n) in counts(&after.findings) {
                if n > had.get(&k).copied().unwrap_or(0) {
                    wrong.push(format!("{name}: {} reports more after the fixes", k.0));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} problems:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(
        patched_objects > 500,
        "only {patched_objects} objects were patched"
    );
    eprintln!("{patched_objects} objects patched with {fixes} fixes: every patch settled");
}

/// A pod with many containers is fixed in as many rounds as one container
/// has fixes, each round judging the pod once: the rounds used to be one
/// per fix, and a 1,600-container pod took 18 s in a release build (57 s
/// for 800 containers with every fix listed), holding a worker thread.
/// Every container still gets every fix, and the patch settles.
#[test]
fn many_containers_are_fixed_in_few_rounds() {
    let engine = common::engine(&common::every_fix_config(""));
    let settings = Settings::default();
    let n = 400;
    let containers: Vec<serde_json::Value> = (0..n)
        .map(|i| serde_json::json!({"name": format!("c{i}"), "image": "nginx:1"}))
        .collect();
    let pod = serde_json::json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "wide", "namespace": "shop"},
        "spec": {"containers": containers}
    });
    let req = common::request("CREATE", Some(&pod), None, USER, None);
    let start = std::time::Instant::now();
    let m = mutate(&req, &engine, &settings);
    let took = start.elapsed();
    let patch = m.response.patch.as_ref().expect("a patch");
    // The warnings are cut to their budget; the patch has every fix.
    let ops: Vec<serde_json::Value> = {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(patch)
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    };
    let first = ops
        .iter()
        .filter(|op| {
            op["path"]
                .as_str()
                .unwrap()
                .starts_with("/spec/containers/0/")
        })
        .count();
    let last = ops
        .iter()
        .filter(|op| {
            op["path"]
                .as_str()
                .unwrap()
                .starts_with(&format!("/spec/containers/{}/", n - 1))
        })
        .count();
    assert!(first >= 5 && first == last, "{first} {last}");
    let patched = common::apply_patch(&pod, patch);
    let after = decide(
        &common::request("CREATE", Some(&patched), None, USER, None),
        &engine,
        &settings,
    );
    assert!(
        after.findings.iter().all(|f| f.fix.is_none()),
        "{:?}",
        after
            .findings
            .iter()
            .filter(|f| f.fix.is_some())
            .map(|f| (&f.id, &f.path))
            .collect::<Vec<_>>()
    );
    // Per fix, this was about 10 s in a debug build; per container, well under 2.
    assert!(took < std::time::Duration::from_secs(8), "{took:?}");
    eprintln!("{n} containers fixed in {took:?}");
}

/// A fix that is unsafe on the object as sent and safe once another fix is
/// made is made in the same request: with `privileged: true` (or
/// CAP_SYS_ADMIN) `allowPrivilegeEscalation: false` would be refused by the
/// API server; once the first fix removes it, the second is safe. The
/// mutating webhook is called once (`reinvocationPolicy: Never`), so a
/// second request would never come.
#[test]
fn a_fix_made_safe_by_an_earlier_one_is_made_too() {
    let settings = Settings::default();
    for (check, security) in [
        ("runAsPrivileged", serde_json::json!({"privileged": true})),
        (
            "dangerousCapabilities",
            serde_json::json!({"capabilities": {"add": ["SYS_ADMIN"]}}),
        ),
    ] {
        let engine = common::engine(&format!(
            "mutations: [privilegeEscalationAllowed, {check}]\nadmission:\n  unsafeMutations: [{check}]\n"
        ));
        let pod = serde_json::json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": "shop"},
            "spec": {"containers": [{"name": "c", "image": "nginx:1.27", "securityContext": security}]}
        });
        let m = mutate(
            &common::request("CREATE", Some(&pod), None, USER, None),
            &engine,
            &settings,
        );
        let patch = m.response.patch.as_ref().expect("a patch");
        let patched = common::apply_patch(&pod, patch);
        let after = decide(
            &common::request("CREATE", Some(&patched), None, USER, None),
            &engine,
            &settings,
        );
        for id in ["privilegeEscalationAllowed", check] {
            assert!(
                !after.findings.iter().any(|f| &*f.id == id),
                "{check}: {id} left in {patched}"
            );
        }
        let again = mutate(
            &common::request("CREATE", Some(&patched), None, USER, None),
            &engine,
            &settings,
        );
        assert!(
            again.response.patch.is_none(),
            "{check}: settles in one request"
        );
    }
}
