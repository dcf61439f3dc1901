//! Faults the machine inflicts, with the real binary: the database server restarting under
//! load, and the disk filling up under SQLite. They disturb the whole machine (a restart
//! cuts every test's connections; the full disk is a mounted tmpfs, which needs root), so
//! they are ignored in the normal run and run on their own, one at a time:
//!
//! ```sh
//! SPRINT_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!     cargo test -p sprint --test faults -- --ignored --test-threads=1
//! ```
//!
//! (`kill -9` during writes and a backup during writes are in `cli.rs`, on both engines.)

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::*;

/// Waits until `f` holds, up to `limit`.
fn eventually(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}

fn health(base: &str) -> u16 {
    agent()
        .get(format!("{base}/healthz"))
        .call()
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

fn pg_cluster(action: &str) {
    let version = std::fs::read_dir("/etc/postgresql")
        .expect("a Debian PostgreSQL cluster")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .next()
        .unwrap();
    let out = Command::new("pg_ctlcluster")
        .args(["--skip-systemctl-redirect", &version, "main", action])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pg_ctlcluster {action}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "restarts the machine's PostgreSQL server, cutting every other test's connections: .ci/run runs it alone with --ignored"]
fn postgres_restarting_under_load_is_survived_without_restarting_the_app() {
    let t = TestDb::new();
    assert!(
        !t.is_sqlite(),
        "set SPRINT_TEST_DATABASE_URL to a PostgreSQL server this test may restart"
    );
    let server = t.serve();
    let token = api_token(&server.base);
    let stop = Arc::new(AtomicBool::new(false));
    let writer = write_load(
        server.base.clone(),
        token.clone(),
        "Ente prima e dopo",
        stop.clone(),
        false,
    );
    std::thread::sleep(Duration::from_millis(800));
    pg_cluster("stop");
    // While the database is down the app answers, and says it is unavailable.
    assert!(
        eventually(Duration::from_secs(20), || health(&server.base) == 503),
        "the health check did not report the database down"
    );
    std::thread::sleep(Duration::from_secs(2));
    pg_cluster("start");
    assert!(
        eventually(Duration::from_secs(60), || health(&server.base) == 200),
        "the app did not reconnect to the restarted database"
    );
    // Writes go through again, with no restart of the app.
    let before = Instant::now();
    std::thread::sleep(Duration::from_secs(2));
    stop.store(true, Ordering::Relaxed);
    let writes = writer.join().unwrap();
    assert!(
        writes.refused.iter().all(|s| *s == 503),
        "answers other than 503 while the database was down: {:?}",
        writes.refused
    );
    assert!(!writes.refused.is_empty(), "the outage was not noticed");
    let names = organisation_names(&server.base, &token);
    for n in &writes.acknowledged {
        assert!(names.contains(n), "acknowledged {n} was lost");
    }
    let last = writes.acknowledged.last().unwrap();
    assert!(
        writes.acknowledged.len() > 5 && before.elapsed() > Duration::from_secs(1),
        "{last}"
    );
    let verify = t.run(&["audit", "verify"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

/// A small tmpfs mounted for the test and unmounted when it ends.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(megabytes: u32) -> SmallDisk {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "mounting a tmpfs needs root: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        SmallDisk { dir }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).output();
    }
}

#[test]
#[ignore = "mounts a tmpfs, which needs root: .ci/run runs it alone with --ignored"]
fn a_full_disk_on_sqlite_is_a_clear_error_loses_nothing_and_heals_when_space_returns() {
    let t = TestDb::new();
    let disk = SmallDisk::mount(24);
    let db_path = disk.dir.path().join("sprint.db");
    let url = format!("sqlite://{}", db_path.display());
    let server = t.serve_on(&url, &[]);
    let token = api_token(&server.base);
    // An operator signed in before the disk fills, with the form open.
    let mut operator = Browser::new();
    operator.login(&server.base, "roberto");
    operator.get(&format!("{}/admin/organisations/new", server.base));
    // Fill what is left but a little, so the next writes run out of room.
    let filler = disk.dir.path().join("filler");
    let free = {
        let out = Command::new("df")
            .args(["--output=avail", "-B1"])
            .arg(disk.dir.path())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .nth(1)
            .unwrap()
            .trim()
            .parse::<u64>()
            .unwrap()
    };
    std::fs::write(
        &filler,
        vec![0u8; (free.saturating_sub(256 * 1024)) as usize],
    )
    .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = write_load(
        server.base.clone(),
        token.clone(),
        "Ente a disco pieno",
        stop.clone(),
        false,
    );
    // Until the disk is full: the writer's failures show it.
    let mut full_page = String::new();
    let mut tries = 0;
    let mut seen = vec![];
    assert!(
        eventually(Duration::from_secs(120), || {
            tries += 1;
            let (status, body) = operator.post(
                &format!("{}/admin/organisations", server.base),
                &[
                    ("name", &format!("Ente dal modulo {tries}")),
                    ("kind", "civil_society"),
                    ("active", "on"),
                ],
            );
            seen.push(status);
            if status == 503 {
                full_page = body;
                true
            } else {
                false
            }
        }),
        "the disk never filled up: the form got {seen:?}"
    );
    stop.store(true, Ordering::Relaxed);
    let writes = writer.join().unwrap();
    assert!(
        writes.refused.iter().all(|s| *s == 503),
        "answers other than 503 on a full disk: {:?}",
        writes.refused
    );
    // A page that says what happened, in the operator's language, with nothing internal.
    assert!(
        full_page.contains("spazio") || full_page.contains("Spazio"),
        "{full_page}"
    );
    assert!(!full_page.contains("SQLITE"), "{full_page}");
    // Space comes back: the same process writes again.
    std::fs::remove_file(&filler).unwrap();
    let after = write_load(
        server.base.clone(),
        token.clone(),
        "Ente dopo lo spazio",
        Arc::new(AtomicBool::new(false)),
        true,
    );
    std::thread::sleep(Duration::from_millis(500));
    drop(server);
    let after = after.join().unwrap();
    assert!(!after.acknowledged.is_empty(), "{after:?}");
    // Nothing acknowledged was lost, and the file is sound.
    let again = t.serve_on(&url, &[]);
    let names = organisation_names(&again.base, &token);
    for n in writes.acknowledged.iter().chain(&after.acknowledged) {
        assert!(names.contains(n), "acknowledged {n} was lost");
    }
    drop(again);
    let check = runtime().block_on(async {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        let (r,): (String,) = sqlx::query_as("PRAGMA integrity_check")
            .fetch_one(&pool)
            .await
            .unwrap();
        r
    });
    assert_eq!(check, "ok");
    let out = Command::new(BIN)
        .args(["audit", "verify"])
        .env("SPRINT_DATABASE_URL", &url)
        .env("SPRINT_ENCRYPTION_KEY", TEST_KEY)
        .env("SPRINT_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
