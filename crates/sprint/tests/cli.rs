//! The `sprint` binary as operators run it: real processes, a real database (SQLite file,
//! or a fresh PostgreSQL database when SPRINT_TEST_DATABASE_URL is set), real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_sprint");
const PASSWORD: &str = "Demo-Roma-2026";
/// A fixed encryption key for tests (never used outside them).
const TEST_KEY: &str = "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// A database for one test: a SQLite file in a temp dir, or a new PostgreSQL database.
struct TestDb {
    url: String,
    dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

impl TestDb {
    fn new() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        match std::env::var("SPRINT_TEST_DATABASE_URL") {
            Ok(admin) if !admin.is_empty() => {
                let name = format!("sprint_c_{}", uuid::Uuid::new_v4().simple());
                runtime().block_on(async {
                    let pool = sqlx::PgPool::connect(&admin).await.unwrap();
                    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                        .execute(&pool)
                        .await
                        .unwrap();
                });
                let base = admin.rsplit_once('/').unwrap().0;
                TestDb {
                    url: format!("{base}/{name}"),
                    dir,
                    pg: Some((admin, name)),
                }
            }
            _ => {
                let url = format!("sqlite://{}/sprint.db", dir.path().display());
                TestDb { url, dir, pg: None }
            }
        }
    }

    fn is_sqlite(&self) -> bool {
        self.pg.is_none()
    }

    /// Runs a `sprint` command against this database.
    fn run(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .args(args)
            .env("SPRINT_DATABASE_URL", &self.url)
            .env("SPRINT_LOG", "warn")
            .env("SPRINT_ARGON2_MEMORY_KIB", "1024")
            .env("SPRINT_ARGON2_ITERATIONS", "1")
            .env("SPRINT_ENCRYPTION_KEY", TEST_KEY)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    fn serve(&self) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(BIN)
            .args(["serve", "--demo"])
            .env("SPRINT_DATABASE_URL", &self.url)
            .env("SPRINT_BIND", format!("127.0.0.1:{port}"))
            .env("SPRINT_LOG", "warn")
            .env("SPRINT_ARGON2_MEMORY_KIB", "1024")
            .env("SPRINT_ARGON2_ITERATIONS", "1")
            .env("SPRINT_ENCRYPTION_KEY", TEST_KEY)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let s = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let start = Instant::now();
        loop {
            if let Ok(r) = agent().get(format!("{}/healthz", s.base)).call()
                && r.status() == 200
            {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "server did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg.take() {
            runtime().block_on(async {
                if let Ok(pool) = sqlx::PgPool::connect(&admin).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&pool)
                    .await;
                }
            });
        }
    }
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// A browser session against a running server: cookies and the form token.
struct Browser {
    agent: ureq::Agent,
    cookies: Vec<(String, String)>,
    csrf: String,
}

impl Browser {
    fn new() -> Self {
        Browser {
            agent: agent(),
            cookies: vec![],
            csrf: String::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn absorb(&mut self, resp: &mut ureq::http::Response<ureq::Body>) -> String {
        for v in resp.headers().get_all("set-cookie") {
            let s = v.to_str().unwrap();
            let kv = s.split(';').next().unwrap();
            let (k, val) = kv.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != k);
            if !s.contains("Max-Age=0") {
                self.cookies.push((k.to_string(), val.to_string()));
            }
        }
        let body = resp.body_mut().read_to_string().unwrap_or_default();
        if let Some(i) = body.find("name=\"csrf\" value=\"") {
            self.csrf = body[i + 19..].split('"').next().unwrap().to_string();
        }
        body
    }

    fn get(&mut self, url: &str) -> (u16, String) {
        let mut r = self
            .agent
            .get(url)
            .header("cookie", self.cookie_header())
            .call()
            .unwrap();
        let status = r.status().as_u16();
        (status, self.absorb(&mut r))
    }

    fn post(&mut self, url: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let csrf = self.csrf.clone();
        all.push(("csrf", &csrf));
        let mut r = self
            .agent
            .post(url)
            .header("cookie", self.cookie_header())
            .send_form(all)
            .unwrap();
        let status = r.status().as_u16();
        (status, self.absorb(&mut r))
    }

    fn login(&mut self, base: &str, user: &str) {
        self.get(&format!("{base}/login"));
        let (status, body) = self.post(
            &format!("{base}/login"),
            &[("username", user), ("password", PASSWORD), ("next", "/")],
        );
        assert_eq!(status, 303, "login failed: {body}");
    }
}

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
    let mut b = Browser::new();
    b.login(&server.base, "roberto");
    b.get(&format!("{}/profile/tokens", server.base));
    let (_, page) = b.post(
        &format!("{}/profile/tokens", server.base),
        &[("name", "load")],
    );
    let i = page.find("spr_").unwrap();
    let token: String = page[i..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let base = server.base.clone();
    let writer = std::thread::spawn(move || {
        let agent = agent();
        let mut acknowledged = vec![];
        for n in 0..10_000 {
            let name = format!("Ente di prova {n}");
            let r = agent
                .post(format!("{base}/api/v1/organisations"))
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .send(serde_json::json!({"name": name, "kind": "civil_society"}).to_string());
            match r {
                Ok(resp) if resp.status() == 201 => acknowledged.push(name),
                _ => break,
            }
        }
        (acknowledged, token)
    });
    std::thread::sleep(Duration::from_millis(1500));
    server.child.kill().unwrap(); // SIGKILL: no chance to flush or shut down
    server.child.wait().unwrap();
    let (acknowledged, token) = writer.join().unwrap();
    assert!(
        acknowledged.len() > 5,
        "too few writes before the kill: {}",
        acknowledged.len()
    );
    let restarted = t.serve();
    let mut r = agent()
        .get(format!("{}/api/v1/organisations", restarted.base))
        .header("authorization", format!("Bearer {token}"))
        .call()
        .unwrap();
    let mut body = String::new();
    r.body_mut().as_reader().read_to_string(&mut body).unwrap();
    let names: Vec<String> = serde_json::from_str::<serde_json::Value>(&body)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_string())
        .collect();
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
fn backup_while_serving_then_restore_into_a_new_database() {
    let t = TestDb::new();
    let server = t.serve();
    let file = t.dir.path().join("sprint-backup.bin");
    let out = t.run(&["backup", "--to", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
}
