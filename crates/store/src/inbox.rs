//! One inbox per user: what waits for them. An item is addressed to a user, to an
//! organisation's queue (its members who hold a permission), or to everyone holding a
//! permission (the helpdesk's answerers). Items are written by `notify` inside the
//! transaction of the change that causes them, so a change that rolls back tells nobody
//! and a change that commits is never missed (the transactional-outbox pattern: the
//! digest e-mail is sent later from the same rows).
//!
//! Two sorts of item: *requests* (an access request, a referral, a transfer to answer, a
//! task to do) close by themselves when the work is done (`resolve`, in the transaction
//! of that work); *notices* (your transfer was accepted, your question was answered) are
//! marked done by the reader.
//!
//! Items hold no special-category data. Free text (a task's title, a refusal's reason) is
//! in `summary`, which erasure of the person clears; the person's name is read live from
//! the register, so a pseudonymised person shows as such.

use chrono::NaiveDate;
use domain::policy::{Actor, Permission};
use domain::{Error, Result};
use serde_json::json;

use crate::audit::{self, Event};
use crate::db::{Ctx, Db, Tx, db_err};
use crate::{Ts, new_id, with_pool, with_tx};

/// Who an item is for.
#[derive(Debug, Clone, Copy)]
pub enum To<'a> {
    /// One user.
    User(&'a str),
    /// An organisation's queue: its members holding the permission.
    Queue(&'a str, Permission),
    /// Everyone holding the permission, in any organisation.
    Holders(Permission),
}

/// An item to write.
#[derive(Debug, Clone)]
pub struct Notice<'a> {
    pub kind: &'static str,
    pub to: To<'a>,
    pub subject_type: &'static str,
    pub subject_id: &'a str,
    pub person_id: Option<&'a str>,
    pub from_org: Option<&'a str>,
    pub link: String,
    pub summary: String,
    pub due_on: Option<NaiveDate>,
}

impl<'a> Notice<'a> {
    pub fn new(
        kind: &'static str,
        to: To<'a>,
        subject_type: &'static str,
        subject_id: &'a str,
        link: String,
    ) -> Self {
        Notice {
            kind,
            to,
            subject_type,
            subject_id,
            person_id: None,
            from_org: None,
            link,
            summary: String::new(),
            due_on: None,
        }
    }
    pub fn person(mut self, id: &'a str) -> Self {
        self.person_id = Some(id);
        self
    }
    pub fn from(mut self, org: Option<&'a str>) -> Self {
        self.from_org = org;
        self
    }
    pub fn summary(mut self, s: impl Into<String>) -> Self {
        self.summary = s.into().chars().take(300).collect();
        self
    }
    pub fn due(mut self, d: Option<NaiveDate>) -> Self {
        self.due_on = d;
        self
    }
}

/// Kinds that ask the reader to do something and close when it is done; the others are
/// notices the reader marks as read.
pub const REQUEST_KINDS: &[&str] = &[
    "access_request",
    "merge_request",
    "referral",
    "case_transfer",
    "task",
    "appointment_request",
    "appointment_proposal",
    "transfer_request",
    "corrective_action",
    "finding_answered",
    "action_reopened",
    "action_item",
    "helpdesk_question",
];

/// Every kind of item (each has a Fluent message `inbox-<kind>`).
pub const KINDS: &[&str] = &[
    "access_request",
    "access_granted",
    "access_refused",
    "merge_request",
    "merge_accepted",
    "merge_refused",
    "referral",
    "case_transfer",
    "referral_accepted",
    "referral_rejected",
    "referral_completed",
    "task",
    "appointment_request",
    "appointment_proposal",
    "appointment_confirmed",
    "transfer_request",
    "transfer_accepted",
    "transfer_refused",
    "corrective_action",
    "finding_answered",
    "action_verified",
    "action_reopened",
    "action_item",
    "helpdesk_question",
    "helpdesk_answer",
    "booking",
];

