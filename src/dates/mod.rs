//! Dates at the precision history knows them: a day, a month, a year, or a
//! range of any of these. One type, [`When`], serves content files, date
//! lookups and display, so "July 1937" is never widened to a fake day.
//!
//! This module knows nothing of content packs, search or Discord. Content
//! files use the strict ISO form parsed by [`When::parse_iso`]; what people
//! type ("1 Dec 1934", "1936 to 1938", "on this day") is parsed in [`query`].

pub mod query;

use chrono::{Datelike, NaiveDate};
use serde::{Serialize, Serializer};
use std::fmt;

/// How precisely a [`PartialDate`] is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    Year,
    Month,
    Day,
}

/// A calendar date known to a day, a month or a year. Always a real date:
/// constructors reject 31 February and month 13.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PartialDate {
    year: i32,
    month: Option<u32>,
    day: Option<u32>,
}

/// Why a date string was refused. The messages are shown to content authors
/// and to students, so they say what was wrong in plain words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("`{0}` is not a date; write a day \"1934-12-01\", a month \"1937-07\", a year \"1936\" or a range \"1936/1938\"")]
    Malformed(String),
    #[error("month {0} does not exist (months run from 1 to 12)")]
    NoSuchMonth(u32),
    #[error("{day} {month} {year} does not exist ({month} {year} has {days} days)", month = MONTH_NAMES[(*.month - 1) as usize])]
    NoSuchDay {
        year: i32,
        month: u32,
        day: u32,
        days: u32,
    },
    #[error("the range runs backwards: {start} is after {end}")]
    Backwards { start: String, end: String },
    #[error("year {0} is outside the years studybot handles (1 to 9999)")]
    YearOutOfRange(i64),
}

pub const MONTH_NAMES: [&str; 12] = [
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

/// Number of days in a month of a (proleptic Gregorian) year.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(ny, nm, 1)
        .and_then(|d| d.pred_opt())
        .map(|d| d.day())
        .unwrap_or(31)
}

fn check_year(year: i64) -> Result<i32, DateError> {
    if (1..=9999).contains(&year) {
        Ok(year as i32)
    } else {
        Err(DateError::YearOutOfRange(year))
    }
}

impl PartialDate {
    pub fn year(year: i64) -> Result<Self, DateError> {
        Ok(Self {
            year: check_year(year)?,
            month: None,
            day: None,
        })
    }

    pub fn month(year: i64, month: u32) -> Result<Self, DateError> {
        let year = check_year(year)?;
        if !(1..=12).contains(&month) {
            return Err(DateError::NoSuchMonth(month));
        }
        Ok(Self {
            year,
            month: Some(month),
            day: None,
        })
    }

    pub fn day(year: i64, month: u32, day: u32) -> Result<Self, DateError> {
        let base = Self::month(year, month)?;
        let days = days_in_month(base.year, month);
        if day == 0 || day > days {
            return Err(DateError::NoSuchDay {
                year: base.year,
                month,
                day,
                days,
            });
        }
        Ok(Self {
            day: Some(day),
            ..base
        })
    }

