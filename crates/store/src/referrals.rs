//! Referrals between organisations: a request for help on a case, or the hand-over of the
//! case itself (a transfer). Both are blocked without the person's consent to share; the
//! receiving organisation accepts or rejects with a reason, and completes an accepted
//! referral with an outcome. An accepted transfer makes the receiver the case's owner.

use domain::people::ConsentPurpose;
use domain::policy::Permission;
use domain::{Error, Result};
use serde_json::json;

use crate::audit::{self, Event};
use crate::cases::{event, require_work};
use crate::db::{Ctx, Db, Tx, db_err};
use crate::inbox::{self, Notice, To};
use crate::{Ts, new_id, with_pool, with_tx};

/// What the sender asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Help on the case; the sender keeps it.
    Referral,
    /// Hand the case over: once accepted, the receiver owns it.
    Transfer,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Referral => "referral",
            Kind::Transfer => "transfer",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "referral" => Some(Kind::Referral),
            "transfer" => Some(Kind::Transfer),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Referral {
    pub id: String,
    pub case_id: String,
    pub kind: String,
    pub from_org_id: String,
    pub from_org_name: String,
    pub to_org_id: String,
    pub to_org_name: String,
    pub status: String,
    pub note: Option<String>,
    pub answer: Option<String>,
    pub outcome: Option<String>,
    pub created_at: Ts,
    pub decided_at: Option<Ts>,
    pub completed_at: Option<Ts>,
}

pub(crate) const REFERRAL_COLUMNS: &str = "r.id, r.case_id, r.kind, r.from_org_id, f.name AS from_org_name, \
    r.to_org_id, t.name AS to_org_name, r.status, r.note, r.answer, r.outcome, r.created_at, r.decided_at, \
    r.completed_at FROM referrals r \
    JOIN organisations f ON f.id = r.from_org_id JOIN organisations t ON t.id = r.to_org_id";

const MAX_TEXT: usize = 2000;

fn text(field: &str, s: &str) -> Result<Option<String>> {
    let s = s.trim();
    if s.chars().count() > MAX_TEXT {
        return Err(Error::field(field.to_string(), "field_too_long"));
    }
    Ok((!s.is_empty()).then(|| s.to_string()))
}

async fn load(db: &Db, id: &str) -> Result<Referral> {
    let sql = format!("SELECT {REFERRAL_COLUMNS} WHERE r.id = $1");
    with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id)
        .fetch_optional(p)
        .await)
    .map_err(db_err)?
    .ok_or(Error::NotFound)
}

