//! Serving certificates for rustls: load a PEM chain and key, check that they
//! belong together and are valid now, and serve them through a resolver that
//! can be swapped while the server runs (certificate rotation without a
//! restart).
//!
//! Nothing here spawns threads or needs an async runtime: a front end calls
//! [`CertWatcher::poll`] on its own schedule.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;

/// Why a certificate or key could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A file could not be read (missing, unreadable).
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A file holds no PEM block of the expected type.
    #[error("{} holds no {what} PEM block", path.display())]
    NoPem {
        /// The file.
        path: PathBuf,
        /// `CERTIFICATE` or `PRIVATE KEY`.
        what: &'static str,
    },
    /// A PEM block is malformed.
    #[error("{} is not valid PEM: {message}", path.display())]
    BadPem {
        /// The file.
        path: PathBuf,
        /// What the PEM parser said.
        message: String,
    },
    /// The leaf certificate is not a parsable X.509 certificate.
    #[error("{}: the first certificate is not valid X.509: {message}", path.display())]
    BadCertificate {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        message: String,
    },
    /// The private key is of a type or format the crypto provider does not support.
    #[error("{}: unsupported private key: {source}", path.display())]
    BadKey {
        /// The key file.
        path: PathBuf,
        /// The provider's error.
        #[source]
        source: rustls::Error,
    },
    /// The private key does not belong to the leaf certificate.
    #[error("the private key in {} does not match the certificate in {}", key.display(), cert.display())]
    KeyMismatch {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
    },
    /// The leaf certificate has expired.
    #[error("{}: certificate expired at {} (unix time {not_after})", path.display(), Utc(*not_after))]
    Expired {
        /// The certificate file.
        path: PathBuf,
        /// notAfter, seconds since the Unix epoch.
        not_after: i64,
    },
    /// The leaf certificate is not valid yet.
    #[error("{}: certificate not valid before {} (unix time {not_before})", path.display(), Utc(*not_before))]
    NotYetValid {
        /// The certificate file.
        path: PathBuf,
        /// notBefore, seconds since the Unix epoch.
        not_before: i64,
    },
    /// The private key is encrypted; the webhook has no passphrase to open it.
    #[error("{} is an encrypted private key ({}); eyelint-webhook needs it unencrypted: decrypt it with `{}`", path.display(), form.describe(), form.decrypt_command(path))]
    EncryptedKey {
        /// The key file.
        path: PathBuf,
        /// How the encryption shows.
        form: EncryptedForm,
    },
    /// The file is DER (binary ASN.1), not PEM text.
    #[error("{} is DER (binary), not PEM; convert it with `{}`", path.display(), expected.der_to_pem_command(path))]
    Der {
        /// The file.
        path: PathBuf,
        /// What the file was expected to hold.
        expected: Expected,
    },
    /// The file is a PKCS#12 (`.p12`/`.pfx`) bundle, not PEM text.
    #[error("{} is a PKCS#12 bundle (binary), not PEM; extract the certificate with `openssl pkcs12 -in {} -clcerts -nokeys -out tls.crt` and the key with `openssl pkcs12 -in {} -nocerts -nodes -out tls.key`", path.display(), path.display(), path.display())]
    Pkcs12 {
        /// The file.
        path: PathBuf,
    },
    /// The file holds binary data that is neither PEM nor a DER structure.
    #[error("{} is binary, not PEM: expected text with a `-----BEGIN {}-----` block", path.display(), expected.pem_label())]
    Binary {
        /// The file.
        path: PathBuf,
        /// What the file was expected to hold.
        expected: Expected,
    },
    /// rustls rejected the protocol configuration.
    #[error("TLS configuration: {0}")]
    Config(#[source] rustls::Error),
}

/// What a certificate or key file was expected to hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Expected {
    /// The certificate chain.
    Certificate,
    /// The private key.
    PrivateKey,
}

