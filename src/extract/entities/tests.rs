use super::*;

fn extractor() -> Extractor {
    Extractor::builtin().expect("shipped lexicon loads")
}

fn names(entities: &[Entity], kind: Kind) -> Vec<String> {
    let mut names: Vec<String> = entities.iter().filter(|e| e.kind == kind).map(|e| e.name.clone()).collect();
    names.sort();
    names
}

const SEED: &str = include_str!("../../../sample_corpus/000_afe821fb16f557c1.txt");

fn seed_entities() -> Vec<Entity> {
    seed_entities_by(Method::Rules)
}

fn seed_entities_by(method: Method) -> Vec<Entity> {
    let (title, body) = SEED.split_once('\n').unwrap();
    Extractor::new(method).expect("shipped data loads").extract(title, body)
}

#[test]
fn seed_article_people_places_and_organisations() {
    check_seed(&seed_entities());
}

#[test]
fn the_model_finds_everything_the_rules_find_in_the_seed_and_no_noise() {
    let entities = seed_entities_by(Method::Model);
    check_seed(&entities);
    let kerry = entities.iter().find(|e| e.name == "John Kerry").unwrap();
    assert_eq!(kerry.mentions, 4);
    assert_eq!(entities[0].name, "Syria", "Syria and Syrian: {:?}", &entities[..3]);
    // "MEE" is Middle East Eye by aliases.toml: the footer names the outlet.
    let mee = entities.iter().find(|e| e.name == "Middle East Eye").unwrap();
    assert_eq!((mee.kind, mee.mentions), (Kind::Org, 4));
    let rules: Vec<String> = seed_entities().iter().map(|e| e.name.clone()).collect();
    let new: Vec<&str> =
        entities.iter().map(|e| e.name.as_str()).filter(|n| !rules.contains(&n.to_string())).collect();
    // The only names the rules did not have come from the outlet's footer (page furniture,
    // removed before extraction at indexing time): Palestine from "Israel-Palestine", and the
    // "Turkey Unpacked" newsletter.
    let mut new = new;
    new.sort();
    assert_eq!(new, ["Palestinian Territory", "Turkey Unpacked"]);
}

fn check_seed(entities: &[Entity]) {
    let people = names(entities, Kind::Person);
    for person in ["John Kerry", "Bashar al-Assad", "Gennady Gatilov"] {
        assert!(people.contains(&person.to_string()), "{person} missing from {people:?}");
    }
    let places = names(entities, Kind::Place);
    for place in ["Aleppo", "Geneva", "Syria", "Qatar", "Saudi Arabia", "Russia", "Damascus", "Cairo"] {
        assert!(places.contains(&place.to_string()), "{place} missing from {places:?}");
    }
    let orgs = names(entities, Kind::Org);
    for org in ["Arab League", "Qatar News Agency", "Syrian Observatory for Human Rights", "Interfax"] {
        assert!(orgs.contains(&org.to_string()), "{org} missing from {orgs:?}");
    }
    let all: Vec<&str> = entities.iter().map(|e| e.name.as_str()).collect();
    for noise in [
        "Saturday",
        "Meanwhile",
        "Despite",
        "New MEE",
        "MEE",
        "International",
        "Kerry",
        "Assad",
        "Gatilov",
        "Friday",
        "Thursday",
    ] {
        assert!(!all.contains(&noise), "{noise:?} is not an entity: {all:?}");
    }
}

#[test]
fn short_mentions_resolve_to_the_full_name_and_are_counted() {
    let entities = seed_entities();
    let kerry = entities.iter().find(|e| e.name == "John Kerry").unwrap();
    // Title "Kerry heads...", "John Kerry is set", "Kerry said the strike", "said Kerry".
    assert_eq!(kerry.mentions, 4);
    let aleppo = entities.iter().find(|e| e.name == "Aleppo").unwrap();
    assert_eq!((aleppo.mentions, aleppo.country.as_deref()), (11, Some("Syria")));
    assert!(entities.windows(2).all(|w| w[0].mentions >= w[1].mentions), "most mentioned first");
    assert_eq!(entities[0].name, "Syria", "Syria and Syrian: {:?}", &entities[..3]);
}

