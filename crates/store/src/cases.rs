//! Cases: a person, a procedure of the catalogue, the owning organisation and a worker;
//! status, tasks, the legal deadline computed from the rule in force on the filing date,
//! a timeline, and referrals to other organisations — which need the person's consent to
//! share, and which open the case (read, and work on it once accepted) to the receiver.

use chrono::{Datelike, NaiveDate};
use domain::legal::{DeadlineState, LegalRule, deadline_state, rule_for};
use domain::policy::Permission;
use domain::validate;
use domain::{Error, Result};
use serde_json::json;

use crate::audit::{self, Event};
use crate::catalogue::{Procedure, legal_rules, procedures};
use crate::db::{Ctx, Db, Tx, db_err};
use crate::inbox::{self, Notice, To};
use crate::referrals::{REFERRAL_COLUMNS, Referral};
use crate::{Ts, new_id, with_pool, with_tx};

pub const STATUSES: &[&str] = &["open", "submitted", "waiting", "decided", "closed"];

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct CaseRow {
    pub id: String,
    pub person_id: String,
    pub person_name: String,
    pub procedure_code: String,
    pub owner_org_id: String,
    pub owner_org_name: String,
    pub assigned_to: Option<String>,
    pub status: String,
    pub filed_on: Option<NaiveDate>,
    pub decided_on: Option<NaiveDate>,
    pub version: i32,
    pub created_at: Ts,
    pub procedure_name_it: String,
    pub procedure_name_en: String,
}

impl CaseRow {
    pub fn procedure_name(&self, lang: &str) -> &str {
        if lang == "it" {
            &self.procedure_name_it
        } else {
            &self.procedure_name_en
        }
    }
}

const CASE_COLUMNS: &str = "c.id, c.person_id, p.given_names || ' ' || p.family_name AS person_name, \
    c.procedure_code, c.owner_org_id, o.name AS owner_org_name, c.assigned_to, c.status, c.filed_on, \
    c.decided_on, c.version, c.created_at, pr.name_it AS procedure_name_it, pr.name_en AS procedure_name_en \
    FROM cases c JOIN persons p ON p.id = c.person_id \
    JOIN organisations o ON o.id = c.owner_org_id JOIN procedures pr ON pr.code = c.procedure_code";

/// The legal deadline of a case, with the rule it comes from.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Deadline {
    pub due: NaiveDate,
    pub due_extended: Option<NaiveDate>,
    pub state: DeadlineState,
    pub rule: LegalRule,
}

pub fn deadline(
    case: &CaseRow,
    term_code: Option<&str>,
    rules: &[LegalRule],
    today: NaiveDate,
) -> Option<Deadline> {
    let filed = case.filed_on?;
    let rule = rule_for(rules, term_code?, filed)?;
    let due = rule.due(filed)?;
    let done = matches!(case.status.as_str(), "decided" | "closed");
    Some(Deadline {
        due,
        due_extended: rule.due_extended(filed),
        state: deadline_state(due, today, done),
        rule: rule.clone(),
    })
}

/// Which cases' stored due date to write again.
#[derive(Debug, Clone, Copy)]
pub enum DueScope<'a> {
    Case(&'a str),
    /// The cases of a procedure (its term may have changed).
    Procedure(&'a str),
    /// The cases of the procedures with this term code (a new version of the rule).
    Term(&'a str),
    /// Every case (filling the column in once, after the migration that added it).
    All,
}

/// Writes the legal due date (`cases.due_on`, which orders the worklist) of the cases
/// `which` selects, as the rules in force on each filing date give it, inside the
/// transaction that changed what it depends on. Returns how many changed. Read in batches
/// by id, so that refreshing a whole register does not hold it in memory.
pub async fn refresh_due_in(tx: &mut Tx, which: DueScope<'_>) -> Result<u64> {
    const BATCH: i64 = 2000;
    let terms = crate::catalogue::terms_in(tx).await?;
    let rules = crate::catalogue::legal_rules_in(tx).await?;
    let (filter, code) = match which {
        DueScope::Case(id) => ("c.id = $2", Some(id)),
        DueScope::Procedure(code) => ("c.procedure_code = $2", Some(code)),
        DueScope::Term(code) => (
            "c.procedure_code IN (SELECT pr.code FROM procedures pr WHERE pr.term_code = $2)",
            Some(code),
        ),
        DueScope::All => ("$2 = $2", None),
    };
    let sql = format!(
        "SELECT c.id, c.procedure_code, c.filed_on, c.due_on FROM cases c \
         WHERE c.id > $1 AND {filter} ORDER BY c.id LIMIT {BATCH}"
    );
    let mut after = String::new();
    let mut changed = 0;
    loop {
        let rows: Vec<(String, String, Option<NaiveDate>, Option<NaiveDate>)> =
            with_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(&after)
                .bind(code.unwrap_or_default())
                .fetch_all(c)
                .await)
            .map_err(db_err)?;
        for (id, procedure, filed, stored) in &rows {
            let term = terms.get(procedure).and_then(Option::as_deref);
            let due = filed.and_then(|f| rule_for(&rules, term?, f)?.due(f));
            if due != *stored {
                with_tx!(tx, |c| sqlx::query(
                    "UPDATE cases SET due_on = $1 WHERE id = $2"
                )
                .bind(due)
                .bind(id)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))
                .map_err(db_err)?;
                changed += 1;
            }
        }
        match rows.last() {
            Some((id, ..)) if rows.len() as i64 == BATCH => after = id.clone(),
            _ => return Ok(changed),
        }
    }
}

