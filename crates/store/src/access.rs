//! Access requests ("presa in carico"): an organisation that finds a person in the register
//! under another organisation asks the owner for access to the record, with a purpose,
//! instead of registering the person a second time. The owner's operators answer from their
//! inbox: grant reading, or working on the record, until a date; hand the record over; or
//! refuse with a reason. Until then the asker sees only what a duplicate check shows.
//!
//! A grant opens the record at once and closes by itself: when its date passes, or when the
//! person's latest word on sharing (`share_for_referral`, as for referrals) is no longer a
//! yes. The owner may revoke it. Every step is audited on the person, and so is every read
//! made under a grant (`people::get_person` names the grant).

use chrono::NaiveDate;
use domain::people::ConsentPurpose;
use domain::policy::Permission;
use domain::{Error, FieldError, Result};
use serde_json::json;

use crate::audit::{self, Event};
use crate::db::{Ctx, Db, db_err, is_unique_violation};
use crate::inbox::{self, Notice, To};
use crate::{Ts, new_id, with_pool, with_tx};

/// Why access is asked for.
pub const PURPOSES: &[&str] = &["open_case", "log_contact", "duplicate", "other"];
/// What may be granted.
pub const LEVELS: &[&str] = &["read", "work", "handover"];
/// The longest a grant may last, in days.
pub const MAX_GRANT_DAYS: i64 = 365;
/// What the grant form proposes.
pub const DEFAULT_GRANT_DAYS: i64 = 90;

/// The request form as typed.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct RequestInput {
    /// `open_case`, `log_contact`, `duplicate` or `other`.
    #[serde(default)]
    pub purpose: String,
    /// The procedure to open, for `open_case`.
    #[serde(default)]
    pub procedure_code: String,
    /// What the owner should know (required for `other`).
    #[serde(default)]
    pub note: String,
    /// `read`, `work` or `handover`; by default what the purpose needs.
    #[serde(default)]
    pub level: String,
}

/// The owner's answer as typed.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct AnswerInput {
    /// `read`, `work` or `handover` (for a grant).
    #[serde(default)]
    pub level: String,
    /// Last day of a read or work grant (`YYYY-MM-DD`).
    #[serde(default)]
    pub valid_until: String,
    /// Required to refuse.
    #[serde(default)]
    pub reason: String,
    /// The version of the request the answer was written against.
    #[serde(default)]
    pub version: i32,
}

/// A request as either side sees it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Request {
    pub id: String,
    pub person_id: String,
    pub person_name: String,
    pub birth_year: Option<i32>,
    pub nationality: Option<String>,
    pub owner_org_id: String,
    pub owner_org_name: String,
    pub requester_org_id: String,
    pub requester_org_name: String,
    pub requested_by_name: Option<String>,
    pub purpose: String,
    pub procedure_code: Option<String>,
    pub note: String,
    pub asked_level: String,
    pub status: String,
    pub level: Option<String>,
    pub valid_until: Option<NaiveDate>,
    pub answer: String,
    pub answered_by_name: Option<String>,
    pub answered_at: Option<Ts>,
    pub version: i32,
    pub created_at: Ts,
}

impl Request {
    /// The state a person reads: a granted read or work access whose last day has passed
    /// is "expired".
    pub fn state(&self) -> &str {
        match (self.status.as_str(), self.valid_until) {
            ("granted", Some(d)) if d < domain::clock::today() => "expired",
            (s, _) => s,
        }
    }

    pub fn is_open_grant(&self) -> bool {
        self.state() == "granted" && self.level.as_deref() != Some("handover")
    }
}

const COLUMNS: &str = "a.id, a.person_id, p.given_names || ' ' || p.family_name AS person_name, \
    p.birth_year, p.nationality, a.owner_org_id, oo.name AS owner_org_name, a.requester_org_id, \
    ro.name AS requester_org_name, ru.full_name AS requested_by_name, a.purpose, a.procedure_code, a.note, \
    a.asked_level, a.status, a.level, a.valid_until, a.answer, au.full_name AS answered_by_name, \
    a.answered_at, a.version, a.created_at \
    FROM access_requests a JOIN persons p ON p.id = a.person_id \
    JOIN organisations oo ON oo.id = a.owner_org_id JOIN organisations ro ON ro.id = a.requester_org_id \
    LEFT JOIN users ru ON ru.id = a.requested_by LEFT JOIN users au ON au.id = a.answered_by";

async fn load(db: &Db, id: &str) -> Result<Request> {
    let sql = format!("SELECT {COLUMNS} WHERE a.id = $1");
    with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id)
        .fetch_optional(p)
        .await)
    .map_err(db_err)?
    .ok_or(Error::NotFound)
}

