//! The features the labeller sees for each token: the word, its shape, prefixes and suffixes,
//! its neighbours, whether the gazetteer knows it, and what the rest of the document says
//! about it (a word written in lower case elsewhere is less likely a name; a sentence-initial
//! word capitalised mid-sentence elsewhere is more likely one). Each feature is hashed to 64
//! bits, so no feature string is ever allocated.

use std::collections::HashSet;

/// Bumped whenever a template changes: a model trained with other features is refused.
pub const TEMPLATE_VERSION: u32 = 1;

/// The gazetteer's verdict on a token: `kind * 2 + 1` at the start of a known name,
/// `kind * 2 + 2` inside one, 0 for none; kinds are person, organisation, place, demonym.
pub type GazetteerTag = u8;

/// What the whole document says about its words.
#[derive(Debug, Default)]
pub struct DocumentContext {
    lowercase: HashSet<String>,
    capitalised_inside: HashSet<String>,
}

impl DocumentContext {
    /// Collects the document's word usage from its sentences.
    pub fn new<'a, S: AsRef<str> + 'a>(sentences: impl IntoIterator<Item = &'a [S]>) -> Self {
        let mut context = DocumentContext::default();
        for words in sentences {
            let shouting = is_shouting(words);
            for (i, word) in words.iter().enumerate() {
                let word = word.as_ref();
                let Some(first) = word.chars().next() else { continue };
                if first.is_lowercase() {
                    context.lowercase.insert(word.to_string());
                } else if first.is_uppercase() && i > 0 && !shouting {
                    context.capitalised_inside.insert(word.to_string());
                }
            }
        }
        context
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

/// The hashed features of one sentence, token by token.
#[derive(Debug, Default)]
pub struct Features {
    ids: Vec<u64>,
    bounds: Vec<usize>,
    words: Vec<Word>,
}

impl Features {
    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.bounds.len().saturating_sub(1)
    }

    /// Whether the sentence had no tokens.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The features of token `i`.
    pub fn of(&self, i: usize) -> &[u64] {
        &self.ids[self.bounds[i]..self.bounds[i + 1]]
    }
}

/// What the templates need to know of one token, computed once.
#[derive(Debug, Default)]
struct Word {
    lower: String,
    shape: String,
    capitalised: bool,
}

impl Word {
    fn fill(&mut self, word: &str) {
        self.lower.clear();
        self.shape.clear();
        for c in word.chars() {
            if c.is_ascii_digit() {
                self.lower.push('0');
            } else {
                self.lower.extend(c.to_lowercase());
            }
            let class = if c.is_uppercase() {
                'X'
            } else if c.is_lowercase() {
                'x'
            } else if c.is_numeric() {
                'd'
            } else {
                c
            };
            if !self.shape.ends_with(class) {
                self.shape.push(class);
            }
        }
        self.capitalised = word.chars().next().is_some_and(char::is_uppercase);
    }
}

const MIX: u64 = 0x0000_0100_0000_01b3;

fn mix(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(MIX);
    }
    hash.wrapping_mul(MIX) ^ 0xff
}

fn hash(template: u8, parts: &[&str]) -> u64 {
    let seed = 0xcbf2_9ce4_8422_2325 ^ u64::from(template).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    parts.iter().fold(seed, |h, p| mix(h, p.as_bytes()))
}

