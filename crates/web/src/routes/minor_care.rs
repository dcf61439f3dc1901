//! The hub's records after intake (guardian, siblings, interview, age assessment, health),
//! the register of volunteer guardians, the social file as a PDF, and the census exports to
//! SIM.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::account::UiLang;
use domain::policy::Permission;
use print::{Report, Section, SectionBody};
use serde::Deserialize;
use store::minor_care::{AgeInput, Guardian, GuardianInput, InterviewInput};
use store::minors::MinorView;
use store::sim::{SimExport, SimRow};

use super::minors::after;
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::forms::{FormErrors, Kept};
use crate::i18n::Tr;
use crate::page::{PageCtx, render, render_status, see_other};
use crate::state::AppState;

// ---- Guardians' register ----

#[derive(Template)]
#[template(path = "guardians.html")]
pub struct GuardiansPage {
    pub page: PageCtx,
    pub guardians: Vec<Guardian>,
    pub limit: usize,
    pub can_edit: bool,
    pub input: GuardianInput,
    pub errors: FormErrors,
    pub done: bool,
}

impl GuardiansPage {
    pub fn value(&self, field: &str) -> &str {
        match field {
            "full_name" => &self.input.full_name,
            "court_list" => &self.input.court_list,
            "phone" => &self.input.phone,
            "email" => &self.input.email,
            _ => "",
        }
    }

    /// Whether a guardian follows as many minors as the limit (the next needs confirming).
    pub fn at_limit(&self, g: &Guardian) -> bool {
        usize::try_from(g.following).unwrap_or(0) >= self.limit
    }
}

#[derive(Deserialize, Default)]
pub struct DoneQ {
    #[serde(default)]
    done: Option<String>,
}

async fn guardians_page(
    st: &AppState,
    auth: &Auth,
    input: GuardianInput,
    errors: FormErrors,
    done: bool,
) -> AppResult<GuardiansPage> {
    Ok(GuardiansPage {
        page: auth.info.page(&auth.info.tr.t("guardians-title")),
        guardians: store::minor_care::guardians(&st.db, &auth.ctx).await?,
        limit: st.db.settings.guardian_max_minors,
        can_edit: auth.ctx.actor.can(Permission::EditMinors),
        input,
        errors,
        done,
    })
}

/// `GET /minors/guardians`
pub async fn guardians(
    State(st): State<AppState>,
    auth: Auth,
    Query(d): Query<DoneQ>,
) -> AppResult<Response> {
    let p = guardians_page(
        &st,
        &auth,
        GuardianInput::default(),
        FormErrors::default(),
        d.done.is_some(),
    )
    .await?;
    Ok(render(&p))
}

/// `POST /minors/guardians`
pub async fn add_guardian(
    State(st): State<AppState>,
    auth: Auth,
    Form(input): Form<GuardianInput>,
) -> AppResult<Response> {
    match store::minor_care::add_guardian(&st.db, &auth.ctx, &input).await {
        Ok(_) => Ok(see_other("/minors/guardians?done=added")),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let p = guardians_page(&st, &auth, input, errors, false).await?;
                Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
            }
            None => Err(AppError(e)),
        },
    }
}

// ---- A minor's care records ----

#[derive(Deserialize)]
pub struct AppointForm {
    #[serde(default)]
    guardian_id: String,
    #[serde(default)]
    appointed_on: String,
    #[serde(default)]
    decree: String,
    /// Ticked after the warning that the guardian already follows the maximum.
    #[serde(default)]
    confirm_over_limit: Option<String>,
}

/// `POST /minors/{id}/guardian`
pub async fn appoint(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<AppointForm>,
) -> AppResult<Response> {
    let r = store::minor_care::appoint_guardian(
        &st.db,
        &auth.ctx,
        &id,
        &f.guardian_id,
        &f.appointed_on,
        &f.decree,
        f.confirm_over_limit.is_some(),
    )
    .await;
    let kept = Kept(vec![
        ("guardian_id", f.guardian_id),
        ("appointed_on", f.appointed_on),
        ("decree", f.decree),
    ]);
    after(&st, &auth, &id, r, "guardian", kept).await
}

#[derive(Deserialize)]
pub struct SiblingForm {
    #[serde(default)]
    sibling_id: String,
}

