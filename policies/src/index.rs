//! The cross-object index: the small objects that cross-object rules consult
//! (PodDisruptionBudgets, NetworkPolicies, HPAs, ServiceAccounts, RBAC roles,
//! and kinds named by custom checks' `additionalSchemas`), grouped by
//! namespace and kind. Only wanted kinds are stored, so memory stays
//! proportional to them, not to the input.

use crate::object::At;
use crate::object::Field;
use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

/// Which kinds the source is authoritative for. A file-based run sees "all"
/// (whatever is not in the input does not exist); a cluster dump only holds
/// some kinds, so a rule that needs another kind is "not evaluated".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Coverage {
    /// Every kind: absence means absence.
    All,
    /// Only these kinds were collected.
    Kinds(BTreeSet<String>),
}

/// True for the built-in kinds that are cluster-scoped.
pub fn is_cluster_scoped(kind: &str) -> bool {
    matches!(
        kind,
        "ClusterRole"
            | "ClusterRoleBinding"
            | "Namespace"
            | "Node"
            | "PersistentVolume"
            | "PriorityClass"
            | "StorageClass"
            | "CustomResourceDefinition"
            | "ValidatingWebhookConfiguration"
            | "MutatingWebhookConfiguration"
            | "ValidatingAdmissionPolicy"
            | "ValidatingAdmissionPolicyBinding"
            | "IngressClass"
            | "RuntimeClass"
            | "CSIDriver"
            | "APIService"
    )
}

/// Objects of the wanted kinds, by namespace and kind.
#[derive(Debug)]
pub struct Index {
    wanted: BTreeSet<String>,
    coverage: Coverage,
    objects: HashMap<(String, String), Vec<Value>>,
    by_name: HashMap<(String, String, String), usize>,
    /// For kinds with a pod selector: positions of the objects whose
    /// `matchLabels` hold a given pair, by (namespace, kind, key, value); each
    /// object is filed under one of its pairs (the first).
    by_label: HashMap<(String, String, String, String), Vec<usize>>,
    /// For kinds with a pod selector: positions of the objects filed under no
    /// pair (no `matchLabels`, only expressions, empty or malformed selectors).
    unlabelled: HashMap<(String, String), Vec<usize>>,
    /// HorizontalPodAutoscalers by (namespace, target kind, target name).
    by_scale_target: HashMap<(String, String, String), Vec<usize>>,
    /// Kinds with at least one stored object: lookups of other kinds answer
    /// at once, without building the owned keys the maps are searched by
    /// (rules ask for PDBs and NetworkPolicies of every workload).
    stored: BTreeSet<String>,
    count: usize,
}

/// Where the pod selector of an indexed kind is, for
/// [`Index::selector_candidates`].
fn selector_pointer(kind: &str) -> Option<&'static str> {
    match kind {
        "NetworkPolicy" => Some("/spec/podSelector"),
        "PodDisruptionBudget" => Some("/spec/selector"),
        _ => None,
    }
}

impl Index {
    /// An index that stores objects of the `wanted` kinds.
    pub fn new(wanted: BTreeSet<String>, coverage: Coverage) -> Self {
        Index {
            wanted,
            coverage,
            objects: HashMap::new(),
            by_name: HashMap::new(),
            by_label: HashMap::new(),
            unlabelled: HashMap::new(),
            by_scale_target: HashMap::new(),
            stored: BTreeSet::new(),
            count: 0,
        }
    }

    /// True when objects of `kind` are stored.
    pub fn wants(&self, kind: &str) -> bool {
        self.wanted.contains(kind)
    }

