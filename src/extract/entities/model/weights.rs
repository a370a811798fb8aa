//! The trained weights and the decoder that uses them. A feature's weights are one row of a
//! score per label; rows are found by the feature's 64-bit hash. Decoding is Viterbi over the
//! label transitions BILOU allows, so every name the model returns is well formed.
//!
//! On disk (gzip, little-endian): magic, format and feature-template versions, the label
//! count, the transition scores, then each feature row as its hash, a bit mask of the labels
//! it scores and those scores. Zero scores are not written; rows are sorted by hash, so the
//! same weights always make the same bytes.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{Read, Write};

use super::features::{Features, TEMPLATE_VERSION};
use super::labels::{COUNT, OUTSIDE, allowed, may_end};

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

/// The emission of a token left unscored: only Outside is possible.
const OUTSIDE_ONLY: [f32; COUNT] = {
    let mut row = [f32::NEG_INFINITY; COUNT];
    row[OUTSIDE as usize] = 0.0;
    row
};

/// Buffers the decoder reuses from sentence to sentence.
#[derive(Debug, Default)]
pub struct Scratch {
    emission: Vec<f32>,
    back: Vec<u8>,
}

/// Viterbi over `emission` (one row of `COUNT` scores per token) and `transition`, keeping
/// only the transitions BILOU allows. Writes the best labels into `labels`. A row whose
/// second score is minus infinity is an unscored token's ([`OUTSIDE_ONLY`]) and costs one
/// label instead of all.
pub fn viterbi(emission: &[f32], transition: &[f32], back: &mut Vec<u8>, labels: &mut Vec<u8>) {
    let n = emission.len() / COUNT;
    labels.clear();
    if n == 0 {
        return;
    }
    back.clear();
    back.resize(n * COUNT, 0);
    let mut into_starting = [[0f32; CLOSED.len()]; STARTING.len()];
    for (row, &l) in into_starting.iter_mut().zip(&STARTING) {
        for (cell, &p) in row.iter_mut().zip(&CLOSED) {
            *cell = transition[(usize::from(p) + 1) * COUNT + usize::from(l)];
        }
    }
    let mut best = [f32::NEG_INFINITY; COUNT];
    for (l, b) in best.iter_mut().enumerate() {
        if allowed(None, l as u8) {
            *b = transition[l] + emission[l];
        }
    }
    for i in 1..n {
        let mut next = [f32::NEG_INFINITY; COUNT];
        if emission[i * COUNT + 1] == f32::NEG_INFINITY {
            // An unscored token (OUTSIDE_ONLY): only Outside can win, so only its best
            // predecessor matters.
            let (from, top) = best_predecessor(&best, transition, usize::from(OUTSIDE));
            back[i * COUNT + usize::from(OUTSIDE)] = from;
            next[usize::from(OUTSIDE)] = top + emission[i * COUNT + usize::from(OUTSIDE)];
            best = next;
            continue;
        }
        let closed = CLOSED.map(|p| best[usize::from(p)]);
        for (k, &l) in STARTING.iter().enumerate() {
            let (from, top) = best_closed(&closed, &into_starting[k]);
            let l = usize::from(l);
            back[i * COUNT + l] = CLOSED[from];
            next[l] = top + emission[i * COUNT + l];
        }
        for &l in &CONTINUING {
            let l = usize::from(l);
            let (from, top) = best_predecessor(&best, transition, l);
            back[i * COUNT + l] = from;
            next[l] = top + emission[i * COUNT + l];
        }
        best = next;
    }
    let mut last = 0u8;
    let mut top = f32::NEG_INFINITY;
    for (l, score) in best.iter().enumerate() {
        if may_end(l as u8) && *score > top {
            top = *score;
            last = l as u8;
        }
    }
    labels.resize(n, 0);
    labels[n - 1] = last;
    for i in (1..n).rev() {
        labels[i - 1] = back[i * COUNT + usize::from(labels[i])];
    }
}

/// The best of the closed labels' scores (`closed`, in the order of [`CLOSED`]) plus the
/// transitions from them (`into`, the same order) into one starting label: its index in
/// [`CLOSED`] and the score. Nine of each in arrays of fixed length, which the compiler
/// unrolls; the first of equal scores wins, as in [`best_predecessor`].
#[inline]
fn best_closed(closed: &[f32; CLOSED.len()], into: &[f32; CLOSED.len()]) -> (usize, f32) {
    let (mut from, mut top) = (0, closed[0] + into[0]);
    for j in 1..CLOSED.len() {
        let s = closed[j] + into[j];
        if s > top {
            top = s;
            from = j;
        }
    }
    (from, top)
}

/// Labels that only Outside, Last or Unit may precede: Outside, Begin and Unit of each type.
/// Nine of the seventeen labels, whose predecessors are the same nine ([`CLOSED`]): the
/// decoder gathers those scores once per token.
const STARTING: [u8; 1 + 2 * (COUNT - 1) / 4] = labels_where(true);
/// The labels a starting label may follow: Outside, Last and Unit.
const CLOSED: [u8; 1 + 2 * (COUNT - 1) / 4] = closed_labels();
/// Inside and Last of each type, which only Begin or Inside of their type may precede.
const CONTINUING: [u8; 2 * (COUNT - 1) / 4] = labels_where(false);

/// The labels that may (`starting`) or may not follow Outside, in order.
const fn labels_where<const N: usize>(starting: bool) -> [u8; N] {
    let mut out = [0u8; N];
    let (mut l, mut n) = (0, 0);
    while l < COUNT {
        if ALLOWED[OUTSIDE as usize][l] == starting {
            out[n] = l as u8;
            n += 1;
        }
        l += 1;
    }
    out
}

