//! The types the API server insists on, at the fields the rules read.
//!
//! A rule that looks for `privileged: true` does not see `privileged:
//! "true"` (Helm's `| quote` writes it that way): the container would pass
//! the check, and the run would say nothing. The API server refuses such an
//! object when it decodes it (a string is not a boolean), so it can never
//! run; but a linter that calls it clean lets the mistake through to the
//! deploy. Every field a rule reads is therefore checked for the JSON type
//! the Kubernetes API gives it, and a mismatch is an input error at that
//! field, like a container list that is not a list
//! ([`crate::object::Workload::containers_and_problems`]).
//!
//! The types follow the Kubernetes OpenAPI schema, with the decoder's
//! leniencies: `null` is accepted anywhere (it decodes to the zero value),
//! a whole number written as a float (`3.0`) is an integer, a quantity is a
//! string or a number, and an int-or-string is either. Pod specs are checked
//! only for the built-in workload kinds: a custom resource's schema is its
//! own, and may accept anything (`x-kubernetes-preserve-unknown-fields`).
//! Every object's `metadata` is an `ObjectMeta`, custom resources' too.
//! `tests/field_types_oracle.rs` holds this table to the schemas that
//! `kubernetes-validate` (PyPI) ships.

use serde_json::Value;

use crate::object::{builtin_workload, kind_of, ContainerRef, Field, Workload};
use crate::path::FieldPath;

/// A field's type, as far as the rules need it.
#[derive(Clone, Copy, Debug)]
pub enum Ty {
    /// `true` or `false`.
    Bool,
    /// A whole number.
    Int,
    /// A string.
    Str,
    /// A resource quantity: a string (`500m`) or a number.
    Quantity,
    /// An int-or-string (`minAvailable: 50%`, `minAvailable: 2`).
    IntOrStr,
    /// A mapping whose listed fields have these types (others are not read).
    Fields(&'static Table),
    /// A mapping of any keys, each value of this type (labels, data).
    MapOf(&'static Ty),
    /// A list, each entry of this type.
    ListOf(&'static Ty),
    /// A mapping whose contents no rule reads field by field.
    Mapping,
}

impl Ty {
    /// What the type is called in a message.
    pub fn name(self) -> &'static str {
        match self {
            Ty::Bool => "a boolean",
            Ty::Int => "an integer",
            Ty::Str => "a string",
            Ty::Quantity => "a quantity (a string or a number)",
            Ty::IntOrStr => "an integer or a string",
            Ty::Fields(_) | Ty::MapOf(_) | Ty::Mapping => "a mapping",
            Ty::ListOf(_) => "a list",
        }
    }

    /// Whether `v` itself has this type (not looking inside it).
    pub fn admits(self, v: &Value) -> bool {
        match (self, v) {
            (_, Value::Null) => true,
            (Ty::Bool, Value::Bool(_)) => true,
            (Ty::Int | Ty::IntOrStr, Value::Number(n)) => whole(n),
            (Ty::Str | Ty::IntOrStr | Ty::Quantity, Value::String(_)) => true,
            (Ty::Quantity, Value::Number(_)) => true,
            (Ty::Fields(_) | Ty::MapOf(_) | Ty::Mapping, Value::Object(_)) => true,
            (Ty::ListOf(_), Value::Array(_)) => true,
            _ => false,
        }
    }
}

/// A whole number (`3`, `-1`, `3.0`; not `2.5`): what an integer field
/// accepts once kubectl has turned the YAML into JSON.
fn whole(n: &serde_json::Number) -> bool {
    n.is_i64()
        || n.is_u64()
        || n.as_f64()
            .is_some_and(|f| f.is_finite() && f.fract() == 0.0)
}

/// The fields of a mapping that rules read, with their types. Made by
/// `fields!`, so that the list (for tests and documentation) and the
/// lookup (a `match`, whose comparisons with fixed strings compile to a few
/// instructions) come from one text.
#[derive(Debug)]
pub struct Table {
    /// Each field and its type.
    pub fields: &'static [(&'static str, Ty)],
    /// The type of the field named so, if the table has it.
    pub find: fn(&str) -> Option<Ty>,
}

/// `fields! { "name" => Ty::Str, ... }`: a [`Ty::Fields`] of these fields.
macro_rules! fields {
    ($($name:literal => $ty:expr),* $(,)?) => {
        Ty::Fields(&Table {
            fields: &[$(($name, $ty)),*],
            find: |k: &str| match k {
                $($name => Some($ty),)*
                _ => None,
            },
        })
    };
}

