//! Events that change a minor's stay after it ended or as they come of age: the reports of
//! an absconding (the record stays open for tracing, and a minor found again comes back to
//! the hub), continued support up to 21 and the permit's conversion at 18, and the hub's
//! daily register of presences.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use domain::policy::Permission;
use domain::{Error, FieldError, Result};
use serde_json::json;

use crate::audit::{self, Event};
use crate::db::{Ctx, Db, db_err};
use crate::minors::{MINOR_COLUMNS, Minor, date_in, hub_scope, load_for, movement_in};
use crate::{Ts, with_pool, with_tx};

/// A versioned update of a minor's row: the SQL binds `dates`, then `text` if any, then
/// the time, the id and the version read.
struct Write<'a> {
    sql: &'static str,
    dates: &'a [Option<NaiveDate>],
    text: Option<&'a str>,
}

async fn update(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    w: Write<'_>,
    version: i32,
    action: &str,
) -> Result<()> {
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| {
        let mut q = sqlx::query(w.sql);
        for d in w.dates {
            q = q.bind(*d);
        }
        if let Some(t) = w.text {
            q = q.bind(t);
        }
        q.bind(Ts::now())
            .bind(id)
            .bind(version)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    if n == 0 {
        return Err(Error::Conflict);
    }
    audit::append(&mut tx, ctx, Event::new(action, "minor", Some(id))).await?;
    tx.commit().await
}

/// Records when an absconding was reported to the police and to the juvenile court.
pub async fn record_reports(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    police_on: &str,
    court_on: &str,
    version: i32,
) -> Result<()> {
    let m = load_for(db, ctx, id, Permission::EditMinors).await?;
    if m.status != "absconded" {
        return Err(Error::field("police_report_on", "minor_not_absconded"));
    }
    let from = m.left_on.unwrap_or(m.arrival_date);
    let mut errs = vec![];
    let police = date_in("police_report_on", police_on, from, false, &mut errs);
    let court = date_in("court_report_on", court_on, from, false, &mut errs);
    if police.is_none() && court.is_none() && errs.is_empty() {
        errs.push(FieldError::new("police_report_on", "field_required"));
    }
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    update(
        db,
        ctx,
        id,
        Write {
            sql: "UPDATE minors SET police_report_on = COALESCE($1, police_report_on), court_report_on = COALESCE($2, court_report_on), \
                version = version + 1, updated_at = $3 WHERE id = $4 AND version = $5",
            dates: &[police, court],
            text: None,
        },
        version,
        "minor.absconding_reported",
    )
    .await
}

/// A minor traced after an absconding comes back to the hub: present again, with a new
/// entry in the register (the legal terms still count from the first arrival).
pub async fn return_to_hub(db: &Db, ctx: &Ctx, id: &str, at: &str, version: i32) -> Result<()> {
    let m = load_for(db, ctx, id, Permission::EditMinors).await?;
    if m.status != "absconded" {
        return Err(Error::field("returned_at", "minor_not_absconded"));
    }
    let when: NaiveDateTime = match crate::appointments::parse_when(at) {
        Ok(t) if t.date() > domain::clock::today() => {
            return Err(Error::field("returned_at", "date_in_future"));
        }
        Ok(t) if Some(t.date()) < m.left_on => {
            return Err(Error::field("returned_at", "date_before_arrival"));
        }
        Ok(t) => t,
        Err(_) => return Err(Error::field("returned_at", "datetime_invalid")),
    };
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| {
        sqlx::query("UPDATE minors SET status = 'present', left_on = NULL, version = version + 1, updated_at = $1 \
                     WHERE id = $2 AND version = $3 AND status = 'absconded'")
            .bind(Ts::now())
            .bind(id)
            .bind(version)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(|e| {
        // Back at the hub while another stay of the same person is open.
        if crate::db::is_unique_violation(&e) {
            Error::field("returned_at", "minor_already_present")
        } else {
            db_err(e)
        }
    })?;
    if n == 0 {
        return Err(Error::Conflict);
    }
    movement_in(&mut tx, ctx, id, when, "entry", Some("rintracciato")).await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("minor.returned", "minor", Some(id)),
    )
    .await?;
    tx.commit().await
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct AgeOfMajorityInput {
    pub continued_support_requested_on: String,
    pub continued_support_decision: String,
    pub labour_opinion_requested_on: String,
    pub permit_conversion_on: String,
    pub version: i32,
}

/// The minor's 21st birthday when the date of birth is known (continued support ends by
/// then at the latest).
pub fn twenty_first_birthday(m: &Minor) -> Option<NaiveDate> {
    let (y, mo, d) = (m.birth_year?, m.birth_month?, m.birth_day?);
    NaiveDate::from_ymd_opt(y + 21, mo as u32, d as u32)
        .or_else(|| NaiveDate::from_ymd_opt(y + 21, 3, 1))
}

/// Records the steps at 18: the request for continued support up to 21 (it may come before
/// or after the 18th birthday: L. 47/2017 art. 13 c. 2, Cass. 1674/2026 — so no lower
/// bound but the arrival, and none after 21), its decision, and the permit's conversion
/// with the Ministry of Labour's opinion (TUI art. 32 c. 1-bis).
pub async fn record_age_of_majority(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    input: &AgeOfMajorityInput,
) -> Result<()> {
    let m = load_for(db, ctx, id, Permission::EditMinors).await?;
    let mut errs = vec![];
    let support = date_in(
        "continued_support_requested_on",
        &input.continued_support_requested_on,
        m.arrival_date,
        false,
        &mut errs,
    );
    if let (Some(s), Some(limit)) = (support, twenty_first_birthday(&m))
        && s >= limit
    {
        errs.push(FieldError::new(
            "continued_support_requested_on",
            "continued_support_after_21",
        ));
    }
    let opinion = date_in(
        "labour_opinion_requested_on",
        &input.labour_opinion_requested_on,
        m.arrival_date,
        false,
        &mut errs,
    );
    let conversion = date_in(
        "permit_conversion_on",
        &input.permit_conversion_on,
        m.arrival_date,
        false,
        &mut errs,
    );
    let decision = input.continued_support_decision.trim();
    if decision.chars().count() > 500 {
        errs.push(FieldError::new(
            "continued_support_decision",
            "field_too_long",
        ));
    }
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    update(
        db,
        ctx,
        id,
        Write {
            sql: "UPDATE minors SET continued_support_requested_on = $1, labour_opinion_requested_on = $2, permit_conversion_on = $3, \
                continued_support_decision = $4, version = version + 1, updated_at = $5 WHERE id = $6 AND version = $7",
            dates: &[support, opinion, conversion],
            text: Some(decision),
        },
        input.version,
        "minor.age_of_majority",
    )
    .await
}

/// How many absconded minors the hub dashboard lists unless asked for all.
pub const TRACING_SHOWN: i64 = 50;

/// Minors who absconded from the hubs the actor sees (their records stay open for
/// tracing): those whose reports to the police or the court are still missing first, then
/// the most recent; at most `limit` of them, and how many there are in all. A hub keeps
/// hundreds over a year, and the dashboard is opened all day.
pub async fn tracing(db: &Db, ctx: &Ctx, limit: Option<i64>) -> Result<(Vec<Minor>, i64)> {
    ctx.actor.require(Permission::ViewMinors)?;
    let (filter, org) = hub_scope(ctx, Permission::ViewMinors, "m.hub_org_id", 1)?;
    let limit = limit
        .map(|n| format!(" LIMIT {}", n.max(0)))
        .unwrap_or_default();
    let sql = format!(
        "SELECT {MINOR_COLUMNS} WHERE m.status = 'absconded'{filter} \
         ORDER BY CASE WHEN m.police_report_on IS NULL OR m.court_report_on IS NULL THEN 0 ELSE 1 END, \
         m.left_on DESC, m.id{limit}"
    );
    let minors = with_pool!(db, |p| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
        if let Some(o) = &org {
            q = q.bind(o);
        }
        q.fetch_all(p).await
    })
    .map_err(db_err)?;
    let count_sql = format!("SELECT COUNT(*) FROM minors m WHERE m.status = 'absconded'{filter}");
    let (total,): (i64,) = with_pool!(db, |p| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(count_sql.clone()));
        if let Some(o) = &org {
            q = q.bind(o);
        }
        q.fetch_one(p).await
    })
    .map_err(db_err)?;
    Ok((minors, total))
}

