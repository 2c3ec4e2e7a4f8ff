//! The object model: any Kubernetes object as parsed JSON, and the views the
//! rules need (pod-bearing workloads, containers and their roles).
//!
//! Objects stay `serde_json::Value`s so no unknown field is ever dropped.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::path::FieldPath;

/// Which object a finding is about.
///
/// The strings are shared: every finding of an object (and its report
/// entry) holds the same ones, so a finding costs no copy of them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ObjectRef {
    /// `apiVersion`, e.g. `apps/v1`.
    #[serde(rename = "apiVersion")]
    pub api_version: Arc<str>,
    /// `kind`, e.g. `Deployment`.
    pub kind: Arc<str>,
    /// `metadata.namespace`; empty when unset or cluster-scoped.
    pub namespace: Arc<str>,
    /// `metadata.name` (or `generateName` when only that is set).
    pub name: Arc<str>,
}

impl ObjectRef {
    /// Reads the reference of `obj`. Missing fields read as empty strings.
    pub fn of(obj: &Value) -> ObjectRef {
        let s =
            |v: Option<&Value>| -> Arc<str> { Arc::from(v.and_then(Value::as_str).unwrap_or("")) };
        let meta = obj.field("metadata");
        let mut name = s(meta.and_then(|m| m.field("name")));
        if name.is_empty() {
            name = s(meta.and_then(|m| m.field("generateName")));
        }
        ObjectRef {
            api_version: s(obj.field("apiVersion")),
            kind: s(obj.field("kind")),
            namespace: s(meta.and_then(|m| m.field("namespace"))),
            name,
        }
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{}/{}", self.kind, self.name)
        } else {
            write!(f, "{}/{}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// The role a container plays in its pod.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    /// An entry of `containers`.
    Container,
    /// An entry of `initContainers` that runs to completion.
    InitContainer,
    /// An entry of `initContainers` with `restartPolicy: Always` (native sidecar).
    Sidecar,
    /// An entry of `ephemeralContainers` (`kubectl debug`).
    Ephemeral,
}

impl Role {
    /// Every role, in pod order.
    pub const ALL: [Role; 4] = [
        Role::Container,
        Role::InitContainer,
        Role::Sidecar,
        Role::Ephemeral,
    ];

    /// The name used in docs and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Container => "container",
            Role::InitContainer => "initContainer",
            Role::Sidecar => "sidecar",
            Role::Ephemeral => "ephemeral",
        }
    }

    /// The name Polaris's `containers.include/exclude` filters use: a native
    /// sidecar counts as an `initContainer`, an ephemeral container as a `container`.
    pub fn polaris_name(self) -> &'static str {
        match self {
            Role::Container | Role::Ephemeral => "container",
            Role::InitContainer | Role::Sidecar => "initContainer",
        }
    }

    const fn bit(self) -> u8 {
        match self {
            Role::Container => 1,
            Role::InitContainer => 2,
            Role::Sidecar => 4,
            Role::Ephemeral => 8,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of container roles a rule inspects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Roles(u8);

impl Roles {
    /// Every role: security and image rules.
    pub const ALL: Roles = Roles(15);
    /// Long-running containers: `containers` and native sidecars (probe and resource rules).
    pub const RUNNING: Roles = Roles(1 | 4);
    /// `containers`, init containers and sidecars, not ephemeral ones.
    pub const POD_SPEC: Roles = Roles(1 | 2 | 4);
    /// No container at all (object-level rules).
    pub const NONE: Roles = Roles(0);

    /// True when `role` is in the set.
    pub const fn contains(self, role: Role) -> bool {
        self.0 & role.bit() != 0
    }

    /// The roles in the set, in pod order.
    pub fn iter(self) -> impl Iterator<Item = Role> {
        Role::ALL.into_iter().filter(move |r| self.contains(*r))
    }
}

/// A container inside a workload.
#[derive(Clone, Debug)]
pub struct ContainerRef<'a> {
    /// The container object.
    pub value: &'a Value,
    /// Its `name` ("" when missing).
    pub name: &'a str,
    /// Its role.
    pub role: Role,
    /// Path from the object's root to the container (`spec.containers[0]`).
    pub path: FieldPath,
}

/// A pod-bearing object: where its pod template and pod spec are.
#[derive(Clone, Debug)]
pub struct Workload<'a> {
    /// The whole object.
    pub object: &'a Value,
    /// `kind`.
    pub kind: &'a str,
    /// Path to the object holding the pod `metadata` and `spec` (the object
    /// itself for a Pod, `spec.template` for a Deployment, …).
    pub template_path: FieldPath,
    /// The pod template object (holds `metadata` and `spec`).
    pub template: &'a Value,
    /// Path to the pod spec.
    pub pod_spec_path: FieldPath,
    /// The pod spec.
    pub pod_spec: &'a Value,
}

