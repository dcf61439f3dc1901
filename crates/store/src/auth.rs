//! Authentication: passwords (Argon2id), login throttling and lockout, sessions kept in the
//! database (so several app instances share them), TOTP second factor, personal API tokens.

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use domain::account::{Role, UiLang};
use domain::policy::Actor;
use domain::validate;
use domain::{Error, FieldError, Result};
use serde_json::json;
use totp_rs::{Builder as TotpBuilder, Secret, Totp};

use crate::account::{User, load_user};
use crate::audit::{self, Event};
use crate::db::{Ctx, Db, Tx, db_err};
use crate::{Ts, new_id, random_token, token_hash, with_pool, with_tx};

fn argon(db: &Db) -> Result<Argon2<'static>> {
    let s = &db.settings;
    let params =
        Params::new(s.argon2_m_kib, s.argon2_t, s.argon2_p, None).map_err(Error::internal)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

pub fn hash_password(db: &Db, password: &str) -> Result<String> {
    argon(db)?
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(Error::internal)
}

fn verify_password(db: &Db, password: &str, hash: &str) -> bool {
    argon(db).is_ok_and(|a| a.verify_password(password.as_bytes(), hash).is_ok())
}

/// A temporary password that is easy to read aloud or copy: four groups of letters/digits
/// without look-alikes (no 0/O, 1/l/I).
pub fn temporary_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..4)
        .map(|_| {
            (0..5)
                .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[derive(sqlx::FromRow)]
struct Credentials {
    id: String,
    password_hash: String,
    active: bool,
    failed_logins: i32,
    locked_until: Option<Ts>,
    totp_enabled: bool,
}

/// What a successful password check leads to.
#[derive(Debug)]
pub struct LoggedIn {
    pub user: User,
    /// The session still needs a TOTP code before it is usable.
    pub needs_totp: bool,
}

/// Checks a username and password from `ip`. Throttles by address, locks the account after
/// repeated failures, and audits every attempt. A wrong username and a wrong password give
/// the same answer, after the same work.
pub async fn login(
    db: &Db,
    username: &str,
    password: &str,
    ip: &str,
    request_id: Option<String>,
) -> Result<LoggedIn> {
    let s = db.settings.clone();
    let now = Ts::now();
    let username = username.trim().to_lowercase();
    let window_start = now.plus_seconds(-s.ip_rate_window_seconds);
    let (recent_failures,): (i64,) = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT COUNT(*) FROM login_attempts WHERE ip = $1 AND at >= $2 AND NOT success",
        )
        .bind(ip)
        .bind(window_start)
        .fetch_one(p)
        .await
    })
    .map_err(db_err)?;
    let anon = Ctx {
        actor: Actor::anonymous(),
        request_id: request_id.clone(),
        purpose: None,
    };
    if recent_failures >= s.ip_rate_limit {
        audit::record(
            db,
            &anon,
            Event::new("auth.login_throttled", "session", None)
                .details(json!({"username": username, "ip": ip})),
        )
        .await?;
        return Err(Error::RateLimited);
    }
    let creds: Option<Credentials> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT id, password_hash, active, failed_logins, locked_until, totp_enabled \
             FROM users WHERE username = $1",
        )
        .bind(&username)
        .fetch_optional(p)
        .await
    })
    .map_err(db_err)?;

    let Some(c) = creds else {
        // Same cost as a real check, so response time does not reveal unknown usernames.
        let _ = hash_password(db, password);
        record_attempt(db, &anon, ip, &username, false, None).await?;
        return Err(Error::InvalidCredentials);
    };
    let user_ctx = Ctx {
        actor: Actor {
            kind: domain::policy::ActorKind::User,
            id: c.id.clone(),
            org_id: None,
            grants: vec![],
        },
        request_id,
        purpose: None,
    };
    if c.locked_until.is_some_and(|t| t > now) {
        let _ = hash_password(db, password);
        record_attempt(db, &user_ctx, ip, &username, false, Some("locked")).await?;
        return Err(Error::AccountLocked);
    }
    if !verify_password(db, password, &c.password_hash) {
        let failed = c.failed_logins + 1;
        let lock =
            (i64::from(failed) >= s.lockout_threshold).then(|| now.plus_seconds(s.lockout_seconds));
        let mut tx = db.begin().await?;
        with_tx!(&mut tx, |cn| {
            sqlx::query("UPDATE users SET failed_logins = $1, locked_until = $2 WHERE id = $3")
                .bind(if lock.is_some() { 0 } else { failed })
                .bind(lock)
                .bind(&c.id)
                .execute(cn)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(db_err)?;
        insert_attempt(&mut tx, ip, &username, false).await?;
        audit::append(
            &mut tx,
            &user_ctx,
            Event::new(
                if lock.is_some() {
                    "auth.account_locked"
                } else {
                    "auth.login_failed"
                },
                "user",
                Some(&c.id),
            )
            .details(json!({"ip": ip})),
        )
        .await?;
        tx.commit().await?;
        return Err(if lock.is_some() {
            Error::AccountLocked
        } else {
            Error::InvalidCredentials
        });
    }
    if !c.active {
        record_attempt(db, &user_ctx, ip, &username, false, Some("disabled")).await?;
        return Err(Error::AccountDisabled);
    }
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |cn| {
        sqlx::query(
            "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $1 WHERE id = $2",
        )
        .bind(now)
        .bind(&c.id)
        .execute(cn)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    insert_attempt(&mut tx, ip, &username, true).await?;
    audit::append(
        &mut tx,
        &user_ctx,
        Event::new("auth.login", "user", Some(&c.id)).details(json!({"ip": ip})),
    )
    .await?;
    tx.commit().await?;
    let user = load_user(db, &c.id)
        .await?
        .ok_or(Error::InvalidCredentials)?;
    Ok(LoggedIn {
        user,
        needs_totp: c.totp_enabled,
    })
}

async fn insert_attempt(tx: &mut Tx, ip: &str, username: &str, success: bool) -> Result<()> {
    with_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO login_attempts (id, ip, username, at, success) VALUES ($1,$2,$3,$4,$5)",
        )
        .bind(new_id())
        .bind(ip)
        .bind(username)
        .bind(Ts::now())
        .bind(success)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)
    .map(|_| ())
}

