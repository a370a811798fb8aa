//! The manifest: which files the index holds, with their size, modification time, content
//! hash and article count, so that a re-run reads only new and changed files.
//!
//! It is an append-only journal in the index folder (`manifest.journal.gz`): each commit
//! appends its records as one gzip member (paths compress about fourfold). Each index commit
//! carries, as its tantivy payload, the journal length at that commit: the committed manifest
//! is the journal's prefix of that length, a whole number of members. Records appended after
//! the last commit (a run killed before committing) lie beyond it and are ignored, exactly like
//! the documents that commit did not include, so the manifest and the index can never
//! disagree.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;

use crate::error::{Error, Result};

/// The journal's file name in the index folder.
pub const JOURNAL: &str = "manifest.journal.gz";
const PAYLOAD_PREFIX: &str = "newsdex-manifest-v2 ";

/// What the manifest knows of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRecord {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: i128,
    /// BLAKE3 of the file's bytes (128 bits, hex).
    pub hash: String,
    /// Articles indexed from it.
    pub articles: u32,
}

/// The committed manifest plus the records staged for the next commit.
///
/// Memory holds only the files committed before this run, compactly, each with whether this
/// run has met it: a file new to this run is walked once, so its record only goes to the
/// journal. A first run over a million files thus keeps no per-file memory here.
#[derive(Debug)]
pub struct Manifest {
    path: PathBuf,
    files: HashMap<Box<str>, Known>,
    /// Files this run added (committed), on top of `files`.
    added: usize,
    staged: Vec<(String, Option<FileRecord>)>,
    committed_len: u64,
}

/// A committed record as memory keeps it, in 40 bytes: the hash as two numbers (a `u128`
/// aligns the record to 16 bytes, and an `Option` of one took 32), the modification time in
/// 64 bits. The 64-byte record it replaces took 64 MiB more to re-index a million files.
#[derive(Debug, Clone, Copy)]
struct Known {
    size: u64,
    /// Nanoseconds since the epoch; [`FAR_MTIME`] for a time outside the years 1678 to 2261,
    /// which then matches no file's and has the file read again (and its bytes compared).
    mtime_ns: i64,
    /// The 128-bit file hash, high half first; meaningful only when `hashed`.
    hash: [u64; 2],
    articles: u32,
    /// False for a file recorded without a hash (skipped as unreadable text).
    hashed: bool,
    /// Whether this run has walked the file.
    seen: bool,
}

/// The stand-in for a modification time too far from 1970 for 64 bits of nanoseconds.
const FAR_MTIME: i64 = i64::MIN;

impl Known {
    fn new(record: &FileRecord) -> Option<Known> {
        let (hash, hashed) = match record.hash.as_str() {
            "" => (0, false),
            hex if hex.len() == 32 => (u128::from_str_radix(hex, 16).ok()?, true),
            _ => return None,
        };
        Some(Known {
            size: record.size,
            mtime_ns: i64::try_from(record.mtime_ns).unwrap_or(FAR_MTIME),
            hash: [(hash >> 64) as u64, hash as u64],
            articles: record.articles,
            hashed,
            seen: false,
        })
    }

    fn record(&self) -> FileRecord {
        let hash = (u128::from(self.hash[0]) << 64) | u128::from(self.hash[1]);
        FileRecord {
            size: self.size,
            mtime_ns: i128::from(self.mtime_ns),
            hash: if self.hashed { format!("{hash:032x}") } else { String::new() },
            articles: self.articles,
        }
    }
}

impl Manifest {
    /// Loads the manifest of the index in `dir` as of the commit whose payload is `payload`.
    pub fn load(dir: &Path, payload: Option<&str>) -> Result<Self> {
        let path = dir.join(JOURNAL);
        let committed_len = Payload::parse(payload).journal_len;
        let mut files = HashMap::new();
        if committed_len > 0 {
            let file = File::open(&path).map_err(|e| Error::io(&path, e))?;
            let reader = BufReader::new(MultiGzDecoder::new(BufReader::new(file.take(committed_len))));
            for (n, line) in reader.lines().enumerate() {
                let line = line.map_err(|e| Error::io(&path, e))?;
                let bad = || Error::Config {
                    file: path.display().to_string(),
                    reason: format!("line {}: not a manifest record", n + 1),
                };
                let (file_path, record) = parse_line(&line).ok_or_else(bad)?;
                match record {
                    Some(r) => files.insert(file_path.into_boxed_str(), Known::new(&r).ok_or_else(bad)?),
                    None => files.remove(file_path.as_str()),
                };
            }
        }
        Ok(Manifest { path, files, added: 0, staged: Vec::new(), committed_len })
    }

