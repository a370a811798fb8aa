//! Finding mentions in one text: known names from the lexicon's automaton first, then runs of
//! capitalised words classified by the cues around and inside them (titles, roles, organisation
//! words, speech verbs, place prepositions). A lone capitalised word with no cue is kept only
//! as a candidate for the article's coreference pass.

use super::Kind;
use super::lexicon::{Known, Lexicon};
use super::spelling::{known_without_suffix, unknown_name};
use super::tokens::{Token, tokenize};

/// How sure the rules are about a mention's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Certainty {
    /// Known name, or a cue that decides.
    Sure,
    /// A lone word that only the coreference pass may keep (as a person's surname).
    CorefOnly,
}

/// One mention found in the text.
#[derive(Debug, Clone)]
pub struct Mention {
    /// Byte span in the text.
    pub start: usize,
    /// Byte end in the text.
    pub end: usize,
    /// The words as written.
    pub surface: String,
    /// What it is.
    pub kind: Kind,
    /// The name it counts under (before coreference).
    pub canonical: String,
    /// For places: their country.
    pub country: Option<String>,
    /// A capital city acting for its country ("Washington appealed to Moscow").
    pub acts_for_country: bool,
    /// Whether the kind is certain.
    pub certainty: Certainty,
    /// Found as a demonym ("Syrian" for Syria).
    pub demonym: bool,
    /// Number of words.
    pub words: usize,
}

impl Mention {
    /// A mention of a name the lexicon knows, written as `surface` at byte `start`.
    pub fn of_known(start: usize, surface: &str, known: &Known, words: usize) -> Mention {
        Mention {
            start,
            end: start + surface.len(),
            surface: surface.to_string(),
            kind: known.kind,
            canonical: known.canonical.clone(),
            country: known.country.clone(),
            acts_for_country: false,
            certainty: Certainty::Sure,
            demonym: known.demonym,
            words,
        }
    }
}

/// Finds the mentions of `text`.
pub fn mentions(lexicon: &Lexicon, text: &str) -> Vec<Mention> {
    let tokens = tokenize(text);
    let shouting = shouting_sentences(&tokens);
    let known: Vec<(usize, usize, &Known)> = lexicon.find_known(text).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let token = &tokens[i];
        let known_here = known.iter().any(|(s, e, _)| *s <= token.start && *e > token.start);
        if token.all_caps()
            && token.text.len() > 1
            && !known_here
            && let Some(next) = capitals(lexicon, text, &tokens, i, &mut out)
        {
            i = next;
            continue;
        }
        if shouting.contains(&token.sentence) && !known_here || !starts_run(lexicon, &tokens, i) {
            i += 1;
            continue;
        }
        let end = run_end(lexicon, &tokens, i);
        Run { lexicon, text, tokens: &tokens, known: &known, out: &mut out }.process(i, end);
        i = end;
    }
    out
}

/// Names written in capitals ("NEW YORK 1996-08-30", headlines): looked up as places or
/// organisations, longest first; other runs of capitals are skipped. Returns the next index,
/// or `None` for a lone acronym the ordinary rules may still classify ("the SPA news agency").
fn capitals(
    lexicon: &Lexicon,
    text: &str,
    tokens: &[Token],
    i: usize,
    out: &mut Vec<Mention>,
) -> Option<usize> {
    let mut run = i + 1;
    while run < tokens.len() && run - i < 3 && !tokens[run - 1].break_after && tokens[run].all_caps() {
        run += 1;
    }
    for end in (i + 1..=run).rev() {
        let (s, e) = (tokens[i].start, tokens[end - 1].end);
        let name = tokens[i..end].iter().map(|t| t.text).collect::<Vec<_>>().join(" ");
        let found = lexicon.lookup_first(&[Kind::Place, Kind::Org], &name).map(|(_, known)| known);
        if let Some(known) = found.filter(|_| name.len() > 2) {
            out.push(Mention::of_known(s, &text[s..e], known, end - i));
            return Some(end);
        }
    }
    (run - i >= 2).then_some(run)
}

