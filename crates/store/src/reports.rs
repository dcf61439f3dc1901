//! Reporting: the FAMI indicators and the programme's figures, computed from the records.
//!
//! Definitions are data (`report_indicators`, versioned like the legal rules): a source of
//! the `report_facts` view, the flags a fact must carry and a measure. A refresh (the
//! `refresh_reports` job, or a user's request) runs one grouping query per source and per
//! persons indicator — the *indicator SQL*, built from the definitions by [`cube_sql`] —
//! and stores the result by every breakdown at once (`report_cube`) under a new run, with
//! the programme's figures by month and one breakdown at a time (`report_cells`). Pages
//! read those: the programme dashboard is a few hundred rows whatever the size of the
//! register, an organisation's is its own rows of the cube.
//!
//! Counting rules (also on the pages):
//! - a person counts once, after deduplication: every merged record counts as the record it
//!   was merged into, and a person is counted in the month of their first fact that the
//!   indicator counts (so months add up to the period, and the period to the programme);
//! - in an organisation's figures, once in that organisation (a person helped by two
//!   partners counts in each, and once in the programme);
//! - anonymous contacts are services, never persons;
//! - the minors' days in the hub and terms met are computed with the legal clock of the hub
//!   dashboard (`domain::minors`), by the month a stay ended or a term fell due.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use domain::account::Scope as GrantScope;
use domain::legal::DeadlineState;
use domain::policy::Permission;
use domain::{Error, Result};

use crate::db::{Ctx, Db, db_err};
use crate::{Ts, new_id, with_pool, with_tx};

/// Flags of `report_facts` a definition may require.
pub const FLAGS: &[&str] = &["tcn", "minor", "vulnerable", "legal", "digital", "contact"];

/// Sources of `report_facts` (grouped in SQL).
pub const FACT_SOURCES: &[&str] = &[
    "service",
    "training",
    "training_survey",
    "material",
    "inspection",
    "finding",
];

/// Sources computed from the minors' legal clock.
pub const MINOR_STAY: &str = "minor_stay";
pub const MINOR_DEADLINE: &str = "minor_deadline";

/// The breakdowns, as columns of the cube (`org_id` is shown as "organisation").
pub const DIMS: &[&str] = &[
    "wp",
    "service",
    "org_id",
    "sex",
    "age_band",
    "nationality",
    "municipality",
    "language",
];

const GROUP_COLS: &str =
    "month, wp, service, org_id, sex, age_band, nationality, municipality, language";

/// An indicator's definition, one version of it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Indicator {
    pub code: String,
    pub version: i32,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub position: i32,
    pub wp: Option<String>,
    pub measure: String,
    pub source: String,
    pub flags: String,
    pub target: Option<i32>,
    /// `count`, `percent` or `days`.
    pub unit: String,
    pub basis: String,
    pub label_it: String,
    pub label_en: String,
}

impl Indicator {
    pub fn label(&self, lang: &str) -> &str {
        if lang == "it" {
            &self.label_it
        } else {
            &self.label_en
        }
    }

    pub fn flag_list(&self) -> Vec<&str> {
        self.flags.split(',').filter(|f| !f.is_empty()).collect()
    }

    /// A value as the reports write it: a count, a percentage with one decimal, or days
    /// with one decimal; "–" for a ratio of nothing.
    pub fn format(&self, num: i64, den: i64) -> String {
        match self.unit.as_str() {
            "percent" if den > 0 => format!("{:.1}%", num as f64 * 100.0 / den as f64),
            "days" if den > 0 => format!("{:.1}", num as f64 / den as f64),
            "percent" | "days" => "–".into(),
            _ => num.to_string(),
        }
    }

    /// The value as a number (for charts and spreadsheets).
    pub fn value(&self, num: i64, den: i64) -> Option<f64> {
        match self.unit.as_str() {
            "percent" => (den > 0).then(|| num as f64 * 100.0 / den as f64),
            "days" => (den > 0).then(|| num as f64 / den as f64),
            _ => Some(num as f64),
        }
    }

