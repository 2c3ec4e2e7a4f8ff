//! The binary: exit codes, formats, `--apiserver-cert`.

mod common;

use std::process::Command;

use eyelint_policies::Severity;
use eyelint_sweep::checks::cert;
use eyelint_sweep::config::Thresholds;
use eyelint_sweep::report::Findings;
use eyelint_sweep::SweepConfig;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_eyelint-sweep"))
}

fn dump() -> String {
    common::fixture("sick-cluster.dump").display().to_string()
}

#[test]
fn exit_codes_follow_fail_on() {
    let st = bin()
        .args(["--from-dump", &dump(), "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        st.status.code(),
        Some(1),
        "danger findings, default --fail-on danger"
    );
    let v: serde_json::Value = serde_json::from_slice(&st.stdout).unwrap();
    assert_eq!(v["schemaVersion"], 1);
    assert!(v["notes"].is_array());
    let st = bin()
        .args(["--from-dump", &dump(), "--fail-on", "never"])
        .output()
        .unwrap();
    assert_eq!(st.status.code(), Some(0));
    let st = bin()
        .args([
            "--from-file",
            &common::fixture("pods-list.yaml").display().to_string(),
            "--fail-on",
            "danger",
        ])
        .output()
        .unwrap();
    assert_eq!(
        st.status.code(),
        Some(1),
        "the Job's pod spec has danger findings"
    );
    let st = bin()
        .args(["--from-dump", "/nonexistent/dump.txt"])
        .output()
        .unwrap();
    assert_eq!(st.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&st.stderr);
    assert!(stderr.contains("cannot read"), "{stderr}");
    // The cause is named once, not repeated by the error chain.
    assert_eq!(
        stderr.matches("No such file or directory").count(),
        1,
        "{stderr}"
    );
}

/// A 0-byte `.json` file in a dump directory (kubectl failed while its
/// output was redirected) stops the sweep: exit 2, the file named.
#[test]
fn an_empty_json_file_in_a_dump_directory_exits_2() {
    let tmp = tempfile::Builder::new()
        .prefix("eyelint-sweep-cli-")
        .tempdir()
        .unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("shop")).unwrap();
    std::fs::write(
        dir.join("shop/events.json"),
        "{\"kind\": \"EventList\", \"items\": []}",
    )
    .unwrap();
    std::fs::write(dir.join("shop/pods.json"), "").unwrap();
    let out = bin()
        .args(["--from-dump", &dir.display().to_string()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("{}: ", dir.join("shop/pods.json").display())),
        "{stderr}"
    );
}

