//! Inspections of reception centres: planned or unannounced visits by a team, answered item
//! by item against the checklist of the centre's own contract (each answer saved as it is
//! given, so a dropped connection loses nothing), with evidence and findings. Closing an
//! inspection freezes it: the database refuses changes, and its canonical content is kept
//! with its SHA-256, recomputed from the rows whenever the report is opened.
//!
//! Who sees what: the monitoring office (Inspect) sees every inspection; a centre's manager
//! sees its closed ones and the scheduled visits announced to it, never an unannounced one
//! before it is closed, and never a draft.

use chrono::NaiveDate;
use domain::monitoring::{self, Answered, HeadingScore, NOT_APPLICABLE};
use domain::policy::Permission;
use domain::{Error, FieldError, Result};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::{self, Event};
use crate::checklists::Item;
use crate::crypto::keyring;
use crate::db::{Ctx, Db, db_err};
use crate::{Ts, new_id, with_pool, with_tx};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Inspection {
    pub id: String,
    pub centre_id: String,
    pub centre_name: String,
    pub centre_code: Option<String>,
    #[serde(skip)]
    pub org_id: String,
    pub template_id: String,
    pub kind: String,
    pub status: String,
    pub planned_on: NaiveDate,
    pub visited_on: Option<NaiveDate>,
    pub summary: String,
    pub score: Option<f64>,
    pub content_hash: Option<String>,
    pub version: i32,
    pub closed_at: Option<Ts>,
    /// Full names of the team, comma-separated.
    pub team: String,
    /// Their user ids, sorted: what the closed content records.
    #[serde(skip)]
    pub team_ids: String,
}

impl Inspection {
    pub fn is_closed(&self) -> bool {
        self.status == "closed"
    }

    pub fn score_display(&self) -> String {
        self.score.map(percent).unwrap_or_else(|| "—".into())
    }
}

/// "87,5 %", as Italian reports write it.
pub fn percent(p: f64) -> String {
    format!("{p:.1} %").replace('.', ",")
}

const COLUMNS: &str = "i.id, i.centre_id, c.name AS centre_name, c.code AS centre_code, c.org_id, i.template_id, \
    i.kind, i.status, i.planned_on, i.visited_on, i.summary, i.score, i.content_hash, i.version, i.closed_at, \
    COALESCE((SELECT STRING_AGG(u.full_name, ', ' ORDER BY u.full_name) FROM inspection_team t \
    JOIN users u ON u.id = t.user_id WHERE t.inspection_id = i.id), '') AS team, \
    COALESCE((SELECT STRING_AGG(t.user_id, ',' ORDER BY t.user_id) FROM inspection_team t \
    WHERE t.inspection_id = i.id), '') AS team_ids \
    FROM inspections i JOIN centres c ON c.id = i.centre_id";

/// Whether the actor may see this inspection at all.
fn visible(ctx: &Ctx, i: &Inspection) -> bool {
    if ctx.actor.can(Permission::Inspect) {
        return true;
    }
    ctx.actor.reaches(Permission::ViewCentres, &i.org_id, None)
        && (i.status == "closed" || (i.kind == "scheduled" && i.status == "planned"))
}

fn sql(where_: &str) -> String {
    // SQLite spells string aggregation GROUP_CONCAT; STRING_AGG exists since 3.44, which
    // the bundled SQLite has, so one query serves both engines.
    format!("SELECT {COLUMNS} {where_}")
}

/// An inspection without any permission check: for callers that check their own.
pub async fn load(db: &Db, id: &str) -> Result<Option<Inspection>> {
    let q = sql("WHERE i.id = $1");
    with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(q.clone()))
        .bind(id)
        .fetch_optional(p)
        .await)
    .map_err(db_err)
}

/// One inspection, if the actor may see it.
pub async fn get(db: &Db, ctx: &Ctx, id: &str) -> Result<Inspection> {
    let i = load(db, id).await?.ok_or(Error::NotFound)?;
    if !visible(ctx, &i) {
        // Not even its existence: an unannounced visit must not leak.
        return Err(if ctx.actor.can(Permission::ViewCentres) {
            Error::NotFound
        } else {
            Error::Forbidden
        });
    }
    Ok(i)
}

