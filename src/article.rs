//! The normalised article record: what every reader's output becomes once dates and sources
//! have been resolved, and what the indexer writes. It knows nothing of formats or of tantivy.

use std::hash::Hasher;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::extract::entities::Entity;
use crate::extract::neardup::Sketch;

/// How precisely the publication moment is known. A date line such as `April 30, 2016` gives
/// only the day; reporting it as midnight UTC without saying so would invent a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DatePrecision {
    /// Only the calendar day is known; the time part is midnight UTC by convention.
    Day,
    /// A time of day with a known offset was given.
    Time,
}

impl DatePrecision {
    /// The word stored in the index and printed in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            DatePrecision::Day => "day",
            DatePrecision::Time => "time",
        }
    }
}

/// A publication date with its precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    /// The moment in UTC (midnight when only the day is known).
    pub at: DateTime<Utc>,
    /// Whether a time of day was known.
    pub precision: DatePrecision,
}

/// Where a resolved value came from, kept on the record so a user can audit every date
/// and source rather than trust a guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The article's own metadata (JSON fields, HTML meta tags, front matter, header block).
    Metadata,
    /// The URL's host, mapped through `index_schema/sources.toml`.
    UrlHost,
    /// A date in the URL's path.
    UrlPath,
    /// A date in the file's path.
    FilePath,
    /// A dateline or date line at the top of the text.
    Text,
    /// An agency tag in the dateline, such as `(Reuters)`.
    AgencyTag,
    /// A signature line from `sources.toml` found in the text.
    Signature,
    /// Given by the user for the whole folder (`--source`).
    User,
    /// The file's first folder under the corpus root (`--source-from-folder`).
    Folder,
}

impl Origin {
    /// The word stored in the index and printed in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Metadata => "metadata",
            Origin::UrlHost => "url_host",
            Origin::UrlPath => "url_path",
            Origin::FilePath => "file_path",
            Origin::Text => "text",
            Origin::AgencyTag => "agency_tag",
            Origin::Signature => "signature",
            Origin::User => "user",
            Origin::Folder => "folder",
        }
    }
}

/// Where and how one copy of an article's text was published. The same text found in several
/// files (a wire story saved twice, a re-run crawl) is one article with several copies.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Publication {
    /// Stable identity: the URL when known, else the file's absolute path, with `#L<n>` for
    /// line n of a JSON Lines file or `#<n>` for element n (from 0) of a JSON array.
    pub id: String,
    /// Path of the file it was read from.
    pub path: String,
    /// Its URL, if known.
    pub url: Option<String>,
    /// Outlet name, resolved through the source rules.
    pub source: Option<String>,
    /// How the source was found.
    pub source_origin: Option<Origin>,
    /// Publication date, in UTC.
    pub published: Option<Published>,
    /// How the date was found.
    pub date_origin: Option<Origin>,
    /// Bylines, one name each.
    pub authors: Vec<String>,
    /// Language code, when the metadata gives one.
    pub language: Option<String>,
    /// The format it was read as (`text`, `json`, `html`, ...).
    pub format: String,
}

/// One article, normalised. Empty strings and `None` mean "not known": nothing is invented.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    /// The copy whose metadata and text the article shows: the one with the smallest id, so
    /// that the choice does not depend on the order files were read in.
    pub publication: Publication,
    /// The other copies of the same text, by id.
    pub others: Vec<Publication>,
    /// Headline.
    pub title: String,
    /// Text of the article.
    pub body: String,
    /// Words in title and body.
    pub word_count: u64,
    /// BLAKE3 of the whitespace-normalised title and body, hex: equal for exact duplicates.
    pub content_hash: String,
    /// People, organisations and places mentioned, most mentioned first.
    pub entities: Vec<Entity>,
    /// Whether extraction was spared because the index already held this very title and
    /// body ([`ExactText`]): its entities are that article's, and `entities` is empty.
    pub entities_not_extracted: bool,
    /// The text's identity, when entities are extracted: the sink remembers it, so that later
    /// copies need not be (`None` without entities, and for an article read from the index).
    pub exact_text: Option<ExactText>,
    /// Lines of the text that are the outlet's furniture, not the story (kept, not searched).
    pub furniture: Vec<String>,
    /// MinHash sketch of the text, to find near duplicates (`None` for very short texts).
    pub sketch: Option<Sketch>,
    /// The story it belongs to: near duplicates (one wire story edited by several outlets)
    /// share it: the content hash of the story's first version. Assigned when the article
    /// enters the index.
    pub story: String,
    /// Sequence number of the index commit the article first entered in (0 before), so that
    /// alerts can ask for what is new since a given commit.
    pub added_in: u64,
}

