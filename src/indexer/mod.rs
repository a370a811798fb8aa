//! The indexing run: walk the folders, compare each file with the manifest, read new and
//! changed files in parallel on all cores, and feed one index writer that commits at bounded
//! intervals. Everything is counted for the summary (files by change, skips by reason,
//! undated and sourceless articles). Problems are reported as they happen through a
//! [`Reporter`], so the library prints nothing itself.

pub mod summary;
mod waiting;

pub use summary::Summary;
use waiting::{Parsed, WaitingRoom};

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use crate::corpus::{self, CorpusFile, ReadOptions};
use crate::error::{Error, Result};
use crate::extract::Normaliser;
use crate::extract::boilerplate::LineStats;
use crate::index::{ArticleSink, FileOutcome, FileRecord, NewsIndex};

/// Receives what happens during a run: warnings to show and progress to draw.
pub trait Reporter: Sync {
    /// A problem with one file or record that did not stop the run.
    fn warn(&self, message: &str);
    /// A file has been dealt with; `summary` is the running total.
    fn progress(&self, summary: &Summary);
}

/// Everything an indexing run needs to know.
pub struct IndexJob {
    /// Folders (or single files) to index, absolute (see [`resolve_roots`]).
    pub roots: Vec<PathBuf>,
    /// Follow symbolic links while walking.
    pub follow_links: bool,
    /// Files and folders left out of the walk.
    pub exclusions: corpus::Exclusions,
    /// How files are read.
    pub read: ReadOptions,
    /// How articles are normalised.
    pub normaliser: Normaliser,
    /// Indexing memory budget in MB.
    pub heap_mb: usize,
    /// Threads for reading and parsing (0: one per core); tantivy's writer gets its own
    /// besides (see [`writer_threads`]).
    pub threads: usize,
    /// Commit after this many articles (and files) at most.
    pub commit_every: u64,
    /// Articles remembered in memory across commits (see [`crate::index::RUN_MEMORY_LIMIT`]).
    pub run_memory: usize,
    /// Remove the articles of files under the roots that no longer exist.
    pub prune: bool,
}

/// Set from a signal handler to stop a run early; what is done is committed.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// How many threads tantivy's writer gets besides the run's `threads` parsing threads. With
/// entities, parsing is most of the work and a third as many suffice (at least one): each
/// writer thread builds its own segments, so more writer threads than the work needs cost CPU
/// twice, in the vocabulary that their segments share and write once each, and in the extra
/// segments merged again. On two cores one writer thread instead of two took 14% less CPU and
/// 7% less time on the Reuters slice, 446 s instead of 527 at a million articles (within the
/// memory bound: its segments, and so its merges, are twice as large). Without entities the
/// writer is the bottleneck, and it keeps one thread per parsing thread (one of two was 10%
/// slower).
pub fn writer_threads(threads: usize, entities: bool) -> usize {
    if entities { (threads / 3).max(1) } else { threads }
}

