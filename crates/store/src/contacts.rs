//! The info points' front office: each contact logged in seconds (topics, language, outcome,
//! assisted digital services), anonymous or tied to a person the operator may see, and the
//! day's list of the operator's organisation. A form sent twice is one contact.

use chrono::NaiveDate;
use domain::policy::Permission;
use domain::{Error, FieldError, Result};
use serde_json::json;

use crate::audit::{self, Event};
use crate::db::{Ctx, Db, db_err};
use crate::{Ts, new_id, with_pool, with_tx};

pub const OUTCOMES: &[&str] = &[
    "informed",
    "referred",
    "appointment",
    "case_opened",
    "other",
];

/// Digital services an operator helps with (the digital divide, WP1).
pub const DIGITAL: &[&str] = &["spid", "cie", "online_booking", "pagopa", "permit_status"];

pub const AGE_BANDS: &[&str] = &["0-17", "18-24", "25-34", "35-54", "55+"];

/// A contact as typed. `topics` and `digital` come once per ticked box.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ContactInput {
    pub topics: Vec<String>,
    pub language: String,
    pub outcome: String,
    pub digital: Vec<String>,
    pub person_id: String,
    pub case_id: String,
    pub sex: String,
    pub age_band: String,
    pub nationality: String,
    pub form_token: String,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Contact {
    pub id: String,
    pub contact_on: NaiveDate,
    pub person_id: Option<String>,
    pub person_name: Option<String>,
    pub case_id: Option<String>,
    pub topics: String,
    pub language: String,
    pub outcome: String,
    pub digital: String,
    pub recorded_by: String,
    pub recorded_at: Ts,
}

impl Contact {
    pub fn topic_list(&self) -> Vec<&str> {
        self.topics.split(',').filter(|t| !t.is_empty()).collect()
    }

    pub fn digital_list(&self) -> Vec<&str> {
        self.digital.split(',').filter(|t| !t.is_empty()).collect()
    }
}

fn joined(
    values: &[String],
    allowed: &[String],
    field: &str,
    errs: &mut Vec<FieldError>,
) -> String {
    let mut v: Vec<&str> = values
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if v.iter().any(|x| !allowed.iter().any(|a| a == x)) {
        errs.push(FieldError::new(field, "field_invalid_choice"));
    }
    v.sort_unstable();
    v.dedup();
    v.join(",")
}

/// A contact form that passed every check that needs no database read.
struct Checked {
    topics: String,
    digital: String,
    language: String,
    outcome: String,
    sex: Option<String>,
    age: Option<String>,
    nationality: Option<String>,
    person: Option<String>,
    case: Option<String>,
    token: String,
}

/// The form's own checks (choices, lengths), against the catalogue's topics; field errors
/// go to `errs`.
fn check(i: &ContactInput, topics_allowed: &[String], errs: &mut Vec<FieldError>) -> Checked {
    let topics = joined(&i.topics, topics_allowed, "topics", errs);
    if topics.is_empty() {
        errs.push(FieldError::new("topics", "contact_topic_required"));
    }
    let digital_allowed: Vec<String> = DIGITAL.iter().map(|d| d.to_string()).collect();
    let digital = joined(&i.digital, &digital_allowed, "digital", errs);
    if !domain::languages::is_known(i.language.trim()) && i.language.trim() != "other" {
        errs.push(FieldError::new("language", "field_invalid_choice"));
    }
    if !OUTCOMES.contains(&i.outcome.as_str()) {
        errs.push(FieldError::new("outcome", "field_invalid_choice"));
    }
    let sex = crate::minors::optional("sex", &i.sex, 10, errs);
    if let Some(s) = &sex
        && !["female", "male", "other"].contains(&s.as_str())
    {
        errs.push(FieldError::new("sex", "field_invalid_choice"));
    }
    let age = crate::minors::optional("age_band", &i.age_band, 10, errs);
    if let Some(a) = &age
        && !AGE_BANDS.contains(&a.as_str())
    {
        errs.push(FieldError::new("age_band", "field_invalid_choice"));
    }
    let nationality = crate::minors::optional("nationality", &i.nationality, 80, errs);
    Checked {
        topics,
        digital,
        language: i.language.trim().to_string(),
        outcome: i.outcome.clone(),
        sex,
        age,
        nationality,
        person: (!i.person_id.trim().is_empty()).then(|| i.person_id.trim().to_string()),
        case: (!i.case_id.trim().is_empty()).then(|| i.case_id.trim().to_string()),
        token: i.form_token.trim().to_string(),
    }
}

