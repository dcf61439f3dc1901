//! Static files (styles, icons, fonts, htmx) embedded in the binary, so a single file runs
//! the platform. Names carry no hash, so caching is a day plus revalidation by ETag.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "assets/"]
struct Assets;

/// An embedded file's bytes (the service worker is served from the root, not `/assets/`).
pub fn file(path: &str) -> Option<Vec<u8>> {
    Assets::get(path).map(|f| f.data.into_owned())
}

pub async fn serve(Path(path): Path<String>, headers: axum::http::HeaderMap) -> Response {
    if let Some(name) = path.strip_prefix("fonts/noto/") {
        return font(name, &headers);
    }
    let Some(file) = Assets::get(&path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..8]));
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag)
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let mime = mime_guess::from_path(&path).first_or_octet_stream();
    let mut r = file.data.into_owned().into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(mime.as_ref()) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    r
}

/// A Noto font the print crate embeds (Ethiopic, Bengali), for the public pages' `@font-face`
/// rules: browsers fetch it only for pages with those scripts, and only when the phone has
/// no such font of its own (`local()` comes first). The files never change within a
/// release, so they are cached for a year.
fn font(name: &str, headers: &axum::http::HeaderMap) -> Response {
    let Some(bytes) = print::web_font(name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = concat!("\"noto-", env!("CARGO_PKG_VERSION"), "\"");
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag)
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("font/ttf"));
    h.insert(header::ETAG, HeaderValue::from_static(etag));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000"),
    );
    r
}