/// One line of the hub's daily register.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct RegisterLine {
    pub minor_id: String,
    pub name: String,
    pub at: NaiveDateTime,
    pub kind: String,
    pub note: Option<String>,
}

/// The daily register of the actor's hub (DM 1/9/2016: every entry, exit and movement):
/// the day's movements and how many minors were present at its end.
pub async fn daily_register(
    db: &Db,
    ctx: &Ctx,
    day: NaiveDate,
) -> Result<(Vec<RegisterLine>, i64)> {
    ctx.actor.require(Permission::ViewMinors)?;
    let hub = ctx.actor.org_id.clone().ok_or(Error::Forbidden)?;
    let from = day.and_time(chrono::NaiveTime::MIN);
    let to = from + chrono::Duration::days(1);
    let lines: Vec<RegisterLine> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT v.minor_id, p.given_names || ' ' || p.family_name AS name, v.at, v.kind, v.note \
             FROM minor_movements v JOIN minors m ON m.id = v.minor_id JOIN persons p ON p.id = m.person_id \
             WHERE m.hub_org_id = $1 AND v.at >= $2 AND v.at < $3 ORDER BY v.at",
        )
        .bind(&hub)
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await
    })
    .map_err(db_err)?;
    // Present at the end of the day: arrived by then and not gone before the next day.
    let present: (i64,) = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT COUNT(*) FROM minors m WHERE m.hub_org_id = $1 AND m.arrived_at < $2 AND (m.left_on IS NULL OR m.left_on > $3)",
        )
        .bind(&hub)
        .bind(to)
        .bind(day)
        .fetch_one(p)
        .await
    })
    .map_err(db_err)?;
    audit::record(
        db,
        &Ctx {
            purpose: Some(crate::minors::PURPOSE_CARE.into()),
            ..ctx.clone()
        },
        Event::new("minor.register_read", "minor", None).details(json!({"day": day.to_string()})),
    )
    .await?;
    Ok((lines, present.0))
}

/// Whether the minor turns 18 within a year or is older (the page then shows the steps).
pub fn near_majority(m: &Minor, today: NaiveDate) -> bool {
    m.age_on(today).is_some_and(|a| a >= 17) || m.birth_year.is_some_and(|y| today.year() - y >= 17)
}
