//! Efficiency rules.

use crate::rule::Rule;

/// Every efficiency rule.
pub fn all() -> Vec<&'static dyn Rule> {
    vec![]
}
