//! The HTTP shell: HTTPS admission endpoints, a plain-HTTP health port, hot
//! reload of configuration and certificates, and graceful shutdown.

use std::net::SocketAddr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use arc_swap::ArcSwap;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use eyelint_certs::tls::{self, CertWatcher, ReloadableResolver, TlsError};
use eyelint_policies::Engine;
use http_body_util::BodyExt;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::config::{self, ConfigError};
use crate::decide::{self, Decision, Outcome, Settings};
use crate::idle::Watched;
use crate::metrics::{Metrics, ReloadResult};
use crate::review;

/// Default request body limit: 3 MiB (the API server's own limit for objects).
pub const DEFAULT_MAX_BODY: usize = 3 * 1024 * 1024;

/// Default bound on the request bodies read and judged at once, in bytes.
/// A review takes about 17 times its size in memory while it is judged (a
/// 2.8 MB UPDATE of two 1.4 MB Deployments peaked at 45 MB), up to about 40
/// times for thousands of containers with findings, so 4 MiB keeps the
/// server under the Deployment's 256Mi limit whatever arrives (16 reviews of
/// 1 MB with 3,583 containers each peaked at 178 MB).
pub const DEFAULT_MAX_INFLIGHT: usize = 4 * 1024 * 1024;

/// What the webhook judges with; replaced as a whole on config reload.
#[derive(Debug)]
pub struct Live {
    /// The engine (holds the configuration).
    pub engine: Engine,
    /// Settings from flags and environment.
    pub settings: Settings,
}

/// State shared by every request.
#[derive(Debug)]
pub struct App {
    /// Engine and settings in use.
    pub live: ArcSwap<Live>,
    /// Metrics.
    pub metrics: Metrics,
    /// Set on SIGTERM: readiness fails from then on.
    pub shutting_down: AtomicBool,
    /// The serving certificate (for the readiness expiry check).
    pub cert: Option<Arc<ReloadableResolver>>,
    /// Request body limit in bytes.
    pub max_body: usize,
    /// Kibibytes of large request bodies (over 32 KB) received and judged
    /// at once.
    pub inflight: Arc<tokio::sync::Semaphore>,
}

impl App {
    /// State with an engine, no certificate and the default body limit.
    pub fn new(engine: Engine, settings: Settings) -> App {
        App {
            live: ArcSwap::from_pointee(Live { engine, settings }),
            metrics: Metrics::new(),
            shutting_down: AtomicBool::new(false),
            cert: None,
            max_body: DEFAULT_MAX_BODY,
            inflight: Arc::new(tokio::sync::Semaphore::new(DEFAULT_MAX_INFLIGHT / 1024)),
        }
    }
}

/// Which admission endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// `/validate`.
    Validate,
    /// `/mutate`.
    Mutate,
}

impl Endpoint {
    fn as_str(self) -> &'static str {
        match self {
            Endpoint::Validate => "validate",
            Endpoint::Mutate => "mutate",
        }
    }
}

/// The admission router: `POST /validate`, `POST /mutate`.
pub fn admission_router(app: Arc<App>) -> Router {
    Router::new()
        .route("/validate", post(validate))
        .route("/mutate", post(mutate))
        .with_state(app)
}

/// The health router: `GET /healthz`, `/readyz`, `/metrics`.
pub fn health_router(app: Arc<App>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(app)
}

async fn readyz(State(app): State<Arc<App>>) -> Response {
    if app.shutting_down.load(Ordering::SeqCst) {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n").into_response();
    }
    if let Some(cert) = &app.cert {
        if tls::unix_seconds(SystemTime::now()) > cert.not_after() {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "serving certificate has expired\n",
            )
                .into_response();
        }
    }
    (StatusCode::OK, "ready\n").into_response()
}

async fn metrics(State(app): State<Arc<App>>) -> Response {
    let mut r = app.metrics.render().into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    r
}

async fn validate(State(app): State<Arc<App>>, req: Request) -> Response {
    handle(&app, Endpoint::Validate, req).await
}

