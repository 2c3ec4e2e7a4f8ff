//! Engine benchmarks: the full default rule set on a typical 2-container
//! Deployment (target: ≤ 20 µs median on the 2-core reference machine), and on
//! every object of `../shared/corpus/` (skipped when absent), plus a linearity
//! probe: the same Deployment repeated 1,000 and 10,000 times through the
//! cross-object path (index + both passes), which must scale linearly.
//!
//! Run: `cargo bench -p eyelint-policies --bench engine`

use std::path::{Path, PathBuf};

// The eyelint and eyelint-webhook binaries run the engine on mimalloc; measure
// it the way it runs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use eyelint_policies::object::expand_lists;
use eyelint_policies::{yaml, Coverage, Engine, Pass};
use serde_json::{json, Value};

/// A typical Deployment: an app container and a sidecar, probes on the app,
/// resources on both, a partial security context.
pub fn typical_deployment(i: usize) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": format!("web-{i}"), "namespace": "shop",
                     "labels": {"app.kubernetes.io/name": "web", "app.kubernetes.io/instance": format!("web-{i}")}},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": format!("web-{i}")}},
            "template": {
                "metadata": {"labels": {"app": format!("web-{i}"), "tier": "frontend"}},
                "spec": {
                    "serviceAccountName": "web",
                    "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
                    "containers": [
                        {"name": "app", "image": "registry.example.com/shop/web:1.4.2",
                         "imagePullPolicy": "IfNotPresent",
                         "ports": [{"containerPort": 8080, "name": "http"}],
                         "env": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "pw"}}}],
                         "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}},
                         "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
                         "livenessProbe": {"httpGet": {"path": "/live", "port": 8080}},
                         "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]}}},
                        {"name": "proxy", "image": "envoyproxy/envoy:v1.30.1",
                         "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
                         "securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE"]}}}
                    ]
                }
            }
        }
    })
}

fn corpus_objects() -> Option<Vec<Value>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    if !dir.is_dir() {
        eprintln!("SKIP corpus benchmark: {} not found", dir.display());
        return None;
    }
    let mut files = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p: PathBuf = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if matches!(
                p.extension().and_then(|x| x.to_str()),
                Some("yaml" | "yml" | "json")
            ) {
                files.push(p);
            }
        }
    }
    let mut objects = Vec::new();
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        for doc in yaml::load(&text, &yaml::Limits::default()).documents {
            expand_lists(doc.value, &mut objects);
        }
    }
    objects.retain(eyelint_policies::object::is_kubernetes_object);
    Some(objects)
}

fn bench(c: &mut Criterion) {
    let engine = Engine::with_defaults().expect("default engine");
    let dep = typical_deployment(0);
    c.bench_function("typical_deployment/local_pass", |b| {
        b.iter(|| engine.check(std::hint::black_box(&dep), None, Pass::Local))
    });
    let objs = vec![dep.clone()];
    c.bench_function("typical_deployment/all_rules_with_index", |b| {
        b.iter(|| engine.check_all(std::hint::black_box(&objs), Coverage::All))
    });

    let mut g = c.benchmark_group("linearity");
    g.sample_size(10);
    for n in [1_000usize, 10_000] {
        let many: Vec<Value> = (0..n).map(typical_deployment).collect();
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(format!("check_all_{n}"), |b| {
            b.iter(|| engine.check_all(std::hint::black_box(&many), Coverage::All))
        });
    }
    g.finish();

    if let Some(corpus) = corpus_objects() {
        let mut g = c.benchmark_group("corpus");
        g.sample_size(10);
        g.throughput(Throughput::Elements(corpus.len() as u64));
        g.bench_function(format!("check_all_{}_objects", corpus.len()), |b| {
            b.iter_batched(
                || (),
                |_| engine.check_all(std::hint::black_box(&corpus), Coverage::All),
                BatchSize::SmallInput,
            )
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
