//! The people register: one record per person, shared by the network, with the duplicate
//! check before creation. Identity and contacts are personal data (reads audited);
//! vulnerabilities are special-category data (sealed with `crypto`, reads audited).
//!
//! Who sees what: anyone who registers people may *search* the whole register, but a
//! search answers only what a duplicate check needs (names, birth year, nationality, the
//! registering organisation). The full record opens within the reader's scope — their own
//! organisation's records, or all for a prefecture officer.

use chrono::NaiveDate;
use domain::account::Scope;
use domain::people::{Birth, BirthPrecision, ConsentPurpose, IdKind, Sex, Vulnerability};
use domain::policy::Permission;
use domain::validate;
use domain::{Error, FieldError, Result};
use serde_json::json;

use crate::audit::{self, Event};
use crate::db::{Ctx, Db, Tx, db_err};
use crate::matching;
use crate::{Ts, new_id, with_pool, with_tx};

/// The person form as typed (every field a string, so it can be shown again unchanged).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct PersonInput {
    #[serde(default)]
    pub given_names: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default)]
    pub name_original: String,
    /// One alias per line.
    #[serde(default)]
    pub aliases: String,
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub birth_precision: String,
    /// Checkbox: a 1 January date is the real one.
    #[serde(default)]
    pub birth_confirmed: Option<String>,
    /// An ISO code or a country name in Italian, English or French.
    #[serde(default)]
    pub nationality: String,
    /// ISO 639 codes, comma-separated.
    #[serde(default)]
    pub languages: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub cui: String,
    #[serde(default)]
    pub codice_fiscale: String,
    #[serde(default)]
    pub passport: String,
    #[serde(default)]
    pub permit: String,
}

/// A checked person, ready to store or to match.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonValues {
    pub given_names: String,
    pub family_name: String,
    pub name_original: Option<String>,
    pub aliases: Vec<String>,
    pub sex: Option<Sex>,
    pub birth: Option<Birth>,
    pub nationality: Option<String>,
    pub is_tcn: Option<bool>,
    pub languages: Vec<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub identifiers: Vec<(IdKind, String)>,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

impl PersonInput {
    /// Checks the form; every problem is reported at once, per field.
    pub fn check(&self) -> Result<PersonValues> {
        let mut errs: Vec<FieldError> = vec![];
        let mut text =
            |field: &str, v: &str, max: usize| match validate::required_text(field, v, max) {
                Ok(t) => t,
                Err(e) => {
                    errs.push(e);
                    String::new()
                }
            };
        let given_names = text("given_names", &self.given_names, 200);
        let family_name = text("family_name", &self.family_name, 200);
        let sex = match self.sex.trim() {
            "" => None,
            s => match Sex::parse(s) {
                Some(s) => Some(s),
                None => {
                    errs.push(FieldError::new("sex", "field_invalid_choice"));
                    None
                }
            },
        };
        let precision =
            BirthPrecision::parse(self.birth_precision.trim()).unwrap_or(BirthPrecision::Exact);
        let birth = match Birth::parse(&self.birth_date, precision, self.birth_confirmed.is_some())
        {
            Ok(b) => b,
            Err(code) => {
                errs.push(FieldError::new("birth_date", code));
                None
            }
        };
        let nationality = match self.nationality.trim() {
            "" => None,
            n => match matching::country_code(n) {
                Some(c) => Some(c),
                None => {
                    errs.push(FieldError::new("nationality", "nationality_unknown"));
                    None
                }
            },
        };
        let languages: Vec<String> = self
            .languages
            .split([',', ' ', ';'])
            .map(|l| l.trim().to_lowercase())
            .filter(|l| !l.is_empty())
            .collect();
        if languages
            .iter()
            .any(|l| !(2..=3).contains(&l.len()) || !l.chars().all(|c| c.is_ascii_lowercase()))
        {
            errs.push(FieldError::new("languages", "languages_invalid"));
        }
        let email = match validate::optional_email(&self.email) {
            Ok(e) => e,
            Err(e) => {
                errs.push(e);
                None
            }
        };
        let phone = opt(&self.phone);
        if let Some(p) = &phone
            && (p.chars().filter(char::is_ascii_digit).count() < 6
                || p.chars()
                    .any(|c| !(c.is_ascii_digit() || " +-()./".contains(c))))
        {
            errs.push(FieldError::new("phone", "phone_invalid"));
        }
        let mut identifiers = vec![];
        for (kind, v, field) in [
            (IdKind::Cui, &self.cui, "cui"),
            (
                IdKind::CodiceFiscale,
                &self.codice_fiscale,
                "codice_fiscale",
            ),
            (IdKind::Passport, &self.passport, "passport"),
            (IdKind::Permit, &self.permit, "permit"),
        ] {
            if let Some(v) = opt(v) {
                let norm = IdKind::normalise(&v);
                if kind == IdKind::CodiceFiscale && norm.len() != 16 {
                    errs.push(FieldError::new(field, "codice_fiscale_invalid"));
                } else if norm.len() < 4 || norm.len() > 40 {
                    errs.push(FieldError::new(field, "identifier_invalid"));
                } else {
                    identifiers.push((kind, v));
                }
            }
        }
        if !errs.is_empty() {
            return Err(Error::Validation(errs));
        }
        Ok(PersonValues {
            given_names,
            family_name,
            name_original: opt(&self.name_original),
            aliases: self.aliases.lines().filter_map(opt).collect(),
            sex,
            birth,
            is_tcn: nationality.as_deref().map(matching::is_tcn),
            nationality,
            languages,
            phone,
            email,
            address: opt(&self.address),
            identifiers,
        })
    }
}

/// What the duplicate check may show about someone else's record.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Summary {
    pub id: String,
    pub given_names: String,
    pub family_name: String,
    pub name_original: Option<String>,
    pub sex: Option<String>,
    pub birth_year: Option<i32>,
    pub birth_month: Option<i32>,
    pub birth_day: Option<i32>,
    pub birth_precision: Option<String>,
    pub nationality: Option<String>,
    pub owner_org_id: String,
    pub owner_org_name: String,
}