    /// The definition's flags and source are among those the code knows: they are put
    /// into SQL, so nothing else may reach it.
    fn check(&self) -> Result<()> {
        let known_source = FACT_SOURCES.contains(&self.source.as_str())
            || [MINOR_STAY, MINOR_DEADLINE].contains(&self.source.as_str());
        let known_measure = ["persons", "sum", "ratio"].contains(&self.measure.as_str());
        if !known_source
            || !known_measure
            || self.flag_list().iter().any(|f| !FLAGS.contains(f))
            || (self.measure == "persons" && self.source != "service")
        {
            return Err(Error::Internal(format!(
                "indicator {} v{}: unknown source, measure or flag",
                self.code, self.version
            )));
        }
        Ok(())
    }
}

/// The definitions in force on `on`, in the order the reports show them.
pub async fn indicators(db: &Db, on: NaiveDate) -> Result<Vec<Indicator>> {
    let list: Vec<Indicator> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT code, version, valid_from, valid_to, position, wp, measure, source, flags, target, unit, basis, label_it, label_en \
             FROM report_indicators WHERE valid_from <= $1 AND (valid_to IS NULL OR valid_to >= $1) ORDER BY position, code",
        )
        .bind(on)
        .fetch_all(p)
        .await
    })
    .map_err(db_err)?;
    for i in &list {
        i.check()?;
    }
    Ok(list)
}

fn flag_sql(flags: &[&str]) -> String {
    flags.iter().map(|f| format!(" AND {f} = 1")).collect()
}

/// The indicator SQL of one source: every breakdown at once, one `num`/`den` pair of
/// columns per indicator (`n0, d0, n1, d1…` in the order given). Sums and ratios.
pub fn cube_sql(source: &str, indicators: &[&Indicator]) -> String {
    let cols: String = indicators
        .iter()
        .enumerate()
        .map(|(k, i)| {
            let cond = format!("1 = 1{}", flag_sql(&i.flag_list()));
            format!(
                ", SUM(CASE WHEN {cond} THEN num ELSE 0 END) AS n{k}, SUM(CASE WHEN {cond} THEN den ELSE 0 END) AS d{k}"
            )
        })
        .collect();
    format!(
        "SELECT {GROUP_COLS}{cols} FROM report_facts WHERE source = '{source}' GROUP BY {GROUP_COLS}"
    )
}

/// The indicator SQL of a persons indicator: each person once, by their first fact the
/// indicator counts, in the programme (`per_org` false) or in each organisation.
pub fn persons_sql(indicator: &Indicator, per_org: bool) -> String {
    let part = if per_org {
        "org_id, person_key"
    } else {
        "person_key"
    };
    format!(
        "SELECT {GROUP_COLS}, COUNT(*) AS n0, CAST(0 AS BIGINT) AS d0 FROM (\
         SELECT f.*, ROW_NUMBER() OVER (PARTITION BY {part} ORDER BY on_date, kind, source_id) AS rn \
         FROM report_facts f WHERE source = '{src}' AND person_key IS NOT NULL{flags}) t \
         WHERE rn = 1 GROUP BY {GROUP_COLS}",
        src = indicator.source,
        flags = flag_sql(&indicator.flag_list()),
    )
}

/// One row of the cube: an indicator's `num`/`den` for one combination of breakdowns.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CubeRow {
    pub indicator: String,
    /// `s` every scope, `p` the programme's persons, `o` an organisation's persons.
    pub scope: &'static str,
    pub month: String,
    /// wp, service, org_id, sex, age_band, nationality, municipality, language.
    pub dims: [String; 8],
    pub num: i64,
    pub den: i64,
}

impl CubeRow {
    pub fn dim(&self, name: &str) -> &str {
        DIMS.iter()
            .position(|d| *d == name)
            .map_or("", |k| self.dims[k].as_str())
    }
}

/// A grouped row: month, the breakdowns, and a `num`/`den` pair per indicator.
type Grouped = (String, [String; 8], Vec<(i64, i64)>);
/// The facts table the queries read during a refresh: the view, computed once into a
/// temporary table of the refresh's own connection. *Why:* every query over the view
/// re-evaluated its joins (the person behind each fact, their merges, a vulnerability on
/// file): at Rome scale about two seconds a query, most of a refresh.
const FACTS_NOW: &str = "report_facts_now";