const STRINGS: Ty = Ty::ListOf(&Ty::Str);
const STRING_MAP: Ty = Ty::MapOf(&Ty::Str);
const MAPPINGS: Ty = Ty::ListOf(&Ty::Mapping);

const MATCH_EXPRESSION: Ty = fields! {
    "key" => Ty::Str,
    "operator" => Ty::Str,
    "values" => STRINGS,
};

const LABEL_SELECTOR: Ty = fields! {
    "matchLabels" => STRING_MAP,
    "matchExpressions" => Ty::ListOf(&MATCH_EXPRESSION),
};

const OWNER_REFERENCE: Ty = fields! {
    "kind" => Ty::Str,
    "name" => Ty::Str,
    "controller" => Ty::Bool,
};

/// `ObjectMeta`, of every object and of pod templates.
pub const METADATA: Ty = fields! {
    "name" => Ty::Str,
    "generateName" => Ty::Str,
    "namespace" => Ty::Str,
    "labels" => STRING_MAP,
    "annotations" => STRING_MAP,
    "ownerReferences" => Ty::ListOf(&OWNER_REFERENCE),
};

/// What container and pod security contexts share, as far as rules read.
const SECCOMP: Ty = fields! { "type" => Ty::Str };
const WINDOWS: Ty = fields! { "hostProcess" => Ty::Bool };

/// A pod's `securityContext`.
pub const POD_SECURITY_CONTEXT: Ty = fields! {
    "runAsNonRoot" => Ty::Bool,
    "runAsUser" => Ty::Int,
    "seccompProfile" => SECCOMP,
    "appArmorProfile" => SECCOMP,
    "seLinuxOptions" => Ty::Mapping,
    "windowsOptions" => WINDOWS,
};

const OS: Ty = fields! { "name" => Ty::Str };
const HOST_PATH: Ty = fields! { "path" => Ty::Str, "type" => Ty::Str };
const VOLUME: Ty = fields! { "name" => Ty::Str, "hostPath" => HOST_PATH };

/// A pod spec, without its container lists (read by
/// [`Workload::containers_and_problems`]; each container is [`CONTAINER`]).
pub const POD_SPEC: Ty = fields! {
    "hostNetwork" => Ty::Bool,
    "hostPID" => Ty::Bool,
    "hostIPC" => Ty::Bool,
    "automountServiceAccountToken" => Ty::Bool,
    "serviceAccountName" => Ty::Str,
    "serviceAccount" => Ty::Str,
    "priorityClassName" => Ty::Str,
    "os" => OS,
    "securityContext" => POD_SECURITY_CONTEXT,
    "volumes" => Ty::ListOf(&VOLUME),
    "topologySpreadConstraints" => MAPPINGS,
};

const CAPABILITIES: Ty = fields! { "add" => STRINGS, "drop" => STRINGS };

/// A container's `securityContext`.
pub const SECURITY_CONTEXT: Ty = fields! {
    "privileged" => Ty::Bool,
    "allowPrivilegeEscalation" => Ty::Bool,
    "readOnlyRootFilesystem" => Ty::Bool,
    "runAsNonRoot" => Ty::Bool,
    "runAsUser" => Ty::Int,
    "procMount" => Ty::Str,
    "capabilities" => CAPABILITIES,
    "seccompProfile" => SECCOMP,
    "appArmorProfile" => SECCOMP,
    "seLinuxOptions" => Ty::Mapping,
    "windowsOptions" => WINDOWS,
};

const QUANTITIES: Ty = Ty::MapOf(&Ty::Quantity);
const RESOURCES: Ty = fields! { "requests" => QUANTITIES, "limits" => QUANTITIES };
const PORT: Ty = fields! { "containerPort" => Ty::Int, "hostPort" => Ty::Int };
const ENV_VAR: Ty = fields! {
    "name" => Ty::Str,
    "value" => Ty::Str,
    "valueFrom" => Ty::Mapping,
};

/// A container (of any role).
pub const CONTAINER: Ty = fields! {
    "name" => Ty::Str,
    "image" => Ty::Str,
    "imagePullPolicy" => Ty::Str,
    "restartPolicy" => Ty::Str,
    "securityContext" => SECURITY_CONTEXT,
    "resources" => RESOURCES,
    "livenessProbe" => Ty::Mapping,
    "readinessProbe" => Ty::Mapping,
    "ports" => Ty::ListOf(&PORT),
    "env" => Ty::ListOf(&ENV_VAR),
};

