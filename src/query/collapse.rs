//! `--collapse`: each story counted and shown once. Versions of one story (near duplicates)
//! share a story key; over the matched set, each story keeps its earliest version (undated
//! versions come last, then the smallest document address), its best score and its number of
//! versions.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::index::SegmentReader;
use tantivy::query::Query;
use tantivy::schema::Facet;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal};

use crate::error::Result;

/// One story of the matched set.
#[derive(Debug, Clone, Copy)]
pub struct Story {
    /// Matched versions.
    pub versions: u32,
    /// The earliest version.
    pub earliest: DocAddress,
    /// Its publication time (seconds), `i64::MAX` when undated.
    pub earliest_secs: i64,
    /// The best score of any version.
    pub best_score: Score,
}

impl Story {
    fn absorb(&mut self, other: &Story) {
        self.versions += other.versions;
        if (other.earliest_secs, other.earliest) < (self.earliest_secs, self.earliest) {
            self.earliest = other.earliest;
            self.earliest_secs = other.earliest_secs;
        }
        self.best_score = self.best_score.max(other.best_score);
    }
}

/// The stories of the documents a query matches.
pub fn stories(searcher: &Searcher, query: &dyn Query, scored: bool) -> Result<Vec<Story>> {
    let by_key = searcher.search(query, &StoryCollector { scored })?;
    Ok(by_key.into_values().collect())
}

struct StoryCollector {
    scored: bool,
}

struct StorySegment {
    segment: SegmentOrdinal,
    keys: Column<u64>,
    dates: Column<tantivy::DateTime>,
    stories: HashMap<u64, Story>,
}

impl Collector for StoryCollector {
    type Fruit = HashMap<u64, Story>;
    type Child = StorySegment;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<StorySegment> {
        Ok(StorySegment {
            segment,
            keys: reader.fast_fields().u64("story_key")?,
            dates: reader.fast_fields().date("published")?,
            stories: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.scored
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut all: HashMap<u64, Story> = HashMap::new();
        for fruit in fruits {
            for (key, story) in fruit {
                all.entry(key).and_modify(|s| s.absorb(&story)).or_insert(story);
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for StorySegment {
    type Fruit = HashMap<u64, Story>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let key = self.keys.first(doc).unwrap_or(u64::from(doc));
        let secs = self.dates.first(doc).map_or(i64::MAX, |d| d.into_timestamp_secs());
        let story = Story {
            versions: 1,
            earliest: DocAddress::new(self.segment, doc),
            earliest_secs: secs,
            best_score: score,
        };
        self.stories.entry(key).and_modify(|s| s.absorb(&story)).or_insert(story);
    }

    fn harvest(self) -> Self::Fruit {
        self.stories
    }
}

/// Counts the values of facet `field` over the stories' earliest versions: each story once.
pub fn facet_counts(searcher: &Searcher, stories: &[Story], field: &str) -> Result<HashMap<String, u64>> {
    let mut counts: HashMap<String, u64> = HashMap::new();
    let mut readers = HashMap::new();
    let mut facet = Facet::root();
    for story in stories {
        let segment = story.earliest.segment_ord;
        let reader = match readers.entry(segment) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(searcher.segment_reader(segment).facet_reader(field)?)
            }
        };
        for ord in reader.facet_ords(story.earliest.doc_id) {
            reader.facet_from_ord(ord, &mut facet)?;
            if let Some(name) = facet.to_path().last() {
                *counts.entry(name.to_string()).or_default() += 1;
            }
        }
    }
    Ok(counts)
}
