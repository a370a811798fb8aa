//! From the model's spans to mentions: each span's type is the model's, its canonical name
//! and place hierarchy the gazetteer's when it knows the name. MISC spans are kept only when
//! the gazetteer knows them as demonyms ("Syrian"), and known names glued into hyphenated
//! compounds ("Cairo-based") are counted as adjectival mentions.

use super::super::lexicon::{KnownAs, Lexicon};
use super::super::recognise::{Certainty, Mention};
use super::super::spelling::{known_without_suffix, squeezed, unknown_name};
use super::super::{Kind, Known};
use super::Labeller;
use super::canonical::{dateline_place, known_with_word_before};
use super::features::GazetteerTag;
use super::labels::Span;
use super::tokenize::{Token, sentences};

/// The mentions of each text of one article (title, body), before coreference: the texts
/// are one document for the model's document-level features.
pub fn mentions(labeller: &Labeller, lexicon: &Lexicon, texts: &[&str]) -> Vec<Vec<Mention>> {
    let per_text: Vec<Vec<Vec<Token>>> = texts.iter().map(|t| sentences(t)).collect();
    let words: Vec<Vec<&str>> = per_text.iter().flatten().map(|s| words_with_initials(s)).collect();
    let mut labelled = labeller.label_with_gazetteer(lexicon, &words).into_iter();
    let mut per_text: Vec<Vec<Mention>> = per_text
        .iter()
        .zip(texts)
        .map(|(sentences, text)| {
            let mut out = Vec::new();
            for tokens in sentences {
                let (mut found, tags) = labelled.next().unwrap_or_default();
                found.extend(curated_names(&found, &tags));
                found.sort_unstable();
                join_first_names(&mut found, tokens);
                drop_honorifics(&mut found, tokens);
                for span in &mut found {
                    while span.end - span.start > 1 && is_ticker(tokens[span.end - 1].text) {
                        span.end -= 1;
                    }
                }
                convert(lexicon, text, tokens, &found, &mut out);
            }
            out
        })
        .collect();
    one_kind_per_name(&mut per_text);
    per_text
}

/// The sentence's words as the model reads them: a lone capital between two capitalised
/// words is a middle initial written without its full stop, as British style writes it
/// ("George W Bush"), and the model, trained on "George W. Bush", reads it with one.
fn words_with_initials<'a>(tokens: &[Token<'a>]) -> Vec<&'a str> {
    const INITIALS: [&str; 26] = [
        "A.", "B.", "C.", "D.", "E.", "F.", "G.", "H.", "I.", "J.", "K.", "L.", "M.", "N.", "O.", "P.", "Q.",
        "R.", "S.", "T.", "U.", "V.", "W.", "X.", "Y.", "Z.",
    ];
    let capitalised = |i: usize| {
        tokens
            .get(i)
            .is_some_and(|t: &Token| t.text.len() > 1 && t.text.starts_with(|c: char| c.is_uppercase()))
    };
    (0..tokens.len())
        .map(|i| match tokens[i].text.as_bytes() {
            [b] if b.is_ascii_uppercase()
                && !matches!(b, b'A' | b'I')
                && i > 0
                && capitalised(i - 1)
                && capitalised(i + 1) =>
            {
                INITIALS[usize::from(b - b'A')]
            }
            _ => tokens[i].text,
        })
        .collect()
}

/// The model's type for people: "PER" in [`super::labels::TYPES`].
const PERSON: usize = 0;

/// Whether a token is a middle initial: one capital, with or without its full stop.
fn is_initial(token: &str) -> bool {
    matches!(token.as_bytes(), [b] | [b, b'.'] if b.is_ascii_uppercase())
}

/// A person whose name starts with a middle initial takes the one-word name just before it
/// as the first name: "George W. Bush" opening a sentence came out as the town of George and
/// a person "W. Bush" (the gazetteer knows George as a place).
fn join_first_names(spans: &mut Vec<Span>, tokens: &[Token]) {
    let mut i = 1;
    while i < spans.len() {
        let (first, person) = (spans[i - 1], spans[i]);
        let joins = first.end == person.start
            && first.end - first.start == 1
            && person.kind == PERSON
            && person.end - person.start > 1
            && is_initial(tokens[person.start].text)
            && tokens[first.start].text.len() > 1;
        if joins {
            spans[i - 1] = Span { start: first.start, end: person.end, kind: PERSON };
            spans.remove(i);
        } else {
            i += 1;
        }
    }
}

