//! The unaccompanied minors hub: the dashboard of minors present with their legal clock,
//! the intake form (through the people register and its duplicate check), a minor's record
//! and the notices to the prosecutor and the juvenile court as PDFs.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::Error;
use domain::policy::Permission;
use print::{Report, Section, SectionBody};
use serde::Deserialize;
use store::minors::{HubRow, IntakeInput, MinorView};
use store::people::PersonInput;

use super::people::{CandidateView, Choices, choices, views};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::forms::{FormErrors, Kept};
use crate::i18n::Tr;
use crate::page::{PageCtx, render, render_status, see_other};
use crate::state::AppState;
use domain::account::UiLang;

#[derive(Template)]
#[template(path = "minors.html")]
pub struct HubPage {
    pub page: PageCtx,
    pub rows: Vec<HubRow>,
    pub can_edit: bool,
    /// Minors who absconded: their records stay open for tracing (the first of them
    /// unless all were asked for).
    pub tracing: Vec<store::minors::Minor>,
    pub tracing_total: i64,
}

#[derive(Deserialize)]
pub struct HubQuery {
    /// `all`: every absconded minor, not only the first.
    #[serde(default)]
    tracing: String,
}

/// `GET /minors`: every minor present, those needing action first, then the absconded
/// minors still traced.
pub async fn dashboard(
    State(st): State<AppState>,
    auth: Auth,
    Query(q): Query<HubQuery>,
) -> AppResult<Response> {
    let rows = store::minors::hub_dashboard(&st.db, &auth.ctx).await?;
    let limit = (q.tracing != "all").then_some(store::minor_events::TRACING_SHOWN);
    let (tracing, tracing_total) = store::minor_events::tracing(&st.db, &auth.ctx, limit).await?;
    Ok(render(&HubPage {
        page: auth.info.page(&auth.info.tr.t("minors-title")),
        tracing,
        tracing_total,
        rows,
        can_edit: auth.ctx.actor.can(Permission::EditMinors),
    }))
}

#[derive(Template)]
#[template(path = "minor_new.html")]
pub struct IntakePage {
    pub page: PageCtx,
    pub person: PersonInput,
    pub intake: IntakeInput,
    pub choices: Choices,
    pub brought_by: Vec<(&'static str, String)>,
    pub errors: FormErrors,
    pub candidates: Vec<CandidateView>,
    pub chosen: String,
}

impl IntakePage {
    fn new(auth: &Auth, person: PersonInput, intake: IntakeInput) -> Self {
        let tr = auth.info.tr;
        IntakePage {
            page: auth.info.page(&tr.t("minor-new-title")),
            person,
            intake,
            choices: choices(auth),
            brought_by: domain::minors::BROUGHT_BY
                .iter()
                .map(|b| (*b, tr.t(&format!("brought-by-{b}"))))
                .collect(),
            errors: FormErrors::default(),
            candidates: vec![],
            chosen: String::new(),
        }
    }
}

/// `GET /minors/new`: the intake form, with the time of first contact set to now.
pub async fn new_form(auth: Auth) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::EditMinors)?;
    let now = domain::clock::rome(chrono::Utc::now());
    let intake = IntakeInput {
        arrived_at: now.format("%Y-%m-%dT%H:%M").to_string(),
        brought_by: "police".into(),
        ..Default::default()
    };
    Ok(render(&IntakePage::new(
        &auth,
        PersonInput {
            birth_precision: "estimated".into(),
            ..Default::default()
        },
        intake,
    )))
}

#[derive(Deserialize)]
pub struct IntakeForm {
    #[serde(flatten)]
    person: PersonInput,
    #[serde(flatten)]
    intake: IntakeInput,
    /// Among the likely matches: an existing record's id, or `new` when the operator says
    /// this is someone else.
    #[serde(default)]
    pick: String,
}

