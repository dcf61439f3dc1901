//! The network's bodies and their meetings: the territorial council (CTIM), the city
//! governance table, working groups; members with dates of office; meetings with agenda,
//! attendance, minutes through their states, decisions, and action items that stay on their
//! owner's home page until done.
//!
//! Minutes go draft → approved → published. Approving needs the meeting held, its
//! attendance recorded and some text; it freezes the minutes, the decisions and the
//! attendance and keeps their SHA-256, which the PDF prints. Draft and approved minutes
//! are read by the secretariat (`ManageNetwork`) only; published ones by everyone signed in.

use chrono::{NaiveDate, NaiveDateTime};
use domain::legal::{DeadlineState, deadline_state};
use domain::policy::Permission;
use domain::{Error, FieldError, Result};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::{self, Event};
use crate::checks::{signed_in, text};
use crate::db::{Ctx, Db, db_err};
use crate::{Ts, new_id, with_pool, with_tx};

pub const BODY_KINDS: &[&str] = &["ctim", "governance_table", "working_group"];
pub const MEMBER_ROLES: &[&str] = &["chair", "secretary", "member", "observer"];
pub const MINUTES_STATES: &[&str] = &["none", "draft", "approved", "published"];

fn manager(ctx: &Ctx) -> bool {
    ctx.actor.can(Permission::ManageNetwork)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Body {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub description: String,
    pub parent_id: Option<String>,
    pub active: bool,
    /// Members in office today.
    pub members: i64,
    /// The next planned meeting, if any.
    pub next_meeting: Option<Ts>,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct BodyInput {
    pub kind: String,
    pub name: String,
    pub description: String,
    pub parent_id: String,
}

const BODY_SELECT: &str = "SELECT b.id, b.kind, b.name, b.description, b.parent_id, b.active, \
     (SELECT COUNT(*) FROM body_members m WHERE m.body_id = b.id AND m.from_date <= $1 AND (m.to_date IS NULL OR m.to_date >= $1)) AS members, \
     (SELECT MIN(x.starts_at) FROM meetings x WHERE x.body_id = b.id AND x.status = 'planned' AND x.starts_at >= $2) AS next_meeting \
     FROM bodies b";

pub async fn bodies(db: &Db, ctx: &Ctx) -> Result<Vec<Body>> {
    signed_in(ctx)?;
    let sql = format!("{BODY_SELECT} ORDER BY b.kind, b.name");
    let today = domain::clock::today();
    with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(today)
        .bind(Ts::now())
        .fetch_all(p)
        .await)
    .map_err(db_err)
}

pub async fn create_body(db: &Db, ctx: &Ctx, i: &BodyInput) -> Result<String> {
    ctx.actor.require(Permission::ManageNetwork)?;
    let mut errors = vec![];
    if !BODY_KINDS.contains(&i.kind.as_str()) {
        errors.push(FieldError::new("kind", "field_invalid_choice"));
    }
    text("name", &i.name, 200, true, &mut errors);
    text("description", &i.description, 2000, false, &mut errors);
    let parent = i.parent_id.trim();
    if !parent.is_empty() && body_row(db, parent).await?.is_none() {
        errors.push(FieldError::new("parent_id", "field_invalid_choice"));
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let id = new_id();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO bodies (id, kind, name, description, parent_id, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)"
    )
    .bind(&id)
    .bind(&i.kind)
    .bind(i.name.trim())
    .bind(i.description.trim())
    .bind((!parent.is_empty()).then_some(parent))
    .bind(&ctx.actor.id)
    .bind(Ts::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    audit::append(&mut tx, ctx, Event::new("body.create", "body", Some(&id))).await?;
    tx.commit().await?;
    Ok(id)
}

async fn body_row(db: &Db, id: &str) -> Result<Option<Body>> {
    let sql = format!("{BODY_SELECT} WHERE b.id = $3");
    let today = domain::clock::today();
    with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(today)
        .bind(Ts::now())
        .bind(id)
        .fetch_optional(p)
        .await)
    .map_err(db_err)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Member {
    pub id: String,
    pub org_id: String,
    pub org_name: String,
    pub representative: String,
    pub user_id: Option<String>,
    pub role: String,
    pub from_date: NaiveDate,
    pub to_date: Option<NaiveDate>,
}

impl Member {
    /// Whether the member was in office on `day`.
    pub fn in_office(&self, day: NaiveDate) -> bool {
        self.from_date <= day && self.to_date.is_none_or(|t| t >= day)
    }
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct MemberInput {
    pub org_id: String,
    pub representative: String,
    pub user_id: String,
    pub role: String,
    /// `YYYY-MM-DD`
    pub from_date: String,
    /// `YYYY-MM-DD`, empty while in office.
    pub to_date: String,
}

async fn members(db: &Db, body_id: &str) -> Result<Vec<Member>> {
    with_pool!(db, |p| sqlx::query_as(
        "SELECT m.id, m.org_id, o.name AS org_name, m.representative, m.user_id, m.role, m.from_date, m.to_date \
         FROM body_members m JOIN organisations o ON o.id = m.org_id WHERE m.body_id = $1 \
         ORDER BY CASE m.role WHEN 'chair' THEN 0 WHEN 'secretary' THEN 1 WHEN 'member' THEN 2 ELSE 3 END, o.name, m.representative"
    )
    .bind(body_id)
    .fetch_all(p)
    .await)
    .map_err(db_err)
}

fn date(
    field: &'static str,
    v: &str,
    required: bool,
    errors: &mut Vec<FieldError>,
) -> Option<NaiveDate> {
    let v = v.trim();
    if v.is_empty() {
        if required {
            errors.push(FieldError::new(field, "field_required"));
        }
        return None;
    }
    match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FieldError::new(field, "date_invalid"));
            None
        }
    }
}

