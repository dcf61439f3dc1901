//! Corrective actions on screen: the list (a manager's own centres, everything for the
//! monitoring office), one action with its history, and its steps: the centre's answer with
//! evidence, verification, reopening with a new deadline, penalties.

use askama::Template;
use axum::Form;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::Error;
use domain::policy::Permission;
use store::corrective::{Action, ActionEvent, Filter, StepInput, Upload};

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::forms::{FormErrors, Kept};
use crate::page::{PageCtx, render, render_status, see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "actions.html")]
pub struct ListPage {
    pub page: PageCtx,
    pub actions: Vec<Action>,
    pub f: Filter,
}

/// `GET /actions`
pub async fn list(
    State(st): State<AppState>,
    auth: Auth,
    Query(f): Query<Filter>,
) -> AppResult<Response> {
    if !auth.ctx.actor.can(Permission::Inspect) && !auth.ctx.actor.can(Permission::AnswerFindings) {
        return Err(AppError(Error::Forbidden));
    }
    let actions = store::corrective::list(&st.db, &auth.ctx, &f).await?;
    Ok(render(&ListPage {
        page: auth.info.page(&auth.info.tr.t("actions-title")),
        actions,
        f,
    }))
}

#[derive(Template)]
#[template(path = "action.html")]
pub struct ActionPage {
    pub page: PageCtx,
    pub a: Action,
    pub events: Vec<ActionEvent>,
    pub can_answer: bool,
    pub can_inspect: bool,
    /// The managing body's people who may be given the action.
    pub assignees: Vec<(String, String)>,
    pub errors: FormErrors,
    pub kept: Kept,
    pub done: bool,
}

async fn action_page(
    st: &AppState,
    auth: &Auth,
    id: &str,
    errors: FormErrors,
    kept: Kept,
    done: bool,
) -> AppResult<ActionPage> {
    let (a, events) = store::corrective::get(&st.db, &auth.ctx, id).await?;
    let can_answer = auth
        .ctx
        .actor
        .reaches(Permission::AnswerFindings, &a.org_id, None);
    Ok(ActionPage {
        page: auth.info.page(&auth.info.tr.t("action-title")),
        assignees: if can_answer {
            store::corrective::assignees(&st.db, &a.org_id).await?
        } else {
            vec![]
        },
        can_answer,
        can_inspect: auth.ctx.actor.can(Permission::Inspect),
        a,
        events,
        errors,
        kept,
        done,
    })
}

#[derive(serde::Deserialize, Default)]
pub struct DoneQ {
    #[serde(default)]
    done: Option<String>,
}

#[derive(serde::Deserialize, Default)]
pub struct AssignForm {
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    version: i32,
}

/// `POST /actions/{id}/assign`: the managing body gives the action to one of its people.
pub async fn assign(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<AssignForm>,
) -> AppResult<Response> {
    let r = store::corrective::assign(&st.db, &auth.ctx, &id, &f.assignee, f.version).await;
    after(&st, &auth, &id, r, StepInput::default()).await
}

/// `GET /actions/{id}`
pub async fn show(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(d): Query<DoneQ>,
) -> AppResult<Response> {
    let p = action_page(
        &st,
        &auth,
        &id,
        FormErrors::default(),
        Kept::default(),
        d.done.is_some(),
    )
    .await?;
    Ok(render(&p))
}

async fn after(
    st: &AppState,
    auth: &Auth,
    id: &str,
    r: Result<(), Error>,
    s: StepInput,
) -> AppResult<Response> {
    match r {
        Ok(()) => Ok(see_other(&format!("/actions/{id}?done=1"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let status =
                    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
                let kept = Kept(vec![
                    ("body", s.body),
                    ("due_on", s.due_on),
                    ("amount", s.amount),
                ]);
                let p = action_page(st, auth, id, errors, kept, false).await?;
                Ok(render_status(status, &p))
            }
            None => Err(AppError(e)),
        },
    }
}

/// `POST /actions/{id}/answer` (multipart: `body`, `version`, any number of `file`s)
pub async fn answer(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    req: Request,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::AnswerFindings)?;
    let mut s = StepInput::default();
    let mut files = vec![];
    let parsed: Result<(), Error> = match Multipart::from_request(req, &st).await {
        Ok(mut m) => loop {
            match m.next_field().await {
                Ok(Some(field)) => match field.name() {
                    Some("body") => s.body = field.text().await.unwrap_or_default(),
                    Some("version") => {
                        s.version = field
                            .text()
                            .await
                            .ok()
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(0)
                    }
                    Some("file") => {
                        let filename = field.file_name().unwrap_or_default().to_string();
                        match field.bytes().await {
                            // A file field left empty arrives with no name and no bytes.
                            Ok(b) if b.is_empty() && filename.is_empty() => {}
                            Ok(b) => files.push(Upload {
                                filename,
                                bytes: b.to_vec(),
                            }),
                            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                                break Err(Error::field("file", "document_too_large"));
                            }
                            Err(_) => break Err(Error::BadRequest),
                        }
                    }
                    _ => {}
                },
                Ok(None) => break Ok(()),
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    break Err(Error::field("file", "document_too_large"));
                }
                Err(_) => break Err(Error::BadRequest),
            }
        },
        Err(_) => Err(Error::UnsupportedMediaType),
    };
    let r = match parsed {
        Ok(()) => store::corrective::answer(&st.db, &auth.ctx, &id, &s, &files).await,
        Err(e) => Err(e),
    };
    after(&st, &auth, &id, r, s).await
}

/// `POST /actions/{id}/verify`
pub async fn verify(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(s): Form<StepInput>,
) -> AppResult<Response> {
    let r = store::corrective::verify(&st.db, &auth.ctx, &id, &s).await;
    after(&st, &auth, &id, r, s).await
}

/// `POST /actions/{id}/reopen`
pub async fn reopen(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(s): Form<StepInput>,
) -> AppResult<Response> {
    let r = store::corrective::reopen(&st.db, &auth.ctx, &id, &s).await;
    after(&st, &auth, &id, r, s).await
}

/// `POST /actions/{id}/penalty`
pub async fn penalty(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(s): Form<StepInput>,
) -> AppResult<Response> {
    let r = store::corrective::penalty(&st.db, &auth.ctx, &id, &s).await;
    after(&st, &auth, &id, r, s).await
}
