//! What the binary's tests share: a database per test (SQLite file, or a fresh PostgreSQL
//! database when SPRINT_TEST_DATABASE_URL is set), the server as a real process, and a
//! browser-like HTTP client.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_sprint");
pub const PASSWORD: &str = "Demo-Roma-2026";
/// A fixed encryption key for tests (never used outside them).
pub const TEST_KEY: &str = "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// A database for one test: a SQLite file in a temp dir, or a new PostgreSQL database.
pub struct TestDb {
    pub url: String,
    pub dir: tempfile::TempDir,
    pub pg: Option<(String, String)>,
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

impl TestDb {
    pub fn new() -> TestDb {
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

    pub fn is_sqlite(&self) -> bool {
        self.pg.is_none()
    }

    /// Runs a `sprint` command against this database.
    pub fn run(&self, args: &[&str]) -> Output {
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

    pub fn serve(&self) -> Server {
        self.serve_on(&self.url, &[])
    }

    /// Starts `sprint serve --demo` on `url` (this database's, or another place for it),
    /// with extra environment, and waits until it answers.
    pub fn serve_on(&self, url: &str, env: &[(&str, &str)]) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(BIN)
            .args(["serve", "--demo"])
            .env("SPRINT_DATABASE_URL", url)
            .env("SPRINT_BIND", format!("127.0.0.1:{port}"))
            .envs(env.iter().copied())
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

pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// A browser session against a running server: cookies and the form token.
pub struct Browser {
    agent: ureq::Agent,
    cookies: Vec<(String, String)>,
    csrf: String,
}

impl Browser {
    pub fn new() -> Self {
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

    pub fn get(&mut self, url: &str) -> (u16, String) {
        let mut r = self
            .agent
            .get(url)
            .header("cookie", self.cookie_header())
            .call()
            .unwrap();
        let status = r.status().as_u16();
        (status, self.absorb(&mut r))
    }

    pub fn post(&mut self, url: &str, fields: &[(&str, &str)]) -> (u16, String) {
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

    pub fn login(&mut self, base: &str, user: &str) {
        self.get(&format!("{base}/login"));
        let (status, body) = self.post(
            &format!("{base}/login"),
            &[("username", user), ("password", PASSWORD), ("next", "/")],
        );
        assert_eq!(status, 303, "login failed: {body}");
    }
}

/// A personal API token of an administrator (roberto), made through the profile page.
pub fn api_token(base: &str) -> String {
    let mut b = Browser::new();
    b.login(base, "roberto");
    b.get(&format!("{base}/profile/tokens"));
    let (_, page) = b.post(&format!("{base}/profile/tokens"), &[("name", "load")]);
    let i = page.find("spr_").unwrap();
    page[i..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// What a writer saw: the records the server acknowledged (201), and every other answer
/// (status, or 0 for no answer at all).
#[derive(Debug, Default)]
pub struct Writes {
    pub acknowledged: Vec<String>,
    pub refused: Vec<u16>,
}

/// Creates organisations through the API one after another until `stop` is set or
/// `max` were tried, pausing `pause` after a failure. Runs on its own thread.
pub fn write_load(
    base: String,
    token: String,
    prefix: &'static str,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    stop_on_failure: bool,
) -> std::thread::JoinHandle<Writes> {
    std::thread::spawn(move || {
        let agent = agent();
        let mut w = Writes::default();
        for n in 0..100_000 {
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                break;
            }
            let name = format!("{prefix} {n}");
            let r = agent
                .post(format!("{base}/api/v1/organisations"))
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .send(serde_json::json!({"name": name, "kind": "civil_society"}).to_string());
            match r {
                Ok(resp) if resp.status() == 201 => w.acknowledged.push(name),
                other => {
                    w.refused
                        .push(other.map(|r| r.status().as_u16()).unwrap_or(0));
                    if stop_on_failure {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
        w
    })
}

/// The names of every organisation the API lists.
pub fn organisation_names(base: &str, token: &str) -> Vec<String> {
    let mut r = agent()
        .get(format!("{base}/api/v1/organisations"))
        .header("authorization", format!("Bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(r.status(), 200);
    let body = r.body_mut().read_to_string().unwrap();
    serde_json::from_str::<serde_json::Value>(&body)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_string())
        .collect()
}
