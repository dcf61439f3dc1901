//! Security headers on every response, and no caching of pages that may show personal data
//! (public information pages are the exception: see `caching.rs`).

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; \
    frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

pub async fn security_headers(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let is_asset = req.uri().path().starts_with("/assets/");
    let keep = if req.method() == axum::http::Method::GET {
        crate::offline::offline_header(req.uri().path(), req.uri().query())
    } else {
        None
    };
    let is_logout = req.uri().path() == "/logout";
    let public_page = crate::caching::is_public_page(req.method(), req.uri().path());
    let mut conditional = axum::http::HeaderMap::new();
    if let Some(v) = req.headers().get(header::IF_NONE_MATCH) {
        conditional.insert(header::IF_NONE_MATCH, v.clone());
    }
    let mut resp = next.run(req).await;
    if public_page {
        resp = crate::caching::public_page(&conditional, resp).await;
    }
    if let Some(v) = keep.filter(|_| resp.status() == axum::http::StatusCode::OK)
        && let Ok(v) = HeaderValue::from_str(&v)
    {
        resp.headers_mut().insert(crate::offline::KEEP_HEADER, v);
    }
    if is_logout && resp.status().is_redirection() {
        // Whatever this browser kept for the user (cached pages, drafts, the offline queue,
        // the service worker) goes with the session; the page's script clears it too, for
        // browsers that ignore this header.
        resp.headers_mut().insert(
            "clear-site-data",
            HeaderValue::from_static("\"cache\", \"storage\""),
        );
    }
    let h = resp.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, st.csp.clone());
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("geolocation=(), microphone=(), camera=(), payment=()"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    if st.cfg.secure_cookies {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if !is_asset && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}
