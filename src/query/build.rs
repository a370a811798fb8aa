//! Building the tantivy query of a request: the text part parsed in tantivy's syntax over title
//! and body, AND-ed with the filters (sources, entities, date range).

use std::ops::Bound as RangeBound;

use chrono::{NaiveDate, NaiveTime};
use tantivy::DateTime;
use tantivy::collector::Count;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, RegexQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Term};

use super::{EntityFilters, SearchRequest};
use crate::error::{Error, Result};
use crate::extract::SourceRules;
use crate::extract::entities::{Extractor, Kind, Lexicon, known_without_suffix, unknown_name};
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
        refuse_empty_names(&request.entities)?;
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

/// An empty name would match every article that names anyone: it is a mistake to point out.
fn refuse_empty_names(filters: &EntityFilters) -> Result<()> {
    let options = [
        ("--person", &filters.persons),
        ("--org", &filters.orgs),
        ("--place", &filters.places),
        ("--actor", &filters.actors),
    ];
    match options.iter().find(|(_, names)| names.iter().any(|n| n.trim().is_empty())) {
        Some((option, _)) => Err(Error::Usage(format!("{option} needs a name, not an empty value"))),
        None => Ok(()),
    }
}

fn entity_clauses(
    fields: &Fields,
    lexicon: &Lexicon,
    filters: &EntityFilters,
) -> Vec<(Occur, Box<dyn Query>)> {
    let groups: [(&Vec<String>, &[Kind], Field); 4] = [
        (&filters.persons, &[Kind::Person], fields.person),
        (&filters.orgs, &[Kind::Org], fields.org),
        (&filters.places, &[Kind::Place], fields.place),
        (&filters.actors, &[Kind::Person, Kind::Org, Kind::Place], fields.actor),
    ];
    groups
        .into_iter()
        .flat_map(|(names, kinds, field)| {
            names.iter().map(move |name| (filter_names(lexicon, kinds, name), field))
        })
        .map(|(names, facet)| (Occur::Must, named_any(facet, &names)))
        .collect()
}

/// The names a filter's `name` is counted under: the gazetteer's canonical name when it knows
/// it, else the name written as the extractors write a name they do not know, under each of
/// `kinds` ("Microsoft Corp" is the organisation Microsoft, "George W Bush" the person George
/// W. Bush), so that a filter finds what extraction counted.
fn filter_names(lexicon: &Lexicon, kinds: &[Kind], name: &str) -> Vec<String> {
    if let Some(known) = kinds.iter().find_map(|k| lexicon.lookup(*k, name)) {
        return vec![known.canonical.clone()];
    }
    let mut names: Vec<String> = Vec::with_capacity(kinds.len());
    for kind in kinds {
        let known_short = (*kind == Kind::Org).then(|| known_without_suffix(lexicon, name.trim())).flatten();
        let spelled =
            known_short.map_or_else(|| unknown_name(lexicon, *kind, name.trim()), |k| k.canonical.clone());
        if !names.contains(&spelled) {
            names.push(spelled);
        }
    }
    names
}

/// Matches documents whose entity `facet` holds any of `names`.
fn named_any(facet: Field, names: &[String]) -> Box<dyn Query> {
    match names {
        [name] => Box::new(named(facet, name)),
        _ => Box::new(BooleanQuery::new(
            names.iter().map(|n| (Occur::Should, Box::new(named(facet, n)) as Box<dyn Query>)).collect(),
        )),
    }
}

