//! The extractor's knowledge, all of it data under `index_schema/`: the GeoNames gazetteer of
//! countries and cities, hand-kept regions, organisations and demonyms, the aliases users
//! extend, and the cue words of news prose. Known names are compiled into one Aho-Corasick
//! automaton (`names.rs`) so that an article is scanned for all of them in a single pass.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use serde::Deserialize;

use super::Kind;
use super::names::NameMatcher;
use crate::error::{Error, Result};

const PLACES: &str = include_str!("../../../index_schema/gazetteer/places.tsv");
const REGIONS: &str = include_str!("../../../index_schema/gazetteer/regions.tsv");
const ORGANISATIONS: &str = include_str!("../../../index_schema/gazetteer/organisations.tsv");
const DEMONYMS: &str = include_str!("../../../index_schema/gazetteer/demonyms.tsv");
const ALIASES: &str = include_str!("../../../index_schema/aliases.toml");
const RULES: &str = include_str!("../../../index_schema/entity_rules.toml");

/// What a known name stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct Known {
    /// Person, organisation or place.
    pub kind: Kind,
    /// The one name it is counted under.
    pub canonical: String,
    /// For places: the country they are in (the country itself for a country).
    pub country: Option<String>,
    /// For places: whether it is a capital city (capitals can act for their country).
    pub capital: bool,
    /// A demonym ("Syrian") standing for its country: an adjective, not a place name.
    pub demonym: bool,
}

/// The cue words of `entity_rules.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    person_titles: HashSet<String>,
    title_continuations: HashSet<String>,
    person_roles: HashSet<String>,
    org_words: HashSet<String>,
    org_after: Vec<String>,
    speech_verbs: HashSet<String>,
    place_prepositions: HashSet<String>,
    name_connectors: HashSet<String>,
    stopwords: HashSet<String>,
    #[serde(default)]
    not_names: HashSet<String>,
    #[serde(default)]
    company_suffixes: Vec<String>,
}

impl Rules {
    /// A word that starts or continues a title before a name.
    pub fn is_title(&self, word: &str, in_title: bool) -> bool {
        self.person_titles.contains(word) || (in_title && self.title_continuations.contains(word))
    }
    /// A lower-case word that announces a person's name.
    pub fn is_role(&self, word: &str) -> bool {
        self.person_roles.contains(word)
    }
    /// A word that makes a name an organisation's.
    pub fn is_org_word(&self, word: &str) -> bool {
        self.org_words.contains(word)
    }
    /// Lower-case phrases after a name that make it an organisation's.
    pub fn org_after(&self) -> &[String] {
        &self.org_after
    }
    /// A verb of speaking or acting.
    pub fn is_speech_verb(&self, word: &str) -> bool {
        self.speech_verbs.contains(word)
    }

    /// Whether a name stands next to a verb of speaking or acting, given the two words before
    /// it and the word after it: "Washington said", "appealed to Moscow". A capital so placed
    /// acts for its country.
    pub fn next_to_speech_verb(
        &self,
        two_before: Option<&str>,
        before: Option<&str>,
        after: Option<&str>,
    ) -> bool {
        let verb = |w: Option<&str>| w.is_some_and(|w| self.is_speech_verb(w));
        verb(after) || verb(before) || matches!(before, Some("to" | "on" | "with")) && verb(two_before)
    }
    /// A preposition that announces a place.
    pub fn is_place_preposition(&self, word: &str) -> bool {
        self.place_prepositions.contains(word)
    }
    /// A lower-case particle allowed inside a name.
    pub fn is_connector(&self, word: &str) -> bool {
        self.name_connectors.contains(word)
    }
    /// A capitalised word that is never a name by itself.
    pub fn is_stopword(&self, word: &str) -> bool {
        self.stopwords.contains(word)
    }
    /// A capitalised word or acronym that news writes like a name but that names nothing an
    /// index should count ("PC", "CEO", "Christmas"): dropped wherever it is found.
    pub fn is_not_name(&self, surface: &str) -> bool {
        self.not_names.contains(surface)
    }
    /// A company's legal form ("Inc", "Corp.", "Plc"), which wires write after the name
    /// some of the time: "Microsoft Corp" and "Microsoft" are one company.
    /// Any case: a user filtering on "microsoft corp" means Microsoft too.
    pub fn is_company_suffix(&self, word: &str) -> bool {
        let word = word.trim_end_matches('.');
        self.company_suffixes.iter().any(|suffix| suffix.eq_ignore_ascii_case(word))
    }
}

