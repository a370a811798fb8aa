//! Publication dates: parsing what metadata writes (RFC 3339, RFC 2822, naive timestamps,
//! Unix times, and English dates such as `Mon Jun 18, 2007 12:38pm EDT`), finding a date in
//! a path (`2016/04/30`, `2016-04-30`, `20160430`) or at the top of the text. A date that is
//! impossible (30 February) is no date. A time without a known zone keeps only its day.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

use crate::article::{DatePrecision, Published};

/// The years a news date may fall in; anything else in a path or text is a number, not a date.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// Parses a date as metadata writes it.
pub fn parse_date(text: &str) -> Option<Published> {
    let text = text.trim();
    if let Some(stamp) = text.strip_prefix('@') {
        return from_timestamp(stamp);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(at_time(dt));
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(text) {
        return Some(at_time(dt));
    }
    parse_iso_like(text).or_else(|| parse_english(text))
}

fn from_timestamp(stamp: &str) -> Option<Published> {
    let value: f64 = stamp.parse().ok()?;
    let seconds = if value.abs() >= 1e11 { value / 1000.0 } else { value };
    let at = DateTime::<Utc>::from_timestamp(seconds as i64, 0)?;
    YEARS.contains(&chrono::Datelike::year(&at)).then_some(Published { at, precision: DatePrecision::Time })
}

fn at_time(dt: DateTime<FixedOffset>) -> Published {
    Published { at: dt.with_timezone(&Utc), precision: DatePrecision::Time }
}

fn at_day(day: NaiveDate) -> Option<Published> {
    YEARS
        .contains(&chrono::Datelike::year(&day))
        .then(|| Published { at: day.and_time(NaiveTime::MIN).and_utc(), precision: DatePrecision::Day })
}

/// ISO-like forms RFC 3339 rejects: naive date-times (taken as UTC), offsets without a
/// colon, `/` separators, and bare days.
fn parse_iso_like(text: &str) -> Option<Published> {
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z"] {
        if let Ok(dt) = DateTime::parse_from_str(text, format) {
            return Some(at_time(dt));
        }
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            let at = naive.and_utc();
            return YEARS
                .contains(&chrono::Datelike::year(&at))
                .then_some(Published { at, precision: DatePrecision::Time });
        }
    }
    for format in ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"] {
        if let Ok(day) = NaiveDate::parse_from_str(text, format) {
            return at_day(day);
        }
    }
    None
}

/// Parses English dates: a month name with a day and a year in either order, optionally a
/// weekday before and a time (`12:38pm`, `10:22 AM`, `14:05`) and a zone after.
pub fn parse_english(text: &str) -> Option<Published> {
    let tokens: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | '|'))
        .map(|t| t.trim_end_matches('.'))
        .filter(|t| !t.is_empty())
        .collect();
    (0..tokens.len()).find_map(|i| date_at(&tokens, i))
}

fn date_at(tokens: &[&str], i: usize) -> Option<Published> {
    let month = month_number(tokens[i])?;
    let number = |j: usize| {
        tokens.get(j).and_then(|t| t.trim_end_matches(['s', 't', 'n', 'd', 'r', 'h']).parse::<u32>().ok())
    };
    let year = |j: usize| tokens.get(j).and_then(|t| t.parse::<i32>().ok()).filter(|y| YEARS.contains(y));
    // "June 18, 2007" or "18 June 2007"
    let (day, year_at) = match (number(i + 1), year(i + 2)) {
        (Some(day), Some(_)) if day <= 31 => (day, i + 2),
        _ => (i.checked_sub(1).and_then(number).filter(|d| *d <= 31)?, i + 1),
    };
    let date = NaiveDate::from_ymd_opt(year(year_at)?, month, day)?;
    match time_after(tokens, year_at + 1) {
        Some((time, Some(offset))) => {
            let local = date.and_time(time);
            let dt = offset.from_local_datetime(&local).single()?;
            Some(at_time(dt))
        }
        _ => at_day(date),
    }
}