/// An inspection the actor may work on: Inspect, and not closed or cancelled.
async fn open_for_work(db: &Db, ctx: &Ctx, id: &str) -> Result<Inspection> {
    ctx.actor.require(Permission::Inspect)?;
    let i = load(db, id).await?.ok_or(Error::NotFound)?;
    if i.status == "closed" || i.status == "cancelled" {
        return Err(Error::field("inspection", "inspection_closed"));
    }
    Ok(i)
}

/// The inspections the actor sees: of one centre, or all (newest planned first).
pub async fn list(db: &Db, ctx: &Ctx, centre_id: Option<&str>) -> Result<Vec<Inspection>> {
    ctx.actor.require(Permission::ViewCentres)?;
    let q =
        sql("WHERE ($1 = '' OR i.centre_id = $1) ORDER BY i.planned_on DESC, i.created_at DESC");
    let all: Vec<Inspection> = with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(q.clone()))
        .bind(centre_id.unwrap_or(""))
        .fetch_all(p)
        .await)
    .map_err(db_err)?;
    Ok(all.into_iter().filter(|i| visible(ctx, i)).collect())
}

/// The inspectors who can be put on a team.
pub async fn inspectors(db: &Db, ctx: &Ctx) -> Result<Vec<(String, String)>> {
    ctx.actor.require(Permission::Inspect)?;
    with_pool!(db, |p| sqlx::query_as(
        "SELECT DISTINCT u.id, u.full_name FROM users u JOIN user_roles r ON r.user_id = u.id \
         WHERE r.role = 'inspector' AND u.active ORDER BY u.full_name"
    )
    .fetch_all(p)
    .await)
    .map_err(db_err)
}

/// The plan form as typed.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct PlanInput {
    pub centre_id: String,
    pub kind: String,
    pub planned_on: String,
    /// User ids of the team; the one planning is always on it.
    pub team: Vec<String>,
}

