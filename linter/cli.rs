//! The command line: argument parsing and the subcommands.

use std::ffi::OsString;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand, ValueEnum};
use miette::{Diagnostic, NamedSource, SourceSpan};

use eyelint_policies::engine::{builtin_rules, roles_of, Engine};
use eyelint_policies::finding::Severity;
use eyelint_policies::report::{ReportError, Summary};
use eyelint_policies::rule::{RuleMeta, Scope};
use eyelint_policies::rule_doc;

use crate::baseline::{self, Baseline};
use crate::config_file::{self, ConfigSource};
use crate::discover::{self, Input};
use crate::lint::{self, RunOptions, Skip};
use crate::output::{self, Context, FileView, Format, Rendered, RuleInfo, Style, Tail, Writer};
use eyelint_policies::text::printable;

/// The subcommands a first argument may name; anything else is a path.
pub const SUBCOMMANDS: [&str; 7] = ["lint", "rules", "rule", "config", "certs", "sweep", "help"];

/// The report writer's buffer. Inputs arrive rendered, often larger than
/// this: those are written straight through instead of being copied into it.
const WRITE_BUFFER: usize = 64 * 1024;

/// Exit code: nothing at or above the threshold.
pub const EXIT_OK: i32 = 0;
/// Exit code: findings at or above the threshold.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: the tool failed (bad config, unreadable or invalid input).
pub const EXIT_ERROR: i32 = 2;

/// eyelint: a Kubernetes best-practice linter with exact file/line/column findings.
#[derive(Debug, Parser)]
#[command(
    name = "eyelint",
    version,
    about,
    after_help = "Without a subcommand, eyelint lints: `eyelint [PATH ...]` is `eyelint lint [PATH ...]`.\n\
                  Exit codes: 0 clean, 1 findings at or above --fail-on, 2 the tool failed."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint Kubernetes manifests (the default).
    Lint(LintArgs),
    /// List every built-in rule.
    Rules(RulesArgs),
    /// Print one rule's full documentation.
    Rule {
        /// The rule id (see `eyelint rules`).
        id: String,
    },
    /// Print the effective configuration as YAML.
    Config(ConfigArgs),
    /// Create or renew the admission webhook's CA and serving certificate.
    Certs(eyelint_certs::cli::CertsArgs),
    /// Check a live cluster or a cluster dump (runs the separate `eyelint-sweep` program).
    Sweep {
        /// Arguments passed to `eyelint-sweep`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
}

/// When findings fail the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Danger findings fail (what the webhook would deny).
    Danger,
    /// Warning and danger findings fail.
    Warning,
    /// Findings never fail the run (input errors still exit 2).
    Never,
}

/// When to colour the output (`--color`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when the stream is a terminal and `NO_COLOR` is unset or empty.
    Auto,
    /// Always colour (e.g. CI logs that render ANSI colours).
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Whether a stream gets colour, given whether it is a terminal.
    fn wants(self, terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && !no_color_env(),
        }
    }
}

/// Severities for `--min-severity`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MinSeverity {
    /// Show warnings and dangers.
    Warning,
    /// Show dangers only.
    Danger,
}

/// `eyelint lint` options.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files and directories to lint (`-` reads standard input); default `.`.
    pub paths: Vec<PathBuf>,
    /// Name standard input in reports (e.g. `rendered.yaml`).
    #[arg(long, value_name = "NAME", default_value = "<stdin>")]
    pub stdin_filename: String,
    /// Configuration file (default: the nearest .eyelint.yaml or eyelint.yaml upwards).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Treat configuration warnings (unknown keys and rule ids) as errors.
    #[arg(long)]
    pub strict: bool,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "human")]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Findings at or above this severity make the run exit 1.
    #[arg(long, value_enum, default_value = "danger")]
    pub fail_on: FailOn,
    /// Run only these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub only: Vec<String>,
    /// Do not run these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub skip: Vec<String>,
    /// Report only findings at or above this severity.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub min_severity: Option<MinSeverity>,
    /// Report only findings not recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record today's findings in FILE (then exit 0 unless the input has errors; no report is
    /// written, so --format and --output are refused with it).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["format", "output"])]
    pub write_baseline: Option<PathBuf>,
    /// Refuse files larger than this (bytes; K, M, G, KiB, MiB, GiB suffixes).
    #[arg(long, value_name = "SIZE", default_value = "64MiB", value_parser = parse_size)]
    pub max_file_size: u64,
    /// When to colour the output: `auto` colours a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Never colour the output (the same as `--color never`; also: NO_COLOR=1).
    #[arg(long, conflicts_with = "color")]
    pub no_color: bool,
    /// List every file read and skipped (not Kubernetes, a Helm template, a kustomize patch) and
    /// why, and every check the input cannot decide. Hidden and .gitignore'd files are not read.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Worker threads (default: one per core; at most 256).
    #[arg(long, short = 'j', value_name = "N", value_parser = parse_jobs)]
    pub jobs: Option<usize>,
}

