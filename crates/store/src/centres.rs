//! The registry of reception centres and their daily presences. A centre belongs to its
//! managing body (an organisation): its manager sees and records only its own centres, the
//! monitoring office (inspectors) sees all and keeps the registry.

use chrono::NaiveDate;
use domain::policy::Permission;
use domain::{Error, FieldError, Result};
use serde_json::json;

use crate::audit::{self, Event};
use crate::db::{Ctx, Db, db_err};
use crate::{Ts, new_id, with_pool, with_tx};

/// The versions of the ministerial contract schema: what a centre must provide follows its
/// own contract (DL 20/2023 reduced first-line services).
pub const CONTRACT_SCHEMAS: &[&str] = &["2021", "2023"];

pub const KINDS: &[&str] = &[
    "cas",
    "first_reception_minors",
    "temporary_minors",
    "adult_section_minors",
    "sai",
    "hub",
];

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Centre {
    pub id: String,
    pub code: Option<String>,
    pub name: String,
    pub kind: String,
    pub org_id: String,
    pub org_name: String,
    pub address: String,
    pub municipality: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub active: bool,
    pub contract_number: Option<String>,
    pub contract_start: Option<NaiveDate>,
    pub contract_end: Option<NaiveDate>,
    pub contract_schema: Option<String>,
    pub places_contracted: Option<i32>,
    pub daily_price_cents: Option<i32>,
    pub capacity_male: Option<i32>,
    pub capacity_female: Option<i32>,
    pub contact_person: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub version: i32,
    /// The latest presence count: day, men, women.
    pub last_day: Option<NaiveDate>,
    pub last_male: Option<i32>,
    pub last_female: Option<i32>,
    /// For facilities for minors: their bands of places and how many are taken.
    pub band_places: Option<i64>,
    pub band_occupied: Option<i64>,
}

impl Centre {
    pub fn capacity(&self) -> Option<i32> {
        match (self.capacity_male, self.capacity_female) {
            (None, None) => self
                .places_contracted
                .or_else(|| self.band_places.and_then(|p| i32::try_from(p).ok())),
            (m, f) => Some(m.unwrap_or(0) + f.unwrap_or(0)),
        }
    }

    /// Guests by the latest daily count, or, for a facility for minors without counts,
    /// the places its transfers have taken.
    pub fn guests(&self) -> Option<i32> {
        match (self.last_male, self.last_female) {
            (Some(m), Some(f)) => Some(m + f),
            _ => self.band_occupied.and_then(|o| i32::try_from(o).ok()),
        }
    }

    /// Guests over capacity, in percent (e.g. 112): shown red above 100.
    pub fn occupancy_percent(&self) -> Option<i64> {
        let cap = i64::from(self.capacity()?);
        (cap > 0).then(|| i64::from(self.guests().unwrap_or(0)) * 100 / cap)
    }

    pub fn price_display(&self) -> String {
        self.daily_price_cents
            .map(|c| format!("{},{:02} €", c / 100, c % 100))
            .unwrap_or_else(|| "—".into())
    }
}

const COLUMNS: &str = "c.id, c.code, c.name, c.kind, c.org_id, o.name AS org_name, c.address, c.municipality, c.lat, c.lon, \
    c.active, c.contract_number, c.contract_start, c.contract_end, c.contract_schema, c.places_contracted, \
    c.daily_price_cents, c.capacity_male, c.capacity_female, c.contact_person, c.phone, c.email, c.version, \
    lp.day AS last_day, lp.male AS last_male, lp.female AS last_female, \
    (SELECT SUM(b.places) FROM centre_places b WHERE b.centre_id = c.id) AS band_places, \
    (SELECT SUM(b.occupied) FROM centre_places b WHERE b.centre_id = c.id) AS band_occupied \
    FROM centres c JOIN organisations o ON o.id = c.org_id \
    LEFT JOIN centre_presences lp ON lp.centre_id = c.id \
    AND lp.day = (SELECT MAX(x.day) FROM centre_presences x WHERE x.centre_id = c.id)";

/// What the list is narrowed to.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct Filter {
    pub q: String,
    pub kind: String,
    pub municipality: String,
}

