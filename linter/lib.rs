//! The `eyelint` command line: discovery, reporters and subcommands.
