//! The one place articles enter the index. Many parsing threads call [`ArticleSink::add`]
//! at once; the sink keeps ids unique and exact duplicates out, deterministically whatever
//! order the threads arrive in, and replaces an article already in the index under the same
//! id instead of adding a second copy.

use std::collections::HashMap;
use std::sync::Mutex;

use tantivy::schema::Term;
use tantivy::{IndexWriter, TantivyDocument};

use super::document::to_document;
use super::{Fields, NewsIndex};
use crate::article::Article;
use crate::error::{Error, Result};

/// What became of an article handed to the sink.
#[derive(Debug, Clone, PartialEq)]
pub enum Added {
    /// Written to the index.
    Indexed,
    /// Left out: the same text is indexed under `kept` (the smaller id of the two wins).
    Duplicate {
        /// The id that stays in the index.
        kept: String,
        /// The id that was left out.
        dropped: String,
    },
    /// Its id was already taken by a different text in this run; written under `id`.
    Renamed {
        /// The id it was written under.
        id: String,
    },
}

/// Shared state of one indexing run: which text and which ids are in it.
#[derive(Default)]
struct Seen {
    by_content: HashMap<u128, String>,
    ids: HashMap<String, u128>,
}

/// Writes articles into an index, from many threads.
pub struct ArticleSink {
    writer: IndexWriter<TantivyDocument>,
    fields: Fields,
    replace_existing: bool,
    seen: Mutex<Seen>,
}

impl ArticleSink {
    /// Opens the index's writer with `heap_mb` of indexing memory over `threads` threads.
    /// Fails at once, naming the lock, when another process is writing the same index.
    pub fn new(index: &NewsIndex, heap_mb: usize, threads: usize) -> Result<Self> {
        let threads = threads.clamp(1, 8);
        let heap = (heap_mb.max(16 * threads)) * 1024 * 1024;
        let writer = index
            .index
            .writer_with_num_threads(threads, heap)
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => Error::Locked(index.path.clone()),
                other => Error::Engine(other),
            })?;
        let replace_existing = index.index.reader()?.searcher().num_docs() > 0;
        Ok(ArticleSink {
            writer,
            fields: index.fields,
            replace_existing,
            seen: Mutex::default(),
        })
    }

    /// Adds one article, keeping ids unique and exact duplicates out.
    pub fn add(&self, mut article: Article) -> Result<Added> {
        let content = u128::from_str_radix(&article.content_hash, 16).unwrap_or_default();
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(kept) = seen.by_content.get(&content).cloned() {
            if kept <= article.id {
                return Ok(Added::Duplicate {
                    kept,
                    dropped: article.id,
                });
            }
            // The newcomer's id sorts first: it replaces the copy written earlier, so the
            // same copy is kept whatever order the parsing threads finished in.
            self.writer
                .delete_term(Term::from_field_text(self.fields.id, &kept));
            seen.ids.remove(&kept);
            seen.by_content.insert(content, article.id.clone());
            seen.ids.insert(article.id.clone(), content);
            self.write(&article)?;
            return Ok(Added::Duplicate {
                kept: article.id,
                dropped: kept,
            });
        }
        let mut outcome = Added::Indexed;
        if seen.ids.contains_key(&article.id) {
            article.id = format!("{}#{}", article.id, &article.content_hash[..12]);
            outcome = Added::Renamed {
                id: article.id.clone(),
            };
        }
        seen.by_content.insert(content, article.id.clone());
        seen.ids.insert(article.id.clone(), content);
        self.write(&article)?;
        Ok(outcome)
    }

    fn write(&self, article: &Article) -> Result<()> {
        if self.replace_existing {
            self.writer
                .delete_term(Term::from_field_text(self.fields.id, &article.id));
        }
        self.writer
            .add_document(to_document(&self.fields, article))?;
        Ok(())
    }

    /// Makes everything added so far durable and visible to searches.
    pub fn commit(mut self) -> Result<()> {
        self.writer.commit()?;
        self.writer.wait_merging_threads()?;
        Ok(())
    }
}
