//! Splitting raw text into the tokens and sentences the model was trained on. CoNLL-2003 is
//! tokenised the Penn Treebank way: punctuation and the possessive `'s` are tokens of their
//! own, hyphenated words and abbreviations ("U.S.", "Mr.") are one token, and every line (a
//! headline, a dateline) is a sentence of its own.

/// One token, with its byte span in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    /// The token as written.
    pub text: &'a str,
    /// Byte offset in the text.
    pub start: usize,
}

impl Token<'_> {
    /// Byte offset just past the token.
    pub fn end(&self) -> usize {
        self.start + self.text.len()
    }
}

const OPENING: &[char] = &['"', '\'', '“', '‘', '(', '[', '{', '«', '`', '*', '_'];
const CLOSING: &[char] = &['"', '\'', '”', '’', ')', ']', '}', '»', ',', ';', ':', '!', '?', '*', '_', '.'];
const ABBREVIATIONS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Dr", "St", "Gen", "Col", "Lt", "Sgt", "Capt", "Sen", "Rep", "Gov", "Prof", "Jr",
    "Sr", "Inc", "Corp", "Co", "Ltd", "vs", "Jan", "Feb", "Mar", "Apr", "Aug", "Sept", "Sep", "Oct", "Nov",
    "Dec", "Mt", "Ft", "Rev", "Adm", "Maj", "Brig", "Cmdr", "Gens",
];

/// Room for the tokens of a typical sentence of news prose, made at once: growing each
/// sentence's list from nothing reallocated it four or five times.
const SENTENCE: usize = 32;

/// The sentences of `text`, each a list of tokens.
pub fn sentences(text: &str) -> Vec<Vec<Token<'_>>> {
    let mut out: Vec<Vec<Token>> = Vec::new();
    let mut offset = 0;
    let mut pieces: Vec<Token> = Vec::new();
    // The sentence being read; a blank line leaves it empty for the next.
    let mut current: Vec<Token> = Vec::with_capacity(SENTENCE);
    for line in text.split_inclusive('\n') {
        let mut ended = false;
        for word in whitespace_split(line) {
            let start = offset + (word.as_ptr() as usize - line.as_ptr() as usize);
            if is_plain(word) {
                // One token, neither closing punctuation nor a sentence's end.
                if ended {
                    close(&mut current, &mut out);
                }
                ended = false;
                current.push(Token { text: word, start });
                continue;
            }
            pieces.clear();
            split_punctuation(word, start, &mut pieces);
            for &token in &pieces {
                let closing = token.text.chars().all(|c| CLOSING.contains(&c) && c != ',');
                if ended && !closing {
                    close(&mut current, &mut out);
                }
                ended = (ended && closing) || matches!(token.text, "." | "!" | "?" | "...");
                current.push(token);
            }
        }
        close(&mut current, &mut out);
        offset += line.len();
    }
    out
}

/// Ends the sentence being read, if it has tokens, and starts the next with room for them.
fn close<'a>(current: &mut Vec<Token<'a>>, out: &mut Vec<Vec<Token<'a>>>) {
    if !current.is_empty() {
        out.push(std::mem::replace(current, Vec::with_capacity(SENTENCE)));
    }
}

