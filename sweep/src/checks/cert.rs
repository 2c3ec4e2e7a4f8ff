//! `NodeApiServerExpiredPeriod`: the API server's serving certificate,
//! read from a PEM file (`--apiserver-cert`) or from a TLS handshake (live).

use x509_parser::prelude::{FromDer, X509Certificate};

use crate::checks::Section;
use crate::config::Thresholds;
use crate::error::SweepError;
use crate::report::{Findings, SweepFinding};
use crate::time::rfc3339;
use eyelint_policies::Severity;

/// What the check reads of a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertInfo {
    /// Subject common name (or the whole subject).
    pub subject: String,
    /// `notAfter`, seconds since the epoch.
    pub not_after: i64,
}

/// Parses DER certificates.
pub fn parse_der(der: &[u8], origin: &str) -> Result<CertInfo, SweepError> {
    let (_, cert) = X509Certificate::from_der(der).map_err(|e| SweepError::Certificate {
        origin: origin.to_string(),
        message: e.to_string(),
    })?;
    let subject = cert
        .subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| cert.subject().to_string());
    Ok(CertInfo {
        subject,
        not_after: cert.validity().not_after.timestamp(),
    })
}

/// Parses every certificate of a PEM file.
pub fn parse_pem(pem: &[u8], origin: &str) -> Result<Vec<CertInfo>, SweepError> {
    let mut out = Vec::new();
    for block in x509_parser::pem::Pem::iter_from_buffer(pem) {
        let block = block.map_err(|e| SweepError::Certificate {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        if block.label == "CERTIFICATE" {
            out.push(parse_der(&block.contents, origin)?);
        }
    }
    if out.is_empty() {
        return Err(SweepError::Certificate {
            origin: origin.to_string(),
            message: "no PEM CERTIFICATE block found".to_string(),
        });
    }
    Ok(out)
}

/// Judges certificates against the thresholds at time `now` (seconds since the epoch).
pub fn check(certs: &[CertInfo], source: &str, now: i64, t: &Thresholds, out: &mut Findings<'_>) {
    for c in certs {
        let left = c.not_after - now;
        let days = left.div_euclid(86_400);
        let when = rfc3339(c.not_after);
        let (severity, message) = if left <= 0 {
            (
                Severity::Danger,
                format!(
                    "API server certificate {} ({source}) expired {} day(s) ago, on {when}",
                    c.subject,
                    // Whole days past, as whole days left count for the
                    // future (a minute ago is 0 days, not 1).
                    (-left).div_euclid(86_400)
                ),
            )
        } else if days < t.cert_danger_days {
            (
                Severity::Danger,
                format!(
                    "API server certificate {} ({source}) expires in {days} day(s), on {when}",
                    c.subject
                ),
            )
        } else if days < t.cert_warning_days {
            (
                Severity::Warning,
                format!(
                    "API server certificate {} ({source}) expires in {days} day(s), on {when}",
                    c.subject
                ),
            )
        } else {
            continue;
        };
        out.push(
            SweepFinding::new(
                "NodeApiServerExpiredPeriod",
                Section::ControlPlane,
                "Certificate",
                "",
                &c.subject,
                message,
            )
            // No `lastSeen`: the expiry (in the message) is not when the
            // problem was seen, and lies ahead for a certificate that is
            // about to expire.
            .severity(severity),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SweepConfig;

    /// Days past an expiry are whole days, as days left are: a minute ago
    /// is 0 days (it read 1), a day and an hour ago is 1.
    #[test]
    fn days_are_whole_days_either_way() {
        let now = 1_714_608_000;
        let certs = [
            ("a-minute-ago", now - 60),
            ("a-day-and-an-hour-ago", now - 25 * 3600),
            ("in-23-hours", now + 23 * 3600),
        ]
        .map(|(subject, not_after)| CertInfo {
            subject: subject.to_string(),
            not_after,
        });
        let cfg = SweepConfig::default();
        let mut out = Findings::new(&cfg);
        check(&certs, "file", now, &cfg.thresholds, &mut out);
        let got: Vec<(String, String)> = out
            .finish()
            .into_iter()
            .map(|f| (f.name, f.message))
            .collect();
        for (name, phrase) in [
            ("a-day-and-an-hour-ago", "expired 1 day(s) ago"),
            ("a-minute-ago", "expired 0 day(s) ago"),
            ("in-23-hours", "expires in 0 day(s)"),
        ] {
            assert!(
                got.iter().any(|(n, m)| n == name && m.contains(phrase)),
                "{name}: {got:?}"
            );
        }
    }
}
