//! `newsdex batch FILE|-`: one search per line, in the `search` syntax with filters
//! (`"air strike" --place Aleppo --from 2016-04`), and one output row per line with its number
//! of matches and top hits. A line may count facets (`--by actor`) or draw a histogram
//! (`--histogram month`) instead of listing hits. A bad line is reported with its number; the
//! others still run.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Parser, ValueEnum};
use serde_json::json;

use super::search::print_stdout;
use super::search::{facet_by, period};
use super::{ByArg, ExitStatus, FilterArgs, PeriodArg};
use crate::index::NewsIndex;
use crate::query::{self, SearchRequest, facets};

/// Arguments of `newsdex batch`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// File of queries, one per line (`#` starts a comment line); `-` reads stdin.
    pub file: PathBuf,

    /// Hits listed per line.
    #[arg(long, default_value_t = 3)]
    pub top: usize,

    /// Output format.
    #[arg(long, value_enum, default_value_t = BatchFormat::Csv)]
    pub format: BatchFormat,

    /// Add each line's search time in microseconds (`micros`), measured in process: for
    /// benchmarks.
    #[arg(long)]
    pub timings: bool,
}

/// Output formats of `batch`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum BatchFormat {
    /// line,query,matches,top_ids,top_titles
    Csv,
    /// One JSON object per line of input.
    Jsonl,
}

#[derive(Parser)]
#[command(no_binary_name = true)]
struct Line {
    #[command(flatten)]
    filters: FilterArgs,

    /// Count the top values of this kind over the matches instead of listing hits.
    #[arg(long, value_enum, conflicts_with = "histogram")]
    by: Option<ByArg>,

    /// Count the matches per period instead of listing hits.
    #[arg(long, value_enum)]
    histogram: Option<PeriodArg>,
}

/// Runs `newsdex batch`.
pub fn run(index_path: &Path, args: BatchArgs) -> anyhow::Result<ExitStatus> {
    let index = NewsIndex::open(index_path)?;
    let lines: Vec<String> = if args.file == Path::new("-") {
        std::io::stdin().lock().lines().collect::<Result<_, _>>().context("reading stdin")?
    } else {
        let text = std::fs::read_to_string(&args.file)
            .with_context(|| format!("cannot read {}", args.file.display()))?;
        text.lines().map(str::to_string).collect()
    };
    let shown = args.file.display().to_string();
    let mut rows = Vec::new();
    let (mut failed, mut any) = (0, false);
    for (n, line) in lines.iter().enumerate() {
        let number = n + 1;
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let started = std::time::Instant::now();
        match run_line(&index, line, args.top) {
            Ok(mut row) => {
                if args.timings {
                    row["micros"] = json!(started.elapsed().as_micros() as u64);
                }
                any |= row["matches"].as_u64().unwrap_or(0) > 0;
                row["line"] = json!(number);
                row["query"] = json!(line);
                rows.push(row);
            }
            Err(e) => {
                failed += 1;
                eprintln!("newsdex: {shown}: line {number}: {e:#}");
            }
        }
    }
    print_stdout(|out| print_rows(out, &rows, args.format))?;
    Ok(if failed > 0 {
        ExitStatus::Error
    } else if any {
        ExitStatus::Success
    } else {
        ExitStatus::NoResults
    })
}

/// The query text as written (quotes kept: `"air strike"` is a phrase) and the options after it.
fn split_line(line: &str) -> anyhow::Result<(String, Vec<String>)> {
    let mut quoted: Option<char> = None;
    let mut options_at = line.len();
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match quoted {
            Some(q) if c == q => quoted = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quoted = Some(c),
            None if c == '-' && previous.is_whitespace() && line[i..].starts_with("--") => {
                options_at = i;
                break;
            }
            None => {}
        }
        previous = c;
    }
    anyhow::ensure!(quoted.is_none(), "unbalanced quotes");
    let options = shlex::split(&line[options_at..]).context("unbalanced quotes in the options")?;
    Ok((line[..options_at].trim().to_string(), options))
}

fn run_line(index: &NewsIndex, line: &str, top: usize) -> anyhow::Result<serde_json::Value> {
    let (text, options) = split_line(line)?;
    let parsed = Line::try_parse_from(&options)
        .map_err(|e| anyhow::anyhow!("{}", e.to_string().lines().next().unwrap_or("")))?;
    let mut request = SearchRequest { limit: top, ..parsed.filters.request()? };
    request.text = Some(text).filter(|t| !t.is_empty());
    if let Some(by) = parsed.by {
        let counts = facets::facet_counts(index, &request, facet_by(by), top)?;
        return Ok(json!({"matches": counts.total, "values": counts.values}));
    }
    if let Some(per) = parsed.histogram {
        let histogram = facets::date_histogram(index, &request, period(per))?;
        return Ok(json!({"matches": histogram.total, "buckets": histogram.buckets}));
    }
    let results = query::search(index, &request)?;
    let hits: Vec<serde_json::Value> = results
        .hits
        .iter()
        .map(|h| json!({"id": h.id, "title": h.title, "published": h.published, "source": h.source, "score": h.score}))
        .collect();
    Ok(json!({"matches": results.total, "hits": hits}))
}

fn print_rows(out: &mut dyn Write, rows: &[serde_json::Value], format: BatchFormat) -> std::io::Result<()> {
    match format {
        BatchFormat::Jsonl => crate::output::json_lines(out, rows),
        BatchFormat::Csv => {
            let mut writer = csv::Writer::from_writer(out);
            writer.write_record(["line", "query", "matches", "top_ids", "top_titles"])?;
            for row in rows {
                let joined = |list: &str, key: &str| {
                    row[list]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|h| h[key].as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                };
                // Facet and histogram lines list `value=count` where hits list ids.
                let counted = |list: &str, key: &str| {
                    row[list].as_array().map(|items| {
                        let pairs =
                            items.iter().map(|i| format!("{}={}", i[key].as_str().unwrap_or(""), i["count"]));
                        pairs.collect::<Vec<_>>().join("; ")
                    })
                };
                let ids = counted("values", "value")
                    .or_else(|| counted("buckets", "period"))
                    .unwrap_or_else(|| joined("hits", "id"));
                writer.write_record([
                    row["line"].to_string(),
                    row["query"].as_str().unwrap_or("").to_string(),
                    row["matches"].to_string(),
                    ids,
                    joined("hits", "title"),
                ])?;
            }
            writer.flush()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_their_query_as_written() {
        let (text, options) = split_line("\"air strike\" --place Aleppo --from 2016-04").unwrap();
        assert_eq!(text, "\"air strike\"");
        assert_eq!(options, ["--place", "Aleppo", "--from", "2016-04"]);
        let (text, options) = split_line("--actor \"John Kerry\"").unwrap();
        assert_eq!((text.as_str(), options.len()), ("", 2));
        let (text, _) = split_line("ceasefire -Geneva").unwrap();
        assert_eq!(text, "ceasefire -Geneva");
        assert!(split_line("\"unclosed --place x").is_err());
    }
}