async fn mutate(State(app): State<Arc<App>>, req: Request) -> Response {
    handle(&app, Endpoint::Mutate, req).await
}

fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
}

/// The API server's `?timeout=10s` (seconds, as the API server writes it).
fn query_timeout(query: Option<&str>) -> Option<Duration> {
    let q = query?;
    let v = q.split('&').find_map(|kv| kv.strip_prefix("timeout="))?;
    let secs = v.strip_suffix('s').unwrap_or(v);
    secs.parse::<u64>().ok().map(Duration::from_secs)
}

fn plain(status: StatusCode, message: String) -> Response {
    let mut r = (status, format!("{message}\n")).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

fn reject(
    app: &App,
    endpoint: Endpoint,
    start: Instant,
    status: StatusCode,
    message: String,
) -> Response {
    let label = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        s if s.is_server_error() => "error",
        _ => "bad_request",
    };
    app.metrics
        .request(endpoint.as_str(), label, "", start.elapsed());
    tracing::warn!(
        endpoint = endpoint.as_str(),
        status = status.as_u16(),
        error = message.as_str(),
        "rejected admission request"
    );
    plain(status, message)
}

/// Largest review body judged on the async worker that read it; larger
/// ones are judged on the blocking pool.
const JUDGE_INLINE_MAX: usize = 32 * 1024;