/// `POST /minors/{id}/siblings`
pub async fn siblings(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<SiblingForm>,
) -> AppResult<Response> {
    let r = store::minor_care::link_siblings(&st.db, &auth.ctx, &id, &f.sibling_id).await;
    after(&st, &auth, &id, r, "siblings", Kept::default()).await
}

/// `POST /minors/{id}/interviews`
pub async fn interview(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<InterviewInput>,
) -> AppResult<Response> {
    let r = store::minor_care::add_interview(&st.db, &auth.ctx, &id, &f).await;
    let kept = Kept(vec![
        ("held_on", f.held_on),
        ("mediator", f.mediator),
        ("interview_language", f.language),
        ("staff", f.staff),
        ("summary", f.summary),
    ]);
    after(&st, &auth, &id, r, "interview", kept).await
}

/// `POST /minors/{id}/age`
pub async fn age(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<AgeInput>,
) -> AppResult<Response> {
    let r = store::minor_care::save_age_assessment(&st.db, &auth.ctx, &id, &f).await;
    let kept = Kept(vec![
        ("doubt_raised_on", f.doubt_raised_on),
        ("order_date", f.order_date),
        ("team", f.team),
        ("method", f.method),
        ("result", f.result),
        ("margin", f.margin),
        ("outcome", f.outcome),
        ("concluded_on", f.concluded_on),
        ("communicated_on", f.communicated_on),
        ("appeal", f.appeal),
    ]);
    after(&st, &auth, &id, r, "age", kept).await
}

#[derive(Deserialize)]
pub struct HealthForm {
    #[serde(default)]
    screened_on: String,
    #[serde(default)]
    by_whom: String,
    #[serde(default)]
    notes: String,
}

/// `POST /minors/{id}/health`
pub async fn health(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<HealthForm>,
) -> AppResult<Response> {
    let r = store::minor_care::add_health_screening(
        &st.db,
        &auth.ctx,
        &id,
        &f.screened_on,
        &f.by_whom,
        &f.notes,
    )
    .await;
    let kept = Kept(vec![
        ("screened_on", f.screened_on),
        ("by_whom", f.by_whom),
        ("health_notes", f.notes),
    ]);
    after(&st, &auth, &id, r, "health", kept).await
}

// ---- Social file (cartella sociale) ----

fn dash(o: &Option<String>) -> String {
    o.clone().unwrap_or_else(|| "—".into())
}

fn date(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_else(|| "—".into())
}

