//! The admission decision: pure functions from a request, an engine and a
//! few settings to a response. No I/O, no clock, no globals, so every path
//! is unit-testable and the HTTP shell stays thin.
//!
//! Order of the checks (the first that applies wins):
//! 1. DELETE, CONNECT (and unknown operations) are allowed unjudged.
//! 2. Subresources are allowed unjudged, except `pods/ephemeralcontainers`
//!    (`kubectl debug`), which is judged by the Security checks only.
//! 3. No object: allowed.
//! 4. Exempt namespaces (`admission.exemptNamespaces` and the webhook's own
//!    namespace): allowed unjudged.
//! 5. Objects made by their controller (a controller ownerReference of a
//!    known kind *and* a requester in `admission.controllerIdentities`):
//!    allowed unjudged, because their controller was judged.
//! 6. Objects labelled `admission.optOutLabel: "true"`: allowed unjudged.
//! 7. Everything else: every check of the engine, with its config and
//!    annotation exemptions; cross-object checks see the object alone and
//!    report only what it decides by itself. Denied when a finding reaches
//!    `admission.denyOn` — on UPDATE only when the old object did not
//!    already have it. Every other finding becomes a warning.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};

use base64::Engine as _;
use eyelint_policies::config::DenyOn;
use eyelint_policies::finding::Fix;
use eyelint_policies::path::Seg;
use eyelint_policies::{Coverage, Engine, Finding, FixSafety, ObjectRef, Pass, Severity};
use serde_json::{Map, Value};

use crate::review::{AdmissionRequest, AdmissionResponse, Operation, Status};

/// Longest single warning, in characters.
pub const MAX_WARNING_CHARS: usize = 120;
/// Largest total size of all warnings, in bytes.
pub const MAX_WARNINGS_BYTES: usize = 4096;
/// Findings listed in a denial message before "… and N more".
pub const MAX_DENIAL_LINES: usize = 10;

/// Settings that do not come from the configuration file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    /// The namespace the webhook runs in; always exempt, so the webhook can
    /// never block its own rollout.
    pub own_namespace: Option<String>,
}

/// Why a request was allowed without being judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
    /// DELETE, CONNECT or an unknown operation.
    Operation,
    /// A subresource other than `pods/ephemeralcontainers`.
    Subresource,
    /// CREATE/UPDATE without an object.
    NoObject,
    /// An exempt namespace (configured or the webhook's own).
    ExemptNamespace,
    /// Made by its controller, which was judged.
    ControllerOwned,
    /// Labelled with `admission.optOutLabel: "true"`.
    OptedOut,
}

impl Skip {
    /// Short name for logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Skip::Operation => "operation",
            Skip::Subresource => "subresource",
            Skip::NoObject => "no-object",
            Skip::ExemptNamespace => "exempt-namespace",
            Skip::ControllerOwned => "controller-owned",
            Skip::OptedOut => "opted-out",
        }
    }
}

/// What the webhook decided, for metrics and logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Judged, no finding.
    Allowed,
    /// Judged, allowed with warnings.
    Warned,
    /// Judged and denied.
    Denied,
    /// `/mutate` returned a patch.
    Patched,
    /// Not judged.
    Skipped(Skip),
}

impl Outcome {
    /// The `decision` metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Warned => "warned",
            Outcome::Denied => "denied",
            Outcome::Patched => "patched",
            Outcome::Skipped(_) => "skipped",
        }
    }
}

/// The response plus what led to it.
#[derive(Clone, Debug)]
pub struct Decision {
    /// The response to send.
    pub response: AdmissionResponse,
    /// The outcome.
    pub outcome: Outcome,
    /// Every finding on the submitted object (empty when not judged).
    pub findings: Vec<Finding>,
    /// How many of them denied the request.
    pub denying: usize,
}

impl Decision {
    fn skipped(req: &AdmissionRequest, skip: Skip) -> Decision {
        Decision {
            response: AdmissionResponse::allow(&req.uid),
            outcome: Outcome::Skipped(skip),
            findings: Vec::new(),
            denying: 0,
        }
    }
}

/// Which checks count for a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    All,
    SecurityOnly,
}

