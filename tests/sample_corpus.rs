//! The sample corpus end to end: what indexing it reports, and what searches return.

mod common;

use common::{Env, sample_corpus, sample_env, short};

#[test]
fn seed_article_is_found_by_text_and_source() {
    let (env, _) = sample_env();
    let run = env.search(&["Aleppo", "--source", "Middle East Eye"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.titles(), ["Kerry heads for Geneva peace talks as Aleppo deaths mount"]);
    let hit = &run.jsonl()[0];
    assert_eq!(short(hit["id"].as_str().unwrap()), "000_afe821fb16f557c1.txt");
    assert_eq!(hit["source_origin"], "signature");
    assert!(hit["published"].is_null(), "the seed article carries no date: none is invented");
    assert!(run.stderr.contains("1 matches"), "{}", run.stderr);
}

#[test]
fn source_filter_is_case_insensitive_alias_aware_and_repeatable() {
    let (env, _) = sample_env();
    for name in ["middle east eye", "MEE"] {
        let run = env.search(&["Aleppo", "--source", name]);
        assert_eq!(run.short_ids(), ["000_afe821fb16f557c1.txt"], "--source {name}");
    }
    let both = env.search(&["--source", "Desert Dispatch", "--source", "harbour gazette"]);
    assert_eq!(both.jsonl().len(), 12, "6 Desert Dispatch + 6 Harbour Gazette articles");
}

#[test]
fn month_range_returns_exactly_the_articles_of_that_month() {
    let (env, _) = sample_env();
    let run = env.search(&["--from", "2016-05", "--to", "2016-05"]);
    assert_eq!(
        run.short_ids(),
        [
            "cedar-post/2016-05-03-aleppo-truce-talks.json",
            "http://www.continentalwire.example/article/2016/05/01/kerry-geneva-aleppo-idCW20160501",
            "ledger/2016/05/04/aleppo-truce-extended.txt",
            "ledger/homs-old-city-returns.txt",
            "misc/hezbollah-commander.txt.gz",
        ]
    );
}

#[test]
fn day_range_is_inclusive_at_both_ends_and_combines_with_text() {
    let (env, _) = sample_env();
    let run = env.search(&["Aleppo", "--from", "2016-04-29", "--to", "2016-05-03"]);
    assert_eq!(
        run.short_ids(),
        [
            "cedar-post/2016-05-03-aleppo-truce-talks.json",
            "http://www.continentalwire.example/article/2016/05/01/kerry-geneva-aleppo-idCW20160501",
            "ledger/2016/04/29/aleppo-hospital-strike.txt",
        ]
    );
}

#[test]
fn kerry_and_assad_from_one_outlet_about_the_ceasefire() {
    let (env, _) = sample_env();
    let run = env.search(&["Kerry Assad ceasefire", "--source", "Continental Wire", "--from", "2016"]);
    let mut titles = run.titles();
    titles.sort();
    assert_eq!(
        titles,
        [
            "Kerry and Lavrov reach deal on Syria ceasefire after marathon talks",
            "Kerry in Geneva to press for Aleppo truce"
        ]
    );
}

#[test]
fn indexing_summary_counts_every_awkward_case() {
    let (_, run) = sample_env();
    let err = &run.stderr;
    assert!(err.contains("indexed 43 articles from 35 files"), "{err}");
    assert!(err.contains("files: 35 new, 0 changed, 0 unchanged, 0 removed"), "{err}");
    assert!(err.contains("without date: 3, without source: 1"), "{err}");
    assert!(err.contains("exact duplicates: 1 (indexed once, every publication kept)"), "{err}");
    assert!(err.contains("records rejected inside files: 2"), "{err}");
    assert!(err.contains("files decoded from a legacy encoding: 1"), "{err}");
    assert!(err.contains("files skipped: 2 (binary 1, empty 1)"), "{err}");
    for warning in [
        "archive.jsonl: line 5: invalid JSON",
        "archive.jsonl: line 7: no title and no body",
        "aid-budget-latin1.txt: not UTF-8, decoded as windows-1252",
        "copy-of-aleppo-truce.txt: exact duplicate of ",
        "empty.txt: skipped, empty file",
        "scan-0001.txt: skipped, binary file",
    ] {
        assert!(err.contains(warning), "missing warning {warning:?} in {err}");
    }
    assert!(run.stdout.is_empty(), "index prints nothing on stdout");
}

#[test]
fn awkward_files_are_readable_by_their_content() {
    let (env, _) = sample_env();
    let latin = env.search(&["cafés"]);
    assert_eq!(latin.titles(), ["Aid budget for Syrian refugees rises to £500m"]);
    let gz = env.search(&["Badreddine"]);
    assert_eq!(gz.short_ids(), ["misc/hezbollah-commander.txt.gz"]);
    assert_eq!(gz.jsonl()[0]["published"], "2016-05-13T00:00:00Z");
    assert_eq!(gz.jsonl()[0]["date_precision"], "day");
    let undated = env.search(&["Maarat"]);
    assert!(undated.jsonl()[0]["published"].is_null());
    let dup = env.search(&["\"new monitoring arrangements\""]);
    assert_eq!(
        dup.short_ids(),
        ["ledger/2016/05/04/aleppo-truce-extended.txt"],
        "the duplicate is indexed once"
    );
}

#[test]
fn every_format_yields_its_metadata() {
    let (env, _) = sample_env();
    let wire = env.search(&["title:\"Iran joins Vienna\""]).jsonl();
    assert_eq!(wire[0]["published"], "2015-10-30T15:20:00Z", "11:20am EDT");
    assert_eq!(wire[0]["authors"], serde_json::json!(["Lena Hartmann", "Omar Haddad"]));
    assert_eq!(wire[0]["source"], "Continental Wire");
    let html = env.search(&["title:Raqqa"]).jsonl();
    assert_eq!(html[0]["published"], "2017-06-06T00:00:00Z");
    assert_eq!(html[0]["source"], "Harbour Gazette");
    assert!(!html[0]["body"].as_str().unwrap().contains("Most read"), "asides are dropped");
    assert!(!html[0]["body"].as_str().unwrap().contains("Sign up"), "footers are dropped");
    let toml_md = env.search(&["implementation day"]).jsonl();
    assert_eq!(toml_md[0]["published"], "2016-01-17T08:00:00Z");
    assert_eq!(toml_md[0]["authors"], serde_json::json!(["Karim Nassar"]));
    let rss_like = env.search(&["Tiran Sanafir"]).jsonl();
    assert_eq!(rss_like[0]["published"], "2016-04-10T14:30:00Z");
    assert_eq!(
        short(rss_like[0]["id"].as_str().unwrap()),
        "https://www.cedarpost.example/2016/04/10/red-sea-islands"
    );
}

#[test]
fn stemming_phrases_booleans_and_fields() {
    let (env, _) = sample_env();
    let strikes = env.search(&["title:strikes"]).titles();
    assert!(
        strikes.contains(&"Air strike destroys Aleppo hospital, killing doctors and patients".to_string()),
        "{strikes:?}"
    );
    let phrase = env.search(&["\"cessation of hostilities\""]).jsonl().len();
    let words = env.search(&["cessation hostilities"]).jsonl().len();
    assert!(phrase >= 4 && phrase <= words, "phrase {phrase}, words {words}");
    let or = env.search(&["Badreddine OR Palmyra"]).jsonl().len();
    assert_eq!(or, 2);
    let not = env.search(&["Lavrov -Geneva"]).titles();
    assert!(!not.is_empty() && not.iter().all(|t| !t.contains("Geneva")), "{not:?}");
}

#[test]
fn sorting_by_date_puts_undated_last() {
    let (env, _) = sample_env();
    let newest = env.search(&["--sort", "newest"]).jsonl();
    assert_eq!(newest[0]["title"], "Trump recognises Jerusalem as Israel's capital, drawing condemnation");
    let oldest = env.search(&["--sort", "oldest"]).jsonl();
    assert_eq!(oldest[0]["title"], "Winter storm hits Syrian refugees in Jordan's Zaatari camp");
    assert!(oldest[42]["published"].is_null());
}

#[test]
fn exit_codes_follow_grep() {
    let (env, _) = sample_env();
    assert_eq!(env.search(&["Aleppo"]).code, 0);
    let none = env.search(&["zanzibarquux"]);
    assert_eq!((none.code, none.stdout.as_str()), (1, ""));
    let bad_query = env.search(&["\"unclosed phrase"]);
    assert_eq!(bad_query.code, 2);
    assert!(bad_query.stderr.contains("invalid query"), "{}", bad_query.stderr);
    assert!(bad_query.stderr.contains("expected:"), "{}", bad_query.stderr);
    let bad_field = env.search(&["nosuchfield:x"]);
    assert_eq!(bad_field.code, 2, "{}", bad_field.stderr);
    let bad_date = env.search(&["--from", "2016-02-30"]);
    assert_eq!(bad_date.code, 2);
    assert!(bad_date.stderr.contains("invalid --from \"2016-02-30\": no such day"), "{}", bad_date.stderr);
    let reversed = env.search(&["--from", "2017", "--to", "2016"]);
    assert_eq!(reversed.code, 2);
    assert!(reversed.stderr.contains("is after --to"), "{}", reversed.stderr);
    let empty_name = env.search(&["--actor", "John Kerry", "--person", " "]);
    assert_eq!(empty_name.code, 2, "an empty name would match every article naming anyone");
    assert!(empty_name.stderr.contains("--person needs a name"), "{}", empty_name.stderr);
}

#[test]
fn json_and_csv_outputs_parse() {
    let (env, _) = sample_env();
    let json = env.run(&["search", "Geneva", "--format", "json", "--limit", "3"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["returned"], 3);
    assert!(doc["total"].as_u64().unwrap() > 3);
    assert_eq!(doc["hits"][0]["rank"], 1);
    assert!(doc["hits"][0]["score"].as_f64().unwrap() > 0.0);
    let csv = env.run(&["search", "Geneva", "--format", "csv", "--limit", "5", "--offset", "2"]);
    let mut reader = csv::Reader::from_reader(csv.stdout.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "rank");
    assert!(headers.iter().any(|h| h == "snippet"));
    let rows: Vec<_> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 5);
    assert_eq!(&rows[0][0], "3");
}

#[test]
fn table_marks_matches_and_reports_total_on_stderr() {
    let (env, _) = sample_env();
    let run = env.run(&["search", "Badreddine"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .starts_with("2016-05-13  Levant Ledger  Hezbollah commander killed near Damascus airport\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("**Badreddine**"), "{}", run.stdout);
    assert_eq!(run.stderr.trim(), "1 matches (showing 1-1)");
}

#[test]
fn reindexing_the_same_folder_replaces_rather_than_duplicates() {
    let (env, _) = sample_env();
    let again = env.index(&sample_corpus(), &[]);
    let err = &again.stderr;
    assert!(err.contains("files: 0 new, 0 changed, 37 unchanged, 0 removed"), "{err}");
    assert!(err.contains("index: 43 articles"), "{err}");
    let all = env.run(&["search", "--format", "json", "--limit", "0"]);
    let doc: serde_json::Value = serde_json::from_str(&all.stdout).unwrap();
    assert_eq!(doc["total"], 43);
}

#[test]
fn index_folder_comes_from_the_environment_too() {
    let env = Env::new();
    let out = assert_cmd::Command::cargo_bin("newsdex")
        .unwrap()
        .env("NEWSDEX_INDEX", env.index_path())
        .args(["index", sample_corpus().to_str().unwrap(), "--quiet"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(env.search(&["Badreddine"]).code == 0);
}

#[test]
fn furniture_is_kept_out_of_search_but_stays_on_the_record() {
    let (env, _) = sample_env();
    let newsletter = env.search(&["newsletter"]);
    assert_eq!(newsletter.code, 1, "the seed's newsletter promotion is furniture: {}", newsletter.stdout);
    let seed = env.search(&["Gatilov", "--source", "MEE"]).jsonl();
    assert_eq!(seed.len(), 1, "its news text stays searchable");
    let furniture: Vec<&str> =
        seed[0]["furniture"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert_eq!(furniture.len(), 3);
    assert_eq!(furniture[0], "New MEE newsletter: Jerusalem Dispatch");
    // The wire's recurring footer is learned from the corpus and its editor is no entity.
    assert_eq!(env.search(&["\"independent news agency\""]).code, 1);
    let wire = env.search(&["--source", "Continental Wire"]).jsonl();
    assert_eq!(
        wire[0]["furniture"][0],
        "Continental Wire is an independent news agency. (Editing by Mark Ellison)"
    );
    assert_eq!(env.search(&["--person", "Mark Ellison"]).code, 1);
}
