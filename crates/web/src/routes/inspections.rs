//! Inspections on screen: the list, planning one, the checklist filled at the centre on a
//! phone (each answer saved as given, by script, or all at once without it), findings,
//! evidence, closing, and the closed report with its hash checked on every opening.

use askama::Template;
use axum::Form;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::Error;
use domain::policy::Permission;
use serde::Deserialize;
use store::inspections::{CloseInput, FindingInput, Inspection, PlanInput, Sheet};

use crate::auth::Auth;
use crate::error::{AppError, AppResult, Rendered};
use crate::forms::{FormErrors, Kept};
use crate::page::{PageCtx, render, render_status, see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "inspections.html")]
pub struct ListPage {
    pub page: PageCtx,
    pub inspections: Vec<Inspection>,
    pub can_inspect: bool,
}

/// `GET /inspections`
pub async fn list(State(st): State<AppState>, auth: Auth) -> AppResult<Response> {
    let inspections = store::inspections::list(&st.db, &auth.ctx, None).await?;
    Ok(render(&ListPage {
        page: auth.info.page(&auth.info.tr.t("inspections-title")),
        can_inspect: auth.ctx.actor.can(Permission::Inspect),
        inspections,
    }))
}

#[derive(Template)]
#[template(path = "inspection_new.html")]
pub struct PlanPage {
    pub page: PageCtx,
    pub i: PlanInput,
    pub centres: Vec<store::centres::Centre>,
    pub inspectors: Vec<(String, String)>,
    pub errors: FormErrors,
}

impl PlanPage {
    pub fn in_team(&self, id: &str) -> bool {
        self.i.team.iter().any(|t| t == id)
    }
}

async fn plan_page(
    st: &AppState,
    auth: &Auth,
    i: PlanInput,
    errors: FormErrors,
) -> AppResult<PlanPage> {
    let centres = store::centres::list(&st.db, &auth.ctx, &Default::default())
        .await?
        .into_iter()
        .filter(|c| c.active && c.contract_schema.is_some())
        .collect();
    Ok(PlanPage {
        page: auth.info.page(&auth.info.tr.t("inspection-new")),
        inspectors: store::inspections::inspectors(&st.db, &auth.ctx).await?,
        centres,
        i,
        errors,
    })
}

#[derive(Deserialize, Default)]
pub struct NewQ {
    #[serde(default)]
    centre: String,
    #[serde(default)]
    on: String,
}

/// `GET /inspections/new?centre=…&on=…`
pub async fn new_form(
    State(st): State<AppState>,
    auth: Auth,
    Query(q): Query<NewQ>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::Inspect)?;
    let i = PlanInput {
        centre_id: q.centre,
        kind: "unannounced".into(),
        planned_on: if q.on.is_empty() {
            domain::clock::today().to_string()
        } else {
            q.on
        },
        team: vec![auth.user.id.clone()],
    };
    Ok(render(
        &plan_page(&st, &auth, i, FormErrors::default()).await?,
    ))
}

/// The plan form: `team` comes once per ticked inspector, which a struct decoder cannot
/// gather into a list, so the pairs are read in order.
fn plan_input(form: Vec<(String, String)>) -> PlanInput {
    let mut i = PlanInput::default();
    for (k, v) in form {
        match k.as_str() {
            "centre_id" => i.centre_id = v,
            "kind" => i.kind = v,
            "planned_on" => i.planned_on = v,
            "team" => i.team.push(v),
            _ => {}
        }
    }
    i
}

/// `POST /inspections`
pub async fn create(
    State(st): State<AppState>,
    auth: Auth,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let i = plan_input(form);
    match store::inspections::plan(&st.db, &auth.ctx, &i).await {
        Ok(id) => Ok(see_other(&format!("/inspections/{id}"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => Ok(render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &plan_page(&st, &auth, i, errors).await?,
            )),
            None => Err(AppError(e)),
        },
    }
}

#[derive(Template)]
#[template(path = "inspection.html")]
pub struct SheetPage {
    pub page: PageCtx,
    pub s: Sheet,
    pub it: bool,
    pub errors: FormErrors,
    pub kept: Kept,
    /// Answers someone else changed while this inspector's form was open.
    pub clashes: Vec<store::inspections::Clash>,
    pub done: Option<String>,
    /// Item values typed but not saved (refused or clashing), shown instead of the stored.
    pub typed: Vec<(String, String)>,
}

impl SheetPage {
    /// The value to show for an item: what was typed if it was not saved, else the stored.
    pub fn shown(&self, item: &str) -> &str {
        self.typed
            .iter()
            .find(|(k, _)| k == item)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| self.s.value(item))
    }

    pub fn text<'a>(&self, i: &'a store::inspections::SheetItem) -> &'a str {
        if self.it {
            &i.item.text_it
        } else {
            &i.item.text_en
        }
    }

    pub fn heading<'a>(&self, i: &'a store::inspections::SheetItem) -> &'a str {
        if self.it {
            &i.item.heading_it
        } else {
            &i.item.heading_en
        }
    }

    pub fn item_text(&self, id: &Option<String>) -> String {
        id.as_ref()
            .and_then(|id| self.s.items.iter().find(|i| &i.id == id))
            .map(|i| format!("{} · {}", self.heading(i), self.text(i)))
            .unwrap_or_default()
    }

    pub fn pct(&self, p: &Option<f64>) -> String {
        p.map(store::inspections::percent)
            .unwrap_or_else(|| "—".into())
    }

    pub fn err(&self, item: &str) -> String {
        self.errors.msg(&format!("item-{item}"), &self.page.tr)
    }

    pub fn clash(&self, item: &str) -> Option<&store::inspections::Clash> {
        self.clashes.iter().find(|c| c.item_id == item)
    }

    pub fn value_label(&self, v: &str) -> String {
        answer_label(&self.page.tr, v)
    }
}

