//! Stated purposes: a programme-wide grant (the Prefecture's officers see every
//! organisation's people and cases) is for supervision, not for reading at will. A record
//! that the actor reaches only through that grant — not their organisation's, not referred
//! to it, not opened by an access request — opens after the actor states why; the purpose
//! is kept for the working day and written into the audit entry of every read it covers.

use domain::account::Scope;
use domain::policy::Permission;
use domain::{Error, FieldError, Result};
use serde_json::json;

use crate::audit::{self, Event};
use crate::db::{Ctx, Db, db_err};
use crate::{Ts, new_id, with_pool, with_tx};

pub const PURPOSES: &[&str] = &[
    "supervision",
    "legal_check",
    "complaint",
    "data_subject_request",
    "other",
];

/// How long a stated purpose covers reads of the same record.
pub const HOURS: i64 = 8;

/// A purpose in force for the actor on a record, if any.
pub async fn active(
    db: &Db,
    ctx: &Ctx,
    subject_type: &str,
    subject_id: &str,
) -> Result<Option<String>> {
    let row: Option<(String,)> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT purpose FROM stated_purposes WHERE user_id = $1 AND subject_type = $2 AND subject_id = $3 \
             AND expires_at > $4 ORDER BY created_at DESC LIMIT 1",
        )
        .bind(&ctx.actor.id)
        .bind(subject_type)
        .bind(subject_id)
        .bind(Ts::now())
        .fetch_optional(p)
        .await
    })
    .map_err(db_err)?;
    Ok(row.map(|r| r.0))
}

/// Records why the actor opens a record outside their organisation and its referrals.
/// Only for those whose grant reaches the whole programme.
pub async fn state(
    db: &Db,
    ctx: &Ctx,
    subject_type: &str,
    subject_id: &str,
    purpose: &str,
    note: &str,
) -> Result<()> {
    let perm = match subject_type {
        "person" => Permission::ViewPeople,
        "case" => Permission::ViewCases,
        _ => return Err(Error::NotFound),
    };
    if ctx.actor.scope_for(perm) != Some(Scope::All) || ctx.actor.org_id.is_none() {
        return Err(Error::Forbidden);
    }
    let mut errs = vec![];
    let purpose = purpose.trim();
    if !PURPOSES.contains(&purpose) {
        errs.push(FieldError::new("purpose", "field_required"));
    }
    let note = note.trim();
    if note.chars().count() > 500 {
        errs.push(FieldError::new("purpose_note", "field_too_long"));
    } else if purpose == "other" && note.is_empty() {
        errs.push(FieldError::new("purpose_note", "field_required"));
    }
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let exists: (i64,) = with_pool!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {} WHERE id = $1",
            if subject_type == "person" {
                "persons"
            } else {
                "cases"
            }
        )))
        .bind(subject_id)
        .fetch_one(p)
        .await
    })
    .map_err(db_err)?;
    if exists.0 == 0 {
        return Err(Error::NotFound);
    }
    let now = Ts::now();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO stated_purposes (id, user_id, subject_type, subject_id, purpose, note, created_at, expires_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
        )
        .bind(new_id())
        .bind(&ctx.actor.id)
        .bind(subject_type)
        .bind(subject_id)
        .bind(purpose)
        .bind(note)
        .bind(now)
        .bind(now.plus_seconds(HOURS * 3600))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("purpose.state", subject_type, Some(subject_id))
            .details(json!({"purpose": purpose, "note": note})),
    )
    .await?;
    tx.commit().await
}
