//! eyelint agrees with kube-score's own expectations on kube-score's test
//! manifests, wherever the two judge the same thing.
//!
//! kube-score's Go tests (`score/*_test.go` in zegl/kube-score) score one
//! manifest of `score/testdata/` and expect a grade for one check:
//! `Critical` or `Warning` (the object fails) or `AllOK` (it passes). Those
//! manifests are in `../shared/corpus_fixtures/zegl__kube-score`; the table
//! below records the expectations, taken from those tests, for the kube-score
//! checks that have eyelint counterparts, as kube-score's default
//! configuration scores them (and two with its replica threshold set to
//! eyelint's). eyelint, run with only the counterpart rules,
//! must fail the manifest exactly where kube-score fails it, except where the
//! rules are deliberately different, listed in `DIFFERENT` with eyelint's
//! own answer and why.
//!
//! Skips, saying so, when ../shared is absent.

mod common;

const RESOURCES: &[&str] = &[
    "cpuRequestsMissing",
    "cpuLimitsMissing",
    "memoryRequestsMissing",
    "memoryLimitsMissing",
];
const PDB: &[&str] = &["missingPodDisruptionBudget"];
const SPREAD: &[&str] = &["topologySpreadConstraint"];

/// (manifest under score/testdata/, kube-score check, eyelint rules, the
/// grade kube-score's test expects).
const SAME: &[(&str, &str, &[&str], &str)] = &[
    (
        "pod-test-resources-none.yaml",
        "Container Resources",
        RESOURCES,
        "Critical",
    ),
    (
        "pod-test-resources-limits-and-requests.yaml",
        "Container Resources",
        RESOURCES,
        "AllOK",
    ),
    (
        "pod-image-tag-latest.yaml",
        "Container Image Tag",
        &["tagNotSpecified"],
        "Critical",
    ),
    (
        "pod-image-tag-fixed.yaml",
        "Container Image Tag",
        &["tagNotSpecified"],
        "AllOK",
    ),
    (
        "pod-image-pullpolicy-undefined.yaml",
        "Container Image Pull Policy",
        &["pullPolicyNotAlways"],
        "Critical",
    ),
    (
        "pod-image-pullpolicy-never.yaml",
        "Container Image Pull Policy",
        &["pullPolicyNotAlways"],
        "Critical",
    ),
    (
        "pod-image-pullpolicy-always.yaml",
        "Container Image Pull Policy",
        &["pullPolicyNotAlways"],
        "AllOK",
    ),
    (
        "pod-security-context-all-good.yaml",
        "Container Security Context Privileged",
        &["runAsPrivileged"],
        "AllOK",
    ),
    (
        "pod-security-context-privileged.yaml",
        "Container Security Context Privileged",
        &["runAsPrivileged"],
        "Critical",
    ),
    (
        "pod-security-context-all-good.yaml",
        "Container Security Context ReadOnlyRootFilesystem",
        &["notReadOnlyRootFilesystem"],
        "AllOK",
    ),
    (
        "pod-security-context-writeablerootfilesystem.yaml",
        "Container Security Context ReadOnlyRootFilesystem",
        &["notReadOnlyRootFilesystem"],
        "Critical",
    ),
    (
        "pod-security-context-nosecuritycontext.yaml",
        "Container Security Context ReadOnlyRootFilesystem",
        &["notReadOnlyRootFilesystem"],
        "Critical",
    ),
    (
        "service-target-deployment.yaml",
        "Deployment Replicas",
        &["deploymentMissingReplicas"],
        "AllOK",
    ),
    (
        "hpa-min-replicas-ok.yaml",
        "HorizontalPodAutoscaler Replicas",
        &["hpaMinAvailability"],
        "AllOK",
    ),
    (
        "networkpolicy-not-matching.yaml",
        "Pod NetworkPolicy",
        &["missingNetworkPolicy"],
        "Critical",
    ),
    (
        "networkpolicy-matching.yaml",
        "Pod NetworkPolicy",
        &["missingNetworkPolicy"],
        "AllOK",
    ),
    (
        "networkpolicy-matching-only-ingress.yaml",
        "Pod NetworkPolicy",
        &["missingNetworkPolicy"],
        "Warning",
    ),
    (
        "networkpolicy-matching-only-egress.yaml",
        "Pod NetworkPolicy",
        &["missingNetworkPolicy"],
        "Warning",
    ),
    (
        "networkpolicy-deployment-matching.yaml",
        "Pod NetworkPolicy",
        &["missingNetworkPolicy"],
        "AllOK",
    ),
    (
        "networkpolicy-statefulset-matching.yaml",
        "Pod NetworkPolicy",
        &["missingNetworkPolicy"],
        "AllOK",
    ),
    (
        "networkpolicy-cronjob-matching.yaml",
        "Pod NetworkPolicy",
        &["missingNetworkPolicy"],
        "AllOK",
    ),
    (
        "networkpolicy-deployment-not-matching-selector.yaml",
        "Pod NetworkPolicy",
        &["missingNetworkPolicy"],
        "Critical",
    ),
    (
        "networkpolicy-statefulset-not-matching-selector.yaml",
        "Pod NetworkPolicy",
        &["missingNetworkPolicy"],
        "Critical",
    ),
    (
        "networkpolicy-cronjob-not-matching-selector.yaml",
        "Pod NetworkPolicy",
        &["missingNetworkPolicy"],
        "Critical",
    ),
    (
        "statefulset-poddisruptionbudget-v1beta1-matches.yaml",
        "StatefulSet has PodDisruptionBudget",
        PDB,
        "AllOK",
    ),
    (
        "statefulset-poddisruptionbudget-v1beta1-expression-matches.yaml",
        "StatefulSet has PodDisruptionBudget",
        PDB,
        "AllOK",
    ),
    (
        "statefulset-poddisruptionbudget-v1beta1-expression-no-match.yaml",
        "StatefulSet has PodDisruptionBudget",
        PDB,
        "Critical",
    ),
    (
        "statefulset-poddisruptionbudget-v1beta1-no-match.yaml",
        "StatefulSet has PodDisruptionBudget",
        PDB,
        "Critical",
    ),
    (
        "deployment-poddisruptionbudget-v1beta1-matches.yaml",
        "Deployment has PodDisruptionBudget",
        PDB,
        "AllOK",
    ),
    (
        "deployment-poddisruptionbudget-v1beta1-expression-matches.yaml",
        "Deployment has PodDisruptionBudget",
        PDB,
        "AllOK",
    ),
    (
        "deployment-poddisruptionbudget-v1beta1-expression-no-match.yaml",
        "Deployment has PodDisruptionBudget",
        PDB,
        "Critical",
    ),
    (
        "deployment-poddisruptionbudget-v1beta1-no-match.yaml",
        "Deployment has PodDisruptionBudget",
        PDB,
        "Critical",
    ),
    (
        "deployment-poddisruptionbudget-v1-matches.yaml",
        "Deployment has PodDisruptionBudget",
        PDB,
        "AllOK",
    ),
    (
        "deployment-poddisruptionbudget-v1-no-match.yaml",
        "Deployment has PodDisruptionBudget",
        PDB,
        "Critical",
    ),
    (
        "deployment-poddisruptionbudget-v1-different-namespace.yaml",
        "Deployment has PodDisruptionBudget",
        PDB,
        "Critical",
    ),
    (
        "pod-topology-spread-constraints-one-constraint.yaml",
        "Pod Topology Spread Constraints",
        SPREAD,
        "AllOK",
    ),
    (
        "pod-topology-spread-constraints-two-constraints.yaml",
        "Pod Topology Spread Constraints",
        SPREAD,
        "AllOK",
    ),
    (
        "pod-topology-spread-constraints-no-labelselector.yaml",
        "Pod Topology Spread Constraints",
        SPREAD,
        "Critical",
    ),
    (
        "pod-topology-spread-constraints-invalid-maxskew.yaml",
        "Pod Topology Spread Constraints",
        SPREAD,
        "Critical",
    ),
    (
        "pod-topology-spread-constraints-invalid-mindomains.yaml",
        "Pod Topology Spread Constraints",
        SPREAD,
        "Critical",
    ),
    (
        "pod-topology-spread-constraints-no-topologykey.yaml",
        "Pod Topology Spread Constraints",
        SPREAD,
        "Critical",
    ),
    (
        "pod-topology-spread-constraints-invalid-whenunsatisfiable.yaml",
        "Pod Topology Spread Constraints",
        SPREAD,
        "Critical",
    ),
];

