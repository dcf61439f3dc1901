//! The registry of reception centres: the list with filters, a centre's page with its
//! contract and presences, the registry form, and daily presences by form or CSV.

use askama::Template;
use axum::Form;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::Error;
use domain::policy::Permission;
use serde::Deserialize;
use store::centres::{Centre, CentreInput, Filter, ImportReport, Presence};

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::forms::{FormErrors, Kept};
use crate::page::{PageCtx, render, render_status, see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "centres.html")]
pub struct CentresPage {
    pub page: PageCtx,
    pub centres: Vec<Centre>,
    pub f: Filter,
    pub kinds: Vec<(&'static str, String)>,
    pub municipalities: Vec<String>,
    pub can_manage: bool,
    pub can_record: bool,
}

fn kinds(auth: &Auth) -> Vec<(&'static str, String)> {
    store::centres::KINDS
        .iter()
        .filter(|k| **k != "hub")
        .map(|k| (*k, auth.info.tr.t(&format!("centre-kind-{k}"))))
        .collect()
}

/// `GET /centres`
pub async fn list(
    State(st): State<AppState>,
    auth: Auth,
    Query(f): Query<Filter>,
) -> AppResult<Response> {
    let centres = store::centres::list(&st.db, &auth.ctx, &f).await?;
    Ok(render(&CentresPage {
        page: auth.info.page(&auth.info.tr.t("centres-title")),
        kinds: kinds(&auth),
        municipalities: store::centres::municipalities(&st.db, &auth.ctx).await?,
        can_manage: auth.ctx.actor.can(Permission::ManageCentres),
        can_record: auth.ctx.actor.can(Permission::RecordPresences),
        centres,
        f,
    }))
}

#[derive(Template)]
#[template(path = "centre.html")]
pub struct CentrePage {
    pub page: PageCtx,
    pub c: Centre,
    pub presences: Vec<Presence>,
    pub can_manage: bool,
    pub can_record: bool,
    pub errors: FormErrors,
    pub kept: Kept,
    pub done: bool,
    pub chart: String,
    pub inspections: Vec<store::inspections::Inspection>,
    pub actions: Vec<store::corrective::Action>,
    pub events: Vec<store::centre_log::CentreEvent>,
    pub can_log: bool,
    pub can_inspect: bool,
    /// Legal-support consultations: only for those who record them.
    pub consultations: Option<Vec<store::centre_log::Consultation>>,
}

impl CentrePage {
    pub fn categories(&self) -> Vec<(&'static str, &'static str)> {
        store::centre_log::EVENT_CATEGORIES
            .iter()
            .flat_map(|(k, cats)| cats.iter().map(move |c| (*k, *c)))
            .collect()
    }

    pub fn topics(&self) -> &'static [&'static str] {
        store::centre_log::LEGAL_TOPICS
    }
}

pub(crate) async fn centre_page(
    st: &AppState,
    auth: &Auth,
    id: &str,
    errors: FormErrors,
    kept: Kept,
    done: bool,
) -> AppResult<CentrePage> {
    let c = store::centres::get(&st.db, &auth.ctx, id, Permission::ViewCentres).await?;
    let presences = store::centres::presences(&st.db, &auth.ctx, id, 30).await?;
    let days: Vec<crate::svg::Day> = presences
        .iter()
        .rev()
        .map(|p| crate::svg::Day {
            label: p.day.to_string(),
            guests: p.male + p.female,
        })
        .collect();
    let chart = if days.is_empty() {
        String::new()
    } else {
        crate::svg::occupancy(&days, c.capacity(), &auth.info.tr.t("occupancy-chart"))
    };
    let actor = &auth.ctx.actor;
    Ok(CentrePage {
        page: auth.info.page(&c.name),
        chart,
        inspections: store::inspections::list(&st.db, &auth.ctx, Some(id)).await?,
        actions: store::corrective::list(
            &st.db,
            &auth.ctx,
            &store::corrective::Filter {
                centre: id.to_string(),
                status: String::new(),
            },
        )
        .await?,
        events: store::centre_log::events(&st.db, &auth.ctx, id).await?,
        can_log: actor.reaches(Permission::LogCentreEvents, &c.org_id, None),
        can_inspect: actor.can(Permission::Inspect),
        consultations: if actor.can(Permission::RecordLegalSupport) {
            Some(store::centre_log::consultations(&st.db, &auth.ctx, id).await?)
        } else {
            None
        },
        presences,
        can_manage: auth.ctx.actor.can(Permission::ManageCentres),
        can_record: auth
            .ctx
            .actor
            .reaches(Permission::RecordPresences, &c.org_id, None),
        c,
        errors,
        kept,
        done,
    })
}

#[derive(Deserialize, Default)]
pub struct DoneQ {
    #[serde(default)]
    done: Option<String>,
}

