//! Entity extraction: the people, organisations and places an article mentions, each resolved
//! to one canonical name. Pure Rust and offline: a gazetteer (GeoNames places, organisations,
//! demonyms, aliases) matched with an Aho-Corasick automaton, rules over capitalised words with
//! the cues news prose gives, and an in-article coreference pass that resolves a later short
//! mention ("Kerry") to the full name used elsewhere in the article ("John Kerry"). The spans
//! come either from rules over capitalised words or from a learned sequence labeller
//! ([`model`]); the gazetteer names what either finds.

pub mod eval;
mod lexicon;
pub mod model;
mod names;
mod recognise;
mod spelling;
mod tokens;

pub use lexicon::{Known, Lexicon};
pub use recognise::{Certainty, Mention};
pub use spelling::{known_without_suffix, unknown_name};

use rustc_hash::FxHashMap;

use serde::{Deserialize, Serialize};

use crate::error::Result;

/// The kinds of entity newsdex extracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A person.
    Person,
    /// An organisation: a body, company, agency, armed group, party.
    Org,
    /// A place: a country, city, region or continent.
    Place,
}

impl Kind {
    /// The word used in facets, filters and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Person => "person",
            Kind::Org => "org",
            Kind::Place => "place",
        }
    }
}

/// An entity of one article, with how often the article mentions it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// What it is.
    pub kind: Kind,
    /// Its canonical name.
    pub name: String,
    /// For places: the country they are in (the country itself for a country).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub country: Option<String>,
    /// Mentions in title and body.
    pub mentions: u32,
}

impl Entity {
    /// Actors are people, organisations and countries: a country acts through its government.
    pub fn is_actor(&self) -> bool {
        match self.kind {
            Kind::Person | Kind::Org => true,
            Kind::Place => self.country.as_deref() == Some(self.name.as_str()),
        }
    }
}

/// How names are found in text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// The learned labeller of `index_schema/ner/` (the default: it scores best).
    #[default]
    Model,
    /// Rules over capitalised words and their cues (for comparison).
    Rules,
}

impl Method {
    /// The word used on the command line and in the index's record of its runs.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Model => "model",
            Method::Rules => "rules",
        }
    }
}

/// The entity extractor, built once per process from the data under `index_schema/`.
pub struct Extractor {
    lexicon: Lexicon,
    labeller: Option<model::Labeller>,
}

impl std::fmt::Debug for Extractor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Extractor")
    }
}

impl Extractor {
    /// The rule-based extractor with the shipped gazetteers, aliases and rules.
    pub fn builtin() -> Result<Self> {
        Ok(Extractor { lexicon: Lexicon::builtin()?, labeller: None })
    }

    /// The extractor that finds names by `method`, with the shipped data. The model and the
    /// gazetteer are loaded side by side: each takes a few tens of milliseconds, which every
    /// `newsdex index` run waits for before it reads its first file.
    pub fn new(method: Method) -> Result<Self> {
        let load_model = || match method {
            Method::Rules => Ok(None),
            Method::Model => model::Labeller::builtin()
                .map(Some)
                .map_err(|reason| crate::error::Error::Config { file: model::SHIPPED_PATH.into(), reason }),
        };
        let (labeller, lexicon) = std::thread::scope(|scope| {
            let model = scope.spawn(load_model);
            let lexicon = Lexicon::builtin();
            (model.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), lexicon)
        });
        Ok(Extractor { lexicon: lexicon?, labeller: labeller? })
    }

    /// The extractor with a model read from a file (for evaluating a freshly trained one).
    pub fn with_labeller(labeller: model::Labeller) -> Result<Self> {
        Ok(Extractor { lexicon: Lexicon::builtin()?, labeller: Some(labeller) })
    }

    /// Names this extractor and its data in the index's record ("model 1a2b3c4d5e6f with
    /// gazetteer 0f1e2d3c4b5a", "rules with gazetteer ..."): articles of one index are all
    /// extracted by the same one.
    pub fn identity(&self) -> String {
        let gazetteer = Lexicon::data_id();
        match &self.labeller {
            Some(labeller) => format!("model {} with gazetteer {gazetteer}", labeller.id()),
            None => format!("rules with gazetteer {gazetteer}"),
        }
    }

    /// How this extractor finds names.
    pub fn method(&self) -> Method {
        if self.labeller.is_some() { Method::Model } else { Method::Rules }
    }

    /// The shipped extractor, built once per process and shared (searches resolve filter names
    /// with it; building it takes milliseconds, too many to repeat per query).
    pub fn shared() -> Result<&'static Extractor> {
        static SHARED: std::sync::OnceLock<std::result::Result<Extractor, String>> =
            std::sync::OnceLock::new();
        match SHARED.get_or_init(|| Extractor::builtin().map_err(|e| e.to_string())) {
            Ok(extractor) => Ok(extractor),
            Err(reason) => {
                Err(crate::error::Error::Config { file: "index_schema".into(), reason: reason.clone() })
            }
        }
    }

    /// The lexicon, for resolving names users type in filters.
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// The resolved mentions of each text of one article (title, body), coreference applied
    /// across all of them.
    pub fn mentions(&self, texts: &[&str]) -> Vec<Vec<Mention>> {
        let mut per_text: Vec<Vec<Mention>> = match &self.labeller {
            Some(labeller) => model::mentions(labeller, &self.lexicon, texts),
            None => texts.iter().map(|t| recognise::mentions(&self.lexicon, t)).collect(),
        };
        for mentions in &mut per_text {
            mentions.retain(|m| !self.lexicon.rules.is_not_name(&m.surface));
        }
        let surnames = surname_index(per_text.iter().flatten());
        for mentions in &mut per_text {
            mentions.retain_mut(|m| resolve(m, &surnames));
        }
        per_text
    }

    /// The entities of an article, most mentioned first.
    pub fn extract(&self, title: &str, body: &str) -> Vec<Entity> {
        aggregate(self.mentions(&[title, body]).iter().flatten())
    }
}

