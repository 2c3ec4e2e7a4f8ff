//! Custom checks: targets, filters, aliases, templating, additional schemas,
//! mutations, errors, and KubeEye's README rule verbatim.

use eyelint_policies::config::load_config;
use eyelint_policies::custom::{self, CustomCheckError};
use eyelint_policies::engine::Check;
use eyelint_policies::rule::{Ctx, Emitter, Verdict};
use eyelint_policies::{Coverage, Engine, Finding, FixSafety, ObjectRef, Pass, Role, Workload};
use serde_json::{json, Value};

fn engine(cfg: &str) -> Engine {
    let loaded = load_config(cfg, "test.yaml", false)
        .unwrap_or_else(|e| panic!("config rejected: {}", e.to_short_string()));
    Engine::new(loaded.config).expect("engine")
}

fn obj(y: &str) -> Value {
    eyelint_policies::yaml::load_one(y).expect("yaml").value
}

fn hits(e: &Engine, o: &Value, id: &str) -> Vec<Finding> {
    e.check(o, None, Pass::All)
        .findings
        .into_iter()
        .filter(|f| &*f.id == id)
        .collect()
}

fn deployment(image: &str) -> Value {
    obj(&format!(
        r#"
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: shop, labels: {{app: web}}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web, tier: front}}}}
    spec:
      initContainers:
      - {{name: init, image: busybox:1.36}}
      - {{name: proxy, image: envoy:1.30, restartPolicy: Always}}
      containers:
      - name: app
        image: {image}
        securityContext: {{runAsNonRoot: true}}
"#
    ))
}

const KUBEEYE_RULE: &str = include_str!("fixtures/kubeeye-unauthorized-registry.yaml");

#[test]
fn kubeeye_readme_rule_works_verbatim() {
    let e = engine(KUBEEYE_RULE);
    let bad = deployment("quay.io/acme/web:1.0");
    let f = hits(&e, &bad, "imageFromUnauthorizedRegistry");
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(
        f[0].message,
        "When the corresponding rule does not match. Show that image from an unauthorized registry."
    );
    assert_eq!(&*f[0].category, "Images");
    assert_eq!(f[0].severity, eyelint_policies::Severity::Warning);
    assert_eq!(
        f[0].path.to_string(),
        "spec.template.spec.containers[0].image"
    );
    let c = f[0].container.as_ref().expect("container");
    assert_eq!((c.name.as_ref(), c.role), ("app", Role::Container));

    let good = deployment("registry.example.com/acme/web:1.0");
    assert!(hits(&e, &good, "imageFromUnauthorizedRegistry").is_empty());
}

#[test]
fn container_target_sees_init_containers_and_sidecars_and_filters_apply() {
    let cfg = |filter: &str| {
        format!(
            r#"
checks: {{noBusybox: danger}}
customChecks:
  noBusybox:
    failureMessage: busybox is not allowed
    target: Container
    {filter}
    schema:
      properties:
        image: {{not: {{pattern: "^(busybox|envoy)"}}}}
"#
        )
    };
    let d = deployment("nginx:1.25");
    let names = |e: &Engine| -> Vec<String> {
        hits(e, &d, "noBusybox")
            .into_iter()
            .map(|f| f.container.map(|c| c.name.to_string()).unwrap_or_default())
            .collect()
    };
    // Both init containers are judged; a native sidecar counts as an initContainer.
    assert_eq!(names(&engine(&cfg(""))), ["init", "proxy"]);
    assert_eq!(
        names(&engine(&cfg("containers: {exclude: [initContainer]}"))),
        Vec::<String>::new()
    );
    assert_eq!(
        names(&engine(&cfg("containers: {include: [initContainer]}"))),
        ["init", "proxy"]
    );
    assert_eq!(
        names(&engine(&cfg("controllers: {exclude: [Deployment]}"))),
        Vec::<String>::new()
    );
    assert_eq!(
        names(&engine(&cfg("controllers: {include: [StatefulSet]}"))),
        Vec::<String>::new()
    );
    assert_eq!(
        names(&engine(&cfg("controllers: {include: [Deployment]}"))),
        ["init", "proxy"]
    );
}