async fn sheet_page(
    st: &AppState,
    auth: &Auth,
    id: &str,
    errors: FormErrors,
    kept: Kept,
    clashes: Vec<store::inspections::Clash>,
    done: Option<String>,
) -> AppResult<SheetPage> {
    let s = store::inspections::sheet(&st.db, &auth.ctx, id).await?;
    let title = format!(
        "{} · {}",
        auth.info.tr.t("inspection-title"),
        s.inspection.centre_name
    );
    Ok(SheetPage {
        page: auth.info.page(&title),
        it: auth.lang().as_str() != "en",
        s,
        errors,
        kept,
        clashes,
        done,
        typed: vec![],
    })
}

#[derive(Template)]
#[template(path = "inspection_report.html")]
pub struct ReportPage {
    pub page: PageCtx,
    pub p: SheetPage,
    pub hash: String,
    pub actions: Vec<store::corrective::Action>,
}

#[derive(Deserialize, Default)]
pub struct DoneQ {
    #[serde(default)]
    done: Option<String>,
}

/// `GET /inspections/{id}`: the checklist while open, the verified report once closed.
pub async fn show(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(d): Query<DoneQ>,
) -> AppResult<Response> {
    let i = store::inspections::get(&st.db, &auth.ctx, &id).await?;
    if i.is_closed() {
        let (s, hash) = store::inspections::verified(&st.db, &auth.ctx, &id).await?;
        let title = format!(
            "{} · {}",
            auth.info.tr.t("inspection-report"),
            s.inspection.centre_name
        );
        let actions = store::corrective::list(
            &st.db,
            &auth.ctx,
            &store::corrective::Filter {
                centre: s.inspection.centre_id.clone(),
                status: "all".into(),
            },
        )
        .await?
        .into_iter()
        .filter(|a| a.inspection_id == id)
        .collect();
        let p = SheetPage {
            page: auth.info.page(&title),
            it: auth.lang().as_str() != "en",
            s,
            errors: FormErrors::default(),
            kept: Kept::default(),
            clashes: vec![],
            done: d.done,
            typed: vec![],
        };
        return Ok(render(&ReportPage {
            page: auth.info.page(&title),
            p,
            hash,
            actions,
        }));
    }
    if !auth.ctx.actor.can(Permission::Inspect) {
        // A scheduled visit announced to the centre: its date, not its checklist.
        return Ok(see_other(&format!("/centres/{}#inspections", i.centre_id)));
    }
    Ok(render(
        &sheet_page(
            &st,
            &auth,
            &id,
            FormErrors::default(),
            Kept::default(),
            vec![],
            d.done,
        )
        .await?,
    ))
}

