//! `eyelint-sweep`, run as `eyelint sweep`: runtime diagnosis of a cluster,
//! live or from a dump. Exit codes: 0 clean, 1 findings at or above
//! `--fail-on`, 2 the sweep itself failed.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, ValueEnum};
use eyelint_policies::{Config, Engine, Severity};
use eyelint_sweep::render::{html, human, json};
use eyelint_sweep::snapshot::Collector;
use eyelint_sweep::sweep::{self, Extras, Offline};

/// `eprintln!` that gives up quietly when standard error is closed
/// (`eyelint sweep 2>&1 | head`): std's panics, turning the exit code into 101.
macro_rules! ewriteln {
    ($($t:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
    Html,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Danger,
    Warning,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

/// Finds what no manifest shows: sick nodes, broken control-plane
/// components, failing pods and warning events, and audits the running
/// workloads with eyelint's policy engine.
#[derive(Debug, Parser)]
#[command(name = "eyelint sweep", version)]
struct Cli {
    /// Read `kubectl cluster-info dump` output (a file, or the --output-directory tree).
    #[arg(long, value_name = "PATH", conflicts_with = "from_file")]
    from_dump: Option<PathBuf>,
    /// Read `kubectl get ... -o json|yaml` output (a List or one object).
    #[arg(long, value_name = "FILE")]
    from_file: Option<PathBuf>,
    /// Kubeconfig file (live mode; default: $KUBECONFIG, ~/.kube/config, or in-cluster).
    #[arg(long, value_name = "FILE")]
    kubeconfig: Option<PathBuf>,
    /// Kubeconfig context (live mode).
    #[arg(long, value_name = "NAME")]
    context: Option<String>,
    /// Only this namespace (repeatable).
    #[arg(long, short = 'n', value_name = "NS")]
    namespace: Vec<String>,
    /// eyelint configuration file (YAML or JSON); sweep settings live under `sweep:`.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Check this API server certificate (PEM or DER) for NodeApiServerExpiredPeriod.
    #[arg(long, value_name = "FILE")]
    apiserver_cert: Option<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write the report to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit 1 when a finding has at least this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Danger)]
    fail_on: FailOn,
    /// Colours in human output: `auto` colours a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = Color::Auto)]
    color: Color,
    /// Never colour the output (the same as `--color never`; also: NO_COLOR=1).
    #[arg(long, conflicts_with = "color")]
    no_color: bool,
    /// Global time limit of a live sweep, in seconds (overrides `sweep.timeoutSeconds`).
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=eyelint_policies::sweep::MAX_TIMEOUT_SECONDS))]
    timeout: Option<u64>,
    /// List the runtime checks and exit.
    #[arg(long)]
    list_checks: bool,
}