/// Writes an item in the caller's transaction.
pub async fn notify(tx: &mut Tx, ctx: &Ctx, n: Notice<'_>) -> Result<String> {
    debug_assert!(KINDS.contains(&n.kind), "unknown inbox kind {}", n.kind);
    let (user, org, perm) = match n.to {
        To::User(u) => (Some(u), None, None),
        To::Queue(o, p) => (None, Some(o), Some(p.code())),
        To::Holders(p) => (None, None, Some(p.code())),
    };
    // Nobody is told of their own doing (work one gives oneself still waits in one's inbox);
    // and what the platform itself did (seeding, the command line) has no user to tell.
    if let Some(u) = user
        && ((u == ctx.actor.id && !REQUEST_KINDS.contains(&n.kind)) || !is_user(tx, u).await?)
    {
        return Ok(String::new());
    }
    let id = new_id();
    with_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO inbox_items (id, kind, user_id, org_id, perm, subject_type, subject_id, person_id, \
             from_org_id, link, summary, due_on, created_by, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)",
        )
        .bind(&id)
        .bind(n.kind)
        .bind(user)
        .bind(org)
        .bind(perm)
        .bind(n.subject_type)
        .bind(n.subject_id)
        .bind(n.person_id)
        .bind(n.from_org)
        .bind(&n.link)
        .bind(&n.summary)
        .bind(n.due_on)
        .bind(&ctx.actor.id)
        .bind(Ts::now())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    Ok(id)
}

/// Whether `id` is a user's (and not the platform's name for itself, as in `created_by`
/// columns written by the command line or the demo).
pub async fn is_user(tx: &mut Tx, id: &str) -> Result<bool> {
    let n: (i64,) = with_tx!(tx, |c| sqlx::query_as(
        "SELECT COUNT(*) FROM users WHERE id = $1"
    )
    .bind(id)
    .fetch_one(c)
    .await)
    .map_err(db_err)?;
    Ok(n.0 > 0)
}

/// Closes the open items of these kinds about a subject: the work they asked for is done.
pub async fn resolve(
    tx: &mut Tx,
    ctx: &Ctx,
    subject_type: &str,
    subject_id: &str,
    kinds: &[&str],
) -> Result<u64> {
    let sql = format!(
        "UPDATE inbox_items SET done_at = $1, done_by = $2 WHERE subject_type = $3 AND subject_id = $4 \
         AND done_at IS NULL AND kind IN ({})",
        crate::placeholders_from(5, kinds.len())
    );
    with_tx!(tx, |c| {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(Ts::now())
            .bind(&ctx.actor.id)
            .bind(subject_type)
            .bind(subject_id);
        for k in kinds {
            q = q.bind(*k);
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })
    .map_err(db_err)
}

/// An item as its reader sees it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Item {
    pub id: String,
    pub kind: String,
    /// Addressed to the reader alone (else to a queue they belong to).
    pub personal: bool,
    pub subject_type: String,
    pub subject_id: String,
    pub person_name: Option<String>,
    pub from_org_name: Option<String>,
    pub created_by_name: Option<String>,
    pub link: String,
    pub summary: String,
    pub due_on: Option<NaiveDate>,
    pub created_at: Ts,
    pub done_at: Option<Ts>,
}

impl Item {
    /// Whether the item closes by itself when its work is done (else the reader marks it).
    pub fn is_request(&self) -> bool {
        REQUEST_KINDS.contains(&self.kind.as_str())
    }

    /// Where the item stands against its due date, if it has one.
    pub fn state(&self, today: NaiveDate) -> Option<domain::legal::DeadlineState> {
        if !self.is_request() {
            return None;
        }
        self.due_on
            .map(|d| domain::legal::deadline_state(d, today, self.done_at.is_some()))
    }