async fn handle(app: &App, endpoint: Endpoint, req: Request) -> Response {
    let start = Instant::now();
    let _in_flight = app.metrics.in_flight();
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !is_json(content_type) {
        let shown = if content_type.is_empty() {
            "none".to_string()
        } else {
            content_type.to_string()
        };
        return reject(
            app,
            endpoint,
            start,
            StatusCode::BAD_REQUEST,
            format!("content type must be application/json (got {shown})"),
        );
    }
    let too_large = |len: String| {
        format!(
            "request body of {len} bytes exceeds the limit of {} bytes",
            app.max_body
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(len) = declared {
        if len > app.max_body as u64 {
            return reject(
                app,
                endpoint,
                start,
                StatusCode::PAYLOAD_TOO_LARGE,
                too_large(len.to_string()),
            );
        }
    }
    let deadline = query_timeout(req.uri().query())
        .unwrap_or(Duration::from_secs(30))
        .min(Duration::from_secs(30));
    let until = tokio::time::Instant::now() + deadline;
    // Memory. A review takes about 17 times its size while it is judged.
    // Small reviews (up to 32 KB) are judged inline, two at a time at most
    // (one per async worker), and need no budget. A body that grows past
    // 32 KB takes its whole size (its Content-Length, or the largest
    // allowed when none was given) from the in-flight budget at that moment,
    // in one piece so that two uploads never each hold part of what the
    // other waits for, and keeps it until the answer is made. It waits up to
    // the request's `?timeout=`, then gets 503 and the API server applies
    // the webhook's failurePolicy. A client that declares a large body and
    // sends nothing holds nothing.
    let mut stream = req.into_body();
    let mut body: Vec<u8> = Vec::new();
    let mut budget: Option<tokio::sync::OwnedSemaphorePermit> = None;
    loop {
        let frame = match tokio::time::timeout_at(until, stream.frame()).await {
            Err(_) => {
                return reject(
                    app,
                    endpoint,
                    start,
                    StatusCode::REQUEST_TIMEOUT,
                    "timed out reading the request body".to_string(),
                )
            }
            Ok(None) => break,
            Ok(Some(Err(e))) => {
                return reject(
                    app,
                    endpoint,
                    start,
                    StatusCode::BAD_REQUEST,
                    format!("could not read the request body: {e}"),
                )
            }
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        if body.len() + data.len() > app.max_body {
            return reject(
                app,
                endpoint,
                start,
                StatusCode::PAYLOAD_TOO_LARGE,
                too_large(format!("more than {}", app.max_body)),
            );
        }
        if budget.is_none() && body.len() + data.len() > JUDGE_INLINE_MAX {
            let size = declared
                .unwrap_or(app.max_body as u64)
                .clamp((body.len() + data.len()) as u64, app.max_body as u64);
            let kib = u32::try_from(size.div_ceil(1024)).unwrap_or(u32::MAX);
            let got =
                tokio::time::timeout_at(until, app.inflight.clone().acquire_many_owned(kib)).await;
            let Ok(Ok(permit)) = got else {
                return reject(
                    app,
                    endpoint,
                    start,
                    StatusCode::SERVICE_UNAVAILABLE,
                    "busy: other large reviews are being judged (--max-inflight-bytes), \
                     and the request's timeout came first"
                        .to_string(),
                );
            };
            budget = Some(permit);
            // Room for the whole body at once (it is paid for): growing by
            // doubling would hold up to twice its size.
            body.reserve_exact(usize::try_from(size).unwrap_or(app.max_body) - body.len());
        }
        body.extend_from_slice(&data);
    }
    let (api_version, request) = match review::parse(&body) {
        Ok(x) => x,
        Err(e) => return reject(app, endpoint, start, StatusCode::BAD_REQUEST, e.to_string()),
    };
    // Judging is CPU work that grows with the object. A typical object
    // (a Deployment is under 10 KB) is judged here, in tens of
    // microseconds; a large one goes to the blocking pool, so that it never
    // holds up the async workers that serve `/healthz`, `/readyz` and every
    // other request (the hand-over costs more than a small object's judging).
    let live = app.live.load_full();
    let request = Arc::new(request);
    let judge = {
        let request = Arc::clone(&request);
        move || match endpoint {
            Endpoint::Validate => catch_unwind(AssertUnwindSafe(|| {
                decide::decide(&request, &live.engine, &live.settings)
            }))
            .ok(),
            Endpoint::Mutate => Some(decide::mutate(&request, &live.engine, &live.settings)),
        }
    };
    let judged = if body.len() <= JUDGE_INLINE_MAX {
        Ok(judge())
    } else {
        tokio::task::spawn_blocking(judge).await
    };
    let decision: Decision = match judged {
        Ok(Some(d)) => d,
        Ok(None) | Err(_) => {
            return reject(
                app,
                endpoint,
                start,
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("internal error judging request {}", request.uid),
            )
        }
    };
    let out = match review::render(&api_version, &decision.response) {
        Ok(b) => b,
        Err(e) => {
            return reject(
                app,
                endpoint,
                start,
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("could not encode the response: {e}"),
            )
        }
    };
    let latency = start.elapsed();
    let kind = request.kind.kind.as_str();
    app.metrics
        .request(endpoint.as_str(), decision.outcome.as_str(), kind, latency);
    if endpoint == Endpoint::Validate && !decision.findings.is_empty() {
        app.metrics.findings(
            decision
                .findings
                .iter()
                .map(|f| (&*f.id, f.severity.as_str())),
        );
    }
    let reason = match decision.outcome {
        Outcome::Skipped(s) => s.as_str(),
        _ => "",
    };
    tracing::info!(
        uid = request.uid.as_str(),
        endpoint = endpoint.as_str(),
        operation = request.operation.as_str(),
        kind,
        namespace = request.effective_namespace(),
        name = request.display_name(),
        dry_run = request.dry_run.unwrap_or(false),
        decision = decision.outcome.as_str(),
        reason,
        findings = decision.findings.len(),
        denying = decision.denying,
        latency_us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX),
        "admission review"
    );
    let mut r = Response::new(Body::from(out));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// Serves `router` on `listener` (over TLS when `acceptor` is set) until
/// `stop` turns true; then stops accepting and lets open connections finish
/// for at most `drain`. Returns false when connections were still open at
/// the deadline.
pub async fn serve(
    listener: TcpListener,
    acceptor: Option<TlsAcceptor>,
    router: Router,
    mut stop: watch::Receiver<bool>,
    drain: Duration,
    limits: ConnectionLimits,
) -> bool {
    let open = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let conns = Arc::new(crate::idle::Registry::default());
    let last_full_warning: Arc<std::sync::Mutex<Option<Instant>>> = Arc::default();
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    loop {
        if *stop.borrow() {
            break;
        }
        tokio::select! {
            accepted = listener.accept() => {
                let (tcp, _peer) = match accepted {
                    Ok(x) => x,
                    Err(e) => {
                        // Out of file descriptors and the like: back off briefly.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = tcp.set_nodelay(true);
                let (open, conns, last_full_warning) =
                    (open.clone(), conns.clone(), last_full_warning.clone());
                let mut conn_stop = stop.clone();
                let service = TowerToHyperService::new(router.clone());
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    // Each open connection holds memory (a TLS session,
                    // buffers). Past the cap, the connection silent longest
                    // (a second or more) is closed to make room; when none
                    // is, the new one is closed, and that is logged at most
                    // once a minute.
                    let permit = match open.clone().try_acquire_owned() {
                        Ok(p) => Some(p),
                        Err(_) if conns.evict_most_silent(Duration::from_secs(1)) => {
                            tokio::time::timeout(Duration::from_secs(1), open.acquire_owned())
                                .await
                                .ok()
                                .and_then(Result::ok)
                        }
                        Err(_) => None,
                    };
                    let Some(permit) = permit else {
                        let warn = last_full_warning.lock().is_ok_and(|mut last| {
                            let due = last.is_none_or(|t| t.elapsed() >= Duration::from_secs(60));
                            if due {
                                *last = Some(Instant::now());
                            }
                            due
                        });
                        if warn {
                            tracing::warn!(
                                port,
                                max_connections = limits.max_connections,
                                "connection limit reached and every connection active: new connections are closed"
                            );
                        }
                        return;
                    };
                    let mut builder = auto::Builder::new(TokioExecutor::new());
                    builder
                        .http1()
                        .timer(TokioTimer::new())
                        .header_read_timeout(Duration::from_secs(10));
                    // HTTP/2 reads a stream's body ahead into its window
                    // before the handler asks: small stream windows keep the
                    // bodies of reviews that wait for the in-flight budget
                    // out of memory (hyper's 1 MiB per connection held 45 MB
                    // over 45 waiting connections). The connection's window
                    // holds every stream's and one more, so streams waiting
                    // for the budget can never fill it and starve the one
                    // being read (with one stream's window for the whole
                    // connection, multiplexed large reviews all timed out).
                    builder
                        .http2()
                        .max_concurrent_streams(H2_MAX_STREAMS)
                        .initial_stream_window_size(H2_WINDOW)
                        .initial_connection_window_size(H2_WINDOW * (H2_MAX_STREAMS + 1));
                    // A connection on which nothing moves for the idle
                    // limit is closed (after a TLS handshake, an HTTP/2
                    // preface or a finished request alike).
                    let activity = crate::idle::Activity::new();
                    let (id, evict) = conns.register(activity.clone());
                    let idle = limits.idle_timeout;
                    let served = match acceptor {
                        Some(acceptor) => {
                            let handshake = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp));
                            let tls = tokio::select! {
                                r = handshake => match r {
                                    Ok(Ok(s)) => Some(s),
                                    Ok(Err(e)) => {
                                        tracing::debug!(error = %e, "TLS handshake failed");
                                        None
                                    }
                                    Err(_) => {
                                        tracing::debug!("TLS handshake timed out");
                                        None
                                    }
                                },
                                () = evict.notified() => None,
                                // At shutdown a handshake still waiting
                                // for its peer ends at once, so it does not
                                // hold the drain for the handshake timeout.
                                _ = conn_stop.wait_for(|stopping| *stopping) => None,
                            };
                            match tls {
                                Some(tls) => {
                                    let io = TokioIo::new(Watched::new(tls, activity.clone()));
                                    let service = crate::idle::Counted::new(service, activity.clone());
                                    let conn = builder.serve_connection(io, service).into_owned();
                                    crate::idle::drive(conn, |c| c.graceful_shutdown(), &activity, idle, &evict, &mut conn_stop).await
                                }
                                None => true,
                            }
                        }
                        None => {
                            let io = TokioIo::new(Watched::new(tcp, activity.clone()));
                            let service = crate::idle::Counted::new(service, activity.clone());
                            let conn = builder.serve_connection(io, service).into_owned();
                            crate::idle::drive(conn, |c| c.graceful_shutdown(), &activity, idle, &evict, &mut conn_stop).await
                        }
                    };
                    if !served {
                        tracing::debug!("idle connection closed");
                    }
                    conns.remove(id);
                    drop(permit);
                });
            }
            _ = stop.changed() => {}
        }
    }
    drop(listener);
    // Every connection was asked to close gracefully when `stop` turned
    // (silent ones close at once, the others after their answers); the
    // drain ends when all of them have given their permit back.
    let all = u32::try_from(limits.max_connections.max(1)).unwrap_or(u32::MAX);
    tokio::time::timeout(drain, open.acquire_many(all))
        .await
        .is_ok_and(|r| r.is_ok())
}

/// HTTP/2 flow-control window of a stream, in bytes.
const H2_WINDOW: u32 = 128 * 1024;

/// HTTP/2 streams open at once on one connection (the API server opens
/// another connection past it). With the connection window this bounds
/// what one connection buffers: 17 × 128 KiB.
const H2_MAX_STREAMS: u32 = 16;

/// Bounds on the connections one listener keeps open.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// Open connections at most; past it new ones are closed at once.
    pub max_connections: usize,
    /// A connection on which no byte moves for this long is closed.
    pub idle_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max_connections: 1024,
            idle_timeout: Duration::from_secs(60),
        }
    }
}

