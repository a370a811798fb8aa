//! Which pages the kernel backs an indexing run's memory with.
//!
//! mimalloc marks the memory it reserves for transparent huge pages (2 MiB), and the kernel
//! zeroes each one whole at its first touch. Where the machine is a virtual machine that
//! hands freed memory back to its host (free page reporting, as on the machine the benchmark
//! runs on), a huge page the host has taken back costs a fault on the host too. 212 MB
//! touched in a fresh process took 0.8 to 0.9 s in 2 MiB pages the host had taken back,
//! 0.03 to 0.05 s in ones a process had just freed, and 0.11 to 0.12 s in 4 KiB pages every
//! time. An indexing run touches its segments' memory afresh: without entities, the Reuters
//! slice took 1.1 to 1.5 s of system time, against 0.5 to 0.8 in small pages.
//! The tables the entity model reads at random for every token (5 MB of feature weights, the
//! gazetteer) are loaded before indexing starts, and stay in the huge pages they were given:
//! only what is allocated from here on gets small pages.

/// Has the kernel back this process's memory faulted in from now on with small pages only;
/// `MIMALLOC_ALLOW_THP`, when set, decides alone (mimalloc reads it).
pub fn small_pages_from_here() {
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_some() {
        return;
    }
    #[cfg(target_os = "linux")]
    // SAFETY: sets a flag on this process's memory map (checked at each page fault); takes no
    // pointer. A kernel without it returns an error, which leaves the pages as they were.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    /// `PR_GET_THP_DISABLE` reads the flag back: 1 once set.
    #[test]
    fn after_the_call_the_process_asks_for_no_huge_pages() {
        if std::env::var_os("MIMALLOC_ALLOW_THP").is_some() {
            eprintln!("skipped: MIMALLOC_ALLOW_THP is set");
            return;
        }
        super::small_pages_from_here();
        // SAFETY: reads a flag of this process.
        let flag = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
        assert_eq!(flag, 1);
    }
}