/// What a byte says of white space: an ASCII byte is ([`SPACE`]) or is not ([`INK`]), a byte of
/// a wider character ([`WIDE`]) needs the character decoded.
const INK: u8 = 0;
const SPACE: u8 = 1;
const WIDE: u8 = 2;
const WHITE: [u8; 256] = {
    let mut table = [WIDE; 256];
    let mut b = 0;
    while b < 0x80 {
        table[b] = if matches!(b as u8, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') { SPACE } else { INK };
        b += 1;
    }
    table
};

/// The words of `text` between white space: what `str::split_whitespace` gives, read a byte
/// at a time through a table where the text is ASCII instead of a character at a time (a
/// comparison for each kind of space took 2% of a full indexing run).
fn whitespace_split(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    // From `at`, the first byte that starts a character which is (`space` false) or is not
    // (`space` true) white space, or the text's end.
    let skip = move |mut at: usize, space: bool| {
        while let Some(&b) = bytes.get(at) {
            match WHITE[usize::from(b)] {
                INK if space => break,
                SPACE if !space => break,
                WIDE => {
                    let c = text[at..].chars().next().unwrap_or(char::REPLACEMENT_CHARACTER);
                    if c.is_whitespace() != space {
                        break;
                    }
                    at += c.len_utf8();
                }
                _ => at += 1,
            }
        }
        at
    };
    let mut at = 0;
    std::iter::from_fn(move || {
        let start = skip(at, true);
        if start == bytes.len() {
            return None;
        }
        at = skip(start, false);
        Some(&text[start..at])
    })
}

/// Splits one whitespace-delimited word into leading punctuation, the core, a possessive and
/// trailing punctuation.
fn split_punctuation<'a>(word: &'a str, start: usize, tokens: &mut Vec<Token<'a>>) {
    let mut core = word;
    let mut at = start;
    while let Some(c) = core.chars().next().filter(|c| OPENING.contains(c)) {
        if core.len() == c.len_utf8() {
            break;
        }
        tokens.push(Token { text: &core[..c.len_utf8()], start: at });
        at += c.len_utf8();
        core = &core[c.len_utf8()..];
    }
    let mut trailing: [Option<Token>; 8] = [None; 8];
    let mut trailed = 0;
    let mut keep = |token: Token<'a>| {
        if trailed < trailing.len() {
            trailing[trailed] = Some(token);
            trailed += 1;
            true
        } else {
            false
        }
    };
    loop {
        if core.ends_with("...") && core.len() > 3 {
            let cut = core.len() - 3;
            if !keep(Token { text: &core[cut..], start: at + cut }) {
                break;
            }
            core = &core[..cut];
            continue;
        }
        let Some(c) = core.chars().next_back().filter(|c| CLOSING.contains(c)) else { break };
        if core.len() == c.len_utf8() || c == '.' && is_abbreviation(&core[..core.len() - 1]) {
            break;
        }
        let cut = core.len() - c.len_utf8();
        if !keep(Token { text: &core[cut..], start: at + cut }) {
            break;
        }
        core = &core[..cut];
    }
    if let Some(cut) = clitic_at(core)
        && keep(Token { text: &core[cut..], start: at + cut })
    {
        core = &core[..cut];
    }
    tokens.push(Token { text: core, start: at });
    tokens.extend(trailing[..trailed].iter().rev().flatten());
}

/// Where a word's clitic starts, if it has one: a possessive or "n't" ("Kerry's", "didn't"),
/// or the verb glued to a pronoun ("I'm", "we've", "they'll"), all tokens of their own in the
/// Penn Treebank's way. Whole, "I'm" was a capitalised word the model had never seen, and
/// "when I'm 74" was an organisation. Only after pronouns: "Sa'd" is a name.
fn clitic_at(core: &str) -> Option<usize> {
    const PRONOUNS: &[&str] = &["i", "you", "we", "they", "he", "she", "it", "that", "there", "who", "what"];
    let possessive =
        ["'s", "’s", "n't", "’t"].into_iter().find(|s| core.len() > s.len() + 1 && core.ends_with(s));
    if let Some(suffix) = possessive {
        return Some(core.len() - suffix.len());
    }
    ["'m", "'re", "'ve", "'ll", "'d", "’m", "’re", "’ve", "’ll", "’d"].into_iter().find_map(|clitic| {
        let head = core.strip_suffix(clitic)?;
        PRONOUNS.iter().any(|p| head.eq_ignore_ascii_case(p)).then_some(head.len())
    })
}

/// Whether a word is one token as it stands, told by its ends alone: it starts and ends with an
/// ASCII letter or digit (no punctuation to split off either end) and does not end in a
/// clitic (an apostrophe, straight or curly, whose UTF-8 ends in 0x99, one or two bytes
/// before the end). Most words of news prose are, and skip the general path.
fn is_plain(word: &str) -> bool {
    let apostrophe = |b: Option<&u8>| matches!(b, Some(b'\'' | 0x99));
    match word.as_bytes() {
        [] => false,
        [only] => only.is_ascii_alphanumeric(),
        bytes @ [first, .., last] => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && !apostrophe(bytes.iter().nth_back(1))
                && !apostrophe(bytes.iter().nth_back(2))
        }
    }
}

