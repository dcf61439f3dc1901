//! Prometheus metrics and the access log.
//!
//! Every request is timed and logged once, with its request id, method, route template
//! (never the path itself: it would carry record ids and make one series per person) and
//! status. The database pools and the job queue are read when the endpoint is scraped.
//! `/metrics` answers only with the configured bearer token: without one it does not exist,
//! since counts of requests per route say something about who works on what.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use sha2::{Digest, Sha256};
use tracing::Instrument;

use crate::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    pool: &'static str,
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RunLabels {
    kind: String,
    outcome: &'static str,
}

/// The process's metrics. Cheap to clone (everything inside is shared).
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    requests: Family<HttpLabels, Histogram, fn() -> Histogram>,
    in_flight: Gauge,
    pool: Family<PoolLabels, Gauge>,
    jobs: Family<StateLabel, Gauge>,
    jobs_due: Gauge,
    job_last_success: Family<KindLabel, Gauge>,
    job_runs: Family<RunLabels, Counter>,
    resident: Gauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

fn latency_histogram() -> Histogram {
    // 0.5 ms to about 16 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut r = Registry::with_prefix("sprint");
        let requests: Family<HttpLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(latency_histogram);
        r.register(
            "http_request_duration_seconds",
            "Time to answer a request, by method, route template and status",
            requests.clone(),
        );
        let in_flight = Gauge::default();
        r.register(
            "http_requests_in_flight",
            "Requests being answered now",
            in_flight.clone(),
        );
        let pool = Family::<PoolLabels, Gauge>::default();
        r.register(
            "db_pool_connections",
            "Database connections by pool and state (idle, in use, maximum)",
            pool.clone(),
        );
        let jobs = Family::<StateLabel, Gauge>::default();
        r.register(
            "jobs",
            "Background jobs in the shared queue by state",
            jobs.clone(),
        );
        let jobs_due = Gauge::default();
        r.register(
            "jobs_due",
            "Queued background jobs whose time has come",
            jobs_due.clone(),
        );
        let job_last_success = Family::<KindLabel, Gauge>::default();
        r.register(
            "job_last_success_timestamp_seconds",
            "When each kind of job last finished well (any instance)",
            job_last_success.clone(),
        );
        let job_runs = Family::<RunLabels, Counter>::default();
        r.register(
            "job_runs",
            "Jobs this instance ran, by kind and outcome",
            job_runs.clone(),
        );
        let resident = Gauge::default();
        r.register(
            "process_resident_memory_bytes",
            "Resident memory of this process",
            resident.clone(),
        );
        Metrics {
            registry: Arc::new(r),
            requests,
            in_flight,
            pool,
            jobs,
            jobs_due,
            job_last_success,
            job_runs,
            resident,
        }
    }

    /// Counts a job this instance ran.
    pub fn job_ran(&self, kind: &str, ok: bool) {
        self.job_runs
            .get_or_create(&RunLabels {
                kind: kind.to_string(),
                outcome: if ok { "done" } else { "failed" },
            })
            .inc();
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&HttpLabels {
                method: method.to_string(),
                route: route.to_string(),
                status,
            })
            .observe(seconds);
    }

    /// Reads the values that are sampled, not counted, and renders the text format.
    async fn render(&self, db: &store::Db) -> String {
        for (pool, size, idle, max) in pool_figures(db) {
            let set = |state, v: u32| {
                self.pool
                    .get_or_create(&PoolLabels { pool, state })
                    .set(i64::from(v))
            };
            set("idle", idle);
            set("in_use", size.saturating_sub(idle));
            set("max", max);
        }
        match store::jobs::stats(db, store::Ts::now()).await {
            Ok(s) => {
                for st in ["queued", "running", "done", "failed"] {
                    let n = s
                        .by_state
                        .iter()
                        .find(|(k, _)| k == st)
                        .map_or(0, |(_, n)| *n);
                    self.jobs
                        .get_or_create(&StateLabel { state: st.into() })
                        .set(n);
                }
                self.jobs_due.set(s.due);
                for (kind, t) in s.last_success {
                    self.job_last_success
                        .get_or_create(&KindLabel { kind })
                        .set(t);
                }
            }
            Err(e) => tracing::warn!(error = %e, "job queue figures unavailable for /metrics"),
        }
        if let Some(bytes) = resident_bytes() {
            self.resident.set(bytes);
        }
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            tracing::error!("cannot encode the metrics");
        }
        out
    }
}

/// (pool, open connections, idle ones, maximum) for each pool of the engine.
fn pool_figures(db: &store::Db) -> Vec<(&'static str, u32, u32, u32)> {
    match &db.pools {
        store::db::Pools::Sqlite { read, write, .. } => vec![
            (
                "read",
                read.size(),
                u32::try_from(read.num_idle()).unwrap_or(u32::MAX),
                read.options().get_max_connections(),
            ),
            (
                "write",
                write.size(),
                u32::try_from(write.num_idle()).unwrap_or(u32::MAX),
                write.options().get_max_connections(),
            ),
        ],
        store::db::Pools::Postgres(pg) => vec![(
            "main",
            pg.size(),
            u32::try_from(pg.num_idle()).unwrap_or(u32::MAX),
            pg.options().get_max_connections(),
        )],
    }
}

/// Resident set size from `/proc/self/statm` (Linux; elsewhere the gauge stays at 0).
fn resident_bytes() -> Option<i64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: i64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// Times and logs every request. Runs inside the router, so the route template is known.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    // Everything logged while answering carries the request id.
    let span = tracing::info_span!("request", request_id = %request_id);
    state.metrics.in_flight.inc();
    let res = next.run(req).instrument(span).await;
    state.metrics.in_flight.dec();
    let status = res.status().as_u16();
    let seconds = started.elapsed().as_secs_f64();
    state.metrics.observe(&method, &route, status, seconds);
    let ms = (seconds * 1000.0 * 10.0).round() / 10.0;
    if route == "/healthz" || route == "/metrics" {
        tracing::debug!(target: "sprint::access", request_id, method, route, status, ms, "request");
    } else if status >= 500 {
        tracing::warn!(target: "sprint::access", request_id, method, route, status, ms, "request");
    } else {
        tracing::info!(target: "sprint::access", request_id, method, route, status, ms, "request");
    }
    res
}

/// `GET /metrics`: the Prometheus text format, for a scraper holding the metrics token.
pub async fn endpoint(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(expected) = state.cfg.metrics_token_sha256 else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| <[u8; 32]>::from(Sha256::digest(t.trim().as_bytes())));
    // Comparing digests: equal-time comparison of the token itself is not needed.
    if given != Some(expected) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
        )
            .into_response();
    }
    let body = state.metrics.render(&state.db).await;
    Response::builder()
        .header(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(body))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// The digest kept of the configured metrics token (empty: no endpoint).
pub fn token_digest(token: &str) -> Option<[u8; 32]> {
    let t = token.trim();
    (!t.is_empty()).then(|| <[u8; 32]>::from(Sha256::digest(t.as_bytes())))
}
