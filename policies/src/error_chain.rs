//! One line for an error and its causes, as the command-line front ends
//! print a failure.
//!
//! Most of eyelint's errors already name their cause in their own message
//! (`cannot read x.yaml: No such file or directory`), so that they read
//! well alone; printing the chain as `anyhow`'s `{:#}` does would then say
//! the cause twice. [`error_chain`] adds a cause only when the text so far
//! does not already hold it.

use std::error::Error;

/// `e`'s message followed by each cause not already part of it, joined by
/// `": "`.
pub fn error_chain(e: &(dyn Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let part = c.to_string();
        if !part.is_empty() && !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = c.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot read {path}: {source}")]
    struct Read {
        path: String,
        source: std::io::Error,
    }

    #[derive(Debug, thiserror::Error)]
    #[error("config is unusable")]
    struct Unusable(#[source] Read);

    fn not_found() -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::NotFound, "no such file")
    }

    #[test]
    fn causes_already_in_the_message_are_not_repeated() {
        let e = Read {
            path: "x.yaml".into(),
            source: not_found(),
        };
        assert_eq!(error_chain(&e), "cannot read x.yaml: no such file");
        let e = Unusable(e);
        assert_eq!(
            error_chain(&e),
            "config is unusable: cannot read x.yaml: no such file"
        );
        assert_eq!(error_chain(&not_found()), "no such file");
    }
}
