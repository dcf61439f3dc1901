//! The reports: each indicator against a fixture counted by hand (on both engines), who
//! sees which figures, and the dashboard pages.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;
use store::Ctx;
use store::account::OrgInput;
use store::contacts::ContactInput;
use store::people::PersonInput;
use store::reports::{Period, Scope};

use crate::support::{TestApp, TestDb};

fn as_org(org: &str) -> Ctx {
    let mut ctx = Ctx::system("test");
    ctx.actor.org_id = Some(org.to_string());
    ctx
}

async fn org(db: &store::Db, name: &str, kind: &str) -> String {
    store::account::create_org(
        db,
        &Ctx::system("test"),
        &OrgInput {
            name: name.into(),
            kind: kind.into(),
            active: Some("on".into()),
        },
        false,
    )
    .await
    .unwrap()
}

async fn person(
    db: &store::Db,
    org: &str,
    given: &str,
    family: &str,
    sex: &str,
    born: &str,
    nat: &str,
) -> String {
    store::people::create_person(
        db,
        &as_org(org),
        &PersonInput {
            given_names: given.into(),
            family_name: family.into(),
            sex: sex.into(),
            birth_date: born.into(),
            birth_precision: "exact".into(),
            nationality: nat.into(),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

async fn contact(db: &store::Db, org: &str, person: &str, digital: bool, n: usize) {
    store::contacts::log(
        db,
        &as_org(org),
        &ContactInput {
            topics: vec!["permit_renewal".into()],
            language: "ar".into(),
            outcome: "informed".into(),
            digital: if digital { vec!["spid".into()] } else { vec![] },
            person_id: person.into(),
            sex: "male".into(),
            age_band: "25-34".into(),
            form_token: format!("report-test-contact-{n:04}"),
            ..Default::default()
        },
    )
    .await
    .unwrap();
}

/// The fixture, counted by hand:
/// - Ahmed (Egypt, 1990) and a second record of him merged into the first: one person;
/// - Rina (Bangladesh, born 2011): a minor at her contact;
/// - Olena (Ukraine, 1985), vulnerable, with a case at the Prefecture;
/// - Pierre (France): not a third-country national;
/// - at the patronato: 3 anonymous contacts (one with SPID help), 2 with Ahmed, 1 with his
///   second record, 1 with Pierre, 1 with Rina, and a case for Ahmed filed in January.
struct Fixture {
    db: TestDb,
    patronato: String,
    prefecture: String,
}

async fn fixture() -> Fixture {
    let db = TestDb::new().await;
    let d = &db.db;
    let patronato = org(d, "Patronato di prova", "patronato").await;
    let prefecture = org(d, "Prefettura di prova", "prefecture").await;
    let ahmed = person(
        d,
        &patronato,
        "Ahmed",
        "Mansour",
        "male",
        "1990-05-02",
        "EG",
    )
    .await;
    let ahmed2 = person(d, &patronato, "Ahmad", "Mansur", "male", "1990-05-02", "EG").await;
    let rina = person(d, &patronato, "Rina", "Akter", "female", "2011-02-10", "BD").await;
    let olena = person(
        d,
        &prefecture,
        "Olena",
        "Kovalenko",
        "female",
        "1985-07-30",
        "UA",
    )
    .await;
    let pierre = person(
        d,
        &patronato,
        "Pierre",
        "Martin",
        "male",
        "1980-01-01",
        "FR",
    )
    .await;
    store::people::merge_persons(d, &as_org(&patronato), &ahmed, &ahmed2, "same passport")
        .await
        .unwrap();
    store::people::add_vulnerability(
        d,
        &as_org(&prefecture),
        &olena,
        "single_parent",
        "2026-01-10",
        "",
    )
    .await
    .unwrap();
    let mut n = 0;
    for (who, digital) in [
        ("", true),
        ("", false),
        ("", false),
        (ahmed.as_str(), false),
        (ahmed.as_str(), false),
        (ahmed2.as_str(), false),
        (pierre.as_str(), false),
        (rina.as_str(), false),
    ] {
        n += 1;
        contact(d, &patronato, who, digital, n).await;
    }
    store::cases::create_case(
        d,
        &as_org(&patronato),
        &ahmed,
        "permit_renewal",
        "2026-01-15",
    )
    .await
    .unwrap();
    store::cases::create_case(
        d,
        &as_org(&prefecture),
        &olena,
        "family_reunification",
        "2026-02-03",
    )
    .await
    .unwrap();
    store::reports::refresh(d).await.unwrap();
    Fixture {
        db,
        patronato,
        prefecture,
    }
}

fn analyst() -> Ctx {
    let mut ctx = Ctx::system("analyst");
    ctx.actor.grants = vec![domain::account::Grant {
        role: domain::account::Role::Analyst,
        scope: domain::account::Scope::All,
    }];
    ctx.actor.kind = domain::policy::ActorKind::User;
    ctx
}

fn staff_of(org: &str) -> Ctx {
    let mut ctx = as_org(org);
    ctx.actor.grants = vec![domain::account::Grant {
        role: domain::account::Role::CaseWorker,
        scope: domain::account::Scope::Organisation,
    }];
    ctx.actor.kind = domain::policy::ActorKind::User;
    ctx
}

fn value(f: &store::reports::Figures, code: &str) -> (i64, i64) {
    f.figure(code).map(|x| (x.num, x.den)).unwrap_or_default()
}

#[tokio::test]
async fn each_indicator_matches_the_hand_count_with_each_person_once() {
    let fx = fixture().await;
    let f = store::reports::figures(&fx.db.db, &analyst(), &Scope::Programme, &Period::all())
        .await
        .unwrap();
    assert_eq!(
        value(&f, "tcn_reached").0,
        3,
        "Ahmed once, Rina, Olena; not Pierre"
    );
    assert_eq!(value(&f, "minors_reached").0, 1, "Rina");
    assert_eq!(value(&f, "vulnerable_reached").0, 1, "Olena");
    assert_eq!(
        value(&f, "legal_assisted").0,
        2,
        "Ahmed's and Olena's cases"
    );
    assert_eq!(value(&f, "services").0, 10, "8 contacts and 2 cases");
    assert_eq!(value(&f, "contacts").0, 8);
    assert_eq!(value(&f, "digital_assisted").0, 1);
    // Ahmed counts in January, when his case was filed, not again at his contacts.
    let months = &f.figure("tcn_reached").unwrap().months;
    assert!(months.contains(&("2026-01".into(), 1, 0)), "{months:?}");
    // Breakdowns add up to the total, each person in one line.
    let by_sex = &f.figure("tcn_reached").unwrap().by["sex"];
    let total: i64 = by_sex.iter().map(|(_, n, _)| n).sum();
    assert_eq!(total, 3, "{by_sex:?}");
    assert!(by_sex.contains(&("female".into(), 2, 0)), "{by_sex:?}");
    let by_wp = &f.figure("services").unwrap().by["wp"];
    assert!(by_wp.contains(&("WP1".into(), 9, 0)), "{by_wp:?}");
    assert!(by_wp.contains(&("WP2".into(), 1, 0)), "{by_wp:?}");
}

#[tokio::test]
async fn an_organisations_figures_count_its_own_work_and_each_person_once_in_it() {
    let fx = fixture().await;
    let mine = staff_of(&fx.patronato);
    let own = store::reports::figures(
        &fx.db.db,
        &mine,
        &Scope::Org(fx.patronato.clone()),
        &Period::all(),
    )
    .await
    .unwrap();
    assert_eq!(value(&own, "tcn_reached").0, 2, "Ahmed and Rina");
    assert_eq!(value(&own, "services").0, 9);
    let theirs = store::reports::figures(
        &fx.db.db,
        &analyst(),
        &Scope::Org(fx.prefecture.clone()),
        &Period::all(),
    )
    .await
    .unwrap();
    assert_eq!(value(&theirs, "tcn_reached").0, 1, "Olena");
    // The programme's totals are everyone's; another organisation's figures are not.
    assert!(
        store::reports::figures(&fx.db.db, &mine, &Scope::Programme, &Period::all())
            .await
            .is_ok()
    );
    let other = store::reports::figures(
        &fx.db.db,
        &mine,
        &Scope::Org(fx.prefecture.clone()),
        &Period::all(),
    )
    .await;
    assert!(matches!(other, Err(domain::Error::Forbidden)), "{other:?}");
}

#[tokio::test]
async fn a_period_keeps_only_its_months() {
    let fx = fixture().await;
    let jan = Period::parse("2026-01", "2026-01").unwrap();
    let f = store::reports::figures(&fx.db.db, &analyst(), &Scope::Programme, &jan)
        .await
        .unwrap();
    assert_eq!(
        value(&f, "tcn_reached").0,
        1,
        "only Ahmed was first reached in January"
    );
    assert_eq!(value(&f, "services").0, 1);
    assert!(Period::parse("2026-13", "").is_err());
    assert!(Period::parse("2026-05", "2026-01").is_err());
}

#[tokio::test]
async fn every_definition_names_only_known_sources_and_flags() {
    let db = TestDb::new().await;
    let defs = store::reports::indicators(&db.db, domain::clock::today())
        .await
        .unwrap();
    assert!(defs.len() >= 14);
    let tcn = defs.iter().find(|i| i.code == "tcn_reached").unwrap();
    assert_eq!(tcn.target, Some(5000));
    let minors = defs.iter().find(|i| i.code == "minors_reached").unwrap();
    assert_eq!(minors.target, Some(3000));
}

#[tokio::test]
async fn the_demo_dashboards_show_live_figures_to_each_role_as_allowed() {
    let app = TestApp::new().await;
    let mut elena = app.client();
    elena.login_ok("elena").await;
    let page = elena.get("/reports").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Cittadini di paesi terzi raggiunti"));
    assert!(page.body.contains("Dati aggiornati al"));
    assert!(page.body.contains("<svg class=\"report-chart\""));
    for board in ["programme", "hub", "monitoring"] {
        for by in ["sex", "nationality", "org_id", "wp"] {
            let r = elena
                .get(&format!(
                    "/reports?board={board}&by={by}&from=2024-03&to=2026-12"
                ))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{board} {by}");
        }
    }
    let bad = elena.get("/reports?from=2026-99").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("aria-invalid=\"true\""));
    let unknown = elena.get("/reports?by=colour").await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.body.contains("id=\"by-error\""), "{}", unknown.body);
    // The analyst may ask for a recomputation; a partner's operator may not.
    let asked = elena.post("/reports/refresh", &[]).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    let mut chiara = app.client();
    chiara.login_ok("chiara").await;
    let own = chiara.get("/reports").await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(
        own.body
            .contains(r#"<th scope="col" class="num">Programma</th>"#),
        "their organisation's figures, with the programme's beside"
    );
    assert_eq!(
        chiara.post("/reports/refresh", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let mut roberto = app.client();
    roberto.login_ok("roberto").await;
    assert_eq!(roberto.get("/reports").await.status, StatusCode::FORBIDDEN);
}

/// The cells of the first sheet of an XLSX, as `(reference, is_number, raw value)`.
fn xlsx_cells(bytes: &[u8], sheet: usize) -> Vec<(String, bool, String)> {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut xml = String::new();
    z.by_name(&format!("xl/worksheets/sheet{sheet}.xml"))
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml.split("<c r=\"")
        .skip(1)
        .map(|c| {
            let reference = c.split('"').next().unwrap().to_string();
            let head = c.split('>').next().unwrap();
            let text = head.contains("t=\"s\"")
                || head.contains("t=\"str\"")
                || head.contains("t=\"inlineStr\"");
            let value = c
                .split("<v>")
                .nth(1)
                .and_then(|v| v.split("</v>").next())
                .unwrap_or("")
                .to_string();
            (reference, !text && !value.is_empty(), value)
        })
        .collect()
}

#[tokio::test]
async fn the_tables_download_as_xlsx_with_numbers_as_numbers_and_as_csv() {
    let app = TestApp::new().await;
    let mut elena = app.client();
    elena.login_ok("elena").await;
    let x = elena
        .get("/reports/export.xlsx?board=programme&by=sex")
        .await;
    assert_eq!(x.status, StatusCode::OK, "{}", x.body);
    assert!(
        x.headers["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let cells = xlsx_cells(&x.bytes, 1);
    // Column C holds the values: the header is text, every value a number.
    let values: Vec<_> = cells
        .iter()
        .filter(|(r, _, _)| r.starts_with('C'))
        .collect();
    assert!(values.len() > 5, "{cells:?}");
    assert!(!values[0].1, "the header is text");
    assert!(values[1..].iter().any(|(_, num, _)| *num), "{values:?}");
    let csv = elena
        .get("/reports/export.csv?board=programme&by=sex&table=breakdown")
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = String::from_utf8(csv.bytes.to_vec()).unwrap();
    assert!(text.starts_with("\u{feff}Per sesso,"), "{text}");
    assert_eq!(
        elena.get("/reports/export.csv?table=nope").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // The same file for a partner's operator holds their own organisation's figures.
    let mut chiara = app.client();
    chiara.login_ok("chiara").await;
    let own = chiara.get("/reports/export.xlsx").await;
    assert_eq!(own.status, StatusCode::OK);
}

#[tokio::test]
async fn open_data_never_publishes_a_count_under_five_or_one_that_reveals_it() {
    let fx = fixture().await;
    let (run, tables) = store::reports::open_tables(&fx.db.db).await.unwrap();
    assert!(run.is_some());
    assert!(!tables.is_empty());
    for t in &tables {
        let shown: Vec<i64> = t.rows.iter().filter_map(|(_, n)| *n).collect();
        assert!(shown.iter().all(|n| *n >= 5), "{t:?}");
        assert!(t.total.is_none_or(|n| n >= 5), "{t:?}");
        // With the total published, no single hidden count can be recomputed.
        let hidden = t.rows.iter().filter(|(_, n)| n.is_none()).count();
        if t.total.is_some() {
            assert_ne!(hidden, 1, "{t:?}");
        }
    }
    // The fixture's three persons by sex: all small, all hidden, the total too.
    let by_sex = tables
        .iter()
        .find(|t| t.code == "tcn_reached_by_sex")
        .unwrap();
    assert!(by_sex.rows.iter().all(|(_, n)| n.is_none()));
    assert_eq!(by_sex.total, None);
    // Ten services by work package: 9 in WP1 and 1 in WP2 would give each other away.
    let by_wp = tables.iter().find(|t| t.code == "services_by_wp").unwrap();
    assert!(by_wp.rows.iter().all(|(_, n)| n.is_none()), "{by_wp:?}");
    assert_eq!(by_wp.total, Some(10));
}

#[tokio::test]
async fn the_open_data_page_and_files_are_public_and_hold_no_small_count() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let it = c.get("/it/open-data").await;
    assert_eq!(it.status, StatusCode::OK, "{}", it.body);
    assert!(it.body.contains("Dati aperti del programma SPRInt"));
    assert!(it.body.contains(r#"<html lang="it" dir="ltr">"#));
    let en = c.get("/en/open-data").await;
    assert!(en.body.contains("SPRInt programme open data"));
    let ar = c.get("/ar/open-data").await;
    assert_eq!(ar.status, StatusCode::SEE_OTHER);
    assert_eq!(ar.location(), "/en/open-data");
    let file = c.get("/open-data/tcn_reached_by_nationality.csv").await;
    assert_eq!(file.status, StatusCode::OK);
    let text = String::from_utf8(file.bytes.to_vec()).unwrap();
    assert!(text.starts_with("\u{feff}nationality,count"), "{text}");
    for line in text.lines().skip(1) {
        let n = line.rsplit(',').next().unwrap();
        if let Ok(n) = n.parse::<i64>() {
            assert!(n >= 5, "{line}");
        }
    }
    assert_eq!(
        c.get("/open-data/nothing.csv").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_annual_report_reads_back_with_every_indicator_its_target_and_breakdowns() {
    let app = TestApp::new().await;
    let mut elena = app.client();
    elena.login_ok("elena").await;
    let year = chrono::Datelike::year(&domain::clock::today());
    let pdf = elena.get(&format!("/reports/annual.pdf?year={year}")).await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.body);
    assert_eq!(&pdf.bytes[..5], b"%PDF-");
    let text = pdf_extract::extract_text_from_mem(&pdf.bytes)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for expected in [
        format!("Relazione annuale di performance FAMI {year}"),
        "Cittadini di paesi terzi raggiunti (ciascuno una volta)".into(),
        "5000".into(),
        "3000".into(),
        "Per nazionalità".into(),
        format!("{}-02-15", year + 1),
        "Reg. (UE) 2021/1147".into(),
    ] {
        assert!(
            text.contains(&expected),
            "{expected:?} missing from: {text}"
        );
    }
    let x = elena
        .get(&format!("/reports/annual.xlsx?year={year}"))
        .await;
    assert_eq!(x.status, StatusCode::OK);
    // The targets column (E) holds numbers: 5000 and 3000.
    let cells = xlsx_cells(&x.bytes, 1);
    let targets: Vec<_> = cells
        .iter()
        .filter(|(r, num, _)| r.starts_with('E') && *num)
        .map(|(_, _, v)| v.as_str())
        .collect();
    assert!(
        targets.contains(&"5000") && targets.contains(&"3000"),
        "{cells:?}"
    );
    // The breakdown by sex reads in words, as in the PDF, not as stored codes.
    let mut strings = String::new();
    {
        use std::io::Read;
        zip::ZipArchive::new(std::io::Cursor::new(x.bytes.to_vec()))
            .unwrap()
            .by_name("xl/sharedStrings.xml")
            .unwrap()
            .read_to_string(&mut strings)
            .unwrap();
    }
    assert!(
        strings.contains(">Maschio<") && !strings.contains(">male<"),
        "{strings}"
    );
    let early = elena.get("/reports/annual.pdf?year=2019").await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// One row of SQL for the tests below (ids the store functions need).
async fn one(app: &TestApp, sql: &str) -> (String, i32) {
    let sql = sql.to_string();
    store::with_pool!(app.db(), |p| sqlx::query_as(sqlx::AssertSqlSafe(
        sql.clone()
    ))
    .fetch_one(p)
    .await)
    .unwrap()
}

async fn programme(app: &TestApp) -> store::reports::Figures {
    store::reports::refresh(app.db()).await.unwrap();
    store::reports::figures(app.db(), &analyst(), &Scope::Programme, &Period::all())
        .await
        .unwrap()
}

/// The indicators that do not count persons, each checked by what the test adds on top of
/// the demo world, counted by hand:
/// - trainings: Luca answers the survey (useful) and gets his certificate: one more staff
///   member trained, one more useful answer out of one more answer;
/// - material: the Tigrinya digital-identity page waiting in review is published (one more
///   page and language); saving the Italian citizenship page again adds nothing;
/// - monitoring: one more closed inspection with two findings, one of whose actions the
///   manager answers and the inspector verifies (one closed out of two);
/// - minors: Aster arrived 20 days ago, all three notices sent that day, identified on the
///   third, transferred 5 days ago: 15 days in the hub and her 5 terms met; Dawit arrived 40
///   days ago, the prosecutor told on the second day, court and SIM never, never
///   identified, still at the hub with 5 days of his 45 left: 4 terms past, none met, the
///   stay not yet counted.
#[tokio::test]
async fn the_training_material_monitoring_and_hub_indicators_match_the_hand_count() {
    let app = TestApp::new().await;
    let before = programme(&app).await;

    // Trainings.
    let (course, _) = one(
        &app,
        "SELECT id, 0 FROM courses WHERE audience = 'patronati' LIMIT 1",
    )
    .await;
    let mut luca = app.client();
    luca.login_ok("luca").await;
    let r = luca
        .post(
            &format!("/trainings/{course}/survey"),
            &[("useful", "yes"), ("rating", "4"), ("comment", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let pdf = luca
        .get(&format!("/trainings/{course}/certificate.pdf"))
        .await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.body);

    // Material.
    let system = Ctx::system("test");
    let view = store::service_texts::for_edit(app.db(), &system, "digital_identity", "ti")
        .await
        .unwrap();
    let it_hash = view.source.unwrap().content_hash;
    let ti = view.text.unwrap();
    assert_eq!(ti.state, "review");
    store::service_texts::save(
        app.db(),
        &system,
        "digital_identity",
        "ti",
        &store::service_texts::TextInput {
            content: ti.content.clone(),
            state: "published".into(),
            version: Some(ti.version),
            source_hash: it_hash,
        },
    )
    .await
    .unwrap();
    let cit = store::service_texts::for_edit(app.db(), &system, "citizenship_residence", "it")
        .await
        .unwrap()
        .text
        .unwrap();
    let mut content = cit.content.clone();
    content.summary.push_str(" (aggiornato)");
    store::service_texts::save(
        app.db(),
        &system,
        "citizenship_residence",
        "it",
        &store::service_texts::TextInput {
            content,
            state: "published".into(),
            version: Some(cit.version),
            source_hash: String::new(),
        },
    )
    .await
    .unwrap();

    // Monitoring.
    let paolo = Ctx {
        actor: app.actor_of("paolo").await,
        request_id: None,
        purpose: None,
    };
    let bruno = Ctx {
        actor: app.actor_of("bruno").await,
        request_id: None,
        purpose: None,
    };
    let (centre, _) = one(&app, "SELECT id, 0 FROM centres WHERE code = 'CAS-RM-0207'").await;
    let inspection = store::demo_monitoring::past_inspection(
        app.db(),
        &paolo,
        &centre,
        std::slice::from_ref(&paolo.actor.id),
        10,
        &[
            (
                "-03",
                "minor",
                "Mediazione solo in due lingue.",
                "Attivare il tigrino.",
            ),
            (
                "-07",
                "major",
                "Screening non fatto a tre ospiti.",
                "Completare lo screening.",
            ),
        ],
        "Visita di prova.",
    )
    .await
    .unwrap();
    let (action, version) = one(
        &app,
        &format!(
            "SELECT a.id, a.version FROM corrective_actions a JOIN findings f ON f.id = a.finding_id \
             WHERE f.inspection_id = '{inspection}' AND f.severity = 'minor'"
        ),
    )
    .await;
    let step = |body: &str, version: i32| store::corrective::StepInput {
        body: body.into(),
        version,
        ..Default::default()
    };
    store::corrective::answer(
        app.db(),
        &bruno,
        &action,
        &step("Mediatrice attiva.", version),
        &[],
    )
    .await
    .unwrap();
    store::corrective::verify(app.db(), &paolo, &action, &step("", version + 1))
        .await
        .unwrap();

    // Minors.
    let sara = Ctx {
        actor: app.actor_of("sara").await,
        request_id: None,
        purpose: None,
    };
    let today = domain::clock::today();
    let day = |ago: i64| (today - chrono::Duration::days(ago)).to_string();
    let take_in = |given: &'static str, ago: i64| {
        let sara = sara.clone();
        let db = app.db().clone();
        async move {
            let input = store::minors::IntakeInput {
                arrived_at: format!("{}T10:00", day(ago)),
                contact_place: "Stazione Termini".into(),
                brought_by: "police".into(),
                declared_age: "15".into(),
                ..Default::default()
            };
            let person = store::minors::with_declared_age(
                &PersonInput {
                    given_names: given.into(),
                    family_name: "Tesfay".into(),
                    sex: "male".into(),
                    nationality: "ER".into(),
                    ..Default::default()
                },
                &input,
            );
            store::minors::intake(&db, &sara, store::minors::Identity::New(&person), &input)
                .await
                .unwrap()
        }
    };
    let aster = take_in("Aster", 20).await;
    for r in domain::minors::RECIPIENTS {
        store::minors::record_notification(app.db(), &sara, &aster, r, &day(20), "")
            .await
            .unwrap();
    }
    store::minors::record_identification(app.db(), &sara, &aster, &day(17), 1)
        .await
        .unwrap();
    let v = store::minors::get_minor(app.db(), &sara, &aster)
        .await
        .unwrap()
        .minor
        .version;
    store::minors::end_stay(app.db(), &sara, &aster, "transferred", &day(5), "", v)
        .await
        .unwrap();
    let dawit = take_in("Dawit", 40).await;
    store::minors::record_notification(app.db(), &sara, &dawit, "prosecutor", &day(38), "")
        .await
        .unwrap();

    let after = programme(&app).await;
    let delta = |code: &str| {
        let (a, b) = (value(&after, code), value(&before, code));
        (a.0 - b.0, a.1 - b.1)
    };
    assert_eq!(delta("staff_trained").0, 1, "Luca's certificate");
    assert_eq!(delta("training_useful"), (1, 1), "Luca found it useful");
    assert_eq!(delta("materials").0, 1, "the Tigrinya page, once");
    assert_eq!(delta("inspections_done").0, 1);
    assert_eq!(delta("findings_closed"), (1, 2), "one of two verified");
    assert_eq!(delta("minor_days_in_hub"), (15, 1), "Aster's 15 days");
    assert_eq!(
        delta("minor_deadlines_met"),
        (5, 9),
        "Aster's 5 of 5, Dawit's 0 of 4"
    );
    // A ratio is shown as its share: the hub board's figure is the mean of the stays.
    let f = after.figure("minor_days_in_hub").unwrap();
    assert!(f.den >= 1 && f.num >= 15, "{f:?}");
}
