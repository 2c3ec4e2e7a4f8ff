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

/// A path that does not exist yet, in a temporary directory that is
/// removed when the first value is dropped.
fn tempdir(name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::Builder::new()
        .prefix(&format!("eyelint-certs-{name}-"))
        .tempdir()
        .unwrap();
    let path = tmp.path().join(name);
    (tmp, path)
}

#[test]
fn creates_refuses_overwrite_and_renews_only_when_due() {
    let (_tmp, dir) = tempdir("flow");
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
    assert!(
        matches!(&o, Outcome::Renewed { why } if why.starts_with("it expires in ")),
        "{o:?}"
    );
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
}

#[test]
fn force_overwrites_and_manifests_are_printed() {
    let (_tmp, dir) = tempdir("manifests");
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
}

#[test]
fn renew_without_ca_key_is_a_clear_error() {
    let (_tmp, dir) = tempdir("incomplete");
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
}

fn run_quiet(a: &CertsArgs, now: SystemTime) -> Result<Outcome, CertsError> {
    let (mut out, mut log) = (Vec::new(), Vec::new());
    run(a, now, &mut out, &mut log)
}

/// A serving certificate never outlives its CA: refused at creation and at
/// renewal (an expired CA or one about to expire), with nothing written.
#[test]
fn a_serving_certificate_never_outlives_its_ca() {
    let (_tmp, dir) = tempdir("outlives");
    let now = SystemTime::now();
    let err = run_quiet(&args(&dir, &["--days", "4000", "--ca-days", "30"]), now).unwrap_err();
    assert!(
        err.to_string()
            .contains("before a serving certificate valid 4000 days would"),
        "{err}"
    );
    assert!(!dir.join("ca.crt").exists() && !dir.join("tls.crt").exists());
    // A CA made 400 days ago for 365 days, its serving certificate for 30:
    // today the CA has expired, and renewal refuses rather than issue a
    // certificate nothing trusts.
    let then = now - Duration::from_secs(400 * 86_400);
    run_quiet(&args(&dir, &["--ca-days", "365", "--days", "30"]), then).unwrap();
    let leaf_before = std::fs::read_to_string(dir.join("tls.crt")).unwrap();
    let err = run_quiet(&args(&dir, &["--renew-before", "30"]), now).unwrap_err();
    assert!(err.to_string().starts_with("the CA expired on "), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("tls.crt")).unwrap(),
        leaf_before
    );
    // Within its last days, the same: 360 days in, 5 are left.
    let late = then + Duration::from_secs(360 * 86_400);
    let err = run_quiet(&args(&dir, &["--renew-before", "30"]), late).unwrap_err();
    assert!(err.to_string().contains("--days"), "{err}");
    // A shorter certificate that fits is issued.
    let o = run_quiet(&args(&dir, &["--renew-before", "30", "--days", "3"]), late).unwrap();
    assert!(matches!(o, Outcome::Renewed { .. }), "{o:?}");
}

