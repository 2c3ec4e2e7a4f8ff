//! The real server over HTTPS on loopback, with a test CA made here: the
//! shared reviews, bad input, health and metrics, TLS versions and ALPN,
//! certificate rotation under load, config reload, graceful shutdown.

mod common;

use common::tls::*;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use eyelint_certs::tls::TlsError;
use eyelint_webhook::server::{Server, StartError, DEFAULT_MAX_BODY};
use eyelint_webhook::{decide, mutate, review, Settings};
use http_body_util::BodyExt;
use hyper::body::Bytes;
use hyper::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

// ---------- tests ----------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_reviews_over_https_match_the_pure_decision() {
    let reviews = common::shared_reviews();
    let r = start(None).await;
    let engine = eyelint_policies::Engine::with_defaults().unwrap();
    let settings = Settings {
        own_namespace: Some("eyelint-system".to_string()),
    };
    // One keep-alive connection for all of them.
    let mut s = http1(
        connect(r.server.addr, default_client(&r.pki))
            .await
            .unwrap(),
    )
    .await;
    for (name, body) in &reviews {
        let path = if name.contains("-mutate-") {
            "/mutate?timeout=5s"
        } else {
            "/validate?timeout=5s"
        };
        let (status, bytes) = send(&mut s, "POST", path, Some("application/json"), body.clone())
            .await
            .unwrap();
        assert_eq!(
            status,
            StatusCode::OK,
            "{name}: {}",
            String::from_utf8_lossy(&bytes)
        );
        let (api_version, req) = common::parse(body);
        let d = if path.starts_with("/mutate") {
            mutate(&req, &engine, &settings)
        } else {
            decide(&req, &engine, &settings)
        };
        let expected: Value =
            serde_json::from_slice(&review::render(&api_version, &d.response).unwrap()).unwrap();
        let got: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(got, expected, "{name}");
    }
    r.server.run_until(async {}).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_clear_4xx_answers() {
    let r = start(None).await;
    let addr = r.server.addr;
    let cfg = default_client(&r.pki);
    let mut s = http1(connect(addr, cfg.clone()).await.unwrap()).await;
    let good = ipc_pod_review("team-a");

    type Case<'a> = (&'a str, Option<&'a str>, Vec<u8>, StatusCode, &'a str);
    let cases: Vec<Case> = vec![
        (
            "/validate",
            Some("text/plain"),
            good.clone(),
            StatusCode::BAD_REQUEST,
            "content type must be application/json",
        ),
        (
            "/validate",
            None,
            good.clone(),
            StatusCode::BAD_REQUEST,
            "content type must be application/json (got none)",
        ),
        (
            "/validate",
            Some("application/json"),
            b"{not json".to_vec(),
            StatusCode::BAD_REQUEST,
            "malformed AdmissionReview",
        ),
        (
            "/mutate",
            Some("application/json"),
            b"".to_vec(),
            StatusCode::BAD_REQUEST,
            "malformed AdmissionReview",
        ),
        (
            "/validate",
            Some("application/json"),
            br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#.to_vec(),
            StatusCode::BAD_REQUEST,
            "has no `request`",
        ),
        (
            "/validate",
            Some("application/json"),
            br#"{"apiVersion":"admission.k8s.io/v1","kind":"Pod","request":null}"#.to_vec(),
            StatusCode::BAD_REQUEST,
            "expected kind AdmissionReview",
        ),
        (
            "/validate",
            Some("application/json"),
            br#"{"apiVersion":"admission.k8s.io/v2","kind":"AdmissionReview"}"#.to_vec(),
            StatusCode::BAD_REQUEST,
            "unsupported apiVersion",
        ),
        (
            "/validate",
            Some("application/json"),
            br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":5}}"#
                .to_vec(),
            StatusCode::BAD_REQUEST,
            "malformed AdmissionReview",
        ),
    ];
    for (path, ct, body, want, text) in cases {
        let (status, bytes) = send(&mut s, "POST", path, ct, body).await.unwrap();
        let msg = String::from_utf8_lossy(&bytes);
        assert_eq!(status, want, "{path} {ct:?}: {msg}");
        assert!(msg.contains(text), "{msg}");
    }
    // Wrong method and unknown path.
    let (status, _) = send(&mut s, "GET", "/validate", None, Vec::new())
        .await
        .unwrap();
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let (status, _) = send(
        &mut s,
        "POST",
        "/nope",
        Some("application/json"),
        good.clone(),
    )
    .await
    .unwrap();
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The same connection still answers a good review.
    let (status, _) = send(&mut s, "POST", "/validate", Some("application/json"), good)
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK);

    // A declared Content-Length over the limit: 413 before the body is read.
    let mut tls = connect(addr, cfg.clone()).await.unwrap();
    let head = format!(
        "POST /validate HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        DEFAULT_MAX_BODY + 1
    );
    tls.write_all(head.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    let _ = tls.read_to_end(&mut buf).await;
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(
        text.contains("exceeds the limit of 3145728 bytes"),
        "{text}"
    );

    // A chunked body (no Content-Length) over the limit: 413 as well.
    let mut tls = connect(addr, cfg.clone()).await.unwrap();
    tls.write_all(b"POST /validate HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    let chunk = vec![b' '; 256 * 1024];
    let mut sent = 0;
    let mut buf = Vec::new();
    while sent <= DEFAULT_MAX_BODY {
        let head = format!("{:x}\r\n", chunk.len());
        if tls.write_all(head.as_bytes()).await.is_err()
            || tls.write_all(&chunk).await.is_err()
            || tls.write_all(b"\r\n").await.is_err()
        {
            break;
        }
        sent += chunk.len();
    }
    let _ = tls.write_all(b"0\r\n\r\n").await;
    let _ = tls.read_to_end(&mut buf).await;
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");

    let m = &r.server.app.metrics;
    assert_eq!(m.requests_count("validate", "too_large", ""), 2);
    assert!(m.requests_count("validate", "bad_request", "") >= 7);
    r.server.run_until(async {}).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_readiness_and_metrics() {
    let r = start(None).await;
    let h = r.server.health_addr;
    assert_eq!(
        get_plain(h, "/healthz").await,
        (StatusCode::OK, "ok\n".to_string())
    );
    assert_eq!(
        get_plain(h, "/readyz").await,
        (StatusCode::OK, "ready\n".to_string())
    );
    assert!(
        !validate_allowed(
            r.server.addr,
            default_client(&r.pki),
            ipc_pod_review("team-a")
        )
        .await
    );
    let (status, text) = get_plain(h, "/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains(
        "eyelint_webhook_requests_total{endpoint=\"validate\",decision=\"denied\",kind=\"Pod\"} 1"
    ), "{text}");
    assert!(
        text.contains("eyelint_webhook_findings_total{rule=\"hostIPCSet\",severity=\"danger\"} 1")
    );
    assert!(
        text.contains("eyelint_webhook_request_duration_seconds_count{endpoint=\"validate\"} 1")
    );
    let expiry = r.server.app.cert.as_ref().unwrap().not_after();
    assert!(text.contains(&format!(
        "eyelint_webhook_certificate_expiry_timestamp_seconds {expiry}"
    )));
    // The admission port does not serve health, and the health port not admission.
    let (status, _) = get_plain(h, "/validate").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    r.server.run_until(async {}).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls12_tls13_and_h2_are_served() {
    let r = start(None).await;
    let addr = r.server.addr;
    for v in [&rustls::version::TLS12, &rustls::version::TLS13] {
        let cfg = client_config(&r.pki.ca_der, &[v], &[b"http/1.1"]);
        let stream = connect(addr, cfg.clone()).await.unwrap();
        assert_eq!(stream.get_ref().1.protocol_version(), Some(v.version));
        assert!(!validate_allowed(addr, cfg, ipc_pod_review("team-a")).await);
    }
    // HTTP/2 through ALPN.
    let (mut sender, _conn) = h2_connect(addr, &r.pki).await;
    let resp = sender
        .send_request(validate_request("10s", ipc_pod_review("kube-system")))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let v: Value =
        serde_json::from_slice(&resp.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(v["response"]["allowed"], true);
    r.server.run_until(async {}).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_rotation_under_load_drops_nothing() {
    let mut r = start(None).await;
    let addr = r.server.addr;
    let cfg = default_client(&r.pki);
    let ok = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let body = ipc_pod_review("team-a");
    let mut tasks = Vec::new();
    for i in 0..6 {
        let (cfg, ok, failed, stop, body) = (
            cfg.clone(),
            ok.clone(),
            failed.clone(),
            stop.clone(),
            body.clone(),
        );
        tasks.push(tokio::spawn(async move {
            // Half reconnect for every request (new handshakes see new
            // certificates), half keep one connection alive throughout.
            let keep_alive = i % 2 == 0;
            let mut sender: Option<Sender> = None;
            let deadline = Instant::now() + Duration::from_secs(20);
            while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
                if sender.is_none() || !keep_alive {
                    match connect(addr, cfg.clone()).await {
                        Ok(s) => sender = Some(http1(s).await),
                        Err(e) => {
                            eprintln!("connect failed: {e}");
                            failed.fetch_add(1, Ordering::SeqCst);
                            continue;
                        }
                    }
                }
                let Some(s) = sender.as_mut() else { continue };
                match send(
                    s,
                    "POST",
                    "/validate?timeout=5s",
                    Some("application/json"),
                    body.clone(),
                )
                .await
                {
                    Ok((StatusCode::OK, _)) => {
                        ok.fetch_add(1, Ordering::SeqCst);
                    }
                    other => {
                        eprintln!("request failed: {other:?}");
                        failed.fetch_add(1, Ordering::SeqCst);
                        sender = None;
                    }
                }
            }
        }));
    }
    let resolver = r.server.app.cert.clone().unwrap();
    let mut last_der = None;
    for n in 1..=4 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (cert, key, der) = r.pki.leaf();
        r.certs.update(&[("tls.crt", &cert), ("tls.key", &key)]);
        let want = der.clone();
        wait_for("certificate reload", || resolver.current().cert[0] == want).await;
        assert_eq!(r.server.app.metrics.cert_reloads(), (n, 0));
        last_der = Some(der);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::SeqCst);
    for t in tasks {
        t.await.unwrap();
    }
    let (ok, failed) = (ok.load(Ordering::SeqCst), failed.load(Ordering::SeqCst));
    eprintln!("rotation under load: {ok} requests ok, {failed} failed");
    assert_eq!(failed, 0);
    assert!(ok > 50, "too little load: {ok}");
    // A new connection is served the last certificate.
    let stream = connect(addr, cfg).await.unwrap();
    let peer = stream.get_ref().1.peer_certificates().unwrap()[0].clone();
    assert_eq!(Some(peer), last_der);
    r.server.run_until(async {}).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_new_certificate_is_rejected_and_the_old_one_keeps_serving() {
    let mut r = start(None).await;
    let cfg = default_client(&r.pki);
    let before = r.server.app.cert.as_ref().unwrap().current().cert.clone();
    let (cert_a, _, _) = r.pki.leaf();
    let (_, key_b, _) = r.pki.leaf();
    r.certs.update(&[("tls.crt", &cert_a), ("tls.key", &key_b)]);
    let metrics = &r.server.app.metrics;
    wait_for("certificate reload failure", || {
        metrics.cert_reloads().1 == 1
    })
    .await;
    assert_eq!(r.server.app.cert.as_ref().unwrap().current().cert, before);
    assert!(!validate_allowed(r.server.addr, cfg.clone(), ipc_pod_review("team-a")).await);
    // Garbage, then a missing key file: rejected too.
    r.certs
        .update(&[("tls.crt", "garbage"), ("tls.key", "garbage")]);
    wait_for("second failure", || metrics.cert_reloads().1 == 2).await;
    assert!(!validate_allowed(r.server.addr, cfg, ipc_pod_review("team-a")).await);
    let (_, text) = get_plain(r.server.health_addr, "/metrics").await;
    assert!(
        text.contains("eyelint_webhook_certificate_reloads_total{result=\"failure\"} 2"),
        "{text}"
    );
    r.server.run_until(async {}).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_reload_good_and_bad() {
    let mut config = Volume::new(
        "config",
        &[("config.yaml", "checks:\n  hostIPCSet: danger\n")],
    );
    let r = start(Some(config.path("config.yaml"))).await;
    let addr = r.server.addr;
    let cfg = default_client(&r.pki);
    assert!(!validate_allowed(addr, cfg.clone(), ipc_pod_review("team-a")).await);

    // A good change: warn-only mode.
    config.update(&[(
        "config.yaml",
        "checks:\n  hostIPCSet: danger\nadmission:\n  denyOn: never\n",
    )]);
    let metrics = &r.server.app.metrics;
    wait_for("config reload", || metrics.config_reloads() == (1, 0)).await;
    assert!(validate_allowed(addr, cfg.clone(), ipc_pod_review("team-a")).await);

    // Bad changes (YAML error, unknown severity, bad admission key): rejected,
    // the last good one keeps serving.
    for (i, bad) in [
        "checks: [\n",
        "checks:\n  hostIPCSet: fatal\n",
        "admission:\n  denyOnn: never\n",
    ]
    .iter()
    .enumerate()
    {
        config.update(&[("config.yaml", bad)]);
        wait_for("config reload failure", || {
            metrics.config_reloads() == (1, i as u64 + 1)
        })
        .await;
        assert!(
            validate_allowed(addr, cfg.clone(), ipc_pod_review("team-a")).await,
            "{bad}"
        );
    }
    let (_, text) = get_plain(r.server.health_addr, "/metrics").await;
    assert!(
        text.contains("eyelint_webhook_config_reloads_total{result=\"failure\"} 3"),
        "{text}"
    );
    assert_eq!(
        get_plain(r.server.health_addr, "/readyz").await.0,
        StatusCode::OK
    );

    // Back to enforcing.
    config.update(&[("config.yaml", "checks:\n  hostIPCSet: danger\n")]);
    wait_for("config reload", || metrics.config_reloads() == (2, 3)).await;
    assert!(!validate_allowed(addr, cfg, ipc_pod_review("team-a")).await);
    r.server.run_until(async {}).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn startup_fails_clearly_on_bad_files() {
    let pki = Pki::new();
    let (cert, key, _) = pki.leaf();
    let certs = Volume::new("startup", &[("tls.crt", &cert), ("tls.key", &key)]);
    let mut o = options(&certs, None);
    o.tls_key = certs.dir.join("missing.key");
    let e = Server::start(o).await.unwrap_err();
    assert!(matches!(e, StartError::Tls(_)), "{e}");
    assert!(e.to_string().contains("missing.key"), "{e}");

    // A DER certificate and a PKCS#8 encrypted key: named as such, with the
    // command that fixes them.
    let (_, _, der) = pki.leaf();
    let der_path = certs.dir.join("tls.der");
    std::fs::write(&der_path, der.as_ref()).unwrap();
    let mut o = options(&certs, None);
    o.tls_cert = der_path.clone();
    let e = Server::start(o).await.unwrap_err();
    assert!(matches!(e, StartError::Tls(TlsError::Der { .. })), "{e}");
    assert!(
        e.to_string().contains(&format!(
            "{} is DER (binary), not PEM; convert it with `openssl x509 -inform der",
            der_path.display()
        )),
        "{e}"
    );
    let enc = certs.dir.join("enc.key");
    std::fs::write(
        &enc,
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n",
    )
    .unwrap();
    let mut o = options(&certs, None);
    o.tls_key = enc;
    let e = Server::start(o).await.unwrap_err();
    assert!(
        matches!(e, StartError::Tls(TlsError::EncryptedKey { .. })),
        "{e}"
    );
    assert!(e.to_string().contains("is an encrypted private key"), "{e}");

    let bad = certs.dir.join("bad.yaml");
    std::fs::write(&bad, "checks:\n  hostIPCSet: fatal\n").unwrap();
    let e = Server::start(options(&certs, Some(bad))).await.unwrap_err();
    assert!(matches!(e, StartError::Config(_)), "{e}");
    assert!(e.to_string().contains("bad.yaml"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_fails_readiness_at_once_and_finishes_in_flight_requests() {
    let pki = Pki::new();
    let (cert, key, _) = pki.leaf();
    let certs = Volume::new("shutdown", &[("tls.crt", &cert), ("tls.key", &key)]);
    let mut o = options(&certs, None);
    o.shutdown_delay = Duration::from_millis(600);
    o.shutdown_timeout = Duration::from_secs(5);
    let server = Server::start(o).await.unwrap();
    let (addr, health) = (server.addr, server.health_addr);
    let app = server.app.clone();
    let cfg = default_client(&pki);

    // An in-flight request: headers and half the body sent before the signal.
    let body = ipc_pod_review("team-a");
    let (first, second) = body.split_at(body.len() / 2);
    let mut tls = connect(addr, cfg.clone()).await.unwrap();
    let head = format!(
        "POST /validate?timeout=10s HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    tls.write_all(head.as_bytes()).await.unwrap();
    tls.write_all(first).await.unwrap();
    tls.flush().await.unwrap();
    wait_for("request in flight", || {
        app.metrics
            .render()
            .contains("eyelint_webhook_in_flight_requests 1")
    })
    .await;

    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let started = Instant::now();
    let run = tokio::spawn(server.run_until(async move {
        let _ = rx.await;
    }));
    tx.send(()).unwrap();
    // Readiness fails at once.
    wait_for("readiness to fail", || {
        app.shutting_down.load(Ordering::SeqCst)
    })
    .await;
    assert_eq!(
        get_plain(health, "/readyz").await.0,
        StatusCode::SERVICE_UNAVAILABLE
    );
    // During the shutdown delay new requests are still served.
    assert!(!validate_allowed(addr, cfg.clone(), ipc_pod_review("team-a")).await);

    // The in-flight request completes after the listener closed.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "listener should be closed"
    );
    tls.write_all(second).await.unwrap();
    tls.flush().await.unwrap();
    let mut buf = Vec::new();
    let _ = tls.read_to_end(&mut buf).await;
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("\"allowed\":false"), "{text}");

    assert!(run.await.unwrap(), "drained in time");
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// A large review is judged on the blocking pool: with one async worker, a
/// large pod under `/mutate` (every fix listed) does not hold up `/healthz`
/// or another request's `/validate`. It used to run on the async worker, where a
/// 1,600-container pod kept health checks waiting for 18 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn a_large_mutation_does_not_hold_up_health_or_other_requests() {
    let dir = tempdir("large-mutation");
    let config = dir.path().join("config.yaml");
    std::fs::write(&config, common::every_fix_config("")).unwrap();
    let r = start(Some(config)).await;
    let (addr, health) = (r.server.addr, r.server.health_addr);
    let cfg = default_client(&r.pki);
    let containers: Vec<Value> = (0..1600)
        .map(|i| json!({"name": format!("c{i}"), "image": "nginx:1"}))
        .collect();
    let pod = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "wide", "namespace": "shop"},
        "spec": {"containers": containers}
    });
    let body = serde_json::to_vec(&common::review_json(
        "CREATE",
        Some(&pod),
        None,
        "jane",
        None,
    ))
    .unwrap();
    let started = Instant::now();
    let big = tokio::spawn(post_once(addr, cfg.clone(), "/mutate?timeout=30s", body));
    let mut answered = 0;
    let mut slowest = Duration::ZERO;
    while !big.is_finished() {
        let t = Instant::now();
        assert_eq!(get_plain(health, "/healthz").await.0, StatusCode::OK);
        assert!(!validate_allowed(addr, cfg.clone(), ipc_pod_review("team-a")).await);
        slowest = slowest.max(t.elapsed());
        answered += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (status, bytes) = big.await.unwrap();
    let took = started.elapsed();
    assert_eq!(status, StatusCode::OK);
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(v["response"]["patch"].is_string(), "{v}");
    assert!(
        slowest < Duration::from_secs(2),
        "health and validate took up to {slowest:?} while the mutation ran ({took:?}, {answered} rounds)"
    );
    eprintln!(
        "mutation took {took:?}; {answered} health+validate rounds meanwhile, slowest {slowest:?}"
    );
    r.server.run_until(async {}).await;
}

/// Connections that hold memory and do nothing are closed: one that
/// completes the TLS handshake and sends nothing, one left open after a
/// request. Past the cap, a new connection is closed at once, and a slot
/// comes back when an idle one is closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_closed_and_their_number_is_capped() {
    let Running { server, pki, .. } = start_with("idle", None, |o| {
        o.connections = eyelint_webhook::server::ConnectionLimits {
            max_connections: 2,
            idle_timeout: Duration::from_millis(800),
        };
    })
    .await;
    let cfg = default_client(&pki);
    // Closed: reading gives end of file (or a reset), not a hang.
    async fn closed_within(stream: &mut (impl AsyncReadExt + Unpin), limit: Duration) -> bool {
        let mut buf = [0u8; 64];
        matches!(
            tokio::time::timeout(limit, stream.read(&mut buf)).await,
            Ok(Ok(0)) | Ok(Err(_))
        )
    }
    let started = Instant::now();
    let mut silent = connect(server.addr, cfg.clone()).await.unwrap();
    let mut after_request = connect(server.addr, cfg.clone()).await.unwrap();
    after_request
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 512];
    let n = after_request.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 "));
    // Both slots are taken and neither has been silent for a second: a
    // third connection is closed before any TLS.
    let mut third = TcpStream::connect(server.addr).await.unwrap();
    assert!(closed_within(&mut third, Duration::from_millis(500)).await);
    // Both idle ones are closed after the idle limit.
    assert!(closed_within(&mut silent, Duration::from_secs(5)).await);
    assert!(closed_within(&mut after_request, Duration::from_secs(5)).await);
    assert!(started.elapsed() >= Duration::from_millis(700));
    // Their slots are free again.
    let body = ipc_pod_review("shop");
    assert!(!validate_allowed(server.addr, cfg, body).await);
    assert!(server.run_until(async {}).await);
}

/// A large review takes its size from the in-flight budget when its body
/// passes 32 KB, waiting up to its `?timeout=` (then 503, and the API server
/// applies failurePolicy). Small reviews need no budget.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_reviews_wait_for_the_in_flight_budget() {
    let Running { server, pki, .. } = start_with("budget", None, small_budget).await;
    let cfg = default_client(&pki);
    let mut large = ipc_pod_review("shop");
    large.resize(60_000, b' ');
    let post = |body: Vec<u8>, timeout: &'static str| {
        let cfg = cfg.clone();
        let addr = server.addr;
        async move { post_raw(addr, cfg, &body, timeout).await }
    };
    // The whole budget taken (as by other large reviews).
    let held = server
        .app
        .inflight
        .clone()
        .acquire_many_owned(64)
        .await
        .unwrap();
    let started = Instant::now();
    let text = post(large.clone(), "1s").await;
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(text.contains("being judged"), "{text}");
    assert!(started.elapsed() >= Duration::from_millis(900));
    // A small review is not held up.
    let text = post(ipc_pod_review("shop"), "1s").await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    drop(held);
    let text = post(large, "10s").await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(server.run_until(async {}).await);
}

/// A client that declares a large body and sends a byte of it holds no
/// budget: reviews from others go on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declared_length_does_not_hold_the_budget() {
    let Running { server, pki, .. } = start_with("declared", None, small_budget).await;
    let cfg = default_client(&pki);
    let mut holders = Vec::new();
    for _ in 0..2 {
        let mut h = connect(server.addr, cfg.clone()).await.unwrap();
        h.write_all(
            b"POST /validate?timeout=30s HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 65000\r\n\r\n{",
        )
        .await
        .unwrap();
        holders.push(h);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    assert!(!validate_allowed(server.addr, cfg, ipc_pod_review("shop")).await);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    drop(holders);
    assert!(server.run_until(async {}).await);
}

/// At the cap, the connection silent longest makes room: connections that
/// send nothing cannot keep out a client that speaks (the kubelet's probes
/// on the health port, the API server here).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_cap_the_silent_make_room_for_the_speaking() {
    let Running { server, pki, .. } = start_with("evict", None, |o| {
        o.connections = eyelint_webhook::server::ConnectionLimits {
            max_connections: 2,
            idle_timeout: Duration::from_secs(60),
        };
    })
    .await;
    let cfg = default_client(&pki);
    let mut silent = Vec::new();
    for _ in 0..2 {
        silent.push(TcpStream::connect(server.addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(1300)).await;
    for _ in 0..3 {
        assert!(!validate_allowed(server.addr, cfg.clone(), ipc_pod_review("shop")).await);
    }
    // Silent ones were closed to make room (one, or two when a request
    // came while the previous one's connection was still closing).
    let mut closed = 0;
    for s in &mut silent {
        let mut buf = [0u8; 8];
        let r = tokio::time::timeout(Duration::from_millis(500), s.read(&mut buf)).await;
        if matches!(r, Ok(Ok(0)) | Ok(Err(_))) {
            closed += 1;
        }
    }
    assert!(closed >= 1);
    assert!(server.run_until(async {}).await);
}

/// The largest body allowed can always be judged, also when
/// `--max-body-bytes` is not a whole number of KiB and the in-flight budget
/// is raised to it: the budget is rounded up as each body's share is (it
/// was rounded down, one KiB short, and such a body waited for its timeout
/// and got 503).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_largest_body_allowed_fits_the_budget() {
    let Running { server, pki, .. } = start_with("odd-limit", None, |o| {
        o.max_body = 100_000;
        o.max_inflight = 64 * 1024;
    })
    .await;
    let mut body = ipc_pod_review("shop");
    body.resize(100_000, b' ');
    let text = post_raw(server.addr, default_client(&pki), &body, "2s").await;
    assert!(
        text.starts_with("HTTP/1.1 200"),
        "{}",
        &text[..text.len().min(300)]
    );
    assert!(text.contains("\"allowed\":false"), "{text}");
    assert!(server.run_until(async {}).await);
}

/// Large reviews sent at once over one HTTP/2 connection (as the API
/// server multiplexes them) are all answered: the ones waiting for the
/// in-flight budget buffer at most their own stream window, and the
/// connection's window leaves room for the one being read. With the
/// connection window equal to one stream's, a waiting stream's buffered
/// body starved the stream holding the budget, and every one of them timed
/// out (408 and 503).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_reviews_multiplexed_on_one_http2_connection_are_all_answered() {
    let r = start(None).await;
    let (sender, _conn) = h2_connect(r.server.addr, &r.pki).await;
    // Three bodies of 2.8 MB (more than the 4 MiB budget holds at once),
    // and more streams than a connection may open at once.
    let mut large = ipc_pod_review("shop");
    large.resize(2_800_000, b' ');
    let mut middling = ipc_pod_review("shop");
    middling.resize(300_000, b' ');
    let bodies = std::iter::repeat_n(Bytes::from(large), 3)
        .chain(std::iter::repeat_n(Bytes::from(middling), 24));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for body in bodies {
        let mut sender = sender.clone();
        tasks.push(tokio::spawn(async move {
            let resp = sender
                .send_request(validate_request("8s", body))
                .await
                .unwrap();
            resp.status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
    r.server.run_until(async {}).await;
}

/// At shutdown, connections that will never finish on their own are
/// dropped after the grace, not waited for until the drain's end: an
/// HTTP/2 peer that sent its preface and never acknowledges anything (a
/// peer whose node died), and an HTTP/1.1 request cut off inside its
/// headers. Both held the drain to its timeout (the first to 20 s, then an
/// exit status of 1).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_drops_peers_that_never_finish() {
    use tokio::io::AsyncWriteExt;
    let Running { server, pki, .. } = start_with("stop-silent", None, |_| {}).await;
    let h2 = client_config(&pki.ca_der, &[&rustls::version::TLS13], &[b"h2"]);
    let mut mute_h2 = connect(server.addr, h2).await.unwrap();
    mute_h2
        .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .await
        .unwrap();
    let mut half = connect(server.addr, default_client(&pki)).await.unwrap();
    half.write_all(b"POST /validate HTTP/1.1\r\nhost: localhost\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    assert!(server.run_until(async {}).await, "the drain completed");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    drop((mute_h2, half));
}

/// A connection that never starts its TLS handshake does not hold the
/// shutdown: it is closed when the drain begins, not when the handshake
/// times out (10 s, past this test's 5 s drain, which then failed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_does_not_wait_for_a_silent_handshake() {
    let Running { server, .. } = start_with("handshake-stop", None, |_| {}).await;
    let mut silent = TcpStream::connect(server.addr).await.unwrap();
    // The server has taken the connection and waits for a ClientHello.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    assert!(server.run_until(async {}).await);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let mut buf = [0u8; 8];
    let r = tokio::time::timeout(Duration::from_millis(500), silent.read(&mut buf)).await;
    assert!(matches!(r, Ok(Ok(0)) | Ok(Err(_))), "{r:?}");
}

/// A connection whose request is being answered is never idle: a review
/// that waits for the budget longer than the idle limit still gets its
/// answer (503 here), not a closed connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_in_flight_keeps_its_connection() {
    let Running { server, pki, .. } = start_with("busy", None, |o| {
        small_budget(o);
        o.connections.idle_timeout = Duration::from_millis(500);
    })
    .await;
    let held = server
        .app
        .inflight
        .clone()
        .acquire_many_owned(64)
        .await
        .unwrap();
    let mut body = ipc_pod_review("shop");
    body.resize(60_000, b' ');
    let text = post_raw(server.addr, default_client(&pki), &body, "2s").await;
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    drop(held);
    assert!(server.run_until(async {}).await);
}

/// An idle HTTP/2 connection is closed with a GOAWAY, so the client knows
/// the connection is done (and which requests were answered) rather than
/// meeting a bare end of stream.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_http2_connection_is_closed_with_a_goaway() {
    let Running { server, pki, .. } = start_with("goaway", None, |o| {
        o.connections.idle_timeout = Duration::from_millis(600);
    })
    .await;
    let (mut sender, conn) = h2_connect(server.addr, &pki).await;
    let resp = sender
        .send_request(validate_request("10s", ipc_pod_review("shop")))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let _ = resp.into_body().collect().await.unwrap();
    // The client's connection future ends cleanly (GOAWAY, then close)
    // soon after the idle limit.
    let ended = tokio::time::timeout(Duration::from_secs(5), conn).await;
    assert!(matches!(ended, Ok(Ok(Ok(())))), "{ended:?}");
    assert!(sender.is_closed());
    assert!(server.run_until(async {}).await);
}

/// A budget of 64 KiB and bodies of at most 64 KiB.
fn small_budget(o: &mut eyelint_webhook::server::Options) {
    o.max_body = 64 * 1024;
    o.max_inflight = 64 * 1024;
}