pub(crate) async fn load_case(db: &Db, id: &str) -> Result<Option<CaseRow>> {
    let sql = format!("SELECT {CASE_COLUMNS} WHERE c.id = $1");
    with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id)
        .fetch_optional(p)
        .await)
    .map_err(db_err)
}

/// How far the actor reaches into a case, in order: not at all; only after stating a
/// purpose (the programme-wide grant, outside the actor's organisation and its referrals);
/// the summary of a referral waiting for the actor's organisation to answer; read; work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reach {
    None,
    NeedsPurpose,
    Summary,
    Read,
    Work,
}

pub(crate) async fn reach(db: &Db, ctx: &Ctx, case: &CaseRow) -> Result<Reach> {
    let actor = &ctx.actor;
    if !actor.can(Permission::ViewCases) {
        return Ok(Reach::None);
    }
    if crate::people::within_own(ctx, Permission::EditCases, &case.owner_org_id, None) {
        return Ok(Reach::Work);
    }
    if crate::people::within_own(ctx, Permission::ViewCases, &case.owner_org_id, None) {
        return Ok(Reach::Read);
    }
    if let Some(org) = actor.org_id.as_deref() {
        let statuses: Vec<(String,)> = with_pool!(db, |p| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT r.status FROM referrals r WHERE r.case_id = $1 AND r.to_org_id = $2 AND {SHARED_REFERRAL}")))
                .bind(&case.id)
                .bind(org)
                .fetch_all(p)
                .await
        })
        .map_err(db_err)?;
        let by_referral = reach_by_referrals(ctx, statuses.iter().map(|s| s.0.as_str()));
        if by_referral != Reach::None {
            return Ok(by_referral);
        }
    }
    if actor.scope_for(Permission::ViewCases) == Some(domain::account::Scope::All)
        && actor.org_id.is_some()
    {
        return Ok(
            match crate::purposes::active(db, ctx, "case", &case.id).await? {
                Some(_) if actor.can(Permission::EditCases) => Reach::Work,
                Some(_) => Reach::Read,
                None => Reach::NeedsPurpose,
            },
        );
    }
    Ok(Reach::None)
}

/// The reach a referral gives its receiver, from the statuses of the referrals of a case
/// that are addressed to the actor's organisation and open it to them: work once accepted,
/// read once completed, and only the summary while the answer is awaited (whatever the
/// receiver's scope: the person consented to a referral, not to being read before it is
/// taken on).
fn reach_by_referrals<'a>(ctx: &Ctx, statuses: impl Iterator<Item = &'a str> + Clone) -> Reach {
    let has = |s: &str| statuses.clone().any(|x| x == s);
    if has("accepted") && ctx.actor.can(Permission::EditCases) {
        Reach::Work
    } else if has("accepted") || has("completed") {
        Reach::Read
    } else if has("requested") {
        Reach::Summary
    } else {
        Reach::None
    }
}

/// The referrals that open a case to their receiver: a request for help while it waits,
/// is worked on and after it is completed (for the record); a hand-over only while it
/// waits for an answer, since once accepted the receiver is the owner.
const SHARED_REFERRAL: &str = "((r.kind = 'referral' AND r.status IN ('requested','accepted','completed')) \
    OR (r.kind = 'transfer' AND r.status = 'requested'))";

/// Whether a person's cases are referred to an organisation, and how far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferralState {
    None,
    /// Only referrals waiting for an answer.
    Waiting,
    /// A referral accepted (or completed).
    Accepted,
}

/// How a person's cases are referred to `org` (which opens the person's record to it).
pub async fn person_referral_state(db: &Db, person_id: &str, org: &str) -> Result<ReferralState> {
    let statuses: Vec<(String,)> = with_pool!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT r.status FROM referrals r JOIN cases c ON c.id = r.case_id \
             WHERE c.person_id = $1 AND r.to_org_id = $2 AND {SHARED_REFERRAL}"
        )))
        .bind(person_id)
        .bind(org)
        .fetch_all(p)
        .await
    })
    .map_err(db_err)?;
    Ok(
        if statuses
            .iter()
            .any(|s| s.0 == "accepted" || s.0 == "completed")
        {
            ReferralState::Accepted
        } else if statuses.is_empty() {
            ReferralState::None
        } else {
            ReferralState::Waiting
        },
    )
}

pub(crate) async fn event(
    tx: &mut Tx,
    ctx: &Ctx,
    case_id: &str,
    kind: &str,
    detail: Option<String>,
) -> Result<()> {
    with_tx!(tx, |c| {
        sqlx::query("INSERT INTO case_events (id, case_id, at, actor_id, kind, detail) VALUES ($1,$2,$3,$4,$5,$6)")
            .bind(new_id())
            .bind(case_id)
            .bind(Ts::now())
            .bind(&ctx.actor.id)
            .bind(kind)
            .bind(detail)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)
    .map(|_| ())
}

/// A required date that is not in the future (a visit, an event, a day's count): `None`
/// with the reason in `errs` otherwise.
pub(crate) fn past_date(
    field: &str,
    v: &str,
    errs: &mut Vec<domain::FieldError>,
) -> Option<NaiveDate> {
    match parse_date(field, v) {
        Ok(Some(d)) if d > domain::clock::today() => {
            errs.push(domain::FieldError::new(field, "date_in_future"));
            None
        }
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            errs.push(domain::FieldError::new(field, "field_required"));
            None
        }
        Err(e) => {
            errs.extend(e.fields().to_vec());
            None
        }
    }
}

