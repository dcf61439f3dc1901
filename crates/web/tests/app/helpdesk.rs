//! The patronati helpdesk: a question asked, answered with its time tracked, turned into a
//! knowledge-base entry that everyone finds; who sees which questions.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;

use crate::support::*;

fn hidden(page: &Resp, name: &str) -> String {
    page.body
        .split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_question_is_answered_and_becomes_a_knowledge_base_entry_everyone_finds() {
    let app = TestApp::new().await;
    let mut luca = app.client();
    luca.login_ok("luca").await;
    let r = luca
        .post(
            "/helpdesk",
            &[
                ("procedure_code", "citizenship_residence"),
                (
                    "subject",
                    "Cittadinanza: il certificato penale del paese di nascita scaduto",
                ),
                (
                    "body",
                    "Il certificato ha più di sei mesi. Va rifatto prima della domanda?",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = r
        .location()
        .split('/')
        .nth(2)
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let mine = luca.get("/helpdesk").await;
    assert!(
        mine.body
            .contains("il certificato penale del paese di nascita scaduto")
    );

    // Another organisation's operator neither lists nor opens it.
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    assert!(
        !giulia
            .get("/helpdesk")
            .await
            .body
            .contains("certificato penale del paese")
    );
    assert_eq!(
        giulia.get(&format!("/helpdesk/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    // The asker does not answer.
    let r = luca
        .post(
            &format!("/helpdesk/{id}/answer"),
            &[("version", "1"), ("answer", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let mut marco = app.client();
    marco.login_ok("marco").await;
    let page = marco.get(&format!("/helpdesk/{id}")).await;
    let version = hidden(&page, "version");
    let reply = "Sì: il certificato penale deve avere meno di sei mesi alla data della domanda; va richiesto di nuovo e legalizzato.";
    let r = marco
        .post(
            &format!("/helpdesk/{id}/answer"),
            &[("version", version.as_str()), ("answer", reply)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let stale = marco
        .post(
            &format!("/helpdesk/{id}/answer"),
            &[("version", version.as_str()), ("answer", "Altro")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("Altro"), "typed answer kept");
    let seen = luca.get(&format!("/helpdesk/{id}")).await;
    assert!(seen.body.contains("meno di sei mesi"));

    let r = marco
        .post(
            &format!("/helpdesk/{id}/kb"),
            &[
                ("procedure_code", "citizenship_residence"),
                (
                    "question",
                    "Cittadinanza: il certificato penale deve essere recente?",
                ),
                ("answer", reply),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let kb = r.location();
    // Once only: a second publication points at the same entry.
    let again = marco
        .post(
            &format!("/helpdesk/{id}/kb"),
            &[("question", "Doppione"), ("answer", reply)],
        )
        .await;
    assert_eq!(again.location().split('?').next(), kb.split('?').next());

    // Everyone signed in finds it, accents and case aside.
    let mut paolo = app.client();
    paolo.login_ok("paolo").await;
    let found = paolo.get("/kb?q=CITTADINANZA+penale").await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(
        found
            .body
            .contains("il certificato penale deve essere recente?")
    );
    let by_proc = paolo.get("/kb?procedure=family_reunification").await;
    assert!(
        !by_proc
            .body
            .contains("certificato penale deve essere recente")
    );
    assert!(
        by_proc.body.contains("idoneità alloggiativa"),
        "the demo entry"
    );
}

#[tokio::test]
async fn the_answerers_see_response_times_and_bad_questions_come_back_with_their_text() {
    let app = TestApp::new().await;
    let mut marco = app.client();
    marco.login_ok("marco").await;
    let list = marco.get("/helpdesk").await;
    // The demo question was answered 26 hours after it was asked.
    assert!(list.body.contains("26.0"), "{}", list.body);
    assert!(list.body.contains("id=\"response-times\""));

    let mut luca = app.client();
    luca.login_ok("luca").await;
    let r = luca
        .post(
            "/helpdesk",
            &[("subject", ""), ("body", "Testo della domanda")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Testo della domanda"));

    let mut elena = app.client();
    elena.login_ok("elena").await;
    assert_eq!(elena.get("/helpdesk").await.status, StatusCode::FORBIDDEN);
}
