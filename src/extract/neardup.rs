//! Near duplicates: the same wire story lightly edited by several outlets. Each article gets a
//! MinHash sketch of its word 4-shingles; articles whose sketches agree on enough positions
//! (an estimate of Jaccard similarity) belong to one story. Candidates are found through LSH
//! bands: the sketch cut into bands, each band hashed to a key that is indexed, so that similar
//! articles meet on at least one key with high probability.
//!
//! The sketch is a one-permutation MinHash (Li, Owen and Zhang 2012) with optimal
//! densification (Shrivastava 2017): each shingle is hashed once, the hash picks one of the
//! 32 bins and the rest of it competes for that bin's minimum; a bin no shingle fell into
//! borrows the minimum of a bin chosen by a fixed probe sequence, the same for every text.
//! This estimates Jaccard similarity as well as 32 independent hash functions do, at one hash
//! per shingle instead of 32.

/// Positions in a sketch.
pub const SKETCH_LEN: usize = 32;
/// Rows per LSH band: 16 bands of 2 rows, so that two texts of similarity 0.5 share a band
/// with probability 1 - (1 - 0.5^2)^16 > 0.99.
pub const ROWS: usize = 2;
/// LSH bands per sketch.
pub const BANDS: usize = SKETCH_LEN / ROWS;
/// Words per shingle.
const SHINGLE: usize = 4;
/// Estimated Jaccard similarity from which two articles are versions of one story. Measured on
/// pairs built from the BBC corpus (`cargo bench --bench neardup`): at 0.5, 97% of edited
/// copies are recognised and 6 of 2,220 same-topic pairs are grouped (precision 0.997).
pub const SAME_STORY: f64 = 0.5;

/// A MinHash sketch of an article's text: 32 bins' minimum values, 16 bits of each kept
/// (b-bit MinHash, Li and König 2010: two different minima agree in 16 bits once in 65,536,
/// which moves a similarity estimate by far less than its own sampling error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sketch(pub [u16; SKETCH_LEN]);

