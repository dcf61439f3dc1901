//! The public pages, without login, in every language of the programme: the language is the
//! first segment of the address (`/bn/info-points`), right-to-left scripts get `dir="rtl"`.
//! Content written in Italian and English only (the catalogue's names, an info point's
//! description) falls back to Italian, with a notice in the reader's language.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::Error;
use store::info_points::{Filter, InfoPoint};

use crate::auth::Info;
use crate::error::{AppError, AppResult};
use crate::page::render;
use crate::public_i18n::PublicTr;
use crate::state::AppState;

/// What every public page needs.
pub struct PublicCtx {
    pub tr: PublicTr,
    pub title: String,
    /// The address after the language (`/info-points`), for the language links.
    pub rest: String,
    pub langs: &'static [(&'static str, &'static str, bool)],
    pub demo: bool,
    /// The content is shown in Italian because it is not written in this language.
    pub fallback: bool,
    /// The form token of the visitor's (anonymous) session.
    pub csrf: String,
}

impl PublicCtx {
    /// A fresh idempotency key for a form (the page's script replaces it when the page
    /// comes from the offline cache, so two submissions never share one).
    pub fn new_idem(&self) -> String {
        store::random_token(16)
    }
}

pub(crate) fn public_ctx(
    st: &AppState,
    code: &str,
    title_id: &str,
    rest: &str,
    csrf: &str,
) -> Result<PublicCtx, AppError> {
    let tr = PublicTr::for_code(code).ok_or(AppError(Error::NotFound))?;
    Ok(PublicCtx {
        csrf: csrf.to_string(),
        title: tr.t(title_id),
        rest: rest.to_string(),
        langs: domain::languages::LANGUAGES,
        demo: st.cfg.demo,
        fallback: !matches!(tr.lang, "it" | "en"),
        tr,
    })
}

#[derive(Template)]
#[template(path = "public_home.html")]
pub struct HomePage {
    pub p: PublicCtx,
    /// Published service pages by category.
    pub groups: Vec<(String, Vec<store::service_texts::Listed>)>,
}

/// The name of a code in a list of (code, name) pairs (the catalogue's procedures), or the
/// code itself when it is not there.
pub(crate) fn name_in(list: &[(String, String)], code: &str) -> String {
    list.iter()
        .find(|s| s.0 == code)
        .map(|s| s.1.clone())
        .unwrap_or_else(|| code.to_string())
}

pub(crate) async fn services(st: &AppState, tr: &PublicTr) -> AppResult<Vec<(String, String)>> {
    Ok(store::catalogue::procedures(&st.db)
        .await?
        .into_iter()
        .map(|p| {
            let name = if tr.lang == "en" {
                p.name_en.clone()
            } else {
                p.name_it.clone()
            };
            (p.code, name)
        })
        .collect())
}

/// `GET /{lang}/`
pub async fn home(
    State(st): State<AppState>,
    Info(info): Info,
    Path(lang): Path<String>,
) -> AppResult<Response> {
    let p = public_ctx(&st, &lang, "home-title", "/", &info.csrf)?;
    let list = store::service_texts::published(&st.db, p.tr.lang).await?;
    let groups = super::services::grouped(&p.tr, list);
    Ok(render(&HomePage { p, groups }))
}

#[derive(Template)]
#[template(path = "public_info_points.html")]
pub struct InfoPointsPage {
    pub p: PublicCtx,
    pub points: Vec<InfoPoint>,
    pub places: Vec<String>,
    pub f: Filter,
    pub services: Vec<(String, String)>,
}

impl InfoPointsPage {
    /// A phone number as a `tel:` link wants it: no spaces.
    pub fn tel(&self, number: &str) -> String {
        number.chars().filter(|c| !c.is_whitespace()).collect()
    }
    pub fn english(&self) -> bool {
        self.p.tr.lang == "en"
    }
    pub fn autonym(&self, code: &str) -> &'static str {
        domain::languages::autonym(code)
    }
    pub fn service_name(&self, code: &str) -> String {
        name_in(&self.services, code)
    }
}

/// `GET /{lang}/info-points?place=…&language=…`
pub async fn info_points(
    State(st): State<AppState>,
    Info(info): Info,
    Path(lang): Path<String>,
    Query(f): Query<Filter>,
) -> AppResult<Response> {
    let p = public_ctx(&st, &lang, "info-points-title", "/info-points", &info.csrf)?;
    let services = services(&st, &p.tr).await?;
    Ok(render(&InfoPointsPage {
        points: store::info_points::list(&st.db, &f).await?,
        places: store::info_points::places(&st.db).await?,
        services,
        p,
        f,
    }))
}
