//! Corrective actions: what a closed inspection's findings require of a centre, by a
//! deadline. The centre's manager answers with evidence; the monitoring office verifies
//! (the action is done) or reopens it with a new deadline, and records penalties. Every
//! step is kept as an event, never overwritten.

use chrono::NaiveDate;
use domain::policy::Permission;
use domain::{Error, FieldError, Result};
use serde_json::json;

use crate::audit::{self, Event};
use crate::db::{Ctx, Db, db_err};
use crate::inspections::{FileInfo, NewFile, store_file};
use crate::{Ts, new_id, with_pool, with_tx};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Action {
    pub id: String,
    pub finding_id: String,
    pub inspection_id: String,
    pub centre_id: String,
    pub centre_name: String,
    #[serde(skip)]
    pub org_id: String,
    pub severity: String,
    pub description: String,
    pub action_required: String,
    pub due_on: NaiveDate,
    /// open, answered, verified
    pub status: String,
    pub version: i32,
    pub visited_on: Option<NaiveDate>,
    /// Who of the managing body does it (else its queue).
    pub assigned_to: Option<String>,
    pub assigned_name: Option<String>,
}

impl Action {
    pub fn overdue(&self) -> bool {
        self.status != "verified" && self.due_on < domain::clock::today()
    }
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ActionEvent {
    pub id: String,
    pub kind: String,
    pub body: String,
    pub due_on: Option<NaiveDate>,
    pub amount_cents: Option<i32>,
    pub actor_name: String,
    pub at: Ts,
    #[sqlx(skip)]
    pub files: Vec<FileInfo>,
}

impl ActionEvent {
    pub fn amount_display(&self) -> String {
        self.amount_cents
            .map(|c| format!("{},{:02} €", c / 100, c % 100))
            .unwrap_or_default()
    }
}

const COLUMNS: &str = "a.id, a.finding_id, f.inspection_id, a.centre_id, c.name AS centre_name, c.org_id, \
    f.severity, f.description, f.action_required, a.due_on, a.status, a.version, i.visited_on, \
    a.assigned_to, au.full_name AS assigned_name \
    FROM corrective_actions a JOIN findings f ON f.id = a.finding_id \
    JOIN inspections i ON i.id = f.inspection_id JOIN centres c ON c.id = a.centre_id \
    LEFT JOIN users au ON au.id = a.assigned_to";

/// What the list of actions is narrowed to.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct Filter {
    pub centre: String,
    /// "open" (not verified: the default), "verified", or "all".
    pub status: String,
}

/// The actions the actor sees: all for the monitoring office, a manager's own centres.
pub async fn list(db: &Db, ctx: &Ctx, f: &Filter) -> Result<Vec<Action>> {
    ctx.actor.require(Permission::ViewCentres)?;
    let (scope, org) = crate::minors::hub_scope(ctx, Permission::ViewCentres, "c.org_id", 1)?;
    let n = if org.is_some() { 2 } else { 1 };
    let q = format!(
        "SELECT {COLUMNS} WHERE 1 = 1{scope} AND (${n} = '' OR a.centre_id = ${n}) \
         AND (${s} = 'all' OR (${s} = 'verified' AND a.status = 'verified') OR (${s} NOT IN ('all','verified') AND a.status <> 'verified')) \
         ORDER BY a.due_on, a.id",
        s = n + 1
    );
    with_pool!(db, |p| {
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(q.clone()));
        if let Some(o) = &org {
            query = query.bind(o);
        }
        query
            .bind(f.centre.trim())
            .bind(f.status.trim())
            .fetch_all(p)
            .await
    })
    .map_err(db_err)
}

