//! Workloads for the policy engine: controllers found in the source, and
//! pods rolled up to their top-level owner through `ownerReferences`, so a
//! Deployment's 50 pods are judged once, under the Deployment.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use eyelint_policies::{Coverage, Engine, Evaluation, Pass};
use serde_json::Value;

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
    /// The object judged (a controller, a standalone pod, or a pod standing in
    /// for an owner the source does not hold).
    pub object: Kept,
    /// Reported as (apiVersion, kind, namespace, name).
    pub report_as: (String, String, String, String),
    /// Pods rolled up into it.
    pub pods: usize,
    /// The pod judged in place of an owner the source does not hold.
    pub stand_in: Option<String>,
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
        let mut object = s.object.value();
        if s.stand_in.is_some() {
            // A pod judged in place of its owner is judged under the
            // owner's name: what it is reported as, what the owner's
            // `app.kubernetes.io/instance` label names, and what exemptions
            // by controller name match.
            let owner = &s.report_as.3;
            if let Some(m) = object
                .to_mut()
                .get_mut("metadata")
                .and_then(Value::as_object_mut)
            {
                m.insert("name".to_string(), Value::String(owner.clone()));
            }
        }
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
}
