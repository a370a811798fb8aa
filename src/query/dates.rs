//! Date arguments of `search`: `--from` and `--to` take a day, a month or a year, and both
//! bounds are inclusive, so `--from 2016-04 --to 2016-05` covers April and May whole.

use chrono::{Datelike, NaiveDate};

use crate::error::{Error, Result};

/// Which end of a range an argument gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// `--from`: the first day of the period.
    Start,
    /// `--to`: the last day of the period.
    End,
}

/// Parses a `--from`/`--to` value into the first or last day of the period it names.
pub fn parse_day(value: &str, bound: Bound) -> Result<NaiveDate> {
    let arg = if bound == Bound::Start { "--from" } else { "--to" };
    let fail = |reason: &str| Error::DateArg { arg, value: value.to_string(), reason: reason.to_string() };
    let parts: Vec<&str> = value.trim().split('-').collect();
    let numbers: Vec<u32> = parts
        .iter()
        .map(|p| p.parse::<u32>().ok().filter(|_| !p.is_empty() && p.len() <= 4))
        .collect::<Option<_>>()
        .ok_or_else(|| fail("not a date"))?;
    if parts[0].len() != 4 {
        return Err(fail("the year must have four digits"));
    }
    let year = numbers[0] as i32;
    match numbers[..] {
        [_] => Ok(if bound == Bound::Start {
            NaiveDate::from_ymd_opt(year, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, 12, 31)
        }
        .ok_or_else(|| fail("year out of range"))?),
        [_, month] => {
            let first = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(|| fail("no such month"))?;
            Ok(if bound == Bound::Start { first } else { last_day_of_month(first) })
        }
        [_, month, day] => NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| fail("no such day")),
        _ => Err(fail("too many parts")),
    }
}

fn last_day_of_month(first: NaiveDate) -> NaiveDate {
    let (y, m) = if first.month() == 12 { (first.year() + 1, 1) } else { (first.year(), first.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).and_then(|d| d.pred_opt()).unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str, b: Bound) -> String {
        parse_day(s, b).map(|d| d.to_string()).unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn periods_expand_to_their_first_and_last_day() {
        assert_eq!(day("2016", Bound::Start), "2016-01-01");
        assert_eq!(day("2016", Bound::End), "2016-12-31");
        assert_eq!(day("2016-02", Bound::End), "2016-02-29");
        assert_eq!(day("2016-12", Bound::End), "2016-12-31");
        assert_eq!(day("2016-04-30", Bound::Start), "2016-04-30");
    }

    #[test]
    fn impossible_and_malformed_dates_are_named() {
        assert_eq!(
            day("2016-02-30", Bound::End),
            "invalid --to \"2016-02-30\": no such day; expected YYYY-MM-DD, YYYY-MM or YYYY"
        );
        assert!(day("2016-13", Bound::Start).contains("no such month"));
        assert!(day("April", Bound::Start).contains("not a date"));
        assert!(day("16-04-01", Bound::Start).contains("four digits"));
        assert!(day("2016-04-01-02", Bound::Start).contains("too many"));
        assert!(day("", Bound::Start).contains("not a date"));
    }
}
