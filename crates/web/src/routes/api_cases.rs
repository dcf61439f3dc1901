//! The JSON API of cases: cases, tasks, referrals and transfers, notes, appointments and
//! documents. Same store functions as the pages; described in the OpenAPI document.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::Error;
use domain::policy::Permission;
use serde::Serialize;
use utoipa::ToSchema;

use super::api::{ApiError, json, rejection};
use crate::auth::Auth;
use crate::error::AppResult;
use crate::state::AppState;

/// A case as the API returns it: the case, its legal deadline with the rule it comes from,
/// tasks, timeline and referrals.
#[derive(Serialize, ToSchema)]
pub struct CaseOut {
    id: String,
    person_id: String,
    procedure: String,
    owner_org_id: String,
    status: String,
    filed_on: Option<String>,
    decided_on: Option<String>,
    version: i32,
    deadline: Option<DeadlineOut>,
    tasks: Vec<TaskOut>,
    referrals: Vec<ReferralOut>,
    notes: Vec<NoteOut>,
    appointments: Vec<AppointmentOut>,
    documents: Vec<DocumentOut>,
    /// Whether the caller may work on the case (not only read it).
    can_work: bool,
}

#[derive(Serialize, ToSchema)]
pub struct NoteOut {
    id: String,
    author_id: String,
    created_at: String,
    body: String,
}

#[derive(Serialize, ToSchema)]
pub struct AppointmentOut {
    id: String,
    /// Local time in Rome, YYYY-MM-DDTHH:MM:SS
    starts_at: String,
    place: String,
    purpose: Option<String>,
    /// planned, done, missed, cancelled
    status: String,
}

