//! The trained weights, and the scoring of a sentence's tokens with them. A feature's weights
//! are one row of a score per label; rows are found by the feature's 64-bit hash. The scores
//! go to the Viterbi decoder (`viterbi.rs`). Their file format is in `weights/file.rs`.

mod file;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use super::features::Features;
use super::joiners::{Joiners, Places};
use super::labels::COUNT;
use super::viterbi::{OUTSIDE_ONLY, Transitions, viterbi};
use super::word::text_hash;

/// Transition scores: row 0 is the start of a sentence, row `p + 1` follows label `p`.
pub const TRANSITIONS: usize = (COUNT + 1) * COUNT;

/// Keys are already hashes: the map uses them as they are.
#[derive(Default, Clone, Copy)]
pub struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Feature hash to its scores, one per label (kept inline: one memory access per feature).
pub type Rows = HashMap<u64, [f32; COUNT], BuildHasherDefault<Prehashed>>;

/// A trained labeller.
#[derive(Debug, Clone)]
pub struct Weights {
    rows: Rows,
    transition: Transitions,
    /// The words without a capital or a digit that the training data has inside names ("of",
    /// "de", "&"), with where in them: of such words, only these are scored next to a name.
    joiners: Joiners,
    /// The capitalised words the training data has often and never inside a name ("But",
    /// "Analysts", "Tuesday"): see [`Weights::never_named`].
    never_named: WordList,
    /// Names these weights for an [`OwnMemory`], which holds sums of their rows.
    identity: u64,
}

impl PartialEq for Weights {
    fn eq(&self, other: &Self) -> bool {
        self.rows == other.rows
            && self.transition.scores() == other.transition.scores()
            && self.joiners == other.joiners
            && self.never_named.words == other.never_named.words
    }
}

/// The next [`Weights::identity`]; 0 is no weights'.
static NEXT_IDENTITY: AtomicU64 = AtomicU64::new(1);

