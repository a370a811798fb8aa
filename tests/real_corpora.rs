//! Evaluation on the real corpora in `../shared/corpora/` (not part of the repository).
//! Each test says it is skipping, and passes, when the corpus is absent.

mod common;

use std::path::PathBuf;

use common::Env;

fn shared_corpus(name: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora").join(name);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipping: {} is absent", path.display());
        None
    }
}

#[test]
fn bbc_corpus_is_read_whole_with_its_latin1_file_and_duplicates() {
    let Some(bbc) = shared_corpus("bbc") else {
        return;
    };
    let env = Env::new();
    let run = env.index(&bbc, &["--source", "BBC News", "--quiet"]);
    let err = &run.stderr;
    // 2,225 articles plus the corpus's README.TXT, which is indexed like any text file.
    // 98 files are byte-for-byte copies of another, and 2 more differ from another only in
    // whitespace: 100 duplicates of the same normalised text.
    assert!(err.contains("indexed 2126 articles from 2226 files"), "{err}");
    assert!(err.contains("exact duplicates: 100 (indexed once, every publication kept)"), "{err}");
    assert!(err.contains("without date: 2126"), "the BBC files carry no date: {err}");
    assert!(err.contains("files decoded from a legacy encoding: 1"), "{err}");
    assert!(err.contains("without source: 0"), "{err}");
    let mutu = env.search(&["title:\"Chelsea sack Mutu\""]).jsonl();
    assert_eq!(mutu.len(), 1);
    let latin = &mutu[0];
    assert!(latin["path"].as_str().unwrap().ends_with("sport/199.txt"));
    assert!(latin["body"].as_str().unwrap().contains('£'), "the pound sign survives decoding");
}

/// The shipped model is what `train-ner` makes from CoNLL-2003 with the shipped gazetteer (its
/// tags are features): a gazetteer edited without retraining fails here. Also scores it.
#[test]
fn the_shipped_model_is_reproduced_from_conll_and_meets_its_targets() {
    let Some(conll) = shared_corpus("conll2003") else {
        return;
    };
    let env = Env::new();
    let out = env.dir.path().join("model.bin.gz");
    let (train, dev) = (conll.join("eng.train"), conll.join("eng.testa"));
    let run = env.run(&[
        "train-ner",
        "--train",
        train.to_str().unwrap(),
        "--dev",
        dev.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let shipped =
        std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("index_schema/ner/model.bin.gz"));
    assert!(
        std::fs::read(&out).unwrap() == shipped.unwrap(),
        "retrain: newsdex train-ner --train {} --dev {} --out index_schema/ner/model.bin.gz",
        train.display(),
        dev.display()
    );
    let eval = env.run(&["eval-ner", dev.to_str().unwrap(), "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&eval.stdout).unwrap();
    let f1 = |i: usize| doc["scores"][i]["f1"].as_f64().unwrap();
    assert!((0..3).all(|i| f1(i) >= 0.85) && f1(3) >= 0.88, "{}", eval.stdout);
}
