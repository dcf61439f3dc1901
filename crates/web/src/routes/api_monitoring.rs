//! The JSON API of inspections, findings and corrective actions, in the OpenAPI
//! description. The same rules as the pages: a centre's manager sees closed inspections of
//! their own centres and answers their actions; the monitoring office does the rest.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::api::{ApiError, json, rejection};
use crate::auth::Auth;
use crate::error::AppResult;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct InspectionOut {
    id: String,
    centre_id: String,
    centre_name: String,
    /// scheduled or unannounced
    kind: String,
    /// planned, in_progress, closed, cancelled
    status: String,
    planned_on: String,
    visited_on: Option<String>,
    /// Overall score in percent, once closed.
    score: Option<f64>,
    /// SHA-256 of the closed content.
    content_hash: Option<String>,
    team: String,
    version: i32,
}

impl From<store::inspections::Inspection> for InspectionOut {
    fn from(i: store::inspections::Inspection) -> Self {
        InspectionOut {
            id: i.id,
            centre_id: i.centre_id,
            centre_name: i.centre_name,
            kind: i.kind,
            status: i.status,
            planned_on: i.planned_on.to_string(),
            visited_on: i.visited_on.map(|d| d.to_string()),
            score: i.score,
            content_hash: i.content_hash,
            team: i.team,
            version: i.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AnswerOut {
    item_id: String,
    /// yes, no, na, a number, or text
    value: String,
    note: String,
    rev: i32,
}

#[derive(Serialize, ToSchema)]
pub struct HeadingOut {
    heading: String,
    percent: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct FindingOut {
    id: String,
    item_id: Option<String>,
    /// minor, major, critical
    severity: String,
    description: String,
    action_required: String,
    due_days: i32,
}

#[derive(Serialize, ToSchema)]
pub struct InspectionRecordOut {
    #[serde(flatten)]
    inspection: InspectionOut,
    answers: Vec<AnswerOut>,
    headings: Vec<HeadingOut>,
    findings: Vec<FindingOut>,
    /// For a closed inspection: true when its content still matches its hash (a mismatch
    /// answers 409 `tampered` instead).
    verified: bool,
}

#[derive(Deserialize, Default)]
pub struct InspectionsQ {
    #[serde(default)]
    centre: String,
}

#[utoipa::path(get, path = "/api/v1/inspections", tag = "monitoring", params(("centre" = Option<String>, Query)),
    responses((status = 200, body = [InspectionOut]), (status = 403, body = ApiError)),
    security(("bearer" = [])))]
pub async fn inspections(
    State(st): State<AppState>,
    auth: Auth,
    Query(q): Query<InspectionsQ>,
) -> AppResult<Response> {
    let centre = (!q.centre.is_empty()).then_some(q.centre.as_str());
    let list = store::inspections::list(&st.db, &auth.ctx, centre).await?;
    Ok(json(
        StatusCode::OK,
        list.into_iter()
            .map(InspectionOut::from)
            .collect::<Vec<_>>(),
    ))
}

async fn record(st: &AppState, auth: &Auth, id: &str) -> AppResult<InspectionRecordOut> {
    let i = store::inspections::get(&st.db, &auth.ctx, id).await?;
    let (s, verified) = if i.is_closed() {
        (
            store::inspections::verified(&st.db, &auth.ctx, id).await?.0,
            true,
        )
    } else {
        (
            store::inspections::sheet(&st.db, &auth.ctx, id).await?,
            false,
        )
    };
    Ok(InspectionRecordOut {
        answers: s
            .answers
            .iter()
            .map(|a| AnswerOut {
                item_id: a.item_id.clone(),
                value: a.value.clone(),
                note: a.note.clone(),
                rev: a.rev,
            })
            .collect(),
        headings: s
            .headings
            .iter()
            .map(|h| HeadingOut {
                heading: h.heading.clone(),
                percent: h.percent,
            })
            .collect(),
        findings: s
            .findings
            .iter()
            .map(|f| FindingOut {
                id: f.id.clone(),
                item_id: f.item_id.clone(),
                severity: f.severity.clone(),
                description: f.description.clone(),
                action_required: f.action_required.clone(),
                due_days: f.due_days,
            })
            .collect(),
        inspection: s.inspection.into(),
        verified,
    })
}

#[utoipa::path(get, path = "/api/v1/inspections/{id}", tag = "monitoring", params(("id" = String, Path)),
    responses((status = 200, body = InspectionRecordOut), (status = 404, body = ApiError), (status = 409, body = ApiError)),
    security(("bearer" = [])))]
