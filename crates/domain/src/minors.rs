//! The legal clock of an unaccompanied minor (MSNA) at the hub. Every term comes from a
//! versioned rule with its legal basis, chosen by the date its clock starts on (the day of
//! arrival for most: "the rule in force on the day of arrival applies"), never from a
//! number written here.

use chrono::NaiveDate;
use serde::Serialize;

use crate::legal::{DeadlineState, LegalRule, deadline_state, rule_for};

/// Who must be told at once that a minor has been found (d.lgs. 142/2015 art. 19 c. 5).
pub const RECIPIENTS: &[&str] = &["prosecutor", "court", "sim"];

/// How a minor reached the hub.
pub const BROUGHT_BY: &[&str] = &["police", "self", "social_services", "ngo", "other"];

/// Where a stay stands; every status but `present` ends it.
pub const STATUSES: &[&str] = &[
    "present",
    "transferred",
    "absconded",
    "family_found",
    "adult",
    "moved_out",
];

/// The facts the clock is computed from.
#[derive(Debug, Clone, Default)]
pub struct ClockFacts {
    pub arrival: NaiveDate,
    /// Date each recipient was notified, by recipient code.
    pub notified: Vec<(String, NaiveDate)>,
    pub identified_on: Option<NaiveDate>,
    /// The day the stay at the hub ended, if it has.
    pub left_on: Option<NaiveDate>,
    /// The prosecutor's order of a socio-sanitary age assessment, and its conclusion.
    pub age_order: Option<NaiveDate>,
    pub age_concluded: Option<NaiveDate>,
}

/// One term of the clock, as shown to hub staff: what is due, by when, under which rule.
#[derive(Debug, Clone, Serialize)]
pub struct Deadline {
    /// `notify_prosecutor`, `identification`, `first_reception`, …
    pub code: &'static str,
    /// The day the term counts from.
    pub from: NaiveDate,
    /// None when no rule is in force for that day: shown as "no legal term", never guessed.
    pub rule: Option<LegalRule>,
    pub due: Option<NaiveDate>,
    pub due_extended: Option<NaiveDate>,
    pub done_on: Option<NaiveDate>,
    pub state: DeadlineState,
}

