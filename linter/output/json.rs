//! `--format json`: the shared report, pretty-printed.

use super::Output;

/// Renders the report as JSON (see `docs/output.md`).
pub fn render(out: &Output<'_>) -> String {
    match serde_json::to_string_pretty(&out.report) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        // Serialising plain data to a string cannot fail; keep a valid document anyway.
        Err(e) => format!("{{\"schemaVersion\": 1, \"error\": {:?}}}\n", e.to_string()),
    }
}
