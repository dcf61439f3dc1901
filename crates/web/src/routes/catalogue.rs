//! The procedure catalogue and the legal rules, for administrators: every save is a new
//! version (kept in full), and a legal term changes only by adding a version from a date.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::legal::LegalRule;
use domain::policy::Permission;
use serde::Deserialize;
use store::catalogue::{CATEGORIES, ProcedureInput, ProcedureRecord, ProcedureVersion, RuleInput};

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::page::{PageCtx, render, render_status, see_other};
use crate::state::AppState;

#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
}

fn done_msg(auth: &Auth, d: &Done) -> Option<String> {
    d.done
        .as_deref()
        .filter(|c| ["created", "saved", "unchanged"].contains(c))
        .map(|c| auth.info.tr.t(&format!("done-{c}")))
}

#[derive(Template)]
#[template(path = "catalogue.html")]
pub struct CataloguePage {
    pub page: PageCtx,
    pub procedures: Vec<ProcedureRecord>,
    pub it: bool,
    pub done: Option<String>,
}

pub async fn list(
    State(st): State<AppState>,
    auth: Auth,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    let procedures = store::catalogue::all_procedures(&st.db, &auth.ctx).await?;
    Ok(render(&CataloguePage {
        page: auth.info.page(&auth.info.tr.t("catalogue-title")),
        procedures,
        it: auth.lang().as_str() == "it",
        done: done_msg(&auth, &d),
    }))
}

#[derive(Template)]
#[template(path = "procedure_form.html")]
pub struct ProcedureForm {
    pub page: PageCtx,
    /// None for a new procedure.
    pub code: Option<String>,
    pub version: i32,
    pub input: ProcedureInput,
    pub categories: Vec<(&'static str, String)>,
    pub term_codes: Vec<String>,
    pub versions: Vec<ProcedureVersion>,
    pub errors: FormErrors,
    pub done: Option<String>,
}

/// What the procedure form shows: the procedure being edited (None: a new one), the version
/// it was read at, the values and the saved versions.
struct Draft {
    code: Option<String>,
    version: i32,
    input: ProcedureInput,
    versions: Vec<ProcedureVersion>,
}

async fn form_page(
    st: &AppState,
    auth: &Auth,
    d: Draft,
    errors: FormErrors,
    done: Option<String>,
) -> AppResult<ProcedureForm> {
    let Draft {
        code,
        version,
        input,
        versions,
    } = d;
    let mut term_codes: Vec<String> = store::catalogue::legal_rules(&st.db)
        .await?
        .into_iter()
        .map(|r| r.code)
        .collect();
    term_codes.dedup();
    let title = match &code {
        Some(_) => format!("{} — {}", auth.info.tr.t("catalogue-edit"), input.name_it),
        None => auth.info.tr.t("catalogue-new"),
    };
    Ok(ProcedureForm {
        page: auth.info.page(&title),
        code,
        version,
        input,
        categories: CATEGORIES
            .iter()
            .map(|c| (*c, auth.info.tr.t(&format!("category-{c}"))))
            .collect(),
        term_codes,
        versions,
        errors,
        done,
    })
}

pub async fn new_form(State(st): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::ManageCatalogue)?;
    let input = ProcedureInput {
        active: true,
        category: "other".into(),
        ..Default::default()
    };
    let d = Draft {
        code: None,
        version: 0,
        input,
        versions: vec![],
    };
    let p = form_page(&st, &auth, d, FormErrors::default(), None).await?;
    Ok(render(&p))
}

