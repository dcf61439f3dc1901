//! Where a minor leaving the hub may go: the hard rules no suggestion may break, and how
//! well an allowed place fits. Pure functions; the store reads the places and the child.

use serde::Serialize;

/// The kinds of facility a minor may be placed in after the hub.
pub const MINOR_KINDS: &[&str] = &[
    "sai",
    "first_reception_minors",
    "temporary_minors",
    "adult_section_minors",
];

/// The child as placement sees them.
#[derive(Debug, Clone, Default)]
pub struct Child {
    /// Age in whole years today; unknown means every age rule applies at its strictest.
    pub age: Option<i32>,
    pub sex: Option<String>,
    /// ISO 639 codes.
    pub languages: Vec<String>,
    /// Vulnerability codes (art. 17 list) and needs, matched against specialisms.
    pub needs: Vec<String>,
}

/// One band of places of a facility (sex and ages), with its occupancy.
#[derive(Debug, Clone, Default)]
pub struct Place {
    pub kind: String,
    pub sex: String,
    pub min_age: i32,
    pub max_age: i32,
    pub places: i64,
    pub occupied: i64,
    pub languages: Vec<String>,
    pub specialisms: Vec<String>,
    pub distance_km: Option<f64>,
}

/// Why a place is not offered. Each is a rule of law or of fact, shown to the operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    /// Not a facility for minors.
    NotForMinors,
    /// Temporary facilities never take under-14s (d.lgs. 142/2015 art. 19 c. 3-bis).
    TemporaryUnder14,
    /// Adult-centre sections only take minors of 16 or more (art. 19 c. 3-bis).
    AdultSectionUnder16,
    /// The age is not known: the age rules cannot be shown to hold.
    AgeUnknown,
    /// The band is for the other sex, or the child's sex is not recorded.
    Sex,
    /// The band is for other ages.
    AgeBand,
    /// No free place: never over capacity.
    Full,
}

impl Exclusion {
    pub fn as_str(self) -> &'static str {
        match self {
            Exclusion::NotForMinors => "not_for_minors",
            Exclusion::TemporaryUnder14 => "temporary_under_14",
            Exclusion::AdultSectionUnder16 => "adult_section_under_16",
            Exclusion::AgeUnknown => "age_unknown",
            Exclusion::Sex => "sex",
            Exclusion::AgeBand => "age_band",
            Exclusion::Full => "full",
        }
    }
}

/// The hard rules, in the order a person would check them. `Ok` means the place may be
/// offered.
pub fn check(child: &Child, place: &Place) -> Result<(), Exclusion> {
    if !MINOR_KINDS.contains(&place.kind.as_str()) {
        return Err(Exclusion::NotForMinors);
    }
    let restricted = matches!(
        place.kind.as_str(),
        "temporary_minors" | "adult_section_minors"
    );
    let Some(age) = child.age else {
        return Err(if restricted {
            Exclusion::AgeUnknown
        } else {
            Exclusion::AgeBand
        });
    };
    if place.kind == "temporary_minors" && age < 14 {
        return Err(Exclusion::TemporaryUnder14);
    }
    if place.kind == "adult_section_minors" && age < 16 {
        return Err(Exclusion::AdultSectionUnder16);
    }
    if child.sex.as_deref() != Some(place.sex.as_str()) {
        return Err(Exclusion::Sex);
    }
    if age < place.min_age || age > place.max_age {
        return Err(Exclusion::AgeBand);
    }
    if place.occupied >= place.places {
        return Err(Exclusion::Full);
    }
    Ok(())
}

/// What a facility specialises in, for a vulnerability of the art. 17 list. Facilities
/// name their specialisms in their own words (never the vulnerability codes, which are
/// special-category data and stored only encrypted).
pub fn specialism_for(need: &str) -> Option<&'static str> {
    Some(match need {
        "trafficking_victim" => "trafficking",
        "violence_survivor" | "fgm_victim" => "violence",
        "mental_disorder" => "mental_health",
        "serious_illness" => "health",
        "disability" => "disability",
        "pregnant_woman" | "single_parent" => "mothers",
        _ => return None,
    })
}

/// How well an allowed place fits, with the reasons (codes shown to the operator): the
/// language spoken, what the facility specialises in, free places, distance, and the kind
/// (a second-level place first; a temporary place or an adult-centre section last).
pub fn fit(child: &Child, place: &Place) -> (f64, Vec<&'static str>) {
    let mut score = 0.0;
    let mut reasons = vec![];
    if child
        .languages
        .iter()
        .any(|l| place.languages.iter().any(|p| p == l))
    {
        score += 3.0;
        reasons.push("language");
    }
    if child
        .needs
        .iter()
        .any(|n| specialism_for(n).is_some_and(|want| place.specialisms.iter().any(|s| s == want)))
    {
        score += 2.0;
        reasons.push("specialism");
    }
    let free = (place.places - place.occupied).max(0);
    score += 0.3 * free.min(5) as f64;
    if free >= 3 {
        reasons.push("free_places");
    }
    if let Some(km) = place.distance_km {
        score -= km / 20.0;
        if km <= 15.0 {
            reasons.push("near");
        }
    }
    match place.kind.as_str() {
        "sai" => {
            score += 1.0;
            reasons.push("second_level");
        }
        "temporary_minors" => {
            score -= 1.0;
            reasons.push("temporary");
        }
        "adult_section_minors" => {
            score -= 1.5;
            reasons.push("adult_section");
        }
        _ => {}
    }
    (score, reasons)
}

