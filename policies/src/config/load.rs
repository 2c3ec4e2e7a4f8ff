//! Loading a configuration file with diagnostics that point at the offending
//! line and column: wrong types, unknown severities, unknown keys in
//! exemptions, invalid custom checks (bad JSON Schema, bad target, …),
//! custom checks without a severity. Unknown rule ids and unknown top-level
//! keys are warnings (errors with `strict`).
//!
//! Like Polaris, a file may hold several YAML documents; they are merged in
//! turn (maps by key, lists replace) before the result is merged over
//! [`Config::defaults`].

use std::fmt;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};
use serde_json::{Map, Value};

use super::{merge_values, Config};
use crate::object::kind_of;
use crate::path::{FieldPath, Seg};
use crate::yaml::{self, Document, Pos};

/// A configuration and the warnings found while loading it.
#[derive(Debug)]
pub struct LoadedConfig {
    /// The user's file merged over the defaults.
    pub config: Config,
    /// Non-fatal problems, each pointing into the file.
    pub warnings: Vec<ConfigDiagnostic>,
}

/// Whether a diagnostic stops the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// The configuration is rejected.
    Error,
    /// The configuration is used; the problem is reported.
    Warning,
}

/// A problem in a configuration file, with its location.
#[derive(Clone)]
pub struct ConfigDiagnostic {
    /// Error or warning.
    pub level: Level,
    /// What is wrong (lowercase, no trailing period).
    pub message: String,
    /// The config key at fault (`checks.fooBar`); empty for the whole file.
    pub key: String,
    /// Where in the file (1-based line and column), when known.
    pub pos: Option<Pos>,
    /// Length in bytes of the labelled text.
    pub len: usize,
    /// Short text shown at the label.
    pub label: String,
    /// How to fix it, when there is advice to give.
    pub help: Option<String>,
    /// The file's name, as given to [`load_config`].
    file: String,
    /// The text, named `file:line:column` when the position is known (the
    /// snippet's header shows that name).
    source: NamedSource<String>,
}

/// The text to show in a diagnostic, named so that its header gives the
/// line and column.
fn named_source(name: &str, text: &str, pos: Option<Pos>) -> NamedSource<String> {
    let shown = match pos {
        Some(p) => format!("{name}:{}:{}", p.line, p.column),
        None => name.to_string(),
    };
    NamedSource::new(shown, text.to_string())
}

impl ConfigDiagnostic {
    /// The file name given to [`load_config`].
    pub fn file_name(&self) -> &str {
        &self.file
    }

    /// 1-based line (0 when unknown).
    pub fn line(&self) -> usize {
        self.pos.map_or(0, |p| p.line)
    }

    /// 1-based column (0 when unknown).
    pub fn column(&self) -> usize {
        self.pos.map_or(0, |p| p.column)
    }

    /// `name:line:column: level: message`, for plain output.
    pub fn to_short_string(&self) -> String {
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        match self.pos {
            Some(p) => format!(
                "{}:{}:{}: {level}: {}",
                self.file_name(),
                p.line,
                p.column,
                self.message
            ),
            None => format!("{}: {level}: {}", self.file_name(), self.message),
        }
    }
}

impl fmt::Debug for ConfigDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigDiagnostic")
            .field("level", &self.level)
            .field("message", &self.message)
            .field("key", &self.key)
            .field("line", &self.line())
            .field("column", &self.column())
            .finish()
    }
}

impl fmt::Display for ConfigDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigDiagnostic {}

impl Diagnostic for ConfigDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("eyelint::config"))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.level {
            Level::Error => miette::Severity::Error,
            Level::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h.as_str()) as Box<dyn fmt::Display + 'a>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let pos = self.pos?;
        // Primary: the header then names the line and column
        // (`╭─[polaris.yaml:9:17]`), not only the file.
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some(self.label.clone()), (pos.offset, self.len)),
        )))
    }
}

/// Keys Polaris accepts at the top level besides [`Config`]'s own: set from
/// its command line, ignored here.
const POLARIS_ONLY_KEYS: &[&str] = &["kubeContext", "namespace"];

