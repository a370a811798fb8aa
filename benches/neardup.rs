//! Near-duplicate grouping on constructed pairs from the BBC corpus (`../shared/corpora/bbc`,
//! read at run time; skipped, saying so, when absent). Prints precision and recall of the
//! "same story" decision and the cost of sketching per MB.
//!
//! Positives: each article against an edited version of itself (a sentence dropped, every
//! 25th word replaced, a different outlet's footer added). Negatives: each article against the
//! next article of the same category (same topic, different story).

use std::path::Path;
use std::time::Instant;

use newsdex::corpus::{ReadOptions, read_file, walk};
use newsdex::extract::neardup::{SAME_STORY, sketch};

fn edited(body: &str, n: usize) -> String {
    let sentences: Vec<&str> = body.split_inclusive(". ").collect();
    let drop = if sentences.len() > 3 { n % sentences.len() } else { usize::MAX };
    let kept: String = sentences.iter().enumerate().filter(|(i, _)| *i != drop).map(|(_, s)| *s).collect();
    let words: Vec<String> = kept
        .split(' ')
        .enumerate()
        .map(|(i, w)| if i % 25 == 24 { "changed".to_string() } else { w.to_string() })
        .collect();
    format!("{}\nCopyright Another Outlet. All rights reserved.", words.join(" "))
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/bbc");
    if !root.exists() {
        println!("skipping: {} is absent", root.display());
        return;
    }
    let mut by_category: Vec<(String, String)> = Vec::new();
    for file in walk(&root, false, &Default::default()).flatten() {
        let category = file.first_folder().unwrap_or_default();
        if let Ok(read) = read_file(&file.path, &ReadOptions::default()) {
            by_category.extend(
                read.articles.into_iter().map(|a| (category.clone(), format!("{}\n{}", a.title, a.body))),
            );
        }
    }
    let bytes: usize = by_category.iter().map(|(_, t)| t.len()).sum();
    // The best of five passes: one pass over a few megabytes is at the mercy of a busy machine.
    let mut secs = f64::INFINITY;
    let mut sketches = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        sketches = by_category.iter().map(|(_, t)| sketch(t)).collect();
        secs = secs.min(started.elapsed().as_secs_f64());
    }
    let (mut tp, mut fn_, mut fp, mut tn) = (0, 0, 0, 0);
    for (i, (category, text)) in by_category.iter().enumerate() {
        let Some(a) = &sketches[i] else { continue };
        let Some(b) = sketch(&edited(text, i)) else { continue };
        if a.similarity(&b) >= SAME_STORY {
            tp += 1
        } else {
            fn_ += 1
        }
        if let Some((next_category, _)) = by_category.get(i + 1).filter(|(c, _)| c == category) {
            let _ = next_category;
            if let Some(c) = &sketches[i + 1] {
                if a.similarity(c) >= SAME_STORY && by_category[i + 1].1 != *text { fp += 1 } else { tn += 1 }
            }
        }
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    println!("near-duplicate pairs from {} BBC articles (threshold {SAME_STORY})", by_category.len());
    println!("  edited copies recognised: {tp} of {} (recall {recall:.3})", tp + fn_);
    println!("  different same-topic articles grouped: {fp} of {} ", fp + tn);
    println!("  precision {precision:.3}");
    println!(
        "  sketching: {:.1} MB in {:.3} s (best of five), {:.1} MB/s on one thread",
        bytes as f64 / 1e6,
        secs,
        bytes as f64 / 1e6 / secs
    );
}