#[test]
fn capitals_act_for_their_country() {
    let entities =
        extractor().extract("", "On Thursday, Washington appealed to Moscow to keep Assad in check.");
    let actors: Vec<&str> = entities.iter().filter(|e| e.is_actor()).map(|e| e.name.as_str()).collect();
    for actor in ["United States", "Russia", "Bashar al-Assad"] {
        assert!(actors.contains(&actor), "{actor} missing from {actors:?}");
    }
}

#[test]
fn unseen_names_are_found_by_their_cues() {
    let text = "UN envoy Staffan de Mistura met Foreign Minister Adel al-Jubeir. The Aleppo Media Centre \
                said the Levant Relief Committee had left. Haddad said talks would resume in Geneva. \
                Officials of the Zenobia Foundation spoke to the Barada news agency.";
    let entities = extractor().extract("", text);
    assert_eq!(names(&entities, Kind::Person), ["Adel al-Jubeir", "Haddad", "Staffan de Mistura"]);
    assert_eq!(
        names(&entities, Kind::Org),
        ["Aleppo Media Centre", "Barada", "Levant Relief Committee", "United Nations", "Zenobia Foundation"]
    );
    assert_eq!(names(&entities, Kind::Place), ["Geneva"]);
}

#[test]
fn aliases_give_one_canonical_name() {
    let entities = extractor().extract("", "The U.S. and the UN urged ISIS to free them; Britain agreed.");
    assert_eq!(names(&entities, Kind::Place), ["United Kingdom", "United States"]);
    assert_eq!(names(&entities, Kind::Org), ["Islamic State", "United Nations"]);
}

#[test]
fn shouted_headlines_give_only_known_names_and_lone_capitals_nothing() {
    let entities =
        extractor().extract("SOCCER - JAPAN GET LUCKY WIN", "Meanwhile prices rose. Yesterday Markets fell.");
    assert_eq!(entities.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["Japan"]);
    let dateline = extractor().extract("", "NEW YORK 1996-08-30\nW L PCT GB\nStocks rose.");
    assert_eq!(dateline.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["New York City"]);
}

#[test]
fn middle_initials_with_or_without_a_full_stop_stay_in_the_name_under_one_spelling() {
    let model = Extractor::new(Method::Model).expect("shipped data loads");
    // British style writes initials without a full stop; the gazetteer knows George as a town.
    let british = "George W Bush will display a more consensual approach, Tony Blair said. \
                   Mr Bush met Samuel L Jackson, and Plan B Fund backed Formula E Holdings.";
    let entities = model.extract("Talks", british);
    let people = names(&entities, Kind::Person);
    // Counted as American style writes them, so that both styles are one person.
    assert_eq!(people, ["George W. Bush", "Samuel L. Jackson", "Tony Blair"], "{entities:?}");
    assert!(names(&entities, Kind::Place).is_empty(), "not the town of George: {entities:?}");
    let bush = entities.iter().find(|e| e.name == "George W. Bush").unwrap();
    assert_eq!(bush.mentions, 2, "Mr Bush is the same man: {bush:?}");
    assert_eq!(names(&entities, Kind::Org), ["Formula E Holdings", "Plan B Fund"]);
    let american = "George W. Bush will display a more consensual approach, Tony Blair said.";
    let people = names(&model.extract("Talks", american), Kind::Person);
    assert_eq!(people, ["George W. Bush", "Tony Blair"]);
}

#[test]
fn a_title_is_no_part_of_a_name_and_the_person_is_filed_under_the_full_name() {
    let model = Extractor::new(Method::Model).expect("shipped data loads");
    let body = "Meanwhile Lib Dem leader Charles Kennedy is expected to attack Mr Blair's words as he \
                begins a nationwide tour on Monday. Mr Kennedy is accelerating Lib Dem election \
                preparations this week as he visits Manchester.";
    let entities = model.extract("Kennedy tours", body);
    let kennedy = entities.iter().find(|e| e.name == "Charles Kennedy").expect("found");
    assert_eq!((kennedy.kind, kennedy.mentions), (Kind::Person, 3), "{entities:?}");
    assert!(entities.iter().all(|e| !e.name.starts_with("Mr")), "{entities:?}");
}

