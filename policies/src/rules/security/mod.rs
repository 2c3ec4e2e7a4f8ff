//! Security rules.

use crate::rule::Rule;

mod host_ipc_set;

/// Every security rule.
pub fn all() -> Vec<&'static dyn Rule> {
    vec![&host_ipc_set::HostIpcSet]
}
