//! Behaviour of the `eyelint` binary: exit codes, inputs (BOM, CRLF, stdin,
//! Helm, invalid YAML, non-Kubernetes files, size limit, hostile input),
//! configuration discovery, filters, baselines and subcommand dispatch.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{eyelint, fixtures, Run};
use serde_json::Value;

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ns\nspec:\n  hostIPC: true\n  containers:\n    - name: c\n      image: registry.example.com/c:1.0\n";

const GOOD_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ns\nspec:\n  containers:\n    - name: c\n      image: registry.example.com/c:1.0\n";

fn json(r: &Run) -> Value {
    serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", r.stdout, r.stderr))
}

fn positions(v: &Value) -> Vec<(String, u64, u64)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(p, text).unwrap();
}

#[test]
fn exit_codes_follow_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pod.yaml", POD);
    let d = dir.path();
    assert_eq!(eyelint(d, &["--only=hostIPCSet"], None).code, 1);
    assert_eq!(
        eyelint(d, &["--only=hostIPCSet", "--fail-on", "never"], None).code,
        0
    );
    // A warning-only run passes by default and fails with --fail-on warning.
    assert_eq!(eyelint(d, &["--only=priorityClassNotSet"], None).code, 0);
    assert_eq!(
        eyelint(
            d,
            &["--only=priorityClassNotSet", "--fail-on=warning"],
            None
        )
        .code,
        1
    );
    write(d, "good/pod.yaml", GOOD_POD);
    assert_eq!(eyelint(d, &["--only=hostIPCSet", "good"], None).code, 0);
    // Bad arguments and missing paths are tool failures.
    assert_eq!(eyelint(d, &["--format", "xml"], None).code, 2);
    assert_eq!(eyelint(d, &["missing-dir"], None).code, 2);
    assert_eq!(eyelint(d, &["--only=noSuchRule"], None).code, 2);
}

#[test]
fn bom_and_crlf_shift_no_line_or_column() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "lf.yaml", POD);
    write(d, "crlf.yaml", POD.replace('\n', "\r\n"));
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(POD.replace('\n', "\r\n").as_bytes());
    write(d, "bom.yaml", bom);
    let args = |f: &'static str| ["--only=hostIPCSet,tagNotSpecified", "-f", "json", f];
    let lf = positions(&json(&eyelint(d, &args("lf.yaml"), None)));
    assert_eq!(lf, [("hostIPCSet".to_string(), 7, 3)]);
    assert_eq!(positions(&json(&eyelint(d, &args("crlf.yaml"), None))), lf);
    assert_eq!(positions(&json(&eyelint(d, &args("bom.yaml"), None))), lf);
    // The human snippet shows the key even with CRLF line endings.
    let r = eyelint(d, &["--only=hostIPCSet", "bom.yaml"], None);
    assert!(r.stdout.contains("bom.yaml:7:3"), "{}", r.stdout);
    assert!(
        !r.stdout.contains('\r'),
        "no carriage returns in the snippet"
    );
    // Files saved with a mark and joined with `---` lines (`cat`): kubectl
    // drops the mark after a `---` line, and so does eyelint.
    let joined = format!("\u{feff}{POD}---\n\u{feff}{}", POD.replace('\n', "\r\n"));
    let r = eyelint(
        d,
        &["--only=hostIPCSet", "-f", "json", "-"],
        Some(joined.as_bytes()),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        positions(&json(&r)),
        [
            ("hostIPCSet".to_string(), 7, 3),
            ("hostIPCSet".to_string(), 18, 3)
        ]
    );
}

#[test]
fn helm_output_on_stdin_names_the_template() {
    let rendered = format!(
        "---\n# Source: shop/templates/pod.yaml\n{POD}---\n# Source: shop/templates/other.yaml\n{}",
        GOOD_POD.replace("name: p", "name: q")
    );
    let dir = tempfile::tempdir().unwrap();
    let r = eyelint(
        dir.path(),
        &[
            "--only=hostIPCSet",
            "-f",
            "json",
            "--stdin-filename",
            "rendered.yaml",
            "-",
        ],
        Some(rendered.as_bytes()),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = json(&r);
    let f = &v["findings"][0];
    assert_eq!(f["file"], "rendered.yaml");
    assert_eq!(f["source"], "shop/templates/pod.yaml");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(9), Some(3))
    );
    assert_eq!(v["summary"]["objects"], 2);
    // The human format names the template too.
    let r = eyelint(
        dir.path(),
        &["--only=hostIPCSet", "-"],
        Some(rendered.as_bytes()),
    );
    assert!(
        r.stdout.contains("(from shop/templates/pod.yaml)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("<stdin>:9:3"), "{}", r.stdout);
}

#[test]
fn helm_chart_sources_are_skipped_with_one_notice() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "chart/Chart.yaml",
        "apiVersion: v2\nname: shop\nversion: 0.1.0\n",
    );
    write(d, "chart/values.yaml", "replicas: 2\n");
    let tpl = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\nspec: {}\n{{- end }}\n";
    write(d, "chart/templates/pod.yaml", tpl);
    write(d, "chart/templates/svc.yaml", tpl);
    write(d, "pod.yaml", GOOD_POD);
    let r = eyelint(d, &["--only=hostIPCSet"], None);
    assert_eq!(
        r.code, 0,
        "chart sources are not invalid YAML: {}",
        r.stderr
    );
    let notices: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(notices.len(), 1, "{}", r.stderr);
    assert!(notices[0].contains("skipped 2 Helm template files in chart chart"));
    assert!(notices[0].contains("helm template chart | eyelint -"));
    let v = json(&eyelint(d, &["--only=hostIPCSet", "-f", "json"], None));
    assert_eq!(v["summary"]["files"], 1);
    // --verbose lists every skip, the values file included.
    let r = eyelint(d, &["--only=hostIPCSet", "-v"], None);
    assert!(r
        .stderr
        .contains("skipped chart/templates/pod.yaml: Helm chart template"));
    assert!(r
        .stderr
        .contains("skipped chart/values.yaml: no Kubernetes objects"));
}

#[test]
fn invalid_yaml_is_a_located_diagnostic_and_the_rest_is_linted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "a-bad.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [x\n",
    );
    write(d, "b-pod.yaml", POD);
    let r = eyelint(d, &["--only=hostIPCSet", "-f", "json"], None);
    assert_eq!(r.code, 2);
    let v = json(&r);
    assert_eq!(
        v["findings"].as_array().unwrap().len(),
        1,
        "b-pod.yaml still linted"
    );
    let e = &v["errors"][0];
    assert_eq!(e["file"], "a-bad.yaml");
    assert!(e["line"].as_u64().is_some() && e["column"].as_u64().is_some());
    // The diagnostic on stderr names the file, line and column and shows the snippet.
    let line = e["line"].as_u64().unwrap();
    assert!(
        r.stderr.contains(&format!("a-bad.yaml:{line}:")),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("name: [x"), "{}", r.stderr);
}

/// A syntax error ends its document, not its file: the documents after it
/// are linted from the next `---` line, as kubectl's splitter cuts a stream
/// before parsing it. A limit reached (hostile input) still ends the file,
/// and a file reports at most eleven errors.
#[test]
fn after_a_yaml_error_the_next_documents_are_linted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let broken = "apiVersion: v1\nkind: Pod\nmetadata: {name: b\n";
    let pod = |name: &str| POD.replace("name: p\n", &format!("name: {name}\n"));
    // Errors on the line before a `---` (the flow mapping is cut by it) and
    // inside a document (a quoted value cut by a `---` line).
    let quoted = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"q\n";
    let text = [broken, &pod("second"), quoted, &pod("fourth")].join("---\n");
    write(d, "stream.yaml", &text);
    let r = eyelint(d, &["--only=hostIPCSet", "-f", "json"], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let v = json(&r);
    let names: Vec<(&str, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["name"].as_str().unwrap(), f["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(names, [("second", 11), ("fourth", 27)], "{}", r.stderr);
    let errors: Vec<(u64, u64)> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["column"].as_u64().unwrap()))
        .collect();
    assert_eq!(errors, [(4, 1), (19, 9)], "{}", r.stderr);
    // A separator kubectl's splitter takes with a comment straight after
    // its dashes, and a byte-order mark on the line after a separator (two
    // files saved with one and joined by `cat`), which kubectl drops.
    for sep in ["---#second\n", "---\n\u{feff}"] {
        let text = format!("{}---\n{broken}{sep}{}", pod("first"), pod("third"));
        write(d, "stream.yaml", &text);
        let r = eyelint(d, &["--only=hostIPCSet", "-f", "json"], None);
        assert_eq!(r.code, 2, "{}", r.stderr);
        let v = json(&r);
        let names: Vec<&str> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["first", "third"], "{sep:?}: {}", r.stderr);
        assert_eq!(v["errors"].as_array().unwrap().len(), 1, "{sep:?}: {v}");
    }
    // A Helm template named on the separator line after the error is still
    // the next document's, as it is without the error.
    let text = format!(
        "{}---\n{broken}--- # Source: chart/templates/third.yaml\n{}",
        pod("first"),
        pod("third")
    );
    write(d, "stream.yaml", &text);
    let v = json(&eyelint(d, &["--only=hostIPCSet", "-f", "json"], None));
    let sources: Vec<(&str, &Value)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["name"].as_str().unwrap(), &f["source"]))
        .collect();
    assert_eq!(
        sources,
        [
            ("first", &Value::Null),
            ("third", &Value::from("chart/templates/third.yaml"))
        ],
        "{v}"
    );
    // A limit reached ends the file: the document after it is not read.
    std::fs::remove_file(d.join("stream.yaml")).unwrap();
    let mut laughs = String::from("a: &a [l, l, l, l, l, l, l, l, l, l]\n");
    for (prev, name) in "abcdefg".chars().zip("bcdefgh".chars()) {
        let refs = vec![format!("*{prev}"); 10].join(", ");
        laughs.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    write(
        d,
        "laughs.yaml",
        [laughs.as_str(), &pod("after")].join("---\n"),
    );
    let v = json(&eyelint(d, &["--only=hostIPCSet", "-f", "json"], None));
    assert_eq!(v["findings"].as_array().unwrap().len(), 0, "{v}");
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{v}");
    assert!(
        errors[0]["message"].as_str().unwrap().contains("values"),
        "{v}"
    );
    // Eleven errors at most, then one that says where reading stopped.
    std::fs::remove_file(d.join("laughs.yaml")).unwrap();
    write(d, "many.yaml", [broken; 15].join("---\n"));
    let v = json(&eyelint(d, &["-f", "json"], None));
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 12, "{v}");
    assert_eq!(errors[11]["line"].as_u64(), Some(44));
    assert!(
        errors[11]["message"]
            .as_str()
            .unwrap()
            .contains("not read from here on: this file already has 11 YAML errors"),
        "{v}"
    );
}

