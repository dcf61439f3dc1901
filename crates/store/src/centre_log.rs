//! What happens at a centre between inspections: critical events the managing body must
//! report and guests' complaints (both feed the risk score), and the legal-support
//! consultations held for guests (WP3). Descriptions and notes are sealed at rest and every
//! read of them is audited; legal notes are never shown to the centre's manager.

use chrono::NaiveDate;
use domain::policy::Permission;
use domain::{Error, FieldError, Result};
use serde_json::json;

use crate::audit::{self, Event};
use crate::crypto::keyring;
use crate::db::{Ctx, Db, db_err};
use crate::{Ts, new_id, with_pool, with_tx};

pub const EVENT_KINDS: &[&str] = &["critical_event", "complaint"];

/// Categories by kind: what the Prefecture's circulars ask centres to report, and what
/// guests complain about.
pub const EVENT_CATEGORIES: &[(&str, &[&str])] = &[
    (
        "critical_event",
        &[
            "violence",
            "health_emergency",
            "fire_or_damage",
            "absconding",
            "protest",
            "other",
        ],
    ),
    (
        "complaint",
        &[
            "food",
            "hygiene",
            "services",
            "staff_conduct",
            "pocket_money",
            "other",
        ],
    ),
];

pub const LEGAL_TOPICS: &[&str] = &[
    "asylum_application",
    "asylum_appeal",
    "dublin",
    "residence_permit",
    "family_reunification",
    "reception_conditions",
    "other",
];

#[derive(Debug, Clone, serde::Serialize)]
pub struct CentreEvent {
    pub id: String,
    pub kind: String,
    pub category: String,
    pub occurred_on: NaiveDate,
    pub description: String,
    pub reported_by: String,
    pub reported_at: Ts,
}

/// An event or complaint as typed.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct EventInput {
    pub kind: String,
    pub category: String,
    pub occurred_on: String,
    pub description: String,
}

fn event_aad(id: &str) -> String {
    format!("centre_events:{id}")
}

fn legal_aad(id: &str) -> String {
    format!("legal_consultations:{id}")
}