impl Expected {
    fn pem_label(self) -> &'static str {
        match self {
            Expected::Certificate => "CERTIFICATE",
            Expected::PrivateKey => "PRIVATE KEY",
        }
    }

    fn der_to_pem_command(self, path: &Path) -> String {
        let tool = match self {
            Expected::Certificate => "x509",
            Expected::PrivateKey => "pkey",
        };
        let p = path.display();
        format!("openssl {tool} -inform der -in {p} -out {p}.pem")
    }
}

/// How an encrypted private key was recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncryptedForm {
    /// A PKCS#8 `ENCRYPTED PRIVATE KEY` PEM block.
    Pkcs8Pem,
    /// A traditional PEM key block (`RSA PRIVATE KEY`, `EC PRIVATE KEY`, …)
    /// with `Proc-Type: 4,ENCRYPTED` and `DEK-Info` headers.
    TraditionalPem,
    /// A DER PKCS#8 `EncryptedPrivateKeyInfo`.
    Pkcs8Der,
}

impl EncryptedForm {
    fn describe(self) -> &'static str {
        match self {
            EncryptedForm::Pkcs8Pem => "an `ENCRYPTED PRIVATE KEY` PEM block",
            EncryptedForm::TraditionalPem => "a PEM block with a `Proc-Type: 4,ENCRYPTED` header",
            EncryptedForm::Pkcs8Der => "PKCS#8 in DER, binary",
        }
    }

    fn decrypt_command(self, path: &Path) -> String {
        let p = path.display();
        match self {
            EncryptedForm::Pkcs8Der => format!("openssl pkey -inform der -in {p} -out {p}.pem"),
            EncryptedForm::Pkcs8Pem | EncryptedForm::TraditionalPem => {
                format!("openssl pkey -in {p} -out {p}.decrypted")
            }
        }
    }
}

/// A loaded, checked serving certificate.
#[derive(Clone, Debug)]
pub struct ServingCert {
    /// The chain and signing key, ready for rustls.
    pub certified: Arc<CertifiedKey>,
    /// The leaf's notBefore, seconds since the Unix epoch.
    pub not_before: i64,
    /// The leaf's notAfter, seconds since the Unix epoch.
    pub not_after: i64,
    /// The leaf's subject, as text (for logs).
    pub subject: String,
}

/// The crypto provider eyelint uses: ring.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Loads a PEM certificate chain (leaf first) and a PEM private key (PKCS#8,
/// PKCS#1 or SEC1) from files, and checks that they match and that the leaf
/// is valid at `now`. A file that is not usable PEM is named for what it is
/// when that can be told: an encrypted key, DER, PKCS#12, other binary.
pub fn load_files(
    cert_path: &Path,
    key_path: &Path,
    now: SystemTime,
) -> Result<ServingCert, TlsError> {
    let cert_pem = read(cert_path)?;
    let key_pem = read(key_path)?;
    build(&cert_pem, cert_path, &key_pem, key_path, now)
}

