//! Searching: turning a query string and filters into one tantivy query, running it, and
//! returning hits as plain records (with snippets) that the printers can show without
//! knowing tantivy.

pub mod dates;
mod hit;

pub use hit::{Hit, Snippet};

use std::ops::Bound as RangeBound;

use chrono::{NaiveDate, NaiveTime};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Term};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DateTime, DocAddress, Order, Searcher, TantivyDocument};

use crate::error::{Error, Result};
use crate::extract::SourceRules;
use crate::index::{Fields, NewsIndex};

/// How hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Best match first (BM25, title matches weigh double).
    #[default]
    Relevance,
    /// Latest publication first; undated articles last.
    Newest,
    /// Earliest publication first; undated articles last.
    Oldest,
}

/// A search as the user asked it, dates already checked.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// Query text in tantivy's syntax; `None`, empty or `*` match every article.
    pub text: Option<String>,
    /// Outlet names (any of them), case-insensitive, aliases resolved.
    pub sources: Vec<String>,
    /// First day included.
    pub from: Option<NaiveDate>,
    /// Last day included.
    pub to: Option<NaiveDate>,
    /// Hits to return.
    pub limit: usize,
    /// Hits to skip first.
    pub offset: usize,
    /// Order of hits.
    pub sort: Sort,
}

/// The answer to a search.
#[derive(Debug)]
pub struct SearchResults {
    /// Articles matching, all of them, not only those returned.
    pub total: usize,
    /// The requested page of hits.
    pub hits: Vec<Hit>,
}

/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 220;

/// Runs `request` against `index`.
pub fn search(index: &NewsIndex, request: &SearchRequest) -> Result<SearchResults> {
    if let (Some(from), Some(to)) = (request.from, request.to)
        && from > to
    {
        return Err(Error::Usage(format!(
            "--from {from} is after --to {to}: no day can match"
        )));
    }
    let reader = index.index.reader()?;
    let searcher = reader.searcher();
    let text_query = parse_text(index, request.text.as_deref())?;
    let query = with_filters(&index.fields, text_query.box_clone(), request);
    let limit = request.limit.max(1);
    let (total, addresses) = top_addresses(&searcher, &*query, request, limit)?;
    let snippets = match &request.text {
        Some(t) if !is_match_all(t) => Some(
            SnippetGenerator::create(&searcher, &*text_query, index.fields.body).map(|mut g| {
                g.set_max_num_chars(SNIPPET_CHARS);
                g
            })?,
        ),
        _ => None,
    };
    let hits = addresses
        .into_iter()
        .map(|(score, address)| {
            let doc: TantivyDocument = searcher.doc(address)?;
            Ok(hit::from_document(
                &index.fields,
                &doc,
                score,
                snippets.as_ref(),
                SNIPPET_CHARS,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let hits = if request.limit == 0 { Vec::new() } else { hits };
    Ok(SearchResults { total, hits })
}

fn is_match_all(text: &str) -> bool {
    let t = text.trim();
    t.is_empty() || t == "*"
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
    parser.parse_query(text).map_err(|e| Error::Query {
        query: text.to_string(),
        reason: e.to_string(),
    })
}

fn with_filters(fields: &Fields, text: Box<dyn Query>, request: &SearchRequest) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text)];
    if !request.sources.is_empty() {
        let rules = SourceRules::builtin();
        let any_source: Vec<(Occur, Box<dyn Query>)> = request
            .sources
            .iter()
            .filter_map(|s| rules.canonical(s))
            .map(|name| {
                let term = Term::from_field_text(fields.source, &name.to_lowercase());
                (
                    Occur::Should,
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>,
                )
            })
            .collect();
        clauses.push((Occur::Must, Box::new(BooleanQuery::new(any_source))));
    }
    if request.from.is_some() || request.to.is_some() {
        let at = |day: NaiveDate| {
            let secs = day.and_time(NaiveTime::MIN).and_utc().timestamp();
            Term::from_field_date_for_search(fields.published, DateTime::from_timestamp_secs(secs))
        };
        let lower = request
            .from
            .map_or(RangeBound::Unbounded, |d| RangeBound::Included(at(d)));
        let upper = request
            .to
            .and_then(|d| d.succ_opt())
            .map_or(RangeBound::Unbounded, |d| RangeBound::Excluded(at(d)));
        let range =
            if matches!(lower, RangeBound::Unbounded) && matches!(upper, RangeBound::Unbounded) {
                // `--to` on the last representable day: every dated article.
                RangeQuery::new(
                    RangeBound::Included(at(NaiveDate::MIN)),
                    RangeBound::Unbounded,
                )
            } else {
                RangeQuery::new(lower, upper)
            };
        clauses.push((Occur::Must, Box::new(range)));
    }
    Box::new(BooleanQuery::new(clauses))
}

type Page = (usize, Vec<(Option<f32>, DocAddress)>);

fn top_addresses(
    searcher: &Searcher,
    query: &dyn Query,
    request: &SearchRequest,
    limit: usize,
) -> Result<Page> {
    let top = TopDocs::with_limit(limit).and_offset(request.offset);
    Ok(match request.sort {
        Sort::Relevance => {
            let (total, docs) = searcher.search(query, &(Count, top.order_by_score()))?;
            (total, docs.into_iter().map(|(s, a)| (Some(s), a)).collect())
        }
        Sort::Newest | Sort::Oldest => {
            let order = if request.sort == Sort::Newest {
                Order::Desc
            } else {
                Order::Asc
            };
            let by_date = top.order_by_fast_field::<DateTime>("published", order);
            let (total, docs) = searcher.search(query, &(Count, by_date))?;
            (total, docs.into_iter().map(|(_, a)| (None, a)).collect())
        }
    })
}
