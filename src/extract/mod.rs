//! Turning raw articles into normalised ones: dates and sources are resolved by the rules of
//! the issue ("first match wins"), each with the place it came from, and nothing is guessed.

pub mod boilerplate;
pub mod dates;
pub mod sources;

use crate::article::{Article, ExactText, Origin, Publication, content_hash};
use crate::corpus::{CorpusFile, Format, RawArticle};
pub use sources::SourceRules;

/// The body with its dateline's agency tag blanked out: "LONDON (Reuters) -" credits the
/// wire, it does not mention it, so the wire is no actor of every story it carries.
pub fn without_dateline_tag<'a>(rules: &SourceRules, body: &'a str) -> std::borrow::Cow<'a, str> {
    match rules.dateline_tag(body) {
        Some((range, _)) => {
            let mut masked = body.to_string();
            masked.replace_range(range.clone(), &" ".repeat(range.len()));
            std::borrow::Cow::Owned(masked)
        }
        None => std::borrow::Cow::Borrowed(body),
    }
}

/// What the user said about where the folder's articles come from.
#[derive(Debug, Clone, Default)]
pub enum FolderSource {
    /// Nothing: articles without a source stay without one.
    #[default]
    None,
    /// One outlet name for the whole folder (`--source`).
    Named(String),
    /// Each file's first folder under the root (`--source-from-folder`).
    FirstFolder,
}

/// Everything normalisation needs besides the article.
#[derive(Debug)]
pub struct Normaliser {
    /// The outlet rules.
    pub rules: SourceRules,
    /// The folder-level fallback source.
    pub folder_source: FolderSource,
    /// The entity extractor; `None` indexes without entities (`--no-entities`).
    pub extractor: Option<entities::Extractor>,
    /// What counts as page furniture.
    pub boilerplate: boilerplate::Boilerplate,
}

/// A normalised article, with remarks worth a warning (a date that did not parse).
#[derive(Debug)]
pub struct Normalised {
    /// The record to index.
    pub article: Article,
    /// Problems met, worded for a warning line after the file's path.
    pub remarks: Vec<String>,
}

impl Normaliser {
    /// Resolves id, date, source and counts for one raw article read from `file`.
    pub fn normalise(&self, raw: RawArticle, file: &CorpusFile, format: Format) -> Normalised {
        self.normalise_unless_held(raw, file, format, &|_| false)
    }

    /// Normalises `raw`, but leaves its entities unextracted when `held` says the index
    /// already has its very title and body: the index keeps that article's, which are the
    /// same. Exact copies are common in collections from many outlets.
    pub fn normalise_unless_held(
        &self,
        raw: RawArticle,
        file: &CorpusFile,
        format: Format,
        held: &dyn Fn(ExactText) -> bool,
    ) -> Normalised {
        let mut remarks = Vec::new();
        let path = file.path.to_string_lossy().into_owned();
        let url = raw.url.as_deref().map(str::trim).filter(|u| !u.is_empty()).map(str::to_string);
        let id = match (&url, &raw.locator) {
            (Some(url), _) => url.clone(),
            (None, Some(locator)) => format!("{path}#{locator}"),
            (None, None) => path.clone(),
        };
        let (published, date_origin) = self.resolve_date(&raw, &path, url.as_deref(), &mut remarks);
        let (source, source_origin) = self.resolve_source(&raw, url.as_deref(), file);
        let title = raw.title.trim().to_string();
        let (body, furniture) = self.boilerplate.split(source.as_deref(), &raw.body);
        let (sketch, word_count) = neardup::sketch_and_word_count(&[&title, &body]);
        let content_hash = content_hash(&title, &body);
        let exact_text = self.extractor.as_ref().and_then(|_| ExactText::of(&content_hash, &title, &body));
        let spared = exact_text.is_some_and(held);
        let entities = match &self.extractor {
            Some(extractor) if !spared => {
                extractor.extract(&title, &without_dateline_tag(&self.rules, &body))
            }
            _ => Vec::new(),
        };
        Normalised {
            article: Article {
                word_count,
                content_hash,
                publication: Publication {
                    id,
                    path,
                    url,
                    source,
                    source_origin,
                    published,
                    date_origin,
                    authors: raw.authors,
                    language: raw.language,
                    format: format.as_str().to_string(),
                },
                others: Vec::new(),
                sketch,
                story: String::new(),
                added_in: 0,
                title,
                body,
                entities,
                entities_not_extracted: spared,
                exact_text,
                furniture,
            },
            remarks,
        }
    }

    fn resolve_date(
        &self,
        raw: &RawArticle,
        path: &str,
        url: Option<&str>,
        remarks: &mut Vec<String>,
    ) -> (Option<crate::article::Published>, Option<Origin>) {
        if let Some(written) = raw.date.as_deref().filter(|d| !d.trim().is_empty()) {
            match dates::parse_date(written) {
                Some(p) => return (Some(p), Some(Origin::Metadata)),
                None => {
                    remarks.push(format!("date {written:?} in the metadata is not a date newsdex can read"))
                }
            }
        }
        let url_path = url.and_then(|u| url::Url::parse(u).ok()).map(|u| u.path().to_string());
        let found = dates::date_in_path(path)
            .map(|p| (p, Origin::FilePath))
            .or_else(|| url_path.as_deref().and_then(dates::date_in_path).map(|p| (p, Origin::UrlPath)))
            .or_else(|| dates::date_in_text(&raw.body).map(|p| (p, Origin::Text)));
        match found {
            Some((p, origin)) => (Some(p), Some(origin)),
            None => (None, None),
        }
    }

    /// The source of `raw` read from `file`, by the same rules as [`Normaliser::normalise`].
    pub fn source_of(&self, raw: &RawArticle, file: &CorpusFile) -> Option<String> {
        let url = raw.url.as_deref().map(str::trim).filter(|u| !u.is_empty());
        self.resolve_source(raw, url, file).0
    }

    fn resolve_source(
        &self,
        raw: &RawArticle,
        url: Option<&str>,
        file: &CorpusFile,
    ) -> (Option<String>, Option<Origin>) {
        if let Some(name) = raw.source.as_deref().and_then(|s| self.rules.canonical(s)) {
            return (Some(name), Some(Origin::Metadata));
        }
        let by_rule = url
            .and_then(|u| self.rules.from_url(u).map(|n| (n, Origin::UrlHost)))
            .or_else(|| self.rules.from_dateline(&raw.body).map(|n| (n, Origin::AgencyTag)))
            .or_else(|| self.rules.from_signature(&raw.body).map(|n| (n, Origin::Signature)));
        if let Some((name, origin)) = by_rule {
            return (Some(name.to_string()), Some(origin));
        }
        match &self.folder_source {
            FolderSource::Named(name) => (Some(name.clone()), Some(Origin::User)),
            FolderSource::FirstFolder => match file.first_folder() {
                Some(folder) => (Some(folder), Some(Origin::Folder)),
                None => (None, None),
            },
            FolderSource::None => (None, None),
        }
    }
}
pub mod entities;
pub mod neardup;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dateline_credit_is_no_mention_but_the_text_is() {
        let rules = SourceRules::builtin();
        let body = "LONDON (Reuters) - Shares rose, a Reuters poll showed.";
        assert_eq!(
            without_dateline_tag(&rules, body),
            "LONDON           - Shares rose, a Reuters poll showed."
        );
        assert_eq!(without_dateline_tag(&rules, "No dateline here."), "No dateline here.");
    }
}
