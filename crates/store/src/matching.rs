//! The bridge to the matching engine (`namematch`): converting records, and keeping an
//! in-memory index of the register in step with the database.
//!
//! The index is a cache derived from the database, not shared state: each process (each
//! `Db` handle) keeps its own and brings it up to date before every duplicate check by
//! reading the persons changed since its last look (`updated_at` watermark). Several app
//! instances therefore all see every write, whoever made it.

use std::sync::Arc;

use domain::Result;
use domain::people::IdKind;
use namematch::{BirthDate, Person as MPerson};
use tokio::sync::RwLock;

use crate::db::{Db, db_err};
use crate::people::PersonValues;
use crate::{Ts, with_pool};

#[derive(Default)]
pub struct Register {
    index: namematch::Index,
    watermark: Option<Ts>,
    /// Rows already filed whose `updated_at` equals the watermark (re-read every time,
    /// since rows written in the same microsecond may still arrive).
    at_watermark: std::collections::HashSet<String>,
}

impl std::fmt::Debug for Register {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Register({} persons, up to {:?})",
            self.index.len(),
            self.watermark
        )
    }
}

pub type RegisterCache = Arc<RwLock<Register>>;

/// ISO alpha-2 for a code or a country name in Italian, English or French.
pub fn country_code(input: &str) -> Option<String> {
    namematch::country::lookup(input).map(str::to_string)
}

/// Third-country national: not an EU, EEA or Swiss citizen.
pub fn is_tcn(alpha2: &str) -> bool {
    namematch::country::is_tcn(alpha2)
}

fn id_kind(k: IdKind) -> namematch::IdKind {
    match k {
        IdKind::Cui => namematch::IdKind::Cui,
        IdKind::CodiceFiscale => namematch::IdKind::CodiceFiscale,
        IdKind::Passport => namematch::IdKind::Passport,
        IdKind::Permit | IdKind::Other => namematch::IdKind::Document,
    }
}

fn sex(s: &str) -> Option<namematch::Sex> {
    match s {
        "female" => Some(namematch::Sex::Female),
        "male" => Some(namematch::Sex::Male),
        "other" => Some(namematch::Sex::Other),
        _ => None,
    }
}

fn birth(
    year: Option<i32>,
    month: Option<i32>,
    day: Option<i32>,
    precision: Option<&str>,
) -> Option<BirthDate> {
    let y = u16::try_from(year?).ok()?;
    match (month, day, precision) {
        (_, _, Some("estimated")) => Some(BirthDate::estimated(y)),
        (Some(m), Some(d), _) => {
            let (m, d) = (u8::try_from(m).ok()?, u8::try_from(d).ok()?);
            // A stored 1 January with exact precision was confirmed by the operator.
            BirthDate::confirmed(y, m, d).ok()
        }
        _ => Some(BirthDate::year_only(y)),
    }
}