    /// The record of `path` committed before this run, marking the file as met by this run.
    pub fn check_in(&mut self, path: &str) -> Option<FileRecord> {
        let known = self.files.get_mut(path)?;
        known.seen = true;
        Some(known.record())
    }

    /// Files committed before this run that it has not met (nor removed), sorted.
    pub fn unseen_paths(&self) -> Vec<String> {
        let mut paths: Vec<String> =
            self.files.iter().filter(|(_, k)| !k.seen).map(|(p, _)| p.to_string()).collect();
        paths.sort();
        paths
    }

    /// Files in the committed manifest.
    pub fn len(&self) -> usize {
        self.files.len() + self.added
    }

    /// True when no file is recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Records `path` as indexed with `record` at the next commit.
    pub fn stage(&mut self, path: String, record: FileRecord) {
        self.staged.push((path, Some(record)));
    }

    /// Records `path` as removed at the next commit.
    pub fn stage_removal(&mut self, path: String) {
        self.staged.push((path, None));
    }

    /// Appends the staged records to the journal, synced to disk, and returns the journal
    /// length that the commit including their documents must carry in its [`Payload`].
    pub fn write_staged(&mut self) -> Result<u64> {
        let mut journal = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(|e| Error::io(&self.path, e))?;
        // A killed run may have left records past the committed length: cut them first.
        journal.set_len(self.committed_len).map_err(|e| Error::io(&self.path, e))?;
        let mut text = String::new();
        for (path, record) in self.staged.drain(..) {
            text.push_str(&format_line(&path, record.as_ref()));
            match (self.files.get_mut(path.as_str()), record) {
                (Some(known), Some(r)) => {
                    let seen = known.seen;
                    *known = Known::new(&r).expect("records are made from file hashes");
                    known.seen = seen;
                }
                (Some(_), None) => {
                    self.files.remove(path.as_str());
                }
                (None, Some(_)) => self.added += 1,
                (None, None) => self.added = self.added.saturating_sub(1),
            }
        }
        let mut member = GzEncoder::new(Vec::new(), Compression::fast());
        member
            .write_all(text.as_bytes())
            .and_then(|()| member.flush())
            .map_err(|e| Error::io(&self.path, e))?;
        let member = member.finish().map_err(|e| Error::io(&self.path, e))?;
        journal.write_all(&member).map_err(|e| Error::io(&self.path, e))?;
        journal.sync_all().map_err(|e| Error::io(&self.path, e))?;
        self.committed_len += member.len() as u64;
        Ok(self.committed_len)
    }
}

/// What each index commit carries: the manifest journal's committed length, and the commit's
/// sequence number (articles remember the commit they entered in, for alerts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Payload {
    /// Bytes of the journal that the commit covers.
    pub journal_len: u64,
    /// 1 for an index's first commit, then counting up.
    pub commit: u64,
    /// Bytes of the sketch journal that the commit covers.
    pub sketches_len: u64,
}

impl Payload {
    /// Reads a commit's payload; an index never committed by newsdex gives zeros.
    pub fn parse(payload: Option<&str>) -> Payload {
        let mut words = payload.and_then(|p| p.strip_prefix(PAYLOAD_PREFIX)).unwrap_or("").split_whitespace();
        let journal_len = words.next().and_then(|n| n.parse().ok()).unwrap_or(0);
        let mut payload = Payload { journal_len, ..Payload::default() };
        while let (Some(key), Some(n)) = (words.next(), words.next()) {
            let n = n.parse().unwrap_or(0);
            match key {
                "commit" => payload.commit = n,
                "sketches" => payload.sketches_len = n,
                _ => {}
            }
        }
        payload
    }
}

impl std::fmt::Display for Payload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{PAYLOAD_PREFIX}{} commit {} sketches {}",
            self.journal_len, self.commit, self.sketches_len
        )
    }
}

/// Paths are written with `%`, tab and newline escaped, so any file name fits on one line.
fn escape(path: &str) -> String {
    path.replace('%', "%25").replace('\t', "%09").replace('\n', "%0A").replace('\r', "%0D")
}

fn unescape(path: &str) -> String {
    path.replace("%0D", "\r").replace("%0A", "\n").replace("%09", "\t").replace("%25", "%")
}

fn format_line(path: &str, record: Option<&FileRecord>) -> String {
    match record {
        Some(r) => format!("+\t{}\t{}\t{}\t{}\t{}\n", escape(path), r.size, r.mtime_ns, r.hash, r.articles),
        None => format!("-\t{}\n", escape(path)),
    }
}