impl Summary {
    pub fn birth_display(&self) -> String {
        birth_display(
            self.birth_year,
            self.birth_month,
            self.birth_day,
            self.birth_precision.as_deref(),
        )
    }
}

pub fn birth_display(y: Option<i32>, m: Option<i32>, d: Option<i32>, p: Option<&str>) -> String {
    match (y, m, d, p) {
        (Some(y), _, _, Some("estimated")) => format!("~{y}"),
        (Some(y), Some(m), Some(d), _) => format!("{y:04}-{m:02}-{d:02}"),
        (Some(y), _, _, _) => y.to_string(),
        _ => "—".to_string(),
    }
}

/// A likely existing record for a person being registered, with why it matches.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Candidate {
    pub person: Summary,
    pub score: f64,
    /// "same" or "possible".
    pub decision: &'static str,
    /// Reason codes (Fluent ids `match-…`).
    pub reasons: Vec<String>,
    /// Whether the actor may open the full record.
    pub can_open: bool,
}

const SUMMARY_COLUMNS: &str = "p.id, p.given_names, p.family_name, p.name_original, p.sex, \
    p.birth_year, p.birth_month, p.birth_day, p.birth_precision, p.nationality, \
    p.owner_org_id, o.name AS owner_org_name FROM persons p JOIN organisations o ON o.id = p.owner_org_id";

fn reaches(ctx: &Ctx, perm: Permission, owner_org: &str, created_by: Option<&str>) -> bool {
    ctx.actor.reaches(perm, owner_org, created_by)
}

/// Likely existing records for what is being typed, best first, with why they match.
pub async fn likely_matches(
    db: &Db,
    ctx: &Ctx,
    v: &PersonValues,
    exclude: Option<&str>,
) -> Result<Vec<Candidate>> {
    ctx.actor.require(Permission::SearchPeople)?;
    let found = matching::candidates(db, v, exclude, 10).await?;
    if found.is_empty() {
        return Ok(vec![]);
    }
    let ph = crate::placeholders(found.len());
    let sql = format!("SELECT {SUMMARY_COLUMNS} WHERE p.id IN ({})", ph);
    let rows: Vec<Summary> = with_pool!(db, |p| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
        for (id, _) in &found {
            q = q.bind(id);
        }
        q.fetch_all(p).await
    })
    .map_err(db_err)?;
    let mut out = vec![];
    for (id, m) in found {
        let Some(r) = rows.iter().find(|r| r.id == id).cloned() else {
            continue;
        };
        let decision = match m.decision {
            namematch::Decision::Same => "same",
            namematch::Decision::Possible => "possible",
            namematch::Decision::Different => continue,
        };
        let mut reasons: Vec<String> = vec![];
        for r in &m.reasons {
            let code = r.code().to_string();
            if !reasons.contains(&code) {
                reasons.push(code);
            }
        }
        let can_open = reaches(ctx, Permission::ViewPeople, &r.owner_org_id, None);
        out.push(Candidate {
            person: r,
            score: m.score,
            decision,
            reasons,
            can_open,
        });
    }
    audit::record(
        db,
        ctx,
        Event::new("person.duplicate_check", "person", None).details(
            json!({"candidates": out.iter().map(|c| c.person.id.clone()).collect::<Vec<_>>()}),
        ),
    )
    .await?;
    Ok(out)
}

