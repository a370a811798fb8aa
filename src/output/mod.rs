//! Printers of search results: a table for people, JSON, JSON Lines and CSV for scripts.
//! They know the hit records and nothing of how hits were found or articles read. The
//! total number of matches is part of the JSON document; for the other formats the caller
//! reports it on stderr, so stdout holds nothing but data.

pub mod counts;
pub mod entities;
pub mod fields;
pub mod stats;
mod table;

pub use table::TableStyle;

use std::io::{self, Write};

use serde::Serialize;

use crate::query::{Hit, SearchResults};

/// The output formats of `search`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Aligned rows with a snippet under each, for reading.
    Table,
    /// One JSON document with the total and the hits.
    Json,
    /// One JSON object per hit and line.
    Jsonl,
    /// Comma-separated values with a header row.
    Csv,
}

/// A hit as scripts see it: every stored field, its rank and score.
#[derive(Serialize)]
pub(crate) struct Record<'a> {
    pub(crate) rank: usize,
    #[serde(flatten)]
    pub(crate) hit: &'a Hit,
}

#[derive(Serialize)]
struct Document<'a> {
    total: usize,
    offset: usize,
    returned: usize,
    hits: Vec<Record<'a>>,
}

/// Prints `results` in `format`; `offset` numbers the ranks.
pub fn print_results(
    out: &mut dyn Write,
    results: &SearchResults,
    offset: usize,
    format: OutputFormat,
    style: &TableStyle,
) -> io::Result<()> {
    let records = || results.hits.iter().enumerate().map(|(i, hit)| Record { rank: offset + i + 1, hit });
    match format {
        OutputFormat::Table => table::print(out, &results.hits, style),
        OutputFormat::Json => {
            let doc = Document {
                total: results.total,
                offset,
                returned: results.hits.len(),
                hits: records().collect(),
            };
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)
        }
        OutputFormat::Jsonl => json_lines(out, &records().collect::<Vec<_>>()),
        OutputFormat::Csv => print_csv(out, records()),
    }
}

/// Writes each item as one line of JSON.
pub fn json_lines<'a, T: Serialize + 'a>(
    out: &mut dyn Write,
    items: impl IntoIterator<Item = &'a T>,
) -> io::Result<()> {
    for item in items {
        serde_json::to_writer(&mut *out, item)?;
        writeln!(out)?;
    }
    Ok(())
}

/// CSV columns; the body is left out (it is in JSON and JSON Lines).
const CSV_HEADER: [&str; 18] = [
    "rank",
    "score",
    "id",
    "published",
    "date_precision",
    "source",
    "title",
    "url",
    "path",
    "authors",
    "language",
    "format",
    "word_count",
    "date_origin",
    "source_origin",
    "content_hash",
    "snippet",
    "entities",
];

fn print_csv<'a>(out: &mut dyn Write, records: impl Iterator<Item = Record<'a>>) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(CSV_HEADER)?;
    for Record { rank, hit } in records {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        writer.write_record([
            rank.to_string(),
            hit.score.map(|s| format!("{s:.4}")).unwrap_or_default(),
            hit.id.clone(),
            hit.published.map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)).unwrap_or_default(),
            opt(&hit.date_precision),
            opt(&hit.source),
            hit.title.clone(),
            opt(&hit.url),
            hit.path.clone(),
            hit.authors.join("; "),
            opt(&hit.language),
            hit.format.clone(),
            hit.word_count.to_string(),
            opt(&hit.date_origin),
            opt(&hit.source_origin),
            hit.content_hash.clone(),
            hit.snippet.text.split_whitespace().collect::<Vec<_>>().join(" "),
            hit.entities.iter().take(10).map(|e| e.name.as_str()).collect::<Vec<_>>().join("; "),
        ])?;
    }
    writer.flush()
}