const START: &str = "<s>";
const END: &str = "</s>";
const GAZETTEER: [&str; 9] = ["-", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-NAT", "I-NAT"];

/// Computes the features of `words` into `out` (reusing its buffers).
pub fn extract<S: AsRef<str>>(
    words: &[S],
    gazetteer: &[GazetteerTag],
    doc: &DocumentContext,
    out: &mut Features,
) {
    out.ids.clear();
    out.bounds.clear();
    out.bounds.push(0);
    if out.words.len() < words.len() {
        out.words.resize_with(words.len(), Word::default);
    }
    for (slot, w) in out.words.iter_mut().zip(words) {
        slot.fill(w.as_ref());
    }
    let shouting = is_shouting(words);
    for i in 0..words.len() {
        token(words, gazetteer, doc, shouting, i, out);
        out.bounds.push(out.ids.len());
    }
}

fn token<S: AsRef<str>>(
    words: &[S],
    gazetteer: &[GazetteerTag],
    doc: &DocumentContext,
    shouting: bool,
    i: usize,
    out: &mut Features,
) {
    let word = words[i].as_ref();
    let w = &out.words;
    let lower = |j: isize| -> &str {
        let k = i as isize + j;
        if k < 0 {
            START
        } else {
            w.get(k as usize).filter(|_| (k as usize) < words.len()).map_or(END, |x| x.lower.as_str())
        }
    };
    let shape = |j: isize| -> &str {
        let k = i as isize + j;
        if k < 0 {
            START
        } else {
            w.get(k as usize).filter(|_| (k as usize) < words.len()).map_or(END, |x| x.shape.as_str())
        }
    };
    let gaz = |j: isize| -> &str {
        let k = i as isize + j;
        let tag = if k < 0 { 0 } else { gazetteer.get(k as usize).copied().unwrap_or(0) };
        GAZETTEER[usize::from(tag).min(GAZETTEER.len() - 1)]
    };
    let me = &w[i];
    let initial = if i == 0 { "first" } else { "later" };
    let case = if shouting { "caps" } else { "mixed" };
    let ids = &mut out.ids;
    ids.push(hash(0, &[]));
    ids.push(hash(1, &[&me.lower]));
    ids.push(hash(2, &[word]));
    for (n, (b, _)) in word.char_indices().skip(1).take(4).enumerate() {
        ids.push(hash(3 + n as u8, &[&word[..b]]));
    }
    for (n, (b, _)) in word.char_indices().rev().take(4).enumerate() {
        ids.push(hash(7 + n as u8, &[&word[b..]]));
    }
    ids.push(hash(11, &[&me.shape]));
    ids.push(hash(12, &[&me.shape, initial, case]));
    ids.push(hash(13, &[lower(-1)]));
    ids.push(hash(14, &[lower(1)]));
    ids.push(hash(15, &[lower(-2)]));
    ids.push(hash(16, &[lower(2)]));
    ids.push(hash(17, &[shape(-1), &me.shape]));
    ids.push(hash(18, &[&me.shape, shape(1)]));
    ids.push(hash(19, &[shape(-1), &me.shape, shape(1)]));
    ids.push(hash(20, &[lower(-1), &me.lower]));
    ids.push(hash(21, &[&me.lower, lower(1)]));
    ids.push(hash(22, &[lower(-1), &me.shape]));
    ids.push(hash(23, &[&me.shape, lower(1)]));
    ids.push(hash(24, &[gaz(0)]));
    ids.push(hash(25, &[gaz(-1), gaz(0), gaz(1)]));
    ids.push(hash(26, &[gaz(0), &me.shape]));
    ids.push(hash(27, &[&me.lower, case]));
    if me.capitalised {
        let seen_lower = doc.lowercase.contains(&me.lower);
        let seen_inside = doc.capitalised_inside.contains(word);
        let verdict = match (seen_lower, seen_inside) {
            (true, true) => "both",
            (true, false) => "lower",
            (false, true) => "capital",
            (false, false) => "neither",
        };
        ids.push(hash(28, &[verdict, initial]));
    }
    let length = match word.chars().count() {
        0..=2 => "short",
        3..=5 => "mid",
        _ => "long",
    };
    ids.push(hash(29, &[length, &me.shape]));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_token_in_same_context_has_same_features() {
        let doc = DocumentContext::new([&["Kerry", "met", "Lavrov"][..], &["Kerry", "said"][..]]);
        let mut a = Features::default();
        extract(&["Kerry", "met", "Lavrov"], &[0, 0, 5], &doc, &mut a);
        let first: Vec<u64> = a.of(0).to_vec();
        assert_eq!(a.len(), 3);
        let mut b = Features::default();
        extract(&["Kerry", "met", "Lavrov"], &[0, 0, 5], &doc, &mut b);
        assert_eq!(b.of(0), &first[..]);
        extract(&["Kerry", "said"], &[0, 0], &doc, &mut b);
        assert_ne!(b.of(0), &first[..], "the next word differs");
    }

    #[test]
    fn shapes_collapse_repeats() {
        let mut w = Word::default();
        w.fill("McDonald's-2016");
        assert_eq!((w.shape.as_str(), w.lower.as_str()), ("XxXx'x-d", "mcdonald's-0000"));
    }
}