/// A name the model opened with "Mr", "Mrs" or "Ms" is the person after it: the title is no
/// part of a name (CoNLL never has it inside one), and an article that capitalises "Mr" inside
/// its sentences ("attack Mr Blair's words") made the model take "Mr Kennedy" opening the next
/// one for an organisation, which coreference then could not file under Charles Kennedy.
/// So is a name opened by a company officer's acronym and a capitalised word ("CEO Jeff
/// Immelt", "CFO Smith"), which the model took for an organisation (56 of 6,000 Reuters
/// articles had one); "CEO of Chubb" is left alone.
fn drop_honorifics(spans: &mut [Span], tokens: &[Token]) {
    for span in spans.iter_mut() {
        let title = match tokens[span.start].text {
            "Mr" | "Mr." | "Mrs" | "Mrs." | "Ms" | "Ms." => true,
            "CEO" | "CFO" | "COO" | "CTO" => tokens[span.start + 1..span.end]
                .first()
                .is_some_and(|t| t.text.starts_with(|c: char| c.is_uppercase())),
            _ => false,
        };
        if title && span.end - span.start > 1 {
            *span = Span { start: span.start + 1, end: span.end, kind: PERSON };
        }
    }
}

/// A name is one thing throughout an article: once one of its mentions is an organisation
/// (by the gazetteer, its ticker or the model), so are the ones the model took for a person
/// ("Fannie Mae ( FNM.N )" first, then "Fannie Mae said").
fn one_kind_per_name(per_text: &mut [Vec<Mention>]) {
    let organisations: rustc_hash::FxHashSet<String> =
        per_text.iter().flatten().filter(|m| m.kind == Kind::Org).map(|m| m.canonical.clone()).collect();
    for m in per_text.iter_mut().flatten() {
        if m.kind == Kind::Person && organisations.contains(&m.canonical) {
            m.kind = Kind::Org;
            m.certainty = Certainty::Sure;
        }
    }
}

/// People and organisations of the curated lists (`aliases.toml`, `organisations.tsv`) that
/// the model left out ("the Assad government"): those lists are the user's word.
fn curated_names(spans: &[Span], tags: &[GazetteerTag]) -> Vec<Span> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < tags.len() {
        let kind = match tags[i] {
            1 => 0,
            3 => 1,
            _ => {
                i += 1;
                continue;
            }
        };
        let end = i + 1 + tags[i + 1..].iter().take_while(|t| **t == tags[i] + 1).count();
        if !spans.iter().any(|s| s.start < end && i < s.end) {
            found.push(Span { start: i, end, kind });
        }
        i = end;
    }
    found
}

