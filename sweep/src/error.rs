//! Errors of the sweep.

use std::path::PathBuf;

/// What can stop a sweep.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SweepError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The input is not JSON (or YAML) of the expected shape.
    #[error("{origin}: {message}")]
    Parse {
        /// File (and position) at fault.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// A dump written by kubectl 1.9 or older.
    #[error("{origin}: this dump was written by kubectl 1.9 or older (internal types: PascalCase keys such as `Items`, no `kind`); it is not supported, re-create it with a current kubectl")]
    LegacyDump {
        /// The file.
        origin: String,
    },
    /// A compressed file or archive (a support bundle's `.tar.gz`), which the
    /// sweep does not unpack.
    #[error("{path} is {format}: the sweep reads JSON, YAML and logs, not archives; unpack it first (a support bundle: `tar xzf FILE`) and sweep the directory")]
    Compressed {
        /// The file.
        path: PathBuf,
        /// What it is (`a gzip-compressed file`, …).
        format: &'static str,
    },
    /// The input holds no Kubernetes object at all.
    #[error("{origin}: no Kubernetes objects found (expected `kubectl cluster-info dump` output or `kubectl get -o json|yaml`)")]
    Empty {
        /// The file or directory.
        origin: String,
    },
    /// A certificate could not be read.
    #[error("certificate {origin}: {message}")]
    Certificate {
        /// Where it came from.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// The live cluster could not be reached at all.
    #[error("cluster: {0}")]
    Cluster(String),
}