#[test]
fn pod_spec_pod_template_and_controller_targets() {
    let e = engine(
        r#"
checks: {noHostNet: danger, teamAnnotation: warning, ownerLabel: warning}
customChecks:
  noHostNet:
    failureMessage: host network is used
    target: PodSpec
    schema:
      properties:
        hostNetwork: {const: false}
  teamAnnotation:
    failureMessage: pods need a team annotation
    target: PodTemplate
    schema:
      properties:
        metadata:
          required: [annotations]
  ownerLabel:
    failureMessage: objects need an owner label
    target: Controller
    schema:
      properties:
        metadata:
          properties:
            labels: {required: [owner]}
"#,
    );
    let mut d = deployment("nginx:1");
    d["spec"]["template"]["spec"]["hostNetwork"] = json!(true);
    let host = hits(&e, &d, "noHostNet");
    assert_eq!(host.len(), 1);
    assert_eq!(host[0].path.to_string(), "spec.template.spec.hostNetwork");
    assert!(host[0].container.is_none());
    let team = hits(&e, &d, "teamAnnotation");
    assert_eq!(team[0].path.to_string(), "spec.template.metadata");
    let owner = hits(&e, &d, "ownerLabel");
    assert_eq!(owner[0].path.to_string(), "metadata.labels");

    // A naked Pod is its own pod template and controller.
    let pod = obj(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {owner: me}, annotations: {a: b}}\nspec: {hostNetwork: true, containers: [{name: c, image: x:1}]}\n",
    );
    assert_eq!(
        hits(&e, &pod, "noHostNet")[0].path.to_string(),
        "spec.hostNetwork"
    );
    assert!(hits(&e, &pod, "teamAnnotation").is_empty());
    assert!(hits(&e, &pod, "ownerLabel").is_empty());

    // Workload targets never run on objects without a pod spec.
    let svc = obj("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: []}\n");
    assert!(e.check(&svc, None, Pass::All).findings.is_empty());
}

#[test]
fn schema_target_pod_spec_combines_pod_and_container_settings() {
    let e = engine(
        r#"
checks: {nonRoot: danger}
customChecks:
  nonRoot:
    failureMessage: should not run as root
    target: Container
    schemaTarget: PodSpec
    containers: {exclude: [initContainer]}
    schema:
      anyOf:
      - properties:
          securityContext: {properties: {runAsNonRoot: {const: true}}, required: [runAsNonRoot]}
        required: [securityContext]
      - properties:
          containers:
            items:
              properties:
                securityContext: {properties: {runAsNonRoot: {const: true}}, required: [runAsNonRoot]}
              required: [securityContext]
"#,
    );
    let d = deployment("nginx:1");
    // app sets runAsNonRoot itself; init containers are excluded.
    assert!(hits(&e, &d, "nonRoot").is_empty());
    let mut d2 = d.clone();
    d2["spec"]["template"]["spec"]["containers"][0]
        .as_object_mut()
        .unwrap()
        .remove("securityContext");
    let f = hits(&e, &d2, "nonRoot");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].path.to_string(), "spec.template.spec");
    // Pod-level setting satisfies it.
    d2["spec"]["template"]["spec"]["securityContext"] = json!({"runAsNonRoot": true});
    assert!(hits(&e, &d2, "nonRoot").is_empty());
}

#[test]
fn schema_target_pod_spec_paths_point_into_the_container() {
    let e = engine(
        r#"
checks: {pinned: warning}
customChecks:
  pinned:
    target: Container
    schemaTarget: PodSpec
    schema:
      properties:
        containers:
          items:
            properties:
              image: {pattern: "@sha256:"}
"#,
    );
    let f = hits(&e, &deployment("nginx:1"), "pinned");
    let paths: Vec<String> = f.iter().map(|f| f.path.to_string()).collect();
    assert_eq!(
        paths,
        [
            "spec.template.spec.containers[0].image",
            "spec.template.spec.initContainers[0].image",
            "spec.template.spec.initContainers[1].image",
        ]
    );
    assert_eq!(f[0].message, "custom check `pinned` failed");
    assert_eq!(&*f[0].category, "Custom");
}

