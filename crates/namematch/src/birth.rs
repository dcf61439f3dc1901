//! Birth dates with their precision, and the 1 January rule.
//!
//! Many third-country nationals, and most unaccompanied minors, have no documented day of
//! birth. Registries then write 1 January of the (declared or estimated) year, so "2007-01-01"
//! usually means "some day in 2007". `BirthDate::parse` therefore keeps a 1 January date as
//! **year-only** unless it is flagged as confirmed (`parse_confirmed`, or
//! `BirthDate::confirmed`). Year-only dates are compared on the year alone; *estimated* years
//! (from an age assessment) are compared with a tolerance of ±1 year.

use std::fmt;

#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};

/// How much of a birth date is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum Precision {
    /// Day, month and year are known.
    Exact,
    /// Only the year is known (including 1 January placeholders).
    YearOnly,
    /// The year is an estimate (age assessment, declared age): compared with ±1 year.
    Estimated,
}

/// A birth date. For `YearOnly` and `Estimated`, `month` and `day` are `None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct BirthDate {
    pub year: u16,
    pub month: Option<u8>,
    pub day: Option<u8>,
    pub precision: Precision,
}

/// Why a birth date could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BirthDateError {
    /// Not one of the accepted forms.
    Format(String),
    /// A year outside 1900–2100, a month outside 1–12 or a day that month does not have.
    OutOfRange(String),
}

impl fmt::Display for BirthDateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BirthDateError::Format(s) => write!(f, "not a birth date: {s:?}"),
            BirthDateError::OutOfRange(s) => write!(f, "birth date out of range: {s:?}"),
        }
    }
}

impl std::error::Error for BirthDateError {}

const MIN_YEAR: u16 = 1900;
const MAX_YEAR: u16 = 2100;

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

impl BirthDate {
    /// A year-only date.
    pub fn year_only(year: u16) -> Self {
        BirthDate {
            year,
            month: None,
            day: None,
            precision: Precision::YearOnly,
        }
    }

    /// An estimated year (compared with ±1 year).
    pub fn estimated(year: u16) -> Self {
        BirthDate {
            year,
            month: None,
            day: None,
            precision: Precision::Estimated,
        }
    }

    /// A full date, applying the 1 January rule: 1 January becomes year-only.
    pub fn ymd(year: u16, month: u8, day: u8) -> Result<Self, BirthDateError> {
        let d = Self::confirmed(year, month, day)?;
        Ok(if month == 1 && day == 1 {
            Self::year_only(year)
        } else {
            d
        })
    }

    /// A full date known to be right, even on 1 January.
    pub fn confirmed(year: u16, month: u8, day: u8) -> Result<Self, BirthDateError> {
        let text = format!("{year:04}-{month:02}-{day:02}");
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) || day == 0 || day > days_in_month(year, month) {
            return Err(BirthDateError::OutOfRange(text));
        }
        Ok(BirthDate {
            year,
            month: Some(month),
            day: Some(day),
            precision: Precision::Exact,
        })
    }

    /// Parse a birth date, applying the 1 January rule. Accepts:
    /// `YYYY-MM-DD`, `DD/MM/YYYY`, `DD-MM-YYYY`, `DD.MM.YYYY` (Italian order), `YYYY`,
    /// `YYYY-MM` (kept as year-only), and an estimated year written `~YYYY`, `ca YYYY`,
    /// `c. YYYY`, `circa YYYY` or `YYYY?`. An empty string is `Ok(None)`.
    ///
    /// ```
    /// use namematch::{BirthDate, Precision};
    /// assert_eq!(BirthDate::parse("2007-01-01").unwrap().unwrap().precision, Precision::YearOnly);
    /// assert_eq!(BirthDate::parse("2007-03-14").unwrap().unwrap().precision, Precision::Exact);
    /// assert_eq!(BirthDate::parse("2007").unwrap().unwrap().precision, Precision::YearOnly);
    /// assert_eq!(BirthDate::parse("~2007").unwrap().unwrap().precision, Precision::Estimated);
    /// assert_eq!(BirthDate::parse("").unwrap(), None);
    /// ```
    pub fn parse(input: &str) -> Result<Option<Self>, BirthDateError> {
        Self::parse_with(input, false)
    }

    /// Parse a birth date whose day and month are confirmed: 1 January stays exact.
    pub fn parse_confirmed(input: &str) -> Result<Option<Self>, BirthDateError> {
        Self::parse_with(input, true)
    }

    fn parse_with(input: &str, confirmed: bool) -> Result<Option<Self>, BirthDateError> {
        let s = input.trim();
        if s.is_empty() {
            return Ok(None);
        }
        let format_err = || BirthDateError::Format(s.to_owned());
        let lower = s.to_ascii_lowercase();
        for prefix in ["~", "circa", "ca.", "ca", "c."] {
            if let Some(rest) = lower.strip_prefix(prefix) {
                return Ok(Some(Self::estimated(
                    parse_year(rest.trim()).ok_or_else(format_err)?,
                )));
            }
        }
        if let Some(rest) = lower.strip_suffix('?') {
            return Ok(Some(Self::estimated(
                parse_year(rest.trim()).ok_or_else(format_err)?,
            )));
        }
        let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
        let (y, m, d) = match parts.as_slice() {
            [y] => return Ok(Some(Self::year_only(parse_year(y).ok_or_else(format_err)?))),
            [y, m] if y.len() == 4 => {
                let year = parse_year(y).ok_or_else(format_err)?;
                let month = small_number(m).ok_or_else(format_err)?;
                if !(1..=12).contains(&month) {
                    return Err(BirthDateError::OutOfRange(s.to_owned()));
                }
                return Ok(Some(Self::year_only(year)));
            }
            [y, m, d] if y.len() == 4 => (*y, *m, *d),
            [d, m, y] if y.len() == 4 => (*y, *m, *d),
            _ => return Err(format_err()),
        };
        let year = parse_year(y).ok_or_else(format_err)?;
        let month: u8 = small_number(m).ok_or_else(format_err)?;
        let day: u8 = small_number(d).ok_or_else(format_err)?;
        let date = if confirmed {
            Self::confirmed(year, month, day)
        } else {
            Self::ymd(year, month, day)
        };
        date.map(Some)
    }

    /// Whether day and month are known (precision `Exact`).
    pub fn is_exact(&self) -> bool {
        self.precision == Precision::Exact
    }
}