/// Sentences written mostly in capitals (wire headlines): case says nothing there.
fn shouting_sentences(tokens: &[Token]) -> Vec<usize> {
    let mut shouting = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let sentence = tokens[i].sentence;
        let j = i + tokens[i..].iter().take_while(|t| t.sentence == sentence).count();
        let words = tokens[i..j].iter().filter(|t| t.text.chars().any(char::is_alphabetic));
        let (caps, total) =
            words.fold((0, 0), |(c, n), t| (c + usize::from(t.all_caps() && t.text.len() > 1), n + 1));
        if total >= 3 && caps * 2 > total {
            shouting.push(sentence);
        }
        i = j;
    }
    shouting
}

fn is_name_word(lexicon: &Lexicon, token: &Token) -> bool {
    token.capitalised || is_particle_name(lexicon, token.text)
}

/// `al-Assad`, `bin Salman`: a lower-case particle joined to a capitalised name.
fn is_particle_name(lexicon: &Lexicon, word: &str) -> bool {
    word.split_once('-').is_some_and(|(particle, rest)| {
        lexicon.rules.is_connector(particle) && rest.chars().next().is_some_and(char::is_uppercase)
    })
}

fn starts_run(lexicon: &Lexicon, tokens: &[Token], i: usize) -> bool {
    tokens[i].capitalised || is_particle_name(lexicon, tokens[i].text)
}

/// The end (exclusive) of the run of name words starting at `i`: capitalised words, with
/// connectors ("of", "de", "bin") allowed between two of them, broken by punctuation.
fn run_end(lexicon: &Lexicon, tokens: &[Token], i: usize) -> usize {
    let mut end = i + 1;
    while end < tokens.len() && !tokens[end - 1].break_after {
        let t = &tokens[end];
        if is_name_word(lexicon, t) {
            end += 1;
        } else if lexicon.rules.is_connector(t.text)
            && !t.break_after
            && tokens.get(end + 1).is_some_and(|n| n.capitalised)
        {
            end += 2;
        } else {
            break;
        }
    }
    end
}

struct Run<'r, 'a> {
    lexicon: &'r Lexicon,
    text: &'a str,
    tokens: &'r [Token<'a>],
    known: &'r [(usize, usize, &'r Known)],
    out: &'r mut Vec<Mention>,
}

impl Run<'_, '_> {
    /// Splits the run tokens[start..end] into known names, titles and candidate names.
    fn process(&mut self, start: usize, end: usize) {
        let rules = &self.lexicon.rules;
        let mut first = start;
        while first < end
            && rules.is_stopword(self.tokens[first].text)
            && self.known_at(first, false).is_none()
        {
            first += 1;
        }
        if first == end {
            return;
        }
        // A run ending in an organisation word is one organisation, whatever is inside it.
        if end - first >= 2 && rules.is_org_word(self.tokens[end - 1].text) && !self.exactly_known(first, end)
        {
            self.emit_candidate(first, end, Some(Kind::Org));
            return;
        }
        let mut pending = first;
        let mut cue: Option<Kind> = None;
        let mut i = first;
        while i < end {
            if let Some(k_end) = self.known_at(i, pending < i) {
                self.flush(pending, i, cue.take());
                self.emit_known(i, k_end);
                i = k_end;
                pending = i;
                continue;
            }
            let in_title = pending == i && cue.is_some();
            if rules.is_title(self.tokens[i].text, in_title)
                && (pending == i || !rules.is_org_word(self.tokens[end - 1].text))
            {
                self.flush(pending, i, cue.take());
                cue = Some(Kind::Person);
                i += 1;
                while i < end && (self.tokens[i].text == "of" || self.tokens[i].text == "for") {
                    i += 1;
                }
                pending = i;
                continue;
            }
            i += 1;
        }
        self.flush(pending, end, cue);
    }

    fn exactly_known(&self, start: usize, end: usize) -> bool {
        let (s, e) = (self.tokens[start].start, self.tokens[end - 1].end);
        self.known.iter().any(|(ks, ke, _)| *ks == s && *ke == e)
    }

