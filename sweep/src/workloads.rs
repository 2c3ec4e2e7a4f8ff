//! Workloads for the policy engine: controllers found in the source, and
//! pods rolled up to their top-level owner through `ownerReferences`, so a
//! Deployment's 50 pods are judged once, under the Deployment.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use eyelint_policies::{Coverage, Engine, Evaluation, Pass};
use serde_json::{json, Map, Value};

use crate::checks::Section;
use crate::lite;
use crate::report::{EngineTally, Findings, SweepFinding};

/// (namespace, kind, name).
pub type Key = (String, String, String);

/// The controlling owner of an object (its `ownerReferences` entry with
/// `controller: true`, else the first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    /// Owner kind.
    pub kind: String,
    /// Owner name.
    pub name: String,
    /// Owner apiVersion.
    pub api_version: String,
}

/// Kinds whose controllers create and manage pods (or the objects that do).
const POD_MANAGERS: &[&str] = &[
    "ReplicaSet",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicationController",
];

impl Owner {
    /// The controlling owner among `ownerReferences`, if it names a kind and
    /// a name: the reference marked `controller: true`, else (objects written
    /// without the mark) one to a kind that manages pods. Any other owner (a
    /// ConfigMap, for garbage collection) does not make the pod part of a
    /// workload: it is judged as itself.
    pub fn of_refs(refs: &lite::List<lite::Obj<lite::OwnerRef<'_>>>) -> Option<Owner> {
        let r = refs
            .0
            .iter()
            .find(|r| r.get().is_some_and(|o| o.controller.0 == Some(true)))
            .or_else(|| {
                refs.0.iter().find(|r| {
                    r.get().is_some_and(|o| {
                        o.controller.0.is_none() && POD_MANAGERS.contains(&o.kind.get())
                    })
                })
            })?
            .get();
        let o = Owner {
            kind: r.map_or("", |o| o.kind.get()).to_string(),
            name: r.map_or("", |o| o.name.get()).to_string(),
            api_version: r.map_or("", |o| o.api_version.get()).to_string(),
        };
        // A static pod's mirror is owned by its Node (the kubelet sets
        // that): no controller made it, so it is judged as itself.
        let mirror = o.kind == "Node" && matches!(o.api_version.as_str(), "v1" | "");
        (!o.kind.is_empty() && !o.name.is_empty() && !mirror).then_some(o)
    }
}

fn controller_owner(v: &Value) -> Option<Owner> {
    Owner::of_refs(&lite::Item::of(v).meta().owner_references)
}

/// Drops what no check reads from an object that is kept until the end
/// (`metadata.managedFields`: often half of a pod's size).
fn prune(v: &mut Value) {
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.shift_remove("managedFields");
    }
}

/// A Job whose `Complete` condition is true: it succeeded, whatever
/// pods of it failed before.
fn job_complete(v: &Value) -> bool {
    v.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter().any(|c| {
                c.get("type").and_then(Value::as_str) == Some("Complete")
                    && c.get("status").and_then(Value::as_str) == Some("True")
            })
        })
}

fn key_of(v: &Value) -> Key {
    let s = |p: &str| {
        v.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    (s("/metadata/namespace"), s("/kind"), s("/metadata/name"))
}

/// An object kept until the engine judges it. Pods kept for their owners
/// (one per owner, thousands in a large cluster) are stored as compact
/// JSON, a fraction of a `Value`'s size, and parsed again when judged.
#[derive(Clone, Debug)]
pub struct Kept {
    kind: String,
    repr: Repr,
}

#[derive(Clone, Debug)]
enum Repr {
    Value(Box<Value>),
    Json(Box<str>),
}

/// Nesting deeper than this stays a `Value` (parsing JSON back has a depth limit).
const MAX_COMPACT_DEPTH: usize = 100;

fn depth_over(v: &Value, limit: usize) -> bool {
    if limit == 0 {
        return true;
    }
    match v {
        Value::Array(a) => a.iter().any(|x| depth_over(x, limit - 1)),
        Value::Object(m) => m.values().any(|x| depth_over(x, limit - 1)),
        _ => false,
    }
}

impl Kept {
    /// Keeps `v` as a value.
    pub fn value_of(v: Value) -> Kept {
        Kept {
            kind: v
                .get("kind")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            repr: Repr::Value(Box::new(v)),
        }
    }

    /// Keeps `v` as compact JSON (as a value when it is nested too deep to
    /// be parsed back).
    pub fn compact(v: Value) -> Kept {
        if depth_over(&v, MAX_COMPACT_DEPTH) {
            return Kept::value_of(v);
        }
        match serde_json::to_string(&v) {
            Ok(json) => Kept {
                kind: v
                    .get("kind")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                repr: Repr::Json(json.into_boxed_str()),
            },
            Err(_) => Kept::value_of(v),
        }
    }

    /// The object's `kind`.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// The object.
    pub fn value(&self) -> std::borrow::Cow<'_, Value> {
        match &self.repr {
            Repr::Value(v) => std::borrow::Cow::Borrowed(v),
            // Written by `compact` from a value of bounded depth: it parses back.
            Repr::Json(j) => {
                std::borrow::Cow::Owned(serde_json::from_str(j).unwrap_or(Value::Null))
            }
        }
    }
}