fn text(field: &str, s: &str, max: usize) -> Result<String> {
    let s = s.trim();
    if s.chars().count() > max {
        return Err(Error::field(field.to_string(), "field_too_long"));
    }
    Ok(s.to_string())
}

/// The record's state for a request: it must still stand on its own.
struct Target {
    owner_org_id: String,
    merged_into: Option<String>,
    pseudonymised: bool,
}

async fn target(db: &Db, person_id: &str) -> Result<Option<Target>> {
    let row: Option<(String, Option<String>, Option<Ts>)> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT owner_org_id, merged_into, pseudonymised_at FROM persons WHERE id = $1",
        )
        .bind(person_id)
        .fetch_optional(p)
        .await
    })
    .map_err(db_err)?;
    Ok(row.map(|(owner_org_id, merged_into, ps)| Target {
        owner_org_id,
        merged_into,
        pseudonymised: ps.is_some(),
    }))
}

fn standing(t: &Target) -> Result<()> {
    if t.merged_into.is_some() {
        return Err(Error::field("person", "access_person_merged"));
    }
    if t.pseudonymised {
        return Err(Error::field("person", "access_person_erased"));
    }
    Ok(())
}

/// Asks the owner of a person's record for access. Returns the request's id.
pub async fn request(db: &Db, ctx: &Ctx, person_id: &str, i: &RequestInput) -> Result<String> {
    ctx.actor.require(Permission::SearchPeople)?;
    ctx.actor.require(Permission::ViewPeople)?;
    let org = ctx.actor.org_id.clone().ok_or(Error::Forbidden)?;
    let t = target(db, person_id).await?.ok_or(Error::NotFound)?;
    standing(&t)?;
    if t.owner_org_id == org {
        return Err(Error::field("person", "access_already"));
    }
    let mut errs: Vec<FieldError> = vec![];
    let purpose = i.purpose.trim();
    if !PURPOSES.contains(&purpose) {
        errs.push(FieldError::new("purpose", "field_required"));
    }
    let procedure = i.procedure_code.trim();
    if purpose == "open_case" {
        let procs = crate::catalogue::procedures(db).await?;
        if !procs.iter().any(|p| p.code == procedure) {
            errs.push(FieldError::new("procedure_code", "field_required"));
        }
    }
    let note = match text("note", &i.note, 1000) {
        Ok(n) => n,
        Err(e) => {
            errs.extend(e.fields().to_vec());
            String::new()
        }
    };
    if purpose == "other" && note.is_empty() {
        errs.push(FieldError::new("note", "field_required"));
    }
    let level = match i.level.trim() {
        "" => match purpose {
            "open_case" => "work",
            "duplicate" => "handover",
            _ => "read",
        },
        l if LEVELS.contains(&l) => l,
        _ => {
            errs.push(FieldError::new("level", "field_invalid_choice"));
            "read"
        }
    };
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let id = new_id();
    let mut tx = db.begin().await?;
    let inserted = with_tx!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO access_requests (id, person_id, owner_org_id, requester_org_id, requested_by, purpose, \
             procedure_code, note, asked_level, status, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,'requested',$10)",
        )
        .bind(&id)
        .bind(person_id)
        .bind(&t.owner_org_id)
        .bind(&org)
        .bind(&ctx.actor.id)
        .bind(purpose)
        .bind((purpose == "open_case").then_some(procedure))
        .bind(&note)
        .bind(level)
        .bind(Ts::now())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    });
    match inserted {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => {
            return Err(Error::Duplicate(vec![FieldError::new(
                "person",
                "access_request_waiting",
            )]));
        }
        Err(e) => return Err(db_err(e)),
    }
    inbox::notify(
        &mut tx,
        ctx,
        Notice::new(
            "access_request",
            To::Queue(&t.owner_org_id, Permission::EditPeople),
            "access_request",
            &id,
            format!("/access-requests/{id}"),
        )
        .person(person_id)
        .from(Some(&org))
        .summary(note.clone()),
    )
    .await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("access.request", "person", Some(person_id)).details(
            json!({"request": id, "owner": t.owner_org_id, "purpose": purpose, "level": level}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A request, for a member of either organisation it connects.
pub async fn get(db: &Db, ctx: &Ctx, id: &str) -> Result<Request> {
    ctx.actor.require(Permission::SearchPeople)?;
    let r = load(db, id).await?;
    let org = ctx.actor.org_id.as_deref();
    if org != Some(r.owner_org_id.as_str()) && org != Some(r.requester_org_id.as_str()) {
        return Err(Error::Forbidden);
    }
    Ok(r)
}

/// The requests the actor's organisation received and sent, waiting ones first.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Lists {
    pub received: Vec<Request>,
    pub sent: Vec<Request>,
}

pub async fn list(db: &Db, ctx: &Ctx) -> Result<Lists> {
    ctx.actor.require(Permission::SearchPeople)?;
    let Some(org) = ctx.actor.org_id.clone() else {
        return Ok(Lists::default());
    };
    let order =
        "ORDER BY CASE a.status WHEN 'requested' THEN 0 ELSE 1 END, a.created_at DESC LIMIT 200";
    let received = format!("SELECT {COLUMNS} WHERE a.owner_org_id = $1 {order}");
    let sent = format!("SELECT {COLUMNS} WHERE a.requester_org_id = $1 {order}");
    let mut out = Lists::default();
    for (sql, into) in [(received, &mut out.received), (sent, &mut out.sent)] {
        *into = with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(&org)
            .fetch_all(p)
            .await)
        .map_err(db_err)?;
    }
    audit::record(
        db,
        ctx,
        Event::new("access.list", "person", None)
            .details(json!({"received": out.received.len(), "sent": out.sent.len()})),
    )
    .await?;
    Ok(out)
}

