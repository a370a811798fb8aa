//! The files of a committed index as a run holds them in memory, to tell which files it walks
//! are unchanged: 56 bytes a file, whatever its path's length.
//!
//! A file is keyed by a 128-bit hash of its path instead of the path: the paths stay in the
//! manifest's journal on disk, and are read back only for the files a run did not meet (to
//! report or prune them). The records sit in one vector sorted by key, with a table of where
//! each key prefix starts, instead of a hash map: no empty slots (a hash map at 7/8 load
//! doubles at a power of two, up to 2.3 slots a file) and no allocation per file. A million
//! files took about 200 MiB as a map of paths, 56 MiB here.

use crate::error::{Error, Result};

/// A file's path as the table knows it: the first 128 bits of its BLAKE3 hash. Two paths of
/// an index sharing one (about one chance in 10^25 at ten million files) would share a record.
pub type PathKey = [u64; 2];

/// The key of `path`.
pub fn path_key(path: &str) -> PathKey {
    let hash = blake3::hash(path.as_bytes());
    let bytes = hash.as_bytes();
    let half = |range: std::ops::Range<usize>| u64::from_le_bytes(bytes[range].try_into().expect("8 bytes"));
    [half(0..8), half(8..16)]
}

/// A committed record as memory keeps it, in 40 bytes: the hash as two numbers (a `u128`
/// aligns the record to 16 bytes, and an `Option` of one took 32), the modification time in
/// 64 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownFile {
    /// Size in bytes.
    pub size: u64,
    /// Nanoseconds since the epoch; [`FAR_MTIME`] for a time outside the years 1678 to 2261,
    /// which then matches no file's and has the file read again (and its bytes compared).
    pub mtime_ns: i64,
    /// The 128-bit file hash, high half first; meaningful only when `hashed`.
    pub hash: [u64; 2],
    /// Articles indexed from the file.
    pub articles: u32,
    /// False for a file recorded without a hash (skipped as unreadable text).
    pub hashed: bool,
    /// Whether this run has walked the file.
    pub seen: bool,
}

/// The stand-in for a modification time too far from 1970 for 64 bits of nanoseconds.
pub const FAR_MTIME: i64 = i64::MIN;

/// One file: its key, and its record (`None` once this run removed it).
type Entry = (PathKey, Option<KnownFile>);

/// The committed files, sorted by key, with where each key prefix starts.
#[derive(Debug, Default)]
pub struct KnownFiles {
    entries: Vec<Entry>,
    /// `starts[b]..starts[b + 1]` holds the keys whose top `prefix_bits` bits are `b`.
    starts: Vec<u32>,
    prefix_bits: u32,
    live: usize,
}

impl KnownFiles {
    /// The table of a journal's records in the order they were written: a later record of a
    /// key replaces an earlier one, and `None` (a removal) drops it.
    pub fn from_journal_order(mut entries: Vec<Entry>) -> Result<KnownFiles> {
        if entries.len() > u32::MAX as usize {
            return Err(Error::Usage(format!(
                "{} manifest records: more than this newsdex can hold",
                entries.len()
            )));
        }
        // Stable: of the records of one key, the last written stays last.
        entries.sort_by_key(|(key, _)| *key);
        let mut kept = 0;
        for i in 0..entries.len() {
            let last_of_its_key = entries.get(i + 1).is_none_or(|next| next.0 != entries[i].0);
            if last_of_its_key && entries[i].1.is_some() {
                entries[kept] = entries[i];
                kept += 1;
            }
        }
        entries.truncate(kept);
        entries.shrink_to_fit();
        // About four files a prefix: one table word for four records.
        let prefix_bits = (kept / 4).max(1).next_power_of_two().trailing_zeros();
        let mut starts = Vec::with_capacity((1 << prefix_bits) + 1);
        let mut at = 0;
        for prefix in 0..(1u64 << prefix_bits) {
            while at < kept && Self::prefix(entries[at].0, prefix_bits) < prefix {
                at += 1;
            }
            starts.push(at as u32);
        }
        starts.push(kept as u32);
        Ok(KnownFiles { entries, starts, prefix_bits, live: kept })
    }