    /// The order of the inbox: overdue, then due within a week, then requests waiting for
    /// an answer (oldest first: someone has waited longest), then other due dates, then
    /// notices (newest first).
    fn rank(&self, today: NaiveDate) -> (u8, i64) {
        let soon = today + chrono::Duration::days(domain::legal::DUE_SOON_DAYS);
        let day = |d: NaiveDate| d.num_days_from_ce() as i64;
        if !self.is_request() {
            // A notice's date (a booking's day) is news, not a deadline.
            return (4, -self.created_at.0.timestamp_micros());
        }
        match self.due_on {
            Some(d) if d < today => (0, day(d)),
            Some(d) if d <= soon => (1, day(d)),
            _ if self.is_request() && self.due_on.is_none() => {
                (2, self.created_at.0.timestamp_micros())
            }
            Some(d) => (3, day(d)),
            None => (4, -self.created_at.0.timestamp_micros()),
        }
    }
}

use chrono::Datelike;

const ITEM_COLUMNS: &str = "i.id, i.kind, (i.user_id IS NOT NULL) AS personal, i.subject_type, i.subject_id, \
    CASE WHEN p.id IS NULL THEN NULL ELSE p.given_names || ' ' || p.family_name END AS person_name, \
    o.name AS from_org_name, u.full_name AS created_by_name, i.link, i.summary, i.due_on, i.created_at, i.done_at \
    FROM inbox_items i LEFT JOIN persons p ON p.id = i.person_id \
    LEFT JOIN organisations o ON o.id = i.from_org_id LEFT JOIN users u ON u.id = i.created_by";

/// The three disjoint parts of what a reader sees, each served by its own partial index:
/// items for them, for their organisation's queues, for the holders of a permission. Each
/// is a condition on `i` with its own values, numbered from `$first` (PostgreSQL refuses a
/// value bound to no placeholder, so each part binds exactly what it uses).
pub(crate) fn reader_parts(actor: &Actor, first: usize) -> Vec<(String, Vec<String>)> {
    let mut perms: Vec<String> = actor
        .permission_codes()
        .into_iter()
        .map(str::to_string)
        .collect();
    if perms.is_empty() {
        perms.push("-".into());
    }
    let org = actor.org_id.clone().unwrap_or_default();
    vec![
        (format!("i.user_id = ${first}"), vec![actor.id.clone()]),
        (
            format!(
                "i.user_id IS NULL AND i.org_id = ${first} AND i.perm IN ({})",
                crate::placeholders_from(first + 1, perms.len())
            ),
            std::iter::once(org).chain(perms.iter().cloned()).collect(),
        ),
        (
            format!(
                "i.user_id IS NULL AND i.org_id IS NULL AND i.perm IN ({})",
                crate::placeholders_from(first, perms.len())
            ),
            perms,
        ),
    ]
}

/// How many items wait for the reader (for the header of every page).
pub async fn count_open(db: &Db, actor: &Actor) -> Result<i64> {
    let mut total = 0;
    for (part, binds) in reader_parts(actor, 1) {
        let sql = format!("SELECT COUNT(*) FROM inbox_items i WHERE i.done_at IS NULL AND {part}");
        let n: i64 = with_pool!(db, |p| {
            let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()));
            for b in &binds {
                q = q.bind(b);
            }
            q.fetch_one(p).await
        })
        .map_err(db_err)?;
        total += n;
    }
    Ok(total)
}

async fn fetch(db: &Db, actor: &Actor, open: bool, limit: i64) -> Result<Vec<Item>> {
    let mut items: Vec<Item> = vec![];
    for (part, binds) in reader_parts(actor, 1) {
        let sql = if open {
            format!(
                "SELECT {ITEM_COLUMNS} WHERE i.done_at IS NULL AND {part} ORDER BY i.created_at LIMIT {limit}"
            )
        } else {
            format!(
                "SELECT {ITEM_COLUMNS} WHERE i.done_at IS NOT NULL AND {part} ORDER BY i.done_at DESC LIMIT {limit}"
            )
        };
        let rows: Vec<Item> = with_pool!(db, |p| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for b in &binds {
                q = q.bind(b);
            }
            q.fetch_all(p).await
        })
        .map_err(db_err)?;
        items.extend(rows);
    }
    Ok(items)
}

/// What waits for the reader, most urgent first, and what was done lately.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Inbox {
    pub open: Vec<Item>,
    pub done: Vec<Item>,
}