const REPLICATED: Ty = fields! { "spec" => fields! { "replicas" => Ty::Int } };
const SCALE_TARGET: Ty = fields! {
    "apiVersion" => Ty::Str,
    "kind" => Ty::Str,
    "name" => Ty::Str,
};
const HPA_SPEC: Ty = fields! {
    "minReplicas" => Ty::Int,
    "maxReplicas" => Ty::Int,
    "scaleTargetRef" => SCALE_TARGET,
};
const HPA: Ty = fields! { "spec" => HPA_SPEC };
const PDB_SPEC: Ty = fields! {
    "minAvailable" => Ty::IntOrStr,
    "maxUnavailable" => Ty::IntOrStr,
    "selector" => LABEL_SELECTOR,
};
const PDB: Ty = fields! { "spec" => PDB_SPEC };
const NETWORK_POLICY_SPEC: Ty = fields! {
    "podSelector" => LABEL_SELECTOR,
    "policyTypes" => STRINGS,
    "ingress" => MAPPINGS,
    "egress" => MAPPINGS,
};
const NETWORK_POLICY: Ty = fields! { "spec" => NETWORK_POLICY_SPEC };
const INGRESS: Ty = fields! { "spec" => fields! { "tls" => MAPPINGS } };
const CONFIG_MAP: Ty = fields! { "data" => STRING_MAP };
const SERVICE_ACCOUNT: Ty = fields! { "automountServiceAccountToken" => Ty::Bool };
const POLICY_RULE: Ty = fields! {
    "apiGroups" => STRINGS,
    "resources" => STRINGS,
    "verbs" => STRINGS,
};
const ROLE: Ty = fields! { "rules" => Ty::ListOf(&POLICY_RULE) };
const AGGREGATION_RULE: Ty = fields! { "clusterRoleSelectors" => Ty::ListOf(&LABEL_SELECTOR) };
const CLUSTER_ROLE: Ty = fields! {
    "rules" => Ty::ListOf(&POLICY_RULE),
    "aggregationRule" => AGGREGATION_RULE,
};
const ROLE_REF: Ty = fields! {
    "apiGroup" => Ty::Str,
    "kind" => Ty::Str,
    "name" => Ty::Str,
};
const SUBJECT: Ty = fields! {
    "kind" => Ty::Str,
    "name" => Ty::Str,
    "namespace" => Ty::Str,
};
const BINDING: Ty = fields! { "roleRef" => ROLE_REF, "subjects" => Ty::ListOf(&SUBJECT) };

/// The fields the rules read at the top of an object of this API group and
/// kind, beyond `metadata` (and beyond the pod spec of a workload, which
/// [`problems`] walks from the workload's own paths), as a [`Ty::Fields`];
/// `None` for a kind with none. Groups as in `apiVersion` (`""` for the
/// core group).
pub fn top_level(group: &str, kind: &str) -> Option<Ty> {
    Some(match (group, kind) {
        ("apps" | "extensions", "Deployment" | "StatefulSet" | "ReplicaSet")
        | ("", "ReplicationController")
        | ("apps.openshift.io" | "", "DeploymentConfig") => REPLICATED,
        ("autoscaling", "HorizontalPodAutoscaler") => HPA,
        ("policy", "PodDisruptionBudget") => PDB,
        ("networking.k8s.io" | "extensions", "NetworkPolicy") => NETWORK_POLICY,
        ("networking.k8s.io" | "extensions", "Ingress") => INGRESS,
        ("", "ConfigMap") => CONFIG_MAP,
        ("", "ServiceAccount") => SERVICE_ACCOUNT,
        ("rbac.authorization.k8s.io", "Role") => ROLE,
        ("rbac.authorization.k8s.io", "ClusterRole") => CLUSTER_ROLE,
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => BINDING,
        _ => return None,
    })
}

/// The API group of an `apiVersion` (`apps` of `apps/v1`, `""` of `v1`).
pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// Whether the workload is of a built-in kind, with its pod template where
/// that kind keeps it: its pod spec is then the Kubernetes `PodSpec`.
fn builtin(w: &Workload<'_>, group: &str) -> bool {
    builtin_workload(w.kind, group).is_some_and(|keys| {
        let segs = w.template_path.segments();
        segs.len() == keys.len()
            && segs
                .iter()
                .zip(keys)
                .all(|(s, k)| matches!(s, crate::path::Seg::Key(key) if key == k))
    })
}