/// `POST /inspections/{id}/answers`: the whole checklist at once (the form without script,
/// or the "save" button). Only answers that differ from what is stored are written; those
/// someone else changed meanwhile come back as clashes, the rest are saved.
pub async fn save_all(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::Inspect)?;
    let current = store::inspections::sheet(&st.db, &auth.ctx, &id).await?;
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let mut errors = vec![];
    let mut clashes = vec![];
    let mut kept = vec![];
    for item in &current.items {
        let vid = format!("v-{}", item.id);
        let na = get(&format!("na-{}", item.id)).is_some();
        let value = if na { Some("na") } else { get(&vid) };
        let note = get(&format!("n-{}", item.id)).unwrap_or(current.note(&item.id));
        let value = value.unwrap_or(current.value(&item.id));
        let rev: i32 = get(&format!("r-{}", item.id))
            .and_then(|r| r.parse().ok())
            .unwrap_or(current.rev(&item.id));
        if value.trim() == current.value(&item.id) && note.trim() == current.note(&item.id) {
            continue;
        }
        if value.trim().is_empty() && note.trim().is_empty() && current.answer(&item.id).is_none() {
            continue;
        }
        match store::inspections::answer(&st.db, &auth.ctx, &id, &item.id, value, note, rev).await {
            Ok(Ok(_)) => {}
            Ok(Err(c)) => {
                kept.push((item.id.clone(), value.to_string()));
                clashes.push(c);
            }
            Err(Error::Validation(f)) => {
                kept.push((item.id.clone(), value.to_string()));
                errors.extend(f);
            }
            Err(Error::Conflict) => clashes.push(store::inspections::Clash {
                item_id: item.id.clone(),
                value: String::new(),
                note: String::new(),
                rev: 0,
            }),
            Err(e) => return Err(AppError(e)),
        }
    }
    if errors.is_empty() && clashes.is_empty() {
        return Ok(see_other(&format!("/inspections/{id}?done=saved")));
    }
    let mut fe = FormErrors {
        fields: errors,
        general: None,
    };
    fe.general = Some(auth.info.tr.t(if clashes.is_empty() {
        "validation"
    } else {
        "inspection-clash"
    }));
    // What this inspector typed stays on the form; the other answer is shown beside it.
    let mut p = sheet_page(&st, &auth, &id, fe, Kept::default(), clashes, None).await?;
    p.typed = kept;
    let status = if p.clashes.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::CONFLICT
    };
    Ok(render_status(status, &p))
}

#[derive(Deserialize)]
pub struct OneAnswer {
    #[serde(default)]
    item: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    rev: i32,
}

/// An answer as people read it: "Sì" for `yes`, a number or text as it is.
pub fn answer_label(tr: &crate::i18n::Tr, v: &str) -> String {
    match v {
        "yes" | "no" | "na" => tr.t(&format!("answer-{v}")),
        "" => "—".into(),
        other => other.to_string(),
    }
}

fn json(status: StatusCode, v: serde_json::Value) -> Response {
    let mut r = (status, axum::Json(v)).into_response();
    r.extensions_mut().insert(Rendered);
    r
}

/// `POST /inspections/{id}/answer`: one answer, from the page's script as the inspector
/// gives it. Answers in JSON: `{rev}`, or 409 with the other answer, or 422 with the
/// message to show beside the item.
pub async fn save_one(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(a): Form<OneAnswer>,
) -> AppResult<Response> {
    let tr = &auth.info.tr;
    Ok(
        match store::inspections::answer(&st.db, &auth.ctx, &id, &a.item, &a.value, &a.note, a.rev)
            .await
        {
            Ok(Ok(s)) => json(StatusCode::OK, serde_json::json!({"rev": s.rev})),
            Ok(Err(c)) => json(
                StatusCode::CONFLICT,
                serde_json::json!({
                    "rev": c.rev, "value": c.value, "note": c.note,
                    "message": tr.t1("inspection-clash-item", "value", answer_label(tr, &c.value)),
                }),
            ),
            Err(Error::Validation(f)) => json(
                StatusCode::UNPROCESSABLE_ENTITY,
                serde_json::json!({
                    "message": f.first().map(|f| tr.t(f.code)).unwrap_or_default(),
                }),
            ),
            Err(Error::Conflict) => json(
                StatusCode::CONFLICT,
                serde_json::json!({"message": tr.t("conflict")}),
            ),
            Err(e) => {
                let status =
                    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                json(status, serde_json::json!({"message": tr.t(e.code())}))
            }
        },
    )
}

async fn on_error(
    st: &AppState,
    auth: &Auth,
    id: &str,
    e: Error,
    kept: Kept,
) -> AppResult<Response> {
    match FormErrors::from_error(&e, &auth.info.tr) {
        Some(errors) => {
            let status =
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            let p = sheet_page(st, auth, id, errors, kept, vec![], None).await?;
            Ok(render_status(status, &p))
        }
        None => Err(AppError(e)),
    }
}

/// `POST /inspections/{id}/findings`
pub async fn add_finding(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<FindingInput>,
) -> AppResult<Response> {
    match store::inspections::add_finding(&st.db, &auth.ctx, &id, &f).await {
        Ok(_) => Ok(see_other(&format!(
            "/inspections/{id}?done=finding#findings"
        ))),
        Err(e) => {
            let kept = Kept(vec![
                ("item_id", f.item_id),
                ("severity", f.severity),
                ("description", f.description),
                ("action_required", f.action_required),
                ("due_days", f.due_days),
            ]);
            on_error(&st, &auth, &id, e, kept).await
        }
    }
}

