//! Background jobs: a queue in the database shared by every app instance.
//!
//! Why in the database: the platform runs as one process on SQLite and as several behind a
//! load balancer on PostgreSQL, and a housekeeping job (purging sessions, verifying the
//! audit chain) must run once, whichever instances are up. So:
//! - a periodic job is enqueued under a key naming its time slot (`kind@slot`, unique), so
//!   every instance's scheduler may try and exactly one row appears;
//! - a worker claims a job with one `UPDATE … WHERE id = (…) AND state = 'queued'`: the
//!   state is re-checked on the row itself (PostgreSQL re-evaluates it after waiting for a
//!   concurrent claimer's lock; SQLite has one writer), so two workers never both claim it;
//! - a claim is a lease: if the instance dies, the lease runs out and another instance
//!   takes the job again, up to `max_attempts`; finishing checks the lease is still ours.
//!
//! Jobs are written to be idempotent (a rerun after a lost lease does no harm).

use domain::Result;

use crate::db::{Db, db_err};
use crate::{Ts, new_id, with_pool, with_tx};

/// A job kind that runs every `every_seconds`.
#[derive(Debug, Clone, Copy)]
pub struct Periodic {
    pub kind: &'static str,
    pub every_seconds: i64,
}

/// Housekeeping the platform runs by itself.
pub const PERIODIC: &[Periodic] = &[
    Periodic {
        kind: PURGE_SESSIONS,
        every_seconds: 3600,
    },
    Periodic {
        kind: VERIFY_AUDIT,
        every_seconds: 24 * 3600,
    },
    Periodic {
        kind: PRUNE_JOBS,
        every_seconds: 24 * 3600,
    },
    // The reports' figures: a quarter of an hour behind the records at most (the pages
    // say as of when).
    Periodic {
        kind: REFRESH_REPORTS,
        every_seconds: 15 * 60,
    },
];

/// Jobs that run once in the life of a database (data a migration could not compute in
/// SQL), enqueued under `kind@once` by the first scheduler that finds them missing.
pub const ONCE: &[&str] = &[REFRESH_DUE];

pub const PURGE_SESSIONS: &str = "purge_sessions";
/// Fills in the stored legal due date of every case (migration 0024 added the column).
pub const REFRESH_DUE: &str = "refresh_due";
pub const VERIFY_AUDIT: &str = "verify_audit";
pub const PRUNE_JOBS: &str = "prune_jobs";
pub const REFRESH_REPORTS: &str = "refresh_reports";

/// How long a claim lasts before another instance may take the job over.
pub const LEASE_SECONDS: i64 = 15 * 60;

/// Finished jobs are kept this long (what ran when, for the operators of the platform).
pub const KEEP_DAYS: i64 = 30;

/// A claimed job.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub attempts: i32,
    pub max_attempts: i32,
}

/// The start of the slot `now` falls in, for a job run every `every_seconds`.
pub fn slot(now: Ts, every_seconds: i64) -> i64 {
    let t = now.0.timestamp();
    t - t.rem_euclid(every_seconds.max(1))
}

/// Enqueues a job unless one with the same key exists. Returns whether this call added it.
pub async fn enqueue(
    db: &Db,
    kind: &str,
    dedup_key: &str,
    payload: &str,
    run_after: Ts,
) -> Result<bool> {
    let now = Ts::now();
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO jobs (id, kind, dedup_key, payload, state, run_after, created_at) \
             VALUES ($1, $2, $3, $4, 'queued', $5, $6) ON CONFLICT (dedup_key) DO NOTHING",
        )
        .bind(new_id())
        .bind(kind)
        .bind(dedup_key)
        .bind(payload)
        .bind(run_after)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    tx.commit().await?;
    Ok(n == 1)
}

/// Enqueues the current slot of every periodic job (those already there are left alone).
/// Returns how many this call added.
pub async fn schedule(db: &Db, now: Ts) -> Result<usize> {
    let mut added = 0;
    for p in PERIODIC {
        let s = slot(now, p.every_seconds);
        if enqueue(db, p.kind, &format!("{}@{s}", p.kind), "{}", now).await? {
            added += 1;
        }
    }
    for kind in ONCE {
        if enqueue(db, kind, &format!("{kind}@once"), "{}", now).await? {
            added += 1;
        }
    }
    // The inbox's daily digest, when mail is configured: one job per day.
    if crate::digest::schedule(db, now).await? {
        added += 1;
    }
    Ok(added)
}