/// The centres the actor sees (a manager: their body's), filtered.
pub async fn list(db: &Db, ctx: &Ctx, f: &Filter) -> Result<Vec<Centre>> {
    ctx.actor.require(Permission::ViewCentres)?;
    let (scope, org) = crate::minors::hub_scope(ctx, Permission::ViewCentres, "c.org_id", 1)?;
    let n = if org.is_some() { 2 } else { 1 };
    let sql = format!(
        "SELECT {COLUMNS} WHERE c.kind <> 'hub'{scope} \
         AND (${n} = '' OR LOWER(c.name) LIKE ${n} OR LOWER(COALESCE(c.code, '')) LIKE ${n}) \
         AND (${k} = '' OR c.kind = ${k}) AND (${m} = '' OR c.municipality = ${m}) ORDER BY c.name",
        k = n + 1,
        m = n + 2
    );
    let q = f.q.trim().to_lowercase();
    let like = if q.is_empty() {
        String::new()
    } else {
        format!("%{q}%")
    };
    with_pool!(db, |p| {
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
        if let Some(o) = &org {
            query = query.bind(o);
        }
        query
            .bind(&like)
            .bind(f.kind.trim())
            .bind(f.municipality.trim())
            .fetch_all(p)
            .await
    })
    .map_err(db_err)
}

/// The municipalities of the registry, for the list's filter.
pub async fn municipalities(db: &Db, ctx: &Ctx) -> Result<Vec<String>> {
    ctx.actor.require(Permission::ViewCentres)?;
    let rows: Vec<(String,)> = with_pool!(db, |p| {
        sqlx::query_as("SELECT DISTINCT municipality FROM centres WHERE municipality <> '' ORDER BY municipality")
            .fetch_all(p)
            .await
    })
    .map_err(db_err)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// A centre without any permission check: for callers that check their own.
pub(crate) async fn load_any(db: &Db, id: &str) -> Result<Option<Centre>> {
    load(db, id).await
}

async fn load(db: &Db, id: &str) -> Result<Option<Centre>> {
    let sql = format!("SELECT {COLUMNS} WHERE c.id = $1");
    with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id)
        .fetch_optional(p)
        .await)
    .map_err(db_err)
}

/// A centre, if the actor holds `perm` over its managing body.
pub async fn get(db: &Db, ctx: &Ctx, id: &str, perm: Permission) -> Result<Centre> {
    ctx.actor.require(perm)?;
    let c = load(db, id).await?.ok_or(Error::NotFound)?;
    if !ctx.actor.reaches(perm, &c.org_id, None) {
        return Err(Error::Forbidden);
    }
    Ok(c)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Presence {
    pub day: NaiveDate,
    pub male: i32,
    pub female: i32,
    pub source: String,
}

/// The presence counts of the last `days` days, newest first.
pub async fn presences(db: &Db, ctx: &Ctx, id: &str, days: i64) -> Result<Vec<Presence>> {
    get(db, ctx, id, Permission::ViewCentres).await?;
    let since = domain::clock::today() - chrono::Duration::days(days);
    with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT day, male, female, source FROM centre_presences WHERE centre_id = $1 AND day >= $2 ORDER BY day DESC",
        )
        .bind(id)
        .bind(since)
        .fetch_all(p)
        .await
    })
    .map_err(db_err)
}

/// The centre form as typed.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct CentreInput {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub org_id: String,
    pub address: String,
    pub municipality: String,
    pub lat: String,
    pub lon: String,
    pub languages: String,
    pub specialisms: String,
    pub contract_number: String,
    pub contract_start: String,
    pub contract_end: String,
    pub contract_schema: String,
    pub places_contracted: String,
    pub daily_price: String,
    pub capacity_male: String,
    pub capacity_female: String,
    pub contact_person: String,
    pub phone: String,
    pub email: String,
    pub version: i32,
}

fn opt_int(field: &str, v: &str, max: i32, errs: &mut Vec<FieldError>) -> Option<i32> {
    let t = v.trim();
    if t.is_empty() {
        return None;
    }
    match t.parse::<i32>() {
        Ok(n) if (0..=max).contains(&n) => Some(n),
        _ => {
            errs.push(FieldError::new(field, "number_invalid"));
            None
        }
    }
}

fn opt_coord(field: &str, v: &str, limit: f64, errs: &mut Vec<FieldError>) -> Option<f64> {
    let t = v.trim().replace(',', ".");
    if t.is_empty() {
        return None;
    }
    match t.parse::<f64>() {
        Ok(x) if x.abs() <= limit => Some(x),
        _ => {
            errs.push(FieldError::new(field, "number_invalid"));
            None
        }
    }
}

