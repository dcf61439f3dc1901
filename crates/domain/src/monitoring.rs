//! Reception-centre monitoring: how an inspection's answers become a score per heading and
//! overall, and how a centre's risk is reckoned for planning. Pure functions, so both are
//! tested without a database and explained on the page by the same facts.

/// The answer to a yes/no item that takes it out of the score.
pub const NOT_APPLICABLE: &str = "na";

/// Severities of a finding, least serious first.
pub const SEVERITIES: &[&str] = &["minor", "major", "critical"];

/// Kinds of an inspection visit.
pub const VISIT_KINDS: &[&str] = &["scheduled", "unannounced"];

/// One checklist item as answered (or not) in an inspection.
#[derive(Debug, Clone)]
pub struct Answered<'a> {
    pub heading: &'a str,
    /// yes_no, number, text, photo
    pub kind: &'a str,
    pub weight: i32,
    /// For a number item, the value that scores in full (a number without one is only
    /// recorded, never scored).
    pub target: Option<f64>,
    pub value: Option<&'a str>,
}

/// What one answer is worth, from 0 to 1, or None when it does not count: text and photos,
/// "not applicable", an item without weight, a number without a target, or no answer yet.
pub fn item_score(a: &Answered) -> Option<f64> {
    if a.weight <= 0 {
        return None;
    }
    let v = a.value?.trim();
    if v.is_empty() || v == NOT_APPLICABLE {
        return None;
    }
    match a.kind {
        "yes_no" => match v {
            "yes" => Some(1.0),
            "no" => Some(0.0),
            _ => None,
        },
        "number" => {
            let target = a.target.filter(|t| *t > 0.0)?;
            let n = parse_number(v)?;
            Some((n / target).clamp(0.0, 1.0))
        }
        _ => None,
    }
}

/// A number as typed on an Italian or English keyboard ("12,5" or "12.5").
pub fn parse_number(v: &str) -> Option<f64> {
    v.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0)
}

/// Whether an item still needs an answer before the inspection can be closed: yes/no and
/// number items must be answered (possibly "not applicable"); text and photos are optional.
pub fn needs_answer(kind: &str, value: Option<&str>) -> bool {
    matches!(kind, "yes_no" | "number") && value.is_none_or(|v| v.trim().is_empty())
}

/// A heading's score: the weighted share of what it scored, in percent with one decimal,
/// or None when nothing under it counts.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadingScore {
    pub heading: String,
    pub percent: Option<f64>,
    /// The weight that counted, so headings can be compared.
    pub weight: i32,
}

/// Scores per heading (in the items' order) and overall. The overall score weighs every
/// counted item by its own weight, not each heading equally: a heading with one light item
/// does not count as much as one with several heavy ones.
pub fn scores(items: &[Answered]) -> (Vec<HeadingScore>, Option<f64>) {
    let mut headings: Vec<(String, f64, i32)> = vec![];
    let (mut got, mut total) = (0.0, 0);
    for a in items {
        if !headings.iter().any(|h| h.0 == a.heading) {
            headings.push((a.heading.to_string(), 0.0, 0));
        }
        let Some(s) = item_score(a) else { continue };
        if let Some(h) = headings.iter_mut().find(|h| h.0 == a.heading) {
            h.1 += s * f64::from(a.weight);
            h.2 += a.weight;
        }
        got += s * f64::from(a.weight);
        total += a.weight;
    }
    let pct = |g: f64, w: i32| (w > 0).then(|| round1(g * 100.0 / f64::from(w)));
    (
        headings
            .into_iter()
            .map(|(heading, g, w)| HeadingScore {
                heading,
                percent: pct(g, w),
                weight: w,
            })
            .collect(),
        pct(got, total),
    )
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// What is known about a centre when planning inspections.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RiskFacts {
    /// Days since the last closed inspection's visit; None if never inspected.
    pub days_since_inspection: Option<i64>,
    pub open_critical: i64,
    pub open_major: i64,
    pub open_minor: i64,
    /// Corrective actions past their deadline and not verified.
    pub overdue_actions: i64,
    /// Latest guests over capacity, in percent.
    pub occupancy_percent: Option<i64>,
    /// Logged in the last 90 days.
    pub critical_events: i64,
    pub complaints: i64,
}

