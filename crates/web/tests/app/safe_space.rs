//! Safe Space: the consent rule for referrals (refused without consent, nothing written),
//! the referral through a case, screenings sealed and kept within the managing body, and the
//! protocol's acknowledgement.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;

use crate::support::*;

async fn person(app: &TestApp, family: &str) -> String {
    let (id,): (String,) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT id FROM persons WHERE family_name = $1"
    )
    .bind(family)
    .fetch_one(p)
    .await)
    .unwrap();
    id
}

async fn count(app: &TestApp, sql: &str, person: &str) -> i64 {
    let sql = sql.to_string();
    let (n,): (i64,) = store::with_pool!(app.db(), |p| sqlx::query_as(sqlx::AssertSqlSafe(
        sql.clone()
    ))
    .bind(person)
    .fetch_one(p)
    .await)
    .unwrap();
    n
}

fn option_value(page: &Resp, select: &str, label_part: &str) -> String {
    let part = page.body.split(&format!("id=\"{select}\"")).nth(1).unwrap();
    let before = part.split(label_part).next().unwrap();
    before
        .rsplit("value=\"")
        .next()
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_referral_needs_the_guests_consent_and_a_refusal_writes_nothing() {
    let app = TestApp::new().await;
    let mariam = person(&app, "Koné").await;
    let blessing = person(&app, "Okafor").await;
    let mut anna = app.client();
    anna.login_ok("anna").await;
    let form = anna.get(&format!("/people/{mariam}/screening")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let centre = option_value(&form, "centre_id", "</option>");
    let service_org = option_value(&form, "refer_to", "Rete antitratta");
    let today = domain::clock::today().to_string();
    let fields = |who_centre: &str| {
        vec![
            ("centre_id".to_string(), who_centre.to_string()),
            ("screened_on".to_string(), today.clone()),
            ("categories".to_string(), "trafficking_victim".to_string()),
            ("categories".to_string(), "violence_survivor".to_string()),
            (
                "notes".to_string(),
                "Indicatori di sfruttamento".to_string(),
            ),
            ("service".to_string(), "anti_trafficking".to_string()),
            ("refer_to".to_string(), service_org.clone()),
        ]
    };
    let screenings = "SELECT COUNT(*) FROM vulnerability_screenings WHERE person_id = $1";
    let cases = "SELECT COUNT(*) FROM cases WHERE person_id = $1";
    let before = count(&app, screenings, &mariam).await;
    let mut refused_fields = fields(&centre);
    let csrf = form.csrf().unwrap();
    refused_fields.insert(0, ("csrf".into(), csrf.clone()));
    let refused = anna
        .post_raw(&format!("/people/{mariam}/screening"), &refused_fields)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("id=\"consent-error\""));
    assert!(
        refused.body.contains("Indicatori di sfruttamento"),
        "notes kept"
    );
    assert_eq!(count(&app, screenings, &mariam).await, before);
    assert_eq!(count(&app, cases, &mariam).await, 0);

    // With consent: a screening, a Safe Space case, and a referral to the service.
    let mut ok_fields = fields(&centre);
    ok_fields.insert(0, ("csrf".into(), csrf));
    let ok = anna
        .post_raw(&format!("/people/{blessing}/screening"), &ok_fields)
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(count(&app, screenings, &blessing).await, 1);
    let (case, to_org, status): (String, String, String) =
        store::with_pool!(app.db(), |p| sqlx::query_as(
            "SELECT c.id, r.to_org_id, r.status FROM cases c JOIN referrals r ON r.case_id = c.id \
         WHERE c.person_id = $1 AND c.procedure_code = 'safe_space_referral'"
        )
        .bind(&blessing)
        .fetch_one(p)
        .await)
        .unwrap();
    assert_eq!(to_org, service_org);
    assert_eq!(status, "requested");
    // Sealed at rest, readable by the managing body.
    let (sealed,): (String,) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT sealed FROM vulnerability_screenings WHERE person_id = $1"
    )
    .bind(&blessing)
    .fetch_one(p)
    .await)
    .unwrap();
    assert!(!sealed.contains("trafficking"));
    let list = anna.get("/safe-space").await;
    assert!(list.body.contains("Vittima della tratta"));
    assert!(list.body.contains(&format!("/cases/{case}")));
}

#[tokio::test]
async fn another_managing_body_neither_screens_nor_reads_these_guests() {
    let app = TestApp::new().await;
    let blessing = person(&app, "Okafor").await;
    let mut bruno = app.client();
    bruno.login_ok("bruno").await;
    let r = bruno.get(&format!("/people/{blessing}/screening")).await;
    assert!(
        matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        r.status
    );
    let list = bruno.get("/safe-space").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.body.contains("Koné"));
    // Bruno's body has not acknowledged the protocol yet; it does now.
    assert!(list.body.contains("safe-space/acknowledge"));
    let r = bruno.post("/safe-space/acknowledge", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        !bruno
            .get("/safe-space")
            .await
            .body
            .contains("safe-space/acknowledge\"")
    );
    assert_eq!(
        bruno.get("/safe-space/protocol").await.status,
        StatusCode::FORBIDDEN
    );

    let mut paolo = app.client();
    paolo.login_ok("paolo").await;
    let acks = paolo.get("/safe-space/protocol").await;
    assert_eq!(acks.status, StatusCode::OK);
    assert!(acks.body.contains("Consorzio Accoglienza Tevere"));
    assert_eq!(paolo.get("/safe-space").await.status, StatusCode::FORBIDDEN);
    let r = paolo
        .post(
            "/safe-space/protocol",
            &[("title", ""), ("body", "Testo"), ("version_label", "v2")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Testo"));
}