async fn write_children(tx: &mut Tx, id: &str, v: &PersonValues) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM person_identifiers WHERE person_id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    for (kind, value) in &v.identifiers {
        with_tx!(tx, |c| {
            sqlx::query("INSERT INTO person_identifiers (id, person_id, kind, value, value_norm) VALUES ($1,$2,$3,$4,$5)")
                .bind(new_id())
                .bind(id)
                .bind(kind.as_str())
                .bind(value)
                .bind(IdKind::normalise(value))
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(db_err)?;
    }
    Ok(())
}

/// Writes a person's fields if the row is still at `version` (else `Conflict`), and bumps it.
async fn write_fields(tx: &mut Tx, id: &str, version: i32, v: &PersonValues) -> Result<()> {
    let b = v.birth;
    let n = with_tx!(tx, |c| {
        sqlx::query(
            "UPDATE persons SET given_names = $1, family_name = $2, name_original = $3, aliases = $4, sex = $5, \
             birth_year = $6, birth_month = $7, birth_day = $8, birth_precision = $9, nationality = $10, \
             is_tcn = $11, languages = $12, phone = $13, email = $14, address = $15, version = version + 1, \
             updated_at = $16 WHERE id = $17 AND version = $18",
        )
        .bind(&v.given_names)
        .bind(&v.family_name)
        .bind(&v.name_original)
        .bind(v.aliases.join("\n"))
        .bind(v.sex.map(Sex::as_str))
        .bind(b.map(|b| b.year))
        .bind(b.and_then(|b| b.month).map(|m| m as i32))
        .bind(b.and_then(|b| b.day).map(|d| d as i32))
        .bind(b.map(|b| b.precision.as_str()))
        .bind(&v.nationality)
        .bind(v.is_tcn)
        .bind(v.languages.join(","))
        .bind(&v.phone)
        .bind(&v.email)
        .bind(&v.address)
        .bind(Ts::now())
        .bind(id)
        .bind(version)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    if n == 0 {
        return Err(Error::Conflict);
    }
    Ok(())
}

/// Registers a person in the actor's organisation.
pub async fn create_person(db: &Db, ctx: &Ctx, input: &PersonInput) -> Result<String> {
    ctx.actor.require(Permission::EditPeople)?;
    let v = input.check()?;
    let mut tx = db.begin().await?;
    let id = create_person_in(&mut tx, ctx, &v).await?;
    tx.commit().await?;
    Ok(id)
}

/// Registers a person the operator says is someone else than the likely matches they were
/// shown: the pairs go to the duplicate queue of each owner, in the same transaction, so
/// that the doubt is settled by people who can act on it rather than lost.
pub async fn create_person_despite(
    db: &Db,
    ctx: &Ctx,
    input: &PersonInput,
    shown: &[Candidate],
) -> Result<String> {
    ctx.actor.require(Permission::EditPeople)?;
    let v = input.check()?;
    let mut tx = db.begin().await?;
    let id = create_person_in(&mut tx, ctx, &v).await?;
    crate::duplicates::record_in(&mut tx, ctx, &id, shown).await?;
    tx.commit().await?;
    Ok(id)
}

/// Registers a checked person inside a larger write (a minor's intake), so that either
/// both are stored or neither.
pub(crate) async fn create_person_in(tx: &mut Tx, ctx: &Ctx, v: &PersonValues) -> Result<String> {
    ctx.actor.require(Permission::EditPeople)?;
    let org = ctx.actor.org_id.clone().ok_or(Error::Forbidden)?;
    let id = new_id();
    let now = Ts::now();
    // The bare row first (version 0), then the same field write as an edit: one place
    // knows how a person's fields are stored.
    with_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO persons (id, owner_org_id, given_names, family_name, created_by, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 0, $6, $6)",
        )
        .bind(&id)
        .bind(&org)
        .bind(&v.given_names)
        .bind(&v.family_name)
        .bind(&ctx.actor.id)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    write_fields(tx, &id, 0, v).await?;
    write_children(tx, &id, v).await?;
    audit::append(tx, ctx, Event::new("person.create", "person", Some(&id))).await?;
    Ok(id)
}

/// A person's full record as its page shows it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Person {
    pub id: String,
    pub owner_org_id: String,
    pub owner_org_name: String,
    pub given_names: String,
    pub family_name: String,
    pub name_original: Option<String>,
    pub aliases: String,
    pub sex: Option<String>,
    pub birth_year: Option<i32>,
    pub birth_month: Option<i32>,
    pub birth_day: Option<i32>,
    pub birth_precision: Option<String>,
    pub nationality: Option<String>,
    pub is_tcn: Option<bool>,
    pub languages: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub merged_into: Option<String>,
    pub pseudonymised_at: Option<Ts>,
    pub created_by: String,
    pub version: i32,
    pub created_at: Ts,
    pub updated_at: Ts,
    #[sqlx(skip)]
    pub identifiers: Vec<(String, String)>,
    #[sqlx(skip)]
    pub consents: Vec<Consent>,
    /// Records merged into this one: (id, name as registered).
    #[sqlx(skip)]
    pub merged_records: Vec<(String, String)>,
}

impl Person {
    pub fn birth_display(&self) -> String {
        birth_display(
            self.birth_year,
            self.birth_month,
            self.birth_day,
            self.birth_precision.as_deref(),
        )
    }

    /// The record as the edit form shows it.
    pub fn to_input(&self) -> PersonInput {
        let id = |k: &str| {
            self.identifiers
                .iter()
                .find(|(kind, _)| kind == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        PersonInput {
            given_names: self.given_names.clone(),
            family_name: self.family_name.clone(),
            name_original: self.name_original.clone().unwrap_or_default(),
            aliases: self.aliases.clone(),
            sex: self.sex.clone().unwrap_or_default(),
            birth_date: match (self.birth_year, self.birth_month, self.birth_day) {
                (Some(y), Some(m), Some(d)) => format!("{y:04}-{m:02}-{d:02}"),
                (Some(y), _, _) => y.to_string(),
                _ => String::new(),
            },
            birth_precision: self.birth_precision.clone().unwrap_or_default(),
            birth_confirmed: (self.birth_month == Some(1) && self.birth_day == Some(1))
                .then(|| "on".into()),
            nationality: self.nationality.clone().unwrap_or_default(),
            languages: self.languages.clone(),
            phone: self.phone.clone().unwrap_or_default(),
            email: self.email.clone().unwrap_or_default(),
            address: self.address.clone().unwrap_or_default(),
            cui: id("cui"),
            codice_fiscale: id("codice_fiscale"),
            passport: id("passport"),
            permit: id("permit"),
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Consent {
    pub id: String,
    pub purpose: String,
    pub given: bool,
    pub on_date: NaiveDate,
    pub recorded_by: String,
    pub created_at: Ts,
}

async fn load_person(db: &Db, id: &str) -> Result<Option<Person>> {
    let row: Option<Person> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT p.*, o.name AS owner_org_name FROM persons p JOIN organisations o ON o.id = p.owner_org_id WHERE p.id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await
    })
    .map_err(db_err)?;
    let Some(mut person) = row else {
        return Ok(None);
    };
    let ids: Vec<(String, String)> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT kind, value FROM person_identifiers WHERE person_id = $1 ORDER BY kind",
        )
        .bind(id)
        .fetch_all(p)
        .await
    })
    .map_err(db_err)?;
    person.identifiers = ids;
    // The records merged into this one contribute their identifiers and consents: a merge
    // keeps both histories.
    let family = merged_family(db, id).await?;
    for (mid, name) in &family {
        let more: Vec<(String, String)> = with_pool!(db, |p| {
            sqlx::query_as(
                "SELECT kind, value FROM person_identifiers WHERE person_id = $1 ORDER BY kind",
            )
            .bind(mid)
            .fetch_all(p)
            .await
        })
        .map_err(db_err)?;
        for i in more {
            if !person.identifiers.contains(&i) {
                person.identifiers.push(i);
            }
        }
        person.merged_records.push((mid.clone(), name.clone()));
    }
    let mut all_ids = vec![id.to_string()];
    all_ids.extend(family.into_iter().map(|(m, _)| m));
    let ph = crate::placeholders(all_ids.len());
    let sql = format!(
        "SELECT id, purpose, given, on_date, recorded_by, created_at FROM person_consents WHERE person_id IN ({}) ORDER BY on_date DESC, created_at DESC",
        ph
    );
    person.consents = with_pool!(db, |p| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
        for i in &all_ids {
            q = q.bind(i);
        }
        q.fetch_all(p).await
    })
    .map_err(db_err)?;
    Ok(Some(person))
}

