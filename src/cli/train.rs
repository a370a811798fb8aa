//! `newsdex train-ner`: trains the entity model on CoNLL-format data and writes it where
//! `eval-ner --model` can score it and where the build ships it (`index_schema/ner/`).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;

use super::ExitStatus;
use crate::extract::entities::Lexicon;
use crate::extract::entities::model::train::{self, EpochReport, TrainOptions, featurise, scored_types};
use crate::extract::entities::model::{Labeller, conll, gazetteer_tags};

/// Arguments of `newsdex train-ner`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Training data in CoNLL-2003 format (e.g. ../shared/corpora/conll2003/eng.train).
    #[arg(long, value_name = "FILE")]
    pub train: PathBuf,

    /// Development data: each epoch is scored on it and the best epoch is kept.
    #[arg(long, value_name = "FILE")]
    pub dev: Option<PathBuf>,

    /// Where to write the model (index_schema/ner/model.bin.gz to replace the shipped one).
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,

    /// Passes over the training data.
    #[arg(long, default_value_t = TrainOptions::default().epochs)]
    pub epochs: usize,

    /// Seed of the order sentences are visited in.
    #[arg(long, default_value_t = TrainOptions::default().seed)]
    pub seed: u64,

    /// Drop features seen fewer times than this.
    #[arg(long, default_value_t = TrainOptions::default().min_count)]
    pub min_count: u32,
}

/// Runs `newsdex train-ner`.
pub fn run(args: TrainArgs) -> anyhow::Result<ExitStatus> {
    let started = Instant::now();
    let lexicon = Lexicon::builtin()?;
    let gazetteer = |words: &[&str]| gazetteer_tags(&lexicon, words);
    let read = |path: &PathBuf| -> anyhow::Result<Vec<conll::Document>> {
        let data =
            std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        conll::parse(&data).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    };
    let train_docs = read(&args.train)?;
    anyhow::ensure!(!train_docs.is_empty(), "{}: no sentences", args.train.display());
    let train_data = featurise(&train_docs, &gazetteer);
    let dev_data = args.dev.as_ref().map(read).transpose()?.map(|d| featurise(&d, &gazetteer));
    eprintln!(
        "training on {} sentences from {} documents ({} epochs, seed {})",
        train_data.len(),
        train_docs.len(),
        args.epochs,
        args.seed
    );
    let options = TrainOptions { epochs: args.epochs, seed: args.seed, min_count: args.min_count };
    let (weights, reports) = train::train(&train_data, dev_data.as_deref(), &options, print_epoch);
    let weights = weights
        .with_joiners(train::words_inside_names(&train_docs))
        .with_never_named(train::words_never_in_names(&train_docs));
    let best = reports
        .iter()
        .filter_map(|r| r.dev.map(|d| (r.epoch, d[3].f1())))
        .fold(None, |b: Option<(usize, f64)>, x| if b.is_none_or(|b| x.1 > b.1) { Some(x) } else { b });
    let mut bytes = Vec::new();
    weights.save(&mut bytes)?;
    crate::saved::write_atomically(&args.out, &bytes)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    let labeller = Labeller::new(weights);
    eprintln!(
        "wrote {}: {} features, {} words that join names, {} never named, {} bytes{}, in {:.1} s",
        args.out.display(),
        labeller.weights().features(),
        labeller.weights().joiners().count(),
        labeller.weights().never_named_words().count(),
        bytes.len(),
        best.map(|(e, f)| format!(", epoch {e} kept (dev micro F1 {f:.4})")).unwrap_or_default(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitStatus::Success)
}

fn print_epoch(report: &EpochReport) {
    let dev = report.dev.map(|counts| {
        scored_types()
            .iter()
            .zip(counts)
            .map(|(name, c)| format!("{name} {:.4}", c.f1()))
            .collect::<Vec<_>>()
            .join("  ")
    });
    eprintln!(
        "epoch {:>2}: {:>5} sentences wrong  {}",
        report.epoch,
        report.mistakes,
        dev.unwrap_or_default()
    );
}
