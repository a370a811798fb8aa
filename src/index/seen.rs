//! Which keys a run has written, in a fixed amount of memory: a Bloom filter. A run asks it
//! before looking a content hash or an id up in the committed index; "not seen" is always
//! right, and "maybe" costs one lookup, which answers exactly. The sets of 32-bit
//! fingerprints it replaces grew by about 20 MB a million articles; this stays at
//! [`SEEN_BYTES`] however large the corpus, and its false "maybe"s grow instead: about one
//! lookup in 10,000 at a million keys, one in 20 at ten million.

use std::hash::{BuildHasher, BuildHasherDefault};

/// Bytes of one filter (64 Mbit). Pages are allocated zeroed and only touched when a key sets
/// a bit in them.
pub const SEEN_BYTES: usize = 8 << 20;
const WORDS: usize = SEEN_BYTES / 8;
/// Bits set per key: the fewest false positives for this size up to about 15 million keys.
const PROBES: u64 = 3;

/// A Bloom filter of [`SEEN_BYTES`], allocated at the first key.
#[derive(Default)]
pub struct Seen {
    words: Vec<u64>,
}

impl Seen {
    /// The bits of `key`: double hashing (Kirsch and Mitzenmacher) from one 64-bit hash.
    fn bits(key: &str) -> impl Iterator<Item = usize> {
        let hash = BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(key);
        let (first, step) = (hash & 0xffff_ffff, (hash >> 32) | 1);
        (0..PROBES).map(move |i| (first.wrapping_add(i.wrapping_mul(step)) % (WORDS as u64 * 64)) as usize)
    }

    /// Notes `key`.
    pub fn insert(&mut self, key: &str) {
        if self.words.is_empty() {
            self.words = vec![0; WORDS];
        }
        for bit in Self::bits(key) {
            self.words[bit / 64] |= 1 << (bit % 64);
        }
    }

    /// Whether `key` may have been noted: false means it was not.
    pub fn may_contain(&self, key: &str) -> bool {
        !self.words.is_empty() && Self::bits(key).all(|bit| self.words[bit / 64] & (1 << (bit % 64)) != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_noted_is_found_and_few_others_are() {
        let mut seen = Seen::default();
        assert!(!seen.may_contain("reuters/2016/04/1"), "an empty filter has seen nothing");
        for n in 0..200_000 {
            seen.insert(&format!("reuters/2016/04/{n}"));
        }
        assert!((0..200_000).all(|n| seen.may_contain(&format!("reuters/2016/04/{n}"))));
        // 200,000 keys in 64 Mbit with 3 bits each: a stranger passes about once in 10^6.
        let strangers =
            (200_000..300_000).filter(|n| seen.may_contain(&format!("reuters/2016/04/{n}"))).count();
        assert!(strangers <= 2, "{strangers} unknown keys taken for known ones");
        assert_eq!(seen.words.len() * 8, SEEN_BYTES, "the size does not depend on the keys");
    }
}
