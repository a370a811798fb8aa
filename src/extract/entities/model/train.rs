//! Training the labeller: a structured averaged perceptron (Collins 2002) with Viterbi
//! decoding. Sentences are visited in an order shuffled by a fixed seed, features seen fewer
//! than `min_count` times are pruned, and the averaged weights of the epoch that scores best
//! on the development data are kept, so the same data always gives the same model.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::BuildHasherDefault;

use serde::Serialize;

use super::anchors::could_be_named;
use super::conll::Document;
use super::features::{DocumentContext, Features, GazetteerTag, Places, extract};
use super::labels::{COUNT, Span, TYPES, from_spans, spans};
use super::viterbi::{Transitions, viterbi};
use super::weights::{Prehashed, Scratch, TRANSITIONS, Weights};

/// How to train.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Passes over the training data.
    pub epochs: usize,
    /// Seed of the sentence order.
    pub seed: u64,
    /// Features seen fewer times than this in the training data are dropped.
    pub min_count: u32,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions { epochs: 12, seed: 2003, min_count: 2 }
    }
}

/// Exact-span counts of one type on development data.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct SpanCounts {
    /// Predicted spans in the gold data.
    pub true_positives: usize,
    /// Predicted spans not in it.
    pub false_positives: usize,
    /// Gold spans not predicted.
    pub false_negatives: usize,
}

impl SpanCounts {
    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let tp = self.true_positives as f64;
        let denominator = 2.0 * tp + self.false_positives as f64 + self.false_negatives as f64;
        if denominator == 0.0 { 0.0 } else { 2.0 * tp / denominator }
    }
}

/// What one epoch did.
#[derive(Debug, Clone, Serialize)]
pub struct EpochReport {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Training sentences the model got wrong during the pass.
    pub mistakes: usize,
    /// PER, ORG, LOC and micro counts on the development data, when given.
    pub dev: Option<[SpanCounts; 4]>,
}

/// One sentence ready for the perceptron: feature rows per token and gold labels.
struct Prepared {
    rows: Vec<u32>,
    bounds: Vec<usize>,
    gold: Vec<u8>,
}

/// Turns documents into hashed features, sentence by sentence.
pub fn featurise(
    documents: &[Document],
    gazetteer: &dyn Fn(&[&str]) -> Vec<GazetteerTag>,
) -> Vec<(Features, Vec<Span>)> {
    let mut out = Vec::new();
    for doc in documents {
        let words: Vec<Vec<&str>> =
            doc.sentences.iter().map(|s| s.words.iter().map(String::as_str).collect()).collect();
        let context = DocumentContext::new(&words);
        for (k, (sentence, words)) in doc.sentences.iter().zip(&words).enumerate() {
            let mut features = Features::default();
            extract(words, &gazetteer(words), context.sentence(k), &mut features);
            out.push((features, sentence.spans.clone()));
        }
    }
    out
}

/// The words without a capital or a digit that `documents` have inside names ("of", "de",
/// "&"), each with the places it had in them: the labeller scores such words next to a name
/// only when they are among these, and only where they could stand (see
/// [`Weights::joins_names`]).
pub fn words_inside_names(documents: &[Document]) -> BTreeMap<String, Places> {
    let mut joiners: BTreeMap<String, Places> = BTreeMap::new();
    for sentence in documents.iter().flat_map(|d| &d.sentences) {
        for span in &sentence.spans {
            let words = &sentence.words[span.start..span.end];
            for (at, word) in words.iter().enumerate().filter(|(_, w)| !could_be_named(w)) {
                let places = joiners.entry(word.clone()).or_default();
                *places = *places | Places::in_name(at, words.len());
            }
        }
    }
    joiners
}

/// How often a capitalised word must be in the training data, never inside a name, to be one
/// of the [`Weights::never_named`]: fewer sightings say too little (a name of the news may be
/// a word CoNLL saw twice outside one).
pub const NEVER_NAMED_MIN: usize = 5;

/// The words with a capital that `documents` have at least [`NEVER_NAMED_MIN`] times and
/// never inside a name of any type ("But", "Analysts", "Tuesday"; not "May", twice in one):
/// the labeller leaves them unscored when they open a sentence (see
/// [`Weights::never_named`]).
pub fn words_never_in_names(documents: &[Document]) -> BTreeSet<String> {
    let mut seen: HashMap<&str, (usize, bool)> = HashMap::new();
    for sentence in documents.iter().flat_map(|d| &d.sentences) {
        for (i, word) in sentence.words.iter().enumerate() {
            if word.chars().any(char::is_uppercase) {
                let inside = sentence.spans.iter().any(|span| (span.start..span.end).contains(&i));
                let (count, named) = seen.entry(word.as_str()).or_default();
                *count += 1;
                *named |= inside;
            }
        }
    }
    seen.into_iter()
        .filter(|(_, (count, named))| *count >= NEVER_NAMED_MIN && !named)
        .map(|(word, _)| word.to_string())
        .collect()
}

