//! `eyelint sweep`: finds what no manifest shows (sick nodes, broken
//! control-plane components, failing pods, warning events) and audits the
//! running workloads with the same policy engine as the linter.
//!
//! Sources: a live cluster (feature `live`), `kubectl cluster-info dump`
//! output (stream or directory) and `kubectl get -o json|yaml` files. Every
//! source feeds the same [`snapshot::Collector`], one object at a time.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod checks;
pub mod config;
pub mod error;
#[cfg(feature = "live")]
pub mod exec;
pub mod kinds;
pub mod lite;
#[cfg(feature = "live")]
pub mod live;
pub mod render;
pub mod report;
pub mod snapshot;
pub mod source;
pub mod sweep;
pub mod time;
#[cfg(feature = "live")]
pub mod tls;
pub mod workloads;

pub use config::SweepConfig;
pub use error::SweepError;
pub use report::{Report, SweepFinding};