pub(crate) fn parse_date(field: &str, s: &str) -> Result<Option<NaiveDate>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| Error::field(field.to_string(), "date_invalid"))
}

/// Opens a case for a person the actor may see, in the actor's organisation.
pub async fn create_case(
    db: &Db,
    ctx: &Ctx,
    person_id: &str,
    procedure_code: &str,
    filed_on: &str,
) -> Result<String> {
    ctx.actor.require(Permission::EditCases)?;
    // Opening the person checks the actor may see them (and audits the read).
    crate::people::get_person(db, ctx, person_id).await?;
    let procs = procedures(db).await?;
    if !procs.iter().any(|p| p.code == procedure_code) {
        return Err(Error::field("procedure", "field_required"));
    }
    let filed = parse_date("filed_on", filed_on)?;
    let org = ctx.actor.org_id.clone().ok_or(Error::Forbidden)?;
    let mut tx = db.begin().await?;
    let id = insert_case_in(&mut tx, ctx, &org, person_id, procedure_code, filed).await?;
    tx.commit().await?;
    Ok(id)
}

/// Writes a new open case whose procedure and filing date the caller checked, with its due
/// date, first event and audit entry.
pub(crate) async fn insert_case_in(
    tx: &mut Tx,
    ctx: &Ctx,
    org: &str,
    person_id: &str,
    procedure_code: &str,
    filed: Option<NaiveDate>,
) -> Result<String> {
    let id = new_id();
    let now = Ts::now();
    with_tx!(&mut *tx, |c| {
        sqlx::query(
            "INSERT INTO cases (id, person_id, procedure_code, owner_org_id, assigned_to, status, filed_on, created_by, version, created_at, updated_at) \
             VALUES ($1,$2,$3,$4,$5,'open',$6,$7,1,$8,$8)",
        )
        .bind(&id)
        .bind(person_id)
        .bind(procedure_code)
        .bind(org)
        .bind((ctx.actor.kind == domain::policy::ActorKind::User).then_some(&ctx.actor.id))
        .bind(filed)
        .bind(&ctx.actor.id)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    refresh_due_in(tx, DueScope::Case(&id)).await?;
    event(tx, ctx, &id, "created", None).await?;
    audit::append(
        tx,
        ctx,
        Event::new("case.create", "case", Some(&id))
            .details(json!({"person": person_id, "procedure": procedure_code})),
    )
    .await?;
    Ok(id)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Task {
    pub id: String,
    pub title: String,
    pub due_on: Option<NaiveDate>,
    pub assigned_to: Option<String>,
    pub assigned_name: Option<String>,
    /// The organisation's queue the task is for, when no one person is named.
    pub assigned_org_name: Option<String>,
    pub done_at: Option<Ts>,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct CaseEvent {
    pub at: Ts,
    pub actor_id: String,
    pub actor_name: Option<String>,
    pub kind: String,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CaseView {
    pub case: CaseRow,
    pub procedure: Option<Procedure>,
    pub deadline: Option<Deadline>,
    pub tasks: Vec<Task>,
    pub events: Vec<CaseEvent>,
    pub referrals: Vec<Referral>,
    pub notes: Vec<crate::case_notes::Note>,
    pub appointments: Vec<crate::appointments::Appointment>,
    pub documents: Vec<crate::case_documents::Document>,
    pub can_work: bool,
    /// The actor's organisation owns the case (it may hand it over).
    pub owned: bool,
    /// A referral waits for the actor's organisation to answer: the view holds only its
    /// summary (person, procedure, what is asked, the consent given), no notes,
    /// documents, tasks or timeline.
    pub summary_only: bool,
    /// The day of the person's latest yes to sharing for referrals (shown with a summary).
    pub consent_on: Option<NaiveDate>,
}

/// The error for a reach short of what was asked.
pub(crate) fn reach_error(r: Reach) -> Error {
    match r {
        Reach::NeedsPurpose => Error::PurposeRequired,
        _ => Error::Forbidden,
    }
}

/// A case as its page shows it, if the actor may see it; the read is audited.
pub async fn get_case(db: &Db, ctx: &Ctx, id: &str) -> Result<CaseView> {
    ctx.actor.require(Permission::ViewCases)?;
    let case = load_case(db, id).await?.ok_or(Error::NotFound)?;
    let r = reach(db, ctx, &case).await?;
    if r < Reach::Summary {
        return Err(reach_error(r));
    }
    if r == Reach::Summary {
        return case_summary(db, ctx, case).await;
    }
    let procs = procedures(db).await?;
    let procedure = procs.into_iter().find(|p| p.code == case.procedure_code);
    let rules = legal_rules(db).await?;
    let today = domain::clock::today();
    let deadline = deadline(
        &case,
        procedure.as_ref().and_then(|p| p.term_code.as_deref()),
        &rules,
        today,
    );
    let tasks = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT t.id, t.title, t.due_on, t.assigned_to, u.full_name AS assigned_name, o.name AS assigned_org_name, \
             t.done_at FROM case_tasks t LEFT JOIN users u ON u.id = t.assigned_to \
             LEFT JOIN organisations o ON o.id = t.assigned_org_id \
             WHERE t.case_id = $1 ORDER BY t.done_at IS NOT NULL, t.due_on, t.created_at",
        )
        .bind(id)
        .fetch_all(p)
        .await
    })
    .map_err(db_err)?;
    let events = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT e.at, e.actor_id, u.full_name AS actor_name, e.kind, e.detail FROM case_events e \
             LEFT JOIN users u ON u.id = e.actor_id WHERE e.case_id = $1 ORDER BY e.at",
        )
        .bind(id)
        .fetch_all(p)
        .await
    })
    .map_err(db_err)?;
    let sql = format!("SELECT {REFERRAL_COLUMNS} WHERE r.case_id = $1 ORDER BY r.created_at");
    let referrals = with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id)
        .fetch_all(p)
        .await)
    .map_err(db_err)?;
    let notes = crate::case_notes::notes_of(db, id).await?;
    let appointments = crate::appointments::of_case(db, id).await?;
    let documents = crate::case_documents::of_case(db, id).await?;
    let purpose = if ctx.actor.org_id.as_deref() != Some(case.owner_org_id.as_str()) {
        crate::purposes::active(db, ctx, "case", id).await?
    } else {
        None
    };
    audit::record(
        db,
        ctx,
        Event::new("case.read", "case", Some(id)).details(match purpose {
            Some(p) => json!({"via": "purpose", "purpose": p}),
            None => json!({}),
        }),
    )
    .await?;
    Ok(CaseView {
        summary_only: false,
        consent_on: None,
        owned: ctx.actor.org_id.as_deref() == Some(case.owner_org_id.as_str()),
        case,
        procedure,
        deadline,
        tasks,
        events,
        referrals,
        notes,
        appointments,
        documents,
        can_work: r == Reach::Work,
    })
}

