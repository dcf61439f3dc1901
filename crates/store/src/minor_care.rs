//! What the hub records about a minor after intake: the interview (always with a cultural
//! mediator), the age assessment, health screenings, siblings, and the volunteer guardian
//! appointed by the court, from a register that warns past a number of minors per guardian.

use chrono::NaiveDate;
use domain::policy::Permission;
use domain::{Error, FieldError, Result};
use serde_json::json;

use crate::audit::{self, Event};
use crate::crypto::keyring;
use crate::db::{Ctx, Db, db_err};
use crate::minors::Minor;
use crate::{Ts, new_id, with_pool, with_tx};

/// A text of at most `max` characters; an empty one is `None`, or a field error if required.
fn text(
    field: &str,
    v: &str,
    max: usize,
    required: bool,
    errs: &mut Vec<FieldError>,
) -> Option<String> {
    if required && v.trim().is_empty() {
        errs.push(FieldError::new(field, "field_required"));
        return None;
    }
    crate::minors::optional(field, v, max, errs)
}

/// A date between the minor's arrival and today (`None` when empty and not required).
fn day_in_stay(
    field: &str,
    v: &str,
    m: &Minor,
    required: bool,
    errs: &mut Vec<FieldError>,
) -> Option<NaiveDate> {
    crate::minors::date_in(field, v, m.arrival_date, required, errs)
}

fn finish<T>(value: Option<T>, errs: Vec<FieldError>) -> Result<T> {
    match value {
        Some(v) if errs.is_empty() => Ok(v),
        _ => Err(Error::Validation(errs)),
    }
}

// ---- Guardians ----

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Guardian {
    pub id: String,
    pub full_name: String,
    pub court_list: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub active: bool,
    /// Minors followed now, siblings counted once.
    pub following: i64,
}

/// Minors a guardian follows now, siblings counted as one.
const FOLLOWING: &str = "(SELECT COUNT(DISTINCT COALESCE(m.family_group, m.id)) FROM minor_guardians mg \
    JOIN minors m ON m.id = mg.minor_id WHERE mg.guardian_id = g.id AND mg.ended_on IS NULL)";

pub async fn guardians(db: &Db, ctx: &Ctx) -> Result<Vec<Guardian>> {
    ctx.actor.require(Permission::ViewMinors)?;
    let sql = format!(
        "SELECT g.id, g.full_name, g.court_list, g.phone, g.email, g.active, {FOLLOWING} AS following \
         FROM guardians g ORDER BY g.active DESC, g.full_name"
    );
    with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .fetch_all(p)
        .await)
    .map_err(db_err)
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct GuardianInput {
    pub full_name: String,
    pub court_list: String,
    pub phone: String,
    pub email: String,
}

/// Adds a volunteer guardian of a court's list to the register.
pub async fn add_guardian(db: &Db, ctx: &Ctx, input: &GuardianInput) -> Result<String> {
    ctx.actor.require(Permission::EditMinors)?;
    let mut errs = vec![];
    let name = text("full_name", &input.full_name, 200, true, &mut errs);
    let court = text("court_list", &input.court_list, 200, true, &mut errs);
    let phone = text("phone", &input.phone, 50, false, &mut errs);
    let email = match domain::validate::optional_email(&input.email) {
        Ok(e) => e,
        Err(e) => {
            errs.push(e);
            None
        }
    };
    let (name, court) = finish(name.zip(court), errs)?;
    let id = new_id();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query("INSERT INTO guardians (id, full_name, court_list, phone, email, active, created_by, created_at) VALUES ($1,$2,$3,$4,$5,TRUE,$6,$7)")
            .bind(&id)
            .bind(&name)
            .bind(&court)
            .bind(&phone)
            .bind(&email)
            .bind(&ctx.actor.id)
            .bind(Ts::now())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("guardian.create", "guardian", Some(&id)),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A minor's current guardian.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Appointment {
    pub guardian_id: String,
    pub full_name: String,
    pub court_list: String,
    pub appointed_on: NaiveDate,
    pub decree: Option<String>,
    pub over_limit: bool,
}

