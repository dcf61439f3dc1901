//! The info point's front office: a contact logged in one short form, the same form sent
//! twice counted once, topics required, and a person linked only if the operator may see them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;

use crate::cases::person_named;
use crate::support::*;

fn token_of(page: &Resp) -> String {
    page.body
        .split("name=\"form_token\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string()
}

/// Contacts logged by the tests (the demo's past season is not counted).
async fn count(app: &TestApp) -> i64 {
    let (n,): (i64,) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT COUNT(*) FROM contacts WHERE form_token NOT LIKE 'demo-%'"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    n
}

#[tokio::test]
async fn an_anonymous_contact_is_logged_once_even_if_the_form_arrives_twice() {
    let app = TestApp::new().await;
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    let page = giulia.get("/front-office").await;
    assert_eq!(page.status, StatusCode::OK);
    let token = token_of(&page);
    let fields = [
        ("topics", "permit_renewal"),
        ("language", "bn"),
        ("outcome", "informed"),
        ("digital", "spid"),
        ("form_token", token.as_str()),
    ];
    let r = giulia.post("/front-office", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let again = giulia.post("/front-office", &fields).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(count(&app).await, 1);
    let list = giulia.get("/front-office").await;
    assert!(list.body.contains("Permesso di soggiorno: rinnovo"));
    assert!(list.body.contains("বাংলা"));
    assert!(list.body.contains("Attivazione SPID"));
    assert!(list.body.contains("Giulia Romano"));
    // The next form offers the language used last.
    assert!(
        list.body
            .contains(r#"<option value="bn" lang="bn" selected>"#)
    );
}

#[tokio::test]
async fn a_contact_without_a_topic_is_refused_and_keeps_what_was_chosen() {
    let app = TestApp::new().await;
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    let page = giulia.get("/front-office").await;
    let r = giulia
        .post(
            "/front-office",
            &[
                ("language", "ar"),
                ("outcome", "referred"),
                ("digital", "pagopa"),
                ("form_token", &token_of(&page)),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Scegli almeno un argomento."));
    assert!(r.body.contains(r#"value="referred" checked"#));
    assert!(r.body.contains(r#"value="pagopa" checked"#));
    let odd = giulia
        .post(
            "/front-office",
            &[
                ("topics", "time_travel"),
                ("language", "xx"),
                ("outcome", "informed"),
                ("form_token", &token_of(&page)),
            ],
        )
        .await;
    assert_eq!(odd.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count(&app).await, 0);
}

#[tokio::test]
async fn a_contact_is_linked_only_to_a_person_the_operator_may_see() {
    let app = TestApp::new().await;
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    let fatima = person_named(&app, "Fatima Zahra").await;
    let page = giulia.get(&format!("/front-office?person={fatima}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Fatima Zahra"));
    let r = giulia
        .post(
            "/front-office",
            &[
                ("person_id", &fatima),
                ("topics", "family_reunification"),
                ("language", "ar"),
                ("outcome", "appointment"),
                ("form_token", &token_of(&page)),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let list = giulia.get("/front-office").await;
    assert!(list.body.contains(&format!("/people/{fatima}")));
    // Someone registered by a patronato is not within Programma Integra's reach.
    let rakibul = person_named(&app, "Mohammad Rakibul").await;
    let page = giulia.get("/front-office").await;
    let refused = giulia
        .post(
            "/front-office",
            &[
                ("person_id", &rakibul),
                ("topics", "permit_renewal"),
                ("language", "bn"),
                ("outcome", "informed"),
                ("form_token", &token_of(&page)),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // Case workers and centre managers do not hold the front office.
    let mut anna = app.client();
    anna.login_ok("anna").await;
    assert_eq!(
        anna.get("/front-office").await.status,
        StatusCode::FORBIDDEN
    );
}
