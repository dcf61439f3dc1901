//! Which pages browsers may keep. Public information pages (home, services, a service, the
//! guide, info points, open data) hold no personal data and are the same for every reader of
//! a language, so browsers and proxies may keep them, and ask before each use whether they
//! changed: a repeat visit costs a 304 of a few hundred bytes, not the page. Not a max-age of
//! minutes: a translator who has just published a page, and the reader sent to it, must see
//! it at once. Every other page keeps `no-store` (set in `headers.rs`): a page that may show
//! a person's data never rests in a browser's cache. Pages with a form (booking) are not
//! cacheable either: they carry the visitor's CSRF token.

use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// Kept, and revalidated with its ETag before each use.
pub const PUBLIC_PAGE: &str = "public, no-cache";

/// Whether `path` is a public information page that any reader may have from a cache.
pub fn is_public_page(method: &Method, path: &str) -> bool {
    if method != Method::GET && method != Method::HEAD {
        return false;
    }
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let is_lang = |seg: &str| {
        domain::languages::LANGUAGES
            .iter()
            .any(|(code, _, _)| *code == seg)
    };
    match segs.as_slice() {
        [lang, ""] => is_lang(lang),
        [lang, "services" | "guide" | "info-points" | "open-data"] => is_lang(lang),
        [lang, "services", code] => is_lang(lang) && !code.is_empty(),
        _ => false,
    }
}

/// Makes a public page's answer cacheable: a weak ETag over its body, and a 304 when the
/// browser already holds that version. Answers that set a cookie or are not a 200 are left
/// alone (and get `no-store` later).
pub async fn public_page(req_headers: &HeaderMap, resp: Response) -> Response {
    if resp.status() != StatusCode::OK
        || resp.headers().contains_key(header::SET_COOKIE)
        || resp.headers().contains_key(header::CACHE_CONTROL)
    {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    // Public pages are rendered in memory whole (a few kilobytes): buffering them costs
    // nothing, and a body that fails to read is a failed page.
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let etag = format!("W/\"{}\"", hex::encode(&Sha256::digest(&bytes)[..10]));
    let Ok(etag_value) = HeaderValue::from_str(&etag) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    parts.headers.insert(header::ETAG, etag_value.clone());
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(PUBLIC_PAGE));
    let matches = req_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == etag.trim_start_matches("W/"))
        });
    if matches {
        let mut h = HeaderMap::new();
        for name in [header::ETAG, header::CACHE_CONTROL, header::VARY] {
            if let Some(v) = parts.headers.get(&name) {
                h.insert(name, v.clone());
            }
        }
        return (StatusCode::NOT_MODIFIED, h).into_response();
    }
    Response::from_parts(parts, Body::from(bytes))
}
