//! The index on disk: creating and opening it (with the schema version check), turning
//! articles into tantivy documents, and writing them. Only this module and `query` know
//! tantivy.

pub mod document;
mod known_files;
pub mod manifest;
mod news_words;
mod read_directory;
mod run_memory;
pub mod schema;
mod seen;
mod sink;
mod sketch_journal;
mod stem_cache;

pub use manifest::FileRecord;
pub use schema::{Fields, SchemaSpec};
pub use sink::{ArticleSink, Committed, FileOutcome, RUN_MEMORY_LIMIT};

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use tantivy::directory::MmapDirectory;
use tantivy::{Index, IndexReader, ReloadPolicy, Searcher};

use crate::error::{Error, Result};

/// The file in the index folder that records which newsdex schema built it.
const META_FILE: &str = "newsdex-meta.json";

#[derive(Debug, Serialize, Deserialize)]
struct IndexMeta {
    schema_version: u32,
    created_by: String,
    /// What extracted the entities of the articles in the index ("model <id>", "rules",
    /// "none"); recorded by the first run, so later runs cannot mix two extractors' facets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    entities: Option<String>,
}

/// An open newsdex index with its resolved fields.
pub struct NewsIndex {
    /// The tantivy index, tokenizers registered.
    pub index: Index,
    /// Handles to the fields.
    pub fields: Fields,
    /// The folder it lives in.
    pub path: PathBuf,
    /// The reader behind [`NewsIndex::searcher`], opened at the first search.
    snapshot: OnceLock<Snapshot>,
}

/// Blocks of stored articles (128 KB each, decompressed) the shared reader keeps per segment.
/// tantivy's default of 100 was kept by a reader of one question; kept for a whole `batch`, it
/// raised the anonymous memory of the bench's 210 queries to 136 MB, against 40 MB with 16 and
/// 24 MB with none, in the same time (0.43 to 0.59 s with 100, 0.47 and 0.48 with 16).
const STORE_CACHE_BLOCKS: usize = 16;

/// The reader every search of a process shares, and the commit it holds at least.
struct Snapshot {
    reader: IndexReader,
    /// The index's last commit read just before the reader opened it: a commit made in
    /// between can only make the reader's view newer than this.
    commit: u64,
}

impl NewsIndex {
    /// Opens an existing index for searching, refusing one built with another schema.
    pub fn open(path: &Path) -> Result<Self> {
        if !path.join("meta.json").is_file() {
            return Err(Error::NoIndex(path.to_path_buf()));
        }
        let spec = SchemaSpec::builtin()?;
        check_meta(path, &spec)?;
        let index = Index::open_in_dir(path)?;
        let expected = spec.build()?;
        if index.schema() != expected {
            return Err(incompatible(path, "a different field layout", &spec));
        }
        Self::finish(index, spec, path)
    }

    /// Opens the index at `path` for writing, creating it if needed. With `rebuild`, an
    /// existing newsdex index there is emptied first; a folder that holds anything else is
    /// never touched.
    pub fn open_or_create(path: &Path, rebuild: bool) -> Result<Self> {
        let exists = path.join("meta.json").is_file();
        if exists && rebuild {
            if !path.join(META_FILE).is_file() {
                return Err(Error::Usage(format!(
                    "{} holds a search index that newsdex did not make; refusing to delete it",
                    path.display()
                )));
            }
            std::fs::remove_dir_all(path).map_err(|e| Error::io(path, e))?;
        } else if exists {
            return Self::open(path);
        }
        if path.is_dir() && std::fs::read_dir(path).map_err(|e| Error::io(path, e))?.next().is_some() {
            return Err(Error::Usage(format!(
                "{} is a folder that is not empty and holds no newsdex index; choose another --index",
                path.display()
            )));
        }
        create_atomically(path)?;
        Self::open(path)
    }

    /// An empty index in memory, with the shipped schema: for tests and fuzzing of queries.
    pub fn in_memory() -> Result<Self> {
        let spec = SchemaSpec::builtin()?;
        let index = Index::create_in_ram(spec.build()?);
        Self::finish(index, spec, Path::new(":memory:"))
    }

    /// What extracted the entities already in the index, if any run recorded it.
    pub fn entity_extractor(&self) -> Option<String> {
        let text = std::fs::read_to_string(self.path.join(META_FILE)).ok()?;
        serde_json::from_str::<IndexMeta>(&text).ok()?.entities
    }

