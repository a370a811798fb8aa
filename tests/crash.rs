//! Crash safety and concurrency: an indexer killed with SIGKILL at random moments leaves an
//! index that opens and searches, and the next run completes it to exactly what a clean build
//! of the same corpus gives, article id for article id; a second indexer on the same index
//! fails at once, naming the lock, while searches go on.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{Env, content};

/// Writes a corpus of `files` small articles: plain text, JSON Lines with several records, and
/// every tenth file an exact copy of another.
fn write_corpus(env: &Env, files: usize) {
    for i in 0..files {
        let folder = format!("f{:02}", i % 25);
        if i % 10 == 9 {
            let original = i - 9;
            let text = article(original);
            env.write(&format!("{folder}/copy-{i:05}.txt"), text);
        } else if i % 10 == 4 {
            let lines: String = (0..5)
                .map(|k| format!("{{\"title\":\"Feed {i} item {k}\",\"text\":\"Record {k} of feed {i} about Geneva talks.\",\"date\":\"2016-05-{:02}\"}}\n", k + 1))
                .collect();
            env.write(&format!("{folder}/feed-{i:05}.jsonl"), lines);
        } else {
            env.write(&format!("{folder}/story-{i:05}.txt"), article(i));
        }
    }
}

fn article(i: usize) -> String {
    format!(
        "Story number {i}\n\nMay 1, 2016\n\nJohn Kerry met Sergei Lavrov in Geneva about story {i}. Officials said talks on Aleppo would continue.\n"
    )
}

fn spawn_index(env: &Env, extra: &[&str]) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("newsdex"))
        .env_remove("NEWSDEX_INDEX")
        .arg("--index")
        .arg(env.index_path())
        .arg("index")
        .arg(env.corpus())
        .args(["--quiet", "--commit-every", "37"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn killing_the_indexer_at_random_moments_loses_and_duplicates_nothing() {
    let crashed = Env::new();
    write_corpus(&crashed, 600);
    let clean = Env::new();
    let clean_run = clean.run(&["index", crashed.corpus().to_str().unwrap(), "--quiet"]);
    assert_eq!(clean_run.code, 0, "{}", clean_run.stderr);
    let expected = content(&clean);
    assert_eq!(expected.len(), 480 + 60 * 5, "480 stories and 60 feeds of 5; the 60 copies are publications");

    let started = Instant::now();
    let clean_time = {
        let probe = Env::new();
        let t = Instant::now();
        let run = probe.run(&["index", crashed.corpus().to_str().unwrap(), "--quiet"]);
        assert_eq!(run.code, 0);
        t.elapsed()
    };
    let mut seed = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    let mut killed = 0;
    for trial in 0..6 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = Duration::from_millis(10 + seed % (clean_time.as_millis() as u64).max(50));
        let mut child = spawn_index(&crashed, &[]);
        std::thread::sleep(delay);
        let finished = child.try_wait().unwrap().is_some();
        child.kill().ok();
        child.wait().unwrap();
        killed += usize::from(!finished);
        let partial =
            if crashed.index_path().join("meta.json").exists() { content(&crashed) } else { Vec::new() };
        eprintln!(
            "trial {trial}: SIGKILL after {delay:?} ({}), {} articles committed",
            if finished { "had finished" } else { "mid-run" },
            partial.len()
        );
        let unexpected: Vec<_> = partial.iter().filter(|a| !expected.contains(a)).collect();
        // An article may lack publications that are not committed yet; none may be doubled.
        let mut ids: Vec<_> = partial.iter().map(|(id, _)| id).collect();
        ids.dedup();
        assert_eq!(ids.len(), partial.len(), "an article twice: {unexpected:?}");
        assert!(partial.len() <= expected.len(), "{unexpected:?}");
    }
    let last = crashed.run(&["index", crashed.corpus().to_str().unwrap(), "--quiet", "--commit-every", "37"]);
    assert_eq!(last.code, 0, "{}", last.stderr);
    let resumed = content(&crashed);
    let missing: Vec<_> = expected.iter().filter(|a| !resumed.contains(a)).collect();
    let unexpected: Vec<_> = resumed.iter().filter(|a| !expected.contains(a)).collect();
    assert!(missing.is_empty() && unexpected.is_empty(), "missing {missing:?}, unexpected {unexpected:?}");
    eprintln!("{killed} of 6 kills hit a running indexer; {:?} in all", started.elapsed());
    assert!(killed >= 1, "no kill landed during a run");
}

/// A run killed after tantivy wrote a segment's deletions for its next commit, but before the
/// commit, leaves that file behind; the next run replays the same operations up to the same
/// commit number and would write a file of the same name. It must clear the leftovers first.
#[test]
fn a_run_killed_after_writing_deletions_leaves_nothing_that_blocks_the_next() {
    let env = Env::new();
    for i in 0..20 {
        env.write(&format!("story-{i:02}.txt"), article(i));
    }
    env.index(&env.corpus(), &["--quiet"]);
    let before = env.dir.path().join("before");
    copy_folder(&env.index_path(), &before);
    let changed = env.corpus().join("story-03.txt");
    std::fs::write(&changed, article(103)).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&changed)
        .unwrap()
        .set_modified(SystemTime::now() + Duration::from_secs(60))
        .unwrap();
    env.index(&env.corpus(), &["--quiet"]);
    let expected = content(&env);
    // What the killed run left: the committed index of before, with the deletions file (and
    // tantivy's list of the files it manages) that the completed run wrote.
    let deletions: Vec<_> = walk(&env.index_path())
        .into_iter()
        .filter(|p| {
            p.extension().is_some_and(|e| e == "del") && !before.join(p.file_name().unwrap()).exists()
        })
        .collect();
    assert!(!deletions.is_empty(), "replacing a file's article writes deletions");
    for file in deletions.iter().chain([&env.index_path().join(".managed.json")]) {
        std::fs::copy(file, before.join(file.file_name().unwrap())).unwrap();
    }
    std::fs::remove_dir_all(env.index_path()).unwrap();
    std::fs::rename(&before, env.index_path()).unwrap();
    let resumed = env.run(&["index", env.corpus().to_str().unwrap(), "--quiet"]);
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    assert_eq!(content(&env), expected);
    assert!(content(&env).iter().any(|(id, _)| id.ends_with("story-03.txt")));
}

