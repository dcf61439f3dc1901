//! `GET /healthz`: 200 when the database answers, 503 otherwise (for load balancers).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::error::Rendered;
use crate::state::AppState;

pub async fn healthz(State(st): State<AppState>) -> Response {
    let (status, body) = match st.db.ping().await {
        Ok(()) => (
            StatusCode::OK,
            serde_json::json!({"status": "ok", "database": st.db.engine_name()}),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                serde_json::json!({"status": "unavailable", "database": st.db.engine_name()}),
            )
        }
    };
    let mut r = (status, Json(body)).into_response();
    r.extensions_mut().insert(Rendered);
    r
}
