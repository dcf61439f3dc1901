//! The procedure catalogue: procedures with their steps and documents, and the legal terms
//! as versioned rules with their basis and validity dates. Read by cases and the public
//! pages; edited by administrators, every version kept.

use chrono::NaiveDate;
use domain::error::FieldError;
use domain::legal::LegalRule;
use domain::policy::Permission;
use domain::{Error, Result};
use serde_json::json;

use crate::audit::{self, Event};
use crate::db::{Ctx, Db, Tx, db_err};
use crate::{Ts, new_id, with_pool, with_tx};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Procedure {
    pub code: String,
    pub category: String,
    pub name_it: String,
    pub name_en: String,
    pub offices: String,
    pub term_code: Option<String>,
}

impl Procedure {
    pub fn name(&self, lang: &str) -> &str {
        if lang == "it" {
            &self.name_it
        } else {
            &self.name_en
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ProcedureItem {
    pub kind: String,
    pub position: i32,
    pub text_it: String,
    pub text_en: String,
}

pub async fn procedures(db: &Db) -> Result<Vec<Procedure>> {
    with_pool!(db, |p| {
        sqlx::query_as("SELECT code, category, name_it, name_en, offices, term_code FROM procedures WHERE active ORDER BY category, name_it")
            .fetch_all(p)
            .await
    })
    .map_err(db_err)
}

pub async fn procedure_items(db: &Db, code: &str) -> Result<Vec<ProcedureItem>> {
    with_pool!(db, |p| {
        sqlx::query_as("SELECT kind, position, text_it, text_en FROM procedure_items WHERE procedure_code = $1 ORDER BY kind DESC, position")
            .bind(code)
            .fetch_all(p)
            .await
    })
    .map_err(db_err)
}

#[derive(sqlx::FromRow)]
struct RuleRow {
    id: String,
    code: String,
    days: Option<i32>,
    months: Option<i32>,
    extension_months: Option<i32>,
    extension_days: Option<i32>,
    basis: String,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
}

const RULE_COLUMNS: &str = "SELECT id, code, days, months, extension_months, extension_days, basis, valid_from, valid_to FROM legal_rules ORDER BY code, valid_from";

pub async fn legal_rules(db: &Db) -> Result<Vec<LegalRule>> {
    let rows: Vec<RuleRow> =
        with_pool!(db, |p| sqlx::query_as(RULE_COLUMNS).fetch_all(p).await).map_err(db_err)?;
    Ok(rows.into_iter().map(RuleRow::into_rule).collect())
}

/// The rules as a write transaction sees them (with its own changes).
pub(crate) async fn legal_rules_in(tx: &mut Tx) -> Result<Vec<LegalRule>> {
    let rows: Vec<RuleRow> =
        with_tx!(tx, |c| sqlx::query_as(RULE_COLUMNS).fetch_all(c).await).map_err(db_err)?;
    Ok(rows.into_iter().map(RuleRow::into_rule).collect())
}

/// Every procedure's term code, inactive procedures included (a procedure withdrawn from
/// new cases still sets the term of the cases opened under it), as a transaction sees them.
pub(crate) async fn terms_in(
    tx: &mut Tx,
) -> Result<std::collections::HashMap<String, Option<String>>> {
    let rows: Vec<(String, Option<String>)> = with_tx!(tx, |c| sqlx::query_as(
        "SELECT code, term_code FROM procedures"
    )
    .fetch_all(c)
    .await)
    .map_err(db_err)?;
    Ok(rows.into_iter().collect())
}

impl RuleRow {
    fn into_rule(self) -> LegalRule {
        let r = self;
        LegalRule {
            id: r.id,
            code: r.code,
            days: r.days,
            months: r.months,
            extension_months: r.extension_months,
            extension_days: r.extension_days,
            basis: r.basis,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
        }
    }
}

/// A procedure as the catalogue editor sees it, inactive ones included.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ProcedureRecord {
    pub code: String,
    pub category: String,
    pub name_it: String,
    pub name_en: String,
    pub offices: String,
    pub term_code: Option<String>,
    pub active: bool,
    pub version: i32,
}

/// The categories the public pages group procedures by.
pub const CATEGORIES: &[&str] = &[
    "residence",
    "family",
    "work",
    "citizenship",
    "digital",
    "other",
];

/// What the editor sends: steps and documents one per line, in Italian and English, the
/// n-th English line translating the n-th Italian one.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ProcedureInput {
    pub code: String,
    pub category: String,
    pub name_it: String,
    pub name_en: String,
    pub offices: String,
    pub term_code: String,
    pub active: bool,
    pub steps_it: String,
    pub steps_en: String,
    pub documents_it: String,
    pub documents_en: String,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ProcedureVersion {
    pub version: i32,
    pub changed_by: String,
    pub changed_by_name: Option<String>,
    pub changed_at: Ts,
}

const RECORD_COLUMNS: &str =
    "code, category, name_it, name_en, offices, term_code, active, version";

pub async fn all_procedures(db: &Db, ctx: &Ctx) -> Result<Vec<ProcedureRecord>> {
    ctx.actor.require(Permission::ManageCatalogue)?;
    let sql = format!("SELECT {RECORD_COLUMNS} FROM procedures ORDER BY category, name_it");
    with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .fetch_all(p)
        .await)
    .map_err(db_err)
}

/// One procedure with its items and the list of its versions, for the editor.
pub async fn procedure_for_edit(
    db: &Db,
    ctx: &Ctx,
    code: &str,
) -> Result<(ProcedureRecord, Vec<ProcedureItem>, Vec<ProcedureVersion>)> {
    ctx.actor.require(Permission::ManageCatalogue)?;
    let sql = format!("SELECT {RECORD_COLUMNS} FROM procedures WHERE code = $1");
    let rec: ProcedureRecord = with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(code)
        .fetch_optional(p)
        .await)
    .map_err(db_err)?
    .ok_or(Error::NotFound)?;
    let items = procedure_items(db, code).await?;
    let versions = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT v.version, v.changed_by, u.full_name AS changed_by_name, v.changed_at FROM procedure_versions v \
             LEFT JOIN users u ON u.id = v.changed_by WHERE v.procedure_code = $1 ORDER BY v.version DESC",
        )
        .bind(code)
        .fetch_all(p)
        .await
    })
    .map_err(db_err)?;
    Ok((rec, items, versions))
}

