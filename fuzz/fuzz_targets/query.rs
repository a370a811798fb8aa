//! Query and filter parsing on arbitrary input: the query text, a date argument, and entity
//! filters, against an empty in-memory index. Errors are fine; panics are not.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use newsdex::index::NewsIndex;
use newsdex::query::dates::{Bound, parse_day};
use newsdex::query::{EntityFilters, SearchRequest, build_query, search};

static INDEX: OnceLock<NewsIndex> = OnceLock::new();

fuzz_target!(|data: &str| {
    let index = INDEX.get_or_init(|| NewsIndex::in_memory().expect("in-memory index"));
    let mut parts = data.splitn(3, '\u{1}');
    let text = parts.next().unwrap_or("");
    let date = parts.next().unwrap_or("");
    let name = parts.next().unwrap_or("");
    let from = parse_day(date, Bound::Start).ok();
    let to = parse_day(date, Bound::End).ok();
    let request = SearchRequest {
        text: Some(text.to_string()),
        from,
        to,
        sources: vec![name.to_string()],
        entities: EntityFilters { actors: vec![name.to_string()], ..EntityFilters::default() },
        limit: 3,
        ..SearchRequest::default()
    };
    if build_query(index, &request).is_ok() {
        let _ = search(index, &request);
    }
});