/// The checks shared by `/validate` and `/mutate`: returns the scope to
/// judge with, or the reason not to judge.
fn triage(
    req: &AdmissionRequest,
    engine: &Engine,
    settings: &Settings,
    allow_ephemeral: bool,
) -> Result<Scope, Skip> {
    match req.operation {
        Operation::Create | Operation::Update => {}
        Operation::Delete | Operation::Connect | Operation::Unknown => return Err(Skip::Operation),
    }
    let scope = match req.sub_resource.as_deref().filter(|s| !s.is_empty()) {
        None => Scope::All,
        Some("ephemeralcontainers") if req.resource.resource == "pods" && allow_ephemeral => {
            Scope::SecurityOnly
        }
        Some(_) => return Err(Skip::Subresource),
    };
    let Some(object) = req.object.as_ref().filter(|o| o.is_object()) else {
        return Err(Skip::NoObject);
    };
    let ns = req.effective_namespace();
    let admission = &engine.config().admission;
    if !ns.is_empty()
        && (admission.exempt_namespaces.iter().any(|n| n == ns)
            || settings.own_namespace.as_deref() == Some(ns))
    {
        return Err(Skip::ExemptNamespace);
    }
    if controller_owned(object)
        && identity_matches(&req.user_info.username, &admission.controller_identities)
    {
        return Err(Skip::ControllerOwned);
    }
    // The webhook configurations' objectSelector already keeps such objects
    // away, except on an UPDATE that adds the label: the API server sends it
    // when the old or the new object matches the selector.
    if let Some(key) = admission.opt_out_label.as_deref() {
        let label = object.pointer("/metadata/labels").and_then(|l| l.get(key));
        if label.and_then(Value::as_str) == Some("true") {
            return Err(Skip::OptedOut);
        }
    }
    Ok(scope)
}

/// True when `object` has a controller ownerReference of a kind whose
/// controller creates objects of this kind.
pub fn controller_owned(object: &Value) -> bool {
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    let owners: &[(&str, &str)] = match kind {
        "Pod" => &[
            ("apps", "ReplicaSet"),
            ("batch", "Job"),
            ("apps", "DaemonSet"),
            ("apps", "StatefulSet"),
            ("", "ReplicationController"),
        ],
        "ReplicaSet" => &[("apps", "Deployment")],
        "Job" => &[("batch", "CronJob")],
        _ => return false,
    };
    let Some(refs) = object
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
    else {
        return false;
    };
    refs.iter().any(|r| {
        if r.get("controller") != Some(&Value::Bool(true)) {
            return false;
        }
        let api_version = r.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        let group = match api_version.split_once('/') {
            Some((g, _)) => g,
            None => "",
        };
        let owner_kind = r.get("kind").and_then(Value::as_str).unwrap_or("");
        owners.iter().any(|(g, k)| *g == group && *k == owner_kind)
    })
}

/// True when `username` is one of `identities` (exact, or a prefix ending in `*`).
pub fn identity_matches(username: &str, identities: &[String]) -> bool {
    !username.is_empty()
        && identities.iter().any(|id| match id.strip_suffix('*') {
            Some(prefix) => username.starts_with(prefix),
            None => id == username,
        })
}

/// The object as the engine should see it: old API servers sent
/// `kind: EphemeralContainers` for the ephemeralcontainers subresource, which
/// is recast as a pod holding only those containers; an object without a
/// namespace gets the request's.
fn normalize<'a>(object: &'a Value, req: &AdmissionRequest) -> Cow<'a, Value> {
    if object.get("kind").and_then(Value::as_str) == Some("EphemeralContainers") {
        let mut spec = Map::new();
        spec.insert("containers".to_string(), Value::Array(Vec::new()));
        spec.insert(
            "ephemeralContainers".to_string(),
            object
                .get("ephemeralContainers")
                .cloned()
                .unwrap_or(Value::Array(Vec::new())),
        );
        let mut pod = Map::new();
        pod.insert("apiVersion".to_string(), Value::String("v1".to_string()));
        pod.insert("kind".to_string(), Value::String("Pod".to_string()));
        pod.insert(
            "metadata".to_string(),
            object
                .get("metadata")
                .cloned()
                .unwrap_or(Value::Object(Map::new())),
        );
        pod.insert("spec".to_string(), Value::Object(spec));
        let mut pod = Value::Object(pod);
        set_namespace(&mut pod, req);
        return Cow::Owned(pod);
    }
    let has_ns = object
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .is_some_and(|n| !n.is_empty());
    match req.namespace.as_deref() {
        Some(ns) if !has_ns && !ns.is_empty() => {
            let mut copy = object.clone();
            set_namespace(&mut copy, req);
            Cow::Owned(copy)
        }
        _ => Cow::Borrowed(object),
    }
}

