//! The demo world: the programme's organisations and one user per role, all marked as
//! demo. Seeding goes through the same store functions as real use (validation, audit).

use chrono::Datelike;
use domain::Result;
use domain::account::{OrgKind, Role, Scope};

use crate::account::{self, OrgInput, UserInput};
use crate::db::Ctx;
use crate::db::Db;

/// The password of every demo account. Demo data only: printed at start-up and in the README.
pub const DEMO_PASSWORD: &str = "Demo-Roma-2026";

pub struct DemoOrg {
    pub key: &'static str,
    pub name: &'static str,
    pub kind: OrgKind,
}

pub const ORGS: &[DemoOrg] = &[
    DemoOrg {
        key: "prefettura",
        name: "Prefettura di Roma",
        kind: OrgKind::Prefecture,
    },
    DemoOrg {
        key: "integra",
        name: "Programma Integra",
        kind: OrgKind::Partner,
    },
    DemoOrg {
        key: "cri",
        name: "Croce Rossa Italiana – Comitato Area Metropolitana di Roma Capitale",
        kind: OrgKind::Partner,
    },
    DemoOrg {
        key: "patronato1",
        name: "Patronato Lavoro e Diritti – sede di Roma Termini",
        kind: OrgKind::Patronato,
    },
    DemoOrg {
        key: "patronato2",
        name: "Patronato Cittadini Insieme – sede di Tor Pignattara",
        kind: OrgKind::Patronato,
    },
    DemoOrg {
        key: "ente1",
        name: "Cooperativa Sociale Il Faro",
        kind: OrgKind::ManagingBody,
    },
    DemoOrg {
        key: "ente2",
        name: "Consorzio Accoglienza Tevere",
        kind: OrgKind::ManagingBody,
    },
    DemoOrg {
        key: "ente3",
        name: "Associazione Casa Comune",
        kind: OrgKind::ManagingBody,
    },
    DemoOrg {
        key: "tribunale",
        name: "Tribunale per i minorenni di Roma",
        kind: OrgKind::Court,
    },
    DemoOrg {
        key: "roma",
        name: "Roma Capitale – Dipartimento Politiche Sociali",
        kind: OrgKind::Municipality,
    },
    DemoOrg {
        key: "antitratta",
        name: "Rete antitratta del Lazio – sportello di Roma",
        kind: OrgKind::CivilSociety,
    },
    DemoOrg {
        key: "cav",
        name: "Centro antiviolenza Roma Est",
        kind: OrgKind::CivilSociety,
    },
];

pub struct DemoUser {
    pub username: &'static str,
    pub full_name: &'static str,
    pub org: &'static str,
    pub role: Role,
    pub scope: Scope,
    pub lang: &'static str,
}

pub const USERS: &[DemoUser] = &[
    DemoUser {
        username: "roberto",
        full_name: "Roberto Conti",
        org: "prefettura",
        role: Role::Admin,
        scope: Scope::All,
        lang: "it",
    },
    DemoUser {
        username: "marco",
        full_name: "Marco Bianchi",
        org: "prefettura",
        role: Role::PrefectureOfficer,
        scope: Scope::All,
        lang: "it",
    },
    DemoUser {
        username: "chiara",
        full_name: "Chiara Neri",
        org: "integra",
        role: Role::CaseWorker,
        scope: Scope::Organisation,
        lang: "it",
    },
    DemoUser {
        username: "giulia",
        full_name: "Giulia Romano",
        org: "integra",
        role: Role::InfoPointOperator,
        scope: Scope::Organisation,
        lang: "it",
    },
    DemoUser {
        username: "tanvir",
        full_name: "Tanvir Ahmed",
        org: "integra",
        role: Role::Mediator,
        scope: Scope::Organisation,
        lang: "en",
    },
    DemoUser {
        username: "luca",
        full_name: "Luca Moretti",
        org: "patronato1",
        role: Role::CaseWorker,
        scope: Scope::Organisation,
        lang: "it",
    },
    DemoUser {
        username: "sara",
        full_name: "Sara Esposito",
        org: "cri",
        role: Role::MinorsOfficer,
        scope: Scope::Organisation,
        lang: "it",
    },
    DemoUser {
        username: "paolo",
        full_name: "Paolo Ferri",
        org: "prefettura",
        role: Role::Inspector,
        scope: Scope::All,
        lang: "it",
    },
    DemoUser {
        username: "anna",
        full_name: "Anna Greco",
        org: "ente1",
        role: Role::CentreManager,
        scope: Scope::Organisation,
        lang: "it",
    },
    DemoUser {
        username: "bruno",
        full_name: "Bruno Costa",
        org: "ente2",
        role: Role::CentreManager,
        scope: Scope::Organisation,
        lang: "it",
    },
    DemoUser {
        username: "davide",
        full_name: "Davide Marino",
        org: "integra",
        role: Role::Trainer,
        scope: Scope::All,
        lang: "it",
    },
    DemoUser {
        username: "elena",
        full_name: "Elena Ricci",
        org: "prefettura",
        role: Role::Analyst,
        scope: Scope::All,
        lang: "it",
    },
];

