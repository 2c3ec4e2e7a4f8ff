//! Custom checks (Polaris `customChecks`): a JSON Schema applied to a target
//! (the controller, its pod spec or pod template, each container, or objects
//! of a given kind), optionally Go-templated per object, optionally with
//! `additionalSchemas` that other objects of the same namespace must satisfy.
//!
//! Compilation happens once, when the engine is built: untemplated schemas
//! are compiled then; templated ones are parsed then (syntax errors are
//! config errors) and compiled per distinct rendered text, through a bounded
//! cache.
//!
//! Differences from Polaris, on purpose:
//! - `jsonSchema` is read as an alias of `schemaString` and `promptMessage`
//!   as an alias of `failureMessage` (Polaris ignores both silently, so such a
//!   check always passes there).
//! - Mutations become a fix only on failure, with paths that are right for
//!   every pod-bearing kind (CRDs included). They are user-authored, so the
//!   fix is `unsafe` unless the check declares `mutationSafety: safe`.
//! - A templated schema that renders to something invalid makes the check
//!   "not evaluated" for that object instead of aborting the whole run.

mod mutation;
pub mod schema;
pub mod template;

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde_json::Value;

use crate::engine::Check;
use crate::finding::FixSafety;
use crate::object::ContainerRef;
use crate::path::FieldPath;
use crate::rule::{Ctx, Emitter, Scope};
use crate::Roles;

pub use mutation::{Mutation, Op};
use schema::{Cache, Compiled};
use template::{Data, Template, TemplateError};

/// Why a custom check could not be compiled.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CustomCheckError {
    /// A key has the wrong type or shape.
    #[error("{message}")]
    Invalid {
        /// Where, relative to the check's entry.
        field: FieldPath,
        /// What is wrong.
        message: String,
    },
    /// `target` is not Controller, PodSpec, PodTemplate, Container or a kind.
    #[error("unknown target `{target}`: expected Controller, PodSpec, PodTemplate, Container, or a kind such as `Deployment`, `apps/Deployment` or `/ConfigMap`{hint}")]
    UnknownTarget {
        /// The target as written.
        target: String,
        /// A suggestion, when there is one.
        hint: String,
    },
    /// `schemaTarget` other than `PodSpec` with `target: Container`.
    #[error("`schemaTarget: {schema_target}` is not valid with `target: {target}`: the only valid combination is `target: Container` with `schemaTarget: PodSpec`")]
    BadSchemaTarget {
        /// `target`.
        target: String,
        /// `schemaTarget`.
        schema_target: String,
    },
    /// Neither `schema`, `schemaString` nor `additionalSchemas` is given.
    #[error(
        "no schema: give `schema` (a mapping) or `schemaString` (text), or `additionalSchemas`"
    )]
    NoSchema,
    /// A schema is not a valid JSON Schema.
    #[error("invalid JSON Schema in `{field}`: {message}")]
    InvalidSchema {
        /// Where, relative to the check's entry (`schema.properties.image`).
        field: FieldPath,
        /// What the schema compiler said.
        message: String,
    },
    /// A schema template does not parse.
    #[error("invalid template in `{field}`: {source}")]
    Template {
        /// Where, relative to the check's entry.
        field: FieldPath,
        /// The syntax error.
        #[source]
        source: TemplateError,
    },
}

impl CustomCheckError {
    /// The offending key, relative to the check's entry in `customChecks`.
    pub fn field(&self) -> FieldPath {
        match self {
            CustomCheckError::Invalid { field, .. }
            | CustomCheckError::InvalidSchema { field, .. }
            | CustomCheckError::Template { field, .. } => field.clone(),
            CustomCheckError::UnknownTarget { .. } => FieldPath::keys("target"),
            CustomCheckError::BadSchemaTarget { .. } => FieldPath::keys("schemaTarget"),
            CustomCheckError::NoSchema => FieldPath::root(),
        }
    }
}