/// Plans an inspection of a centre against its contract's current checklist.
pub async fn plan(db: &Db, ctx: &Ctx, i: &PlanInput) -> Result<String> {
    ctx.actor.require(Permission::Inspect)?;
    let mut errs = vec![];
    let centre = match crate::centres::get(db, ctx, &i.centre_id, Permission::ViewCentres).await {
        Ok(c) => Some(c),
        Err(Error::NotFound) => {
            errs.push(FieldError::new("centre_id", "field_invalid_choice"));
            None
        }
        Err(e) => return Err(e),
    };
    if !monitoring::VISIT_KINDS.contains(&i.kind.as_str()) {
        errs.push(FieldError::new("kind", "field_invalid_choice"));
    }
    let planned = match crate::cases::parse_date("planned_on", &i.planned_on) {
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            errs.push(FieldError::new("planned_on", "field_required"));
            None
        }
        Err(e) => {
            errs.extend(e.fields().to_vec());
            None
        }
    };
    let inspectors = inspectors(db, ctx).await?;
    let mut team: Vec<String> = i.team.iter().filter(|t| !t.is_empty()).cloned().collect();
    if team
        .iter()
        .any(|t| !inspectors.iter().any(|(id, _)| id == t))
    {
        errs.push(FieldError::new("team", "field_invalid_choice"));
    }
    if !team.contains(&ctx.actor.id) && inspectors.iter().any(|(id, _)| *id == ctx.actor.id) {
        team.push(ctx.actor.id.clone());
    }
    team.sort();
    team.dedup();
    let schema = centre
        .as_ref()
        .and_then(|c| c.contract_schema.clone())
        .unwrap_or_default();
    if centre.is_some() && schema.is_empty() {
        errs.push(FieldError::new("centre_id", "centre_without_contract"));
    }
    let (Some(centre), Some(planned), true) = (centre, planned, errs.is_empty()) else {
        return Err(Error::Validation(errs));
    };
    let template = crate::checklists::current(db, ctx, &schema).await?;
    let id = new_id();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO inspections (id, centre_id, template_id, kind, status, planned_on, created_by, created_at) \
         VALUES ($1,$2,$3,$4,'planned',$5,$6,$7)"
    )
    .bind(&id)
    .bind(&centre.id)
    .bind(&template.id)
    .bind(&i.kind)
    .bind(planned)
    .bind(&ctx.actor.id)
    .bind(Ts::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    for member in &team {
        with_tx!(&mut tx, |c| sqlx::query(
            "INSERT INTO inspection_team (inspection_id, user_id) VALUES ($1,$2)"
        )
        .bind(&id)
        .bind(member)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(db_err)?;
    }
    audit::append(
        &mut tx,
        ctx,
        Event::new("inspection.plan", "inspection", Some(&id))
            .details(json!({"centre": centre.id, "kind": i.kind})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Answer {
    pub item_id: String,
    pub value: String,
    pub note: String,
    pub rev: i32,
    pub answered_by: String,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Finding {
    pub id: String,
    pub item_id: Option<String>,
    pub severity: String,
    pub description: String,
    pub action_required: String,
    pub due_days: i32,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct FileInfo {
    pub id: String,
    pub item_id: Option<String>,
    pub action_event_id: Option<String>,
    pub filename: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_at: Ts,
}

/// An item with its id (the template's `Item` has none: it is shown, not answered).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct SheetItem {
    pub id: String,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub item: Item,
    pub target: Option<f64>,
}

/// Everything the inspection form and the report show.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub inspection: Inspection,
    pub items: Vec<SheetItem>,
    pub answers: Vec<Answer>,
    pub findings: Vec<Finding>,
    pub files: Vec<FileInfo>,
    pub headings: Vec<HeadingScore>,
    pub overall: Option<f64>,
}

impl Sheet {
    pub fn answer(&self, item: &str) -> Option<&Answer> {
        self.answers.iter().find(|a| a.item_id == item)
    }

    pub fn value(&self, item: &str) -> &str {
        self.answer(item).map(|a| a.value.as_str()).unwrap_or("")
    }

    pub fn note(&self, item: &str) -> &str {
        self.answer(item).map(|a| a.note.as_str()).unwrap_or("")
    }

    pub fn rev(&self, item: &str) -> i32 {
        self.answer(item).map(|a| a.rev).unwrap_or(0)
    }

    pub fn files_of(&self, item: &str) -> Vec<&FileInfo> {
        self.files
            .iter()
            .filter(|f| f.item_id.as_deref() == Some(item))
            .collect()
    }

    /// The items grouped by heading, in order, with the heading's score.
    pub fn groups(&self) -> Vec<(&SheetItem, Option<f64>, Vec<&SheetItem>)> {
        let mut out: Vec<(&SheetItem, Option<f64>, Vec<&SheetItem>)> = vec![];
        for i in &self.items {
            match out.last_mut() {
                Some((h, _, items)) if h.item.heading == i.item.heading => items.push(i),
                _ => {
                    let score = self
                        .headings
                        .iter()
                        .find(|h| h.heading == i.item.heading)
                        .and_then(|h| h.percent);
                    out.push((i, score, vec![i]));
                }
            }
        }
        out
    }

    /// How many items must still be answered before closing.
    pub fn missing(&self) -> Vec<&SheetItem> {
        self.items
            .iter()
            .filter(|i| {
                monitoring::needs_answer(&i.item.kind, self.answer(&i.id).map(|a| a.value.as_str()))
            })
            .collect()
    }
}

async fn load_sheet(db: &Db, inspection: Inspection) -> Result<Sheet> {
    let items: Vec<SheetItem> = with_pool!(db, |p| sqlx::query_as(
        "SELECT id, heading, heading_it, heading_en, position, text_it, text_en, kind, weight, target \
         FROM checklist_items WHERE template_id = $1 ORDER BY position"
    )
    .bind(&inspection.template_id)
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    let answers: Vec<Answer> = with_pool!(db, |p| sqlx::query_as(
        "SELECT item_id, value, note, rev, answered_by FROM inspection_answers WHERE inspection_id = $1 ORDER BY item_id"
    )
    .bind(&inspection.id)
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    let findings: Vec<Finding> = with_pool!(db, |p| sqlx::query_as(
        "SELECT id, item_id, severity, description, action_required, due_days FROM findings \
         WHERE inspection_id = $1 ORDER BY created_at, id"
    )
    .bind(&inspection.id)
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    let files: Vec<FileInfo> = with_pool!(db, |p| sqlx::query_as(
        "SELECT id, item_id, action_event_id, filename, media_type, size_bytes, sha256, uploaded_at \
         FROM monitoring_files WHERE inspection_id = $1 AND action_event_id IS NULL ORDER BY uploaded_at, id"
    )
    .bind(&inspection.id)
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    let answered: Vec<Answered> = items
        .iter()
        .map(|i| Answered {
            heading: &i.item.heading,
            kind: &i.item.kind,
            weight: i.item.weight,
            target: i.target,
            value: answers
                .iter()
                .find(|a| a.item_id == i.id)
                .map(|a| a.value.as_str()),
        })
        .collect();
    let (headings, overall) = monitoring::scores(&answered);
    Ok(Sheet {
        inspection,
        items,
        answers,
        findings,
        files,
        headings,
        overall,
    })
}

/// The inspection with its checklist, answers, evidence and scores. A centre's manager
/// reads it only once closed.
pub async fn sheet(db: &Db, ctx: &Ctx, id: &str) -> Result<Sheet> {
    let i = get(db, ctx, id).await?;
    if !i.is_closed() && !ctx.actor.can(Permission::Inspect) {
        return Err(Error::NotFound);
    }
    load_sheet(db, i).await
}

/// Checks a value against the item's kind: the stored form ("yes", "no", "na", a number
/// with a dot, text) or a field error keyed by the item.
fn check_value(item: &SheetItem, value: &str) -> Result<String> {
    let v = value.trim();
    let field = format!("item-{}", item.id);
    match item.item.kind.as_str() {
        "yes_no" => {
            if ["yes", "no", NOT_APPLICABLE, ""].contains(&v) {
                Ok(v.to_string())
            } else {
                Err(Error::field(field, "field_invalid_choice"))
            }
        }
        "number" => {
            if v.is_empty() || v == NOT_APPLICABLE {
                return Ok(v.to_string());
            }
            match monitoring::parse_number(v) {
                Some(n) if n <= 1_000_000.0 => Ok(n.to_string()),
                _ => Err(Error::field(field, "number_invalid")),
            }
        }
        _ => {
            if v.chars().count() > 2000 {
                Err(Error::field(field, "field_too_long"))
            } else {
                Ok(v.to_string())
            }
        }
    }
}

/// The result of saving one answer: its new revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Saved {
    pub rev: i32,
}

/// What the one saving did not know: someone else changed the answer since `rev`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Clash {
    pub item_id: String,
    pub value: String,
    pub note: String,
    pub rev: i32,
}

/// Saves one answer, as the inspector gives it. `rev` is the revision the inspector saw
/// (0 for none): a different stored revision is a conflict, never an overwrite. The first
/// answer starts the visit (in progress, visited today).
pub async fn answer(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    item_id: &str,
    value: &str,
    note: &str,
    rev: i32,
) -> Result<std::result::Result<Saved, Clash>> {
    let i = open_for_work(db, ctx, id).await?;
    let items = items_of(db, &i.template_id).await?;
    let item = items
        .iter()
        .find(|x| x.id == item_id)
        .ok_or(Error::NotFound)?;
    let value = check_value(item, value)?;
    let note = note.trim();
    if note.chars().count() > 2000 {
        return Err(Error::field(format!("note-{item_id}"), "field_too_long"));
    }
    let mut tx = db.begin().await?;
    let current: Option<(String, String, i32)> = with_tx!(&mut tx, |c| {
        sqlx::query_as(
        "SELECT value, note, rev FROM inspection_answers WHERE inspection_id = $1 AND item_id = $2"
    )
    .bind(id)
    .bind(item_id)
    .fetch_optional(c)
    .await
    })
    .map_err(db_err)?;
    let now = Ts::now();
    let new_rev = match current {
        // The same answer sent twice (a retry after a dropped connection) is not a clash.
        Some((v, n, r)) if v == value && n == note => return Ok(Ok(Saved { rev: r })),
        Some((v, n, r)) if r != rev => {
            return Ok(Err(Clash {
                item_id: item_id.to_string(),
                value: v,
                note: n,
                rev: r,
            }));
        }
        Some((_, _, r)) => {
            let n = with_tx!(&mut tx, |c| sqlx::query(
                "UPDATE inspection_answers SET value = $1, note = $2, rev = rev + 1, answered_by = $3, answered_at = $4 \
                 WHERE inspection_id = $5 AND item_id = $6 AND rev = $7"
            )
            .bind(&value)
            .bind(note)
            .bind(&ctx.actor.id)
            .bind(now)
            .bind(id)
            .bind(item_id)
            .bind(r)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))
            .map_err(db_err)?;
            if n == 0 {
                return Err(Error::Conflict);
            }
            r + 1
        }
        None if rev != 0 => return Err(Error::Conflict),
        None => {
            let inserted = with_tx!(&mut tx, |c| {
                sqlx::query(
                "INSERT INTO inspection_answers (inspection_id, item_id, value, note, rev, answered_by, answered_at) \
                 VALUES ($1,$2,$3,$4,1,$5,$6)"
            )
            .bind(id)
            .bind(item_id)
            .bind(&value)
            .bind(note)
            .bind(&ctx.actor.id)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
            });
            match inserted {
                Ok(_) => 1,
                Err(e) if crate::db::is_unique_violation(&e) => return Err(Error::Conflict),
                Err(e) => return Err(db_err(e)),
            }
        }
    };
    if i.status == "planned" {
        start(&mut tx, id).await?;
    }
    tx.commit().await?;
    Ok(Ok(Saved { rev: new_rev }))
}

async fn start(tx: &mut crate::db::Tx, id: &str) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE inspections SET status = 'in_progress', visited_on = COALESCE(visited_on, $1) \
         WHERE id = $2 AND status = 'planned'"
    )
    .bind(domain::clock::today())
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    Ok(())
}

async fn items_of(db: &Db, template_id: &str) -> Result<Vec<SheetItem>> {
    with_pool!(db, |p| sqlx::query_as(
        "SELECT id, heading, heading_it, heading_en, position, text_it, text_en, kind, weight, target \
         FROM checklist_items WHERE template_id = $1 ORDER BY position"
    )
    .bind(template_id)
    .fetch_all(p)
    .await)
    .map_err(db_err)
}

/// A finding as typed.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct FindingInput {
    pub item_id: String,
    pub severity: String,
    pub description: String,
    pub action_required: String,
    pub due_days: String,
}

/// Records a finding on an open inspection; its corrective action is made at closing.
pub async fn add_finding(db: &Db, ctx: &Ctx, id: &str, f: &FindingInput) -> Result<String> {
    let i = open_for_work(db, ctx, id).await?;
    let mut errs = vec![];
    let items = items_of(db, &i.template_id).await?;
    let item = (!f.item_id.trim().is_empty()).then(|| f.item_id.trim().to_string());
    if let Some(it) = &item
        && !items.iter().any(|x| &x.id == it)
    {
        errs.push(FieldError::new("item_id", "field_invalid_choice"));
    }
    if !monitoring::SEVERITIES.contains(&f.severity.as_str()) {
        errs.push(FieldError::new("severity", "field_invalid_choice"));
    }
    let description = domain::validate::required_text("description", &f.description, 2000)
        .map_err(|e| errs.push(e))
        .ok();
    let action = domain::validate::required_text("action_required", &f.action_required, 2000)
        .map_err(|e| errs.push(e))
        .ok();
    let days = match f.due_days.trim().parse::<i32>() {
        Ok(d) if (1..=365).contains(&d) => Some(d),
        _ => {
            errs.push(FieldError::new("due_days", "number_invalid"));
            None
        }
    };
    let (Some(description), Some(action), Some(days), true) =
        (description, action, days, errs.is_empty())
    else {
        return Err(Error::Validation(errs));
    };
    let fid = new_id();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO findings (id, inspection_id, item_id, severity, description, action_required, due_days, created_by, created_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)"
    )
    .bind(&fid)
    .bind(id)
    .bind(&item)
    .bind(&f.severity)
    .bind(&description)
    .bind(&action)
    .bind(days)
    .bind(&ctx.actor.id)
    .bind(Ts::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    if i.status == "planned" {
        start(&mut tx, id).await?;
    }
    audit::append(
        &mut tx,
        ctx,
        Event::new("inspection.finding_add", "inspection", Some(id))
            .details(json!({"finding": fid, "severity": f.severity})),
    )
    .await?;
    tx.commit().await?;
    Ok(fid)
}

/// Takes back a finding written by mistake, before the inspection is closed.
pub async fn remove_finding(db: &Db, ctx: &Ctx, id: &str, finding_id: &str) -> Result<()> {
    open_for_work(db, ctx, id).await?;
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| sqlx::query(
        "DELETE FROM findings WHERE id = $1 AND inspection_id = $2"
    )
    .bind(finding_id)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    if n == 0 {
        return Err(Error::NotFound);
    }
    audit::append(
        &mut tx,
        ctx,
        Event::new("inspection.finding_remove", "inspection", Some(id))
            .details(json!({"finding": finding_id})),
    )
    .await?;
    tx.commit().await
}

fn file_aad(id: &str) -> String {
    format!("monitoring_files:{id}")
}

/// Stores a file sealed at rest; the caller has checked the permission. `action_event`
/// ties it to an answer to a corrective action, otherwise it is evidence of the visit.
pub(crate) struct NewFile<'a> {
    pub inspection_id: &'a str,
    pub item_id: Option<&'a str>,
    pub action_event: Option<&'a str>,
    pub filename: &'a str,
    pub bytes: &'a [u8],
}

pub(crate) async fn store_file(
    db: &Db,
    tx: &mut crate::db::Tx,
    ctx: &Ctx,
    f: NewFile<'_>,
) -> Result<String> {
    let NewFile {
        inspection_id,
        item_id,
        action_event,
        filename,
        bytes,
    } = f;
    if bytes.is_empty() {
        return Err(Error::field("file", "document_empty"));
    }
    if bytes.len() > db.settings.max_document_bytes {
        return Err(Error::field("file", "document_too_large"));
    }
    let media_type = crate::case_documents::sniff(bytes)
        .ok_or(Error::field("file", "document_type_not_allowed"))?;
    let filename = crate::case_documents::clean_filename(filename, media_type);
    let id = new_id();
    let digest = hex::encode(Sha256::digest(bytes));
    let sealed = keyring(db)?.seal(&file_aad(&id), bytes)?;
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO monitoring_files (id, inspection_id, item_id, action_event_id, filename, media_type, size_bytes, sha256, sealed, uploaded_by, uploaded_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)"
    )
    .bind(&id)
    .bind(inspection_id)
    .bind(item_id)
    .bind(action_event)
    .bind(&filename)
    .bind(media_type)
    .bind(bytes.len() as i64)
    .bind(&digest)
    .bind(&sealed)
    .bind(&ctx.actor.id)
    .bind(Ts::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    Ok(id)
}

/// Adds a photo or document as evidence of the visit, on an item or the whole inspection.
pub async fn add_evidence(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    item_id: Option<&str>,
    filename: &str,
    bytes: &[u8],
) -> Result<String> {
    let i = open_for_work(db, ctx, id).await?;
    if let Some(it) = item_id
        && !items_of(db, &i.template_id)
            .await?
            .iter()
            .any(|x| x.id == it)
    {
        return Err(Error::NotFound);
    }
    let mut tx = db.begin().await?;
    let fid = store_file(
        db,
        &mut tx,
        ctx,
        NewFile {
            inspection_id: id,
            item_id,
            action_event: None,
            filename,
            bytes,
        },
    )
    .await?;
    if i.status == "planned" {
        start(&mut tx, id).await?;
    }
    audit::append(
        &mut tx,
        ctx,
        Event::new("inspection.evidence_add", "inspection", Some(id))
            .details(json!({"file": fid, "bytes": bytes.len()})),
    )
    .await?;
    tx.commit().await?;
    Ok(fid)
}

/// A file's content for whoever may see what it belongs to; the read is audited.
pub async fn file(
    db: &Db,
    ctx: &Ctx,
    inspection_id: &str,
    file_id: &str,
) -> Result<(FileInfo, Vec<u8>)> {
    let i = get(db, ctx, inspection_id).await?;
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        info: FileInfo,
        sealed: String,
    }
    let row: Row = with_pool!(db, |p| sqlx::query_as(
        "SELECT id, item_id, action_event_id, filename, media_type, size_bytes, sha256, uploaded_at, sealed \
         FROM monitoring_files WHERE id = $1 AND inspection_id = $2"
    )
    .bind(file_id)
    .bind(inspection_id)
    .fetch_optional(p)
    .await)
    .map_err(db_err)?
    .ok_or(Error::NotFound)?;
    // Evidence of the visit is the report's, shown once closed; answers to corrective
    // actions are the centre's and the office's.
    if row.info.action_event_id.is_none() && !i.is_closed() && !ctx.actor.can(Permission::Inspect) {
        return Err(Error::NotFound);
    }
    let bytes = keyring(db)?.open(&file_aad(file_id), &row.sealed)?;
    if hex::encode(Sha256::digest(&bytes)) != row.info.sha256 {
        return Err(Error::Tampered);
    }
    audit::record(
        db,
        ctx,
        Event::new("inspection.file_read", "inspection", Some(inspection_id))
            .details(json!({"file": file_id})),
    )
    .await?;
    Ok((row.info, bytes))
}

