//! The Safe Space model (WP3): a protocol each managing body acknowledges, screenings of
//! guests against the art. 17 categories, and referrals to specialised services (anti-
//! trafficking, gender-based violence, mental health, disability) through a case and the
//! referral mechanism of cases.
//!
//! The consent rule: a referral needs the guest's latest word on sharing for a referral to
//! be a yes. It is checked before anything is written, so a refused referral leaves no
//! screening, case or referral behind; the same rule is checked again by the referral
//! itself. Categories and notes are sealed, as every vulnerability is.

use chrono::NaiveDate;
use domain::people::{ConsentPurpose, Vulnerability};
use domain::policy::Permission;
use domain::{Error, FieldError, Result};
use serde_json::json;

use crate::audit::{self, Event};
use crate::db::{Ctx, Db, db_err};
use crate::{Ts, new_id, with_pool, with_tx};

pub const SERVICES: &[&str] = &[
    "anti_trafficking",
    "gender_violence",
    "mental_health",
    "disability",
];

/// The procedure of the catalogue a Safe Space referral is a case of.
pub const REFERRAL_PROCEDURE: &str = "safe_space_referral";

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Protocol {
    pub id: String,
    pub title: String,
    pub body: String,
    pub version_label: String,
    pub published_at: Ts,
}

/// The protocol in force (the latest published) and, for each managing body, whether and
/// when it acknowledged it.
#[derive(Debug, Clone)]
pub struct ProtocolView {
    pub protocol: Option<Protocol>,
    /// Managing bodies: (name, acknowledged at).
    pub acknowledgements: Vec<(String, Option<Ts>)>,
    /// The reader's organisation has acknowledged it.
    pub mine: bool,
}

pub async fn protocol(db: &Db, ctx: &Ctx) -> Result<ProtocolView> {
    crate::checks::signed_in(ctx)?;
    let protocol: Option<Protocol> = with_pool!(db, |p| sqlx::query_as(
        "SELECT id, title, body, version_label, published_at FROM safe_space_protocols ORDER BY published_at DESC LIMIT 1"
    )
    .fetch_optional(p)
    .await)
    .map_err(db_err)?;
    let Some(pr) = &protocol else {
        return Ok(ProtocolView {
            protocol: None,
            acknowledgements: vec![],
            mine: false,
        });
    };
    let rows: Vec<(String, String, Option<Ts>)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT o.id, o.name, a.acknowledged_at FROM organisations o \
         LEFT JOIN protocol_acknowledgements a ON a.org_id = o.id AND a.protocol_id = $1 \
         WHERE o.kind = 'managing_body' AND o.active ORDER BY o.name"
    )
    .bind(&pr.id)
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    let mine = rows
        .iter()
        .any(|(id, _, at)| Some(id.as_str()) == ctx.actor.org_id.as_deref() && at.is_some());
    Ok(ProtocolView {
        acknowledgements: rows.into_iter().map(|(_, n, at)| (n, at)).collect(),
        protocol,
        mine,
    })
}