pub async fn add_member(db: &Db, ctx: &Ctx, body_id: &str, i: &MemberInput) -> Result<String> {
    ctx.actor.require(Permission::ManageNetwork)?;
    if body_row(db, body_id).await?.is_none() {
        return Err(Error::NotFound);
    }
    let mut errors = vec![];
    text("representative", &i.representative, 200, true, &mut errors);
    if !MEMBER_ROLES.contains(&i.role.as_str()) {
        errors.push(FieldError::new("role", "field_invalid_choice"));
    }
    let org: Option<(String,)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT id FROM organisations WHERE id = $1 AND active"
    )
    .bind(i.org_id.trim())
    .fetch_optional(p)
    .await)
    .map_err(db_err)?;
    if org.is_none() {
        errors.push(FieldError::new("org_id", "field_invalid_choice"));
    }
    let user = i.user_id.trim();
    if !user.is_empty() {
        let u: Option<(String,)> = with_pool!(db, |p| sqlx::query_as(
            "SELECT id FROM users WHERE id = $1 AND org_id = $2"
        )
        .bind(user)
        .bind(i.org_id.trim())
        .fetch_optional(p)
        .await)
        .map_err(db_err)?;
        if u.is_none() {
            errors.push(FieldError::new("user_id", "field_invalid_choice"));
        }
    }
    let from = date("from_date", &i.from_date, true, &mut errors);
    let to = date("to_date", &i.to_date, false, &mut errors);
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        errors.push(FieldError::new("to_date", "date_before_start"));
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let id = new_id();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO body_members (id, body_id, org_id, representative, user_id, role, from_date, to_date, created_by, created_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)"
    )
    .bind(&id)
    .bind(body_id)
    .bind(i.org_id.trim())
    .bind(i.representative.trim())
    .bind((!user.is_empty()).then_some(user))
    .bind(&i.role)
    .bind(from)
    .bind(to)
    .bind(&ctx.actor.id)
    .bind(Ts::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("body.member.add", "body", Some(body_id)).details(json!({"member": id})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Meeting {
    pub id: String,
    pub body_id: String,
    pub body_name: String,
    pub starts_at: Ts,
    pub place: String,
    pub link: String,
    pub agenda: String,
    pub status: String,
    /// Empty unless the reader may see the minutes in their state.
    pub minutes: String,
    pub minutes_state: String,
    pub minutes_hash: Option<String>,
    pub approved_at: Option<Ts>,
    pub published_at: Option<Ts>,
    pub version: i32,
}

impl Meeting {
    /// The agenda's items, one per line.
    pub fn agenda_items(&self) -> Vec<&str> {
        self.agenda
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    }
    pub fn day(&self) -> NaiveDate {
        domain::clock::rome(self.starts_at.0).date()
    }
    /// Minutes can no longer change.
    pub fn frozen(&self) -> bool {
        matches!(self.minutes_state.as_str(), "approved" | "published")
    }
}

const MEETING_SELECT: &str = "SELECT m.id, m.body_id, b.name AS body_name, m.starts_at, m.place, m.link, m.agenda, m.status, \
     m.minutes, m.minutes_state, m.minutes_hash, m.approved_at, m.published_at, m.version \
     FROM meetings m JOIN bodies b ON b.id = m.body_id";

async fn meeting_row(db: &Db, id: &str) -> Result<Meeting> {
    let sql = format!("{MEETING_SELECT} WHERE m.id = $1");
    with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id)
        .fetch_optional(p)
        .await)
    .map_err(db_err)?
    .ok_or(Error::NotFound)
}