#[test]
fn non_kubernetes_files_are_silent_and_binary_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "compose.yml", "services:\n  web:\n    image: nginx\n");
    write(d, "package.json", "{\"name\": \"x\"}\n");
    let r = eyelint(d, &[], None);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    write(d, "garbage.yaml", [0u8, 159, 146, 150, 0xff, 0xfe]);
    let r = eyelint(d, &[], None);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("garbage.yaml:1:2: not UTF-8 text"),
        "{}",
        r.stderr
    );
    // A Latin-1 byte is pointed at by line and column.
    std::fs::remove_file(d.join("garbage.yaml")).unwrap();
    let mut latin1 = POD.replace("name: p\n", "name: caf").into_bytes();
    let at = latin1.iter().position(|&b| b == b'f').unwrap() + 1;
    latin1.insert(at, 0xE9);
    write(d, "latin1.yaml", latin1);
    let r = eyelint(d, &["-f", "json"], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let e = &json(&r)["errors"][0];
    assert_eq!(
        (e["line"].as_u64(), e["column"].as_u64()),
        (Some(4), Some(12))
    );
    assert!(e["message"].as_str().unwrap().contains("byte 0xE9"), "{e}");
}

#[test]
fn files_over_the_size_limit_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "big.yaml", POD.repeat(50));
    write(d, "pod.yaml", POD);
    let r = eyelint(
        d,
        &["--only=hostIPCSet", "--max-file-size=1KiB", "-f", "json"],
        None,
    );
    assert_eq!(r.code, 2);
    let v = json(&r);
    assert!(v["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("over the 1024 byte limit"));
    assert_eq!(v["findings"].as_array().unwrap().len(), 1);
}

#[test]
fn hostile_input_fails_fast_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut laughs = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (i, name) in "bcdefghij".chars().enumerate() {
        let prev = "abcdefghij".as_bytes()[i] as char;
        laughs.push_str(&format!(
            "{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
    }
    write(d, "laughs.yaml", laughs);
    write(d, "flow.yaml", "[".repeat(100_000));
    let mut block = String::new();
    for i in 0..100_000 {
        block.push_str(&" ".repeat(i % 2000));
        block.push_str("- \n");
    }
    write(d, "block.yaml", block);
    let mut deep = String::new();
    for i in 0..50_000usize {
        deep.push_str(&" ".repeat(i));
        deep.push_str("k:\n");
    }
    write(d, "deep.yaml", deep);
    write(d, "pod.yaml", POD);
    let start = Instant::now();
    let r = eyelint(d, &["--only=hostIPCSet", "-f", "json"], None);
    let took = start.elapsed();
    assert_eq!(r.code, 2, "{}", r.stderr);
    let v = json(&r);
    let bad: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["file"].as_str().unwrap())
        .collect();
    assert!(bad.contains(&"laughs.yaml"), "{bad:?}");
    assert!(bad.contains(&"flow.yaml"), "{bad:?}");
    assert!(bad.contains(&"deep.yaml"), "{bad:?}");
    assert_eq!(
        v["findings"].as_array().unwrap().len(),
        1,
        "pod.yaml still linted"
    );
    // Generous for a debug build on a busy machine; each file takes well
    // under a second in release builds (see docs/performance.md).
    assert!(took < Duration::from_secs(30), "took {took:?}");
}

#[test]
fn a_directory_named_like_a_subcommand_is_linted() {
    let r = eyelint(&fixtures(), &["./rules", "-f", "json"], None);
    let v = json(&r);
    assert_eq!(v["summary"]["files"], 1);
    assert_eq!(v["summary"]["objects"], 1);
    let r = eyelint(&fixtures(), &["lint", "rules", "-f", "json"], None);
    assert_eq!(json(&r)["summary"]["objects"], 1);
}

#[test]
fn config_is_found_upwards_and_printed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, ".eyelint.yaml", "checks:\n  hostIPCSet: warning\n");
    write(d, "sub/pod.yaml", POD);
    let sub = d.join("sub");
    let r = eyelint(&sub, &["--only=hostIPCSet", "-f", "json"], None);
    assert_eq!(r.code, 0, "hostIPCSet is a warning here: {}", r.stderr);
    assert_eq!(json(&r)["findings"][0]["severity"], "warning");
    // --config wins over the file found upwards.
    write(d, "strict.yaml", "checks:\n  hostIPCSet: danger\n");
    let r = eyelint(
        &sub,
        &["--only=hostIPCSet", "--config", "../strict.yaml"],
        None,
    );
    assert_eq!(r.code, 1);
    // `eyelint config` prints the merged configuration as YAML.
    let r = eyelint(&sub, &["config"], None);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("  hostIPCSet: warning\n"), "{}", r.stdout);
    assert!(
        r.stdout.contains("  runAsPrivileged: danger\n"),
        "{}",
        r.stdout
    );
    // A broken config exits 2 with a located diagnostic.
    write(d, ".eyelint.yaml", "checks:\n  hostIPCSet: fatal\n");
    let r = eyelint(&sub, &[], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("fatal"), "{}", r.stderr);
}

#[test]
fn config_yaml_reads_back_as_the_same_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let r = eyelint(dir.path(), &["config"], None);
    write(dir.path(), "printed.yaml", &r.stdout);
    let again = eyelint(dir.path(), &["config", "--config", "printed.yaml"], None);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let strip = |s: &str| s.lines().skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(strip(&again.stdout), strip(&r.stdout));
}

#[test]
fn only_skip_and_min_severity() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "pod.yaml", POD);
    let ids = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["-f", "json"];
        a.extend_from_slice(args);
        positions(&json(&eyelint(d, &a, None)))
            .into_iter()
            .map(|(id, _, _)| id)
            .collect()
    };
    let all = ids(&[]);
    assert!(all.contains(&"hostIPCSet".to_string()));
    assert!(all.contains(&"priorityClassNotSet".to_string()));
    assert!(!ids(&["--skip=hostIPCSet"]).contains(&"hostIPCSet".to_string()));
    let dangers = ids(&["--min-severity=danger"]);
    assert!(dangers.contains(&"hostIPCSet".to_string()));
    assert!(!dangers.contains(&"priorityClassNotSet".to_string()));
    assert_eq!(ids(&["--only=hostIPCSet,priorityClassNotSet"]).len(), 2);
    // A rule id misspelt on the command line: exit 2, with the nearest id.
    let r = eyelint(d, &["--only=hostipcset"], None);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("unknown rule `hostipcset` in --only (did you mean `hostIPCSet`?)"),
        "{}",
        r.stderr
    );
    let r = eyelint(d, &["--skip=zzz"], None);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("unknown rule `zzz` in --skip (see `eyelint rules`)"),
        "{}",
        r.stderr
    );
}

