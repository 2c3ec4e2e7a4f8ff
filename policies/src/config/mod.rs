//! Configuration: Polaris's format (`checks`, `customChecks`, `exemptions`,
//! `disallow*`, `mutations`) plus eyelint's keys (`allowedRegistries`,
//! `admission`, `sweep`). A user's file merges over the built-in defaults:
//! maps by key, lists replace.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::finding::Severity;

mod load;
pub use load::*;

/// One configured exemption. Every non-empty field must match for the
/// exemption to apply.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Exemption {
    /// Exact namespace (Polaris).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Several namespaces (eyelint).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<String>,
    /// Object-name prefixes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controller_names: Vec<String>,
    /// Container-name prefixes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub container_names: Vec<String>,
    /// Rule ids; empty means every rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
    /// Why (eyelint; shown by `eyelint config`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// When the admission webhook denies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum DenyOn {
    /// Deny on danger findings (the binary's default).
    #[default]
    Danger,
    /// Deny on warning and danger findings.
    Warning,
    /// Never deny: warn-only.
    Never,
}

/// The `admission:` section, read by the webhook.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdmissionConfig {
    /// When to deny.
    #[serde(default)]
    pub deny_on: DenyOn,
    /// Namespaces never judged.
    #[serde(default = "default_exempt_namespaces")]
    pub exempt_namespaces: Vec<String>,
    /// `userInfo.username` values (exact, or prefixes ending in `*`) trusted
    /// as controllers, whose pods with a controller ownerReference are not re-judged.
    #[serde(default = "default_controller_identities")]
    pub controller_identities: Vec<String>,
    /// Checks whose unsafe fixes `/mutate` may apply (explicit opt-in).
    #[serde(default)]
    pub unsafe_mutations: Vec<String>,
    /// A label key: objects that carry it with the value `"true"` are not
    /// judged (the webhook configurations' `objectSelector` opt-out, also
    /// honoured on an UPDATE that adds the label). None: no opt-out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opt_out_label: Option<String>,
}

fn default_exempt_namespaces() -> Vec<String> {
    vec!["kube-system".to_string()]
}

fn default_controller_identities() -> Vec<String> {
    vec![
        "system:kube-controller-manager".to_string(),
        "system:serviceaccount:kube-system:*".to_string(),
    ]
}

impl Default for AdmissionConfig {
    fn default() -> Self {
        AdmissionConfig {
            deny_on: DenyOn::Danger,
            exempt_namespaces: default_exempt_namespaces(),
            controller_identities: default_controller_identities(),
            unsafe_mutations: Vec::new(),
            opt_out_label: None,
        }
    }
}

/// The effective configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    /// Name shown in reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Severity per rule id.
    #[serde(default)]
    pub checks: BTreeMap<String, Severity>,
    /// Custom checks, as written (compiled by the engine).
    #[serde(default)]
    pub custom_checks: BTreeMap<String, Value>,
    /// Config exemptions.
    #[serde(default)]
    pub exemptions: Vec<Exemption>,
    /// Ignore every exemption.
    #[serde(default)]
    pub disallow_exemptions: bool,
    /// Ignore config exemptions.
    #[serde(default)]
    pub disallow_config_exemptions: bool,
    /// Ignore annotation exemptions.
    #[serde(default)]
    pub disallow_annotation_exemptions: bool,
    /// Rule ids whose fixes `/mutate` applies.
    #[serde(default)]
    pub mutations: Vec<String>,
    /// Registries images may come from (`imageRegistry`); empty = rule off.
    #[serde(default)]
    pub allowed_registries: Vec<String>,
    /// Webhook settings.
    #[serde(default)]
    pub admission: AdmissionConfig,
    /// Sweep settings, read by `eyelint sweep`.
    #[serde(default)]
    pub sweep: crate::sweep::SweepConfig,
}

impl Config {
    /// The built-in defaults: every built-in rule at its default severity
    /// (the rule's metadata is the single source), Polaris's default
    /// `mutations`, no exemptions, no allowed registries (so `imageRegistry`
    /// is off), and the webhook's defaults.
    pub fn defaults() -> Config {
        Config {
            display_name: None,
            checks: crate::rules::all()
                .into_iter()
                .map(|r| (r.meta().id.to_string(), r.meta().severity))
                .collect(),
            custom_checks: BTreeMap::new(),
            exemptions: Vec::new(),
            disallow_exemptions: false,
            disallow_config_exemptions: false,
            disallow_annotation_exemptions: false,
            mutations: vec!["pullPolicyNotAlways".to_string()],
            allowed_registries: Vec::new(),
            admission: AdmissionConfig::default(),
            sweep: crate::sweep::SweepConfig::default(),
        }
    }

    /// The defaults with a user's configuration (as parsed JSON) merged over
    /// them: maps by key, lists replace.
    pub fn from_user_value(user: Value) -> Result<Config, serde_json::Error> {
        let mut base = serde_json::to_value(Config::defaults())?;
        merge_values(&mut base, user);
        serde_json::from_value(base)
    }

    /// The severity configured for `id`, if any.
    pub fn severity(&self, id: &str) -> Option<Severity> {
        self.checks.get(id).copied()
    }
}

/// Merges `over` into `base`: maps merge by key (recursively), anything else
/// (lists included) replaces.
pub fn merge_values(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(slot) if slot.is_object() && v.is_object() => merge_values(slot, v),
                    _ => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_maps_by_key_lists_replace() {
        let mut base =
            json!({"checks": {"a": "warning", "b": "danger"}, "exemptions": [{"rules": ["a"]}]});
        merge_values(
            &mut base,
            json!({"checks": {"b": "ignore"}, "exemptions": [{"rules": ["c"]}]}),
        );
        assert_eq!(
            base,
            json!({"checks": {"a": "warning", "b": "ignore"}, "exemptions": [{"rules": ["c"]}]})
        );
    }
}
