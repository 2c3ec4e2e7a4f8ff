//! eyelint-webhook: a validating and mutating admission webhook around
//! eyelint's policy engine.
//!
//! The decision is pure ([`decide::decide`], [`decide::mutate`]): a parsed
//! request, an engine and settings in, an `AdmissionResponse` out. The
//! [`server`] module is the thin async shell: HTTPS with rustls, a health
//! port, hot reload of configuration and certificates, graceful shutdown.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod config;
pub mod decide;
pub mod idle;
pub mod metrics;
pub mod review;
pub mod server;

pub use decide::{decide, mutate, Decision, Outcome, Settings, Skip};
pub use review::{AdmissionRequest, AdmissionResponse};
