//! The audit log: append-only and hash-chained. Each entry's hash covers its fields and
//! the previous entry's hash, so altering or removing any row breaks every later link.
//! Database triggers refuse UPDATE and DELETE; the chain catches what bypasses them.

use domain::policy::Permission;
use domain::{Error, Result};
use sha2::{Digest, Sha256};

use crate::db::{Ctx, Db, Tx, db_err};
use crate::{Ts, dialect, with_pool, with_tx};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened to which object. `details` is a short JSON text, never a secret.
pub struct Event<'a> {
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: Option<&'a str>,
    pub details: Option<String>,
}

impl<'a> Event<'a> {
    pub fn new(action: &'a str, object_type: &'a str, object_id: Option<&'a str>) -> Self {
        Event {
            action,
            object_type,
            object_id,
            details: None,
        }
    }

    pub fn details(mut self, d: serde_json::Value) -> Self {
        self.details = Some(d.to_string());
        self
    }
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Row {
    pub seq: i64,
    pub at: Ts,
    pub actor_kind: String,
    pub actor_id: String,
    pub actor_org_id: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub purpose: Option<String>,
    pub request_id: Option<String>,
    pub details: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of one entry. Fields are length-prefixed so that no two different entries can
/// serialise to the same bytes.
pub fn entry_hash(r: &Row) -> String {
    let mut h = Sha256::new();
    let mut field = |s: &str| {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
    };
    field(&r.prev_hash);
    field(&r.seq.to_string());
    field(&r.at.to_text());
    field(&r.actor_kind);
    field(&r.actor_id);
    field(r.actor_org_id.as_deref().unwrap_or("\u{0}"));
    field(&r.action);
    field(&r.object_type);
    field(r.object_id.as_deref().unwrap_or("\u{0}"));
    field(r.purpose.as_deref().unwrap_or("\u{0}"));
    field(r.request_id.as_deref().unwrap_or("\u{0}"));
    field(r.details.as_deref().unwrap_or("\u{0}"));
    hex::encode(h.finalize())
}

/// Appends one entry inside the caller's transaction, so the record and its audit entry
/// are committed together or not at all.
pub async fn append(tx: &mut Tx, ctx: &Ctx, ev: Event<'_>) -> Result<()> {
    dialect::lock_audit_chain(tx).await?;
    let last: Option<(i64, String)> = with_tx!(tx, |c| {
        sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(c)
            .await
    })
    .map_err(db_err)?;
    let (seq, prev_hash) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_string()),
    };
    let mut row = Row {
        seq,
        at: Ts::now(),
        actor_kind: ctx.actor.kind.as_str().to_string(),
        actor_id: ctx.actor.id.clone(),
        actor_org_id: ctx.actor.org_id.clone(),
        action: ev.action.to_string(),
        object_type: ev.object_type.to_string(),
        object_id: ev.object_id.map(str::to_string),
        purpose: ctx.purpose.clone(),
        request_id: ctx.request_id.clone(),
        details: ev.details,
        prev_hash,
        hash: String::new(),
    };
    row.hash = entry_hash(&row);
    with_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor_kind, actor_id, actor_org_id, action, \
             object_type, object_id, purpose, request_id, details, prev_hash, hash) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)",
        )
        .bind(row.seq)
        .bind(row.at)
        .bind(&row.actor_kind)
        .bind(&row.actor_id)
        .bind(&row.actor_org_id)
        .bind(&row.action)
        .bind(&row.object_type)
        .bind(&row.object_id)
        .bind(&row.purpose)
        .bind(&row.request_id)
        .bind(&row.details)
        .bind(&row.prev_hash)
        .bind(&row.hash)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    Ok(())
}

/// Records an event that goes with no other write: reads of personal data, logins,
/// exports.
///
/// Entries recorded at the same moment share one transaction (group commit): every page
/// that shows personal data records its read, and one transaction each would queue all
/// readers behind the single writer. The caller still returns only once its own entry is
/// committed, so no page is shown without its audit entry.
pub async fn record(db: &Db, ctx: &Ctx, ev: Event<'_>) -> Result<()> {
    let (done, mut outcome) = tokio::sync::oneshot::channel();
    db.audit_queue
        .pending
        .lock()
        .map_err(|_| Error::internal("audit queue poisoned"))?
        .push(Pending {
            ctx: ctx.clone(),
            action: ev.action.to_string(),
            object_type: ev.object_type.to_string(),
            object_id: ev.object_id.map(str::to_string),
            details: ev.details,
            done,
        });
    // Whoever holds the flush lock writes everything queued so far, ours included if it was
    // queued in time; otherwise we take the lock next and write what has gathered since.
    let _flushing = db.audit_queue.flushing.lock().await;
    if let Ok(r) = outcome.try_recv() {
        return r;
    }
    let batch = std::mem::take(
        &mut *db
            .audit_queue
            .pending
            .lock()
            .map_err(|_| Error::internal("audit queue poisoned"))?,
    );
    // Written by a task of its own: if this request is abandoned (the browser went away),
    // the others in the batch still get their entries and their answer.
    let db2 = db.clone();
    let writer = tokio::spawn(async move {
        let written = write_batch(&db2, &batch).await;
        for p in batch {
            let _ = p.done.send(match &written {
                Ok(()) => Ok(()),
                Err(e) => Err(same_kind(e)),
            });
        }
    });
    let _ = writer.await;
    outcome
        .await
        .unwrap_or_else(|_| Err(Error::internal("audit entry not written")))
}

