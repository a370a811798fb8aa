//! The weights' file: gzip, little-endian. Magic, format and feature-template versions, the
//! label count, the transition scores, then each feature row as its hash, a bit mask of the
//! labels it scores and those scores; then the [`Weights::joins_names`] words and (from format 3
//! on) the [`Weights::never_named`] words, each list as its length and each word as its length
//! and its UTF-8 bytes; then (from format 4 on) the joiners' places in names, their number and
//! one byte for each joiner in the list's order. Zero scores are not written; rows and words are
//! sorted, so the same weights always make the same bytes.

use std::io::{Read, Write};

use super::super::features::TEMPLATE_VERSION;
use super::super::joiners::Places;
use super::super::labels::COUNT;
use super::{TRANSITIONS, Weights};

const MAGIC: &[u8; 12] = b"NEWSDEX-NER\n";
const FORMAT: u32 = 4;
/// The format before the joiners' places: still read, as a model whose joiners may stand
/// anywhere in a name.
const FORMAT_WITHOUT_PLACES: u32 = 3;
/// The format before the words never named: still read, as a model without them.
const FORMAT_WITHOUT_NEVER_NAMED: u32 = 2;

impl Weights {
    /// Writes the weights in the compact on-disk format.
    pub fn save(&self, out: impl Write) -> std::io::Result<()> {
        let mut out = flate2::write::GzEncoder::new(out, flate2::Compression::best());
        out.write_all(MAGIC)?;
        for n in [FORMAT, TEMPLATE_VERSION, COUNT as u32, self.rows.len() as u32] {
            out.write_all(&n.to_le_bytes())?;
        }
        for t in self.transition.scores() {
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
        let joiners = self.joiners.iter().map(|(w, _)| w);
        let never_named = self.never_named.words.iter().map(String::as_str);
        for words in [joiners.collect::<Vec<_>>(), never_named.collect()] {
            out.write_all(&(words.len() as u32).to_le_bytes())?;
            for word in words {
                out.write_all(&(word.len() as u32).to_le_bytes())?;
                out.write_all(word.as_bytes())?;
            }
        }
        out.write_all(&(self.joiners.len() as u32).to_le_bytes())?;
        out.write_all(&self.joiners.iter().map(|(_, p)| p.bits()).collect::<Vec<_>>())?;
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
        if ![FORMAT, FORMAT_WITHOUT_PLACES, FORMAT_WITHOUT_NEVER_NAMED].contains(&format)
            || templates != TEMPLATE_VERSION
            || count as usize != COUNT
        {
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
        let joiners = reader.words()?;
        let never_named = if format == FORMAT_WITHOUT_NEVER_NAMED { Vec::new() } else { reader.words()? };
        let places = if format == FORMAT {
            reader.places(joiners.len())?
        } else {
            vec![Places::ANYWHERE; joiners.len()]
        };
        let joiners = joiners.into_iter().zip(places);
        if reader.at != bytes.len() {
            return Err("trailing bytes after the model".into());
        }
        Ok(Weights::new(table, transition).with_joiners(joiners).with_never_named(never_named))
    }
}

struct Bytes<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Bytes<'a> {
    /// A list of words: their number, then each one's length and UTF-8 bytes.
    fn words(&mut self) -> Result<Vec<String>, String> {
        (0..self.u32()?)
            .map(|_| {
                let len = self.u32()? as usize;
                String::from_utf8(self.take(len)?.to_vec()).map_err(|_| "a word is not UTF-8".to_string())
            })
            .collect()
    }

    /// The joiners' places: their number, which must be `joiners`, then a byte each.
    fn places(&mut self, joiners: usize) -> Result<Vec<Places>, String> {
        if self.u32()? as usize != joiners {
            return Err("the joiners' places do not match the joiners".into());
        }
        let bits = self.take(joiners)?;
        bits.iter()
            .map(|b| Places::from_bits(*b).ok_or_else(|| format!("no place has bits {b:#x}")))
            .collect()
    }

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
        let joiners = [("de", Places::OPENS | Places::MIDDLE), ("&", Places::MIDDLE), ("ül", Places::CLOSES)];
        let weights = Weights::new([(42u64, row), (7, [0.0; COUNT])], transition)
            .with_joiners(joiners.map(|(w, p)| (w.to_string(), p)))
            .with_never_named(["But".to_string(), "Tuesday".to_string()]);
        let mut bytes = Vec::new();
        weights.save(&mut bytes).unwrap();
        let loaded = Weights::load(&bytes[..]).unwrap();
        assert_eq!(loaded, weights);
        assert_eq!(loaded.features(), 1);
        let words: Vec<(&str, Places)> = loaded.joiners().collect();
        assert_eq!(
            words,
            [("&", Places::MIDDLE), ("de", Places::OPENS | Places::MIDDLE), ("ül", Places::CLOSES)]
        );
        assert_eq!((loaded.joins_names("ül"), loaded.joins_names("said")), (Places::CLOSES, Places::NONE));
        assert_eq!(loaded.never_named_words().collect::<Vec<_>>(), ["But", "Tuesday"]);
        assert!(loaded.never_named("But") && !loaded.never_named("but") && !loaded.never_named("Kerry"));
        assert!(Weights::load(&bytes[..bytes.len() / 2]).is_err());
    }

    /// The uncompressed bytes of `weights` saved, with `format` written in and `cut` bytes
    /// taken off the end, compressed again: a model file of an earlier format.
    fn earlier_format(weights: &Weights, format: u32, cut: usize) -> Vec<u8> {
        let mut bytes = Vec::new();
        weights.save(&mut bytes).unwrap();
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..]).read_to_end(&mut plain).unwrap();
        plain[MAGIC.len()..MAGIC.len() + 4].copy_from_slice(&format.to_le_bytes());
        plain.truncate(plain.len() - cut);
        let mut old = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        old.write_all(&plain).unwrap();
        old.finish().unwrap()
    }

    #[test]
    fn a_model_of_the_format_before_the_joiners_places_lets_them_stand_anywhere() {
        let weights = Weights::new([(42u64, [1.0; COUNT])], vec![0.0; TRANSITIONS])
            .with_joiners([("of".to_string(), Places::MIDDLE)])
            .with_never_named(["But".to_string()]);
        // Format 3: without the places (their number, 4 bytes, and one byte) at the end.
        let loaded = Weights::load(&earlier_format(&weights, FORMAT_WITHOUT_PLACES, 5)[..]).unwrap();
        assert_eq!(loaded.joins_names("of"), Places::ANYWHERE);
        assert!(loaded.never_named("But"));
        let corrupt = earlier_format(&weights, FORMAT, 1);
        assert!(Weights::load(&corrupt[..]).unwrap_err().contains("truncated"));
    }

    #[test]
    fn a_model_of_the_format_before_the_words_never_named_still_loads() {
        let weights = Weights::new([(42u64, [1.0; COUNT])], vec![0.0; TRANSITIONS])
            .with_joiners([("of".to_string(), Places::ANYWHERE)]);
        // Format 2: without the (empty) list of words never named and the places at the end.
        let loaded = Weights::load(&earlier_format(&weights, FORMAT_WITHOUT_NEVER_NAMED, 9)[..]).unwrap();
        assert_eq!(loaded, weights);
        assert_eq!(loaded.never_named_words().count(), 0);
    }
}