    /// The end of a known name starting at token `i`, unless it is a place glued to a
    /// preceding name word ("Michael Jordan"), which makes it part of that name.
    fn known_at(&self, i: usize, after_name_word: bool) -> Option<usize> {
        let token = &self.tokens[i];
        let (_, end, known) = self.known.iter().find(|(s, e, _)| *s <= token.start && *e > token.start)?;
        if after_name_word && known.kind == Kind::Place && *end <= token.end {
            return None;
        }
        let last = i + self.tokens[i..].iter().take_while(|t| t.start < *end).count();
        Some(last.max(i + 1))
    }

    fn emit_known(&mut self, start: usize, end: usize) {
        let (s, e) = (self.tokens[start].start, self.tokens[end - 1].end);
        let Some((ks, ke, known)) = self.known.iter().find(|(ks, ke, _)| *ks < e && *ke > s) else {
            return;
        };
        let acts = known.capital && self.next_to_speech_verb(start, end);
        let mention = Mention::of_known(*ks, &self.text[*ks..*ke], known, end - start);
        self.out.push(Mention { acts_for_country: acts, ..mention });
    }

    fn next_to_speech_verb(&self, start: usize, end: usize) -> bool {
        let word = |i: Option<usize>| i.and_then(|i| self.tokens.get(i)).map(|t| t.text);
        self.lexicon.rules.next_to_speech_verb(
            word(start.checked_sub(2)),
            word(start.checked_sub(1)),
            word(Some(end)),
        )
    }

    /// Classifies the candidate name tokens[start..end] from its cues.
    fn flush(&mut self, mut start: usize, mut end: usize, cue: Option<Kind>) {
        let rules = &self.lexicon.rules;
        let filler = |t: &Token| rules.is_stopword(t.text) || rules.is_connector(t.text);
        while start < end && filler(&self.tokens[start]) {
            start += 1;
        }
        while end > start && filler(&self.tokens[end - 1]) {
            end -= 1;
        }
        if start < end {
            self.emit_candidate(start, end, cue);
        }
    }

    fn emit_candidate(&mut self, start: usize, end: usize, forced: Option<Kind>) {
        let rules = &self.lexicon.rules;
        let tokens = &self.tokens[start..end];
        let words = tokens.len();
        let (s, e) = (tokens[0].start, tokens[words - 1].end);
        let surface = &self.text[s..e];
        let before = start.checked_sub(1).map(|j| self.tokens[j].text);
        let after = self.tokens.get(end).map(|t| t.text);
        let rest = self.text[e..].trim_start_matches(['\'', '’', 's', ' ']).to_lowercase();
        let org_after = !tokens[words - 1].break_after
            && rules
                .org_after()
                .iter()
                .any(|p| rest.starts_with(p.as_str()) && rest[p.len()..].starts_with([' ', ',', '.']));
        let all_caps = tokens.iter().all(Token::all_caps);
        let (kind, certainty) = if let Some(kind) = forced {
            (kind, Certainty::Sure)
        } else if org_after {
            (Kind::Org, Certainty::Sure)
        } else if before.is_some_and(|w| rules.is_role(w)) {
            (Kind::Person, Certainty::Sure)
        } else if all_caps {
            return;
        } else if words >= 2 && tokens.iter().any(|t| rules.is_org_word(t.text)) {
            (Kind::Org, Certainty::Sure)
        } else if words >= 2 || after.is_some_and(|w| rules.is_speech_verb(w)) && !tokens[0].break_after {
            (Kind::Person, Certainty::Sure)
        } else if before.is_some_and(|w| rules.is_place_preposition(w)) && !tokens[0].sentence_start {
            (Kind::Place, Certainty::Sure)
        } else {
            (Kind::Person, Certainty::CorefOnly)
        };
        if words == 1 && rules.is_org_word(surface) {
            return;
        }
        let known = self
            .lexicon
            .lookup(kind, surface)
            .or_else(|| (kind == Kind::Org).then(|| known_without_suffix(self.lexicon, surface)).flatten());
        self.out.push(Mention {
            start: s,
            end: e,
            surface: surface.to_string(),
            kind,
            canonical: known
                .map_or_else(|| unknown_name(self.lexicon, kind, surface), |k| k.canonical.clone()),
            country: known.and_then(|k| k.country.clone()),
            acts_for_country: false,
            certainty,
            demonym: false,
            words,
        });
    }
}
