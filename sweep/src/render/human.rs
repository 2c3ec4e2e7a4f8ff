//! Human output: one aligned table per section (as `ke diag` prints them),
//! severity colours on a terminal, notes and a summary.

use std::fmt::Write;

use eyelint_policies::Severity;

use crate::checks::Section;
use crate::report::{Report, SweepFinding};

/// How to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    /// ANSI colours.
    pub color: bool,
    /// Total width; the message column is cut to fit (`None`: never cut).
    pub width: Option<usize>,
}

fn sev(s: Severity, color: bool) -> (String, usize) {
    let plain = s.as_str().to_uppercase();
    let n = plain.len();
    if !color {
        return (plain, n);
    }
    let code = match s {
        Severity::Danger => "1;31",
        Severity::Warning => "33",
        Severity::Ignore => "2",
    };
    (format!("\x1b[{code}m{plain}\x1b[0m"), n)
}

fn columns(section: Section) -> &'static [&'static str] {
    match section {
        Section::Nodes => &[
            "SEVERITY",
            "CHECK",
            "NODE",
            "REASON",
            "LAST SEEN",
            "MESSAGE",
        ],
        Section::ControlPlane => &["SEVERITY", "CHECK", "KIND", "NAME", "MESSAGE"],
        Section::Events => &[
            "SEVERITY",
            "NAMESPACE",
            "OBJECT",
            "REASON",
            "COUNT",
            "LAST SEEN",
            "MESSAGE",
        ],
        Section::Pods => &[
            "SEVERITY",
            "CHECK",
            "NAMESPACE",
            "POD",
            "CONTAINER",
            "MESSAGE",
        ],
        Section::Workloads => &[
            "SEVERITY",
            "CHECK",
            "NAMESPACE",
            "WORKLOAD",
            "CONTAINER",
            "MESSAGE",
        ],
    }
}

fn cells(section: Section, f: &SweepFinding) -> Vec<String> {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let dash = |s: &str| {
        if s.is_empty() {
            "-".to_string()
        } else {
            s.to_string()
        }
    };
    let row = match section {
        Section::Nodes => vec![
            f.id.clone(),
            f.name.clone(),
            dash(&o(&f.reason)),
            dash(&o(&f.last_seen)),
            f.message.clone(),
        ],
        Section::ControlPlane => vec![
            f.id.clone(),
            f.kind.clone(),
            f.name.clone(),
            f.message.clone(),
        ],
        Section::Events => vec![
            dash(&f.namespace),
            format!("{}/{}", f.kind, f.name),
            o(&f.reason),
            f.count.unwrap_or(1).to_string(),
            dash(&o(&f.last_seen)),
            f.message
                .split_once(": ")
                .map_or(f.message.clone(), |(_, m)| m.to_string()),
        ],
        Section::Pods => vec![
            f.id.clone(),
            dash(&f.namespace),
            f.name.clone(),
            dash(&o(&f.container)),
            f.message.clone(),
        ],
        Section::Workloads => vec![
            f.id.clone(),
            dash(&f.namespace),
            format!("{}/{}", f.kind, f.name),
            dash(&o(&f.container)),
            f.message.clone(),
        ],
    };
    row.iter().map(|c| printable(c)).collect()
}

/// Text from the cluster (event messages, log lines, names) as it may be
/// shown on a terminal: control characters (an `ESC` that would clear the
/// screen or set the window title, a carriage return that would hide what
/// came before it) and the bidirectional overrides that reorder what is
/// shown are written as escapes (`\x1b`, `\u{202e}`).
fn printable(s: &str) -> String {
    eyelint_policies::text::printable(s).into_owned()
}

