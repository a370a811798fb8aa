//! Entities end to end: what the extractor finds in the seed article, the entity filters of
//! `search`, facet counts and histograms on the sample corpus (counted by hand), and the
//! `eval-ner` scorer.

mod common;

use std::collections::BTreeMap;

use common::{Env, sample_corpus, sample_env};
use serde_json::Value;

fn seed_path() -> String {
    sample_corpus().join("000_afe821fb16f557c1.txt").to_str().unwrap().to_string()
}

#[test]
fn seed_article_entities_are_the_expected_ones_and_no_noise() {
    let env = Env::new();
    let run = env.run(&["entities", &seed_path(), "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let articles: Value = serde_json::from_str(&run.stdout).unwrap();
    let entities = articles[0]["entities"].as_array().unwrap();
    let of_kind = |kind: &str| -> Vec<&str> {
        entities.iter().filter(|e| e["kind"] == kind).map(|e| e["name"].as_str().unwrap()).collect()
    };
    for person in ["John Kerry", "Bashar al-Assad", "Gennady Gatilov"] {
        assert!(of_kind("person").contains(&person), "{person}: {:?}", of_kind("person"));
    }
    for place in ["Aleppo", "Geneva", "Syria", "Qatar", "Saudi Arabia", "Russia", "Damascus", "Cairo"] {
        assert!(of_kind("place").contains(&place), "{place}: {:?}", of_kind("place"));
    }
    for org in ["Arab League", "Qatar News Agency", "Syrian Observatory for Human Rights", "Interfax"] {
        assert!(of_kind("org").contains(&org), "{org}: {:?}", of_kind("org"));
    }
    let all: Vec<&str> = entities.iter().map(|e| e["name"].as_str().unwrap()).collect();
    for noise in ["Saturday", "Meanwhile", "Despite", "New MEE", "MEE", "Kerry", "Assad"] {
        assert!(!all.contains(&noise), "{noise} in {all:?}");
    }
    let kerry = entities.iter().find(|e| e["name"] == "John Kerry").unwrap();
    assert_eq!(kerry["mentions"], 4);
    assert_eq!(kerry["forms"], serde_json::json!(["Kerry", "John Kerry"]));
    let aleppo = entities.iter().find(|e| e["name"] == "Aleppo").unwrap();
    assert_eq!(aleppo["country"], "Syria");
}

#[test]
fn the_indexed_seed_article_has_no_entity_from_its_footer() {
    let (env, _) = sample_env();
    let hits = env.search(&["--source", "Middle East Eye"]).jsonl();
    assert_eq!(hits.len(), 1);
    let names: Vec<&str> =
        hits[0]["entities"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    for expected in
        ["John Kerry", "Bashar al-Assad", "Gennady Gatilov", "Aleppo", "Syrian Observatory for Human Rights"]
    {
        assert!(names.contains(&expected), "{expected}: {names:?}");
    }
    // The footer ("Sign up ... Israel-Palestine, alongside Turkey Unpacked and other MEE
    // newsletters") is furniture: none of its names is the article's.
    for footer in
        ["Turkey Unpacked", "Palestinian Territory", "Middle East Eye", "Jerusalem Dispatch", "Israel"]
    {
        assert!(!names.contains(&footer), "{footer}: {names:?}");
    }
}

#[test]
fn entities_table_names_kinds_and_countries() {
    let env = Env::new();
    let run = env.run(&["entities", &seed_path()]);
    assert!(run.stdout.contains("  person  Gennady Gatilov"), "{}", run.stdout);
    assert!(run.stdout.contains("  place   Aleppo (Syria)"), "{}", run.stdout);
}

#[test]
fn a_name_does_not_run_into_the_words_before_it() {
    let env = Env::new();
    let article = env.write(
        "celanese.txt",
        "Celanese to close a plant\n\nOTTAWA (Reuters) - Chemical company Celanese Corp ( CE.N ) said on \
         Tuesday it would close a plant, and the fashion designer Diane von Furstenberg said she had not \
         been told.\n",
    );
    let run = env.run(&["entities", article.to_str().unwrap(), "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let articles: Value = serde_json::from_str(&run.stdout).unwrap();
    let names: Vec<(&str, &str)> = articles[0]["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].as_str().unwrap(), e["name"].as_str().unwrap()))
        .collect();
    // The company is counted without its legal form, and the dateline's city is a place.
    for entity in [("org", "Celanese"), ("person", "Diane von Furstenberg"), ("place", "Ottawa")] {
        assert!(names.contains(&entity), "{entity:?}: {names:?}");
    }
    assert!(!names.iter().any(|(_, n)| n.contains("company")), "{names:?}");
}

/// One company, person or city is one facet value however a wire writes it: with or without
/// its legal form, an initial with or without its full stop, a dateline's city in capitals;
/// and a product or a role written like a name ("PC", "CEO") is no organisation.
#[test]
fn one_entity_is_counted_under_one_name_however_it_is_written() {
    let env = Env::new();
    let record = |url: &str, title: &str, body: &str| {
        serde_json::json!({"url": url, "title": title, "published": "2008-01-10", "body": body}).to_string()
    };
    let lines = [
        record(
            "https://wire.example/a",
            "Microsoft cuts prices of its software",
            "SAN FRANCISCO (Reuters) - Microsoft Corp said on Thursday it would cut the price of its \
             Windows software for PC makers, its CEO said.\n\nShares of General Electric Co. rose.",
        ),
        record(
            "https://wire.example/b",
            "Microsoft Corp. wins contract",
            "DETROIT (Reuters) - Microsoft Corp. won a contract from General Motors Corp to supply \
             software for cars, the companies said on Friday. President George W. Bush praised the deal.",
        ),
        record(
            "https://wire.example/c",
            "Bush visits Microsoft",
            "George W Bush visited Microsoft in Redmond on Saturday. Bush met staff and watched a DVD \
             about the company.",
        ),
    ];
    env.write("wire.jsonl", lines.join("\n"));
    env.index(&env.corpus(), &["--quiet"]);
    let orgs = facet_map(&env, &["--by", "org"]);
    let expected = [("General Electric", 1), ("General Motors", 1), ("Microsoft", 3)];
    assert_eq!(orgs, expected.map(|(n, c)| (n.to_string(), c)).into(), "{orgs:?}");
    assert_eq!(facet_map(&env, &["--by", "person"]), [("George W. Bush".to_string(), 2)].into());
    let places = facet_map(&env, &["--by", "place"]);
    for city in ["San Francisco", "Detroit", "Redmond"] {
        assert_eq!(places.get(city), Some(&1), "{city}: {places:?}");
    }
    // A filter typed the way a report writes the name finds what was counted.
    for (option, name, hits) in [
        ("--org", "microsoft corp.", 3),
        ("--actor", "Microsoft Corp", 3),
        ("--person", "George W Bush", 2),
        ("--actor", "George W Bush", 2),
    ] {
        let found = env.search(&[option, name, "--fields", "id"]).jsonl();
        assert_eq!(found.len(), hits, "{option} {name}");
    }
}

fn facet_map(env: &Env, args: &[&str]) -> BTreeMap<String, u64> {
    let mut all = vec!["facets", "--format", "json"];
    all.extend_from_slice(args);
    let run = env.run(&all);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    doc["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["value"].as_str().unwrap().to_string(), v["count"].as_u64().unwrap()))
        .collect()
}

#[test]
fn facet_counts_match_a_hand_count_of_the_sample_corpus() {
    let (env, _) = sample_env();
    // Sources: 8 Continental Wire files; 8 Levant Ledger texts plus the gzipped bulletin; Cedar
    // Post's 8 JSON Lines records, 1 JSON object and 3 array elements; 6 Harbour Gazette pages;
    // 6 Desert Dispatch Markdown files; the seed. The Latin-1 file has no source.
    let sources = facet_map(&env, &["--by", "source"]);
    let expected: BTreeMap<String, u64> = [
        ("Cedar Post", 12),
        ("Continental Wire", 8),
        ("Desert Dispatch", 6),
        ("Harbour Gazette", 6),
        ("Levant Ledger", 9),
        ("Middle East Eye", 1),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(sources, expected);
    // People, by grep of the files: "Kerry" in 15 articles, "Assad" in 12 (the gzipped bulletin
    // among them, its exact duplicate not), "Lavrov" in 8.
    let people = facet_map(&env, &["--by", "person", "--top", "50"]);
    assert_eq!(people["John Kerry"], 15);
    assert_eq!(people["Bashar al-Assad"], 12);
    assert_eq!(people["Sergei Lavrov"], 8);
    assert!(!people.contains_key("Kerry") && !people.contains_key("Lavrov"), "short names resolve");
    let years = facet_map(&env, &["--by", "year"]);
    assert_eq!(years, [("2015".to_string(), 6), ("2016".to_string(), 26), ("2017".to_string(), 8)].into());
}

#[test]
fn histogram_of_kerry_in_2016_by_month() {
    let (env, _) = sample_env();
    let run = env.run(&[
        "search",
        "--person",
        "john kerry",
        "--from",
        "2016",
        "--to",
        "2016",
        "--histogram",
        "month",
        "--format",
        "csv",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "period,start,count\n2016-01,2016-01-01,1\n2016-02,2016-02-01,4\n2016-03,2016-03-01,0\n2016-04,2016-04-01,0\n\
         2016-05,2016-05-01,2\n2016-06,2016-06-01,0\n2016-07,2016-07-01,1\n2016-08,2016-08-01,1\n2016-09,2016-09-01,1\n"
    );
    let table = env.run(&[
        "search",
        "--person",
        "John Kerry",
        "--from",
        "2016-02",
        "--to",
        "2016-02",
        "--histogram",
        "week",
    ]);
    assert!(table.stdout.starts_with("period    articles\n2016-W05         2  ████"), "{}", table.stdout);
}

#[test]
fn place_filter_includes_a_countrys_cities_and_is_case_insensitive() {
    let (env, _) = sample_env();
    let syria = env.search(&["--place", "syria"]).short_ids();
    // The hospital strike article names Aleppo but never Syria.
    assert!(syria.contains(&"ledger/2016/04/29/aleppo-hospital-strike.txt".to_string()), "{syria:?}");
    let aleppo = env.search(&["--place", "ALEPPO", "--source", "Levant Ledger"]).short_ids();
    assert_eq!(
        aleppo,
        ["ledger/2016/04/29/aleppo-hospital-strike.txt", "ledger/2016/05/04/aleppo-truce-extended.txt"]
    );
}

#[test]
fn actor_and_org_filters_resolve_aliases_and_combine() {
    let (env, _) = sample_env();
    let both = env.search(&["--actor", "John Kerry", "--actor", "Sergei Lavrov", "--from", "2016"]);
    let mut titles = both.titles();
    titles.sort();
    assert_eq!(
        titles,
        [
            "Kerry and Lavrov fail to agree on Aleppo ceasefire in Geneva",
            "Kerry and Lavrov reach deal on Syria ceasefire after marathon talks",
            "Kerry in Geneva to press for Aleppo truce",
            "Munich meeting agrees to seek cessation of hostilities in Syria",
        ]
    );
    let un = env.search(&["--org", "u.n.", "--person", "staffan de mistura"]).jsonl().len();
    let un_full = env.search(&["--org", "United Nations", "--person", "Staffan de Mistura"]).jsonl().len();
    assert!(un > 0 && un == un_full, "{un} vs {un_full}");
    let country_actor = env.search(&["--actor", "Qatar"]).titles();
    assert!(country_actor.contains(&"Saudi Arabia, UAE, Egypt and Bahrain cut ties with Qatar".to_string()));
}

#[test]
fn an_unknown_filter_name_explains_the_empty_result() {
    let (env, _) = sample_env();
    let run = env.search(&["--actor", "Kerry"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("note: no article mentions --actor \"Kerry\"; indexed names containing it: John Kerry"),
        "{}",
        run.stderr
    );
}

#[test]
fn hits_list_their_top_entities() {
    let (env, _) = sample_env();
    let hit = &env.search(&["Aleppo", "--source", "Middle East Eye"]).jsonl()[0];
    let names: Vec<&str> =
        hit["entities"].as_array().unwrap().iter().take(3).map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Syria", "Aleppo", "Russia"]);
    let table = env.run(&["search", "Badreddine"]);
    assert!(table.stdout.contains("mentions: "), "{}", table.stdout);
    assert!(table.stdout.contains("Mustafa Badreddine (1)"), "{}", table.stdout);
}

#[test]
fn indexing_without_entities_leaves_facets_empty() {
    let env = Env::new();
    env.index(&sample_corpus(), &["--no-entities", "--quiet"]);
    assert!(facet_map(&env, &["--by", "person"]).is_empty());
    assert_eq!(facet_map(&env, &["--by", "source"])["Cedar Post"], 12);
}

/// A copy of a text the run has indexed is not extracted again: it keeps the article's
/// entities, even when it becomes the shown copy. A copy spaced otherwise is extracted (its
/// sentences may differ). One thread, so that each file is in before the next is read.
#[test]
fn a_copy_of_an_indexed_text_keeps_its_entities_without_a_second_extraction() {
    let env = Env::new();
    let record =
        |url: &str, body: &str| serde_json::json!({"url": url, "title": "Talks", "body": body}).to_string();
    let body = "John Kerry met Sergei Lavrov in Geneva on Monday. Kerry said the talks would go on.";
    env.write("a.json", record("https://example.org/z", body));
    env.write("b.json", record("https://example.org/a", body));
    env.write("c.json", record("https://example.org/m", &body.replace(". ", ".\n")));
    env.index(&env.corpus(), &["--threads", "1"]);
    let stats: Value = serde_json::from_str(&env.run(&["stats", "--format", "json"]).stdout).unwrap();
    let summary = &stats["last_run"]["summary"];
    assert_eq!((&summary["duplicates"], &summary["extraction_spared"]), (&2.into(), &1.into()), "{summary}");
    let hits = env.search(&["--person", "John Kerry", "--fields", "id,entities"]).jsonl();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["id"], "https://example.org/a", "the copy read last, with the smallest id, is shown");
    let entities: Vec<(String, u64)> = hits[0]["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap().to_string(), e["mentions"].as_u64().unwrap()))
        .collect();
    for (name, mentions) in [("John Kerry", 2), ("Sergei Lavrov", 1), ("Geneva", 1)] {
        assert!(entities.contains(&(name.to_string(), mentions)), "{name}: {entities:?}");
    }
    assert_eq!(facet_map(&env, &["--by", "person"])["John Kerry"], 1);
}

#[test]
fn eval_ner_scores_a_conll_file_as_table_and_json() {
    let env = Env::new();
    let file = env.write(
        "mini.conll",
        "-DOCSTART- -X- O O\n\nJohn NNP I-NP I-PER\nKerry NNP I-NP I-PER\nflew VBD I-VP O\nto TO I-PP O\nGeneva NNP I-NP I-LOC\n. . O O\n\n\
         Zenobia NNP I-NP I-ORG\nTrust NNP I-NP I-ORG\nsaid VBD I-VP O\nno DT I-NP O\n. . O O\n",
    );
    let json = env.run(&["eval-ner", file.to_str().unwrap(), "--format", "json"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let doc: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["documents"], 1);
    let micro = doc["scores"].as_array().unwrap().iter().find(|s| s["label"] == "micro").unwrap();
    assert_eq!((micro["true_positives"].as_u64(), micro["f1"].as_f64()), (Some(3), Some(1.0)));
    let table = env.run(&["eval-ner", file.to_str().unwrap()]);
    assert!(
        table.stdout.contains("micro      1.000   1.000   1.000       3       0       0"),
        "{}",
        table.stdout
    );
    let broken = env.write("broken.conll", "John\n");
    let bad = env.run(&["eval-ner", broken.to_str().unwrap()]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("broken.conll: line 1"), "{}", bad.stderr);
}