/// "35,50" or "35.50" euros as cents.
fn price_cents(v: &str, errs: &mut Vec<FieldError>) -> Option<i32> {
    let t = v.trim().trim_end_matches('€').trim().replace(',', ".");
    if t.is_empty() {
        return None;
    }
    match t.parse::<f64>() {
        Ok(x) if (0.0..=10_000.0).contains(&x) => Some((x * 100.0).round() as i32),
        _ => {
            errs.push(FieldError::new("daily_price", "number_invalid"));
            None
        }
    }
}

/// Adds (`id` None) or updates a centre; a stale edit is a conflict.
pub async fn save(db: &Db, ctx: &Ctx, id: Option<&str>, i: &CentreInput) -> Result<String> {
    ctx.actor.require(Permission::ManageCentres)?;
    let mut errs = vec![];
    let name = match domain::validate::required_text("name", &i.name, 200) {
        Ok(n) => n,
        Err(e) => {
            errs.push(e);
            String::new()
        }
    };
    if !KINDS.contains(&i.kind.as_str()) {
        errs.push(FieldError::new("kind", "field_invalid_choice"));
    }
    let orgs = crate::account::list_orgs(db, ctx).await?;
    if !orgs.iter().any(|o| o.id == i.org_id) {
        errs.push(FieldError::new("org_id", "field_invalid_choice"));
    }
    let code = crate::minors::optional("code", &i.code, 40, &mut errs);
    let address =
        crate::minors::optional("address", &i.address, 300, &mut errs).unwrap_or_default();
    let municipality = crate::minors::optional("municipality", &i.municipality, 100, &mut errs)
        .unwrap_or_default();
    let lat = opt_coord("lat", &i.lat, 90.0, &mut errs);
    let lon = opt_coord("lon", &i.lon, 180.0, &mut errs);
    let languages =
        crate::minors::optional("languages", &i.languages, 200, &mut errs).unwrap_or_default();
    let specialisms =
        crate::minors::optional("specialisms", &i.specialisms, 300, &mut errs).unwrap_or_default();
    let number = crate::minors::optional("contract_number", &i.contract_number, 100, &mut errs);
    let start = crate::cases::parse_date("contract_start", &i.contract_start)
        .map_err(|e| errs.extend(e.fields().to_vec()))
        .ok()
        .flatten();
    let end = crate::cases::parse_date("contract_end", &i.contract_end)
        .map_err(|e| errs.extend(e.fields().to_vec()))
        .ok()
        .flatten();
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        errs.push(FieldError::new("contract_end", "date_before_start"));
    }
    let schema = crate::minors::optional("contract_schema", &i.contract_schema, 10, &mut errs);
    if let Some(s) = &schema
        && !CONTRACT_SCHEMAS.contains(&s.as_str())
    {
        errs.push(FieldError::new("contract_schema", "field_invalid_choice"));
    }
    let places = opt_int("places_contracted", &i.places_contracted, 5000, &mut errs);
    let price = price_cents(&i.daily_price, &mut errs);
    let cap_m = opt_int("capacity_male", &i.capacity_male, 5000, &mut errs);
    let cap_f = opt_int("capacity_female", &i.capacity_female, 5000, &mut errs);
    let contact = crate::minors::optional("contact_person", &i.contact_person, 200, &mut errs);
    let phone = crate::minors::optional("phone", &i.phone, 50, &mut errs);
    let email = match domain::validate::optional_email(&i.email) {
        Ok(e) => e,
        Err(e) => {
            errs.push(e);
            None
        }
    };
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let now = Ts::now();
    let mut tx = db.begin().await?;
    let cid = id.map(str::to_string).unwrap_or_else(new_id);
    let result = match id {
        None => with_tx!(&mut tx, |c| {
            sqlx::query("INSERT INTO centres (id, name, kind, org_id, address, municipality, lat, lon, languages, specialisms, active, created_at, \
                         code, contract_number, contract_start, contract_end, contract_schema, places_contracted, daily_price_cents, \
                         capacity_male, capacity_female, contact_person, phone, email, version) \
                         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,TRUE,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,1)")
                .bind(&cid).bind(&name).bind(&i.kind).bind(&i.org_id).bind(&address).bind(&municipality)
                .bind(lat).bind(lon).bind(&languages).bind(&specialisms).bind(now)
                .bind(&code).bind(&number).bind(start).bind(end).bind(&schema).bind(places).bind(price)
                .bind(cap_m).bind(cap_f).bind(&contact).bind(&phone).bind(&email)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        }),
        Some(_) => with_tx!(&mut tx, |c| {
            sqlx::query("UPDATE centres SET name = $1, kind = $2, org_id = $3, address = $4, municipality = $5, lat = $6, lon = $7, \
                         languages = $8, specialisms = $9, code = $10, contract_number = $11, contract_start = $12, contract_end = $13, \
                         contract_schema = $14, places_contracted = $15, daily_price_cents = $16, capacity_male = $17, \
                         capacity_female = $18, contact_person = $19, phone = $20, email = $21, version = version + 1 \
                         WHERE id = $22 AND version = $23")
                .bind(&name).bind(&i.kind).bind(&i.org_id).bind(&address).bind(&municipality)
                .bind(lat).bind(lon).bind(&languages).bind(&specialisms)
                .bind(&code).bind(&number).bind(start).bind(end).bind(&schema).bind(places).bind(price)
                .bind(cap_m).bind(cap_f).bind(&contact).bind(&phone).bind(&email)
                .bind(&cid).bind(i.version)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        }),
    };
    let n = match result {
        Ok(n) => n,
        Err(e) if crate::db::is_unique_violation(&e) => {
            return Err(Error::Duplicate(vec![FieldError::new(
                "code",
                "code_taken",
            )]));
        }
        Err(e) => return Err(db_err(e)),
    };
    if n == 0 {
        return Err(Error::Conflict);
    }
    audit::append(
        &mut tx,
        ctx,
        Event::new(
            if id.is_some() {
                "centre.update"
            } else {
                "centre.create"
            },
            "centre",
            Some(&cid),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(cid)
}

/// Writes one day's count (replacing what that day had).
async fn upsert(
    tx: &mut crate::db::Tx,
    ctx: &Ctx,
    centre: &str,
    day: NaiveDate,
    male: i32,
    female: i32,
    source: &str,
) -> Result<bool> {
    let existed: Option<(i32,)> = with_tx!(tx, |c| {
        sqlx::query_as("SELECT male FROM centre_presences WHERE centre_id = $1 AND day = $2")
            .bind(centre)
            .bind(day)
            .fetch_optional(c)
            .await
    })
    .map_err(db_err)?;
    with_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO centre_presences (centre_id, day, male, female, source, recorded_by, recorded_at) VALUES ($1,$2,$3,$4,$5,$6,$7) \
             ON CONFLICT (centre_id, day) DO UPDATE SET male = excluded.male, female = excluded.female, source = excluded.source, \
             recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
        )
        .bind(centre)
        .bind(day)
        .bind(male)
        .bind(female)
        .bind(source)
        .bind(&ctx.actor.id)
        .bind(Ts::now())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    Ok(existed.is_some())
}

