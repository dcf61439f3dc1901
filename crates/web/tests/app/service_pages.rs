//! The public service pages and their translation workflow, the leaflets in every script,
//! and the guided "what do I need" checklist with its PDF.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use axum::http::StatusCode;

use crate::support::*;

/// The text of a PDF as poppler's `pdftotext` reads it: unlike pdf-extract it applies the
/// bidi algorithm and reads the text of glyph clusters, which Bengali's reordered vowel signs
/// and conjuncts need.
fn pdf_text(pdf: &[u8]) -> String {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(file.path())
        .arg("-")
        .output()
        .expect("pdftotext (Debian's poppler-utils) must be installed");
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The value of a hidden field of a form.
fn hidden(page: &Resp, name: &str) -> String {
    page.body
        .split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .to_string()
}

/// Removes a procedure's page, as on a site where nobody has written it yet.
async fn without_page(app: &TestApp, code: &str) {
    let mut tx = app.db().begin().await.unwrap();
    for table in ["service_text_versions", "service_texts"] {
        let sql = format!("DELETE FROM {table} WHERE procedure_code = $1");
        store::with_tx!(&mut tx, |c| sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(code)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))
        .unwrap();
    }
    tx.commit().await.unwrap();
}

/// The JSON-LD block of a page.
fn jsonld(page: &Resp) -> serde_json::Value {
    let raw = page
        .body
        .split(r#"<script type="application/ld+json">"#)
        .nth(1)
        .and_then(|s| s.split("</script>").next())
        .unwrap();
    serde_json::from_str(raw).unwrap()
}

#[tokio::test]
async fn a_service_page_reads_in_bengali_with_its_sections_in_the_designers_italia_order() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let r = c.get("/bn/services/permit_renewal").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(r#"<html lang="bn" dir="ltr">"#));
    assert!(r.body.contains("পাসপোর্ট"), "Bengali content");
    let tr = web::public_i18n::PublicTr::for_code("bn").unwrap();
    assert!(!r.body.contains(&tr.t("translation-missing")));
    assert!(
        r.body.contains(&tr.t("demo-content")),
        "demo content is marked"
    );
    let ids = [
        "audience",
        "how_to",
        "needs",
        "outcome",
        "times",
        "access",
        "conditions",
        "contacts",
    ];
    let positions: Vec<usize> = ids
        .iter()
        .map(|id| r.body.find(&format!(r#"<h2 id="{id}">"#)).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    let ld = jsonld(&r);
    assert_eq!(ld["@type"], "GovernmentService");
    assert_eq!(ld["inLanguage"], "bn");
    assert!(
        ld["url"]
            .as_str()
            .unwrap()
            .ends_with("/bn/services/permit_renewal")
    );
    assert!(r.body.len() < 100_000);
    // Arabic reads right to left, with its own content.
    let ar = c.get("/ar/services/family_reunification").await;
    assert!(ar.body.contains(r#"<html lang="ar" dir="rtl">"#));
    assert!(ar.body.contains("لمّ شمل") || ar.body.contains("لم شمل"));
}

#[tokio::test]
async fn an_untranslated_page_is_shown_in_italian_under_a_notice_in_the_readers_language() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let r = c.get("/es/services/permit_renewal").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(r#"lang="it" dir="ltr""#));
    assert!(r.body.contains("Rinnovare il permesso di soggiorno"));
    let notice = web::public_i18n::PublicTr::for_code("es")
        .unwrap()
        .t("translation-missing");
    assert!(r.body.contains(&notice));
    assert_eq!(jsonld(&r)["inLanguage"], "it");
    // A procedure without a published page, and a made-up one, are not found.
    without_page(&app, "work_clearance").await;
    assert_eq!(
        c.get("/es/services/work_clearance").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get("/es/services/nope").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_text_placed_in_the_structured_data_cannot_close_its_script_element() {
    let app = TestApp::new().await;
    let mut roberto = app.client();
    roberto.login_ok("roberto").await;
    let form = roberto.get("/content/permit_renewal/it").await;
    let version = hidden(&form, "version");
    let r = roberto
        .post(
            "/content/permit_renewal/it",
            &[
                ("title", "Rinnovo </script><script>alert(1)</script>"),
                ("summary", "Riassunto & altro"),
                ("audience", "Tutti"),
                ("how_to", "Uno"),
                ("needs", "Due"),
                ("outcome", "Tre"),
                ("times", "Quattro"),
                ("access", "Cinque"),
                ("conditions", "Sei"),
                ("contacts", "Sette"),
                ("state", "published"),
                ("version", version.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = roberto.get("/it/services/permit_renewal").await;
    assert!(!page.body.contains("<script>alert(1)"));
    assert_eq!(
        jsonld(&page)["name"],
        "Rinnovo </script><script>alert(1)</script>"
    );
}

#[tokio::test]
async fn a_changed_italian_source_puts_translations_out_of_date_until_updated_and_reviewed() {
    let app = TestApp::new().await;
    let mut anon = app.client();
    // The demo changed the Italian citizenship page after it was translated.
    let fr = anon.get("/fr/services/citizenship_residence").await;
    assert_eq!(fr.status, StatusCode::OK);
    let outdated = web::public_i18n::PublicTr::for_code("fr")
        .unwrap()
        .t("translation-outdated");
    assert!(fr.body.contains(&outdated), "{}", fr.body);
    assert!(fr.body.contains("Cittadinanza italiana per residenza"));

    // The mediator sees it out of date, with what changed in the Italian.
    let mut tanvir = app.client();
    tanvir.login_ok("tanvir").await;
    let list = tanvir.get("/content").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("status-outdated"));
    let form = tanvir.get("/content/citizenship_residence/fr").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("<ins>"),
        "the added Italian words are shown"
    );
    assert!(form.body.contains("SPID"));
    let version = hidden(&form, "version");
    let source = hidden(&form, "source_hash");
    let mut fields = vec![
        ("title", "Nationalité italienne par résidence"),
        (
            "summary",
            "Demander la nationalité italienne après des années de résidence légale.",
        ),
        (
            "audience",
            "Ressortissants non UE résidant légalement en Italie depuis 10 ans.",
        ),
        (
            "how_to",
            "Vérifiez vos années de résidence.\nFaites la demande en ligne avec SPID.",
        ),
        ("needs", "Acte de naissance.\nCopie du titre de séjour."),
        ("outcome", "Le décret de nationalité."),
        (
            "times",
            "24 mois. Vous pouvez suivre la demande en ligne avec SPID.",
        ),
        ("access", "En ligne, avec SPID."),
        ("conditions", "Revenus suffisants."),
        ("contacts", "Préfecture de Rome"),
        ("version", version.as_str()),
        ("source_hash", source.as_str()),
        ("state", "published"),
    ];
    // Whoever writes it does not publish it.
    let r = tanvir
        .post("/content/citizenship_residence/fr", &fields)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("Nationalité italienne par résidence"),
        "typed text kept"
    );
    fields.last_mut().unwrap().1 = "review";
    let r = tanvir
        .post("/content/citizenship_residence/fr", &fields)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Still Italian for readers while in review.
    let fr = anon.get("/fr/services/citizenship_residence").await;
    assert!(fr.body.contains("Cittadinanza italiana per residenza"));

    // A second person publishes it; the content is unchanged, so it goes through.
    let mut roberto = app.client();
    roberto.login_ok("roberto").await;
    let form = roberto.get("/content/citizenship_residence/fr").await;
    let version = hidden(&form, "version");
    let n = fields.len();
    fields[n - 3].1 = version.as_str();
    fields[n - 1].1 = "published";
    let r = roberto
        .post("/content/citizenship_residence/fr", &fields)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let fr = anon.get("/fr/services/citizenship_residence").await;
    assert!(fr.body.contains("Nationalité italienne par résidence"));
    assert!(!fr.body.contains(&outdated));
    assert!(
        app.audit_actions("citizenship_residence/fr")
            .await
            .iter()
            .filter(|a| *a == "service_text.save")
            .count()
            >= 2
    );
}

#[tokio::test]
async fn translators_write_only_translations_and_others_cannot_open_the_editor() {
    let app = TestApp::new().await;
    let mut tanvir = app.client();
    tanvir.login_ok("tanvir").await;
    let it = tanvir.get("/content/permit_renewal/it").await;
    assert_eq!(it.status, StatusCode::OK);
    assert!(!it.body.contains(r#"name="source_hash""#), "read only");
    let r = tanvir
        .post(
            "/content/permit_renewal/it",
            &[
                ("title", "x"),
                ("summary", "y"),
                ("state", "draft"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    for who in ["elena", "giulia", "paolo"] {
        let mut c = app.client();
        c.login_ok(who).await;
        assert_eq!(
            c.get("/content").await.status,
            StatusCode::FORBIDDEN,
            "{who}"
        );
    }
}

#[tokio::test]
async fn a_stale_translation_form_gets_a_conflict_and_keeps_what_was_typed() {
    let app = TestApp::new().await;
    let mut tanvir = app.client();
    tanvir.login_ok("tanvir").await;
    let form = tanvir.get("/content/digital_identity/bn").await;
    let version = hidden(&form, "version");
    let source = hidden(&form, "source_hash");
    let base =
        |title: &'static str| vec![("title", title), ("summary", "সারাংশ"), ("state", "review")];
    let mut first = base("প্রথম");
    first.push(("version", version.as_str()));
    first.push(("source_hash", source.as_str()));
    let r = tanvir.post("/content/digital_identity/bn", &first).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut second = base("দ্বিতীয়");
    second.push(("version", version.as_str()));
    second.push(("source_hash", source.as_str()));
    let r = tanvir.post("/content/digital_identity/bn", &second).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("দ্বিতীয়"));
}

/// Leaflets in Arabic, Tigrinya and Bengali: the words read back from the PDF, and the time
/// each took (printed, not asserted: timings belong to the benchmarks).
#[tokio::test]
async fn leaflets_in_arabic_tigrinya_and_bengali_carry_their_own_words() {
    let app = TestApp::new().await;
    let mut c = app.client();
    for (lang, code, words) in [
        (
            "ar",
            "family_reunification",
            vec!["تصريح".to_string(), "الإقامة".into()],
        ),
        ("ti", "permit_renewal", vec!["ፓስፖርት".to_string()]),
        ("bn", "permit_renewal", vec!["পাসপোর্ট".to_string()]),
        (
            "it",
            "citizenship_residence",
            vec!["Cittadinanza".into(), "SPID".into()],
        ),
    ] {
        let started = Instant::now();
        let r = c.get(&format!("/{lang}/services/{code}/leaflet.pdf")).await;
        let took = started.elapsed();
        assert_eq!(r.status, StatusCode::OK, "{lang}: {}", r.body);
        assert_eq!(r.headers["content-type"], "application/pdf");
        assert!(r.bytes.starts_with(b"%PDF"));
        let text = pdf_text(&r.bytes);
        for w in words {
            assert!(text.contains(&w), "{lang}: {w} not in {text}");
        }
        println!("leaflet {lang}/{code}: {} bytes in {took:?}", r.bytes.len());
        // The same leaflet again comes from the cache, byte for byte.
        let again = c.get(&format!("/{lang}/services/{code}/leaflet.pdf")).await;
        assert_eq!(again.bytes, r.bytes);
    }
    // An untranslated leaflet is the Italian text under the notice in the reader's language.
    let es = c.get("/es/services/permit_renewal/leaflet.pdf").await;
    let text = pdf_text(&es.bytes);
    assert!(text.contains("Rinnovare"), "{text}");
}

/// The fonts `pdffonts` (poppler) lists in a PDF, one line each.
fn pdf_fonts(pdf: &[u8]) -> String {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), pdf).unwrap();
    let out = std::process::Command::new("pdffonts")
        .arg(file.path())
        .output()
        .expect("pdffonts (Debian's poppler-utils) must be installed");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// Chinese, Urdu and Tigrinya leaflets on a machine with no font of those scripts installed:
/// the words read back, a CJK face embedded in the Chinese one, and the Italian text of an
/// untranslated page set in a Latin font with its spaces (Nastaliq would run it together).
#[tokio::test]
async fn chinese_urdu_and_tigrinya_leaflets_print_real_glyphs_from_embedded_fonts() {
    let app = TestApp::new().await;
    let mut c = app.client();
    for (lang, words, face) in [
        (
            "zh",
            vec!["扫描二维码", "居留许可", "办理步骤"],
            "NotoSansCJK",
        ),
        (
            "ur",
            vec!["Rinnovare il permesso di soggiorno"],
            "NotoNastaliqUrdu",
        ),
        ("ti", vec!["ስካን"], "NotoSansEthiopic"),
    ] {
        let r = c
            .get(&format!("/{lang}/services/permit_renewal/leaflet.pdf"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{lang}: {}", r.body);
        let text = pdf_text(&r.bytes);
        for w in words {
            assert!(text.contains(w), "{lang}: {w} not in {text}");
        }
        let fonts = pdf_fonts(&r.bytes);
        assert!(fonts.contains(face), "{lang}: no {face} in\n{fonts}");
        if lang == "ur" {
            // The Italian fallback is set in Noto Sans, not in the Urdu face.
            assert!(fonts.contains("NotoSans-Regular"), "{fonts}");
        }
    }
}

#[tokio::test]
async fn the_guide_asks_one_question_at_a_time_and_ends_with_a_checklist_and_its_pdf() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let first = c.get("/bn/guide").await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.body.contains(r#"name="need" value="permit""#));
    // Sent without an answer: the same question, with a message.
    let none = c.get("/bn/guide?step=need").await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.body.contains(r#"role="alert""#));
    let second = c.get("/bn/guide?step=need&need=permit").await;
    assert!(second.body.contains(r#"name="permit" value="expiring""#));
    assert!(
        second
            .body
            .contains(r#"type="hidden" name="need" value="permit""#)
    );
    let done = c
        .get("/bn/guide?need=permit&permit=expiring&passport=no&minor=no&step=minor")
        .await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.body.contains("পাসপোর্ট"), "Bengali steps and documents");
    let tr = web::public_i18n::PublicTr::for_code("bn").unwrap();
    assert!(done.body.contains(&tr.t("guide-extra-passport")));
    assert!(done.body.contains("/bn/services/permit_renewal"));
    let link = "/bn/guide/checklist.pdf?need=permit&permit=expiring&passport=no&minor=no";
    assert!(
        done.body.contains(&link.replace('&', "&#38;")),
        "{}",
        done.body.split("checklist.pdf").nth(1).unwrap_or_default()
    );
    let pdf = c.get(link).await;
    assert_eq!(pdf.status, StatusCode::OK);
    let text = pdf_text(&pdf.bytes);
    assert!(text.contains("পাসপোর্ট"), "{text}");
    // Without all the answers there is no checklist to print.
    assert_eq!(
        c.get("/bn/guide/checklist.pdf?need=permit").await.status,
        StatusCode::NOT_FOUND
    );
    // A procedure without a page falls back to the catalogue's own list.
    without_page(&app, "work_clearance").await;
    let work = c.get("/en/guide?need=work&passport=yes&minor=yes").await;
    assert_eq!(work.status, StatusCode::OK);
    assert!(work.body.contains("Work clearance"));
}

#[tokio::test]
async fn a_case_page_offers_the_leaflet_of_its_procedure_in_every_language() {
    let app = TestApp::new().await;
    let (id,): (String,) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT id FROM cases WHERE procedure_code = 'family_reunification' LIMIT 1"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    let page = giulia.get(&format!("/cases/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let link = "/ar/services/family_reunification/leaflet.pdf";
    assert!(page.body.contains(link));
    let pdf = giulia.get(link).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf_text(&pdf.bytes).contains("تصريح"));
}
