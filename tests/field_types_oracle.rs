//! eyelint refuses a field's type exactly where the Kubernetes schemas do,
//! for every field its rules read (`eyelint_policies::field_types`), and
//! nowhere else on real manifests.
//!
//! The reference is kubernetes-validate 1.37.0 (PyPI): its JSON schemas of
//! the Kubernetes API, read by `tests/field_types_oracle.py` through
//! `tests/python-oracle.sh`, which installs it into
//! `tests/.venv-kubernetes-validate` on first use.
//!
//! - Generated cases: every field of the table, under each kind that has it,
//!   given each of eight values (a boolean, whole and fractional numbers,
//!   strings that read as a word, a boolean and a number, an empty list, an
//!   empty mapping), one object per file. eyelint and the schema must
//!   refuse the same paths in every file. `null` is left out: the API
//!   server's decoder takes it anywhere (as the zero value), where the
//!   schema marks some fields as not nullable.
//! - `metadata` against kubectl's own decoder (`kubectl label --local`,
//!   which decodes `ObjectMeta` offline), with `null` among the values.
//! - `../shared/corpus` and `../shared/corpus_fixtures`: every type eyelint
//!   refuses, the schema refuses too (or has no schema for the object).
//!
//! Skips (with a message) when python3 cannot create virtualenvs or PyPI is
//! unreachable; the corpus part also when ../shared is absent.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use eyelint_policies::field_types::{self, Ty};
use serde_json::{json, Value};

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index,
}

/// Every node of `ty`'s tree below `at`: a field of a `Fields` table, the
/// value of one key of a `MapOf`, the first entry of a `ListOf`.
fn nodes(ty: Ty, at: &[Step], out: &mut Vec<(Vec<Step>, Ty)>) {
    let below: Vec<(Step, Ty)> = match ty {
        Ty::Fields(table) => table
            .fields
            .iter()
            .map(|(name, inner)| (Step::Key((*name).to_string()), *inner))
            .collect(),
        // A key that a path names in brackets, as label keys usually are.
        Ty::MapOf(inner) => vec![(Step::Key("app.kubernetes.io/name".to_string()), *inner)],
        Ty::ListOf(inner) => vec![(Step::Index, *inner)],
        _ => Vec::new(),
    };
    for (step, inner) in below {
        let mut path = at.to_vec();
        path.push(step);
        out.push((path.clone(), inner));
        nodes(inner, &path, out);
    }
}

/// Sets `v` at `path` in `object`, making the mappings and one-entry lists
/// on the way.
fn set_at(object: &mut Value, path: &[Step], v: Value) {
    let Some((last, up)) = path.split_last() else {
        *object = v;
        return;
    };
    let mut here = object;
    for (i, step) in up.iter().enumerate() {
        let fresh = match path.get(i + 1) {
            Some(Step::Index) => json!([]),
            _ => json!({}),
        };
        here = match step {
            Step::Key(k) => here
                .as_object_mut()
                .expect("a mapping on the way")
                .entry(k.clone())
                .or_insert(fresh),
            Step::Index => {
                let list = here.as_array_mut().expect("a list on the way");
                if list.is_empty() {
                    list.push(fresh);
                }
                &mut list[0]
            }
        };
    }
    match last {
        Step::Key(k) => {
            here.as_object_mut()
                .expect("a mapping")
                .insert(k.clone(), v);
        }
        Step::Index => {
            let list = here.as_array_mut().expect("a list");
            list.clear();
            list.push(v);
        }
    }
}

fn keys(dotted: &str) -> Vec<Step> {
    dotted
        .split('.')
        .filter(|k| !k.is_empty())
        .flat_map(|k| match k.strip_suffix("[0]") {
            Some(k) => vec![Step::Key(k.to_string()), Step::Index],
            None => vec![Step::Key(k.to_string())],
        })
        .collect()
}