/// Everything the extractor knows, compiled.
pub struct Lexicon {
    automaton: NameMatcher,
    patterns: Vec<Known>,
    by_lower_name: LowerNames,
    by_demonym: HashMap<String, Known>,
    /// Names resolved only when the model finds them: `[found.*]` in `aliases.toml`, and the
    /// canonical names `[canonical]` gives in place of the gazetteer's.
    found_only: LowerNames,
    /// The cue words.
    pub rules: Rules,
}

/// Names in lower case to what they name under each kind. Looking a name up lowers its case
/// in a buffer on the stack, not in a new string, and finds it under all kinds at once: the
/// labeller looks up every name it finds and every word in capitals, under several kinds.
#[derive(Default)]
struct LowerNames(HashMap<String, [Option<Known>; 3]>);

/// Names of at most this many bytes are lowered on the stack when they are ASCII.
const SHORT_NAME: usize = 64;

impl LowerNames {
    fn insert(&mut self, kind: Kind, name: &str, known: Known) {
        self.0.entry(name.to_lowercase()).or_default()[kind as usize] = Some(known);
    }

    /// What `name` names under each kind, by `Kind as usize`.
    fn get(&self, name: &str) -> Option<&[Option<Known>; 3]> {
        if name.is_ascii() && name.len() <= SHORT_NAME {
            let mut lower = [0u8; SHORT_NAME];
            for (l, b) in lower.iter_mut().zip(name.bytes()) {
                *l = b.to_ascii_lowercase();
            }
            // ASCII in, ASCII out.
            return self.0.get(std::str::from_utf8(&lower[..name.len()]).ok()?);
        }
        self.0.get(&name.to_lowercase())
    }
}

#[derive(Debug, Deserialize)]
struct AliasFile {
    /// `[person]`, `[org]` and `[place]`: names looked for in text and resolved.
    #[serde(flatten)]
    looked_for: AliasTables,
    /// Gazetteer names given another canonical name, the one news writes.
    #[serde(default)]
    canonical: HashMap<String, String>,
    /// `[found.person]`, `[found.org]` and `[found.place]`: names resolved when the model finds
    /// them, but not looked for in text. What the gazetteer finds in text is a feature of the
    /// model, so a name added to the matcher means retraining it; one added here does not.
    #[serde(default)]
    found: AliasTables,
}

/// Canonical names to their other names, by kind.
#[derive(Debug, Default, Deserialize)]
struct AliasTables {
    #[serde(default)]
    person: HashMap<String, Vec<String>>,
    #[serde(default)]
    org: HashMap<String, Vec<String>>,
    #[serde(default)]
    place: HashMap<String, Vec<String>>,
}

impl AliasTables {
    fn by_kind(&self) -> [(Kind, &HashMap<String, Vec<String>>); 3] {
        [(Kind::Person, &self.person), (Kind::Org, &self.org), (Kind::Place, &self.place)]
    }
}

/// What an alias of `kind` stands for: a place the gazetteer knows (for its country), or a
/// person or organisation named `canonical`.
fn alias_target(entries: &HashMap<String, Known>, kind: Kind, canonical: &str) -> Result<Known> {
    match kind {
        Kind::Place => entries
            .get(canonical)
            .cloned()
            .ok_or_else(|| config_error("aliases.toml", format!("place {canonical:?} is in no gazetteer"))),
        _ => Ok(Known {
            kind,
            canonical: canonical.to_string(),
            country: None,
            capital: false,
            demonym: false,
        }),
    }
}

