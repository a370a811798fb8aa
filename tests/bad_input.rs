//! Corpora written by each test into a temp folder: every kind of bad input is reported with
//! its file and reason, and the rest of the run goes on.

mod common;

use common::{Env, short};

#[test]
fn each_bad_file_is_named_skipped_and_counted() {
    let env = Env::new();
    env.write("good.txt", "Good headline\n\nGood body about Aleppo.");
    env.write("empty.txt", "");
    env.write("blank.txt", "  \n\n  ");
    env.write("binary.txt", [0u8, 159, 146, 150, 0, 1, 2, 3]);
    env.write("report.pdf", "%PDF-1.4 not an article");
    env.write("huge.txt", "Huge\n\n".to_string() + &"word ".repeat(300_000));
    env.write("broken.json", "{\"title\": \"x\", ");
    env.write("broken.gz", [0x1f, 0x8b, 8, 0, 1, 2, 3]);
    env.write("front.md", "---\ntitle: [unclosed\n---\nbody");
    env.write("nothing.json", "{\"id\": 7, \"tags\": []}");
    let run = env.index(&env.corpus(), &["--max-file-mb", "1"]);
    let err = &run.stderr;
    for (file, reason) in [
        ("empty.txt", "skipped, empty file"),
        ("blank.txt", "skipped, empty file"),
        ("binary.txt", "skipped, binary file"),
        ("report.pdf", "skipped, unsupported format (.pdf)"),
        ("huge.txt", "skipped, larger than --max-file-mb 1"),
        ("broken.json", "skipped, malformed: invalid JSON"),
        ("broken.gz", "skipped, malformed: broken gzip data"),
        ("front.md", "skipped, malformed: invalid YAML front matter"),
        ("nothing.json", "document: no title and no body"),
    ] {
        assert!(err.contains(&format!("{file}: {reason}")), "no {file}: {reason} in\n{err}");
    }
    assert!(err.contains("indexed 1 articles from 2 files"), "{err}");
    assert!(
        err.contains("files skipped: 8 (binary 1, empty 2, malformed 3, too large 1, unsupported format 1)"),
        "{err}"
    );
    assert_eq!(env.search(&["Aleppo"]).titles(), ["Good headline"]);
}