/// The keys of a custom check, as read from the config.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Spec {
    #[serde(default)]
    success_message: Option<String>,
    #[serde(default, alias = "promptMessage")]
    failure_message: Option<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    target: Option<String>,
    #[serde(default)]
    schema_target: Option<String>,
    #[serde(default)]
    controllers: Option<Filter>,
    #[serde(default)]
    containers: Option<Filter>,
    #[serde(default)]
    schema: Option<Value>,
    #[serde(default, alias = "jsonSchema")]
    schema_string: Option<String>,
    #[serde(default)]
    additional_schemas: BTreeMap<String, Value>,
    #[serde(default)]
    additional_schema_strings: BTreeMap<String, String>,
    #[serde(default)]
    mutations: Vec<Value>,
    #[serde(default)]
    mutation_safety: Option<FixSafety>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Filter {
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
}

/// Every key a custom check may have (for unknown-key warnings).
pub const KNOWN_KEYS: &[&str] = &[
    "successMessage",
    "failureMessage",
    "promptMessage",
    "category",
    "target",
    "schemaTarget",
    "controllers",
    "containers",
    "schema",
    "schemaString",
    "jsonSchema",
    "additionalSchemas",
    "additionalSchemaStrings",
    "mutations",
    "mutationSafety",
];

/// What a custom check's schema is applied to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// The whole pod-bearing object.
    Controller,
    /// The pod spec.
    PodSpec,
    /// The pod template (the object holding the pod's metadata and spec).
    PodTemplate,
    /// Each container.
    Container,
    /// Objects whose kind is this (the text after the last `/`).
    Kind(String),
}

/// The targets that are not kinds, as written.
const TARGETS: [&str; 4] = ["Controller", "PodSpec", "PodTemplate", "Container"];

impl Target {
    fn parse(s: &str) -> Result<Target, CustomCheckError> {
        Ok(match s {
            "Controller" => Target::Controller,
            "PodSpec" => Target::PodSpec,
            "PodTemplate" => Target::PodTemplate,
            "Container" => Target::Container,
            _ => {
                // `Podspec` or `CONTAINER` would be read as a kind no object
                // has, and the check would never run: an error instead.
                if let Some(t) = TARGETS.iter().find(|t| t.eq_ignore_ascii_case(s)) {
                    return Err(CustomCheckError::UnknownTarget {
                        target: s.to_string(),
                        hint: format!(" (did you mean `{t}`?)"),
                    });
                }
                let kind = s.rsplit('/').next().unwrap_or("");
                let group = &s[..s.len() - kind.len()];
                let group_ok = group
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '/'))
                    && group.matches('/').count() <= 1;
                let kind_ok = kind.starts_with(|c: char| c.is_ascii_uppercase())
                    && kind.chars().all(|c| c.is_ascii_alphanumeric());
                if !group_ok || !kind_ok {
                    return Err(CustomCheckError::UnknownTarget {
                        target: s.to_string(),
                        hint: String::new(),
                    });
                }
                Target::Kind(kind.to_string())
            }
        })
    }
}

/// A schema, compiled up front or templated per object.
enum Source {
    Fixed(Compiled),
    Templated(Template),
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Fixed(_) => f.write_str("Fixed"),
            Source::Templated(_) => f.write_str("Templated"),
        }
    }
}

#[derive(Debug)]
struct Additional {
    /// The key as written (`policy/PodDisruptionBudget`).
    key: String,
    /// The kind (`PodDisruptionBudget`).
    kind: String,
    source: Source,
}

/// A compiled custom check.
#[derive(Debug)]
pub struct CustomCheck {
    id: String,
    category: String,
    success_message: Option<String>,
    failure_message: String,
    target: Target,
    schema_target_pod_spec: bool,
    controllers_include: Vec<String>,
    controllers_exclude: Vec<String>,
    containers_include: Vec<String>,
    containers_exclude: Vec<String>,
    main: Option<Source>,
    additional: Vec<Additional>,
    mutations: Vec<Mutation>,
    mutation_safety: FixSafety,
    cache: Cache,
}

fn from_serde_path(p: &serde_path_to_error::Path) -> FieldPath {
    let mut out = FieldPath::root();
    for seg in p.iter() {
        match seg {
            serde_path_to_error::Segment::Seq { index } => out.push_index(*index),
            serde_path_to_error::Segment::Map { key } => out.push_key(key),
            serde_path_to_error::Segment::Enum { variant } => out.push_key(variant),
            serde_path_to_error::Segment::Unknown => {}
        }
    }
    out
}

