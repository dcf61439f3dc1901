//! Unaccompanied minors (MSNA) at the hub: intake through the people register, the record
//! that follows the minor to the end of the stay, the notifications the law wants at once,
//! the hub's register of movements, and the legal clock (`domain::minors`).
//!
//! A minor's record is for the hub that took them in: reads need `ViewMinors` on the hub's
//! organisation and each one is audited with its purpose.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use domain::legal::DeadlineState;
use domain::minors::{self as rules, ClockFacts, Deadline};
use domain::policy::Permission;
use domain::{Error, FieldError, Result};
use serde_json::json;

use crate::audit::{self, Event};
use crate::catalogue::legal_rules;
use crate::crypto::keyring;
use crate::db::{Ctx, Db, Tx, db_err};
use crate::people::{PersonInput, birth_display};
use crate::{Ts, new_id, with_pool, with_tx};

/// What the audit log records as the purpose of reading a minor's record.
pub const PURPOSE_CARE: &str = "minor_care";

const MAX_TEXT: usize = 2000;

/// The intake form's own fields, as typed (the person's are a `PersonInput`).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct IntakeInput {
    /// Rome wall-clock time of first contact (`YYYY-MM-DDTHH:MM`).
    pub arrived_at: String,
    pub contact_place: String,
    pub brought_by: String,
    pub brought_by_detail: String,
    pub accompanying_adult: String,
    pub declared_age: String,
    /// Parents or relatives the minor names, and where they are.
    pub relatives: String,
    /// Checkbox: the accompanying adult is willing to act as guardian.
    pub companion_willing: Option<String>,
    pub needs: String,
}

#[derive(Debug, Clone, PartialEq)]
struct IntakeValues {
    arrived_at: NaiveDateTime,
    contact_place: String,
    brought_by: String,
    brought_by_detail: Option<String>,
    accompanying_adult: Option<String>,
    declared_age: Option<i32>,
    relatives: Option<String>,
    companion_willing: bool,
    needs: Option<String>,
}

/// An optional text of at most `max` characters: `None` when empty, a field error in
/// `errs` when too long (the forms of the hub and of the centres' registry share it).
pub(crate) fn optional(
    field: &str,
    v: &str,
    max: usize,
    errs: &mut Vec<FieldError>,
) -> Option<String> {
    let t = v.trim();
    if t.chars().count() > max {
        errs.push(FieldError::new(field, "field_too_long"));
        return None;
    }
    (!t.is_empty()).then(|| t.to_string())
}

impl IntakeInput {
    fn check(&self, now: NaiveDateTime, errs: &mut Vec<FieldError>) -> Option<IntakeValues> {
        let arrived_at = match crate::appointments::parse_when(&self.arrived_at) {
            // A few minutes' grace for a clock set slightly ahead; a later time is a typing slip.
            Ok(t) if t > now + chrono::Duration::minutes(10) => {
                errs.push(FieldError::new("arrived_at", "date_in_future"));
                None
            }
            Ok(t) => Some(t),
            Err(_) => {
                errs.push(FieldError::new("arrived_at", "datetime_invalid"));
                None
            }
        };
        let contact_place =
            match domain::validate::required_text("contact_place", &self.contact_place, 200) {
                Ok(t) => t,
                Err(e) => {
                    errs.push(e);
                    String::new()
                }
            };
        let brought_by = self.brought_by.trim().to_string();
        if !rules::BROUGHT_BY.contains(&brought_by.as_str()) {
            errs.push(FieldError::new("brought_by", "field_invalid_choice"));
        }
        let declared_age = match self.declared_age.trim() {
            "" => None,
            a => match a.parse::<i32>() {
                Ok(n) if (0..18).contains(&n) => Some(n),
                Ok(n) if n >= 18 => {
                    errs.push(FieldError::new("declared_age", "minor_age_adult"));
                    None
                }
                _ => {
                    errs.push(FieldError::new("declared_age", "number_invalid"));
                    None
                }
            },
        };
        // Every field is checked before giving up, so all problems are reported at once.
        let brought_by_detail = optional("brought_by_detail", &self.brought_by_detail, 200, errs);
        let accompanying_adult =
            optional("accompanying_adult", &self.accompanying_adult, 500, errs);
        let relatives = optional("relatives", &self.relatives, MAX_TEXT, errs);
        let needs = optional("needs", &self.needs, MAX_TEXT, errs);
        let values = IntakeValues {
            arrived_at: arrived_at?,
            contact_place,
            brought_by,
            brought_by_detail,
            accompanying_adult,
            declared_age,
            relatives,
            companion_willing: self.companion_willing.is_some(),
            needs,
        };
        errs.is_empty().then_some(values)
    }
}