/// `POST /inspections/{id}/findings/{finding}/remove`
pub async fn remove_finding(
    State(st): State<AppState>,
    auth: Auth,
    Path((id, finding)): Path<(String, String)>,
) -> AppResult<Response> {
    match store::inspections::remove_finding(&st.db, &auth.ctx, &id, &finding).await {
        Ok(()) => Ok(see_other(&format!("/inspections/{id}#findings"))),
        Err(e) => on_error(&st, &auth, &id, e, Kept::default()).await,
    }
}

/// `POST /inspections/{id}/evidence` (multipart: `file`, optional `item_id`)
pub async fn add_evidence(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    req: Request,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::Inspect)?;
    let mut item = String::new();
    let parsed = match Multipart::from_request(req, &st).await {
        Ok(mut m) => {
            let mut out = Ok((String::new(), vec![]));
            loop {
                match m.next_field().await {
                    Ok(Some(field)) => match field.name() {
                        Some("item_id") => item = field.text().await.unwrap_or_default(),
                        Some("file") => {
                            let name = field.file_name().unwrap_or_default().to_string();
                            out = match field.bytes().await {
                                Ok(b) => Ok((name, b.to_vec())),
                                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                                    Err(Error::field("file", "document_too_large"))
                                }
                                Err(_) => Err(Error::BadRequest),
                            };
                        }
                        _ => {}
                    },
                    Ok(None) => break,
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        out = Err(Error::field("file", "document_too_large"));
                        break;
                    }
                    Err(_) => {
                        out = Err(Error::BadRequest);
                        break;
                    }
                }
            }
            out
        }
        Err(_) => Err(Error::UnsupportedMediaType),
    };
    let item_ref = (!item.is_empty()).then_some(item.as_str());
    let anchor = item_ref
        .map(|i| format!("#i-{i}"))
        .unwrap_or_else(|| "#evidence".into());
    let result = match parsed {
        Ok((name, bytes)) => {
            store::inspections::add_evidence(&st.db, &auth.ctx, &id, item_ref, &name, &bytes)
                .await
                .map(|_| ())
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other(&format!(
            "/inspections/{id}?done=evidence{anchor}"
        ))),
        // The message goes beside the item's file field.
        Err(Error::Validation(f)) if item_ref.is_some() => {
            let f = f
                .into_iter()
                .map(|mut x| {
                    x.field = format!("item-{item}");
                    x
                })
                .collect();
            on_error(&st, &auth, &id, Error::Validation(f), Kept::default()).await
        }
        Err(e) => on_error(&st, &auth, &id, e, Kept::default()).await,
    }
}

/// `GET /inspections/{id}/files/{file}`
pub async fn file(
    State(st): State<AppState>,
    auth: Auth,
    Path((id, file)): Path<(String, String)>,
) -> AppResult<Response> {
    let (info, bytes) = store::inspections::file(&st.db, &auth.ctx, &id, &file).await?;
    let mut r = Response::new(axum::body::Body::from(bytes));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&info.media_type)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        super::case_records::attachment(&info.filename),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(r)
}

/// `POST /inspections/{id}/close`
pub async fn close(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(c): Form<CloseInput>,
) -> AppResult<Response> {
    match store::inspections::close(&st.db, &auth.ctx, &id, &c).await {
        Ok(_) => Ok(see_other(&format!("/inspections/{id}?done=closed"))),
        Err(e) => {
            let kept = Kept(vec![("visited_on", c.visited_on), ("summary", c.summary)]);
            on_error(&st, &auth, &id, e, kept).await
        }
    }
}

#[derive(Deserialize)]
pub struct VersionForm {
    #[serde(default)]
    version: i32,
}

/// `POST /inspections/{id}/cancel`
pub async fn cancel(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(v): Form<VersionForm>,
) -> AppResult<Response> {
    match store::inspections::cancel(&st.db, &auth.ctx, &id, v.version).await {
        Ok(()) => Ok(see_other("/inspections")),
        Err(e) => on_error(&st, &auth, &id, e, Kept::default()).await,
    }
}

/// `GET /inspections/{id}/report.pdf`: only from a verified record; the hash is printed on
/// every page.
pub async fn report_pdf(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (s, hash) = store::inspections::verified(&st.db, &auth.ctx, &id).await?;
    let report = crate::routes::inspection_pdf::build(&s, &hash, &auth.info.tr);
    crate::routes::person_export::pdf_response(
        report,
        auth.info.tr.lang.as_str(),
        &format!(
            "ispezione-{}-{}.pdf",
            s.inspection.centre_code.as_deref().unwrap_or("centro"),
            s.inspection
                .visited_on
                .map(|d| d.to_string())
                .unwrap_or_default()
        ),
    )
    .await
}