fn convert(lexicon: &Lexicon, text: &str, tokens: &[Token], spans: &[Span], out: &mut Vec<Mention>) {
    let mut covered = 0;
    for span in spans {
        for token in &tokens[covered..span.start] {
            compound(lexicon, token, out);
        }
        let previous_end = std::mem::replace(&mut covered, span.end);
        if let Some(place) = dateline_place(lexicon, text, tokens, span) {
            push(lexicon, text, tokens, span, (Kind::Place, Some(place)), out);
            continue;
        }
        let squeezed_surface = squeezed(&text[tokens[span.start].start..tokens[span.end - 1].end()]);
        let surface = &*squeezed_surface;
        let kind = match span.kind {
            0 => Kind::Person,
            1 => Kind::Org,
            2 => Kind::Place,
            _ => {
                misc(lexicon, text, tokens, span, surface, out);
                continue;
            }
        };
        let known_as = lexicon.known_as(surface);
        let whole_known = known_as.first(&[Kind::Person, Kind::Org, Kind::Place]).is_some();
        if let Some(k) = two_known_names(lexicon, text, tokens, span, whole_known) {
            for part in [Span { end: k, ..*span }, Span { start: k, ..*span }] {
                let surface = squeezed(&text[tokens[part.start].start..tokens[part.end - 1].end()]);
                let known_as = lexicon.known_as(&surface);
                let kind = token_known(known_as).map_or(kind, |k| k.kind);
                push(lexicon, text, tokens, &part, (kind, known_as.kind(kind)), out);
            }
            continue;
        }
        if span.end - span.start == 1 && is_ticker(tokens[span.start].text) {
            continue;
        }
        let kind = curated(known_as)
            .map(|(kind, _)| kind)
            .or_else(|| company_cue(lexicon, tokens, span, kind))
            .unwrap_or(kind);
        let (mut span, start) = (*span, span.start);
        // "Mr Blair" is Blair: the title is not part of the name, and coreference can then
        // resolve the surname to "Tony Blair".
        while kind == Kind::Person
            && span.end - span.start > 1
            && lexicon.rules.is_title(tokens[span.start].text.trim_end_matches('.'), false)
        {
            span.start += 1;
        }
        if kind == Kind::Org
            && span.start > previous_end
            && let Some((wider, known)) = known_with_word_before(lexicon, text, tokens, &span)
        {
            push(lexicon, text, tokens, &wider, (kind, Some(known)), out);
            continue;
        }
        let known = if span.start == start {
            known_as.kind(kind)
        } else {
            lexicon.lookup(kind, &squeezed(&text[tokens[span.start].start..tokens[span.end - 1].end()]))
        };
        let known =
            known.or_else(|| (kind == Kind::Org).then(|| known_without_suffix(lexicon, surface)).flatten());
        push(lexicon, text, tokens, &span, (kind, known), out);
    }
    for token in &tokens[covered.min(tokens.len())..] {
        compound(lexicon, token, out);
    }
}

/// A span of the model's fourth type (CoNLL's MISC: nationalities, events, works): kept when
/// the curated lists know it as a person or an organisation, or the gazetteer as a demonym.
fn misc(lexicon: &Lexicon, text: &str, tokens: &[Token], span: &Span, surface: &str, out: &mut Vec<Mention>) {
    if let Some((kind, known)) = curated(lexicon.known_as(surface)) {
        push(lexicon, text, tokens, span, (kind, Some(known)), out);
    } else if let Some(known) = lexicon.demonym(surface) {
        let (start, end) = (tokens[span.start].start, tokens[span.end - 1].end());
        out.push(Mention::of_known(start, &text[start..end], known, span.end - span.start));
    } else if span.end - span.start == 1 {
        compound(lexicon, &tokens[span.start], out);
    }
}

/// Emits the mention of `span` as a `kind`, named by the gazetteer when it knows it as one
/// (`known`, looked up by the caller).
fn push(
    lexicon: &Lexicon,
    text: &str,
    tokens: &[Token],
    span: &Span,
    (kind, known): (Kind, Option<&Known>),
    out: &mut Vec<Mention>,
) {
    let (start, end) = (tokens[span.start].start, tokens[span.end - 1].end());
    let surface = &text[start..end];
    let words = span.end - span.start;
    match known {
        Some(known) => {
            let mut m = Mention::of_known(start, surface, known, words);
            m.acts_for_country = known.capital && next_to_speech_verb(lexicon, tokens, span);
            out.push(m);
        }
        None => out.push(Mention {
            start,
            end,
            surface: surface.to_string(),
            kind,
            canonical: unknown_name(lexicon, kind, surface),
            country: None,
            acts_for_country: false,
            // A lone word the gazetteer does not know is a person only as the surname of
            // someone the article names in full ("Kerry" after "John Kerry"); otherwise it is
            // most often a company the model has not seen ("according to Citigroup").
            certainty: if kind == Kind::Person && words == 1 && !after_title(lexicon, tokens, span) {
                Certainty::CorefOnly
            } else {
                Certainty::Sure
            },
            demonym: false,
            words,
        }),
    }
}