/// Runs the queries of [`queries`] on one read connection, over the facts computed once;
/// returns each one's rows and milliseconds, and the milliseconds the facts took.
async fn run_all(db: &Db, list: &[Query]) -> Result<(Vec<(Vec<Grouped>, f64)>, f64)> {
    with_pool!(db, |p| {
        async {
            use sqlx::Row;
            let mut c = p.acquire().await?;
            let t = std::time::Instant::now();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP TABLE IF EXISTS {FACTS_NOW}"
            )))
            .execute(&mut *c)
            .await?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "CREATE TEMPORARY TABLE {FACTS_NOW} AS SELECT * FROM report_facts"
            )))
            .execute(&mut *c)
            .await?;
            let facts_ms = t.elapsed().as_secs_f64() * 1000.0;
            let mut all = Vec::with_capacity(list.len());
            for q in list {
                let t = std::time::Instant::now();
                let sql = q
                    .sql
                    .replace("FROM report_facts ", &format!("FROM {FACTS_NOW} "));
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .fetch_all(&mut *c)
                    .await?;
                let pairs = q.indicators.len();
                let mut out = Vec::with_capacity(rows.len());
                for r in &rows {
                    let text = |k: usize| -> std::result::Result<String, sqlx::Error> {
                        Ok(r.try_get::<Option<String>, _>(k)?.unwrap_or_default())
                    };
                    let dims = [
                        text(1)?,
                        text(2)?,
                        text(3)?,
                        text(4)?,
                        text(5)?,
                        text(6)?,
                        text(7)?,
                        text(8)?,
                    ];
                    let mut values = Vec::with_capacity(pairs);
                    for k in 0..pairs {
                        let n: Option<i64> = r.try_get(9 + 2 * k)?;
                        let d: Option<i64> = r.try_get(10 + 2 * k)?;
                        values.push((n.unwrap_or(0), d.unwrap_or(0)));
                    }
                    out.push((text(0)?, dims, values));
                }
                all.push((out, t.elapsed().as_secs_f64() * 1000.0));
            }
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP TABLE {FACTS_NOW}")))
                .execute(&mut *c)
                .await?;
            Ok::<_, sqlx::Error>((all, facts_ms))
        }
        .await
    })
    .map_err(db_err)
}

/// One grouping query of a refresh: the indicator SQL the benchmark also gives DuckDB.
#[derive(Debug, Clone)]
pub struct Query {
    /// `service: services, contacts…` or `tcn_reached (programme)`.
    pub label: String,
    pub sql: String,
    /// The indicators whose `num`/`den` pairs the rows carry, in order.
    pub indicators: Vec<String>,
    /// `s` (sums and ratios), `p` or `o` (persons in the programme, in each organisation).
    pub scope: &'static str,
}

/// Every grouping query a refresh runs for these definitions, in order.
pub fn queries(defs: &[Indicator]) -> Vec<Query> {
    let mut out = vec![];
    for source in FACT_SOURCES {
        let group: Vec<&Indicator> = defs
            .iter()
            .filter(|i| i.source == *source && i.measure != "persons")
            .collect();
        if group.is_empty() {
            continue;
        }
        let codes: Vec<String> = group.iter().map(|i| i.code.clone()).collect();
        out.push(Query {
            label: format!("{source}: {}", codes.join(", ")),
            sql: cube_sql(source, &group),
            indicators: codes,
            scope: "s",
        });
    }
    for i in defs.iter().filter(|i| i.measure == "persons") {
        for (per_org, scope, whose) in [(false, "p", "programme"), (true, "o", "each organisation")]
        {
            out.push(Query {
                label: format!("{} ({whose})", i.code),
                sql: persons_sql(i, per_org),
                indicators: vec![i.code.clone()],
                scope,
            });
        }
    }
    out
}

/// How long one query of a refresh took.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Timing {
    pub label: String,
    pub millis: f64,
    pub rows: usize,
}

/// Every row of the cube, computed from the records now.
pub async fn compute(db: &Db, today: NaiveDate) -> Result<Vec<CubeRow>> {
    compute_timed(db, today).await.map(|(rows, _)| rows)
}

