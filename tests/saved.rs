//! Saved queries, alerts, batch search and the output contracts scripts rely on.

mod common;

use common::{Env, sample_corpus, sample_env, short};
use serde_json::Value;

fn example_queries() -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("newsdex-queries.toml")
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn the_shipped_example_file_runs_on_the_sample_corpus() {
    let (env, _) = sample_env();
    let all = env.run(&["--queries", &example_queries(), "run", "--all", "--facets", "--format", "json"]);
    assert_eq!(all.code, 0, "{}", all.stderr);
    let rows: Vec<Value> = serde_json::from_str(&all.stdout).unwrap();
    let matches: Vec<(&str, u64)> =
        rows.iter().map(|r| (r["query"].as_str().unwrap(), r["matches"].as_u64().unwrap())).collect();
    assert_eq!(
        matches,
        [("aleppo-weekly", 11), ("geneva-talks", 10), ("kerry-assad-ceasefire", 1), ("syria-this-week", 0)]
    );
    assert_eq!(rows[2]["top_actor"], "Adel al-Jubeir (1); Bashar al-Assad (1); John Kerry (1)");
    let one =
        env.run(&["--queries", &example_queries(), "run", "kerry-assad-ceasefire", "--format", "jsonl"]);
    let hit: Value = serde_json::from_str(one.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(hit["title"], "Kerry in Geneva to press for Aleppo truce");
    let list = env.run(&["--queries", &example_queries(), "queries", "list", "--format", "json"]);
    let listed: Vec<Value> = serde_json::from_str(&list.stdout).unwrap();
    assert_eq!(listed.len(), 4);
    assert!(listed.iter().all(|q| q["last_run"].is_string()), "every query has run: {listed:?}");
}

#[test]
fn a_saved_query_prints_exactly_what_search_prints() {
    let (env, _) = sample_env();
    let queries = env.dir.path().join("mine.toml");
    std::fs::write(&queries, "# my queries\n\n# keep this comment\n[queries.old]\nquery = \"truce\"\n")
        .unwrap();
    let q = queries.to_str().unwrap();
    let args = [
        "Aleppo", "--place", "Syria", "--from", "2016-04", "--to", "2016-12", "--sort", "newest", "--limit",
        "4",
    ];
    let mut save = vec!["--queries", q, "queries", "save", "aleppo", "--description", "Aleppo, 2016"];
    save.extend_from_slice(&args);
    let saved = env.run(&save);
    assert_eq!(saved.code, 0, "{}", saved.stderr);
    let text = std::fs::read_to_string(&queries).unwrap();
    assert!(text.starts_with("# my queries\n\n# keep this comment\n[queries.old]\n"), "{text}");
    let shown = env.run(&["--queries", q, "queries", "show", "aleppo"]);
    assert!(
        shown.stdout.contains("from = \"2016-04\"") && shown.stdout.contains("limit = 4"),
        "{}",
        shown.stdout
    );
    let mut search = vec!["search", "--format", "jsonl"];
    search.extend_from_slice(&args);
    let by_search = env.run(&search);
    let by_name = env.run(&["--queries", q, "run", "aleppo", "--format", "jsonl"]);
    assert_eq!(by_name.stdout, by_search.stdout);
    assert_eq!(by_name.stdout.lines().count(), 4);
}

#[test]
fn alerts_print_only_what_entered_the_index_since_the_last_alert() {
    let env = Env::new();
    env.write("a/one.txt", "Aleppo one\n\nFighting in Aleppo.");
    env.write("a/two.txt", "Aleppo two\n\nMore on Aleppo.");
    env.index(&env.corpus().join("a"), &[]);
    let queries = env.dir.path().join("q.toml");
    std::fs::write(&queries, "[queries.aleppo]\nplace = [\"Aleppo\"]\n").unwrap();
    let q = queries.to_str().unwrap();
    let alert = |env: &Env| {
        env.run(&["--queries", q, "run", "aleppo", "--new", "--format", "jsonl", "--fields", "title"])
    };
    let first = alert(&env);
    assert_eq!(first.stdout.lines().count(), 2, "the first alert has everything: {}", first.stderr);
    let second = alert(&env);
    assert_eq!((second.code, second.stdout.as_str()), (1, ""), "nothing new");
    env.write("b/three.txt", "Aleppo three\n\nAleppo again.");
    env.index(&env.corpus().join("b"), &[]);
    // A failed run does not advance the alert.
    let failed =
        env.run(&["--queries", q, "run", "aleppo", "--new", "--format", "jsonl", "--fields", "titel"]);
    assert_eq!(failed.code, 2);
    let third = alert(&env);
    assert_eq!(third.stdout, "{\"title\":\"Aleppo three\"}\n");
    // Re-indexing (unchanged files, new publications) adds nothing new.
    env.write("b/copy.txt", "Aleppo one\n\nFighting in Aleppo.");
    env.index(&env.corpus().join("b"), &[]);
    assert_eq!(alert(&env).code, 1);
}

#[test]
fn batch_runs_every_line_and_reports_bad_ones_by_number() {
    let (env, _) = sample_env();
    let file = env.write(
        "queries.txt",
        "# one query per line\n\"air strike\" --place Aleppo --from 2016-04\n--actor \"Sergei Lavrov\" --bogus\nceasefire --source \"Continental Wire\"\n\n--from 2016-02-30\n",
    );
    let run = env.run(&["batch", file.to_str().unwrap(), "--format", "jsonl", "--top", "2"]);
    assert_eq!(run.code, 2, "a bad line makes the exit code 2");
    assert!(run.stderr.contains("queries.txt: line 3: "), "{}", run.stderr);
    assert!(run.stderr.contains("queries.txt: line 6: invalid --from \"2016-02-30\""), "{}", run.stderr);
    let rows: Vec<Value> = run.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.iter().map(|r| r["line"].as_u64().unwrap()).collect::<Vec<_>>(), [2, 4]);
    assert_eq!(rows[0]["matches"], 2, "stemmed: \"air strikes\" matches the phrase too");
    assert_eq!(
        short(rows[0]["hits"][0]["id"].as_str().unwrap()),
        "ledger/2016/04/29/aleppo-hospital-strike.txt"
    );
    assert_eq!(rows[1]["matches"], 5);
    assert_eq!(rows[1]["hits"].as_array().unwrap().len(), 2);
    let csv = env.run(&["batch", "-", "--top", "1"]);
    assert_eq!(csv.code, 1, "stdin was empty: no line, no match");
    assert_eq!(csv.stdout, "line,query,matches,top_ids,top_titles\n");
}

