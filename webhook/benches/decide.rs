//! The pure admission decision for a typical Deployment.
//!
//! Uses `../shared/admission-reviews/02-validate-create-deployment-frontend.json`
//! (a defaulted Deployment exactly as a kube-apiserver sent it) when present,
//! else a built-in Deployment review of the same shape. Besides criterion's
//! estimates it prints p50/p99/p99.9 over individually timed calls, since the
//! target is a p99.

use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, Criterion};
use eyelint_policies::Engine;
use eyelint_webhook::review::{self, AdmissionRequest};
use eyelint_webhook::{decide, mutate, Settings};
use serde_json::json;

fn payload() -> Vec<u8> {
    let shared = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/admission-reviews/02-validate-create-deployment-frontend.json"
    );
    if let Ok(b) = std::fs::read(shared) {
        return b;
    }
    eprintln!("note: {shared} absent; using the built-in Deployment review");
    let deployment = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "frontend", "namespace": "default", "labels": {"app": "frontend"}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "frontend"}},
            "template": {
                "metadata": {"labels": {"app": "frontend"}},
                "spec": {
                    "containers": [{
                        "name": "server", "image": "frontend", "imagePullPolicy": "Always",
                        "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                        "resources": {"limits": {"cpu": "200m", "memory": "128Mi"}, "requests": {"cpu": "100m", "memory": "64Mi"}},
                        "livenessProbe": {"httpGet": {"path": "/_healthz", "port": 8080}},
                        "readinessProbe": {"httpGet": {"path": "/_healthz", "port": 8080}},
                        "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}, "privileged": false, "readOnlyRootFilesystem": true}
                    }],
                    "securityContext": {"runAsUser": 1000, "runAsNonRoot": true, "fsGroup": 1000},
                    "serviceAccountName": "frontend"
                }
            }
        }
    });
    serde_json::to_vec(&json!({
        "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {
            "uid": "a88ea079-456b-468e-820e-60b7a03afa34",
            "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
            "resource": {"group": "apps", "version": "v1", "resource": "deployments"},
            "name": "frontend", "namespace": "default", "operation": "CREATE",
            "userInfo": {"username": "admin"}, "object": deployment, "oldObject": null, "dryRun": false
        }
    }))
    .unwrap_or_default()
}

fn setup() -> (Vec<u8>, AdmissionRequest, Engine, Settings) {
    let body = payload();
    let (_, req) = review::parse(&body).unwrap();
    let engine = Engine::with_defaults().unwrap();
    (body, req, engine, Settings::default())
}

fn bench(c: &mut Criterion) {
    let (body, req, engine, settings) = setup();
    c.bench_function("decide/deployment", |b| {
        b.iter(|| decide(black_box(&req), &engine, &settings))
    });
    c.bench_function("mutate/deployment", |b| {
        b.iter(|| mutate(black_box(&req), &engine, &settings))
    });
    c.bench_function("parse+decide+render/deployment", |b| {
        b.iter(|| {
            let (v, r) = review::parse(black_box(&body)).unwrap();
            let d = decide(&r, &engine, &settings);
            review::render(&v, &d.response).unwrap()
        })
    });
}

fn percentiles() {
    let (_, req, engine, settings) = setup();
    for _ in 0..2_000 {
        black_box(decide(&req, &engine, &settings));
    }
    let n = 100_000;
    let mut ns: Vec<u64> = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        black_box(decide(black_box(&req), &engine, &settings));
        ns.push(t.elapsed().as_nanos() as u64);
    }
    ns.sort_unstable();
    let p = |q: f64| ns[((n as f64 * q) as usize).min(n - 1)] as f64 / 1000.0;
    println!(
        "decide/deployment individually timed over {n} calls: p50 {:.1} µs, p99 {:.1} µs, p99.9 {:.1} µs",
        p(0.50),
        p(0.99),
        p(0.999)
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    percentiles();
    Criterion::default().configure_from_args().final_summary();
}
