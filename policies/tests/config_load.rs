//! Loading configuration files: merging over the defaults, several
//! documents, and diagnostics that point at the offending line and column.

use eyelint_policies::config::{load_config, ConfigDiagnostic, Level, LoadedConfig};
use eyelint_policies::{Engine, Severity};

fn ok(text: &str) -> LoadedConfig {
    load_config(text, "polaris.yaml", false)
        .unwrap_or_else(|e| panic!("rejected: {}", e.to_short_string()))
}

fn err(text: &str) -> ConfigDiagnostic {
    match load_config(text, "polaris.yaml", false) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e,
    }
}

fn at(d: &ConfigDiagnostic) -> (usize, usize) {
    (d.line(), d.column())
}

#[test]
fn user_file_merges_over_defaults() {
    let c = ok(r#"
checks:
  hostIPCSet: ignore
exemptions:
  - namespace: kube-system
    rules: [hostIPCSet]
mutations: [runAsRootAllowed]
allowedRegistries: [registry.example.com]
displayName: prod
kubeContext: prod-admin
namespace: default
"#);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let cfg = &c.config;
    assert_eq!(cfg.severity("hostIPCSet"), Some(Severity::Ignore));
    // Untouched defaults stay.
    let defaults = eyelint_policies::Config::defaults();
    assert_eq!(cfg.severity("hostPIDSet"), defaults.severity("hostPIDSet"));
    assert_eq!(cfg.checks.len(), defaults.checks.len());
    // Lists replace.
    assert_eq!(cfg.mutations, ["runAsRootAllowed"]);
    assert_eq!(cfg.exemptions.len(), 1);
    assert_eq!(cfg.allowed_registries, ["registry.example.com"]);
    assert_eq!(cfg.display_name.as_deref(), Some("prod"));
    Engine::new(c.config).expect("engine");
}

#[test]
fn empty_file_is_the_defaults() {
    let c = ok("# nothing here\n");
    assert_eq!(c.config, eyelint_policies::Config::defaults());
}

#[test]
fn json_config_works() {
    let c = ok(r#"{"checks": {"hostIPCSet": "warning"}, "disallowExemptions": true}"#);
    assert_eq!(c.config.severity("hostIPCSet"), Some(Severity::Warning));
    assert!(c.config.disallow_exemptions);
}

#[test]
fn several_documents_merge_in_turn() {
    let c = ok(r#"
checks:
  hostIPCSet: ignore
mutations: [a]
---
checks:
  hostPIDSet: ignore
mutations: [pullPolicyNotAlways]
"#);
    assert_eq!(c.config.severity("hostIPCSet"), Some(Severity::Ignore));
    assert_eq!(c.config.severity("hostPIDSet"), Some(Severity::Ignore));
    assert_eq!(c.config.mutations, ["pullPolicyNotAlways"]);
    // The second document's error points into the second document.
    let d = err("checks:\n  hostIPCSet: ignore\n---\nchecks:\n  hostPIDSet: loud\n");
    assert_eq!(at(&d), (5, 15));
}

#[test]
fn wrong_type_points_at_the_value() {
    let d = err("checks:\n  hostIPCSet: danger\ndisallowExemptions: sometimes\n");
    assert_eq!(d.level, Level::Error);
    assert_eq!(at(&d), (3, 21));
    assert_eq!(d.key, "disallowExemptions");
    assert!(d.message.contains("wrong type"), "{}", d.message);
    let d = err("exemptions:\n  - namespace: a\n    rules: hostIPCSet\n");
    assert_eq!(at(&d), (3, 12));
}

/// Polaris reads its format's keys case-insensitively (Go's encoding/json),
/// and its own `linuxHardening` check spells `FailureMessage` so: eyelint
/// reads them alike, without warnings; diagnostics point at the key as the
/// file spells it. Rule ids stay case-sensitive, as in Polaris.
#[test]
fn polaris_keys_are_read_whatever_their_case() {
    let c = ok(r#"
Checks:
  hostPIDSet: danger
  fmTest: warning
CustomChecks:
  fmTest:
    FailureMessage: my message
    Category: Efficiency
    Target: Container
    Containers: {Exclude: [initContainer]}
    Schema: {required: [image]}
    Mutations:
      - {Op: add, Path: /image, Value: "x:1"}
Exemptions:
  - ControllerNames: [web]
    Rules: [hostPIDSet]
DisallowExemptions: false
"#);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let cfg = &c.config;
    assert_eq!(cfg.severity("hostPIDSet"), Some(Severity::Danger));
    let spec = &cfg.custom_checks["fmTest"];
    assert_eq!(spec["failureMessage"], "my message");
    assert_eq!(spec["category"], "Efficiency");
    assert_eq!(spec["containers"]["exclude"][0], "initContainer");
    assert_eq!(spec["mutations"][0]["op"], "add");
    assert_eq!(cfg.exemptions[0].controller_names, ["web"]);
    assert_eq!(cfg.exemptions[0].rules, ["hostPIDSet"]);
    // The check runs with its message and category, on containers.
    let e = Engine::new(cfg.clone()).unwrap();
    let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c"}]}});
    let ev = e.check(&pod, None, eyelint_policies::Pass::All);
    let f = ev
        .findings
        .iter()
        .find(|f| &*f.id == "fmTest")
        .expect("fmTest");
    assert_eq!(&*f.message, "my message");
    assert_eq!(&*f.category, "Efficiency");
    assert!(f.container.is_some());
    // A wrong value under a differently cased key is reported where it is.
    let d = err("Exemptions:\n  - Namespace: a\n    Rules: hostIPCSet\n");
    assert_eq!(at(&d), (3, 12), "{}", d.message);
    // The exact spelling wins; the other is an unknown key.
    let c = ok("checks: {hostIPCSet: danger}\ndisplayName: a\nDisplayName: b\n");
    assert_eq!(c.config.display_name.as_deref(), Some("a"));
    assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
    assert_eq!(at(&c.warnings[0]), (3, 1));
    // Rule ids are names, not fields: `HostIPCSet` is no rule.
    let c = ok("checks: {HostIPCSet: danger}\n");
    assert!(
        c.warnings.iter().any(|w| w.message.contains("HostIPCSet")),
        "{:?}",
        c.warnings
    );
}

/// A diagnostic underlines the value at fault, not the rest of its line:
/// an entry of a flow list, a flow mapping, a quoted value.
#[test]
fn underlines_end_where_the_value_does() {
    let c = ok("exemptions:\n  - rules: [hostIPCset, hostPIDset]  # typos\n");
    let spans: Vec<(usize, usize, usize)> = c
        .warnings
        .iter()
        .map(|d| (d.line(), d.column(), d.len))
        .collect();
    assert_eq!(spans, [(2, 13, 10), (2, 25, 10)]);
    let d = err("checks:\n  hostIPCSet: {danger: }  # a map\n");
    assert_eq!((at(&d), d.len), ((2, 15), "{danger: }".len()));
    let d = err("checks:\n  hostIPCSet: \"err, or\"  # quoted\n");
    assert_eq!((at(&d), d.len), ((2, 15), "\"err, or\"".len()));
    let d = err("checks:\n  hostIPCSet: err, or  # plain\n");
    assert_eq!((at(&d), d.len), ((2, 15), "err, or".len()));
}

#[test]
fn a_severity_is_a_word_not_a_mapping() {
    // Read as the enum variant it names, `{danger: }` was taken for danger.
    for (text, what) in [
        ("checks:\n  hostIPCSet: {danger: }\n", "a mapping"),
        ("checks:\n  hostIPCSet: {}\n", "a mapping"),
        ("checks:\n  hostIPCSet: [danger]\n", "a list"),
        ("checks:\n  hostIPCSet: 1\n", "a number"),
        ("checks:\n  hostIPCSet: ~\n", "nothing"),
    ] {
        let d = err(text);
        assert_eq!(at(&d), (2, 15), "{text}");
        assert_eq!(
            d.message,
            format!(
                "`checks.hostIPCSet`: a severity is a word (ignore, warning or danger), not {what}"
            )
        );
    }
}

#[test]
fn unknown_severity_points_at_the_value() {
    let d = err("checks:\n  hostIPCSet: error\n");
    assert_eq!(at(&d), (2, 15));
    assert_eq!(
        d.message,
        "unknown severity `error` for `checks.hostIPCSet` (expected ignore, warning or danger)"
    );
}

#[test]
fn unknown_key_in_an_exemption_points_at_the_key() {
    let d = err("exemptions:\n  - namespace: kube-system\n    controllerName: [coredns]\n");
    assert_eq!(at(&d), (3, 5));
    assert!(
        d.message.contains("unknown key `controllerName`"),
        "{}",
        d.message
    );
    let d = err("admission:\n  denyOn: danger\n  exemptNamespace: [x]\n");
    assert_eq!(at(&d), (3, 3));
}

#[test]
fn custom_check_without_severity_points_at_its_name() {
    let d = err(r#"checks:
  hostIPCSet: danger
customChecks:
  imageRegistryOk:
    target: Container
    schema: {type: object}
"#);
    assert_eq!(at(&d), (4, 3));
    assert_eq!(d.message, "custom check `imageRegistryOk` has no severity");
    assert!(d
        .help
        .as_deref()
        .unwrap_or("")
        .contains("imageRegistryOk: warning"));
}

const BAD_SCHEMA: &str = r#"checks:
  imageOk: warning
customChecks:
  imageOk:
    target: Container
    schema:
      properties:
        image:
          type: strng
"#;

#[test]
fn invalid_json_schema_points_inside_the_schema() {
    let d = err(BAD_SCHEMA);
    assert_eq!(at(&d), (9, 17));
    assert_eq!(d.key, "customChecks.imageOk.schema.properties.image.type");
    assert!(
        d.message
            .starts_with("custom check `imageOk`: invalid JSON Schema"),
        "{}",
        d.message
    );
}

#[test]
fn invalid_custom_check_fields_point_at_the_field() {
    let d =
        err("checks: {x: warning}\ncustomChecks:\n  x:\n    target: container\n    schema: {}\n");
    assert_eq!(at(&d), (4, 13));
    assert!(
        d.message.contains("did you mean `Container`"),
        "{}",
        d.message
    );
    let d = err("checks: {x: warning}\ncustomChecks:\n  x:\n    target: PodSpec\n    schemaTarget: PodSpec\n    schema: {}\n");
    assert_eq!(at(&d), (5, 19));
    let d = err("checks: {x: warning}\ncustomChecks:\n  x:\n    target: Container\n    schemaString: |\n      {{ if .a }}\n");
    // A block scalar's location is its first line of content.
    assert_eq!(at(&d), (6, 7));
    assert!(d.message.contains("invalid template"), "{}", d.message);
    let d = err("checks: {x: warning}\ncustomChecks:\n  x:\n    target: Container\n    containers:\n      include: [sidecar]\n    schema: {}\n");
    assert_eq!(at(&d), (6, 17));
    let d = err("checks: {x: warning}\ncustomChecks:\n  x:\n    target: Container\n");
    assert_eq!(at(&d), (3, 3));
}

#[test]
fn unknown_rule_is_a_warning_with_a_location_and_an_error_when_strict() {
    let text = "checks:\n  hostIPCSet: danger\n  hostIPCset: warning\n  someFutureCheck: danger\n";
    let c = ok(text);
    let w: Vec<_> = c
        .warnings
        .iter()
        .map(|w| (w.line(), w.column(), w.message.clone()))
        .collect();
    assert_eq!(
        w,
        [
            (3, 3, "unknown rule `hostIPCset` (ignored)".to_string()),
            (4, 3, "unknown rule `someFutureCheck` (ignored)".to_string()),
        ]
    );
    assert_eq!(
        c.warnings[0].help.as_deref(),
        Some("did you mean `hostIPCSet`?")
    );
    assert_eq!(c.warnings[0].level, Level::Warning);
    // Ignored means left out of the effective configuration: the engine
    // builds without them and has nothing more to say about them.
    assert!(!c.config.checks.contains_key("hostIPCset"));
    assert!(!c.config.checks.contains_key("someFutureCheck"));
    let e = Engine::new(c.config).unwrap();
    assert!(e.warnings().is_empty(), "{:?}", e.warnings());

    // With --strict the run stops, so nothing is "(ignored)".
    let d = load_config(text, "polaris.yaml", true).unwrap_err();
    assert_eq!(d.level, Level::Error);
    assert_eq!(at(&d), (3, 3));
    assert_eq!(d.message, "unknown rule `hostIPCset`");
}

#[test]
fn unknown_top_level_keys_and_custom_check_keys_warn() {
    let c = ok("checks: {hostIPCSet: danger}\nexemption:\n  - rules: [hostIPCSet]\n");
    assert_eq!(c.warnings.len(), 1);
    assert_eq!(at(&c.warnings[0]), (2, 1));
    assert_eq!(
        c.warnings[0].help.as_deref(),
        Some("did you mean `exemptions`?")
    );
    assert!(c.config.exemptions.is_empty());

    let c = ok("checks: {x: warning}\ncustomChecks:\n  x:\n    target: Container\n    schema: {}\n    sucessMessage: ok\n");
    assert_eq!(c.warnings.len(), 1);
    assert_eq!(at(&c.warnings[0]), (6, 5));

    let c =
        ok("checks: {x: warning}\ncustomChecks:\n  x:\n    schema: {}\n    schemaString: '{}'\n");
    assert_eq!(c.warnings.len(), 1);
    assert!(c.warnings[0]
        .message
        .contains("both `schema` and `schemaString`"));

    let c = ok("exemptions:\n  - rules: [noSuchRule]\nmutations: [alsoMissing]\n");
    let w: Vec<_> = c.warnings.iter().map(at).collect();
    assert_eq!(w, [(2, 13), (3, 13)]);
}

#[test]
fn yaml_errors_and_non_mapping_roots() {
    let d = err("checks:\n  a: [unclosed\n");
    assert!(d.message.starts_with("not valid YAML"), "{}", d.message);
    assert!(d.line() >= 2);
    let d = err("- a\n- b\n");
    assert_eq!(at(&d), (1, 1));
    assert!(d.message.contains("must be a mapping"));
    let d = err("checks: {a: warning}\ncheck: [\n");
    assert!(d.message.starts_with("not valid YAML"));
}

#[test]
fn short_form_names_the_file() {
    let d = err("checks:\n  hostIPCSet: error\n");
    assert_eq!(
        d.to_short_string(),
        "polaris.yaml:2:15: error: unknown severity `error` for `checks.hostIPCSet` (expected ignore, warning or danger)"
    );
}

#[test]
fn rendered_diagnostic_snapshot() {
    use miette::{GraphicalReportHandler, GraphicalTheme};
    let d = err(BAD_SCHEMA);
    let mut out = String::new();
    // Set up as `eyelint` sets up its handler (linter/output/human.rs): the
    // header's line and column come from the source's name.
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(80)
        .with_links(false)
        .without_primary_span_start()
        .with_context_lines(1)
        .render_report(&mut out, &d)
        .unwrap();
    insta::assert_snapshot!(out);
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("checks:\n".to_string()),
            Just("  hostIPCSet: danger\n".to_string()),
            Just("  x: warning\n".to_string()),
            Just("customChecks:\n  x:\n".to_string()),
            Just("    target: Container\n".to_string()),
            Just("    schemaString: '{{ .a }}'\n".to_string()),
            Just("    schema: {type: object}\n".to_string()),
            Just("    schemaTarget: PodSpec\n".to_string()),
            Just("exemptions:\n  - rules: [a]\n".to_string()),
            Just("---\n".to_string()),
            Just("mutations: [x]\n".to_string()),
            "[ -~\n]{0,20}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn random_text_never_panics(text in "[ -~\n\t]{0,300}") {
            let _ = load_config(&text, "fuzz.yaml", false);
            let _ = load_config(&text, "fuzz.yaml", true);
        }

        #[test]
        fn config_shaped_text_never_panics(parts in proptest::collection::vec(fragment(), 0..12)) {
            let text: String = parts.concat();
            if let Ok(c) = load_config(&text, "fuzz.yaml", false) {
                // What loads builds an engine.
                prop_assert!(Engine::new(c.config).is_ok());
            }
        }
    }
}

/// A custom check's unknown key is warned about as ignored, and is gone
/// from the effective configuration (`eyelint config` printed it).
#[test]
fn unknown_custom_check_keys_are_left_out() {
    let c = ok("customChecks:\n  myCheck:\n    target: Container\n    failureMesage: x\n    schema: {type: object}\nchecks:\n  myCheck: warning\n");
    assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
    assert!(c.warnings[0].message.contains("failureMesage"));
    let spec = &c.config.custom_checks["myCheck"];
    assert!(spec.get("failureMesage").is_none(), "{spec}");
    assert_eq!(spec["target"], "Container");
}