/// `eyelint rules` options.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `eyelint config` options.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Configuration file (default: the nearest .eyelint.yaml or eyelint.yaml upwards).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Treat configuration warnings (unknown keys and rule ids) as errors.
    #[arg(long)]
    pub strict: bool,
    /// Print JSON instead of YAML.
    #[arg(long)]
    pub json: bool,
}

/// Parses `64MiB`, `10M`, `512k`, `1000`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a size (e.g. 64MiB, 10M, 500000)"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "m" | "mb" => 1_000_000,
        "g" | "gb" => 1_000_000_000,
        "ki" | "kib" => 1 << 10,
        "mi" | "mib" => 1 << 20,
        "gi" | "gib" => 1 << 30,
        other => return Err(format!("unknown size unit `{other}` in `{s}`")),
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("`{s}` is too large"))
}

/// Inserts `lint` when the first argument is not a subcommand (or a
/// top-level `--help`/`--version`), so `eyelint ./rules` lints a directory
/// named `rules` and `eyelint -f json .` lints `.`.
pub fn normalise_args(args: Vec<OsString>) -> Vec<OsString> {
    let mut args = args;
    let first = args.get(1).and_then(|a| a.to_str()).map(str::to_string);
    let keep = match first.as_deref() {
        None => false,
        Some(a) => SUBCOMMANDS.contains(&a) || matches!(a, "-h" | "--help" | "-V" | "--version"),
    };
    if !keep {
        args.insert(1.min(args.len()), OsString::from("lint"));
    }
    args
}

/// Runs the command line; returns the exit code.
pub fn main_with(args: Vec<OsString>) -> i32 {
    // `eyelint sweep ...` passes everything through untouched.
    if args.get(1).and_then(|a| a.to_str()) == Some("sweep") {
        return match crate::external::run("sweep", &args[2..]) {
            Ok(code) => code,
            Err(e) => {
                ewriteln!("error: {e}");
                EXIT_ERROR
            }
        };
    }
    let cli = match Cli::try_parse_from(normalise_args(args)) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    let result = match cli.command {
        Command::Lint(a) => lint_cmd(a),
        Command::Rules(a) => rules_cmd(&a),
        Command::Rule { id } => rule_cmd(&id),
        Command::Config(a) => config_cmd(&a),
        Command::Certs(a) => certs_cmd(&a),
        Command::Sweep { args } => crate::external::run("sweep", &args).map_err(Into::into),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            ewriteln!(
                "error: {}",
                eyelint_policies::error_chain::error_chain(e.as_ref())
            );
            EXIT_ERROR
        }
    }
}

fn stderr_diag(d: &dyn Diagnostic, color: bool) {
    let style = Style {
        color,
        width: term_width(terminal_size::terminal_size_of(std::io::stderr())),
    };
    let mut s = String::new();
    if output::human::handler(&style)
        .render_report(&mut s, d)
        .is_err()
    {
        s = format!("error: {d}\n");
    }
    ewrite!("{s}");
}

fn stderr_input_diag(d: &InputDiag, color: bool) {
    let style = Style {
        color,
        width: term_width(terminal_size::terminal_size_of(std::io::stderr())),
    };
    let mut s = String::new();
    if output::human::handler(&style)
        .render_report(&mut s, d)
        .is_err()
    {
        s = format!("error: {d}\n");
    }
    ewrite!("{s}");
}

/// Whether the file at `p` holds a Kubernetes object (an earlier report does
/// not; a manifest does).
fn holds_objects(p: &Path, max: u64) -> bool {
    let Ok(bytes) = std::fs::read(p) else {
        return false;
    };
    if bytes.len() as u64 > max {
        return false;
    }
    let loaded =
        eyelint_policies::yaml::load_bytes(&bytes, &eyelint_policies::yaml::Limits::default());
    let mut objects = Vec::new();
    for d in loaded.documents {
        eyelint_policies::object::expand_lists(d.value, &mut objects);
    }
    objects
        .iter()
        .any(eyelint_policies::object::is_kubernetes_object)
}

/// The width to wrap to: `COLUMNS` when exported (as a user or a test sets
/// it), else the width of the terminal the text goes to, `size` (an
/// interactive shell does not export `COLUMNS`), else 100.
fn term_width(size: Option<(terminal_size::Width, terminal_size::Height)>) -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
        .or_else(|| size.map(|(w, _)| usize::from(w.0)))
        .filter(|w| *w >= 40)
        .unwrap_or(100)
}

