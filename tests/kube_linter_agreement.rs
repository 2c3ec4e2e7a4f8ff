//! eyelint agrees with kube-linter's own expectations on kube-linter's test
//! manifests, wherever the two judge the same thing.
//!
//! kube-linter's end-to-end tests (`e2etests/bats-tests.sh` in
//! stackrox/kube-linter) run one check on one manifest of `tests/checks/`
//! and expect a number of reports, each on an object of a given kind. Those
//! manifests are in `../shared/corpus_fixtures/stackrox__kube-linter`; the
//! table below records, for each kube-linter check with an eyelint
//! counterpart, the kinds of the objects it expects to report (one entry per
//! report, per container where the check is per container), taken from those
//! tests. eyelint, run with only the counterpart rules, must report objects
//! of exactly those kinds, and none of the manifest's objects named
//! `dont-fire…` — except where the rules are deliberately different, listed
//! in `DIFFERENT` with what eyelint reports instead.
//!
//! Skips, saying so, when ../shared is absent.

mod common;

/// (manifest under tests/checks/, kube-linter check, eyelint rules, the
/// kinds kube-linter's tests expect reported).
const SAME: &[(&str, &str, &[&str], &[&str])] = &[
    (
        "cluster-admin-role-binding.yml",
        "cluster-admin-role-binding",
        &["clusterrolebindingClusterAdmin"],
        &["ClusterRoleBinding"],
    ),
    (
        "env-var-secret.yml",
        "env-var-secret",
        &["sensitiveContainerEnvVar"],
        &["Deployment", "DeploymentConfig"],
    ),
    (
        "host-ipc.yml",
        "host-ipc",
        &["hostIPCSet"],
        &["Deployment", "DeploymentConfig"],
    ),
    (
        "host-network.yml",
        "host-network",
        &["hostNetworkSet"],
        &["Deployment", "DeploymentConfig"],
    ),
    (
        "host-pid.yml",
        "host-pid",
        &["hostPIDSet"],
        &["Deployment", "DeploymentConfig"],
    ),
    (
        "latest-tag.yml",
        "latest-tag",
        &["tagNotSpecified"],
        &["Deployment", "DeploymentConfig"],
    ),
    (
        "no-liveness-probe.yml",
        "no-liveness-probe",
        &["livenessProbeMissing"],
        &["Deployment", "DeploymentConfig"],
    ),
    (
        "no-read-only-root-fs.yml",
        "no-read-only-root-fs",
        &["notReadOnlyRootFilesystem"],
        &["Deployment", "DeploymentConfig"],
    ),
    (
        "no-readiness-probe.yml",
        "no-readiness-probe",
        &["readinessProbeMissing"],
        &["Deployment", "DeploymentConfig"],
    ),
    (
        "privilege-escalation-container.yml",
        "privilege-escalation-container",
        &["privilegeEscalationAllowed"],
        &["Deployment", "DeploymentConfig"],
    ),
    (
        "privileged-container.yml",
        "privileged-container",
        &["runAsPrivileged"],
        &["Deployment", "DeploymentConfig"],
    ),
    (
        "run-as-non-root.yml",
        "run-as-non-root",
        &["runAsRootAllowed"],
        &["Deployment", "DeploymentConfig"],
    ),
    (
        "sensitive-host-mounts.yml",
        "sensitive-host-mounts",
        &["hostPathSet"],
        &["Deployment", "DeploymentConfig"],
    ),
    (
        "unsafe-proc-mount.yml",
        "unsafe-proc-mount",
        &["procMount"],
        &["Deployment", "DeploymentConfig"],
    ),
    (
        "unset-cpu-requirements.yml",
        "unset-cpu-requirements",
        &["cpuRequestsMissing", "cpuLimitsMissing"],
        &[
            "Deployment",
            "Deployment",
            "DeploymentConfig",
            "DeploymentConfig",
        ],
    ),
    (
        "unset-memory-requirements.yml",
        "unset-memory-requirements",
        &["memoryRequestsMissing", "memoryLimitsMissing"],
        &[
            "Deployment",
            "Deployment",
            "DeploymentConfig",
            "DeploymentConfig",
        ],
    ),
    (
        "writable-host-mount.yml",
        "writable-host-mount",
        &["hostPathSet"],
        &["Deployment", "DeploymentConfig"],
    ),
];