fn mix(mut x: u64) -> u64 {
    // splitmix64's finaliser: a fast, well-spread 64-bit permutation.
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// [`word_hash`] of an ASCII word: the same bytes, without decoding characters.
fn ascii_word_hash(word: &[u8]) -> u64 {
    word.iter()
        .fold(FNV_OFFSET, |h, b| (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(0x0100_0000_01b3))
}

fn word_hash(word: &str) -> u64 {
    // FNV-1a over the lower-cased word: stable across runs and platforms.
    if word.is_ascii() {
        return ascii_word_hash(word.as_bytes());
    }
    let mut h: u64 = FNV_OFFSET;
    for c in word.chars().flat_map(char::to_lowercase) {
        let mut buf = [0u8; 4];
        for b in c.encode_utf8(&mut buf).bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The hash of four consecutive (already mixed) word hashes, order-sensitive.
fn shingle_hash(words: &[u64]) -> u64 {
    mix(words[0]
        .wrapping_add(words[1].rotate_left(17))
        .wrapping_add(words[2].rotate_left(31))
        .wrapping_add(words[3].rotate_left(47)))
}

/// The sketch of a text; `None` when it has too few words to compare (under 8).
pub fn sketch(text: &str) -> Option<Sketch> {
    sketch_and_word_count(&[text]).0
}

/// The sketch of several texts read one after the other (title, then body), without joining
/// them into a new string, and the number of their words the way a reader would count them:
/// runs of letters and digits, the very words the sketch is made of (so an article's words are
/// split once for both).
pub fn sketch_and_word_count(parts: &[&str]) -> (Option<Sketch>, u64) {
    let mut words: Vec<u64> = Vec::new();
    for part in parts {
        // For ASCII text, letters and digits are the ASCII ones: split bytes, not characters.
        if part.is_ascii() {
            push_ascii_word_hashes(part.as_bytes(), &mut words);
        } else {
            let split = part.split(|c: char| !c.is_alphanumeric());
            words.extend(split.filter(|w| !w.is_empty()).map(|w| mix(word_hash(w))));
        }
    }
    (sketch_of_words(&words), words.len() as u64)
}

/// Each byte lower-cased if it is an ASCII letter or digit, 0 if it is not (and so ends a word).
const WORD_BYTES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let byte = b as u8;
        if byte.is_ascii_alphanumeric() {
            table[b] = byte.to_ascii_lowercase();
        }
        b += 1;
    }
    table
};

/// Pushes the mixed [`ascii_word_hash`] of each word of ASCII `text` (runs of letters and
/// digits) onto `words`. FNV-1a is one multiplication after another, a byte at a time: each
/// waits for the one before. So a long text is cut in two at a byte between words, and the
/// two halves are hashed side by side, two independent chains the processor overlaps.
fn push_ascii_word_hashes(text: &[u8], words: &mut Vec<u64>) {
    const TWO_HALVES_FROM: usize = 512;
    let middle = text.len() / 2;
    let cut = (text.len() >= TWO_HALVES_FROM)
        .then(|| text[middle..].iter().position(|b| WORD_BYTES[usize::from(*b)] == 0))
        .flatten();
    let Some(offset) = cut else {
        let mut lane = Lane::default();
        lane.hash_bytes(text, words);
        lane.finish(words);
        return;
    };
    let (first, second) = text.split_at(middle + offset);
    let (mut a, mut b) = (Lane::default(), Lane::default());
    let mut later = Vec::with_capacity(second.len() / 4);
    let side_by_side = first.len().min(second.len());
    // Made once: a chunk writes each slot it reads, so they need no zeroing for the next.
    let (mut ends_a, mut ends_b) = ([0u64; Lane::CHUNK + 1], [0u64; Lane::CHUNK + 1]);
    for (x, y) in first[..side_by_side].chunks(Lane::CHUNK).zip(second[..side_by_side].chunks(Lane::CHUNK)) {
        let (mut found_a, mut found_b) = (0, 0);
        for (&p, &q) in x.iter().zip(y) {
            a.step(p, &mut ends_a, &mut found_a);
            b.step(q, &mut ends_b, &mut found_b);
        }
        words.extend(ends_a[..found_a].iter().map(|h| mix(*h)));
        later.extend(ends_b[..found_b].iter().map(|h| mix(*h)));
    }
    a.hash_bytes(&first[side_by_side..], words);
    a.finish(words);
    words.append(&mut later);
    b.hash_bytes(&second[side_by_side..], words);
    b.finish(words);
}

/// One running FNV-1a hash over a stretch of ASCII text, and whether it is inside a word.
/// Each byte's hash step is taken or reset by a select, and the hash is written out at every
/// byte, kept (the count moved on) only where a word ends: word lengths vary too much for a
/// branch to be predicted.
struct Lane {
    hash: u64,
    in_word: bool,
}

impl Default for Lane {
    fn default() -> Self {
        Lane { hash: FNV_OFFSET, in_word: false }
    }
}

impl Lane {
    /// Bytes whose word ends are gathered before they are mixed and pushed.
    const CHUNK: usize = 256;

    #[inline(always)]
    fn step(&mut self, byte: u8, ends: &mut [u64; Self::CHUNK + 1], found: &mut usize) {
        let lower = WORD_BYTES[usize::from(byte)];
        ends[*found] = self.hash;
        let is_word = lower != 0;
        *found += usize::from(self.in_word & !is_word);
        let step = (self.hash ^ u64::from(lower)).wrapping_mul(0x0100_0000_01b3);
        self.hash = if is_word { step } else { FNV_OFFSET };
        self.in_word = is_word;
    }

    /// Hashes `text`, pushing the words that end in it onto `words`.
    fn hash_bytes(&mut self, text: &[u8], words: &mut Vec<u64>) {
        let mut ends = [0u64; Self::CHUNK + 1];
        for chunk in text.chunks(Self::CHUNK) {
            let mut found = 0;
            for &byte in chunk {
                self.step(byte, &mut ends, &mut found);
            }
            words.extend(ends[..found].iter().map(|h| mix(*h)));
        }
    }

    /// Pushes the word the text ended in, if it ended in one.
    fn finish(self, words: &mut Vec<u64>) {
        if self.in_word {
            words.push(mix(self.hash));
        }
    }
}

/// The sketch of a text's words, each hashed by [`word_hash`] and mixed.
fn sketch_of_words(words: &[u64]) -> Option<Sketch> {
    if words.len() < 2 * SHINGLE {
        return None;
    }
    let mut mins = [u64::MAX; SKETCH_LEN];
    let mut filled: u32 = 0;
    for window in words.windows(SHINGLE) {
        let h = shingle_hash(window);
        let bin = (h >> 59) as usize;
        // The bits below the bin's five: the minimum among the bin's shingles.
        mins[bin] = mins[bin].min(h & (u64::MAX >> 5));
        filled |= 1 << bin;
    }
    densify(&mut mins, filled);
    Some(Sketch(mins.map(|m| m as u16)))
}

/// Fills each empty bin with the minimum of the first filled bin of its probe sequence.
fn densify(mins: &mut [u64; SKETCH_LEN], filled: u32) {
    if filled == 0 {
        // No shingle at all (the caller asks for at least one): nothing to borrow from.
        return;
    }
    for bin in 0..SKETCH_LEN {
        if filled & (1 << bin) != 0 {
            continue;
        }
        let mut attempt: u64 = 1;
        loop {
            let probe = (mix(((bin as u64) << 32) | attempt) >> 59) as usize;
            if filled & (1 << probe) != 0 {
                mins[bin] = mins[probe];
                break;
            }
            attempt += 1;
        }
    }
}

/// The hash of band `band` of a sketch, from the band's `ROWS` values.
pub fn band_hash(band: usize, rows: &[u16]) -> u32 {
    rows.iter().fold(band as u64, |acc, r| mix(acc ^ u64::from(*r))) as u32
}

impl Sketch {
    /// The fraction of positions where two sketches agree: an estimate of Jaccard similarity.
    pub fn similarity(&self, other: &Sketch) -> f64 {
        self.similarity_to(&other.0)
    }

    /// [`Sketch::similarity`] against raw values (as a run keeps them).
    pub fn similarity_to(&self, other: &[u16]) -> f64 {
        let same = self.0.iter().zip(other).filter(|(a, b)| a == b).count();
        same as f64 / SKETCH_LEN as f64
    }

    /// The bands' hashes, in band order: the keys under which candidates are indexed and
    /// remembered. The band's number is part of the hash, so equal keys mean the same band.
    pub fn band_hashes(&self) -> impl Iterator<Item = u32> + '_ {
        self.0.chunks(ROWS).enumerate().map(|(band, rows)| band_hash(band, rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str = "Syrian government forces backed by Russian air strikes recaptured the ancient city of \
        Palmyra from Islamic State on Sunday. President Bashar al-Assad called the victory an important \
        achievement. UNESCO said it would send experts to assess the damage to the Roman-era ruins. \
        Vladimir Putin congratulated Assad by telephone, the Kremlin said.";

    #[test]
    fn a_lightly_edited_copy_is_the_same_story() {
        let edited = STORY.replace("on Sunday", "on Sunday morning").replace("experts", "a team of experts");
        let a = sketch(STORY).unwrap();
        let b = sketch(&format!("{edited} Copyright Some Outlet.")).unwrap();
        assert!(a.similarity(&b) >= SAME_STORY, "{}", a.similarity(&b));
        let bands: Vec<u32> = b.band_hashes().collect();
        assert!(a.band_hashes().any(|k| bands.contains(&k)));
    }

    #[test]
    fn a_different_story_on_the_same_subject_is_not() {
        let other = "Islamic State fighters were driven out of Palmyra on Sunday, and Russian engineers \
            began clearing mines around the Roman ruins, Syrian state television said, while \
            President Bashar al-Assad promised to rebuild the museum.";
        let a = sketch(STORY).unwrap();
        let b = sketch(other).unwrap();
        assert!(a.similarity(&b) < SAME_STORY, "{}", a.similarity(&b));
    }

    #[test]
    fn ascii_words_hash_as_the_general_path_does() {
        let general = |word: &str| {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for b in word.to_lowercase().bytes() {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
            h
        };
        for word in ["Aleppo", "UN", "al-Assad", "2016", "Genève", "ÉTAT"] {
            assert_eq!(word_hash(word), general(word), "{word}");
        }
    }

    #[test]
    fn ascii_text_gives_the_words_a_split_gives_across_chunk_ends() {
        let by_split = |text: &str| -> Vec<u64> {
            text.split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(|w| mix(word_hash(w)))
                .collect()
        };
        // Words that run over the 256-byte chunks' ends, at the very end, alone, or none at all.
        let long_word = "x".repeat(300);
        let mut texts = vec![
            String::new(),
            " -- ,, ".to_string(),
            "Kerry".to_string(),
            format!("{long_word} {long_word}y"),
            format!("{STORY} {STORY}!"),
            STORY.to_uppercase(),
        ];
        for pad in [250, 254, 255, 256, 257] {
            texts.push(format!("{}Aleppo Geneva-talks 2016", " ".repeat(pad)));
            texts.push(format!("{}Assad", "a ".repeat(pad / 2)));
        }
        // Long enough to be hashed in two halves: halves of different lengths, a second half
        // that is one long word or has no word at all, and no byte between words after the
        // middle (hashed in one piece).
        texts.extend([
            format!("{STORY} {STORY} {STORY}"),
            format!("{} {long_word}{long_word}", "ab ".repeat(100)),
            format!("{long_word}{long_word} {}", " ".repeat(700)),
            format!("{} {}", "w ".repeat(300), "z".repeat(700)),
            format!("{}{}", "q".repeat(600), ". ".repeat(5)),
        ]);
        for text in &texts {
            let mut words = vec![7];
            push_ascii_word_hashes(text.as_bytes(), &mut words);
            assert_eq!(words[0], 7, "words are pushed after what was there");
            assert_eq!(words[1..], by_split(text), "{text:?}");
        }
        assert_eq!(by_split(STORY).len(), 53, "the reference split counts words");
    }

    #[test]
    fn words_counted_are_runs_of_letters_and_digits() {
        let (sketch, count) = sketch_and_word_count(&["Kerry heads for Geneva;", "246 died."]);
        assert_eq!((sketch, count), (None, 6));
        let texts = [
            "",
            "  a-b  c_d e'f 12,5 ",
            "  ",
            "Kerry met Lavrov in Geneva on Saturday morning",
            "al-Assad's forces, 2016: U.S.-backed (again)",
            "Genève, ÉTAT — l'armée syrienne; 北京 2016年",
            "tabs\tand\nnew lines\r\n--- and a final word",
        ];
        for title in texts {
            for body in texts {
                let words =
                    |t: &str| t.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).count();
                let expected = (words(title) + words(body)) as u64;
                assert_eq!(sketch_and_word_count(&[title, body]).1, expected, "{title:?} {body:?}");
            }
        }
    }

    #[test]
    fn parts_sketch_like_the_joined_text() {
        let (title, body) = STORY.split_at(40);
        let split_at_word = STORY.find(' ').unwrap();
        let (a, b) = STORY.split_at(split_at_word);
        assert_eq!(sketch_and_word_count(&[a, b]).0, sketch(STORY));
        assert!(sketch_and_word_count(&[title, body]).0.is_some());
    }

    #[test]
    fn a_short_text_fills_every_bin_from_its_own_shingles() {
        let text = "Kerry met Lavrov in Geneva on Saturday morning";
        let words: Vec<u64> = text.split(' ').map(|w| mix(word_hash(w))).collect();
        let values: Vec<u16> = words.windows(SHINGLE).map(|w| shingle_hash(w) as u16).collect();
        let a = sketch(text).unwrap();
        assert!(a.0.iter().all(|v| values.contains(v)), "{a:?}");
        assert_eq!(sketch(text), Some(a));
    }

    #[test]
    fn short_texts_have_no_sketch() {
        assert!(sketch(STORY).is_some());
        assert_eq!(sketch("Too short to compare."), None);
    }

    #[test]
    fn ascii_text_splits_into_the_words_the_general_path_finds() {
        let text =
            "Kerry's 13-hour talks in GENEVA ended at 02:00; the U.S. and Russia agreed\ta plan.\u{b}End";
        let general: Vec<u64> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| mix(word_hash(w)))
            .collect();
        assert_eq!(sketch(text), sketch_of_words(&general));
        assert!(sketch(text).is_some());
    }

    #[test]
    fn the_sketch_of_a_fixed_text_does_not_change() {
        // Sketches outlive the run that computed them (the sketch journal beside the index):
        // changing how they are computed needs the schema version bumped with it.
        let text = "John Kerry and Sergei Lavrov announced a plan late on Friday for a nationwide ceasefire in Syria.";
        let pinned = [
            4068, 4018, 4018, 46544, 39238, 15557, 4068, 15557, 46517, 10982, 58775, 46797, 18437, 15557,
            5659, 6084, 46544, 58775, 10212, 15557, 4068, 46544, 4018, 46797, 18437, 5659, 58775, 4068,
            10212, 18437, 10212, 18437,
        ];
        assert_eq!(sketch(text).unwrap().0, pinned);
    }
}
