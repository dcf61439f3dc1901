//! Static files (styles, scripts, fonts, icons) embedded in the binary, so a single file runs
//! the platform. `build.rs` gives each a name carrying a hash of its content and compresses
//! the text ones (brotli, gzip) once at build time; pages link the hashed names (`url`), which
//! browsers keep for a year without asking again. The plain names still answer (a service
//! worker or a bookmark from an earlier release), with an hour's caching and an ETag.

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// One embedded file, as `build.rs` prepared it.
pub struct Asset {
    /// Its path under `assets/`, e.g. `css/app.css`.
    pub path: &'static str,
    /// The same with the content's hash before the extension, e.g. `css/app.1a2b3c4d5e.css`.
    pub hashed: &'static str,
    /// The content's hash (10 hex digits), which the strong ETags of its encodings carry.
    pub digest: &'static str,
    pub mime: &'static str,
    pub raw: &'static [u8],
    /// Brotli and gzip versions, when smaller than the raw bytes.
    pub br: Option<&'static [u8]>,
    pub gz: Option<&'static [u8]>,
}

static ASSETS: &[Asset] = include!(concat!(env!("OUT_DIR"), "/assets_table.rs"));

/// Every embedded file.
pub fn all() -> &'static [Asset] {
    ASSETS
}

fn by_path(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.path == path)
}

/// The address pages use for `path` (e.g. `css/app.css` → `/assets/css/app.1a2b3c4d5e.css`).
/// An unknown path keeps its plain address, which answers 404: a typo shows in the browser
/// tests' page-health checks instead of failing the page.
pub fn url(path: &str) -> String {
    match by_path(path) {
        Some(a) => format!("/assets/{}", a.hashed),
        None => format!("/assets/{path}"),
    }
}

/// An embedded file's bytes (the service worker is served from the root, not `/assets/`).
pub fn file(path: &str) -> Option<&'static [u8]> {
    by_path(path).map(|a| a.raw)
}

/// The encodings the request accepts, among those we have: brotli first (smaller), then
/// gzip. `q=0` refuses an encoding.
fn accepts(headers: &HeaderMap, coding: &str) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            name.eq_ignore_ascii_case(coding) && !refused
        })
}

pub async fn serve(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let (asset, immutable) = match ASSETS.iter().find(|a| a.hashed == path) {
        Some(a) => (a, true),
        None => match by_path(&path) {
            Some(a) => (a, false),
            None => return StatusCode::NOT_FOUND.into_response(),
        },
    };
    let cache = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    };
    // The encoding is chosen first: each has its own strong ETag (the same bytes are the
    // same tag; brotli and gzip bytes are other representations).
    let (body, coding) = match (asset.br, asset.gz) {
        (Some(br), _) if accepts(&headers, "br") => (br, Some("br")),
        (_, Some(gz)) if accepts(&headers, "gzip") => (gz, Some("gzip")),
        _ => (asset.raw, None),
    };
    let etag = match coding {
        Some(c) => format!("\"{}-{c}\"", asset.digest),
        None => format!("\"{}\"", asset.digest),
    };
    let mut h = HeaderMap::new();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if asset.br.is_some() || asset.gz.is_some() {
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        return (StatusCode::NOT_MODIFIED, h).into_response();
    }
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.mime));
    if let Some(c) = coding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(c));
    }
    (h, body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_hashed_name_keeps_the_path_and_extension() {
        for a in all() {
            let (stem, ext) = a.path.rsplit_once('.').unwrap_or((a.path, ""));
            assert!(a.hashed.starts_with(stem), "{}", a.hashed);
            assert!(a.hashed.ends_with(ext), "{}", a.hashed);
            assert_ne!(a.hashed, a.path);
        }
    }

    #[test]
    fn stylesheets_point_at_hashed_fonts() {
        for a in all().iter().filter(|a| a.path.ends_with(".css")) {
            let css = String::from_utf8_lossy(a.raw);
            for (i, _) in css.match_indices("url(") {
                let target = &css[i + 4..];
                let target = &target[..target.find(')').unwrap_or(target.len())];
                if target.starts_with("data:") || target.starts_with("\"data:") {
                    continue;
                }
                let target = target.trim_matches('"');
                let path = target.trim_start_matches("/assets/");
                assert!(
                    all()
                        .iter()
                        .any(|x| x.hashed == path.split(['?', '#']).next().unwrap_or("")),
                    "{} refers to {target}, which is not an embedded file's hashed name",
                    a.path
                );
            }
        }
    }

    #[test]
    fn brotli_is_preferred_and_refusal_is_respected() {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip, deflate, br;q=0"),
        );
        assert!(!accepts(&h, "br"));
        assert!(accepts(&h, "gzip"));
        assert!(!accepts(&h, "zstd"));
    }
}
