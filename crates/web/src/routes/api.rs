//! JSON API (`/api/v1`), authenticated by personal bearer tokens and described by OpenAPI 3
//! at `/api/openapi.json`. Handlers call the same store functions as the pages.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::Error;
use domain::policy::Permission;
use serde::Serialize;
use store::account::{Org, OrgInput, User, UserFilter};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::auth::Auth;
use crate::error::{AppResult, Rendered};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct OrgOut {
    id: String,
    name: String,
    kind: String,
    active: bool,
    is_demo: bool,
    version: i32,
}

impl From<Org> for OrgOut {
    fn from(o: Org) -> Self {
        OrgOut {
            id: o.id,
            name: o.name,
            kind: o.kind,
            active: o.active,
            is_demo: o.is_demo,
            version: o.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct GrantOut {
    role: String,
    scope: String,
}

#[derive(Serialize, ToSchema)]
pub struct UserOut {
    id: String,
    username: String,
    full_name: String,
    email: Option<String>,
    org_id: String,
    org_name: String,
    lang: String,
    active: bool,
    totp_enabled: bool,
    grants: Vec<GrantOut>,
}

impl From<User> for UserOut {
    fn from(u: User) -> Self {
        UserOut {
            grants: u
                .grants
                .iter()
                .map(|g| GrantOut {
                    role: g.role.as_str().into(),
                    scope: g.scope.as_str().into(),
                })
                .collect(),
            id: u.id,
            username: u.username,
            full_name: u.full_name,
            email: u.email,
            org_id: u.org_id,
            org_name: u.org_name,
            lang: u.lang,
            active: u.active,
            totp_enabled: u.totp_enabled,
        }
    }
}

/// The error body of every failed API call.
#[derive(Serialize, ToSchema)]
pub struct ApiError {
    /// Stable code (also the translation id).
    code: String,
    /// Explanation in the caller's language (Accept-Language).
    message: String,
    request_id: String,
    fields: Vec<FieldOut>,
}

#[derive(Serialize, ToSchema)]
pub struct FieldOut {
    field: String,
    code: String,
    message: String,
}

#[derive(serde::Deserialize, ToSchema)]
pub struct NewOrg {
    name: String,
    /// prefecture, partner, patronato, managing_body, civil_society, municipality, court
    kind: String,
    #[serde(default = "yes")]
    active: bool,
}

fn yes() -> bool {
    true
}

/// A body the JSON extractor refused, as a platform error with its stable code.
fn rejection(r: JsonRejection) -> Error {
    match r.status().as_u16() {
        413 => Error::PayloadTooLarge,
        415 => Error::UnsupportedMediaType,
        _ => Error::BadRequest,
    }
}

fn json<T: Serialize>(status: StatusCode, v: T) -> Response {
    let mut r = (status, Json(v)).into_response();
    r.extensions_mut().insert(Rendered);
    r
}

#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, body = UserOut), (status = 401, body = ApiError)),
    security(("bearer" = [])))]
pub async fn me(auth: Auth) -> AppResult<Response> {
    Ok(json(StatusCode::OK, UserOut::from(auth.user)))
}

#[utoipa::path(get, path = "/api/v1/organisations", tag = "account",
    responses((status = 200, body = Vec<OrgOut>), (status = 401, body = ApiError), (status = 403, body = ApiError)),
    security(("bearer" = [])))]
pub async fn orgs(State(st): State<AppState>, auth: Auth) -> AppResult<Response> {
    let orgs = store::account::list_orgs(&st.db, &auth.ctx).await?;
    Ok(json(
        StatusCode::OK,
        orgs.into_iter().map(OrgOut::from).collect::<Vec<_>>(),
    ))
}

#[utoipa::path(get, path = "/api/v1/organisations/{id}", tag = "account",
    params(("id" = String, Path)),
    responses((status = 200, body = OrgOut), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn org(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let o = store::account::get_org(&st.db, &auth.ctx, &id).await?;
    Ok(json(StatusCode::OK, OrgOut::from(o)))
}

#[utoipa::path(post, path = "/api/v1/organisations", tag = "account",
    request_body = NewOrg,
    responses((status = 201, body = OrgOut), (status = 403, body = ApiError),
              (status = 409, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn create_org(
    State(st): State<AppState>,
    auth: Auth,
    payload: Result<Json<NewOrg>, JsonRejection>,
) -> AppResult<Response> {
    // Permission first: a caller who may not create gets 403 whatever the body holds.
    auth.ctx.actor.require(Permission::ManageOrganisations)?;
    let Json(n) = payload.map_err(rejection)?;
    let input = OrgInput {
        name: n.name,
        kind: n.kind,
        active: n.active.then(|| "on".into()),
    };
    let id = store::account::create_org(&st.db, &auth.ctx, &input, false).await?;
    let o = store::account::get_org(&st.db, &auth.ctx, &id).await?;
    Ok(json(StatusCode::CREATED, OrgOut::from(o)))
}

#[utoipa::path(get, path = "/api/v1/users", tag = "account",
    params(("q" = Option<String>, Query), ("org" = Option<String>, Query), ("role" = Option<String>, Query)),
    responses((status = 200, body = Vec<UserOut>), (status = 403, body = ApiError)),
    security(("bearer" = [])))]
pub async fn users(
    State(st): State<AppState>,
    auth: Auth,
    Query(f): Query<UserFilter>,
) -> AppResult<Response> {
    let users = store::account::list_users(&st.db, &auth.ctx, &f).await?;
    Ok(json(
        StatusCode::OK,
        users.into_iter().map(UserOut::from).collect::<Vec<_>>(),
    ))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "account",
    params(("id" = String, Path)),
    responses((status = 200, body = UserOut), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn user(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let u = store::account::get_user(&st.db, &auth.ctx, &id).await?;
    Ok(json(StatusCode::OK, UserOut::from(u)))
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "SPRInt API", description = "Integration API of SPRInt. Authenticate with a personal token created on the profile page: `Authorization: Bearer spr_…`."),
    paths(me, orgs, org, create_org, users, user),
    components(schemas(OrgOut, UserOut, GrantOut, ApiError, FieldOut, NewOrg)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

pub async fn openapi() -> Response {
    json(StatusCode::OK, ApiDoc::openapi())
}