/// A pod kept for the engine, with what `subjects` reads of it.
#[derive(Debug)]
struct KeptPod {
    object: Kept,
    namespace: String,
    name: String,
    api_version: String,
    template_hash: String,
}

impl KeptPod {
    fn new(mut v: Value) -> KeptPod {
        prune(&mut v);
        let s = |p: &str| {
            v.pointer(p)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let (namespace, name, template_hash) = (
            s("/metadata/namespace"),
            s("/metadata/name"),
            s("/metadata/labels/pod-template-hash"),
        );
        let api_version = v
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("v1")
            .to_string();
        KeptPod {
            object: Kept::compact(v),
            namespace,
            name,
            api_version,
            template_hash,
        }
    }
}

#[derive(Debug)]
struct PodGroup {
    first: KeptPod,
    owner: Owner,
    count: usize,
}

/// Controllers and pods, grouped by owner.
#[derive(Debug, Default)]
pub struct Workloads {
    controllers: BTreeMap<Key, Value>,
    owner_of: HashMap<Key, Owner>,
    pod_groups: BTreeMap<Key, PodGroup>,
    standalone: Vec<KeptPod>,
    /// Jobs the source shows complete: (namespace, name).
    complete_jobs: std::collections::BTreeSet<(String, String)>,
}

/// One object the engine judges, and the object its findings are reported under.
#[derive(Debug)]
pub struct Subject {
    /// The object kept for judging: a controller, a standalone pod, or a pod
    /// standing in for an owner the source does not hold (which
    /// [`Subject::judged`] turns into what the engine sees).
    pub object: Kept,
    /// Reported as (apiVersion, kind, namespace, name).
    pub report_as: (String, String, String, String),
    /// Pods rolled up into it.
    pub pods: usize,
    /// The pod judged in place of an owner the source does not hold.
    pub stand_in: Option<String>,
}

/// How a built-in controller holds its pod template, for rebuilding one
/// from a pod.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OwnerShape {
    /// `spec.replicas`, `spec.selector` (a label selector), `spec.template`:
    /// Deployment, StatefulSet, ReplicaSet.
    Scaled,
    /// The same with a ReplicationController's selector, a plain map of labels.
    ScaledPlainSelector,
    /// `spec.selector` and `spec.template`, no replicas: DaemonSet, Job.
    Unscaled,
    /// `spec.jobTemplate.spec.template`: CronJob.
    CronJob,
}

/// The shape of `kind` when it is a controller Kubernetes itself serves in
/// the API group of `api_version`; `None` for any other owner (a custom
/// resource, even one that borrows a built-in kind's name).
fn builtin_owner(kind: &str, api_version: &str) -> Option<OwnerShape> {
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    match (kind, group) {
        ("Deployment" | "StatefulSet" | "ReplicaSet", "apps" | "extensions") => {
            Some(OwnerShape::Scaled)
        }
        ("DaemonSet", "apps" | "extensions") | ("Job", "batch") => Some(OwnerShape::Unscaled),
        ("ReplicationController", "") => Some(OwnerShape::ScaledPlainSelector),
        ("CronJob", "batch") => Some(OwnerShape::CronJob),
        _ => None,
    }
}

