//! The field app: a web app manifest, a service worker, and what the service worker may keep.
//! Pages are kept for offline use only when the server says so (`x-sprint-offline: keep`):
//! public pages (no personal data) and the empty forms used in the field. A page that may
//! show a person's data is never kept. Drafts and the offline queue are encrypted in the
//! browser with a key only the user's session can fetch (`/session/draft-key`).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::auth::Auth;
use crate::error::AppResult;
use crate::state::AppState;

/// The header that lets the service worker keep a page.
pub const KEEP_HEADER: &str = "x-sprint-offline";

/// The public languages' codes, whose pages are public (no personal data).
fn is_public_lang(seg: &str) -> bool {
    domain::languages::LANGUAGES
        .iter()
        .any(|(code, _, _)| *code == seg)
}

/// Whether a page may be kept on the device for offline use, as the value of the
/// `x-sprint-offline` header: `keep` (this very page), or `shell=<url>` (this page may show
/// a person's data — a name in the front office's list, a person chosen — so the device keeps
/// instead the empty form at `<url>`, under this page's address). Public pages hold no
/// personal data; the field forms are empty forms (an inspection sheet describes a centre,
/// not a person; a case's note form names the procedure only).
pub fn offline_header(path: &str, query: Option<&str>) -> Option<String> {
    let mut parts = path.trim_start_matches('/').split('/');
    let first = parts.next().unwrap_or_default();
    if is_public_lang(first) {
        // Not the PDFs: they are large and fetched on purpose.
        return (!path.ends_with(".pdf")).then(|| "keep".to_string());
    }
    let field_form = match (
        first,
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) {
        ("front-office", None, None, None, None) => true,
        ("people", Some("new"), None, None, None) => true,
        ("minors", Some("new"), None, None, None) => true,
        ("inspections", Some(id), None, None, None) => id != "new" && !id.is_empty(),
        ("cases", Some(_), Some("notes"), Some("new"), None) => true,
        ("centres", Some(_), Some("presences"), Some("new"), None) => true,
        _ => false,
    };
    if !field_form {
        return None;
    }
    let query = query.unwrap_or_default();
    if path == "/front-office" {
        // The day's list names the people linked to contacts: only the empty form is kept.
        return Some(if query == "shell=1" {
            "keep".to_string()
        } else {
            "shell=/front-office?shell=1".to_string()
        });
    }
    Some(if query.is_empty() {
        "keep".to_string()
    } else {
        format!("shell={path}")
    })
}

/// A pseudonymous tag of the signed-in user, in every page, so the page's script knows whose
/// drafts and queue are whose without learning who it is.
pub fn user_tag(user_id: &str) -> String {
    hex::encode(&Sha256::digest(format!("sprint-owner:{user_id}").as_bytes())[..12])
}

/// `GET /sw.js`: at the root so that it may serve every page of the site.
pub async fn service_worker() -> Response {
    let Some(js) = crate::assets::file("js/sw.js") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut r = js.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    // A new release's worker must be seen at once.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

/// `GET /manifest.webmanifest`
pub async fn manifest() -> Response {
    let body = serde_json::json!({
        "name": "SPRInt – Prefettura di Roma",
        "short_name": "SPRInt",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0066cc",
        "icons": [
            {"src": crate::assets::url("icons/sprint.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"}
        ]
    });
    let mut r = body.to_string().into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/manifest+json"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    r
}

#[derive(serde::Serialize)]
pub struct DraftKey {
    tag: String,
    key: String,
}

/// `GET /session/draft-key`: the key of the signed-in user's drafts (never cached).
pub async fn draft_key(State(st): State<AppState>, auth: Auth) -> AppResult<Json<DraftKey>> {
    let key = store::auth::draft_key(&st.db, &auth.ctx.actor.id).await?;
    Ok(Json(DraftKey {
        tag: user_tag(&auth.ctx.actor.id),
        key,
    }))
}

#[cfg(test)]
mod tests {
    use super::offline_header;

    fn keep_offline(path: &str) -> bool {
        offline_header(path, None).as_deref() == Some("keep")
    }

    #[test]
    fn only_public_pages_and_empty_field_forms_are_kept_offline() {
        for p in [
            "/it/",
            "/bn/book",
            "/ar/booking/K7M2-QX9P",
            "/people/new",
            "/minors/new",
            "/inspections/0190-abc",
            "/cases/0190-abc/notes/new",
            "/centres/0190-abc/presences/new",
        ] {
            assert!(keep_offline(p), "{p}");
        }
        for p in [
            "/",
            "/people",
            "/people/0190-abc",
            "/cases/0190-abc",
            "/cases/0190-abc/notes",
            "/centres/0190-abc",
            "/minors",
            "/inbox",
            "/inspections/new",
            "/it/services/citizenship/leaflet.pdf",
            "/session/draft-key",
            "/login",
        ] {
            assert!(!keep_offline(p), "{p}");
        }
        // The front office's list may name people: only its empty form is kept.
        assert_eq!(
            offline_header("/front-office", Some("person=0190-abc")).as_deref(),
            Some("shell=/front-office?shell=1")
        );
        assert_eq!(
            offline_header("/front-office", None).as_deref(),
            Some("shell=/front-office?shell=1")
        );
        assert_eq!(
            offline_header("/front-office", Some("shell=1")).as_deref(),
            Some("keep")
        );
        assert_eq!(
            offline_header("/people/new", Some("given=Ali")).as_deref(),
            Some("shell=/people/new")
        );
    }
}