/// Claims the job due longest, for `worker`, with a lease. `None` when nothing is due (or
/// another worker took the candidate first).
pub async fn claim(db: &Db, worker: &str, now: Ts) -> Result<Option<Job>> {
    let mut tx = db.begin().await?;
    // A job whose lease ran out after its last attempt is given up, not retried forever.
    with_tx!(&mut tx, |c| {
        sqlx::query(
            "UPDATE jobs SET state = 'failed', finished_at = $1, locked_by = NULL, \
             locked_until = NULL, result = 'lease expired on the last attempt' \
             WHERE state = 'running' AND locked_until < $1 AND attempts >= max_attempts",
        )
        .bind(now)
        .execute(c)
        .await
        .map(|_| ())
    })
    .map_err(db_err)?;
    let job: Option<Job> = with_tx!(&mut tx, |c| {
        sqlx::query_as(
            "UPDATE jobs SET state = 'running', locked_by = $1, locked_until = $2, \
             attempts = attempts + 1, started_at = $3 \
             WHERE id = (SELECT id FROM jobs \
                          WHERE (state = 'queued' AND run_after <= $3) \
                             OR (state = 'running' AND locked_until < $3) \
                          ORDER BY run_after, id LIMIT 1) \
               AND (state = 'queued' OR (state = 'running' AND locked_until < $3)) \
             RETURNING id, kind, payload, attempts, max_attempts",
        )
        .bind(worker)
        .bind(now.plus_seconds(LEASE_SECONDS))
        .bind(now)
        .fetch_optional(c)
        .await
    })
    .map_err(db_err)?;
    tx.commit().await?;
    Ok(job)
}