fn count(field: &str, v: &str, errs: &mut Vec<FieldError>) -> Option<i32> {
    match v.trim().parse::<i32>() {
        Ok(n) if (0..=5000).contains(&n) => Some(n),
        _ => {
            errs.push(FieldError::new(field, "number_invalid"));
            None
        }
    }
}

/// Records one day's presences of a centre from the form.
pub async fn record_presence(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    day: &str,
    male: &str,
    female: &str,
) -> Result<()> {
    get(db, ctx, id, Permission::RecordPresences).await?;
    let mut errs = vec![];
    let d = crate::cases::past_date("day", day, &mut errs);
    let m = count("male", male, &mut errs);
    let f = count("female", female, &mut errs);
    let (Some(d), Some(m), Some(f)) = (d, m, f) else {
        return Err(Error::Validation(errs));
    };
    let mut tx = db.begin().await?;
    upsert(&mut tx, ctx, id, d, m, f, "form").await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("centre.presence", "centre", Some(id)).details(json!({"day": d.to_string()})),
    )
    .await?;
    tx.commit().await
}

/// A line of a presence file that was not imported, and why (a message code).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LineError {
    pub line: usize,
    pub code: &'static str,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportReport {
    pub imported: usize,
    /// Of those, days that already had a count (now replaced, never doubled).
    pub replaced: usize,
    pub errors: Vec<LineError>,
}

/// One readable line of a presences file, before its centre is looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresenceLine {
    pub line: usize,
    pub centre_code: String,
    pub day: NaiveDate,
    pub male: i32,
    pub female: i32,
}