/// Hides minutes a reader may not see yet.
fn for_reader(ctx: &Ctx, mut m: Meeting) -> Meeting {
    if m.minutes_state != "published" && !manager(ctx) {
        m.minutes = String::new();
        m.minutes_hash = None;
    }
    m
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct MeetingInput {
    /// Rome's local time, `YYYY-MM-DDTHH:MM`.
    pub starts_at: String,
    pub place: String,
    pub link: String,
    /// One item per line.
    pub agenda: String,
}

pub async fn create_meeting(db: &Db, ctx: &Ctx, body_id: &str, i: &MeetingInput) -> Result<String> {
    ctx.actor.require(Permission::ManageNetwork)?;
    if body_row(db, body_id).await?.is_none() {
        return Err(Error::NotFound);
    }
    let mut errors = vec![];
    let starts = NaiveDateTime::parse_from_str(i.starts_at.trim(), "%Y-%m-%dT%H:%M")
        .ok()
        .and_then(domain::clock::from_rome);
    if i.starts_at.trim().is_empty() {
        errors.push(FieldError::new("starts_at", "field_required"));
    } else if starts.is_none() {
        errors.push(FieldError::new("starts_at", "date_invalid"));
    }
    text("place", &i.place, 300, false, &mut errors);
    text("link", &i.link, 500, false, &mut errors);
    let link = i.link.trim();
    if !link.is_empty() && !link.starts_with("https://") {
        errors.push(FieldError::new("link", "link_invalid"));
    }
    if i.place.trim().is_empty() && link.is_empty() {
        errors.push(FieldError::new("place", "place_or_link_required"));
    }
    text("agenda", &i.agenda, 5000, true, &mut errors);
    let Some(starts) = starts.filter(|_| errors.is_empty()) else {
        return Err(Error::Validation(errors));
    };
    let id = new_id();
    let now = Ts::now();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO meetings (id, body_id, starts_at, place, link, agenda, status, created_by, created_at, updated_at) \
         VALUES ($1,$2,$3,$4,$5,$6,'planned',$7,$8,$8)"
    )
    .bind(&id)
    .bind(body_id)
    .bind(Ts::from_datetime(starts))
    .bind(i.place.trim())
    .bind(link)
    .bind(i.agenda.trim())
    .bind(&ctx.actor.id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("meeting.create", "meeting", Some(&id)),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Decision {
    pub id: String,
    pub position: i32,
    pub text: String,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ActionItem {
    pub id: String,
    pub meeting_id: String,
    pub body_name: String,
    pub title: String,
    /// The user who does it, or none when it is for an organisation's queue.
    pub owner_id: Option<String>,
    pub owner_org_id: Option<String>,
    /// The user's name, or the organisation's.
    pub owner_name: String,
    pub due_on: NaiveDate,
    pub done_at: Option<Ts>,
    pub done_note: String,
    pub version: i32,
}

impl ActionItem {
    /// ok, due soon (within 7 days), overdue or done, as of `today`.
    pub fn state(&self, today: NaiveDate) -> DeadlineState {
        deadline_state(self.due_on, today, self.done_at.is_some())
    }
}

const ACTION_SELECT: &str = "SELECT a.id, a.meeting_id, b.name AS body_name, a.title, a.owner_id, a.owner_org_id, \
     COALESCE(u.full_name, o.name, '') AS owner_name, a.due_on, a.done_at, a.done_note, a.version FROM action_items a \
     JOIN meetings m ON m.id = a.meeting_id JOIN bodies b ON b.id = m.body_id LEFT JOIN users u ON u.id = a.owner_id \
     LEFT JOIN organisations o ON o.id = a.owner_org_id";

/// Present or absent, per member in office on the meeting's day (absent: not recorded).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Attendee {
    pub member: Member,
    pub present: Option<bool>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct MeetingView {
    pub meeting: Meeting,
    pub attendees: Vec<Attendee>,
    pub decisions: Vec<Decision>,
    pub actions: Vec<ActionItem>,
}

impl MeetingView {
    pub fn attendance_recorded(&self) -> bool {
        self.attendees.iter().any(|a| a.present.is_some())
    }
    pub fn present(&self) -> usize {
        self.attendees
            .iter()
            .filter(|a| a.present == Some(true))
            .count()
    }
}

async fn load_view(db: &Db, id: &str) -> Result<MeetingView> {
    let meeting = meeting_row(db, id).await?;
    let day = meeting.day();
    let marks: Vec<(String, bool)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT member_id, present FROM meeting_attendance WHERE meeting_id = $1"
    )
    .bind(id)
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    let attendees = members(db, &meeting.body_id)
        .await?
        .into_iter()
        .filter(|m| m.in_office(day) || marks.iter().any(|(x, _)| *x == m.id))
        .map(|member| Attendee {
            present: marks.iter().find(|(x, _)| *x == member.id).map(|(_, p)| *p),
            member,
        })
        .collect();
    let decisions = with_pool!(db, |p| {
        sqlx::query_as(
        "SELECT id, position, text FROM meeting_decisions WHERE meeting_id = $1 ORDER BY position"
    )
    .bind(id)
    .fetch_all(p)
    .await
    })
    .map_err(db_err)?;
    let sql = format!("{ACTION_SELECT} WHERE a.meeting_id = $1 ORDER BY a.due_on, a.title");
    let actions = with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id)
        .fetch_all(p)
        .await)
    .map_err(db_err)?;
    Ok(MeetingView {
        meeting,
        attendees,
        decisions,
        actions,
    })
}