/// What a receiving organisation reads of a case before it accepts the referral: the
/// person's name (in the case row), the procedure and its term, the referral with what is
/// asked, and the day the person consented to sharing. Audited as a summary read.
async fn case_summary(db: &Db, ctx: &Ctx, case: CaseRow) -> Result<CaseView> {
    let procs = procedures(db).await?;
    let procedure = procs.into_iter().find(|p| p.code == case.procedure_code);
    let rules = legal_rules(db).await?;
    let deadline = deadline(
        &case,
        procedure.as_ref().and_then(|p| p.term_code.as_deref()),
        &rules,
        domain::clock::today(),
    );
    let sql = format!(
        "SELECT {REFERRAL_COLUMNS} WHERE r.case_id = $1 AND r.to_org_id = $2 ORDER BY r.created_at"
    );
    let referrals = with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(&case.id)
        .bind(ctx.actor.org_id.clone().unwrap_or_default())
        .fetch_all(p)
        .await)
    .map_err(db_err)?;
    let consent_on: Option<(bool, NaiveDate)> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT given, on_date FROM person_consents WHERE person_id = $1 AND purpose = 'share_for_referral' \
             ORDER BY on_date DESC, created_at DESC LIMIT 1",
        )
        .bind(&case.person_id)
        .fetch_optional(p)
        .await
    })
    .map_err(db_err)?;
    audit::record(
        db,
        ctx,
        Event::new("case.read_summary", "case", Some(&case.id)),
    )
    .await?;
    Ok(CaseView {
        owned: false,
        procedure,
        deadline,
        tasks: vec![],
        events: vec![],
        referrals,
        notes: vec![],
        appointments: vec![],
        documents: vec![],
        can_work: false,
        summary_only: true,
        consent_on: consent_on.filter(|c| c.0).map(|c| c.1),
        case,
    })
}

/// The case, if the actor may work on it (else `Forbidden`, or `NotFound`).
pub async fn require_work(db: &Db, ctx: &Ctx, id: &str) -> Result<CaseRow> {
    ctx.actor.require(Permission::EditCases)?;
    let case = load_case(db, id).await?.ok_or(Error::NotFound)?;
    match reach(db, ctx, &case).await? {
        Reach::Work => Ok(case),
        r => Err(reach_error(r)),
    }
}

/// Changes the status (and filing or decision date), refusing a stale version.
pub async fn update_status(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    version: i32,
    status: &str,
    filed_on: &str,
    decided_on: &str,
) -> Result<()> {
    let case = require_work(db, ctx, id).await?;
    if !STATUSES.contains(&status) {
        return Err(Error::field("status", "field_required"));
    }
    let filed = parse_date("filed_on", filed_on)?;
    let decided = parse_date("decided_on", decided_on)?;
    let mut tx = db.begin().await?;
    set_status_in(
        &mut tx,
        ctx,
        id,
        version,
        &case.status,
        status,
        filed,
        decided,
    )
    .await?;
    tx.commit().await
}

