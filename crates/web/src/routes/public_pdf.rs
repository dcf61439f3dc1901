//! The public PDFs (a service's leaflet, the guide's checklist): one typst template, a QR
//! code to the page in the reader's language, and a cache, since the same page in the same
//! language on the same day always gives the same bytes.

use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use domain::Error;

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The leaflet and checklist template (A4, a QR code in the corner, sections in order).
pub const TEMPLATE: &str = include_str!("../../pdf/leaflet.typ");

/// What the template prints; every string is placed as text, never as markup.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Doc {
    /// The small line above the title (the category).
    pub kicker: String,
    pub title: String,
    pub summary: String,
    /// The language the content is written in (Italian under a notice, or the reader's).
    pub content_lang: String,
    pub notices: Vec<String>,
    pub sections: Vec<DocSection>,
    /// Where the QR code leads.
    pub url: String,
    pub scan: String,
    pub footer: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct DocSection {
    pub heading: String,
    pub text: String,
    pub items: Vec<String>,
    /// `list`, `steps` (numbered) or `checks` (a box to tick before each item).
    pub kind: String,
    /// Written in the reader's language even when the content around it is Italian.
    pub own: bool,
}

/// The platform's public address: the configured one, or the request's own (its Host, if
/// it is a plain host name), so a QR code printed at the desk leads where the page came from.
pub fn public_base(st: &AppState, headers: &HeaderMap) -> String {
    if !st.cfg.public_url.is_empty() {
        return st.cfg.public_url.clone();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    let scheme = if st.cfg.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// Typesets `doc` in `lang` (or takes it from the cache under `key`).
pub async fn pdf_bytes(
    st: &AppState,
    key: String,
    lang: &str,
    doc: Doc,
) -> AppResult<Arc<Vec<u8>>> {
    let today = domain::clock::today();
    let key = format!("{key}|{today}");
    if let Some(pdf) = st.pdfs.lock().ok().and_then(|mut c| c.get(&key).cloned()) {
        return Ok(pdf);
    }
    let data = serde_json::to_value(&doc).map_err(|e| AppError(Error::internal(e)))?;
    let qr = print::qr_svg(&doc.url).map_err(|e| AppError(Error::internal(e)))?;
    let opts = print::Options::new(lang, today);
    // Typesetting takes a fraction of a second of CPU: keep it off the async workers.
    let pdf = tokio::task::spawn_blocking(move || {
        print::render(TEMPLATE, &data, &[("qr.svg", qr.into_bytes())], &opts)
    })
    .await
    .map_err(|e| AppError(Error::internal(e)))?
    .map_err(|e| AppError(Error::internal(e)))?;
    let pdf = Arc::new(pdf);
    if let Ok(mut c) = st.pdfs.lock() {
        c.put(key, pdf.clone());
    }
    Ok(pdf)
}

/// The PDF as a download anyone may keep: it holds only published, public text.
pub async fn pdf_answer(
    st: &AppState,
    key: String,
    lang: &str,
    doc: Doc,
    filename: &str,
) -> AppResult<Response> {
    let pdf = pdf_bytes(st, key, lang, doc).await?;
    let mut r = Response::new(axum::body::Body::from(pdf.as_ref().clone()));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        super::case_records::attachment(filename),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    r.extensions_mut().insert(crate::error::Rendered);
    Ok(r)
}
