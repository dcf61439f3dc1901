//! Trainings: a patronato operator completes a course (survey, certificate), the code
//! verifies on the public page and a forged one does not; the rules before a certificate.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;

use crate::support::*;

fn pdf_text(pdf: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(pdf)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The demo course on the work clearance.
async fn demo_course(app: &TestApp) -> String {
    let (id,): (String,) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT id FROM courses WHERE audience = 'patronati' LIMIT 1"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    id
}

#[tokio::test]
async fn a_patronato_operator_answers_the_survey_downloads_the_certificate_and_its_code_verifies() {
    let app = TestApp::new().await;
    let course = demo_course(&app).await;
    let mut luca = app.client();
    luca.login_ok("luca").await;
    let list = luca.get("/trainings").await;
    assert!(list.body.contains(&format!("/trainings/{course}")));

    // Not before the survey.
    let r = luca
        .get(&format!("/trainings/{course}/certificate.pdf"))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = luca
        .post(&format!("/trainings/{course}/survey"), &[("useful", "yes")])
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a rating is needed"
    );
    let r = luca
        .post(
            &format!("/trainings/{course}/survey"),
            &[
                ("useful", "yes"),
                ("rating", "5"),
                ("comment", "Chiaro e pratico"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    let pdf = luca
        .get(&format!("/trainings/{course}/certificate.pdf"))
        .await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.body);
    let text = pdf_text(&pdf.bytes);
    assert!(text.contains("Luca Moretti"), "{text}");
    assert!(text.contains("Decreto flussi 2026"));
    assert!(text.contains("6.0"), "two sessions of three hours: {text}");
    let (code,): (String,) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT c.code FROM certificates c JOIN enrolments e ON e.id = c.enrolment_id WHERE e.full_name = 'Luca Moretti'"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert!(text.contains(&code));
    // Asking again gives the same certificate, not a second one.
    let again = luca
        .get(&format!("/trainings/{course}/certificate.pdf"))
        .await;
    assert_eq!(again.status, StatusCode::OK);
    let (n,): (i64,) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT COUNT(*) FROM certificates c JOIN enrolments e ON e.id = c.enrolment_id WHERE e.full_name = 'Luca Moretti'"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(n, 1);

    // Anyone checks it, however the code is typed.
    let mut anyone = app.client();
    let typed = code.to_lowercase().replace('-', " ");
    let ok = anyone
        .get(&format!("/verify?code={}", typed.replace(' ', "+")))
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(ok.body.contains("Luca Moretti"));
    assert!(ok.body.contains("Decreto flussi 2026"));
    // A forged code (one character changed) matches nothing and shows nothing.
    let mut forged: Vec<char> = code.chars().collect();
    forged[0] = if forged[0] == '7' { '8' } else { '7' };
    let forged: String = forged.into_iter().collect();
    let bad = anyone.get(&format!("/verify?code={forged}")).await;
    assert_eq!(bad.status, StatusCode::NOT_FOUND);
    assert!(!bad.body.contains("Luca Moretti"));
}

#[tokio::test]
async fn too_little_attendance_gets_no_certificate_and_wrong_codes_are_limited() {
    let app = TestApp::new().await;
    let course = demo_course(&app).await;
    let (samira,): (String,) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT id FROM enrolments WHERE full_name = 'Samira Haddad'"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    let mut davide = app.client();
    davide.login_ok("davide").await;
    let r = davide
        .get(&format!(
            "/trainings/{course}/certificate.pdf?enrolment={samira}"
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Someone else's certificate is the trainer's to print, not another participant's.
    let mut luca = app.client();
    luca.login_ok("luca").await;
    let r = luca
        .get(&format!(
            "/trainings/{course}/certificate.pdf?enrolment={samira}"
        ))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A person not enrolled does not see the course.
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    assert_eq!(
        giulia.get(&format!("/trainings/{course}")).await.status,
        StatusCode::NOT_FOUND
    );

    let mut guesser = app.client();
    let mut last = StatusCode::OK;
    for i in 0..25 {
        last = guesser
            .get(&format!("/verify?code=AAAA-BBBB-{i:04}"))
            .await
            .status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn the_trainer_records_attendance_and_sessions_with_clear_errors() {
    let app = TestApp::new().await;
    let mut davide = app.client();
    davide.login_ok("davide").await;
    let r = davide
        .post(
            "/trainings",
            &[
                ("title", "Corso di prova"),
                ("audience", "operators"),
                ("min_attendance_pct", "150"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Corso di prova"), "typed title kept");
    let r = davide
        .post(
            "/trainings",
            &[
                ("title", "Corso di prova"),
                ("audience", "operators"),
                ("min_attendance_pct", "80"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let id = r
        .location()
        .split('/')
        .nth(2)
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    // On the job needs the managing body visited.
    let r = davide
        .post(
            &format!("/trainings/{id}/sessions"),
            &[
                ("starts_at", "2026-11-02T10:00"),
                ("minutes", "120"),
                ("kind", "on_the_job"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = davide
        .post(
            &format!("/trainings/{id}/sessions"),
            &[
                ("starts_at", "2026-11-02T10:00"),
                ("minutes", "120"),
                ("kind", "classroom"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let luca = app.user_id("luca").await;
    let r = davide
        .post(
            &format!("/trainings/{id}/enrolments"),
            &[("user_id", luca.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = davide
        .post(
            &format!("/trainings/{id}/enrolments"),
            &[("user_id", luca.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "enrolled once");
    // Others do not run courses.
    let mut luca_c = app.client();
    luca_c.login_ok("luca").await;
    let r = luca_c
        .post("/trainings", &[("title", "X"), ("audience", "operators")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
