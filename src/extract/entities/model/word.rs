//! One token as the feature templates see it (its lower-case form, shape and hashes), and
//! the string hash the feature ids are made of.

/// What the templates need to know of one token, computed once.
#[derive(Debug, Default)]
pub(super) struct Word {
    /// The lower-case form's UTF-8 bytes (kept as bytes: only hashed, and pushing bytes
    /// skips a `String`'s per-character encoding).
    pub(super) lower: Vec<u8>,
    /// The shape's UTF-8 bytes ("Xxxx", "dd-d").
    pub(super) shape: Vec<u8>,
    pub(super) capitalised: bool,
    pub(super) lower_hash: u64,
    pub(super) shape_hash: u64,
    pub(super) word_hash: u64,
}

impl Word {
    pub(super) fn fill(&mut self, word: &str) {
        self.fill_context(word);
        self.capitalised = word.chars().next().is_some_and(char::is_uppercase);
        self.word_hash = text_hash(word);
    }

    /// Only what the templates read of a neighbour (its lower-case form and shape), for a
    /// word that is context to a scored token and not scored itself: `capitalised` and
    /// `word_hash` are left as they were.
    pub(super) fn fill_context(&mut self, word: &str) {
        self.lower.clear();
        self.shape.clear();
        if word.is_ascii() {
            self.fill_ascii(word);
        } else {
            self.fill_unicode(word);
        }
        self.lower_hash = bytes_hash(&self.lower);
        self.shape_hash = bytes_hash(&self.shape);
    }

    /// The common case, byte by byte.
    fn fill_ascii(&mut self, word: &str) {
        self.lower
            .extend(word.bytes().map(|b| if b.is_ascii_digit() { b'0' } else { b.to_ascii_lowercase() }));
        let mut last = 0u8;
        for b in word.bytes() {
            let class = match b {
                b'A'..=b'Z' => b'X',
                b'a'..=b'z' => b'x',
                b'0'..=b'9' => b'd',
                _ => b,
            };
            if class != last {
                self.shape.push(class);
                last = class;
            }
        }
    }

    fn fill_unicode(&mut self, word: &str) {
        let mut utf8 = [0u8; 4];
        for c in word.chars() {
            if c.is_ascii_digit() {
                self.lower.push(b'0');
            } else {
                for lower in c.to_lowercase() {
                    self.lower.extend_from_slice(lower.encode_utf8(&mut utf8).as_bytes());
                }
            }
            let class = if c.is_uppercase() {
                'X'
            } else if c.is_lowercase() {
                'x'
            } else if c.is_numeric() {
                'd'
            } else {
                c
            };
            let class = class.encode_utf8(&mut utf8).as_bytes();
            if !self.shape.ends_with(class) {
                self.shape.extend_from_slice(class);
            }
        }
    }
}

pub(super) const MULTIPLY: u64 = 0x517c_c1b7_2722_0a95;

/// Folds `bytes` into `hash` eight at a time (FxHash's step), then a separator.
fn mix(mut hash: u64, bytes: &[u8]) -> u64 {
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        hash = (hash.rotate_left(5) ^ word).wrapping_mul(MULTIPLY);
    }
    // The last zero to seven bytes, little-endian as `from_le_bytes` would read them padded
    // with zeros: from four on, as two reads of four that overlap, the second shifted past the
    // bytes the first read; below four, shifted in one by one. (A copy of a variable length
    // into a padded buffer is a call to memmove, 1% of a full indexing run.)
    let rest = chunks.remainder();
    let four = |at: usize| u64::from(u32::from_le_bytes(rest[at..at + 4].try_into().unwrap_or([0; 4])));
    let tail = match rest.len() {
        n @ 4.. => four(0) | (four(n - 4) >> (8 * (8 - n))) << 32,
        _ => rest.iter().rev().fold(0u64, |word, b| (word << 8) | u64::from(*b)),
    };
    let word = tail ^ ((rest.len() as u64 + 1) << 59);
    (hash.rotate_left(5) ^ word).wrapping_mul(MULTIPLY)
}

/// The hash of a string, computed once per token and combined into features.
pub(super) fn text_hash(text: &str) -> u64 {
    bytes_hash(text.as_bytes())
}

/// [`text_hash`] of a string's UTF-8 bytes.
fn bytes_hash(bytes: &[u8]) -> u64 {
    mix(0x243f_6a88_85a3_08d3, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_read_the_last_bytes_as_zero_padded_little_endian() {
        // The model's feature ids depend on these hashes: they must never change.
        let text = "Aleppo ceasefire talks, Geneva";
        for len in 0..=text.len() {
            let bytes = &text.as_bytes()[..len];
            let mut hash = 0x243f_6a88_85a3_08d3u64;
            let mut chunks = bytes.chunks_exact(8);
            for chunk in &mut chunks {
                let word = u64::from_le_bytes(chunk.try_into().unwrap());
                hash = (hash.rotate_left(5) ^ word).wrapping_mul(MULTIPLY);
            }
            let mut tail = [0u8; 8];
            tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
            let word = u64::from_le_bytes(tail) ^ ((chunks.remainder().len() as u64 + 1) << 59);
            let expected = (hash.rotate_left(5) ^ word).wrapping_mul(MULTIPLY);
            assert_eq!(text_hash(&text[..len]), expected, "length {len}");
        }
    }

    #[test]
    fn ascii_words_fill_as_the_general_path_does() {
        let long = format!("{}Xx-{}", "a".repeat(63), "B1".repeat(40));
        let run = "a".repeat(130);
        for word in [
            "",
            "a",
            "Aleppo",
            "U.S.-backed",
            "2016",
            "McDonald's",
            "x\0y",
            long.as_str(),
            &long[..65],
            run.as_str(),
        ] {
            let (mut ascii, mut general) = (Word::default(), Word::default());
            ascii.fill_ascii(word);
            general.fill_unicode(word);
            assert_eq!((ascii.lower, ascii.shape), (general.lower, general.shape), "{word:?}");
        }
    }

    #[test]
    fn shapes_collapse_repeats() {
        let mut w = Word::default();
        let text = |bytes: &[u8]| String::from_utf8(bytes.to_vec()).unwrap();
        w.fill("McDonald's-2016");
        assert_eq!((text(&w.shape), text(&w.lower)), ("XxXx'x-d".into(), "mcdonald's-0000".into()));
        let ascii = (w.lower_hash, w.shape_hash);
        w.fill("McDonald’s-2016");
        assert_eq!((text(&w.shape), text(&w.lower)), ("XxXx’x-d".into(), "mcdonald’s-0000".into()));
        w.fill("Ünal");
        assert_eq!((text(&w.shape), text(&w.lower)), ("Xx".into(), "ünal".into()));
        w.fill("İstanbul");
        assert_eq!((text(&w.shape), text(&w.lower)), ("Xx".into(), "i\u{307}stanbul".into()));
        assert_eq!(w.lower_hash, text_hash("i\u{307}stanbul"), "the hash of the lower-case text");
        w.fill("McDonald's-2016");
        assert_eq!((w.lower_hash, w.shape_hash), ascii, "hashes depend on the word only");
        w.fill("o'clock");
        assert_eq!(w.lower_hash, text_hash("o'clock"), "the document context's shortcut");
    }
}