/// The records merged into `id`, directly or through earlier merges: (id, name).
async fn merged_family(db: &Db, id: &str) -> Result<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = vec![];
    let mut frontier = vec![id.to_string()];
    // Merge chains are short; the bound only guards against a damaged cycle.
    for _ in 0..16 {
        if frontier.is_empty() {
            break;
        }
        let ph = crate::placeholders(frontier.len());
        let sql = format!(
            "SELECT id, given_names || ' ' || family_name FROM persons WHERE merged_into IN ({})",
            ph
        );
        let rows: Vec<(String, String)> = with_pool!(db, |p| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for f in &frontier {
                q = q.bind(f);
            }
            q.fetch_all(p).await
        })
        .map_err(db_err)?;
        frontier = rows
            .iter()
            .map(|r| r.0.clone())
            .filter(|r| !out.iter().any(|o| &o.0 == r) && r != id)
            .collect();
        out.extend(rows.into_iter().filter(|r| r.0 != id));
    }
    out.dedup_by(|a, b| a.0 == b.0);
    Ok(out)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Merge {
    pub id: String,
    pub kept_id: String,
    pub merged_id: String,
    pub merged_name: String,
    pub reason: Option<String>,
    pub merged_by: String,
    pub merged_at: Ts,
    pub undone_at: Option<Ts>,
}

/// Whether the actor may merge this record with another (or undo a merge): they work on
/// it, or their grant reaches the whole programme (a merge reads nothing of the record). A
/// merge across organisations otherwise goes through both owners (`duplicates`).
async fn may_merge(db: &Db, ctx: &Ctx, p: &Person) -> Result<bool> {
    if ctx.actor.scope_for(Permission::EditPeople) == Some(Scope::All) {
        return Ok(true);
    }
    Ok(person_reach(db, ctx, p).await?.can_work())
}

/// Merges `merged_id` into `kept_id`: the same person registered twice. Nothing is
/// deleted: the merged record points at the kept one and its history shows there.
pub async fn merge_persons(
    db: &Db,
    ctx: &Ctx,
    kept_id: &str,
    merged_id: &str,
    reason: &str,
) -> Result<String> {
    ctx.actor.require(Permission::EditPeople)?;
    // The record being worked on must be within reach before anything else is said.
    let kept = load_person(db, kept_id).await?.ok_or(Error::NotFound)?;
    if !may_merge(db, ctx, &kept).await? {
        return Err(Error::Forbidden);
    }
    if kept_id == merged_id {
        return Err(Error::field("other", "merge_self"));
    }
    let merged = load_person(db, merged_id)
        .await?
        .ok_or(Error::field("other", "merge_other_unknown"))?;
    if !may_merge(db, ctx, &merged).await? {
        return Err(Error::Forbidden);
    }
    if kept.merged_into.is_some() || merged.merged_into.is_some() {
        return Err(Error::Conflict);
    }
    let reason = reason.trim();
    if reason.chars().count() > 500 {
        return Err(Error::field("reason", "field_too_long"));
    }
    let mut tx = db.begin().await?;
    let id = merge_in(&mut tx, ctx, kept_id, merged_id, reason).await?;
    tx.commit().await?;
    Ok(id)
}