#[test]
fn baseline_hides_known_findings_until_something_new_appears() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "pod.yaml", POD);
    let r = eyelint(d, &["--write-baseline", "base.json"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = eyelint(d, &["--baseline", "base.json", "-f", "json"], None);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let v = json(&r);
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
    assert!(v["summary"]["baselined"].as_u64().unwrap() > 0);
    // Moving the object down the file does not resurrect its findings.
    write(d, "pod.yaml", format!("# moved\n\n\n{POD}"));
    let r = eyelint(d, &["--baseline", "base.json"], None);
    assert_eq!(r.code, 0, "{}", r.stdout);
    // A new object is reported.
    write(d, "pod2.yaml", POD.replace("name: p", "name: p2"));
    let r = eyelint(d, &["--baseline", "base.json", "-f", "json"], None);
    assert_eq!(r.code, 1);
    let v = json(&r);
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["name"] == "p2"));
    // A file that is not a baseline is a tool failure.
    assert_eq!(eyelint(d, &["--baseline", "pod.yaml"], None).code, 2);
    // Recording writes no report: a format or an output asked for with it
    // is refused, not silently dropped.
    for extra in [&["-f", "sarif"][..], &["-o", "r.json"][..]] {
        let r = eyelint(
            d,
            &[&["--write-baseline", "b2.json"][..], extra].concat(),
            None,
        );
        assert_eq!(r.code, 2, "{extra:?}: {}", r.stderr);
        assert!(r.stderr.contains("cannot be used with"), "{}", r.stderr);
        assert!(!d.join("b2.json").exists() && !d.join("r.json").exists());
    }
}

/// When a rule fires once more on the same container, the finding reported
/// is the new one, not a baselined one whose list index moved.
#[test]
fn baseline_reports_the_new_finding_of_a_key_not_a_moved_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pod = |env: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: ns}}\nspec:\n  containers:\n  - name: app\n    image: registry.example.com/app:1\n    env: [{env}]\n"
        )
    };
    let only = ["--only", "sensitiveContainerEnvVar"];
    write(d, "pod.yaml", pod("{name: PASSWORD, value: x}"));
    let r = eyelint(
        d,
        &[&only[..], &["--write-baseline", "base.json"]].concat(),
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let base: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("base.json")).unwrap()).unwrap();
    assert_eq!(base["entries"][0]["count"], 1);
    assert_eq!(base["entries"][0]["messages"].as_array().unwrap().len(), 1);
    // A new secret env var before the baselined one.
    write(
        d,
        "pod.yaml",
        pod("{name: NEW_TOKEN, value: z}, {name: PASSWORD, value: x}"),
    );
    let r = eyelint(
        d,
        &[
            &only[..],
            &[
                "--baseline",
                "base.json",
                "-f",
                "json",
                "--fail-on",
                "warning",
            ],
        ]
        .concat(),
        None,
    );
    let v = json(&r);
    let found = v["findings"].as_array().unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0]["message"].as_str().unwrap().contains("NEW_TOKEN"),
        "{found:?}"
    );
    assert_eq!(found[0]["path"], "spec.containers[0].env[0].value");
    assert_eq!(v["summary"]["baselined"], 1);
    // A baseline written before messages were recorded matches by count.
    std::fs::write(
        d.join("old.json"),
        r#"{"schemaVersion": 1, "entries": [{"id": "sensitiveContainerEnvVar", "kind": "Pod", "namespace": "ns", "name": "p", "container": "app", "count": 1}]}"#,
    )
    .unwrap();
    let r = eyelint(
        d,
        &[&only[..], &["--baseline", "old.json", "-f", "json"]].concat(),
        None,
    );
    let v = json(&r);
    assert_eq!(v["findings"].as_array().unwrap().len(), 1);
    assert_eq!(v["summary"]["baselined"], 1);
}

#[test]
fn output_file_and_no_color() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "pod.yaml", POD);
    let r = eyelint(
        d,
        &["--only=hostIPCSet", "-f", "sarif", "-o", "out.sarif"],
        None,
    );
    assert_eq!((r.code, r.stdout.as_str()), (1, ""));
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("out.sarif")).unwrap()).unwrap();
    assert_eq!(v["runs"][0]["results"][0]["ruleId"], "hostIPCSet");
}

/// `--color always` colours a pipe (the report and the stderr diagnostics);
/// `--color never` and `--no-color` keep it plain; both at once is a usage error.
#[test]
fn color_choices() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "pod.yaml", POD);
    write(d, "bad.yaml", "kind: [\n");
    let esc = |s: &str| s.contains('\u{1b}');
    let r = eyelint(d, &["--only=hostIPCSet", "--color", "always", "."], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        esc(&r.stdout) && esc(&r.stderr),
        "{}\n{}",
        r.stdout,
        r.stderr
    );
    for plain in [&["--color", "never"][..], &["--no-color"][..], &[][..]] {
        let r = eyelint(d, &[&["--only=hostIPCSet", "."][..], plain].concat(), None);
        assert_eq!(r.code, 2);
        assert!(!esc(&r.stdout) && !esc(&r.stderr), "{plain:?}");
        assert!(r.stdout.contains("hostIPCSet"), "{}", r.stdout);
    }
    let r = eyelint(d, &["--color", "always", "--no-color", "."], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot be used with"), "{}", r.stderr);
}

#[test]
fn sweep_is_an_external_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    // With an empty PATH and no eyelint-sweep next to the test binary's
    // eyelint, the error says how to install it.
    let exe = Path::new(env!("CARGO_BIN_EXE_eyelint"));
    if exe.with_file_name("eyelint-sweep").exists() {
        eprintln!("eyelint-sweep is built next to eyelint; checking it runs instead");
        let out = std::process::Command::new(exe)
            .args(["sweep", "--help"])
            .output()
            .unwrap();
        assert!(out.status.success());
        return;
    }
    let out = std::process::Command::new(exe)
        .args(["sweep", "--help"])
        .current_dir(dir.path())
        .env("PATH", "")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("eyelint-sweep"), "{err}");
    assert!(err.contains("cargo install"), "{err}");
}

/// `eyelint certs` refuses names no Service, namespace or Secret can have
/// with exit code 2, naming the flag and the rule, and writes nothing;
/// valid names exit 0.
#[test]
fn certs_refuses_names_kubernetes_would_refuse() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (args, flag, rule) in [
        (
            &["--service", "Bad_Name", "--namespace", "ns"][..],
            "--service",
            "DNS-1035 label",
        ),
        (
            &["--service", "9svc", "--namespace", "ns"],
            "--service",
            "DNS-1035 label",
        ),
        (
            &["--service", "svc", "--namespace", "Team_A"],
            "--namespace",
            "DNS-1123 label",
        ),
        (
            &[
                "--service",
                "svc",
                "--namespace",
                "ns",
                "--manifests",
                "--secret-name",
                "a b",
            ],
            "--secret-name",
            "DNS-1123 subdomain",
        ),
    ] {
        let mut argv = vec!["certs", "--out-dir", "out"];
        argv.extend_from_slice(args);
        let r = eyelint(d, &argv, None);
        assert_eq!(r.code, 2, "{argv:?}: {}", r.stderr);
        assert!(r.stderr.contains(flag), "{argv:?}: {}", r.stderr);
        assert!(r.stderr.contains(rule), "{argv:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{argv:?}: {}", r.stdout);
        assert!(!d.join("out").exists(), "{argv:?} wrote files");
    }
    let r = eyelint(
        d,
        &[
            "certs",
            "--service",
            "eyelint-webhook",
            "--namespace",
            "eyelint",
            "--out-dir",
            "out",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(d.join("out/tls.crt").exists());
}

/// Reports stream out while the run goes on, inputs finishing in any order
/// on any number of workers: the text must not depend on that.
#[test]
fn reports_are_the_same_whatever_the_parallelism() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for i in 0..40 {
        // Files of different sizes, so workers finish out of order.
        let copies = 1 + (i * 7) % 13;
        let mut text = String::new();
        for c in 0..copies {
            text.push_str(&POD.replace("name: p\n", &format!("name: p{i}-{c}\n")));
            text.push_str("---\n");
        }
        write(d, &format!("f{i:02}.yaml"), text);
    }
    // A file the cross pass needs (checked on the first reading), a clean
    // file, a non-Kubernetes file and an invalid one.
    write(
        d,
        "f05-pdb.yaml",
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: b, namespace: ns}\nspec: {minAvailable: 1, selector: {matchLabels: {app: x}}}\n",
    );
    write(d, "f10-good.yaml", GOOD_POD);
    write(d, "f20-values.yaml", "replicas: 3\n");
    write(d, "f30-bad.yaml", "kind: Pod\nmetadata: [x\n");
    for format in ["json", "sarif", "junit", "github", "human"] {
        let runs: Vec<Run> = ["1", "2", "7"]
            .iter()
            .map(|j| eyelint(d, &["-j", j, "--format", format, "--no-color", "."], None))
            .collect();
        for r in &runs {
            assert_eq!(r.code, 2, "the invalid file fails the run: {}", r.stderr);
            assert!(r.stdout == runs[0].stdout, "{format}: reports differ");
            assert_eq!(r.stderr, runs[0].stderr, "{format}");
        }
        if format == "sarif" {
            // Streamed text is serde_json's pretty layout of itself.
            let v: Value = serde_json::from_str(&runs[0].stdout).unwrap();
            let mut again = serde_json::to_string_pretty(&v).unwrap();
            again.push('\n');
            assert!(runs[0].stdout == again, "SARIF layout");
            assert_eq!(v["runs"][0]["results"].as_array().unwrap().len(), 4674);
        }
    }
    let v = json(&eyelint(d, &["-f", "json", "."], None));
    let files: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted, "findings in file order");
    assert_eq!(v["errors"][0]["file"], "f30-bad.yaml");
    assert_eq!(v["summary"]["errors"], 1);
}