/// The kinds whose fields the table types, each with where its parts are.
struct Root {
    api_version: &'static str,
    kind: &'static str,
    /// A well-typed skeleton the cases are written into.
    skeleton: Value,
    /// (where, type): the object's own top level, pod templates' metadata,
    /// pod specs, containers.
    parts: Vec<(&'static str, Ty)>,
}

fn roots() -> Vec<Root> {
    let container = json!({"name": "c", "image": "nginx:1.27"});
    let top = |api: &str, kind: &str| field_types::top_level(field_types::group_of(api), kind);
    let mut roots = vec![
        Root {
            api_version: "v1",
            kind: "Pod",
            skeleton: json!({"spec": {"containers": [container.clone()]}}),
            parts: vec![
                ("spec", field_types::POD_SPEC),
                ("spec.containers[0]", field_types::CONTAINER),
                ("spec.initContainers[0]", field_types::CONTAINER),
                ("spec.ephemeralContainers[0]", field_types::CONTAINER),
            ],
        },
        Root {
            api_version: "batch/v1",
            kind: "CronJob",
            skeleton: json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {
                "containers": [container.clone()]}}}}}}),
            parts: vec![
                (
                    "spec.jobTemplate.spec.template.metadata",
                    field_types::METADATA,
                ),
                ("spec.jobTemplate.spec.template.spec", field_types::POD_SPEC),
                (
                    "spec.jobTemplate.spec.template.spec.containers[0]",
                    field_types::CONTAINER,
                ),
            ],
        },
    ];
    for (api, kind) in [
        ("apps/v1", "Deployment"),
        ("apps/v1", "StatefulSet"),
        ("apps/v1", "DaemonSet"),
        ("apps/v1", "ReplicaSet"),
        ("v1", "ReplicationController"),
        ("batch/v1", "Job"),
    ] {
        let mut parts: Vec<(&'static str, Ty)> =
            top(api, kind).map(|ty| ("", ty)).into_iter().collect();
        // Every kind once; the pod template's parts under Deployment only
        // (the same code walks every controller's template).
        if kind == "Deployment" {
            parts.extend([
                ("spec.template.metadata", field_types::METADATA),
                ("spec.template.spec", field_types::POD_SPEC),
                ("spec.template.spec.containers[0]", field_types::CONTAINER),
            ]);
        }
        roots.push(Root {
            api_version: api,
            kind,
            skeleton: json!({"spec": {"template": {"spec": {"containers": [container.clone()]}}}}),
            parts,
        });
    }
    for (api, kind) in [
        ("autoscaling/v2", "HorizontalPodAutoscaler"),
        ("autoscaling/v1", "HorizontalPodAutoscaler"),
        ("policy/v1", "PodDisruptionBudget"),
        ("networking.k8s.io/v1", "NetworkPolicy"),
        ("networking.k8s.io/v1", "Ingress"),
        ("v1", "ConfigMap"),
        ("v1", "ServiceAccount"),
        ("rbac.authorization.k8s.io/v1", "Role"),
        ("rbac.authorization.k8s.io/v1", "ClusterRole"),
        ("rbac.authorization.k8s.io/v1", "RoleBinding"),
        ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ] {
        let parts = top(api, kind).map(|ty| ("", ty)).into_iter().collect();
        roots.push(Root {
            api_version: api,
            kind,
            skeleton: json!({}),
            parts,
        });
    }
    // Every object's metadata, once.
    roots[0].parts.push(("metadata", field_types::METADATA));
    roots
}

/// The eight values each field is given.
fn samples() -> Vec<Value> {
    vec![
        json!(true),
        json!(3),
        json!(2.5),
        json!("x"),
        json!("true"),
        json!("3"),
        json!([]),
        json!({}),
    ]
}

/// Writes one file per case into `dir`; returns what each file holds.
fn write_cases(dir: &Path) -> BTreeMap<String, String> {
    let mut cases = BTreeMap::new();
    let mut n = 0;
    for root in roots() {
        for (part, ty) in &root.parts {
            let base = keys(part);
            let mut found = Vec::new();
            nodes(*ty, &base, &mut found);
            for (path, _) in found {
                for v in samples() {
                    let mut object = root.skeleton.clone();
                    object["apiVersion"] = json!(root.api_version);
                    object["kind"] = json!(root.kind);
                    object["metadata"] = json!({"name": format!("case-{n}")});
                    set_at(&mut object, &path, v.clone());
                    let file = dir.join(format!("case-{n:05}.json"));
                    std::fs::write(&file, serde_json::to_vec_pretty(&object).expect("json"))
                        .expect("write a case");
                    cases.insert(
                        file.to_string_lossy().into_owned(),
                        format!("{} {}: {path:?} = {v}", root.api_version, root.kind),
                    );
                    n += 1;
                }
            }
        }
    }
    cases
}

