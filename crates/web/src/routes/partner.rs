//! An appointment recorded with the reader's organisation as partner (a patronato that
//! prepares the permit kit): what it needs to know, and its answer — confirmed, or another
//! time proposed.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use store::appointments::PartnerView;

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::forms::{FormErrors, error_status};
use crate::page::{PageCtx, render, render_status, see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "partner_appointment.html")]
pub struct PartnerPage {
    pub page: PageCtx,
    pub a: PartnerView,
    pub procedure_name: String,
    pub errors: FormErrors,
    pub proposed: String,
    pub note: String,
    pub done: bool,
}

async fn page(
    st: &AppState,
    auth: &Auth,
    id: &str,
    errors: FormErrors,
    proposed: String,
    note: String,
    done: bool,
) -> AppResult<PartnerPage> {
    let a = store::appointments::for_partner(&st.db, &auth.ctx, id).await?;
    let procedure_name = if auth.lang().as_str() == "it" {
        a.procedure_name_it.clone()
    } else {
        a.procedure_name_en.clone()
    };
    Ok(PartnerPage {
        page: auth.info.page(&auth.info.tr.t("partner-appointment-title")),
        a,
        procedure_name,
        errors,
        proposed,
        note,
        done,
    })
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

pub async fn show(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<DoneQuery>,
) -> AppResult<Response> {
    let p = page(
        &st,
        &auth,
        &id,
        FormErrors::default(),
        String::new(),
        String::new(),
        q.done.is_some(),
    )
    .await?;
    Ok(render(&p))
}

#[derive(Deserialize, Default)]
pub struct AnswerForm {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    proposed_at: String,
    #[serde(default)]
    partner_note: String,
    #[serde(default)]
    version: i32,
}

pub async fn answer(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<AnswerForm>,
) -> AppResult<Response> {
    let confirm = f.answer != "propose";
    match store::appointments::partner_answer(
        &st.db,
        &auth.ctx,
        &id,
        f.version,
        confirm,
        &f.proposed_at,
        &f.partner_note,
    )
    .await
    {
        Ok(()) => Ok(see_other(&format!("/appointments/{id}?done=answered"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let status = error_status(&e);
                let p = page(
                    &st,
                    &auth,
                    &id,
                    errors,
                    f.proposed_at,
                    f.partner_note,
                    false,
                )
                .await?;
                Ok(render_status(status, &p))
            }
            None => Err(AppError(e)),
        },
    }
}
