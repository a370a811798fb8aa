//! Every reader on arbitrary bytes: decoding, then each format's parser, then date parsing of
//! whatever dates they find. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsdex::corpus::{FieldMap, Format, decode_bytes, parse};
use newsdex::extract::dates::{date_in_path, date_in_text, parse_date};

const FORMATS: [Format; 5] = [Format::Text, Format::Json, Format::JsonLines, Format::Html, Format::Markdown];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else { return };
    let Ok((text, _)) = decode_bytes(bytes) else { return };
    let format = FORMATS[usize::from(selector) % FORMATS.len()];
    if let Ok(read) = parse(format, &text, &FieldMap::default()) {
        for article in read.articles {
            if let Some(date) = &article.date {
                let _ = parse_date(date);
            }
            let _ = date_in_text(&article.body);
        }
    }
    let _ = date_in_path(&text);
});
