//! The trained weights, and the scoring of a sentence's tokens with them. A feature's weights
//! are one row of a score per label; rows are found by the feature's 64-bit hash. The scores
//! go to the Viterbi decoder (`viterbi.rs`).
//!
//! On disk (gzip, little-endian): magic, format and feature-template versions, the label
//! count, the transition scores, then each feature row as its hash, a bit mask of the labels
//! it scores and those scores; then the [`Weights::joins_names`] words and (from format 3 on)
//! the [`Weights::never_named`] words, each list as its length and each word as its length
//! and its UTF-8 bytes; then (from format 4 on) the joiners' places in names, their number and
//! one byte for each joiner in the list's order. Zero scores are not written; rows and words are sorted, so the same
//! weights always make the same bytes.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};

use super::features::{Features, TEMPLATE_VERSION};
use super::joiners::{Joiners, Places};
use super::labels::COUNT;
use super::viterbi::{OUTSIDE_ONLY, Transitions, viterbi};
use super::word::text_hash;

const MAGIC: &[u8; 12] = b"NEWSDEX-NER\n";
const FORMAT: u32 = 4;
/// The format before the joiners' places: still read, as a model whose joiners may stand
/// anywhere in a name.
const FORMAT_WITHOUT_PLACES: u32 = 3;
/// The format before the words never named: still read, as a model without them.
const FORMAT_WITHOUT_NEVER_NAMED: u32 = 2;

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

    /// Writes the weights in the compact on-disk format.
    pub fn save(&self, out: impl Write) -> std::io::Result<()> {
        let mut out = flate2::write::GzEncoder::new(out, flate2::Compression::best());
        out.write_all(MAGIC)?;
        for n in [FORMAT, TEMPLATE_VERSION, COUNT as u32, self.rows.len() as u32] {
            out.write_all(&n.to_le_bytes())?;
        }
        for t in self.transition.scores() {
            out.write_all(&t.to_le_bytes())?;
        }
        let mut rows: Vec<(&u64, &[f32; COUNT])> = self.rows.iter().collect();
        rows.sort_unstable_by_key(|(hash, _)| **hash);
        for (hash, scores) in rows {
            let mask = scores.iter().enumerate().fold(0u32, |m, (i, s)| m | (u32::from(*s != 0.0) << i));
            out.write_all(&hash.to_le_bytes())?;
            out.write_all(&mask.to_le_bytes())?;
            for s in scores.iter().filter(|s| **s != 0.0) {
                out.write_all(&s.to_le_bytes())?;
            }
        }
        let joiners = self.joiners.iter().map(|(w, _)| w);
        let never_named = self.never_named.words.iter().map(String::as_str);
        for words in [joiners.collect::<Vec<_>>(), never_named.collect()] {
            out.write_all(&(words.len() as u32).to_le_bytes())?;
            for word in words {
                out.write_all(&(word.len() as u32).to_le_bytes())?;
                out.write_all(word.as_bytes())?;
            }
        }
        out.write_all(&(self.joiners.len() as u32).to_le_bytes())?;
        out.write_all(&self.joiners.iter().map(|(_, p)| p.bits()).collect::<Vec<_>>())?;
        out.finish()?.flush()
    }

    /// Reads weights written by [`Weights::save`]; refuses other formats and feature sets.
    pub fn load(input: impl Read) -> Result<Self, String> {
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(input)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("not a gzip model file: {e}"))?;
        let mut reader = Bytes { bytes: &bytes, at: 0 };
        if reader.take(MAGIC.len())? != MAGIC {
            return Err("not a newsdex NER model".into());
        }
        let (format, templates, count, rows) = (reader.u32()?, reader.u32()?, reader.u32()?, reader.u32()?);
        if ![FORMAT, FORMAT_WITHOUT_PLACES, FORMAT_WITHOUT_NEVER_NAMED].contains(&format)
            || templates != TEMPLATE_VERSION
            || count as usize != COUNT
        {
            return Err(format!(
                "model format {format}, features {templates}, {count} labels; this newsdex reads format \
                 {FORMAT}, features {TEMPLATE_VERSION}, {COUNT} labels: retrain it with `newsdex train-ner`"
            ));
        }
        let transition = (0..TRANSITIONS).map(|_| reader.f32()).collect::<Result<Vec<_>, _>>()?;
        let mut table = Vec::with_capacity(rows as usize);
        for _ in 0..rows {
            let hash = reader.u64()?;
            let mask = reader.u32()?;
            let mut scores = [0f32; COUNT];
            for (i, s) in scores.iter_mut().enumerate() {
                if mask & (1 << i) != 0 {
                    *s = reader.f32()?;
                }
            }
            table.push((hash, scores));
        }
        let joiners = reader.words()?;
        let never_named = if format == FORMAT_WITHOUT_NEVER_NAMED { Vec::new() } else { reader.words()? };
        let places = if format == FORMAT {
            reader.places(joiners.len())?
        } else {
            vec![Places::ANYWHERE; joiners.len()]
        };
        let joiners = joiners.into_iter().zip(places);
        if reader.at != bytes.len() {
            return Err("trailing bytes after the model".into());
        }
        Ok(Weights::new(table, transition).with_joiners(joiners).with_never_named(never_named))
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

