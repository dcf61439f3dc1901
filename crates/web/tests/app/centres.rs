//! The registry of reception centres and their daily presences: the CSV import (a day
//! imported again replaces, bad lines are reported by number), and who sees which centre.

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

async fn presence(app: &TestApp, code: &str, day: &str) -> Option<(i32, i32)> {
    let id = centre_id(app, code).await;
    let d = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
    store::with_pool!(app.db(), |p| {
        sqlx::query_as(
            "SELECT male, female FROM centre_presences WHERE centre_id = $1 AND day = $2",
        )
        .bind(&id)
        .bind(d)
        .fetch_optional(p)
        .await
    })
    .unwrap()
}

async fn import(c: &mut Client, csv: &str) -> Resp {
    c.get("/centres/presences/import").await;
    c.post_multipart(
        "/centres/presences/import",
        &[],
        Some(("presenze.csv", csv.as_bytes())),
    )
    .await
}

#[tokio::test]
async fn a_presence_file_imports_good_lines_reports_bad_ones_and_a_second_import_replaces() {
    let app = TestApp::new().await;
    let mut anna = app.client();
    anna.login_ok("anna").await;
    let future = (domain::clock::today() + chrono::Duration::days(2)).to_string();
    let csv = format!(
        "date,centre_code,male,female\n\
         2026-11-01,CAS-RM-0101,50,0\n\
         2026-11-01,CAS-RM-0102,18,19\n\
         2026-11-01,CAS-RM-9999,10,10\n\
         2026-11-01,CAS-RM-0207,70,0\n\
         01/11/2026,CAS-RM-0101,50,0\n\
         {future},CAS-RM-0101,50,0\n\
         2026-11-02,CAS-RM-0101,-3,0\n\
         2026-11-01,CAS-RM-0101,51,0\n"
    );
    let r = import(&mut anna, &csv).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Righe importate: 2."), "{}", r.body);
    for (line, msg) in [
        (4, "Codice del centro sconosciuto."),
        (5, "Il centro non è gestito dalla tua organizzazione."),
        (6, "Data non valida"),
        (7, "La data è nel futuro."),
        (8, "Inserisci un numero intero positivo."),
        (
            9,
            "Stesso centro e stesso giorno già presenti in questo file.",
        ),
    ] {
        let item = format!("Riga {line}: ");
        let at = r
            .body
            .find(&item)
            .unwrap_or_else(|| panic!("line {line} not reported"));
        let rest = &r.body[at..at + 200.min(r.body.len() - at)];
        assert!(
            rest.to_lowercase().contains(&msg.to_lowercase()[..12]),
            "line {line}: {rest}"
        );
    }
    assert_eq!(
        presence(&app, "CAS-RM-0101", "2026-11-01").await,
        Some((50, 0))
    );
    assert_eq!(
        presence(&app, "CAS-RM-0207", "2026-11-01").await,
        None,
        "another body's centre is untouched"
    );
    // The same day again: replaced, not doubled.
    let again = import(
        &mut anna,
        "date,centre_code,male,female\n2026-11-01,CAS-RM-0101,47,0\n",
    )
    .await;
    assert!(again.body.contains("sostituiti: 1."), "{}", again.body);
    assert_eq!(
        presence(&app, "CAS-RM-0101", "2026-11-01").await,
        Some((47, 0))
    );
    let rows: (i64,) = store::with_pool!(app.db(), |p| {
        sqlx::query_as("SELECT COUNT(*) FROM centre_presences WHERE day = $1")
            .bind(chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap())
            .fetch_one(p)
            .await
    })
    .unwrap();
    assert_eq!(rows.0, 2);
    // A file without the expected header is refused as a whole, clearly.
    let bad = import(
        &mut anna,
        "giorno;centro;uomini;donne\n2026-11-01;CAS-RM-0101;1;1\n",
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("Manca la riga d&#x27;intestazione")
            || bad.body.contains("Manca la riga d")
    );
}

#[tokio::test]
async fn a_centre_manager_sees_and_records_only_their_own_centres() {
    let app = TestApp::new().await;
    let mut bruno = app.client();
    bruno.login_ok("bruno").await;
    let list = bruno.get("/centres").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("CAS Tevere Nord") && !list.body.contains("CAS Via Casilina"));
    let casilina = centre_id(&app, "CAS-RM-0101").await;
    assert_eq!(
        bruno.get(&format!("/centres/{casilina}")).await.status,
        StatusCode::FORBIDDEN
    );
    bruno.get("/centres").await;
    let write = bruno
        .post(
            &format!("/centres/{casilina}/presences"),
            &[("day", "2026-11-20"), ("male", "1"), ("female", "1")],
        )
        .await;
    assert_eq!(write.status, StatusCode::FORBIDDEN);
    assert_eq!(
        bruno.get("/centres/new").await.status,
        StatusCode::FORBIDDEN
    );
    // The inspector sees every centre, and the one over capacity stands out.
    let mut paolo = app.client();
    paolo.login_ok("paolo").await;
    let all = paolo.get("/centres").await;
    assert!(all.body.contains("CAS Tevere Nord") && all.body.contains("CAS Via Casilina"));
    let tevere = all
        .body
        .split("CAS Tevere Nord")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert!(
        tevere.contains("deadline-overdue"),
        "over capacity is flagged: {tevere}"
    );
    // A facility for minors shows its bands of places and those taken.
    let ponte = all
        .body
        .split("Comunità Il Ponte")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert!(
        ponte.contains(">10<") && ponte.contains("8 (80%)"),
        "{ponte}"
    );
    let filtered = paolo.get("/centres?municipality=Fiumicino").await;
    assert!(
        filtered.body.contains("CAS Tevere Nord") && !filtered.body.contains("CAS Via Casilina")
    );
}

