//! A search hit as plain data: every stored field of the article, its score and a snippet.
//! The shown publication's fields (id, source, date, URL, path, authors...) are read from the
//! stored list of publications, where the index keeps them once.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tantivy::TantivyDocument;
use tantivy::schema::{Field, Value};
use tantivy::snippet::SnippetGenerator;

use crate::article::Publication;
use crate::extract::entities::Entity;
use crate::index::Fields;

/// A passage of the body around the matched words.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Snippet {
    /// The passage, plain text.
    pub text: String,
    /// Byte ranges of `text` that matched the query.
    pub highlights: Vec<(usize, usize)>,
}

/// One matching article.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Stable article id.
    pub id: String,
    /// Relevance score (absent when sorted by date).
    pub score: Option<f32>,
    /// Headline.
    pub title: String,
    /// Outlet.
    pub source: Option<String>,
    /// Publication moment, UTC.
    pub published: Option<DateTime<Utc>>,
    /// `day` or `time`.
    pub date_precision: Option<String>,
    /// Where the date came from.
    pub date_origin: Option<String>,
    /// Where the source came from.
    pub source_origin: Option<String>,
    /// Article URL.
    pub url: Option<String>,
    /// File it was read from.
    pub path: String,
    /// Bylines.
    pub authors: Vec<String>,
    /// Language code.
    pub language: Option<String>,
    /// Format read.
    pub format: String,
    /// Words in title and body.
    pub word_count: u64,
    /// Hash of the normalised text.
    pub content_hash: String,
    /// Passage with the matched words.
    pub snippet: Snippet,
    /// People, organisations and places mentioned, most mentioned first.
    pub entities: Vec<Entity>,
    /// With `--collapse`: the versions of this story among the matches (this one the earliest).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub versions: Option<u32>,
    /// Every place the same text was found (the shown one first).
    pub publications: Vec<Publication>,
    /// Lines taken out of the body as the outlet's furniture.
    pub furniture: Vec<String>,
    /// Full text.
    pub body: String,
}

fn text(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field).and_then(|v| v.as_str().map(str::to_string))
}

/// Builds a hit from a stored document.
pub fn from_document(
    fields: &Fields,
    doc: &TantivyDocument,
    score: Option<f32>,
    snippets: Option<&SnippetGenerator>,
    max_chars: usize,
) -> Hit {
    let body = text(doc, fields.body).unwrap_or_default();
    let snippet = snippets
        .map(|g| g.snippet(&body))
        .filter(|s| !s.is_empty())
        .map(|s| Snippet {
            text: s.fragment().to_string(),
            highlights: s.highlighted().iter().map(|r| (r.start, r.end)).collect(),
        })
        .unwrap_or_else(|| Snippet { text: lead(&body, max_chars), highlights: Vec::new() });
    let publications: Vec<Publication> =
        text(doc, fields.publications).and_then(|json| serde_json::from_str(&json).ok()).unwrap_or_default();
    // The shown publication is the first; the index stores each publication's fields once, there.
    let shown = publications.first().cloned().unwrap_or_default();
    Hit {
        id: shown.id,
        score,
        title: text(doc, fields.title).unwrap_or_default(),
        source: shown.source,
        published: shown.published.and_then(|p| DateTime::<Utc>::from_timestamp(p.at.timestamp(), 0)),
        date_precision: shown.published.map(|p| p.precision.as_str().to_string()),
        date_origin: shown.date_origin.map(|o| o.as_str().to_string()),
        source_origin: shown.source_origin.map(|o| o.as_str().to_string()),
        url: shown.url,
        path: shown.path,
        authors: shown.authors,
        language: shown.language,
        format: shown.format,
        word_count: doc.get_first(fields.word_count).and_then(|v| v.as_u64()).unwrap_or(0),
        content_hash: text(doc, fields.content_hash).unwrap_or_default(),
        snippet,
        versions: None,
        furniture: doc.get_all(fields.furniture).filter_map(|v| v.as_str().map(str::to_string)).collect(),
        publications,
        entities: text(doc, fields.entities)
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default(),
        body,
    }
}

/// The start of the text, cut at a word boundary, whitespace collapsed.
fn lead(body: &str, max_chars: usize) -> String {
    let mut out = String::new();
    for word in body.split_whitespace() {
        if out.chars().count() + word.chars().count() + 1 > max_chars {
            out.push_str(" …");
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}
