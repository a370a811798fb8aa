//! The `newsdex stats` report for people.

use std::io::{self, Write};

use crate::indexer::summary::human_bytes;
use crate::query::stats::IndexStats;

/// Prints the figures of an index.
pub fn print_stats(out: &mut dyn Write, stats: &IndexStats) -> io::Result<()> {
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
    writeln!(out, "index:          {}", stats.path)?;
    writeln!(out, "articles:       {}", stats.articles)?;
    writeln!(out, "files:          {}", stats.files)?;
    writeln!(out, "sources:        {}", stats.sources)?;
    for (name, n) in &stats.top_sources {
        writeln!(out, "                {n:>8}  {name}")?;
    }
    writeln!(out, "dates:          {} to {}", day(stats.first_day), day(stats.last_day))?;
    writeln!(out, "without date:   {}", stats.undated)?;
    writeln!(out, "without source: {}", stats.sourceless)?;
    if stats.doubled > 0 {
        writeln!(
            out,
            "listed twice:   {} (left by a newsdex before 2026-11-26; `newsdex index --rebuild` removes them)",
            stats.doubled
        )?;
    }
    writeln!(out, "size on disk:   {}", human_bytes(stats.bytes_on_disk))?;
    match &stats.last_run {
        Some(run) => {
            let at = run["finished_at"].as_str().unwrap_or("?");
            let s = &run["summary"];
            writeln!(
                out,
                "last run:       {at}: {} articles indexed; files {} new, {} changed, {} unchanged, {} removed{}",
                s["articles"],
                s["new"],
                s["changed"],
                s["unchanged"],
                s["removed"],
                if s["interrupted"] == true { " (interrupted)" } else { "" }
            )
        }
        None => writeln!(out, "last run:       -"),
    }
}
