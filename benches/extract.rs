//! Entity extraction throughput on the BBC corpus (`../shared/corpora/bbc`, read at run
//! time; the benchmark says so and does nothing when it is absent).

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use newsdex::corpus::{ReadOptions, read_file};
use newsdex::extract::entities::{Extractor, Method};

/// The allocator the `newsdex` binary uses, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bbc_articles() -> Option<Vec<(String, String)>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/bbc");
    if !root.exists() {
        eprintln!("skipping: {} is absent", root.display());
        return None;
    }
    let mut articles = Vec::new();
    for file in newsdex::corpus::walk(&root, false, &Default::default()).flatten() {
        if let Ok(read) = read_file(&file.path, &ReadOptions::default()) {
            articles.extend(read.articles.into_iter().map(|a| (a.title, a.body)));
        }
    }
    Some(articles)
}

fn extraction(c: &mut Criterion) {
    let Some(articles) = bbc_articles() else {
        return;
    };
    let bytes: usize = articles.iter().map(|(t, b)| t.len() + b.len()).sum();
    let mut group = c.benchmark_group("entities");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes as u64));
    for method in [Method::Model, Method::Rules] {
        let extractor = Extractor::new(method).expect("extractor loads");
        group.bench_function(format!("{}_bbc_corpus_one_thread", method.as_str()), |b| {
            b.iter(|| articles.iter().map(|(t, body)| extractor.extract(t, body).len()).sum::<usize>())
        });
    }
    group.finish();
    let mut group = c.benchmark_group("lexicon");
    group.sample_size(10);
    group.bench_function("build", |b| b.iter(|| Extractor::builtin().expect("lexicon loads")));
    group.bench_function("build_with_model", |b| {
        b.iter(|| Extractor::new(Method::Model).expect("model loads"))
    });
    group.finish();
}

criterion_group!(benches, extraction);
criterion_main!(benches);
