//! Counting over a matched set: the top values of a facet (people, organisations, places,
//! actors, sources), and articles per period of their publication date (year, month, week,
//! day) for histograms. Both count articles, not mentions.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Serialize;
use tantivy::collector::{Collector, Count, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::index::SegmentReader;
use tantivy::query::Query;
use tantivy::{DocId, Score};

use super::top_facets::{FacetOrdinals, top_values};
use super::{SearchRequest, build_query, collapse};
use crate::error::Result;
use crate::index::NewsIndex;

/// What to count by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacetBy {
    /// People, organisations and countries.
    Actor,
    /// People.
    Person,
    /// Organisations.
    Org,
    /// Places (a place's country counts too).
    Place,
    /// Outlets.
    Source,
    /// Publication year.
    Year,
    /// Publication month.
    Month,
}

/// One counted value.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FacetCount {
    /// The value (a name, or a period such as `2016-05`).
    pub value: String,
    /// Matched articles with that value.
    pub count: u64,
}

/// The counts over a matched set.
#[derive(Debug, Clone, Serialize)]
pub struct FacetCounts {
    /// Articles matched.
    pub total: usize,
    /// The values, most frequent first (periods in time order).
    pub values: Vec<FacetCount>,
}

/// Counts the top `top` values of `by` over the articles `request` matches.
pub fn facet_counts(
    index: &NewsIndex,
    request: &SearchRequest,
    by: FacetBy,
    top: usize,
) -> Result<FacetCounts> {
    let searcher = index.searcher()?;
    let (query, _) = build_query(index, request)?;
    let field = match by {
        FacetBy::Actor => "actor",
        FacetBy::Person => "person",
        FacetBy::Org => "org",
        FacetBy::Place => "place",
        FacetBy::Source => "source_facet",
        FacetBy::Year | FacetBy::Month => {
            let period = if by == FacetBy::Year { Period::Year } else { Period::Month };
            let histogram = histogram_for(index, &*query, period, request.collapse)?;
            let values = histogram
                .buckets
                .into_iter()
                .map(|b| FacetCount { value: b.period, count: b.count })
                .collect();
            return Ok(FacetCounts { total: histogram.total, values });
        }
    };
    if request.collapse {
        let stories = collapse::stories(&searcher, &*query, false)?;
        let mut values: Vec<FacetCount> = collapse::facet_counts(&searcher, &stories, field)?
            .into_iter()
            .map(|(value, count)| FacetCount { value, count })
            .collect();
        values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        values.truncate(top);
        return Ok(FacetCounts { total: stories.len(), values });
    }
    let (total, segments) = searcher.search(&*query, &(Count, FacetOrdinals { field }))?;
    let values =
        top_values(&segments, top)?.into_iter().map(|(value, count)| FacetCount { value, count }).collect();
    Ok(FacetCounts { total, values })
}

/// The width of a histogram bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Calendar days (UTC).
    Day,
    /// ISO weeks, Monday to Sunday.
    Week,
    /// Calendar months.
    Month,
    /// Calendar years.
    Year,
}

/// One bar of a histogram.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Bucket {
    /// The period's label: `2016-05-02`, `2016-W18`, `2016-05`, `2016`.
    pub period: String,
    /// Its first day.
    pub start: NaiveDate,
    /// Matched articles published in it.
    pub count: u64,
}

/// Articles per period, every period between the first and the last shown (empty ones too).
#[derive(Debug, Clone, Serialize)]
pub struct Histogram {
    /// Articles matched, dated or not.
    pub total: usize,
    /// Matched articles without a date (not in any bucket).
    pub undated: u64,
    /// The bars, in time order.
    pub buckets: Vec<Bucket>,
}

/// Counts the articles `request` matches per `period`.
pub fn date_histogram(index: &NewsIndex, request: &SearchRequest, period: Period) -> Result<Histogram> {
    let (query, _) = build_query(index, request)?;
    histogram_for(index, &*query, period, request.collapse)
}

fn histogram_for(index: &NewsIndex, query: &dyn Query, period: Period, collapse: bool) -> Result<Histogram> {
    if !collapse {
        return date_histogram_of(index, query, period);
    }
    let searcher = index.searcher()?;
    let stories = collapse::stories(&searcher, query, false)?;
    let mut days: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    let mut undated = 0;
    for story in &stories {
        match DateTime::<Utc>::from_timestamp(story.earliest_secs, 0)
            .filter(|_| story.earliest_secs != i64::MAX)
        {
            Some(at) => *days.entry(at.date_naive()).or_default() += 1,
            None => undated += 1,
        }
    }
    Ok(bucketed(stories.len(), days, undated, period))
}

