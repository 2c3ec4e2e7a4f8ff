//! Rule documentation: splits a rule's doc comment into its fixed sections,
//! extracts the example YAML blocks, and renders the rule catalog
//! (`docs/rules.md`, `eyelint rules`, `eyelint rule ID`).

use std::fmt::Write as _;

use crate::engine::roles_of;
use crate::rule::{RuleMeta, Scope};

/// The sections every rule documents, in order.
pub const SECTIONS: [&str; 7] = [
    "What it does",
    "Why it matters",
    "Example failing YAML",
    "Passing YAML",
    "Config",
    "Roles inspected",
    "Fix safety",
];

/// One `## Title` section of a rule's documentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// The heading without `## `.
    pub title: String,
    /// The Markdown below the heading, trimmed.
    pub body: String,
}

/// A rule's documentation split into sections.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleDoc {
    /// Text before the first `##` heading (usually empty).
    pub preamble: String,
    /// The sections, in the order written.
    pub sections: Vec<Section>,
}

/// The doc comment as Markdown: `///` leaves one leading space on each line,
/// which is removed here.
pub fn markdown(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len());
    for line in doc.lines() {
        out.push_str(line.strip_prefix(' ').unwrap_or(line));
        out.push('\n');
    }
    out
}

/// Splits a rule's documentation into sections.
pub fn parse(meta: &RuleMeta) -> RuleDoc {
    parse_markdown(&markdown(meta.doc))
}

/// Splits Markdown into `## ` sections (headings inside code fences are not
/// headings).
pub fn parse_markdown(text: &str) -> RuleDoc {
    let mut preamble = String::new();
    let mut sections: Vec<Section> = Vec::new();
    let mut in_fence = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        if !in_fence {
            if let Some(title) = line.strip_prefix("## ") {
                sections.push(Section {
                    title: title.trim().to_string(),
                    body: String::new(),
                });
                continue;
            }
        }
        let target = match sections.last_mut() {
            Some(s) => &mut s.body,
            None => &mut preamble,
        };
        target.push_str(line);
        target.push('\n');
    }
    for s in &mut sections {
        s.body = s.body.trim().to_string();
    }
    RuleDoc {
        preamble: preamble.trim().to_string(),
        sections,
    }
}

/// The contents of every fenced code block of `body` whose info string is
/// `lang` (e.g. `yaml`).
pub fn code_blocks(body: &str, lang: &str) -> Vec<String> {
    let mut out = Vec::new();
    // Inside a fence: whether its block is wanted.
    let mut fence: Option<bool> = None;
    let mut current = String::new();
    for line in body.lines() {
        match (fence, line.trim_start().strip_prefix("```")) {
            (None, Some(info)) => {
                fence = Some(info.trim() == lang);
                current.clear();
            }
            (Some(keep), Some(_)) => {
                if keep {
                    out.push(std::mem::take(&mut current));
                }
                fence = None;
            }
            (Some(true), None) => {
                current.push_str(line);
                current.push('\n');
            }
            _ => {}
        }
    }
    out
}

impl RuleDoc {
    /// The body of the section titled `title`.
    pub fn section(&self, title: &str) -> Option<&str> {
        self.sections
            .iter()
            .find(|s| s.title == title)
            .map(|s| s.body.as_str())
    }

    /// Required sections that are missing or empty.
    pub fn missing_sections(&self) -> Vec<&'static str> {
        SECTIONS
            .iter()
            .copied()
            .filter(|t| self.section(t).is_none_or(str::is_empty))
            .collect()
    }

    fn first_yaml(&self, title: &str) -> Option<String> {
        self.section(title)
            .and_then(|b| code_blocks(b, "yaml").into_iter().next())
    }

    /// The YAML of `## Example failing YAML` (may hold several documents).
    pub fn failing_example(&self) -> Option<String> {
        self.first_yaml("Example failing YAML")
    }

    /// The YAML of `## Passing YAML`.
    pub fn passing_example(&self) -> Option<String> {
        self.first_yaml("Passing YAML")
    }

    /// A configuration snippet from `## Config`, if it has a YAML block: the
    /// examples run with it merged over the defaults.
    pub fn config_example(&self) -> Option<String> {
        self.first_yaml("Config")
    }
}

