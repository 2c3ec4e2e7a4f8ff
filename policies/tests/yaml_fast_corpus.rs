//! The YAML loader's fast path against saphyr-parser on real manifests: every
//! `*.yaml`/`*.yml`/`*.json` file of `../shared/corpus/` and
//! `../shared/corpus_fixtures/` (skipped with a message when absent), and
//! workloads written the way `bench/gen_workloads.py` writes them. Each text
//! must load identically both ways (`yaml::differential`); the share of
//! documents the fast path handled itself is printed.

use std::path::{Path, PathBuf};

use eyelint_policies::yaml::{differential_share, Limits};

mod corpus_walk;
use corpus_walk::yaml_files;

fn shared() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared"));
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!(
            "SKIPPED: {} not found (shared reference material absent)",
            p.display()
        );
        None
    }
}

/// Checks every text; returns (documents the fast path handled, documents).
fn check_all<'a>(texts: impl Iterator<Item = (String, &'a str)>) -> (usize, usize) {
    let limits = Limits::default();
    let (mut fast, mut total) = (0, 0);
    let mut failures = Vec::new();
    for (name, text) in texts {
        match differential_share(text, &limits) {
            Ok(share) => {
                fast += share.fast;
                total += share.total;
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} texts load differently with the fast path:\n{}",
        failures.len(),
        failures.join("\n")
    );
    (fast, total)
}

fn percent(fast: usize, total: usize) -> f64 {
    100.0 * fast as f64 / total.max(1) as f64
}

#[test]
fn corpus_loads_alike_with_the_fast_path() {
    let Some(root) = shared() else { return };
    for sub in ["corpus", "corpus_fixtures"] {
        let dir = root.join(sub);
        if !dir.is_dir() {
            eprintln!("SKIPPED: {} not found", dir.display());
            continue;
        }
        let files = yaml_files(&dir);
        let texts: Vec<(String, String)> = files
            .iter()
            .filter_map(|f| {
                let text = std::fs::read_to_string(f).ok()?;
                Some((f.display().to_string(), text))
            })
            .collect();
        let (fast, total) = check_all(texts.iter().map(|(n, t)| (n.clone(), t.as_str())));
        eprintln!(
            "{sub}: {} files, {total} documents, {fast} handled by the fast path ({:.1}%)",
            texts.len(),
            percent(fast, total)
        );
        assert!(total > 0);
    }
}

/// One object as `bench/gen_workloads.py` writes it.
fn workload(i: usize) -> String {
    const KINDS: [(&str, &str); 5] = [
        ("apps/v1", "Deployment"),
        ("apps/v1", "StatefulSet"),
        ("apps/v1", "DaemonSet"),
        ("batch/v1", "Job"),
        ("batch/v1", "CronJob"),
    ];
    let container = |name: &str, i: usize, privileged: bool| {
        let tag = if i % 7 == 0 {
            "latest".to_string()
        } else {
            format!("1.{}.{}", i % 13, i % 5)
        };
        let probes = if i % 4 != 0 {
            "            readinessProbe: {httpGet: {path: /ready, port: 8080}, periodSeconds: 10}\n            livenessProbe: {httpGet: {path: /healthz, port: 8080}}\n"
        } else {
            ""
        };
        format!(
            "          - name: {name}\n            image: registry.example.com/team-{}/{name}:{tag}\n            imagePullPolicy: Always\n            env:\n              - {{name: MODE, value: {}}}\n            resources:\n              requests: {{cpu: 100m, memory: 128Mi}}\n              limits: {{cpu: 500m, memory: 256Mi}}\n{probes}            securityContext:\n              privileged: {privileged}\n              allowPrivilegeEscalation: false\n              runAsNonRoot: true\n              capabilities: {{drop: [ALL]}}\n",
            i % 17,
            ["fast", "safe", "debug"][i % 3]
        )
    };
    let (api, kind) = KINDS[i % KINDS.len()];
    let name = format!("app-{i:05}");
    let init = if i % 10 == 0 {
        format!("        initContainers:\n{}", container("init", i, false))
    } else {
        String::new()
    };
    let sidecar = if i % 2 == 0 {
        container("sidecar", i + 1, false)
    } else {
        String::new()
    };
    let pod = format!(
        "      metadata:\n        labels:\n          app.kubernetes.io/name: {name}\n          app.kubernetes.io/instance: {name}\n          tier: backend\n      spec:\n        serviceAccountName: {name}\n        automountServiceAccountToken: false\n        hostNetwork: {}\n{init}        containers:\n{}{sidecar}",
        i % 50 == 0,
        container("app", i, i % 101 == 0)
    );
    let body = if kind == "CronJob" {
        let pod: String = pod.lines().map(|l| format!("  {l}\n")).collect();
        format!("  schedule: \"*/5 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n{pod}")
    } else {
        let mut body = String::new();
        if kind == "Deployment" || kind == "StatefulSet" {
            body.push_str(&format!("  replicas: {}\n", 1 + i % 4));
        }
        if kind != "Job" {
            body.push_str(&format!(
                "  selector:\n    matchLabels:\n      app.kubernetes.io/name: {name}\n"
            ));
        }
        let pod: String = pod.lines().map(|l| format!("{}\n", &l[2..])).collect();
        body.push_str(&format!("  template:\n{pod}"));
        body
    };
    format!(
        "apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {name}\n  namespace: team-{}\n  labels:\n    app.kubernetes.io/name: {name}\n    owner: platform\nspec:\n{body}",
        i % 17
    )
}

#[test]
fn generated_workloads_load_alike_with_the_fast_path() {
    let docs: Vec<String> = (0..60).map(workload).collect();
    let stream = docs.join("---\n");
    let crlf = stream.replace('\n', "\r\n");
    let with_bom = format!("\u{feff}{stream}");
    let mut texts = vec![
        ("generated".to_string(), stream.as_str()),
        ("generated, CRLF".to_string(), crlf.as_str()),
        ("generated, BOM".to_string(), with_bom.as_str()),
    ];
    // The benchmark's workloads, when `bench/run.sh` has written them.
    let bench = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/bench-data/workloads/workloads-0000.yaml");
    let written = std::fs::read_to_string(&bench).unwrap_or_default();
    if !written.is_empty() {
        texts.push((bench.display().to_string(), written.as_str()));
    }
    let (fast, total) = check_all(texts.into_iter());
    eprintln!(
        "generated workloads: {total} documents, {fast} handled by the fast path ({:.1}%)",
        percent(fast, total)
    );
    assert_eq!(
        fast, total,
        "the fast path handles every generated workload"
    );
}
