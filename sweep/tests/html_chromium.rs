//! The HTML report as a person sees it: rendered by headless Chromium
//! (installed by tests/scripts/ensure-chromium.sh when missing; the test is
//! skipped with a message when no browser can be had).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use eyelint_sweep::render::html;
use eyelint_sweep::sweep::Offline;

fn chromium() -> Option<PathBuf> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts/ensure-chromium.sh");
    let out = Command::new("bash").arg(script).output().ok()?;
    let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (!path.is_empty()).then(|| PathBuf::from(path))
}

fn browse(browser: &Path, url: &str, extra: &[&str]) -> String {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--virtual-time-budget=3000",
        ])
        .args(extra)
        .arg(url)
        .output()
        .expect("run chromium");
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn report_renders_in_chromium() {
    let Some(browser) = chromium() else {
        eprintln!("SKIP: headless Chromium is not available and could not be installed");
        return;
    };
    let r = common::run(Offline::Dump(common::fixture("sick-cluster.dump"))).unwrap();
    let tmp = tempfile::Builder::new()
        .prefix("eyelint-sweep-html-")
        .tempdir()
        .unwrap();
    let dir = tmp.path();
    let page = dir.join("report.html");
    std::fs::write(&page, html::render(&r)).unwrap();
    let url = format!("file://{}", page.display());

    // What a person sees: the DOM after the scripts ran.
    let dom = browse(&browser, &url, &["--dump-dom"]);
    assert!(dom.contains("data-ready=\"1\""), "the inline script ran");
    assert!(dom.contains("eyelint sweep report"));
    assert!(dom.contains(&format!("<b>{}</b><span>danger</span>", r.summary.danger)));
    for heading in ["Nodes (21)", "Control plane (2)", "Pods (18)"] {
        assert!(dom.contains(heading), "{heading}");
    }
    assert!(dom.matches("<rect").count() >= 4, "bar charts drawn");
    assert!(dom.contains("NodeNotReadyAndUseOfClosedNetworkConnection"));

    // Sorting: the pods table sorted by its Object column (index 3), descending on a second click.
    let sorted = browse(&browser, &format!("{url}#sort=pods:3"), &["--dump-dom"]);
    let pods = &sorted[sorted.find("id=\"pods\"").unwrap()..];
    let pods = &pods[..pods.find("</table>").unwrap()];
    let first_evicted = pods.find("Pod/evicted-1").unwrap();
    let first_worker = pods.find("Pod/worker-5c6b7-ddddd").unwrap();
    assert!(first_evicted < first_worker, "ascending by object");
    let api = pods.find("Pod/api-0").unwrap();
    assert!(api < first_evicted);

    // A screenshot for a person to look at.
    let png = dir.join("report.png");
    browse(
        &browser,
        &url,
        &[
            "--window-size=1400,1400",
            &format!("--screenshot={}", png.display()),
        ],
    );
    let bytes = std::fs::read(&png).expect("screenshot written");
    assert!(
        bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000,
        "a real picture"
    );
    eprintln!("screenshot: {}", png.display());
}
