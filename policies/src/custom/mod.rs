//! Custom checks (Polaris `customChecks`): JSON Schema with Go-style
//! `{{ }}` templating. Being implemented; see the engine issue.

use serde_json::Value;

use crate::engine::Check;

/// Why a custom check could not be compiled.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CustomCheckError {
    /// Custom checks are not available in this build yet.
    #[error("custom checks are not supported yet")]
    Unsupported,
}

/// Compiles the custom check `id` from its config entry.
pub fn compile(_id: &str, _spec: &Value) -> Result<Box<dyn Check>, CustomCheckError> {
    Err(CustomCheckError::Unsupported)
}
