//! Recognising a file's format: by extension when it has a known one, by content when it has
//! none (the Reuters slice's files have no extension), and refusing extensions we do not read.

use super::Skip;

/// The formats newsdex reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text: title on the first line, or a `-- ` header block.
    Text,
    /// One JSON article object, or an array of them.
    Json,
    /// One JSON article object per line.
    JsonLines,
    /// An HTML page.
    Html,
    /// Markdown with YAML or TOML front matter.
    Markdown,
}

impl Format {
    /// The name stored on each article and shown in summaries.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::JsonLines => "jsonl",
            Format::Html => "html",
            Format::Markdown => "markdown",
        }
    }
}

/// Decides the format of a file named `name` (already without `.gz`) holding `text`.
pub fn detect(name: &str, text: &str) -> Result<Format, Skip> {
    match extension(name).as_deref() {
        Some("txt" | "text") => Ok(Format::Text),
        Some("json") => Ok(Format::Json),
        Some("jsonl" | "ndjson") => Ok(Format::JsonLines),
        Some("html" | "htm" | "xhtml" | "shtml") => Ok(Format::Html),
        Some("md" | "markdown") => Ok(Format::Markdown),
        Some(other) => Err(Skip::Unsupported(other.to_string())),
        None => Ok(sniff(text)),
    }
}

/// The lower-cased extension when it looks like one: short and alphanumeric. Names such as
/// `u.s.-stocks-rally` (a dotted slug) count as having none.
fn extension(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    let plausible = !stem.is_empty()
        && (1..=8).contains(&ext.len())
        && ext.chars().all(|c| c.is_ascii_alphanumeric())
        && !ext.chars().all(|c| c.is_ascii_digit());
    plausible.then(|| ext.to_ascii_lowercase())
}

/// Guesses the format of an extensionless file from its first characters.
fn sniff(text: &str) -> Format {
    let start = text.trim_start_matches('\u{feff}').trim_start();
    // The first 1,024 characters, lower-cased in one copy (not collected a character at a
    // time: every extensionless file comes through here).
    let head_end = start.char_indices().nth(1024).map_or(start.len(), |(at, _)| at);
    let head = start[..head_end].to_ascii_lowercase();
    if start.starts_with('[') {
        return Format::Json;
    }
    if start.starts_with('{') {
        let first_line = start.lines().next().unwrap_or("");
        let more_lines = start.lines().skip(1).any(|l| !l.trim().is_empty());
        return if more_lines && serde_json::from_str::<serde_json::Value>(first_line).is_ok() {
            Format::JsonLines
        } else {
            Format::Json
        };
    }
    if head.starts_with("<!doctype html") || head.starts_with("<html") || head.contains("<html") {
        return Format::Html;
    }
    if start.starts_with("---\n") || start.starts_with("+++\n") || start.starts_with("---\r\n") {
        return Format::Markdown;
    }
    Format::Text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_extensions_decide() {
        assert_eq!(detect("a.TXT", "{}"), Ok(Format::Text));
        assert_eq!(detect("a.ndjson", ""), Ok(Format::JsonLines));
        assert_eq!(detect("a.htm", ""), Ok(Format::Html));
        assert_eq!(detect("a.pdf", "%PDF"), Err(Skip::Unsupported("pdf".into())));
    }

    #[test]
    fn extensionless_files_are_sniffed() {
        assert_eq!(detect("story", "-- Title\n-- By X\n\nBody"), Ok(Format::Text));
        assert_eq!(detect("story", "{\"title\":\"a\"}\n{\"title\":\"b\"}\n"), Ok(Format::JsonLines));
        assert_eq!(detect("story", "{\n  \"title\": \"a\"\n}"), Ok(Format::Json));
        assert_eq!(detect("story", "<!DOCTYPE html><html></html>"), Ok(Format::Html));
        assert_eq!(detect("story", "---\ntitle: a\n---\nbody"), Ok(Format::Markdown));
    }

    #[test]
    fn dotted_slugs_are_not_extensions() {
        assert_eq!(detect("u.s.-stocks-rally-idUSN1", "Title\n\nBody"), Ok(Format::Text));
        assert_eq!(detect("report.2007", "Title\n\nBody"), Ok(Format::Text));
    }
}
