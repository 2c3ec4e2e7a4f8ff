//! Rules on objects other than workloads (Ingress, ConfigMap, RBAC, PDB, HPA).

use crate::rule::Rule;

/// Every object rule.
pub fn all() -> Vec<&'static dyn Rule> {
    vec![]
}