fn set_namespace(object: &mut Value, req: &AdmissionRequest) {
    let Some(ns) = req.namespace.as_deref().filter(|n| !n.is_empty()) else {
        return;
    };
    let Some(map) = object.as_object_mut() else {
        return;
    };
    let meta = map
        .entry("metadata".to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(meta) = meta.as_object_mut() {
        let missing = meta
            .get("namespace")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty);
        if missing {
            meta.insert("namespace".to_string(), Value::String(ns.to_string()));
        }
    }
}

/// Runs every check and keeps the findings in scope. The request holds one
/// object and says nothing of the others, so the cross-object checks see an
/// index of that object alone that covers no kind: where the object decides
/// by itself (a binding to `cluster-admin`, `automountServiceAccountToken:
/// true` on the pod) they report as the linter does; where they would need
/// another object (a PodDisruptionBudget, the ServiceAccount) they are not
/// evaluated.
fn judge(engine: &Engine, object: &Value, scope: Scope) -> Vec<Finding> {
    judge_with_faults(engine, object, scope).0
}

/// [`judge`], and a warning line for each custom check that could not be
/// applied to the object (its template rendered no valid schema for it): a
/// broken configuration, which must not pass unseen.
fn judge_with_faults(engine: &Engine, object: &Value, scope: Scope) -> (Vec<Finding>, Vec<String>) {
    let mut index = engine.new_index(Coverage::Kinds(BTreeSet::new()));
    index.add(object);
    let eval = engine.check(object, Some(&index), Pass::All);
    let mut findings = eval.findings;
    if scope == Scope::SecurityOnly {
        findings.retain(|f| &*f.category == "Security");
    }
    let faults = eval
        .not_evaluated
        .iter()
        .filter(|n| n.fault)
        .map(|n| {
            let line = format!("custom check {} could not be evaluated: {}", n.id, n.reason);
            truncate_chars(&sanitize_line(&line), MAX_WARNING_CHARS)
        })
        .collect();
    (findings, faults)
}

/// The smallest severity that denies, if any.
fn deny_threshold(deny_on: DenyOn) -> Option<Severity> {
    match deny_on {
        DenyOn::Danger => Some(Severity::Danger),
        DenyOn::Warning => Some(Severity::Warning),
        DenyOn::Never => None,
    }
}

/// Two keys that identify "the same problem" in an old and a new version of
/// an object: rule, container, and the path with list entries that have a
/// `name` addressed by that name (so inserting a container before another
/// does not make the other's findings look new); and the same with the path
/// cut after its last list entry (`…/containers/[name=app]` for
/// `…containers[0].securityContext`).
fn keys(object: &Value, f: &Finding) -> (Key, Key) {
    let mut path = String::new();
    let mut entry_end = 0;
    let mut cur = Some(object);
    for seg in f.path.segments() {
        match seg {
            Seg::Key(k) => {
                path.push('/');
                path.push_str(k);
                cur = cur.and_then(|v| v.get(k.as_ref()));
            }
            Seg::Index(i) => {
                let item = cur.and_then(|v| v.get(*i));
                match item.and_then(|v| v.get("name")).and_then(Value::as_str) {
                    Some(name) => {
                        let _ = write!(path, "/[name={name}]");
                    }
                    None => {
                        let _ = write!(path, "/{i}");
                    }
                }
                entry_end = path.len();
                cur = item;
            }
        }
    }
    let (id, container) = check_and_container(f);
    let loose = (id.clone(), container.clone(), path[..entry_end].to_string());
    ((id, container, path), loose)
}

type Key = (String, String, String);