/// One action with its history, for whoever may see its centre.
pub async fn get(db: &Db, ctx: &Ctx, id: &str) -> Result<(Action, Vec<ActionEvent>)> {
    ctx.actor.require(Permission::ViewCentres)?;
    let q = format!("SELECT {COLUMNS} WHERE a.id = $1");
    let a: Action = with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(q.clone()))
        .bind(id)
        .fetch_optional(p)
        .await)
    .map_err(db_err)?
    .ok_or(Error::NotFound)?;
    if !ctx.actor.reaches(Permission::ViewCentres, &a.org_id, None) {
        return Err(Error::NotFound);
    }
    let mut events: Vec<ActionEvent> = with_pool!(db, |p| sqlx::query_as(
        "SELECT e.id, e.kind, e.body, e.due_on, e.amount_cents, COALESCE(u.full_name, e.actor) AS actor_name, e.at \
         FROM action_events e LEFT JOIN users u ON u.id = e.actor WHERE e.action_id = $1 ORDER BY e.at, e.id"
    )
    .bind(id)
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    let files: Vec<FileInfo> = with_pool!(db, |p| sqlx::query_as(
        "SELECT m.id, m.item_id, m.action_event_id, m.filename, m.media_type, m.size_bytes, m.sha256, m.uploaded_at \
         FROM monitoring_files m JOIN action_events e ON e.id = m.action_event_id WHERE e.action_id = $1 ORDER BY m.uploaded_at"
    )
    .bind(id)
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    for e in &mut events {
        e.files = files
            .iter()
            .filter(|f| f.action_event_id.as_deref() == Some(e.id.as_str()))
            .cloned()
            .collect();
    }
    Ok((a, events))
}

/// Who of a managing body may be given its actions: its active users who answer findings.
pub async fn assignees(db: &Db, org: &str) -> Result<Vec<(String, String)>> {
    let rows: Vec<(String, String, String)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT u.id, u.full_name, r.role FROM users u JOIN user_roles r ON r.user_id = u.id \
         WHERE u.org_id = $1 AND u.active ORDER BY u.full_name"
    )
    .bind(org)
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    let mut out: Vec<(String, String)> = vec![];
    for (id, name, role) in rows {
        let answers = domain::account::Role::parse(&role).is_some_and(|r| {
            domain::policy::role_permissions(r).contains(&Permission::AnswerFindings)
        });
        if answers && !out.iter().any(|(i, _)| *i == id) {
            out.push((id, name));
        }
    }
    Ok(out)
}

/// The managing body gives an action to one of its people: it leaves the body's queue for
/// that person's inbox. Guarded by the action's version.
pub async fn assign(db: &Db, ctx: &Ctx, id: &str, user: &str, version: i32) -> Result<()> {
    ctx.actor.require(Permission::AnswerFindings)?;
    let (a, _) = get(db, ctx, id).await?;
    if !ctx
        .actor
        .reaches(Permission::AnswerFindings, &a.org_id, None)
    {
        return Err(Error::Forbidden);
    }
    if a.status == "verified" {
        return Err(Error::field("assignee", "action_already_verified"));
    }
    if !assignees(db, &a.org_id)
        .await?
        .iter()
        .any(|(u, _)| u == user)
    {
        return Err(Error::field("assignee", "field_invalid_choice"));
    }
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| {
        sqlx::query(
        "UPDATE corrective_actions SET assigned_to = $1, version = version + 1, updated_at = $2 \
         WHERE id = $3 AND version = $4"
    )
    .bind(user)
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
    crate::inbox::resolve(
        &mut tx,
        ctx,
        "corrective_action",
        id,
        &["corrective_action", "action_reopened"],
    )
    .await?;
    crate::inbox::notify(
        &mut tx,
        ctx,
        crate::inbox::Notice::new(
            "corrective_action",
            crate::inbox::To::User(user),
            "corrective_action",
            id,
            format!("/actions/{id}"),
        )
        .from(ctx.actor.org_id.as_deref())
        .summary(format!("{} — {}", a.centre_name, a.action_required))
        .due(Some(a.due_on)),
    )
    .await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("action.assign", "corrective_action", Some(id)).details(json!({"to": user})),
    )
    .await?;
    tx.commit().await
}

/// A step on an action as typed.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct StepInput {
    pub body: String,
    /// A reopening's new deadline.
    pub due_on: String,
    /// A penalty's amount in euros ("250" or "250,00").
    pub amount: String,
    pub version: i32,
}