/// Reads a CSV of daily presences (`date,centre_code,male,female`, a header row first, in
/// any column order): the lines it can read, and each bad line's number and reason. No
/// database: what it returns is only checked for shape (a date not after `today`, counts
/// 0–5000). A file without the four columns is refused whole.
pub fn parse_presences_csv(
    csv_text: &str,
    today: NaiveDate,
) -> Result<(Vec<PresenceLine>, Vec<LineError>)> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(csv_text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|_| Error::field("file", "csv_header_missing"))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(cd), Some(cc), Some(cm), Some(cf)) =
        (col("date"), col("centre_code"), col("male"), col("female"))
    else {
        return Err(Error::field("file", "csv_header_missing"));
    };
    let mut lines = vec![];
    let mut errors = vec![];
    for (i, rec) in reader.records().enumerate() {
        // Line 1 is the header.
        let line = i + 2;
        let bad = |code| LineError { line, code };
        let Ok(rec) = rec else {
            errors.push(bad("csv_line_unreadable"));
            continue;
        };
        let field = |c: usize| rec.get(c).unwrap_or("").to_string();
        let day = match NaiveDate::parse_from_str(&field(cd), "%Y-%m-%d") {
            Ok(d) if d > today => {
                errors.push(bad("date_in_future"));
                continue;
            }
            Ok(d) => d,
            Err(_) => {
                errors.push(bad("date_invalid"));
                continue;
            }
        };
        let (Ok(m), Ok(f)) = (field(cm).parse::<i32>(), field(cf).parse::<i32>()) else {
            errors.push(bad("number_invalid"));
            continue;
        };
        if !(0..=5000).contains(&m) || !(0..=5000).contains(&f) {
            errors.push(bad("number_invalid"));
            continue;
        }
        lines.push(PresenceLine {
            line,
            centre_code: field(cc),
            day,
            male: m,
            female: f,
        });
    }
    Ok((lines, errors))
}

/// Imports a CSV of daily presences (`date,centre_code,male,female`, a header row first).
/// Good lines are written in one transaction; each bad line is reported with its number
/// and skipped. A day already counted is replaced; the same centre and day twice in one
/// file is an error on the second line.
pub async fn import_presences(db: &Db, ctx: &Ctx, csv_text: &str) -> Result<ImportReport> {
    ctx.actor.require(Permission::RecordPresences)?;
    let (lines, mut errors) = parse_presences_csv(csv_text, domain::clock::today())?;
    let centres: Vec<(String, String, String)> = with_pool!(db, |p| {
        sqlx::query_as("SELECT id, code, org_id FROM centres WHERE code IS NOT NULL")
            .fetch_all(p)
            .await
    })
    .map_err(db_err)?;
    // Codes match whatever their case (a file typed by hand); looked up, not scanned, as a
    // region has thousands of centres and a year's file hundreds of thousands of lines.
    let by_code: std::collections::HashMap<String, &(String, String, String)> = centres
        .iter()
        .map(|c| (c.1.to_ascii_lowercase(), c))
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut rows = vec![];
    for l in lines {
        let bad = |code| LineError { line: l.line, code };
        let Some((cid, _, org)) = by_code.get(&l.centre_code.to_ascii_lowercase()).copied() else {
            errors.push(bad("csv_centre_unknown"));
            continue;
        };
        if !ctx.actor.reaches(Permission::RecordPresences, org, None) {
            errors.push(bad("csv_centre_not_yours"));
            continue;
        }
        if !seen.insert((cid.clone(), l.day)) {
            errors.push(bad("csv_line_repeated"));
            continue;
        }
        rows.push((cid.clone(), l.day, l.male, l.female));
    }
    // Reported in file order, whichever check found them.
    errors.sort_by_key(|e| e.line);
    let mut report = ImportReport {
        errors,
        ..Default::default()
    };
    let mut tx = db.begin().await?;
    for (cid, day, m, f) in &rows {
        if upsert(&mut tx, ctx, cid, *day, *m, *f, "csv").await? {
            report.replaced += 1;
        }
        report.imported += 1;
    }
    audit::append(
        &mut tx,
        ctx,
        Event::new("centre.presences_import", "centre", None).details(json!({
            "imported": report.imported, "replaced": report.replaced, "errors": report.errors.len()
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}
