//! The database handle: SQLite or PostgreSQL behind one type, chosen by URL at run time.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use domain::policy::Actor;
use domain::{Error, Result};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, PgPool, SqlitePool};

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// The pools of the configured engine. SQLite gets one writer connection (SQLite allows
/// one writer at a time; queueing in the pool beats lock retries) and several readers.
#[derive(Clone, Debug)]
pub enum Pools {
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
        path: PathBuf,
    },
    Postgres(PgPool),
}

/// Tunables of the store that come from configuration.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Argon2id memory cost in KiB, iterations and lanes.
    pub argon2_m_kib: u32,
    pub argon2_t: u32,
    pub argon2_p: u32,
    /// Failed logins in a row before an account is locked, and for how long.
    pub lockout_threshold: i64,
    pub lockout_seconds: i64,
    /// Failed logins from one address within the window before it is slowed down.
    pub ip_rate_limit: i64,
    pub ip_rate_window_seconds: i64,
    /// Keys for special-category data (`crypto`). Without them such data cannot be stored.
    pub keyring: Option<Arc<crate::crypto::Keyring>>,
    /// Largest document accepted on a case, in bytes.
    pub max_document_bytes: usize,
    /// The offices a minor's notices are addressed to. Configuration, not code: a reform
    /// is merging the juvenile courts.
    pub minors_prosecutor: String,
    pub minors_court: String,
    /// Minors one volunteer guardian may follow before an appointment needs confirming
    /// (siblings count as one).
    pub guardian_max_minors: usize,
    /// The daily e-mail digest of the inbox; `None` (the default) sends no mail.
    pub mail: Option<Arc<crate::digest::MailSettings>>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            // OWASP's recommended Argon2id minimum (19 MiB, 2 iterations, 1 lane).
            argon2_m_kib: 19_456,
            argon2_t: 2,
            argon2_p: 1,
            lockout_threshold: 5,
            lockout_seconds: 15 * 60,
            ip_rate_limit: 20,
            ip_rate_window_seconds: 15 * 60,
            keyring: None,
            max_document_bytes: 10 * 1024 * 1024,
            minors_prosecutor:
                "Procura della Repubblica presso il Tribunale per i minorenni di Roma".into(),
            minors_court: "Tribunale per i minorenni di Roma".into(),
            guardian_max_minors: 3,
            mail: None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Db {
    pub pools: Pools,
    pub settings: Arc<Settings>,
    /// This process's matching index of the register (a cache of the database).
    pub register: crate::matching::RegisterCache,
    /// Audit entries of reads waiting for their group commit (`audit::record`).
    pub audit_queue: Arc<crate::audit::AuditQueue>,
}

/// Who is acting and why, carried into every store call for permission checks and audit.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub actor: Actor,
    pub request_id: Option<String>,
    pub purpose: Option<String>,
}

impl Ctx {
    pub fn system(name: &str) -> Self {
        Ctx {
            actor: Actor::system(name),
            request_id: None,
            purpose: None,
        }
    }

    /// Someone not signed in, on a public page, known only by address (kept in the
    /// purpose, so the audit entry says where a public write came from).
    pub fn anonymous_from(ip: &str) -> Self {
        Ctx {
            actor: Actor::anonymous(),
            request_id: None,
            purpose: Some(format!("public:{ip}")),
        }
    }
}

/// A write transaction on either engine.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs the same query code on whichever read pool is configured. `$p` is bound to the pool.
#[macro_export]
macro_rules! with_pool {
    ($db:expr, |$p:ident| $body:expr) => {
        match &$db.pools {
            $crate::db::Pools::Sqlite { read, .. } => {
                let $p = read;
                $body
            }
            $crate::db::Pools::Postgres(pg) => {
                let $p = pg;
                $body
            }
        }
    };
}

/// Runs the same query code on the connection of a write transaction.
#[macro_export]
macro_rules! with_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::db::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await.map_err(db_err),
            Tx::Postgres(t) => t.commit().await.map_err(db_err),
        }
    }
}

/// Which engine a URL names; anything else is refused with a one-line explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Engine {
    Sqlite(PathBuf),
    Postgres,
}

pub fn parse_url(url: &str) -> Result<Engine, String> {
    if let Some(rest) = url
        .strip_prefix("sqlite://")
        .or(url.strip_prefix("sqlite:"))
    {
        let path = rest.split('?').next().unwrap_or(rest);
        if path.is_empty() || path == ":memory:" {
            return Err("the SQLite URL needs a file path, as in sqlite://data/sprint.db".into());
        }
        return Ok(Engine::Sqlite(PathBuf::from(path)));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Engine::Postgres);
    }
    let scheme = url.split(':').next().unwrap_or("");
    Err(format!(
        "unknown database URL scheme '{scheme}': use sqlite://PATH or postgres://USER@HOST/DB"
    ))
}