const CONFIG_KEYS: &[&str] = &[
    "displayName",
    "checks",
    "customChecks",
    "exemptions",
    "disallowExemptions",
    "disallowConfigExemptions",
    "disallowAnnotationExemptions",
    "mutations",
    "allowedRegistries",
    "admission",
    "sweep",
];

struct Ctx<'t> {
    text: &'t str,
    name: &'t str,
    docs: Vec<Document>,
    /// Keys read under their canonical spelling: (path as read, path as
    /// written in the file).
    renamed: Vec<(FieldPath, FieldPath)>,
}

/// Keys of an exemption (`Exemption`'s fields).
const EXEMPTION_KEYS: &[&str] = &[
    "namespace",
    "namespaces",
    "controllerNames",
    "containerNames",
    "rules",
    "reason",
];

/// Polaris decodes its configuration with Go's `encoding/json`, which gives
/// a key to the field whose name it matches case-insensitively when no field
/// has its exact name: `FailureMessage` (as Polaris's own `linuxHardening`
/// check spells it) is `failureMessage`, `ControllerNames` is
/// `controllerNames`. The fields of Polaris's format are read so too. Map
/// keys (rule ids under `checks`, custom check ids, kinds under
/// `additionalSchemas`) and schemas are left as written. A key whose exact
/// spelling is also present is left for the unknown-key warning.
fn fold_key_case(user: &mut Value) -> Vec<(FieldPath, FieldPath)> {
    let mut renamed = Vec::new();
    let root = FieldPath::root();
    let Value::Object(top) = user else {
        return renamed;
    };
    let top_keys: Vec<&str> = CONFIG_KEYS
        .iter()
        .chain(POLARIS_ONLY_KEYS)
        .copied()
        .collect();
    let top_folded = fold_map(top, &top_keys, &root, &root, &mut renamed);
    let at = |canonical: &str| child(&root, &root, &top_folded, canonical);
    if let Some(Value::Object(checks)) = top.get_mut("customChecks") {
        let (read, written) = at("customChecks");
        for (id, spec) in checks.iter_mut() {
            let Value::Object(spec) = spec else { continue };
            let (read, written) = (read.key(id), written.key(id));
            let spec_folded = fold_map(
                spec,
                crate::custom::KNOWN_KEYS,
                &read,
                &written,
                &mut renamed,
            );
            let at = |canonical: &str| child(&read, &written, &spec_folded, canonical);
            for filter in ["controllers", "containers"] {
                if let Some(Value::Object(f)) = spec.get_mut(filter) {
                    let (r, w) = at(filter);
                    fold_map(f, &["include", "exclude"], &r, &w, &mut renamed);
                }
            }
            if let Some(Value::Array(ms)) = spec.get_mut("mutations") {
                let (r, w) = at("mutations");
                for (i, m) in ms.iter_mut().enumerate() {
                    if let Value::Object(m) = m {
                        let keys = ["op", "path", "value", "comment"];
                        fold_map(m, &keys, &r.index(i), &w.index(i), &mut renamed);
                    }
                }
            }
        }
    }
    if let Some(Value::Array(list)) = top.get_mut("exemptions") {
        let (read, written) = at("exemptions");
        for (i, e) in list.iter_mut().enumerate() {
            if let Value::Object(e) = e {
                fold_map(
                    e,
                    EXEMPTION_KEYS,
                    &read.index(i),
                    &written.index(i),
                    &mut renamed,
                );
            }
        }
    }
    renamed
}

/// The paths (as read, as written) of the key `canonical` under a mapping at
/// `read` / `written` whose folded keys are `folded`.
fn child(
    read: &FieldPath,
    written: &FieldPath,
    folded: &[(String, String)],
    canonical: &str,
) -> (FieldPath, FieldPath) {
    let as_written = folded
        .iter()
        .find(|(c, _)| c == canonical)
        .map_or(canonical, |(_, w)| w.as_str());
    (read.key(canonical), written.key(as_written))
}