/// The configuration, read as `eyelint` reads a configuration file
/// (several documents, Polaris's keys in any case, the `sweep:` section
/// checked, warnings and errors at `file:line:column`).
fn load_config(path: Option<&PathBuf>) -> Result<Config> {
    let Some(path) = path else {
        return Ok(Config::defaults());
    };
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    // UTF-8, or UTF-16 with a byte-order mark, as `eyelint` reads it.
    let bytes = eyelint_policies::yaml::utf16_as_utf8(&bytes)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?
        .unwrap_or(bytes);
    let text = String::from_utf8(bytes)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let name = path.display().to_string();
    let loaded = eyelint_policies::config::load_config(&text, &name, false).map_err(|d| {
        let help = d.help.as_ref().map_or(String::new(), |h| format!(" ({h})"));
        match d.pos {
            Some(p) => anyhow::anyhow!("{name}:{}:{}: {}{help}", p.line, p.column, d.message),
            None => anyhow::anyhow!("{name}: {}{help}", d.message),
        }
    })?;
    for w in &loaded.warnings {
        ewriteln!("{}", w.to_short_string());
    }
    Ok(loaded.config)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Writes to standard output. A reader that stops early (`| head`) is not
/// an error; any other failure (a full disk) is.
fn to_stdout(
    write: impl FnOnce(&mut std::io::StdoutLock<'static>) -> std::io::Result<()>,
) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(e).context("cannot write to stdout"))
        }
        _ => Ok(()),
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    if cli.list_checks {
        let mut text = String::new();
        for c in eyelint_sweep::checks::CHECKS {
            text.push_str(&format!(
                "{:<46} {:<8} {:<13} {}\n",
                c.id,
                c.severity.as_str(),
                c.section.title(),
                c.summary
            ));
        }
        text.push_str("(workloads: every rule of the policy engine, see `eyelint rules`)\n");
        to_stdout(|w| w.write_all(text.as_bytes()))?;
        return Ok(ExitCode::SUCCESS);
    }
    if cli.format == Format::Html && cli.output.is_none() && std::io::stdout().is_terminal() {
        bail!("--format html writes a whole page: give --output report.html (or redirect stdout)");
    }
    let config = load_config(cli.config.as_ref())?;
    let mut sweep_cfg = config.sweep.clone();
    if !cli.namespace.is_empty() {
        sweep_cfg.namespaces = cli.namespace.clone();
    }
    if let Some(t) = cli.timeout {
        sweep_cfg.timeout_seconds = t;
    }
    let engine = Engine::new(config)?;
    let mut extras = Extras::default();
    if let Some(p) = &cli.apiserver_cert {
        extras.certs.push(sweep::read_cert_file(p)?);
    }
    let mut col = Collector::new(&sweep_cfg, engine.index_kinds().clone());
    let source = match (&cli.from_dump, &cli.from_file) {
        (Some(p), _) => sweep::collect_offline(&Offline::Dump(p.clone()), &mut col)?,
        (None, Some(p)) => sweep::collect_offline(&Offline::File(p.clone()), &mut col)?,
        (None, None) => live(&cli, &mut col, &mut extras)?,
    };
    let report = sweep::analyse(col, &engine, extras, now(), source);
    let text = match cli.format {
        Format::Json => {
            // Streamed: a large report is never held as one string.
            match &cli.output {
                Some(p) => {
                    let file = std::fs::File::create(p)
                        .with_context(|| format!("cannot write {}", p.display()))?;
                    json::write(&report, std::io::BufWriter::with_capacity(1 << 20, file))
                        .with_context(|| format!("cannot write {}", p.display()))?;
                }
                None => to_stdout(|w| {
                    json::write(&report, std::io::BufWriter::with_capacity(1 << 20, w))
                })?,
            }
            String::new()
        }
        Format::Html => html::render(&report),
        Format::Human => {
            let to_tty = cli.output.is_none() && std::io::stdout().is_terminal();
            let color = match cli.color {
                _ if cli.no_color => false,
                Color::Always => true,
                Color::Never => false,
                // https://no-color.org: set and not empty.
                Color::Auto => to_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            };
            // `COLUMNS` when exported, else the terminal's own width (an
            // interactive shell does not export `COLUMNS`), else 160.
            let width = if to_tty {
                std::env::var("COLUMNS")
                    .ok()
                    .and_then(|c| c.parse().ok())
                    .or_else(|| {
                        terminal_size::terminal_size_of(std::io::stdout())
                            .map(|(w, _)| usize::from(w.0))
                    })
                    .or(Some(160))
            } else {
                None
            };
            human::render(&report, human::Style { color, width })
        }
    };
    match (&cli.output, cli.format) {
        (_, Format::Json) => {}
        (Some(p), _) => {
            std::fs::write(p, text).with_context(|| format!("cannot write {}", p.display()))?
        }
        (None, _) => to_stdout(|w| w.write_all(text.as_bytes()))?,
    }
    let threshold = match cli.fail_on {
        FailOn::Danger => Some(Severity::Danger),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Never => None,
    };
    let failed = threshold.is_some_and(|t| report.findings.iter().any(|f| f.severity >= t));
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(feature = "live")]
fn live(
    cli: &Cli,
    col: &mut Collector<'_>,
    extras: &mut Extras,
) -> Result<eyelint_sweep::report::SourceInfo> {
    let opts = eyelint_sweep::live::LiveOptions {
        kubeconfig: cli.kubeconfig.clone(),
        context: cli.context.clone(),
        progress: std::io::stderr().is_terminal(),
    };
    Ok(eyelint_sweep::live::run(&opts, col, extras)?)
}

#[cfg(not(feature = "live"))]
fn live(
    _: &Cli,
    _: &mut Collector<'_>,
    _: &mut Extras,
) -> Result<eyelint_sweep::report::SourceInfo> {
    bail!("this build has no live mode (feature `live`): use --from-dump or --from-file")
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            ewriteln!(
                "eyelint sweep: error: {}",
                eyelint_policies::error_chain::error_chain(e.as_ref())
            );
            ExitCode::from(2)
        }
    }
}