pub async fn meeting(db: &Db, ctx: &Ctx, id: &str) -> Result<MeetingView> {
    signed_in(ctx)?;
    let mut v = load_view(db, id).await?;
    let minutes_visible = v.meeting.minutes_state == "published" || manager(ctx);
    v.meeting = for_reader(ctx, v.meeting);
    if !minutes_visible {
        // Decisions belong to the minutes: they are read with them.
        v.decisions.clear();
    }
    Ok(v)
}

/// The body with its members and meetings.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BodyView {
    pub body: Body,
    pub members: Vec<Member>,
    pub meetings: Vec<Meeting>,
}

pub async fn body(db: &Db, ctx: &Ctx, id: &str) -> Result<BodyView> {
    signed_in(ctx)?;
    let body = body_row(db, id).await?.ok_or(Error::NotFound)?;
    let sql = format!("{MEETING_SELECT} WHERE m.body_id = $1 ORDER BY m.starts_at DESC");
    let meetings: Vec<Meeting> =
        with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_all(p)
            .await)
        .map_err(db_err)?;
    Ok(BodyView {
        members: members(db, id).await?,
        meetings: meetings.into_iter().map(|m| for_reader(ctx, m)).collect(),
        body,
    })
}

/// The SHA-256 of what approved minutes freeze: the text, the decisions and who was there.
fn minutes_hash(v: &MeetingView) -> String {
    let content = json!({
        "meeting": v.meeting.id,
        "minutes": v.meeting.minutes,
        "decisions": v.decisions.iter().map(|d| &d.text).collect::<Vec<_>>(),
        "attendance": v.attendees.iter().filter_map(|a| a.present.map(|p| (&a.member.id, p))).collect::<Vec<_>>(),
    });
    hex::encode(Sha256::digest(content.to_string().as_bytes()))
}

