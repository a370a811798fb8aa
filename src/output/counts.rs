//! Printers of counts: facet values and date histograms, with a bar per row for people and
//! plain rows for scripts.

use std::io::{self, Write};

use serde::Serialize;

use super::OutputFormat;
use crate::query::facets::{FacetCounts, Histogram};

const BAR_WIDTH: u64 = 40;

fn bar(count: u64, max: u64) -> String {
    let cells = if max == 0 { 0 } else { (count * BAR_WIDTH).div_ceil(max) };
    "█".repeat(cells as usize)
}

/// Prints the values of one facet (`label` names it: actor, person, ...).
pub fn print_facets(
    out: &mut dyn Write,
    counts: &FacetCounts,
    label: &str,
    format: OutputFormat,
) -> io::Result<()> {
    #[derive(Serialize)]
    struct Doc<'a> {
        total: usize,
        by: &'a str,
        values: &'a [crate::query::facets::FacetCount],
    }
    match format {
        OutputFormat::Table => {
            let width =
                counts.values.iter().map(|v| v.value.chars().count()).max().unwrap_or(0).max(label.len());
            let max = counts.values.iter().map(|v| v.count).max().unwrap_or(0);
            writeln!(out, "{label:<width$}  articles")?;
            for v in &counts.values {
                writeln!(out, "{:<width$}  {:>8}  {}", v.value, v.count, bar(v.count, max))?;
            }
            Ok(())
        }
        OutputFormat::Json => {
            serde_json::to_writer_pretty(
                &mut *out,
                &Doc { total: counts.total, by: label, values: &counts.values },
            )?;
            writeln!(out)
        }
        OutputFormat::Jsonl => super::json_lines(out, &counts.values),
        OutputFormat::Csv => {
            let mut writer = csv::Writer::from_writer(out);
            writer.write_record([label, "count"])?;
            for v in &counts.values {
                writer.write_record([v.value.as_str(), &v.count.to_string()])?;
            }
            writer.flush()
        }
    }
}

/// Prints a date histogram.
pub fn print_histogram(out: &mut dyn Write, histogram: &Histogram, format: OutputFormat) -> io::Result<()> {
    match format {
        OutputFormat::Table => {
            let max = histogram.buckets.iter().map(|b| b.count).max().unwrap_or(0);
            let width = histogram.buckets.iter().map(|b| b.period.len()).max().unwrap_or(6).max(6);
            writeln!(out, "{:<width$}  articles", "period")?;
            for b in &histogram.buckets {
                writeln!(out, "{:<width$}  {:>8}  {}", b.period, b.count, bar(b.count, max))?;
            }
            Ok(())
        }
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, histogram)?;
            writeln!(out)
        }
        OutputFormat::Jsonl => super::json_lines(out, &histogram.buckets),
        OutputFormat::Csv => {
            let mut writer = csv::Writer::from_writer(out);
            writer.write_record(["period", "start", "count"])?;
            for b in &histogram.buckets {
                writer.write_record([b.period.as_str(), &b.start.to_string(), &b.count.to_string()])?;
            }
            writer.flush()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_count() {
        assert_eq!(bar(10, 10).chars().count(), 40);
        assert_eq!(bar(1, 10).chars().count(), 4);
        assert_eq!(bar(0, 10), "");
        assert_eq!(bar(0, 0), "");
    }
}
