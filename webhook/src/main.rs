//! `eyelint-webhook`: the admission webhook binary.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use eyelint_webhook::server::{Options, Server, DEFAULT_MAX_BODY, DEFAULT_MAX_INFLIGHT};
use tracing::level_filters::LevelFilter;

// Off under `--cfg eyelint_sysalloc` (heap profiling), as in `eyelint`.
#[cfg(not(eyelint_sysalloc))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Clone, Copy, Debug, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

/// Validating and mutating admission webhook: eyelint's checks at deploy time.
#[derive(Debug, Parser)]
#[command(name = "eyelint-webhook", version)]
struct Cli {
    /// HTTPS address for /validate and /mutate.
    #[arg(long, env = "EYELINT_LISTEN", default_value = "0.0.0.0:8443")]
    listen: SocketAddr,
    /// PEM certificate chain (leaf first); reloaded when it changes.
    #[arg(long, env = "EYELINT_TLS_CERT")]
    tls_cert: PathBuf,
    /// PEM private key; reloaded when it changes.
    #[arg(long, env = "EYELINT_TLS_KEY")]
    tls_key: PathBuf,
    /// eyelint configuration file (YAML); built-in defaults when absent.
    #[arg(long, env = "EYELINT_CONFIG")]
    config: Option<PathBuf>,
    /// Plain-HTTP address for /healthz, /readyz and /metrics.
    #[arg(long, env = "EYELINT_HEALTH_LISTEN", default_value = "0.0.0.0:8080")]
    health_listen: SocketAddr,
    /// The webhook's own namespace, never judged (falls back to $POD_NAMESPACE).
    #[arg(long, env = "EYELINT_NAMESPACE")]
    namespace: Option<String>,
    /// Log format.
    #[arg(long, env = "EYELINT_LOG_FORMAT", value_enum, default_value = "text")]
    log_format: LogFormat,
    /// Log level: error, warn, info, debug, trace or off.
    #[arg(long, env = "EYELINT_LOG_LEVEL", default_value = "info")]
    log_level: LevelFilter,
    /// How often certificate and config files are re-read (e.g. 3s, 500ms).
    #[arg(long, env = "EYELINT_RELOAD_INTERVAL", default_value = "3s", value_parser = parse_duration)]
    reload_interval: Duration,
    /// Largest accepted request body in bytes (413 above).
    #[arg(long, env = "EYELINT_MAX_BODY_BYTES", default_value_t = DEFAULT_MAX_BODY,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    max_body_bytes: usize,
    /// Request bodies read and judged at once, in bytes (at least
    /// --max-body-bytes): bounds memory; a review that waits past its
    /// timeout gets 503.
    #[arg(long, env = "EYELINT_MAX_INFLIGHT_BYTES", default_value_t = DEFAULT_MAX_INFLIGHT)]
    max_inflight_bytes: usize,
    /// After SIGTERM, keep serving this long with readiness failing.
    #[arg(long, env = "EYELINT_SHUTDOWN_DELAY", default_value = "5s", value_parser = parse_duration)]
    shutdown_delay: Duration,
    /// Then wait at most this long for in-flight requests.
    #[arg(long, env = "EYELINT_SHUTDOWN_TIMEOUT", default_value = "20s", value_parser = parse_duration)]
    shutdown_timeout: Duration,
    /// Open connections to the admission port at most (each holds memory).
    /// At the cap the connection silent longest (1 s or more) is closed to
    /// make room; when none is, the new one is closed.
    #[arg(long, env = "EYELINT_MAX_CONNECTIONS", default_value_t = 1024,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    max_connections: usize,
    /// Close a connection on which nothing has moved for this long.
    /// At least 5 s: a review is judged without bytes moving.
    #[arg(long, env = "EYELINT_IDLE_TIMEOUT", default_value = "60s", value_parser = parse_idle)]
    idle_timeout: Duration,
    /// Worker threads (default: one per CPU).
    #[arg(long, env = "EYELINT_WORKER_THREADS")]
    worker_threads: Option<usize>,
}

/// Parses `500ms`, `3s`, `2m` or a bare number of seconds.
fn parse_idle(s: &str) -> Result<Duration, String> {
    let d = parse_duration(s)?;
    if d < Duration::from_secs(5) {
        return Err(format!("`{s}` is too short: at least 5s"));
    }
    Ok(d)
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("invalid duration `{s}` (examples: 500ms, 3s, 2m)"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n * 60)),
        _ => Err(format!("invalid duration unit in `{s}` (use ms, s or m)")),
    }
}

fn init_logging(format: LogFormat, level: LevelFilter) {
    let builder = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(false);
    match format {
        LogFormat::Json => builder.json().flatten_event(true).init(),
        LogFormat::Text => builder.init(),
    }
}

async fn terminate() {
    use tokio::signal::unix::{signal, SignalKind};
    match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(mut term), Ok(mut int)) => {
            tokio::select! {
                _ = term.recv() => tracing::info!("SIGTERM received"),
                _ = int.recv() => tracing::info!("SIGINT received"),
            }
        }
        _ => {
            tracing::error!("cannot install signal handlers; stopping only on ctrl-c");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_format, cli.log_level);
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    rt.enable_all();
    if let Some(n) = cli.worker_threads.filter(|n| *n > 0) {
        rt.worker_threads(n);
    }
    let rt = match rt.build() {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!(error = %e, "cannot start the async runtime");
            return ExitCode::from(2);
        }
    };
    let own_namespace = cli
        .namespace
        .clone()
        .or_else(|| std::env::var("POD_NAMESPACE").ok())
        .filter(|n| !n.is_empty());
    let options = Options {
        listen: cli.listen,
        health_listen: cli.health_listen,
        tls_cert: cli.tls_cert,
        tls_key: cli.tls_key,
        config: cli.config,
        own_namespace,
        reload_interval: cli.reload_interval.max(Duration::from_millis(100)),
        max_body: cli.max_body_bytes,
        max_inflight: cli.max_inflight_bytes,
        shutdown_delay: cli.shutdown_delay,
        shutdown_timeout: cli.shutdown_timeout,
        connections: eyelint_webhook::server::ConnectionLimits {
            max_connections: cli.max_connections,
            idle_timeout: cli.idle_timeout,
        },
    };
    rt.block_on(async move {
        let server = match Server::start(options).await {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "cannot start");
                return ExitCode::from(2);
            }
        };
        if server.run_until(terminate()).await {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("3s"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        assert!(parse_duration("3h").is_err());
        assert!(parse_duration("fast").is_err());
    }

    #[test]
    fn cli_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
