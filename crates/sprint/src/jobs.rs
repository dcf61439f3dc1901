//! The background worker of `sprint serve`: every half minute it enqueues the periodic
//! jobs and runs whatever is due from the shared queue (`store::jobs`), so each job runs
//! once however many instances are up.

use std::time::Duration;

use store::Db;

/// How often a worker looks at the queue.
const TICK: Duration = Duration::from_secs(30);

pub async fn run(db: Db, metrics: web::metrics::Metrics) {
    let worker = format!(
        "{}:{}:{}",
        hostname(),
        std::process::id(),
        store::random_token(4)
    );
    tracing::info!(worker, "background jobs started");
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        match store::jobs::run_due(&db, &worker).await {
            Ok(ran) => {
                for (kind, ok) in ran {
                    metrics.job_ran(&kind, ok);
                }
            }
            // The database may be down for a while: try again at the next tick.
            Err(e) => tracing::warn!(error = %e, "background jobs could not run"),
        }
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "host".into())
}
