//! Page furniture: the lines of a body that belong to the outlet rather than the story.
//! Patterns come from `index_schema/boilerplate.toml`; recurring lines are learned per source
//! from a fixed sample of the corpus. Furniture is split off before entities are extracted and
//! before the content hash is taken, so a wire story republished with two outlets' footers is
//! still one text.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, Anchored, Input, StartKind};
use serde::Deserialize;

use crate::error::{Error, Result};

const BUILTIN: &str = include_str!("../../index_schema/boilerplate.toml");

/// The settings of `boilerplate.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rules {
    line_starts: Vec<String>,
    line_contains: Vec<String>,
    max_words: usize,
    trailing_parentheses: Vec<String>,
    learn_min_articles: u32,
    learn_min_share: f64,
    learn_sample_files: usize,
}

/// Recognises furniture; learned lines are added once per run, before the first article.
#[derive(Debug)]
pub struct Boilerplate {
    rules: Rules,
    /// `rules.line_starts`, all tried at a line's start at once.
    line_starts: AhoCorasick,
    /// `rules.line_contains`, all looked for in one pass over a line (one substring search a
    /// pattern was 1.4% of a full indexing run: most paragraphs of wire copy are short enough
    /// to be asked).
    line_contains: AhoCorasick,
    /// The learned lines' keys, by source.
    learned: OnceLock<HashMap<String, HashSet<u64>>>,
}

/// Counts, per source, in how many articles each line appears.
#[derive(Debug, Default, PartialEq)]
pub struct LineStats {
    per_source: HashMap<String, (u32, HashMap<u64, u32>)>,
}

/// The line lower-cased, its words joined by single spaces.
fn normalised(line: &str) -> String {
    if !line.is_ascii() || line.contains('\u{b}') {
        return line.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    }
    // ASCII without a vertical tab (the one ASCII space split_ascii_whitespace does not know):
    // the same text built in one pass.
    let mut text = String::with_capacity(line.len());
    for word in line.split_ascii_whitespace() {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(word);
    }
    text.make_ascii_lowercase();
    text
}

/// `text` without its leading and trailing whitespace, cut in place rather than copied.
fn trimmed(mut text: String) -> String {
    text.truncate(text.trim_end().len());
    let start = text.len() - text.trim_start().len();
    text.drain(..start);
    text
}

/// A line's key in the learned sets and in the learning sample's counts. The keys live for one
/// run and are never written, so a fast hash does; a cryptographic one is not needed.
fn line_key(normalised_line: &str) -> u64 {
    use std::hash::Hasher;
    let mut hasher = rustc_hash::FxHasher::default();
    hasher.write(normalised_line.as_bytes());
    hasher.finish()
}

impl LineStats {
    /// Counts the lines of one article of `source`.
    pub fn add(&mut self, source: Option<&str>, body: &str) {
        let entry = self.per_source.entry(source.unwrap_or("").to_string()).or_default();
        entry.0 += 1;
        let distinct: HashSet<u64> = body
            .lines()
            .map(normalised)
            .filter(|l| l.split(' ').count() >= 4)
            .map(|l| line_key(&l))
            .collect();
        for key in distinct {
            *entry.1.entry(key).or_default() += 1;
        }
    }

    /// The counts of two samples together: the same as one sample of both, in any order.
    pub fn merged(mut self, other: LineStats) -> LineStats {
        for (source, (articles, lines)) in other.per_source {
            let entry = self.per_source.entry(source).or_default();
            entry.0 += articles;
            for (key, n) in lines {
                *entry.1.entry(key).or_default() += n;
            }
        }
        self
    }
}

