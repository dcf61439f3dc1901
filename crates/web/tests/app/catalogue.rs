//! The catalogue editor: procedures saved as versions with stale saves refused, and legal
//! terms changed only by adding a version from a date, so earlier applications keep theirs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;

use crate::support::*;

fn form<'a>(version: &'a str, name_en: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("version", version),
        ("category", "family"),
        ("name_it", "Ricongiungimento familiare (nulla osta)"),
        ("name_en", name_en),
        ("offices", "Sportello Unico per l'Immigrazione"),
        ("term_code", "family_reunification_decision"),
        ("active", "on"),
        ("steps_it", "Verificare i requisiti\nPresentare la domanda"),
        ("steps_en", "Check the requirements\nFile the application"),
        ("documents_it", "Passaporto"),
        ("documents_en", "Passport"),
    ]
}

#[tokio::test]
async fn an_admin_saves_a_procedure_as_a_new_version_and_a_stale_save_conflicts() {
    let app = TestApp::new().await;
    let mut roberto = app.client();
    roberto.login_ok("roberto").await;
    let page = roberto.get("/admin/catalogue/family_reunification").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Sportello Unico"));
    let saved = roberto
        .post(
            "/admin/catalogue/family_reunification",
            &form("1", "Family reunification"),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let items = store::catalogue::procedure_items(app.db(), "family_reunification")
        .await
        .unwrap();
    assert_eq!(items.len(), 3);
    // Someone who opened the form before that save is told, and keeps what they typed.
    let stale = roberto
        .post(
            "/admin/catalogue/family_reunification",
            &form("1", "Family reunion (typed meanwhile)"),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("Family reunion (typed meanwhile)"));
    let versions: (i64,) = store::with_pool!(app.db(), |p| {
        sqlx::query_as(
            "SELECT COUNT(*) FROM procedure_versions WHERE procedure_code = 'family_reunification'",
        )
        .fetch_one(p)
        .await
    })
    .unwrap();
    // The seeded version is kept as it was before the first edit replaced it.
    assert_eq!(versions.0, 2);
    let page = roberto.get("/admin/catalogue/family_reunification").await;
    assert!(
        page.body.contains("Roberto Conti"),
        "the version list says who saved"
    );
    assert!(page.body.contains("come fornita con il catalogo iniziale"));
}

#[tokio::test]
async fn saving_a_procedure_unchanged_makes_no_new_version() {
    let app = TestApp::new().await;
    let mut roberto = app.client();
    roberto.login_ok("roberto").await;
    roberto.get("/admin/catalogue/family_reunification").await;
    let first = roberto
        .post(
            "/admin/catalogue/family_reunification",
            &form("1", "Family reunification"),
        )
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let again = roberto
        .post(
            "/admin/catalogue/family_reunification",
            // Extra blank lines and spaces are not a change either.
            &form("2", "  Family reunification "),
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    assert!(again.location().contains("done=unchanged"));
    let shown = roberto.get(&again.location()).await;
    assert!(shown.body.contains("Nessuna modifica"));
    let versions: Vec<(i32,)> = store::with_pool!(app.db(), |p| {
        sqlx::query_as(
            "SELECT version FROM procedure_versions WHERE procedure_code = 'family_reunification' ORDER BY version",
        )
        .fetch_all(p)
        .await
    })
    .unwrap();
    assert_eq!(versions, vec![(1,), (2,)]);
    // The form still carries version 2, so the next real change saves without a conflict.
    let changed = roberto
        .post(
            "/admin/catalogue/family_reunification",
            &form("2", "Family reunification (visa)"),
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    assert!(changed.location().contains("done=saved"));
}

#[tokio::test]
async fn a_procedure_with_unmatched_translations_or_a_bad_code_is_refused() {
    let app = TestApp::new().await;
    let mut roberto = app.client();
    roberto.login_ok("roberto").await;
    roberto.get("/admin/catalogue/new").await;
    let r = roberto
        .post(
            "/admin/catalogue",
            &[
                ("code", "Mediazione!"),
                ("category", "other"),
                ("name_it", "Mediazione"),
                ("name_en", "Mediation"),
                ("steps_it", "Uno\nDue"),
                ("steps_en", "One"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Mediazione!"));
    let ok = roberto
        .post(
            "/admin/catalogue",
            &[
                ("code", "mediation"),
                ("category", "other"),
                ("name_it", "Mediazione linguistica"),
                ("name_en", "Language mediation"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let dup = roberto
        .post(
            "/admin/catalogue",
            &[
                ("code", "mediation"),
                ("category", "other"),
                ("name_it", "Mediazione"),
                ("name_en", "Mediation"),
            ],
        )
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    // Case workers cannot edit the catalogue.
    let mut chiara = app.client();
    chiara.login_ok("chiara").await;
    assert_eq!(
        chiara.get("/admin/catalogue").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_new_version_of_a_legal_term_applies_only_to_applications_filed_from_its_date() {
    let app = TestApp::new().await;
    let mut roberto = app.client();
    roberto.login_ok("roberto").await;
    roberto.get("/admin/legal-rules").await;
    let both = roberto
        .post(
            "/admin/legal-rules",
            &[
                ("code", "family_reunification_decision"),
                ("days", "120"),
                ("months", "4"),
                ("basis", "Ipotetica legge 2027"),
                ("valid_from", "2027-01-01"),
            ],
        )
        .await;
    assert_eq!(both.status, StatusCode::UNPROCESSABLE_ENTITY);
    let backdated = roberto
        .post(
            "/admin/legal-rules",
            &[
                ("code", "family_reunification_decision"),
                ("days", "120"),
                ("basis", "Ipotetica legge"),
                ("valid_from", "2024-01-01"),
            ],
        )
        .await;
    assert_eq!(backdated.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = roberto
        .post(
            "/admin/legal-rules",
            &[
                ("code", "family_reunification_decision"),
                ("days", "120"),
                ("basis", "Ipotetica legge 2027 (test)"),
                ("valid_from", "2027-01-01"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let rules = store::catalogue::legal_rules(app.db()).await.unwrap();
    let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let before =
        domain::legal::rule_for(&rules, "family_reunification_decision", d(2026, 11, 2)).unwrap();
    assert_eq!(before.days, Some(150));
    assert_eq!(before.valid_to, Some(d(2026, 12, 31)));
    let after =
        domain::legal::rule_for(&rules, "family_reunification_decision", d(2027, 2, 1)).unwrap();
    assert_eq!(after.days, Some(120));
    assert!(after.valid_to.is_none());
}
