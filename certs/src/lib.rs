//! eyelint-certs: serving certificates for the webhook (loading, checking,
//! hot reload) and certificate generation.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cli;
pub mod generate;
pub mod tls;