/// The newest request of the actor's organisation about a person (for the record's page).
pub async fn latest_mine(db: &Db, ctx: &Ctx, person_id: &str) -> Result<Option<Request>> {
    let Some(org) = ctx.actor.org_id.clone() else {
        return Ok(None);
    };
    let sql = format!(
        "SELECT {COLUMNS} WHERE a.person_id = $1 AND a.requester_org_id = $2 ORDER BY a.created_at DESC LIMIT 1"
    );
    with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(person_id)
        .bind(&org)
        .fetch_optional(p)
        .await)
    .map_err(db_err)
}

/// An open grant: its id and whether it allows work on the record (else reading).
#[derive(Debug, Clone)]
pub struct Grant {
    pub id: String,
    pub work: bool,
    pub valid_until: NaiveDate,
}

/// The grant that opens a person's record to an organisation today, if any. The caller
/// checks the person's consent (a withdrawn consent closes every grant).
pub async fn open_grant(db: &Db, person_id: &str, org: &str) -> Result<Option<Grant>> {
    let row: Option<(String, Option<String>, Option<NaiveDate>)> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT id, level, valid_until FROM access_requests WHERE person_id = $1 AND requester_org_id = $2 \
             AND status = 'granted' AND level IN ('read','work') AND valid_until >= $3 \
             ORDER BY CASE level WHEN 'work' THEN 0 ELSE 1 END, valid_until DESC LIMIT 1",
        )
        .bind(person_id)
        .bind(org)
        .bind(domain::clock::today())
        .fetch_optional(p)
        .await
    })
    .map_err(db_err)?;
    Ok(row.and_then(|(id, level, until)| {
        Some(Grant {
            id,
            work: level.as_deref() == Some("work"),
            valid_until: until?,
        })
    }))
}

/// The owner's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Grant,
    Refuse,
}