/// The columns `s` takes on a terminal (a CJK character takes two).
fn columns_of(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// `s` in lines of at most `max` terminal columns (at least 20), broken
/// after a space where there is one in the line, else within a word (never
/// within one of the escapes [`printable`] writes): a message is wrapped to
/// the terminal, never cut (what is cut is lost to the reader).
fn wrap(s: &str, max: usize) -> Vec<String> {
    let max = max.max(20);
    // Units that are never split: a character, or an escape (`\u{202e}`).
    let mut units: Vec<&str> = Vec::new();
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let len = match rest.strip_prefix("\\u{").and_then(|r| r.find('}')) {
            Some(close) => 3 + close + 1,
            None if rest.starts_with("\\x") && rest.len() >= 4 => 4,
            None => c.len_utf8(),
        };
        let (unit, tail) = rest.split_at(len.min(rest.len()));
        units.push(unit);
        rest = tail;
    }
    let mut lines = Vec::new();
    let mut start = 0;
    while start < units.len() {
        // The units that fit, and the last space among them.
        let (mut end, mut used, mut space) = (start, 0, None);
        while end < units.len() && used + columns_of(units[end]) <= max {
            used += columns_of(units[end]);
            if units[end] == " " && end > start {
                space = Some(end);
            }
            end += 1;
        }
        if end == units.len() {
            lines.push(units[start..].concat());
            break;
        }
        // A space right after a full line ends it there.
        if units[end] == " " {
            space = Some(end);
        }
        let (cut, next) = match space {
            Some(sp) => (sp, sp + 1),
            // One unit at least, however wide.
            None => (end.max(start + 1), end.max(start + 1)),
        };
        lines.push(units[start..cut].concat().trim_end().to_string());
        start = next;
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Renders the report.
pub fn render(r: &Report, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "eyelint sweep of {} ({})",
        printable(&r.source.origin),
        r.source.kind
    );
    for section in Section::ALL {
        let rows: Vec<&SweepFinding> = r.section(section).collect();
        let _ = writeln!(out);
        let heading = format!("{} ({})", section.title().to_uppercase(), rows.len());
        if style.color {
            let _ = writeln!(out, "\x1b[1m{heading}\x1b[0m");
        } else {
            let _ = writeln!(out, "{heading}");
        }
        if rows.is_empty() {
            let _ = writeln!(out, "  no problems found");
            continue;
        }
        let head = columns(section);
        let table: Vec<(Severity, Vec<String>)> = rows
            .iter()
            .map(|f| (f.severity, cells(section, f)))
            .collect();
        let mut widths: Vec<usize> = head.iter().map(|h| columns_of(h)).collect();
        for (s, row) in &table {
            widths[0] = widths[0].max(s.as_str().len());
            for (i, c) in row.iter().enumerate() {
                widths[i + 1] = widths[i + 1].max(columns_of(c));
            }
        }
        let last = head.len() - 1;
        let fixed: usize = widths[..last].iter().map(|w| w + 2).sum::<usize>() + 2;
        // When the message column would be narrower than 40 characters, each
        // message goes on its own line under its row.
        let stacked = style.width.is_some_and(|w| w < fixed + 40);
        let msg_max = style.width.map(|w| {
            if stacked {
                w.saturating_sub(6)
            } else {
                w - fixed
            }
        });
        let mut line = String::from("  ");
        for (i, h) in head.iter().enumerate() {
            if i == last {
                if !stacked {
                    line.push_str(h);
                }
            } else {
                let _ = write!(line, "{:<w$}  ", h, w = widths[i]);
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
        for (s, row) in &table {
            let (label, n) = sev(*s, style.color);
            let mut line = format!("  {label}{}  ", " ".repeat(widths[0] - n));
            for (i, c) in row.iter().enumerate() {
                if i + 1 == last {
                    let lines = match msg_max {
                        Some(m) => wrap(c, m),
                        None => vec![c.clone()],
                    };
                    for (k, msg) in lines.iter().enumerate() {
                        if stacked {
                            line = format!("{}\n      {msg}", line.trim_end());
                        } else if k == 0 {
                            line.push_str(msg);
                        } else {
                            line = format!("{}\n{}{msg}", line.trim_end(), " ".repeat(fixed));
                        }
                    }
                } else {
                    line.push_str(c);
                    line.push_str(&" ".repeat(widths[i + 1] - columns_of(c) + 2));
                }
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }
    }
    if !r.notes.is_empty() {
        let _ = writeln!(out, "\nNOTES");
        for n in &r.notes {
            let _ = writeln!(out, "  - {}", printable(n));
        }
    }
    let s = &r.summary;
    let _ = writeln!(out);
    let per_section: Vec<String> = Section::ALL
        .iter()
        .map(|sec| {
            format!(
                "{} {}",
                sec.title().to_lowercase(),
                s.by_section.get(sec).copied().unwrap_or(0)
            )
        })
        .collect();
    let objects: Vec<String> = s
        .objects
        .iter()
        .map(|(k, n)| format!("{n} {}", printable(k)))
        .collect();
    let _ = writeln!(
        out,
        "Summary: {} finding(s): {} danger, {} warning ({})",
        s.total,
        s.danger,
        s.warning,
        per_section.join(", ")
    );
    let exempted = match s.exempted {
        0 => String::new(),
        n => format!(" ({n} check(s) skipped by exemptions)"),
    };
    let _ = writeln!(
        out,
        "Read: {}; {} workload(s) judged by the policy engine{exempted}",
        if objects.is_empty() {
            "nothing".to_string()
        } else {
            objects.join(", ")
        },
        s.workloads_judged
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_controls_from_the_cluster_are_escaped() {
        assert_eq!(printable("plain text, ünïcode"), "plain text, ünïcode");
        assert_eq!(printable("a\u{85}b\u{9b}c"), "a\\u{85}b\\u{9b}c");
    }

    #[test]
    fn messages_are_wrapped_not_cut() {
        let m = "node is not ready: KubeletNotReady: error getting the container runtime status";
        let lines = wrap(m, 30);
        assert!(lines.iter().all(|l| columns_of(l) <= 30), "{lines:?}");
        assert_eq!(lines.join(" "), m);
        assert_eq!(lines[0], "node is not ready:");
        // A word longer than the line is broken within it.
        let long = "x".repeat(50);
        assert_eq!(
            wrap(&long, 20),
            ["x".repeat(20), "x".repeat(20), "x".repeat(10)]
        );
        assert_eq!(wrap("short", 20), ["short"]);
        // Terminal columns, not characters: CJK characters take two.
        let cjk = "节点未就绪 ".repeat(8);
        let lines = wrap(cjk.trim_end(), 24);
        assert!(lines.iter().all(|l| columns_of(l) <= 24), "{lines:?}");
        assert_eq!(lines.join(" "), cjk.trim_end());
        // An escape is never split across lines.
        let esc = format!("{}\\u{{202e}}tail", "x".repeat(18));
        assert_eq!(
            wrap(&esc, 20),
            ["x".repeat(18), "\\u{202e}tail".to_string()]
        );
        assert_eq!(printable("tab\there"), "tab\\x09here");
    }
}
