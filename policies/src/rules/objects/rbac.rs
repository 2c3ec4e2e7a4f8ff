//! Shared RBAC logic for the role and binding rules: which policy rules grant
//! exec/attach into pods or cluster-admin-like power, which objects are
//! Kubernetes defaults exempted by name, and how a binding's role is looked up
//! in the cross-object index.

use crate::object::Field;
use std::collections::BTreeSet;

use serde_json::Value;

use crate::labels::selector_matches;
use crate::object::At;
use crate::path::FieldPath;
use crate::rule::{Ctx, Emitter};

/// How a default object's name is recognised.
#[derive(Clone, Copy, Debug)]
pub(crate) enum NameMatch {
    /// The whole name.
    Exact(&'static str),
    /// A name prefix.
    Prefix(&'static str),
}

impl NameMatch {
    fn matches(self, name: &str) -> bool {
        match self {
            NameMatch::Exact(n) => name == n,
            NameMatch::Prefix(p) => name.starts_with(p),
        }
    }
}

/// Default ClusterRoles created by Kubernetes (and GKE's Calico role).
pub(crate) const DEFAULT_CLUSTER_ROLES: &[NameMatch] = &[
    NameMatch::Exact("admin"),
    NameMatch::Exact("cluster-admin"),
    NameMatch::Exact("edit"),
    NameMatch::Prefix("system:"),
    NameMatch::Exact("gce:podsecuritypolicy:calico-sa"),
];

/// Default Roles.
pub(crate) const DEFAULT_ROLES: &[NameMatch] = &[
    NameMatch::Prefix("system:"),
    NameMatch::Exact("gce:podsecuritypolicy:calico-sa"),
];

/// Default ClusterRoleBindings.
pub(crate) const DEFAULT_CLUSTER_ROLE_BINDINGS: &[NameMatch] = &[
    NameMatch::Exact("cluster-admin"),
    NameMatch::Prefix("system:"),
    NameMatch::Exact("gce:podsecuritypolicy:calico-sa"),
];

/// Default RoleBindings.
pub(crate) const DEFAULT_ROLE_BINDINGS: &[NameMatch] = &[
    NameMatch::Prefix("system:"),
    NameMatch::Exact("gce:podsecuritypolicy:calico-sa"),
];

/// True when `name` is one of the `defaults`.
pub(crate) fn is_default(name: &str, defaults: &[NameMatch]) -> bool {
    defaults.iter().any(|d| d.matches(name))
}

/// The power a rule looks for in a role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Grant {
    /// `create`/`get`/`*` on `pods/exec` or `pods/attach` in the core group.
    ExecAttach,
    /// Every verb on every resource of every API group.
    ClusterAdmin,
}

/// The seven verbs that together amount to `*` for the cluster-admin test.
const ALL_VERBS: [&str; 7] = [
    "get", "list", "watch", "create", "update", "patch", "delete",
];

fn strings(rule: &Value, key: &str) -> Vec<String> {
    rule.field(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

impl Grant {
    /// What the grant allows, for messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Grant::ExecAttach => "exec into or attach to pods",
            Grant::ClusterAdmin => "every verb on every resource (cluster-admin)",
        }
    }

    /// If the policy rule `rule` (an entry of a role's `rules`) gives this
    /// grant, a short description of why (`create on pods/exec`).
    pub(crate) fn granted_by(self, rule: &Value) -> Option<String> {
        let groups = strings(rule, "apiGroups");
        let resources = strings(rule, "resources");
        let verbs = strings(rule, "verbs");
        match self {
            Grant::ExecAttach => {
                if !groups.iter().any(|g| g.is_empty() || g == "*") {
                    return None;
                }
                // Kubernetes matches `*` and `*/<subresource>` as well as the
                // literal `pods/exec`.
                let res: Vec<&str> = resources
                    .iter()
                    .map(String::as_str)
                    .filter(|r| {
                        matches!(
                            *r,
                            "*" | "pods/exec" | "pods/attach" | "*/exec" | "*/attach"
                        )
                    })
                    .collect();
                // `get` opens the websocket variant of exec/attach.
                let vs: Vec<&str> = verbs
                    .iter()
                    .map(String::as_str)
                    .filter(|v| matches!(*v, "*" | "get" | "create"))
                    .collect();
                if res.is_empty() || vs.is_empty() {
                    return None;
                }
                Some(format!("{} on {}", vs.join(", "), res.join(", ")))
            }
            Grant::ClusterAdmin => {
                if !groups.iter().any(|g| g == "*") || !resources.iter().any(|r| r == "*") {
                    return None;
                }
                if verbs.iter().any(|v| v == "*") {
                    Some("verbs * on resources * in apiGroups *".to_string())
                } else if ALL_VERBS.iter().all(|v| verbs.iter().any(|x| x == v)) {
                    Some(format!(
                        "verbs {} on resources * in apiGroups *",
                        ALL_VERBS.join(", ")
                    ))
                } else {
                    None
                }
            }
        }
    }
}

/// One policy rule of a role that gives a grant.
#[derive(Clone, Debug)]
pub(crate) struct Offender {
    /// Index in the role's `rules`.
    pub index: usize,
    /// Why it gives the grant.
    pub why: String,
}

/// Every entry of `rules` that gives `grant`.
pub(crate) fn offenders(rules: &[&Value], grant: Grant) -> Vec<Offender> {
    rules
        .iter()
        .enumerate()
        .filter_map(|(index, r)| grant.granted_by(r).map(|why| Offender { index, why }))
        .collect()
}

fn own_rules(role: &Value) -> Vec<&Value> {
    role.field("rules")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn name_of(object: &Value) -> &str {
    object
        .at(&["metadata", "name"])
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// The offending rules, by what they grant: not by their index, which a
/// rule added above them changes (a baseline matches findings by message).
fn summarize(offenders: &[Offender]) -> String {
    let mut s = offenders
        .iter()
        .take(3)
        .map(|o| o.why.clone())
        .collect::<Vec<_>>()
        .join("; ");
    if offenders.len() > 3 {
        s.push_str(&format!("; and {} more", offenders.len() - 3));
    }
    s
}

/// The check of a Role or ClusterRole itself: one finding at the `verbs` of
/// the first offending rule; the message names every offending rule.
pub(crate) fn check_role(cx: &Ctx<'_>, out: &mut Emitter, defaults: &[NameMatch], grant: Grant) {
    let name = name_of(cx.object);
    if is_default(name, defaults) {
        return;
    }
    let rules = own_rules(cx.object);
    let found = offenders(&rules, grant);
    let Some(first) = found.first() else { return };
    out.fail(
        FieldPath::keys("rules").index(first.index).key("verbs"),
        format!("allows {} ({})", grant.describe(), summarize(&found)),
    );
}

/// Which bindings a binding rule judges and what it looks for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BindingRule {
    /// `ClusterRole` or `Role`: the `roleRef.kind` this rule judges.
    pub role_kind: &'static str,
    /// Bindings exempted by name.
    pub defaults: &'static [NameMatch],
    /// The grant that fails.
    pub grant: Grant,
}

/// Where a binding's role was found.
enum Lookup<'a> {
    /// In the input, with its effective rules (aggregated ones included).
    Found(Vec<&'a Value>),
    /// Not decidable from the input; the reason.
    Outside(String),
}

fn lookup<'a>(cx: &Ctx<'a>, kind: &str, name: &str) -> Lookup<'a> {
    let Some(index) = cx.index else {
        return Lookup::Outside(format!(
            "{kind} `{name}` cannot be looked up without the other objects"
        ));
    };
    let ns = if kind == "ClusterRole" {
        ""
    } else {
        cx.namespace()
    };
    let role = index.get(kind, ns, name);
    match role {
        Some(role) => {
            let mut rules = own_rules(role);
            if kind == "ClusterRole" {
                rules.extend(aggregated_rules(index, role));
            }
            Lookup::Found(rules)
        }
        None if !index.covers(kind) => Lookup::Outside(format!(
            "{kind}s are not part of the input, so `{name}` cannot be inspected"
        )),
        None if kind == "ClusterRole" => Lookup::Outside(format!(
            "ClusterRole `{name}` is not in the input (a built-in or one created elsewhere)"
        )),
        None => Lookup::Outside(format!(
            "Role `{name}` is not in the input in namespace `{ns}`"
        )),
    }
}