/// Logs a critical event or a complaint for a centre the actor reaches.
pub async fn log_event(db: &Db, ctx: &Ctx, centre_id: &str, i: &EventInput) -> Result<String> {
    ctx.actor.require(Permission::LogCentreEvents)?;
    let c = crate::centres::get(db, ctx, centre_id, Permission::ViewCentres).await?;
    if !ctx
        .actor
        .reaches(Permission::LogCentreEvents, &c.org_id, None)
    {
        return Err(Error::Forbidden);
    }
    let mut errs = vec![];
    let cats = EVENT_CATEGORIES
        .iter()
        .find(|(k, _)| *k == i.kind)
        .map(|(_, c)| *c);
    match cats {
        None => errs.push(FieldError::new("kind", "field_invalid_choice")),
        Some(c) if !c.contains(&i.category.as_str()) => {
            errs.push(FieldError::new("category", "field_invalid_choice"))
        }
        Some(_) => {}
    }
    let day = crate::cases::past_date("occurred_on", &i.occurred_on, &mut errs);
    let description = domain::validate::required_text("description", &i.description, 4000)
        .map_err(|e| errs.push(e))
        .ok();
    let (Some(day), Some(description), true) = (day, description, errs.is_empty()) else {
        return Err(Error::Validation(errs));
    };
    let id = new_id();
    let sealed = keyring(db)?.seal(&event_aad(&id), description.as_bytes())?;
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO centre_events (id, centre_id, kind, category, occurred_on, sealed, reported_by, reported_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8)"
    )
    .bind(&id)
    .bind(centre_id)
    .bind(&i.kind)
    .bind(&i.category)
    .bind(day)
    .bind(&sealed)
    .bind(&ctx.actor.id)
    .bind(Ts::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("centre.event_log", "centre", Some(centre_id))
            .details(json!({"event": id, "kind": i.kind, "category": i.category})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A centre's events and complaints, newest first, descriptions opened; the read is audited.
pub async fn events(db: &Db, ctx: &Ctx, centre_id: &str) -> Result<Vec<CentreEvent>> {
    crate::centres::get(db, ctx, centre_id, Permission::ViewCentres).await?;
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        kind: String,
        category: String,
        occurred_on: NaiveDate,
        sealed: String,
        reported_by: String,
        reported_at: Ts,
    }
    let rows: Vec<Row> = with_pool!(db, |p| sqlx::query_as(
        "SELECT e.id, e.kind, e.category, e.occurred_on, e.sealed, COALESCE(u.full_name, e.reported_by) AS reported_by, e.reported_at \
         FROM centre_events e LEFT JOIN users u ON u.id = e.reported_by WHERE e.centre_id = $1 \
         ORDER BY e.occurred_on DESC, e.reported_at DESC LIMIT 200"
    )
    .bind(centre_id)
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let keys = keyring(db)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let text = keys.open(&event_aad(&r.id), &r.sealed)?;
        out.push(CentreEvent {
            description: String::from_utf8_lossy(&text).into_owned(),
            id: r.id,
            kind: r.kind,
            category: r.category,
            occurred_on: r.occurred_on,
            reported_by: r.reported_by,
            reported_at: r.reported_at,
        });
    }
    audit::record(
        db,
        ctx,
        Event::new("centre.events_read", "centre", Some(centre_id))
            .details(json!({"count": out.len()})),
    )
    .await?;
    Ok(out)
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Consultation {
    pub id: String,
    pub held_on: NaiveDate,
    pub topic: String,
    pub language: String,
    pub person_id: Option<String>,
    pub notes: String,
    pub recorded_by: String,
}

/// A consultation as typed.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ConsultationInput {
    pub held_on: String,
    pub topic: String,
    pub language: String,
    /// Optional: the guest's record in the register, when there is one.
    pub person_id: String,
    pub notes: String,
}

/// Records a legal-support consultation held at a centre.
pub async fn record_consultation(
    db: &Db,
    ctx: &Ctx,
    centre_id: &str,
    i: &ConsultationInput,
) -> Result<String> {
    ctx.actor.require(Permission::RecordLegalSupport)?;
    let c = crate::centres::load_any(db, centre_id)
        .await?
        .ok_or(Error::NotFound)?;
    let mut errs = vec![];
    let day = crate::cases::past_date("held_on", &i.held_on, &mut errs);
    if !LEGAL_TOPICS.contains(&i.topic.as_str()) {
        errs.push(FieldError::new("topic", "field_invalid_choice"));
    }
    let language = crate::minors::optional("language", &i.language, 40, &mut errs);
    let notes = crate::minors::optional("notes", &i.notes, 4000, &mut errs).unwrap_or_default();
    let person = (!i.person_id.trim().is_empty()).then(|| i.person_id.trim().to_string());
    if let Some(p) = &person {
        let found: Option<(String,)> = with_pool!(db, |pool| sqlx::query_as(
            "SELECT id FROM persons WHERE id = $1"
        )
        .bind(p)
        .fetch_optional(pool)
        .await)
        .map_err(db_err)?;
        if found.is_none() {
            errs.push(FieldError::new("person_id", "field_invalid_choice"));
        }
    }
    let (Some(day), true) = (day, errs.is_empty()) else {
        return Err(Error::Validation(errs));
    };
    let id = new_id();
    let sealed = keyring(db)?.seal(&legal_aad(&id), notes.as_bytes())?;
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |conn| sqlx::query(
        "INSERT INTO legal_consultations (id, centre_id, person_id, held_on, topic, language, sealed, recorded_by, recorded_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)"
    )
    .bind(&id)
    .bind(&c.id)
    .bind(&person)
    .bind(day)
    .bind(&i.topic)
    .bind(language.unwrap_or_default())
    .bind(&sealed)
    .bind(&ctx.actor.id)
    .bind(Ts::now())
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("centre.legal_consultation", "centre", Some(centre_id))
            .details(json!({"consultation": id, "topic": i.topic})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The consultations held at a centre, notes opened; only for legal support, audited.
pub async fn consultations(db: &Db, ctx: &Ctx, centre_id: &str) -> Result<Vec<Consultation>> {
    ctx.actor.require(Permission::RecordLegalSupport)?;
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        held_on: NaiveDate,
        topic: String,
        language: String,
        person_id: Option<String>,
        sealed: String,
        recorded_by: String,
    }
    let rows: Vec<Row> = with_pool!(db, |p| sqlx::query_as(
        "SELECT l.id, l.held_on, l.topic, l.language, l.person_id, l.sealed, COALESCE(u.full_name, l.recorded_by) AS recorded_by \
         FROM legal_consultations l LEFT JOIN users u ON u.id = l.recorded_by WHERE l.centre_id = $1 \
         ORDER BY l.held_on DESC, l.recorded_at DESC LIMIT 200"
    )
    .bind(centre_id)
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let keys = keyring(db)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let notes = keys.open(&legal_aad(&r.id), &r.sealed)?;
        out.push(Consultation {
            notes: String::from_utf8_lossy(&notes).into_owned(),
            id: r.id,
            held_on: r.held_on,
            topic: r.topic,
            language: r.language,
            person_id: r.person_id,
            recorded_by: r.recorded_by,
        });
    }
    audit::record(
        db,
        ctx,
        Event::new("centre.legal_read", "centre", Some(centre_id))
            .details(json!({"count": out.len()})),
    )
    .await?;
    Ok(out)
}
