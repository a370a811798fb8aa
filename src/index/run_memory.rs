//! What an indexing run remembers of the articles it wrote, across its commits: enough to know
//! when a lookup in the committed index is needed (a Bloom filter each of the contents and ids
//! it wrote, [`super::seen`]), and to find near-duplicate candidates without one. Nothing is allocated
//! per article, and nothing grows by copying everything it holds:
//! - sketches (32 values of 16 bits) in fixed-size chunks;
//! - the LSH bands as one table of chain heads per band, indexed by the band hash's low bits,
//!   with a chain of previous slots per slot and band; a chain can pass through slots of other
//!   hashes. Each link carries ten more bits of its slot's band hash, so the walk skips nearly
//!   all of those without reading their sketches (a cache miss each: on the Reuters slice 24
//!   chain steps an article, 23 of them foreign), and checks the rest against the sketch. The
//!   tables double when there are more than two slots a bucket (the old ones freed first), and
//!   are rebuilt from the sketches;
//! - each slot's story: the content hash of the story's first version (16 bytes; story names
//!   were the first version's id, a URL of 60 to 100 bytes, about 90 MB at a million);
//! - for the slots read back from the sketch journal (articles committed before the run), also
//!   the content hash: the index says whether the text is still there.
//!
//! Past a limit the oldest slots are forgotten a chunk at a time (see
//! [`RunMemory::forget_oldest`]), so memory stays bounded however large the corpus.
//!
//! About 190 bytes an article in all, by the layout's arithmetic: 64 sketch, 64 chains, 32 to
//! 64 heads (16 bands of a 4-byte bucket for one to two slots) and 16 story; and the two
//! filters, 8 MiB each whatever the number of articles.

use super::seen::Seen;
use crate::extract::neardup::{BANDS, ROWS, SKETCH_LEN, Sketch, band_hash};

/// Bits of a link that name a slot; the other ten carry a tag of the slot's band hash.
const SLOT_BITS: u32 = 22;

/// Slots a run's memory holds at most (about four million, four times the default limit):
/// past it the oldest half are forgotten at once, commit or not.
const MAX_SLOTS: usize = (1 << SLOT_BITS) - 1;

/// The end of a chain: a link whose slot bits are all set (no slot has that number).
const NONE: u32 = u32::MAX;

/// A chain link to `slot`, whose band hash is `hash`.
fn link_to(slot: usize, hash: u32) -> u32 {
    debug_assert!(slot < MAX_SLOTS);
    (tag(hash) << SLOT_BITS) | slot as u32
}

/// The bits of a band hash a link carries: its highest, which the bucket never uses (a bucket
/// takes at most the low 21 bits, for two million buckets).
fn tag(hash: u32) -> u32 {
    hash >> SLOT_BITS
}

/// The slot a link names, `None` at the end of a chain.
fn slot_of(link: u32) -> Option<usize> {
    let slot = (link & ((1 << SLOT_BITS) - 1)) as usize;
    (slot != MAX_SLOTS).then_some(slot)
}

/// Slots per chunk of the chunked arrays (a chunk of sketches is 512 KB).
const CHUNK: usize = 4096;
/// Most slots sharing a head bucket, per band, before the tables double: a walk reads one or
/// two sketches per band, and the heads cost 32 to 64 bytes an article.
const SLOTS_PER_BUCKET: usize = 2;

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

    /// Frees the first `chunks` chunks: the rows after them move down by as many chunks.
    fn drop_front(&mut self, chunks: usize) {
        self.chunks.drain(..chunks.min(self.chunks.len()));
        self.rows = self.rows.saturating_sub(chunks * CHUNK);
    }
}

/// A candidate's story, and what is known of its text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Known {
    /// An article this run wrote, in this story.
    Story(u128),
    /// An article committed before the run, by its content hash, in this story: whether it is
    /// still indexed is for the index to say.
    Committed {
        /// Its content hash.
        content: u128,
        /// Its story.
        story: u128,
    },
}

/// The run's memory of what it wrote.
#[derive(Default)]
pub struct RunMemory {
    /// The contents and ids written.
    contents: Seen,
    ids: Seen,
    /// Chain heads, `BANDS` tables of `per_band` buckets: a link to the last slot whose hash
    /// for the band falls in each bucket.
    heads: Vec<u32>,
    per_band: usize,
    /// For each slot and band, a link to the previous slot in the same bucket.
    next: Chunked<u32, BANDS>,
    sketches: Chunked<u16, SKETCH_LEN>,
    /// Each slot's story, high half first.
    stories: Chunked<u64, 2>,
    /// Content hashes of the first slots, the ones read back from the sketch journal.
    committed: Vec<u128>,
}

impl RunMemory {
    /// Whether the run may have written an article with this content hash: false means it
    /// did not, true that the committed index must be asked.
    pub fn may_know_content(&self, content: &str) -> bool {
        self.contents.may_contain(content)
    }

    /// Whether the run may have written an article under this id (as for contents).
    pub fn may_know_id(&self, id: &str) -> bool {
        self.ids.may_contain(id)
    }

