//! The built-in rule catalog: one rule per file, grouped by category.

use crate::rule::Rule;

pub mod efficiency;
pub mod objects;
mod patch;
pub mod reliability;
pub mod security;

/// Every built-in rule, in registry order (reliability, efficiency, security, objects).
pub fn all() -> Vec<&'static dyn Rule> {
    let mut v = reliability::all();
    v.extend(efficiency::all());
    v.extend(security::all());
    v.extend(objects::all());
    v
}

/// The built-in rule with this id.
pub fn find(id: &str) -> Option<&'static dyn Rule> {
    all().into_iter().find(|r| r.meta().id == id)
}