    fn prefix(key: PathKey, bits: u32) -> u64 {
        key[0].checked_shr(64 - bits).unwrap_or(0)
    }

    fn position(&self, key: PathKey) -> Option<usize> {
        let prefix = Self::prefix(key, self.prefix_bits) as usize;
        let (from, to) = (*self.starts.get(prefix)? as usize, self.starts[prefix + 1] as usize);
        self.entries[from..to].binary_search_by_key(&key, |(k, _)| *k).ok().map(|i| from + i)
    }

    /// The record of `key`, unless unknown or removed.
    pub fn get_mut(&mut self, key: PathKey) -> Option<&mut KnownFile> {
        let at = self.position(key)?;
        self.entries[at].1.as_mut()
    }

    /// Forgets `key` (its file was removed from the index).
    pub fn remove(&mut self, key: PathKey) {
        if let Some(at) = self.position(key)
            && self.entries[at].1.take().is_some()
        {
            self.live -= 1;
        }
    }

    /// Files known and not removed.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether `key` is a known file (not removed).
    pub fn contains(&self, key: PathKey) -> bool {
        self.position(key).is_some_and(|at| self.entries[at].1.is_some())
    }

    /// Whether `key` is a file this run has not met (and not removed).
    pub fn is_unseen(&self, key: PathKey) -> bool {
        self.position(key).is_some_and(|at| self.entries[at].1.is_some_and(|k| !k.seen))
    }

    /// The keys of the files this run has not met.
    pub fn unseen(&self) -> impl Iterator<Item = PathKey> + '_ {
        self.entries.iter().filter(|(_, known)| known.is_some_and(|k| !k.seen)).map(|(key, _)| *key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(size: u64) -> KnownFile {
        KnownFile { size, mtime_ns: 1, hash: [2, 3], articles: 4, hashed: true, seen: false }
    }

    #[test]
    fn the_last_record_of_a_path_wins_and_a_removal_drops_it() {
        let [a, b, c] = ["a.txt", "b.txt", "c.txt"].map(path_key);
        let journal =
            vec![(a, Some(known(1))), (b, Some(known(2))), (a, Some(known(3))), (b, None), (c, None)];
        let mut files = KnownFiles::from_journal_order(journal).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files.get_mut(a).copied(), Some(known(3)));
        assert_eq!(files.get_mut(b), None);
        assert_eq!(files.get_mut(c), None);
        assert_eq!(files.unseen().collect::<Vec<_>>(), [a]);
        assert!(files.is_unseen(a) && !files.is_unseen(b));
        assert!(files.contains(a) && !files.contains(b) && !files.contains(c));
        files.get_mut(a).unwrap().seen = true;
        assert_eq!(files.unseen().count(), 0);
        assert!(!files.is_unseen(a));
        files.remove(a);
        files.remove(a);
        assert_eq!((files.len(), files.get_mut(a)), (0, None));
    }

    #[test]
    fn every_file_of_a_large_table_is_found_and_strangers_are_not() {
        let paths: Vec<String> = (0..50_000).map(|n| format!("/corpus/{}/{n}.json", n % 97)).collect();
        let journal = paths.iter().enumerate().map(|(n, p)| (path_key(p), Some(known(n as u64)))).collect();
        let mut files = KnownFiles::from_journal_order(journal).unwrap();
        assert_eq!(files.len(), 50_000);
        for (n, path) in paths.iter().enumerate() {
            assert_eq!(files.get_mut(path_key(path)).map(|k| k.size), Some(n as u64), "{path}");
        }
        assert!((0..1000).all(|n| files.get_mut(path_key(&format!("/elsewhere/{n}"))).is_none()));
        assert_eq!(std::mem::size_of::<Entry>(), 56);
    }

    #[test]
    fn an_empty_table_and_a_table_of_one_answer() {
        let mut empty = KnownFiles::from_journal_order(Vec::new()).unwrap();
        assert_eq!((empty.len(), empty.get_mut(path_key("x"))), (0, None));
        let mut one = KnownFiles::from_journal_order(vec![(path_key("x"), Some(known(7)))]).unwrap();
        assert_eq!(one.get_mut(path_key("x")).map(|k| k.size), Some(7));
        assert_eq!(one.get_mut(path_key("y")), None);
    }
}