/// Gives the entries the canonical names of `renames` (as their own name or as their country),
/// leaving the names looked for in text as they are: what the gazetteer finds there is a
/// feature of the model, and changing it would mean retraining the model.
fn rename<'a>(renames: &HashMap<String, String>, entries: impl Iterator<Item = &'a mut Known>) {
    for known in entries {
        if let Some(new) = renames.get(&known.canonical) {
            known.canonical = new.clone();
        }
        if let Some(new) = known.country.as_ref().and_then(|c| renames.get(c)) {
            known.country = Some(new.clone());
        }
    }
}

fn config_error(file: &str, reason: impl Into<String>) -> Error {
    Error::Config { file: format!("index_schema/{file}"), reason: reason.into() }
}

/// Rows of a TSV file, comments and blank lines skipped.
fn rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).map(|l| l.split('\t').collect())
}

impl Lexicon {
    /// The lexicon shipped in the binary.
    pub fn builtin() -> Result<Self> {
        let rules: Rules =
            toml::from_str(RULES).map_err(|e| config_error("entity_rules.toml", e.to_string()))?;
        let aliases: AliasFile =
            toml::from_str(ALIASES).map_err(|e| config_error("aliases.toml", e.to_string()))?;
        let mut entries: HashMap<String, Known> = HashMap::default();
        let place = |canonical: &str, country: &str, capital: bool| Known {
            kind: Kind::Place,
            canonical: canonical.to_string(),
            country: (!country.is_empty()).then(|| country.to_string()),
            capital,
            demonym: false,
        };
        for row in rows(PLACES) {
            let [name, kind, country, ..] = row[..] else {
                return Err(config_error("gazetteer/places.tsv", format!("bad row {row:?}")));
            };
            entries.insert(name.to_string(), place(name, country, kind == "capital"));
        }
        for row in rows(REGIONS) {
            let name = row[0];
            entries.insert(name.to_string(), place(name, row.get(1).copied().unwrap_or(""), false));
        }
        let mut by_demonym = HashMap::default();
        for row in rows(DEMONYMS) {
            let [demonym, country] = row[..] else {
                return Err(config_error("gazetteer/demonyms.tsv", format!("bad row {row:?}")));
            };
            let known = Known { demonym: true, ..place(country, country, false) };
            by_demonym.insert(demonym.to_lowercase(), known.clone());
            entries.entry(demonym.to_string()).or_insert(known);
        }
        for row in rows(ORGANISATIONS) {
            let name = row[0];
            let known = Known {
                kind: Kind::Org,
                canonical: name.to_string(),
                country: None,
                capital: false,
                demonym: false,
            };
            entries.insert(name.to_string(), known);
        }
        let mut by_lower_name = LowerNames::default();
        for known in entries.values().filter(|k| !k.demonym) {
            by_lower_name.insert(known.kind, &known.canonical, known.clone());
        }
        for (kind, table) in aliases.looked_for.by_kind() {
            for (canonical, names) in table {
                let known = alias_target(&entries, kind, canonical)?;
                by_lower_name.insert(kind, canonical, known.clone());
                for name in names {
                    by_lower_name.insert(kind, name, known.clone());
                    entries.insert(name.clone(), known.clone());
                }
            }
        }
        let mut found_only = LowerNames::default();
        for (kind, table) in aliases.found.by_kind() {
            for (canonical, names) in table {
                let known = alias_target(&entries, kind, canonical)?;
                for name in names.iter().chain([canonical]) {
                    found_only.insert(kind, name, known.clone());
                }
            }
        }
        let (names, mut patterns): (Vec<String>, Vec<Known>) = entries.into_iter().unzip();
        let automaton = NameMatcher::new(&names).map_err(|e| config_error("gazetteer", e.to_string()))?;
        let renames = &aliases.canonical;
        let all = by_lower_name.0.values_mut().chain(found_only.0.values_mut()).flatten().flatten();
        rename(renames, patterns.iter_mut().chain(by_demonym.values_mut()).chain(all));
        for (old, new) in renames {
            for known in by_lower_name.get(old).into_iter().flatten().flatten() {
                found_only.insert(known.kind, new, known.clone());
            }
        }
        Ok(Lexicon { automaton, patterns, by_lower_name, by_demonym, found_only, rules })
    }