/// The paths eyelint refuses for their type, per file, from its JSON report.
fn eyelint_refusals(report: &Value) -> BTreeMap<String, BTreeSet<String>> {
    refusals(report, |message| {
        let (path, rest) = message.split_once(" is ")?;
        let typed = ["a ", "an ", "nothing"].iter().any(|p| rest.starts_with(p))
            && rest.contains(", not a");
        (typed && !path.contains(' ')).then_some(path)
    })
}

/// The paths of the input errors `path_of` recognises, per file.
fn refusals<'r>(
    report: &'r Value,
    path_of: impl Fn(&'r str) -> Option<&'r str>,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for e in report["errors"].as_array().into_iter().flatten() {
        let (Some(file), Some(message)) = (e["file"].as_str(), e["message"].as_str()) else {
            continue;
        };
        if let Some(path) = path_of(message) {
            out.entry(file.to_string())
                .or_default()
                .insert(path.to_string());
        }
    }
    out
}

/// Asserts that eyelint (`ours`) and the schema (`theirs`) refuse the same
/// paths in every case file; returns how many cases the schema refuses.
fn assert_alike(
    cases: &BTreeMap<String, String>,
    ours: &BTreeMap<String, BTreeSet<String>>,
    theirs: &BTreeMap<String, (BTreeSet<String>, u64)>,
) -> usize {
    let none = BTreeSet::new();
    let mut differ = Vec::new();
    let mut refused = 0;
    for (file, what) in cases {
        let mine = ours.get(file).unwrap_or(&none);
        let schema = theirs.get(file).map_or(&none, |(paths, _)| paths);
        if mine != schema {
            differ.push(format!(
                "{what}\n  eyelint: {mine:?}\n  schema:  {schema:?}"
            ));
        }
        refused += usize::from(!schema.is_empty());
    }
    assert!(
        differ.is_empty(),
        "{} of {} cases differ:\n{}",
        differ.len(),
        cases.len(),
        differ.join("\n")
    );
    refused
}

/// A temporary directory with an empty `cases` directory in it.
fn case_dir() -> (tempfile::TempDir, PathBuf) {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path().join("cases");
    std::fs::create_dir(&dir).expect("mkdir");
    (work, dir)
}

/// The schema's type errors and unjudged objects per file.
fn oracle(out: &Path, paths: &[&Path]) -> Option<BTreeMap<String, (BTreeSet<String>, u64)>> {
    oracle_run(out, paths, false, "errors")
}

/// With `strict`, the strict schemas; `field` is what to collect per file
/// (`errors`: type errors; `unknown`: fields the schema does not define).
fn oracle_run(
    out: &Path,
    paths: &[&Path],
    strict: bool,
    field: &str,
) -> Option<BTreeMap<String, (BTreeSet<String>, u64)>> {
    let mut cmd = common::python_oracle("field_types_oracle.py");
    if strict {
        cmd.arg("--strict");
    }
    cmd.arg(out).args(paths);
    let result = common::run_json_script(cmd, "kubernetes-validate", out)?;
    let files = result["files"].as_object().expect("files");
    Some(
        files
            .iter()
            .map(|(f, v)| {
                let errors = v[field]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| p.as_str().map(str::to_string))
                    .collect();
                (f.clone(), (errors, v["unjudged"].as_u64().unwrap_or(0)))
            })
            .collect(),
    )
}