/// The labels the controllers of an owner of `kind` put on each pod they
/// make that the owner's own pod template does not hold (the controller's
/// revision, the pod's ordinal or completion index). A Job keeps `job-name`
/// and `controller-uid` (in both spellings): the API server writes those
/// into the Job's own template when it generates the Job's selector. A
/// CronJob's template holds none of them: each Job it starts gets its own.
fn labels_added_to_pods(kind: &str) -> &'static [&'static str] {
    match kind {
        "Deployment" => &["pod-template-hash"],
        "StatefulSet" => &[
            "controller-revision-hash",
            "statefulset.kubernetes.io/pod-name",
            "apps.kubernetes.io/pod-index",
        ],
        "DaemonSet" => &["controller-revision-hash", "pod-template-generation"],
        "Job" => &["batch.kubernetes.io/job-completion-index"],
        "CronJob" => &[
            "controller-uid",
            "batch.kubernetes.io/controller-uid",
            "job-name",
            "batch.kubernetes.io/job-name",
            "batch.kubernetes.io/job-completion-index",
        ],
        _ => &[],
    }
}

/// The owner a stand-in pod stands for, rebuilt from the pod: named
/// `name` in the pod's namespace, its pod template made of the pod's
/// labels (less those of [`labels_added_to_pods`]) and annotations (so
/// annotation exemptions hold as they did on the pod) and the pod's spec,
/// selecting those labels. `replicas` is the number of pods the source
/// shows for the owner: the scale observed, not the one the owner asks for,
/// which the source does not hold. Metadata the owner's controller alone
/// would know (its own annotations, its uid) is left out.
fn rebuild_owner(
    mut pod: Value,
    shape: OwnerShape,
    api_version: &str,
    kind: &str,
    name: &str,
    replicas: usize,
) -> Value {
    let mut take = |field: &str| {
        pod.get_mut("metadata")
            .and_then(Value::as_object_mut)
            .and_then(|m| m.shift_remove(field))
    };
    let namespace = take("namespace").filter(Value::is_string);
    let labels = take("labels").and_then(|l| match l {
        Value::Object(mut m) => {
            for k in labels_added_to_pods(kind) {
                m.shift_remove(*k);
            }
            Some(m)
        }
        _ => None,
    });
    let annotations = take("annotations").filter(Value::is_object);
    let mut template_meta = Map::new();
    if let Some(l) = &labels {
        template_meta.insert("labels".to_string(), Value::Object(l.clone()));
    }
    if let Some(a) = annotations {
        template_meta.insert("annotations".to_string(), a);
    }
    let mut template = Map::new();
    template.insert("metadata".to_string(), Value::Object(template_meta));
    // A pod without a spec gives a template without one, judged as little
    // as the pod was.
    if let Some(spec) = pod.as_object_mut().and_then(|p| p.shift_remove("spec")) {
        template.insert("spec".to_string(), spec);
    }
    let template = Value::Object(template);
    let selected = labels.clone().unwrap_or_default();
    let spec = match shape {
        OwnerShape::Scaled => json!({
            "replicas": replicas,
            "selector": {"matchLabels": selected},
            "template": template,
        }),
        OwnerShape::ScaledPlainSelector => json!({
            "replicas": replicas,
            "selector": selected,
            "template": template,
        }),
        OwnerShape::Unscaled => json!({
            "selector": {"matchLabels": selected},
            "template": template,
        }),
        OwnerShape::CronJob => json!({"jobTemplate": {"spec": {"template": template}}}),
    };
    let mut meta = Map::new();
    meta.insert("name".to_string(), Value::String(name.to_string()));
    if let Some(ns) = namespace {
        meta.insert("namespace".to_string(), ns);
    }
    if let Some(l) = labels {
        meta.insert("labels".to_string(), Value::Object(l));
    }
    json!({"apiVersion": api_version, "kind": kind, "metadata": meta, "spec": spec})
}

impl Subject {
    /// What the engine judges for this subject. A controller or a
    /// standalone pod is judged as kept. A pod standing in for an owner of
    /// a built-in controller kind is judged as that owner, rebuilt from the
    /// pod ([`rebuild_owner`]): the rules that judge only some kinds
    /// (disruption budgets of Deployments and StatefulSets, replicas of
    /// Deployments, spreading of anything but DaemonSets) then see the
    /// kind the findings are reported under. A pod standing in for any
    /// other owner (a custom resource) is judged as the pod, under the
    /// owner's name: what it is reported as, what the owner's
    /// `app.kubernetes.io/instance` label names, and what exemptions by
    /// controller name match.
    pub fn judged(&self) -> std::borrow::Cow<'_, Value> {
        let object = self.object.value();
        if self.stand_in.is_none() {
            return object;
        }
        let (api, kind, _, name) = &self.report_as;
        if let Some(shape) = builtin_owner(kind, api) {
            let owner = rebuild_owner(object.into_owned(), shape, api, kind, name, self.pods);
            return std::borrow::Cow::Owned(owner);
        }
        let mut object = object;
        if let Some(m) = object
            .to_mut()
            .get_mut("metadata")
            .and_then(Value::as_object_mut)
        {
            m.insert("name".to_string(), Value::String(name.clone()));
        }
        object
    }
}

