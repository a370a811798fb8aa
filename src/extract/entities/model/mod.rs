//! The learned entity recogniser: an averaged-perceptron sequence labeller trained on
//! CoNLL-2003, which finds the spans of names and their types. The gazetteer still decides
//! canonical names and the place hierarchy, and the article's coreference pass still applies.
//! The shipped model lives in `index_schema/ner/model.bin.gz`; `newsdex train-ner` rebuilds it.

mod anchors;
mod canonical;
pub mod conll;
mod context;
pub mod features;
pub mod joiners;
pub mod labels;
mod mentions;
pub mod tokenize;
pub mod train;
mod viterbi;
pub mod weights;
mod word;

pub use mentions::mentions;

use std::cell::RefCell;

use features::{DocumentContext, Features, GazetteerTag, SentenceContext};
use joiners::Places;
use labels::Span;
use weights::{OwnMemory, Scratch, Weights};

use super::Kind;
use super::lexicon::Lexicon;

const SHIPPED: &[u8] = include_bytes!("../../../../index_schema/ner/model.bin.gz");

/// Where the shipped model is, for messages.
pub const SHIPPED_PATH: &str = "index_schema/ner/model.bin.gz";

/// A trained labeller, loaded once per process.
#[derive(Debug)]
pub struct Labeller {
    weights: Weights,
    id: String,
}

impl Labeller {
    /// The model shipped in the binary.
    pub fn builtin() -> Result<Self, String> {
        Labeller::from_bytes(SHIPPED).map_err(|e| format!("{SHIPPED_PATH}: {e}"))
    }

    /// A model read from a file written by `newsdex train-ner`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        Ok(Labeller { weights: Weights::load(bytes)?, id: identity(bytes) })
    }

    /// A labeller with the given weights (as training produces them).
    pub fn new(weights: Weights) -> Self {
        let mut bytes = Vec::new();
        let id = match weights.save(&mut bytes) {
            Ok(()) => identity(&bytes),
            Err(_) => "unsaved".to_string(),
        };
        Labeller { weights, id }
    }

    /// Names this model among others: the start of the BLAKE3 hash of its file.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The weights, for saving.
    pub fn weights(&self) -> &Weights {
        &self.weights
    }

    /// The names in each sentence of one document.
    pub fn label<S: AsRef<str>>(&self, lexicon: &Lexicon, sentences: &[Vec<S>]) -> Vec<Vec<Span>> {
        self.label_with_gazetteer(lexicon, sentences).into_iter().map(|(spans, _)| spans).collect()
    }

    /// The names in each sentence of one document, with what the gazetteer said of each token.
    pub fn label_with_gazetteer<S: AsRef<str>>(
        &self,
        lexicon: &Lexicon,
        sentences: &[Vec<S>],
    ) -> Vec<(Vec<Span>, Vec<GazetteerTag>)> {
        self.label_computing(lexicon, sentences, features::extract_near_names)
    }

    /// Labels each sentence with the features `compute` gives its tokens.
    fn label_computing<S: AsRef<str>>(
        &self,
        lexicon: &Lexicon,
        sentences: &[Vec<S>],
        compute: Compute<S>,
    ) -> Vec<(Vec<Span>, Vec<GazetteerTag>)> {
        thread_local! {
            static BUFFERS: RefCell<Buffers> = RefCell::default();
        }
        let context = DocumentContext::new(sentences);
        // The rules' connectors ("von", "bin") may stand anywhere in a name.
        let joins = |word: &str| match self.weights.joins_names(word) {
            Places::NONE if lexicon.rules.is_connector(word) => Places::ANYWHERE,
            places => places,
        };
        let never_named = |word: &str| self.weights.never_named(word);
        let mut labels = Vec::new();
        BUFFERS.with_borrow_mut(|Buffers { memory, features, scratch }| {
            sentences
                .iter()
                .enumerate()
                .map(|(k, words)| {
                    let tags = gazetteer_tags(lexicon, words);
                    let remembered = |key| memory.remembers(&self.weights, key);
                    let context = context.sentence(k);
                    compute(words, &tags, context, &joins, &never_named, &remembered, features);
                    self.weights.decode_remembering(features, memory, scratch, &mut labels);
                    (labels::spans(&labels), tags)
                })
                .collect()
        })
    }
}

