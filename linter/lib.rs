//! The `eyelint` command line: discovery, the parallel lint run, reporters
//! and subcommands. `main.rs` only calls [`cli::main_with`].

#![forbid(unsafe_code)]

pub mod baseline;
pub mod cli;
pub mod config_file;
pub mod discover;
pub mod external;
pub mod kustomize;
pub mod lint;
pub mod output;
pub mod yaml_out;
