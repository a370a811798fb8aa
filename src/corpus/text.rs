//! Plain-text reader. Two shapes are common: the title on the first non-empty line and the
//! body after it (the seed article, the BBC corpus), and a header block of `-- ` lines giving
//! title, byline, date and URL (the Reuters news data set).

use super::{RawArticle, split_authors};

/// Reads one article from plain text; `None` when the text has no line at all.
pub fn read(text: &str) -> Option<RawArticle> {
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().find(|l| !l.trim().is_empty())?;
    if first.trim_start().starts_with("-- ") {
        Some(read_header_block(text))
    } else {
        let start = text.find(first).unwrap_or(0);
        let body = text[start + first.len()..].trim();
        Some(RawArticle { title: clean(first), body: body.to_string(), ..RawArticle::default() })
    }
}

/// Reads the `-- ` header block: the first line is the title, then `By` lines, URLs, and the
/// first other line as the date; everything after the block is the body.
fn read_header_block(text: &str) -> RawArticle {
    let mut article = RawArticle::default();
    let mut body_start = text.len();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.is_empty() && article.title.is_empty() {
            offset += line.len();
            continue;
        }
        let Some(field) = trimmed.strip_prefix("--") else {
            body_start = offset;
            break;
        };
        classify_header_line(field.trim(), &mut article);
        offset += line.len();
    }
    article.body = text.get(body_start..).unwrap_or("").trim().to_string();
    article
}

fn classify_header_line(field: &str, article: &mut RawArticle) {
    let lower = field.to_ascii_lowercase();
    if field.is_empty() {
    } else if article.title.is_empty() {
        article.title = clean(field);
    } else if lower.starts_with("by ") {
        article.authors.extend(split_authors(field));
    } else if lower.starts_with("http://") || lower.starts_with("https://") {
        article.url.get_or_insert_with(|| field.to_string());
    } else if article.date.is_none() {
        article.date = Some(field.to_string());
    }
}

fn clean(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_on_first_line() {
        let a = read("\n  Kerry heads for Geneva \n\nInternational efforts...\nMore.").unwrap();
        assert_eq!(a.title, "Kerry heads for Geneva");
        assert_eq!(a.body, "International efforts...\nMore.");
    }

    #[test]
    fn reuters_header_block() {
        let text = "-- ICI rejects bid\n-- By  Foo Yun Chee  and Miyoung Kim\n-- Mon Jun 18, 2007 12:38pm EDT\n\
                    -- http://www.reuters.com/article/2007/06/18/us-ici\n\n AMSTERDAM  (Reuters) - Britain's ICI...\n";
        let a = read(text).unwrap();
        assert_eq!(a.title, "ICI rejects bid");
        assert_eq!(a.authors, ["Foo Yun Chee", "Miyoung Kim"]);
        assert_eq!(a.date.as_deref(), Some("Mon Jun 18, 2007 12:38pm EDT"));
        assert_eq!(a.url.as_deref(), Some("http://www.reuters.com/article/2007/06/18/us-ici"));
        assert_eq!(a.body, "AMSTERDAM  (Reuters) - Britain's ICI...");
    }

    #[test]
    fn blank_text_has_no_article() {
        assert!(read(" \n \n").is_none());
    }
}
