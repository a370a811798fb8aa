//! The binary's allocator, and when it gives freed memory back to the system.
//!
//! mimalloc keeps freed memory committed for 10 ms (100 ms in its arenas) before it purges it,
//! and only purges a thread's memory when that thread allocates again. Indexing frees tens of
//! megabytes at each commit and merge, often from a thread that then waits: with the delay, a
//! million-article run peaked 80 MB higher in resident memory than with purges at once. But
//! purges cost system time on every article (pages given back, then faulted in again, two
//! megabytes at a time where the kernel backs them with huge pages): purging at once cost 7 to
//! 15% of a Reuters-sized run's time, and even the 10 ms delay about 4% of one (8% of the
//! samples went to zeroing fresh pages). So indexing starts with a delay of seconds and purges
//! at once from the moment its resident memory passes half its budget (the writer heap plus
//! 300 MiB), for the rest of the run. `MIMALLOC_PURGE_DELAY`, when set, decides alone.

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

/// Keeps freed memory until indexing nears `budget` bytes of resident memory, then makes it go
/// back to the system at once (see the module's comment); `None` (commands that do not index)
/// leaves mimalloc's delay. Call before any other thread starts.
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
    set_purge_delay(PURGE_DELAY_WHILE_SMALL);
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

/// The purge delay before the resident memory nears the budget: ten seconds, so freed memory
/// stays committed from commit to commit. Not mimalloc's "never" (-1): a segment allocated
/// under that could never be purged, even once the delay is set to 0.
const PURGE_DELAY_WHILE_SMALL: c_long = 10_000;

fn purge_at_once() {
    set_purge_delay(0);
}

fn set_purge_delay(milliseconds: c_long) {
    // SAFETY: a store of an option's value. mimalloc reads this option (a C `long`) afresh at
    // each purge it schedules, so the change takes effect from the next free; a reader that
    // races with the store sees the old value or the new, either of which is valid.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, milliseconds) };
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
    /// One test, as the option is the process's: the delay is long while the resident memory
    /// is under half the budget, and 0 once it passes it.
    #[test]
    fn the_purge_delay_is_long_until_memory_passes_half_the_budget() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            eprintln!("skipped: MIMALLOC_PURGE_DELAY is set");
            return;
        }
        // SAFETY: reads an option value.
        let delay = || unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!(delay(), 10);
        return_memory_near(Some(u64::MAX));
        assert_eq!(delay(), PURGE_DELAY_WHILE_SMALL);
        if resident_bytes().is_none() {
            return;
        }
        return_memory_near(Some(0));
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while delay() != 0 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(delay(), 0, "the watcher saw the resident memory past half of a 0-byte budget");
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
