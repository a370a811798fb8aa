//! How a name the gazetteer does not know is written where it is counted. One entity is
//! written several ways in news ("Microsoft Corp." and "Microsoft", "George W Bush" and
//! "George W. Bush", "NEW  YORK" across two spaces), and each way would be a facet value of its
//! own: a user asking who is mentioned most would see one company split in three. Both
//! extractors name what they find this way.

use std::borrow::Cow;

use super::lexicon::Lexicon;
use super::{Kind, Known};

/// The name `surface`, of `kind`, is counted under when the gazetteer does not know it.
pub fn unknown_name(lexicon: &Lexicon, kind: Kind, surface: &str) -> String {
    match kind {
        Kind::Person => person_name(surface),
        Kind::Org => {
            without_company_suffix(lexicon, surface).unwrap_or_else(|| squeezed(surface).into_owned())
        }
        Kind::Place => squeezed(surface).into_owned(),
    }
}

/// `surface` with each run of white space (a line break, two spaces) made one space, for
/// looking it up: the gazetteer lists "New York", and a wire writes "NEW  YORK".
pub fn squeezed(surface: &str) -> Cow<'_, str> {
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
pub fn without_company_suffix(lexicon: &Lexicon, surface: &str) -> Option<String> {
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

/// The company the gazetteer knows by `name` without its legal form ("Yahoo Inc" is the Yahoo
/// it knows, "Wal-Mart Stores Inc" the Wal-Mart); `None` when the name has no such form or
/// the shorter name is unknown too.
pub fn known_without_suffix<'a>(lexicon: &'a Lexicon, name: &str) -> Option<&'a Known> {
    lexicon.lookup(Kind::Org, &without_company_suffix(lexicon, name)?)
}

/// A person's name with a full stop after each initial, as American style writes it and
/// British style does not: "George W Bush" is counted as "George W. Bush", and a line-up's
/// "J Thomas" as "J. Thomas". A lone capital at the end stays as it is ("Malcolm X").
pub fn person_name(surface: &str) -> String {
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

#[cfg(test)]
mod tests {
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
    fn middle_initials_get_their_full_stop() {
        assert_eq!(person_name("George W Bush"), "George W. Bush");
        assert_eq!(person_name("George W. Bush"), "George W. Bush");
        assert_eq!(person_name("Samuel L  Jackson"), "Samuel L. Jackson");
        assert_eq!(person_name("Malcolm X"), "Malcolm X");
    }
}