struct Bytes<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Bytes<'a> {
    /// A list of words: their number, then each one's length and UTF-8 bytes.
    fn words(&mut self) -> Result<Vec<String>, String> {
        (0..self.u32()?)
            .map(|_| {
                let len = self.u32()? as usize;
                String::from_utf8(self.take(len)?.to_vec()).map_err(|_| "a word is not UTF-8".to_string())
            })
            .collect()
    }

    /// The joiners' places: their number, which must be `joiners`, then a byte each.
    fn places(&mut self, joiners: usize) -> Result<Vec<Places>, String> {
        if self.u32()? as usize != joiners {
            return Err("the joiners' places do not match the joiners".into());
        }
        let bits = self.take(joiners)?;
        bits.iter()
            .map(|b| Places::from_bits(*b).ok_or_else(|| format!("no place has bits {b:#x}")))
            .collect()
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let slice = self.bytes.get(self.at..self.at + n).ok_or("the model file is truncated")?;
        self.at += n;
        Ok(slice)
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().map_err(|_| "truncated")?))
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().map_err(|_| "truncated")?))
    }
    fn f32(&mut self) -> Result<f32, String> {
        Ok(f32::from_le_bytes(self.take(4)?.try_into().map_err(|_| "truncated")?))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_round_trip_through_the_file_format() {
        let mut transition = vec![0.0; TRANSITIONS];
        transition[3] = -1.5;
        let mut row = [0f32; COUNT];
        row[4] = 2.25;
        row[0] = -0.5;
        let joiners = [("de", Places::OPENS | Places::MIDDLE), ("&", Places::MIDDLE), ("ül", Places::CLOSES)];
        let weights = Weights::new([(42u64, row), (7, [0.0; COUNT])], transition)
            .with_joiners(joiners.map(|(w, p)| (w.to_string(), p)))
            .with_never_named(["But".to_string(), "Tuesday".to_string()]);
        let mut bytes = Vec::new();
        weights.save(&mut bytes).unwrap();
        let loaded = Weights::load(&bytes[..]).unwrap();
        assert_eq!(loaded, weights);
        assert_eq!(loaded.features(), 1);
        let words: Vec<(&str, Places)> = loaded.joiners().collect();
        assert_eq!(
            words,
            [("&", Places::MIDDLE), ("de", Places::OPENS | Places::MIDDLE), ("ül", Places::CLOSES)]
        );
        assert_eq!((loaded.joins_names("ül"), loaded.joins_names("said")), (Places::CLOSES, Places::NONE));
        assert_eq!(loaded.never_named_words().collect::<Vec<_>>(), ["But", "Tuesday"]);
        assert!(loaded.never_named("But") && !loaded.never_named("but") && !loaded.never_named("Kerry"));
        assert!(Weights::load(&bytes[..bytes.len() / 2]).is_err());
    }

    /// The uncompressed bytes of `weights` saved, with `format` written in and `cut` bytes
    /// taken off the end, compressed again: a model file of an earlier format.
    fn earlier_format(weights: &Weights, format: u32, cut: usize) -> Vec<u8> {
        let mut bytes = Vec::new();
        weights.save(&mut bytes).unwrap();
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..]).read_to_end(&mut plain).unwrap();
        plain[MAGIC.len()..MAGIC.len() + 4].copy_from_slice(&format.to_le_bytes());
        plain.truncate(plain.len() - cut);
        let mut old = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        old.write_all(&plain).unwrap();
        old.finish().unwrap()
    }

    #[test]
    fn a_model_of_the_format_before_the_joiners_places_lets_them_stand_anywhere() {
        let weights = Weights::new([(42u64, [1.0; COUNT])], vec![0.0; TRANSITIONS])
            .with_joiners([("of".to_string(), Places::MIDDLE)])
            .with_never_named(["But".to_string()]);
        // Format 3: without the places (their number, 4 bytes, and one byte) at the end.
        let loaded = Weights::load(&earlier_format(&weights, FORMAT_WITHOUT_PLACES, 5)[..]).unwrap();
        assert_eq!(loaded.joins_names("of"), Places::ANYWHERE);
        assert!(loaded.never_named("But"));
        let corrupt = earlier_format(&weights, FORMAT, 1);
        assert!(Weights::load(&corrupt[..]).unwrap_err().contains("truncated"));
    }

    #[test]
    fn a_model_of_the_format_before_the_words_never_named_still_loads() {
        let weights = Weights::new([(42u64, [1.0; COUNT])], vec![0.0; TRANSITIONS])
            .with_joiners([("of".to_string(), Places::ANYWHERE)]);
        // Format 2: without the (empty) list of words never named and the places at the end.
        let loaded = Weights::load(&earlier_format(&weights, FORMAT_WITHOUT_NEVER_NAMED, 9)[..]).unwrap();
        assert_eq!(loaded, weights);
        assert_eq!(loaded.never_named_words().count(), 0);
    }
}