/// Where a pod template can be: the object itself (Pod), `spec.template`
/// (the controllers and most custom resources), a CronJob's
/// `spec.jobTemplate.spec.template`, a PodTemplate's `template`.
const TEMPLATE_PATHS: [&[&str]; 4] = [
    &[],
    &["spec", "template"],
    &["spec", "jobTemplate", "spec", "template"],
    &["template"],
];

/// A built-in workload kind (or OpenShift's DeploymentConfig): where it
/// holds its pod template, and the API groups that serve it.
fn builtin_workload_kind(kind: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    Some(match kind {
        "Pod" => (TEMPLATE_PATHS[0], &[""]),
        "ReplicationController" => (TEMPLATE_PATHS[1], &[""]),
        "PodTemplate" => (TEMPLATE_PATHS[3], &[""]),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => {
            (TEMPLATE_PATHS[1], &["apps", "extensions"])
        }
        "Job" => (TEMPLATE_PATHS[1], &["batch"]),
        "CronJob" => (TEMPLATE_PATHS[2], &["batch"]),
        "DeploymentConfig" => (TEMPLATE_PATHS[1], &["apps.openshift.io", ""]),
        _ => return None,
    })
}

/// Where a built-in workload kind holds its pod template; `None` for any
/// other kind.
pub(crate) fn builtin_template_path(kind: &str) -> Option<&'static [&'static str]> {
    builtin_workload_kind(kind).map(|(path, _)| path)
}

/// [`builtin_template_path`], when `group` (as in `apiVersion`, `""` for
/// the core group) serves that kind: the object is then the Kubernetes type,
/// not a custom resource of the same name.
pub(crate) fn builtin_workload(kind: &str, group: &str) -> Option<&'static [&'static str]> {
    builtin_workload_kind(kind)
        .filter(|(_, groups)| groups.contains(&group))
        .map(|(path, _)| path)
}

impl<'a> Workload<'a> {
    /// Recognises every pod-bearing shape: Pod (`spec.containers`), every
    /// controller and CRD with `spec.template.spec.containers` (Deployment,
    /// StatefulSet, Argo Rollout, CloneSet, …), CronJob
    /// (`spec.jobTemplate.spec.template`) and PodTemplate (`template.spec`).
    ///
    /// A built-in workload kind (and OpenShift's DeploymentConfig) is
    /// recognised by its kind's pod spec even when that spec has no
    /// `containers` list, so a fragment such as a Deployment that sets only
    /// `hostIPC: true` is still judged (the API server would reject it for
    /// the missing containers; its pod-level settings are what a reviewer
    /// needs to hear about). Any other kind needs `containers`, so that a
    /// custom resource is judged only when it holds a pod spec.
    pub fn of(object: &'a Value) -> Option<Workload<'a>> {
        let kind = object.field("kind").and_then(Value::as_str).unwrap_or("");
        let own_shape = builtin_template_path(kind);
        let found = |shape: &[&str]| {
            let mut template = object;
            for key in shape {
                template = template.field(key)?;
            }
            let spec = template.field("spec")?;
            Some((template, spec))
        };
        let with_containers = TEMPLATE_PATHS.iter().find_map(|shape| {
            let (template, spec) = found(shape)?;
            spec.field("containers")
                .is_some_and(Value::is_array)
                .then_some((*shape, template, spec))
        });
        let (shape, template, spec) = with_containers.or_else(|| {
            let shape = own_shape?;
            let (template, spec) = found(shape)?;
            spec.is_object().then_some((shape, template, spec))
        })?;
        let mut template_path = FieldPath::root();
        for key in shape {
            template_path.push_key(key);
        }
        Some(Workload {
            object,
            kind,
            pod_spec_path: template_path.key("spec"),
            template_path,
            template,
            pod_spec: spec,
        })
    }

    /// The pod template's labels (the labels selectors match).
    pub fn pod_labels(&self) -> Option<&'a serde_json::Map<String, Value>> {
        self.template
            .field("metadata")
            .and_then(|m| m.field("labels"))
            .and_then(Value::as_object)
    }