/// Runs `job` into `index`.
pub fn run(job: &IndexJob, index: &NewsIndex, reporter: &dyn Reporter) -> Result<Summary> {
    let started = Instant::now();
    let threads = if job.threads == 0 { rayon::current_num_threads() } else { job.threads };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {threads} threads: {e}")))?;
    let writers = writer_threads(threads, job.normaliser.extractor.is_some());
    let sink = ArticleSink::new(index, job.heap_mb, writers, (job.commit_every, job.run_memory))?;
    let mut first = Summary::default();
    if sink.knows_no_files() && !job.normaliser.boilerplate.is_learned() {
        // A new index: the run parses every file it reads, so the furniture is learned now, with
        // the sample read on all threads, instead of by the first thread to need it while the
        // others wait.
        first.furniture_learned =
            pool.install(|| job.normaliser.boilerplate.learn_with(|| sample_line_stats(job))) as u64;
    }
    let total = Mutex::new(first);
    // Without entities the writer is the bottleneck: parsing far ahead of it gains nothing.
    let waiting = WaitingRoom::new(if job.normaliser.extractor.is_some() {
        waiting::WAITING_TEXT
    } else {
        waiting::WAITING_TEXT_WRITER_BOUND
    });
    let walked = pool.install(|| {
        job.roots
            .iter()
            .flat_map(|root| corpus::walk(root, job.follow_links, &job.exclusions))
            .par_bridge()
            .try_for_each(|entry| {
                if INTERRUPTED.load(Ordering::Relaxed) {
                    return Err(Error::Interrupted);
                }
                let mut local = Summary::default();
                match entry {
                    Ok(file) => index_file(job, (&sink, &waiting), &file, &mut local, reporter)?,
                    Err((path, reason)) => {
                        reporter.warn(&format!("{}: skipped, unreadable: {reason}", path.display()));
                        local.skip("unreadable");
                    }
                }
                waiting.commit_if_due(&sink, &mut local, reporter)?;
                let mut total = total.lock().unwrap_or_else(|p| p.into_inner());
                total.merge(&local);
                reporter.progress(&total);
                Ok(())
            })
    });
    let mut summary = total.into_inner().unwrap_or_else(|p| p.into_inner());
    match walked {
        Ok(()) => {
            waiting.hand_all_in(&sink, &mut summary, reporter)?;
            handle_gone_files(job, &sink, &mut summary, reporter)?;
        }
        Err(Error::Interrupted) => {
            waiting.hand_all_in(&sink, &mut summary, reporter)?;
            summary.interrupted = true;
        }
        Err(other) => {
            // Keep what is complete: the manifest names only files whose articles are in.
            sink.finish()?;
            return Err(other);
        }
    }
    let committed = sink.finish()?;
    summary.commits = committed.commits;
    summary.index_articles = committed.articles;
    summary.seconds = started.elapsed().as_secs_f64();
    record_run(job, index, &summary)?;
    Ok(summary)
}

/// Leaves the run's summary in the index folder for `newsdex stats`.
fn record_run(job: &IndexJob, index: &NewsIndex, summary: &Summary) -> Result<()> {
    let record = serde_json::json!({
        "finished_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "roots": job.roots.iter().map(|r| r.display().to_string()).collect::<Vec<_>>(),
        "summary": summary,
    });
    let path = index.path.join(crate::query::stats::LAST_RUN);
    let text = serde_json::to_string_pretty(&record).expect("summary serialises");
    std::fs::write(&path, text).map_err(|e| Error::io(&path, e))
}

/// Files of the manifest, under the roots, that the walk did not meet: removed with `prune`,
/// otherwise counted and pointed out.
fn handle_gone_files(
    job: &IndexJob,
    sink: &ArticleSink,
    summary: &mut Summary,
    reporter: &dyn Reporter,
) -> Result<()> {
    let under_roots = |path: &str| job.roots.iter().any(|root| Path::new(path).starts_with(root));
    let gone = sink.unseen_paths(under_roots)?;
    for path in gone {
        if job.prune {
            sink.remove_file(&path)?;
            summary.removed += 1;
            sink.commit_if_due()?;
        } else {
            summary.gone += 1;
            reporter.warn(&format!("{path}: no longer exists; its articles stay until a run with --prune"));
        }
    }
    Ok(())
}

/// Checks that the roots exist and makes them absolute, so article paths and ids do not
/// depend on the working folder; a root inside another (or given twice) is dropped, so that
/// every file is walked once. Call it before creating an index for them.
pub fn resolve_roots(roots: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let absolute: Vec<PathBuf> = roots
        .iter()
        .map(|root| {
            if !root.exists() {
                let shown = root.display();
                return Err(Error::Usage(format!("{shown}: no such file or folder")));
            }
            std::path::absolute(root).map_err(|e| Error::io(root, e))
        })
        .collect::<Result<_>>()?;
    let mut kept: Vec<PathBuf> = Vec::new();
    for (i, root) in absolute.iter().enumerate() {
        let inside_another = absolute.iter().enumerate().any(|(j, other)| {
            // Of two equal roots, the first is kept.
            j != i && root.starts_with(other) && (root != other || j < i)
        });
        if !inside_another {
            kept.push(root.clone());
        }
    }
    Ok(kept)
}

