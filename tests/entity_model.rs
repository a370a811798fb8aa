//! The learned entity model end to end: `train-ner` fits a tiny CoNLL fixture exactly and
//! writes the same bytes twice, `eval-ner --model` reads what it wrote, the shipped model's
//! scores on a held-out fixture written for this project are pinned, and an index refuses to
//! mix two extractors. None of it needs `../shared`.

mod common;

use std::path::PathBuf;

use common::Env;
use serde_json::Value;

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ner")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

/// (tp, fp, fn) of PER, ORG, LOC and micro from `eval-ner --format json`.
fn counts(run: &common::Run) -> Vec<(String, u64, u64, u64)> {
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    doc["scores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let n = |k: &str| s[k].as_u64().unwrap();
            (
                s["label"].as_str().unwrap().to_string(),
                n("true_positives"),
                n("false_positives"),
                n("false_negatives"),
            )
        })
        .collect()
}

fn train(env: &Env, out: &str) -> Vec<u8> {
    let path = env.dir.path().join(out);
    let run = env.run(&[
        "train-ner",
        "--train",
        &fixture("tiny.conll"),
        "--out",
        path.to_str().unwrap(),
        "--epochs",
        "20",
        "--min-count",
        "1",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("wrote "), "{}", run.stderr);
    std::fs::read(path).unwrap()
}

#[test]
fn a_model_trained_on_a_tiny_fixture_labels_its_own_sentences() {
    let env = Env::new();
    train(&env, "tiny.bin.gz");
    let model = env.dir.path().join("tiny.bin.gz");
    let run = env.run(&[
        "eval-ner",
        &fixture("tiny.conll"),
        "--model",
        model.to_str().unwrap(),
        "--format",
        "json",
    ]);
    // 4 people, 5 organisations, 5 places in the fixture, all found, nothing else.
    assert_eq!(
        counts(&run),
        [
            ("PER".to_string(), 4, 0, 0),
            ("ORG".to_string(), 5, 0, 0),
            ("LOC".to_string(), 5, 0, 0),
            ("micro".to_string(), 14, 0, 0)
        ]
    );
}

#[test]
fn training_is_deterministic() {
    let env = Env::new();
    assert_eq!(train(&env, "a.bin.gz"), train(&env, "b.bin.gz"), "same data, same seed, same bytes");
}

#[test]
fn the_shipped_model_scores_are_pinned_on_a_held_out_fixture() {
    let env = Env::new();
    let model = counts(&env.run(&["eval-ner", &fixture("heldout.conll"), "--format", "json"]));
    assert_eq!(
        model,
        [
            ("PER".to_string(), 12, 0, 0),
            ("ORG".to_string(), 11, 0, 2),
            ("LOC".to_string(), 16, 1, 0),
            ("micro".to_string(), 39, 1, 2)
        ]
    );
    let rules = counts(&env.run(&[
        "eval-ner",
        &fixture("heldout.conll"),
        "--extractor",
        "rules",
        "--format",
        "json",
    ]));
    assert!(rules[3].1 < model[3].1, "the model finds more than the rules: {rules:?}");
}

#[test]
fn bad_training_data_and_bad_model_files_are_named() {
    let env = Env::new();
    let bad = env.write("bad.conll", "-DOCSTART- O\n\nKerry X X I-PER\nsaid\n");
    let out = env.dir.path().join("m.bin.gz");
    let run = env.run(&["train-ner", "--train", bad.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("bad.conll: line 4: expected `word ... TAG`"), "{}", run.stderr);
    assert!(!out.exists(), "no model is written from bad data");
    let not_a_model = env.write("model.bin.gz", "plain text");
    let run = env.run(&["eval-ner", &fixture("tiny.conll"), "--model", not_a_model.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("model.bin.gz: not a gzip model file"), "{}", run.stderr);
}

#[test]
fn an_index_keeps_the_extractor_of_its_first_run() {
    let env = Env::new();
    let corpus = env.corpus();
    env.write("a.txt", "Kerry meets Lavrov\nJohn Kerry met Sergei Lavrov in Geneva on Monday.\n");
    env.index(&corpus, &["--extractor", "rules"]);
    let run = env.run(&["index", corpus.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("holds entities extracted by rules with gazetteer "), "{}", run.stderr);
    assert!(run.stderr.contains("; this run would use model "), "{}", run.stderr);
    env.index(&corpus, &["--rebuild"]);
    let people = env.run(&["facets", "--by", "person", "--format", "csv"]);
    assert_eq!(people.stdout, "person,count\nJohn Kerry,1\nSergei Lavrov,1\n");
    let run = env.run(&["index", corpus.to_str().unwrap(), "--no-entities"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}
