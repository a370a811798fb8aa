//! Decoding: the best label sequence for a sentence's scores, over the label transitions BILOU
//! allows, so every name the model returns is well formed.

use super::labels::{COUNT, OUTSIDE, allowed, may_end};

/// The emission of a token left unscored: only Outside is possible.
pub const OUTSIDE_ONLY: [f32; COUNT] = {
    let mut row = [f32::NEG_INFINITY; COUNT];
    row[OUTSIDE as usize] = 0.0;
    row
};

/// The transition scores (row 0 the start of a sentence, row `p + 1` what follows label `p`),
/// and the same gathered into the lanes the decoder scores at each token. Built once for a
/// model's weights; training, whose scores change after each mistake, builds one a sentence.
#[derive(Debug, Clone)]
pub struct Transitions {
    scores: Vec<f32>,
    from_closed: FromClosed,
    from_open: FromOpen,
}

impl Transitions {
    /// The decoder's layout of `scores`, `(COUNT + 1) * COUNT` of them.
    pub fn new(scores: Vec<f32>) -> Self {
        Transitions { from_closed: FromClosed::new(&scores), from_open: FromOpen::new(&scores), scores }
    }

    /// The scores as given.
    pub fn scores(&self) -> &[f32] {
        &self.scores
    }
}

/// Viterbi over `emission` (one row of `COUNT` scores per token) and `transitions`, keeping
/// only the transitions BILOU allows. Writes the best labels into `labels`. A row whose
/// second score is minus infinity is an unscored token's ([`OUTSIDE_ONLY`]) and costs one
/// label instead of all.
///
/// The forward pass keeps the best scores of each scored token in `trail`, in order, and no
/// back pointers: only the label the path takes at each token needs its predecessor, and the
/// backward pass finds it from the token before's scores, as the forward pass would have (the
/// same sums, the first of equal ones winning). That is one label's predecessors a token
/// instead of all seventeen's, and the forward pass takes maxima alone, which vectorise. An
/// unscored token is Outside, so its scores are not kept, and in a run of them (most of a
/// text) only Outside's score is carried on.
pub fn viterbi(emission: &[f32], transitions: &Transitions, trail: &mut Vec<f32>, labels: &mut Vec<u8>) {
    let n = emission.len() / COUNT;
    labels.clear();
    if n == 0 {
        return;
    }
    trail.clear();
    let Transitions { scores: transition, from_closed, from_open } = transitions;
    let mut best = [f32::NEG_INFINITY; COUNT];
    for (l, b) in best.iter_mut().enumerate() {
        if allowed(None, l as u8) {
            *b = transition[l] + emission[l];
        }
    }
    let outside = usize::from(OUTSIDE);
    let unscored = |i: usize| emission[i * COUNT + 1] == f32::NEG_INFINITY;
    if !unscored(0) {
        trail.extend_from_slice(&best);
    }
    for i in 1..n {
        let emission: &[f32; COUNT] = emission[i * COUNT..(i + 1) * COUNT].try_into().expect("one row");
        if unscored(i) {
            // Only Outside can win, so only its best predecessor matters; after another
            // unscored token, that is Outside itself (the other labels' minus infinity never
            // wins), and the other labels' scores are minus infinity already.
            if unscored(i - 1) {
                best[outside] =
                    best[outside] + transition[(outside + 1) * COUNT + outside] + emission[outside];
            } else {
                let top = best_predecessor(&best, transition, outside).1;
                best = [f32::NEG_INFINITY; COUNT];
                best[outside] = top + emission[outside];
            }
            continue;
        }
        let mut next = [f32::NEG_INFINITY; COUNT];
        let top = from_closed.best(&best);
        for (k, &l) in STARTING.iter().enumerate() {
            next[usize::from(l)] = top[k] + emission[usize::from(l)];
        }
        let top = from_open.best(&best);
        for (k, &l) in CONTINUING.iter().enumerate() {
            next[usize::from(l)] = top[k] + emission[usize::from(l)];
        }
        best = next;
        trail.extend_from_slice(&best);
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
    // The scored tokens' rows, read back from the last.
    let mut rows = trail.len() / COUNT;
    if !unscored(n - 1) {
        rows -= 1;
    }
    for i in (1..n).rev() {
        // An unscored token's only label is Outside.
        labels[i - 1] = if unscored(i - 1) {
            OUTSIDE
        } else {
            rows -= 1;
            let before: &[f32; COUNT] = trail[rows * COUNT..(rows + 1) * COUNT].try_into().expect("one row");
            best_predecessor(before, transition, usize::from(labels[i])).0
        };
    }
}

/// Lanes of the starting labels' work: their nine, padded to three registers of four (16
/// lanes, four registers, took a sixth more instructions; `valgrind --tool=cachegrind`).
const LANES: usize = 12;

/// The transitions from each closed label into every starting label, one row per closed
/// label with the starting labels across it, so that the best predecessor scores of all nine
/// starting labels are found together, a row at a time, as maxima without a branch.
#[derive(Debug, Clone)]
struct FromClosed {
    rows: [[f32; LANES]; CLOSED.len()],
}

impl FromClosed {
    fn new(transition: &[f32]) -> Self {
        let mut rows = [[f32::NEG_INFINITY; LANES]; CLOSED.len()];
        for (row, &p) in rows.iter_mut().zip(&CLOSED) {
            for (cell, &l) in row.iter_mut().zip(&STARTING) {
                *cell = transition[(usize::from(p) + 1) * COUNT + usize::from(l)];
            }
        }
        FromClosed { rows }
    }

    /// For each starting label (lane `k` is `STARTING[k]`), the best score of a predecessor
    /// given the scores so far, with the transition.
    #[inline]
    fn best(&self, best: &[f32; COUNT]) -> [f32; LANES] {
        let mut top = [f32::NEG_INFINITY; LANES];
        for (row, &closed) in self.rows.iter().zip(&CLOSED) {
            let score = best[usize::from(closed)];
            for (t, into) in top.iter_mut().zip(row) {
                let s = score + into;
                *t = if s > *t { s } else { *t };
            }
        }
        top
    }
}

/// The transitions into each continuing label (Inside and Last of a type) from the two labels
/// that may precede it, Begin and Inside of its type, lane `k` being `CONTINUING[k]`.
#[derive(Debug, Clone)]
struct FromOpen {
    begin: [f32; CONTINUING.len()],
    inside: [f32; CONTINUING.len()],
}

impl FromOpen {
    fn new(transition: &[f32]) -> Self {
        let into = |from: &[u8; CONTINUING.len()]| -> [f32; CONTINUING.len()] {
            std::array::from_fn(|k| {
                transition[(usize::from(from[k]) + 1) * COUNT + usize::from(CONTINUING[k])]
            })
        };
        FromOpen { begin: into(&OPEN.0), inside: into(&OPEN.1) }
    }

    /// For each continuing label, the best score of its two predecessors given the scores so
    /// far, with the transition.
    #[inline]
    fn best(&self, best: &[f32; COUNT]) -> [f32; CONTINUING.len()] {
        std::array::from_fn(|k| {
            let from_begin = best[usize::from(OPEN.0[k])] + self.begin[k];
            let from_inside = best[usize::from(OPEN.1[k])] + self.inside[k];
            if from_inside > from_begin { from_inside } else { from_begin }
        })
    }
}

/// The two predecessors of each continuing label, in the order of [`CONTINUING`]: Begin
/// and Inside of its type, the order in which [`PREDECESSORS`] lists them.
const OPEN: ([u8; CONTINUING.len()], [u8; CONTINUING.len()]) = {
    let (mut begin, mut inside) = ([0u8; CONTINUING.len()], [0u8; CONTINUING.len()]);
    let mut k = 0;
    while k < CONTINUING.len() {
        let (list, count) = &PREDECESSORS[CONTINUING[k] as usize];
        assert!(*count == 2);
        begin[k] = list[0];
        inside[k] = list[1];
        k += 1;
    }
    (begin, inside)
};

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

/// The predecessor of label `l` with the best score so far, and that score; of equal scores
/// the first listed wins, which the backward pass of [`viterbi`] relies on to find the path
/// the forward pass scored.
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
    use crate::extract::entities::model::weights::TRANSITIONS;

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
        let (mut trail, mut labels) = (Vec::new(), Vec::new());
        // Unscored tokens alone (every third), and in runs, the first token among them.
        let patterns: [fn(usize) -> bool; 2] = [|i| i >= 2 && i % 3 == 2, |i| i % 7 < 4];
        for tokens in [1, 2, 3, 7, 25, 60] {
            for unscored in patterns {
                let transition: Vec<f32> = (0..TRANSITIONS).map(|_| random()).collect();
                let mut emission: Vec<f32> = (0..tokens * COUNT).map(|_| random()).collect();
                for i in (0..tokens).filter(|&i| unscored(i)) {
                    emission[i * COUNT..(i + 1) * COUNT].copy_from_slice(&OUTSIDE_ONLY);
                }
                viterbi(&emission, &Transitions::new(transition.clone()), &mut trail, &mut labels);
                assert_eq!(labels, plain_viterbi(&emission, &transition), "{tokens} tokens");
            }
        }
    }
}
