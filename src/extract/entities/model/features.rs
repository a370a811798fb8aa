//! The features the labeller sees for each token: the word, its shape, prefixes and suffixes,
//! its neighbours, whether the gazetteer knows it, and what the rest of the document says
//! about it (a word written in lower case elsewhere is less likely a name; a sentence-initial
//! word capitalised mid-sentence elsewhere is more likely one). Each feature is hashed to 64
//! bits, so no feature string is ever allocated.

use super::anchors::{could_anchor_name, has_digit};
pub use super::context::{DocumentContext, SentenceContext};
pub use super::joiners::Places;
use super::word::{MULTIPLY, Word, text_hash};

/// Bumped whenever a template changes: a model trained with other features is refused.
pub const TEMPLATE_VERSION: u32 = 2;

/// The gazetteer's verdict on a token: `kind * 2 + 1` at the start of a known name,
/// `kind * 2 + 2` inside one, 0 for none; kinds are person, organisation, place, demonym.
pub type GazetteerTag = u8;

/// The hashed features of one sentence, token by token.
#[derive(Debug, Default)]
pub struct Features {
    ids: Vec<u64>,
    bounds: Vec<usize>,
    words: Vec<Word>,
    scored: Vec<bool>,
    /// Which tokens could be in a name by themselves (see [`extract_near_names`]).
    anchors: Vec<bool>,
    own: Vec<(u64, u8)>,
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

    /// Whether token `i` was scored; one that was not is Outside (see [`extract_near_names`]).
    pub fn is_scored(&self, i: usize) -> bool {
        self.scored[i]
    }

    /// Token `i`'s own features, those that look at the token alone (its word, lower-case form,
    /// affixes, shape and length, whether it opens its sentence and that sentence is written in
    /// capitals, its gazetteer tag and whether the document writes it in lower case or
    /// capitalises it inside a sentence): a key naming them,
    /// and how many of them lead [`Features::of`] (0 when their scores were remembered, see
    /// [`extract_near_names`]). Their scores can be summed once per word and reused.
    pub fn own(&self, i: usize) -> (u64, usize) {
        let (key, len) = self.own[i];
        (key, usize::from(len))
    }
}

