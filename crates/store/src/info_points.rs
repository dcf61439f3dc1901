//! The info points directory (Open Referral HSDS in shape: location, regular schedule,
//! languages, services, accessibility). Public data: read without login; filtered by
//! municipality or district and by a language spoken.

use domain::Result;

use crate::db::{Db, db_err};
use crate::{Ts, new_id, with_pool, with_tx};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct InfoPoint {
    pub id: String,
    pub name: String,
    pub description_it: String,
    pub description_en: String,
    pub address: String,
    pub municipality: String,
    pub district: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub accessibility_it: String,
    pub accessibility_en: String,
    pub languages: String,
    pub services: String,
    #[sqlx(skip)]
    pub hours: Vec<Hours>,
}

impl InfoPoint {
    pub fn language_list(&self) -> Vec<&str> {
        self.languages
            .split(',')
            .filter(|l| !l.is_empty())
            .collect()
    }

    pub fn service_list(&self) -> Vec<&str> {
        self.services.split(',').filter(|l| !l.is_empty()).collect()
    }

    /// The openings of one weekday (1 = Monday), in order.
    pub fn on(&self, weekday: i32) -> Vec<&Hours> {
        self.hours.iter().filter(|h| h.weekday == weekday).collect()
    }
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Hours {
    pub info_point_id: String,
    pub weekday: i32,
    pub opens_at: String,
    pub closes_at: String,
}

/// What the directory is narrowed to.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct Filter {
    /// A municipality or a district of Rome.
    pub place: String,
    /// A language code spoken at the point.
    pub language: String,
}

/// The active info points, filtered, by name, with their opening hours.
pub async fn list(db: &Db, f: &Filter) -> Result<Vec<InfoPoint>> {
    let lang = f.language.trim();
    let like = if lang.is_empty() {
        String::new()
    } else {
        format!("%,{},%", crate::like_escape(lang))
    };
    let mut points: Vec<InfoPoint> = with_pool!(db, |p| sqlx::query_as(
        "SELECT id, name, description_it, description_en, address, municipality, district, lat, lon, phone, email, \
         accessibility_it, accessibility_en, languages, services FROM info_points \
         WHERE active AND ($1 = '' OR municipality = $1 OR district = $1) \
         AND ($2 = '' OR (',' || languages || ',') LIKE $2 ESCAPE '\\') ORDER BY name"
    )
    .bind(f.place.trim())
    .bind(&like)
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    let hours: Vec<Hours> = with_pool!(db, |p| sqlx::query_as(
        "SELECT info_point_id, weekday, opens_at, closes_at FROM info_point_hours ORDER BY weekday, opens_at"
    )
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    for p in &mut points {
        p.hours = hours
            .iter()
            .filter(|h| h.info_point_id == p.id)
            .cloned()
            .collect();
    }
    Ok(points)
}

/// The places (municipalities and districts) that have an info point, for the filter.
pub async fn places(db: &Db) -> Result<Vec<String>> {
    let rows: Vec<(String, String)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT municipality, district FROM info_points WHERE active"
    )
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    let mut out: Vec<String> = rows
        .into_iter()
        .flat_map(|(m, d)| [m, d])
        .filter(|x| !x.is_empty())
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

/// An info point as seeded or imported: the location, then (weekday, opens, closes).
pub struct NewInfoPoint<'a> {
    pub org_id: &'a str,
    pub name: &'a str,
    pub description_it: &'a str,
    pub description_en: &'a str,
    pub address: &'a str,
    pub municipality: &'a str,
    pub district: &'a str,
    pub coords: (f64, f64),
    pub phone: &'a str,
    pub accessibility_it: &'a str,
    pub accessibility_en: &'a str,
    pub languages: &'a str,
    pub services: &'a str,
    pub hours: &'a [(i32, &'a str, &'a str)],
}

/// Adds an info point with its schedule (demo seeding and the command line).
pub async fn add(db: &Db, n: &NewInfoPoint<'_>) -> Result<String> {
    let id = new_id();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO info_points (id, org_id, name, description_it, description_en, address, municipality, district, lat, lon, \
         phone, accessibility_it, accessibility_en, languages, services, active, created_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,TRUE,$16)"
    )
    .bind(&id)
    .bind(n.org_id)
    .bind(n.name)
    .bind(n.description_it)
    .bind(n.description_en)
    .bind(n.address)
    .bind(n.municipality)
    .bind(n.district)
    .bind(n.coords.0)
    .bind(n.coords.1)
    .bind(n.phone)
    .bind(n.accessibility_it)
    .bind(n.accessibility_en)
    .bind(n.languages)
    .bind(n.services)
    .bind(Ts::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    for (day, opens, closes) in n.hours {
        with_tx!(&mut tx, |c| sqlx::query(
            "INSERT INTO info_point_hours (info_point_id, weekday, opens_at, closes_at) VALUES ($1,$2,$3,$4)"
        )
        .bind(&id)
        .bind(day)
        .bind(opens)
        .bind(closes)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(db_err)?;
    }
    tx.commit().await?;
    Ok(id)
}