/// What the labeller keeps from one document to the next, per thread: the sums of words' own
/// features, and buffers sized for the longest sentence yet.
#[derive(Default)]
struct Buffers {
    memory: OwnMemory,
    features: Features,
    scratch: Scratch,
}

/// How a sentence's features are computed: its words, the gazetteer's tags, its context,
/// which words join names and where in them (the model's, and the rules' `name_connectors`
/// anywhere), which are never named, and which tokens' own features need not be (see
/// `Features::own`).
type Compute<S> = fn(
    &[S],
    &[GazetteerTag],
    SentenceContext,
    &dyn Fn(&str) -> Places,
    &dyn Fn(&str) -> bool,
    &dyn Fn(u64) -> bool,
    &mut Features,
);

fn identity(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex()[..12].to_string()
}

/// What the gazetteer knows of each token of a sentence: known names matched over the words
/// joined by spaces, and single words in capitals looked up in any case.
pub fn gazetteer_tags<S: AsRef<str>>(lexicon: &Lexicon, words: &[S]) -> Vec<GazetteerTag> {
    thread_local! {
        /// The joined words, where each starts, and where a name could start, kept from one
        /// sentence to the next.
        static JOINED: RefCell<Joined> = RefCell::default();
    }
    JOINED.with_borrow_mut(|joined| tags_over(lexicon, words, joined))
}

/// The buffers [`gazetteer_tags`] joins a sentence's words in.
#[derive(Default)]
struct Joined {
    text: String,
    /// Where each word starts in `text`.
    starts: Vec<usize>,
    /// Where the matcher looks for names: each word's start, and each place inside a word
    /// after a hyphen or a slash ("then-New York"), where a name found is not the word's but
    /// keeps the matcher from taking its tail as the start of another ("York").
    candidates: Vec<usize>,
}

/// [`gazetteer_tags`] with the buffers it joins the words in.
fn tags_over<S: AsRef<str>>(lexicon: &Lexicon, words: &[S], joined: &mut Joined) -> Vec<GazetteerTag> {
    let Joined { text: joined, starts, candidates } = joined;
    joined.clear();
    starts.clear();
    for w in words {
        if !joined.is_empty() {
            joined.push(' ');
        }
        starts.push(joined.len());
        joined.push_str(w.as_ref());
    }
    candidates.clear();
    let mut word = 0;
    for inside in memchr::memchr2_iter(b'-', b'/', joined.as_bytes()).map(|at| at + 1) {
        let before = starts[word..].partition_point(|&start| start < inside);
        candidates.extend_from_slice(&starts[word..word + before]);
        word += before;
        candidates.push(inside);
    }
    candidates.extend_from_slice(&starts[word..]);
    let mut tags = vec![0; words.len()];
    for (start, end, known) in lexicon.find_known_from(joined, candidates) {
        let last = starts.partition_point(|s| *s < end).saturating_sub(1);
        let (Ok(first), true) =
            (starts.binary_search(&start), starts[last] + words[last].as_ref().len() == end)
        else {
            continue;
        };
        let kind = gazetteer_kind(known.kind, known.demonym);
        tags[first] = kind * 2 + 1;
        for tag in &mut tags[first + 1..=last] {
            *tag = kind * 2 + 2;
        }
    }
    for (tag, word) in tags.iter_mut().zip(words) {
        let word = word.as_ref();
        if *tag == 0
            && word.len() > 1
            && word.chars().all(|c| c.is_uppercase() || !c.is_alphabetic())
            && let Some(known) =
                lexicon.listed_first(&[Kind::Place, Kind::Org, Kind::Person], word).map(|(_, known)| known)
        {
            *tag = gazetteer_kind(known.kind, known.demonym) * 2 + 1;
        }
    }
    tags
}