#[test]
fn kind_targets_match_on_the_kind_suffix() {
    for target in ["ConfigMap", "/ConfigMap", "v1/ConfigMap", "core/ConfigMap"] {
        let e = engine(&format!(
            r#"
checks: {{smallConfig: warning}}
customChecks:
  smallConfig:
    failureMessage: too many keys
    target: {target}
    schema:
      properties:
        data: {{maxProperties: 1}}
"#
        ));
        let cm =
            obj("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '1', b: '2'}\n");
        let f = hits(&e, &cm, "smallConfig");
        assert_eq!(f.len(), 1, "target {target}");
        assert_eq!(f[0].path.to_string(), "data");
        let secret =
            obj("apiVersion: v1\nkind: Secret\nmetadata: {name: c}\ndata: {a: '1', b: '2'}\n");
        assert!(
            hits(&e, &secret, "smallConfig").is_empty(),
            "target {target}"
        );
        // A kind target also judges pod-bearing objects of that kind only.
        assert!(hits(&e, &deployment("x:1"), "smallConfig").is_empty());
    }
    let e = engine(
        r#"
checks: {tlsIngress: warning}
customChecks:
  tlsIngress:
    target: networking.k8s.io/Ingress
    schema: {properties: {spec: {required: [tls]}}}
"#,
    );
    let ing = obj(
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec: {rules: []}\n",
    );
    assert_eq!(hits(&e, &ing, "tlsIngress")[0].path.to_string(), "spec");
}

#[test]
fn aliases_json_schema_and_prompt_message() {
    let e = engine(
        r#"
checks: {tagged: danger}
customChecks:
  tagged:
    promptMessage: image needs a tag
    target: Container
    jsonSchema: |
      {"properties": {"image": {"pattern": ":"}}}
"#,
    );
    let f = hits(&e, &deployment("nginx"), "tagged");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].message, "image needs a tag");
    assert!(hits(&e, &deployment("nginx:1"), "tagged").is_empty());
}

#[test]
fn schema_string_in_yaml_and_templated_with_object_fields() {
    let e = engine(
        r#"
checks: {nameLabel: warning, containerNamed: warning}
customChecks:
  nameLabel:
    failureMessage: the app label must equal the name
    target: Controller
    schemaString: |
      type: object
      properties:
        metadata:
          properties:
            labels:
              required: [app]
              properties:
                app: {const: "{{ .metadata.name }}"}
  containerNamed:
    failureMessage: image must mention the container name
    target: Container
    containers: {exclude: [initContainer]}
    schemaString: |
      properties:
        image:
          pattern: "{{ .Polaris.Container.name }}"
"#,
    );
    let d = deployment("nginx:1");
    assert!(hits(&e, &d, "nameLabel").is_empty());
    let mut d2 = d.clone();
    d2["metadata"]["name"] = json!("other");
    assert_eq!(
        hits(&e, &d2, "nameLabel")[0].path.to_string(),
        "metadata.labels.app"
    );
    assert_eq!(hits(&e, &d, "containerNamed").len(), 1);
    assert!(hits(
        &e,
        &deployment("registry.example.com/app:1"),
        "containerNamed"
    )
    .is_empty());
}

#[test]
fn templated_mapping_schema_is_templated_too() {
    let e = engine(
        r#"
checks: {sameNs: warning}
customChecks:
  sameNs:
    target: Controller
    schema:
      properties:
        metadata:
          properties:
            labels:
              properties:
                app: {const: "{{ .metadata.name }}"}
"#,
    );
    assert!(hits(&e, &deployment("x:1"), "sameNs").is_empty());
    let mut d = deployment("x:1");
    d["metadata"]["labels"]["app"] = json!("nope");
    assert_eq!(hits(&e, &d, "sameNs").len(), 1);
}

/// A PodDisruptionBudget check built the way Polaris builds
/// missingPodDisruptionBudget: the PDB's matchLabels must equal one of the
/// pod template's labels, with `anyOf` built by ranging over them.
const PDB_CHECK: &str = r#"
checks: {needsPdb: warning}
customChecks:
  needsPdb:
    failureMessage: no PodDisruptionBudget selects these pods
    target: Controller
    controllers: {include: [Deployment, StatefulSet]}
    schema: {type: object}
    additionalSchemaStrings:
      policy/PodDisruptionBudget: |
        type: object
        properties:
          spec:
            type: object
            required: [selector]
            properties:
              selector:
                type: object
                required: [matchLabels]
                properties:
                  matchLabels:
                    type: object
                    anyOf:
                    {{- range $key, $value := .spec.template.metadata.labels }}
                    - properties:
                        "{{ $key }}": {const: "{{ $value }}"}
                      required: ["{{ $key }}"]
                    {{- end }}
