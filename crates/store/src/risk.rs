//! Risk-based planning of inspections and the monitoring figures. The facts of every centre
//! are gathered with a handful of grouped queries (not one per centre), scored by
//! `domain::monitoring::risk`, and ranked.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::Result;
use domain::monitoring::{Risk, RiskFacts, risk};
use domain::policy::Permission;

use crate::centres::{Centre, Filter};
use crate::db::{Ctx, Db, db_err};
use crate::with_pool;

/// A centre on the planning page: its risk with the reasons, its last visit, and the next
/// inspection already planned, if any.
#[derive(Debug, Clone)]
pub struct Ranked {
    pub centre: Centre,
    pub risk: Risk,
    pub last_visit: Option<NaiveDate>,
    pub planned: Option<NaiveDate>,
}

async fn grouped<T>(db: &Db, sql: &'static str, since: NaiveDate) -> Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin,
{
    with_pool!(db, |p| sqlx::query_as(sql).bind(since).fetch_all(p).await).map_err(db_err)
}

/// A date before any record, for the grouped queries that need no bound.
const EARLIEST: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// The facts that drive the score, per centre id.
async fn facts(
    db: &Db,
    today: NaiveDate,
) -> Result<HashMap<String, (RiskFacts, Option<NaiveDate>, Option<NaiveDate>)>> {
    let mut out: HashMap<String, (RiskFacts, Option<NaiveDate>, Option<NaiveDate>)> =
        HashMap::new();
    let since = today - chrono::Duration::days(90);
    let visits: Vec<(String, Option<NaiveDate>)> = grouped(
        db,
        "SELECT centre_id, MAX(visited_on) FROM inspections WHERE status = 'closed' AND visited_on >= $1 GROUP BY centre_id",
        EARLIEST,
    )
    .await?;
    for (c, d) in visits {
        let e = out.entry(c).or_default();
        e.1 = d;
        e.0.days_since_inspection = d.map(|d| (today - d).num_days());
    }
    let planned: Vec<(String, Option<NaiveDate>)> = grouped(
        db,
        "SELECT centre_id, MIN(planned_on) FROM inspections WHERE status IN ('planned','in_progress') AND planned_on >= $1 GROUP BY centre_id",
        EARLIEST,
    )
    .await?;
    for (c, d) in planned {
        out.entry(c).or_default().2 = d;
    }
    let open: Vec<(String, String, i64)> = grouped(
        db,
        "SELECT a.centre_id, f.severity, COUNT(*) FROM corrective_actions a JOIN findings f ON f.id = a.finding_id \
         WHERE a.status <> 'verified' AND a.due_on >= $1 GROUP BY a.centre_id, f.severity",
        EARLIEST,
    )
    .await?;
    for (c, sev, n) in open {
        let f = &mut out.entry(c).or_default().0;
        match sev.as_str() {
            "critical" => f.open_critical = n,
            "major" => f.open_major = n,
            _ => f.open_minor = n,
        }
    }
    let overdue: Vec<(String, i64)> = grouped(
        db,
        "SELECT centre_id, COUNT(*) FROM corrective_actions WHERE status <> 'verified' AND due_on < $1 GROUP BY centre_id",
        today,
    )
    .await?;
    for (c, n) in overdue {
        out.entry(c).or_default().0.overdue_actions = n;
    }
    let events: Vec<(String, String, i64)> = grouped(
        db,
        "SELECT centre_id, kind, COUNT(*) FROM centre_events WHERE occurred_on >= $1 GROUP BY centre_id, kind",
        since,
    )
    .await?;
    for (c, kind, n) in events {
        let f = &mut out.entry(c).or_default().0;
        if kind == "critical_event" {
            f.critical_events = n;
        } else {
            f.complaints = n;
        }
    }
    Ok(out)
}

/// Every centre the office monitors, highest risk first (ties: the longest unseen, then
/// by name).
pub async fn ranking(db: &Db, ctx: &Ctx) -> Result<Vec<Ranked>> {
    ctx.actor.require(Permission::Inspect)?;
    let today = domain::clock::today();
    let centres = crate::centres::list(db, ctx, &Filter::default()).await?;
    let mut facts = facts(db, today).await?;
    let mut out: Vec<Ranked> = centres
        .into_iter()
        // Centres under a contract the office checks; facilities without one (the hub's
        // partners for minors) are not inspected against a checklist.
        .filter(|c| c.active && c.contract_schema.is_some())
        .map(|c| {
            let (mut f, last, planned) = facts.remove(&c.id).unwrap_or_default();
            f.occupancy_percent = c.occupancy_percent();
            Ranked {
                risk: risk(&f),
                last_visit: last,
                planned,
                centre: c,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.risk
            .score
            .cmp(&a.risk.score)
            .then(a.last_visit.cmp(&b.last_visit))
            .then(a.centre.name.cmp(&b.centre.name))
    });
    Ok(out)
}

/// Monitoring figures across all centres: counts and averages only.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Figures {
    pub centres: i64,
    pub guests: i64,
    pub capacity: i64,
    pub centres_over_capacity: i64,
    pub inspections_closed_12m: i64,
    pub average_score_12m: Option<f64>,
    pub open_critical: i64,
    pub open_major: i64,
    pub open_minor: i64,
    pub overdue_actions: i64,
    pub critical_events_90d: i64,
    pub complaints_90d: i64,
    pub penalties_12m_cents: i64,
    /// Legal consultations in the last 12 months, by topic.
    pub consultations_12m: Vec<(String, i64)>,
}

pub async fn figures(db: &Db, ctx: &Ctx) -> Result<Figures> {
    ctx.actor.require(Permission::ViewMonitoringFigures)?;
    let today = domain::clock::today();
    let year_ago = today - chrono::Duration::days(365);
    let mut f = Figures::default();
    let sys = Ctx::system("monitoring-figures");
    for c in crate::centres::list(db, &sys, &Filter::default())
        .await?
        .into_iter()
        .filter(|c| c.active)
    {
        f.centres += 1;
        f.guests += i64::from(c.guests().unwrap_or(0));
        f.capacity += i64::from(c.capacity().unwrap_or(0));
        if c.occupancy_percent().is_some_and(|p| p > 100) {
            f.centres_over_capacity += 1;
        }
    }
    let (n, avg): (i64, Option<f64>) = with_pool!(db, |p| {
        sqlx::query_as(
        "SELECT COUNT(*), AVG(score) FROM inspections WHERE status = 'closed' AND visited_on >= $1"
    )
    .bind(year_ago)
    .fetch_one(p)
    .await
    })
    .map_err(db_err)?;
    f.inspections_closed_12m = n;
    f.average_score_12m = avg.map(|a| (a * 10.0).round() / 10.0);
    for (_, (facts, _, _)) in facts(db, today).await? {
        f.open_critical += facts.open_critical;
        f.open_major += facts.open_major;
        f.open_minor += facts.open_minor;
        f.overdue_actions += facts.overdue_actions;
        f.critical_events_90d += facts.critical_events;
        f.complaints_90d += facts.complaints;
    }
    let (pen,): (Option<i64>,) = with_pool!(db, |p| sqlx::query_as(
        "SELECT CAST(SUM(amount_cents) AS BIGINT) FROM action_events WHERE kind = 'penalty' AND at >= $1"
    )
    .bind(crate::Ts::now().plus_seconds(-365 * 86_400))
    .fetch_one(p)
    .await)
    .map_err(db_err)?;
    f.penalties_12m_cents = pen.unwrap_or(0);
    f.consultations_12m = with_pool!(db, |p| sqlx::query_as(
        "SELECT topic, COUNT(*) FROM legal_consultations WHERE held_on >= $1 GROUP BY topic ORDER BY topic"
    )
    .bind(year_ago)
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    Ok(f)
}