/// Surname to full name, from the article's people named with two words or more; a surname
/// shared by two people resolves to neither.
fn surname_index<'a>(mentions: impl Iterator<Item = &'a Mention>) -> FxHashMap<String, Option<String>> {
    let mut index: FxHashMap<String, Option<String>> = FxHashMap::default();
    for m in mentions.filter(|m| m.kind == Kind::Person && m.certainty == Certainty::Sure && m.words >= 2) {
        let Some(last) = m.canonical.split_whitespace().last() else {
            continue;
        };
        let bare = last.split_once('-').filter(|(p, _)| p.len() <= 3 && p.chars().all(char::is_lowercase));
        for key in std::iter::once(last).chain(bare.map(|(_, rest)| rest)) {
            index
                .entry(key.to_string())
                .and_modify(|full| {
                    if full.as_deref() != Some(m.canonical.as_str()) {
                        *full = None;
                    }
                })
                .or_insert_with(|| Some(m.canonical.clone()));
        }
    }
    index
}

/// Resolves a one-word person mention to a full name; drops candidates nothing confirms.
fn resolve(mention: &mut Mention, surnames: &FxHashMap<String, Option<String>>) -> bool {
    if mention.kind != Kind::Person || mention.words != 1 {
        return mention.certainty == Certainty::Sure;
    }
    match surnames.get(&mention.canonical) {
        Some(Some(full)) => {
            mention.canonical = full.clone();
            mention.certainty = Certainty::Sure;
            true
        }
        _ => mention.certainty == Certainty::Sure,
    }
}

/// Counts mentions per entity; a capital acting for its country also counts for the country.
pub fn aggregate<'a>(mentions: impl Iterator<Item = &'a Mention>) -> Vec<Entity> {
    // One table a kind, so that a name already counted is found without a key made for it.
    let mut counts: [FxHashMap<String, Entity>; 3] = Default::default();
    let mut add = |kind: Kind, name: &str, country: Option<&String>| {
        let table = &mut counts[kind as usize];
        match table.get_mut(name) {
            Some(entity) => entity.mentions += 1,
            None => {
                let entity = Entity { kind, name: name.to_string(), country: country.cloned(), mentions: 1 };
                table.insert(name.to_string(), entity);
            }
        }
    };
    for m in mentions {
        add(m.kind, &m.canonical, m.country.as_ref());
        if m.acts_for_country
            && let Some(country) = &m.country
        {
            add(Kind::Place, country, Some(country));
        }
    }
    let mut entities: Vec<Entity> = counts.into_iter().flat_map(|table| table.into_values()).collect();
    entities.sort_by(|a, b| b.mentions.cmp(&a.mentions).then(a.kind.cmp(&b.kind)).then(a.name.cmp(&b.name)));
    entities
}

#[cfg(test)]
mod tests;
