//! The `newsdex` binary: parse the command line, run it, turn the outcome into an exit code.

mod allocator;

use std::process::ExitCode;

use clap::Parser;
use newsdex::cli::{self, Cli, ExitStatus};

fn main() -> ExitCode {
    let args = Cli::parse();
    allocator::return_memory_near(args.indexing_memory_budget());
    match cli::run(args) {
        Ok(status) => status.into(),
        Err(error) => {
            eprintln!("newsdex: error: {error:#}");
            ExitStatus::Error.into()
        }
    }
}
