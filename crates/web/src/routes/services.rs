//! The public service pages (one per procedure of the catalogue, in the sections and order
//! of the Designers Italia service page, with schema.org `GovernmentService` data), the list
//! of services, and each page's leaflet as a PDF with a QR code back to the page.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use domain::Error;
use serde_json::json;
use store::service_texts::{Fallback, LIST_SECTIONS, Listed, PublicPage, SECTIONS};

use super::public::{PublicCtx, public_ctx};
use super::public_pdf::{Doc, DocSection, pdf_answer, public_base};
use crate::auth::Info;
use crate::error::{AppError, AppResult};
use crate::page::render;
use crate::public_i18n::PublicTr;
use crate::state::AppState;

/// The message id of a section's heading.
pub(crate) fn section_heading(field: &str) -> String {
    format!("section-{}", field.replace("how_to", "how"))
}

/// One section of a service page as shown.
pub struct Shown {
    pub id: &'static str,
    pub heading: String,
    pub text: String,
    pub items: Vec<String>,
    pub numbered: bool,
}

fn shown_sections(tr: &PublicTr, page: &PublicPage) -> Vec<Shown> {
    SECTIONS
        .iter()
        .filter(|f| !page.content.get(f).is_empty())
        .map(|f| {
            let list = LIST_SECTIONS.contains(f);
            Shown {
                id: f,
                heading: tr.t(&section_heading(f)),
                text: if list {
                    String::new()
                } else {
                    page.content.get(f).to_string()
                },
                items: if list {
                    page.content
                        .items(f)
                        .into_iter()
                        .map(str::to_string)
                        .collect()
                } else {
                    vec![]
                },
                numbered: *f == "how_to",
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "public_services.html")]
pub struct ServicesPage {
    pub p: PublicCtx,
    /// Category heading and its services.
    pub groups: Vec<(String, Vec<Listed>)>,
}

/// Published services grouped by category, in catalogue order.
pub(crate) fn grouped(tr: &PublicTr, list: Vec<Listed>) -> Vec<(String, Vec<Listed>)> {
    let mut groups: Vec<(String, Vec<Listed>)> = vec![];
    for s in list {
        let heading = tr.t(&format!("category-{}", s.category));
        match groups.last_mut() {
            Some((h, v)) if *h == heading => v.push(s),
            _ => groups.push((heading, vec![s])),
        }
    }
    groups
}

/// `GET /{lang}/services`
pub async fn list(
    State(st): State<AppState>,
    Info(info): Info,
    Path(lang): Path<String>,
) -> AppResult<Response> {
    let p = public_ctx(&st, &lang, "services-title", "/services", &info.csrf)?;
    let list = store::service_texts::published(&st.db, p.tr.lang).await?;
    let groups = grouped(&p.tr, list);
    Ok(render(&ServicesPage { p, groups }))
}

#[derive(Template)]
#[template(path = "public_service.html")]
pub struct ServicePage {
    pub p: PublicCtx,
    pub page: PublicPage,
    pub sections: Vec<Shown>,
    pub notice: Option<String>,
    pub category: String,
    /// schema.org JSON-LD, already safe inside a `<script>` element.
    pub jsonld: String,
    pub updated: String,
}

impl ServicePage {
    /// Attributes for the content when it is not in the page's language.
    pub fn content_lang(&self) -> &str {
        &self.page.lang
    }
}

/// JSON placed in an HTML `<script>` element: `<`, `>` and `&` escaped as JSON escapes, so
/// no text in it can close the element.
fn script_safe(v: &serde_json::Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn jsonld(page: &PublicPage, category: &str, url: &str) -> String {
    let c = &page.content;
    script_safe(&json!({
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "name": c.title,
        "description": c.summary,
        "serviceType": category,
        "url": url,
        "inLanguage": page.lang,
        "isAccessibleForFree": true,
        "dateModified": domain::clock::rome(page.updated_at.0).format("%Y-%m-%d").to_string(),
        "audience": {"@type": "Audience", "audienceType": c.audience},
        "provider": {"@type": "GovernmentOrganization", "name": "Prefettura di Roma"},
        "areaServed": {"@type": "City", "name": "Roma"},
        "availableChannel": {
            "@type": "ServiceChannel",
            "serviceUrl": url,
            "availableLanguage": page.lang,
        },
    }))
}

async fn load(st: &AppState, lang: &str, code: &str) -> AppResult<(PublicTr, PublicPage)> {
    let tr = PublicTr::for_code(lang).ok_or(AppError(Error::NotFound))?;
    let page = store::service_texts::public_page(&st.db, code, tr.lang)
        .await?
        .ok_or(AppError(Error::NotFound))?;
    Ok((tr, page))
}

fn notice(tr: &PublicTr, page: &PublicPage) -> Option<String> {
    page.fallback.map(|f| {
        tr.t(match f {
            Fallback::Missing => "translation-missing",
            Fallback::Outdated => "translation-outdated",
        })
    })
}

/// `GET /{lang}/services/{code}`
pub async fn show(
    State(st): State<AppState>,
    Info(info): Info,
    headers: HeaderMap,
    Path((lang, code)): Path<(String, String)>,
) -> AppResult<Response> {
    let (_, page) = load(&st, &lang, &code).await?;
    let rest = format!("/services/{code}");
    let mut p = public_ctx(&st, &lang, "services-title", &rest, &info.csrf)?;
    p.title = page.content.title.clone();
    p.fallback = page.fallback.is_some();
    let category = p.tr.t(&format!("category-{}", page.category));
    let url = format!("{}/{}{rest}", public_base(&st, &headers), p.tr.lang);
    Ok(render(&ServicePage {
        sections: shown_sections(&p.tr, &page),
        notice: notice(&p.tr, &page),
        jsonld: jsonld(&page, &category, &url),
        updated: p.tr.t1(
            "updated-on",
            "date",
            domain::clock::rome(page.updated_at.0)
                .format("%d/%m/%Y")
                .to_string(),
        ),
        category,
        page,
        p,
    }))
}

/// `GET /{lang}/services/{code}/leaflet.pdf`: the page on paper, in the same language (or
/// Italian with the notice), with a QR code to the page.
pub async fn leaflet(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((lang, code)): Path<(String, String)>,
) -> AppResult<Response> {
    let (tr, page) = load(&st, &lang, &code).await?;
    let url = format!("{}/{}/services/{code}", public_base(&st, &headers), tr.lang);
    let doc = leaflet_doc(&tr, &page, &url);
    let key = format!("leaflet|{code}|{}|{}|{url}", tr.lang, page.content.hash());
    pdf_answer(&st, key, tr.lang, doc, &format!("{code}-{}.pdf", tr.lang)).await
}

/// What a leaflet says: the page's sections in order, the notices, the QR caption.
pub fn leaflet_doc(tr: &PublicTr, page: &PublicPage, url: &str) -> Doc {
    let mut notices = vec![];
    if let Some(n) = notice(tr, page) {
        notices.push(n);
    }
    if page.demo {
        notices.push(tr.t("demo-content"));
    }
    Doc {
        kicker: tr.t(&format!("category-{}", page.category)),
        title: page.content.title.clone(),
        summary: page.content.summary.clone(),
        content_lang: page.lang.clone(),
        notices,
        sections: shown_sections(tr, page)
            .into_iter()
            .map(|s| DocSection {
                heading: s.heading,
                text: s.text,
                items: s.items,
                kind: if s.numbered { "steps" } else { "list" }.into(),
                own: false,
            })
            .collect(),
        url: url.to_string(),
        scan: tr.t("leaflet-scan"),
        footer: format!(
            "{} · {}",
            tr.t("site-name"),
            tr.t1(
                "printed-on",
                "date",
                domain::clock::today().format("%d/%m/%Y").to_string()
            )
        ),
    }
}
