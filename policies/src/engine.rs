//! The engine: runs every enabled check over objects and returns findings.
//!
//! Evaluation order for each (check, object[, container]), as in Polaris:
//! annotation exemptions (unless disallowed), check lookup (custom checks
//! override built-ins), severity (`ignore` does not run), config exemptions
//! (unless disallowed), then the check's own scope and kind filters.
//!
//! Cross-object checks (PDB, NetworkPolicy, HPA, ServiceAccount, RBAC
//! bindings) need an [`Index`] of the other objects of the run; without one
//! (admission) they are skipped. Front ends that stream input run the local
//! pass per object, keep [`Engine::cross_subject`] copies (small: metadata and
//! pod-template labels), and run the cross pass at the end.

use crate::object::Field;
use std::collections::BTreeSet;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::config::Config;
use crate::finding::{ContainerInfo, Finding, Severity};
use crate::index::{Coverage, Index};
use crate::object::At;
use crate::object::{ObjectRef, Roles, Workload};
use crate::rule::{Ctx, Emitter, Rule, RuleMeta, Scope, Verdict};
use crate::{custom, rules};

/// A check the engine runs: a built-in rule or a compiled custom check.
pub trait Check: Send + Sync {
    /// Rule id.
    fn id(&self) -> &str;
    /// Category name.
    fn category(&self) -> &str;
    /// What it runs against.
    fn scope(&self) -> Scope;
    /// Whether it judges objects (object scope) or workloads (other scopes) of `kind`.
    fn applies_to_kind(&self, kind: &str) -> bool;
    /// Kinds of other objects it consults; empty for local checks.
    fn needs(&self) -> Vec<String>;
    /// True when it needs the full object in the cross pass (not a pruned copy).
    fn needs_full_object(&self) -> bool {
        false
    }
    /// Runs the check.
    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter);
}

impl Check for &'static dyn Rule {
    fn id(&self) -> &str {
        self.meta().id
    }
    fn category(&self) -> &str {
        self.meta().category.as_str()
    }
    fn scope(&self) -> Scope {
        self.meta().scope
    }
    fn applies_to_kind(&self, kind: &str) -> bool {
        let k = self.meta().kinds;
        k.is_empty() || k.contains(&kind)
    }
    fn needs(&self) -> Vec<String> {
        self.meta().needs.iter().map(|s| s.to_string()).collect()
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        Rule::check(*self, cx, out)
    }
}

/// Which checks to run in one call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pass {
    /// Checks that judge an object on its own.
    Local,
    /// Cross-object checks only (needs an index).
    Cross,
    /// Both (cross-object checks only when an index is given).
    All,
}

/// A check that could not be decided from the input.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NotEvaluated {
    /// Rule id.
    pub id: Arc<str>,
    /// The object.
    pub object: ObjectRef,
    /// Why.
    pub reason: String,
    /// The check could not be applied to the object (a custom check's
    /// template rendered no valid schema for it): a problem of the
    /// configuration, not of the input ([`Emitter::check_at_fault`]).
    pub fault: bool,
}

/// The result of checking one or more objects.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Evaluation {
    /// Failures, in deterministic order.
    pub findings: Vec<Finding>,
    /// Evaluations that passed (for the score).
    pub passed: usize,
    /// Evaluations skipped by an exemption.
    pub exempted: usize,
    /// Checks that could not be decided.
    pub not_evaluated: Vec<NotEvaluated>,
    /// Where the object's container lists are not lists of containers
    /// ([`Workload::containers_and_problems`]), or a field a rule reads has
    /// a type the API server refuses ([`crate::field_types`]), with a
    /// message: the object cannot be applied, and no check could judge that
    /// field. Filled by the local pass (and [`Pass::All`]).
    pub malformed: Vec<(crate::path::FieldPath, String)>,
}

impl Evaluation {
    /// Adds another evaluation's results to this one.
    pub fn extend(&mut self, other: Evaluation) {
        self.findings.extend(other.findings);
        self.passed += other.passed;
        self.exempted += other.exempted;
        self.not_evaluated.extend(other.not_evaluated);
        self.malformed.extend(other.malformed);
    }

    /// Polaris's score over these results.
    pub fn score(&self) -> u32 {
        let w = self
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count();
        let d = self
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Danger)
            .count();
        crate::finding::score(self.passed, w, d)
    }

    /// Sorts findings deterministically.
    pub fn sort(&mut self) {
        self.findings
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }
}

