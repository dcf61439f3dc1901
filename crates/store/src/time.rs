//! Timestamps. PostgreSQL stores them as `timestamptz`; SQLite as text in one fixed-width
//! UTC format, so that text comparison and ordering in SQL equal time ordering (sqlx's own
//! chrono encoding varies the number of fraction digits, which breaks `<` on text).

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Encode, Postgres, Sqlite, Type};

/// Serialises as an RFC 3339 UTC string (what the JSON API shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Ts(pub DateTime<Utc>);

impl Ts {
    /// Now, truncated to microseconds (what PostgreSQL keeps), so values round-trip exactly.
    pub fn now() -> Self {
        Ts::from_datetime(Utc::now())
    }

    pub fn from_datetime(dt: DateTime<Utc>) -> Self {
        let micros = dt.timestamp_micros();
        Ts(DateTime::from_timestamp_micros(micros).unwrap_or(dt))
    }

    /// The fixed-width text form used in SQLite and in audit hashes.
    pub fn to_text(self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Micros, true)
    }

    pub fn plus_seconds(self, secs: i64) -> Self {
        Ts(self.0 + chrono::Duration::seconds(secs))
    }
}

/// What pages and PDFs show: Rome's wall-clock time to the minute, the same clock as
/// appointments (a note written at 10:05 in Rome must not read 09:05).
impl std::fmt::Display for Ts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}",
            domain::clock::rome(self.0).format("%Y-%m-%d %H:%M")
        )
    }
}

impl Ts {
    /// Rome's wall-clock time to the second, for the audit log.
    pub fn precise(&self) -> String {
        domain::clock::rome(self.0)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    }
}

impl Type<Sqlite> for Ts {
    fn type_info() -> <Sqlite as Database>::TypeInfo {
        <String as Type<Sqlite>>::type_info()
    }
    fn compatible(ty: &<Sqlite as Database>::TypeInfo) -> bool {
        <String as Type<Sqlite>>::compatible(ty)
    }
}

impl Encode<'_, Sqlite> for Ts {
    fn encode_by_ref(
        &self,
        buf: &mut <Sqlite as Database>::ArgumentBuffer,
    ) -> Result<IsNull, BoxDynError> {
        Encode::<Sqlite>::encode(self.to_text(), buf)
    }
}

impl<'r> Decode<'r, Sqlite> for Ts {
    fn decode(value: <Sqlite as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
        let s = <&str as Decode<Sqlite>>::decode(value)?;
        Ok(Ts(DateTime::parse_from_rfc3339(s)?.with_timezone(&Utc)))
    }
}

impl Type<Postgres> for Ts {
    fn type_info() -> <Postgres as Database>::TypeInfo {
        <DateTime<Utc> as Type<Postgres>>::type_info()
    }
    fn compatible(ty: &<Postgres as Database>::TypeInfo) -> bool {
        <DateTime<Utc> as Type<Postgres>>::compatible(ty)
    }
}

impl Encode<'_, Postgres> for Ts {
    fn encode_by_ref(
        &self,
        buf: &mut <Postgres as Database>::ArgumentBuffer,
    ) -> Result<IsNull, BoxDynError> {
        Encode::<Postgres>::encode_by_ref(&self.0, buf)
    }
}

impl<'r> Decode<'r, Postgres> for Ts {
    fn decode(value: <Postgres as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Ts(<DateTime<Utc> as Decode<Postgres>>::decode(value)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_is_fixed_width_so_it_sorts_like_time() {
        let a = Ts::from_datetime(DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default());
        let b = Ts::from_datetime(
            DateTime::from_timestamp(1_700_000_000, 500_000_000).unwrap_or_default(),
        );
        assert_eq!(a.to_text().len(), b.to_text().len());
        assert!(a.to_text() < b.to_text());
    }

    #[test]
    fn shown_in_rome_time() {
        let winter = Ts(DateTime::parse_from_rfc3339("2026-11-26T09:05:30Z")
            .unwrap()
            .with_timezone(&Utc));
        assert_eq!(winter.to_string(), "2026-11-26 10:05");
        assert_eq!(winter.precise(), "2026-11-26 10:05:30");
    }
}
