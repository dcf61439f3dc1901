//! The `sprint` binary as operators run it: real processes, a real database (SQLite file,
//! or a fresh PostgreSQL database when SPRINT_TEST_DATABASE_URL is set), real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::*;

fn one_line(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes).trim().to_string();
    assert_eq!(s.lines().count(), 1, "expected one line, got: {s}");
    s
}

#[test]
fn an_unknown_database_scheme_stops_start_up_with_one_line() {
    let out = Command::new(BIN)
        .args(["serve", "--database-url", "mysql://root@localhost/sprint"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = one_line(&out.stderr);
    assert!(err.contains("unknown database URL scheme 'mysql'"), "{err}");
}

#[test]
fn an_unreachable_database_stops_start_up_with_one_line() {
    let out = Command::new(BIN)
        .args([
            "serve",
            "--database-url",
            "postgres://nobody@127.0.0.1:9/sprint",
        ])
        .env("SPRINT_LOG", "off")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = one_line(&out.stderr);
    assert!(
        err.contains("cannot reach PostgreSQL at 127.0.0.1:9/sprint"),
        "{err}"
    );
}

#[test]
fn serve_help_documents_every_configuration_layer() {
    let out = Command::new(BIN)
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "sprint.toml",
        "SPRINT_DATABASE_URL",
        "SPRINT_DATABASE_URL_FILE",
        "SPRINT_BIND",
        "SPRINT_DEMO",
        "postgres://",
    ] {
        assert!(help.contains(needle), "{needle} missing from --help");
    }
}

#[test]
fn a_configuration_file_and_a_secret_file_are_read() {
    let t = TestDb::new();
    std::fs::write(t.dir.path().join("db-url.secret"), format!("{}\n", t.url)).unwrap();
    std::fs::write(
        t.dir.path().join("sprint.toml"),
        "database_url_file = \"db-url.secret\"\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["migrate"])
        .env_remove("SPRINT_DATABASE_URL")
        .env("SPRINT_ENCRYPTION_KEY", TEST_KEY)
        .env("SPRINT_LOG", "warn")
        .current_dir(t.dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("schema version"));
    assert!(!stdout.contains(":***@") || !stdout.contains("postgres://postgres@"));
}

#[test]
fn user_commands_create_disable_enable_and_reset_with_an_audited_trail() {
    let t = TestDb::new();
    let server = t.serve(); // seeds the demo world
    let out = t.run(&[
        "user",
        "create",
        "--username",
        "nuovo.patronato",
        "--full-name",
        "Nadia Haddad",
        "--org",
        "Patronato Lavoro e Diritti – sede di Roma Termini",
        "--role",
        "case_worker",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let temp = stdout
        .lines()
        .find_map(|l| l.strip_prefix("temporary password (to change at first login): "))
        .unwrap()
        .to_string();
    // The new user logs in with the temporary password and is sent to change it.
    let mut b = Browser::new();
    b.get(&format!("{}/login", server.base));
    let (s, _) = b.post(
        &format!("{}/login", server.base),
        &[
            ("username", "nuovo.patronato"),
            ("password", &temp),
            ("next", "/"),
        ],
    );
    assert_eq!(s, 303);
    let (s, _) = b.get(&format!("{}/", server.base));
    assert_eq!(s, 303);
    assert!(
        t.run(&["user", "disable", "nuovo.patronato"])
            .status
            .success()
    );
    let (s, _) = b.get(&format!("{}/profile/password", server.base));
    assert_eq!(s, 303, "the disabled user's session ended");
    assert!(
        t.run(&["user", "enable", "nuovo.patronato"])
            .status
            .success()
    );
    let reset = t.run(&["user", "reset-password", "nuovo.patronato"]);
    assert!(
        String::from_utf8_lossy(&reset.stdout).contains("temporary password for nuovo.patronato")
    );
    let bad = t.run(&[
        "user",
        "create",
        "--username",
        "x",
        "--full-name",
        "X",
        "--org",
        "Nowhere",
        "--role",
        "pope",
    ]);
    assert!(!bad.status.success());
    let err = one_line(&bad.stderr);
    assert!(err.contains("username") && err.contains("grants"), "{err}");
    let verify = t.run(&["audit", "verify"]);
    assert!(verify.status.success());
    assert!(String::from_utf8_lossy(&verify.stdout).contains("audit chain intact"));
}

#[test]
fn audit_verify_reports_the_first_tampered_row() {
    let t = TestDb::new();
    drop(t.serve());
    let url = t.url.clone();
    runtime().block_on(async {
        if t.is_sqlite() {
            let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
            sqlx::query("DROP TRIGGER audit_log_no_update")
                .execute(&pool)
                .await
                .unwrap();
            sqlx::query("UPDATE audit_log SET details = '{}' WHERE seq = 7")
                .execute(&pool)
                .await
                .unwrap();
        } else {
            let pool = sqlx::PgPool::connect(&url).await.unwrap();
            sqlx::query("ALTER TABLE audit_log DISABLE TRIGGER USER")
                .execute(&pool)
                .await
                .unwrap();
            sqlx::query("UPDATE audit_log SET details = '{}' WHERE seq = 7")
                .execute(&pool)
                .await
                .unwrap();
        }
    });
    let out = t.run(&["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("BROKEN at entry 7"), "{stdout}");
}

#[test]
fn two_serve_processes_on_one_database_share_sessions() {
    let t = TestDb::new();
    let a = t.serve();
    let b_server = t.serve();
    let mut browser = Browser::new();
    browser.login(&a.base, "marco");
    let (status, body) = browser.get(&format!("{}/", b_server.base));
    assert_eq!(status, 200);
    assert!(body.contains("Marco Bianchi"));
    let (status, _) = browser.post(&format!("{}/logout", b_server.base), &[]);
    assert_eq!(status, 303);
    let (status, _) = browser.get(&format!("{}/", a.base));
    assert_eq!(
        status, 303,
        "logging out on one instance ends the session on the other"
    );
}

#[test]
fn killing_the_server_during_writes_loses_no_acknowledged_record() {
    let t = TestDb::new();
    let mut server = t.serve();
    let token = api_token(&server.base);
    let stop = Arc::new(AtomicBool::new(false));
    let writer = write_load(
        server.base.clone(),
        token.clone(),
        "Ente di prova",
        stop,
        true,
    );
    std::thread::sleep(Duration::from_millis(1500));
    server.child.kill().unwrap(); // SIGKILL: no chance to flush or shut down
    server.child.wait().unwrap();
    let acknowledged = writer.join().unwrap().acknowledged;
    assert!(
        acknowledged.len() > 5,
        "too few writes before the kill: {}",
        acknowledged.len()
    );
    let restarted = t.serve();
    let names = organisation_names(&restarted.base, &token);
    for n in &acknowledged {
        assert!(names.contains(n), "acknowledged {n} was lost");
    }
    let verify = t.run(&["audit", "verify"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

#[test]
fn backup_during_a_write_load_restores_to_a_consistent_database() {
    let t = TestDb::new();
    let server = t.serve();
    let token = api_token(&server.base);
    let stop = Arc::new(AtomicBool::new(false));
    let writer = write_load(
        server.base.clone(),
        token.clone(),
        "Ente durante il backup",
        stop.clone(),
        false,
    );
    std::thread::sleep(Duration::from_millis(500));
    let file = t.dir.path().join("sprint-backup.bin");
    let out = t.run(&["backup", "--to", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    let writes = writer.join().unwrap();
    assert!(
        writes.refused.is_empty(),
        "writes refused during the backup: {:?}",
        writes.refused
    );
    assert!(writes.acknowledged.len() > 3, "{writes:?}");
    drop(server);
    let target = TestDb::new();
    let refused = target.run(&["restore", "--from", file.to_str().unwrap()]);
    assert!(
        !refused.status.success(),
        "restore without --yes must refuse"
    );
    let out = target.run(&["restore", "--from", file.to_str().unwrap(), "--yes"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("audit chain intact"));
    let s = target.serve();
    let mut b = Browser::new();
    b.login(&s.base, "elena");
    let (status, body) = b.get(&format!("{}/", s.base));
    assert_eq!(status, 200);
    assert!(body.contains("Elena Ricci"));
    // A snapshot of one moment: the organisations written before the backup began, in
    // order and without gaps (each was acknowledged before the next was sent), and each
    // with its audit entry (the chain verified above).
    let restored = organisation_names(&s.base, &api_token(&s.base));
    let kept: Vec<&String> = writes
        .acknowledged
        .iter()
        .filter(|n| restored.contains(n))
        .collect();
    assert!(
        !kept.is_empty(),
        "nothing written before the backup was restored"
    );
    assert_eq!(
        kept.as_slice(),
        writes
            .acknowledged
            .iter()
            .take(kept.len())
            .collect::<Vec<_>>()
            .as_slice(),
        "the restored writes are not a prefix of the acknowledged ones"
    );
}
