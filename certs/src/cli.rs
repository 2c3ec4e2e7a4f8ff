//! `eyelint certs`: write a CA and a serving certificate for the webhook's
//! Service, optionally print the Secret and `caBundle` manifests, and renew
//! the serving certificate only when it is about to expire.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use base64::Engine as _;

use crate::generate::{self, GenerateError, KeyAlgorithm, PemPair};

/// Arguments of `eyelint certs`.
#[derive(Clone, Debug, clap::Args)]
pub struct CertsArgs {
    /// Name of the webhook's Service (a DNS-1035 label).
    #[arg(long, value_name = "NAME", value_parser = parse_service)]
    pub service: String,
    /// Namespace of the Service (a DNS-1123 label).
    #[arg(long, value_name = "NS", value_parser = parse_namespace)]
    pub namespace: String,
    /// Directory for ca.crt, ca.key, tls.crt and tls.key (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
    /// Validity of the serving certificate, in days.
    #[arg(long, value_name = "N", default_value_t = 365)]
    pub days: u32,
    /// Validity of a new CA, in days.
    #[arg(long, value_name = "N", default_value_t = 3650)]
    pub ca_days: u32,
    /// Key algorithm for new keys.
    #[arg(long, value_enum, default_value_t = KeyAlgorithm::EcdsaP256)]
    pub algorithm: KeyAlgorithm,
    /// Overwrite existing files.
    #[arg(long)]
    pub force: bool,
    /// Re-issue the serving certificate from the existing CA only when it
    /// expires within this many days, or does not match its key, its CA or
    /// the Service (for CronJobs and CI); creates everything when nothing
    /// exists yet. Refuses a CA that cannot sign or that would expire first.
    #[arg(long, value_name = "DAYS")]
    pub renew_before: Option<u32>,
    /// Also print the TLS Secret and the caBundle patches to standard output.
    #[arg(long)]
    pub manifests: bool,
    /// Name of the TLS Secret in the printed manifests (default: SERVICE-tls;
    /// a DNS-1123 subdomain).
    #[arg(long, value_name = "NAME", value_parser = parse_secret_name)]
    pub secret_name: Option<String>,
    /// Name of the webhook configurations the caBundle patches target (a
    /// DNS-1123 subdomain).
    #[arg(long, value_name = "NAME", default_value = "eyelint", value_parser = parse_webhook_name)]
    pub webhook_name: String,
}

/// Why `eyelint certs` failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CertsError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// Refusing to overwrite.
    #[error("{} already exists (use --force to overwrite, or --renew-before DAYS to renew)", path.display())]
    Exists {
        /// The existing file.
        path: PathBuf,
    },
    /// A serving certificate exists without its CA: renewing would make a
    /// new CA whose caBundle the cluster does not have.
    #[error("{} exists but {} and {} do not: renewing would make a new CA, which the webhook configurations' caBundle does not name (use --force to make a new CA and serving certificate, then install the new caBundle)", present.display(), ca_crt.display(), ca_key.display())]
    NoCa {
        /// The serving certificate.
        present: PathBuf,
        /// The missing CA certificate.
        ca_crt: PathBuf,
        /// The missing CA key.
        ca_key: PathBuf,
    },
    /// Renewal needs both CA files.
    #[error("{} exists but {} does not: cannot renew without the CA's certificate and key", present.display(), missing.display())]
    IncompleteCa {
        /// The file that exists.
        present: PathBuf,
        /// The file that is missing.
        missing: PathBuf,
    },
    /// Generation failed.
    #[error(transparent)]
    Generate(#[from] GenerateError),
    /// The existing serving certificate cannot be read.
    #[error("{}: {message}", path.display())]
    BadCertificate {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A name flag holds a name Kubernetes would not accept.
    #[error("{flag} {value:?}: {problem}")]
    InvalidName {
        /// The flag (`--service`, `--namespace`, …).
        flag: &'static str,
        /// The value given.
        value: String,
        /// What is wrong, and the rule the name must follow.
        problem: String,
    },
}

/// The naming rules Kubernetes applies to the objects `eyelint certs` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NameRule {
    /// Services: at most 63 of `a-z`, `0-9`, `-`; starts with a letter,
    /// ends with a letter or digit.
    Dns1035Label,
    /// Namespaces: at most 63 of `a-z`, `0-9`, `-`; starts and ends with a
    /// letter or digit.
    Dns1123Label,
    /// Secrets, webhook configurations: at most 253 characters, DNS-1123
    /// labels (without their length limit) joined by dots.
    Dns1123Subdomain,
}

