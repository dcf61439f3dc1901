//! Nothing lost on a bad connection, on the server's side: a submission carrying an
//! idempotency key is applied once however often it arrives (a reload, a resend, the offline
//! queue retrying), a refused one can be sent again, a key is never shared between users or
//! requests; an edit that met a newer version shows both field by field and saves the
//! editor's choice; only public pages and empty field forms may be kept offline; logout
//! clears what the browser kept; the drafts' key belongs to its user.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use crate::case_records::fatima_case;
use crate::cases::person_named;
use crate::support::*;

async fn notes_of(app: &TestApp, case: &str) -> i64 {
    let (n,): (i64,) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT COUNT(*) FROM case_notes WHERE case_id = $1"
    )
    .bind(case)
    .fetch_one(p)
    .await)
    .unwrap();
    n
}

#[tokio::test]
async fn the_same_note_sent_twice_with_one_key_is_recorded_once_and_both_get_the_same_answer() {
    let app = TestApp::new().await;
    let (mut giulia, case) = fatima_case(&app).await;
    let page = giulia.get(&format!("/cases/{case}")).await;
    assert!(
        page.body.contains("name=\"idem\""),
        "the note form carries a key"
    );
    let before = notes_of(&app, &case).await;
    let fields = [
        ("body", "Telefonato: porta il passaporto"),
        ("idem", "note-key-0001-abcdef"),
    ];
    let first = giulia.post(&format!("/cases/{case}/notes"), &fields).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let second = giulia.post(&format!("/cases/{case}/notes"), &fields).await;
    assert_eq!(second.status, StatusCode::SEE_OTHER, "{}", second.body);
    assert_eq!(second.location(), first.location());
    assert_eq!(
        second
            .headers
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    assert_eq!(notes_of(&app, &case).await, before + 1);
    // A new key is a new note.
    let third = giulia
        .post(
            &format!("/cases/{case}/notes"),
            &[
                ("body", "Telefonato: porta il passaporto"),
                ("idem", "note-key-0002-abcdef"),
            ],
        )
        .await;
    assert_eq!(third.status, StatusCode::SEE_OTHER);
    assert_eq!(notes_of(&app, &case).await, before + 2);
}

#[tokio::test]
async fn two_arrivals_of_one_submission_at_the_same_moment_apply_it_once() {
    let app = TestApp::new().await;
    let (giulia, case) = fatima_case(&app).await;
    let before = notes_of(&app, &case).await;
    let (mut a, mut b) = (
        Client {
            router: giulia.router.clone(),
            cookies: giulia.cookies.clone(),
            csrf: giulia.csrf.clone(),
            lang: None,
        },
        giulia,
    );
    let path = format!("/cases/{case}/notes");
    let fields = [
        ("body", "Nota inviata due volte"),
        ("idem", "same-moment-key-1"),
    ];
    let (ra, rb) = tokio::join!(a.post(&path, &fields), b.post(&path, &fields));
    for r in [&ra, &rb] {
        // Each arrival is either the answer (first or replayed) or "still being handled".
        assert!(
            r.status == StatusCode::SEE_OTHER || r.status == StatusCode::CONFLICT,
            "{} {}",
            r.status,
            r.body
        );
    }
    assert_eq!(notes_of(&app, &case).await, before + 1);
    // Once the first has answered, a repeat gets its answer.
    let again = b.post(&path, &fields).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    assert_eq!(notes_of(&app, &case).await, before + 1);
}

#[tokio::test]
async fn a_refused_submission_frees_its_key_and_a_key_is_not_reused_elsewhere_or_by_others() {
    let app = TestApp::new().await;
    let (mut giulia, case) = fatima_case(&app).await;
    let before = notes_of(&app, &case).await;
    let path = format!("/cases/{case}/notes");
    let empty = giulia
        .post(&path, &[("body", ""), ("idem", "refused-then-sent-1")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = giulia
        .post(
            &path,
            &[("body", "Ora c'è"), ("idem", "refused-then-sent-1")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(notes_of(&app, &case).await, before + 1);
    // The same key for another request is a client's mistake, refused with a message.
    let elsewhere = giulia
        .post(
            "/front-office",
            &[
                ("topics", "permit_renewal"),
                ("language", "it"),
                ("outcome", "informed"),
                ("form_token", "offline-test-token-1"),
                ("idem", "refused-then-sent-1"),
            ],
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        elsewhere
            .headers
            .get("x-error-code")
            .and_then(|v| v.to_str().ok()),
        Some("validation")
    );
    // Another user's identical key is their own.
    let mut chiara = app.client();
    chiara.login_ok("chiara").await;
    let mine = chiara
        .post(
            "/front-office",
            &[
                ("topics", "permit_renewal"),
                ("language", "it"),
                ("outcome", "informed"),
                ("form_token", "offline-test-token-2"),
                ("idem", "refused-then-sent-1"),
            ],
        )
        .await;
    assert_ne!(
        mine.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        mine.body
    );
    assert!(mine.headers.get("idempotent-replayed").is_none());
    // A malformed key is refused before anything is applied.
    let bad = giulia
        .post(&path, &[("body", "x"), ("idem", "short")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(notes_of(&app, &case).await, before + 1);
}

#[tokio::test]
async fn the_api_replays_the_first_answer_to_a_repeated_idempotency_key() {
    let app = TestApp::new().await;
    let (_giulia, case) = fatima_case(&app).await;
    let before = notes_of(&app, &case).await;
    let token = app.token_for("giulia").await;
    let mut c = app.client();
    let send = || {
        Request::builder()
            .method("POST")
            .uri(format!("/api/v1/cases/{case}/notes"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header("Idempotency-Key", "api-key-00000001")
            .body(Body::from(r#"{"body":"Dalla coda offline"}"#))
            .unwrap()
    };
    let first = c.send(send()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let second = c.send(send()).await;
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(second.json(), first.json());
    assert_eq!(notes_of(&app, &case).await, before + 1);
    // The kept answer holds the note: it is sealed, never in clear in the database.
    let kept: Vec<(Option<String>,)> = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT body FROM idempotency_keys"
    )
    .fetch_all(p)
    .await)
    .unwrap();
    assert!(
        kept.iter()
            .all(|(b,)| !b.as_deref().unwrap_or("").contains("Dalla coda offline"))
    );
}

#[tokio::test]
async fn a_booking_sent_twice_keeps_one_booking_and_one_code() {
    let app = TestApp::new().await;
    let (point,): (String,) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT id FROM info_points WHERE name LIKE 'Info point Stazione Termini%'"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    let slot = store::bookings::slots(app.db(), &point)
        .await
        .unwrap()
        .into_iter()
        .find(|s| !s.taken)
        .unwrap()
        .id;
    let mut c = app.client();
    let form = c.get(&format!("/bn/book?point={point}")).await;
    assert!(form.body.contains("name=\"idem\""));
    let fields = [
        ("point", point.as_str()),
        ("slot_id", slot.as_str()),
        ("service", "permit_renewal"),
        ("language", "bn"),
        ("idem", "booking-key-000001"),
    ];
    let first = c.post("/bn/book", &fields).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    // The browser sends the form again (a reload of the answer, a tab restored).
    let again = c.post("/bn/book", &fields).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    assert_eq!(again.location(), first.location());
    let (n,): (i64,) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT COUNT(*) FROM bookings WHERE slot_id = $1"
    )
    .bind(&slot)
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(n, 1);
    let shown = c.get(&first.location()).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("id=\"booking-code\""));
}

#[tokio::test]
async fn an_edit_that_met_a_newer_version_shows_both_field_by_field_and_saves_the_choice() {
    let app = TestApp::new().await;
    let mut a = app.client();
    a.login_ok("chiara").await;
    a.get("/people/new").await;
    let r = a
        .post(
            "/people",
            &[
                ("given_names", "Tesfay"),
                ("family_name", "Gebre"),
                ("birth_date", "2008"),
                ("confirm_new", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = r
        .location()
        .trim_start_matches("/people/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let mut b = app.client();
    b.login_ok("giulia").await;
    a.get(&format!("/people/{id}/edit")).await;
    b.get(&format!("/people/{id}/edit")).await;
    let ra = a
        .post(
            &format!("/people/{id}"),
            &[
                ("given_names", "Tesfaye"),
                ("family_name", "Gebre"),
                ("birth_date", "2008"),
                ("phone", "+39 320 000 2222"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(ra.status, StatusCode::SEE_OTHER, "{}", ra.body);
    // Giulia's edit was queued offline with the version she had: it conflicts.
    let rb = b
        .post(
            &format!("/people/{id}"),
            &[
                ("given_names", "Tesfay"),
                ("family_name", "Gebre"),
                ("birth_date", "2008"),
                ("phone", "+39 320 000 1111"),
                ("version", "1"),
                ("idem", "queued-edit-0001"),
            ],
        )
        .await;
    assert_eq!(rb.status, StatusCode::CONFLICT);
    assert_eq!(
        rb.headers.get("x-error-code").and_then(|v| v.to_str().ok()),
        None,
        "the form itself answers, not the error page"
    );
    for v in ["Tesfay", "Tesfaye", "+39 320 000 1111", "+39 320 000 2222"] {
        assert!(rb.body.contains(v), "{v} shown");
    }
    assert!(rb.body.contains("id=\"conflict\""));
    assert!(rb.body.contains("data-field=\"given_names\""));
    assert!(rb.body.contains("data-field=\"phone\""));
    assert!(!rb.body.contains("data-field=\"family_name\""));
    assert!(rb.body.contains("name=\"version\" value=\"2\""));
    // She keeps the current name and her phone number.
    let saved = b
        .post(
            &format!("/people/{id}"),
            &[
                ("given_names", "Tesfay"),
                ("family_name", "Gebre"),
                ("birth_date", "2008"),
                ("phone", "+39 320 000 1111"),
                ("version", "2"),
                ("pick-given_names", "theirs"),
                ("theirs-given_names", "Tesfaye"),
                ("pick-phone", "yours"),
                ("theirs-phone", "+39 320 000 2222"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = b.get(&format!("/people/{id}/edit")).await;
    assert!(page.body.contains("value=\"Tesfaye\""), "{}", page.body);
    assert!(page.body.contains("value=\"+39 320 000 1111\""));
}

#[tokio::test]
async fn only_public_pages_and_empty_field_forms_may_be_kept_offline() {
    let app = TestApp::new().await;
    let mut anon = app.client();
    let public = anon.get("/ar/").await;
    assert_eq!(
        public
            .headers
            .get("x-sprint-offline")
            .and_then(|v| v.to_str().ok()),
        Some("keep")
    );
    assert!(public.body.contains("id=\"offline-banner\""));
    let sw = anon.get("/sw.js").await;
    assert_eq!(sw.status, StatusCode::OK);
    assert!(sw.body.contains("x-sprint-offline"));
    let manifest = anon.get("/manifest.webmanifest").await;
    assert_eq!(manifest.json()["start_url"], "/");
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    // The front office's list names people: the device keeps the empty form instead.
    let header = |r: &Resp| {
        r.headers
            .get("x-sprint-offline")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let form = giulia.get("/front-office").await;
    assert_eq!(
        header(&form).as_deref(),
        Some("shell=/front-office?shell=1")
    );
    let shell = giulia.get("/front-office?shell=1").await;
    assert_eq!(header(&shell).as_deref(), Some("keep"));
    assert!(shell.body.contains("data-offline"));
    assert!(
        !shell.body.contains("id=\"contacts-today\""),
        "the kept form lists no contact"
    );
    let fatima = person_named(&app, "Fatima Zahra").await;
    let chosen = giulia.get(&format!("/front-office?person={fatima}")).await;
    assert_eq!(
        header(&chosen).as_deref(),
        Some("shell=/front-office?shell=1")
    );
    let record = giulia.get(&format!("/people/{fatima}")).await;
    assert_eq!(record.status, StatusCode::OK);
    assert!(record.headers.get("x-sprint-offline").is_none());
    assert_eq!(
        record
            .headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
}

#[tokio::test]
async fn the_drafts_key_is_the_users_own_and_logout_clears_what_the_browser_kept() {
    let app = TestApp::new().await;
    let mut anon = app.client();
    let none = anon.get("/session/draft-key").await;
    assert_ne!(none.status, StatusCode::OK);
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    let k1 = giulia.get("/session/draft-key").await;
    assert_eq!(k1.status, StatusCode::OK, "{}", k1.body);
    assert_eq!(
        k1.headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let k2 = giulia.get("/session/draft-key").await;
    assert_eq!(
        k1.json(),
        k2.json(),
        "the same key across pages and sessions"
    );
    let mut chiara = app.client();
    chiara.login_ok("chiara").await;
    let other = chiara.get("/session/draft-key").await;
    assert_ne!(other.json()["key"], k1.json()["key"]);
    assert_ne!(other.json()["tag"], k1.json()["tag"]);
    let page = giulia.get("/front-office").await;
    assert!(page.body.contains(&format!(
        "name=\"sprint-user\" content=\"{}\"",
        k1.json()["tag"].as_str().unwrap()
    )));
    let out = giulia.post("/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        out.headers
            .get("clear-site-data")
            .and_then(|v| v.to_str().ok()),
        Some("\"cache\", \"storage\"")
    );
}

#[tokio::test]
async fn the_live_duplicate_check_does_not_spend_the_forms_key() {
    let app = TestApp::new().await;
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    giulia.get("/people/new").await;
    let fields = [
        ("given_names", "Abdoulaye"),
        ("family_name", "Diallo"),
        ("birth_date", "1994"),
        ("nationality", "Senegal"),
        ("idem", "person-form-key-01"),
    ];
    let check = giulia
        .post_with("/people/check", &fields, &[("HX-Request", "true")])
        .await;
    assert_eq!(check.status, StatusCode::OK, "{}", check.body);
    let mut with_confirm = fields.to_vec();
    with_confirm.push(("confirm_new", "yes"));
    let created = giulia.post("/people", &with_confirm).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let again = giulia.post("/people", &with_confirm).await;
    assert_eq!(again.location(), created.location(), "one person, not two");
}

#[tokio::test]
async fn the_pages_script_is_told_where_to_go_instead_of_following_a_redirect() {
    let app = TestApp::new().await;
    let (mut giulia, case) = fatima_case(&app).await;
    let before = notes_of(&app, &case).await;
    let path = format!("/cases/{case}/notes");
    let fields = [("body", "Dal modulo del campo")];
    let headers = [
        ("Idempotency-Key", "script-key-000001"),
        ("X-Sprint-Script", "1"),
    ];
    let first = giulia.post_with(&path, &fields, &headers).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(
        first.json()["location"],
        format!("/cases/{case}?done=note#notes")
    );
    let again = giulia.post_with(&path, &fields, &headers).await;
    assert_eq!(again.json(), first.json());
    assert!(again.headers.get("idempotent-replayed").is_some());
    assert_eq!(notes_of(&app, &case).await, before + 1);
}
