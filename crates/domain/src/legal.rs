//! Legal terms as versioned rules: each term has its legal basis and the period of filing
//! dates it applies to, so that a case is judged by the rule in force when it was filed —
//! never by a number written in the code.

use chrono::{Months, NaiveDate};
use serde::Serialize;

/// One version of a legal term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LegalRule {
    pub id: String,
    /// What the term is for, e.g. `family_reunification_decision`.
    pub code: String,
    pub days: Option<i32>,
    pub months: Option<i32>,
    /// A possible extension (months) on top of the term, e.g. citizenship 24 + 12.
    pub extension_months: Option<i32>,
    /// A possible extension in days, e.g. a minor's stay in an adult-centre section 90 + 60.
    pub extension_days: Option<i32>,
    /// The law that sets it, as shown to people.
    pub basis: String,
    /// Filing dates the rule applies to (inclusive); open-ended when `valid_to` is None.
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

impl LegalRule {
    pub fn applies_to(&self, filed: NaiveDate) -> bool {
        self.valid_from <= filed && self.valid_to.is_none_or(|to| filed <= to)
    }

    /// The due date for a filing date (without any extension).
    pub fn due(&self, filed: NaiveDate) -> Option<NaiveDate> {
        let after_months = match self.months {
            Some(m) => filed.checked_add_months(Months::new(u32::try_from(m).ok()?))?,
            None => filed,
        };
        match self.days {
            Some(d) => after_months.checked_add_days(chrono::Days::new(u64::try_from(d).ok()?)),
            None => Some(after_months),
        }
    }

    /// The latest date if the extension is used.
    pub fn due_extended(&self, filed: NaiveDate) -> Option<NaiveDate> {
        if self.extension_months.is_none() && self.extension_days.is_none() {
            return None;
        }
        let mut due = self.due(filed)?;
        if let Some(m) = self.extension_months {
            due = due.checked_add_months(Months::new(u32::try_from(m).ok()?))?;
        }
        if let Some(d) = self.extension_days {
            due = due.checked_add_days(chrono::Days::new(u64::try_from(d).ok()?))?;
        }
        Some(due)
    }
}

/// The rule of `code` in force for a filing date, if any.
pub fn rule_for<'a>(rules: &'a [LegalRule], code: &str, filed: NaiveDate) -> Option<&'a LegalRule> {
    rules.iter().find(|r| r.code == code && r.applies_to(filed))
}

/// Where a deadline stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineState {
    Done,
    Overdue,
    DueSoon,
    Ok,
}

impl DeadlineState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineState::Done => "done",
            DeadlineState::Overdue => "overdue",
            DeadlineState::DueSoon => "due_soon",
            DeadlineState::Ok => "ok",
        }
    }
}

/// "Due soon" is within this many days.
pub const DUE_SOON_DAYS: i64 = 7;

pub fn deadline_state(due: NaiveDate, today: NaiveDate, done: bool) -> DeadlineState {
    if done {
        DeadlineState::Done
    } else if due < today {
        DeadlineState::Overdue
    } else if (due - today).num_days() <= DUE_SOON_DAYS {
        DeadlineState::DueSoon
    } else {
        DeadlineState::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn citizenship() -> Vec<LegalRule> {
        let r = |id: &str, months, ext, from: &str, to: Option<&str>| LegalRule {
            id: id.into(),
            code: "citizenship_decision".into(),
            days: None,
            months: Some(months),
            extension_months: ext,
            extension_days: None,
            basis: id.into(),
            valid_from: d(from),
            valid_to: to.map(d),
        };
        vec![
            r("48m", 48, None, "2018-10-05", Some("2020-12-19")),
            r("24+12", 24, Some(12), "2020-12-20", Some("2025-05-23")),
            r("24", 24, None, "2025-05-24", None),
        ]
    }

    #[test]
    fn the_citizenship_term_follows_the_filing_date() {
        let rules = citizenship();
        let old = rule_for(&rules, "citizenship_decision", d("2019-03-01")).unwrap();
        assert_eq!(old.due(d("2019-03-01")), Some(d("2023-03-01")));
        let mid = rule_for(&rules, "citizenship_decision", d("2023-06-15")).unwrap();
        assert_eq!(mid.due(d("2023-06-15")), Some(d("2025-06-15")));
        assert_eq!(mid.due_extended(d("2023-06-15")), Some(d("2026-06-15")));
        let new = rule_for(&rules, "citizenship_decision", d("2025-05-24")).unwrap();
        assert_eq!(new.due_extended(d("2025-05-24")), None);
        // Boundaries are inclusive on both sides.
        assert_eq!(
            rule_for(&rules, "citizenship_decision", d("2025-05-23"))
                .unwrap()
                .id,
            "24+12"
        );
        assert!(rule_for(&rules, "citizenship_decision", d("2010-01-01")).is_none());
    }

    #[test]
    fn a_term_in_days_counts_calendar_days() {
        let r = LegalRule {
            id: "fr".into(),
            code: "family_reunification_decision".into(),
            days: Some(150),
            months: None,
            extension_months: None,
            extension_days: None,
            basis: "TUI art. 29".into(),
            valid_from: d("2024-10-11"),
            valid_to: None,
        };
        assert_eq!(r.due(d("2026-11-02")), Some(d("2027-04-01")));
    }

    #[test]
    fn deadlines_turn_amber_a_week_before_and_red_after() {
        let today = d("2026-11-26");
        assert_eq!(
            deadline_state(d("2026-11-25"), today, false),
            DeadlineState::Overdue
        );
        assert_eq!(
            deadline_state(d("2026-12-03"), today, false),
            DeadlineState::DueSoon
        );
        assert_eq!(
            deadline_state(d("2026-12-04"), today, false),
            DeadlineState::Ok
        );
        assert_eq!(
            deadline_state(d("2026-11-01"), today, true),
            DeadlineState::Done
        );
    }
}
