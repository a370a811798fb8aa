//! What an indexing run remembers of the articles it wrote, across its commits: enough to know
//! when a lookup in the committed index is needed (content and id hashes, 16 bytes an
//! article), and to find near-duplicate candidates without one. Sketches are kept compactly,
//! with no allocation per article: the 32-bit values in one flat array, the LSH bands as one hash map from a 32-bit band
//! hash to the last slot that had it plus a chain of previous slots (a collision only adds a
//! candidate, which the similarity check then rejects). About 400 bytes an article in all, by
//! the layout's arithmetic.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, BuildHasherDefault};

use crate::extract::neardup::{BANDS, SKETCH_LEN, Sketch};

const NONE: u32 = u32::MAX;

/// The run's memory of what it wrote.
#[derive(Default)]
pub struct RunMemory {
    contents: HashSet<u64>,
    ids: HashSet<u64>,
    heads: HashMap<u32, u32>,
    /// For each slot and band, the previous slot with the same band hash.
    next: Vec<u32>,
    /// `SKETCH_LEN` truncated values per slot.
    sketches: Vec<u32>,
    stories: Vec<Box<str>>,
}

fn short_hash(text: &str) -> u64 {
    BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(text)
}

impl RunMemory {
    /// Whether the run wrote an article with this content hash.
    pub fn knows_content(&self, content: &str) -> bool {
        self.contents.contains(&short_hash(content))
    }

    /// Whether the run wrote an article under this id.
    pub fn knows_id(&self, id: &str) -> bool {
        self.ids.contains(&short_hash(id))
    }

    /// Notes an id written; returns nothing, ids are only ever looked up.
    pub fn remember_id(&mut self, id: &str) {
        self.ids.insert(short_hash(id));
    }

    /// Notes a content written; true when it is new to the run.
    pub fn remember_content(&mut self, content: &str) -> bool {
        self.contents.insert(short_hash(content))
    }

    /// Notes a new article's sketch and story.
    pub fn remember_story(&mut self, sketch: &Sketch, story: &str) {
        let slot = self.stories.len() as u32;
        self.sketches.extend_from_slice(&sketch.0);
        for band in sketch.band_hashes() {
            let previous = self.heads.insert(band, slot).unwrap_or(NONE);
            self.next.push(previous);
        }
        self.stories.push(story.into());
    }

    /// Sketches remembered.
    pub fn sketches(&self) -> usize {
        self.stories.len()
    }

    /// Forgets the sketches (the ids and contents stay): the caller looks candidates up in
    /// the committed index from then on.
    pub fn forget_sketches(&mut self) {
        self.heads = HashMap::new();
        self.next = Vec::new();
        self.sketches = Vec::new();
        self.stories = Vec::new();
    }

    /// The remembered articles sharing a band with `sketch`: (similarity, story), each once.
    pub fn candidates(&self, sketch: &Sketch) -> Vec<(f64, &str)> {
        let mut slots: Vec<u32> = Vec::new();
        for (band, hash) in sketch.band_hashes().enumerate() {
            let mut slot = self.heads.get(&hash).copied().unwrap_or(NONE);
            while slot != NONE {
                slots.push(slot);
                slot = self.next[slot as usize * BANDS + band];
            }
        }
        slots.sort_unstable();
        slots.dedup();
        slots
            .into_iter()
            .map(|slot| {
                let stored = &self.sketches[slot as usize * SKETCH_LEN..][..SKETCH_LEN];
                (sketch.similarity_to(stored), &*self.stories[slot as usize])
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::neardup::sketch;

    #[test]
    fn candidates_share_a_band_and_carry_their_similarity() {
        let text = "Syrian government forces backed by Russian air strikes recaptured the ancient city of \
                    Palmyra from Islamic State on Sunday, the army said in a statement on state television.";
        let edited = text.replace("on Sunday", "on Sunday morning");
        let other = "Shares in European banks fell sharply on Monday as investors worried about the \
                     health of lenders in Italy and Portugal, traders in London and Frankfurt said.";
        let mut memory = RunMemory::default();
        memory.remember_story(&sketch(text).unwrap(), "palmyra");
        memory.remember_story(&sketch(other).unwrap(), "banks");
        let found = memory.candidates(&sketch(&edited).unwrap());
        let exact = sketch(text).unwrap().similarity(&sketch(&edited).unwrap());
        assert_eq!(found, [(exact, "palmyra")]);
        assert_eq!(memory.candidates(&sketch(text).unwrap())[0], (1.0, "palmyra"));
        memory.forget_sketches();
        assert!(memory.candidates(&sketch(text).unwrap()).is_empty());
    }
}