/// Writes a merge whose permissions the caller checked (a merge of one's own records, or
/// one both owners agreed to), with the pair of the duplicate queue it settles.
pub(crate) async fn merge_in(
    tx: &mut Tx,
    ctx: &Ctx,
    kept_id: &str,
    merged_id: &str,
    reason: &str,
) -> Result<String> {
    let now = Ts::now();
    let id = new_id();
    let n = with_tx!(&mut *tx, |c| {
        sqlx::query("UPDATE persons SET merged_into = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND merged_into IS NULL")
            .bind(kept_id)
            .bind(now)
            .bind(merged_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    if n == 0 {
        return Err(Error::Conflict);
    }
    with_tx!(&mut *tx, |c| {
        sqlx::query("UPDATE persons SET version = version + 1, updated_at = $1 WHERE id = $2 AND merged_into IS NULL")
            .bind(now)
            .bind(kept_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)
    .and_then(|n| if n == 0 { Err(Error::Conflict) } else { Ok(n) })?;
    with_tx!(&mut *tx, |c| {
        sqlx::query("INSERT INTO person_merges (id, kept_id, merged_id, reason, merged_by, merged_at) VALUES ($1,$2,$3,$4,$5,$6)")
            .bind(&id)
            .bind(kept_id)
            .bind(merged_id)
            .bind((!reason.is_empty()).then_some(reason))
            .bind(&ctx.actor.id)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    crate::duplicates::settle_in(tx, ctx, kept_id, merged_id).await?;
    audit::append(
        tx,
        ctx,
        Event::new("person.merge", "person", Some(kept_id))
            .details(json!({"merged": merged_id, "merge": id})),
    )
    .await?;
    Ok(id)
}

/// Undoes a merge: the merged record stands on its own again, with its history.
pub async fn undo_merge(db: &Db, ctx: &Ctx, merge_id: &str) -> Result<Merge> {
    ctx.actor.require(Permission::EditPeople)?;
    let m: Merge = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT m.id, m.kept_id, m.merged_id, p.given_names || ' ' || p.family_name AS merged_name, m.reason, \
             m.merged_by, m.merged_at, m.undone_at FROM person_merges m JOIN persons p ON p.id = m.merged_id WHERE m.id = $1",
        )
        .bind(merge_id)
        .fetch_optional(p)
        .await
    })
    .map_err(db_err)?
    .ok_or(Error::NotFound)?;
    if m.undone_at.is_some() {
        return Err(Error::Conflict);
    }
    for pid in [&m.kept_id, &m.merged_id] {
        let p = load_person(db, pid).await?.ok_or(Error::NotFound)?;
        if !may_merge(db, ctx, &p).await? {
            return Err(Error::Forbidden);
        }
    }
    let now = Ts::now();
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| {
        sqlx::query("UPDATE persons SET merged_into = NULL, version = version + 1, updated_at = $1 WHERE id = $2 AND merged_into = $3")
            .bind(now)
            .bind(&m.merged_id)
            .bind(&m.kept_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    if n == 0 {
        return Err(Error::Conflict);
    }
    with_tx!(&mut tx, |c| {
        sqlx::query("UPDATE persons SET version = version + 1, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&m.kept_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    with_tx!(&mut tx, |c| {
        sqlx::query("UPDATE person_merges SET undone_by = $1, undone_at = $2 WHERE id = $3")
            .bind(&ctx.actor.id)
            .bind(now)
            .bind(merge_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("person.merge_undo", "person", Some(&m.kept_id))
            .details(json!({"merged": m.merged_id, "merge": merge_id})),
    )
    .await?;
    tx.commit().await?;
    Ok(m)
}

/// The merges in which `id` is the kept record, newest first.
pub async fn merges_into(db: &Db, id: &str) -> Result<Vec<Merge>> {
    with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT m.id, m.kept_id, m.merged_id, p.given_names || ' ' || p.family_name AS merged_name, m.reason, \
             m.merged_by, m.merged_at, m.undone_at FROM person_merges m JOIN persons p ON p.id = m.merged_id \
             WHERE m.kept_id = $1 ORDER BY m.merged_at DESC",
        )
        .bind(id)
        .fetch_all(p)
        .await
    })
    .map_err(db_err)
}

/// How far the actor reaches into a person's record, and through what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonReach {
    /// Nothing beyond what a duplicate check shows.
    None,
    /// Reached only through the programme-wide grant: a purpose must be stated first.
    NeedsPurpose,
    /// A case of the person is referred to the actor's organisation and not yet accepted:
    /// the referral's summary, not the record.
    Summary,
    Read(Via),
    Work(Via),
}

/// Why a record is open to the actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// The actor's organisation owns it (or the actor registered it, for own scope).
    Own,
    /// An access request granted to the actor's organisation (its id).
    Grant(String),
    /// A case of the person referred to the actor's organisation and accepted.
    Referral,
    /// A stated purpose under the programme-wide grant.
    Purpose(String),
}

impl PersonReach {
    pub fn can_read(&self) -> bool {
        matches!(self, PersonReach::Read(_) | PersonReach::Work(_))
    }
    pub fn can_work(&self) -> bool {
        matches!(self, PersonReach::Work(_))
    }
    pub fn via(&self) -> Option<&Via> {
        match self {
            PersonReach::Read(v) | PersonReach::Work(v) => Some(v),
            _ => None,
        }
    }
    /// The audit details of a read through this reach.
    fn audit_details(&self) -> serde_json::Value {
        match self.via() {
            Some(Via::Grant(g)) => json!({"via": "grant", "grant": g}),
            Some(Via::Referral) => json!({"via": "referral"}),
            Some(Via::Purpose(p)) => json!({"via": "purpose", "purpose": p}),
            _ => json!({}),
        }
    }
}

/// Whether `perm` reaches a record of `owner_org` (registered by `created_by`) from within
/// the actor's own organisation: for a programme-wide grant, only its own organisation's
/// records count here (the rest needs a purpose).
pub(crate) fn within_own(
    ctx: &Ctx,
    perm: Permission,
    owner_org: &str,
    created_by: Option<&str>,
) -> bool {
    if ctx.actor.kind == domain::policy::ActorKind::System && ctx.actor.org_id.is_none() {
        return true;
    }
    match ctx.actor.scope_for(perm) {
        Some(Scope::All) | Some(Scope::Organisation) => {
            ctx.actor.org_id.as_deref() == Some(owner_org)
        }
        Some(Scope::Own) => created_by.is_some() && created_by == Some(ctx.actor.id.as_str()),
        None => false,
    }
}

/// The actor's reach into a person's record (see `PersonReach`).
pub async fn person_reach(db: &Db, ctx: &Ctx, p: &Person) -> Result<PersonReach> {
    let actor = &ctx.actor;
    if !actor.can(Permission::ViewPeople) {
        return Ok(PersonReach::None);
    }
    let edit = actor.can(Permission::EditPeople);
    if within_own(
        ctx,
        Permission::ViewPeople,
        &p.owner_org_id,
        Some(&p.created_by),
    ) {
        return Ok(
            if edit
                && within_own(
                    ctx,
                    Permission::EditPeople,
                    &p.owner_org_id,
                    Some(&p.created_by),
                )
            {
                PersonReach::Work(Via::Own)
            } else {
                PersonReach::Read(Via::Own)
            },
        );
    }
    if let Some(org) = actor.org_id.as_deref() {
        // A grant holds while the person's latest word on sharing is a yes.
        if let Some(g) = crate::access::open_grant(db, &p.id, org).await?
            && has_consent(db, &p.id, ConsentPurpose::ShareForReferral).await?
        {
            return Ok(if g.work && edit {
                PersonReach::Work(Via::Grant(g.id))
            } else {
                PersonReach::Read(Via::Grant(g.id))
            });
        }
        match crate::cases::person_referral_state(db, &p.id, org).await? {
            crate::cases::ReferralState::Accepted => return Ok(PersonReach::Read(Via::Referral)),
            crate::cases::ReferralState::Waiting => return Ok(PersonReach::Summary),
            crate::cases::ReferralState::None => {}
        }
    }
    if actor.scope_for(Permission::ViewPeople) == Some(Scope::All) && actor.org_id.is_some() {
        return Ok(
            match crate::purposes::active(db, ctx, "person", &p.id).await? {
                Some(purpose) if edit => PersonReach::Work(Via::Purpose(purpose)),
                Some(purpose) => PersonReach::Read(Via::Purpose(purpose)),
                None => PersonReach::NeedsPurpose,
            },
        );
    }
    Ok(PersonReach::None)
}

fn reach_error(r: &PersonReach) -> Error {
    match r {
        PersonReach::NeedsPurpose => Error::PurposeRequired,
        _ => Error::Forbidden,
    }
}

/// A person's record with the actor's reach into it; the read is audited (naming the
/// grant, referral or purpose it went through). Anything short of a read is refused:
/// `PurposeRequired` when a stated purpose would open it, `Forbidden` otherwise.
pub async fn open_person(db: &Db, ctx: &Ctx, id: &str) -> Result<(Person, PersonReach)> {
    ctx.actor.require(Permission::ViewPeople)?;
    let p = load_person(db, id).await?.ok_or(Error::NotFound)?;
    let r = person_reach(db, ctx, &p).await?;
    if !r.can_read() {
        return Err(reach_error(&r));
    }
    audit::record(
        db,
        ctx,
        Event::new("person.read", "person", Some(id)).details(r.audit_details()),
    )
    .await?;
    Ok((p, r))
}

/// Opens a person's record if the actor reaches it; the read is audited.
pub async fn get_person(db: &Db, ctx: &Ctx, id: &str) -> Result<Person> {
    open_person(db, ctx, id).await.map(|(p, _)| p)
}

/// The record, if the actor may work on it (their own organisation's, a work grant, or a
/// stated purpose under the programme-wide grant).
async fn require_person_work(db: &Db, ctx: &Ctx, id: &str) -> Result<Person> {
    ctx.actor.require(Permission::EditPeople)?;
    let p = load_person(db, id).await?.ok_or(Error::NotFound)?;
    let r = person_reach(db, ctx, &p).await?;
    if !r.can_work() {
        return Err(reach_error(&r));
    }
    Ok(p)
}

/// What a duplicate check shows of a record (names, birth, nationality, its organisation):
/// for the page of a record the actor cannot open, where they may ask for access.
pub async fn summary(db: &Db, ctx: &Ctx, id: &str) -> Result<Summary> {
    ctx.actor.require(Permission::SearchPeople)?;
    let sql = format!("SELECT {SUMMARY_COLUMNS} WHERE p.id = $1");
    let row: Option<Summary> = with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id)
        .fetch_optional(p)
        .await)
    .map_err(db_err)?;
    let row = row.ok_or(Error::NotFound)?;
    audit::record(
        db,
        ctx,
        Event::new("person.summary_read", "person", Some(id)),
    )
    .await?;
    Ok(row)
}

/// Saves an edit unless someone else saved in between (then `Conflict`, nothing written).
pub async fn update_person(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    version: i32,
    input: &PersonInput,
) -> Result<()> {
    // Whether the record is within reach is answered before anything about the input.
    require_person_work(db, ctx, id).await?;
    let v = input.check()?;
    let mut tx = db.begin().await?;
    write_fields(&mut tx, id, version, &v).await?;
    write_children(&mut tx, id, &v).await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("person.update", "person", Some(id)),
    )
    .await?;
    tx.commit().await
}

/// The register's search: by name (any spelling the matcher knows, a word being typed, in
/// any order) or identifier. Answers summaries only; opening a record is `get_person`.
///
/// Names are looked up in the matcher's in-memory index (kept in step with the database,
/// see `matching`), not by scanning the register: at a million persons a `LIKE '%…%'`
/// scan took seconds. Unlike the duplicate check, a very common name ("Ahmed") still lists
/// its records: a search is not a claim of identity.
pub async fn search(db: &Db, ctx: &Ctx, q: &str) -> Result<Vec<Candidate>> {
    ctx.actor.require(Permission::SearchPeople)?;
    let q = q.trim();
    if q.is_empty() {
        return Ok(vec![]);
    }
    let hits = matching::search(db, q, 50).await?;
    let rows: Vec<Summary> = if hits.is_empty() {
        vec![]
    } else {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} WHERE p.merged_into IS NULL AND p.pseudonymised_at IS NULL AND p.id IN ({})",
            crate::placeholders(hits.len())
        );
        with_pool!(db, |p| {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for h in &hits {
                query = query.bind(&h.id);
            }
            query.fetch_all(p).await
        })
        .map_err(db_err)?
    };
    let mut out: Vec<Candidate> = hits
        .iter()
        .filter_map(|h| {
            let r = rows.iter().find(|r| r.id == h.id)?.clone();
            Some(Candidate {
                can_open: reaches(ctx, Permission::ViewPeople, &r.owner_org_id, None),
                person: r,
                score: h.score,
                decision: "possible",
                reasons: vec!["name_text".to_string()],
            })
        })
        .collect();
    let mut v = PersonValues {
        given_names: q.to_string(),
        family_name: String::new(),
        name_original: None,
        aliases: vec![],
        sex: None,
        birth: None,
        nationality: None,
        is_tcn: None,
        languages: vec![],
        phone: None,
        email: None,
        address: None,
        identifiers: vec![],
    };
    // A typed identifier is looked up as every kind.
    if q.chars().any(|c| c.is_ascii_digit()) {
        for k in [
            IdKind::Cui,
            IdKind::CodiceFiscale,
            IdKind::Passport,
            IdKind::Permit,
        ] {
            v.identifiers.push((k, q.to_string()));
        }
        v.phone = Some(q.to_string());
        // The matcher's check (audited as one) finds records by identifier or phone.
        for c in likely_matches(db, ctx, &v, None).await? {
            if !out.iter().any(|o| o.person.id == c.person.id) {
                out.push(c);
            }
        }
    }
    if !hits.is_empty() {
        audit::record(
            db,
            ctx,
            Event::new("person.search", "person", None).details(
                json!({"results": out.iter().map(|c| c.person.id.clone()).collect::<Vec<_>>()}),
            ),
        )
        .await?;
    }
    Ok(out)
}

