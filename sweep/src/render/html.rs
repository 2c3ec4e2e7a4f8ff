//! A self-contained HTML report: summary, SVG charts of findings by
//! severity, namespace and node, and one sortable, filterable table per
//! section. No network access: styles and scripts are inline.

use std::collections::BTreeMap;
use std::fmt::Write;

use eyelint_policies::Severity;

use crate::checks::Section;
use crate::report::Report;

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            // The bidirectional overrides and isolates, which reorder how
            // the text around them is shown (a log line could make a
            // message read otherwise), are written as escapes, as the
            // human format writes them; an entity would still be one.
            c if super::reorders(c) => {
                let _ = write!(o, "\\u{{{:x}}}", c as u32);
            }
            c => o.push(c),
        }
    }
    o
}

const STYLE: &str = r#"
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
header{background:#1d2330;color:#fff;padding:18px 28px}
header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;color:#b9c0cf;font-size:13px}
main{padding:20px 28px}
.cards{display:flex;gap:14px;flex-wrap:wrap}
.card{background:#fff;border-radius:8px;padding:12px 18px;box-shadow:0 1px 3px rgba(0,0,0,.12);min-width:110px}
.card b{display:block;font-size:26px}
.card span{font-size:12px;color:#5b6475;text-transform:uppercase;letter-spacing:.04em}
.danger b{color:#c62828}.warning b{color:#b26a00}
.charts{display:flex;gap:14px;flex-wrap:wrap;margin-top:18px}
.chart{background:#fff;border-radius:8px;padding:12px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
.chart h3{margin:0 0 6px;font-size:14px}
section{margin-top:26px}
section h2{font-size:18px;margin:0 0 8px}
table{border-collapse:collapse;width:100%;background:#fff;box-shadow:0 1px 3px rgba(0,0,0,.12);font-size:13px}
th{background:#e9ecf2;text-align:left;padding:7px 8px;cursor:pointer;user-select:none;white-space:nowrap}
th:after{content:" \2195";color:#98a0b0}
td{padding:6px 8px;border-top:1px solid #eceef3;vertical-align:top}
td{white-space:nowrap}td.msg{white-space:normal;word-break:break-word;min-width:300px}
.scroll{overflow-x:auto}
.sev{font-weight:600;border-radius:4px;padding:1px 6px;font-size:12px}
.sev-danger{background:#fde3e3;color:#b71c1c}.sev-warning{background:#fff1d6;color:#8a5200}
.empty{color:#5b6475;font-style:italic}
.notes li{margin:3px 0}
#filter{padding:6px 10px;width:320px;border:1px solid #c5cad6;border-radius:6px;margin-top:18px}
"#;

const SCRIPT: &str = r#"
document.querySelectorAll('table.sortable').forEach(function(t){
  t.querySelectorAll('th').forEach(function(th,i){
    th.addEventListener('click',function(){
      var body=t.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
      var asc=th.getAttribute('data-dir')!=='asc';
      t.querySelectorAll('th').forEach(function(h){h.removeAttribute('data-dir')});
      th.setAttribute('data-dir',asc?'asc':'desc');
      rows.sort(function(a,b){
        var x=a.cells[i].getAttribute('data-key')||a.cells[i].textContent;
        var y=b.cells[i].getAttribute('data-key')||b.cells[i].textContent;
        var nx=parseFloat(x),ny=parseFloat(y);
        var c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);
        return asc?c:-c;});
      rows.forEach(function(r){body.appendChild(r)});
    });
  });
});
var m=location.hash.match(/^#sort=([a-z]+):(\d+)$/);
if(m){var th=document.querySelectorAll('#'+m[1]+' th')[+m[2]];if(th){th.click();}}
document.body.setAttribute('data-ready','1');
document.getElementById('filter').addEventListener('input',function(e){
  var q=e.target.value.toLowerCase();
  document.querySelectorAll('table.sortable tbody tr').forEach(function(r){
    r.style.display=r.textContent.toLowerCase().indexOf(q)>=0?'':'none';});
});
"#;

/// A horizontal bar chart as inline SVG.
fn bar_chart(title: &str, data: &[(String, usize, &str)]) -> String {
    let mut s = String::new();
    let row = 22;
    let label_w = 170;
    let bar_w = 240;
    let h = (data.len().max(1) * row + 10) as i32;
    let max = data.iter().map(|d| d.1).max().unwrap_or(0).max(1);
    let _ = write!(
        s,
        r#"<div class="chart"><h3>{}</h3><svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{h}" role="img" aria-label="{}">"#,
        esc(title),
        label_w + bar_w + 50,
        esc(title)
    );
    if data.is_empty() {
        let _ = write!(
            s,
            r##"<text x="4" y="16" font-size="12" fill="#5b6475">no findings</text>"##
        );
    }
    for (i, (label, n, color)) in data.iter().enumerate() {
        let y = i * row + 4;
        let w = (*n * bar_w).div_ceil(max).max(2);
        let shown: String = if label.chars().count() > 24 {
            label.chars().take(23).chain(['…']).collect()
        } else {
            label.clone()
        };
        let _ = write!(
            s,
            r##"<text x="{}" y="{}" font-size="12" text-anchor="end" fill="#1d2330"><title>{}</title>{}</text><rect x="{}" y="{y}" width="{w}" height="16" rx="3" fill="{color}"/><text x="{}" y="{}" font-size="12" fill="#1d2330">{n}</text>"##,
            label_w - 6,
            y + 12,
            esc(label),
            esc(&shown),
            label_w,
            label_w + w + 4,
            y + 12
        );
    }
    s.push_str("</svg></div>");
    s
}

fn top(counts: BTreeMap<String, usize>, n: usize) -> Vec<(String, usize, &'static str)> {
    let mut v: Vec<(String, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.into_iter()
        .take(n)
        .map(|(k, c)| (k, c, "#3f6fd8"))
        .collect()
}

/// Renders the report as one HTML page.
pub fn render(r: &Report) -> String {
    let s = &r.summary;
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>eyelint sweep report</title><style>{STYLE}</style></head><body>"
    );
    let _ = write!(
        o,
        "<header><h1>eyelint sweep report</h1><p>{} &middot; source: {} ({})</p></header><main>",
        esc(&r.tool),
        esc(&r.source.origin),
        esc(&r.source.kind)
    );
    // Summary cards.
    o.push_str("<div class=\"cards\">");
    let _ = write!(
        o,
        "<div class=\"card\" id=\"total\"><b>{}</b><span>findings</span></div>",
        s.total
    );
    let _ = write!(
        o,
        "<div class=\"card danger\"><b>{}</b><span>danger</span></div>",
        s.danger
    );
    let _ = write!(
        o,
        "<div class=\"card warning\"><b>{}</b><span>warning</span></div>",
        s.warning
    );
    for sec in Section::ALL {
        let _ = write!(
            o,
            "<div class=\"card\"><b>{}</b><span>{}</span></div>",
            s.by_section.get(&sec).copied().unwrap_or(0),
            esc(sec.title())
        );
    }
    let _ = write!(
        o,
        "<div class=\"card\"><b>{}</b><span>workloads judged</span></div>",
        s.workloads_judged
    );
    o.push_str("</div>");
    // Charts.
    let mut by_ns = BTreeMap::new();
    let mut by_node = BTreeMap::new();
    for f in &r.findings {
        let ns = if f.namespace.is_empty() {
            "(cluster)".to_string()
        } else {
            f.namespace.clone()
        };
        *by_ns.entry(ns).or_insert(0) += 1;
        if let Some(n) = &f.node {
            *by_node.entry(n.clone()).or_insert(0) += 1;
        }
    }
    o.push_str("<div class=\"charts\">");
    o.push_str(&bar_chart(
        "Findings by severity",
        &[
            ("danger".to_string(), s.danger, "#c62828"),
            ("warning".to_string(), s.warning, "#e0a100"),
        ],
    ));
    o.push_str(&bar_chart(
        "Findings by namespace (top 10)",
        &top(by_ns, 10),
    ));
    o.push_str(&bar_chart("Findings by node (top 10)", &top(by_node, 10)));
    o.push_str("</div>");
    if !r.notes.is_empty() {
        o.push_str("<section><h2>Notes</h2><ul class=\"notes\">");
        for n in &r.notes {
            let _ = write!(o, "<li>{}</li>", esc(n));
        }
        o.push_str("</ul></section>");
    }
    o.push_str("<input id=\"filter\" type=\"search\" placeholder=\"Filter findings…\" aria-label=\"Filter findings\">");
    for sec in Section::ALL {
        let rows: Vec<_> = r.section(sec).collect();
        let _ = write!(
            o,
            "<section id=\"{}\"><h2>{} ({})</h2>",
            esc(&format!("{sec:?}").to_lowercase()),
            esc(sec.title()),
            rows.len()
        );
        if rows.is_empty() {
            o.push_str("<p class=\"empty\">No problems found.</p></section>");
            continue;
        }
        o.push_str("<div class=\"scroll\"><table class=\"sortable\"><thead><tr><th>Severity</th><th>Check</th><th>Namespace</th><th>Object</th><th>Container</th><th>Node</th><th>Count</th><th>Last seen</th><th>Message</th></tr></thead><tbody>");
        for f in rows {
            let rank = match f.severity {
                Severity::Danger => 2,
                Severity::Warning => 1,
                Severity::Ignore => 0,
            };
            let _ = write!(
                o,
                "<tr><td data-key=\"{rank}\"><span class=\"sev sev-{sev}\">{sev}</span></td><td>{}</td><td>{}</td><td>{}/{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"msg\">{}</td></tr>",
                esc(&f.id),
                esc(&f.namespace),
                esc(&f.kind),
                esc(&f.name),
                esc(f.container.as_deref().unwrap_or("")),
                esc(f.node.as_deref().unwrap_or("")),
                f.count.map(|c| c.to_string()).unwrap_or_default(),
                esc(f.last_seen.as_deref().unwrap_or("")),
                esc(&f.message),
                sev = f.severity.as_str(),
            );
        }
        o.push_str("</tbody></table></div></section>");
    }
    let _ = writeln!(o, "</main><script>{SCRIPT}</script></body></html>");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(esc("abc\u{202E}fed\u{2066}"), "abc\\u{202e}fed\\u{2066}");
    }
}