/// The findings of an object's previous version (on UPDATE), to tell the
/// problems a new version already had from those it brings.
#[derive(Debug, Default)]
pub struct Previous {
    exact: HashMap<Key, usize>,
    loose: HashMap<Key, usize>,
}

impl Previous {
    /// The findings `findings` of the previous version `old`.
    pub fn of(old: &Value, findings: &[Finding]) -> Previous {
        let mut p = Previous::default();
        for f in findings {
            let (exact, loose) = keys(old, f);
            *p.exact.entry(exact).or_default() += 1;
            *p.loose.entry(loose).or_default() += 1;
        }
        p
    }

    /// Which of `findings` (of the new version `object`) the previous
    /// version had, matched one for one: first by rule, container and path
    /// (list entries with a `name` addressed by name), then by rule,
    /// container and the path up to its last list entry. A finding
    /// about a missing field points at the field's nearest existing
    /// ancestor, so adding or removing a container's `securityContext` moves
    /// its path (`…containers[0]` to `…containers[0].securityContext`)
    /// without changing the problem; within one list entry, a second finding
    /// of the same rule where the old version had one is still new.
    pub fn had(&self, object: &Value, findings: &[Finding]) -> Vec<bool> {
        let mut exact = self.exact.clone();
        let mut loose = self.loose.clone();
        let keyed: Vec<(Key, Key)> = findings.iter().map(|f| keys(object, f)).collect();
        let mut had = vec![false; findings.len()];
        let take = |counts: &mut HashMap<Key, usize>, key: &Key| match counts.get_mut(key) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        };
        for (i, (e, l)) in keyed.iter().enumerate() {
            if take(&mut exact, e) {
                take(&mut loose, l);
                had[i] = true;
            }
        }
        for (i, (_, l)) in keyed.iter().enumerate() {
            if !had[i] && take(&mut loose, l) {
                had[i] = true;
            }
        }
        had
    }
}

/// On UPDATE, the findings of the old object (judged as the new one is);
/// none otherwise.
fn previous(req: &AdmissionRequest, engine: &Engine, scope: Scope) -> Previous {
    match (req.operation, &req.old_object) {
        (Operation::Update, Some(old)) if old.is_object() => {
            let old = normalize(old, req);
            Previous::of(&old, &judge(engine, &old, scope))
        }
        _ => Previous::default(),
    }
}

/// The validating decision.
pub fn decide(req: &AdmissionRequest, engine: &Engine, settings: &Settings) -> Decision {
    let scope = match triage(req, engine, settings, true) {
        Ok(s) => s,
        Err(skip) => return Decision::skipped(req, skip),
    };
    let Some(raw) = req.object.as_ref() else {
        return Decision::skipped(req, Skip::NoObject);
    };
    let object = normalize(raw, req);
    let (findings, faults) = judge_with_faults(engine, &object, scope);

    let had = previous(req, engine, scope).had(&object, &findings);
    let threshold = deny_threshold(engine.config().admission.deny_on);
    let mut denying: Vec<&Finding> = Vec::new();
    let mut others: Vec<(&Finding, bool)> = Vec::new();
    for (f, existing) in findings.iter().zip(had) {
        let at_threshold = threshold.is_some_and(|t| f.severity >= t);
        if at_threshold && !existing {
            denying.push(f);
        } else {
            others.push((f, existing));
        }
    }
    // Most severe first, so truncation drops the least important.
    others.sort_by_key(|o| std::cmp::Reverse(o.0.severity));
    let warnings = limit_warnings(
        faults
            .into_iter()
            .chain(others.iter().map(|(f, existing)| {
                warning_line(f, if *existing { " (already present)" } else { "" })
            }))
            .collect(),
    );
    let n_denying = denying.len();
    let (allowed, status, outcome) = if denying.is_empty() {
        let outcome = if warnings.is_empty() {
            Outcome::Allowed
        } else {
            Outcome::Warned
        };
        (true, None, outcome)
    } else {
        // Dangers first: the lines shown are cut at ten.
        denying.sort_by_key(|f| std::cmp::Reverse(f.severity));
        let message = denial_message(&ObjectRef::of(&object), req, &denying);
        (false, Some(Status::forbidden(message)), Outcome::Denied)
    };
    Decision {
        response: AdmissionResponse {
            uid: req.uid.clone(),
            allowed,
            status,
            patch: None,
            patch_type: None,
            warnings,
        },
        outcome,
        findings,
        denying: n_denying,
    }
}

