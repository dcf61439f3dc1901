//! Notes on a case. Workers write down what people tell them, which is often sensitive
//! (health, family, what happened on the journey), so the text is sealed like other
//! special-category data and only read back for someone who may see the case.

use domain::{Error, Result};
use serde_json::json;

use crate::audit::{self, Event};
use crate::cases::{event, require_work};
use crate::crypto::keyring;
use crate::db::{Ctx, Db, db_err};
use crate::{Ts, new_id, with_pool, with_tx};

pub const MAX_NOTE_CHARS: usize = 4000;

#[derive(Debug, Clone, serde::Serialize)]
pub struct Note {
    pub id: String,
    pub author_id: String,
    pub author_name: Option<String>,
    pub created_at: Ts,
    pub body: String,
}

fn aad(case_id: &str) -> String {
    format!("case_notes:{case_id}")
}

/// Adds a note to a case the actor works on.
pub async fn add_note(db: &Db, ctx: &Ctx, case_id: &str, body: &str) -> Result<String> {
    require_work(db, ctx, case_id).await?;
    let body = body.trim();
    if body.is_empty() {
        return Err(Error::field("body", "field_required"));
    }
    if body.chars().count() > MAX_NOTE_CHARS {
        return Err(Error::field("body", "field_too_long"));
    }
    let sealed = keyring(db)?.seal(&aad(case_id), body.as_bytes())?;
    let id = new_id();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query("INSERT INTO case_notes (id, case_id, sealed, author_id, created_at) VALUES ($1,$2,$3,$4,$5)")
            .bind(&id)
            .bind(case_id)
            .bind(&sealed)
            .bind(&ctx.actor.id)
            .bind(Ts::now())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    // The timeline and the audit log say a note was written, never what it says.
    event(&mut tx, ctx, case_id, "note_added", None).await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("case.note_add", "case", Some(case_id)).details(json!({"note": id})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The notes of a case, oldest first, decrypted. The caller has checked that the actor
/// may see the case (and audits that read).
pub(crate) async fn notes_of(db: &Db, case_id: &str) -> Result<Vec<Note>> {
    let rows: Vec<(String, String, Option<String>, Ts, String)> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT n.id, n.author_id, u.full_name, n.created_at, n.sealed FROM case_notes n \
             LEFT JOIN users u ON u.id = n.author_id WHERE n.case_id = $1 ORDER BY n.created_at",
        )
        .bind(case_id)
        .fetch_all(p)
        .await
    })
    .map_err(db_err)?;
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let ring = keyring(db)?;
    rows.into_iter()
        .map(|(id, author_id, author_name, created_at, sealed)| {
            let plain = ring.open(&aad(case_id), &sealed)?;
            Ok(Note {
                id,
                author_id,
                author_name,
                created_at,
                body: String::from_utf8_lossy(&plain).into_owned(),
            })
        })
        .collect()
}
