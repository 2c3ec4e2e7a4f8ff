//! Report renderers: human tables, JSON (the linter's schema) and a
//! self-contained HTML page.

pub mod html;
pub mod human;
pub mod json;

/// The bidirectional overrides and isolates: text from the cluster (a log
/// line, an event message) writes them as escapes in every format meant
/// for people.
pub(crate) use eyelint_policies::text::reorders;
