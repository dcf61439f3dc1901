//! Metrics for a scraper that holds the token (and nobody else), and background jobs that
//! run once however many instances share the database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use store::Ts;
use store::jobs;
use web::WebConfig;

use crate::support::*;

const TOKEN: &str = "scrape-me-7f3a9c";

async fn scrape(c: &mut Client, bearer: Option<&str>) -> Resp {
    let mut b = Request::builder().method("GET").uri("/metrics");
    if let Some(t) = bearer {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    c.send(b.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn without_a_configured_token_there_is_no_metrics_endpoint() {
    let app = TestApp::new().await;
    let mut c = app.client();
    assert_eq!(scrape(&mut c, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        scrape(&mut c, Some("anything")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn metrics_need_the_token_and_count_requests_by_route_template_not_by_record() {
    let app = TestApp::with_config(WebConfig {
        metrics_token_sha256: web::metrics::token_digest(TOKEN),
        ..Default::default()
    })
    .await;
    let mut c = app.client();
    assert_eq!(scrape(&mut c, None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        scrape(&mut c, Some("wrong")).await.status,
        StatusCode::UNAUTHORIZED
    );
    // An info point's operator, opening a record of her own organisation.
    c.login_ok("giulia").await;
    let people = c.get("/people?q=Fatima").await;
    assert_eq!(people.status, StatusCode::OK);
    let person = people
        .body
        .split("href=\"/people/")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .find(|id| id.len() == 36 && id.matches('-').count() == 4)
        .expect("a person in the results");
    assert_eq!(
        c.get(&format!("/people/{person}")).await.status,
        StatusCode::OK
    );
    jobs::run_due(app.db(), "test-worker").await.unwrap();
    let m = scrape(&mut c, Some(TOKEN)).await;
    assert_eq!(m.status, StatusCode::OK);
    assert!(
        m.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let body = &m.body;
    assert!(
        body.contains(
            "sprint_http_request_duration_seconds_count{method=\"GET\",route=\"/people/{id}\",status=\"200\"} 1"
        ),
        "{body}"
    );
    assert!(body.contains("route=\"/people\""), "{body}");
    // The path of a record never becomes a series, nor does what was searched for.
    assert!(
        !body.contains(&person),
        "a record id leaked into the metrics"
    );
    assert!(
        !body.contains("Ahmed"),
        "a searched name leaked into the metrics"
    );
    assert!(body.contains("sprint_db_pool_connections{"), "{body}");
    assert!(body.contains("sprint_jobs{state=\"done\"} 5"), "{body}");
    assert!(
        body.contains("sprint_job_last_success_timestamp_seconds{kind=\"verify_audit\"}"),
        "{body}"
    );
    assert!(body.contains("sprint_http_requests_in_flight"), "{body}");
    assert!(body.trim_end().ends_with("# EOF"));
}

#[tokio::test]
async fn two_instances_running_jobs_at_once_run_each_periodic_job_once() {
    let app = TestApp::new().await;
    let other = app.tdb.second_handle().await;
    let (a, b) = tokio::join!(
        jobs::run_due(app.db(), "instance-a"),
        jobs::run_due(&other, "instance-b")
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let kinds: Vec<&str> = jobs::PERIODIC
        .iter()
        .map(|p| p.kind)
        .chain(jobs::ONCE.iter().copied())
        .collect();
    assert_eq!(a.len() + b.len(), kinds.len(), "{a:?} {b:?}");
    let rows = jobs::list(app.db()).await.unwrap();
    assert_eq!(rows.len(), kinds.len());
    for kind in kinds {
        let mine: Vec<_> = rows.iter().filter(|r| r.kind == kind).collect();
        assert_eq!(mine.len(), 1, "{kind} enqueued once");
        assert_eq!(mine[0].state, "done", "{:?}", mine[0]);
        assert_eq!(mine[0].attempts, 1, "{kind} ran once");
    }
    let verify = rows.iter().find(|r| r.kind == jobs::VERIFY_AUDIT).unwrap();
    assert!(
        verify.result.starts_with("audit chain intact"),
        "{verify:?}"
    );
    // Within the same slot, another pass finds nothing to do.
    assert!(
        jobs::run_due(&other, "instance-b")
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_job_whose_instance_died_is_taken_over_when_its_lease_runs_out() {
    let app = TestApp::new().await;
    let now = Ts::now();
    assert!(
        jobs::enqueue(app.db(), jobs::PURGE_SESSIONS, "purge@test", "{}", now)
            .await
            .unwrap()
    );
    let first = jobs::claim(app.db(), "dead-instance", now)
        .await
        .unwrap()
        .unwrap();
    // While the lease holds, nobody else gets it.
    let other = app.tdb.second_handle().await;
    assert!(
        jobs::claim(&other, "live-instance", now.plus_seconds(60))
            .await
            .unwrap()
            .is_none()
    );
    let later = now.plus_seconds(jobs::LEASE_SECONDS + 1);
    let second = jobs::claim(&other, "live-instance", later)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second.id, first.id);
    assert_eq!(second.attempts, 2);
    let out = jobs::perform(&other, &second, later).await;
    assert!(out.is_ok(), "{out:?}");
    assert!(
        jobs::finish(&other, &second, "live-instance", &out, later)
            .await
            .unwrap()
    );
    // The dead instance coming back cannot overwrite the outcome.
    assert!(
        !jobs::finish(
            app.db(),
            &first,
            "dead-instance",
            &Err("late".into()),
            later
        )
        .await
        .unwrap()
    );
    let rows = jobs::list(app.db()).await.unwrap();
    assert_eq!(rows[0].state, "done");
    assert_eq!(rows[0].locked_by, None);
}

#[tokio::test]
async fn a_failing_job_is_retried_later_then_given_up_with_its_reason() {
    let app = TestApp::new().await;
    let mut now = Ts::now();
    jobs::enqueue(app.db(), "no_such_kind", "bad@1", "{}", now)
        .await
        .unwrap();
    for attempt in 1..=3 {
        let job = jobs::claim(app.db(), "w", now).await.unwrap().unwrap();
        assert_eq!(job.attempts, attempt);
        let out = jobs::perform(app.db(), &job, now).await;
        assert!(out.is_err());
        jobs::finish(app.db(), &job, "w", &out, now).await.unwrap();
        // Not retried at once: the pause grows with each attempt.
        assert!(jobs::claim(app.db(), "w", now).await.unwrap().is_none());
        now = now.plus_seconds(60 * i64::from(attempt) + 1);
    }
    let rows = jobs::list(app.db()).await.unwrap();
    assert_eq!(rows[0].state, "failed");
    assert!(rows[0].result.contains("unknown job kind"), "{:?}", rows[0]);
    assert!(jobs::claim(app.db(), "w", now).await.unwrap().is_none());
}

#[tokio::test]
async fn the_session_purge_removes_expired_sessions_only() {
    let app = TestApp::new().await;
    let mut c = app.client();
    c.login_ok("marco").await;
    let count = || async {
        let mut tx = app.db().begin().await.unwrap();
        let (n,): (i64,) = store::with_tx!(&mut tx, |c| {
            sqlx::query_as("SELECT COUNT(*) FROM sessions")
                .fetch_one(c)
                .await
        })
        .unwrap();
        tx.commit().await.unwrap();
        n
    };
    assert_eq!(count().await, 1);
    store::auth::purge_expired(app.db(), Ts::now())
        .await
        .unwrap();
    assert_eq!(count().await, 1, "a live session was purged");
    assert_eq!(c.get("/").await.status, StatusCode::OK);
    store::auth::purge_expired(app.db(), Ts::now().plus_seconds(13 * 3600))
        .await
        .unwrap();
    assert_eq!(count().await, 0);
}