/// A large input rendered for people: each snippet costs the same wherever
/// it is in the file (snippets used to be found by reading the file from
/// its start, which made this quadratic).
#[test]
fn human_report_of_a_large_file_is_fast() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for c in 0..3000 {
        text.push_str(&POD.replace("name: p\n", &format!("name: p{c}\n")));
        text.push_str("---\n");
    }
    write(dir.path(), "big.yaml", &text);
    let started = Instant::now();
    let r = eyelint(dir.path(), &["--only=hostIPCSet", "--no-color", "."], None);
    let took = started.elapsed();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stdout.matches("hostIPCSet (danger)").count(), 3000);
    assert!(
        r.stdout.contains(&format!("big.yaml:{}:3", 2999 * 11 + 7)),
        "the last finding's snippet is there"
    );
    // Quadratic reading took over 10 s here in a debug build.
    assert!(took < Duration::from_secs(20), "{took:?}");
}

/// JUnit suites come in the report order every format shares (inputs as
/// given), not sorted by name.
#[test]
fn junit_suites_follow_the_order_of_the_inputs() {
    let d = fixtures();
    let args = ["nested", "deploy.yaml"];
    let j = json(&eyelint(&d, &[&["-f", "json"][..], &args].concat(), None));
    let mut files: Vec<&str> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    files.dedup();
    assert_eq!(files.last(), Some(&"deploy.yaml"), "{files:?}");
    let x = eyelint(&d, &[&["-f", "junit"][..], &args].concat(), None);
    let suites: Vec<&str> = x
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("  <testsuite name=\""))
        .map(|l| &l[..l.find('"').unwrap()])
        .collect();
    assert_eq!(suites, files);
}

/// Many pods in one directory: a JUnit report of well over 8 MiB.
fn large_junit_input(d: &Path) {
    for i in 0..40 {
        let mut text = String::new();
        for p in 0..60 {
            text.push_str(&POD.replace("name: p\n", &format!("name: p{i}-{p}\n")));
            text.push_str("---\n");
        }
        write(d, &format!("f{i:02}.yaml"), text);
    }
}

/// A JUnit report too large to hold waits in a temporary file (memory does
/// not grow with the number of inputs) and comes out whole; when no
/// temporary file can be made, the run fails instead of cutting the report.
#[test]
fn a_large_junit_report_is_whole_or_the_run_fails() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("in");
    large_junit_input(&d);
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let run = |tmpdir: &Path| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_eyelint"))
            .args(["-f", "junit", "."])
            .current_dir(&d)
            .env("TMPDIR", tmpdir)
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (out.status.code(), stdout, stderr)
    };
    let (code, xml, stderr) = run(&tmp);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(xml.len() > 9 << 20, "{} bytes", xml.len());
    let head = xml.lines().nth(1).unwrap();
    let tests: usize = head
        .split("tests=\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(xml.matches("<testcase ").count(), tests);
    assert_eq!(xml.matches("<testsuite ").count(), 40);
    assert!(xml.ends_with("</testsuites>\n"));
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0, "nothing left");

    let (code, _, stderr) = run(&dir.path().join("missing"));
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("cannot write the report to standard output"),
        "{stderr}"
    );
    // To a file: the cut report is not left behind to pass for a whole one
    // (nor an older one that it had replaced).
    let report = dir.path().join("report.xml");
    std::fs::write(&report, "<testsuites/>\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_eyelint"))
        .args(["-f", "junit", "-o", &report.display().to_string(), "."])
        .current_dir(&d)
        .env("TMPDIR", dir.path().join("missing"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("report.xml (the incomplete report was removed)"),
        "{stderr}"
    );
    assert!(!report.exists());
}

/// A report that cannot be written to standard output (a full disk) fails
/// the run; a reader that stops early (`eyelint . | head`) does not.
#[test]
fn standard_output_write_errors_fail_the_run_but_a_closed_pipe_does_not() {
    let d = fixtures();
    if let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_eyelint"))
            .args(["-f", "json", "."])
            .current_dir(&d)
            .stdout(full)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("cannot write the report to standard output"));
        // `-o` through a link to a device: the link is not removed (nor the
        // device).
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("full");
        std::os::unix::fs::symlink("/dev/full", &link).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_eyelint"))
            .args(["-f", "json", "-o", &link.display().to_string(), "."])
            .current_dir(&d)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(!stderr.contains("removed"), "{stderr}");
        assert!(std::fs::symlink_metadata(&link).is_ok());
    }
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_eyelint"))
        .args(["-f", "json", "."])
        .current_dir(&d)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("cannot write"), "{stderr}");
}

/// Positions far along one line (minified JSON, a long annotation) get a
/// snippet cut around them, for a finding and for an input error alike:
/// a few hundred bytes, not the line, and no panic (miette's underline
/// padding is a formatting width, which panicked past column 65,535 when
/// it was given the whole line).
#[test]
fn positions_far_along_a_line_get_a_cut_snippet() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pod = format!(
        "{{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{{\"name\":\"p\",\"namespace\":\"n\",\
         \"annotations\":{{\"x\":\"{}\"}}}},\"spec\":{{\"hostIPC\":true,\"containers\":\
         [{{\"name\":\"c\",\"image\":\"nginx:1.2\"}}]}}}}",
        "a".repeat(70_000)
    );
    let column = pod.find("\"hostIPC\"").unwrap() + 1;
    write(d, "long.json", &pod);
    let r = eyelint(d, &["--only=hostIPCSet", "--no-color"], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.contains(&format!("╭─[long.json:1:{column}]")),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("…aaaa"), "{}", r.stdout);
    assert!(r.stdout.contains("\"hostIPC\":true"), "{}", r.stdout);
    assert!(r.stdout.len() < 2_000, "{}", r.stdout.len());
    // The same position in JSON output, which never draws snippets.
    let v = json(&eyelint(d, &["--only=hostIPCSet", "-f", "json"], None));
    assert_eq!(
        positions(&v),
        [("hostIPCSet".to_string(), 1, column as u64)]
    );

    // An input error that far along the line: located, cut, exit 2.
    let broken = format!("{},,}}", &pod[..pod.len() - 1]);
    write(d, "long.json", &broken);
    let r = eyelint(d, &["--only=hostIPCSet", "--no-color"], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("╭─[long.json:1:"), "{}", r.stderr);
    assert!(r.stderr.contains("…aaaa"), "{}", r.stderr);
    assert!(r.stderr.len() < 2_000, "{}", r.stderr.len());
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

#[test]
fn json_streams_on_stdin_are_linted_object_by_object() {
    // `kubectl get pods -o json | jq '.items[]' | eyelint -`: jq prints one
    // object after another, which kubectl reads as a stream.
    let stream = "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": \"a\", \"namespace\": \"ns\"},\n  \"spec\": {\"hostIPC\": true, \"containers\": [{\"name\": \"c\", \"image\": \"registry.example.com/c:1.0\"}]}\n}\n{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": \"b\", \"namespace\": \"ns\"},\n  \"spec\": {\"hostIPC\": true, \"containers\": [{\"name\": \"c\", \"image\": \"registry.example.com/c:1.0\"}]}\n}\n";
    let dir = tempfile::tempdir().unwrap();
    let r = eyelint(
        dir.path(),
        &["--only=hostIPCSet", "-f", "json", "-"],
        Some(stream.as_bytes()),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = json(&r);
    assert_eq!(v["summary"]["objects"], 2);
    assert_eq!(
        positions(&v),
        [
            ("hostIPCSet".to_string(), 5, 12),
            ("hostIPCSet".to_string(), 11, 12)
        ]
    );
    // A cluster-info dump's log sections are an input error that says how
    // to read a dump; the objects before them are still linted.
    let dump = format!("{stream}==== START logs for container c of pod ns/a ====\nready\n");
    write(dir.path(), "dump.json", dump);
    let r = eyelint(dir.path(), &["--only=hostIPCSet", "dump.json"], None);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("dump.json:13:1"), "{}", r.stderr);
    assert!(r.stderr.contains("--from-dump FILE"), "{}", r.stderr);
    assert!(r.stdout.contains("dump.json:11:12"), "{}", r.stdout);
}