    /// Stores `object` if its kind is wanted. Returns whether it was stored.
    pub fn add(&mut self, object: &Value) -> bool {
        let kind = object.field("kind").and_then(Value::as_str).unwrap_or("");
        if !self.wanted.contains(kind) {
            return false;
        }
        // Cluster-scoped objects live under "" whatever stray namespace they
        // carry (the API server ignores it too).
        let ns = if is_cluster_scoped(kind) {
            ""
        } else {
            object
                .at(&["metadata", "namespace"])
                .and_then(Value::as_str)
                .unwrap_or("")
        };
        let list = self
            .objects
            .entry((ns.to_string(), kind.to_string()))
            .or_default();
        if let Some(name) = object.at(&["metadata", "name"]).and_then(Value::as_str) {
            self.by_name
                .entry((ns.to_string(), kind.to_string(), name.to_string()))
                .or_insert(list.len());
        }
        if let Some(pointer) = selector_pointer(kind) {
            let first_pair = object
                .pointer(pointer)
                .and_then(|s| s.field("matchLabels"))
                .and_then(Value::as_object)
                .and_then(|m| m.iter().next())
                .and_then(|(k, v)| Some((k.clone(), v.as_str()?.to_string())));
            let slot = match first_pair {
                Some((k, v)) => self
                    .by_label
                    .entry((ns.to_string(), kind.to_string(), k, v))
                    .or_default(),
                None => self
                    .unlabelled
                    .entry((ns.to_string(), kind.to_string()))
                    .or_default(),
            };
            slot.push(list.len());
        }
        if kind == "HorizontalPodAutoscaler" {
            let target = object.at(&["spec", "scaleTargetRef"]);
            let field = |k: &str| target.and_then(|t| t.field(k)).and_then(Value::as_str);
            if let (Some(tk), Some(tn)) = (field("kind"), field("name")) {
                self.by_scale_target
                    .entry((ns.to_string(), tk.to_string(), tn.to_string()))
                    .or_default()
                    .push(list.len());
            }
        }
        list.push(object.clone());
        if !self.stored.contains(kind) {
            self.stored.insert(kind.to_string());
        }
        self.count += 1;
        true
    }

    /// The object of `kind` named `name` in namespace `ns` ("" for
    /// cluster-scoped objects), in constant time. With duplicates, the first.
    pub fn get(&self, kind: &str, ns: &str, name: &str) -> Option<&Value> {
        if !self.stored.contains(kind) {
            return None;
        }
        let i = *self
            .by_name
            .get(&(ns.to_string(), kind.to_string(), name.to_string()))?;
        self.objects
            .get(&(ns.to_string(), kind.to_string()))
            .and_then(|v| v.get(i))
    }

    /// Objects of `kind` in namespace `ns` ("" for cluster-scoped objects).
    pub fn objects(&self, kind: &str, ns: &str) -> &[Value] {
        if !self.stored.contains(kind) {
            return &[];
        }
        self.objects
            .get(&(ns.to_string(), kind.to_string()))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Objects of `kind` in namespace `ns` whose pod selector may select a pod
    /// with `labels`, in input order: every object whose selector's
    /// `matchLabels` are all among `labels`, plus every object whose selector
    /// has no `matchLabels` pair. The caller still applies the full selector
    /// (`matchExpressions`, and its own reading of empty or missing
    /// selectors). Without sorting every object against every pod, the cross
    /// pass stays linear in the number of objects. For kinds without a known
    /// selector, the same as [`Index::objects`].
    pub fn selector_candidates(
        &self,
        kind: &str,
        ns: &str,
        labels: Option<&serde_json::Map<String, Value>>,
    ) -> Vec<&Value> {
        let all = self.objects(kind, ns);
        if all.is_empty() {
            return Vec::new();
        }
        if selector_pointer(kind).is_none() {
            return all.iter().collect();
        }
        let mut positions: Vec<usize> = self
            .unlabelled
            .get(&(ns.to_string(), kind.to_string()))
            .map(|v| v.to_vec())
            .unwrap_or_default();
        for (k, v) in labels.into_iter().flatten() {
            let Some(v) = v.as_str() else { continue };
            let key = (ns.to_string(), kind.to_string(), k.clone(), v.to_string());
            if let Some(found) = self.by_label.get(&key) {
                positions.extend_from_slice(found);
            }
        }
        positions.sort_unstable();
        positions.dedup();
        positions.into_iter().filter_map(|i| all.get(i)).collect()
    }

    /// HorizontalPodAutoscalers in `ns` whose `scaleTargetRef` names
    /// `target_kind`/`target_name`, in input order, in constant time.
    pub fn autoscalers_of(&self, ns: &str, target_kind: &str, target_name: &str) -> Vec<&Value> {
        let all = self.objects("HorizontalPodAutoscaler", ns);
        if all.is_empty() {
            return Vec::new();
        }
        self.by_scale_target
            .get(&(
                ns.to_string(),
                target_kind.to_string(),
                target_name.to_string(),
            ))
            .map(|v| v.iter().filter_map(|i| all.get(*i)).collect())
            .unwrap_or_default()
    }

    /// Every stored object of `kind`, whatever its namespace.
    pub fn all_of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.objects
            .iter()
            .filter(move |((_, k), _)| k == kind)
            .flat_map(|(_, v)| v.iter())
    }

