//! Inspections of reception centres: answers saved one by one with conflicts instead of
//! overwrites, scores, closing that freezes the record (a change made around the database's
//! guards is detected when the report is opened), the PDF with its hash, corrective actions
//! answered by the centre and verified or reopened by the office, risk-ranked planning, and
//! who sees what.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;

use crate::support::*;

async fn centre_id(app: &TestApp, code: &str) -> String {
    let row: (String,) = store::with_pool!(app.db(), |p| {
        sqlx::query_as("SELECT id FROM centres WHERE code = $1")
            .bind(code)
            .fetch_one(p)
            .await
    })
    .unwrap();
    row.0
}

/// Runs a statement as someone with direct database access would (the write pool).
async fn exec(app: &TestApp, sql: &str) -> Result<(), String> {
    let q = || sqlx::AssertSqlSafe(sql.to_string());
    match &app.db().pools {
        store::db::Pools::Sqlite { write, .. } => sqlx::query(q()).execute(write).await.map(|_| ()),
        store::db::Pools::Postgres(pg) => sqlx::query(q()).execute(pg).await.map(|_| ()),
    }
    .map_err(|e| e.to_string())
}

fn text_of(pdf: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(pdf)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A PNG of one pixel: what a phone's camera would send, as far as the type check goes.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0,
    1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89, 0, 0, 0, 10, 0x49, 0x44, 0x41, 0x54,
    0x78, 0x9C, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0D, 0x0A, 0x2D, 0xB4, 0, 0, 0, 0, 0x49, 0x45, 0x4E,
    0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// Paolo plans an unannounced inspection of a centre and opens its checklist.
async fn planned(app: &TestApp, paolo: &mut Client, code: &str) -> String {
    let centre = centre_id(app, code).await;
    paolo.get("/inspections/new").await;
    let r = paolo
        .post(
            "/inspections",
            &[
                ("centre_id", &centre),
                ("kind", "unannounced"),
                ("planned_on", &domain::clock::today().to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = r.location().trim_start_matches("/inspections/").to_string();
    let page = paolo.get(&format!("/inspections/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    id
}

/// The item ids of an inspection's checklist with their kinds.
async fn items(app: &TestApp, id: &str) -> Vec<(String, String)> {
    let s = store::inspections::sheet(app.db(), &store::Ctx::system("t"), id)
        .await
        .unwrap();
    s.items
        .iter()
        .map(|i| (i.id.clone(), i.item.kind.clone()))
        .collect()
}

async fn answer(c: &mut Client, id: &str, item: &str, value: &str, rev: i32) -> Resp {
    c.post(
        &format!("/inspections/{id}/answer"),
        &[
            ("item", item),
            ("value", value),
            ("note", ""),
            ("rev", &rev.to_string()),
        ],
    )
    .await
}

/// Answers every yes/no item "yes" except those listed "no", and numbers at their target.
async fn answer_all(app: &TestApp, c: &mut Client, id: &str, no: &[&str]) {
    for (item, kind) in items(app, id).await {
        let value = match kind.as_str() {
            "yes_no" if no.iter().any(|n| item.ends_with(n)) => "no",
            "yes_no" => "yes",
            "number" => "100",
            _ => continue,
        };
        let r = answer(c, id, &item, value, 0).await;
        assert_eq!(r.status, StatusCode::OK, "{item}: {}", r.body);
    }
}

async fn close(c: &mut Client, id: &str) -> Resp {
    let page = c.get(&format!("/inspections/{id}")).await;
    let version = page
        .body
        .split("name=\"version\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    c.post(
        &format!("/inspections/{id}/close"),
        &[
            ("visited_on", &domain::clock::today().to_string()),
            ("summary", "Visita senza preavviso."),
            ("version", &version),
        ],
    )
    .await
}

#[tokio::test]
async fn answers_are_saved_one_by_one_and_a_stale_one_is_a_conflict_not_an_overwrite() {
    let app = TestApp::new().await;
    let mut paolo = app.client();
    paolo.login_ok("paolo").await;
    let id = planned(&app, &mut paolo, "CAS-RM-0102").await;
    let item = items(&app, &id).await[0].0.clone();
    let r = answer(&mut paolo, &id, &item, "yes", 0).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["rev"], 1);
    // The same answer again (a retry after a dropped connection) is fine.
    let again = answer(&mut paolo, &id, &item, "yes", 0).await;
    assert_eq!(again.status, StatusCode::OK);
    // A second device that never saw revision 1 does not overwrite it.
    let mut tablet = app.client();
    tablet.login_ok("paolo").await;
    tablet.get(&format!("/inspections/{id}")).await;
    let clash = answer(&mut tablet, &id, &item, "no", 0).await;
    assert_eq!(clash.status, StatusCode::CONFLICT, "{}", clash.body);
    assert_eq!(clash.json()["value"], "yes");
    assert!(clash.json()["message"].as_str().unwrap().contains("Sì"));
    let ok = answer(&mut tablet, &id, &item, "no", 1).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.json()["rev"], 2);
    // Bad values get a message, not a 500.
    let bad = answer(&mut paolo, &id, &item, "maybe", 2).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!bad.json()["message"].as_str().unwrap().is_empty());
    let number = items(&app, &id)
        .await
        .into_iter()
        .find(|(_, k)| k == "number")
        .unwrap()
        .0;
    let nan = answer(&mut paolo, &id, &number, "dodici", 0).await;
    assert_eq!(nan.status, StatusCode::UNPROCESSABLE_ENTITY);
    let comma = answer(&mut paolo, &id, &number, "12,5", 0).await;
    assert_eq!(comma.status, StatusCode::OK);
    // The whole form without script saves too, and reports the clash beside the item.
    let stale = paolo
        .post(
            &format!("/inspections/{id}/answers"),
            &[(&format!("v-{item}"), "na"), (&format!("r-{item}"), "1")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert!(stale.body.contains("un altro ispettore"));
    let saved = paolo
        .post(
            &format!("/inspections/{id}/answers"),
            &[(&format!("v-{item}"), "na"), (&format!("r-{item}"), "2")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
}

#[tokio::test]
async fn closing_needs_every_answer_then_scores_freezes_and_prints_the_hash() {
    let app = TestApp::new().await;
    let mut paolo = app.client();
    paolo.login_ok("paolo").await;
    let id = planned(&app, &mut paolo, "CAS-RM-0102").await;
    // Nothing answered: closing lists what is missing and nothing changes.
    let refused = close(&mut paolo, &id).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("prima di chiudere"),
        "{}",
        refused.body
    );
    let i = store::inspections::load(app.db(), &id)
        .await
        .unwrap()
        .unwrap();
    assert!(i.content_hash.is_none());
    // Mediation missing (weight 3 of the 2023 checklist's scored weights).
    answer_all(&app, &mut paolo, &id, &["-03"]).await;
    let items = items(&app, &id).await;
    let mediation = items
        .iter()
        .find(|(i, _)| i.ends_with("-03"))
        .unwrap()
        .0
        .clone();
    let f = paolo
        .post(
            &format!("/inspections/{id}/findings"),
            &[
                ("item_id", &mediation),
                ("severity", "major"),
                ("description", "Nessuna ora di mediazione nell'ultimo mese."),
                ("action_required", "Attivare il servizio di mediazione."),
                ("due_days", "30"),
            ],
        )
        .await;
    assert_eq!(f.status, StatusCode::SEE_OTHER, "{}", f.body);
    let r = close(&mut paolo, &id).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let report = paolo.get(&format!("/inspections/{id}")).await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(report.body.contains("Contenuto verificato"));
    let i = store::inspections::load(app.db(), &id)
        .await
        .unwrap()
        .unwrap();
    let hash = i.content_hash.clone().unwrap();
    assert!(report.body.contains(&hash));
    assert_eq!(i.status, "closed");
    let score = i.score.unwrap();
    assert!(score > 70.0 && score < 100.0, "{score}");
    // The database itself refuses any change to the closed inspection.
    assert!(
        exec(&app, "UPDATE inspection_answers SET value = 'yes'")
            .await
            .is_err()
    );
    assert!(
        exec(
            &app,
            &format!("UPDATE inspections SET summary = 'x' WHERE id = '{id}'")
        )
        .await
        .is_err()
    );
    assert!(
        exec(&app, "DELETE FROM findings").await.is_err(),
        "findings of a closed inspection are frozen"
    );
    let late = answer(&mut paolo, &id, &mediation, "yes", 1).await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The report PDF, read back, carries the hash and the finding.
    let pdf = paolo.get(&format!("/inspections/{id}/report.pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    let text = text_of(&pdf.bytes);
    assert!(text.contains(&hash[..32]), "{text}");
    assert!(text.contains("Nessuna ora di mediazione"), "{text}");
    assert!(text.contains("CAS Monte Sacro"), "{text}");
    // The finding became a corrective action due in 30 days.
    let actions = store::corrective::list(
        app.db(),
        &store::Ctx::system("t"),
        &store::corrective::Filter::default(),
    )
    .await
    .unwrap();
    let a = actions.iter().find(|a| a.inspection_id == id).unwrap();
    assert_eq!(
        a.due_on,
        domain::clock::today() + chrono::Duration::days(30)
    );
    assert_eq!(a.status, "open");
}

#[tokio::test]
async fn a_closed_report_changed_around_the_guards_is_detected_and_audited() {
    let app = TestApp::new().await;
    let mut paolo = app.client();
    paolo.login_ok("paolo").await;
    let id = planned(&app, &mut paolo, "CAS-RM-0102").await;
    answer_all(&app, &mut paolo, &id, &[]).await;
    assert_eq!(close(&mut paolo, &id).await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        paolo.get(&format!("/inspections/{id}")).await.status,
        StatusCode::OK
    );
    // Someone with database access switches the guard off and turns a "yes" into a "no".
    let sqlite = app.db().engine_name() == "sqlite";
    if sqlite {
        exec(&app, "DROP TRIGGER inspection_answers_closed_update")
            .await
            .unwrap();
    } else {
        exec(&app, "ALTER TABLE inspection_answers DISABLE TRIGGER USER")
            .await
            .unwrap();
    }
    exec(
        &app,
        &format!(
            "UPDATE inspection_answers SET value = 'no' WHERE inspection_id = '{id}' AND value = 'yes'"
        ),
    )
    .await
    .unwrap();
    let page = paolo.get(&format!("/inspections/{id}")).await;
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.body);
    assert!(page.body.contains("alterato"), "{}", page.body);
    let pdf = paolo.get(&format!("/inspections/{id}/report.pdf")).await;
    assert_eq!(pdf.status, StatusCode::CONFLICT);
    assert!(
        app.audit_actions(&id)
            .await
            .contains(&"inspection.tampered".to_string())
    );
}

#[tokio::test]
async fn a_rewritten_content_that_no_longer_matches_its_hash_is_detected() {
    let app = TestApp::new().await;
    let mut paolo = app.client();
    paolo.login_ok("paolo").await;
    let tevere = centre_id(&app, "CAS-RM-0207").await;
    let closed = store::inspections::list(app.db(), &store::Ctx::system("t"), Some(&tevere))
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.is_closed())
        .unwrap();
    assert_eq!(
        paolo
            .get(&format!("/inspections/{}", closed.id))
            .await
            .status,
        StatusCode::OK
    );
    if app.db().engine_name() == "sqlite" {
        exec(&app, "DROP TRIGGER inspections_closed_update")
            .await
            .unwrap();
    } else {
        exec(&app, "ALTER TABLE inspections DISABLE TRIGGER USER")
            .await
            .unwrap();
    }
    exec(
        &app,
        &format!(
            "UPDATE inspections SET content = REPLACE(content, '\"major\"', '\"minor\"') WHERE id = '{}'",
            closed.id
        ),
    )
    .await
    .unwrap();
    let page = paolo.get(&format!("/inspections/{}", closed.id)).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_manager_answers_with_evidence_and_the_inspector_reopens_then_verifies() {
    let app = TestApp::new().await;
    let tevere = centre_id(&app, "CAS-RM-0207").await;
    let action = store::corrective::list(
        app.db(),
        &store::Ctx::system("t"),
        &store::corrective::Filter {
            centre: tevere,
            status: String::new(),
        },
    )
    .await
    .unwrap()
    .remove(0);
    let path = format!("/actions/{}", action.id);
    let mut bruno = app.client();
    bruno.login_ok("bruno").await;
    let page = bruno.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Servizi igienici"));
    // No text: refused with a message, the file is not lost silently.
    let empty = bruno
        .post_multipart(
            &format!("{path}/answer"),
            &[("version", "1")],
            Some(("bagno.png", PNG)),
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = bruno
        .post_multipart(
            &format!("{path}/answer"),
            &[
                ("body", "Servizi riparati il 20 novembre."),
                ("version", "1"),
            ],
            Some(("bagno.png", PNG)),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // A stale form is a conflict.
    let stale = bruno
        .post_multipart(
            &format!("{path}/answer"),
            &[("body", "Di nuovo."), ("version", "1")],
            None,
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let mut paolo = app.client();
    paolo.login_ok("paolo").await;
    let page = paolo.get(&path).await;
    assert!(page.body.contains("bagno.png"));
    let file = page
        .body
        .split("/files/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let download = paolo
        .get(&format!(
            "/inspections/{}/files/{file}",
            action.inspection_id
        ))
        .await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.bytes, PNG);
    // Reopening needs a reason and a future deadline.
    let bad = paolo
        .post(
            &format!("{path}/reopen"),
            &[
                ("body", "Manca la fattura."),
                ("due_on", "2020-01-01"),
                ("version", "2"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let due = (domain::clock::today() + chrono::Duration::days(15)).to_string();
    let reopened = paolo
        .post(
            &format!("{path}/reopen"),
            &[
                ("body", "Manca la fattura."),
                ("due_on", &due),
                ("version", "2"),
            ],
        )
        .await;
    assert_eq!(reopened.status, StatusCode::SEE_OTHER, "{}", reopened.body);
    // Verifying what is not answered is refused.
    let early = paolo
        .post(&format!("{path}/verify"), &[("body", ""), ("version", "3")])
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    bruno.get(&path).await;
    let again = bruno
        .post_multipart(
            &format!("{path}/answer"),
            &[("body", "Fattura allegata."), ("version", "3")],
            Some(("fattura.pdf", TINY_PDF)),
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    paolo.get(&path).await;
    let ok = paolo
        .post(
            &format!("{path}/verify"),
            &[("body", "Conforme."), ("version", "4")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let penalty = paolo
        .post(
            &format!("{path}/penalty"),
            &[
                ("amount", "1.250,00"),
                ("body", "Art. 12 del capitolato."),
                ("version", "5"),
            ],
        )
        .await;
    assert_eq!(penalty.status, StatusCode::SEE_OTHER, "{}", penalty.body);
    let (a, events) = store::corrective::get(app.db(), &store::Ctx::system("t"), &action.id)
        .await
        .unwrap();
    assert_eq!(a.status, "verified");
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["answer", "reopen", "answer", "verify", "penalty"]);
    assert_eq!(events[4].amount_cents, Some(125_000));
    assert_eq!(events[1].due_on.map(|d| d.to_string()), Some(due));
}

#[tokio::test]
async fn managers_see_only_their_centres_and_never_an_unannounced_visit_before_it_closes() {
    let app = TestApp::new().await;
    let mut paolo = app.client();
    paolo.login_ok("paolo").await;
    let id = planned(&app, &mut paolo, "CAS-RM-0101").await;
    let mut anna = app.client();
    anna.login_ok("anna").await;
    let mut bruno = app.client();
    bruno.login_ok("bruno").await;
    // The visit under way is invisible to the centre's own manager.
    assert_eq!(
        anna.get(&format!("/inspections/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let casilina = centre_id(&app, "CAS-RM-0101").await;
    let page = anna.get(&format!("/centres/{casilina}")).await;
    assert!(!page.body.contains(&id));
    assert_eq!(
        anna.post(
            &format!("/inspections/{id}/answer"),
            &[("item", "x"), ("value", "yes")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    answer_all(&app, &mut paolo, &id, &["-03"]).await;
    assert_eq!(close(&mut paolo, &id).await.status, StatusCode::SEE_OTHER);
    // Closed: Anna reads the report; Bruno, of another body, does not even see it exists.
    assert_eq!(
        anna.get(&format!("/inspections/{id}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        bruno.get(&format!("/inspections/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        bruno
            .get(&format!("/inspections/{id}/report.pdf"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        bruno.get(&format!("/centres/{casilina}")).await.status,
        StatusCode::FORBIDDEN
    );
    let list = bruno.get("/actions?status=all").await;
    assert!(list.body.contains("Servizi igienici"));
    assert!(!list.body.contains("Via Casilina"));
    // Bruno's action is his alone to answer.
    let tevere_action = store::corrective::list(
        app.db(),
        &store::Ctx::system("t"),
        &store::corrective::Filter {
            centre: centre_id(&app, "CAS-RM-0207").await,
            status: String::new(),
        },
    )
    .await
    .unwrap()
    .remove(0);
    assert_eq!(
        anna.get(&format!("/actions/{}", tevere_action.id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    anna.get("/actions").await;
    let r = anna
        .post_multipart(
            &format!("/actions/{}/answer", tevere_action.id),
            &[("body", "Non mio."), ("version", "1")],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Managers neither verify nor plan.
    assert_eq!(
        anna.post(
            &format!("/actions/{}/verify", tevere_action.id),
            &[("version", "1")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        anna.get("/monitoring/planning").await.status,
        StatusCode::FORBIDDEN
    );
    // The API keeps the same boundary.
    let token = app.token_for("bruno").await;
    let mine = bruno.api("GET", "/api/v1/inspections", &token, None).await;
    assert_eq!(mine.status, StatusCode::OK);
    let list = mine.json();
    assert!(!list.as_array().unwrap().is_empty());
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|i| i["centre_name"] == "CAS Tevere Nord (demo)")
    );
    let theirs = bruno
        .api("GET", &format!("/api/v1/inspections/{id}"), &token, None)
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    // Analysts see the figures and nothing of any centre.
    let mut analyst = app.client();
    analyst.login_ok("elena").await;
    let figures = analyst.get("/monitoring/figures").await;
    assert_eq!(figures.status, StatusCode::OK, "{}", figures.body);
    assert!(!figures.body.contains("Casilina"));
    assert_eq!(
        analyst.get("/inspections").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(analyst.get("/centres").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn planning_ranks_the_unseen_overcrowded_centre_with_critical_events_first() {
    let app = TestApp::new().await;
    let ranked = store::risk::ranking(app.db(), &store::Ctx::system("t"))
        .await
        .unwrap();
    let names: Vec<&str> = ranked.iter().map(|r| r.centre.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "CAS Via Casilina (demo)",
            "CAS Monte Sacro (demo)",
            "CAS Tevere Nord (demo)"
        ]
    );
    let top = &ranked[0].risk;
    assert!(
        top.reasons
            .iter()
            .any(|r| r.0 == domain::monitoring::Reason::MonthsSinceInspection(14))
    );
    assert!(
        top.reasons
            .iter()
            .any(|r| r.0 == domain::monitoring::Reason::CriticalEvents(2))
    );
    let mut paolo = app.client();
    paolo.login_ok("paolo").await;
    let page = paolo.get("/monitoring/planning").await;
    assert_eq!(page.status, StatusCode::OK);
    let a = page.body.find("CAS Via Casilina").unwrap();
    let b = page.body.find("CAS Tevere Nord").unwrap();
    assert!(a < b);
    assert!(
        page.body.contains("14 mesi dall&#39;ultima visita")
            || page.body.contains("14 mesi dall'ultima visita"),
        "{}",
        page.body
    );
    // A critical event logged now moves Tevere Nord up.
    let mut bruno = app.client();
    bruno.login_ok("bruno").await;
    let tevere = centre_id(&app, "CAS-RM-0207").await;
    bruno.get(&format!("/centres/{tevere}")).await;
    for _ in 0..4 {
        let r = bruno
            .post(
                &format!("/centres/{tevere}/events"),
                &[
                    ("kind", "critical_event"),
                    ("category", "violence"),
                    ("occurred_on", &domain::clock::today().to_string()),
                    ("description", "Lite in mensa."),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let ranked = store::risk::ranking(app.db(), &store::Ctx::system("t"))
        .await
        .unwrap();
    assert_eq!(ranked[1].centre.name, "CAS Tevere Nord (demo)");
}

#[tokio::test]
async fn events_are_sealed_and_logged_only_for_ones_own_centres() {
    let app = TestApp::new().await;
    let mut anna = app.client();
    anna.login_ok("anna").await;
    let casilina = centre_id(&app, "CAS-RM-0101").await;
    let tevere = centre_id(&app, "CAS-RM-0207").await;
    anna.get(&format!("/centres/{casilina}")).await;
    let bad = anna
        .post(
            &format!("/centres/{casilina}/events"),
            &[
                ("kind", "complaint"),
                ("category", "violence"),
                ("occurred_on", "2099-01-01"),
                ("description", "Menù senza alternative halal."),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // What was typed comes back.
    assert!(bad.body.contains("Menù senza alternative halal."));
    let ok = anna
        .post(
            &format!("/centres/{casilina}/events"),
            &[
                ("kind", "complaint"),
                ("category", "food"),
                ("occurred_on", &domain::clock::today().to_string()),
                ("description", "Menù senza alternative halal."),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let page = anna.get(&format!("/centres/{casilina}")).await;
    assert!(page.body.contains("Menù senza alternative halal."));
    // Legal notes are not for the centre.
    assert!(!page.body.contains("Ricorso contro il diniego"));
    let stored: Vec<(String,)> = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT sealed FROM centre_events"
    )
    .fetch_all(p)
    .await)
    .unwrap();
    assert!(stored.iter().all(|s| !s.0.contains("halal")));
    let other = anna
        .post(
            &format!("/centres/{tevere}/events"),
            &[
                ("kind", "complaint"),
                ("category", "food"),
                ("occurred_on", &domain::clock::today().to_string()),
                ("description", "x"),
            ],
        )
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    // The inspector sees the legal consultations.
    let mut paolo = app.client();
    paolo.login_ok("paolo").await;
    let page = paolo.get(&format!("/centres/{casilina}")).await;
    assert!(page.body.contains("Ricorso contro il diniego"));
}

#[tokio::test]
async fn the_api_lists_actions_and_takes_answers_with_the_same_rules() {
    let app = TestApp::new().await;
    let bruno_token = app.token_for("bruno").await;
    let paolo_token = app.token_for("paolo").await;
    let mut c = app.client();
    let list = c.api("GET", "/api/v1/actions", &bruno_token, None).await;
    assert_eq!(list.status, StatusCode::OK);
    let id = list.json()[0]["id"].as_str().unwrap().to_string();
    let answered = c
        .api(
            "POST",
            &format!("/api/v1/actions/{id}/answer"),
            &bruno_token,
            Some(r#"{"body":"Riparato.","version":1}"#),
        )
        .await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.body);
    assert_eq!(answered.json()["status"], "answered");
    let not_his = c
        .api(
            "POST",
            &format!("/api/v1/actions/{id}/verify"),
            &bruno_token,
            Some(r#"{"version":2}"#),
        )
        .await;
    assert_eq!(not_his.status, StatusCode::FORBIDDEN);
    let verified = c
        .api(
            "POST",
            &format!("/api/v1/actions/{id}/verify"),
            &paolo_token,
            Some(r#"{"version":2}"#),
        )
        .await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    assert_eq!(verified.json()["status"], "verified");
    let spec = c.get("/api/openapi.json").await;
    assert!(spec.body.contains("/api/v1/inspections/{id}/answers"));
}

#[tokio::test]
async fn an_inspection_can_be_planned_filled_and_closed_through_the_api() {
    let app = TestApp::new().await;
    let token = app.token_for("paolo").await;
    let centre = centre_id(&app, "CAS-RM-0102").await;
    let mut c = app.client();
    let bad = c
        .api(
            "POST",
            "/api/v1/inspections",
            &token,
            Some(&format!(
                r#"{{"centre_id":"{centre}","kind":"surprise","planned_on":"2026-13-01"}}"#
            )),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = bad.json()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["kind", "planned_on"]);
    let created = c
        .api(
            "POST",
            "/api/v1/inspections",
            &token,
            Some(&format!(
                r#"{{"centre_id":"{centre}","kind":"unannounced","planned_on":"{}"}}"#,
                domain::clock::today()
            )),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_string();
    assert_eq!(created.json()["team"], "Paolo Ferri");
    for (item, kind) in items(&app, &id).await {
        let value = match kind.as_str() {
            "yes_no" => "yes",
            "number" => "100",
            _ => continue,
        };
        let r = c
            .api(
                "POST",
                &format!("/api/v1/inspections/{id}/answers"),
                &token,
                Some(&format!(r#"{{"item_id":"{item}","value":"{value}"}}"#)),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let f = c
        .api(
            "POST",
            &format!("/api/v1/inspections/{id}/findings"),
            &token,
            Some(r#"{"severity":"minor","description":"Registro non firmato.","action_required":"Firmare il registro.","due_days":15}"#),
        )
        .await;
    assert_eq!(f.status, StatusCode::CREATED, "{}", f.body);
    let version = f.json()["version"].as_i64().unwrap();
    let closed = c
        .api(
            "POST",
            &format!("/api/v1/inspections/{id}/close"),
            &token,
            Some(&format!(
                r#"{{"visited_on":"{}","summary":"Tutto in ordine.","version":{version}}}"#,
                domain::clock::today()
            )),
        )
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    let j = closed.json();
    assert_eq!(j["status"], "closed");
    assert_eq!(j["verified"], true);
    assert_eq!(j["score"], 100.0);
    assert_eq!(j["content_hash"].as_str().unwrap().len(), 64);
    let again = c
        .api(
            "POST",
            &format!("/api/v1/inspections/{id}/close"),
            &token,
            Some(&format!(
                r#"{{"visited_on":"{}","summary":"x","version":{version}}}"#,
                domain::clock::today()
            )),
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
}
