//! `sprint seed --scale`: a deterministic world at the size of Rome's programme or of all
//! Italy's prefectures, for benchmarks, load tests and trying pages with real volumes.
//!
//! Everything goes through the same store functions the pages use (validation, permission
//! checks, audit entries, the matching index), never raw inserts, so the data obeys the
//! rules and the audit chain verifies. Persons are written in batches inside one
//! transaction each (the function a minor's intake uses); everything else one record per
//! call, as an operator would. The only adjustment afterwards is the day of front-office
//! contacts, which the log stamps with today: they are spread over the past year.
//!
//! Deterministic: the same scale and seed give the same names, dates and counts (relative
//! to the day it runs; identifiers are fresh UUIDs). Names, nationalities and ages follow
//! the programme's frequencies (`namematch::synth`), with about 5% re-registrations under
//! another spelling, swapped names or less data: the duplicates dedup must find.

use std::str::FromStr;
use std::time::Instant;

use chrono::{Datelike, NaiveDate};
use domain::{Error, Result};
use namematch::synth::Rng;

use crate::account::{self, OrgInput};
use crate::db::{Ctx, Db, db_err};
use crate::people::PersonInput;
use crate::with_pool;

/// The sizes `sprint seed` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// A few thousand records: tests and a quick look.
    Small,
    /// Rome's programme over a year.
    Rome,
    /// Every prefecture of Italy.
    National,
}

impl FromStr for Scale {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "small" => Ok(Scale::Small),
            "rome" => Ok(Scale::Rome),
            "national" => Ok(Scale::National),
            other => Err(format!(
                "unknown scale '{other}': use small, rome or national"
            )),
        }
    }
}

/// How much of each thing a scale makes.
#[derive(Debug, Clone, Copy)]
pub struct Volumes {
    pub persons: usize,
    /// Patronati and civil-society organisations that register persons and open cases.
    pub partner_orgs: usize,
    /// Managing bodies, each running several centres.
    pub managing_bodies: usize,
    pub centres: usize,
    /// Days of presences recorded for every centre, back from yesterday.
    pub presence_days: i64,
    /// Share of centres inspected (once, with a closed report) in the past year.
    pub inspected_share: f64,
    /// Unaccompanied minors taken in by the hub over the past year.
    pub minors: usize,
    pub cases: usize,
    /// Front-office contacts (services given) over the past year.
    pub contacts: usize,
}

impl Scale {
    pub fn volumes(self) -> Volumes {
        match self {
            Scale::Small => Volumes {
                persons: 2_000,
                partner_orgs: 6,
                managing_bodies: 4,
                centres: 12,
                presence_days: 30,
                inspected_share: 0.5,
                minors: 60,
                cases: 600,
                contacts: 2_000,
            },
            Scale::Rome => Volumes {
                persons: 200_000,
                partner_orgs: 40,
                managing_bodies: 60,
                centres: 300,
                presence_days: 365,
                inspected_share: 0.6,
                minors: 3_000,
                cases: 40_000,
                contacts: 100_000,
            },
            Scale::National => Volumes {
                persons: 2_000_000,
                partner_orgs: 400,
                managing_bodies: 600,
                centres: 3_000,
                presence_days: 365,
                inspected_share: 0.5,
                minors: 25_000,
                cases: 400_000,
                contacts: 10_000_000,
            },
        }
    }
}

/// Where a long seed reports how far it got (a progress bar on the terminal).
pub trait Progress: Send + Sync {
    /// A new stage begins, with the number of steps it has.
    fn stage(&self, name: &str, total: u64);
    /// `n` more steps of the current stage are done.
    fn advance(&self, n: u64);
}

/// Progress that goes nowhere (tests).
pub struct Quiet;

impl Progress for Quiet {
    fn stage(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
}

/// What a seed made, and how long each part took.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub stages: Vec<(String, u64, f64)>,
}

/// The name of the first generated managing body: its presence means a world was seeded.
fn body_name(n: usize) -> String {
    format!("Ente gestore {n:04} (scala)")
}

fn partner_name(n: usize) -> String {
    if n % 4 == 3 {
        format!("Associazione {n:04} (scala)")
    } else {
        format!("Patronato {n:04} (scala)")
    }
}