/// A date typed for a minor's record: not in the future and not before `after` (the
/// arrival, or the day the stay ended). Problems go to `errs`; `None` when empty (an
/// error too if `required`) or refused.
pub(crate) fn date_in(
    field: &str,
    v: &str,
    after: NaiveDate,
    required: bool,
    errs: &mut Vec<FieldError>,
) -> Option<NaiveDate> {
    match crate::cases::parse_date(field, v) {
        Ok(Some(d)) if d > domain::clock::today() => {
            errs.push(FieldError::new(field, "date_in_future"));
            None
        }
        Ok(Some(d)) if d < after => {
            errs.push(FieldError::new(field, "date_before_arrival"));
            None
        }
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            if required {
                errs.push(FieldError::new(field, "field_required"));
            }
            None
        }
        Err(Error::Validation(f)) => {
            errs.extend(f);
            None
        }
        Err(_) => {
            errs.push(FieldError::new(field, "date_invalid"));
            None
        }
    }
}

/// The SQL condition (`AND <column> = $n`) and its value that keep a list to the hubs the
/// actor holds `perm` for: nothing for a national scope, the actor's organisation otherwise.
pub(crate) fn hub_scope(
    ctx: &Ctx,
    perm: Permission,
    column: &str,
    n: usize,
) -> Result<(String, Option<String>)> {
    match ctx.actor.scope_for(perm) {
        Some(domain::account::Scope::All) => Ok((String::new(), None)),
        _ => Ok((
            format!(" AND {column} = ${n}"),
            Some(ctx.actor.org_id.clone().ok_or(Error::Forbidden)?),
        )),
    }
}

/// Whose identity the intake records: someone already in the register (picked from the
/// likely matches) or a new person.
#[derive(Clone, Copy)]
pub enum Identity<'a> {
    Existing(&'a str),
    New(&'a PersonInput),
}

/// The person's form with a declared age turned into an estimated birth year when no date
/// was given ("he says he is 16" on the day of arrival).
pub fn with_declared_age(person: &PersonInput, intake: &IntakeInput) -> PersonInput {
    let mut p = person.clone();
    // Only an age a minor can have: any other number is refused by the intake's own check,
    // and must not reach the arithmetic below.
    let age = intake
        .declared_age
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|a| (0..18).contains(a));
    let year = crate::appointments::parse_when(&intake.arrived_at)
        .map(|t| chrono::Datelike::year(&t))
        .unwrap_or_else(|_| chrono::Datelike::year(&domain::clock::today()));
    if p.birth_date.trim().is_empty()
        && let Some(a) = age
    {
        p.birth_date = (year - a).to_string();
        p.birth_precision = "estimated".into();
    }
    p
}

fn needs_aad(minor_id: &str) -> String {
    format!("minors.needs:{minor_id}")
}