/// Everything the server needs to start.
#[derive(Clone, Debug)]
pub struct Options {
    /// HTTPS address of `/validate` and `/mutate`.
    pub listen: SocketAddr,
    /// Plain-HTTP address of `/healthz`, `/readyz`, `/metrics`.
    pub health_listen: SocketAddr,
    /// PEM certificate chain.
    pub tls_cert: PathBuf,
    /// PEM private key.
    pub tls_key: PathBuf,
    /// Configuration file; `None` means the built-in defaults.
    pub config: Option<PathBuf>,
    /// The webhook's own namespace (always exempt).
    pub own_namespace: Option<String>,
    /// How often certificate and config files are re-read.
    pub reload_interval: Duration,
    /// Request body limit in bytes.
    pub max_body: usize,
    /// Bytes of request bodies read and judged at once (at least
    /// `max_body`).
    pub max_inflight: usize,
    /// After SIGTERM: how long to keep serving (readiness already failing)
    /// before closing the listener, so endpoints can be updated.
    pub shutdown_delay: Duration,
    /// After closing the listener: how long in-flight requests may take.
    pub shutdown_timeout: Duration,
    /// Bounds on the admission port's connections (the health port keeps
    /// at most 128, with the same idle limit).
    pub connections: ConnectionLimits,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The configuration is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The certificate or key is unusable.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// A listener could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// A started server.
#[derive(Debug)]
pub struct Server {
    /// Shared state (metrics, live config).
    pub app: Arc<App>,
    /// Bound HTTPS address.
    pub addr: SocketAddr,
    /// Bound health address.
    pub health_addr: SocketAddr,
    stop_admission: watch::Sender<bool>,
    stop_health: watch::Sender<bool>,
    admission_task: tokio::task::JoinHandle<bool>,
    health_task: tokio::task::JoinHandle<bool>,
    reloader: Option<(mpsc::Sender<()>, std::thread::JoinHandle<()>)>,
    options: Options,
}

impl Server {
    /// Loads configuration and certificate, binds both listeners and starts
    /// serving and watching files.
    pub async fn start(options: Options) -> Result<Server, StartError> {
        let engine = match &options.config {
            Some(p) => {
                let loaded = config::load_file(p)?;
                log_config_warnings(&loaded.warnings);
                loaded.engine
            }
            None => Engine::with_defaults().map_err(|source| ConfigError::Engine {
                path: PathBuf::from("<defaults>"),
                source,
            })?,
        };
        let watcher = CertWatcher::start(&options.tls_cert, &options.tls_key, SystemTime::now())?;
        let resolver = watcher.resolver();
        let tls_config = tls::server_config(resolver.clone())?;

        let mut app = App::new(
            engine,
            Settings {
                own_namespace: options.own_namespace.clone(),
            },
        );
        app.cert = Some(resolver.clone());
        app.max_body = options.max_body;
        // Rounded up as a body's share is, so that the largest body allowed
        // always fits (4,883 KiB for a 5,000,000-byte one, not 4,882).
        let inflight_kib = options
            .max_inflight
            .max(options.max_body)
            .div_ceil(1024)
            .max(1);
        if options.max_inflight < options.max_body {
            tracing::info!(
                max_inflight_bytes = options.max_inflight,
                max_body_bytes = options.max_body,
                "--max-inflight-bytes raised to --max-body-bytes, so that the largest review can be judged"
            );
        }
        app.inflight = Arc::new(tokio::sync::Semaphore::new(inflight_kib));
        app.metrics.set_cert_expiry(resolver.not_after());
        app.metrics
            .set_config_loaded(tls::unix_seconds(SystemTime::now()));
        let app = Arc::new(app);

        let bind = |addr: SocketAddr| async move {
            TcpListener::bind(addr)
                .await
                .map_err(|source| StartError::Bind { addr, source })
        };
        let listener = bind(options.listen).await?;
        let health_listener = bind(options.health_listen).await?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: options.listen,
            source,
        })?;
        let health_addr = health_listener
            .local_addr()
            .map_err(|source| StartError::Bind {
                addr: options.health_listen,
                source,
            })?;

