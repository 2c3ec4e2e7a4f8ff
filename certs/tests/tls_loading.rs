//! Loading, checking and reloading serving certificates.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use eyelint_certs::tls::{self, CertWatcher, Reload, TlsError};
use rcgen::{date_time_ymd, CertificateParams, KeyPair};

struct Pair {
    cert: String,
    key: String,
}

fn pair_valid(from: (i32, u8, u8), to: (i32, u8, u8)) -> Pair {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.not_before = date_time_ymd(from.0, from.1, from.2);
    params.not_after = date_time_ymd(to.0, to.1, to.2);
    let cert = params.self_signed(&key).unwrap();
    Pair {
        cert: cert.pem(),
        key: key.serialize_pem(),
    }
}

fn good_pair() -> Pair {
    pair_valid((2020, 1, 1), (2090, 1, 1))
}

/// A fresh directory, removed when the value is dropped.
fn tempdir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("eyelint-certs-{name}-"))
        .tempdir()
        .unwrap()
}

fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p
}

#[test]
fn good_pair_loads_and_reports_validity() {
    let p = good_pair();
    let c = tls::from_pem(p.cert.as_bytes(), p.key.as_bytes(), SystemTime::now()).unwrap();
    assert_eq!(c.not_after, 3_786_912_000); // 2090-01-01T00:00:00Z
    assert_eq!(c.not_before, 1_577_836_800); // 2020-01-01T00:00:00Z
    assert_eq!(c.certified.cert.len(), 1);
}

#[test]
fn missing_file_is_a_read_error_naming_the_path() {
    let tmp = tempdir("missing");
    let dir = tmp.path();
    let key = write(dir, "tls.key", &good_pair().key);
    let err = tls::load_files(&dir.join("nope.crt"), &key, SystemTime::now()).unwrap_err();
    assert!(matches!(err, TlsError::Read { .. }), "{err:?}");
    assert!(err.to_string().contains("nope.crt"), "{err}");
}

#[test]
fn garbage_and_empty_pem_are_rejected() {
    let p = good_pair();
    let err = tls::from_pem(b"not a pem at all", p.key.as_bytes(), SystemTime::now()).unwrap_err();
    assert!(
        matches!(
            err,
            TlsError::NoPem {
                what: "CERTIFICATE",
                ..
            }
        ),
        "{err:?}"
    );

    let broken = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
    let err = tls::from_pem(broken.as_bytes(), p.key.as_bytes(), SystemTime::now()).unwrap_err();
    assert!(matches!(err, TlsError::BadPem { .. }), "{err:?}");
    // A truncated file (as a half-written rotation leaves it) is named in
    // words, not as a list of bytes.
    let cut = &p.cert[..p.cert.len() / 2];
    let err = tls::from_pem(cut.as_bytes(), p.key.as_bytes(), SystemTime::now()).unwrap_err();
    assert!(
        err.to_string()
            .contains("a section has no `-----END CERTIFICATE-----` line (a truncated file?)"),
        "{err}"
    );

    let err = tls::from_pem(p.cert.as_bytes(), b"", SystemTime::now()).unwrap_err();
    assert!(
        matches!(
            err,
            TlsError::NoPem {
                what: "PRIVATE KEY",
                ..
            }
        ),
        "{err:?}"
    );

    let not_x509 = "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n";
    let err = tls::from_pem(not_x509.as_bytes(), p.key.as_bytes(), SystemTime::now()).unwrap_err();
    assert!(matches!(err, TlsError::BadCertificate { .. }), "{err:?}");
}

#[test]
fn key_of_another_certificate_is_a_mismatch() {
    let a = good_pair();
    let b = good_pair();
    let err = tls::from_pem(a.cert.as_bytes(), b.key.as_bytes(), SystemTime::now()).unwrap_err();
    assert!(matches!(err, TlsError::KeyMismatch { .. }), "{err:?}");
    assert!(err.to_string().contains("does not match"), "{err}");
}

