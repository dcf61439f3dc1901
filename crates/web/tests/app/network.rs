//! The network's bodies and meetings: minutes through their states (and frozen once
//! approved), who reads them when, the PDF checked against its hash, and action items on
//! their owner's home page until done.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;

use crate::support::*;

fn pdf_text(pdf: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(pdf)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn hidden(page: &Resp, name: &str) -> String {
    page.body
        .split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .to_string()
}

/// Yesterday's demo council meeting, still to be recorded.
async fn yesterdays_meeting(app: &TestApp) -> String {
    let (id,): (String,) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT id FROM meetings WHERE status = 'planned' AND starts_at < $1 ORDER BY starts_at DESC LIMIT 1"
    )
    .bind(store::Ts::now())
    .fetch_one(p)
    .await)
    .unwrap();
    id
}

async fn step(c: &mut Client, id: &str, fields: &[(&str, &str)]) -> Resp {
    let page = c.get(&format!("/network/meetings/{id}")).await;
    let version = hidden(&page, "version");
    let mut all = vec![("version", version.as_str())];
    all.extend_from_slice(fields);
    c.post(&format!("/network/meetings/{id}"), &all).await
}

#[tokio::test]
async fn minutes_go_from_draft_to_approved_to_published_and_freeze_on_approval() {
    let app = TestApp::new().await;
    let id = yesterdays_meeting(&app).await;
    let mut marco = app.client();
    marco.login_ok("marco").await;

    // Minutes need the meeting held (its attendance recorded) first.
    let r = step(
        &mut marco,
        &id,
        &[("step", "minutes"), ("minutes", "Testo")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = marco.get(&format!("/network/meetings/{id}")).await;
    let members: Vec<String> = page
        .body
        .split("name=\"present\" value=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect();
    assert!(members.len() >= 5);
    let mut fields = vec![("step", "attendance")];
    for m in &members[..4] {
        fields.push(("present", m.as_str()));
    }
    let r = step(&mut marco, &id, &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // Approving needs a draft; publishing needs approval.
    let r = step(&mut marco, &id, &[("step", "approve")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = step(&mut marco, &id, &[("step", "publish")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let minutes = "Seduta aperta alle 10. Il Consiglio esamina le presenze all'hub.";
    let r = step(
        &mut marco,
        &id,
        &[("step", "minutes"), ("minutes", minutes)],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = step(
        &mut marco,
        &id,
        &[
            ("step", "decision"),
            ("decision", "Convocare il gruppo di lavoro sui minori."),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // A draft is the secretariat's: a member does not read it yet.
    let mut chiara = app.client();
    chiara.login_ok("chiara").await;
    let draft = chiara.get(&format!("/network/meetings/{id}")).await;
    assert_eq!(draft.status, StatusCode::OK);
    assert!(!draft.body.contains("Seduta aperta alle 10"));
    assert!(!draft.body.contains("Convocare il gruppo"));

    let r = step(&mut marco, &id, &[("step", "approve")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Frozen: no edit of the minutes, the decisions or the attendance.
    for fields in [
        vec![("step", "minutes"), ("minutes", "Altro testo")],
        vec![("step", "decision"), ("decision", "Altro")],
        vec![("step", "attendance")],
    ] {
        let r = step(&mut marco, &id, &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
    }
    // A stale form is a conflict, not a silent overwrite.
    let r = marco
        .post(
            &format!("/network/meetings/{id}"),
            &[("version", "1"), ("step", "publish")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = step(&mut marco, &id, &[("step", "publish")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    let published = chiara.get(&format!("/network/meetings/{id}")).await;
    assert!(published.body.contains("Seduta aperta alle 10"));
    assert!(
        published
            .body
            .contains("Convocare il gruppo di lavoro sui minori.")
    );
    let pdf = chiara
        .get(&format!("/network/meetings/{id}/minutes.pdf"))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    let text = pdf_text(&pdf.bytes);
    assert!(text.contains("Seduta aperta alle 10"), "{text}");
    let (hash,): (String,) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT minutes_hash FROM meetings WHERE id = $1"
    )
    .bind(&id)
    .fetch_one(p)
    .await)
    .unwrap();
    assert!(text.contains(&hash[..16]), "the hash is printed");
    let actions = app.audit_actions(&id).await;
    for a in [
        "meeting.attendance",
        "meeting.minutes.save",
        "meeting.minutes.approve",
        "meeting.minutes.publish",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} audited");
    }

    // Minutes changed behind the application's back are not printed.
    let mut tx = app.db().begin().await.unwrap();
    store::with_tx!(&mut tx, |c| sqlx::query(
        "UPDATE meetings SET minutes = 'falso' WHERE id = $1"
    )
    .bind(&id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    tx.commit().await.unwrap();
    let r = chiara
        .get(&format!("/network/meetings/{id}/minutes.pdf"))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn action_items_stay_on_the_owners_home_page_until_done() {
    let app = TestApp::new().await;
    let mut chiara = app.client();
    chiara.login_ok("chiara").await;
    let home = chiara.get("/").await;
    assert!(
        home.body
            .contains("Inviare alla segreteria la mappatura dei patronati convenzionati")
    );
    // Due in five days: flagged as due soon.
    assert!(home.body.contains("deadline-due_soon"), "{}", home.body);

    // An item already past its date is flagged overdue.
    let chiara_id = app.user_id("chiara").await;
    let ctx = store::Ctx::system("test");
    let meeting = yesterdays_meeting(&app).await;
    let overdue = store::governance::add_action(
        app.db(),
        &ctx,
        &meeting,
        &store::governance::ActionInput {
            title: "Relazione in ritardo".into(),
            owner_id: chiara_id,
            due_on: (domain::clock::today() - chrono::Duration::days(2)).to_string(),
        },
    )
    .await
    .unwrap();
    let home = chiara.get("/").await;
    assert!(home.body.contains("deadline-overdue"));
    // The overdue one comes first.
    assert!(
        home.body.find("Relazione in ritardo").unwrap()
            < home.body.find("Inviare alla segreteria").unwrap()
    );

    // Nobody else marks it done (the secretariat may).
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    let r = giulia
        .post(
            &format!("/network/actions/{overdue}/done"),
            &[("version", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = chiara
        .post(
            &format!("/network/actions/{overdue}/done"),
            &[("version", "1"), ("note", "Inviata")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let home = chiara.get("/?done=action").await;
    assert!(!home.body.contains("Relazione in ritardo"));
    assert!(
        home.body.contains("Inviare alla segreteria"),
        "the other stays"
    );
}

#[tokio::test]
async fn only_the_secretariat_runs_bodies_and_bad_input_comes_back_with_its_errors() {
    let app = TestApp::new().await;
    let mut chiara = app.client();
    chiara.login_ok("chiara").await;
    let list = chiara.get("/network").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body
            .contains("Consiglio Territoriale per l'Immigrazione di Roma (demo)")
            || list
                .body
                .contains("Consiglio Territoriale per l&#39;Immigrazione")
    );
    let r = chiara
        .post(
            "/network/bodies",
            &[("kind", "working_group"), ("name", "Gruppo")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let mut marco = app.client();
    marco.login_ok("marco").await;
    let r = marco
        .post("/network/bodies", &[("kind", "nope"), ("name", "")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = marco
        .post(
            "/network/bodies",
            &[("kind", "working_group"), ("name", "Gruppo minori")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let body = r
        .location()
        .split('/')
        .nth(3)
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let r = marco
        .post(
            &format!("/network/bodies/{body}/meetings"),
            &[
                ("starts_at", "domani"),
                ("agenda", "Punto uno"),
                ("link", "javascript:alert(1)"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Punto uno"), "typed agenda kept");
    assert!(r.body.contains("https://"));
}

#[tokio::test]
async fn the_api_runs_a_meeting_and_the_helpdesk_with_the_same_rules() {
    let app = TestApp::new().await;
    let marco = app.token_for("marco").await;
    let chiara = app.token_for("chiara").await;
    let luca = app.token_for("luca").await;
    let mut c = app.client();

    let bodies = c.api("GET", "/api/v1/bodies", &chiara, None).await;
    assert_eq!(bodies.status, StatusCode::OK);
    let ctim = bodies
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["kind"] == "ctim")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let body = r#"{"starts_at":"2026-01-20T10:00","place":"Prefettura","agenda":["Uno","Due"]}"#;
    let refused = c
        .api(
            "POST",
            &format!("/api/v1/bodies/{ctim}/meetings"),
            &chiara,
            Some(body),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let made = c
        .api(
            "POST",
            &format!("/api/v1/bodies/{ctim}/meetings"),
            &marco,
            Some(body),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let m = made.json();
    let id = m["id"].as_str().unwrap().to_string();
    let present: Vec<String> = m["attendance"]
        .as_array()
        .unwrap()
        .iter()
        .take(3)
        .map(|a| a["member_id"].as_str().unwrap().to_string())
        .collect();
    let r = c
        .api(
            "PUT",
            &format!("/api/v1/meetings/{id}/attendance"),
            &marco,
            Some(&serde_json::json!({"version": 1, "present": present}).to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json()["version"].as_i64().unwrap();
    let r = c
        .api(
            "POST",
            &format!("/api/v1/meetings/{id}/minutes"),
            &marco,
            Some(&serde_json::json!({"version": v, "step": "save", "text": "Verbale via API", "decisions": ["Una decisione"]}).to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // A draft is not the members' to read.
    let seen = c
        .api("GET", &format!("/api/v1/meetings/{id}"), &chiara, None)
        .await;
    assert_eq!(seen.json()["minutes"], "");
    assert_eq!(seen.json()["decisions"].as_array().unwrap().len(), 0);
    let v = r.json()["version"].as_i64().unwrap();
    for step in ["approve", "publish"] {
        let r = c
            .api(
                "POST",
                &format!("/api/v1/meetings/{id}/minutes"),
                &marco,
                Some(
                    &serde_json::json!({"version": v + i64::from(step == "publish"), "step": step})
                        .to_string(),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{step}: {}", r.body);
    }
    let seen = c
        .api("GET", &format!("/api/v1/meetings/{id}"), &chiara, None)
        .await;
    assert_eq!(seen.json()["minutes"], "Verbale via API");
    assert_eq!(seen.json()["minutes_state"], "published");

    let chiara_id = app.user_id("chiara").await;
    let r = c
        .api(
            "POST",
            &format!("/api/v1/meetings/{id}/action-items"),
            &marco,
            Some(&serde_json::json!({"title": "Azione via API", "owner_id": chiara_id, "due_on": "2026-12-31"}).to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let mine = c.api("GET", "/api/v1/action-items", &chiara, None).await;
    let item = mine
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Azione via API")
        .unwrap()
        .clone();
    let r = c
        .api(
            "POST",
            &format!("/api/v1/action-items/{}/done", item["id"].as_str().unwrap()),
            &chiara,
            Some(&serde_json::json!({"version": item["version"], "note": "Fatto"}).to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(!r.body.contains("Azione via API"));

    // The helpdesk: asked by a patronato, answered by the Prefecture.
    let q = c
        .api(
            "POST",
            "/api/v1/helpdesk/questions",
            &luca,
            Some(r#"{"subject":"Domanda via API","body":"Testo"}"#),
        )
        .await;
    assert_eq!(q.status, StatusCode::CREATED, "{}", q.body);
    let qid = q.json()["id"].as_str().unwrap().to_string();
    let refused = c
        .api(
            "POST",
            &format!("/api/v1/helpdesk/questions/{qid}/answer"),
            &luca,
            Some(r#"{"version":1,"answer":"x"}"#),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let a = c
        .api(
            "POST",
            &format!("/api/v1/helpdesk/questions/{qid}/answer"),
            &marco,
            Some(r#"{"version":1,"answer":"Risposta"}"#),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.json()["status"], "answered");
    assert!(a.json()["response_hours"].is_number());
    let kb = c.api("GET", "/api/v1/kb?q=alloggiativa", &luca, None).await;
    assert_eq!(kb.json().as_array().unwrap().len(), 1);
    let courses = c.api("GET", "/api/v1/courses", &luca, None).await;
    assert_eq!(courses.json().as_array().unwrap().len(), 1);
    // A course's record lists its sessions; the count keeps its own name (found by
    // schemathesis: both were `sessions`, and the record carried the key twice).
    let course = &courses.json()[0];
    assert!(course["session_count"].as_i64().unwrap() >= 1);
    let id = course["id"].as_str().unwrap().to_string();
    let record = c
        .api("GET", &format!("/api/v1/courses/{id}"), &luca, None)
        .await;
    assert_eq!(record.status, StatusCode::OK, "{}", record.body);
    assert_eq!(
        record.body.matches("\"sessions\"").count(),
        1,
        "{}",
        record.body
    );
    assert!(record.json()["sessions"].is_array());
}

#[tokio::test]
async fn a_meeting_document_is_stored_sealed_checked_by_type_and_read_by_members() {
    let app = TestApp::new().await;
    let id = yesterdays_meeting(&app).await;
    let mut marco = app.client();
    marco.login_ok("marco").await;
    marco.get(&format!("/network/meetings/{id}")).await;
    let bad = marco
        .post_multipart(
            &format!("/network/meetings/{id}/documents"),
            &[("title", "Programma")],
            Some(("programma.pdf", b"MZ\x90\x00 not a pdf at all".as_slice())),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = marco
        .post_multipart(
            &format!("/network/meetings/{id}/documents"),
            &[("title", "Relazione sull'hub")],
            Some(("relazione.pdf", TINY_PDF)),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let (doc, sealed): (String, String) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT id, sealed FROM meeting_documents WHERE meeting_id = $1"
    )
    .bind(&id)
    .fetch_one(p)
    .await)
    .unwrap();
    assert!(!sealed.contains("PDF-1.4"), "sealed at rest");
    let mut chiara = app.client();
    chiara.login_ok("chiara").await;
    let page = chiara.get(&format!("/network/meetings/{id}")).await;
    assert!(
        page.body.contains("Relazione sull&#39;hub") || page.body.contains("Relazione sull'hub")
    );
    let file = chiara
        .get(&format!("/network/meetings/{id}/documents/{doc}"))
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.bytes, TINY_PDF);
    // Members do not add documents.
    let r = chiara
        .post_multipart(
            &format!("/network/meetings/{id}/documents"),
            &[],
            Some(("x.pdf", TINY_PDF)),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
