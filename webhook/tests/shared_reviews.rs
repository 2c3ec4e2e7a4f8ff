//! The pure decision over every review a real kube-apiserver sent
//! (`../shared/admission-reviews`), with the built-in default configuration.

mod common;

use std::collections::BTreeSet;

use eyelint_policies::{Engine, Pass, Severity};
use eyelint_webhook::decide::Previous;
use eyelint_webhook::review::{self, Operation};
use eyelint_webhook::{decide, mutate, Outcome, Settings, Skip};
use serde_json::{json, Value};

fn settings() -> Settings {
    Settings {
        own_namespace: Some("eyelint-system".to_string()),
    }
}

/// What the engine alone says about an object (the local pass).
fn local(engine: &Engine, object: &Value) -> Vec<eyelint_policies::Finding> {
    engine.check(object, None, Pass::Local).findings
}

#[test]
fn every_shared_review_gets_the_expected_decision() {
    let reviews = common::shared_reviews();
    if reviews.is_empty() {
        return;
    }
    let engine = Engine::with_defaults().unwrap();
    let mut seen_paths = BTreeSet::new();
    for (name, body) in &reviews {
        let (api_version, req) = common::parse(body);
        let is_mutate = name.contains("-mutate-");
        let d = if is_mutate {
            mutate(&req, &engine, &settings())
        } else {
            decide(&req, &engine, &settings())
        };
        assert_eq!(d.response.uid, req.uid, "{name}: uid echoed");
        // The response renders in the request's apiVersion.
        let out: Value =
            serde_json::from_slice(&review::render(&api_version, &d.response).unwrap()).unwrap();
        assert_eq!(out["apiVersion"], json!(api_version), "{name}");
        assert_eq!(out["kind"], json!("AdmissionReview"), "{name}");

        match req.operation {
            Operation::Delete => {
                assert_eq!(d.outcome, Outcome::Skipped(Skip::Operation), "{name}");
                assert!(
                    d.response.allowed && d.response.warnings.is_empty(),
                    "{name}"
                );
                seen_paths.insert("delete");
                continue;
            }
            Operation::Create | Operation::Update => {}
            other => panic!("{name}: unexpected operation {other:?}"),
        }
        if req.effective_namespace() == "kube-system" {
            assert_eq!(d.outcome, Outcome::Skipped(Skip::ExemptNamespace), "{name}");
            assert!(d.response.allowed, "{name}");
            seen_paths.insert("exempt");
            continue;
        }
        let object = req.object.as_ref().unwrap();
        let expected = local(&engine, object);
        if is_mutate {
            assert!(d.response.allowed, "{name}: /mutate never denies");
            if let Some(p) = &d.response.patch {
                assert_eq!(d.response.patch_type, Some("JSONPatch"), "{name}");
                let patched = common::apply_patch(object, p);
                // Every applied fix's rule is gone from the patched object.
                let before: BTreeSet<String> = expected
                    .iter()
                    .filter(|f| engine.config().mutations.iter().any(|m| **m == *f.id))
                    .filter(|f| {
                        f.fix
                            .as_ref()
                            .is_some_and(|x| x.safety == eyelint_policies::FixSafety::Safe)
                    })
                    .map(|f| f.id.to_string())
                    .collect();
                let after: BTreeSet<String> = local(&engine, &patched)
                    .into_iter()
                    .map(|f| f.id.to_string())
                    .collect();
                for id in &before {
                    assert!(
                        !after.contains(id),
                        "{name}: {id} still fails after the patch"
                    );
                }
                seen_paths.insert("patched");
            } else {
                // Nothing to fix: no listed rule with a safe fix failed.
                assert!(
                    !expected.iter().any(|f| engine
                        .config()
                        .mutations
                        .iter()
                        .any(|m| **m == *f.id)
                        && f.fix
                            .as_ref()
                            .is_some_and(|x| x.safety == eyelint_policies::FixSafety::Safe)),
                    "{name}: a fixable finding was not fixed"
                );
            }
            continue;
        }
        // The webhook's findings are the engine's local pass.
        assert_eq!(d.findings, expected, "{name}");
        let mut denying: Vec<_> = expected
            .iter()
            .filter(|f| f.severity >= Severity::Danger)
            .collect();
        if req.operation == Operation::Update {
            let old = req.old_object.as_ref().unwrap();
            let previous = Previous::of(old, &local(&engine, old));
            let had = previous.had(object, &expected);
            let new: Vec<_> = expected.iter().zip(had).filter(|(_, had)| !had).collect();
            denying.retain(|f| new.iter().any(|(n, _)| std::ptr::eq(*n, *f)));
            seen_paths.insert("update");
        }
        assert_eq!(d.denying, denying.len(), "{name}");
        assert_eq!(d.response.allowed, denying.is_empty(), "{name}");
        if d.response.allowed {
            let status = d.response.status.as_ref();
            assert!(status.is_none(), "{name}");
            assert_eq!(
                !d.response.warnings.is_empty(),
                !expected.is_empty(),
                "{name}"
            );
            seen_paths.insert("allowed");
        } else {
            let status = d.response.status.as_ref().unwrap();
            assert_eq!(status.code, 403, "{name}");
            for f in &denying {
                assert!(
                    status.message.contains(&*f.id),
                    "{name}: {} not in {}",
                    f.id,
                    status.message
                );
                assert!(status.message.contains(&f.path.to_string()), "{name}");
            }
            seen_paths.insert("denied");
        }
        for w in &d.response.warnings {
            assert!(w.chars().count() <= 120, "{name}: {w}");
        }
        assert!(
            d.response.warnings.iter().map(String::len).sum::<usize>() <= 4096,
            "{name}"
        );
        eprintln!(
            "{name}: {} allowed={} findings={} denying={} warnings={}",
            d.outcome.as_str(),
            d.response.allowed,
            d.findings.len(),
            d.denying,
            d.response.warnings.len()
        );
    }
    for p in ["delete", "exempt", "update"] {
        assert!(
            seen_paths.contains(p),
            "no shared review took the {p} path: {seen_paths:?}"
        );
    }
}