/// The most worker threads `-j` starts: files are read and checked no
/// faster with more (the work is CPU-bound), and thousands of threads cost
/// seconds to start and stop (`-j 4000` took 14.7 s for one file).
const MAX_JOBS: usize = 256;

/// `-j N`: a whole number of at least 1 (more than [`MAX_JOBS`] starts that
/// many).
fn parse_jobs(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1".to_string()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

fn no_color_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// An input problem, with a snippet when its position is known.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(eyelint::input))]
struct InputDiag {
    message: String,
    #[source_code]
    src: Option<NamedSource<output::human::Excerpt>>,
    #[label("here")]
    span: Option<SourceSpan>,
}

fn load_config(
    explicit: Option<&Path>,
    strict: bool,
    color: bool,
) -> anyhow::Result<Option<config_file::Loaded>> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    match config_file::load(explicit, &cwd, strict) {
        Ok(l) => {
            for w in &l.warnings {
                stderr_diag(w, color);
            }
            Ok(Some(l))
        }
        Err(e) => {
            stderr_diag(&e, color);
            Ok(None)
        }
    }
}

fn rule_info(engine: &Engine) -> Vec<RuleInfo> {
    let mut v: Vec<RuleInfo> = engine
        .active_ids()
        .map(|id| {
            let severity = engine.config().severity(id).unwrap_or(Severity::Warning);
            // A custom check of a built-in's id runs instead of the built-in
            // (the engine looks custom checks up first): describe it.
            let builtin = if engine.config().custom_checks.contains_key(id) {
                None
            } else {
                eyelint_policies::rules::find(id)
            };
            match builtin {
                Some(r) => {
                    let m = r.meta();
                    RuleInfo {
                        id: id.to_string(),
                        category: m.category.to_string(),
                        severity,
                        summary: m.summary.to_string(),
                        doc: rule_doc::markdown(m.doc).trim().to_string(),
                    }
                }
                None => {
                    let spec = engine.config().custom_checks.get(id);
                    let text = |k: &str| {
                        spec.and_then(|s| s.get(k))
                            .and_then(|v| v.as_str())
                            .map(str::to_string)
                    };
                    let summary = text("failureMessage")
                        .or_else(|| text("promptMessage"))
                        .unwrap_or_else(|| format!("custom check {id}"));
                    RuleInfo {
                        id: id.to_string(),
                        category: text("category").unwrap_or_else(|| "Custom".into()),
                        severity,
                        doc: format!(
                            "Custom check `{id}` from the configuration: {summary}. \
                             Success message: {}",
                            text("successMessage").unwrap_or_else(|| "-".into())
                        ),
                        summary,
                    }
                }
            }
        })
        .collect();
    v.sort_by(|a, b| a.id.cmp(&b.id));
    v
}

