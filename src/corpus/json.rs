//! JSON and JSON Lines readers. Both share the record format (a crawler's article object,
//! read through the [`FieldMap`]) and differ only in framing: one document holding an object
//! or an array, or one object per line where a broken line is reported and the rest kept.

use serde_json::Value;

use super::fieldmap::{FieldMap, Target};
use super::{FileArticles, RawArticle, RecordProblem, Skip, is_blank, split_authors};

/// Reads a JSON document: one article object, an array of them, or a wrapper object whose
/// only list of objects holds the articles (`{"articles": [...]}` as news APIs return).
pub fn read_document(text: &str, map: &FieldMap, out: &mut FileArticles) -> Result<(), Skip> {
    let value: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| Skip::Malformed(format!("invalid JSON: {e}")))?;
    match value {
        Value::Array(items) => read_items(&items, map, out),
        Value::Object(_) => {
            let article = record_to_article(&value, map);
            if !is_blank(&article) {
                out.articles.push(article);
            } else if let Some(items) = sole_list_of_objects(&value) {
                read_items(items, map, out);
            } else {
                out.problems.push(RecordProblem {
                    place: "document".into(),
                    reason: "no title and no body (see --map to name the fields)".into(),
                });
            }
        }
        _ => {
            return Err(Skip::Malformed("JSON is neither an object nor an array".into()));
        }
    }
    Ok(())
}

fn read_items(items: &[Value], map: &FieldMap, out: &mut FileArticles) {
    for (i, item) in items.iter().enumerate() {
        let place = format!("element {i}");
        push_record(item, map, place, i.to_string(), out);
    }
}

/// Reads JSON Lines: one object per non-empty line.
pub fn read_lines(text: &str, map: &FieldMap, out: &mut FileArticles) {
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let number = i + 1;
        let place = format!("line {number}");
        match serde_json::from_str::<Value>(line) {
            Ok(value) => push_record(&value, map, place, format!("L{number}"), out),
            Err(e) => out.problems.push(RecordProblem { place, reason: format!("invalid JSON: {e}") }),
        }
    }
}

fn push_record(value: &Value, map: &FieldMap, place: String, locator: String, out: &mut FileArticles) {
    if !value.is_object() {
        out.problems.push(RecordProblem { place, reason: "not a JSON object".into() });
        return;
    }
    let mut article = record_to_article(value, map);
    if is_blank(&article) {
        out.problems.push(RecordProblem {
            place,
            reason: "no title and no body (see --map to name the fields)".into(),
        });
        return;
    }
    article.locator = Some(locator);
    out.articles.push(article);
}

fn sole_list_of_objects(value: &Value) -> Option<&Vec<Value>> {
    let mut lists = value
        .as_object()?
        .values()
        .filter_map(Value::as_array)
        .filter(|a| !a.is_empty() && a.iter().all(Value::is_object));
    let first = lists.next()?;
    lists.next().is_none().then_some(first)
}

/// Turns one record (a JSON object, or front matter converted to JSON) into a raw article.
pub fn record_to_article(record: &Value, map: &FieldMap) -> RawArticle {
    let text = |target| map.lookup(record, target).and_then(as_text);
    RawArticle {
        title: text(Target::Title).unwrap_or_default(),
        body: text(Target::Body).unwrap_or_default(),
        url: text(Target::Url),
        date: map.lookup(record, Target::Date).and_then(as_date_text),
        source: text(Target::Source),
        authors: map.lookup(record, Target::Authors).map(as_names).unwrap_or_default(),
        language: text(Target::Language),
        locator: None,
    }
}

/// A value as text: strings as they are, paragraph arrays joined, objects by their `name`.
fn as_text(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items.iter().filter_map(as_text).collect::<Vec<_>>().join("\n\n"),
        Value::Object(o) => o.get("name").and_then(as_text)?,
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// A date value as text; numbers are Unix timestamps (seconds, or milliseconds when large),
/// marked with `@` so the date parser knows them apart from years.
fn as_date_text(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => Some(format!("@{n}")),
        Value::Object(o) => o.get("$date").and_then(as_date_text),
        other => as_text(other),
    }
}

fn as_names(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().filter_map(as_text).flat_map(|s| split_authors(&s)).collect(),
        other => as_text(other).map(|s| split_authors(&s)).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> FileArticles {
        let mut out = FileArticles::default();
        read_lines(text, &FieldMap::default(), &mut out);
        out
    }

    #[test]
    fn news_please_record() {
        let mut out = FileArticles::default();
        let doc = r#"{"title": "T", "maintext": "B", "date_publish": "2016-04-30 10:00:00",
            "source_domain": "www.middleeasteye.net", "url": "https://x/y", "authors": ["A B", "C D"],
            "language": "en"}"#;
        read_document(doc, &FieldMap::default(), &mut out).unwrap();
        let a = &out.articles[0];
        assert_eq!((a.title.as_str(), a.body.as_str()), ("T", "B"));
        assert_eq!(a.date.as_deref(), Some("2016-04-30 10:00:00"));
        assert_eq!(a.source.as_deref(), Some("www.middleeasteye.net"));
        assert_eq!(a.authors, vec!["A B", "C D"]);
        assert_eq!(a.language.as_deref(), Some("en"));
    }

    #[test]
    fn broken_line_is_reported_and_others_kept() {
        let out =
            lines("{\"title\":\"a\",\"text\":\"x\"}\n{\"title\": broken\n\n{\"title\":\"c\"}\n{\"id\":5}\n");
        let titles: Vec<_> = out.articles.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(titles, ["a", "c"]);
        assert_eq!(out.articles[1].locator.as_deref(), Some("L4"));
        let places: Vec<_> = out.problems.iter().map(|p| p.place.as_str()).collect();
        assert_eq!(places, ["line 2", "line 5"]);
        assert!(out.problems[1].reason.contains("no title and no body"));
    }

    #[test]
    fn arrays_wrappers_and_source_objects() {
        let mut out = FileArticles::default();
        let doc = r#"{"status":"ok","articles":[{"title":"a","source":{"id":null,"name":"Al Jazeera"},
            "publishedAt":"2016-05-01T08:00:00Z","author":"X Y, Z W"}]}"#;
        read_document(doc, &FieldMap::default(), &mut out).unwrap();
        assert_eq!(out.articles[0].source.as_deref(), Some("Al Jazeera"));
        assert_eq!(out.articles[0].authors, vec!["X Y", "Z W"]);
        assert_eq!(out.articles[0].locator.as_deref(), Some("0"));
    }

    #[test]
    fn numeric_dates_are_marked_as_timestamps() {
        let out = lines("{\"title\":\"a\",\"date\":1461974400}\n");
        assert_eq!(out.articles[0].date.as_deref(), Some("@1461974400"));
    }

    #[test]
    fn invalid_document_is_malformed() {
        let mut out = FileArticles::default();
        let err = read_document("{\"title\": ", &FieldMap::default(), &mut out).unwrap_err();
        assert!(matches!(err, Skip::Malformed(m) if m.contains("invalid JSON")));
    }
}