/// Writes a checked status change over `version` (else `Conflict`), with the due date, an
/// event when the status moved from `old_status`, and the audit entry.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn set_status_in(
    tx: &mut Tx,
    ctx: &Ctx,
    id: &str,
    version: i32,
    old_status: &str,
    status: &str,
    filed: Option<NaiveDate>,
    decided: Option<NaiveDate>,
) -> Result<()> {
    let n = with_tx!(&mut *tx, |c| {
        sqlx::query("UPDATE cases SET status = $1, filed_on = $2, decided_on = $3, version = version + 1, updated_at = $4 WHERE id = $5 AND version = $6")
            .bind(status)
            .bind(filed)
            .bind(decided)
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
    refresh_due_in(tx, DueScope::Case(id)).await?;
    if old_status != status {
        event(tx, ctx, id, "status", Some(status.to_string())).await?;
    }
    audit::append(
        tx,
        ctx,
        Event::new("case.update", "case", Some(id)).details(json!({"status": status})),
    )
    .await
}

/// Who does a task: one user, or an organisation's queue (any of its case workers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assignee {
    User(String),
    Queue(String),
}

impl Assignee {
    /// Reads the form's value: `user:ID`, `org:ID`, or empty (nobody named).
    pub fn parse(s: &str) -> Result<Option<Assignee>> {
        match s.trim().split_once(':') {
            None if s.trim().is_empty() => Ok(None),
            Some(("user", id)) if !id.is_empty() => Ok(Some(Assignee::User(id.to_string()))),
            Some(("org", id)) if !id.is_empty() => Ok(Some(Assignee::Queue(id.to_string()))),
            _ => Err(Error::field("assignee", "field_invalid_choice")),
        }
    }
}

/// Who may be given a task on a case: the organisations working on it (the owner, and
/// those that accepted a referral) as queues, and their users who work on cases.
/// (value for the form, label, organisation name)
pub async fn assignees(db: &Db, case_id: &str) -> Result<Vec<(String, String, String)>> {
    let orgs: Vec<(String, String)> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT o.id, o.name FROM organisations o WHERE o.id IN \
             (SELECT owner_org_id FROM cases WHERE id = $1 \
              UNION SELECT to_org_id FROM referrals WHERE case_id = $1 AND kind = 'referral' AND status = 'accepted') \
             ORDER BY o.name",
        )
        .bind(case_id)
        .fetch_all(p)
        .await
    })
    .map_err(db_err)?;
    let mut out = vec![];
    for (org_id, org_name) in orgs {
        out.push((format!("org:{org_id}"), org_name.clone(), org_name.clone()));
        let users: Vec<(String, String, String, String)> = with_pool!(db, |p| {
            sqlx::query_as(
                "SELECT u.id, u.full_name, r.role, r.scope FROM users u JOIN user_roles r ON r.user_id = u.id \
                 WHERE u.org_id = $1 AND u.active ORDER BY u.full_name",
            )
            .bind(&org_id)
            .fetch_all(p)
            .await
        })
        .map_err(db_err)?;
        for (id, name, role, _) in &users {
            let works = domain::account::Role::parse(role).is_some_and(|r| {
                domain::policy::role_permissions(r).contains(&Permission::EditCases)
            });
            let value = format!("user:{id}");
            if works && !out.iter().any(|(v, _, _)| *v == value) {
                out.push((value, name.clone(), org_name.clone()));
            }
        }
    }
    Ok(out)
}

