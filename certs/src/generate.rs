//! Certificate generation for the webhook: a private CA and a serving
//! certificate for a Kubernetes Service (rcgen, ECDSA P-256 by default).

use std::time::{Duration, SystemTime};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SignatureAlgorithm,
};
use time::OffsetDateTime;

/// Key algorithms offered for new keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum KeyAlgorithm {
    /// ECDSA on P-256 with SHA-256 (default: small, fast, universally supported).
    EcdsaP256,
    /// ECDSA on P-384 with SHA-384.
    EcdsaP384,
    /// Ed25519 (not accepted by every client).
    Ed25519,
}

impl KeyAlgorithm {
    fn rcgen(self) -> &'static SignatureAlgorithm {
        match self {
            KeyAlgorithm::EcdsaP256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            KeyAlgorithm::EcdsaP384 => &rcgen::PKCS_ECDSA_P384_SHA384,
            KeyAlgorithm::Ed25519 => &rcgen::PKCS_ED25519,
        }
    }
}

/// Why a certificate could not be generated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    /// rcgen refused the parameters or the key.
    #[error("certificate generation failed: {0}")]
    Rcgen(#[from] rcgen::Error),
    /// The existing CA certificate or key cannot be used.
    #[error("the existing CA cannot be used: {0}")]
    BadCa(String),
    /// A validity period is out of range.
    #[error("invalid validity period of {0} days")]
    BadDays(u32),
    /// The CA has expired.
    #[error("the CA expired on {0}: make a new CA (--force, then install its caBundle again)")]
    CaExpired(String),
    /// The CA would expire before the serving certificate it signs.
    #[error("the CA expires on {ca_not_after}, before a serving certificate valid {days} days would: issue it for fewer days (--days), or make a new CA (--force, then install its caBundle again)")]
    OutlivesCa {
        /// The serving certificate's requested validity.
        days: u32,
        /// When the CA expires.
        ca_not_after: String,
    },
}

/// PEM-encoded certificate and private key.
#[derive(Clone, Debug)]
pub struct PemPair {
    /// The certificate.
    pub cert_pem: String,
    /// The PKCS#8 private key.
    pub key_pem: String,
}

/// The DNS names a serving certificate for Service `service` in `namespace`
/// must cover: `NAME`, `NAME.NS`, `NAME.NS.svc`, `NAME.NS.svc.cluster.local`.
pub fn service_dns_names(service: &str, namespace: &str) -> Vec<String> {
    vec![
        service.to_string(),
        format!("{service}.{namespace}"),
        format!("{service}.{namespace}.svc"),
        format!("{service}.{namespace}.svc.cluster.local"),
    ]
}

fn validity(now: SystemTime, days: u32) -> Result<(OffsetDateTime, OffsetDateTime), GenerateError> {
    if days == 0 || days > 36_500 {
        return Err(GenerateError::BadDays(days));
    }
    // Back-date by an hour so small clock skew between machines does not
    // make a fresh certificate "not yet valid".
    let start = now
        .checked_sub(Duration::from_secs(3600))
        .ok_or(GenerateError::BadDays(days))?;
    let end = now
        .checked_add(Duration::from_secs(u64::from(days) * 86_400))
        .ok_or(GenerateError::BadDays(days))?;
    Ok((OffsetDateTime::from(start), OffsetDateTime::from(end)))
}

/// Creates a self-signed CA valid for `days` days.
pub fn generate_ca(
    common_name: &str,
    days: u32,
    alg: KeyAlgorithm,
    now: SystemTime,
) -> Result<PemPair, GenerateError> {
    let key = KeyPair::generate_for(alg.rcgen())?;
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn.push(DnType::OrganizationName, "eyelint");
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    (params.not_before, params.not_after) = validity(now, days)?;
    let cert = params.self_signed(&key)?;
    Ok(PemPair {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    })
}

fn parse_pem_cert(pem: &str) -> Result<x509_parser::pem::Pem, String> {
    let (_, block) = x509_parser::pem::parse_x509_pem(pem.as_bytes())
        .map_err(|e| format!("not a PEM certificate: {e}"))?;
    Ok(block)
}