        let (stop_admission, rx) = watch::channel(false);
        let admission_task = tokio::spawn(serve(
            listener,
            Some(TlsAcceptor::from(Arc::new(tls_config))),
            admission_router(app.clone()),
            rx,
            options.shutdown_timeout,
            options.connections,
        ));
        let (stop_health, rx) = watch::channel(false);
        let health_task = tokio::spawn(serve(
            health_listener,
            None,
            health_router(app.clone()),
            rx,
            Duration::from_secs(1),
            // Probes and scrapes: a connection silent for 10 s is done.
            ConnectionLimits {
                max_connections: 128,
                idle_timeout: options
                    .connections
                    .idle_timeout
                    .min(Duration::from_secs(10)),
            },
        ));

        let (tx, rx) = mpsc::channel();
        let reloader = Reloader {
            app: app.clone(),
            certs: watcher,
            config: options.config.clone().map(|p| FileState::new(&p)),
        };
        let interval = options.reload_interval;
        let handle = std::thread::Builder::new()
            .name("eyelint-reload".to_string())
            .spawn(move || reloader.run(&rx, interval))
            .map_err(|source| StartError::Bind {
                addr: options.listen,
                source,
            })?;
        tracing::info!(
            listen = %addr,
            health = %health_addr,
            certificate_not_after = resolver.not_after(),
            "eyelint-webhook serving"
        );
        Ok(Server {
            app,
            addr,
            health_addr,
            stop_admission,
            stop_health,
            admission_task,
            health_task,
            reloader: Some((tx, handle)),
            options,
        })
    }

    /// Runs until `signal` completes, then shuts down gracefully: readiness
    /// fails at once, requests keep being served for the shutdown delay, the
    /// listener closes, and in-flight requests get up to the shutdown
    /// timeout. Returns true when everything finished in time.
    pub async fn run_until(mut self, signal: impl std::future::Future<Output = ()>) -> bool {
        signal.await;
        self.app.shutting_down.store(true, Ordering::SeqCst);
        tracing::info!(
            delay_ms = u64::try_from(self.options.shutdown_delay.as_millis()).unwrap_or(u64::MAX),
            "shutting down: readiness now failing"
        );
        tokio::time::sleep(self.options.shutdown_delay).await;
        let _ = self.stop_admission.send(true);
        let drained = matches!(self.admission_task.await, Ok(true));
        let _ = self.stop_health.send(true);
        let _ = self.health_task.await;
        if let Some((tx, handle)) = self.reloader.take() {
            let _ = tx.send(());
            let _ = handle.join();
        }
        if drained {
            tracing::info!("shut down cleanly");
        } else {
            tracing::warn!("shutdown timeout reached with requests still open");
        }
        drained
    }
}

