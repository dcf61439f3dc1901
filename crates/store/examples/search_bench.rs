//! Person search at register scale: SPRInt's search (`store::people::search`) against
//! SQLite FTS5 with the trigram tokenizer and PostgreSQL pg_trgm, on the same generated
//! names and the same queries. Reports latency percentiles (one client, queries in a row)
//! and recall at 10.
//!
//! The register is generated (`namematch::synth`: the programme's nationalities and name
//! frequencies, about 5% re-registrations under another spelling) and stored through the
//! store layer, once per database file (reused on later runs). Each query is a new spelling
//! of a registered person, as an operator would type it — not a copy of a stored record:
//! respelled (Mohamed/Muhammad, Hossain/Hussain…), sometimes given and family names
//! swapped. Its relevant records are every record of that person (the original and its
//! re-registrations); recall at 10 is the share of them in the first ten answers.
//!
//! ```sh
//! cargo run --release -p store --example search_bench -- \
//!     --persons 1000000 --queries 1000 --sqlite bench/search/data/search-1000000.db \
//!     [--pg postgres://postgres@127.0.0.1:5432/postgres]   # --sqlite none: PostgreSQL only
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::time::Instant;

use namematch::synth::{Rng, population_with_truth, variant_of};
use store::Db;
use store::db::Ctx;

struct Args {
    persons: usize,
    queries: usize,
    seed: u64,
    sqlite: String,
    pg: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        persons: 1_000_000,
        queries: 1_000,
        seed: 42,
        sqlite: String::new(),
        pg: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let v = it.next().unwrap_or_default();
        match k.as_str() {
            "--persons" => a.persons = v.parse().expect("--persons N"),
            "--queries" => a.queries = v.parse().expect("--queries N"),
            "--seed" => a.seed = v.parse().expect("--seed N"),
            "--sqlite" => a.sqlite = v,
            "--pg" => a.pg = Some(v),
            other => panic!("unknown argument {other}"),
        }
    }
    if a.sqlite.is_empty() {
        a.sqlite = format!("bench/search/data/search-{}.db", a.persons);
    }
    a
}

struct Bar(std::sync::Mutex<Instant>, std::sync::atomic::AtomicU64);

impl store::scale::Progress for Bar {
    fn stage(&self, name: &str, total: u64) {
        eprintln!("{name}: {total}");
    }
    fn advance(&self, n: u64) {
        let done = self.1.fetch_add(n, std::sync::atomic::Ordering::Relaxed) + n;
        if done % 50_000 < n {
            let t = self.0.lock().unwrap().elapsed().as_secs_f64();
            eprintln!("  {done} registered ({:.0}/s)", done as f64 / t);
        }
    }
}

/// The register in `db`, generated and stored once; returns each generated person's id.
async fn register(db: &Db, persons: &[namematch::Person], seed: u64) -> Vec<String> {
    let mut tx = db.begin().await.unwrap();
    store::with_tx!(&mut tx, |c| {
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS bench_search_map (idx INTEGER PRIMARY KEY, person_id TEXT NOT NULL)",
        )
        .execute(c)
        .await
        .map(|_| ())
    })
    .unwrap();
    let mapped: Vec<(i64, String)> = store::with_tx!(&mut tx, |c| {
        sqlx::query_as("SELECT CAST(idx AS BIGINT), person_id FROM bench_search_map ORDER BY idx")
            .fetch_all(c)
            .await
    })
    .unwrap();
    tx.commit().await.unwrap();
    if mapped.len() == persons.len() {
        eprintln!("register of {} persons already stored", mapped.len());
        return mapped.into_iter().map(|(_, id)| id).collect();
    }
    assert!(
        mapped.is_empty(),
        "a partial register: start from a new database"
    );
    store::demo::seed(db).await.unwrap();
    let org = store::account::find_org_by_name(db, "Programma Integra")
        .await
        .unwrap()
        .unwrap()
        .id;
    let owners = vec![org; persons.len()];
    let started = Instant::now();
    let bar = Bar(std::sync::Mutex::new(started), Default::default());
    let ids = store::scale::register(db, persons, &owners, &mut Rng::new(seed), &bar)
        .await
        .unwrap();
    eprintln!(
        "registered {} persons in {:.0} s",
        ids.len(),
        started.elapsed().as_secs_f64()
    );
    for (chunk_no, chunk) in ids.chunks(5000).enumerate() {
        let mut tx = db.begin().await.unwrap();
        for (i, id) in chunk.iter().enumerate() {
            store::with_tx!(&mut tx, |c| {
                sqlx::query("INSERT INTO bench_search_map (idx, person_id) VALUES ($1, $2)")
                    .bind((chunk_no * 5000 + i) as i64)
                    .bind(id)
                    .execute(c)
                    .await
                    .map(|_| ())
            })
            .unwrap();
        }
        tx.commit().await.unwrap();
    }
    ids
}