/// Renames the keys of `map` that match one of `known` but for case;
/// returns (canonical, as written) for each.
fn fold_map(
    map: &mut Map<String, Value>,
    known: &[&str],
    read: &FieldPath,
    written: &FieldPath,
    renamed: &mut Vec<(FieldPath, FieldPath)>,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let keys: Vec<String> = map.keys().cloned().collect();
    for k in keys {
        if known.contains(&k.as_str()) {
            continue;
        }
        let Some(canonical) = known.iter().find(|c| c.eq_ignore_ascii_case(&k)) else {
            continue;
        };
        if map.contains_key(*canonical) {
            continue;
        }
        if let Some(v) = map.remove(&k) {
            map.insert((*canonical).to_string(), v);
            renamed.push((read.key(canonical), written.key(&k)));
            out.push(((*canonical).to_string(), k));
        }
    }
    out
}

/// The `sweep:` section's values that its types allow but the sweep cannot
/// use: unknown check ids, no concurrency, thresholds that can never fire.
#[allow(clippy::result_large_err)]
fn sweep_section(
    cx: &Ctx<'_>,
    sweep: &crate::sweep::SweepConfig,
    user: &Value,
) -> Result<(), ConfigDiagnostic> {
    let at = FieldPath::keys("sweep");
    let ids: Vec<&str> = crate::sweep::CHECKS.iter().map(|c| c.id).collect();
    let unknown = |path: &FieldPath, id: &str, key: At| {
        cx.diag(
            Level::Error,
            path,
            key,
            format!("{path}: unknown check id `{id}` (see `eyelint sweep --list-checks`)"),
            "not a sweep check",
            suggest(id, &ids),
        )
    };
    for id in sweep.checks.keys() {
        if crate::sweep::info(id).is_none() {
            return Err(unknown(&at.key("checks").key(id), id, At::Key));
        }
    }
    for (i, id) in sweep.ignore.iter().enumerate() {
        if crate::sweep::info(id).is_none() {
            return Err(unknown(&at.key("ignore").index(i), id, At::Value));
        }
    }
    let bad = |path: FieldPath, message: &str| {
        Err(cx.diag(
            Level::Error,
            &path,
            At::Value,
            format!("{path}: {message}"),
            "here",
            None,
        ))
    };
    if sweep.concurrency == 0 {
        return bad(at.key("concurrency"), "must be at least 1");
    }
    if sweep.timeout_seconds == 0 {
        return bad(at.key("timeoutSeconds"), "must be at least 1");
    }
    if sweep.timeout_seconds > crate::sweep::MAX_TIMEOUT_SECONDS {
        return bad(
            at.key("timeoutSeconds"),
            &format!(
                "must be at most {} (a day)",
                crate::sweep::MAX_TIMEOUT_SECONDS
            ),
        );
    }
    if sweep.thresholds.restarts == 0 {
        return bad(
            at.key("thresholds").key("restarts"),
            "must be at least 1 (ignore `PodRestartingOften` to turn the check off)",
        );
    }
    let t = &sweep.thresholds;
    let th = at.key("thresholds");
    // Usage of CPU and memory is measured against allocatable, which the
    // system's reserve can push past 100; a filesystem's against its size.
    for (key, v, max) in [
        ("cpuPercent", t.cpu_percent, f64::INFINITY),
        ("memoryPercent", t.memory_percent, f64::INFINITY),
        ("diskPercent", t.disk_percent, 100.0),
    ] {
        if !(0.0..max).contains(&v) {
            return bad(
                th.key(key),
                if max == 100.0 {
                    "a percentage from 0 up to (not including) 100: usage of a filesystem never exceeds 100, so the check could never fire"
                } else {
                    "a percentage, 0 or more"
                },
            );
        }
    }
    for (key, v) in [
        ("certWarningDays", t.cert_warning_days),
        ("certDangerDays", t.cert_danger_days),
    ] {
        if v < 0 {
            return bad(th.key(key), "a number of days, 0 or more");
        }
    }
    if t.cert_danger_days > t.cert_warning_days {
        // Point at the one the file sets (the other may be a default).
        let danger_set = user.pointer("/sweep/thresholds/certDangerDays").is_some();
        let (key, days, compared, other, others, fix) = if danger_set {
            let (d, w) = (t.cert_danger_days, t.cert_warning_days);
            (
                "certDangerDays",
                d,
                "more",
                "certWarningDays",
                w,
                "raise certWarningDays or lower this",
            )
        } else {
            let (w, d) = (t.cert_warning_days, t.cert_danger_days);
            (
                "certWarningDays",
                w,
                "less",
                "certDangerDays",
                d,
                "raise this or lower certDangerDays",
            )
        };
        return bad(
            th.key(key),
            &format!(
                "{days} days is {compared} than {other} ({others}): a certificate would be danger \
                 before it is a warning; {fix}"
            ),
        );
    }
    Ok(())
}