/// Takes a minor in: the person (new or existing), the MSNA record and the entry in the
/// hub's register, in one transaction. Every problem of either form is reported at once.
pub async fn intake(db: &Db, ctx: &Ctx, who: Identity<'_>, input: &IntakeInput) -> Result<String> {
    ctx.actor.require(Permission::EditMinors)?;
    let hub = ctx.actor.org_id.clone().ok_or(Error::Forbidden)?;
    let mut errs = vec![];
    let person = match who {
        Identity::New(p) => match p.check() {
            Ok(v) => Some(v),
            Err(Error::Validation(f)) => {
                errs.extend(f);
                None
            }
            Err(e) => return Err(e),
        },
        Identity::Existing(_) => None,
    };
    let now = domain::clock::rome(chrono::Utc::now());
    let values = input.check(now, &mut errs);
    let values = match values {
        Some(v) if errs.is_empty() => v,
        _ => return Err(Error::Validation(errs)),
    };
    let person_id = match who {
        Identity::Existing(id) => {
            let merged: Option<(Option<String>,)> = with_pool!(db, |p| {
                sqlx::query_as("SELECT merged_into FROM persons WHERE id = $1")
                    .bind(id)
                    .fetch_optional(p)
                    .await
            })
            .map_err(db_err)?;
            match merged {
                Some((None,)) => Some(id.to_string()),
                // A record merged into another: the intake goes to the surviving one.
                Some((Some(into),)) => Some(into),
                None => return Err(Error::field("person_id", "field_invalid_choice")),
            }
        }
        Identity::New(_) => None,
    };
    let id = new_id();
    let sealed_needs = match &values.needs {
        Some(n) => Some(keyring(db)?.seal(&needs_aad(&id), n.as_bytes())?),
        None => None,
    };
    let stamp = Ts::now();
    let mut tx = db.begin().await?;
    let person_id = match (person_id, person) {
        (Some(p), _) => p,
        (None, Some(v)) => crate::people::create_person_in(&mut tx, ctx, &v).await?,
        (None, None) => return Err(Error::field("person_id", "field_required")),
    };
    let inserted = with_tx!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO minors (id, person_id, hub_org_id, arrived_at, arrival_date, contact_place, brought_by, \
             brought_by_detail, accompanying_adult, declared_age, relatives, companion_willing, needs_sealed, status, \
             created_by, version, created_at, updated_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,'present',$14,1,$15,$15)",
        )
        .bind(&id)
        .bind(&person_id)
        .bind(&hub)
        .bind(values.arrived_at)
        .bind(values.arrived_at.date())
        .bind(&values.contact_place)
        .bind(&values.brought_by)
        .bind(&values.brought_by_detail)
        .bind(&values.accompanying_adult)
        .bind(values.declared_age)
        .bind(&values.relatives)
        .bind(values.companion_willing)
        .bind(&sealed_needs)
        .bind(&ctx.actor.id)
        .bind(stamp)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    });
    match inserted {
        Ok(_) => {}
        // The unique index on open stays: this child is already at the hub.
        Err(e) if crate::db::is_unique_violation(&e) => {
            return Err(Error::Duplicate(vec![FieldError::new(
                "person_id",
                "minor_already_present",
            )]));
        }
        Err(e) => return Err(db_err(e)),
    }
    movement_in(&mut tx, ctx, &id, values.arrived_at, "entry", None).await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("minor.intake", "minor", Some(&id)).details(json!({"person": person_id})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub(crate) async fn movement_in(
    tx: &mut Tx,
    ctx: &Ctx,
    minor_id: &str,
    at: NaiveDateTime,
    kind: &str,
    note: Option<&str>,
) -> Result<()> {
    with_tx!(tx, |c| {
        sqlx::query("INSERT INTO minor_movements (id, minor_id, at, kind, note, recorded_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)")
            .bind(new_id())
            .bind(minor_id)
            .bind(at)
            .bind(kind)
            .bind(note)
            .bind(&ctx.actor.id)
            .bind(Ts::now())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)
    .map(|_| ())
}

/// A minor's record with the identity from the register.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Minor {
    pub id: String,
    pub person_id: String,
    pub hub_org_id: String,
    pub hub_org_name: String,
    pub given_names: String,
    pub family_name: String,
    pub name_original: Option<String>,
    pub sex: Option<String>,
    pub birth_year: Option<i32>,
    pub birth_month: Option<i32>,
    pub birth_day: Option<i32>,
    pub birth_precision: Option<String>,
    pub nationality: Option<String>,
    pub languages: String,
    pub arrived_at: NaiveDateTime,
    pub arrival_date: NaiveDate,
    pub contact_place: String,
    pub brought_by: String,
    pub brought_by_detail: Option<String>,
    pub accompanying_adult: Option<String>,
    pub declared_age: Option<i32>,
    pub relatives: Option<String>,
    pub companion_willing: bool,
    #[serde(skip)]
    pub needs_sealed: Option<String>,
    pub status: String,
    pub identified_on: Option<NaiveDate>,
    pub left_on: Option<NaiveDate>,
    /// Siblings share a group (a guardian's limit counts them once).
    pub family_group: Option<String>,
    /// After an absconding: when it was reported to the police and to the juvenile court.
    pub police_report_on: Option<NaiveDate>,
    pub court_report_on: Option<NaiveDate>,
    /// Coming of age: continued support to 21 and the permit's conversion.
    pub continued_support_requested_on: Option<NaiveDate>,
    pub continued_support_decision: Option<String>,
    pub labour_opinion_requested_on: Option<NaiveDate>,
    pub permit_conversion_on: Option<NaiveDate>,
    pub version: i32,
}

impl Minor {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.given_names, self.family_name)
    }

    pub fn birth_display(&self) -> String {
        birth_display(
            self.birth_year,
            self.birth_month,
            self.birth_day,
            self.birth_precision.as_deref(),
        )
    }

    /// Age in whole years on `day`, from the birth date or year as registered.
    pub fn age_on(&self, day: NaiveDate) -> Option<i32> {
        use chrono::Datelike;
        let y = self.birth_year?;
        let mut age = day.year() - y;
        if let (Some(m), Some(d)) = (self.birth_month, self.birth_day)
            && (day.month() as i32, day.day() as i32) < (m, d)
        {
            age -= 1;
        }
        Some(age)
    }
}