fn lint_cmd(a: LintArgs) -> anyhow::Result<i32> {
    let to_terminal = a.output.is_none() && std::io::stdout().is_terminal();
    let choice = if a.no_color {
        ColorChoice::Never
    } else {
        a.color
    };
    let color = choice.wants(to_terminal);
    let err_color = choice.wants(std::io::stderr().is_terminal());
    if let Some(j) = a.jobs {
        // Fails only if a pool already exists, which cannot happen here.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(j.min(MAX_JOBS))
            .build_global();
    }
    let Some(loaded) = load_config(a.config.as_deref(), a.strict, err_color)? else {
        return Ok(EXIT_ERROR);
    };
    let mut config = loaded.config;
    if let Err(e) = config_file::restrict(&mut config, &a.only, &a.skip) {
        stderr_diag(&e, err_color);
        return Ok(EXIT_ERROR);
    }
    let engine = Engine::new(config).context("invalid configuration")?;
    // The loader has shown its warnings with their place in the file; the
    // engine's own (the same unknown rule ids) only when the loader had none.
    for w in engine.warnings() {
        if !loaded.warnings.iter().any(|d| d.key == w.key) {
            ewriteln!("warning: {}: {}", w.key, w.message);
        }
    }
    let baseline = match &a.baseline {
        Some(p) => Some(Baseline::read(p)?),
        None => None,
    };

    let paths = if a.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        a.paths.clone()
    };
    let stdin = if paths.iter().any(|p| p.as_os_str() == "-") {
        Some(lint::read_stdin(a.max_file_size).context("cannot read standard input")?)
    } else {
        None
    };
    let (inputs, mut walked) = discover::discover_walked(&paths, stdin, &a.stdin_filename)?;
    let no_files = std::mem::take(&mut walked.no_files);
    // What this run writes is never one of its inputs: a walk would find
    // the last run's report and read it while it is being rewritten.
    let written: Vec<&Path> = [&a.output, &a.write_baseline]
        .into_iter()
        .flatten()
        .map(PathBuf::as_path)
        .collect();
    let (inputs, own): (Vec<Input>, Vec<Input>) = inputs
        .into_iter()
        .partition(|i| !i.path().is_some_and(|p| discover::same_file(p, &written)));
    // ... but a file the run would overwrite with its report must not be a
    // manifest: `eyelint app.yaml -o app.yaml` would wipe it and pass.
    let named: Vec<&Path> = paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .map(PathBuf::as_path)
        .collect();
    for i in &own {
        let Some(p) = i.path() else { continue };
        let why = if discover::same_file(p, &named) {
            Some("it is named as an input")
        } else if holds_objects(p, a.max_file_size) {
            Some("it holds Kubernetes objects this run would lint")
        } else {
            None
        };
        if let Some(why) = why {
            ewriteln!(
                "error: refusing to write the {} to {}: {why}",
                if a.write_baseline
                    .as_deref()
                    .is_some_and(|b| discover::same_file(p, &[b]))
                {
                    "baseline"
                } else {
                    "report"
                },
                i.name
            );
            return Ok(EXIT_ERROR);
        }
    }
    if a.verbose {
        for i in &own {
            ewriteln!("skipped {}: this run writes it", i.name);
        }
    }
    let cx = Context {
        format: a.format,
        rules: rule_info(&engine),
        version: env!("CARGO_PKG_VERSION"),
        style: Style {
            color,
            width: term_width(terminal_size::terminal_size_of(std::io::stdout())),
        },
    };
    let opts = RunOptions {
        max_file_size: a.max_file_size,
        keep_text: cx.needs_text(),
        walked: std::sync::Arc::new(walked),
        ..RunOptions::default()
    };
    let min = match a.min_severity {
        Some(MinSeverity::Danger) => Severity::Danger,
        _ => Severity::Warning,
    };

    // Where the report goes; a file that cannot be created fails the run
    // before any work.
    let (mut sink, to_file): (Box<dyn Write + Send>, bool) = match (&a.output, &a.write_baseline) {
        (_, Some(_)) => (Box::new(std::io::sink()), false),
        (Some(p), None) => {
            let file = std::fs::File::create(p)
                .with_context(|| format!("cannot write {}", discover::display_name(p)))?;
            (Box::new(BufWriter::with_capacity(WRITE_BUFFER, file)), true)
        }
        (None, None) => (
            Box::new(BufWriter::with_capacity(WRITE_BUFFER, std::io::stdout())),
            false,
        ),
    };

    let mut stream = Stream {
        writer: None,
        write_error: None,
        recorder: a
            .write_baseline
            .as_ref()
            .map(|_| baseline::Counts::default()),
        matcher: baseline
            .as_ref()
            .map(|b| baseline::Matcher::new(b, inputs.iter().map(|i| i.name.as_str()))),
        min,
        totals: Totals::default(),
        errors: Vec::new(),
        skipped: Vec::new(),
        verbose: a.verbose,
        undecided: Vec::new(),
        err_color,
        max_file_size: a.max_file_size,
    };
    if stream.recorder.is_none() {
        match Writer::begin(&cx, &mut *sink) {
            Ok(w) => stream.writer = Some(w),
            Err(e) => stream.write_error = Some(e),
        }
    }
    // Inputs are filtered and rendered in parallel, unless a baseline is
    // read or written: matching and recording go in report order, so those
    // runs filter and render as each input is delivered.
    let in_parallel = baseline.is_none() && a.write_baseline.is_none();
    lint::run_each(
        &engine,
        &inputs,
        &opts,
        |o| prepare(&cx, &inputs, min, in_parallel, o),
        |o, p| stream.deliver(&cx, &inputs, o, p),
    );
    let Stream {
        writer,
        write_error,
        recorder,
        totals,
        errors,
        skipped,
        undecided,
        ..
    } = stream;

    report_skips(&inputs, &skipped, a.verbose);
    // A directory that yields nothing is most often one that ignore rules
    // hide whole, or the wrong one: a run that checked nothing says so.
    for dir in &no_files {
        ewriteln!(
            "note: {}: no .yaml, .yml or .json file to lint (hidden directories and what .gitignore excludes are not read)",
            printable(&discover::display_name(dir))
        );
    }
    // Kept with --verbose only. Checks at fault are errors in the report
    // already.
    for (i, n) in undecided.iter().filter(|(_, n)| !n.fault) {
        ewriteln!(
            "not evaluated: {} on {} in {}: {}",
            n.id,
            n.object,
            inputs[*i].name,
            n.reason
        );
    }
    // `helm template … | eyelint -` where helm failed and printed nothing
    // would otherwise pass quietly (a shell without pipefail keeps only the
    // last command's status).
    if totals.objects == 0 && errors.is_empty() && inputs.iter().any(|i| i.path().is_none()) {
        ewriteln!(
            "note: standard input held no Kubernetes objects; if a command feeds it, \
             check that it succeeded (`set -o pipefail` makes its failure fail the step)"
        );
    }

    if let (Some(p), Some(counts)) = (&a.write_baseline, recorder) {
        let b = counts.baseline();
        b.write(p)?;
        ewriteln!(
            "wrote {} covering {} findings in {} entries",
            discover::display_name(p),
            totals.recorded,
            b.entries.len()
        );
        return Ok(if errors.is_empty() {
            EXIT_OK
        } else {
            EXIT_ERROR
        });
    }

    let mut summary = Summary {
        files: totals.files,
        objects: totals.objects,
        passed: totals.passed,
        exempted: totals.exempted,
        not_evaluated: totals.not_evaluated,
        baselined: totals.baselined,
        score: eyelint_policies::finding::score(totals.passed, totals.warnings, totals.dangers),
        errors: errors.len(),
        ..Summary::default()
    };
    for (severity, n) in [
        (Severity::Warning, totals.shown_warnings),
        (Severity::Danger, totals.shown_dangers),
    ] {
        if n > 0 {
            summary.counts.insert(severity, n);
        }
    }
    let tail = Tail {
        errors: &errors,
        summary: &summary,
        files_with_findings: totals.files_with_findings,
    };
    let mut write_error = write_error;
    if let Some(w) = writer {
        if write_error.is_none() {
            write_error = w.end(&cx, &tail).err();
        }
    }
    if write_error.is_none() {
        write_error = sink.flush().err();
    }
    if let Some(e) = write_error {
        // A closed pipe (`eyelint . | head`) is not an error worth reporting;
        // a report that could not be written anywhere else is (a full disk,
        // or no room for a JUnit report's temporary file).
        let target = match (&a.output, to_file) {
            (Some(p), true) => {
                // A cut report would pass for a whole one (a CI step that
                // uploads it, a reader that takes the last line for the end).
                if discover::remove_cut_output(p) {
                    Some(format!(
                        "{} (the incomplete report was removed)",
                        discover::display_name(p)
                    ))
                } else {
                    Some(discover::display_name(p))
                }
            }
            _ if e.kind() == std::io::ErrorKind::BrokenPipe => None,
            _ => Some("the report to standard output".to_string()),
        };
        if let Some(target) = target {
            return Err(anyhow::Error::new(e).context(format!("cannot write {target}")));
        }
    }

    let failing = match a.fail_on {
        FailOn::Never => 0,
        FailOn::Warning => totals.shown_warnings + totals.shown_dangers,
        FailOn::Danger => totals.shown_dangers,
    };
    Ok(if !errors.is_empty() {
        EXIT_ERROR
    } else if failing > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// What the parallel stage hands to the ordered one.
struct Prepared {
    /// Warnings and dangers before any filter (the score counts them all).
    all: Shown,
    /// The input rendered, when filtering could be done in parallel, with
    /// the warnings and dangers it shows (its findings are then dropped on
    /// the worker, not in the ordered delivery).
    rendered: Option<(Rendered, Shown)>,
}

/// Findings by severity.
#[derive(Clone, Copy, Debug, Default)]
struct Shown {
    warnings: usize,
    dangers: usize,
}

impl Shown {
    fn of(findings: &[lint::Located]) -> Shown {
        let mut s = Shown::default();
        for l in findings {
            match l.finding.severity {
                Severity::Danger => s.dangers += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Ignore => {}
            }
        }
        s
    }
}

/// Counts, filters and renders one input on the worker that finished it.
fn prepare(
    cx: &Context,
    inputs: &[Input],
    min: Severity,
    in_parallel: bool,
    o: &mut lint::FileOutcome,
) -> Prepared {
    let all = Shown::of(&o.findings);
    let rendered = in_parallel.then(|| {
        o.findings.retain(|l| l.finding.severity >= min);
        let rendered = render(cx, &inputs[o.input], &o.findings, o.text());
        let shown = Shown::of(&o.findings);
        o.findings = Vec::new();
        (rendered, shown)
    });
    Prepared { all, rendered }
}

fn render(cx: &Context, input: &Input, findings: &[lint::Located], text: Option<&str>) -> Rendered {
    output::render_file(
        cx,
        &FileView {
            name: &input.name,
            findings,
            text,
        },
    )
}

/// Run totals, summed as inputs are delivered.
#[derive(Debug, Default)]
struct Totals {
    files: usize,
    objects: usize,
    passed: usize,
    exempted: usize,
    not_evaluated: usize,
    /// Before filters (for the score).
    warnings: usize,
    dangers: usize,
    /// Reported (after filters and the baseline).
    shown_warnings: usize,
    shown_dangers: usize,
    baselined: usize,
    files_with_findings: usize,
    /// Findings recorded into a new baseline.
    recorded: usize,
}

/// The ordered stage of a lint run: inputs arrive here in input order.
struct Stream<'w> {
    writer: Option<Writer<'w>>,
    /// The first write that failed; nothing more is written after it.
    write_error: Option<std::io::Error>,
    /// `--write-baseline`: findings are counted, no report is written.
    recorder: Option<baseline::Counts>,
    /// `--baseline`: findings it covers are hidden.
    matcher: Option<baseline::Matcher>,
    min: Severity,
    totals: Totals,
    errors: Vec<ReportError>,
    skipped: Vec<(usize, Skip)>,
    /// `--verbose`: the checks not decidable from the input are kept.
    verbose: bool,
    /// Those checks, by input, to be listed at the end.
    undecided: Vec<(usize, eyelint_policies::engine::NotEvaluated)>,
    err_color: bool,
    max_file_size: u64,
}

