//! The `sweep:` section of eyelint's configuration file: defined, read and
//! checked by the engine crate's configuration loader (so `eyelint config`
//! checks it too); re-exported here.

pub use eyelint_policies::sweep::{SweepConfig, Thresholds};
