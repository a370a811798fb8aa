//! The sketches of the committed articles, kept beside the index instead of in it, so that a
//! later run can group its new articles with the stories already indexed.
//!
//! They used to be 16 band terms per article in tantivy's term dictionaries: almost every one
//! unique, they were most of the dictionaries' terms, about a tenth of the indexing time and
//! 8 MB of a 30,000-article index. Here each new text adds one fixed-size record (its content
//! hash, its story and its sketch, 96 bytes) to an append-only file, `sketches.journal`, and a
//! run that needs them reads them back into its [`super::run_memory::RunMemory`]. The story is
//! in the record so that a new version joins it without reading the old one's stored document:
//! reading them mapped most of the document store into memory when a run added half a
//! million articles to an index of as many (600 MB of store pages).
//!
//! Like the manifest, the journal is committed with the index: each commit's payload carries
//! the journal length it covers, and records past it (a run killed before its commit) are cut
//! before anything is appended. A record whose article was deleted since stays in the file;
//! whoever reads it checks that its text is still indexed.

use std::fs::{File, OpenOptions};
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::extract::neardup::{SKETCH_LEN, Sketch};

/// The journal's file name in the index folder.
pub const SKETCH_JOURNAL: &str = "sketches.journal";
/// Bytes per record: the content hash's 128 bits, the story's, then the sketch's values, all
/// little-endian.
const RECORD: usize = 16 + 16 + 2 * SKETCH_LEN;

/// One committed article's text, by its content hash, its story and its sketch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SketchRecord {
    /// The article's content hash as a number (the hex text of [`crate::article::content_hash`]).
    pub content: u128,
    /// Its story: the content hash of the story's first version, as a number.
    pub story: u128,
    /// Its near-duplicate sketch.
    pub sketch: Sketch,
}

/// The committed journal plus the records staged for the next commit.
#[derive(Debug)]
pub struct SketchJournal {
    path: PathBuf,
    committed_len: u64,
    staged: Vec<u8>,
}

impl SketchJournal {
    /// The journal of the index in `dir`, of which the last commit covers `committed_len`
    /// bytes. Fails when the file is shorter than that: the index would have lost the
    /// sketches of articles it holds.
    pub fn open(dir: &Path, committed_len: u64) -> Result<Self> {
        let path = dir.join(SKETCH_JOURNAL);
        let on_disk = match std::fs::metadata(&path) {
            Ok(meta) => meta.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(e) => return Err(Error::io(&path, e)),
        };
        if on_disk < committed_len || !committed_len.is_multiple_of(RECORD as u64) {
            return Err(Error::io(
                &path,
                std::io::Error::other(format!(
                    "{on_disk} bytes on disk, but the last commit covers {committed_len}: \
                     the file was truncated or replaced; rebuild the index with --rebuild"
                )),
            ));
        }
        Ok(SketchJournal { path, committed_len, staged: Vec::new() })
    }

    /// Records committed before this run.
    pub fn committed_records(&self) -> u64 {
        self.committed_len / RECORD as u64
    }

    /// Stages a new text's record for the next commit: its content hash and story as numbers.
    pub fn stage(&mut self, content: u128, story: u128, sketch: &Sketch) {
        self.staged.extend_from_slice(&content.to_le_bytes());
        self.staged.extend_from_slice(&story.to_le_bytes());
        for value in sketch.0 {
            self.staged.extend_from_slice(&value.to_le_bytes());
        }
    }

    /// Appends the staged records, synced to disk, and returns the length that the commit
    /// including their documents must carry in its payload.
    pub fn write_staged(&mut self) -> Result<u64> {
        if self.staged.is_empty() {
            return Ok(self.committed_len);
        }
        let io = |e| Error::io(&self.path, e);
        let mut file = OpenOptions::new().create(true).append(true).open(&self.path).map_err(io)?;
        // A killed run may have left records past the committed length: cut them first.
        file.set_len(self.committed_len).map_err(io)?;
        file.write_all(&self.staged).map_err(io)?;
        file.sync_all().map_err(io)?;
        self.committed_len += self.staged.len() as u64;
        self.staged.clear();
        Ok(self.committed_len)
    }