/// Renewal checks the files it keeps, not only the expiry: a CA key that is
/// not the CA's is an error; a serving key that is not the certificate's, a
/// certificate another CA signed, or one for another Service is re-issued.
#[test]
fn renewal_checks_keys_issuer_and_names() {
    let ((_ta, a), (_tb, b)) = (tempdir("check-a"), tempdir("check-b"));
    let now = SystemTime::now();
    run_quiet(&args(&a, &[]), now).unwrap();
    run_quiet(&args(&b, &[]), now).unwrap();
    let renew = |dir: &std::path::Path, extra: &[&str]| {
        let mut x = vec!["--renew-before", "30"];
        x.extend_from_slice(extra);
        run_quiet(&args(dir, &x), now)
    };
    assert!(matches!(
        renew(&a, &[]).unwrap(),
        Outcome::StillValid { .. }
    ));

    // The serving key of another pair.
    std::fs::copy(b.join("tls.key"), a.join("tls.key")).unwrap();
    let o = renew(&a, &[]).unwrap();
    assert_eq!(
        o,
        Outcome::Renewed {
            why: "tls.key is not the key of tls.crt".into()
        }
    );
    let leaf = |d: &std::path::Path| {
        let cert = std::fs::read(d.join("tls.crt")).unwrap();
        let key = std::fs::read(d.join("tls.key")).unwrap();
        eyelint_certs::tls::from_pem(&cert, &key, now)
    };
    assert!(leaf(&a).is_ok());
    assert!(matches!(
        renew(&a, &[]).unwrap(),
        Outcome::StillValid { .. }
    ));

    // A serving pair another CA signed.
    for f in ["tls.crt", "tls.key"] {
        std::fs::copy(b.join(f), a.join(f)).unwrap();
    }
    let o = renew(&a, &[]).unwrap();
    assert_eq!(
        o,
        Outcome::Renewed {
            why: "tls.crt was not issued by ca.crt".into()
        }
    );
    assert!(matches!(
        renew(&a, &[]).unwrap(),
        Outcome::StillValid { .. }
    ));

    // Another Service: re-issued for its names.
    let mut other = args(&a, &["--renew-before", "30"]);
    other.service = "other-svc".into();
    let o = run_quiet(&other, now).unwrap();
    assert!(
        matches!(&o, Outcome::Renewed { why } if why.contains("not for other-svc, other-svc.eyelint")),
        "{o:?}"
    );
    let pem = std::fs::read_to_string(a.join("tls.crt")).unwrap();
    let (_, block) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).unwrap();
    let cert = block.parse_x509().unwrap();
    assert!(cert.subject().to_string().contains("other-svc.eyelint.svc"));

    // A CA key that is not the CA's: an error, nothing written.
    std::fs::copy(b.join("ca.key"), a.join("ca.key")).unwrap();
    std::fs::remove_file(a.join("tls.crt")).unwrap();
    let err = renew(&a, &[]).unwrap_err();
    assert!(
        err.to_string().contains("ca.key is not the key of ca.crt"),
        "{err}"
    );
    assert!(!a.join("tls.crt").exists());
}

/// Serving files without their CA are not replaced by renewal: a new CA
/// would not match the caBundle the cluster has. `--force` makes both anew.
#[test]
fn renewal_without_a_ca_keeps_the_serving_files() {
    let (_tmp, dir) = tempdir("no-ca");
    let now = SystemTime::now();
    run_quiet(&args(&dir, &[]), now).unwrap();
    let leaf_before = std::fs::read_to_string(dir.join("tls.crt")).unwrap();
    std::fs::remove_file(dir.join("ca.crt")).unwrap();
    std::fs::remove_file(dir.join("ca.key")).unwrap();
    let err = run_quiet(&args(&dir, &["--renew-before", "30"]), now).unwrap_err();
    assert!(matches!(err, CertsError::NoCa { .. }), "{err}");
    assert!(err.to_string().contains("--force"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("tls.crt")).unwrap(),
        leaf_before
    );
    let o = run_quiet(&args(&dir, &["--renew-before", "30", "--force"]), now).unwrap();
    assert_eq!(o, Outcome::Created);
    assert!(dir.join("ca.crt").exists());
}

fn parse(names: &[&str]) -> Result<CertsArgs, clap::Error> {
    let mut v = vec!["certs", "--out-dir", "unused"];
    v.extend_from_slice(names);
    Wrapper::try_parse_from(v).map(|w| w.args)
}