#[test]
fn config_file_sweep_section() {
    let tmp = tempfile::Builder::new()
        .prefix("eyelint-sweep-cli-")
        .tempdir()
        .unwrap();
    let dir = tmp.path();
    let cfg = dir.join("eyelint.yaml");
    std::fs::write(
        &cfg,
        "checks:\n  runAsPrivileged: ignore\nsweep:\n  ignore: [WarningEvent]\n  checks:\n    KubeletHealthStatus: warning\n",
    )
    .unwrap();
    let out = bin()
        .args([
            "--from-dump",
            &dump(),
            "--format",
            "json",
            "--config",
            &cfg.display().to_string(),
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = v["findings"].as_array().unwrap();
    assert!(!f
        .iter()
        .any(|f| f["id"] == "WarningEvent" || f["id"] == "runAsPrivileged"));
    assert!(f
        .iter()
        .any(|f| f["id"] == "KubeletHealthStatus" && f["severity"] == "warning"));
    std::fs::write(&cfg, "sweep:\n  ignore: [NoSuchCheck]\n").unwrap();
    let out = bin()
        .args([
            "--from-dump",
            &dump(),
            "--config",
            &cfg.display().to_string(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NoSuchCheck"));
    // Errors in the sweep section, and in the rest of the file, name the
    // line and column of the key at fault, as `eyelint` does; the file is
    // read as `eyelint` reads it (Polaris's keys in any case, warnings).
    let name = cfg.display().to_string();
    for (text, says) in [
        (
            "sweep:\n  ignore: [WarningEvent, Nope]\n",
            format!("{name}:2:26: sweep.ignore[1]: unknown check id `Nope`"),
        ),
        (
            "sweep:\n  bogusKey: 1\n",
            format!("{name}:2:3: unknown key `bogusKey` in `sweep.bogusKey`"),
        ),
        (
            "sweep:\n  thresholds:\n    cpuPercent: lots\n",
            format!("{name}:3:17: wrong type for `sweep.thresholds.cpuPercent`"),
        ),
        (
            "sweep:\n  checks:\n    NotACheck: danger\n",
            format!("{name}:3:5: sweep.checks.NotACheck: unknown check id"),
        ),
        (
            "sweep:\n  checks:\n    WarningEvnt: danger\n",
            "(did you mean `WarningEvent`?)".to_string(),
        ),
        (
            "sweep:\n  thresholds:\n    restarts: 0\n",
            format!("{name}:3:15: sweep.thresholds.restarts: must be at least 1"),
        ),
        (
            "sweep:\n  thresholds:\n    certDangerDays: 40\n",
            format!(
                "{name}:3:21: sweep.thresholds.certDangerDays: 40 days is more than certWarningDays (30)"
            ),
        ),
        (
            "sweep:\n  thresholds:\n    certWarningDays: 3\n",
            format!(
                "{name}:3:22: sweep.thresholds.certWarningDays: 3 days is less than certDangerDays (7)"
            ),
        ),
        (
            "sweep:\n  concurrency: 0\n",
            format!("{name}:2:16: sweep.concurrency: must be at least 1"),
        ),
        (
            "sweep:\n  timeoutSeconds: 0\n",
            format!("{name}:2:19: sweep.timeoutSeconds: must be at least 1"),
        ),
        (
            "sweep:\n  timeoutSeconds: 18446744073709551615\n",
            format!("{name}:2:19: sweep.timeoutSeconds: must be at most 86400 (a day)"),
        ),
        (
            "sweep:\n  thresholds:\n    cpuPercent: 120\n    diskPercent: 100\n",
            format!("{name}:4:18: sweep.thresholds.diskPercent: a percentage"),
        ),
        (
            "Checks:\n  hostIPCSet: wrong\n",
            format!("{name}:2:15: unknown severity `wrong`"),
        ),
    ] {
        std::fs::write(&cfg, text).unwrap();
        let out = bin()
            .args(["--from-dump", &dump(), "--config", &name])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{text}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&says), "{text}: {err}");
    }
    std::fs::write(&cfg, "bogus: 1\nsweep:\n  ignore: [WarningEvent]\n").unwrap();
    let out = bin()
        .args([
            "--from-dump",
            &dump(),
            "--config",
            &name,
            "--fail-on",
            "never",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!(
        "{name}:1:1: warning: unknown key `bogus` (ignored)"
    )));
    // UTF-16 with a byte-order mark, as `eyelint` reads it: the warning
    // event check ignored, its findings are gone.
    let dump_path = dump();
    let run = |args: &[&str]| -> serde_json::Value {
        let mut a = vec![
            "--from-dump",
            &dump_path,
            "-f",
            "json",
            "--fail-on",
            "never",
        ];
        a.extend_from_slice(args);
        let out = bin().args(&a).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "sweep:\r\n  ignore: [WarningEvent]\r\n".encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    std::fs::write(&cfg, utf16).unwrap();
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(ids(&run(&[])).contains(&"WarningEvent".to_string()));
    assert!(!ids(&run(&["--config", &name])).contains(&"WarningEvent".to_string()));
}

#[test]
fn html_to_a_file() {
    let tmp = tempfile::Builder::new()
        .prefix("eyelint-sweep-html-")
        .tempdir()
        .unwrap();
    let out = tmp.path().join("report.html");
    let st = bin()
        .args([
            "--from-dump",
            &dump(),
            "--format",
            "html",
            "--output",
            &out.display().to_string(),
            "--fail-on",
            "never",
        ])
        .status()
        .unwrap();
    assert_eq!(st.code(), Some(0));
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg") && html.contains("sortable"));
    assert!(
        !html.contains("http://") || !html.contains("<script src"),
        "no external resources"
    );
    assert!(!html.contains("<link "));
}

fn cert_pem(days_from_now: i64) -> String {
    let mut params = rcgen::CertificateParams::new(vec!["kubernetes.default".to_string()]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "kube-apiserver");
    let not_after = time_of(common::NOW + days_from_now * 86_400 + 3600);
    params.not_before = time_of(common::NOW - 400 * 86_400);
    params.not_after = not_after;
    let key = rcgen::KeyPair::generate().unwrap();
    params.self_signed(&key).unwrap().pem()
}

fn time_of(secs: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(secs).unwrap()
}

#[test]
fn apiserver_certificate_expiry() {
    let cfg = SweepConfig::default();
    let t = Thresholds::default();
    for (days, want) in [
        (-30, Some(Severity::Danger)),
        (3, Some(Severity::Danger)),
        (20, Some(Severity::Warning)),
        (100, None),
    ] {
        let pem = cert_pem(days);
        let certs = cert::parse_pem(pem.as_bytes(), "test").unwrap();
        assert_eq!(certs[0].subject, "kube-apiserver");
        let mut out = Findings::new(&cfg);
        cert::check(&certs, "apiserver.crt", common::NOW, &t, &mut out);
        let got = out.finish();
        assert_eq!(got.first().map(|f| f.severity), want, "{days} days");
        if let Some(f) = got.first() {
            assert_eq!(
                (f.id.as_str(), f.name.as_str()),
                ("NodeApiServerExpiredPeriod", "kube-apiserver")
            );
            // The expiry is in the message, not in `lastSeen` (which would
            // be a date ahead of the sweep).
            assert!(f.message.contains(" day(s)"), "{}", f.message);
            assert_eq!(f.last_seen, None);
        }
    }
    // Through the binary.
    let tmp = tempfile::Builder::new()
        .prefix("eyelint-sweep-cert-")
        .tempdir()
        .unwrap();
    let p = tmp.path().join("apiserver.pem");
    std::fs::write(&p, cert_pem(-1)).unwrap();
    let out = bin()
        .args([
            "--from-dump",
            &dump(),
            "--format",
            "json",
            "--apiserver-cert",
            &p.display().to_string(),
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == "NodeApiServerExpiredPeriod" && f["severity"] == "danger"));
    // Files that hold no certificate say what was expected.
    for (text, says) in [
        (
            "not a certificate",
            "neither PEM (no `-----BEGIN CERTIFICATE-----` line) nor a DER X.509 certificate",
        ),
        (
            "",
            "the file is empty: expected a PEM or DER X.509 certificate",
        ),
        ("\n  \n", "the file is empty"),
        (
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            "no PEM CERTIFICATE block found",
        ),
    ] {
        std::fs::write(&p, text).unwrap();
        let out = bin()
            .args([
                "--from-dump",
                &dump(),
                "--apiserver-cert",
                &p.display().to_string(),
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{text:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{text:?}: {err}");
        assert!(err.contains(&p.display().to_string()), "{err}");
    }
    std::fs::remove_file(&p).unwrap();
}

/// `--color always` colours a pipe; `--no-color`, `--color never` and a
/// non-empty NO_COLOR keep it plain; `-f` is `--format`, as in `eyelint lint`.
#[test]
fn colour_choices_and_short_format() {
    let run = |args: &[&str], no_color: Option<&str>| {
        let mut c = bin();
        c.args(["--from-dump", &dump(), "--fail-on", "never"])
            .args(args);
        c.env_remove("NO_COLOR");
        if let Some(v) = no_color {
            c.env("NO_COLOR", v);
        }
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let esc = |s: &str| s.contains('\u{1b}');
    assert!(esc(&run(&["--color", "always"], None)));
    assert!(!esc(&run(&[], None)), "a pipe is not a terminal");
    assert!(!esc(&run(&["--no-color"], None)));
    assert!(!esc(&run(&["--color", "never"], None)));
    let plain = run(&["--color", "never"], None);
    assert_eq!(run(&["--no-color"], Some("1")), plain);
    let json: serde_json::Value = serde_json::from_str(&run(&["-f", "json"], None)).unwrap();
    assert_eq!(json["schemaVersion"], 1);
    // Both at once is a usage error, not a silent pick.
    let st = bin()
        .args(["--from-dump", &dump(), "--color", "always", "--no-color"])
        .output()
        .unwrap();
    assert_eq!(st.status.code(), Some(2));
}

/// The JSON summary counts the engine's exempted and not-evaluated checks
/// (the linter's schema), and the notes account for every one not evaluated.
#[test]
fn summary_counts_exempted_and_not_evaluated() {
    let json = |args: &[&str]| -> serde_json::Value {
        let out = bin()
            .args(["--from-dump", &dump(), "-f", "json"])
            .args(args)
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let plain = json(&[]);
    let s = &plain["summary"];
    assert_eq!(s["exempted"], 0);
    let noted: u64 = plain["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| {
            let n = n.as_str()?;
            let rest = n.split(" not evaluated for ").nth(1)?;
            rest.split(' ').next()?.parse::<u64>().ok()
        })
        .sum();
    assert!(noted > 0, "{}", plain["notes"]);
    assert_eq!(s["notEvaluated"].as_u64(), Some(noted));

    let tmp = tempfile::Builder::new()
        .prefix("eyelint-sweep-exempt-")
        .tempdir()
        .unwrap();
    let dir = tmp.path();
    let cfg = dir.join("eyelint.yaml");
    std::fs::write(&cfg, "exemptions:\n  - namespace: kube-system\n").unwrap();
    let cfg = cfg.display().to_string();
    let exempt = json(&["--config", &cfg]);
    let n = exempt["summary"]["exempted"].as_u64().unwrap();
    assert!(n > 0);
    assert!(!exempt["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["section"] == "workloads" && f["namespace"] == "kube-system"));
    let human = bin()
        .args(["--from-dump", &dump(), "--no-color", "--config", &cfg])
        .output()
        .unwrap();
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(
        text.contains(&format!("({n} check(s) skipped by exemptions)")),
        "{text}"
    );
}

/// On a terminal with no `COLUMNS` exported (an interactive shell exports
/// none), the table fits the terminal's own width: on a 60-column terminal
/// each message goes on its own lines under its row, wrapped to fit (never
/// cut: what is cut is lost). `script` gives the run a
/// terminal; skipped where util-linux's `script` is missing.
#[test]
fn human_layout_follows_the_terminal_width() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("SKIP: no `script` command to give the sweep a terminal");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_eyelint-sweep");
    let run = |cols: u32| {
        let out = Command::new("script")
            .args([
                "-qec",
                &format!(
                    "stty cols {cols} rows 40; '{bin}' --from-dump '{}' --no-color",
                    dump()
                ),
                "/dev/null",
            ])
            .env_remove("COLUMNS")
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).replace('\r', "")
    };
    let narrow = run(60);
    let lines: Vec<&str> = narrow.lines().collect();
    let first = lines
        .iter()
        .position(|l| l.starts_with("      node is not ready: KubeletNotReady:"))
        .unwrap_or_else(|| panic!("no stacked message line:\n{narrow}"));
    let message: Vec<&str> = lines[first..]
        .iter()
        .take_while(|l| l.starts_with("      "))
        .copied()
        .collect();
    assert!(message.len() > 1, "{narrow}");
    assert!(
        message.iter().all(|l| l.chars().count() <= 60),
        "{message:?}"
    );
    assert!(!narrow.contains("..."), "{narrow}");
    let wide = run(250);
    assert!(wide.lines().all(|l| l.chars().count() <= 250), "{wide}");
    assert!(
        wide.contains("NodeNotReadyAndUseOfClosedNetworkConnection"),
        "{wide}"
    );
}

/// A reader that stops early (`eyelint sweep -f json | head -c1`) is not an
/// error, nor a panic; the report is larger than a pipe's buffer, so the
/// sweep is still writing when the reader goes.
#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    use std::io::Read as _;
    let mut child = bin()
        .args(["--from-dump", &dump(), "-f", "json", "--fail-on", "never"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    stdout.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"{");
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Through the binary, live: a cluster that cannot be reached fails the
/// sweep (exit 2) with the cause, and a credentials plugin that hangs does
/// not hold it past `--timeout`.
#[test]
fn unreachable_clusters_and_hanging_credential_plugins_fail_in_time() {
    use std::os::unix::fs::PermissionsExt as _;
    let tmp = tempfile::Builder::new()
        .prefix("eyelint-sweep-live-")
        .tempdir()
        .unwrap();
    let dir = tmp.path();
    let kubeconfig = |user: &str| {
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:1\n\
             users:\n- name: u\n  user:\n{user}\ncontexts:\n- name: c\n  context: {{cluster: c, user: u}}\n\
             current-context: c\n"
        )
    };
    let closed = dir.join("closed.yaml");
    std::fs::write(&closed, kubeconfig("    token: t")).unwrap();
    let out = bin()
        .args(["--kubeconfig", &closed.display().to_string()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("nothing could be read from the cluster")
            && err.contains("Connection refused"),
        "{err}"
    );
    let plugin = dir.join("plugin.sh");
    let pid_file = dir.join("plugin.pid");
    // A plugin that starts a process of its own and waits for it, as
    // `gke-gcloud-auth-plugin` runs `gcloud`.
    let child_file = dir.join("child.pid");
    std::fs::write(
        &plugin,
        format!(
            "#!/bin/sh\necho $$ > {}\nsleep 30 &\necho $! > {}\nwait\n",
            pid_file.display(),
            child_file.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let hang = dir.join("hang.yaml");
    let exec = format!(
        "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {}\n      interactiveMode: Never",
        plugin.display()
    );
    std::fs::write(&hang, kubeconfig(&exec)).unwrap();
    let started = std::time::Instant::now();
    let out = bin()
        .args([
            "--kubeconfig",
            &hang.display().to_string(),
            "--timeout",
            "2",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("credentials plugin (user.exec) did not finish"),
        "{err}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    // Neither the plugin nor what it started outlives the sweep (they ran
    // on for their 30 s).
    if cfg!(target_os = "linux") {
        for file in [&pid_file, &child_file] {
            let pid = std::fs::read_to_string(file).unwrap();
            let stat = std::path::Path::new("/proc").join(pid.trim()).join("stat");
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
            let alive = || {
                // Gone, or a zombie no one has reaped yet, is not running.
                std::fs::read_to_string(&stat).is_ok_and(|s| {
                    !s.rsplit(')')
                        .next()
                        .unwrap_or("")
                        .trim_start()
                        .starts_with('Z')
                })
            };
            while alive() && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            assert!(!alive(), "{} {} still runs", file.display(), pid.trim());
        }
    }
    // The time limit counts from the sweep's start, the plugin's time
    // included: a plugin of 2.5 s and an API server that never answers
    // end a sweep of `--timeout 3` after 3 s, not 5.5.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_url = format!("http://{}", silent.local_addr().unwrap());
    std::thread::spawn(move || {
        let held: Vec<_> = silent.incoming().flatten().collect();
        drop(held);
    });
    let slow = dir.join("slow.sh");
    std::fs::write(
        &slow,
        "#!/bin/sh\nsleep 2.5\nprintf '{\"status\":{\"token\":\"t\"}}'\n",
    )
    .unwrap();
    std::fs::set_permissions(&slow, std::fs::Permissions::from_mode(0o755)).unwrap();
    let slow_config = dir.join("slow.yaml");
    std::fs::write(
        &slow_config,
        kubeconfig(&format!(
            "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {}\n      interactiveMode: Never",
            slow.display()
        ))
        .replace("http://127.0.0.1:1", &silent_url),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let out = bin()
        .args([
            "--kubeconfig",
            &slow_config.display().to_string(),
            "--timeout",
            "3",
        ])
        .output()
        .unwrap();
    let took = started.elapsed();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(took < std::time::Duration::from_millis(4800), "{took:?}");
    // No time at all is not a time limit, and one the clock cannot hold
    // is refused too (it panicked adding it to the clock).
    for limit in ["0", "18446744073709551615"] {
        let out = bin().args(["--timeout", limit]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{limit}");
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("panicked"),
            "{limit}"
        );
    }
}

/// Each request's path and `Authorization` header.
type Seen = std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>;

/// A loopback API server that answers every request with an empty list and
/// keeps each request's path and `Authorization` header. Ends with the test
/// process.
fn empty_api_server() -> (String, Seen) {
    use std::io::{BufRead as _, BufReader, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = seen.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let seen = keep.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(match conn.try_clone() {
                    Ok(c) => c,
                    Err(_) => return,
                });
                let mut conn = conn;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
                    let mut auth = String::new();
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).unwrap_or(0) == 0 {
                            return;
                        }
                        if h.trim().is_empty() {
                            break;
                        }
                        if let Some((k, v)) = h.split_once(':') {
                            if k.eq_ignore_ascii_case("authorization") {
                                auth = v.trim().to_string();
                            }
                        }
                    }
                    seen.lock().unwrap().push((path, auth));
                    let body = r#"{"apiVersion":"v1","kind":"List","metadata":{},"items":[]}"#;
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if conn.write_all(answer.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, seen)
}

/// A kubeconfig's credentials plugin runs once per sweep (kube alone would
/// run it three times), and its token is sent with every request; one whose
/// token expires before the sweep can end is left to kube, which refreshes it.
#[test]
fn a_credentials_plugin_runs_once_and_its_token_is_used() {
    use std::os::unix::fs::PermissionsExt as _;
    let (url, seen) = empty_api_server();
    let tmp = tempfile::Builder::new()
        .prefix("eyelint-sweep-exec-")
        .tempdir()
        .unwrap();
    let dir = tmp.path();
    let sweep = |name: &str, expires_in: Option<u64>| {
        let count = dir.join(format!("{name}.count"));
        let plugin = dir.join(format!("{name}.sh"));
        let expiry = match expires_in {
            Some(s) => format!(
                r#","expirationTimestamp":"'"$(date -u -d @$(( $(date +%s) + {s} )) +%Y-%m-%dT%H:%M:%SZ)"'""#
            ),
            None => String::new(),
        };
        std::fs::write(
            &plugin,
            format!(
                "#!/bin/sh\necho run >> {count}\n\
                 printf '%s' '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\
                 \"status\":{{\"token\":\"tok-{name}\"{expiry}}}}}'\n",
                count = count.display(),
            ),
        )
        .unwrap();
        std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).unwrap();
        let kubeconfig = dir.join(format!("{name}.yaml"));
        std::fs::write(
            &kubeconfig,
            format!(
                "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {url}\n\
                 users:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      \
                 command: {}\n      interactiveMode: Never\n\
                 contexts:\n- name: c\n  context: {{cluster: c, user: u}}\ncurrent-context: c\n",
                plugin.display()
            ),
        )
        .unwrap();
        seen.lock().unwrap().clear();
        let out = bin()
            .args([
                "--kubeconfig",
                &kubeconfig.display().to_string(),
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert_ne!(out.status.code(), Some(2), "{err}");
        let runs = std::fs::read_to_string(&count).unwrap().lines().count();
        let requests = seen.lock().unwrap().clone();
        (runs, requests)
    };
    let (runs, requests) = sweep("lasting", None);
    assert_eq!(runs, 1);
    assert!(requests.len() > 10, "{requests:?}");
    assert!(
        requests
            .iter()
            .all(|(_, auth)| auth == "Bearer tok-lasting"),
        "{requests:?}"
    );
    // An hour is longer than the sweep's 120 s and the margin.
    let (runs, requests) = sweep("hour", Some(3600));
    assert_eq!(runs, 1);
    assert!(requests.iter().all(|(_, auth)| auth == "Bearer tok-hour"));
    // Thirty seconds is not: kube runs the plugin itself.
    let (runs, requests) = sweep("brief", Some(30));
    assert!(runs > 1, "{runs}");
    assert!(requests.iter().all(|(_, auth)| auth == "Bearer tok-brief"));
}
