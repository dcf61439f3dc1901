//! The patronati helpdesk and the knowledge base (WP1). An operator asks a question about
//! a procedure; the Prefecture's team answers it, and the time from question to answer is
//! kept; a good answer becomes a knowledge-base entry, linked to the procedure, that anyone
//! signed in can search.
//!
//! Askers see their organisation's questions; answerers (`AnswerHelpdesk`) see them all.

use domain::policy::Permission;
use domain::{Error, FieldError, Result};
use serde_json::json;

use crate::audit::{self, Event};
use crate::checks::{signed_in, text};
use crate::db::{Ctx, Db, db_err};
use crate::{Ts, new_id, with_pool, with_tx};

fn answerer(ctx: &Ctx) -> bool {
    ctx.actor.can(Permission::AnswerHelpdesk)
}

async fn known_procedure(db: &Db, code: &str) -> Result<bool> {
    Ok(crate::catalogue::procedures(db)
        .await?
        .iter()
        .any(|p| p.code == code))
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Question {
    pub id: String,
    pub org_id: String,
    pub org_name: String,
    pub asked_by: String,
    pub asker_name: String,
    pub procedure_code: Option<String>,
    pub subject: String,
    pub body: String,
    pub status: String,
    pub asked_at: Ts,
    pub answer: String,
    pub answered_by_name: Option<String>,
    pub answered_at: Option<Ts>,
    pub kb_entry_id: Option<String>,
    pub version: i32,
}

impl Question {
    /// Hours from question to answer, if answered.
    pub fn response_hours(&self) -> Option<f64> {
        self.answered_at
            .map(|a| (a.0 - self.asked_at.0).num_minutes() as f64 / 60.0)
    }
}

const QUESTION_SELECT: &str = "SELECT q.id, q.org_id, o.name AS org_name, q.asked_by, u.full_name AS asker_name, \
     q.procedure_code, q.subject, q.body, q.status, q.asked_at, q.answer, a.full_name AS answered_by_name, \
     q.answered_at, q.kb_entry_id, q.version FROM helpdesk_questions q \
     JOIN organisations o ON o.id = q.org_id JOIN users u ON u.id = q.asked_by LEFT JOIN users a ON a.id = q.answered_by";

/// Open questions first (oldest first: they have waited longest), then the answered ones.
pub async fn questions(db: &Db, ctx: &Ctx) -> Result<Vec<Question>> {
    signed_in(ctx)?;
    let order = "ORDER BY CASE q.status WHEN 'open' THEN 0 ELSE 1 END, \
                 CASE q.status WHEN 'open' THEN q.asked_at END ASC, q.asked_at DESC";
    if answerer(ctx) {
        let sql = format!("{QUESTION_SELECT} {order}");
        return with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_all(p)
            .await)
        .map_err(db_err);
    }
    ctx.actor.require(Permission::AskHelpdesk)?;
    let sql = format!("{QUESTION_SELECT} WHERE q.org_id = $1 {order}");
    with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(ctx.actor.org_id.clone().unwrap_or_default())
        .fetch_all(p)
        .await)
    .map_err(db_err)
}

pub async fn question(db: &Db, ctx: &Ctx, id: &str) -> Result<Question> {
    signed_in(ctx)?;
    let sql = format!("{QUESTION_SELECT} WHERE q.id = $1");
    let q: Question = with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id)
        .fetch_optional(p)
        .await)
    .map_err(db_err)?
    .ok_or(Error::NotFound)?;
    if !answerer(ctx) && ctx.actor.org_id.as_deref() != Some(q.org_id.as_str()) {
        return Err(Error::NotFound);
    }
    Ok(q)
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct AskInput {
    pub procedure_code: String,
    pub subject: String,
    pub body: String,
}

