//! Reading CoNLL-2003-format training data: one token per line with its tag last, blank lines
//! between sentences, `-DOCSTART-` between documents. Tags are IOB1 or IOB2 (a `B-` opens a
//! name only where it touches one of the same type); they become spans over each sentence.

use super::labels::{Span, TYPES};

/// One labelled sentence.
#[derive(Debug, Clone, Default)]
pub struct Sentence {
    /// The tokens, as written.
    pub words: Vec<String>,
    /// The gold names.
    pub spans: Vec<Span>,
}

/// One document: the unit document-level features look across.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// Its sentences, in order.
    pub sentences: Vec<Sentence>,
}

/// Parses CoNLL-format `data`; a malformed line is an error naming its number.
pub fn parse(data: &str) -> Result<Vec<Document>, String> {
    let mut documents = vec![Document::default()];
    let mut sentence = Sentence::default();
    let mut open: Option<(usize, usize)> = None;
    for (n, line) in data.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let starts_document = fields.first() == Some(&"-DOCSTART-");
        if fields.is_empty() || starts_document {
            finish_sentence(&mut documents, &mut sentence, &mut open);
            if starts_document && documents.last().is_some_and(|d| !d.sentences.is_empty()) {
                documents.push(Document::default());
            }
            continue;
        }
        let [word, .., tag] = fields[..] else {
            return Err(format!("line {}: expected `word ... TAG`, found {line:?}", n + 1));
        };
        if fields.len() < 2 {
            return Err(format!("line {}: expected `word ... TAG`, found {line:?}", n + 1));
        }
        let index = sentence.words.len();
        sentence.words.push(word.to_string());
        let (prefix, kind) = tag.split_once('-').unwrap_or((tag, ""));
        let kind = TYPES.iter().position(|t| *t == kind);
        match (prefix, kind) {
            ("O", _) => close(&mut sentence, &mut open, index),
            ("I", Some(k)) if open.is_some_and(|(_, o)| o == k) => {}
            ("I" | "B", Some(k)) => {
                close(&mut sentence, &mut open, index);
                open = Some((index, k));
            }
            _ => return Err(format!("line {}: unknown tag {tag:?}", n + 1)),
        }
    }
    finish_sentence(&mut documents, &mut sentence, &mut open);
    documents.retain(|d| !d.sentences.is_empty());
    Ok(documents)
}

fn close(sentence: &mut Sentence, open: &mut Option<(usize, usize)>, end: usize) {
    if let Some((start, kind)) = open.take() {
        sentence.spans.push(Span { start, end, kind });
    }
}

fn finish_sentence(documents: &mut [Document], sentence: &mut Sentence, open: &mut Option<(usize, usize)>) {
    let end = sentence.words.len();
    close(sentence, open, end);
    if !sentence.words.is_empty()
        && let Some(document) = documents.last_mut()
    {
        document.sentences.push(std::mem::take(sentence));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iob1_and_iob2_tags_become_spans() {
        let data = "-DOCSTART- -X- O O\n\nJohn NNP I-PER\nKerry NNP I-PER\nmet O\nB-PER? O\n\n\
                    -DOCSTART- O\n\nParis B-LOC\nLyon B-LOC\nBank I-ORG\n";
        let docs = parse(data).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].sentences[0].spans, [Span { start: 0, end: 2, kind: 0 }]);
        let spans = &docs[1].sentences[0].spans;
        assert_eq!(
            spans,
            &[
                Span { start: 0, end: 1, kind: 2 },
                Span { start: 1, end: 2, kind: 2 },
                Span { start: 2, end: 3, kind: 1 }
            ]
        );
    }

    #[test]
    fn bad_lines_are_named() {
        assert_eq!(parse("Word\n").unwrap_err(), "line 1: expected `word ... TAG`, found \"Word\"");
        assert_eq!(parse("Word X-PER\n").unwrap_err(), "line 1: unknown tag \"X-PER\"");
    }
}
