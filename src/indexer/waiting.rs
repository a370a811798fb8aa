//! Parsed files waiting for a commit to end, so that parsing goes on meanwhile.
//!
//! A commit stops the index writer: its threads write out their segments, and no article can
//! be added until they are done (half a second to a second on the Reuters slice). Parsing
//! threads that handed their file in then waited, and the machine's cores stood half idle at
//! every commit. Now a thread that finds a commit under way leaves its parsed file here and
//! parses the next; the thread that committed hands the waiting files in after. The files
//! wait in memory, so their text is bounded ([`WaitingRoom::new`]); a file left here when a
//! run stops early is neither indexed nor recorded, and the next run reads it again.

use std::sync::Mutex;

use super::{Reporter, Summary, report_outcome};
use crate::article::Article;
use crate::error::Result;
use crate::index::{ArticleSink, FileRecord};

/// Bytes of article text (titles and bodies) that may wait at once while parsing is the
/// bottleneck (entities extracted): about three times what a parsing thread reads during a
/// commit (some 10 MB a second, a commit a quarter of a second). The room was bounded at 1,024
/// files: on the Reuters slice (files of 2.5 KB) a thread parsed about that many during each
/// commit, and with the room full it waited for the commit's end, 50 to 75 ms of each, with a
/// core idle.
pub const WAITING_TEXT: usize = 8 << 20;

/// The same while the writer is the bottleneck (no entities): about what the 1,024 files held.
/// Parsing far ahead of the writer gains nothing there: with [`WAITING_TEXT`] the Reuters slice
/// peaked 20 MB higher, its time within the noise.
pub const WAITING_TEXT_WRITER_BOUND: usize = 2 << 20;

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
pub struct WaitingRoom {
    room: Mutex<Room>,
    /// Bytes of text that may wait.
    bound: usize,
}

/// The waiting files and the bytes of their text.
#[derive(Default)]
struct Room {
    files: Vec<Parsed>,
    text: usize,
}

impl Room {
    /// Keeps `parsed` if its text fits within `bound` bytes with the rest; gives it back
    /// otherwise.
    fn admit(&mut self, parsed: Parsed, bound: usize) -> Option<Parsed> {
        let bytes: usize = parsed.articles.iter().map(|a| a.title.len() + a.body.len()).sum();
        if self.text + bytes > bound {
            return Some(parsed);
        }
        self.files.push(parsed);
        self.text += bytes;
        None
    }
}

impl WaitingRoom {
    /// A room for files of `bound` bytes of text in all: [`WAITING_TEXT`] while parsing is the
    /// bottleneck, [`WAITING_TEXT_WRITER_BOUND`] while the writer is.
    pub fn new(bound: usize) -> Self {
        WaitingRoom { room: Mutex::default(), bound }
    }

    /// Hands `parsed` to the sink now, or, while a commit is under way and there is room,
    /// leaves it to wait.
    pub fn hand_in(
        &self,
        sink: &ArticleSink,
        parsed: Parsed,
        summary: &mut Summary,
        reporter: &dyn Reporter,
    ) -> Result<()> {
        let parsed = if sink.committing() {
            match self.room.lock().unwrap_or_else(|p| p.into_inner()).admit(parsed, self.bound) {
                None => return Ok(()),
                Some(refused) => refused,
            }
        } else {
            parsed
        };
        deliver(sink, parsed, summary, reporter)
    }

    /// Hands every waiting file to the sink.
    pub fn hand_all_in(
        &self,
        sink: &ArticleSink,
        summary: &mut Summary,
        reporter: &dyn Reporter,
    ) -> Result<()> {
        let room = std::mem::take(&mut *self.room.lock().unwrap_or_else(|p| p.into_inner()));
        room.files.into_iter().try_for_each(|parsed| deliver(sink, parsed, summary, reporter))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(path: &str, body_bytes: usize) -> Parsed {
        let article = Article::bare("Talks", &"x".repeat(body_bytes));
        let record = FileRecord { size: 0, mtime_ns: 0, hash: String::new(), articles: 1 };
        Parsed { path: path.to_string(), record, articles: vec![article], lacking: Vec::new() }
    }

    #[test]
    fn files_wait_while_their_text_fits_and_however_many_they_are() {
        let mut room = Room::default();
        // Two thousand small files, more than the 1,024 the room used to take.
        for i in 0..2_000 {
            assert!(room.admit(parsed(&format!("f{i}"), 2_500), WAITING_TEXT).is_none(), "file {i}");
        }
        let left = WAITING_TEXT - room.text;
        assert!(room.admit(parsed("big", left), WAITING_TEXT).is_some(), "the title does not fit besides");
        assert!(room.admit(parsed("last", left - "Talks".len()), WAITING_TEXT).is_none());
        assert_eq!((room.files.len(), room.text), (2_001, WAITING_TEXT));
        let refused = room.admit(parsed("over", 0), WAITING_TEXT).expect("a title more is over the bound");
        assert_eq!(refused.path, "over");
        let mut small = Room::default();
        let kept = (0..2_000)
            .filter(|i| small.admit(parsed(&format!("f{i}"), 2_500), WAITING_TEXT_WRITER_BOUND).is_none());
        assert_eq!(kept.count(), WAITING_TEXT_WRITER_BOUND / 2_505);
    }
}