/// Distance in kilometres between two points (haversine; the Earth as a sphere is close
/// enough to rank facilities around one city).
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boy(age: i32) -> Child {
        Child {
            age: Some(age),
            sex: Some("male".into()),
            languages: vec!["ti".into()],
            needs: vec![],
        }
    }

    fn place(kind: &str, sex: &str, ages: (i32, i32), places: i64, occupied: i64) -> Place {
        Place {
            kind: kind.into(),
            sex: sex.into(),
            min_age: ages.0,
            max_age: ages.1,
            places,
            occupied,
            ..Default::default()
        }
    }

    #[test]
    fn an_under_14_is_never_placed_in_a_temporary_facility() {
        let p = place("temporary_minors", "male", (6, 17), 50, 0);
        assert_eq!(check(&boy(13), &p), Err(Exclusion::TemporaryUnder14));
        assert_eq!(check(&boy(14), &p), Ok(()));
    }

    #[test]
    fn an_under_16_is_never_placed_in_an_adult_centre_section() {
        let p = place("adult_section_minors", "male", (14, 17), 10, 0);
        assert_eq!(check(&boy(15), &p), Err(Exclusion::AdultSectionUnder16));
        assert_eq!(check(&boy(16), &p), Ok(()));
    }

    #[test]
    fn a_full_band_is_never_offered() {
        assert_eq!(
            check(&boy(16), &place("sai", "male", (14, 17), 10, 10)),
            Err(Exclusion::Full)
        );
        assert_eq!(
            check(&boy(16), &place("sai", "male", (14, 17), 10, 9)),
            Ok(())
        );
    }

    #[test]
    fn an_unknown_age_keeps_the_child_out_of_restricted_facilities() {
        let child = Child {
            age: None,
            ..boy(16)
        };
        assert_eq!(
            check(
                &child,
                &place("adult_section_minors", "male", (16, 17), 10, 0)
            ),
            Err(Exclusion::AgeUnknown)
        );
        assert_eq!(
            check(&child, &place("temporary_minors", "male", (14, 17), 10, 0)),
            Err(Exclusion::AgeUnknown)
        );
    }

    #[test]
    fn sex_age_band_and_kind_must_fit() {
        assert_eq!(
            check(&boy(16), &place("sai", "female", (6, 17), 10, 0)),
            Err(Exclusion::Sex)
        );
        assert_eq!(
            check(&boy(16), &place("sai", "male", (6, 13), 10, 0)),
            Err(Exclusion::AgeBand)
        );
        assert_eq!(
            check(&boy(16), &place("cas", "male", (18, 99), 10, 0)),
            Err(Exclusion::NotForMinors)
        );
    }

    #[test]
    fn a_place_where_the_language_is_spoken_ranks_first_and_an_adult_section_last() {
        let speaks = Place {
            languages: vec!["ti".into()],
            ..place("sai", "male", (14, 17), 10, 8)
        };
        let other = place("sai", "male", (14, 17), 10, 8);
        let adult = Place {
            languages: vec!["ti".into()],
            ..place("adult_section_minors", "male", (16, 17), 10, 2)
        };
        let (a, why) = fit(&boy(16), &speaks);
        let (b, _) = fit(&boy(16), &other);
        let (c, why_adult) = fit(&boy(16), &adult);
        assert!(a > b && a > c, "{a} {b} {c}");
        assert!(why.contains(&"language"));
        assert!(why_adult.contains(&"adult_section"));
    }

    #[test]
    fn a_victim_of_trafficking_fits_a_facility_specialised_in_trafficking() {
        let child = Child {
            needs: vec!["trafficking_victim".into()],
            sex: Some("female".into()),
            ..boy(16)
        };
        let special = Place {
            specialisms: vec!["trafficking".into()],
            ..place("sai", "female", (6, 17), 8, 3)
        };
        let (_, why) = fit(&child, &special);
        assert!(why.contains(&"specialism"));
    }

    #[test]
    fn distance_between_termini_and_fiumicino_is_about_25_km() {
        let d = distance_km((41.9009, 12.5018), (41.7713, 12.2397));
        assert!((24.0..27.0).contains(&d), "{d}");
    }
}
