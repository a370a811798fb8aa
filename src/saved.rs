//! Saved queries: named searches kept in a TOML file that people edit by hand and scripts
//! extend with `newsdex queries save`. Saving rewrites only the entry saved, so the rest of the
//! file, its order and its comments, stay as they were. Dates may be absolute (`2016-04`) or
//! relative to today (`7d`, `4w`, `6m`, `1y`), so that a query run from cron every morning
//! always looks at the last week.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One saved query: anything `search` accepts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedQuery {
    /// One line saying what it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Query text in the search syntax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Outlets (any of them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source: Vec<String>,
    /// People, organisations or countries (all of them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actor: Vec<String>,
    /// People (all of them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub person: Vec<String>,
    /// Organisations (all of them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub org: Vec<String>,
    /// Places (all of them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub place: Vec<String>,
    /// First day: absolute or relative (`7d`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Last day: absolute or relative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// `relevance`, `newest` or `oldest`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    /// Hits to show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
    /// `day`, `week`, `month` or `year`: print a histogram instead of hits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub histogram: Option<String>,
    /// Facets shown by `run --all --facets` (`actor`, `place`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facets: Vec<String>,
    /// Count each story once.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub collapse: bool,
}

/// A queries file, loaded.
#[derive(Debug)]
pub struct QueriesFile {
    path: PathBuf,
    text: String,
    queries: BTreeMap<String, SavedQuery>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLayout {
    #[serde(default)]
    queries: BTreeMap<String, SavedQuery>,
}

impl QueriesFile {
    /// Loads `path`; a missing file is an empty one (saving creates it).
    pub fn load(path: &Path) -> Result<Self> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(Error::io(path, e)),
        };
        let layout: FileLayout = toml::from_str(&text).map_err(|e| config_error(path, &text, &e))?;
        for name in layout.queries.keys() {
            check_name(name).map_err(|reason| Error::Config { file: path.display().to_string(), reason })?;
        }
        Ok(QueriesFile { path: path.to_path_buf(), text, queries: layout.queries })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The queries, by name.
    pub fn queries(&self) -> &BTreeMap<String, SavedQuery> {
        &self.queries
    }

    /// The query called `name`; an unknown name lists the known ones.
    pub fn get(&self, name: &str) -> Result<&SavedQuery> {
        self.queries.get(name).ok_or_else(|| {
            let known: Vec<&str> = self.queries.keys().map(String::as_str).collect();
            let listed = if known.is_empty() { "none".to_string() } else { known.join(", ") };
            Error::Usage(format!(
                "no saved query named {name:?} in {}; known queries: {listed}",
                self.path.display()
            ))
        })
    }

    /// Adds or replaces `name`, leaving the rest of the file (and its comments) untouched.
    pub fn save(&mut self, name: &str, query: SavedQuery) -> Result<()> {
        check_name(name).map_err(Error::Usage)?;
        let mut doc: toml_edit::DocumentMut = self.text.parse().map_err(|e: toml_edit::TomlError| {
            Error::Config { file: self.path.display().to_string(), reason: e.to_string() }
        })?;
        let entry: toml_edit::DocumentMut = toml::to_string(&query)
            .expect("a saved query serialises")
            .parse()
            .expect("toml reads its own output");
        let queries = doc.entry("queries").or_insert_with(|| {
            let mut table = toml_edit::Table::new();
            table.set_implicit(true);
            toml_edit::Item::Table(table)
        });
        let table = queries.as_table_mut().ok_or_else(|| Error::Config {
            file: self.path.display().to_string(),
            reason: "`queries` must be a table".into(),
        })?;
        let mut new_table = entry.as_table().clone();
        if let Some(old) = table.get(name).and_then(|i| i.as_table()) {
            // Keep the comment written above the entry.
            new_table.decor_mut().clone_from(old.decor());
        }
        table.insert(name, toml_edit::Item::Table(new_table));
        let text = doc.to_string();
        write_atomically(&self.path, &text)?;
        self.text = text;
        self.queries.insert(name.to_string(), query);
        Ok(())
    }
}