    /// Every known name in `text`, leftmost-longest, at word boundaries: (start, end, what).
    pub fn find_known<'a>(&'a self, text: &'a str) -> impl Iterator<Item = (usize, usize, &'a Known)> + 'a {
        self.automaton.leftmost_longest(text).filter_map(move |(start, end, pattern)| {
            let before = text[..start].chars().next_back();
            let after = text[end..].chars().next();
            let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
            (boundary(before) && boundary(after)).then(|| (start, end, &self.patterns[pattern]))
        })
    }

    /// Every known name in `text` that starts at one of `starts` (ascending), leftmost-longest:
    /// (start, end, what). The caller checks where a match ends.
    pub fn find_known_from<'a>(
        &'a self,
        text: &'a str,
        starts: &'a [usize],
    ) -> impl Iterator<Item = (usize, usize, &'a Known)> + 'a {
        self.automaton
            .leftmost_longest_from(text, starts)
            .map(move |(start, end, pattern)| (start, end, &self.patterns[pattern]))
    }

    /// Names the shipped data (gazetteers, aliases, cue words) among other versions of it: the
    /// start of the BLAKE3 hash of all of it. Entities extracted with other data have other
    /// canonical names, so an index records it.
    pub fn data_id() -> String {
        let mut hasher = blake3::Hasher::new();
        for data in [PLACES, REGIONS, ORGANISATIONS, DEMONYMS, ALIASES, RULES] {
            hasher.update(&(data.len() as u64).to_le_bytes());
            hasher.update(data.as_bytes());
        }
        hasher.finalize().to_hex()[..12].to_string()
    }

    /// The country a demonym ("Syrian", any case) stands for.
    pub fn demonym(&self, word: &str) -> Option<&Known> {
        self.by_demonym.get(&word.trim().to_lowercase())
    }

    /// The canonical entry for a name as a user types it (any case, aliases resolved).
    pub fn lookup(&self, kind: Kind, name: &str) -> Option<&Known> {
        self.known_as(name).kind(kind)
    }

    /// [`Lexicon::lookup`] under the first of `kinds` that knows the name, with that kind: one
    /// lookup where one a kind would lower the name and probe the table again.
    pub fn lookup_first(&self, kinds: &[Kind], name: &str) -> Option<(Kind, &Known)> {
        self.known_as(name).first(kinds)
    }

    /// What a name is known as under every kind, looked up once: the labeller asks several
    /// questions of each name it finds, and each lookup lowers the name's case and probes the
    /// table (1.5% of a full indexing run's samples went to those lookups).
    pub fn known_as(&self, name: &str) -> KnownAs<'_> {
        let name = name.trim();
        KnownAs(self.by_lower_name.get(name).or_else(|| self.found_only.get(name)))
    }

    /// [`Lexicon::lookup_first`] under the names the gazetteer itself lists, not the canonical
    /// names given in their place: what the labeller's features see of a word in capitals,
    /// which must not move when a canonical name does (the model would need retraining).
    pub fn listed_first(&self, kinds: &[Kind], name: &str) -> Option<(Kind, &Known)> {
        KnownAs(self.by_lower_name.get(name.trim())).first(kinds)
    }
}

/// What one name is known as, by kind (see [`Lexicon::known_as`]).
#[derive(Debug, Clone, Copy)]
pub struct KnownAs<'a>(Option<&'a [Option<Known>; 3]>);