/// Bumps the meeting's version (every change to it or what hangs on it), refusing a stale
/// one; `stamp` names a time column to set to now as well. Returns the new version.
async fn bump(
    tx: &mut crate::Tx,
    id: &str,
    version: i32,
    set: &str,
    binds: &[Option<String>],
    stamp: Option<&str>,
) -> Result<i32> {
    let now_at = binds.len() + 1;
    let stamp = stamp
        .map(|c| format!(", {c} = ${now_at}"))
        .unwrap_or_default();
    let sql = format!(
        "UPDATE meetings SET {set}version = version + 1, updated_at = ${now_at}{stamp} WHERE id = ${} AND version = ${}",
        binds.len() + 2,
        binds.len() + 3
    );
    let now = Ts::now();
    let n = with_tx!(tx, |c| {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
        for b in binds {
            q = q.bind(b.clone());
        }
        q.bind(now)
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
    Ok(version + 1)
}

fn frozen_error() -> Error {
    Error::Validation(vec![FieldError::new("minutes", "minutes_frozen")])
}

/// Records who was present (every member in office not listed is absent) and marks the
/// meeting held.
pub async fn record_attendance(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    version: i32,
    present: &[String],
) -> Result<i32> {
    ctx.actor.require(Permission::ManageNetwork)?;
    let v = load_view(db, id).await?;
    if v.meeting.frozen() {
        return Err(frozen_error());
    }
    if v.meeting.status == "cancelled" {
        return Err(Error::Validation(vec![FieldError::new(
            "status",
            "meeting_cancelled",
        )]));
    }
    if v.meeting.starts_at.0 > chrono::Utc::now() {
        return Err(Error::Validation(vec![FieldError::new(
            "status",
            "meeting_not_yet_held",
        )]));
    }
    if present
        .iter()
        .any(|p| !v.attendees.iter().any(|a| a.member.id == *p))
    {
        return Err(Error::Validation(vec![FieldError::new(
            "present",
            "field_invalid_choice",
        )]));
    }
    let mut tx = db.begin().await?;
    let version = bump(&mut tx, id, version, "status = 'held', ", &[], None).await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "DELETE FROM meeting_attendance WHERE meeting_id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    for a in &v.attendees {
        let here = present.contains(&a.member.id);
        with_tx!(&mut tx, |c| sqlx::query(
            "INSERT INTO meeting_attendance (meeting_id, member_id, present) VALUES ($1,$2,$3)"
        )
        .bind(id)
        .bind(&a.member.id)
        .bind(here)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(db_err)?;
    }
    audit::append(
        &mut tx,
        ctx,
        Event::new("meeting.attendance", "meeting", Some(id))
            .details(json!({"present": present.len()})),
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}

/// Saves the minutes' text as a draft.
pub async fn save_minutes(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    version: i32,
    minutes: &str,
) -> Result<i32> {
    ctx.actor.require(Permission::ManageNetwork)?;
    let m = meeting_row(db, id).await?;
    if m.frozen() {
        return Err(frozen_error());
    }
    if m.status != "held" {
        return Err(Error::Validation(vec![FieldError::new(
            "minutes",
            "meeting_not_held",
        )]));
    }
    let mut errors = vec![];
    text("minutes", minutes, 50_000, true, &mut errors);
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let mut tx = db.begin().await?;
    let version = bump(
        &mut tx,
        id,
        version,
        "minutes = $1, minutes_state = 'draft', ",
        &[Some(minutes.trim().to_string())],
        None,
    )
    .await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("meeting.minutes.save", "meeting", Some(id)),
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}

/// Draft → approved: needs the attendance and some text; freezes them with their hash.
pub async fn approve_minutes(db: &Db, ctx: &Ctx, id: &str, version: i32) -> Result<i32> {
    ctx.actor.require(Permission::ManageNetwork)?;
    let v = load_view(db, id).await?;
    if v.meeting.minutes_state != "draft" {
        return Err(Error::Validation(vec![FieldError::new(
            "minutes",
            if v.meeting.frozen() {
                "minutes_frozen"
            } else {
                "minutes_not_drafted"
            },
        )]));
    }
    if !v.attendance_recorded() {
        return Err(Error::Validation(vec![FieldError::new(
            "present",
            "attendance_required",
        )]));
    }
    let hash = minutes_hash(&v);
    let mut tx = db.begin().await?;
    let version = bump(
        &mut tx,
        id,
        version,
        "minutes_state = 'approved', minutes_hash = $1, approved_by = $2, ",
        &[Some(hash.clone()), Some(ctx.actor.id.clone())],
        Some("approved_at"),
    )
    .await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("meeting.minutes.approve", "meeting", Some(id)).details(json!({"sha256": hash})),
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}

/// Approved → published: everyone signed in reads them.
pub async fn publish_minutes(db: &Db, ctx: &Ctx, id: &str, version: i32) -> Result<i32> {
    ctx.actor.require(Permission::ManageNetwork)?;
    let m = meeting_row(db, id).await?;
    if m.minutes_state != "approved" {
        return Err(Error::Validation(vec![FieldError::new(
            "minutes",
            "minutes_not_approved",
        )]));
    }
    let mut tx = db.begin().await?;
    let version = bump(
        &mut tx,
        id,
        version,
        "minutes_state = 'published', ",
        &[],
        Some("published_at"),
    )
    .await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("meeting.minutes.publish", "meeting", Some(id)),
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}

/// Whether the approved minutes still match their hash (checked before printing them).
pub async fn minutes_intact(db: &Db, id: &str) -> Result<bool> {
    let v = load_view(db, id).await?;
    Ok(v.meeting.minutes_hash.as_deref() == Some(minutes_hash(&v).as_str()))
}

pub async fn add_decision(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    version: i32,
    decision: &str,
) -> Result<i32> {
    ctx.actor.require(Permission::ManageNetwork)?;
    let v = load_view(db, id).await?;
    if v.meeting.frozen() {
        return Err(frozen_error());
    }
    let mut errors = vec![];
    text("decision", decision, 2000, true, &mut errors);
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let mut tx = db.begin().await?;
    let version = bump(&mut tx, id, version, "", &[], None).await?;
    let position = v.decisions.iter().map(|d| d.position).max().unwrap_or(0) + 1;
    with_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO meeting_decisions (id, meeting_id, position, text, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6)"
    )
    .bind(new_id())
    .bind(id)
    .bind(position)
    .bind(decision.trim())
    .bind(&ctx.actor.id)
    .bind(Ts::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("meeting.decision.add", "meeting", Some(id)),
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ActionInput {
    pub title: String,
    /// A user's id, or `org:ID` for an organisation's queue (any of its members does it).
    pub owner_id: String,
    /// `YYYY-MM-DD`
    pub due_on: String,
}

/// An action item decided at a meeting, for one person or an organisation's queue, by a
/// date; the owner finds it in their inbox and on their home page.
pub async fn add_action(db: &Db, ctx: &Ctx, meeting_id: &str, i: &ActionInput) -> Result<String> {
    ctx.actor.require(Permission::ManageNetwork)?;
    meeting_row(db, meeting_id).await?;
    let mut errors = vec![];
    text("title", &i.title, 500, true, &mut errors);
    let wanted = i.owner_id.trim();
    let (user, org) = match wanted.strip_prefix("org:") {
        Some(o) => (None, Some(o)),
        None => (Some(wanted), None),
    };
    let known: Option<(String,)> = match (user, org) {
        (Some(u), _) => with_pool!(db, |p| sqlx::query_as(
            "SELECT id FROM users WHERE id = $1 AND active"
        )
        .bind(u)
        .fetch_optional(p)
        .await),
        (_, Some(o)) => with_pool!(db, |p| sqlx::query_as(
            "SELECT id FROM organisations WHERE id = $1 AND active"
        )
        .bind(o)
        .fetch_optional(p)
        .await),
        _ => Ok(None),
    }
    .map_err(db_err)?;
    if known.is_none() {
        errors.push(FieldError::new("owner_id", "field_invalid_choice"));
    }
    let due = date("due_on", &i.due_on, true, &mut errors);
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let id = new_id();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO action_items (id, meeting_id, title, owner_id, owner_org_id, due_on, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)"
    )
    .bind(&id)
    .bind(meeting_id)
    .bind(i.title.trim())
    .bind(user)
    .bind(org)
    .bind(due)
    .bind(&ctx.actor.id)
    .bind(Ts::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    crate::inbox::notify(
        &mut tx,
        ctx,
        crate::inbox::Notice::new(
            "action_item",
            match (user, org) {
                (_, Some(o)) => crate::inbox::To::Queue(o, Permission::ViewOrganisations),
                _ => crate::inbox::To::User(wanted),
            },
            "action_item",
            &id,
            format!("/network/meetings/{meeting_id}#actions"),
        )
        .from(ctx.actor.org_id.as_deref())
        .summary(i.title.trim())
        .due(due),
    )
    .await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("action_item.create", "action_item", Some(&id))
            .details(json!({"meeting": meeting_id})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The signed-in person's open action items, and their organisation's queue's, the
/// nearest due first: the home page's list.
pub async fn my_actions(db: &Db, ctx: &Ctx) -> Result<Vec<ActionItem>> {
    signed_in(ctx)?;
    let sql = format!(
        "{ACTION_SELECT} WHERE (a.owner_id = $1 OR (a.owner_id IS NULL AND a.owner_org_id = $2)) \
         AND a.done_at IS NULL ORDER BY a.due_on, a.title"
    );
    with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(&ctx.actor.id)
        .bind(ctx.actor.org_id.clone().unwrap_or_default())
        .fetch_all(p)
        .await)
    .map_err(db_err)
}

/// Marks an action item done, by its owner or the secretariat, with an optional note.
pub async fn complete_action(db: &Db, ctx: &Ctx, id: &str, version: i32, note: &str) -> Result<()> {
    signed_in(ctx)?;
    let sql = format!("{ACTION_SELECT} WHERE a.id = $1");
    let item: ActionItem = with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id)
        .fetch_optional(p)
        .await)
    .map_err(db_err)?
    .ok_or(Error::NotFound)?;
    let mine = item.owner_id.as_deref() == Some(ctx.actor.id.as_str())
        || (item.owner_id.is_none()
            && item.owner_org_id.is_some()
            && item.owner_org_id == ctx.actor.org_id);
    if !mine && !manager(ctx) {
        return Err(Error::Forbidden);
    }
    if item.done_at.is_some() {
        return Ok(());
    }
    let mut errors = vec![];
    text("note", note, 2000, false, &mut errors);
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| sqlx::query(
        "UPDATE action_items SET done_at = $1, done_by = $2, done_note = $3, version = version + 1 WHERE id = $4 AND version = $5"
    )
    .bind(Ts::now())
    .bind(&ctx.actor.id)
    .bind(note.trim())
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    if n == 0 {
        return Err(Error::Conflict);
    }
    crate::inbox::resolve(&mut tx, ctx, "action_item", id, &["action_item"]).await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("action_item.done", "action_item", Some(id)),
    )
    .await?;
    tx.commit().await
}

/// Who an action item can be given to: every active user, as "name — organisation", then
/// every active organisation as a queue (`org:ID`).
pub async fn owner_choices(db: &Db, ctx: &Ctx) -> Result<Vec<(String, String)>> {
    ctx.actor.require(Permission::ManageNetwork)?;
    let rows: Vec<(String, String, String)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT u.id, u.full_name, o.name FROM users u JOIN organisations o ON o.id = u.org_id \
         WHERE u.active ORDER BY u.full_name"
    )
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    let orgs: Vec<(String, String)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT id, name FROM organisations WHERE active ORDER BY name"
    )
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, org)| (id, format!("{name} — {org}")))
        .chain(
            orgs.into_iter()
                .map(|(id, name)| (format!("org:{id}"), name)),
        )
        .collect())
}

