//! The duplicate queue (`/people/duplicates`): pairs of records that may be the same
//! person, where the reader's organisation owns a side. From here one merges one's own
//! records, asks the other owner to merge or to hand their record over, answers such a
//! request, or settles a pair as two people.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use domain::account::Scope;
use domain::policy::Permission;
use serde::Deserialize;
use store::duplicates::Pair;

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::forms::{Done, FormErrors, error_status};
use crate::page::{PageCtx, render, render_status, see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "duplicates.html")]
pub struct QueuePage {
    pub page: PageCtx,
    pub pairs: Vec<Pair>,
    pub org: Option<String>,
    /// The reader's grant reaches the whole programme: they merge across organisations.
    pub all: bool,
    pub errors: FormErrors,
    pub failed: Option<String>,
    pub done: Option<String>,
}

impl QueuePage {
    pub fn reasons(&self, p: &Pair) -> String {
        p.reasons
            .iter()
            .map(|r| self.page.t(&format!("match-{r}")))
            .collect::<Vec<_>>()
            .join("; ")
    }
    /// The reader may merge the pair here and now.
    pub fn can_merge(&self, p: &Pair) -> bool {
        self.all || p.same_owner()
    }
    /// The reader's organisation was asked to merge, and answers.
    pub fn answers(&self, p: &Pair) -> bool {
        p.status == "merge_requested"
            && p.asked_org_id.as_deref() != self.org.as_deref()
            && p.mine(self.org.as_deref()).is_some()
    }
    pub fn asked(&self, p: &Pair) -> bool {
        p.status == "merge_requested" && p.asked_org_id.as_deref() == self.org.as_deref()
    }
    pub fn sides<'a>(&self, p: &'a Pair) -> [&'a store::people::Summary; 2] {
        [&p.new, &p.old]
    }
    pub fn org_str(&self) -> Option<&str> {
        self.org.as_deref()
    }
}

async fn queue_page(
    st: &AppState,
    auth: &Auth,
    errors: FormErrors,
    failed: Option<String>,
    done: Option<String>,
) -> AppResult<QueuePage> {
    let pairs = store::duplicates::queue(&st.db, &auth.ctx).await?;
    Ok(QueuePage {
        page: auth.info.page(&auth.info.tr.t("duplicates-title")),
        pairs,
        org: auth.ctx.actor.org_id.clone(),
        all: auth.ctx.actor.scope_for(Permission::EditPeople) == Some(Scope::All),
        errors,
        failed,
        done,
    })
}

pub async fn show(
    State(st): State<AppState>,
    auth: Auth,
    axum::extract::Query(d): axum::extract::Query<Done>,
) -> AppResult<Response> {
    let done = d.message(
        &auth.info.tr,
        "done-pair",
        &["merged", "asked", "distinct", "accepted", "refused"],
    );
    let page = queue_page(&st, &auth, FormErrors::default(), None, done).await?;
    Ok(render(&page))
}

#[derive(Deserialize, Default)]
pub struct PairForm {
    #[serde(default)]
    version: i32,
    #[serde(default)]
    keep: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    answer: String,
}

async fn after(
    st: AppState,
    auth: Auth,
    id: String,
    r: domain::Result<()>,
    done: &str,
) -> AppResult<Response> {
    match r {
        Ok(()) => Ok(see_other(&format!("/people/duplicates?done={done}"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let status = error_status(&e);
                let page = queue_page(&st, &auth, errors, Some(id), None).await?;
                Ok(render_status(status, &page))
            }
            None => Err(AppError(e)),
        },
    }
}

pub async fn merge(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<PairForm>,
) -> AppResult<Response> {
    let r = store::duplicates::merge_now(&st.db, &auth.ctx, &id, &f.keep, &f.reason)
        .await
        .map(|_| ());
    after(st, auth, id, r, "merged").await
}

pub async fn ask(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<PairForm>,
) -> AppResult<Response> {
    let r = store::duplicates::ask_merge(&st.db, &auth.ctx, &id, f.version, &f.keep, &f.note).await;
    after(st, auth, id, r, "asked").await
}

pub async fn answer(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<PairForm>,
) -> AppResult<Response> {
    let accept = f.answer == "accept";
    let r =
        store::duplicates::answer_merge(&st.db, &auth.ctx, &id, f.version, accept, &f.reason).await;
    after(st, auth, id, r, if accept { "accepted" } else { "refused" }).await
}

pub async fn distinct(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(f): Form<PairForm>,
) -> AppResult<Response> {
    let r = store::duplicates::distinct(&st.db, &auth.ctx, &id, f.version, &f.reason).await;
    after(st, auth, id, r, "distinct").await
}
