//! Searching: turning a query string and filters into one tantivy query, running it, and
//! returning hits as plain records (with snippets) that the printers can show without
//! knowing tantivy.

mod build;
pub mod collapse;
pub mod dates;
pub mod facets;
mod hit;
pub mod stats;
mod top_facets;

pub use build::build_query;
pub use build::{UnknownName, unknown_names};
pub use hit::{Hit, Snippet};

use chrono::NaiveDate;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::Query;
use tantivy::snippet::SnippetGenerator;
use tantivy::{DateTime, DocAddress, Order, Searcher, TantivyDocument};

use crate::error::Result;
use crate::index::NewsIndex;

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

/// Entity filters: every name listed must be mentioned (AND), matched case-insensitively
/// after aliases are resolved; a country as a place includes its cities.
#[derive(Debug, Clone, Default)]
pub struct EntityFilters {
    /// `--person`.
    pub persons: Vec<String>,
    /// `--org`.
    pub orgs: Vec<String>,
    /// `--place`.
    pub places: Vec<String>,
    /// `--actor`: a person, organisation or country.
    pub actors: Vec<String>,
}

impl EntityFilters {
    /// No entity filter given.
    pub fn is_empty(&self) -> bool {
        self.persons.is_empty() && self.orgs.is_empty() && self.places.is_empty() && self.actors.is_empty()
    }
}

/// A search as the user asked it, dates already checked.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// Query text in tantivy's syntax; `None`, empty or `*` match every article.
    pub text: Option<String>,
    /// Outlet names (any of them), case-insensitive, aliases resolved.
    pub sources: Vec<String>,
    /// People, organisations, places and actors that must all be mentioned.
    pub entities: EntityFilters,
    /// First day included.
    pub from: Option<NaiveDate>,
    /// Last day included.
    pub to: Option<NaiveDate>,
    /// Hits to return; 0 counts the matches and returns none.
    pub limit: usize,
    /// Hits to skip first.
    pub offset: usize,
    /// Order of hits.
    pub sort: Sort,
    /// Count and show each story once (its earliest version, with the number of versions).
    pub collapse: bool,
    /// Only articles that entered the index after this commit (alerts).
    pub added_after: Option<u64>,
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
    let searcher = index.searcher()?;
    let (query, text_query) = build_query(index, request)?;
    let limit = request.limit;
    if limit == 0 {
        // Only the number (`--count`, `run --all`): no page to rank, read or make snippets of.
        let total = if request.collapse {
            collapse::stories(&searcher, &*query, false)?.len()
        } else {
            searcher.search(&*query, &Count)?
        };
        return Ok(SearchResults { total, hits: Vec::new() });
    }
    let (total, addresses) = if request.collapse {
        collapsed_page(&searcher, &*query, request, limit)?
    } else {
        let (total, page) = top_addresses(&searcher, &*query, request, limit)?;
        (total, page.into_iter().map(|(score, address)| (score, address, None)).collect())
    };
    let snippets = match &request.text {
        Some(t) if !build::is_match_all(t) => {
            Some(SnippetGenerator::create(&searcher, &*text_query, index.fields.body).map(|mut g| {
                g.set_max_num_chars(SNIPPET_CHARS);
                g
            })?)
        }
        _ => None,
    };
    let hits = addresses
        .into_iter()
        .map(|(score, address, versions)| {
            let doc: TantivyDocument = searcher.doc(address)?;
            let mut hit = hit::from_document(&index.fields, &doc, score, snippets.as_ref(), SNIPPET_CHARS);
            hit.versions = versions;
            Ok(hit)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(SearchResults { total, hits })
}

type Page = (usize, Vec<(Option<f32>, DocAddress)>);

/// A story on a page: best score, earliest version, number of versions.
type StoryHit = (Option<f32>, DocAddress, Option<u32>);

/// One page of stories, and the number of stories.
fn collapsed_page(
    searcher: &Searcher,
    query: &dyn Query,
    request: &SearchRequest,
    limit: usize,
) -> Result<(usize, Vec<StoryHit>)> {
    let scored = request.sort == Sort::Relevance;
    let mut stories = collapse::stories(searcher, query, scored)?;
    match request.sort {
        Sort::Relevance => stories.sort_by(|a, b| {
            b.best_score
                .total_cmp(&a.best_score)
                .then((a.earliest_secs, a.earliest).cmp(&(b.earliest_secs, b.earliest)))
        }),
        Sort::Oldest => stories.sort_by_key(|s| (s.earliest_secs, s.earliest)),
        Sort::Newest => stories
            .sort_by_key(|s| (s.earliest_secs == i64::MAX, std::cmp::Reverse(s.earliest_secs), s.earliest)),
    }
    let total = stories.len();
    let page = stories
        .into_iter()
        .skip(request.offset)
        .take(limit)
        .map(|s| (scored.then_some(s.best_score), s.earliest, Some(s.versions)))
        .collect();
    Ok((total, page))
}

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
            let order = if request.sort == Sort::Newest { Order::Desc } else { Order::Asc };
            let by_date = top.order_by_fast_field::<DateTime>("published", order);
            let (total, docs) = searcher.search(query, &(Count, by_date))?;
            (total, docs.into_iter().map(|(_, a)| (None, a)).collect())
        }
    })
}