#[tokio::test]
async fn the_registry_is_kept_by_the_inspectors_with_checked_fields_and_no_silent_overwrite() {
    let app = TestApp::new().await;
    let mut paolo = app.client();
    paolo.login_ok("paolo").await;
    paolo.get("/centres/new").await;
    let faro = store::account::find_org_by_name(app.db(), "Cooperativa Sociale Il Faro")
        .await
        .unwrap()
        .unwrap()
        .id;
    let bad = paolo
        .post(
            "/centres",
            &[
                ("name", "CAS Prova"),
                ("kind", "cas"),
                ("org_id", &faro),
                ("code", "CAS-RM-0101"),
                ("contract_start", "2026-01-01"),
                ("contract_end", "2025-01-01"),
                ("daily_price", "trenta"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("precedente all&#x27;inizio") || bad.body.contains("precedente all"));
    assert!(bad.body.contains("CAS Prova"), "typed values come back");
    let taken = paolo
        .post(
            "/centres",
            &[
                ("name", "CAS Prova"),
                ("kind", "cas"),
                ("org_id", &faro),
                ("code", "CAS-RM-0101"),
            ],
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.body);
    let ok = paolo
        .post(
            "/centres",
            &[
                ("name", "CAS Prova"),
                ("kind", "cas"),
                ("org_id", &faro),
                ("code", "CAS-RM-0999"),
                ("daily_price", "31,75"),
                ("contract_schema", "2023"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let id = ok
        .location()
        .trim_start_matches("/centres/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let page = paolo.get(&format!("/centres/{id}")).await;
    assert!(page.body.contains("31,75 €") && page.body.contains("Dopo il DL 20/2023"));
    paolo.get(&format!("/centres/{id}/edit")).await;
    let edit = |name: &'static str| {
        vec![
            ("name", name),
            ("kind", "cas"),
            ("org_id", faro.as_str()),
            ("code", "CAS-RM-0999"),
            ("version", "1"),
        ]
    };
    let first = paolo
        .post(&format!("/centres/{id}"), &edit("CAS Prova Uno"))
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let stale = paolo
        .post(&format!("/centres/{id}"), &edit("CAS Prova Due"))
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(
        stale.body.contains("CAS Prova Due"),
        "the typed name is kept"
    );
    // A day's count in the future is refused.
    paolo.get(&format!("/centres/{id}")).await;
    let future = (domain::clock::today() + chrono::Duration::days(1)).to_string();
    let r = paolo
        .post(
            &format!("/centres/{id}/presences"),
            &[("day", future.as_str()), ("male", "3"), ("female", "2")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_centre_is_checked_against_the_template_of_its_own_contract_schema() {
    let app = TestApp::new().await;
    let mut paolo = app.client();
    paolo.login_ok("paolo").await;
    let old = paolo.get("/checklists/2021").await;
    let new = paolo.get("/checklists/2023").await;
    assert_eq!(old.status, StatusCode::OK);
    assert_eq!(new.status, StatusCode::OK);
    for heading in [
        "Mediazione linguistico-culturale",
        "Assistenza sanitaria",
        "Assistenza sociale",
        "Registro degli eventi critici",
    ] {
        assert!(
            old.body.contains(heading) && new.body.contains(heading),
            "{heading}"
        );
    }
    // After DL 20/2023 these are required only where the contract still says so.
    for heading in [
        "Supporto psicologico",
        "Corsi di lingua italiana",
        "Orientamento legale",
    ] {
        assert!(old.body.contains(heading), "{heading} in 2021");
        assert!(!new.body.contains(heading), "{heading} not in 2023");
    }
    assert_eq!(
        paolo.get("/checklists/1999").await.status,
        StatusCode::NOT_FOUND
    );
    let casilina = centre_id(&app, "CAS-RM-0101").await;
    let page = paolo.get(&format!("/centres/{casilina}")).await;
    assert!(page.body.contains(r#"href="/checklists/2021""#));
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    assert_eq!(
        giulia.get("/checklists/2021").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_api_lists_own_centres_records_presences_and_imports_a_file() {
    let app = TestApp::new().await;
    let anna = app.token_for("anna").await;
    let mut c = app.client();
    let list = c.api("GET", "/api/v1/centres", &anna, None).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let names: Vec<String> = list
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap().to_string())
        .collect();
    assert!(names.iter().any(|n| n.contains("CAS Via Casilina")));
    assert!(!names.iter().any(|n| n.contains("CAS Tevere Nord")));
    let casilina = centre_id(&app, "CAS-RM-0101").await;
    let tevere = centre_id(&app, "CAS-RM-0207").await;
    let ok = c
        .api(
            "POST",
            &format!("/api/v1/centres/{casilina}/presences"),
            &anna,
            Some(r#"{"day":"2026-11-03","male":49,"female":0}"#),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    assert_eq!(ok.json()["code"], "CAS-RM-0101");
    let other = c
        .api(
            "POST",
            &format!("/api/v1/centres/{tevere}/presences"),
            &anna,
            Some(r#"{"day":"2026-11-03","male":1,"female":0}"#),
        )
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    let imported = c
        .api(
            "POST",
            "/api/v1/centres/presences/import",
            &anna,
            Some("date,centre_code,male,female\n2026-11-03,CAS-RM-0101,48,0\n2026-11-03,CAS-RM-0207,1,1\n"),
        )
        .await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.body);
    let j = imported.json();
    assert_eq!(j["imported"], 1);
    assert_eq!(j["replaced"], 1);
    assert_eq!(j["errors"][0]["line"], 3);
    assert_eq!(j["errors"][0]["code"], "csv_centre_not_yours");
    assert_eq!(
        presence(&app, "CAS-RM-0101", "2026-11-03").await,
        Some((48, 0))
    );
}