/// A system actor acting for an organisation (records belong to it, as if its operator
/// had typed them).
fn as_org(org: &str) -> Ctx {
    let mut ctx = Ctx::system("scale-seed");
    ctx.actor.org_id = Some(org.to_string());
    ctx
}

const MUNICIPALITIES: &[&str] = &[
    "Roma",
    "Roma",
    "Roma",
    "Roma",
    "Fiumicino",
    "Guidonia Montecelio",
    "Tivoli",
    "Pomezia",
    "Velletri",
    "Civitavecchia",
    "Anzio",
    "Ardea",
    "Ladispoli",
    "Monterotondo",
    "Frascati",
    "Colleferro",
];

const PLACES: &[&str] = &[
    "Stazione Termini",
    "Stazione Tiburtina",
    "Stazione Ostiense",
    "Porto di Civitavecchia",
    "Aeroporto di Fiumicino",
    "Piazza dei Cinquecento",
];

const LANGS: &[&str] = &["ar", "bn", "en", "fr", "ti", "ur", "ps", "uk", "es", "it"];

/// Seeds the demo world (organisations, one user per role, the catalogue) if absent, then
/// the generated world on top. Refuses a database that already has one.
pub async fn seed(db: &Db, scale: Scale, seed: u64, progress: &dyn Progress) -> Result<Report> {
    seed_volumes(db, scale.volumes(), seed, progress).await
}

/// [`seed`] with volumes of one's own (tests use a very small world).
pub async fn seed_volumes(
    db: &Db,
    v: Volumes,
    seed: u64,
    progress: &dyn Progress,
) -> Result<Report> {
    crate::demo::seed(db).await?;
    if account::find_org_by_name(db, &body_name(0))
        .await?
        .is_some()
    {
        return Err(Error::Duplicate(vec![]));
    }
    let mut rng = Rng::new(seed);
    let mut report = Report::default();
    let demo = demo_ids(db).await?;

    let t = Instant::now();
    progress.stage("organisations", (v.partner_orgs + v.managing_bodies) as u64);
    let system = Ctx::system("scale-seed");
    let mut partners = vec![demo.integra.clone()];
    for n in 0..v.partner_orgs {
        let kind = if n % 4 == 3 {
            "civil_society"
        } else {
            "patronato"
        };
        partners.push(org(db, &system, &partner_name(n), kind).await?);
        progress.advance(1);
    }
    let mut bodies = vec![];
    for n in 0..v.managing_bodies {
        bodies.push(org(db, &system, &body_name(n), "managing_body").await?);
        progress.advance(1);
    }
    report.stages.push((
        "organisations".into(),
        (partners.len() + bodies.len()) as u64,
        t.elapsed().as_secs_f64(),
    ));

    let t = Instant::now();
    let persons = seed_persons(db, &mut rng, v.persons, &partners, progress).await?;
    report.stages.push((
        "persons".into(),
        persons.len() as u64,
        t.elapsed().as_secs_f64(),
    ));

    let t = Instant::now();
    let n = seed_cases(db, &mut rng, v.cases, &persons, progress).await?;
    report
        .stages
        .push(("cases".into(), n, t.elapsed().as_secs_f64()));

    let t = Instant::now();
    let n = seed_contacts(db, &mut rng, v.contacts, &persons, &demo.integra, progress).await?;
    report
        .stages
        .push(("contacts".into(), n, t.elapsed().as_secs_f64()));

    let t = Instant::now();
    let centres = seed_centres(db, &mut rng, &v, &bodies, progress).await?;
    report.stages.push((
        "centres and presences".into(),
        centres.len() as u64,
        t.elapsed().as_secs_f64(),
    ));

    let t = Instant::now();
    let n = seed_inspections(db, &mut rng, &v, &centres, &demo, progress).await?;
    report
        .stages
        .push(("inspections".into(), n, t.elapsed().as_secs_f64()));

    let t = Instant::now();
    let n = seed_minors(db, &mut rng, v.minors, &demo, progress).await?;
    report
        .stages
        .push(("minors".into(), n, t.elapsed().as_secs_f64()));

    // The reports' figures of the world just made (what the refresh job would compute).
    let t = Instant::now();
    progress.stage("figures", 1);
    db.analyze_all().await?;
    let run = crate::reports::refresh(db).await?;
    progress.advance(1);
    report
        .stages
        .push(("figures".into(), run.rows as u64, t.elapsed().as_secs_f64()));
    Ok(report)
}

