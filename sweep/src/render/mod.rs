//! Report renderers: human tables, JSON (the linter's schema) and a
//! self-contained HTML page.

pub mod html;
pub mod human;
pub mod json;