/// A problem with the configuration that does not stop the engine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConfigWarning {
    /// The config key at fault (`checks.fooBar`).
    pub key: String,
    /// What is wrong.
    pub message: String,
}

/// Errors building an engine from a configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// A custom check is invalid.
    #[error("custom check `{id}`: {source}")]
    CustomCheck {
        /// The check's id.
        id: String,
        /// What is wrong.
        #[source]
        source: custom::CustomCheckError,
    },
    /// A custom check has no severity under `checks:`.
    #[error("custom check `{id}` has no severity: add `{id}: warning` (or danger/ignore) under `checks:`")]
    MissingSeverity {
        /// The check's id.
        id: String,
    },
}

struct Active {
    check: Arc<dyn Check>,
    /// The check's id and category, shared by its findings.
    id: Arc<str>,
    category: Arc<str>,
    /// The check's scope, read once (the engine asks for every object).
    scope: Scope,
    severity: Severity,
    cross: bool,
    /// Bit `i` set when the check applies to [`COMMON_KINDS`]`[i]`: the
    /// answer for the kinds nearly every object has, asked once.
    common: u32,
}

/// Kinds whose applicability each check answers up front.
const COMMON_KINDS: [&str; 12] = [
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "Pod",
    "ReplicaSet",
    "ReplicationController",
    "Service",
    "ConfigMap",
    "ServiceAccount",
    "Ingress",
];

impl Active {
    /// Whether the check applies to `kind`, which is `COMMON_KINDS[common]`
    /// when `common` is given.
    #[inline]
    fn applies_to(&self, kind: &str, common: Option<usize>) -> bool {
        match common {
            Some(i) => self.common & (1 << i) != 0,
            None => self.check.applies_to_kind(kind),
        }
    }
}

