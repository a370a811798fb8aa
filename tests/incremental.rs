//! Re-indexing: only new and changed files are read, changed and removed files take their
//! articles with them, duplicates are one article with every publication, the result does not
//! depend on the order files came in, and `stats` reports the index.

mod common;

use common::{Env, Run, content};

fn files_line(run: &Run) -> String {
    run.stderr.lines().find(|l| l.trim_start().starts_with("files:")).unwrap_or("").trim().to_string()
}

#[test]
fn a_second_run_reads_only_new_and_changed_files() {
    let env = Env::new();
    env.write("a.txt", "Alpha headline\n\nFirst version about Aleppo.");
    env.write("b.txt", "Beta headline\n\nUnchanging text.");
    let first = env.index(&env.corpus(), &[]);
    assert_eq!(files_line(&first), "files: 2 new, 0 changed, 0 unchanged, 0 removed");
    std::thread::sleep(std::time::Duration::from_millis(20));
    env.write("a.txt", "Alpha headline\n\nSecond version about Geneva.");
    env.write("c.txt", "Gamma headline\n\nA new file.");
    let second = env.index(&env.corpus(), &[]);
    assert_eq!(files_line(&second), "files: 1 new, 1 changed, 1 unchanged, 0 removed");
    assert_eq!(env.search(&["Aleppo"]).code, 1, "the old version is gone");
    assert_eq!(env.search(&["Geneva"]).titles(), ["Alpha headline"]);
    assert_eq!(content(&env).len(), 3);
    let third = env.index(&env.corpus(), &[]);
    assert_eq!(files_line(&third), "files: 0 new, 0 changed, 3 unchanged, 0 removed");
}

#[test]
fn a_touched_file_with_the_same_bytes_is_unchanged() {
    let env = Env::new();
    let path = env.write("a.txt", "Alpha\n\nText.");
    env.index(&env.corpus(), &[]);
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options().write(true).open(&path).unwrap().set_modified(later).unwrap();
    let run = env.index(&env.corpus(), &[]);
    assert_eq!(files_line(&run), "files: 0 new, 0 changed, 1 unchanged, 0 removed");
}

#[test]
fn removed_files_keep_their_articles_until_prune() {
    let env = Env::new();
    env.write("keep.txt", "Keep\n\nshared word");
    let gone = env.write("gone.txt", "Gone\n\nshared word");
    env.index(&env.corpus(), &[]);
    std::fs::remove_file(gone).unwrap();
    let run = env.index(&env.corpus(), &[]);
    assert!(
        run.stderr.contains("gone.txt: no longer exists; its articles stay until a run with --prune"),
        "{}",
        run.stderr
    );
    assert!(files_line(&run).ends_with("1 gone (their articles stay until --prune)"), "{}", files_line(&run));
    assert_eq!(env.search(&["shared"]).jsonl().len(), 2);
    let pruned = env.index(&env.corpus(), &["--prune"]);
    assert_eq!(files_line(&pruned), "files: 0 new, 0 changed, 1 unchanged, 1 removed");
    assert_eq!(env.search(&["shared"]).titles(), ["Keep"]);
}

#[test]
fn duplicates_are_one_article_with_every_publication_whatever_the_order() {
    let text = "Same story\n\nThe same wire story, saved twice.";
    let one_run = Env::new();
    one_run.write("x/b.txt", text);
    one_run.write("y/a.txt", text);
    one_run.index(&one_run.corpus(), &[]);
    let expected = vec![("x/b.txt".to_string(), vec!["x/b.txt".to_string(), "y/a.txt".to_string()])];
    assert_eq!(content(&one_run), expected);

    // The same files fed in the other order, over two runs, give the same article.
    let two_runs = Env::new();
    two_runs.write("y/a.txt", text);
    two_runs.index(&two_runs.corpus().join("y"), &[]);
    two_runs.write("x/b.txt", text);
    two_runs.index(&two_runs.corpus().join("x"), &[]);
    assert_eq!(content(&two_runs), expected);

    // Removing the shown publication shows the other; removing both removes the article.
    std::fs::remove_file(one_run.corpus().join("x/b.txt")).unwrap();
    one_run.index(&one_run.corpus(), &["--prune"]);
    assert_eq!(content(&one_run), vec![("y/a.txt".to_string(), vec!["y/a.txt".to_string()])]);
    one_run.write("y/a.txt", "Different\n\nNow another text.");
    one_run.index(&one_run.corpus(), &[]);
    assert_eq!(one_run.search(&["wire"]).code, 1);
    assert_eq!(one_run.search(&["another"]).titles(), ["Different"]);
}