#[test]
fn names_listed_as_found_only_keep_their_kind_and_places_get_their_country() {
    let model = Extractor::new(Method::Model).expect("shipped data loads");
    let body = "Shares of Citigroup and Alcoa fell in Frankfurt on Tuesday, while Nokia rose.";
    let entities = model.extract("Markets", body);
    let orgs = names(&entities, Kind::Org);
    assert!(orgs.contains(&"Citigroup".to_string()) && orgs.contains(&"Nokia".to_string()), "{entities:?}");
    let frankfurt = entities.iter().find(|e| e.kind == Kind::Place).expect("a place");
    assert_eq!(
        (frankfurt.name.as_str(), frankfurt.country.as_deref()),
        ("Frankfurt am Main", Some("Germany"))
    );
    assert!(names(&entities, Kind::Place).len() == 1, "{entities:?}");
}

#[test]
fn words_listed_as_not_names_are_dropped_by_either_extractor() {
    // The model, without the list, made organisations of "CEO", "DVD" and "PC" here, and a
    // place of Christmas.
    let text = "Dell said sales of the PC rose. Its CEO said DVD sales fell at Christmas.";
    for extractor in [extractor(), Extractor::new(Method::Model).expect("shipped data loads")] {
        let entities = extractor.extract("Sales", text);
        let all: Vec<&str> = entities.iter().map(|e| e.name.as_str()).collect();
        for word in ["PC", "CEO", "DVD", "Christmas"] {
            assert!(!all.contains(&word), "{:?}: {word} in {all:?}", extractor.method());
        }
    }
    let lexicon = extractor().lexicon().rules.is_not_name("PC");
    assert!(lexicon, "the list is data: index_schema/entity_rules.toml");
}

#[test]
fn an_institutions_short_names_count_under_its_full_name() {
    let model = Extractor::new(Method::Model).expect("shipped data loads");
    let body = "The Fed held rates, the U.S. Federal Reserve said. JP Morgan and GM shares fell on \
                the NYSE, and the Exxon Mobil chief said Tories in London were wrong.";
    let entities = model.extract("Markets", body);
    let orgs = names(&entities, Kind::Org);
    for org in
        ["Federal Reserve", "JPMorgan Chase", "General Motors", "New York Stock Exchange", "Exxon Mobil"]
    {
        assert!(orgs.contains(&org.to_string()), "{org}: {entities:?}");
    }
    let federal = entities.iter().find(|e| e.name == "Federal Reserve").unwrap();
    assert_eq!(federal.mentions, 2, "{federal:?}");
    for short in ["Fed", "JP Morgan", "GM", "NYSE"] {
        assert!(!entities.iter().any(|e| e.name == short), "{short}: {entities:?}");
    }
    let lexicon = model.lexicon();
    let party = lexicon.lookup(Kind::Org, "tories").map(|k| k.canonical.as_str());
    assert_eq!(party, Some("Conservative Party"), "filters resolve them too");
    let holland =
        lexicon.lookup(Kind::Place, "Holland").map(|k| (k.canonical.as_str(), k.country.as_deref()));
    assert_eq!(holland, Some(("Netherlands", Some("Netherlands"))));
    assert!(lexicon.lookup(Kind::Person, "Holland").is_none(), "a person named Holland is left to the model");
}

#[test]
fn the_rules_spell_unknown_names_as_the_model_does() {
    let text = "Acme Widgets Inc said profits grew.\n\nAcme Widgets Corp. said it would hire, \
                analyst John Q Smith said.";
    let entities = extractor().extract("Markets", text);
    let acme = entities.iter().find(|e| e.kind == Kind::Org).map(|e| (e.name.as_str(), e.mentions));
    assert_eq!(acme, Some(("Acme Widgets", 2)), "{entities:?}");
    assert_eq!(names(&entities, Kind::Person), ["John Q. Smith"], "{entities:?}");
}

#[test]
fn a_company_officers_title_is_no_part_of_the_name_after_it() {
    let model = Extractor::new(Method::Model).expect("shipped data loads");
    let text = "Shares rose after CEO Immelt spoke. CEO Jeff Immelt said orders grew.";
    let entities = model.extract("Results", text);
    // The model made "CEO Jeff Immelt" an organisation, and coreference could not file
    // "Immelt" under him.
    let immelt = entities.iter().find(|e| e.name == "Jeff Immelt").map(|e| (e.kind, e.mentions));
    assert_eq!(immelt, Some((Kind::Person, 2)), "{entities:?}");
    assert!(!entities.iter().any(|e| e.name.starts_with("CEO")), "{entities:?}");
}