/// Why a centre scores what it does: each part with its points, shown on the planning page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    NeverInspected,
    MonthsSinceInspection(i64),
    OpenFindings {
        critical: i64,
        major: i64,
        minor: i64,
    },
    OverdueActions(i64),
    OverCapacity(i64),
    CriticalEvents(i64),
    Complaints(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Risk {
    pub score: i64,
    pub reasons: Vec<(Reason, i64)>,
}

/// The risk score of a centre, 0 to 150, and its reasons. The weights are the monitoring
/// office's method, not law: time without a visit counts most (a centre unseen for 16
/// months scores as much as one never seen), then open findings by severity, then what the
/// centre itself reports going wrong.
pub fn risk(f: &RiskFacts) -> Risk {
    let mut reasons = vec![];
    match f.days_since_inspection {
        None => reasons.push((Reason::NeverInspected, 40)),
        Some(d) => {
            let months = d.max(0) / 30;
            let points = (months * 5 / 2).min(40);
            if points > 0 {
                reasons.push((Reason::MonthsSinceInspection(months), points));
            }
        }
    }
    let findings = (f.open_critical * 15 + f.open_major * 6 + f.open_minor * 2).min(40);
    if findings > 0 {
        reasons.push((
            Reason::OpenFindings {
                critical: f.open_critical,
                major: f.open_major,
                minor: f.open_minor,
            },
            findings,
        ));
    }
    if f.overdue_actions > 0 {
        reasons.push((
            Reason::OverdueActions(f.overdue_actions),
            (f.overdue_actions * 4).min(12),
        ));
    }
    if let Some(p) = f.occupancy_percent.filter(|p| *p > 100) {
        reasons.push((Reason::OverCapacity(p), (p - 100).min(20)));
    }
    if f.critical_events > 0 {
        reasons.push((
            Reason::CriticalEvents(f.critical_events),
            (f.critical_events * 5).min(20),
        ));
    }
    if f.complaints > 0 {
        reasons.push((Reason::Complaints(f.complaints), (f.complaints * 3).min(12)));
    }
    Risk {
        score: reasons.iter().map(|r| r.1).sum(),
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a<'a>(heading: &'a str, kind: &'a str, weight: i32, value: Option<&'a str>) -> Answered<'a> {
        Answered {
            heading,
            kind,
            weight,
            target: None,
            value,
        }
    }

    #[test]
    fn yes_counts_in_full_no_counts_nothing_and_not_applicable_is_left_out() {
        let items = [
            a("h", "yes_no", 3, Some("yes")),
            a("h", "yes_no", 1, Some("no")),
            a("h", "yes_no", 5, Some("na")),
        ];
        let (h, overall) = scores(&items);
        assert_eq!(overall, Some(75.0));
        assert_eq!(h[0].percent, Some(75.0));
        assert_eq!(h[0].weight, 4);
    }

    #[test]
    fn overall_score_weighs_items_not_headings() {
        let items = [
            a("light", "yes_no", 1, Some("no")),
            a("heavy", "yes_no", 3, Some("yes")),
            a("heavy", "yes_no", 3, Some("yes")),
        ];
        let (h, overall) = scores(&items);
        assert_eq!(h[0].percent, Some(0.0));
        assert_eq!(h[1].percent, Some(100.0));
        assert_eq!(overall, Some(85.7));
    }

    #[test]
    fn a_number_scores_against_its_target_and_without_one_is_only_recorded() {
        let mut staff = a("staff", "number", 3, Some("80"));
        staff.target = Some(100.0);
        assert_eq!(item_score(&staff), Some(0.8));
        staff.value = Some("130,5");
        assert_eq!(item_score(&staff), Some(1.0));
        let guests = a("admin", "number", 1, Some("52"));
        assert_eq!(item_score(&guests), None);
        let (h, overall) = scores(&[guests]);
        assert_eq!((h[0].percent, overall), (None, None));
    }

    #[test]
    fn text_photo_and_unanswered_items_do_not_count_and_only_yes_no_and_numbers_must_be_answered() {
        assert_eq!(item_score(&a("h", "text", 2, Some("yes"))), None);
        assert_eq!(item_score(&a("h", "photo", 2, Some("x"))), None);
        assert_eq!(item_score(&a("h", "yes_no", 2, None)), None);
        assert!(needs_answer("yes_no", None));
        assert!(needs_answer("number", Some(" ")));
        assert!(!needs_answer("yes_no", Some("na")));
        assert!(!needs_answer("text", None));
        assert!(!needs_answer("photo", None));
    }

    #[test]
    fn a_centre_never_inspected_over_capacity_with_events_outranks_one_recently_seen() {
        let neglected = risk(&RiskFacts {
            days_since_inspection: Some(430),
            occupancy_percent: Some(107),
            critical_events: 2,
            ..Default::default()
        });
        assert_eq!(neglected.score, 35 + 7 + 10);
        assert_eq!(
            neglected.reasons[0],
            (Reason::MonthsSinceInspection(14), 35)
        );
        let recent = risk(&RiskFacts {
            days_since_inspection: Some(90),
            open_major: 1,
            occupancy_percent: Some(113),
            ..Default::default()
        });
        assert_eq!(recent.score, 7 + 6 + 13);
        assert!(neglected.score > recent.score);
        let never = risk(&RiskFacts::default());
        assert_eq!(never.reasons, vec![(Reason::NeverInspected, 40)]);
    }

    #[test]
    fn each_part_of_the_risk_is_capped() {
        let r = risk(&RiskFacts {
            days_since_inspection: Some(10_000),
            open_critical: 10,
            overdue_actions: 10,
            occupancy_percent: Some(400),
            critical_events: 10,
            complaints: 10,
            ..Default::default()
        });
        assert_eq!(r.score, 40 + 40 + 12 + 20 + 20 + 12);
    }
}