#[test]
fn utf16_files_are_read_with_the_same_positions() {
    // Windows PowerShell 5's `kubectl get pod p -o yaml > pod.yaml` writes
    // UTF-16 with a byte-order mark; kubectl reads it back.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = POD.replace("name: p\n", "name: p\n  annotations:\n    note: \"é 🚀\"\n");
    write(d, "utf8.yaml", &text);
    let utf16 = |big: bool| -> Vec<u8> {
        let mut b = if big {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for u in text.replace('\n', "\r\n").encode_utf16() {
            b.extend(if big {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
        b
    };
    write(d, "le.yaml", utf16(false));
    write(d, "be.yaml", utf16(true));
    let args = |f: &'static str| ["--only=hostIPCSet", "-f", "json", f];
    let want = positions(&json(&eyelint(d, &args("utf8.yaml"), None)));
    assert_eq!(want, [("hostIPCSet".to_string(), 9, 3)]);
    assert_eq!(positions(&json(&eyelint(d, &args("le.yaml"), None))), want);
    assert_eq!(positions(&json(&eyelint(d, &args("be.yaml"), None))), want);
    // On standard input too, with the snippet drawn from the decoded text.
    let r = eyelint(d, &["--only=hostIPCSet", "-"], Some(&utf16(false)));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("<stdin>:9:3"), "{}", r.stdout);
    assert!(r.stdout.contains("hostIPC: true"), "{}", r.stdout);
    // Broken UTF-16 is an input error that says what is wrong.
    let mut odd = utf16(false);
    odd.push(b'a');
    write(d, "odd.yaml", odd);
    let mut lone = utf16(false);
    lone.extend([0x3D, 0xD8, b'\n', 0]);
    write(d, "lone.yaml", lone);
    let r = eyelint(d, &["--only=hostIPCSet", "odd.yaml", "lone.yaml"], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("odd length"), "{}", r.stderr);
    assert!(r.stderr.contains("unpaired surrogate"), "{}", r.stderr);
}

/// A custom check whose template renders no valid schema for an object is
/// an error at that object (the configuration is broken for it; passing it
/// would bypass the check), in every format; checks the input cannot decide
/// are listed with `--verbose`.
#[test]
fn a_custom_check_that_cannot_be_applied_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        ".eyelint.yaml",
        "checks: {minReplicas: danger}\ncustomChecks:\n  minReplicas:\n    target: Controller\n    \
         schemaString: |\n      properties:\n        spec:\n          properties:\n            \
         replicas: {minimum: {{ .metadata.labels.minReplicas }}}\n",
    );
    let deploy = |name: &str, labels: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: ns\n  \
             labels: {labels}\nspec:\n  replicas: 1\n  selector: {{matchLabels: {{app: a}}}}\n  \
             template:\n    metadata: {{labels: {{app: a}}}}\n    spec:\n      \
             serviceAccountName: elsewhere\n      containers: [{{name: c, image: r.example.com/c:1}}]\n"
        )
    };
    let text = [
        deploy("labelled", "{minReplicas: \"2\"}"),
        deploy("bare", "{}"),
    ]
    .join("---\n");
    write(d, "deploy.yaml", &text);
    let r = eyelint(
        d,
        &["--only=minReplicas", "-f", "json", "deploy.yaml"],
        None,
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    let v = json(&r);
    // The labelled one is judged (1 < 2), the bare one is an error at its start.
    assert_eq!(positions(&v), [("minReplicas".to_string(), 8, 3)]);
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{v}");
    assert_eq!(errors[0]["line"].as_u64(), Some(16));
    let message = errors[0]["message"].as_str().unwrap();
    assert!(
        message
            .starts_with("custom check `minReplicas` could not be evaluated on Deployment/ns/bare"),
        "{message}"
    );
    // What the input cannot decide (the ServiceAccount is in no file) is
    // listed with --verbose, and is no error.
    let r = eyelint(
        d,
        &["--only=automountServiceAccountToken", "-v", "deploy.yaml"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "not evaluated: automountServiceAccountToken on Deployment/ns/bare in deploy.yaml: "
        ),
        "{}",
        r.stderr
    );
}

/// A named path that does not exist is an input error, as an unreadable
/// file in a directory is: the other inputs are linted and the report is
/// written (a CI step uploads it whatever the exit code).
#[test]
fn a_missing_path_is_an_input_error_and_the_rest_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "pod.yaml", POD);
    let r = eyelint(
        d,
        &[
            "--only=hostIPCSet",
            "-f",
            "sarif",
            "-o",
            "r.sarif",
            "pod.yaml",
            "missing.yaml",
        ],
        None,
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("missing.yaml: cannot read: "),
        "{}",
        r.stderr
    );
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("r.sarif")).unwrap()).unwrap();
    let run = &sarif["runs"][0];
    assert_eq!(run["results"].as_array().unwrap().len(), 1);
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
}

#[test]
fn tool_errors_name_their_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "pod.yaml", POD);
    write(d, "bad-baseline.json", "{");
    let missing = "No such file or directory";
    for (args, what, cause) in [
        (
            &["missing.yaml"][..],
            "missing.yaml: cannot read: ",
            missing,
        ),
        (
            &["--config", "missing.yaml", "pod.yaml"][..],
            "cannot read config missing.yaml: ",
            missing,
        ),
        (
            &["--baseline", "missing.json", "pod.yaml"][..],
            "baseline missing.json: ",
            missing,
        ),
        (
            &["--baseline", "bad-baseline.json", "pod.yaml"][..],
            "not a valid eyelint baseline: ",
            "EOF while parsing",
        ),
    ] {
        let r = eyelint(d, args, None);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!("{what}{cause}")),
            "{args:?}: {}",
            r.stderr
        );
        assert_eq!(
            r.stderr.matches(cause).count(),
            1,
            "{args:?}: the cause is printed more than once: {}",
            r.stderr
        );
    }
}

#[cfg(unix)]
#[test]
fn linked_manifests_are_linted_and_broken_links_reported() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "base/pod.yaml", POD);
    std::fs::create_dir_all(d.join("prod")).unwrap();
    symlink("../base/pod.yaml", d.join("prod/pod.yaml")).unwrap();
    let r = eyelint(d, &["--only=hostIPCSet", "-f", "json", "prod"], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(json(&r)["findings"][0]["file"], "prod/pod.yaml");
    symlink("../base/moved.yaml", d.join("prod/moved.yaml")).unwrap();
    let r = eyelint(d, &["--only=hostIPCSet", "prod"], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("a link to ../base/moved.yaml, which does not exist"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("prod/pod.yaml:7:3"), "{}", r.stdout);
}

#[test]
fn kustomize_patches_are_skipped_with_a_notice() {
    // A strategic-merge patch looks like an object but holds only what it
    // changes; judged whole, it fails for everything it leaves out.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "base/kustomization.yaml", "resources:\n- pod.yaml\n");
    write(d, "base/pod.yaml", POD);
    write(
        d,
        "prod/kustomization.yaml",
        "resources:\n- ../base\npatches:\n- path: patches/ipc.yaml\npatchesStrategicMerge:\n- memory.yaml\n",
    );
    let patch = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ns\nspec:\n  hostIPC: true\n  containers:\n  - name: c\n    resources: {limits: {memory: 1Gi}}\n";
    write(d, "prod/patches/ipc.yaml", patch);
    write(d, "prod/memory.yaml", patch);
    let r = eyelint(
        d,
        &["-f", "json", "--only=hostIPCSet,tagNotSpecified"],
        None,
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = json(&r);
    let files: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["base/pod.yaml"]);
    assert!(
        r.stderr.contains(
            "note: skipped 2 kustomize patch files listed in prod/kustomization.yaml; lint the built output: kubectl kustomize prod | eyelint -"
        ),
        "{}",
        r.stderr
    );
    // Named on the command line (as pre-commit does), a patch is skipped too.
    let r = eyelint(d, &["--only=hostIPCSet", "prod/memory.yaml"], None);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let r = eyelint(d, &["--only=hostIPCSet", "--verbose", "prod"], None);
    assert!(
        r.stderr
            .contains("skipped prod/patches/ipc.yaml: a kustomize patch (prod/kustomization.yaml)"),
        "{}",
        r.stderr
    );
}

#[test]
fn the_report_being_written_is_not_an_input() {
    // `eyelint -f json -o zz.json .` run twice: the walk finds the last
    // run's report, which this run rewrites while workers read.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pods: Vec<String> = (0..25)
        .map(|i| POD.replace("name: p\n", &format!("name: p{i}\n")))
        .collect();
    for i in 0..40 {
        write(d, &format!("pod{i:02}.yaml"), pods.join("---\n"));
    }
    // Every rule, so the report is megabytes and still being written when
    // the workers would reach it.
    let args = ["-f", "json", "-o", "zz.json", "."];
    assert_eq!(eyelint(d, &args, None).code, 1);
    for _ in 0..3 {
        let r = eyelint(d, &args, None);
        assert_eq!(r.code, 1, "{}", r.stderr);
    }
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("zz.json")).unwrap()).unwrap();
    assert_eq!(report["summary"]["files"], 40);
    let r = eyelint(
        d,
        &["--verbose", "--only=hostIPCSet", "-o", "zz.json", "."],
        None,
    );
    assert!(
        r.stderr.contains("skipped zz.json: this run writes it"),
        "{}",
        r.stderr
    );
    // So is a baseline being written.
    let r = eyelint(
        d,
        &[
            "--only=hostIPCSet",
            "--verbose",
            "--write-baseline",
            "zz.json",
            ".",
        ],
        None,
    );
    assert!(
        r.stderr.contains("skipped zz.json: this run writes it"),
        "{}",
        r.stderr
    );
}