/// The closing form as typed.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct CloseInput {
    pub visited_on: String,
    pub summary: String,
    pub version: i32,
}

/// The canonical content of an inspection as closed: what its hash covers. Built the same
/// way at closing and whenever the report is opened. Keys are sorted (serde_json's map),
/// timestamps are whole seconds, so the text is the same on both engines.
fn content(sheet: &Sheet, closed_by: &str, closed_at: &str) -> serde_json::Value {
    let i = &sheet.inspection;
    json!({
        "format": "sprint-inspection-1",
        "inspection": i.id,
        // Ids, not names: a centre or an inspector renamed later changes nothing closed.
        "centre": i.centre_id,
        "template": i.template_id,
        "kind": i.kind,
        "planned_on": i.planned_on.to_string(),
        "visited_on": i.visited_on.map(|d| d.to_string()),
        "summary": i.summary,
        "team": i.team_ids,
        "answers": sheet.items.iter().filter_map(|it| sheet.answer(&it.id).map(|a| json!({
            "item": it.id, "value": a.value, "note": a.note, "by": a.answered_by,
        }))).collect::<Vec<_>>(),
        "scores": {
            "overall": sheet.overall,
            "headings": sheet.headings.iter().map(|h| json!({"heading": h.heading, "percent": h.percent})).collect::<Vec<_>>(),
        },
        "findings": sheet.findings.iter().map(|f| json!({
            "id": f.id, "item": f.item_id, "severity": f.severity, "description": f.description,
            "action_required": f.action_required, "due_days": f.due_days,
        })).collect::<Vec<_>>(),
        "evidence": sheet.files.iter().map(|f| json!({
            "id": f.id, "item": f.item_id, "filename": f.filename, "sha256": f.sha256,
        })).collect::<Vec<_>>(),
        "closed_by": closed_by,
        "closed_at": closed_at,
    })
}

