//! The `newsdex` binary: parse the command line, run it, turn the outcome into an exit code.

use std::process::ExitCode;

use clap::Parser;
use newsdex::cli::{self, Cli, ExitStatus};

/// mimalloc instead of the system allocator: indexing allocates and frees from many threads
/// (parsing, tantivy's indexing and merging), where glibc's per-thread arenas cost time and
/// hold on to freed memory.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = Cli::parse();
    match cli::run(args) {
        Ok(status) => status.into(),
        Err(error) => {
            eprintln!("newsdex: error: {error:#}");
            ExitStatus::Error.into()
        }
    }
}
