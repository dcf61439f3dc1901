//! A submission applied once however often it arrives. A POST may carry a key: the
//! `Idempotency-Key` header (the offline queue, the API), an `idem` query parameter (upload
//! forms, whose multipart body is not read here) or an `idem` form field (every other form).
//! The key is claimed before the handler runs; a redirect or a JSON answer below 400 is
//! recorded and replayed to every repeat; any other answer (an error, a form shown again)
//! lets the key go, since nothing was applied. Without a key a request is handled as before.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::Error;
use sha2::{Digest, Sha256};
use store::idempotency::{self, Answer, Claim};

use crate::error::AppError;
use crate::page::ReqInfo;
use crate::state::AppState;

pub const HEADER: &str = "idempotency-key";
pub const REPLAYED: &str = "idempotent-replayed";
/// Sent by the page's script: a redirect is answered as `{"location": …}` instead, so the
/// script opens the page once (a fetch that followed the redirect would read it twice, and
/// a person's record read twice is audited twice).
pub const BY_SCRIPT: &str = "x-sprint-script";

fn for_script(by_script: bool, resp: Response) -> Response {
    if !by_script || !resp.status().is_redirection() {
        return resp;
    }
    let location = resp
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("/")
        .to_string();
    let replayed = resp.headers().contains_key(REPLAYED);
    let mut r = axum::Json(serde_json::json!({ "location": location })).into_response();
    if replayed {
        r.headers_mut()
            .insert(REPLAYED, HeaderValue::from_static("true"));
    }
    r.extensions_mut().insert(crate::error::Rendered);
    r
}

fn query_key(req: &Request) -> Option<String> {
    form_urlencoded::parse(req.uri().query()?.as_bytes())
        .find(|(k, _)| k == "idem")
        .map(|(_, v)| v.into_owned())
}

/// Who sent the key: the signed-in user, the API token, or the visitor's pre-session. Two
/// senders never share an answer.
fn scope(req: &Request) -> Option<String> {
    if let Some(auth) = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        return Some(format!(
            "token:{}",
            hex::encode(Sha256::digest(auth.as_bytes()))
        ));
    }
    let info = req.extensions().get::<ReqInfo>()?;
    match &info.user {
        Some(u) => Some(format!("user:{}", u.id)),
        None if !info.csrf.is_empty() => Some(format!(
            "visitor:{}",
            hex::encode(Sha256::digest(info.csrf.as_bytes()))
        )),
        None => None,
    }
}

pub async fn idempotency(State(st): State<AppState>, req: Request, next: Next) -> Response {
    // htmx requests are partial checks of a form being filled in (the person form's live
    // duplicate check sends every field, the key included), not its submission.
    if req.method() != Method::POST || req.headers().contains_key("hx-request") {
        return next.run(req).await;
    }
    let mut key = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| query_key(&req));
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let req = if key.is_none() && is_form {
        let (parts, body) = req.into_parts();
        let bytes = match to_bytes(body, st.cfg.max_body_bytes).await {
            Ok(b) => b,
            Err(_) => return AppError(Error::PayloadTooLarge).into_response(),
        };
        key = form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "idem")
            .map(|(_, v)| v.into_owned())
            .filter(|v| !v.is_empty());
        Request::from_parts(parts, Body::from(bytes))
    } else {
        req
    };
    let (Some(key), Some(scope)) = (key, scope(&req)) else {
        return next.run(req).await;
    };
    let request = format!("{} {}", req.method(), req.uri().path());
    let by_script = req.headers().contains_key(BY_SCRIPT);
    match idempotency::claim(&st.db, &scope, &key, &request).await {
        Ok(Claim::New) => {}
        Ok(Claim::Done(a)) => return for_script(by_script, replay(a, req.uri().path())),
        Ok(Claim::InFlight) => return AppError(Error::InFlight).into_response(),
        Ok(Claim::Reused) => {
            return AppError(Error::field("idempotency_key", "idempotency_key_reused"))
                .into_response();
        }
        Err(e) => return AppError(e).into_response(),
    }
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/json"));
    // What is kept: a redirect (every form that creates something answers with one) or a
    // JSON answer. A page answered in place (a form shown again with likely matches, an
    // error) applied nothing to replay: the key is let go, and the same submission is
    // handled again.
    if status.as_u16() >= 400 || (!status.is_redirection() && !is_json) {
        if let Err(e) = idempotency::release(&st.db, &scope, &key).await {
            tracing::warn!(error = %e, "idempotency key not released");
        }
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    // Only JSON answers are kept whole (the API's); no rendered page is ever stored.
    let keep_body = is_json;
    let (body, kept) = if keep_body {
        match to_bytes(body, idempotency::MAX_BODY).await {
            Ok(b) => (
                Body::from(b.clone()),
                Some(String::from_utf8_lossy(&b).into_owned()),
            ),
            Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    } else {
        (body, None)
    };
    let answer = Answer {
        status: i32::from(status.as_u16()),
        location: parts
            .headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        content_type,
        body: kept,
    };
    if let Err(e) = idempotency::complete(&st.db, &scope, &key, &answer).await {
        tracing::warn!(error = %e, "idempotency answer not recorded");
    }
    for_script(by_script, Response::from_parts(parts, body))
}

/// The first answer again: its redirect, its JSON, or (for a page) a redirect to the page
/// that was posted to.
fn replay(a: Answer, path: &str) -> Response {
    let status = u16::try_from(a.status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut resp = match (&a.location, &a.body) {
        (Some(loc), _) => {
            let mut r = status.into_response();
            if let Ok(v) = HeaderValue::from_str(loc) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        (None, Some(body)) => {
            let mut r = (status, body.clone()).into_response();
            if let Some(v) = a
                .content_type
                .as_deref()
                .and_then(|c| HeaderValue::from_str(c).ok())
            {
                r.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            r
        }
        // A JSON answer not kept (no keyring to seal it): the status says it was applied.
        (None, None)
            if a.content_type
                .as_deref()
                .is_some_and(|c| c.starts_with("application/json")) =>
        {
            (status, axum::Json(serde_json::json!({"code": "replayed"}))).into_response()
        }
        (None, None) => {
            let mut r = StatusCode::SEE_OTHER.into_response();
            if let Ok(v) = HeaderValue::from_str(path) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
    };
    resp.headers_mut()
        .insert(REPLAYED, HeaderValue::from_static("true"));
    resp.extensions_mut().insert(crate::error::Rendered);
    resp
}
