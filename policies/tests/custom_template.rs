//! The Go-template subset used by custom checks: rendering as Go does, and
//! no panic on any template text.

use eyelint_policies::custom::template::{Data, Template};
use proptest::prelude::*;
use serde_json::{json, Value};

fn render(t: &str, object: &Value) -> String {
    let data = Data {
        object,
        pod_spec: object.pointer("/spec/template/spec"),
        pod_template: object.pointer("/spec/template"),
        container: object.pointer("/spec/template/spec/containers/0"),
    };
    Template::parse(t)
        .unwrap_or_else(|e| panic!("{t}: {e}"))
        .render(&data)
        .unwrap_or_else(|e| panic!("{t}: {e}"))
}

fn deployment() -> Value {
    json!({"kind": "Deployment", "metadata": {"name": "web"},
           "spec": {"replicas": 3, "template": {"metadata": {"labels": {"tier": "front", "app": "web"}},
                    "spec": {"containers": [{"name": "app", "image": "nginx:1"}]}}}})
}

#[test]
fn polaris_view_and_object_fields() {
    let d = deployment();
    assert_eq!(render("{{ .Polaris.Container.image }}", &d), "nginx:1");
    assert_eq!(
        render("{{ .Polaris.PodSpec.containers }}", &d),
        "[map[image:nginx:1 name:app]]"
    );
    assert_eq!(
        render("{{ .Polaris.PodTemplate.metadata.labels.app }}", &d),
        "web"
    );
    assert_eq!(render("{{ .spec.replicas }}", &d), "3");
    assert_eq!(render("{{ $.metadata.name }}", &d), "web");
}

#[test]
fn range_over_labels_builds_a_yaml_list() {
    let d = deployment();
    let t = "anyOf:\n{{- range $k, $v := .spec.template.metadata.labels }}\n- {{ $k }}: {{ $v }}\n{{- end }}\n";
    assert_eq!(render(t, &d), "anyOf:\n- app: web\n- tier: front\n");
}

#[test]
fn whitespace_only_rendering() {
    let d = deployment();
    let t = "  {{ if eq .kind \"Pod\" }}\n  type: object\n  {{ end }}\n";
    assert!(render(t, &d).trim().is_empty());
    let t = "{{ if and (eq .kind \"Deployment\") (gt .spec.replicas 1) }}multi{{ end }}";
    assert_eq!(render(t, &d), "multi");
    let t = "{{ if or (hasPrefix .metadata.name \"api\") (hasSuffix .metadata.name \"eb\") }}y{{ end }}";
    assert_eq!(render(t, &d), "y");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn any_template_text_never_panics(
        parts in proptest::collection::vec(prop_oneof![
            Just("{{".to_string()), Just("}}".to_string()), Just("{{- ".to_string()), Just(" -}}".to_string()),
            Just(" if ".to_string()), Just(" else ".to_string()), Just(" end ".to_string()),
            Just(" range ".to_string()), Just(" with ".to_string()), Just("$k, $v := ".to_string()),
            Just(".metadata.name".to_string()), Just(".spec".to_string()), Just(" . ".to_string()),
            Just("(".to_string()), Just(")".to_string()), Just(" | ".to_string()), Just("\"s\"".to_string()),
            Just(" eq ".to_string()), Just(" len ".to_string()), Just(" index ".to_string()),
            Just(" printf \"%v %d\" ".to_string()), Just(" 1 ".to_string()), Just("$x := ".to_string()),
            Just("$x".to_string()), Just("/*".to_string()), Just("*/".to_string()),
            "[ -~\n]{0,6}",
        ], 0..24)
    ) {
        let text = parts.concat();
        let d = deployment();
        if let Ok(t) = Template::parse(&text) {
            let data = Data { object: &d, pod_spec: None, pod_template: None, container: None };
            let _ = t.render(&data);
        }
    }
}