/// Checks whose eyelint counterpart is deliberately different: (manifest,
/// kube-linter check, eyelint rules, kube-linter's expected kinds, the
/// objects eyelint reports as `Kind/name`, why).
type Different = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
    &'static str,
);
const DIFFERENT: &[Different] = &[
    (
        "docker-sock.yml",
        "docker-sock",
        &["hostPathSet"],
        &["Deployment", "DeploymentConfig"],
        &["Deployment/app", "Deployment/dont-fire", "DeploymentConfig/app", "DeploymentConfig/dont-fire"],
        "hostPathSet fails every hostPath volume (Polaris's check); kube-linter's looks for the Docker socket only",
    ),
    (
        "non-isolated-pod.yml",
        "non-isolated-pod",
        &["missingNetworkPolicy"],
        &["Deployment", "DeploymentConfig"],
        &["Deployment/app1", "Deployment/dont-fire", "DeploymentConfig/app2", "DeploymentConfig/dont-fire"],
        "missingNetworkPolicy wants ingress and egress isolated; the dont-fire pods' policies isolate ingress only",
    ),
    (
        "minimum-three-replicas.yml",
        "minimum-three-replicas",
        &["deploymentMissingReplicas"],
        &["Deployment", "DeploymentConfig"],
        &[],
        "deploymentMissingReplicas wants 2 replicas (Polaris's threshold), kube-linter 3; the manifest's lowest is 2",
    ),
    (
        "hpa-minimum-three-replicas.yml",
        "hpa-minimum-three-replicas",
        &["hpaMinAvailability"],
        &["HorizontalPodAutoscaler"],
        &[],
        "hpaMinAvailability wants minReplicas of 2 (Polaris's threshold), kube-linter 3; the manifest's lowest is 2",
    ),
];

/// The `Kind/name` of every object eyelint reports on `file` with `rules` only.
fn reported(file: &std::path::Path, rules: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = common::findings_of(file, rules)
        .iter()
        .map(|f| {
            format!(
                "{}/{}",
                f["kind"].as_str().unwrap_or("?"),
                f["name"].as_str().unwrap_or("?")
            )
        })
        .collect();
    out.sort();
    out
}

fn kinds(objects: &[String]) -> Vec<&str> {
    let mut k: Vec<&str> = objects.iter().filter_map(|o| o.split('/').next()).collect();
    k.sort_unstable();
    k
}

#[test]
fn kube_linter_fixtures_are_judged_as_its_tests_expect() {
    let Some(shared) = common::shared() else {
        eprintln!("SKIP: ../shared not found");
        return;
    };
    let dir = shared.join("corpus_fixtures/stackrox__kube-linter/tests/checks");
    let mut problems = Vec::new();
    for (file, check, rules, expected) in SAME {
        let objects = reported(&dir.join(file), rules);
        let mut expected = expected.to_vec();
        expected.sort_unstable();
        if kinds(&objects) != expected {
            problems.push(format!(
                "{check} ({file}): kube-linter expects {expected:?}, eyelint reports {objects:?}"
            ));
        }
        if let Some(o) = objects.iter().find(|o| o.contains("/dont-fire")) {
            problems.push(format!(
                "{check} ({file}): eyelint reports {o}, which kube-linter's test expects to pass"
            ));
        }
    }
    for (file, check, rules, theirs, ours, why) in DIFFERENT {
        let objects = reported(&dir.join(file), rules);
        if objects != *ours {
            problems.push(format!("{check} ({file}): eyelint was expected to report {ours:?} ({why}), reports {objects:?}"));
        }
        let mut theirs = theirs.to_vec();
        theirs.sort_unstable();
        assert_ne!(
            kinds(&objects),
            theirs,
            "{check}: no longer different; move it to SAME"
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    eprintln!(
        "{} kube-linter checks judged alike, {} deliberately differently",
        SAME.len(),
        DIFFERENT.len()
    );
}