/// `POST /minors`: takes the minor in. Likely matches in the register are shown first, so
/// that a child already known is not registered twice.
pub async fn intake(
    State(st): State<AppState>,
    auth: Auth,
    Form(f): Form<IntakeForm>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::EditMinors)?;
    let person = store::minors::with_declared_age(&f.person, &f.intake);
    let pick = f.pick.trim();
    let chosen = if pick == "new" { "" } else { pick };
    let again = |status: StatusCode, errors: FormErrors, candidates: Vec<CandidateView>| {
        let mut p = IntakePage::new(&auth, f.person.clone(), f.intake.clone());
        p.errors = errors;
        p.candidates = candidates;
        p.chosen = pick.to_string();
        render_status(status, &p)
    };
    if pick.is_empty() {
        // Only a readable identity can be matched; its problems are reported with the rest.
        if let Ok(values) = person.check() {
            let candidates =
                store::people::likely_matches(&st.db, &auth.ctx, &values, None).await?;
            if !candidates.is_empty() {
                return Ok(again(
                    StatusCode::OK,
                    FormErrors::default(),
                    views(&auth, candidates),
                ));
            }
        }
    }
    let who = if chosen.is_empty() {
        store::minors::Identity::New(&person)
    } else {
        store::minors::Identity::Existing(chosen)
    };
    match store::minors::intake(&st.db, &auth.ctx, who, &f.intake).await {
        Ok(id) => Ok(see_other(&format!("/minors/{id}?done=intake"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => Ok(again(
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
                errors,
                vec![],
            )),
            None => Err(AppError(e)),
        },
    }
}

#[derive(Template)]
#[template(path = "minor.html")]
pub struct MinorPage {
    pub page: PageCtx,
    pub v: MinorView,
    pub done: Option<String>,
    pub errors: FormErrors,
    pub kept: Kept,
    pub statuses: Vec<(&'static str, String)>,
    pub today: String,
    pub now: String,
    /// The register of guardians, for the appointment form, and its limit.
    pub guardians: Vec<store::minor_care::Guardian>,
    pub limit: usize,
    /// Other minors present at the hub (id, name), for linking siblings.
    pub others: Vec<(String, String)>,
    pub age_outcomes: Vec<(&'static str, String)>,
    pub transfers: Vec<store::placement::Transfer>,
}

impl MinorPage {
    /// Whether a recipient has been notified, and when.
    pub fn sent(&self, recipient: &str) -> Option<&store::minors::Notification> {
        self.v
            .notifications
            .iter()
            .find(|n| n.recipient == recipient)
    }

    /// The appointment was refused because the guardian already follows the maximum: the
    /// form then offers to confirm it.
    pub fn over_limit(&self) -> bool {
        self.errors
            .fields
            .iter()
            .any(|f| f.field == "guardian_id" && f.code == "guardian_over_limit")
    }

    /// A field of the age assessment: what was typed if the form came back, else what is
    /// recorded.
    pub fn age_value(&self, field: &str) -> String {
        let kept = self.kept.get(field);
        if !kept.is_empty() || self.errors.any() {
            return kept.to_string();
        }
        let Some(a) = &self.v.care.age else {
            return String::new();
        };
        let d = |x: Option<chrono::NaiveDate>| x.map(|d| d.to_string()).unwrap_or_default();
        let t = |x: &Option<String>| x.clone().unwrap_or_default();
        match field {
            "doubt_raised_on" => d(a.doubt_raised_on),
            "order_date" => d(a.order_date),
            "concluded_on" => d(a.concluded_on),
            "communicated_on" => d(a.communicated_on),
            "team" => t(&a.team),
            "method" => t(&a.method),
            "result" => t(&a.result),
            "margin" => t(&a.margin),
            "outcome" => t(&a.outcome),
            "appeal" => t(&a.appeal),
            _ => String::new(),
        }
    }

    /// Whether the steps at 18 are shown: close to 18 or already begun.
    pub fn majority(&self) -> bool {
        let m = &self.v.minor;
        store::minor_events::near_majority(m, domain::clock::today())
            || m.continued_support_requested_on.is_some()
            || m.labour_opinion_requested_on.is_some()
            || m.permit_conversion_on.is_some()
    }

    /// A date of the steps at 18: as typed if the form came back, else as recorded.
    pub fn majority_value(&self, field: &str) -> String {
        let kept = self.kept.get(field);
        if !kept.is_empty() || self.errors.any() {
            return kept.to_string();
        }
        let m = &self.v.minor;
        let d = |x: Option<chrono::NaiveDate>| x.map(|d| d.to_string()).unwrap_or_default();
        match field {
            "continued_support_requested_on" => d(m.continued_support_requested_on),
            "labour_opinion_requested_on" => d(m.labour_opinion_requested_on),
            "permit_conversion_on" => d(m.permit_conversion_on),
            "continued_support_decision" => {
                m.continued_support_decision.clone().unwrap_or_default()
            }
            _ => String::new(),
        }
    }

    pub fn age(&self) -> String {
        self.v
            .minor
            .age_on(domain::clock::today())
            .map(|a| a.to_string())
            .unwrap_or_else(|| "—".into())
    }
}

const DONE: &[&str] = &[
    "intake",
    "notified",
    "identified",
    "movement",
    "ended",
    "guardian",
    "siblings",
    "interview",
    "age",
    "health",
    "transferred",
    "reports",
    "returned",
    "majority",
];

#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
}

async fn minor_page(
    st: &AppState,
    auth: &Auth,
    id: &str,
    done: Option<&str>,
    errors: FormErrors,
    kept: Kept,
) -> AppResult<MinorPage> {
    let v = store::minors::get_minor(&st.db, &auth.ctx, id).await?;
    let tr = auth.info.tr;
    let now = domain::clock::rome(chrono::Utc::now());
    let others = if v.can_edit {
        store::minors::present_at_hub(&st.db, &auth.ctx, &v.minor.hub_org_id)
            .await?
            .into_iter()
            .filter(|(mid, _)| *mid != v.minor.id)
            .collect()
    } else {
        vec![]
    };
    Ok(MinorPage {
        transfers: store::placement::transfers_of(&st.db, &auth.ctx, id).await?,
        guardians: store::minor_care::guardians(&st.db, &auth.ctx)
            .await?
            .into_iter()
            .filter(|g| g.active)
            .collect(),
        limit: st.db.settings.guardian_max_minors,
        others,
        age_outcomes: store::minor_care::AGE_OUTCOMES
            .iter()
            .map(|o| (*o, tr.t(&format!("age-outcome-{o}"))))
            .collect(),
        page: auth.info.page(&v.minor.full_name()),
        done: done
            .filter(|c| DONE.contains(c))
            .map(|c| tr.t(&format!("done-minor-{c}"))),
        errors,
        kept,
        statuses: domain::minors::STATUSES
            .iter()
            .filter(|s| **s != "present")
            .map(|s| (*s, tr.t(&format!("minor-status-{s}"))))
            .collect(),
        today: now.date().to_string(),
        now: now.format("%Y-%m-%dT%H:%M").to_string(),
        v,
    })
}

/// `GET /minors/{id}`
pub async fn show(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    let p = minor_page(
        &st,
        &auth,
        &id,
        d.done.as_deref(),
        FormErrors::default(),
        Kept::default(),
    )
    .await?;
    Ok(render(&p))
}

pub(crate) async fn after(
    st: &AppState,
    auth: &Auth,
    id: &str,
    result: domain::Result<()>,
    done: &str,
    kept: Kept,
) -> AppResult<Response> {
    match result {
        Ok(()) => Ok(see_other(&format!("/minors/{id}?done={done}"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let p = minor_page(st, auth, id, None, errors, kept).await?;
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
pub struct NotifiedForm {
    #[serde(default)]
    recipient: String,
    #[serde(default)]
    sent_on: String,
    #[serde(default)]
    reference: String,
}

/// `POST /minors/{id}/notifications`: a notice was sent (date and protocol reference).
pub async fn notified(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<NotifiedForm>,
) -> AppResult<Response> {
    let r = store::minors::record_notification(
        &st.db,
        &auth.ctx,
        &id,
        &f.recipient,
        &f.sent_on,
        &f.reference,
    )
    .await;
    let kept = Kept(vec![
        ("recipient", f.recipient),
        ("sent_on", f.sent_on),
        ("reference", f.reference),
    ]);
    after(&st, &auth, &id, r, "notified", kept).await
}

#[derive(Deserialize)]
pub struct DateForm {
    #[serde(default)]
    on: String,
    #[serde(default)]
    version: i32,
}

/// `POST /minors/{id}/identification`
pub async fn identified(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<DateForm>,
) -> AppResult<Response> {
    let r = store::minors::record_identification(&st.db, &auth.ctx, &id, &f.on, f.version).await;
    after(
        &st,
        &auth,
        &id,
        r,
        "identified",
        Kept(vec![("identified_on", f.on)]),
    )
    .await
}

#[derive(Deserialize)]
pub struct MovementForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    at: String,
    #[serde(default)]
    note: String,
}

/// `POST /minors/{id}/movements`: out of the hub and back, in the daily register.
pub async fn movement(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<MovementForm>,
) -> AppResult<Response> {
    let r = store::minors::add_movement(&st.db, &auth.ctx, &id, &f.kind, &f.at, &f.note).await;
    let kept = Kept(vec![
        ("kind", f.kind),
        ("at", f.at),
        ("movement_note", f.note),
    ]);
    after(&st, &auth, &id, r, "movement", kept).await
}

#[derive(Deserialize)]
pub struct EndForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    left_on: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    version: i32,
}

/// `POST /minors/{id}/end`: the stay at the hub ends.
pub async fn end(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<EndForm>,
) -> AppResult<Response> {
    let r = store::minors::end_stay(
        &st.db, &auth.ctx, &id, &f.status, &f.left_on, &f.note, f.version,
    )
    .await;
    let kept = Kept(vec![
        ("status", f.status),
        ("left_on", f.left_on),
        ("exit_note", f.note),
    ]);
    after(&st, &auth, &id, r, "ended", kept).await
}

/// The notice about a minor to the prosecutor or the juvenile court (d.lgs. 142/2015
/// art. 19 c. 5): declared identity, the adult who came with them, where they are received,
/// relatives, and whether the companion would act as guardian. Always in Italian: it goes
/// to Italian authorities whatever the operator's language.
fn notice(v: &MinorView, addressee: &str, recipient: &str, by: &str) -> Report {
    let tr = Tr::new(UiLang::It);
    let m = &v.minor;
    let dash = |o: &Option<String>| o.clone().unwrap_or_else(|| "—".into());
    let identity = vec![
        (tr.t("field-family-name"), m.family_name.clone()),
        (tr.t("field-given-names"), m.given_names.clone()),
        (tr.t("field-name-original"), dash(&m.name_original)),
        (
            tr.t("field-sex"),
            m.sex
                .as_deref()
                .map(|s| tr.t(&format!("sex-{s}")))
                .unwrap_or_else(|| "—".into()),
        ),
        (tr.t("field-birth-date"), m.birth_display()),
        (
            tr.t("minor-declared-age"),
            m.declared_age
                .map(|a| a.to_string())
                .unwrap_or_else(|| "—".into()),
        ),
        (tr.t("field-nationality"), dash(&m.nationality)),
        (tr.t("field-languages"), m.languages.clone()),
    ];
    let arrival = vec![
        (
            tr.t("minor-arrived-at"),
            m.arrived_at.format("%d/%m/%Y %H:%M").to_string(),
        ),
        (tr.t("minor-contact-place"), m.contact_place.clone()),
        (
            tr.t("minor-brought-by"),
            match &m.brought_by_detail {
                Some(d) => format!("{} — {d}", tr.t(&format!("brought-by-{}", m.brought_by))),
                None => tr.t(&format!("brought-by-{}", m.brought_by)),
            },
        ),
        (
            tr.t("minor-accompanying-adult"),
            dash(&m.accompanying_adult),
        ),
        (
            tr.t("minor-companion-willing"),
            tr.t(if m.companion_willing { "yes" } else { "no" }),
        ),
        (tr.t("minor-relatives"), dash(&m.relatives)),
        (
            tr.t("minor-reception-place"),
            format!("{} — {}", m.hub_org_name, m.contact_place),
        ),
    ];
    Report {
        title: tr.t(&format!("notice-title-{recipient}")),
        subtitle: Some(format!("{} {addressee}", tr.t("notice-to"))),
        generated_line: tr.t1(
            "pdf-generated",
            "when",
            format!("{} — {by}", domain::clock::today().format("%d/%m/%Y")),
        ),
        footer: tr.t("pdf-confidential"),
        sections: vec![
            Section {
                heading: tr.t("notice-basis-heading"),
                body: SectionBody::Text(tr.t(&format!("notice-basis-{recipient}"))),
            },
            Section {
                heading: tr.t("notice-identity"),
                body: SectionBody::Fields(identity),
            },
            Section {
                heading: tr.t("notice-arrival"),
                body: SectionBody::Fields(arrival),
            },
        ],
    }
}

/// `GET /minors/{id}/notices/{recipient}.pdf` (prosecutor or court).
pub async fn notice_pdf(
    State(st): State<AppState>,
    auth: Auth,
    Path((id, file)): Path<(String, String)>,
) -> AppResult<Response> {
    let recipient = file.strip_suffix(".pdf").unwrap_or_default();
    let addressee = match recipient {
        "prosecutor" => st.db.settings.minors_prosecutor.clone(),
        "court" => st.db.settings.minors_court.clone(),
        _ => return Err(AppError(Error::NotFound)),
    };
    let v = store::minors::get_minor(&st.db, &auth.ctx, &id).await?;
    let report = notice(&v, &addressee, recipient, &auth.user.full_name);
    super::person_export::pdf_response(report, "it", &format!("notifica-{recipient}-{id}.pdf"))
        .await
}