/// A document's description; its content is at `/api/v1/cases/{case}/documents/{id}`.
#[derive(Serialize, ToSchema)]
pub struct DocumentOut {
    id: String,
    title: String,
    filename: String,
    media_type: String,
    size_bytes: i64,
    sha256: String,
    uploaded_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct DeadlineOut {
    due: String,
    due_extended: Option<String>,
    /// ok, due_soon, overdue, done
    state: String,
    rule_id: String,
    basis: String,
}

#[derive(Serialize, ToSchema)]
pub struct TaskOut {
    id: String,
    title: String,
    due_on: Option<String>,
    done: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ReferralOut {
    id: String,
    /// referral (help on the case) or transfer (hand the case over)
    kind: String,
    from_org_id: String,
    to_org_id: String,
    /// requested, accepted, rejected, completed
    status: String,
    note: Option<String>,
    answer: Option<String>,
    outcome: Option<String>,
}

impl From<store::referrals::Referral> for ReferralOut {
    fn from(r: store::referrals::Referral) -> Self {
        ReferralOut {
            id: r.id,
            kind: r.kind,
            from_org_id: r.from_org_id,
            to_org_id: r.to_org_id,
            status: r.status,
            note: r.note,
            answer: r.answer,
            outcome: r.outcome,
        }
    }
}

impl From<store::cases::CaseView> for CaseOut {
    fn from(v: store::cases::CaseView) -> Self {
        CaseOut {
            id: v.case.id,
            person_id: v.case.person_id,
            procedure: v.case.procedure_code,
            owner_org_id: v.case.owner_org_id,
            status: v.case.status,
            filed_on: v.case.filed_on.map(|d| d.to_string()),
            decided_on: v.case.decided_on.map(|d| d.to_string()),
            version: v.case.version,
            deadline: v.deadline.map(|d| DeadlineOut {
                due: d.due.to_string(),
                due_extended: d.due_extended.map(|x| x.to_string()),
                state: d.state.as_str().to_string(),
                rule_id: d.rule.id,
                basis: d.rule.basis,
            }),
            tasks: v
                .tasks
                .into_iter()
                .map(|t| TaskOut {
                    id: t.id,
                    title: t.title,
                    due_on: t.due_on.map(|d| d.to_string()),
                    done: t.done_at.is_some(),
                })
                .collect(),
            referrals: v.referrals.into_iter().map(ReferralOut::from).collect(),
            notes: v
                .notes
                .into_iter()
                .map(|n| NoteOut {
                    id: n.id,
                    author_id: n.author_id,
                    created_at: n.created_at.to_text(),
                    body: n.body,
                })
                .collect(),
            appointments: v
                .appointments
                .into_iter()
                .map(|a| AppointmentOut {
                    id: a.id,
                    starts_at: a.starts_at.format("%Y-%m-%dT%H:%M:%S").to_string(),
                    place: a.place,
                    purpose: a.purpose,
                    status: a.status,
                })
                .collect(),
            documents: v.documents.into_iter().map(DocumentOut::from).collect(),
            can_work: v.can_work,
        }
    }
}

impl From<store::case_documents::Document> for DocumentOut {
    fn from(d: store::case_documents::Document) -> Self {
        DocumentOut {
            id: d.id,
            title: d.title,
            filename: d.filename,
            media_type: d.media_type,
            size_bytes: d.size_bytes,
            sha256: d.sha256,
            uploaded_at: d.uploaded_at.to_text(),
        }
    }
}

#[derive(serde::Deserialize, ToSchema)]
pub struct NewCase {
    person_id: String,
    /// A procedure code of the catalogue, e.g. family_reunification.
    procedure: String,
    /// YYYY-MM-DD; the legal term runs from it.
    #[serde(default)]
    filed_on: String,
}

#[derive(serde::Deserialize, ToSchema)]
pub struct NewReferral {
    to_org_id: String,
    /// referral (default) or transfer
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    note: String,
}

#[derive(serde::Deserialize, ToSchema)]
pub struct Answer {
    /// Required to reject.
    #[serde(default)]
    answer: String,
}

#[derive(serde::Deserialize, ToSchema)]
pub struct NewTask {
    title: String,
    /// YYYY-MM-DD
    #[serde(default)]
    due_on: String,
    /// Who does it: `user:ID` or `org:ID` (a queue) of an organisation working on the case;
    /// empty for no one in particular.
    #[serde(default)]
    assignee: String,
}

#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = String, Path), crate::routes::api::PurposeQuery),
    responses((status = 200, body = CaseOut), (status = 403, body = ApiError, description = "`forbidden`, or `purpose_required`: the case is outside the caller's organisation and referrals, so the call must state a `purpose`"), (status = 404, body = ApiError), (status = 422, body = ApiError, description = "A `purpose` that is not one of the list, or `other` without `purpose_note`")),
    security(("bearer" = [])))]
pub async fn case(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<crate::routes::api::PurposeQuery>,
) -> AppResult<Response> {
    let v = match store::cases::get_case(&st.db, &auth.ctx, &id).await {
        Err(domain::Error::PurposeRequired) if q.purpose.is_some() => {
            q.state(&st, &auth, "case", &id).await?;
            store::cases::get_case(&st.db, &auth.ctx, &id).await?
        }
        r => r?,
    };
    Ok(json(StatusCode::OK, CaseOut::from(v)))
}

