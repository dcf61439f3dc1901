//! The unaccompanied minors hub: intake through the people register, the legal clock by
//! the rule in force on the day of arrival, notices, the presence register, the end of a
//! stay, and who may read a minor's record.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;

use crate::support::*;

fn text_of(pdf: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(pdf)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let n: (i64,) = store::with_pool!(app.db(), |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(p)
            .await
    })
    .unwrap();
    n.0
}

fn now_rome() -> String {
    domain::clock::rome(chrono::Utc::now())
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// The intake form of Yonas, 16, from Eritrea, brought by the police tonight.
fn yonas(arrived_at: &str) -> Vec<(&'static str, String)> {
    vec![
        ("given_names", "Yonas".into()),
        ("family_name", "Tesfamariam".into()),
        ("name_original", "ዮናስ ተስፋማርያም".into()),
        ("sex", "male".into()),
        ("declared_age", "16".into()),
        ("nationality", "Eritrea".into()),
        ("languages", "ti".into()),
        ("arrived_at", arrived_at.into()),
        ("contact_place", "Stazione Tiburtina".into()),
        ("brought_by", "police".into()),
        ("brought_by_detail", "Polfer Tiburtina".into()),
        ("needs", "Ferita al piede da medicare".into()),
    ]
}

async fn take_in(c: &mut Client, fields: &[(&'static str, String)]) -> Resp {
    c.get("/minors/new").await;
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    c.post("/minors", &borrowed).await
}

async fn sara(app: &TestApp) -> Client {
    let mut c = app.client();
    c.login_ok("sara").await;
    c
}

fn minor_id(r: &Resp) -> String {
    let loc = r.location();
    let id = loc
        .strip_prefix("/minors/")
        .and_then(|l| l.split('?').next())
        .unwrap_or_default();
    assert!(!id.is_empty(), "no minor in {loc}");
    id.to_string()
}

#[tokio::test]
async fn a_minor_is_taken_in_and_the_clock_starts_with_the_notices_due_at_once() {
    let app = TestApp::new().await;
    let mut c = sara(&app).await;
    let r = take_in(&mut c, &yonas(&now_rome())).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = minor_id(&r);
    let page = c.get(&r.location()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Minore accolto"));
    assert!(page.body.contains("Yonas Tesfamariam"));
    // The three notices are due today, identification in 10 days, the stay ends in 45.
    let today = domain::clock::today();
    for (term, days) in [
        ("notify_prosecutor", 0),
        ("notify_court", 0),
        ("identification", 10),
        ("first_reception", 45),
    ] {
        let due = (today + chrono::Duration::days(days)).to_string();
        let row = page
            .body
            .split(&format!(r#"id="term-{term}""#))
            .nth(1)
            .and_then(|rest| rest.split("</tr>").next())
            .unwrap_or_else(|| panic!("no row for {term}"));
        assert!(row.contains(&due), "{term}: expected {due} in {row}");
    }
    assert!(
        page.body
            .contains("D.lgs. 142/2015 art. 19 c. 1 come modificato dal DL 133/2023")
    );
    // The declared age became an estimated birth year; the needs are sealed at rest.
    let year = chrono::Datelike::year(&today) - 16;
    let stored: (Option<i32>, Option<String>) = store::with_pool!(app.db(), |p| {
        sqlx::query_as(
            "SELECT birth_year, birth_precision FROM persons WHERE given_names = 'Yonas'",
        )
        .fetch_one(p)
        .await
    })
    .unwrap();
    assert_eq!(stored, (Some(year), Some("estimated".into())));
    let sealed: (Option<String>,) = store::with_pool!(app.db(), |p| {
        sqlx::query_as("SELECT needs_sealed FROM minors WHERE id = $1")
            .bind(&id)
            .fetch_one(p)
            .await
    })
    .unwrap();
    assert!(!sealed.0.unwrap().contains("piede"));
    assert!(page.body.contains("Ferita al piede da medicare"));
    // The hub dashboard lists him, with the notices to send.
    let hub = c.get("/minors").await;
    assert!(hub.body.contains("Yonas Tesfamariam"));
    assert!(
        hub.body
            .contains("Segnalazione alla Procura per i minorenni")
    );
    // The register of presences starts with his entry.
    assert!(
        page.body.contains("Ingresso nell"),
        "the entry is not in the register"
    );
}

#[tokio::test]
async fn a_bad_intake_reports_every_problem_keeps_what_was_typed_and_writes_nothing() {
    let app = TestApp::new().await;
    let mut c = sara(&app).await;
    let persons = count(&app, "SELECT COUNT(*) FROM persons").await;
    let mut f = yonas("2099-01-01T10:00");
    f.retain(|(k, _)| *k != "contact_place");
    f.push(("contact_place", String::new()));
    f.retain(|(k, _)| *k != "declared_age");
    f.push(("declared_age", "19".into()));
    f.push(("pick", "new".into()));
    let r = take_in(&mut c, &f).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    for msg in [
        "La data è nel futuro.",
        "Chi dichiara 18 anni o più non è un minore",
        "Campo obbligatorio",
    ] {
        assert!(r.body.contains(msg), "missing: {msg}");
    }
    assert!(
        r.body.contains("Polfer Tiburtina"),
        "typed values come back"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM persons").await, persons);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM minors").await, 4);
}

#[tokio::test]
async fn a_child_already_in_the_register_is_offered_and_linked_not_registered_twice() {
    let app = TestApp::new().await;
    let mut c = sara(&app).await;
    // The demo has Ahmed Mahmoud, 17, from Egypt: another spelling is offered as a match.
    let mut f = yonas(&now_rome());
    for (k, v) in [
        ("given_names", "Ahmad"),
        ("family_name", "Mahmud"),
        ("name_original", ""),
        ("nationality", "EG"),
        ("declared_age", "17"),
    ] {
        f.retain(|(x, _)| *x != k);
        f.push((k, v.to_string()));
    }
    let r = take_in(&mut c, &f).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("persone simili"));
    let existing: (String,) = store::with_pool!(app.db(), |p| {
        sqlx::query_as(
            "SELECT id FROM persons WHERE given_names = 'Ahmed' AND family_name = 'Mahmoud'",
        )
        .fetch_one(p)
        .await
    })
    .unwrap();
    assert!(r.body.contains(&existing.0));
    // He is still at the hub: linking him again is refused, with the typed values kept.
    let persons = count(&app, "SELECT COUNT(*) FROM persons").await;
    f.push(("pick", existing.0.clone()));
    let again = take_in(&mut c, &f).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(again.body.contains("già presente"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM persons").await, persons);
    // "None of these" registers a new person.
    f.retain(|(k, _)| *k != "pick");
    f.push(("pick", "new".into()));
    let new = take_in(&mut c, &f).await;
    assert_eq!(new.status, StatusCode::SEE_OTHER, "{}", new.body);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM persons").await,
        persons + 1
    );
}

#[tokio::test]
async fn notices_are_recorded_once_dated_between_arrival_and_today() {
    let app = TestApp::new().await;
    let mut c = sara(&app).await;
    let id = minor_id(&take_in(&mut c, &yonas("2026-11-01T23:40")).await);
    let path = format!("/minors/{id}/notifications");
    let early = c
        .post(
            &path,
            &[("recipient", "prosecutor"), ("sent_on", "2026-10-31")],
        )
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(early.body.contains("La data è precedente all"));
    let ok = c
        .post(
            &path,
            &[
                ("recipient", "prosecutor"),
                ("sent_on", "2026-11-02"),
                ("reference", "PEC 4471/2026"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let twice = c
        .post(
            &path,
            &[("recipient", "prosecutor"), ("sent_on", "2026-11-02")],
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    let page = c.get(&format!("/minors/{id}")).await;
    assert!(page.body.contains("PEC 4471/2026"));
    // Sent a day late: done, and the court's is still overdue.
    let row = page.body.split(r#"id="term-notify_court""#).nth(1).unwrap();
    assert!(
        row.split("</tr>")
            .next()
            .unwrap()
            .contains("deadline-overdue")
    );
}

#[tokio::test]
async fn the_notice_to_the_prosecutor_is_a_pdf_with_the_minors_data_in_italian() {
    let app = TestApp::new().await;
    let mut c = sara(&app).await;
    let mut f = yonas("2026-11-20T23:40");
    f.push((
        "accompanying_adult",
        "Zio paterno, Berhane Tesfamariam".into(),
    ));
    f.push(("relatives", "Madre in Eritrea, Asmara".into()));
    let id = minor_id(&take_in(&mut c, &f).await);
    let r = c.get(&format!("/minors/{id}/notices/prosecutor.pdf")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.headers["content-type"], "application/pdf");
    let text = text_of(&r.bytes);
    for expected in [
        "Segnalazione di minore straniero non accompagnato",
        "Procura della Repubblica presso il Tribunale per i minorenni di Roma",
        "art. 19, comma 5",
        "Tesfamariam",
        "Yonas",
        "20/11/2026 23:40",
        "Stazione Tiburtina",
        "Zio paterno, Berhane Tesfamariam",
        "Madre in Eritrea, Asmara",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from: {text}");
    }
    let court = c.get(&format!("/minors/{id}/notices/court.pdf")).await;
    assert!(text_of(&court.bytes).contains("Tribunale per i minorenni di Roma"));
    let other = c.get(&format!("/minors/{id}/notices/police.pdf")).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_the_hub_reads_a_minors_record_and_every_read_is_audited_with_its_purpose() {
    let app = TestApp::new().await;
    let mut c = sara(&app).await;
    let id = minor_id(&take_in(&mut c, &yonas(&now_rome())).await);
    c.get(&format!("/minors/{id}")).await;
    let purposes: Vec<(Option<String>,)> = store::with_pool!(app.db(), |p| {
        sqlx::query_as(
            "SELECT purpose FROM audit_log WHERE action = 'minor.read' AND object_id = $1",
        )
        .bind(&id)
        .fetch_all(p)
        .await
    })
    .unwrap();
    assert!(!purposes.is_empty());
    assert!(
        purposes
            .iter()
            .all(|(p,)| p.as_deref() == Some("minor_care"))
    );
    for user in ["chiara", "marco", "elena", "roberto"] {
        let mut other = app.client();
        other.login_ok(user).await;
        let r = other.get(&format!("/minors/{id}")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
        assert!(!r.body.contains("Tesfamariam"), "{user} saw the minor");
        let list = other.get("/minors").await;
        assert_eq!(list.status, StatusCode::FORBIDDEN, "{user}");
    }
}

#[tokio::test]
async fn ending_the_stay_stops_the_clock_and_a_stale_form_is_a_conflict() {
    let app = TestApp::new().await;
    let mut c = sara(&app).await;
    let id = minor_id(&take_in(&mut c, &yonas("2026-11-01T23:40")).await);
    let out = c
        .post(
            &format!("/minors/{id}/movements"),
            &[
                ("kind", "out"),
                ("at", "2026-11-03T09:00"),
                ("note", "Visita al pronto soccorso"),
            ],
        )
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.body);
    let ended = c
        .post(
            &format!("/minors/{id}/end"),
            &[
                ("status", "transferred"),
                ("left_on", "2026-11-10"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER, "{}", ended.body);
    let page = c.get(&format!("/minors/{id}")).await;
    assert!(page.body.contains("Trasferito in struttura"));
    assert!(page.body.contains("Visita al pronto soccorso"));
    assert!(page.body.contains("Uscita definitiva"));
    let row = page
        .body
        .split(r#"id="term-first_reception""#)
        .nth(1)
        .unwrap();
    assert!(row.split("</tr>").next().unwrap().contains("deadline-done"));
    assert!(!c.get("/minors").await.body.contains("Tesfamariam"));
    let stale = c
        .post(
            &format!("/minors/{id}/end"),
            &[
                ("status", "absconded"),
                ("left_on", "2026-11-10"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_minor_who_arrived_before_6_october_2023_keeps_the_30_day_limit() {
    let app = TestApp::new().await;
    let mut c = sara(&app).await;
    let id = minor_id(&take_in(&mut c, &yonas("2023-10-05T22:00")).await);
    let page = c.get(&format!("/minors/{id}")).await;
    let row = page
        .body
        .split(r#"id="term-first_reception""#)
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert!(row.contains("2023-11-04"), "{row}");
    assert!(row.contains("testo della L. 47/2017"), "{row}");
    let later = minor_id(
        &take_in(&mut c, &{
            let mut f = yonas("2023-10-06T08:00");
            f.retain(|(k, _)| *k != "given_names");
            f.push(("given_names", "Dawit".into()));
            f.push(("pick", "new".into()));
            f
        })
        .await,
    );
    let page = c.get(&format!("/minors/{later}")).await;
    assert!(page.body.contains("2023-11-20"));
}

#[tokio::test]
async fn erasing_a_minors_identity_clears_what_the_intake_recorded_but_keeps_the_dates() {
    let app = TestApp::new().await;
    let mut c = sara(&app).await;
    let mut f = yonas("2026-11-01T23:40");
    f.push(("accompanying_adult", "Zio paterno".into()));
    f.push(("relatives", "Madre ad Asmara".into()));
    let id = minor_id(&take_in(&mut c, &f).await);
    let person: (String,) = store::with_pool!(app.db(), |p| {
        sqlx::query_as("SELECT person_id FROM minors WHERE id = $1")
            .bind(&id)
            .fetch_one(p)
            .await
    })
    .unwrap();
    store::people::pseudonymise(app.db(), &store::Ctx::system("test"), &person.0)
        .await
        .unwrap();
    let row: (String, Option<String>, Option<String>, Option<String>, chrono::NaiveDate) =
        store::with_pool!(app.db(), |p| {
            sqlx::query_as(
                "SELECT contact_place, accompanying_adult, relatives, needs_sealed, arrival_date FROM minors WHERE id = $1",
            )
            .bind(&id)
            .fetch_one(p)
            .await
        })
        .unwrap();
    assert_eq!(row.0, "-");
    assert!(row.1.is_none() && row.2.is_none() && row.3.is_none());
    assert_eq!(row.4.to_string(), "2026-11-01");
}

async fn demo_minor(app: &TestApp, given: &str) -> String {
    let row: (String,) = store::with_pool!(app.db(), |p| {
        sqlx::query_as(
            "SELECT m.id FROM minors m JOIN persons p ON p.id = m.person_id WHERE p.given_names = $1",
        )
        .bind(given)
        .fetch_one(p)
        .await
    })
    .unwrap();
    row.0
}

async fn guardian_named(app: &TestApp, name: &str) -> String {
    let row: (String,) = store::with_pool!(app.db(), |p| {
        sqlx::query_as("SELECT id FROM guardians WHERE full_name = $1")
            .bind(name)
            .fetch_one(p)
            .await
    })
    .unwrap();
    row.0
}

#[tokio::test]
async fn the_interview_needs_a_cultural_mediator_and_its_summary_is_sealed() {
    let app = TestApp::new().await;
    let mut c = sara(&app).await;
    let id = minor_id(&take_in(&mut c, &yonas("2026-11-01T23:40")).await);
    c.get(&format!("/minors/{id}")).await;
    let path = format!("/minors/{id}/interviews");
    let summary = "Racconta il viaggio via Sudan e Libia";
    let without = c
        .post(
            &path,
            &[
                ("held_on", "2026-11-03"),
                ("staff", "Sara Esposito"),
                ("summary", summary),
            ],
        )
        .await;
    assert_eq!(without.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(without.body.contains("Campo obbligatorio."));
    assert!(
        without.body.contains(summary),
        "the typed summary comes back"
    );
    let with = c
        .post(
            &path,
            &[
                ("held_on", "2026-11-03"),
                ("mediator", "Selam Tesfay, mediatrice tigrina"),
                ("language", "ti"),
                ("staff", "Sara Esposito"),
                ("summary", summary),
            ],
        )
        .await;
    assert_eq!(with.status, StatusCode::SEE_OTHER, "{}", with.body);
    let page = c.get(&format!("/minors/{id}")).await;
    assert!(page.body.contains("Selam Tesfay") && page.body.contains(summary));
    let stored: Vec<(Option<String>,)> = store::with_pool!(app.db(), |p| {
        sqlx::query_as("SELECT summary_sealed FROM minor_interviews WHERE minor_id = $1")
            .bind(&id)
            .fetch_all(p)
            .await
    })
    .unwrap();
    assert!(
        stored
            .iter()
            .all(|(s,)| !s.as_deref().unwrap_or("").contains("Libia"))
    );
}

#[tokio::test]
async fn a_guardian_past_the_limit_needs_confirming_and_siblings_count_once() {
    let app = TestApp::new().await;
    let mut c = sara(&app).await;
    // Maria Bianchi follows Abdoulaye and Ahmed (demo); the limit is 3.
    let maria = guardian_named(&app, "Maria Bianchi (demo)").await;
    let bilal = demo_minor(&app, "Bilal").await;
    c.get(&format!("/minors/{bilal}")).await;
    let appoint = |minor: &str| format!("/minors/{minor}/guardian");
    let third = c
        .post(
            &appoint(&bilal),
            &[
                ("guardian_id", &maria),
                ("appointed_on", &domain::clock::today().to_string()),
            ],
        )
        .await;
    assert_eq!(third.status, StatusCode::SEE_OTHER, "{}", third.body);
    // Yonas's sister arrives with him: siblings, counted as one for the guardian.
    let yonas_id = minor_id(&take_in(&mut c, &yonas(&now_rome())).await);
    let mut sister = yonas(&now_rome());
    sister.retain(|(k, _)| *k != "given_names" && *k != "sex");
    sister.push(("given_names", "Saba".into()));
    sister.push(("sex", "female".into()));
    sister.push(("pick", "new".into()));
    let saba = minor_id(&take_in(&mut c, &sister).await);
    c.get(&format!("/minors/{saba}")).await;
    let linked = c
        .post(
            &format!("/minors/{saba}/siblings"),
            &[("sibling_id", &yonas_id)],
        )
        .await;
    assert_eq!(linked.status, StatusCode::SEE_OTHER, "{}", linked.body);
    let today = domain::clock::today().to_string();
    let fourth = c
        .post(
            &appoint(&yonas_id),
            &[("guardian_id", &maria), ("appointed_on", &today)],
        )
        .await;
    assert_eq!(fourth.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fourth.body.contains("numero massimo"));
    assert!(fourth.body.contains(r#"id="confirm_over_limit""#));
    let confirmed = c
        .post(
            &appoint(&yonas_id),
            &[
                ("guardian_id", &maria),
                ("appointed_on", &today),
                ("confirm_over_limit", "on"),
            ],
        )
        .await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.body
    );
    // His sister joins the same guardian without a new warning: still four groups.
    let sister_appointed = c
        .post(
            &appoint(&saba),
            &[("guardian_id", &maria), ("appointed_on", &today)],
        )
        .await;
    assert_eq!(
        sister_appointed.status,
        StatusCode::SEE_OTHER,
        "{}",
        sister_appointed.body
    );
    let register = c.get("/minors/guardians").await;
    let row = register
        .body
        .split("Maria Bianchi (demo)")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert!(row.contains(">4<"), "four groups followed: {row}");
    let audit: Vec<(Option<String>,)> = store::with_pool!(app.db(), |p| {
        sqlx::query_as("SELECT details FROM audit_log WHERE action = 'minor.guardian_appointed' AND object_id = $1")
            .bind(&yonas_id)
            .fetch_all(p)
            .await
    })
    .unwrap();
    assert!(
        audit
            .iter()
            .any(|(d,)| d.as_deref().unwrap_or("").contains(r#""over_limit":true"#))
    );
}

#[tokio::test]
async fn an_ordered_age_assessment_runs_sixty_days_and_a_stale_save_conflicts() {
    let app = TestApp::new().await;
    let mut c = sara(&app).await;
    let id = minor_id(&take_in(&mut c, &yonas("2026-11-01T23:40")).await);
    c.get(&format!("/minors/{id}")).await;
    let path = format!("/minors/{id}/age");
    let bad = c
        .post(
            &path,
            &[
                ("doubt_raised_on", "2026-11-05"),
                ("order_date", "2026-11-04"),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("precedente al dubbio"));
    let ok = c
        .post(
            &path,
            &[
                ("doubt_raised_on", "2026-11-05"),
                ("order_date", "2026-11-06"),
                ("team", "ASL Roma 1, équipe multidisciplinare"),
                ("method", "Colloquio e visita pediatrica"),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let page = c.get(&format!("/minors/{id}")).await;
    let row = page
        .body
        .split(r#"id="term-age_assessment""#)
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert!(row.contains("2027-01-05"), "60 days from the order: {row}");
    let concluded = c
        .post(
            &path,
            &[
                ("doubt_raised_on", "2026-11-05"),
                ("order_date", "2026-11-06"),
                ("outcome", "doubt_minor"),
                ("concluded_on", "2026-11-20"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(
        concluded.status,
        StatusCode::SEE_OTHER,
        "{}",
        concluded.body
    );
    let stale = c
        .post(
            &path,
            &[("doubt_raised_on", "2026-11-05"), ("version", "1")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let page = c.get(&format!("/minors/{id}")).await;
    let row = page
        .body
        .split(r#"id="term-age_assessment""#)
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert!(row.contains("deadline-done"), "{row}");
}

#[tokio::test]
async fn the_social_file_is_a_pdf_with_the_interview_and_guardian_but_not_health_notes() {
    let app = TestApp::new().await;
    let mut c = sara(&app).await;
    let id = demo_minor(&app, "Abdoulaye").await;
    c.get(&format!("/minors/{id}")).await;
    let r = c
        .post(
            &format!("/minors/{id}/health"),
            &[
                ("screened_on", &domain::clock::today().to_string()),
                ("by_whom", "INMP, ambulatorio"),
                ("notes", "Scabbia trattata"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let pdf = c.get(&format!("/minors/{id}/social-file.pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    let text = text_of(&pdf.bytes);
    for expected in [
        "Cartella sociale di Abdoulaye Camara",
        "L. 47/2017 art. 9",
        "Mamadou Diallo, mediatore fula (demo)",
        "chiede di studiare",
        "Maria Bianchi (demo)",
        "INMP, ambulatorio",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from: {text}");
    }
    assert!(!text.contains("Scabbia"), "health notes stay at the hub");
}

#[tokio::test]
async fn a_sim_export_is_recorded_and_marking_it_sent_records_the_census_notices() {
    let app = TestApp::new().await;
    let mut c = sara(&app).await;
    let page = c.get("/minors/sim").await;
    assert!(page.body.contains("conterrà 4 minori"), "{}", page.body);
    // The file holds children's data: no file without a passphrase typed twice alike.
    let short = c
        .post(
            "/minors/sim/export",
            &[("password", "corta"), ("password_again", "corta")],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        short.body.contains("id=\"password-error\""),
        "{}",
        short.body
    );
    c.get("/minors/sim").await;
    let differ = c
        .post(
            "/minors/sim/export",
            &[
                ("password", "censimento settimanale"),
                ("password_again", "censimento mensile!"),
            ],
        )
        .await;
    assert_eq!(differ.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sim_exports").await, 0);
    c.get("/minors/sim").await;
    let file = c
        .post(
            "/minors/sim/export",
            &[
                ("password", "censimento settimanale"),
                ("password_again", "censimento settimanale"),
            ],
        )
        .await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    assert_eq!(file.headers["content-type"], "application/zip");
    let (name, bytes) = crate::support::unzip_encrypted(&file.bytes, "censimento settimanale");
    assert!(name.starts_with("sim-") && name.ends_with(".csv"), "{name}");
    let csv = String::from_utf8(bytes).unwrap();
    assert!(csv.starts_with("id_sprint,cognome,nome,sesso"));
    assert!(csv.contains("Camara,Abdoulaye,M,") && csv.contains("Maria Bianchi (demo)"));
    assert_eq!(
        csv.lines().count(),
        5,
        "the three present and the one who absconded"
    );
    let export: (String, String) = store::with_pool!(app.db(), |p| {
        sqlx::query_as("SELECT id, sha256 FROM sim_exports")
            .fetch_one(p)
            .await
    })
    .unwrap();
    use sha2::Digest;
    assert_eq!(export.1, hex::encode(sha2::Sha256::digest(csv.as_bytes())));
    // Bilal's census notice was not sent; marking the export sent records it.
    let bilal = demo_minor(&app, "Bilal").await;
    c.get("/minors/sim").await;
    let sent = c.post(&format!("/minors/sim/{}/sent", export.0), &[]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let notices = count(
        &app,
        &format!("SELECT COUNT(*) FROM minor_notifications WHERE minor_id = '{bilal}' AND recipient = 'sim'"),
    )
    .await;
    assert_eq!(notices, 1);
    c.get("/minors/sim").await;
    let twice = c.post(&format!("/minors/sim/{}/sent", export.0), &[]).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_tracing_list_puts_missing_reports_first_and_pages_with_a_link_to_all() {
    let app = TestApp::new().await;
    let today = domain::clock::today().to_string();
    let mut c = sara(&app).await;
    let id = minor_id(&take_in(&mut c, &yonas("2026-11-01T23:40")).await);
    c.get(&format!("/minors/{id}")).await;
    let gone = c
        .post(
            &format!("/minors/{id}/end"),
            &[
                ("status", "absconded"),
                ("left_on", &today),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER, "{}", gone.body);
    // Yonas left after the demo's minor, and both reports were made at once.
    let reported = c
        .post(
            &format!("/minors/{id}/reports"),
            &[
                ("police_report_on", &today),
                ("court_report_on", &today),
                ("version", "2"),
            ],
        )
        .await;
    assert_eq!(reported.status, StatusCode::SEE_OTHER, "{}", reported.body);
    let ctx = store::Ctx {
        actor: app.actor_of("sara").await,
        request_id: None,
        purpose: None,
    };
    let (all, total) = store::minor_events::tracing(app.db(), &ctx, None)
        .await
        .unwrap();
    assert!(total >= 2, "the demo's absconded minor and Yonas");
    assert_eq!(all.len() as i64, total);
    let (first, same_total) = store::minor_events::tracing(app.db(), &ctx, Some(1))
        .await
        .unwrap();
    assert_eq!(same_total, total, "the total counts those not listed");
    assert_eq!(first.len(), 1);
    assert_ne!(
        first[0].id, id,
        "reports still to make come before a later absconding"
    );
    assert!(first[0].court_report_on.is_none());
    // The dashboard lists them all while they fit, and answers the link to all of them.
    let hub = c.get("/minors").await;
    assert!(!hub.body.contains(r#"id="tracing-more""#));
    let every = c.get("/minors?tracing=all").await;
    assert_eq!(every.status, StatusCode::OK);
    assert!(every.body.contains("Yonas Tesfamariam"));
}

#[tokio::test]
async fn an_absconded_minor_stays_open_for_tracing_until_reported_and_found() {
    let app = TestApp::new().await;
    let mut c = sara(&app).await;
    let id = minor_id(&take_in(&mut c, &yonas("2026-11-01T23:40")).await);
    c.get(&format!("/minors/{id}")).await;
    let gone = c
        .post(
            &format!("/minors/{id}/end"),
            &[
                ("status", "absconded"),
                ("left_on", "2026-11-08"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER, "{}", gone.body);
    let hub = c.get("/minors").await;
    let tracing = hub.body.split(r#"id="tracing""#).nth(1).unwrap();
    assert!(
        tracing.contains("Yonas Tesfamariam") && tracing.contains("segnalazioni da completare")
    );
    let page = c.get(&format!("/minors/{id}")).await;
    assert!(page.body.contains("La scheda resta aperta per la ricerca"));
    let early = c
        .post(
            &format!("/minors/{id}/reports"),
            &[("police_report_on", "2026-11-07"), ("version", "2")],
        )
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reported = c
        .post(
            &format!("/minors/{id}/reports"),
            &[
                ("police_report_on", "2026-11-08"),
                ("court_report_on", "2026-11-09"),
                ("version", "2"),
            ],
        )
        .await;
    assert_eq!(reported.status, StatusCode::SEE_OTHER, "{}", reported.body);
    let hub = c.get("/minors").await;
    let line = hub
        .body
        .split(r#"id="tracing""#)
        .nth(1)
        .unwrap()
        .split("<li>")
        .find(|l| l.contains("Yonas Tesfamariam"))
        .unwrap()
        .split("</li>")
        .next()
        .unwrap();
    assert!(!line.contains("segnalazioni da completare"), "{line}");
    let back = c
        .post(
            &format!("/minors/{id}/return"),
            &[("returned_at", "2026-11-12T18:00"), ("version", "3")],
        )
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
    let page = c.get(&format!("/minors/{id}")).await;
    assert!(page.body.contains("Presente nell&#x27;hub") || page.body.contains("Presente nell"));
    assert!(page.body.contains("rintracciato"));
    // The register of that day shows the return.
    let register = c.get("/minors/register?day=2026-11-12").await;
    assert!(register.body.contains("Yonas Tesfamariam") && register.body.contains("rintracciato"));
    let bad_day = c.get("/minors/register?day=12/11/2026").await;
    assert_eq!(bad_day.status, StatusCode::OK);
    assert!(bad_day.body.contains("is-invalid"));
}

#[tokio::test]
async fn continued_support_may_be_asked_before_18_and_runs_to_the_21st_birthday() {
    let app = TestApp::new().await;
    let mut c = sara(&app).await;
    let mut f = yonas("2026-11-01T23:40");
    f.retain(|(k, _)| *k != "declared_age");
    f.push(("birth_date", "2009-03-10".into()));
    let id = minor_id(&take_in(&mut c, &f).await);
    let page = c.get(&format!("/minors/{id}")).await;
    assert!(
        page.body.contains(r#"id="majority""#),
        "17 years old: the steps at 18 are shown"
    );
    // Asked before the 18th birthday (10 March 2027): allowed.
    let ok = c
        .post(
            &format!("/minors/{id}/majority"),
            &[
                ("continued_support_requested_on", "2026-11-20"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let page = c.get(&format!("/minors/{id}")).await;
    assert!(page.body.contains(r#"value="2026-11-20""#));
    let stale = c
        .post(
            &format!("/minors/{id}/majority"),
            &[
                ("labour_opinion_requested_on", "2026-11-21"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let minor = store::minors::get_minor(app.db(), &store::Ctx::system("test"), &id)
        .await
        .unwrap()
        .minor;
    assert_eq!(
        store::minor_events::twenty_first_birthday(&minor)
            .unwrap()
            .to_string(),
        "2030-03-10"
    );
}

#[tokio::test]
async fn analysts_see_the_minors_figures_with_small_counts_hidden_and_no_record() {
    let app = TestApp::new().await;
    let mut elena = app.client();
    elena.login_ok("elena").await;
    let page = elena.get("/minors/counts").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    // Three present in the demo: shown as "<5"; no name anywhere.
    assert!(
        page.body.contains(r#"<dd id="count-present">&#60;5</dd>"#),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Abdoulaye") && !page.body.contains("Camara"));
    assert_eq!(elena.get("/minors").await.status, StatusCode::FORBIDDEN);
    let token = app.token_for("sara").await;
    let mut c = app.client();
    let reg = c.api("GET", "/api/v1/minors/register", &token, None).await;
    assert_eq!(reg.status, StatusCode::OK, "{}", reg.body);
    assert_eq!(reg.json()["present"], 3);
    let bad = c
        .api("GET", "/api/v1/minors/register?day=26/11", &token, None)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}
