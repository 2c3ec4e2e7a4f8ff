//! eyelint's policy engine: a pure library that takes Kubernetes objects
//! (as parsed JSON) plus a configuration and returns findings.
//!
//! No I/O, no async runtime, no HTTP: the linter, the admission webhook and
//! the cluster sweep all call the same [`Engine`], so they agree.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod bytes;
pub mod config;
pub mod custom;
pub mod engine;
pub mod error_chain;
pub mod field_types;
pub mod finding;
pub mod image;
pub mod index;
pub mod labels;
pub mod object;
pub mod path;
pub mod quantity;
pub mod report;
pub mod rule;
pub mod rule_doc;
pub mod rules;
pub mod sweep;
pub mod text;
pub mod yaml;

pub use config::Config;
pub use engine::{Engine, Evaluation, Pass};
pub use finding::{Category, Finding, Fix, FixSafety, Severity};
pub use index::{Coverage, Index};
pub use object::{ObjectRef, Role, Roles, Workload};
pub use path::FieldPath;
