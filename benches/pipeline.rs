//! The hot parts of the indexing pipeline, one by one, on the articles of `sample_corpus/`
//! (always present, every format): each reader's parsing, date parsing, normalisation (dates,
//! sources, furniture; entities off, `benches/extract.rs` measures those) and building the
//! tantivy document. Throughput is in bytes of input.

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use newsdex::corpus::{CorpusFile, FieldMap, Format, parse};
use newsdex::extract::dates::{date_in_text, parse_date};
use newsdex::extract::{FolderSource, Normaliser, SourceRules, boilerplate::Boilerplate};
use newsdex::index::NewsIndex;
use newsdex::index::document::to_document;

/// The allocator the `newsdex` binary uses, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn sample_files(extension: &str) -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_corpus");
    let mut files: Vec<(PathBuf, String)> = newsdex::corpus::walk(&root, false, &Default::default())
        .flatten()
        .filter(|f| f.path.extension().is_some_and(|e| e == extension))
        .filter_map(|f| Some((f.path.clone(), std::fs::read_to_string(&f.path).ok()?)))
        .collect();
    files.sort();
    files
}

fn readers(c: &mut Criterion) {
    let mut group = c.benchmark_group("readers");
    for (name, extension, format) in [
        ("text", "txt", Format::Text),
        ("json", "json", Format::Json),
        ("jsonl", "jsonl", Format::JsonLines),
        ("html", "html", Format::Html),
        ("markdown", "md", Format::Markdown),
    ] {
        let files = sample_files(extension);
        let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
        let map = FieldMap::default();
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                files
                    .iter()
                    .filter_map(|(_, t)| parse(format, t, &map).ok())
                    .map(|r| r.articles.len())
                    .sum::<usize>()
            })
        });
    }
    group.finish();
}

fn dates(c: &mut Criterion) {
    let stamps = [
        "2016-05-01T10:15:00Z",
        "Sun May 1, 2016 10:15am EDT",
        "1 May 2016",
        "May 1, 2016",
        "2016-05-01 10:15:00+03:00",
        "01/05/2016",
        "Sunday 1 May 2016 10.15 BST",
        "not a date at all",
    ];
    let bodies: Vec<String> = sample_files("txt").into_iter().map(|(_, t)| t).collect();
    let mut group = c.benchmark_group("dates");
    group.throughput(Throughput::Elements(stamps.len() as u64));
    group.bench_function("parse_date", |b| b.iter(|| stamps.iter().filter_map(|s| parse_date(s)).count()));
    group.throughput(Throughput::Bytes(bodies.iter().map(String::len).sum::<usize>() as u64));
    group
        .bench_function("date_in_text", |b| b.iter(|| bodies.iter().filter_map(|t| date_in_text(t)).count()));
    group.finish();
}

fn documents(c: &mut Criterion) {
    let normaliser = Normaliser {
        rules: SourceRules::builtin(),
        folder_source: FolderSource::None,
        extractor: None,
        boilerplate: Boilerplate::builtin().expect("boilerplate rules load"),
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_corpus");
    let mut raws = Vec::new();
    for (path, text) in sample_files("txt").into_iter().chain(sample_files("json")).chain(sample_files("md"))
    {
        let format = match path.extension().and_then(|e| e.to_str()) {
            Some("json") => Format::Json,
            Some("md") => Format::Markdown,
            _ => Format::Text,
        };
        let file = CorpusFile { size: text.len() as u64, path, root: root.clone(), modified_ns: 0 };
        if let Ok(read) = parse(format, &text, &FieldMap::default()) {
            raws.extend(read.articles.into_iter().map(|raw| (raw, file.clone(), format)));
        }
    }
    let bytes: usize = raws.iter().map(|(r, _, _)| r.title.len() + r.body.len()).sum();
    let articles: Vec<_> = raws
        .iter()
        .map(|(raw, file, format)| normaliser.normalise(raw.clone(), file, *format).article)
        .collect();
    let index = NewsIndex::in_memory().expect("schema builds");
    let mut group = c.benchmark_group("documents");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("normalise", |b| {
        b.iter(|| {
            for (raw, file, format) in &raws {
                std::hint::black_box(normaliser.normalise(raw.clone(), file, *format));
            }
        })
    });
    group.bench_function("to_document", |b| {
        b.iter(|| {
            for article in &articles {
                std::hint::black_box(to_document(&index.fields, article));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, readers, dates, documents);
criterion_main!(benches);
