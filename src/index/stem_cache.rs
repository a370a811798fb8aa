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
        CachedStemmerFilter { inner: tokenizer, memory: StemMemory::default() }
    }
}

/// [`CachedStemmer`] applied to a tokenizer. Each clone (one per indexing thread) has its
/// own memory, so no lock is taken.
pub struct CachedStemmerFilter<T> {
    inner: T,
    memory: StemMemory,
}

impl<T: Clone> Clone for CachedStemmerFilter<T> {
    fn clone(&self) -> Self {
        CachedStemmerFilter { inner: self.inner.clone(), memory: StemMemory::default() }
    }
}

/// A direct-mapped memory: each word has one slot, chosen by its hash, and a word that
/// needs a taken slot replaces its occupant. News text repeats a few thousand words, which
/// keep their slots; rarer ones come and go.
struct StemMemory {
    stemmer: frostem::Stemmer,
    slots: Vec<Slot>,
}

impl Default for StemMemory {
    fn default() -> Self {
        StemMemory {
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
            // An unused slot holds the empty word and its stem, the empty word: right either way.
            slots: vec![Slot { word: ShortWord([0; SHORT]), stem: ShortWord([0; SHORT]) }; SLOTS],
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
        let slot = &mut self.slots[key.slot()];
        if slot.word == key {
            word.clear();
            word.push_str(slot.stem.as_str());
            return;
        }
        let stem = self.stemmer.stem(word).into_owned();
        if let Some(value) = ShortWord::new(&stem) {
            *slot = Slot { word: key, stem: value };
        }
        *word = stem;
    }
}

/// A word and its stem, 32 bytes aligned on 32: one lookup reads one cache line. (Slots of 48
/// bytes, words of up to 23, straddled two lines in every other slot.)
#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct Slot {
    word: ShortWord,
    stem: ShortWord,
}

/// Bytes a [`ShortWord`] holds: nearly every word of news text fits.
const SHORT: usize = 16;

/// A word of at most [`SHORT`] bytes and no NUL, its bytes in order from the lowest and zeros
/// after them: comparing two is one 16-byte comparison, and looking a word up follows no
/// pointer (boxed strings cost a cache miss per probe, about half of the stemmer's time).
#[derive(Clone, Copy, PartialEq, Eq)]
struct ShortWord([u8; SHORT]);

impl ShortWord {
    fn new(word: &str) -> Option<Self> {
        let bytes = word.as_bytes();
        if bytes.len() > SHORT || bytes.contains(&0) {
            return None;
        }
        let mut padded = [0u8; SHORT];
        padded[..bytes.len()].copy_from_slice(bytes);
        Some(ShortWord(padded))
    }

    fn as_str(&self) -> &str {
        let len = self.0.iter().position(|b| *b == 0).unwrap_or(SHORT);
        // Built from a &str in `new`, cut before the padding: always valid UTF-8.
        std::str::from_utf8(&self.0[..len]).unwrap_or_default()
    }

    /// The word's slot in a [`StemMemory`].
    fn slot(&self) -> usize {
        let lane = |i: usize| u64::from_le_bytes(self.0[i * 8..i * 8 + 8].try_into().unwrap_or_default());
        let (low, high) = (lane(0), lane(1));
        let mixed = (low ^ high.rotate_left(29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (mixed >> (64 - SLOTS.trailing_zeros())) as usize
    }
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemStream { tail: self.inner.token_stream(text), memory: &mut self.memory }
    }
}

/// The tokens of the inner stream, stemmed.
pub struct CachedStemStream<'a, S> {
    tail: S,
    memory: &'a mut StemMemory,
}

impl<S: TokenStream> TokenStream for CachedStemStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        self.memory.stem_in_place(&mut self.tail.token_mut().text);
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
    fn words_that_share_a_slot_replace_each_other_and_stay_right() {
        let mut memory = StemMemory::default();
        let plain = frostem::Stemmer::new(frostem::Algorithm::English);
        // Four times as many words as slots, twice over: most meet a taken slot.
        let words: Vec<String> = (0..SLOTS * 4).map(|i| format!("report{i}ingly")).collect();
        for _ in 0..2 {
            for w in &words {
                let mut word = w.clone();
                memory.stem_in_place(&mut word);
                assert_eq!(word, plain.stem(w), "{w}");
            }
        }
        let used = memory.slots.iter().filter(|slot| slot.word.as_str().starts_with("report")).count();
        assert!(used > SLOTS / 2, "{used} slots of {SLOTS} used");
        // The longest word a slot keeps, one byte more (stemmed each time), and a NUL.
        for w in ["nationalisation", "internationalise", "internationalised", "a\0b"] {
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
}