/// A time of day at `tokens[j]`, with the zone after it when it is one we know.
fn time_after(tokens: &[&str], j: usize) -> Option<(NaiveTime, Option<FixedOffset>)> {
    let raw = tokens.get(j)?.to_ascii_lowercase();
    let (clock, mut suffix) = match raw.find(|c: char| c.is_ascii_alphabetic()) {
        Some(k) => (raw[..k].to_string(), raw[k..].to_string()),
        None => (raw.clone(), String::new()),
    };
    let mut next = j + 1;
    if suffix.is_empty()
        && let Some(t) = tokens.get(next).map(|t| t.to_ascii_lowercase())
        && (t == "am" || t == "pm" || t == "a.m" || t == "p.m")
    {
        suffix = t;
        next += 1;
    }
    let (h, m) = clock.split_once(':')?;
    let (mut hour, minute): (u32, u32) = (h.parse().ok()?, m.get(..2)?.parse().ok()?);
    match suffix.replace('.', "").as_str() {
        "pm" if hour < 12 => hour += 12,
        "am" if hour == 12 => hour = 0,
        "" | "am" | "pm" => {}
        _ => return None,
    }
    let time = NaiveTime::from_hms_opt(hour, minute, 0)?;
    Some((time, tokens.get(next).and_then(|z| zone_offset(z))))
}

/// Offsets of the zone abbreviations news wires print. Ambiguous ones (IST) are left out.
fn zone_offset(zone: &str) -> Option<FixedOffset> {
    let hours = match zone.to_ascii_uppercase().as_str() {
        "UTC" | "GMT" | "Z" => 0,
        "EST" => -5,
        "EDT" | "AST" => -4,
        "CST" => -6,
        "CDT" => -5,
        "MST" => -7,
        "MDT" => -6,
        "PST" => -8,
        "PDT" => -7,
        "BST" | "CET" | "WAT" => 1,
        "CEST" | "EET" | "CAT" => 2,
        "EEST" | "MSK" | "EAT" => 3,
        "JST" | "KST" => 9,
        "AEST" => 10,
        "AEDT" => 11,
        _ => return None,
    };
    FixedOffset::east_opt(hours * 3600)
}

fn month_number(token: &str) -> Option<u32> {
    const MONTHS: [&str; 12] =
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    const FULL: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let lower = token.to_ascii_lowercase();
    let index = MONTHS
        .iter()
        .position(|m| lower == *m || (lower == "sept" && *m == "sep"))
        .or_else(|| FULL.iter().position(|m| lower == *m))?;
    Some(index as u32 + 1)
}

/// Finds a date in a path: `YYYY/MM/DD`, `YYYY-MM-DD`, `YYYY_MM_DD` or a run of exactly eight
/// digits `YYYYMMDD`. The first valid one wins.
pub fn date_in_path(path: &str) -> Option<Published> {
    let runs = digit_runs(path);
    for (k, &(start, end)) in runs.iter().enumerate() {
        let run = &path[start..end];
        if run.len() == 8
            && let Some(found) = ymd(&run[..4], &run[4..6], &run[6..])
        {
            return Some(found);
        }
        if run.len() == 4
            && let (Some(&(ms, me)), Some(&(ds, de))) = (runs.get(k + 1), runs.get(k + 2))
        {
            let sep1 = &path[end..ms];
            let sep2 = &path[me..ds];
            let same_sep = sep1 == sep2 && matches!(sep1, "/" | "-" | "_" | "\\");
            if same_sep
                && (1..=2).contains(&(me - ms))
                && (1..=2).contains(&(de - ds))
                && let Some(found) = ymd(run, &path[ms..me], &path[ds..de])
            {
                return Some(found);
            }
        }
    }
    None
}

fn digit_runs(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            runs.push((start, i));
        } else {
            i += 1;
        }
    }
    runs
}

fn ymd(y: &str, m: &str, d: &str) -> Option<Published> {
    at_day(NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?)
}

/// Finds a date line or dateline at the top of the text: among the first three non-empty
/// lines, a short one (a date line, not a sentence) holding a date.
pub fn date_in_text(body: &str) -> Option<Published> {
    body.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(3)
        .filter(|l| l.chars().count() <= 80)
        .find_map(|line| parse_date(line).or_else(|| iso_in_line(line)).or_else(|| parse_english(line)))
}

