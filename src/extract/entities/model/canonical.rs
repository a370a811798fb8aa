//! How a name the model found is written where it is counted. One entity is written several
//! ways in news ("Microsoft Corp." and "Microsoft", "George W Bush" and "George W. Bush",
//! "NEW  YORK" across two spaces), and each way would be a facet value of its own: a user
//! asking who is mentioned most would see one company split in three.

use std::borrow::Cow;

use super::super::lexicon::Lexicon;
use super::super::{Kind, Known};
use super::labels::Span;
use super::tokenize::Token;

/// `surface` with each run of white space (a line break, two spaces) made one space, for
/// looking it up: the gazetteer lists "New York", and a wire writes "NEW  YORK".
pub(super) fn squeezed(surface: &str) -> Cow<'_, str> {
    let spaced =
        surface.as_bytes().windows(2).any(|w| w[0].is_ascii_whitespace() && w[1].is_ascii_whitespace())
            || surface.bytes().any(|b| b.is_ascii_whitespace() && b != b' ');
    if spaced {
        Cow::Owned(surface.split_whitespace().collect::<Vec<_>>().join(" "))
    } else {
        Cow::Borrowed(surface)
    }
}

/// An organisation's name without the legal form after it ("JPMorgan Chase & Co" is
/// JPMorgan Chase, "Dow Jones & Co. Inc." Dow Jones); `None` when it has none. The name keeps
/// at least one word.
pub(super) fn without_company_suffix(lexicon: &Lexicon, surface: &str) -> Option<String> {
    // Most names have no legal form: answered without splitting them into words.
    if !lexicon.rules.is_company_suffix(surface.split_whitespace().next_back()?) {
        return None;
    }
    let mut words: Vec<&str> = surface.split_whitespace().collect();
    let whole = words.len();
    while words.len() > 1 && words.last().is_some_and(|w| lexicon.rules.is_company_suffix(w)) {
        words.pop();
        while words.len() > 1 && words.last().is_some_and(|w| matches!(*w, "&" | "," | "and")) {
            words.pop();
        }
    }
    if words.len() == whole {
        return None;
    }
    let last = words.pop()?.trim_end_matches(',');
    words.push(last);
    Some(words.join(" "))
}

/// A person's name with a full stop after each initial, as American style writes it and
/// British style does not: "George W Bush" is counted as "George W. Bush", and a line-up's
/// "J Thomas" as "J. Thomas". A lone capital at the end stays as it is ("Malcolm X").
pub(super) fn person_name(surface: &str) -> String {
    let words: Vec<&str> = surface.split_whitespace().collect();
    let mut name = String::with_capacity(surface.len() + 2);
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            name.push(' ');
        }
        name.push_str(word);
        if i + 1 < words.len() && matches!(word.as_bytes(), [b] if b.is_ascii_uppercase()) {
            name.push('.');
        }
    }
    name
}

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
    let known = lexicon.lookup(Kind::Org, &surface).or_else(|| {
        let short = without_company_suffix(lexicon, &surface)?;
        lexicon.lookup(Kind::Org, &short)
    })?;
    Some((Span { start: span.start - 1, ..*span }, known))
}

#[cfg(test)]
mod tests {
    use super::super::tokenize::sentences;
    use super::*;

    #[test]
    fn runs_of_white_space_are_one_space() {
        assert_eq!(squeezed("NEW  YORK"), "NEW YORK");
        assert_eq!(squeezed("New\nYork"), "New York");
        assert!(matches!(squeezed("New York"), Cow::Borrowed(_)));
    }

    #[test]
    fn legal_forms_are_no_part_of_a_company_name() {
        let lexicon = Lexicon::builtin().unwrap();
        let short = |s: &str| without_company_suffix(&lexicon, s);
        assert_eq!(short("Microsoft Corp.").as_deref(), Some("Microsoft"));
        assert_eq!(short("JPMorgan Chase & Co").as_deref(), Some("JPMorgan Chase"));
        assert_eq!(short("Dow Jones & Co. Inc.").as_deref(), Some("Dow Jones"));
        assert_eq!(short("Acme Widgets, Inc.").as_deref(), Some("Acme Widgets"));
        assert_eq!(short("Bear Stearns Cos").as_deref(), Some("Bear Stearns"));
        assert_eq!(short("Goldman Sachs"), None);
        assert_eq!(short("Inc"), None, "a name keeps a word");
    }

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
    fn middle_initials_get_their_full_stop() {
        assert_eq!(person_name("George W Bush"), "George W. Bush");
        assert_eq!(person_name("George W. Bush"), "George W. Bush");
        assert_eq!(person_name("Samuel L  Jackson"), "Samuel L. Jackson");
        assert_eq!(person_name("Malcolm X"), "Malcolm X");
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
