//! Offline sources: `kubectl cluster-info dump` (stream or directory) and
//! `kubectl get -o json|yaml` files. Every source hands objects one at a time
//! to the [`Collector`](crate::snapshot::Collector).

pub mod decode;
pub mod dump;
pub mod file;
pub mod scan;