fn iso_in_line(line: &str) -> Option<Published> {
    line.split_whitespace().find_map(|t| parse_iso_like(t.trim_matches(|c: char| !c.is_ascii_alphanumeric())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(p: Option<Published>) -> String {
        match p {
            Some(p) => format!("{} {}", p.at.to_rfc3339(), p.precision.as_str()),
            None => "none".into(),
        }
    }

    #[test]
    fn metadata_forms() {
        assert_eq!(show(parse_date("2016-04-30T10:00:00+03:00")), "2016-04-30T07:00:00+00:00 time");
        assert_eq!(show(parse_date("2016-04-30 10:00:00")), "2016-04-30T10:00:00+00:00 time");
        assert_eq!(show(parse_date("Sat, 30 Apr 2016 10:00:00 GMT")), "2016-04-30T10:00:00+00:00 time");
        assert_eq!(show(parse_date("2016-04-30")), "2016-04-30T00:00:00+00:00 day");
        assert_eq!(show(parse_date("@1461974400")), "2016-04-30T00:00:00+00:00 time");
        assert_eq!(show(parse_date("@1461974400000")), "2016-04-30T00:00:00+00:00 time");
        assert_eq!(show(parse_date("2016-04-30T10:00:00.123+0300")), "2016-04-30T07:00:00.123+00:00 time");
    }

    #[test]
    fn english_forms() {
        assert_eq!(show(parse_date("Mon Jun 18, 2007 12:38pm EDT")), "2007-06-18T16:38:00+00:00 time");
        assert_eq!(show(parse_date("April 30, 2016")), "2016-04-30T00:00:00+00:00 day");
        assert_eq!(show(parse_date("30 April 2016")), "2016-04-30T00:00:00+00:00 day");
        assert_eq!(show(parse_date("Saturday 30 April 2016 10:22 GMT")), "2016-04-30T10:22:00+00:00 time");
        assert_eq!(show(parse_date("Sept. 3, 2015, 9:05 a.m. EST")), "2015-09-03T14:05:00+00:00 time");
        // A time in an unknown zone keeps only the day.
        assert_eq!(show(parse_date("May 1, 2016 10:00 XYZ")), "2016-05-01T00:00:00+00:00 day");
    }

    #[test]
    fn impossible_and_non_dates() {
        assert_eq!(show(parse_date("February 30, 2016")), "none");
        assert_eq!(show(parse_date("2016-02-30")), "none");
        assert_eq!(show(parse_date("yesterday")), "none");
        assert_eq!(show(parse_date("May 2016")), "none");
    }

    #[test]
    fn dates_in_paths() {
        assert_eq!(
            show(date_in_path("reuters-news/20070618/us-ici-idUSL1818449720070618")),
            "2007-06-18T00:00:00+00:00 day"
        );
        assert_eq!(show(date_in_path("/news/2016/04/30/story.html")), "2016-04-30T00:00:00+00:00 day");
        assert_eq!(show(date_in_path("mee/2016-04-30-aleppo.txt")), "2016-04-30T00:00:00+00:00 day");
        assert_eq!(show(date_in_path("bbc/business/001.txt")), "none");
        assert_eq!(show(date_in_path("x/2016/13/40/a")), "none");
        assert_eq!(show(date_in_path("x/2016-04/30/a")), "none");
    }

    #[test]
    fn date_lines_at_the_top_of_the_text() {
        assert_eq!(show(date_in_text("Published: 30 April 2016\n\nText.")), "2016-04-30T00:00:00+00:00 day");
        assert_eq!(show(date_in_text("\n2016-04-30\nText")), "2016-04-30T00:00:00+00:00 day");
        let sentence = "The war began on 15 March 2011 when protesters took to the streets of Deraa and other towns across the country.";
        assert_eq!(show(date_in_text(sentence)), "none");
        assert_eq!(show(date_in_text("a\nb\nc\nApril 30, 2016")), "none");
    }
}
