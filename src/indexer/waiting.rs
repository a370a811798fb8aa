//! Parsed files waiting for a commit to end, so that parsing goes on meanwhile.
//!
//! A commit stops the index writer: its threads write out their segments, and no article can
//! be added until they are done (half a second to a second on the Reuters slice). Parsing
//! threads that handed their file in then waited, and the machine's cores stood half idle at
//! every commit. Now a thread that finds a commit under way leaves its parsed file here and
//! parses the next; the thread that committed hands the waiting files in after. The files
//! wait in memory, so their number is bounded ([`WAITING_FILES`]); a file left here when a
//! run stops early is neither indexed nor recorded, and the next run reads it again.

use std::sync::Mutex;

use super::{Reporter, Summary, report_outcome};
use crate::article::Article;
use crate::error::Result;
use crate::index::{ArticleSink, FileRecord};

/// Files that may wait at once: about what two parsing threads read during a commit, a few
/// tens of megabytes of articles.
pub const WAITING_FILES: usize = 1024;

/// A file read and parsed, ready to be handed to the sink.
pub struct Parsed {
    /// The file's path, as the manifest records it.
    pub path: String,
    /// Its manifest record.
    pub record: FileRecord,
    /// Its articles.
    pub articles: Vec<Article>,
    /// Each article's id, and whether it lacks a date and a source.
    pub lacking: Vec<(String, bool, bool)>,
}

/// Parsed files waiting for the commit under way.
#[derive(Default)]
pub struct WaitingRoom {
    files: Mutex<Vec<Parsed>>,
}

impl WaitingRoom {
    /// Hands `parsed` to the sink now, or, while a commit is under way and there is room,
    /// leaves it to wait.
    pub fn hand_in(
        &self,
        sink: &ArticleSink,
        parsed: Parsed,
        summary: &mut Summary,
        reporter: &dyn Reporter,
    ) -> Result<()> {
        if sink.committing() {
            let mut files = self.files.lock().unwrap_or_else(|p| p.into_inner());
            if files.len() < WAITING_FILES {
                files.push(parsed);
                return Ok(());
            }
        }
        deliver(sink, parsed, summary, reporter)
    }

    /// Hands every waiting file to the sink.
    pub fn hand_all_in(
        &self,
        sink: &ArticleSink,
        summary: &mut Summary,
        reporter: &dyn Reporter,
    ) -> Result<()> {
        let files = std::mem::take(&mut *self.files.lock().unwrap_or_else(|p| p.into_inner()));
        files.into_iter().try_for_each(|parsed| deliver(sink, parsed, summary, reporter))
    }

    /// Commits when one is due, then hands in the files that waited for it (which may make
    /// another due).
    pub fn commit_if_due(
        &self,
        sink: &ArticleSink,
        summary: &mut Summary,
        reporter: &dyn Reporter,
    ) -> Result<()> {
        while sink.commit_if_due()? {
            self.hand_all_in(sink, summary, reporter)?;
        }
        Ok(())
    }
}

/// Writes a parsed file into the index and counts what became of its articles.
fn deliver(sink: &ArticleSink, parsed: Parsed, summary: &mut Summary, reporter: &dyn Reporter) -> Result<()> {
    let outcome = sink.put_file(&parsed.path, parsed.record, parsed.articles)?;
    // Undated and sourceless count articles that entered the index, not duplicate copies.
    for (id, undated, sourceless) in parsed.lacking {
        if !outcome.duplicates.iter().any(|(dropped, _)| *dropped == id) {
            summary.undated += u64::from(undated);
            summary.sourceless += u64::from(sourceless);
        }
    }
    report_outcome(&outcome, summary, reporter);
    Ok(())
}