/// The owner grants or refuses. A request withdrawn, or answered by a colleague, meanwhile
/// is refused with a clear message and nothing changes.
pub async fn answer(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    decision: Decision,
    i: &AnswerInput,
) -> Result<Request> {
    ctx.actor.require(Permission::EditPeople)?;
    let r = load(db, id).await?;
    if ctx.actor.org_id.as_deref() != Some(r.owner_org_id.as_str()) {
        return Err(Error::Forbidden);
    }
    match r.status.as_str() {
        "requested" => {}
        "withdrawn" => return Err(Error::field("request", "access_withdrawn")),
        _ => return Err(Error::field("request", "access_answered")),
    }
    if i.version != 0 && i.version != r.version {
        return Err(Error::Conflict);
    }
    let t = target(db, &r.person_id).await?.ok_or(Error::NotFound)?;
    standing(&t)?;
    if t.owner_org_id != r.owner_org_id {
        return Err(Error::field("request", "access_owner_changed"));
    }
    let reason = text("reason", &i.reason, 1000)?;
    let today = domain::clock::today();
    let (level, until) = match decision {
        Decision::Refuse => {
            if reason.is_empty() {
                return Err(Error::field("reason", "access_reason_required"));
            }
            (None, None)
        }
        Decision::Grant => {
            let level = match i.level.trim() {
                "" => r.asked_level.as_str(),
                l if LEVELS.contains(&l) => l,
                _ => return Err(Error::field("level", "field_invalid_choice")),
            };
            let until = if level == "handover" {
                None
            } else {
                match crate::cases::parse_date("valid_until", &i.valid_until)? {
                    None => return Err(Error::field("valid_until", "field_required")),
                    Some(d) if d < today => {
                        return Err(Error::field("valid_until", "date_in_past"));
                    }
                    Some(d) if d > today + chrono::Duration::days(MAX_GRANT_DAYS) => {
                        return Err(Error::field("valid_until", "access_too_long"));
                    }
                    Some(d) => Some(d),
                }
            };
            // The person's latest word on sharing decides, as for a referral.
            if !crate::people::has_consent(db, &r.person_id, ConsentPurpose::ShareForReferral)
                .await?
            {
                return Err(Error::field("consent", "consent_required"));
            }
            (Some(level), until)
        }
    };
    let now = Ts::now();
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| {
        sqlx::query(
            "UPDATE access_requests SET status = $1, level = $2, valid_until = $3, answer = $4, answered_by = $5, \
             answered_at = $6, version = version + 1 WHERE id = $7 AND status = 'requested' AND version = $8",
        )
        .bind(match decision {
            Decision::Grant => "granted",
            Decision::Refuse => "refused",
        })
        .bind(level)
        .bind(until)
        .bind(&reason)
        .bind(&ctx.actor.id)
        .bind(now)
        .bind(id)
        .bind(r.version)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    if n == 0 {
        // A colleague answered, or the asker withdrew, in between.
        return Err(Error::Conflict);
    }
    if level == Some("handover") {
        let moved = with_tx!(&mut tx, |c| {
            sqlx::query(
                "UPDATE persons SET owner_org_id = $1, version = version + 1, updated_at = $2 \
                 WHERE id = $3 AND owner_org_id = $4 AND merged_into IS NULL",
            )
            .bind(&r.requester_org_id)
            .bind(now)
            .bind(&r.person_id)
            .bind(&r.owner_org_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })
        .map_err(db_err)?;
        if moved == 0 {
            return Err(Error::Conflict);
        }
    }
    inbox::resolve(&mut tx, ctx, "access_request", id, &["access_request"]).await?;
    let kind = match decision {
        Decision::Grant => "access_granted",
        Decision::Refuse => "access_refused",
    };
    let requested_by: (String,) = with_tx!(&mut tx, |c| {
        sqlx::query_as("SELECT requested_by FROM access_requests WHERE id = $1")
            .bind(id)
            .fetch_one(c)
            .await
    })
    .map_err(db_err)?;
    inbox::notify(
        &mut tx,
        ctx,
        Notice::new(
            kind,
            To::User(&requested_by.0),
            "access_request",
            id,
            format!("/people/{}", r.person_id),
        )
        .person(&r.person_id)
        .from(Some(&r.owner_org_id))
        .summary(reason.clone())
        .due(until),
    )
    .await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new(
            match decision {
                Decision::Grant => "access.grant",
                Decision::Refuse => "access.refuse",
            },
            "person",
            Some(&r.person_id),
        )
        .details(json!({"request": id, "to": r.requester_org_id, "level": level, "until": until})),
    )
    .await?;
    tx.commit().await?;
    load(db, id).await
}

/// The asker withdraws a request still waiting.
pub async fn withdraw(db: &Db, ctx: &Ctx, id: &str) -> Result<()> {
    close(db, ctx, id, "withdrawn").await
}

/// The owner ends a read or work grant before its date.
pub async fn revoke(db: &Db, ctx: &Ctx, id: &str) -> Result<()> {
    close(db, ctx, id, "revoked").await
}

async fn close(db: &Db, ctx: &Ctx, id: &str, to: &str) -> Result<()> {
    ctx.actor.require(if to == "withdrawn" {
        Permission::SearchPeople
    } else {
        Permission::EditPeople
    })?;
    let r = load(db, id).await?;
    let org = ctx.actor.org_id.as_deref();
    let (side, from) = if to == "withdrawn" {
        (r.requester_org_id.as_str(), "requested")
    } else {
        (r.owner_org_id.as_str(), "granted")
    };
    if org != Some(side) {
        return Err(Error::Forbidden);
    }
    if r.status != from || (to == "revoked" && r.level.as_deref() == Some("handover")) {
        return Err(Error::field("request", "access_answered"));
    }
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| {
        sqlx::query(
            "UPDATE access_requests SET status = $1, closed_by = $2, closed_at = $3, version = version + 1 \
             WHERE id = $4 AND status = $5",
        )
        .bind(to)
        .bind(&ctx.actor.id)
        .bind(Ts::now())
        .bind(id)
        .bind(from)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    if n == 0 {
        return Err(Error::Conflict);
    }
    inbox::resolve(&mut tx, ctx, "access_request", id, &["access_request"]).await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new(
            if to == "withdrawn" {
                "access.withdraw"
            } else {
                "access.revoke"
            },
            "person",
            Some(&r.person_id),
        )
        .details(json!({"request": id})),
    )
    .await?;
    tx.commit().await
}