/// Parses YAML (or JSON) text into a value; used for `schemaString`s.
fn parse_yaml(text: &str) -> Result<Value, String> {
    crate::yaml::load_one(text)
        .map(|d| d.value)
        .map_err(|e| e.to_string())
}

/// Compiles a schema given as a value at `field` (a mapping, or a string
/// holding YAML or JSON).
fn source_of(value: &Value, field: FieldPath) -> Result<Option<Source>, CustomCheckError> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Null => return Ok(None),
        Value::Object(_) | Value::Bool(_) => {
            // A mapping is marshalled to JSON and treated like a string, so
            // `{{ }}` inside its strings is templated too.
            let text = value.to_string();
            if !template::is_template(&text) {
                return schema::compile(value)
                    .map(|c| Some(Source::Fixed(c)))
                    .map_err(|message| invalid_schema(field, value, message));
            }
            text
        }
        _ => {
            return Err(CustomCheckError::Invalid {
                field,
                message: "a schema must be a mapping or a string".to_string(),
            })
        }
    };
    if template::is_template(&text) {
        let t = Template::parse(&text)
            .map_err(|source| CustomCheckError::Template { field, source })?;
        return Ok(Some(Source::Templated(t)));
    }
    if text.trim().is_empty() {
        return Ok(None);
    }
    let parsed = parse_yaml(&text).map_err(|message| CustomCheckError::InvalidSchema {
        field: field.clone(),
        message: format!("not valid YAML or JSON: {message}"),
    })?;
    schema::compile(&parsed)
        .map(|c| Some(Source::Fixed(c)))
        .map_err(|message| CustomCheckError::InvalidSchema { field, message })
}

/// An invalid-schema error pointing inside a mapping schema when the
/// compiler says where (`… (at `/properties/x/type`)`).
fn invalid_schema(field: FieldPath, schema: &Value, message: String) -> CustomCheckError {
    if let Some((text, at)) = message
        .rsplit_once(" (at `")
        .and_then(|(m, r)| Some((m, r.strip_suffix("`)")?)))
    {
        let inner = pointer_to_path(&FieldPath::root(), schema, at);
        return CustomCheckError::InvalidSchema {
            field: field.join(&inner.nearest_existing(schema)),
            message: text.to_string(),
        };
    }
    CustomCheckError::InvalidSchema { field, message }
}

/// Compiles the custom check `id` from its config entry.
pub fn compile(id: &str, spec: &Value) -> Result<Box<dyn Check>, CustomCheckError> {
    compile_check(id, spec).map(|c| Box::new(c) as Box<dyn Check>)
}