/// [`compute`], with the time each query took (`sprint reports refresh` prints them).
pub async fn compute_timed(db: &Db, today: NaiveDate) -> Result<(Vec<CubeRow>, Vec<Timing>)> {
    let defs = indicators(db, today).await?;
    let mut out = vec![];
    let list = queries(&defs);
    let (results, facts_ms) = run_all(db, &list).await?;
    let mut timings = vec![Timing {
        label: "the facts, computed once from the view".into(),
        millis: facts_ms,
        rows: 0,
    }];
    for (q, (grouped, millis)) in list.iter().zip(results) {
        timings.push(Timing {
            label: q.label.clone(),
            millis,
            rows: grouped.len(),
        });
        for (month, dims, values) in grouped {
            for (code, (num, den)) in q.indicators.iter().zip(values) {
                if q.scope == "s" && num == 0 && den == 0 {
                    continue;
                }
                out.push(CubeRow {
                    indicator: code.clone(),
                    scope: q.scope,
                    month: month.clone(),
                    dims: dims.clone(),
                    num,
                    den,
                });
            }
        }
    }
    let minors = defs
        .iter()
        .filter(|i| [MINOR_STAY, MINOR_DEADLINE].contains(&i.source.as_str()));
    let t = std::time::Instant::now();
    let clocks = if minors.clone().next().is_some() {
        crate::minors::with_clocks(db, "1 = 1", None, today).await?
    } else {
        vec![]
    };
    let before = out.len();
    for i in minors {
        out.extend(minor_rows(i, &clocks));
    }
    timings.push(Timing {
        label: "minors' legal clocks (in Rust)".into(),
        millis: t.elapsed().as_secs_f64() * 1000.0,
        rows: out.len() - before,
    });
    Ok((out, timings))
}

/// The minors' rows: days in the hub of each ended stay (by the month it ended), or each
/// term that has fallen due, met or not (by the month it fell due).
fn minor_rows(
    i: &Indicator,
    clocks: &[(crate::minors::Minor, Vec<domain::minors::Deadline>)],
) -> Vec<CubeRow> {
    let mut acc: BTreeMap<(String, [String; 8]), (i64, i64)> = BTreeMap::new();
    for (m, clock) in clocks {
        let dims = |service: &str| -> [String; 8] {
            [
                "WP4".into(),
                service.into(),
                m.hub_org_id.clone(),
                m.sex.clone().unwrap_or_default(),
                "0-17".into(),
                m.nationality.clone().unwrap_or_default(),
                String::new(),
                String::new(),
            ]
        };
        if i.source == MINOR_STAY {
            if let Some(left) = m.left_on {
                let days = domain::minors::days_in_hub(m.arrival_date, Some(left), left);
                let e = acc.entry((month_of(left), dims(&m.status))).or_default();
                e.0 += days;
                e.1 += 1;
            }
        } else {
            for d in clock {
                let Some(due) = d.due_extended.or(d.due) else {
                    continue;
                };
                let met = match (d.done_on, d.state) {
                    (Some(done), _) => done <= due,
                    (None, DeadlineState::Overdue) => false,
                    // Not done and not yet due: neither met nor missed.
                    (None, _) => continue,
                };
                let e = acc.entry((month_of(due), dims(d.code))).or_default();
                e.0 += i64::from(met);
                e.1 += 1;
            }
        }
    }
    acc.into_iter()
        .map(|((month, dims), (num, den))| CubeRow {
            indicator: i.code.clone(),
            scope: "s",
            month,
            dims,
            num,
            den,
        })
        .collect()
}

/// Every month from `a` to `b` (`YYYY-MM`), both included; empty when either is not a month.
fn months_between(a: &str, b: &str) -> Vec<String> {
    let parse = |m: &str| NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").ok();
    let (Some(mut d), Some(end)) = (parse(a), parse(b)) else {
        return vec![];
    };
    let mut out = vec![];
    while d <= end && out.len() < 1200 {
        out.push(month_of(d));
        d = d
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(end + chrono::Duration::days(1));
    }
    out
}

fn month_of(d: NaiveDate) -> String {
    d.format("%Y-%m").to_string()
}

/// The programme's figures of a cube by month and one breakdown at a time (`dim` "" is
/// the total): `(indicator, month, dim, value) → (num, den)`.
pub fn programme_cells(rows: &[CubeRow]) -> BTreeMap<(String, String, String, String), (i64, i64)> {
    let mut cells: BTreeMap<(String, String, String, String), (i64, i64)> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.scope != "o") {
        let mut add = |dim: &str, value: &str| {
            let e = cells
                .entry((
                    r.indicator.clone(),
                    r.month.clone(),
                    dim.to_string(),
                    value.to_string(),
                ))
                .or_default();
            e.0 += r.num;
            e.1 += r.den;
        };
        add("", "");
        for (k, d) in DIMS.iter().enumerate() {
            add(d, &r.dims[k]);
        }
    }
    cells
}

