//! What a case gathers: sealed notes, appointments, sealed documents with type and size
//! checks, transfers of ownership, and referrals completed with an outcome.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;

use crate::cases::{open_case, person_named, prefettura};
use crate::support::*;

async fn cri(app: &TestApp) -> String {
    store::account::find_org_by_name(
        app.db(),
        "Croce Rossa Italiana – Comitato Area Metropolitana di Roma Capitale",
    )
    .await
    .unwrap()
    .unwrap()
    .id
}

async fn referral_of(app: &TestApp, case: &str) -> String {
    store::with_pool!(app.db(), |p| {
        sqlx::query_as::<_, (String,)>(
            "SELECT id FROM referrals WHERE case_id = $1 ORDER BY created_at DESC",
        )
        .bind(case)
        .fetch_one(p)
        .await
    })
    .unwrap()
    .0
}

/// Giulia (Programma Integra) opens a case for Fatima, who consented to sharing.
pub async fn fatima_case(app: &TestApp) -> (Client, String) {
    let fatima = person_named(app, "Fatima Zahra").await;
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    let case = open_case(&mut giulia, &fatima, "permit_renewal", "2026-10-01").await;
    giulia.get(&format!("/cases/{case}")).await;
    (giulia, case)
}

#[tokio::test]
async fn a_note_is_sealed_in_the_database_and_shown_only_to_those_who_see_the_case() {
    let app = TestApp::new().await;
    let (mut giulia, case) = fatima_case(&app).await;
    let secret = "Racconta di violenze subite durante il viaggio in Libia";
    let r = giulia
        .post(&format!("/cases/{case}/notes"), &[("body", secret)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = giulia.get(&format!("/cases/{case}")).await;
    assert!(page.body.contains(secret));
    // The database holds ciphertext only, and the timeline says a note was added, not what.
    let stored: Vec<(String,)> = store::with_pool!(app.db(), |p| {
        sqlx::query_as("SELECT sealed FROM case_notes")
            .fetch_all(p)
            .await
    })
    .unwrap();
    assert!(!stored.is_empty());
    assert!(stored.iter().all(|(s,)| !s.contains("Libia")));
    let events: Vec<(Option<String>,)> = store::with_pool!(app.db(), |p| {
        sqlx::query_as("SELECT detail FROM case_events")
            .fetch_all(p)
            .await
    })
    .unwrap();
    assert!(
        events
            .iter()
            .all(|(d,)| !d.as_deref().unwrap_or("").contains("Libia"))
    );
    // Another organisation without a referral sees nothing.
    let mut sara = app.client();
    sara.login_ok("sara").await;
    let other = sara.get(&format!("/cases/{case}")).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    assert!(!other.body.contains("Libia"));
}

#[tokio::test]
async fn an_empty_or_too_long_note_is_refused_and_what_was_typed_comes_back() {
    let app = TestApp::new().await;
    let (mut giulia, case) = fatima_case(&app).await;
    let empty = giulia
        .post(&format!("/cases/{case}/notes"), &[("body", "   ")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let long = format!("inizio {}", "x".repeat(4100));
    let r = giulia
        .post(&format!("/cases/{case}/notes"), &[("body", &long)])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains(&long), "the typed note is kept in the form");
}

#[tokio::test]
async fn an_appointment_is_planned_shown_in_the_week_and_answered_once() {
    let app = TestApp::new().await;
    let (mut giulia, case) = fatima_case(&app).await;
    let when = (chrono::Utc::now().date_naive() + chrono::Duration::days(2))
        .format("%Y-%m-%dT09:15")
        .to_string();
    let bad = giulia
        .post(
            &format!("/cases/{case}/appointments"),
            &[
                ("starts_at", "domani"),
                ("place", "Questura, via Teofilo Patini"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Questura, via Teofilo Patini"));
    let ok = giulia
        .post(
            &format!("/cases/{case}/appointments"),
            &[
                ("starts_at", &when),
                ("place", "Questura, via Teofilo Patini"),
                ("purpose", "Impronte"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let list = giulia.get("/cases").await;
    assert!(
        list.body.contains("Questura, via Teofilo Patini"),
        "{}",
        list.body
    );
    let id: (String,) = store::with_pool!(app.db(), |p| {
        sqlx::query_as("SELECT id FROM case_appointments WHERE case_id = $1")
            .bind(&case)
            .fetch_one(p)
            .await
    })
    .unwrap();
    giulia.get(&format!("/cases/{case}")).await;
    let done = giulia
        .post(
            &format!("/cases/{case}/appointments/{}/status", id.0),
            &[("status", "done")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let again = giulia
        .post(
            &format!("/cases/{case}/appointments/{}/status", id.0),
            &[("status", "missed")],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_document_is_checked_sealed_and_downloadable_only_by_those_who_see_the_case() {
    let app = TestApp::new().await;
    let (mut giulia, case) = fatima_case(&app).await;
    // The type comes from the bytes: an executable named like a PDF is refused.
    let fake = giulia
        .post_multipart(
            &format!("/cases/{case}/documents"),
            &[("title", "Passaporto")],
            Some(("passaporto.pdf", b"MZ\x90\x00\x03\x00\x00\x00 not a pdf")),
        )
        .await;
    assert_eq!(
        fake.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        fake.body
    );
    assert!(fake.body.contains("Passaporto"), "the title is kept");
    // The file field far down the page is marked and takes the focus, and the summary at
    // the top links to it; the task form's own "title" field is left alone.
    assert!(
        fake.body
            .contains(r#"id="file" aria-invalid="true" autofocus"#),
        "{}",
        fake.body
    );
    assert!(fake.body.contains(r##"<a href="#file">"##));
    assert!(!fake.body.contains(r#"id="title" aria-invalid"#));
    let empty = giulia
        .post_multipart(
            &format!("/cases/{case}/documents"),
            &[("title", "Vuoto")],
            Some(("vuoto.pdf", b"")),
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Without the form token the upload is refused.
    let token = giulia.csrf.take();
    let forged = giulia
        .post_multipart(
            &format!("/cases/{case}/documents"),
            &[("title", "x")],
            Some(("x.pdf", TINY_PDF)),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    giulia.csrf = token;
    let ok = giulia
        .post_multipart(
            &format!("/cases/{case}/documents"),
            &[("title", "Passaporto, prima pagina")],
            Some(("../../etc/passaporto\".pdf", TINY_PDF)),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let (doc, sealed, filename): (String, String, String) = store::with_pool!(app.db(), |p| {
        sqlx::query_as("SELECT id, sealed, filename FROM case_documents WHERE case_id = $1")
            .bind(&case)
            .fetch_one(p)
            .await
    })
    .unwrap();
    assert!(!sealed.contains("PDF-1.4"), "the content is sealed at rest");
    assert_eq!(filename, "passaporto.pdf");
    let page = giulia.get(&format!("/cases/{case}")).await;
    assert!(page.body.contains("Passaporto, prima pagina"));
    let dl = giulia.get(&format!("/cases/{case}/documents/{doc}")).await;
    assert_eq!(dl.status, StatusCode::OK);
    assert_eq!(dl.bytes, TINY_PDF);
    assert_eq!(dl.headers["content-type"], "application/pdf");
    assert!(
        dl.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(dl.headers["cache-control"], "private, no-store");
    // Every download is audited.
    let reads: (i64,) = store::with_pool!(app.db(), |p| {
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = 'case.document_read'")
            .fetch_one(p)
            .await
    })
    .unwrap();
    assert_eq!(reads.0, 1);
    // Another organisation cannot download it, nor guess it through another case.
    let mut sara = app.client();
    sara.login_ok("sara").await;
    assert_eq!(
        sara.get(&format!("/cases/{case}/documents/{doc}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Removing destroys the content and keeps the fact in the timeline.
    let rm = giulia
        .post(&format!("/cases/{case}/documents/{doc}/remove"), &[])
        .await;
    assert_eq!(rm.status, StatusCode::SEE_OTHER);
    assert_eq!(
        giulia
            .get(&format!("/cases/{case}/documents/{doc}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let gone: (Option<String>,) = store::with_pool!(app.db(), |p| {
        sqlx::query_as("SELECT sealed FROM case_documents WHERE id = $1")
            .bind(&doc)
            .fetch_one(p)
            .await
    })
    .unwrap();
    assert!(gone.0.is_none());
}

#[tokio::test]
async fn a_document_over_the_size_limit_is_refused_with_a_clear_message() {
    let mut settings = test_settings();
    settings.max_document_bytes = 1024;
    let tdb = TestDb::with_settings(settings).await;
    store::demo::seed(&tdb.db).await.unwrap();
    let state = web::AppState::new(tdb.db.clone(), web::WebConfig::default());
    let app = TestApp { tdb, state };
    let (mut giulia, case) = fatima_case(&app).await;
    let mut big = TINY_PDF.to_vec();
    big.extend(std::iter::repeat_n(b' ', 2000));
    let r = giulia
        .post_multipart(
            &format!("/cases/{case}/documents"),
            &[("title", "Troppo grande")],
            Some(("grande.pdf", &big)),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("troppo grande"));
}

#[tokio::test]
async fn a_transfer_moves_the_case_to_the_receiver_once_accepted() {
    let app = TestApp::new().await;
    let (mut giulia, case) = fatima_case(&app).await;
    let pref = prefettura(&app).await;
    let sent = giulia
        .post(
            &format!("/cases/{case}/referrals"),
            &[
                ("kind", "transfer"),
                ("to_org", &pref),
                ("note", "Competenza della Prefettura"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    // A second hand-over while one waits is refused.
    giulia.get(&format!("/cases/{case}")).await;
    let twice = giulia
        .post(
            &format!("/cases/{case}/referrals"),
            &[("kind", "transfer"), ("to_org", &cri(&app).await)],
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    let referral = referral_of(&app, &case).await;
    let mut marco = app.client();
    marco.login_ok("marco").await;
    marco.get("/cases").await;
    let acc = marco
        .post(&format!("/referrals/{referral}/accept"), &[("answer", "")])
        .await;
    assert_eq!(acc.status, StatusCode::SEE_OTHER, "{}", acc.body);
    let owner: (String, Option<String>) = store::with_pool!(app.db(), |p| {
        sqlx::query_as("SELECT owner_org_id, assigned_to FROM cases WHERE id = $1")
            .bind(&case)
            .fetch_one(p)
            .await
    })
    .unwrap();
    assert_eq!(owner.0, pref);
    assert!(
        owner.1.is_none(),
        "the receiver assigns it to its own staff"
    );
    // The sender no longer works on it.
    let after = giulia.get(&format!("/cases/{case}")).await;
    assert_eq!(after.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_transfer_needs_consent_and_only_the_owner_hands_a_case_over() {
    let app = TestApp::new().await;
    let amina = person_named(&app, "Amina").await;
    let mut chiara = app.client();
    chiara.login_ok("chiara").await;
    let case = open_case(&mut chiara, &amina, "permit_renewal", "").await;
    chiara.get(&format!("/cases/{case}")).await;
    let pref = prefettura(&app).await;
    let blocked = chiara
        .post(
            &format!("/cases/{case}/referrals"),
            &[("kind", "transfer"), ("to_org", &pref)],
        )
        .await;
    assert_eq!(blocked.status, StatusCode::UNPROCESSABLE_ENTITY);
    let n: (i64,) = store::with_pool!(app.db(), |p| {
        sqlx::query_as("SELECT COUNT(*) FROM referrals WHERE case_id = $1")
            .bind(&case)
            .fetch_one(p)
            .await
    })
    .unwrap();
    assert_eq!(n.0, 0);

    // A helping organisation (accepted referral) cannot give the case away.
    let (mut giulia, fcase) = fatima_case(&app).await;
    giulia
        .post(&format!("/cases/{fcase}/referrals"), &[("to_org", &pref)])
        .await;
    let referral = referral_of(&app, &fcase).await;
    let mut marco = app.client();
    marco.login_ok("marco").await;
    marco.get("/cases").await;
    marco
        .post(&format!("/referrals/{referral}/accept"), &[("answer", "")])
        .await;
    marco.get(&format!("/cases/{fcase}")).await;
    let grab = marco
        .post(
            &format!("/cases/{fcase}/referrals"),
            &[("kind", "transfer"), ("to_org", &cri(&app).await)],
        )
        .await;
    assert_eq!(grab.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_receiver_completes_an_accepted_referral_with_an_outcome_and_keeps_reading_it() {
    let app = TestApp::new().await;
    let (mut giulia, case) = fatima_case(&app).await;
    let pref = prefettura(&app).await;
    giulia
        .post(&format!("/cases/{case}/referrals"), &[("to_org", &pref)])
        .await;
    let referral = referral_of(&app, &case).await;
    let mut marco = app.client();
    marco.login_ok("marco").await;
    marco.get("/cases").await;
    // Not before it is accepted.
    let early = marco
        .post(
            &format!("/referrals/{referral}/complete"),
            &[("outcome", "x")],
        )
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    marco
        .post(&format!("/referrals/{referral}/accept"), &[("answer", "")])
        .await;
    marco.get(&format!("/cases/{case}")).await;
    let no_outcome = marco
        .post(
            &format!("/referrals/{referral}/complete"),
            &[("outcome", " ")],
        )
        .await;
    assert_eq!(no_outcome.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The sender cannot complete it for the receiver.
    let wrong = giulia
        .post(
            &format!("/referrals/{referral}/complete"),
            &[("outcome", "fatto")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let done = marco
        .post(
            &format!("/referrals/{referral}/complete"),
            &[("outcome", "Nulla osta rilasciato il 20/11")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = marco.get(&format!("/cases/{case}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Nulla osta rilasciato il 20/11"));
    assert!(
        giulia
            .get(&format!("/cases/{case}"))
            .await
            .body
            .contains("Nulla osta rilasciato il 20/11")
    );
}

#[tokio::test]
async fn the_api_adds_notes_appointments_and_documents_and_downloads_them() {
    let app = TestApp::new().await;
    let (_giulia, case) = fatima_case(&app).await;
    let token = app.token_for("giulia").await;
    let mut c = app.client();
    let n = c
        .api(
            "POST",
            &format!("/api/v1/cases/{case}/notes"),
            &token,
            Some(r#"{"body":"Telefonato il 25/11"}"#),
        )
        .await;
    assert_eq!(n.status, StatusCode::CREATED, "{}", n.body);
    assert_eq!(n.json()["notes"][0]["body"], "Telefonato il 25/11");
    let a = c
        .api(
            "POST",
            &format!("/api/v1/cases/{case}/appointments"),
            &token,
            Some(r#"{"starts_at":"2026-12-03T10:00","place":"Sportello Unico"}"#),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    assert_eq!(a.json()["appointments"][0]["status"], "planned");
    let bad = c
        .api(
            "POST",
            &format!("/api/v1/cases/{case}/appointments"),
            &token,
            Some(r#"{"starts_at":"3 dicembre","place":""}"#),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = bad.json()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect();
    assert!(fields.contains(&"starts_at".to_string()) && fields.contains(&"place".to_string()));
    let up = c
        .api_multipart(
            &format!("/api/v1/cases/{case}/documents"),
            &token,
            &[("title", "Contratto di affitto")],
            Some(("contratto.pdf", TINY_PDF)),
        )
        .await;
    assert_eq!(up.status, StatusCode::CREATED, "{}", up.body);
    let doc = up.json()["id"].as_str().unwrap().to_string();
    assert_eq!(up.json()["media_type"], "application/pdf");
    let dl = c
        .api(
            "GET",
            &format!("/api/v1/cases/{case}/documents/{doc}"),
            &token,
            None,
        )
        .await;
    assert_eq!(dl.status, StatusCode::OK);
    assert_eq!(dl.bytes, TINY_PDF);
    let png_as_json = c
        .api(
            "POST",
            &format!("/api/v1/cases/{case}/documents"),
            &token,
            Some("{}"),
        )
        .await;
    assert_eq!(png_as_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn erasing_a_person_destroys_notes_and_documents_of_their_cases() {
    let app = TestApp::new().await;
    let (mut giulia, case) = fatima_case(&app).await;
    giulia
        .post(
            &format!("/cases/{case}/notes"),
            &[("body", "Nota riservata")],
        )
        .await;
    giulia.get(&format!("/cases/{case}")).await;
    giulia
        .post_multipart(
            &format!("/cases/{case}/documents"),
            &[("title", "Passaporto di Fatima")],
            Some(("p.pdf", TINY_PDF)),
        )
        .await;
    let fatima = person_named(&app, "Fatima Zahra").await;
    let ctx = store::Ctx::system("test");
    store::people::pseudonymise(app.db(), &ctx, &fatima)
        .await
        .unwrap();
    let notes: (i64,) = store::with_pool!(app.db(), |p| {
        sqlx::query_as("SELECT COUNT(*) FROM case_notes n JOIN cases c ON c.id = n.case_id WHERE c.person_id = $1")
            .bind(&fatima)
            .fetch_one(p)
            .await
    })
    .unwrap();
    assert_eq!(notes.0, 0);
    let docs: Vec<(Option<String>, String)> = store::with_pool!(app.db(), |p| {
        sqlx::query_as("SELECT d.sealed, d.title FROM case_documents d JOIN cases c ON c.id = d.case_id WHERE c.person_id = $1")
            .bind(&fatima)
            .fetch_all(p)
            .await
    })
    .unwrap();
    assert!(!docs.is_empty());
    assert!(docs.iter().all(|(s, t)| s.is_none() && t == "-"));
}
