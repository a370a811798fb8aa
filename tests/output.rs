//! Large outputs: every hit of a search printed in full, and a reader that stops early
//! (`newsdex search ... | head`) ending the run quietly. stdout is buffered, so both need more
//! output than one buffer holds (64 KiB): 400 articles of about 900 bytes each.

mod common;

use std::io::Read;
use std::process::Stdio;

use common::Env;

const ARTICLES: usize = 400;

/// A corpus of `ARTICLES` dated articles, all mentioning "harbour", numbered in their titles.
fn large_corpus() -> Env {
    let env = Env::new();
    let paragraph = "The harbour authority said cargo volumes rose again this quarter, \
                     with container traffic and bulk shipments both above the forecasts. ";
    for n in 0..ARTICLES {
        let body = paragraph.repeat(6);
        let text = format!("Harbour report number {n}\n\n{body}\n");
        env.write(&format!("reports/{n:04}.txt"), text);
    }
    env.index(&env.corpus(), &["--no-entities"]);
    env
}

#[test]
fn every_hit_of_a_large_search_is_printed_whole_in_each_format() {
    let env = large_corpus();
    let limit = ARTICLES.to_string();
    let lines = env.run(&["search", "harbour", "--format", "jsonl", "--limit", &limit]);
    assert_eq!(lines.code, 0, "{}", lines.stderr);
    assert!(lines.stdout.len() > 1 << 17, "the output must outgrow the buffer: {} bytes", lines.stdout.len());
    let mut titles: Vec<String> = lines.titles();
    titles.sort();
    titles.dedup();
    assert_eq!(titles.len(), ARTICLES);
    assert!(titles.contains(&"Harbour report number 399".to_string()));

    let json = env.run(&["search", "harbour", "--format", "json", "--limit", &limit]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("one whole JSON document");
    assert_eq!(doc["returned"], ARTICLES);
    assert_eq!(doc["hits"].as_array().unwrap().len(), ARTICLES);

    let csv = env.run(&["search", "harbour", "--format", "csv", "--limit", &limit]);
    let rows = csv::Reader::from_reader(csv.stdout.as_bytes()).records().map(Result::unwrap).count();
    assert_eq!(rows, ARTICLES);
}

#[test]
fn a_reader_that_stops_early_ends_the_run_quietly() {
    let env = large_corpus();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("newsdex"))
        .env_remove("NEWSDEX_INDEX")
        .args(["--index", env.index_path().to_str().unwrap()])
        .args(["search", "harbour", "--format", "json", "--limit", &ARTICLES.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap();
    // The pipe is closed here, as `head` closes it, long before the output ends.
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let status = child.wait().unwrap();
    assert!(String::from_utf8_lossy(&head).starts_with('{'), "{}", String::from_utf8_lossy(&head));
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert_eq!(stderr.trim(), "", "nothing but the data, and no complaint about the pipe");
}
