//! What a case gathers on its page besides status and tasks: notes, appointments,
//! documents (uploads and downloads), and the end of a referral (its outcome).

use axum::Form;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use domain::Error;
use serde::Deserialize;

use crate::auth::Auth;
use crate::error::AppResult;
use crate::forms::Kept;
use crate::page::see_other;
use crate::routes::cases::on_error;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    body: String,
}

pub async fn add_note(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<NoteForm>,
) -> AppResult<Response> {
    match store::case_notes::add_note(&st.db, &auth.ctx, &id, &f.body).await {
        Ok(_) => Ok(see_other(&format!("/cases/{id}?done=note#notes"))),
        Err(e) => on_error(&st, &auth, &id, e, Kept(vec![("body", f.body)])).await,
    }
}

#[derive(askama::Template)]
#[template(path = "case_note_form.html")]
pub struct NoteFormPage {
    pub page: crate::page::PageCtx,
    pub case_id: String,
    pub procedure: String,
    pub filed_on: String,
}

/// `GET /cases/{id}/notes/new`: the note form alone, for the field. It names the procedure,
/// not the person, and shows no notes, so the device may keep it for use without signal.
pub async fn note_form(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let view = store::cases::get_case(&st.db, &auth.ctx, &id).await?;
    if !view.can_work {
        return Err(crate::error::AppError(Error::Forbidden));
    }
    let lang = auth.lang();
    let procedure = view
        .procedure
        .as_ref()
        .map(|p| p.name(lang.as_str()).to_string())
        .unwrap_or_else(|| view.case.procedure_code.clone());
    Ok(crate::page::render(&NoteFormPage {
        page: auth.info.page(&auth.info.tr.t("note-new")),
        case_id: view.case.id.clone(),
        procedure,
        filed_on: view
            .case
            .filed_on
            .map(|d| d.to_string())
            .unwrap_or_default(),
    }))
}

#[derive(Deserialize)]
pub struct AppointmentForm {
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    purpose: String,
    /// A partner organisation the appointment is with (it confirms or proposes a time).
    #[serde(default)]
    partner_org: String,
}

pub async fn add_appointment(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<AppointmentForm>,
) -> AppResult<Response> {
    match store::appointments::add_appointment(
        &st.db,
        &auth.ctx,
        &id,
        &f.starts_at,
        &f.place,
        &f.purpose,
        &f.partner_org,
    )
    .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/cases/{id}?done=appointment#appointments"
        ))),
        Err(e) => {
            let kept = Kept(vec![
                ("starts_at", f.starts_at),
                ("place", f.place),
                ("purpose", f.purpose),
                ("partner_org", f.partner_org),
            ]);
            on_error(&st, &auth, &id, e, kept).await
        }
    }
}

#[derive(Deserialize)]
pub struct AppointmentStatusForm {
    #[serde(default)]
    status: String,
}

pub async fn appointment_status(
    State(st): State<AppState>,
    auth: Auth,
    Path((id, appointment)): Path<(String, String)>,
    Form(f): Form<AppointmentStatusForm>,
) -> AppResult<Response> {
    match store::appointments::set_status(&st.db, &auth.ctx, &id, &appointment, &f.status).await {
        Ok(()) => Ok(see_other(&format!("/cases/{id}#appointments"))),
        Err(e) => on_error(&st, &auth, &id, e, Kept::default()).await,
    }
}

#[derive(Deserialize)]
pub struct ProposalForm {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    version: i32,
}

/// `POST /cases/{id}/appointments/{a}/proposal`: the case takes the partner's proposed time,
/// or keeps its own.
pub async fn answer_proposal(
    State(st): State<AppState>,
    auth: Auth,
    Path((id, appointment)): Path<(String, String)>,
    Form(f): Form<ProposalForm>,
) -> AppResult<Response> {
    let accept = f.answer == "accept";
    match store::appointments::answer_proposal(
        &st.db,
        &auth.ctx,
        &id,
        &appointment,
        f.version,
        accept,
    )
    .await
    {
        Ok(()) => Ok(see_other(&format!("/cases/{id}#appointments"))),
        Err(e) => on_error(&st, &auth, &id, e, Kept::default()).await,
    }
}

