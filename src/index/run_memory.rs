//! What an indexing run remembers of the articles it wrote, across its commits: enough to know
//! when a lookup in the committed index is needed (sets of 32-bit fingerprints of the contents
//! and ids it wrote), and to find near-duplicate candidates without one. Nothing is allocated
//! per article, and nothing grows by copying everything it holds:
//! - sketches (32 values of 16 bits) in fixed-size chunks;
//! - the LSH bands as one table of chain heads per band, indexed by the band hash's low bits,
//!   with a chain of previous slots per slot and band; a chain can pass through slots of other
//!   hashes, which the walk skips by recomputing their band hash from their stored sketch. The
//!   tables double when there are more than two slots a bucket (the old ones freed first), and
//!   are rebuilt from the sketches;
//! - the stories in string chunks of a fixed size, each slot's as (chunk, start, end).
//!
//! About 220 bytes an article in all, by the layout's arithmetic: 64 sketch, 64 chains, 32 to
//! 64 heads (16 bands of a 4-byte bucket for one to two slots), the story (most often the
//! article's id, 20 to 60 bytes) and 12 for where it is, 10 to 20 for the two sets.

use std::hash::{BuildHasher, BuildHasherDefault};

use rustc_hash::FxHashSet;

use crate::extract::neardup::{BANDS, ROWS, SKETCH_LEN, Sketch, band_hash};

const NONE: u32 = u32::MAX;
/// Slots per chunk of the chunked arrays (a chunk of sketches is 512 KB).
const CHUNK: usize = 4096;
/// Most slots sharing a head bucket, per band, before the tables double: a walk reads one or
/// two sketches per band, and the heads cost 32 to 64 bytes an article.
const SLOTS_PER_BUCKET: usize = 2;
/// Bytes per chunk of story text (a longer story gets a chunk of its own).
const STORY_CHUNK: usize = 1 << 20;

/// A growable array of rows of `WIDTH` values, kept in fixed-size chunks.
struct Chunked<T, const WIDTH: usize> {
    chunks: Vec<Box<[T]>>,
    rows: usize,
}

impl<T, const WIDTH: usize> Default for Chunked<T, WIDTH> {
    fn default() -> Self {
        Chunked { chunks: Vec::new(), rows: 0 }
    }
}

impl<T: Copy + Default, const WIDTH: usize> Chunked<T, WIDTH> {
    fn push(&mut self, row: &[T]) {
        if self.rows.is_multiple_of(CHUNK) {
            self.chunks.push(vec![T::default(); CHUNK * WIDTH].into_boxed_slice());
        }
        let at = (self.rows % CHUNK) * WIDTH;
        self.chunks.last_mut().expect("a chunk")[at..at + WIDTH].copy_from_slice(row);
        self.rows += 1;
    }

    fn row(&self, slot: usize) -> &[T] {
        let at = (slot % CHUNK) * WIDTH;
        &self.chunks[slot / CHUNK][at..at + WIDTH]
    }

    fn row_mut(&mut self, slot: usize) -> &mut [T] {
        let at = (slot % CHUNK) * WIDTH;
        &mut self.chunks[slot / CHUNK][at..at + WIDTH]
    }
}

/// The run's memory of what it wrote.
#[derive(Default)]
pub struct RunMemory {
    /// Fingerprints of the contents and ids written: a fingerprint shared by a new key and an
    /// old one (about once in 4,000 lookups after a million articles, 10^6 / 2^32) costs a
    /// lookup in the committed index, which answers exactly.
    contents: FxHashSet<u32>,
    ids: FxHashSet<u32>,
    /// Chain heads, `BANDS` tables of `per_band` buckets: the last slot whose hash for the
    /// band falls in each bucket.
    heads: Vec<u32>,
    per_band: usize,
    /// For each slot and band, the previous slot in the same bucket.
    next: Chunked<u32, BANDS>,
    sketches: Chunked<u16, SKETCH_LEN>,
    /// The stories, one after the other in chunks, and each slot's (chunk, start, end).
    story_text: Vec<String>,
    story_at: Chunked<u32, 3>,
}