    /// Notes an article written under `id` with text `content`.
    pub fn remember_written(&mut self, id: &str, content: &str) {
        self.ids.insert(id);
        self.contents.insert(content);
    }

    /// Notes the sketch of an article committed before the run (read from the sketch
    /// journal), before any of the run's own: its story is the index's to say.
    pub fn remember_committed(&mut self, sketch: &Sketch, content: u128, story: u128) {
        debug_assert_eq!(self.committed.len(), self.sketches.rows, "committed slots come first");
        self.committed.push(content);
        self.remember_story(sketch, story);
    }

    /// Notes a new article's sketch and story.
    pub fn remember_story(&mut self, sketch: &Sketch, story: u128) {
        if self.sketches.rows == MAX_SLOTS {
            self.forget_oldest(MAX_SLOTS / 2);
        }
        let slot = self.sketches.rows;
        self.sketches.push(&sketch.0);
        self.next.push(&[NONE; BANDS]);
        self.stories.push(&[(story >> 64) as u64, story as u64]);
        if slot + 1 > self.per_band * SLOTS_PER_BUCKET {
            self.rebuild_heads();
        } else {
            self.link(slot);
        }
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
            self.heads[bucket] = link_to(slot, hash);
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

    /// Forgets the oldest sketches, whole chunks of them, keeping at least the newest `keep`
    /// (the ids and contents stay). Nothing is copied: the chunks are freed and the chains
    /// rebuilt over what is left.
    pub fn forget_oldest(&mut self, keep: usize) {
        let chunks = self.sketches.rows.saturating_sub(keep) / CHUNK;
        if chunks == 0 {
            return;
        }
        self.heads = Vec::new();
        self.next = Chunked::default();
        self.sketches.drop_front(chunks);
        self.stories.drop_front(chunks);
        self.committed.drain(..(chunks * CHUNK).min(self.committed.len()));
        for _ in 0..self.sketches.rows {
            self.next.push(&[NONE; BANDS]);
        }
        self.rebuild_heads();
    }

    fn story(&self, slot: usize) -> u128 {
        let halves = self.stories.row(slot);
        (u128::from(halves[0]) << 64) | u128::from(halves[1])
    }

    /// The remembered articles sharing a band with `sketch`: (similarity, where its story is),
    /// each once.
    pub fn candidates(&self, sketch: &Sketch) -> Vec<(f64, Known)> {
        if self.heads.is_empty() {
            return Vec::new();
        }
        let mut slots: Vec<u32> = Vec::new();
        for (band, hash) in sketch.band_hashes().enumerate() {
            let mut link = self.heads[self.bucket(band, hash)];
            while let Some(slot) = slot_of(link) {
                if tag(link) == tag(hash)
                    && band_hash(band, &self.sketches.row(slot)[band * ROWS..][..ROWS]) == hash
                {
                    slots.push(slot as u32);
                }
                link = self.next.row(slot)[band];
            }
        }
        slots.sort_unstable();
        slots.dedup();
        slots
            .into_iter()
            .map(|slot| {
                let slot = slot as usize;
                let known = match self.committed.get(slot) {
                    Some(content) => Known::Committed { content: *content, story: self.story(slot) },
                    None => Known::Story(self.story(slot)),
                };
                (sketch.similarity_to(self.sketches.row(slot)), known)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::neardup::sketch;

    #[test]
    fn links_carry_their_slot_and_the_high_bits_of_the_hash() {
        for (slot, hash) in [(0, 0), (7, u32::MAX), (MAX_SLOTS - 1, 0x8040_2010), (4096, 0x003F_FFFF)] {
            let link = link_to(slot, hash);
            assert_eq!((slot_of(link), tag(link)), (Some(slot), hash >> 22));
        }
        assert_eq!(slot_of(NONE), None);
        // The tag is the bits no bucket uses: hashes that differ only there share a bucket.
        assert_ne!(tag(0x0040_0000), tag(0));
        assert_eq!(tag(0x003F_FFFF), tag(0));
    }

    #[test]
    fn candidates_share_a_band_and_carry_their_similarity() {
        let text = "Syrian government forces backed by Russian air strikes recaptured the ancient city of \
                    Palmyra from Islamic State on Sunday, the army said in a statement on state television.";
        let edited = text.replace("on Sunday", "on Sunday morning");
        let other = "Shares in European banks fell sharply on Monday as investors worried about the \
                     health of lenders in Italy and Portugal, traders in London and Frankfurt said.";
        let mut memory = RunMemory::default();
        // A story with both halves in use.
        let palmyra = u128::MAX - 5;
        memory.remember_story(&sketch(text).unwrap(), palmyra);
        memory.remember_story(&sketch(other).unwrap(), 7);
        let found = memory.candidates(&sketch(&edited).unwrap());
        let exact = sketch(text).unwrap().similarity(&sketch(&edited).unwrap());
        assert_eq!(found, [(exact, Known::Story(palmyra))]);
        assert_eq!(memory.candidates(&sketch(text).unwrap())[0], (1.0, Known::Story(palmyra)));
    }

    #[test]
    fn written_ids_and_contents_are_known_and_others_are_not() {
        let mut memory = RunMemory::default();
        for n in 0..50_000 {
            memory.remember_written(&format!("reuters/2016/04/{n}"), &format!("{n:064x}"));
        }
        assert!((0..50_000).all(|n| memory.may_know_id(&format!("reuters/2016/04/{n}"))));
        assert!((0..50_000).all(|n| memory.may_know_content(&format!("{n:064x}"))));
        // 50,000 keys in the filters: a stranger passes about once in 10^8.
        let strangers =
            (50_000..60_000).filter(|n| memory.may_know_id(&format!("reuters/2016/04/{n}"))).count();
        assert!(strangers <= 2, "{strangers} unknown ids taken for known ones");
        assert!(!memory.may_know_content("reuters/2016/04/1"), "ids and contents are apart");
    }

    #[test]
    fn many_articles_through_table_rebuilds_find_exactly_the_slots_sharing_a_band() {
        let mut memory = RunMemory::default();
        let texts: Vec<String> = (0..3000)
            .map(|i| format!("report number {i} on the talks in Geneva about {} and {}", i * 7, i % 13))
            .collect();
        for (i, text) in texts.iter().enumerate() {
            memory.remember_story(&sketch(text).unwrap(), i as u128);
        }
        assert_eq!(memory.sketches(), 3000);
        for i in [0, 1, 1023, 1024, 2999] {
            let probe = sketch(&texts[i]).unwrap();
            let found = memory.candidates(&probe);
            // Brute force: every remembered sketch sharing a band hash with the probe.
            let bands: Vec<u32> = probe.band_hashes().collect();
            let expected: Vec<u128> = texts
                .iter()
                .enumerate()
                .filter(|(_, t)| sketch(t).unwrap().band_hashes().zip(&bands).any(|(a, b)| a == *b))
                .map(|(j, _)| j as u128)
                .collect();
            let mut stories: Vec<u128> = found.iter().map(|(_, k)| story_of(k)).collect();
            stories.sort_unstable();
            assert_eq!(stories, expected, "probe {i}");
            assert!(found.contains(&(1.0, Known::Story(i as u128))));
        }
    }

    fn story_of(known: &Known) -> u128 {
        match known {
            Known::Story(story) | Known::Committed { story, .. } => *story,
        }
    }

    fn report(i: usize) -> String {
        format!("dispatch {i} from the talks in Geneva on aid to {} and the siege of {}", i * 31, i % 17)
    }

    #[test]
    fn committed_slots_carry_their_content_and_story_and_the_run_s_own_their_story() {
        let mut memory = RunMemory::default();
        memory.remember_committed(&sketch(&report(1)).unwrap(), 11, 12);
        memory.remember_story(&sketch(&report(2)).unwrap(), 22);
        let first = memory.candidates(&sketch(&report(1)).unwrap());
        assert!(first.contains(&(1.0, Known::Committed { content: 11, story: 12 })), "{first:?}");
        assert!(memory.candidates(&sketch(&report(2)).unwrap()).contains(&(1.0, Known::Story(22))));
    }

    #[test]
    fn forgetting_the_oldest_frees_whole_chunks_and_keeps_the_newest_findable() {
        let mut memory = RunMemory::default();
        let committed = 100;
        let total = 3 * CHUNK + 500;
        let story = |i: usize| (i as u128) << 64 | (i as u128 * 3);
        for i in 0..committed {
            memory.remember_committed(&sketch(&report(i)).unwrap(), i as u128, story(i));
        }
        for i in committed..total {
            memory.remember_story(&sketch(&report(i)).unwrap(), story(i));
        }
        memory.forget_oldest(CHUNK + 400);
        assert_eq!(memory.sketches(), total - 2 * CHUNK, "two whole chunks go, the rest stays");
        assert_eq!(memory.stories.chunks.len(), 2, "their stories too");
        assert!(memory.committed.is_empty());
        for i in [0, committed, 2 * CHUNK - 1] {
            let found = memory.candidates(&sketch(&report(i)).unwrap());
            assert!(!found.iter().any(|(s, _)| *s == 1.0), "article {i} is forgotten: {found:?}");
        }
        for i in [2 * CHUNK, 2 * CHUNK + 1, 3 * CHUNK, total - 1] {
            let found = memory.candidates(&sketch(&report(i)).unwrap());
            assert!(found.contains(&(1.0, Known::Story(story(i)))), "article {i}");
        }
        // New articles after forgetting are linked and found like the others.
        memory.remember_story(&sketch(&report(total)).unwrap(), story(total));
        assert!(
            memory.candidates(&sketch(&report(total)).unwrap()).contains(&(1.0, Known::Story(story(total))))
        );
        memory.forget_oldest(0);
        assert_eq!(memory.sketches(), (total + 1) % CHUNK);
        memory.forget_oldest(usize::MAX);
        assert_eq!(memory.sketches(), (total + 1) % CHUNK, "nothing to forget");
    }
}