fn index_file(
    job: &IndexJob,
    (sink, waiting): (&ArticleSink, &WaitingRoom),
    file: &CorpusFile,
    summary: &mut Summary,
    reporter: &dyn Reporter,
) -> Result<()> {
    summary.files += 1;
    let path = file.path.to_string_lossy().into_owned();
    let mtime_ns = file.modified_ns;
    let known = sink.check_in(&path);
    if known.as_ref().is_some_and(|r| r.size == file.size && r.mtime_ns == mtime_ns) {
        summary.unchanged += 1;
        return Ok(());
    }
    let shown = file.path.display();
    let record = |hash: String, articles: u32| FileRecord { size: file.size, mtime_ns, hash, articles };
    let read = match corpus::read_file(&file.path, &job.read) {
        Ok(read) => read,
        Err(skip) => {
            reporter.warn(&format!("{shown}: skipped, {skip}"));
            summary.skip(skip.kind());
            if !matches!(skip, corpus::Skip::Unreadable(_)) {
                sink.put_file(&path, record(String::new(), 0), Vec::new())?;
            }
            return Ok(());
        }
    };
    if let Some(known) = known.as_ref().filter(|r| r.hash == read.file_hash) {
        sink.touch_file(&path, record(read.file_hash, known.articles));
        summary.unchanged += 1;
        return Ok(());
    }
    if known.is_some() {
        summary.changed += 1
    } else {
        summary.new += 1
    }
    if !job.normaliser.boilerplate.is_learned() {
        summary.furniture_learned = job.normaliser.boilerplate.learn_with(|| sample_line_stats(job)) as u64;
    }
    summary.bytes += file.size;
    if let Some(encoding) = read.decoded_from {
        reporter.warn(&format!("{shown}: not UTF-8, decoded as {encoding}"));
        summary.decoded += 1;
    }
    for problem in &read.problems {
        reporter.warn(&format!("{shown}: {}: {}", problem.place, problem.reason));
        summary.records_rejected += 1;
    }
    let format = read.format.unwrap_or(corpus::Format::Text);
    let mut articles = Vec::with_capacity(read.articles.len());
    let mut lacking: Vec<(String, bool, bool)> = Vec::new();
    for raw in read.articles {
        let held = |key| sink.holds_text(key);
        let normalised = job.normaliser.normalise_unless_held(raw, file, format, &held);
        summary.extraction_spared += u64::from(normalised.article.entities_not_extracted);
        for remark in &normalised.remarks {
            reporter.warn(&format!("{shown}: {remark}"));
        }
        let p = &normalised.article.publication;
        lacking.push((p.id.clone(), p.published.is_none(), p.source.is_none()));
        articles.push(normalised.article);
    }
    let count = articles.len() as u32;
    let parsed = Parsed { path, record: record(read.file_hash, count), articles, lacking };
    waiting.hand_in(sink, parsed, summary, reporter)
}

/// Line statistics of the first files of the walk (sorted, so the same corpus gives the same
/// sample whatever the timing), for learning each source's furniture.
fn sample_line_stats(job: &IndexJob) -> LineStats {
    let files =
        job.roots.iter().flat_map(|root| corpus::walk(root, job.follow_links, &job.exclusions)).flatten();
    let files: Vec<CorpusFile> = files.take(job.normaliser.boilerplate.sample_files()).collect();
    // Read on the pool's threads where they are free: the counts add up the same in any order.
    files
        .par_iter()
        .map(|file| {
            let mut stats = LineStats::default();
            if let Ok(read) = corpus::read_file(&file.path, &job.read) {
                for raw in &read.articles {
                    stats.add(job.normaliser.source_of(raw, file).as_deref(), &raw.body);
                }
            }
            stats
        })
        .reduce(LineStats::default, LineStats::merged)
}

fn report_outcome(outcome: &FileOutcome, summary: &mut Summary, reporter: &dyn Reporter) {
    summary.articles += outcome.indexed - outcome.duplicates.len() as u64;
    summary.duplicates += outcome.duplicates.len() as u64;
    for (dropped, kept) in &outcome.duplicates {
        reporter.warn(&format!("{dropped}: exact duplicate of {kept}, indexed once with both publications"));
    }
    for (taken, used) in &outcome.renamed {
        reporter.warn(&format!("{taken}: id already used by a different article, indexed as {used}"));
    }
}

#[cfg(test)]
mod tests {
    use super::writer_threads;

    #[test]
    fn the_writer_gets_a_third_of_the_threads_with_entities_and_as_many_without() {
        let with: Vec<usize> = [1, 2, 3, 6, 8].map(|t| writer_threads(t, true)).to_vec();
        assert_eq!(with, [1, 1, 1, 2, 2]);
        assert_eq!([1, 2, 8].map(|t| writer_threads(t, false)), [1, 2, 8]);
    }
}