/// Names Kubernetes would refuse are refused on the command line, naming
/// the flag and the rule: the Service a DNS-1035 label, the namespace a
/// DNS-1123 label, the Secret and webhook configurations DNS-1123 subdomains.
#[test]
fn names_kubernetes_refuses_are_refused() {
    let ok = |extra: &[&str]| {
        let mut v = vec!["--service", "svc", "--namespace", "ns"];
        v.extend_from_slice(extra);
        parse(&v)
    };
    let long = "a".repeat(63);
    let too_long = "a".repeat(64);
    // Accepted: the usual names, single characters, 63 characters, a
    // namespace starting with a digit, dotted Secret and webhook names.
    for names in [
        &["--service", "eyelint-webhook", "--namespace", "eyelint"][..],
        &["--service", "a", "--namespace", "1"],
        &["--service", &long, "--namespace", &long],
        &["--service", "s1", "--namespace", "0-ns"],
    ] {
        assert!(parse(names).is_ok(), "{names:?}");
    }
    assert!(ok(&[
        "--secret-name",
        "eyelint.tls-1",
        "--webhook-name",
        "eyelint.example.com"
    ])
    .is_ok());

    for (names, flag, rule, why) in [
        (
            &["--service", "Bad_Name", "--namespace", "ns"][..],
            "--service",
            "DNS-1035 label",
            "uppercase letter ('B')",
        ),
        (
            &["--service", "bad_name", "--namespace", "ns"],
            "--service",
            "DNS-1035 label",
            "it has '_'",
        ),
        (
            &["--service", "1svc", "--namespace", "ns"],
            "--service",
            "DNS-1035 label",
            "starts with '1', not a letter",
        ),
        (
            &["--service", "svc-", "--namespace", "ns"],
            "--service",
            "DNS-1035 label",
            "ends with '-'",
        ),
        (
            &["--service", "a.b", "--namespace", "ns"],
            "--service",
            "DNS-1035 label",
            "it has '.'",
        ),
        (
            &["--service", "", "--namespace", "ns"],
            "--service",
            "DNS-1035 label",
            "it is empty",
        ),
        (
            &["--service", &too_long, "--namespace", "ns"],
            "--service",
            "DNS-1035 label",
            "64 characters long",
        ),
        (
            &["--service", "svc", "--namespace", "Prod"],
            "--namespace",
            "DNS-1123 label",
            "uppercase letter ('P')",
        ),
        (
            &["--service", "svc", "--namespace=-ns"],
            "--namespace",
            "DNS-1123 label",
            "starts with '-'",
        ),
        (
            &["--service", "svc", "--namespace", "ns.x"],
            "--namespace",
            "DNS-1123 label",
            "it has '.'",
        ),
        (
            &["--service", "svc", "--namespace", &too_long],
            "--namespace",
            "DNS-1123 label",
            "64 characters long",
        ),
        (
            &[
                "--service",
                "svc",
                "--namespace",
                "ns",
                "--secret-name",
                "tls_secret",
            ],
            "--secret-name",
            "DNS-1123 subdomain",
            "it has '_'",
        ),
        (
            &[
                "--service",
                "svc",
                "--namespace",
                "ns",
                "--secret-name",
                "a..b",
            ],
            "--secret-name",
            "DNS-1123 subdomain",
            "empty part (a leading, trailing or double dot)",
        ),
        (
            &[
                "--service",
                "svc",
                "--namespace",
                "ns",
                "--webhook-name",
                "hook.-x",
            ],
            "--webhook-name",
            "DNS-1123 subdomain",
            "its part \"-x\" starts with '-'",
        ),
        (
            &[
                "--service",
                "svc",
                "--namespace",
                "ns",
                "--webhook-name",
                "Hook",
            ],
            "--webhook-name",
            "DNS-1123 subdomain",
            "uppercase",
        ),
    ] {
        let err = match parse(names) {
            Ok(a) => panic!("{names:?} accepted: {a:?}"),
            Err(e) => e,
        };
        assert_eq!(
            err.kind(),
            clap::error::ErrorKind::ValueValidation,
            "{names:?}"
        );
        let text = err.to_string();
        assert!(text.contains(flag), "{names:?}: {text}");
        assert!(
            text.contains(&format!("it must be a {rule}")),
            "{names:?}: {text}"
        );
        assert!(text.contains(why), "{names:?}: {text}");
    }
    let sub = "a".repeat(254);
    let err = ok(&["--secret-name", &sub]).unwrap_err();
    assert!(err.to_string().contains("254 characters long"), "{err}");
}

/// Arguments built in code are checked by `run` too, before anything is
/// written.
#[test]
fn run_refuses_invalid_names_before_writing() {
    let (_tmp, dir) = tempdir("bad-name");
    let mut a = args(&dir, &[]);
    a.service = "Bad_Name".into();
    let err = run_quiet(&a, SystemTime::now()).unwrap_err();
    assert!(
        matches!(&err, CertsError::InvalidName { flag: "--service", value, .. } if value == "Bad_Name"),
        "{err:?}"
    );
    assert!(
        err.to_string().starts_with(
            "--service \"Bad_Name\": it has an uppercase letter ('B'); it must be a DNS-1035 label"
        ),
        "{err}"
    );
    assert!(!dir.exists(), "nothing is created");

    let mut a = args(&dir, &[]);
    a.namespace = "ns_1".into();
    let err = run_quiet(&a, SystemTime::now()).unwrap_err();
    assert!(
        matches!(
            err,
            CertsError::InvalidName {
                flag: "--namespace",
                ..
            }
        ),
        "{err:?}"
    );
    let mut a = args(&dir, &[]);
    a.secret_name = Some("x\ny".into());
    let err = run_quiet(&a, SystemTime::now()).unwrap_err();
    assert!(
        matches!(
            err,
            CertsError::InvalidName {
                flag: "--secret-name",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!dir.exists(), "nothing is created");
}