fn small_number(s: &str) -> Option<u8> {
    (!s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn parse_year(s: &str) -> Option<u16> {
    if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok().filter(|y| (MIN_YEAR..=MAX_YEAR).contains(y))
}

impl fmt::Display for BirthDate {
    /// `2007-03-14`, `2007` or `~2007`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.precision, self.month, self.day) {
            (Precision::Exact, Some(m), Some(d)) => write!(f, "{:04}-{m:02}-{d:02}", self.year),
            (Precision::Estimated, _, _) => write!(f, "~{:04}", self.year),
            _ => write!(f, "{:04}", self.year),
        }
    }
}

/// How two birth dates relate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BirthAgreement {
    /// Both exact and equal.
    DateEqual,
    /// Both exact, same year, day and month swapped (03/04 vs 04/03): a typing slip.
    DaySwapped,
    /// Compared on the year (one side is not exact), and equal.
    YearEqual,
    /// Within the ±1 year tolerance of an estimated year.
    YearClose,
    /// Both exact, same year, different day: as likely a typing slip as another person.
    SameYearOtherDay,
    /// Years differ beyond tolerance.
    Conflict,
}

pub(crate) fn compare(a: &BirthDate, b: &BirthDate) -> BirthAgreement {
    let gap = a.year.abs_diff(b.year);
    if a.is_exact() && b.is_exact() {
        return match (gap, a.month == b.month && a.day == b.day) {
            (0, true) => BirthAgreement::DateEqual,
            (0, false) if a.month == b.day && a.day == b.month => BirthAgreement::DaySwapped,
            (0, false) => BirthAgreement::SameYearOtherDay,
            _ => BirthAgreement::Conflict,
        };
    }
    let estimated = a.precision == Precision::Estimated || b.precision == Precision::Estimated;
    match gap {
        0 => BirthAgreement::YearEqual,
        1 if estimated => BirthAgreement::YearClose,
        _ => BirthAgreement::Conflict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> BirthDate {
        BirthDate::parse(s).unwrap().unwrap()
    }

    #[test]
    fn first_of_january_becomes_year_only() {
        assert_eq!(p("2007-01-01"), BirthDate::year_only(2007));
        assert_eq!(p("01/01/2007"), BirthDate::year_only(2007));
        let confirmed = BirthDate::parse_confirmed("2007-01-01").unwrap().unwrap();
        assert_eq!(confirmed.precision, Precision::Exact);
    }

    #[test]
    fn forms() {
        assert_eq!(p("14/03/2007"), BirthDate::confirmed(2007, 3, 14).unwrap());
        assert_eq!(p("14.03.2007"), p("2007-03-14"));
        assert_eq!(p("2007-3-4"), BirthDate::confirmed(2007, 3, 4).unwrap());
        assert_eq!(p("2007-03"), BirthDate::year_only(2007));
        assert_eq!(p("ca. 2007"), BirthDate::estimated(2007));
        assert_eq!(p("2007?"), BirthDate::estimated(2007));
        assert_eq!(p(" 2007 "), BirthDate::year_only(2007));
    }

    #[test]
    fn bad_dates_are_errors() {
        for s in [
            "2007-02-30",
            "2007-13-01",
            "1800",
            "20070",
            "abc",
            "2007-00-10",
            "31/04/2007",
            "2007-+1-01",
        ] {
            assert!(BirthDate::parse(s).is_err(), "{s}");
        }
        assert!(BirthDate::parse("2008-02-29").is_ok());
        assert!(BirthDate::parse("2007-02-29").is_err());
    }

    #[test]
    fn display_round_trips() {
        for s in ["2007-03-14", "2007", "~2007"] {
            assert_eq!(p(s).to_string(), s);
        }
    }

    #[test]
    fn comparisons() {
        assert_eq!(
            compare(&p("2007-03-14"), &p("14/03/2007")),
            BirthAgreement::DateEqual
        );
        assert_eq!(
            compare(&p("2007-03-04"), &p("2007-04-03")),
            BirthAgreement::DaySwapped
        );
        assert_eq!(
            compare(&p("2007-01-01"), &p("2007-08-09")),
            BirthAgreement::YearEqual
        );
        assert_eq!(compare(&p("2007"), &p("2008")), BirthAgreement::Conflict);
        assert_eq!(compare(&p("~2007"), &p("2008")), BirthAgreement::YearClose);
        assert_eq!(compare(&p("~2007"), &p("2009")), BirthAgreement::Conflict);
        assert_eq!(
            compare(&p("2007-03-14"), &p("2008-03-14")),
            BirthAgreement::Conflict
        );
    }
}
