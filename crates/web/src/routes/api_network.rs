//! The JSON API of the network: bodies, meetings (attendance, minutes, action items), one's
//! action items, trainings with their attendance, and the helpdesk, in the OpenAPI
//! description. The same rules as the pages; permissions are checked before the body is
//! read, so a caller out of bounds always gets 403.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::policy::Permission;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::api::{ApiError, json, rejection};
use crate::auth::Auth;
use crate::error::AppResult;
use crate::state::AppState;

fn ts(t: &store::Ts) -> String {
    t.0.to_rfc3339()
}

#[derive(Serialize, ToSchema)]
pub struct BodyOut {
    id: String,
    /// ctim, governance_table or working_group
    kind: String,
    name: String,
    description: String,
    parent_id: Option<String>,
    members_in_office: i64,
    next_meeting: Option<String>,
}

impl From<store::governance::Body> for BodyOut {
    fn from(b: store::governance::Body) -> Self {
        BodyOut {
            id: b.id,
            kind: b.kind,
            name: b.name,
            description: b.description,
            parent_id: b.parent_id,
            members_in_office: b.members,
            next_meeting: b.next_meeting.as_ref().map(ts),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MemberOut {
    id: String,
    org_id: String,
    org_name: String,
    representative: String,
    /// chair, secretary, member or observer
    role: String,
    from_date: String,
    to_date: Option<String>,
}

impl From<store::governance::Member> for MemberOut {
    fn from(m: store::governance::Member) -> Self {
        MemberOut {
            id: m.id,
            org_id: m.org_id,
            org_name: m.org_name,
            representative: m.representative,
            role: m.role,
            from_date: m.from_date.to_string(),
            to_date: m.to_date.map(|d| d.to_string()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MeetingOut {
    id: String,
    body_id: String,
    body_name: String,
    starts_at: String,
    place: String,
    link: String,
    agenda: Vec<String>,
    /// planned, held or cancelled
    status: String,
    /// none, draft, approved or published
    minutes_state: String,
    /// Empty unless the caller may read the minutes in their state.
    minutes: String,
    minutes_sha256: Option<String>,
    version: i32,
}

impl From<store::governance::Meeting> for MeetingOut {
    fn from(m: store::governance::Meeting) -> Self {
        MeetingOut {
            agenda: m.agenda_items().iter().map(|s| s.to_string()).collect(),
            starts_at: ts(&m.starts_at),
            id: m.id,
            body_id: m.body_id,
            body_name: m.body_name,
            place: m.place,
            link: m.link,
            status: m.status,
            minutes_state: m.minutes_state,
            minutes: m.minutes,
            minutes_sha256: m.minutes_hash,
            version: m.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BodyRecordOut {
    #[serde(flatten)]
    body: BodyOut,
    members: Vec<MemberOut>,
    meetings: Vec<MeetingOut>,
}

#[derive(Serialize, ToSchema)]
pub struct AttendeeOut {
    member_id: String,
    representative: String,
    org_name: String,
    /// Not recorded yet: null.
    present: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct ActionItemOut {
    id: String,
    meeting_id: String,
    body_name: String,
    title: String,
    /// The user who does it (none for an organisation's queue).
    owner_id: Option<String>,
    /// The organisation whose queue does it, when no user is named.
    owner_org_id: Option<String>,
    owner_name: String,
    due_on: String,
    /// ok, due_soon, overdue or done
    state: String,
    done_at: Option<String>,
    version: i32,
}

impl From<store::governance::ActionItem> for ActionItemOut {
    fn from(a: store::governance::ActionItem) -> Self {
        ActionItemOut {
            state: a.state(domain::clock::today()).as_str().to_string(),
            done_at: a.done_at.as_ref().map(ts),
            due_on: a.due_on.to_string(),
            id: a.id,
            meeting_id: a.meeting_id,
            body_name: a.body_name,
            title: a.title,
            owner_id: a.owner_id,
            owner_org_id: a.owner_org_id,
            owner_name: a.owner_name,
            version: a.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MeetingRecordOut {
    #[serde(flatten)]
    meeting: MeetingOut,
    attendance: Vec<AttendeeOut>,
    /// Read with the minutes: empty while the caller may not read them.
    decisions: Vec<String>,
    action_items: Vec<ActionItemOut>,
}

async fn meeting_record(st: &AppState, auth: &Auth, id: &str) -> AppResult<MeetingRecordOut> {
    let v = store::governance::meeting(&st.db, &auth.ctx, id).await?;
    Ok(MeetingRecordOut {
        attendance: v
            .attendees
            .into_iter()
            .map(|a| AttendeeOut {
                member_id: a.member.id,
                representative: a.member.representative,
                org_name: a.member.org_name,
                present: a.present,
            })
            .collect(),
        decisions: v.decisions.into_iter().map(|d| d.text).collect(),
        action_items: v.actions.into_iter().map(ActionItemOut::from).collect(),
        meeting: v.meeting.into(),
    })
}

#[utoipa::path(get, path = "/api/v1/bodies", tag = "network",
    responses((status = 200, body = [BodyOut])), security(("bearer" = [])))]
pub async fn bodies(State(st): State<AppState>, auth: Auth) -> AppResult<Response> {
    let list = store::governance::bodies(&st.db, &auth.ctx).await?;
    Ok(json(
        StatusCode::OK,
        list.into_iter().map(BodyOut::from).collect::<Vec<_>>(),
    ))
}

#[utoipa::path(get, path = "/api/v1/bodies/{id}", tag = "network", params(("id" = String, Path)),
    responses((status = 200, body = BodyRecordOut), (status = 404, body = ApiError)), security(("bearer" = [])))]
pub async fn body(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let v = store::governance::body(&st.db, &auth.ctx, &id).await?;
    Ok(json(
        StatusCode::OK,
        BodyRecordOut {
            body: v.body.into(),
            members: v.members.into_iter().map(MemberOut::from).collect(),
            meetings: v.meetings.into_iter().map(MeetingOut::from).collect(),
        },
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewMeeting {
    /// Rome's local time, `YYYY-MM-DDTHH:MM`.
    starts_at: String,
    #[serde(default)]
    place: String,
    /// `https://…`
    #[serde(default)]
    link: String,
    agenda: Vec<String>,
}

#[utoipa::path(post, path = "/api/v1/bodies/{id}/meetings", tag = "network", params(("id" = String, Path)),
    request_body = NewMeeting,
    responses((status = 201, body = MeetingRecordOut), (status = 403, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn create_meeting(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<NewMeeting>, JsonRejection>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::ManageNetwork)?;
    let Json(n) = payload.map_err(rejection)?;
    let m = store::governance::create_meeting(
        &st.db,
        &auth.ctx,
        &id,
        &store::governance::MeetingInput {
            starts_at: n.starts_at,
            place: n.place,
            link: n.link,
            agenda: n.agenda.join("\n"),
        },
    )
    .await?;
    Ok(json(
        StatusCode::CREATED,
        meeting_record(&st, &auth, &m).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "network", params(("id" = String, Path)),
    responses((status = 200, body = MeetingRecordOut), (status = 404, body = ApiError)), security(("bearer" = [])))]
pub async fn meeting(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    Ok(json(StatusCode::OK, meeting_record(&st, &auth, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct AttendanceIn {
    version: i32,
    /// The members (or, for a course session, the enrolments) present; everyone else was
    /// absent.
    present: Vec<String>,
}

#[utoipa::path(put, path = "/api/v1/meetings/{id}/attendance", tag = "network", params(("id" = String, Path)),
    request_body = AttendanceIn,
    responses((status = 200, body = MeetingRecordOut), (status = 403, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn attendance(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<AttendanceIn>, JsonRejection>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::ManageNetwork)?;
    let Json(a) = payload.map_err(rejection)?;
    store::governance::record_attendance(&st.db, &auth.ctx, &id, a.version, &a.present).await?;
    Ok(json(StatusCode::OK, meeting_record(&st, &auth, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct MinutesStep {
    version: i32,
    /// save (a draft, with `text`), approve or publish
    step: String,
    #[serde(default)]
    text: String,
    /// For `save`: decisions to add with the draft.
    #[serde(default)]
    decisions: Vec<String>,
}

#[utoipa::path(post, path = "/api/v1/meetings/{id}/minutes", tag = "network", params(("id" = String, Path)),
    request_body = MinutesStep,
    responses((status = 200, body = MeetingRecordOut), (status = 403, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn minutes(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<MinutesStep>, JsonRejection>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::ManageNetwork)?;
    let Json(m) = payload.map_err(rejection)?;
    let (db, ctx) = (&st.db, &auth.ctx);
    match m.step.as_str() {
        "save" => {
            let mut v = store::governance::save_minutes(db, ctx, &id, m.version, &m.text).await?;
            for d in &m.decisions {
                v = store::governance::add_decision(db, ctx, &id, v, d).await?;
            }
        }
        "approve" => {
            store::governance::approve_minutes(db, ctx, &id, m.version).await?;
        }
        "publish" => {
            store::governance::publish_minutes(db, ctx, &id, m.version).await?;
        }
        _ => {
            return Err(domain::Error::Validation(vec![domain::FieldError::new(
                "step",
                "field_invalid_choice",
            )])
            .into());
        }
    }
    Ok(json(StatusCode::OK, meeting_record(&st, &auth, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct NewActionItem {
    title: String,
    /// A user's id, or `org:ID` for an organisation's queue.
    owner_id: String,
    /// `YYYY-MM-DD`
    due_on: String,
}

#[utoipa::path(post, path = "/api/v1/meetings/{id}/action-items", tag = "network", params(("id" = String, Path)),
    request_body = NewActionItem,
    responses((status = 201, body = MeetingRecordOut), (status = 403, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn add_action_item(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<NewActionItem>, JsonRejection>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::ManageNetwork)?;
    let Json(a) = payload.map_err(rejection)?;
    store::governance::add_action(
        &st.db,
        &auth.ctx,
        &id,
        &store::governance::ActionInput {
            title: a.title,
            owner_id: a.owner_id,
            due_on: a.due_on,
        },
    )
    .await?;
    Ok(json(
        StatusCode::CREATED,
        meeting_record(&st, &auth, &id).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/action-items", tag = "network",
    responses((status = 200, body = [ActionItemOut])), security(("bearer" = [])))]
pub async fn my_action_items(State(st): State<AppState>, auth: Auth) -> AppResult<Response> {
    let list = store::governance::my_actions(&st.db, &auth.ctx).await?;
    Ok(json(
        StatusCode::OK,
        list.into_iter()
            .map(ActionItemOut::from)
            .collect::<Vec<_>>(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct DoneIn {
    version: i32,
    #[serde(default)]
    note: String,
}

#[utoipa::path(post, path = "/api/v1/action-items/{id}/done", tag = "network", params(("id" = String, Path)),
    request_body = DoneIn,
    responses((status = 200, description = "The caller's open action items, the done one gone", body = [ActionItemOut]),
        (status = 403, body = ApiError), (status = 409, body = ApiError)),
    security(("bearer" = [])))]
pub async fn action_item_done(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<DoneIn>, JsonRejection>,
) -> AppResult<Response> {
    let Json(d) = payload.map_err(rejection)?;
    store::governance::complete_action(&st.db, &auth.ctx, &id, d.version, &d.note).await?;
    my_action_items(State(st), auth).await
}

#[derive(Serialize, ToSchema)]
pub struct CourseOut {
    id: String,
    title: String,
    /// patronati, managing_bodies or operators
    audience: String,
    procedure_code: Option<String>,
    min_attendance_pct: i32,
    /// How many sessions the course has (the record lists them in `sessions`).
    session_count: i64,
    enrolled: i64,
}

impl From<store::trainings::Course> for CourseOut {
    fn from(c: store::trainings::Course) -> Self {
        CourseOut {
            id: c.id,
            title: c.title,
            audience: c.audience,
            procedure_code: c.procedure_code,
            min_attendance_pct: c.min_attendance_pct,
            session_count: c.sessions,
            enrolled: c.enrolled,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SessionOut {
    id: String,
    starts_at: String,
    minutes: i32,
    /// classroom, online or on_the_job
    kind: String,
    place: String,
    host_org_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ParticipantOut {
    enrolment_id: String,
    full_name: String,
    org_name: String,
    /// Per session, in order: present, absent, or null when not recorded.
    attendance: Vec<Option<bool>>,
    minutes_attended: i32,
    survey_answered: bool,
    certificate_code: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CourseRecordOut {
    #[serde(flatten)]
    course: CourseOut,
    sessions: Vec<SessionOut>,
    /// Every participant for a trainer; only oneself otherwise.
    participants: Vec<ParticipantOut>,
    survey_useful: i64,
    survey_answered: i64,
}

async fn course_record(st: &AppState, auth: &Auth, id: &str) -> AppResult<CourseRecordOut> {
    let v = store::trainings::course(&st.db, &auth.ctx, id).await?;
    Ok(CourseRecordOut {
        sessions: v
            .sessions
            .iter()
            .map(|s| SessionOut {
                id: s.id.clone(),
                starts_at: ts(&s.starts_at),
                minutes: s.minutes,
                kind: s.kind.clone(),
                place: s.place.clone(),
                host_org_id: s.host_org_id.clone(),
            })
            .collect(),
        participants: v
            .standings
            .into_iter()
            .map(|p| ParticipantOut {
                enrolment_id: p.enrolment.id,
                full_name: p.enrolment.full_name,
                org_name: p.enrolment.org_name,
                attendance: p.marks,
                minutes_attended: p.minutes_attended,
                survey_answered: p.survey_done,
                certificate_code: p.certificate,
            })
            .collect(),
        survey_useful: v.survey.0,
        survey_answered: v.survey.1,
        course: v.course.into(),
    })
}

#[utoipa::path(get, path = "/api/v1/courses", tag = "trainings",
    responses((status = 200, body = [CourseOut])), security(("bearer" = [])))]
pub async fn courses(State(st): State<AppState>, auth: Auth) -> AppResult<Response> {
    let list = store::trainings::courses(&st.db, &auth.ctx).await?;
    Ok(json(
        StatusCode::OK,
        list.into_iter().map(CourseOut::from).collect::<Vec<_>>(),
    ))
}

#[utoipa::path(get, path = "/api/v1/courses/{id}", tag = "trainings", params(("id" = String, Path)),
    responses((status = 200, body = CourseRecordOut), (status = 404, body = ApiError)), security(("bearer" = [])))]
pub async fn course(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    Ok(json(StatusCode::OK, course_record(&st, &auth, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct SessionAttendanceIn {
    /// The enrolments present; everyone else enrolled was absent.
    present: Vec<String>,
}

#[utoipa::path(put, path = "/api/v1/course-sessions/{id}/attendance", tag = "trainings", params(("id" = String, Path)),
    request_body = SessionAttendanceIn,
    responses((status = 200, body = CourseRecordOut), (status = 403, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn session_attendance(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<SessionAttendanceIn>, JsonRejection>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::ManageTrainings)?;
    let Json(a) = payload.map_err(rejection)?;
    let course = store::trainings::record_attendance(&st.db, &auth.ctx, &id, &a.present).await?;
    Ok(json(
        StatusCode::OK,
        course_record(&st, &auth, &course).await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct QuestionOut {
    id: String,
    org_name: String,
    asker_name: String,
    procedure_code: Option<String>,
    subject: String,
    body: String,
    /// open or answered
    status: String,
    asked_at: String,
    answer: String,
    answered_at: Option<String>,
    /// Hours from question to first answer.
    response_hours: Option<f64>,
    kb_entry_id: Option<String>,
    version: i32,
}

impl From<store::helpdesk::Question> for QuestionOut {
    fn from(q: store::helpdesk::Question) -> Self {
        QuestionOut {
            response_hours: q.response_hours(),
            asked_at: ts(&q.asked_at),
            answered_at: q.answered_at.as_ref().map(ts),
            id: q.id,
            org_name: q.org_name,
            asker_name: q.asker_name,
            procedure_code: q.procedure_code,
            subject: q.subject,
            body: q.body,
            status: q.status,
            answer: q.answer,
            kb_entry_id: q.kb_entry_id,
            version: q.version,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/helpdesk/questions", tag = "helpdesk",
    responses((status = 200, body = [QuestionOut]), (status = 403, body = ApiError)), security(("bearer" = [])))]
pub async fn questions(State(st): State<AppState>, auth: Auth) -> AppResult<Response> {
    let list = store::helpdesk::questions(&st.db, &auth.ctx).await?;
    Ok(json(
        StatusCode::OK,
        list.into_iter().map(QuestionOut::from).collect::<Vec<_>>(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewQuestion {
    #[serde(default)]
    procedure_code: String,
    subject: String,
    body: String,
}

#[utoipa::path(post, path = "/api/v1/helpdesk/questions", tag = "helpdesk", request_body = NewQuestion,
    responses((status = 201, body = QuestionOut), (status = 403, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn ask(
    State(st): State<AppState>,
    auth: Auth,
    payload: Result<Json<NewQuestion>, JsonRejection>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::AskHelpdesk)?;
    let Json(n) = payload.map_err(rejection)?;
    let id = store::helpdesk::ask(
        &st.db,
        &auth.ctx,
        &store::helpdesk::AskInput {
            procedure_code: n.procedure_code,
            subject: n.subject,
            body: n.body,
        },
    )
    .await?;
    let q = store::helpdesk::question(&st.db, &auth.ctx, &id).await?;
    Ok(json(StatusCode::CREATED, QuestionOut::from(q)))
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerIn {
    version: i32,
    answer: String,
}

#[utoipa::path(post, path = "/api/v1/helpdesk/questions/{id}/answer", tag = "helpdesk", params(("id" = String, Path)),
    request_body = AnswerIn,
    responses((status = 200, body = QuestionOut), (status = 403, body = ApiError), (status = 409, body = ApiError)),
    security(("bearer" = [])))]
pub async fn answer(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<AnswerIn>, JsonRejection>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::AnswerHelpdesk)?;
    let Json(a) = payload.map_err(rejection)?;
    store::helpdesk::answer(&st.db, &auth.ctx, &id, a.version, &a.answer).await?;
    let q = store::helpdesk::question(&st.db, &auth.ctx, &id).await?;
    Ok(json(StatusCode::OK, QuestionOut::from(q)))
}

#[derive(Serialize, ToSchema)]
pub struct KbEntryOut {
    id: String,
    procedure_code: Option<String>,
    question: String,
    answer: String,
    updated_at: String,
}

#[derive(Deserialize, Default)]
pub struct KbQ {
    #[serde(default)]
    q: String,
    #[serde(default)]
    procedure: String,
}

#[utoipa::path(get, path = "/api/v1/kb", tag = "helpdesk", params(("q" = Option<String>, Query), ("procedure" = Option<String>, Query)),
    responses((status = 200, body = [KbEntryOut])), security(("bearer" = [])))]
pub async fn kb(
    State(st): State<AppState>,
    auth: Auth,
    Query(k): Query<KbQ>,
) -> AppResult<Response> {
    let list = store::helpdesk::search_kb(&st.db, &auth.ctx, &k.q, k.procedure.trim()).await?;
    Ok(json(
        StatusCode::OK,
        list.into_iter()
            .map(|e| KbEntryOut {
                updated_at: ts(&e.updated_at),
                id: e.id,
                procedure_code: e.procedure_code,
                question: e.question,
                answer: e.answer,
            })
            .collect::<Vec<_>>(),
    ))
}