/// A file with no end (a device, a pipe) is read only up to the size limit: `newsdex
/// entities` on `/dev/zero` used to read until memory ran out.
#[test]
fn a_file_without_end_is_refused_at_the_size_limit() {
    if !std::path::Path::new("/dev/zero").exists() {
        eprintln!("skipped: no /dev/zero on this system");
        return;
    }
    // Bounded, so that reading without end fails the test instead of hanging it.
    let output = assert_cmd::Command::cargo_bin("newsdex")
        .unwrap()
        .args(["entities", "/dev/zero"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("/dev/zero: larger than --max-file-mb 50"), "{stderr}");
}

#[test]
fn json_lines_keep_good_lines_around_a_broken_one() {
    let env = Env::new();
    env.write(
        "feed.jsonl",
        "{\"title\":\"First\",\"text\":\"alpha\"}\n{\"title\":\"Second\",\n[1,2]\n{\"title\":\"Fourth\",\"text\":\"alpha\"}\n",
    );
    let run = env.index(&env.corpus(), &[]);
    assert!(run.stderr.contains("feed.jsonl: line 2: invalid JSON"), "{}", run.stderr);
    assert!(run.stderr.contains("feed.jsonl: line 3: not a JSON object"), "{}", run.stderr);
    let hits = env.search(&["alpha", "--sort", "oldest"]);
    assert_eq!(hits.short_ids(), ["feed.jsonl#L1", "feed.jsonl#L4"]);
}

#[test]
fn other_field_names_are_mapped_from_the_command_line_or_a_config_file() {
    let env = Env::new();
    env.write(
        "export.jsonl",
        "{\"headline_text\":\"Mapped headline\",\"article_text\":\"Talks in Geneva\",\"meta\":{\"pub_ts\":1462060800},\"outlet_name\":\"levantledger.example\"}\n",
    );
    let unmapped = env.run(&["index", env.corpus().to_str().unwrap()]);
    assert!(unmapped.stderr.contains("line 1: no title and no body (see --map"), "{}", unmapped.stderr);
    env.index(
        &env.corpus(),
        &[
            "--rebuild",
            "--map",
            "title=headline_text",
            "--map",
            "body=article_text",
            "--map",
            "date=meta.pub_ts",
            "--map",
            "source=outlet_name",
        ],
    );
    let hit = &env.search(&["Geneva"]).jsonl()[0];
    assert_eq!(
        (hit["title"].as_str(), hit["published"].as_str()),
        (Some("Mapped headline"), Some("2016-05-01T00:00:00Z"))
    );
    assert_eq!(hit["source"], "Levant Ledger");

    let config = env.dir.path().join("newsdex.toml");
    std::fs::write(&config, "[map]\ntitle = \"headline_text\"\nbody = \"article_text\"\n").unwrap();
    env.index(&env.corpus(), &["--rebuild", "--config", config.to_str().unwrap()]);
    assert_eq!(env.search(&["Geneva"]).titles(), ["Mapped headline"]);

    let bad = env.run(&["index", env.corpus().to_str().unwrap(), "--map", "bodyy=x"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("unknown article field \"bodyy\""), "{}", bad.stderr);
}

#[test]
fn folder_sources_fill_only_what_the_articles_do_not_say() {
    let env = Env::new();
    env.write("daily-star/a.txt", "Alpha story\n\nText.");
    env.write("daily-star/sub/b.txt", "Beta story\n\nText.");
    env.write("c.txt", "Gamma story\n\nBEIRUT (AP) - Text.");
    env.index(&env.corpus(), &["--source-from-folder"]);
    let hits = env.search(&["story", "--sort", "oldest"]).jsonl();
    let mut pairs: Vec<(String, String)> = hits
        .iter()
        .map(|h| (h["title"].as_str().unwrap().into(), h["source"].as_str().unwrap_or("-").into()))
        .collect();
    pairs.sort();
    assert_eq!(
        pairs,
        [
            ("Alpha story".into(), "daily-star".into()),
            ("Beta story".into(), "daily-star".into()),
            ("Gamma story".into(), "Associated Press".into()),
        ]
    );
    env.index(&env.corpus(), &["--rebuild", "--source", "Daily Star"]);
    assert_eq!(env.search(&["Alpha", "--source", "daily star"]).titles(), ["Alpha story"]);
    let conflict =
        env.run(&["index", env.corpus().to_str().unwrap(), "--source", "X", "--source-from-folder"]);
    assert_eq!(conflict.code, 2);
}

#[test]
fn sourceless_and_undated_articles_stay_empty_and_are_counted() {
    let env = Env::new();
    env.write("x/notes.txt", "Unknown origin\n\nNo date, no outlet, nothing to go on.");
    let run = env.index(&env.corpus(), &[]);
    assert!(run.stderr.contains("without date: 1, without source: 1"), "{}", run.stderr);
    let hit = &env.search(&["origin"]).jsonl()[0];
    assert!(hit["published"].is_null() && hit["source"].is_null());
}

#[test]
fn hidden_files_are_skipped_and_symlinks_followed_only_on_request() {
    let env = Env::new();
    env.write("visible.txt", "Visible\n\nshared word");
    env.write(".hidden.txt", "Hidden\n\nshared word");
    env.write(".git/config.txt", "Git\n\nshared word");
    let outside = env.dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("linked.txt"), "Linked\n\nshared word").unwrap();
    std::os::unix::fs::symlink(&outside, env.corpus().join("link")).unwrap();
    env.index(&env.corpus(), &[]);
    assert_eq!(env.search(&["shared"]).titles(), ["Visible"]);
    env.index(&env.corpus(), &["--rebuild", "--follow"]);
    let mut titles = env.search(&["shared"]).titles();
    titles.sort();
    assert_eq!(titles, ["Linked", "Visible"]);
}

#[test]
fn dates_come_from_metadata_then_path_then_text_and_impossible_ones_are_not_dates() {
    let env = Env::new();
    env.write("2016/04/30/path.txt", "Path dated\n\nbody");
    env.write("story-20150102.txt", "Compact path dated\n\nbody");
    env.write("text.txt", "Text dated\n\nSaturday 30 April 2016\n\nbody");
    env.write(
        "meta.json",
        "{\"title\":\"Meta dated\",\"text\":\"body\",\"date\":\"2014-03-01T10:00:00-05:00\"}",
    );
    env.write("bad.json", "{\"title\":\"Impossible date\",\"text\":\"body\",\"date\":\"2016-02-30\"}");
    env.write(
        "wire",
        "-- Wire dated\n-- By  A Writer\n-- Mon Jun 18, 2007 12:38pm EDT\n\n LONDON (Reuters) - body\n",
    );
    let run = env.index(&env.corpus(), &[]);
    assert!(
        run.stderr.contains("bad.json: date \"2016-02-30\" in the metadata is not a date"),
        "{}",
        run.stderr
    );
    let hits = env.search(&["body"]).jsonl();
    let date_of = |title: &str| {
        let hit = hits.iter().find(|h| h["title"] == title).unwrap();
        (
            hit["published"].as_str().unwrap_or("-").to_string(),
            hit["date_origin"].as_str().unwrap_or("-").to_string(),
        )
    };
    assert_eq!(date_of("Path dated"), ("2016-04-30T00:00:00Z".into(), "file_path".into()));
    assert_eq!(date_of("Compact path dated"), ("2015-01-02T00:00:00Z".into(), "file_path".into()));
    assert_eq!(date_of("Text dated"), ("2016-04-30T00:00:00Z".into(), "text".into()));
    assert_eq!(date_of("Meta dated"), ("2014-03-01T15:00:00Z".into(), "metadata".into()));
    assert_eq!(date_of("Impossible date"), ("-".into(), "-".into()));
    assert_eq!(date_of("Wire dated"), ("2007-06-18T16:38:00Z".into(), "metadata".into()));
    let wire = hits.iter().find(|h| h["title"] == "Wire dated").unwrap();
    assert_eq!((wire["source"].as_str(), wire["authors"][0].as_str()), (Some("Reuters"), Some("A Writer")));
}

#[test]
fn missing_folders_and_indexes_are_errors_with_a_message() {
    let env = Env::new();
    let missing = env.run(&["index", "/no/such/folder"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("/no/such/folder: no such file or folder"), "{}", missing.stderr);
    let no_index = env.run(&["search", "x"]);
    assert_eq!(no_index.code, 2);
    assert!(no_index.stderr.contains("no newsdex index at"), "{}", no_index.stderr);
}

#[test]
fn an_index_of_another_schema_version_is_refused_with_a_way_out() {
    let env = Env::new();
    env.write("a.txt", "Title\n\nbody");
    env.index(&env.corpus(), &[]);
    let meta = env.index_path().join("newsdex-meta.json");
    std::fs::write(&meta, "{\"schema_version\": 0, \"created_by\": \"newsdex 0.0.1\"}").unwrap();
    let run = env.run(&["search", "body"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("built with schema version 0"), "{}", run.stderr);
    assert!(run.stderr.contains("--rebuild"), "{}", run.stderr);
    env.index(&env.corpus(), &["--rebuild"]);
    assert_eq!(env.search(&["body"]).code, 0);
}

#[test]
fn rebuild_never_deletes_a_folder_that_is_not_a_newsdex_index() {
    let env = Env::new();
    env.write("a.txt", "Title\n\nbody");
    std::fs::create_dir_all(env.index_path()).unwrap();
    std::fs::write(env.index_path().join("thesis.docx"), "precious").unwrap();
    let run = env.run(&["index", env.corpus().to_str().unwrap(), "--rebuild"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not empty and holds no newsdex index"), "{}", run.stderr);
    assert!(env.index_path().join("thesis.docx").exists());
}

#[test]
fn same_url_in_two_files_with_different_text_keeps_both() {
    let env = Env::new();
    env.write("a.json", "{\"title\":\"Version one\",\"text\":\"shared\",\"url\":\"https://x.example/a\"}");
    env.write("b.json", "{\"title\":\"Version two\",\"text\":\"shared\",\"url\":\"https://x.example/a\"}");
    let run = env.index(&env.corpus(), &[]);
    assert!(run.stderr.contains("id already used by a different article"), "{}", run.stderr);
    let ids = env.search(&["shared"]).short_ids();
    assert_eq!(ids.len(), 2);
    assert!(ids.iter().all(|id| short(id).starts_with("https://x.example/a")));
}

#[test]
fn excluded_files_and_folders_are_left_out_and_pruned() {
    let env = Env::new();
    env.write("README.TXT", "About this corpus\n\nshared word");
    env.write("news/a.txt", "Story A\n\nshared word");
    env.write("drafts/b.txt", "Draft B\n\nshared word");
    env.index(&env.corpus(), &[]);
    assert_eq!(env.search(&["shared"]).jsonl().len(), 3);
    let run = env.index(&env.corpus(), &["--exclude", "README*", "--exclude", "drafts/**", "--prune"]);
    assert!(run.stderr.contains("2 removed"), "{}", run.stderr);
    assert_eq!(env.search(&["shared"]).titles(), ["Story A"]);
    let bad = env.run(&["index", env.corpus().to_str().unwrap(), "--exclude", "a["]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("--exclude \"a[\""), "{}", bad.stderr);
}