    /// True when the source is authoritative for `kind` (absence means absence).
    pub fn covers(&self, kind: &str) -> bool {
        match &self.coverage {
            Coverage::All => true,
            Coverage::Kinds(k) => k.contains(kind),
        }
    }

    /// Number of stored objects.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lookup_by_name_and_cluster_scope() {
        let kinds = ["ClusterRole", "Role"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut idx = Index::new(kinds, Coverage::All);
        assert!(idx
            .add(&json!({"kind": "ClusterRole", "metadata": {"name": "a", "namespace": "stray"}})));
        assert!(idx.add(&json!({"kind": "Role", "metadata": {"name": "r", "namespace": "ns1"}})));
        assert!(!idx.add(&json!({"kind": "Pod", "metadata": {"name": "p"}})));
        assert!(idx.get("ClusterRole", "", "a").is_some());
        assert!(idx.get("Role", "ns1", "r").is_some());
        assert!(idx.get("Role", "ns2", "r").is_none());
        assert_eq!(idx.len(), 2);
    }

    #[test]
    fn selector_candidates_are_a_superset_of_the_matches_in_input_order() {
        let kinds = ["NetworkPolicy", "ServiceAccount"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut idx = Index::new(kinds, Coverage::All);
        let pol = |name: &str, ns: &str, sel: Value| {
            json!({"kind": "NetworkPolicy", "metadata": {"name": name, "namespace": ns},
                   "spec": {"podSelector": sel}})
        };
        idx.add(&pol("all", "a", json!({})));
        idx.add(&pol(
            "web",
            "a",
            json!({"matchLabels": {"app": "web", "tier": "x"}}),
        ));
        idx.add(&pol("api", "a", json!({"matchLabels": {"app": "api"}})));
        idx.add(&pol(
            "expr",
            "a",
            json!({"matchExpressions": [{"key": "app", "operator": "Exists"}]}),
        ));
        idx.add(&pol("none", "a", Value::Null));
        idx.add(&pol(
            "other-ns",
            "b",
            json!({"matchLabels": {"app": "web"}}),
        ));
        idx.add(&pol("tier", "a", json!({"matchLabels": {"tier": "x"}})));
        let labels = json!({"app": "web", "tier": "x"});
        let names = |v: Vec<&Value>| -> Vec<String> {
            v.iter()
                .filter_map(|o| o.at(&["metadata", "name"]).and_then(Value::as_str))
                .map(str::to_string)
                .collect()
        };
        assert_eq!(
            names(idx.selector_candidates("NetworkPolicy", "a", labels.as_object())),
            ["all", "web", "expr", "none", "tier"]
        );
        assert_eq!(
            names(idx.selector_candidates("NetworkPolicy", "a", None)),
            ["all", "expr", "none"]
        );
        // Kinds without a selector: every object of the namespace.
        idx.add(&json!({"kind": "ServiceAccount", "metadata": {"name": "s", "namespace": "a"}}));
        assert_eq!(
            idx.selector_candidates("ServiceAccount", "a", None).len(),
            1
        );
    }
}
