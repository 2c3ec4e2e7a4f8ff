//! `eyelint`: see the library's `cli` module.

// Off under `--cfg eyelint_sysalloc` (heap profiling).
#[cfg(not(eyelint_sysalloc))]
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let code = eyelint::cli::main_with(std::env::args_os().collect());
    std::process::exit(code);
}
