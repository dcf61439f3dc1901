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

use super::{api_cases, api_centres, api_minors, api_monitoring, api_network, api_work};
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
pub(crate) fn rejection(r: JsonRejection) -> Error {
    match r.status().as_u16() {
        413 => Error::PayloadTooLarge,
        415 => Error::UnsupportedMediaType,
        _ => Error::BadRequest,
    }
}

pub(crate) fn json<T: Serialize>(status: StatusCode, v: T) -> Response {
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

/// A person as the API returns it.
#[derive(Serialize, ToSchema)]
pub struct PersonOut {
    id: String,
    owner_org_id: String,
    given_names: String,
    family_name: String,
    name_original: Option<String>,
    aliases: Vec<String>,
    sex: Option<String>,
    /// `YYYY-MM-DD`, `YYYY` or `~YYYY` (estimated).
    birth: String,
    birth_precision: Option<String>,
    nationality: Option<String>,
    is_tcn: Option<bool>,
    languages: Vec<String>,
    phone: Option<String>,
    email: Option<String>,
    address: Option<String>,
    identifiers: Vec<IdentifierOut>,
    /// Set when this record was merged into another one (the kept record's id).
    merged_into: Option<String>,
    version: i32,
}

#[derive(Serialize, ToSchema)]
pub struct IdentifierOut {
    kind: String,
    value: String,
}

impl From<store::people::Person> for PersonOut {
    fn from(p: store::people::Person) -> Self {
        PersonOut {
            birth: p.birth_display(),
            identifiers: p
                .identifiers
                .iter()
                .map(|(k, v)| IdentifierOut {
                    kind: k.clone(),
                    value: v.clone(),
                })
                .collect(),
            aliases: p.aliases.lines().map(str::to_string).collect(),
            languages: p
                .languages
                .split(',')
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
            id: p.id,
            owner_org_id: p.owner_org_id,
            given_names: p.given_names,
            family_name: p.family_name,
            name_original: p.name_original,
            sex: p.sex,
            birth_precision: p.birth_precision,
            nationality: p.nationality,
            is_tcn: p.is_tcn,
            phone: p.phone,
            email: p.email,
            address: p.address,
            merged_into: p.merged_into,
            version: p.version,
        }
    }
}

/// A likely existing record: only what a duplicate check may show.
#[derive(Serialize, ToSchema)]
pub struct CandidateOut {
    id: String,
    given_names: String,
    family_name: String,
    name_original: Option<String>,
    birth: String,
    nationality: Option<String>,
    owner_org_name: String,
    /// 0 to 1.
    score: f64,
    /// `same` or `possible`.
    decision: String,
    /// Reason codes, e.g. `name_transliteration`, `identifier_equal`.
    reasons: Vec<String>,
    /// Whether the caller may open the full record.
    can_open: bool,
}

impl From<store::people::Candidate> for CandidateOut {
    fn from(c: store::people::Candidate) -> Self {
        CandidateOut {
            birth: c.person.birth_display(),
            id: c.person.id,
            given_names: c.person.given_names,
            family_name: c.person.family_name,
            name_original: c.person.name_original,
            nationality: c.person.nationality,
            owner_org_name: c.person.owner_org_name,
            score: c.score,
            decision: c.decision.to_string(),
            reasons: c.reasons,
            can_open: c.can_open,
        }
    }
}

/// A person to register or update: the same fields as the form, as strings.
#[derive(serde::Deserialize, ToSchema)]
pub struct PersonIn {
    #[serde(flatten)]
    #[schema(inline)]
    input: PersonFields,
    /// Register even though likely matches exist (after a person has checked them).
    #[serde(default)]
    confirm_new: bool,
    /// For updates: the version that was read.
    #[serde(default)]
    version: i32,
}

/// The person fields (all optional strings except the names).
#[derive(serde::Deserialize, ToSchema)]
pub struct PersonFields {
    given_names: String,
    family_name: String,
    #[serde(default)]
    name_original: String,
    /// One per line.
    #[serde(default)]
    aliases: String,
    /// female, male, other
    #[serde(default)]
    sex: String,
    /// YYYY-MM-DD, DD/MM/YYYY or YYYY
    #[serde(default)]
    birth_date: String,
    /// exact, year, estimated
    #[serde(default)]
    birth_precision: String,
    /// ISO 3166 code or a country name in Italian, English or French.
    #[serde(default)]
    nationality: String,
    /// ISO 639 codes, comma-separated.
    #[serde(default)]
    languages: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    cui: String,
    #[serde(default)]
    codice_fiscale: String,
    #[serde(default)]
    passport: String,
    #[serde(default)]
    permit: String,
}

impl From<PersonFields> for store::people::PersonInput {
    fn from(f: PersonFields) -> Self {
        store::people::PersonInput {
            given_names: f.given_names,
            family_name: f.family_name,
            name_original: f.name_original,
            aliases: f.aliases,
            sex: f.sex,
            birth_date: f.birth_date,
            birth_precision: f.birth_precision,
            birth_confirmed: None,
            nationality: f.nationality,
            languages: f.languages,
            phone: f.phone,
            email: f.email,
            address: f.address,
            cui: f.cui,
            codice_fiscale: f.codice_fiscale,
            passport: f.passport,
            permit: f.permit,
        }
    }
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct PersonQuery {
    /// A name in any spelling or script, or an identifier.
    #[serde(default)]
    q: String,
}

#[utoipa::path(get, path = "/api/v1/persons", tag = "people", params(PersonQuery),
    responses((status = 200, body = Vec<CandidateOut>), (status = 403, body = ApiError)),
    security(("bearer" = [])))]