async fn write_batch(db: &Db, batch: &[Pending]) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    for p in batch {
        let ev = Event {
            action: &p.action,
            object_type: &p.object_type,
            object_id: p.object_id.as_deref(),
            details: p.details.clone(),
        };
        append(&mut tx, &p.ctx, ev).await?;
    }
    tx.commit().await
}

/// The error a batch's writer met, for each caller whose entry was in the batch.
fn same_kind(e: &Error) -> Error {
    match e {
        Error::Unavailable(m) => Error::Unavailable(m.clone()),
        Error::StorageFull(m) => Error::StorageFull(m.clone()),
        other => Error::internal(other.to_string()),
    }
}

/// An audit entry waiting for the next group commit.
struct Pending {
    ctx: Ctx,
    action: String,
    object_type: String,
    object_id: Option<String>,
    details: Option<String>,
    done: tokio::sync::oneshot::Sender<Result<()>>,
}

/// Entries waiting to be written, and the lock held by whoever is writing them.
#[derive(Default)]
pub struct AuditQueue {
    pending: std::sync::Mutex<Vec<Pending>>,
    flushing: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for AuditQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditQueue")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    pub seq: i64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub entries: i64,
    pub first_break: Option<Break>,
}

/// Walks the whole chain in order and reports the first broken link, if any.
pub async fn verify(db: &Db) -> Result<Verification> {
    const BATCH: i64 = 2000;
    let mut expected_seq = 1i64;
    let mut prev = GENESIS.to_string();
    let mut entries = 0i64;
    loop {
        let rows: Vec<Row> = with_pool!(db, |p| {
            sqlx::query_as("SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2")
                .bind(expected_seq)
                .bind(BATCH)
                .fetch_all(p)
                .await
        })
        .map_err(db_err)?;
        if rows.is_empty() {
            return Ok(Verification {
                entries,
                first_break: None,
            });
        }
        for r in rows {
            let broken = |reason: String| {
                Ok(Verification {
                    entries,
                    first_break: Some(Break { seq: r.seq, reason }),
                })
            };
            if r.seq != expected_seq {
                return Ok(Verification {
                    entries,
                    first_break: Some(Break {
                        seq: expected_seq,
                        reason: format!("entry {expected_seq} is missing (next is {})", r.seq),
                    }),
                });
            }
            if r.prev_hash != prev {
                return broken("its link to the previous entry does not match".into());
            }
            if entry_hash(&r) != r.hash {
                return broken("its content does not match its hash (altered)".into());
            }
            prev = r.hash.clone();
            expected_seq += 1;
            entries += 1;
        }
    }
}

#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct Filter {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub object_type: String,
    #[serde(default)]
    pub object_id: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub before: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Listed {
    pub seq: i64,
    pub at: Ts,
    pub actor_kind: String,
    pub actor_id: String,
    pub actor_name: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub purpose: Option<String>,
    pub request_id: Option<String>,
    pub details: Option<String>,
}

fn parse_day(s: &str, end: bool) -> Result<Option<Ts>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| Error::field(if end { "to" } else { "from" }, "date_invalid"))?;
    let d = if end { d.succ_opt().unwrap_or(d) } else { d };
    let dt = d.and_hms_opt(0, 0, 0).map(|n| n.and_utc());
    Ok(dt.map(Ts::from_datetime))
}

/// Lists entries newest first, 100 at a time (`before` pages back), with filters.
pub async fn list(db: &Db, ctx: &Ctx, f: &Filter) -> Result<Vec<Listed>> {
    ctx.actor.require(Permission::ViewAudit)?;
    let from = parse_day(&f.from, false)?;
    let to = parse_day(&f.to, true)?;
    let like = |s: &str| format!("{}%", crate::like_escape(s.trim()));
    let sql = "SELECT a.seq, a.at, a.actor_kind, a.actor_id, u.username AS actor_name, a.action, \
               a.object_type, a.object_id, a.purpose, a.request_id, a.details \
               FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id \
               WHERE ($1 = '' OR a.actor_id = $1 OR u.username = $1) \
               AND a.action LIKE $2 ESCAPE '\\' AND a.object_type LIKE $3 ESCAPE '\\' \
               AND ($4 = '' OR a.object_id = $4) \
               AND ($5 IS NULL OR a.at >= $5) AND ($6 IS NULL OR a.at < $6) \
               AND ($7 IS NULL OR a.seq < $7) \
               ORDER BY a.seq DESC LIMIT 100";
    with_pool!(db, |p| {
        sqlx::query_as(sql)
            .bind(f.actor.trim())
            .bind(like(&f.action))
            .bind(like(&f.object_type))
            .bind(f.object_id.trim())
            .bind(from)
            .bind(to)
            .bind(f.before)
            .fetch_all(p)
            .await
    })
    .map_err(db_err)
}