/// Seeds the demo world if it is not there yet. Returns whether anything was created.
pub async fn seed(db: &Db) -> Result<bool> {
    let ctx = Ctx::system("demo-seed");
    if account::find_org_by_name(db, ORGS[0].name).await?.is_some() {
        return Ok(false);
    }
    let mut ids = std::collections::HashMap::new();
    let mut users = std::collections::HashMap::new();
    for o in ORGS {
        let id = account::create_org(
            db,
            &ctx,
            &OrgInput {
                name: o.name.to_string(),
                kind: o.kind.as_str().to_string(),
                active: Some("on".into()),
            },
            true,
        )
        .await?;
        ids.insert(o.key, id);
    }
    for u in USERS {
        let user_id = account::create_user(
            db,
            &ctx,
            &UserInput {
                username: u.username.to_string(),
                full_name: u.full_name.to_string(),
                email: format!("{}@demo.sprint.invalid", u.username),
                org_id: ids.get(u.org).cloned().unwrap_or_default(),
                lang: u.lang.to_string(),
                grants: vec![format!("{}:{}", u.role, u.scope)],
                password: DEMO_PASSWORD.to_string(),
            },
        )
        .await?;
        users.insert(u.username, user_id);
    }
    seed_people(db, &ids, &users).await?;
    seed_contacts(db, &ids).await?;
    // The dashboards show the demo's figures at once, not after the first scheduled run.
    crate::reports::refresh(db).await?;
    Ok(true)
}

/// A season of the info point's front office, so that its figures are not empty: about
/// four contacts a working day over the last four months, a fifth with help on a digital
/// service, in the languages the mediators speak.
async fn seed_contacts(db: &Db, ids: &std::collections::HashMap<&str, String>) -> Result<()> {
    use crate::contacts::ContactInput;
    let Some(integra) = ids.get("integra") else {
        return Ok(());
    };
    const TOPICS: &[&str] = &[
        "permit_renewal",
        "permit_renewal",
        "permit_first",
        "family_reunification",
        "citizenship_residence",
        "work_clearance",
        "other",
    ];
    const LANGS: &[&str] = &["ar", "bn", "en", "fr", "ur", "uk", "ti", "it"];
    const AGES: &[&str] = &["18-24", "25-34", "25-34", "35-54", "55+"];
    let today = domain::clock::today();
    let mut items = vec![];
    for k in 0..320usize {
        // From yesterday back: the day's own list stays the operators' to fill.
        let day = today - chrono::Duration::days((k / 4 * 7 / 5 + 1) as i64);
        if matches!(day.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun) {
            continue;
        }
        items.push((
            ContactInput {
                topics: vec![TOPICS[k % TOPICS.len()].to_string()],
                language: LANGS[(k * 3) % LANGS.len()].to_string(),
                outcome: if k % 6 == 0 {
                    "appointment"
                } else {
                    "informed"
                }
                .into(),
                digital: if k % 5 == 0 {
                    vec![["spid", "online_booking", "pagopa"][k % 3].to_string()]
                } else {
                    vec![]
                },
                sex: if k % 3 == 0 { "female" } else { "male" }.into(),
                age_band: AGES[k % AGES.len()].to_string(),
                form_token: format!("demo-front-office-{k:06}"),
                ..Default::default()
            },
            day,
        ));
    }
    crate::contacts::log_days(db, &as_org(integra), &items).await?;
    Ok(())
}

/// A registering organisation acting in the demo (the system, on its behalf).
fn as_org(org_id: &str) -> Ctx {
    let mut ctx = Ctx::system("demo-seed");
    ctx.actor.org_id = Some(org_id.to_string());
    ctx
}

/// A demo user's own hand, for records that show their author (notes), so the demo reads
/// "Chiara Neri" and not the seeding job.
pub(crate) fn as_user(org_id: &str, user_id: Option<&String>) -> Ctx {
    let mut ctx = as_org(org_id);
    if let Some(id) = user_id {
        ctx.actor.id = id.clone();
    }
    ctx
}

