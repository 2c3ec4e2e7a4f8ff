//! Reliability rules.

use crate::rule::Rule;

/// Every reliability rule.
pub fn all() -> Vec<&'static dyn Rule> {
    vec![]
}