fn copy_folder(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
}

#[test]
fn a_second_indexer_fails_at_once_naming_the_lock_while_searches_work() {
    let env = Env::new();
    write_corpus(&env, 400);
    env.index(&env.corpus(), &["--quiet"]);
    // Make every file look changed so the next run has work to do.
    let later = SystemTime::now() + Duration::from_secs(60);
    for entry in walk(&env.corpus()) {
        std::fs::File::options().append(true).open(&entry).unwrap().write_all(b" ").unwrap();
        std::fs::File::options().write(true).open(&entry).unwrap().set_modified(later).unwrap();
    }
    let meta = env.index_path().join("meta.json");
    let committed_before = modified(&meta);
    let mut first = spawn_index(&env, &[]);
    // Start the second once the first has committed, so surely holds the lock (on a loaded
    // machine that can take a while; the lock file itself stays after a run), or has ended.
    wait_for(&mut first, || modified(&meta) != committed_before);
    let second = env.run(&["index", env.corpus().to_str().unwrap()]);
    let search = env.run(&["search", "Geneva", "--limit", "1"]);
    let still_running = first.try_wait().unwrap().is_none();
    let output = first.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    if still_running {
        assert_eq!(second.code, 2, "{}", second.stderr);
        assert!(
            second.stderr.contains("is locked by another `newsdex index` run (lock file"),
            "{}",
            second.stderr
        );
        assert!(second.stderr.contains(".tantivy-writer.lock"), "{}", second.stderr);
        assert_eq!(search.code, 0, "searching during a run sees the last commit: {}", search.stderr);
    } else {
        eprintln!("the first indexer finished before the second started; lock not exercised");
    }
}

use std::io::Write;

/// Waits until `ready` holds or `child` has ended (at most 20 s): a loaded machine can take its
/// time to start a run.
fn wait_for(child: &mut Child, ready: impl Fn() -> bool) {
    let waited = Instant::now();
    while !ready() && child.try_wait().unwrap().is_none() && waited.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn modified(path: &std::path::Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { out.extend(walk(&path)) } else { out.push(path) }
    }
    out
}

#[test]
fn ctrl_c_commits_what_is_done_prints_the_summary_and_exits_non_zero() {
    let env = Env::new();
    write_corpus(&env, 600);
    let mut child = spawn_index(&env, &[]);
    // Once the run has created the index (which a loaded machine can delay), let it work a while.
    let meta = env.index_path().join("meta.json");
    wait_for(&mut child, || meta.exists());
    std::thread::sleep(Duration::from_millis(300));
    let pid = child.id().to_string();
    let sent = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(sent.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.code() == Some(0) {
        eprintln!("the run finished before the signal; interruption not exercised");
        return;
    }
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted after indexing"), "{stderr}");
    assert!(stderr.contains("index: "), "{stderr}");
    let committed = content(&env).len();
    let resumed = env.run(&["index", env.corpus().to_str().unwrap(), "--quiet"]);
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    assert!(content(&env).len() >= committed);
    assert_eq!(content(&env).len(), 480 + 60 * 5);
}
