//! Git-style external subcommands: `eyelint sweep ARGS` runs
//! `eyelint-sweep ARGS`.
//!
//! The cluster sweep needs an async Kubernetes client (kube, tokio, TLS);
//! linting files needs none of it. Keeping the sweep a separate binary means
//! `cargo install --path .` (and pre-commit's `language: rust` hook, which
//! runs exactly that) builds only the linter, while `eyelint sweep` works for
//! anyone who also installed `eyelint-sweep` (`cargo install --path sweep`).

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

/// Why an external subcommand could not run.
#[derive(Debug, thiserror::Error)]
pub enum ExternalError {
    /// The binary is neither next to `eyelint` nor on `PATH`.
    #[error(
        "`eyelint {sub}` needs the `{bin}` program, which is not installed next to eyelint or on PATH; \
         install it with `cargo install --path {sub}` from the eyelint repository"
    )]
    NotFound {
        /// The subcommand.
        sub: String,
        /// The program it runs.
        bin: String,
    },
    /// Starting it failed.
    #[error("cannot run {bin}: {source}")]
    Spawn {
        /// The program.
        bin: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

fn on_path(bin: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(bin))
        .find(|p| p.is_file())
}

/// Where the program for `sub` is: next to the running executable, else on `PATH`.
pub fn locate(sub: &str) -> Option<PathBuf> {
    let bin = format!("eyelint-{sub}{}", std::env::consts::EXE_SUFFIX);
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|d| d.join(&bin)))
        .filter(|p| p.is_file());
    beside.or_else(|| on_path(&bin))
}

/// Runs `eyelint-<sub> ARGS` and returns its exit code (on Unix the process
/// is replaced, so this only returns on error).
pub fn run(sub: &str, args: &[OsString]) -> Result<i32, ExternalError> {
    let bin = format!("eyelint-{sub}");
    let path = locate(sub).ok_or_else(|| ExternalError::NotFound {
        sub: sub.to_string(),
        bin: bin.clone(),
    })?;
    let mut cmd = Command::new(&path);
    cmd.args(args);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let source = cmd.exec();
        Err(ExternalError::Spawn { bin, source })
    }
    #[cfg(not(unix))]
    {
        let status = cmd
            .status()
            .map_err(|source| ExternalError::Spawn { bin, source })?;
        Ok(status.code().unwrap_or(2))
    }
}
