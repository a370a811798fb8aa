//! One file's work under the sink's locks: taking a file's old publications out, adding its
//! articles (a new text, or one more publication of a text already indexed), finding each new
//! text's story, and the lookups in the committed index these need.

use std::collections::HashSet;

use tantivy::collector::{Count, DocSetCollector};
use tantivy::query::TermQuery;
use tantivy::schema::{Field, IndexRecordOption, Term};
use tantivy::{IndexWriter, TantivyDocument};

use super::unwritten::WINDOW;
use super::{FileOutcome, State};
use crate::article::Article;
use crate::error::{Error, Result};
use crate::extract::neardup::SAME_STORY;
use crate::index::Fields;
use crate::index::document::{from_document, to_document};
use crate::index::run_memory::Known;
use crate::index::sketch_journal::{content_hex, content_number};

/// One file's work under the locks.
pub(super) struct Batch<'a> {
    pub(super) fields: &'a Fields,
    pub(super) writer: &'a IndexWriter<TantivyDocument>,
    pub(super) state: &'a mut State,
}

impl Batch<'_> {
    /// Takes the publications read from `path` out of every article that has one. Only a
    /// file the manifest held before the run can have publications in the committed index
    /// (the manifest and the index are committed together): for the others, most files of a
    /// run that adds to an index, the lookup is skipped.
    pub(super) fn detach_path(&mut self, path: &str, committed_before_the_run: bool) -> Result<()> {
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
    pub(super) fn add(&mut self, mut article: Article, outcome: &mut FileOutcome) -> Result<()> {
        let content = article.content_hash.clone();
        if let Some(mut existing) = self.current(&content)? {
            let old_id = existing.publication.id.clone();
            let new_id = article.publication.id.clone();
            existing.add_copy(article);
            let shown = existing.publication.id.clone();
            outcome.duplicates.push((new_id, shown));
            outcome.indexed += 1;
            return self.write(existing, Some(&old_id));
        }
        if article.entities_not_extracted {
            // `ArticleSink::holds_text` said the index had this text: it must still.
            return Err(Error::Internal(format!(
                "{}: its text was held by the index when read, and is not now",
                article.publication.id
            )));
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

    /// Writes `article` (in place of the document `replacing` names, if any): its document
    /// waits in `unwritten` (see there) while the state records it at once.
    fn write(&mut self, article: Article, replacing: Option<&str>) -> Result<()> {
        let content = article.content_hash.clone();
        if let Some(old_id) = replacing {
            // A waiting document never reached the writer: there is nothing to delete.
            if !self.state.unwritten.contains(&content) {
                self.writer.delete_term(Term::from_field_text(self.fields.id, old_id));
            }
            if old_id != article.publication.id {
                self.state.live_ids.insert(old_id.to_string(), None);
            }
        }
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
        self.state.unwritten.push(&content);
        self.state.live.insert(content, Some(article));
        self.hand_over(WINDOW)
    }

    /// Gives the writer the documents of the oldest waiting texts until at most `keep` wait
    /// (none before a commit).
    pub(super) fn hand_over(&mut self, keep: usize) -> Result<()> {
        while let Some(content) = self.state.unwritten.pop_beyond(keep) {
            if let Some(Some(article)) = self.state.live.get(&content) {
                self.writer.add_document(to_document(self.fields, article))?;
            }
        }
        Ok(())
    }

    fn delete(&mut self, content: &str, id: &str) {
        if !self.state.unwritten.forget(content) {
            self.writer.delete_term(Term::from_field_text(self.fields.id, id));
        }
        self.state.live_ids.insert(id.to_string(), None);
        self.state.live.insert(content.to_string(), None);
    }
}