    /// The pod template's annotations.
    pub fn pod_annotations(&self) -> Option<&'a serde_json::Map<String, Value>> {
        self.template
            .field("metadata")
            .and_then(|m| m.field("annotations"))
            .and_then(Value::as_object)
    }

    /// True for Jobs and CronJobs (and anything with a `jobTemplate`), which
    /// run to completion.
    pub fn is_job(&self) -> bool {
        matches!(self.kind, "Job" | "CronJob") || self.object.at(&["spec", "jobTemplate"]).is_some()
    }

    /// Every container with its role, in pod order: containers, init
    /// containers (native sidecars among them), ephemeral containers.
    /// Entries that are not mappings are left out (see
    /// [`Workload::containers_and_problems`]).
    pub fn containers(&self) -> Vec<ContainerRef<'a>> {
        self.containers_and_problems().0
    }

    /// [`Workload::containers`], and the problems with the pod spec's
    /// container lists: lists that are not lists and entries that are not
    /// mappings, each with a message. The API server refuses such a pod
    /// spec, and no container check can judge it. (A missing list is a
    /// fragment, not a problem: its pod-level settings are still judged.)
    /// One look at the pod spec gives both; the engine wants both for every
    /// object.
    pub fn containers_and_problems(&self) -> (Vec<ContainerRef<'a>>, Vec<(FieldPath, String)>) {
        let mut out = Vec::new();
        let mut problems = Vec::new();
        for (field, default_role) in [
            ("containers", Role::Container),
            ("initContainers", Role::InitContainer),
            ("ephemeralContainers", Role::Ephemeral),
        ] {
            let list = match self.pod_spec.field(field) {
                None | Some(Value::Null) => continue,
                Some(Value::Array(list)) => list,
                Some(v) => {
                    let path = self.pod_spec_path.key(field);
                    let hint = if v.is_object() {
                        " (is the `- ` before its first field missing?)"
                    } else {
                        ""
                    };
                    let message = format!("{path} is {}, not a list{hint}", kind_of(v));
                    problems.push((path, message));
                    continue;
                }
            };
            let base = self.pod_spec_path.key(field);
            for (i, c) in list.iter().enumerate() {
                if !c.is_object() {
                    // Reported, and left out: no container check can judge it.
                    let message =
                        format!("{base}[{i}] is {}, not a container (a mapping)", kind_of(c));
                    problems.push((base.index(i), message));
                    continue;
                }
                let role = if default_role == Role::InitContainer
                    && c.field("restartPolicy").and_then(Value::as_str) == Some("Always")
                {
                    Role::Sidecar
                } else {
                    default_role
                };
                out.push(ContainerRef {
                    value: c,
                    name: c.field("name").and_then(Value::as_str).unwrap_or(""),
                    role,
                    path: base.index(i),
                });
            }
        }
        (out, problems)
    }
}

