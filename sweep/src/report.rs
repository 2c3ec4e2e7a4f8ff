//! The sweep's report: findings, notes and a summary, serialised in the
//! linter's JSON schema (`schemaVersion`, `findings`, `summary`, plus `notes`).

use std::collections::BTreeMap;

use eyelint_policies::Severity;
use serde::Serialize;

use crate::checks::Section;
use crate::config::SweepConfig;

/// The JSON schema version.
pub const SCHEMA_VERSION: u32 = 1;

/// One problem found by the sweep.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepFinding {
    /// Check id (KubeEye's name, or the policy engine's rule id).
    pub id: String,
    /// Severity.
    pub severity: Severity,
    /// Category (`Reliability` for runtime checks; the rule's for workloads).
    pub category: String,
    /// Report section.
    pub section: Section,
    /// What is wrong.
    pub message: String,
    /// Kind of the affected object.
    pub kind: String,
    /// Its namespace ("" for cluster-scoped objects).
    pub namespace: String,
    /// Its own name (node, pod, workload).
    pub name: String,
    /// The container, where one is concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// The offending field (workload findings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The node involved, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// The reason reported by Kubernetes (condition, event or state reason).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// How many times it was seen (events, log lines).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// When it was last seen (RFC 3339), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
}

impl SweepFinding {
    /// A runtime finding with the check's default severity.
    pub fn new(
        id: &str,
        section: Section,
        kind: &str,
        namespace: &str,
        name: &str,
        message: String,
    ) -> Self {
        SweepFinding {
            id: id.to_string(),
            severity: crate::checks::default_severity(id),
            category: "Reliability".to_string(),
            section,
            message,
            kind: kind.to_string(),
            namespace: namespace.to_string(),
            name: name.to_string(),
            container: None,
            path: None,
            node: None,
            reason: None,
            count: None,
            last_seen: None,
        }
    }

    /// Sets the severity.
    pub fn severity(mut self, s: Severity) -> Self {
        self.severity = s;
        self
    }
    /// Sets the container.
    pub fn container(mut self, c: &str) -> Self {
        self.container = Some(c.to_string());
        self
    }
    /// Sets the node.
    pub fn node(mut self, n: &str) -> Self {
        if !n.is_empty() {
            self.node = Some(n.to_string());
        }
        self
    }
    /// Sets the reason.
    pub fn reason(mut self, r: &str) -> Self {
        if !r.is_empty() {
            self.reason = Some(r.to_string());
        }
        self
    }
    /// Sets the count.
    pub fn count(mut self, c: u64) -> Self {
        self.count = Some(c);
        self
    }
    /// Sets the last time seen.
    pub fn last_seen(mut self, t: &str) -> Self {
        if !t.is_empty() {
            self.last_seen = Some(t.to_string());
        }
        self
    }

    fn sort_key(&self) -> impl Ord + '_ {
        (
            self.section,
            std::cmp::Reverse(self.severity),
            &self.namespace,
            &self.kind,
            &self.name,
            &self.id,
            &self.container,
            &self.path,
            &self.reason,
        )
    }
}

/// Counts over the findings.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Findings in all.
    pub total: usize,
    /// Danger findings.
    pub danger: usize,
    /// Warning findings.
    pub warning: usize,
    /// Findings per section.
    pub by_section: BTreeMap<Section, usize>,
    /// Findings per check id.
    pub by_id: BTreeMap<String, usize>,
    /// Objects looked at, per kind.
    pub objects: BTreeMap<String, usize>,
    /// Workloads judged by the policy engine and how many checks passed.
    pub workloads_judged: usize,
    /// Engine checks that passed.
    pub passed: usize,
    /// Engine checks an exemption (config or annotation) skipped.
    pub exempted: usize,
    /// Engine checks that could not be evaluated (the input lacks what they need; see the notes).
    pub not_evaluated: usize,
}

/// What the policy engine did with the workloads, for [`summarize`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EngineTally {
    /// Workloads judged.
    pub subjects: usize,
    /// Checks passed.
    pub passed: usize,
    /// Checks skipped by an exemption.
    pub exempted: usize,
    /// Checks not evaluated.
    pub not_evaluated: usize,
}

/// Where the data came from.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceInfo {
    /// `dump`, `file` or `live`.
    pub kind: String,
    /// The path, or the cluster's address.
    pub origin: String,
}

/// A complete sweep report.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The tool that wrote it.
    pub tool: String,
    /// Where the data came from.
    pub source: SourceInfo,
    /// Findings, in report order.
    pub findings: Vec<SweepFinding>,
    /// Counts.
    pub summary: Summary,
    /// What could not be looked at, and why.
    pub notes: Vec<String>,
}

impl Report {
    /// Findings of one section.
    pub fn section(&self, s: Section) -> impl Iterator<Item = &SweepFinding> {
        self.findings.iter().filter(move |f| f.section == s)
    }

    /// The highest severity among the findings.
    pub fn max_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// Collects findings, applying the configuration (ignored ids, severity overrides).
#[derive(Debug)]
pub struct Findings<'c> {
    config: &'c SweepConfig,
    out: Vec<SweepFinding>,
}

impl<'c> Findings<'c> {
    /// An empty collection.
    pub fn new(config: &'c SweepConfig) -> Self {
        Findings {
            config,
            out: Vec::new(),
        }
    }

    /// Adds a finding unless its check is turned off.
    pub fn push(&mut self, mut f: SweepFinding) {
        if f.section != Section::Workloads && !self.config.namespace_wanted(&f.namespace) {
            return;
        }
        if let Some(s) = self.config.effective_severity(&f.id, f.severity) {
            f.severity = s;
            self.out.push(f);
        }
    }

    /// Adds a workload finding (its severity already comes from the engine's config).
    pub fn push_engine(&mut self, f: SweepFinding) {
        self.out.push(f);
    }

    /// Findings so far.
    pub fn as_slice(&self) -> &[SweepFinding] {
        &self.out
    }

    /// The findings, sorted.
    pub fn finish(mut self) -> Vec<SweepFinding> {
        self.out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.out
    }
}

/// Builds the summary over sorted findings.
pub fn summarize(
    findings: &[SweepFinding],
    objects: BTreeMap<String, usize>,
    engine: EngineTally,
) -> Summary {
    let mut s = Summary {
        total: findings.len(),
        objects,
        workloads_judged: engine.subjects,
        passed: engine.passed,
        exempted: engine.exempted,
        not_evaluated: engine.not_evaluated,
        ..Summary::default()
    };
    for f in findings {
        match f.severity {
            Severity::Danger => s.danger += 1,
            Severity::Warning => s.warning += 1,
            Severity::Ignore => {}
        }
        *s.by_section.entry(f.section).or_default() += 1;
        *s.by_id.entry(f.id.clone()).or_default() += 1;
    }
    s
}