/// People for the journeys: the young Bangladeshi man the info point will look up under
/// another spelling, several look-alike "Mohamed Ahmed"s (a common name with year-only
/// dates), a mother who may apply for family reunification.
async fn seed_people(
    db: &Db,
    ids: &std::collections::HashMap<&str, String>,
    users: &std::collections::HashMap<&str, String>,
) -> Result<()> {
    use crate::people::{self, PersonInput};
    let org = |k: &str| ids.get(k).cloned().unwrap_or_default();
    let p = |given: &str, family: &str, sex: &str, birth: &str, nat: &str| PersonInput {
        given_names: given.into(),
        family_name: family.into(),
        sex: sex.into(),
        birth_date: birth.into(),
        birth_precision: "exact".into(),
        nationality: nat.into(),
        ..Default::default()
    };
    let patronato = as_org(&org("patronato1"));
    let rakibul = people::create_person(
        db,
        &patronato,
        &PersonInput {
            name_original: "মোহাম্মদ রাকিবুল ইসলাম".into(),
            languages: "bn, en".into(),
            phone: "+39 351 204 7781".into(),
            ..p("Mohammad Rakibul", "Islam", "male", "2003", "Bangladesh")
        },
    )
    .await?;
    // He agreed at the patronato that his record be shared with the network's services
    // (journey 1: the info point asks the patronato for it).
    people::record_consent(
        db,
        &patronato,
        &rakibul,
        "share_for_referral",
        true,
        &(domain::clock::today() - chrono::Duration::days(200)).to_string(),
    )
    .await?;
    for (k, birth) in [
        ("patronato2", "2007"),
        ("integra", "2007"),
        ("cri", "2007-01-01"),
    ] {
        people::create_person(
            db,
            &as_org(&org(k)),
            &p("Mohamed", "Ahmed", "male", birth, "Egitto"),
        )
        .await?;
    }
    let integra = as_org(&org("integra"));
    let fatima = people::create_person(
        db,
        &integra,
        &PersonInput {
            name_original: "فاطمة الزهراء الإدريسي".into(),
            languages: "ar, fr".into(),
            phone: "+39 347 555 0192".into(),
            passport: "MA X4471902".into(),
            ..p(
                "Fatima Zahra",
                "El Idrissi",
                "female",
                "1988-06-12",
                "Marocco",
            )
        },
    )
    .await?;
    people::record_consent(
        db,
        &integra,
        &fatima,
        "share_for_referral",
        true,
        "2026-11-02",
    )
    .await?;
    people::add_vulnerability(
        db,
        &integra,
        &fatima,
        "single_parent",
        "2026-11-02",
        "Due figli minori in Marocco (demo).",
    )
    .await?;
    people::create_person(
        db,
        &integra,
        &p("Olena", "Kovalenko", "female", "1979-09-23", "Ucraina"),
    )
    .await?;
    people::create_person(
        db,
        &integra,
        &p("Amina", "Diallo", "female", "1995-03-02", "Guinea"),
    )
    .await?;
    seed_cases(db, ids, users, &fatima).await?;
    seed_centres(db, ids).await?;
    seed_cas(db, ids).await?;
    crate::demo_monitoring::seed(db, ids, users).await?;
    crate::demo_portal::seed_info_points(db, ids).await?;
    crate::demo_portal::seed_service_texts(db).await?;
    crate::demo_network::seed(db, ids, users).await?;
    crate::demo_network::seed_trainings(db, ids, users).await?;
    crate::demo_network::seed_helpdesk(db, ids, users).await?;
    crate::demo_network::seed_safe_space(db, ids, users).await?;
    seed_minors(db, ids, users).await?;
    crate::demo_work::seed(db, ids, users).await
}