/// Expectations kube-score's tests state with its replica threshold set to
/// eyelint's (2; kube-score's own default differs): (manifest, check,
/// eyelint rules, grade).
const AT_EYELINTS_THRESHOLD: &[(&str, &str, &[&str], &str)] = &[
    (
        "service-target-deployment-replica-1.yaml",
        "Deployment Replicas",
        &["deploymentMissingReplicas"],
        "Warning",
    ),
    (
        "hpa-min-replicas-nok.yaml",
        "HorizontalPodAutoscaler Replicas",
        &["hpaMinAvailability"],
        "Warning",
    ),
];

/// (manifest, kube-score check, eyelint rules, kube-score's grade, whether
/// eyelint fails it, why they differ).
type Different = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
    bool,
    &'static str,
);
const DIFFERENT: &[Different] = &[
    ("pod-test-resources-only-limits.yaml", "Container Resources", RESOURCES, "Warning", false,
        "limits without requests: the API server copies each limit into the missing request"),
    ("deployment-test-resources.yaml", "Container Resources", RESOURCES, "Warning", false,
        "limits without requests, as above"),
    ("statefulset-test-resources.yaml", "Container Resources", RESOURCES, "Warning", false,
        "limits without requests, as above"),
    ("pod-image-pullpolicy-undefined-latest-tag.yaml", "Container Image Pull Policy", &["pullPolicyNotAlways"], "AllOK", true,
        "no pull policy on a latest image: the API server defaults it to Always, but eyelint (like Polaris) wants it written, since adding a tag silently turns it into IfNotPresent"),
    ("pod-image-pullpolicy-undefined-no-tag.yaml", "Container Image Pull Policy", &["pullPolicyNotAlways"], "AllOK", true,
        "no pull policy on an untagged image, as above"),
];