impl Stream<'_> {
    fn deliver(&mut self, cx: &Context, inputs: &[Input], mut o: lint::FileOutcome, p: Prepared) {
        let input = &inputs[o.input];
        let t = &mut self.totals;
        if o.checked && o.objects > 0 {
            t.files += 1;
        }
        t.objects += o.objects;
        t.passed += o.passed;
        t.exempted += o.exempted;
        t.not_evaluated += o.undecided.len();
        if self.verbose {
            let input_idx = o.input;
            self.undecided.extend(
                std::mem::take(&mut o.undecided)
                    .into_iter()
                    .map(|n| (input_idx, n)),
            );
        }
        t.warnings += p.all.warnings;
        t.dangers += p.all.dangers;
        if let Some(s) = &o.skip {
            self.skipped.push((o.input, s.clone()));
        }
        let first_error = self.errors.len();
        for e in &o.errors {
            self.errors.push(input_error(
                input,
                e,
                o.text(),
                self.err_color,
                self.max_file_size,
            ));
        }
        if let Some(counts) = &mut self.recorder {
            for l in &o.findings {
                counts.add(&*l.finding, &l.file);
            }
            self.totals.recorded += o.findings.len();
            return;
        }
        let (rendered, shown) = match p.rendered {
            Some(r) => r,
            None => {
                let mut shown = Vec::with_capacity(o.findings.len());
                let news = match self.matcher.as_mut() {
                    Some(m) => m.new_ones(&input.name, o.findings.iter().map(|l| &*l.finding)),
                    None => vec![true; o.findings.len()],
                };
                for (l, new) in o.findings.into_iter().zip(news) {
                    let visible = l.finding.severity >= self.min;
                    match (visible, new) {
                        (true, true) => shown.push(l),
                        (true, false) => self.totals.baselined += 1,
                        (false, _) => {}
                    }
                }
                let text = o.text.as_deref().and_then(|b| std::str::from_utf8(b).ok());
                (render(cx, input, &shown, text), Shown::of(&shown))
            }
        };
        let t = &mut self.totals;
        t.shown_dangers += shown.dangers;
        t.shown_warnings += shown.warnings;
        if shown.dangers + shown.warnings > 0 {
            t.files_with_findings += 1;
        }
        if self.write_error.is_some() {
            return;
        }
        if let Some(w) = &mut self.writer {
            if let Err(e) = w.file(&input.name, rendered, &self.errors[first_error..]) {
                self.write_error = Some(e);
            }
        }
    }
}

