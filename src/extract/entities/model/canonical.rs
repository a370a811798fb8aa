//! Where the model's spans and what the gazetteer knows disagree on what a name is: a
//! dateline's city the model took for an organisation, a company whose first word the model
//! left out. (How an unknown name is written is `spelling.rs`, shared with the rules.)

use super::super::lexicon::Lexicon;
use super::super::spelling::{known_without_suffix, squeezed};
use super::super::{Kind, Known};
use super::labels::Span;
use super::tokenize::Token;

/// The place a text opens with in a dateline ("SAN FRANCISCO (Reuters) -", "GENEVA, May 3
/// (AFP) -"), which the model, trained on other datelines, often takes for an organisation:
/// the span opens the text, the gazetteer knows it as a place, and a bracket or a dash follows
/// it (the agency's tag is blanked out before extraction, leaving the dash), or a comma after
/// a name in capitals.
pub(super) fn dateline_place<'a>(
    lexicon: &'a Lexicon,
    text: &str,
    tokens: &[Token],
    span: &Span,
) -> Option<&'a Known> {
    if span.start != 0 || !text[..tokens[0].start].trim().is_empty() {
        return None;
    }
    let surface = &text[tokens[0].start..tokens[span.end - 1].end()];
    let follows = tokens.get(span.end).map(|t| t.text);
    let opens_tag = matches!(follows, Some("(" | "-" | "--" | "\u{2013}" | "\u{2014}"));
    if !(opens_tag || follows == Some(",") && !surface.chars().any(char::is_lowercase)) {
        return None;
    }
    lexicon.known_as(&squeezed(surface)).kind(Kind::Place)
}

/// An organisation the model found without the capitalised word before it, when the two
/// together are one the gazetteer knows: CoNLL's data has "General" as a title before names, so
/// "General Electric Co." came out as "Electric Co.". The span with that word, and what it is.
pub(super) fn known_with_word_before<'a>(
    lexicon: &'a Lexicon,
    text: &str,
    tokens: &[Token],
    span: &Span,
) -> Option<(Span, &'a Known)> {
    let before = tokens.get(span.start.checked_sub(1)?)?;
    if !before.text.starts_with(|c: char| c.is_uppercase()) {
        return None;
    }
    let surface = squeezed(&text[before.start..tokens[span.end - 1].end()]);
    let known = lexicon.lookup(Kind::Org, &surface).or_else(|| known_without_suffix(lexicon, &surface))?;
    Some((Span { start: span.start - 1, ..*span }, known))
}

#[cfg(test)]
mod tests {
    use super::super::tokenize::sentences;
    use super::*;

    #[test]
    fn an_organisation_takes_back_the_word_before_it_when_both_are_known() {
        let lexicon = Lexicon::builtin().unwrap();
        let text = "Shares of General Electric Co. rose, and Electric Co. fell.";
        let tokens = &sentences(text)[0];
        let at = |word: &str| tokens.iter().position(|t| t.text == word).unwrap();
        let electric = Span { start: at("Electric"), end: at("Electric") + 2, kind: 1 };
        let (span, known) = known_with_word_before(&lexicon, text, tokens, &electric).unwrap();
        assert_eq!((span.start, known.canonical.as_str()), (at("General"), "General Electric"));
        let later = Span { start: 8, end: 10, kind: 1 };
        assert_eq!(tokens[later.start].text, "Electric");
        assert!(known_with_word_before(&lexicon, text, tokens, &later).is_none(), "after a lower-case word");
    }

    #[test]
    fn a_known_place_opening_a_dateline_is_a_place() {
        let lexicon = Lexicon::builtin().unwrap();
        let place = |text: &str, end: usize| {
            let all = sentences(text);
            let tokens = all.last().unwrap();
            dateline_place(&lexicon, text, tokens, &Span { start: 0, end, kind: 1 })
                .map(|k| k.canonical.clone())
        };
        assert_eq!(place("SAN FRANCISCO  (Reuters) - Apple said", 2).as_deref(), Some("San Francisco"));
        assert_eq!(place("NEW  YORK  (Reuters) - Boeing Co said", 2).as_deref(), Some("New York City"));
        assert_eq!(place("DETROIT, June 3 (Reuters) - GM said", 1).as_deref(), Some("Detroit"));
        assert_eq!(place("Detroit, the city, said", 1), None, "a comma after a name in capitals only");
        assert_eq!(place("Detroit (Reuters) - GM said", 1).as_deref(), Some("Detroit"));
        assert_eq!(
            place("LOS ANGELES            - Shares", 2).as_deref(),
            Some("Los Angeles"),
            "tag blanked"
        );
        assert_eq!(place("Apple (Reuters) - GM said", 1), None, "a place the gazetteer knows");
        assert_eq!(place("Shares fell. DETROIT (Reuters) said", 1), None, "opening the text");
    }
}