/// Refers a case to another organisation, or asks it to take the case over. Blocked
/// unless the person's latest word on sharing for referrals is a yes: without consent
/// nothing leaves the organisation.
pub async fn refer(
    db: &Db,
    ctx: &Ctx,
    case_id: &str,
    kind: Kind,
    to_org: &str,
    note: &str,
) -> Result<String> {
    let case = require_work(db, ctx, case_id).await?;
    let from = ctx.actor.org_id.clone().ok_or(Error::Forbidden)?;
    // Only the owner hands a case over; a helping organisation cannot give it away.
    if kind == Kind::Transfer && case.owner_org_id != from {
        return Err(Error::Forbidden);
    }
    if to_org.trim().is_empty() || to_org == from || to_org == case.owner_org_id {
        return Err(Error::field("to_org", "referral_target_invalid"));
    }
    let target = crate::account::get_org(db, ctx, to_org)
        .await
        .map_err(|_| Error::field("to_org", "referral_target_invalid"))?;
    if !crate::people::has_consent(db, &case.person_id, ConsentPurpose::ShareForReferral).await? {
        return Err(Error::field("consent", "consent_required"));
    }
    let note = text("note", note)?;
    let open: (i64,) = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT COUNT(*) FROM referrals WHERE case_id = $1 AND status = 'requested' \
             AND (to_org_id = $2 OR kind = 'transfer' OR $3 = 'transfer')",
        )
        .bind(case_id)
        .bind(to_org)
        .bind(kind.as_str())
        .fetch_one(p)
        .await
    })
    .map_err(db_err)?;
    // One pending request to the same organisation, and one pending hand-over at a time.
    if open.0 > 0 {
        return Err(Error::field("to_org", "referral_exists"));
    }
    if kind == Kind::Referral {
        let accepted: (i64,) = with_pool!(db, |p| {
            sqlx::query_as("SELECT COUNT(*) FROM referrals WHERE case_id = $1 AND to_org_id = $2 AND status = 'accepted'")
                .bind(case_id)
                .bind(to_org)
                .fetch_one(p)
                .await
        })
        .map_err(db_err)?;
        if accepted.0 > 0 {
            return Err(Error::field("to_org", "referral_exists"));
        }
    }
    let id = new_id();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query("INSERT INTO referrals (id, case_id, kind, from_org_id, to_org_id, status, note, created_by, created_at) VALUES ($1,$2,$3,$4,$5,'requested',$6,$7,$8)")
            .bind(&id)
            .bind(case_id)
            .bind(kind.as_str())
            .bind(&from)
            .bind(to_org)
            .bind(&note)
            .bind(&ctx.actor.id)
            .bind(Ts::now())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    let ev = match kind {
        Kind::Referral => "referred",
        Kind::Transfer => "transfer_requested",
    };
    event(&mut tx, ctx, case_id, ev, Some(target.name.clone())).await?;
    inbox::notify(
        &mut tx,
        ctx,
        Notice::new(
            match kind {
                Kind::Referral => "referral",
                Kind::Transfer => "case_transfer",
            },
            To::Queue(to_org, Permission::EditCases),
            "referral",
            &id,
            format!("/cases/{case_id}"),
        )
        .person(&case.person_id)
        .from(Some(&from))
        .summary(note.clone().unwrap_or_default()),
    )
    .await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new(
            match kind {
                Kind::Referral => "referral.create",
                Kind::Transfer => "transfer.create",
            },
            "case",
            Some(case_id),
        )
        .details(json!({"to": to_org, "referral": id})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The receiving organisation accepts or rejects a referral or a transfer (a reason is
/// required to reject). Accepting a transfer makes the receiver the owner and leaves the
/// case unassigned there, for its own staff to pick up.
pub async fn decide_referral(
    db: &Db,
    ctx: &Ctx,
    referral_id: &str,
    accept: bool,
    answer: &str,
) -> Result<String> {
    ctx.actor.require(Permission::EditCases)?;
    let r = load(db, referral_id).await?;
    if ctx.actor.org_id.as_deref() != Some(r.to_org_id.as_str()) {
        return Err(Error::Forbidden);
    }
    if r.status != "requested" {
        return Err(Error::Conflict);
    }
    let answer = text("answer", answer)?;
    if !accept && answer.is_none() {
        return Err(Error::field("answer", "referral_reason_required"));
    }
    let transfer = r.kind == Kind::Transfer.as_str();
    let mut tx = db.begin().await?;
    let now = Ts::now();
    let n = with_tx!(&mut tx, |c| {
        sqlx::query("UPDATE referrals SET status = $1, answer = $2, decided_by = $3, decided_at = $4 WHERE id = $5 AND status = 'requested'")
            .bind(if accept { "accepted" } else { "rejected" })
            .bind(&answer)
            .bind(&ctx.actor.id)
            .bind(now)
            .bind(referral_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    if n == 0 {
        return Err(Error::Conflict);
    }
    if accept && transfer {
        // The sender must still own the case: a hand-over is void once the case has moved.
        let moved = with_tx!(&mut tx, |c| {
            sqlx::query("UPDATE cases SET owner_org_id = $1, assigned_to = NULL, version = version + 1, updated_at = $2 WHERE id = $3 AND owner_org_id = $4")
                .bind(&r.to_org_id)
                .bind(now)
                .bind(&r.case_id)
                .bind(&r.from_org_id)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(db_err)?;
        if moved == 0 {
            return Err(Error::Conflict);
        }
    }
    let kind = match (transfer, accept) {
        (false, true) => "referral_accepted",
        (false, false) => "referral_rejected",
        (true, true) => "transfer_accepted",
        (true, false) => "transfer_rejected",
    };
    event(&mut tx, ctx, &r.case_id, kind, answer.clone()).await?;
    inbox::resolve(
        &mut tx,
        ctx,
        "referral",
        &r.id,
        &["referral", "case_transfer"],
    )
    .await?;
    tell_sender(
        &mut tx,
        ctx,
        &r,
        if accept {
            "referral_accepted"
        } else {
            "referral_rejected"
        },
        answer.clone().unwrap_or_default(),
    )
    .await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new(
            match (transfer, accept) {
                (false, true) => "referral.accept",
                (false, false) => "referral.reject",
                (true, true) => "transfer.accept",
                (true, false) => "transfer.reject",
            },
            "case",
            Some(&r.case_id),
        )
        .details(json!({"referral": r.id, "from": r.from_org_id, "to": r.to_org_id})),
    )
    .await?;
    tx.commit().await?;
    Ok(r.case_id)
}

/// The receiving organisation closes an accepted referral with its outcome (what was done
/// for the person). It keeps read access to the case afterwards, for the record.
pub async fn complete_referral(
    db: &Db,
    ctx: &Ctx,
    referral_id: &str,
    outcome: &str,
) -> Result<String> {
    ctx.actor.require(Permission::EditCases)?;
    let r = load(db, referral_id).await?;
    if ctx.actor.org_id.as_deref() != Some(r.to_org_id.as_str()) {
        return Err(Error::Forbidden);
    }
    if r.kind != Kind::Referral.as_str() || r.status != "accepted" {
        return Err(Error::Conflict);
    }
    let outcome = text("outcome", outcome)?.ok_or(Error::field("outcome", "field_required"))?;
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| {
        sqlx::query("UPDATE referrals SET status = 'completed', outcome = $1, completed_by = $2, completed_at = $3 WHERE id = $4 AND status = 'accepted'")
            .bind(&outcome)
            .bind(&ctx.actor.id)
            .bind(Ts::now())
            .bind(referral_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    if n == 0 {
        return Err(Error::Conflict);
    }
    event(
        &mut tx,
        ctx,
        &r.case_id,
        "referral_completed",
        Some(outcome.clone()),
    )
    .await?;
    tell_sender(&mut tx, ctx, &r, "referral_completed", outcome).await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("referral.complete", "case", Some(&r.case_id))
            .details(json!({"referral": r.id})),
    )
    .await?;
    tx.commit().await?;
    Ok(r.case_id)
}

/// Tells whoever sent a referral that it was answered or completed (in the transaction of
/// the answer).
async fn tell_sender(
    tx: &mut Tx,
    ctx: &Ctx,
    r: &Referral,
    kind: &'static str,
    summary: String,
) -> Result<()> {
    let (sender, person): (String, String) = with_tx!(&mut *tx, |c| {
        sqlx::query_as(
            "SELECT r.created_by, c.person_id FROM referrals r JOIN cases c ON c.id = r.case_id WHERE r.id = $1",
        )
        .bind(&r.id)
        .fetch_one(c)
        .await
    })
    .map_err(db_err)?;
    // Referrals sent by the platform itself (the demo) have no user to tell: the sending
    // organisation's case workers are told instead.
    let to = if inbox::is_user(tx, &sender).await? {
        To::User(&sender)
    } else {
        To::Queue(&r.from_org_id, Permission::EditCases)
    };
    inbox::notify(
        tx,
        ctx,
        Notice::new(kind, to, "referral", &r.id, format!("/cases/{}", r.case_id))
            .person(&person)
            .from(Some(&r.to_org_id))
            .summary(summary),
    )
    .await?;
    Ok(())
}

/// The case a referral belongs to, for one of the two organisations it connects.
pub async fn case_of(db: &Db, ctx: &Ctx, referral_id: &str) -> Result<String> {
    let r = load(db, referral_id).await?;
    let org = ctx.actor.org_id.as_deref();
    if org == Some(r.to_org_id.as_str()) || org == Some(r.from_org_id.as_str()) {
        Ok(r.case_id)
    } else {
        Err(Error::Forbidden)
    }
}