#[test]
fn typed_lists_from_the_api_are_linted() {
    // `kubectl get --raw /api/v1/pods` and client libraries write a
    // `PodList` whose items name no kind or apiVersion; they were skipped
    // as "no Kubernetes objects", a silent pass.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "pods.json",
        "{\"kind\": \"PodList\", \"apiVersion\": \"v1\", \"metadata\": {}, \"items\": [\n  {\"metadata\": {\"name\": \"a\", \"namespace\": \"ns\"}, \"spec\": {\"hostIPC\": true, \"containers\": [{\"name\": \"c\", \"image\": \"x:1\"}]}}\n]}\n",
    );
    let r = eyelint(d, &["--only=hostIPCSet", "-f", "json", "pods.json"], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = json(&r);
    assert_eq!(positions(&v), [("hostIPCSet".to_string(), 2, 59)]);
    assert_eq!(v["findings"][0]["kind"], "Pod");
    assert_eq!(v["findings"][0]["apiVersion"], "v1");
    // A typed list of an indexed kind feeds the cross-object checks.
    write(
        d,
        "policies.json",
        "{\"kind\": \"NetworkPolicyList\", \"apiVersion\": \"networking.k8s.io/v1\", \"items\": [{\"metadata\": {\"name\": \"all\", \"namespace\": \"ns\"}, \"spec\": {\"podSelector\": {}, \"policyTypes\": [\"Ingress\", \"Egress\"]}}]}\n",
    );
    let r = eyelint(
        d,
        &["--only=missingNetworkPolicy", "--fail-on=warning", "."],
        None,
    );
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{}", r.stdout);
}

#[test]
fn a_container_list_that_is_not_a_list_is_an_error_not_a_pass() {
    // The `- ` before `name:` is missing, so `containers` is a mapping: the
    // API server refuses it, and no container check (privileged here) could
    // run. It was a pass with exit 0.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      hostIPC: true\n      containers:\n        name: app\n        image: nginx\n        securityContext:\n          privileged: true\n";
    write(d, "deploy.yaml", text);
    let r = eyelint(
        d,
        &["-f", "json", "--only", "hostIPCSet,runAsPrivileged", "."],
        None,
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    let v = json(&r);
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        (
            errors[0]["file"].as_str(),
            errors[0]["line"].as_u64(),
            errors[0]["column"].as_u64()
        ),
        (Some("deploy.yaml"), Some(10), Some(7))
    );
    let message = errors[0]["message"].as_str().unwrap();
    assert!(
        message.contains("spec.template.spec.containers is a mapping, not a list"),
        "{message}"
    );
    // The pod-level settings are still judged.
    let ids: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["hostIPCSet"]);
    // The human report shows the error with its snippet.
    let r = eyelint(d, &["--no-color", "."], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("deploy.yaml:10:7"), "{}", r.stderr);
}

#[test]
fn a_field_of_the_wrong_type_is_an_error_at_its_key_not_a_pass() {
    // `privileged: "true"` (Helm's `| quote`) is a string: the privileged
    // check does not see `true`, and the run passed with exit 0. The API
    // server refuses the object; so does eyelint, at the key.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n  labels:\n    version: 1.0\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: nginx:1.27\n          securityContext:\n            privileged: \"true\"\n";
    write(d, "deploy.yaml", text);
    write(d, "pod.yaml", POD);
    let r = eyelint(d, &["-f", "json", "--only", "runAsPrivileged", "."], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let v = json(&r);
    let errors: Vec<(u64, u64, &str)> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["file"], "deploy.yaml");
            (
                e["line"].as_u64().unwrap(),
                e["column"].as_u64().unwrap(),
                e["message"].as_str().unwrap(),
            )
        })
        .collect();
    // Every field the rules read is checked, not only the selected rule's.
    assert_eq!(
        errors,
        vec![
            (7, 5, "metadata.labels.version is a number (1), not a string: quote it"),
            (
                15,
                13,
                "spec.template.spec.containers[0].securityContext.privileged is a string (\"true\"), not a boolean: remove the quotes"
            ),
        ]
    );
    // The other file is still linted.
    assert!(v["summary"]["files"].as_u64() == Some(2), "{v}");
    // With every rule skipped nothing is read, and nothing is checked.
    let all = eyelint(d, &["rules", "--json"], None);
    let ids: Vec<String> = serde_json::from_str::<serde_json::Value>(&all.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    let r = eyelint(d, &["--skip", &ids.join(","), "."], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The human report points at the key.
    let r = eyelint(d, &["--no-color", "--only", "runAsPrivileged", "."], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("deploy.yaml:15:13"), "{}", r.stderr);
    assert!(r.stderr.contains("remove the quotes"), "{}", r.stderr);
}

#[test]
fn a_container_indented_under_the_pod_template_is_an_error_not_a_pass() {
    // `spec:` under the template is empty and `containers` sits beside it:
    // the privileged container was not judged, and the run passed.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: w}}\n    spec:\n    containers:\n      - name: a\n        image: nginx:1.27\n        securityContext: {privileged: true}\n";
    write(d, "deploy.yaml", text);
    let r = eyelint(d, &["-f", "json", "."], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let v = json(&r);
    let e = &v["errors"][0];
    assert_eq!(
        (e["line"].as_u64(), e["column"].as_u64()),
        (Some(8), Some(5)),
        "{v}"
    );
    assert_eq!(
        e["message"],
        "spec.template.containers belongs in the pod spec, spec.template.spec (is its indentation off?)"
    );
}

#[test]
fn input_errors_come_in_the_order_of_the_text() {
    // Found field by field (replicas before the pod spec, a container list
    // before the labels, a sequence of objects before any object is
    // checked), reported by line.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      hostPID: \"true\"\n      containers:\n        - name: app\n          image: nginx:1.27\n  replicas: \"3\"\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: x, labels: {a: 1}}\nspec:\n  containers:\n    name: a\n---\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n";
    write(d, "many.yaml", text);
    let r = eyelint(d, &["-f", "json", "."], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let v = json(&r);
    let lines: Vec<u64> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![8, 12, 16, 18, 21]);
    // Standard error shows them in the same order.
    let r = eyelint(d, &["--no-color", "."], None);
    let at: Vec<usize> = [
        "many.yaml:8:",
        "many.yaml:12:",
        "many.yaml:16:",
        "many.yaml:18:",
        "many.yaml:21:",
    ]
    .iter()
    .map(|p| {
        r.stderr
            .find(p)
            .unwrap_or_else(|| panic!("{p} in {}", r.stderr))
    })
    .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{}", r.stderr);
}

#[test]
fn a_top_level_sequence_of_objects_is_an_error_not_a_pass() {
    // kubectl refuses it ("cannot unmarshal array"); skipping it as "not
    // Kubernetes" passed it silently.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let seq = format!("# objects\n- {}", POD.trim_end().replace('\n', "\n  "));
    write(d, "seq.yaml", seq);
    write(d, "strings.json", "[\"a\", \"b\"]\n");
    let r = eyelint(d, &["-f", "json", "."], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let v = json(&r);
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["file"], "seq.yaml");
    assert_eq!(
        (errors[0]["line"].as_u64(), errors[0]["column"].as_u64()),
        (Some(2), Some(1))
    );
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("kubectl cannot apply"),
        "{errors:?}"
    );
}

#[test]
fn empty_standard_input_is_noted() {
    // `helm template . | eyelint -` after helm failed: without pipefail the
    // step's status is eyelint's, so the run says what it saw.
    let dir = tempfile::tempdir().unwrap();
    let r = eyelint(dir.path(), &["-"], Some(b""));
    assert_eq!(r.code, 0);
    assert!(
        r.stderr
            .contains("note: standard input held no Kubernetes objects"),
        "{}",
        r.stderr
    );
    let r = eyelint(
        dir.path(),
        &["--only=hostIPCSet", "-"],
        Some(GOOD_POD.as_bytes()),
    );
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
}

#[test]
fn a_document_that_is_no_object_among_objects_is_an_error_not_a_pass() {
    // A `---` out of place cuts an object in two: kubectl refuses the file
    // ("Object 'Kind' is missing"); skipping the second half passed its
    // settings silently.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cut = format!("{GOOD_POD}---\n      securityContext:\n        privileged: true\n");
    write(d, "cut.yaml", cut);
    // kind and metadata without apiVersion (the `---` put one line late);
    // apiVersion and kind of which one is not a string, or is empty.
    write(
        d,
        "split.yaml",
        "apiVersion: v1\n---\nkind: Pod\nmetadata:\n  name: p\n",
    );
    write(
        d,
        "typed.yaml",
        "apiVersion: [v1]\nkind: Pod\nmetadata:\n  name: p\n",
    );
    write(
        d,
        "unset.yaml",
        "apiVersion:\nkind: Pod\nmetadata:\n  name: p\n",
    );
    // A List item that is no object.
    let item = GOOD_POD.trim_end().replace('\n', "\n  ");
    let list =
        format!("apiVersion: v1\nkind: List\nitems:\n- {item}\n- kind: [Pod]\n  apiVersion: v1\n");
    write(d, "list.yaml", list);
    // Files without objects are still skipped without a word: values, a
    // chart's Chart.yaml (apiVersion without kind or metadata), an empty List.
    write(d, "values.yaml", "replicas: 2\n---\nimage: x\n");
    write(d, "Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n");
    write(
        d,
        "empty-list.yaml",
        "apiVersion: v1\nkind: List\nitems: []\n",
    );
    let r = eyelint(d, &["-f", "json", "."], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let v = json(&r);
    let errors: Vec<(String, u64, u64, String)> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap().to_string(),
                e["line"].as_u64().unwrap(),
                e["column"].as_u64().unwrap(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let at: Vec<(&str, u64, u64)> = errors
        .iter()
        .map(|(f, l, c, _)| (f.as_str(), *l, *c))
        .collect();
    assert_eq!(
        at,
        [
            ("cut.yaml", 11, 7),
            ("list.yaml", 13, 1),
            ("split.yaml", 3, 1),
            ("typed.yaml", 1, 1),
            ("unset.yaml", 1, 1)
        ],
        "{errors:?}"
    );
    let message = |i: usize| errors[i].3.as_str();
    assert!(
        message(0).contains("is a `---` out of place?"),
        "{errors:?}"
    );
    assert_eq!(
        message(1),
        "items[1] of this List is not a Kubernetes object (its kind is a list, not a string): \
         kubectl refuses the List"
    );
    assert!(
        message(2).starts_with("this document has kind and metadata but no apiVersion"),
        "{errors:?}"
    );
    assert!(
        message(3).starts_with("apiVersion is a list, not a string"),
        "{errors:?}"
    );
    assert!(message(4).starts_with("apiVersion is empty"), "{errors:?}");
    // The pod before the cut, and the List's good item, are still judged.
    assert_eq!(v["summary"]["objects"], 2, "{}", v["summary"]);
}

#[test]
fn files_starting_with_a_brace_are_json_to_kubectl() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Flow YAML at the root: kubectl's JSON decoder refuses it at the `a`.
    write(
        d,
        "flow.yaml",
        "{apiVersion: v1, kind: ConfigMap,\n metadata: {name: a}}\n",
    );
    let run = eyelint(d, &["--no-color", "flow.yaml"], None);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(run.code, 2, "{said}");
    assert!(
        said.contains("flow.yaml:1:2: kubectl reads a file that starts with `{` as JSON"),
        "{said}"
    );
    // The same with a comment after valid JSON, at the comment.
    write(
        d,
        "c.json",
        "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\",\n \"metadata\": {\"name\": \"a\"}} # note\n",
    );
    let run = eyelint(d, &["--no-color", "c.json"], None);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(run.code, 2, "{said}");
    assert!(said.contains("c.json:2:29:"), "{said}");
    assert!(said.contains("JSON has no comments"), "{said}");
    // kubectl drops a leading byte-order mark before it looks; columns do
    // not count it.
    write(
        d,
        "bom.yaml",
        "\u{feff}{apiVersion: v1, kind: ConfigMap,\n metadata: {name: a}}\n",
    );
    let run = eyelint(d, &["--no-color", "bom.yaml"], None);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(run.code, 2, "{said}");
    assert!(said.contains("bom.yaml:1:2: kubectl reads"), "{said}");
    // Surrogate escapes: JSON's decoder reads a pair as one character and a
    // lone one as U+FFFD; kubectl's YAML parser refuses both.
    let escapes = "\"data\": {\"k\": \"\\ud83d\\ude00 \\ud83d\"}";
    write(
        d,
        "s.json",
        format!("{{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {{\"name\": \"a\"}}, {escapes}}}\n"),
    );
    write(
        d,
        "s.yaml",
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: a}}\n{escapes}\n"),
    );
    let run = eyelint(d, &["--no-color", "s.json"], None);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let run = eyelint(d, &["--no-color", "s.yaml"], None);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(run.code, 2, "{said}");
    assert!(
        said.contains("s.yaml:4:16: kubectl's YAML parser refuses `\\ud83d\\ude00`"),
        "{said}"
    );
    assert!(said.contains("write `\\U0001F600`"), "{said}");
    // A JSON file with comments and no Kubernetes object is skipped, as
    // before; so is flow YAML after a comment line (YAML to kubectl).
    write(
        d,
        "other/tsconfig.json",
        "{\n  // strict\n  \"compilerOptions\": {}\n}\n",
    );
    write(
        d,
        "other/ok.yaml",
        "# a config map\n{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n",
    );
    let run = eyelint(
        d,
        &["--no-color", "other/tsconfig.json", "other/ok.yaml"],
        None,
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

/// A report or baseline written over a manifest of the run would wipe it
/// and pass: refused before anything is written (exit 2). An earlier report
/// found by a walk is skipped, as before.
#[test]
fn a_report_never_overwrites_a_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "in.yaml", POD);
    for args in [
        &["in.yaml", "-o", "in.yaml"][..],
        &[".", "-o", "in.yaml"],
        &["in.yaml", "--write-baseline", "./in.yaml"],
    ] {
        let r = eyelint(d, args, None);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("refusing to write the"), "{}", r.stderr);
        assert_eq!(std::fs::read_to_string(d.join("in.yaml")).unwrap(), POD);
    }
    // Nor through a link to the manifest, or a hard link to it.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("in.yaml", d.join("link.yaml")).unwrap();
        std::fs::create_dir_all(d.join("out")).unwrap();
        std::fs::hard_link(d.join("in.yaml"), d.join("out/hard.yaml")).unwrap();
        for args in [
            &["link.yaml", "-o", "in.yaml"][..],
            &["in.yaml", "-o", "link.yaml"],
            &[".", "-o", "link.yaml"],
            &["in.yaml", "--write-baseline", "link.yaml"],
            &["in.yaml", "-o", "out/hard.yaml"],
        ] {
            let r = eyelint(d, args, None);
            assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
            assert!(r.stderr.contains("refusing to write the"), "{}", r.stderr);
            assert_eq!(std::fs::read_to_string(d.join("in.yaml")).unwrap(), POD);
        }
        std::fs::remove_file(d.join("link.yaml")).unwrap();
        std::fs::remove_dir_all(d.join("out")).unwrap();
    }
    // The last run's report is not a manifest: overwritten, not linted.
    let r = eyelint(d, &["in.yaml", "-f", "json", "-o", "report.json"], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let r = eyelint(d, &[".", "-f", "json", "-o", "report.json", "-v"], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("skipped report.json: this run writes it"),
        "{}",
        r.stderr
    );
}