fn parse_line(line: &str) -> Option<(String, Option<FileRecord>)> {
    let mut parts = line.split('\t');
    match (parts.next()?, parts.next()?) {
        ("-", path) => Some((unescape(path), None)),
        ("+", path) => {
            let record = FileRecord {
                size: parts.next()?.parse().ok()?,
                mtime_ns: parts.next()?.parse().ok()?,
                hash: parts.next()?.to_string(),
                articles: parts.next()?.parse().ok()?,
            };
            Some((unescape(path), Some(record)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(size: u64) -> FileRecord {
        FileRecord {
            size,
            mtime_ns: -5,
            hash: format!("{:032x}", u128::from(size) << 100 | 0xab),
            articles: 2,
        }
    }

    #[test]
    fn only_the_committed_prefix_counts() {
        let dir = tempfile::tempdir().unwrap();
        let mut manifest = Manifest::load(dir.path(), None).unwrap();
        manifest.stage("a\tb.txt".into(), record(1));
        manifest.stage("c.txt".into(), record(2));
        let payload =
            Payload { journal_len: manifest.write_staged().unwrap(), commit: 1, ..Payload::default() }
                .to_string();
        manifest.stage_removal("c.txt".into());
        manifest.stage("d.txt".into(), record(4));
        let _uncommitted = manifest.write_staged().unwrap();
        let mut at_first_commit = Manifest::load(dir.path(), Some(&payload)).unwrap();
        assert_eq!(at_first_commit.len(), 2);
        assert_eq!(at_first_commit.check_in("a\tb.txt"), Some(record(1)));
        assert_eq!(at_first_commit.check_in("d.txt"), None);
        // A new run from the first commit cuts the uncommitted tail before appending.
        let mut resumed = at_first_commit;
        resumed.stage("e.txt".into(), record(5));
        let payload =
            Payload { journal_len: resumed.write_staged().unwrap(), commit: 2, ..Payload::default() }
                .to_string();
        assert_eq!(Payload::parse(Some(&payload)).commit, 2);
        // Only what the run found committed stays in memory: "e.txt" is in the journal alone.
        assert_eq!(resumed.unseen_paths(), ["c.txt"]);
        assert_eq!(resumed.len(), 3);
        let reloaded = Manifest::load(dir.path(), Some(&payload)).unwrap();
        assert_eq!(reloaded.unseen_paths(), ["a\tb.txt", "c.txt", "e.txt"]);
    }

    #[test]
    fn a_record_without_a_file_hash_is_kept_and_a_malformed_one_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut manifest = Manifest::load(dir.path(), None).unwrap();
        let unhashed = FileRecord { size: 3, mtime_ns: 7, hash: String::new(), articles: 0 };
        manifest.stage("binary.bin".into(), unhashed.clone());
        let payload =
            Payload { journal_len: manifest.write_staged().unwrap(), commit: 1, ..Payload::default() }
                .to_string();
        let mut reloaded = Manifest::load(dir.path(), Some(&payload)).unwrap();
        assert_eq!(reloaded.check_in("binary.bin"), Some(unhashed));
        let bad = FileRecord { size: 3, mtime_ns: 7, hash: "not hex".into(), articles: 0 };
        reloaded.stage("other.txt".into(), bad);
        let payload =
            Payload { journal_len: reloaded.write_staged().unwrap(), commit: 2, ..Payload::default() }
                .to_string();
        let err = Manifest::load(dir.path(), Some(&payload)).unwrap_err().to_string();
        assert!(err.contains("line 2: not a manifest record"), "{err}");
    }

    #[test]
    fn escaping_round_trips() {
        for path in ["plain.txt", "we%ird\tna\nme\r.txt", "%09"] {
            let line = format_line(path, Some(&record(1)));
            assert_eq!(parse_line(line.trim_end_matches('\n')).unwrap().0, path);
        }
    }

    #[test]
    fn records_come_back_exact_in_forty_bytes_and_a_far_off_time_never_matches() {
        assert_eq!(std::mem::size_of::<Known>(), 40);
        let full = FileRecord { size: u64::MAX, mtime_ns: -1, hash: "f".repeat(32), articles: u32::MAX };
        assert_eq!(Known::new(&full).unwrap().record(), full);
        let far = FileRecord { mtime_ns: i128::from(i64::MAX) + 1, ..record(9) };
        let kept = Known::new(&far).unwrap().record();
        assert_eq!(kept, FileRecord { mtime_ns: i128::from(i64::MIN), ..far.clone() });
        assert_ne!(kept.mtime_ns, far.mtime_ns, "the file will be read again and its bytes compared");
    }
}