pub async fn ask(db: &Db, ctx: &Ctx, i: &AskInput) -> Result<String> {
    ctx.actor.require(Permission::AskHelpdesk)?;
    let org = ctx.actor.org_id.clone().ok_or(Error::Forbidden)?;
    let mut errors = vec![];
    text("subject", &i.subject, 200, true, &mut errors);
    text("body", &i.body, 5000, true, &mut errors);
    let proc = i.procedure_code.trim();
    if !proc.is_empty() && !known_procedure(db, proc).await? {
        errors.push(FieldError::new("procedure_code", "field_invalid_choice"));
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let id = new_id();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO helpdesk_questions (id, org_id, asked_by, procedure_code, subject, body, status, asked_at) \
         VALUES ($1,$2,$3,$4,$5,$6,'open',$7)"
    )
    .bind(&id)
    .bind(&org)
    .bind(&ctx.actor.id)
    .bind((!proc.is_empty()).then_some(proc))
    .bind(i.subject.trim())
    .bind(i.body.trim())
    .bind(Ts::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    crate::inbox::notify(
        &mut tx,
        ctx,
        crate::inbox::Notice::new(
            "helpdesk_question",
            crate::inbox::To::Holders(Permission::AnswerHelpdesk),
            "helpdesk_question",
            &id,
            format!("/helpdesk/{id}"),
        )
        .from(Some(&org))
        .summary(i.subject.trim()),
    )
    .await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("helpdesk.ask", "helpdesk_question", Some(&id)),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Answers (or corrects the answer of) a question; the first answer stops its clock.
pub async fn answer(db: &Db, ctx: &Ctx, id: &str, version: i32, answer: &str) -> Result<()> {
    ctx.actor.require(Permission::AnswerHelpdesk)?;
    let q = question(db, ctx, id).await?;
    let mut errors = vec![];
    text("answer", answer, 10_000, true, &mut errors);
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let answered_at = q.answered_at.unwrap_or_else(Ts::now);
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| sqlx::query(
        "UPDATE helpdesk_questions SET answer = $1, answered_by = $2, answered_at = $3, status = 'answered', \
         version = version + 1 WHERE id = $4 AND version = $5"
    )
    .bind(answer.trim())
    .bind(&ctx.actor.id)
    .bind(answered_at)
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    if n == 0 {
        return Err(Error::Conflict);
    }
    // The first answer closes the question in the answerers' inboxes and tells the asker;
    // a correction tells them again.
    crate::inbox::resolve(
        &mut tx,
        ctx,
        "helpdesk_question",
        id,
        &["helpdesk_question"],
    )
    .await?;
    crate::inbox::notify(
        &mut tx,
        ctx,
        crate::inbox::Notice::new(
            "helpdesk_answer",
            crate::inbox::To::User(&q.asked_by),
            "helpdesk_question",
            id,
            format!("/helpdesk/{id}"),
        )
        .from(ctx.actor.org_id.as_deref())
        .summary(q.subject.clone()),
    )
    .await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("helpdesk.answer", "helpdesk_question", Some(id)),
    )
    .await?;
    tx.commit().await
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct KbEntry {
    pub id: String,
    pub procedure_code: Option<String>,
    pub question: String,
    pub answer: String,
    pub source_question_id: Option<String>,
    pub updated_at: Ts,
    pub version: i32,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct KbInput {
    pub procedure_code: String,
    pub question: String,
    pub answer: String,
}

/// Turns an answered question into a knowledge-base entry (its wording may be edited on
/// the way: no names, a general question). A question becomes one entry at most.
pub async fn publish_to_kb(db: &Db, ctx: &Ctx, question_id: &str, i: &KbInput) -> Result<String> {
    ctx.actor.require(Permission::AnswerHelpdesk)?;
    let q = question(db, ctx, question_id).await?;
    if q.status != "answered" {
        return Err(Error::Validation(vec![FieldError::new(
            "answer",
            "question_not_answered",
        )]));
    }
    if let Some(kb) = q.kb_entry_id {
        return Ok(kb);
    }
    let mut errors = vec![];
    text("question", &i.question, 500, true, &mut errors);
    text("answer", &i.answer, 10_000, true, &mut errors);
    let proc = i.procedure_code.trim();
    if !proc.is_empty() && !known_procedure(db, proc).await? {
        errors.push(FieldError::new("procedure_code", "field_invalid_choice"));
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let id = new_id();
    let now = Ts::now();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO kb_entries (id, procedure_code, question, answer, source_question_id, created_by, created_at, updated_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$7)"
    )
    .bind(&id)
    .bind((!proc.is_empty()).then_some(proc))
    .bind(i.question.trim())
    .bind(i.answer.trim())
    .bind(question_id)
    .bind(&ctx.actor.id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    let n = with_tx!(&mut tx, |c| sqlx::query(
        "UPDATE helpdesk_questions SET kb_entry_id = $1, version = version + 1 WHERE id = $2 AND kb_entry_id IS NULL"
    )
    .bind(&id)
    .bind(question_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    if n == 0 {
        return Err(Error::Conflict);
    }
    audit::append(
        &mut tx,
        ctx,
        Event::new("kb.create", "kb_entry", Some(&id)).details(json!({"question": question_id})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Searches the knowledge base: every word of `q` in the question or the answer (any case),
/// optionally for one procedure. Newest first.
pub async fn search_kb(db: &Db, ctx: &Ctx, q: &str, procedure: &str) -> Result<Vec<KbEntry>> {
    signed_in(ctx)?;
    let all: Vec<KbEntry> = with_pool!(db, |p| sqlx::query_as(
        "SELECT id, procedure_code, question, answer, source_question_id, updated_at, version FROM kb_entries \
         ORDER BY updated_at DESC"
    )
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    // The base is small (hundreds of entries): matching in the application keeps accents
    // and case handling the same on both engines.
    let fold = |s: &str| any_fold(s);
    let words: Vec<String> = q.split_whitespace().map(fold).collect();
    Ok(all
        .into_iter()
        .filter(|e| procedure.is_empty() || e.procedure_code.as_deref() == Some(procedure))
        .filter(|e| {
            let hay = fold(&format!("{} {}", e.question, e.answer));
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .collect())
}

/// Lower case without accents, so "citta" finds "città".
fn any_fold(s: &str) -> String {
    any_ascii::any_ascii(s).to_lowercase()
}

pub async fn kb_entry(db: &Db, ctx: &Ctx, id: &str) -> Result<KbEntry> {
    signed_in(ctx)?;
    with_pool!(db, |p| sqlx::query_as(
        "SELECT id, procedure_code, question, answer, source_question_id, updated_at, version FROM kb_entries WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(p)
    .await)
    .map_err(db_err)?
    .ok_or(Error::NotFound)
}

/// Response times of the questions answered in the last `days` days: (count, mean hours,
/// median hours).
pub async fn response_times(db: &Db, ctx: &Ctx, days: i64) -> Result<(usize, f64, f64)> {
    ctx.actor.require(Permission::AnswerHelpdesk)?;
    let since = Ts::now().plus_seconds(-days * 86_400);
    let rows: Vec<(Ts, Ts)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT asked_at, answered_at FROM helpdesk_questions WHERE answered_at IS NOT NULL AND answered_at >= $1"
    )
    .bind(since)
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    let mut hours: Vec<f64> = rows
        .iter()
        .map(|(a, b)| (b.0 - a.0).num_minutes() as f64 / 60.0)
        .collect();
    if hours.is_empty() {
        return Ok((0, 0.0, 0.0));
    }
    hours.sort_by(|a, b| a.total_cmp(b));
    let mean = hours.iter().sum::<f64>() / hours.len() as f64;
    let mid = hours.len() / 2;
    let median = if hours.len().is_multiple_of(2) {
        (hours[mid - 1] + hours[mid]) / 2.0
    } else {
        hours[mid]
    };
    Ok((hours.len(), mean, median))
}

/// Sets a demo question's times (the demo's history: asked days ago, answered a day later).
pub(crate) async fn set_times(
    db: &Db,
    id: &str,
    asked_at: Ts,
    answered_at: Option<Ts>,
) -> Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "UPDATE helpdesk_questions SET asked_at = $1, answered_at = $2 WHERE id = $3"
    )
    .bind(asked_at)
    .bind(answered_at)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_and_accents() {
        assert_eq!(any_fold("Città È"), "citta e");
    }
}
