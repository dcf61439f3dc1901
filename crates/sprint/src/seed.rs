//! `sprint seed --scale`: runs the generator with a progress bar (stage, count, rate and
//! time left) and prints what the database holds afterwards.

use std::process::ExitCode;
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};
use store::Db;
use store::scale::{Progress, Scale};

struct Bar(Mutex<Option<ProgressBar>>);

impl Progress for Bar {
    fn stage(&self, name: &str, total: u64) {
        let Ok(mut slot) = self.0.lock() else { return };
        if let Some(done) = slot.take() {
            done.finish();
        }
        let bar = ProgressBar::new(total);
        if let Ok(style) = ProgressStyle::with_template(
            "{msg:>22} [{bar:30}] {human_pos}/{human_len} {per_sec:>12} {elapsed_precise} left {eta}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(name.to_string());
        // Without a terminal the bar is hidden: say at least which stage starts.
        if bar.is_hidden() {
            eprintln!("{name}: {total}");
        }
        *slot = Some(bar);
    }

    fn advance(&self, n: u64) {
        if let Ok(slot) = self.0.lock()
            && let Some(bar) = slot.as_ref()
        {
            bar.inc(n);
        }
    }
}

pub async fn run(db: &Db, scale: Scale, seed: u64) -> Result<ExitCode, String> {
    let bar = Bar(Mutex::new(None));
    let report = match store::scale::seed(db, scale, seed, &bar).await {
        Ok(r) => r,
        Err(domain::Error::Duplicate(_)) => {
            return Err("this database already holds a generated world: seed a new one".into());
        }
        Err(e) => return Err(crate::describe(&e)),
    };
    if let Ok(mut slot) = bar.0.lock()
        && let Some(done) = slot.take()
    {
        done.finish();
    }
    println!(
        "{:<24} {:>12} {:>10} {:>10}",
        "stage", "records", "seconds", "per second"
    );
    for (name, n, secs) in &report.stages {
        println!(
            "{name:<24} {n:>12} {secs:>10.1} {:>10.0}",
            *n as f64 / secs.max(0.001)
        );
    }
    println!();
    for (label, n) in store::scale::counts(db).await.map_err(|e| e.to_string())? {
        println!("{label:<24} {n:>12}");
    }
    Ok(ExitCode::SUCCESS)
}
