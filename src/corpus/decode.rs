//! Loading a file's bytes and turning them into text: size limits, gzip, binary detection,
//! and charset decoding (UTF-8 first; a BOM's encoding; else the legacy encoding that
//! chardetng finds most likely, such as Windows-1252 for the Latin-1 files of real corpora).

use std::io::Read;
use std::path::Path;

use encoding_rs::Encoding;

use super::Skip;

/// A file's content as text, with what was done to get it.
#[derive(Debug)]
pub struct Decoded {
    /// The content, decoded.
    pub text: String,
    /// The file name with a `.gz` suffix removed: what the content's format is named by.
    pub inner_name: String,
    /// The legacy encoding decoded from, when the bytes were not UTF-8.
    pub decoded_from: Option<&'static str>,
    /// BLAKE3 of the file's bytes as stored (compressed or not), 128 bits in hex.
    pub file_hash: String,
}

/// How many leading bytes are inspected for the NUL bytes that mark binary data.
const SNIFF_BYTES: usize = 8192;

/// Loads, decompresses and decodes `path`, refusing content over `max_bytes`.
pub fn load(path: &Path, max_bytes: u64) -> Result<Decoded, Skip> {
    let limit_mb = max_bytes.div_ceil(1024 * 1024);
    let unreadable = |e: std::io::Error| Skip::Unreadable(e.to_string());
    // Opened once, sized by the open file: no second lookup of the path.
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    let size = file.metadata().map_err(unreadable)?.len();
    if size > max_bytes {
        return Err(Skip::TooLarge { limit_mb });
    }
    let mut raw = Vec::with_capacity(size as usize);
    // Through `take`, which does not ask the file its size again; and a file grown past the
    // limit since is not read further.
    (&mut file).take(max_bytes + 1).read_to_end(&mut raw).map_err(unreadable)?;
    if raw.len() as u64 > max_bytes {
        return Err(Skip::TooLarge { limit_mb });
    }
    let file_hash = blake3::hash(&raw).to_hex()[..32].to_string();
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let gzipped = raw.starts_with(&[0x1f, 0x8b]);
    let (bytes, inner_name) = if gzipped {
        let inner =
            name.strip_suffix(".gz").or_else(|| name.strip_suffix(".GZ")).unwrap_or(&name).to_string();
        (gunzip(&raw, max_bytes, limit_mb)?, inner)
    } else {
        (raw, name)
    };
    let (text, decoded_from) = decode(&bytes)?;
    if text.trim().is_empty() {
        return Err(Skip::Empty);
    }
    Ok(Decoded { text, inner_name, decoded_from, file_hash })
}

fn gunzip(raw: &[u8], max_bytes: u64, limit_mb: u64) -> Result<Vec<u8>, Skip> {
    let mut out = Vec::new();
    let decoder = flate2::read::MultiGzDecoder::new(raw);
    decoder
        .take(max_bytes + 1)
        .read_to_end(&mut out)
        .map_err(|e| Skip::Malformed(format!("broken gzip data: {e}")))?;
    if out.len() as u64 > max_bytes {
        return Err(Skip::TooLarge { limit_mb });
    }
    Ok(out)
}

/// Decodes bytes to text, saying which legacy encoding was used if not UTF-8.
pub fn decode(bytes: &[u8]) -> Result<(String, Option<&'static str>), Skip> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Skip::Empty);
    }
    if let Some((encoding, _)) = Encoding::for_bom(bytes) {
        // `decode` strips the BOM itself.
        let (text, _, _) = encoding.decode(bytes);
        let from = (encoding != encoding_rs::UTF_8).then(|| encoding.name());
        return checked_text(text.into_owned(), from);
    }
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    if head.contains(&0) {
        return Err(Skip::Binary);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => checked_text(text.to_string(), None),
        Err(_) => {
            let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            detector.feed(bytes, true);
            let encoding = western_unless_other_script(detector.guess(None, chardetng::Utf8Detection::Deny));
            let (text, _, _) = encoding.decode(bytes);
            checked_text(text.into_owned(), Some(encoding.name()))
        }
    }
}

