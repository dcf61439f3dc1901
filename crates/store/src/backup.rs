//! Online, consistent backups and their restore.
//!
//! SQLite: `VACUUM INTO` writes a consistent copy of the live database while it is in use;
//! the backup is itself a SQLite file. PostgreSQL: every table is copied with `COPY TO
//! STDOUT` inside one REPEATABLE READ transaction (one snapshot), into a tar archive with a
//! manifest. Restore checks the file, then replaces the data of the configured database.

use std::io::{Read, Write};
use std::path::Path;

use domain::{Error, Result};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

use crate::db::{Db, Pools, db_err};
use crate::schema::{TABLES_IN_ORDER, applied_migrations};

const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: String,
    engine: String,
    migration: i64,
    created_at: String,
    tables: Vec<TableEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct TableEntry {
    name: String,
    columns: Vec<String>,
}

#[derive(Debug)]
pub struct Summary {
    pub engine: &'static str,
    pub bytes: u64,
}

/// Writes a consistent backup of the live database to `to` (which must not exist).
pub async fn backup(db: &Db, to: &Path) -> Result<Summary> {
    if to.exists() {
        return Err(Error::internal(format!(
            "{} already exists: choose a new file name",
            to.display()
        )));
    }
    match &db.pools {
        Pools::Sqlite { write, .. } => {
            let target = to.to_string_lossy().to_string();
            // Through the writer: VACUUM INTO reads one snapshot; holding the writer only
            // queues writes for the copy's duration, it never blocks readers.
            sqlx::query("VACUUM INTO $1")
                .bind(&target)
                .execute(write)
                .await
                .map_err(db_err)?;
        }
        Pools::Postgres(pg) => {
            let mut conn = pg.acquire().await.map_err(db_err)?;
            sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .execute(&mut *conn)
                .await
                .map_err(db_err)?;
            let migration: (i64,) = sqlx::query_as(
                "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success",
            )
            .fetch_one(&mut *conn)
            .await
            .map_err(db_err)?;
            let mut entries = vec![];
            let mut data = vec![];
            for t in TABLES_IN_ORDER {
                let cols: Vec<(String,)> = sqlx::query_as(
                    "SELECT column_name::text FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
                )
                .bind(*t)
                .fetch_all(&mut *conn)
                .await
                .map_err(db_err)?;
                let columns: Vec<String> = cols.into_iter().map(|c| c.0).collect();
                let stmt = format!("COPY {t} ({}) TO STDOUT", quoted(&columns));
                let mut bytes = vec![];
                {
                    let mut stream = conn.copy_out_raw(&stmt).await.map_err(db_err)?;
                    while let Some(chunk) = stream.next().await {
                        bytes.extend_from_slice(&chunk.map_err(db_err)?);
                    }
                }
                entries.push(TableEntry {
                    name: t.to_string(),
                    columns,
                });
                data.push(bytes);
            }
            sqlx::query("COMMIT")
                .execute(&mut *conn)
                .await
                .map_err(db_err)?;
            let manifest = Manifest {
                format: "sprint-backup-1".into(),
                engine: "postgres".into(),
                migration: migration.0,
                created_at: crate::Ts::now().to_text(),
                tables: entries,
            };
            write_archive(to, &manifest, &data)?;
        }
    }
    let bytes = std::fs::metadata(to).map(|m| m.len()).unwrap_or(0);
    Ok(Summary {
        engine: db.engine_name(),
        bytes,
    })
}

fn quoted(cols: &[String]) -> String {
    cols.iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn write_archive(to: &Path, manifest: &Manifest, data: &[Vec<u8>]) -> Result<()> {
    let file = std::fs::File::create(to).map_err(Error::internal)?;
    let mut ar = tar::Builder::new(file);
    let mut add = |name: &str, bytes: &[u8]| -> std::io::Result<()> {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o600);
        h.set_cksum();
        ar.append_data(&mut h, name, bytes)
    };
    let m = serde_json::to_vec_pretty(manifest).map_err(Error::internal)?;
    add("manifest.json", &m).map_err(Error::internal)?;
    for (t, bytes) in manifest.tables.iter().zip(data) {
        add(&format!("tables/{}.copy", t.name), bytes).map_err(Error::internal)?;
    }
    let mut file = ar.into_inner().map_err(Error::internal)?;
    file.flush().map_err(Error::internal)?;
    file.sync_all().map_err(Error::internal)
}