/// Counts the articles `query` matches per `period`.
pub fn date_histogram_of(index: &NewsIndex, query: &dyn Query, period: Period) -> Result<Histogram> {
    let searcher = index.searcher()?;
    let (total, (days, undated)) = searcher.search(query, &(Count, DayCounts))?;
    Ok(bucketed(total, days, undated, period))
}

/// Groups day counts into periods, every period between the first and the last one.
fn bucketed(total: usize, days: BTreeMap<NaiveDate, u64>, undated: u64, period: Period) -> Histogram {
    let mut by_start: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    for (day, n) in days {
        *by_start.entry(period_start(day, period)).or_default() += n;
    }
    let mut buckets = Vec::new();
    if let (Some(first), Some(last)) = (by_start.keys().next().copied(), by_start.keys().last().copied()) {
        let mut start = first;
        while start <= last {
            let count = by_start.get(&start).copied().unwrap_or(0);
            buckets.push(Bucket { period: label(start, period), start, count });
            start = next_start(start, period);
        }
    }
    Histogram { total, undated, buckets }
}

fn period_start(day: NaiveDate, period: Period) -> NaiveDate {
    match period {
        Period::Day => day,
        Period::Week => day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
        Period::Month => day.with_day(1).unwrap_or(day),
        Period::Year => NaiveDate::from_ymd_opt(day.year(), 1, 1).unwrap_or(day),
    }
}

fn next_start(start: NaiveDate, period: Period) -> NaiveDate {
    match period {
        Period::Day => start + Duration::days(1),
        Period::Week => start + Duration::days(7),
        Period::Month => start.checked_add_months(chrono::Months::new(1)).unwrap_or(NaiveDate::MAX),
        Period::Year => start.checked_add_months(chrono::Months::new(12)).unwrap_or(NaiveDate::MAX),
    }
}

fn label(start: NaiveDate, period: Period) -> String {
    match period {
        Period::Day => start.format("%Y-%m-%d").to_string(),
        Period::Week => {
            let week = start.iso_week();
            format!("{}-W{:02}", week.year(), week.week())
        }
        Period::Month => start.format("%Y-%m").to_string(),
        Period::Year => start.format("%Y").to_string(),
    }
}

/// Counts matched documents per publication day, from the `published` fast field.
struct DayCounts;

struct DaySegment {
    column: Column<tantivy::DateTime>,
    days: BTreeMap<NaiveDate, u64>,
    undated: u64,
}

impl Collector for DayCounts {
    type Fruit = (BTreeMap<NaiveDate, u64>, u64);
    type Child = DaySegment;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<DaySegment> {
        Ok(DaySegment { column: segment.fast_fields().date("published")?, days: BTreeMap::new(), undated: 0 })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut days = BTreeMap::new();
        let mut undated = 0;
        for (segment_days, segment_undated) in fruits {
            undated += segment_undated;
            for (day, n) in segment_days {
                *days.entry(day).or_default() += n;
            }
        }
        Ok((days, undated))
    }
}

impl SegmentCollector for DaySegment {
    type Fruit = (BTreeMap<NaiveDate, u64>, u64);

    fn collect(&mut self, doc: DocId, _: Score) {
        match self.column.first(doc) {
            Some(at) => {
                let day =
                    DateTime::<Utc>::from_timestamp(at.into_timestamp_secs(), 0).map(|d| d.date_naive());
                if let Some(day) = day {
                    *self.days.entry(day).or_default() += 1;
                }
            }
            None => self.undated += 1,
        }
    }

    fn harvest(self) -> Self::Fruit {
        (self.days, self.undated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_start_and_are_labelled() {
        let day = NaiveDate::from_ymd_opt(2016, 5, 4).unwrap();
        assert_eq!(label(period_start(day, Period::Week), Period::Week), "2016-W18");
        assert_eq!(period_start(day, Period::Week).to_string(), "2016-05-02");
        assert_eq!(label(period_start(day, Period::Month), Period::Month), "2016-05");
        let new_year = NaiveDate::from_ymd_opt(2016, 1, 1).unwrap();
        assert_eq!(label(period_start(new_year, Period::Week), Period::Week), "2015-W53");
        assert_eq!(
            next_start(NaiveDate::from_ymd_opt(2016, 12, 1).unwrap(), Period::Month).to_string(),
            "2017-01-01"
        );
    }
}
