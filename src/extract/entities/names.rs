//! Finding the gazetteer's names in text: an Aho-Corasick automaton's leftmost-longest matches.
//! The automaton's own unanchored search walks every byte of the text, and over 7,000 names
//! no prefilter helps it; it was a ninth of the labeller's time (4.8% of the samples of a full
//! run on the Reuters slice, the labeller 42%). Nearly every name starts with a capital, so
//! the automaton is walked anchored, and only from the pairs of bytes some name starts with:
//! the same matches, for a few steps at each capital. The labeller, whose text is words joined
//! by spaces, asks only at the words' starts (and after hyphens and slashes inside words):
//! looking at every byte for a capital was 2% of the instructions of `newsdex entities`.

use aho_corasick::automaton::Automaton;
use aho_corasick::nfa::contiguous::NFA;
use aho_corasick::{Anchored, BuildError, MatchKind};

/// The names, compiled for [`NameMatcher::leftmost_longest`].
#[derive(Debug)]
pub struct NameMatcher {
    automaton: NFA,
    /// One bit for each pair of bytes a name starts with (a name of one byte, with any next
    /// byte; 0 stands for the end of the text).
    starts: Box<[u64; 1024]>,
    /// Whether a name starts with each byte: most bytes of prose (lower-case letters, spaces)
    /// are told apart by this table alone, before the pair is looked up.
    firsts: [bool; 256],
}

impl NameMatcher {
    /// Compiles `names`; the n-th is reported as pattern `n`.
    pub fn new<S: AsRef<str>>(names: &[S]) -> Result<Self, BuildError> {
        let automaton = NFA::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(names.iter().map(AsRef::<str>::as_ref))?;
        let mut starts = Box::new([0u64; 1024]);
        let mut firsts = [false; 256];
        for name in names {
            let (first, seconds) = match name.as_ref().as_bytes() {
                [] => continue,
                [first] => (*first, 0..=255),
                [first, second, ..] => (*first, *second..=*second),
            };
            firsts[usize::from(first)] = true;
            for second in seconds {
                let pair = pair(first, second);
                starts[pair / 64] |= 1 << (pair % 64);
            }
        }
        Ok(NameMatcher { automaton, starts, firsts })
    }

    /// The leftmost-longest matches in `text`, not overlapping: (start, end, pattern). The
    /// same as an unanchored leftmost-longest search: the first start from which an anchored
    /// walk matches is the leftmost match's start, and the walk finds the longest there.
    pub fn leftmost_longest<'a>(&'a self, text: &'a str) -> impl Iterator<Item = (usize, usize, usize)> + 'a {
        let bytes = text.as_bytes();
        let mut at = 0;
        std::iter::from_fn(move || {
            while let Some(start) = self.next_start(bytes, at) {
                match self.longest_at(bytes, start) {
                    Some((end, pattern)) => {
                        at = end;
                        return Some((start, end, pattern));
                    }
                    None => at = start + 1,
                }
            }
            at = bytes.len();
            None
        })
    }

    /// The leftmost-longest matches that start at one of `starts` (ascending): (start, end,
    /// pattern). For text made of words joined by spaces, where a name counts only from the
    /// start of a word: the scan visits each word once instead of each byte, and a match
    /// beginning inside a word can no longer hide one that begins at the next word.
    pub fn leftmost_longest_from<'a>(
        &'a self,
        text: &'a str,
        starts: &'a [usize],
    ) -> impl Iterator<Item = (usize, usize, usize)> + 'a {
        let bytes = text.as_bytes();
        let mut at = 0;
        starts.iter().filter_map(move |&start| {
            let candidate = start >= at && start < bytes.len() && self.firsts[usize::from(bytes[start])];
            if !candidate || !self.could_start(bytes, start) {
                return None;
            }
            let (end, pattern) = self.longest_at(bytes, start)?;
            at = end;
            Some((start, end, pattern))
        })
    }

    /// The longest name that starts at `start`, if any (its end and number): the automaton
    /// walked anchored, byte by byte, as its own anchored search walks it but without that
    /// search's setting up, which cost more than the walk at each of the capitals of a text.
    fn longest_at(&self, bytes: &[u8], start: usize) -> Option<(usize, usize)> {
        let nfa = &self.automaton;
        // A contiguous NFA has an anchored start state: no error to expect.
        let mut state = nfa.start_state(Anchored::Yes).ok()?;
        let mut found = None;
        for (at, &byte) in bytes.iter().enumerate().skip(start) {
            state = nfa.next_state(Anchored::Yes, state, byte);
            if !nfa.is_special(state) {
                continue;
            }
            if nfa.is_dead(state) {
                break;
            }
            if nfa.is_match(state) {
                // A match state also carries the names ending here that started later
                // (reached by failure transitions): only one from `start` counts.
                let pattern = nfa.match_pattern(state, 0);
                if at + 1 - nfa.pattern_len(pattern) == start {
                    found = Some((at + 1, pattern.as_usize()));
                }
            }
        }
        found.filter(|(end, _)| *end > start)
    }

    /// The first place from `from` on where a name could start.
    fn next_start(&self, bytes: &[u8], from: usize) -> Option<usize> {
        let mut at = from;
        while let Some(skipped) = bytes.get(at..)?.iter().position(|&b| self.firsts[usize::from(b)]) {
            at += skipped;
            if self.could_start(bytes, at) {
                return Some(at);
            }
            at += 1;
        }
        None
    }

    /// Whether a name could start at `bytes[i]`, by that byte and the next.
    fn could_start(&self, bytes: &[u8], i: usize) -> bool {
        let pair = pair(bytes[i], bytes.get(i + 1).copied().unwrap_or(0));
        self.starts[pair / 64] & (1 << (pair % 64)) != 0
    }
}

