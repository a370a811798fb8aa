//! `newsdex search`: checks the arguments, runs the search and prints the hits on stdout,
//! the number of matches on stderr (or inside the JSON document).

use std::io::{IsTerminal, Write};
use std::path::Path;

use super::{ColorArg, ExitStatus, FormatArg, SearchArgs, SortArg};
use crate::index::NewsIndex;
use crate::output::{self, OutputFormat, TableStyle};
use crate::query::dates::{Bound, parse_day};
use crate::query::{self, SearchRequest, Sort};

/// Runs `newsdex search`.
pub fn run(index_path: &Path, args: SearchArgs) -> anyhow::Result<ExitStatus> {
    let request = SearchRequest {
        text: Some(args.query.join(" ")).filter(|q| !q.trim().is_empty()),
        sources: args.sources,
        from: args
            .from
            .as_deref()
            .map(|d| parse_day(d, Bound::Start))
            .transpose()?,
        to: args
            .to
            .as_deref()
            .map(|d| parse_day(d, Bound::End))
            .transpose()?,
        limit: args.limit,
        offset: args.offset,
        sort: match args.sort {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Newest => Sort::Newest,
            SortArg::Oldest => Sort::Oldest,
        },
    };
    let index = NewsIndex::open(index_path)?;
    let results = query::search(&index, &request)?;
    let format = match args.format {
        FormatArg::Table => OutputFormat::Table,
        FormatArg::Json => OutputFormat::Json,
        FormatArg::Jsonl => OutputFormat::Jsonl,
        FormatArg::Csv => OutputFormat::Csv,
    };
    let stdout = std::io::stdout();
    let color = match args.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => stdout.is_terminal(),
    };
    let mut out = stdout.lock();
    let printed = output::print_results(
        &mut out,
        &results,
        request.offset,
        format,
        &TableStyle { color },
    )
    .and_then(|_| out.flush());
    match printed {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            return Ok(ExitStatus::for_matches(results.total));
        }
        other => other?,
    }
    if format != OutputFormat::Json {
        let shown = results.hits.len();
        let first = if shown == 0 { 0 } else { request.offset + 1 };
        eprintln!(
            "{} matches (showing {}-{})",
            results.total,
            first,
            request.offset + shown
        );
    }
    Ok(ExitStatus::for_matches(results.total))
}
