//! The JSON API of the centres' registry and daily presences (monitoring, issue 5), in the
//! OpenAPI description.

use axum::Json;
use axum::body::Bytes;
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

#[derive(Serialize, ToSchema)]
pub struct CentreOut {
    id: String,
    code: Option<String>,
    name: String,
    /// cas, first_reception_minors, temporary_minors, adult_section_minors, sai
    kind: String,
    org_id: String,
    municipality: String,
    contract_number: Option<String>,
    contract_start: Option<String>,
    contract_end: Option<String>,
    /// 2021 or 2023: the contract schema the centre is checked against
    contract_schema: Option<String>,
    places_contracted: Option<i32>,
    daily_price_cents: Option<i32>,
    capacity: Option<i32>,
    /// The latest count: day, guests.
    last_day: Option<String>,
    guests: Option<i32>,
    version: i32,
}

impl From<store::centres::Centre> for CentreOut {
    fn from(c: store::centres::Centre) -> Self {
        CentreOut {
            capacity: c.capacity(),
            guests: c.guests(),
            id: c.id,
            code: c.code,
            name: c.name,
            kind: c.kind,
            org_id: c.org_id,
            municipality: c.municipality,
            contract_number: c.contract_number,
            contract_start: c.contract_start.map(|d| d.to_string()),
            contract_end: c.contract_end.map(|d| d.to_string()),
            contract_schema: c.contract_schema,
            places_contracted: c.places_contracted,
            daily_price_cents: c.daily_price_cents,
            last_day: c.last_day.map(|d| d.to_string()),
            version: c.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PresenceOut {
    day: String,
    male: i32,
    female: i32,
    /// form or csv
    source: String,
}

#[derive(Serialize, ToSchema)]
pub struct CentreRecordOut {
    #[serde(flatten)]
    centre: CentreOut,
    /// The last 30 days, newest first.
    presences: Vec<PresenceOut>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewPresence {
    /// YYYY-MM-DD
    day: String,
    male: i32,
    female: i32,
}

#[derive(Serialize, ToSchema)]
pub struct ImportOut {
    imported: usize,
    replaced: usize,
    /// Lines not imported: line number and reason code.
    errors: Vec<LineErrorOut>,
}

#[derive(Serialize, ToSchema)]
pub struct LineErrorOut {
    line: usize,
    code: String,
}

#[utoipa::path(get, path = "/api/v1/centres", tag = "centres", params(("q" = Option<String>, Query), ("kind" = Option<String>, Query), ("municipality" = Option<String>, Query)),
    responses((status = 200, body = [CentreOut]), (status = 403, body = ApiError)),
    security(("bearer" = [])))]
pub async fn centres(
    State(st): State<AppState>,
    auth: Auth,
    Query(f): Query<store::centres::Filter>,
) -> AppResult<Response> {
    let list = store::centres::list(&st.db, &auth.ctx, &f).await?;
    Ok(json(
        StatusCode::OK,
        list.into_iter().map(CentreOut::from).collect::<Vec<_>>(),
    ))
}

async fn record(st: &AppState, auth: &Auth, id: &str, status: StatusCode) -> AppResult<Response> {
    let c = store::centres::get(&st.db, &auth.ctx, id, Permission::ViewCentres).await?;
    let presences = store::centres::presences(&st.db, &auth.ctx, id, 30).await?;
    Ok(json(
        status,
        CentreRecordOut {
            centre: c.into(),
            presences: presences
                .into_iter()
                .map(|p| PresenceOut {
                    day: p.day.to_string(),
                    male: p.male,
                    female: p.female,
                    source: p.source,
                })
                .collect(),
        },
    ))
}

#[utoipa::path(get, path = "/api/v1/centres/{id}", tag = "centres", params(("id" = String, Path)),
    responses((status = 200, body = CentreRecordOut), (status = 403, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn centre(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    record(&st, &auth, &id, StatusCode::OK).await
}

#[utoipa::path(post, path = "/api/v1/centres/{id}/presences", tag = "centres", params(("id" = String, Path)), request_body = NewPresence,
    responses((status = 201, body = CentreRecordOut), (status = 403, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn add_presence(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<NewPresence>, JsonRejection>,
) -> AppResult<Response> {
    // Whether the centre is within reach is answered before anything about the body.
    store::centres::get(&st.db, &auth.ctx, &id, Permission::RecordPresences).await?;
    let Json(p) = payload.map_err(rejection)?;
    store::centres::record_presence(
        &st.db,
        &auth.ctx,
        &id,
        &p.day,
        &p.male.to_string(),
        &p.female.to_string(),
    )
    .await?;
    record(&st, &auth, &id, StatusCode::CREATED).await
}

#[utoipa::path(post, path = "/api/v1/centres/presences/import", tag = "centres",
    request_body(content = String, content_type = "text/csv", description = "date,centre_code,male,female after a header line"),
    responses((status = 200, body = ImportOut), (status = 403, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn import(State(st): State<AppState>, auth: Auth, body: Bytes) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::RecordPresences)?;
    let text = String::from_utf8(body.to_vec())
        .map_err(|_| domain::Error::field("file", "csv_not_utf8"))?;
    let r = store::centres::import_presences(&st.db, &auth.ctx, &text).await?;
    Ok(json(
        StatusCode::OK,
        ImportOut {
            imported: r.imported,
            replaced: r.replaced,
            errors: r
                .errors
                .into_iter()
                .map(|e| LineErrorOut {
                    line: e.line,
                    code: e.code.to_string(),
                })
                .collect(),
        },
    ))
}
