//! Putting it together: read a source into a [`Collector`], run every check,
//! build the [`Report`].

use std::path::{Path, PathBuf};

use eyelint_policies::Engine;
use serde_json::Value;

use crate::checks::{cert, control_plane, events, nodes, pods};
use crate::error::SweepError;
use crate::report::{summarize, Findings, Report, SourceInfo, SCHEMA_VERSION};
use crate::snapshot::Collector;
use crate::source::{dump, file};
use crate::workloads;

/// An offline source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Offline {
    /// `kubectl cluster-info dump` output: a file (stream) or a directory.
    Dump(PathBuf),
    /// `kubectl get -o json|yaml` output.
    File(PathBuf),
}

/// Reads an offline source into the collector.
pub fn collect_offline(
    source: &Offline,
    col: &mut Collector<'_>,
) -> Result<SourceInfo, SweepError> {
    let (kind, path) = match source {
        Offline::Dump(p) => ("dump", p),
        Offline::File(p) => ("file", p),
    };
    let origin = path.display().to_string();
    match source {
        Offline::Dump(p) if p.is_dir() => dump::read_dir(p, col)?,
        Offline::Dump(p) => {
            let mut r = crate::source::decode::open(p)?;
            let stats = dump::read_stream(&mut r, &origin, None, col)?;
            if let Some(what) = stats.stray_summary() {
                col.notes.push(format!("{origin}: {what}, skipped"));
            }
        }
        Offline::File(p) => file::read_file(p, col)?,
    }
    if col.kinds.is_empty() {
        return Err(SweepError::Empty { origin });
    }
    Ok(SourceInfo {
        kind: kind.to_string(),
        origin,
    })
}

/// Data only a live sweep (or an extra flag) provides.
#[derive(Debug, Default)]
pub struct Extras {
    /// Node usage from metrics.k8s.io and the kubelet's stats.
    pub usage: Vec<nodes::NodeUsage>,
    /// (endpoint, body) of `/readyz?verbose` and `/livez?verbose`.
    pub health: Vec<(String, String)>,
    /// A ComponentStatusList, where served.
    pub component_statuses: Option<Value>,
    /// (where from, certificates) for NodeApiServerExpiredPeriod.
    pub certs: Vec<(String, Vec<cert::CertInfo>)>,
    /// Notes from the source.
    pub notes: Vec<String>,
}

/// Reads `--apiserver-cert FILE`.
pub fn read_cert_file(path: &Path) -> Result<(String, Vec<cert::CertInfo>), SweepError> {
    let bytes = std::fs::read(path).map_err(|source| SweepError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let origin = path.display().to_string();
    let certs = if bytes.starts_with(b"-----") || bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        cert::parse_pem(&bytes, &origin)?
    } else if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(SweepError::Certificate {
            origin,
            message: "the file is empty: expected a PEM or DER X.509 certificate".to_string(),
        });
    } else {
        vec![cert::parse_der(&bytes, &origin).map_err(|e| match e {
            SweepError::Certificate { origin, message } => SweepError::Certificate {
                origin,
                message: format!(
                    "neither PEM (no `-----BEGIN CERTIFICATE-----` line) nor a DER X.509 certificate ({message})"
                ),
            },
            e => e,
        })?]
    };
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(&origin)
        .to_string();
    Ok((name, certs))
}

/// Runs every check over what was collected. `now` is seconds since the epoch.
pub fn analyse(
    col: Collector<'_>,
    engine: &Engine,
    extras: Extras,
    now: i64,
    source: SourceInfo,
) -> Report {
    let cfg = col.config();
    let mut out = Findings::new(cfg);
    let mut notes = Vec::new();
    if !col.kinds.contains("Node") && !col.partial.contains("Node") {
        notes.push("the source holds no nodes: node conditions were not checked".to_string());
    }
    if !col.kinds.contains("Event") && !col.partial.contains("Event") {
        notes.push("the source holds no events: warning events and node-problem-detector events were not checked".to_string());
    }
    if !col.kinds.contains("Pod") && !col.partial.contains("Pod") {
        notes.push(
            "the source holds no pods: pod and control-plane checks were not run".to_string(),
        );
    }
    nodes::check(&col.nodes, &mut out);
    nodes::check_usage(&extras.usage, &col.nodes, &cfg.thresholds, &mut out);
    events::check(&col.events, &col.nodes, &mut out);
    if col.kinds.contains("Pod") {
        let kube_system = col.pods.iter().any(|p| p.namespace == "kube-system");
        let wanted = cfg.namespace_wanted("kube-system");
        let cp_notes = control_plane::check_pods(&col.pods, kube_system, &mut out);
        if wanted {
            notes.extend(cp_notes);
        } else {
            notes.push(
                "control plane not checked: kube-system is outside the namespaces swept"
                    .to_string(),
            );
        }
    }
    for (endpoint, text) in &extras.health {
        notes.extend(control_plane::check_health_text(endpoint, text, &mut out));
    }
    if let Some(cs) = &extras.component_statuses {
        control_plane::check_component_statuses(cs, &mut out);
    }
    for (from, certs) in &extras.certs {
        cert::check(certs, from, now, &cfg.thresholds, &mut out);
    }
    let workloads = &col.workloads;
    pods::check(
        &col.pods,
        cfg.thresholds.restarts,
        &|ns, job| workloads.job_complete(ns, job),
        &mut out,
    );
    pods::check_logs(&col.log_hits, &col.pods, &mut out);
    let subjects = col.workloads.subjects();
    let judged = workloads::judge(engine, subjects, &col.index_objects, &col.kinds, &mut out);
    notes.extend(extras.notes);
    notes.extend(col.notes);
    notes.extend(judged.notes);
    if !col.logs_scanned.is_empty() {
        notes.push(format!(
            "logs of {} failing or restarting container(s) scanned",
            col.logs_scanned.len()
        ));
    }
    let findings = out.finish();
    let summary = summarize(&findings, col.counts, judged.tally);
    Report {
        schema_version: SCHEMA_VERSION,
        tool: format!("eyelint-sweep {}", env!("CARGO_PKG_VERSION")),
        source,
        findings,
        summary,
        notes,
    }
}