/// One file named in two spellings (or inside a directory also named) is
/// read once.
#[test]
fn a_file_is_linted_once_whatever_its_spelling() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "sub/pod.yaml", POD);
    let once = json(&eyelint(d, &["sub/pod.yaml", "-f", "json"], None));
    let n = once["findings"].as_array().unwrap().len();
    assert!(n > 0);
    let abs = d.join("sub/pod.yaml").display().to_string();
    for args in [
        &["sub/pod.yaml", "./sub/pod.yaml"][..],
        &["sub", "./sub/pod.yaml"],
        &[".", "sub"],
        &["sub/pod.yaml", &abs],
        &["sub/../sub/pod.yaml", "sub"],
    ] {
        let v = json(&eyelint(d, &[args, &["-f", "json"]].concat(), None));
        assert_eq!(v["findings"].as_array().unwrap().len(), n, "{args:?}");
        assert_eq!(v["summary"]["files"], 1, "{args:?}");
    }
}

/// A subdirectory the run may not read is an input error of its own; the
/// other files are still linted and reported (exit 2). As root, the run is
/// made as `nobody` with util-linux's `setpriv`; skipped where neither works.
#[cfg(unix)]
#[test]
fn an_unreadable_directory_is_an_input_error_and_the_rest_is_linted() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.yaml", POD);
    write(d, "locked/c.yaml", POD);
    write(d, "z.yaml", POD);
    std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    for f in ["a.yaml", "z.yaml"] {
        std::fs::set_permissions(d.join(f), std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    std::fs::set_permissions(d.join("locked"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    if root {
        let probe = std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "true"])
            .status();
        if !probe.is_ok_and(|s| s.success()) {
            eprintln!("SKIP: running as root without a working setpriv");
            return;
        }
    }
    let run = |format: &str| {
        let mut cmd = if root {
            let mut c = std::process::Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(env!("CARGO_BIN_EXE_eyelint"));
            c
        } else {
            std::process::Command::new(env!("CARGO_BIN_EXE_eyelint"))
        };
        cmd.args(["-f", format, "."])
            .current_dir(d)
            .output()
            .unwrap()
    };
    let out = run("json");
    // The error comes as its place in the walk comes: after a.yaml's
    // findings, before z.yaml's.
    let github = String::from_utf8_lossy(&run("github").stdout).into_owned();
    std::fs::set_permissions(d.join("locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let at = |needle: &str| {
        github
            .find(needle)
            .unwrap_or_else(|| panic!("{needle}: {github}"))
    };
    assert!(at("file=a.yaml") < at("file=locked"), "{github}");
    assert!(at("file=locked") < at("file=z.yaml"), "{github}");
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["file"] == "a.yaml"));
    assert_eq!(v["errors"][0]["file"], "locked", "{v}");
    assert_eq!(
        v["errors"][0]["message"],
        "cannot read: Permission denied (os error 13)"
    );
}