/// Records a consent given or withdrawn, with its date and who recorded it.
pub async fn record_consent(
    db: &Db,
    ctx: &Ctx,
    person_id: &str,
    purpose: &str,
    given: bool,
    on: &str,
) -> Result<()> {
    require_person_work(db, ctx, person_id).await?;
    let purpose =
        ConsentPurpose::parse(purpose).ok_or(Error::field("purpose", "field_required"))?;
    let on_date = NaiveDate::parse_from_str(on.trim(), "%Y-%m-%d")
        .map_err(|_| Error::field("on_date", "date_invalid"))?;
    let mut tx = db.begin().await?;
    let id = new_id();
    with_tx!(&mut tx, |c| {
        sqlx::query("INSERT INTO person_consents (id, person_id, purpose, given, on_date, recorded_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)")
            .bind(&id)
            .bind(person_id)
            .bind(purpose.as_str())
            .bind(given)
            .bind(on_date)
            .bind(&ctx.actor.id)
            .bind(Ts::now())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new(
            if given {
                "person.consent_given"
            } else {
                "person.consent_withdrawn"
            },
            "person",
            Some(person_id),
        )
        .details(json!({"purpose": purpose.as_str(), "on": on_date.to_string()})),
    )
    .await?;
    tx.commit().await
}

/// Whether the person's latest word on `purpose` is a yes.
pub async fn has_consent(db: &Db, person_id: &str, purpose: ConsentPurpose) -> Result<bool> {
    let row: Option<(bool,)> = with_pool!(db, |p| {
        sqlx::query_as("SELECT given FROM person_consents WHERE person_id = $1 AND purpose = $2 ORDER BY on_date DESC, created_at DESC LIMIT 1")
            .bind(person_id)
            .bind(purpose.as_str())
            .fetch_optional(p)
            .await
    })
    .map_err(db_err)?;
    Ok(row.is_some_and(|r| r.0))
}

/// One art. 17 vulnerability as read back (decrypted).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct VulnerabilityEntry {
    #[serde(default)]
    pub id: String,
    pub category: String,
    pub noted_on: String,
    pub note: String,
    #[serde(default)]
    pub recorded_by: String,
}

