//! English stemming with a memory of the words already stemmed. News text repeats its words
//! (a few thousand make up most of any article), and the Snowball stemmer costs far more per
//! word than a hash lookup: stemming was the largest single cost of indexing. The stems are
//! exactly those of tantivy's `Stemmer`, so indexes and queries do not depend on the cache.

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Slots of the memory, one word each: 768 KiB per indexing thread, small enough to stay in
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
    slots: Vec<(ShortWord, ShortWord)>,
}

impl Default for StemMemory {
    fn default() -> Self {
        let empty = ShortWord([0; SHORT + 1]);
        StemMemory {
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
            slots: vec![(empty, empty); SLOTS],
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
        // An unused slot holds the empty word and its stem, the empty word: right either way.
        let slot = &mut self.slots[key.slot()];
        if slot.0 == key {
            word.clear();
            word.push_str(slot.1.as_str());
            return;
        }
        let stem = self.stemmer.stem(word).into_owned();
        if let Some(value) = ShortWord::new(&stem) {
            *slot = (key, value);
        }
        *word = stem;
    }
}

/// Bytes a [`ShortWord`] holds: nearly every word of news text fits.
const SHORT: usize = 23;

/// A word of at most [`SHORT`] bytes kept inside the table's slot, its length first and zeros
/// after it. Comparing two is comparing 24 bytes of fixed size, which compiles to three
/// loads: looking a word up follows no pointer, where boxed strings cost a cache miss per
/// probe (about half of the stemmer's time).
#[derive(Clone, Copy, PartialEq, Eq)]
struct ShortWord([u8; SHORT + 1]);

impl ShortWord {
    fn new(word: &str) -> Option<Self> {
        if word.len() > SHORT {
            return None;
        }
        let mut bytes = [0u8; SHORT + 1];
        bytes[0] = word.len() as u8;
        bytes[1..=word.len()].copy_from_slice(word.as_bytes());
        Some(ShortWord(bytes))
    }

    fn as_str(&self) -> &str {
        let len = usize::from(self.0[0]);
        // Built from a &str in `new`, so always valid UTF-8.
        std::str::from_utf8(&self.0[1..=len]).unwrap_or_default()
    }

    /// The word's slot in a [`StemMemory`].
    fn slot(&self) -> usize {
        let lane = |i: usize| {
            let mut word = [0u8; 8];
            word.copy_from_slice(&self.0[i * 8..i * 8 + 8]);
            u64::from_ne_bytes(word)
        };
        let mixed =
            (lane(0) ^ lane(1).rotate_left(21) ^ lane(2).rotate_left(42)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
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
        let used = memory.slots.iter().filter(|(key, _)| key.as_str().starts_with("report")).count();
        assert!(used > SLOTS / 2, "{used} slots of {SLOTS} used");
        for (word, stem) in [("generously", "generous"), ("", "")] {
            let mut word = word.to_string();
            memory.stem_in_place(&mut word);
            assert_eq!(word, stem);
        }
    }
}