async fn record_attempt(
    db: &Db,
    ctx: &Ctx,
    ip: &str,
    username: &str,
    success: bool,
    why: Option<&str>,
) -> Result<()> {
    let mut tx = db.begin().await?;
    insert_attempt(&mut tx, ip, username, success).await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("auth.login_failed", "user", None).details(
            json!({"username": username, "ip": ip, "reason": why.unwrap_or("credentials")}),
        ),
    )
    .await?;
    tx.commit().await
}

/// A signed-in browser session as loaded for a request.
#[derive(Debug, Clone)]
pub struct Session {
    pub id_hash: String,
    pub user: User,
    pub csrf_token: String,
    pub stage: String,
    pub expires_at: Ts,
}

impl Session {
    pub fn is_active(&self) -> bool {
        self.stage == "active"
    }
}

/// The outcome of looking up a session cookie.
#[derive(Debug)]
pub enum SessionLookup {
    Valid(Box<Session>),
    Expired,
    Unknown,
}

/// Lifetimes of sessions: idle timeout and absolute maximum, in seconds.
#[derive(Debug, Clone, Copy)]
pub struct SessionTimes {
    pub idle_seconds: i64,
    pub max_seconds: i64,
}

/// A new session: the cookie token (only its hash is stored) and its CSRF token.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf: String,
}

/// Creates a session for a user who just proved who they are.
pub async fn create_session(
    db: &Db,
    user_id: &str,
    needs_totp: bool,
    times: SessionTimes,
    ip: Option<&str>,
    user_agent: Option<&str>,
) -> Result<NewSession> {
    let token = random_token(32);
    let csrf = random_token(32);
    let now = Ts::now();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO sessions (id, user_id, csrf_token, stage, created_at, last_seen_at, expires_at, ip, user_agent) \
             VALUES ($1,$2,$3,$4,$5,$5,$6,$7,$8)",
        )
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(&csrf)
        .bind(if needs_totp { "totp" } else { "active" })
        .bind(now)
        .bind(now.plus_seconds(times.max_seconds.min(times.idle_seconds)))
        .bind(ip)
        .bind(user_agent.map(|u| u.chars().take(300).collect::<String>()))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    // Housekeeping: drop expired sessions and old login attempts while we are here (the
    // hourly job does it too, for a platform nobody signs in to for a while).
    purge_in(&mut tx, now).await?;
    tx.commit().await?;
    Ok(NewSession { token, csrf })
}

