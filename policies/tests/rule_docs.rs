//! Every built-in rule's documentation is complete and its examples are
//! true: the failing example fires the rule, the passing example does not.
//! Also keeps `docs/rules.md` in step with the registry.

use std::collections::BTreeSet;

use eyelint_policies::rule::RuleMeta;
use eyelint_policies::rule_doc::{self, RuleDoc};
use eyelint_policies::yaml::{load, load_one, Limits};
use eyelint_policies::{rules, Config, Coverage, Engine, Severity};
use serde_json::{Map, Value};

fn metas() -> Vec<&'static RuleMeta> {
    rules::all().into_iter().map(|r| r.meta()).collect()
}

/// A configuration in which only `meta`'s rule runs, with the rule's
/// documented config snippet (if any) merged in.
fn only(meta: &RuleMeta, doc: &RuleDoc) -> Result<Engine, String> {
    let mut user = match doc.config_example() {
        Some(yaml) => {
            load_one(&yaml)
                .map_err(|e| format!("its `## Config` YAML does not load: {e}"))?
                .value
        }
        None => Value::Object(Map::new()),
    };
    let Some(root) = user.as_object_mut() else {
        return Err("its `## Config` YAML is not a mapping".to_string());
    };
    let checks = root
        .entry("checks")
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(checks) = checks.as_object_mut() else {
        return Err("`checks` in its `## Config` YAML is not a mapping".to_string());
    };
    for other in metas() {
        if other.id != meta.id {
            checks.insert(other.id.to_string(), Value::from("ignore"));
        }
    }
    let severity = match meta.severity {
        Severity::Ignore => Severity::Warning,
        s => s,
    };
    let configured = checks.get(meta.id).and_then(Value::as_str);
    if configured.is_none() || configured == Some("ignore") {
        checks.insert(meta.id.to_string(), Value::from(severity.as_str()));
    }
    let config = Config::from_user_value(user).map_err(|e| format!("config: {e}"))?;
    Engine::new(config).map_err(|e| format!("engine: {e}"))
}

fn objects(yaml: &str) -> Result<Vec<Value>, String> {
    let loaded = load(yaml, &Limits::default());
    if let Some(e) = loaded.error {
        return Err(format!("does not load: {e}"));
    }
    if loaded.documents.is_empty() {
        return Err("holds no object".to_string());
    }
    Ok(loaded.documents.into_iter().map(|d| d.value).collect())
}

/// Runs `yaml` through `engine`; returns how many findings of `id` it gives.
fn hits(engine: &Engine, id: &str, yaml: &str) -> Result<usize, String> {
    let objs = objects(yaml)?;
    Ok(engine
        .check_all(&objs, Coverage::All)
        .iter()
        .flat_map(|e| &e.findings)
        .filter(|f| &*f.id == id)
        .count())
}

#[test]
fn every_rule_is_documented_and_its_examples_hold() {
    let all = metas();
    assert!(!all.is_empty(), "the registry is empty");
    let mut problems = Vec::new();
    let mut ids = BTreeSet::new();
    for meta in &all {
        let id = meta.id;
        let mut problem = |p: String| problems.push(format!("{id}: {p}"));
        if !ids.insert(id) {
            problem("duplicate rule id".to_string());
        }
        let s = meta.summary;
        if s.is_empty() || s.starts_with(char::is_uppercase) || s.ends_with('.') {
            problem(format!(
                "summary `{s}` must start lowercase and have no trailing period"
            ));
        }
        let doc = rule_doc::parse(meta);
        let missing = doc.missing_sections();
        if !missing.is_empty() {
            problem(format!(
                "documentation lacks sections: {}",
                missing.join(", ")
            ));
        }
        let engine = match only(meta, &doc) {
            Ok(e) => e,
            Err(e) => {
                problem(e);
                continue;
            }
        };
        if !engine.active_ids().any(|a| a == id) {
            problem(
                "the rule does not run with its documented config (does `## Config` need a yaml block?)"
                    .to_string(),
            );
            continue;
        }
        match doc.failing_example() {
            None => problem("`## Example failing YAML` has no ```yaml block".to_string()),
            Some(yaml) => match hits(&engine, id, &yaml) {
                Ok(0) => problem("the failing example does not fire the rule".to_string()),
                Ok(_) => {}
                Err(e) => problem(format!("the failing example {e}")),
            },
        }
        match doc.passing_example() {
            None => problem("`## Passing YAML` has no ```yaml block".to_string()),
            Some(yaml) => match hits(&engine, id, &yaml) {
                Ok(0) => {}
                Ok(n) => problem(format!("the passing example gives {n} finding(s)")),
                Err(e) => problem(format!("the passing example {e}")),
            },
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) in rule docs:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

#[test]
fn docs_rules_md_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/rules.md");
    let fresh = rule_doc::catalog_markdown(&metas());
    if std::env::var_os("EYELINT_UPDATE_DOCS").is_some_and(|v| v == "1") {
        std::fs::write(path, &fresh).unwrap();
        return;
    }
    let current = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        current == fresh,
        "docs/rules.md is stale: regenerate it with \
         `EYELINT_UPDATE_DOCS=1 cargo test -p eyelint-policies --test rule_docs`"
    );
}

#[test]
fn catalog_lists_every_rule_with_its_roles() {
    let md = rule_doc::catalog_markdown(&metas());
    for meta in metas() {
        assert!(md.contains(&format!("\n## {}\n", meta.id)), "{}", meta.id);
        assert!(md.contains(&format!("| [`{}`]", meta.id)), "{}", meta.id);
    }
    assert!(md.starts_with("<!-- Generated"));
}
