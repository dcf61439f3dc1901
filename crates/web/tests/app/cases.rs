//! Cases and referrals: the journey from the info point to the Prefecture desk, the
//! consent rule, the legal term by filing date, access by referral only.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;

use crate::support::*;

pub async fn person_named(app: &TestApp, given: &str) -> String {
    let all: Vec<(String, String)> = store::with_pool!(app.db(), |p| {
        sqlx::query_as("SELECT id, given_names FROM persons")
            .fetch_all(p)
            .await
    })
    .unwrap();
    all.into_iter().find(|(_, g)| g == given).unwrap().0
}

pub async fn prefettura(app: &TestApp) -> String {
    store::account::find_org_by_name(app.db(), "Prefettura di Roma")
        .await
        .unwrap()
        .unwrap()
        .id
}

pub async fn open_case(c: &mut Client, person: &str, procedure: &str, filed: &str) -> String {
    c.get(&format!("/cases/new?person={person}")).await;
    let r = c
        .post(
            "/cases",
            &[
                ("person", person),
                ("procedure", procedure),
                ("filed_on", filed),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location()
        .trim_start_matches("/cases/")
        .split('?')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn an_info_point_refers_a_family_reunification_and_the_prefecture_sees_its_term() {
    let app = TestApp::new().await;
    let fatima = person_named(&app, "Fatima Zahra").await;
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    let case = open_case(&mut giulia, &fatima, "family_reunification", "2026-11-02").await;
    giulia.get(&format!("/cases/{case}")).await;
    let pref = prefettura(&app).await;
    let sent = giulia
        .post(
            &format!("/cases/{case}/referrals"),
            &[
                ("to_org", &pref),
                ("note", "Manca il certificato di idoneità alloggiativa"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);

    let mut marco = app.client();
    marco.login_ok("marco").await;
    let list = marco.get("/cases").await;
    assert!(list.body.contains("Segnalazioni da accettare"));
    let referral = store::with_pool!(app.db(), |p| {
        sqlx::query_as::<_, (String,)>("SELECT id FROM referrals WHERE case_id = $1")
            .bind(&case)
            .fetch_one(p)
            .await
    })
    .unwrap()
    .0;
    let accepted = marco
        .post(&format!("/referrals/{referral}/accept"), &[("answer", "")])
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    let page = marco.get(&format!("/cases/{case}")).await;
    // 150 days from 2 November 2026, under the rule in force on the filing date.
    assert!(page.body.contains("2027-04-01"), "{}", page.body);
    assert!(page.body.contains("DL 145/2024"));
    // The desk adds the missing document as a task; the info point sees it.
    let t = marco
        .post(
            &format!("/cases/{case}/tasks"),
            &[
                ("title", "Portare il certificato di idoneità alloggiativa"),
                ("due_on", "2026-12-15"),
            ],
        )
        .await;
    assert_eq!(t.status, StatusCode::SEE_OTHER, "{}", t.body);
    assert!(
        giulia
            .get(&format!("/cases/{case}"))
            .await
            .body
            .contains("idoneità alloggiativa")
    );

    // Another organisation without a referral sees neither the case nor the person.
    let mut sara = app.client();
    sara.login_ok("sara").await;
    assert_eq!(
        sara.get(&format!("/cases/{case}")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        sara.get(&format!("/people/{fatima}")).await.status,
        StatusCode::FORBIDDEN
    );
    let token = app.token_for("sara").await;
    assert_eq!(
        sara.api("GET", &format!("/api/v1/persons/{fatima}"), &token, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_referral_without_consent_to_share_is_blocked() {
    let app = TestApp::new().await;
    let olena = person_named(&app, "Olena").await;
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    let case = open_case(&mut giulia, &olena, "permit_renewal", "").await;
    giulia.get(&format!("/cases/{case}")).await;
    let pref = prefettura(&app).await;
    let r = giulia
        .post(&format!("/cases/{case}/referrals"), &[("to_org", &pref)])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("non ha dato il consenso"));
    let n: (i64,) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT COUNT(*) FROM referrals WHERE case_id = $1"
    )
    .bind(&case)
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(n.0, 0);
    // A consent withdrawn after being given blocks too.
    giulia.get(&format!("/people/{olena}")).await;
    giulia
        .post(
            &format!("/people/{olena}/consents"),
            &[
                ("purpose", "share_for_referral"),
                ("given", "yes"),
                ("on_date", "2026-11-01"),
            ],
        )
        .await;
    giulia
        .post(
            &format!("/people/{olena}/consents"),
            &[
                ("purpose", "share_for_referral"),
                ("given", "no"),
                ("on_date", "2026-11-20"),
            ],
        )
        .await;
    giulia.get(&format!("/cases/{case}")).await;
    let again = giulia
        .post(&format!("/cases/{case}/referrals"), &[("to_org", &pref)])
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn rejecting_a_referral_needs_a_reason_and_leaves_the_case_closed_to_the_receiver() {
    let app = TestApp::new().await;
    let fatima = person_named(&app, "Fatima Zahra").await;
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    let case = open_case(&mut giulia, &fatima, "permit_renewal", "").await;
    giulia.get(&format!("/cases/{case}")).await;
    let cri = store::account::find_org_by_name(
        app.db(),
        "Croce Rossa Italiana – Comitato Area Metropolitana di Roma Capitale",
    )
    .await
    .unwrap()
    .unwrap()
    .id;
    giulia
        .post(&format!("/cases/{case}/referrals"), &[("to_org", &cri)])
        .await;
    let mut sara = app.client();
    sara.login_ok("sara").await;
    // While the referral waits, the receiver may read the case to decide, not work on it.
    let read = sara.get(&format!("/cases/{case}")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(!read.body.contains("/status\""));
    let referral = store::with_pool!(app.db(), |p| {
        sqlx::query_as::<_, (String,)>("SELECT id FROM referrals WHERE case_id = $1")
            .bind(&case)
            .fetch_one(p)
            .await
    })
    .unwrap()
    .0;
    sara.get("/cases").await;
    let no_reason = sara
        .post(&format!("/referrals/{referral}/reject"), &[("answer", " ")])
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let rejected = sara
        .post(
            &format!("/referrals/{referral}/reject"),
            &[("answer", "Non è un minore")],
        )
        .await;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER);
    assert_eq!(
        sara.get(&format!("/cases/{case}")).await.status,
        StatusCode::FORBIDDEN
    );
    // Only the receiving organisation answers, once.
    let twice = sara
        .post(&format!("/referrals/{referral}/accept"), &[])
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_citizenship_case_gets_the_term_of_its_filing_period_and_shows_overdue_first() {
    let app = TestApp::new().await;
    let amina = person_named(&app, "Amina").await;
    let mut chiara = app.client();
    chiara.login_ok("chiara").await;
    let old = open_case(&mut chiara, &amina, "citizenship_residence", "2023-06-15").await;
    let recent = open_case(&mut chiara, &amina, "citizenship_residence", "2025-09-01").await;
    let page = chiara.get(&format!("/cases/{old}")).await;
    assert!(page.body.contains("2025-06-15"), "24 months");
    assert!(page.body.contains("2026-06-15"), "extendable to 36");
    assert!(page.body.contains("scaduto"));
    let page = chiara.get(&format!("/cases/{recent}")).await;
    assert!(page.body.contains("2027-09-01"));
    assert!(!page.body.contains("Prorogabile"));
    let list = chiara.get("/cases").await;
    let i_old = list.body.find(&format!("/cases/{old}")).unwrap();
    let i_recent = list.body.find(&format!("/cases/{recent}")).unwrap();
    assert!(i_old < i_recent, "overdue cases come first");
}

#[tokio::test]
async fn concurrent_status_changes_of_a_case_conflict() {
    let app = TestApp::new().await;
    let amina = person_named(&app, "Amina").await;
    let mut a = app.client();
    a.login_ok("chiara").await;
    let case = open_case(&mut a, &amina, "permit_renewal", "").await;
    let mut b = app.client();
    b.login_ok("giulia").await;
    a.get(&format!("/cases/{case}")).await;
    b.get(&format!("/cases/{case}")).await;
    let ra = a
        .post(
            &format!("/cases/{case}/status"),
            &[
                ("status", "submitted"),
                ("filed_on", "2026-11-20"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(ra.status, StatusCode::SEE_OTHER);
    let rb = b
        .post(
            &format!("/cases/{case}/status"),
            &[("status", "waiting"), ("version", "1")],
        )
        .await;
    assert_eq!(rb.status, StatusCode::CONFLICT);
    assert!(rb.body.contains("Qualcun altro ha modificato"));
}

#[tokio::test]
async fn the_api_opens_refers_and_accepts_a_case_with_the_consent_rule() {
    let app = TestApp::new().await;
    let fatima = person_named(&app, "Fatima Zahra").await;
    let olena = person_named(&app, "Olena").await;
    let pref = prefettura(&app).await;
    let giulia = app.token_for("giulia").await;
    let marco = app.token_for("marco").await;
    let mut c = app.client();
    let body = format!(
        r#"{{"person_id":"{olena}","procedure":"family_reunification","filed_on":"2026-11-02"}}"#
    );
    let no_consent = c
        .api("POST", "/api/v1/cases", &giulia, Some(&body))
        .await
        .json();
    let case = no_consent["id"].as_str().unwrap().to_string();
    let blocked = c
        .api(
            "POST",
            &format!("/api/v1/cases/{case}/referrals"),
            &giulia,
            Some(&format!(r#"{{"to_org_id":"{pref}"}}"#)),
        )
        .await;
    assert_eq!(blocked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(blocked.json()["fields"][0]["code"], "consent_required");
    let body = format!(
        r#"{{"person_id":"{fatima}","procedure":"family_reunification","filed_on":"2026-11-02"}}"#
    );
    let created = c.api("POST", "/api/v1/cases", &giulia, Some(&body)).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let case = created.json()["id"].as_str().unwrap().to_string();
    assert_eq!(created.json()["deadline"]["due"], "2027-04-01");
    assert_eq!(created.json()["deadline"]["rule_id"], "fr-150");
    let referral = c
        .api(
            "POST",
            &format!("/api/v1/cases/{case}/referrals"),
            &giulia,
            Some(&format!(r#"{{"to_org_id":"{pref}","note":"urgente"}}"#)),
        )
        .await;
    assert_eq!(referral.status, StatusCode::CREATED, "{}", referral.body);
    let rid = referral.json()["id"].as_str().unwrap().to_string();
    let sara = app.token_for("sara").await;
    assert_eq!(
        c.api("GET", &format!("/api/v1/cases/{case}"), &sara, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        c.api(
            "POST",
            &format!("/api/v1/referrals/{rid}/accept"),
            &sara,
            None
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let accepted = c
        .api(
            "POST",
            &format!("/api/v1/referrals/{rid}/accept"),
            &marco,
            None,
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    assert_eq!(accepted.json()["referrals"][0]["status"], "accepted");
    let openapi = c.get("/api/openapi.json").await.json();
    assert!(openapi["paths"]["/api/v1/cases/{id}/referrals"].is_object());
}

#[tokio::test]
async fn the_citizenship_office_sees_applications_by_filing_date_with_the_term_of_their_regime() {
    let app = TestApp::new().await;
    let mut marco = app.client();
    marco.login_ok("marco").await;
    let page = marco.get("/cases/citizenship").await;
    assert_eq!(page.status, StatusCode::OK);
    // Demo applications: filed 2019 (48 months), 2021 and 2023 (24, extendable to 36), 2025 (24).
    let order: Vec<usize> = ["Kwame", "Ana María", "Sanjeewa", "Lin Wei", "Arben"]
        .iter()
        .map(|n| page.body.find(n).unwrap_or_else(|| panic!("{n} missing")))
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "ordered by filing date"
    );
    assert!(
        page.body.contains("2023-04-10"),
        "48 months from 2019-04-10"
    );
    assert!(
        page.body.contains("2023-03-15") && page.body.contains("2024-03-15"),
        "24 months, extendable to 36"
    );
    assert!(
        page.body.contains("2027-09-01"),
        "24 months from 2025-09-01"
    );
    assert!(page.body.contains("<progress"), "backlog by month");
    let mut elena = app.client();
    elena.login_ok("elena").await;
    assert_eq!(
        elena.get("/cases/citizenship").await.status,
        StatusCode::FORBIDDEN
    );
}

async fn ctx_of(app: &TestApp, username: &str) -> store::Ctx {
    store::Ctx {
        actor: app.actor_of(username).await,
        request_id: None,
        purpose: None,
    }
}

async fn citizenship_case(app: &TestApp, ctx: &store::Ctx, person: &str, filed: &str) -> String {
    store::cases::create_case(app.db(), ctx, person, "citizenship_residence", filed)
        .await
        .unwrap()
}

async fn stored_due(app: &TestApp, case: &str) -> Option<chrono::NaiveDate> {
    store::with_pool!(app.db(), |p| sqlx::query_scalar(
        "SELECT due_on FROM cases WHERE id = $1"
    )
    .bind(case)
    .fetch_one(p)
    .await)
    .unwrap()
}

#[tokio::test]
async fn an_old_overdue_case_heads_the_worklist_however_many_newer_cases_follow() {
    let app = TestApp::new().await;
    let chiara = ctx_of(&app, "chiara").await;
    let amina = person_named(&app, "Amina").await;
    let overdue = citizenship_case(&app, &chiara, &amina, "2022-01-10").await;
    // More newer cases without a running term than the list shows.
    let before = store::cases::worklist(app.db(), &chiara, "it")
        .await
        .unwrap()
        .total;
    let extra = store::cases::WORKLIST_PAGE + 10;
    for _ in 0..extra {
        citizenship_case(&app, &chiara, &amina, "").await;
    }
    let w = store::cases::worklist(app.db(), &chiara, "it")
        .await
        .unwrap();
    assert_eq!(w.cases.len(), store::cases::WORKLIST_PAGE);
    assert_eq!(w.total, before + extra as i64);
    assert_eq!(w.cases[0].case.id, overdue, "the overdue case comes first");
    assert!(w.overdue >= 1);
    let page = app.client();
    let mut page = page;
    page.login_ok("chiara").await;
    let body = page.get("/cases").await.body;
    assert!(body.contains(&format!("/cases/{overdue}")));
    assert!(
        body.contains(&format!("Pratiche aperte: {}.", w.total)),
        "{body}"
    );
    assert!(body.contains(&format!("mostra le prime {}", store::cases::WORKLIST_PAGE)));
}

#[tokio::test]
async fn a_cases_stored_due_date_follows_its_filing_date_and_a_new_version_of_its_rule() {
    let app = TestApp::new().await;
    let chiara = ctx_of(&app, "chiara").await;
    let amina = person_named(&app, "Amina").await;
    let id = citizenship_case(&app, &chiara, &amina, "2026-09-01").await;
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    assert_eq!(
        stored_due(&app, &id).await,
        Some(d("2028-09-01")),
        "24 months"
    );
    // Filed later: the due date moves with it.
    store::cases::update_status(app.db(), &chiara, &id, 1, "submitted", "2026-10-01", "")
        .await
        .unwrap();
    assert_eq!(stored_due(&app, &id).await, Some(d("2028-10-01")));
    // A new version of the rule from 2026-09-15 (say 12 months) applies to this filing.
    let admin = ctx_of(&app, "roberto").await;
    store::catalogue::add_rule(
        app.db(),
        &admin,
        &store::catalogue::RuleInput {
            code: "citizenship_decision".into(),
            days: String::new(),
            months: "12".into(),
            extension_months: String::new(),
            extension_days: String::new(),
            basis: "test".into(),
            valid_from: "2026-09-15".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(stored_due(&app, &id).await, Some(d("2027-10-01")));
    // A decision ends the running term: the case leaves the deadline part of the list.
    store::cases::update_status(
        app.db(),
        &chiara,
        &id,
        2,
        "decided",
        "2026-10-01",
        "2026-11-01",
    )
    .await
    .unwrap();
    let w = store::cases::worklist(app.db(), &chiara, "it")
        .await
        .unwrap();
    let item = w.cases.iter().find(|i| i.case.id == id).unwrap();
    assert_eq!(
        item.deadline.as_ref().unwrap().state,
        domain::legal::DeadlineState::Done
    );
}

#[tokio::test]
async fn the_one_off_job_fills_in_due_dates_missing_from_older_cases() {
    let app = TestApp::new().await;
    let chiara = ctx_of(&app, "chiara").await;
    let amina = person_named(&app, "Amina").await;
    let id = citizenship_case(&app, &chiara, &amina, "2026-09-01").await;
    // As a database migrated from before the column was there.
    let mut tx = app.db().begin().await.unwrap();
    store::with_tx!(&mut tx, |c| sqlx::query("UPDATE cases SET due_on = NULL")
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(stored_due(&app, &id).await, None);
    let ran = store::jobs::run_due(app.db(), "test").await.unwrap();
    assert!(
        ran.contains(&(store::jobs::REFRESH_DUE.to_string(), true)),
        "{ran:?}"
    );
    assert!(stored_due(&app, &id).await.is_some());
}

#[tokio::test]
async fn the_citizenship_list_exports_only_as_an_encrypted_archive_and_is_audited() {
    use std::io::Read;
    let app = TestApp::new().await;
    let mut marco = app.client();
    marco.login_ok("marco").await;
    marco.get("/cases/citizenship").await;
    let short = marco
        .post(
            "/cases/citizenship/export",
            &[("password", "too short"), ("password_again", "too short")],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("almeno 12 caratteri"), "{}", short.body);
    assert!(short.body.contains("Kwame"), "the list is still shown");
    let differ = marco
        .post(
            "/cases/citizenship/export",
            &[
                ("password", "riunione del lunedì"),
                ("password_again", "riunione del martedì"),
            ],
        )
        .await;
    assert_eq!(differ.status, StatusCode::UNPROCESSABLE_ENTITY);
    let zip = marco
        .post(
            "/cases/citizenship/export",
            &[
                ("password", "riunione del lunedì"),
                ("password_again", "riunione del lunedì"),
            ],
        )
        .await;
    assert_eq!(zip.status, StatusCode::OK, "{}", zip.body);
    assert_eq!(zip.headers["content-type"], "application/zip");
    let (_, xlsx) = crate::support::unzip_encrypted(&zip.bytes, "riunione del lunedì");
    let mut book = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut strings = String::new();
    book.by_name("xl/sharedStrings.xml")
        .unwrap()
        .read_to_string(&mut strings)
        .unwrap();
    assert!(strings.contains("Kwame"));
    let mut sheet = String::new();
    book.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut sheet)
        .unwrap();
    // Filing dates are dates: a number with a date style, not text.
    let b2 = sheet.split("<c r=\"B2\"").nth(1).unwrap();
    let head = b2.split('>').next().unwrap();
    assert!(
        head.contains(" s=\"") && !head.contains("t=\"s\""),
        "{head}"
    );
    let (n,): (i64,) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'case.export'"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(n, 1, "the export is recorded, the refused ones are not");
}
