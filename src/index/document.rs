//! Turning a normalised article into a tantivy document and back. The way back exists so
//! that an article already in the index can be written again with one publication more or
//! less (a duplicate found, a file changed) without reading its files again.

use std::collections::BTreeSet;

use tantivy::schema::{Facet, Value};
use tantivy::{DateTime, TantivyDocument};

use super::Fields;
use crate::article::Article;
use crate::extract::entities::{Entity, Kind};

/// The document for `article`; unknown values are left out rather than stored empty.
pub fn to_document(fields: &Fields, article: &Article) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    let shown = &article.publication;
    doc.add_text(fields.id, &shown.id);
    doc.add_text(fields.title, &article.title);
    doc.add_text(fields.body, &article.body);
    doc.add_text(fields.format, &shown.format);
    doc.add_text(fields.content_hash, &article.content_hash);
    doc.add_u64(fields.word_count, article.word_count);
    for publication in article.publications() {
        doc.add_text(fields.path, &publication.path);
        if let Some(url) = &publication.url {
            doc.add_text(fields.url, url);
        }
    }
    let all: Vec<_> = article.publications().collect();
    doc.add_text(fields.publications, serde_json::to_string(&all).expect("publications serialise"));
    if let Some(source) = &shown.source {
        doc.add_text(fields.source, source);
        doc.add_facet(fields.source_facet, Facet::from_path([source.as_str()]));
    }
    if let Some(origin) = shown.source_origin {
        doc.add_text(fields.source_origin, origin.as_str());
    }
    if let Some(published) = shown.published {
        doc.add_date(fields.published, DateTime::from_timestamp_secs(published.at.timestamp()));
        doc.add_text(fields.date_precision, published.precision.as_str());
    }
    if let Some(origin) = shown.date_origin {
        doc.add_text(fields.date_origin, origin.as_str());
    }
    for author in &shown.authors {
        doc.add_text(fields.authors, author);
    }
    if let Some(language) = &shown.language {
        doc.add_text(fields.language, language);
    }
    for line in &article.furniture {
        doc.add_text(fields.furniture, line);
    }
    doc.add_text(fields.story, &article.story);
    doc.add_u64(fields.story_key, story_key(&article.story));
    doc.add_u64(fields.added_in, article.added_in);
    add_entities(&mut doc, fields, &article.entities);
    doc
}

/// The article a stored document holds; `None` for a document newsdex did not write.
pub fn from_document(fields: &Fields, doc: &TantivyDocument) -> Option<Article> {
    let text = |field| doc.get_first(field).and_then(|v| v.as_str().map(str::to_string));
    let mut publications: Vec<crate::article::Publication> =
        serde_json::from_str(&text(fields.publications)?).ok()?;
    if publications.is_empty() {
        return None;
    }
    let publication = publications.remove(0);
    let article = Article {
        publication,
        others: publications,
        title: text(fields.title).unwrap_or_default(),
        body: text(fields.body).unwrap_or_default(),
        word_count: doc.get_first(fields.word_count).and_then(|v| v.as_u64()).unwrap_or(0),
        content_hash: text(fields.content_hash)?,
        entities: text(fields.entities).and_then(|j| serde_json::from_str(&j).ok()).unwrap_or_default(),
        entities_not_extracted: false,
        exact_text: None,
        furniture: doc.get_all(fields.furniture).filter_map(|v| v.as_str().map(str::to_string)).collect(),
        // Not in the index: a new text's sketch goes to the sketch journal, and an article
        // read back is only ever written again under the story it has.
        sketch: None,
        story: text(fields.story).unwrap_or_default(),
        added_in: doc.get_first(fields.added_in).and_then(|v| v.as_u64()).unwrap_or(0),
    };
    Some(article)
}

/// The story as a number, for grouping versions quickly (`--collapse`).
pub fn story_key(story: &str) -> u64 {
    u64::from_le_bytes(blake3::hash(story.as_bytes()).as_bytes()[..8].try_into().expect("8 bytes"))
}

/// Entities go in two forms: stored JSON for display, and facets for counting and filtering.
/// A place also counts for, and is found by, its country.
fn add_entities(doc: &mut TantivyDocument, fields: &Fields, entities: &[Entity]) {
    if entities.is_empty() {
        return;
    }
    doc.add_text(fields.entities, serde_json::to_string(entities).expect("entities serialise"));
    let mut places: BTreeSet<&str> = BTreeSet::new();
    for entity in entities {
        let name = entity.name.as_str();
        let facet = match entity.kind {
            Kind::Person => fields.person,
            Kind::Org => fields.org,
            Kind::Place => {
                places.insert(name);
                places.extend(entity.country.as_deref());
                continue;
            }
        };
        doc.add_facet(facet, Facet::from_path([name]));
        if entity.is_actor() {
            doc.add_facet(fields.actor, Facet::from_path([name]));
        }
    }
    for place in places {
        doc.add_facet(fields.place, Facet::from_path([place]));
    }
    for country in entities.iter().filter(|e| e.kind == Kind::Place && e.is_actor()) {
        doc.add_facet(fields.actor, Facet::from_path([country.name.as_str()]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::{DatePrecision, Origin, Publication, Published};
    use crate::index::SchemaSpec;

    #[test]
    fn an_article_survives_the_round_trip_through_a_document() {
        let schema = SchemaSpec::builtin().unwrap().build().unwrap();
        let fields = Fields::resolve(&schema).unwrap();
        let publication = Publication {
            id: "https://x.example/a".into(),
            path: "/corpus/a.json".into(),
            url: Some("https://x.example/a".into()),
            source: Some("Cedar Post".into()),
            source_origin: Some(Origin::Metadata),
            published: Some(Published {
                at: "2016-05-01T10:00:00Z".parse().unwrap(),
                precision: DatePrecision::Time,
            }),
            date_origin: Some(Origin::Metadata),
            authors: vec!["Tom Avery".into()],
            language: Some("en".into()),
            format: "json".into(),
        };
        let mut article = Article {
            publication: publication.clone(),
            others: Vec::new(),
            title: "Title".into(),
            body: "Body about Aleppo and the Geneva talks while the ceasefire holds".into(),
            word_count: 4,
            content_hash: "0123456789abcdef0123456789abcdef".into(),
            entities: vec![Entity {
                kind: Kind::Place,
                name: "Aleppo".into(),
                country: Some("Syria".into()),
                mentions: 1,
            }],
            entities_not_extracted: false,
            exact_text: None,
            furniture: vec!["Sign up for our newsletter".into()],
            sketch: None,
            story: "https://x.example/a".into(),
            added_in: 3,
        };
        article.add_publication(Publication {
            id: "/corpus/b.txt".into(),
            path: "/corpus/b.txt".into(),
            url: None,
            ..publication
        });
        let doc = to_document(&fields, &article);
        assert_eq!(from_document(&fields, &doc), Some(article));
        let paths: Vec<&str> = doc.get_all(fields.path).filter_map(|v| v.as_str()).collect();
        assert_eq!(paths, ["/corpus/b.txt", "/corpus/a.json"]);
    }
}