/// Reception centres (CAS) under contract with the Prefecture, with a week of presences:
/// two run by Il Faro (Anna Greco), one by Consorzio Tevere (Bruno Costa), one of them over
/// capacity and on the older contract schema (Via Casilina too, which the monitoring demo
/// makes the first on Paolo's planning page).
async fn seed_cas(db: &Db, ids: &std::collections::HashMap<&str, String>) -> Result<()> {
    use crate::centres::{CentreInput, record_presence, save};
    let ctx = Ctx::system("demo-seed");
    let org = |k: &str| ids.get(k).cloned().unwrap_or_default();
    let cas = [
        (
            "CAS-RM-0101",
            "CAS Via Casilina (demo)",
            "ente1",
            "Roma",
            "2021",
            "2022-01-01",
            "2026-12-31",
            60,
            "35.00",
            60,
            0,
            64,
            0,
        ),
        (
            "CAS-RM-0102",
            "CAS Monte Sacro (demo)",
            "ente1",
            "Roma",
            "2023",
            "2024-03-01",
            "2027-02-28",
            40,
            "29.50",
            20,
            20,
            18,
            17,
        ),
        (
            "CAS-RM-0207",
            "CAS Tevere Nord (demo)",
            "ente2",
            "Fiumicino",
            "2021",
            "2021-06-01",
            "2026-05-31",
            80,
            "33.90",
            80,
            0,
            91,
            0,
        ),
    ];
    let today = domain::clock::today();
    let coords = |code: &str| match code {
        "CAS-RM-0101" => ("41.8795", "12.5702"),
        "CAS-RM-0102" => ("41.9452", "12.5391"),
        _ => ("41.7723", "12.2402"),
    };
    for (
        code,
        name,
        owner,
        municipality,
        schema,
        start,
        end,
        places,
        price,
        cap_m,
        cap_f,
        male,
        female,
    ) in cas
    {
        let id = save(
            db,
            &ctx,
            None,
            &CentreInput {
                code: code.into(),
                name: name.into(),
                kind: "cas".into(),
                org_id: org(owner),
                municipality: municipality.into(),
                contract_number: format!("Conv. {code}/2021"),
                contract_start: start.into(),
                contract_end: end.into(),
                contract_schema: schema.into(),
                places_contracted: places.to_string(),
                daily_price: price.into(),
                capacity_male: cap_m.to_string(),
                capacity_female: cap_f.to_string(),
                contact_person: "Referente (demo)".into(),
                lat: coords(code).0.into(),
                lon: coords(code).1.into(),
                ..Default::default()
            },
        )
        .await?;
        for back in 1..=7 {
            let day = (today - chrono::Duration::days(back)).to_string();
            let drift = (back % 3) as i32;
            record_presence(
                db,
                &ctx,
                &id,
                &day,
                &(male - drift).max(0).to_string(),
                &(female - drift).max(0).to_string(),
            )
            .await?;
        }
    }
    Ok(())
}

/// name, kind, managing body, municipality, latitude, longitude, languages, specialisms, bands
type Seed<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    f64,
    f64,
    &'a str,
    &'a str,
    &'a [crate::placement::Band<'a>],
);

/// The hub and the facilities that take minors after it, managed by Cooperativa Il Faro
/// (Anna Greco answers their transfers): for a 16-year-old boy speaking Tigrinya the
/// placement page offers a community, a government first-reception centre, the last place
/// of a temporary facility and an adult-centre section, and leaves out a full one.
async fn seed_centres(db: &Db, ids: &std::collections::HashMap<&str, String>) -> Result<()> {
    use crate::placement::{CentreInput, create_centre};
    let ctx = Ctx::system("demo-seed");
    let org = |k: &str| ids.get(k).cloned().unwrap_or_default();
    let centres: [Seed; 8] = [
        (
            "Hub MSNA Croce Rossa — Roma (demo)",
            "hub",
            "cri",
            "Roma",
            41.9009,
            12.5018,
            "it, en, fr, ar",
            "",
            &[],
        ),
        (
            "Comunità Il Ponte (demo)",
            "sai",
            "ente1",
            "Roma",
            41.8880,
            12.5300,
            "ti, am, ar, en",
            "education",
            &[("male", 14, 17, 10, 8)],
        ),
        (
            "Centro governativo Casilino (demo)",
            "first_reception_minors",
            "ente1",
            "Roma",
            41.8750,
            12.5600,
            "ar, bn, ur, en",
            "",
            &[("male", 14, 17, 30, 20)],
        ),
        (
            "Centro temporaneo Tiburtino (demo)",
            "temporary_minors",
            "ente1",
            "Roma",
            41.9100,
            12.5400,
            "ar, fr, en",
            "",
            &[("male", 14, 17, 50, 49)],
        ),
        (
            "CAS Salaria — sezione minori (demo)",
            "adult_section_minors",
            "ente1",
            "Roma",
            41.9500,
            12.5000,
            "ti, en",
            "",
            &[("male", 16, 17, 10, 2)],
        ),
        (
            "Comunità Fiumicino (demo)",
            "sai",
            "ente1",
            "Fiumicino",
            41.7713,
            12.2397,
            "ti",
            "",
            &[("male", 14, 17, 6, 6)],
        ),
        (
            "Casa Maris (demo)",
            "sai",
            "ente1",
            "Roma",
            41.9300,
            12.4700,
            "it, en, fr",
            "trafficking",
            &[("female", 6, 17, 8, 3)],
        ),
        (
            "Piccoli Passi (demo)",
            "sai",
            "ente1",
            "Roma",
            41.8600,
            12.4900,
            "it, ar",
            "",
            &[("male", 6, 13, 8, 4), ("female", 6, 13, 8, 5)],
        ),
    ];
    for (name, kind, owner, municipality, lat, lon, languages, specialisms, bands) in centres {
        create_centre(
            db,
            &ctx,
            &CentreInput {
                name: name.into(),
                kind: kind.into(),
                org_id: org(owner),
                municipality: municipality.into(),
                lat: Some(lat),
                lon: Some(lon),
                languages: languages.into(),
                specialisms: specialisms.into(),
                ..Default::default()
            },
            bands,
        )
        .await?;
    }
    Ok(())
}