/// Login attempts are kept a week (the lockout and rate limit look back less than that).
const ATTEMPTS_KEPT_SECONDS: i64 = 7 * 24 * 3600;

async fn purge_in(tx: &mut crate::Tx, now: Ts) -> Result<u64> {
    let sessions = with_tx!(tx, |c| {
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    let attempts = with_tx!(tx, |c| {
        sqlx::query("DELETE FROM login_attempts WHERE at < $1")
            .bind(now.plus_seconds(-ATTEMPTS_KEPT_SECONDS))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    let keys = crate::idempotency::purge_in(tx, now).await?;
    Ok(sessions + attempts + keys)
}

/// Removes expired sessions and old login attempts; returns how many rows went.
pub async fn purge_expired(db: &Db, now: Ts) -> Result<u64> {
    let mut tx = db.begin().await?;
    let n = purge_in(&mut tx, now).await?;
    tx.commit().await?;
    Ok(n)
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: String,
    user_id: String,
    csrf_token: String,
    stage: String,
    created_at: Ts,
    last_seen_at: Ts,
    expires_at: Ts,
}

/// Loads the session for a cookie token and slides its idle expiry forward (at most once
/// a minute, to keep writes down).
pub async fn load_session(db: &Db, token: &str, times: SessionTimes) -> Result<SessionLookup> {
    let id = token_hash(token);
    let row: Option<SessionRow> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT id, user_id, csrf_token, stage, created_at, last_seen_at, expires_at FROM sessions WHERE id = $1",
        )
        .bind(&id)
        .fetch_optional(p)
        .await
    })
    .map_err(db_err)?;
    let Some(row) = row else {
        return Ok(SessionLookup::Unknown);
    };
    let now = Ts::now();
    if row.expires_at <= now {
        delete_session(db, token).await?;
        return Ok(SessionLookup::Expired);
    }
    let Some(user) = load_user(db, &row.user_id).await? else {
        return Ok(SessionLookup::Unknown);
    };
    if !user.active {
        delete_session(db, token).await?;
        return Ok(SessionLookup::Expired);
    }
    let mut expires_at = row.expires_at;
    if now.0 - row.last_seen_at.0 > chrono::Duration::seconds(60) {
        let hard_end = row.created_at.plus_seconds(times.max_seconds);
        expires_at = now.plus_seconds(times.idle_seconds).min(hard_end);
        let mut tx = db.begin().await?;
        with_tx!(&mut tx, |c| {
            sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id = $3")
                .bind(now)
                .bind(expires_at)
                .bind(&row.id)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(db_err)?;
        tx.commit().await?;
    }
    Ok(SessionLookup::Valid(Box::new(Session {
        id_hash: row.id,
        user,
        csrf_token: row.csrf_token,
        stage: row.stage,
        expires_at,
    })))
}

pub async fn delete_session(db: &Db, token: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(token_hash(token))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    tx.commit().await
}

/// Logs out: removes the session and audits it.
pub async fn logout(db: &Db, ctx: &Ctx, token: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(token_hash(token))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("auth.logout", "user", Some(&ctx.actor.id)),
    )
    .await?;
    tx.commit().await
}

pub(crate) async fn end_all_sessions(tx: &mut Tx, user_id: &str) -> Result<()> {
    with_tx!(tx, |c| {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    with_tx!(tx, |c| {
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        )
        .bind(Ts::now())
        .bind(user_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    Ok(())
}

/// Moves the session expiry to the past: used by tests and by "log out everywhere".
pub async fn expire_session_now(db: &Db, token: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query("UPDATE sessions SET expires_at = $1 WHERE id = $2")
            .bind(Ts::now().plus_seconds(-1))
            .bind(token_hash(token))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    tx.commit().await
}

fn totp_for(secret_b32: &str, username: &str) -> Result<Totp> {
    let secret = Secret::try_from_base32(secret_b32).map_err(Error::internal)?;
    TotpBuilder::new()
        .with_secret(secret)
        .with_issuer(Some("SPRInt"))
        .with_account_name(username)
        .build()
        .map_err(Error::internal)
}

/// TOTP secrets are sealed like special-category data: whoever reads the database (or a
/// backup) must not be able to generate a user's codes. Without a keyring (never in a
/// configured deployment) they stay in clear rather than locking people out.
fn seal_secret(db: &Db, user_id: &str, secret: &str) -> Result<String> {
    match db.settings.keyring.as_deref() {
        Some(ring) => ring.seal(&format!("users.totp_secret:{user_id}"), secret.as_bytes()),
        None => Ok(secret.to_string()),
    }
}

/// Opens a stored secret; values written before secrets were sealed are read as they are.
fn open_secret(db: &Db, user_id: &str, stored: &str) -> Result<String> {
    if !stored.starts_with("v1:") {
        return Ok(stored.to_string());
    }
    let plain =
        crate::crypto::keyring(db)?.open(&format!("users.totp_secret:{user_id}"), stored)?;
    String::from_utf8(plain).map_err(Error::internal)
}

/// Checks a TOTP code for a user and refuses a code whose time step was already used.
async fn check_totp(db: &Db, user_id: &str, code: &str) -> Result<()> {
    let row: Option<(String, Option<String>, Option<i64>)> = with_pool!(db, |p| {
        sqlx::query_as("SELECT username, totp_secret, totp_last_step FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(p)
            .await
    })
    .map_err(db_err)?;
    let Some((username, Some(secret), last)) = row else {
        return Err(Error::InvalidTotp);
    };
    let code: String = code.chars().filter(char::is_ascii_digit).collect();
    let secret = open_secret(db, user_id, &secret)?;
    let step = totp_for(&secret, &username)?
        .check_current(&code)
        .ok_or(Error::InvalidTotp)?;
    let step = i64::try_from(step).map_err(Error::internal)?;
    if last.is_some_and(|l| step <= l) {
        return Err(Error::InvalidTotp);
    }
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query("UPDATE users SET totp_last_step = $1 WHERE id = $2")
            .bind(step)
            .bind(user_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    tx.commit().await
}

/// Completes a login that waits for the second factor.
pub async fn confirm_totp_login(db: &Db, session: &Session, code: &str, ctx: &Ctx) -> Result<()> {
    if let Err(e) = check_totp(db, &session.user.id, code).await {
        audit::record(
            db,
            ctx,
            Event::new("auth.totp_failed", "user", Some(&session.user.id)),
        )
        .await?;
        return Err(e);
    }
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query("UPDATE sessions SET stage = 'active' WHERE id = $1")
            .bind(&session.id_hash)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("auth.totp_ok", "user", Some(&session.user.id)),
    )
    .await?;
    tx.commit().await
}

/// Starts TOTP enrolment: stores a new secret (not yet enabled) and returns the otpauth URL
/// and the secret in base32 for manual entry.
pub async fn begin_totp_enrolment(db: &Db, ctx: &Ctx) -> Result<(String, String)> {
    let user = load_user(db, &ctx.actor.id).await?.ok_or(Error::NotFound)?;
    let secret = Secret::generate().to_base32();
    let url = totp_for(&secret, &user.username)?
        .to_url()
        .map_err(Error::internal)?;
    let sealed = seal_secret(db, &user.id, &secret)?;
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query("UPDATE users SET totp_secret = $1, totp_enabled = FALSE, totp_last_step = NULL WHERE id = $2")
            .bind(&sealed)
            .bind(&user.id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    tx.commit().await?;
    Ok((url, secret))
}

/// The pending secret of an enrolment in progress, to show it again after a wrong code.
pub async fn pending_totp(db: &Db, ctx: &Ctx) -> Result<Option<(String, String)>> {
    let row: Option<(String, Option<String>, bool)> = with_pool!(db, |p| {
        sqlx::query_as("SELECT username, totp_secret, totp_enabled FROM users WHERE id = $1")
            .bind(&ctx.actor.id)
            .fetch_optional(p)
            .await
    })
    .map_err(db_err)?;
    match row {
        Some((username, Some(secret), false)) => {
            let secret = open_secret(db, &ctx.actor.id, &secret)?;
            let url = totp_for(&secret, &username)?
                .to_url()
                .map_err(Error::internal)?;
            Ok(Some((url, secret)))
        }
        _ => Ok(None),
    }
}

pub async fn confirm_totp_enrolment(db: &Db, ctx: &Ctx, code: &str) -> Result<()> {
    check_totp(db, &ctx.actor.id, code)
        .await
        .map_err(|_| Error::field("code", "totp_code_wrong"))?;
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query("UPDATE users SET totp_enabled = TRUE, version = version + 1 WHERE id = $1")
            .bind(&ctx.actor.id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("user.totp_enable", "user", Some(&ctx.actor.id)),
    )
    .await?;
    tx.commit().await
}

pub async fn disable_totp(db: &Db, ctx: &Ctx, password: &str) -> Result<()> {
    require_password(db, &ctx.actor.id, password, "current_password").await?;
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query("UPDATE users SET totp_enabled = FALSE, totp_secret = NULL, version = version + 1 WHERE id = $1")
            .bind(&ctx.actor.id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("user.totp_disable", "user", Some(&ctx.actor.id)),
    )
    .await?;
    tx.commit().await
}

async fn require_password(db: &Db, user_id: &str, password: &str, field: &str) -> Result<()> {
    let row: Option<(String,)> = with_pool!(db, |p| {
        sqlx::query_as("SELECT password_hash FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(p)
            .await
    })
    .map_err(db_err)?;
    match row {
        Some((hash,)) if verify_password(db, password, &hash) => Ok(()),
        _ => Err(Error::Validation(vec![FieldError::new(
            field,
            "password_wrong",
        )])),
    }
}

/// A user changes their own password: the current one is required, the new one checked.
/// Other sessions of the user end; the current one stays.
pub async fn change_own_password(
    db: &Db,
    ctx: &Ctx,
    current: &str,
    new: &str,
    confirm: &str,
    keep_session: Option<&str>,
) -> Result<()> {
    let user = load_user(db, &ctx.actor.id).await?.ok_or(Error::NotFound)?;
    require_password(db, &user.id, current, "current_password").await?;
    validate::new_password("new_password", new, &user.username)
        .map_err(|e| Error::Validation(vec![e]))?;
    if new != confirm {
        return Err(Error::field("confirm_password", "password_mismatch"));
    }
    if new == current {
        return Err(Error::field("new_password", "password_unchanged"));
    }
    let hash = hash_password(db, new)?;
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = FALSE, version = version + 1, updated_at = $2 WHERE id = $3",
        )
        .bind(&hash)
        .bind(Ts::now())
        .bind(&user.id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    let keep = keep_session.map(token_hash).unwrap_or_default();
    with_tx!(&mut tx, |c| {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
            .bind(&user.id)
            .bind(&keep)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("user.change_password", "user", Some(&user.id)),
    )
    .await?;
    tx.commit().await
}

pub async fn set_own_language(db: &Db, ctx: &Ctx, lang: UiLang) -> Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query("UPDATE users SET lang = $1 WHERE id = $2")
            .bind(lang.as_str())
            .bind(&ctx.actor.id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("user.set_language", "user", Some(&ctx.actor.id))
            .details(json!({"lang": lang.as_str()})),
    )
    .await?;
    tx.commit().await
}

/// The user's own choice of the daily e-mail digest of their inbox.
pub async fn set_own_digest(db: &Db, ctx: &Ctx, on: bool) -> Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query("UPDATE users SET digest = $1 WHERE id = $2")
            .bind(on)
            .bind(&ctx.actor.id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("user.set_digest", "user", Some(&ctx.actor.id)).details(json!({"on": on})),
    )
    .await?;
    tx.commit().await
}

/// Whether the user receives the daily digest (when the platform sends mail).
pub async fn own_digest(db: &Db, ctx: &Ctx) -> Result<bool> {
    let row: Option<(bool,)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT digest FROM users WHERE id = $1"
    )
    .bind(&ctx.actor.id)
    .fetch_optional(p)
    .await)
    .map_err(db_err)?;
    Ok(row.is_some_and(|r| r.0))
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub created_at: Ts,
    pub last_used_at: Option<Ts>,
    pub revoked_at: Option<Ts>,
}

const TOKEN_PREFIX: &str = "spr_";

/// Creates a personal API token and returns it in clear, once; only its hash is kept.
pub async fn create_api_token(db: &Db, ctx: &Ctx, name: &str) -> Result<String> {
    let name =
        validate::required_text("name", name, 100).map_err(|e| Error::Validation(vec![e]))?;
    let token = format!("{TOKEN_PREFIX}{}", random_token(24));
    let id = new_id();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, created_at) VALUES ($1,$2,$3,$4,$5,$6)",
        )
        .bind(&id)
        .bind(&ctx.actor.id)
        .bind(&name)
        .bind(token_hash(&token))
        .bind(token.chars().take(10).collect::<String>())
        .bind(Ts::now())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("api_token.create", "api_token", Some(&id)).details(json!({"name": name})),
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

pub async fn list_api_tokens(db: &Db, ctx: &Ctx) -> Result<Vec<ApiToken>> {
    with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC",
        )
        .bind(&ctx.actor.id)
        .fetch_all(p)
        .await
    })
    .map_err(db_err)
}

/// Revokes one of the actor's own tokens. Someone else's token is "not found".
pub async fn revoke_api_token(db: &Db, ctx: &Ctx, id: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    let done = with_tx!(&mut tx, |c| {
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
            .bind(Ts::now())
            .bind(id)
            .bind(&ctx.actor.id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    if done == 0 {
        return Err(Error::NotFound);
    }
    audit::append(
        &mut tx,
        ctx,
        Event::new("api_token.revoke", "api_token", Some(id)),
    )
    .await?;
    tx.commit().await
}

/// Finds the active user behind a bearer token. Revoked tokens and disabled users fail.
pub async fn authenticate_api_token(db: &Db, token: &str) -> Result<User> {
    if !token.starts_with(TOKEN_PREFIX) {
        return Err(Error::Unauthenticated);
    }
    let row: Option<(String, String, Option<Ts>)> = with_pool!(db, |p| {
        sqlx::query_as("SELECT id, user_id, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL")
            .bind(token_hash(token))
            .fetch_optional(p)
            .await
    })
    .map_err(db_err)?;
    let Some((id, user_id, last_used)) = row else {
        return Err(Error::Unauthenticated);
    };
    let user = load_user(db, &user_id)
        .await?
        .ok_or(Error::Unauthenticated)?;
    if !user.active {
        return Err(Error::Unauthenticated);
    }
    let now = Ts::now();
    if last_used.is_none_or(|t| now.0 - t.0 > chrono::Duration::seconds(60)) {
        let mut tx = db.begin().await?;
        with_tx!(&mut tx, |c| {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(&id)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(db_err)?;
        tx.commit().await?;
    }
    Ok(user)
}

/// Whether the user must enrol a second factor before doing anything else.
pub fn must_enrol_totp(user: &User, require_for_admins: bool) -> bool {
    require_for_admins && !user.totp_enabled && user.grants.iter().any(|g| g.role == Role::Admin)
}

/// Current TOTP code for a secret: for tests and the enrolment self-check.
pub fn totp_code_now(secret_b32: &str) -> Result<String> {
    Ok(totp_for(secret_b32, "test")?.generate_current().to_string())
}

/// The key that encrypts the user's drafts and offline queue in the browser (created on
/// first use): 32 random bytes, base64.
pub async fn draft_key(db: &Db, user_id: &str) -> Result<String> {
    let row: Option<(Option<String>,)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT draft_key FROM users WHERE id = $1"
    )
    .bind(user_id)
    .fetch_optional(p)
    .await)
    .map_err(db_err)?;
    match row {
        None => Err(Error::NotFound),
        Some((Some(k),)) => Ok(k),
        Some((None,)) => {
            let key = crate::crypto::generate_key();
            let mut tx = db.begin().await?;
            // Two first uses at once: the first key written wins, both answers read it back.
            with_tx!(&mut tx, |c| sqlx::query(
                "UPDATE users SET draft_key = $1 WHERE id = $2 AND draft_key IS NULL"
            )
            .bind(&key)
            .bind(user_id)
            .execute(c)
            .await
            .map(|_| ()))
            .map_err(db_err)?;
            let (k,): (Option<String>,) = with_tx!(&mut tx, |c| sqlx::query_as(
                "SELECT draft_key FROM users WHERE id = $1"
            )
            .bind(user_id)
            .fetch_one(c)
            .await)
            .map_err(db_err)?;
            tx.commit().await?;
            k.ok_or(Error::NotFound)
        }
    }
}