/// "container, initContainer, …" for container-scoped rules; "pod" for
/// workload rules; "object" for object rules.
pub fn roles_label(meta: &RuleMeta) -> String {
    match meta.scope {
        Scope::Container(_) => roles_of(meta)
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        Scope::Workload => "none (pod-level)".to_string(),
        Scope::Object => "none (object-level)".to_string(),
    }
}

/// What a rule runs against, for tables.
pub fn scope_label(meta: &RuleMeta) -> String {
    let base = match meta.scope {
        Scope::Container(_) => "container",
        Scope::Workload => "workload",
        Scope::Object => "object",
    };
    let mut s = base.to_string();
    if !meta.kinds.is_empty() {
        let _ = write!(s, " ({})", meta.kinds.join(", "));
    }
    if !meta.needs.is_empty() {
        let _ = write!(s, "; consults {}", meta.needs.join(", "));
    }
    s
}

/// The fix a rule offers, for tables.
pub fn fix_label(meta: &RuleMeta) -> &'static str {
    match meta.fix {
        Some(f) => f.as_str(),
        None => "none",
    }
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// The rule catalog as Markdown: a summary table, then each rule's full
/// documentation. `docs/rules.md` is exactly this for the built-in rules.
pub fn catalog_markdown(rules: &[&RuleMeta]) -> String {
    let mut out = String::new();
    out.push_str(
        "<!-- Generated from the rule registry (policies/src/rules). Do not edit by hand:\n     \
         regenerate with `EYELINT_UPDATE_DOCS=1 cargo test -p eyelint-policies --test rule_docs`. -->\n\n",
    );
    out.push_str("# Rules\n\n");
    let _ = writeln!(
        out,
        "{} built-in rules. Severities are the defaults; change them under `checks:` in the \
         configuration (see `docs/config.md`). \"Roles inspected\" lists the container roles a \
         container rule looks at: `container`, `initContainer` (runs to completion), `sidecar` \
         (native sidecar: an init container with `restartPolicy: Always`) and `ephemeral`.\n",
        rules.len()
    );
    out.push_str(
        "| id | category | default severity | scope | roles inspected | fix | summary |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for m in rules {
        let _ = writeln!(
            out,
            "| [`{id}`](#{anchor}) | {cat} | {sev} | {scope} | {roles} | {fix} | {summary} |",
            id = m.id,
            anchor = m.id.to_lowercase(),
            cat = m.category.as_str(),
            sev = m.severity.as_str(),
            scope = cell(&scope_label(m)),
            roles = cell(&roles_label(m)),
            fix = fix_label(m),
            summary = cell(m.summary),
        );
    }
    for m in rules {
        let doc = parse(m);
        let _ = write!(
            out,
            "\n## {id}\n\n{summary}.\n\n- Category: {cat}\n- Default severity: {sev}\n- Scope: {scope}\n- Roles inspected: {roles}\n- Fix: {fix}\n",
            id = m.id,
            summary = capitalised(m.summary),
            cat = m.category.as_str(),
            sev = m.severity.as_str(),
            scope = scope_label(m),
            roles = roles_label(m),
            fix = fix_label(m),
        );
        if !doc.preamble.is_empty() {
            let _ = write!(out, "\n{}\n", doc.preamble);
        }
        for s in &doc.sections {
            let _ = write!(out, "\n### {}\n\n{}\n", s.title, s.body);
        }
    }
    out
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_blocks() {
        let doc = parse_markdown(
            "intro\n## What it does\nA.\n\n## Example failing YAML\n```yaml\na: 1\n## not a heading\n```\n```json\n{}\n```\n## Config\n`x`\n",
        );
        assert_eq!(doc.preamble, "intro");
        assert_eq!(doc.section("What it does"), Some("A."));
        assert_eq!(
            doc.failing_example().as_deref(),
            Some("a: 1\n## not a heading\n")
        );
        assert_eq!(doc.config_example(), None);
        assert!(doc.missing_sections().contains(&"Why it matters"));
        assert!(!doc.missing_sections().contains(&"Config"));
        assert_eq!(markdown(" a\n\n b\n"), "a\n\nb\n");
    }
}
