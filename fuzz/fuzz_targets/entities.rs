//! The entity extractor and the boilerplate splitter on arbitrary text: mention spans must lie
//! on character boundaries inside the text, and nothing may panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use newsdex::extract::boilerplate::Boilerplate;
use newsdex::extract::entities::Extractor;
use newsdex::extract::neardup::sketch;

static EXTRACTOR: OnceLock<(Extractor, Boilerplate)> = OnceLock::new();

fuzz_target!(|text: &str| {
    let (extractor, boilerplate) =
        EXTRACTOR.get_or_init(|| (Extractor::builtin().expect("lexicon"), Boilerplate::builtin().expect("rules")));
    let (story, _) = boilerplate.split(Some("Source"), text);
    for mention in extractor.mentions(&[text, &story]).into_iter().flatten() {
        assert!(mention.start <= mention.end);
    }
    for mention in &extractor.mentions(&[text])[0] {
        assert!(text.is_char_boundary(mention.start) && text.is_char_boundary(mention.end));
        assert_eq!(&text[mention.start..mention.end], mention.surface);
    }
    let _ = sketch(text);
});
