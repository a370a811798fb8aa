//! Building the tantivy query of a request: the text part parsed in tantivy's syntax over title
//! and body, AND-ed with the filters (sources, entities, date range).

use std::ops::Bound as RangeBound;

use chrono::{NaiveDate, NaiveTime};
use tantivy::DateTime;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Term};

use super::{EntityFilters, SearchRequest};
use crate::error::{Error, Result};
use crate::extract::SourceRules;
use crate::extract::entities::{Extractor, Kind, Lexicon};
use crate::index::{Fields, NewsIndex};

/// True for an empty query or `*`: every article.
pub fn is_match_all(text: &str) -> bool {
    let t = text.trim();
    t.is_empty() || t == "*"
}

/// The full query of `request`, and its text part alone (for snippets).
pub fn build_query(index: &NewsIndex, request: &SearchRequest) -> Result<(Box<dyn Query>, Box<dyn Query>)> {
    if let (Some(from), Some(to)) = (request.from, request.to)
        && from > to
    {
        return Err(Error::Usage(format!("--from {from} is after --to {to}: no day can match")));
    }
    let text = parse_text(index, request.text.as_deref())?;
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text.box_clone())];
    let fields = &index.fields;
    if !request.sources.is_empty() {
        let rules = SourceRules::shared();
        let names: Vec<String> = request.sources.iter().filter_map(|s| rules.canonical(s)).collect();
        clauses.push((Occur::Must, any_of(fields.source, &names)));
    }
    if !request.entities.is_empty() {
        clauses.extend(entity_clauses(fields, Extractor::shared()?.lexicon(), &request.entities));
    }
    if let Some(commit) = request.added_after {
        let after = Term::from_field_u64(fields.added_in, commit);
        clauses.push((
            Occur::Must,
            Box::new(RangeQuery::new(RangeBound::Excluded(after), RangeBound::Unbounded)),
        ));
    }
    if request.from.is_some() || request.to.is_some() {
        clauses.push((Occur::Must, Box::new(date_range(fields, request.from, request.to))));
    }
    Ok((Box::new(BooleanQuery::new(clauses)), text))
}

/// Parses the text part; words must all match unless OR is written.
fn parse_text(index: &NewsIndex, text: Option<&str>) -> Result<Box<dyn Query>> {
    let text = text.unwrap_or("");
    if is_match_all(text) {
        return Ok(Box::new(AllQuery));
    }
    let fields = &index.fields;
    let mut parser = QueryParser::for_index(&index.index, vec![fields.title, fields.body]);
    parser.set_conjunction_by_default();
    parser.set_field_boost(fields.title, 2.0);
    parser.parse_query(text).map_err(|e| Error::Query { query: text.to_string(), reason: e.to_string() })
}

/// Matches documents whose lower-cased keyword `field` is any of `names`.
fn any_of(field: Field, names: &[String]) -> Box<dyn Query> {
    let terms = names
        .iter()
        .map(|name| {
            let term = Term::from_field_text(field, &name.to_lowercase());
            (Occur::Should, Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>)
        })
        .collect();
    Box::new(BooleanQuery::new(terms))
}

fn entity_clauses(
    fields: &Fields,
    lexicon: &Lexicon,
    filters: &EntityFilters,
) -> Vec<(Occur, Box<dyn Query>)> {
    let resolve = |kinds: &[Kind], name: &str| {
        kinds
            .iter()
            .find_map(|k| lexicon.lookup(*k, name))
            .map(|known| known.canonical.clone())
            .unwrap_or_else(|| name.trim().to_string())
    };
    let groups: [(&Vec<String>, &[Kind], Field); 4] = [
        (&filters.persons, &[Kind::Person], fields.person_key),
        (&filters.orgs, &[Kind::Org], fields.org_key),
        (&filters.places, &[Kind::Place], fields.place_key),
        (&filters.actors, &[Kind::Person, Kind::Org, Kind::Place], fields.actor_key),
    ];
    groups
        .into_iter()
        .flat_map(|(names, kinds, field)| names.iter().map(move |name| (resolve(kinds, name), field)))
        .map(|(name, field)| (Occur::Must, any_of(field, &[name])))
        .collect()
}

fn date_range(fields: &Fields, from: Option<NaiveDate>, to: Option<NaiveDate>) -> RangeQuery {
    let at = |day: NaiveDate| {
        let secs = day.and_time(NaiveTime::MIN).and_utc().timestamp();
        Term::from_field_date_for_search(fields.published, DateTime::from_timestamp_secs(secs))
    };
    let lower = from.map_or(RangeBound::Unbounded, |d| RangeBound::Included(at(d)));
    let upper = to.and_then(|d| d.succ_opt()).map_or(RangeBound::Unbounded, |d| RangeBound::Excluded(at(d)));
    if matches!(lower, RangeBound::Unbounded) && matches!(upper, RangeBound::Unbounded) {
        // `--to` on the last representable day: every dated article.
        RangeQuery::new(RangeBound::Included(at(NaiveDate::MIN)), RangeBound::Unbounded)
    } else {
        RangeQuery::new(lower, upper)
    }
}

/// A filter name that no indexed article mentions, with indexed names that contain it as a
/// word: `--actor kerry` suggests `john kerry`, so an empty result explains itself.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownName {
    /// The option: `--actor`, `--person`, `--org` or `--place`.
    pub option: &'static str,
    /// The name as resolved (lower-cased).
    pub name: String,
    /// Indexed names containing it, up to five.
    pub suggestions: Vec<String>,
}

/// The filter names of `filters` that match no article.
pub fn unknown_names(index: &NewsIndex, filters: &EntityFilters) -> Result<Vec<UnknownName>> {
    if filters.is_empty() {
        return Ok(Vec::new());
    }
    let lexicon = Extractor::shared()?.lexicon();
    let searcher = index.index.reader()?.searcher();
    let fields = &index.fields;
    let groups: [(&Vec<String>, &[Kind], Field, &'static str); 4] = [
        (&filters.persons, &[Kind::Person], fields.person_key, "--person"),
        (&filters.orgs, &[Kind::Org], fields.org_key, "--org"),
        (&filters.places, &[Kind::Place], fields.place_key, "--place"),
        (&filters.actors, &[Kind::Person, Kind::Org, Kind::Place], fields.actor_key, "--actor"),
    ];
    let mut unknown = Vec::new();
    for (names, kinds, field, option) in groups {
        for name in names {
            let resolved = kinds
                .iter()
                .find_map(|k| lexicon.lookup(*k, name))
                .map(|known| known.canonical.to_lowercase())
                .unwrap_or_else(|| name.trim().to_lowercase());
            if searcher.doc_freq(&Term::from_field_text(field, &resolved))? > 0 {
                continue;
            }
            let suggestions = keys_containing(&searcher, field, &resolved)?;
            unknown.push(UnknownName { option, name: resolved, suggestions });
        }
    }
    Ok(unknown)
}

fn keys_containing(searcher: &tantivy::Searcher, field: Field, word: &str) -> Result<Vec<String>> {
    let mut found = std::collections::BTreeSet::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted.terms().stream().map_err(|e| Error::Engine(e.into()))?;
        while stream.advance() {
            let key = String::from_utf8_lossy(stream.key());
            if key.split([' ', '-']).any(|w| w == word) {
                found.insert(key.into_owned());
            }
        }
    }
    Ok(found.into_iter().take(5).collect())
}
