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

/// A run that forgets its sketches at every commit (as it does past `RUN_MEMORY_LIMIT`
/// articles on a huge corpus) finds the same stories by looking them up in the committed
/// index, and the same exact duplicates.
#[test]
fn a_run_that_forgets_between_commits_finds_the_same_stories_and_duplicates() {
    let collapsed = |extra: &[&str]| {
        let env = Env::new();
        write_versions(&env);
        env.write("copy/wire.json", std::fs::read(env.corpus().join("wire.json")).unwrap());
        env.index(&env.corpus(), extra);
        let hits = env.search(&["ceasefire", "--collapse", "--sort", "oldest"]).jsonl();
        let stories: Vec<(String, u64)> = hits
            .iter()
            .map(|h| (h["title"].as_str().unwrap().to_string(), h["versions"].as_u64().unwrap()))
            .collect();
        (stories, common::content(&env))
    };
    let remembering = collapsed(&[]);
    let forgetting = collapsed(&["--commit-every", "1", "--run-memory", "1"]);
    assert_eq!(
        remembering.0,
        [
            ("Kerry and Lavrov reach Syria deal".to_string(), 3),
            ("Aid convoy waits at the border".to_string(), 1)
        ]
    );
    assert_eq!(forgetting, remembering);
    let wire = remembering.1.iter().find(|(id, _)| id.ends_with("wire.json")).unwrap();
    assert_eq!(wire.1.len(), 2, "the copy is a second publication: {wire:?}");
}
