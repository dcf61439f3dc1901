//! Signing in: CSRF, session expiry, lockout, throttling, second factor, tokens.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;
use web::WebConfig;

use crate::support::*;

#[tokio::test]
async fn the_demo_admin_logs_in_and_sees_the_admin_dashboard() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let r = c.login("roberto", PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let home = c.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Buongiorno, Roberto Conti"));
    assert!(home.body.contains("/admin/audit"));
}

#[tokio::test]
async fn each_role_gets_a_dashboard_of_its_own() {
    let app = TestApp::new().await;
    for demo in store::demo::USERS {
        let mut c = app.client();
        c.lang = Some("en");
        c.login_ok(demo.username).await;
        let home = c.get("/").await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(home.body.contains(demo.full_name), "{}", demo.username);
        let is_admin = demo.role == domain::account::Role::Admin;
        assert_eq!(
            home.body.contains("href=\"/admin/audit\""),
            is_admin,
            "{}",
            demo.username
        );
    }
    // The interface follows each user's own language (Tanvir's is English).
    let mut sara = app.client();
    sara.login_ok("sara").await;
    assert!(sara.get("/").await.body.contains("Minori accolti"));
    let mut tanvir = app.client();
    tanvir.login_ok("tanvir").await;
    assert!(tanvir.get("/").await.body.contains("Translations"));
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_a_clear_message_and_keeps_the_username() {
    let app = TestApp::new().await;
    let mut c = app.client();
    c.lang = Some("en");
    let r = c.login("marco", "not the password").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("Wrong username or password."));
    assert!(r.body.contains("value=\"marco\""));
    assert!(!c.cookies.contains_key("sprint_session"));
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::new().await;
    let mut c = app.client();
    c.login_ok("roberto").await;
    let before = store::account::list_orgs(app.db(), &store::Ctx::system("t"))
        .await
        .unwrap()
        .len();
    let r = c
        .post_raw(
            "/admin/organisations",
            &[
                ("name".into(), "Forged Org".into()),
                ("kind".into(), "partner".into()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("Modulo scaduto"));
    let r = c
        .post_raw(
            "/admin/organisations",
            &[
                ("name".into(), "Forged Org".into()),
                ("kind".into(), "partner".into()),
                ("csrf".into(), "0".repeat(64)),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let after = store::account::list_orgs(app.db(), &store::Ctx::system("t"))
        .await
        .unwrap()
        .len();
    assert_eq!(before, after);
}

#[tokio::test]
async fn the_login_form_itself_needs_its_token() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let r = c
        .post_raw(
            "/login",
            &[
                ("username".into(), "roberto".into()),
                ("password".into(), PASSWORD.into()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!c.cookies.contains_key("sprint_session"));
}

#[tokio::test]
async fn an_expired_session_leads_to_login_with_a_notice() {
    let app = TestApp::new().await;
    let mut c = app.client();
    c.login_ok("marco").await;
    let token = c.cookies.get("sprint_session").cloned().unwrap();
    store::auth::expire_session_now(app.db(), &token)
        .await
        .unwrap();
    let r = c.get("/profile").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login?reason=expired&next=%2Fprofile");
    assert!(!c.cookies.contains_key("sprint_session"));
    let login = c.get(&r.location()).await;
    assert!(login.body.contains("La sessione è scaduta"));
    // A form sent with an expired session is refused with the same explanation, not lost
    // silently: the person is told to log in again and go back.
    c.login_ok("marco").await;
    let token = c.cookies.get("sprint_session").cloned().unwrap();
    store::auth::expire_session_now(app.db(), &token)
        .await
        .unwrap();
    let r = c.post("/profile/language", &[("lang", "en")]).await;
    assert!(r.status == StatusCode::UNAUTHORIZED || r.status == StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_account_for_a_while() {
    let app = TestApp::new().await;
    let mut c = app.client();
    c.lang = Some("en");
    for _ in 0..5 {
        c.login("giulia", "wrong password!").await;
    }
    let r = c.login("giulia", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("locked for a few minutes"));
    let id = app.user_id("giulia").await;
    let events = store::audit::list(
        app.db(),
        &store::Ctx::system("t"),
        &store::audit::Filter {
            object_id: id,
            action: "auth.account_locked".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(events.len(), 1);
}

#[tokio::test]
async fn many_failures_from_one_address_are_throttled() {
    let app = TestApp::new().await;
    let mut c = app.client();
    for i in 0..20 {
        c.login(&format!("nobody{i}"), "x").await;
    }
    let r = c.login("roberto", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("Troppi tentativi"));
}

#[tokio::test]
async fn api_tokens_authenticate_until_revoked() {
    let app = TestApp::new().await;
    let mut c = app.client();
    c.login_ok("elena").await;
    c.get("/profile/tokens").await;
    let page = c
        .post("/profile/tokens", &[("name", "reporting script")])
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let start = page.body.find("spr_").unwrap();
    let token: String = page.body[start..]
        .chars()
        .take_while(|ch| ch.is_ascii_alphanumeric() || *ch == '_')
        .collect();
    let me = c.api("GET", "/api/v1/me", &token, None).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["username"], "elena");
    // The token is stored hashed: it does not appear in the database.
    let listed = store::auth::list_api_tokens(
        app.db(),
        &store::Ctx {
            actor: store::account::get_user(
                app.db(),
                &store::Ctx::system("t"),
                &app.user_id("elena").await,
            )
            .await
            .unwrap()
            .actor(),
            request_id: None,
            purpose: None,
        },
    )
    .await
    .unwrap();
    let id = listed[0].id.clone();
    let tokens_page = c.get("/profile/tokens").await;
    assert!(!tokens_page.body.contains(&token));
    c.post(&format!("/profile/tokens/{id}/revoke"), &[]).await;
    let me = c.api("GET", "/api/v1/me", &token, None).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me.json()["code"], "unauthenticated");
    assert!(me.headers.contains_key("www-authenticate"));
}

#[tokio::test]
async fn totp_once_enrolled_is_asked_at_every_login() {
    let app = TestApp::new().await;
    let mut c = app.client();
    c.login_ok("paolo").await;
    c.get("/profile/totp").await;
    c.post("/profile/totp/start", &[]).await;
    let page = c.get("/profile/totp").await;
    let needle = "id=\"totp-secret\" dir=\"ltr\">";
    let i = page
        .body
        .find(needle)
        .unwrap_or_else(|| panic!("{}", page.body));
    let secret: String = page.body[i + needle.len()..]
        .chars()
        .take_while(|ch| ch.is_ascii_alphanumeric())
        .collect();
    // The database holds the secret sealed, never as the base32 a code generator needs.
    let stored: Vec<(Option<String>,)> = store::with_pool!(app.db(), |p| {
        sqlx::query_as("SELECT totp_secret FROM users WHERE totp_secret IS NOT NULL")
            .fetch_all(p)
            .await
    })
    .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].0.as_deref().unwrap().contains(&secret));
    let wrong = c.post("/profile/totp/confirm", &[("code", "000000")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let code = store::auth::totp_code_now(&secret).unwrap();
    let ok = c.post("/profile/totp/confirm", &[("code", &code)]).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    c.post("/logout", &[]).await;

    let mut c = app.client();
    let r = c.login("paolo", PASSWORD).await;
    assert!(r.location().starts_with("/login/totp"));
    // Until the code is given, nothing else opens.
    let home = c.get("/").await;
    assert_eq!(home.location(), "/login/totp");
    c.get("/login/totp").await;
    let bad = c
        .post("/login/totp", &[("code", "123456"), ("next", "/")])
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    // The code used at enrolment cannot be replayed in the same time step.
    let replay = c
        .post("/login/totp", &[("code", &code), ("next", "/")])
        .await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn admins_must_enrol_a_second_factor_when_configured() {
    let app = TestApp::with_config(WebConfig {
        require_totp_for_admins: true,
        ..WebConfig::default()
    })
    .await;
    let mut c = app.client();
    c.login("roberto", PASSWORD).await;
    let r = c.get("/admin/users").await;
    assert_eq!(r.location(), "/profile/totp?reason=required");
    // Other roles are not affected.
    let mut m = app.client();
    m.login("marco", PASSWORD).await;
    assert_eq!(m.get("/").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_reset_password_must_be_changed_at_the_next_login() {
    let app = TestApp::new().await;
    let mut admin = app.client();
    admin.login_ok("roberto").await;
    let id = app.user_id("chiara").await;
    admin.get(&format!("/admin/users/{id}")).await;
    let page = admin
        .post(&format!("/admin/users/{id}/reset-password"), &[])
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let i = page.body.find("id=\"temp-password\">").unwrap();
    let temp: String = page.body[i + 19..]
        .chars()
        .take_while(|ch| *ch != '<')
        .collect();
    assert_eq!(temp.len(), 23);
    let mut c = app.client();
    assert_eq!(
        c.login("chiara", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    c.login("chiara", &temp).await;
    assert_eq!(
        c.get("/").await.location(),
        "/profile/password?reason=must_change"
    );
    c.get("/profile/password").await;
    let bad = c
        .post(
            "/profile/password",
            &[
                ("current_password", &temp),
                ("new_password", "short"),
                ("confirm_password", "short"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("almeno 12 caratteri"));
    let ok = c
        .post(
            "/profile/password",
            &[
                ("current_password", &temp),
                ("new_password", "a brand new passphrase"),
                ("confirm_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(c.get("/").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_disabled_user_is_logged_out_and_cannot_log_in() {
    let app = TestApp::new().await;
    let mut victim = app.client();
    victim.login_ok("davide").await;
    let mut admin = app.client();
    admin.login_ok("roberto").await;
    let id = app.user_id("davide").await;
    admin.get(&format!("/admin/users/{id}")).await;
    let r = admin.post(&format!("/admin/users/{id}/disable"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(victim.get("/").await.status, StatusCode::SEE_OTHER);
    let again = victim.login("davide", PASSWORD).await;
    assert_eq!(again.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn logging_out_ends_the_session_in_the_database() {
    let app = TestApp::new().await;
    let mut c = app.client();
    c.login_ok("anna").await;
    let token = c.cookies.get("sprint_session").cloned().unwrap();
    let r = c.post("/logout", &[]).await;
    assert_eq!(r.location(), "/login?reason=logged_out");
    let lookup = store::auth::load_session(app.db(), &token, app.state.cfg.session)
        .await
        .unwrap();
    assert!(matches!(lookup, store::auth::SessionLookup::Unknown));
}

#[tokio::test]
async fn language_switch_changes_the_page_language_and_direction() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let it = c.get("/login").await;
    assert!(it.body.contains("<html lang=\"it\" dir=\"ltr\">"));
    c.get("/language/en?next=/login").await;
    let en = c.get("/login").await;
    assert!(en.body.contains("<html lang=\"en\" dir=\"ltr\">"));
    assert!(en.body.contains("Log in"));
    let r = c.get("/language/ar?next=//evil.example").await;
    assert_eq!(r.location(), "/");
    let ar = c.get("/login").await;
    assert!(ar.body.contains("<html lang=\"ar\" dir=\"rtl\">"));
    assert_eq!(c.get("/language/xx").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_form_sent_after_the_session_ended_is_kept_through_login_and_sent_again() {
    let app = TestApp::new().await;
    let mut c = app.client();
    c.login_ok("roberto").await;
    c.get("/admin/organisations/new").await;
    let token = c.cookies.get("sprint_session").cloned().unwrap();
    store::auth::expire_session_now(app.db(), &token)
        .await
        .unwrap();
    // The operator presses "save" on a form opened before the session ended.
    let r = c
        .post(
            "/admin/organisations",
            &[
                ("name", "Comunità di Sant'Egidio – sportello"),
                ("kind", "civil_society"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("quello che hai scritto è stato conservato"));
    assert!(
        r.body
            .contains("name=\"resume_to\" value=\"/admin/organisations\"")
    );
    // Logging in again leads to a confirmation with the kept input, not to a lost form.
    let mut fields: Vec<(String, String)> = vec![
        ("username".into(), "roberto".into()),
        ("password".into(), PASSWORD.into()),
        ("next".into(), "/".into()),
        ("csrf".into(), c.csrf.clone().unwrap()),
        ("resume_to".into(), "/admin/organisations".into()),
    ];
    let i = r.body.find("name=\"resume\" value=\"").unwrap();
    let kept = r.body[i + 21..]
        .split('"')
        .next()
        .unwrap()
        .replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#39;", "'")
        .replace("&#x27;", "'");
    fields.push(("resume".into(), kept));
    let confirm = c.post_raw("/login", &fields).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    assert!(confirm.body.contains("Invia di nuovo"));
    assert!(!confirm.body.contains(PASSWORD));
    // Sending it again creates the record once.
    let mut again: Vec<(String, String)> = vec![
        ("name".into(), "Comunità di Sant'Egidio – sportello".into()),
        ("kind".into(), "civil_society".into()),
        ("active".into(), "on".into()),
    ];
    again.push(("csrf".into(), c.csrf.clone().unwrap()));
    let done = c.post_raw("/admin/organisations", &again).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let orgs = store::account::list_orgs(app.db(), &store::Ctx::system("t"))
        .await
        .unwrap();
    assert_eq!(
        orgs.iter()
            .filter(|o| o.name.starts_with("Comunità di Sant'Egidio"))
            .count(),
        1
    );
}

#[tokio::test]
async fn a_cross_site_form_without_the_session_cookie_gets_no_resume_offer() {
    let app = TestApp::new().await;
    let mut c = app.client();
    c.get("/login").await;
    let r = c
        .post_raw(
            "/admin/organisations",
            &[
                ("name".into(), "Forged".into()),
                ("kind".into(), "partner".into()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!r.body.contains("resume_to"));
}