pub(crate) const MINOR_COLUMNS: &str = "m.id, m.person_id, m.hub_org_id, o.name AS hub_org_name, p.given_names, p.family_name, \
    p.name_original, p.sex, p.birth_year, p.birth_month, p.birth_day, p.birth_precision, p.nationality, p.languages, \
    m.arrived_at, m.arrival_date, m.contact_place, m.brought_by, m.brought_by_detail, m.accompanying_adult, \
    m.declared_age, m.relatives, m.companion_willing, m.needs_sealed, m.status, m.identified_on, m.left_on, m.family_group, m.police_report_on, \
    m.court_report_on, m.continued_support_requested_on, m.continued_support_decision, m.labour_opinion_requested_on, \
    m.permit_conversion_on, m.version \
    FROM minors m JOIN persons p ON p.id = m.person_id JOIN organisations o ON o.id = m.hub_org_id";

async fn load(db: &Db, id: &str) -> Result<Option<Minor>> {
    let sql = format!("SELECT {MINOR_COLUMNS} WHERE m.id = $1");
    with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id)
        .fetch_optional(p)
        .await)
    .map_err(db_err)
}

/// The minor, if the actor holds `perm` over the hub that has them.
pub(crate) async fn load_for(db: &Db, ctx: &Ctx, id: &str, perm: Permission) -> Result<Minor> {
    ctx.actor.require(perm)?;
    let m = load(db, id).await?.ok_or(Error::NotFound)?;
    if !ctx.actor.reaches(perm, &m.hub_org_id, None) {
        return Err(Error::Forbidden);
    }
    Ok(m)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Notification {
    pub recipient: String,
    pub sent_on: NaiveDate,
    pub reference: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Movement {
    pub at: NaiveDateTime,
    pub kind: String,
    pub note: Option<String>,
    pub recorded_by: String,
    pub recorded_by_name: Option<String>,
}

/// Everything the minor's page shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MinorView {
    pub minor: Minor,
    pub needs: Option<String>,
    pub notifications: Vec<Notification>,
    pub movements: Vec<Movement>,
    pub clock: Vec<Deadline>,
    pub days_in_hub: i64,
    pub can_edit: bool,
    pub care: crate::minor_care::Care,
}

/// The notifications of the minors a `WHERE` clause over `minors m` picks (`$1` bound to
/// `bind` when given): one query, joined rather than a list of ids, which a dashboard of
/// hundreds would bind one by one.
async fn notifications_where(
    db: &Db,
    cond: &str,
    bind: Option<&str>,
) -> Result<Vec<(String, Notification)>> {
    let sql = format!(
        "SELECT n.minor_id, n.recipient, n.sent_on, n.reference FROM minor_notifications n \
         JOIN minors m ON m.id = n.minor_id WHERE {cond}"
    );
    let rows: Vec<(String, String, NaiveDate, Option<String>)> = with_pool!(db, |p| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
        if let Some(b) = bind {
            q = q.bind(b);
        }
        q.fetch_all(p).await
    })
    .map_err(db_err)?;
    Ok(rows
        .into_iter()
        .map(|(m, recipient, sent_on, reference)| {
            (
                m,
                Notification {
                    recipient,
                    sent_on,
                    reference,
                },
            )
        })
        .collect())
}

fn facts(
    m: &Minor,
    notified: &[&Notification],
    age: (Option<NaiveDate>, Option<NaiveDate>),
) -> ClockFacts {
    ClockFacts {
        arrival: m.arrival_date,
        notified: notified
            .iter()
            .map(|n| (n.recipient.clone(), n.sent_on))
            .collect(),
        identified_on: m.identified_on,
        left_on: m.left_on,
        age_order: age.0,
        age_concluded: age.1,
    }
}

/// Checks that the actor may keep this minor's record (before reading a request's body).
pub async fn require_edit(db: &Db, ctx: &Ctx, id: &str) -> Result<()> {
    load_for(db, ctx, id, Permission::EditMinors)
        .await
        .map(|_| ())
}