impl Workloads {
    /// Takes a controller (any object with a pod template, or a ReplicaSet/Job).
    pub fn controller(&mut self, v: Value) {
        let key = key_of(&v);
        if key.1 == "Job" && job_complete(&v) {
            self.complete_jobs.insert((key.0.clone(), key.2.clone()));
        }
        if let Some(owner) = controller_owner(&v) {
            // Judged under its owner; only the link is kept.
            self.owner_of.insert(key, owner);
            return;
        }
        if eyelint_policies::Workload::of(&v).is_some() {
            self.controllers.insert(key, v);
        }
    }

    /// Takes a pod.
    pub fn pod(&mut self, v: Value) {
        let ns = v
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let owner = controller_owner(&v);
        let kept: Result<(), std::convert::Infallible> = self.pod_with(&ns, owner, || Ok(v));
        let Ok(()) = kept;
    }

    /// Takes a pod of namespace `ns` with its controlling owner; `full`
    /// gives the whole pod and is called only when the pod is kept (the
    /// first pod of an owner, or a pod without owner).
    pub fn pod_with<E>(
        &mut self,
        ns: &str,
        owner: Option<Owner>,
        full: impl FnOnce() -> Result<Value, E>,
    ) -> Result<(), E> {
        let Some(owner) = owner else {
            self.standalone.push(KeptPod::new(full()?));
            return Ok(());
        };
        let key = (ns.to_string(), owner.kind.clone(), owner.name.clone());
        if let Some(g) = self.pod_groups.get_mut(&key) {
            g.count += 1;
            return Ok(());
        }
        let first = KeptPod::new(full()?);
        self.pod_groups.insert(
            key,
            PodGroup {
                first,
                owner,
                count: 1,
            },
        );
        Ok(())
    }

    fn top(owner_of: &HashMap<Key, Owner>, key: &Key, owner: &Owner) -> (Key, String) {
        let mut key = key.clone();
        let mut api = owner.api_version.clone();
        for _ in 0..8 {
            match owner_of.get(&key) {
                Some(o) => {
                    api = o.api_version.clone();
                    key = (key.0.clone(), o.kind.clone(), o.name.clone());
                }
                None => break,
            }
        }
        (key, api)
    }

    /// Whether the source shows Job `name` of `namespace` complete.
    pub fn job_complete(&self, namespace: &str, name: &str) -> bool {
        self.complete_jobs
            .contains(&(namespace.to_string(), name.to_string()))
    }

    /// The objects to judge.
    pub fn subjects(self) -> Vec<Subject> {
        let Workloads {
            controllers,
            owner_of,
            pod_groups,
            standalone,
            complete_jobs: _,
        } = self;
        let mut pods_under: BTreeMap<Key, usize> = BTreeMap::new();
        let mut stand_ins: BTreeMap<Key, (KeptPod, String, usize)> = BTreeMap::new();
        // Consumed: the kept pods move into the subjects, never copied.
        for (key, g) in pod_groups {
            let (mut top, mut api) = Self::top(&owner_of, &key, &g.owner);
            if !controllers.contains_key(&top) && top.1 == "ReplicaSet" {
                // A ReplicaSet the source does not hold: the Deployment
                // controller names it `<deployment>-<pod-template-hash>`.
                let hash = g.first.template_hash.as_str();
                if let Some(dep) = top
                    .2
                    .strip_suffix(&format!("-{hash}"))
                    .filter(|_| !hash.is_empty())
                {
                    top = (top.0.clone(), "Deployment".to_string(), dep.to_string());
                    api = "apps/v1".to_string();
                }
            }
            if controllers.contains_key(&top) {
                *pods_under.entry(top).or_default() += g.count;
            } else {
                match stand_ins.entry(top) {
                    std::collections::btree_map::Entry::Occupied(mut e) => e.get_mut().2 += g.count,
                    std::collections::btree_map::Entry::Vacant(e) => {
                        e.insert((g.first, api, g.count));
                    }
                }
            }
        }
        let mut out = Vec::new();
        for (key, v) in controllers {
            let api = v
                .get("apiVersion")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            out.push(Subject {
                pods: pods_under.get(&key).copied().unwrap_or(0),
                report_as: (api, key.1, key.0, key.2),
                object: Kept::value_of(v),
                stand_in: None,
            });
        }
        for (key, (pod, api, count)) in stand_ins {
            out.push(Subject {
                object: pod.object,
                report_as: (api, key.1, key.0, key.2),
                pods: count,
                stand_in: Some(pod.name),
            });
        }
        for pod in standalone {
            let kind = pod.object.kind().to_string();
            out.push(Subject {
                report_as: (pod.api_version, kind, pod.namespace, pod.name),
                object: pod.object,
                pods: 1,
                stand_in: None,
            });
        }
        out
    }
}

