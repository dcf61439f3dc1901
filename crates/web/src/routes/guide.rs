//! The public "what do I need" guide: one plain question at a time (a GET form, so it works
//! without script and the back button works), then the person's checklist of steps and
//! documents from the service page in their language, with the notes that apply to them,
//! as a page and as a PDF. Answers stay in the address; nothing is stored.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use domain::Error;
use domain::guide::{Answers, Outcome, Question, outcome};

use super::public::{PublicCtx, public_ctx};
use super::public_pdf::{Doc, DocSection, pdf_answer, public_base};
use crate::auth::Info;
use crate::error::{AppError, AppResult};
use crate::page::{render, render_status};
use crate::public_i18n::PublicTr;
use crate::state::AppState;

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct GuideQuery {
    #[serde(flatten)]
    pub answers: Answers,
    /// The question the form was showing, to tell "not answered" from "not asked yet".
    pub step: String,
}

/// The answers as hidden fields and as a query string.
fn pairs(a: &Answers) -> Vec<(&'static str, String)> {
    [
        ("need", &a.need),
        ("permit", &a.permit),
        ("married", &a.married),
        ("passport", &a.passport),
        ("minor", &a.minor),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| (k, v.clone()))
    .collect()
}

fn query_string(a: &Answers) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs(a))
        .finish()
}

#[derive(Template)]
#[template(path = "public_guide.html")]
pub struct QuestionPage {
    pub p: PublicCtx,
    pub q: &'static Question,
    pub number: usize,
    pub kept: Vec<(&'static str, String)>,
    pub error: Option<String>,
}

/// The checklist: where the answers lead, in the reader's language where translated.
pub struct Checklist {
    pub code: &'static str,
    pub title: String,
    pub steps: Vec<String>,
    pub documents: Vec<String>,
    /// The steps and documents are in Italian (not yet translated).
    pub fallback: bool,
    pub notes: Vec<String>,
    /// A published service page exists to link to.
    pub page: bool,
}

#[derive(Template)]
#[template(path = "public_guide_result.html")]
pub struct ResultPage {
    pub p: PublicCtx,
    pub c: Checklist,
    pub query: String,
}

async fn checklist(st: &AppState, tr: &PublicTr, o: &Outcome) -> AppResult<Checklist> {
    let notes = o.notes.iter().map(|n| tr.t(n)).collect();
    if let Some(page) = store::service_texts::public_page(&st.db, o.procedure, tr.lang).await? {
        let items = |f: &str| -> Vec<String> {
            page.content
                .items(f)
                .into_iter()
                .map(str::to_string)
                .collect()
        };
        return Ok(Checklist {
            code: o.procedure,
            title: page.content.title.clone(),
            steps: items("how_to"),
            documents: items("needs"),
            fallback: page.fallback.is_some(),
            notes,
            page: true,
        });
    }
    // No page yet: the catalogue's own steps and documents, in English or Italian.
    let en = tr.lang == "en";
    let name = store::catalogue::procedures(&st.db)
        .await?
        .into_iter()
        .find(|p| p.code == o.procedure)
        .map(|p| if en { p.name_en } else { p.name_it })
        .unwrap_or_else(|| o.procedure.to_string());
    let items = store::catalogue::procedure_items(&st.db, o.procedure).await?;
    let of = |kind: &str| -> Vec<String> {
        items
            .iter()
            .filter(|i| i.kind == kind)
            .map(|i| {
                if en {
                    i.text_en.clone()
                } else {
                    i.text_it.clone()
                }
            })
            .collect()
    };
    Ok(Checklist {
        code: o.procedure,
        title: name,
        steps: of("step"),
        documents: of("document"),
        fallback: !matches!(tr.lang, "it" | "en"),
        notes,
        page: false,
    })
}

/// `GET /{lang}/guide?need=…&…`: the next question, or the checklist once all are answered.
pub async fn show(
    State(st): State<AppState>,
    Info(info): Info,
    Path(lang): Path<String>,
    Query(g): Query<GuideQuery>,
) -> AppResult<Response> {
    let mut p = public_ctx(&st, &lang, "guide-title", "/guide", &info.csrf)?;
    let a = g.answers.cleaned();
    if let Some(o) = outcome(&a) {
        let c = checklist(&st, &p.tr, &o).await?;
        p.title = p.tr.t("guide-result-title");
        p.fallback = c.fallback;
        return Ok(render(&ResultPage {
            query: query_string(&a),
            p,
            c,
        }));
    }
    let path = a.path();
    let q = a.next().unwrap_or(&domain::guide::NEED);
    let number = path.iter().position(|x| *x == q).unwrap_or(0) + 1;
    // The form was sent without a valid answer to the question it showed.
    let error = (g.step == q.field).then(|| p.tr.t("error-guide_answer_required"));
    p.fallback = false;
    let page = QuestionPage {
        kept: pairs(&a),
        p,
        q,
        number,
        error,
    };
    Ok(if page.error.is_some() {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    } else {
        render(&page)
    })
}

/// `GET /{lang}/guide/checklist.pdf?…`: the same checklist on paper, with a QR code to the
/// service page (or to the guide, when the service has no page yet).
pub async fn pdf(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(lang): Path<String>,
    Query(g): Query<GuideQuery>,
) -> AppResult<Response> {
    let tr = PublicTr::for_code(&lang).ok_or(AppError(Error::NotFound))?;
    let a = g.answers.cleaned();
    let o = outcome(&a).ok_or(AppError(Error::NotFound))?;
    let c = checklist(&st, &tr, &o).await?;
    let base = public_base(&st, &headers);
    let url = if c.page {
        format!("{base}/{}/services/{}", tr.lang, c.code)
    } else {
        format!("{base}/{}/guide", tr.lang)
    };
    let mut notices = vec![];
    if c.fallback {
        notices.push(tr.t("translation-missing"));
    }
    let mut sections = vec![];
    if !c.notes.is_empty() {
        sections.push(DocSection {
            heading: tr.t("guide-extra-title"),
            text: String::new(),
            items: c.notes.clone(),
            kind: "list".into(),
            own: true,
        });
    }
    for (heading, items) in [("guide-steps", &c.steps), ("guide-documents", &c.documents)] {
        if !items.is_empty() {
            sections.push(DocSection {
                heading: tr.t(heading),
                text: String::new(),
                items: items.clone(),
                kind: "checks".into(),
                own: false,
            });
        }
    }
    let doc = Doc {
        kicker: tr.t("guide-result-title"),
        title: c.title.clone(),
        summary: String::new(),
        content_lang: if c.fallback { "it" } else { tr.lang }.to_string(),
        notices,
        sections,
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
        url,
    };
    let key = format!("guide|{}|{}|{}", tr.lang, query_string(&a), doc.url);
    // The key holds the answers but not the page's text: a republished page would keep the
    // old checklist for the rest of the day, so the text's digest goes in too.
    let digest = store::service_texts::Content {
        title: c.title.clone(),
        how_to: c.steps.join("\n"),
        needs: c.documents.join("\n"),
        ..Default::default()
    }
    .hash();
    pdf_answer(
        &st,
        format!("{key}|{digest}"),
        tr.lang,
        doc,
        &format!("checklist-{}.pdf", tr.lang),
    )
    .await
}