/// Compiles the custom check `id` into its concrete type.
pub fn compile_check(id: &str, spec: &Value) -> Result<CustomCheck, CustomCheckError> {
    if !spec.is_object() {
        return Err(CustomCheckError::Invalid {
            field: FieldPath::root(),
            message: "a custom check must be a mapping".to_string(),
        });
    }
    let spec: Spec = serde_path_to_error::deserialize(spec).map_err(|e| {
        let field = from_serde_path(e.path());
        CustomCheckError::Invalid {
            field,
            message: e.into_inner().to_string(),
        }
    })?;
    let target_text = spec
        .target
        .clone()
        .unwrap_or_else(|| "Controller".to_string());
    let target = Target::parse(&target_text)?;
    let schema_target_pod_spec = match spec.schema_target.as_deref() {
        None | Some("") => false,
        Some("PodSpec") if target == Target::Container => true,
        Some(other) => {
            return Err(CustomCheckError::BadSchemaTarget {
                target: target_text,
                schema_target: other.to_string(),
            })
        }
    };
    let containers = spec.containers.unwrap_or_default();
    for (list, name) in [
        (&containers.include, "include"),
        (&containers.exclude, "exclude"),
    ] {
        for (i, v) in list.iter().enumerate() {
            if v != "initContainer" && v != "container" {
                return Err(CustomCheckError::Invalid {
                    field: FieldPath::keys("containers").key(name).index(i),
                    message: format!(
                        "unknown container type `{v}`: expected `initContainer` or `container`"
                    ),
                });
            }
        }
    }
    let controllers = spec.controllers.unwrap_or_default();
    // Kinds are matched exactly, as the API server spells them: a kind
    // written in another case would silently never match.
    for (list, name) in [
        (&controllers.include, "include"),
        (&controllers.exclude, "exclude"),
    ] {
        for (i, v) in list.iter().enumerate() {
            let known = CONTROLLER_KINDS
                .iter()
                .find(|k| k.eq_ignore_ascii_case(v) && **k != v.as_str());
            let lower = v.chars().next().is_some_and(|c| !c.is_ascii_uppercase());
            let message = match known {
                Some(k) => format!("unknown kind `{v}`: kinds are matched exactly; did you mean `{k}`?"),
                None if lower => format!(
                    "unknown kind `{v}`: a kind starts with an upper-case letter, as in `Deployment`"
                ),
                None => continue,
            };
            return Err(CustomCheckError::Invalid {
                field: FieldPath::keys("controllers").key(name).index(i),
                message,
            });
        }
    }

    // `schemaString` wins over `schema` when both are given (as in Polaris).
    let main = match (&spec.schema_string, &spec.schema) {
        (Some(s), _) if !s.trim().is_empty() => {
            source_of(&Value::String(s.clone()), FieldPath::keys("schemaString"))?
        }
        (_, Some(v)) => source_of(v, FieldPath::keys("schema"))?,
        _ => None,
    };
    let mut additional = Vec::new();
    let mut keys: BTreeMap<&String, (FieldPath, Value)> = BTreeMap::new();
    for (k, v) in &spec.additional_schemas {
        keys.insert(k, (FieldPath::keys("additionalSchemas").key(k), v.clone()));
    }
    for (k, v) in &spec.additional_schema_strings {
        keys.insert(
            k,
            (
                FieldPath::keys("additionalSchemaStrings").key(k),
                Value::String(v.clone()),
            ),
        );
    }
    for (key, (field, value)) in keys {
        let kind = key.rsplit('/').next().unwrap_or("").to_string();
        if !kind.starts_with(|c: char| c.is_ascii_uppercase()) {
            return Err(CustomCheckError::Invalid {
                field,
                message: format!("`{key}` is not a kind: expected `group/Kind`, `/Kind` or `Kind`"),
            });
        }
        if let Some(source) = source_of(&value, field)? {
            additional.push(Additional {
                key: key.clone(),
                kind,
                source,
            });
        }
    }
    if main.is_none() && additional.is_empty() {
        return Err(CustomCheckError::NoSchema);
    }
    let mut mutations = Vec::new();
    for (i, m) in spec.mutations.iter().enumerate() {
        mutations.push(
            Mutation::parse(m).map_err(|message| CustomCheckError::Invalid {
                field: FieldPath::keys("mutations").index(i),
                message,
            })?,
        );
    }
    let failure_message = spec
        .failure_message
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| format!("custom check `{id}` failed"));
    Ok(CustomCheck {
        id: id.to_string(),
        category: spec
            .category
            .filter(|c| !c.trim().is_empty())
            .unwrap_or_else(|| "Custom".to_string()),
        success_message: spec.success_message,
        failure_message,
        target,
        schema_target_pod_spec,
        controllers_include: controllers.include,
        controllers_exclude: controllers.exclude,
        containers_include: containers.include,
        containers_exclude: containers.exclude,
        main,
        additional,
        mutations,
        mutation_safety: spec.mutation_safety.unwrap_or(FixSafety::Unsafe),
        cache: Cache::default(),
    })
}

/// Turns a JSON Pointer into `base` + the segments it names inside `value`
/// (numeric segments are indexes where `value` holds a list there).
fn pointer_to_path(base: &FieldPath, value: &Value, pointer: &str) -> FieldPath {
    let mut out = base.clone();
    let Some(rest) = pointer.strip_prefix('/') else {
        return out;
    };
    let mut cur = Some(value);
    for raw in rest.split('/') {
        let seg = raw.replace("~1", "/").replace("~0", "~");
        match cur {
            Some(Value::Array(a)) => match seg.parse::<usize>() {
                Ok(i) => {
                    out.push_index(i);
                    cur = a.get(i);
                }
                Err(_) => {
                    out.push_key(&seg);
                    cur = None;
                }
            },
            Some(Value::Object(m)) => {
                cur = m.get(&seg);
                out.push_key(&seg);
            }
            _ => {
                match seg.parse::<usize>() {
                    Ok(i) => out.push_index(i),
                    Err(_) => out.push_key(&seg),
                }
                cur = None;
            }
        }
    }
    out
}