/// `GET /centres/{id}`
pub async fn show(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(d): Query<DoneQ>,
) -> AppResult<Response> {
    let p = centre_page(
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

#[derive(askama::Template)]
#[template(path = "presences_form.html")]
pub struct PresencesFormPage {
    pub page: PageCtx,
    pub c: Centre,
}

/// `GET /centres/{id}/presences/new`: the day's count alone (numbers, no names), for the
/// field: the device may keep it for use without signal.
pub async fn presences_form(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let c = store::centres::get(&st.db, &auth.ctx, &id, Permission::ViewCentres).await?;
    if !auth
        .ctx
        .actor
        .reaches(Permission::RecordPresences, &c.org_id, None)
    {
        return Err(crate::error::AppError(domain::Error::Forbidden));
    }
    Ok(render(&PresencesFormPage {
        page: auth.info.page(&auth.info.tr.t("presences-title")),
        c,
    }))
}

#[derive(Deserialize)]
pub struct PresenceForm {
    #[serde(default)]
    day: String,
    #[serde(default)]
    male: String,
    #[serde(default)]
    female: String,
}

/// `POST /centres/{id}/presences`
pub async fn record(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<PresenceForm>,
) -> AppResult<Response> {
    match store::centres::record_presence(&st.db, &auth.ctx, &id, &f.day, &f.male, &f.female).await
    {
        Ok(()) => Ok(see_other(&format!("/centres/{id}?done=presence"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let kept = Kept(vec![("day", f.day), ("male", f.male), ("female", f.female)]);
                let p = centre_page(&st, &auth, &id, errors, kept, false).await?;
                Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
            }
            None => Err(AppError(e)),
        },
    }
}

#[derive(Template)]
#[template(path = "centre_form.html")]
pub struct CentreForm {
    pub page: PageCtx,
    pub id: Option<String>,
    pub i: CentreInput,
    pub kinds: Vec<(&'static str, String)>,
    pub orgs: Vec<store::account::Org>,
    pub errors: FormErrors,
}

impl CentreForm {
    /// The plain text fields: name, label id, value, input type.
    pub fn fields(&self) -> Vec<(&'static str, &'static str, &str, &'static str)> {
        let i = &self.i;
        vec![
            ("code", "centre-code", &i.code, "text"),
            ("address", "field-address", &i.address, "text"),
            (
                "municipality",
                "centre-municipality",
                &i.municipality,
                "text",
            ),
            ("lat", "centre-lat", &i.lat, "text"),
            ("lon", "centre-lon", &i.lon, "text"),
            (
                "contract_number",
                "centre-contract-number",
                &i.contract_number,
                "text",
            ),
            (
                "contract_start",
                "centre-contract-start",
                &i.contract_start,
                "date",
            ),
            (
                "contract_end",
                "centre-contract-end",
                &i.contract_end,
                "date",
            ),
            (
                "places_contracted",
                "centre-places",
                &i.places_contracted,
                "number",
            ),
            ("daily_price", "centre-price", &i.daily_price, "text"),
            (
                "capacity_male",
                "centre-capacity-male",
                &i.capacity_male,
                "number",
            ),
            (
                "capacity_female",
                "centre-capacity-female",
                &i.capacity_female,
                "number",
            ),
            (
                "contact_person",
                "centre-contact",
                &i.contact_person,
                "text",
            ),
            ("phone", "field-phone", &i.phone, "tel"),
            ("email", "field-email", &i.email, "email"),
            ("languages", "field-languages", &i.languages, "text"),
        ]
    }
}

async fn form_page(
    st: &AppState,
    auth: &Auth,
    id: Option<String>,
    i: CentreInput,
    errors: FormErrors,
) -> AppResult<CentreForm> {
    let orgs = store::account::list_orgs(&st.db, &auth.ctx)
        .await?
        .into_iter()
        .filter(|o| o.active)
        .collect();
    let title = if id.is_some() {
        auth.info.tr.t("centre-edit")
    } else {
        auth.info.tr.t("centre-new")
    };
    Ok(CentreForm {
        page: auth.info.page(&title),
        kinds: kinds(auth),
        id,
        i,
        orgs,
        errors,
    })
}

/// `GET /centres/new`
pub async fn new_form(State(st): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::ManageCentres)?;
    let i = CentreInput {
        kind: "cas".into(),
        contract_schema: "2023".into(),
        ..Default::default()
    };
    Ok(render(
        &form_page(&st, &auth, None, i, FormErrors::default()).await?,
    ))
}

/// `GET /centres/{id}/edit`
pub async fn edit_form(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::ManageCentres)?;
    let c = store::centres::get(&st.db, &auth.ctx, &id, Permission::ManageCentres).await?;
    let n = |v: Option<i32>| v.map(|x| x.to_string()).unwrap_or_default();
    let d = |v: Option<chrono::NaiveDate>| v.map(|x| x.to_string()).unwrap_or_default();
    let i = CentreInput {
        code: c.code.clone().unwrap_or_default(),
        name: c.name.clone(),
        kind: c.kind.clone(),
        org_id: c.org_id.clone(),
        address: c.address.clone(),
        municipality: c.municipality.clone(),
        lat: c.lat.map(|x| x.to_string()).unwrap_or_default(),
        lon: c.lon.map(|x| x.to_string()).unwrap_or_default(),
        languages: String::new(),
        specialisms: String::new(),
        contract_number: c.contract_number.clone().unwrap_or_default(),
        contract_start: d(c.contract_start),
        contract_end: d(c.contract_end),
        contract_schema: c.contract_schema.clone().unwrap_or_default(),
        places_contracted: n(c.places_contracted),
        daily_price: c
            .daily_price_cents
            .map(|p| format!("{}.{:02}", p / 100, p % 100))
            .unwrap_or_default(),
        capacity_male: n(c.capacity_male),
        capacity_female: n(c.capacity_female),
        contact_person: c.contact_person.clone().unwrap_or_default(),
        phone: c.phone.clone().unwrap_or_default(),
        email: c.email.clone().unwrap_or_default(),
        version: c.version,
    };
    Ok(render(
        &form_page(&st, &auth, Some(id), i, FormErrors::default()).await?,
    ))
}

async fn save(st: AppState, auth: Auth, id: Option<String>, i: CentreInput) -> AppResult<Response> {
    match store::centres::save(&st.db, &auth.ctx, id.as_deref(), &i).await {
        Ok(cid) => Ok(see_other(&format!("/centres/{cid}?done=saved"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let status =
                    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
                let p = form_page(&st, &auth, id, i, errors).await?;
                Ok(render_status(status, &p))
            }
            None => Err(AppError(e)),
        },
    }
}

/// `POST /centres`
pub async fn create(
    State(st): State<AppState>,
    auth: Auth,
    Form(i): Form<CentreInput>,
) -> AppResult<Response> {
    save(st, auth, None, i).await
}

/// `POST /centres/{id}`
pub async fn update(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(i): Form<CentreInput>,
) -> AppResult<Response> {
    save(st, auth, Some(id), i).await
}

#[derive(Template)]
#[template(path = "presences_import.html")]
pub struct ImportPage {
    pub page: PageCtx,
    pub report: Option<ImportReport>,
    pub errors: FormErrors,
}

/// `GET /centres/presences/import`
pub async fn import_form(auth: Auth) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::RecordPresences)?;
    Ok(render(&ImportPage {
        page: auth.info.page(&auth.info.tr.t("presences-import-title")),
        report: None,
        errors: FormErrors::default(),
    }))
}

/// `POST /centres/presences/import` (multipart, the CSV in `file`)
pub async fn import(State(st): State<AppState>, auth: Auth, req: Request) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::RecordPresences)?;
    let text = match Multipart::from_request(req, &st).await {
        Ok(mut m) => {
            let mut text = None;
            while let Ok(Some(field)) = m.next_field().await {
                if field.name() == Some("file") {
                    let bytes = field
                        .bytes()
                        .await
                        .map_err(|_| AppError(Error::BadRequest))?;
                    text = Some(
                        String::from_utf8(bytes.to_vec())
                            .map_err(|_| AppError(Error::field("file", "csv_not_utf8"))),
                    );
                }
            }
            text.unwrap_or(Err(AppError(Error::field("file", "field_required"))))
        }
        Err(_) => Err(AppError(Error::UnsupportedMediaType)),
    };
    let result = match text {
        Ok(t) => store::centres::import_presences(&st.db, &auth.ctx, &t)
            .await
            .map_err(AppError),
        Err(e) => Err(e),
    };
    let title = auth.info.tr.t("presences-import-title");
    match result {
        Ok(report) => Ok(render(&ImportPage {
            page: auth.info.page(&title),
            report: Some(report),
            errors: FormErrors::default(),
        })),
        Err(AppError(e)) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => Ok(render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ImportPage {
                    page: auth.info.page(&title),
                    report: None,
                    errors,
                },
            )),
            None => Err(AppError(e)),
        },
    }
}

#[derive(Template)]
#[template(path = "checklist.html")]
pub struct ChecklistPage {
    pub page: PageCtx,
    pub t: store::checklists::Template,
    pub it: bool,
}

/// `GET /checklists/{schema}`: the template a centre on that contract schema is checked
/// against.
pub async fn checklist(
    State(st): State<AppState>,
    auth: Auth,
    Path(schema): Path<String>,
) -> AppResult<Response> {
    let t = store::checklists::current(&st.db, &auth.ctx, &schema).await?;
    let it = auth.lang().as_str() == "it";
    Ok(render(&ChecklistPage {
        page: auth.info.page(if it { &t.title_it } else { &t.title_en }),
        t,
        it,
    }))
}