impl Deadline {
    fn new(
        code: &'static str,
        rule_code: &str,
        rules: &[LegalRule],
        from: NaiveDate,
        done_on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Self {
        let rule = rule_for(rules, rule_code, from).cloned();
        let due = rule.as_ref().and_then(|r| r.due(from));
        let due_extended = rule.as_ref().and_then(|r| r.due_extended(from));
        let state = match due {
            Some(d) => deadline_state(d, today, done_on.is_some()),
            None if done_on.is_some() => DeadlineState::Done,
            None => DeadlineState::Ok,
        };
        Deadline {
            code,
            from,
            rule,
            due,
            due_extended,
            done_on,
            state,
        }
    }
}

/// The clock of one minor on `today`: the three notifications, identification, the
/// maximum stay in first reception and, once ordered, the age assessment.
pub fn clock(facts: &ClockFacts, rules: &[LegalRule], today: NaiveDate) -> Vec<Deadline> {
    let notified = |r: &str| facts.notified.iter().find(|(k, _)| k == r).map(|(_, d)| *d);
    let mut out = vec![
        Deadline::new(
            "notify_prosecutor",
            "msna_notify_prosecutor",
            rules,
            facts.arrival,
            notified("prosecutor"),
            today,
        ),
        Deadline::new(
            "notify_court",
            "msna_notify_court",
            rules,
            facts.arrival,
            notified("court"),
            today,
        ),
        Deadline::new(
            "notify_sim",
            "msna_notify_sim",
            rules,
            facts.arrival,
            notified("sim"),
            today,
        ),
        Deadline::new(
            "identification",
            "msna_identification",
            rules,
            facts.arrival,
            facts.identified_on,
            today,
        ),
        Deadline::new(
            "first_reception",
            "msna_first_reception",
            rules,
            facts.arrival,
            facts.left_on,
            today,
        ),
    ];
    if let Some(order) = facts.age_order {
        out.push(Deadline::new(
            "age_assessment",
            "msna_age_assessment",
            rules,
            order,
            facts.age_concluded,
            today,
        ));
    }
    out
}

/// The stay in an adult-centre section allowed to a minor of 16 or 17 (art. 19 c. 3-bis):
/// its term and extension, from the day of placement.
pub fn adult_section_term(
    placed_on: NaiveDate,
    left_on: Option<NaiveDate>,
    rules: &[LegalRule],
    today: NaiveDate,
) -> Deadline {
    Deadline::new(
        "adult_section",
        "msna_adult_section",
        rules,
        placed_on,
        left_on,
        today,
    )
}

/// Days at the hub, counting the day of arrival as day 0 (as the terms do).
pub fn days_in_hub(arrival: NaiveDate, left_on: Option<NaiveDate>, today: NaiveDate) -> i64 {
    (left_on.unwrap_or(today) - arrival).num_days().max(0)
}

/// The worst state among a minor's terms: red before amber before the rest, so the
/// dashboard can put those needing action first.
pub fn worst(deadlines: &[Deadline]) -> DeadlineState {
    let rank = |s: DeadlineState| match s {
        DeadlineState::Overdue => 0,
        DeadlineState::DueSoon => 1,
        DeadlineState::Ok => 2,
        DeadlineState::Done => 3,
    };
    deadlines
        .iter()
        .map(|d| d.state)
        .min_by_key(|s| rank(*s))
        .unwrap_or(DeadlineState::Done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn rule(code: &str, days: i32, ext: Option<i32>, from: &str, to: Option<&str>) -> LegalRule {
        LegalRule {
            id: format!("{code}-{days}"),
            code: code.into(),
            days: Some(days),
            months: None,
            extension_months: None,
            extension_days: ext,
            basis: format!("basis of {code} {days}"),
            valid_from: d(from),
            valid_to: to.map(d),
        }
    }

    /// The rules as the migration seeds them.
    fn rules() -> Vec<LegalRule> {
        vec![
            rule("msna_notify_prosecutor", 0, None, "2017-05-06", None),
            rule("msna_notify_court", 0, None, "2017-05-06", None),
            rule("msna_notify_sim", 0, None, "2017-05-06", None),
            rule("msna_identification", 10, None, "2017-05-06", None),
            rule(
                "msna_first_reception",
                30,
                None,
                "2017-05-06",
                Some("2023-10-05"),
            ),
            rule("msna_first_reception", 45, None, "2023-10-06", None),
            rule("msna_age_assessment", 60, None, "2023-10-06", None),
            rule("msna_adult_section", 90, Some(60), "2023-10-06", None),
        ]
    }

    fn term<'a>(c: &'a [Deadline], code: &str) -> &'a Deadline {
        c.iter().find(|x| x.code == code).unwrap()
    }

    #[test]
    fn notifications_are_due_on_the_day_of_arrival_and_overdue_the_next() {
        let facts = ClockFacts {
            arrival: d("2026-11-25"),
            ..Default::default()
        };
        let on_arrival = clock(&facts, &rules(), d("2026-11-25"));
        let n = term(&on_arrival, "notify_prosecutor");
        assert_eq!(n.due, Some(d("2026-11-25")));
        assert_eq!(n.state, DeadlineState::DueSoon);
        let next_day = clock(&facts, &rules(), d("2026-11-26"));
        assert_eq!(
            term(&next_day, "notify_court").state,
            DeadlineState::Overdue
        );
        let sent = ClockFacts {
            notified: vec![("sim".into(), d("2026-11-25"))],
            ..facts
        };
        let c = clock(&sent, &rules(), d("2026-11-26"));
        assert_eq!(term(&c, "notify_sim").state, DeadlineState::Done);
        assert_eq!(term(&c, "notify_sim").done_on, Some(d("2026-11-25")));
    }