    /// Makes sure this run extracts entities the way the index's articles were: records
    /// `extractor` on the first run, refuses another one afterwards (facets would mix two
    /// extractors' names). `--rebuild` starts over with the new one.
    pub fn claim_entity_extractor(&self, extractor: &str) -> Result<()> {
        let file = self.path.join(META_FILE);
        let text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
        let mut meta: IndexMeta = serde_json::from_str(&text)
            .map_err(|e| Error::Config { file: file.display().to_string(), reason: e.to_string() })?;
        match &meta.entities {
            Some(recorded) if recorded == extractor => Ok(()),
            Some(recorded) => Err(Error::Usage(format!(
                "{} holds entities extracted by {recorded}; this run would use {extractor}. Re-index \
                 everything with --rebuild, or choose the same extractor (--extractor, --no-entities)",
                self.path.display()
            ))),
            None => {
                meta.entities = Some(extractor.to_string());
                let text = serde_json::to_string_pretty(&meta).expect("meta serialises");
                let tmp = self.path.join(format!(".{META_FILE}.tmp"));
                std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, e))?;
                std::fs::rename(&tmp, &file).map_err(|e| Error::io(&file, e))
            }
        }
    }

    /// The same index opened for the writer, which reads segments with positioned reads
    /// rather than memory maps (see `read_directory`); an index in memory is its own.
    pub fn for_writing(&self) -> Result<Index> {
        if !self.path.join("meta.json").is_file() {
            return Ok(self.index.clone());
        }
        let directory =
            read_directory::ReadDirectory::open(&self.path).map_err(|e| Error::Engine(e.into()))?;
        let mut index = Index::open(directory)?;
        index.set_tokenizers(self.index.tokenizers().clone());
        index.set_fast_field_tokenizers(self.index.fast_field_tokenizer().clone());
        Ok(index)
    }

    /// The searcher every search, count and histogram of this process runs on: the index as
    /// it was at the first of them. Opening a reader maps each segment's files and starts a
    /// thread that watches for commits; `batch` and `run --all` ask many questions in a row,
    /// and each one opened its own (twice, with entity filters), so the pages of the segments
    /// were mapped again and the blocks of stored articles decompressed again every time. The
    /// commands that search never write, so the snapshot is the index they were given.
    pub fn searcher(&self) -> Result<Searcher> {
        Ok(self.snapshot()?.reader.searcher())
    }

    /// The sequence number of the last commit [`NewsIndex::searcher`]'s snapshot holds, at
    /// least (0 for an empty index). An alert records it as seen: an article of a later
    /// commit that the snapshot holds too may be shown again by the next alert, but none is
    /// missed, however many commits other processes make while this one searches.
    pub fn snapshot_commit(&self) -> Result<u64> {
        Ok(self.snapshot()?.commit)
    }

    fn snapshot(&self) -> Result<&Snapshot> {
        if let Some(snapshot) = self.snapshot.get() {
            return Ok(snapshot);
        }
        let commit = manifest::Payload::parse(self.index.load_metas()?.payload.as_deref()).commit;
        let reader: IndexReader = self
            .index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .doc_store_cache_num_blocks(STORE_CACHE_BLOCKS)
            .try_into()?;
        Ok(self.snapshot.get_or_init(|| Snapshot { reader, commit }))
    }

    fn finish(index: Index, spec: SchemaSpec, path: &Path) -> Result<Self> {
        spec.register_tokenizers(&index)?;
        let fields = Fields::resolve(&index.schema())?;
        Ok(NewsIndex { index, fields, path: path.to_path_buf(), snapshot: OnceLock::new() })
    }
}

/// Builds an empty index in a sibling folder and renames it into place, so that a run killed
/// while creating leaves either no index or a whole one.
fn create_atomically(path: &Path) -> Result<()> {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let staging = parent.join(format!(".{name}.creating-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
    let spec = SchemaSpec::builtin()?;
    let dir = MmapDirectory::open(&staging).map_err(|e| Error::Engine(e.into()))?;
    Index::create(dir, spec.build()?, spec.index_settings()?)?;
    let meta = IndexMeta {
        schema_version: spec.version,
        created_by: format!("newsdex {}", env!("CARGO_PKG_VERSION")),
        entities: None,
    };
    let text = serde_json::to_string_pretty(&meta).expect("meta serialises");
    std::fs::write(staging.join(META_FILE), text).map_err(|e| Error::io(staging.join(META_FILE), e))?;
    if path.is_dir() {
        // An empty folder is in the way (checked by the caller): replace it.
        std::fs::remove_dir(path).map_err(|e| Error::io(path, e))?;
    }
    std::fs::rename(&staging, path).map_err(|e| Error::io(path, e))
}

fn check_meta(path: &Path, spec: &SchemaSpec) -> Result<()> {
    let file = path.join(META_FILE);
    let found = match std::fs::read_to_string(&file) {
        Ok(text) => match serde_json::from_str::<IndexMeta>(&text) {
            Ok(meta) if meta.schema_version == spec.version => return Ok(()),
            Ok(meta) => meta.schema_version.to_string(),
            Err(_) => "unreadable".to_string(),
        },
        Err(_) => "none (not a newsdex index)".to_string(),
    };
    Err(incompatible(path, &found, spec))
}

fn incompatible(path: &Path, found: &str, spec: &SchemaSpec) -> Error {
    Error::IncompatibleIndex {
        path: path.to_path_buf(),
        found: found.to_string(),
        expected: spec.version.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use tantivy::{TantivyDocument, doc};

    use super::*;

    #[test]
    fn the_searches_of_a_process_share_one_snapshot_of_the_index() {
        let index = NewsIndex::in_memory().unwrap();
        let id = index.fields.id;
        let mut writer = index.index.writer_with_num_threads::<TantivyDocument>(1, 15_000_000).unwrap();
        let commit = |writer: &mut tantivy::IndexWriter<TantivyDocument>, value: &str, number: u64| {
            writer.add_document(doc!(id => value)).unwrap();
            let mut prepared = writer.prepare_commit().unwrap();
            prepared.set_payload(&manifest::Payload { commit: number, ..Default::default() }.to_string());
            prepared.commit().unwrap();
        };
        commit(&mut writer, "a", 1);
        let first = index.searcher().unwrap();
        assert_eq!(first.num_docs(), 1);
        // Another process commits while this one searches.
        commit(&mut writer, "b", 2);
        // One reader, opened at the first search: the same segments, and their caches.
        let second = index.searcher().unwrap();
        assert_eq!(second.generation().generation_id(), first.generation().generation_id());
        assert_eq!(second.num_docs(), 1, "the snapshot of the first search");
        // An alert records the commit its searches saw, not the newer one: "b" is for the next.
        assert_eq!(index.snapshot_commit().unwrap(), 1);
    }
}
