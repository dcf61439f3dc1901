//! The words of the people register: sex, birth-date precision, identifiers, the art. 17
//! vulnerability list and consent purposes.

use serde::{Deserialize, Serialize};

macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(
    /// Sex as declared; unknown is simply absent.
    Sex { Female = "female", Male = "male", Other = "other" }
);

text_enum!(
    /// How much of a birth date is known. A 1 January date typed for an unknown day is
    /// kept as year-only unless the operator confirms it is the real date.
    BirthPrecision { Exact = "exact", Year = "year", Estimated = "estimated" }
);

text_enum!(
    /// Identifiers a person may have. Values are compared normalised (upper case, no
    /// spaces or dashes).
    IdKind {
        Cui = "cui",
        CodiceFiscale = "codice_fiscale",
        Passport = "passport",
        Permit = "permit",
        Other = "other",
    }
);

text_enum!(
    /// Vulnerable categories of d.lgs. 142/2015 art. 17. Special-category data: stored
    /// encrypted, every read audited.
    Vulnerability {
        Minor = "minor",
        UnaccompaniedMinor = "unaccompanied_minor",
        Disability = "disability",
        Elderly = "elderly",
        PregnantWoman = "pregnant_woman",
        SingleParent = "single_parent",
        TraffickingVictim = "trafficking_victim",
        SeriousIllness = "serious_illness",
        MentalDisorder = "mental_disorder",
        ViolenceSurvivor = "violence_survivor",
        FgmVictim = "fgm_victim",
    }
);

text_enum!(
    /// What a person consented (or refused) to.
    ConsentPurpose {
        DataProcessing = "data_processing",
        ShareForReferral = "share_for_referral",
        Contact = "contact",
    }
);

impl IdKind {
    /// Normalised form for comparison: upper case, letters and digits only.
    pub fn normalise(value: &str) -> String {
        value
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_uppercase)
            .collect()
    }
}

/// A birth date with its precision, checked. Month and day are present only when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Birth {
    pub year: i32,
    pub month: Option<u32>,
    pub day: Option<u32>,
    pub precision: BirthPrecision,
}

impl Birth {
    /// Parses what an operator typed: `YYYY-MM-DD`, `DD/MM/YYYY` or `YYYY`, with the
    /// precision they chose. A 1 January full date is kept as year-only unless
    /// `confirmed` (registers are full of 01/01 placeholders for unknown days).
    pub fn parse(
        text: &str,
        precision: BirthPrecision,
        confirmed: bool,
    ) -> Result<Option<Birth>, &'static str> {
        let t = text.trim();
        if t.is_empty() {
            return Ok(None);
        }
        let (y, m, d) = if let Some((a, rest)) = t.split_once('-') {
            let (b, c) = rest.split_once('-').ok_or("birth_date_invalid")?;
            (a, Some(b), Some(c))
        } else if let Some((a, rest)) = t.split_once('/') {
            let (b, c) = rest.split_once('/').ok_or("birth_date_invalid")?;
            (c, Some(b), Some(a))
        } else {
            (t, None, None)
        };
        let year: i32 = y.trim().parse().map_err(|_| "birth_date_invalid")?;
        if !(1900..=2100).contains(&year) {
            return Err("birth_date_invalid");
        }
        let month = m
            .map(|m| m.trim().parse::<u32>())
            .transpose()
            .map_err(|_| "birth_date_invalid")?;
        let day = d
            .map(|d| d.trim().parse::<u32>())
            .transpose()
            .map_err(|_| "birth_date_invalid")?;
        if let (Some(mo), Some(da)) = (month, day) {
            let valid =
                (1..=12).contains(&mo) && (1..=31).contains(&da) && days_in_month(year, mo) >= da;
            if !valid {
                return Err("birth_date_invalid");
            }
            if mo == 1 && da == 1 && !confirmed {
                return Ok(Some(Birth {
                    year,
                    month: None,
                    day: None,
                    precision: BirthPrecision::Year,
                }));
            }
        }
        let precision = match (month, precision) {
            (None, BirthPrecision::Exact) => BirthPrecision::Year,
            (_, p) => p,
        };
        Ok(Some(Birth {
            year,
            month,
            day,
            precision,
        }))
    }

    /// As shown to people: `2007-03-14`, `2007`, or `~2007`.
    pub fn display(&self) -> String {
        match (self.month, self.day, self.precision) {
            (_, _, BirthPrecision::Estimated) => format!("~{}", self.year),
            (Some(m), Some(d), _) => format!("{:04}-{m:02}-{d:02}", self.year),
            _ => format!("{}", self.year),
        }
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_of_january_is_kept_as_year_only_unless_confirmed() {
        let b = Birth::parse("2007-01-01", BirthPrecision::Exact, false)
            .unwrap()
            .unwrap();
        assert_eq!(b.precision, BirthPrecision::Year);
        assert_eq!(b.month, None);
        let c = Birth::parse("01/01/2007", BirthPrecision::Exact, true)
            .unwrap()
            .unwrap();
        assert_eq!(
            (c.month, c.day, c.precision),
            (Some(1), Some(1), BirthPrecision::Exact)
        );
    }

    #[test]
    fn birth_dates_parse_in_the_usual_forms_and_refuse_impossible_ones() {
        assert_eq!(
            Birth::parse("14/03/2007", BirthPrecision::Exact, false)
                .unwrap()
                .unwrap()
                .display(),
            "2007-03-14"
        );
        assert_eq!(
            Birth::parse("2007", BirthPrecision::Exact, false)
                .unwrap()
                .unwrap()
                .precision,
            BirthPrecision::Year
        );
        assert_eq!(
            Birth::parse("2007", BirthPrecision::Estimated, false)
                .unwrap()
                .unwrap()
                .display(),
            "~2007"
        );
        assert!(Birth::parse("2007-02-30", BirthPrecision::Exact, false).is_err());
        assert!(Birth::parse("1850", BirthPrecision::Exact, false).is_err());
        assert!(Birth::parse("soon", BirthPrecision::Exact, false).is_err());
        assert_eq!(Birth::parse(" ", BirthPrecision::Exact, false), Ok(None));
    }

    #[test]
    fn identifiers_compare_without_spaces_dashes_or_case() {
        assert_eq!(IdKind::normalise("ya 123-456 7"), "YA1234567");
    }
}
