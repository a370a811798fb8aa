//! Property tests: date parsing never panics and reads back every date it can print, in every
//! form the readers meet; the manifest's change detection keeps exactly the committed state.

use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use newsdex::extract::dates::{date_in_path, parse_date};
use newsdex::index::manifest::{FileRecord, Manifest, Payload};
use proptest::prelude::*;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn any_day() -> impl Strategy<Value = NaiveDate> {
    (1950i32..2090, 1u32..=12, 1u32..=31)
        .prop_filter_map("a real day", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
}

proptest! {
    #[test]
    fn any_text_parses_without_panicking(text in "\\PC{0,60}") {
        let _ = parse_date(&text);
        let _ = date_in_path(&text);
    }

    #[test]
    fn printed_days_read_back(day in any_day()) {
        let month = MONTHS[day.month0() as usize];
        for written in [
            day.format("%Y-%m-%d").to_string(),
            format!("{} {}, {}", month, day.day(), day.year()),
            format!("{} {} {}", day.day(), month, day.year()),
            format!("{}, {} {} {}", day.format("%a"), day.day(), &month[..3], day.year()),
        ] {
            let parsed = parse_date(&written).unwrap_or_else(|| panic!("{written:?} did not parse"));
            prop_assert_eq!(parsed.at.date_naive(), day, "{}", written);
        }
        let path = format!("corpus/{}/story.txt", day.format("%Y/%m/%d"));
        prop_assert_eq!(date_in_path(&path).map(|p| p.at.date_naive()), Some(day));
    }

    #[test]
    fn times_with_offsets_convert_to_utc(day in any_day(), h in 0u32..24, m in 0u32..60, offset in -12i32..=14) {
        let local = day.and_hms_opt(h, m, 0).unwrap();
        let zone = chrono::FixedOffset::east_opt(offset * 3600).unwrap();
        let moment = zone.from_local_datetime(&local).unwrap();
        let parsed = parse_date(&moment.to_rfc3339()).unwrap();
        prop_assert_eq!(parsed.at, moment.with_timezone(&Utc));
    }

    #[test]
    fn impossible_days_are_never_dates(y in 1950i32..2090, m in 1u32..=12, d in 29u32..=40) {
        prop_assume!(NaiveDate::from_ymd_opt(y, m, d).is_none());
        let iso = format!("{y:04}-{m:02}-{d:02}");
        let english = format!("{} {d}, {y}", MONTHS[m as usize - 1]);
        prop_assert!(parse_date(&iso).is_none());
        prop_assert!(parse_date(&english).is_none());
    }

    /// Random batches of file records and removals, committed or not: reloading at a commit
    /// gives exactly the state of that commit.
    #[test]
    fn the_manifest_reloads_exactly_the_committed_state(
        batches in prop::collection::vec(prop::collection::vec((0u8..12, any::<bool>(), any::<u32>()), 0..8), 1..6),
        commit_mask in any::<u8>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut manifest = Manifest::load(dir.path(), None).unwrap();
        let mut model: std::collections::BTreeMap<String, FileRecord> = Default::default();
        let mut committed_model = model.clone();
        let mut payload: Option<String> = None;
        for (i, batch) in batches.iter().enumerate() {
            for (file, remove, size) in batch {
                let path = format!("dir\t{file}/f%{file}.txt");
                if *remove {
                    manifest.stage_removal(path.clone());
                    model.remove(&path);
                } else {
                    let record = FileRecord { size: u64::from(*size), mtime_ns: i128::from(*size) * 7, hash: format!("{size:032x}"), articles: size % 5 };
                    manifest.stage(path.clone(), record.clone());
                    model.insert(path, record);
                }
            }
            let written = Payload { journal_len: manifest.write_staged().unwrap(), commit: i as u64 + 1, ..Payload::default() }.to_string();
            if commit_mask & (1 << i) != 0 {
                payload = Some(written);
                committed_model = model.clone();
            } else {
                // Not committed: a new process starts from the last commit.
                manifest = Manifest::load(dir.path(), payload.as_deref()).unwrap();
                model = committed_model.clone();
            }
        }
        let mut reloaded = Manifest::load(dir.path(), payload.as_deref()).unwrap();
        prop_assert_eq!(reloaded.len(), committed_model.len());
        let mut paths: Vec<String> = committed_model.keys().cloned().collect();
        paths.sort();
        prop_assert_eq!(reloaded.unseen_paths(|_| true).unwrap(), paths);
        for (path, record) in &committed_model {
            prop_assert_eq!(reloaded.check_in(path), Some(record.clone()));
        }
        prop_assert!(reloaded.unseen_paths(|_| true).unwrap().is_empty());
    }
}

#[test]
fn a_date_time_in_every_wire_zone_converts() {
    let parsed = parse_date("Mon Jun 18, 2007 12:38pm EDT").unwrap();
    assert_eq!(parsed.at, Utc.with_ymd_and_hms(2007, 6, 18, 16, 38, 0).unwrap());
}
