//! The BILOU label set of the sequence labeller: each entity type has a Begin, Inside, Last
//! and Unit label, plus one Outside label. BILOU tells the model where a name ends, which BIO
//! leaves implicit, and the transitions it allows keep every decoded span well formed.

/// The entity types the model labels, in label order. MISC is learned so that nationalities,
/// events and products are not forced into the other three, and is dropped afterwards.
pub const TYPES: [&str; 4] = ["PER", "ORG", "LOC", "MISC"];

/// Number of labels: Outside plus four positions for each type.
pub const COUNT: usize = 1 + 4 * TYPES.len();

/// The Outside label.
pub const OUTSIDE: u8 = 0;

/// Where a token sits in its entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// First token of a name of two tokens or more.
    Begin,
    /// A token strictly inside a name.
    Inside,
    /// Last token of a name of two tokens or more.
    Last,
    /// A one-token name.
    Unit,
}

const POSITIONS: [Position; 4] = [Position::Begin, Position::Inside, Position::Last, Position::Unit];

/// The label of a position in a name of type `kind` (an index into [`TYPES`]).
pub fn label(kind: usize, position: Position) -> u8 {
    (1 + kind * 4 + POSITIONS.iter().position(|p| *p == position).unwrap_or(0)) as u8
}

/// The type and position a label stands for; `None` for Outside.
pub fn meaning(label: u8) -> Option<(usize, Position)> {
    let index = usize::from(label).checked_sub(1)?;
    Some((index / 4, POSITIONS[index % 4]))
}

/// Whether `next` may follow `previous` (`None` at the start of a sentence).
pub fn allowed(previous: Option<u8>, next: u8) -> bool {
    let open = previous.and_then(meaning).filter(|(_, p)| matches!(p, Position::Begin | Position::Inside));
    match (open, meaning(next)) {
        (Some((kind, _)), Some((next_kind, Position::Inside | Position::Last))) => kind == next_kind,
        (Some(_), _) => false,
        (None, Some((_, Position::Inside | Position::Last))) => false,
        (None, _) => true,
    }
}

/// Whether a sentence may end on `label` (not inside an open name).
pub fn may_end(label: u8) -> bool {
    !matches!(meaning(label), Some((_, Position::Begin | Position::Inside)))
}

/// A name found in a sentence: tokens `start..end`, of type `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// First token.
    pub start: usize,
    /// One past the last token.
    pub end: usize,
    /// Index into [`TYPES`].
    pub kind: usize,
}

/// The spans a well-formed label sequence encodes.
pub fn spans(labels: &[u8]) -> Vec<Span> {
    let mut out = Vec::new();
    let mut open: Option<(usize, usize)> = None;
    for (i, &l) in labels.iter().enumerate() {
        match meaning(l) {
            Some((kind, Position::Unit)) => out.push(Span { start: i, end: i + 1, kind }),
            Some((kind, Position::Begin)) => open = Some((i, kind)),
            Some((kind, Position::Last)) => {
                if let Some((start, open_kind)) = open.take().filter(|(_, k)| *k == kind) {
                    out.push(Span { start, end: i + 1, kind: open_kind });
                }
            }
            Some((_, Position::Inside)) => {}
            None => open = None,
        }
    }
    out
}

/// The label sequence of `len` tokens holding `spans` (which must not overlap).
pub fn from_spans(len: usize, spans: &[Span]) -> Vec<u8> {
    let mut labels = vec![OUTSIDE; len];
    for span in spans {
        if span.end - span.start == 1 {
            labels[span.start] = label(span.kind, Position::Unit);
            continue;
        }
        labels[span.start] = label(span.kind, Position::Begin);
        for l in &mut labels[span.start + 1..span.end - 1] {
            *l = label(span.kind, Position::Inside);
        }
        labels[span.end - 1] = label(span.kind, Position::Last);
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_round_trip_through_labels() {
        let spans = vec![Span { start: 0, end: 1, kind: 2 }, Span { start: 2, end: 5, kind: 0 }];
        let labels = from_spans(6, &spans);
        assert_eq!(labels, [label(2, Position::Unit), 0, 1, 2, 3, 0]);
        assert_eq!(super::spans(&labels), spans);
    }

    #[test]
    fn transitions_keep_names_well_formed() {
        let begin = label(0, Position::Begin);
        assert!(allowed(Some(begin), label(0, Position::Last)));
        assert!(!allowed(Some(begin), label(1, Position::Last)));
        assert!(!allowed(Some(begin), OUTSIDE));
        assert!(!allowed(None, label(0, Position::Inside)));
        assert!(allowed(Some(label(0, Position::Last)), label(0, Position::Unit)));
        assert!(!may_end(begin) && may_end(OUTSIDE));
    }
}