fn join(items: &[store::catalogue::ProcedureItem], kind: &str, it: bool) -> String {
    items
        .iter()
        .filter(|i| i.kind == kind)
        .map(|i| {
            if it {
                i.text_it.as_str()
            } else {
                i.text_en.as_str()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub async fn edit_form(
    State(st): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    let (rec, items, versions) =
        store::catalogue::procedure_for_edit(&st.db, &auth.ctx, &code).await?;
    let input = ProcedureInput {
        code: rec.code.clone(),
        category: rec.category,
        name_it: rec.name_it,
        name_en: rec.name_en,
        offices: rec.offices,
        term_code: rec.term_code.unwrap_or_default(),
        active: rec.active,
        steps_it: join(&items, "step", true),
        steps_en: join(&items, "step", false),
        documents_it: join(&items, "document", true),
        documents_en: join(&items, "document", false),
    };
    let done = done_msg(&auth, &d);
    let d = Draft {
        code: Some(code),
        version: rec.version,
        input,
        versions,
    };
    let p = form_page(&st, &auth, d, FormErrors::default(), done).await?;
    Ok(render(&p))
}

/// The editor's form: `active` is a checkbox, the version guards against a stale save.
#[derive(Deserialize)]
pub struct ProcedureFormData {
    #[serde(default)]
    code: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    name_it: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    offices: String,
    #[serde(default)]
    term_code: String,
    #[serde(default)]
    active: Option<String>,
    #[serde(default)]
    steps_it: String,
    #[serde(default)]
    steps_en: String,
    #[serde(default)]
    documents_it: String,
    #[serde(default)]
    documents_en: String,
    #[serde(default)]
    version: i32,
}

impl ProcedureFormData {
    fn input(self, code: Option<&str>) -> (ProcedureInput, i32) {
        (
            ProcedureInput {
                code: code.map(str::to_string).unwrap_or(self.code),
                category: self.category,
                name_it: self.name_it,
                name_en: self.name_en,
                offices: self.offices,
                term_code: self.term_code,
                active: self.active.is_some(),
                steps_it: self.steps_it,
                steps_en: self.steps_en,
                documents_it: self.documents_it,
                documents_en: self.documents_en,
            },
            self.version,
        )
    }
}

async fn save(
    st: &AppState,
    auth: &Auth,
    code: Option<String>,
    f: ProcedureFormData,
) -> AppResult<Response> {
    let (input, version) = f.input(code.as_deref());
    let expected = code.as_ref().map(|_| version);
    match store::catalogue::save_procedure(&st.db, &auth.ctx, &input, expected).await {
        Ok(saved) => Ok(see_other(&format!(
            "/admin/catalogue/{}?done={}",
            input.code.trim(),
            match (code.is_some(), saved.changed) {
                (false, _) => "created",
                (true, true) => "saved",
                (true, false) => "unchanged",
            }
        ))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let versions = match &code {
                    Some(c) => {
                        store::catalogue::procedure_for_edit(&st.db, &auth.ctx, c)
                            .await?
                            .2
                    }
                    None => vec![],
                };
                let d = Draft {
                    code,
                    version,
                    input,
                    versions,
                };
                let p = form_page(st, auth, d, errors, None).await?;
                Ok(render_status(
                    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
                    &p,
                ))
            }
            None => Err(AppError(e)),
        },
    }
}

pub async fn create(
    State(st): State<AppState>,
    auth: Auth,
    Form(f): Form<ProcedureFormData>,
) -> AppResult<Response> {
    save(&st, &auth, None, f).await
}

pub async fn update(
    State(st): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
    Form(f): Form<ProcedureFormData>,
) -> AppResult<Response> {
    // An unknown code is a missing page, not a new procedure under a typed URL.
    store::catalogue::procedure_for_edit(&st.db, &auth.ctx, &code).await?;
    save(&st, &auth, Some(code), f).await
}

#[derive(Template)]
#[template(path = "legal_rules.html")]
pub struct RulesPage {
    pub page: PageCtx,
    pub rules: Vec<LegalRule>,
    pub input: RuleInput,
    pub errors: FormErrors,
    pub done: Option<String>,
}

pub async fn rules(
    State(st): State<AppState>,
    auth: Auth,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::ManageCatalogue)?;
    let rules = store::catalogue::legal_rules(&st.db).await?;
    Ok(render(&RulesPage {
        page: auth.info.page(&auth.info.tr.t("rules-title")),
        rules,
        input: RuleInput::default(),
        errors: FormErrors::default(),
        done: done_msg(&auth, &d),
    }))
}

pub async fn add_rule(
    State(st): State<AppState>,
    auth: Auth,
    Form(f): Form<RuleInput>,
) -> AppResult<Response> {
    match store::catalogue::add_rule(&st.db, &auth.ctx, &f).await {
        Ok(_) => Ok(see_other("/admin/legal-rules?done=created")),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let rules = store::catalogue::legal_rules(&st.db).await?;
                Ok(render_status(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &RulesPage {
                        page: auth.info.page(&auth.info.tr.t("rules-title")),
                        rules,
                        input: f,
                        errors,
                        done: None,
                    },
                ))
            }
            None => Err(AppError(e)),
        },
    }
}

impl RulesPage {
    /// The new-rule form's fields: name, value as typed, input type.
    pub fn fields(&self) -> Vec<(&'static str, &str, &'static str)> {
        let i = &self.input;
        vec![
            ("code", i.code.as_str(), "text"),
            ("days", i.days.as_str(), "number"),
            ("months", i.months.as_str(), "number"),
            ("extension_months", i.extension_months.as_str(), "number"),
            ("extension_days", i.extension_days.as_str(), "number"),
            ("basis", i.basis.as_str(), "text"),
            ("valid_from", i.valid_from.as_str(), "date"),
        ]
    }
}