/// Publishes a new version of the protocol (the monitoring office).
pub async fn publish_protocol(
    db: &Db,
    ctx: &Ctx,
    title: &str,
    body: &str,
    version_label: &str,
) -> Result<String> {
    ctx.actor.require(Permission::ManageSafeSpace)?;
    let mut errors = vec![];
    for (field, v, max) in [
        ("title", title, 200),
        ("body", body, 50_000),
        ("version_label", version_label, 40),
    ] {
        let n = v.trim().chars().count();
        if n == 0 {
            errors.push(FieldError::new(field, "field_required"));
        } else if n > max {
            errors.push(FieldError::new(field, "field_too_long"));
        }
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let id = new_id();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO safe_space_protocols (id, title, body, version_label, published_by, published_at) VALUES ($1,$2,$3,$4,$5,$6)"
    )
    .bind(&id)
    .bind(title.trim())
    .bind(body.trim())
    .bind(version_label.trim())
    .bind(&ctx.actor.id)
    .bind(Ts::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new(
            "safe_space.protocol.publish",
            "safe_space_protocol",
            Some(&id),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The managing body of the signed-in person acknowledges the protocol in force (once).
pub async fn acknowledge(db: &Db, ctx: &Ctx) -> Result<()> {
    ctx.actor.require(Permission::ScreenVulnerability)?;
    let org = ctx.actor.org_id.clone().ok_or(Error::Forbidden)?;
    let view = protocol(db, ctx).await?;
    let pr = view.protocol.ok_or(Error::NotFound)?;
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO protocol_acknowledgements (protocol_id, org_id, acknowledged_by, acknowledged_at) VALUES ($1,$2,$3,$4) \
         ON CONFLICT (protocol_id, org_id) DO NOTHING"
    )
    .bind(&pr.id)
    .bind(&org)
    .bind(&ctx.actor.id)
    .bind(Ts::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new(
            "safe_space.protocol.acknowledge",
            "safe_space_protocol",
            Some(&pr.id),
        ),
    )
    .await?;
    tx.commit().await
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ScreeningInput {
    pub centre_id: String,
    /// `YYYY-MM-DD`
    pub screened_on: String,
    /// Art. 17 categories (`domain::people::Vulnerability`), one per ticked box.
    pub categories: Vec<String>,
    pub notes: String,
    /// A specialised service to refer the guest to (empty: no referral).
    pub service: String,
    /// The organisation that runs it.
    pub refer_to: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Screened {
    pub id: String,
    pub case_id: Option<String>,
}

/// Records a screening of a guest of one of the actor's centres and, when a service is
/// chosen, opens a Safe Space case and refers it there — only with the guest's consent.
pub async fn screen(db: &Db, ctx: &Ctx, person_id: &str, i: &ScreeningInput) -> Result<Screened> {
    ctx.actor.require(Permission::ScreenVulnerability)?;
    let org = ctx.actor.org_id.clone().ok_or(Error::Forbidden)?;
    // The guest must be within the actor's reach (this also audits the read).
    crate::people::get_person(db, ctx, person_id).await?;
    let mut errors = vec![];
    let centre: Option<(String,)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT id FROM centres WHERE id = $1 AND org_id = $2"
    )
    .bind(i.centre_id.trim())
    .bind(&org)
    .fetch_optional(p)
    .await)
    .map_err(db_err)?;
    if centre.is_none() {
        errors.push(FieldError::new("centre_id", "field_invalid_choice"));
    }
    let on = NaiveDate::parse_from_str(i.screened_on.trim(), "%Y-%m-%d").ok();
    match on {
        None => errors.push(FieldError::new("screened_on", "date_invalid")),
        Some(d) if d > domain::clock::today() => {
            errors.push(FieldError::new("screened_on", "date_in_future"))
        }
        _ => {}
    }
    let mut categories: Vec<&str> = vec![];
    for c in &i.categories {
        match Vulnerability::parse(c) {
            Some(v) if !categories.contains(&v.as_str()) => categories.push(v.as_str()),
            Some(_) => {}
            None => errors.push(FieldError::new("categories", "field_invalid_choice")),
        }
    }
    if i.notes.trim().chars().count() > 4000 {
        errors.push(FieldError::new("notes", "field_too_long"));
    }
    let service = i.service.trim();
    let refer_to = i.refer_to.trim();
    let referral = !service.is_empty() || !refer_to.is_empty();
    if referral {
        if !SERVICES.contains(&service) {
            errors.push(FieldError::new("service", "field_invalid_choice"));
        }
        let target: Option<(String,)> = with_pool!(db, |p| sqlx::query_as(
            "SELECT id FROM organisations WHERE id = $1 AND active AND id <> $2"
        )
        .bind(refer_to)
        .bind(&org)
        .fetch_optional(p)
        .await)
        .map_err(db_err)?;
        if target.is_none() {
            errors.push(FieldError::new("refer_to", "referral_target_invalid"));
        }
        if categories.is_empty() {
            errors.push(FieldError::new("categories", "screening_needs_category"));
        }
        // The consent rule, before anything is written.
        if !crate::people::has_consent(db, person_id, ConsentPurpose::ShareForReferral).await? {
            errors.push(FieldError::new("consent", "consent_required"));
        }
    }
    let Some(on) = on.filter(|_| errors.is_empty()) else {
        return Err(Error::Validation(errors));
    };

    let case_id = if referral {
        let case =
            crate::cases::create_case(db, ctx, person_id, REFERRAL_PROCEDURE, &on.to_string())
                .await?;
        let note = format!("Safe Space: {service}");
        crate::referrals::refer(
            db,
            ctx,
            &case,
            crate::referrals::Kind::Referral,
            refer_to,
            &note,
        )
        .await?;
        Some(case)
    } else {
        None
    };
    let payload = json!({"categories": categories, "notes": i.notes.trim()}).to_string();
    let id = new_id();
    let sealed = crate::crypto::keyring(db)?.seal(
        &format!("vulnerability_screenings:{id}"),
        payload.as_bytes(),
    )?;
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO vulnerability_screenings (id, org_id, centre_id, person_id, screened_on, sealed, outcome, service, case_id, created_by, created_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)"
    )
    .bind(&id)
    .bind(&org)
    .bind(i.centre_id.trim())
    .bind(person_id)
    .bind(on)
    .bind(&sealed)
    .bind(if referral { "referred" } else { "no_referral" })
    .bind(referral.then_some(service))
    .bind(&case_id)
    .bind(&ctx.actor.id)
    .bind(Ts::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("safe_space.screening", "person", Some(person_id))
            .details(json!({"screening": id, "referred": referral})),
    )
    .await?;
    tx.commit().await?;
    Ok(Screened { id, case_id })
}

/// A screening as its managing body reads it (categories unsealed).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Screening {
    pub id: String,
    pub person_id: String,
    pub person_name: String,
    pub centre_name: String,
    pub screened_on: NaiveDate,
    pub categories: Vec<String>,
    pub outcome: String,
    pub service: Option<String>,
    pub case_id: Option<String>,
}