"#;

fn pdb(ns: &str, labels: Value) -> Value {
    json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
           "metadata": {"name": "pdb", "namespace": ns},
           "spec": {"minAvailable": 1, "selector": {"matchLabels": labels}}})
}

#[test]
fn additional_schemas_consult_other_objects_in_the_namespace() {
    let e = engine(PDB_CHECK);
    assert!(e.index_kinds().contains("PodDisruptionBudget"));
    let d = deployment("x:1");
    let run = |objs: Vec<Value>| -> usize {
        e.check_all(&objs, Coverage::All)[0]
            .findings
            .iter()
            .filter(|f| &*f.id == "needsPdb")
            .count()
    };
    assert_eq!(run(vec![d.clone()]), 1, "no PDB at all");
    assert_eq!(
        run(vec![d.clone(), pdb("shop", json!({"tier": "front"}))]),
        0
    );
    assert_eq!(run(vec![d.clone(), pdb("shop", json!({"app": "web"}))]), 0);
    assert_eq!(
        run(vec![d.clone(), pdb("shop", json!({"app": "db"}))]),
        1,
        "wrong labels"
    );
    assert_eq!(
        run(vec![d.clone(), pdb("other", json!({"app": "web"}))]),
        1,
        "other namespace"
    );
    assert_eq!(
        run(vec![
            d.clone(),
            pdb("other", json!({"app": "db"})),
            pdb("shop", json!({"app": "web"}))
        ]),
        0
    );
    // The finding points at the object.
    let ev = e.check_all(std::slice::from_ref(&d), Coverage::All);
    let f = ev[0]
        .findings
        .iter()
        .find(|f| &*f.id == "needsPdb")
        .expect("finding");
    assert_eq!(f.path.to_string(), "");

    // Admission: no index, so the cross-object check does not run.
    assert!(hits(&e, &d, "needsPdb").is_empty());

    // A source that does not hold PDBs cannot decide.
    let mut idx = e.new_index(Coverage::Kinds(Default::default()));
    idx.add(&d);
    let ev = e.check(&d, Some(&idx), Pass::All);
    assert!(ev.findings.iter().all(|f| &*f.id != "needsPdb"));
    assert!(ev
        .not_evaluated
        .iter()
        .any(|n| &*n.id == "needsPdb" && !n.fault));

    // The cross pass keeps the whole object for this check.
    assert_eq!(e.cross_subject(&d), Some(d.clone()));
}

#[test]
fn conditional_additional_schema_rendering_to_whitespace_is_dropped() {
    let e = engine(
        r#"
checks: {deploymentsNeedPdb: warning}
customChecks:
  deploymentsNeedPdb:
    target: Controller
    additionalSchemaStrings:
      policy/PodDisruptionBudget: |
        {{ if eq .kind "Deployment" }}
        type: object
        {{ end }}
"#,
    );
    let d = deployment("x:1");
    let mut sts = d.clone();
    sts["kind"] = json!("StatefulSet");
    let ev = e.check_all(&[d, sts], Coverage::All);
    assert_eq!(
        ev[0]
            .findings
            .iter()
            .filter(|f| &*f.id == "deploymentsNeedPdb")
            .count(),
        1
    );
    assert_eq!(
        ev[1]
            .findings
            .iter()
            .filter(|f| &*f.id == "deploymentsNeedPdb")
            .count(),
        0
    );
}