/// Copies whose texts differ only in line breaks are one article (the content hash ignores
/// spacing); it shows the text of the copy it names, whichever came first.
#[test]
fn a_duplicate_shows_the_text_of_its_shown_copy_whatever_the_order() {
    let shown = "Same story\n\nThe same wire story, saved twice by Kerry Lane.";
    let wrapped = "Same story\n\nThe same wire\nstory, saved twice by Kerry\nLane.";
    let body = |env: &Env| -> Vec<String> {
        let run = env.search(&["wire", "--fields", "path,body"]);
        run.jsonl().iter().map(|hit| format!("{} {}", hit["path"], hit["body"])).collect()
    };
    let env = Env::new();
    env.write("y/a.txt", wrapped);
    env.index(&env.corpus().join("y"), &[]);
    env.write("x/b.txt", shown);
    env.index(&env.corpus().join("x"), &[]);
    let path = env.corpus().join("x/b.txt").display().to_string();
    let expected = format!("{:?} \"The same wire story, saved twice by Kerry Lane.\"", path);
    assert_eq!(body(&env), [expected]);
    assert_eq!(content(&env)[0].1.len(), 2, "{:?}", content(&env));
}

#[test]
fn several_folders_feed_one_index_and_stats_reports_it() {
    let env = Env::new();
    env.write("a/one.json", r#"{"title":"One","text":"x","date":"2015-03-01","source":"Cedar Post"}"#);
    env.write("b/two.json", r#"{"title":"Two","text":"x","date":"2016-07-09"}"#);
    env.write("b/three.txt", "Three\n\nx");
    let a = env.corpus().join("a");
    let b = env.corpus().join("b");
    env.index(&a, &[]);
    env.index(&b, &[]);
    let json = env.run(&["stats", "--format", "json"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let stats: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(stats["articles"], 3);
    assert_eq!(stats["files"], 3);
    assert_eq!(stats["sources"], 1);
    assert_eq!(
        (stats["first_day"].as_str(), stats["last_day"].as_str()),
        (Some("2015-03-01"), Some("2016-07-09"))
    );
    assert_eq!((stats["undated"].as_u64(), stats["sourceless"].as_u64()), (Some(1), Some(2)));
    assert!(stats["bytes_on_disk"].as_u64().unwrap() > 0);
    assert_eq!(stats["last_run"]["summary"]["new"], 2);
    let table = env.run(&["stats"]);
    assert!(table.stdout.contains("articles:       3\n"), "{}", table.stdout);
    assert!(table.stdout.contains("dates:          2015-03-01 to 2016-07-09\n"), "{}", table.stdout);
    // Pruning one folder's run never touches the other folder's articles.
    env.index(&a, &["--prune"]);
    assert_eq!(content(&env).len(), 3);
}

#[test]
fn overlapping_roots_walk_each_file_once() {
    let env = Env::new();
    env.write("top.txt", "Top headline\n\nText about Aleppo.");
    env.write("sub/inner.txt", "Inner headline\n\nText about Geneva.");
    let corpus = env.corpus();
    let sub = corpus.join("sub");
    let run = env.index(&corpus, &[sub.to_str().unwrap(), corpus.to_str().unwrap(), "--commit-every", "1"]);
    assert_eq!(files_line(&run), "files: 2 new, 0 changed, 0 unchanged, 0 removed");
    assert!(!run.stderr.contains("exact duplicate"), "{}", run.stderr);
    assert_eq!(content(&env).len(), 2);
    let again = env.index(&sub, &[corpus.to_str().unwrap()]);
    assert_eq!(files_line(&again), "files: 0 new, 0 changed, 2 unchanged, 0 removed");
}

#[test]
fn articles_written_over_many_commits_survive_the_merges_and_a_second_run() {
    let env = Env::new();
    for i in 0..40 {
        env.write(
            &format!("a{i:02}.txt"),
            format!("Report w{i}\n\nThe council met about item w{i} in town {i}."),
        );
    }
    env.index(&env.corpus(), &["--commit-every", "1"]);
    // Tantivy merged the many one-file segments (the writer reads them with positioned reads).
    let stores = std::fs::read_dir(env.index_path()).unwrap().flatten();
    let stores = stores.filter(|e| e.path().extension().is_some_and(|x| x == "store")).count();
    assert!(stores < 20, "{stores} segments after 40 commits: no merge ran");
    for i in [0, 7, 19, 39] {
        assert_eq!(env.search(&[&format!("w{i}")]).titles(), [format!("Report w{i}")]);
    }
    assert_eq!(env.search(&["council"]).jsonl().len(), 40);
    env.write("a05.txt", "Report changed\n\nThe council met about something else.");
    let second = env.index(&env.corpus(), &["--commit-every", "1"]);
    assert_eq!(files_line(&second), "files: 0 new, 1 changed, 39 unchanged, 0 removed");
    assert_eq!(env.search(&["w5"]).code, 1, "the old version is gone");
    assert_eq!(env.search(&["council"]).jsonl().len(), 40);
}

#[test]
fn files_parsed_while_another_thread_commits_are_indexed_and_counted_once() {
    // Committing after every file on two threads, one thread's files wait while the other
    // commits, then go in: none may be lost, indexed twice or counted twice.
    let run_over = |extra: &[&str]| {
        let env = Env::new();
        for i in 0..300 {
            let text = match i % 10 {
                0 => "Harbour report\n\nThe same wire copy about the harbour, filed again.".to_string(),
                _ => format!("Report number {i}\n\nThe council of town {i} met about item t{i}."),
            };
            env.write(&format!("d{}/f{i:03}.txt", i % 7), text);
        }
        let run = env.index(&env.corpus(), &[&["--threads", "2"], extra].concat());
        // The summary, without the warnings, the time, the folder and the number of commits.
        let summary: Vec<String> = run
            .stderr
            .lines()
            .filter(|l| !l.starts_with("warning:") && !l.starts_with("index:") && !l.contains(" commit"))
            .map(|l| l.split(" in ").next().unwrap_or(l).to_string())
            .collect();
        let duplicate_warnings = run.stderr.lines().filter(|l| l.contains("exact duplicate of")).count();
        let council = env.run(&["search", "council", "--format", "jsonl", "--limit", "1000"]).jsonl().len();
        (summary, duplicate_warnings, council, content(&env))
    };
    let (summary, warnings, council, articles) = run_over(&["--commit-every", "1"]);
    assert_eq!(summary[0], "indexed 271 articles from 300 files (18 KB)", "{summary:?}");
    assert!(summary.contains(&"  without date: 271, without source: 271".to_string()), "{summary:?}");
    assert!(summary.contains(&"  exact duplicates: 29 (indexed once, every publication kept)".to_string()));
    assert_eq!((warnings, council, articles.len()), (29, 270, 271));
    assert_eq!(articles.iter().map(|(_, paths)| paths.len()).max(), Some(30), "the copies are one article");
    let once = run_over(&[]);
    assert!(once.0 == summary && once.3 == articles, "one commit gives the same index and counts");
}

#[test]
fn a_text_met_again_after_a_thousand_others_is_still_one_article() {
    // A new text's document waits for the next 1,024 before it goes to the index writer, so
    // that a copy met meanwhile costs no delete. Here the copy comes after 1,100 others: the
    // first document was written already and must give way to the one with both publications.
    let env = Env::new();
    let harbour = "Harbour report\n\nThe same wire copy about the harbour, filed again.";
    env.write("a/first.txt", harbour);
    for i in 0..1_100 {
        env.write(
            &format!("b/f{i:04}.txt"),
            format!("Report {i}\n\nThe council of town {i} met about t{i}."),
        );
    }
    env.write("c/again.txt", harbour);
    let run = env.index(&env.corpus(), &["--threads", "1"]);
    assert!(run.stderr.contains("exact duplicates: 1 "), "{}", run.stderr);
    let articles = content(&env);
    assert_eq!(articles.len(), 1_101);
    let copies: Vec<_> = articles.iter().filter(|(_, paths)| paths.len() > 1).collect();
    assert_eq!(
        copies,
        [&("a/first.txt".to_string(), vec!["a/first.txt".to_string(), "c/again.txt".to_string()])]
    );
    assert_eq!(env.search(&["harbour"]).jsonl().len(), 1);
}