/// Runs `sql` (statements without results) on the writer (SQLite) or the pool.
async fn with_pool_write(db: &Db, sql: &'static str) -> Result<()> {
    match &db.pools {
        Pools::Sqlite { write, .. } => sqlx::raw_sql(sql).execute(write).await.map(|_| ()),
        Pools::Postgres(pg) => sqlx::raw_sql(sql).execute(pg).await.map(|_| ()),
    }
    .map_err(db_err)
}

impl Db {
    /// Opens (and for SQLite creates) the database. Errors are one line, fit for a person.
    pub async fn connect(url: &str, settings: Settings) -> Result<Db, String> {
        let pools = match parse_url(url)? {
            Engine::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        format!("cannot create the data folder {}: {e}", dir.display())
                    })?;
                }
                let opts = SqliteConnectOptions::new()
                    .filename(&path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10));
                let write = SqlitePoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(Duration::from_secs(30))
                    // A COMMIT that fails with the disk full leaves SQLite rolled back but
                    // the driver counting an open transaction, and its ROLLBACK then fails
                    // too: the connection would refuse every later write. Once the queued
                    // rollback has run (the ping waits for it), a connection still "in a
                    // transaction" is closed, and the pool opens a clean one.
                    .after_release(|conn, _| {
                        Box::pin(async move {
                            conn.ping().await?;
                            Ok(!conn.is_in_transaction())
                        })
                    })
                    .connect_with(opts.clone())
                    .await
                    .map_err(|e| format!("cannot open the SQLite file {}: {e}", path.display()))?;
                let read = SqlitePoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(opts.read_only(true))
                    .await
                    .map_err(|e| format!("cannot open the SQLite file {}: {e}", path.display()))?;
                Pools::Sqlite { read, write, path }
            }
            Engine::Postgres => {
                let opts = PgConnectOptions::from_str(url)
                    .map_err(|e| format!("invalid PostgreSQL URL: {e}"))?;
                let target = format!(
                    "{}:{}/{}",
                    opts.get_host(),
                    opts.get_port(),
                    opts.get_database().unwrap_or("(default)")
                );
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(opts)
                    .await
                    .map_err(|e| format!("cannot reach PostgreSQL at {target}: {e}"))?;
                Pools::Postgres(pool)
            }
        };
        Ok(Db {
            pools,
            settings: Arc::new(settings),
            register: Default::default(),
            audit_queue: Default::default(),
        })
    }

    pub fn engine_name(&self) -> &'static str {
        match self.pools {
            Pools::Sqlite { .. } => "sqlite",
            Pools::Postgres(_) => "postgres",
        }
    }

    /// Brings the schema to the latest version. Safe to run from several processes at once
    /// on PostgreSQL (sqlx takes an advisory lock).
    pub async fn migrate(&self) -> Result<()> {
        match &self.pools {
            Pools::Sqlite { write, .. } => SQLITE_MIGRATOR
                .run(write)
                .await
                .map_err(|e| Error::internal(format!("migration failed: {e}"))),
            Pools::Postgres(pg) => POSTGRES_MIGRATOR
                .run(pg)
                .await
                .map_err(|e| Error::internal(format!("migration failed: {e}"))),
        }
    }

    /// Keeps SQLite's table statistics for its query planner fresh (PostgreSQL's
    /// autovacuum keeps its own). Without them SQLite guesses, and at Rome scale it read all
    /// 14,000 open cases of the Prefecture to find the few hundred with an overdue task
    /// instead of starting from those tasks (12 ms instead of 6). `PRAGMA optimize`
    /// analyses only the tables whose size changed much since their last analysis (SQLite's
    /// advice for long-lived connections), each index sampled (`analysis_limit`): a plain
    /// `ANALYZE` of the national world held the only writer for 7 s warm and 48 s cold.
    /// Run at start-up and after each refresh of the reports.
    pub async fn analyze(&self) -> Result<()> {
        match &self.pools {
            Pools::Sqlite { .. } => {
                with_pool_write(
                    self,
                    "PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002;",
                )
                .await
            }
            Pools::Postgres(_) => Ok(()),
        }
    }

    /// Every table's statistics now, on both engines: after a bulk load (a generated
    /// world), when the planner would otherwise plan for empty tables until autovacuum
    /// comes round. On PostgreSQL the Rome world's person page took 42 ms in one statement
    /// (a sequential scan where the index on `updated_at` serves) until its first
    /// `ANALYZE`. PostgreSQL's `ANALYZE` blocks neither reads nor writes.
    pub async fn analyze_all(&self) -> Result<()> {
        let sql = match &self.pools {
            Pools::Sqlite { .. } => "PRAGMA analysis_limit = 1000; ANALYZE;",
            Pools::Postgres(_) => "ANALYZE",
        };
        with_pool_write(self, sql).await
    }

    /// The newest migration version known to this binary.
    pub fn latest_migration(&self) -> i64 {
        let m = match self.pools {
            Pools::Sqlite { .. } => &SQLITE_MIGRATOR,
            Pools::Postgres(_) => &POSTGRES_MIGRATOR,
        };
        m.iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// Starts a write transaction. On SQLite it is `BEGIN IMMEDIATE`, so a transaction never
    /// has to upgrade a read lock (which fails instead of waiting).
    pub async fn begin(&self) -> Result<Tx> {
        match &self.pools {
            Pools::Sqlite { write, .. } => Ok(Tx::Sqlite(
                write.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?,
            )),
            Pools::Postgres(pg) => Ok(Tx::Postgres(pg.begin().await.map_err(db_err)?)),
        }
    }

    /// Answers whether the database can be reached (for /healthz).
    pub async fn ping(&self) -> Result<()> {
        with_pool!(self, |p| sqlx::query("SELECT 1")
            .execute(p)
            .await
            .map(|_| ()))
        .map(|_| ())
        .map_err(db_err)
    }

    pub async fn close(&self) {
        match &self.pools {
            Pools::Sqlite { read, write, .. } => {
                read.close().await;
                write.close().await;
            }
            Pools::Postgres(pg) => pg.close().await,
        }
    }
}

