//! The webhook's server over TLS on loopback, for the tests that run it: a
//! test CA made here, certificate files written as the kubelet writes a
//! Secret volume, and an HTTP/1.1 client.
#![allow(dead_code)]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use eyelint_webhook::server::{Options, Server, DEFAULT_MAX_BODY};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, SanType};
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore, SupportedProtocolVersion};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

// ---------- test PKI and files ----------

pub struct Pki {
    pub issuer: Issuer<'static, KeyPair>,
    pub ca_der: CertificateDer<'static>,
}

impl Pki {
    pub fn new() -> Pki {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let cert = params.self_signed(&key).unwrap();
        Pki {
            ca_der: cert.der().clone(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A serving certificate for localhost / 127.0.0.1: (cert PEM, key PEM, DER).
    pub fn leaf(&self) -> (String, String, CertificateDer<'static>) {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        params
            .subject_alt_names
            .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        (cert.pem(), key.serialize_pem(), cert.der().clone())
    }
}

/// A directory removed when the value is dropped (at the end of the test).
pub fn tempdir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("eyelint-webhook-{name}-"))
        .tempdir()
        .unwrap()
}

/// Writes files the way the kubelet updates a Secret/ConfigMap volume: a new
/// timestamped directory, then an atomic swap of the `..data` symlink.
pub struct Volume {
    pub dir: PathBuf,
    pub generation: usize,
    /// Removes the directory when the volume is dropped.
    _owner: tempfile::TempDir,
}

impl Volume {
    pub fn new(name: &str, files: &[(&str, &str)]) -> Volume {
        let owner = tempdir(name);
        let mut v = Volume {
            dir: owner.path().to_path_buf(),
            generation: 0,
            _owner: owner,
        };
        v.update(files);
        for (f, _) in files {
            std::os::unix::fs::symlink(format!("..data/{f}"), v.dir.join(f)).unwrap();
        }
        v
    }

    pub fn update(&mut self, files: &[(&str, &str)]) {
        self.generation += 1;
        let gen = format!("..gen{}", self.generation);
        let g = self.dir.join(&gen);
        std::fs::create_dir_all(&g).unwrap();
        for (f, body) in files {
            std::fs::write(g.join(f), body).unwrap();
        }
        let tmp = self.dir.join("..data_tmp");
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(&gen, &tmp).unwrap();
        std::fs::rename(&tmp, self.dir.join("..data")).unwrap();
    }

    pub fn path(&self, f: &str) -> PathBuf {
        self.dir.join(f)
    }
}

pub fn options(certs: &Volume, config: Option<PathBuf>) -> Options {
    Options {
        listen: "127.0.0.1:0".parse().unwrap(),
        health_listen: "127.0.0.1:0".parse().unwrap(),
        tls_cert: certs.path("tls.crt"),
        tls_key: certs.path("tls.key"),
        config,
        own_namespace: Some("eyelint-system".to_string()),
        reload_interval: Duration::from_millis(100),
        max_body: DEFAULT_MAX_BODY,
        max_inflight: eyelint_webhook::server::DEFAULT_MAX_INFLIGHT,
        shutdown_delay: Duration::ZERO,
        shutdown_timeout: Duration::from_secs(5),
        connections: eyelint_webhook::server::ConnectionLimits::default(),
    }
}

pub struct Running {
    pub server: Server,
    pub pki: Pki,
    pub certs: Volume,
}

pub async fn start(config: Option<PathBuf>) -> Running {
    start_with("certs", config, |_| {}).await
}

/// [`start`] with options changed by `tweak`; `name` names the certificate
/// volume.
pub async fn start_with(
    name: &str,
    config: Option<PathBuf>,
    tweak: impl FnOnce(&mut Options),
) -> Running {
    let pki = Pki::new();
    let (cert, key, _) = pki.leaf();
    let certs = Volume::new(name, &[("tls.crt", &cert), ("tls.key", &key)]);
    let mut options = options(&certs, config);
    tweak(&mut options);
    let server = Server::start(options).await.unwrap();
    Running { server, pki, certs }
}

// ---------- client ----------

pub fn client_config(
    ca: &CertificateDer<'static>,
    versions: &[&'static SupportedProtocolVersion],
    alpn: &[&[u8]],
) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    roots.add(ca.clone()).unwrap();
    let mut c =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_protocol_versions(versions)
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
    c.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    // Full handshakes only: a resumed session would not show a rotated certificate.
    c.resumption = rustls::client::Resumption::disabled();
    Arc::new(c)
}

pub fn default_client(pki: &Pki) -> Arc<ClientConfig> {
    client_config(
        &pki.ca_der,
        &[&rustls::version::TLS13, &rustls::version::TLS12],
        &[b"http/1.1"],
    )
}

pub async fn connect(
    addr: SocketAddr,
    cfg: Arc<ClientConfig>,
) -> std::io::Result<TlsStream<TcpStream>> {
    let tcp = TcpStream::connect(addr).await?;
    TlsConnector::from(cfg)
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
}

pub type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

pub async fn http1(stream: TlsStream<TcpStream>) -> Sender {
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    sender
}

pub async fn send(
    sender: &mut Sender,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Result<(StatusCode, Bytes), hyper::Error> {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "localhost");
    if let Some(ct) = content_type {
        b = b.header("content-type", ct);
    }
    sender.ready().await?;
    let resp = sender
        .send_request(b.body(Full::new(Bytes::from(body))).unwrap())
        .await?;
    let status = resp.status();
    let bytes = resp.into_body().collect().await?.to_bytes();
    Ok((status, bytes))
}

/// An HTTP/2 connection to `addr` (TLS 1.3, ALPN `h2`, which the server
/// must choose): its sender, and the task driving it.
pub async fn h2_connect(
    addr: SocketAddr,
    pki: &Pki,
) -> (
    hyper::client::conn::http2::SendRequest<Full<Bytes>>,
    tokio::task::JoinHandle<hyper::Result<()>>,
) {
    let cfg = client_config(&pki.ca_der, &[&rustls::version::TLS13], &[b"h2"]);
    let stream = connect(addr, cfg).await.unwrap();
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    let (sender, conn) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        TokioIo::new(stream),
    )
    .await
    .unwrap();
    (sender, tokio::spawn(conn))
}

