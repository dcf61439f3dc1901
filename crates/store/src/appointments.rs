//! Appointments of a case: when and where the person must be (the Sportello Unico, the
//! Questura for fingerprints, the info point to sign a form), and whether they came.
//! Times are local to Rome, as people are told them.
//!
//! An appointment may be *with a partner organisation* (a patronato that files the permit
//! kit): the partner receives it in its inbox, with what it needs to prepare (the person's
//! name, the procedure, when, where, why), and confirms it or proposes another time, which
//! the case's workers accept or not. Sharing needs the person's consent, as a referral does.

use chrono::NaiveDateTime;
use domain::{Error, Result};
use serde_json::json;

use crate::audit::{self, Event};
use crate::cases::{event, require_work};
use crate::db::{Ctx, Db, db_err};
use crate::inbox::{self, Notice, To};
use crate::{Ts, new_id, with_pool, with_tx};
use domain::policy::Permission;

pub const STATUSES: &[&str] = &["planned", "done", "missed", "cancelled"];

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Appointment {
    pub id: String,
    pub case_id: String,
    pub starts_at: NaiveDateTime,
    pub place: String,
    pub purpose: Option<String>,
    pub status: String,
    pub partner_org_id: Option<String>,
    pub partner_org_name: Option<String>,
    /// pending, confirmed or proposed (another time), with a partner.
    pub partner_status: Option<String>,
    pub proposed_at: Option<NaiveDateTime>,
    pub partner_note: String,
    pub version: i32,
}

const COLUMNS: &str = "a.id, a.case_id, a.starts_at, a.place, a.purpose, a.status, a.partner_org_id, \
    o.name AS partner_org_name, a.partner_status, a.proposed_at, a.partner_note, a.version \
    FROM case_appointments a LEFT JOIN organisations o ON o.id = a.partner_org_id";

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