impl Weights {
    /// Weights from feature rows (hash, one score per label) and transition scores.
    pub fn new(rows: impl IntoIterator<Item = (u64, [f32; COUNT])>, transition: Vec<f32>) -> Self {
        let rows = rows.into_iter().filter(|(_, scores)| scores.iter().any(|s| *s != 0.0)).collect();
        let transition = Transitions::new(transition);
        Weights {
            rows,
            transition,
            joiners: Joiners::default(),
            never_named: WordList::default(),
            identity: NEXT_IDENTITY.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// These weights with `words` as the words that join names, each with its places in them
    /// (see [`Weights::joins_names`]); training finds them in its data.
    pub fn with_joiners(mut self, words: impl IntoIterator<Item = (String, Places)>) -> Self {
        self.joiners = Joiners::new(words);
        self
    }

    /// Where in names the training data had `word`, which has no capital or digit ("of" in
    /// "Bank of England" between two words, "'s" in "Moody 's" last); [`Places::NONE`] when
    /// never. Words next to a name that never were inside one ("said", "union") are labelled
    /// Outside without being scored, and so are joiners where they never stood.
    #[inline]
    pub fn joins_names(&self, word: &str) -> Places {
        self.joiners.places(word)
    }

    /// These weights with `words` as the words never named (see [`Weights::never_named`]);
    /// training finds them in its data.
    pub fn with_never_named(mut self, words: impl IntoIterator<Item = String>) -> Self {
        self.never_named = WordList::new(words);
        self
    }

    /// Whether `word`, which has a capital, is one the training data has at least
    /// [`NEVER_NAMED_MIN`](super::train::NEVER_NAMED_MIN) times and never inside a name ("But",
    /// "Analysts", "Tuesday"). Such a word opening a sentence is labelled Outside without
    /// being scored: on news, the model scoring it took the sentence's first name for one
    /// with it ("Many Chrysler", "Despite Sony").
    pub fn never_named(&self, word: &str) -> bool {
        self.never_named.contains(word)
    }

    /// The words never named, in order.
    pub fn never_named_words(&self) -> impl Iterator<Item = &str> {
        self.never_named.words.iter().map(String::as_str)
    }

    /// The words that join names, in order, with their places.
    pub fn joiners(&self) -> impl Iterator<Item = (&str, Places)> {
        self.joiners.iter()
    }

    /// Number of feature rows.
    pub fn features(&self) -> usize {
        self.rows.len()
    }

    /// The best label sequence for a sentence's features.
    pub fn decode(&self, features: &Features, scratch: &mut Scratch, labels: &mut Vec<u8>) {
        self.decode_with(features, None, scratch, labels);
    }

    /// [`Weights::decode`], with the sums of the tokens' own features taken from `memory`
    /// where the features were computed without them, and kept there for the next sentences.
    pub fn decode_remembering(
        &self,
        features: &Features,
        memory: &mut OwnMemory,
        scratch: &mut Scratch,
        labels: &mut Vec<u8>,
    ) {
        memory.serve(self);
        self.decode_with(features, Some(&mut *memory), scratch, labels);
        memory.keep_staged();
    }

    fn decode_with(
        &self,
        features: &Features,
        mut memory: Option<&mut OwnMemory>,
        scratch: &mut Scratch,
        labels: &mut Vec<u8>,
    ) {
        scratch.emission.clear();
        for i in 0..features.len() {
            if !features.is_scored(i) {
                scratch.emission.extend_from_slice(&OUTSIDE_ONLY);
                continue;
            }
            let (key, own) = features.own(i);
            let (own_ids, context_ids) = features.of(i).split_at(own);
            let mut scores = [0f32; COUNT];
            if own == 0 {
                // Computed without its own features because the memory held their sum, and
                // it changes only between sentences.
                let remembered = memory.as_deref().and_then(|m| m.get(key));
                debug_assert!(remembered.is_some(), "own features neither computed nor remembered");
                scores = remembered.unwrap_or(scores);
            } else {
                self.add_rows(own_ids, &mut scores);
                if let Some(memory) = memory.as_deref_mut() {
                    memory.stage(key, scores);
                }
            }
            self.add_rows(context_ids, &mut scores);
            scratch.emission.extend_from_slice(&scores);
        }
        viterbi(&scratch.emission, &self.transition, &mut scratch.trail, labels);
    }

    /// Adds the rows of `ids`, in their order, to `scores`.
    fn add_rows(&self, ids: &[u64], scores: &mut [f32; COUNT]) {
        for id in ids {
            if let Some(row) = self.rows.get(id) {
                scores.iter_mut().zip(row).for_each(|(s, w)| *s += w);
            }
        }
    }
}

/// Words the model keeps, in order for saving, and by [`text_hash`] for the lookups of every
/// token.
#[derive(Debug, Clone, Default)]
struct WordList {
    words: BTreeSet<String>,
    hashes: HashSet<u64, BuildHasherDefault<Prehashed>>,
}

impl WordList {
    fn new(words: impl IntoIterator<Item = String>) -> Self {
        let words: BTreeSet<String> = words.into_iter().collect();
        WordList { hashes: words.iter().map(|w| text_hash(w)).collect(), words }
    }

    fn contains(&self, word: &str) -> bool {
        self.hashes.contains(&text_hash(word))
    }
}

/// Words a thread's [`OwnMemory`] holds: 4,096 words' sums, 300 KiB, within the processor's
/// caches.
const OWN_SLOTS: usize = 1 << 12;

/// The summed scores of tokens' own features (see `Features::own`), by their key, for one
/// thread: news text repeats its words, and a word's own features are up to 18 of its 30
/// lookups in the weights plus up to eight hashes of its prefixes and suffixes. A direct-mapped table: a
/// key that needs a taken slot replaces its occupant. The sums are exactly the ones the rows
/// give (added in the same order), so labels do not depend on what is remembered.
#[derive(Default)]
pub struct OwnMemory {
    /// The [`Weights::identity`] whose sums the slots hold.
    owner: u64,
    slots: Vec<(u64, [f32; COUNT])>,
    /// Sums found while decoding a sentence, kept once it is decoded: a sentence's features
    /// are computed against the memory as it was, so it must not change until then.
    staged: Vec<(u64, [f32; COUNT])>,
}

impl OwnMemory {
    /// Whether the sum for `key` of `weights` is remembered.
    pub fn remembers(&self, weights: &Weights, key: u64) -> bool {
        self.owner == weights.identity && self.get(key).is_some()
    }

    /// Forgets sums of other weights than `weights` (whose keys it then did not remember).
    fn serve(&mut self, weights: &Weights) {
        if self.owner != weights.identity {
            self.owner = weights.identity;
            self.slots.clear();
            self.slots.resize(OWN_SLOTS, (0, [0.0; COUNT]));
        }
    }

    fn get(&self, key: u64) -> Option<[f32; COUNT]> {
        let slot = self.slots.get(Self::slot(key))?;
        (slot.0 == key).then_some(slot.1)
    }

    fn stage(&mut self, key: u64, scores: [f32; COUNT]) {
        self.staged.push((key, scores));
    }

    fn keep_staged(&mut self) {
        for (key, scores) in self.staged.drain(..) {
            if let Some(slot) = self.slots.get_mut(Self::slot(key)) {
                *slot = (key, scores);
            }
        }
    }

    fn slot(key: u64) -> usize {
        (key >> (64 - OWN_SLOTS.trailing_zeros())) as usize
    }
}

/// Buffers the decoder reuses from sentence to sentence.
#[derive(Debug, Default)]
pub struct Scratch {
    emission: Vec<f32>,
    trail: Vec<f32>,
}

impl Scratch {
    /// The last sentence's scores, one row of a score per label for each token.
    #[cfg(test)]
    pub fn emission(&self) -> &[f32] {
        &self.emission
    }
}