#[test]
fn expired_and_not_yet_valid_certificates_are_rejected() {
    let old = pair_valid((2000, 1, 1), (2001, 1, 1));
    let err =
        tls::from_pem(old.cert.as_bytes(), old.key.as_bytes(), SystemTime::now()).unwrap_err();
    assert!(
        matches!(
            err,
            TlsError::Expired {
                not_after: 978_307_200,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("2001-01-01T00:00:00Z"), "{err}");

    let future = pair_valid((2080, 1, 1), (2090, 1, 1));
    let err = tls::from_pem(
        future.cert.as_bytes(),
        future.key.as_bytes(),
        SystemTime::now(),
    )
    .unwrap_err();
    assert!(matches!(err, TlsError::NotYetValid { .. }), "{err:?}");
}

#[test]
fn server_config_offers_h2_and_http11() {
    let p = good_pair();
    let c = tls::from_pem(p.cert.as_bytes(), p.key.as_bytes(), SystemTime::now()).unwrap();
    let cfg = tls::server_config(tls::ReloadableResolver::new(c)).unwrap();
    assert_eq!(
        cfg.alpn_protocols,
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    );
}

/// Kubernetes mounts a Secret as `dir/tls.crt -> ..data/tls.crt`, with
/// `..data -> ..<timestamp>`; an update writes a new timestamped directory and
/// swaps the `..data` symlink.
#[test]
fn watcher_follows_a_secret_volume_symlink_swap_and_keeps_last_good() {
    let tmp = tempdir("watch");
    let dir = tmp.path();
    let install = |gen: &str, p: &Pair| {
        let g = dir.join(gen);
        std::fs::create_dir_all(&g).unwrap();
        write(&g, "tls.crt", &p.cert);
        write(&g, "tls.key", &p.key);
        let tmp = dir.join("..data_tmp");
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(gen, &tmp).unwrap();
        std::fs::rename(&tmp, dir.join("..data")).unwrap();
    };
    let first = good_pair();
    install("..gen1", &first);
    std::os::unix::fs::symlink("..data/tls.crt", dir.join("tls.crt")).unwrap();
    std::os::unix::fs::symlink("..data/tls.key", dir.join("tls.key")).unwrap();

    let now = SystemTime::now();
    let mut w = CertWatcher::start(&dir.join("tls.crt"), &dir.join("tls.key"), now).unwrap();
    let resolver = w.resolver();
    let served_first = resolver.current();
    assert!(matches!(w.poll(now), Reload::Unchanged));

    // A good rotation.
    let second = pair_valid((2021, 1, 1), (2089, 6, 1));
    install("..gen2", &second);
    match w.poll(now) {
        Reload::Reloaded(c) => assert_eq!(c.not_after, 3_768_422_400),
        other => panic!("expected a reload, got {other:?}"),
    }
    assert_eq!(resolver.not_after(), 3_768_422_400);
    assert_ne!(resolver.current().cert, served_first.cert);
    assert!(matches!(w.poll(now), Reload::Unchanged));

    // A bad rotation (mismatched key): rejected once, last good kept.
    let third = good_pair();
    let bad = Pair {
        cert: third.cert.clone(),
        key: first.key.clone(),
    };
    install("..gen3", &bad);
    assert!(matches!(
        w.poll(now),
        Reload::Failed(TlsError::KeyMismatch { .. })
    ));
    assert!(matches!(w.poll(now), Reload::Unchanged));
    assert_eq!(resolver.not_after(), 3_768_422_400);

    // An expired one: rejected.
    let expired = pair_valid((2000, 1, 1), (2001, 1, 1));
    install("..gen4", &expired);
    assert!(matches!(
        w.poll(now),
        Reload::Failed(TlsError::Expired { .. })
    ));

    // Recovery.
    install("..gen5", &third);
    assert!(matches!(
        w.poll(now + Duration::from_secs(1)),
        Reload::Reloaded(_)
    ));
    assert_eq!(
        resolver.current().cert,
        tls::from_pem(third.cert.as_bytes(), third.key.as_bytes(), now)
            .unwrap()
            .certified
            .cert
    );
}