/// Trains on `train`, choosing the epoch by `dev` when given; calls `report` after each epoch.
pub fn train(
    train: &[(Features, Vec<Span>)],
    dev: Option<&[(Features, Vec<Span>)]>,
    options: &TrainOptions,
    mut report: impl FnMut(&EpochReport),
) -> (Weights, Vec<EpochReport>) {
    let (hashes, sentences) = prepare(train, options.min_count);
    let mut perceptron = Perceptron::new(hashes.len());
    let mut order: Vec<usize> = (0..sentences.len()).collect();
    let mut rng = options.seed | 1;
    let mut best: Option<(f64, Weights)> = None;
    let mut reports = Vec::new();
    for epoch in 1..=options.epochs {
        shuffle(&mut order, &mut rng);
        let mistakes = order.iter().filter(|&&i| perceptron.learn(&sentences[i])).count();
        let weights = perceptron.averaged(&hashes);
        let dev_counts = dev.map(|d| score(&weights, d));
        let f1 = dev_counts.map_or(epoch as f64, |c| c[3].f1());
        let epoch_report = EpochReport { epoch, mistakes, dev: dev_counts };
        report(&epoch_report);
        reports.push(epoch_report);
        if best.as_ref().is_none_or(|(b, _)| f1 > *b) {
            best = Some((f1, weights));
        }
    }
    let weights = best.map_or_else(|| perceptron.averaged(&hashes), |(_, w)| w);
    (weights, reports)
}

/// Exact-span counts of `weights` on featurised data: PER, ORG, LOC, then their sum.
pub fn score(weights: &Weights, data: &[(Features, Vec<Span>)]) -> [SpanCounts; 4] {
    let mut counts = [SpanCounts::default(); 4];
    let mut scratch = Scratch::default();
    let mut labels = Vec::new();
    for (features, gold) in data {
        weights.decode(features, &mut scratch, &mut labels);
        let predicted = spans(&labels);
        for (kind, count) in counts.iter_mut().take(3).enumerate() {
            let p: Vec<&Span> = predicted.iter().filter(|s| s.kind == kind).collect();
            let g: Vec<&Span> = gold.iter().filter(|s| s.kind == kind).collect();
            let tp = p.iter().filter(|s| g.contains(s)).count();
            count.true_positives += tp;
            count.false_positives += p.len() - tp;
            count.false_negatives += g.len() - tp;
        }
    }
    let [per, org, loc, _] = counts;
    counts[3] = SpanCounts {
        true_positives: per.true_positives + org.true_positives + loc.true_positives,
        false_positives: per.false_positives + org.false_positives + loc.false_positives,
        false_negatives: per.false_negatives + org.false_negatives + loc.false_negatives,
    };
    counts
}

/// Numbers the features seen at least `min_count` times and rewrites sentences with them.
fn prepare(data: &[(Features, Vec<Span>)], min_count: u32) -> (Vec<u64>, Vec<Prepared>) {
    let mut counts: HashMap<u64, u32, BuildHasherDefault<Prehashed>> = HashMap::default();
    for (features, _) in data {
        for i in 0..features.len() {
            for id in features.of(i) {
                *counts.entry(*id).or_default() += 1;
            }
        }
    }
    let mut hashes: Vec<u64> = counts.iter().filter(|(_, c)| **c >= min_count).map(|(h, _)| *h).collect();
    hashes.sort_unstable();
    let row_of: HashMap<u64, u32, BuildHasherDefault<Prehashed>> =
        hashes.iter().enumerate().map(|(row, h)| (*h, row as u32)).collect();
    let sentences = data
        .iter()
        .map(|(features, gold)| {
            let mut rows = Vec::new();
            let mut bounds = vec![0];
            for i in 0..features.len() {
                rows.extend(features.of(i).iter().filter_map(|id| row_of.get(id)));
                bounds.push(rows.len());
            }
            Prepared { rows, bounds, gold: from_spans(features.len(), gold) }
        })
        .collect();
    (hashes, sentences)
}

fn shuffle(order: &mut [usize], state: &mut u64) {
    for i in (1..order.len()).rev() {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        order.swap(i, (*state % (i as u64 + 1)) as usize);
    }
}

/// Current weights and their running sums for averaging (the lazy form: the average is
/// `w - sum / step`, where `sum` adds `step * delta` at each update).
struct Perceptron {
    emission: Vec<f32>,
    emission_sum: Vec<f64>,
    transition: Vec<f32>,
    transition_sum: Vec<f64>,
    step: f64,
    scores: Vec<f32>,
    trail: Vec<f32>,
    predicted: Vec<u8>,
}

impl Perceptron {
    fn new(features: usize) -> Self {
        Perceptron {
            emission: vec![0.0; features * COUNT],
            emission_sum: vec![0.0; features * COUNT],
            transition: vec![0.0; TRANSITIONS],
            transition_sum: vec![0.0; TRANSITIONS],
            step: 1.0,
            scores: Vec::new(),
            trail: Vec::new(),
            predicted: Vec::new(),
        }
    }