/// The demo organisations and users the generated world acts through.
struct DemoIds {
    integra: String,
    prefettura: String,
    cri: String,
    paolo: String,
    sara: String,
}

async fn demo_ids(db: &Db) -> Result<DemoIds> {
    let org = |key: &'static str| async move {
        let name = crate::demo::ORGS
            .iter()
            .find(|o| o.key == key)
            .map(|o| o.name)
            .ok_or(Error::NotFound)?;
        account::find_org_by_name(db, name)
            .await?
            .map(|o| o.id)
            .ok_or(Error::NotFound)
    };
    let user = |name: &'static str| async move {
        account::find_user_id(db, name)
            .await?
            .ok_or(Error::NotFound)
    };
    Ok(DemoIds {
        integra: org("integra").await?,
        prefettura: org("prefettura").await?,
        cri: org("cri").await?,
        paolo: user("paolo").await?,
        sara: user("sara").await?,
    })
}

async fn org(db: &Db, ctx: &Ctx, name: &str, kind: &str) -> Result<String> {
    account::create_org(
        db,
        ctx,
        &OrgInput {
            name: name.to_string(),
            kind: kind.to_string(),
            active: Some("on".into()),
        },
        false,
    )
    .await
}

/// A generated person as the registration form would carry it.
fn person_input(p: &namematch::Person, rng: &mut Rng) -> PersonInput {
    let birth_date = match p.birth {
        None => String::new(),
        Some(b) => match (b.month, b.day) {
            (Some(m), Some(d)) => format!("{:04}-{m:02}-{d:02}", b.year),
            _ => b.year.to_string(),
        },
    };
    let birth_precision = match p.birth.map(|b| b.precision) {
        Some(namematch::Precision::Estimated) => "estimated",
        Some(namematch::Precision::Exact) => "exact",
        Some(_) => "year",
        None => "",
    };
    let id = |k: namematch::IdKind| {
        p.identifiers
            .iter()
            .find(|(kind, _)| *kind == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    PersonInput {
        given_names: p.given_names.clone(),
        family_name: p.family_name.clone(),
        sex: match p.sex {
            Some(namematch::Sex::Female) => "female",
            Some(namematch::Sex::Male) => "male",
            _ => "",
        }
        .into(),
        birth_date,
        birth_precision: birth_precision.into(),
        nationality: p.nationality.clone().unwrap_or_default(),
        languages: rng.pick(LANGS).to_string(),
        phone: p.phones.first().cloned().unwrap_or_default(),
        cui: id(namematch::IdKind::Cui),
        passport: id(namematch::IdKind::Passport),
        ..Default::default()
    }
}

/// Records per transaction: big enough to be quick, small enough to keep the writer free
/// for a running server between batches.
const PERSON_BATCH: usize = 500;
const CONTACT_BATCH: usize = 1_000;
const CASE_BATCH: usize = 250;

async fn seed_persons(
    db: &Db,
    rng: &mut Rng,
    n: usize,
    partners: &[String],
    progress: &dyn Progress,
) -> Result<Vec<(String, String)>> {
    progress.stage("persons", n as u64);
    let population = namematch::synth::population(n, rng.next_u64());
    // Integra registers about a third; the partners share the rest.
    let owners: Vec<String> = population
        .iter()
        .map(|_| {
            if rng.chance(0.35) {
                partners[0].clone()
            } else {
                partners[rng.below(partners.len())].clone()
            }
        })
        .collect();
    let ids = register(db, &population, &owners, rng, progress).await?;
    Ok(ids.into_iter().zip(owners).collect())
}

/// Registers generated persons, each for its owner organisation, in batches; returns
/// their ids in order. (Also used by the person-search benchmark, which needs to know
/// which record is which generated person.)
pub async fn register(
    db: &Db,
    persons: &[namematch::Person],
    owners: &[String],
    rng: &mut Rng,
    progress: &dyn Progress,
) -> Result<Vec<String>> {
    let mut out = Vec::with_capacity(persons.len());
    for (chunk, owners) in persons
        .chunks(PERSON_BATCH)
        .zip(owners.chunks(PERSON_BATCH))
    {
        let mut tx = db.begin().await?;
        for (p, owner) in chunk.iter().zip(owners) {
            let values = person_input(p, rng).check()?;
            let id = crate::people::create_person_in(&mut tx, &as_org(owner), &values).await?;
            out.push(id);
        }
        tx.commit().await?;
        progress.advance(chunk.len() as u64);
    }
    Ok(out)
}

fn days_ago(n: i64) -> NaiveDate {
    domain::clock::today() - chrono::Duration::days(n)
}

async fn seed_cases(
    db: &Db,
    rng: &mut Rng,
    n: usize,
    persons: &[(String, String)],
    progress: &dyn Progress,
) -> Result<u64> {
    progress.stage("cases", n as u64);
    if persons.is_empty() {
        return Ok(0);
    }
    let procedures: Vec<String> = crate::catalogue::procedures(db)
        .await?
        .into_iter()
        .map(|p| p.code)
        .filter(|c| c != "safe_space_referral")
        .collect();
    let codes: Vec<&str> = procedures.iter().map(String::as_str).collect();
    // One transaction per batch, with the writes of the case form, the status form and
    // the task form (their checks hold by construction: catalogue codes, known statuses,
    // the owner organisation's own persons).
    let mut made = 0;
    let mut tx = db.begin().await?;
    for k in 0..n {
        let (person, owner) = &persons[rng.below(persons.len())];
        let ctx = as_org(owner);
        let filed = days_ago(rng.below(365) as i64);
        let code = rng.skewed(&codes).to_string();
        let id =
            crate::cases::insert_case_in(&mut tx, &ctx, owner, person, &code, Some(filed)).await?;
        made += 1;
        // Older cases have moved on; some have a task with a due date.
        let roll = rng.below(10);
        if roll < 6 {
            let (status, decided) = match roll {
                0..=2 => ("submitted", None),
                3 | 4 => ("waiting", None),
                _ => {
                    let d = filed + chrono::Duration::days(30 + rng.below(120) as i64);
                    ("decided", Some(d.min(domain::clock::today())))
                }
            };
            crate::cases::set_status_in(
                &mut tx,
                &ctx,
                &id,
                1,
                "open",
                status,
                Some(filed),
                decided,
            )
            .await?;
        }
        if rng.chance(0.3) {
            let due = domain::clock::today() + chrono::Duration::days(rng.below(60) as i64 - 10);
            crate::cases::add_task_in(
                &mut tx,
                &ctx,
                &id,
                "Verificare i documenti",
                Some(due),
                None,
            )
            .await?;
        }
        if (k + 1) % CASE_BATCH == 0 {
            tx.commit().await?;
            progress.advance(CASE_BATCH as u64);
            tx = db.begin().await?;
        }
    }
    tx.commit().await?;
    progress.advance((n % CASE_BATCH) as u64);
    Ok(made)
}

async fn seed_contacts(
    db: &Db,
    rng: &mut Rng,
    n: usize,
    persons: &[(String, String)],
    info_point_org: &str,
    progress: &dyn Progress,
) -> Result<u64> {
    use crate::contacts::{AGE_BANDS, ContactInput, DIGITAL, OUTCOMES, log_days};
    progress.stage("contacts", n as u64);
    let ctx = as_org(info_point_org);
    let topics: Vec<String> = crate::catalogue::procedures(db)
        .await?
        .into_iter()
        .map(|p| p.code)
        .collect();
    let topics: Vec<&str> = topics.iter().map(String::as_str).collect();
    // Persons this info point may see: those Integra registered (found once, not per
    // contact: at national scale that is ten million scans of the register).
    let own: Vec<&str> = persons
        .iter()
        .filter(|(_, o)| o == info_point_org)
        .map(|(id, _)| id.as_str())
        .collect();
    let mut batch: Vec<(ContactInput, NaiveDate)> = Vec::with_capacity(CONTACT_BATCH);
    let mut made = 0u64;
    for i in 0..n {
        // Working days only, busier recently.
        let mut back = rng.below(365).min(rng.below(365)) as i64;
        while matches!(
            days_ago(back).weekday(),
            chrono::Weekday::Sat | chrono::Weekday::Sun
        ) {
            back += 1;
        }
        let with_person = rng.chance(0.15) && !own.is_empty();
        let person = if with_person {
            own[rng.below(own.len())].to_string()
        } else {
            String::new()
        };
        let input = ContactInput {
            topics: vec![rng.skewed(&topics).to_string()],
            language: rng.pick(LANGS).to_string(),
            outcome: rng.skewed(OUTCOMES).to_string(),
            digital: if rng.chance(0.2) {
                vec![rng.pick(DIGITAL).to_string()]
            } else {
                vec![]
            },
            person_id: person,
            case_id: String::new(),
            sex: if rng.chance(0.7) { "male" } else { "female" }.into(),
            age_band: rng.skewed(&AGE_BANDS[1..]).to_string(),
            nationality: String::new(),
            form_token: format!("scale-{seed:016x}-{i:010}", seed = rng.next_u64()),
        };
        batch.push((input, days_ago(back)));
        if batch.len() == CONTACT_BATCH || i + 1 == n {
            made += log_days(db, &ctx, &batch).await?.len() as u64;
            progress.advance(batch.len() as u64);
            batch.clear();
        }
    }
    Ok(made)
}

async fn seed_centres(
    db: &Db,
    rng: &mut Rng,
    v: &Volumes,
    bodies: &[String],
    progress: &dyn Progress,
) -> Result<Vec<String>> {
    use crate::centres::{CentreInput, import_presences, save};
    progress.stage(
        "centres and presences",
        v.centres as u64 * (1 + v.presence_days as u64),
    );
    let ctx = Ctx::system("scale-seed");
    let mut ids = vec![];
    for n in 0..v.centres {
        let body = &bodies[n % bodies.len().max(1)];
        let places = 20 + 10 * rng.below(12) as i32;
        let women = if rng.chance(0.25) { places / 2 } else { 0 };
        let lat = 41.75 + rng.below(35_000) as f64 / 100_000.0;
        let lon = 12.25 + rng.below(55_000) as f64 / 100_000.0;
        let id = save(
            db,
            &ctx,
            None,
            &CentreInput {
                code: format!("CAS-S-{n:05}"),
                name: format!("Centro {n:05} (scala)"),
                kind: if rng.chance(0.85) { "cas" } else { "sai" }.into(),
                org_id: body.clone(),
                municipality: rng.skewed(MUNICIPALITIES).into(),
                contract_number: format!("Conv. S-{n:05}/2024"),
                contract_start: "2024-01-01".into(),
                contract_end: "2027-12-31".into(),
                contract_schema: "2021".into(),
                places_contracted: places.to_string(),
                daily_price: format!("{}.{:02}", 28 + rng.below(8), rng.below(100)),
                capacity_male: (places - women).to_string(),
                capacity_female: women.to_string(),
                contact_person: "Referente (scala)".into(),
                lat: format!("{lat:.5}"),
                lon: format!("{lon:.5}"),
                ..Default::default()
            },
        )
        .await?;
        progress.advance(1);
        // Occupancy drifts around a level of its own; a few run over capacity. A year of
        // daily counts goes in as the managing body's CSV file would.
        let level = 0.7 + rng.below(40) as f64 / 100.0;
        let mut csv = String::from("date,centre_code,male,female\n");
        for back in 1..=v.presence_days {
            let drift = 1.0 + (rng.below(11) as f64 - 5.0) / 100.0;
            let m = ((places - women) as f64 * level * drift).round() as i64;
            let f = (women as f64 * level * drift).round() as i64;
            csv.push_str(&format!(
                "{},CAS-S-{n:05},{},{}\n",
                days_ago(back),
                m.max(0),
                f.max(0)
            ));
        }
        let report = import_presences(db, &ctx, &csv).await?;
        if let Some(e) = report.errors.first() {
            return Err(Error::Internal(format!(
                "generated presences refused: line {} {}",
                e.line, e.code
            )));
        }
        progress.advance(v.presence_days as u64);
        ids.push(id);
    }
    Ok(ids)
}

async fn seed_inspections(
    db: &Db,
    rng: &mut Rng,
    v: &Volumes,
    centres: &[String],
    demo: &DemoIds,
    progress: &dyn Progress,
) -> Result<u64> {
    let chosen: Vec<&String> = centres
        .iter()
        .filter(|_| rng.chance(v.inspected_share))
        .collect();
    progress.stage("inspections", chosen.len() as u64);
    let mut ctx = as_org(&demo.prefettura);
    ctx.actor.id = demo.paolo.clone();
    let team = vec![demo.paolo.clone()];
    let mut made = 0;
    for centre in chosen {
        let ago = 7 + rng.below(350) as i64;
        let findings: &[(&str, &str, &str, &str)] = if rng.chance(0.3) {
            &[(
                "-12",
                "major",
                "Servizi igienici da ripristinare (scala)",
                "Ripristinare i servizi e inviare la documentazione",
            )]
        } else {
            &[]
        };
        crate::demo_monitoring::past_inspection(
            db,
            &ctx,
            centre,
            &team,
            ago,
            findings,
            "Visita di monitoraggio (scala)",
        )
        .await?;
        made += 1;
        progress.advance(1);
    }
    Ok(made)
}

async fn seed_minors(
    db: &Db,
    rng: &mut Rng,
    n: usize,
    demo: &DemoIds,
    progress: &dyn Progress,
) -> Result<u64> {
    use crate::minors::{
        Identity, IntakeInput, end_stay, get_minor, intake, record_identification,
        record_notification,
    };
    progress.stage("minors", n as u64);
    let mut ctx = as_org(&demo.cri);
    ctx.actor.id = demo.sara.clone();
    let population = namematch::synth::population(n, rng.next_u64());
    let mut made = 0;
    for p in &population {
        let ago = rng.below(365) as i64;
        // A time of day at which the police bring children in; never later than now (the
        // intake refuses a first contact in the future).
        let now = domain::clock::rome(chrono::Utc::now()) - chrono::Duration::minutes(1);
        let arrived = days_ago(ago)
            .and_hms_opt(8 + rng.below(14) as u32, rng.below(60) as u32, 0)
            .unwrap_or_default()
            .min(now);
        let age = 14 + rng.below(4);
        let input = IntakeInput {
            arrived_at: arrived.format("%Y-%m-%dT%H:%M").to_string(),
            contact_place: rng.pick(PLACES).into(),
            brought_by: rng.skewed(domain::minors::BROUGHT_BY).into(),
            declared_age: age.to_string(),
            ..Default::default()
        };
        let mut person = person_input(p, rng);
        person.birth_date = String::new();
        person.birth_precision = String::new();
        person.sex = if rng.chance(0.9) { "male" } else { "female" }.into();
        let person = crate::minors::with_declared_age(&person, &input);
        let id = intake(db, &ctx, Identity::New(&person), &input).await?;
        for r in domain::minors::RECIPIENTS {
            record_notification(db, &ctx, &id, r, &days_ago(ago).to_string(), "").await?;
        }
        if ago > 10 {
            record_identification(db, &ctx, &id, &days_ago(ago - 5).to_string(), 1).await?;
        }
        // Most have left the hub: the legal maximum stay is short.
        if ago > 30 {
            let version = get_minor(db, &ctx, &id).await?.minor.version;
            let status = match rng.below(10) {
                0..=5 => "transferred",
                6 | 7 => "absconded",
                8 => "family_found",
                _ => "moved_out",
            };
            let left = days_ago(ago - 10 - rng.below(20) as i64);
            end_stay(db, &ctx, &id, status, &left.to_string(), "", version).await?;
        }
        made += 1;
        progress.advance(1);
    }
    Ok(made)
}

/// How many records of each main kind the database holds (for the command's summary).
pub async fn counts(db: &Db) -> Result<Vec<(&'static str, i64)>> {
    let mut out = vec![];
    for (label, table) in [
        ("persons", "persons"),
        ("cases", "cases"),
        ("contacts", "contacts"),
        ("centres", "centres"),
        ("presences", "centre_presences"),
        ("inspections", "inspections"),
        ("minors", "minors"),
        ("audit entries", "audit_log"),
    ] {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let (n,): (i64,) = with_pool!(db, |p| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .fetch_one(p)
                .await
        })
        .map_err(db_err)?;
        out.push((label, n));
    }
    Ok(out)
}
