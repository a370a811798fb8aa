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

use tantivy::collector::{Count, DocSetCollector};
use tantivy::query::TermQuery;
use tantivy::schema::{Field, IndexRecordOption, Term};
use tantivy::{IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument};

use super::document::{from_document, to_document};
use super::manifest::{FileRecord, Manifest, Payload};
use super::run_memory::{Known, RunMemory};
use super::sketch_journal::{SketchJournal, content_hex, content_number};
use super::{Fields, NewsIndex};
use crate::article::Article;
use crate::error::{Error, Result};
use crate::extract::neardup::SAME_STORY;

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
    /// Whether the index held articles when the run began: only then can a lookup in the
    /// committed index find what this run's own memory does not know.
    preexisting: bool,
    /// What this run wrote, across its commits, and the sketches of the articles committed
    /// before it (read from the journal when the run first needs them).
    run: RunMemory,
    /// The sketches of every new text, committed with the index.
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

/// Sketches a run remembers (about 220 bytes each with their bands and story), its own and
/// those of the index it adds to: past it, at a commit, the oldest are forgotten down to half
/// of it. A new article is thus grouped with the stories of the last 500,000 to 1,000,000 new
/// texts, and memory stays bounded however large the corpus (the contents and ids written
/// are kept in filters of a fixed size).
pub const RUN_MEMORY_LIMIT: usize = 1_000_000;

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
        let writer = index.for_writing()?.writer_with_num_threads(threads, heap).map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => Error::Locked(index.path.clone()),
            other => Error::Engine(other),
        })?;
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
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn manifest(&self) -> std::sync::MutexGuard<'_, Manifest> {
        self.manifest.lock().unwrap_or_else(|p| p.into_inner())
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
        for article in articles {
            Batch { fields: &self.fields, writer: &writer, state: &mut state }.add(article, &mut outcome)?;
        }
        self.manifest().stage(path.to_string(), record);
        state.since_commit += outcome.indexed + 1;
        Ok(outcome)
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
        let payload = Payload {
            journal_len: self.manifest().write_staged()?,
            commit: state.next_commit,
            sketches_len: state.journal.write_staged()?,
        };
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

/// One file's work under the locks.
struct Batch<'a> {
    fields: &'a Fields,
    writer: &'a IndexWriter<TantivyDocument>,
    state: &'a mut State,
}

