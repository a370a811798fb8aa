//! What an index holds, for `newsdex stats`: articles, files, sources, date span, undated and
//! sourceless counts, articles listed twice, size on disk, and the last indexing run.

use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;
use tantivy::collector::FacetCollector;
use tantivy::query::AllQuery;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::termdict::TermMerger;
use tantivy::{DocSet, Searcher, TERMINATED};

use super::facets::{Period, date_histogram_of};
use crate::error::{Error, Result};
use crate::index::NewsIndex;

/// The figures of one index.
#[derive(Debug, Serialize)]
pub struct IndexStats {
    /// Where it is.
    pub path: String,
    /// Articles (distinct texts).
    pub articles: u64,
    /// Files recorded in the manifest.
    pub files: usize,
    /// Distinct sources.
    pub sources: usize,
    /// The largest sources: (name, articles).
    pub top_sources: Vec<(String, u64)>,
    /// First publication day.
    pub first_day: Option<NaiveDate>,
    /// Last publication day.
    pub last_day: Option<NaiveDate>,
    /// Articles without a date.
    pub undated: u64,
    /// Articles without a source.
    pub sourceless: u64,
    /// Documents beyond the first of an article id: none in an index newsdex built since
    /// 2026-11-26, but a run of an earlier version that added to an index could leave the old
    /// document of an article beside its new one (see `src/index/sink/writer.rs`).
    pub doubled: u64,
    /// Bytes of the index folder.
    pub bytes_on_disk: u64,
    /// The summary of the last indexing run, as it recorded it.
    pub last_run: Option<serde_json::Value>,
}

/// Reads the figures of `index`.
pub fn index_stats(index: &NewsIndex) -> Result<IndexStats> {
    let searcher = index.searcher()?;
    let mut sources = FacetCollector::for_field("source_facet");
    sources.add_facet("/");
    let counts = searcher.search(&AllQuery, &sources)?;
    let all_sources: Vec<(String, u64)> = counts
        .get("/")
        .map(|(facet, n)| (facet.to_path().last().map(|s| s.to_string()).unwrap_or_default(), n))
        .collect();
    let mut top_sources = all_sources.clone();
    top_sources.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    top_sources.truncate(5);
    let articles = searcher.num_docs();
    let with_source: u64 = all_sources.iter().map(|(_, n)| n).sum();
    let days = date_histogram_of(index, &AllQuery, Period::Day)?;
    let payload = index.index.load_metas()?.payload;
    let files = crate::index::manifest::Manifest::load(&index.path, payload.as_deref())?.len();
    let last_run = std::fs::read_to_string(index.path.join(LAST_RUN))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok());
    Ok(IndexStats {
        path: index.path.display().to_string(),
        articles,
        files,
        sources: all_sources.len(),
        top_sources,
        first_day: days.buckets.first().map(|b| b.start),
        last_day: days.buckets.last().map(|b| b.start),
        undated: days.undated,
        sourceless: articles.saturating_sub(with_source),
        doubled: doubled_articles(&searcher, index.fields.id)?,
        bytes_on_disk: folder_size(&index.path)?,
        last_run,
    })
}

/// Counts the live documents beyond the first of each `id`, walking the segments' terms of
/// the field in step; only ids with two documents or more, deleted ones included, have their
/// postings read.
fn doubled_articles(searcher: &Searcher, id: Field) -> Result<u64> {
    let segments = searcher.segment_readers();
    let inverted = segments.iter().map(|s| s.inverted_index(id)).collect::<tantivy::Result<Vec<_>>>()?;
    let streams = inverted.iter().map(|i| i.terms().stream()).collect::<std::io::Result<Vec<_>>>();
    let mut merger = TermMerger::new(streams.map_err(|e| Error::Engine(e.into()))?);
    let mut doubled = 0;
    while merger.advance() {
        let documents: u64 =
            merger.current_segment_ords_and_term_infos().map(|(_, i)| u64::from(i.doc_freq)).sum();
        if documents < 2 {
            continue;
        }
        let mut live = 0;
        for (ord, info) in merger.current_segment_ords_and_term_infos() {
            let mut postings = inverted[ord]
                .read_postings_from_terminfo(&info, IndexRecordOption::Basic)
                .map_err(|e| Error::Engine(e.into()))?;
            let alive = segments[ord].alive_bitset();
            let mut doc = postings.doc();
            while doc != TERMINATED {
                live += u64::from(alive.is_none_or(|a| a.is_alive(doc)));
                doc = postings.advance();
            }
        }
        doubled += live.saturating_sub(1);
    }
    Ok(doubled)
}

/// The file, in the index folder, where an indexing run leaves its summary.
pub const LAST_RUN: &str = "last-run.json";

fn folder_size(path: &Path) -> Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(path).map_err(|e| Error::io(path, e))? {
        let entry = entry.map_err(|e| Error::io(path, e))?;
        let meta = entry.metadata().map_err(|e| Error::io(entry.path(), e))?;
        total += if meta.is_dir() { folder_size(&entry.path())? } else { meta.len() };
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use tantivy::schema::Term;
    use tantivy::{IndexWriter, TantivyDocument, doc};

    use super::*;

    #[test]
    fn an_id_held_by_two_live_documents_counts_once_deleted_ones_not_at_all() {
        let index = NewsIndex::in_memory().unwrap();
        let id = index.fields.id;
        let mut writer: IndexWriter<TantivyDocument> =
            index.index.writer_with_num_threads(1, 15_000_000).unwrap();
        for value in ["a", "b", "c"] {
            writer.add_document(doc!(id => value)).unwrap();
        }
        writer.commit().unwrap();
        // In another segment: "a" again (doubled), "b" deleted and written again (not doubled).
        writer.delete_term(Term::from_field_text(id, "b"));
        for value in ["a", "b", "d"] {
            writer.add_document(doc!(id => value)).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        assert_eq!(doubled_articles(&searcher, id).unwrap(), 1);
        writer.add_document(doc!(id => "a")).unwrap();
        writer.commit().unwrap();
        let searcher = index.index.reader().unwrap().searcher();
        assert_eq!(doubled_articles(&searcher, id).unwrap(), 2);
    }
}