/// Which part of a located node a diagnostic points at.
#[derive(Clone, Copy, PartialEq, Eq)]
enum At {
    Key,
    Value,
}

impl Ctx<'_> {
    fn diag(
        &self,
        level: Level,
        path: &FieldPath,
        at: At,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) -> ConfigDiagnostic {
        let pos = self.locate(path, at);
        let len = pos.map_or(0, |p| token_len(self.text, p.offset, at));
        ConfigDiagnostic {
            level,
            message: message.into(),
            key: path.to_string(),
            pos,
            len,
            label: label.into(),
            help,
            file: self.name.to_string(),
            source: named_source(self.name, self.text, pos),
        }
    }

    /// `path` (as read) with the keys spelled as the file spells them.
    fn as_written(&self, path: &FieldPath) -> FieldPath {
        let best = self
            .renamed
            .iter()
            .filter(|(read, _)| path.segments().starts_with(read.segments()))
            .max_by_key(|(read, _)| read.len());
        let Some((read, written)) = best else {
            return path.clone();
        };
        let mut out = written.clone();
        for seg in &path.segments()[read.len()..] {
            match seg {
                Seg::Key(k) => out.push_key(k),
                Seg::Index(i) => out.push_index(*i),
            }
        }
        out
    }

    /// The position of `path` in the last document that holds it (later
    /// documents override earlier ones), or of its nearest located parent.
    fn locate(&self, path: &FieldPath, at: At) -> Option<Pos> {
        let path = &self.as_written(path);
        let mut best: Option<(usize, Pos)> = None;
        for doc in self.docs.iter().rev() {
            let (prefix, loc) = doc.spans.locate(path);
            let pos = if prefix.len() == path.len() && at == At::Value {
                block_content(self.text, loc.value)
            } else {
                loc.primary()
            };
            if prefix.len() == path.len() {
                return Some(pos);
            }
            if best.is_none_or(|(l, _)| prefix.len() > l) {
                best = Some((prefix.len(), pos));
            }
        }
        best.map(|(_, p)| p)
    }
}

/// A value at `p`; for a block scalar (`|` or `>`), the start of its first
/// line of content, which is what a diagnostic about its text points at.
fn block_content(text: &str, p: Pos) -> Pos {
    let Some(rest) = text.get(p.offset..) else {
        return p;
    };
    if !rest.starts_with(['|', '>']) {
        return p;
    }
    let Some(nl) = rest.find('\n') else {
        return p;
    };
    let body = &rest[nl + 1..];
    // Leading empty lines belong to the scalar; its content starts on the
    // first line with text.
    let mut at = 0;
    for line in body.split_inclusive('\n') {
        if !line.trim().is_empty() {
            let indent = line.len() - line.trim_start().len();
            return yaml::line_col(text, p.offset + nl + 1 + at + indent);
        }
        at += line.len();
    }
    p
}

