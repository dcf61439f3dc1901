//! Cases: the worker's list, opening a case, its page (deadline with its legal basis,
//! tasks, timeline), status changes, and referrals between organisations.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::policy::Permission;
use serde::Deserialize;
use store::cases::{CaseView, Worklist};
use store::catalogue::{Procedure, ProcedureItem};

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::forms::{FormErrors, Kept};
use crate::page::{PageCtx, render, render_status, see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "cases.html")]
pub struct CasesPage {
    pub page: PageCtx,
    pub w: Worklist,
    pub errors: FormErrors,
    pub done: Option<String>,
}

impl CasesPage {
    /// The week's appointments with the name of the person each is for.
    pub fn upcoming(&self) -> Vec<(&store::appointments::Appointment, &str)> {
        self.w
            .appointments
            .iter()
            .map(|a| {
                let name = self
                    .w
                    .cases
                    .iter()
                    .find(|c| c.case.id == a.case_id)
                    .map(|c| c.case.person_name.as_str())
                    .unwrap_or_default();
                (a, name)
            })
            .collect()
    }
}

pub async fn list(
    State(st): State<AppState>,
    auth: Auth,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    let w = store::cases::worklist(&st.db, &auth.ctx, auth.lang().as_str()).await?;
    Ok(render(&CasesPage {
        page: auth.info.page(&auth.info.tr.t("cases-title")),
        w,
        errors: FormErrors::default(),
        done: d
            .done
            .filter(|c| c == "rejected")
            .map(|c| auth.info.tr.t(&format!("done-case-{c}"))),
    }))
}

#[derive(Template)]
#[template(path = "case_new.html")]
pub struct NewCasePage {
    pub page: PageCtx,
    pub person: store::people::Person,
    pub procedures: Vec<(String, String)>,
    pub selected: String,
    pub filed_on: String,
    pub errors: FormErrors,
}

#[derive(Deserialize, Default)]
pub struct NewCaseQuery {
    #[serde(default)]
    person: String,
    /// The procedure to propose (from an access request granted to open it).
    #[serde(default)]
    procedure: String,
}

fn procedure_choices(procs: &[Procedure], lang: &str) -> Vec<(String, String)> {
    procs
        .iter()
        .map(|p| (p.code.clone(), p.name(lang).to_string()))
        .collect()
}

pub async fn new_form(
    State(st): State<AppState>,
    auth: Auth,
    Query(q): Query<NewCaseQuery>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::EditCases)?;
    let person = store::people::get_person(&st.db, &auth.ctx, &q.person).await?;
    let procs = store::catalogue::procedures(&st.db).await?;
    Ok(render(&NewCasePage {
        page: auth.info.page(&auth.info.tr.t("case-new-title")),
        person,
        procedures: procedure_choices(&procs, auth.lang().as_str()),
        selected: q.procedure,
        filed_on: String::new(),
        errors: FormErrors::default(),
    }))
}

#[derive(Deserialize)]
pub struct NewCase {
    #[serde(default)]
    person: String,
    #[serde(default)]
    procedure: String,
    #[serde(default)]
    filed_on: String,
}

