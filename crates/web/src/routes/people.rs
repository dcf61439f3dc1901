//! The people register's pages: search, register with the duplicate check, the record,
//! consents and (for those allowed) vulnerabilities.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::people::{BirthPrecision, ConsentPurpose, IdKind, Sex, Vulnerability};
use domain::policy::Permission;
use serde::Deserialize;
use store::people::{Candidate, Person, PersonInput, Summary, VulnerabilityEntry};

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::page::{PageCtx, render, render_status, see_other};
use crate::state::AppState;

/// Choice lists of the person form, translated.
pub struct Choices {
    pub sexes: Vec<(&'static str, String)>,
    pub precisions: Vec<(&'static str, String)>,
}

pub(crate) fn choices(auth: &Auth) -> Choices {
    let tr = auth.info.tr;
    Choices {
        sexes: Sex::ALL
            .iter()
            .map(|s| (s.as_str(), tr.t(&format!("sex-{s}"))))
            .collect(),
        precisions: BirthPrecision::ALL
            .iter()
            .map(|p| (p.as_str(), tr.t(&format!("precision-{p}"))))
            .collect(),
    }
}

/// A candidate as the page shows it: reasons translated.
pub struct CandidateView {
    pub c: Candidate,
    pub reasons: Vec<String>,
    pub percent: u32,
}

pub(crate) fn views(auth: &Auth, cs: Vec<Candidate>) -> Vec<CandidateView> {
    cs.into_iter()
        .map(|c| CandidateView {
            reasons: c
                .reasons
                .iter()
                .map(|r| auth.info.tr.t(&format!("match-{r}")))
                .collect(),
            percent: (c.score * 100.0).round() as u32,
            c,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "people.html")]
pub struct PeoplePage {
    pub page: PageCtx,
    pub q: String,
    pub found: Vec<CandidateView>,
    pub mine: Vec<Summary>,
    pub can_edit: bool,
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

pub async fn list(
    State(st): State<AppState>,
    auth: Auth,
    Query(q): Query<SearchQuery>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::SearchPeople)?;
    let found = store::people::search(&st.db, &auth.ctx, &q.q).await?;
    let mine = if auth.ctx.actor.can(Permission::ViewPeople) {
        store::people::list_mine(&st.db, &auth.ctx).await?
    } else {
        vec![]
    };
    Ok(render(&PeoplePage {
        page: auth.info.page(&auth.info.tr.t("people-title")),
        found: views(&auth, found),
        q: q.q,
        mine,
        can_edit: auth.ctx.actor.can(Permission::EditPeople),
    }))
}

#[derive(Template)]
#[template(path = "person_form.html")]
pub struct PersonForm {
    pub page: PageCtx,
    pub id: Option<String>,
    pub version: i32,
    pub input: PersonInput,
    pub choices: Choices,
    pub errors: FormErrors,
    pub candidates: Vec<CandidateView>,
    /// The person was shown likely matches and may now confirm a new record.
    pub offer_confirm: bool,
    /// After a conflict: the fields someone else changed, with both values, to choose from.
    pub conflicts: Vec<ConflictRow>,
}

/// One field of an edit that met a newer version: what the editor typed and what the record
/// now says.
pub struct ConflictRow {
    pub name: &'static str,
    pub label: String,
    pub yours: String,
    pub theirs: String,
}

impl PersonForm {
    /// The identifier fields: name, label id, typed value.
    pub fn id_fields(&self) -> Vec<(&'static str, &'static str, String)> {
        vec![
            ("cui", "field-cui", self.input.cui.clone()),
            (
                "codice_fiscale",
                "field-codice-fiscale",
                self.input.codice_fiscale.clone(),
            ),
            ("passport", "field-passport", self.input.passport.clone()),
            ("permit", "field-permit", self.input.permit.clone()),
        ]
    }
}

pub async fn new_form(auth: Auth) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::EditPeople)?;
    Ok(render(&PersonForm {
        page: auth.info.page(&auth.info.tr.t("person-new-title")),
        id: None,
        version: 0,
        input: PersonInput {
            birth_precision: "exact".into(),
            ..Default::default()
        },
        choices: choices(&auth),
        errors: FormErrors::default(),
        candidates: vec![],
        offer_confirm: false,
        conflicts: vec![],
    }))
}

#[derive(Deserialize)]
pub struct NewPerson {
    #[serde(flatten)]
    input: PersonInput,
    /// Set when the operator saw the likely matches and says this is someone else.
    #[serde(default)]
    confirm_new: Option<String>,
}

/// Registers a person — but first shows likely existing records, so that the operator
/// opens the right one instead of creating a duplicate.
pub async fn create(
    State(st): State<AppState>,
    auth: Auth,
    Form(f): Form<NewPerson>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::EditPeople)?;
    let title = auth.info.tr.t("person-new-title");
    let form_again = |status: StatusCode,
                      errors: FormErrors,
                      candidates: Vec<CandidateView>,
                      input: PersonInput| {
        render_status(
            status,
            &PersonForm {
                page: auth.info.page(&title),
                id: None,
                version: 0,
                offer_confirm: !candidates.is_empty(),
                input,
                choices: choices(&auth),
                errors,
                candidates,
                conflicts: vec![],
            },
        )
    };
    let values = match f.input.check() {
        Ok(v) => v,
        Err(e) => {
            let errors = FormErrors::from_error(&e, &auth.info.tr).unwrap_or_default();
            return Ok(form_again(
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                vec![],
                f.input,
            ));
        }
    };
    let candidates = store::people::likely_matches(&st.db, &auth.ctx, &values, None).await?;
    if f.confirm_new.is_none() && !candidates.is_empty() {
        return Ok(form_again(
            StatusCode::OK,
            FormErrors::default(),
            views(&auth, candidates),
            f.input,
        ));
    }
    // "Someone else": the pairs go to the owners' duplicate queues with the new record.
    match store::people::create_person_despite(&st.db, &auth.ctx, &f.input, &candidates).await {
        Ok(id) => Ok(see_other(&format!("/people/{id}?done=created"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => Ok(form_again(
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                vec![],
                f.input,
            )),
            None => Err(AppError(e)),
        },
    }
}

#[derive(Template)]
#[template(path = "person_matches.html")]
pub struct MatchesFragment {
    pub page: PageCtx,
    pub candidates: Vec<CandidateView>,
}

/// The duplicate check while typing (htmx): the likely matches panel only.
pub async fn check(
    State(st): State<AppState>,
    auth: Auth,
    Form(input): Form<PersonInput>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::SearchPeople)?;
    let candidates = match input.check() {
        Ok(v) => store::people::likely_matches(&st.db, &auth.ctx, &v, None).await?,
        Err(_) => vec![],
    };
    Ok(render(&MatchesFragment {
        page: auth.info.page(""),
        candidates: views(&auth, candidates),
    }))
}

#[derive(Template)]
#[template(path = "person.html")]
pub struct PersonPage {
    pub page: PageCtx,
    pub p: Person,
    /// Identifiers with their translated labels.
    pub id_rows: Vec<(String, String)>,
    pub vulnerabilities: Option<Vec<VulnerabilityEntry>>,
    pub categories: Vec<(&'static str, String)>,
    pub purposes: Vec<(&'static str, String)>,
    pub can_edit: bool,
    pub done: Option<String>,
    pub errors: FormErrors,
    pub today: String,
    /// Other records that may be this person (for those who may merge).
    pub duplicates: Vec<CandidateView>,
    pub merges: Vec<store::people::Merge>,
    pub cases: Vec<store::cases::CaseRow>,
    pub can_open_case: bool,
    /// Open pairs of the duplicate queue with this record.
    pub pairs: Vec<store::duplicates::Pair>,
    /// How the record is open to the reader when it is not their organisation's: the
    /// grant (with its last day), a referral, or a stated purpose.
    pub via: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
    /// A purpose to propose on the access request form (from the duplicate queue).
    #[serde(default)]
    purpose: Option<String>,
}

async fn person_page(
    st: &AppState,
    auth: &Auth,
    id: &str,
    done: Option<&str>,
    errors: FormErrors,
) -> AppResult<PersonPage> {
    let (p, reach) = store::people::open_person(&st.db, &auth.ctx, id).await?;
    let tr = auth.info.tr;
    let vulnerabilities = if store::people::vulnerability_reach(&st.db, &auth.ctx, &p).await? {
        Some(
            store::people::vulnerabilities(&st.db, &auth.ctx, id)
                .await?
                .into_iter()
                .map(|mut v| {
                    v.category = tr.t(&format!("vulnerability-{}", v.category));
                    v
                })
                .collect(),
        )
    } else {
        None
    };
    let can_edit = reach.can_work();
    let own = matches!(reach.via(), Some(store::people::Via::Own));
    // Merging here is for records of the reader's own organisation; pairs across
    // organisations go through both owners (the duplicate queue).
    let duplicates = match (
        own && can_edit && p.merged_into.is_none(),
        p.to_input().check(),
    ) {
        (true, Ok(v)) => views(
            auth,
            store::people::likely_matches(&st.db, &auth.ctx, &v, Some(&p.id))
                .await?
                .into_iter()
                .filter(|c| c.person.owner_org_id == p.owner_org_id)
                .collect(),
        ),
        _ => vec![],
    };
    let pairs = if own {
        store::duplicates::of_person(&st.db, &auth.ctx, &p.id).await?
    } else {
        vec![]
    };
    let via = match reach.via() {
        Some(store::people::Via::Grant(g)) => {
            let r = store::access::get(&st.db, &auth.ctx, g).await?;
            Some(tr.t1(
                "person-via-grant",
                "org",
                format!(
                    "{} ({})",
                    r.owner_org_name,
                    r.valid_until.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default()
                ),
            ))
        }
        Some(store::people::Via::Referral) => Some(tr.t("person-via-referral")),
        Some(store::people::Via::Purpose(purpose)) => Some(tr.t1(
            "person-via-purpose",
            "purpose",
            tr.t(&format!("purpose-{purpose}")),
        )),
        _ => None,
    };
    let merges = store::people::merges_into(&st.db, &p.id).await?;
    let cases = store::cases::cases_of_person(&st.db, &auth.ctx, &p.id).await?;
    Ok(PersonPage {
        cases,
        pairs,
        via,
        can_open_case: auth.ctx.actor.can(Permission::EditCases) && p.merged_into.is_none(),
        duplicates,
        merges,
        page: auth
            .info
            .page(&format!("{} {}", p.given_names, p.family_name)),
        vulnerabilities,
        categories: Vulnerability::ALL
            .iter()
            .map(|v| (v.as_str(), tr.t(&format!("vulnerability-{v}"))))
            .collect(),
        purposes: ConsentPurpose::ALL
            .iter()
            .map(|v| (v.as_str(), tr.t(&format!("consent-{v}"))))
            .collect(),
        can_edit,
        done: done
            .filter(|c| {
                [
                    "created",
                    "saved",
                    "consent",
                    "vulnerability",
                    "merged",
                    "unmerged",
                    "access-granted",
                ]
                .contains(c)
            })
            .map(|c| tr.t(&format!("done-{c}"))),
        id_rows: p
            .identifiers
            .iter()
            .map(|(k, v)| {
                let label = match IdKind::parse(k) {
                    Some(kind) => tr.t(&format!("field-{}", kind.as_str().replace('_', "-"))),
                    None => k.clone(),
                };
                (label, v.clone())
            })
            .collect(),
        p,
        errors,
        today: domain::clock::today().to_string(),
    })
}

pub async fn show(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    match person_page(&st, &auth, &id, d.done.as_deref(), FormErrors::default()).await {
        Ok(page) => Ok(render(&page)),
        // A record the reader cannot open: what a duplicate check shows, and a way to ask
        // its organisation for access.
        Err(AppError(domain::Error::Forbidden)) if auth.ctx.actor.can(Permission::SearchPeople) => {
            crate::routes::access::access_page(
                &st,
                &auth,
                &id,
                store::access::RequestInput {
                    purpose: d.purpose.clone().unwrap_or_default(),
                    ..Default::default()
                },
                FormErrors::default(),
                d.done.as_deref(),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

pub async fn edit_form(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::EditPeople)?;
    let (p, reach) = store::people::open_person(&st.db, &auth.ctx, &id).await?;
    if !reach.can_work() {
        return Err(AppError(domain::Error::Forbidden));
    }
    Ok(render(&PersonForm {
        page: auth.info.page(&auth.info.tr.t("person-edit-title")),
        id: Some(p.id.clone()),
        version: p.version,
        input: p.to_input(),
        choices: choices(&auth),
        errors: FormErrors::default(),
        candidates: vec![],
        offer_confirm: false,
        conflicts: vec![],
    }))
}

#[derive(Deserialize)]
pub struct EditPerson {
    #[serde(flatten)]
    input: PersonInput,
    #[serde(default)]
    version: i32,
    /// After a conflict, per field: `pick-<field>` = `theirs` keeps the record's current
    /// value (sent back as `theirs-<field>`); anything else keeps what was typed.
    #[serde(flatten)]
    picks: std::collections::HashMap<String, String>,
}

/// The person's fields that can meet a newer version: label id, form name, and access.
type FieldRef = (
    &'static str,
    &'static str,
    fn(&mut PersonInput) -> &mut String,
);

const EDIT_FIELDS: [FieldRef; 10] = [
    ("given-names", "given_names", |p| &mut p.given_names),
    ("family-name", "family_name", |p| &mut p.family_name),
    ("name-original", "name_original", |p| &mut p.name_original),
    ("birth-date", "birth_date", |p| &mut p.birth_date),
    ("nationality", "nationality", |p| &mut p.nationality),
    ("phone", "phone", |p| &mut p.phone),
    ("email", "email", |p| &mut p.email),
    ("address", "address", |p| &mut p.address),
    ("languages", "languages", |p| &mut p.languages),
    ("passport", "passport", |p| &mut p.passport),
];

pub async fn update(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(mut f): Form<EditPerson>,
) -> AppResult<Response> {
    for (_, name, get) in EDIT_FIELDS {
        if f.picks.get(&format!("pick-{name}")).map(String::as_str) == Some("theirs")
            && let Some(v) = f.picks.get(&format!("theirs-{name}"))
        {
            *get(&mut f.input) = v.clone();
        }
    }
    match store::people::update_person(&st.db, &auth.ctx, &id, f.version, &f.input).await {
        Ok(()) => Ok(see_other(&format!("/people/{id}?done=saved"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(mut errors) => {
                // On a conflict, show what the record says now next to what was typed, field
                // by field, and let the editor choose; the form now carries the new version.
                let (version, current) = if matches!(e, domain::Error::Conflict) {
                    let p = store::people::get_person(&st.db, &auth.ctx, &id).await?;
                    (p.version, Some(p))
                } else {
                    (f.version, None)
                };
                let mut conflicts = vec![];
                if let Some(p) = &current {
                    let mut now = p.to_input();
                    let mut typed = f.input.clone();
                    for (label, name, get) in EDIT_FIELDS {
                        let (theirs, yours) = (get(&mut now).clone(), get(&mut typed).clone());
                        if theirs.trim() != yours.trim() {
                            conflicts.push(ConflictRow {
                                name,
                                label: auth.info.tr.t(&format!("field-{label}")),
                                yours,
                                theirs,
                            });
                        }
                    }
                    if !conflicts.is_empty() {
                        let names: Vec<String> =
                            conflicts.iter().map(|c| c.label.clone()).collect();
                        errors.general = Some(format!(
                            "{} {}",
                            auth.info.tr.t("conflict"),
                            auth.info
                                .tr
                                .t1("conflict-fields", "fields", names.join(", "))
                        ));
                    }
                }
                Ok(render_status(
                    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
                    &PersonForm {
                        page: auth.info.page(&auth.info.tr.t("person-edit-title")),
                        id: Some(id),
                        version,
                        input: f.input,
                        choices: choices(&auth),
                        errors,
                        candidates: vec![],
                        offer_confirm: false,
                        conflicts,
                    },
                ))
            }
            None => Err(AppError(e)),
        },
    }
}

#[derive(Deserialize)]
pub struct ConsentForm {
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    given: String,
    #[serde(default)]
    on_date: String,
}

pub async fn add_consent(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<ConsentForm>,
) -> AppResult<Response> {
    let r = store::people::record_consent(
        &st.db,
        &auth.ctx,
        &id,
        &f.purpose,
        f.given == "yes",
        &f.on_date,
    )
    .await;
    match r {
        Ok(()) => Ok(see_other(&format!("/people/{id}?done=consent#consents"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let page = person_page(&st, &auth, &id, None, errors).await?;
                Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
            }
            None => Err(AppError(e)),
        },
    }
}

#[derive(Deserialize)]
pub struct VulnerabilityForm {
    #[serde(default)]
    category: String,
    #[serde(default)]
    noted_on: String,
    #[serde(default)]
    note: String,
}

pub async fn add_vulnerability(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<VulnerabilityForm>,
) -> AppResult<Response> {
    match store::people::add_vulnerability(
        &st.db,
        &auth.ctx,
        &id,
        &f.category,
        &f.noted_on,
        &f.note,
    )
    .await
    {
        Ok(()) => Ok(see_other(&format!(
            "/people/{id}?done=vulnerability#vulnerabilities"
        ))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let page = person_page(&st, &auth, &id, None, errors).await?;
                Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
            }
            None => Err(AppError(e)),
        },
    }
}

#[derive(Deserialize)]
pub struct MergeForm {
    /// The other record, which is merged into this one.
    #[serde(default)]
    other: String,
    #[serde(default)]
    reason: String,
}

/// Merges another record of the same person into this one.
pub async fn merge(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<MergeForm>,
) -> AppResult<Response> {
    match store::people::merge_persons(&st.db, &auth.ctx, &id, f.other.trim(), &f.reason).await {
        Ok(_) => Ok(see_other(&format!("/people/{id}?done=merged#merges"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let page = person_page(&st, &auth, &id, None, errors).await?;
                Ok(render_status(
                    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
                    &page,
                ))
            }
            None => Err(AppError(e)),
        },
    }
}

pub async fn undo_merge(
    State(st): State<AppState>,
    auth: Auth,
    Path((id, merge)): Path<(String, String)>,
) -> AppResult<Response> {
    match store::people::undo_merge(&st.db, &auth.ctx, &merge).await {
        Ok(_) => Ok(see_other(&format!("/people/{id}?done=unmerged#merges"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let page = person_page(&st, &auth, &id, None, errors).await?;
                Ok(render_status(StatusCode::CONFLICT, &page))
            }
            None => Err(AppError(e)),
        },
    }
}

/// Everything held about the person, as a JSON file (GDPR art. 15).
pub async fn export(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let data = store::people::export(&st.db, &auth.ctx, &id).await?;
    let body =
        serde_json::to_string_pretty(&data).map_err(|e| AppError(domain::Error::internal(e)))?;
    let mut r = axum::response::IntoResponse::into_response((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/json; charset=utf-8".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"person-{id}.json\""),
            ),
        ],
        body,
    ));
    r.extensions_mut().insert(crate::error::Rendered);
    Ok(r)
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    confirm: Option<String>,
}

/// Erasure on request (GDPR art. 17): pseudonymises the record after an explicit confirmation.
pub async fn pseudonymise(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<ConfirmForm>,
) -> AppResult<Response> {
    if f.confirm.as_deref() != Some("yes") {
        let errors = FormErrors {
            fields: vec![domain::FieldError::new("confirm", "confirm_required")],
            general: Some(auth.info.tr.t("confirm_required")),
        };
        let page = person_page(&st, &auth, &id, None, errors).await?;
        return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    store::people::pseudonymise(&st.db, &auth.ctx, &id).await?;
    Ok(see_other(&format!("/people/{id}?done=pseudonymised")))
}