/// Minors at the Red Cross hub, so the dashboard shows the clock in each state: one near the
/// end of the 45 days with everything done, one whose identification is late, one who
/// arrived yesterday and whose notices are still to be sent.
async fn seed_minors(
    db: &Db,
    ids: &std::collections::HashMap<&str, String>,
    users: &std::collections::HashMap<&str, String>,
) -> Result<()> {
    use crate::minors::{
        Identity, IntakeInput, intake, record_identification, record_notification,
    };
    use crate::people::PersonInput;
    let cri = ids.get("cri").cloned().unwrap_or_default();
    let sara = as_user(&cri, users.get("sara"));
    let today = domain::clock::today();
    let day = |n: i64| today - chrono::Duration::days(n);
    let minors = [
        (
            "Abdoulaye",
            "Camara",
            "Guinea",
            "ff, fr",
            16,
            40,
            "Stazione Termini",
            true,
            true,
        ),
        (
            "Ahmed",
            "Mahmoud",
            "Egitto",
            "ar",
            17,
            12,
            "Porto di Civitavecchia",
            true,
            false,
        ),
        (
            "Bilal",
            "Khan",
            "Pakistan",
            "ur, en",
            15,
            1,
            "Piazza dei Cinquecento",
            false,
            false,
        ),
    ];
    let mut taken = vec![];
    for (given, family, nat, langs, age, ago, place, notified, identified) in minors {
        let arrived = day(ago).and_hms_opt(21, 15, 0).unwrap_or_default();
        let input = IntakeInput {
            arrived_at: arrived.format("%Y-%m-%dT%H:%M").to_string(),
            contact_place: place.into(),
            brought_by: "police".into(),
            brought_by_detail: "Polizia di Stato (demo)".into(),
            declared_age: age.to_string(),
            ..Default::default()
        };
        let person = crate::minors::with_declared_age(
            &PersonInput {
                given_names: given.into(),
                family_name: family.into(),
                sex: "male".into(),
                nationality: nat.into(),
                languages: langs.into(),
                ..Default::default()
            },
            &input,
        );
        let id = intake(db, &sara, Identity::New(&person), &input).await?;
        if notified {
            for r in domain::minors::RECIPIENTS {
                let on = day(ago).to_string();
                record_notification(db, &sara, &id, r, &on, "demo").await?;
            }
        }
        if identified {
            record_identification(db, &sara, &id, &day(ago - 6).to_string(), 1).await?;
        }
        taken.push((id, ago));
    }
    // One who absconded five days ago: reported to the police, not yet to the court.
    let arrived = day(20).and_hms_opt(9, 0, 0).unwrap_or_default();
    let input = IntakeInput {
        arrived_at: arrived.format("%Y-%m-%dT%H:%M").to_string(),
        contact_place: "Stazione Ostiense".into(),
        brought_by: "social_services".into(),
        declared_age: "17".into(),
        ..Default::default()
    };
    let person = crate::minors::with_declared_age(
        &PersonInput {
            given_names: "Omar".into(),
            family_name: "Haddad".into(),
            sex: "male".into(),
            nationality: "Tunisia".into(),
            languages: "ar, fr".into(),
            ..Default::default()
        },
        &input,
    );
    let omar = intake(db, &sara, Identity::New(&person), &input).await?;
    let gone = day(5).to_string();
    crate::minors::end_stay(
        db,
        &sara,
        &omar,
        "absconded",
        &gone,
        "Non rientrato (demo)",
        1,
    )
    .await?;
    crate::minor_events::record_reports(db, &sara, &omar, &gone, "", 2).await?;
    seed_guardians(db, &sara, &taken).await
}

