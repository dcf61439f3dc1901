//! The patronati helpdesk and the knowledge base (journey 7): ask a question about a
//! procedure, answer it (the time it took is shown), turn a good answer into an entry that
//! everyone searches.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::policy::Permission;
use serde::Deserialize;
use store::helpdesk::{AskInput, KbEntry, KbInput, Question};

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::forms::{Done, FormErrors};
use crate::page::{PageCtx, render, render_status, see_other};
use crate::state::AppState;

fn done_msg(auth: &Auth, d: &Done) -> Option<String> {
    d.message(&auth.info.tr, "done-helpdesk", &["asked", "answered", "kb"])
}

async fn procedure_names(st: &AppState, auth: &Auth) -> AppResult<Vec<(String, String)>> {
    let it = auth.lang().as_str() == "it";
    Ok(store::catalogue::procedures(&st.db)
        .await?
        .into_iter()
        .map(|p| {
            let name = if it { p.name_it } else { p.name_en };
            (p.code, name)
        })
        .collect())
}

fn hours(h: f64) -> String {
    format!("{h:.1}")
}

#[derive(Template)]
#[template(path = "helpdesk.html")]
pub struct HelpdeskPage {
    pub page: PageCtx,
    pub questions: Vec<Question>,
    pub procedures: Vec<(String, String)>,
    pub answerer: bool,
    /// Answered in the last 90 days: count, mean and median hours.
    pub times: Option<(usize, String, String)>,
    pub input: AskInput,
    pub errors: FormErrors,
    pub done: Option<String>,
}

impl HelpdeskPage {
    pub fn procedure_name(&self, code: &Option<String>) -> String {
        code.as_deref()
            .map(|c| super::public::name_in(&self.procedures, c))
            .unwrap_or_default()
    }
    pub fn asked(&self, q: &Question) -> String {
        domain::clock::rome(q.asked_at.0)
            .format("%d/%m/%Y %H:%M")
            .to_string()
    }
    pub fn took(&self, q: &Question) -> String {
        q.response_hours().map(hours).unwrap_or_default()
    }
}

async fn list_page(
    st: &AppState,
    auth: &Auth,
    input: AskInput,
    errors: FormErrors,
    done: Option<String>,
) -> AppResult<HelpdeskPage> {
    let answerer = auth.ctx.actor.can(Permission::AnswerHelpdesk);
    let times = if answerer {
        let (n, mean, median) = store::helpdesk::response_times(&st.db, &auth.ctx, 90).await?;
        Some((n, hours(mean), hours(median)))
    } else {
        None
    };
    Ok(HelpdeskPage {
        page: auth.info.page(&auth.info.tr.t("helpdesk-title")),
        questions: store::helpdesk::questions(&st.db, &auth.ctx).await?,
        procedures: procedure_names(st, auth).await?,
        answerer,
        times,
        input,
        errors,
        done,
    })
}

/// `GET /helpdesk`
pub async fn list(
    State(st): State<AppState>,
    auth: Auth,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    let done = done_msg(&auth, &d);
    Ok(render(
        &list_page(&st, &auth, AskInput::default(), FormErrors::default(), done).await?,
    ))
}