impl Article {
    /// Every copy, the shown one first.
    pub fn publications(&self) -> impl Iterator<Item = &Publication> {
        std::iter::once(&self.publication).chain(&self.others)
    }

    /// Adds `copy`, an article with the same text read from another file: its publication,
    /// and, when that becomes the shown one, its title, body, furniture and entities. Copies
    /// can differ in line breaks and spaces, which the content hash ignores and sentence
    /// splitting does not: the article shows the smallest id's copy whichever file came first.
    /// A copy whose extraction was spared has this article's very text, and so its entities.
    pub fn add_copy(&mut self, copy: Article) {
        let (id, path) = (copy.publication.id.clone(), copy.publication.path.clone());
        self.add_publication(copy.publication);
        if self.publication.id == id && self.publication.path == path {
            self.title = copy.title;
            self.body = copy.body;
            self.word_count = copy.word_count;
            self.furniture = copy.furniture;
            if !copy.entities_not_extracted {
                self.entities = copy.entities;
            }
        }
    }

    /// Adds a copy (or replaces the one with the same id); the smallest id is shown.
    pub fn add_publication(&mut self, copy: Publication) {
        let mut all: Vec<Publication> = self.publications().filter(|c| c.id != copy.id).cloned().collect();
        all.push(copy);
        self.set_copies(all);
    }

    /// Removes the copies read from `path`; `false` when none is left.
    pub fn remove_path(&mut self, path: &str) -> bool {
        let all: Vec<Publication> = self.publications().filter(|c| c.path != path).cloned().collect();
        if all.is_empty() {
            return false;
        }
        self.set_copies(all);
        true
    }

    fn set_copies(&mut self, mut all: Vec<Publication>) {
        all.sort_by(|a, b| a.id.cmp(&b.id));
        self.publication = all.remove(0);
        self.others = all;
    }
}

/// Hashes title and body with whitespace collapsed, so that re-wrapped copies of the same
/// text hash alike.
pub fn content_hash(title: &str, body: &str) -> String {
    // The collapsed text is built first and hashed in one call: BLAKE3 is many times faster
    // on one long input than on a call per word, and the bytes hashed are the same.
    let mut collapsed = String::with_capacity(title.len() + body.len() + 2);
    push_words(&mut collapsed, title);
    collapsed.push('\n');
    push_words(&mut collapsed, body);
    blake3::hash(collapsed.as_bytes()).to_hex()[..32].to_string()
}

/// Names a title and body byte for byte, where the content hash ignores spacing: texts with
/// one identity give the same entities, so a copy of a text already indexed need not be
/// extracted again. 64 bits of the content hash tell texts apart; a 64-bit hash of the exact
/// bytes tells apart the spacings of one text, a pass at a fraction of BLAKE3's cost. 16 bytes,
/// so that a run can remember many (see `HELD_TEXTS_LIMIT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExactText {
    content: u64,
    spacing: u64,
}

impl ExactText {
    /// The identity of `title` and `body`, whose content hash is `content_hash`.
    pub fn of(content_hash: &str, title: &str, body: &str) -> Option<Self> {
        let content = u64::from_str_radix(content_hash.get(..16)?, 16).ok()?;
        let mut hasher = rustc_hash::FxHasher::default();
        hasher.write_usize(title.len());
        hasher.write(title.as_bytes());
        hasher.write(body.as_bytes());
        Some(ExactText { content, spacing: hasher.finish() })
    }
}

/// Appends each word of `text` and a space. ASCII text without a vertical tab (the one ASCII
/// space `split_ascii_whitespace` does not know) is copied a stretch at a time, the rest split
/// by characters.
fn push_words(out: &mut String, text: &str) {
    if text.is_ascii() && !text.contains('\u{b}') {
        push_ascii_words(out, text);
    } else {
        for word in text.split_whitespace() {
            out.push_str(word);
            out.push(' ');
        }
    }
}

/// [`push_words`] for ASCII text, a line at a time: its ends trimmed, the stretches between
/// runs of spaces are copied whole, found by vectorised searches (`memchr`); only a line with a
/// tab, a carriage return or a form feed (rare) is split word by word. Splitting every word for
/// the content hash was nearly a tenth of the parsing threads' samples (`perf`, Reuters slice,
/// no entities), and a loop over the bytes, copying between irregular spaces, still 3% of a
/// run's.
fn push_ascii_words(out: &mut String, text: &str) {
    let double_space = memchr::memmem::Finder::new(b"  ");
    for line in text.split('\n') {
        let line = line.trim_matches(' ');
        if line.is_empty() {
            continue;
        }
        if memchr::memchr3(b'\t', b'\r', 0x0c, line.as_bytes()).is_some() {
            for word in line.split_ascii_whitespace() {
                out.push_str(word);
                out.push(' ');
            }
            continue;
        }
        let mut rest = line;
        while let Some(at) = double_space.find(rest.as_bytes()) {
            out.push_str(&rest[..at]);
            out.push(' ');
            // Not empty: the line ends with a word.
            rest = rest[at..].trim_start_matches(' ');
        }
        out.push_str(rest);
        out.push(' ');
    }
}

