//! English stemming with a memory of the words already stemmed. News text repeats its words
//! (a few thousand make up most of any article), and the Snowball stemmer costs far more per
//! word than a hash lookup: stemming was the largest single cost of indexing. The stems are
//! exactly those of tantivy's `Stemmer`, so indexes and queries do not depend on the cache.

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Slots of the memory, one word each: 512 KiB per indexing thread, small enough to stay in
/// the processor's caches, which is what makes a remembered stem cheaper than a computed one.
const SLOTS: usize = 1 << 14;

/// The token filter: an English Snowball stemmer that remembers its answers.
#[derive(Clone, Copy)]
pub struct CachedStemmer;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter { inner: tokenizer }
    }
}

/// [`CachedStemmer`] applied to a tokenizer. The memory belongs to the thread, not to the
/// filter: tantivy clones a field's analyzer for every segment it writes and for every search
/// that makes snippets, and a memory per clone was 512 KiB allocated and zeroed each time, and
/// then empty, so that the snippets of a search stemmed every word of ten articles afresh.
#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    inner: T,
}

thread_local! {
    /// The memory this thread's streams stem with: taken by a stream while it runs and given
    /// back when it ends, so that looking a word up costs no access to the thread's storage.
    static THREAD_MEMORY: std::cell::Cell<Option<Box<StemMemory>>> = const { std::cell::Cell::new(None) };
}

/// A two-way set-associative memory: each word has a set of two slots, chosen by its hash; the
/// word found or stemmed last takes the first slot, and a new word pushes out the one used
/// less recently. News text repeats a few thousand words, which keep their places; rarer ones
/// come and go. Simulated over the words of 6,000 Reuters articles, 4.4% of them miss, where a
/// direct-mapped table of as many slots missed 7.1% (each miss a Snowball stemming); in perf,
/// stemming and the memory went from 10.1% of a run's samples without entities to 9.4%.
struct StemMemory {
    stemmer: frostem::Stemmer,
    sets: Vec<Set>,
}

/// The two slots of a set, one cache line.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Set([Slot; 2]);

impl Default for StemMemory {
    fn default() -> Self {
        StemMemory {
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
            // An unused slot holds the empty word and its stem, the empty word: right either way.
            sets: vec![Set([Slot { word: ShortWord::EMPTY, stem: ShortWord::EMPTY }; 2]); SLOTS / 2],
        }
    }
}

impl StemMemory {
    /// Replaces `word` by its stem, from memory when it has been seen. Words too long to keep
    /// inline (rare) are stemmed each time.
    fn stem_in_place(&mut self, word: &mut String) {
        let Some(key) = ShortWord::new(word) else {
            let stem = self.stemmer.stem(word).into_owned();
            *word = stem;
            return;
        };
        let Set([first, second]) = &mut self.sets[key.set()];
        if second.word == key {
            std::mem::swap(first, second);
        }
        if first.word == key {
            // Most words are their own stem, and most other stems a prefix of the word.
            if first.stem != key {
                first.stem.replace(word, &key);
            }
            return;
        }
        let stem = self.stemmer.stem(word).into_owned();
        if let Some(value) = ShortWord::new(&stem) {
            *second = *first;
            *first = Slot { word: key, stem: value };
        }
        *word = stem;
    }
}

#[cfg(test)]
impl StemMemory {
    /// Whether `word` is in its set, stem and all.
    fn remembers(&self, word: &str) -> bool {
        ShortWord::new(word).is_some_and(|key| self.sets[key.set()].0.iter().any(|slot| slot.word == key))
    }
}

/// A word and its stem, 32 bytes: two make a [`Set`], so one lookup reads one cache line.
/// (Slots of 48 bytes, words of up to 23, straddled two lines in every other slot.)
#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct Slot {
    word: ShortWord,
    stem: ShortWord,
}

/// Bytes a [`ShortWord`] holds: nearly every word of news text fits.
const SHORT: usize = 15;

/// A word of at most [`SHORT`] bytes kept inside the table's slot as two integers: its bytes
/// from the lowest, zeros after them, and its length in the top byte. Comparing two is
/// comparing two integers, and looking a word up follows no pointer (boxed strings cost a
/// cache miss per probe, about half of the stemmer's time).
#[derive(Clone, Copy, PartialEq, Eq)]
struct ShortWord {
    low: u64,
    high: u64,
}

/// The bits of [`ShortWord::high`] below its length.
const HIGH_BYTES: u64 = (1 << 56) - 1;