/// The mutating decision: a JSON Patch of the safe fixes (and the unsafe
/// ones explicitly opted into) of failing checks listed in `mutations`.
/// Never denies: on any internal problem the object is admitted unchanged
/// with a warning.
pub fn mutate(req: &AdmissionRequest, engine: &Engine, settings: &Settings) -> Decision {
    match catch_unwind(AssertUnwindSafe(|| mutate_inner(req, engine, settings))) {
        Ok(d) => d,
        Err(_) => Decision {
            response: AdmissionResponse {
                warnings: vec![
                    "eyelint: internal error while computing fixes; object admitted unchanged"
                        .to_string(),
                ],
                ..AdmissionResponse::allow(&req.uid)
            },
            outcome: Outcome::Allowed,
            findings: Vec::new(),
            denying: 0,
        },
    }
}

fn mutate_inner(req: &AdmissionRequest, engine: &Engine, settings: &Settings) -> Decision {
    if let Err(skip) = triage(req, engine, settings, false) {
        return Decision::skipped(req, skip);
    }
    let Some(raw) = req.object.as_ref() else {
        return Decision::skipped(req, Skip::NoObject);
    };
    let object = normalize(raw, req);
    let findings = judge(engine, &object, Scope::All);
    let config = engine.config();

    // On UPDATE only problems the old object did not have are fixed, so that
    // scaling or relabelling a legacy workload never rewrites (and rolls) it.
    let previous = previous(req, engine, Scope::All);

    let listed = |f: &Finding| config.mutations.iter().any(|m| **m == *f.id);
    let allowed = |f: &Finding, fix: &Fix| match fix.safety {
        FixSafety::Safe => true,
        FixSafety::Unsafe => config
            .admission
            .unsafe_mutations
            .iter()
            .any(|m| **m == *f.id),
    };
    // A fix to apply: of a listed check, and safe or opted into.
    let wanted = |f: &Finding| {
        f.fix
            .as_ref()
            .is_some_and(|fix| listed(f) && allowed(f, fix))
    };
    // The problems to fix, counted per check and container: those of the
    // object as sent whose check is listed and, on UPDATE, that the old
    // object did not have. A problem with no fix yet may get one once
    // others are fixed (topologySpreadConstraint's needs the labels
    // metadataAndInstanceMismatched's fix adds), and one whose fix is not
    // allowed yet may become safe (`allowPrivilegeEscalation: false` is
    // unsafe beside `privileged: true` or CAP_SYS_ADMIN, which the API
    // server refuses together, and safe once those are fixed): whether a
    // fix is taken is decided on each round's object.
    let mut to_fix: HashMap<(String, String), usize> = HashMap::new();
    let had = previous.had(&object, &findings);
    for (f, _) in findings
        .iter()
        .zip(had)
        .filter(|(f, had)| listed(f) && !had)
    {
        *to_fix.entry(check_and_container(f)).or_insert(0) += 1;
    }

    // Fixes are worked out on the object as the fixes before them left it,
    // then the object is judged again. Two fixes worked out on the same
    // object may both write a mapping it lacks whole (`resources: {limits:
    // {cpu: 100m}}`, then `resources: {requests: …}`), and the second would
    // undo the first; so each round takes at most one fix per container,
    // where such fixes meet. Fixes of different containers touch different
    // subtrees and go in the same round: the rounds are as many as one
    // container's fixes, not all the fixes of the pod (a pod of 1,600
    // containers took one round, and one judging of the whole pod, per
    // fix). A fix of the object itself (not of a container) goes alone, in
    // the order the findings come. Every round uses up at least one problem
    // of `to_fix`, so the loop ends.
    let mut working = raw.clone();
    let mut ops: Vec<json_patch::PatchOperation> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut current: Cow<'_, [Finding]> = Cow::Borrowed(&findings);
    // The object `current` was judged on (for `Previous::had`).
    let mut judged: Cow<'_, Value> = object;
    loop {
        let mut batch: Vec<(&Finding, &Fix)> = Vec::new();
        let mut containers: HashSet<String> = HashSet::new();
        let had = previous.had(&judged, &current);
        for (f, had) in current.iter().zip(had) {
            let Some(fix) = f.fix.as_ref() else { continue };
            let key = check_and_container(f);
            if !(wanted(f) && to_fix.get(&key).is_some_and(|n| *n > 0) && !had) {
                continue;
            }
            if key.1.is_empty() {
                if batch.is_empty() {
                    batch.push((f, fix));
                }
                break;
            }
            if containers.insert(key.1) {
                batch.push((f, fix));
            }
        }
        if batch.is_empty() {
            break;
        }
        for (f, fix) in batch {
            if let Some(n) = to_fix.get_mut(&check_and_container(f)) {
                *n -= 1;
            }
            let applied = fix.patch().map_err(|e| e.to_string()).and_then(|p| {
                json_patch::patch(&mut working, &p.0)
                    .map(|()| p)
                    .map_err(|e| e.to_string())
            });
            match applied {
                Ok(patch) => {
                    ops.extend(patch.0);
                    notes.push(sanitize_line(&format!(
                        "eyelint fixed {}{}: {}",
                        f.id,
                        container_suffix(f),
                        f.message
                    )));
                }
                Err(e) => notes.push(sanitize_line(&format!(
                    "eyelint could not apply the {} fix{}: {e}",
                    f.id,
                    container_suffix(f)
                ))),
            }
        }
        if to_fix.values().all(|n| *n == 0) {
            break;
        }
        judged = Cow::Owned(normalize(&working, req).into_owned());
        current = Cow::Owned(judge(engine, &judged, Scope::All));
    }
    let warnings = limit_warnings(notes);
    let mut response = AdmissionResponse {
        warnings,
        ..AdmissionResponse::allow(&req.uid)
    };
    let outcome = if ops.is_empty() {
        if response.warnings.is_empty() {
            Outcome::Allowed
        } else {
            Outcome::Warned
        }
    } else {
        match serde_json::to_vec(&ops) {
            Ok(bytes) => {
                response.patch = Some(base64::engine::general_purpose::STANDARD.encode(bytes));
                response.patch_type = Some("JSONPatch");
                Outcome::Patched
            }
            Err(e) => {
                response.warnings = limit_warnings(vec![sanitize_line(&format!(
                    "eyelint: could not encode fixes ({e}); object admitted unchanged"
                ))]);
                Outcome::Warned
            }
        }
    };
    Decision {
        response,
        outcome,
        findings,
        denying: 0,
    }
}