/// The reader's inbox (names of people in it: the read is audited, like a list of cases).
pub async fn inbox(db: &Db, ctx: &Ctx, with_done: bool) -> Result<Inbox> {
    let today = domain::clock::today();
    let mut open = fetch(db, &ctx.actor, true, 500).await?;
    open.sort_by_key(|i| i.rank(today));
    let mut done = if with_done {
        fetch(db, &ctx.actor, false, 20).await?
    } else {
        vec![]
    };
    done.sort_by_key(|i| std::cmp::Reverse(i.done_at));
    done.truncate(20);
    audit::record(
        db,
        ctx,
        Event::new("inbox.read", "inbox", None).details(json!({"open": open.len()})),
    )
    .await?;
    Ok(Inbox { open, done })
}

/// Marks a notice as read. Requests close when their work is done, not here.
pub async fn mark_done(db: &Db, ctx: &Ctx, id: &str) -> Result<()> {
    #[derive(sqlx::FromRow)]
    struct Row {
        kind: String,
        user_id: Option<String>,
        org_id: Option<String>,
        perm: Option<String>,
        done_at: Option<Ts>,
    }
    let row: Option<Row> = with_pool!(db, |p| {
        sqlx::query_as("SELECT kind, user_id, org_id, perm, done_at FROM inbox_items WHERE id = $1")
            .bind(id)
            .fetch_optional(p)
            .await
    })
    .map_err(db_err)?;
    let Row {
        kind,
        user_id: user,
        org_id: org,
        perm,
        done_at: done,
    } = row.ok_or(Error::NotFound)?;
    let holds = |code: &Option<String>| {
        code.as_deref()
            .and_then(Permission::parse)
            .is_some_and(|p| ctx.actor.can(p))
    };
    let mine = match (&user, &org) {
        (Some(u), _) => *u == ctx.actor.id,
        (None, Some(o)) => ctx.actor.org_id.as_deref() == Some(o.as_str()) && holds(&perm),
        (None, None) => holds(&perm),
    };
    if !mine {
        return Err(Error::Forbidden);
    }
    if REQUEST_KINDS.contains(&kind.as_str()) {
        return Err(Error::field("item", "inbox_request_not_markable"));
    }
    if done.is_some() {
        return Err(Error::Conflict);
    }
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| {
        sqlx::query(
            "UPDATE inbox_items SET done_at = $1, done_by = $2 WHERE id = $3 AND done_at IS NULL",
        )
        .bind(Ts::now())
        .bind(&ctx.actor.id)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    if n == 0 {
        return Err(Error::Conflict);
    }
    audit::append(
        &mut tx,
        ctx,
        Event::new("inbox.done", "inbox_item", Some(id)),
    )
    .await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: &str, due: Option<NaiveDate>, created: i64) -> Item {
        Item {
            id: format!("{kind}{created}"),
            kind: kind.into(),
            personal: true,
            subject_type: "case".into(),
            subject_id: "c".into(),
            person_name: None,
            from_org_name: None,
            created_by_name: None,
            link: "/".into(),
            summary: String::new(),
            due_on: due,
            created_at: Ts::from_datetime(
                chrono::DateTime::from_timestamp(created, 0).unwrap_or_default(),
            ),
            done_at: None,
        }
    }

    #[test]
    fn overdue_work_comes_first_then_waiting_requests_then_notices() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default();
        let mut items = [
            item("transfer_accepted", None, 50),
            item("task", Some(today + chrono::Duration::days(30)), 10),
            item("access_request", None, 20),
            item("task", Some(today - chrono::Duration::days(1)), 30),
            item("access_request", None, 10),
            item("action_item", Some(today + chrono::Duration::days(2)), 40),
        ];
        items.sort_by_key(|i| i.rank(today));
        let order: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(
            order,
            [
                "task30",
                "action_item40",
                "access_request10",
                "access_request20",
                "task10",
                "transfer_accepted50"
            ]
        );
    }
}
