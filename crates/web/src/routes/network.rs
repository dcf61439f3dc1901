//! The network's bodies and meetings (journey 7): the territorial council and the
//! governance table with their members, meetings with attendance, minutes through their
//! states (PDF once approved), decisions and action items; and marking one's own action
//! items done from the home page.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::Error;
use domain::policy::Permission;
use print::{Report, Section, SectionBody};
use serde::Deserialize;
use store::governance::{
    ActionInput, Body, BodyInput, BodyView, MeetingInput, MeetingView, MemberInput,
};

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::forms::{Done, FormErrors};
use crate::page::{PageCtx, render, render_status, see_other};
use crate::state::AppState;

fn done_msg(auth: &Auth, d: &Done) -> Option<String> {
    d.message(
        &auth.info.tr,
        "done-network",
        &[
            "body",
            "member",
            "meeting",
            "attendance",
            "minutes",
            "approved",
            "published",
            "decision",
            "action",
            "document",
        ],
    )
}

#[derive(Template)]
#[template(path = "network.html")]
pub struct NetworkPage {
    pub page: PageCtx,
    pub bodies: Vec<Body>,
    pub manage: bool,
    pub input: BodyInput,
    pub errors: FormErrors,
    pub done: Option<String>,
}

impl NetworkPage {
    pub fn kind_label(&self, k: &str) -> String {
        self.page.t(&format!("body-kind-{k}"))
    }
    pub fn kinds(&self) -> &'static [&'static str] {
        store::governance::BODY_KINDS
    }
}

async fn network_page(
    st: &AppState,
    auth: &Auth,
    input: BodyInput,
    errors: FormErrors,
    done: Option<String>,
) -> AppResult<NetworkPage> {
    Ok(NetworkPage {
        page: auth.info.page(&auth.info.tr.t("network-title")),
        bodies: store::governance::bodies(&st.db, &auth.ctx).await?,
        manage: auth.ctx.actor.can(Permission::ManageNetwork),
        input,
        errors,
        done,
    })
}

/// `GET /network`
pub async fn list(
    State(st): State<AppState>,
    auth: Auth,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    let done = done_msg(&auth, &d);
    let input = BodyInput {
        kind: "working_group".into(),
        ..Default::default()
    };
    Ok(render(
        &network_page(&st, &auth, input, FormErrors::default(), done).await?,
    ))
}

