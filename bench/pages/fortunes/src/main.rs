//! The peer of SPRInt's page-throughput benchmark: the TechEmpower "Fortunes" test as a
//! minimal axum application. `GET /fortunes` reads every row of `bench_fortunes`, adds one
//! row in memory, sorts by message and renders an HTML page through askama (which escapes
//! the messages).
//!
//! Environment: `DATABASE_URL` (`sqlite://PATH` or `postgres://...`, required) and `BIND`
//! (default `127.0.0.1:8090`). The table is created and filled at start when needed.

use std::process::ExitCode;
use std::str::FromStr;
use std::time::Duration;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// The twelve fortunes of the TechEmpower test, in id order.
const FORTUNES: [&str; 12] = [
    "fortune: No such file or directory",
    "A computer scientist is someone who fixes things that aren't broken.",
    "After enough decimal places, nobody gives a damn.",
    "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
    "A computer program does what you tell it to do, not what you want it to do.",
    "Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen",
    "Any program that runs right is obsolete.",
    "A list is only as strong as its weakest link. — Donald Knuth",
    "Feature: A bug with seniority.",
    "Computers make very fast, very accurate mistakes.",
    "<script>alert(\"This should not be displayed in a browser alert box.\");</script>",
    "フレームワークのベンチマーク",
];

const CREATE: &str =
    "CREATE TABLE IF NOT EXISTS bench_fortunes (id INTEGER PRIMARY KEY, message TEXT NOT NULL)";
const COUNT: &str = "SELECT COUNT(*) FROM bench_fortunes";
const SELECT: &str = "SELECT id, message FROM bench_fortunes";

/// The read pool of the configured engine.
#[derive(Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

struct Fortune {
    id: i32,
    message: String,
}

#[derive(Template)]
#[template(path = "fortunes.html")]
struct FortunesPage {
    fortunes: Vec<Fortune>,
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fortunes: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let url = std::env::var("DATABASE_URL")
        .map_err(|_| "set DATABASE_URL to sqlite://PATH or postgres://...".to_string())?;
    let bind = std::env::var("BIND").unwrap_or_else(|_| "127.0.0.1:8090".to_string());
    let pool = connect(&url).await?;
    let app = Router::new()
        .route("/fortunes", get(fortunes))
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind(&bind)
        .await
        .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    eprintln!("fortunes: listening on http://{bind}/fortunes");
    axum::serve(listener, app)
        .await
        .map_err(|e| format!("server error: {e}"))
}

/// Opens the database, makes sure the table is there and filled, and returns the read pool.
async fn connect(url: &str) -> Result<Pool, String> {
    if let Some(rest) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        let path = rest.split('?').next().unwrap_or(rest);
        if path.is_empty() {
            return Err("the SQLite URL needs a file path".into());
        }
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10));
        // One short-lived writer for the set-up, then read-only connections, as SPRInt does.
        let setup = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts.clone())
            .await
            .map_err(|e| format!("cannot open {path}: {e}"))?;
        fill_sqlite(&setup)
            .await
            .map_err(|e| format!("cannot prepare bench_fortunes: {e}"))?;
        setup.close().await;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts.read_only(true))
            .await
            .map_err(|e| format!("cannot open {path}: {e}"))?;
        return Ok(Pool::Sqlite(read));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let opts = sqlx::postgres::PgConnectOptions::from_str(url)
            .map_err(|e| format!("invalid PostgreSQL URL: {e}"))?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(opts)
            .await
            .map_err(|e| format!("cannot reach PostgreSQL: {e}"))?;
        fill_postgres(&pool)
            .await
            .map_err(|e| format!("cannot prepare bench_fortunes: {e}"))?;
        return Ok(Pool::Postgres(pool));
    }
    Err("DATABASE_URL must start with sqlite:// or postgres://".into())
}

async fn fill_sqlite(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query(CREATE).execute(&mut *tx).await?;
    let (n,): (i64,) = sqlx::query_as(COUNT).fetch_one(&mut *tx).await?;
    if n == 0 {
        for (i, message) in FORTUNES.iter().enumerate() {
            sqlx::query("INSERT INTO bench_fortunes (id, message) VALUES (?, ?)")
                .bind(i as i32 + 1)
                .bind(*message)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await
}

async fn fill_postgres(pool: &PgPool) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    // Two starts at once on an empty database must not both fill it.
    sqlx::query("SELECT pg_advisory_xact_lock(8090)")
        .execute(&mut *tx)
        .await?;
    sqlx::query(CREATE).execute(&mut *tx).await?;
    let (n,): (i64,) = sqlx::query_as(COUNT).fetch_one(&mut *tx).await?;
    if n == 0 {
        for (i, message) in FORTUNES.iter().enumerate() {
            sqlx::query("INSERT INTO bench_fortunes (id, message) VALUES ($1, $2)")
                .bind(i as i32 + 1)
                .bind(*message)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await
}

async fn fortunes(State(pool): State<Pool>) -> Response {
    match page(&pool).await {
        Ok(html) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response(),
        Err(e) => {
            eprintln!("fortunes: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

async fn page(pool: &Pool) -> Result<String, String> {
    let rows: Vec<(i32, String)> = match pool {
        Pool::Sqlite(p) => sqlx::query_as(SELECT).fetch_all(p).await,
        Pool::Postgres(p) => sqlx::query_as(SELECT).fetch_all(p).await,
    }
    .map_err(|e| format!("query failed: {e}"))?;
    let mut fortunes: Vec<Fortune> = rows
        .into_iter()
        .map(|(id, message)| Fortune { id, message })
        .collect();
    fortunes.push(Fortune {
        id: 0,
        message: "Additional fortune added at request time.".to_string(),
    });
    fortunes.sort_by(|a, b| a.message.cmp(&b.message));
    FortunesPage { fortunes }
        .render()
        .map_err(|e| format!("render failed: {e}"))
}