/// Replaces the data of the configured database with a backup. On SQLite the server must be
/// stopped (the file is swapped); on PostgreSQL it runs in one transaction, so a failed
/// restore leaves the database as it was.
pub async fn restore(db: &Db, from: &Path) -> Result<()> {
    let mut head = [0u8; 16];
    let mut f = std::fs::File::open(from)
        .map_err(|e| Error::internal(format!("cannot open {}: {e}", from.display())))?;
    let n = f.read(&mut head).map_err(Error::internal)?;
    let is_sqlite = n == 16 && head == SQLITE_MAGIC;
    match (&db.pools, is_sqlite) {
        (Pools::Sqlite { path, .. }, true) => restore_sqlite(db, path, from).await,
        (Pools::Postgres(_), false) => restore_postgres(db, from).await,
        (Pools::Sqlite { .. }, false) => Err(Error::internal(
            "this is a PostgreSQL backup: restore it with a postgres:// database URL",
        )),
        (Pools::Postgres(_), true) => Err(Error::internal(
            "this is a SQLite backup: restore it with a sqlite:// database URL",
        )),
    }
}

async fn restore_sqlite(db: &Db, target: &Path, from: &Path) -> Result<()> {
    // Check the backup before touching anything.
    let mut conn = SqliteConnectOptions::new()
        .filename(from)
        .read_only(true)
        .connect()
        .await
        .map_err(db_err)?;
    let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .map_err(db_err)?;
    if check != "ok" {
        return Err(Error::internal(format!("the backup is damaged: {check}")));
    }
    let (version,): (i64,) =
        sqlx::query_as("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut conn)
            .await
            .map_err(db_err)?;
    conn.close().await.map_err(db_err)?;
    if version > db.latest_migration() {
        return Err(Error::internal(
            "the backup comes from a newer SPRInt: upgrade first",
        ));
    }
    db.close().await;
    let tmp = target.with_extension("restore-tmp");
    std::fs::copy(from, &tmp).map_err(Error::internal)?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(Error::internal)?;
    for ext in ["db-wal", "db-shm"] {
        let side = target.with_extension(ext);
        if side.exists() {
            std::fs::remove_file(side).map_err(Error::internal)?;
        }
    }
    std::fs::rename(&tmp, target).map_err(Error::internal)?;
    Ok(())
}

async fn restore_postgres(db: &Db, from: &Path) -> Result<()> {
    let Pools::Postgres(pg) = &db.pools else {
        return Err(Error::internal("not PostgreSQL"));
    };
    let file = std::fs::File::open(from).map_err(Error::internal)?;
    let mut ar = tar::Archive::new(file);
    let mut manifest: Option<Manifest> = None;
    let mut data = std::collections::HashMap::new();
    for entry in ar
        .entries()
        .map_err(|_| Error::internal("the file is not a SPRInt backup"))?
    {
        let mut e = entry.map_err(Error::internal)?;
        let name = e
            .path()
            .map_err(Error::internal)?
            .to_string_lossy()
            .to_string();
        let mut bytes = vec![];
        e.read_to_end(&mut bytes).map_err(Error::internal)?;
        if name == "manifest.json" {
            manifest = Some(
                serde_json::from_slice(&bytes)
                    .map_err(|_| Error::internal("the backup manifest is damaged"))?,
            );
        } else if let Some(t) = name
            .strip_prefix("tables/")
            .and_then(|n| n.strip_suffix(".copy"))
        {
            data.insert(t.to_string(), bytes);
        }
    }
    let m =
        manifest.ok_or_else(|| Error::internal("the file is not a SPRInt backup (no manifest)"))?;
    if m.format != "sprint-backup-1" || m.engine != "postgres" {
        return Err(Error::internal("unknown backup format"));
    }
    db.migrate().await?;
    let applied = applied_migrations(db).await?;
    if applied.last().copied().unwrap_or(0) != m.migration {
        return Err(Error::internal(format!(
            "the backup is at schema version {}, this database at {}: use the SPRInt version that made it",
            m.migration,
            applied.last().copied().unwrap_or(0)
        )));
    }
    let mut conn = pg.acquire().await.map_err(db_err)?;
    let mut tx = conn.begin().await.map_err(db_err)?;
    for t in crate::schema::GUARDED_TABLES {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "ALTER TABLE {t} DISABLE TRIGGER USER"
        )))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    }
    let all = TABLES_IN_ORDER.join(", ");
    sqlx::query(sqlx::AssertSqlSafe(format!("TRUNCATE {all}")))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    for t in &m.tables {
        if !TABLES_IN_ORDER.contains(&t.name.as_str()) {
            return Err(Error::internal(format!(
                "unknown table {} in backup",
                t.name
            )));
        }
        let bytes = data.get(&t.name).cloned().unwrap_or_default();
        let stmt = format!("COPY {} ({}) FROM STDIN", t.name, quoted(&t.columns));
        let mut copy = tx.copy_in_raw(&stmt).await.map_err(db_err)?;
        copy.send(bytes).await.map_err(db_err)?;
        copy.finish().await.map_err(db_err)?;
    }
    for t in crate::schema::GUARDED_TABLES {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "ALTER TABLE {t} ENABLE TRIGGER USER"
        )))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    }
    tx.commit().await.map_err(db_err)?;
    Ok(())
}