/// The social file that goes to the destination municipality's social services and to the
/// prosecutor (L. 47/2017 art. 9): identity, first contact, the interview, the age
/// assessment, the guardian and the notices. Health notes stay at the hub (only the date and
/// who screened are listed); the interview's summary is what the file is for. In Italian.
fn social_file(v: &MinorView, by: &str) -> Report {
    let tr = Tr::new(UiLang::It);
    let m = &v.minor;
    let c = &v.care;
    let mut sections = vec![
        Section {
            heading: tr.t("notice-identity"),
            body: SectionBody::Fields(vec![
                (tr.t("field-family-name"), m.family_name.clone()),
                (tr.t("field-given-names"), m.given_names.clone()),
                (tr.t("field-name-original"), dash(&m.name_original)),
                (tr.t("field-birth-date"), m.birth_display()),
                (tr.t("field-nationality"), dash(&m.nationality)),
                (tr.t("field-languages"), m.languages.clone()),
                (
                    tr.t("sibling-title"),
                    if c.siblings.is_empty() {
                        "—".into()
                    } else {
                        c.siblings
                            .iter()
                            .map(|(_, n)| n.clone())
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                ),
            ]),
        },
        Section {
            heading: tr.t("notice-arrival"),
            body: SectionBody::Fields(vec![
                (
                    tr.t("minor-arrived-at"),
                    m.arrived_at.format("%d/%m/%Y %H:%M").to_string(),
                ),
                (tr.t("minor-contact-place"), m.contact_place.clone()),
                (
                    tr.t("minor-accompanying-adult"),
                    dash(&m.accompanying_adult),
                ),
                (tr.t("minor-relatives"), dash(&m.relatives)),
                (
                    tr.t("minor-reception-place"),
                    format!("{} — {}", m.hub_org_name, m.contact_place),
                ),
                (tr.t("clock-identification"), date(m.identified_on)),
            ]),
        },
    ];
    sections.push(Section {
        heading: tr.t("interviews-title"),
        body: if c.interviews.is_empty() {
            SectionBody::Empty(tr.t("pdf-none"))
        } else {
            SectionBody::Table {
                columns: vec![
                    tr.t("pdf-date"),
                    tr.t("interview-mediator"),
                    tr.t("interview-staff"),
                    tr.t("interview-summary"),
                ],
                rows: c
                    .interviews
                    .iter()
                    .map(|i| {
                        vec![
                            date(Some(i.held_on)),
                            match &i.language {
                                Some(l) => format!("{} ({l})", i.mediator),
                                None => i.mediator.clone(),
                            },
                            i.staff.clone(),
                            dash(&i.summary),
                        ]
                    })
                    .collect(),
            }
        },
    });
    sections.push(Section {
        heading: tr.t("age-title"),
        body: match &c.age {
            None => SectionBody::Empty(tr.t("age-none")),
            Some(a) => SectionBody::Fields(vec![
                (tr.t("age-doubt"), date(a.doubt_raised_on)),
                (tr.t("age-order"), date(a.order_date)),
                (tr.t("age-team"), dash(&a.team)),
                (tr.t("age-method"), dash(&a.method)),
                (tr.t("age-result"), dash(&a.result)),
                (tr.t("age-margin"), dash(&a.margin)),
                (
                    tr.t("age-outcome"),
                    a.outcome
                        .as_deref()
                        .map(|o| tr.t(&format!("age-outcome-{o}")))
                        .unwrap_or_else(|| "—".into()),
                ),
                (tr.t("age-concluded"), date(a.concluded_on)),
                (tr.t("age-communicated"), date(a.communicated_on)),
                (tr.t("age-appeal"), dash(&a.appeal)),
            ]),
        },
    });
    sections.push(Section {
        heading: tr.t("health-title"),
        body: if c.health.is_empty() {
            SectionBody::Empty(tr.t("pdf-none"))
        } else {
            SectionBody::Table {
                columns: vec![tr.t("pdf-date"), tr.t("health-by")],
                rows: c
                    .health
                    .iter()
                    .map(|h| vec![date(Some(h.screened_on)), h.by_whom.clone()])
                    .collect(),
            }
        },
    });
    sections.push(Section {
        heading: tr.t("guardian-title"),
        body: match &c.guardian {
            None => SectionBody::Empty(tr.t("guardian-none")),
            Some(g) => SectionBody::Fields(vec![
                (tr.t("guardian-name"), g.full_name.clone()),
                (tr.t("guardian-court-list"), g.court_list.clone()),
                (tr.t("guardian-appointed-on"), date(Some(g.appointed_on))),
                (tr.t("guardian-decree"), dash(&g.decree)),
            ]),
        },
    });
    sections.push(Section {
        heading: tr.t("notifications-title"),
        body: SectionBody::Table {
            columns: vec![tr.t("notification-recipient"), tr.t("notification-date")],
            rows: domain::minors::RECIPIENTS
                .iter()
                .map(|r| {
                    vec![
                        tr.t(&format!("recipient-{r}")),
                        v.notifications
                            .iter()
                            .find(|n| n.recipient == *r)
                            .map(|n| date(Some(n.sent_on)))
                            .unwrap_or_else(|| tr.t("notification-not-sent")),
                    ]
                })
                .collect(),
        },
    });
    Report {
        title: tr.t1("social-file-title", "name", m.full_name()),
        subtitle: Some(tr.t("social-file-subtitle")),
        generated_line: tr.t1(
            "pdf-generated",
            "when",
            format!("{} — {by}", domain::clock::today().format("%d/%m/%Y")),
        ),
        footer: tr.t("pdf-confidential"),
        sections,
    }
}

/// `GET /minors/{id}/social-file.pdf`
pub async fn social_file_pdf(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let v = store::minors::get_minor(&st.db, &auth.ctx, &id).await?;
    let report = social_file(&v, &auth.user.full_name);
    super::person_export::pdf_response(report, "it", &format!("cartella-sociale-{id}.pdf")).await
}

// ---- SIM census exports ----

#[derive(Template)]
#[template(path = "sim.html")]
pub struct SimPage {
    pub page: PageCtx,
    pub pending: usize,
    pub exports: Vec<SimExport>,
    pub done: Option<String>,
    pub errors: FormErrors,
}

async fn sim_page(
    st: &AppState,
    auth: &Auth,
    done: Option<String>,
    errors: FormErrors,
) -> AppResult<SimPage> {
    Ok(SimPage {
        page: auth.info.page(&auth.info.tr.t("sim-title")),
        pending: store::sim::rows(&st.db, &auth.ctx).await?.len(),
        exports: store::sim::exports(&st.db, &auth.ctx).await?,
        done,
        errors,
    })
}

/// `GET /minors/sim`
pub async fn sim(
    State(st): State<AppState>,
    auth: Auth,
    Query(d): Query<DoneQ>,
) -> AppResult<Response> {
    let done = d
        .done
        .filter(|c| c == "sent")
        .map(|_| auth.info.tr.t("done-sim-sent"));
    let p = sim_page(&st, &auth, done, FormErrors::default()).await?;
    Ok(render(&p))
}

fn csv_of(rows: &[SimRow]) -> domain::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(vec![]);
    let fail = |e: csv::Error| domain::Error::internal(e);
    w.write_record([
        "id_sprint",
        "cognome",
        "nome",
        "sesso",
        "data_nascita",
        "precisione_data_nascita",
        "cittadinanza_iso",
        "data_ora_rintraccio",
        "luogo_rintraccio",
        "struttura",
        "stato",
        "data_uscita",
        "tutore",
        "data_nomina_tutore",
    ])
    .map_err(fail)?;
    for r in rows {
        let birth = match (r.birth_year, r.birth_month, r.birth_day) {
            (Some(y), Some(m), Some(d)) => format!("{y:04}-{m:02}-{d:02}"),
            (Some(y), _, _) => format!("{y:04}"),
            _ => String::new(),
        };
        w.write_record([
            r.minor_id.as_str(),
            &r.family_name,
            &r.given_names,
            match r.sex.as_deref() {
                Some("male") => "M",
                Some("female") => "F",
                Some(_) => "X",
                None => "",
            },
            &birth,
            r.birth_precision.as_deref().unwrap_or(""),
            r.nationality.as_deref().unwrap_or(""),
            &r.arrived_at.format("%Y-%m-%dT%H:%M").to_string(),
            &r.contact_place,
            &r.hub_name,
            &r.status,
            &r.left_on.map(|d| d.to_string()).unwrap_or_default(),
            r.guardian.as_deref().unwrap_or(""),
            &r.guardian_appointed_on
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ])
        .map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| domain::Error::internal(e.to_string()))
}

