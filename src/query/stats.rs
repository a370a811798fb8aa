//! What an index holds, for `newsdex stats`: articles, files, sources, date span, undated and
//! sourceless counts, size on disk, and the last indexing run.

use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;
use tantivy::collector::FacetCollector;
use tantivy::query::AllQuery;

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
    /// Bytes of the index folder.
    pub bytes_on_disk: u64,
    /// The summary of the last indexing run, as it recorded it.
    pub last_run: Option<serde_json::Value>,
}

/// Reads the figures of `index`.
pub fn index_stats(index: &NewsIndex) -> Result<IndexStats> {
    let searcher = index.index.reader()?.searcher();
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
        bytes_on_disk: folder_size(&index.path)?,
        last_run,
    })
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