/// Plans an appointment on a case the actor works on, with a partner organisation if
/// `partner_org` is not empty.
pub async fn add_appointment(
    db: &Db,
    ctx: &Ctx,
    case_id: &str,
    starts_at: &str,
    place: &str,
    purpose: &str,
    partner_org: &str,
) -> Result<String> {
    let case = require_work(db, ctx, case_id).await?;
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
    let partner = partner_org.trim();
    let partner = (!partner.is_empty()).then_some(partner);
    if let Some(p) = partner {
        let known = crate::account::get_org(db, ctx, p).await;
        if known.is_err() || Some(p) == ctx.actor.org_id.as_deref() {
            errors.push(domain::error::FieldError::new(
                "partner_org",
                "field_invalid_choice",
            ));
        } else if !crate::people::has_consent(
            db,
            &case.person_id,
            domain::people::ConsentPurpose::ShareForReferral,
        )
        .await?
        {
            errors.push(domain::error::FieldError::new(
                "partner_org",
                "consent_required",
            ));
        }
    }
    let when = match when {
        Ok(w) if errors.is_empty() => w,
        _ => return Err(Error::Validation(errors)),
    };
    let id = new_id();
    let now = Ts::now();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query("INSERT INTO case_appointments (id, case_id, starts_at, place, purpose, status, created_by, created_at, updated_at, partner_org_id, partner_status) VALUES ($1,$2,$3,$4,$5,'planned',$6,$7,$7,$8,$9)")
            .bind(&id)
            .bind(case_id)
            .bind(when)
            .bind(place)
            .bind((!purpose.is_empty()).then_some(purpose))
            .bind(&ctx.actor.id)
            .bind(now)
            .bind(partner)
            .bind(partner.map(|_| "pending"))
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
    if let Some(p) = partner {
        ask_partner(&mut tx, ctx, &id, p, &case.person_id, when, place).await?;
    }
    audit::append(
        &mut tx,
        ctx,
        Event::new("case.appointment_add", "case", Some(case_id))
            .details(json!({"appointment": id, "partner": partner})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Puts an appointment in the partner organisation's queue, to confirm or answer with
/// another time.
async fn ask_partner(
    tx: &mut crate::db::Tx,
    ctx: &Ctx,
    id: &str,
    partner: &str,
    person_id: &str,
    when: NaiveDateTime,
    place: &str,
) -> Result<()> {
    inbox::notify(
        tx,
        ctx,
        Notice::new(
            "appointment_request",
            To::Queue(partner, Permission::EditCases),
            "appointment",
            id,
            format!("/appointments/{id}"),
        )
        .person(person_id)
        .from(ctx.actor.org_id.as_deref())
        .summary(format!("{} · {place}", when.format("%d/%m/%Y %H:%M")))
        .due(Some(when.date())),
    )
    .await?;
    Ok(())
}

/// An appointment as the partner organisation sees it: what it needs to prepare.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct PartnerView {
    pub id: String,
    pub case_id: String,
    pub person_name: String,
    pub procedure_name_it: String,
    pub procedure_name_en: String,
    pub from_org_name: String,
    pub starts_at: NaiveDateTime,
    pub place: String,
    pub purpose: Option<String>,
    pub status: String,
    pub partner_org_id: String,
    pub partner_status: String,
    pub proposed_at: Option<NaiveDateTime>,
    pub partner_note: String,
    pub version: i32,
}

const PARTNER_COLUMNS: &str = "a.id, a.case_id, p.given_names || ' ' || p.family_name AS person_name, \
    pr.name_it AS procedure_name_it, pr.name_en AS procedure_name_en, o.name AS from_org_name, a.starts_at, a.place, \
    a.purpose, a.status, a.partner_org_id, a.partner_status, a.proposed_at, a.partner_note, a.version \
    FROM case_appointments a JOIN cases c ON c.id = a.case_id JOIN persons p ON p.id = c.person_id \
    JOIN procedures pr ON pr.code = c.procedure_code JOIN organisations o ON o.id = c.owner_org_id";

/// An appointment with the actor's organisation as partner; the read is audited.
pub async fn for_partner(db: &Db, ctx: &Ctx, id: &str) -> Result<PartnerView> {
    ctx.actor.require(Permission::EditCases)?;
    let sql = format!("SELECT {PARTNER_COLUMNS} WHERE a.id = $1 AND a.partner_org_id IS NOT NULL");
    let v: PartnerView = with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id)
        .fetch_optional(p)
        .await)
    .map_err(db_err)?
    .ok_or(Error::NotFound)?;
    if ctx.actor.org_id.as_deref() != Some(v.partner_org_id.as_str()) {
        return Err(Error::Forbidden);
    }
    audit::record(
        db,
        ctx,
        Event::new("appointment.partner_read", "case", Some(&v.case_id))
            .details(json!({"appointment": id})),
    )
    .await?;
    Ok(v)
}

/// The partner's answer: it confirms, or proposes another time (with a note).
pub async fn partner_answer(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    version: i32,
    confirm: bool,
    proposed: &str,
    note: &str,
) -> Result<()> {
    let v = for_partner(db, ctx, id).await?;
    if v.status != "planned" {
        return Err(Error::field("proposed_at", "appointment_not_planned"));
    }
    let note = note.trim();
    if note.chars().count() > 500 {
        return Err(Error::field("partner_note", "field_too_long"));
    }
    let proposed = if confirm {
        None
    } else {
        let when =
            parse_when(proposed).map_err(|_| Error::field("proposed_at", "datetime_invalid"))?;
        if when <= domain::clock::rome(chrono::Utc::now()) {
            return Err(Error::field("proposed_at", "date_not_future"));
        }
        Some(when)
    };
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| {
        sqlx::query(
            "UPDATE case_appointments SET partner_status = $1, proposed_at = $2, partner_note = $3, \
             version = version + 1, updated_at = $4 WHERE id = $5 AND version = $6 AND status = 'planned'",
        )
        .bind(if confirm { "confirmed" } else { "proposed" })
        .bind(proposed)
        .bind(note)
        .bind(Ts::now())
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
    inbox::resolve(&mut tx, ctx, "appointment", id, &["appointment_request"]).await?;
    let (created_by, person_id): (String, String) = with_tx!(&mut tx, |c| sqlx::query_as(
        "SELECT a.created_by, c.person_id FROM case_appointments a JOIN cases c ON c.id = a.case_id WHERE a.id = $1"
    )
    .bind(id)
    .fetch_one(c)
    .await)
    .map_err(db_err)?;
    let owner: (String,) = with_tx!(&mut tx, |c| sqlx::query_as(
        "SELECT owner_org_id FROM cases WHERE id = $1"
    )
    .bind(&v.case_id)
    .fetch_one(c)
    .await)
    .map_err(db_err)?;
    let to = if inbox::is_user(&mut tx, &created_by).await? {
        To::User(&created_by)
    } else {
        To::Queue(&owner.0, Permission::EditCases)
    };
    inbox::notify(
        &mut tx,
        ctx,
        Notice::new(
            if confirm {
                "appointment_confirmed"
            } else {
                "appointment_proposal"
            },
            to,
            "appointment",
            id,
            format!("/cases/{}#appointments", v.case_id),
        )
        .person(&person_id)
        .from(Some(&v.partner_org_id))
        .summary(match proposed {
            Some(p) => format!("{} {note}", p.format("%d/%m/%Y %H:%M")),
            None => note.to_string(),
        })
        .due(proposed.map(|p| p.date())),
    )
    .await?;
    event(
        &mut tx,
        ctx,
        &v.case_id,
        if confirm {
            "appointment_confirmed"
        } else {
            "appointment_proposed"
        },
        proposed.map(|p| p.format("%Y-%m-%d %H:%M").to_string()),
    )
    .await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("appointment.partner_answer", "case", Some(&v.case_id))
            .details(json!({"appointment": id, "confirmed": confirm})),
    )
    .await?;
    tx.commit().await
}

