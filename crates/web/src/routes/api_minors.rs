//! The JSON API of the minors hub: intake (with the register's duplicate check), the
//! minors present with their legal clock, one minor's record, notices sent and movements in
//! the presence register. Same store functions as the pages.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::minors::Deadline;
use domain::policy::Permission;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::api::{ApiError, CandidateOut, PersonFields, json, rejection};
use crate::auth::Auth;
use crate::error::AppResult;
use crate::state::AppState;

/// One term of a minor's legal clock, with the rule it comes from.
#[derive(Serialize, ToSchema)]
pub struct TermOut {
    /// notify_prosecutor, notify_court, notify_sim, identification, first_reception,
    /// age_assessment
    code: String,
    /// The day the term counts from (YYYY-MM-DD).
    from: String,
    /// None when no rule was in force on that day.
    due: Option<String>,
    due_extended: Option<String>,
    done_on: Option<String>,
    /// ok, due_soon, overdue, done
    state: String,
    rule_id: Option<String>,
    basis: Option<String>,
}

impl From<&Deadline> for TermOut {
    fn from(d: &Deadline) -> Self {
        TermOut {
            code: d.code.to_string(),
            from: d.from.to_string(),
            due: d.due.map(|x| x.to_string()),
            due_extended: d.due_extended.map(|x| x.to_string()),
            done_on: d.done_on.map(|x| x.to_string()),
            state: d.state.as_str().to_string(),
            rule_id: d.rule.as_ref().map(|r| r.id.clone()),
            basis: d.rule.as_ref().map(|r| r.basis.clone()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct NoticeOut {
    /// prosecutor, court, sim
    recipient: String,
    sent_on: String,
    reference: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MovementOut {
    /// Rome local time, YYYY-MM-DDTHH:MM:SS
    at: String,
    /// entry, exit, out, back
    kind: String,
    note: Option<String>,
}

/// A minor at the hub: identity from the register, first contact, status and clock.
#[derive(Serialize, ToSchema)]
pub struct MinorOut {
    id: String,
    person_id: String,
    hub_org_id: String,
    given_names: String,
    family_name: String,
    nationality: Option<String>,
    /// Rome local time of first contact, YYYY-MM-DDTHH:MM:SS
    arrived_at: String,
    contact_place: String,
    brought_by: String,
    declared_age: Option<i32>,
    /// present, transferred, absconded, family_found, adult, moved_out
    status: String,
    identified_on: Option<String>,
    left_on: Option<String>,
    days_in_hub: i64,
    /// The worst state among the terms: overdue, due_soon, ok, done.
    worst: String,
    terms: Vec<TermOut>,
    version: i32,
}

impl MinorOut {
    fn new(m: store::minors::Minor, days_in_hub: i64, terms: &[Deadline]) -> Self {
        MinorOut {
            id: m.id,
            person_id: m.person_id,
            hub_org_id: m.hub_org_id,
            given_names: m.given_names,
            family_name: m.family_name,
            nationality: m.nationality,
            arrived_at: m.arrived_at.format("%Y-%m-%dT%H:%M:%S").to_string(),
            contact_place: m.contact_place,
            brought_by: m.brought_by,
            declared_age: m.declared_age,
            status: m.status,
            identified_on: m.identified_on.map(|d| d.to_string()),
            left_on: m.left_on.map(|d| d.to_string()),
            days_in_hub,
            worst: domain::minors::worst(terms).as_str().to_string(),
            terms: terms.iter().map(TermOut::from).collect(),
            version: m.version,
        }
    }
}

/// One minor with the notices and the presence register.
#[derive(Serialize, ToSchema)]
pub struct MinorRecordOut {
    #[serde(flatten)]
    minor: MinorOut,
    notices: Vec<NoticeOut>,
    movements: Vec<MovementOut>,
}

impl From<store::minors::MinorView> for MinorRecordOut {
    fn from(v: store::minors::MinorView) -> Self {
        MinorRecordOut {
            notices: v
                .notifications
                .iter()
                .map(|n| NoticeOut {
                    recipient: n.recipient.clone(),
                    sent_on: n.sent_on.to_string(),
                    reference: n.reference.clone(),
                })
                .collect(),
            movements: v
                .movements
                .iter()
                .map(|m| MovementOut {
                    at: m.at.format("%Y-%m-%dT%H:%M:%S").to_string(),
                    kind: m.kind.clone(),
                    note: m.note.clone(),
                })
                .collect(),
            minor: MinorOut::new(v.minor, v.days_in_hub, &v.clock),
        }
    }
}

/// An intake: an existing person (`person_id`, from a duplicate check) or a new one
/// (`person`), and the first contact.
#[derive(Deserialize, ToSchema)]
pub struct NewMinor {
    #[serde(default)]
    person_id: Option<String>,
    #[serde(default)]
    person: Option<PersonFields>,
    /// Register a new person even though likely matches exist (after checking them).
    #[serde(default)]
    confirm_new: bool,
    /// Rome local time, YYYY-MM-DDTHH:MM
    arrived_at: String,
    contact_place: String,
    /// police, self, social_services, ngo, other
    brought_by: String,
    #[serde(default)]
    brought_by_detail: String,
    #[serde(default)]
    accompanying_adult: String,
    #[serde(default)]
    declared_age: Option<i32>,
    #[serde(default)]
    relatives: String,
    #[serde(default)]
    companion_willing: bool,
    #[serde(default)]
    needs: String,
}

#[derive(Deserialize, ToSchema)]
pub struct NewNotice {
    /// prosecutor, court, sim
    recipient: String,
    /// YYYY-MM-DD
    sent_on: String,
    #[serde(default)]
    reference: String,
}

#[derive(Deserialize, ToSchema)]
pub struct NewMovement {
    /// out, back
    kind: String,
    /// Rome local time, YYYY-MM-DDTHH:MM
    at: String,
    #[serde(default)]
    note: String,
}

async fn record(st: &AppState, auth: &Auth, id: &str, status: StatusCode) -> AppResult<Response> {
    let v = store::minors::get_minor(&st.db, &auth.ctx, id).await?;
    Ok(json(status, MinorRecordOut::from(v)))
}

#[utoipa::path(get, path = "/api/v1/minors", tag = "minors",
    responses((status = 200, body = [MinorOut]), (status = 403, body = ApiError)),
    security(("bearer" = [])))]
pub async fn minors(State(st): State<AppState>, auth: Auth) -> AppResult<Response> {
    let rows = store::minors::hub_dashboard(&st.db, &auth.ctx).await?;
    let out: Vec<MinorOut> = rows
        .into_iter()
        .map(|r| MinorOut::new(r.minor, r.days_in_hub, &r.clock))
        .collect();
    Ok(json(StatusCode::OK, out))
}

#[utoipa::path(get, path = "/api/v1/minors/{id}", tag = "minors", params(("id" = String, Path)),
    responses((status = 200, body = MinorRecordOut), (status = 403, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn minor(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    record(&st, &auth, &id, StatusCode::OK).await
}

#[utoipa::path(post, path = "/api/v1/minors", tag = "minors", request_body = NewMinor,
    responses((status = 201, body = MinorRecordOut),
              (status = 409, description = "likely existing records (code possible_duplicate, with candidates), or the minor is already at the hub"),
              (status = 403, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn intake(
    State(st): State<AppState>,
    auth: Auth,
    payload: Result<Json<NewMinor>, JsonRejection>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::EditMinors)?;
    let Json(n) = payload.map_err(rejection)?;
    let intake = store::minors::IntakeInput {
        arrived_at: n.arrived_at,
        contact_place: n.contact_place,
        brought_by: n.brought_by,
        brought_by_detail: n.brought_by_detail,
        accompanying_adult: n.accompanying_adult,
        declared_age: n.declared_age.map(|a| a.to_string()).unwrap_or_default(),
        relatives: n.relatives,
        companion_willing: n.companion_willing.then(|| "on".to_string()),
        needs: n.needs,
    };
    let person = n
        .person
        .map(|p| store::minors::with_declared_age(&p.into(), &intake));
    let who = match (&n.person_id, &person) {
        (Some(id), _) => store::minors::Identity::Existing(id),
        (None, Some(p)) => {
            if !n.confirm_new
                && let Ok(v) = p.check()
            {
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
            store::minors::Identity::New(p)
        }
        (None, None) => {
            return Err(domain::Error::field("person", "field_required").into());
        }
    };
    let id = store::minors::intake(&st.db, &auth.ctx, who, &intake).await?;
    record(&st, &auth, &id, StatusCode::CREATED).await
}

#[utoipa::path(post, path = "/api/v1/minors/{id}/notices", tag = "minors", params(("id" = String, Path)), request_body = NewNotice,
    responses((status = 201, body = MinorRecordOut), (status = 403, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn notice(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<NewNotice>, JsonRejection>,
) -> AppResult<Response> {
    // Whether the minor is within reach is answered before anything about the body.
    store::minors::require_edit(&st.db, &auth.ctx, &id).await?;
    let Json(n) = payload.map_err(rejection)?;
    store::minors::record_notification(
        &st.db,
        &auth.ctx,
        &id,
        &n.recipient,
        &n.sent_on,
        &n.reference,
    )
    .await?;
    record(&st, &auth, &id, StatusCode::CREATED).await
}

#[utoipa::path(post, path = "/api/v1/minors/{id}/movements", tag = "minors", params(("id" = String, Path)), request_body = NewMovement,
    responses((status = 201, body = MinorRecordOut), (status = 403, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn movement(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<NewMovement>, JsonRejection>,
) -> AppResult<Response> {
    store::minors::require_edit(&st.db, &auth.ctx, &id).await?;
    let Json(m) = payload.map_err(rejection)?;
    store::minors::add_movement(&st.db, &auth.ctx, &id, &m.kind, &m.at, &m.note).await?;
    record(&st, &auth, &id, StatusCode::CREATED).await
}

/// A place offered for a minor, with why it fits.
#[derive(Serialize, ToSchema)]
pub struct OfferOut {
    place_id: String,
    centre_id: String,
    centre_name: String,
    /// sai, first_reception_minors, temporary_minors, adult_section_minors
    kind: String,
    free: i32,
    places: i32,
    score: f64,
    /// language, specialism, free_places, near, second_level, temporary, adult_section
    reasons: Vec<String>,
    distance_km: Option<f64>,
    /// For an adult-centre section: the latest day of the stay if placed today.
    limit: Option<TermOut>,
}

/// A facility left out, and the rule that excludes it.
#[derive(Serialize, ToSchema)]
pub struct ExcludedOut {
    centre_id: String,
    centre_name: String,
    /// not_for_minors, temporary_under_14, adult_section_under_16, age_unknown, full
    rule: String,
}

#[derive(Serialize, ToSchema)]
pub struct PlacementOut {
    /// The age the rules were applied to (None: unknown, the strictest rules apply).
    age: Option<i32>,
    offers: Vec<OfferOut>,
    excluded: Vec<ExcludedOut>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewTransfer {
    place_id: String,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize, ToSchema)]
pub struct TransferAnswer {
    /// Required to refuse.
    #[serde(default)]
    answer: String,
}

#[derive(Deserialize, ToSchema)]
pub struct TransferDone {
    /// YYYY-MM-DD
    completed_on: String,
}

#[derive(Serialize, ToSchema)]
pub struct TransferOut {
    id: String,
    /// requested, accepted, refused, completed
    status: String,
}

async fn transfer_status(st: &AppState, id: &str) -> AppResult<TransferOut> {
    Ok(TransferOut {
        id: id.to_string(),
        status: store::placement::status_of(&st.db, id).await?,
    })
}

#[utoipa::path(get, path = "/api/v1/minors/{id}/placement", tag = "minors", params(("id" = String, Path)),
    responses((status = 200, body = PlacementOut), (status = 403, body = ApiError), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
pub async fn placement(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let s = store::placement::suggest(&st.db, &auth.ctx, &id).await?;
    Ok(json(
        StatusCode::OK,
        PlacementOut {
            age: s.age,
            offers: s
                .offers
                .into_iter()
                .map(|o| OfferOut {
                    free: o.place.free(),
                    place_id: o.place.place_id,
                    centre_id: o.place.centre_id,
                    centre_name: o.place.centre_name,
                    kind: o.place.kind,
                    places: o.place.places,
                    score: o.score,
                    reasons: o.reasons.iter().map(|r| r.to_string()).collect(),
                    distance_km: o.distance_km,
                    limit: o.term.as_ref().map(TermOut::from),
                })
                .collect(),
            excluded: s
                .excluded
                .into_iter()
                .map(|x| ExcludedOut {
                    centre_id: x.place.centre_id,
                    centre_name: x.place.centre_name,
                    rule: x.why.as_str().to_string(),
                })
                .collect(),
        },
    ))
}

#[utoipa::path(post, path = "/api/v1/minors/{id}/transfers", tag = "minors", params(("id" = String, Path)), request_body = NewTransfer,
    responses((status = 201, body = TransferOut), (status = 403, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn request_transfer(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<NewTransfer>, JsonRejection>,
) -> AppResult<Response> {
    store::minors::require_edit(&st.db, &auth.ctx, &id).await?;
    let Json(t) = payload.map_err(rejection)?;
    let tid =
        store::placement::request_transfer(&st.db, &auth.ctx, &id, &t.place_id, &t.note).await?;
    Ok(json(StatusCode::CREATED, transfer_status(&st, &tid).await?))
}

#[utoipa::path(post, path = "/api/v1/transfers/{id}/accept", tag = "minors", params(("id" = String, Path)), request_body = TransferAnswer,
    responses((status = 200, body = TransferOut), (status = 403, body = ApiError), (status = 409, body = ApiError), (status = 422, description = "no free place (placement_full)")),
    security(("bearer" = [])))]
pub async fn accept_transfer(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<TransferAnswer>, JsonRejection>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::AnswerTransfers)?;
    let Json(a) = payload.map_err(rejection)?;
    store::placement::answer_transfer(&st.db, &auth.ctx, &id, true, &a.answer).await?;
    Ok(json(StatusCode::OK, transfer_status(&st, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/transfers/{id}/refuse", tag = "minors", params(("id" = String, Path)), request_body = TransferAnswer,
    responses((status = 200, body = TransferOut), (status = 403, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn refuse_transfer(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<TransferAnswer>, JsonRejection>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::AnswerTransfers)?;
    let Json(a) = payload.map_err(rejection)?;
    store::placement::answer_transfer(&st.db, &auth.ctx, &id, false, &a.answer).await?;
    Ok(json(StatusCode::OK, transfer_status(&st, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/transfers/{id}/complete", tag = "minors", params(("id" = String, Path)), request_body = TransferDone,
    responses((status = 200, body = TransferOut), (status = 403, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn complete_transfer(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    payload: Result<Json<TransferDone>, JsonRejection>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::EditMinors)?;
    let Json(d) = payload.map_err(rejection)?;
    store::placement::complete_transfer(&st.db, &auth.ctx, &id, &d.completed_on).await?;
    Ok(json(StatusCode::OK, transfer_status(&st, &id).await?))
}

/// The hub's daily presence register.
#[derive(Serialize, ToSchema)]
pub struct RegisterOut {
    day: String,
    /// Minors present at the end of the day.
    present: i64,
    movements: Vec<RegisterLineOut>,
}

#[derive(Serialize, ToSchema)]
pub struct RegisterLineOut {
    minor_id: String,
    /// Rome local time, YYYY-MM-DDTHH:MM:SS
    at: String,
    /// entry, exit, out, back
    kind: String,
    note: Option<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct DayParam {
    /// YYYY-MM-DD (today when absent)
    day: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/minors/register", tag = "minors", params(DayParam),
    responses((status = 200, body = RegisterOut), (status = 403, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
pub async fn register(
    State(st): State<AppState>,
    auth: Auth,
    axum::extract::Query(q): axum::extract::Query<DayParam>,
) -> AppResult<Response> {
    let day = match q.day.as_deref().map(str::trim) {
        None | Some("") => domain::clock::today(),
        Some(d) => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| domain::Error::field("day", "date_invalid"))?,
    };
    let (lines, present) = store::minor_events::daily_register(&st.db, &auth.ctx, day).await?;
    Ok(json(
        StatusCode::OK,
        RegisterOut {
            day: day.to_string(),
            present,
            movements: lines
                .into_iter()
                .map(|l| RegisterLineOut {
                    minor_id: l.minor_id,
                    at: l.at.format("%Y-%m-%dT%H:%M:%S").to_string(),
                    kind: l.kind,
                    note: l.note,
                })
                .collect(),
        },
    ))
}