/// Adds a task (for example a missing document, for the referring operator), for a user
/// or an organisation's queue working on the case; they find it in their inbox.
pub async fn add_task(
    db: &Db,
    ctx: &Ctx,
    case_id: &str,
    title: &str,
    due_on: &str,
    assignee: &str,
) -> Result<String> {
    let case = require_work(db, ctx, case_id).await?;
    let mut errs = vec![];
    let title = validate::required_text("title", title, 300)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let due = parse_date("due_on", due_on)
        .map_err(|e| errs.extend(e.fields().to_vec()))
        .unwrap_or_default();
    let who = Assignee::parse(assignee)
        .map_err(|e| errs.extend(e.fields().to_vec()))
        .unwrap_or_default();
    if let Some(w) = &who {
        let value = match w {
            Assignee::User(id) => format!("user:{id}"),
            Assignee::Queue(id) => format!("org:{id}"),
        };
        if !assignees(db, case_id)
            .await?
            .iter()
            .any(|(v, _, _)| *v == value)
        {
            errs.push(domain::FieldError::new("assignee", "task_assignee_invalid"));
        }
    }
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let mut tx = db.begin().await?;
    let id = add_task_in(&mut tx, ctx, case_id, &title, due, who.as_ref()).await?;
    if let Some(w) = &who {
        let to = match w {
            Assignee::User(u) => To::User(u),
            Assignee::Queue(o) => To::Queue(o, Permission::EditCases),
        };
        inbox::notify(
            &mut tx,
            ctx,
            Notice::new(
                "task",
                to,
                "case_task",
                &id,
                format!("/cases/{case_id}#tasks"),
            )
            .person(&case.person_id)
            .from(ctx.actor.org_id.as_deref())
            .summary(title.clone())
            .due(due),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Writes a checked task with its event and audit entry.
pub(crate) async fn add_task_in(
    tx: &mut Tx,
    ctx: &Ctx,
    case_id: &str,
    title: &str,
    due: Option<NaiveDate>,
    assigned: Option<&Assignee>,
) -> Result<String> {
    let tid = new_id();
    let (user, org) = match assigned {
        Some(Assignee::User(u)) => (Some(u.as_str()), None),
        Some(Assignee::Queue(o)) => (None, Some(o.as_str())),
        None => (None, None),
    };
    with_tx!(&mut *tx, |c| {
        sqlx::query("INSERT INTO case_tasks (id, case_id, title, due_on, assigned_to, assigned_org_id, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)")
            .bind(&tid)
            .bind(case_id)
            .bind(title)
            .bind(due)
            .bind(user)
            .bind(org)
            .bind(&ctx.actor.id)
            .bind(Ts::now())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    event(tx, ctx, case_id, "task", Some(title.to_string())).await?;
    audit::append(tx, ctx, Event::new("case.task_add", "case", Some(case_id))).await?;
    Ok(tid)
}

pub async fn complete_task(db: &Db, ctx: &Ctx, case_id: &str, task_id: &str) -> Result<()> {
    require_work(db, ctx, case_id).await?;
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| {
        sqlx::query("UPDATE case_tasks SET done_at = $1, done_by = $2 WHERE id = $3 AND case_id = $4 AND done_at IS NULL")
            .bind(Ts::now())
            .bind(&ctx.actor.id)
            .bind(task_id)
            .bind(case_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    if n == 0 {
        return Err(Error::Conflict);
    }
    inbox::resolve(&mut tx, ctx, "case_task", task_id, &["task"]).await?;
    event(&mut tx, ctx, case_id, "task_done", None).await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("case.task_done", "case", Some(case_id)),
    )
    .await?;
    tx.commit().await
}

/// A row of the worker's list.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WorkItem {
    pub case: CaseRow,
    pub procedure_name: String,
    pub deadline: Option<Deadline>,
    pub open_tasks: i64,
    pub overdue_tasks: i64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Worklist {
    /// The first `WORKLIST_PAGE` open cases in the order the list gives.
    pub cases: Vec<WorkItem>,
    /// Open cases the actor sees, listed or not.
    pub total: i64,
    /// Of those, the cases whose legal term has passed.
    pub overdue: i64,
    pub incoming: Vec<Referral>,
    /// Planned appointments of the listed cases from today for a week.
    pub appointments: Vec<crate::appointments::Appointment>,
}

/// How many cases the worklist shows: a day's work and more, not a register.
pub const WORKLIST_PAGE: usize = 100;

/// The condition that limits cases to those the actor sees: all of them, or the
/// organisation's own and those referred to it and accepted. `n` is the placeholder the
/// organisation is bound to.
/// The same condition in disjoint parts, one query each: the organisation's own cases (read
/// in order from the partial indexes on `owner_org_id`), and the accepted referrals it does
/// not own. One `OR` made SQLite read every open case of a Prefecture (14,000 at Rome
/// scale) and sort them, 40 ms a query.
fn scope_parts(all: bool, n: usize) -> Vec<String> {
    if all {
        vec![String::new()]
    } else {
        vec![
            format!(" AND c.owner_org_id = ${n}"),
            format!(
                " AND c.owner_org_id <> ${n} AND c.id IN (SELECT r.case_id FROM referrals r \
                 WHERE r.to_org_id = ${n} AND r.kind = 'referral' AND r.status = 'accepted')"
            ),
        ]
    }
}

fn scope_sql(all: bool, n: usize) -> String {
    if all {
        String::new()
    } else {
        format!(
            " AND (c.owner_org_id = ${n} OR c.id IN (SELECT r.case_id FROM referrals r \
             WHERE r.to_org_id = ${n} AND r.kind = 'referral' AND r.status = 'accepted'))"
        )
    }
}

/// Cases by a query whose placeholders are the optional `date` then the organisation (when
/// the scope is not everything).
async fn cases_where(
    db: &Db,
    sql: &str,
    date: Option<NaiveDate>,
    org: Option<&str>,
) -> Result<Vec<CaseRow>> {
    with_pool!(db, |p| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()));
        if let Some(d) = date {
            q = q.bind(d);
        }
        if let Some(o) = org {
            q = q.bind(o.to_string());
        }
        q.fetch_all(p).await
    })
    .map_err(db_err)
}

async fn count_where(
    db: &Db,
    sql: &str,
    date: Option<NaiveDate>,
    org: Option<&str>,
) -> Result<i64> {
    with_pool!(db, |p| {
        let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()));
        if let Some(d) = date {
            q = q.bind(d);
        }
        if let Some(o) = org {
            q = q.bind(o.to_string());
        }
        q.fetch_one(p).await
    })
    .map_err(db_err)
}

/// Deadline and tasks of each case, with their procedure's name.
async fn work_items(
    db: &Db,
    cases: Vec<CaseRow>,
    tasks: &[(String, Option<NaiveDate>)],
    lang: &str,
    today: NaiveDate,
) -> Result<Vec<WorkItem>> {
    let procs = procedures(db).await?;
    let rules = legal_rules(db).await?;
    let mut tasks_of: std::collections::HashMap<&str, Vec<Option<NaiveDate>>> =
        std::collections::HashMap::new();
    for (case_id, due) in tasks {
        tasks_of.entry(case_id.as_str()).or_default().push(*due);
    }
    Ok(cases
        .into_iter()
        .map(|c| {
            let proc_ = procs.iter().find(|p| p.code == c.procedure_code);
            let deadline = deadline(
                &c,
                proc_.and_then(|p| p.term_code.as_deref()),
                &rules,
                today,
            );
            let mine: &[Option<NaiveDate>] = tasks_of.get(c.id.as_str()).map_or(&[], Vec::as_slice);
            WorkItem {
                procedure_name: proc_
                    .map(|p| p.name(lang).to_string())
                    .unwrap_or_else(|| c.procedure_name(lang).to_string()),
                open_tasks: mine.len() as i64,
                overdue_tasks: mine.iter().filter(|d| d.is_some_and(|d| d < today)).count() as i64,
                deadline,
                case: c,
            }
        })
        .collect())
}

/// The worker's list: open cases of the organisation in scope and cases referred to it,
/// deadlines first (overdue, then due soon), then cases with a task overdue, then the other
/// terms by date, then the rest newest first; and the referrals waiting for an answer.
///
/// At Rome scale an organisation has tens of thousands of open cases, so the list is the
/// first `WORKLIST_PAGE` of that order, taken from three indexed queries (by stored due
/// date, by overdue task, newest without a running term) that each return at most a page:
/// whatever the page holds is among them, since each query returns its part in the list's
/// own order.
pub async fn worklist(db: &Db, ctx: &Ctx, lang: &str) -> Result<Worklist> {
    let scope = ctx.actor.require(Permission::ViewCases)?;
    let org = ctx.actor.org_id.clone().unwrap_or_default();
    let all = matches!(scope, domain::account::Scope::All);
    let org_arg = (!all).then_some(org.as_str());
    let today = domain::clock::today();
    let page = WORKLIST_PAGE;
    let running = "c.due_on IS NOT NULL AND c.status NOT IN ('decided','closed')";
    let mut cases: Vec<CaseRow> = vec![];
    let (mut total, mut overdue) = (0, 0);
    for (s1, s2) in scope_parts(all, 1).iter().zip(scope_parts(all, 2)) {
        let by_due = format!(
            // By due date alone, as the index is ordered (ties are ordered in memory).
            "SELECT {CASE_COLUMNS} WHERE {running}{s1} ORDER BY c.due_on LIMIT {page}"
        );
        let by_task = format!(
            "SELECT {CASE_COLUMNS} WHERE c.status <> 'closed'{s2} AND c.id IN \
             (SELECT t.case_id FROM case_tasks t WHERE t.done_at IS NULL AND t.due_on < $1) \
             ORDER BY c.due_on IS NULL, c.due_on, c.created_at LIMIT {page}"
        );
        let rest = format!(
            "SELECT {CASE_COLUMNS} WHERE c.status <> 'closed' AND (c.due_on IS NULL OR c.status = 'decided'){s1} \
             ORDER BY c.created_at DESC LIMIT {page}"
        );
        for c in cases_where(db, &by_due, None, org_arg)
            .await?
            .into_iter()
            .chain(cases_where(db, &by_task, Some(today), org_arg).await?)
            .chain(cases_where(db, &rest, None, org_arg).await?)
        {
            if !cases.iter().any(|k| k.id == c.id) {
                cases.push(c);
            }
        }
        total += count_where(
            db,
            &format!("SELECT COUNT(*) FROM cases c WHERE c.status <> 'closed'{s1}"),
            None,
            org_arg,
        )
        .await?;
        overdue += count_where(
            db,
            &format!("SELECT COUNT(*) FROM cases c WHERE {running} AND c.due_on < $1{s2}"),
            Some(today),
            org_arg,
        )
        .await?;
    }
    // Open tasks of the cases found (a few hundred at most).
    let tasks: Vec<(String, Option<NaiveDate>)> = if cases.is_empty() {
        vec![]
    } else {
        let sql = format!(
            "SELECT case_id, due_on FROM case_tasks WHERE done_at IS NULL AND case_id IN ({})",
            crate::placeholders(cases.len())
        );
        with_pool!(db, |p| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for c in &cases {
                q = q.bind(&c.id);
            }
            q.fetch_all(p).await
        })
        .map_err(db_err)?
    };
    let mut items = work_items(db, cases, &tasks, lang, today).await?;
    let rank = |w: &WorkItem| match w.deadline.as_ref().map(|d| d.state) {
        Some(DeadlineState::Overdue) => 0,
        Some(DeadlineState::DueSoon) => 1,
        _ if w.overdue_tasks > 0 => 2,
        Some(DeadlineState::Ok) => 3,
        _ => 4,
    };
    // Within a rank by due date (cases without one last), the rest newest first.
    items.sort_by(|a, b| {
        let due = |w: &WorkItem| {
            (rank(w) < 4)
                .then(|| w.deadline.as_ref().map(|d| d.due))
                .flatten()
        };
        rank(a)
            .cmp(&rank(b))
            .then(due(a).is_none().cmp(&due(b).is_none()))
            .then(due(a).cmp(&due(b)))
            .then(b.case.created_at.cmp(&a.case.created_at))
    });
    items.truncate(page);
    let sql = format!(
        "SELECT {REFERRAL_COLUMNS} WHERE r.to_org_id = $1 AND r.status = 'requested' ORDER BY r.created_at"
    );
    let incoming = with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(&org)
        .fetch_all(p)
        .await)
    .map_err(db_err)?;
    let ids: Vec<String> = items.iter().map(|i| i.case.id.clone()).collect();
    let from = today.and_time(chrono::NaiveTime::MIN);
    let appointments = crate::appointments::planned_between(
        db,
        &ids,
        from,
        from + chrono::Duration::days(domain::legal::DUE_SOON_DAYS + 1),
    )
    .await?;
    audit::record(db, ctx, Event::new("case.list", "case", None)).await?;
    Ok(Worklist {
        cases: items,
        total,
        overdue,
        incoming,
        appointments,
    })
}

