//! The JSON API of work between organisations: access requests to another organisation's
//! person record, and their answers (the inbox's API is in `inbox`).

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use store::access::{AnswerInput, Decision, Request, RequestInput};
use utoipa::ToSchema;

use crate::auth::Auth;
use crate::error::AppResult;
use crate::routes::api::{json, rejection};
use crate::state::AppState;

/// A request for access to a person's record.
#[derive(Deserialize, ToSchema)]
pub struct AccessRequestIn {
    /// `open_case`, `log_contact`, `duplicate` or `other`.
    purpose: String,
    /// The procedure to open (for `open_case`).
    #[serde(default)]
    procedure_code: String,
    /// Required for `other`.
    #[serde(default)]
    note: String,
    /// `read`, `work` or `handover`; by default what the purpose needs.
    #[serde(default)]
    level: String,
}

/// The owner's answer.
#[derive(Deserialize, ToSchema)]
pub struct AccessAnswerIn {
    /// For a grant: `read`, `work` or `handover` (by default what was asked).
    #[serde(default)]
    level: String,
    /// For a read or work grant: the last day (YYYY-MM-DD), within a year.
    #[serde(default)]
    valid_until: String,
    /// Required to refuse.
    #[serde(default)]
    reason: String,
    /// The version of the request that was read (0: any).
    #[serde(default)]
    version: i32,
}

#[derive(Serialize, ToSchema)]
pub struct AccessRequestOut {
    id: String,
    person_id: String,
    /// The person's name, as a duplicate check shows it.
    person_name: String,
    owner_org_id: String,
    owner_org_name: String,
    requester_org_id: String,
    requester_org_name: String,
    purpose: String,
    procedure_code: Option<String>,
    note: String,
    asked_level: String,
    /// `requested`, `granted`, `refused`, `withdrawn`, `revoked`, or `expired` (a grant past
    /// its last day).
    state: String,
    level: Option<String>,
    valid_until: Option<chrono::NaiveDate>,
    /// The reason of a refusal.
    answer: String,
    version: i32,
    created_at: String,
}

impl From<Request> for AccessRequestOut {
    fn from(r: Request) -> Self {
        AccessRequestOut {
            state: r.state().to_string(),
            id: r.id,
            person_id: r.person_id,
            person_name: r.person_name,
            owner_org_id: r.owner_org_id,
            owner_org_name: r.owner_org_name,
            requester_org_id: r.requester_org_id,
            requester_org_name: r.requester_org_name,
            purpose: r.purpose,
            procedure_code: r.procedure_code,
            note: r.note,
            asked_level: r.asked_level,
            level: r.level,
            valid_until: r.valid_until,
            answer: r.answer,
            version: r.version,
            created_at: r.created_at.to_text(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AccessListOut {
    /// Requests for the caller's organisation's records.
    received: Vec<AccessRequestOut>,
    /// Requests the caller's organisation sent.
    sent: Vec<AccessRequestOut>,
}

#[utoipa::path(post, path = "/api/v1/persons/{id}/access-requests", tag = "people", params(("id" = String, Path)),
    request_body = AccessRequestIn,
    responses((status = 201, description = "Request sent to the record's owner", body = AccessRequestOut),
              (status = 409, body = crate::routes::api::ApiError, description = "A request of the caller's organisation already waits (`duplicate`)"),
              (status = 422, body = crate::routes::api::ApiError, description = "Invalid fields, or a record merged or erased")),
    security(("bearer" = [])))]
pub async fn request_access(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<AccessRequestIn>, JsonRejection>,
) -> AppResult<Response> {
    auth.ctx
        .actor
        .require(domain::policy::Permission::SearchPeople)?;
    let Json(i) = payload.map_err(rejection)?;
    let rid = store::access::request(
        &st.db,
        &auth.ctx,
        &id,
        &RequestInput {
            purpose: i.purpose,
            procedure_code: i.procedure_code,
            note: i.note,
            level: i.level,
        },
    )
    .await?;
    let r = store::access::get(&st.db, &auth.ctx, &rid).await?;
    Ok(json(StatusCode::CREATED, AccessRequestOut::from(r)))
}

#[utoipa::path(get, path = "/api/v1/access-requests", tag = "people",
    responses((status = 200, description = "The requests the caller's organisation received and sent", body = AccessListOut)),
    security(("bearer" = [])))]
pub async fn access_requests(State(st): State<AppState>, auth: Auth) -> AppResult<Response> {
    let l = store::access::list(&st.db, &auth.ctx).await?;
    Ok(json(
        StatusCode::OK,
        AccessListOut {
            received: l.received.into_iter().map(Into::into).collect(),
            sent: l.sent.into_iter().map(Into::into).collect(),
        },
    ))
}

async fn answer(
    st: AppState,
    auth: Auth,
    id: String,
    decision: Decision,
    payload: Result<Json<AccessAnswerIn>, JsonRejection>,
) -> AppResult<Response> {
    // Whether the caller answers for the record is settled before the body is read.
    auth.ctx
        .actor
        .require(domain::policy::Permission::EditPeople)?;
    let r = store::access::get(&st.db, &auth.ctx, &id).await?;
    if auth.ctx.actor.org_id.as_deref() != Some(r.owner_org_id.as_str()) {
        return Err(domain::Error::Forbidden.into());
    }
    let Json(a) = payload.map_err(rejection)?;
    let r = store::access::answer(
        &st.db,
        &auth.ctx,
        &id,
        decision,
        &AnswerInput {
            level: a.level,
            valid_until: a.valid_until,
            reason: a.reason,
            version: a.version,
        },
    )
    .await?;
    Ok(json(StatusCode::OK, AccessRequestOut::from(r)))
}

#[utoipa::path(post, path = "/api/v1/access-requests/{id}/grant", tag = "people", params(("id" = String, Path)),
    request_body = AccessAnswerIn,
    responses((status = 200, description = "Access granted: the record opens for the asking organisation", body = AccessRequestOut),
              (status = 409, body = crate::routes::api::ApiError, description = "Answered meanwhile by someone else"),
              (status = 422, body = crate::routes::api::ApiError, description = "Invalid fields, no consent to sharing, or the request withdrawn")),
    security(("bearer" = [])))]
pub async fn grant(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<AccessAnswerIn>, JsonRejection>,
) -> AppResult<Response> {
    answer(st, auth, id, Decision::Grant, payload).await
}

#[utoipa::path(post, path = "/api/v1/access-requests/{id}/refuse", tag = "people", params(("id" = String, Path)),
    request_body = AccessAnswerIn,
    responses((status = 200, description = "Refused: the asker sees the reason", body = AccessRequestOut),
              (status = 409, body = crate::routes::api::ApiError, description = "Answered meanwhile by someone else"),
              (status = 422, body = crate::routes::api::ApiError, description = "No reason, or the request withdrawn")),
    security(("bearer" = [])))]
pub async fn refuse(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<AccessAnswerIn>, JsonRejection>,
) -> AppResult<Response> {
    answer(st, auth, id, Decision::Refuse, payload).await
}
