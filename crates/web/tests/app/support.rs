//! The test harness: a fresh database per test, the app's router, and a small client that
//! keeps cookies and fills in the CSRF token like a browser submitting a form.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::collections::HashMap;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use store::Db;
use store::db::Settings;
use tower::ServiceExt;
use web::{AppState, WebConfig};

pub const PASSWORD: &str = store::demo::DEMO_PASSWORD;

/// A fixed key for tests (never used outside them).
pub const TEST_KEY: &str = "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// Settings that keep tests quick: Argon2 at its minimum cost (the code path is the same).
pub fn test_settings() -> Settings {
    Settings {
        argon2_m_kib: 1024,
        argon2_t: 1,
        argon2_p: 1,
        keyring: Some(std::sync::Arc::new(
            store::crypto::Keyring::from_spec(TEST_KEY).unwrap(),
        )),
        ..Settings::default()
    }
}

/// A database that exists for one test and is removed after it.
pub struct TestDb {
    pub url: String,
    pub db: Db,
    _dir: Option<tempfile::TempDir>,
    pg_drop: Option<(String, String)>,
}

impl TestDb {
    pub async fn new() -> TestDb {
        Self::with_settings(test_settings()).await
    }

    pub async fn with_settings(settings: Settings) -> TestDb {
        match std::env::var("SPRINT_TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.is_empty() => {
                let name = format!("sprint_t_{}", uuid::Uuid::new_v4().simple());
                let admin = sqlx::PgPool::connect(&admin_url)
                    .await
                    .expect("postgres reachable");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&admin)
                    .await
                    .unwrap();
                admin.close().await;
                let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap();
                let url = format!("{base}/{name}");
                let db = Db::connect(&url, settings).await.unwrap();
                db.migrate().await.unwrap();
                TestDb {
                    url,
                    db,
                    _dir: None,
                    pg_drop: Some((admin_url, name)),
                }
            }
            _ => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}/test.db", dir.path().display());
                let db = Db::connect(&url, settings).await.unwrap();
                db.migrate().await.unwrap();
                TestDb {
                    url,
                    db,
                    _dir: Some(dir),
                    pg_drop: None,
                }
            }
        }
    }

    /// Another handle on the same database, as a second app instance would have.
    pub async fn second_handle(&self) -> Db {
        Db::connect(&self.url, test_settings()).await.unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.pg_drop.take() {
            // Dropping needs async work; do it on a throwaway runtime in its own thread.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    if let Ok(admin) = sqlx::PgPool::connect(&admin_url).await {
                        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .execute(&admin)
                        .await;
                    }
                });
            })
            .join();
        }
    }
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    /// The body as sent (for downloads).
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn location(&self) -> String {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// The value of the first hidden `csrf` field on the page.
    pub fn csrf(&self) -> Option<String> {
        let i = self.body.find("name=\"csrf\" value=\"")?;
        let rest = &self.body[i + 19..];
        Some(rest[..rest.find('"')?].to_string())
    }
}

/// A browser-like client: keeps cookies, sends the page's CSRF token with forms.
pub struct Client {
    pub router: Router,
    pub cookies: HashMap<String, String>,
    pub csrf: Option<String>,
    pub lang: Option<&'static str>,
}

