//! The reports: the programme's dashboard, each partner's, the hub's and the monitoring
//! office's, over a period and by one breakdown at a time. Every chart is SVG drawn here
//! with the table of its figures beside it; figures come from the newest refresh
//! (`store::reports`), whose time the page shows.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::Error;
use domain::account::Scope as GrantScope;
use domain::policy::Permission;
use serde::Deserialize;
use store::reports::{Figure, Figures, Indicator, Period, Scope};

use crate::auth::Auth;
use crate::error::AppResult;
use crate::export::{Cell, Sheet};
use crate::forms::FormErrors;
use crate::page::{PageCtx, render_status, see_other};
use crate::state::AppState;

/// The dashboards, each a selection of the indicators for whoever steers that part.
pub const BOARDS: &[&str] = &["programme", "hub", "monitoring"];

/// The breakdowns offered, as the cube names them.
pub const BREAKDOWNS: &[&str] = store::reports::DIMS;

fn on_board(board: &str, i: &Indicator) -> bool {
    match board {
        "hub" => i.wp.as_deref() == Some("WP4"),
        "monitoring" => {
            i.wp.as_deref() == Some("WP3")
                || [
                    "vulnerable_reached",
                    "legal_assisted",
                    "staff_trained",
                    "training_useful",
                ]
                .contains(&i.code.as_str())
        }
        _ => true,
    }
}

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    #[serde(default)]
    board: String,
    /// An organisation's id, or empty for the programme.
    #[serde(default)]
    org: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    by: String,
    /// `asked`: back from asking for a refresh.
    #[serde(default)]
    refresh: String,
}

/// One indicator as the page shows it.
pub struct Row {
    pub code: String,
    pub label: String,
    pub basis: String,
    pub value: String,
    /// The programme's value beside an organisation's.
    pub programme: Option<String>,
    pub target: Option<i32>,
    /// Progress towards the target, in percent (capped at 100 for the bar).
    pub progress: Option<f64>,
    pub chart: String,
    /// `(month, value)` for the table behind the chart.
    pub months: Vec<(String, String)>,
}

impl Row {
    pub fn progress_text(&self) -> String {
        self.progress
            .map(|p| format!("{p:.1}%"))
            .unwrap_or_default()
    }

    pub fn progress_bar(&self) -> String {
        self.progress
            .map(|p| format!("{:.0}", p.min(100.0)))
            .unwrap_or_default()
    }
}

/// The breakdown table: one line per value, one column per indicator on the board that
/// counts (persons and sums).
pub struct Breakdown {
    pub dim: String,
    pub columns: Vec<String>,
    pub lines: Vec<(String, Vec<String>)>,
    pub chart: String,
}

#[derive(Template)]
#[template(path = "reports.html")]
pub struct ReportsPage {
    pub page: PageCtx,
    pub board: String,
    pub boards: Vec<(&'static str, String)>,
    pub org: String,
    pub orgs: Vec<(String, String)>,
    pub from: String,
    pub to: String,
    pub by: String,
    pub breakdowns: Vec<(&'static str, String)>,
    pub as_of: Option<String>,
    pub can_refresh: bool,
    pub refreshed: bool,
    /// The query that gives the same tables as files.
    pub export_query: String,
    /// The year whose annual report is due (the past one).
    pub annual_year: i32,
    pub rows: Vec<Row>,
    pub breakdown: Option<Breakdown>,
    pub errors: FormErrors,
}

fn default_board(auth: &Auth) -> &'static str {
    if auth.ctx.actor.can(Permission::ViewMinors) {
        "hub"
    } else if auth.ctx.actor.can(Permission::Inspect) {
        "monitoring"
    } else {
        "programme"
    }
}

fn whole_programme(auth: &Auth) -> bool {
    matches!(
        auth.ctx.actor.scope_for(Permission::ViewReports),
        Some(GrantScope::All)
    )
}

/// What a report request asked for and the figures it gets: shared by the page and its
/// exports, so a file holds exactly the tables the page shows.
struct Loaded {
    lang: &'static str,
    board: String,
    org: String,
    all: bool,
    by: String,
    period: Period,
    errors: Option<Error>,
    figures: Figures,
    programme: Option<Figures>,
    orgs: Vec<(String, String)>,
    names: HashMap<String, String>,
    services: HashMap<String, String>,
}

impl Loaded {
    fn on_board(&self) -> Vec<&Indicator> {
        self.figures
            .indicators
            .iter()
            .filter(|i| on_board(&self.board, i))
            .collect()
    }