/// Whether `key_pem` is the private key of the certificate whose public key
/// bits are `public_key`.
fn key_matches(key_pem: &str, public_key: &[u8]) -> Result<bool, String> {
    use rcgen::PublicKeyData as _;
    let key = KeyPair::from_pem(key_pem).map_err(|e| format!("not a private key: {e}"))?;
    Ok(key.der_bytes() == public_key)
}

/// When a CA expires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaExpiry {
    /// `notAfter`, Unix seconds.
    pub not_after: i64,
    /// `notAfter` as shown to people.
    pub shown: String,
}

/// Checks that `ca` can sign: its certificate is a CA's and its key is the
/// certificate's. Returns when the CA expires.
pub fn check_ca(ca: &PemPair) -> Result<CaExpiry, GenerateError> {
    let block =
        parse_pem_cert(&ca.cert_pem).map_err(|e| GenerateError::BadCa(format!("ca.crt: {e}")))?;
    let cert = block
        .parse_x509()
        .map_err(|e| GenerateError::BadCa(format!("ca.crt: not an X.509 certificate: {e}")))?;
    if !cert.is_ca() {
        return Err(GenerateError::BadCa(
            "ca.crt is not a CA certificate".to_string(),
        ));
    }
    match key_matches(&ca.key_pem, &cert.public_key().subject_public_key.data) {
        Ok(true) => Ok(CaExpiry {
            not_after: cert.validity().not_after.timestamp(),
            shown: cert.validity().not_after.to_string(),
        }),
        Ok(false) => Err(GenerateError::BadCa(
            "ca.key is not the key of ca.crt".to_string(),
        )),
        Err(e) => Err(GenerateError::BadCa(format!("ca.key: {e}"))),
    }
}