impl ShortWord {
    const EMPTY: ShortWord = ShortWord { low: 0, high: 0 };

    /// The word, read with two loads that may overlap rather than copied byte by byte (a
    /// call to `memcpy` per token otherwise).
    fn new(word: &str) -> Option<Self> {
        let bytes = word.as_bytes();
        let n = bytes.len();
        if n > SHORT {
            return None;
        }
        let read = |at: usize, width: usize| {
            bytes[at..at + width].iter().rev().fold(0, |acc, b| acc << 8 | u64::from(*b))
        };
        let (low, high) = if n > 8 {
            (read(0, 8), read(n - 8, 8) >> (8 * (16 - n)))
        } else if n >= 4 {
            (read(0, 4) | (read(n - 4, 4) >> (8 * (8 - n))) << 32, 0)
        } else {
            (read(0, n), 0)
        };
        Some(ShortWord { low, high: high | (n as u64) << 56 })
    }

    fn len(&self) -> usize {
        (self.high >> 56) as usize
    }

    /// Turns `word`, which is `key`, into this word: by cutting it when this is a prefix of it.
    fn replace(&self, word: &mut String, key: &ShortWord) {
        let (low, high) = (self.low ^ key.low, (self.high ^ key.high) & HIGH_BYTES);
        let same = if low != 0 { low.trailing_zeros() / 8 } else { 8 + high.trailing_zeros().min(56) / 8 };
        if same as usize >= self.len() {
            word.truncate(self.len());
        } else {
            let mut bytes = [0u8; 16];
            bytes[..8].copy_from_slice(&self.low.to_le_bytes());
            bytes[8..].copy_from_slice(&self.high.to_le_bytes());
            word.clear();
            // Built from a &str in `new`: always valid UTF-8.
            word.push_str(std::str::from_utf8(&bytes[..self.len()]).unwrap_or_default());
        }
    }

    /// The word's set in a [`StemMemory`].
    fn set(&self) -> usize {
        let mixed = (self.low ^ self.high.rotate_left(29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (mixed >> (64 - (SLOTS / 2).trailing_zeros())) as usize
    }
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        // A stream made while another of this thread's runs gets a memory of its own, and so
        // does one made while the thread's storage is being torn down.
        let memory = THREAD_MEMORY.try_with(std::cell::Cell::take).ok().flatten().unwrap_or_default();
        CachedStemStream { tail: self.inner.token_stream(text), memory: Some(memory) }
    }
}

/// The tokens of the inner stream, stemmed.
pub struct CachedStemStream<S> {
    tail: S,
    /// The thread's memory, given back when the stream ends (always here until then).
    memory: Option<Box<StemMemory>>,
}

impl<S> Drop for CachedStemStream<S> {
    fn drop(&mut self) {
        if let Some(memory) = self.memory.take() {
            // Once the thread's storage is torn down, the memory goes with the stream.
            let _ = THREAD_MEMORY.try_with(|slot| slot.set(Some(memory)));
        }
    }
}

impl<S: TokenStream> TokenStream for CachedStemStream<S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        if let Some(memory) = self.memory.as_mut() {
            memory.stem_in_place(&mut self.tail.token_mut().text);
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer};

    use super::*;

    fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        stream.process(&mut |t| out.push(t.text.clone()));
        out
    }

    #[test]
    fn stems_are_tantivys_whether_remembered_or_not() {
        let text = "Rebels were fighting; the fighting rebels fought on, generously and generally \
                    running, runs, ran: Aleppo's relations related relational, naïvely reported \
                    counterrevolutionaries' antidisestablishmentarianism";
        let mut cached = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(CachedStemmer)
            .build();
        let mut plain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::English))
            .build();
        let expected = tokens(&mut plain, text);
        assert!(expected.contains(&"fight".to_string()) && expected.contains(&"rebel".to_string()));
        // Longer than a slot holds (stemmed each time), and not ASCII.
        assert!(expected.iter().any(|w| w.len() > SHORT) && expected.iter().any(|w| !w.is_ascii()));
        // Twice: the second pass answers every word from memory.
        assert_eq!(tokens(&mut cached, text), expected);
        assert_eq!(tokens(&mut cached, text), expected);
    }

    #[test]
    fn the_threads_memory_outlives_the_analyzer_that_filled_it() {
        let analyzer = || {
            TextAnalyzer::builder(SimpleTokenizer::default()).filter(LowerCaser).filter(CachedStemmer).build()
        };
        // A thread of its own, so that no other test's words are in its memory.
        std::thread::spawn(move || {
            assert_eq!(tokens(&mut analyzer(), "Fighting rebels"), ["fight", "rebel"]);
            let memory = THREAD_MEMORY.take().expect("given back to the thread when the stream ended");
            assert!(memory.remembers("fighting") && memory.remembers("rebels"));
            assert!(!memory.remembers("ceasefire"));
            THREAD_MEMORY.set(Some(memory));
            // Another analyzer (tantivy clones one per segment, and per search for its
            // snippets) stems with the same memory, and holds it while its stream runs.
            let mut other = analyzer();
            let mut stream = other.token_stream("ceasefire talks");
            assert!(THREAD_MEMORY.take().is_none(), "held by the running stream");
            assert!(stream.advance() && stream.token().text == "ceasefir");
            drop(stream);
            let memory = THREAD_MEMORY.take().expect("given back");
            assert!(memory.remembers("fighting") && memory.remembers("ceasefire"));
        })
        .join()
        .unwrap();
    }

    #[test]
    fn words_that_share_a_slot_replace_each_other_and_stay_right() {
        let mut memory = StemMemory::default();
        let plain = frostem::Stemmer::new(frostem::Algorithm::English);
        // Four times as many words as slots, twice over: most meet a taken slot.
        let words: Vec<String> = (0..SLOTS * 4).map(|i| format!("rep{i}ingly")).collect();
        for _ in 0..2 {
            for w in &words {
                let mut word = w.clone();
                memory.stem_in_place(&mut word);
                assert_eq!(word, plain.stem(w), "{w}");
            }
        }
        let slots = memory.sets.iter().flat_map(|set| set.0.iter());
        let used = slots.filter(|slot| slot.word.len() >= "rep0ingly".len()).count();
        assert!(used > SLOTS / 2, "{used} slots of {SLOTS} used");
        // Words of every length up to past what a slot keeps (stemmed each time), stems that
        // are the word, a prefix of it or neither, non-ASCII words and NULs.
        let long = "internationalisations";
        let mut cases: Vec<&str> = (0..=long.len()).map(|n| &long[..n]).collect();
        cases.extend([
            "the",
            "said",
            "countries",
            "country",
            "necessarily",
            "accompany",
            "naïvetés",
            "réélu",
            "a\0b",
            "a\0",
            "a",
        ]);
        for w in cases {
            for _ in 0..2 {
                let mut word = w.to_string();
                memory.stem_in_place(&mut word);
                assert_eq!(word, plain.stem(w), "{w:?}");
            }
        }
        for (word, stem) in [("generously", "generous"), ("", "")] {
            let mut word = word.to_string();
            memory.stem_in_place(&mut word);
            assert_eq!(word, stem);
        }
    }

    #[test]
    fn a_set_keeps_its_two_most_recent_words() {
        // Three words of one set, found among made-up ones.
        let words: Vec<String> = (0..100_000).map(|i| format!("report{i}ing")).collect();
        let set_of = |w: &String| ShortWord::new(w).map(|k| k.set());
        let target = set_of(&words[0]);
        let same: Vec<&String> = words.iter().filter(|w| set_of(w) == target).take(3).collect();
        assert_eq!(same.len(), 3, "three words of one set among 100,000");
        let plain = frostem::Stemmer::new(frostem::Algorithm::English);
        let mut memory = StemMemory::default();
        let held = |memory: &StemMemory| {
            let Set([first, second]) = memory.sets[target.unwrap_or(0)];
            [first.word, second.word]
        };
        let key = |w: &String| ShortWord::new(w).unwrap_or(ShortWord::EMPTY);
        let look_up = |memory: &mut StemMemory, w: &String| {
            let mut word = w.clone();
            memory.stem_in_place(&mut word);
            assert_eq!(word, plain.stem(w), "{w}");
        };
        let (a, b, c) = (same[0], same[1], same[2]);
        look_up(&mut memory, a);
        look_up(&mut memory, b);
        assert!(held(&memory) == [key(b), key(a)]);
        // Found in the second slot: it moves to the first, and its stem is still right.
        look_up(&mut memory, a);
        assert!(held(&memory) == [key(a), key(b)]);
        // A third word pushes out the one used less recently.
        look_up(&mut memory, c);
        assert!(held(&memory) == [key(c), key(a)]);
        look_up(&mut memory, a);
        assert!(held(&memory) == [key(a), key(c)]);
    }
}