/// Rules an aggregated ClusterRole (`aggregationRule.clusterRoleSelectors`)
/// collects from the ClusterRoles of the input whose labels it selects.
fn aggregated_rules<'a>(index: &'a crate::index::Index, role: &Value) -> Vec<&'a Value> {
    let Some(selectors) = role
        .at(&["aggregationRule", "clusterRoleSelectors"])
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    let own = name_of(role);
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let mut all: Vec<&Value> = index.all_of_kind("ClusterRole").collect();
    all.sort_by_key(|r| {
        (
            name_of(r),
            r.at(&["metadata", "namespace"]).and_then(Value::as_str),
        )
    });
    for other in all {
        let other_name = name_of(other);
        if other_name == own || !seen.insert(other_name.to_string()) {
            continue;
        }
        let labels = other.at(&["metadata", "labels"]).and_then(Value::as_object);
        if selectors.iter().any(|s| selector_matches(Some(s), labels)) {
            out.extend(own_rules(other));
        }
    }
    out
}

/// The check of a RoleBinding or ClusterRoleBinding: looks up the role it
/// references and fails at `roleRef.name` when the role gives the grant.
pub(crate) fn check_binding(cx: &Ctx<'_>, out: &mut Emitter, spec: BindingRule) {
    let binding = cx.object;
    let Some(role_ref) = binding.field("roleRef").and_then(Value::as_object) else {
        out.not_applicable();
        return;
    };
    let ref_kind = role_ref.field("kind").and_then(Value::as_str).unwrap_or("");
    let ref_name = role_ref.field("name").and_then(Value::as_str).unwrap_or("");
    if ref_kind != spec.role_kind || ref_name.is_empty() {
        out.not_applicable();
        return;
    }
    if is_default(name_of(binding), spec.defaults) {
        return;
    }
    let path = FieldPath::keys("roleRef.name");
    if spec.grant == Grant::ClusterAdmin && ref_kind == "ClusterRole" && ref_name == "cluster-admin"
    {
        out.fail(path, "binds the built-in `cluster-admin` ClusterRole");
        return;
    }
    match lookup(cx, ref_kind, ref_name) {
        Lookup::Outside(reason) => out.not_evaluated(reason),
        Lookup::Found(rules) => {
            let found = offenders(&rules, spec.grant);
            if !found.is_empty() {
                out.fail(
                    path,
                    format!(
                        "binds {ref_kind} `{ref_name}`, which allows {} ({})",
                        spec.grant.describe(),
                        summarize(&found)
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn exec_attach_needs_core_group_resource_and_verb() {
        let g = Grant::ExecAttach;
        let r = |a: Value, r: Value, v: Value| json!({"apiGroups": a, "resources": r, "verbs": v});
        assert!(g
            .granted_by(&r(json!([""]), json!(["pods/exec"]), json!(["create"])))
            .is_some());
        assert!(g
            .granted_by(&r(json!(["*"]), json!(["*"]), json!(["get"])))
            .is_some());
        assert!(g
            .granted_by(&r(json!([""]), json!(["*/attach"]), json!(["*"])))
            .is_some());
        assert!(g
            .granted_by(&r(json!(["apps"]), json!(["pods/exec"]), json!(["create"])))
            .is_none());
        assert!(g
            .granted_by(&r(json!([""]), json!(["pods"]), json!(["create"])))
            .is_none());
        assert!(g
            .granted_by(&r(json!([""]), json!(["pods/exec"]), json!(["list"])))
            .is_none());
        assert!(g
            .granted_by(&json!({"nonResourceURLs": ["*"], "verbs": ["*"]}))
            .is_none());
    }

    #[test]
    fn cluster_admin_needs_wildcards_and_every_verb() {
        let g = Grant::ClusterAdmin;
        let all = json!({"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]});
        assert!(g.granted_by(&all).is_some());
        let seven = json!({"apiGroups": ["*"], "resources": ["*"],
            "verbs": ["watch", "get", "list", "create", "update", "patch", "delete", "deletecollection"]});
        assert!(g.granted_by(&seven).is_some());
        let six = json!({"apiGroups": ["*"], "resources": ["*"],
            "verbs": ["get", "list", "watch", "create", "update", "patch"]});
        assert!(g.granted_by(&six).is_none());
        let core = json!({"apiGroups": [""], "resources": ["*"], "verbs": ["*"]});
        assert!(g.granted_by(&core).is_none());
    }

    #[test]
    fn default_names() {
        assert!(is_default("system:node", DEFAULT_ROLES));
        assert!(is_default("edit", DEFAULT_CLUSTER_ROLES));
        assert!(!is_default("edit", DEFAULT_ROLES));
        assert!(is_default("cluster-admin", DEFAULT_CLUSTER_ROLE_BINDINGS));
        assert!(!is_default("cluster-admin", DEFAULT_ROLE_BINDINGS));
        assert!(!is_default("my-system:x", DEFAULT_ROLE_BINDINGS));
    }
}