fn token_ok(token: &str) -> bool {
    (16..=64).contains(&token.trim().len())
}

/// The topics a contact may carry: the catalogue's procedures and "other".
async fn topics_allowed(db: &Db) -> Result<Vec<String>> {
    let mut topics: Vec<String> = crate::catalogue::procedures(db)
        .await?
        .into_iter()
        .map(|p| p.code)
        .collect();
    topics.push("other".into());
    Ok(topics)
}

/// Writes a checked contact of `on` and its audit entry. The insert's own error comes back
/// as is, so that `log` can tell a form sent twice at once.
async fn write_in(
    tx: &mut crate::db::Tx,
    ctx: &Ctx,
    org: &str,
    c: &Checked,
    on: NaiveDate,
) -> std::result::Result<Result<String>, sqlx::Error> {
    let id = new_id();
    with_tx!(&mut *tx, |x| {
        sqlx::query(
        "INSERT INTO contacts (id, org_id, contact_on, person_id, case_id, topics, language, outcome, digital, sex, age_band, \
         nationality, form_token, recorded_by, recorded_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)"
    )
    .bind(&id)
    .bind(org)
    .bind(on)
    .bind(&c.person)
    .bind(&c.case)
    .bind(&c.topics)
    .bind(&c.language)
    .bind(&c.outcome)
    .bind(&c.digital)
    .bind(&c.sex)
    .bind(&c.age)
    .bind(&c.nationality)
    .bind(&c.token)
    .bind(&ctx.actor.id)
    .bind(Ts::now())
    .execute(x)
    .await
    .map(|r| r.rows_affected())
    })?;
    let audited = audit::append(
        tx,
        ctx,
        Event::new("contact.log", "contact", Some(&id))
            .details(json!({"person": c.person, "topics": c.topics, "digital": c.digital})),
    )
    .await;
    Ok(audited.map(|()| id))
}

/// Logs a contact for the actor's organisation; returns its id. The same form sent again
/// (same `form_token`) returns the first contact's id and writes nothing.
pub async fn log(db: &Db, ctx: &Ctx, i: &ContactInput) -> Result<String> {
    ctx.actor.require(Permission::LogContacts)?;
    let org = ctx.actor.org_id.clone().ok_or(Error::Forbidden)?;
    if !token_ok(&i.form_token) {
        return Err(Error::BadRequest);
    }
    let token = i.form_token.trim();
    if let Some(id) = by_token(db, token).await? {
        return Ok(id);
    }
    let mut errs = vec![];
    let c = check(i, &topics_allowed(db).await?, &mut errs);
    if let Some(p) = &c.person {
        // Only someone the operator may see; the person page checks and audits the read.
        crate::people::get_person(db, ctx, p).await?;
    }
    if let Some(k) = &c.case {
        let found = crate::cases::load_case(db, k).await?;
        match (&found, &c.person) {
            (Some(k), Some(p)) if &k.person_id == p => {}
            _ => errs.push(FieldError::new("case_id", "field_invalid_choice")),
        }
    }
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let mut tx = db.begin().await?;
    match write_in(&mut tx, ctx, &org, &c, domain::clock::today()).await {
        Ok(written) => {
            let id = written?;
            tx.commit().await?;
            Ok(id)
        }
        // The same form arriving twice at once: the other one wrote it.
        Err(e) if crate::db::is_unique_violation(&e) => {
            drop(tx);
            by_token(db, token).await?.ok_or(Error::Conflict)
        }
        Err(e) => Err(db_err(e)),
    }
}

