//! Helpers for building fixes: the shared JSON Patch builders.

pub(crate) use crate::rules::patch::{add, set_fix, sub};
