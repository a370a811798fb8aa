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

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;

use super::known_files::{FAR_MTIME, KnownFile, KnownFiles, path_key};
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
/// run has met it (see [`KnownFiles`]): a file new to this run is walked once, so its record
/// only goes to the journal. A first run over a million files thus keeps no per-file memory
/// here.
#[derive(Debug)]
pub struct Manifest {
    path: PathBuf,
    files: KnownFiles,
    /// Files this run added (committed), on top of `files`.
    added: usize,
    staged: Vec<(String, Option<FileRecord>)>,
    committed_len: u64,
}

impl KnownFile {
    /// The record as memory keeps it; `None` for a hash that is not 32 hex digits.
    fn new(record: &FileRecord) -> Option<KnownFile> {
        let (hash, hashed) = match record.hash.as_str() {
            "" => (0, false),
            hex if hex.len() == 32 => (u128::from_str_radix(hex, 16).ok()?, true),
            _ => return None,
        };
        Some(KnownFile {
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
        let mut records = Vec::new();
        read_journal(&path, committed_len, |line, file_path, record| {
            let known = match record {
                Some(r) => Some(KnownFile::new(&r).ok_or_else(|| not_a_record(&path, line))?),
                None => None,
            };
            records.push((path_key(&file_path), known));
            Ok(())
        })?;
        let files = KnownFiles::from_journal_order(records)?;
        Ok(Manifest { path, files, added: 0, staged: Vec::new(), committed_len })
    }

    /// The record of `path` committed before this run, marking the file as met by this run.
    pub fn check_in(&mut self, path: &str) -> Option<FileRecord> {
        let known = self.files.get_mut(path_key(path))?;
        known.seen = true;
        Some(known.record())
    }

    /// Whether `path` was committed before this run (and not removed since).
    pub fn committed_before_the_run(&self, path: &str) -> bool {
        self.files.contains(path_key(path))
    }

    /// Files committed before this run that it has not met (nor removed), of those whose path
    /// is `wanted`, sorted. Memory holds keys, not paths: the paths are read back from the
    /// journal, when some file was not met.
    pub fn unseen_paths(&self, wanted: impl Fn(&str) -> bool) -> Result<Vec<String>> {
        let mut paths = BTreeSet::new();
        if self.files.unseen().next().is_some() {
            read_journal(&self.path, self.committed_len, |_, file_path, record| {
                if record.is_some() && wanted(&file_path) && self.files.is_unseen(path_key(&file_path)) {
                    paths.insert(file_path);
                }
                Ok(())
            })?;
        }
        Ok(paths.into_iter().collect())
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
    /// length that the commit including their documents must carry in its [`Payload`]: the
    /// three steps of a commit at once, for callers that hold the manifest alone (the tests;
    /// the sink takes them one by one, to write without the manifest's lock).
    pub fn write_staged(&mut self) -> Result<u64> {
        let append = self.take_staged();
        let len = append.write()?;
        self.appended(len);
        Ok(len)
    }

    /// Takes the staged records out as the journal's next member, counting them as committed:
    /// [`JournalAppend::write`] can then compress and sync it without the manifest's lock,
    /// which parsing threads take to look their files up. Only the commit under way writes to
    /// the journal, so nothing else appends meanwhile.
    pub fn take_staged(&mut self) -> JournalAppend {
        let records = std::mem::take(&mut self.staged);
        for (path, record) in &records {
            let key = path_key(path);
            match (self.files.get_mut(key), record) {
                (Some(known), Some(r)) => {
                    let seen = known.seen;
                    *known = KnownFile::new(r).expect("records are made from file hashes");
                    known.seen = seen;
                }
                (Some(_), None) => self.files.remove(key),
                (None, Some(_)) => self.added += 1,
                (None, None) => self.added = self.added.saturating_sub(1),
            }
        }
        JournalAppend { path: self.path.clone(), committed_len: self.committed_len, records }
    }

    /// Records the journal's length once [`JournalAppend::write`] has returned it.
    pub fn appended(&mut self, len: u64) {
        self.committed_len = len;
    }
}

/// The staged records of one commit, taken out of the manifest, to be appended to its journal.
#[derive(Debug)]
pub struct JournalAppend {
    path: PathBuf,
    committed_len: u64,
    records: Vec<(String, Option<FileRecord>)>,
}

impl JournalAppend {
    /// Appends the records as one gzip member, synced to disk, after cutting what a killed run
    /// may have left past the committed length; returns the journal's new length.
    pub fn write(self) -> Result<u64> {
        let mut journal = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(|e| Error::io(&self.path, e))?;
        journal.set_len(self.committed_len).map_err(|e| Error::io(&self.path, e))?;
        let text: String =
            self.records.iter().map(|(path, record)| format_line(path, record.as_ref())).collect();
        let mut member = GzEncoder::new(Vec::new(), Compression::fast());
        member
            .write_all(text.as_bytes())
            .and_then(|()| member.flush())
            .map_err(|e| Error::io(&self.path, e))?;
        let member = member.finish().map_err(|e| Error::io(&self.path, e))?;
        journal.write_all(&member).map_err(|e| Error::io(&self.path, e))?;
        journal.sync_all().map_err(|e| Error::io(&self.path, e))?;
        Ok(self.committed_len + member.len() as u64)
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

/// Calls `each` with the line number, path and record (`None`: removed) of each record in
/// the first `len` bytes of the journal at `path`, in the order they were written.
fn read_journal(
    path: &Path,
    len: u64,
    mut each: impl FnMut(usize, String, Option<FileRecord>) -> Result<()>,
) -> Result<()> {
    if len == 0 {
        return Ok(());
    }
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let reader = BufReader::new(MultiGzDecoder::new(BufReader::new(file.take(len))));
    for (n, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| Error::io(path, e))?;
        let (file_path, record) = parse_line(&line).ok_or_else(|| not_a_record(path, n + 1))?;
        each(n + 1, file_path, record)?;
    }
    Ok(())
}

fn not_a_record(path: &Path, line: usize) -> Error {
    Error::Config { file: path.display().to_string(), reason: format!("line {line}: not a manifest record") }
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
        assert_eq!(resumed.unseen_paths(|_| true).unwrap(), ["c.txt"]);
        assert_eq!(resumed.len(), 3);
        let reloaded = Manifest::load(dir.path(), Some(&payload)).unwrap();
        assert_eq!(reloaded.unseen_paths(|_| true).unwrap(), ["a\tb.txt", "c.txt", "e.txt"]);
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
        assert_eq!(std::mem::size_of::<KnownFile>(), 40);
        let full = FileRecord { size: u64::MAX, mtime_ns: -1, hash: "f".repeat(32), articles: u32::MAX };
        assert_eq!(KnownFile::new(&full).unwrap().record(), full);
        let far = FileRecord { mtime_ns: i128::from(i64::MAX) + 1, ..record(9) };
        let kept = KnownFile::new(&far).unwrap().record();
        assert_eq!(kept, FileRecord { mtime_ns: i128::from(i64::MIN), ..far.clone() });
        assert_ne!(kept.mtime_ns, far.mtime_ns, "the file will be read again and its bytes compared");
    }
}