/// A finished refresh.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Run {
    pub id: String,
    pub started_at: Ts,
    pub finished_at: Option<Ts>,
    /// The services counted.
    pub facts: i64,
    pub rows: i64,
    pub millis: i64,
}

/// Rows written per statement (14 values each) and statements per transaction: the
/// writer is held for a moment at a time, never for the whole refresh.
const INSERT_ROWS: usize = 200;
const STATEMENTS_PER_TX: usize = 20;

/// Computes the figures from the records and publishes them as the newest run; the run
/// before it is kept for readers still on it, older ones are removed.
pub async fn refresh(db: &Db) -> Result<Run> {
    refresh_timed(db).await.map(|(run, _)| run)
}

/// [`refresh`], with the time each grouping query took.
pub async fn refresh_timed(db: &Db) -> Result<(Run, Vec<Timing>)> {
    let started = std::time::Instant::now();
    let today = domain::clock::today();
    let id = new_id();
    let started_at = Ts::now();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query("INSERT INTO report_runs (id, started_at) VALUES ($1, $2)")
            .bind(&id)
            .bind(started_at)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    tx.commit().await?;
    let (rows, timings) = compute_timed(db, today).await?;
    // The services the run counted (the size of what it summed up).
    let facts: i64 = rows
        .iter()
        .filter(|r| r.indicator == "services")
        .map(|r| r.num)
        .sum();
    for chunk in rows.chunks(INSERT_ROWS * STATEMENTS_PER_TX) {
        let mut tx = db.begin().await?;
        for part in chunk.chunks(INSERT_ROWS) {
            with_tx!(&mut tx, |c| {
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO report_cube (run_id, indicator, scope, month, wp, service, org_id, sex, age_band, nationality, municipality, language, num, den) ",
                );
                qb.push_values(part, |mut b, r| {
                    b.push_bind(&id)
                        .push_bind(&r.indicator)
                        .push_bind(r.scope)
                        .push_bind(&r.month);
                    for d in &r.dims {
                        b.push_bind(d);
                    }
                    b.push_bind(r.num).push_bind(r.den);
                });
                qb.build().execute(&mut *c).await.map(|r| r.rows_affected())
            })
            .map_err(db_err)?;
        }
        tx.commit().await?;
    }
    let cells: Vec<_> = programme_cells(&rows).into_iter().collect();
    for chunk in cells.chunks(INSERT_ROWS * STATEMENTS_PER_TX) {
        let mut tx = db.begin().await?;
        for part in chunk.chunks(INSERT_ROWS) {
            with_tx!(&mut tx, |c| {
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO report_cells (run_id, indicator, month, dim, value, num, den) ",
                );
                qb.push_values(part, |mut b, ((ind, month, dim, value), (num, den))| {
                    b.push_bind(&id)
                        .push_bind(ind)
                        .push_bind(month)
                        .push_bind(dim)
                        .push_bind(value)
                        .push_bind(*num)
                        .push_bind(*den);
                });
                qb.build().execute(&mut *c).await.map(|r| r.rows_affected())
            })
            .map_err(db_err)?;
        }
        tx.commit().await?;
    }
    let millis = started.elapsed().as_millis() as i64;
    let finished_at = Ts::now();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query("UPDATE report_runs SET finished_at = $1, facts = $2, rows = $3, millis = $4 WHERE id = $5")
            .bind(finished_at)
            .bind(facts)
            .bind(rows.len() as i64)
            .bind(millis)
            .bind(&id)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    tx.commit().await?;
    prune_runs(db).await?;
    db.analyze().await?;
    Ok((
        Run {
            id,
            started_at,
            finished_at: Some(finished_at),
            facts,
            rows: rows.len() as i64,
            millis,
        },
        timings,
    ))
}