/// The register of volunteer guardians: one already follows two of the hub's minors (a
/// third is fine, a fourth needs confirming), one follows none. Abdoulaye had his interview.
async fn seed_guardians(db: &Db, sara: &Ctx, taken: &[(String, i64)]) -> Result<()> {
    use crate::minor_care::{
        GuardianInput, InterviewInput, add_guardian, add_interview, appoint_guardian,
    };
    let today = domain::clock::today();
    let court = "Tribunale per i minorenni di Roma";
    let maria = add_guardian(
        db,
        sara,
        &GuardianInput {
            full_name: "Maria Bianchi (demo)".into(),
            court_list: court.into(),
            phone: "+39 06 0000 0001".into(),
            ..Default::default()
        },
    )
    .await?;
    add_guardian(
        db,
        sara,
        &GuardianInput {
            full_name: "Luca Ferri (demo)".into(),
            court_list: court.into(),
            ..Default::default()
        },
    )
    .await?;
    for (id, ago) in taken.iter().filter(|(_, ago)| *ago >= 10) {
        let on = (today - chrono::Duration::days(ago - 8)).to_string();
        appoint_guardian(db, sara, id, &maria, &on, "Decreto (demo)", false).await?;
    }
    if let Some((id, ago)) = taken.first() {
        add_interview(
            db,
            sara,
            id,
            &InterviewInput {
                held_on: (today - chrono::Duration::days(ago - 2)).to_string(),
                mediator: "Mamadou Diallo, mediatore fula (demo)".into(),
                language: "ff".into(),
                staff: "Sara Esposito, assistente sociale".into(),
                summary: "Viaggio attraverso Mali e Libia; chiede di studiare (demo).".into(),
            },
        )
        .await?;
    }
    Ok(())
}

/// Cases for the journeys: the family reunification referred to the Prefecture desk and
/// waiting for its answer, and citizenship applications filed under each legal regime.
async fn seed_cases(
    db: &Db,
    ids: &std::collections::HashMap<&str, String>,
    users: &std::collections::HashMap<&str, String>,
    fatima: &str,
) -> Result<()> {
    use crate::cases;
    use crate::people::{self, PersonInput};
    let org = |k: &str| ids.get(k).cloned().unwrap_or_default();
    let integra = as_org(&org("integra"));
    let case =
        cases::create_case(db, &integra, fatima, "family_reunification", "2026-11-02").await?;
    crate::referrals::refer(
        db,
        &integra,
        &case,
        crate::referrals::Kind::Referral,
        &org("prefettura"),
        "Manca il certificato di idoneità alloggiativa (demo).",
    )
    .await?;
    crate::case_notes::add_note(
        db,
        &as_user(&org("integra"), users.get("chiara")),
        &case,
        "La signora ha portato buste paga e contratto di affitto; manca l'idoneità alloggiativa (demo).",
    )
    .await?;
    // An appointment a few days ahead, so the worker's week shows it.
    let when = (domain::clock::today() + chrono::Duration::days(3))
        .and_hms_opt(10, 30, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default();
    crate::appointments::add_appointment(
        db,
        &integra,
        &case,
        &when,
        "Sportello Unico per l'Immigrazione, via Ostiense 131/L",
        "Consegna dei documenti originali (demo)",
        "",
    )
    .await?;
    let prefettura = as_org(&org("prefettura"));
    let applicants = [
        ("Kwame", "Mensah", "GH", "2019-04-10"),
        ("Ana María", "Quispe", "PE", "2021-03-15"),
        ("Sanjeewa", "Perera", "LK", "2023-06-15"),
        ("Lin", "Wei", "CN", "2024-11-30"),
        ("Arben", "Hoxha", "AL", "2025-09-01"),
    ];
    for (given, family, nat, filed) in applicants {
        let id = people::create_person(
            db,
            &prefettura,
            &PersonInput {
                given_names: given.into(),
                family_name: family.into(),
                nationality: nat.into(),
                birth_date: "1980".into(),
                ..Default::default()
            },
        )
        .await?;
        cases::create_case(db, &prefettura, &id, "citizenship_residence", filed).await?;
    }
    Ok(())
}