/// Expands `kind: List` (and `*List` kinds such as `DeploymentList`) into
/// their items, recursively; any other object yields itself.
pub fn expand_lists(mut object: Value, out: &mut Vec<Value>) {
    complete_list_items(&mut object);
    let is_list = object
        .field("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k == "List" || (k.ends_with("List") && object.field("items").is_some()));
    if is_list {
        if let Value::Object(mut map) = object {
            if let Some(Value::Array(items)) = map.remove("items") {
                for item in items {
                    expand_lists(item, out);
                }
            }
        }
    } else {
        out.push(object);
    }
}

/// Gives the items of a typed list the `kind` and `apiVersion` they leave
/// out. The API server returns a collection as `kind: PodList` (what
/// `kubectl get --raw /api/v1/pods` and client libraries write) whose items
/// name neither; each is then of the list's kind without `List`, in its
/// `apiVersion`. Items that name their own are left alone, as is
/// `kind: List` (kubectl's own list, whose items always do). Lists nested
/// in items are completed too.
pub fn complete_list_items(list: &mut Value) {
    let Value::Object(map) = list else {
        return;
    };
    let Some(kind) = map.get("kind").and_then(Value::as_str) else {
        return;
    };
    // Most documents are not lists: leave before copying anything.
    let Some(item_kind) = kind.strip_suffix("List") else {
        return;
    };
    let item_kind = Some(item_kind.to_string()).filter(|k| !k.is_empty());
    let api_version = match &item_kind {
        Some(_) => map.get("apiVersion").cloned(),
        None => None,
    };
    let Some(Value::Array(items)) = map.get_mut("items") else {
        return;
    };
    for item in items {
        if let (Some(k), Value::Object(o)) = (&item_kind, &mut *item) {
            if !o.contains_key("kind") {
                o.insert("kind".to_string(), Value::String(k.clone()));
                if let (Some(v), false) = (&api_version, o.contains_key("apiVersion")) {
                    o.insert("apiVersion".to_string(), v.clone());
                }
            }
        }
        complete_list_items(item);
    }
}

/// Lookups along a fixed path of mapping keys: what `Value::pointer` does
/// for a literal pointer, without parsing it (serde_json's `pointer`
/// unescapes every token into a new string, a cost rules pay per object).
pub trait At {
    /// The value at `keys` below this one, if every step is a mapping that
    /// holds the key.
    fn at(&self, keys: &[&str]) -> Option<&Value>;
}

impl At for Value {
    fn at(&self, keys: &[&str]) -> Option<&Value> {
        keys.iter().try_fold(self, |v, k| v.field(k))
    }
}

/// Mappings up to this size are searched entry by entry: Kubernetes objects
/// are built of small mappings, where comparing a few keys costs less than
/// hashing the one wanted (serde_json's maps hash with SipHash).
const SCAN_UP_TO: usize = 12;

/// Looks up one key of a mapping; `Value::get` with a faster path for the
/// small mappings that make up nearly every Kubernetes object.
pub trait Field {
    /// The value under `key`, if this is a mapping that holds it.
    fn field(&self, key: &str) -> Option<&Value>;
}

impl Field for serde_json::Map<String, Value> {
    #[inline]
    fn field(&self, key: &str) -> Option<&Value> {
        if self.len() <= SCAN_UP_TO {
            self.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
        } else {
            self.get(key)
        }
    }
}

impl Field for Value {
    #[inline]
    fn field(&self, key: &str) -> Option<&Value> {
        self.as_object()?.field(key)
    }
}

#[cfg(test)]
mod at_tests {
    use super::At;

    #[test]
    fn at_agrees_with_pointer() {
        let v = serde_json::json!({"a": {"b": {"c": 1}, "l": [{"x": 2}]}, "s": "t"});
        for keys in [
            &["a", "b", "c"][..],
            &["a", "b"],
            &["a", "x"],
            &["s", "t"],
            &["a", "l", "0"],
            &[],
        ] {
            let pointer: String = keys.iter().map(|k| format!("/{k}")).collect();
            // Sequences are not walked (no literal pointer used here goes
            // through one); everything else agrees with `pointer`.
            let expected = if keys.contains(&"l") {
                None
            } else {
                v.pointer(&pointer)
            };
            assert_eq!(v.at(keys), expected, "{pointer}");
        }
    }

    #[test]
    fn field_agrees_with_get_on_small_and_large_mappings() {
        use super::{Field, SCAN_UP_TO};
        for size in [0, 1, SCAN_UP_TO, SCAN_UP_TO + 1, 40] {
            let map: serde_json::Map<String, serde_json::Value> =
                (0..size).map(|i| (format!("k{i}"), i.into())).collect();
            let v = serde_json::Value::Object(map.clone());
            for key in ["k0", "k5", "k12", "k13", "k39", "missing", ""] {
                assert_eq!(map.field(key), map.get(key), "{size} {key}");
                assert_eq!(v.field(key), v.get(key), "{size} {key}");
            }
        }
        assert_eq!(serde_json::json!([1]).field("0"), None);
        assert_eq!(serde_json::json!("s").field("s"), None);
    }
}

/// What kind of value `v` is, for messages: "a mapping", "a list", …
pub fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// True when `v` looks like a Kubernetes object (`apiVersion` and `kind` strings).
pub fn is_kubernetes_object(v: &Value) -> bool {
    v.field("apiVersion").is_some_and(Value::is_string)
        && v.field("kind").is_some_and(Value::is_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn recognises_every_pod_bearing_shape() {
        let pod = json!({"kind": "Pod", "spec": {"containers": []}});
        assert_eq!(
            Workload::of(&pod).map(|w| w.pod_spec_path.to_string()),
            Some("spec".into())
        );
        let dep = json!({"kind": "Rollout", "spec": {"template": {"spec": {"containers": []}}}});
        assert_eq!(
            Workload::of(&dep).map(|w| w.pod_spec_path.to_string()),
            Some("spec.template.spec".into())
        );
        let cj = json!({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": []}}}}}});
        let w = Workload::of(&cj).map(|w| (w.pod_spec_path.to_string(), w.is_job()));
        assert_eq!(
            w,
            Some(("spec.jobTemplate.spec.template.spec".into(), true))
        );
        let pt = json!({"kind": "PodTemplate", "template": {"spec": {"containers": []}}});
        assert!(Workload::of(&pt).is_some());
        let svc = json!({"kind": "Service", "spec": {"ports": []}});
        assert!(Workload::of(&svc).is_none());
    }

    #[test]
    fn built_in_kinds_need_no_containers_custom_kinds_do() {
        let path = |v: Value| Workload::of(&v).map(|w| w.pod_spec_path.to_string());
        let dep = json!({"kind": "Deployment", "spec": {"template": {"spec": {"hostIPC": true}}}});
        assert_eq!(path(dep), Some("spec.template.spec".into()));
        let pod = json!({"kind": "Pod", "spec": {"hostPID": true}});
        assert_eq!(path(pod), Some("spec".into()));
        let cj = json!({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {}}}}}});
        assert_eq!(path(cj), Some("spec.jobTemplate.spec.template.spec".into()));
        let dc = json!({"kind": "DeploymentConfig", "spec": {"template": {"spec": {"hostNetwork": true}}}});
        assert_eq!(path(dc), Some("spec.template.spec".into()));
        // A custom resource with a template but no containers is not a workload.
        let crd = json!({"kind": "Widget", "spec": {"template": {"spec": {"hostIPC": true}}}});
        assert_eq!(path(crd), None);
        // Nor is a built-in kind whose pod spec is missing or not a mapping.
        assert_eq!(
            path(json!({"kind": "Deployment", "spec": {"replicas": 2}})),
            None
        );
        assert_eq!(
            path(json!({"kind": "Deployment", "spec": {"template": {"spec": "x"}}})),
            None
        );
        // A shape that holds containers wins over the kind's own spec.
        let odd = json!({"kind": "Pod", "spec": {"template": {"spec": {"containers": []}}}});
        assert_eq!(path(odd), Some("spec.template.spec".into()));
    }

    #[test]
    fn malformed_container_lists_are_named() {
        let dep = |spec: Value| json!({"kind": "Deployment", "spec": {"template": {"spec": spec}}});
        let problems = |v: &Value| -> Vec<(String, String)> {
            Workload::of(v)
                .map(|w| w.containers_and_problems().1)
                .unwrap_or_default()
                .into_iter()
                .map(|(p, m)| (p.to_string(), m))
                .collect()
        };
        let good = dep(json!({"containers": [{"name": "a"}], "initContainers": null}));
        assert_eq!(problems(&good), vec![]);
        assert_eq!(problems(&dep(json!({"hostIPC": true}))), vec![]);
        let map = dep(json!({"containers": {"name": "a", "image": "x"}}));
        let p = problems(&map);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].0, "spec.template.spec.containers");
        assert!(
            p[0].1.contains("is a mapping, not a list") && p[0].1.contains("`- `"),
            "{p:?}"
        );
        let mixed = dep(json!({"containers": [{"name": "a"}, "nginx"], "initContainers": "x"}));
        let p = problems(&mixed);
        assert_eq!(
            p.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
            vec![
                "spec.template.spec.containers[1]",
                "spec.template.spec.initContainers"
            ]
        );
        assert!(p[0].1.contains("is a string, not a container"), "{p:?}");
    }

    #[test]
    fn container_roles() {
        let pod = json!({"kind": "Pod", "spec": {
            "containers": [{"name": "app"}],
            "initContainers": [{"name": "init"}, {"name": "proxy", "restartPolicy": "Always"}],
            "ephemeralContainers": [{"name": "debug"}]}});
        let w = Workload::of(&pod).expect("pod");
        let roles: Vec<_> = w.containers().iter().map(|c| (c.name, c.role)).collect();
        assert_eq!(
            roles,
            vec![
                ("app", Role::Container),
                ("init", Role::InitContainer),
                ("proxy", Role::Sidecar),
                ("debug", Role::Ephemeral)
            ]
        );
        assert_eq!(w.containers()[2].path.to_string(), "spec.initContainers[1]");
    }

    #[test]
    fn typed_list_items_get_their_kind() {
        let list = json!({"kind": "PodList", "apiVersion": "v1", "items": [
            {"metadata": {"name": "a"}},
            {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "b"}},
            {"apiVersion": "v2", "metadata": {"name": "c"}},
            "not an object"
        ]});
        let mut out = Vec::new();
        expand_lists(list, &mut out);
        assert_eq!(
            out[0],
            json!({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "a"}})
        );
        assert_eq!(out[1]["metadata"]["name"], "b");
        assert_eq!(
            out[2],
            json!({"kind": "Pod", "apiVersion": "v2", "metadata": {"name": "c"}})
        );
        assert_eq!(out[3], json!("not an object"));
        // kubectl's `kind: List` and a bare `List` suffix add nothing.
        let mut v = json!({"kind": "List", "apiVersion": "v1", "items": [{"metadata": {}}]});
        complete_list_items(&mut v);
        assert_eq!(v["items"][0], json!({"metadata": {}}));
        let mut v = json!({"kind": "DeploymentList", "apiVersion": "apps/v1", "items": [
            {"metadata": {"name": "d"}}
        ]});
        complete_list_items(&mut v);
        assert_eq!(v["items"][0]["kind"], "Deployment");
        assert_eq!(v["items"][0]["apiVersion"], "apps/v1");
    }

    #[test]
    fn lists_expand() {
        let list = json!({"kind": "List", "items": [{"kind": "Pod"}, {"kind": "List", "items": [{"kind": "Service"}]}]});
        let mut out = Vec::new();
        expand_lists(list, &mut out);
        assert_eq!(out.len(), 2);
    }
}