/// The peer's index: FTS5 trigram on SQLite, pg_trgm (GIN) on PostgreSQL, over the same
/// "given family" names the register holds.
async fn build_peer(db: &Db) {
    let sqlite = db.engine_name() == "sqlite";
    let mut tx = db.begin().await.unwrap();
    let exists: Option<(String,)> = store::with_tx!(&mut tx, |c| {
        sqlx::query_as(if sqlite {
            "SELECT name FROM sqlite_master WHERE name = 'bench_names'"
        } else {
            "SELECT tablename::text FROM pg_tables WHERE tablename = 'bench_names'"
        })
        .fetch_optional(c)
        .await
    })
    .unwrap();
    if exists.is_some() {
        tx.commit().await.unwrap();
        return;
    }
    let started = Instant::now();
    let stmts: &[&str] = if sqlite {
        &[
            "CREATE VIRTUAL TABLE bench_names USING fts5(name, person_id UNINDEXED, tokenize = 'trigram')",
            "INSERT INTO bench_names (name, person_id) \
             SELECT given_names || ' ' || family_name, id FROM persons",
        ]
    } else {
        &[
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            "CREATE TABLE bench_names AS SELECT given_names || ' ' || family_name AS name, id AS person_id FROM persons",
            "CREATE INDEX bench_names_trgm ON bench_names USING gin (name gin_trgm_ops)",
            "ANALYZE bench_names",
        ]
    };
    for s in stmts {
        store::with_tx!(&mut tx, |c| sqlx::query(*s).execute(c).await.map(|_| ())).unwrap();
    }
    tx.commit().await.unwrap();
    eprintln!(
        "peer index built in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// FTS5 trigram query: any of the typed text's trigrams, ranked by bm25.
fn fts_query(q: &str) -> String {
    let chars: Vec<char> = q.to_lowercase().chars().collect();
    let mut grams: Vec<String> = chars
        .windows(3)
        .map(|w| w.iter().collect::<String>())
        .filter(|g| !g.contains('"'))
        .collect();
    grams.sort();
    grams.dedup();
    grams
        .iter()
        .map(|g| format!("\"{g}\""))
        .collect::<Vec<_>>()
        .join(" OR ")
}

async fn peer_search(db: &Db, q: &str) -> Vec<String> {
    let rows: Vec<(String,)> = store::with_pool!(db, |p| {
        if db.engine_name() == "sqlite" {
            sqlx::query_as(
                "SELECT person_id FROM bench_names WHERE bench_names MATCH $1 ORDER BY rank LIMIT 10",
            )
            .bind(fts_query(q))
            .fetch_all(p)
            .await
        } else {
            sqlx::query_as(
                "SELECT person_id FROM bench_names WHERE name % $1 ORDER BY similarity(name, $1) DESC LIMIT 10",
            )
            .bind(q)
            .fetch_all(p)
            .await
        }
    })
    .unwrap();
    rows.into_iter().map(|r| r.0).collect()
}

async fn sprint_search(db: &Db, ctx: &Ctx, q: &str) -> Vec<String> {
    store::people::search(db, ctx, q)
        .await
        .unwrap()
        .into_iter()
        .take(10)
        .map(|c| c.person.id)
        .collect()
}

struct Query {
    text: String,
    relevant: Vec<String>,
}

fn queries(
    persons: &[namematch::Person],
    truth: &[Option<usize>],
    ids: &[String],
    n: usize,
    seed: u64,
) -> Vec<Query> {
    let root = |mut i: usize| {
        while let Some(s) = truth[i] {
            i = s;
        }
        i
    };
    let mut clusters: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..persons.len() {
        clusters.entry(root(i)).or_default().push(i);
    }
    // Persons registered more than once, the case a search must not miss.
    let mut multi: Vec<usize> = clusters
        .iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(k, _)| *k)
        .collect();
    multi.sort_unstable();
    let mut rng = Rng::new(seed ^ 0x5eed);
    (0..n)
        .map(|k| {
            let r = multi[rng.below(multi.len())];
            let typed = variant_of(&mut rng, &persons[r], persons.len() + k);
            Query {
                text: format!("{} {}", typed.given_names, typed.family_name),
                relevant: clusters[&r].iter().map(|&i| ids[i].clone()).collect(),
            }
        })
        .collect()
}

struct Figures {
    name: String,
    p50: f64,
    p95: f64,
    p99: f64,
    recall: f64,
    found_any: f64,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn measure<F, Fut>(name: &str, qs: &[Query], mut run: F) -> Figures
where
    F: FnMut(String) -> Fut,
    Fut: std::future::Future<Output = Vec<String>>,
{
    // Warm-up: caches, the matcher's in-memory index, the peer's pages.
    for q in qs.iter().take(50) {
        run(q.text.clone()).await;
    }
    let mut times = vec![];
    let mut recall = 0.0;
    let mut any = 0.0;
    for q in qs {
        let t = Instant::now();
        let top = run(q.text.clone()).await;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        let hit = q.relevant.iter().filter(|r| top.contains(r)).count();
        recall += hit as f64 / q.relevant.len().min(10) as f64;
        if hit > 0 {
            any += 1.0;
        }
    }
    times.sort_by(f64::total_cmp);
    Figures {
        name: name.to_string(),
        p50: percentile(&times, 0.5),
        p95: percentile(&times, 0.95),
        p99: percentile(&times, 0.99),
        recall: recall / qs.len() as f64,
        found_any: any / qs.len() as f64,
    }
}

async fn run_engine(
    url: &str,
    a: &Args,
    persons: &[namematch::Person],
    truth: &[Option<usize>],
) -> Vec<Figures> {
    // A fixed key, so that a stored register can be reused (its demo accounts hold sealed
    // fields); for benchmarks only.
    let keyring =
        store::crypto::Keyring::from_spec("k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
            .unwrap();
    let settings = store::db::Settings {
        keyring: Some(std::sync::Arc::new(keyring)),
        ..Default::default()
    };
    let db = Db::connect(url, settings).await.unwrap();
    db.migrate().await.unwrap();
    let ids = register(&db, persons, a.seed).await;
    build_peer(&db).await;
    let qs = queries(persons, truth, &ids, a.queries, a.seed);
    let ctx = Ctx::system("search-bench");
    let engine = db.engine_name();
    let peer = if engine == "sqlite" {
        "SQLite FTS5 trigram"
    } else {
        "PostgreSQL pg_trgm"
    };
    let mut out = vec![];
    let started = Instant::now();
    // The matcher's index is built on first use: time it apart.
    sprint_search(&db, &ctx, "Mohamed Ahmed").await;
    eprintln!(
        "{engine}: matching index loaded in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    out.push(
        measure(&format!("SPRInt search ({engine})"), &qs, |q| {
            let (db, ctx) = (&db, &ctx);
            async move { sprint_search(db, ctx, &q).await }
        })
        .await,
    );
    out.push(
        measure(peer, &qs, |q| {
            let db = &db;
            async move { peer_search(db, &q).await }
        })
        .await,
    );
    // As soon as an engine is done (the other may take long).
    for f in &out {
        eprintln!(
            "{}: p50 {:.2} ms, p95 {:.2}, p99 {:.2}, recall@10 {:.3}, some record found {:.3}",
            f.name, f.p50, f.p95, f.p99, f.recall, f.found_any
        );
    }
    out
}

#[tokio::main]
async fn main() {
    let a = args();
    if let Some(dir) = std::path::Path::new(&a.sqlite).parent()
        && a.sqlite != "none"
    {
        std::fs::create_dir_all(dir).unwrap();
    }
    let (persons, truth) = population_with_truth(a.persons, a.seed);
    // `--sqlite none`: PostgreSQL only.
    let mut all = if a.sqlite == "none" {
        vec![]
    } else {
        run_engine(&format!("sqlite://{}", a.sqlite), &a, &persons, &truth).await
    };
    if let Some(admin) = &a.pg {
        let name = format!("sprint_bench_search_{}", a.persons);
        let pool = sqlx::PgPool::connect(admin).await.unwrap();
        let exists: Option<(i32,)> = sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1")
            .bind(&name)
            .fetch_optional(&pool)
            .await
            .unwrap();
        if exists.is_none() {
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&pool)
                .await
                .unwrap();
        }
        let base = admin.rsplit_once('/').unwrap().0;
        all.extend(run_engine(&format!("{base}/{name}"), &a, &persons, &truth).await);
    }
    println!(
        "\n{} persons, {} queries (seed {})\n",
        a.persons, a.queries, a.seed
    );
    println!("| search | p50 ms | p95 ms | p99 ms | recall@10 | some record found |");
    println!("|---|---:|---:|---:|---:|---:|");
    for f in &all {
        println!(
            "| {} | {:.2} | {:.2} | {:.2} | {:.3} | {:.3} |",
            f.name, f.p50, f.p95, f.p99, f.recall, f.found_any
        );
    }
}