/// `POST /network/bodies`
pub async fn create_body(
    State(st): State<AppState>,
    auth: Auth,
    Form(i): Form<BodyInput>,
) -> AppResult<Response> {
    match store::governance::create_body(&st.db, &auth.ctx, &i).await {
        Ok(id) => Ok(see_other(&format!("/network/bodies/{id}?done=body"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => Ok(render_status(
                crate::forms::error_status(&e),
                &network_page(&st, &auth, i, errors, None).await?,
            )),
            None => Err(AppError(e)),
        },
    }
}

#[derive(Template)]
#[template(path = "network_body.html")]
pub struct BodyPage {
    pub page: PageCtx,
    pub v: BodyView,
    pub manage: bool,
    pub orgs: Vec<store::account::Org>,
    pub member: MemberInput,
    pub meeting: MeetingInput,
    pub errors: FormErrors,
    pub done: Option<String>,
    pub today: chrono::NaiveDate,
}

impl BodyPage {
    pub fn kind_label(&self, k: &str) -> String {
        self.page.t(&format!("body-kind-{k}"))
    }
    pub fn role_label(&self, r: &str) -> String {
        self.page.t(&format!("member-role-{r}"))
    }
    pub fn roles(&self) -> &'static [&'static str] {
        store::governance::MEMBER_ROLES
    }
    pub fn when(&self, m: &store::governance::Meeting) -> String {
        domain::clock::rome(m.starts_at.0)
            .format("%d/%m/%Y %H:%M")
            .to_string()
    }
    pub fn state_label(&self, s: &str) -> String {
        self.page.t(&format!("minutes-state-{s}"))
    }
    pub fn status_label(&self, s: &str) -> String {
        self.page.t(&format!("meeting-status-{s}"))
    }
}

async fn body_page(
    st: &AppState,
    auth: &Auth,
    id: &str,
    forms: (MemberInput, MeetingInput),
    errors: FormErrors,
    done: Option<String>,
) -> AppResult<BodyPage> {
    let v = store::governance::body(&st.db, &auth.ctx, id).await?;
    let manage = auth.ctx.actor.can(Permission::ManageNetwork);
    let orgs = if manage {
        store::account::list_orgs(&st.db, &auth.ctx)
            .await?
            .into_iter()
            .filter(|o| o.active)
            .collect()
    } else {
        vec![]
    };
    Ok(BodyPage {
        page: auth.info.page(&v.body.name),
        v,
        manage,
        orgs,
        member: forms.0,
        meeting: forms.1,
        errors,
        done,
        today: domain::clock::today(),
    })
}

fn blank_forms() -> (MemberInput, MeetingInput) {
    (
        MemberInput {
            role: "member".into(),
            from_date: domain::clock::today().to_string(),
            ..Default::default()
        },
        MeetingInput::default(),
    )
}

/// `GET /network/bodies/{id}`
pub async fn show_body(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    let done = done_msg(&auth, &d);
    Ok(render(
        &body_page(&st, &auth, &id, blank_forms(), FormErrors::default(), done).await?,
    ))
}

/// `POST /network/bodies/{id}/members`
pub async fn add_member(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(i): Form<MemberInput>,
) -> AppResult<Response> {
    match store::governance::add_member(&st.db, &auth.ctx, &id, &i).await {
        Ok(_) => Ok(see_other(&format!("/network/bodies/{id}?done=member"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let forms = (i, blank_forms().1);
                Ok(render_status(
                    crate::forms::error_status(&e),
                    &body_page(&st, &auth, &id, forms, errors, None).await?,
                ))
            }
            None => Err(AppError(e)),
        },
    }
}

/// `POST /network/bodies/{id}/meetings`
pub async fn create_meeting(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(i): Form<MeetingInput>,
) -> AppResult<Response> {
    match store::governance::create_meeting(&st.db, &auth.ctx, &id, &i).await {
        Ok(m) => Ok(see_other(&format!("/network/meetings/{m}?done=meeting"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let forms = (blank_forms().0, i);
                Ok(render_status(
                    crate::forms::error_status(&e),
                    &body_page(&st, &auth, &id, forms, errors, None).await?,
                ))
            }
            None => Err(AppError(e)),
        },
    }
}

#[derive(Template)]
#[template(path = "network_meeting.html")]
pub struct MeetingPage {
    pub page: PageCtx,
    pub v: MeetingView,
    pub manage: bool,
    /// Users an action item can be given to: the members' accounts first, then everyone.
    pub owners: Vec<(String, String)>,
    /// What was typed, when a form came back with an error.
    pub minutes: String,
    pub decision: String,
    pub action: ActionInput,
    pub errors: FormErrors,
    pub done: Option<String>,
    pub today: chrono::NaiveDate,
    pub documents: Vec<store::governance::MeetingDocument>,
    pub max_upload_mb: usize,
}

impl MeetingPage {
    pub fn size(&self, bytes: &i64) -> String {
        let b = *bytes as f64;
        if b >= 1024.0 * 1024.0 {
            format!("{:.1} MB", b / (1024.0 * 1024.0))
        } else {
            format!("{:.0} KB", (b / 1024.0).max(1.0))
        }
    }
    pub fn when(&self) -> String {
        domain::clock::rome(self.v.meeting.starts_at.0)
            .format("%d/%m/%Y %H:%M")
            .to_string()
    }
    pub fn state_label(&self, s: &str) -> String {
        self.page.t(&format!("minutes-state-{s}"))
    }
    pub fn status_label(&self, s: &str) -> String {
        self.page.t(&format!("meeting-status-{s}"))
    }
    pub fn role_label(&self, r: &str) -> String {
        self.page.t(&format!("member-role-{r}"))
    }
    pub fn item_state(&self, a: &store::governance::ActionItem) -> &'static str {
        a.state(self.today).as_str()
    }
    pub fn item_state_label(&self, a: &store::governance::ActionItem) -> String {
        self.page
            .t(&format!("deadline-{}", a.state(self.today).as_str()))
    }
    pub fn started(&self) -> bool {
        self.v.meeting.starts_at.0 <= chrono::Utc::now()
    }
}

async fn meeting_page(
    st: &AppState,
    auth: &Auth,
    id: &str,
    typed: (String, String, ActionInput),
    errors: FormErrors,
    done: Option<String>,
) -> AppResult<MeetingPage> {
    let v = store::governance::meeting(&st.db, &auth.ctx, id).await?;
    let manage = auth.ctx.actor.can(Permission::ManageNetwork);
    let owners = if manage {
        store::governance::owner_choices(&st.db, &auth.ctx).await?
    } else {
        vec![]
    };
    let documents = store::governance::documents(&st.db, &auth.ctx, id).await?;
    let (minutes, decision, action) = typed;
    let minutes = if minutes.is_empty() {
        v.meeting.minutes.clone()
    } else {
        minutes
    };
    Ok(MeetingPage {
        page: auth.info.page(&format!(
            "{} — {}",
            v.meeting.body_name,
            domain::clock::rome(v.meeting.starts_at.0).format("%d/%m/%Y")
        )),
        v,
        manage,
        owners,
        minutes,
        decision,
        action,
        errors,
        done,
        today: domain::clock::today(),
        documents,
        max_upload_mb: st.db.settings.max_document_bytes / (1024 * 1024),
    })
}

/// `GET /network/meetings/{id}`
pub async fn show_meeting(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    let done = done_msg(&auth, &d);
    let typed = (String::new(), String::new(), ActionInput::default());
    Ok(render(
        &meeting_page(&st, &auth, &id, typed, FormErrors::default(), done).await?,
    ))
}

/// `POST /network/meetings/{id}`: one form per step, told apart by `step`.
pub async fn meeting_step(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::ManageNetwork)?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let version: i32 = get("version").trim().parse().unwrap_or(-1);
    let step = get("step");
    let db = &st.db;
    let ctx = &auth.ctx;
    let action = ActionInput {
        title: get("title"),
        owner_id: get("owner_id"),
        due_on: get("due_on"),
    };
    let result = match step.as_str() {
        "attendance" => {
            let present: Vec<String> = pairs
                .iter()
                .filter(|(n, _)| n == "present")
                .map(|(_, v)| v.clone())
                .collect();
            store::governance::record_attendance(db, ctx, &id, version, &present)
                .await
                .map(|_| "attendance")
        }
        "minutes" => store::governance::save_minutes(db, ctx, &id, version, &get("minutes"))
            .await
            .map(|_| "minutes"),
        "approve" => store::governance::approve_minutes(db, ctx, &id, version)
            .await
            .map(|_| "approved"),
        "publish" => store::governance::publish_minutes(db, ctx, &id, version)
            .await
            .map(|_| "published"),
        "decision" => store::governance::add_decision(db, ctx, &id, version, &get("decision"))
            .await
            .map(|_| "decision"),
        "action" => store::governance::add_action(db, ctx, &id, &action)
            .await
            .map(|_| "action"),
        _ => Err(Error::Validation(vec![domain::FieldError::new(
            "step",
            "field_invalid_choice",
        )])),
    };
    match result {
        Ok(done) => Ok(see_other(&format!("/network/meetings/{id}?done={done}"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let typed = (get("minutes"), get("decision"), action);
                Ok(render_status(
                    crate::forms::error_status(&e),
                    &meeting_page(&st, &auth, &id, typed, errors, None).await?,
                ))
            }
            None => Err(AppError(e)),
        },
    }
}

/// `GET /network/meetings/{id}/minutes.pdf`: approved or published minutes, checked against
/// their hash first.
pub async fn minutes_pdf(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let v = store::governance::meeting(&st.db, &auth.ctx, &id).await?;
    if !v.meeting.frozen() || v.meeting.minutes.is_empty() {
        return Err(AppError(Error::NotFound));
    }
    if !store::governance::minutes_intact(&st.db, &id).await? {
        return Err(AppError(Error::Tampered));
    }
    let tr = auth.info.tr;
    let report = minutes_report(&v, &tr);
    super::person_export::pdf_response(report, tr.lang.as_str(), &format!("minutes-{id}.pdf")).await
}

/// Items as numbered paragraphs ("1. …").
fn numbered(items: Vec<String>) -> SectionBody {
    SectionBody::Text(
        items
            .iter()
            .enumerate()
            .map(|(i, t)| format!("{}. {t}", i + 1))
            .collect::<Vec<_>>()
            .join("\n\n"),
    )
}

fn minutes_report(v: &MeetingView, tr: &crate::i18n::Tr) -> Report {
    let m = &v.meeting;
    let when = domain::clock::rome(m.starts_at.0)
        .format("%d/%m/%Y %H:%M")
        .to_string();
    let yes_no = |p: Option<bool>| match p {
        Some(true) => tr.t("attendance-present"),
        Some(false) => tr.t("attendance-absent"),
        None => "—".into(),
    };
    let lines = |s: &str| -> Vec<String> {
        s.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    };
    let mut sections = vec![
        Section {
            heading: tr.t("meeting-details"),
            body: SectionBody::Fields(vec![
                (tr.t("meeting-body"), m.body_name.clone()),
                (tr.t("meeting-when"), when.clone()),
                (
                    tr.t("meeting-place"),
                    format!("{} {}", m.place, m.link).trim().to_string(),
                ),
                (
                    tr.t("minutes-state"),
                    tr.t(&format!("minutes-state-{}", m.minutes_state)),
                ),
            ]),
        },
        Section {
            heading: tr.t("meeting-attendance"),
            body: SectionBody::Table {
                columns: vec![
                    tr.t("member-organisation"),
                    tr.t("member-representative"),
                    tr.t("member-role"),
                    tr.t("attendance"),
                ],
                rows: v
                    .attendees
                    .iter()
                    .map(|a| {
                        vec![
                            a.member.org_name.clone(),
                            a.member.representative.clone(),
                            tr.t(&format!("member-role-{}", a.member.role)),
                            yes_no(a.present),
                        ]
                    })
                    .collect(),
            },
        },
        Section {
            heading: tr.t("meeting-agenda"),
            body: numbered(lines(&m.agenda)),
        },
        Section {
            heading: tr.t("meeting-minutes"),
            body: SectionBody::Text(m.minutes.clone()),
        },
    ];
    if !v.decisions.is_empty() {
        sections.push(Section {
            heading: tr.t("meeting-decisions"),
            body: numbered(v.decisions.iter().map(|d| d.text.clone()).collect()),
        });
    }
    if !v.actions.is_empty() {
        sections.push(Section {
            heading: tr.t("meeting-actions"),
            body: SectionBody::Table {
                columns: vec![tr.t("item-title"), tr.t("item-owner"), tr.t("item-due")],
                rows: v
                    .actions
                    .iter()
                    .map(|a| {
                        vec![
                            a.title.clone(),
                            a.owner_name.clone(),
                            a.due_on.format("%d/%m/%Y").to_string(),
                        ]
                    })
                    .collect(),
            },
        });
    }
    Report {
        title: format!("{} — {}", tr.t("meeting-minutes"), m.body_name),
        subtitle: Some(when),
        generated_line: tr.t1(
            "minutes-hash",
            "hash",
            m.minutes_hash.as_deref().unwrap_or_default(),
        ),
        footer: format!(
            "{} · SHA-256 {}",
            m.body_name,
            m.minutes_hash.as_deref().unwrap_or_default()
        ),
        sections,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneForm {
    version: i32,
    note: String,
}

/// `POST /network/actions/{id}/done`: back to the home page, where the list is.
pub async fn complete_action(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<DoneForm>,
) -> AppResult<Response> {
    store::governance::complete_action(&st.db, &auth.ctx, &id, f.version, &f.note).await?;
    Ok(see_other("/?done=action"))
}

/// `POST /network/meetings/{id}/documents` (multipart: `title`, `file`).
pub async fn upload_document(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> AppResult<Response> {
    use axum::extract::FromRequest;
    // Who may add is answered before anything about the body.
    auth.ctx.actor.require(Permission::ManageNetwork)?;
    let parsed = match axum::extract::Multipart::from_request(req, &st).await {
        Ok(m) => super::case_records::read_upload(m).await,
        Err(_) => Err(Error::UnsupportedMediaType),
    };
    let result = match parsed {
        Ok(up) => {
            store::governance::add_document(
                &st.db,
                &auth.ctx,
                &id,
                &up.title,
                &up.filename,
                &up.bytes,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/network/meetings/{id}?done=document"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let typed = (String::new(), String::new(), ActionInput::default());
                Ok(render_status(
                    crate::forms::error_status(&e),
                    &meeting_page(&st, &auth, &id, typed, errors, None).await?,
                ))
            }
            None => Err(AppError(e)),
        },
    }
}

/// `GET /network/meetings/{id}/documents/{doc}`
pub async fn download_document(
    State(st): State<AppState>,
    auth: Auth,
    Path((id, doc)): Path<(String, String)>,
) -> AppResult<Response> {
    use axum::http::{HeaderValue, header};
    let (d, bytes) = store::governance::document(&st.db, &auth.ctx, &id, &doc).await?;
    let mut r = Response::new(axum::body::Body::from(bytes));
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&d.media_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(
        header::CONTENT_DISPOSITION,
        super::case_records::attachment(&d.filename),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r.extensions_mut().insert(crate::error::Rendered);
    Ok(r)
}