/// 32 bits of a 64-bit hash of `text`.
fn fingerprint(text: &str) -> u32 {
    (BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(text) >> 32) as u32
}

impl RunMemory {
    /// Whether the run may have written an article with this content hash: false means it
    /// did not, true that the committed index must be asked.
    pub fn may_know_content(&self, content: &str) -> bool {
        self.contents.contains(&fingerprint(content))
    }

    /// Whether the run may have written an article under this id (as for contents).
    pub fn may_know_id(&self, id: &str) -> bool {
        self.ids.contains(&fingerprint(id))
    }

    /// Notes an article written under `id` with text `content`.
    pub fn remember_written(&mut self, id: &str, content: &str) {
        self.ids.insert(fingerprint(id));
        self.contents.insert(fingerprint(content));
    }

    /// Notes a new article's sketch and story.
    pub fn remember_story(&mut self, sketch: &Sketch, story: &str) {
        let slot = self.sketches.rows;
        self.sketches.push(&sketch.0);
        self.next.push(&[NONE; BANDS]);
        self.push_story(story);
        if slot + 1 > self.per_band * SLOTS_PER_BUCKET {
            self.rebuild_heads();
        } else {
            self.link(slot);
        }
    }

    fn push_story(&mut self, story: &str) {
        let full = self.story_text.last().is_none_or(|c| c.capacity() - c.len() < story.len());
        if full {
            self.story_text.push(String::with_capacity(STORY_CHUNK.max(story.len())));
        }
        let chunk = self.story_text.len() - 1;
        let text = &mut self.story_text[chunk];
        let start = text.len();
        text.push_str(story);
        self.story_at.push(&[chunk as u32, start as u32, text.len() as u32]);
    }

    /// The bucket of band `band`'s hash `hash` in the head tables.
    fn bucket(&self, band: usize, hash: u32) -> usize {
        band * self.per_band + (hash as usize & (self.per_band - 1))
    }

    /// Puts `slot`'s bands at the head of their buckets' chains.
    fn link(&mut self, slot: usize) {
        for band in 0..BANDS {
            let hash = band_hash(band, &self.sketches.row(slot)[band * ROWS..][..ROWS]);
            let bucket = self.bucket(band, hash);
            self.next.row_mut(slot)[band] = self.heads[bucket];
            self.heads[bucket] = slot as u32;
        }
    }

    /// Doubles the head tables (one bucket for one to two slots, per band) and links every
    /// slot again, in order, so chains run from the newest slot to the oldest.
    fn rebuild_heads(&mut self) {
        self.per_band = self.sketches.rows.div_ceil(SLOTS_PER_BUCKET).next_power_of_two().max(64);
        self.heads = Vec::new();
        self.heads = vec![NONE; self.per_band * BANDS];
        for slot in 0..self.sketches.rows {
            self.link(slot);
        }
    }

    /// Sketches remembered.
    pub fn sketches(&self) -> usize {
        self.sketches.rows
    }

    /// Forgets the sketches (the ids and contents stay): the caller looks candidates up in
    /// the committed index from then on.
    pub fn forget_sketches(&mut self) {
        self.heads = Vec::new();
        self.per_band = 0;
        self.next = Chunked::default();
        self.sketches = Chunked::default();
        self.story_text = Vec::new();
        self.story_at = Chunked::default();
    }

    fn story(&self, slot: usize) -> &str {
        let at = self.story_at.row(slot);
        &self.story_text[at[0] as usize][at[1] as usize..at[2] as usize]
    }

