//! `--fields`: the columns a script asks for, in its order, for CSV and JSON Lines. Values are
//! the JSON record's; in CSV a list becomes its items joined by `; ` (entities and
//! publications by their names and ids) and a missing value an empty cell.

use std::io::{self, Write};

use serde_json::{Map, Value};

use super::{OutputFormat, Record};
use crate::query::SearchResults;

/// The names `--fields` accepts, as in the JSON records.
pub const FIELDS: [&str; 22] = [
    "rank",
    "id",
    "score",
    "title",
    "source",
    "published",
    "date_precision",
    "date_origin",
    "source_origin",
    "url",
    "path",
    "authors",
    "language",
    "format",
    "word_count",
    "content_hash",
    "snippet",
    "entities",
    "publications",
    "furniture",
    "versions",
    "body",
];

/// Checks a `--fields` list, naming an unknown field and the known ones.
pub fn parse_fields(list: &str) -> Result<Vec<String>, String> {
    let fields: Vec<String> =
        list.split(',').map(|f| f.trim().to_string()).filter(|f| !f.is_empty()).collect();
    if fields.is_empty() {
        return Err("--fields: name at least one field".into());
    }
    for field in &fields {
        if !FIELDS.contains(&field.as_str()) {
            return Err(format!("--fields: unknown field {field:?}; known fields: {}", FIELDS.join(", ")));
        }
    }
    Ok(fields)
}

/// Prints the chosen fields of each hit.
pub fn print_selected(
    out: &mut dyn Write,
    results: &SearchResults,
    offset: usize,
    format: OutputFormat,
    fields: &[String],
) -> io::Result<()> {
    let rows = results.hits.iter().enumerate().map(|(i, hit)| {
        let value = serde_json::to_value(Record { rank: offset + i + 1, hit }).expect("records serialise");
        let object = value.as_object().cloned().unwrap_or_default();
        fields
            .iter()
            .map(|f| (f.clone(), object.get(f).cloned().unwrap_or(Value::Null)))
            .collect::<Map<_, _>>()
    });
    match format {
        OutputFormat::Csv => {
            let mut writer = csv::Writer::from_writer(out);
            writer.write_record(fields)?;
            for row in rows {
                writer.write_record(row.values().map(cell))?;
            }
            writer.flush()
        }
        _ => {
            for row in rows {
                serde_json::to_writer(&mut *out, &Value::Object(row))?;
                writeln!(out)?;
            }
            Ok(())
        }
    }
}

fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(item_name).collect::<Vec<_>>().join("; "),
        Value::Object(o) => o.get("text").map(cell).unwrap_or_else(|| value.to_string()),
        other => other.to_string(),
    }
}

fn item_name(item: &Value) -> String {
    match item {
        Value::Object(o) => {
            o.get("name").or_else(|| o.get("id")).map(cell).unwrap_or_else(|| item.to_string())
        }
        other => cell(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_lists_are_checked() {
        assert_eq!(parse_fields("id, title").unwrap(), ["id", "title"]);
        assert!(parse_fields("id,titel").unwrap_err().contains("unknown field \"titel\""));
        assert!(parse_fields(" , ").is_err());
    }

    #[test]
    fn cells_flatten_lists_and_objects() {
        let entities = serde_json::json!([{"name": "Syria", "kind": "place"}, {"name": "John Kerry"}]);
        assert_eq!(cell(&entities), "Syria; John Kerry");
        assert_eq!(cell(&serde_json::json!({"text": "snip", "highlights": []})), "snip");
        assert_eq!(cell(&Value::Null), "");
        assert_eq!(cell(&serde_json::json!(3)), "3");
    }
}
