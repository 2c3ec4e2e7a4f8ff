//! The `sweep:` section of eyelint's configuration file.

use std::collections::BTreeMap;

use eyelint_policies::path::FieldPath;
use eyelint_policies::Severity;
use serde::Deserialize;
use serde_json::Value;

use crate::error::SweepError;

/// Usage and expiry thresholds.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Thresholds {
    /// Node CPU usage (percent of allocatable) above which `NodeCPU` fires (live).
    #[serde(default = "eighty")]
    pub cpu_percent: f64,
    /// Node memory usage (percent of allocatable) above which `NodeMemory` fires (live).
    #[serde(default = "eighty")]
    pub memory_percent: f64,
    /// Node filesystem usage (percent of capacity) above which `NodeDisk` fires (live).
    #[serde(default = "eighty")]
    pub disk_percent: f64,
    /// Days before expiry under which the API server certificate is a warning.
    #[serde(default = "thirty")]
    pub cert_warning_days: i64,
    /// Days before expiry under which the API server certificate is a danger.
    #[serde(default = "seven")]
    pub cert_danger_days: i64,
}

fn eighty() -> f64 {
    80.0
}
fn thirty() -> i64 {
    30
}
fn seven() -> i64 {
    7
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            cpu_percent: eighty(),
            memory_percent: eighty(),
            disk_percent: eighty(),
            cert_warning_days: thirty(),
            cert_danger_days: seven(),
        }
    }
}

/// Sweep settings.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SweepConfig {
    /// Severity overrides per check id (`ignore` turns a check off).
    #[serde(default)]
    pub checks: BTreeMap<String, Severity>,
    /// Check ids that are not reported.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Only these namespaces (empty: all).
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// Namespaces left out.
    #[serde(default)]
    pub exclude_namespaces: Vec<String>,
    /// Thresholds.
    #[serde(default)]
    pub thresholds: Thresholds,
    /// Lines of a container's log read in live mode (from the end).
    #[serde(default = "default_tail")]
    pub log_tail_lines: u32,
    /// At most this many containers' logs are read in live mode.
    #[serde(default = "default_max_logs")]
    pub max_log_containers: usize,
    /// Requests in flight at once in live mode.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// Global time limit of a live sweep, in seconds.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
}

fn default_tail() -> u32 {
    500
}
fn default_max_logs() -> usize {
    200
}
fn default_concurrency() -> usize {
    4
}
fn default_timeout() -> u64 {
    120
}

impl Default for SweepConfig {
    fn default() -> Self {
        SweepConfig {
            checks: BTreeMap::new(),
            ignore: Vec::new(),
            namespaces: Vec::new(),
            exclude_namespaces: Vec::new(),
            thresholds: Thresholds::default(),
            log_tail_lines: default_tail(),
            max_log_containers: default_max_logs(),
            concurrency: default_concurrency(),
            timeout_seconds: default_timeout(),
        }
    }
}

impl SweepConfig {
    /// Reads the `sweep:` value of a configuration (`null` gives the defaults).
    pub fn from_value(v: &Value) -> Result<SweepConfig, SweepError> {
        Self::from_value_at(v)
            .map_err(|(path, message)| SweepError::Config(format!("{path}: {message}")))
    }

    /// [`SweepConfig::from_value`], its error with the path of the key at
    /// fault (`sweep.thresholds.cpuPercent`), for a caller that can show
    /// where that key is written.
    pub fn from_value_at(v: &Value) -> Result<SweepConfig, (FieldPath, String)> {
        let at = FieldPath::keys("sweep");
        if v.is_null() {
            return Ok(SweepConfig::default());
        }
        let cfg: SweepConfig = eyelint_policies::config::deserialize_at(v.clone(), &at)?;
        for id in cfg.checks.keys() {
            if crate::checks::info(id).is_none() {
                return Err((
                    at.key("checks").key(id),
                    format!("unknown check id `{id}` (see `eyelint sweep --list-checks`)"),
                ));
            }
        }
        for (i, id) in cfg.ignore.iter().enumerate() {
            if crate::checks::info(id).is_none() {
                return Err((
                    at.key("ignore").index(i),
                    format!("unknown check id `{id}` (see `eyelint sweep --list-checks`)"),
                ));
            }
        }
        if cfg.concurrency == 0 {
            return Err((at.key("concurrency"), "must be at least 1".to_string()));
        }
        Ok(cfg)
    }

    /// True when objects of namespace `ns` are looked at ("" = cluster-scoped: always).
    pub fn namespace_wanted(&self, ns: &str) -> bool {
        if ns.is_empty() {
            return true;
        }
        if self.exclude_namespaces.iter().any(|n| n == ns) {
            return false;
        }
        self.namespaces.is_empty() || self.namespaces.iter().any(|n| n == ns)
    }

    /// The severity a check reports with, given the severity its logic chose;
    /// `None` when the check is turned off.
    pub fn effective_severity(&self, id: &str, chosen: Severity) -> Option<Severity> {
        if self.ignore.iter().any(|i| i == id) {
            return None;
        }
        match self.checks.get(id) {
            Some(Severity::Ignore) => None,
            Some(s) => Some(*s),
            None => Some(chosen),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_defaults_and_overrides() {
        let c = SweepConfig::from_value(&Value::Null).unwrap();
        assert_eq!(c.thresholds.cpu_percent, 80.0);
        let c = SweepConfig::from_value(&json!({
            "checks": {"WarningEvent": "ignore", "NodeDisk": "danger"},
            "ignore": ["PodEvicted"],
            "namespaces": ["a"],
            "thresholds": {"cpuPercent": 90}
        }))
        .unwrap();
        assert_eq!(
            c.effective_severity("WarningEvent", Severity::Warning),
            None
        );
        assert_eq!(c.effective_severity("PodEvicted", Severity::Warning), None);
        assert_eq!(
            c.effective_severity("NodeDisk", Severity::Warning),
            Some(Severity::Danger)
        );
        assert_eq!(c.thresholds.cpu_percent, 90.0);
        assert!(c.namespace_wanted("a") && !c.namespace_wanted("b") && c.namespace_wanted(""));
    }

    #[test]
    fn rejects_unknown_ids_and_keys() {
        assert!(SweepConfig::from_value(&json!({"checks": {"Nope": "warning"}})).is_err());
        assert!(SweepConfig::from_value(&json!({"tresholds": {}})).is_err());
    }
}
