//! Reading a corpus: walking folders, loading and decoding files, recognising their format,
//! and turning each into raw articles. Nothing here knows about the index; problems with a
//! file become a [`Skip`] that the caller counts and reports, never a panic or an abort.

mod decode;
mod detect;
pub mod fieldmap;
mod html;
mod json;
mod markdown;
mod text;
mod walk;

pub use decode::Decoded;
pub use detect::Format;
pub use fieldmap::FieldMap;
pub use walk::{CorpusFile, Exclusions, walk};

use std::fmt;
use std::path::Path;

/// An article as a reader found it, before dates and sources are resolved.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawArticle {
    /// Headline, possibly empty.
    pub title: String,
    /// Text, possibly empty (but never both empty: readers report such records).
    pub body: String,
    /// URL from metadata.
    pub url: Option<String>,
    /// Publication date exactly as the metadata wrote it.
    pub date: Option<String>,
    /// Outlet name or domain from metadata.
    pub source: Option<String>,
    /// Bylines.
    pub authors: Vec<String>,
    /// Language code from metadata.
    pub language: Option<String>,
    /// Where inside the file the article was (`L3` for line 3, `2` for the third array element).
    pub locator: Option<String>,
}

/// A problem with one record inside a file whose other records are still read.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordProblem {
    /// Where in the file (`line 3`, `element 2`).
    pub place: String,
    /// What is wrong.
    pub reason: String,
}

/// What reading one file gave.
#[derive(Debug, Default)]
pub struct FileArticles {
    /// The articles found, in file order.
    pub articles: Vec<RawArticle>,
    /// Records that were reported and left out.
    pub problems: Vec<RecordProblem>,
    /// The legacy encoding the file was decoded from, when it was not UTF-8.
    pub decoded_from: Option<&'static str>,
    /// The format the file was read as.
    pub format: Option<Format>,
    /// BLAKE3 of the file's bytes (128 bits, hex), to tell a touched file from a changed one.
    pub file_hash: String,
}

/// Why a whole file was left out. Each kind is counted separately in the run's summary.
#[derive(Debug, Clone, PartialEq)]
pub enum Skip {
    /// The file could not be opened or read.
    Unreadable(String),
    /// The file holds binary data, not text.
    Binary,
    /// The file is empty or only whitespace.
    Empty,
    /// The file (or its decompressed content) is larger than `--max-file-mb`.
    TooLarge { limit_mb: u64 },
    /// An extension newsdex does not read.
    Unsupported(String),
    /// The file is not valid in its format (broken JSON, broken gzip, ...).
    Malformed(String),
    /// The file parsed but held no article with a title or body.
    NoArticles,
}

impl Skip {
    /// A short stable name for the summary's "skipped by reason" table.
    pub fn kind(&self) -> &'static str {
        match self {
            Skip::Unreadable(_) => "unreadable",
            Skip::Binary => "binary",
            Skip::Empty => "empty",
            Skip::TooLarge { .. } => "too large",
            Skip::Unsupported(_) => "unsupported format",
            Skip::Malformed(_) => "malformed",
            Skip::NoArticles => "no article in file",
        }
    }
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Skip::Unreadable(e) => write!(f, "unreadable: {e}"),
            Skip::Binary => write!(f, "binary file, not text"),
            Skip::Empty => write!(f, "empty file"),
            Skip::TooLarge { limit_mb } => write!(f, "larger than --max-file-mb {limit_mb}"),
            Skip::Unsupported(ext) => write!(f, "unsupported format (.{ext})"),
            Skip::Malformed(e) => write!(f, "malformed: {e}"),
            Skip::NoArticles => write!(f, "no article with a title or body"),
        }
    }
}

/// Settings that change how files are read.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Files (and decompressed contents) larger than this are skipped.
    pub max_file_bytes: u64,
    /// Which JSON/front-matter keys feed which article field.
    pub field_map: FieldMap,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions { max_file_bytes: 50 * 1024 * 1024, field_map: FieldMap::default() }
    }
}

/// Reads one file into raw articles: load, decompress, decode, detect the format, parse.
pub fn read_file(path: &Path, options: &ReadOptions) -> Result<FileArticles, Skip> {
    let decoded = decode::load(path, options.max_file_bytes)?;
    let format = detect::detect(&decoded.inner_name, &decoded.text)?;
    let mut out = parse(format, &decoded.text, &options.field_map)?;
    out.decoded_from = decoded.decoded_from;
    out.file_hash = decoded.file_hash;
    out.format = Some(format);
    if out.articles.is_empty() && out.problems.is_empty() {
        return Err(Skip::NoArticles);
    }
    Ok(out)
}

/// Decodes a file's bytes to text as [`read_file`] does (BOM, UTF-8, legacy encodings,
/// binary detection), for callers that have the bytes already.
pub fn decode_bytes(bytes: &[u8]) -> Result<(String, Option<&'static str>), Skip> {
    decode::decode(bytes)
}

/// Parses text already known to be of `format`.
pub fn parse(format: Format, text: &str, map: &FieldMap) -> Result<FileArticles, Skip> {
    let mut out = FileArticles::default();
    match format {
        Format::Text => out.articles.extend(text::read(text)),
        Format::Json => json::read_document(text, map, &mut out)?,
        Format::JsonLines => json::read_lines(text, map, &mut out),
        Format::Html => out.articles.extend(html::read(text)),
        Format::Markdown => out.articles.extend(markdown::read(text, map)?),
    }
    Ok(out)
}

/// True when a record carries nothing worth indexing.
fn is_blank(article: &RawArticle) -> bool {
    article.title.trim().is_empty() && article.body.trim().is_empty()
}

/// Splits a byline into names: `By Foo Yun Chee and Miyoung Kim` gives two names.
pub fn split_authors(byline: &str) -> Vec<String> {
    let trimmed = byline.trim();
    let without_by = ["By ", "by ", "BY "].iter().find_map(|p| trimmed.strip_prefix(p)).unwrap_or(trimmed);
    without_by
        .split([',', ';', '&', '|'])
        .flat_map(|part| part.split(" and "))
        .map(|name| name.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|name| !name.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bylines_split_into_names() {
        assert_eq!(split_authors("By  Foo Yun Chee  and Miyoung Kim"), ["Foo Yun Chee", "Miyoung Kim"]);
        assert_eq!(
            split_authors("Ali Younes; Sara Elizabeth Williams"),
            ["Ali Younes", "Sara Elizabeth Williams"]
        );
        assert!(split_authors("  ").is_empty());
    }
}