/// `POST /validate?timeout=TIMEOUT` with `body`, as a request to send.
pub fn validate_request(timeout: &str, body: impl Into<Bytes>) -> Request<Full<Bytes>> {
    Request::builder()
        .method("POST")
        .uri(format!("https://localhost/validate?timeout={timeout}"))
        .header("content-type", "application/json")
        .body(Full::new(body.into()))
        .unwrap()
}

pub async fn post_once(
    addr: SocketAddr,
    cfg: Arc<ClientConfig>,
    path: &str,
    body: Vec<u8>,
) -> (StatusCode, Bytes) {
    let mut s = http1(connect(addr, cfg).await.unwrap()).await;
    send(&mut s, "POST", path, Some("application/json"), body)
        .await
        .unwrap()
}

/// `POST /validate?timeout=TIMEOUT` over HTTP/1.1 written by hand (one
/// connection, closed after the answer); the answer as text.
pub async fn post_raw(
    addr: SocketAddr,
    cfg: Arc<ClientConfig>,
    body: &[u8],
    timeout: &str,
) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut c = connect(addr, cfg).await.unwrap();
    let head = format!(
        "POST /validate?timeout={timeout} HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    c.write_all(head.as_bytes()).await.unwrap();
    c.write_all(body).await.unwrap();
    let mut answer = Vec::new();
    let _ = c.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer).into_owned()
}

pub async fn get_plain(addr: SocketAddr, path: &str) -> (StatusCode, String) {
    let tcp = TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
        .await
        .unwrap();
    tokio::spawn(conn);
    let resp = sender
        .send_request(
            Request::builder()
                .uri(path)
                .header("host", "localhost")
                .body(Full::new(Bytes::new()))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = resp.status();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

pub fn ipc_pod_review(ns: &str) -> Vec<u8> {
    let pod = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web", "namespace": ns},
        "spec": {"hostIPC": true, "containers": [{"name": "app", "image": "registry.example.com/app:1.0"}]}
    });
    serde_json::to_vec(&super::review_json(
        "CREATE",
        Some(&pod),
        None,
        "jane",
        None,
    ))
    .unwrap()
}

pub async fn validate_allowed(addr: SocketAddr, cfg: Arc<ClientConfig>, body: Vec<u8>) -> bool {
    let (status, bytes) = post_once(addr, cfg, "/validate?timeout=5s", body).await;
    assert_eq!(status, StatusCode::OK);
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    v["response"]["allowed"].as_bool().unwrap()
}

pub async fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