pub async fn create(
    State(st): State<AppState>,
    auth: Auth,
    Form(f): Form<NewCase>,
) -> AppResult<Response> {
    match store::cases::create_case(&st.db, &auth.ctx, &f.person, &f.procedure, &f.filed_on).await {
        Ok(id) => Ok(see_other(&format!("/cases/{id}?done=created"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let person = store::people::get_person(&st.db, &auth.ctx, &f.person).await?;
                let procs = store::catalogue::procedures(&st.db).await?;
                Ok(render_status(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &NewCasePage {
                        page: auth.info.page(&auth.info.tr.t("case-new-title")),
                        person,
                        procedures: procedure_choices(&procs, auth.lang().as_str()),
                        selected: f.procedure,
                        filed_on: f.filed_on,
                        errors,
                    },
                ))
            }
            None => Err(AppError(e)),
        },
    }
}

#[derive(Template)]
#[template(path = "case.html")]
pub struct CasePage {
    pub page: PageCtx,
    pub view: CaseView,
    pub procedure_name: String,
    pub items: Vec<ProcedureItem>,
    pub orgs: Vec<store::account::Org>,
    pub statuses: Vec<(&'static str, String)>,
    pub errors: FormErrors,
    pub kept: Kept,
    pub done: Option<String>,
    pub it: bool,
    pub max_upload_mb: usize,
    pub actor_org: Option<String>,
    /// The procedure has a published public page, so a leaflet can be printed for the
    /// person in their language.
    pub leaflet: bool,
    /// Who may be given a task: (value, label, organisation).
    pub assignees: Vec<(String, String, String)>,
    pub langs: &'static [(&'static str, &'static str, bool)],
}

impl CasePage {
    /// Whether the actor's organisation is the receiver of a referral (it answers it).
    pub fn receives(&self, org: &str) -> bool {
        self.actor_org.as_deref() == Some(org)
    }

    /// A size for people: KB or MB, one decimal.
    pub fn size(&self, bytes: &i64) -> String {
        let b = *bytes as f64;
        if b >= 1024.0 * 1024.0 {
            format!("{:.1} MB", b / (1024.0 * 1024.0))
        } else {
            format!("{:.0} KB", (b / 1024.0).ceil())
        }
    }

    pub fn upload_hint(&self) -> String {
        self.page
            .tr
            .t1("document-hint", "max", self.max_upload_mb.to_string())
    }

    /// The field problems of the forms on this page, translated: a summary at the top, each
    /// linking to its field (`None` for a rule about the person, such as consent, which has
    /// no field here).
    pub fn field_messages(&self) -> Vec<(Option<&'static str>, String)> {
        [
            "consent",
            "to_org",
            "note",
            "title",
            "due_on",
            "filed_on",
            "decided_on",
            "status",
            "body",
            "assignee",
            "starts_at",
            "place",
            "purpose",
            "partner_org",
            "proposal",
            "doc_title",
            "file",
            "answer",
            "outcome",
        ]
        .iter()
        .filter(|f| self.errors.has(f))
        .map(|f| {
            let anchor = (!["consent", "answer", "outcome"].contains(f)).then_some(*f);
            (anchor, self.errors.msg(f, &self.page.tr))
        })
        .collect()
    }

    /// Whether a field of the submitted form was refused: it is marked invalid and takes the
    /// focus, so the browser brings the reader to it (the document form is far down the page).
    pub fn invalid(&self, field: &str) -> bool {
        self.errors.has(field)
    }
}

/// The confirmations a case page can show after a redirect (`?done=…`).
const DONE: &[&str] = &[
    "created",
    "saved",
    "task",
    "referred",
    "transfer",
    "accepted",
    "rejected",
    "completed",
    "note",
    "appointment",
    "document",
    "document_removed",
];

#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
}

async fn case_page(
    st: &AppState,
    auth: &Auth,
    id: &str,
    done: Option<&str>,
    errors: FormErrors,
    kept: Kept,
) -> AppResult<CasePage> {
    let v = store::cases::get_case(&st.db, &auth.ctx, id).await?;
    let lang = auth.lang().as_str();
    let procedure_name = v
        .procedure
        .as_ref()
        .map(|p| p.name(lang).to_string())
        .unwrap_or_default();
    let items = store::catalogue::procedure_items(&st.db, &v.case.procedure_code).await?;
    let orgs = store::account::list_orgs(&st.db, &auth.ctx)
        .await?
        .into_iter()
        .filter(|o| o.active && Some(&o.id) != auth.ctx.actor.org_id.as_ref())
        .collect();
    let leaflet = store::service_texts::public_page(&st.db, &v.case.procedure_code, "it")
        .await?
        .is_some();
    let assignees = if v.can_work {
        store::cases::assignees(&st.db, &v.case.id).await?
    } else {
        vec![]
    };
    let tr = auth.info.tr;
    Ok(CasePage {
        leaflet,
        assignees,
        langs: domain::languages::LANGUAGES,
        page: auth
            .info
            .page(&format!("{} — {}", procedure_name, v.case.person_name)),
        procedure_name,
        items,
        orgs,
        statuses: store::cases::STATUSES
            .iter()
            .map(|s| (*s, tr.t(&format!("case-status-{s}"))))
            .collect(),
        errors,
        kept,
        done: done
            .filter(|c| DONE.contains(c))
            .map(|c| tr.t(&format!("done-case-{c}"))),
        it: lang == "it",
        max_upload_mb: st.db.settings.max_document_bytes / (1024 * 1024),
        actor_org: auth.ctx.actor.org_id.clone(),
        view: v,
    })
}

pub async fn show(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    let p = case_page(
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

/// Re-shows the case page with the problem of a failed form and what was typed in it, or
/// passes the error on.
pub(crate) async fn on_error(
    st: &AppState,
    auth: &Auth,
    id: &str,
    e: domain::Error,
    kept: Kept,
) -> AppResult<Response> {
    match FormErrors::from_error(&e, &auth.info.tr) {
        Some(errors) => {
            let p = case_page(st, auth, id, None, errors, kept).await?;
            Ok(render_status(
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
                &p,
            ))
        }
        None => Err(AppError(e)),
    }
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    filed_on: String,
    #[serde(default)]
    decided_on: String,
    #[serde(default)]
    version: i32,
}

pub async fn update_status(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<StatusForm>,
) -> AppResult<Response> {
    match store::cases::update_status(
        &st.db,
        &auth.ctx,
        &id,
        f.version,
        &f.status,
        &f.filed_on,
        &f.decided_on,
    )
    .await
    {
        Ok(()) => Ok(see_other(&format!("/cases/{id}?done=saved"))),
        Err(e) => on_error(&st, &auth, &id, e, Kept::default()).await,
    }
}

#[derive(Deserialize)]
pub struct TaskForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    due_on: String,
    /// `user:ID`, `org:ID` or empty.
    #[serde(default)]
    assignee: String,
}

pub async fn add_task(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<TaskForm>,
) -> AppResult<Response> {
    match store::cases::add_task(&st.db, &auth.ctx, &id, &f.title, &f.due_on, &f.assignee).await {
        Ok(_) => Ok(see_other(&format!("/cases/{id}?done=task#tasks"))),
        Err(e) => {
            let kept = Kept(vec![
                ("title", f.title),
                ("due_on", f.due_on),
                ("assignee", f.assignee),
            ]);
            on_error(&st, &auth, &id, e, kept).await
        }
    }
}

pub async fn complete_task(
    State(st): State<AppState>,
    auth: Auth,
    Path((id, task)): Path<(String, String)>,
) -> AppResult<Response> {
    match store::cases::complete_task(&st.db, &auth.ctx, &id, &task).await {
        Ok(()) => Ok(see_other(&format!("/cases/{id}#tasks"))),
        Err(e) => on_error(&st, &auth, &id, e, Kept::default()).await,
    }
}

#[derive(Deserialize)]
pub struct ReferForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    to_org: String,
    #[serde(default)]
    note: String,
}

pub async fn refer(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<ReferForm>,
) -> AppResult<Response> {
    let kind = store::referrals::Kind::parse(&f.kind).unwrap_or(store::referrals::Kind::Referral);
    match store::referrals::refer(&st.db, &auth.ctx, &id, kind, &f.to_org, &f.note).await {
        Ok(_) => Ok(see_other(&format!(
            "/cases/{id}?done={}#referrals",
            match kind {
                store::referrals::Kind::Referral => "referred",
                store::referrals::Kind::Transfer => "transfer",
            }
        ))),
        Err(e) => {
            let kept = Kept(vec![
                ("kind", f.kind),
                ("to_org", f.to_org),
                ("note", f.note),
            ]);
            on_error(&st, &auth, &id, e, kept).await
        }
    }
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    answer: String,
}

async fn decide(
    st: &AppState,
    auth: &Auth,
    id: &str,
    accept: bool,
    answer: &str,
) -> AppResult<Response> {
    match store::referrals::decide_referral(&st.db, &auth.ctx, id, accept, answer).await {
        // A rejected referral closes the case to the one who rejected it: back to the list.
        Ok(case_id) if accept => Ok(see_other(&format!("/cases/{case_id}?done=accepted"))),
        Ok(_) => Ok(see_other("/cases?done=rejected")),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let w = store::cases::worklist(&st.db, &auth.ctx, auth.lang().as_str()).await?;
                Ok(render_status(
                    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
                    &CasesPage {
                        page: auth.info.page(&auth.info.tr.t("cases-title")),
                        w,
                        errors,
                        done: None,
                    },
                ))
            }
            None => Err(AppError(e)),
        },
    }
}