impl<'a> KnownAs<'a> {
    /// The entry under `kind`.
    pub fn kind(self, kind: Kind) -> Option<&'a Known> {
        self.0?[kind as usize].as_ref()
    }

    /// The entry under the first of `kinds` that knows the name, with that kind.
    pub fn first(self, kinds: &[Kind]) -> Option<(Kind, &'a Known)> {
        kinds.iter().find_map(|&k| self.kind(k).map(|known| (k, known)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_found_in_any_case_and_only_under_their_kind() {
        let lexicon = Lexicon::builtin().unwrap();
        for typed in ["Aleppo", "ALEPPO", "aleppo", " Aleppo "] {
            let found = lexicon.lookup(Kind::Place, typed).map(|k| k.canonical.as_str());
            assert_eq!(found, Some("Aleppo"), "{typed:?}");
        }
        let found = lexicon.lookup(Kind::Place, "ÅRHUS").map(|k| k.canonical.as_str());
        assert_eq!(found, Some("Århus"));
        assert!(lexicon.lookup(Kind::Person, "Aleppo").is_none());
        assert!(lexicon.lookup(Kind::Place, "Alepp").is_none());
    }

    #[test]
    fn names_longer_than_the_stack_buffer_are_found_too() {
        let long = format!("The {} Company", "Very ".repeat(20));
        assert!(long.len() > SHORT_NAME);
        let known =
            Known { kind: Kind::Org, canonical: long.clone(), country: None, capital: false, demonym: false };
        let mut names = LowerNames::default();
        names.insert(Kind::Org, &long, known);
        let under = |kind: Kind, name: &str| names.get(name).and_then(|all| all[kind as usize].as_ref());
        assert!(under(Kind::Org, &long.to_uppercase()).is_some());
        assert!(under(Kind::Org, &long[..SHORT_NAME]).is_none());
        assert!(under(Kind::Place, &long).is_none());
    }

    #[test]
    fn every_country_has_one_name_whatever_the_text_calls_it() {
        let lexicon = Lexicon::builtin().unwrap();
        let country = |name: &str| lexicon.lookup(Kind::Place, name).map(|k| k.canonical.clone());
        for name in ["Netherlands", "the Netherlands", "The Netherlands"] {
            assert_eq!(country(name).as_deref(), Some("Netherlands"), "{name}");
        }
        assert_eq!(lexicon.demonym("Dutch").map(|k| k.canonical.as_str()), Some("Netherlands"));
        let amsterdam = lexicon.lookup(Kind::Place, "Amsterdam").unwrap();
        assert_eq!(amsterdam.country.as_deref(), Some("Netherlands"), "its cities count for it");
        // What is looked for in text is the gazetteer's own name: the model's features.
        let found: Vec<&str> =
            lexicon.find_known("The Netherlands").map(|(_, _, k)| k.canonical.as_str()).collect();
        assert_eq!(found, ["Netherlands"]);
        assert_eq!(lexicon.find_known("the Netherlands").count(), 0);
        // A demonym's country is a country the gazetteer knows, so that both count as one.
        for row in rows(DEMONYMS) {
            let known = lexicon.lookup(Kind::Place, row[1]);
            assert!(known.is_some_and(|k| k.canonical == row[1]), "{row:?}");
        }
    }

    #[test]
    fn names_found_only_are_resolved_but_not_looked_for_in_text() {
        let lexicon = Lexicon::builtin().unwrap();
        assert_eq!(lexicon.lookup(Kind::Org, "citigroup").map(|k| k.canonical.as_str()), Some("Citigroup"));
        let frankfurt = lexicon.lookup(Kind::Place, "Frankfurt").unwrap();
        assert_eq!(
            (frankfurt.canonical.as_str(), frankfurt.country.as_deref()),
            ("Frankfurt am Main", Some("Germany"))
        );
        assert_eq!(lexicon.find_known("Citigroup in Frankfurt").count(), 0, "not looked for");
        assert!(lexicon.listed_first(&[Kind::Org, Kind::Place], "CITIGROUP").is_none(), "nor a feature");
    }

    #[test]
    fn a_name_is_looked_up_under_the_first_kind_that_knows_it() {
        let lexicon = Lexicon::builtin().unwrap();
        let kind = |kinds: &[Kind], name: &str| lexicon.lookup_first(kinds, name).map(|(k, _)| k);
        assert_eq!(kind(&[Kind::Person, Kind::Org, Kind::Place], "ALEPPO"), Some(Kind::Place));
        assert_eq!(kind(&[Kind::Person, Kind::Org], "Aleppo"), None);
        assert_eq!(kind(&[Kind::Org, Kind::Place], "UN"), Some(Kind::Org));
        assert_eq!(kind(&[Kind::Place], "nowhere at all"), None);
        let (_, known) = lexicon.lookup_first(&[Kind::Place], " aleppo ").unwrap();
        assert_eq!(known.canonical, "Aleppo");
    }
}
