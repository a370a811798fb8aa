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