impl Boilerplate {
    /// The shipped patterns.
    pub fn builtin() -> Result<Self> {
        let rules: Rules = toml::from_str(BUILTIN).map_err(|e| Error::Config {
            file: "index_schema/boilerplate.toml".into(),
            reason: e.to_string(),
        })?;
        let invalid = |setting: &str, e: aho_corasick::BuildError| Error::Config {
            file: "index_schema/boilerplate.toml".into(),
            reason: format!("{setting}: {e}"),
        };
        let line_starts = AhoCorasick::builder()
            .start_kind(StartKind::Anchored)
            .build(&rules.line_starts)
            .map_err(|e| invalid("line_starts", e))?;
        let line_contains =
            AhoCorasick::new(&rules.line_contains).map_err(|e| invalid("line_contains", e))?;
        Ok(Boilerplate { rules, line_starts, line_contains, learned: OnceLock::new() })
    }

    /// How many files the learning sample takes.
    pub fn sample_files(&self) -> usize {
        self.rules.learn_sample_files
    }

    /// Whether the learned lines are in place.
    pub fn is_learned(&self) -> bool {
        self.learned.get().is_some()
    }

    /// Learns the recurring lines of `stats` (once: later calls keep the first result).
    pub fn learn(&self, stats: &LineStats) -> usize {
        self.learn_with(|| LineStats { per_source: stats.per_source.clone() })
    }

    /// Learns once from the statistics `gather` returns; other threads wait for it.
    pub fn learn_with(&self, gather: impl FnOnce() -> LineStats) -> usize {
        let rules = &self.rules;
        let learned = self.learned.get_or_init(|| {
            let stats = gather();
            let mut learned: HashMap<String, HashSet<u64>> = HashMap::new();
            for (source, (articles, lines)) in &stats.per_source {
                let need = (rules.learn_min_share * f64::from(*articles)).ceil() as u32;
                let keys: HashSet<u64> = lines
                    .iter()
                    .filter(|(_, n)| **n >= rules.learn_min_articles.max(need))
                    .map(|(k, _)| *k)
                    .collect();
                if !keys.is_empty() {
                    learned.insert(source.clone(), keys);
                }
            }
            learned
        });
        learned.values().map(HashSet::len).sum()
    }

    /// Splits `body` into the story and its furniture.
    pub fn split(&self, source: Option<&str>, body: &str) -> (String, Vec<String>) {
        let mut story = Vec::new();
        let mut furniture = Vec::new();
        for line in body.lines() {
            if self.is_furniture(source, line) {
                furniture.push(line.trim().to_string());
            } else {
                story.push(line);
            }
        }
        let mut story = trimmed(story.join("\n"));
        if let Some(credit) = self.trailing_credit(&story) {
            furniture.push(story[credit..].trim().to_string());
            story.truncate(credit);
            story.truncate(story.trim_end().len());
        }
        (story, furniture)
    }

    fn is_furniture(&self, source: Option<&str>, line: &str) -> bool {
        // Most lines of a story are paragraphs, longer than any furniture: counted without
        // building their normalised text.
        let words = line.split_whitespace().take(self.rules.max_words + 1).count();
        if words == 0 || words > self.rules.max_words {
            return false;
        }
        let text = normalised(line);
        if self.line_starts.is_match(Input::new(&text).anchored(Anchored::Yes))
            || self.line_contains.is_match(&text)
        {
            return true;
        }
        self.learned
            .get()
            .and_then(|learned| learned.get(source.unwrap_or("")))
            .is_some_and(|keys| keys.contains(&line_key(&text)))
    }

    /// Where a credit in parentheses closing the body starts: on its last line, matched
    /// ignoring ASCII case (which keeps byte offsets those of `story`).
    fn trailing_credit(&self, story: &str) -> Option<usize> {
        let trimmed = story.trim_end();
        if !trimmed.ends_with(')') {
            return None;
        }
        let line_start = trimmed.rfind('\n').map_or(0, |i| i + 1);
        let line = &trimmed[line_start..];
        self.rules
            .trailing_parentheses
            .iter()
            .filter_map(|p| rfind_ignore_ascii_case(line, p))
            .min()
            .map(|start| line_start + start)
    }
}

