//! Opening tantivy's index writer so that what a previous run left cannot hurt this one.
//!
//! Two hazards of reopening an index, both met by runs killed mid-way and the first by any run
//! that adds to an index:
//! - tantivy numbers operations from the opstamp of the last commit, which that commit itself
//!   used: the new writer's first operation gets the same number. A segment whose deletions
//!   were last brought up to date by that commit records the number as "deletions applied up
//!   to here", and a merge that starts before the new run's first commit (one starts whenever
//!   an indexing thread finishes a segment) takes the record at its word: a delete numbered
//!   the same is skipped for that segment, and the merged segment's own cursor has gone past
//!   it. The deleted document stays, once for each time its text was written again: an
//!   article listed twice. So the new writer's first operation is a delete that matches
//!   nothing.
//! - a run killed between tantivy writing a file and committing it leaves the file behind.
//!   Segment files get fresh names, but a segment's deletions are named by the commit they
//!   belong to, which the next run reaches again by replaying the same files: writing one
//!   would fail on the leftover. The writer clears such files first (its lock makes that
//!   safe).

use tantivy::schema::{Field, Term};
use tantivy::{Index, IndexWriter, TantivyDocument};

use crate::error::{Error, Result};

/// A value no document's raw `id` holds (ids are paths or URLs, never control characters).
const NO_ID: &str = "\u{0}newsdex: takes the opstamp of the last commit";

/// Opens `index`'s writer with `threads` threads and `heap` bytes, the hazards above dealt
/// with; `id` is the field every document has one raw value of. `Error::Locked` names
/// `shown` when another process is writing the index.
pub(super) fn open(
    index: &Index,
    (threads, heap): (usize, usize),
    id: Field,
    shown: &std::path::Path,
) -> Result<IndexWriter<TantivyDocument>> {
    let writer = index.writer_with_num_threads(threads, heap).map_err(|e| match e {
        tantivy::TantivyError::LockFailure(..) => Error::Locked(shown.to_path_buf()),
        other => Error::Engine(other),
    })?;
    writer.garbage_collect_files().wait()?;
    writer.delete_term(Term::from_field_text(id, NO_ID));
    Ok(writer)
}

#[cfg(test)]
mod tests {
    use tantivy::collector::Count;
    use tantivy::indexer::NoMergePolicy;
    use tantivy::query::TermQuery;
    use tantivy::schema::{IndexRecordOption, STRING, Schema};
    use tantivy::{Index, IndexWriter, TantivyDocument, doc};

    use super::*;

    fn eight_committed_segments(per_segment: usize) -> (Index, Field) {
        let mut builder = Schema::builder();
        let id = builder.add_text_field("id", STRING);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter<TantivyDocument> = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.set_merge_policy(Box::new(NoMergePolicy));
        // Eight segments, one a commit; the last commit deletes from the first segment.
        for segment in 0..8 {
            for k in 0..per_segment {
                writer.add_document(doc!(id => format!("{segment}-{k}"))).unwrap();
            }
            if segment == 7 {
                writer.delete_term(Term::from_field_text(id, "0-0"));
            }
            writer.commit().unwrap();
        }
        writer.wait_merging_threads().unwrap();
        (index, id)
    }

    fn count(index: &Index, id: Field, value: &str) -> usize {
        let searcher = index.reader().unwrap().searcher();
        let query = TermQuery::new(Term::from_field_text(id, value), IndexRecordOption::Basic);
        searcher.search(&query, &Count).unwrap()
    }

    /// The next run deletes from the segment the last commit touched, and merges every
    /// segment before it commits.
    fn delete_then_merge(mut writer: IndexWriter<TantivyDocument>, index: &Index, id: Field) {
        writer.set_merge_policy(Box::new(NoMergePolicy));
        writer.delete_term(Term::from_field_text(id, "0-1"));
        // The segment with deletions last: the merged segment takes the first one's cursor.
        let mut metas = index.searchable_segment_metas().unwrap();
        metas.sort_by_key(|meta| meta.has_deletes());
        let segments: Vec<_> = metas.iter().map(|meta| meta.id()).collect();
        writer.merge(&segments).wait().unwrap();
        writer.commit().unwrap();
        writer.wait_merging_threads().unwrap();
    }

    #[test]
    fn a_delete_before_the_first_commit_survives_a_merge_begun_before_it() {
        let (index, id) = eight_committed_segments(3);
        let writer = open(&index, (1, 15_000_000), id, std::path::Path::new("test")).unwrap();
        delete_then_merge(writer, &index, id);
        assert_eq!(count(&index, id, "0-1"), 0);
        assert_eq!(count(&index, id, "0-2"), 1);
        assert_eq!(index.reader().unwrap().searcher().num_docs(), 8 * 3 - 2);
    }

    /// What the writer above guards against, shown on tantivy's own: if tantivy stops
    /// reusing the opstamp, this fails and the guard can go.
    #[test]
    fn tantivys_own_writer_loses_that_delete() {
        let (index, id) = eight_committed_segments(3);
        let writer: IndexWriter<TantivyDocument> = index.writer_with_num_threads(1, 15_000_000).unwrap();
        delete_then_merge(writer, &index, id);
        assert_eq!(count(&index, id, "0-1"), 1, "tantivy now applies the delete: the guard can go");
    }
}