/// The feature's 64-bit id: the template number and the hashes of its parts, with the high
/// bits folded into the low ones (the weight table indexes by the low bits).
fn combine(template: u8, parts: &[u64]) -> u64 {
    let seed = (u64::from(template) + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let h = parts.iter().fold(seed, |h, p| (h.rotate_left(5) ^ p).wrapping_mul(MULTIPLY));
    h ^ (h >> 29)
}

/// The number `combine` takes for the key of a token's own features (not a template: no
/// feature has it).
const OWN_KEY: u8 = 255;

/// Stand-ins for the words before the first and after the last token.
const START: u64 = 0x5354_4152_5400_0001;
const END: u64 = 0x454e_4400_0000_0002;

/// Computes the features of every token of `words` into `out` (reusing its buffers), as
/// training needs them.
pub fn extract<S: AsRef<str>>(
    words: &[S],
    gazetteer: &[GazetteerTag],
    context: SentenceContext,
    out: &mut Features,
) {
    out.scored.clear();
    out.scored.resize(words.len(), true);
    compute(words, gazetteer, context, &|_| false, out);
}

/// How far, in tokens, a name's context reaches: the templates look two words either side.
const REACH: usize = 2;

/// Computes the features of the tokens that could be in a name, and marks the others
/// unscored. A token is scored when it has a capital or a letter of a script without case, or
/// is known to the gazetteer (an anchor); when it has a digit and stands next to an anchor
/// ("Channel 4", "20th Century Fox", "S&P 500"); or when it `joins` names ("of", "de", "&":
/// words the training data has inside names) and could stand where it is: an anchor within
/// [`REACH`] on its left for a word that closes names ("'s"), on its right for one that opens
/// them ("de"), on both sides for one that stood only between a name's words ("of", ","). The rest,
/// about 70% of news prose ("said", "the union", "shares fell 3.5 percent"), are labelled
/// Outside without looking their features up, which is where the labeller spends its time.
/// Numbers away from any name are left out because CoNLL-2003's training data has 16 of its
/// 18,287 numbers inside a name, 15 of them next to a word with a capital. A sentence's
/// first word is no anchor when it is `never_named` ("But", "Analysts": words the training data
/// has often and never in a name), unless the gazetteer knows it. A token whose own features'
/// key is `remembered` gets only its features of context (see [`Features::own`]).
pub fn extract_near_names<S: AsRef<str>>(
    words: &[S],
    gazetteer: &[GazetteerTag],
    context: SentenceContext,
    joins: &dyn Fn(&str) -> Places,
    never_named: &dyn Fn(&str) -> bool,
    remembered: &dyn Fn(u64) -> bool,
    out: &mut Features,
) {
    let n = words.len();
    out.anchors.clear();
    out.anchors.extend(words.iter().zip(gazetteer).enumerate().map(|(i, (w, tag))| {
        let w = w.as_ref();
        *tag != 0 || could_anchor_name(w) && !(i == 0 && never_named(w))
    }));
    out.scored.clear();
    let anchors = &out.anchors;
    for (i, word) in words.iter().enumerate() {
        let word = word.as_ref();
        let near = |reach: usize| anchors[i.saturating_sub(reach)..(i + reach + 1).min(n)].contains(&true);
        let joined = || {
            let left = anchors[i.saturating_sub(REACH)..i].contains(&true);
            let right = anchors[(i + 1).min(n)..(i + REACH + 1).min(n)].contains(&true);
            (left || right) && joins(word).could_stand(left, right)
        };
        out.scored.push(anchors[i] || near(1) && has_digit(word) || joined());
    }
    compute(words, gazetteer, context, remembered, out);
}

fn compute<S: AsRef<str>>(
    words: &[S],
    gazetteer: &[GazetteerTag],
    context: SentenceContext,
    remembered: &dyn Fn(u64) -> bool,
    out: &mut Features,
) {
    out.ids.clear();
    out.bounds.clear();
    out.bounds.push(0);
    out.own.clear();
    if out.words.len() < words.len() {
        out.words.resize_with(words.len(), Word::default);
    }
    // Only the words a scored token's templates read: its own, whole, and those within
    // reach, as context.
    let n = words.len();
    for (i, (slot, w)) in out.words.iter_mut().zip(words).enumerate() {
        if out.scored[i] {
            slot.fill(w.as_ref());
        } else if out.scored[i.saturating_sub(REACH)..(i + REACH + 1).min(n)].contains(&true) {
            slot.fill_context(w.as_ref());
        }
    }
    for i in 0..words.len() {
        if out.scored[i] {
            token(words, gazetteer, context, remembered, i, out);
        } else {
            out.own.push((0, 0));
        }
        out.bounds.push(out.ids.len());
    }
}

fn token<S: AsRef<str>>(
    words: &[S],
    gazetteer: &[GazetteerTag],
    context: SentenceContext,
    remembered: &dyn Fn(u64) -> bool,
    i: usize,
    out: &mut Features,
) {
    let word = words[i].as_ref();
    let n = words.len();
    let w = &out.words;
    let at = |j: isize| -> Option<&Word> {
        let k = i.checked_add_signed(j)?;
        (k < n).then(|| &w[k])
    };
    let edge = |j: isize| if j < 0 { START } else { END };
    let lower = |j: isize| at(j).map_or_else(|| edge(j), |x| x.lower_hash);
    let shape = |j: isize| at(j).map_or_else(|| edge(j), |x| x.shape_hash);
    let gaz = |j: isize| -> u64 {
        let tag = i.checked_add_signed(j).and_then(|k| gazetteer.get(k)).copied().unwrap_or(0);
        u64::from(tag) + 1
    };
    let me = &w[i];
    let (me_lower, me_shape) = (me.lower_hash, me.shape_hash);
    let initial = u64::from(i == 0);
    let case = u64::from(context.is_shouting());
    // The templates that look at the token alone, its gazetteer tag and what the document says
    // of it (0 to 12, 24, 26 to 29) lead, so that their scores summed first are the same sum
    // whether remembered or not; the key names all they read.
    let gazetteer_tag = gaz(0);
    let seen = me.capitalised.then(|| context.seen(me_lower, me.word_hash));
    let seen_code = seen.map_or(0, |(lower, inside)| 1 + u64::from(lower) + 2 * u64::from(inside));
    let own_key = combine(OWN_KEY, &[me.word_hash, initial, case, gazetteer_tag, seen_code]) | 1;
    let ids = &mut out.ids;
    if remembered(own_key) {
        out.own.push((own_key, 0));
    } else {
        let before = ids.len();
        ids.push(combine(0, &[]));
        ids.push(combine(1, &[me_lower]));
        ids.push(combine(2, &[me.word_hash]));
        for (n, (b, _)) in word.char_indices().skip(1).take(4).enumerate() {
            ids.push(combine(3 + n as u8, &[text_hash(&word[..b])]));
        }
        for (n, (b, _)) in word.char_indices().rev().take(4).enumerate() {
            ids.push(combine(7 + n as u8, &[text_hash(&word[b..])]));
        }
        ids.push(combine(11, &[me_shape]));
        ids.push(combine(12, &[me_shape, initial, case]));
        ids.push(combine(24, &[gazetteer_tag]));
        ids.push(combine(26, &[gazetteer_tag, me_shape]));
        ids.push(combine(27, &[me_lower, case]));
        if let Some((seen_lower, seen_inside)) = seen {
            ids.push(combine(28, &[u64::from(seen_lower), u64::from(seen_inside), initial]));
        }
        let length = match word.chars().count() {
            0..=2 => 0,
            3..=5 => 1,
            _ => 2,
        };
        ids.push(combine(29, &[length, me_shape]));
        out.own.push((own_key, (ids.len() - before) as u8));
    }
    ids.push(combine(13, &[lower(-1)]));
    ids.push(combine(14, &[lower(1)]));
    ids.push(combine(15, &[lower(-2)]));
    ids.push(combine(16, &[lower(2)]));
    ids.push(combine(17, &[shape(-1), me_shape]));
    ids.push(combine(18, &[me_shape, shape(1)]));
    ids.push(combine(19, &[shape(-1), me_shape, shape(1)]));
    ids.push(combine(20, &[lower(-1), me_lower]));
    ids.push(combine(21, &[me_lower, lower(1)]));
    ids.push(combine(22, &[lower(-1), me_shape]));
    ids.push(combine(23, &[me_shape, lower(1)]));
    ids.push(combine(25, &[gaz(-1), gazetteer_tag, gaz(1)]));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_token_in_same_context_has_same_features() {
        let doc = DocumentContext::new(&[&["Kerry", "met", "Lavrov"][..], &["Kerry", "said"][..]]);
        let mut a = Features::default();
        extract(&["Kerry", "met", "Lavrov"], &[0, 0, 5], doc.sentence(0), &mut a);
        let first: Vec<u64> = a.of(0).to_vec();
        assert_eq!(a.len(), 3);
        let mut b = Features::default();
        extract(&["Kerry", "met", "Lavrov"], &[0, 0, 5], doc.sentence(0), &mut b);
        assert_eq!(b.of(0), &first[..]);
        extract(&["Kerry", "said"], &[0, 0], doc.sentence(1), &mut b);
        assert_ne!(b.of(0), &first[..], "the next word differs");
    }

    #[test]
    fn a_remembered_token_looks_up_only_its_features_of_context() {
        let words = ["Kerry", "met", "Lavrov"];
        let doc = DocumentContext::new(&[&words[..]]);
        let mut f = Features::default();
        let compute = |tags: &[GazetteerTag], remembered: &dyn Fn(u64) -> bool, f: &mut Features| {
            extract_near_names(&words, tags, doc.sentence(0), &|_| Places::NONE, &|_| false, remembered, f);
        };
        compute(&[0, 0, 0], &|_| false, &mut f);
        // Word, lower case, 4 prefixes, 4 suffixes, shape, shape with case, gazetteer tag alone
        // and with the shape, lower case with case, what the document says, length: 18 own;
        // the neighbours' forms and shapes and the gazetteer tags around: 12 of context.
        assert_eq!((f.of(0).len(), f.own(0).1), (30, 18));
        let (key, _) = f.own(0);
        compute(&[0, 0, 0], &|k| k == key, &mut f);
        assert_eq!((f.of(0).len(), f.own(0)), (12, (key, 0)));
        compute(&[1, 0, 0], &|_| false, &mut f);
        assert_ne!(f.own(0).0, key, "the gazetteer's tag is part of the key");
        let other = DocumentContext::new(&[&words[..], &["kerry"][..]]);
        extract_near_names(
            &words,
            &[0; 3],
            other.sentence(0),
            &|_| Places::NONE,
            &|_| false,
            &|_| false,
            &mut f,
        );
        assert_ne!(f.own(0).0, key, "so is what the document says of the word");
    }

    #[test]
    fn only_possible_names_and_the_words_that_join_them_are_scored() {
        let words = ["the", "talks", "in", "Geneva", "were", "put", "off", "again", "by", "a", "week", "."];
        let joins = |w: &str| if ["in", "of", "by"].contains(&w) { Places::ANYWHERE } else { Places::NONE };
        let scored = |words: &[&str], tags: &[GazetteerTag]| {
            let doc = DocumentContext::new(&[words]);
            let mut f = Features::default();
            extract_near_names(words, tags, doc.sentence(0), &joins, &|_| false, &|_| false, &mut f);
            (0..words.len()).filter(|&i| f.is_scored(i)).collect::<Vec<_>>()
        };
        // "in" joins names and is next to Geneva; "by" joins names but is out of reach.
        assert_eq!(scored(&words, &[0; 12]), [2, 3]);
        let mut tags = [0; 12];
        tags[10] = 5; // a lower-case word the gazetteer knows: "by" is now within reach
        assert_eq!(scored(&words, &tags), [2, 3, 8, 10]);
        let others = ["talks", "in", "2016", "and", "a", "visit", "to", "北京", "."];
        assert_eq!(scored(&others, &[0; 9]), [7], "a number is no anchor, so \"in\" joins nothing");
        let numbers = ["Channel", "4", "said", "shares", "of", "20th", "Century", "Fox", "rose", "3.5", "%"];
        assert_eq!(scored(&numbers, &[0; 11]), [0, 1, 4, 5, 6, 7], "numbers beside a capital are scored");
        let opened = ["But", "Kerry", "said", "But", "Tuesday"];
        let never_named = |w: &str| ["But", "Tuesday"].contains(&w);
        let doc = DocumentContext::new(&[&opened[..]]);
        let mut f = Features::default();
        extract_near_names(&opened, &[0; 5], doc.sentence(0), &joins, &never_named, &|_| false, &mut f);
        let scored_opened: Vec<usize> = (0..5).filter(|&i| f.is_scored(i)).collect();
        assert_eq!(scored_opened, [1, 3, 4], "a word never named is left out only as the opener");
        let known = [3, 0, 0, 0, 0];
        extract_near_names(&opened, &known, doc.sentence(0), &joins, &never_named, &|_| false, &mut f);
        assert!(f.is_scored(0), "unless the gazetteer knows it");
        let named = ["Bank", "of", "England", "and", "Diane", "von", "Furstenberg"];
        assert_eq!(scored(&named, &[0; 7]), [0, 1, 2, 4, 6], "von joins no name in this list");
        let doc = DocumentContext::new(&[&words[..]]);
        let mut f = Features::default();
        extract_near_names(&words, &[0; 12], doc.sentence(0), &joins, &|_| false, &|_| false, &mut f);
        assert!(f.of(0).is_empty() && f.of(4).is_empty() && !f.of(3).is_empty());
        extract(&words, &[0; 12], doc.sentence(0), &mut f);
        assert!((0..12).all(|i| f.is_scored(i) && !f.of(i).is_empty()), "training scores all");
    }

    #[test]
    fn a_word_that_joins_names_is_scored_only_where_it_could_stand_in_one() {
        let words = [
            "Moody", "'s", "rating", "of", "banks", "in", "de", "Gaulle", "'s", "France", ",", "said",
            "Kerry", ",", "the", "envoy",
        ];
        let scored = |joins: &dyn Fn(&str) -> Places| {
            let doc = DocumentContext::new(&[&words[..]]);
            let mut f = Features::default();
            extract_near_names(&words, &[0; 16], doc.sentence(0), joins, &|_| false, &|_| false, &mut f);
            (0..words.len()).filter(|&i| f.is_scored(i)).collect::<Vec<_>>()
        };
        let places = |w: &str| match w {
            "'s" => Places::CLOSES,
            "de" => Places::OPENS,
            "of" | "in" | "," => Places::MIDDLE,
            _ => Places::NONE,
        };
        // "'s" closes Moody's and Gaulle's; "de" opens "de Gaulle"; the first "," stands between
        // France and Kerry. "in" has a name only on its right, the last "," only on its left.
        assert_eq!(scored(&places), [0, 1, 6, 7, 8, 9, 10, 12]);
        // Joiners whose places are not known stand anywhere within reach of a name.
        let anywhere = |w: &str| if places(w) == Places::NONE { Places::NONE } else { Places::ANYWHERE };
        assert_eq!(scored(&anywhere), [0, 1, 5, 6, 7, 8, 9, 10, 12, 13]);
    }
}