/// Whether a built-in workload `object` has a pod spec field written above
/// its pod spec (what [`problems`] reports as "belongs in the pod spec").
pub fn pod_spec_field_misplaced(object: &Value) -> bool {
    let Some(map) = object.as_object() else {
        return false;
    };
    let api_version = map
        .field("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let kind = map.field("kind").and_then(Value::as_str).unwrap_or("");
    let mut found = Vec::new();
    misplaced(map, group_of(api_version), kind, &mut found);
    !found.is_empty()
}

/// Appends to `out`, with a message each, the fields of `object` that the
/// rules read and whose type the API server would refuse. `containers` are
/// the workload's container entries that are mappings. Returns whether a
/// pod spec field is written above the pod spec
/// ([`pod_spec_field_misplaced`]).
pub fn problems(
    object: &Value,
    workload: Option<&Workload<'_>>,
    containers: &[ContainerRef<'_>],
    out: &mut Vec<(FieldPath, String)>,
) -> bool {
    let Some(map) = object.as_object() else {
        return false;
    };
    let root = FieldPath::root();
    if let Some(meta) = map.field("metadata") {
        check(
            meta,
            METADATA,
            &root,
            Some(&Trail::key("metadata", None)),
            out,
        );
    }
    let api_version = map
        .field("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let kind = map.field("kind").and_then(Value::as_str).unwrap_or("");
    let group = group_of(api_version);
    if let Some(Ty::Fields(top)) = top_level(group, kind) {
        fields(map, top, &root, None, out);
    }
    let before = out.len();
    misplaced(map, group, kind, out);
    let misplaced_found = out.len() > before;
    let Some(w) = workload.filter(|w| builtin(w, group)) else {
        return misplaced_found;
    };
    if !w.template_path.is_empty() {
        if let Some(meta) = w.template.field("metadata") {
            let at = Trail::key("metadata", None);
            check(meta, METADATA, &w.template_path, Some(&at), out);
        }
    }
    check(w.pod_spec, POD_SPEC, &w.pod_spec_path, None, out);
    for c in containers {
        check(c.value, CONTAINER, &c.path, None, out);
    }
    misplaced_found
}

/// Declares [`POD_SPEC_ONLY`] and [`is_pod_spec_only`] from one list.
macro_rules! pod_spec_only {
    ($($name:literal),* $(,)?) => {
        /// Pod spec fields that no level above a pod spec has (not the object, a
        /// controller's spec, a pod template or a CronJob's job template). Found
        /// there, they were indented too little, or the `spec:` above them was left
        /// out: the API server refuses them as unknown fields, and no check would
        /// see them (a container written under `spec.template` is not judged).
        pub const POD_SPEC_ONLY: &[&str] = &[$($name),*];

        /// Whether `k` is one of [`POD_SPEC_ONLY`] (a `match`: a few
        /// instructions per key).
        fn is_pod_spec_only(k: &str) -> bool {
            matches!(k, $($name)|*)
        }
    };
}

pod_spec_only! {
    "containers",
    "initContainers",
    "ephemeralContainers",
    "volumes",
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "securityContext",
    "serviceAccountName",
    "automountServiceAccountToken",
    "nodeSelector",
    "tolerations",
    "affinity",
    "restartPolicy",
    "imagePullSecrets",
    "priorityClassName",
    "dnsPolicy",
    "terminationGracePeriodSeconds",
    "topologySpreadConstraints",
}

/// Reports pod spec fields ([`POD_SPEC_ONLY`]) on the way from a built-in
/// workload's root to its pod spec, each with where it belongs.
fn misplaced(
    map: &serde_json::Map<String, Value>,
    group: &str,
    kind: &str,
    out: &mut Vec<(FieldPath, String)>,
) {
    let Some(keys) = builtin_workload(kind, group) else {
        return;
    };
    // Paths are built only for a field found out of place.
    let path_of = |depth: usize, last: &str| {
        let mut p = FieldPath::root();
        for k in &keys[..depth] {
            p.push_key(k);
        }
        p.push_key(last);
        p
    };
    let mut here = Some(map);
    for depth in 0..=keys.len() {
        let Some(level) = here else {
            return;
        };
        for (k, _) in level {
            if is_pod_spec_only(k) {
                let path = path_of(depth, k);
                let message = format!(
                    "{path} belongs in the pod spec, {} (is its indentation off?)",
                    path_of(keys.len(), "spec")
                );
                out.push((path, message));
            }
        }
        here = keys
            .get(depth)
            .and_then(|step| level.field(step))
            .and_then(Value::as_object);
    }
}

/// One step from a base path, on the stack: the path of a problem is built
/// only when there is one.
struct Trail<'s> {
    step: Step<'s>,
    up: Option<&'s Trail<'s>>,
}

enum Step<'s> {
    Key(&'s str),
    Index(usize),
}

impl<'s> Trail<'s> {
    fn key(k: &'s str, up: Option<&'s Trail<'s>>) -> Trail<'s> {
        Trail {
            step: Step::Key(k),
            up,
        }
    }

    fn path(&self, base: &FieldPath) -> FieldPath {
        let mut steps = Vec::new();
        let mut t = Some(self);
        while let Some(s) = t {
            steps.push(&s.step);
            t = s.up;
        }
        let mut path = base.with_room(steps.len());
        for s in steps.into_iter().rev() {
            match s {
                Step::Key(k) => path.push_key(k),
                Step::Index(i) => path.push_index(*i),
            }
        }
        path
    }
}

/// Checks `v` (at `base` + `at`) against `ty`, and inside it.
#[inline]
fn check(
    v: &Value,
    ty: Ty,
    base: &FieldPath,
    at: Option<&Trail<'_>>,
    out: &mut Vec<(FieldPath, String)>,
) {
    if !ty.admits(v) {
        refuse(v, ty, base, at, out);
        return;
    }
    match (ty, v) {
        (Ty::Fields(table), Value::Object(map)) => fields(map, table, base, at, out),
        (Ty::MapOf(inner), Value::Object(map)) => {
            for (k, item) in map {
                check_inside(item, *inner, base, &Trail::key(k, at), out);
            }
        }
        (Ty::ListOf(inner), Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let t = Trail {
                    step: Step::Index(i),
                    up: at,
                };
                check_inside(item, *inner, base, &t, out);
            }
        }
        _ => {}
    }
}

/// [`check`], not inlined: a mapping or list inside another.
fn check_inside(
    v: &Value,
    ty: Ty,
    base: &FieldPath,
    at: &Trail<'_>,
    out: &mut Vec<(FieldPath, String)>,
) {
    // Leaves (most values) are settled here, without a call.
    match ty {
        Ty::Fields(_) | Ty::MapOf(_) | Ty::ListOf(_) => check(v, ty, base, Some(at), out),
        _ if ty.admits(v) => {}
        _ => refuse(v, ty, base, Some(at), out),
    }
}

/// Reports `v`, which `ty` does not admit.
#[cold]
fn refuse(
    v: &Value,
    ty: Ty,
    base: &FieldPath,
    at: Option<&Trail<'_>>,
    out: &mut Vec<(FieldPath, String)>,
) {
    let path = match at {
        Some(t) => t.path(base),
        None => base.clone(),
    };
    let message = message(&path, v, ty);
    out.push((path, message));
}

/// Checks the fields of `map` that `table` lists.
fn fields(
    map: &serde_json::Map<String, Value>,
    table: &Table,
    base: &FieldPath,
    at: Option<&Trail<'_>>,
    out: &mut Vec<(FieldPath, String)>,
) {
    for (k, v) in map {
        if let Some(ty) = (table.find)(k) {
            check_inside(v, ty, base, &Trail::key(k, at), out);
        }
    }
}

/// `spec.hostNetwork is a string ("true"), not a boolean: remove the quotes`.
fn message(path: &FieldPath, v: &Value, ty: Ty) -> String {
    let shown = match v {
        Value::String(s) if s.chars().count() <= 40 => format!(" ({})", Value::from(s.as_str())),
        Value::Bool(_) | Value::Number(_) => format!(" ({v})"),
        _ => String::new(),
    };
    let hint = match (ty, v) {
        (Ty::Bool, Value::String(s)) if looks_boolean(s) => ": remove the quotes",
        (Ty::Int | Ty::IntOrStr, Value::String(s)) if s.trim().parse::<i64>().is_ok() => {
            ": remove the quotes"
        }
        (Ty::Str, Value::Number(_)) => ": quote it",
        // `namespace: n` is `false` to kubectl, whose YAML is YAML 1.1.
        (Ty::Str, Value::Bool(_)) => {
            ": quote it (unquoted, y, n, yes, no, on and off are booleans to kubectl)"
        }
        (Ty::ListOf(_), Value::Object(_)) => " (is the `- ` before its first field missing?)",
        _ => "",
    };
    format!("{path} is {}{shown}, not {}{hint}", kind_of(v), ty.name())
}

/// Text that YAML 1.1 (kubectl's reading) takes for a boolean when unquoted.
fn looks_boolean(s: &str) -> bool {
    matches!(
        s.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n"
    )
}

#[cfg(test)]
mod tests;
