//! eyelint-certs.
