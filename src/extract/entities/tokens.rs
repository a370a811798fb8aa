//! Splitting text into the words the entity rules look at: each with its byte span (trimmed
//! of quotes, brackets and punctuation, and of a possessive `'s`), whether it is capitalised,
//! whether it opens a sentence, and whether punctuation separates it from the next word.

/// One word of the text.
#[derive(Debug, Clone)]
pub struct Token<'a> {
    /// The word, trimmed.
    pub text: &'a str,
    /// Byte offset of the word in the text.
    pub start: usize,
    /// Byte offset just past the word.
    pub end: usize,
    /// Starts with an upper-case letter.
    pub capitalised: bool,
    /// First word of a sentence or line.
    pub sentence_start: bool,
    /// Punctuation (or a possessive) separates it from the next word: a name cannot continue.
    pub break_after: bool,
    /// Index of its sentence, counting from 0.
    pub sentence: usize,
}

impl Token<'_> {
    /// Written in capitals throughout, like an acronym or a shouted headline.
    pub fn all_caps(&self) -> bool {
        let mut letters = self.text.chars().filter(|c| c.is_alphabetic()).peekable();
        letters.peek().is_some() && letters.all(|c| c.is_uppercase())
    }
}

const OPENING: &[char] = &['"', '\'', '“', '‘', '(', '[', '{', '«', '*', '_'];
const CLOSING: &[char] = &['"', '\'', '”', '’', ')', ']', '}', '»', ',', '.', ';', ':', '!', '?', '*', '_'];

/// Splits `text` into tokens.
pub fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut tokens: Vec<Token> = Vec::new();
    let mut sentence = 0;
    for (line_start, line) in lines_with_offsets(text) {
        let mut new_sentence = true;
        sentence += 1;
        for (offset, raw) in words_with_offsets(line) {
            let lead = raw.len() - raw.trim_start_matches(OPENING).len();
            let mut core = raw.trim_start_matches(OPENING).trim_end_matches(CLOSING);
            let mut possessive = false;
            for suffix in ["'s", "’s"] {
                if let Some(stem) = core.strip_suffix(suffix) {
                    core = stem;
                    possessive = true;
                }
            }
            let trailing = &raw[lead + core.len()..];
            if core.is_empty() || !core.chars().any(char::is_alphanumeric) {
                if let Some(last) = tokens.last_mut() {
                    last.break_after = true;
                }
                new_sentence |= raw.contains(['.', '!', '?']);
                continue;
            }
            if lead > 0
                && let Some(last) = tokens.last_mut()
            {
                last.break_after = true;
            }
            let start = line_start + offset + lead;
            if new_sentence {
                sentence += 1;
            }
            tokens.push(Token {
                text: core,
                start,
                end: start + core.len(),
                capitalised: core.chars().next().is_some_and(char::is_uppercase),
                sentence_start: new_sentence,
                break_after: possessive || !(trailing.is_empty() || trailing == "." && is_abbreviation(core)),
                sentence,
            });
            new_sentence = ends_sentence(core, trailing);
        }
        if let Some(last) = tokens.last_mut() {
            last.break_after = true;
        }
    }
    tokens
}

/// A sentence ends at `.`, `!` or `?`, except after an initial or a common abbreviation.
fn ends_sentence(core: &str, trailing: &str) -> bool {
    if trailing.contains(['!', '?']) {
        return true;
    }
    if !trailing.starts_with('.') {
        return false;
    }
    !is_abbreviation(core)
}

/// An initial or an abbreviation whose full stop does not end the sentence.
fn is_abbreviation(core: &str) -> bool {
    core.chars().count() == 1
        || matches!(
            core,
            "Mr" | "Mrs"
                | "Ms"
                | "Dr"
                | "St"
                | "Gen"
                | "Col"
                | "Lt"
                | "Sen"
                | "Rep"
                | "Gov"
                | "Prof"
                | "U.S"
                | "U.N"
                | "Jr"
                | "Sr"
                | "Inc"
                | "Corp"
                | "Co"
                | "No"
                | "vs"
        )
}

fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n').map(move |line| {
        let start = offset;
        offset += line.len();
        (start, line)
    })
}

fn words_with_offsets(line: &str) -> impl Iterator<Item = (usize, &str)> {
    line.split_whitespace().map(move |word| (word.as_ptr() as usize - line.as_ptr() as usize, word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_trimmed_and_flagged() {
        let tokens = tokenize("On Saturday, \"Assad's forces\" hit Aleppo. Mr. Kerry said.\nNew line");
        let texts: Vec<&str> = tokens.iter().map(|t| t.text).collect();
        assert_eq!(
            texts,
            ["On", "Saturday", "Assad", "forces", "hit", "Aleppo", "Mr", "Kerry", "said", "New", "line"]
        );
        let starts: Vec<bool> = tokens.iter().map(|t| t.sentence_start).collect();
        assert_eq!(starts, [true, false, false, false, false, false, true, false, false, true, false]);
        assert!(tokens[1].break_after && tokens[2].break_after && !tokens[6].break_after);
        assert_eq!(&"On Saturday, \"Assad's"[tokens[2].start..tokens[2].end], "Assad");
    }
}