/// Removes every run but the two newest finished ones (and unfinished runs started
/// before them: a refresh that died).
async fn prune_runs(db: &Db) -> Result<()> {
    let keep: Vec<(String, Ts)> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT id, started_at FROM report_runs WHERE finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 2",
        )
        .fetch_all(p)
        .await
    })
    .map_err(db_err)?;
    let Some(oldest_kept) = keep.last().map(|(_, at)| *at) else {
        return Ok(());
    };
    let ids: Vec<String> = keep.into_iter().map(|(id, _)| id).collect();
    let gone: Vec<(String,)> = with_pool!(db, |p| {
        sqlx::query_as("SELECT id FROM report_runs WHERE started_at < $1")
            .bind(oldest_kept)
            .fetch_all(p)
            .await
    })
    .map_err(db_err)?;
    for (run,) in gone.into_iter().filter(|(r,)| !ids.contains(r)) {
        let mut tx = db.begin().await?;
        for sql in [
            "DELETE FROM report_cube WHERE run_id = $1",
            "DELETE FROM report_cells WHERE run_id = $1",
            "DELETE FROM report_runs WHERE id = $1",
        ] {
            with_tx!(&mut tx, |c| {
                sqlx::query(sql)
                    .bind(&run)
                    .execute(&mut *c)
                    .await
                    .map(|r| r.rows_affected())
            })
            .map_err(db_err)?;
        }
        tx.commit().await?;
    }
    Ok(())
}

/// The newest finished run, if any.
pub async fn current_run(db: &Db) -> Result<Option<Run>> {
    with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT id, started_at, finished_at, facts, rows, millis FROM report_runs \
             WHERE finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 1",
        )
        .fetch_optional(p)
        .await
    })
    .map_err(db_err)
}

/// Whose figures: the programme's, or one organisation's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Programme,
    Org(String),
}

/// A period as months, both ends included (`YYYY-MM`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub from: String,
    pub to: String,
}

impl Period {
    /// Months from the form: empty ends are open; anything but `YYYY-MM` is a field error.
    pub fn parse(from: &str, to: &str) -> Result<Period> {
        let mut errs = vec![];
        let mut month = |field: &str, v: &str, open: &str| -> String {
            let v = v.trim();
            if v.is_empty() {
                return open.to_string();
            }
            if NaiveDate::parse_from_str(&format!("{v}-01"), "%Y-%m-%d").is_err() {
                errs.push(domain::FieldError::new(field, "date_invalid"));
            }
            v.to_string()
        };
        let from = month("from", from, "0000-00");
        let to = month("to", to, "9999-99");
        if errs.is_empty() && from > to {
            errs.push(domain::FieldError::new("to", "date_before_start"));
        }
        if errs.is_empty() {
            Ok(Period { from, to })
        } else {
            Err(Error::Validation(errs))
        }
    }

    pub fn all() -> Period {
        Period {
            from: "0000-00".into(),
            to: "9999-99".into(),
        }
    }
}

/// An indicator's value over the period, by month and by each breakdown.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Figure {
    pub num: i64,
    pub den: i64,
    /// `(month, num, den)`, in order.
    pub months: Vec<(String, i64, i64)>,
    /// By breakdown name: `(value, num, den)`, largest first.
    pub by: BTreeMap<String, Vec<(String, i64, i64)>>,
}

/// The figures of a scope over a period, as of the newest run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Figures {
    pub run: Option<Run>,
    pub scope_org: Option<String>,
    pub indicators: Vec<Indicator>,
    pub figures: HashMap<String, Figure>,
}

impl Figures {
    pub fn figure(&self, code: &str) -> Option<&Figure> {
        self.figures.get(code)
    }
}

/// The organisations whose figures the actor may see alone (`None`: every one).
fn reachable_org(ctx: &Ctx) -> Result<Option<String>> {
    match ctx.actor.require(Permission::ViewReports)? {
        GrantScope::All => Ok(None),
        _ => Ok(Some(ctx.actor.org_id.clone().ok_or(Error::Forbidden)?)),
    }
}

/// Checks that the actor may see `scope`: the programme's totals for everyone with the
/// permission, an organisation's own figures for its staff, any for a programme-wide
/// grant (analysts, the Prefecture).
pub fn require_scope(ctx: &Ctx, scope: &Scope) -> Result<()> {
    let own = reachable_org(ctx)?;
    match (scope, own) {
        (Scope::Programme, _) | (Scope::Org(_), None) => Ok(()),
        (Scope::Org(o), Some(mine)) if *o == mine => Ok(()),
        _ => Err(Error::Forbidden),
    }
}