fn pair(first: u8, second: u8) -> usize {
    usize::from(first) << 8 | usize::from(second)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::AhoCorasick;

    #[test]
    fn finds_what_an_unanchored_search_finds() {
        let names = [
            "New York",
            "New York City",
            "York",
            "Paris",
            "U.S.",
            "US",
            "the UN",
            "UN",
            "al-Qaeda",
            "Qaeda",
            "'s-Hertogenbosch",
            "Genève",
            "Ä",
            "X",
            "Bank of England",
            "England",
            "Aleppo",
            "Bank of Englandshire",
            "Damascus Gatekeepers",
            "Gate",
        ];
        let texts = [
            "New York City-based MetLife and the UN in Paris-New York flights",
            "Yorkshire , New Yorker , NEW YORK and New York .",
            "al-Qaeda in 's-Hertogenbosch ; Genève ; ÄÄX X ; U.S. US USA",
            "the Bank of England , the Bank of Englands , Englandx England",
            "",
            "X",
            "Ä",
            "no names here at all, only words in lower case",
            "UNUN the UNESCO Aleppo.Aleppo",
            // A walk from "Damascus" reaches a state that carries "Gate", a name that starts
            // later, and then fails: the match is not the walk's.
            "the Bank of Englandsh , Damascus Gat and Damascus Gates or Damascus Gatekeeper",
        ];
        let matcher = NameMatcher::new(&names).unwrap();
        let reference = AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(names).unwrap();
        for text in texts {
            let expected: Vec<(usize, usize, usize)> =
                reference.find_iter(text).map(|m| (m.start(), m.end(), m.pattern().as_usize())).collect();
            assert_eq!(matcher.leftmost_longest(text).collect::<Vec<_>>(), expected, "{text:?}");
        }
        let found = |text| matcher.leftmost_longest(text).map(|(s, e, _)| &text[s..e]).collect::<Vec<_>>();
        assert_eq!(found("New York City-based and Paris-New York"), ["New York City", "Paris", "New York"]);
    }

    #[test]
    fn from_given_starts_finds_the_unanchored_matches_that_begin_there() {
        let names = ["New York", "New York City", "York", "Paris", "UN", "Bank of England", "England"];
        let matcher = NameMatcher::new(&names).unwrap();
        let text = "the UN in New York City , York and the Bank of England";
        let starts: Vec<usize> =
            std::iter::once(0).chain(text.match_indices(' ').map(|(at, _)| at + 1)).collect();
        let all: Vec<_> = matcher.leftmost_longest(text).collect();
        assert_eq!(matcher.leftmost_longest_from(text, &starts).collect::<Vec<_>>(), all);
        let found = |starts: &[usize]| {
            matcher.leftmost_longest_from(text, starts).map(|(s, e, _)| &text[s..e]).collect::<Vec<_>>()
        };
        // Only where asked: from the start of "York" of "New York City", and from "City"'s.
        assert_eq!(found(&[14, 19]), ["York"]);
        // A match hides the starts it covers.
        assert_eq!(found(&[10, 14, 26]), ["New York City", "York"]);
        assert_eq!(found(&[text.len()]), Vec::<&str>::new());
    }
}
