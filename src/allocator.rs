//! The binary's allocator, and when it gives freed memory back to the system.
//!
//! mimalloc keeps freed memory committed for 10 ms (100 ms in its arenas) before it purges it,
//! and only purges a thread's memory when that thread allocates again. Indexing frees tens of
//! megabytes at each commit and merge, often from a thread that then waits: with the delay, a
//! million-article run peaked 80 MB higher in resident memory than with purges at once. But
//! purging at once costs system time on every article (pages given back, then faulted in
//! again): 7 to 15% of a Reuters-sized run's time. So indexing starts with mimalloc's delay
//! and purges at once from the moment its resident memory passes half its budget (the writer
//! heap plus 300 MiB), for the rest of the run. `MIMALLOC_PURGE_DELAY`, when set, decides alone.

use std::ffi::{c_int, c_long};
use std::time::Duration;

/// mimalloc instead of the system allocator: indexing allocates and frees from many threads
/// (parsing, tantivy's indexing and merging), where glibc's per-thread arenas cost time and
/// hold on to freed memory.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (position 15 of `mi_option_e` in its mimalloc.h): how
/// many milliseconds freed memory stays committed before it goes back to the system.
const MI_OPTION_PURGE_DELAY: c_int = 15;

/// How often the resident memory is read while indexing.
const WATCH_EVERY: Duration = Duration::from_millis(100);

/// Makes freed memory go back to the system at once when indexing nears `budget` bytes of
/// resident memory (see the module's comment); `None` (commands that do not index) leaves
/// mimalloc's delay. Call before any other thread starts.
pub fn return_memory_near(budget: Option<u64>) {
    let Some(budget) = budget else { return };
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    let threshold = budget / 2;
    if resident_bytes().is_none() {
        // Nothing to watch (no /proc): purge at once throughout, the bound's safe side.
        purge_at_once();
        return;
    }
    let watcher = std::thread::Builder::new().name("memory-watch".into()).spawn(move || {
        while resident_bytes().is_some_and(|rss| rss < threshold) {
            std::thread::sleep(WATCH_EVERY);
        }
        purge_at_once();
    });
    if watcher.is_err() {
        purge_at_once();
    }
}

fn purge_at_once() {
    // SAFETY: a store of an option's value. mimalloc reads this option (a C `long`) afresh at
    // each purge it schedules, so the change takes effect from the next free; a reader that
    // races with the store sees the old value or the new, either of which is valid.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0 as c_long) };
}

/// The process's resident memory in bytes (`VmRSS` of /proc/self/status); `None` where there
/// is no such file.
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    vm_rss_bytes(&status)
}

fn vm_rss_bytes(status: &str) -> Option<u64> {
    let line = status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?;
    let kb: u64 = line.trim().strip_suffix("kB")?.trim().parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The option's position is mimalloc's, not the crate's: a mimalloc upgrade that moves it
    /// would make this module set another option. Its default, 10 ms, is the only 10 near it.
    #[test]
    fn the_purge_delay_option_is_where_this_module_sets_it() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            eprintln!("skipped: MIMALLOC_PURGE_DELAY is set");
            return;
        }
        // SAFETY: reads an option value.
        assert_eq!(unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) }, 10);
    }

    #[test]
    fn resident_memory_is_read_from_the_status_file() {
        let status = "Name:\tnewsdex\nVmPeak:\t  900 kB\nVmRSS:\t  123456 kB\nRssAnon:\t 1 kB\n";
        assert_eq!(vm_rss_bytes(status), Some(123_456 * 1024));
        assert_eq!(vm_rss_bytes("Name:\tnewsdex\n"), None);
        assert_eq!(vm_rss_bytes("VmRSS:\tlots kB\n"), None);
        if cfg!(target_os = "linux") {
            assert!(resident_bytes().is_some_and(|b| b > 1 << 20), "this process holds over 1 MiB");
        }
    }
}
