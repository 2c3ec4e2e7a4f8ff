//! The `eyelint` command line: discovery, the parallel lint run, reporters
//! and subcommands. `main.rs` only calls [`cli::main_with`].

#![forbid(unsafe_code)]

/// `eprint!` that gives up quietly when standard error is closed or full
/// (`eyelint . 2>&1 | head`), where std's `eprint!` panics and the run's
/// exit code would become 101 instead of the contract's 0, 1 or 2.
macro_rules! ewrite {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($t)*);
    }};
}

/// [`ewrite!`] with a line break.
macro_rules! ewriteln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

pub mod baseline;
pub mod cli;
pub mod config_file;
pub mod discover;
pub mod external;
pub mod kustomize;
pub mod lint;
pub mod output;
pub mod yaml_out;