/// Records the court's appointment of a guardian. Past the configured number of minors per
/// guardian (siblings counted once) the appointment needs `confirm_over_limit`: the law
/// wants few minors per volunteer so each is really followed, but the court decides.
pub async fn appoint_guardian(
    db: &Db,
    ctx: &Ctx,
    minor_id: &str,
    guardian_id: &str,
    appointed_on: &str,
    decree: &str,
    confirm_over_limit: bool,
) -> Result<()> {
    let m = crate::minors::load_for(db, ctx, minor_id, Permission::EditMinors).await?;
    let mut errs = vec![];
    let on = day_in_stay("appointed_on", appointed_on, &m, true, &mut errs);
    let decree = text("decree", decree, 200, false, &mut errs);
    let on = finish(on, errs)?;
    // The groups (a minor, or siblings) the guardian follows apart from this minor's.
    let group = m.family_group.clone().unwrap_or_else(|| m.id.clone());
    let others: Vec<(String,)> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT DISTINCT COALESCE(m.family_group, m.id) FROM minor_guardians mg JOIN minors m ON m.id = mg.minor_id \
             WHERE mg.guardian_id = $1 AND mg.ended_on IS NULL",
        )
        .bind(guardian_id)
        .fetch_all(p)
        .await
    })
    .map_err(db_err)?;
    let exists: Option<(bool,)> = with_pool!(db, |p| {
        sqlx::query_as("SELECT active FROM guardians WHERE id = $1")
            .bind(guardian_id)
            .fetch_optional(p)
            .await
    })
    .map_err(db_err)?;
    if !matches!(exists, Some((true,))) {
        return Err(Error::field("guardian_id", "field_invalid_choice"));
    }
    // A sibling of a minor the guardian already follows adds no one to follow.
    let already = others.iter().any(|(g,)| *g == group);
    let over = !already && others.len() + 1 > db.settings.guardian_max_minors;
    if over && !confirm_over_limit {
        return Err(Error::field("guardian_id", "guardian_over_limit"));
    }
    let mut tx = db.begin().await?;
    // A new appointment replaces the current one from its date.
    with_tx!(&mut tx, |c| {
        sqlx::query(
            "UPDATE minor_guardians SET ended_on = $1 WHERE minor_id = $2 AND ended_on IS NULL",
        )
        .bind(on)
        .bind(minor_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    with_tx!(&mut tx, |c| {
        sqlx::query("INSERT INTO minor_guardians (id, minor_id, guardian_id, appointed_on, decree, over_limit, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)")
            .bind(new_id())
            .bind(minor_id)
            .bind(guardian_id)
            .bind(on)
            .bind(&decree)
            .bind(over)
            .bind(&ctx.actor.id)
            .bind(Ts::now())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("minor.guardian_appointed", "minor", Some(minor_id))
            .details(json!({"guardian": guardian_id, "over_limit": over})),
    )
    .await?;
    tx.commit().await
}

/// Records that two minors at the hub are siblings: they share a family group (counted as
/// one for a guardian, and placed together where possible).
pub async fn link_siblings(db: &Db, ctx: &Ctx, minor_id: &str, sibling_id: &str) -> Result<()> {
    let m = crate::minors::load_for(db, ctx, minor_id, Permission::EditMinors).await?;
    let s = match crate::minors::load_for(db, ctx, sibling_id, Permission::EditMinors).await {
        Ok(s) if s.id != m.id => s,
        Ok(_) | Err(Error::NotFound) | Err(Error::Forbidden) => {
            return Err(Error::field("sibling_id", "field_invalid_choice"));
        }
        Err(e) => return Err(e),
    };
    let group = s
        .family_group
        .clone()
        .or_else(|| m.family_group.clone())
        .unwrap_or_else(|| s.id.clone());
    let mut tx = db.begin().await?;
    for id in [&m.id, &s.id] {
        with_tx!(&mut tx, |c| {
            sqlx::query("UPDATE minors SET family_group = $1, updated_at = $2 WHERE id = $3 OR (family_group IS NOT NULL AND family_group = (SELECT family_group FROM minors WHERE id = $3))")
                .bind(&group)
                .bind(Ts::now())
                .bind(id)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(db_err)?;
    }
    audit::append(
        &mut tx,
        ctx,
        Event::new("minor.siblings_linked", "minor", Some(&m.id)).details(json!({"sibling": s.id})),
    )
    .await?;
    tx.commit().await
}

// ---- Interview, age assessment, health ----

#[derive(Debug, Clone, serde::Serialize)]
pub struct Interview {
    pub held_on: NaiveDate,
    pub mediator: String,
    pub language: Option<String>,
    pub staff: String,
    pub summary: Option<String>,
}

/// held_on, mediator, language, staff, sealed summary
type InterviewRow = (NaiveDate, String, Option<String>, String, Option<String>);

fn interview_aad(minor_id: &str) -> String {
    format!("minor_interviews:{minor_id}")
}

fn health_aad(minor_id: &str) -> String {
    format!("health_screenings:{minor_id}")
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct InterviewInput {
    pub held_on: String,
    pub mediator: String,
    pub language: String,
    pub staff: String,
    pub summary: String,
}

/// Records the interview. A cultural mediator always takes part (d.lgs. 142/2015
/// art. 19-bis c. 1): without one it is refused. The summary is sealed.
pub async fn add_interview(
    db: &Db,
    ctx: &Ctx,
    minor_id: &str,
    input: &InterviewInput,
) -> Result<()> {
    let m = crate::minors::load_for(db, ctx, minor_id, Permission::EditMinors).await?;
    let mut errs = vec![];
    let on = day_in_stay("held_on", &input.held_on, &m, true, &mut errs);
    let mediator = text("mediator", &input.mediator, 200, true, &mut errs);
    let staff = text("staff", &input.staff, 300, true, &mut errs);
    let language = text("interview_language", &input.language, 50, false, &mut errs);
    let summary = text("summary", &input.summary, 4000, false, &mut errs);
    let ((on, mediator), staff) = finish(on.zip(mediator).zip(staff), errs)?;
    let sealed = match &summary {
        Some(s) => Some(keyring(db)?.seal(&interview_aad(minor_id), s.as_bytes())?),
        None => None,
    };
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query("INSERT INTO minor_interviews (id, minor_id, held_on, mediator, language, staff, summary_sealed, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)")
            .bind(new_id())
            .bind(minor_id)
            .bind(on)
            .bind(&mediator)
            .bind(&language)
            .bind(&staff)
            .bind(&sealed)
            .bind(&ctx.actor.id)
            .bind(Ts::now())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("minor.interview", "minor", Some(minor_id)),
    )
    .await?;
    tx.commit().await
}

#[derive(Debug, Clone, Default, sqlx::FromRow, serde::Serialize)]
pub struct AgeAssessment {
    pub doubt_raised_on: Option<NaiveDate>,
    pub order_date: Option<NaiveDate>,
    pub team: Option<String>,
    pub method: Option<String>,
    pub result: Option<String>,
    pub margin: Option<String>,
    /// minor, adult, doubt_minor (persisting doubt: the presumption of minority applies)
    pub outcome: Option<String>,
    pub concluded_on: Option<NaiveDate>,
    pub communicated_on: Option<NaiveDate>,
    pub appeal: Option<String>,
    pub version: i32,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct AgeInput {
    pub doubt_raised_on: String,
    pub order_date: String,
    pub team: String,
    pub method: String,
    pub result: String,
    pub margin: String,
    pub outcome: String,
    pub concluded_on: String,
    pub communicated_on: String,
    pub appeal: String,
    pub version: i32,
}

pub const AGE_OUTCOMES: &[&str] = &["minor", "adult", "doubt_minor"];

/// Saves the age assessment (one per minor, updated as it goes: doubt, the prosecutor's
/// order, the team's result, its communication, an appeal). A stale form is a conflict.
pub async fn save_age_assessment(
    db: &Db,
    ctx: &Ctx,
    minor_id: &str,
    input: &AgeInput,
) -> Result<()> {
    let m = crate::minors::load_for(db, ctx, minor_id, Permission::EditMinors).await?;
    let mut errs = vec![];
    let doubt = day_in_stay(
        "doubt_raised_on",
        &input.doubt_raised_on,
        &m,
        true,
        &mut errs,
    );
    let order = day_in_stay("order_date", &input.order_date, &m, false, &mut errs);
    let concluded = day_in_stay("concluded_on", &input.concluded_on, &m, false, &mut errs);
    let communicated = day_in_stay(
        "communicated_on",
        &input.communicated_on,
        &m,
        false,
        &mut errs,
    );
    if let (Some(d), Some(o)) = (doubt, order)
        && o < d
    {
        errs.push(FieldError::new("order_date", "date_before_doubt"));
    }
    if concluded.is_some() && order.is_none() {
        errs.push(FieldError::new("order_date", "field_required"));
    }
    if let (Some(o), Some(c)) = (order, concluded)
        && c < o
    {
        errs.push(FieldError::new("concluded_on", "date_before_order"));
    }
    let outcome = text("outcome", &input.outcome, 20, false, &mut errs);
    if let Some(o) = &outcome
        && !AGE_OUTCOMES.contains(&o.as_str())
    {
        errs.push(FieldError::new("outcome", "field_invalid_choice"));
    }
    if outcome.is_some() && concluded.is_none() {
        errs.push(FieldError::new("concluded_on", "field_required"));
    }
    let team = text("team", &input.team, 300, false, &mut errs);
    let method = text("method", &input.method, 300, false, &mut errs);
    let result = text("result", &input.result, 300, false, &mut errs);
    let margin = text("margin", &input.margin, 100, false, &mut errs);
    let appeal = text("appeal", &input.appeal, 500, false, &mut errs);
    let doubt = finish(doubt, errs)?;
    let now = Ts::now();
    let mut tx = db.begin().await?;
    let n = if input.version == 0 {
        with_tx!(&mut tx, |c| {
            sqlx::query("INSERT INTO age_assessments (id, minor_id, doubt_raised_on, order_date, team, method, result, margin, outcome, concluded_on, communicated_on, appeal, version, created_by, created_at, updated_at) \
                         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,1,$13,$14,$14)")
                .bind(new_id())
                .bind(minor_id)
                .bind(doubt)
                .bind(order)
                .bind(&team)
                .bind(&method)
                .bind(&result)
                .bind(&margin)
                .bind(&outcome)
                .bind(concluded)
                .bind(communicated)
                .bind(&appeal)
                .bind(&ctx.actor.id)
                .bind(now)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })
        // Someone else recorded the first version meanwhile: a conflict, not a second row.
        .map_err(|e| if crate::db::is_unique_violation(&e) { Error::Conflict } else { db_err(e) })?
    } else {
        with_tx!(&mut tx, |c| {
            sqlx::query("UPDATE age_assessments SET doubt_raised_on = $1, order_date = $2, team = $3, method = $4, result = $5, margin = $6, \
                         outcome = $7, concluded_on = $8, communicated_on = $9, appeal = $10, version = version + 1, updated_at = $11 \
                         WHERE minor_id = $12 AND version = $13")
                .bind(doubt)
                .bind(order)
                .bind(&team)
                .bind(&method)
                .bind(&result)
                .bind(&margin)
                .bind(&outcome)
                .bind(concluded)
                .bind(communicated)
                .bind(&appeal)
                .bind(now)
                .bind(minor_id)
                .bind(input.version)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(db_err)?
    };
    if n == 0 {
        return Err(Error::Conflict);
    }
    audit::append(
        &mut tx,
        ctx,
        Event::new("minor.age_assessment", "minor", Some(minor_id))
            .details(json!({"outcome": outcome})),
    )
    .await?;
    tx.commit().await
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Screening {
    pub screened_on: NaiveDate,
    pub by_whom: String,
    pub notes: Option<String>,
}

/// Records a health screening; its notes are health data and sealed.
pub async fn add_health_screening(
    db: &Db,
    ctx: &Ctx,
    minor_id: &str,
    screened_on: &str,
    by_whom: &str,
    notes: &str,
) -> Result<()> {
    let m = crate::minors::load_for(db, ctx, minor_id, Permission::EditMinors).await?;
    let mut errs = vec![];
    let on = day_in_stay("screened_on", screened_on, &m, true, &mut errs);
    let by = text("by_whom", by_whom, 200, true, &mut errs);
    let notes = text("health_notes", notes, 4000, false, &mut errs);
    let (on, by) = finish(on.zip(by), errs)?;
    let sealed = match &notes {
        Some(n) => Some(keyring(db)?.seal(&health_aad(minor_id), n.as_bytes())?),
        None => None,
    };
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query("INSERT INTO health_screenings (id, minor_id, screened_on, by_whom, notes_sealed, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)")
            .bind(new_id())
            .bind(minor_id)
            .bind(on)
            .bind(&by)
            .bind(&sealed)
            .bind(&ctx.actor.id)
            .bind(Ts::now())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("minor.health_screening", "minor", Some(minor_id)),
    )
    .await?;
    tx.commit().await
}

/// Everything recorded after intake, decrypted, for a record the caller may read.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Care {
    pub guardian: Option<Appointment>,
    pub interviews: Vec<Interview>,
    pub age: Option<AgeAssessment>,
    pub health: Vec<Screening>,
    /// Siblings at the hub: id and name.
    pub siblings: Vec<(String, String)>,
}

pub(crate) async fn care_of(db: &Db, m: &Minor) -> Result<Care> {
    let guardian: Option<Appointment> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT mg.guardian_id, g.full_name, g.court_list, mg.appointed_on, mg.decree, mg.over_limit \
             FROM minor_guardians mg JOIN guardians g ON g.id = mg.guardian_id \
             WHERE mg.minor_id = $1 AND mg.ended_on IS NULL",
        )
        .bind(&m.id)
        .fetch_optional(p)
        .await
    })
    .map_err(db_err)?;
    let keys = keyring(db)?;
    let open = |aad: &str, sealed: Option<String>| -> Result<Option<String>> {
        sealed
            .map(|s| {
                keys.open(aad, &s).and_then(|b| {
                    String::from_utf8(b).map_err(|_| Error::internal("sealed text is not UTF-8"))
                })
            })
            .transpose()
    };
    let rows: Vec<InterviewRow> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT held_on, mediator, language, staff, summary_sealed FROM minor_interviews WHERE minor_id = $1 ORDER BY held_on, created_at",
        )
        .bind(&m.id)
        .fetch_all(p)
        .await
    })
    .map_err(db_err)?;
    let mut interviews = vec![];
    for (held_on, mediator, language, staff, sealed) in rows {
        interviews.push(Interview {
            held_on,
            mediator,
            language,
            staff,
            summary: open(&interview_aad(&m.id), sealed)?,
        });
    }
    let age: Option<AgeAssessment> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT doubt_raised_on, order_date, team, method, result, margin, outcome, concluded_on, communicated_on, appeal, version \
             FROM age_assessments WHERE minor_id = $1",
        )
        .bind(&m.id)
        .fetch_optional(p)
        .await
    })
    .map_err(db_err)?;
    let rows: Vec<(NaiveDate, String, Option<String>)> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT screened_on, by_whom, notes_sealed FROM health_screenings WHERE minor_id = $1 ORDER BY screened_on, created_at",
        )
        .bind(&m.id)
        .fetch_all(p)
        .await
    })
    .map_err(db_err)?;
    let mut health = vec![];
    for (screened_on, by_whom, sealed) in rows {
        health.push(Screening {
            screened_on,
            by_whom,
            notes: open(&health_aad(&m.id), sealed)?,
        });
    }
    let siblings: Vec<(String, String)> = match &m.family_group {
        Some(g) => with_pool!(db, |p| {
            sqlx::query_as(
                "SELECT m.id, p.given_names || ' ' || p.family_name FROM minors m JOIN persons p ON p.id = m.person_id \
                 WHERE m.family_group = $1 AND m.id <> $2 ORDER BY p.family_name",
            )
            .bind(g)
            .bind(&m.id)
            .fetch_all(p)
            .await
        })
        .map_err(db_err)?,
        None => vec![],
    };
    Ok(Care {
        guardian,
        interviews,
        age,
        health,
        siblings,
    })
}

/// The prosecutor's order and the conclusion of the age assessment of many minors at once
/// (for the dashboard's clocks).
pub(crate) async fn age_orders_where(
    db: &Db,
    cond: &str,
    bind: Option<&str>,
) -> Result<Vec<(String, Option<NaiveDate>, Option<NaiveDate>)>> {
    let sql = format!(
        "SELECT a.minor_id, a.order_date, a.concluded_on FROM age_assessments a \
         JOIN minors m ON m.id = a.minor_id WHERE {cond}"
    );
    with_pool!(db, |p| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
        if let Some(b) = bind {
            q = q.bind(b);
        }
        q.fetch_all(p).await
    })
    .map_err(db_err)
}