/// A templated `required:` that renders empty (null) requires nothing, as in
/// Polaris, whose own `linuxHardening` check renders it so when the pod sets
/// a seccomp profile; the check is judged, not "not evaluated", and a plain
/// `required:` with no value is no configuration error.
#[test]
fn a_required_keyword_rendered_empty_requires_nothing() {
    let cfg = r#"
checks: {podSeccompOrImage: warning, plainNull: warning}
customChecks:
  podSeccompOrImage:
    target: Container
    schemaString: |
      type: object
      required:
      {{ if not .Polaris.PodSpec.securityContext }}
      - securityContext
      {{ end }}
      properties:
        image: {pattern: "^good/"}
  plainNull:
    target: Container
    schema:
      type: object
      required:
      properties:
        image: {pattern: "^good/"}
"#;
    let e = engine(cfg);
    let pod = |pod_sc: Value, image: &str| {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
               "spec": {"securityContext": pod_sc,
                        "containers": [{"name": "c", "image": image}]}})
    };
    let with_profile = json!({"seccompProfile": {"type": "RuntimeDefault"}});
    let ours = |o: &Value| {
        let ev = e.check(o, None, Pass::All);
        let not_evaluated: Vec<_> = ev
            .not_evaluated
            .iter()
            .filter(|n| matches!(&*n.id, "podSeccompOrImage" | "plainNull"))
            .map(|n| n.id.to_string())
            .collect();
        assert!(not_evaluated.is_empty(), "{not_evaluated:?}");
        let mut ids: Vec<String> = ev
            .findings
            .iter()
            .filter(|f| matches!(&*f.id, "podSeccompOrImage" | "plainNull"))
            .map(|f| f.id.to_string())
            .collect();
        ids.sort();
        ids
    };
    // Pod-level profile: `required:` renders empty; the image still decides.
    assert!(ours(&pod(with_profile.clone(), "good/a:1")).is_empty());
    assert_eq!(
        ours(&pod(with_profile, "bad/a:1")),
        ["plainNull", "podSeccompOrImage"]
    );
    // No pod-level context: the container's is required.
    assert_eq!(ours(&pod(json!({}), "good/a:1")), ["podSeccompOrImage"]);
}

#[test]
fn resource_minimum_and_maximum_compare_quantities() {
    let e = engine(
        r#"
checks: {resourceRange: warning}
customChecks:
  resourceRange:
    target: Container
    schema:
      properties:
        resources:
          properties:
            limits:
              properties:
                cpu: {resourceMinimum: 100m, resourceMaximum: "2"}
                memory: {resourceMinimum: 100Mi, resourceMaximum: 4Gi}
"#,
    );
    let pod = |cpu: Value, mem: Value| {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
               "spec": {"containers": [{"name": "c", "image": "x:1",
                   "resources": {"limits": {"cpu": cpu, "memory": mem}}}]}})
    };
    let n = |p: Value| hits(&e, &p, "resourceRange").len();
    assert_eq!(n(pod(json!(1.5), json!("250Mi"))), 0);
    assert_eq!(n(pod(json!("100m"), json!(104857600))), 0);
    assert_eq!(n(pod(json!(0.05), json!("250Mi"))), 1);
    assert_eq!(n(pod(json!(1), json!(104857599))), 1);
    assert_eq!(n(pod(json!("3"), json!("1Gi"))), 1);
    assert_eq!(n(pod(json!(1), json!("5Gi"))), 1);
    let f = hits(&e, &pod(json!(0.05), json!("250Mi")), "resourceRange");
    assert_eq!(
        f[0].path.to_string(),
        "spec.containers[0].resources.limits.cpu"
    );
}

/// Polaris's own `resourceRange` test cases (test-only custom check there),
/// read from `../shared/` when present.
#[test]
fn polaris_resource_range_fixtures() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/corpus_fixtures/FairwindsOps__polaris/test/checks/resourceRange"
    );
    let alt = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus_fixtures/FairwindsOps__polaris/test/checks/resourceRange"
    );
    let dir = [dir, alt]
        .into_iter()
        .find(|d| std::path::Path::new(d).is_dir());
    let Some(dir) = dir else {
        eprintln!("skipping: ../shared/corpus_fixtures is absent");
        return;
    };
    let e = engine(
        r#"
checks: {resourceRange: warning}
customChecks:
  resourceRange:
    target: Container
    schema:
      properties:
        resources:
          properties:
            limits:
              properties:
                cpu: {resourceMinimum: 100m, resourceMaximum: "2"}
                memory: {resourceMinimum: 100Mi, resourceMaximum: 2Gi}
"#,
    );
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let o = obj(&std::fs::read_to_string(&path).unwrap());
        let failed = !hits(&e, &o, "resourceRange").is_empty();
        assert_eq!(failed, name.starts_with("failure"), "{name}");
        seen += 1;
    }
    assert!(seen >= 4);
}

