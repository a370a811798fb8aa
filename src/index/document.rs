//! Turning a normalised article into a tantivy document.

use std::collections::BTreeSet;

use tantivy::schema::Facet;
use tantivy::{DateTime, TantivyDocument};

use super::Fields;
use crate::article::Article;
use crate::extract::entities::{Entity, Kind};

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
    if let Some(source) = &article.source {
        doc.add_facet(fields.source_facet, Facet::from_path([source.as_str()]));
    }
    add_entities(&mut doc, fields, &article.entities);
    doc
}

/// Entities go in three forms: stored JSON for display, facets for counting, and lower-cased
/// keys for case-insensitive filtering. A place also counts for, and is found by, its country.
fn add_entities(doc: &mut TantivyDocument, fields: &Fields, entities: &[Entity]) {
    if entities.is_empty() {
        return;
    }
    doc.add_text(
        fields.entities,
        serde_json::to_string(entities).expect("entities serialise"),
    );
    let mut places: BTreeSet<&str> = BTreeSet::new();
    for entity in entities {
        let name = entity.name.as_str();
        let (facet, key) = match entity.kind {
            Kind::Person => (fields.person, fields.person_key),
            Kind::Org => (fields.org, fields.org_key),
            Kind::Place => {
                places.insert(name);
                places.extend(entity.country.as_deref());
                continue;
            }
        };
        doc.add_facet(facet, Facet::from_path([name]));
        doc.add_text(key, name);
        if entity.is_actor() {
            doc.add_facet(fields.actor, Facet::from_path([name]));
            doc.add_text(fields.actor_key, name);
        }
    }
    for place in places {
        doc.add_facet(fields.place, Facet::from_path([place]));
        doc.add_text(fields.place_key, place);
    }
    for country in entities
        .iter()
        .filter(|e| e.kind == Kind::Place && e.is_actor())
    {
        doc.add_facet(fields.actor, Facet::from_path([country.name.as_str()]));
        doc.add_text(fields.actor_key, &country.name);
    }
}