/// Opens a minor's record for hub staff, audited with its purpose.
pub async fn get_minor(db: &Db, ctx: &Ctx, id: &str) -> Result<MinorView> {
    let m = load_for(db, ctx, id, Permission::ViewMinors).await?;
    let needs = match &m.needs_sealed {
        Some(s) => Some(
            String::from_utf8(keyring(db)?.open(&needs_aad(&m.id), s)?)
                .map_err(|_| Error::internal("sealed needs are not text"))?,
        ),
        None => None,
    };
    let notifications: Vec<Notification> = notifications_where(db, "m.id = $1", Some(&m.id))
        .await?
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    let movements: Vec<Movement> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT v.at, v.kind, v.note, v.recorded_by, u.full_name AS recorded_by_name FROM minor_movements v \
             LEFT JOIN users u ON u.id = v.recorded_by WHERE v.minor_id = $1 ORDER BY v.at, v.created_at",
        )
        .bind(&m.id)
        .fetch_all(p)
        .await
    })
    .map_err(db_err)?;
    let care = crate::minor_care::care_of(db, &m).await?;
    let today = domain::clock::today();
    let all_rules = legal_rules(db).await?;
    let age = care
        .age
        .as_ref()
        .map(|a| (a.order_date, a.concluded_on))
        .unwrap_or_default();
    let mut clock = rules::clock(
        &facts(&m, &notifications.iter().collect::<Vec<_>>(), age),
        &all_rules,
        today,
    );
    // Placed in an adult-centre section: the record follows the minor there, with the
    // section's 90 (+60) days from the day of the transfer.
    let section: Option<(Option<NaiveDate>,)> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT t.completed_on FROM minor_transfers t JOIN centres c ON c.id = t.centre_id \
             WHERE t.minor_id = $1 AND t.status = 'completed' AND c.kind = 'adult_section_minors' \
             ORDER BY t.completed_on DESC LIMIT 1",
        )
        .bind(&m.id)
        .fetch_optional(p)
        .await
    })
    .map_err(db_err)?;
    if let Some((Some(placed),)) = section {
        clock.push(rules::adult_section_term(placed, None, &all_rules, today));
    }
    let read = Ctx {
        purpose: Some(ctx.purpose.clone().unwrap_or_else(|| PURPOSE_CARE.into())),
        ..ctx.clone()
    };
    audit::record(db, &read, Event::new("minor.read", "minor", Some(&m.id))).await?;
    Ok(MinorView {
        days_in_hub: rules::days_in_hub(m.arrival_date, m.left_on, today),
        can_edit: ctx
            .actor
            .reaches(Permission::EditMinors, &m.hub_org_id, None),
        minor: m,
        needs,
        notifications,
        movements,
        clock,
        care,
    })
}

/// One line of the hub dashboard.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HubRow {
    pub minor: Minor,
    pub days_in_hub: i64,
    /// Every term of the clock.
    pub clock: Vec<Deadline>,
    pub worst: DeadlineState,
    /// The terms past due, with their due dates.
    pub overdue: Vec<Deadline>,
    pub due_soon: Vec<Deadline>,
}

/// The minors a `WHERE` clause over `minors m` picks (`$1` bound to `bind` when given),
/// each with their legal clock on `today`: three queries whatever their number (the hub's
/// dashboard; the reports count the terms met over every stay).
pub(crate) async fn with_clocks(
    db: &Db,
    cond: &str,
    bind: Option<&str>,
    today: NaiveDate,
) -> Result<Vec<(Minor, Vec<Deadline>)>> {
    let sql = format!("SELECT {MINOR_COLUMNS} WHERE {cond} ORDER BY m.arrival_date, m.id");
    let minors: Vec<Minor> = with_pool!(db, |p| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
        if let Some(b) = bind {
            q = q.bind(b);
        }
        q.fetch_all(p).await
    })
    .map_err(db_err)?;
    let mut notes: HashMap<String, Vec<Notification>> = HashMap::new();
    for (id, n) in notifications_where(db, cond, bind).await? {
        notes.entry(id).or_default().push(n);
    }
    let ages: HashMap<String, (Option<NaiveDate>, Option<NaiveDate>)> =
        crate::minor_care::age_orders_where(db, cond, bind)
            .await?
            .into_iter()
            .map(|(id, o, c)| (id, (o, c)))
            .collect();
    let all_rules = legal_rules(db).await?;
    Ok(minors
        .into_iter()
        .map(|m| {
            let mine: Vec<&Notification> = notes
                .get(&m.id)
                .map(|v| v.iter().collect())
                .unwrap_or_default();
            let age = ages.get(&m.id).copied().unwrap_or_default();
            let clock = rules::clock(&facts(&m, &mine, age), &all_rules, today);
            (m, clock)
        })
        .collect())
}