fn hash(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Closes an inspection: every yes/no and number item answered, the date of the visit and
/// a summary given. The score, the canonical content and its hash are written, and each
/// finding gets its corrective action with a deadline counted from today, all in one
/// transaction. A stale form is a conflict.
pub async fn close(db: &Db, ctx: &Ctx, id: &str, input: &CloseInput) -> Result<String> {
    let i = open_for_work(db, ctx, id).await?;
    let mut errs = vec![];
    let visited = crate::cases::past_date("visited_on", &input.visited_on, &mut errs);
    let summary = domain::validate::required_text("summary", &input.summary, 4000)
        .map_err(|e| errs.push(e))
        .ok();
    if input.version != i.version {
        return Err(Error::Conflict);
    }
    let mut sheet = load_sheet(db, i).await?;
    for m in sheet.missing() {
        errs.push(FieldError::new(format!("item-{}", m.id), "answer_missing"));
    }
    let (Some(visited), Some(summary), true) = (visited, summary, errs.is_empty()) else {
        return Err(Error::Validation(errs));
    };
    sheet.inspection.visited_on = Some(visited);
    sheet.inspection.summary = summary.clone();
    let now = Ts::now();
    let closed_at = now.0.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let closed_ts = Ts(now.0.with_nanosecond_zero());
    let doc = content(&sheet, &ctx.actor.id, &closed_at);
    let text = doc.to_string();
    let digest = hash(&text);
    let mut tx = db.begin().await?;
    // Corrective actions first: once the inspection is closed its findings are frozen.
    let today = domain::clock::today();
    for f in &sheet.findings {
        let action_id = new_id();
        let due = today + chrono::Duration::days(i64::from(f.due_days));
        with_tx!(&mut tx, |c| sqlx::query(
            "INSERT INTO corrective_actions (id, finding_id, centre_id, due_on, status, version, updated_at) \
             VALUES ($1,$2,$3,$4,'open',1,$5)"
        )
        .bind(&action_id)
        .bind(&f.id)
        .bind(&sheet.inspection.centre_id)
        .bind(due)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(db_err)?;
        // The managing body's queue learns of each action with the inspection's closing.
        crate::inbox::notify(
            &mut tx,
            ctx,
            crate::inbox::Notice::new(
                "corrective_action",
                crate::inbox::To::Queue(&sheet.inspection.org_id, Permission::AnswerFindings),
                "corrective_action",
                &action_id,
                format!("/actions/{action_id}"),
            )
            .from(ctx.actor.org_id.as_deref())
            .summary(format!(
                "{} — {}",
                sheet.inspection.centre_name, f.action_required
            ))
            .due(Some(due)),
        )
        .await?;
    }
    let n = with_tx!(&mut tx, |c| sqlx::query(
        "UPDATE inspections SET status = 'closed', visited_on = $1, summary = $2, score = $3, content = $4, \
         content_hash = $5, closed_by = $6, closed_at = $7, version = version + 1 \
         WHERE id = $8 AND version = $9 AND status IN ('planned','in_progress')"
    )
    .bind(visited)
    .bind(&summary)
    .bind(sheet.overall)
    .bind(&text)
    .bind(&digest)
    .bind(&ctx.actor.id)
    .bind(closed_ts)
    .bind(id)
    .bind(input.version)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    if n == 0 {
        return Err(Error::Conflict);
    }
    audit::append(
        &mut tx,
        ctx,
        Event::new("inspection.close", "inspection", Some(id)).details(
            json!({"sha256": digest, "score": sheet.overall, "findings": sheet.findings.len()}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(digest)
}

trait NoNanos {
    fn with_nanosecond_zero(self) -> Self;
}

impl NoNanos for chrono::DateTime<chrono::Utc> {
    fn with_nanosecond_zero(self) -> Self {
        use chrono::Timelike;
        self.with_nanosecond(0).unwrap_or(self)
    }
}

/// A closed inspection as recorded, checked: the stored content matches its hash, and the
/// rows still say what the content says. Anything else is `Error::Tampered`, audited.
pub async fn verified(db: &Db, ctx: &Ctx, id: &str) -> Result<(Sheet, String)> {
    let s = sheet(db, ctx, id).await?;
    if !s.inspection.is_closed() {
        return Err(Error::field("inspection", "inspection_not_closed"));
    }
    #[derive(sqlx::FromRow)]
    struct Frozen {
        content: Option<String>,
        content_hash: Option<String>,
        closed_by: Option<String>,
        closed_at: Option<Ts>,
    }
    let f: Frozen = with_pool!(db, |p| sqlx::query_as(
        "SELECT content, content_hash, closed_by, closed_at FROM inspections WHERE id = $1"
    )
    .bind(id)
    .fetch_one(p)
    .await)
    .map_err(db_err)?;
    let stored = f.content.unwrap_or_default();
    let recorded = f.content_hash.unwrap_or_default();
    let closed_at = f
        .closed_at
        .map(|t| t.0.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default();
    let rebuilt = content(&s, &f.closed_by.unwrap_or_default(), &closed_at).to_string();
    if hash(&stored) != recorded || rebuilt != stored {
        audit::record(
            db,
            ctx,
            Event::new("inspection.tampered", "inspection", Some(id))
                .details(json!({"recorded": recorded})),
        )
        .await?;
        return Err(Error::Tampered);
    }
    Ok((s, recorded))
}

/// Cancels a planned inspection (it stays in the history).
pub async fn cancel(db: &Db, ctx: &Ctx, id: &str, version: i32) -> Result<()> {
    open_for_work(db, ctx, id).await?;
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| sqlx::query(
        "UPDATE inspections SET status = 'cancelled', version = version + 1 WHERE id = $1 AND version = $2 AND status = 'planned'"
    )
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    if n == 0 {
        return Err(Error::Conflict);
    }
    audit::append(
        &mut tx,
        ctx,
        Event::new("inspection.cancel", "inspection", Some(id)),
    )
    .await?;
    tx.commit().await
}
