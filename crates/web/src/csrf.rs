//! CSRF protection for every state-changing request of the pages: the token of the session
//! (or, before login, of the pre-session cookie) must come back in the form field `csrf`
//! or the `X-CSRF-Token` header (htmx). The API is exempt: it accepts no cookies.

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::Error;
use sha2::{Digest, Sha256};

use crate::auth::SessionExpired;
use crate::error::AppError;
use crate::page::ReqInfo;
use crate::state::AppState;

/// Equal-time comparison by hashing both sides first.
fn same(a: &str, b: &str) -> bool {
    Sha256::digest(a.as_bytes()) == Sha256::digest(b.as_bytes())
}

pub async fn check_csrf(State(st): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || req.uri().path().starts_with("/api/")
    {
        return next.run(req).await;
    }
    let expected = req
        .extensions()
        .get::<ReqInfo>()
        .map(|i| i.csrf.clone())
        .unwrap_or_default();
    if let Some(h) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        if !expected.is_empty() && same(h, &expected) {
            return next.run(req).await;
        }
        return AppError(Error::Csrf).into_response();
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if content_type.starts_with("multipart/form-data") {
        return check_multipart(&st, req, next, &expected, &content_type).await;
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return AppError(Error::Csrf).into_response();
    }
    let (parts, body) = req.into_parts();
    // Buffer at most the configured body limit, as the form extractor would.
    let bytes = match to_bytes(body, st.cfg.max_body_bytes).await {
        Ok(b) => b,
        Err(_) => return AppError(Error::PayloadTooLarge).into_response(),
    };
    let token = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.into_owned());
    match token {
        Some(t) if !expected.is_empty() && same(&t, &expected) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        // The form was filled in under a session that has since ended: keep what was typed,
        // ask to log in again, then offer to send it.
        _ if parts.extensions.get::<SessionExpired>().is_some() => {
            match parts.extensions.get::<ReqInfo>() {
                Some(info) => crate::routes::login::resume_login(info, parts.uri.path(), &bytes),
                None => AppError(Error::SessionExpired).into_response(),
            }
        }
        _ => AppError(Error::Csrf).into_response(),
    }
}

/// An upload form carries its token as a `csrf` field like any other form. The body is
/// buffered (up to the upload limit) so the token can be read before the handler runs; the
/// token never goes into a URL, where logs and history would keep it.
async fn check_multipart(
    st: &AppState,
    req: Request,
    next: Next,
    expected: &str,
    content_type: &str,
) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, crate::routes::upload_limit(st)).await {
        Ok(b) => b,
        Err(_) => return AppError(Error::PayloadTooLarge).into_response(),
    };
    let probe = match Request::builder()
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(bytes.clone()))
    {
        Ok(r) => r,
        Err(_) => return AppError(Error::BadRequest).into_response(),
    };
    let mut token = None;
    if let Ok(mut m) = Multipart::from_request(probe, &()).await {
        while let Ok(Some(field)) = m.next_field().await {
            if field.name() == Some("csrf") {
                token = field.text().await.ok();
                break;
            }
        }
    }
    match token {
        Some(t) if !expected.is_empty() && same(&t, expected) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        // A file cannot be kept across a new login the way typed fields are: say why.
        _ if parts.extensions.get::<SessionExpired>().is_some() => {
            AppError(Error::SessionExpired).into_response()
        }
        _ => AppError(Error::Csrf).into_response(),
    }
}
