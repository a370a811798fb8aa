//! Markdown reader: YAML (`---`) or TOML (`+++`) front matter read through the same
//! [`FieldMap`] as JSON records, and the text after it as the body, with Markdown markup
//! reduced to plain words (headings, emphasis, links, images).

use serde_json::Value;
use yaml_rust2::{Yaml, YamlLoader};

use super::fieldmap::FieldMap;
use super::json::record_to_article;
use super::{RawArticle, Skip};

/// Reads a Markdown article; front matter that does not parse makes the file malformed.
pub fn read(text: &str, map: &FieldMap) -> Result<Option<RawArticle>, Skip> {
    let text = text.trim_start_matches('\u{feff}');
    let (meta, body) = split_front_matter(text)?;
    let mut article = match &meta {
        Some(record) => record_to_article(record, map),
        None => RawArticle::default(),
    };
    let mut lines: Vec<&str> = body.lines().collect();
    if article.title.is_empty()
        && let Some(i) = lines.iter().position(|l| l.trim_start().starts_with('#'))
    {
        article.title = strip_inline(lines[i].trim_start().trim_start_matches('#').trim());
        lines.remove(i);
    }
    let body_text = lines.iter().map(|l| strip_line(l)).collect::<Vec<_>>().join("\n");
    let body_text = body_text.trim().to_string();
    if !body_text.is_empty() {
        article.body = body_text;
    }
    Ok((!super::is_blank(&article)).then_some(article))
}

/// Splits off the front matter and converts it to a JSON object.
fn split_front_matter(text: &str) -> Result<(Option<Value>, &str), Skip> {
    for fence in ["---", "+++"] {
        let Some(rest) =
            text.strip_prefix(fence).and_then(|r| r.strip_prefix('\n').or_else(|| r.strip_prefix("\r\n")))
        else {
            continue;
        };
        let end = rest
            .match_indices(fence)
            .find(|(i, _)| *i == 0 || rest.as_bytes()[i - 1] == b'\n')
            .map(|(i, _)| i)
            .ok_or_else(|| Skip::Malformed(format!("front matter opened with {fence} is never closed")))?;
        let front = &rest[..end];
        let after = rest[end + fence.len()..].trim_start_matches(['\r', '\n']);
        let value = if fence == "---" { parse_yaml(front)? } else { parse_toml(front)? };
        return Ok((Some(value), after));
    }
    Ok((None, text))
}

fn parse_yaml(front: &str) -> Result<Value, Skip> {
    let docs = YamlLoader::load_from_str(front)
        .map_err(|e| Skip::Malformed(format!("invalid YAML front matter: {e}")))?;
    Ok(docs.into_iter().next().map(yaml_to_json).unwrap_or(Value::Null))
}

fn yaml_to_json(yaml: Yaml) -> Value {
    match yaml {
        Yaml::Real(s) | Yaml::String(s) => Value::String(s),
        Yaml::Integer(i) => Value::from(i),
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Array(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Yaml::Hash(map) => Value::Object(
            map.into_iter().filter_map(|(k, v)| Some((yaml_key(k)?, yaml_to_json(v)))).collect(),
        ),
        _ => Value::Null,
    }
}

fn yaml_key(key: Yaml) -> Option<String> {
    match key {
        Yaml::String(s) | Yaml::Real(s) => Some(s),
        Yaml::Integer(i) => Some(i.to_string()),
        _ => None,
    }
}

fn parse_toml(front: &str) -> Result<Value, Skip> {
    let table: toml::Table = toml::from_str(front)
        .map_err(|e| Skip::Malformed(format!("invalid TOML front matter: {}", e.message())))?;
    Ok(toml_to_json(toml::Value::Table(table)))
}

fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect()),
    }
}

/// Plain text of one Markdown line: heading markers, list bullets and quote marks dropped.
fn strip_line(line: &str) -> String {
    let trimmed = line.trim_start();
    let content = trimmed.trim_start_matches('#').trim_start_matches('>').trim_start();
    let content = content.strip_prefix("- ").or_else(|| content.strip_prefix("* ")).unwrap_or(content);
    strip_inline(content)
}

/// Removes emphasis markers and turns `[text](url)` into `text` and images into nothing.
fn strip_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let image = open > 0 && rest.as_bytes()[open - 1] == b'!';
        let close = rest[open..].find("](").map(|i| open + i);
        let end = close.and_then(|c| rest[c..].find(')').map(|i| c + i));
        match (close, end) {
            (Some(close), Some(end)) => {
                out.push_str(&rest[..if image { open - 1 } else { open }]);
                if !image {
                    out.push_str(&rest[open + 1..close]);
                }
                rest = &rest[end + 1..];
            }
            _ => break,
        }
    }
    out.push_str(rest);
    out.replace("**", "").replace("__", "").replace('`', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_front_matter() {
        let text = "---\ntitle: \"Lavrov meets Kerry\"\ndate: 2016-05-09\nsource: TASS\nauthors:\n  - Ivan Petrov\n---\n\
                    # Heading kept out\n\nThe **ministers** met in [Vienna](https://x).\n";
        let a = read(text, &FieldMap::default()).unwrap().unwrap();
        assert_eq!(a.title, "Lavrov meets Kerry");
        assert_eq!(a.date.as_deref(), Some("2016-05-09"));
        assert_eq!(a.source.as_deref(), Some("TASS"));
        assert_eq!(a.authors, ["Ivan Petrov"]);
        assert_eq!(a.body, "Heading kept out\n\nThe ministers met in Vienna.");
    }

    #[test]
    fn toml_front_matter_with_datetime() {
        let text = "+++\ntitle = \"Vote\"\ndate = 2015-05-08T06:00:00Z\n+++\nResults came in.";
        let a = read(text, &FieldMap::default()).unwrap().unwrap();
        assert_eq!(a.date.as_deref(), Some("2015-05-08T06:00:00Z"));
        assert_eq!(a.body, "Results came in.");
    }

    #[test]
    fn title_from_heading_without_front_matter() {
        let a = read("# The headline\n\nText ![photo](p.jpg) here.", &FieldMap::default()).unwrap().unwrap();
        assert_eq!(a.title, "The headline");
        assert_eq!(a.body, "Text  here.");
    }

    #[test]
    fn unclosed_or_invalid_front_matter_is_malformed() {
        assert!(matches!(read("---\ntitle: x\n", &FieldMap::default()), Err(Skip::Malformed(_))));
        assert!(matches!(read("+++\ntitle = \n+++\nx", &FieldMap::default()), Err(Skip::Malformed(_))));
    }
}
