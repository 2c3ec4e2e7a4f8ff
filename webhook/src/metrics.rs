//! A small Prometheus registry for the webhook's own metrics, rendered in
//! the text exposition format (0.0.4). Counters are atomics or short-held
//! mutexes; label sets are bounded so a client sending odd kinds cannot grow
//! memory without limit.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Most distinct (endpoint, decision, kind) or (rule, severity) label sets
/// kept; further ones are counted under `kind="other"` / `rule="other"`.
pub const MAX_SERIES: usize = 1000;

/// Upper bounds of the latency histogram, in seconds.
pub const LATENCY_BUCKETS: [f64; 12] = [
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5,
];

/// A latency histogram with fixed buckets.
#[derive(Debug, Default)]
pub struct Histogram {
    buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    count: AtomicU64,
    sum_nanos: AtomicU64,
}

impl Histogram {
    /// Records one observation.
    pub fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        for (i, b) in LATENCY_BUCKETS.iter().enumerate() {
            if secs <= *b {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
                break;
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let mut cumulative = 0;
        for (i, b) in LATENCY_BUCKETS.iter().enumerate() {
            cumulative += self.buckets[i].load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{b}\"}} {cumulative}");
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{{labels},le=\"+Inf\"}} {count}");
        let sum = self.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
        let _ = writeln!(out, "{name}_sum{{{labels}}} {sum}");
        let _ = writeln!(out, "{name}_count{{{labels}}} {count}");
    }
}

/// Outcome of a reload attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReloadResult {
    /// Loaded and now in use.
    Success,
    /// Rejected; the previous one stays in use.
    Failure,
}

/// Every metric the webhook exports.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(&'static str, &'static str, String), u64>>,
    latency_validate: Histogram,
    latency_mutate: Histogram,
    findings: Mutex<BTreeMap<(String, &'static str), u64>>,
    config_reloads: [AtomicU64; 2],
    cert_reloads: [AtomicU64; 2],
    cert_expiry: AtomicI64,
    config_loaded_at: AtomicI64,
    in_flight: AtomicI64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// Escapes a label value.
fn esc(v: &str) -> String {
    let mut s = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' => s.push_str("\\\""),
            '\n' => s.push_str("\\n"),
            c => s.push(c),
        }
    }
    s
}

impl Metrics {
    /// A fresh registry.
    pub fn new() -> Self {
        Metrics::default()
    }

    /// Counts one request on `endpoint` (`validate`/`mutate`) with its
    /// `decision` and the object's `kind`, and its latency.
    pub fn request(
        &self,
        endpoint: &'static str,
        decision: &'static str,
        kind: &str,
        latency: Duration,
    ) {
        {
            let mut m = lock(&self.requests);
            let key = (endpoint, decision, kind.to_string());
            if let Some(v) = m.get_mut(&key) {
                *v += 1;
            } else if m.len() < MAX_SERIES {
                m.insert(key, 1);
            } else {
                *m.entry((endpoint, decision, "other".to_string()))
                    .or_insert(0) += 1;
            }
        }
        match endpoint {
            "mutate" => self.latency_mutate.observe(latency),
            _ => self.latency_validate.observe(latency),
        }
    }