/// Like [`load_files`], from PEM bytes already in memory.
pub fn from_pem(cert_pem: &[u8], key_pem: &[u8], now: SystemTime) -> Result<ServingCert, TlsError> {
    build(
        cert_pem,
        Path::new("<certificate PEM>"),
        key_pem,
        Path::new("<key PEM>"),
        now,
    )
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    fs::read(path).map_err(|source| TlsError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn pem_error(path: &Path, e: pem::Error) -> TlsError {
    // The PEM reader's messages show a marker as a list of bytes.
    let text = |b: &[u8]| String::from_utf8_lossy(b).trim().to_string();
    let message = match &e {
        pem::Error::MissingSectionEnd { end_marker } => format!(
            "a section has no `-----END {}-----` line (a truncated file?)",
            text(end_marker)
        ),
        pem::Error::IllegalSectionStart { line } => {
            format!("malformed `-----BEGIN` line: `{}`", text(line))
        }
        other => other.to_string(),
    };
    TlsError::BadPem {
        path: path.to_path_buf(),
        message,
    }
}

/// The tag, header length and content length of the DER element at the start
/// of `b`, when its header is well formed and its content fits in `b`.
fn der_element(b: &[u8]) -> Option<(u8, usize, usize)> {
    let (&tag, rest) = b.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (header, len) = if first < 0x80 {
        (2, usize::from(first))
    } else {
        // Long form: 1 to 4 length bytes (0x80, the indefinite form, is not DER).
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let bytes = rest.get(..n)?;
        let len = bytes
            .iter()
            .fold(0usize, |acc, &x| (acc << 8) | usize::from(x));
        (2 + n, len)
    };
    if header.checked_add(len)? > b.len() {
        return None;
    }
    Some((tag, header, len))
}

/// What a file without PEM armour holds, judged by its DER structure.
#[derive(Debug, PartialEq, Eq)]
enum DerShape {
    /// `SEQUENCE { INTEGER 3, … }`: a PKCS#12 PFX.
    Pkcs12,
    /// `SEQUENCE { SEQUENCE { OBJECT IDENTIFIER, … }, … }`: a PKCS#8
    /// `EncryptedPrivateKeyInfo` (a certificate's first element is its
    /// `tbsCertificate`, which does not start with an OID).
    EncryptedPkcs8,
    /// Any other SEQUENCE: a certificate or an unencrypted key.
    Other,
}

/// The shape of `b` when it is a DER SEQUENCE: first byte 0x30 with a
/// length that fits, binary content (0x30 is also the digit '0') and no
/// PEM armour.
fn der_shape(b: &[u8]) -> Option<DerShape> {
    if b.first() != Some(&0x30) || !is_binary(b) || contains(b, b"-----BEGIN ") {
        return None;
    }
    let (_, header, len) = der_element(b)?;
    let content = b.get(header..header + len)?;
    let shape = match der_element(content) {
        Some((0x02, h, 1)) if content.get(h) == Some(&3) => DerShape::Pkcs12,
        Some((0x30, h, l)) if l > 0 && content.get(h) == Some(&0x06) => DerShape::EncryptedPkcs8,
        _ => DerShape::Other,
    };
    Some(shape)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// True when `b` is not text: invalid UTF-8, or control characters other
/// than tab, line feed, carriage return and form feed.
fn is_binary(b: &[u8]) -> bool {
    match std::str::from_utf8(b) {
        Err(_) => true,
        Ok(s) => s
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c')),
    }
}

/// The form of the first encrypted private key among the PEM blocks of `b`.
fn encrypted_pem_key(b: &[u8]) -> Option<EncryptedForm> {
    let text = String::from_utf8_lossy(b);
    let mut in_key_block = false;
    for line in text.lines() {
        let line = line.trim();
        if let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        {
            if label == "ENCRYPTED PRIVATE KEY" {
                return Some(EncryptedForm::Pkcs8Pem);
            }
            in_key_block = label.ends_with("PRIVATE KEY");
        } else if line.starts_with("-----END ") {
            in_key_block = false;
        } else if in_key_block {
            if let Some(value) = line.strip_prefix("Proc-Type:") {
                if value.contains("ENCRYPTED") {
                    return Some(EncryptedForm::TraditionalPem);
                }
            }
        }
    }
    None
}

/// A clearer error than the PEM reader's for a file that is not usable
/// PEM: an encrypted key, DER, PKCS#12 or other binary content.
fn diagnose(bytes: &[u8], path: &Path, expected: Expected) -> Option<TlsError> {
    let path = path.to_path_buf();
    if expected == Expected::PrivateKey {
        if let Some(form) = encrypted_pem_key(bytes) {
            return Some(TlsError::EncryptedKey { path, form });
        }
    }
    match der_shape(bytes) {
        Some(DerShape::Pkcs12) => return Some(TlsError::Pkcs12 { path }),
        Some(DerShape::EncryptedPkcs8) if expected == Expected::PrivateKey => {
            return Some(TlsError::EncryptedKey {
                path,
                form: EncryptedForm::Pkcs8Der,
            })
        }
        Some(_) => return Some(TlsError::Der { path, expected }),
        None => {}
    }
    if is_binary(bytes) {
        return Some(TlsError::Binary { path, expected });
    }
    None
}

fn build(
    cert_pem: &[u8],
    cert_path: &Path,
    key_pem: &[u8],
    key_path: &Path,
    now: SystemTime,
) -> Result<ServingCert, TlsError> {
    let chain = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            diagnose(cert_pem, cert_path, Expected::Certificate)
                .unwrap_or_else(|| pem_error(cert_path, e))
        })?;
    let Some(leaf) = chain.first() else {
        return Err(
            diagnose(cert_pem, cert_path, Expected::Certificate).unwrap_or_else(|| {
                TlsError::NoPem {
                    path: cert_path.to_path_buf(),
                    what: "CERTIFICATE",
                }
            }),
        );
    };
    let key = match PrivateKeyDer::from_pem_slice(key_pem) {
        Ok(k) => k,
        Err(e) => {
            return Err(
                diagnose(key_pem, key_path, Expected::PrivateKey).unwrap_or_else(|| match e {
                    pem::Error::NoItemsFound => TlsError::NoPem {
                        path: key_path.to_path_buf(),
                        what: "PRIVATE KEY",
                    },
                    e => pem_error(key_path, e),
                }),
            )
        }
    };

    let (_, parsed) = x509_parser::parse_x509_certificate(leaf.as_ref()).map_err(|e| {
        TlsError::BadCertificate {
            path: cert_path.to_path_buf(),
            message: e.to_string(),
        }
    })?;
    let not_before = parsed.validity().not_before.timestamp();
    let not_after = parsed.validity().not_after.timestamp();
    let subject = parsed.subject().to_string();

    let provider = provider();
    let signing = provider
        .key_provider
        .load_private_key(key)
        .map_err(|source| TlsError::BadKey {
            path: key_path.to_path_buf(),
            source,
        })?;
    let certified = CertifiedKey::new(chain, signing);
    match certified.keys_match() {
        Ok(()) => {}
        // The provider cannot derive the public key: nothing to compare.
        Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => {}
        Err(rustls::Error::InconsistentKeys(_)) => {
            return Err(TlsError::KeyMismatch {
                cert: cert_path.to_path_buf(),
                key: key_path.to_path_buf(),
            })
        }
        Err(e) => {
            return Err(TlsError::BadCertificate {
                path: cert_path.to_path_buf(),
                message: e.to_string(),
            })
        }
    }

    let now = unix_seconds(now);
    if now > not_after {
        return Err(TlsError::Expired {
            path: cert_path.to_path_buf(),
            not_after,
        });
    }
    if now < not_before {
        return Err(TlsError::NotYetValid {
            path: cert_path.to_path_buf(),
            not_before,
        });
    }
    Ok(ServingCert {
        certified: Arc::new(certified),
        not_before,
        not_after,
        subject,
    })
}

/// Seconds since the Unix epoch (negative before it).
pub fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// A server-certificate resolver whose certificate can be replaced while
/// connections are being served: handshakes in progress keep the key they
/// started with, new handshakes get the new one.
pub struct ReloadableResolver {
    current: RwLock<Arc<CertifiedKey>>,
    not_after: AtomicI64,
}

impl fmt::Debug for ReloadableResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReloadableResolver")
            .field("not_after", &self.not_after())
            .finish()
    }
}

