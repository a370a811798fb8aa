//! Turning a normalised article into a tantivy document.

use tantivy::{DateTime, TantivyDocument};

use super::Fields;
use crate::article::Article;

/// The document for `article`; unknown values are left out rather than stored empty.
pub fn to_document(fields: &Fields, article: &Article) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.id, &article.id);
    doc.add_text(fields.path, &article.path);
    doc.add_text(fields.title, &article.title);
    doc.add_text(fields.body, &article.body);
    doc.add_text(fields.format, article.format);
    doc.add_text(fields.content_hash, &article.content_hash);
    doc.add_u64(fields.word_count, article.word_count);
    if let Some(url) = &article.url {
        doc.add_text(fields.url, url);
    }
    if let Some(source) = &article.source {
        doc.add_text(fields.source, source);
    }
    if let Some(origin) = article.source_origin {
        doc.add_text(fields.source_origin, origin.as_str());
    }
    if let Some(published) = article.published {
        doc.add_date(
            fields.published,
            DateTime::from_timestamp_secs(published.at.timestamp()),
        );
        doc.add_text(fields.date_precision, published.precision.as_str());
    }
    if let Some(origin) = article.date_origin {
        doc.add_text(fields.date_origin, origin.as_str());
    }
    for author in &article.authors {
        doc.add_text(fields.authors, author);
    }
    if let Some(language) = &article.language {
        doc.add_text(fields.language, language);
    }
    doc
}
