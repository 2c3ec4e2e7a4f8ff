//! Report renderers: human tables, JSON (the linter's schema) and a
//! self-contained HTML page.

pub mod html;
pub mod human;
pub mod json;

/// The bidirectional overrides and isolates, which reorder how the text
/// around them is shown: text from the cluster (a log line, an event
/// message) writes them as escapes in every format meant for people.
pub(crate) fn reorders(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}
