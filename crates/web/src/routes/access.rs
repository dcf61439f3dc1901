//! Access to a record another organisation owns: the page of a record one cannot open
//! (what a duplicate check shows, and a request to its owner), the owner's answer, the
//! lists of requests received and sent; and the purpose stated before a programme-wide
//! read outside one's organisation.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::policy::Permission;
use serde::Deserialize;
use store::access::{AnswerInput, Decision, Request, RequestInput};

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::forms::{FormErrors, error_status};
use crate::page::{PageCtx, render, render_status, safe_next, see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "person_access.html")]
pub struct AccessPage {
    pub page: PageCtx,
    pub person: store::people::Summary,
    /// The newest request of the reader's organisation about this record.
    pub latest: Option<Request>,
    pub input: RequestInput,
    pub purposes: Vec<(&'static str, String)>,
    pub levels: Vec<(&'static str, String)>,
    pub procedures: Vec<(String, String)>,
    pub errors: FormErrors,
    pub done: Option<String>,
    /// The reader may ask (registers people, in an organisation, without a grant over the
    /// whole programme).
    pub can_ask: bool,
    /// Cases of the person referred to the reader's organisation and waiting for its
    /// answer: their summary is where to go.
    pub referred: Vec<store::cases::CaseRow>,
}

impl AccessPage {
    pub fn waiting(&self) -> bool {
        self.latest
            .as_ref()
            .is_some_and(|r| r.status == "requested")
    }
}

fn purposes(auth: &Auth) -> Vec<(&'static str, String)> {
    store::access::PURPOSES
        .iter()
        .map(|p| (*p, auth.info.tr.t(&format!("access-purpose-{p}"))))
        .collect()
}

fn levels(auth: &Auth) -> Vec<(&'static str, String)> {
    store::access::LEVELS
        .iter()
        .map(|l| (*l, auth.info.tr.t(&format!("access-level-{l}"))))
        .collect()
}

async fn procedure_choices(st: &AppState, auth: &Auth) -> AppResult<Vec<(String, String)>> {
    Ok(store::catalogue::procedures(&st.db)
        .await?
        .into_iter()
        .map(|p| (p.code.clone(), p.name(auth.lang().as_str()).to_string()))
        .collect())
}

/// The page of a record the reader cannot open (status 403: the record stays closed).
pub async fn access_page(
    st: &AppState,
    auth: &Auth,
    person_id: &str,
    input: RequestInput,
    errors: FormErrors,
    done: Option<&str>,
) -> AppResult<Response> {
    let person = store::people::summary(&st.db, &auth.ctx, person_id).await?;
    let latest = store::access::latest_mine(&st.db, &auth.ctx, person_id).await?;
    let referred: Vec<store::cases::CaseRow> =
        store::cases::cases_of_person(&st.db, &auth.ctx, person_id)
            .await?
            .into_iter()
            .filter(|c| Some(&c.owner_org_id) != auth.ctx.actor.org_id.as_ref())
            .collect();
    let tr = auth.info.tr;
    let page = AccessPage {
        page: auth.info.page(&tr.t("access-title")),
        can_ask: auth.ctx.actor.can(Permission::ViewPeople)
            && auth.ctx.actor.org_id.is_some()
            && auth.ctx.actor.scope_for(Permission::ViewPeople)
                != Some(domain::account::Scope::All),
        referred,
        person,
        latest,
        input,
        purposes: purposes(auth),
        levels: levels(auth),
        procedures: procedure_choices(st, auth).await?,
        done: done
            .filter(|d| ["access-requested", "access-withdrawn"].contains(d))
            .map(|d| tr.t(&format!("done-{d}"))),
        errors,
    };
    let status = if page.errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::FORBIDDEN
    };
    Ok(render_status(status, &page))
}

/// `POST /people/{id}/access-requests`: asks the record's owner for access.
pub async fn request(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<RequestInput>,
) -> AppResult<Response> {
    match store::access::request(&st.db, &auth.ctx, &id, &f).await {
        Ok(_) => Ok(see_other(&format!("/people/{id}?done=access-requested"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => access_page(&st, &auth, &id, f, errors, None).await,
            None => Err(AppError(e)),
        },
    }
}

#[derive(Template)]
#[template(path = "access_requests.html")]
pub struct ListPage {
    pub page: PageCtx,
    /// (heading id, requests, received by the reader's organisation)
    pub sections: Vec<(&'static str, Vec<Request>, bool)>,
}

/// `GET /access-requests`: what the organisation was asked and asked for.
pub async fn list(State(st): State<AppState>, auth: Auth) -> AppResult<Response> {
    let lists = store::access::list(&st.db, &auth.ctx).await?;
    Ok(render(&ListPage {
        page: auth.info.page(&auth.info.tr.t("access-requests-title")),
        sections: vec![
            ("access-received", lists.received, true),
            ("access-sent", lists.sent, false),
        ],
    }))
}

#[derive(Template)]
#[template(path = "access_request.html")]
pub struct RequestPage {
    pub page: PageCtx,
    pub r: Request,
    /// The reader's organisation owns the record (it answers).
    pub owner: bool,
    pub can_answer: bool,
    pub consent: bool,
    pub levels: Vec<(&'static str, String)>,
    pub input: AnswerInput,
    pub errors: FormErrors,
    pub done: Option<String>,
    pub procedure_name: Option<String>,
}

async fn request_page(
    st: &AppState,
    auth: &Auth,
    id: &str,
    input: Option<AnswerInput>,
    errors: FormErrors,
    done: Option<&str>,
) -> AppResult<RequestPage> {
    let r = store::access::get(&st.db, &auth.ctx, id).await?;
    let owner = auth.ctx.actor.org_id.as_deref() == Some(r.owner_org_id.as_str());
    let consent = store::people::has_consent(
        &st.db,
        &r.person_id,
        domain::people::ConsentPurpose::ShareForReferral,
    )
    .await?;
    let procedure_name = match &r.procedure_code {
        Some(code) => store::catalogue::procedures(&st.db)
            .await?
            .into_iter()
            .find(|p| &p.code == code)
            .map(|p| p.name(auth.lang().as_str()).to_string()),
        None => None,
    };
    let tr = auth.info.tr;
    let input = input.unwrap_or_else(|| AnswerInput {
        level: r.asked_level.clone(),
        valid_until: (domain::clock::today()
            + chrono::Duration::days(store::access::DEFAULT_GRANT_DAYS))
        .to_string(),
        reason: String::new(),
        version: r.version,
    });
    Ok(RequestPage {
        page: auth.info.page(&tr.t("access-request-title")),
        can_answer: owner && auth.ctx.actor.can(Permission::EditPeople),
        owner,
        consent,
        levels: levels(auth),
        input,
        errors,
        done: done
            .filter(|d| ["granted", "refused", "revoked"].contains(d))
            .map(|d| tr.t(&format!("done-access-{d}"))),
        procedure_name,
        r,
    })
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

/// `GET /access-requests/{id}`: the request, with the owner's answer forms.
pub async fn show(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<DoneQuery>,
) -> AppResult<Response> {
    let page = request_page(
        &st,
        &auth,
        &id,
        None,
        FormErrors::default(),
        q.done.as_deref(),
    )
    .await?;
    Ok(render(&page))
}

/// After a step on a request: on to `to`, or the request's page again with the problem.
async fn after(
    st: &AppState,
    auth: &Auth,
    id: &str,
    r: domain::Result<()>,
    to: String,
    input: Option<AnswerInput>,
) -> AppResult<Response> {
    match r {
        Ok(()) => Ok(see_other(&to)),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let status = error_status(&e);
                let page = request_page(st, auth, id, input, errors, None).await?;
                Ok(render_status(status, &page))
            }
            None => Err(AppError(e)),
        },
    }
}

async fn answer(
    st: AppState,
    auth: Auth,
    id: String,
    decision: Decision,
    f: AnswerInput,
) -> AppResult<Response> {
    let r = store::access::answer(&st.db, &auth.ctx, &id, decision, &f)
        .await
        .map(|_| ());
    let done = match decision {
        Decision::Grant => "granted",
        Decision::Refuse => "refused",
    };
    let to = format!("/access-requests/{id}?done={done}");
    after(&st, &auth, &id, r, to, Some(f)).await
}

pub async fn grant(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<AnswerInput>,
) -> AppResult<Response> {
    answer(st, auth, id, Decision::Grant, f).await
}

pub async fn refuse(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<AnswerInput>,
) -> AppResult<Response> {
    answer(st, auth, id, Decision::Refuse, f).await
}

/// `POST /access-requests/{id}/withdraw`: the asker no longer needs it.
pub async fn withdraw(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let req = store::access::get(&st.db, &auth.ctx, &id).await?;
    let r = store::access::withdraw(&st.db, &auth.ctx, &id).await;
    let to = format!("/people/{}?done=access-withdrawn", req.person_id);
    after(&st, &auth, &id, r, to, None).await
}

/// `POST /access-requests/{id}/revoke`: the owner ends a grant before its day.
pub async fn revoke(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let r = store::access::revoke(&st.db, &auth.ctx, &id).await;
    let to = format!("/access-requests/{id}?done=revoked");
    after(&st, &auth, &id, r, to, None).await
}

#[derive(Deserialize, Default)]
pub struct PurposeForm {
    #[serde(default)]
    subject_type: String,
    #[serde(default)]
    subject_id: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    purpose_note: String,
    #[serde(default)]
    next: String,
}

#[derive(Template)]
#[template(path = "purpose.html")]
pub struct PurposePage {
    pub page: PageCtx,
    pub subject_type: String,
    pub subject_id: String,
    pub next: String,
    pub purposes: Vec<(&'static str, String)>,
    pub selected: String,
    pub note: String,
    pub errors: FormErrors,
}

/// The form that asks why a record outside the reader's organisation is opened.
pub fn purpose_page(
    info: &crate::page::ReqInfo,
    subject_type: &str,
    subject_id: &str,
    next: &str,
    selected: &str,
    note: &str,
    errors: FormErrors,
) -> PurposePage {
    PurposePage {
        page: info.page(&info.tr.t("purpose-title")),
        subject_type: subject_type.to_string(),
        subject_id: subject_id.to_string(),
        next: next.to_string(),
        purposes: store::purposes::PURPOSES
            .iter()
            .map(|p| (*p, info.tr.t(&format!("purpose-{p}"))))
            .collect(),
        selected: selected.to_string(),
        note: note.to_string(),
        errors,
    }
}

/// `POST /purposes`: states why, then goes on to the record.
pub async fn state_purpose(
    State(st): State<AppState>,
    auth: Auth,
    Form(f): Form<PurposeForm>,
) -> AppResult<Response> {
    match store::purposes::state(
        &st.db,
        &auth.ctx,
        &f.subject_type,
        &f.subject_id,
        &f.purpose,
        &f.purpose_note,
    )
    .await
    {
        Ok(()) => Ok(see_other(&safe_next(Some(&f.next)))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => Ok(render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &purpose_page(
                    &auth.info,
                    &f.subject_type,
                    &f.subject_id,
                    &safe_next(Some(&f.next)),
                    &f.purpose,
                    &f.purpose_note,
                    errors,
                ),
            )),
            None => Err(AppError(e)),
        },
    }
}
