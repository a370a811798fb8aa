//! What the whole document says about its words, for the features of each of its sentences:
//! a capitalised word the document also writes in lower case is less likely a name, and a
//! sentence-initial word it capitalises inside a sentence is more likely one. Whether a
//! sentence is written in capitals (a wire headline) is found here too, since case says
//! nothing there.

use std::collections::HashSet;
use std::hash::BuildHasherDefault;

use super::weights::Prehashed;
use super::word::{Word, text_hash};

/// What the whole document says about its words.
#[derive(Debug, Default)]
pub struct DocumentContext {
    lowercase: HashSet<u64, BuildHasherDefault<Prehashed>>,
    capitalised_inside: HashSet<u64, BuildHasherDefault<Prehashed>>,
    /// Whether each sentence is written in capitals, found while reading the document so that
    /// the features need not look again.
    shouting: Vec<bool>,
}

/// What the features know of one sentence beyond its words: what its document says, and
/// whether it is written in capitals.
#[derive(Debug, Clone, Copy)]
pub struct SentenceContext<'a> {
    doc: &'a DocumentContext,
    shouting: bool,
}

impl DocumentContext {
    /// Collects the document's word usage from its sentences.
    pub fn new<W: AsRef<[S]>, S: AsRef<str>>(sentences: &[W]) -> Self {
        let words: usize = sentences.iter().map(|s| s.as_ref().len()).sum();
        // Sized for the document up front (about half its words are in lower case, fewer
        // capitalised inside a sentence): growing the sets rehashed them several times.
        let mut form = Word::default();
        let mut context = DocumentContext {
            lowercase: HashSet::with_capacity_and_hasher(words / 2, Default::default()),
            capitalised_inside: HashSet::with_capacity_and_hasher(words / 8, Default::default()),
            shouting: Vec::with_capacity(sentences.len()),
        };
        for words in sentences {
            let words = words.as_ref();
            let shouting = is_shouting(words);
            context.shouting.push(shouting);
            for (i, word) in words.iter().enumerate() {
                let word = word.as_ref();
                let Some(first) = first_char(word) else { continue };
                if first.is_lowercase() {
                    let lower_hash =
                        if word.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_punctuation()) {
                            text_hash(word) // already its own lower-case form
                        } else {
                            form.fill(word);
                            form.lower_hash
                        };
                    context.lowercase.insert(lower_hash);
                } else if first.is_uppercase() && i > 0 && !shouting {
                    context.capitalised_inside.insert(text_hash(word));
                }
            }
        }
        context
    }

    /// The context of the document's sentence `index` (in the order given to `new`).
    pub fn sentence(&self, index: usize) -> SentenceContext<'_> {
        SentenceContext { doc: self, shouting: self.shouting.get(index).copied().unwrap_or(false) }
    }
}

impl SentenceContext<'_> {
    /// Whether the sentence is written in capitals.
    pub fn is_shouting(&self) -> bool {
        self.shouting
    }

    /// For a capitalised word, by the hashes of its lower-case form and of itself: whether
    /// the document writes it in lower case, and whether it capitalises it inside a sentence.
    pub fn seen(&self, lower_hash: u64, word_hash: u64) -> (bool, bool) {
        (self.doc.lowercase.contains(&lower_hash), self.doc.capitalised_inside.contains(&word_hash))
    }
}

/// A word's first character, read without decoding when it is ASCII (most are).
#[inline]
fn first_char(word: &str) -> Option<char> {
    match word.as_bytes().first() {
        Some(&b) if b.is_ascii() => Some(char::from(b)),
        _ => word.chars().next(),
    }
}

/// Whether a sentence is written in capitals (a wire headline): case says nothing there.
fn is_shouting<S: AsRef<str>>(words: &[S]) -> bool {
    let (mut upper, mut lower) = (0, 0);
    for w in words {
        let w = w.as_ref();
        if w.chars().any(char::is_lowercase) {
            lower += 1;
        } else if w.chars().any(char::is_uppercase) {
            upper += 1;
        }
    }
    upper >= 2 && upper > lower
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sentence_in_capitals_is_shouting_whatever_its_script() {
        let shouting: [&[&str]; 4] = [
            &["KERRY", "MEETS", "LAVROV", "in", "GENEVA", "-", "2016"],
            &["ÉTAT", "GENÈVE", "talks"],
            &["U.S.", "AND", "RUSSIA", "agree"],
            &["SYRIA", "SEIGE", "Aleppo"],
        ];
        let calm: [&[&str]; 4] =
            [&["Kerry", "meets", "Lavrov"], &["état", "GENÈVE"], &["UN", "says", "no"], &["2016", "-"]];
        assert!(shouting.iter().all(|w| is_shouting(w)), "{shouting:?}");
        assert!(calm.iter().all(|w| !is_shouting(w)), "{calm:?}");
    }
}