/// Whether eyelint, with `rules` only, reports anything on `file`.
fn fails(file: &std::path::Path, rules: &[&str]) -> bool {
    !common::findings_of(file, rules).is_empty()
}

fn kube_score_fails(grade: &str) -> bool {
    match grade {
        "Critical" | "Warning" => true,
        "AllOK" => false,
        other => panic!("unknown grade {other}"),
    }
}

#[test]
fn kube_score_fixtures_are_judged_as_its_tests_expect() {
    let Some(shared) = common::shared() else {
        eprintln!("SKIP: ../shared not found");
        return;
    };
    let dir = shared.join("corpus_fixtures/zegl__kube-score/score/testdata");
    let mut problems = Vec::new();
    for (file, check, rules, grade) in SAME.iter().chain(AT_EYELINTS_THRESHOLD) {
        let ours = fails(&dir.join(file), rules);
        if ours != kube_score_fails(grade) {
            let verdict = if ours { "fails" } else { "passes" };
            problems.push(format!(
                "{check} ({file}): kube-score expects {grade}, eyelint {verdict} it"
            ));
        }
    }
    for (file, check, rules, grade, eyelint_fails, why) in DIFFERENT {
        let ours = fails(&dir.join(file), rules);
        if ours != *eyelint_fails {
            problems.push(format!(
                "{check} ({file}): eyelint was expected to {} it ({why})",
                if *eyelint_fails { "fail" } else { "pass" }
            ));
        }
        assert_ne!(
            ours,
            kube_score_fails(grade),
            "{check} ({file}): no longer different; move it to SAME"
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    eprintln!(
        "{} kube-score expectations met, {} deliberately different",
        SAME.len() + AT_EYELINTS_THRESHOLD.len(),
        DIFFERENT.len()
    );
}
