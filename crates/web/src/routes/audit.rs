//! The audit log page for administrators: newest first, filtered, paged back by sequence.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use store::audit::{Filter, Listed};

use crate::auth::Auth;
use crate::error::AppResult;
use crate::forms::FormErrors;
use crate::page::{PageCtx, render, render_status};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub page: PageCtx,
    pub f: Filter,
    pub rows: Vec<Listed>,
    pub older: Option<String>,
    pub errors: FormErrors,
}

pub async fn list(
    State(st): State<AppState>,
    auth: Auth,
    Query(f): Query<Filter>,
) -> AppResult<Response> {
    let tr = auth.info.tr;
    match store::audit::list(&st.db, &auth.ctx, &f).await {
        Ok(rows) => {
            let older = (rows.len() == 100).then(|| {
                let last = rows.last().map(|r| r.seq).unwrap_or(0);
                let q = form_urlencoded::Serializer::new(String::new())
                    .append_pair("actor", &f.actor)
                    .append_pair("action", &f.action)
                    .append_pair("object_type", &f.object_type)
                    .append_pair("object_id", &f.object_id)
                    .append_pair("from", &f.from)
                    .append_pair("to", &f.to)
                    .append_pair("before", &last.to_string())
                    .finish();
                format!("/admin/audit?{q}")
            });
            Ok(render(&AuditPage {
                page: auth.info.page(&tr.t("audit-title")),
                f,
                rows,
                older,
                errors: FormErrors::default(),
            }))
        }
        Err(e) => match FormErrors::from_error(&e, &tr) {
            Some(errors) => Ok(render_status(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                &AuditPage {
                    page: auth.info.page(&tr.t("audit-title")),
                    f,
                    rows: vec![],
                    older: None,
                    errors,
                },
            )),
            None => Err(e.into()),
        },
    }
}
