//! Civil time in Italy. Instants are stored in UTC; what people read and what the law counts
//! in are Rome's calendar days and wall-clock times (CET/CEST), so "today" and every time
//! shown on a page go through here rather than through the server's own zone.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Europe::Rome;

/// The wall-clock time in Rome at an instant.
pub fn rome(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&Rome).naive_local()
}

/// The instant of a wall-clock time in Rome (an opening hour, a slot). At the autumn change
/// an hour happens twice: the earlier is taken; a time skipped in spring has none.
pub fn from_rome(local: NaiveDateTime) -> Option<DateTime<Utc>> {
    use chrono::TimeZone;
    Rome.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// Today's date in Rome: legal terms run on Rome's calendar, not UTC's (between midnight
/// and 01:00/02:00 Rome time the two differ by a day).
pub fn today() -> NaiveDate {
    rome(Utc::now()).date()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn winter_time_is_one_hour_ahead_of_utc() {
        assert_eq!(
            rome(utc("2026-01-15T09:30:00Z")).to_string(),
            "2026-01-15 10:30:00"
        );
    }

    #[test]
    fn summer_time_is_two_hours_ahead_of_utc() {
        assert_eq!(
            rome(utc("2026-07-15T09:30:00Z")).to_string(),
            "2026-07-15 11:30:00"
        );
    }

    #[test]
    fn late_evening_utc_is_already_tomorrow_in_rome() {
        assert_eq!(
            rome(utc("2026-07-15T22:30:00Z")).date().to_string(),
            "2026-07-16"
        );
    }
}
