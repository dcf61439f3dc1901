//! Organisations: the directory for everyone signed in, editing for administrators.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::account::OrgKind;
use domain::policy::Permission;
use serde::Deserialize;
use store::account::{Org, OrgInput};

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::page::{PageCtx, render, render_status, see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "orgs.html")]
pub struct OrgsPage {
    pub page: PageCtx,
    pub orgs: Vec<Org>,
    pub can_manage: bool,
    pub done: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
}

fn done_msg(auth: &Auth, d: &Done) -> Option<String> {
    d.done
        .as_deref()
        .filter(|c| ["created", "saved"].contains(c))
        .map(|c| auth.info.tr.t(&format!("done-{c}")))
}

pub async fn list(
    State(st): State<AppState>,
    auth: Auth,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    let orgs = store::account::list_orgs(&st.db, &auth.ctx).await?;
    Ok(render(&OrgsPage {
        page: auth.info.page(&auth.info.tr.t("orgs-title")),
        orgs,
        can_manage: auth.ctx.actor.can(Permission::ManageOrganisations),
        done: done_msg(&auth, &d),
    }))
}

#[derive(Template)]
#[template(path = "org_form.html")]
pub struct OrgForm {
    pub page: PageCtx,
    /// None for a new organisation.
    pub id: Option<String>,
    pub version: i32,
    pub input: OrgInput,
    pub kinds: Vec<(&'static str, String)>,
    pub errors: FormErrors,
    pub can_manage: bool,
    pub done: Option<String>,
}

fn kinds(auth: &Auth) -> Vec<(&'static str, String)> {
    OrgKind::ALL
        .iter()
        .map(|k| (k.as_str(), auth.info.tr.t(&format!("org-kind-{k}"))))
        .collect()
}

pub async fn new_form(auth: Auth) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::ManageOrganisations)?;
    Ok(render(&OrgForm {
        page: auth.info.page(&auth.info.tr.t("org-new-title")),
        id: None,
        version: 0,
        input: OrgInput {
            active: Some("on".into()),
            ..Default::default()
        },
        kinds: kinds(&auth),
        errors: FormErrors::default(),
        can_manage: true,
        done: None,
    }))
}

pub async fn create(
    State(st): State<AppState>,
    auth: Auth,
    Form(input): Form<OrgInput>,
) -> AppResult<Response> {
    match store::account::create_org(&st.db, &auth.ctx, &input, false).await {
        Ok(_) => Ok(see_other("/admin/organisations?done=created")),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => Ok(render_status(
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
                &OrgForm {
                    page: auth.info.page(&auth.info.tr.t("org-new-title")),
                    id: None,
                    version: 0,
                    kinds: kinds(&auth),
                    input,
                    errors,
                    can_manage: true,
                    done: None,
                },
            )),
            None => Err(AppError(e)),
        },
    }
}

pub async fn show(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    let org = store::account::get_org(&st.db, &auth.ctx, &id).await?;
    Ok(render(&OrgForm {
        page: auth.info.page(&org.name),
        id: Some(org.id.clone()),
        version: org.version,
        input: OrgInput {
            name: org.name.clone(),
            kind: org.kind.clone(),
            active: org.active.then(|| "on".to_string()),
        },
        kinds: kinds(&auth),
        errors: FormErrors::default(),
        can_manage: auth.ctx.actor.can(Permission::ManageOrganisations),
        done: done_msg(&auth, &d),
    }))
}

#[derive(Deserialize)]
pub struct OrgEdit {
    #[serde(flatten)]
    input: OrgInput,
    #[serde(default)]
    version: i32,
}

pub async fn update(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<OrgEdit>,
) -> AppResult<Response> {
    match store::account::update_org(&st.db, &auth.ctx, &id, f.version, &f.input).await {
        Ok(()) => Ok(see_other(&format!("/admin/organisations/{id}?done=saved"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => Ok(render_status(
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
                &OrgForm {
                    page: auth.info.page(&auth.info.tr.t("org-edit-title")),
                    id: Some(id),
                    version: f.version,
                    kinds: kinds(&auth),
                    input: f.input,
                    errors,
                    can_manage: true,
                    done: None,
                },
            )),
            None => Err(AppError(e)),
        },
    }
}