/// Who "changed" a version that came with the catalogue and was kept when first edited.
pub const SEEDED_BY: &str = "catalogue-seed";

/// A procedure's content at `version` in the form versions are kept in, and whether that
/// version already has its snapshot. A procedure at another version is a conflict.
async fn current_snapshot(db: &Db, code: &str, version: i32) -> Result<(serde_json::Value, bool)> {
    let sql = format!("SELECT {RECORD_COLUMNS} FROM procedures WHERE code = $1");
    let rec: ProcedureRecord = with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(code)
        .fetch_optional(p)
        .await)
    .map_err(db_err)?
    .ok_or(Error::NotFound)?;
    if rec.version != version {
        return Err(Error::Conflict);
    }
    let items = procedure_items(db, code).await?;
    let texts = |kind: &str, it: bool| -> Vec<String> {
        items
            .iter()
            .filter(|i| i.kind == kind)
            .map(|i| {
                if it {
                    i.text_it.clone()
                } else {
                    i.text_en.clone()
                }
            })
            .collect()
    };
    let recorded: Option<(i32,)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT version FROM procedure_versions WHERE procedure_code = $1 AND version = $2"
    )
    .bind(code)
    .bind(version)
    .fetch_optional(p)
    .await)
    .map_err(db_err)?;
    let snapshot = json!({
        "code": rec.code, "category": rec.category, "name_it": rec.name_it,
        "name_en": rec.name_en, "offices": rec.offices, "term_code": rec.term_code,
        "active": rec.active, "steps_it": texts("step", true), "steps_en": texts("step", false),
        "documents_it": texts("document", true), "documents_en": texts("document", false),
    });
    Ok((snapshot, recorded.is_some()))
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn valid_code(s: &str) -> bool {
    (2..=40).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Creates a procedure (`expected_version` None) or saves a new version of one, refusing a
/// stale version. Every version's full content is kept in `procedure_versions`.
/// What a save did: the version now in force, and whether anything was written (saving
/// the form unchanged makes no new version, so the history lists real changes only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Saved {
    pub version: i32,
    pub changed: bool,
}

