//! Kubernetes resource quantities: being written.
