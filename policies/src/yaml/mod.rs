//! YAML with spans: being written.