    #[test]
    fn identification_is_due_ten_days_after_arrival() {
        let facts = ClockFacts {
            arrival: d("2026-11-20"),
            ..Default::default()
        };
        let c = clock(&facts, &rules(), d("2026-11-21"));
        assert_eq!(term(&c, "identification").due, Some(d("2026-11-30")));
        assert_eq!(term(&c, "identification").state, DeadlineState::Ok);
        let c = clock(&facts, &rules(), d("2026-12-01"));
        assert_eq!(term(&c, "identification").state, DeadlineState::Overdue);
    }

    #[test]
    fn first_reception_lasts_45_days_for_arrivals_from_6_october_2023_and_30_before() {
        let new = ClockFacts {
            arrival: d("2023-10-06"),
            ..Default::default()
        };
        let c = clock(&new, &rules(), d("2023-10-07"));
        let t = term(&c, "first_reception");
        assert_eq!(t.due, Some(d("2023-11-20")));
        assert!(t.rule.as_ref().unwrap().basis.contains("45"));
        let old = ClockFacts {
            arrival: d("2023-10-05"),
            ..Default::default()
        };
        // A minor who arrived the day before keeps the 30 days, even counted after the change.
        let c = clock(&old, &rules(), d("2023-10-07"));
        assert_eq!(term(&c, "first_reception").due, Some(d("2023-11-04")));
    }

    #[test]
    fn leaving_the_hub_ends_the_first_reception_term() {
        let facts = ClockFacts {
            arrival: d("2026-09-01"),
            left_on: Some(d("2026-10-01")),
            ..Default::default()
        };
        let c = clock(&facts, &rules(), d("2026-11-26"));
        assert_eq!(term(&c, "first_reception").state, DeadlineState::Done);
        assert_eq!(
            days_in_hub(facts.arrival, facts.left_on, d("2026-11-26")),
            30
        );
    }

    #[test]
    fn an_age_assessment_runs_sixty_days_from_the_order_and_none_before_its_rule() {
        let facts = ClockFacts {
            arrival: d("2026-11-01"),
            age_order: Some(d("2026-11-10")),
            ..Default::default()
        };
        let c = clock(&facts, &rules(), d("2026-11-26"));
        assert_eq!(term(&c, "age_assessment").due, Some(d("2027-01-09")));
        let before = ClockFacts {
            arrival: d("2023-01-01"),
            age_order: Some(d("2023-02-01")),
            ..Default::default()
        };
        let c = clock(&before, &rules(), d("2023-02-02"));
        let t = term(&c, "age_assessment");
        assert!(t.rule.is_none() && t.due.is_none(), "no term is made up");
        assert_eq!(t.state, DeadlineState::Ok);
        let none = ClockFacts {
            arrival: d("2026-11-01"),
            ..Default::default()
        };
        assert!(
            clock(&none, &rules(), d("2026-11-02"))
                .iter()
                .all(|t| t.code != "age_assessment")
        );
    }

    #[test]
    fn an_adult_centre_section_allows_90_days_extendable_by_60() {
        let t = adult_section_term(d("2026-01-01"), None, &rules(), d("2026-01-02"));
        assert_eq!(t.due, Some(d("2026-04-01")));
        assert_eq!(t.due_extended, Some(d("2026-05-31")));
    }

    #[test]
    fn the_worst_state_puts_red_before_amber() {
        let facts = ClockFacts {
            arrival: d("2026-11-20"),
            notified: RECIPIENTS
                .iter()
                .map(|r| (r.to_string(), d("2026-11-20")))
                .collect(),
            ..Default::default()
        };
        // Identification due 30/11: amber on 26/11, red on 1/12.
        assert_eq!(
            worst(&clock(&facts, &rules(), d("2026-11-26"))),
            DeadlineState::DueSoon
        );
        assert_eq!(
            worst(&clock(&facts, &rules(), d("2026-12-01"))),
            DeadlineState::Overdue
        );
    }
}