/// The built-in kinds with a pod template, as `controllers` names them
/// (any other kind, a CRD's, is taken as written).
const CONTROLLER_KINDS: &[&str] = &[
    "Pod",
    "ReplicationController",
    "PodTemplate",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
    "CronJob",
    "DeploymentConfig",
];

enum Outcome {
    Pass,
    Fail(FieldPath),
    /// The input does not hold what the check needs.
    Undecided(String),
    /// The check's template rendered no valid schema for this object.
    Fault(String),
}

impl CustomCheck {
    /// The check's target.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The message shown when the check passes, if configured.
    pub fn success_message(&self) -> Option<&str> {
        self.success_message.as_deref()
    }

    /// The message of its findings.
    pub fn failure_message(&self) -> &str {
        &self.failure_message
    }

    /// Kinds named by `additionalSchemas` (as written).
    pub fn additional_kinds(&self) -> impl Iterator<Item = &str> {
        self.additional.iter().map(|a| a.key.as_str())
    }

    /// Number of compiled templated schemas cached so far.
    pub fn cached_schemas(&self) -> usize {
        self.cache.len()
    }

    fn container_allowed(&self, c: &ContainerRef<'_>) -> bool {
        let name = c.role.polaris_name();
        (self.containers_include.is_empty() || self.containers_include.iter().any(|v| v == name))
            && !self.containers_exclude.iter().any(|v| v == name)
    }

    fn controller_allowed(&self, kind: &str) -> bool {
        (self.controllers_include.is_empty() || self.controllers_include.iter().any(|k| k == kind))
            && !self.controllers_exclude.iter().any(|k| k == kind)
    }

    /// The schema for this object: `Ok(None)` when a template renders to
    /// whitespace only (the schema is dropped).
    fn resolve(&self, source: &Source, data: &Data<'_>) -> Result<Option<Compiled>, String> {
        match source {
            Source::Fixed(c) => Ok(Some(c.clone())),
            Source::Templated(t) => {
                let text = t
                    .render(data)
                    .map_err(|e| format!("schema template failed: {e}"))?;
                if text.trim().is_empty() {
                    return Ok(None);
                }
                self.cache
                    .get_or_compile(&text, parse_yaml)
                    .map(Some)
                    .map_err(|e| format!("schema template rendered an invalid schema: {e}"))
            }
        }
    }

    fn evaluate(
        &self,
        cx: &Ctx<'_>,
        data: &Data<'_>,
        target: &Value,
        locate: &dyn Fn(&str) -> FieldPath,
    ) -> Outcome {
        if let Some(main) = &self.main {
            match self.resolve(main, data) {
                Err(e) => return Outcome::Fault(e),
                Ok(None) => {}
                // `is_valid` is much cheaper; errors (with their paths) are
                // only collected for failures.
                Ok(Some(v)) if !v.is_valid(target) => {
                    let at = v
                        .iter_errors(target)
                        .next()
                        .map(|err| err.instance_path().as_str().to_string())
                        .unwrap_or_default();
                    return Outcome::Fail(locate(&at));
                }
                Ok(Some(_)) => {}
            }
        }
        if self.additional.is_empty() {
            return Outcome::Pass;
        }
        let Some(index) = cx.index else {
            // Admission: no other objects to consult; the engine skips
            // cross-object checks there, so this is only reached by direct callers.
            return Outcome::Undecided(
                "additional schemas need the other objects of the run".into(),
            );
        };
        let ns = cx.namespace();
        for a in &self.additional {
            let schema = match self.resolve(&a.source, data) {
                Err(e) => return Outcome::Fault(e),
                Ok(None) => continue,
                Ok(Some(s)) => s,
            };
            let mut candidates = index.objects(&a.kind, ns).iter();
            let cluster: &[Value] = if ns.is_empty() {
                &[]
            } else {
                index.objects(&a.kind, "")
            };
            let found = candidates.any(|o| schema.is_valid(o))
                || cluster.iter().any(|o| schema.is_valid(o));
            if !found {
                if !index.covers(&a.kind) {
                    return Outcome::Undecided(format!(
                        "no {} in the input, and the input does not hold every {}",
                        a.key, a.kind
                    ));
                }
                return Outcome::Fail(locate(""));
            }
        }
        Outcome::Pass
    }
}