impl Client {
    pub fn new(router: Router) -> Self {
        Client {
            router,
            cookies: HashMap::new(),
            csrf: None,
            lang: None,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn send(&mut self, req: Request<Body>) -> Resp {
        let resp = self.router.clone().oneshot(req).await.unwrap();
        for v in resp.headers().get_all(header::SET_COOKIE) {
            let s = v.to_str().unwrap();
            let (kv, attrs) = s.split_once(';').unwrap_or((s, ""));
            let (k, val) = kv.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), val.to_string());
            }
        }
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
        let r = Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&body).to_string(),
            bytes: body.to_vec(),
        };
        if let Some(c) = r.csrf() {
            self.csrf = Some(c);
        }
        r
    }

    fn builder(&self, method: &str, path: &str) -> axum::http::request::Builder {
        let mut b = Request::builder().method(method).uri(path);
        if !self.cookies.is_empty() {
            b = b.header(header::COOKIE, self.cookie_header());
        }
        if let Some(l) = self.lang {
            b = b.header(header::ACCEPT_LANGUAGE, l);
        }
        b
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        let req = self.builder("GET", path).body(Body::empty()).unwrap();
        self.send(req).await
    }

    /// A GET with extra headers (what a browser adds: encodings it reads, the ETag it holds).
    pub async fn get_with(&mut self, path: &str, headers: &[(&str, &str)]) -> Resp {
        let mut b = self.builder("GET", path);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    /// Submits a form with the CSRF token of the last page seen (like a browser would).
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let mut all: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if let Some(c) = &self.csrf {
            all.push(("csrf".into(), c.clone()));
        }
        self.post_raw(path, &all).await
    }

    /// Submits a form with the page's CSRF token and extra headers (an idempotency key, the
    /// page script's or htmx's marks).
    pub async fn post_with(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut all: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if let Some(c) = &self.csrf {
            all.push(("csrf".into(), c.clone()));
        }
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&all)
            .finish();
        let mut b = self
            .builder("POST", path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        self.send(b.body(Body::from(body)).unwrap()).await
    }

    /// Submits exactly these fields (no automatic CSRF token).
    pub async fn post_raw(&mut self, path: &str, fields: &[(String, String)]) -> Resp {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let req = self
            .builder("POST", path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    pub async fn login(&mut self, username: &str, password: &str) -> Resp {
        self.get("/login").await;
        self.post(
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await
    }

    /// Logs in and fails the test if that does not work.
    pub async fn login_ok(&mut self, username: &str) {
        let r = self.login(username, PASSWORD).await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "login of {username}: {}",
            r.body
        );
        // Load a page so the client holds the session's CSRF token.
        self.get("/profile").await;
    }

    /// Submits a multipart form (an upload) with the page's CSRF token as its first field.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> Resp {
        let mut all: Vec<(String, String)> = vec![];
        if let Some(c) = &self.csrf {
            all.push(("csrf".into(), c.clone()));
        }
        all.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let (ct, body) = multipart_body(&all, file);
        let req = self
            .builder("POST", path)
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// Sends a multipart upload to the API with a bearer token.
    pub async fn api_multipart(
        &mut self,
        path: &str,
        token: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> Resp {
        let all: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let (ct, body) = multipart_body(&all, file);
        let req = Request::builder()
            .method("POST")
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    pub async fn api(&mut self, method: &str, path: &str, token: &str, body: Option<&str>) -> Resp {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"));
        if body.is_some() {
            b = b.header(header::CONTENT_TYPE, "application/json");
        }
        let req = b
            .body(
                body.map(|s| Body::from(s.to_string()))
                    .unwrap_or_else(Body::empty),
            )
            .unwrap();
        self.send(req).await
    }
}

/// A fresh database with the demo world, and the router serving it.
pub struct TestApp {
    pub tdb: TestDb,
    pub state: AppState,
}

impl TestApp {
    pub async fn new() -> TestApp {
        Self::with_config(WebConfig::default()).await
    }

    pub async fn with_config(cfg: WebConfig) -> TestApp {
        let tdb = TestDb::new().await;
        store::demo::seed(&tdb.db).await.unwrap();
        let state = AppState::new(tdb.db.clone(), cfg);
        TestApp { tdb, state }
    }

    pub fn db(&self) -> &Db {
        &self.tdb.db
    }

    /// The actions of the audit entries about one record (all entries if `object_id` is
    /// empty), in the order the audit list gives them.
    pub async fn audit_actions(&self, object_id: &str) -> Vec<String> {
        store::audit::list(
            self.db(),
            &store::Ctx::system("t"),
            &store::audit::Filter {
                object_id: object_id.to_string(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect()
    }

    pub fn client(&self) -> Client {
        Client::new(web::router(self.state.clone()))
    }

    pub async fn user_id(&self, username: &str) -> String {
        store::account::find_user_id(self.db(), username)
            .await
            .unwrap()
            .unwrap()
    }

    /// A demo user's actor (roles, scopes, organisation), as the server builds it.
    pub async fn actor_of(&self, username: &str) -> domain::policy::Actor {
        let token = self.token_for(username).await;
        store::auth::authenticate_api_token(self.db(), &token)
            .await
            .unwrap()
            .actor()
    }

    /// Creates a personal API token for a demo user, as they would on their profile page.
    pub async fn token_for(&self, username: &str) -> String {
        let id = self.user_id(username).await;
        let ctx = store::Ctx {
            actor: domain::policy::Actor::user(id, String::new(), vec![]),
            request_id: None,
            purpose: None,
        };
        store::auth::create_api_token(self.db(), &ctx, "test")
            .await
            .unwrap()
    }
}

/// A `multipart/form-data` body: text fields, then the file (field `file`) if any.
pub fn multipart_body(
    fields: &[(String, String)],
    file: Option<(&str, &[u8])>,
) -> (String, Vec<u8>) {
    let boundary = "----sprint-test-boundary-7d1f";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The smallest valid PDF worth uploading in tests.
pub const TINY_PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/// The one file of an encrypted export: checks a wrong passphrase opens nothing, then
/// returns the file's name and bytes under `password`.
pub fn unzip_encrypted(archive: &[u8], password: &str) -> (String, Vec<u8>) {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(archive.to_vec())).unwrap();
    assert!(z.by_index_decrypt(0, b"another password").is_err());
    let mut inner = z.by_index_decrypt(0, password.as_bytes()).unwrap();
    let name = inner.name().unwrap().to_string();
    let mut bytes = vec![];
    inner.read_to_end(&mut bytes).unwrap();
    (name, bytes)
}
