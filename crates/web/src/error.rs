//! Turning every failure into a clear, localised answer. Handlers return `AppError`; it
//! becomes a bare status with the error attached, and `render_errors` (which knows the
//! request's language and id) writes the page or the JSON body. Responses from axum itself
//! (unknown route, wrong method, body too large, malformed form) go through the same place.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::{Error, FieldError};

use crate::page::{ErrorPage, ReqInfo, render};

/// Marks a response whose body was already written for people (a form with its errors,
/// a page): the error renderer leaves it alone.
#[derive(Clone, Copy)]
pub struct Rendered;

#[derive(Clone, Debug)]
pub struct ErrorInfo {
    pub code: &'static str,
    pub fields: Vec<FieldError>,
}

pub struct AppError(pub Error);

impl From<Error> for AppError {
    fn from(e: Error) -> Self {
        AppError(e)
    }
}

pub type AppResult<T> = Result<T, AppError>;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self.0 {
            Error::Internal(cause) => tracing::error!(code = "internal", %cause, "request failed"),
            Error::Unavailable(cause) | Error::StorageFull(cause) => {
                tracing::error!(code = self.0.code(), %cause, "database problem")
            }
            _ => {}
        }
        let status =
            StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = status.into_response();
        resp.extensions_mut().insert(ErrorInfo {
            code: self.0.code(),
            fields: self.0.fields().to_vec(),
        });
        resp
    }
}

fn code_for_status(s: StatusCode) -> &'static str {
    match s.as_u16() {
        400 | 422 => "bad_request",
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        408 | 503 | 504 => "unavailable",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        429 => "rate_limited",
        _ => "internal",
    }
}

/// Writes the body of every error response that no handler rendered itself.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let info = req.extensions().get::<ReqInfo>().cloned();
    let resp = next.run(req).await;
    let status = resp.status();
    if status.as_u16() < 400 || resp.extensions().get::<Rendered>().is_some() {
        return resp;
    }
    let Some(info) = info else {
        return resp;
    };
    let err = resp
        .extensions()
        .get::<ErrorInfo>()
        .cloned()
        .unwrap_or(ErrorInfo {
            code: code_for_status(status),
            fields: vec![],
        });
    error_response(&info, status, &err)
}

/// The record a path is about, for the purpose form: `/people/{id}…` or `/cases/{id}…`.
fn purpose_subject(path: &str) -> Option<(&'static str, &str)> {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let mut parts = path.trim_start_matches('/').split('/');
    let kind = match parts.next()? {
        "people" => "person",
        "cases" => "case",
        _ => return None,
    };
    let id = parts.next().filter(|id| !id.is_empty())?;
    Some((kind, id))
}

/// The localised body for an error: JSON under /api, an HTML page elsewhere.
pub fn error_response(info: &ReqInfo, status: StatusCode, err: &ErrorInfo) -> Response {
    let message = info.tr.t(err.code);
    let mut resp = if info.is_api {
        let fields: Vec<_> = err
            .fields
            .iter()
            .map(|f| serde_json::json!({"field": f.field, "code": f.code, "message": info.tr.t(f.code)}))
            .collect();
        let body = serde_json::json!({
            "code": err.code,
            "message": message,
            "request_id": info.request_id,
            "fields": fields,
        });
        (status, axum::Json(body)).into_response()
    } else if let (Some((kind, id)), "purpose_required") = (purpose_subject(&info.path), err.code) {
        // A record reached only through the programme-wide grant: ask why, then open it.
        let page = crate::routes::access::purpose_page(
            info,
            kind,
            id,
            &format!(
                "/{}/{id}",
                if kind == "person" { "people" } else { "cases" }
            ),
            "",
            "",
            Default::default(),
        );
        let mut r = render(&page);
        *r.status_mut() = status;
        r
    } else {
        let page = ErrorPage {
            page: info.page(&info.tr.t(&format!("{}-title", err.code))),
            status: status.as_u16(),
            code: err.code,
            message,
            fields: err.fields.iter().map(|f| info.tr.t(f.code)).collect(),
        };
        let mut r = render(&page);
        *r.status_mut() = status;
        r
    };
    if status == StatusCode::UNAUTHORIZED && info.is_api {
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"sprint\""),
        );
    }
    // The offline queue tells "still being handled" from a refusal by this stable code.
    if let Ok(v) = HeaderValue::from_str(err.code) {
        resp.headers_mut().insert("x-error-code", v);
    }
    resp.extensions_mut().insert(Rendered);
    resp
}