use crate::crypto::keyring;

/// Records a vulnerability, sealed: the database never holds category or note in clear.
pub async fn add_vulnerability(
    db: &Db,
    ctx: &Ctx,
    person_id: &str,
    category: &str,
    noted_on: &str,
    note: &str,
) -> Result<()> {
    ctx.actor.require(Permission::ViewVulnerabilities)?;
    let p = load_person(db, person_id).await?.ok_or(Error::NotFound)?;
    if !vulnerability_reach(db, ctx, &p).await? {
        return Err(Error::Forbidden);
    }
    let cat = Vulnerability::parse(category).ok_or(Error::field("category", "field_required"))?;
    let date = NaiveDate::parse_from_str(noted_on.trim(), "%Y-%m-%d")
        .map_err(|_| Error::field("noted_on", "date_invalid"))?;
    let note = note.trim();
    if note.chars().count() > 2000 {
        return Err(Error::field("note", "field_too_long"));
    }
    let payload =
        json!({"category": cat.as_str(), "noted_on": date.to_string(), "note": note}).to_string();
    let sealed = keyring(db)?.seal(
        &format!("person_vulnerabilities:{person_id}"),
        payload.as_bytes(),
    )?;
    let id = new_id();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query("INSERT INTO person_vulnerabilities (id, person_id, sealed, recorded_by, created_at) VALUES ($1,$2,$3,$4,$5)")
            .bind(&id)
            .bind(person_id)
            .bind(&sealed)
            .bind(&ctx.actor.id)
            .bind(Ts::now())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    // The audit entry names the event, never the category.
    audit::append(
        &mut tx,
        ctx,
        Event::new("person.vulnerability_add", "person", Some(person_id)),
    )
    .await?;
    tx.commit().await
}

/// Whether the actor may read and record a person's vulnerabilities (art. 17, special
/// category): the owning organisation; under the programme-wide grant, with a stated
/// purpose or once a referral of the person is accepted. Never through an access grant or
/// a referral still waiting for its answer: that data stays with the owner.
pub async fn vulnerability_reach(db: &Db, ctx: &Ctx, p: &Person) -> Result<bool> {
    if !ctx.actor.can(Permission::ViewVulnerabilities) {
        return Ok(false);
    }
    if within_own(
        ctx,
        Permission::ViewVulnerabilities,
        &p.owner_org_id,
        Some(&p.created_by),
    ) {
        return Ok(true);
    }
    if ctx.actor.scope_for(Permission::ViewVulnerabilities) != Some(Scope::All) {
        return Ok(false);
    }
    Ok(matches!(
        person_reach(db, ctx, p).await?.via(),
        Some(Via::Purpose(_)) | Some(Via::Referral)
    ))
}

/// Reads (decrypts) a person's vulnerabilities; every read is audited.
pub async fn vulnerabilities(
    db: &Db,
    ctx: &Ctx,
    person_id: &str,
) -> Result<Vec<VulnerabilityEntry>> {
    ctx.actor.require(Permission::ViewVulnerabilities)?;
    let p = load_person(db, person_id).await?.ok_or(Error::NotFound)?;
    if !vulnerability_reach(db, ctx, &p).await? {
        return Err(Error::Forbidden);
    }
    let mut ids = vec![person_id.to_string()];
    ids.extend(p.merged_records.iter().map(|(m, _)| m.clone()));
    let ph = crate::placeholders(ids.len());
    let sql = format!(
        "SELECT id, person_id, sealed, recorded_by FROM person_vulnerabilities WHERE person_id IN ({}) AND removed_at IS NULL ORDER BY created_at",
        ph
    );
    let rows: Vec<(String, String, String, String)> = with_pool!(db, |pool| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
        for i in &ids {
            q = q.bind(i);
        }
        q.fetch_all(pool).await
    })
    .map_err(db_err)?;
    let ring = keyring(db)?;
    let mut out = vec![];
    for (id, owner, sealed, by) in rows {
        // Each value is bound to the record it was written for (it stays there after a merge).
        let plain = ring.open(&format!("person_vulnerabilities:{owner}"), &sealed)?;
        let mut e: VulnerabilityEntry = serde_json::from_slice(&plain).map_err(Error::internal)?;
        e.id = id;
        e.recorded_by = by;
        out.push(e);
    }
    audit::record(
        db,
        ctx,
        Event::new("person.vulnerability_read", "person", Some(person_id)),
    )
    .await?;
    Ok(out)
}

/// The records the actor's scope reaches, newest first (the worker's own register view).
pub async fn list_mine(db: &Db, ctx: &Ctx) -> Result<Vec<Summary>> {
    let scope = ctx.actor.require(Permission::ViewPeople)?;
    let org = match scope {
        Scope::All => String::new(),
        _ => ctx.actor.org_id.clone().unwrap_or_default(),
    };
    // Two texts rather than `($1 = '' OR owner = $1)`, which no index can serve: each
    // walks its index newest first and stops at 50.
    let sql = if org.is_empty() {
        format!(
            "SELECT {SUMMARY_COLUMNS} WHERE p.merged_into IS NULL ORDER BY p.created_at DESC LIMIT 50"
        )
    } else {
        format!(
            "SELECT {SUMMARY_COLUMNS} WHERE p.merged_into IS NULL AND p.owner_org_id = $1 ORDER BY p.created_at DESC LIMIT 50"
        )
    };
    let rows = with_pool!(db, |p| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
        if !org.is_empty() {
            q = q.bind(&org);
        }
        q.fetch_all(p).await
    })
    .map_err(db_err)?;
    audit::record(db, ctx, Event::new("person.list", "person", None)).await?;
    Ok(rows)
}