#[test]
fn dry_run_reviews_are_judged_like_real_ones() {
    let reviews = common::shared_reviews();
    let mut checked = 0;
    let engine = Engine::with_defaults().unwrap();
    for (name, body) in &reviews {
        let (_, req) = common::parse(body);
        if req.dry_run != Some(true) || name.contains("-mutate-") {
            continue;
        }
        let mut real = req.clone();
        real.dry_run = Some(false);
        let a = decide(&req, &engine, &settings());
        let b = decide(&real, &engine, &settings());
        assert_eq!(a.response, b.response, "{name}");
        assert_eq!(a.findings, b.findings, "{name}");
        checked += 1;
    }
    if !reviews.is_empty() {
        assert!(checked > 0, "no dryRun review found");
    }
}

/// 14 and 15 are a pod with a ReplicaSet controller ownerReference, but sent
/// by a user: judged. Sent by the ReplicaSet controller: skipped.
#[test]
fn owned_pod_is_skipped_only_for_a_controller_identity() {
    let reviews = common::shared_reviews();
    let engine = Engine::with_defaults().unwrap();
    let mut checked = 0;
    for (name, body) in &reviews {
        let (api_version, req) = common::parse(body);
        let owned = req.operation == Operation::Create
            && req
                .object
                .as_ref()
                .is_some_and(eyelint_webhook::decide::controller_owned);
        if !owned {
            continue;
        }
        let as_user = decide(&req, &engine, &settings());
        assert!(
            !matches!(as_user.outcome, Outcome::Skipped(_)),
            "{name}: a user's pod is judged"
        );
        let mut as_controller = req.clone();
        as_controller.user_info.username =
            "system:serviceaccount:kube-system:replicaset-controller".to_string();
        let d = decide(&as_controller, &engine, &settings());
        assert_eq!(d.outcome, Outcome::Skipped(Skip::ControllerOwned), "{name}");
        assert!(d.response.allowed && d.response.warnings.is_empty());
        if api_version == review::V1BETA1 {
            let out: Value =
                serde_json::from_slice(&review::render(&api_version, &d.response).unwrap())
                    .unwrap();
            assert_eq!(out["apiVersion"], "admission.k8s.io/v1beta1");
        }
        checked += 1;
    }
    if !reviews.is_empty() {
        assert!(
            checked >= 2,
            "expected the two ReplicaSet-owned pod reviews"
        );
    }
}
