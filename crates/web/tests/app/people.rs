//! The people register: duplicate check before creating, scope, encryption at rest,
//! consents, conflicts, and the API.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;
use store::db::Pools;

use crate::support::*;

async fn register(c: &mut Client, fields: &[(&str, &str)]) -> Resp {
    c.get("/people/new").await;
    c.post("/people", fields).await
}

/// Registers someone the test knows to be new, past any look-alike warning.
async fn register_new(c: &mut Client, fields: &[(&str, &str)]) -> Resp {
    let mut all = fields.to_vec();
    all.push(("confirm_new", "yes"));
    let r = register(c, &all).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location().starts_with("/people/"), "{}", r.location());
    r
}

fn person_id(r: &Resp) -> String {
    r.location()
        .trim_start_matches("/people/")
        .split('?')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_transliterated_name_shows_the_existing_record_before_a_duplicate_is_created() {
    let app = TestApp::new().await;
    // The demo register holds "Mohammad Rakibul Islam", registered by a patronato.
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    let fields = [
        ("given_names", "Md Rakibul"),
        ("family_name", "Islam"),
        ("birth_date", "2003"),
        ("nationality", "Bangladesh"),
        ("sex", "male"),
    ];
    let warned = register(&mut giulia, &fields).await;
    assert_eq!(warned.status, StatusCode::OK);
    assert!(
        warned.body.contains("potrebbe essere già registrata"),
        "{}",
        warned.body
    );
    assert!(warned.body.contains("Mohammad Rakibul"));
    assert!(
        warned.body.contains("Patronato Lavoro e Diritti"),
        "who registered it is shown"
    );
    assert!(
        warned.body.contains("stesso nome in altra grafia") || warned.body.contains("nome simile"),
        "{}",
        warned.body
    );
    assert!(warned.body.contains("name=\"confirm_new\""));
    // Nothing was created yet; the operator may still decide it is someone else.
    let mut confirmed: Vec<(&str, &str)> = fields.to_vec();
    confirmed.push(("confirm_new", "yes"));
    let created = giulia.post("/people", &confirmed).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn arabic_script_finds_the_latin_spelling() {
    let app = TestApp::new().await;
    let token = app.token_for("marco").await;
    let mut c = app.client();
    let r = c
        .api("POST", "/api/v1/persons", &token, Some(r#"{"given_names":"Mohamed","family_name":"Ahmed Salah","birth_date":"1998-05-14","nationality":"Egitto"}"#))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["nationality"], "EG");
    assert_eq!(r.json()["is_tcn"], true);
    let check = c
        .api("POST", "/api/v1/persons/duplicate-check", &token, Some(r#"{"given_names":"محمد","family_name":"أحمد صلاح","birth_date":"1998-05-14","nationality":"Égypte"}"#))
        .await;
    assert_eq!(check.status, StatusCode::OK, "{}", check.body);
    let found = check.json();
    assert_eq!(found[0]["given_names"], "Mohamed", "{found}");
}

#[tokio::test]
async fn the_same_passport_always_surfaces_whatever_the_name() {
    let app = TestApp::new().await;
    let token = app.token_for("marco").await;
    let mut c = app.client();
    c.api(
        "POST",
        "/api/v1/persons",
        &token,
        Some(r#"{"given_names":"Yonas","family_name":"Tesfay","passport":"ER 123 4567"}"#),
    )
    .await;
    let r = c
        .api(
            "POST",
            "/api/v1/persons",
            &token,
            Some(
                r#"{"given_names":"Johannes","family_name":"Gebremedhin","passport":"er1234567"}"#,
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let j = r.json();
    assert_eq!(j["code"], "possible_duplicate");
    assert!(
        j["candidates"][0]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x == "identifier_equal")
    );
}

#[tokio::test]
async fn another_organisation_sees_a_summary_but_cannot_open_the_record() {
    let app = TestApp::new().await;
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    let r = register_new(
        &mut giulia,
        &[
            ("given_names", "Aminata"),
            ("family_name", "Camara"),
            ("birth_date", "1996-04-12"),
            ("nationality", "GN"),
            ("phone", "+39 333 123 4567"),
        ],
    )
    .await;
    let id = person_id(&r);
    let mut sara = app.client();
    sara.login_ok("sara").await;
    let page = sara.get(&format!("/people/{id}")).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(!page.body.contains("333 123 4567"));
    let token = app.token_for("sara").await;
    assert_eq!(
        sara.api("GET", &format!("/api/v1/persons/{id}"), &token, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // The duplicate check still tells her the person exists, without contacts.
    let found = sara.get("/people?q=Aminata+Camara").await;
    assert!(found.body.contains("Aminata"), "{}", found.body);
    assert!(!found.body.contains("333 123 4567"));
    assert!(found.body.contains("Programma Integra"));
}

#[tokio::test]
async fn vulnerabilities_are_encrypted_in_the_database_and_reads_are_audited() {
    let app = TestApp::new().await;
    let mut c = app.client();
    c.login_ok("chiara").await;
    let r = register_new(
        &mut c,
        &[
            ("given_names", "Faith"),
            ("family_name", "Okoro"),
            ("birth_date", "1999"),
            ("nationality", "Nigeria"),
        ],
    )
    .await;
    let id = person_id(&r);
    c.get(&format!("/people/{id}")).await;
    let secret_note = "NOTA-RISERVATA-7391 referred to the anti-trafficking helpline";
    let saved = c
        .post(
            &format!("/people/{id}/vulnerabilities"),
            &[
                ("category", "trafficking_victim"),
                ("noted_on", "2026-11-20"),
                ("note", secret_note),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = c.get(&format!("/people/{id}")).await;
    assert!(page.body.contains("NOTA-RISERVATA-7391"));
    assert!(page.body.contains("Vittima della tratta"));
    // In the database: neither the note nor the category in clear.
    match &app.db().pools {
        Pools::Sqlite { path, write, .. } => {
            sqlx::query("PRAGMA wal_checkpoint(FULL)")
                .execute(write)
                .await
                .unwrap();
            for f in [path.clone(), path.with_extension("db-wal")] {
                if let Ok(bytes) = std::fs::read(&f) {
                    let hay = String::from_utf8_lossy(&bytes);
                    assert!(
                        !hay.contains("NOTA-RISERVATA-7391"),
                        "plaintext in {}",
                        f.display()
                    );
                    assert!(
                        !hay.contains("trafficking_victim"),
                        "category in {}",
                        f.display()
                    );
                }
            }
        }
        Pools::Postgres(pg) => {
            let (sealed,): (String,) = sqlx::query_as("SELECT sealed FROM person_vulnerabilities")
                .fetch_one(pg)
                .await
                .unwrap();
            assert!(!sealed.contains("NOTA") && !sealed.contains("trafficking"));
        }
    }
    let reads = store::audit::list(
        app.db(),
        &store::Ctx::system("t"),
        &store::audit::Filter {
            action: "person.vulnerability_read".into(),
            object_id: id.clone(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(!reads.is_empty());
    // An info-point operator of the same organisation opens the record but not this section.
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    let p = giulia.get(&format!("/people/{id}")).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(!p.body.contains("NOTA-RISERVATA-7391"));
}

#[tokio::test]
async fn concurrent_edits_of_a_person_name_the_changed_fields_and_keep_the_input() {
    let app = TestApp::new().await;
    let mut a = app.client();
    a.login_ok("chiara").await;
    let r = register_new(
        &mut a,
        &[
            ("given_names", "Tesfay"),
            ("family_name", "Gebre"),
            ("birth_date", "2008"),
        ],
    )
    .await;
    let id = person_id(&r);
    let mut b = app.client();
    b.login_ok("giulia").await;
    a.get(&format!("/people/{id}/edit")).await;
    b.get(&format!("/people/{id}/edit")).await;
    let ra = a
        .post(
            &format!("/people/{id}"),
            &[
                ("given_names", "Tesfaye"),
                ("family_name", "Gebre"),
                ("birth_date", "2008"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(ra.status, StatusCode::SEE_OTHER, "{}", ra.body);
    let rb = b
        .post(
            &format!("/people/{id}"),
            &[
                ("given_names", "Tesfay"),
                ("family_name", "Gebre"),
                ("birth_date", "2008"),
                ("phone", "+39 320 000 1111"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(rb.status, StatusCode::CONFLICT);
    assert!(
        rb.body.contains("Campi cambiati nel frattempo: Nome/i"),
        "{}",
        rb.body
    );
    assert!(
        rb.body.contains("+39 320 000 1111"),
        "the second editor's input is kept"
    );
    let stored = store::people::get_person(app.db(), &store::Ctx::system("t"), &id).await;
    // The system actor has no org; read directly instead.
    let _ = stored;
    let token = app.token_for("chiara").await;
    let j = a
        .api("GET", &format!("/api/v1/persons/{id}"), &token, None)
        .await
        .json();
    assert_eq!(j["given_names"], "Tesfaye");
    assert_eq!(j["version"], 2);
    let stale = a
        .api(
            "PUT",
            &format!("/api/v1/persons/{id}"),
            &token,
            Some(r#"{"given_names":"X","family_name":"Gebre","version":1}"#),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn bad_person_input_reports_every_field_and_keeps_what_was_typed() {
    let app = TestApp::new().await;
    let mut c = app.client();
    c.login_ok("giulia").await;
    let r = register(
        &mut c,
        &[
            ("given_names", "Nour"),
            ("family_name", ""),
            ("birth_date", "31/02/2001"),
            ("nationality", "Atlantide"),
            ("codice_fiscale", "ABC"),
            ("languages", "arabic!"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for msg in [
        "Campo obbligatorio.",
        "Data non valida",
        "Paese non riconosciuto",
        "16 caratteri",
        "codici ISO 639",
    ] {
        assert!(r.body.contains(msg), "missing: {msg}");
    }
    assert!(r.body.contains("value=\"Atlantide\""));
}

#[tokio::test]
async fn a_first_of_january_birth_date_is_kept_as_year_only_unless_confirmed() {
    let app = TestApp::new().await;
    let token = app.token_for("marco").await;
    let mut c = app.client();
    let r = c.api("POST", "/api/v1/persons", &token, Some(r#"{"given_names":"Ali","family_name":"Rezaei","birth_date":"2007-01-01","nationality":"AF"}"#)).await;
    assert_eq!(r.json()["birth"], "2007");
    assert_eq!(r.json()["birth_precision"], "year");
}

#[tokio::test]
async fn consents_are_recorded_with_date_and_read_back() {
    let app = TestApp::new().await;
    let mut c = app.client();
    c.login_ok("giulia").await;
    let r = register_new(
        &mut c,
        &[
            ("given_names", "Iryna"),
            ("family_name", "Shevchenko"),
            ("nationality", "Ucraina"),
        ],
    )
    .await;
    let id = person_id(&r);
    c.get(&format!("/people/{id}")).await;
    let ok = c
        .post(
            &format!("/people/{id}/consents"),
            &[
                ("purpose", "share_for_referral"),
                ("given", "yes"),
                ("on_date", "2026-11-25"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert!(
        store::people::has_consent(
            app.db(),
            &id,
            domain::people::ConsentPurpose::ShareForReferral
        )
        .await
        .unwrap()
    );
    c.post(
        &format!("/people/{id}/consents"),
        &[
            ("purpose", "share_for_referral"),
            ("given", "no"),
            ("on_date", "2026-11-26"),
        ],
    )
    .await;
    assert!(
        !store::people::has_consent(
            app.db(),
            &id,
            domain::people::ConsentPurpose::ShareForReferral
        )
        .await
        .unwrap()
    );
    let bad = c
        .post(
            &format!("/people/{id}/consents"),
            &[
                ("purpose", "share_for_referral"),
                ("given", "yes"),
                ("on_date", "ieri"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_mediator_can_search_but_not_register() {
    let app = TestApp::new().await;
    let mut c = app.client();
    c.login_ok("tanvir").await;
    assert_eq!(c.get("/people?q=Islam").await.status, StatusCode::OK);
    assert_eq!(c.get("/people/new").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_second_instance_sees_people_registered_through_the_first() {
    let app = TestApp::new().await;
    let token = app.token_for("marco").await;
    let mut c = app.client();
    c.api("GET", "/api/v1/persons?q=warmup", &token, None).await; // index loaded, then a write
    c.api("POST", "/api/v1/persons", &token, Some(r#"{"given_names":"Hossain","family_name":"Mohammad","birth_date":"2001-07-09","nationality":"BD"}"#)).await;
    let other = web::router(web::AppState::new(
        app.tdb.second_handle().await,
        web::WebConfig::default(),
    ));
    c.router = other;
    let r = c.api("POST", "/api/v1/persons/duplicate-check", &token, Some(r#"{"given_names":"Hussain","family_name":"Muhammad","birth_date":"2001-07-09","nationality":"Bangladesh"}"#)).await;
    assert_eq!(r.json()[0]["family_name"], "Mohammad", "{}", r.body);
}

#[tokio::test]
async fn merging_keeps_both_histories_and_can_be_undone() {
    let app = TestApp::new().await;
    let mut c = app.client();
    c.login_ok("chiara").await;
    let a = person_id(
        &register_new(
            &mut c,
            &[
                ("given_names", "Abdulrahman"),
                ("family_name", "Haidari"),
                ("birth_date", "2000-02-10"),
                ("nationality", "AF"),
                ("passport", "P0011223"),
            ],
        )
        .await,
    );
    let b = person_id(
        &register_new(
            &mut c,
            &[
                ("given_names", "Abdel Rahman"),
                ("family_name", "Haidari"),
                ("birth_date", "2000-02-10"),
                ("nationality", "Afghanistan"),
                ("phone", "+39 333 987 6543"),
            ],
        )
        .await,
    );
    c.get(&format!("/people/{b}")).await;
    c.post(
        &format!("/people/{b}/consents"),
        &[
            ("purpose", "share_for_referral"),
            ("given", "yes"),
            ("on_date", "2026-11-01"),
        ],
    )
    .await;
    // The record page offers the other as a likely duplicate.
    let page = c.get(&format!("/people/{a}")).await;
    assert!(
        page.body.contains(&format!("name=\"other\" value=\"{b}\"")),
        "{}",
        page.body
    );
    let merged = c
        .post(
            &format!("/people/{a}/merge"),
            &[("other", &b), ("reason", "stessa persona, grafia diversa")],
        )
        .await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.body);
    let kept = c.get(&format!("/people/{a}")).await;
    assert!(kept.body.contains("Registrata anche come"));
    assert!(
        kept.body.contains("Condivisione con altre organizzazioni"),
        "the merged record's consent shows on the kept one"
    );
    let old = c.get(&format!("/people/{b}")).await;
    assert!(old.body.contains("è stato unito"));
    // The merged record no longer comes up as a separate match.
    let token = app.token_for("chiara").await;
    let check = c
        .api("POST", "/api/v1/persons/duplicate-check", &token, Some(r#"{"given_names":"Abd al-Rahman","family_name":"Haidari","birth_date":"2000-02-10"}"#))
        .await;
    let ids: Vec<String> = check
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.contains(&a) && !ids.contains(&b), "{ids:?}");
    // Merging again is refused; undoing restores both records.
    let again = c
        .post(&format!("/people/{a}/merge"), &[("other", &b)])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let merges = store::people::merges_into(app.db(), &a).await.unwrap();
    let undo = c
        .post(&format!("/people/{a}/merges/{}/undo", merges[0].id), &[])
        .await;
    assert_eq!(undo.status, StatusCode::SEE_OTHER);
    let restored = c
        .api("GET", &format!("/api/v1/persons/{b}"), &token, None)
        .await
        .json();
    assert_eq!(restored["merged_into"], serde_json::Value::Null);
    let twice = c
        .post(&format!("/people/{a}/merges/{}/undo", merges[0].id), &[])
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    let actions = app.audit_actions(&a).await;
    assert!(
        actions.contains(&"person.merge".to_string())
            && actions.contains(&"person.merge_undo".to_string())
    );
}

#[tokio::test]
async fn a_record_cannot_be_merged_with_itself_or_across_scope() {
    let app = TestApp::new().await;
    let mut c = app.client();
    c.login_ok("chiara").await;
    let a = person_id(
        &register_new(
            &mut c,
            &[
                ("given_names", "Saida"),
                ("family_name", "Ben Salah"),
                ("birth_date", "1990"),
            ],
        )
        .await,
    );
    c.get(&format!("/people/{a}")).await;
    let own = c
        .post(&format!("/people/{a}/merge"), &[("other", &a)])
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut sara = app.client();
    sara.login_ok("sara").await;
    let x = person_id(
        &register_new(
            &mut sara,
            &[
                ("given_names", "Saida"),
                ("family_name", "Ben Salah"),
                ("birth_date", "1990"),
            ],
        )
        .await,
    );
    let across = sara
        .post(&format!("/people/{x}/merge"), &[("other", &a)])
        .await;
    assert_eq!(across.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_person_can_have_all_their_data_exported_and_then_erased() {
    let app = TestApp::new().await;
    let mut c = app.client();
    c.login_ok("chiara").await;
    let id = person_id(
        &register_new(
            &mut c,
            &[
                ("given_names", "Grace"),
                ("family_name", "Mensah"),
                ("birth_date", "1992-08-14"),
                ("nationality", "GH"),
                ("phone", "+39 345 111 2222"),
                ("passport", "G1234567"),
            ],
        )
        .await,
    );
    c.get(&format!("/people/{id}")).await;
    c.post(
        &format!("/people/{id}/vulnerabilities"),
        &[
            ("category", "pregnant_woman"),
            ("noted_on", "2026-11-20"),
            ("note", ""),
        ],
    )
    .await;
    let export = c.get(&format!("/people/{id}/export")).await;
    assert_eq!(export.status, StatusCode::OK);
    assert!(
        export
            .headers
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let j = export.json();
    assert_eq!(j["person"]["family_name"], "Mensah");
    assert_eq!(j["vulnerabilities"][0]["category"], "pregnant_woman");
    // Erasure needs an explicit confirmation.
    c.get(&format!("/people/{id}")).await;
    let unconfirmed = c.post(&format!("/people/{id}/pseudonymise"), &[]).await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    let done = c
        .post(&format!("/people/{id}/pseudonymise"), &[("confirm", "yes")])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let token = app.token_for("chiara").await;
    let after = c
        .api("GET", &format!("/api/v1/persons/{id}"), &token, None)
        .await
        .json();
    assert_ne!(after["family_name"], "Mensah");
    assert_eq!(after["phone"], serde_json::Value::Null);
    assert_eq!(after["birth"], "1992");
    assert_eq!(after["nationality"], "GH");
    assert_eq!(after["identifiers"].as_array().unwrap().len(), 0);
    assert!(
        store::people::vulnerabilities(app.db(), &store::Ctx::system("t"), &id)
            .await
            .unwrap()
            .is_empty()
    );
    // Gone from the duplicate check too.
    let check = c.api("POST", "/api/v1/persons/duplicate-check", &token, Some(r#"{"given_names":"Grace","family_name":"Mensah","birth_date":"1992-08-14","passport":"G1234567"}"#)).await;
    assert!(!check.body.contains(&id));
    let actions = app.audit_actions(&id).await;
    assert!(
        actions.contains(&"person.export".to_string())
            && actions.contains(&"person.pseudonymise".to_string())
    );
}

#[tokio::test]
async fn searching_a_common_name_lists_every_record_that_has_it() {
    let app = TestApp::new().await;
    let mut c = app.client();
    c.login_ok("giulia").await;
    let r = c.get("/people?q=Mohamed+Ahmed").await;
    assert_eq!(
        r.body
            .matches("<bdi>Mohamed Ahmed</bdi></a></strong>")
            .count(),
        3,
        "{}",
        r.body
    );
    assert!(
        c.get("/people?q=Islam")
            .await
            .body
            .contains("Mohammad Rakibul")
    );
    assert!(c.get("/people?q=diallo").await.body.contains("Amina"));
}

#[tokio::test]
async fn the_index_catches_up_page_by_page_even_when_a_page_shares_one_instant() {
    let app = TestApp::new().await;
    let actor = app.actor_of("marco").await;
    let ctx = store::Ctx {
        actor,
        request_id: None,
        purpose: None,
    };
    // The other instance's index is loaded; what follows is a catch-up.
    let other = app.tdb.second_handle().await;
    store::matching::sync(&other).await.unwrap();
    let names = ["Oksana", "Nadiya", "Yaroslava", "Bohdana", "Myroslava"];
    let mut ids = vec![];
    for n in names {
        let input = store::people::PersonInput {
            given_names: n.into(),
            family_name: "Shevchenko".into(),
            ..Default::default()
        };
        ids.push(
            store::people::create_person(app.db(), &ctx, &input)
                .await
                .unwrap(),
        );
    }
    // Three written at one instant, two at the next: pages of two meet both corners.
    let mut tx = app.db().begin().await.unwrap();
    for (i, id) in ids.iter().enumerate() {
        let at = if i < 3 {
            "2030-01-01T00:00:00Z"
        } else {
            "2030-01-01T00:00:01Z"
        };
        let at: chrono::DateTime<chrono::Utc> = at.parse().unwrap();
        store::with_tx!(&mut tx, |c| sqlx::query(
            "UPDATE persons SET updated_at = $1 WHERE id = $2"
        )
        .bind(store::Ts(at))
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
    }
    tx.commit().await.unwrap();
    store::matching::sync_in_pages(&other, 2).await.unwrap();
    for (n, id) in names.iter().zip(&ids) {
        let hits = store::matching::search(&other, &format!("{n} Shevchenko"), 5)
            .await
            .unwrap();
        assert_eq!(
            hits.first().map(|h| h.id.as_str()),
            Some(id.as_str()),
            "{n}"
        );
    }
}
