//! `sprint`: the one binary of the platform. Serves the web application and runs the
//! administrative commands (migrations, users, audit verification, backup and restore).

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use store::Db;
use store::db::Ctx;

mod config;
mod dedup;
mod jobs;
mod seed;

use config::{Config, HELP, Overrides};

#[derive(Parser)]
#[command(name = "sprint", version, about = "SPRInt — integration of third-country nationals (Prefettura di Roma)", after_long_help = HELP)]
struct Cli {
    /// Configuration file (default: sprint.toml if present).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB [env: SPRINT_DATABASE_URL]
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web application (migrates the database first).
    #[command(after_long_help = HELP)]
    Serve {
        /// Address to listen on [env: SPRINT_BIND, default 127.0.0.1:8080]
        #[arg(long, value_name = "ADDR")]
        bind: Option<String>,
        /// Seed the demo world and print its accounts [env: SPRINT_DEMO]
        #[arg(long)]
        demo: bool,
    },
    /// Bring the database schema up to date.
    Migrate,
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        action: UserCommand,
    },
    /// Audit log tools.
    Audit {
        #[command(subcommand)]
        action: AuditCommand,
    },
    /// Write an online, consistent backup while the platform runs.
    Backup {
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Print a new random encryption key (for SPRINT_ENCRYPTION_KEY_FILE).
    Keygen,
    /// Fill the database with a generated world of realistic size, through the same store
    /// functions the pages use (for benchmarks, load tests and trying pages at volume).
    ///
    /// small: 2,000 persons; rome: 200,000 persons, 300 centres with a year of presences,
    /// 3,000 minors, 40,000 cases, 100,000 contacts; national: 2,000,000 persons, 3,000
    /// centres, 10,000,000 contacts (hours). The demo accounts are created too.
    Seed {
        /// small, rome or national.
        #[arg(long, value_parser = clap::value_parser!(store::scale::Scale))]
        scale: store::scale::Scale,
        /// The same seed gives the same names, dates and counts.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// The reports' figures: compute them now, or print the indicator SQL.
    Reports {
        #[command(subcommand)]
        action: ReportsCommand,
    },
    /// Replace the database content with a backup (SQLite: stop the server first).
    Restore {
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// Confirm that the current data will be replaced.
        #[arg(long)]
        yes: bool,
    },
    /// Find the duplicate persons in a register brought as a CSV file (no database needed).
    ///
    /// Input columns: id,given_names,family_name,sex,birth_date,nationality (required) and
    /// name_original, phone, document_id, passport, cui, codice_fiscale (used when present).
    /// Writes id_a,id_b,score for each pair judged the same person. Unreadable rows are
    /// reported with their line number and skipped. Exit code 0 done, 1 read/write error,
    /// 2 missing header column.
    Dedup {
        /// The register (CSV with a header row; comma, semicolon or tab separated).
        #[arg(long, value_name = "FILE")]
        input: PathBuf,
        /// Where to write the pairs (CSV: id_a,id_b,score).
        #[arg(long, value_name = "FILE")]
        output: PathBuf,
        /// Report pairs scoring at least this, in [0, 1] (default: the "same person"
        /// threshold).
        #[arg(long, value_name = "T", default_value_t = dedup::default_threshold(), value_parser = dedup::parse_threshold)]
        threshold: f64,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user. Without --password-file a temporary password is printed, to be
    /// changed at first login.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        full_name: String,
        /// Organisation name (exact) or id.
        #[arg(long)]
        org: String,
        /// role or role:scope (own, organisation, all); repeatable.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        #[arg(long)]
        email: Option<String>,
        /// Read the password from this file ("-" for standard input).
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
    },
    /// Disable a user: their sessions and API tokens end at once.
    Disable { username: String },
    /// Enable a disabled user.
    Enable { username: String },
    /// Set a temporary password (printed once) to be changed at next login.
    ResetPassword { username: String },
}

#[derive(Subcommand)]
enum ReportsCommand {
    /// Compute the figures from the records now (what the job does every quarter hour)
    /// and print how long each grouping query took.
    Refresh,
    /// Print the indicator SQL a refresh runs over the `report_facts` view, one statement
    /// per line after a `-- label` line (the DuckDB benchmark runs the same text).
    Sql,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain; report the first broken link (exit code 1) if any.
    Verify,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Files only: no configuration to load, no database to open.
    if let Command::Dedup {
        input,
        output,
        threshold,
    } = &cli.command
    {
        return dedup::run(input, output, *threshold);
    }
    let overrides = Overrides {
        database_url: cli.database_url.clone(),
        bind: match &cli.command {
            Command::Serve { bind, .. } => bind.clone(),
            _ => None,
        },
        demo: match &cli.command {
            Command::Serve { demo: true, .. } => Some(true),
            _ => None,
        },
    };
    let cfg = match Config::load(cli.config.as_deref(), &overrides) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_new(&cfg.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if cfg.log_format.eq_ignore_ascii_case("json") {
        // One JSON object per line, with the request span's fields (the request id).
        logs.json()
            .with_current_span(true)
            .with_span_list(false)
            .init();
    } else {
        logs.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init();
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli.command, cfg)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn open(cfg: &Config) -> Result<Db, String> {
    let db = Db::connect(&cfg.database_url, cfg.store_settings()).await?;
    // A missing or broken key stops start-up with its reason (after the database answered,
    // so an unreachable database is reported as such).
    cfg.keyring()?;
    db.migrate().await.map_err(|e| e.to_string())?;
    db.analyze().await.map_err(|e| e.to_string())?;
    Ok(db)
}

async fn run(cmd: Command, cfg: Config) -> Result<ExitCode, String> {
    match cmd {
        Command::Serve { .. } => serve(cfg).await,
        Command::Dedup {
            input,
            output,
            threshold,
        } => Ok(dedup::run(&input, &output, threshold)),
        Command::Keygen => {
            println!("k1:{}", store::crypto::generate_key());
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let db = open(&cfg).await?;
            println!(
                "database {} is at schema version {}",
                cfg.redacted_url(),
                db.latest_migration()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::User { action } => user(cfg, action).await,
        Command::Seed { scale, seed } => {
            let db = open(&cfg).await?;
            seed::run(&db, scale, seed).await
        }
        Command::Reports { action } => {
            let db = open(&cfg).await?;
            match action {
                ReportsCommand::Refresh => {
                    let (run, timings) = store::reports::refresh_timed(&db)
                        .await
                        .map_err(|e| e.to_string())?;
                    for t in &timings {
                        println!("{:>10.1} ms  {:>8} rows  {}", t.millis, t.rows, t.label);
                    }
                    println!(
                        "figures computed in {} ms: {} services counted, {} rows stored (run {})",
                        run.millis, run.facts, run.rows, run.id
                    );
                }
                ReportsCommand::Sql => {
                    let defs = store::reports::indicators(&db, domain::clock::today())
                        .await
                        .map_err(|e| e.to_string())?;
                    for q in store::reports::queries(&defs) {
                        println!("-- {}", q.label);
                        println!("{};", q.sql);
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            action: AuditCommand::Verify,
        } => {
            let db = open(&cfg).await?;
            let v = store::audit::verify(&db).await.map_err(|e| e.to_string())?;
            match v.first_break {
                None => {
                    println!("audit chain intact: {} entries verified", v.entries);
                    Ok(ExitCode::SUCCESS)
                }
                Some(b) => {
                    println!(
                        "audit chain BROKEN at entry {}: {} ({} entries verified before it)",
                        b.seq, b.reason, v.entries
                    );
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Backup { to } => {
            let db = open(&cfg).await?;
            let s = store::backup::backup(&db, &to)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "backup of the {} database written to {} ({} bytes)",
                s.engine,
                to.display(),
                s.bytes
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { from, yes } => {
            if !yes {
                return Err(
                    "restore replaces all current data: run again with --yes to confirm".into(),
                );
            }
            let db = open(&cfg).await?;
            store::backup::restore(&db, &from)
                .await
                .map_err(|e| e.to_string())?;
            let db = open(&cfg).await?;
            let v = store::audit::verify(&db).await.map_err(|e| e.to_string())?;
            println!(
                "restored {} into {}; audit chain {} ({} entries)",
                from.display(),
                cfg.redacted_url(),
                if v.first_break.is_none() {
                    "intact"
                } else {
                    "BROKEN"
                },
                v.entries
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn user(cfg: Config, action: UserCommand) -> Result<ExitCode, String> {
    let db = open(&cfg).await?;
    let ctx = Ctx::system("cli");
    let find = |username: String| {
        let db = db.clone();
        async move {
            store::account::find_user_id(&db, &username)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no user named {username}"))
        }
    };
    match action {
        UserCommand::Create {
            username,
            full_name,
            org,
            roles,
            email,
            password_file,
        } => {
            let org_id = match store::account::find_org_by_name(&db, &org)
                .await
                .map_err(|e| e.to_string())?
            {
                Some(o) => o.id,
                None => org,
            };
            let (password, generated) = match password_file {
                Some(p) if p.as_os_str() == "-" => {
                    let mut line = String::new();
                    std::io::stdin()
                        .lock()
                        .read_line(&mut line)
                        .map_err(|e| e.to_string())?;
                    (line.trim_end_matches(['\r', '\n']).to_string(), false)
                }
                Some(p) => (
                    std::fs::read_to_string(&p)
                        .map_err(|e| format!("cannot read {}: {e}", p.display()))?
                        .trim_end_matches(['\r', '\n'])
                        .to_string(),
                    false,
                ),
                None => (store::random_token(24), true),
            };
            let input = store::account::UserInput {
                username: username.clone(),
                full_name,
                email: email.unwrap_or_default(),
                org_id,
                lang: "it".into(),
                grants: roles,
                password,
            };
            let id = store::account::create_user(&db, &ctx, &input)
                .await
                .map_err(|e| describe(&e))?;
            println!("user {username} created ({id})");
            if generated {
                let temp = store::account::reset_password(&db, &ctx, &id)
                    .await
                    .map_err(|e| e.to_string())?;
                println!("temporary password (to change at first login): {temp}");
            }
        }
        UserCommand::Disable { username } => {
            let id = find(username.clone()).await?;
            store::account::set_active(&db, &ctx, &id, false)
                .await
                .map_err(|e| describe(&e))?;
            println!("user {username} disabled; their sessions and tokens ended");
        }
        UserCommand::Enable { username } => {
            let id = find(username.clone()).await?;
            store::account::set_active(&db, &ctx, &id, true)
                .await
                .map_err(|e| describe(&e))?;
            println!("user {username} enabled");
        }
        UserCommand::ResetPassword { username } => {
            let id = find(username.clone()).await?;
            let temp = store::account::reset_password(&db, &ctx, &id)
                .await
                .map_err(|e| describe(&e))?;
            println!("temporary password for {username} (to change at next login): {temp}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A one-line explanation of a store error for the terminal, with field problems spelled out.
fn describe(e: &domain::Error) -> String {
    let fields: Vec<String> = e
        .fields()
        .iter()
        .map(|f| format!("{}: {}", f.field, f.code))
        .collect();
    if fields.is_empty() {
        e.to_string()
    } else {
        format!("{} ({})", e, fields.join(", "))
    }
}

async fn serve(cfg: Config) -> Result<ExitCode, String> {
    let db = open(&cfg).await?;
    if cfg.demo {
        let created = store::demo::seed(&db).await.map_err(|e| e.to_string())?;
        if created {
            tracing::info!("demo world seeded");
        }
    }
    let listener = tokio::net::TcpListener::bind(&cfg.bind)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", cfg.bind))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let state = web::AppState::new(db.clone(), cfg.web_config());
    let jobs = cfg
        .jobs
        .then(|| tokio::spawn(jobs::run(db.clone(), state.metrics.clone())));
    let app = web::router(state);
    tracing::info!(
        database = %cfg.redacted_url(),
        engine = db.engine_name(),
        "SPRInt listening on http://{addr}"
    );
    println!("SPRInt is running: log in at http://{addr}/login");
    if cfg.demo {
        println!(
            "Demo accounts (password for all: {}):",
            store::demo::DEMO_PASSWORD
        );
        for u in store::demo::USERS {
            println!(
                "  {:<8} {:<20} {}",
                u.username,
                u.role.as_str(),
                u.full_name
            );
        }
    }
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|e| e.to_string())?;
    // A job cut short here is taken over by an instance once its lease runs out.
    if let Some(j) = jobs {
        j.abort();
    }
    db.close().await;
    tracing::info!("stopped cleanly");
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