/// Prints an input problem to standard error (with a snippet when its
/// position is known) and returns it for the report.
fn input_error(
    input: &Input,
    e: &lint::InputError,
    text: Option<&str>,
    err_color: bool,
    max_file_size: u64,
) -> ReportError {
    let (line, column) = match e.pos {
        Some(p) => (Some(p.line), Some(p.column)),
        None => (None, None),
    };
    // The lines around the position, cut around it when one is long (a
    // one-line JSON file): what a finding's snippet shows.
    let read;
    let excerpt = match (e.pos, text) {
        (Some(p), Some(t)) => output::human::Window::new(t).excerpt(p.offset, 0),
        (Some(p), None) => {
            read = lint::read_input(input, max_file_size).ok();
            read.as_deref()
                .and_then(|b| lint::as_text(b).ok())
                .and_then(|t| output::human::Window::new(t).excerpt(p.offset, 0))
        }
        (None, _) => None,
    };
    // A file's name and a message quoting the input are shown as they may
    // be on a terminal (no control character acts on it).
    let name = printable(&input.name);
    let message = match (line, column) {
        (Some(l), Some(c)) => format!("{name}:{l}:{c}: {}", printable(&e.message)),
        _ => format!("{name}: {}", printable(&e.message)),
    };
    let src_name = match (line, column) {
        (Some(l), Some(c)) => format!("{name}:{l}:{c}"),
        _ => name.to_string(),
    };
    let (src, span) = match excerpt {
        Some((excerpt, span)) => (Some(NamedSource::new(src_name, excerpt)), Some(span)),
        None => (None, None),
    };
    stderr_input_diag(&InputDiag { message, src, span }, err_color);
    ReportError {
        file: input.name.clone(),
        line,
        column,
        message: e.message.clone(),
    }
}

