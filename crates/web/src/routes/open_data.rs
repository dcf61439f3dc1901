//! Open data: the programme's aggregate figures for everyone, as a page and as CSV files,
//! with every count under 5 and whatever would reveal one suppressed
//! (`store::reports::open_tables`). In Italian and English, the languages of the
//! national open-data portals; the other languages' addresses lead to the English page.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use domain::Error;
use domain::account::UiLang;

use super::public::{PublicCtx, public_ctx};
use crate::auth::Info;
use crate::error::AppResult;
use crate::export::{Cell, Sheet};
use crate::i18n::Tr;
use crate::page::{render, see_other};
use crate::state::AppState;

const LANGS: &[(&str, &str, bool)] = &[("it", "Italiano", false), ("en", "English", false)];

/// A published table as the page shows it.
pub struct TableView {
    pub code: String,
    pub title: String,
    pub dim_label: String,
    pub rows: Vec<(String, String)>,
    pub total: String,
}

#[derive(Template)]
#[template(path = "open_data.html")]
pub struct OpenDataPage {
    pub p: PublicCtx,
    pub t: Tr,
    pub as_of: Option<String>,
    pub tables: Vec<TableView>,
}

fn ui(lang: &str) -> Option<UiLang> {
    match lang {
        "it" => Some(UiLang::It),
        "en" => Some(UiLang::En),
        _ => None,
    }
}

fn shown(v: Option<i64>) -> String {
    v.map_or_else(|| "—".to_string(), |n| n.to_string())
}

async fn tables(
    st: &AppState,
    tr: &Tr,
    lang: &str,
) -> AppResult<(Option<String>, Vec<(String, Sheet, TableView)>)> {
    let (run, list) = store::reports::open_tables(&st.db).await?;
    let labels: std::collections::HashMap<String, String> =
        store::reports::indicators(&st.db, domain::clock::today())
            .await?
            .into_iter()
            .map(|i| (i.code.clone(), i.label(lang).to_string()))
            .collect();
    let mut out = vec![];
    for t in list {
        let dim_label = if t.dim == "month" {
            tr.t("report-month")
        } else {
            tr.t(&format!("open-data-{}", t.dim))
        };
        let title = format!(
            "{} — {}",
            labels.get(&t.indicator).cloned().unwrap_or_default(),
            tr.t(&format!(
                "report-by-{}",
                if t.dim == "month" { "month" } else { &t.dim }
            ))
        );
        let label = |v: &str| {
            if v.is_empty() {
                tr.t("report-unknown")
            } else if t.dim == "sex" {
                tr.t(&format!("sex-{v}"))
            } else {
                v.to_string()
            }
        };
        let mut sheet = Sheet {
            name: t.code.clone(),
            columns: vec![t.dim.clone(), "count".into()],
            rows: vec![],
        };
        for (v, n) in &t.rows {
            sheet.rows.push(vec![
                Cell::Text(v.clone()),
                n.map_or(Cell::Empty, Cell::Int),
            ]);
        }
        sheet.rows.push(vec![
            Cell::Text("total".into()),
            t.total.map_or(Cell::Empty, Cell::Int),
        ]);
        let view = TableView {
            code: t.code.clone(),
            title,
            dim_label,
            rows: t.rows.iter().map(|(v, n)| (label(v), shown(*n))).collect(),
            total: shown(t.total),
        };
        out.push((t.code, sheet, view));
    }
    let as_of = run.and_then(|r| r.finished_at).map(|t| {
        domain::clock::rome(t.0)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    });
    Ok((as_of, out))
}

/// `GET /{lang}/open-data`
pub async fn page(
    State(st): State<AppState>,
    Info(info): Info,
    Path(lang): Path<String>,
) -> AppResult<Response> {
    let Some(ui_lang) = ui(&lang) else {
        if crate::public_i18n::PublicTr::for_code(&lang).is_some() {
            return Ok(see_other("/en/open-data"));
        }
        return Err(Error::NotFound.into());
    };
    let tr = Tr::new(ui_lang);
    let mut p = public_ctx(&st, &lang, "site-name", "/open-data", &info.csrf)?;
    p.title = tr.t("open-data-title");
    p.langs = LANGS;
    p.fallback = false;
    let (as_of, list) = tables(&st, &tr, &lang).await?;
    Ok(render(&OpenDataPage {
        p,
        t: tr,
        as_of,
        tables: list.into_iter().map(|(_, _, v)| v).collect(),
    }))
}

/// `GET /open-data/{table}.csv`: one table, codes rather than words (`sex` is `female`,
/// nationalities are ISO 3166 codes), an empty count where it is suppressed.
pub async fn csv(State(st): State<AppState>, Path(file): Path<String>) -> AppResult<Response> {
    let code = file.strip_suffix(".csv").ok_or(Error::NotFound)?;
    let tr = Tr::new(UiLang::En);
    let (_, list) = tables(&st, &tr, "en").await?;
    let (_, sheet, _) = list
        .into_iter()
        .find(|(c, _, _)| c == code)
        .ok_or(Error::NotFound)?;
    let bytes = crate::export::csv(&sheet).map_err(|e| Error::Internal(format!("csv: {e}")))?;
    let mut res = super::reports::file(bytes, "text/csv; charset=utf-8", &format!("{code}.csv"));
    // Public, aggregate and suppressed: caches may keep it for a while.
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("public, max-age=600"),
    );
    Ok(res)
}