impl NameRule {
    fn describe(self) -> &'static str {
        match self {
            NameRule::Dns1035Label => "a DNS-1035 label: at most 63 characters, lowercase letters, digits and '-', starting with a letter and ending with a letter or digit",
            NameRule::Dns1123Label => "a DNS-1123 label: at most 63 characters, lowercase letters, digits and '-', starting and ending with a letter or digit",
            NameRule::Dns1123Subdomain => "a DNS-1123 subdomain: at most 253 characters, lowercase letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit",
        }
    }
}

/// What is wrong with `name` under `rule`, if anything.
fn name_problem(name: &str, rule: NameRule) -> Option<String> {
    let max = match rule {
        NameRule::Dns1035Label | NameRule::Dns1123Label => 63,
        NameRule::Dns1123Subdomain => 253,
    };
    let dots = rule == NameRule::Dns1123Subdomain;
    let allowed =
        |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || (dots && c == '.');
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    if name.is_empty() {
        return Some("it is empty".to_string());
    }
    let len = name.chars().count();
    if len > max {
        return Some(format!("it is {len} characters long"));
    }
    if let Some(c) = name.chars().find(|&c| !allowed(c)) {
        return Some(if c.is_ascii_uppercase() {
            format!("it has an uppercase letter ({c:?})")
        } else {
            format!("it has {c:?}")
        });
    }
    let parts: Vec<&str> = if dots {
        name.split('.').collect()
    } else {
        vec![name]
    };
    for part in parts {
        let (Some(first), Some(last)) = (part.chars().next(), part.chars().last()) else {
            return Some("it has an empty part (a leading, trailing or double dot)".to_string());
        };
        // Name the part only when there can be several.
        let it = if dots {
            format!("its part {part:?}")
        } else {
            "it".to_string()
        };
        if rule == NameRule::Dns1035Label && !first.is_ascii_lowercase() {
            return Some(format!("{it} starts with {first:?}, not a letter"));
        }
        if !alnum(first) {
            return Some(format!("{it} starts with {first:?}"));
        }
        if !alnum(last) {
            return Some(format!("{it} ends with {last:?}"));
        }
    }
    None
}

fn parse_name(value: &str, rule: NameRule) -> Result<String, String> {
    match name_problem(value, rule) {
        None => Ok(value.to_string()),
        Some(why) => Err(format!("{why}; it must be {}", rule.describe())),
    }
}

fn check_name(flag: &'static str, value: &str, rule: NameRule) -> Result<(), CertsError> {
    parse_name(value, rule)
        .map(drop)
        .map_err(|problem| CertsError::InvalidName {
            flag,
            value: value.to_string(),
            problem,
        })
}

fn parse_service(value: &str) -> Result<String, String> {
    parse_name(value, NameRule::Dns1035Label)
}

fn parse_namespace(value: &str) -> Result<String, String> {
    parse_name(value, NameRule::Dns1123Label)
}

fn parse_secret_name(value: &str) -> Result<String, String> {
    parse_name(value, NameRule::Dns1123Subdomain)
}

fn parse_webhook_name(value: &str) -> Result<String, String> {
    parse_name(value, NameRule::Dns1123Subdomain)
}

/// Checks the names `args` gives against the rules Kubernetes applies to
/// them: the Service (DNS-1035 label), its namespace (DNS-1123 label), the
/// Secret and the webhook configurations (DNS-1123 subdomains). The command
/// line checks them already; this is for arguments built in code.
pub fn check_names(args: &CertsArgs) -> Result<(), CertsError> {
    check_name("--service", &args.service, NameRule::Dns1035Label)?;
    check_name("--namespace", &args.namespace, NameRule::Dns1123Label)?;
    if let Some(secret) = &args.secret_name {
        check_name("--secret-name", secret, NameRule::Dns1123Subdomain)?;
    }
    check_name(
        "--webhook-name",
        &args.webhook_name,
        NameRule::Dns1123Subdomain,
    )
}

