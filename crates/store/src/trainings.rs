//! Trainings for patronati, managing bodies and operators (WP1, WP3): courses and their
//! sessions (on-the-job visits to a managing body are sessions too), enrolment, attendance
//! per session, a short satisfaction survey, and certificates of attendance.
//!
//! A certificate is issued once the participant attended at least the course's share of
//! its hours (75 % unless set otherwise) and answered the survey (the programme reports
//! the share of trained staff who found the training useful). Its code is random, 60 bits
//! in Crockford's alphabet, and anyone can check it on the public verification page, which
//! shows only what the paper shows. Failed look-ups are counted per address.

use chrono::NaiveDateTime;
use domain::policy::Permission;
use domain::{Error, FieldError, Result};
use rand::Rng;
use serde_json::json;

use crate::audit::{self, Event};
use crate::checks::{signed_in, text};
use crate::db::{Ctx, Db, db_err};
use crate::{Ts, new_id, with_pool, with_tx};

pub const AUDIENCES: &[&str] = &["patronati", "managing_bodies", "operators"];
pub const SESSION_KINDS: &[&str] = &["classroom", "online", "on_the_job"];

/// Failed verification look-ups allowed per address in 15 minutes.
const VERIFY_FAILURES: i64 = 20;

fn trainer(ctx: &Ctx) -> bool {
    ctx.actor.can(Permission::ManageTrainings)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Course {
    pub id: String,
    pub title: String,
    pub audience: String,
    pub description: String,
    pub procedure_code: Option<String>,
    pub min_attendance_pct: i32,
    pub sessions: i64,
    pub enrolled: i64,
}

const COURSE_SELECT: &str = "SELECT c.id, c.title, c.audience, c.description, c.procedure_code, c.min_attendance_pct, \
     (SELECT COUNT(*) FROM course_sessions s WHERE s.course_id = c.id) AS sessions, \
     (SELECT COUNT(*) FROM enrolments e WHERE e.course_id = c.id) AS enrolled FROM courses c";

/// Trainers see every course; others the courses they are enrolled in.
pub async fn courses(db: &Db, ctx: &Ctx) -> Result<Vec<Course>> {
    signed_in(ctx)?;
    if trainer(ctx) {
        let sql = format!("{COURSE_SELECT} ORDER BY c.created_at DESC");
        return with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_all(p)
            .await)
        .map_err(db_err);
    }
    let sql = format!(
        "{COURSE_SELECT} WHERE c.id IN (SELECT course_id FROM enrolments WHERE user_id = $1) ORDER BY c.created_at DESC"
    );
    with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(&ctx.actor.id)
        .fetch_all(p)
        .await)
    .map_err(db_err)
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct CourseInput {
    pub title: String,
    pub audience: String,
    pub description: String,
    pub procedure_code: String,
    pub min_attendance_pct: String,
}