impl ReloadableResolver {
    /// A resolver serving `cert`.
    pub fn new(cert: ServingCert) -> Arc<Self> {
        Arc::new(ReloadableResolver {
            current: RwLock::new(cert.certified),
            not_after: AtomicI64::new(cert.not_after),
        })
    }

    /// Serves `cert` from now on.
    pub fn replace(&self, cert: ServingCert) {
        let mut slot = match self.current.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        *slot = cert.certified;
        self.not_after.store(cert.not_after, Ordering::Relaxed);
    }

    /// The certificate being served.
    pub fn current(&self) -> Arc<CertifiedKey> {
        match self.current.read() {
            Ok(g) => Arc::clone(&g),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// notAfter of the certificate being served, seconds since the Unix epoch.
    pub fn not_after(&self) -> i64 {
        self.not_after.load(Ordering::Relaxed)
    }
}

impl ResolvesServerCert for ReloadableResolver {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current())
    }
}

/// A rustls server configuration: ring, TLS 1.3 and 1.2 only, no client
/// authentication, ALPN `h2` and `http/1.1`, certificates from `resolver`.
pub fn server_config(resolver: Arc<dyn ResolvesServerCert>) -> Result<ServerConfig, TlsError> {
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(TlsError::Config)?
        .with_no_client_auth()
        .with_cert_resolver(resolver);
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// What one [`CertWatcher::poll`] found.
#[derive(Debug)]
pub enum Reload {
    /// Neither file changed since the last poll.
    Unchanged,
    /// The files changed and the new certificate is now served.
    Reloaded(ServingCert),
    /// The files changed but the new content is unusable; the previous
    /// certificate keeps being served. Reported once per distinct content.
    Failed(TlsError),
}

/// Watches a certificate and key file by content, so Kubernetes Secret
/// volume updates (an atomic swap of the `..data` symlink) are seen like any
/// in-place rewrite, and installs new certificates into a resolver.
#[derive(Debug)]
pub struct CertWatcher {
    cert_path: PathBuf,
    key_path: PathBuf,
    resolver: Arc<ReloadableResolver>,
    last_seen: Snapshot,
}

#[derive(Debug, PartialEq, Eq)]
struct Snapshot {
    cert: Result<Vec<u8>, io::ErrorKind>,
    key: Result<Vec<u8>, io::ErrorKind>,
}

impl Snapshot {
    fn take(cert: &Path, key: &Path) -> Snapshot {
        Snapshot {
            cert: fs::read(cert).map_err(|e| e.kind()),
            key: fs::read(key).map_err(|e| e.kind()),
        }
    }
}

impl CertWatcher {
    /// Loads the files, checks them at `now`, and returns a watcher with the
    /// resolver serving them.
    pub fn start(
        cert_path: &Path,
        key_path: &Path,
        now: SystemTime,
    ) -> Result<CertWatcher, TlsError> {
        let last_seen = Snapshot::take(cert_path, key_path);
        let cert = load_files(cert_path, key_path, now)?;
        Ok(CertWatcher {
            cert_path: cert_path.to_path_buf(),
            key_path: key_path.to_path_buf(),
            resolver: ReloadableResolver::new(cert),
            last_seen,
        })
    }

    /// The resolver to give rustls.
    pub fn resolver(&self) -> Arc<ReloadableResolver> {
        Arc::clone(&self.resolver)
    }

    /// Re-reads both files; when their content differs from the last poll,
    /// loads and checks them and, if good, serves them.
    pub fn poll(&mut self, now: SystemTime) -> Reload {
        let snap = Snapshot::take(&self.cert_path, &self.key_path);
        if snap == self.last_seen {
            return Reload::Unchanged;
        }
        self.last_seen = snap;
        let result = match (&self.last_seen.cert, &self.last_seen.key) {
            (Ok(c), Ok(k)) => build(c, &self.cert_path, k, &self.key_path, now),
            // Re-read for a precise error message.
            _ => load_files(&self.cert_path, &self.key_path, now),
        };
        match result {
            Ok(cert) => {
                self.resolver.replace(cert.clone());
                Reload::Reloaded(cert)
            }
            Err(e) => Reload::Failed(e),
        }
    }
}

/// Formats Unix seconds as an RFC 3339 UTC time.
struct Utc(i64);

impl fmt::Display for Utc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match time::OffsetDateTime::from_unix_timestamp(self.0) {
            Ok(t) => write!(
                f,
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
            // Beyond the years `time` represents (±9999): the raw count.
            Err(_) => write!(f, "{} seconds since 1970", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_formatting() {
        assert_eq!(Utc(0).to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(Utc(951_782_400).to_string(), "2000-02-29T00:00:00Z");
        assert_eq!(Utc(1_700_000_000).to_string(), "2023-11-14T22:13:20Z");
        assert_eq!(Utc(-1).to_string(), "1969-12-31T23:59:59Z");
        assert_eq!(Utc(253_402_300_799).to_string(), "9999-12-31T23:59:59Z");
    }

    #[test]
    fn der_headers() {
        // Short form, long form, and lengths that do not fit.
        assert_eq!(der_element(&[0x30, 0x00]), Some((0x30, 2, 0)));
        assert_eq!(der_element(&[0x04, 0x02, 1, 2]), Some((0x04, 2, 2)));
        assert_eq!(der_element(&[0x04, 0x03, 1, 2]), None);
        let mut long = vec![0x30, 0x82, 0x01, 0x00];
        long.resize(4 + 256, 0);
        assert_eq!(der_element(&long), Some((0x30, 4, 256)));
        assert_eq!(der_element(&long[..long.len() - 1]), None);
        // Indefinite length and more than four length bytes are not DER.
        assert_eq!(der_element(&[0x30, 0x80, 0x00, 0x00]), None);
        assert_eq!(der_element(&[0x30, 0x85, 0, 0, 0, 0, 0]), None);
        assert_eq!(der_element(&[0x30]), None);
        assert_eq!(der_element(&[]), None);
    }

    #[test]
    fn der_shapes() {
        assert_eq!(
            der_shape(&[0x30, 0x05, 0x02, 0x01, 0x03, 0x30, 0x00]),
            Some(DerShape::Pkcs12)
        );
        // An unencrypted PKCS#8 key starts with INTEGER 0.
        assert_eq!(
            der_shape(&[0x30, 0x05, 0x02, 0x01, 0x00, 0x30, 0x00]),
            Some(DerShape::Other)
        );
        assert_eq!(
            der_shape(&[0x30, 0x07, 0x30, 0x03, 0x06, 0x01, 0x2a, 0x04, 0x00]),
            Some(DerShape::EncryptedPkcs8)
        );
        // Text starting with '0' (0x30, here followed by a fitting length): not DER.
        assert_eq!(der_shape(b"0\nplain text\n"), None);
        // PEM armour anywhere: not DER.
        let mut armoured = vec![0x30, 0x0d, 0x00];
        armoured.extend_from_slice(b"-----BEGIN X");
        assert_eq!(der_shape(&armoured), None);
        assert_eq!(der_shape(b"-----BEGIN CERTIFICATE-----\n"), None);
    }

    #[test]
    fn binary_and_text() {
        assert!(!is_binary(b"plain\ttext\r\n\x0c"));
        assert!(!is_binary("caf\u{e9}".as_bytes()));
        assert!(is_binary(b"a\x00b"));
        assert!(is_binary(&[0xff, 0xfe]));
    }

    #[test]
    fn encrypted_pem_forms() {
        let legacy = "-----BEGIN RSA PRIVATE KEY-----\r\nProc-Type: 4,ENCRYPTED\r\nDEK-Info: DES-EDE3-CBC,00\r\n\r\nAAAA\r\n-----END RSA PRIVATE KEY-----\r\n";
        assert_eq!(
            encrypted_pem_key(legacy.as_bytes()),
            Some(EncryptedForm::TraditionalPem)
        );
        let pkcs8 =
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
        assert_eq!(
            encrypted_pem_key(pkcs8.as_bytes()),
            Some(EncryptedForm::Pkcs8Pem)
        );
        // A Proc-Type line outside a key block, or not saying ENCRYPTED.
        let other = "Proc-Type: 4,ENCRYPTED\n-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,MIC-ONLY\nAAAA\n-----END EC PRIVATE KEY-----\n";
        assert_eq!(encrypted_pem_key(other.as_bytes()), None);
    }
}