impl Batch<'_> {
    /// Takes the publications read from `path` out of every article that has one. Only a
    /// file the manifest held before the run can have publications in the committed index
    /// (the manifest and the index are committed together): for the others, most files of a
    /// run that adds to an index, the lookup is skipped.
    fn detach_path(&mut self, path: &str, committed_before_the_run: bool) -> Result<()> {
        let mut contents: HashSet<String> = self.state.live_paths.remove(path).unwrap_or_default();
        // A path is handed in once per run: before the run, or in `live`, nowhere else.
        if committed_before_the_run {
            for article in self.committed(self.fields.path, path, usize::MAX)? {
                contents.insert(article.content_hash);
            }
        }
        for content in contents {
            let Some(mut article) = self.current(&content)? else {
                continue;
            };
            let old_id = article.publication.id.clone();
            if article.remove_path(path) {
                self.write(article, Some(&old_id))?;
            } else {
                self.delete(&content, &old_id);
            }
        }
        Ok(())
    }

    /// Adds one article: a new text, or one more publication of a text already indexed.
    fn add(&mut self, mut article: Article, outcome: &mut FileOutcome) -> Result<()> {
        let content = article.content_hash.clone();
        if let Some(mut existing) = self.current(&content)? {
            let old_id = existing.publication.id.clone();
            let new_id = article.publication.id.clone();
            existing.add_publication(article.publication);
            let shown = existing.publication.id.clone();
            outcome.duplicates.push((new_id, shown));
            outcome.indexed += 1;
            return self.write(existing, Some(&old_id));
        }
        if self.id_taken(&article.publication.id, &content)? {
            let renamed = format!("{}#{}", article.publication.id, &content[..12]);
            outcome.renamed.push((article.publication.id.clone(), renamed.clone()));
            article.publication.id = renamed;
        }
        self.read_journal_once()?;
        // A story is named by the content hash of its first version.
        article.story = self.story_of(&article)?.map_or_else(|| article.content_hash.clone(), content_hex);
        article.added_in = self.state.next_commit;
        outcome.indexed += 1;
        self.write(article, None)
    }

    /// The story of the most similar article already indexed, if it is similar enough to be
    /// a version of the same story (ties go to the smallest story).
    fn story_of(&self, article: &Article) -> Result<Option<u128>> {
        let Some(sketch) = &article.sketch else { return Ok(None) };
        let mut best: Option<(f64, u128)> = None;
        for (similarity, known) in self.state.run.candidates(sketch) {
            let story = match known {
                Known::Story(story) | Known::Committed { story, .. } => story,
            };
            let better = best.is_none_or(|(s, b)| similarity > s || (similarity == s && story < b));
            if similarity < SAME_STORY || !better {
                continue;
            }
            // A text committed before the run holds its story only while it is indexed.
            if let Known::Committed { content, .. } = known
                && !self.still_indexed(&content_hex(content))?
            {
                continue;
            }
            best = Some((similarity, story));
        }
        Ok(best.map(|(_, story)| story))
    }

    /// Puts the sketches of the articles committed before the run into its memory, the first
    /// time a new text needs them (a run that adds nothing new never reads them).
    fn read_journal_once(&mut self) -> Result<()> {
        if self.state.journal_read {
            return Ok(());
        }
        self.state.journal_read = true;
        if !self.state.preexisting {
            return Ok(());
        }
        let limit = self.state.run_memory / 2;
        let State { journal, run, .. } = &mut *self.state;
        journal.visit_last(limit as u64, |record| {
            run.remember_committed(&record.sketch, record.content, record.story)
        })
    }

    /// The article with this text as it stands now (this run's changes included).
    fn current(&self, content: &str) -> Result<Option<Article>> {
        if let Some(live) = self.state.live.get(content) {
            return Ok(live.clone());
        }
        if !self.state.preexisting && !self.state.run.may_know_content(content) {
            return Ok(None);
        }
        Ok(self.committed(self.fields.content_hash, content, 1)?.into_iter().next())
    }

    /// Whether an article with this text is in the index as it stands now: a term lookup,
    /// without reading the stored document.
    fn still_indexed(&self, content: &str) -> Result<bool> {
        if let Some(live) = self.state.live.get(content) {
            return Ok(live.is_some());
        }
        let query = TermQuery::new(
            Term::from_field_text(self.fields.content_hash, content),
            IndexRecordOption::Basic,
        );
        Ok(self.state.searcher.search(&query, &Count)? > 0)
    }

    /// Whether `id` names a different text, in this run or in the committed index.
    fn id_taken(&self, id: &str, content: &str) -> Result<bool> {
        if let Some(owner) = self.state.live_ids.get(id) {
            return Ok(owner.as_deref().is_some_and(|c| c != content));
        }
        if !self.state.preexisting && !self.state.run.may_know_id(id) {
            return Ok(false);
        }
        Ok(self.committed(self.fields.id, id, 4)?.iter().any(|a| a.content_hash != content))
    }

    /// Up to `limit` committed articles whose raw `field` holds `value`.
    fn committed(&self, field: Field, value: &str, limit: usize) -> Result<Vec<Article>> {
        let searcher = &self.state.searcher;
        let query = TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic);
        // The matching documents' addresses, not a top-n: a top-n collector sized for "all"
        // reserved room for every document of the index at each lookup (a file's lookup by
        // path took most of a run that added half a million files to an index of as many).
        let mut addresses: Vec<_> = searcher.search(&query, &DocSetCollector)?.into_iter().collect();
        addresses.sort_unstable();
        let mut articles = Vec::with_capacity(addresses.len().min(limit));
        for address in addresses.into_iter().take(limit) {
            let doc: TantivyDocument = searcher.doc(address)?;
            articles.extend(from_document(self.fields, &doc));
        }
        Ok(articles)
    }

    fn write(&mut self, article: Article, replacing: Option<&str>) -> Result<()> {
        if let Some(old_id) = replacing {
            self.writer.delete_term(Term::from_field_text(self.fields.id, old_id));
            if old_id != article.publication.id {
                self.state.live_ids.insert(old_id.to_string(), None);
            }
        }
        self.writer.add_document(to_document(self.fields, &article))?;
        let content = article.content_hash.clone();
        for publication in article.publications() {
            self.state.live_paths.entry(publication.path.clone()).or_default().insert(content.clone());
        }
        self.state.live_ids.insert(article.publication.id.clone(), Some(content.clone()));
        let run = &mut self.state.run;
        run.remember_written(&article.publication.id, &content);
        // Only a new text gets a story of its own (a text written again, for another
        // publication, keeps the one it has).
        if replacing.is_none()
            && let Some(sketch) = &article.sketch
            && let (Some(number), Some(story)) = (content_number(&content), content_number(&article.story))
        {
            run.remember_story(sketch, story);
            self.state.journal.stage(number, story, sketch);
        }
        self.state.live.insert(content, Some(article));
        Ok(())
    }

    fn delete(&mut self, content: &str, id: &str) {
        self.writer.delete_term(Term::from_field_text(self.fields.id, id));
        self.state.live_ids.insert(id.to_string(), None);
        self.state.live.insert(content.to_string(), None);
    }
}
