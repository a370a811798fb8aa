//! Which keys of a JSON record (or of Markdown front matter) feed which article field.
//! The defaults cover news-please and the names crawlers commonly write; a corpus with other
//! names is mapped from the command line (`--map body=article_text`) or a config file,
//! without code changes. A user's key is tried first; the defaults remain as fallbacks.

use serde_json::Value;

/// The article fields a record's keys can be mapped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Headline.
    Title,
    /// Article text.
    Body,
    /// Publication date.
    Date,
    /// Outlet name or domain.
    Source,
    /// Canonical URL.
    Url,
    /// Bylines.
    Authors,
    /// Language code.
    Language,
}

const TARGETS: [(&str, Target); 7] = [
    ("title", Target::Title),
    ("body", Target::Body),
    ("date", Target::Date),
    ("source", Target::Source),
    ("url", Target::Url),
    ("authors", Target::Authors),
    ("language", Target::Language),
];

/// Candidate keys per target, tried in order; a key may be a dotted path (`meta.published`).
#[derive(Debug, Clone)]
pub struct FieldMap {
    keys: [Vec<String>; 7],
}

impl Default for FieldMap {
    fn default() -> Self {
        let list = |keys: &[&str]| keys.iter().map(|k| k.to_string()).collect::<Vec<_>>();
        FieldMap {
            keys: [
                list(&["title", "headline"]),
                list(&["maintext", "text", "body", "content", "article", "articleBody", "description"]),
                list(&[
                    "date_publish",
                    "published",
                    "published_at",
                    "publishedAt",
                    "datePublished",
                    "date",
                    "pubDate",
                    "publish_date",
                    "pub_date",
                    "created_at",
                ]),
                list(&["source", "publisher", "source_name", "site_name", "outlet", "source_domain"]),
                list(&["url", "link", "canonical_url", "href"]),
                list(&["authors", "author", "byline", "creator"]),
                list(&["language", "lang"]),
            ],
        }
    }
}

impl FieldMap {
    /// Puts `key` first among the candidates for `target`.
    pub fn prefer(&mut self, target: Target, key: &str) {
        let keys = &mut self.keys[target as usize];
        keys.retain(|k| k != key);
        keys.insert(0, key.to_string());
    }

    /// Applies a `field=key` assignment as written after `--map`.
    pub fn apply_assignment(&mut self, assignment: &str) -> Result<(), String> {
        let (field, key) = assignment
            .split_once('=')
            .ok_or_else(|| format!("--map {assignment:?}: expected FIELD=KEY, e.g. body=article_text"))?;
        let target = target_named(field.trim())?;
        let key = key.trim();
        if key.is_empty() {
            return Err(format!("--map {assignment:?}: the key after '=' is empty"));
        }
        self.prefer(target, key);
        Ok(())
    }

    /// The first value present in `record` for `target`.
    pub fn lookup<'a>(&self, record: &'a Value, target: Target) -> Option<&'a Value> {
        self.keys[target as usize].iter().filter_map(|key| get_path(record, key)).find(|v| !is_empty_value(v))
    }
}

/// Resolves a field name as users write it in `--map` and config files.
pub fn target_named(field: &str) -> Result<Target, String> {
    TARGETS.iter().find(|(name, _)| name.eq_ignore_ascii_case(field)).map(|(_, t)| *t).ok_or_else(|| {
        let names: Vec<&str> = TARGETS.iter().map(|(n, _)| *n).collect();
        format!("unknown article field {field:?}; known fields: {}", names.join(", "))
    })
}

fn get_path<'a>(record: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(record, |value, part| {
        let object = value.as_object()?;
        object.get(part).or_else(|| object.iter().find(|(k, _)| k.eq_ignore_ascii_case(part)).map(|(_, v)| v))
    })
}

fn is_empty_value(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_find_news_please_fields() {
        let map = FieldMap::default();
        let rec = json!({"maintext": "Body", "text": "Other", "date_publish": "2016-04-30 10:00:00"});
        assert_eq!(map.lookup(&rec, Target::Body), Some(&json!("Body")));
        assert_eq!(map.lookup(&rec, Target::Date), Some(&json!("2016-04-30 10:00:00")));
    }

    #[test]
    fn user_mapping_comes_first_and_supports_paths() {
        let mut map = FieldMap::default();
        map.apply_assignment("date=meta.pub_ts").unwrap();
        let rec = json!({"date": "2001-01-01", "meta": {"pub_ts": 1461974400}});
        assert_eq!(map.lookup(&rec, Target::Date), Some(&json!(1461974400)));
    }

    #[test]
    fn bad_assignments_are_explained() {
        let mut map = FieldMap::default();
        assert!(map.apply_assignment("body").unwrap_err().contains("FIELD=KEY"));
        assert!(map.apply_assignment("bodyy=x").unwrap_err().contains("known fields"));
    }

    #[test]
    fn empty_values_fall_through() {
        let map = FieldMap::default();
        let rec = json!({"title": "", "headline": "Real headline"});
        assert_eq!(map.lookup(&rec, Target::Title), Some(&json!("Real headline")));
    }
}
