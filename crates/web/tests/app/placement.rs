//! Placement of minors leaving the hub: suggestions that respect the hard rules, the
//! transfer answered by the receiving facility (which sees only what the transfer shares),
//! and the last free place taken by exactly one of two simultaneous acceptances.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;
use domain::policy::Actor;

use crate::support::*;

async fn take_in(c: &mut Client, given: &str, age: i32, languages: &str) -> String {
    c.get("/minors/new").await;
    let now = domain::clock::rome(chrono::Utc::now())
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let age = age.to_string();
    let r = c
        .post(
            "/minors",
            &[
                ("given_names", given),
                ("family_name", "Tesfamariam"),
                ("sex", "male"),
                ("declared_age", &age),
                ("nationality", "ER"),
                ("languages", languages),
                ("arrived_at", &now),
                ("contact_place", "Stazione Tiburtina"),
                ("brought_by", "police"),
                ("pick", "new"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location()
        .trim_start_matches("/minors/")
        .split('?')
        .next()
        .unwrap()
        .to_string()
}

async fn sara(app: &TestApp) -> Client {
    let mut c = app.client();
    c.login_ok("sara").await;
    c
}

async fn place_of(app: &TestApp, centre: &str) -> String {
    let row: (String,) = store::with_pool!(app.db(), |p| {
        sqlx::query_as(
            "SELECT cp.id FROM centre_places cp JOIN centres c ON c.id = cp.centre_id WHERE c.name = $1 ORDER BY cp.min_age DESC",
        )
        .bind(centre)
        .fetch_one(p)
        .await
    })
    .unwrap();
    row.0
}

async fn occupied(app: &TestApp, place: &str) -> i32 {
    let row: (i32,) = store::with_pool!(app.db(), |p| {
        sqlx::query_as("SELECT occupied FROM centre_places WHERE id = $1")
            .bind(place)
            .fetch_one(p)
            .await
    })
    .unwrap();
    row.0
}

fn section<'a>(body: &'a str, id: &str) -> &'a str {
    body.split(&format!(r#"id="{id}""#))
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .unwrap_or("")
}

#[tokio::test]
async fn a_sixteen_year_old_is_offered_places_that_respect_the_rules_with_reasons() {
    let app = TestApp::new().await;
    let mut c = sara(&app).await;
    let yonas = take_in(&mut c, "Yonas", 16, "ti").await;
    let page = c.get(&format!("/minors/{yonas}/placement")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let offers = section(&page.body, "offers");
    let ponte = offers
        .find("Comunità Il Ponte")
        .expect("the community is offered");
    for other in [
        "Centro governativo Casilino",
        "Centro temporaneo Tiburtino",
        "CAS Salaria",
    ] {
        let at = offers
            .find(other)
            .unwrap_or_else(|| panic!("{other} not offered"));
        assert!(
            ponte < at,
            "the community speaking Tigrinya should come before {other}"
        );
    }
    assert!(offers.contains("si parla la sua lingua"));
    // The adult-centre section is offered only because he is 16, with its limit.
    assert!(offers.contains("sezione per adulti, solo perché ha almeno 16 anni"));
    let due = (domain::clock::today() + chrono::Duration::days(90)).to_string();
    assert!(offers.contains(&due), "the 90-day limit is shown");
    assert!(
        !offers.contains("Comunità Fiumicino"),
        "a full facility is never offered"
    );
    assert!(
        !offers.contains("Casa Maris"),
        "places for girls are not offered to a boy"
    );
    let excluded = section(&page.body, "excluded");
    assert!(excluded.contains("Comunità Fiumicino") && excluded.contains("nessun posto libero"));
}

#[tokio::test]
async fn a_thirteen_year_old_is_never_offered_a_temporary_facility_or_an_adult_section() {
    let app = TestApp::new().await;
    let mut c = sara(&app).await;
    let child = take_in(&mut c, "Dawit", 13, "ti").await;
    let page = c.get(&format!("/minors/{child}/placement")).await;
    let offers = section(&page.body, "offers");
    assert!(offers.contains("Piccoli Passi"));
    assert!(!offers.contains("Centro temporaneo Tiburtino") && !offers.contains("CAS Salaria"));
    let excluded = section(&page.body, "excluded");
    assert!(excluded.contains("le strutture temporanee non accolgono minori di 14 anni"));
    assert!(excluded.contains("le sezioni per adulti accolgono solo minori di almeno 16 anni"));
    // Asking for it anyway (a forged form) is refused by the same rules.
    let section_place = place_of(&app, "CAS Salaria — sezione minori (demo)").await;
    let forged = c
        .post(
            &format!("/minors/{child}/transfers"),
            &[("place_id", &section_place)],
        )
        .await;
    assert_eq!(forged.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(forged.body.contains("solo minori di almeno 16 anni"));
}

#[tokio::test]
async fn the_facility_accepts_sees_only_what_is_shared_and_the_transfer_completes() {
    let app = TestApp::new().await;
    let mut c = sara(&app).await;
    let yonas = take_in(&mut c, "Yonas", 16, "ti").await;
    let place = place_of(&app, "Comunità Il Ponte (demo)").await;
    let before = occupied(&app, &place).await;
    c.get(&format!("/minors/{yonas}/placement")).await;
    let asked = c
        .post(
            &format!("/minors/{yonas}/transfers"),
            &[
                ("place_id", &place),
                ("note", "Parla solo tigrino; ha uno zio a Roma."),
            ],
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    c.get(&format!("/minors/{yonas}/placement")).await;
    let again = c
        .post(
            &format!("/minors/{yonas}/transfers"),
            &[("place_id", &place)],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("già un trasferimento in corso"));

    let mut anna = app.client();
    anna.login_ok("anna").await;
    let list = anna.get("/transfers").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Yonas Tesfamariam") && list.body.contains("ha uno zio a Roma"));
    // The facility cannot open the minor's record.
    assert_eq!(
        anna.get(&format!("/minors/{yonas}")).await.status,
        StatusCode::FORBIDDEN
    );
    let transfer: (String,) = store::with_pool!(app.db(), |p| {
        sqlx::query_as("SELECT id FROM minor_transfers WHERE minor_id = $1")
            .bind(&yonas)
            .fetch_one(p)
            .await
    })
    .unwrap();
    let refuse_empty = anna
        .post(&format!("/transfers/{}/refuse", transfer.0), &[])
        .await;
    assert_eq!(refuse_empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let accepted = anna
        .post(&format!("/transfers/{}/accept", transfer.0), &[])
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    assert_eq!(occupied(&app, &place).await, before + 1);
    // Another facility's manager (none in the demo) and the hub cannot answer it.
    let twice = anna
        .post(&format!("/transfers/{}/accept", transfer.0), &[])
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(
        c.post(&format!("/transfers/{}/accept", transfer.0), &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    c.get(&format!("/minors/{yonas}/placement")).await;
    let done = c
        .post(
            &format!("/transfers/{}/complete", transfer.0),
            &[
                ("completed_on", &domain::clock::today().to_string()),
                ("minor_id", &yonas),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = c.get(&format!("/minors/{yonas}")).await;
    assert!(page.body.contains("Trasferito in struttura"));
    assert!(page.body.contains("Comunità Il Ponte (demo)"));
    assert!(!c.get("/minors").await.body.contains("Yonas Tesfamariam"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_simultaneous_acceptances_of_the_last_free_place_let_exactly_one_through() {
    let app = TestApp::new().await;
    let mut c = sara(&app).await;
    // The temporary facility has one free place (49 of 50).
    let place = place_of(&app, "Centro temporaneo Tiburtino (demo)").await;
    assert_eq!(occupied(&app, &place).await, 49);
    let mut transfers = vec![];
    for given in ["Yonas", "Dawit", "Filmon"] {
        let id = take_in(&mut c, given, 16, "ti").await;
        c.get(&format!("/minors/{id}/placement")).await;
        let r = c
            .post(&format!("/minors/{id}/transfers"), &[("place_id", &place)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let t: (String,) = store::with_pool!(app.db(), |p| {
            sqlx::query_as("SELECT id FROM minor_transfers WHERE minor_id = $1")
                .bind(&id)
                .fetch_one(p)
                .await
        })
        .unwrap();
        transfers.push(t.0);
    }
    let anna_id = app.user_id("anna").await;
    let faro = store::account::find_org_by_name(app.db(), "Cooperativa Sociale Il Faro")
        .await
        .unwrap()
        .unwrap()
        .id;
    let ctx = store::Ctx {
        actor: Actor::user(
            anna_id,
            faro,
            vec![domain::account::Grant {
                role: domain::account::Role::CentreManager,
                scope: domain::account::Scope::Organisation,
            }],
        ),
        request_id: None,
        purpose: None,
    };
    let mut tasks = vec![];
    for t in transfers {
        let db = app.db().clone();
        let ctx = ctx.clone();
        tasks.push(tokio::spawn(async move {
            store::placement::answer_transfer(&db, &ctx, &t, true, "").await
        }));
    }
    let mut won = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => won += 1,
            Err(domain::Error::Validation(f)) => assert_eq!(f[0].code, "placement_full"),
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(won, 1, "exactly one acceptance takes the last place");
    assert_eq!(occupied(&app, &place).await, 50, "never over capacity");
    let accepted = store::with_pool!(app.db(), |p| {
        sqlx::query_as::<_, (i64,)>(
            "SELECT COUNT(*) FROM minor_transfers WHERE place_id = $1 AND status = 'accepted'",
        )
        .bind(&place)
        .fetch_one(p)
        .await
    })
    .unwrap();
    assert_eq!(accepted.0, 1, "the losers' answers were rolled back");
}

#[tokio::test]
async fn the_api_takes_a_minor_in_shows_the_clock_and_places_them() {
    let app = TestApp::new().await;
    let token = app.token_for("sara").await;
    let anna = app.token_for("anna").await;
    let mut c = app.client();
    let now = domain::clock::rome(chrono::Utc::now())
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let body = format!(
        r#"{{"person":{{"given_names":"Yonas","family_name":"Tesfamariam","sex":"male","nationality":"ER","languages":"ti"}},
            "declared_age":16,"arrived_at":"{now}","contact_place":"Stazione Tiburtina","brought_by":"police"}}"#
    );
    let r = c.api("POST", "/api/v1/minors", &token, Some(&body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let j = r.json();
    let id = j["id"].as_str().unwrap().to_string();
    assert_eq!(j["status"], "present");
    let terms = j["terms"].as_array().unwrap();
    assert!(
        terms.iter().any(|t| t["code"] == "first_reception"
            && t["basis"].as_str().unwrap().contains("DL 133/2023"))
    );
    // The same child again: the register's likely match is answered first.
    let again = c.api("POST", "/api/v1/minors", &token, Some(&body)).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.json()["code"], "possible_duplicate");
    let list = c.api("GET", "/api/v1/minors", &token, None).await;
    assert!(
        list.json()
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == id.as_str())
    );
    let bad_notice = c
        .api(
            "POST",
            &format!("/api/v1/minors/{id}/notices"),
            &token,
            Some(r#"{"recipient":"police","sent_on":"2026-01-01"}"#),
        )
        .await;
    assert_eq!(bad_notice.status, StatusCode::UNPROCESSABLE_ENTITY);
    let placement = c
        .api(
            "GET",
            &format!("/api/v1/minors/{id}/placement"),
            &token,
            None,
        )
        .await;
    assert_eq!(placement.status, StatusCode::OK, "{}", placement.body);
    let p = placement.json();
    let first = &p["offers"][0];
    assert_eq!(first["centre_name"], "Comunità Il Ponte (demo)");
    assert!(
        p["excluded"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["rule"] == "full")
    );
    let req = c
        .api(
            "POST",
            &format!("/api/v1/minors/{id}/transfers"),
            &token,
            Some(&format!(
                r#"{{"place_id":"{}"}}"#,
                first["place_id"].as_str().unwrap()
            )),
        )
        .await;
    assert_eq!(req.status, StatusCode::CREATED, "{}", req.body);
    let tid = req.json()["id"].as_str().unwrap().to_string();
    // The hub cannot answer for the facility; the facility can.
    let hub_accepts = c
        .api(
            "POST",
            &format!("/api/v1/transfers/{tid}/accept"),
            &token,
            Some("{}"),
        )
        .await;
    assert_eq!(hub_accepts.status, StatusCode::FORBIDDEN);
    let ok = c
        .api(
            "POST",
            &format!("/api/v1/transfers/{tid}/accept"),
            &anna,
            Some("{}"),
        )
        .await;
    assert_eq!(ok.json()["status"], "accepted", "{}", ok.body);
    let done = c
        .api(
            "POST",
            &format!("/api/v1/transfers/{tid}/complete"),
            &token,
            Some(&format!(
                r#"{{"completed_on":"{}"}}"#,
                domain::clock::today()
            )),
        )
        .await;
    assert_eq!(done.json()["status"], "completed", "{}", done.body);
    let record = c
        .api("GET", &format!("/api/v1/minors/{id}"), &token, None)
        .await;
    assert_eq!(record.json()["status"], "transferred");
    assert!(
        record.json()["movements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["kind"] == "exit")
    );
}

#[tokio::test]
async fn a_minor_placed_in_an_adult_centre_section_keeps_its_90_plus_60_day_term_on_the_record() {
    let app = TestApp::new().await;
    let mut c = sara(&app).await;
    let yonas = take_in(&mut c, "Yonas", 16, "ti").await;
    let place = place_of(&app, "CAS Salaria — sezione minori (demo)").await;
    c.get(&format!("/minors/{yonas}/placement")).await;
    let asked = c
        .post(
            &format!("/minors/{yonas}/transfers"),
            &[("place_id", &place)],
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    let transfer: (String,) = store::with_pool!(app.db(), |p| {
        sqlx::query_as("SELECT id FROM minor_transfers WHERE minor_id = $1")
            .bind(&yonas)
            .fetch_one(p)
            .await
    })
    .unwrap();
    let mut anna = app.client();
    anna.login_ok("anna").await;
    anna.get("/transfers").await;
    anna.post(&format!("/transfers/{}/accept", transfer.0), &[])
        .await;
    c.get(&format!("/minors/{yonas}/placement")).await;
    let today = domain::clock::today();
    let done = c
        .post(
            &format!("/transfers/{}/complete", transfer.0),
            &[("completed_on", &today.to_string()), ("minor_id", &yonas)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = c.get(&format!("/minors/{yonas}")).await;
    let row = page
        .body
        .split(r#"id="term-adult_section""#)
        .nth(1)
        .expect("the adult-section term is on the clock")
        .split("</tr>")
        .next()
        .unwrap();
    assert!(
        row.contains(&(today + chrono::Duration::days(90)).to_string()),
        "{row}"
    );
    assert!(
        row.contains(&(today + chrono::Duration::days(150)).to_string()),
        "{row}"
    );
}