    pub fn from_naive(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: Some(date.month()),
            day: Some(date.day()),
        }
    }

    pub fn precision(&self) -> Precision {
        match (self.month, self.day) {
            (Some(_), Some(_)) => Precision::Day,
            (Some(_), None) => Precision::Month,
            _ => Precision::Year,
        }
    }

    pub fn year_number(&self) -> i32 {
        self.year
    }
    pub fn month_number(&self) -> Option<u32> {
        self.month
    }
    pub fn day_number(&self) -> Option<u32> {
        self.day
    }

    /// The first calendar day this date covers ("July 1937" -> 1 July 1937).
    pub fn first_day(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month.unwrap_or(1), self.day.unwrap_or(1))
            .expect("validated on construction")
    }

    /// The last calendar day this date covers ("July 1937" -> 31 July 1937).
    pub fn last_day(&self) -> NaiveDate {
        let month = self.month.unwrap_or(12);
        let day = self.day.unwrap_or_else(|| days_in_month(self.year, month));
        NaiveDate::from_ymd_opt(self.year, month, day).expect("validated on construction")
    }

    /// Parses the ISO forms used in content files: "1934-12-01", "1937-07", "1936".
    pub fn parse_iso(text: &str) -> Result<Self, DateError> {
        let malformed = || DateError::Malformed(text.to_string());
        let parts: Vec<&str> = text.trim().split('-').collect();
        let number = |s: &str, len: std::ops::RangeInclusive<usize>| -> Result<i64, DateError> {
            if len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse::<i64>().map_err(|_| malformed())
            } else {
                Err(malformed())
            }
        };
        match parts.as_slice() {
            [y] => Self::year(number(y, 4..=4)?),
            [y, m] => Self::month(number(y, 4..=4)?, number(m, 2..=2)? as u32),
            [y, m, d] => Self::day(
                number(y, 4..=4)?,
                number(m, 2..=2)? as u32,
                number(d, 2..=2)? as u32,
            ),
            _ => Err(malformed()),
        }
    }

    /// The canonical ISO form, the inverse of [`PartialDate::parse_iso`].
    pub fn iso(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{:04}-{:02}-{:02}", self.year, m, d),
            (Some(m), None) => format!("{:04}-{:02}", self.year, m),
            _ => format!("{:04}", self.year),
        }
    }
}

impl fmt::Display for PartialDate {
    /// Human form at the date's own precision: "1 December 1934", "July 1937", "1936".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.month, self.day) {
            (Some(m), Some(d)) => {
                write!(f, "{} {} {}", d, MONTH_NAMES[(m - 1) as usize], self.year)
            }
            (Some(m), None) => write!(f, "{} {}", MONTH_NAMES[(m - 1) as usize], self.year),
            _ => write!(f, "{}", self.year),
        }
    }
}

/// A point in time at some precision, or a range between two such points.
///
/// Its first and last calendar days are worked out once, when it is made:
/// a date lookup compares them for every event of a period (binary search,
/// overlap, fit), and deriving them from partial dates each time (the last
/// day of a month asks the calendar) was most of its time. They follow from
/// `start` and `end`, so equality, hashing and `Debug` still mean the two
/// ends only.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct When {
    start: PartialDate,
    end: PartialDate,
    first: NaiveDate,
    last: NaiveDate,
}

impl fmt::Debug for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("When")
            .field("start", &self.start)
            .field("end", &self.end)
            .finish()
    }
}

impl When {
    pub fn point(date: PartialDate) -> Self {
        Self {
            start: date,
            end: date,
            first: date.first_day(),
            last: date.last_day(),
        }
    }

    pub fn range(start: PartialDate, end: PartialDate) -> Result<Self, DateError> {
        let (first, last) = (start.first_day(), end.last_day());
        if first > last {
            return Err(DateError::Backwards {
                start: start.to_string(),
                end: end.to_string(),
            });
        }
        Ok(Self {
            start,
            end,
            first,
            last,
        })
    }

    /// Parses the content-file form: a [`PartialDate`] or two joined by `/`.
    pub fn parse_iso(text: &str) -> Result<Self, DateError> {
        match text.split_once('/') {
            None => Ok(Self::point(PartialDate::parse_iso(text)?)),
            Some((a, b)) => Self::range(PartialDate::parse_iso(a)?, PartialDate::parse_iso(b)?),
        }
    }

    pub fn start(&self) -> PartialDate {
        self.start
    }
    pub fn end(&self) -> PartialDate {
        self.end
    }
    pub fn is_range(&self) -> bool {
        self.start != self.end
    }

    pub fn first_day(&self) -> NaiveDate {
        self.first
    }
    pub fn last_day(&self) -> NaiveDate {
        self.last
    }

    /// Whether any day of `self` falls within `first..=last`.
    pub fn overlaps(&self, first: NaiveDate, last: NaiveDate) -> bool {
        self.first_day() <= last && self.last_day() >= first
    }

    /// The coarser precision of the two ends: "July 1937 - 4 August 1938"
    /// is known to a month.
    pub fn precision(&self) -> Precision {
        self.start.precision().min(self.end.precision())
    }