/// Whether a word before a full stop is an abbreviation or an initial, whose stop is part
/// of it ("U.S.", "J.", "Mr.").
fn is_abbreviation(word: &str) -> bool {
    let mut letters = word.chars();
    let single = letters.next().is_some_and(char::is_alphabetic) && letters.next().is_none();
    single || word.contains('.') && word.chars().any(char::is_alphabetic) || ABBREVIATIONS.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<Vec<&str>> {
        sentences(text).iter().map(|s| s.iter().map(|t| t.text).collect()).collect()
    }

    #[test]
    fn punctuation_and_possessives_are_tokens() {
        assert_eq!(
            texts("Kerry's talks (in Geneva), \"U.S. officials\" said. Mr. Lavrov didn't.\nNEW YORK"),
            vec![
                vec![
                    "Kerry",
                    "'s",
                    "talks",
                    "(",
                    "in",
                    "Geneva",
                    ")",
                    ",",
                    "\"",
                    "U.S.",
                    "officials",
                    "\"",
                    "said",
                    "."
                ],
                vec!["Mr.", "Lavrov", "did", "n't", "."],
                vec!["NEW", "YORK"],
            ]
        );
    }

    #[test]
    fn plain_words_are_one_token_for_the_general_path_too() {
        let words = [
            "talks",
            "2016",
            "a",
            "I",
            "s",
            "Aleppo-based",
            "Kerry's",
            "didn't",
            "costs",
            "it",
            "U.S.",
            "Mr.",
            "(Geneva)",
            "said.",
            "x's",
            "t",
            "3",
            "café",
            "Genève",
            "N'Djamena",
            "O'Brien",
            "...",
            "end...",
            "can’t",
            "Mohammed’s",
            "añt",
        ];
        let mut plain = 0;
        for word in words {
            let mut general = Vec::new();
            split_punctuation(word, 7, &mut general);
            if is_plain(word) {
                assert_eq!(general, [Token { text: word, start: 7 }], "{word}");
                plain += 1;
            }
        }
        assert_eq!(plain, 14, "the words the short path takes");
        let split = |word| {
            let mut tokens = Vec::new();
            split_punctuation(word, 0, &mut tokens);
            tokens.iter().map(|t| t.text).collect::<Vec<_>>()
        };
        assert_eq!(split("I'm"), ["I", "'m"]);
        assert_eq!(split("\"We’ve"), ["\"", "We", "’ve"]);
        assert_eq!(split("they'll,"), ["they", "'ll", ","]);
        assert_eq!(split("Sa'd"), ["Sa'd"], "a name, not a pronoun and a verb");
        assert!(!is_plain("I'm") && !is_plain("we're") && is_plain("O'Brien"));
    }

    #[test]
    fn words_are_split_at_the_white_space_of_unicode() {
        let texts = [
            "",
            " ",
            "one",
            "  two  words  ",
            "tab\tvertical\x0bfeed\x0creturn\r\nend",
            "no\u{a0}break\u{3000}ideographic\u{2009}thin\u{85}next\u{2028}line",
            "unit\u{1f}separator is no space",
            "Genève, 北京 — “quoted”  ",
            "\u{a0}",
            "é",
        ];
        for text in texts {
            assert_eq!(
                whitespace_split(text).collect::<Vec<_>>(),
                text.split_whitespace().collect::<Vec<_>>(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn spans_point_into_the_text() {
        let text = "On Saturday, “Assad’s forces” hit Aleppo-based units.";
        for token in sentences(text).into_iter().flatten() {
            assert_eq!(&text[token.start..token.end()], token.text);
        }
        assert!(texts(text)[0].contains(&"Aleppo-based"));
    }

    #[test]
    fn a_closing_quote_stays_with_its_sentence() {
        assert_eq!(
            texts("He said: \"No.\" Then he left."),
            vec![vec!["He", "said", ":", "\"", "No", ".", "\""], vec!["Then", "he", "left", "."]]
        );
    }
}