    /// Hands the last `at_most` committed records to `visit`, oldest first, one at a time (a
    /// million of them would take 80 MB at once).
    pub fn visit_last(&self, at_most: u64, mut visit: impl FnMut(SketchRecord)) -> Result<()> {
        let records = self.committed_records();
        let skip = records.saturating_sub(at_most);
        if skip == records {
            return Ok(());
        }
        let io = |e| Error::io(&self.path, e);
        let mut file = File::open(&self.path).map_err(io)?;
        std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(skip * RECORD as u64)).map_err(io)?;
        let mut reader = BufReader::with_capacity(1 << 20, file.take((records - skip) * RECORD as u64));
        let mut record = [0u8; RECORD];
        for _ in skip..records {
            reader.read_exact(&mut record).map_err(io)?;
            visit(parse_record(&record));
        }
        Ok(())
    }
}

fn parse_record(record: &[u8; RECORD]) -> SketchRecord {
    let content = u128::from_le_bytes(record[..16].try_into().expect("16 bytes"));
    let story = u128::from_le_bytes(record[16..32].try_into().expect("16 bytes"));
    let mut sketch = [0u16; SKETCH_LEN];
    for (value, bytes) in sketch.iter_mut().zip(record[32..].chunks_exact(2)) {
        *value = u16::from_le_bytes([bytes[0], bytes[1]]);
    }
    SketchRecord { content, story, sketch: Sketch(sketch) }
}

/// The hex text of a record's content hash or story, as the index stores them.
pub fn content_hex(content: u128) -> String {
    format!("{content:032x}")
}

/// The number of a hex content hash or story; `None` for text that is not 32 hex digits
/// (every content hash newsdex writes is).
pub fn content_number(hex: &str) -> Option<u128> {
    if hex.len() == 32 { u128::from_str_radix(hex, 16).ok() } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::neardup::sketch;

    const HASH_A: &str = "00ff0a0b0c0d0e0f1011121314151617";
    const HASH_B: &str = "ffffffffffffffffffffffffffffff01";

    fn read_last(journal: &SketchJournal, at_most: u64) -> Vec<SketchRecord> {
        let mut out = Vec::new();
        journal.visit_last(at_most, |record| out.push(record)).unwrap();
        out
    }

    fn sketch_of(text: &str) -> Sketch {
        sketch(text).expect("long enough for a sketch")
    }

    #[test]
    fn records_come_back_as_written_and_only_the_committed_ones() {
        let dir = tempfile::tempdir().unwrap();
        let a = sketch_of(
            "Kerry and Lavrov met in Geneva on Friday to agree a ceasefire for Aleppo and the north",
        );
        let b = sketch_of(
            "An aid convoy waited at the Turkish border for a second day as shelling went on nearby",
        );
        let [hash_a, hash_b] = [HASH_A, HASH_B].map(|h| content_number(h).unwrap());
        let mut journal = SketchJournal::open(dir.path(), 0).unwrap();
        journal.stage(hash_a, hash_b, &a);
        let first = journal.write_staged().unwrap();
        assert_eq!(first, RECORD as u64);
        // A run that stages a record and dies before its commit: the next open ignores it,
        // and the next append cuts it.
        journal.stage(hash_b, hash_b, &b);
        journal.write_staged().unwrap();
        let mut resumed = SketchJournal::open(dir.path(), first).unwrap();
        assert_eq!(resumed.committed_records(), 1);
        let read = read_last(&resumed, 10);
        assert_eq!(read, [SketchRecord { content: hash_a, story: hash_b, sketch: a.clone() }]);
        assert_eq!(
            (content_hex(read[0].content), content_hex(read[0].story)),
            (HASH_A.into(), HASH_B.into())
        );
        resumed.stage(hash_b, hash_b, &b);
        let second = resumed.write_staged().unwrap();
        assert_eq!(second, 2 * RECORD as u64);
        let both = SketchJournal::open(dir.path(), second).unwrap();
        let contents: Vec<String> = read_last(&both, 10).iter().map(|r| content_hex(r.content)).collect();
        assert_eq!(contents, [HASH_A, HASH_B]);
        assert_eq!(read_last(&both, 1)[0].sketch, b);
        assert!(read_last(&both, 0).is_empty());
        assert_eq!(content_number(&"z".repeat(32)), None);
        assert_eq!(content_number("abc"), None);
    }

    #[test]
    fn a_journal_shorter_than_its_commit_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let error = SketchJournal::open(dir.path(), RECORD as u64).unwrap_err().to_string();
        assert!(error.contains(SKETCH_JOURNAL) && error.contains("--rebuild"), "{error}");
    }
}