    /// How `self` fits the period `first..=last`, for ordering what a date
    /// lookup found; `None` when it does not overlap the period at all.
    pub fn fit(&self, first: NaiveDate, last: NaiveDate) -> Option<Fit> {
        if !self.overlaps(first, last) {
            return None;
        }
        let (from, to) = (self.first_day(), self.last_day());
        Some(if from >= first && to <= last {
            Fit::Inside {
                precision: std::cmp::Reverse(self.precision()),
                first: from,
                last: to,
            }
        } else {
            Fit::Overlapping {
                days: (to - from).num_days(),
                first: from,
                last: to,
            }
        })
    }

    pub fn iso(&self) -> String {
        if self.is_range() {
            format!("{}/{}", self.start.iso(), self.end.iso())
        } else {
            self.start.iso()
        }
    }
}

/// Where a date stands against a period someone asked about; sorts best
/// first. A date inside the period comes before one that only overlaps it
/// ("30 July 1937" asked: that day's events, then 1937-38 ranges); inside,
/// the more precise first (days, then months, then years), each in date
/// order; overlapping, the shorter span first, then in date order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fit {
    Inside {
        precision: std::cmp::Reverse<Precision>,
        first: NaiveDate,
        last: NaiveDate,
    },
    Overlapping {
        days: i64,
        first: NaiveDate,
        last: NaiveDate,
    },
}

impl Fit {
    /// The same order as one number, so hundreds of events sort in a few
    /// microseconds: the kind in the top bit, then precision or span, then
    /// days since the common era (22 bits hold any year up to 9999).
    pub fn rank(&self) -> u64 {
        const DAY_BITS: u32 = 22;
        let clamp = |n: i64| (n.max(0) as u64).min((1 << DAY_BITS) - 1);
        let day = |d: NaiveDate| clamp(i64::from(d.num_days_from_ce()));
        match *self {
            Fit::Inside {
                precision,
                first,
                last,
            } => {
                let coarseness = match precision.0 {
                    Precision::Day => 0,
                    Precision::Month => 1,
                    Precision::Year => 2,
                };
                (coarseness << (2 * DAY_BITS)) | (day(first) << DAY_BITS) | day(last)
            }
            // The last day is the first plus the span: no need to store it.
            Fit::Overlapping { days, first, .. } => {
                (1 << 63) | (clamp(days) << DAY_BITS) | day(first)
            }
        }
    }
}

/// Orders `items`, given in date order (by first day, then last day), as
/// [`Fit`] sorts them against `first..=last`, dropping those outside it.
/// The period's own items only need sorting by precision, which keeps their
/// date order, so only the few that overlap the period are sorted: a year
/// of a large pack ranks in the time it takes to read it.
pub fn rank_by_fit<T>(
    items: impl IntoIterator<Item = T>,
    when: impl Fn(&T) -> When,
    first: NaiveDate,
    last: NaiveDate,
) -> Vec<T> {
    let mut inside: [Vec<T>; 3] = Default::default();
    let mut around: Vec<(u64, T)> = Vec::new();
    for item in items {
        match when(&item).fit(first, last) {
            Some(Fit::Inside { precision, .. }) => {
                let bucket = match precision.0 {
                    Precision::Day => 0,
                    Precision::Month => 1,
                    Precision::Year => 2,
                };
                inside[bucket].push(item);
            }
            Some(fit) => around.push((fit.rank(), item)),
            None => {}
        }
    }
    around.sort_by_key(|(rank, _)| *rank);
    let mut ranked: Vec<T> =
        Vec::with_capacity(inside.iter().map(Vec::len).sum::<usize>() + around.len());
    for bucket in inside {
        ranked.extend(bucket);
    }
    ranked.extend(around.into_iter().map(|(_, item)| item));
    ranked
}