/// The labels Outside may follow, in order.
const fn closed_labels<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    let (mut p, mut n) = (0, 0);
    while p < COUNT {
        if ALLOWED[p][OUTSIDE as usize] {
            out[n] = p as u8;
            n += 1;
        }
        p += 1;
    }
    out
}

/// The predecessor of label `l` with the best score so far, and that score.
#[inline]
fn best_predecessor(best: &[f32; COUNT], transition: &[f32], l: usize) -> (u8, f32) {
    let (predecessors, count) = &PREDECESSORS[l];
    let mut from = predecessors[0];
    let mut top = best[usize::from(from)] + transition[(usize::from(from) + 1) * COUNT + l];
    for &p in &predecessors[1..*count] {
        let s = best[usize::from(p)] + transition[(usize::from(p) + 1) * COUNT + l];
        if s > top {
            top = s;
            from = p;
        }
    }
    (from, top)
}

/// For each label, the labels that may precede it (and how many): Inside and Last follow
/// only Begin or Inside of their type; the others follow Outside, Last or Unit. Listing them
/// spares the decoder two thirds of the pairs.
const PREDECESSORS: [([u8; COUNT], usize); COUNT] = {
    let mut table = [([0u8; COUNT], 0usize); COUNT];
    let mut l = 0;
    while l < COUNT {
        let mut p = 0;
        while p < COUNT {
            if ALLOWED[p][l] {
                let (list, count) = &mut table[l];
                list[*count] = p as u8;
                *count += 1;
            }
            p += 1;
        }
        l += 1;
    }
    table
};

const ALLOWED: [[bool; COUNT]; COUNT] = {
    let mut table = [[false; COUNT]; COUNT];
    let mut p = 0;
    while p < COUNT {
        let mut l = 0;
        while l < COUNT {
            table[p][l] = allowed_const(p, l);
            l += 1;
        }
        p += 1;
    }
    table
};

/// `allowed` for the constant table (const fns cannot call the general one).
const fn allowed_const(previous: usize, next: usize) -> bool {
    let open = previous > 0 && (previous - 1) % 4 < 2;
    let continues = next > 0 && matches!((next - 1) % 4, 1 | 2);
    if open { continues && (previous - 1) / 4 == (next - 1) / 4 } else { !continues }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_constant_table_agrees_with_the_rules() {
        for (p, row) in ALLOWED.iter().enumerate() {
            for (l, cell) in row.iter().enumerate() {
                assert_eq!(*cell, allowed(Some(p as u8), l as u8), "{p} -> {l}");
            }
        }
    }

    #[test]
    fn starting_labels_follow_exactly_the_closed_ones() {
        for &l in &STARTING {
            let (list, count) = &PREDECESSORS[usize::from(l)];
            assert_eq!(&list[..*count], &CLOSED[..], "label {l}");
        }
        let mut all: Vec<u8> = STARTING.iter().chain(&CONTINUING).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..COUNT as u8).collect::<Vec<_>>());
    }

    /// Viterbi over every allowed pair, the first best predecessor winning: what `viterbi`
    /// must equal.
    fn plain_viterbi(emission: &[f32], transition: &[f32]) -> Vec<u8> {
        let n = emission.len() / COUNT;
        let mut best: Vec<f32> = (0..COUNT)
            .map(|l| if allowed(None, l as u8) { transition[l] + emission[l] } else { f32::NEG_INFINITY })
            .collect();
        let mut back = vec![0u8; n * COUNT];
        for i in 1..n {
            let mut next = vec![f32::NEG_INFINITY; COUNT];
            for l in 0..COUNT {
                let mut top = None;
                for p in 0..COUNT {
                    if allowed(Some(p as u8), l as u8) {
                        let s = best[p] + transition[(p + 1) * COUNT + l];
                        if top.is_none_or(|(_, t)| s > t) {
                            top = Some((p as u8, s));
                        }
                    }
                }
                let (from, score) = top.unwrap();
                back[i * COUNT + l] = from;
                next[l] = score + emission[i * COUNT + l];
            }
            best = next;
        }
        let last = (0..COUNT).filter(|&l| may_end(l as u8)).fold(None, |top: Option<usize>, l| match top {
            Some(t) if best[t] >= best[l] => Some(t),
            _ => Some(l),
        });
        let mut labels = vec![last.unwrap() as u8; n];
        for i in (1..n).rev() {
            labels[i - 1] = back[i * COUNT + usize::from(labels[i])];
        }
        labels
    }

    #[test]
    fn viterbi_agrees_with_the_plain_decoder() {
        let mut state = 2003u64;
        let mut random = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 40) as f32 / (1u64 << 24) as f32) * 8.0 - 4.0
        };
        let (mut back, mut labels) = (Vec::new(), Vec::new());
        for tokens in [1, 2, 3, 7, 25, 60] {
            let transition: Vec<f32> = (0..TRANSITIONS).map(|_| random()).collect();
            let mut emission: Vec<f32> = (0..tokens * COUNT).map(|_| random()).collect();
            for i in (2..tokens).step_by(3) {
                emission[i * COUNT..(i + 1) * COUNT].copy_from_slice(&OUTSIDE_ONLY);
            }
            viterbi(&emission, &transition, &mut back, &mut labels);
            assert_eq!(labels, plain_viterbi(&emission, &transition), "{tokens} tokens");
        }
    }

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
