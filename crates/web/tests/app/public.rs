//! The public pages: every language of the programme by address, right to left where the
//! script is, Italian content with a notice where a text is not translated, the info points
//! directory filtered by area and language, and pages light enough for a cheap phone.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;

use crate::support::*;

#[tokio::test]
async fn every_public_page_opens_in_every_language_with_its_direction() {
    let app = TestApp::new().await;
    let mut c = app.client();
    for (code, name, rtl) in domain::languages::LANGUAGES {
        for path in ["/", "/info-points"] {
            let r = c.get(&format!("/{code}{path}")).await;
            assert_eq!(r.status, StatusCode::OK, "/{code}{path}");
            let dir = if *rtl { "rtl" } else { "ltr" };
            assert!(
                r.body
                    .contains(&format!(r#"<html lang="{code}" dir="{dir}">"#)),
                "/{code}{path}"
            );
            // The page itself is small: a cheap phone on a slow network.
            assert!(
                r.body.len() < 100_000,
                "/{code}{path}: {} bytes",
                r.body.len()
            );
            // Every other language is one tap away, by its own name.
            assert!(r.body.contains(name));
        }
    }
    assert_eq!(c.get("/xx/info-points").await.status, StatusCode::NOT_FOUND);
    let css = c.get("/assets/css/public.css").await;
    assert!(css.bytes.len() < 10_000);
}

#[tokio::test]
async fn untranslated_content_is_shown_in_italian_with_a_notice_in_the_readers_language() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let bn = c.get("/bn/info-points").await;
    assert!(
        bn.body.contains("তথ্য") || bn.body.contains("Info point"),
        "{}",
        bn.body
    );
    assert!(bn.body.contains(r#"class="pub-fallback""#));
    assert!(bn.body.contains("Informazioni e orientamento su permessi"));
    let it = c.get("/it/info-points").await;
    assert!(!it.body.contains(r#"class="pub-fallback""#));
    let en = c.get("/en/info-points").await;
    assert!(en.body.contains("Information and guidance on permits"));
    assert!(en.body.contains("Residence permit: renewal"));
    assert!(!en.body.contains(r#"class="pub-fallback""#));
}

#[tokio::test]
async fn the_directory_filters_by_area_and_by_language_spoken() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let bengali = c.get("/it/info-points?language=bn").await;
    assert!(bengali.body.contains("Info point Stazione Termini"));
    assert!(!bengali.body.contains("Info point Ostia"));
    let tigrinya = c.get("/ti/info-points?language=ti").await;
    assert!(tigrinya.body.contains("Info point Ostia"));
    assert!(!tigrinya.body.contains("Stazione Termini"));
    let sea = c.get("/it/info-points?place=Municipio%20X").await;
    assert!(sea.body.contains("Info point Ostia"));
    assert!(!sea.body.contains("Stazione Termini"));
    assert!(sea.body.contains("Info point trovati: 1"));
    // Odd input narrows to nothing, never an error.
    let odd = c.get("/it/info-points?language=%25&place=%27").await;
    assert_eq!(odd.status, StatusCode::OK);
    assert!(odd.body.contains("Nessun info point corrisponde"));
    // Opening hours by weekday, closed days said so.
    let ostia = c.get("/en/info-points?place=Municipio%20X").await;
    assert!(ostia.body.contains("09:30–13:30"));
    assert!(ostia.body.contains("Closed"));
}