#[test]
fn mutations_become_a_fix_on_failure_only() {
    let cfg = |safety: &str| {
        format!(
            r#"
checks: {{noEscalation: danger}}
customChecks:
  noEscalation:
    target: Container
    containers: {{exclude: [initContainer]}}
    {safety}
    schema:
      required: [securityContext]
      properties:
        securityContext:
          required: [allowPrivilegeEscalation]
          properties:
            allowPrivilegeEscalation: {{const: false}}
    mutations:
    - op: add
      path: /securityContext/allowPrivilegeEscalation
      value: false
      comment: do not let the process gain privileges
"#
        )
    };
    let e = engine(&cfg(""));
    let d = deployment("x:1");
    let f = hits(&e, &d, "noEscalation");
    assert_eq!(f.len(), 1);
    assert_eq!(
        f[0].path.to_string(),
        "spec.template.spec.containers[0].securityContext"
    );
    let fix = f[0].fix.as_ref().expect("fix");
    assert_eq!(fix.safety, FixSafety::Unsafe);
    let fixed = fix.apply(&d).unwrap();
    assert_eq!(
        fixed["spec"]["template"]["spec"]["containers"][0]["securityContext"],
        json!({"runAsNonRoot": true, "allowPrivilegeEscalation": false})
    );
    assert!(hits(&e, &fixed, "noEscalation").is_empty());

    // A missing parent is created.
    let mut bare = d.clone();
    bare["spec"]["template"]["spec"]["containers"][0]
        .as_object_mut()
        .unwrap()
        .remove("securityContext");
    let f = hits(&e, &bare, "noEscalation");
    let fixed = f[0].fix.as_ref().unwrap().apply(&bare).unwrap();
    assert_eq!(
        fixed["spec"]["template"]["spec"]["containers"][0]["securityContext"],
        json!({"allowPrivilegeEscalation": false})
    );

    let e = engine(&cfg("mutationSafety: safe"));
    assert_eq!(
        hits(&e, &d, "noEscalation")[0].fix.as_ref().unwrap().safety,
        FixSafety::Safe
    );
}

#[test]
fn wildcard_mutations_on_a_pod_spec_target_of_a_crd() {
    let e = engine(
        r#"
checks: {alwaysPull: warning}
customChecks:
  alwaysPull:
    target: PodSpec
    schema:
      properties:
        containers:
          items: {required: [imagePullPolicy]}
    mutations:
    - {op: replace, path: "/containers/*/imagePullPolicy", value: Always}
"#,
    );
    let rollout = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "r"},
        "spec": {"template": {"spec": {"containers": [{"name": "a", "image": "x:1"}, {"name": "b", "image": "y:1", "imagePullPolicy": "Never"}]}}}});
    let f = hits(&e, &rollout, "alwaysPull");
    assert_eq!(f[0].path.to_string(), "spec.template.spec.containers[0]");
    let fixed = f[0].fix.as_ref().unwrap().apply(&rollout).unwrap();
    let policies: Vec<&Value> = fixed["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["imagePullPolicy"])
        .collect();
    assert_eq!(policies, [&json!("Always"), &json!("Always")]);
}

fn compile_err(spec: Value) -> CustomCheckError {
    match custom::compile_check("x", &spec) {
        Ok(_) => panic!("compiled: {spec}"),
        Err(e) => e,
    }
}