    /// Counts findings by rule and severity.
    pub fn findings<'a>(&self, findings: impl IntoIterator<Item = (&'a str, &'static str)>) {
        let mut m = lock(&self.findings);
        for (rule, severity) in findings {
            let key = (rule.to_string(), severity);
            if let Some(v) = m.get_mut(&key) {
                *v += 1;
            } else if m.len() < MAX_SERIES {
                m.insert(key, 1);
            } else {
                *m.entry(("other".to_string(), severity)).or_insert(0) += 1;
            }
        }
    }

    /// Counts a configuration reload.
    pub fn config_reload(&self, r: ReloadResult, now_unix: i64) {
        self.config_reloads[r as usize].fetch_add(1, Ordering::Relaxed);
        if r == ReloadResult::Success {
            self.config_loaded_at.store(now_unix, Ordering::Relaxed);
        }
    }

    /// Counts a certificate reload.
    pub fn cert_reload(&self, r: ReloadResult) {
        self.cert_reloads[r as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// Sets the serving certificate's notAfter (Unix seconds).
    pub fn set_cert_expiry(&self, not_after: i64) {
        self.cert_expiry.store(not_after, Ordering::Relaxed);
    }

    /// Marks the time the configuration in use was loaded.
    pub fn set_config_loaded(&self, now_unix: i64) {
        self.config_loaded_at.store(now_unix, Ordering::Relaxed);
    }

    /// A request started; the guard ends it.
    pub fn in_flight(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(self)
    }

    /// Reads a request counter (for tests).
    pub fn requests_count(&self, endpoint: &str, decision: &str, kind: &str) -> u64 {
        lock(&self.requests)
            .iter()
            .filter(|((e, d, k), _)| *e == endpoint && *d == decision && k == kind)
            .map(|(_, v)| *v)
            .sum()
    }

    /// Reads a reload counter (for tests): (successes, failures).
    pub fn config_reloads(&self) -> (u64, u64) {
        (
            self.config_reloads[0].load(Ordering::Relaxed),
            self.config_reloads[1].load(Ordering::Relaxed),
        )
    }

    /// Reads a certificate reload counter (for tests): (successes, failures).
    pub fn cert_reloads(&self) -> (u64, u64) {
        (
            self.cert_reloads[0].load(Ordering::Relaxed),
            self.cert_reloads[1].load(Ordering::Relaxed),
        )
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        out.push_str("# HELP eyelint_webhook_requests_total Admission reviews answered, by endpoint, decision and object kind.\n");
        out.push_str("# TYPE eyelint_webhook_requests_total counter\n");
        for ((e, d, k), v) in lock(&self.requests).iter() {
            let _ = writeln!(
                out,
                "eyelint_webhook_requests_total{{endpoint=\"{e}\",decision=\"{d}\",kind=\"{}\"}} {v}",
                esc(k)
            );
        }
        out.push_str("# HELP eyelint_webhook_request_duration_seconds Time from request received to response ready.\n");
        out.push_str("# TYPE eyelint_webhook_request_duration_seconds histogram\n");
        self.latency_validate.render(
            &mut out,
            "eyelint_webhook_request_duration_seconds",
            "endpoint=\"validate\"",
        );
        self.latency_mutate.render(
            &mut out,
            "eyelint_webhook_request_duration_seconds",
            "endpoint=\"mutate\"",
        );
        out.push_str("# HELP eyelint_webhook_findings_total Findings on reviewed objects, by rule and severity.\n");
        out.push_str("# TYPE eyelint_webhook_findings_total counter\n");
        for ((r, s), v) in lock(&self.findings).iter() {
            let _ = writeln!(
                out,
                "eyelint_webhook_findings_total{{rule=\"{}\",severity=\"{s}\"}} {v}",
                esc(r)
            );
        }
        for (name, help, pair) in [
            (
                "eyelint_webhook_config_reloads_total",
                "Configuration reload attempts, by result.",
                &self.config_reloads,
            ),
            (
                "eyelint_webhook_certificate_reloads_total",
                "Serving certificate reload attempts, by result.",
                &self.cert_reloads,
            ),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} counter");
            let _ = writeln!(
                out,
                "{name}{{result=\"success\"}} {}",
                pair[0].load(Ordering::Relaxed)
            );
            let _ = writeln!(
                out,
                "{name}{{result=\"failure\"}} {}",
                pair[1].load(Ordering::Relaxed)
            );
        }
        for (name, help, v) in [
            (
                "eyelint_webhook_certificate_expiry_timestamp_seconds",
                "notAfter of the serving certificate, Unix seconds.",
                &self.cert_expiry,
            ),
            (
                "eyelint_webhook_config_loaded_timestamp_seconds",
                "When the configuration in use was loaded, Unix seconds.",
                &self.config_loaded_at,
            ),
            (
                "eyelint_webhook_in_flight_requests",
                "Admission reviews being processed.",
                &self.in_flight,
            ),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} gauge");
            let _ = writeln!(out, "{name} {}", v.load(Ordering::Relaxed));
        }
        out
    }
}

/// Decrements the in-flight gauge when dropped.
#[derive(Debug)]
pub struct InFlight<'a>(&'a Metrics);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_histograms_and_gauges() {
        let m = Metrics::new();
        m.request(
            "validate",
            "denied",
            "Deployment",
            Duration::from_micros(300),
        );
        m.request("validate", "denied", "Deployment", Duration::from_millis(2));
        m.findings([("hostIPCSet", "danger")]);
        m.config_reload(ReloadResult::Failure, 0);
        m.set_cert_expiry(1_900_000_000);
        let text = m.render();
        assert!(text.contains(
            "eyelint_webhook_requests_total{endpoint=\"validate\",decision=\"denied\",kind=\"Deployment\"} 2"
        ));
        assert!(text.contains(
            "eyelint_webhook_request_duration_seconds_bucket{endpoint=\"validate\",le=\"0.0005\"} 1"
        ));
        assert!(text.contains(
            "eyelint_webhook_request_duration_seconds_bucket{endpoint=\"validate\",le=\"+Inf\"} 2"
        ));
        assert!(text
            .contains("eyelint_webhook_findings_total{rule=\"hostIPCSet\",severity=\"danger\"} 1"));
        assert!(text.contains("eyelint_webhook_config_reloads_total{result=\"failure\"} 1"));
        assert!(text.contains("eyelint_webhook_certificate_expiry_timestamp_seconds 1900000000"));
    }

    #[test]
    fn label_sets_are_bounded() {
        let m = Metrics::new();
        for i in 0..(MAX_SERIES + 50) {
            m.request("validate", "allowed", &format!("Kind{i}"), Duration::ZERO);
        }
        assert_eq!(lock(&m.requests).len(), MAX_SERIES + 1);
        assert_eq!(m.requests_count("validate", "allowed", "other"), 50);
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(esc("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
