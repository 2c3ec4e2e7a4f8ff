//! The sweep's checks: node conditions and node-problem-detector signals,
//! control-plane components, pods, warning events, the API server
//! certificate, and the policy engine over workloads.

pub mod cert;
pub mod control_plane;
pub mod events;
pub mod nodes;
pub mod pods;

// The catalogue (ids, sections, default severities, summaries) is the
// engine crate's, so that the configuration loader knows the ids.
pub use eyelint_policies::sweep::{default_severity, info, CheckInfo, Section, CHECKS};