/// `POST /minors/sim/export`: makes the file, records the export, and sends the file as a
/// CSV inside a ZIP encrypted with AES-256 under the officer's passphrase (names, dates of
/// birth and guardians of children: it must not travel or rest in clear). The digest kept
/// is the CSV's, the file uploaded to SIM.
pub async fn sim_export(
    State(st): State<AppState>,
    auth: Auth,
    Form(f): Form<crate::export::PasswordForm>,
) -> AppResult<Response> {
    let password = match f.checked() {
        Ok(p) => p,
        Err(e) => {
            let errors = FormErrors::from_error(&e, &auth.info.tr).unwrap_or_default();
            let p = sim_page(&st, &auth, None, errors).await?;
            return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p));
        }
    };
    let rows = store::sim::rows(&st.db, &auth.ctx).await?;
    let file = csv_of(&rows)?;
    let id = store::sim::record_export(&st.db, &auth.ctx, &rows, &file).await?;
    let name = format!("sim-{}-{}", domain::clock::today(), &id[..id.len().min(8)]);
    let zip = crate::export::encrypted_zip(&format!("{name}.csv"), &file, password)
        .map_err(|e| domain::Error::Internal(format!("zip: {e}")))?;
    Ok(super::reports::file(
        zip,
        "application/zip",
        &format!("{name}.zip"),
    ))
}

/// `POST /minors/sim/{export}/sent`
pub async fn sim_sent(
    State(st): State<AppState>,
    auth: Auth,
    Path(export): Path<String>,
) -> AppResult<Response> {
    match store::sim::mark_sent(&st.db, &auth.ctx, &export).await {
        Ok(_) => Ok(see_other("/minors/sim?done=sent")),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let p = sim_page(&st, &auth, None, errors).await?;
                Ok(render_status(StatusCode::CONFLICT, &p))
            }
            None => Err(AppError(e)),
        },
    }
}
