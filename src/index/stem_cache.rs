//! English stemming with a memory of the words already stemmed. News text repeats its words
//! (a few thousand make up most of any article), and the Snowball stemmer costs far more per
//! word than a hash lookup: stemming was the largest single cost of indexing. The stems are
//! exactly those of tantivy's `Stemmer`, so indexes and queries do not depend on the cache.

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Words remembered per analyser before the memory starts afresh, bounding it to a few MB.
const CAPACITY: usize = 1 << 17;

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

struct StemMemory {
    stemmer: frostem::Stemmer,
    stems: FxHashMap<Box<str>, Box<str>>,
}

impl Default for StemMemory {
    fn default() -> Self {
        StemMemory {
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
            stems: FxHashMap::default(),
        }
    }
}

impl StemMemory {
    /// Replaces `word` by its stem, from memory when it has been seen.
    fn stem_in_place(&mut self, word: &mut String) {
        if let Some(stem) = self.stems.get(word.as_str()) {
            word.clear();
            word.push_str(stem);
            return;
        }
        let stem: Box<str> = self.stemmer.stem(word).into();
        if self.stems.len() >= CAPACITY {
            self.stems.clear();
        }
        self.stems.insert(word.as_str().into(), stem.clone());
        word.clear();
        word.push_str(&stem);
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
                    running, runs, ran: Aleppo's relations related relational";
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
        // Twice: the second pass answers every word from memory.
        assert_eq!(tokens(&mut cached, text), expected);
        assert_eq!(tokens(&mut cached, text), expected);
    }

    #[test]
    fn a_full_memory_starts_afresh_and_keeps_answering_right() {
        let mut memory = StemMemory::default();
        for i in 0..CAPACITY + 10 {
            let mut word = format!("word{i}ing");
            memory.stem_in_place(&mut word);
        }
        assert!(memory.stems.len() <= CAPACITY);
        let mut word = "generously".to_string();
        memory.stem_in_place(&mut word);
        assert_eq!(word, "generous");
    }
}