/// Records how a claimed job ended. A failure is retried later (with a growing pause)
/// until its attempts are spent. Returns false when the lease was no longer ours (another
/// instance took the job over), in which case nothing is changed.
pub async fn finish(
    db: &Db,
    job: &Job,
    worker: &str,
    outcome: &std::result::Result<String, String>,
    now: Ts,
) -> Result<bool> {
    let (state, result, run_after) = match outcome {
        Ok(r) => ("done", r.clone(), now),
        Err(e) if job.attempts < job.max_attempts => (
            "queued",
            e.clone(),
            now.plus_seconds(60 * i64::from(job.attempts)),
        ),
        Err(e) => ("failed", e.clone(), now),
    };
    let finished = (state != "queued").then_some(now);
    let result: String = result.chars().take(2000).collect();
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| {
        sqlx::query(
            "UPDATE jobs SET state = $1, result = $2, run_after = $3, finished_at = $4, \
             locked_by = NULL, locked_until = NULL \
             WHERE id = $5 AND locked_by = $6 AND state = 'running'",
        )
        .bind(state)
        .bind(&result)
        .bind(run_after)
        .bind(finished)
        .bind(&job.id)
        .bind(worker)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    tx.commit().await?;
    Ok(n == 1)
}

/// Runs a claimed job's work. Errors are returned as text, to be recorded on the job.
pub async fn perform(db: &Db, job: &Job, now: Ts) -> std::result::Result<String, String> {
    match job.kind.as_str() {
        PURGE_SESSIONS => crate::auth::purge_expired(db, now)
            .await
            .map(|n| format!("{n} expired sessions and old login attempts removed"))
            .map_err(|e| e.to_string()),
        VERIFY_AUDIT => match crate::audit::verify(db).await {
            Ok(v) => match v.first_break {
                None => Ok(format!("audit chain intact: {} entries", v.entries)),
                Some(b) => Err(format!(
                    "audit chain broken at entry {}: {}",
                    b.seq, b.reason
                )),
            },
            Err(e) => Err(e.to_string()),
        },
        PRUNE_JOBS => prune(db, now.plus_seconds(-KEEP_DAYS * 24 * 3600))
            .await
            .map(|n| format!("{n} finished jobs older than {KEEP_DAYS} days removed"))
            .map_err(|e| e.to_string()),
        REFRESH_DUE => {
            let run = async {
                let mut tx = db.begin().await?;
                let n = crate::cases::refresh_due_in(&mut tx, crate::cases::DueScope::All).await?;
                tx.commit().await?;
                Ok::<u64, domain::Error>(n)
            };
            run.await
                .map(|n| format!("due date written on {n} cases"))
                .map_err(|e| e.to_string())
        }
        REFRESH_REPORTS => crate::reports::refresh(db)
            .await
            .map(|r| {
                format!(
                    "figures computed: {} services, {} rows, {} ms",
                    r.facts, r.rows, r.millis
                )
            })
            .map_err(|e| e.to_string()),
        crate::digest::KIND => {
            let day = serde_json::from_str::<serde_json::Value>(&job.payload)
                .ok()
                .and_then(|v| v.get("day")?.as_str()?.parse::<chrono::NaiveDate>().ok())
                .ok_or_else(|| "digest job without a day".to_string())?;
            crate::digest::run(db, day)
                .await
                .map(|o| {
                    format!(
                        "digests: {} composed, {} sent, {} given up",
                        o.composed, o.sent, o.failed
                    )
                })
                .map_err(|e| e.to_string())
        }
        other => Err(format!("unknown job kind {other}")),
    }
}

/// One pass of a worker: enqueues the periodic jobs' current slots, then claims and runs
/// every due job until none is left. Returns each job run, with its kind and whether it
/// went well. A lost lease (another instance took the job over) is logged, not an error.
pub async fn run_due(db: &Db, worker: &str) -> Result<Vec<(String, bool)>> {
    schedule(db, Ts::now()).await?;
    let mut ran = vec![];
    while let Some(job) = claim(db, worker, Ts::now()).await? {
        let outcome = perform(db, &job, Ts::now()).await;
        match &outcome {
            Ok(r) => {
                tracing::info!(job = %job.kind, attempt = job.attempts, result = %r, "job done")
            }
            Err(e) => {
                tracing::warn!(job = %job.kind, attempt = job.attempts, error = %e, "job failed")
            }
        }
        if !finish(db, &job, worker, &outcome, Ts::now()).await? {
            tracing::warn!(job = %job.kind, "job lease lost before it finished: another instance took it over");
        }
        ran.push((job.kind.clone(), outcome.is_ok()));
    }
    Ok(ran)
}

/// Deletes finished jobs that ended before `before`.
pub async fn prune(db: &Db, before: Ts) -> Result<u64> {
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| {
        sqlx::query("DELETE FROM jobs WHERE state IN ('done','failed') AND finished_at < $1")
            .bind(before)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    tx.commit().await?;
    Ok(n)
}

/// The queue at a glance, for /metrics.
#[derive(Debug, Clone, Default)]
pub struct QueueStats {
    /// Jobs per state.
    pub by_state: Vec<(String, i64)>,
    /// Queued jobs already due.
    pub due: i64,
    /// Per kind: when it last finished successfully (Unix seconds).
    pub last_success: Vec<(String, i64)>,
}

pub async fn stats(db: &Db, now: Ts) -> Result<QueueStats> {
    let by_state: Vec<(String, i64)> = with_pool!(db, |p| {
        sqlx::query_as("SELECT state, COUNT(*) FROM jobs GROUP BY state ORDER BY state")
            .fetch_all(p)
            .await
    })
    .map_err(db_err)?;
    let (due,): (i64,) = with_pool!(db, |p| {
        sqlx::query_as("SELECT COUNT(*) FROM jobs WHERE state = 'queued' AND run_after <= $1")
            .bind(now)
            .fetch_one(p)
            .await
    })
    .map_err(db_err)?;
    let last: Vec<(String, Ts)> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT kind, MAX(finished_at) FROM jobs WHERE state = 'done' GROUP BY kind ORDER BY kind",
        )
        .fetch_all(p)
        .await
    })
    .map_err(db_err)?;
    Ok(QueueStats {
        by_state,
        due,
        last_success: last
            .into_iter()
            .map(|(k, t)| (k, t.0.timestamp()))
            .collect(),
    })
}

/// One finished or pending job, for tests and the command line.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobRow {
    pub kind: String,
    pub dedup_key: String,
    pub state: String,
    pub attempts: i32,
    pub locked_by: Option<String>,
    pub result: String,
}

pub async fn list(db: &Db) -> Result<Vec<JobRow>> {
    with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT kind, dedup_key, state, attempts, locked_by, result FROM jobs \
             ORDER BY created_at, id",
        )
        .fetch_all(p)
        .await
    })
    .map_err(db_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_starts_on_a_multiple_of_its_period() {
        let t = Ts::from_datetime(
            chrono::DateTime::from_timestamp(1_700_003_599, 0).unwrap_or_default(),
        );
        assert_eq!(slot(t, 3600), 1_700_000_000 - 1_700_000_000 % 3600 + 3600);
        assert_eq!(slot(t, 3600) % 3600, 0);
        assert!(slot(t, 3600) <= t.0.timestamp());
    }
}