fn log_config_warnings(warnings: &[String]) {
    for w in warnings {
        tracing::warn!("{w}");
    }
}

/// A file compared by content (so a `..data` symlink swap counts as a change).
#[derive(Debug)]
struct FileState {
    path: PathBuf,
    last: Result<Vec<u8>, std::io::ErrorKind>,
}

impl FileState {
    fn new(path: &Path) -> FileState {
        FileState {
            path: path.to_path_buf(),
            last: std::fs::read(path).map_err(|e| e.kind()),
        }
    }

    /// The new content when it changed since the last call.
    fn changed(&mut self) -> Option<Result<Vec<u8>, ConfigError>> {
        let now = std::fs::read(&self.path);
        let now_key = now.as_ref().map(Clone::clone).map_err(|e| e.kind());
        if now_key == self.last {
            return None;
        }
        self.last = now_key;
        Some(now.map_err(|source| ConfigError::Read {
            path: self.path.clone(),
            source,
        }))
    }
}

struct Reloader {
    app: Arc<App>,
    certs: CertWatcher,
    config: Option<FileState>,
}

impl Reloader {
    fn run(mut self, stop: &mpsc::Receiver<()>, interval: Duration) {
        loop {
            match stop.recv_timeout(interval) {
                Err(mpsc::RecvTimeoutError::Timeout) => self.poll(),
                Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
        }
    }

    fn poll(&mut self) {
        let now = SystemTime::now();
        match self.certs.poll(now) {
            tls::Reload::Unchanged => {}
            tls::Reload::Reloaded(c) => {
                self.app.metrics.cert_reload(ReloadResult::Success);
                self.app.metrics.set_cert_expiry(c.not_after);
                tracing::info!(subject = %c.subject, not_after = c.not_after, "serving certificate reloaded");
            }
            tls::Reload::Failed(e) => {
                self.app.metrics.cert_reload(ReloadResult::Failure);
                tracing::error!(error = %e, "new serving certificate rejected; keeping the previous one");
            }
        }
        let Some(state) = self.config.as_mut() else {
            return;
        };
        let Some(read) = state.changed() else {
            return;
        };
        let result = read.and_then(|bytes| config::engine_from_bytes(&bytes, &state.path));
        match result {
            Ok(loaded) => {
                log_config_warnings(&loaded.warnings);
                let engine = loaded.engine;
                let settings = self.app.live.load().settings.clone();
                self.app.live.store(Arc::new(Live { engine, settings }));
                self.app
                    .metrics
                    .config_reload(ReloadResult::Success, tls::unix_seconds(now));
                tracing::info!(path = %state.path.display(), "configuration reloaded");
            }
            Err(e) => {
                self.app
                    .metrics
                    .config_reload(ReloadResult::Failure, tls::unix_seconds(now));
                tracing::error!(error = %e, "new configuration rejected; keeping the previous one");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_content_types() {
        assert!(is_json("application/json"));
        assert!(is_json("application/json; charset=utf-8"));
        assert!(is_json("Application/JSON"));
        assert!(!is_json("text/plain"));
        assert!(!is_json("application/jsonx"));
        assert!(!is_json(""));
    }

    #[test]
    fn api_server_timeout_query() {
        assert_eq!(
            query_timeout(Some("timeout=5s")),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            query_timeout(Some("a=b&timeout=10s")),
            Some(Duration::from_secs(10))
        );
        assert_eq!(query_timeout(Some("timeout=junk")), None);
        assert_eq!(query_timeout(None), None);
    }
}
