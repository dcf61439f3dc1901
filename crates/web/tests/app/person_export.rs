//! The data-subject export as a readable PDF, read back: what the organisation holds about
//! the person, in the reader's language, with what others may not see left out.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;

use crate::cases::{open_case, person_named};
use crate::support::*;

fn text_of(pdf: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(pdf)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::test]
async fn the_pdf_export_holds_identity_consents_vulnerabilities_and_case_records() {
    let app = TestApp::new().await;
    let fatima = person_named(&app, "Fatima Zahra").await;
    let mut chiara = app.client();
    chiara.login_ok("chiara").await;
    let case = open_case(&mut chiara, &fatima, "permit_renewal", "2026-10-01").await;
    chiara.get(&format!("/cases/{case}")).await;
    chiara
        .post(
            &format!("/cases/{case}/notes"),
            &[("body", "Ha chiesto aiuto per il kit postale")],
        )
        .await;
    let r = chiara.get(&format!("/people/{fatima}/export.pdf")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.headers["content-type"], "application/pdf");
    assert_eq!(r.headers["cache-control"], "private, no-store");
    assert!(r.bytes.starts_with(b"%PDF"));
    let text = text_of(&r.bytes);
    for expected in [
        "Dati personali di Fatima Zahra El Idrissi",
        "MA X4471902",
        "Condivisione con altre organizzazioni",
        "Genitore solo con figli minori",
        "Ha chiesto aiuto per il kit postale",
        "Riservato",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from: {text}");
    }
    // The export is audited.
    let n: (i64,) = store::with_pool!(app.db(), |p| {
        sqlx::query_as(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'person.export' AND object_id = $1",
        )
        .bind(&fatima)
        .fetch_one(p)
        .await
    })
    .unwrap();
    assert_eq!(n.0, 1);
}

#[tokio::test]
async fn the_pdf_export_is_in_the_readers_language_and_leaves_out_what_they_may_not_read() {
    let app = TestApp::new().await;
    let fatima = person_named(&app, "Fatima Zahra").await;
    // Giulia (info point) may not read vulnerabilities; she reads in English here.
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    giulia.get("/language/en").await;
    let r = giulia.get(&format!("/people/{fatima}/export.pdf")).await;
    assert_eq!(r.status, StatusCode::OK);
    let text = text_of(&r.bytes);
    assert!(
        text.contains("Personal data of Fatima Zahra El Idrissi"),
        "{text}"
    );
    assert!(text.contains("cannot read the vulnerabilities"), "{text}");
    assert!(!text.contains("Single parent"), "{text}");
    // Someone from another organisation gets no PDF at all.
    let mut sara = app.client();
    sara.login_ok("sara").await;
    let other = sara.get(&format!("/people/{fatima}/export.pdf")).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    assert!(!other.bytes.starts_with(b"%PDF"));
}
