//! Cross-object security rules: missingNetworkPolicy and
//! automountServiceAccountToken, in one pass and in the streaming mode
//! (pruned subjects), with partial coverage.

mod security_support;

use std::collections::BTreeSet;

use eyelint_policies::{Coverage, Pass};
use security_support::*;
use serde_json::{json, Value};

fn netpol(name: &str, ns: &str, spec: Value) -> Value {
    json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
           "metadata": {"name": name, "namespace": ns}, "spec": spec})
}

fn web() -> Value {
    deployment(json!({"containers": [{"name": "a", "image": "x:1"}]}))
}

fn np(policies: &[Value]) -> usize {
    let mut objs = vec![web()];
    objs.extend_from_slice(policies);
    findings("missingNetworkPolicy", &objs).len()
}

#[test]
fn network_policy_selection_and_types() {
    // No policy at all.
    assert_eq!(np(&[]), 1);
    // Default deny for the namespace (empty selector, both types, no rules): passes (Polaris #1088).
    assert_eq!(
        np(&[netpol(
            "deny",
            "shop",
            json!({"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})
        )]),
        0
    );
    // Same policy in another namespace does not count.
    assert_eq!(
        np(&[netpol(
            "deny",
            "other",
            json!({"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})
        )]),
        1
    );
    // Selector that does not match.
    assert_eq!(
        np(&[netpol(
            "p",
            "shop",
            json!({"podSelector": {"matchLabels": {"app": "db"}}, "policyTypes": ["Ingress", "Egress"]})
        )]),
        1
    );
    // matchExpressions.
    assert_eq!(
        np(&[netpol(
            "p",
            "shop",
            json!({"podSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "api"]}]}, "policyTypes": ["Ingress", "Egress"]})
        )]),
        0
    );
    // Only ingress isolated.
    assert_eq!(
        np(&[netpol(
            "p",
            "shop",
            json!({"podSelector": {}, "policyTypes": ["Ingress"]})
        )]),
        1
    );
    // No policyTypes: Ingress implied, Egress implied only by egress rules.
    assert_eq!(
        np(&[netpol(
            "p",
            "shop",
            json!({"podSelector": {}, "ingress": [{}]})
        )]),
        1
    );
    assert_eq!(
        np(&[netpol(
            "p",
            "shop",
            json!({"podSelector": {}, "egress": [{"to": [{"podSelector": {}}]}]})
        )]),
        0
    );
    // Missing podSelector is treated as empty.
    assert_eq!(
        np(&[netpol(
            "p",
            "shop",
            json!({"policyTypes": ["Ingress", "Egress"]})
        )]),
        0
    );
    // Two policies, one per direction: isolation is the union.
    assert_eq!(
        np(&[
            netpol(
                "in",
                "shop",
                json!({"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress"]})
            ),
            netpol(
                "out",
                "shop",
                json!({"podSelector": {}, "policyTypes": ["Egress"]})
            ),
        ]),
        0
    );
    // One of them not selecting the pod: ingress only.
    assert_eq!(
        np(&[
            netpol(
                "in",
                "shop",
                json!({"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress"]})
            ),
            netpol(
                "out",
                "shop",
                json!({"podSelector": {"matchLabels": {"app": "db"}}, "policyTypes": ["Egress"]})
            ),
        ]),
        1
    );
}

#[test]
fn network_policy_several_matching_labels_and_unlabelled_pods() {
    let mut d = web();
    d["spec"]["template"]["metadata"]["labels"] = json!({"app": "web", "tier": "front"});
    let p = netpol(
        "p",
        "shop",
        json!({"podSelector": {"matchLabels": {"app": "web", "tier": "front"}}, "policyTypes": ["Ingress", "Egress"]}),
    );
    assert!(findings("missingNetworkPolicy", &[d, p]).is_empty());
    // A pod without labels is selected by an empty selector only.
    let bare = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bare", "namespace": "shop"},
                      "spec": {"containers": [{"name": "a", "image": "x:1"}]}});
    let all = netpol(
        "p",
        "shop",
        json!({"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}),
    );
    assert!(findings("missingNetworkPolicy", &[bare.clone(), all]).is_empty());
    let some = netpol(
        "p",
        "shop",
        json!({"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress", "Egress"]}),
    );
    let f = findings("missingNetworkPolicy", &[bare, some]);
    assert_eq!(paths(&f), vec!["metadata"]);
}

#[test]
fn network_policy_finding_path_and_message() {
    let f = findings("missingNetworkPolicy", &[web()]);
    assert_eq!(paths(&f), vec!["spec.template.metadata.labels"]);
    assert_eq!(
        f[0].message,
        "no NetworkPolicy in the namespace selects the pod"
    );
    assert!(f[0].container.is_none());
}

#[test]
fn network_policy_not_evaluated_without_coverage() {
    let engine = engine_for("missingNetworkPolicy");
    let coverage = Coverage::Kinds(BTreeSet::from(["Deployment".to_string()]));
    let evals = engine.check_all(&[web()], coverage);
    assert!(evals[0].findings.is_empty());
    assert_eq!(evals[0].not_evaluated.len(), 1);
    assert_eq!(&*evals[0].not_evaluated[0].id, "missingNetworkPolicy");
}

fn sa(name: &str, automount: Option<bool>) -> Value {
    let mut v = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": "shop"}});
    if let Some(a) = automount {
        v["automountServiceAccountToken"] = json!(a);
    }
    v
}

fn with_sa(pod_fields: Value) -> Value {
    let mut spec = json!({"containers": [{"name": "a", "image": "x:1"}]});
    if let (Some(m), Value::Object(extra)) = (spec.as_object_mut(), pod_fields) {
        m.extend(extra);
    }
    deployment(spec)
}

#[test]
fn automount_decision_table() {
    let id = "automountServiceAccountToken";
    // Pod false: passes whatever the SA says, even without the SA.
    for extra in [vec![], vec![sa("web", Some(true))]] {
        let mut objs = vec![with_sa(
            json!({"serviceAccountName": "web", "automountServiceAccountToken": false}),
        )];
        objs.extend(extra);
        let e = run(id, &objs).remove(0);
        assert!(e.findings.is_empty() && e.not_evaluated.is_empty());
        assert_eq!(e.passed, 1);
    }
    // Pod true: fails even when the SA disables it.
    let f = findings(
        id,
        &[
            with_sa(json!({"serviceAccountName": "web", "automountServiceAccountToken": true})),
            sa("web", Some(false)),
        ],
    );
    assert_eq!(
        paths(&f),
        vec!["spec.template.spec.automountServiceAccountToken"]
    );
    // Unset: the SA decides.
    assert!(findings(
        id,
        &[
            with_sa(json!({"serviceAccountName": "web"})),
            sa("web", Some(false))
        ]
    )
    .is_empty());
    let f = findings(
        id,
        &[
            with_sa(json!({"serviceAccountName": "web"})),
            sa("web", None),
        ],
    );
    assert_eq!(paths(&f), vec!["spec.template.spec"]);
    assert!(f[0].message.contains("`web`"), "{}", f[0].message);
    // The deprecated serviceAccount field, and the default SA.
    assert_eq!(
        findings(
            id,
            &[
                with_sa(json!({"serviceAccount": "web"})),
                sa("web", Some(true))
            ]
        )
        .len(),
        1
    );
    assert!(findings(id, &[with_sa(json!({})), sa("default", Some(false))]).is_empty());
    // An SA of the same name in another namespace does not count.
    let mut other = sa("web", Some(false));
    other["metadata"]["namespace"] = json!("other");
    let e = run(id, &[with_sa(json!({"serviceAccountName": "web"})), other]).remove(0);
    assert!(e.findings.is_empty());
    assert_eq!(e.not_evaluated.len(), 1);
    assert!(
        e.not_evaluated[0].reason.contains("`web`"),
        "{}",
        e.not_evaluated[0].reason
    );
    // The built-in default SA is never in the input: not evaluated, not a finding.
    let e = run(id, &[with_sa(json!({}))]).remove(0);
    assert!(e.findings.is_empty());
    assert_eq!(e.not_evaluated.len(), 1);
    // Fixes apply to the full object and resolve the finding.
    let d = with_sa(json!({"serviceAccountName": "web"}));
    let f = findings(id, &[d.clone(), sa("web", None)]);
    let fixed = f[0].fix.as_ref().unwrap().apply(&d).unwrap();
    assert!(findings(id, &[fixed, sa("web", None)]).is_empty());
}

#[test]
fn cross_rules_agree_in_streaming_mode() {
    // The linter keeps pruned copies and runs the cross pass at the end.
    for id in ["automountServiceAccountToken", "missingNetworkPolicy"] {
        let engine = engine_for(id);
        let mut d = with_sa(json!({"serviceAccountName": "web", "hostNetwork": false}));
        d["spec"]["template"]["metadata"]["labels"] = json!({"app": "web", "tier": "front"});
        let cases = [
            vec![d.clone(), sa("web", None)],
            vec![d.clone(), sa("web", Some(false))],
            vec![
                d.clone(),
                netpol(
                    "p",
                    "shop",
                    json!({"podSelector": {"matchLabels": {"tier": "front"}}, "policyTypes": ["Ingress", "Egress"]}),
                ),
            ],
            vec![d.clone()],
        ];
        for objs in cases {
            let whole = engine.check_all(&objs, Coverage::All).remove(0);
            let mut index = engine.new_index(Coverage::All);
            for o in &objs {
                index.add(o);
            }
            let subject = engine.cross_subject(&objs[0]).expect("cross subject");
            let streamed = engine.check(&subject, Some(&index), Pass::Cross);
            assert_eq!(
                whole
                    .findings
                    .iter()
                    .map(|f| (&f.path, &f.message))
                    .collect::<Vec<_>>(),
                streamed
                    .findings
                    .iter()
                    .map(|f| (&f.path, &f.message))
                    .collect::<Vec<_>>(),
                "{id}"
            );
            assert_eq!(
                whole.not_evaluated.len(),
                streamed.not_evaluated.len(),
                "{id}"
            );
            assert_eq!(whole.passed, streamed.passed, "{id}");
        }
    }
}

#[test]
fn cross_rules_skipped_without_index() {
    for id in ["automountServiceAccountToken", "missingNetworkPolicy"] {
        let e = engine_for(id).check(&web(), None, Pass::All);
        assert!(
            e.findings.is_empty() && e.not_evaluated.is_empty() && e.passed == 0,
            "{id}"
        );
    }
}

#[test]
fn automount_with_partial_coverage() {
    let id = "automountServiceAccountToken";
    let engine = engine_for(id);
    let coverage = || Coverage::Kinds(BTreeSet::from(["Deployment".to_string()]));
    // Unset on the pod and ServiceAccounts not collected: not evaluated.
    let e = engine
        .check_all(&[with_sa(json!({"serviceAccountName": "web"}))], coverage())
        .remove(0);
    assert!(e.findings.is_empty());
    assert_eq!(e.not_evaluated.len(), 1);
    // An explicit true needs no ServiceAccount: still a finding.
    let e = engine
        .check_all(
            &[with_sa(json!({"automountServiceAccountToken": true}))],
            coverage(),
        )
        .remove(0);
    assert_eq!(e.findings.len(), 1);
}
