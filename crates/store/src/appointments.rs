//! Appointments of a case: when and where the person must be (the Sportello Unico, the
//! Questura for fingerprints, the info point to sign a form), and whether they came.
//! Times are local to Rome, as people are told them.

use chrono::NaiveDateTime;
use domain::{Error, Result};
use serde_json::json;

use crate::audit::{self, Event};
use crate::cases::{event, require_work};
use crate::db::{Ctx, Db, db_err};
use crate::{Ts, new_id, with_pool, with_tx};

pub const STATUSES: &[&str] = &["planned", "done", "missed", "cancelled"];

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Appointment {
    pub id: String,
    pub case_id: String,
    pub starts_at: NaiveDateTime,
    pub place: String,
    pub purpose: Option<String>,
    pub status: String,
}

/// Reads `YYYY-MM-DDTHH:MM` (what a `datetime-local` field sends), with or without seconds,
/// and with a space instead of the `T`.
pub fn parse_when(s: &str) -> Result<NaiveDateTime> {
    let s = s.trim();
    [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .ok_or(Error::field("starts_at", "datetime_invalid"))
}

/// Plans an appointment on a case the actor works on.
pub async fn add_appointment(
    db: &Db,
    ctx: &Ctx,
    case_id: &str,
    starts_at: &str,
    place: &str,
    purpose: &str,
) -> Result<String> {
    require_work(db, ctx, case_id).await?;
    let mut errors = vec![];
    let when = parse_when(starts_at).map_err(|e| errors.extend(e.fields().to_vec()));
    let place = place.trim();
    if place.is_empty() {
        errors.push(domain::error::FieldError::new("place", "field_required"));
    } else if place.chars().count() > 200 {
        errors.push(domain::error::FieldError::new("place", "field_too_long"));
    }
    let purpose = purpose.trim();
    if purpose.chars().count() > 500 {
        errors.push(domain::error::FieldError::new("purpose", "field_too_long"));
    }
    let when = match when {
        Ok(w) if errors.is_empty() => w,
        _ => return Err(Error::Validation(errors)),
    };
    let id = new_id();
    let now = Ts::now();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query("INSERT INTO case_appointments (id, case_id, starts_at, place, purpose, status, created_by, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,'planned',$6,$7,$7)")
            .bind(&id)
            .bind(case_id)
            .bind(when)
            .bind(place)
            .bind((!purpose.is_empty()).then_some(purpose))
            .bind(&ctx.actor.id)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    event(
        &mut tx,
        ctx,
        case_id,
        "appointment_planned",
        Some(format!("{} · {place}", when.format("%Y-%m-%d %H:%M"))),
    )
    .await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("case.appointment_add", "case", Some(case_id))
            .details(json!({"appointment": id})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Records how a planned appointment went (done, missed) or that it was cancelled. Only a
/// planned appointment changes: a second answer is a conflict, not an overwrite.
pub async fn set_status(
    db: &Db,
    ctx: &Ctx,
    case_id: &str,
    appointment_id: &str,
    status: &str,
) -> Result<()> {
    require_work(db, ctx, case_id).await?;
    if !STATUSES.contains(&status) || status == "planned" {
        return Err(Error::field("status", "field_required"));
    }
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| {
        sqlx::query("UPDATE case_appointments SET status = $1, updated_at = $2 WHERE id = $3 AND case_id = $4 AND status = 'planned'")
            .bind(status)
            .bind(Ts::now())
            .bind(appointment_id)
            .bind(case_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    if n == 0 {
        let exists: Option<(String,)> = with_tx!(&mut tx, |c| {
            sqlx::query_as("SELECT id FROM case_appointments WHERE id = $1 AND case_id = $2")
                .bind(appointment_id)
                .bind(case_id)
                .fetch_optional(c)
                .await
        })
        .map_err(db_err)?;
        return Err(if exists.is_some() {
            Error::Conflict
        } else {
            Error::NotFound
        });
    }
    event(
        &mut tx,
        ctx,
        case_id,
        &format!("appointment_{status}"),
        None,
    )
    .await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("case.appointment_update", "case", Some(case_id))
            .details(json!({"appointment": appointment_id, "status": status})),
    )
    .await?;
    tx.commit().await
}

/// A case's appointments in time order. The caller has checked access to the case.
pub(crate) async fn of_case(db: &Db, case_id: &str) -> Result<Vec<Appointment>> {
    with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT id, case_id, starts_at, place, purpose, status FROM case_appointments \
             WHERE case_id = $1 ORDER BY starts_at",
        )
        .bind(case_id)
        .fetch_all(p)
        .await
    })
    .map_err(db_err)
}

/// Planned appointments of the given cases between two moments (for the worker's list).
pub(crate) async fn planned_between(
    db: &Db,
    case_ids: &[String],
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<Vec<Appointment>> {
    if case_ids.is_empty() {
        return Ok(vec![]);
    }
    // The window is a few days: read it whole and keep the cases asked for, rather than
    // bind hundreds of ids (SQLite's driver looks each bound name up, so that grows with
    // the square of the list).
    let wanted: std::collections::HashSet<&str> = case_ids.iter().map(String::as_str).collect();
    let all: Vec<Appointment> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT id, case_id, starts_at, place, purpose, status FROM case_appointments \
             WHERE status = 'planned' AND starts_at >= $1 AND starts_at < $2 ORDER BY starts_at",
        )
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await
    })
    .map_err(db_err)?;
    Ok(all
        .into_iter()
        .filter(|a| wanted.contains(a.case_id.as_str()))
        .collect())
}