/// Logs many contacts of past days in one transaction, with the checks and the audit entry
/// of [`log`]: the generated world's year of front-office work (`sprint seed --scale`),
/// where one transaction per contact would take hours at national scale. The persons are
/// the generator's own registrations for the actor's organisation, so the per-contact read
/// of the person (and its audit entry) that the form makes is left out; the form token of
/// each must be fresh.
pub(crate) async fn log_days(
    db: &Db,
    ctx: &Ctx,
    items: &[(ContactInput, NaiveDate)],
) -> Result<Vec<String>> {
    ctx.actor.require(Permission::LogContacts)?;
    let org = ctx.actor.org_id.clone().ok_or(Error::Forbidden)?;
    let topics = topics_allowed(db).await?;
    let today = domain::clock::today();
    let mut checked = Vec::with_capacity(items.len());
    for (i, on) in items {
        let mut errs = vec![];
        if !token_ok(&i.form_token) || *on > today {
            return Err(Error::BadRequest);
        }
        let c = check(i, &topics, &mut errs);
        if c.case.is_some() {
            errs.push(FieldError::new("case_id", "field_invalid_choice"));
        }
        if !errs.is_empty() {
            return Err(Error::Validation(errs));
        }
        checked.push((c, *on));
    }
    let mut tx = db.begin().await?;
    let mut ids = Vec::with_capacity(checked.len());
    for (c, on) in &checked {
        ids.push(
            write_in(&mut tx, ctx, &org, c, *on)
                .await
                .map_err(db_err)??,
        );
    }
    tx.commit().await?;
    Ok(ids)
}

async fn by_token(db: &Db, token: &str) -> Result<Option<String>> {
    let row: Option<(String,)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT id FROM contacts WHERE form_token = $1"
    )
    .bind(token)
    .fetch_optional(p)
    .await)
    .map_err(db_err)?;
    Ok(row.map(|r| r.0))
}

/// A day at the desk: the totals of every contact logged, and the latest ones in full.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Day {
    pub total: usize,
    /// Assisted digital services (a contact may count several).
    pub digital: usize,
    /// Contacts by topic, most frequent first.
    pub by_topic: Vec<(String, usize)>,
    /// The latest `DAY_SHOWN` contacts, newest first.
    pub recent: Vec<Contact>,
}

/// How many of a day's contacts the front-office page lists in full: a busy desk logs
/// hundreds, and the list is for checking the last few, the totals are for the day.
pub const DAY_SHOWN: usize = 50;

/// The contacts of the actor's organisation on a day: totals of all, the latest in full.
pub async fn day(db: &Db, ctx: &Ctx, on: NaiveDate) -> Result<Day> {
    ctx.actor.require(Permission::LogContacts)?;
    let org = ctx.actor.org_id.clone().unwrap_or_default();
    let sql = format!(
        "SELECT k.id, k.contact_on, k.person_id, \
         CASE WHEN pe.id IS NULL THEN NULL ELSE pe.given_names || ' ' || pe.family_name END AS person_name, \
         k.case_id, k.topics, k.language, k.outcome, k.digital, COALESCE(u.full_name, k.recorded_by) AS recorded_by, k.recorded_at \
         FROM contacts k LEFT JOIN users u ON u.id = k.recorded_by LEFT JOIN persons pe ON pe.id = k.person_id \
         WHERE k.org_id = $1 AND k.contact_on = $2 ORDER BY k.recorded_at DESC LIMIT {DAY_SHOWN}"
    );
    let recent: Vec<Contact> = with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(&org)
        .bind(on)
        .fetch_all(p)
        .await)
    .map_err(db_err)?;
    // Only the two short columns the totals need, for every contact of the day.
    let all: Vec<(String, String)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT topics, digital FROM contacts WHERE org_id = $1 AND contact_on = $2"
    )
    .bind(&org)
    .bind(on)
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    let mut by_topic: Vec<(String, usize)> = vec![];
    let mut digital = 0;
    for (topics, dig) in &all {
        for t in topics.split(',').filter(|t| !t.is_empty()) {
            match by_topic.iter_mut().find(|x| x.0 == t) {
                Some(x) => x.1 += 1,
                None => by_topic.push((t.to_string(), 1)),
            }
        }
        digital += dig.split(',').filter(|d| !d.is_empty()).count();
    }
    by_topic.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(Day {
        total: all.len(),
        digital,
        by_topic,
        recent,
    })
}

/// The language this operator logged last, offered first on the next contact.
pub async fn last_language(db: &Db, ctx: &Ctx) -> Result<Option<String>> {
    let row: Option<(String,)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT language FROM contacts WHERE recorded_by = $1 ORDER BY recorded_at DESC LIMIT 1"
    )
    .bind(&ctx.actor.id)
    .fetch_optional(p)
    .await)
    .map_err(db_err)?;
    Ok(row.map(|r| r.0))
}
