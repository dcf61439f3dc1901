//! Absconding reports and a minor's return, the steps at 18, and the hub's daily register.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use store::minor_events::{AgeOfMajorityInput, RegisterLine};

use super::minors::after;
use crate::auth::Auth;
use crate::error::AppResult;
use crate::forms::Kept;
use crate::page::{PageCtx, render};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct ReportsForm {
    #[serde(default)]
    police_report_on: String,
    #[serde(default)]
    court_report_on: String,
    #[serde(default)]
    version: i32,
}

/// `POST /minors/{id}/reports`
pub async fn reports(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<ReportsForm>,
) -> AppResult<Response> {
    let r = store::minor_events::record_reports(
        &st.db,
        &auth.ctx,
        &id,
        &f.police_report_on,
        &f.court_report_on,
        f.version,
    )
    .await;
    let kept = Kept(vec![
        ("police_report_on", f.police_report_on),
        ("court_report_on", f.court_report_on),
    ]);
    after(&st, &auth, &id, r, "reports", kept).await
}

#[derive(Deserialize)]
pub struct ReturnForm {
    #[serde(default)]
    returned_at: String,
    #[serde(default)]
    version: i32,
}

/// `POST /minors/{id}/return`
pub async fn back(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<ReturnForm>,
) -> AppResult<Response> {
    let r =
        store::minor_events::return_to_hub(&st.db, &auth.ctx, &id, &f.returned_at, f.version).await;
    after(
        &st,
        &auth,
        &id,
        r,
        "returned",
        Kept(vec![("returned_at", f.returned_at)]),
    )
    .await
}

/// `POST /minors/{id}/majority`
pub async fn majority(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<AgeOfMajorityInput>,
) -> AppResult<Response> {
    let r = store::minor_events::record_age_of_majority(&st.db, &auth.ctx, &id, &f).await;
    let kept = Kept(vec![
        (
            "continued_support_requested_on",
            f.continued_support_requested_on,
        ),
        ("continued_support_decision", f.continued_support_decision),
        ("labour_opinion_requested_on", f.labour_opinion_requested_on),
        ("permit_conversion_on", f.permit_conversion_on),
    ]);
    after(&st, &auth, &id, r, "majority", kept).await
}

#[derive(Template)]
#[template(path = "minor_register.html")]
pub struct RegisterPage {
    pub page: PageCtx,
    pub day: String,
    pub lines: Vec<RegisterLine>,
    pub present: i64,
    pub invalid_day: bool,
}

#[derive(Deserialize, Default)]
pub struct DayQ {
    #[serde(default)]
    day: Option<String>,
}

/// `GET /minors/register?day=YYYY-MM-DD` (today by default)
pub async fn register(
    State(st): State<AppState>,
    auth: Auth,
    Query(q): Query<DayQ>,
) -> AppResult<Response> {
    let today = domain::clock::today();
    let typed = q.day.unwrap_or_default();
    let parsed = chrono::NaiveDate::parse_from_str(typed.trim(), "%Y-%m-%d").ok();
    let day = parsed.unwrap_or(today);
    let (lines, present) = store::minor_events::daily_register(&st.db, &auth.ctx, day).await?;
    Ok(render(&RegisterPage {
        page: auth.info.page(&auth.info.tr.t("register-title")),
        day: day.to_string(),
        lines,
        present,
        invalid_day: !typed.trim().is_empty() && parsed.is_none(),
    }))
}

#[derive(Template)]
#[template(path = "minor_counts.html")]
pub struct CountsPage {
    pub page: PageCtx,
    pub c: store::minors::MinorCounts,
}

/// `GET /minors/counts`: the figures for those who see aggregates only.
pub async fn counts(State(st): State<AppState>, auth: Auth) -> AppResult<Response> {
    let c = store::minors::counts(&st.db, &auth.ctx).await?;
    Ok(render(&CountsPage {
        page: auth.info.page(&auth.info.tr.t("counts-title")),
        c,
    }))
}