    /// The remembered articles sharing a band with `sketch`: (similarity, story), each once.
    pub fn candidates(&self, sketch: &Sketch) -> Vec<(f64, &str)> {
        if self.heads.is_empty() {
            return Vec::new();
        }
        let mut slots: Vec<u32> = Vec::new();
        for (band, hash) in sketch.band_hashes().enumerate() {
            let mut slot = self.heads[self.bucket(band, hash)];
            while slot != NONE {
                let rows = &self.sketches.row(slot as usize)[band * ROWS..][..ROWS];
                if band_hash(band, rows) == hash {
                    slots.push(slot);
                }
                slot = self.next.row(slot as usize)[band];
            }
        }
        slots.sort_unstable();
        slots.dedup();
        slots
            .into_iter()
            .map(|slot| (sketch.similarity_to(self.sketches.row(slot as usize)), self.story(slot as usize)))
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

    #[test]
    fn written_ids_and_contents_are_known_and_others_are_not() {
        let mut memory = RunMemory::default();
        for n in 0..50_000 {
            memory.remember_written(&format!("reuters/2016/04/{n}"), &format!("{n:064x}"));
        }
        assert!((0..50_000).all(|n| memory.may_know_id(&format!("reuters/2016/04/{n}"))));
        assert!((0..50_000).all(|n| memory.may_know_content(&format!("{n:064x}"))));
        // 32-bit fingerprints of 50,000 keys: a stranger matches one about once in 86,000.
        let strangers =
            (50_000..60_000).filter(|n| memory.may_know_id(&format!("reuters/2016/04/{n}"))).count();
        assert!(strangers <= 2, "{strangers} unknown ids taken for known ones");
        assert!(!memory.may_know_content("reuters/2016/04/1"), "ids and contents are apart");
    }

    #[test]
    fn stories_of_any_length_come_back_whole_across_chunks() {
        let mut memory = RunMemory::default();
        let one = sketch("the talks in Geneva were put off again by a week, officials said").unwrap();
        let stories: Vec<String> = [10, STORY_CHUNK / 2 + 1, STORY_CHUNK / 2 + 1, 7, STORY_CHUNK * 2, 3]
            .iter()
            .enumerate()
            .map(|(i, len)| char::from(b'a' + i as u8).to_string().repeat(*len))
            .collect();
        for story in &stories {
            memory.remember_story(&one, story);
        }
        assert_eq!(
            memory.story_text.len(),
            4,
            "chunks: 10 bytes and a half; a half and 7 bytes; the long story; 3 bytes"
        );
        for (slot, story) in stories.iter().enumerate() {
            assert_eq!(memory.story(slot), story, "slot {slot}");
        }
    }

    #[test]
    fn many_articles_through_table_rebuilds_find_exactly_the_slots_sharing_a_band() {
        let mut memory = RunMemory::default();
        let texts: Vec<String> = (0..3000)
            .map(|i| format!("report number {i} on the talks in Geneva about {} and {}", i * 7, i % 13))
            .collect();
        for (i, text) in texts.iter().enumerate() {
            memory.remember_story(&sketch(text).unwrap(), &format!("story-{i}"));
        }
        assert_eq!(memory.sketches(), 3000);
        for i in [0, 1, 1023, 1024, 2999] {
            let probe = sketch(&texts[i]).unwrap();
            let found = memory.candidates(&probe);
            // Brute force: every remembered sketch sharing a band hash with the probe.
            let bands: Vec<u32> = probe.band_hashes().collect();
            let expected: Vec<String> = texts
                .iter()
                .enumerate()
                .filter(|(_, t)| sketch(t).unwrap().band_hashes().zip(&bands).any(|(a, b)| a == *b))
                .map(|(j, _)| format!("story-{j}"))
                .collect();
            let mut stories: Vec<String> = found.iter().map(|(_, s)| s.to_string()).collect();
            stories.sort_by_key(|s| s[6..].parse::<usize>().unwrap());
            assert_eq!(stories, expected, "probe {i}");
            assert!(found.contains(&(1.0, format!("story-{i}").as_str())));
        }
    }
}