/// Length of the token starting at `offset`: a key up to its `:`, a value up
/// to the end of its line (without a trailing comment).
fn token_len(text: &str, offset: usize, at: At) -> usize {
    let Some(rest) = text.get(offset..) else {
        return 0;
    };
    let line = rest.split('\n').next().unwrap_or("").trim_end_matches('\r');
    let end = match at {
        At::Key => {
            if let Some(q) = line.chars().next().filter(|c| *c == '"' || *c == '\'') {
                line[1..].find(q).map_or(line.len(), |p| p + 2)
            } else {
                line.find(':').unwrap_or(line.len())
            }
        }
        At::Value => value_end(line, flow_depth(&text[..offset]) > 0),
    };
    line[..end].trim_end().len()
}

/// Collections opened and not yet closed on the line before `before`'s
/// end: whether a value there is inside a flow collection.
fn flow_depth(before: &str) -> usize {
    let line = before.rsplit('\n').next().unwrap_or("");
    let mut depth = 0usize;
    let mut quote = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            (None, '#') => break,
            _ => {}
        }
    }
    depth
}

/// Where the value that starts `line` ends on it: a quoted scalar at its
/// closing quote, a flow collection at its closing bracket, a plain scalar
/// at a comment, or, inside a flow collection, at the `,`, `]` or `}` after
/// it; the line's end when it goes on.
fn value_end(line: &str, in_flow: bool) -> usize {
    let mut chars = line.char_indices();
    let Some((_, first)) = chars.next() else {
        return 0;
    };
    match first {
        '"' | '\'' => {
            let mut escaped = false;
            for (i, c) in chars {
                if first == '"' && c == '\\' && !escaped {
                    escaped = true;
                    continue;
                }
                if c == first && !escaped {
                    return i + 1;
                }
                escaped = false;
            }
            line.len()
        }
        '[' | '{' => {
            let mut depth = 1usize;
            let mut quote = None;
            for (i, c) in chars {
                match (quote, c) {
                    (Some(q), c) if c == q => quote = None,
                    (Some(_), _) => {}
                    (None, '"' | '\'') => quote = Some(c),
                    (None, '[' | '{') => depth += 1,
                    (None, ']' | '}') => {
                        depth -= 1;
                        if depth == 0 {
                            return i + 1;
                        }
                    }
                    _ => {}
                }
            }
            line.len()
        }
        _ => {
            let comment = line.find(" #").unwrap_or(line.len());
            let flow_end = if in_flow {
                line.find([',', ']', '}']).unwrap_or(line.len())
            } else {
                line.len()
            };
            comment.min(flow_end)
        }
    }
}

/// Deserializes `value`, a section of a configuration found at `root`; on
/// failure, the path of the key at fault (`root` joined with the path inside
/// the section) and what is wrong, for the caller to show where that key is.
pub fn deserialize_at<T: serde::de::DeserializeOwned>(
    value: Value,
    root: &FieldPath,
) -> Result<T, (FieldPath, String)> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        (
            root.join(&from_serde_path(e.path())),
            e.into_inner().to_string(),
        )
    })
}

fn from_serde_path(p: &serde_path_to_error::Path) -> FieldPath {
    let mut out = FieldPath::root();
    for seg in p.iter() {
        match seg {
            serde_path_to_error::Segment::Seq { index } => out.push_index(*index),
            serde_path_to_error::Segment::Map { key } => out.push_key(key),
            serde_path_to_error::Segment::Enum { variant } => out.push_key(variant),
            serde_path_to_error::Segment::Unknown => {}
        }
    }
    out
}