/// The figures the actor asked for (aggregates only: no person appears in them).
pub async fn figures(db: &Db, ctx: &Ctx, scope: &Scope, period: &Period) -> Result<Figures> {
    require_scope(ctx, scope)?;
    let today = domain::clock::today();
    let indicators = indicators(db, today).await?;
    let run = current_run(db).await?;
    let mut figures: HashMap<String, Figure> = HashMap::new();
    if let Some(run) = &run {
        // The programme's breakdowns are added up over the period by the database (a few
        // thousand rows instead of one per month and value); an organisation's are
        // computed from its rows of the cube.
        let cells: Vec<(String, String, String, String, i64, i64)> = match scope {
            Scope::Programme => with_pool!(db, |p| {
                async {
                    let mut rows: Vec<(String, String, String, String, i64, i64)> = sqlx::query_as(
                        "SELECT indicator, month, dim, value, num, den FROM report_cells \
                             WHERE run_id = $1 AND dim = '' AND month >= $2 AND month <= $3",
                    )
                    .bind(&run.id)
                    .bind(&period.from)
                    .bind(&period.to)
                    .fetch_all(p)
                    .await?;
                    rows.extend(
                        sqlx::query_as::<_, (String, String, String, String, i64, i64)>(
                            "SELECT indicator, '' AS month, dim, value, \
                             CAST(SUM(num) AS BIGINT), CAST(SUM(den) AS BIGINT) FROM report_cells \
                             WHERE run_id = $1 AND dim <> '' AND month >= $2 AND month <= $3 \
                             GROUP BY indicator, dim, value",
                        )
                        .bind(&run.id)
                        .bind(&period.from)
                        .bind(&period.to)
                        .fetch_all(p)
                        .await?,
                    );
                    Ok::<_, sqlx::Error>(rows)
                }
                .await
            })
            .map_err(db_err)?,
            Scope::Org(org) => {
                let rows = org_rows(db, &run.id, org, period).await?;
                programme_cells(&rows)
                    .into_iter()
                    .map(|((i, m, d, v), (n, k))| (i, m, d, v, n, k))
                    .collect()
            }
        };
        let mut by: HashMap<(String, String, String), (i64, i64)> = HashMap::new();
        for (ind, month, dim, value, num, den) in cells {
            if dim.is_empty() {
                let f = figures.entry(ind).or_default();
                f.num += num;
                f.den += den;
                f.months.push((month, num, den));
            } else {
                let e = by.entry((ind, dim, value)).or_default();
                e.0 += num;
                e.1 += den;
            }
        }
        for ((ind, dim, value), (num, den)) in by {
            figures
                .entry(ind)
                .or_default()
                .by
                .entry(dim)
                .or_default()
                .push((value, num, den));
        }
        // Every chart runs over the same months, those without figures at zero, so that
        // a gap reads as a gap.
        let first = figures
            .values()
            .flat_map(|f| f.months.first())
            .map(|m| m.0.clone())
            .min();
        let last = figures
            .values()
            .flat_map(|f| f.months.iter().map(|m| m.0.clone()))
            .max();
        let span = match (first, last) {
            (Some(a), Some(b)) => months_between(&a, &b),
            _ => vec![],
        };
        for f in figures.values_mut() {
            f.months.sort();
            for m in &span {
                if !f.months.iter().any(|x| &x.0 == m) {
                    f.months.push((m.clone(), 0, 0));
                }
            }
            f.months.sort();
            for list in f.by.values_mut() {
                list.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
            }
        }
    }
    Ok(Figures {
        run,
        scope_org: match scope {
            Scope::Programme => None,
            Scope::Org(o) => Some(o.clone()),
        },
        indicators,
        figures,
    })
}

/// An organisation's rows of the cube in a period, as rows of one scope: its persons
/// counted within it (`o` becomes `p`), the shared sums as they are.
async fn org_rows(db: &Db, run: &str, org: &str, period: &Period) -> Result<Vec<CubeRow>> {
    type Raw = (
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        i64,
        i64,
    );
    let raw: Vec<Raw> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT indicator, scope, month, wp, service, org_id, sex, age_band, nationality, municipality, language, num, den \
             FROM report_cube WHERE run_id = $1 AND org_id = $2 AND scope IN ('s', 'o') AND month >= $3 AND month <= $4",
        )
        .bind(run)
        .bind(org)
        .bind(&period.from)
        .bind(&period.to)
        .fetch_all(p)
        .await
    })
    .map_err(db_err)?;
    Ok(raw
        .into_iter()
        .map(
            |(indicator, _, month, a, b, c, d, e, f, g, h, num, den)| CubeRow {
                indicator,
                scope: "p",
                month,
                dims: [a, b, c, d, e, f, g, h],
                num,
                den,
            },
        )
        .collect())
}