/// The policy engine.
pub struct Engine {
    config: Config,
    checks: Vec<Active>,
    index_kinds: BTreeSet<String>,
    warnings: Vec<ConfigWarning>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field(
                "checks",
                &self.checks.iter().map(|c| c.check.id()).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Engine {
    /// Builds an engine from an effective configuration.
    pub fn new(config: Config) -> Result<Engine, EngineError> {
        let mut checks = Vec::new();
        let mut warnings = Vec::new();
        for id in config.custom_checks.keys() {
            if !config.checks.contains_key(id) {
                return Err(EngineError::MissingSeverity { id: id.clone() });
            }
        }
        for (id, severity) in &config.checks {
            let check: Arc<dyn Check> = if let Some(spec) = config.custom_checks.get(id) {
                let compiled =
                    custom::compile(id, spec).map_err(|source| EngineError::CustomCheck {
                        id: id.clone(),
                        source,
                    })?;
                Arc::from(compiled)
            } else if let Some(rule) = rules::find(id) {
                Arc::new(rule)
            } else {
                warnings.push(ConfigWarning {
                    key: format!("checks.{id}"),
                    message: format!("unknown rule `{id}` (ignored)"),
                });
                continue;
            };
            if *severity == Severity::Ignore {
                continue;
            }
            // imageRegistry is off while no registry is allowed.
            if id == "imageRegistry"
                && config.allowed_registries.is_empty()
                && !config.custom_checks.contains_key(id)
            {
                continue;
            }
            let cross = !check.needs().is_empty();
            let common = COMMON_KINDS
                .iter()
                .enumerate()
                .filter(|(_, k)| check.applies_to_kind(k))
                .fold(0u32, |m, (i, _)| m | (1 << i));
            checks.push(Active {
                id: Arc::from(check.id()),
                category: Arc::from(check.category()),
                scope: check.scope(),
                check,
                severity: *severity,
                cross,
                common,
            });
        }
        let index_kinds = checks.iter().flat_map(|a| a.check.needs()).collect();
        Ok(Engine {
            config,
            checks,
            index_kinds,
            warnings,
        })
    }

    /// The engine with the built-in default configuration.
    pub fn with_defaults() -> Result<Engine, EngineError> {
        Engine::new(crate::config::Config::defaults())
    }

    /// The configuration in effect.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Non-fatal configuration problems (unknown rule ids).
    pub fn warnings(&self) -> &[ConfigWarning] {
        &self.warnings
    }

    /// Ids of the checks that run, in configuration order.
    pub fn active_ids(&self) -> impl Iterator<Item = &str> {
        self.checks.iter().map(|a| a.check.id())
    }

    /// The kinds cross-object checks consult.
    pub fn index_kinds(&self) -> &BTreeSet<String> {
        &self.index_kinds
    }

    /// An empty index for this engine's cross-object checks.
    pub fn new_index(&self, coverage: Coverage) -> Index {
        Index::new(self.index_kinds.clone(), coverage)
    }

    /// For the cross pass: a copy of `object` holding what cross-object checks
    /// read, or `None` when no cross-object check applies to it.
    pub fn cross_subject(&self, object: &Value) -> Option<Value> {
        let kind = object.field("kind").and_then(Value::as_str).unwrap_or("");
        let workload = Workload::of(object);
        let mut full = false;
        let mut any = false;
        for a in self.checks.iter().filter(|a| a.cross) {
            let applies = match a.check.scope() {
                Scope::Object => a.check.applies_to_kind(kind),
                _ => workload.is_some() && a.check.applies_to_kind(kind),
            };
            if applies {
                any = true;
                full |= a.check.needs_full_object();
            }
        }
        match (any, full) {
            (false, _) => None,
            (true, true) => Some(object.clone()),
            (true, false) => Some(prune_for_cross_checks(object)),
        }
    }

    /// Checks every object of a complete input: builds the index, runs both
    /// passes, returns one evaluation per object (same order).
    pub fn check_all(&self, objects: &[Value], coverage: Coverage) -> Vec<Evaluation> {
        let mut index = self.new_index(coverage);
        for o in objects {
            index.add(o);
        }
        objects
            .iter()
            .map(|o| self.check(o, Some(&index), Pass::All))
            .collect()
    }

    /// Checks one object; its findings in the deterministic order of
    /// [`Evaluation::sort`].
    pub fn check(&self, object: &Value, index: Option<&Index>, pass: Pass) -> Evaluation {
        let mut eval = self.check_unordered(object, index, pass);
        eval.sort();
        eval
    }

    /// [`Engine::check`] with the findings in the order the checks made them
    /// (configured rule order, containers in pod order), which is also
    /// deterministic: for callers that order findings their own way (the
    /// linter sorts them by position in the file) and need not pay twice.
    pub fn check_unordered(&self, object: &Value, index: Option<&Index>, pass: Pass) -> Evaluation {
        let mut evals = self.check_batch_unordered(&[object], index, pass);
        evals.pop().unwrap_or_default()
    }

    /// [`Engine::check_unordered`] for several objects at once: one
    /// evaluation per object, in the same order, each the same as
    /// `check_unordered` gives for that object alone.
    ///
    /// The checks run one after the other over all the objects, rather
    /// than all the checks over one object and then the next: a check's
    /// code (and what the processor learnt of its branches) is then reused
    /// while it is still in the cache. Callers pass a few objects at a
    /// time, so that the objects stay in the cache too.
    pub fn check_batch_unordered(
        &self,
        objects: &[&Value],
        index: Option<&Index>,
        pass: Pass,
    ) -> Vec<Evaluation> {
        let mut subjects: Vec<Subject<'_>> = objects
            .iter()
            // Field types are checked for the rules that read them: with
            // every rule skipped, nothing is read (and a parse-only run
            // measures parsing only).
            .map(|object| {
                let judged = !self.checks.is_empty();
                let types = pass != Pass::Cross && judged;
                Subject::of(object, &self.config, types, judged)
            })
            .collect();
        let mut evals: Vec<Evaluation> = subjects
            .iter_mut()
            .map(|s| Evaluation {
                // Reported once per object: by the local pass, not the cross one.
                malformed: match pass {
                    Pass::Cross => Vec::new(),
                    Pass::Local | Pass::All => std::mem::take(&mut s.malformed),
                },
                ..Evaluation::default()
            })
            .collect();
        // Each object's container names, made shareable on their first finding.
        let mut names: Vec<Vec<Option<Arc<str>>>> = subjects
            .iter()
            .map(|s| vec![None; s.containers.len()])
            .collect();
        // One emitter for every evaluation: its list of hits is allocated
        // once, not once per failing check.
        let mut out = Emitter::new();
        for active in &self.checks {
            match (pass, active.cross) {
                (Pass::Local, true) | (Pass::Cross, false) => continue,
                _ => {}
            }
            if active.cross && index.is_none() {
                continue;
            }
            // The batch's own copies of the strings every finding of the
            // check shares, made on its first finding: the engine's are
            // shared by every thread, and counting references to them from
            // two threads at once makes the processors pass the count's
            // cache line back and forth.
            let mut own = None;
            for ((subject, eval), names) in subjects.iter().zip(&mut evals).zip(&mut names) {
                if subject.misplaced {
                    continue;
                }
                self.run_check(active, &mut own, subject, index, &mut out, eval, names);
            }
        }
        evals
    }

    /// Runs one check on one object (each container, for container checks).
    #[allow(clippy::too_many_arguments)]
    fn run_check(
        &self,
        active: &Active,
        own: &mut Option<Owned>,
        subject: &Subject<'_>,
        index: Option<&Index>,
        out: &mut Emitter,
        eval: &mut Evaluation,
        names: &mut [Option<Arc<str>>],
    ) {
        let object_ref = &subject.object_ref;
        let kind: &str = &object_ref.kind;
        let check = active.check.as_ref();
        let id: &str = &active.id;
        let scope = active.scope;
        match scope {
            Scope::Object if !active.applies_to(kind, subject.common) => return,
            Scope::Workload | Scope::Container(_)
                if subject.workload.is_none() || !active.applies_to(kind, subject.common) =>
            {
                return
            }
            _ => {}
        }
        if subject.annotation_exempt.covers(id) {
            // Counted as a configured exemption is: once per container a
            // container check would judge.
            eval.exempted += match scope {
                Scope::Container(roles) => subject
                    .containers
                    .iter()
                    .filter(|c| roles.contains(c.role))
                    .count(),
                _ => 1,
            };
            return;
        }
        let mut run = |at: Option<(usize, &crate::object::ContainerRef<'_>)>| {
            let container = at.map(|(_, c)| c);
            let container_name = container.map_or("", |c| c.name);
            if self.config_exempt(id, object_ref, container_name) {
                eval.exempted += 1;
                return;
            }
            let cx = Ctx {
                object: subject.object,
                object_ref,
                workload: subject.workload.as_ref(),
                container,
                index,
                config: &self.config,
            };
            out.reset();
            check.check(&cx, out);
            match out.verdict {
                Verdict::NotApplicable => {}
                Verdict::NotEvaluated => eval.not_evaluated.push(NotEvaluated {
                    id: Owned::of(own, active).id.clone(),
                    object: object_ref.clone(),
                    reason: out.reason.take().unwrap_or_default(),
                    fault: out.fault,
                }),
                Verdict::Evaluated if out.hits.is_empty() => eval.passed += 1,
                Verdict::Evaluated => {
                    let container = at.map(|(i, c)| ContainerInfo {
                        name: names
                            .get_mut(i)
                            .map(|n| n.get_or_insert_with(|| Arc::from(c.name)).clone())
                            .unwrap_or_else(|| Arc::from(c.name)),
                        role: c.role,
                    });
                    eval.findings.reserve(out.hits.len());
                    let own = Owned::of(own, active);
                    for hit in out.hits.drain(..) {
                        eval.findings.push(Finding {
                            id: own.id.clone(),
                            severity: active.severity,
                            category: own.category.clone(),
                            message: hit.message,
                            object: object_ref.clone(),
                            container: container.clone(),
                            path: hit.path,
                            fix: hit.fix,
                        });
                    }
                }
            }
        };
        match scope {
            Scope::Container(roles) => {
                for (i, c) in subject.containers.iter().enumerate() {
                    if roles.contains(c.role) {
                        run(Some((i, c)));
                    }
                }
            }
            _ => run(None),
        }
    }

    fn config_exempt(&self, id: &str, object: &ObjectRef, container: &str) -> bool {
        if self.config.disallow_exemptions || self.config.disallow_config_exemptions {
            return false;
        }
        self.config.exemptions.iter().any(|e| {
            // An empty `namespace` is no constraint, as in Polaris.
            let namespace = e.namespace.as_deref().filter(|n| !n.is_empty());
            let ns_ok = match (namespace, e.namespaces.is_empty()) {
                (None, true) => true,
                (ns, _) => {
                    ns == Some(&*object.namespace)
                        || e.namespaces.iter().any(|n| **n == *object.namespace)
                }
            };
            ns_ok
                && (e.rules.is_empty() || e.rules.iter().any(|r| r == id))
                && (e.controller_names.is_empty()
                    || e.controller_names
                        .iter()
                        .any(|p| object.name.starts_with(p.as_str())))
                && (e.container_names.is_empty()
                    || e.container_names
                        .iter()
                        .any(|p| container.starts_with(p.as_str())))
        })
    }
}

/// A check's id and category as one batch's findings share them.
struct Owned {
    id: Arc<str>,
    category: Arc<str>,
}

impl Owned {
    /// The batch's copies of `active`'s strings, made on first use.
    fn of<'a>(own: &'a mut Option<Owned>, active: &Active) -> &'a Owned {
        own.get_or_insert_with(|| Owned {
            id: Arc::from(&*active.id),
            category: Arc::from(&*active.category),
        })
    }
}