impl Check for CustomCheck {
    fn id(&self) -> &str {
        &self.id
    }

    fn category(&self) -> &str {
        &self.category
    }

    fn scope(&self) -> Scope {
        match self.target {
            Target::Controller | Target::PodSpec | Target::PodTemplate => Scope::Workload,
            Target::Container => Scope::Container(Roles::ALL),
            Target::Kind(_) => Scope::Object,
        }
    }

    fn applies_to_kind(&self, kind: &str) -> bool {
        let target_ok = match &self.target {
            Target::Kind(k) => k == kind,
            _ => true,
        };
        target_ok && self.controller_allowed(kind)
    }

    fn needs(&self) -> Vec<String> {
        let mut kinds: Vec<String> = self.additional.iter().map(|a| a.kind.clone()).collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }

    fn needs_full_object(&self) -> bool {
        !self.additional.is_empty()
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let workload = cx.workload();
        let data = Data {
            object: cx.object,
            pod_spec: workload.map(|w| w.pod_spec),
            pod_template: workload.map(|w| w.template),
            container: cx.container.map(|c| c.value),
        };
        // The value the schema sees, where it sits, and what mutations edit.
        let synthetic;
        let (target, base, edit_target, edit_base): (&Value, FieldPath, &Value, FieldPath) =
            match (&self.target, workload, cx.container) {
                (Target::Controller | Target::Kind(_), _, _) => {
                    (cx.object, FieldPath::root(), cx.object, FieldPath::root())
                }
                (Target::PodSpec, Some(w), _) => (
                    w.pod_spec,
                    w.pod_spec_path.clone(),
                    w.pod_spec,
                    w.pod_spec_path.clone(),
                ),
                (Target::PodTemplate, Some(w), _) => (
                    w.template,
                    w.template_path.clone(),
                    w.template,
                    w.template_path.clone(),
                ),
                (Target::Container, Some(w), Some(c)) => {
                    if !self.container_allowed(c) {
                        out.not_applicable();
                        return;
                    }
                    if self.schema_target_pod_spec {
                        let mut spec = w.pod_spec.clone();
                        if let Some(m) = spec.as_object_mut() {
                            m.insert("initContainers".into(), Value::Array(Vec::new()));
                            m.insert("containers".into(), Value::Array(vec![c.value.clone()]));
                        }
                        synthetic = spec;
                        (&synthetic, w.pod_spec_path.clone(), c.value, c.path.clone())
                    } else {
                        (c.value, c.path.clone(), c.value, c.path.clone())
                    }
                }
                _ => {
                    out.not_applicable();
                    return;
                }
            };
        let container_path = cx.container.map(|c| c.path.clone());
        let container_value = cx.container.map(|c| c.value);
        let synthetic_spec = self.schema_target_pod_spec;
        let locate = |pointer: &str| -> FieldPath {
            if synthetic_spec {
                if let (Some(cp), Some(cv)) = (&container_path, container_value) {
                    if let Some(rest) = pointer.strip_prefix("/containers/0") {
                        return pointer_to_path(cp, cv, rest);
                    }
                    if pointer.starts_with("/initContainers") {
                        return base.clone();
                    }
                }
            }
            pointer_to_path(&base, target, pointer)
        };
        match self.evaluate(cx, &data, target, &locate) {
            Outcome::Pass => {}
            Outcome::Undecided(reason) => out.not_evaluated(reason),
            Outcome::Fault(reason) => out.check_at_fault(reason),
            Outcome::Fail(path) => {
                let hit = out.fail(path, self.failure_message.clone());
                if !self.mutations.is_empty() {
                    let ops = mutation::to_patch(&self.mutations, edit_target, &edit_base);
                    if !ops.is_empty() {
                        hit.with_fix(ops, self.mutation_safety);
                    }
                }
            }
        }
    }
}