fn report_skips(inputs: &[Input], skipped: &[(usize, Skip)], verbose: bool) {
    // (directory or file the notice names, files skipped for it)
    let mut charts: Vec<(PathBuf, usize)> = Vec::new();
    let mut kustomizations: Vec<(PathBuf, usize)> = Vec::new();
    let count = |list: &mut Vec<(PathBuf, usize)>, key: &Path| match list
        .iter_mut()
        .find(|(c, _)| c == key)
    {
        Some((_, n)) => *n += 1,
        None => list.push((key.to_path_buf(), 1)),
    };
    for (i, s) in skipped {
        match s {
            Skip::NotKubernetes => {
                if verbose {
                    ewriteln!(
                        "skipped {}: no Kubernetes objects",
                        printable(&inputs[*i].name)
                    );
                }
            }
            Skip::HelmTemplate { chart } => {
                if verbose {
                    ewriteln!(
                        "skipped {}: Helm chart template",
                        printable(&inputs[*i].name)
                    );
                }
                count(&mut charts, chart);
            }
            Skip::KustomizePatch { kustomization } => {
                if verbose {
                    ewriteln!(
                        "skipped {}: a kustomize patch ({})",
                        printable(&inputs[*i].name),
                        shown(kustomization)
                    );
                }
                count(&mut kustomizations, kustomization);
            }
        }
    }
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    for (chart, n) in charts {
        let shown = shown(&chart);
        ewriteln!(
            "note: skipped {n} Helm template file{} in chart {shown}; lint the rendered output: helm template {shown} | eyelint -",
            plural(n)
        );
    }
    for (k, n) in kustomizations {
        let dir = k.parent().map_or_else(|| ".".to_string(), shown);
        ewriteln!(
            "note: skipped {n} kustomize patch file{} listed in {}; lint the built output: kubectl kustomize {dir} | eyelint -",
            plural(n),
            shown(&k)
        );
    }
}

