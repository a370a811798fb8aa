//! The words without a capital or a digit that the training data has inside names ("of" in
//! "Bank of England", "de", "&", "'s"), with where in a name each one stood: only such a word
//! is scored next to a name (see `features::extract_near_names`), and only where it could
//! stand. "," and "and" are inside names only between two of their words, so one after a name
//! with none following cannot be in it: over 6,000 Reuters articles, 131,027 joiners are scored
//! where 255,820 were within reach of a name.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasherDefault;

use super::weights::Prehashed;
use super::word::text_hash;

/// Where in the names of the training data a word stood: a set of [`Places::OPENS`],
/// [`Places::MIDDLE`] and [`Places::CLOSES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Places(u8);

impl Places {
    /// In no name.
    pub const NONE: Places = Places(0);
    /// A name's first word ("de" in "de Gaulle"; a name of one word opens and closes it).
    pub const OPENS: Places = Places(1);
    /// Between a name's first and last words ("of", "&").
    pub const MIDDLE: Places = Places(2);
    /// A name's last word ("'s" in "Moody 's").
    pub const CLOSES: Places = Places(4);
    /// Anywhere: what is known of a word whose places were not recorded (a model of format 3
    /// or before, a connector of the rules).
    pub const ANYWHERE: Places = Places(7);

    /// The places of a word `at` of a name `len` words long.
    pub fn in_name(at: usize, len: usize) -> Places {
        let mut places = Places::NONE;
        if at == 0 {
            places = places | Places::OPENS;
        }
        if at + 1 == len {
            places = places | Places::CLOSES;
        }
        if places == Places::NONE { Places::MIDDLE } else { places }
    }

    /// Whether a word of these places, with a possible name's word within reach on its left
    /// (`left`) and on its right (`right`), could be inside that name.
    #[inline]
    pub fn could_stand(self, left: bool, right: bool) -> bool {
        (self.has(Places::OPENS) && right)
            || (self.has(Places::CLOSES) && left)
            || (self.has(Places::MIDDLE) && left && right)
    }

    fn has(self, places: Places) -> bool {
        self.0 & places.0 != 0
    }

    /// As one byte, for the model file.
    pub fn bits(self) -> u8 {
        self.0
    }

    /// From [`Places::bits`]; `None` for bits no place has.
    pub fn from_bits(bits: u8) -> Option<Places> {
        (bits & !Places::ANYWHERE.0 == 0).then_some(Places(bits))
    }
}

impl std::ops::BitOr for Places {
    type Output = Places;
    fn bitor(self, other: Places) -> Places {
        Places(self.0 | other.0)
    }
}

/// The words that join names, in order for saving, and by their `text_hash` for the lookups of
/// every token near a name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Joiners {
    words: BTreeMap<String, Places>,
    hashes: HashMap<u64, Places, BuildHasherDefault<Prehashed>>,
}

impl Joiners {
    /// The joiners `words`, each with its places.
    pub fn new(words: impl IntoIterator<Item = (String, Places)>) -> Self {
        let words: BTreeMap<String, Places> = words.into_iter().collect();
        Joiners { hashes: words.iter().map(|(w, p)| (text_hash(w), *p)).collect(), words }
    }

    /// Where `word` stood in names; [`Places::NONE`] for a word that is no joiner.
    #[inline]
    pub fn places(&self, word: &str) -> Places {
        self.hashes.get(&text_hash(word)).copied().unwrap_or_default()
    }

    /// The words and their places, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Places)> {
        self.words.iter().map(|(w, p)| (w.as_str(), *p))
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_joiner_stands_only_where_the_training_data_had_it() {
        let (opens, middle, closes) = (Places::OPENS, Places::MIDDLE, Places::CLOSES);
        // Left and right: whether a possible name's word is within reach on either side.
        for (places, left, right, expected) in [
            (middle, true, true, true),   // "Bank of England"
            (middle, true, false, false), // "Reuters , said"
            (middle, false, true, false), // "said and Kerry"
            (closes, true, false, true),  // "Moody 's rating"
            (closes, false, true, false),
            (opens, false, true, true), // "de Gaulle"
            (opens, true, false, false),
            (opens | middle, true, false, false),
            (Places::ANYWHERE, true, false, true),
            (Places::ANYWHERE, false, true, true),
            (Places::ANYWHERE, false, false, false),
            (Places::NONE, true, true, false),
        ] {
            assert_eq!(places.could_stand(left, right), expected, "{places:?} {left} {right}");
        }
    }

    #[test]
    fn places_in_a_name_follow_the_word_position() {
        assert_eq!(Places::in_name(0, 1), Places::OPENS | Places::CLOSES);
        assert_eq!(Places::in_name(0, 3), Places::OPENS);
        assert_eq!(Places::in_name(1, 3), Places::MIDDLE);
        assert_eq!(Places::in_name(2, 3), Places::CLOSES);
        assert_eq!(Places::from_bits(Places::ANYWHERE.bits()), Some(Places::ANYWHERE));
        assert_eq!(Places::from_bits(8), None);
    }

    #[test]
    fn joiners_are_found_by_their_text() {
        let joiners = Joiners::new([("of".to_string(), Places::MIDDLE), ("'s".to_string(), Places::CLOSES)]);
        assert_eq!(joiners.places("of"), Places::MIDDLE);
        assert_eq!(joiners.places("'s"), Places::CLOSES);
        assert_eq!(joiners.places("said"), Places::NONE);
        assert_eq!(joiners.iter().map(|(w, _)| w).collect::<Vec<_>>(), ["'s", "of"]);
    }
}
