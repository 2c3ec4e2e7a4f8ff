//! `eyelint certs` behaviour: create, refuse to overwrite, renew only when due,
//! print manifests.

use std::time::{Duration, SystemTime};

use clap::Parser;
use eyelint_certs::cli::{run, CertsArgs, CertsError, Outcome};

#[derive(Parser)]
struct Wrapper {
    #[command(flatten)]
    args: CertsArgs,
}

fn args(dir: &std::path::Path, extra: &[&str]) -> CertsArgs {
    let mut v = vec![
        "certs",
        "--service",
        "eyelint-webhook",
        "--namespace",
        "eyelint",
        "--out-dir",
        dir.to_str().unwrap(),
    ];
    v.extend_from_slice(extra);
    Wrapper::parse_from(v).args
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("eyelint-certs-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn creates_refuses_overwrite_and_renews_only_when_due() {
    let dir = tempdir("flow");
    let now = SystemTime::now();
    let (mut out, mut log) = (Vec::new(), Vec::new());
    let o = run(&args(&dir, &["--days", "20"]), now, &mut out, &mut log).unwrap();
    assert_eq!(o, Outcome::Created);
    for f in ["ca.crt", "ca.key", "tls.crt", "tls.key"] {
        assert!(dir.join(f).exists(), "{f} written");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("tls.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "private key is not readable by others");
    }
    // A second run without --force refuses.
    let err = run(&args(&dir, &[]), now, &mut out, &mut log).unwrap_err();
    assert!(matches!(err, CertsError::Exists { .. }), "{err}");

    let ca_before = std::fs::read_to_string(dir.join("ca.crt")).unwrap();
    let leaf_before = std::fs::read_to_string(dir.join("tls.crt")).unwrap();
    // 20 days left, renew when under 10: nothing to do.
    let o = run(
        &args(&dir, &["--renew-before", "10"]),
        now,
        &mut out,
        &mut log,
    )
    .unwrap();
    assert!(
        matches!(o, Outcome::StillValid { days_left: 19 | 20 }),
        "{o:?}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("tls.crt")).unwrap(),
        leaf_before
    );
    // Fifteen days later, under 10 days are left: re-issued from the same CA.
    let later = now + Duration::from_secs(15 * 86_400);
    let o = run(
        &args(&dir, &["--renew-before", "10"]),
        later,
        &mut out,
        &mut log,
    )
    .unwrap();
    assert_eq!(o, Outcome::Renewed);
    assert_ne!(
        std::fs::read_to_string(dir.join("tls.crt")).unwrap(),
        leaf_before
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("ca.crt")).unwrap(),
        ca_before
    );
    // The renewed certificate loads and chains to the unchanged CA.
    let cert = std::fs::read(dir.join("tls.crt")).unwrap();
    let key = std::fs::read(dir.join("tls.key")).unwrap();
    assert!(eyelint_certs::tls::from_pem(&cert, &key, later).is_ok());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn force_overwrites_and_manifests_are_printed() {
    let dir = tempdir("manifests");
    let now = SystemTime::now();
    let (mut out, mut log) = (Vec::new(), Vec::new());
    run(&args(&dir, &[]), now, &mut out, &mut log).unwrap();
    let o = run(
        &args(&dir, &["--force", "--manifests"]),
        now,
        &mut out,
        &mut log,
    )
    .unwrap();
    assert_eq!(o, Outcome::Created);
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("kind: Secret"));
    assert!(text.contains("type: kubernetes.io/tls"));
    assert!(text.contains("name: eyelint-webhook-tls"));
    assert!(text.contains("namespace: eyelint"));
    assert!(text.contains("kubectl patch validatingwebhookconfiguration eyelint"));
    assert!(text.contains("kubectl patch mutatingwebhookconfiguration eyelint"));
    use base64::Engine as _;
    let ca = std::fs::read(dir.join("ca.crt")).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(ca);
    assert!(text.contains(&format!("ca.crt: {b64}")));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn renew_without_ca_key_is_a_clear_error() {
    let dir = tempdir("incomplete");
    let now = SystemTime::now();
    let (mut out, mut log) = (Vec::new(), Vec::new());
    run(&args(&dir, &[]), now, &mut out, &mut log).unwrap();
    std::fs::remove_file(dir.join("ca.key")).unwrap();
    let err = run(
        &args(&dir, &["--renew-before", "30"]),
        now,
        &mut out,
        &mut log,
    )
    .unwrap_err();
    assert!(matches!(err, CertsError::IncompleteCa { .. }));
    assert!(err.to_string().contains("ca.key"));
    let _ = std::fs::remove_dir_all(&dir);
}