/// An uploaded file: its name and content.
pub struct Upload {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// One step on an action: its kind, text, the status (and deadline) it leads to, a
/// penalty's amount, evidence, and the version the form was read at.
struct Step<'a> {
    kind: &'a str,
    body: &'a str,
    next: Option<(&'a str, Option<NaiveDate>)>,
    amount: Option<i32>,
    files: &'a [Upload],
    version: i32,
}

async fn write_step(db: &Db, ctx: &Ctx, a: &Action, step: Step<'_>) -> Result<()> {
    let Step {
        kind,
        body,
        next,
        amount,
        files,
        version,
    } = step;
    let eid = new_id();
    let mut tx = db.begin().await?;
    // The version guards every step, so an answer and a verification crossing each other
    // end in a conflict message, not in a verified action nobody answered.
    let n = match next {
        Some((status, due)) => with_tx!(&mut tx, |c| sqlx::query(
            "UPDATE corrective_actions SET status = $1, due_on = COALESCE($2, due_on), version = version + 1, updated_at = $3 \
             WHERE id = $4 AND version = $5"
        )
        .bind(status)
        .bind(due)
        .bind(Ts::now())
        .bind(&a.id)
        .bind(version)
        .execute(c)
        .await
        .map(|r| r.rows_affected())),
        None => with_tx!(&mut tx, |c| sqlx::query(
            "UPDATE corrective_actions SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3"
        )
        .bind(Ts::now())
        .bind(&a.id)
        .bind(version)
        .execute(c)
        .await
        .map(|r| r.rows_affected())),
    }
    .map_err(db_err)?;
    if n == 0 {
        return Err(Error::Conflict);
    }
    let due = next.and_then(|n| n.1);
    with_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO action_events (id, action_id, kind, body, due_on, amount_cents, actor, at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)"
    )
    .bind(&eid)
    .bind(&a.id)
    .bind(kind)
    .bind(body)
    .bind(due)
    .bind(amount)
    .bind(&ctx.actor.id)
    .bind(Ts::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    for f in files {
        store_file(
            db,
            &mut tx,
            ctx,
            NewFile {
                inspection_id: &a.inspection_id,
                item_id: None,
                action_event: Some(&eid),
                filename: &f.filename,
                bytes: &f.bytes,
            },
        )
        .await?;
    }
    tell(&mut tx, ctx, a, kind, due).await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new(
            match kind {
                "answer" => "action.answer",
                "verify" => "action.verify",
                "reopen" => "action.reopen",
                _ => "action.penalty",
            },
            "corrective_action",
            Some(&a.id),
        )
        .details(json!({"files": files.len(), "amount_cents": amount})),
    )
    .await?;
    tx.commit().await
}

/// Who learns of a step, in its transaction: an answer goes to the inspector who closed the
/// inspection (or, without one, to every inspector); a verification or a reopening to the
/// managing body's queue. Each step closes the items it answers.
async fn tell(
    tx: &mut crate::db::Tx,
    ctx: &Ctx,
    a: &Action,
    kind: &str,
    due: Option<NaiveDate>,
) -> Result<()> {
    use crate::inbox::{self, Notice, To};
    let link = format!("/actions/{}", a.id);
    match kind {
        "answer" => {
            inbox::resolve(
                tx,
                ctx,
                "corrective_action",
                &a.id,
                &["corrective_action", "action_reopened"],
            )
            .await?;
            let closed_by: (Option<String>,) = with_tx!(&mut *tx, |c| sqlx::query_as(
                "SELECT closed_by FROM inspections WHERE id = $1"
            )
            .bind(&a.inspection_id)
            .fetch_one(c)
            .await)
            .map_err(db_err)?;
            let to = match &closed_by.0 {
                Some(u) if inbox::is_user(tx, u).await? => To::User(u),
                _ => To::Holders(Permission::Inspect),
            };
            inbox::notify(
                tx,
                ctx,
                Notice::new("finding_answered", to, "corrective_action", &a.id, link)
                    .from(Some(&a.org_id))
                    .summary(format!("{} — {}", a.centre_name, a.action_required)),
            )
            .await?;
        }
        "verify" | "reopen" => {
            inbox::resolve(tx, ctx, "corrective_action", &a.id, &["finding_answered"]).await?;
            inbox::notify(
                tx,
                ctx,
                Notice::new(
                    if kind == "verify" {
                        "action_verified"
                    } else {
                        "action_reopened"
                    },
                    To::Queue(&a.org_id, Permission::AnswerFindings),
                    "corrective_action",
                    &a.id,
                    link,
                )
                .from(ctx.actor.org_id.as_deref())
                .summary(format!("{} — {}", a.centre_name, a.action_required))
                .due(due.or(Some(a.due_on)).filter(|_| kind == "reopen")),
            )
            .await?;
        }
        _ => {}
    }
    Ok(())
}

