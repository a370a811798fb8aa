//! HTML reader, built on a real HTML parser (scraper/html5ever). Metadata comes from Open
//! Graph and article meta tags, `<time datetime>`, and JSON-LD; the body from the paragraphs
//! of the article's main container, with navigation, headers, footers, asides, forms and
//! scripts left out.

use std::sync::LazyLock;

use scraper::{ElementRef, Html, Selector};
use serde_json::Value;

use super::{RawArticle, split_authors};

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("static CSS selector is valid")
}

static OG_TITLE: LazyLock<Selector> = LazyLock::new(|| selector(r#"meta[property="og:title"]"#));
static TITLE: LazyLock<Selector> = LazyLock::new(|| selector("title"));
static H1: LazyLock<Selector> = LazyLock::new(|| selector("h1"));
static PUBLISHED: LazyLock<Selector> = LazyLock::new(|| {
    selector(
        r#"meta[property="article:published_time"], meta[name="article:published_time"],
           meta[itemprop="datePublished"], meta[name="pubdate"], meta[name="date"]"#,
    )
});
static TIME: LazyLock<Selector> = LazyLock::new(|| selector("time[datetime]"));
static SITE_NAME: LazyLock<Selector> = LazyLock::new(|| selector(r#"meta[property="og:site_name"]"#));
static CANONICAL: LazyLock<Selector> = LazyLock::new(|| selector(r#"link[rel="canonical"]"#));
static OG_URL: LazyLock<Selector> = LazyLock::new(|| selector(r#"meta[property="og:url"]"#));
static AUTHOR: LazyLock<Selector> =
    LazyLock::new(|| selector(r#"meta[name="author"], meta[property="article:author"]"#));
static JSON_LD: LazyLock<Selector> = LazyLock::new(|| selector(r#"script[type="application/ld+json"]"#));
static HTML_TAG: LazyLock<Selector> = LazyLock::new(|| selector("html"));
static CONTAINERS: LazyLock<[Selector; 4]> = LazyLock::new(|| {
    [selector("article"), selector(r#"[itemprop="articleBody"]"#), selector("main"), selector("body")]
});
static PARAGRAPHS: LazyLock<Selector> = LazyLock::new(|| selector("p, h2, h3, li, blockquote"));

/// Elements whose content is page furniture, never article text.
const FURNITURE: [&str; 9] =
    ["nav", "header", "footer", "aside", "form", "script", "style", "noscript", "figure"];

/// Reads the article of one HTML page; `None` when it has neither title nor text.
pub fn read(text: &str) -> Option<RawArticle> {
    let page = Html::parse_document(text);
    let ld = json_ld(&page);
    let ld_text = |key: &str| ld.iter().find_map(|v| v.get(key).and_then(ld_string));
    let title = attr(&page, &OG_TITLE, "content")
        .or_else(|| first_text(&page, &TITLE).map(|t| without_site_suffix(&t)))
        .or_else(|| ld_text("headline"))
        .or_else(|| first_text(&page, &H1))
        .unwrap_or_default();
    let date = attr(&page, &PUBLISHED, "content")
        .or_else(|| ld_text("datePublished"))
        .or_else(|| attr(&page, &TIME, "datetime"));
    let source = attr(&page, &SITE_NAME, "content")
        .or_else(|| ld.iter().find_map(|v| v.get("publisher").and_then(ld_string)));
    let url = attr(&page, &CANONICAL, "href").or_else(|| attr(&page, &OG_URL, "content"));
    let authors = match attr(&page, &AUTHOR, "content") {
        Some(byline) => split_authors(&byline),
        None => ld.iter().find_map(|v| v.get("author")).map(ld_names).unwrap_or_default(),
    };
    let language = page
        .select(&HTML_TAG)
        .next()
        .and_then(|h| h.value().attr("lang"))
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty());
    let body = body_text(&page);
    if title.is_empty() && body.is_empty() {
        return None;
    }
    Some(RawArticle { title, body, url, date, source, authors, language, locator: None })
}

/// The paragraphs of the first container that has any, furniture excluded.
fn body_text(page: &Html) -> String {
    for container in CONTAINERS.iter() {
        for root in page.select(container) {
            let paragraphs: Vec<String> = root
                .select(&PARAGRAPHS)
                .filter(|p| !inside_furniture(p) && !has_block_parent_in_set(p))
                .map(|p| squeeze(&p.text().collect::<String>()))
                .filter(|t| !t.is_empty())
                .collect();
            if !paragraphs.is_empty() {
                return paragraphs.join("\n\n");
            }
        }
    }
    String::new()
}

fn inside_furniture(element: &ElementRef) -> bool {
    element.ancestors().filter_map(ElementRef::wrap).any(|a| FURNITURE.contains(&a.value().name()))
}

/// True when a `p` sits inside an `li` or `blockquote` that is itself collected, so its
/// text is not taken twice.
fn has_block_parent_in_set(element: &ElementRef) -> bool {
    element.ancestors().filter_map(ElementRef::wrap).any(|a| matches!(a.value().name(), "li" | "blockquote"))
}

/// `<title>` often ends with the site's name: "Headline | Site".
fn without_site_suffix(title: &str) -> String {
    match title.rsplit_once(" | ") {
        Some((headline, _)) if !headline.trim().is_empty() => headline.trim().to_string(),
        _ => title.to_string(),
    }
}

fn attr(page: &Html, sel: &Selector, name: &str) -> Option<String> {
    page.select(sel).filter_map(|e| e.value().attr(name)).map(squeeze).find(|v| !v.is_empty())
}

fn first_text(page: &Html, sel: &Selector) -> Option<String> {
    page.select(sel).map(|e| squeeze(&e.text().collect::<String>())).find(|t| !t.is_empty())
}

/// The JSON-LD objects of the page, flattened out of arrays and `@graph` lists.
fn json_ld(page: &Html) -> Vec<Value> {
    let mut objects = Vec::new();
    for script in page.select(&JSON_LD) {
        let text: String = script.text().collect();
        if let Ok(value) = serde_json::from_str::<Value>(&text) {
            flatten_ld(value, &mut objects);
        }
    }
    objects
}

fn flatten_ld(value: Value, out: &mut Vec<Value>) {
    match value {
        Value::Array(items) => items.into_iter().for_each(|v| flatten_ld(v, out)),
        Value::Object(mut o) => {
            if let Some(graph) = o.remove("@graph") {
                flatten_ld(graph, out);
            }
            out.push(Value::Object(o));
        }
        _ => {}
    }
}

fn ld_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(squeeze(s)).filter(|s| !s.is_empty()),
        Value::Object(o) => o.get("name").and_then(ld_string),
        Value::Array(items) => items.iter().find_map(ld_string),
        _ => None,
    }
}

fn ld_names(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().filter_map(ld_string).collect(),
        other => ld_string(other).map(|s| split_authors(&s)).unwrap_or_default(),
    }
}

fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!doctype html><html lang="en"><head>
        <title>Fallback title | Site</title>
        <meta property="og:title" content="Truce talks resume in Geneva">
        <meta property="og:site_name" content="Al Jazeera">
        <meta property="article:published_time" content="2016-05-10T09:30:00+03:00">
        <link rel="canonical" href="https://www.aljazeera.com/news/2016/05/truce.html">
        <script type="application/ld+json">{"@graph":[{"@type":"NewsArticle","author":[{"name":"Hana Said"}]}]}</script>
        </head><body><nav><p>Home | World</p></nav>
        <article><header><p>Share this</p></header>
        <p>Delegates   met on Tuesday.</p><p>Talks continue.</p>
        <aside><p>Related stories</p></aside><script>var x = "<p>no</p>";</script></article>
        <footer><p>Copyright 2016</p></footer></body></html>"#;

    #[test]
    fn metadata_and_article_paragraphs() {
        let a = read(PAGE).unwrap();
        assert_eq!(a.title, "Truce talks resume in Geneva");
        assert_eq!(a.source.as_deref(), Some("Al Jazeera"));
        assert_eq!(a.date.as_deref(), Some("2016-05-10T09:30:00+03:00"));
        assert_eq!(a.url.as_deref(), Some("https://www.aljazeera.com/news/2016/05/truce.html"));
        assert_eq!(a.authors, ["Hana Said"]);
        assert_eq!(a.language.as_deref(), Some("en"));
        assert_eq!(a.body, "Delegates met on Tuesday.\n\nTalks continue.");
    }

    #[test]
    fn time_element_and_plain_body() {
        let a = read(
            "<html><body><h1>Headline</h1><time datetime=\"2015-03-02\">2 March</time>\
                      <p>Only text.</p><footer><p>About us</p></footer></body></html>",
        )
        .unwrap();
        assert_eq!(a.title, "Headline");
        assert_eq!(a.date.as_deref(), Some("2015-03-02"));
        assert_eq!(a.body, "Only text.");
    }
}