/// An upload read from a multipart body: the title and the file.
pub(crate) struct Upload {
    pub title: String,
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// Reads the `title` and `file` fields; a body that is not valid multipart is a bad request,
/// one beyond the size limit is "too large".
pub(crate) async fn read_upload(mut m: Multipart) -> Result<Upload, Error> {
    let mut up = Upload {
        title: String::new(),
        filename: String::new(),
        bytes: vec![],
    };
    let too_large = |e: axum::extract::multipart::MultipartError| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            Error::field("file", "document_too_large")
        } else {
            Error::BadRequest
        }
    };
    while let Some(field) = m.next_field().await.map_err(too_large)? {
        match field.name() {
            Some("title") => up.title = field.text().await.map_err(too_large)?,
            Some("file") => {
                up.filename = field.file_name().unwrap_or_default().to_string();
                up.bytes = field.bytes().await.map_err(too_large)?.to_vec();
            }
            _ => {}
        }
    }
    Ok(up)
}

pub async fn upload_document(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    req: Request,
) -> AppResult<Response> {
    // Whether the case is within reach is answered before anything about the body.
    store::cases::require_work(&st.db, &auth.ctx, &id).await?;
    let parsed = match Multipart::from_request(req, &st).await {
        Ok(m) => read_upload(m).await,
        Err(_) => Err(Error::UnsupportedMediaType),
    };
    let result = match parsed {
        Ok(up) => {
            let title = up.title.clone();
            store::case_documents::upload(
                &st.db,
                &auth.ctx,
                &id,
                &up.title,
                &up.filename,
                &up.bytes,
            )
            .await
            .map_err(|e| (e, title))
        }
        Err(e) => Err((e, String::new())),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/cases/{id}?done=document#documents"))),
        // The title comes back; a browser never lets a page refill a file field.
        // The store names the title `title`, like a task's: here it is the document's.
        Err((e, title)) => {
            on_error(
                &st,
                &auth,
                &id,
                rename_field(e, "title", "doc_title"),
                Kept(vec![("doc_title", title)]),
            )
            .await
        }
    }
}

/// `attachment; filename="…"; filename*=UTF-8''…`: an ASCII fallback for old clients and the
/// real name, percent-encoded, for the rest (RFC 6266).
pub(crate) fn attachment(filename: &str) -> HeaderValue {
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded =
        percent_encoding::utf8_percent_encode(filename, percent_encoding::NON_ALPHANUMERIC);
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// The document's bytes as a download that no cache keeps.
pub(crate) fn download_response(d: store::case_documents::Download) -> Response {
    let mut res = Response::new(Body::from(d.bytes));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&d.document.media_type)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        attachment(&d.document.filename),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    res
}

pub async fn download_document(
    State(st): State<AppState>,
    auth: Auth,
    Path((id, doc)): Path<(String, String)>,
) -> AppResult<Response> {
    let d = store::case_documents::download(&st.db, &auth.ctx, &id, &doc).await?;
    Ok(download_response(d))
}

pub async fn remove_document(
    State(st): State<AppState>,
    auth: Auth,
    Path((id, doc)): Path<(String, String)>,
) -> AppResult<Response> {
    match store::case_documents::remove(&st.db, &auth.ctx, &id, &doc).await {
        Ok(()) => Ok(see_other(&format!(
            "/cases/{id}?done=document_removed#documents"
        ))),
        Err(e) => on_error(&st, &auth, &id, e, Kept::default()).await,
    }
}

#[derive(Deserialize)]
pub struct OutcomeForm {
    #[serde(default)]
    outcome: String,
}

pub async fn complete_referral(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<OutcomeForm>,
) -> AppResult<Response> {
    match store::referrals::complete_referral(&st.db, &auth.ctx, &id, &f.outcome).await {
        Ok(case_id) => Ok(see_other(&format!(
            "/cases/{case_id}?done=completed#referrals"
        ))),
        // Re-show the case the referral belongs to, with the outcome as typed.
        Err(e @ (Error::Validation(_) | Error::Conflict)) => {
            let case_id = store::referrals::case_of(&st.db, &auth.ctx, &id).await?;
            on_error(&st, &auth, &case_id, e, Kept(vec![("outcome", f.outcome)])).await
        }
        Err(e) => Err(e.into()),
    }
}

fn rename_field(e: Error, from: &str, to: &str) -> Error {
    match e {
        Error::Validation(mut fields) => {
            for f in &mut fields {
                if f.field == from {
                    f.field = to.to_string();
                }
            }
            Error::Validation(fields)
        }
        other => other,
    }
}
