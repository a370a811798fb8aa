//! The one place articles enter the index. Parsing threads hand it whole files; it keeps the
//! index an exact function of the files it was given, whatever their order and however many
//! runs it took:
//! - the same text in several files is one article listing every publication, shown by the
//!   one with the smallest id;
//! - a changed or removed file takes its publications with it, and an article left with none is
//!   deleted;
//! - every `commit_every` articles, documents and manifest records are committed together, so a
//!   killed run loses at most the work since its last commit, and the next run redoes it.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, RwLock};

use rustc_hash::FxHashSet;
use tantivy::{IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument};

use super::manifest::{FileRecord, Manifest, Payload};
use super::run_memory::RunMemory;
use super::sketch_journal::SketchJournal;
use super::{Fields, NewsIndex};
use crate::article::{Article, ExactText};
use crate::error::Result;

mod batch;
mod unwritten;
mod writer;

use batch::Batch;
use unwritten::Unwritten;

/// What became of a file handed to the sink.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FileOutcome {
    /// Articles written (new, or with a new publication).
    pub indexed: u64,
    /// Publications whose text was already indexed: (their id, the article's shown id).
    pub duplicates: Vec<(String, String)>,
    /// Ids that were taken by a different text, and the id used instead.
    pub renamed: Vec<(String, String)>,
}

/// What the index looked like when the sink opened and closed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Committed {
    /// Commits made.
    pub commits: u64,
    /// Articles in the index after the last commit.
    pub articles: u64,
}

/// State shared by the parsing threads, guarded by one mutex.
struct State {
    searcher: Searcher,
    /// Articles written or deleted (`None`) since the last commit, by content hash.
    live: HashMap<String, Option<Article>>,
    /// Paths of the publications of `live` articles, to the articles' content hashes.
    live_paths: HashMap<String, HashSet<String>>,
    /// Ids written since the last commit, to their content hash (`None`: deleted).
    live_ids: HashMap<String, Option<String>>,
    /// `live` articles whose documents the writer has not been given yet.
    unwritten: Unwritten,
    /// Whether the index held articles when the run began: only then can a lookup in the
    /// committed index find what this run's own memory does not know.
    preexisting: bool,
    /// What this run wrote, across its commits, and the sketches of the articles committed
    /// before it (read from the journal when the run first needs them).
    run: RunMemory,
    /// The sketches and stories of every new text, committed with the index.
    journal: SketchJournal,
    /// Whether the journal's records are in `run` yet.
    journal_read: bool,
    /// Sketches `run` holds before it forgets the oldest half.
    run_memory: usize,
    since_commit: u64,
    commits: u64,
    /// Sequence number of the commit being prepared: articles entering now are tagged with it.
    next_commit: u64,
}

/// Sketches a run remembers (about 190 bytes each with their bands and story), its own and
/// those of the index it adds to: past it, at a commit, the oldest are forgotten down to half
/// of it. A new article is thus grouped with the stories of the last 500,000 to 1,000,000 new
/// texts, and memory stays bounded however large the corpus (the contents and ids written
/// are kept in filters of a fixed size).
pub const RUN_MEMORY_LIMIT: usize = 1_000_000;

/// Texts a run remembers having added ([`ArticleSink::holds_text`]), 16 bytes each and a byte
/// of the table's: 900,000 fit a table of 2^20 slots (18 MB). A million took it to its next
/// size, 36 MB, with both tables held during the move: a million-article run peaked at 454 MiB,
/// against 439 with this limit and 425 without the table (one run each). Copies of texts added
/// later are extracted again, as a copy of a text committed before the run always is.
pub const HELD_TEXTS_LIMIT: usize = 900_000;

/// Writes files' articles into an index, from many threads.
pub struct ArticleSink {
    writer: RwLock<IndexWriter<TantivyDocument>>,
    reader: IndexReader,
    fields: Fields,
    state: Mutex<State>,
    /// Apart from `state`, so that a parsing thread can look its next file up while a commit
    /// holds `state` (taken after `state` when both are needed).
    manifest: Mutex<Manifest>,
    commit_every: u64,
    /// Set while a commit is under way.
    committing: AtomicBool,
    /// The texts files of this run have added, apart from `state` so that a parsing thread can
    /// ask while a commit holds it.
    held: Mutex<FxHashSet<ExactText>>,
}