pub async fn create_course(db: &Db, ctx: &Ctx, i: &CourseInput) -> Result<String> {
    ctx.actor.require(Permission::ManageTrainings)?;
    let mut errors = vec![];
    text("title", &i.title, 300, true, &mut errors);
    text("description", &i.description, 4000, false, &mut errors);
    if !AUDIENCES.contains(&i.audience.as_str()) {
        errors.push(FieldError::new("audience", "field_invalid_choice"));
    }
    let pct = if i.min_attendance_pct.trim().is_empty() {
        Some(75)
    } else {
        i.min_attendance_pct
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|p| (1..=100).contains(p))
    };
    if pct.is_none() {
        errors.push(FieldError::new("min_attendance_pct", "percent_invalid"));
    }
    let proc = i.procedure_code.trim();
    if !proc.is_empty()
        && !crate::catalogue::procedures(db)
            .await?
            .iter()
            .any(|p| p.code == proc)
    {
        errors.push(FieldError::new("procedure_code", "field_invalid_choice"));
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let id = new_id();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO courses (id, title, audience, description, procedure_code, min_attendance_pct, created_by, created_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8)"
    )
    .bind(&id)
    .bind(i.title.trim())
    .bind(&i.audience)
    .bind(i.description.trim())
    .bind((!proc.is_empty()).then_some(proc))
    .bind(pct.unwrap_or(75))
    .bind(&ctx.actor.id)
    .bind(Ts::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("course.create", "course", Some(&id)),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Session {
    pub id: String,
    pub starts_at: Ts,
    pub minutes: i32,
    pub kind: String,
    pub place: String,
    pub host_org_id: Option<String>,
    pub host_org_name: Option<String>,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct SessionInput {
    /// Rome's local time, `YYYY-MM-DDTHH:MM`.
    pub starts_at: String,
    pub minutes: String,
    pub kind: String,
    pub place: String,
    /// The managing body visited, for training on the job.
    pub host_org_id: String,
}

pub async fn add_session(db: &Db, ctx: &Ctx, course_id: &str, i: &SessionInput) -> Result<String> {
    ctx.actor.require(Permission::ManageTrainings)?;
    course_row(db, course_id).await?;
    let mut errors = vec![];
    let starts = NaiveDateTime::parse_from_str(i.starts_at.trim(), "%Y-%m-%dT%H:%M")
        .ok()
        .and_then(domain::clock::from_rome);
    if starts.is_none() {
        errors.push(FieldError::new(
            "starts_at",
            if i.starts_at.trim().is_empty() {
                "field_required"
            } else {
                "date_invalid"
            },
        ));
    }
    let minutes = i
        .minutes
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|m| (15..=600).contains(m));
    if minutes.is_none() {
        errors.push(FieldError::new("minutes", "minutes_invalid"));
    }
    if !SESSION_KINDS.contains(&i.kind.as_str()) {
        errors.push(FieldError::new("kind", "field_invalid_choice"));
    }
    text("place", &i.place, 300, false, &mut errors);
    let host = i.host_org_id.trim();
    if i.kind == "on_the_job" {
        let org: Option<(String,)> = with_pool!(db, |p| sqlx::query_as(
            "SELECT id FROM organisations WHERE id = $1 AND kind = 'managing_body'"
        )
        .bind(host)
        .fetch_optional(p)
        .await)
        .map_err(db_err)?;
        if org.is_none() {
            errors.push(FieldError::new("host_org_id", "host_required"));
        }
    }
    let (Some(starts), Some(minutes)) = (starts, minutes) else {
        return Err(Error::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let id = new_id();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO course_sessions (id, course_id, starts_at, minutes, kind, place, host_org_id, created_by, created_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)"
    )
    .bind(&id)
    .bind(course_id)
    .bind(Ts::from_datetime(starts))
    .bind(minutes)
    .bind(&i.kind)
    .bind(i.place.trim())
    .bind((i.kind == "on_the_job").then_some(host))
    .bind(&ctx.actor.id)
    .bind(Ts::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("course.session.add", "course", Some(course_id)),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn course_row(db: &Db, id: &str) -> Result<Course> {
    let sql = format!("{COURSE_SELECT} WHERE c.id = $1");
    with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id)
        .fetch_optional(p)
        .await)
    .map_err(db_err)?
    .ok_or(Error::NotFound)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Enrolment {
    pub id: String,
    pub user_id: Option<String>,
    pub full_name: String,
    pub org_id: String,
    pub org_name: String,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct EnrolInput {
    /// An account to enrol; or a name and an organisation for someone without one.
    pub user_id: String,
    pub full_name: String,
    pub org_id: String,
}

pub async fn enrol(db: &Db, ctx: &Ctx, course_id: &str, i: &EnrolInput) -> Result<String> {
    ctx.actor.require(Permission::ManageTrainings)?;
    course_row(db, course_id).await?;
    let user = i.user_id.trim();
    let (full_name, org_id) = if user.is_empty() {
        let mut errors = vec![];
        text("full_name", &i.full_name, 200, true, &mut errors);
        let org: Option<(String,)> = with_pool!(db, |p| sqlx::query_as(
            "SELECT id FROM organisations WHERE id = $1 AND active"
        )
        .bind(i.org_id.trim())
        .fetch_optional(p)
        .await)
        .map_err(db_err)?;
        if org.is_none() {
            errors.push(FieldError::new("org_id", "field_invalid_choice"));
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        (i.full_name.trim().to_string(), i.org_id.trim().to_string())
    } else {
        let u: Option<(String, String)> = with_pool!(db, |p| sqlx::query_as(
            "SELECT full_name, org_id FROM users WHERE id = $1 AND active"
        )
        .bind(user)
        .fetch_optional(p)
        .await)
        .map_err(db_err)?;
        u.ok_or_else(|| {
            Error::Validation(vec![FieldError::new("user_id", "field_invalid_choice")])
        })?
    };
    let id = new_id();
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO enrolments (id, course_id, user_id, full_name, org_id, enrolled_by, enrolled_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (course_id, user_id) DO NOTHING"
    )
    .bind(&id)
    .bind(course_id)
    .bind((!user.is_empty()).then_some(user))
    .bind(&full_name)
    .bind(&org_id)
    .bind(&ctx.actor.id)
    .bind(Ts::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    if n == 0 {
        return Err(Error::Duplicate(vec![FieldError::new(
            "user_id",
            "already_enrolled",
        )]));
    }
    audit::append(
        &mut tx,
        ctx,
        Event::new("course.enrol", "course", Some(course_id)).details(json!({"enrolment": id})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// One participant's standing in a course.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Standing {
    pub enrolment: Enrolment,
    /// Per session, in session order: present, absent, or not recorded.
    pub marks: Vec<Option<bool>>,
    pub minutes_attended: i32,
    pub survey_done: bool,
    pub certificate: Option<String>,
    pub eligible: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CourseView {
    pub course: Course,
    pub sessions: Vec<Session>,
    pub minutes_total: i32,
    /// Everyone's standing (trainers), or only the reader's own.
    pub standings: Vec<Standing>,
    /// Survey answers: (useful, answered).
    pub survey: (i64, i64),
}

impl CourseView {
    /// Whether every session has taken place, so the survey and certificates open.
    pub fn finished(&self) -> bool {
        let now = chrono::Utc::now();
        !self.sessions.is_empty() && self.sessions.iter().all(|s| s.starts_at.0 <= now)
    }
}

fn eligible(minutes_attended: i32, minutes_total: i32, pct: i32) -> bool {
    minutes_total > 0
        && i64::from(minutes_attended) * 100 >= i64::from(minutes_total) * i64::from(pct)
}

pub async fn course(db: &Db, ctx: &Ctx, id: &str) -> Result<CourseView> {
    signed_in(ctx)?;
    let course = course_row(db, id).await?;
    let sessions: Vec<Session> = with_pool!(db, |p| sqlx::query_as(
        "SELECT s.id, s.starts_at, s.minutes, s.kind, s.place, s.host_org_id, o.name AS host_org_name \
         FROM course_sessions s LEFT JOIN organisations o ON o.id = s.host_org_id WHERE s.course_id = $1 ORDER BY s.starts_at"
    )
    .bind(id)
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    let enrolments: Vec<Enrolment> = with_pool!(db, |p| sqlx::query_as(
        "SELECT e.id, e.user_id, e.full_name, e.org_id, o.name AS org_name FROM enrolments e \
         JOIN organisations o ON o.id = e.org_id WHERE e.course_id = $1 ORDER BY e.full_name"
    )
    .bind(id)
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    let mine: Vec<Enrolment> = if trainer(ctx) {
        enrolments
    } else {
        enrolments
            .into_iter()
            .filter(|e| e.user_id.as_deref() == Some(ctx.actor.id.as_str()))
            .collect()
    };
    if mine.is_empty() && !trainer(ctx) {
        return Err(Error::NotFound);
    }
    let marks: Vec<(String, String, bool)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT a.session_id, a.enrolment_id, a.present FROM session_attendance a \
         JOIN course_sessions s ON s.id = a.session_id WHERE s.course_id = $1"
    )
    .bind(id)
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    let surveyed: Vec<(String, bool)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT v.enrolment_id, v.useful FROM course_surveys v JOIN enrolments e ON e.id = v.enrolment_id WHERE e.course_id = $1"
    )
    .bind(id)
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    let certs: Vec<(String, String)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT c.enrolment_id, c.code FROM certificates c JOIN enrolments e ON e.id = c.enrolment_id WHERE e.course_id = $1"
    )
    .bind(id)
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    let minutes_total: i32 = sessions.iter().map(|s| s.minutes).sum();
    let standings = mine
        .into_iter()
        .map(|e| {
            let marks: Vec<Option<bool>> = sessions
                .iter()
                .map(|s| {
                    marks
                        .iter()
                        .find(|(sid, eid, _)| *sid == s.id && *eid == e.id)
                        .map(|m| m.2)
                })
                .collect();
            let minutes_attended = sessions
                .iter()
                .zip(&marks)
                .filter(|(_, m)| **m == Some(true))
                .map(|(s, _)| s.minutes)
                .sum();
            Standing {
                survey_done: surveyed.iter().any(|(x, _)| *x == e.id),
                certificate: certs.iter().find(|(x, _)| *x == e.id).map(|c| c.1.clone()),
                eligible: eligible(minutes_attended, minutes_total, course.min_attendance_pct),
                minutes_attended,
                marks,
                enrolment: e,
            }
        })
        .collect();
    let survey = (
        surveyed.iter().filter(|(_, u)| *u).count() as i64,
        surveyed.len() as i64,
    );
    Ok(CourseView {
        course,
        sessions,
        minutes_total,
        standings,
        survey,
    })
}

/// Records who was at a session (every enrolled person not listed was absent).
pub async fn record_attendance(
    db: &Db,
    ctx: &Ctx,
    session_id: &str,
    present: &[String],
) -> Result<String> {
    ctx.actor.require(Permission::ManageTrainings)?;
    let row: Option<(String, Ts)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT course_id, starts_at FROM course_sessions WHERE id = $1"
    )
    .bind(session_id)
    .fetch_optional(p)
    .await)
    .map_err(db_err)?;
    let (course_id, starts) = row.ok_or(Error::NotFound)?;
    if starts.0 > chrono::Utc::now() {
        return Err(Error::Validation(vec![FieldError::new(
            "present",
            "session_not_yet_held",
        )]));
    }
    let enrolled: Vec<(String,)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT id FROM enrolments WHERE course_id = $1"
    )
    .bind(&course_id)
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    if present.iter().any(|p| !enrolled.iter().any(|(e,)| e == p)) {
        return Err(Error::Validation(vec![FieldError::new(
            "present",
            "field_invalid_choice",
        )]));
    }
    let now = Ts::now();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "DELETE FROM session_attendance WHERE session_id = $1"
    )
    .bind(session_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    for (e,) in &enrolled {
        with_tx!(&mut tx, |c| sqlx::query(
            "INSERT INTO session_attendance (session_id, enrolment_id, present, recorded_by, recorded_at) VALUES ($1,$2,$3,$4,$5)"
        )
        .bind(session_id)
        .bind(e)
        .bind(present.contains(e))
        .bind(&ctx.actor.id)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(db_err)?;
    }
    audit::append(
        &mut tx,
        ctx,
        Event::new("course.attendance", "course", Some(&course_id))
            .details(json!({"session": session_id, "present": present.len()})),
    )
    .await?;
    tx.commit().await?;
    Ok(course_id)
}

async fn own_enrolment(db: &Db, ctx: &Ctx, course_id: &str) -> Result<String> {
    let row: Option<(String,)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT id FROM enrolments WHERE course_id = $1 AND user_id = $2"
    )
    .bind(course_id)
    .bind(&ctx.actor.id)
    .fetch_optional(p)
    .await)
    .map_err(db_err)?;
    row.map(|r| r.0).ok_or(Error::NotFound)
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct SurveyInput {
    /// `yes` or `no`
    pub useful: String,
    pub rating: String,
    pub comment: String,
}

/// The participant's own answer, once the course is over; answering twice keeps the first.
pub async fn answer_survey(db: &Db, ctx: &Ctx, course_id: &str, i: &SurveyInput) -> Result<()> {
    signed_in(ctx)?;
    let enrolment = own_enrolment(db, ctx, course_id).await?;
    let view = course(db, ctx, course_id).await?;
    if !view.finished() {
        return Err(Error::Validation(vec![FieldError::new(
            "useful",
            "course_not_finished",
        )]));
    }
    let mut errors = vec![];
    let useful = match i.useful.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    if useful.is_none() {
        errors.push(FieldError::new("useful", "field_required"));
    }
    let rating = i
        .rating
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|r| (1..=5).contains(r));
    if rating.is_none() {
        errors.push(FieldError::new("rating", "field_required"));
    }
    text("comment", &i.comment, 2000, false, &mut errors);
    let (Some(useful), Some(rating)) = (useful, rating) else {
        return Err(Error::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO course_surveys (enrolment_id, useful, rating, comment, answered_at) VALUES ($1,$2,$3,$4,$5) \
         ON CONFLICT (enrolment_id) DO NOTHING"
    )
    .bind(&enrolment)
    .bind(useful)
    .bind(rating)
    .bind(i.comment.trim())
    .bind(Ts::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("course.survey", "course", Some(course_id)),
    )
    .await?;
    tx.commit().await
}

/// A certificate as printed and as the verification page shows it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Certificate {
    pub code: String,
    pub full_name: String,
    pub org_name: String,
    pub course_title: String,
    pub audience: String,
    pub minutes_attended: i32,
    pub issued_at: Ts,
}

const CERT_SELECT: &str = "SELECT c.code, e.full_name, o.name AS org_name, k.title AS course_title, k.audience, \
     c.minutes_attended, c.issued_at FROM certificates c JOIN enrolments e ON e.id = c.enrolment_id \
     JOIN organisations o ON o.id = e.org_id JOIN courses k ON k.id = e.course_id";

/// `XXXX-XXXX-XXXX` in Crockford's base-32 alphabet (no I, L, O, U): 60 random bits.
fn new_code() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut rng = rand::rng();
    let chars: Vec<char> = (0..12)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// The code as typed: case, spaces and dashes do not matter, and the letters people
/// confuse with digits read as those digits (Crockford).
pub fn normalise_code(code: &str) -> String {
    let c: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            x => x,
        })
        .collect();
    if c.len() != 12 {
        return c;
    }
    format!("{}-{}-{}", &c[..4], &c[4..8], &c[8..])
}

/// The certificate of an enrolment (the reader's own, or any for a trainer), issued on
/// first request if the participant qualifies: enough attendance and the survey answered.
pub async fn certificate(
    db: &Db,
    ctx: &Ctx,
    course_id: &str,
    enrolment_id: Option<&str>,
) -> Result<Certificate> {
    signed_in(ctx)?;
    let enrolment = match enrolment_id {
        Some(e) if trainer(ctx) => e.to_string(),
        Some(_) => return Err(Error::Forbidden),
        None => own_enrolment(db, ctx, course_id).await?,
    };
    let view = course(db, ctx, course_id).await?;
    let s = view
        .standings
        .iter()
        .find(|s| s.enrolment.id == enrolment)
        .ok_or(Error::NotFound)?;
    if s.certificate.is_none() {
        if !view.finished() {
            return Err(Error::Validation(vec![FieldError::new(
                "certificate",
                "course_not_finished",
            )]));
        }
        if !s.eligible {
            return Err(Error::Validation(vec![FieldError::new(
                "certificate",
                "attendance_too_low",
            )]));
        }
        // Participants with an account answer the survey online first; for others the
        // trainer collects it on paper.
        if !s.survey_done && s.enrolment.user_id.is_some() {
            return Err(Error::Validation(vec![FieldError::new(
                "certificate",
                "survey_required",
            )]));
        }
        let mut tx = db.begin().await?;
        let code = new_code();
        with_tx!(&mut tx, |c| sqlx::query(
            "INSERT INTO certificates (id, enrolment_id, code, minutes_attended, issued_at) VALUES ($1,$2,$3,$4,$5) \
             ON CONFLICT (enrolment_id) DO NOTHING"
        )
        .bind(new_id())
        .bind(&enrolment)
        .bind(&code)
        .bind(s.minutes_attended)
        .bind(Ts::now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(db_err)?;
        audit::append(
            &mut tx,
            ctx,
            Event::new("course.certificate", "course", Some(course_id))
                .details(json!({"enrolment": enrolment})),
        )
        .await?;
        tx.commit().await?;
    }
    let sql = format!("{CERT_SELECT} WHERE c.enrolment_id = $1");
    with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(&enrolment)
        .fetch_optional(p)
        .await)
    .map_err(db_err)?
    .ok_or(Error::NotFound)
}

/// Public: the certificate with this code, if there is one. Wrong codes are counted per
/// address and refused with `rate_limited` beyond the limit.
pub async fn verify(db: &Db, ip: &str, code: &str) -> Result<Option<Certificate>> {
    let since = Ts::now().plus_seconds(-15 * 60);
    if crate::bookings::attempts(db, ip, "verify", since).await? >= VERIFY_FAILURES {
        return Err(Error::RateLimited);
    }
    let code = normalise_code(code);
    let sql = format!("{CERT_SELECT} WHERE c.code = $1");
    let found: Option<Certificate> =
        with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(&code)
            .fetch_optional(p)
            .await)
        .map_err(db_err)?;
    if found.is_none() {
        crate::bookings::attempt(db, ip, "verify").await?;
    }
    Ok(found)
}

/// Accounts a trainer can enrol: patronati, managing bodies and partners' staff first.
pub async fn participant_choices(db: &Db, ctx: &Ctx) -> Result<Vec<(String, String)>> {
    ctx.actor.require(Permission::ManageTrainings)?;
    let rows: Vec<(String, String, String)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT u.id, u.full_name, o.name FROM users u JOIN organisations o ON o.id = u.org_id \
         WHERE u.active ORDER BY CASE o.kind WHEN 'patronato' THEN 0 WHEN 'managing_body' THEN 1 ELSE 2 END, u.full_name"
    )
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, org)| (id, format!("{name} — {org}")))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_twelve_crockford_characters_and_read_back_however_typed() {
        let c = new_code();
        assert_eq!(c.len(), 14);
        assert_eq!(normalise_code(&c.to_lowercase().replace('-', " ")), c);
        assert_eq!(normalise_code("oi1l-abcd-efgh"), "0111-ABCD-EFGH");
    }

    #[test]
    fn attendance_of_three_quarters_of_the_minutes_qualifies() {
        assert!(eligible(270, 360, 75));
        assert!(!eligible(269, 360, 75));
        assert!(!eligible(0, 0, 75));
    }
}