#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = NewCase,
    responses((status = 201, body = CaseOut), (status = 403, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn create_case(
    State(st): State<AppState>,
    auth: Auth,
    payload: Result<Json<NewCase>, JsonRejection>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::EditCases)?;
    let Json(n) = payload.map_err(rejection)?;
    let id = store::cases::create_case(&st.db, &auth.ctx, &n.person_id, &n.procedure, &n.filed_on)
        .await?;
    let v = store::cases::get_case(&st.db, &auth.ctx, &id).await?;
    Ok(json(StatusCode::CREATED, CaseOut::from(v)))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/tasks", tag = "cases", params(("id" = String, Path)), request_body = NewTask,
    responses((status = 201, body = CaseOut), (status = 403, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn add_task(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<NewTask>, JsonRejection>,
) -> AppResult<Response> {
    // Whether the case is within reach is answered before anything about the body.
    store::cases::require_work(&st.db, &auth.ctx, &id).await?;
    let Json(t) = payload.map_err(rejection)?;
    store::cases::add_task(&st.db, &auth.ctx, &id, &t.title, &t.due_on, &t.assignee).await?;
    let v = store::cases::get_case(&st.db, &auth.ctx, &id).await?;
    Ok(json(StatusCode::CREATED, CaseOut::from(v)))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/referrals", tag = "cases", params(("id" = String, Path)), request_body = NewReferral,
    responses((status = 201, body = ReferralOut),
              (status = 422, body = ApiError, description = "e.g. consent_required: the person has not consented to sharing"),
              (status = 403, body = ApiError)),
    security(("bearer" = [])))]
pub async fn refer(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<NewReferral>, JsonRejection>,
) -> AppResult<Response> {
    store::cases::require_work(&st.db, &auth.ctx, &id).await?;
    let Json(r) = payload.map_err(rejection)?;
    let kind = match r.kind.as_deref() {
        None => store::referrals::Kind::Referral,
        Some(k) => {
            store::referrals::Kind::parse(k).ok_or(Error::field("kind", "field_required"))?
        }
    };
    let rid = store::referrals::refer(&st.db, &auth.ctx, &id, kind, &r.to_org_id, &r.note).await?;
    let v = store::cases::get_case(&st.db, &auth.ctx, &id).await?;
    let created = v
        .referrals
        .into_iter()
        .find(|x| x.id == rid)
        .ok_or(Error::NotFound)?;
    Ok(json(StatusCode::CREATED, ReferralOut::from(created)))
}

async fn decide(
    st: &AppState,
    auth: &Auth,
    id: &str,
    accept: bool,
    payload: Result<Json<Answer>, JsonRejection>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::EditCases)?;
    let answer = match payload {
        Ok(Json(a)) => a.answer,
        // An empty body is a plain "accept".
        Err(JsonRejection::MissingJsonContentType(_)) if accept => String::new(),
        Err(e) => return Err(rejection(e).into()),
    };
    let case_id = store::referrals::decide_referral(&st.db, &auth.ctx, id, accept, &answer).await?;
    let v = store::cases::get_case(&st.db, &auth.ctx, &case_id).await;
    match v {
        Ok(v) => Ok(json(StatusCode::OK, CaseOut::from(v))),
        // A rejected referral closes the case to the receiver: answer with no body.
        Err(Error::Forbidden) => Ok(json(
            StatusCode::OK,
            serde_json::json!({"case_id": case_id, "status": "rejected"}),
        )),
        Err(e) => Err(e.into()),
    }
}

#[utoipa::path(post, path = "/api/v1/referrals/{id}/accept", tag = "cases", params(("id" = String, Path)),
    responses((status = 200, body = CaseOut), (status = 403, body = ApiError), (status = 409, body = ApiError)),
    security(("bearer" = [])))]
pub async fn accept_referral(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<Answer>, JsonRejection>,
) -> AppResult<Response> {
    decide(&st, &auth, &id, true, payload).await
}

