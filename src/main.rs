//! The `newsdex` binary: parse the command line, run it, turn the outcome into an exit code.

use std::process::ExitCode;

use clap::Parser;
use newsdex::cli::{self, Cli, ExitStatus};

/// mimalloc instead of the system allocator: indexing allocates and frees from many threads
/// (parsing, tantivy's indexing and merging), where glibc's per-thread arenas cost time and
/// hold on to freed memory.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (position 15 of `mi_option_e` in its mimalloc.h): how
/// many milliseconds freed memory stays committed before it goes back to the system.
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

fn main() -> ExitCode {
    // At once rather than after 10 ms (100 ms for arenas): indexing frees tens of megabytes at
    // each commit and merge, and with the delay a million-article run peaked 80 MB higher in
    // resident memory. It costs system time (5% of a full run's time at 200,000 articles):
    // MIMALLOC_PURGE_DELAY, when set, is left to decide. Set before any other thread starts,
    // as mi_option_set requires.
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: a plain store of an option value, made while this is the only thread.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    }
    let args = Cli::parse();
    match cli::run(args) {
        Ok(status) => status.into(),
        Err(error) => {
            eprintln!("newsdex: error: {error:#}");
            ExitStatus::Error.into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The option's position is mimalloc's, not the crate's: a mimalloc upgrade that moves it
    /// would make `main` set another option. Its default, 10 ms, is the only 10 near it.
    #[test]
    fn the_purge_delay_option_is_where_main_sets_it() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            eprintln!("skipped: MIMALLOC_PURGE_DELAY is set");
            return;
        }
        // SAFETY: reads an option value.
        assert_eq!(unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) }, 10);
    }
}