pub async fn save_procedure(
    db: &Db,
    ctx: &Ctx,
    input: &ProcedureInput,
    expected_version: Option<i32>,
) -> Result<Saved> {
    ctx.actor.require(Permission::ManageCatalogue)?;
    let mut errors = vec![];
    let code = input.code.trim();
    if !valid_code(code) {
        errors.push(FieldError::new("code", "code_invalid"));
    }
    if !CATEGORIES.contains(&input.category.as_str()) {
        errors.push(FieldError::new("category", "field_required"));
    }
    for (field, v, max) in [
        ("name_it", &input.name_it, 200),
        ("name_en", &input.name_en, 200),
        ("offices", &input.offices, 500),
    ] {
        let n = v.trim().chars().count();
        if n == 0 && field != "offices" {
            errors.push(FieldError::new(field, "field_required"));
        } else if n > max {
            errors.push(FieldError::new(field, "field_too_long"));
        }
    }
    let term = input.term_code.trim();
    if !term.is_empty() && !legal_rules(db).await?.iter().any(|r| r.code == term) {
        errors.push(FieldError::new("term_code", "rule_unknown"));
    }
    let (steps_it, steps_en) = (lines(&input.steps_it), lines(&input.steps_en));
    let (docs_it, docs_en) = (lines(&input.documents_it), lines(&input.documents_en));
    if steps_it.len() != steps_en.len() {
        errors.push(FieldError::new("steps_en", "lines_mismatch"));
    }
    if docs_it.len() != docs_en.len() {
        errors.push(FieldError::new("documents_en", "lines_mismatch"));
    }
    for l in steps_it
        .iter()
        .chain(&steps_en)
        .chain(&docs_it)
        .chain(&docs_en)
    {
        if l.chars().count() > 500 {
            errors.push(FieldError::new("steps_it", "field_too_long"));
            break;
        }
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let term = (!term.is_empty()).then_some(term);
    let snapshot = json!({
        "code": code, "category": input.category, "name_it": input.name_it.trim(),
        "name_en": input.name_en.trim(), "offices": input.offices.trim(), "term_code": term,
        "active": input.active, "steps_it": steps_it, "steps_en": steps_en,
        "documents_it": docs_it, "documents_en": docs_en,
    });
    // The version being replaced, as it stands: an unchanged form writes nothing, and a
    // version seeded with the catalogue (which has no snapshot yet) is kept before it goes.
    let mut base = None;
    if let Some(v) = expected_version {
        let (old, recorded) = current_snapshot(db, code, v).await?;
        if old == snapshot {
            return Ok(Saved {
                version: v,
                changed: false,
            });
        }
        if !recorded {
            base = Some(old);
        }
    }
    let mut tx = db.begin().await?;
    let version = match expected_version {
        None => {
            let exists: Option<(String,)> = with_tx!(&mut tx, |c| {
                sqlx::query_as("SELECT code FROM procedures WHERE code = $1")
                    .bind(code)
                    .fetch_optional(c)
                    .await
            })
            .map_err(db_err)?;
            if exists.is_some() {
                return Err(Error::Duplicate(vec![FieldError::new(
                    "code",
                    "code_taken",
                )]));
            }
            with_tx!(&mut tx, |c| {
                sqlx::query("INSERT INTO procedures (code, category, name_it, name_en, offices, term_code, active, version) VALUES ($1,$2,$3,$4,$5,$6,$7,1)")
                    .bind(code)
                    .bind(&input.category)
                    .bind(input.name_it.trim())
                    .bind(input.name_en.trim())
                    .bind(input.offices.trim())
                    .bind(term)
                    .bind(input.active)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected())
            })
            .map_err(db_err)?;
            1
        }
        Some(v) => {
            let n = with_tx!(&mut tx, |c| {
                sqlx::query("UPDATE procedures SET category = $1, name_it = $2, name_en = $3, offices = $4, term_code = $5, active = $6, version = version + 1 WHERE code = $7 AND version = $8")
                    .bind(&input.category)
                    .bind(input.name_it.trim())
                    .bind(input.name_en.trim())
                    .bind(input.offices.trim())
                    .bind(term)
                    .bind(input.active)
                    .bind(code)
                    .bind(v)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected())
            })
            .map_err(db_err)?;
            if n == 0 {
                return Err(Error::Conflict);
            }
            v + 1
        }
    };
    with_tx!(&mut tx, |c| {
        sqlx::query("DELETE FROM procedure_items WHERE procedure_code = $1")
            .bind(code)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    for (kind, it, en) in [
        ("step", &steps_it, &steps_en),
        ("document", &docs_it, &docs_en),
    ] {
        for (i, (t_it, t_en)) in it.iter().zip(en.iter()).enumerate() {
            with_tx!(&mut tx, |c| {
                sqlx::query("INSERT INTO procedure_items (id, procedure_code, kind, position, text_it, text_en) VALUES ($1,$2,$3,$4,$5,$6)")
                    .bind(new_id())
                    .bind(code)
                    .bind(kind)
                    .bind(i as i32 + 1)
                    .bind(t_it)
                    .bind(t_en)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected())
            })
            .map_err(db_err)?;
        }
    }
    if let (Some(old), Some(v)) = (base, expected_version) {
        with_tx!(&mut tx, |c| {
            sqlx::query("INSERT INTO procedure_versions (id, procedure_code, version, snapshot, changed_by, changed_at) VALUES ($1,$2,$3,$4,$5,$6)")
                .bind(new_id())
                .bind(code)
                .bind(v)
                .bind(old.to_string())
                .bind(SEEDED_BY)
                .bind(Ts::now())
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(db_err)?;
    }
    with_tx!(&mut tx, |c| {
        sqlx::query("INSERT INTO procedure_versions (id, procedure_code, version, snapshot, changed_by, changed_at) VALUES ($1,$2,$3,$4,$5,$6)")
            .bind(new_id())
            .bind(code)
            .bind(version)
            .bind(snapshot.to_string())
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
        Event::new("catalogue.procedure_save", "procedure", Some(code))
            .details(json!({"version": version})),
    )
    .await?;
    // The term may have changed: the procedure's cases take the due date it now gives.
    crate::cases::refresh_due_in(&mut tx, crate::cases::DueScope::Procedure(code)).await?;
    tx.commit().await?;
    Ok(Saved {
        version,
        changed: true,
    })
}

/// A new version of a legal term, as the editor sends it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct RuleInput {
    pub code: String,
    pub days: String,
    pub months: String,
    pub extension_months: String,
    pub extension_days: String,
    pub basis: String,
    pub valid_from: String,
}

fn number(
    field: &'static str,
    s: &str,
    range: std::ops::RangeInclusive<i32>,
    errors: &mut Vec<FieldError>,
) -> Option<i32> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match s.parse::<i32>() {
        Ok(n) if range.contains(&n) => Some(n),
        _ => {
            errors.push(FieldError::new(field, "number_invalid"));
            None
        }
    }
}

/// Adds a version of a legal term from its date of effect. Rules are never edited in
/// place: cases filed before the date keep the term in force when they were filed, so the
/// open-ended previous version is closed the day before.
pub async fn add_rule(db: &Db, ctx: &Ctx, input: &RuleInput) -> Result<String> {
    ctx.actor.require(Permission::ManageCatalogue)?;
    let mut errors = vec![];
    let code = input.code.trim();
    if !valid_code(code) {
        errors.push(FieldError::new("code", "code_invalid"));
    }
    // 0 days is "at once" (a minor's notifications are due the day of arrival).
    let days = number("days", &input.days, 0..=3650, &mut errors);
    let months = number("months", &input.months, 1..=120, &mut errors);
    let extension = number(
        "extension_months",
        &input.extension_months,
        1..=120,
        &mut errors,
    );
    let extension_days = number(
        "extension_days",
        &input.extension_days,
        1..=3650,
        &mut errors,
    );
    if errors.is_empty() && days.is_some() == months.is_some() {
        errors.push(FieldError::new("days", "rule_term_one"));
    }
    // An extension is counted in the unit of the term it extends.
    if extension.is_some() && months.is_none() {
        errors.push(FieldError::new("extension_months", "rule_extension_months"));
    }
    if extension_days.is_some() && days.is_none() {
        errors.push(FieldError::new("extension_days", "rule_extension_days"));
    }
    let basis = input.basis.trim();
    if basis.is_empty() {
        errors.push(FieldError::new("basis", "field_required"));
    } else if basis.chars().count() > 500 {
        errors.push(FieldError::new("basis", "field_too_long"));
    }
    let from = NaiveDate::parse_from_str(input.valid_from.trim(), "%Y-%m-%d");
    if from.is_err() {
        errors.push(FieldError::new("valid_from", "date_invalid"));
    }
    let rules = legal_rules(db).await?;
    let latest = rules
        .iter()
        .filter(|r| r.code == code)
        .map(|r| r.valid_from)
        .max();
    if let (Ok(f), Some(l)) = (from, latest)
        && f <= l
    {
        errors.push(FieldError::new("valid_from", "rule_not_after_previous"));
    }
    let from = match from {
        Ok(f) if errors.is_empty() => f,
        _ => return Err(Error::Validation(errors)),
    };
    let version = rules.iter().filter(|r| r.code == code).count() as i32 + 1;
    let id = new_id();
    let mut tx = db.begin().await?;
    if let Some(day_before) = from.pred_opt() {
        with_tx!(&mut tx, |c| {
            sqlx::query("UPDATE legal_rules SET valid_to = $1 WHERE code = $2 AND (valid_to IS NULL OR valid_to >= $3)")
                .bind(day_before)
                .bind(code)
                .bind(from)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(db_err)?;
    }
    with_tx!(&mut tx, |c| {
        sqlx::query("INSERT INTO legal_rules (id, code, days, months, extension_months, extension_days, basis, valid_from, valid_to, version, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,NULL,$9,$10,$11)")
            .bind(&id)
            .bind(code)
            .bind(days)
            .bind(months)
            .bind(extension)
            .bind(extension_days)
            .bind(basis)
            .bind(from)
            .bind(version)
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
        Event::new("catalogue.rule_add", "legal_rule", Some(&id))
            .details(json!({"code": code, "valid_from": from.to_string()})),
    )
    .await?;
    // Cases filed from the new version's first day take the due date it gives.
    crate::cases::refresh_due_in(&mut tx, crate::cases::DueScope::Term(code)).await?;
    tx.commit().await?;
    Ok(id)
}