/// What `run` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A new CA and serving certificate were written.
    Created,
    /// The serving certificate was re-issued from the existing CA.
    Renewed {
        /// Why (`expires in 3 days`, `tls.key is not the key of tls.crt`, …).
        why: String,
    },
    /// The serving certificate is valid long enough; nothing was written.
    StillValid {
        /// Days until it expires.
        days_left: i64,
    },
}

struct Files {
    ca_crt: PathBuf,
    ca_key: PathBuf,
    tls_crt: PathBuf,
    tls_key: PathBuf,
}

impl Files {
    fn in_dir(dir: &Path) -> Files {
        Files {
            ca_crt: dir.join("ca.crt"),
            ca_key: dir.join("ca.key"),
            tls_crt: dir.join("tls.crt"),
            tls_key: dir.join("tls.key"),
        }
    }
}

fn read(path: &Path) -> Result<String, CertsError> {
    fs::read_to_string(path).map_err(|source| CertsError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn write(path: &Path, text: &str, secret: bool) -> Result<(), CertsError> {
    let io_err = |source| CertsError::Io {
        path: path.to_path_buf(),
        source,
    };
    // Write to a temporary file and rename, so a reader never sees half a file.
    let tmp = path.with_extension("tmp");
    {
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(if secret { 0o600 } else { 0o644 });
        }
        #[cfg(not(unix))]
        let _ = secret;
        let mut f = opts.open(&tmp).map_err(io_err)?;
        f.write_all(text.as_bytes()).map_err(io_err)?;
        f.sync_all().map_err(io_err)?;
    }
    fs::rename(&tmp, path).map_err(io_err)
}

/// Runs `eyelint certs`. Human messages go to `log`, manifests to `out`.
pub fn run(
    args: &CertsArgs,
    now: SystemTime,
    out: &mut dyn Write,
    log: &mut dyn Write,
) -> Result<Outcome, CertsError> {
    check_names(args)?;
    fs::create_dir_all(&args.out_dir).map_err(|source| CertsError::Io {
        path: args.out_dir.clone(),
        source,
    })?;
    let files = Files::in_dir(&args.out_dir);
    let names = generate::service_dns_names(&args.service, &args.namespace);
    let ca_exists = (files.ca_crt.exists(), files.ca_key.exists());

    let outcome = match (args.renew_before, ca_exists) {
        (Some(before), (true, true)) => {
            let ca = PemPair {
                cert_pem: read(&files.ca_crt)?,
                key_pem: read(&files.ca_key)?,
            };
            // A CA that cannot sign is an error, not a reason to renew.
            generate::check_ca(&ca)?;
            let (days_left, why) = if files.tls_crt.exists() && files.tls_key.exists() {
                let leaf = PemPair {
                    cert_pem: read(&files.tls_crt)?,
                    key_pem: read(&files.tls_key)?,
                };
                let not_after = generate::not_after(&leaf.cert_pem).map_err(|message| {
                    CertsError::BadCertificate {
                        path: files.tls_crt.clone(),
                        message,
                    }
                })?;
                let d = (not_after - crate::tls::unix_seconds(now)).div_euclid(86_400);
                let why = if d < i64::from(before) {
                    Some(if d < 0 {
                        format!("it expired {} day(s) ago", -d)
                    } else {
                        format!("it expires in {d} day(s)")
                    })
                } else {
                    generate::serving_mismatch(&ca, &leaf, &names)
                };
                (d, why)
            } else {
                (0, Some("tls.crt or tls.key is missing".to_string()))
            };
            match why {
                None => Outcome::StillValid { days_left },
                Some(why) => {
                    let leaf =
                        generate::issue_serving(&ca, &names, args.days, args.algorithm, now)?;
                    write(&files.tls_key, &leaf.key_pem, true)?;
                    write(&files.tls_crt, &leaf.cert_pem, false)?;
                    Outcome::Renewed { why }
                }
            }
        }
        (Some(_), (false, false))
            if !args.force && (files.tls_crt.exists() || files.tls_key.exists()) =>
        {
            return Err(CertsError::NoCa {
                present: if files.tls_crt.exists() {
                    files.tls_crt.clone()
                } else {
                    files.tls_key.clone()
                },
                ca_crt: files.ca_crt.clone(),
                ca_key: files.ca_key.clone(),
            })
        }
        (Some(_), (true, false)) => {
            return Err(CertsError::IncompleteCa {
                present: files.ca_crt.clone(),
                missing: files.ca_key.clone(),
            })
        }
        (Some(_), (false, true)) => {
            return Err(CertsError::IncompleteCa {
                present: files.ca_key.clone(),
                missing: files.ca_crt.clone(),
            })
        }
        (renew, _) => {
            if !args.force && renew.is_none() {
                for p in [&files.ca_crt, &files.ca_key, &files.tls_crt, &files.tls_key] {
                    if p.exists() {
                        return Err(CertsError::Exists { path: p.clone() });
                    }
                }
            }
            let ca_name = format!("eyelint webhook CA ({}.{})", args.service, args.namespace);
            let ca = generate::generate_ca(&ca_name, args.ca_days, args.algorithm, now)?;
            let leaf = generate::issue_serving(&ca, &names, args.days, args.algorithm, now)?;
            write(&files.ca_key, &ca.key_pem, true)?;
            write(&files.ca_crt, &ca.cert_pem, false)?;
            write(&files.tls_key, &leaf.key_pem, true)?;
            write(&files.tls_crt, &leaf.cert_pem, false)?;
            Outcome::Created
        }
    };

    let io_err = |source| CertsError::Io {
        path: PathBuf::from("<output>"),
        source,
    };
    match &outcome {
        Outcome::Created => writeln!(
            log,
            "wrote ca.crt, ca.key, tls.crt, tls.key to {} (serving certificate for {}, valid {} days)",
            args.out_dir.display(),
            names.join(", "),
            args.days
        ),
        Outcome::Renewed { why } => writeln!(
            log,
            "renewed tls.crt and tls.key in {} from the existing CA (valid {} days): {why}",
            args.out_dir.display(),
            args.days
        ),
        Outcome::StillValid { days_left } => writeln!(
            log,
            "tls.crt in {} is valid for {days_left} more days; nothing to renew",
            args.out_dir.display()
        ),
    }
    .map_err(io_err)?;

    if args.manifests {
        let b64 = |p: &Path| -> Result<String, CertsError> {
            Ok(base64::engine::general_purpose::STANDARD.encode(read(p)?))
        };
        let ca_bundle = b64(&files.ca_crt)?;
        let secret = args
            .secret_name
            .clone()
            .unwrap_or_else(|| format!("{}-tls", args.service));
        let text = manifests(
            &secret,
            &args.namespace,
            &args.webhook_name,
            &b64(&files.tls_crt)?,
            &b64(&files.tls_key)?,
            &ca_bundle,
        );
        out.write_all(text.as_bytes()).map_err(io_err)?;
    }
    Ok(outcome)
}

/// The TLS Secret as YAML, preceded by comments holding the `caBundle` and
/// the `kubectl patch` commands that install it into both webhook configurations.
pub fn manifests(
    secret: &str,
    namespace: &str,
    webhook: &str,
    tls_crt_b64: &str,
    tls_key_b64: &str,
    ca_b64: &str,
) -> String {
    let patch = format!(
        r#"[{{"op":"add","path":"/webhooks/0/clientConfig/caBundle","value":"{ca_b64}"}}]"#
    );
    format!(
        "# caBundle (base64 of ca.crt) for the webhook configurations:\n\
         # {ca_b64}\n\
         # Install it with:\n\
         #   kubectl patch validatingwebhookconfiguration {webhook} --type=json -p '{patch}'\n\
         #   kubectl patch mutatingwebhookconfiguration {webhook} --type=json -p '{patch}'\n\
         apiVersion: v1\n\
         kind: Secret\n\
         type: kubernetes.io/tls\n\
         metadata:\n  name: {secret}\n  namespace: {namespace}\n\
         data:\n  ca.crt: {ca_b64}\n  tls.crt: {tls_crt_b64}\n  tls.key: {tls_key_b64}\n"
    )
}