#[cfg(test)]
impl Article {
    /// An article of this title and body and nothing else, for the tests that need one.
    pub(crate) fn bare(title: &str, body: &str) -> Article {
        Article {
            publication: Publication::default(),
            others: Vec::new(),
            title: title.to_string(),
            body: body.to_string(),
            word_count: 0,
            content_hash: String::new(),
            entities: Vec::new(),
            entities_not_extracted: false,
            exact_text: None,
            furniture: Vec::new(),
            sketch: None,
            story: String::new(),
            added_in: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_words_are_those_split_ascii_whitespace_finds() {
        // Every text of up to seven characters from a word character and the five spaces.
        let alphabet = ['a', ' ', '\t', '\n', '\r', '\u{c}'];
        let mut texts = vec![String::new()];
        let mut layer = vec![String::new()];
        for _ in 0..7 {
            layer = layer.iter().flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}"))).collect();
            texts.extend(layer.iter().cloned());
        }
        assert_eq!(texts.len(), (0..=7).map(|n| 6usize.pow(n)).sum::<usize>());
        for text in &texts {
            let mut fast = String::new();
            push_ascii_words(&mut fast, text);
            let plain: String = text.split_ascii_whitespace().map(|w| format!("{w} ")).collect();
            assert_eq!(fast, plain, "{text:?}");
        }
    }

    #[test]
    fn texts_differing_only_in_whitespace_hash_alike_whatever_their_script() {
        let hash = content_hash("Kerry in  Geneva", "Talks\tresumed.\n\nAleppo\u{b}waits. ");
        assert_eq!(hash, content_hash(" Kerry in Geneva", "Talks resumed. Aleppo waits."));
        assert_ne!(hash, content_hash("Kerry in Geneva", "Talks resumed. Aleppo waits!"));
        let accented = content_hash("Genève", "Pourparlers\u{a0}repris.\u{b}Alep attend.");
        assert_eq!(accented, content_hash("Genève ", "Pourparlers repris. Alep  attend."));
        assert_eq!(hash.len(), 32);
    }

    fn publication(id: &str, path: &str) -> Publication {
        Publication {
            id: id.into(),
            path: path.into(),
            url: None,
            source: None,
            source_origin: None,
            published: None,
            date_origin: None,
            authors: Vec::new(),
            language: None,
            format: "text".into(),
        }
    }

    #[test]
    fn one_text_spaced_two_ways_has_one_content_hash_and_two_exact_identities() {
        let (title, body, wrapped) =
            ("T", "Kerry met Lavrov. Talks went on.", "Kerry met Lavrov.\nTalks went on.");
        let (hash, wrapped_hash) = (content_hash(title, body), content_hash(title, wrapped));
        assert_eq!(hash, wrapped_hash);
        let exact = |hash: &str, title: &str, body: &str| ExactText::of(hash, title, body).unwrap();
        assert_eq!(exact(&hash, title, body), exact(&hash, title, body));
        assert_ne!(exact(&hash, title, body), exact(&hash, title, wrapped));
        // The title's end is part of the identity: "T" + "x..." is not "Tx" + "...".
        assert_ne!(exact(&hash, "T", "xy"), exact(&hash, "Tx", "y"));
        assert_eq!(ExactText::of("not hex", title, body), None);
    }

    #[test]
    fn the_smallest_id_is_shown_whatever_the_order_copies_came_in() {
        let mut article = Article {
            publication: publication("b", "/b"),
            word_count: 2,
            content_hash: content_hash("T", "B"),
            ..Article::bare("T", "B")
        };
        article.add_publication(publication("c", "/c"));
        article.add_publication(publication("a", "/a"));
        assert_eq!(article.publications().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
        assert!(article.remove_path("/a"));
        assert_eq!(article.publication.id, "b");
        assert!(article.remove_path("/b") && !article.remove_path("/c"));
    }

    #[test]
    fn hash_ignores_wrapping_but_not_words() {
        let a = content_hash("Title", "one two\nthree");
        assert_eq!(a, content_hash("Title", "one  two three "));
        assert_ne!(a, content_hash("Title", "one two four"));
        assert_ne!(a, content_hash("Title one", "two three"));
        // The hashed form, which indexes built before store: words each followed by a space.
        assert_eq!(a, blake3::hash(b"Title \none two three ").to_hex()[..32]);
    }
}
