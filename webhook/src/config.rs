//! Loading the webhook's configuration file (eyelint's YAML config: Polaris
//! keys plus `admission:`) into an engine, through the policy crate's
//! config loader, so its errors point at a line and column.

use std::path::{Path, PathBuf};

use eyelint_policies::config::{load_config, ConfigDiagnostic};
use eyelint_policies::engine::EngineError;
use eyelint_policies::{Config, Engine};

/// Why a configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not UTF-8.
    #[error("config {} is not UTF-8 (or UTF-16 with a byte-order mark) text", path.display())]
    NotText {
        /// The file.
        path: PathBuf,
    },
    /// The file is not a valid configuration (YAML, types, custom checks).
    #[error("config {}", diagnostic.to_short_string())]
    Invalid {
        /// The diagnostic, with line and column.
        diagnostic: Box<ConfigDiagnostic>,
    },
    /// The engine rejected the configuration.
    #[error("config {}: {source}", path.display())]
    Engine {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        #[source]
        source: EngineError,
    },
}

/// An engine and the configuration warnings met while building it.
#[derive(Debug)]
pub struct Loaded {
    /// The engine.
    pub engine: Engine,
    /// Non-fatal problems (unknown rule ids, unknown keys), as text with positions.
    pub warnings: Vec<String>,
}

/// Builds an engine from configuration text; an empty text means the
/// built-in defaults. `path` names the source in diagnostics.
pub fn engine_from_text(text: &str, path: &Path) -> Result<Loaded, ConfigError> {
    let (config, diagnostics) = if text.trim().is_empty() {
        (Config::defaults(), Vec::new())
    } else {
        let name = path.display().to_string();
        let loaded = load_config(text, &name, false).map_err(|d| ConfigError::Invalid {
            diagnostic: Box::new(d),
        })?;
        (loaded.config, loaded.warnings)
    };
    let engine = Engine::new(config).map_err(|source| ConfigError::Engine {
        path: path.to_path_buf(),
        source,
    })?;
    let mut warnings: Vec<String> = diagnostics
        .iter()
        .map(ConfigDiagnostic::to_short_string)
        .collect();
    // The engine's own warnings repeat the loader's (unknown rule ids),
    // which name the line and column: each problem is logged once.
    warnings.extend(
        engine
            .warnings()
            .iter()
            .filter(|w| !diagnostics.iter().any(|d| d.key == w.key))
            .map(|w| format!("{}: {}", w.key, w.message)),
    );
    Ok(Loaded { engine, warnings })
}

/// Builds an engine from configuration bytes (see [`engine_from_text`]).
pub fn engine_from_bytes(bytes: &[u8], path: &Path) -> Result<Loaded, ConfigError> {
    let not_text = || ConfigError::NotText {
        path: path.to_path_buf(),
    };
    // UTF-16 with a byte-order mark is read as the linter reads it.
    let utf8 = eyelint_policies::yaml::utf16_as_utf8(bytes).map_err(|_| not_text())?;
    let text = std::str::from_utf8(utf8.as_deref().unwrap_or(bytes)).map_err(|_| not_text())?;
    engine_from_text(text, path)
}

/// Reads and loads a configuration file.
pub fn load_file(path: &Path) -> Result<Loaded, ConfigError> {
    let bytes = std::fs::read(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    engine_from_bytes(&bytes, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// UTF-16 with a byte-order mark is read, as the linter reads it.
    #[test]
    fn utf16_configs_are_read() {
        let text = "checks:\n  hostIPCSet: ignore\n";
        let mut bytes = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        let l = engine_from_bytes(&bytes, Path::new("c.yaml")).unwrap();
        assert_eq!(
            l.engine.config().checks.get("hostIPCSet"),
            Some(&eyelint_policies::Severity::Ignore)
        );
        let e = engine_from_bytes(&bytes[..bytes.len() - 1], Path::new("c.yaml"));
        assert!(matches!(e, Err(ConfigError::NotText { .. })));
    }

    /// An unknown rule id is one warning, with its line and column (the
    /// engine's own warning for it is not logged a second time).
    #[test]
    fn each_warning_once() {
        let l = engine_from_text(
            "checks:\n  hostIPCSet: danger\n  notARule: warning\n",
            Path::new("c.yaml"),
        )
        .unwrap();
        assert_eq!(
            l.warnings,
            ["c.yaml:3:3: warning: unknown rule `notARule` (ignored)"]
        );
    }

    #[test]
    fn empty_text_is_the_defaults() {
        let l = engine_from_text("  \n", Path::new("c.yaml")).unwrap();
        assert_eq!(l.engine.config(), &Config::defaults());
    }

    #[test]
    fn admission_section_is_read() {
        let l = engine_from_text(
            "admission:\n  denyOn: never\n  exemptNamespaces: [a, b]\n",
            Path::new("c.yaml"),
        )
        .unwrap();
        let a = &l.engine.config().admission;
        assert_eq!(a.deny_on, eyelint_policies::config::DenyOn::Never);
        assert_eq!(a.exempt_namespaces, vec!["a".to_string(), "b".to_string()]);
    }

    #[test]
    fn errors_carry_a_position() {
        let e =
            engine_from_text("checks:\n  hostIPCSet: fatal\n", Path::new("c.yaml")).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("c.yaml"), "{text}");
        assert!(text.contains(":2:"), "{text}");
        let e = engine_from_text("checks: [\n", Path::new("c.yaml")).unwrap_err();
        assert!(matches!(e, ConfigError::Invalid { .. }), "{e}");
    }
}
