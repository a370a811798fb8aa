//! The learned entity recogniser: an averaged-perceptron sequence labeller trained on
//! CoNLL-2003, which finds the spans of names and their types. The gazetteer still decides
//! canonical names and the place hierarchy, and the article's coreference pass still applies.
//! The shipped model lives in `index_schema/ner/model.bin.gz`; `newsdex train-ner` rebuilds it.

pub mod conll;
pub mod features;
pub mod labels;
mod mentions;
pub mod tokenize;
pub mod train;
mod viterbi;
pub mod weights;

pub use mentions::mentions;

use features::{DocumentContext, Features, GazetteerTag};
use labels::Span;
use weights::{Scratch, Weights};

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
        compute: fn(&[S], &[GazetteerTag], &DocumentContext, &mut Features),
    ) -> Vec<(Vec<Span>, Vec<GazetteerTag>)> {
        let context = DocumentContext::new(sentences.iter().map(Vec::as_slice));
        let mut features = Features::default();
        let mut scratch = Scratch::default();
        let mut labels = Vec::new();
        sentences
            .iter()
            .map(|words| {
                let tags = gazetteer_tags(lexicon, words);
                compute(words, &tags, &context, &mut features);
                self.weights.decode(&features, &mut scratch, &mut labels);
                (labels::spans(&labels), tags)
            })
            .collect()
    }
}

fn identity(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex()[..12].to_string()
}

/// What the gazetteer knows of each token of a sentence: known names matched over the words
/// joined by spaces, and single words in capitals looked up in any case.
pub fn gazetteer_tags<S: AsRef<str>>(lexicon: &Lexicon, words: &[S]) -> Vec<GazetteerTag> {
    let mut joined = String::new();
    let mut starts = Vec::with_capacity(words.len());
    for w in words {
        if !joined.is_empty() {
            joined.push(' ');
        }
        starts.push(joined.len());
        joined.push_str(w.as_ref());
    }
    let mut tags = vec![0; words.len()];
    for (start, end, known) in lexicon.find_known(&joined) {
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
                [Kind::Place, Kind::Org, Kind::Person].iter().find_map(|k| lexicon.lookup(*k, word))
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
            let scoring_all = labeller.label_computing(&lexicon, &sentences, features::extract);
            assert_eq!(pruned, scoring_all.into_iter().map(|(spans, _)| spans).collect::<Vec<_>>());
            assert!(pruned.iter().map(Vec::len).sum::<usize>() >= 5, "names found: {pruned:?}");
        }
    }
}