#[test]
fn invalid_custom_checks_are_errors() {
    let e = compile_err(json!({"target": "container", "schema": {}}));
    assert!(matches!(e, CustomCheckError::UnknownTarget { .. }));
    assert!(e.to_string().contains("did you mean `Container`"), "{e}");
    // Any case other than the exact one, which would otherwise be read as a
    // kind no object has (and never run).
    for (t, want) in [
        ("Podspec", "PodSpec"),
        ("PODSPEC", "PodSpec"),
        ("CONTAINER", "Container"),
        ("Podtemplate", "PodTemplate"),
        ("CONTROLLER", "Controller"),
    ] {
        let e = compile_err(json!({"target": t, "schema": {}}));
        assert!(
            e.to_string().contains(&format!("did you mean `{want}`")),
            "{t}: {e}"
        );
    }
    let e = compile_err(json!({"target": "Deploy ment", "schema": {}}));
    assert!(matches!(e, CustomCheckError::UnknownTarget { .. }));
    let e = compile_err(json!({"target": "PodSpec", "schemaTarget": "PodSpec", "schema": {}}));
    assert!(matches!(e, CustomCheckError::BadSchemaTarget { .. }));
    let e = compile_err(json!({"target": "Container", "schemaTarget": "Container", "schema": {}}));
    assert!(matches!(e, CustomCheckError::BadSchemaTarget { .. }));
    let e = compile_err(json!({"target": "Container"}));
    assert!(matches!(e, CustomCheckError::NoSchema));
    let e = compile_err(json!({"schema": {"properties": {"a": {"type": "nonsense"}}}}));
    assert!(matches!(e, CustomCheckError::InvalidSchema { .. }), "{e}");
    assert_eq!(e.field().to_string(), "schema.properties.a.type");
    let e = compile_err(json!({"schemaString": "{{ if .a }}x"}));
    assert!(matches!(e, CustomCheckError::Template { .. }));
    let e = compile_err(json!({"schemaString": "type: [unclosed"}));
    assert!(matches!(e, CustomCheckError::InvalidSchema { .. }), "{e}");
    let e = compile_err(
        json!({"target": "Container", "containers": {"include": ["sidecar"]}, "schema": {}}),
    );
    assert_eq!(e.field().to_string(), "containers.include[0]");
    // Controller kinds are matched exactly: another case never matches.
    let e = compile_err(json!({"controllers": {"include": ["Job", "deployment"]}, "schema": {}}));
    assert_eq!(e.field().to_string(), "controllers.include[1]");
    assert!(e.to_string().contains("did you mean `Deployment`"), "{e}");
    let e = compile_err(json!({"controllers": {"exclude": ["rollout"]}, "schema": {}}));
    assert_eq!(e.field().to_string(), "controllers.exclude[0]");
    // A CRD's kind is taken as written.
    assert!(custom::compile_check(
        "x",
        &json!({"controllers": {"include": ["Rollout", "Deployment"]}, "schema": {}})
    )
    .is_ok());
    let e = compile_err(json!({"schema": {}, "mutations": [{"op": "move", "path": "/a"}]}));
    assert_eq!(e.field().to_string(), "mutations[0]");
    let e = compile_err(json!({"schema": {}, "failureMessage": 3}));
    assert_eq!(e.field().to_string(), "failureMessage");
    let e = compile_err(json!({"schema": {"$ref": "https://example.com/schema.json"}}));
    assert!(matches!(e, CustomCheckError::InvalidSchema { .. }));
    let e = compile_err(json!({"schema": {}, "additionalSchemas": {"policy/pdb": {}}}));
    assert_eq!(e.field().to_string(), "additionalSchemas[\"policy/pdb\"]");
}

#[test]
fn a_template_that_renders_an_invalid_schema_is_not_evaluated() {
    let e = engine(
        r#"
checks: {broken: warning}
customChecks:
  broken:
    target: Controller
    schemaString: |
      type: {{ .kind }}
"#,
    );
    let ev = e.check(&deployment("x:1"), None, Pass::All);
    assert!(ev.findings.iter().all(|f| &*f.id != "broken"));
    let ne: Vec<_> = ev
        .not_evaluated
        .iter()
        .filter(|n| &*n.id == "broken")
        .collect();
    assert_eq!(ne.len(), 1);
    assert!(ne[0].reason.contains("invalid schema"), "{}", ne[0].reason);
    // The check is at fault, not the input: front ends report it as an error.
    assert!(ne[0].fault);
}

#[test]
fn templated_schemas_compile_once_per_distinct_rendering() {
    let check = custom::compile_check(
        "named",
        &json!({"target": "Controller",
                "schemaString": "properties: {metadata: {properties: {name: {const: \"{{ .metadata.labels.app }}\"}}}}"}),
    )
    .unwrap();
    let config = eyelint_policies::Config::defaults();
    let mut failures = 0;
    for (name, app) in [("a", "a"), ("b", "b"), ("a", "a"), ("c", "a"), ("b", "b")] {
        let o = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "labels": {"app": app}},
            "spec": {"containers": []}});
        let r = ObjectRef::of(&o);
        let w = Workload::of(&o);
        let cx = Ctx {
            object: &o,
            object_ref: &r,
            workload: w.as_ref(),
            container: None,
            index: None,
            config: &config,
        };
        let mut out = Emitter::new();
        check.check(&cx, &mut out);
        assert_eq!(out.verdict(), Verdict::Evaluated);
        failures += out.hits().len();
    }
    assert_eq!(failures, 1);
    assert_eq!(check.cached_schemas(), 2);
}
