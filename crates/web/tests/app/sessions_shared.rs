//! Two app instances on one database share sessions: log in through one, use the other.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;
use web::{AppState, WebConfig};

use crate::support::*;

#[tokio::test]
async fn a_session_opened_on_one_instance_works_on_another() {
    let app = TestApp::new().await;
    let other_db = app.tdb.second_handle().await;
    let other = web::router(AppState::new(other_db, WebConfig::default()));
    let mut c = app.client();
    c.login_ok("marco").await;
    // Same browser (same cookies), requests now reach the second instance.
    c.router = other;
    let home = c.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Marco Bianchi"));
    let r = c.post("/profile/language", &[("lang", "en")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Logging out on the second instance ends the session for the first too.
    c.post("/logout", &[]).await;
    let mut first = app.client();
    first.cookies = c.cookies.clone();
    assert_eq!(first.get("/").await.status, StatusCode::SEE_OTHER);
}