pub async fn inspection(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    Ok(json(StatusCode::OK, record(&st, &auth, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct NewAnswer {
    item_id: String,
    /// yes, no or na for yes/no items; a number or na; text
    value: String,
    #[serde(default)]
    note: String,
    /// The revision of the answer the client saw (0 for none).
    #[serde(default)]
    rev: i32,
}

#[derive(Serialize, ToSchema)]
pub struct SavedOut {
    rev: i32,
}

#[utoipa::path(post, path = "/api/v1/inspections/{id}/answers", tag = "monitoring", params(("id" = String, Path)), request_body = NewAnswer,
    responses((status = 200, body = SavedOut), (status = 409, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn answer(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<NewAnswer>, JsonRejection>,
) -> AppResult<Response> {
    auth.ctx
        .actor
        .require(domain::policy::Permission::Inspect)?;
    let Json(a) = payload.map_err(rejection)?;
    match store::inspections::answer(&st.db, &auth.ctx, &id, &a.item_id, &a.value, &a.note, a.rev)
        .await?
    {
        Ok(s) => Ok(json(StatusCode::OK, SavedOut { rev: s.rev })),
        Err(_) => Err(domain::Error::Conflict.into()),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ActionOut {
    id: String,
    finding_id: String,
    inspection_id: String,
    centre_id: String,
    centre_name: String,
    severity: String,
    description: String,
    action_required: String,
    due_on: String,
    /// open, answered, verified
    status: String,
    overdue: bool,
    version: i32,
}

impl From<store::corrective::Action> for ActionOut {
    fn from(a: store::corrective::Action) -> Self {
        ActionOut {
            overdue: a.overdue(),
            id: a.id,
            finding_id: a.finding_id,
            inspection_id: a.inspection_id,
            centre_id: a.centre_id,
            centre_name: a.centre_name,
            severity: a.severity,
            description: a.description,
            action_required: a.action_required,
            due_on: a.due_on.to_string(),
            status: a.status,
            version: a.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ActionEventOut {
    /// answer, verify, reopen, penalty
    kind: String,
    body: String,
    due_on: Option<String>,
    amount_cents: Option<i32>,
    by: String,
    at: String,
    files: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ActionRecordOut {
    #[serde(flatten)]
    action: ActionOut,
    events: Vec<ActionEventOut>,
}

#[utoipa::path(get, path = "/api/v1/actions", tag = "monitoring", params(("centre" = Option<String>, Query), ("status" = Option<String>, Query, description = "open (default), verified or all")),
    responses((status = 200, body = [ActionOut]), (status = 403, body = ApiError)),
    security(("bearer" = [])))]
pub async fn actions(
    State(st): State<AppState>,
    auth: Auth,
    Query(f): Query<store::corrective::Filter>,
) -> AppResult<Response> {
    let list = store::corrective::list(&st.db, &auth.ctx, &f).await?;
    Ok(json(
        StatusCode::OK,
        list.into_iter().map(ActionOut::from).collect::<Vec<_>>(),
    ))
}

async fn action_record(
    st: &AppState,
    auth: &Auth,
    id: &str,
    status: StatusCode,
) -> AppResult<Response> {
    let (a, events) = store::corrective::get(&st.db, &auth.ctx, id).await?;
    Ok(json(
        status,
        ActionRecordOut {
            action: a.into(),
            events: events
                .into_iter()
                .map(|e| ActionEventOut {
                    kind: e.kind,
                    body: e.body,
                    due_on: e.due_on.map(|d| d.to_string()),
                    amount_cents: e.amount_cents,
                    by: e.actor_name,
                    at: e.at.0.to_rfc3339(),
                    files: e.files.into_iter().map(|f| f.filename).collect(),
                })
                .collect(),
        },
    ))
}

#[utoipa::path(get, path = "/api/v1/actions/{id}", tag = "monitoring", params(("id" = String, Path)),
    responses((status = 200, body = ActionRecordOut), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn action(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    action_record(&st, &auth, &id, StatusCode::OK).await
}

#[derive(Deserialize, ToSchema)]
pub struct ActionStep {
    #[serde(default)]
    body: String,
    /// A reopening's new deadline (YYYY-MM-DD).
    #[serde(default)]
    due_on: String,
    /// The version of the action the client saw.
    version: i32,
}

impl ActionStep {
    fn input(self) -> store::corrective::StepInput {
        store::corrective::StepInput {
            body: self.body,
            due_on: self.due_on,
            amount: String::new(),
            version: self.version,
        }
    }
}

enum Step {
    Answer,
    Verify,
    Reopen,
}

/// One step on a corrective action through the API: the permission is checked before the
/// body is read, then the action comes back with its history.
async fn step(
    st: &AppState,
    auth: &Auth,
    id: &str,
    payload: Result<Json<ActionStep>, JsonRejection>,
    step: Step,
) -> AppResult<Response> {
    use domain::policy::Permission;
    auth.ctx.actor.require(match step {
        Step::Answer => Permission::AnswerFindings,
        Step::Verify | Step::Reopen => Permission::Inspect,
    })?;
    let Json(s) = payload.map_err(rejection)?;
    let (db, ctx, input) = (&st.db, &auth.ctx, s.input());
    match step {
        Step::Answer => store::corrective::answer(db, ctx, id, &input, &[]).await?,
        Step::Verify => store::corrective::verify(db, ctx, id, &input).await?,
        Step::Reopen => store::corrective::reopen(db, ctx, id, &input).await?,
    }
    action_record(st, auth, id, StatusCode::OK).await
}

#[utoipa::path(post, path = "/api/v1/actions/{id}/answer", tag = "monitoring", params(("id" = String, Path)), request_body = ActionStep,
    responses((status = 200, body = ActionRecordOut), (status = 403, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn answer_action(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<ActionStep>, JsonRejection>,
) -> AppResult<Response> {
    step(&st, &auth, &id, payload, Step::Answer).await
}

#[utoipa::path(post, path = "/api/v1/actions/{id}/verify", tag = "monitoring", params(("id" = String, Path)), request_body = ActionStep,
    responses((status = 200, body = ActionRecordOut), (status = 403, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn verify_action(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<ActionStep>, JsonRejection>,
) -> AppResult<Response> {
    step(&st, &auth, &id, payload, Step::Verify).await
}

#[utoipa::path(post, path = "/api/v1/actions/{id}/reopen", tag = "monitoring", params(("id" = String, Path)), request_body = ActionStep,
    responses((status = 200, body = ActionRecordOut), (status = 403, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn reopen_action(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<ActionStep>, JsonRejection>,
) -> AppResult<Response> {
    step(&st, &auth, &id, payload, Step::Reopen).await
}

#[derive(Deserialize, ToSchema)]
pub struct NewInspection {
    centre_id: String,
    /// scheduled or unannounced
    kind: String,
    /// YYYY-MM-DD
    planned_on: String,
    /// User ids of the inspectors; the caller is added.
    #[serde(default)]
    team: Vec<String>,
}

#[utoipa::path(post, path = "/api/v1/inspections", tag = "monitoring", request_body = NewInspection,
    responses((status = 201, body = InspectionRecordOut), (status = 403, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn plan(
    State(st): State<AppState>,
    auth: Auth,
    payload: Result<Json<NewInspection>, JsonRejection>,
) -> AppResult<Response> {
    auth.ctx
        .actor
        .require(domain::policy::Permission::Inspect)?;
    let Json(n) = payload.map_err(rejection)?;
    let id = store::inspections::plan(
        &st.db,
        &auth.ctx,
        &store::inspections::PlanInput {
            centre_id: n.centre_id,
            kind: n.kind,
            planned_on: n.planned_on,
            team: n.team,
        },
    )
    .await?;
    Ok(json(StatusCode::CREATED, record(&st, &auth, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct NewFinding {
    /// The checklist item, or none for the whole visit.
    #[serde(default)]
    item_id: String,
    /// minor, major or critical
    severity: String,
    description: String,
    action_required: String,
    /// Days the centre has to correct it, counted from the closing (1–365).
    due_days: i32,
}

#[utoipa::path(post, path = "/api/v1/inspections/{id}/findings", tag = "monitoring", params(("id" = String, Path)), request_body = NewFinding,
    responses((status = 201, body = InspectionRecordOut), (status = 403, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn add_finding(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<NewFinding>, JsonRejection>,
) -> AppResult<Response> {
    auth.ctx
        .actor
        .require(domain::policy::Permission::Inspect)?;
    let Json(f) = payload.map_err(rejection)?;
    store::inspections::add_finding(
        &st.db,
        &auth.ctx,
        &id,
        &store::inspections::FindingInput {
            item_id: f.item_id,
            severity: f.severity,
            description: f.description,
            action_required: f.action_required,
            due_days: f.due_days.to_string(),
        },
    )
    .await?;
    Ok(json(StatusCode::CREATED, record(&st, &auth, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct CloseIn {
    /// YYYY-MM-DD, not in the future
    visited_on: String,
    summary: String,
    /// The version of the inspection the client saw.
    version: i32,
}

#[utoipa::path(post, path = "/api/v1/inspections/{id}/close", tag = "monitoring", params(("id" = String, Path)), request_body = CloseIn,
    responses((status = 200, body = InspectionRecordOut), (status = 403, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn close(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<CloseIn>, JsonRejection>,
) -> AppResult<Response> {
    auth.ctx
        .actor
        .require(domain::policy::Permission::Inspect)?;
    let Json(c) = payload.map_err(rejection)?;
    store::inspections::close(
        &st.db,
        &auth.ctx,
        &id,
        &store::inspections::CloseInput {
            visited_on: c.visited_on,
            summary: c.summary,
            version: c.version,
        },
    )
    .await?;
    Ok(json(StatusCode::OK, record(&st, &auth, &id).await?))
}
