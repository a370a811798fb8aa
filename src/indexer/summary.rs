//! The counts of an indexing run, merged from the parsing threads and printed at the end.

use std::collections::BTreeMap;
use std::fmt;

/// What an indexing run did, counted.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Summary {
    /// Files met while walking.
    pub files: u64,
    /// Articles written to the index.
    pub articles: u64,
    /// Articles left out as exact duplicates of an indexed one.
    pub duplicates: u64,
    /// Of those, the ones whose entities were not extracted: the index already held their
    /// very text, and its entities. Recorded for `newsdex stats`, not printed: it depends on
    /// which copy was read first, which with several threads can vary from run to run.
    pub extraction_spared: u64,
    /// Records inside files that were reported and left out (a broken JSON line).
    pub records_rejected: u64,
    /// Files left out, by reason.
    pub skipped: BTreeMap<&'static str, u64>,
    /// Indexed articles with no publication date.
    pub undated: u64,
    /// Indexed articles with no source.
    pub sourceless: u64,
    /// Files decoded from a legacy encoding.
    pub decoded: u64,
    /// Bytes of the files read.
    pub bytes: u64,
    /// Wall-clock duration of the run.
    pub seconds: f64,
    /// Files read for the first time.
    pub new: u64,
    /// Files whose content changed since the last run.
    pub changed: u64,
    /// Files skipped because the manifest shows them unchanged.
    pub unchanged: u64,
    /// Files gone from the folders whose articles were removed (`--prune`).
    pub removed: u64,
    /// Files gone from the folders whose articles were kept (no `--prune`).
    pub gone: u64,
    /// Commits made.
    pub commits: u64,
    /// Articles in the index at the end.
    pub index_articles: u64,
    /// The run was stopped by the user before the end.
    pub interrupted: bool,
    /// Furniture lines learned from the run's sample of the corpus.
    pub furniture_learned: u64,
}

impl Summary {
    /// Counts a file left out for `reason`.
    pub fn skip(&mut self, reason: &'static str) {
        *self.skipped.entry(reason).or_default() += 1;
    }

    /// Adds another partial count to this one.
    pub fn merge(&mut self, other: &Summary) {
        self.files += other.files;
        self.articles += other.articles;
        self.duplicates += other.duplicates;
        self.extraction_spared += other.extraction_spared;
        self.records_rejected += other.records_rejected;
        self.undated += other.undated;
        self.sourceless += other.sourceless;
        self.decoded += other.decoded;
        self.bytes += other.bytes;
        self.new += other.new;
        self.changed += other.changed;
        self.unchanged += other.unchanged;
        self.removed += other.removed;
        self.gone += other.gone;
        self.furniture_learned = self.furniture_learned.max(other.furniture_learned);
        for (reason, n) in &other.skipped {
            *self.skipped.entry(reason).or_default() += n;
        }
    }

    /// Files left out, all reasons together.
    pub fn files_skipped(&self) -> u64 {
        self.skipped.values().sum()
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rate = if self.seconds > 0.0 { self.articles as f64 / self.seconds } else { 0.0 };
        let verb = if self.interrupted { "interrupted after indexing" } else { "indexed" };
        let read = self.new + self.changed;
        let size = human_bytes(self.bytes);
        writeln!(
            f,
            "{verb} {} articles from {read} files ({size}) in {:.2} s, {rate:.0} articles/s",
            self.articles, self.seconds
        )?;
        let (new, changed, unchanged, removed) = (self.new, self.changed, self.unchanged, self.removed);
        write!(f, "  files: {new} new, {changed} changed, {unchanged} unchanged, {removed} removed")?;
        if self.gone > 0 {
            write!(f, ", {} gone (their articles stay until --prune)", self.gone)?;
        }
        writeln!(f)?;
        writeln!(f, "  without date: {}, without source: {}", self.undated, self.sourceless)?;
        if self.duplicates > 0 {
            writeln!(f, "  exact duplicates: {} (indexed once, every publication kept)", self.duplicates)?;
        }
        if self.furniture_learned > 0 {
            writeln!(f, "  furniture: {} recurring lines learned per source", self.furniture_learned)?;
        }
        if self.records_rejected > 0 {
            writeln!(f, "  records rejected inside files: {}", self.records_rejected)?;
        }
        if self.decoded > 0 {
            writeln!(f, "  files decoded from a legacy encoding: {}", self.decoded)?;
        }
        if !self.skipped.is_empty() {
            let reasons: Vec<String> = self.skipped.iter().map(|(r, n)| format!("{r} {n}")).collect();
            writeln!(f, "  files skipped: {} ({})", self.files_skipped(), reasons.join(", "))?;
        }
        let plural = if self.commits == 1 { "" } else { "s" };
        writeln!(f, "  index: {} articles after {} commit{plural}", self.index_articles, self.commits)
    }
}

/// A byte count the way people read it: KB below a megabyte, MB above.
pub fn human_bytes(bytes: u64) -> String {
    if bytes < 1_048_576 {
        format!("{:.0} KB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MB", bytes as f64 / 1_048_576.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_adds_counts_and_reasons() {
        let mut a = Summary { files: 2, articles: 1, ..Summary::default() };
        a.skip("empty");
        let mut b = Summary { files: 3, articles: 2, undated: 1, ..Summary::default() };
        b.skip("empty");
        b.skip("binary");
        a.merge(&b);
        assert_eq!((a.files, a.articles, a.undated, a.files_skipped()), (5, 3, 1, 3));
        assert_eq!(a.skipped["empty"], 2);
        let text = a.to_string();
        assert!(text.contains("files skipped: 3 (binary 1, empty 2)"), "{text}");
    }
}
