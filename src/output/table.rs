//! The table people read: one row per hit (date, source, title) and the snippet beneath it,
//! matched words marked in bold on a terminal and with `**` elsewhere.

use std::io::{self, Write};

use crate::query::Hit;

/// How the table is drawn.
#[derive(Debug, Clone, Copy)]
pub struct TableStyle {
    /// Mark matches with terminal colours rather than `**`.
    pub color: bool,
}

const SOURCE_WIDTH: usize = 22;
/// Entities listed under each hit, most mentioned first.
const TOP_ENTITIES: usize = 6;

/// Prints hits as a table.
pub fn print(out: &mut dyn Write, hits: &[Hit], style: &TableStyle) -> io::Result<()> {
    let width = hits
        .iter()
        .map(|h| h.source.as_deref().unwrap_or("-").chars().count())
        .max()
        .unwrap_or(1)
        .min(SOURCE_WIDTH);
    for hit in hits {
        let date =
            hit.published.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "(no date)".into());
        let source = fit(hit.source.as_deref().unwrap_or("-"), width);
        let title = if hit.title.is_empty() { "(no title)" } else { hit.title.as_str() };
        match hit.versions {
            Some(n) if n > 1 => writeln!(out, "{date:<10}  {source:<width$}  {title}  [{n} versions]")?,
            _ => writeln!(out, "{date:<10}  {source:<width$}  {title}")?,
        }
        let snippet = marked(&hit.snippet.text, &hit.snippet.highlights, style);
        if !snippet.is_empty() {
            writeln!(out, "{:12}{snippet}", "")?;
        }
        if !hit.entities.is_empty() {
            let top: Vec<String> = hit
                .entities
                .iter()
                .take(TOP_ENTITIES)
                .map(|e| format!("{} ({})", e.name, e.mentions))
                .collect();
            writeln!(out, "{:12}mentions: {}", "", top.join(", "))?;
        }
    }
    Ok(())
}

fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(width - 1).collect();
        cut.push('…');
        cut
    }
}

/// The snippet with its highlighted ranges marked, on one line.
fn marked(text: &str, highlights: &[(usize, usize)], style: &TableStyle) -> String {
    let (open, close) = if style.color { ("\x1b[1;31m", "\x1b[0m") } else { ("**", "**") };
    let mut out = String::with_capacity(text.len() + highlights.len() * 8);
    let mut at = 0;
    for &(start, end) in highlights {
        if start < at || end > text.len() || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(open);
        out.push_str(&text[start..end]);
        out.push_str(close);
        at = end;
    }
    out.push_str(&text[at..]);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_are_marked_and_lines_joined() {
        let plain = TableStyle { color: false };
        assert_eq!(marked("air raids on\nAleppo", &[(13, 19)], &plain), "air raids on **Aleppo**");
        assert_eq!(marked("abc", &[(0, 1), (0, 2)], &plain), "**a**bc");
    }

    #[test]
    fn long_sources_are_cut() {
        assert_eq!(fit("Syrian Observatory for Human Rights", 10), "Syrian Ob…");
        assert_eq!(fit("MEE", 10), "MEE");
    }
}