/// A path for a notice: relative to the current directory when under it.
/// `p` as notes show it: relative to the current directory, with no
/// control character acting on the terminal.
fn shown(p: &Path) -> String {
    let name = std::env::current_dir()
        .ok()
        .and_then(|cwd| p.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .map(|p| {
            if p.as_os_str().is_empty() {
                ".".to_string()
            } else {
                discover::display_name(&p)
            }
        })
        .unwrap_or_else(|| discover::display_name(p));
    printable(&name).into_owned()
}

fn roles_label(m: &RuleMeta) -> String {
    match m.scope {
        Scope::Container(_) => {
            let roles: Vec<&str> = roles_of(m).iter().map(|r| r.as_str()).collect();
            roles.join(",")
        }
        Scope::Workload => "pod".into(),
        Scope::Object => {
            if m.kinds.is_empty() {
                "object".into()
            } else {
                m.kinds.join(",")
            }
        }
    }
}

fn rules_cmd(a: &RulesArgs) -> anyhow::Result<i32> {
    let rules = builtin_rules();
    let mut out = String::new();
    if a.json {
        let v: Vec<serde_json::Value> = rules
            .iter()
            .map(|m| {
                serde_json::json!({
                    "id": m.id,
                    "category": m.category.as_str(),
                    "severity": m.severity,
                    "inspects": roles_label(m),
                    "fix": m.fix,
                    "summary": m.summary,
                })
            })
            .collect();
        out = serde_json::to_string_pretty(&v)?;
        out.push('\n');
    } else {
        let rows: Vec<[String; 5]> = rules
            .iter()
            .map(|m| {
                [
                    m.id.to_string(),
                    m.category.as_str().to_string(),
                    m.severity.as_str().to_string(),
                    roles_label(m),
                    m.summary.to_string(),
                ]
            })
            .collect();
        let header = ["ID", "CATEGORY", "SEVERITY", "INSPECTS", "SUMMARY"];
        let mut widths = header.map(str::len);
        for r in &rows {
            for (w, c) in widths.iter_mut().zip(r) {
                *w = (*w).max(c.chars().count());
            }
        }
        let line = |cells: [&str; 5]| {
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate() {
                if i == 4 {
                    s.push_str(c);
                } else {
                    s.push_str(&format!("{c:<w$}  ", w = widths[i]));
                }
            }
            s.trim_end().to_string() + "\n"
        };
        out.push_str(&line(header));
        for r in &rows {
            out.push_str(&line([&r[0], &r[1], &r[2], &r[3], &r[4]]));
        }
        out.push_str(&format!(
            "\n{} rules. `eyelint rule ID` prints one rule's documentation.\n",
            rules.len()
        ));
    }
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    Ok(EXIT_OK)
}

fn rule_cmd(id: &str) -> anyhow::Result<i32> {
    let Some(rule) = eyelint_policies::rules::find(id) else {
        // Ids that contain what was typed (or are contained in it), else the
        // nearest by spelling (`runAsPrivilged`).
        let lower = id.to_ascii_lowercase();
        let ids: Vec<&str> = builtin_rules().iter().map(|m| m.id).collect();
        let mut close: Vec<&str> = if lower.is_empty() {
            Vec::new()
        } else {
            ids.iter()
                .copied()
                .filter(|r| {
                    let r = r.to_ascii_lowercase();
                    r.contains(&lower) || lower.contains(&r)
                })
                .collect()
        };
        if close.is_empty() {
            close.extend(eyelint_policies::config::closest(id, &ids));
        }
        ewrite!("error: unknown rule `{id}`");
        if !close.is_empty() {
            ewrite!(" (did you mean {}?)", close.join(", "));
        }
        ewriteln!("; `eyelint rules` lists every rule");
        return Ok(EXIT_ERROR);
    };
    let m = rule.meta();
    let text = format!(
        "# {}\n\n{}\n\n- Category: {}\n- Default severity: {}\n- Runs on: {}\n- Roles inspected: {}\n- Fix: {}\n\n{}",
        m.id,
        m.summary,
        m.category,
        m.severity,
        rule_doc::scope_label(m),
        rule_doc::roles_label(m),
        rule_doc::fix_label(m),
        rule_doc::markdown(m.doc).trim_start()
    );
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(EXIT_OK)
}

fn certs_cmd(a: &eyelint_certs::cli::CertsArgs) -> anyhow::Result<i32> {
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    eyelint_certs::cli::run(a, std::time::SystemTime::now(), &mut stdout, &mut stderr)?;
    Ok(EXIT_OK)
}

fn config_cmd(a: &ConfigArgs) -> anyhow::Result<i32> {
    let err_color = std::io::stderr().is_terminal() && !no_color_env();
    let Some(loaded) = load_config(a.config.as_deref(), a.strict, err_color)? else {
        return Ok(EXIT_ERROR);
    };
    let value = serde_json::to_value(&loaded.config)?;
    let origin = match &loaded.source {
        ConfigSource::File(p) => discover::display_name(p),
        ConfigSource::Defaults => "built-in defaults".to_string(),
    };
    let text = if a.json {
        let mut s = serde_json::to_string_pretty(&value)?;
        s.push('\n');
        s
    } else {
        format!(
            "# effective eyelint configuration (from {origin}, merged over the defaults)\n{}",
            crate::yaml_out::to_yaml(&value)
        )
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn first_argument_decides_the_subcommand() {
        assert_eq!(normalise_args(os(&["e", "rules"])), os(&["e", "rules"]));
        assert_eq!(
            normalise_args(os(&["e", "./rules"])),
            os(&["e", "lint", "./rules"])
        );
        assert_eq!(normalise_args(os(&["e"])), os(&["e", "lint"]));
        assert_eq!(
            normalise_args(os(&["e", "-f", "json", "."])),
            os(&["e", "lint", "-f", "json", "."])
        );
        assert_eq!(
            normalise_args(os(&["e", "--version"])),
            os(&["e", "--version"])
        );
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("10M"), Ok(10_000_000));
        assert_eq!(parse_size("512"), Ok(512));
        assert!(parse_size("ten").is_err());
        assert!(parse_size("1XB").is_err());
    }
}
