//! Idempotency keys: a submission that arrives twice (a reload, a browser resending a form,
//! the offline queue retrying after a lost answer) is applied once, and every repeat gets the
//! first answer. The web layer claims the key before the handler runs and completes it with
//! the handler's answer; a failed or refused submission releases the key, since nothing was
//! applied and the same input may be sent again once corrected.

use domain::{Error, FieldError, Result};
use sha2::{Digest, Sha256};

use crate::db::{Db, db_err, is_unique_violation};
use crate::{Ts, with_pool, with_tx};

/// Keys are kept two days: longer than any offline queue waits for a signal.
pub const KEPT_SECONDS: i64 = 2 * 24 * 3600;

/// Bodies larger than this are not kept for replay (a repeat then gets a redirect).
pub const MAX_BODY: usize = 64 * 1024;

// A kept answer may hold personal data (the API answers with the record it changed): it is
// sealed with the database's keyring, bound to its key, and not kept at all without one.

/// The first answer to a submission, as it is replayed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Answer {
    pub status: i32,
    pub location: Option<String>,
    pub content_type: Option<String>,
    pub body: Option<String>,
}

/// What claiming a key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First arrival: run the handler, then `complete` or `release`.
    New,
    /// Already applied: here is the first answer.
    Done(Answer),
    /// The first arrival is still being handled (or its instance stopped before answering).
    InFlight,
    /// The same key came with a different request: a client bug, refused.
    Reused,
}

/// A key is 8 to 100 characters of letters, digits, `-` and `_` (a UUID fits).
pub fn valid_key(key: &str) -> bool {
    (8..=100).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn hash(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    hex::encode(h.finalize())
}

/// A stored key: request hash, state, status, location, content type, sealed body.
type KeyRow = (
    String,
    String,
    Option<i32>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Claims `key` within `scope` (who sent it) for `request` (method and path).
pub async fn claim(db: &Db, scope: &str, key: &str, request: &str) -> Result<Claim> {
    if !valid_key(key) {
        return Err(Error::Validation(vec![FieldError::new(
            "idempotency_key",
            "idempotency_key_invalid",
        )]));
    }
    let key_hash = hash(&[scope, key]);
    let request_hash = hash(&[request]);
    let mut tx = db.begin().await?;
    let inserted = with_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO idempotency_keys (key_hash, request_hash, state, created_at) \
         VALUES ($1, $2, 'pending', $3)"
    )
    .bind(&key_hash)
    .bind(&request_hash)
    .bind(Ts::now())
    .execute(c)
    .await
    .map(|_| ()));
    match inserted {
        Ok(_) => {
            tx.commit().await?;
            return Ok(Claim::New);
        }
        Err(e) if is_unique_violation(&e) => {
            drop(tx);
        }
        Err(e) => return Err(db_err(e)),
    }
    let row: Option<KeyRow> = with_pool!(db, |p| sqlx::query_as(
        "SELECT request_hash, state, status, location, content_type, body \
             FROM idempotency_keys WHERE key_hash = $1"
    )
    .bind(&key_hash)
    .fetch_optional(p)
    .await)
    .map_err(db_err)?;
    Ok(match row {
        // Released between our insert and our read: the caller may simply try again.
        None => Claim::InFlight,
        Some((rh, _, _, _, _, _)) if rh != request_hash => Claim::Reused,
        Some((_, state, Some(status), location, content_type, body)) if state == "done" => {
            let body = match (body, &db.settings.keyring) {
                (Some(sealed), Some(k)) => k
                    .open(&key_hash, &sealed)
                    .ok()
                    .map(|b: Vec<u8>| String::from_utf8_lossy(&b).into_owned()),
                _ => None,
            };
            Claim::Done(Answer {
                status,
                location,
                content_type,
                body,
            })
        }
        Some(_) => Claim::InFlight,
    })
}

/// Records the first answer of a claimed key.
pub async fn complete(db: &Db, scope: &str, key: &str, answer: &Answer) -> Result<()> {
    let key_hash = hash(&[scope, key]);
    let body = match (
        answer.body.as_ref().filter(|b| b.len() <= MAX_BODY),
        &db.settings.keyring,
    ) {
        (Some(b), Some(k)) => Some(k.seal(&key_hash, b.as_bytes())?),
        _ => None,
    };
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "UPDATE idempotency_keys SET state = 'done', status = $1, location = $2, \
         content_type = $3, body = $4 WHERE key_hash = $5"
    )
    .bind(answer.status)
    .bind(&answer.location)
    .bind(&answer.content_type)
    .bind(body)
    .bind(&key_hash)
    .execute(c)
    .await
    .map(|_| ()))
    .map_err(db_err)?;
    tx.commit().await
}

/// Lets a claimed key go: nothing was applied, the same submission may come again.
pub async fn release(db: &Db, scope: &str, key: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "DELETE FROM idempotency_keys WHERE key_hash = $1 AND state = 'pending'"
    )
    .bind(hash(&[scope, key]))
    .execute(c)
    .await
    .map(|_| ()))
    .map_err(db_err)?;
    tx.commit().await
}

/// Removes keys older than `KEPT_SECONDS` (called by the session housekeeping).
pub async fn purge_in(tx: &mut crate::Tx, now: Ts) -> Result<u64> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM idempotency_keys WHERE created_at < $1"
    )
    .bind(now.plus_seconds(-KEPT_SECONDS))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)
}
