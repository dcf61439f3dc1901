//! The Safe Space pages (WP3): a managing body's screenings of its guests and its
//! acknowledgement of the protocol; the screening form on a guest, which refers them to a
//! specialised service only with their consent; the monitoring office's protocol page.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::policy::Permission;
use serde::Deserialize;
use store::safe_space::{ProtocolView, Screening, ScreeningInput};

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::forms::{Done, FormErrors};
use crate::page::{PageCtx, render, render_status, see_other};
use crate::state::AppState;

fn done_msg(auth: &Auth, d: &Done) -> Option<String> {
    d.message(
        &auth.info.tr,
        "done-safe-space",
        &["acknowledged", "screened", "referred", "published"],
    )
}

#[derive(Template)]
#[template(path = "safe_space.html")]
pub struct SafeSpacePage {
    pub page: PageCtx,
    pub p: ProtocolView,
    pub screenings: Vec<Screening>,
    pub done: Option<String>,
}

impl SafeSpacePage {
    pub fn category(&self, c: &str) -> String {
        self.page.t(&format!("vulnerability-{c}"))
    }
    pub fn service_label(&self, s: &str) -> String {
        self.page.t(&format!("service-{s}"))
    }
}

/// `GET /safe-space`: the managing body's view.
pub async fn show(
    State(st): State<AppState>,
    auth: Auth,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::ScreenVulnerability)?;
    let done = done_msg(&auth, &d);
    Ok(render(&SafeSpacePage {
        page: auth.info.page(&auth.info.tr.t("safe-space-title")),
        p: store::safe_space::protocol(&st.db, &auth.ctx).await?,
        screenings: store::safe_space::screenings(&st.db, &auth.ctx).await?,
        done,
    }))
}

/// `POST /safe-space/acknowledge`
pub async fn acknowledge(State(st): State<AppState>, auth: Auth) -> AppResult<Response> {
    store::safe_space::acknowledge(&st.db, &auth.ctx).await?;
    Ok(see_other("/safe-space?done=acknowledged"))
}

#[derive(Template)]
#[template(path = "safe_space_protocol.html")]
pub struct ProtocolPage {
    pub page: PageCtx,
    pub p: ProtocolView,
    pub title: String,
    pub body: String,
    pub version_label: String,
    pub errors: FormErrors,
    pub done: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProtocolForm {
    title: String,
    body: String,
    version_label: String,
}

/// `GET /safe-space/protocol`: the monitoring office publishes and follows.
pub async fn protocol(
    State(st): State<AppState>,
    auth: Auth,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::ManageSafeSpace)?;
    let done = done_msg(&auth, &d);
    let p = store::safe_space::protocol(&st.db, &auth.ctx).await?;
    let (title, body) = p
        .protocol
        .as_ref()
        .map(|x| (x.title.clone(), x.body.clone()))
        .unwrap_or_default();
    Ok(render(&ProtocolPage {
        page: auth.info.page(&auth.info.tr.t("safe-space-protocol")),
        p,
        title,
        body,
        version_label: String::new(),
        errors: FormErrors::default(),
        done,
    }))
}

/// `POST /safe-space/protocol`
pub async fn publish(
    State(st): State<AppState>,
    auth: Auth,
    Form(f): Form<ProtocolForm>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::ManageSafeSpace)?;
    match store::safe_space::publish_protocol(
        &st.db,
        &auth.ctx,
        &f.title,
        &f.body,
        &f.version_label,
    )
    .await
    {
        Ok(_) => Ok(see_other("/safe-space/protocol?done=published")),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => Ok(render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ProtocolPage {
                    page: auth.info.page(&auth.info.tr.t("safe-space-protocol")),
                    p: store::safe_space::protocol(&st.db, &auth.ctx).await?,
                    title: f.title,
                    body: f.body,
                    version_label: f.version_label,
                    errors,
                    done: None,
                },
            )),
            None => Err(AppError(e)),
        },
    }
}

#[derive(Template)]
#[template(path = "screening.html")]
pub struct ScreeningPage {
    pub page: PageCtx,
    pub person_id: String,
    pub person_name: String,
    pub consent: bool,
    pub centres: Vec<(String, String)>,
    pub orgs: Vec<(String, String)>,
    pub i: ScreeningInput,
    pub errors: FormErrors,
}

impl ScreeningPage {
    pub fn categories(&self) -> &'static [domain::people::Vulnerability] {
        domain::people::Vulnerability::ALL
    }
    pub fn category(&self, c: &str) -> String {
        self.page.t(&format!("vulnerability-{c}"))
    }
    pub fn ticked(&self, c: &str) -> bool {
        self.i.categories.iter().any(|x| x == c)
    }
    pub fn services(&self) -> &'static [&'static str] {
        store::safe_space::SERVICES
    }
    pub fn service_label(&self, s: &str) -> String {
        self.page.t(&format!("service-{s}"))
    }
}

async fn screening_page(
    st: &AppState,
    auth: &Auth,
    id: &str,
    i: ScreeningInput,
    errors: FormErrors,
) -> AppResult<ScreeningPage> {
    auth.ctx.actor.require(Permission::ScreenVulnerability)?;
    let person = store::people::get_person(&st.db, &auth.ctx, id).await?;
    let consent =
        store::people::has_consent(&st.db, id, domain::people::ConsentPurpose::ShareForReferral)
            .await?;
    let centres = store::centres::list(&st.db, &auth.ctx, &Default::default())
        .await?
        .into_iter()
        .filter(|c| Some(&c.org_id) == auth.ctx.actor.org_id.as_ref())
        .map(|c| (c.id, c.name))
        .collect();
    let orgs = store::account::list_orgs(&st.db, &auth.ctx)
        .await?
        .into_iter()
        .filter(|o| {
            o.active
                && Some(&o.id) != auth.ctx.actor.org_id.as_ref()
                && matches!(
                    o.kind.as_str(),
                    "civil_society" | "municipality" | "partner"
                )
        })
        .map(|o| (o.id, o.name))
        .collect();
    Ok(ScreeningPage {
        page: auth.info.page(&auth.info.tr.t("screening-title")),
        person_name: format!("{} {}", person.given_names, person.family_name),
        person_id: id.to_string(),
        consent,
        centres,
        orgs,
        i,
        errors,
    })
}

/// `GET /people/{id}/screening`
pub async fn form(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let i = ScreeningInput {
        screened_on: domain::clock::today().to_string(),
        ..Default::default()
    };
    Ok(render(
        &screening_page(&st, &auth, &id, i, FormErrors::default()).await?,
    ))
}

/// `POST /people/{id}/screening`: `categories` come once per ticked box.
pub async fn submit(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::ScreenVulnerability)?;
    let mut i = ScreeningInput::default();
    for (k, v) in pairs {
        match k.as_str() {
            "centre_id" => i.centre_id = v,
            "screened_on" => i.screened_on = v,
            "categories" => i.categories.push(v),
            "notes" => i.notes = v,
            "service" => i.service = v,
            "refer_to" => i.refer_to = v,
            _ => {}
        }
    }
    match store::safe_space::screen(&st.db, &auth.ctx, &id, &i).await {
        Ok(s) => Ok(see_other(if s.case_id.is_some() {
            "/safe-space?done=referred"
        } else {
            "/safe-space?done=screened"
        })),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => Ok(render_status(
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
                &screening_page(&st, &auth, &id, i, errors).await?,
            )),
            None => Err(AppError(e)),
        },
    }
}