/// Names are what scripts type: letters, digits, `-` and `_`.
fn check_name(name: &str) -> std::result::Result<(), String> {
    let fine = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if fine { Ok(()) } else { Err(format!("query name {name:?}: use letters, digits, '-' and '_'")) }
}

/// A TOML error with the file, line and column it happened at.
fn config_error(path: &Path, text: &str, error: &toml::de::Error) -> Error {
    let place = error.span().map(|span| {
        let before = &text[..span.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
        format!("line {line}, column {column}: ")
    });
    Error::Config {
        file: path.display().to_string(),
        reason: format!("{}{}", place.unwrap_or_default(), error.message()),
    }
}

/// Writes through a temporary file and a rename, so a crash never leaves half a file.
pub fn write_atomically(path: &Path, text: impl AsRef<[u8]>) -> Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// A relative date (`7d`, `4w`, `6m`, `1y`): that long before `today`. `None` when `value` is
/// not relative.
pub fn relative_day(value: &str, today: NaiveDate) -> Option<NaiveDate> {
    let value = value.trim();
    let (number, unit) = value.split_at(value.len().checked_sub(1)?);
    let n: u32 = number.parse().ok()?;
    match unit {
        "d" => today.checked_sub_days(chrono::Days::new(u64::from(n))),
        "w" => today.checked_sub_days(chrono::Days::new(7 * u64::from(n))),
        "m" => today.checked_sub_months(Months::new(n)),
        "y" => today.checked_sub_months(Months::new(12 * n)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# Morning checks\n\n[queries.syria-week]\n# Coverage of the last week\ndescription = \"Syria, last 7 days\"\nplace = [\"Syria\"]\nfrom = \"7d\"\n\n# keep me\n[queries.other]\nquery = \"ceasefire\"\n";

    #[test]
    fn saving_keeps_the_rest_of_the_file_and_its_comments() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.toml");
        std::fs::write(&path, FILE).unwrap();
        let mut file = QueriesFile::load(&path).unwrap();
        assert_eq!(file.get("syria-week").unwrap().place, ["Syria"]);
        let new = SavedQuery { query: Some("Kerry".into()), limit: Some(5), ..SavedQuery::default() };
        file.save("kerry", new.clone()).unwrap();
        file.save("other", SavedQuery { query: Some("truce".into()), ..SavedQuery::default() }).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# Morning checks\n"), "{text}");
        assert!(text.contains("# Coverage of the last week\n"), "{text}");
        assert!(text.contains("# keep me\n[queries.other]\nquery = \"truce\"\n"), "{text}");
        let reloaded = QueriesFile::load(&path).unwrap();
        assert_eq!(reloaded.get("kerry").unwrap(), &new);
        assert_eq!(reloaded.queries().len(), 3);
    }

    #[test]
    fn errors_name_the_file_line_and_problem() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.toml");
        std::fs::write(&path, "[queries.a]\nquery = \"x\"\nlimt = 3\n").unwrap();
        let err = QueriesFile::load(&path).unwrap_err().to_string();
        assert!(err.contains("q.toml: line 3, column 1: unknown field `limt`"), "{err}");
        std::fs::write(&path, "[queries.a]\nquery = \"x\"\n").unwrap();
        let err = QueriesFile::load(&path).unwrap().get("b").unwrap_err().to_string();
        assert!(err.contains("no saved query named \"b\"") && err.contains("known queries: a"), "{err}");
    }

    #[test]
    fn relative_days_count_back_from_today() {
        let today = NaiveDate::from_ymd_opt(2016, 5, 31).unwrap();
        assert_eq!(relative_day("7d", today).unwrap().to_string(), "2016-05-24");
        assert_eq!(relative_day("4w", today).unwrap().to_string(), "2016-05-03");
        assert_eq!(relative_day("3m", today).unwrap().to_string(), "2016-02-29");
        assert_eq!(relative_day("1y", today).unwrap().to_string(), "2015-05-31");
        assert_eq!(relative_day("2016-05", today), None);
        assert_eq!(relative_day("x", today), None);
    }
}