/// A finding's check and container name (empty for the pod or object).
fn check_and_container(f: &Finding) -> (String, String) {
    let container = f
        .container
        .as_ref()
        .map(|c| c.name.to_string())
        .unwrap_or_default();
    (f.id.to_string(), container)
}

fn container_suffix(f: &Finding) -> String {
    match &f.container {
        Some(c) if !c.name.is_empty() => format!(" (container {})", c.name),
        _ => String::new(),
    }
}

/// Replaces control characters (newlines, tabs, escapes) with spaces.
fn sanitize_line(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Cuts `s` to at most `max` characters, ending in `…` when cut.
fn truncate_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// One warning for a finding, at most [`MAX_WARNING_CHARS`] characters:
/// `danger hostIPCSet: message at spec.hostIPC` (the path is dropped first
/// when the line is too long, then the message is cut).
pub fn warning_line(f: &Finding, note: &str) -> String {
    let head = sanitize_line(&format!(
        "{} {}{}{}: {}",
        f.severity,
        f.id,
        container_suffix(f),
        note,
        f.message
    ));
    let path = f.path.to_string();
    let full = if path.is_empty() {
        head.clone()
    } else {
        sanitize_line(&format!("{head} at {path}"))
    };
    if full.chars().count() <= MAX_WARNING_CHARS {
        full
    } else {
        truncate_chars(&head, MAX_WARNING_CHARS)
    }
}

/// Keeps warnings within [`MAX_WARNING_CHARS`] each and
/// [`MAX_WARNINGS_BYTES`] together; past the budget, the first ones are kept
/// and a last line says `… and N more`.
pub fn limit_warnings(lines: Vec<String>) -> Vec<String> {
    let lines: Vec<String> = lines
        .into_iter()
        .map(|l| truncate_chars(&sanitize_line(&l), MAX_WARNING_CHARS))
        .collect();
    let total: usize = lines.iter().map(String::len).sum();
    if total <= MAX_WARNINGS_BYTES {
        return lines;
    }
    let n = lines.len();
    let mut kept = 0;
    let mut used = 0;
    for (i, l) in lines.iter().enumerate() {
        let rest = format!("… and {} more", n - i - 1);
        if used + l.len() + rest.len() > MAX_WARNINGS_BYTES {
            break;
        }
        used += l.len();
        kept = i + 1;
    }
    let mut out: Vec<String> = lines.into_iter().take(kept).collect();
    out.push(format!("… and {} more", n - kept));
    out
}

/// The denial message kubectl shows: which object, why, and the findings
/// (rule, container, field path), briefly.
fn denial_message(object: &ObjectRef, req: &AdmissionRequest, denying: &[&Finding]) -> String {
    let what = if object.kind.is_empty() {
        req.kind.kind.as_str()
    } else {
        &object.kind
    };
    let name = if object.name.is_empty() {
        req.display_name()
    } else {
        &object.name
    };
    let n = denying.len();
    let dangers = denying
        .iter()
        .filter(|f| f.severity == Severity::Danger)
        .count();
    let plural = |k: usize| if k == 1 { "" } else { "s" };
    let counted = match (dangers, n - dangers) {
        (d, 0) => format!("{d} danger finding{}", plural(d)),
        (0, w) => format!("{w} warning finding{}", plural(w)),
        (d, w) => format!("{d} danger and {w} warning findings"),
    };
    let mut msg = format!(
        "eyelint: {what} {name} has {counted}{}:",
        if req.operation == Operation::Update {
            " the previous version did not have"
        } else {
            ""
        }
    );
    for f in denying.iter().take(MAX_DENIAL_LINES) {
        let path = f.path.to_string();
        let _ = write!(
            msg,
            "\n- {}{}: {}{}",
            f.id,
            container_suffix(f),
            sanitize_line(&f.message),
            if path.is_empty() {
                String::new()
            } else {
                format!(" ({path})")
            }
        );
    }
    if n > MAX_DENIAL_LINES {
        let _ = write!(msg, "\n- … and {} more", n - MAX_DENIAL_LINES);
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_exact_and_prefix() {
        let ids = vec![
            "system:kube-controller-manager".to_string(),
            "system:serviceaccount:kube-system:*".to_string(),
        ];
        assert!(identity_matches("system:kube-controller-manager", &ids));
        assert!(identity_matches(
            "system:serviceaccount:kube-system:replicaset-controller",
            &ids
        ));
        assert!(!identity_matches("system:kube-controller-manager-x", &ids));
        assert!(!identity_matches("system:serviceaccount:default:ci", &ids));
        assert!(!identity_matches("", &ids));
    }

    #[test]
    fn truncation_counts_characters() {
        let s = "é".repeat(130);
        let t = truncate_chars(&s, 120);
        assert_eq!(t.chars().count(), 120);
        assert!(t.ends_with('…'));
        assert_eq!(truncate_chars("short", 120), "short");
    }

    #[test]
    fn warnings_budget_keeps_first_and_counts_the_rest() {
        let lines: Vec<String> = (0..100)
            .map(|i| format!("{i:03} {}", "x".repeat(110)))
            .collect();
        let out = limit_warnings(lines);
        let total: usize = out.iter().map(String::len).sum();
        assert!(total <= MAX_WARNINGS_BYTES, "{total}");
        let last = out.last().unwrap();
        let kept = out.len() - 1;
        assert_eq!(last, &format!("… and {} more", 100 - kept));
        assert!(out[0].starts_with("000 "));
        assert!(out.iter().all(|l| l.chars().count() <= MAX_WARNING_CHARS));
    }

    #[test]
    fn control_characters_are_blanked() {
        assert_eq!(sanitize_line("a\nb\tc"), "a b c");
    }
}