/// Standard input over the size limit: its size is not known, and the
/// message does not make one up.
#[test]
fn oversized_standard_input_states_the_limit_only() {
    let dir = tempfile::tempdir().unwrap();
    let r = eyelint(
        dir.path(),
        &["--max-file-size", "10", "-"],
        Some(POD.as_bytes()),
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(
            "<stdin>: standard input is over the 10 byte limit (raise it with --max-file-size)"
        ),
        "{}",
        r.stderr
    );
}

/// `eyelint rule` with an unknown id exits 2 and offers what was probably
/// meant: ids containing it, else the nearest spelling; nothing for an
/// empty id.
#[test]
fn unknown_rule_ids_get_suggestions() {
    let dir = tempfile::tempdir().unwrap();
    for (id, says) in [
        ("runAsPrivilged", "(did you mean runAsPrivileged?)"),
        ("cpuLimitMissing", "(did you mean cpuLimitsMissing?)"),
        ("hostpid", "(did you mean hostPIDSet?)"),
        ("", "unknown rule ``; `eyelint rules` lists every rule"),
    ] {
        let r = eyelint(dir.path(), &["rule", id], None);
        assert_eq!(r.code, 2, "{id}");
        assert!(r.stderr.contains(says), "{id}: {}", r.stderr);
    }
}

/// A configuration problem's snippet names its file, line and column, as
/// docs/config.md shows it.
#[test]
fn config_diagnostics_name_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "pod.yaml", POD);
    write(d, "bad.yaml", "checks:\n  hostIPCSet: error\n");
    let r = eyelint(d, &["--config", "bad.yaml", "--no-color", "pod.yaml"], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("╭─[bad.yaml:2:15]"), "{}", r.stderr);
    write(d, "warn.yaml", "checks:\n  hostIPCSet: danger\nbogus: 1\n");
    let r = eyelint(
        d,
        &["--config", "warn.yaml", "--no-color", "pod.yaml"],
        None,
    );
    assert!(r.stderr.contains("╭─[warn.yaml:3:1]"), "{}", r.stderr);
    // An unknown rule id is shown once, where it is written.
    write(d, "unknown.yaml", "checks:\n  notARule: warning\n");
    let r = eyelint(
        d,
        &["--config", "unknown.yaml", "--no-color", "pod.yaml"],
        None,
    );
    assert_eq!(
        r.stderr.matches("unknown rule `notARule`").count(),
        1,
        "{}",
        r.stderr
    );
}

/// The `sweep:` section is checked by every command that reads the file,
/// `eyelint config` included, though the plain install has no sweep.
#[test]
fn config_checks_the_sweep_section() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "pod.yaml", POD);
    for (text, header, says) in [
        (
            "sweep:\n  checks:\n    WarningEvnt: danger\n",
            "╭─[bad.yaml:3:5]",
            "did you mean `WarningEvent`?",
        ),
        (
            "sweep:\n  thresholds:\n    cpuPercent: lots\n",
            "╭─[bad.yaml:3:17]",
            "wrong type for `sweep.thresholds.cpuPercent`",
        ),
        (
            "sweep:\n  ignore: [PodEvicted]\n  timeoutSecs: 9\n",
            "╭─[bad.yaml:3:3]",
            "unknown key `timeoutSecs`",
        ),
    ] {
        write(d, "bad.yaml", text);
        for args in [
            &["config", "--config", "bad.yaml"][..],
            &["--config", "bad.yaml", "--no-color", "pod.yaml"][..],
        ] {
            let r = eyelint(d, args, None);
            assert_eq!(r.code, 2, "{args:?} {text}");
            assert!(r.stderr.contains(header), "{text}: {}", r.stderr);
            assert!(r.stderr.contains(says), "{text}: {}", r.stderr);
        }
    }
    write(d, "good.yaml", "sweep:\n  namespaces: [shop]\n");
    let r = eyelint(d, &["config", "--config", "good.yaml"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("namespaces:\n  - shop"), "{}", r.stdout);
    assert!(r.stdout.contains("timeoutSeconds: 120"), "{}", r.stdout);
}

/// Standard error closed before the diagnostics come (`eyelint - 2>&1 |
/// head -0`): the exit code is still the contract's, not a panic's 101.
#[test]
fn a_closed_standard_error_keeps_the_exit_code() {
    use std::io::Write as _;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_eyelint"))
        .args(["--no-color", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The reading end goes first; only then does the input arrive.
    drop(child.stderr.take());
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"apiVersion: v1\nkind: Pod\nmetadata: {name: [\n")
        .unwrap();
    drop(stdin);
    assert_eq!(child.wait().unwrap().code(), Some(2));
}

/// A directory named on the command line that yields no file to lint says
/// so (ignore rules that hide it whole, or the wrong directory), and the
/// run still exits 0: nothing failed.
#[test]
fn a_directory_with_nothing_to_lint_says_so() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "charts/README.md", "# no manifests\n");
    write(dir.path(), "k8s/pod.yaml", POD);
    let r = eyelint(dir.path(), &["charts", "k8s"], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "note: charts: no .yaml, .yml or .json file to lint (hidden directories and what .gitignore excludes are not read)"
        ),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("note: k8s"), "{}", r.stderr);
    let r = eyelint(dir.path(), &["charts"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// What a manifest names (objects, containers, images in messages, file
/// names) reaches a terminal or a CI log with no control character or
/// bidirectional override in it, in every format meant for people: a
/// pull request cannot recolour, erase or reorder the lines a reviewer
/// reads. YAML writes them as escapes in double quotes; a JSON file may
/// hold C1 controls and overrides raw.
#[test]
fn control_characters_from_the_input_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "esc.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: \"a\\e[31m\"}\nspec:\n  hostIPC: true\n  containers:\n    - name: \"c\\u0001\\e[1A\\e[2K\"\n      image: \"nginx\\a\"\n",
    );
    write(
        dir.path(),
        "c1.json",
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"b\u{9b}2J\u{202e}\"},\"spec\":{\"hostIPC\":true,\"containers\":[{\"name\":\"c\u{9b}1A\",\"image\":\"x\"}]}}\n",
    );
    for format in ["human", "github"] {
        let r = eyelint(
            dir.path(),
            &[
                "--no-color",
                "-f",
                format,
                "--only",
                "hostIPCSet,tagNotSpecified,runAsPrivileged",
                "esc.yaml",
                "c1.json",
            ],
            None,
        );
        assert_eq!(r.code, 1, "{format}: {}", r.stderr);
        let all = format!("{}{}", r.stdout, r.stderr);
        for bad in ['\x1b', '\x01', '\x07', '\u{9b}', '\u{202e}'] {
            assert!(!all.contains(bad), "{format}: {bad:?} in {all}");
        }
        assert!(all.contains("a\\x1b[31m"), "{format}: {all}");
        assert!(all.contains("b\\u{9b}2J\\u{202e}"), "{format}: {all}");
    }
}

/// A baseline that cannot be written whole leaves the last good one as it
/// was, and the error says so: a lost baseline would bring every old
/// finding back as new. The file size limit (`ulimit -f`, with SIGXFSZ
/// ignored so the write fails with EFBIG) stands in for a full disk.
#[cfg(unix)]
#[test]
fn a_baseline_that_cannot_be_written_leaves_the_last_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "pod.yaml", POD);
    let r = eyelint(
        d,
        &["--only", "hostIPCSet", "--write-baseline", "base.json"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let before = std::fs::read(d.join("base.json")).unwrap();
    assert!(before.len() < 512, "{}", before.len());
    // Many objects: a baseline far past the limit.
    let many: String = (0..200)
        .map(|i| format!("---\n{}", POD.replace("name: p", &format!("name: p{i}"))))
        .collect();
    write(d, "many.yaml", many);
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 4 && exec \"$0\" --write-baseline base.json .")
        .arg(env!("CARGO_BIN_EXE_eyelint"))
        .current_dir(d)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("baseline base.json:")
            && stderr.contains("the file is as it was before this run"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(d.join("base.json")).unwrap(), before);
    let left: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("eyelint-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// `-j 0` is refused; a huge `-j` starts no more threads than help (it
/// once took seconds to start and stop thousands).
#[test]
fn jobs_are_at_least_one_and_bounded() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pod.yaml", POD);
    let r = eyelint(dir.path(), &["-j", "0", "--only", "hostIPCSet"], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("must be at least 1"), "{}", r.stderr);
    let started = Instant::now();
    let r = eyelint(dir.path(), &["-j", "100000", "--only", "hostIPCSet"], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

/// `--only X --skip X` would run nothing and pass: refused.
#[test]
fn only_and_skip_that_leave_nothing_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pod.yaml", POD);
    let r = eyelint(
        dir.path(),
        &["--only", "hostIPCSet", "--skip", "hostIPCSet"],
        None,
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("--skip removes every rule --only names"),
        "{}",
        r.stderr
    );
    let r = eyelint(
        dir.path(),
        &["--only", "hostIPCSet,hostPIDSet", "--skip", "hostPIDSet"],
        None,
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
}