/// Whether a write failed on a unique index (the caller knows which, and what it means).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// Maps a driver error to the platform error: unique violations become duplicates, lost
/// connections "unavailable", a full disk "storage full"; anything else is internal.
pub fn db_err(e: sqlx::Error) -> Error {
    match &e {
        sqlx::Error::RowNotFound => Error::NotFound,
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_) => Error::Unavailable(e.to_string()),
        sqlx::Error::Database(d) => {
            if d.is_unique_violation() {
                return Error::Duplicate(
                    unique_field(d.as_ref())
                        .map(|f| vec![domain::FieldError::new(f, "field_taken")])
                        .unwrap_or_default(),
                );
            }
            let code = d.code().map(|c| c.to_string()).unwrap_or_default();
            // SQLite: SQLITE_FULL (13) and SQLITE_IOERR (10); PostgreSQL: class 53 and 57P.
            if code == "13" || code.starts_with("53") {
                return Error::StorageFull(d.message().to_string());
            }
            if code == "10" || code.starts_with("57P") || code.starts_with("08") {
                return Error::Unavailable(d.message().to_string());
            }
            if d.is_foreign_key_violation() {
                return Error::Validation(vec![]);
            }
            // PostgreSQL refuses text it cannot store (a NUL byte, which SQLite keeps):
            // the request is at fault, not the server (found by schemathesis).
            if code == "22021" || code == "22P05" {
                return Error::BadRequest;
            }
            Error::internal(e)
        }
        _ => Error::internal(e),
    }
}

/// The column a unique constraint failed on, from SQLite's message ("UNIQUE constraint
/// failed: users.username") or PostgreSQL's constraint name ("users_username_key").
fn unique_field(d: &dyn sqlx::error::DatabaseError) -> Option<String> {
    if let Some(rest) = d.message().strip_prefix("UNIQUE constraint failed: ") {
        let first = rest.split(',').next()?.trim();
        return first.split('.').nth(1).map(str::to_string);
    }
    let c = d.constraint()?;
    let c = c.strip_suffix("_key").unwrap_or(c);
    let table = d.table().unwrap_or("");
    Some(
        c.strip_prefix(&format!("{table}_"))
            .unwrap_or(c)
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sqlite_and_postgres_urls_are_accepted() {
        assert_eq!(
            parse_url("sqlite://data/sprint.db"),
            Ok(Engine::Sqlite(PathBuf::from("data/sprint.db")))
        );
        assert_eq!(parse_url("postgres://u@h/db"), Ok(Engine::Postgres));
        let err = parse_url("mysql://root@localhost/x").unwrap_err();
        assert!(err.contains("unknown database URL scheme 'mysql'"));
        assert!(!err.contains('\n'));
        assert!(parse_url("sqlite://").is_err());
    }
}
