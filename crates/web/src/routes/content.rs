//! The editors' side of the public service pages: the overview of every procedure in every
//! language with its translation state, and the editor of one text. A translation's editor
//! shows the Italian source beside it and, when the Italian changed since the translation
//! was made, what changed, word by word.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::policy::Permission;
use serde::Deserialize;
use store::service_texts::{
    Change, Content, EditView, OverviewRow, SECTIONS, STATES, SectionChange, Status, TextInput,
};

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::page::{PageCtx, render, render_status, see_other};
use crate::state::AppState;

fn langs() -> Vec<&'static str> {
    domain::languages::LANGUAGES.iter().map(|l| l.0).collect()
}

#[derive(Template)]
#[template(path = "content.html")]
pub struct OverviewPage {
    pub page: PageCtx,
    pub langs: Vec<&'static str>,
    pub rows: Vec<OverviewRow>,
}

impl OverviewPage {
    pub fn status_label(&self, s: &Status) -> String {
        self.page.t(&format!("content-status-{}", s.as_str()))
    }
}

/// `GET /content`
pub async fn overview(State(st): State<AppState>, auth: Auth) -> AppResult<Response> {
    let langs = langs();
    let rows = store::service_texts::overview(&st.db, &auth.ctx, &langs).await?;
    Ok(render(&OverviewPage {
        page: auth.info.page(&auth.info.tr.t("content-title")),
        langs,
        rows,
    }))
}

#[derive(Template)]
#[template(path = "content_edit.html")]
pub struct EditPage {
    pub page: PageCtx,
    pub v: EditView,
    pub input: Content,
    pub state: String,
    pub version: Option<i32>,
    pub source_hash: String,
    pub fields: Vec<(&'static str, bool)>,
    pub changes: Vec<SectionChange>,
    pub errors: FormErrors,
    pub done: Option<String>,
    /// Whether this person may write this language.
    pub may_edit: bool,
    pub rtl: bool,
}

impl EditPage {
    pub fn label(&self, field: &str) -> String {
        self.page.t(&format!("content-field-{field}"))
    }
    pub fn value(&self, field: &str) -> &str {
        self.input.get(field)
    }
    pub fn source_value(&self, field: &str) -> &str {
        self.v.source.as_ref().map_or("", |s| s.content.get(field))
    }
    pub fn state_label(&self, s: &str) -> String {
        self.page.t(&format!("content-status-{s}"))
    }
    pub fn removed(&self, c: &Change) -> bool {
        *c == Change::Removed
    }
    pub fn added(&self, c: &Change) -> bool {
        *c == Change::Added
    }
    pub fn autonym(&self) -> &'static str {
        domain::languages::autonym(&self.v.lang)
    }
    pub fn states(&self) -> &'static [&'static str] {
        STATES
    }
}

fn all_fields() -> Vec<(&'static str, bool)> {
    ["title", "summary"]
        .iter()
        .chain(SECTIONS)
        .map(|f| (*f, !matches!(*f, "title")))
        .collect()
}

fn may_edit(auth: &Auth, lang: &str) -> bool {
    if lang == store::service_texts::SOURCE {
        auth.ctx.actor.can(Permission::EditContent)
    } else {
        auth.ctx.actor.can(Permission::TranslateContent)
    }
}

fn edit_page(
    auth: &Auth,
    v: EditView,
    input: Content,
    form: (String, Option<i32>, String),
    errors: FormErrors,
    done: Option<String>,
) -> EditPage {
    let (state, version, source_hash) = form;
    let title = format!(
        "{} — {} ({})",
        auth.info.tr.t("content-edit"),
        v.name_it,
        domain::languages::autonym(&v.lang)
    );
    EditPage {
        page: auth.info.page(&title),
        changes: v.source_changes(),
        may_edit: may_edit(auth, &v.lang),
        rtl: domain::languages::LANGUAGES
            .iter()
            .any(|l| l.0 == v.lang && l.2),
        fields: all_fields(),
        v,
        input,
        state,
        version,
        source_hash,
        errors,
        done,
    }
}

#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
}

/// `GET /content/{code}/{lang}`
pub async fn edit(
    State(st): State<AppState>,
    auth: Auth,
    Path((code, lang)): Path<(String, String)>,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    let v = store::service_texts::for_edit(&st.db, &auth.ctx, &code, &lang).await?;
    // A new translation starts from the Italian, so the translator types over it.
    let input = match (&v.text, &v.source) {
        (Some(t), _) => t.content.clone(),
        (None, Some(s)) => s.content.clone(),
        (None, None) => Content::default(),
    };
    let state = v
        .text
        .as_ref()
        .map_or_else(|| "draft".to_string(), |t| t.state.clone());
    let version = v.text.as_ref().map(|t| t.version);
    let source_hash = v
        .source
        .as_ref()
        .map(|s| s.content_hash.clone())
        .unwrap_or_default();
    let done = d
        .done
        .filter(|c| ["saved", "unchanged"].contains(&c.as_str()))
        .map(|c| auth.info.tr.t(&format!("done-{c}")));
    Ok(render(&edit_page(
        &auth,
        v,
        input,
        (state, version, source_hash),
        FormErrors::default(),
        done,
    )))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EditForm {
    #[serde(flatten)]
    content: Content,
    state: String,
    /// Empty for a new text.
    version: String,
    source_hash: String,
}

/// `POST /content/{code}/{lang}`
pub async fn save(
    State(st): State<AppState>,
    auth: Auth,
    Path((code, lang)): Path<(String, String)>,
    Form(f): Form<EditForm>,
) -> AppResult<Response> {
    let version = f.version.trim().parse::<i32>().ok();
    let input = TextInput {
        content: f.content,
        state: f.state,
        version,
        source_hash: f.source_hash,
    };
    match store::service_texts::save(&st.db, &auth.ctx, &code, &lang, &input).await {
        Ok(saved) => Ok(see_other(&format!(
            "/content/{code}/{lang}?done={}",
            if saved.changed { "saved" } else { "unchanged" }
        ))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                // Everything typed comes back, with the record as it now stands beside it.
                let v = store::service_texts::for_edit(&st.db, &auth.ctx, &code, &lang).await?;
                // After a conflict the form carries the version now stored: the next save,
                // made knowingly after the message, goes through.
                let version = if matches!(e, domain::Error::Conflict) {
                    v.text.as_ref().map(|t| t.version)
                } else {
                    input.version
                };
                let p = edit_page(
                    &auth,
                    v,
                    input.content,
                    (input.state, version, input.source_hash),
                    errors,
                    None,
                );
                Ok(render_status(
                    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
                    &p,
                ))
            }
            None => Err(AppError(e)),
        },
    }
}