/// A document of a meeting (not its content).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct MeetingDocument {
    pub id: String,
    pub title: String,
    pub filename: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_at: Ts,
}

fn document_aad(id: &str) -> String {
    format!("meeting_documents:{id}")
}

/// Adds a document to a meeting (PDF or image, type read from the bytes, sealed at rest).
pub async fn add_document(
    db: &Db,
    ctx: &Ctx,
    meeting_id: &str,
    title: &str,
    filename: &str,
    bytes: &[u8],
) -> Result<String> {
    ctx.actor.require(Permission::ManageNetwork)?;
    meeting_row(db, meeting_id).await?;
    let crate::case_documents::Prepared {
        media_type,
        filename,
        title,
        sha256: digest,
    } = crate::case_documents::prepare(db, title, filename, bytes)?;
    let id = new_id();
    let sealed = crate::crypto::keyring(db)?.seal(&document_aad(&id), bytes)?;
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO meeting_documents (id, meeting_id, title, filename, media_type, size_bytes, sha256, sealed, uploaded_by, uploaded_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)"
    )
    .bind(&id)
    .bind(meeting_id)
    .bind(&title)
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
    audit::append(
        &mut tx,
        ctx,
        Event::new("meeting.document.add", "meeting", Some(meeting_id))
            .details(json!({"document": id, "type": media_type, "bytes": bytes.len()})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn documents(db: &Db, ctx: &Ctx, meeting_id: &str) -> Result<Vec<MeetingDocument>> {
    signed_in(ctx)?;
    with_pool!(db, |p| sqlx::query_as(
        "SELECT id, title, filename, media_type, size_bytes, sha256, uploaded_at FROM meeting_documents \
         WHERE meeting_id = $1 ORDER BY uploaded_at"
    )
    .bind(meeting_id)
    .fetch_all(p)
    .await)
    .map_err(db_err)
}

/// A document's content for anyone signed in, checked against its digest; the read is
/// audited.
pub async fn document(
    db: &Db,
    ctx: &Ctx,
    meeting_id: &str,
    id: &str,
) -> Result<(MeetingDocument, Vec<u8>)> {
    signed_in(ctx)?;
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        doc: MeetingDocument,
        sealed: String,
    }
    let row: Row = with_pool!(db, |p| sqlx::query_as(
        "SELECT id, title, filename, media_type, size_bytes, sha256, uploaded_at, sealed FROM meeting_documents \
         WHERE id = $1 AND meeting_id = $2"
    )
    .bind(id)
    .bind(meeting_id)
    .fetch_optional(p)
    .await)
    .map_err(db_err)?
    .ok_or(Error::NotFound)?;
    let bytes = crate::crypto::keyring(db)?.open(&document_aad(id), &row.sealed)?;
    if hex::encode(Sha256::digest(&bytes)) != row.doc.sha256 {
        return Err(Error::Tampered);
    }
    audit::record(
        db,
        ctx,
        Event::new("meeting.document.read", "meeting", Some(meeting_id))
            .details(json!({"document": id})),
    )
    .await?;
    Ok((row.doc, bytes))
}