fn body(v: &str, errs: &mut Vec<FieldError>) -> String {
    domain::validate::required_text("body", v, 4000)
        .map_err(|e| errs.push(e))
        .unwrap_or_default()
}

/// The centre's answer: what was done, with evidence. Only the manager of the centre, on
/// an action not yet verified; a second answer adds to the first.
pub async fn answer(db: &Db, ctx: &Ctx, id: &str, s: &StepInput, files: &[Upload]) -> Result<()> {
    ctx.actor.require(Permission::AnswerFindings)?;
    let (a, _) = get(db, ctx, id).await?;
    if !ctx
        .actor
        .reaches(Permission::AnswerFindings, &a.org_id, None)
    {
        return Err(Error::Forbidden);
    }
    if a.status == "verified" {
        return Err(Error::field("body", "action_already_verified"));
    }
    let mut errs = vec![];
    let b = body(&s.body, &mut errs);
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    write_step(
        db,
        ctx,
        &a,
        Step {
            kind: "answer",
            body: &b,
            next: Some(("answered", None)),
            amount: None,
            files,
            version: s.version,
        },
    )
    .await
}

/// The office verifies an answered action: done.
pub async fn verify(db: &Db, ctx: &Ctx, id: &str, s: &StepInput) -> Result<()> {
    ctx.actor.require(Permission::Inspect)?;
    let (a, _) = get(db, ctx, id).await?;
    if a.status != "answered" {
        return Err(Error::field("body", "action_not_answered"));
    }
    let b = s.body.trim();
    if b.chars().count() > 4000 {
        return Err(Error::field("body", "field_too_long"));
    }
    write_step(
        db,
        ctx,
        &a,
        Step {
            kind: "verify",
            body: b,
            next: Some(("verified", None)),
            amount: None,
            files: &[],
            version: s.version,
        },
    )
    .await
}

/// The office finds the answer not enough: the action is open again, with a new deadline.
pub async fn reopen(db: &Db, ctx: &Ctx, id: &str, s: &StepInput) -> Result<()> {
    ctx.actor.require(Permission::Inspect)?;
    let (a, _) = get(db, ctx, id).await?;
    if a.status == "open" {
        return Err(Error::field("body", "action_not_answered"));
    }
    let mut errs = vec![];
    let b = body(&s.body, &mut errs);
    let due = match crate::cases::parse_date("due_on", &s.due_on) {
        Ok(Some(d)) if d <= domain::clock::today() => {
            errs.push(FieldError::new("due_on", "date_not_future"));
            None
        }
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            errs.push(FieldError::new("due_on", "field_required"));
            None
        }
        Err(e) => {
            errs.extend(e.fields().to_vec());
            None
        }
    };
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    write_step(
        db,
        ctx,
        &a,
        Step {
            kind: "reopen",
            body: &b,
            next: Some(("open", due)),
            amount: None,
            files: &[],
            version: s.version,
        },
    )
    .await
}

/// "250", "250,00", "1.250,50" euros as cents.
pub fn euros(v: &str) -> Option<i32> {
    let t = v.trim().trim_end_matches('€').trim();
    let t = if t.contains(',') {
        t.replace('.', "").replace(',', ".")
    } else {
        t.to_string()
    };
    let x = t.parse::<f64>().ok()?;
    (x > 0.0 && x <= 10_000_000.0).then(|| (x * 100.0).round() as i32)
}

/// Records a penalty (penale) applied for the breach, with its basis.
pub async fn penalty(db: &Db, ctx: &Ctx, id: &str, s: &StepInput) -> Result<()> {
    ctx.actor.require(Permission::Inspect)?;
    let (a, _) = get(db, ctx, id).await?;
    let mut errs = vec![];
    let b = body(&s.body, &mut errs);
    let amount = euros(&s.amount);
    if amount.is_none() {
        errs.push(FieldError::new("amount", "number_invalid"));
    }
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    write_step(
        db,
        ctx,
        &a,
        Step {
            kind: "penalty",
            body: &b,
            next: None,
            amount,
            files: &[],
            version: s.version,
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::euros;

    #[test]
    fn penalty_amounts_read_italian_and_plain_forms() {
        assert_eq!(euros("250"), Some(25_000));
        assert_eq!(euros("250,50 €"), Some(25_050));
        assert_eq!(euros("1.250,50"), Some(125_050));
        assert_eq!(euros("0"), None);
        assert_eq!(euros("abc"), None);
    }
}