/// Result of judging the workloads.
#[derive(Debug, Default)]
pub struct Judged {
    /// Subjects judged, checks passed, exempted and not evaluated.
    pub tally: EngineTally,
    /// Notes (checks not evaluated).
    pub notes: Vec<String>,
}

/// Runs the engine over the subjects, with an index of the kinds the source holds.
pub fn judge(
    engine: &Engine,
    subjects: Vec<Subject>,
    index_objects: &[Value],
    kinds: &BTreeSet<String>,
    out: &mut Findings<'_>,
) -> Judged {
    let mut index = engine.new_index(Coverage::Kinds(kinds.clone()));
    for o in index_objects {
        index.add(o);
    }
    for s in &subjects {
        // Only the kinds the index stores are parsed for it.
        if index.wants(s.object.kind()) {
            index.add(&s.object.value());
        }
    }
    let mut judged = Judged::default();
    judged.tally.subjects = subjects.len();
    let mut not_evaluated: BTreeMap<(String, String), usize> = BTreeMap::new();
    for s in &subjects {
        // One subject's object at a time: a stand-in's owner is rebuilt
        // here and dropped after it is judged.
        let object = s.judged();
        let eval: Evaluation = engine.check(&object, Some(&index), Pass::All);
        judged.tally.passed += eval.passed;
        judged.tally.exempted += eval.exempted;
        judged.tally.not_evaluated += eval.not_evaluated.len();
        for ne in eval.not_evaluated {
            *not_evaluated
                .entry((ne.id.to_string(), ne.reason))
                .or_default() += 1;
        }
        let (api, kind, ns, name) = &s.report_as;
        let _ = api;
        for f in eval.findings {
            let mut message = f.message.into_owned();
            if let Some(pod) = &s.stand_in {
                message.push_str(&format!(" (seen in pod {pod})"));
            }
            let mut sf = SweepFinding::new(&f.id, Section::Workloads, kind, ns, name, message)
                .severity(f.severity);
            sf.category = f.category.to_string();
            sf.container = f.container.map(|c| c.name.to_string());
            let path = f.path.to_string();
            sf.path = (!path.is_empty()).then_some(path);
            if s.pods > 0 {
                sf.count = Some(s.pods as u64);
            }
            out.push_engine(sf);
        }
    }
    for ((id, reason), n) in not_evaluated {
        judged.notes.push(format!(
            "workload check {id} not evaluated for {n} workload(s): {reason}"
        ));
    }
    judged
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str, owner: Option<(&str, &str)>, hash: &str) -> Value {
        let mut p = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "ns", "labels": {"pod-template-hash": hash}},
            "spec": {"containers": [{"name": "c", "image": "x:1"}]}});
        if let Some((k, n)) = owner {
            p["metadata"]["ownerReferences"] =
                json!([{"apiVersion": "apps/v1", "kind": k, "name": n, "controller": true}]);
        }
        p
    }

    #[test]
    fn kept_objects_read_back_unchanged() {
        let p = pod("web-abc-1", Some(("ReplicaSet", "web-abc")), "abc");
        let kept = Kept::compact(p.clone());
        assert!(matches!(kept.repr, Repr::Json(_)));
        assert_eq!(kept.kind(), "Pod");
        assert_eq!(*kept.value(), p);
        // Too deep to parse back: kept as a value.
        let mut deep = json!("leaf");
        for _ in 0..150 {
            deep = json!([deep]);
        }
        let v = json!({"kind": "Pod", "spec": deep});
        let kept = Kept::compact(v.clone());
        assert!(matches!(kept.repr, Repr::Value(_)));
        assert_eq!(*kept.value(), v);
        // What is kept of a pod leaves managedFields out.
        let mut with_mf = p.clone();
        with_mf["metadata"]["managedFields"] = json!([{"manager": "kubelet"}]);
        let kp = KeptPod::new(with_mf);
        assert_eq!(*kp.object.value(), p);
        assert_eq!(
            (
                kp.name.as_str(),
                kp.template_hash.as_str(),
                kp.api_version.as_str()
            ),
            ("web-abc-1", "abc", "v1")
        );
    }

    #[test]
    fn pods_roll_up_to_their_top_owner() {
        let mut w = Workloads::default();
        w.controller(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "ns"},
            "spec": {"template": {"spec": {"containers": [{"name": "c"}]}}}}));
        w.controller(json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": "web-abc", "namespace": "ns",
              "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "controller": true}]},
            "spec": {"template": {"spec": {"containers": [{"name": "c"}]}}}}));
        for i in 0..3 {
            w.pod(pod(
                &format!("web-abc-{i}"),
                Some(("ReplicaSet", "web-abc")),
                "abc",
            ));
        }
        // Owner not in the source: the ReplicaSet name gives the Deployment.
        w.pod(pod("api-def-1", Some(("ReplicaSet", "api-def")), "def"));
        w.pod(pod("db-0", Some(("StatefulSet", "db")), ""));
        w.pod(pod("loner", None, ""));
        // Static pods' mirrors, owned by their node, stand for themselves.
        for name in ["etcd-cp-1", "kube-apiserver-cp-1"] {
            let mut p = pod(name, None, "");
            p["metadata"]["ownerReferences"] =
                json!([{"apiVersion": "v1", "kind": "Node", "name": "cp-1", "controller": true}]);
            w.pod(p);
        }
        let subjects = w.subjects();
        let names: Vec<_> = subjects
            .iter()
            .map(|s| {
                (
                    s.report_as.1.as_str(),
                    s.report_as.3.as_str(),
                    s.pods,
                    s.stand_in.is_some(),
                )
            })
            .collect();
        assert_eq!(
            names,
            vec![
                ("Deployment", "web", 3, false),
                ("Deployment", "api", 1, true),
                ("StatefulSet", "db", 1, true),
                ("Pod", "loner", 1, false),
                ("Pod", "etcd-cp-1", 1, false),
                ("Pod", "kube-apiserver-cp-1", 1, false),
            ]
        );
    }

    fn stand_in(pod: Value, (api, kind, name): (&str, &str, &str), pods: usize) -> Subject {
        let pod_name = pod["metadata"]["name"].as_str().unwrap_or("").to_string();
        Subject {
            object: Kept::compact(pod),
            report_as: (api.into(), kind.into(), "ns".into(), name.into()),
            pods,
            stand_in: Some(pod_name),
        }
    }

    #[test]
    fn a_stand_in_for_a_built_in_controller_is_judged_as_that_controller() {
        let mut p = pod("db-0", Some(("StatefulSet", "db")), "");
        p["metadata"]["labels"] = json!({"app": "db", "controller-revision-hash": "db-7c9",
            "statefulset.kubernetes.io/pod-name": "db-0", "apps.kubernetes.io/pod-index": "0"});
        p["metadata"]["annotations"] = json!({"eyelint.io/exempt": "cpuLimitsMissing"});
        p["metadata"]["managedFields"] = json!([{"manager": "kubelet"}]);
        p["status"] = json!({"phase": "Running"});
        let s = stand_in(p, ("apps/v1", "StatefulSet", "db"), 2);
        assert_eq!(
            *s.judged(),
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
                "metadata": {"name": "db", "namespace": "ns", "labels": {"app": "db"}},
                "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "db"}},
                    "template": {
                        "metadata": {"labels": {"app": "db"},
                            "annotations": {"eyelint.io/exempt": "cpuLimitsMissing"}},
                        "spec": {"containers": [{"name": "c", "image": "x:1"}]}}}})
        );

        // A Deployment found through `pod-template-hash`: the hash is the
        // ReplicaSet's, not part of the Deployment's template.
        let s = stand_in(
            pod("web-abc-1", Some(("ReplicaSet", "web-abc")), "abc"),
            ("apps/v1", "Deployment", "web"),
            3,
        );
        let d = s.judged();
        assert_eq!(d["spec"]["replicas"], 3);
        assert_eq!(d["spec"]["template"]["metadata"]["labels"], json!({}));
        assert_eq!(d["metadata"]["labels"], json!({}));

        // No replicas for a DaemonSet; a ReplicationController's selector
        // is a plain map.
        let mut p = pod("agent-x", Some(("DaemonSet", "agent")), "");
        p["metadata"]["labels"] = json!({"app": "agent",
            "controller-revision-hash": "5f", "pod-template-generation": "3"});
        let d = stand_in(p, ("apps/v1", "DaemonSet", "agent"), 4)
            .judged()
            .into_owned();
        assert_eq!(
            d["spec"],
            json!({"selector": {"matchLabels": {"app": "agent"}},
                "template": {"metadata": {"labels": {"app": "agent"}},
                    "spec": {"containers": [{"name": "c", "image": "x:1"}]}}})
        );
        let mut p = pod("old-x1", Some(("ReplicationController", "old")), "");
        p["metadata"]["labels"] = json!({"app": "old"});
        let d = stand_in(p, ("v1", "ReplicationController", "old"), 1)
            .judged()
            .into_owned();
        assert_eq!(d["spec"]["selector"], json!({"app": "old"}));
        assert_eq!(d["spec"]["replicas"], 1);

        // A Job keeps the labels the API server writes into its own
        // template; a CronJob keeps none of a Job's, and holds its template
        // under `jobTemplate`.
        let job_labels = json!({"app": "backup", "job-name": "backup-1",
            "batch.kubernetes.io/job-name": "backup-1", "controller-uid": "u",
            "batch.kubernetes.io/controller-uid": "u",
            "batch.kubernetes.io/job-completion-index": "0"});
        let mut p = pod("backup-1-x", Some(("Job", "backup-1")), "");
        p["metadata"]["labels"] = job_labels.clone();
        let d = stand_in(p.clone(), ("batch/v1", "Job", "backup-1"), 1)
            .judged()
            .into_owned();
        let mut kept = job_labels.clone();
        kept.as_object_mut()
            .map(|m| m.shift_remove("batch.kubernetes.io/job-completion-index"));
        assert_eq!(d["spec"]["template"]["metadata"]["labels"], kept);
        assert_eq!(d["spec"].get("replicas"), None);
        let d = stand_in(p, ("batch/v1", "CronJob", "backup"), 1)
            .judged()
            .into_owned();
        assert_eq!(
            d["spec"],
            json!({"jobTemplate": {"spec": {"template": {
                "metadata": {"labels": {"app": "backup"}},
                "spec": {"containers": [{"name": "c", "image": "x:1"}]}}}}})
        );
        assert!(eyelint_policies::Workload::of(&d).is_some_and(|w| w.is_job()));

        // A pod without a spec: no template spec, so no workload either.
        let mut p = pod("bare-0", Some(("StatefulSet", "bare")), "");
        p.as_object_mut().map(|m| m.shift_remove("spec"));
        let d = stand_in(p, ("apps/v1", "StatefulSet", "bare"), 1)
            .judged()
            .into_owned();
        assert_eq!(d["spec"]["template"].get("spec"), None);
        assert!(eyelint_policies::Workload::of(&d).is_none());
    }

    #[test]
    fn a_stand_in_for_any_other_owner_is_the_pod_under_the_owners_name() {
        for (api, kind) in [
            ("argoproj.io/v1alpha1", "Rollout"),
            // A custom resource that borrows a built-in kind's name.
            ("example.com/v1", "Deployment"),
        ] {
            let p = pod("r-abc-1", Some((kind, "r")), "abc");
            let mut want = p.clone();
            want["metadata"]["name"] = json!("r");
            assert_eq!(*stand_in(p, (api, kind, "r"), 1).judged(), want, "{kind}");
        }
        // Controllers and standalone pods are judged as kept.
        let p = pod("loner", None, "");
        let s = Subject {
            object: Kept::compact(p.clone()),
            report_as: ("v1".into(), "Pod".into(), "ns".into(), "loner".into()),
            pods: 1,
            stand_in: None,
        };
        assert_eq!(*s.judged(), p);
    }

    /// Findings of `subjects` judged with the default engine, against an
    /// index of `others` covering every kind: (kind, name, rule, path).
    fn judged(subjects: Vec<Subject>, others: &[Value]) -> Vec<(String, String, String, String)> {
        let engine = Engine::with_defaults().unwrap_or_else(|e| panic!("{e}"));
        judged_by(&engine, subjects, others)
    }

    fn judged_by(
        engine: &Engine,
        subjects: Vec<Subject>,
        others: &[Value],
    ) -> Vec<(String, String, String, String)> {
        let kinds: BTreeSet<String> = [
            "Pod",
            "PodDisruptionBudget",
            "HorizontalPodAutoscaler",
            "NetworkPolicy",
            "ServiceAccount",
        ]
        .map(String::from)
        .into();
        let cfg = crate::SweepConfig::default();
        let mut out = Findings::new(&cfg);
        judge(engine, subjects, others, &kinds, &mut out);
        out.finish()
            .into_iter()
            .map(|f| (f.kind, f.name, f.id, f.path.unwrap_or_default()))
            .collect()
    }

    #[test]
    fn rules_limited_to_controller_kinds_judge_stand_ins() {
        let mut w = Workloads::default();
        let mut db = pod("db-0", Some(("StatefulSet", "db")), "");
        db["metadata"]["labels"] = json!({"app": "db", "controller-revision-hash": "1"});
        w.pod(db);
        let mut agent = pod("agent-x", Some(("DaemonSet", "agent")), "");
        agent["metadata"]["labels"] = json!({"app": "agent"});
        w.pod(agent);
        w.pod(pod("one-abc-1", Some(("ReplicaSet", "one-abc")), "abc"));
        for i in 0..3 {
            w.pod(pod(
                &format!("three-def-{i}"),
                Some(("ReplicaSet", "three-def")),
                "def",
            ));
        }
        // The budget selects agent's pods only.
        let pdb = json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": "agent", "namespace": "ns"},
            "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "agent"}}}});
        let found = judged(w.subjects(), &[pdb]);
        let has = |kind: &str, name: &str, rule: &str| {
            found
                .iter()
                .any(|f| f.0 == kind && f.1 == name && f.2 == rule)
        };
        assert!(has("StatefulSet", "db", "missingPodDisruptionBudget"));
        assert!(has("Deployment", "one", "missingPodDisruptionBudget"));
        assert!(has("StatefulSet", "db", "topologySpreadConstraint"));
        assert!(!has("DaemonSet", "agent", "topologySpreadConstraint"));
        assert!(!has("DaemonSet", "agent", "missingPodDisruptionBudget"));
        // Replicas are the pods seen.
        assert!(has("Deployment", "one", "deploymentMissingReplicas"));
        assert!(!has("Deployment", "three", "deploymentMissingReplicas"));
        // Findings point into the owner's template.
        assert!(found.iter().any(|f| f.1 == "db"
            && f.2 == "cpuLimitsMissing"
            && f.3 == "spec.template.spec.containers[0]"));
    }

    /// Configured exemptions by controller name match the owner's name, and
    /// custom checks limited to some controller kinds see the owner's kind.
    #[test]
    fn configuration_sees_the_owner() {
        let config = eyelint_policies::Config::from_user_value(json!({
            "checks": {"noDbImages": "danger"},
            "customChecks": {"noDbImages": {
                "successMessage": "ok", "failureMessage": "db images are not allowed",
                "category": "Reliability", "target": "Container",
                "controllers": {"include": ["StatefulSet"]},
                "schema": {"properties": {"image": {"not": {"pattern": "^x"}}}}}},
            "exemptions": [{"controllerNames": ["api"], "rules": ["cpuLimitsMissing"]}]
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        let engine = Engine::new(config).unwrap_or_else(|e| panic!("{e}"));
        let mut w = Workloads::default();
        w.pod(pod("db-0", Some(("StatefulSet", "db")), ""));
        w.pod(pod("api-0", Some(("StatefulSet", "api")), ""));
        w.pod(pod("web-abc-1", Some(("ReplicaSet", "web-abc")), "abc"));
        let found = judged_by(&engine, w.subjects(), &[]);
        let who = |rule: &str| {
            let mut v: Vec<_> = found
                .iter()
                .filter(|f| f.2 == rule)
                .map(|f| f.1.as_str())
                .collect();
            v.sort_unstable();
            v
        };
        assert_eq!(who("noDbImages"), ["api", "db"]);
        assert_eq!(who("cpuLimitsMissing"), ["db", "web"]);
    }
}