/// The screenings of the actor's organisation, newest first; reading them is audited.
pub async fn screenings(db: &Db, ctx: &Ctx) -> Result<Vec<Screening>> {
    ctx.actor.require(Permission::ScreenVulnerability)?;
    let org = ctx.actor.org_id.clone().ok_or(Error::Forbidden)?;
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        person_id: String,
        person_name: String,
        centre_name: String,
        screened_on: NaiveDate,
        sealed: String,
        outcome: String,
        service: Option<String>,
        case_id: Option<String>,
    }
    let rows: Vec<Row> = with_pool!(db, |p| sqlx::query_as(
        "SELECT s.id, s.person_id, p.given_names || ' ' || p.family_name AS person_name, c.name AS centre_name, \
         s.screened_on, s.sealed, s.outcome, s.service, s.case_id FROM vulnerability_screenings s \
         JOIN persons p ON p.id = s.person_id JOIN centres c ON c.id = s.centre_id \
         WHERE s.org_id = $1 ORDER BY s.screened_on DESC, s.created_at DESC"
    )
    .bind(&org)
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    let keys = crate::crypto::keyring(db)?;
    let mut out = vec![];
    for r in rows {
        let plain = keys.open(&format!("vulnerability_screenings:{}", r.id), &r.sealed)?;
        let v: serde_json::Value = serde_json::from_slice(&plain).map_err(Error::internal)?;
        let categories = v["categories"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|c| c.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        out.push(Screening {
            id: r.id,
            person_id: r.person_id,
            person_name: r.person_name,
            centre_name: r.centre_name,
            screened_on: r.screened_on,
            categories,
            outcome: r.outcome,
            service: r.service,
            case_id: r.case_id,
        });
    }
    if !out.is_empty() {
        audit::record(
            db,
            ctx,
            Event::new("safe_space.screenings.read", "organisation", Some(&org)),
        )
        .await?;
    }
    Ok(out)
}