fn gazetteer_kind(kind: Kind, demonym: bool) -> u8 {
    match (kind, demonym) {
        (Kind::Person, _) => 0,
        (Kind::Org, _) => 1,
        (Kind::Place, false) => 2,
        (Kind::Place, true) => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaving_lower_case_runs_unscored_finds_the_same_names() {
        let labeller = Labeller::builtin().unwrap();
        let lexicon = Lexicon::builtin().unwrap();
        let seed = include_str!("../../../../sample_corpus/000_afe821fb16f557c1.txt");
        let extra = "Officials at the Bank of England and the University of Texas met Osama bin Laden's \
                     heirs, Vincent van Gogh experts and eBay staff in the old port of al-Hudaydah .";
        for text in [seed, extra] {
            let sentences: Vec<Vec<&str>> =
                tokenize::sentences(text).iter().map(|s| s.iter().map(|t| t.text).collect()).collect();
            let pruned = labeller.label(&lexicon, &sentences);
            let scoring_all = labeller
                .label_computing(&lexicon, &sentences, |w, g, d, _, _, _, f| features::extract(w, g, d, f));
            assert_eq!(pruned, scoring_all.into_iter().map(|(spans, _)| spans).collect::<Vec<_>>());
            assert!(pruned.iter().map(Vec::len).sum::<usize>() >= 5, "names found: {pruned:?}");
        }
    }

    #[test]
    fn words_that_never_join_names_stay_outside_them() {
        let labeller = Labeller::builtin().unwrap();
        let lexicon = Lexicon::builtin().unwrap();
        let text = "OTTAWA ( Reuters ) - Chemical company Celanese Corp ( CE.N ) said on Tuesday it would \
                    close a plant , and Diane von Furstenberg said the Bank of England would not .";
        let sentences: Vec<Vec<&str>> =
            tokenize::sentences(text).iter().map(|s| s.iter().map(|t| t.text).collect()).collect();
        let names = |spans: &[Vec<Span>]| -> Vec<String> {
            let each = sentences.iter().zip(spans);
            each.flat_map(|(words, spans)| spans.iter().map(|s| words[s.start..s.end].join(" "))).collect()
        };
        let pruned = names(&labeller.label(&lexicon, &sentences));
        let scoring_all = labeller.label_computing(&lexicon, &sentences, |w, g, d, _, _, _, f| {
            features::extract(w, g, d, f);
        });
        let scoring_all: Vec<Vec<Span>> = scoring_all.into_iter().map(|(spans, _)| spans).collect();
        // Scored, "company" (never inside a name in CoNLL) is taken into the name.
        assert!(names(&scoring_all).contains(&"Chemical company Celanese Corp".to_string()));
        for name in ["Celanese Corp", "Diane von Furstenberg", "Bank of England"] {
            assert!(pruned.contains(&name.to_string()), "{name}: {pruned:?}");
        }
        assert!(!pruned.iter().any(|n| n.contains("company")), "{pruned:?}");
    }

    #[test]
    fn a_sentence_opened_by_a_word_never_named_keeps_it_out_of_the_name() {
        let labeller = Labeller::builtin().unwrap();
        let lexicon = Lexicon::builtin().unwrap();
        assert!(labeller.weights().never_named("Many") && labeller.weights().never_named("Despite"));
        let text = "Many Chrysler workers voted on Tuesday . Despite Sony's losses, Ford Motor Co rose .";
        let sentences: Vec<Vec<&str>> =
            tokenize::sentences(text).iter().map(|s| s.iter().map(|t| t.text).collect()).collect();
        let names = |labelled: Vec<Vec<Span>>| -> Vec<String> {
            let each = sentences.iter().zip(labelled);
            each.flat_map(|(words, spans)| spans.into_iter().map(|s| words[s.start..s.end].join(" ")))
                .collect()
        };
        // Without its opener "Sony" is not found either: one wrong name less, not a right one
        // more (the model took it for a person's surname).
        assert_eq!(names(labeller.label(&lexicon, &sentences)), ["Chrysler", "Ford Motor Co"]);
        // Scored, the openers are taken into the names that follow them.
        let scoring_openers = labeller.label_computing(&lexicon, &sentences, |w, g, d, j, _, r, f| {
            features::extract_near_names(w, g, d, j, &|_| false, r, f);
        });
        let scoring_openers = names(scoring_openers.into_iter().map(|(spans, _)| spans).collect());
        assert_eq!(scoring_openers, ["Many Chrysler", "Despite Sony", "Ford Motor Co"]);
    }

    #[test]
    fn names_are_tagged_from_word_starts_and_a_name_inside_a_word_hides_its_tail() {
        let lexicon = Lexicon::builtin().unwrap();
        let tags = |words: &[&str]| gazetteer_tags(&lexicon, words);
        let in_new_york = tags(&["in", "New", "York", "and", "York", "/", "Paris"]);
        assert_eq!(in_new_york[0], 0);
        assert!(in_new_york[1] % 2 == 1 && in_new_york[2] == in_new_york[1] + 1, "{in_new_york:?}");
        assert!(in_new_york[4] % 2 == 1 && in_new_york[6] % 2 == 1, "{in_new_york:?}");
        // "New York" starts inside "then-New": not a name of these words, and "York" is not
        // the start of one either.
        assert_eq!(tags(&["then-New", "York", "officials"]), [0, 0, 0]);
        assert_eq!(tags(&["Paris/New", "York", "flights"]), [0, 0, 0]);
        assert_eq!(tags(&["Yorkshire", "and", "Parisian"]), [0, 0, 0]);
    }

    #[test]
    fn remembered_sums_give_the_very_scores_the_rows_give() {
        let labeller = Labeller::builtin().unwrap();
        let (lexicon, weights) = (Lexicon::builtin().unwrap(), labeller.weights());
        let seed = include_str!("../../../../sample_corpus/000_afe821fb16f557c1.txt");
        let sentences: Vec<Vec<&str>> =
            tokenize::sentences(seed).iter().map(|s| s.iter().map(|t| t.text).collect()).collect();
        let doc = DocumentContext::new(&sentences);
        let joins = |w: &str| weights.joins_names(w);
        let (mut memory, mut remembered) = (OwnMemory::default(), 0);
        // Twice over: the second pass finds nearly every word remembered.
        for (k, words) in sentences.iter().enumerate().chain(sentences.iter().enumerate()) {
            let tags = gazetteer_tags(&lexicon, words);
            let (mut plain, mut with) = (Features::default(), Features::default());
            let never = |w: &str| weights.never_named(w);
            let compute = |remembered: &dyn Fn(u64) -> bool, out: &mut Features| {
                features::extract_near_names(words, &tags, doc.sentence(k), &joins, &never, remembered, out);
            };
            compute(&|_| false, &mut plain);
            compute(&|k| memory.remembers(weights, k), &mut with);
            remembered += (0..with.len()).filter(|&i| with.is_scored(i) && with.own(i).1 == 0).count();
            let (mut a, mut b) = (Scratch::default(), Scratch::default());
            let (mut labels_a, mut labels_b) = (Vec::new(), Vec::new());
            weights.decode(&plain, &mut a, &mut labels_a);
            weights.decode_remembering(&with, &mut memory, &mut b, &mut labels_b);
            let bits = |s: &Scratch| s.emission().iter().map(|f| f.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&a), bits(&b), "{words:?}");
            assert_eq!(labels_a, labels_b);
        }
        let scored: usize = sentences.iter().map(|w| w.len()).sum();
        assert!(remembered > scored / 4, "{remembered} tokens of {scored} remembered");
        // Sums of one model are nothing to another.
        let other = Weights::new([], vec![0.0; weights::TRANSITIONS]);
        let mut f = Features::default();
        let words = &sentences[0];
        let tags = gazetteer_tags(&lexicon, words);
        let remembered = |k| memory.remembers(&other, k);
        features::extract_near_names(words, &tags, doc.sentence(0), &joins, &|_| false, &remembered, &mut f);
        assert!((0..f.len()).all(|i| !f.is_scored(i) || f.own(i).1 > 0));
    }
}
