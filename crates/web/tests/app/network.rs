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