/// A table published as open data: counts by one breakdown (or by month) with their total,
/// every count under the threshold and whatever would give one away suppressed (`None`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct OpenTable {
    /// `indicator_by_dim`, the file's name.
    pub code: String,
    pub indicator: String,
    /// `month` or a breakdown of [`DIMS`].
    pub dim: String,
    pub rows: Vec<(String, Option<i64>)>,
    pub total: Option<i64>,
}

/// What the open-data page publishes: indicator and breakdown.
pub const OPEN_TABLES: &[(&str, &str)] = &[
    ("tcn_reached", "month"),
    ("tcn_reached", "sex"),
    ("tcn_reached", "age_band"),
    ("tcn_reached", "nationality"),
    ("minors_reached", "nationality"),
    ("services", "wp"),
    ("services", "service"),
    ("contacts", "month"),
];

/// The open-data tables of the newest run, over the whole programme, suppressed
/// (`domain::suppression`): nothing else of the figures leaves for the public, and no
/// person's data is in them.
pub async fn open_tables(db: &Db) -> Result<(Option<Run>, Vec<OpenTable>)> {
    let Some(run) = current_run(db).await? else {
        return Ok((None, vec![]));
    };
    let cells: Vec<(String, String, String, String, i64)> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT indicator, month, dim, value, num FROM report_cells WHERE run_id = $1",
        )
        .bind(&run.id)
        .fetch_all(p)
        .await
    })
    .map_err(db_err)?;
    let mut out = vec![];
    for (indicator, dim) in OPEN_TABLES {
        let mut acc: BTreeMap<String, i64> = BTreeMap::new();
        for (ind, month, d, value, num) in &cells {
            if ind != indicator {
                continue;
            }
            match (*dim, d.as_str()) {
                ("month", "") => *acc.entry(month.clone()).or_default() += num,
                (want, have) if want == have => *acc.entry(value.clone()).or_default() += num,
                _ => {}
            }
        }
        let mut rows: Vec<(String, i64)> = acc.into_iter().collect();
        if *dim != "month" {
            rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        }
        let counts: Vec<i64> = rows.iter().map(|(_, n)| *n).collect();
        let shown = domain::suppression::publish(&domain::suppression::Table::one_way(&counts));
        let total = shown.last().copied().flatten();
        out.push(OpenTable {
            code: format!("{indicator}_by_{dim}"),
            indicator: (*indicator).to_string(),
            dim: (*dim).to_string(),
            rows: rows
                .into_iter()
                .zip(shown)
                .map(|((label, _), v)| (label, v))
                .collect(),
            total,
        });
    }
    Ok((Some(run), out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_between_runs_across_the_year_and_refuses_what_is_not_a_month() {
        assert_eq!(
            months_between("2025-11", "2026-02"),
            ["2025-11", "2025-12", "2026-01", "2026-02"]
        );
        assert!(months_between("2026-02", "2025-11").is_empty());
        assert!(months_between("0000-00", "2026-01").is_empty());
    }

    #[test]
    fn a_ratio_reads_as_a_percentage_or_an_average_and_nothing_of_nothing() {
        let mut i = Indicator {
            code: "x".into(),
            version: 1,
            valid_from: NaiveDate::MIN,
            valid_to: None,
            position: 1,
            wp: None,
            measure: "ratio".into(),
            source: "finding".into(),
            flags: String::new(),
            target: None,
            unit: "percent".into(),
            basis: String::new(),
            label_it: String::new(),
            label_en: String::new(),
        };
        assert_eq!(i.format(7, 8), "87.5%");
        assert_eq!(i.format(0, 0), "–");
        i.unit = "days".into();
        assert_eq!(i.format(45, 3), "15.0");
        assert!(i.check().is_ok());
        i.flags = "tcn; DROP TABLE persons".into();
        assert!(
            i.check().is_err(),
            "a flag goes into SQL only from the known list"
        );
    }
}