/// What every check of one object reads of it, worked out once.
struct Subject<'a> {
    object: &'a Value,
    object_ref: ObjectRef,
    workload: Option<Workload<'a>>,
    containers: Vec<crate::object::ContainerRef<'a>>,
    /// Container lists that are not lists of containers.
    malformed: Vec<(crate::path::FieldPath, String)>,
    annotation_exempt: AnnotationExemptions,
    /// Index of the object's kind in [`COMMON_KINDS`].
    common: Option<usize>,
    /// A pod spec field is written above the pod spec: the object is not
    /// judged (its pod spec as written is not what its author meant; the
    /// field is reported in [`Evaluation::malformed`]).
    misplaced: bool,
}

impl<'a> Subject<'a> {
    /// `types`: whether to check field types ([`crate::field_types`]) for
    /// [`Evaluation::malformed`] (the local pass reports them; the cross
    /// pass would only throw them away). `judged`: whether any check will
    /// judge it (with none, a pod spec field out of place is not looked for).
    fn of(object: &'a Value, config: &Config, types: bool, judged: bool) -> Subject<'a> {
        let object_ref = ObjectRef::of(object);
        let workload = Workload::of(object);
        let (containers, mut malformed) = workload
            .as_ref()
            .map(|w| w.containers_and_problems())
            .unwrap_or_default();
        let misplaced = if types {
            crate::field_types::problems(object, workload.as_ref(), &containers, &mut malformed)
        } else {
            // Only where a check would judge the object.
            judged && crate::field_types::pod_spec_field_misplaced(object)
        };
        let annotation_exempt =
            if config.disallow_exemptions || config.disallow_annotation_exemptions {
                AnnotationExemptions::default()
            } else {
                AnnotationExemptions::read(object, workload.as_ref())
            };
        let common = COMMON_KINDS.iter().position(|k| **k == *object_ref.kind);
        Subject {
            object,
            object_ref,
            workload,
            containers,
            malformed,
            annotation_exempt,
            common,
            misplaced,
        }
    }
}

/// Annotation exemptions of one object (its own metadata and its pod template's).
#[derive(Debug, Default)]
struct AnnotationExemptions {
    all: bool,
    rules: BTreeSet<String>,
}

impl AnnotationExemptions {
    fn read(object: &Value, workload: Option<&Workload<'_>>) -> Self {
        let mut out = AnnotationExemptions::default();
        let own = object
            .at(&["metadata", "annotations"])
            .and_then(Value::as_object);
        let template = workload.and_then(|w| w.pod_annotations());
        for annotations in [own, template].into_iter().flatten() {
            out.add(annotations);
        }
        out
    }