pub async fn persons(
    State(st): State<AppState>,
    auth: Auth,
    Query(q): Query<PersonQuery>,
) -> AppResult<Response> {
    let found = store::people::search(&st.db, &auth.ctx, &q.q).await?;
    Ok(json(
        StatusCode::OK,
        found
            .into_iter()
            .map(CandidateOut::from)
            .collect::<Vec<_>>(),
    ))
}

#[utoipa::path(post, path = "/api/v1/persons/duplicate-check", tag = "people", request_body = PersonFields,
    responses((status = 200, body = Vec<CandidateOut>), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn duplicate_check(
    State(st): State<AppState>,
    auth: Auth,
    payload: Result<Json<PersonFields>, JsonRejection>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::SearchPeople)?;
    let Json(f) = payload.map_err(rejection)?;
    let input: store::people::PersonInput = f.into();
    let v = input.check()?;
    let found = store::people::likely_matches(&st.db, &auth.ctx, &v, None).await?;
    Ok(json(
        StatusCode::OK,
        found
            .into_iter()
            .map(CandidateOut::from)
            .collect::<Vec<_>>(),
    ))
}

#[utoipa::path(post, path = "/api/v1/persons", tag = "people", request_body = PersonIn,
    responses((status = 201, body = PersonOut),
              (status = 409, description = "likely existing records (code possible_duplicate, with candidates); resend with confirm_new after checking them"),
              (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn create_person(
    State(st): State<AppState>,
    auth: Auth,
    payload: Result<Json<PersonIn>, JsonRejection>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::EditPeople)?;
    let Json(p) = payload.map_err(rejection)?;
    let input: store::people::PersonInput = p.input.into();
    let v = input.check()?;
    if !p.confirm_new {
        let found = store::people::likely_matches(&st.db, &auth.ctx, &v, None).await?;
        if !found.is_empty() {
            return Ok(json(
                StatusCode::CONFLICT,
                serde_json::json!({
                    "code": "possible_duplicate",
                    "message": auth.info.tr.t("possible_duplicate"),
                    "request_id": auth.info.request_id,
                    "fields": [],
                    "candidates": found.into_iter().map(CandidateOut::from).collect::<Vec<_>>(),
                }),
            ));
        }
    }
    let id = store::people::create_person(&st.db, &auth.ctx, &input).await?;
    let created = store::people::get_person(&st.db, &auth.ctx, &id).await?;
    Ok(json(StatusCode::CREATED, PersonOut::from(created)))
}

/// Why a record outside the caller's organisation and its referrals is read (callers
/// whose grant reaches the whole programme). Kept in the audit log with every read.
#[derive(serde::Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PurposeQuery {
    /// `supervision`, `legal_check`, `complaint`, `data_subject_request` or `other`.
    pub purpose: Option<String>,
    /// Required with `other`.
    pub purpose_note: Option<String>,
}

impl PurposeQuery {
    pub async fn state(&self, st: &AppState, auth: &Auth, kind: &str, id: &str) -> AppResult<()> {
        store::purposes::state(
            &st.db,
            &auth.ctx,
            kind,
            id,
            self.purpose.as_deref().unwrap_or_default(),
            self.purpose_note.as_deref().unwrap_or_default(),
        )
        .await?;
        Ok(())
    }
}

