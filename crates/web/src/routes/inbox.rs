//! One inbox per user (`/inbox`): what waits for them across the platform — access
//! requests and referrals to answer, transfers to accept, tasks, corrective actions,
//! action items, helpdesk answers, bookings — most urgent first; and its JSON twin.

use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use store::inbox::Item;

use crate::auth::Auth;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::page::{PageCtx, render, see_other};
use crate::state::AppState;

/// An item as a line of the inbox.
pub struct Line {
    pub item: Item,
    pub text: String,
    /// due-soon, overdue… (a request with a due date), for the colour and the label.
    pub state: Option<&'static str>,
}

/// The sentence that says what an item is.
pub fn describe(tr: &Tr, i: &Item) -> String {
    tr.tn(
        &format!("inbox-{}", i.kind),
        &[
            ("person", i.person_name.clone().unwrap_or_default()),
            ("from", i.from_org_name.clone().unwrap_or_default()),
            ("summary", i.summary.clone()),
        ],
    )
}

pub fn lines(tr: &Tr, items: Vec<Item>) -> Vec<Line> {
    let today = domain::clock::today();
    items
        .into_iter()
        .map(|item| Line {
            text: describe(tr, &item),
            state: item.state(today).map(|s| s.as_str()),
            item,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "inbox.html")]
pub struct InboxPage {
    pub page: PageCtx,
    pub open: Vec<Line>,
    pub done: Vec<Line>,
    pub marked: bool,
}

#[derive(serde::Deserialize, Default)]
pub struct Query {
    #[serde(default)]
    done: Option<String>,
}

pub async fn show(
    State(st): State<AppState>,
    auth: Auth,
    axum::extract::Query(q): axum::extract::Query<Query>,
) -> AppResult<Response> {
    let inbox = store::inbox::inbox(&st.db, &auth.ctx, true).await?;
    let tr = auth.info.tr;
    Ok(render(&InboxPage {
        page: auth.info.page(&tr.t("inbox-title")),
        open: lines(&tr, inbox.open),
        done: lines(&tr, inbox.done),
        marked: q.done.as_deref() == Some("marked"),
    }))
}

/// `POST /inbox/{id}/done`: a notice read.
pub async fn mark_done(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    store::inbox::mark_done(&st.db, &auth.ctx, &id).await?;
    Ok(see_other("/inbox?done=marked"))
}

/// An inbox item in the API.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ItemOut {
    id: String,
    /// What sort of item (`access_request`, `task`, `transfer_request`, …).
    kind: String,
    /// The item in words, in the caller's interface language.
    text: String,
    /// The page where the work is done.
    link: String,
    /// Addressed to the caller alone (else to a queue of their organisation).
    personal: bool,
    /// Closes by itself when its work is done (else the reader marks it read).
    request: bool,
    due_on: Option<chrono::NaiveDate>,
    created_at: String,
}

/// What waits for the caller, most urgent first.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct InboxOut {
    count: usize,
    items: Vec<ItemOut>,
}

#[utoipa::path(get, path = "/api/v1/inbox", tag = "inbox",
    responses((status = 200, description = "Open items, most urgent first", body = InboxOut)),
    security(("bearer" = [])))]
pub async fn api(State(st): State<AppState>, auth: Auth) -> AppResult<Json<InboxOut>> {
    let inbox = store::inbox::inbox(&st.db, &auth.ctx, false).await?;
    let tr = auth.info.tr;
    let items: Vec<ItemOut> = inbox
        .open
        .into_iter()
        .map(|i| ItemOut {
            text: describe(&tr, &i),
            request: i.is_request(),
            id: i.id,
            kind: i.kind,
            link: i.link,
            personal: i.personal,
            due_on: i.due_on,
            created_at: i.created_at.to_text(),
        })
        .collect();
    Ok(Json(InboxOut {
        count: items.len(),
        items,
    }))
}