/// Matches documents whose entity `facet` holds `name`, whatever its case: a case-insensitive
/// automaton walked over the facet's term dictionary, so no lower-cased copy of every name
/// needs indexing.
fn named(facet: Field, name: &str) -> RegexQuery {
    let pattern = format!("(?i){}", regex_syntax::escape(name));
    // An escaped literal always compiles; its automaton is a few states per character.
    RegexQuery::from_pattern(&pattern, facet).expect("an escaped name is a valid pattern")
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
    /// The name as resolved: the canonical name when the gazetteer knows it, else as given.
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
    let searcher = index.searcher()?;
    let fields = &index.fields;
    let groups: [(&Vec<String>, &[Kind], Field, &'static str); 4] = [
        (&filters.persons, &[Kind::Person], fields.person, "--person"),
        (&filters.orgs, &[Kind::Org], fields.org, "--org"),
        (&filters.places, &[Kind::Place], fields.place, "--place"),
        (&filters.actors, &[Kind::Person, Kind::Org, Kind::Place], fields.actor, "--actor"),
    ];
    let mut unknown = Vec::new();
    for (names, kinds, field, option) in groups {
        for name in names {
            let mut names = filter_names(lexicon, kinds, name);
            if searcher.search(&named_any(field, &names), &Count)? > 0 {
                continue;
            }
            // The one name it was looked for under, or as typed when it had several spellings.
            let resolved = if names.len() == 1 { names.swap_remove(0) } else { name.trim().to_string() };
            let suggestions = names_containing(&searcher, field, &resolved.to_lowercase())?;
            unknown.push(UnknownName { option, name: resolved, suggestions });
        }
    }
    Ok(unknown)
}

/// Indexed names of `facet` that have `word` (lower-cased) as one of their words.
fn names_containing(searcher: &tantivy::Searcher, facet: Field, word: &str) -> Result<Vec<String>> {
    let mut found = std::collections::BTreeSet::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(facet)?;
        let mut stream = inverted.terms().stream().map_err(|e| Error::Engine(e.into()))?;
        while stream.advance() {
            let name = String::from_utf8_lossy(stream.key());
            if name.to_lowercase().split([' ', '-']).any(|w| w == word) {
                found.insert(name.into_owned());
            }
        }
    }
    Ok(found.into_iter().take(5).collect())
}

#[cfg(test)]
mod tests {
    use tantivy::TantivyDocument;
    use tantivy::schema::Facet;

    use super::*;

    #[test]
    fn filter_names_are_written_as_extraction_writes_them() {
        let lexicon = Extractor::shared().unwrap().lexicon();
        let names = |kinds: &[Kind], name: &str| filter_names(lexicon, kinds, name);
        assert_eq!(names(&[Kind::Org], "Acme Widgets Corp."), ["Acme Widgets"]);
        assert_eq!(names(&[Kind::Org], "Wal-Mart Stores Inc"), ["Wal-Mart"], "the short name is known");
        assert_eq!(names(&[Kind::Org], "UN"), ["United Nations"]);
        assert_eq!(names(&[Kind::Person], "John Q Public"), ["John Q. Public"]);
        let actor = names(&[Kind::Person, Kind::Org, Kind::Place], "Plan B Holdings Ltd");
        assert_eq!(actor, ["Plan B. Holdings Ltd", "Plan B Holdings", "Plan B Holdings Ltd"]);
    }

    #[test]
    fn names_match_whatever_their_case_and_only_whole() {
        let index = NewsIndex::in_memory().unwrap();
        let fields = index.fields;
        let mut writer = index.index.writer_with_num_threads::<TantivyDocument>(1, 15_000_000).unwrap();
        for name in ["St. Petersburg", "AT&T Inc. (US)", "Stx Petersburg", "AC/DC \\ Ltd"] {
            let mut doc = TantivyDocument::default();
            doc.add_facet(fields.place, Facet::from_path([name]));
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.index.reader().unwrap().searcher();
        let count = |name: &str| searcher.search(&named(fields.place, name), &Count).unwrap();
        assert_eq!(count("st. petersburg"), 1, "the dot is a dot, not any character");
        assert_eq!(count("ST. PETERSBURG"), 1);
        assert_eq!(count("at&t inc. (us)"), 1);
        assert_eq!(count("ac/dc \\ ltd"), 1);
        assert_eq!(count("Petersburg"), 0, "a part of a name is not the name");
        assert_eq!(count("St.*"), 0);
    }
}