fn eyelint_report(dir: &Path, paths: &[&Path]) -> Value {
    let report = dir.join("eyelint.json");
    let mut args = vec!["-f", "json", "--fail-on", "never", "-o"];
    let report_arg = report.to_string_lossy().into_owned();
    args.push(&report_arg);
    let path_args: Vec<String> = paths
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    args.extend(path_args.iter().map(String::as_str));
    let run = common::eyelint(dir, &args, None);
    assert!(
        run.code == 0 || run.code == 2,
        "eyelint failed: {}",
        run.stderr
    );
    serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("report json")
}

#[test]
fn eyelint_refuses_field_types_exactly_where_the_schema_does() {
    if !common::python_venv_or_skip() {
        return;
    }
    let (work, cases_dir) = case_dir();
    let cases = write_cases(&cases_dir);
    let Some(schema) = oracle(&work.path().join("oracle.json"), &[&cases_dir]) else {
        return;
    };
    let report = eyelint_report(work.path(), &[&cases_dir]);
    let refusing = assert_alike(&cases, &eyelint_refusals(&report), &schema);
    let accepting = cases.len() - refusing;
    // The table was exercised both ways.
    assert!(
        refusing > 1_500 && accepting > 500,
        "{refusing} refused, {accepting} accepted"
    );
    eprintln!(
        "{} generated cases: {refusing} refused and {accepting} accepted by both eyelint and the schema",
        cases.len()
    );
}