/// Everything held about a person, for a data-subject access request (GDPR art. 15):
/// the record, identifiers, consents, vulnerabilities (if the actor may read them), merges
/// and cases. The export itself is audited.
pub async fn export(db: &Db, ctx: &Ctx, id: &str) -> Result<serde_json::Value> {
    let e = export_data(db, ctx, id).await?;
    Ok(json!({
        "exported_at": e.exported_at.to_text(),
        "person": e.person,
        "vulnerabilities": match e.vulnerabilities {
            Some(v) => json!(v),
            None => json!("not visible to the exporting organisation"),
        },
        "merges": e.merges,
        "cases": e.cases,
    }))
}

/// Everything the actor's organisation holds about a person, typed (for the readable PDF).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Export {
    pub exported_at: Ts,
    pub person: Person,
    /// None when the exporting organisation may not read them.
    pub vulnerabilities: Option<Vec<VulnerabilityEntry>>,
    pub merges: Vec<Merge>,
    pub cases: Vec<crate::cases::CaseView>,
}

/// Gathers the export; the whole export is audited once (besides each read it makes).
pub async fn export_data(db: &Db, ctx: &Ctx, id: &str) -> Result<Export> {
    let person = get_person(db, ctx, id).await?;
    let vulnerabilities = if ctx.actor.can(Permission::ViewVulnerabilities) {
        match vulnerabilities(db, ctx, id).await {
            Ok(v) => Some(v),
            Err(Error::Forbidden) => None,
            Err(e) => return Err(e),
        }
    } else {
        None
    };
    let merges = merges_into(db, id).await?;
    let mut cases = vec![];
    for c in crate::cases::cases_of_person(db, ctx, id).await? {
        cases.push(crate::cases::get_case(db, ctx, &c.id).await?);
    }
    audit::record(db, ctx, Event::new("person.export", "person", Some(id))).await?;
    Ok(Export {
        exported_at: Ts::now(),
        person,
        vulnerabilities,
        merges,
        cases,
    })
}

/// Erasure on request: the person keeps only what anonymous statistics need (sex, birth
/// year, nationality); names, contacts, identifiers and vulnerabilities are removed. Cases
/// and the audit log keep pointing at the pseudonymised record.
pub async fn pseudonymise(db: &Db, ctx: &Ctx, id: &str) -> Result<()> {
    let p = require_person_work(db, ctx, id).await?;
    // Erasure is the owner's to carry out (or the Prefecture's, with a stated purpose),
    // never an organisation's that was only given access.
    let r = person_reach(db, ctx, &p).await?;
    if matches!(r.via(), Some(Via::Grant(_)) | Some(Via::Referral)) {
        return Err(Error::Forbidden);
    }
    let now = Ts::now();
    let label = format!(
        "{}-{}",
        "PSEUDO",
        id.chars().rev().take(6).collect::<String>()
    );
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| {
        sqlx::query(
            "UPDATE persons SET given_names = '-', family_name = $1, name_original = NULL, aliases = '', \
             birth_month = NULL, birth_day = NULL, \
             birth_precision = CASE WHEN birth_year IS NULL THEN NULL ELSE 'year' END, \
             languages = '', phone = NULL, email = NULL, address = NULL, pseudonymised_at = $2, \
             version = version + 1, updated_at = $2 WHERE id = $3 AND pseudonymised_at IS NULL",
        )
        .bind(&label)
        .bind(now)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    if n == 0 {
        return Err(Error::Conflict);
    }
    // Free text written about the person on their cases goes too: notes, documents, the
    // words of referrals and the details of the timeline. What happened, and when, stays.
    for sql in [
        "DELETE FROM person_identifiers WHERE person_id = $1",
        "DELETE FROM person_vulnerabilities WHERE person_id = $1",
        // What organisations wrote to each other about the person, and the inbox's copy.
        "UPDATE access_requests SET note = '', answer = '' WHERE person_id = $1",
        "UPDATE duplicate_pairs SET note = '', answer = '' WHERE new_id = $1 OR old_id = $1",
        "UPDATE inbox_items SET summary = '' WHERE person_id = $1",
        "DELETE FROM case_notes WHERE case_id IN (SELECT id FROM cases WHERE person_id = $1)",
        "UPDATE case_appointments SET purpose = NULL WHERE case_id IN (SELECT id FROM cases WHERE person_id = $1)",
        "UPDATE referrals SET note = NULL, answer = NULL, outcome = NULL WHERE case_id IN (SELECT id FROM cases WHERE person_id = $1)",
        "UPDATE case_events SET detail = NULL WHERE case_id IN (SELECT id FROM cases WHERE person_id = $1)",
        "UPDATE case_tasks SET title = '-' WHERE case_id IN (SELECT id FROM cases WHERE person_id = $1)",
        // A minor's record keeps its dates (the clock, the statistics) and loses the rest.
        "UPDATE minors SET contact_place = '-', brought_by_detail = NULL, accompanying_adult = NULL, \
         relatives = NULL, needs_sealed = NULL WHERE person_id = $1",
        "UPDATE minor_movements SET note = NULL WHERE minor_id IN (SELECT id FROM minors WHERE person_id = $1)",
        "UPDATE minor_notifications SET reference = NULL WHERE minor_id IN (SELECT id FROM minors WHERE person_id = $1)",
    ] {
        with_tx!(&mut tx, |c| sqlx::query(sql)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))
        .map_err(db_err)?;
    }
    with_tx!(&mut tx, |c| sqlx::query(
        "UPDATE case_documents SET sealed = NULL, title = '-', filename = '-', \
         removed_by = COALESCE(removed_by, $2), removed_at = COALESCE(removed_at, $3) \
         WHERE case_id IN (SELECT id FROM cases WHERE person_id = $1)"
    )
    .bind(id)
    .bind(&ctx.actor.id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("person.pseudonymise", "person", Some(id)),
    )
    .await?;
    tx.commit().await
}
