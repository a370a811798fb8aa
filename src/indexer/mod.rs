//! The indexing run: walk the folders, read and normalise files in parallel on all cores,
//! feed one index writer, and count everything (skips by reason, undated and sourceless
//! articles) for the summary. Problems are reported as they happen through a [`Reporter`],
//! so the library prints nothing itself.

mod summary;

pub use summary::Summary;

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use rayon::prelude::*;

use crate::corpus::{self, CorpusFile, ReadOptions};
use crate::error::{Error, Result};
use crate::extract::Normaliser;
use crate::index::{Added, ArticleSink, NewsIndex};

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
    /// How files are read.
    pub read: ReadOptions,
    /// How articles are normalised.
    pub normaliser: Normaliser,
    /// Indexing memory budget in MB.
    pub heap_mb: usize,
    /// Parsing threads (0: one per core).
    pub threads: usize,
}

/// Runs `job` into `index`, committing once at the end.
pub fn run(job: &IndexJob, index: &NewsIndex, reporter: &dyn Reporter) -> Result<Summary> {
    let started = Instant::now();
    let threads = if job.threads == 0 {
        rayon::current_num_threads()
    } else {
        job.threads
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {threads} threads: {e}")))?;
    let sink = ArticleSink::new(index, job.heap_mb, threads)?;
    let total = Mutex::new(Summary::default());
    pool.install(|| {
        job.roots
            .iter()
            .flat_map(|root| corpus::walk(root, job.follow_links))
            .par_bridge()
            .try_for_each(|entry| {
                let mut local = Summary::default();
                match entry {
                    Ok(file) => index_file(job, &sink, &file, &mut local, reporter)?,
                    Err((path, reason)) => {
                        reporter.warn(&format!(
                            "{}: skipped, unreadable: {reason}",
                            path.display()
                        ));
                        local.skip("unreadable");
                    }
                }
                let mut total = total.lock().unwrap_or_else(|p| p.into_inner());
                total.merge(&local);
                reporter.progress(&total);
                Ok::<(), Error>(())
            })
    })?;
    sink.commit()?;
    let mut summary = total.into_inner().unwrap_or_else(|p| p.into_inner());
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// Checks that the roots exist and makes them absolute, so article paths and ids do not
/// depend on the working folder. Call it before creating an index for them.
pub fn resolve_roots(roots: &[PathBuf]) -> Result<Vec<PathBuf>> {
    roots
        .iter()
        .map(|root| {
            if !root.exists() {
                let shown = root.display();
                return Err(Error::Usage(format!("{shown}: no such file or folder")));
            }
            std::path::absolute(root).map_err(|e| Error::io(root, e))
        })
        .collect()
}

fn index_file(
    job: &IndexJob,
    sink: &ArticleSink,
    file: &CorpusFile,
    summary: &mut Summary,
    reporter: &dyn Reporter,
) -> Result<()> {
    summary.files += 1;
    let shown = file.path.display();
    let read = match corpus::read_file(&file.path, &job.read) {
        Ok(read) => read,
        Err(skip) => {
            reporter.warn(&format!("{shown}: skipped, {skip}"));
            summary.skip(skip.kind());
            return Ok(());
        }
    };
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
    for raw in read.articles {
        let normalised = job.normaliser.normalise(raw, file, format);
        for remark in &normalised.remarks {
            reporter.warn(&format!("{shown}: {remark}"));
        }
        let article = normalised.article;
        let (undated, sourceless) = (article.published.is_none(), article.source.is_none());
        match sink.add(article)? {
            Added::Duplicate { kept, dropped } => {
                reporter.warn(&format!(
                    "{dropped}: exact duplicate of {kept}, indexed once"
                ));
                summary.duplicates += 1;
                continue;
            }
            Added::Renamed { id } => {
                reporter.warn(&format!(
                    "{shown}: id already used by a different article, indexed as {id}"
                ));
            }
            Added::Indexed => {}
        }
        summary.articles += 1;
        summary.undated += u64::from(undated);
        summary.sourceless += u64::from(sourceless);
    }
    Ok(())
}
