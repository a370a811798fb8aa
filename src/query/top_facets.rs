//! The top values of a flat facet (people, organisations, places, actors, sources) over a
//! matched set, exact, naming as few values as it can. Counting by ordinal per segment is fast;
//! turning an ordinal into its name is a dictionary lookup, and a large index has hundreds of
//! thousands of names. So each segment names only its `k` most frequent values, every such
//! candidate's exact count is summed over all segments (name to ordinal is a lookup too, but
//! only for candidates), and the list is final when the last of the top values counts more
//! than any value outside the candidates could: the sum over segments of the largest count
//! left out. Otherwise `k` grows and the round repeats (Fagin's threshold algorithm).

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::fastfield::FacetReader;
use tantivy::index::SegmentReader;
use tantivy::schema::Facet;
use tantivy::{DocId, Score};

use crate::error::Result;

/// Candidates named per segment in the first round, at least.
const FIRST_ROUND: usize = 64;

/// Collects the per-segment counts of one facet field.
pub struct FacetOrdinals {
    /// The facet field's name.
    pub field: &'static str,
}

/// One segment's count of each of its facet values, by ordinal.
pub struct SegmentCounts {
    reader: FacetReader,
    counts: Vec<u32>,
}

impl Collector for FacetOrdinals {
    type Fruit = Vec<SegmentCounts>;
    type Child = SegmentCounts;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<SegmentCounts> {
        let reader = segment.facet_reader(self.field)?;
        let counts = vec![0; reader.num_facets()];
        Ok(SegmentCounts { reader, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<SegmentCounts>>) -> tantivy::Result<Vec<SegmentCounts>> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for SegmentCounts {
    type Fruit = Vec<SegmentCounts>;

    fn collect(&mut self, doc: DocId, _: Score) {
        for ord in self.reader.facet_ords(doc) {
            if let Some(count) = self.counts.get_mut(ord as usize) {
                *count += 1;
            }
        }
    }

    fn harvest(self) -> Vec<SegmentCounts> {
        vec![self]
    }
}

/// The `top` most frequent values over all segments, most frequent first, ties by name.
pub fn top_values(segments: &[SegmentCounts], top: usize) -> Result<Vec<(String, u64)>> {
    let mut k = (top * 4).max(FIRST_ROUND);
    loop {
        let mut candidates: Vec<String> = Vec::new();
        let mut threshold = 0u64;
        let mut complete = true;
        for segment in segments {
            let (ords, left_out) = most_frequent(&segment.counts, k);
            if let Some(bound) = left_out {
                complete = false;
                threshold += u64::from(bound);
            }
            segment
                .reader
                .facet_dict()
                .sorted_ords_to_term_cb(&ords, |bytes| {
                    if let Ok(facet) = Facet::from_encoded(bytes.to_vec())
                        && let Some(name) = facet.to_path().last()
                    {
                        candidates.push(name.to_string());
                    }
                })
                .map_err(dictionary_error)?;
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut values: Vec<(String, u64)> =
            candidates.into_iter().map(|name| exact_count(segments, name)).collect::<Result<_>>()?;
        values.retain(|(_, count)| *count > 0);
        values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let settled = values.len() >= top && values[top - 1].1 > threshold;
        if complete || settled || top == 0 {
            values.truncate(top);
            return Ok(values);
        }
        k *= 4;
    }
}

fn dictionary_error(error: std::io::Error) -> crate::error::Error {
    crate::error::Error::Engine(tantivy::TantivyError::from(error))
}

/// The ordinals of the `k` highest non-zero counts, sorted by ordinal, and the largest count
/// left out (`None` when nothing was).
fn most_frequent(counts: &[u32], k: usize) -> (Vec<u64>, Option<u32>) {
    let mut ords: Vec<(u32, u64)> =
        counts.iter().enumerate().filter(|(_, c)| **c > 0).map(|(o, c)| (*c, o as u64)).collect();
    let mut left_out = None;
    if ords.len() > k {
        ords.select_nth_unstable_by(k, |a, b| b.0.cmp(&a.0));
        left_out = Some(ords[k].0);
        ords.truncate(k);
    }
    let mut sorted: Vec<u64> = ords.into_iter().map(|(_, ord)| ord).collect();
    sorted.sort_unstable();
    (sorted, left_out)
}

/// A value's count summed over every segment that has it.
fn exact_count(segments: &[SegmentCounts], name: String) -> Result<(String, u64)> {
    let facet = Facet::from_path([name.as_str()]);
    let mut total = 0u64;
    for segment in segments {
        if let Some(ord) =
            segment.reader.facet_dict().term_ord(facet.encoded_str()).map_err(dictionary_error)?
        {
            total += u64::from(segment.counts.get(ord as usize).copied().unwrap_or(0));
        }
    }
    Ok((name, total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::indexer::NoMergePolicy;
    use tantivy::query::AllQuery;
    use tantivy::schema::{FacetOptions, Schema};
    use tantivy::{Index, IndexWriter, TantivyDocument};

    #[test]
    fn a_value_rare_in_most_segments_is_counted_in_all_of_them() {
        let mut builder = Schema::builder();
        let field = builder.add_facet_field("f", FacetOptions::default());
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.set_merge_policy(Box::new(NoMergePolicy));
        let add = |writer: &IndexWriter, name: &str, times: usize| {
            for _ in 0..times {
                let mut doc = TantivyDocument::default();
                doc.add_facet(field, Facet::from_path([name]));
                writer.add_document(doc).unwrap();
            }
        };
        // Two segments where "star" (2 each) is below 200 values of 3, then one where it has 50.
        for _ in 0..2 {
            (0..200).for_each(|i| add(&writer, &format!("v{i:03}"), 3));
            add(&writer, "star", 2);
            writer.commit().unwrap();
        }
        add(&writer, "star", 50);
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 3);
        let segments = searcher.search(&AllQuery, &FacetOrdinals { field: "f" }).unwrap();
        let top = top_values(&segments, 3).unwrap();
        assert_eq!(top, [("star".to_string(), 54), ("v000".to_string(), 6), ("v001".to_string(), 6)]);
        let all = top_values(&segments, 1000).unwrap();
        assert_eq!(all.len(), 201);
        assert_eq!(all.iter().map(|(_, c)| c).sum::<u64>(), 54 + 200 * 6);
    }

    #[test]
    fn the_largest_count_left_out_bounds_what_was_not_named() {
        let counts = [5, 0, 9, 1, 7, 6];
        assert_eq!(most_frequent(&counts, 2), (vec![2, 4], Some(6)));
        assert_eq!(most_frequent(&counts, 10), (vec![0, 2, 3, 4, 5], None));
    }
}