impl fmt::Display for When {
    /// "1 December 1934", "19-24 August 1936", "1936-1938", "July 1937 - November 1938".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.is_range() {
            return write!(f, "{}", self.start);
        }
        let (s, e) = (self.start, self.end);
        match (s.precision(), e.precision()) {
            (Precision::Year, Precision::Year) => write!(f, "{}-{}", s.year, e.year),
            (Precision::Day, Precision::Day) if s.year == e.year && s.month == e.month => write!(
                f,
                "{}-{} {} {}",
                s.day.unwrap_or(1),
                e.day.unwrap_or(1),
                MONTH_NAMES[(s.month.unwrap_or(1) - 1) as usize],
                s.year
            ),
            _ => write!(f, "{} - {}", s, e),
        }
    }
}

impl Serialize for When {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.iso())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_forms_keep_their_precision() {
        let day = When::parse_iso("1934-12-01").unwrap();
        assert_eq!(day.to_string(), "1 December 1934");
        assert_eq!(day.start().precision(), Precision::Day);
        let month = When::parse_iso("1937-07").unwrap();
        assert_eq!(month.to_string(), "July 1937");
        assert_eq!(
            month.last_day(),
            NaiveDate::from_ymd_opt(1937, 7, 31).unwrap()
        );
        let years = When::parse_iso("1936/1938").unwrap();
        assert_eq!(years.to_string(), "1936-1938");
        let trial = When::parse_iso("1936-08-19/1936-08-24").unwrap();
        assert_eq!(trial.to_string(), "19-24 August 1936");
        let months = When::parse_iso("1937-07/1938-11").unwrap();
        assert_eq!(months.to_string(), "July 1937 - November 1938");
        assert_eq!(months.iso(), "1937-07/1938-11");
    }

    #[test]
    fn impossible_dates_are_refused_with_reasons() {
        assert_eq!(
            When::parse_iso("1937-02-31").unwrap_err().to_string(),
            "31 February 1937 does not exist (February 1937 has 28 days)"
        );
        assert!(When::parse_iso("1936-02-29").is_ok());
        assert_eq!(
            When::parse_iso("1937-13").unwrap_err(),
            DateError::NoSuchMonth(13)
        );
        assert!(matches!(
            When::parse_iso("1938/1936").unwrap_err(),
            DateError::Backwards { .. }
        ));
        assert!(matches!(
            When::parse_iso("1 Dec 1934").unwrap_err(),
            DateError::Malformed(_)
        ));
        assert!(When::parse_iso("1934-12-1").is_err());
    }

    #[test]
    fn dates_inside_a_period_rank_before_ranges_around_it() {
        let when = |iso: &str| When::parse_iso(iso).unwrap();
        let asked = when("1938-11");
        let (first, last) = (asked.first_day(), asked.last_day());
        let mut found = [
            "1937-08/1938-11",
            "1937/1938",
            "1938-11",
            "1938-11-25",
            "1938-11-17",
            "1938-10-22/1938-11-09",
            "1938",
        ];
        found.sort_by_key(|iso| when(iso).fit(first, last).unwrap());
        let mut by_rank = found;
        by_rank.sort_by_key(|iso| when(iso).fit(first, last).unwrap().rank());
        assert_eq!(by_rank, found, "rank() sorts as Fit does");
        let mut in_date_order = found;
        in_date_order.sort_by_key(|iso| (when(iso).first_day(), when(iso).last_day()));
        let ranked = rank_by_fit(in_date_order, |iso| when(iso), first, last);
        assert_eq!(ranked, found, "rank_by_fit orders as Fit does");
        assert_eq!(
            found,
            [
                "1938-11-17",
                "1938-11-25",
                "1938-11",
                "1938-10-22/1938-11-09",
                "1938",
                "1937-08/1938-11",
                "1937/1938",
            ]
        );
        assert_eq!(when("1938-12").fit(first, last), None);
        assert_eq!(when("1937-07/1938-11-04").precision(), Precision::Month);
    }

    #[test]
    fn overlap_uses_whole_periods() {
        let july = When::parse_iso("1937-07").unwrap();
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert!(july.overlaps(d(1937, 7, 31), d(1937, 8, 5)));
        assert!(!july.overlaps(d(1937, 8, 1), d(1937, 8, 5)));
    }
}