/// chardetng, without a domain hint, tells Latin-script legacy encodings apart poorly: on the
/// BBC corpus's Latin-1 file it answers windows-1250 and turns `£` into `Ł`. News text in a
/// Latin script is overwhelmingly Windows-1252 (a superset of Latin-1), so that is used; a
/// guess of another script (Cyrillic, Arabic, Greek, CJK...) is trusted.
fn western_unless_other_script(guess: &'static Encoding) -> &'static Encoding {
    const LATIN_SCRIPT: [&str; 14] = [
        "windows-1250",
        "windows-1252",
        "windows-1254",
        "windows-1257",
        "windows-1258",
        "ISO-8859-2",
        "ISO-8859-3",
        "ISO-8859-4",
        "ISO-8859-10",
        "ISO-8859-13",
        "ISO-8859-14",
        "ISO-8859-15",
        "ISO-8859-16",
        "macintosh",
    ];
    if LATIN_SCRIPT.contains(&guess.name()) { encoding_rs::WINDOWS_1252 } else { guess }
}

/// Rejects decoded text that is mostly control characters: binary data that had no NUL.
fn checked_text(text: String, from: Option<&'static str>) -> Result<(String, Option<&'static str>), Skip> {
    let (sampled, control) = control_characters(&text);
    if sampled > 0 && control * 10 > sampled {
        return Err(Skip::Binary);
    }
    Ok((text, from))
}

/// How many of the first [`SNIFF_BYTES`] characters were sampled, and how many of them are
/// control characters (line breaks, tabs and form feeds aside) or replacement characters.
fn control_characters(text: &str) -> (usize, usize) {
    let head = &text.as_bytes()[..text.len().min(SNIFF_BYTES)];
    if head.is_ascii() {
        // The same characters, counted over bytes in a loop the compiler vectorises: the tests
        // are comparisons joined without short circuits, each a vector instruction (with `&&`
        // and `matches!` it was compiled a byte at a time, 1% of a full indexing run).
        // Counted in bytes, 255 at most at a time, so that each lane holds a byte.
        let is_control = |b: u8| {
            let kept = (b == b'\n') | (b == b'\r') | (b == b'\t') | (b == 0x0c);
            u8::from((b < 0x20) & !kept | (b == 0x7f))
        };
        let control =
            head.chunks(255).map(|chunk| usize::from(chunk.iter().map(|&b| is_control(b)).sum::<u8>()));
        return (head.len(), control.sum());
    }
    let (mut sampled, mut control) = (0, 0);
    for c in text.chars().take(SNIFF_BYTES) {
        sampled += 1;
        control +=
            usize::from((c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}')) || c == '\u{fffd}');
    }
    (sampled, control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_passes_through() {
        assert_eq!(decode("Aleppo – “quoted”".as_bytes()).unwrap(), ("Aleppo – “quoted”".into(), None));
    }

    #[test]
    fn latin1_pound_sign_is_decoded() {
        let bytes = b"Profits rose to \xa310m in the year, the company said.";
        let (text, from) = decode(bytes).unwrap();
        assert_eq!(text, "Profits rose to £10m in the year, the company said.");
        assert_eq!(from, Some("windows-1252"));
    }

    #[test]
    fn cyrillic_legacy_text_keeps_its_script() {
        let (text, _, _) =
            encoding_rs::WINDOWS_1251.encode("Переговоры в Женеве возобновятся в мае, заявил министр.");
        let (decoded, from) = decode(&text).unwrap();
        assert_eq!(decoded, "Переговоры в Женеве возобновятся в мае, заявил министр.");
        assert_eq!(from, Some("windows-1251"));
    }

    #[test]
    fn nul_bytes_and_control_noise_are_binary() {
        assert_eq!(decode(b"PK\x03\x04\x00\x00abc").unwrap_err(), Skip::Binary);
        assert_eq!(decode(b"\x01\x02\x03\x04\x05\x06abc").unwrap_err(), Skip::Binary);
    }

    #[test]
    fn ascii_text_counts_control_characters_as_any_text_does() {
        let general = |text: &str| {
            let sampled: Vec<char> = text.chars().take(SNIFF_BYTES).collect();
            let control = sampled.iter().filter(|c| {
                (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}')) || **c == '\u{fffd}'
            });
            (sampled.len(), control.count())
        };
        let every_byte: String = (0u8..128).map(char::from).collect();
        let long = "Aleppo\x07 talks\r\n\x1b".repeat(SNIFF_BYTES / 10);
        for text in [every_byte.as_str(), long.as_str(), "", "plain words\n\tand\x0c", "café\x01\x02"] {
            assert_eq!(control_characters(text), general(text), "{text:?}");
        }
        assert_eq!(control_characters(&every_byte), (128, 29));
    }

    #[test]
    fn whitespace_only_is_empty() {
        assert_eq!(decode(b"  \n\t\n").unwrap_err(), Skip::Empty);
        assert_eq!(decode(b"").unwrap_err(), Skip::Empty);
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut bytes = vec![0xff, 0xfe];
        for unit in "Geneva talks".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let (text, from) = decode(&bytes).unwrap();
        assert_eq!(text, "Geneva talks");
        assert_eq!(from, Some("UTF-16LE"));
    }
}