#[test]
fn batch_lines_can_count_facets_and_draw_histograms() {
    let (env, _) = sample_env();
    let queries = "--by year\n--person \"John Kerry\" --from 2016 --to 2016 --histogram month\n--by nope\n";
    let file = env.write("q.txt", queries);
    let run = env.run(&["batch", file.to_str().unwrap(), "--format", "jsonl", "--timings"]);
    assert_eq!(run.code, 2, "line 3 is bad: {}", run.stderr);
    assert!(run.stderr.contains("q.txt: line 3: "), "{}", run.stderr);
    let rows: Vec<Value> = run.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let years: Vec<(String, u64)> = rows[0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["value"].as_str().unwrap().to_string(), v["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(years, [("2015".to_string(), 6), ("2016".to_string(), 26), ("2017".to_string(), 8)]);
    let months: Vec<u64> =
        rows[1]["buckets"].as_array().unwrap().iter().map(|b| b["count"].as_u64().unwrap()).collect();
    assert_eq!(months, [1, 4, 0, 0, 2, 0, 1, 1, 1]);
    assert!(rows.iter().all(|r| r["micros"].as_u64().is_some()));
    let file = env.write("one.txt", "--by year\n");
    let csv = env.run(&["batch", file.to_str().unwrap()]);
    assert_eq!(
        csv.stdout,
        "line,query,matches,top_ids,top_titles\n1,--by year,43,2015=6; 2016=26; 2017=8,\n"
    );
}

#[test]
fn output_contracts_count_fields_and_conflicts() {
    let (env, _) = sample_env();
    let count = env.run(&["search", "Aleppo", "--count"]);
    assert_eq!((count.code, count.stdout.as_str(), count.stderr.as_str()), (0, "12\n", ""));
    let none = env.run(&["search", "zanzibarquux", "--count"]);
    assert_eq!((none.code, none.stdout.as_str()), (1, "0\n"));
    let csv =
        env.run(&["search", "Badreddine", "--format", "csv", "--fields", "id,title,published,entities"]);
    let mut reader = csv::Reader::from_reader(csv.stdout.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["id", "title", "published", "entities"]
    );
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[1], "Hezbollah commander killed near Damascus airport");
    assert!(row[3].contains("Mustafa Badreddine"), "{:?}", &row[3]);
    let jsonl = env.run(&["search", "Badreddine", "--format", "jsonl", "--fields", "title,versions"]);
    let object: Value = serde_json::from_str(jsonl.stdout.trim()).unwrap();
    assert_eq!(
        object,
        serde_json::json!({"title": "Hezbollah commander killed near Damascus airport", "versions": null})
    );
    let table_fields = env.run(&["search", "x", "--fields", "id"]);
    assert_eq!(table_fields.code, 2);
    assert!(
        table_fields.stderr.contains("--fields applies to --format csv and --format jsonl"),
        "{}",
        table_fields.stderr
    );
    let both = env.run(&["search", "x", "--count", "--histogram", "month"]);
    assert_eq!(both.code, 2);
    let all_and_name = env.run(&["--queries", &example_queries(), "run", "--all", "aleppo-weekly"]);
    assert_eq!(all_and_name.code, 2);
}

#[test]
fn bad_queries_files_and_names_are_explained() {
    let env = Env::new();
    env.index(&sample_corpus(), &["--quiet", "--no-entities"]);
    let queries = env.dir.path().join("q.toml");
    std::fs::write(&queries, "[queries.a]\nquery = \"x\"\n\n[queries.b]\nsort = 5\n").unwrap();
    let q = queries.to_str().unwrap();
    let bad = env.run(&["--queries", q, "run", "a"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("q.toml: line 5, column 8: invalid type"), "{}", bad.stderr);
    std::fs::write(&queries, "[queries.a]\nquery = \"x\"\n[queries.b-2]\nquery = \"y\"\n").unwrap();
    let unknown = env.run(&["--queries", q, "run", "c"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("no saved query named \"c\"")
            && unknown.stderr.contains("known queries: a, b-2"),
        "{}",
        unknown.stderr
    );
    let invalid_value = env.run(&["--queries", q, "queries", "save", "z", "--sort", "sideways"]);
    assert_eq!(invalid_value.code, 2);
    std::fs::write(&queries, "[queries.a]\nsort = \"sideways\"\n").unwrap();
    let bad_saved = env.run(&["--queries", q, "run", "a"]);
    assert_eq!(bad_saved.code, 2);
    assert!(
        bad_saved.stderr.contains("saved query \"a\": error: invalid value 'sideways' for '--sort"),
        "{}",
        bad_saved.stderr
    );
}

#[test]
fn batch_timings_are_reported_per_line() {
    let (env, _) = sample_env();
    let file = env.write("q.txt", "Aleppo\nceasefire --source MEE\n");
    let run = env.run(&["batch", file.to_str().unwrap(), "--format", "jsonl", "--timings"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows: Vec<Value> = run.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r["micros"].as_u64().is_some_and(|m| m > 0)), "{rows:?}");
    let plain = env.run(&["batch", file.to_str().unwrap(), "--format", "jsonl"]);
    assert!(!plain.stdout.contains("micros"));
}