/// The cases of one person the actor may see (for the person's page).
pub async fn cases_of_person(db: &Db, ctx: &Ctx, person_id: &str) -> Result<Vec<CaseRow>> {
    if !ctx.actor.can(Permission::ViewCases) {
        return Ok(vec![]);
    }
    let sql = format!("SELECT {CASE_COLUMNS} WHERE c.person_id = $1 ORDER BY c.created_at DESC");
    let rows: Vec<CaseRow> = with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(person_id)
        .fetch_all(p)
        .await)
    .map_err(db_err)?;
    // The referrals to the actor's organisation for all of them in one query, not one per
    // case (the person page lists every case).
    let shared: Vec<(String, String)> = match ctx.actor.org_id.as_deref() {
        Some(org) if !rows.is_empty() => with_pool!(db, |p| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT r.case_id, r.status FROM referrals r JOIN cases c ON c.id = r.case_id \
                 WHERE c.person_id = $1 AND r.to_org_id = $2 AND {SHARED_REFERRAL}"
            )))
            .bind(person_id)
            .bind(org)
            .fetch_all(p)
            .await
        })
        .map_err(db_err)?,
        _ => vec![],
    };
    Ok(rows
        .into_iter()
        .filter(|c| {
            // Listed when the actor may open it (a summary included); under the
            // programme-wide grant, the page asks for a purpose on opening.
            if ctx
                .actor
                .reaches(Permission::ViewCases, &c.owner_org_id, None)
            {
                return true;
            }
            let statuses = shared
                .iter()
                .filter(|(id, _)| *id == c.id)
                .map(|(_, s)| s.as_str());
            reach_by_referrals(ctx, statuses) != Reach::None
        })
        .collect())
}

