//! Exports for SIM, the Ministry of Labour's census of unaccompanied minors: we feed it, we
//! do not replace it. An export lists the hub's minors present or gone in the last weeks
//! with their entry, exit and guardian; each export is kept (who, when, how many, the
//! digest of the file) and, once uploaded, marked sent, which records the census notice of
//! every minor it carried that had none.

use chrono::{NaiveDate, NaiveDateTime};
use domain::policy::Permission;
use domain::{Error, Result};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::{self, Event};
use crate::db::{Ctx, Db, db_err};
use crate::{Ts, new_id, with_pool, with_tx};

/// Minors who left the hub this many days ago or less are still exported (their exit is
/// the event the census needs).
pub const EXIT_WINDOW_DAYS: i64 = 60;

/// One line of the export.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct SimRow {
    pub minor_id: String,
    pub family_name: String,
    pub given_names: String,
    pub sex: Option<String>,
    pub birth_year: Option<i32>,
    pub birth_month: Option<i32>,
    pub birth_day: Option<i32>,
    pub birth_precision: Option<String>,
    pub nationality: Option<String>,
    pub arrived_at: NaiveDateTime,
    pub contact_place: String,
    pub hub_name: String,
    pub status: String,
    pub left_on: Option<NaiveDate>,
    pub guardian: Option<String>,
    pub guardian_appointed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct SimExport {
    pub id: String,
    pub row_count: i32,
    pub sha256: String,
    pub sent_on: Option<NaiveDate>,
    pub created_by: String,
    pub created_by_name: Option<String>,
    pub created_at: Ts,
}

fn hub_of(ctx: &Ctx, perm: Permission) -> Result<String> {
    ctx.actor.require(perm)?;
    ctx.actor.org_id.clone().ok_or(Error::Forbidden)
}

/// The rows an export of the actor's hub carries now.
pub async fn rows(db: &Db, ctx: &Ctx) -> Result<Vec<SimRow>> {
    let hub = hub_of(ctx, Permission::EditMinors)?;
    let since = domain::clock::today() - chrono::Duration::days(EXIT_WINDOW_DAYS);
    with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT m.id AS minor_id, p.family_name, p.given_names, p.sex, p.birth_year, p.birth_month, p.birth_day, \
             p.birth_precision, p.nationality, m.arrived_at, m.contact_place, o.name AS hub_name, m.status, m.left_on, \
             g.full_name AS guardian, mg.appointed_on AS guardian_appointed_on \
             FROM minors m JOIN persons p ON p.id = m.person_id JOIN organisations o ON o.id = m.hub_org_id \
             LEFT JOIN minor_guardians mg ON mg.minor_id = m.id AND mg.ended_on IS NULL \
             LEFT JOIN guardians g ON g.id = mg.guardian_id \
             WHERE m.hub_org_id = $1 AND (m.status = 'present' OR m.left_on >= $2) \
             ORDER BY m.arrived_at",
        )
        .bind(&hub)
        .bind(since)
        .fetch_all(p)
        .await
    })
    .map_err(db_err)
}

/// Records an export of `rows` whose file has `digest`; returns its id.
pub async fn record_export(db: &Db, ctx: &Ctx, rows: &[SimRow], file: &[u8]) -> Result<String> {
    let hub = hub_of(ctx, Permission::EditMinors)?;
    let id = new_id();
    let digest = hex::encode(Sha256::digest(file));
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query("INSERT INTO sim_exports (id, hub_org_id, row_count, sha256, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6)")
            .bind(&id)
            .bind(&hub)
            .bind(rows.len() as i32)
            .bind(&digest)
            .bind(&ctx.actor.id)
            .bind(Ts::now())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    for r in rows {
        with_tx!(&mut tx, |c| {
            sqlx::query("INSERT INTO sim_export_minors (export_id, minor_id) VALUES ($1,$2)")
                .bind(&id)
                .bind(&r.minor_id)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(db_err)?;
    }
    audit::append(
        &mut tx,
        ctx,
        Event::new("minor.sim_export", "sim_export", Some(&id))
            .details(json!({"rows": rows.len(), "sha256": digest})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The hub's exports, newest first.
pub async fn exports(db: &Db, ctx: &Ctx) -> Result<Vec<SimExport>> {
    let hub = hub_of(ctx, Permission::ViewMinors)?;
    with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT e.id, e.row_count, e.sha256, e.sent_on, e.created_by, u.full_name AS created_by_name, e.created_at \
             FROM sim_exports e LEFT JOIN users u ON u.id = e.created_by WHERE e.hub_org_id = $1 ORDER BY e.created_at DESC",
        )
        .bind(&hub)
        .fetch_all(p)
        .await
    })
    .map_err(db_err)
}

/// Marks an export as uploaded to SIM today: the census notice of each minor it carried is
/// recorded unless one already was. Marking twice is a conflict.
pub async fn mark_sent(db: &Db, ctx: &Ctx, export_id: &str) -> Result<usize> {
    let hub = hub_of(ctx, Permission::EditMinors)?;
    let today = domain::clock::today();
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| {
        sqlx::query("UPDATE sim_exports SET sent_on = $1 WHERE id = $2 AND hub_org_id = $3 AND sent_on IS NULL")
            .bind(today)
            .bind(export_id)
            .bind(&hub)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    if n == 0 {
        let exists: Option<(String,)> = with_tx!(&mut tx, |c| {
            sqlx::query_as("SELECT id FROM sim_exports WHERE id = $1 AND hub_org_id = $2")
                .bind(export_id)
                .bind(&hub)
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
    let pending: Vec<(String, NaiveDate)> = with_tx!(&mut tx, |c| {
        sqlx::query_as(
            "SELECT m.id, m.arrival_date FROM sim_export_minors x JOIN minors m ON m.id = x.minor_id WHERE x.export_id = $1 \
             AND NOT EXISTS (SELECT 1 FROM minor_notifications n WHERE n.minor_id = m.id AND n.recipient = 'sim')",
        )
        .bind(export_id)
        .fetch_all(c)
        .await
    })
    .map_err(db_err)?;
    let reference = format!("SIM {}", &export_id[..export_id.len().min(8)]);
    for (minor, _) in &pending {
        with_tx!(&mut tx, |c| {
            sqlx::query("INSERT INTO minor_notifications (id, minor_id, recipient, sent_on, reference, sent_by, created_at) VALUES ($1,$2,'sim',$3,$4,$5,$6)")
                .bind(new_id())
                .bind(minor)
                .bind(today)
                .bind(&reference)
                .bind(&ctx.actor.id)
                .bind(Ts::now())
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(db_err)?;
    }
    audit::append(
        &mut tx,
        ctx,
        Event::new("minor.sim_sent", "sim_export", Some(export_id))
            .details(json!({"notified": pending.len()})),
    )
    .await?;
    tx.commit().await?;
    Ok(pending.len())
}
