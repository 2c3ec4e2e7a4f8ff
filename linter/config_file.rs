//! Finding and loading the configuration, and applying `--only`/`--skip`.

use std::path::{Path, PathBuf};

use eyelint_policies::config::{Config, ConfigDiagnostic};
use eyelint_policies::finding::Severity;

/// File names looked for, nearest directory first, in this order.
pub const CONFIG_NAMES: [&str; 2] = [".eyelint.yaml", "eyelint.yaml"];

/// Where the effective configuration came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigSource {
    /// A file (`--config`, or found upwards from the current directory).
    File(PathBuf),
    /// The built-in defaults.
    Defaults,
}

/// The nearest config file from `start` upwards.
pub fn find_config(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        for name in CONFIG_NAMES {
            let p = d.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
        dir = d.parent();
    }
    None
}

/// Why a configuration could not be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config {path}: {error}")]
    #[diagnostic(code(eyelint::config))]
    Read {
        /// The file.
        path: String,
        /// The I/O error (in the message, not a separate cause, so the
        /// diagnostic does not print it twice).
        error: std::io::Error,
    },
    /// The file is not valid.
    #[error("{0}")]
    #[diagnostic(transparent)]
    Invalid(Box<dyn miette::Diagnostic + Send + Sync>),
    /// A rule named on the command line does not exist.
    #[error("unknown rule `{id}` in {flag} ({})", match suggestion {
        Some(k) => format!("did you mean `{k}`?"),
        None => "see `eyelint rules`".to_string(),
    })]
    #[diagnostic(code(eyelint::args))]
    UnknownRule {
        /// The id.
        id: String,
        /// `--only` or `--skip`.
        flag: &'static str,
        /// A configured rule id close to it.
        suggestion: Option<String>,
    },
    /// `--skip` names every rule `--only` names: nothing would run.
    #[error("--skip removes every rule --only names: no rule would run")]
    #[diagnostic(code(eyelint::args))]
    NothingToRun,
}

/// A configuration with where it came from, and its non-fatal warnings.
#[derive(Debug)]
pub struct Loaded {
    /// The effective configuration.
    pub config: Config,
    /// Its source.
    pub source: ConfigSource,
    /// Warnings to print (unknown rule ids, …), pointing into the file.
    pub warnings: Vec<ConfigDiagnostic>,
}

/// Loads `--config FILE`, else the nearest config file from `cwd` upwards,
/// else the defaults. `strict` turns unknown rule ids into errors.
pub fn load(explicit: Option<&Path>, cwd: &Path, strict: bool) -> Result<Loaded, ConfigError> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => find_config(cwd),
    };
    let Some(path) = path else {
        return Ok(Loaded {
            config: Config::defaults(),
            source: ConfigSource::Defaults,
            warnings: Vec::new(),
        });
    };
    let name = crate::discover::display_name(&path);
    let read_error = |error| ConfigError::Read {
        path: name.clone(),
        error,
    };
    let bytes = std::fs::read(&path).map_err(read_error)?;
    // UTF-16 with a byte-order mark, as manifests may be (what Windows
    // PowerShell 5's `eyelint config > .eyelint.yaml` writes).
    let invalid =
        |why: String| read_error(std::io::Error::new(std::io::ErrorKind::InvalidData, why));
    let bytes = eyelint_policies::yaml::utf16_as_utf8(&bytes)
        .map_err(invalid)?
        .unwrap_or(bytes);
    let text = String::from_utf8(bytes).map_err(|e| invalid(e.to_string()))?;
    let (config, warnings) = parse(&text, &name, strict)?;
    Ok(Loaded {
        config,
        source: ConfigSource::File(path),
        warnings,
    })
}

/// Parses a configuration file's text (merged over the defaults).
pub fn parse(
    text: &str,
    name: &str,
    strict: bool,
) -> Result<(Config, Vec<ConfigDiagnostic>), ConfigError> {
    match eyelint_policies::config::load_config(text, name, strict) {
        Ok(loaded) => Ok((loaded.config, loaded.warnings)),
        Err(e) => Err(ConfigError::Invalid(Box::new(e))),
    }
}

/// Restricts the configured checks: `only` runs just those rules (at their
/// configured severity, or `warning` where the config says `ignore`); `skip`
/// turns rules off.
pub fn restrict(config: &mut Config, only: &[String], skip: &[String]) -> Result<(), ConfigError> {
    for (ids, flag) in [(only, "--only"), (skip, "--skip")] {
        for id in ids {
            if !config.checks.contains_key(id) {
                let known: Vec<&str> = config.checks.keys().map(String::as_str).collect();
                return Err(ConfigError::UnknownRule {
                    id: id.clone(),
                    flag,
                    suggestion: eyelint_policies::config::closest(id, &known).map(str::to_string),
                });
            }
        }
    }
    if !only.is_empty() && only.iter().all(|id| skip.contains(id)) {
        return Err(ConfigError::NothingToRun);
    }
    if !only.is_empty() {
        for (id, sev) in config.checks.iter_mut() {
            if only.contains(id) {
                if *sev == Severity::Ignore {
                    *sev = Severity::Warning;
                }
            } else {
                *sev = Severity::Ignore;
            }
        }
    }
    for id in skip {
        if let Some(sev) = config.checks.get_mut(id) {
            *sev = Severity::Ignore;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_nearest_config_upwards() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a/b");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(dir.path().join("eyelint.yaml"), "checks: {}\n").unwrap();
        assert_eq!(find_config(&deep), Some(dir.path().join("eyelint.yaml")));
        std::fs::write(dir.path().join("a/.eyelint.yaml"), "checks: {}\n").unwrap();
        assert_eq!(find_config(&deep), Some(dir.path().join("a/.eyelint.yaml")));
    }

    #[test]
    fn utf16_configs_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let text = "checks:\r\n  hostIPCSet: ignore\r\n";
        for big_endian in [false, true] {
            let mut bytes = if big_endian {
                vec![0xFE, 0xFF]
            } else {
                vec![0xFF, 0xFE]
            };
            for u in text.encode_utf16() {
                bytes.extend(if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                });
            }
            let path = dir.path().join(".eyelint.yaml");
            std::fs::write(&path, &bytes).unwrap();
            let loaded = load(None, dir.path(), true).unwrap();
            assert_eq!(loaded.config.checks["hostIPCSet"], Severity::Ignore);
            // Cut in the middle of a unit: an error, not a silent default.
            std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
            let e = load(None, dir.path(), true).unwrap_err().to_string();
            assert!(e.contains("odd length"), "{e}");
        }
    }

    #[test]
    fn only_and_skip_restrict_checks() {
        let mut c = Config::defaults();
        c.checks.insert("hostIPCSet".into(), Severity::Ignore);
        restrict(&mut c, &["hostIPCSet".into()], &[]).unwrap();
        assert_eq!(c.checks["hostIPCSet"], Severity::Warning);
        assert!(c
            .checks
            .iter()
            .all(|(id, s)| id == "hostIPCSet" || *s == Severity::Ignore));
        let mut c = Config::defaults();
        restrict(&mut c, &[], &["hostIPCSet".into()]).unwrap();
        assert_eq!(c.checks["hostIPCSet"], Severity::Ignore);
        let mut c = Config::defaults();
        assert!(restrict(&mut c, &["noSuchRule".into()], &[]).is_err());
    }
}