/// A name the gazetteer keeps as a person or an organisation is one, whatever type the model
/// gives it: those lists are curated, and `aliases.toml` is the user's word.
fn curated(known_as: KnownAs<'_>) -> Option<(Kind, &Known)> {
    known_as.first(&[Kind::Person, Kind::Org])
}

/// What the gazetteer knows a name as, people and organisations first.
fn token_known(known_as: KnownAs<'_>) -> Option<&Known> {
    known_as.first(&[Kind::Person, Kind::Org, Kind::Place]).map(|(_, known)| known)
}

/// Where a span made of two known names side by side splits ("Damascus Bashar al-Assad");
/// none when the whole is a known name (`whole_known`).
fn two_known_names(
    lexicon: &Lexicon,
    text: &str,
    tokens: &[Token],
    span: &Span,
    whole_known: bool,
) -> Option<usize> {
    let known = |a: usize, b: usize| {
        token_known(lexicon.known_as(&text[tokens[a].start..tokens[b - 1].end()])).is_some()
    };
    if span.end - span.start < 2 || whole_known {
        return None;
    }
    (span.start + 1..span.end).find(|&k| known(span.start, k) && known(k, span.end))
}

/// Whether a title or a role precedes the span ("Mr Blair", "striker Wright").
fn after_title(lexicon: &Lexicon, tokens: &[Token], span: &Span) -> bool {
    let before = span.start.checked_sub(1).map(|i| tokens[i].text.trim_end_matches('.'));
    before.is_some_and(|w| lexicon.rules.is_title(w, false) || lexicon.rules.is_role(w))
}

/// A stock ticker, as wires print them after a company's name: "( DOW.N )", "BASF.DE".
fn is_ticker(word: &str) -> bool {
    let Some((symbol, exchange)) = word.split_once('.') else { return false };
    let capitals = |s: &str, max: usize| {
        !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    };
    capitals(symbol, 6) && capitals(exchange, 3) && symbol.bytes().any(|b| b.is_ascii_uppercase())
}

/// A name followed by its ticker ("Dow Chemical ( DOW.N )") is an organisation, whatever the
/// model says; so is a "person" ending in an organisation word ("Standard Life Investments").
fn company_cue(lexicon: &Lexicon, tokens: &[Token], span: &Span, kind: Kind) -> Option<Kind> {
    let after = |i: usize| tokens.get(span.end + i).map(|t| t.text);
    let ticker = after(0) == Some("(") && after(1).is_some_and(is_ticker) && after(2) == Some(")")
        || after(0).is_some_and(is_ticker);
    let org_word = kind == Kind::Person
        && span.end - span.start >= 2
        && lexicon.rules.is_org_word(tokens[span.end - 1].text.trim_end_matches('.'));
    (ticker || org_word).then_some(Kind::Org)
}

/// "Cairo-based", "UN-backed", "Russian- and Iranian-backed", "Israel-Palestine": the known
/// names joined by hyphens, flagged as adjectival like a demonym (CoNLL tags these compounds
/// MISC). A hyphenated name the gazetteer knows whole ("Guinea-Bissau") is left alone.
fn compound(lexicon: &Lexicon, token: &Token, out: &mut Vec<Mention>) {
    // A byte loop: most tokens are short, and `contains` calls memchr for each.
    if !token.text.bytes().any(|b| b == b'-') || token_known(lexicon.known_as(token.text)).is_some() {
        return;
    }
    let mut at = token.start;
    for part in token.text.split('-') {
        if part.starts_with(char::is_uppercase)
            && let Some(known) = lexicon.demonym(part).or_else(|| token_known(lexicon.known_as(part)))
        {
            out.push(Mention { demonym: true, ..Mention::of_known(at, part, known, 1) });
        }
        at += part.len() + 1;
    }
}

fn next_to_speech_verb(lexicon: &Lexicon, tokens: &[Token], span: &Span) -> bool {
    let word = |i: Option<usize>| i.and_then(|i| tokens.get(i)).map(|t| t.text);
    lexicon.rules.next_to_speech_verb(
        word(span.start.checked_sub(2)),
        word(span.start.checked_sub(1)),
        word(Some(span.end)),
    )
}