/// The citizenship office's view: applications by filing date with their term under the
/// regime of their filing date, and the backlog (applications pending) at each month's end.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CitizenshipView {
    pub rows: Vec<WorkItem>,
    /// (month "YYYY-MM", applications pending at its end)
    pub backlog: Vec<(String, i64)>,
    pub overdue: usize,
}

pub async fn citizenship(db: &Db, ctx: &Ctx, lang: &str) -> Result<CitizenshipView> {
    let scope = ctx.actor.require(Permission::ViewCases)?;
    let org = ctx.actor.org_id.clone().unwrap_or_default();
    let all = matches!(scope, domain::account::Scope::All);
    let org_arg = (!all).then_some(org.as_str());
    let today = domain::clock::today();
    // Every open application (not the worklist's page): the backlog counts them all.
    let citizenship = "c.status <> 'closed' AND c.procedure_code IN \
        (SELECT pr.code FROM procedures pr WHERE pr.category = 'citizenship')";
    let cases = cases_where(
        db,
        &format!(
            "SELECT {CASE_COLUMNS} WHERE {citizenship}{} ORDER BY c.filed_on, c.created_at",
            scope_sql(all, 1)
        ),
        None,
        org_arg,
    )
    .await?;
    let tasks: Vec<(String, Option<NaiveDate>)> = with_pool!(db, |p| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT t.case_id, t.due_on FROM case_tasks t JOIN cases c ON c.id = t.case_id \
             WHERE t.done_at IS NULL AND {citizenship}{}",
            scope_sql(all, 1)
        )));
        if let Some(o) = org_arg {
            q = q.bind(o.to_string());
        }
        q.fetch_all(p).await
    })
    .map_err(db_err)?;
    let mut w = Worklist {
        cases: work_items(db, cases, &tasks, lang, today).await?,
        total: 0,
        overdue: 0,
        incoming: vec![],
        appointments: vec![],
    };
    w.cases.sort_by_key(|i| i.case.filed_on);
    audit::record(db, ctx, Event::new("case.list", "case", None)).await?;
    let overdue = w
        .cases
        .iter()
        .filter(|i| {
            i.deadline
                .as_ref()
                .is_some_and(|d| d.state == DeadlineState::Overdue)
        })
        .count();
    let mut backlog = vec![];
    if let Some(first) = w.cases.iter().filter_map(|i| i.case.filed_on).min() {
        let mut month = first.with_day(1).unwrap_or(first);
        while month <= today {
            let next = month
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(today);
            let end = next.pred_opt().unwrap_or(next);
            let pending = w
                .cases
                .iter()
                .filter(|i| {
                    i.case.filed_on.is_some_and(|f| f <= end)
                        && i.case.decided_on.is_none_or(|d| d > end)
                })
                .count() as i64;
            backlog.push((month.format("%Y-%m").to_string(), pending));
            month = next;
        }
    }
    Ok(CitizenshipView {
        rows: w.cases,
        backlog,
        overdue,
    })
}
