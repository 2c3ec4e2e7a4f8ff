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

/// PEM armour around `der`, as `openssl ... -outform pem` writes it.
fn armour(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// What `openssl ec -aes256` writes: a traditional key block whose headers
/// say it is encrypted (the body is not decryptable; only the form matters).
fn traditional_encrypted_key() -> String {
    let body = armour("EC PRIVATE KEY", &[0x5a; 128]);
    body.replacen(
        "-----\n",
        "-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,0F1E2D3C4B5A69788796A5B4C3D2E1F0\n\n",
        1,
    )
}

/// A DER PKCS#8 `EncryptedPrivateKeyInfo`: SEQUENCE { SEQUENCE { OID
/// pbes2, SEQUENCE {} }, OCTET STRING }.
fn encrypted_pkcs8_der() -> Vec<u8> {
    let oid = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d,
    ];
    let mut alg = vec![0x30, (oid.len() + 2) as u8];
    alg.extend_from_slice(&oid);
    alg.extend_from_slice(&[0x30, 0x00]);
    let mut body = alg;
    body.extend_from_slice(&[0x04, 0x10]);
    body.extend_from_slice(&[0xa5; 16]);
    let mut der = vec![0x30, body.len() as u8];
    der.extend_from_slice(&body);
    der
}

#[test]
fn encrypted_keys_say_so_and_how_to_decrypt() {
    let tmp = tempdir("encrypted");
    let dir = tmp.path();
    let p = good_pair();
    let cert = write(dir, "tls.crt", &p.cert);
    let now = SystemTime::now();

    let legacy = write(dir, "enc.key", &traditional_encrypted_key());
    let err = tls::load_files(&cert, &legacy, now).unwrap_err();
    assert!(
        matches!(
            err,
            TlsError::EncryptedKey {
                form: tls::EncryptedForm::TraditionalPem,
                ..
            }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    let shown = legacy.display().to_string();
    assert!(
        text.starts_with(&format!("{shown} is an encrypted private key")),
        "{text}"
    );
    assert!(text.contains("needs it unencrypted"), "{text}");
    assert!(
        text.contains(&format!(
            "`openssl pkey -in {shown} -out {shown}.decrypted`"
        )),
        "{text}"
    );
    assert!(!text.contains("base64"), "{text}");

    let pkcs8 = armour("ENCRYPTED PRIVATE KEY", &encrypted_pkcs8_der());
    let pkcs8 = write(dir, "key.pem", &pkcs8);
    let err = tls::load_files(&cert, &pkcs8, now).unwrap_err();
    assert!(
        matches!(
            err,
            TlsError::EncryptedKey {
                form: tls::EncryptedForm::Pkcs8Pem,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("is an encrypted private key (an `ENCRYPTED PRIVATE KEY` PEM block)"),
        "{err}"
    );

    let der = dir.join("key.der");
    std::fs::write(&der, encrypted_pkcs8_der()).unwrap();
    let err = tls::load_files(&cert, &der, now).unwrap_err();
    assert!(
        matches!(
            err,
            TlsError::EncryptedKey {
                form: tls::EncryptedForm::Pkcs8Der,
                ..
            }
        ),
        "{err:?}"
    );
    let shown = der.display().to_string();
    assert!(
        err.to_string().contains(&format!(
            "`openssl pkey -inform der -in {shown} -out {shown}.pem`"
        )),
        "{err}"
    );
}

#[test]
fn der_files_say_so_and_how_to_convert() {
    let tmp = tempdir("der");
    let dir = tmp.path();
    let key = KeyPair::generate().unwrap();
    let params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    let cert = params.self_signed(&key).unwrap();
    let cert_pem = write(dir, "tls.crt", &cert.pem());
    let key_pem = write(dir, "tls.key", &key.serialize_pem());
    let cert_der = dir.join("tls.crt.der");
    let key_der = dir.join("tls.key.der");
    std::fs::write(&cert_der, cert.der()).unwrap();
    std::fs::write(&key_der, key.serialize_der()).unwrap();
    let now = SystemTime::now();

    let err = tls::load_files(&cert_der, &key_pem, now).unwrap_err();
    assert!(
        matches!(
            err,
            TlsError::Der {
                expected: tls::Expected::Certificate,
                ..
            }
        ),
        "{err:?}"
    );
    let shown = cert_der.display().to_string();
    assert_eq!(
        err.to_string(),
        format!("{shown} is DER (binary), not PEM; convert it with `openssl x509 -inform der -in {shown} -out {shown}.pem`")
    );

    let err = tls::load_files(&cert_pem, &key_der, now).unwrap_err();
    assert!(
        matches!(
            err,
            TlsError::Der {
                expected: tls::Expected::PrivateKey,
                ..
            }
        ),
        "{err:?}"
    );
    let shown = key_der.display().to_string();
    assert!(
        err.to_string().contains(&format!(
            "`openssl pkey -inform der -in {shown} -out {shown}.pem`"
        )),
        "{err}"
    );

    // The same bytes with PEM armour (what the conversion writes) load.
    let c = armour("CERTIFICATE", cert.der());
    let k = armour("PRIVATE KEY", &key.serialize_der());
    assert!(tls::from_pem(c.as_bytes(), k.as_bytes(), now).is_ok());
}

#[test]
fn pkcs12_and_other_binary_files_are_named() {
    let p = good_pair();
    let now = SystemTime::now();
    // SEQUENCE { INTEGER 3, SEQUENCE {} }: the start of a PKCS#12 PFX.
    let pfx = [0x30, 0x05, 0x02, 0x01, 0x03, 0x30, 0x00];
    for (cert, key) in [(&pfx[..], p.key.as_bytes()), (p.cert.as_bytes(), &pfx[..])] {
        let err = tls::from_pem(cert, key, now).unwrap_err();
        assert!(matches!(err, TlsError::Pkcs12 { .. }), "{err:?}");
        assert!(err.to_string().contains("-clcerts -nokeys"), "{err}");
    }
    // Binary that is no DER SEQUENCE.
    let err = tls::from_pem(&[0xff, 0x00, 0x13, 0x37], p.key.as_bytes(), now).unwrap_err();
    assert!(
        matches!(
            err,
            TlsError::Binary {
                expected: tls::Expected::Certificate,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(
            "is binary, not PEM: expected text with a `-----BEGIN CERTIFICATE-----` block"
        ),
        "{err}"
    );
    // A 0x30 first byte whose length does not fit is not taken for DER.
    let err = tls::from_pem(p.cert.as_bytes(), &[0x30, 0x82, 0xff, 0xff, 0x00], now).unwrap_err();
    assert!(
        matches!(
            err,
            TlsError::Binary {
                expected: tls::Expected::PrivateKey,
                ..
            }
        ),
        "{err:?}"
    );
    // Text without PEM blocks keeps its message, even when it starts with '0'.
    let err = tls::from_pem(b"0\nplain text\n", p.key.as_bytes(), now).unwrap_err();
    assert!(matches!(err, TlsError::NoPem { .. }), "{err:?}");
}

/// A rotation to an encrypted key is refused with the same message, and the
/// previous certificate keeps being served.
#[test]
fn watcher_refuses_an_encrypted_key_and_keeps_the_old_one() {
    let tmp = tempdir("watch-encrypted");
    let dir = tmp.path();
    let first = good_pair();
    let cert = write(dir, "tls.crt", &first.cert);
    let key = write(dir, "tls.key", &first.key);
    let now = SystemTime::now();
    let mut w = CertWatcher::start(&cert, &key, now).unwrap();
    let resolver = w.resolver();
    let served = resolver.current().cert.clone();

    let second = good_pair();
    write(dir, "tls.crt", &second.cert);
    write(dir, "tls.key", &traditional_encrypted_key());
    match w.poll(now) {
        Reload::Failed(e @ TlsError::EncryptedKey { .. }) => {
            assert!(e.to_string().contains("is an encrypted private key"), "{e}")
        }
        other => panic!("expected an encrypted-key failure, got {other:?}"),
    }
    assert_eq!(resolver.current().cert, served);
    assert!(matches!(w.poll(now), Reload::Unchanged));
}