    fn label_of(&self, tr: &crate::i18n::Tr, dim: &str, value: &str) -> String {
        match dim {
            "org_id" if !value.is_empty() => self
                .names
                .get(value)
                .cloned()
                .unwrap_or_else(|| value.into()),
            "service" if !value.is_empty() => self
                .services
                .get(value)
                .cloned()
                .unwrap_or_else(|| value.replace(',', ", ")),
            _ => plain_label(tr, dim, value),
        }
    }

    /// The board's indicators that count (persons and sums), for breakdowns.
    fn counted(&self) -> Vec<&Indicator> {
        self.on_board()
            .into_iter()
            .filter(|i| i.unit == "count")
            .collect()
    }

    /// The values of the breakdown, in the order of the first indicator's figures.
    fn breakdown_values(&self) -> Vec<String> {
        let mut values: Vec<String> = vec![];
        for i in self.counted() {
            if let Some(list) = self
                .figures
                .figure(&i.code)
                .and_then(|f| f.by.get(&self.by))
            {
                for (v, _, _) in list {
                    if !values.contains(v) {
                        values.push(v.clone());
                    }
                }
            }
        }
        values
    }

    fn breakdown_value(&self, i: &Indicator, v: &str) -> (i64, i64) {
        self.figures
            .figure(&i.code)
            .and_then(|f| f.by.get(&self.by))
            .and_then(|l| l.iter().find(|(x, _, _)| x == v))
            .map(|(_, n, d)| (*n, *d))
            .unwrap_or_default()
    }
}

async fn load(st: &AppState, auth: &Auth, q: &ReportQuery) -> AppResult<Loaded> {
    auth.ctx.actor.require(Permission::ViewReports)?;
    let lang = auth.lang().as_str();
    let board = if BOARDS.contains(&q.board.as_str()) {
        q.board.clone()
    } else {
        default_board(auth).to_string()
    };
    let all = whole_programme(auth);
    let own = auth.ctx.actor.org_id.clone().unwrap_or_default();
    // Staff of an organisation see their own figures first, with the programme's beside.
    let org = match q.org.trim() {
        "" if !all && q.board.is_empty() && q.from.is_empty() => own.clone(),
        o => o.to_string(),
    };
    let scope = if org.is_empty() {
        Scope::Programme
    } else {
        Scope::Org(org.clone())
    };
    // A breakdown not in the list (a hand-edited address) is said, not silently replaced.
    let mut field_errors = vec![];
    let by = if BREAKDOWNS.contains(&q.by.as_str()) {
        q.by.clone()
    } else {
        if !q.by.is_empty() {
            field_errors.push(domain::FieldError::new("by", "field_invalid_choice"));
        }
        "sex".to_string()
    };
    let period = match Period::parse(&q.from, &q.to) {
        Ok(p) => p,
        Err(Error::Validation(v)) => {
            field_errors.extend(v);
            Period::all()
        }
        Err(e) => return Err(e.into()),
    };
    let errors = (!field_errors.is_empty()).then_some(Error::Validation(field_errors));
    let figures = store::reports::figures(&st.db, &auth.ctx, &scope, &period).await?;
    let programme = match scope {
        Scope::Org(_) => {
            Some(store::reports::figures(&st.db, &auth.ctx, &Scope::Programme, &period).await?)
        }
        Scope::Programme => None,
    };
    let orgs_all = store::account::list_orgs(&st.db, &auth.ctx).await?;
    let names: HashMap<String, String> = orgs_all
        .iter()
        .map(|o| (o.id.clone(), o.name.clone()))
        .collect();
    let orgs: Vec<(String, String)> = orgs_all
        .iter()
        .filter(|o| all || o.id == own)
        .map(|o| (o.id.clone(), o.name.clone()))
        .collect();
    let services: HashMap<String, String> = store::catalogue::procedures(&st.db)
        .await?
        .into_iter()
        .map(|p| (p.code.clone(), p.name(lang).to_string()))
        .collect();
    Ok(Loaded {
        lang,
        board,
        org,
        all,
        by,
        period,
        errors,
        figures,
        programme,
        orgs,
        names,
        services,
    })
}

/// `GET /reports`
pub async fn dashboard(
    State(st): State<AppState>,
    auth: Auth,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let tr = auth.info.tr;
    let l = load(&st, &auth, &q).await?;
    let lang = l.lang;
    let empty = Figure::default();
    let rows: Vec<Row> = l
        .on_board()
        .iter()
        .enumerate()
        .map(|(k, i)| {
            let f = l.figures.figure(&i.code).unwrap_or(&empty);
            let label = i.label(lang).to_string();
            let points: Vec<(String, Option<f64>)> = f
                .months
                .iter()
                .map(|(m, n, d)| (m.clone(), i.value(*n, *d)))
                .collect();
            Row {
                code: i.code.clone(),
                basis: i.basis.clone(),
                value: i.format(f.num, f.den),
                programme: l.programme.as_ref().map(|p: &Figures| {
                    let pf = p.figure(&i.code).unwrap_or(&empty);
                    i.format(pf.num, pf.den)
                }),
                target: i.target,
                progress: i
                    .target
                    .filter(|t| *t > 0)
                    .map(|t| f.num as f64 * 100.0 / f64::from(t)),
                // An indicator keeps its colour on every board: its place in the list.
                chart: crate::svg::bars(
                    &points,
                    &label,
                    crate::svg::PALETTE[l
                        .figures
                        .indicators
                        .iter()
                        .position(|x| x.code == i.code)
                        .unwrap_or(k)
                        % crate::svg::PALETTE.len()],
                ),
                months: f
                    .months
                    .iter()
                    .map(|(m, n, d)| (m.clone(), i.format(*n, *d)))
                    .collect(),
                label,
            }
        })
        .collect();
    let counted = l.counted();
    let breakdown = (!counted.is_empty()).then(|| {
        let values = l.breakdown_values();
        let lines: Vec<(String, Vec<String>)> = values
            .iter()
            .map(|v| {
                (
                    l.label_of(&tr, &l.by, v),
                    counted
                        .iter()
                        .map(|i| {
                            let (n, d) = l.breakdown_value(i, v);
                            i.format(n, d)
                        })
                        .collect(),
                )
            })
            .collect();
        let chart_rows: Vec<(String, f64)> = counted
            .first()
            .and_then(|i| l.figures.figure(&i.code))
            .and_then(|f| f.by.get(&l.by))
            .map(|list| {
                list.iter()
                    .take(20)
                    .map(|(v, n, _)| (l.label_of(&tr, &l.by, v), *n as f64))
                    .collect()
            })
            .unwrap_or_default();
        let title = counted
            .first()
            .map(|i| {
                format!(
                    "{} — {}",
                    i.label(lang),
                    tr.t(&format!("report-by-{}", l.by))
                )
            })
            .unwrap_or_default();
        Breakdown {
            dim: l.by.clone(),
            columns: counted.iter().map(|i| i.label(lang).to_string()).collect(),
            lines,
            chart: crate::svg::hbars(&chart_rows, &title),
        }
    });
    let (errors, status) = match &l.errors {
        Some(e) => (
            FormErrors::from_error(e, &tr).unwrap_or_default(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        None => (FormErrors::default(), StatusCode::OK),
    };
    let page = ReportsPage {
        page: auth.info.page(&tr.t("reports-title")),
        boards: BOARDS
            .iter()
            .map(|b| (*b, tr.t(&format!("report-board-{b}"))))
            .collect(),
        board: l.board.clone(),
        org: l.org.clone(),
        orgs: l.orgs.clone(),
        from: q.from.trim().to_string(),
        to: q.to.trim().to_string(),
        breakdowns: BREAKDOWNS
            .iter()
            .map(|b| (*b, tr.t(&format!("report-by-{b}"))))
            .collect(),
        by: l.by.clone(),
        as_of: l.figures.run.as_ref().and_then(|r| r.finished_at).map(|t| {
            domain::clock::rome(t.0)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        }),
        can_refresh: l.all,
        refreshed: q.refresh == "asked",
        export_query: export_query(&l),
        annual_year: chrono::Datelike::year(&domain::clock::today()) - 1,
        rows,
        breakdown,
        errors,
    };
    Ok(render_status(status, &page))
}

/// The query string that gives the same tables as a file.
fn export_query(l: &Loaded) -> String {
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let open = |v: &str, o: &str| if v == o { String::new() } else { v.to_string() };
    format!(
        "board={}&org={}&from={}&to={}&by={}",
        enc(&l.board),
        enc(&l.org),
        enc(&open(&l.period.from, "0000-00")),
        enc(&open(&l.period.to, "9999-99")),
        enc(&l.by)
    )
}

/// The page's tables as sheets: the indicators of the period, each one by month, and the
/// breakdown. Numbers stay numbers (shares as percentages, averages with a decimal).
fn sheets(l: &Loaded, tr: &crate::i18n::Tr) -> Vec<Sheet> {
    let empty = Figure::default();
    let on = l.on_board();
    let mut summary = Sheet {
        name: tr.t("report-summary"),
        columns: vec![
            tr.t("report-code"),
            tr.t("report-indicator"),
            tr.t("report-value"),
            tr.t("report-target"),
            tr.t("report-basis"),
        ],
        rows: vec![],
    };
    if l.programme.is_some() {
        summary.columns.insert(3, tr.t("report-programme-value"));
    }
    let mut months = Sheet {
        name: tr.t("report-month"),
        columns: vec![
            tr.t("report-code"),
            tr.t("report-indicator"),
            tr.t("report-month"),
            tr.t("report-value"),
        ],
        rows: vec![],
    };
    for i in &on {
        let f = l.figures.figure(&i.code).unwrap_or(&empty);
        let mut row = vec![
            Cell::Text(i.code.clone()),
            Cell::Text(i.label(l.lang).to_string()),
            cell(i, f.num, f.den),
            i.target.map_or(Cell::Empty, |t| Cell::Int(i64::from(t))),
            Cell::Text(i.basis.clone()),
        ];
        if let Some(p) = &l.programme {
            let pf = p.figure(&i.code).unwrap_or(&empty);
            row.insert(3, cell(i, pf.num, pf.den));
        }
        summary.rows.push(row);
        for (m, n, d) in &f.months {
            months.rows.push(vec![
                Cell::Text(i.code.clone()),
                Cell::Text(i.label(l.lang).to_string()),
                Cell::Text(m.clone()),
                cell(i, *n, *d),
            ]);
        }
    }
    let counted = l.counted();
    let mut breakdown = Sheet {
        name: tr.t(&format!("report-by-{}", l.by)),
        columns: vec![tr.t(&format!("report-by-{}", l.by))],
        rows: vec![],
    };
    breakdown
        .columns
        .extend(counted.iter().map(|i| i.label(l.lang).to_string()));
    for v in l.breakdown_values() {
        let mut row = vec![Cell::Text(l.label_of(tr, &l.by, &v))];
        for i in &counted {
            let (n, d) = l.breakdown_value(i, &v);
            row.push(cell(i, n, d));
        }
        breakdown.rows.push(row);
    }
    vec![summary, months, breakdown]
}

/// An indicator's value as a spreadsheet cell: a count as a number, a share as a
/// percentage, an average with a decimal, nothing for a ratio of nothing.
fn cell(i: &Indicator, n: i64, d: i64) -> Cell {
    match (i.unit.as_str(), i.value(n, d)) {
        ("percent", Some(v)) => Cell::Percent(v / 100.0),
        ("days", Some(v)) => Cell::Num(v),
        (_, None) => Cell::Empty,
        _ => Cell::Int(n),
    }
}

#[derive(Deserialize)]
pub struct ExportQuery {
    #[serde(flatten)]
    q: ReportQuery,
    /// For CSV, one table: `summary`, `months` or `breakdown`.
    #[serde(default)]
    table: String,
}

/// `GET /reports/export.xlsx`: the page's tables as one workbook (aggregates only).
pub async fn export_xlsx(
    State(st): State<AppState>,
    auth: Auth,
    Query(e): Query<ExportQuery>,
) -> AppResult<Response> {
    let l = load(&st, &auth, &e.q).await?;
    if let Some(err) = l.errors {
        return Err(err.into());
    }
    let bytes = crate::export::xlsx(&sheets(&l, &auth.info.tr))
        .map_err(|e| Error::Internal(format!("xlsx: {e}")))?;
    Ok(file(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("sprint-{}.xlsx", l.board),
    ))
}

/// `GET /reports/export.csv?table=…`: one of the page's tables.
pub async fn export_csv(
    State(st): State<AppState>,
    auth: Auth,
    Query(e): Query<ExportQuery>,
) -> AppResult<Response> {
    let l = load(&st, &auth, &e.q).await?;
    if let Some(err) = l.errors {
        return Err(err.into());
    }
    let k = match e.table.as_str() {
        "" | "summary" => 0,
        "months" => 1,
        "breakdown" => 2,
        _ => return Err(Error::field("table", "field_invalid_choice").into()),
    };
    let all = sheets(&l, &auth.info.tr);
    let sheet = all.get(k).ok_or(Error::NotFound)?;
    let bytes = crate::export::csv(sheet).map_err(|e| Error::Internal(format!("csv: {e}")))?;
    let table = if e.table.is_empty() {
        "summary"
    } else {
        e.table.as_str()
    };
    Ok(file(
        bytes,
        "text/csv; charset=utf-8",
        &format!("sprint-{}-{table}.csv", l.board),
    ))
}

pub(crate) fn file(bytes: Vec<u8>, media_type: &'static str, name: &str) -> Response {
    use axum::http::{HeaderValue, header};
    let mut res = Response::new(axum::body::Body::from(bytes));
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    h.insert(
        header::CONTENT_DISPOSITION,
        super::case_records::attachment(name),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    res
}

/// `POST /reports/refresh`: asks for the figures to be computed again now (those who see
/// the whole programme). The job runs on whichever instance claims it first.
pub async fn refresh(State(st): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::ViewReports)?;
    if !whole_programme(&auth) {
        return Err(Error::Forbidden.into());
    }
    let now = store::Ts::now();
    store::jobs::enqueue(
        &st.db,
        store::jobs::REFRESH_REPORTS,
        &format!("{}@asked-{}", store::jobs::REFRESH_REPORTS, now.precise()),
        "{}",
        now,
    )
    .await?;
    Ok(see_other("/reports?refresh=asked"))
}

#[derive(Deserialize, Default)]
pub struct AnnualQuery {
    /// The year reported (by 15 February of the next one); the past year when empty.
    #[serde(default)]
    year: String,
}

/// The annual report's figures: each indicator in the year and since the programme began.
struct Annual {
    year: i32,
    in_year: Figures,
    to_date: Figures,
}

async fn annual(st: &AppState, auth: &Auth, q: &AnnualQuery) -> AppResult<Annual> {
    auth.ctx.actor.require(Permission::ViewReports)?;
    let this_year = chrono::Datelike::year(&domain::clock::today());
    let year = match q.year.trim() {
        "" => this_year - 1,
        y => y
            .parse::<i32>()
            .ok()
            .filter(|y| (2024..=this_year).contains(y))
            .ok_or_else(|| Error::field("year", "field_invalid_choice"))?,
    };
    let in_year = Period {
        from: format!("{year:04}-01"),
        to: format!("{year:04}-12"),
    };
    let to_date = Period {
        from: Period::all().from,
        to: format!("{year:04}-12"),
    };
    Ok(Annual {
        year,
        in_year: store::reports::figures(&st.db, &auth.ctx, &Scope::Programme, &in_year).await?,
        to_date: store::reports::figures(&st.db, &auth.ctx, &Scope::Programme, &to_date).await?,
    })
}

/// A breakdown's value in words where it is a code (sex), "unknown" where empty; the rest
/// (age bands, nationality codes, work packages) reads as it is.
fn plain_label(tr: &crate::i18n::Tr, dim: &str, value: &str) -> String {
    match (dim, value) {
        (_, "") => tr.t("report-unknown"),
        ("sex", s) => tr.t(&format!("sex-{s}")),
        (_, s) => s.to_string(),
    }
}

/// The annual report's breakdowns: the persons reached in the year by each of these.
const ANNUAL_BREAKDOWNS: &[&str] = &["sex", "age_band", "nationality", "wp"];

/// `GET /reports/annual.pdf?year=`: the FAMI annual performance report of the programme
/// (AMIF Reg. 2021/1147 art. 35): every indicator in the year and to date against its
/// target, and the persons reached by sex, age band, nationality and work package.
pub async fn annual_pdf(
    State(st): State<AppState>,
    auth: Auth,
    Query(q): Query<AnnualQuery>,
) -> AppResult<Response> {
    use print::{Report, Section, SectionBody};
    let a = annual(&st, &auth, &q).await?;
    let tr = auth.info.tr;
    let lang = auth.lang().as_str();
    let empty = Figure::default();
    let mut sections = vec![Section {
        heading: tr.t("annual-about"),
        body: SectionBody::Fields(vec![
            (tr.t("annual-programme"), tr.t("annual-programme-name")),
            (tr.t("annual-year"), a.year.to_string()),
            (tr.t("annual-deadline"), format!("{}-02-15", a.year + 1)),
            (
                tr.t("annual-as-of"),
                a.in_year
                    .run
                    .as_ref()
                    .and_then(|r| r.finished_at)
                    .map(|t| {
                        domain::clock::rome(t.0)
                            .format("%Y-%m-%d %H:%M")
                            .to_string()
                    })
                    .unwrap_or_else(|| tr.t("report-none-yet")),
            ),
        ]),
    }];
    let rows: Vec<Vec<String>> = a
        .in_year
        .indicators
        .iter()
        .map(|i| {
            let y = a.in_year.figure(&i.code).unwrap_or(&empty);
            let d = a.to_date.figure(&i.code).unwrap_or(&empty);
            vec![
                i.label(lang).to_string(),
                i.format(y.num, y.den),
                i.format(d.num, d.den),
                i.target
                    .map(|t| t.to_string())
                    .unwrap_or_else(|| "—".into()),
                i.target
                    .filter(|t| *t > 0)
                    .map(|t| format!("{:.1}%", d.num as f64 * 100.0 / f64::from(t)))
                    .unwrap_or_else(|| "—".into()),
            ]
        })
        .collect();
    sections.push(Section {
        heading: tr.t("annual-indicators"),
        body: SectionBody::Table {
            columns: vec![
                tr.t("report-indicator"),
                tr.t1("annual-in-year", "year", a.year),
                tr.t("annual-to-date"),
                tr.t("report-target"),
                tr.t("report-progress"),
            ],
            rows,
        },
    });
    let reached = a.in_year.figure("tcn_reached").unwrap_or(&empty);
    for dim in ANNUAL_BREAKDOWNS {
        let rows: Vec<Vec<String>> = reached
            .by
            .get(*dim)
            .map(|l| {
                l.iter()
                    .map(|(v, n, _)| vec![plain_label(&tr, dim, v), n.to_string()])
                    .collect()
            })
            .unwrap_or_default();
        sections.push(Section {
            heading: format!(
                "{} — {}",
                tr.t("annual-reached"),
                tr.t(&format!("report-by-{dim}"))
            ),
            body: if rows.is_empty() {
                SectionBody::Empty(tr.t("report-no-data"))
            } else {
                SectionBody::Table {
                    columns: vec![tr.t(&format!("report-by-{dim}")), tr.t("open-data-count")],
                    rows,
                }
            },
        });
    }
    sections.push(Section {
        heading: tr.t("annual-method"),
        body: SectionBody::Text(format!(
            "{}\n\n{}",
            tr.t("report-counting"),
            a.in_year
                .indicators
                .iter()
                .map(|i| format!("{} (v{}): {}", i.code, i.version, i.basis))
                .collect::<Vec<_>>()
                .join("\n\n")
        )),
    });
    let report = Report {
        title: tr.t1("annual-title", "year", a.year),
        subtitle: Some(tr.t("annual-programme-name")),
        generated_line: tr.t1("annual-generated", "name", auth.user.full_name.clone()),
        footer: tr.t("annual-footer"),
        sections,
    };
    super::person_export::pdf_response(report, lang, &format!("sprint-fami-{}.pdf", a.year)).await
}

/// `GET /reports/annual.xlsx?year=`: the same report's tables as a workbook.
pub async fn annual_xlsx(
    State(st): State<AppState>,
    auth: Auth,
    Query(q): Query<AnnualQuery>,
) -> AppResult<Response> {
    let a = annual(&st, &auth, &q).await?;
    let tr = auth.info.tr;
    let lang = auth.lang().as_str();
    let empty = Figure::default();
    let mut indicators = Sheet {
        name: tr.t("annual-indicators"),
        columns: vec![
            tr.t("report-code"),
            tr.t("report-indicator"),
            tr.t1("annual-in-year", "year", a.year),
            tr.t("annual-to-date"),
            tr.t("report-target"),
            tr.t("report-progress"),
            tr.t("report-basis"),
        ],
        rows: vec![],
    };
    for i in &a.in_year.indicators {
        let y = a.in_year.figure(&i.code).unwrap_or(&empty);
        let d = a.to_date.figure(&i.code).unwrap_or(&empty);
        indicators.rows.push(vec![
            Cell::Text(i.code.clone()),
            Cell::Text(i.label(lang).to_string()),
            cell(i, y.num, y.den),
            cell(i, d.num, d.den),
            i.target.map_or(Cell::Empty, |t| Cell::Int(i64::from(t))),
            i.target
                .filter(|t| *t > 0)
                .map_or(Cell::Empty, |t| Cell::Percent(d.num as f64 / f64::from(t))),
            Cell::Text(i.basis.clone()),
        ]);
    }
    let mut sheets = vec![indicators];
    let reached = a.in_year.figure("tcn_reached").unwrap_or(&empty);
    for dim in ANNUAL_BREAKDOWNS {
        sheets.push(Sheet {
            name: tr.t(&format!("report-by-{dim}")),
            columns: vec![tr.t(&format!("report-by-{dim}")), tr.t("open-data-count")],
            rows: reached
                .by
                .get(*dim)
                .map(|l| {
                    l.iter()
                        .map(|(v, n, _)| vec![Cell::Text(plain_label(&tr, dim, v)), Cell::Int(*n)])
                        .collect()
                })
                .unwrap_or_default(),
        });
    }
    let bytes = crate::export::xlsx(&sheets).map_err(|e| Error::Internal(format!("xlsx: {e}")))?;
    Ok(file(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("sprint-fami-{}.xlsx", a.year),
    ))
}