/// The matcher's view of a checked form.
pub fn from_values(id: &str, v: &PersonValues) -> MPerson {
    let b = v.birth;
    MPerson {
        id: id.to_string(),
        given_names: v.given_names.clone(),
        family_name: v.family_name.clone(),
        name_original: v.name_original.clone(),
        aliases: v.aliases.clone(),
        sex: v.sex.and_then(|s| sex(s.as_str())),
        birth: b.and_then(|b| {
            birth(
                Some(b.year),
                b.month.and_then(|m| i32::try_from(m).ok()),
                b.day.and_then(|d| i32::try_from(d).ok()),
                Some(b.precision.as_str()),
            )
        }),
        nationality: v.nationality.clone(),
        identifiers: v
            .identifiers
            .iter()
            .map(|(k, val)| (id_kind(*k), val.clone()))
            .collect(),
        phones: v.phone.iter().cloned().collect(),
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    given_names: String,
    family_name: String,
    name_original: Option<String>,
    aliases: String,
    sex: Option<String>,
    birth_year: Option<i32>,
    birth_month: Option<i32>,
    birth_day: Option<i32>,
    birth_precision: Option<String>,
    nationality: Option<String>,
    phone: Option<String>,
    merged_into: Option<String>,
    updated_at: Ts,
}

/// Changed persons read per catch-up query. The `LIMIT` also steers PostgreSQL to the
/// `updated_at` index whatever its statistics say: right after a bulk load, before the
/// table was analysed, it planned a sequential scan of the register for every search.
const SYNC_PAGE: i64 = 20_000;

/// Brings the index up to date with the database.
pub async fn sync(db: &Db) -> Result<()> {
    sync_in_pages(db, SYNC_PAGE).await
}

/// `sync` with another page size (tests use tiny pages to reach the paging's corners).
#[doc(hidden)]
pub async fn sync_in_pages(db: &Db, page: i64) -> Result<()> {
    while sync_page(db, page).await? {}
    Ok(())
}

/// Files one page of changes; says whether more may follow.
async fn sync_page(db: &Db, page: i64) -> Result<bool> {
    // Read under a shared lock so that concurrent duplicate checks do not queue behind one
    // another when nothing changed; the write lock is taken only to file changes.
    let (since, seen) = {
        let reg = db.register.read().await;
        (reg.watermark, reg.at_watermark.clone())
    };
    // Separate statements rather than `$1 IS NULL OR updated_at >= $1`, which no index
    // serves.
    const COLUMNS: &str = "SELECT id, given_names, family_name, name_original, aliases, sex, birth_year, \
        birth_month, birth_day, birth_precision, nationality, phone, merged_into, updated_at FROM persons";
    let read = |sql: String, at: Option<Ts>| async move {
        with_pool!(db, |p| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            if let Some(w) = at {
                q = q.bind(w);
            }
            q.fetch_all(p).await
        })
        .map_err(db_err)
    };
    let mut rows: Vec<Row> = match since {
        None => read(format!("{COLUMNS} ORDER BY updated_at"), None).await?,
        Some(w) => {
            read(
                format!("{COLUMNS} WHERE updated_at >= $1 ORDER BY updated_at LIMIT {page}"),
                Some(w),
            )
            .await?
        }
    };
    let mut more = since.is_some() && rows.len() as i64 == page;
    if more && rows.last().map(|r| r.updated_at) == since {
        // A whole page written at one instant (the watermark's): read that instant whole
        // and a page after it, or the same page would come back forever.
        rows = read(format!("{COLUMNS} WHERE updated_at = $1"), since).await?;
        let after = read(
            format!("{COLUMNS} WHERE updated_at > $1 ORDER BY updated_at LIMIT {page}"),
            since,
        )
        .await?;
        more = after.len() as i64 == page;
        rows.extend(after);
    }
    rows.retain(|r| !(Some(r.updated_at) == since && seen.contains(&r.id)));
    if rows.is_empty() {
        return Ok(more);
    }
    let newest = rows.iter().map(|r| r.updated_at).max();
    let ids: Vec<(String, String, String)> = if since.is_none() {
        with_pool!(db, |p| sqlx::query_as("SELECT person_id, kind, value FROM person_identifiers").fetch_all(p).await)
    } else {
        with_pool!(db, |p| {
            sqlx::query_as(
                "SELECT i.person_id, i.kind, i.value FROM person_identifiers i JOIN persons p ON p.id = i.person_id \
                 WHERE p.updated_at >= $1 AND p.updated_at <= $2",
            )
            .bind(since)
            .bind(newest)
            .fetch_all(p)
            .await
        })
    }
    .map_err(db_err)?;
    let mut by_person: std::collections::HashMap<&str, Vec<(namematch::IdKind, String)>> =
        Default::default();
    for (pid, kind, value) in &ids {
        if let Some(k) = IdKind::parse(kind) {
            by_person
                .entry(pid.as_str())
                .or_default()
                .push((id_kind(k), value.clone()));
        }
    }
    let mut reg = db.register.write().await;
    for r in &rows {
        // A concurrent sync already filed a state at least this new.
        if reg.watermark.is_some_and(|w| r.updated_at < w) {
            continue;
        }
        if r.merged_into.is_some() {
            reg.index.remove(&r.id);
            continue;
        }
        let person = MPerson {
            id: r.id.clone(),
            given_names: r.given_names.clone(),
            family_name: r.family_name.clone(),
            name_original: r.name_original.clone(),
            aliases: r.aliases.lines().map(str::to_string).collect(),
            sex: r.sex.as_deref().and_then(sex),
            birth: birth(
                r.birth_year,
                r.birth_month,
                r.birth_day,
                r.birth_precision.as_deref(),
            ),
            nationality: r.nationality.clone(),
            identifiers: by_person.remove(r.id.as_str()).unwrap_or_default(),
            phones: r.phone.iter().cloned().collect(),
        };
        reg.index.insert(&person);
    }
    if let Some(newest) = rows.iter().map(|r| r.updated_at).max()
        && reg.watermark.is_none_or(|w| newest >= w)
    {
        if reg.watermark != Some(newest) {
            reg.at_watermark.clear();
        }
        reg.watermark = Some(newest);
        reg.at_watermark.extend(
            rows.iter()
                .filter(|r| r.updated_at == newest)
                .map(|r| r.id.clone()),
        );
    }
    Ok(more)
}

/// Likely matches of `v` in the register, best first.
pub async fn candidates(
    db: &Db,
    v: &PersonValues,
    exclude: Option<&str>,
    limit: usize,
) -> Result<Vec<(String, namematch::Match)>> {
    sync(db).await?;
    let reg = db.register.read().await;
    let probe = from_values(exclude.unwrap_or(""), v);
    Ok(reg
        .index
        .candidates(&probe, limit)
        .into_iter()
        .map(|c| (c.id, c.matched))
        .collect())
}

/// The register's name search (see `namematch::Index::search`), best first.
pub async fn search(db: &Db, text: &str, limit: usize) -> Result<Vec<namematch::NameHit>> {
    sync(db).await?;
    let reg = db.register.read().await;
    Ok(reg.index.search(text, limit))
}