/// `POST /helpdesk`
pub async fn ask(
    State(st): State<AppState>,
    auth: Auth,
    Form(i): Form<AskInput>,
) -> AppResult<Response> {
    match store::helpdesk::ask(&st.db, &auth.ctx, &i).await {
        Ok(id) => Ok(see_other(&format!("/helpdesk/{id}?done=asked"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => Ok(render_status(
                crate::forms::error_status(&e),
                &list_page(&st, &auth, i, errors, None).await?,
            )),
            None => Err(AppError(e)),
        },
    }
}

#[derive(Template)]
#[template(path = "helpdesk_question.html")]
pub struct QuestionPage {
    pub page: PageCtx,
    pub q: Question,
    pub procedure: String,
    pub procedures: Vec<(String, String)>,
    pub answerer: bool,
    pub answer: String,
    pub kb: KbInput,
    pub errors: FormErrors,
    pub done: Option<String>,
}

impl QuestionPage {
    pub fn asked(&self) -> String {
        domain::clock::rome(self.q.asked_at.0)
            .format("%d/%m/%Y %H:%M")
            .to_string()
    }
    pub fn took(&self) -> String {
        self.q.response_hours().map(hours).unwrap_or_default()
    }
}

async fn question_page(
    st: &AppState,
    auth: &Auth,
    id: &str,
    typed: (Option<String>, Option<KbInput>),
    errors: FormErrors,
    done: Option<String>,
) -> AppResult<QuestionPage> {
    let q = store::helpdesk::question(&st.db, &auth.ctx, id).await?;
    let procedures = procedure_names(st, auth).await?;
    let procedure = q
        .procedure_code
        .as_deref()
        .map(|c| super::public::name_in(&procedures, c))
        .unwrap_or_default();
    let (answer, kb) = typed;
    let kb = kb.unwrap_or_else(|| KbInput {
        procedure_code: q.procedure_code.clone().unwrap_or_default(),
        question: q.subject.clone(),
        answer: q.answer.clone(),
    });
    Ok(QuestionPage {
        page: auth.info.page(&q.subject),
        answer: answer.unwrap_or_else(|| q.answer.clone()),
        answerer: auth.ctx.actor.can(Permission::AnswerHelpdesk),
        procedure,
        procedures,
        kb,
        q,
        errors,
        done,
    })
}

/// `GET /helpdesk/{id}`
pub async fn show(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    let done = done_msg(&auth, &d);
    Ok(render(
        &question_page(&st, &auth, &id, (None, None), FormErrors::default(), done).await?,
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AnswerForm {
    version: i32,
    answer: String,
}

/// `POST /helpdesk/{id}/answer`
pub async fn answer(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<AnswerForm>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::AnswerHelpdesk)?;
    match store::helpdesk::answer(&st.db, &auth.ctx, &id, f.version, &f.answer).await {
        Ok(()) => Ok(see_other(&format!("/helpdesk/{id}?done=answered"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => Ok(render_status(
                crate::forms::error_status(&e),
                &question_page(&st, &auth, &id, (Some(f.answer), None), errors, None).await?,
            )),
            None => Err(AppError(e)),
        },
    }
}

/// `POST /helpdesk/{id}/kb`
pub async fn to_kb(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(i): Form<KbInput>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::AnswerHelpdesk)?;
    match store::helpdesk::publish_to_kb(&st.db, &auth.ctx, &id, &i).await {
        Ok(kb) => Ok(see_other(&format!("/kb/{kb}?done=kb"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => Ok(render_status(
                crate::forms::error_status(&e),
                &question_page(&st, &auth, &id, (None, Some(i)), errors, None).await?,
            )),
            None => Err(AppError(e)),
        },
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct KbQuery {
    q: String,
    procedure: String,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "kb.html")]
pub struct KbPage {
    pub page: PageCtx,
    pub q: String,
    pub procedure: String,
    pub procedures: Vec<(String, String)>,
    pub entries: Vec<KbEntry>,
    /// One entry opened by its address.
    pub single: bool,
    pub done: Option<String>,
}

impl KbPage {
    pub fn procedure_name(&self, code: &Option<String>) -> String {
        code.as_deref()
            .map(|c| super::public::name_in(&self.procedures, c))
            .unwrap_or_default()
    }
}

/// `GET /kb?q=…&procedure=…`
pub async fn kb(
    State(st): State<AppState>,
    auth: Auth,
    Query(k): Query<KbQuery>,
) -> AppResult<Response> {
    let entries = store::helpdesk::search_kb(&st.db, &auth.ctx, &k.q, k.procedure.trim()).await?;
    Ok(render(&KbPage {
        page: auth.info.page(&auth.info.tr.t("kb-title")),
        procedures: procedure_names(&st, &auth).await?,
        q: k.q,
        procedure: k.procedure,
        entries,
        single: false,
        done: None,
    }))
}

/// `GET /kb/{id}`
pub async fn kb_entry(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(k): Query<KbQuery>,
) -> AppResult<Response> {
    let entry = store::helpdesk::kb_entry(&st.db, &auth.ctx, &id).await?;
    let done = k
        .done
        .as_deref()
        .filter(|d| *d == "kb")
        .map(|_| auth.info.tr.t("done-helpdesk-kb"));
    Ok(render(&KbPage {
        page: auth.info.page(&entry.question),
        procedures: procedure_names(&st, &auth).await?,
        q: String::new(),
        procedure: String::new(),
        entries: vec![entry],
        single: true,
        done,
    }))
}
