//! Work that moves between organisations and people: access requests to another
//! organisation's record (journey 1), the duplicate queue across organisations, tasks
//! assigned to a person or a queue, the inbox written in the change's transaction, and
//! the summary a receiving organisation reads before it accepts a referral.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;

use crate::cases::{open_case, person_named};
use crate::support::*;
use store::Ts;

/// Mohammad Rakibul Islam, registered by the patronato (Luca).
async fn rakibul(app: &TestApp) -> String {
    person_named(app, "Mohammad Rakibul").await
}

/// The patronato that registered him (Luca's organisation).
async fn patronato(app: &TestApp) -> String {
    store::account::find_org_by_name(
        app.db(),
        "Patronato Lavoro e Diritti – sede di Roma Termini",
    )
    .await
    .unwrap()
    .unwrap()
    .id
}

async fn request_id(app: &TestApp, person: &str) -> String {
    store::with_pool!(app.db(), |p| sqlx::query_as::<_, (String,)>(
        "SELECT id FROM access_requests WHERE person_id = $1 ORDER BY created_at DESC LIMIT 1"
    )
    .bind(person)
    .fetch_one(p)
    .await)
    .unwrap()
    .0
}

/// As giulia: asks the patronato for Rakibul's record, to open a permit renewal.
async fn giulia_asks(app: &TestApp, giulia: &mut Client, person: &str) -> String {
    let closed = giulia.get(&format!("/people/{person}")).await;
    assert_eq!(closed.status, StatusCode::FORBIDDEN);
    assert!(
        closed.body.contains("Presa in carico"),
        "the 403 page offers no request: {}",
        closed.body
    );
    let r = giulia
        .post(
            &format!("/people/{person}/access-requests"),
            &[
                ("purpose", "open_case"),
                ("procedure_code", "permit_renewal"),
                (
                    "note",
                    "È allo sportello della stazione, chiede il rinnovo.",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    request_id(app, person).await
}

fn until(days: i64) -> String {
    (domain::clock::today() + chrono::Duration::days(days)).to_string()
}

async fn luca_grants(luca: &mut Client, request: &str) -> Resp {
    luca.get(&format!("/access-requests/{request}")).await;
    luca.post(
        &format!("/access-requests/{request}/grant"),
        &[("level", "work"), ("valid_until", &until(30))],
    )
    .await
}

async fn count_persons(app: &TestApp, family: &str) -> i64 {
    store::with_pool!(app.db(), |p| sqlx::query_as::<_, (i64,)>(
        "SELECT COUNT(*) FROM persons WHERE family_name = $1 AND merged_into IS NULL"
    )
    .bind(family)
    .fetch_one(p)
    .await)
    .unwrap()
    .0
}

#[tokio::test]
async fn an_access_request_granted_by_the_owner_opens_the_record_and_a_case_with_no_second_record()
{
    let app = TestApp::new().await;
    let person = rakibul(&app).await;
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    // The search lists him, as a link, with a way to ask for access.
    let found = giulia.get("/people?q=Md+Rakibul+Islam").await;
    assert!(found.body.contains(&format!("href=\"/people/{person}\"")));
    assert!(
        found.body.contains("class=\"ask-access\""),
        "{}",
        found.body
    );
    let request = giulia_asks(&app, &mut giulia, &person).await;
    // The page now says the request waits, and offers no second one.
    let waiting = giulia.get(&format!("/people/{person}")).await;
    assert!(
        waiting.body.contains("in attesa di risposta"),
        "{}",
        waiting.body
    );

    let mut luca = app.client();
    luca.login_ok("luca").await;
    let inbox = luca.get("/inbox").await;
    assert!(
        inbox.body.contains("Programma Integra chiede l")
            && inbox
                .body
                .contains("accesso al record di Mohammad Rakibul Islam"),
        "{}",
        inbox.body
    );
    assert!(inbox.body.contains(&format!("/access-requests/{request}")));
    let granted = luca_grants(&mut luca, &request).await;
    assert_eq!(granted.status, StatusCode::SEE_OTHER, "{}", granted.body);
    // The request left Luca's inbox; Giulia is told.
    let after = luca.get("/inbox").await.body;
    let waiting = after.split("id=\"done-h\"").next().unwrap();
    assert!(
        !waiting.contains(&format!("/access-requests/{request}\"")),
        "{after}"
    );
    assert!(giulia.get("/inbox").await.body.contains("ha concesso l"));

    let open = giulia.get(&format!("/people/{person}")).await;
    assert_eq!(open.status, StatusCode::OK, "{}", open.body);
    assert!(open.body.contains("Accesso concesso da Patronato"));
    assert!(
        open.body.contains("+39 351 204 7781"),
        "the record's contacts"
    );
    let case = open_case(&mut giulia, &person, "permit_renewal", "").await;
    assert_eq!(
        giulia.get(&format!("/cases/{case}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        count_persons(&app, "Islam").await,
        1,
        "a second record was made"
    );

    // Request, answer and every read under the grant are in the audit log.
    let actions = app.audit_actions(&person).await;
    for a in ["access.request", "access.grant", "person.read"] {
        assert!(actions.iter().any(|x| x == a), "{a} missing: {actions:?}");
    }
    let reads: Vec<String> = store::with_pool!(app.db(), |p| sqlx::query_as::<_, (String,)>(
        "SELECT details FROM audit_log WHERE action = 'person.read' AND object_id = $1"
    )
    .bind(&person)
    .fetch_all(p)
    .await)
    .unwrap()
    .into_iter()
    .map(|r| r.0)
    .collect();
    assert!(
        reads
            .iter()
            .any(|d| d.contains(&request) && d.contains("grant")),
        "no read names the grant: {reads:?}"
    );
}

#[tokio::test]
async fn a_refused_request_shows_the_asker_the_reason_and_the_record_stays_closed() {
    let app = TestApp::new().await;
    let person = rakibul(&app).await;
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    let request = giulia_asks(&app, &mut giulia, &person).await;
    let mut luca = app.client();
    luca.login_ok("luca").await;
    luca.get(&format!("/access-requests/{request}")).await;
    // Refusing needs a reason.
    let bare = luca
        .post(
            &format!("/access-requests/{request}/refuse"),
            &[("reason", " ")],
        )
        .await;
    assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bare.body.contains("Scrivi il motivo"));
    let r = luca
        .post(
            &format!("/access-requests/{request}/refuse"),
            &[(
                "reason",
                "Ha già un appuntamento da noi giovedì per il rinnovo.",
            )],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = giulia.get(&format!("/people/{person}")).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("Accesso rifiutato"));
    assert!(
        page.body
            .contains("Ha già un appuntamento da noi giovedì per il rinnovo.")
    );
    assert!(!page.body.contains("+39 351 204 7781"));
}

#[tokio::test]
async fn a_grant_ends_on_its_last_day_and_when_consent_is_withdrawn() {
    let app = TestApp::new().await;
    let person = rakibul(&app).await;
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    let request = giulia_asks(&app, &mut giulia, &person).await;
    let mut luca = app.client();
    luca.login_ok("luca").await;
    assert_eq!(
        luca_grants(&mut luca, &request).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        giulia.get(&format!("/people/{person}")).await.status,
        StatusCode::OK
    );

    // The person withdraws consent to sharing: the grant closes at once.
    luca.get(&format!("/people/{person}")).await;
    let w = luca
        .post(
            &format!("/people/{person}/consents"),
            &[
                ("purpose", "share_for_referral"),
                ("given", "no"),
                ("on_date", &domain::clock::today().to_string()),
            ],
        )
        .await;
    assert_eq!(w.status, StatusCode::SEE_OTHER, "{}", w.body);
    assert_eq!(
        giulia.get(&format!("/people/{person}")).await.status,
        StatusCode::FORBIDDEN
    );
    // Consent again: the grant, still in its period, opens the record again.
    luca.post(
        &format!("/people/{person}/consents"),
        &[
            ("purpose", "share_for_referral"),
            ("given", "yes"),
            ("on_date", &domain::clock::today().to_string()),
        ],
    )
    .await;
    assert_eq!(
        giulia.get(&format!("/people/{person}")).await.status,
        StatusCode::OK
    );

    // A grant whose last day has passed (a page open since then) no longer opens it.
    let mut tx = app.db().begin().await.unwrap();
    store::with_tx!(&mut tx, |c| sqlx::query(
        "UPDATE access_requests SET valid_until = $1 WHERE id = $2"
    )
    .bind(domain::clock::today() - chrono::Duration::days(1))
    .bind(&request)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    tx.commit().await.unwrap();
    let r = giulia.get(&format!("/people/{person}")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("Accesso scaduto"), "{}", r.body);
    // A form sent from the page opened before is refused too: nothing is written.
    let edit = giulia
        .post(
            &format!("/people/{person}/consents"),
            &[
                ("purpose", "contact"),
                ("given", "yes"),
                ("on_date", "2026-01-01"),
            ],
        )
        .await;
    assert_eq!(edit.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn answering_a_withdrawn_request_or_one_a_colleague_answered_changes_nothing() {
    let app = TestApp::new().await;
    let person = rakibul(&app).await;
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    let request = giulia_asks(&app, &mut giulia, &person).await;
    let mut luca = app.client();
    luca.login_ok("luca").await;
    luca.get(&format!("/access-requests/{request}")).await;
    // Giulia withdraws it while Luca's page is open.
    let w = giulia
        .post(&format!("/access-requests/{request}/withdraw"), &[])
        .await;
    assert_eq!(w.status, StatusCode::SEE_OTHER, "{}", w.body);
    let late = luca
        .post(
            &format!("/access-requests/{request}/grant"),
            &[("level", "work"), ("valid_until", &until(30))],
        )
        .await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(late.body.contains("ritirata"), "{}", late.body);
    assert_eq!(
        giulia.get(&format!("/people/{person}")).await.status,
        StatusCode::FORBIDDEN
    );

    // A new request, answered by two of the owner's operators at once: one answer wins,
    // the other is refused, and the asker is told once.
    let again = giulia_asks(&app, &mut giulia, &person).await;
    let luca_ctx = store::Ctx {
        actor: app.actor_of("luca").await,
        request_id: None,
        purpose: None,
    };
    let grant = store::access::AnswerInput {
        level: "read".into(),
        valid_until: until(10),
        ..Default::default()
    };
    let refuse = store::access::AnswerInput {
        reason: "Non serve".into(),
        ..Default::default()
    };
    let second = app.tdb.second_handle().await;
    let (a, b) = tokio::join!(
        store::access::answer(
            app.db(),
            &luca_ctx,
            &again,
            store::access::Decision::Grant,
            &grant
        ),
        store::access::answer(
            &second,
            &luca_ctx,
            &again,
            store::access::Decision::Refuse,
            &refuse
        ),
    );
    assert_eq!(
        a.is_ok() as u8 + b.is_ok() as u8,
        1,
        "exactly one answer wins: {:?} / {:?}",
        a.as_ref().err(),
        b.as_ref().err()
    );
    let told: (i64,) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT COUNT(*) FROM inbox_items WHERE subject_id = $1 AND kind IN ('access_granted','access_refused')"
    )
    .bind(&again)
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(told.0, 1, "the losing answer told the asker too");
}

#[tokio::test]
async fn a_request_for_a_merged_or_erased_record_gets_a_clear_message() {
    let app = TestApp::new().await;
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    // Two of the patronato's records merged by its own operator.
    let patronato = patronato(&app).await;
    let mut by_patronato = store::Ctx::system("t");
    by_patronato.actor.org_id = Some(patronato);
    let input = |g: &str| store::people::PersonInput {
        given_names: g.into(),
        family_name: "Sesay".into(),
        birth_date: "1999".into(),
        ..Default::default()
    };
    let kept = store::people::create_person(app.db(), &by_patronato, &input("Ibrahim"))
        .await
        .unwrap();
    let merged = store::people::create_person(app.db(), &by_patronato, &input("Ibrahima"))
        .await
        .unwrap();
    store::people::merge_persons(app.db(), &by_patronato, &kept, &merged, "")
        .await
        .unwrap();
    giulia.get(&format!("/people/{merged}")).await;
    let r = giulia
        .post(
            &format!("/people/{merged}/access-requests"),
            &[("purpose", "log_contact")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("è stato unito a un altro"), "{}", r.body);
    store::people::pseudonymise(app.db(), &by_patronato, &kept)
        .await
        .unwrap();
    let r = giulia
        .post(
            &format!("/people/{kept}/access-requests"),
            &[("purpose", "log_contact")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("cancellati su sua richiesta"), "{}", r.body);
    let none: (i64,) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT COUNT(*) FROM access_requests WHERE person_id IN ($1, $2)"
    )
    .bind(&kept)
    .bind(&merged)
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(none.0, 0);
}

#[tokio::test]
async fn a_pair_across_organisations_reaches_both_queues_and_merges_with_both_owners_yes() {
    let app = TestApp::new().await;
    let theirs = rakibul(&app).await;
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    giulia.get("/people/new").await;
    let fields = [
        ("given_names", "Md Rakibul"),
        ("family_name", "Islam"),
        ("birth_date", "2003"),
        ("birth_precision", "year"),
        ("nationality", "Bangladesh"),
    ];
    let warned = giulia.post("/people", &fields).await;
    assert!(warned.body.contains("Mohammad Rakibul"), "{}", warned.body);
    let mut confirmed = fields.to_vec();
    confirmed.push(("confirm_new", "on"));
    let created = giulia.post("/people", &confirmed).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let ours = created
        .location()
        .trim_start_matches("/people/")
        .split('?')
        .next()
        .unwrap()
        .to_string();

    // Both owners find the pair in their queue, with its reasons.
    let mut luca = app.client();
    luca.login_ok("luca").await;
    for c in [&mut giulia, &mut luca] {
        let q = c.get("/people/duplicates").await;
        assert_eq!(q.status, StatusCode::OK);
        assert!(
            q.body.contains("Md Rakibul") && q.body.contains("Mohammad Rakibul"),
            "{}",
            q.body
        );
        assert!(q.body.contains("Perché:"));
    }
    // The record's own page says so too, on both sides.
    let on_record = luca.get(&format!("/people/{theirs}")).await;
    assert!(
        on_record.body.contains("Possibili doppioni segnalati"),
        "{}",
        on_record.body
    );
    assert!(on_record.body.contains("Md Rakibul"));
    assert!(
        giulia
            .get(&format!("/people/{ours}"))
            .await
            .body
            .contains("Mohammad Rakibul")
    );
    let pair: (String, i32) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT id, version FROM duplicate_pairs WHERE new_id = $1 AND old_id = $2"
    )
    .bind(&ours)
    .bind(&theirs)
    .fetch_one(p)
    .await)
    .unwrap();
    // Giulia cannot merge another organisation's record on her own…
    let alone = giulia
        .post(
            &format!("/people/duplicates/{}/merge", pair.0),
            &[("keep", theirs.as_str())],
        )
        .await;
    assert_eq!(alone.status, StatusCode::UNPROCESSABLE_ENTITY);
    // …she asks the patronato, keeping its record.
    let asked = giulia
        .post(
            &format!("/people/duplicates/{}/ask", pair.0),
            &[
                ("version", &pair.1.to_string()),
                ("keep", theirs.as_str()),
                (
                    "note",
                    "Stessa persona: registrata di nuovo allo sportello.",
                ),
            ],
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    assert!(
        luca.get("/inbox")
            .await
            .body
            .contains("propone di unire due record")
    );
    let version = pair.1 + 1;
    let yes = luca
        .post(
            &format!("/people/duplicates/{}/answer", pair.0),
            &[("version", &version.to_string()), ("answer", "accept")],
        )
        .await;
    assert_eq!(yes.status, StatusCode::SEE_OTHER, "{}", yes.body);
    assert_eq!(count_persons(&app, "Islam").await, 1);
    let merged_into: (Option<String>,) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT merged_into FROM persons WHERE id = $1"
    )
    .bind(&ours)
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(merged_into.0.as_deref(), Some(theirs.as_str()));
    assert!(
        giulia
            .get("/inbox")
            .await
            .body
            .contains("ha accettato di unire")
    );
    assert!(
        !luca
            .get("/people/duplicates")
            .await
            .body
            .contains("Md Rakibul")
    );
}

#[tokio::test]
async fn a_task_for_the_referring_operator_reaches_her_inbox_home_and_header() {
    let app = TestApp::new().await;
    let fatima = person_named(&app, "Fatima Zahra").await;
    // The demo's family reunification, referred to the Prefettura and waiting.
    let (case, referral): (String, String) = store::with_pool!(app.db(), |p| {
        sqlx::query_as(
        "SELECT c.id, r.id FROM cases c JOIN referrals r ON r.case_id = c.id WHERE c.person_id = $1"
    )
    .bind(&fatima)
    .fetch_one(p)
    .await
    })
    .unwrap();
    let mut marco = app.client();
    marco.login_ok("marco").await;
    // Before accepting, the Prefettura reads the summary and not the notes.
    let summary = marco.get(&format!("/cases/{case}")).await;
    assert_eq!(summary.status, StatusCode::OK);
    assert!(summary.body.contains("Cosa si chiede"));
    assert!(
        summary
            .body
            .contains("Manca il certificato di idoneità alloggiativa")
    );
    assert!(
        summary
            .body
            .contains("acconsentito alla condivisione il 02/11/2026")
    );
    assert!(
        !summary.body.contains("buste paga"),
        "a note shows before acceptance"
    );
    let person = marco.get(&format!("/people/{fatima}")).await;
    assert!(
        !person.body.contains("Due figli minori"),
        "a vulnerability shows"
    );
    let api = marco
        .api(
            "GET",
            &format!("/api/v1/cases/{case}"),
            &app.token_for("marco").await,
            None,
        )
        .await;
    assert!(!api.body.contains("buste paga"), "{}", api.body);

    marco.get("/cases").await;
    let accepted = marco
        .post(&format!("/referrals/{referral}/accept"), &[])
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    let full = marco.get(&format!("/cases/{case}")).await;
    assert!(
        full.body.contains("buste paga"),
        "the note after acceptance"
    );
    let chiara = app.user_id("chiara").await;
    let t = marco
        .post(
            &format!("/cases/{case}/tasks"),
            &[
                ("title", "Portare il certificato di idoneità alloggiativa"),
                ("due_on", &until(7)),
                ("assignee", &format!("user:{chiara}")),
            ],
        )
        .await;
    assert_eq!(t.status, StatusCode::SEE_OTHER, "{}", t.body);
    // Someone outside the case cannot be given it.
    let sara = app.user_id("sara").await;
    let bad = marco
        .post(
            &format!("/cases/{case}/tasks"),
            &[("title", "x"), ("assignee", &format!("user:{sara}"))],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    let mut c = app.client();
    c.login_ok("chiara").await;
    let home = c.get("/").await;
    assert!(
        home.body
            .contains("Portare il certificato di idoneità alloggiativa"),
        "{}",
        home.body
    );
    let inbox = c.get("/inbox").await;
    assert!(
        inbox
            .body
            .contains("Compito sulla pratica di Fatima Zahra El Idrissi")
    );
    let count = |body: &str| -> i64 {
        let i = body.find("class=\"inbox-count\">").unwrap() + 20;
        body[i..body[i..].find('<').unwrap() + i].parse().unwrap()
    };
    let before = count(&inbox.body);
    assert!(before >= 1);
    // Done on the case: it leaves her inbox by itself.
    let task: (String,) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT id FROM case_tasks WHERE case_id = $1 AND assigned_to = $2"
    )
    .bind(&case)
    .bind(&chiara)
    .fetch_one(p)
    .await)
    .unwrap();
    c.get(&format!("/cases/{case}")).await;
    let done = c
        .post(&format!("/cases/{case}/tasks/{}/done", task.0), &[])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let after = c.get("/inbox").await;
    assert_eq!(count(&after.body), before - 1);
}

#[tokio::test]
async fn an_item_written_in_a_change_that_rolls_back_tells_nobody() {
    let app = TestApp::new().await;
    let luca = app.user_id("luca").await;
    let count = || async {
        store::with_pool!(app.db(), |p| sqlx::query_as::<_, (i64,)>(
            "SELECT COUNT(*) FROM inbox_items WHERE subject_id = 'rollback-test'"
        )
        .fetch_one(p)
        .await)
        .unwrap()
        .0
    };
    let ctx = store::Ctx::system("t");
    let mut tx = app.db().begin().await.unwrap();
    store::inbox::notify(
        &mut tx,
        &ctx,
        store::inbox::Notice::new(
            "task",
            store::inbox::To::User(&luca),
            "case_task",
            "rollback-test",
            "/".into(),
        ),
    )
    .await
    .unwrap();
    drop(tx);
    assert_eq!(count().await, 0, "a rolled-back change told someone");
    let mut tx = app.db().begin().await.unwrap();
    store::inbox::notify(
        &mut tx,
        &ctx,
        store::inbox::Notice::new(
            "task",
            store::inbox::To::User(&luca),
            "case_task",
            "rollback-test",
            "/".into(),
        ),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(count().await, 1);
}

#[tokio::test]
async fn every_home_card_links_to_a_page_and_none_announces_a_module_to_come() {
    let app = TestApp::new().await;
    for demo in store::demo::USERS {
        let mut c = app.client();
        c.login_ok(demo.username).await;
        let home = c.get("/").await;
        assert_eq!(home.status, StatusCode::OK, "{}", demo.username);
        assert!(
            !home.body.to_lowercase().contains("in preparazione"),
            "{}: {}",
            demo.username,
            home.body
        );
        let section = &home.body[home.body.find("id=\"work-h\"").unwrap()..];
        let mut cards = 0;
        for part in section.split("<article class=\"home-card area\">").skip(1) {
            cards += 1;
            let href = part
                .split("href=\"")
                .nth(1)
                .and_then(|h| h.split('"').next())
                .unwrap_or_else(|| panic!("{}: a card without a link", demo.username));
            let page = c.get(href).await;
            assert_eq!(
                page.status,
                StatusCode::OK,
                "{}: card {href} answers {}",
                demo.username,
                page.status
            );
        }
        assert!(cards > 0, "{} has no cards", demo.username);
    }
}

#[tokio::test]
async fn the_demo_leaves_work_waiting_in_every_roles_inbox() {
    let app = TestApp::new().await;
    for demo in store::demo::USERS {
        let token = app.token_for(demo.username).await;
        let mut c = app.client();
        let r = c.api("GET", "/api/v1/inbox", &token, None).await;
        assert_eq!(r.status, StatusCode::OK);
        let n = r.json()["count"].as_i64().unwrap();
        assert!(n >= 1, "{} has an empty inbox", demo.username);
    }
    // Luca's includes Programma Integra's request for Aliou Ndiaye.
    let token = app.token_for("luca").await;
    let r = app.client().api("GET", "/api/v1/inbox", &token, None).await;
    assert!(
        r.body.contains("access_request") && r.body.contains("Aliou Ndiaye"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn the_api_asks_grants_and_lists_access_requests() {
    let app = TestApp::new().await;
    let person = rakibul(&app).await;
    let giulia = app.token_for("giulia").await;
    let luca = app.token_for("luca").await;
    let mut c = app.client();
    let closed = c
        .api("GET", &format!("/api/v1/persons/{person}"), &giulia, None)
        .await;
    assert_eq!(closed.status, StatusCode::FORBIDDEN);
    let r = c
        .api(
            "POST",
            &format!("/api/v1/persons/{person}/access-requests"),
            &giulia,
            Some(r#"{"purpose":"open_case","procedure_code":"permit_renewal"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_string();
    assert_eq!(r.json()["state"], "requested");
    assert_eq!(r.json()["asked_level"], "work");
    let again = c
        .api(
            "POST",
            &format!("/api/v1/persons/{person}/access-requests"),
            &giulia,
            Some(r#"{"purpose":"log_contact"}"#),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    let list = c.api("GET", "/api/v1/access-requests", &luca, None).await;
    assert!(
        list.json()["received"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == id.as_str())
    );
    // The asker cannot answer its own request.
    let own = c
        .api(
            "POST",
            &format!("/api/v1/access-requests/{id}/grant"),
            &giulia,
            Some(&format!(r#"{{"valid_until":"{}"}}"#, until(5))),
        )
        .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN);
    let g = c
        .api(
            "POST",
            &format!("/api/v1/access-requests/{id}/grant"),
            &luca,
            Some(&format!(r#"{{"valid_until":"{}"}}"#, until(5))),
        )
        .await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    assert_eq!(g.json()["state"], "granted");
    let open = c
        .api("GET", &format!("/api/v1/persons/{person}"), &giulia, None)
        .await;
    assert_eq!(open.status, StatusCode::OK, "{}", open.body);
}

#[tokio::test]
async fn a_programme_wide_read_outside_the_organisation_asks_for_a_purpose_and_audits_it() {
    let app = TestApp::new().await;
    let olena = person_named(&app, "Olena").await;
    let mut marco = app.client();
    marco.login_ok("marco").await;
    let r = marco.get(&format!("/people/{olena}")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("Motivo della consultazione"), "{}", r.body);
    assert!(
        !r.body.contains("Kovalenko"),
        "the record shows before a purpose"
    );
    let missing = marco
        .post(
            "/purposes",
            &[
                ("subject_type", "person"),
                ("subject_id", &olena),
                ("purpose", "other"),
                ("next", &format!("/people/{olena}")),
            ],
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = marco
        .post(
            "/purposes",
            &[
                ("subject_type", "person"),
                ("subject_id", &olena),
                ("purpose", "complaint"),
                ("purpose_note", "Reclamo n. 14/2026"),
                ("next", &format!("/people/{olena}")),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(ok.location(), format!("/people/{olena}"));
    let page = marco.get(&format!("/people/{olena}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Aperto con motivo dichiarato"));
    let details: Vec<(String,)> = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT details FROM audit_log WHERE action = 'person.read' AND object_id = $1"
    )
    .bind(&olena)
    .fetch_all(p)
    .await)
    .unwrap();
    assert!(
        details.iter().any(|d| d.0.contains("complaint")),
        "{details:?}"
    );
    // An organisation-scoped worker gets no such way in.
    let mut luca = app.client();
    luca.login_ok("luca").await;
    let refused = luca
        .post(
            "/purposes",
            &[
                ("subject_type", "person"),
                ("subject_id", &olena),
                ("purpose", "complaint"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_patronato_confirms_an_appointment_recorded_with_it_or_proposes_another_time() {
    let app = TestApp::new().await;
    let fatima = person_named(&app, "Fatima Zahra").await;
    let patronato = patronato(&app).await;
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    let case = open_case(&mut giulia, &fatima, "permit_renewal", "").await;
    giulia.get(&format!("/cases/{case}")).await;
    let when = format!("{}T10:00", until(5));
    let r = giulia
        .post(
            &format!("/cases/{case}/appointments"),
            &[
                ("starts_at", when.as_str()),
                ("place", "Patronato, via Marsala 1"),
                ("purpose", "Compilare il kit postale"),
                ("partner_org", patronato.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (appointment, version): (String, i32) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT id, version FROM case_appointments WHERE case_id = $1"
    )
    .bind(&case)
    .fetch_one(p)
    .await)
    .unwrap();

    // The patronato finds it in its queue, with what it needs to prepare.
    let mut luca = app.client();
    luca.login_ok("luca").await;
    let inbox = luca.get("/inbox").await;
    assert!(
        inbox
            .body
            .contains("Appuntamento con Programma Integra per Fatima Zahra El Idrissi")
    );
    let page = luca.get(&format!("/appointments/{appointment}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Compilare il kit postale"));
    assert!(
        !page.body.contains("buste paga"),
        "the case's notes are not the partner's"
    );
    // The case itself stays closed to it.
    assert_eq!(
        luca.get(&format!("/cases/{case}")).await.status,
        StatusCode::FORBIDDEN
    );
    // Another time, in the past: refused with its field.
    let past = luca
        .post(
            &format!("/appointments/{appointment}/answer"),
            &[
                ("answer", "propose"),
                ("proposed_at", "2020-01-01T10:00"),
                ("version", &version.to_string()),
            ],
        )
        .await;
    assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);
    let later = format!("{}T15:30", until(6));
    let proposed = luca
        .post(
            &format!("/appointments/{appointment}/answer"),
            &[
                ("answer", "propose"),
                ("proposed_at", later.as_str()),
                ("partner_note", "Il mattino lo sportello è chiuso."),
                ("version", &version.to_string()),
            ],
        )
        .await;
    assert_eq!(proposed.status, StatusCode::SEE_OTHER, "{}", proposed.body);
    // A second answer from a page read before is a conflict, not an overwrite.
    let stale = luca
        .post(
            &format!("/appointments/{appointment}/answer"),
            &[("answer", "confirm"), ("version", &version.to_string())],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);

    // Giulia is asked, and takes the new time.
    let inbox = giulia.get("/inbox").await;
    assert!(
        inbox.body.contains("propone un altro orario"),
        "{}",
        inbox.body
    );
    giulia.get(&format!("/cases/{case}")).await;
    let took = giulia
        .post(
            &format!("/cases/{case}/appointments/{appointment}/proposal"),
            &[
                ("answer", "accept"),
                ("version", &(version + 1).to_string()),
            ],
        )
        .await;
    assert_eq!(took.status, StatusCode::SEE_OTHER, "{}", took.body);
    let (starts, status): (chrono::NaiveDateTime, Option<String>) = store::with_pool!(
        app.db(),
        |p| sqlx::query_as("SELECT starts_at, partner_status FROM case_appointments WHERE id = $1")
            .bind(&appointment)
            .fetch_one(p)
            .await
    )
    .unwrap();
    assert_eq!(starts.format("%Y-%m-%dT%H:%M").to_string(), later);
    assert_eq!(status.as_deref(), Some("confirmed"));
    let open: (i64,) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT COUNT(*) FROM inbox_items WHERE subject_id = $1 AND done_at IS NULL \
         AND kind IN ('appointment_request','appointment_proposal')"
    )
    .bind(&appointment)
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(open.0, 0, "an answered appointment still waits in an inbox");
}

#[tokio::test]
async fn an_appointment_with_a_partner_needs_the_persons_consent_to_share() {
    let app = TestApp::new().await;
    let olena = person_named(&app, "Olena").await;
    let patronato = patronato(&app).await;
    let mut chiara = app.client();
    chiara.login_ok("chiara").await;
    let case = open_case(&mut chiara, &olena, "permit_renewal", "").await;
    chiara.get(&format!("/cases/{case}")).await;
    let r = chiara
        .post(
            &format!("/cases/{case}/appointments"),
            &[
                ("starts_at", &format!("{}T10:00", until(3))),
                ("place", "Patronato"),
                ("partner_org", patronato.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("consenso"), "{}", r.body);
    let none: (i64,) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT COUNT(*) FROM case_appointments WHERE case_id = $1"
    )
    .bind(&case)
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(none.0, 0);
}

#[tokio::test]
async fn an_action_item_for_an_organisations_queue_waits_for_every_member_until_one_does_it() {
    let app = TestApp::new().await;
    let integra = store::account::find_org_by_name(app.db(), "Programma Integra")
        .await
        .unwrap()
        .unwrap()
        .id;
    let meeting: (String,) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT id FROM meetings ORDER BY starts_at LIMIT 1"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    let marco = store::Ctx {
        actor: app.actor_of("marco").await,
        request_id: None,
        purpose: None,
    };
    let title = "Mappare gli sportelli aperti il sabato";
    let id = store::governance::add_action(
        app.db(),
        &marco,
        &meeting.0,
        &store::governance::ActionInput {
            title: title.into(),
            owner_id: format!("org:{integra}"),
            due_on: until(14),
        },
    )
    .await
    .unwrap();
    let mut chiara = app.client();
    chiara.login_ok("chiara").await;
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    for c in [&mut chiara, &mut giulia] {
        assert!(c.get("/").await.body.contains(title));
        assert!(c.get("/inbox").await.body.contains(title));
    }
    // Someone of another organisation cannot close it.
    let mut luca = app.client();
    luca.login_ok("luca").await;
    let not_his = luca
        .post(&format!("/network/actions/{id}/done"), &[("version", "1")])
        .await;
    assert_eq!(not_his.status, StatusCode::FORBIDDEN);
    giulia.get("/").await;
    let done = giulia
        .post(&format!("/network/actions/{id}/done"), &[("version", "1")])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let inbox = chiara.get("/inbox").await.body;
    let waiting = inbox.split("id=\"done-h\"").next().unwrap();
    assert!(!waiting.contains(title), "{inbox}");
    assert!(!chiara.get("/").await.body.contains(title));
}

#[tokio::test]
async fn a_managing_body_gives_a_corrective_action_to_one_of_its_people() {
    let app = TestApp::new().await;
    // The demo's inspection of CAS Tevere left Consorzio Tevere an open action.
    let (action, version): (String, i32) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT a.id, a.version FROM corrective_actions a WHERE a.status = 'open' LIMIT 1"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    let bruno = app.user_id("bruno").await;
    let mut c = app.client();
    c.login_ok("bruno").await;
    assert!(c.get("/inbox").await.body.contains("Azione correttiva"));
    c.get(&format!("/actions/{action}")).await;
    // Someone of another body cannot be given it.
    let anna = app.user_id("anna").await;
    let bad = c
        .post(
            &format!("/actions/{action}/assign"),
            &[
                ("assignee", anna.as_str()),
                ("version", &version.to_string()),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = c
        .post(
            &format!("/actions/{action}/assign"),
            &[
                ("assignee", bruno.as_str()),
                ("version", &version.to_string()),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let items: Vec<(Option<String>, Option<Ts>)> = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT user_id, done_at FROM inbox_items WHERE subject_id = $1 AND kind = 'corrective_action'"
    )
    .bind(&action)
    .fetch_all(p)
    .await)
    .unwrap();
    assert!(
        items.iter().any(|(u, d)| u.is_none() && d.is_some()),
        "the queue's item stays open"
    );
    assert!(
        items
            .iter()
            .any(|(u, d)| u.as_deref() == Some(bruno.as_str()) && d.is_none())
    );
    // A second assignment from the page read before is a conflict.
    let stale = c
        .post(
            &format!("/actions/{action}/assign"),
            &[
                ("assignee", bruno.as_str()),
                ("version", &version.to_string()),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
}