    fn add(&mut self, annotations: &Map<String, Value>) {
        for (k, v) in annotations {
            let v = v.as_str().unwrap_or("");
            if k == "polaris.fairwinds.com/exempt" && v.eq_ignore_ascii_case("true") {
                self.all = true;
            } else if let Some(rule) = k
                .strip_prefix("polaris.fairwinds.com/")
                .and_then(|r| r.strip_suffix("-exempt"))
            {
                if v.eq_ignore_ascii_case("true") {
                    self.rules.insert(rule.to_string());
                }
            } else if k == "eyelint.io/exempt" {
                for r in v.split(',').map(str::trim).filter(|r| !r.is_empty()) {
                    if r.eq_ignore_ascii_case("all") {
                        self.all = true;
                    } else {
                        self.rules.insert(r.to_string());
                    }
                }
            }
        }
    }

    fn covers(&self, id: &str) -> bool {
        self.all || self.rules.contains(id)
    }
}

/// The copy of an object that built-in cross-object checks read: identity,
/// metadata, `spec.replicas`, the pod template's metadata, the pod spec's
/// service-account fields, and whole RBAC/policy objects (which are small).
pub fn prune_for_cross_checks(object: &Value) -> Value {
    let Some(map) = object.as_object() else {
        return object.clone();
    };
    let Some(w) = Workload::of(object) else {
        return object.clone();
    };
    let mut out = Map::new();
    for k in ["apiVersion", "kind", "metadata"] {
        if let Some(v) = map.field(k) {
            out.insert(k.to_string(), v.clone());
        }
    }
    let mut pod_spec = Map::new();
    for k in [
        "serviceAccountName",
        "serviceAccount",
        "automountServiceAccountToken",
    ] {
        if let Some(v) = w.pod_spec.field(k) {
            pod_spec.insert(k.to_string(), v.clone());
        }
    }
    pod_spec.insert("containers".to_string(), Value::Array(Vec::new()));
    let mut template = Map::new();
    if let Some(m) = w.template.field("metadata") {
        template.insert("metadata".to_string(), m.clone());
    }
    template.insert("spec".to_string(), Value::Object(pod_spec));
    let template = Value::Object(template);
    let mut root = Value::Object(out);
    // Re-create the template at its path.
    let segs = w.template_path.segments();
    if segs.is_empty() {
        if let (Value::Object(r), Value::Object(t)) = (&mut root, template) {
            for (k, v) in t {
                if k != "metadata" {
                    r.insert(k, v);
                }
            }
        }
    } else {
        let mut cur = &mut root;
        for (i, seg) in segs.iter().enumerate() {
            let crate::path::Seg::Key(k) = seg else { break };
            let Value::Object(m) = cur else { break };
            if i + 1 == segs.len() {
                m.insert(k.to_string(), template);
                break;
            }
            cur = m
                .entry(k.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
        }
    }
    if let Some(r) = object.at(&["spec", "replicas"]) {
        if let Some(spec) = root.get_mut("spec").and_then(Value::as_object_mut) {
            spec.insert("replicas".to_string(), r.clone());
        }
    }
    root
}

/// Metadata of every built-in rule, in registry order.
pub fn builtin_rules() -> Vec<&'static RuleMeta> {
    rules::all().into_iter().map(|r| r.meta()).collect()
}

/// Roles inspected by each built-in rule (for `docs/rules.md`).
pub fn roles_of(meta: &RuleMeta) -> Roles {
    match meta.scope {
        Scope::Container(r) => r,
        _ => Roles::NONE,
    }
}

#[cfg(test)]
mod tests {
    use super::{Engine, COMMON_KINDS};
    use crate::config::Config;

