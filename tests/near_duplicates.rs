//! Near duplicates: the same wire story lightly edited by several outlets is one story;
//! `--collapse` counts and shows it once, as its earliest version with the number of versions.

mod common;

use common::Env;

const STORY: &str = "John Kerry and Sergei Lavrov announced a plan late on Friday for a nationwide ceasefire in \
Syria starting on Monday, followed by joint US and Russian strikes on militant groups. The deal, reached after \
more than 13 hours of talks in Geneva, requires the Syrian government to stop bombing areas held by the mainstream \
opposition and to allow aid into Aleppo. Lavrov said the Assad government had been informed and was ready to \
fulfil the agreement. This is the last chance, Kerry said.";

fn write_versions(env: &Env) {
    let edited = STORY.replace("late on Friday", "on Friday night").replace("last chance", "final chance");
    let trimmed = STORY.replace(" This is the last chance, Kerry said.", "");
    env.write(
        "wire.json",
        format!(r#"{{"title":"Kerry and Lavrov reach Syria deal","text":"{STORY}","date":"2016-09-09T22:00:00Z","source":"Continental Wire"}}"#),
    );
    env.write(
        "post.json",
        format!(r#"{{"title":"US and Russia agree Syria ceasefire","text":"{edited}","date":"2016-09-10T08:00:00Z","source":"Cedar Post"}}"#),
    );
    env.write(
        "ledger.json",
        format!(r#"{{"title":"Kerry, Lavrov strike Syria deal","text":"{trimmed}","date":"2016-09-10T11:00:00Z","source":"Levant Ledger"}}"#),
    );
    env.write(
        "other.json",
        r#"{"title":"Aid convoy waits at the border","text":"Trucks carrying food for Aleppo waited at the Turkish border as the ceasefire took hold on Monday, aid officials said, with drivers unsure whether the roads were safe.","date":"2016-09-12","source":"Cedar Post"}"#,
    );
}

#[test]
fn versions_of_a_story_collapse_into_the_earliest() {
    let env = Env::new();
    write_versions(&env);
    env.index(&env.corpus(), &[]);
    let all = env.search(&["ceasefire"]);
    assert_eq!(all.jsonl().len(), 4);
    let collapsed = env.search(&["ceasefire", "--collapse", "--sort", "oldest"]);
    let hits = collapsed.jsonl();
    assert_eq!(hits.len(), 2, "{}", collapsed.stdout);
    assert_eq!(hits[0]["title"], "Kerry and Lavrov reach Syria deal");
    assert_eq!(hits[0]["versions"], 3);
    assert_eq!(hits[1]["title"], "Aid convoy waits at the border");
    assert_eq!(hits[1]["versions"], 1);
    assert!(collapsed.stderr.contains("2 matches"), "{}", collapsed.stderr);
    let table = env.run(&["search", "ceasefire", "--collapse", "--sort", "oldest"]);
    assert!(table.stdout.contains("Kerry and Lavrov reach Syria deal  [3 versions]"), "{}", table.stdout);
    // Counted without a page of hits: stories when collapsed, articles when not.
    assert_eq!(env.run(&["search", "ceasefire", "--collapse", "--count"]).stdout, "2\n");
    assert_eq!(env.run(&["search", "ceasefire", "--count"]).stdout, "4\n");
}

#[test]
fn facets_and_histograms_count_each_story_once() {
    let env = Env::new();
    write_versions(&env);
    env.index(&env.corpus(), &[]);
    let sources = env.run(&["facets", "--by", "source", "--collapse", "--format", "csv"]);
    assert_eq!(sources.stdout, "source,count\nCedar Post,1\nContinental Wire,1\n");
    let people = env.run(&["facets", "--by", "person", "--format", "csv"]);
    assert!(people.stdout.contains("John Kerry,3\n"), "{}", people.stdout);
    let people = env.run(&["facets", "--by", "person", "--collapse", "--format", "csv"]);
    assert!(people.stdout.contains("John Kerry,1\n"), "{}", people.stdout);
    let days = env.run(&["search", "--collapse", "--histogram", "day", "--format", "csv"]);
    assert_eq!(
        days.stdout,
        "period,start,count\n2016-09-09,2016-09-09,1\n2016-09-10,2016-09-10,0\n2016-09-11,2016-09-11,0\n2016-09-12,2016-09-12,1\n"
    );
}

/// The stories of a search collapsed to one hit per story, oldest first: (title, versions).
fn stories(env: &Env) -> Vec<(String, u64)> {
    env.search(&["ceasefire", "--collapse", "--sort", "oldest"])
        .jsonl()
        .iter()
        .map(|h| (h["title"].as_str().unwrap().to_string(), h["versions"].as_u64().unwrap()))
        .collect()
}

fn story(title: &str, versions: u64) -> (String, u64) {
    (title.to_string(), versions)
}

/// A run that commits after every file finds the same stories and exact duplicates as one
/// that commits once: what a commit takes out of the run's memory of the uncommitted articles,
/// the sketches it remembers across commits put back.
#[test]
fn a_run_that_commits_after_every_file_finds_the_same_stories_and_duplicates() {
    let collapsed = |extra: &[&str]| {
        let env = Env::new();
        write_versions(&env);
        env.write("copy/wire.json", std::fs::read(env.corpus().join("wire.json")).unwrap());
        env.index(&env.corpus(), extra);
        (stories(&env), common::content(&env))
    };
    let once = collapsed(&[]);
    let every_file = collapsed(&["--commit-every", "1"]);
    assert_eq!(
        once.0,
        [story("Kerry and Lavrov reach Syria deal", 3), story("Aid convoy waits at the border", 1)]
    );
    assert_eq!(every_file, once);
    let wire = once.1.iter().find(|(id, _)| id.ends_with("wire.json")).unwrap();
    assert_eq!(wire.1.len(), 2, "the copy is a second publication: {wire:?}");
}

/// Versions indexed by a later run join the story already in the index, as they would have
/// in one run: the run reads the sketches of the committed articles back from the journal
/// beside the index. A version whose file is gone no longer holds the story together.
#[test]
fn versions_indexed_by_a_later_run_join_the_story_already_indexed() {
    let env = Env::new();
    write_versions(&env);
    let later = env.corpus().parent().unwrap().join("later");
    std::fs::create_dir_all(&later).unwrap();
    for name in ["post.json", "ledger.json"] {
        std::fs::rename(env.corpus().join(name), later.join(name)).unwrap();
    }
    env.index(&env.corpus(), &[]);
    assert_eq!(
        stories(&env),
        [story("Kerry and Lavrov reach Syria deal", 1), story("Aid convoy waits at the border", 1)]
    );
    std::fs::rename(later.join("post.json"), env.corpus().join("post.json")).unwrap();
    env.index(&env.corpus(), &[]);
    assert_eq!(
        stories(&env),
        [story("Kerry and Lavrov reach Syria deal", 2), story("Aid convoy waits at the border", 1)]
    );
    // The wire story's first version goes; the second keeps the story, and a third version,
    // similar to both, joins it through the one still indexed.
    std::fs::remove_file(env.corpus().join("wire.json")).unwrap();
    std::fs::rename(later.join("ledger.json"), env.corpus().join("ledger.json")).unwrap();
    env.index(&env.corpus(), &["--prune"]);
    assert_eq!(
        stories(&env),
        [story("US and Russia agree Syria ceasefire", 2), story("Aid convoy waits at the border", 1)]
    );
    let one_run = Env::new();
    write_versions(&one_run);
    std::fs::remove_file(one_run.corpus().join("wire.json")).unwrap();
    one_run.index(&one_run.corpus(), &[]);
    assert_eq!(stories(&one_run), stories(&env), "three runs and one give the same stories");
}

/// A version removed from the index draws no new version into its story: a text similar to it
/// alone (0.69 against the removed version, 0.47 against the one left) starts a story of its
/// own, as it would in one run without the removed file. The later run knows the removed
/// version's story from the sketch journal, and must ask the index whether its text is still
/// there.
#[test]
fn a_removed_version_draws_no_new_version_into_its_story() {
    let tail = "Lavrov said the Assad government had been informed and was ready to fulfil the agreement. \
                This is the last chance, Kerry said.";
    let head = "John Kerry and Sergei Lavrov announced a plan late on Friday for a nationwide ceasefire in \
                Syria starting on Monday,";
    let later_tail = STORY.replace(
        tail,
        "Diplomats in Geneva said the opposition would study the text before it gave its answer, and aid \
         groups asked for guarantees.",
    );
    let other_head = STORY.replace(
        head,
        "Washington and Moscow unveiled a truce for the whole country at a late night news conference, to \
         begin at sunset on Monday,",
    );
    let article = |title: &str, text: &str, day: u32| {
        format!(
            r#"{{"title":"{title}","text":"{text}","date":"2016-09-{day:02}","source":"Continental Wire"}}"#
        )
    };
    let geneva = |env: &Env| -> Vec<(String, u64)> {
        let run = env.run(&["search", "Geneva", "--collapse", "--sort", "oldest", "--format", "jsonl"]);
        run.jsonl()
            .iter()
            .map(|h| (h["title"].as_str().unwrap().to_string(), h["versions"].as_u64().unwrap()))
            .collect()
    };
    let env = Env::new();
    env.write("wire.json", article("Deal reached", STORY, 9));
    env.write("later.json", article("Opposition studies the deal", &later_tail, 10));
    env.index(&env.corpus(), &[]);
    assert_eq!(geneva(&env), [story("Deal reached", 2)]);
    std::fs::remove_file(env.corpus().join("wire.json")).unwrap();
    env.index(&env.corpus(), &["--prune"]);
    env.write("truce.json", article("Truce unveiled", &other_head, 11));
    env.index(&env.corpus(), &[]);
    assert_eq!(geneva(&env), [story("Opposition studies the deal", 1), story("Truce unveiled", 1)]);
}

/// A sketch journal cut shorter than the index's last commit says (a disk restored from an
/// older backup, a hand-deleted file) stops the run with one clear line, before it writes.
#[test]
fn a_truncated_sketch_journal_is_named_and_nothing_is_written() {
    let env = Env::new();
    write_versions(&env);
    env.index(&env.corpus(), &[]);
    std::fs::write(env.index_path().join("sketches.journal"), b"").unwrap();
    env.write("later.json", r#"{"title":"Talks resume","text":"Diplomats met again in Geneva on Monday to discuss the ceasefire and aid deliveries to Aleppo.","date":"2016-09-13"}"#);
    let run = env.run(&["index", env.corpus().to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let line = run.stderr.lines().find(|l| l.contains("sketches.journal")).expect("the file is named");
    assert!(line.contains("--rebuild"), "{line}");
    assert_eq!(run.stderr.matches("the last commit covers").count(), 1, "said once: {}", run.stderr);
    assert_eq!(env.search(&["ceasefire"]).jsonl().len(), 4, "the index is as it was");
}