/// The case's workers take the partner's proposed time (the appointment moves and is
/// confirmed) or keep theirs (the partner is asked again).
pub async fn answer_proposal(
    db: &Db,
    ctx: &Ctx,
    case_id: &str,
    id: &str,
    version: i32,
    accept: bool,
) -> Result<()> {
    let case = require_work(db, ctx, case_id).await?;
    let sql = format!("SELECT {COLUMNS} WHERE a.id = $1 AND a.case_id = $2");
    let a: Appointment = with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id)
        .bind(case_id)
        .fetch_optional(p)
        .await)
    .map_err(db_err)?
    .ok_or(Error::NotFound)?;
    let (Some(partner), Some("proposed"), Some(when)) = (
        a.partner_org_id.clone(),
        a.partner_status.as_deref(),
        a.proposed_at,
    ) else {
        return Err(Error::field("proposal", "appointment_no_proposal"));
    };
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| {
        sqlx::query(
            "UPDATE case_appointments SET starts_at = CASE WHEN $1 THEN proposed_at ELSE starts_at END, \
             partner_status = CASE WHEN $1 THEN 'confirmed' ELSE 'pending' END, proposed_at = NULL, \
             version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4 AND partner_status = 'proposed'",
        )
        .bind(accept)
        .bind(Ts::now())
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
    inbox::resolve(&mut tx, ctx, "appointment", id, &["appointment_proposal"]).await?;
    if !accept {
        // The partner is asked again about the time the case keeps.
        ask_partner(
            &mut tx,
            ctx,
            id,
            &partner,
            &case.person_id,
            a.starts_at,
            &a.place,
        )
        .await?;
    }
    event(
        &mut tx,
        ctx,
        case_id,
        if accept {
            "appointment_moved"
        } else {
            "appointment_kept"
        },
        Some(
            if accept { when } else { a.starts_at }
                .format("%Y-%m-%d %H:%M")
                .to_string(),
        ),
    )
    .await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("case.appointment_proposal", "case", Some(case_id))
            .details(json!({"appointment": id, "accepted": accept})),
    )
    .await?;
    tx.commit().await
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
    // The partner has nothing more to answer about an appointment that happened or not.
    inbox::resolve(
        &mut tx,
        ctx,
        "appointment",
        appointment_id,
        &["appointment_request", "appointment_proposal"],
    )
    .await?;
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
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} WHERE a.case_id = $1 ORDER BY a.starts_at"
        )))
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
            sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} WHERE a.status = 'planned' AND a.starts_at >= $1 AND a.starts_at < $2 ORDER BY a.starts_at"
            )),
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