pub async fn accept(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<AnswerForm>,
) -> AppResult<Response> {
    decide(&st, &auth, &id, true, &f.answer).await
}

pub async fn reject(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<AnswerForm>,
) -> AppResult<Response> {
    decide(&st, &auth, &id, false, &f.answer).await
}

#[derive(Template)]
#[template(path = "citizenship.html")]
pub struct CitizenshipPage {
    pub page: PageCtx,
    pub v: store::cases::CitizenshipView,
    pub errors: FormErrors,
}

impl CitizenshipPage {
    pub fn max_backlog(&self) -> i64 {
        self.v.backlog.iter().map(|b| b.1).max().unwrap_or(1).max(1)
    }
}

/// The citizenship office's view.
pub async fn citizenship(State(st): State<AppState>, auth: Auth) -> AppResult<Response> {
    let v = store::cases::citizenship(&st.db, &auth.ctx, auth.lang().as_str()).await?;
    Ok(render(&CitizenshipPage {
        page: auth.info.page(&auth.info.tr.t("citizenship-title")),
        v,
        errors: FormErrors::default(),
    }))
}

/// `POST /cases/citizenship/export`: the list as an XLSX inside a ZIP encrypted with
/// AES-256 under a passphrase the officer chooses (never stored, never logged): it carries
/// names and dates of birth, and travels by e-mail to the weekly meeting. Audited with the
/// number of rows.
pub async fn citizenship_export(
    State(st): State<AppState>,
    auth: Auth,
    Form(f): Form<crate::export::PasswordForm>,
) -> AppResult<Response> {
    use crate::export::{Cell, Sheet};
    let tr = auth.info.tr;
    let v = store::cases::citizenship(&st.db, &auth.ctx, auth.lang().as_str()).await?;
    let password = match f.checked() {
        Ok(p) => p,
        Err(e) => {
            return Ok(render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &CitizenshipPage {
                    page: auth.info.page(&tr.t("citizenship-title")),
                    errors: FormErrors::from_error(&e, &tr).unwrap_or_default(),
                    v,
                },
            ));
        }
    };
    let sheet = Sheet {
        name: tr.t("citizenship-title"),
        columns: vec![
            tr.t("case-person"),
            tr.t("case-filed-on"),
            tr.t("case-deadline"),
            tr.t("deadline-extendable"),
            tr.t("case-status"),
            tr.t("deadline-basis-heading"),
        ],
        rows: v
            .rows
            .iter()
            .map(|i| {
                let d = i.deadline.as_ref();
                vec![
                    Cell::Text(i.case.person_name.clone()),
                    i.case.filed_on.map_or(Cell::Empty, Cell::Date),
                    d.map_or(Cell::Empty, |d| Cell::Date(d.due)),
                    d.and_then(|d| d.due_extended)
                        .map_or(Cell::Empty, Cell::Date),
                    Cell::Text(tr.t(&format!("case-status-{}", i.case.status))),
                    Cell::Text(d.map(|d| d.rule.basis.clone()).unwrap_or_default()),
                ]
            })
            .collect(),
    };
    let xlsx =
        crate::export::xlsx(&[sheet]).map_err(|e| domain::Error::Internal(format!("xlsx: {e}")))?;
    let name = format!("cittadinanza-{}.xlsx", domain::clock::today());
    let zip = crate::export::encrypted_zip(&name, &xlsx, password)
        .map_err(|e| domain::Error::Internal(format!("zip: {e}")))?;
    store::audit::record(
        &st.db,
        &auth.ctx,
        store::audit::Event::new("case.export", "case", None).details(serde_json::json!({
            "list": "citizenship", "rows": v.rows.len(), "format": "xlsx in aes-256 zip"
        })),
    )
    .await?;
    Ok(super::reports::file(
        zip,
        "application/zip",
        &format!("cittadinanza-{}.zip", domain::clock::today()),
    ))
}