/// Loads a configuration file: `text` is its content, `name` the name shown
/// in diagnostics. With `strict`, warnings are errors.
// The error is returned once per run and carries the source text for
// rendering; its size does not matter.
#[allow(clippy::result_large_err)]
pub fn load_config(text: &str, name: &str, strict: bool) -> Result<LoadedConfig, ConfigDiagnostic> {
    let loaded = yaml::load(text, &yaml::Limits::default());
    let mut cx = Ctx {
        text,
        name,
        docs: loaded.documents,
        renamed: Vec::new(),
    };
    if let Some(e) = loaded.error {
        let d = ConfigDiagnostic {
            level: Level::Error,
            message: format!("not valid YAML: {}", e.message),
            key: String::new(),
            pos: Some(e.pos),
            len: 0,
            label: "here".to_string(),
            help: None,
            file: name.to_string(),
            source: named_source(name, text, Some(e.pos)),
        };
        return Err(d);
    }
    // Merge the documents in turn.
    let mut user = Value::Object(Map::new());
    for doc in &cx.docs {
        match &doc.value {
            Value::Object(_) => merge_values(&mut user, doc.value.clone()),
            Value::Null => {}
            other => {
                let d = ConfigDiagnostic {
                    level: Level::Error,
                    message: format!(
                        "the configuration must be a mapping of keys (checks, customChecks, exemptions, …), found {}",
                        kind_of(other)
                    ),
                    key: String::new(),
                    pos: Some(doc.start),
                    len: token_len(text, doc.start.offset, At::Value),
                    label: "expected a mapping".to_string(),
                    help: None,
                    file: name.to_string(),
                    source: named_source(name, text, Some(doc.start)),
                };
                return Err(d);
            }
        }
    }
    let mut warnings = Vec::new();
    #[allow(clippy::result_large_err)]
    let mut warn = |d: ConfigDiagnostic| -> Result<(), ConfigDiagnostic> {
        if strict {
            let mut d = d;
            d.level = Level::Error;
            // Not ignored: the run stops.
            d.message = d.message.replace(" (ignored)", "");
            d.help = Some(match d.help {
                Some(h) => format!("{h} (an error because of --strict)"),
                None => "an error because of --strict".to_string(),
            });
            Err(d)
        } else {
            warnings.push(d);
            Ok(())
        }
    };

    cx.renamed = fold_key_case(&mut user);

    // Unknown top-level keys.
    if let Value::Object(m) = &mut user {
        let keys: Vec<String> = m.keys().cloned().collect();
        for k in keys {
            if POLARIS_ONLY_KEYS.contains(&k.as_str()) {
                m.remove(&k);
            } else if !CONFIG_KEYS.contains(&k.as_str()) {
                let path = FieldPath::root().key(&k);
                warn(cx.diag(
                    Level::Warning,
                    &path,
                    At::Key,
                    format!("unknown key `{k}` (ignored)"),
                    "unknown key",
                    suggest(&k, CONFIG_KEYS),
                ))?;
                m.remove(&k);
            }
        }
    }

    // A severity is a word: a mapping (`hostIPCSet: {danger: }`) would
    // otherwise be read as the enum variant it names.
    if let Some(Value::Object(checks)) = user.get("checks") {
        for (id, v) in checks {
            if v.is_string() {
                continue;
            }
            let what = match v {
                Value::Null => "nothing",
                Value::Object(_) => "a mapping",
                Value::Array(_) => "a list",
                Value::Bool(_) => "a boolean",
                _ => "a number",
            };
            return Err(cx.diag(
                Level::Error,
                &FieldPath::root().key("checks").key(id),
                At::Value,
                format!(
                    "`checks.{id}`: a severity is a word (ignore, warning or danger), not {what}"
                ),
                "not a severity",
                Some("a severity is `ignore`, `warning` or `danger`".to_string()),
            ));
        }
    }

    // Types, severities, exemptions: deserialize the merged value and map
    // the failing path back to the file.
    let mut base = match serde_json::to_value(Config::defaults()) {
        Ok(v) => v,
        Err(e) => {
            return Err(cx.diag(
                Level::Error,
                &FieldPath::root(),
                At::Value,
                format!("internal error serialising the defaults: {e}"),
                "",
                None,
            ))
        }
    };
    merge_values(&mut base, user.clone());
    let mut config: Config = match serde_path_to_error::deserialize(base) {
        Ok(c) => c,
        Err(e) => {
            let mut path = from_serde_path(e.path());
            let inner = e.into_inner().to_string();
            let (message, label, at) = describe_serde_error(&inner, &mut path);
            let help = if path.segments().first() == Some(&Seg::Key("checks".into())) {
                Some("a severity is `ignore`, `warning` or `danger`".to_string())
            } else if path.segments().first() == Some(&Seg::Key("exemptions".into())) {
                Some(
                    "exemption keys: namespace, namespaces, controllerNames, containerNames, rules, reason"
                        .to_string(),
                )
            } else {
                None
            };
            return Err(cx.diag(Level::Error, &path, at, message, label, help));
        }
    };

    // Custom checks: a severity is required; each must compile.
    let user_custom = user.get("customChecks").and_then(Value::as_object);
    for (id, spec) in &config.custom_checks {
        let entry = FieldPath::keys("customChecks").key(id);
        if !config.checks.contains_key(id) {
            return Err(cx.diag(
                Level::Error,
                &entry,
                At::Key,
                format!("custom check `{id}` has no severity"),
                "no severity under `checks:`",
                Some(format!(
                    "add `{id}: warning` (or danger, or ignore) under `checks:`"
                )),
            ));
        }
        if let Err(e) = crate::custom::compile_check(id, spec) {
            let path = entry.join(&e.field());
            let at = if path == entry { At::Key } else { At::Value };
            return Err(cx.diag(
                Level::Error,
                &path,
                at,
                format!("custom check `{id}`: {e}"),
                label_for(&e),
                None,
            ));
        }
        let Some(spec_map) = user_custom
            .and_then(|m| m.get(id))
            .and_then(Value::as_object)
        else {
            continue;
        };
        for k in spec_map.keys() {
            if !crate::custom::KNOWN_KEYS.contains(&k.as_str()) {
                warn(cx.diag(
                    Level::Warning,
                    &entry.key(k),
                    At::Key,
                    format!("custom check `{id}`: unknown key `{k}` (ignored)"),
                    "unknown key",
                    suggest(k, crate::custom::KNOWN_KEYS),
                ))?;
            }
        }
        let has = |k: &str| spec_map.contains_key(k);
        if has("schema") && (has("schemaString") || has("jsonSchema")) {
            let k = if has("schemaString") {
                "schemaString"
            } else {
                "jsonSchema"
            };
            warn(cx.diag(
                Level::Warning,
                &entry.key("schema"),
                At::Key,
                format!("custom check `{id}` has both `schema` and `{k}`: `{k}` is used"),
                "ignored",
                Some("keep only one of them".to_string()),
            ))?;
        }
    }

    // Keys warned about as "(ignored)" are gone from the effective
    // configuration (`eyelint config` printed them).
    for spec in config.custom_checks.values_mut() {
        if let Some(m) = spec.as_object_mut() {
            m.retain(|k, _| crate::custom::KNOWN_KEYS.contains(&k.as_str()));
        }
    }

    sweep_section(&cx, &config.sweep, &user)?;

    // Unknown rule ids: under `checks`, in exemptions, in mutations.
    let known =
        |id: &str| crate::rules::find(id).is_some() || config.custom_checks.contains_key(id);
    if let Some(checks) = user.get("checks").and_then(Value::as_object) {
        for id in checks.keys() {
            if !known(id) {
                warn(cx.diag(
                    Level::Warning,
                    &FieldPath::keys("checks").key(id),
                    At::Key,
                    format!("unknown rule `{id}` (ignored)"),
                    "not a built-in rule or a custom check",
                    suggest(id, &rule_ids()),
                ))?;
            }
        }
    }
    // Ignored means gone: the effective configuration (`eyelint config`)
    // does not list them, and the engine does not warn about them again.
    let unknown: Vec<String> = config
        .checks
        .keys()
        .filter(|id| !known(id))
        .cloned()
        .collect();
    for id in unknown {
        config.checks.remove(&id);
    }
    if let Some(list) = user.get("exemptions").and_then(Value::as_array) {
        for (i, e) in list.iter().enumerate() {
            let rules = e.get("rules").and_then(Value::as_array);
            for (j, r) in rules.into_iter().flatten().enumerate() {
                if let Some(id) = r.as_str().filter(|id| !known(id)) {
                    warn(cx.diag(
                        Level::Warning,
                        &FieldPath::keys("exemptions").index(i).key("rules").index(j),
                        At::Value,
                        format!("exemption names unknown rule `{id}`"),
                        "unknown rule",
                        suggest(id, &rule_ids()),
                    ))?;
                }
            }
        }
    }
    if let Some(list) = user.get("mutations").and_then(Value::as_array) {
        for (i, r) in list.iter().enumerate() {
            if let Some(id) = r.as_str().filter(|id| !known(id)) {
                warn(cx.diag(
                    Level::Warning,
                    &FieldPath::keys("mutations").index(i),
                    At::Value,
                    format!("`mutations` names unknown rule `{id}`"),
                    "unknown rule",
                    suggest(id, &rule_ids()),
                ))?;
            }
        }
    }
    cx.docs.clear();
    Ok(LoadedConfig { config, warnings })
}