    #[test]
    fn common_kind_answers_match_the_checks() {
        let engine = Engine::new(Config::defaults()).unwrap();
        assert!(!engine.checks.is_empty());
        let mut some_differ = false;
        for a in &engine.checks {
            for (i, kind) in COMMON_KINDS.iter().enumerate() {
                assert_eq!(
                    a.applies_to(kind, Some(i)),
                    a.check.applies_to_kind(kind),
                    "{} {kind}",
                    a.id
                );
                assert_eq!(a.applies_to(kind, None), a.check.applies_to_kind(kind));
            }
            some_differ |= a.common != 0 && a.common != (1 << COMMON_KINDS.len()) - 1;
        }
        // The table is not trivially all-or-nothing.
        assert!(some_differ);
    }

    #[test]
    fn unordered_check_has_the_same_findings_in_rule_order() {
        let engine = Engine::new(Config::defaults()).unwrap();
        let object: serde_json::Value = serde_json::json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {
                        "hostNetwork": true,
                        "containers": [
                            {"name": "b", "image": "nginx", "securityContext": {"privileged": true}},
                            {"name": "a", "image": "redis:latest"}
                        ]
                    }
                }
            }
        });
        let sorted = engine.check(&object, None, super::Pass::Local);
        let mut unordered = engine.check_unordered(&object, None, super::Pass::Local);
        assert!(sorted.findings.len() > 10);
        assert_ne!(
            sorted.findings, unordered.findings,
            "the orders differ here"
        );
        unordered.sort();
        assert_eq!(sorted, unordered);
    }
}