/// Where `needle` last occurs in `haystack`, ASCII letters compared case-insensitively (what
/// `rfind` on a lower-cased copy finds, for a lower-case needle, without making the copy).
fn rfind_ignore_ascii_case(haystack: &str, needle: &str) -> Option<usize> {
    let (hay, needle) = (haystack.as_bytes(), needle.as_bytes());
    let Some(&first) = needle.first() else { return Some(hay.len()) };
    // Candidates start before `end`; each is found by its first byte, in either case.
    let mut end = hay.len().checked_sub(needle.len())? + 1;
    while let Some(i) = memchr::memrchr2(first.to_ascii_lowercase(), first.to_ascii_uppercase(), &hay[..end])
    {
        if hay[i..i + needle.len()].eq_ignore_ascii_case(needle) {
            return Some(i);
        }
        end = i;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = include_str!("../../sample_corpus/000_afe821fb16f557c1.txt");

    #[test]
    fn a_closing_credit_is_cut_at_its_own_offset_after_any_letters() {
        let boilerplate = Boilerplate::builtin().unwrap();
        let body = "İSTANBUL talks resumed on Monday.\nThe ĞÜŞ delegation arrived. (Reporting by Ayşe Kaya; Editing by Tom Avery)";
        let (story, furniture) = boilerplate.split(None, body);
        assert_eq!(story, "İSTANBUL talks resumed on Monday.\nThe ĞÜŞ delegation arrived.");
        assert_eq!(furniture, ["(Reporting by Ayşe Kaya; Editing by Tom Avery)"]);
        let text = "Talks (reporting by Ayşe Kaya) went on.\nThe story goes on (here).";
        let (kept, none) = boilerplate.split(None, text);
        assert_eq!(kept, text, "a credit is only cut from the last line");
        assert!(none.is_empty());
    }

    #[test]
    fn the_seed_article_loses_its_last_lines_and_keeps_its_news() {
        let boilerplate = Boilerplate::builtin().unwrap();
        let (_, body) = SEED.split_once('\n').unwrap();
        let (story, furniture) = boilerplate.split(Some("Middle East Eye"), body);
        assert_eq!(furniture.len(), 3, "{furniture:?}");
        assert!(furniture[0].starts_with("New MEE newsletter"));
        assert!(furniture[2].starts_with("Middle East Eye delivers"));
        assert!(story.ends_with("Gatilov said on Saturday."));
        assert!(!story.to_lowercase().contains("newsletter"));
    }

    #[test]
    fn wire_credits_at_the_end_are_cut() {
        let boilerplate = Boilerplate::builtin().unwrap();
        let (story, furniture) = boilerplate.split(
            None,
            "Prices rose (sharply) today.  (Reporting by  Justin Grant ; Editing by  Valerie Lee )",
        );
        assert_eq!(story, "Prices rose (sharply) today.");
        assert_eq!(furniture, ["(Reporting by  Justin Grant ; Editing by  Valerie Lee )"]);
    }

    #[test]
    fn recurring_lines_of_a_source_are_learned() {
        let boilerplate = Boilerplate::builtin().unwrap();
        let mut stats = LineStats::default();
        for i in 0..5 {
            stats.add(
                Some("Gazette"),
                &format!("Story {i} text here.\nThe Gazette is owned by the Harbour Trust."),
            );
        }
        stats.add(Some("Other"), "The Gazette is owned by the Harbour Trust.");
        assert_eq!(boilerplate.learn(&stats), 1);
        let (story, furniture) =
            boilerplate.split(Some("Gazette"), "News.\nThe  Gazette is owned by the Harbour Trust.");
        assert_eq!((story.as_str(), furniture.len()), ("News.", 1));
        let (other, _) =
            boilerplate.split(Some("Other"), "News.\nThe Gazette is owned by the Harbour Trust.");
        assert!(other.contains("Harbour Trust"), "learned per source");
    }

    #[test]
    fn samples_counted_apart_and_merged_count_as_one() {
        let bodies = [
            (Some("Gazette"), "Story one.\nThe Gazette is owned by the Harbour Trust."),
            (Some("Gazette"), "Story two.\nThe Gazette is owned by the Harbour Trust."),
            (Some("Other"), "The Gazette is owned by the Harbour Trust.\nAnd a line of other words."),
            (None, "A line of four words."),
        ];
        let mut whole = LineStats::default();
        for (source, body) in bodies {
            whole.add(source, body);
        }
        let apart = bodies.map(|(source, body)| {
            let mut stats = LineStats::default();
            stats.add(source, body);
            stats
        });
        let [a, b, c, d] = apart;
        assert_eq!(d.merged(b).merged(c.merged(a)), whole);
        assert_eq!(whole.per_source["Gazette"].0, 2);
    }

    #[test]
    fn a_short_line_opening_with_or_holding_a_furniture_phrase_is_furniture() {
        let boilerplate = Boilerplate::builtin().unwrap();
        let body = "Talks resumed in Geneva on Monday.\n\
                    (c) 2016 Cedar Post.  ALL  RIGHTS Reserved.\n\
                    For more stories, follow us on Twitter.\n\
                    READ  MORE: Aleppo under siege\n\
                    The rights of refugees were reserved for later talks, read more widely.";
        let (story, furniture) = boilerplate.split(None, body);
        let expected = [
            "(c) 2016 Cedar Post.  ALL  RIGHTS Reserved.",
            "For more stories, follow us on Twitter.",
            "READ  MORE: Aleppo under siege",
        ];
        assert_eq!(furniture, expected);
        let news = "The rights of refugees were reserved for later talks, read more widely.";
        assert_eq!(story, format!("Talks resumed in Geneva on Monday.\n{news}"));
    }

    #[test]
    fn an_ascii_line_is_normalised_as_any_line_is() {
        let general = |line: &str| line.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        for line in ["", " ", "One", "  Follow  Us\ton\r\nTWITTER  ", "a\x0cb", "\tx", "x\x0by", "Ünal  Said"]
        {
            assert_eq!(normalised(line), general(line), "{line:?}");
        }
    }

    #[test]
    fn long_lines_are_news_whatever_they_say() {
        let boilerplate = Boilerplate::builtin().unwrap();
        let line = format!("Sign up {}", "word ".repeat(80));
        assert!(boilerplate.split(None, &line).1.is_empty());
    }

    #[test]
    fn the_case_insensitive_search_finds_what_rfind_on_a_lower_cased_copy_finds() {
        let lines = [
            "Shares fell. (Reporting by A; Editing by B) (reporting by C)",
            "İSTANBUL (REPORTING BY Ayşe) ĞÜŞ (Editing by Tom)",
            "no credit here (at all)",
            "(reporting by",
            "(reporting b",
            "",
        ];
        for line in lines {
            for needle in ["(reporting by", "(editing by", "(", "ayşe", ""] {
                let expected = line.to_ascii_lowercase().rfind(needle);
                assert_eq!(rfind_ignore_ascii_case(line, needle), expected, "{needle:?} in {line:?}");
            }
        }
    }

    #[test]
    fn lines_normalise_alike_by_bytes_and_by_characters() {
        for line in
            ["  Sign UP\tfor our  Newsletter ", "a\u{b}B  c", "", "   ", "ÉTAT  Major\u{a0}Σ", "Reuters"]
        {
            let general = line.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
            assert_eq!(normalised(line), general, "{line:?}");
        }
    }

    #[test]
    fn a_story_is_trimmed_as_str_trim_would() {
        for text in ["", "  ", "story", " \n story text \n\n", "\u{a0}Genève\t", "a\n\nb"] {
            assert_eq!(trimmed(text.to_string()), text.trim(), "{text:?}");
        }
    }
}