/// Every minor present at the hubs the actor sees, those with a term past due first, then
/// those with one due soon, each group by days at the hub (longest first).
pub async fn hub_dashboard(db: &Db, ctx: &Ctx) -> Result<Vec<HubRow>> {
    ctx.actor.require(Permission::ViewMinors)?;
    let (filter, org) = hub_scope(ctx, Permission::ViewMinors, "m.hub_org_id", 1)?;
    let cond = format!("m.status = 'present'{filter}");
    let today = domain::clock::today();
    let rank = |s: DeadlineState| match s {
        DeadlineState::Overdue => 0,
        DeadlineState::DueSoon => 1,
        _ => 2,
    };
    let mut rows: Vec<HubRow> = with_clocks(db, &cond, org.as_deref(), today)
        .await?
        .into_iter()
        .map(|(m, clock)| {
            let pick = |s: DeadlineState| -> Vec<Deadline> {
                clock.iter().filter(|d| d.state == s).cloned().collect()
            };
            HubRow {
                days_in_hub: rules::days_in_hub(m.arrival_date, m.left_on, today),
                worst: rules::worst(&clock),
                overdue: pick(DeadlineState::Overdue),
                due_soon: pick(DeadlineState::DueSoon),
                clock,
                minor: m,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        rank(a.worst)
            .cmp(&rank(b.worst))
            .then(b.days_in_hub.cmp(&a.days_in_hub))
    });
    audit::record(
        db,
        &Ctx {
            purpose: Some(PURPOSE_CARE.into()),
            ..ctx.clone()
        },
        Event::new("minor.list", "minor", None).details(json!({"count": rows.len()})),
    )
    .await?;
    Ok(rows)
}

/// Records that a recipient was notified (once per recipient).
pub async fn record_notification(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    recipient: &str,
    sent_on: &str,
    reference: &str,
) -> Result<()> {
    let m = load_for(db, ctx, id, Permission::EditMinors).await?;
    let mut errs = vec![];
    if !rules::RECIPIENTS.contains(&recipient) {
        errs.push(FieldError::new("recipient", "field_invalid_choice"));
    }
    let sent = date_in("sent_on", sent_on, m.arrival_date, true, &mut errs);
    let reference = optional("reference", reference, 200, &mut errs);
    let sent = match sent {
        Some(s) if errs.is_empty() => s,
        _ => return Err(Error::Validation(errs)),
    };
    let mut tx = db.begin().await?;
    let inserted = with_tx!(&mut tx, |c| {
        sqlx::query("INSERT INTO minor_notifications (id, minor_id, recipient, sent_on, reference, sent_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)")
            .bind(new_id())
            .bind(id)
            .bind(recipient)
            .bind(sent)
            .bind(&reference)
            .bind(&ctx.actor.id)
            .bind(Ts::now())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    });
    match inserted {
        Ok(_) => {}
        Err(e) if crate::db::is_unique_violation(&e) => {
            return Err(Error::Duplicate(vec![FieldError::new(
                "recipient",
                "notification_already_sent",
            )]));
        }
        Err(e) => return Err(db_err(e)),
    }
    audit::append(
        &mut tx,
        ctx,
        Event::new("minor.notified", "minor", Some(id)).details(json!({"recipient": recipient})),
    )
    .await?;
    tx.commit().await
}

/// Records that identification was completed, on a date (a stale form is a conflict).
pub async fn record_identification(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    on: &str,
    version: i32,
) -> Result<()> {
    let m = load_for(db, ctx, id, Permission::EditMinors).await?;
    let day = match crate::cases::parse_date("identified_on", on)? {
        Some(d) if d > domain::clock::today() => {
            return Err(Error::field("identified_on", "date_in_future"));
        }
        Some(d) if d < m.arrival_date => {
            return Err(Error::field("identified_on", "date_before_arrival"));
        }
        Some(d) => d,
        None => return Err(Error::field("identified_on", "field_required")),
    };
    update_versioned(
        db,
        ctx,
        id,
        version,
        "UPDATE minors SET identified_on = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
        day,
        "minor.identified",
    )
    .await
}

async fn update_versioned(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    version: i32,
    sql: &'static str,
    day: NaiveDate,
    action: &str,
) -> Result<()> {
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| {
        sqlx::query(sql)
            .bind(day)
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
    audit::append(&mut tx, ctx, Event::new(action, "minor", Some(id))).await?;
    tx.commit().await
}

/// A movement in the hub's daily register: going out (school, hospital, court) and back.
pub async fn add_movement(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    kind: &str,
    at: &str,
    note: &str,
) -> Result<()> {
    let m = load_for(db, ctx, id, Permission::EditMinors).await?;
    if m.status != "present" {
        return Err(Error::field("kind", "minor_not_present"));
    }
    let mut errs = vec![];
    if !["out", "back"].contains(&kind) {
        errs.push(FieldError::new("kind", "field_invalid_choice"));
    }
    let when = match crate::appointments::parse_when(at) {
        Ok(t) if t < m.arrived_at => {
            errs.push(FieldError::new("at", "date_before_arrival"));
            None
        }
        Ok(t) => Some(t),
        Err(_) => {
            errs.push(FieldError::new("at", "datetime_invalid"));
            None
        }
    };
    let note = optional("movement_note", note, 500, &mut errs);
    let when = match when {
        Some(w) if errs.is_empty() => w,
        _ => return Err(Error::Validation(errs)),
    };
    let mut tx = db.begin().await?;
    movement_in(&mut tx, ctx, id, when, kind, note.as_deref()).await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("minor.movement", "minor", Some(id)).details(json!({"kind": kind})),
    )
    .await?;
    tx.commit().await
}

/// Ends the stay at the hub (transfer, absconding, family found, coming of age, leaving the
/// region): the exit goes in the register and the first-reception term stops.
pub async fn end_stay(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    status: &str,
    on: &str,
    note: &str,
    version: i32,
) -> Result<()> {
    let m = load_for(db, ctx, id, Permission::EditMinors).await?;
    let mut errs = vec![];
    if status == "present" || !rules::STATUSES.contains(&status) {
        errs.push(FieldError::new("status", "field_invalid_choice"));
    }
    let day = date_in("left_on", on, m.arrival_date, true, &mut errs);
    let note = optional("exit_note", note, 500, &mut errs);
    let day = match day {
        Some(d) if errs.is_empty() => d,
        _ => return Err(Error::Validation(errs)),
    };
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| {
        sqlx::query("UPDATE minors SET status = $1, left_on = $2, version = version + 1, updated_at = $3 WHERE id = $4 AND version = $5 AND status = 'present'")
            .bind(status)
            .bind(day)
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
    record_exit(&mut tx, ctx, &m, day, note.as_deref().unwrap_or_default()).await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("minor.stay_ended", "minor", Some(id)).details(json!({"status": status})),
    )
    .await?;
    tx.commit().await
}

/// The final exit in the presence register, on the day the stay ended (not before the
/// arrival), with a note (where the minor went).
pub(crate) async fn record_exit(
    tx: &mut Tx,
    ctx: &Ctx,
    m: &Minor,
    day: NaiveDate,
    note: &str,
) -> Result<()> {
    let at = day.and_time(chrono::NaiveTime::MIN).max(m.arrived_at);
    movement_in(
        tx,
        ctx,
        &m.id,
        at,
        "exit",
        (!note.is_empty()).then_some(note),
    )
    .await
}

/// The minors of a person (a person page links to their record at the hub), for those who
/// may see them.
pub async fn minors_of_person(db: &Db, ctx: &Ctx, person_id: &str) -> Result<Vec<Minor>> {
    if !ctx.actor.can(Permission::ViewMinors) {
        return Ok(vec![]);
    }
    let sql = format!("SELECT {MINOR_COLUMNS} WHERE m.person_id = $1 ORDER BY m.arrived_at DESC");
    let all: Vec<Minor> = with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(person_id)
        .fetch_all(p)
        .await)
    .map_err(db_err)?;
    Ok(all
        .into_iter()
        .filter(|m| {
            ctx.actor
                .reaches(Permission::ViewMinors, &m.hub_org_id, None)
        })
        .collect())
}

