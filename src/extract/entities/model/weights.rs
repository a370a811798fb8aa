//! The trained weights, and the scoring of a sentence's tokens with them. A feature's weights
//! are one row of a score per label; rows are found by the feature's 64-bit hash. The scores
//! go to the Viterbi decoder (`viterbi.rs`).
//!
//! On disk (gzip, little-endian): magic, format and feature-template versions, the label
//! count, the transition scores, then each feature row as its hash, a bit mask of the labels
//! it scores and those scores. Zero scores are not written; rows are sorted by hash, so the
//! same weights always make the same bytes.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{Read, Write};

use super::features::{Features, TEMPLATE_VERSION};
use super::labels::COUNT;
use super::viterbi::{OUTSIDE_ONLY, viterbi};

const MAGIC: &[u8; 12] = b"NEWSDEX-NER\n";
const FORMAT: u32 = 1;

/// Transition scores: row 0 is the start of a sentence, row `p + 1` follows label `p`.
pub const TRANSITIONS: usize = (COUNT + 1) * COUNT;

/// Keys are already hashes: the map uses them as they are.
#[derive(Default, Clone, Copy)]
pub struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Feature hash to its scores, one per label (kept inline: one memory access per feature).
pub type Rows = HashMap<u64, [f32; COUNT], BuildHasherDefault<Prehashed>>;

/// A trained labeller.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    rows: Rows,
    transition: Vec<f32>,
}

impl Weights {
    /// Weights from feature rows (hash, one score per label) and transition scores.
    pub fn new(rows: impl IntoIterator<Item = (u64, [f32; COUNT])>, transition: Vec<f32>) -> Self {
        let rows = rows.into_iter().filter(|(_, scores)| scores.iter().any(|s| *s != 0.0)).collect();
        Weights { rows, transition }
    }

    /// Number of feature rows.
    pub fn features(&self) -> usize {
        self.rows.len()
    }

    /// The best label sequence for a sentence's features.
    pub fn decode(&self, features: &Features, scratch: &mut Scratch, labels: &mut Vec<u8>) {
        scratch.emission.clear();
        for i in 0..features.len() {
            if !features.is_scored(i) {
                scratch.emission.extend_from_slice(&OUTSIDE_ONLY);
                continue;
            }
            let mut scores = [0f32; COUNT];
            for id in features.of(i) {
                if let Some(row) = self.rows.get(id) {
                    scores.iter_mut().zip(row).for_each(|(s, w)| *s += w);
                }
            }
            scratch.emission.extend_from_slice(&scores);
        }
        viterbi(&scratch.emission, &self.transition, &mut scratch.back, labels);
    }

    /// Writes the weights in the compact on-disk format.
    pub fn save(&self, out: impl Write) -> std::io::Result<()> {
        let mut out = flate2::write::GzEncoder::new(out, flate2::Compression::best());
        out.write_all(MAGIC)?;
        for n in [FORMAT, TEMPLATE_VERSION, COUNT as u32, self.rows.len() as u32] {
            out.write_all(&n.to_le_bytes())?;
        }
        for t in &self.transition {
            out.write_all(&t.to_le_bytes())?;
        }
        let mut rows: Vec<(&u64, &[f32; COUNT])> = self.rows.iter().collect();
        rows.sort_unstable_by_key(|(hash, _)| **hash);
        for (hash, scores) in rows {
            let mask = scores.iter().enumerate().fold(0u32, |m, (i, s)| m | (u32::from(*s != 0.0) << i));
            out.write_all(&hash.to_le_bytes())?;
            out.write_all(&mask.to_le_bytes())?;
            for s in scores.iter().filter(|s| **s != 0.0) {
                out.write_all(&s.to_le_bytes())?;
            }
        }
        out.finish()?.flush()
    }

    /// Reads weights written by [`Weights::save`]; refuses other formats and feature sets.
    pub fn load(input: impl Read) -> Result<Self, String> {
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(input)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("not a gzip model file: {e}"))?;
        let mut reader = Bytes { bytes: &bytes, at: 0 };
        if reader.take(MAGIC.len())? != MAGIC {
            return Err("not a newsdex NER model".into());
        }
        let (format, templates, count, rows) = (reader.u32()?, reader.u32()?, reader.u32()?, reader.u32()?);
        if format != FORMAT || templates != TEMPLATE_VERSION || count as usize != COUNT {
            return Err(format!(
                "model format {format}, features {templates}, {count} labels; this newsdex reads format \
                 {FORMAT}, features {TEMPLATE_VERSION}, {COUNT} labels: retrain it with `newsdex train-ner`"
            ));
        }
        let transition = (0..TRANSITIONS).map(|_| reader.f32()).collect::<Result<Vec<_>, _>>()?;
        let mut table = Vec::with_capacity(rows as usize);
        for _ in 0..rows {
            let hash = reader.u64()?;
            let mask = reader.u32()?;
            let mut scores = [0f32; COUNT];
            for (i, s) in scores.iter_mut().enumerate() {
                if mask & (1 << i) != 0 {
                    *s = reader.f32()?;
                }
            }
            table.push((hash, scores));
        }
        if reader.at != bytes.len() {
            return Err("trailing bytes after the model".into());
        }
        Ok(Weights::new(table, transition))
    }
}

struct Bytes<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Bytes<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let slice = self.bytes.get(self.at..self.at + n).ok_or("the model file is truncated")?;
        self.at += n;
        Ok(slice)
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().map_err(|_| "truncated")?))
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().map_err(|_| "truncated")?))
    }
    fn f32(&mut self) -> Result<f32, String> {
        Ok(f32::from_le_bytes(self.take(4)?.try_into().map_err(|_| "truncated")?))
    }
}

/// Buffers the decoder reuses from sentence to sentence.
#[derive(Debug, Default)]
pub struct Scratch {
    emission: Vec<f32>,
    back: Vec<u8>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_round_trip_through_the_file_format() {
        let mut transition = vec![0.0; TRANSITIONS];
        transition[3] = -1.5;
        let mut row = [0f32; COUNT];
        row[4] = 2.25;
        row[0] = -0.5;
        let weights = Weights::new([(42u64, row), (7, [0.0; COUNT])], transition);
        let mut bytes = Vec::new();
        weights.save(&mut bytes).unwrap();
        let loaded = Weights::load(&bytes[..]).unwrap();
        assert_eq!(loaded, weights);
        assert_eq!(loaded.features(), 1);
        assert!(Weights::load(&bytes[..bytes.len() / 2]).is_err());
    }
}