#[utoipa::path(get, path = "/api/v1/persons/{id}", tag = "people", params(("id" = String, Path), PurposeQuery),
    responses((status = 200, body = PersonOut), (status = 403, body = ApiError, description = "`forbidden` (ask the owner for access: `POST /api/v1/persons/{id}/access-requests`), or `purpose_required`: state a `purpose`"), (status = 404, body = ApiError), (status = 422, body = ApiError, description = "A `purpose` that is not one of the list, or `other` without `purpose_note`")),
    security(("bearer" = [])))]
pub async fn person(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<PurposeQuery>,
) -> AppResult<Response> {
    let p = match store::people::get_person(&st.db, &auth.ctx, &id).await {
        Err(domain::Error::PurposeRequired) if q.purpose.is_some() => {
            q.state(&st, &auth, "person", &id).await?;
            store::people::get_person(&st.db, &auth.ctx, &id).await?
        }
        r => r?,
    };
    Ok(json(StatusCode::OK, PersonOut::from(p)))
}

#[utoipa::path(put, path = "/api/v1/persons/{id}", tag = "people", params(("id" = String, Path)), request_body = PersonIn,
    responses((status = 200, body = PersonOut), (status = 409, body = ApiError, description = "changed by someone else since `version`"),
              (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn update_person(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<PersonIn>, JsonRejection>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::EditPeople)?;
    let Json(p) = payload.map_err(rejection)?;
    let input: store::people::PersonInput = p.input.into();
    store::people::update_person(&st.db, &auth.ctx, &id, p.version, &input).await?;
    let updated = store::people::get_person(&st.db, &auth.ctx, &id).await?;
    Ok(json(StatusCode::OK, PersonOut::from(updated)))
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

/// The errors any operation may answer, all with the `ApiError` body: documented once here
/// rather than on each handler, so the description cannot fall behind the middleware that
/// produces most of them (authentication, body limits, the database being down).
struct CommonErrors;

/// (status, description, only for operations that take a body or change something)
const COMMON_ERRORS: &[(&str, &str, bool)] = &[
    (
        "400",
        "Malformed request: unreadable JSON, parameters or upload",
        false,
    ),
    ("401", "No valid token (`unauthenticated`)", false),
    (
        "403",
        "The token's user may not do this (`forbidden`)",
        false,
    ),
    (
        "404",
        "No such record, or not one the caller may see (`not_found`)",
        false,
    ),
    (
        "409",
        "Changed by someone else since it was read (`conflict`)",
        true,
    ),
    (
        "413",
        "The body is larger than the platform accepts (`payload_too_large`)",
        true,
    ),
    (
        "415",
        "Unsupported content type (`unsupported_media_type`)",
        true,
    ),
    (
        "422",
        "Invalid fields, each with its code (`validation`)",
        true,
    ),
    (
        "503",
        "Database unreachable or storage full: nothing was changed (`unavailable`, `storage_full`)",
        false,
    ),
];

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                (&mut item.get, false),
                (&mut item.post, true),
                (&mut item.put, true),
                (&mut item.patch, true),
                (&mut item.delete, true),
            ];
            for (op, writes) in ops {
                let Some(op) = op.as_mut() else { continue };
                for (status, description, for_writes) in COMMON_ERRORS {
                    if *for_writes && !writes {
                        continue;
                    }
                    op.responses
                        .responses
                        .entry((*status).to_string())
                        .or_insert_with(|| {
                            ResponseBuilder::new()
                                .description(*description)
                                .content(
                                    "application/json",
                                    ContentBuilder::new()
                                        .schema(Some(Ref::from_schema_name("ApiError")))
                                        .build(),
                                )
                                .build()
                                .into()
                        });
                }
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "SPRInt API", description = "Integration API of SPRInt. Authenticate with a personal token created on the profile page: `Authorization: Bearer spr_…`. Any POST may carry an `Idempotency-Key` header (8 to 100 letters, digits, `-` or `_`): the first answer below 400 is kept two days and returned to every repeat of the same key by the same token (header `idempotent-replayed: true`); a repeat while the first is still handled answers 409 `in_flight`; the same key for another request answers 422."),
    paths(me, orgs, org, create_org, users, user, persons, duplicate_check, create_person, person, update_person,
          api_cases::case, api_cases::create_case, api_cases::add_task, api_cases::complete_task,
          api_cases::refer, api_cases::accept_referral, api_cases::reject_referral, api_cases::complete_referral,
          api_cases::add_note, api_cases::add_appointment, api_cases::upload_document, api_cases::download_document,
          api_minors::minors, api_minors::minor, api_minors::intake, api_minors::notice, api_minors::movement,
          api_minors::placement, api_minors::request_transfer, api_minors::accept_transfer, api_minors::refuse_transfer,
          api_minors::complete_transfer, api_minors::register,
          api_centres::centres, api_centres::centre, api_centres::add_presence, api_centres::import,
          api_monitoring::inspections, api_monitoring::inspection, api_monitoring::answer,
          api_monitoring::plan, api_monitoring::add_finding, api_monitoring::close,
          api_monitoring::actions, api_monitoring::action, api_monitoring::answer_action,
          api_monitoring::verify_action, api_monitoring::reopen_action,
          api_network::bodies, api_network::body, api_network::create_meeting, api_network::meeting,
          api_network::attendance, api_network::minutes, api_network::add_action_item,
          api_network::my_action_items, api_network::action_item_done, api_network::courses,
          api_network::course, api_network::session_attendance, api_network::questions,
          api_network::ask, api_network::answer, api_network::kb,
          api_work::request_access, api_work::access_requests, api_work::grant, api_work::refuse,
          crate::routes::inbox::api),
    components(schemas(OrgOut, UserOut, GrantOut, ApiError, FieldOut, NewOrg, PersonOut, IdentifierOut, CandidateOut, PersonIn, PersonFields,
                       api_cases::CaseOut, api_cases::DeadlineOut, api_cases::TaskOut, api_cases::ReferralOut,
                       api_cases::NoteOut, api_cases::AppointmentOut, api_cases::DocumentOut, api_cases::NewCase,
                       api_cases::NewReferral, api_cases::Answer, api_cases::Outcome, api_cases::NewTask,
                       api_cases::NewNote, api_cases::NewAppointment, api_cases::DocumentUpload,
                       api_minors::MinorOut, api_minors::MinorRecordOut, api_minors::TermOut, api_minors::NoticeOut,
                       api_minors::MovementOut, api_minors::NewMinor, api_minors::NewNotice, api_minors::NewMovement,
                       api_minors::OfferOut, api_minors::ExcludedOut, api_minors::PlacementOut, api_minors::NewTransfer,
                       api_minors::TransferAnswer, api_minors::TransferDone, api_minors::TransferOut,
                       api_minors::RegisterOut, api_minors::RegisterLineOut,
                       api_centres::CentreOut, api_centres::PresenceOut, api_centres::CentreRecordOut,
                       api_centres::NewPresence, api_centres::ImportOut, api_centres::LineErrorOut,
                       api_monitoring::InspectionOut, api_monitoring::AnswerOut, api_monitoring::HeadingOut,
                       api_monitoring::FindingOut, api_monitoring::InspectionRecordOut, api_monitoring::NewAnswer,
                       api_monitoring::SavedOut, api_monitoring::ActionOut, api_monitoring::ActionEventOut,
                       api_monitoring::ActionRecordOut, api_monitoring::ActionStep,
                       api_monitoring::NewInspection, api_monitoring::NewFinding, api_monitoring::CloseIn,
                       api_network::BodyOut, api_network::MemberOut, api_network::MeetingOut, api_network::BodyRecordOut,
                       api_network::AttendeeOut, api_network::ActionItemOut, api_network::MeetingRecordOut,
                       api_network::NewMeeting, api_network::AttendanceIn, api_network::MinutesStep,
                       api_network::NewActionItem, api_network::DoneIn, api_network::CourseOut, api_network::SessionOut,
                       api_network::ParticipantOut, api_network::CourseRecordOut, api_network::SessionAttendanceIn,
                       api_network::QuestionOut, api_network::NewQuestion, api_network::AnswerIn, api_network::KbEntryOut,
                       api_work::AccessRequestIn, api_work::AccessAnswerIn, api_work::AccessRequestOut,
                       api_work::AccessListOut, crate::routes::inbox::ItemOut, crate::routes::inbox::InboxOut)),
    modifiers(&BearerAuth, &CommonErrors)
)]
pub struct ApiDoc;

pub async fn openapi() -> Response {
    json(StatusCode::OK, ApiDoc::openapi())
}
