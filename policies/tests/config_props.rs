//! Property tests of configuration files with random changes: the YAML
//! examples of docs/config.md that load (and one built here with the
//! `admission` and `sweep` sections), read into a value, changed anywhere
//! (values of another type, keys removed, configuration keys added with odd
//! values, subtrees copied), and written back as JSON, which is YAML too.
//!
//! Whatever the file says, it loads or gives a diagnostic whose line and
//! column are inside the file and which renders; what loads builds an
//! engine or gives an engine error that says something, and an engine that
//! builds judges a workload without a panic. `PROPTEST_CASES` sets the
//! number of cases (default 256).

#[path = "json_changes/mod.rs"]
mod json_changes;

use std::sync::OnceLock;

use eyelint_policies::config::load_config;
use eyelint_policies::yaml::{self, Limits};
use eyelint_policies::{Engine, Pass};
use json_changes::{apply, change};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Keys the configuration reader knows, at every level.
const KEYS: &[&str] = &[
    "checks",
    "customChecks",
    "exemptions",
    "mutations",
    "allowedRegistries",
    "admission",
    "sweep",
    "displayName",
    "disallowExemptions",
    "disallowConfigExemptions",
    "disallowAnnotationExemptions",
    "denyOn",
    "unsafeMutations",
    "exemptIdentities",
    "namespace",
    "controllerNames",
    "containerNames",
    "rules",
    "reason",
    "target",
    "schema",
    "schemaString",
    "jsonSchema",
    "schemaTarget",
    "additionalSchemas",
    "additionalSchemaStrings",
    "controllers",
    "include",
    "exclude",
    "successMessage",
    "failureMessage",
    "category",
    "type",
    "properties",
    "required",
    "pattern",
    "items",
    "anyOf",
    "const",
    "resourceMinimum",
    "resourceMaximum",
    "hostIPCSet",
    "runAsPrivileged",
    "thresholds",
    "ignore",
    "concurrency",
    "restarts",
    "diskPercent",
    "certificateDays",
];

fn seeds() -> &'static [Value] {
    static SEEDS: OnceLock<Vec<Value>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let doc =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/config.md"))
                .expect("docs/config.md");
        let mut out = vec![json!({
            "checks": {"hostIPCSet": "danger", "tagNotSpecified": "ignore"},
            "mutations": ["pullPolicyNotAlways", "runAsPrivileged"],
            "admission": {"denyOn": "warning", "unsafeMutations": ["runAsPrivileged"]},
            "sweep": {"ignore": ["WarningEvent"], "checks": {"KubeletHealthStatus": "warning"}}
        })];
        let mut block: Option<String> = None;
        for line in doc.lines() {
            match (&mut block, line) {
                (None, "```yaml") => block = Some(String::new()),
                (Some(text), "```") => {
                    if load_config(text, "doc.yaml", false).is_ok() {
                        let loaded = yaml::load(text, &Limits::default());
                        if let Some(d) = loaded.documents.first() {
                            out.push(d.value.clone());
                        }
                    }
                    block = None;
                }
                (Some(text), l) => {
                    text.push_str(l);
                    text.push('\n');
                }
                (None, _) => {}
            }
        }
        assert!(out.len() >= 4, "docs/config.md gave {} configs", out.len());
        out
    })
}

fn pod() -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"template": {"metadata": {"labels": {"app": "web"}}, "spec": {
            "hostIPC": true,
            "containers": [{"name": "app", "image": "nginx",
                "resources": {"limits": {"cpu": "3", "memory": "64Mi"}}}]
        }}}
    })
}

proptest! {
    #![proptest_config(json_changes::config(256))]

    #[test]
    fn changed_configs_load_or_point_into_the_file(
        seed in any::<usize>(),
        changes in proptest::collection::vec(change(), 1..6),
        strict in any::<bool>(),
    ) {
        let mut v = seeds()[seed % seeds().len()].clone();
        for c in &changes {
            apply(&mut v, c, KEYS);
        }
        let text = serde_json::to_string_pretty(&v).expect("a Value serializes");
        match load_config(&text, "c.yaml", strict) {
            Err(d) => {
                prop_assert!(!d.message.trim().is_empty());
                let lines = text.lines().count();
                prop_assert!(d.line() <= lines + 1, "line {} of {lines}: {}", d.line(), d.message);
                if d.line() > 0 {
                    let width = text
                        .lines()
                        .nth(d.line() - 1)
                        .map_or(0, |l| l.chars().count());
                    prop_assert!(d.column() >= 1 && d.column() <= width + 1, "{}", d.to_short_string());
                }
                let mut out = String::new();
                miette::GraphicalReportHandler::new()
                    .render_report(&mut out, &d)
                    .map_err(|e| TestCaseError::fail(format!("render: {e}")))?;
                prop_assert!(!out.is_empty());
            }
            Ok(loaded) => match Engine::new(loaded.config) {
                Err(e) => prop_assert!(!e.to_string().trim().is_empty()),
                Ok(engine) => {
                    let _ = engine.check(&pod(), None, Pass::All);
                }
            },
        }
    }
}