impl ArticleSink {
    /// Opens the index's writer with `heap_mb` of memory over `threads` threads, to commit
    /// every `commit_every` articles and remember `run_memory` across commits. Fails at once,
    /// naming the lock, when another process is writing the same index.
    pub fn new(
        index: &NewsIndex,
        heap_mb: usize,
        threads: usize,
        (commit_every, run_memory): (u64, usize),
    ) -> Result<Self> {
        let threads = threads.clamp(1, 8);
        let heap = (heap_mb.max(16 * threads)) * 1024 * 1024;
        let writer = writer::open(&index.for_writing()?, (threads, heap), index.fields.id, &index.path)?;
        let reader = index.index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let payload = index.index.load_metas()?.payload;
        let manifest = Manifest::load(&index.path, payload.as_deref())?;
        let committed = Payload::parse(payload.as_deref());
        let journal = SketchJournal::open(&index.path, committed.sketches_len)?;
        let next_commit = committed.commit + 1;
        let state = State {
            searcher: reader.searcher(),
            live: HashMap::new(),
            live_paths: HashMap::new(),
            live_ids: HashMap::new(),
            unwritten: Unwritten::default(),
            preexisting: reader.searcher().num_docs() > 0,
            run: RunMemory::default(),
            journal,
            journal_read: false,
            run_memory: run_memory.max(1),
            since_commit: 0,
            commits: 0,
            next_commit,
        };
        Ok(ArticleSink {
            writer: RwLock::new(writer),
            reader,
            fields: index.fields,
            state: Mutex::new(state),
            manifest: Mutex::new(manifest),
            commit_every: commit_every.max(1),
            committing: AtomicBool::new(false),
            held: Mutex::new(FxHashSet::default()),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn manifest(&self) -> std::sync::MutexGuard<'_, Manifest> {
        self.manifest.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the index recorded no file when the run began (and none has been put since):
    /// every file the run reads is then new.
    pub fn knows_no_files(&self) -> bool {
        self.manifest().is_empty()
    }

    /// The record of `path` committed before this run, noting that the run met the file.
    pub fn check_in(&self, path: &str) -> Option<FileRecord> {
        self.manifest().check_in(path)
    }

    /// Files committed before this run that the run has not met, of those whose path is
    /// `wanted` (under the run's roots), sorted: gone.
    pub fn unseen_paths(&self, wanted: impl Fn(&str) -> bool) -> Result<Vec<String>> {
        self.manifest().unseen_paths(wanted)
    }

    /// Replaces everything `path` contributed with `articles`, and records the file.
    pub fn put_file(&self, path: &str, record: FileRecord, articles: Vec<Article>) -> Result<FileOutcome> {
        let before_the_run = self.manifest().committed_before_the_run(path);
        let writer = self.writer.read().unwrap_or_else(|p| p.into_inner());
        let mut state = self.state();
        let mut outcome = FileOutcome::default();
        Batch { fields: &self.fields, writer: &writer, state: &mut state }
            .detach_path(path, before_the_run)?;
        let keys: Vec<ExactText> = articles.iter().filter_map(|a| a.exact_text).collect();
        for article in articles {
            Batch { fields: &self.fields, writer: &writer, state: &mut state }.add(article, &mut outcome)?;
        }
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        let room = HELD_TEXTS_LIMIT.saturating_sub(held.len());
        held.extend(keys.into_iter().take(room));
        drop(held);
        self.manifest().stage(path.to_string(), record);
        state.since_commit += outcome.indexed + 1;
        Ok(outcome)
    }

    /// Whether a file of this run added an article with this very title and body, which the
    /// index then holds until the run ends: a path is put once a run, so nothing but
    /// `--prune`, after the parsing, takes that publication away. A parsing thread asks
    /// before extracting the entities of a text.
    pub fn holds_text(&self, key: ExactText) -> bool {
        self.held.lock().unwrap_or_else(|p| p.into_inner()).contains(&key)
    }

    /// Records a file whose bytes did not change although its modification time did.
    pub fn touch_file(&self, path: &str, record: FileRecord) {
        self.manifest().stage(path.to_string(), record);
    }

    /// Removes everything `path` contributed, and forgets the file.
    pub fn remove_file(&self, path: &str) -> Result<()> {
        let writer = self.writer.read().unwrap_or_else(|p| p.into_inner());
        let mut state = self.state();
        Batch { fields: &self.fields, writer: &writer, state: &mut state }.detach_path(path, true)?;
        self.manifest().stage_removal(path.to_string());
        state.since_commit += 1;
        Ok(())
    }

    /// Commits when `commit_every` articles or files have been handed in since the last one;
    /// says whether it did.
    pub fn commit_if_due(&self) -> Result<bool> {
        // A commit under way holds `state`: the thread that runs it checks again after.
        let due = !self.committing() && self.state().since_commit >= self.commit_every;
        if due {
            self.commit_now()?;
        }
        Ok(due)
    }

    /// Whether a commit is under way: a file handed in now waits until it ends.
    pub fn committing(&self) -> bool {
        self.committing.load(Ordering::Relaxed)
    }

    /// Commits documents and manifest records together.
    pub fn commit_now(&self) -> Result<()> {
        self.committing.store(true, Ordering::Relaxed);
        let committed = self.commit_under_locks();
        self.committing.store(false, Ordering::Relaxed);
        committed
    }

    fn commit_under_locks(&self) -> Result<()> {
        let mut writer = self.writer.write().unwrap_or_else(|p| p.into_inner());
        let mut state = self.state();
        if state.since_commit == 0 && state.commits > 0 {
            return Ok(());
        }
        Batch { fields: &self.fields, writer: &writer, state: &mut state }.hand_over(0)?;
        // The manifest's lock only while the records are taken out: the parsing threads look
        // their next files up meanwhile (compressing and syncing them held it 10 to 15 ms).
        let append = self.manifest().take_staged();
        let journal_len = append.write()?;
        self.manifest().appended(journal_len);
        let payload =
            Payload { journal_len, commit: state.next_commit, sketches_len: state.journal.write_staged()? };
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&payload.to_string());
        prepared.commit()?;
        self.reader.reload()?;
        state.searcher = self.reader.searcher();
        state.live.clear();
        state.live_paths.clear();
        state.live_ids.clear();
        if state.run.sketches() >= state.run_memory {
            let keep = state.run_memory / 2;
            state.run.forget_oldest(keep);
        }
        state.since_commit = 0;
        state.commits += 1;
        state.next_commit += 1;
        Ok(())
    }

    /// Commits what is left and waits for background merges.
    pub fn finish(self) -> Result<Committed> {
        self.commit_now()?;
        // What the run remembered is no longer needed: free it before the last merges, which
        // read whole segment stores and term dictionaries.
        let state = self.state.into_inner().unwrap_or_else(|p| p.into_inner());
        let commits = state.commits;
        drop(state);
        let writer = self.writer.into_inner().unwrap_or_else(|p| p.into_inner());
        writer.wait_merging_threads()?;
        self.reader.reload()?;
        Ok(Committed { commits, articles: self.reader.searcher().num_docs() })
    }
}
