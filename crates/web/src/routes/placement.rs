//! Placement of a minor leaving the hub: the suggested places with their reasons and the
//! facilities the rules keep out, the transfer request, the receiving facility's answer,
//! and the hub's record that the transfer took place.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use store::placement::{SharedTransfer, Suggestions, Transfer};

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::page::{PageCtx, render, render_status, see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "placement.html")]
pub struct PlacementPage {
    pub page: PageCtx,
    pub minor_id: String,
    pub minor_name: String,
    pub s: Suggestions,
    pub transfers: Vec<Transfer>,
    pub errors: FormErrors,
    pub done: bool,
}

impl PlacementPage {
    /// Whether a transfer is waiting or accepted (then no new one may be asked).
    pub fn open_transfer(&self) -> bool {
        self.transfers
            .iter()
            .any(|t| t.status == "requested" || t.status == "accepted")
    }

    pub fn km(&self, d: &Option<f64>) -> String {
        d.map(|k| format!("{k:.0}")).unwrap_or_else(|| "—".into())
    }
}

#[derive(Deserialize, Default)]
pub struct DoneQ {
    #[serde(default)]
    done: Option<String>,
}

async fn placement_page(
    st: &AppState,
    auth: &Auth,
    id: &str,
    errors: FormErrors,
    done: bool,
) -> AppResult<PlacementPage> {
    let v = store::minors::get_minor(&st.db, &auth.ctx, id).await?;
    Ok(PlacementPage {
        page: auth.info.page(&format!(
            "{} — {}",
            auth.info.tr.t("placement-title"),
            v.minor.full_name()
        )),
        minor_name: v.minor.full_name(),
        minor_id: v.minor.id.clone(),
        s: store::placement::suggest(&st.db, &auth.ctx, id).await?,
        transfers: store::placement::transfers_of(&st.db, &auth.ctx, id).await?,
        errors,
        done,
    })
}

/// `GET /minors/{id}/placement`
pub async fn show(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(d): Query<DoneQ>,
) -> AppResult<Response> {
    let p = placement_page(&st, &auth, &id, FormErrors::default(), d.done.is_some()).await?;
    Ok(render(&p))
}

#[derive(Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    place_id: String,
    #[serde(default)]
    note: String,
}

/// `POST /minors/{id}/transfers`
pub async fn request(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<RequestForm>,
) -> AppResult<Response> {
    match store::placement::request_transfer(&st.db, &auth.ctx, &id, &f.place_id, &f.note).await {
        Ok(_) => Ok(see_other(&format!("/minors/{id}/placement?done=requested"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let p = placement_page(&st, &auth, &id, errors, false).await?;
                Ok(render_status(
                    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
                    &p,
                ))
            }
            None => Err(AppError(e)),
        },
    }
}

#[derive(Deserialize)]
pub struct CompleteForm {
    #[serde(default)]
    completed_on: String,
    #[serde(default)]
    minor_id: String,
}

/// `POST /transfers/{id}/complete`: the hub records that the minor left for the facility.
pub async fn complete(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<CompleteForm>,
) -> AppResult<Response> {
    match store::placement::complete_transfer(&st.db, &auth.ctx, &id, &f.completed_on).await {
        Ok(()) => Ok(see_other(&format!(
            "/minors/{}?done=transferred",
            f.minor_id
        ))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) if !f.minor_id.is_empty() => {
                let p = placement_page(&st, &auth, &f.minor_id, errors, false).await?;
                Ok(render_status(
                    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
                    &p,
                ))
            }
            _ => Err(AppError(e)),
        },
    }
}

#[derive(Template)]
#[template(path = "transfers.html")]
pub struct TransfersPage {
    pub page: PageCtx,
    pub transfers: Vec<SharedTransfer>,
    pub errors: FormErrors,
    pub done: Option<String>,
}

impl TransfersPage {
    pub fn age(&self, t: &SharedTransfer) -> String {
        use chrono::Datelike;
        t.birth_year
            .map(|y| domain::clock::today().year() - y)
            .or(t.declared_age)
            .map(|a| a.to_string())
            .unwrap_or_else(|| "—".into())
    }
}

async fn transfers_page(
    st: &AppState,
    auth: &Auth,
    errors: FormErrors,
    done: Option<String>,
) -> AppResult<TransfersPage> {
    Ok(TransfersPage {
        page: auth.info.page(&auth.info.tr.t("transfers-title")),
        transfers: store::placement::incoming(&st.db, &auth.ctx).await?,
        errors,
        done,
    })
}

/// `GET /transfers`: the receiving facility's requests.
pub async fn incoming(
    State(st): State<AppState>,
    auth: Auth,
    Query(d): Query<DoneQ>,
) -> AppResult<Response> {
    let done = d
        .done
        .filter(|c| c == "accepted" || c == "refused")
        .map(|c| auth.info.tr.t(&format!("done-transfer-{c}")));
    let p = transfers_page(&st, &auth, FormErrors::default(), done).await?;
    Ok(render(&p))
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    answer: String,
}

async fn answer(
    st: AppState,
    auth: Auth,
    id: String,
    accept: bool,
    f: AnswerForm,
) -> AppResult<Response> {
    match store::placement::answer_transfer(&st.db, &auth.ctx, &id, accept, &f.answer).await {
        Ok(()) => Ok(see_other(&format!(
            "/transfers?done={}",
            if accept { "accepted" } else { "refused" }
        ))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let p = transfers_page(&st, &auth, errors, None).await?;
                Ok(render_status(
                    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
                    &p,
                ))
            }
            None => Err(AppError(e)),
        },
    }
}

/// `POST /transfers/{id}/accept`
pub async fn accept(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<AnswerForm>,
) -> AppResult<Response> {
    answer(st, auth, id, true, f).await
}

/// `POST /transfers/{id}/refuse`
pub async fn refuse(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<AnswerForm>,
) -> AppResult<Response> {
    answer(st, auth, id, false, f).await
}