fn rule_ids() -> Vec<&'static str> {
    crate::rules::all()
        .into_iter()
        .map(|r| r.meta().id)
        .collect()
}

fn label_for(e: &crate::custom::CustomCheckError) -> &'static str {
    use crate::custom::CustomCheckError as E;
    match e {
        E::InvalidSchema { .. } => "invalid JSON Schema",
        E::Template { .. } => "invalid template",
        E::UnknownTarget { .. } => "unknown target",
        E::BadSchemaTarget { .. } => "invalid with this target",
        E::NoSchema => "no schema",
        _ => "invalid",
    }
}

/// Turns serde's message into ours, and decides what to point at. For an
/// unknown field, the path is extended by the field so the label sits on it.
fn describe_serde_error(inner: &str, path: &mut FieldPath) -> (String, &'static str, At) {
    if let Some(rest) = inner.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or("");
        let expected = rest
            .split_once(", expected ")
            .map(|(_, e)| e.replace("one of ", ""))
            .unwrap_or_default();
        let where_ = if path.is_empty() {
            "the configuration".to_string()
        } else {
            format!("`{path}`")
        };
        *path = path.key(field);
        let mut msg = format!("unknown key `{field}` in {where_}");
        if !expected.is_empty() {
            msg.push_str(&format!(" (expected {expected})"));
        }
        return (msg, "unknown key", At::Key);
    }
    if let Some(rest) = inner.strip_prefix("unknown variant `") {
        let v = rest.split('`').next().unwrap_or("");
        let is_severity = path.segments().first() == Some(&Seg::Key("checks".into()));
        let msg = if is_severity {
            format!("unknown severity `{v}` for `{path}` (expected ignore, warning or danger)")
        } else {
            format!("`{path}`: {inner}")
        };
        return (
            msg,
            if is_severity {
                "unknown severity"
            } else {
                "unknown value"
            },
            At::Value,
        );
    }
    if inner.starts_with("invalid type") {
        return (
            format!("wrong type for `{path}`: {inner}"),
            "wrong type",
            At::Value,
        );
    }
    if path.is_empty() {
        (inner.to_string(), "here", At::Value)
    } else {
        (format!("`{path}`: {inner}"), "here", At::Value)
    }
}

/// "did you mean" for a key close to a known one (edit distance ≤ 2, or
/// equal ignoring case).
fn suggest(word: &str, known: &[&str]) -> Option<String> {
    closest(word, known).map(|k| format!("did you mean `{k}`?"))
}

/// The entry of `known` nearest to `word` (case aside) when it is at most two
/// edits away: what a "did you mean" offers for a typo.
pub fn closest<'k>(word: &str, known: &[&'k str]) -> Option<&'k str> {
    if word.is_empty() {
        return None;
    }
    let w = word.to_ascii_lowercase();
    known
        .iter()
        .map(|k| (edit_distance(&w, &k.to_ascii_lowercase()), *k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 2 {
        return 3;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