#[utoipa::path(post, path = "/api/v1/referrals/{id}/reject", tag = "cases", params(("id" = String, Path)), request_body = Answer,
    responses((status = 200), (status = 403, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn reject_referral(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<Answer>, JsonRejection>,
) -> AppResult<Response> {
    decide(&st, &auth, &id, false, payload).await
}

#[derive(serde::Deserialize, ToSchema)]
pub struct Outcome {
    /// What was done for the person.
    outcome: String,
}

#[utoipa::path(post, path = "/api/v1/referrals/{id}/complete", tag = "cases", params(("id" = String, Path)), request_body = Outcome,
    responses((status = 200, body = CaseOut), (status = 403, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn complete_referral(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<Outcome>, JsonRejection>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::EditCases)?;
    let Json(o) = payload.map_err(rejection)?;
    let case_id = store::referrals::complete_referral(&st.db, &auth.ctx, &id, &o.outcome).await?;
    let v = store::cases::get_case(&st.db, &auth.ctx, &case_id).await?;
    Ok(json(StatusCode::OK, CaseOut::from(v)))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/tasks/{task}/done", tag = "cases",
    params(("id" = String, Path), ("task" = String, Path)),
    responses((status = 200, body = CaseOut), (status = 403, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn complete_task(
    State(st): State<AppState>,
    auth: Auth,
    Path((id, task)): Path<(String, String)>,
) -> AppResult<Response> {
    store::cases::complete_task(&st.db, &auth.ctx, &id, &task).await?;
    let v = store::cases::get_case(&st.db, &auth.ctx, &id).await?;
    Ok(json(StatusCode::OK, CaseOut::from(v)))
}

#[derive(serde::Deserialize, ToSchema)]
pub struct NewNote {
    body: String,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/notes", tag = "cases", params(("id" = String, Path)), request_body = NewNote,
    responses((status = 201, body = CaseOut), (status = 403, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn add_note(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<NewNote>, JsonRejection>,
) -> AppResult<Response> {
    store::cases::require_work(&st.db, &auth.ctx, &id).await?;
    let Json(n) = payload.map_err(rejection)?;
    store::case_notes::add_note(&st.db, &auth.ctx, &id, &n.body).await?;
    let v = store::cases::get_case(&st.db, &auth.ctx, &id).await?;
    Ok(json(StatusCode::CREATED, CaseOut::from(v)))
}

#[derive(serde::Deserialize, ToSchema)]
pub struct NewAppointment {
    /// Local time in Rome: YYYY-MM-DDTHH:MM
    starts_at: String,
    place: String,
    #[serde(default)]
    purpose: String,
    /// A partner organisation the appointment is with (it is asked to confirm it).
    #[serde(default)]
    partner_org: String,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/appointments", tag = "cases", params(("id" = String, Path)), request_body = NewAppointment,
    responses((status = 201, body = CaseOut), (status = 403, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn add_appointment(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<NewAppointment>, JsonRejection>,
) -> AppResult<Response> {
    store::cases::require_work(&st.db, &auth.ctx, &id).await?;
    let Json(a) = payload.map_err(rejection)?;
    store::appointments::add_appointment(
        &st.db,
        &auth.ctx,
        &id,
        &a.starts_at,
        &a.place,
        &a.purpose,
        &a.partner_org,
    )
    .await?;
    let v = store::cases::get_case(&st.db, &auth.ctx, &id).await?;
    Ok(json(StatusCode::CREATED, CaseOut::from(v)))
}

/// The multipart form of an upload (for the description only).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DocumentUpload {
    /// A short description, e.g. "Passport, first page".
    title: Option<String>,
    /// PDF, JPEG, PNG or WebP, at most the configured size (10 MiB by default).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/documents", tag = "cases", params(("id" = String, Path)),
    request_body(content = DocumentUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = DocumentOut), (status = 403, body = ApiError),
              (status = 422, body = ApiError, description = "document_type_not_allowed, document_too_large, document_empty")),
    security(("bearer" = [])))]
pub async fn upload_document(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    req: Request,
) -> AppResult<Response> {
    store::cases::require_work(&st.db, &auth.ctx, &id).await?;
    let m = Multipart::from_request(req, &st)
        .await
        .map_err(|_| Error::UnsupportedMediaType)?;
    let up = super::case_records::read_upload(m).await?;
    let doc =
        store::case_documents::upload(&st.db, &auth.ctx, &id, &up.title, &up.filename, &up.bytes)
            .await?;
    let v = store::cases::get_case(&st.db, &auth.ctx, &id).await?;
    let d = v
        .documents
        .into_iter()
        .find(|d| d.id == doc)
        .ok_or(Error::NotFound)?;
    Ok(json(StatusCode::CREATED, DocumentOut::from(d)))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/documents/{doc}", tag = "cases",
    params(("id" = String, Path), ("doc" = String, Path)),
    responses((status = 200, description = "The document's bytes, with its media type", content_type = "application/octet-stream"),
              (status = 403, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn download_document(
    State(st): State<AppState>,
    auth: Auth,
    Path((id, doc)): Path<(String, String)>,
) -> AppResult<Response> {
    let d = store::case_documents::download(&st.db, &auth.ctx, &id, &doc).await?;
    Ok(super::case_records::download_response(d))
}
