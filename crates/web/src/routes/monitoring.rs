//! The monitoring office's overview: the risk-ranked planning of next month's inspections,
//! the map of centres, the figures for analysts, and what a centre logs between visits
//! (critical events, complaints, legal-support consultations).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::Datelike;
use domain::monitoring::Reason;
use domain::policy::Permission;
use store::centre_log::{ConsultationInput, EventInput};
use store::risk::{Figures, Ranked};

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::forms::{FormErrors, Kept};
use crate::i18n::Tr;
use crate::page::{PageCtx, render, render_status, see_other};
use crate::state::AppState;

/// How many inspections the office proposes for a month (the top of the ranking).
const PER_MONTH: usize = 4;

#[derive(Template)]
#[template(path = "planning.html")]
pub struct PlanningPage {
    pub page: PageCtx,
    pub ranked: Vec<Ranked>,
    pub month: String,
    /// The first day of next month, proposed as the date of each visit.
    pub first_day: String,
    pub per_month: usize,
}

impl PlanningPage {
    pub fn reasons(&self, r: &Ranked) -> Vec<(String, i64)> {
        reasons(&self.page.tr, &r.risk.reasons)
    }
}

/// Each reason of a risk score as a sentence, with its points.
pub fn reasons(tr: &Tr, rs: &[(Reason, i64)]) -> Vec<(String, i64)> {
    rs.iter()
        .map(|(r, p)| {
            let text = match r {
                Reason::NeverInspected => tr.t("risk-never-inspected"),
                Reason::MonthsSinceInspection(m) => {
                    tr.t1("risk-months-since", "months", m.to_string())
                }
                Reason::OpenFindings {
                    critical,
                    major,
                    minor,
                } => format!(
                    "{}: {} {}, {} {}, {} {}",
                    tr.t("risk-open-findings"),
                    critical,
                    tr.t("severity-critical"),
                    major,
                    tr.t("severity-major"),
                    minor,
                    tr.t("severity-minor")
                ),
                Reason::OverdueActions(n) => tr.t1("risk-overdue", "count", n.to_string()),
                Reason::OverCapacity(p) => tr.t1("risk-over-capacity", "percent", p.to_string()),
                Reason::CriticalEvents(n) => tr.t1("risk-critical-events", "count", n.to_string()),
                Reason::Complaints(n) => tr.t1("risk-complaints", "count", n.to_string()),
            };
            (text, *p)
        })
        .collect()
}

/// `GET /monitoring/planning`
pub async fn planning(State(st): State<AppState>, auth: Auth) -> AppResult<Response> {
    let ranked = store::risk::ranking(&st.db, &auth.ctx).await?;
    let today = domain::clock::today();
    let (y, m) = if today.month() == 12 {
        (today.year() + 1, 1)
    } else {
        (today.year(), today.month() + 1)
    };
    let first = chrono::NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(today);
    Ok(render(&PlanningPage {
        page: auth.info.page(&auth.info.tr.t("planning-title")),
        ranked,
        month: first.format("%Y-%m").to_string(),
        first_day: first.to_string(),
        per_month: PER_MONTH,
    }))
}

#[derive(Template)]
#[template(path = "figures.html")]
pub struct FiguresPage {
    pub page: PageCtx,
    pub f: Figures,
}

impl FiguresPage {
    pub fn avg(&self) -> String {
        self.f
            .average_score_12m
            .map(store::inspections::percent)
            .unwrap_or_else(|| "—".into())
    }
    pub fn penalties(&self) -> String {
        let c = self.f.penalties_12m_cents;
        format!("{},{:02} €", c / 100, c % 100)
    }
}

/// `GET /monitoring/figures`
pub async fn figures(State(st): State<AppState>, auth: Auth) -> AppResult<Response> {
    let f = store::risk::figures(&st.db, &auth.ctx).await?;
    Ok(render(&FiguresPage {
        page: auth.info.page(&auth.info.tr.t("figures-title")),
        f,
    }))
}

#[derive(Template)]
#[template(path = "centres_map.html")]
pub struct MapPage {
    pub page: PageCtx,
    pub svg: String,
    pub tiles: bool,
    pub centres: Vec<store::centres::Centre>,
    pub unplaced: usize,
}

/// `GET /centres/map`: the centres the actor sees, over the configured tiles if any.
pub async fn map(
    State(st): State<AppState>,
    auth: Auth,
    Query(f): Query<store::centres::Filter>,
) -> AppResult<Response> {
    let centres = store::centres::list(&st.db, &auth.ctx, &f).await?;
    let pins: Vec<crate::svg::Pin> = centres
        .iter()
        .filter_map(|c| {
            Some(crate::svg::Pin {
                lat: c.lat?,
                lon: c.lon?,
                label: &c.name,
                href: format!("/centres/{}", c.id),
                alert: c.occupancy_percent().is_some_and(|p| p > 100),
            })
        })
        .collect();
    let unplaced = centres.len() - pins.len();
    let tiles = st.cfg.tile_origin().map(|_| st.cfg.map_tiles.as_str());
    let svg = crate::svg::map(&pins, tiles, &auth.info.tr.t("map-title"));
    drop(pins);
    Ok(render(&MapPage {
        page: auth.info.page(&auth.info.tr.t("map-title")),
        tiles: tiles.is_some(),
        svg,
        centres,
        unplaced,
    }))
}

/// `POST /centres/{id}/events`
pub async fn log_event(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(i): Form<EventInput>,
) -> AppResult<Response> {
    match store::centre_log::log_event(&st.db, &auth.ctx, &id, &i).await {
        Ok(_) => Ok(see_other(&format!("/centres/{id}?done=event#events"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let kept = Kept(vec![
                    ("ev_kind", i.kind),
                    ("category", i.category),
                    ("occurred_on", i.occurred_on),
                    ("description", i.description),
                ]);
                let p = super::centres::centre_page(&st, &auth, &id, errors, kept, false).await?;
                Ok(render_status(
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    &p,
                ))
            }
            None => Err(AppError(e)),
        },
    }
}

/// `POST /centres/{id}/consultations`
pub async fn consultation(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(i): Form<ConsultationInput>,
) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::RecordLegalSupport)?;
    match store::centre_log::record_consultation(&st.db, &auth.ctx, &id, &i).await {
        Ok(_) => Ok(see_other(&format!("/centres/{id}?done=consultation#legal"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let kept = Kept(vec![
                    ("held_on", i.held_on),
                    ("topic", i.topic),
                    ("language", i.language),
                    ("notes", i.notes),
                ]);
                let p = super::centres::centre_page(&st, &auth, &id, errors, kept, false).await?;
                Ok(render_status(
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    &p,
                ))
            }
            None => Err(AppError(e)),
        },
    }
}