    /// Decodes one sentence and corrects the weights where it was wrong; true on a mistake.
    fn learn(&mut self, sentence: &Prepared) -> bool {
        self.scores.clear();
        for i in 0..sentence.gold.len() {
            let mut row = [0f32; COUNT];
            for &f in &sentence.rows[sentence.bounds[i]..sentence.bounds[i + 1]] {
                let w = &self.emission[f as usize * COUNT..][..COUNT];
                row.iter_mut().zip(w).for_each(|(s, w)| *s += w);
            }
            self.scores.extend_from_slice(&row);
        }
        let transitions = Transitions::new(self.transition.clone());
        viterbi(&self.scores, &transitions, &mut self.trail, &mut self.predicted);
        let wrong = self.predicted != sentence.gold;
        if wrong {
            let predicted = std::mem::take(&mut self.predicted);
            for (i, (&g, &p)) in sentence.gold.iter().zip(&predicted).enumerate() {
                let (gp, pp) = if i == 0 { (0, 0) } else { (sentence.gold[i - 1] + 1, predicted[i - 1] + 1) };
                self.bump_transition(usize::from(gp) * COUNT + usize::from(g), 1.0);
                self.bump_transition(usize::from(pp) * COUNT + usize::from(p), -1.0);
                if g != p {
                    for &f in &sentence.rows[sentence.bounds[i]..sentence.bounds[i + 1]] {
                        self.bump_emission(f as usize * COUNT + usize::from(g), 1.0);
                        self.bump_emission(f as usize * COUNT + usize::from(p), -1.0);
                    }
                }
            }
            self.predicted = predicted;
        }
        self.step += 1.0;
        wrong
    }

    fn bump_emission(&mut self, at: usize, delta: f32) {
        self.emission[at] += delta;
        self.emission_sum[at] += self.step * f64::from(delta);
    }

    fn bump_transition(&mut self, at: usize, delta: f32) {
        self.transition[at] += delta;
        self.transition_sum[at] += self.step * f64::from(delta);
    }

    /// The averaged weights, as a labeller keyed by feature hash.
    fn averaged(&self, hashes: &[u64]) -> Weights {
        let average = |w: f32, sum: f64| (f64::from(w) - sum / self.step) as f32;
        let rows = hashes.iter().enumerate().map(|(row, &hash)| {
            let mut scores = [0f32; COUNT];
            for (l, s) in scores.iter_mut().enumerate() {
                let at = row * COUNT + l;
                *s = average(self.emission[at], self.emission_sum[at]);
            }
            (hash, scores)
        });
        let transition =
            self.transition.iter().zip(&self.transition_sum).map(|(w, s)| average(*w, *s)).collect();
        Weights::new(rows, transition)
    }
}

/// The names of the scored types, in [`score`]'s order.
pub fn scored_types() -> [&'static str; 4] {
    [TYPES[0], TYPES[1], TYPES[2], "micro"]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::entities::model::conll;

    #[test]
    fn the_words_that_join_names_are_the_uncapitalised_words_inside_them() {
        let data = "Bank X X I-ORG\nof X X I-ORG\nEngland X X I-ORG\nsaid X X O\n\n\
                    Procter X X I-ORG\n& X X I-ORG\nGamble X X I-ORG\nof X X O\nCincinnati X X I-LOC\n\n\
                    Ludwig X X I-PER\nvan X X I-PER\nBeethoven X X I-PER\nand X X O\nthe X X O\n\
                    G7 X X I-ORG\nthe X X O\n1990s X X O\n\n\
                    de X X I-PER\nGaulle X X I-PER\nand X X O\nMoody X X I-ORG\n's X X I-ORG\n";
        let documents = conll::parse(data).unwrap();
        let joiners = words_inside_names(&documents);
        let words: Vec<&str> = joiners.keys().map(String::as_str).collect();
        assert_eq!(words, ["&", "'s", "de", "of", "van"], "G7 has a digit; said, and, the are outside names");
        assert_eq!(joiners["of"], Places::MIDDLE);
        assert_eq!(joiners["de"], Places::OPENS);
        assert_eq!(joiners["'s"], Places::CLOSES);
    }

    #[test]
    fn the_words_never_named_are_frequent_capitalised_words_outside_every_name() {
        let sentence =
            |opener: &str, tag: &str| format!("{opener} X X {tag}\nKerry X X I-PER\nsaid X X O\n\n");
        let mut data = String::new();
        for _ in 0..NEVER_NAMED_MIN {
            data += &sentence("But", "O");
            data += &sentence("May", "O");
        }
        data += &sentence("May", "I-PER");
        for _ in 1..NEVER_NAMED_MIN {
            data += &sentence("Despite", "O");
        }
        let documents = conll::parse(&data).unwrap();
        let words: Vec<String> = words_never_in_names(&documents).into_iter().collect();
        assert_eq!(
            words,
            ["But"],
            "May is once in a name, Despite too rare, Kerry a name, said not capitalised"
        );
    }
}