#[test]
fn every_type_eyelint_refuses_in_real_manifests_the_schema_refuses() {
    let Some(shared) = common::shared() else {
        eprintln!("SKIP: ../shared not found");
        return;
    };
    if !common::python_venv_or_skip() {
        return;
    }
    let dirs: Vec<_> = ["corpus", "corpus_fixtures"]
        .iter()
        .map(|d| std::fs::canonicalize(shared.join(d)).expect("shared directory"))
        .collect();
    let dir_refs: Vec<&Path> = dirs.iter().map(|d| d.as_path()).collect();
    let work = tempfile::tempdir().expect("tempdir");
    let Some(schema) = oracle(&work.path().join("oracle.json"), &dir_refs) else {
        return;
    };
    let report = eyelint_report(work.path(), &dir_refs);
    let (mut confirmed, mut unjudged, mut wrong) = (0, 0, Vec::new());
    for (file, paths) in eyelint_refusals(&report) {
        let (errors, no_schema) = schema.get(&file).cloned().unwrap_or_default();
        for path in paths {
            if errors.contains(&path) {
                confirmed += 1;
            } else if no_schema > 0 {
                unjudged += 1;
            } else {
                wrong.push(format!("{file}: {path}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "eyelint refuses types the schema accepts:\n{}",
        wrong.join("\n")
    );
    assert!(
        confirmed >= 1,
        "no refusal was confirmed: the comparison saw nothing"
    );
    let schema_errors: usize = schema.values().map(|(e, _)| e.len()).sum();
    eprintln!(
        "real manifests: {confirmed} type refusals confirmed by the schema, {unjudged} in files with objects it has no schema for; the schema finds {schema_errors} type errors in all"
    );
}

#[test]
fn pod_spec_fields_above_the_pod_spec_are_refused_where_the_strict_schema_refuses_them() {
    // A container indented under `spec.template` instead of
    // `spec.template.spec` was not judged at all, and the run passed.
    if !common::python_venv_or_skip() {
        return;
    }
    let (work, dir) = case_dir();
    // Each built-in kind, with the mappings from its root to its pod
    // template (Kubernetes' own layout, written here independently).
    let kinds: [(&str, &str, &[&str]); 9] = [
        ("v1", "Pod", &[]),
        ("v1", "PodTemplate", &["template"]),
        ("v1", "ReplicationController", &["spec", "template"]),
        ("apps/v1", "Deployment", &["spec", "template"]),
        ("apps/v1", "StatefulSet", &["spec", "template"]),
        ("apps/v1", "DaemonSet", &["spec", "template"]),
        ("apps/v1", "ReplicaSet", &["spec", "template"]),
        ("batch/v1", "Job", &["spec", "template"]),
        (
            "batch/v1",
            "CronJob",
            &["spec", "jobTemplate", "spec", "template"],
        ),
    ];
    let mut cases = BTreeMap::new();
    let mut n = 0;
    for (api, kind, to_template) in kinds {
        let mut skeleton = json!({"apiVersion": api, "kind": kind, "metadata": {"name": "case"}});
        let pod_spec: Vec<Step> = to_template
            .iter()
            .chain(["spec"].iter())
            .map(|k| Step::Key((*k).to_string()))
            .collect();
        set_at(
            &mut skeleton,
            &pod_spec,
            json!({"containers": [{"name": "c", "image": "nginx:1.27"}]}),
        );
        // The control: the skeleton alone.
        let levels = (0..=to_template.len()).map(|i| &to_template[..i]);
        for (level, key) in levels
            .flat_map(|l| field_types::POD_SPEC_ONLY.iter().map(move |k| (l, *k)))
            .chain([(&to_template[..0], "")])
        {
            let mut object = skeleton.clone();
            if !key.is_empty() {
                let mut path: Vec<Step> =
                    level.iter().map(|k| Step::Key((*k).to_string())).collect();
                path.push(Step::Key(key.to_string()));
                set_at(&mut object, &path, json!([]));
            }
            let file = dir.join(format!("case-{n:04}.json"));
            std::fs::write(&file, serde_json::to_vec_pretty(&object).expect("json"))
                .expect("write");
            cases.insert(
                file.to_string_lossy().into_owned(),
                format!("{api} {kind}: {} {key}", level.join(".")),
            );
            n += 1;
        }
    }
    let Some(schema) = oracle_run(&work.path().join("oracle.json"), &[&dir], true, "unknown")
    else {
        return;
    };
    let report = eyelint_report(work.path(), &[&dir]);
    let ours = refusals(&report, |m| {
        m.split_once(" belongs in the pod spec")
            .map(|(path, _)| path)
    });
    let refused = assert_alike(&cases, &ours, &schema);
    assert!(refused > 400, "only {refused} cases refused");
    eprintln!(
        "{} cases: {refused} pod spec fields above the pod spec, refused by both",
        cases.len()
    );
}

#[test]
fn metadata_types_are_refused_as_kubectl_decodes_them() {
    // kubectl decodes `metadata` into its Go type even offline (`kubectl
    // label --local`): the real decoder, with its leniencies (`null`), is a
    // second reference for the metadata part of the table.
    let kubectl_ok = Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !kubectl_ok {
        eprintln!("SKIP: kubectl is not on PATH");
        return;
    }
    let (work, dir) = case_dir();
    let mut found = Vec::new();
    nodes(
        field_types::METADATA,
        &[Step::Key("metadata".to_string())],
        &mut found,
    );
    let mut values = samples();
    values.push(Value::Null);
    let mut cases = Vec::new();
    for (path, _) in &found {
        for v in &values {
            let mut object =
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "case"}});
            set_at(&mut object, path, v.clone());
            let file = dir.join(format!("case-{:04}.json", cases.len()));
            std::fs::write(&file, serde_json::to_vec(&object).expect("json")).expect("write");
            cases.push((file, format!("{path:?} = {v}")));
        }
    }
    let report = eyelint_report(work.path(), &[&dir]);
    let refused = eyelint_refusals(&report);
    let (mut compared, mut differ) = (0, Vec::new());
    for (file, what) in &cases {
        let out = Command::new("kubectl")
            .args(["label", "--local", "-o", "json", "a=b", "-f"])
            .arg(file)
            .output()
            .expect("run kubectl");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let kubectl_refuses = !out.status.success();
        if kubectl_refuses && !stderr.contains("cannot unmarshal") {
            continue; // refused for another reason (an empty name): not a type
        }
        compared += 1;
        let ours = refused.contains_key(&*file.to_string_lossy());
        if ours != kubectl_refuses {
            differ.push(format!(
                "{what}: eyelint refuses {ours}, kubectl {kubectl_refuses}: {stderr}"
            ));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {compared} differ:\n{}",
        differ.len(),
        differ.join("\n")
    );
    assert!(compared > 80, "only {compared} cases compared");
    eprintln!("{compared} metadata cases: eyelint and kubectl's decoder refuse the same");
}