/// Why an existing serving certificate `leaf` does not do for `dns_names`
/// under `ca`, if it does not: its key is not its certificate's, it was not
/// signed by the CA, or it names other hosts.
pub fn serving_mismatch(ca: &PemPair, leaf: &PemPair, dns_names: &[String]) -> Option<String> {
    let leaf_block = match parse_pem_cert(&leaf.cert_pem) {
        Ok(b) => b,
        Err(e) => return Some(format!("tls.crt: {e}")),
    };
    let Ok(cert) = leaf_block.parse_x509() else {
        return Some("tls.crt is not an X.509 certificate".to_string());
    };
    match key_matches(&leaf.key_pem, &cert.public_key().subject_public_key.data) {
        Ok(true) => {}
        Ok(false) => return Some("tls.key is not the key of tls.crt".to_string()),
        Err(e) => return Some(format!("tls.key: {e}")),
    }
    let ca_block = parse_pem_cert(&ca.cert_pem).ok()?;
    let ca_cert = ca_block.parse_x509().ok()?;
    if cert.issuer() != ca_cert.subject()
        || cert.verify_signature(Some(ca_cert.public_key())).is_err()
    {
        return Some("tls.crt was not issued by ca.crt".to_string());
    }
    let mut names: Vec<String> = match cert.subject_alternative_name() {
        Ok(Some(san)) => san
            .value
            .general_names
            .iter()
            .filter_map(|n| match n {
                x509_parser::extensions::GeneralName::DNSName(d) => Some(d.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut wanted = dns_names.to_vec();
    names.sort();
    wanted.sort();
    if names != wanted {
        return Some(format!(
            "tls.crt is for {}, not for {}",
            if names.is_empty() {
                "no DNS name".to_string()
            } else {
                names.join(", ")
            },
            wanted.join(", ")
        ));
    }
    None
}

/// Issues a serving certificate for `dns_names`, signed by the CA in
/// `ca` (PEM certificate and key), valid for `days` days. The CA must be
/// one (see [`check_ca`]) and must not expire before the certificate would.
pub fn issue_serving(
    ca: &PemPair,
    dns_names: &[String],
    days: u32,
    alg: KeyAlgorithm,
    now: SystemTime,
) -> Result<PemPair, GenerateError> {
    let expiry = check_ca(ca)?;
    if expiry.not_after <= OffsetDateTime::from(now).unix_timestamp() {
        return Err(GenerateError::CaExpired(expiry.shown));
    }
    let (_, end) = validity(now, days)?;
    if end.unix_timestamp() > expiry.not_after {
        return Err(GenerateError::OutlivesCa {
            days,
            ca_not_after: expiry.shown,
        });
    }
    let ca_key =
        KeyPair::from_pem(&ca.key_pem).map_err(|e| GenerateError::BadCa(format!("CA key: {e}")))?;
    let issuer = Issuer::from_ca_cert_pem(&ca.cert_pem, ca_key)
        .map_err(|e| GenerateError::BadCa(format!("CA certificate: {e}")))?;
    let key = KeyPair::generate_for(alg.rcgen())?;
    let mut params = CertificateParams::new(dns_names.to_vec())?;
    let mut dn = DistinguishedName::new();
    dn.push(
        DnType::CommonName,
        dns_names
            .get(2)
            .or(dns_names.first())
            .cloned()
            .unwrap_or_default(),
    );
    params.distinguished_name = dn;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    (params.not_before, params.not_after) = validity(now, days)?;
    let cert = params.signed_by(&key, &issuer)?;
    Ok(PemPair {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    })
}

/// The `notAfter` of the first certificate in `pem`, as Unix seconds.
pub fn not_after(pem: &str) -> Result<i64, String> {
    let (_, block) = x509_parser::pem::parse_x509_pem(pem.as_bytes())
        .map_err(|e| format!("not a PEM certificate: {e}"))?;
    let cert = block
        .parse_x509()
        .map_err(|e| format!("not an X.509 certificate: {e}"))?;
    Ok(cert.validity().not_after.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_parser::extensions::GeneralName;

    #[test]
    fn serving_certificate_covers_service_names_and_chains_to_ca() {
        let now = SystemTime::now();
        let ca = generate_ca("eyelint test CA", 30, KeyAlgorithm::EcdsaP256, now).unwrap();
        let names = service_dns_names("hook", "ns1");
        let leaf = issue_serving(&ca, &names, 10, KeyAlgorithm::EcdsaP256, now).unwrap();
        let (_, block) = x509_parser::pem::parse_x509_pem(leaf.cert_pem.as_bytes()).unwrap();
        let cert = block.parse_x509().unwrap();
        let san = cert.subject_alternative_name().unwrap().unwrap();
        let dns: Vec<String> = san
            .value
            .general_names
            .iter()
            .filter_map(|n| match n {
                GeneralName::DNSName(d) => Some(d.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(
            dns,
            [
                "hook",
                "hook.ns1",
                "hook.ns1.svc",
                "hook.ns1.svc.cluster.local"
            ]
        );
        let (_, ca_block) = x509_parser::pem::parse_x509_pem(ca.cert_pem.as_bytes()).unwrap();
        let ca_cert = ca_block.parse_x509().unwrap();
        assert_eq!(cert.issuer(), ca_cert.subject());
        assert!(cert.verify_signature(Some(ca_cert.public_key())).is_ok());
        assert!(ca_cert.is_ca());
        assert!(!cert.is_ca());
        let days_left =
            (not_after(&leaf.cert_pem).unwrap() - crate::tls::unix_seconds(now)) / 86_400;
        assert_eq!(days_left, 10);
        // The serving certificate loads into rustls through the one loading path.
        assert!(
            crate::tls::from_pem(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes(), now).is_ok()
        );
    }

    #[test]
    fn rejects_bad_input() {
        let now = SystemTime::now();
        assert!(matches!(
            generate_ca("x", 0, KeyAlgorithm::EcdsaP256, now),
            Err(GenerateError::BadDays(0))
        ));
        let bogus = PemPair {
            cert_pem: "nope".into(),
            key_pem: "nope".into(),
        };
        let err = issue_serving(&bogus, &["a".into()], 1, KeyAlgorithm::EcdsaP256, now);
        assert!(matches!(err, Err(GenerateError::BadCa(_))));
        assert!(not_after("garbage").is_err());
    }
}