/// The minors present at a hub (id and name), for linking siblings; the caller keeps the
/// hub's records.
pub async fn present_at_hub(db: &Db, ctx: &Ctx, hub: &str) -> Result<Vec<(String, String)>> {
    if !ctx.actor.reaches(Permission::EditMinors, hub, None) {
        return Err(Error::Forbidden);
    }
    with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT m.id, p.given_names || ' ' || p.family_name FROM minors m JOIN persons p ON p.id = m.person_id \
             WHERE m.hub_org_id = $1 AND m.status = 'present' ORDER BY p.family_name, p.given_names",
        )
        .bind(hub)
        .fetch_all(p)
        .await
    })
    .map_err(db_err)
}

/// A count as shown to those who see aggregates only: 1 to 4 are shown as "<5", so that a
/// small group (three Eritrean girls) cannot point at a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Count(pub i64);

impl std::fmt::Display for Count {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if (1..5).contains(&self.0) {
            write!(f, "<5")
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// The minors' figures for those who see counts only (analysts): no names, no records.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MinorCounts {
    pub present: Count,
    pub arrived_last_30_days: Count,
    /// Stays ended in the last 30 days, by reason.
    pub ended_last_30_days: Vec<(String, Count)>,
    /// Minors present, by nationality (ISO code, or empty when unknown).
    pub present_by_nationality: Vec<(String, Count)>,
}

pub async fn counts(db: &Db, ctx: &Ctx) -> Result<MinorCounts> {
    ctx.actor.require(Permission::ViewMinorCounts)?;
    let (filter, org) = hub_scope(ctx, Permission::ViewMinorCounts, "m.hub_org_id", 2)?;
    let since = domain::clock::today() - chrono::Duration::days(30);
    let one = |sql: String| {
        let org = org.clone();
        async move {
            let n: (i64,) = with_pool!(db, |p| {
                let q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(since);
                match &org {
                    Some(o) => q.bind(o).fetch_one(p).await,
                    None => q.fetch_one(p).await,
                }
            })
            .map_err(db_err)?;
            Ok::<_, Error>(Count(n.0))
        }
    };
    let groups = |sql: String| {
        let org = org.clone();
        async move {
            let rows: Vec<(Option<String>, i64)> = with_pool!(db, |p| {
                let q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(since);
                match &org {
                    Some(o) => q.bind(o).fetch_all(p).await,
                    None => q.fetch_all(p).await,
                }
            })
            .map_err(db_err)?;
            Ok::<_, Error>(
                rows.into_iter()
                    .map(|(k, n)| (k.unwrap_or_default(), Count(n)))
                    .collect::<Vec<_>>(),
            )
        }
    };
    // `$1` (the date) is bound in every query, so the hub filter is always `$2`.
    let present = one(format!(
        "SELECT COUNT(*) FROM minors m WHERE m.status = 'present' AND $1 = $1{filter}"
    ))
    .await?;
    let arrived = one(format!(
        "SELECT COUNT(*) FROM minors m WHERE m.arrival_date >= $1{filter}"
    ))
    .await?;
    let ended = groups(format!(
        "SELECT m.status, COUNT(*) FROM minors m WHERE m.left_on >= $1{filter} GROUP BY m.status ORDER BY m.status"
    ))
    .await?;
    let by_nationality = groups(format!(
        "SELECT p.nationality, COUNT(*) FROM minors m JOIN persons p ON p.id = m.person_id \
         WHERE m.status = 'present' AND $1 = $1{filter} GROUP BY p.nationality ORDER BY COUNT(*) DESC, p.nationality"
    ))
    .await?;
    audit::record(db, ctx, Event::new("minor.counts_read", "minor", None)).await?;
    Ok(MinorCounts {
        present,
        arrived_last_30_days: arrived,
        ended_last_30_days: ended,
        present_by_nationality: by_nationality,
    })
}

#[cfg(test)]
mod declared_age_tests {
    use super::*;

    #[test]
    fn a_declared_age_no_minor_can_have_leaves_the_birth_date_alone() {
        let person = PersonInput::default();
        for age in ["-2147483648", "2147483647", "-1", "18", "abc"] {
            let intake = IntakeInput {
                declared_age: age.into(),
                arrived_at: "2026-11-20T10:00".into(),
                ..Default::default()
            };
            assert_eq!(with_declared_age(&person, &intake).birth_date, "", "{age}");
        }
        let intake = IntakeInput {
            declared_age: "16".into(),
            arrived_at: "2026-11-20T10:00".into(),
            ..Default::default()
        };
        let p = with_declared_age(&person, &intake);
        assert_eq!(p.birth_date, "2010");
        assert_eq!(p.birth_precision, "estimated");
    }
}
