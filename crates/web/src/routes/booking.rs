//! Booking an appointment at an info point without an account (public, every language),
//! finding it again with its code to cancel or move it, and the operators' agenda.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::NaiveDate;
use domain::Error;
use store::bookings::{BookInput, Booking, Slot};
use store::info_points::InfoPoint;

use super::public::{PublicCtx, public_ctx};
use crate::auth::{Auth, Info, ip_of};
use crate::error::{AppError, AppResult};
use crate::page::{PageCtx, render, render_status, see_other};
use crate::state::AppState;

/// An error of a public form, in the reader's language.
fn message(p: &PublicCtx, e: &Error) -> Option<(String, String)> {
    let (field, code) = match e {
        Error::Validation(f) => f
            .first()
            .map(|f| (f.field.clone(), f.code))
            .unwrap_or_default(),
        Error::RateLimited => (String::new(), "rate_limited"),
        _ => return None,
    };
    let id = format!("error-{code}");
    let text = p.tr.t(&id);
    Some((
        field,
        if text == id {
            p.tr.t("error-generic")
        } else {
            text
        },
    ))
}

#[derive(Template)]
#[template(path = "public_book.html")]
pub struct BookPage {
    pub p: PublicCtx,
    pub points: Vec<InfoPoint>,
    pub point: Option<InfoPoint>,
    pub services: Vec<(String, String)>,
    pub slots: Vec<Slot>,
    pub i: BookInput,
    pub error: Option<(String, String)>,
}

impl BookPage {
    pub fn service_name(&self, code: &str) -> String {
        super::public::name_in(&self.services, code)
    }
    /// Free slots grouped by day.
    pub fn days(&self) -> Vec<(NaiveDate, Vec<&Slot>)> {
        let mut out: Vec<(NaiveDate, Vec<&Slot>)> = vec![];
        for s in self.slots.iter().filter(|s| !s.taken) {
            match out.last_mut() {
                Some((d, v)) if *d == s.day() => v.push(s),
                _ => out.push((s.day(), vec![s])),
            }
        }
        out
    }
}

async fn book_page(
    st: &AppState,
    info: &crate::page::ReqInfo,
    lang: &str,
    mut i: BookInput,
    error: Option<(String, String)>,
) -> AppResult<BookPage> {
    let p = public_ctx(st, lang, "book-title", "/book", &info.csrf)?;
    let points = store::info_points::list(&st.db, &Default::default()).await?;
    let point = points.iter().find(|x| x.id == i.point).cloned();
    let slots = match &point {
        Some(pt) => store::bookings::slots(&st.db, &pt.id).await?,
        None => vec![],
    };
    if i.language.is_empty() {
        i.language = p.tr.lang.to_string();
    }
    let services = super::public::services(st, &p.tr).await?;
    Ok(BookPage {
        p,
        points,
        point,
        services,
        slots,
        i,
        error,
    })
}

/// `GET /{lang}/book?point=…`
pub async fn form(
    State(st): State<AppState>,
    Info(info): Info,
    Path(lang): Path<String>,
    Query(i): Query<BookInput>,
) -> AppResult<Response> {
    Ok(render(&book_page(&st, &info, &lang, i, None).await?))
}

#[derive(Template)]
#[template(path = "public_booking.html")]
pub struct BookingPage {
    pub p: PublicCtx,
    pub b: Option<Booking>,
    pub code: String,
    pub just_booked: bool,
    pub notice: Option<String>,
    pub slots: Vec<Slot>,
    pub error: Option<(String, String)>,
    pub service: String,
}

/// The code as shown ("K7M2-QX9P") whatever the reader typed.
fn tidy_code(code: &str) -> String {
    let c: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if c.len() == 8 {
        format!("{}-{}", &c[..4], &c[4..])
    } else {
        c
    }
}

/// Where a booking lives: its own address, which a reload or a bookmark opens again.
fn booking_url(lang: &str, code: &str, done: &str) -> String {
    let base = format!("/{lang}/booking/{}", tidy_code(code));
    if done.is_empty() {
        base
    } else {
        format!("{base}?done={done}")
    }
}

/// `POST /{lang}/book`: books, then sends the reader to the booking's own address, so a
/// reload shows the booking again instead of booking twice.
pub async fn book(
    State(st): State<AppState>,
    Info(info): Info,
    headers: HeaderMap,
    req_ext: axum::http::Extensions,
    Path(lang): Path<String>,
    Form(i): Form<BookInput>,
) -> AppResult<Response> {
    let ip = ip_of(&headers, &req_ext, st.cfg.trust_proxy);
    let p = public_ctx(&st, &lang, "booked-title", "/book", &info.csrf)?;
    match store::bookings::book(&st.db, &ip, &i).await {
        Ok((code, _)) => Ok(see_other(&booking_url(&lang, &code, "booked"))),
        Err(e) => match message(&p, &e) {
            Some(err) => {
                let status =
                    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
                let status = if matches!(&e, Error::Validation(f) if f.iter().any(|x| x.code == "slot_taken"))
                {
                    StatusCode::CONFLICT
                } else {
                    status
                };
                Ok(render_status(
                    status,
                    &book_page(&st, &info, &lang, i, Some(err)).await?,
                ))
            }
            None => Err(AppError(e)),
        },
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct DoneQ {
    done: String,
}

/// `GET /{lang}/booking/{code}`: one booking, by its code (lookups of unknown codes are
/// rate-limited like the form's).
pub async fn show(
    State(st): State<AppState>,
    Info(info): Info,
    headers: HeaderMap,
    req_ext: axum::http::Extensions,
    Path((lang, code)): Path<(String, String)>,
    Query(q): Query<DoneQ>,
) -> AppResult<Response> {
    let ip = ip_of(&headers, &req_ext, st.cfg.trust_proxy);
    let code = tidy_code(&code);
    let just_booked = q.done == "booked";
    let rest = format!("/booking/{code}");
    let p = public_ctx(
        &st,
        &lang,
        if just_booked {
            "booked-title"
        } else {
            "booking-title"
        },
        &rest,
        &info.csrf,
    )?;
    let notice = match q.done.as_str() {
        "cancelled" => Some(p.tr.t("booking-cancelled")),
        "moved" => Some(p.tr.t("booking-moved")),
        _ => None,
    };
    match store::bookings::find(&st.db, &ip, &code).await {
        Ok(b) => {
            let slots = if b.status == "booked" && !just_booked {
                store::bookings::slots(&st.db, &b.info_point_id).await?
            } else {
                vec![]
            };
            let service = service_name(&st, &p, &b.service).await?;
            Ok(render(&BookingPage {
                p,
                b: Some(b),
                code,
                just_booked,
                notice,
                slots,
                error: None,
                service,
            }))
        }
        Err(e) => match message(&p, &e) {
            Some(err) => Ok(render_status(
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::NOT_FOUND),
                &BookingPage {
                    p,
                    b: None,
                    code,
                    just_booked: false,
                    notice: None,
                    slots: vec![],
                    error: Some(err),
                    service: String::new(),
                },
            )),
            None => Err(AppError(e)),
        },
    }
}

async fn service_name(st: &AppState, p: &PublicCtx, code: &str) -> AppResult<String> {
    Ok(super::public::name_in(
        &super::public::services(st, &p.tr).await?,
        code,
    ))
}

/// `GET /{lang}/booking`: the form asking for the code.
pub async fn find_form(
    State(st): State<AppState>,
    Info(info): Info,
    Path(lang): Path<String>,
) -> AppResult<Response> {
    let p = public_ctx(&st, &lang, "booking-title", "/booking", &info.csrf)?;
    Ok(render(&BookingPage {
        p,
        b: None,
        code: String::new(),
        just_booked: false,
        notice: None,
        slots: vec![],
        error: None,
        service: String::new(),
    }))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    code: String,
    action: String,
    slot_id: String,
}

/// `POST /{lang}/booking`: find (`action` empty), `cancel` or `move` a booking by its code.
pub async fn manage(
    State(st): State<AppState>,
    Info(info): Info,
    headers: HeaderMap,
    req_ext: axum::http::Extensions,
    Path(lang): Path<String>,
    Form(f): Form<CodeForm>,
) -> AppResult<Response> {
    let ip = ip_of(&headers, &req_ext, st.cfg.trust_proxy);
    let p = public_ctx(&st, &lang, "booking-title", "/booking", &info.csrf)?;
    let (result, done) = match f.action.as_str() {
        "cancel" => (
            store::bookings::cancel(&st.db, &ip, &f.code).await,
            "cancelled",
        ),
        "move" => (
            store::bookings::move_to(&st.db, &ip, &f.code, &f.slot_id).await,
            "moved",
        ),
        _ => (store::bookings::find(&st.db, &ip, &f.code).await, ""),
    };
    match result {
        // The booking's own address shows it, after a reload too.
        Ok(_) => Ok(see_other(&booking_url(&lang, &f.code, done))),
        Err(e) => match message(&p, &e) {
            Some(err) => {
                let status =
                    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
                // A refused move still shows the booking, with the error beside the times.
                let b = if f.action == "move" {
                    store::bookings::find(&st.db, &ip, &f.code).await.ok()
                } else {
                    None
                };
                let slots = match &b {
                    Some(b) => store::bookings::slots(&st.db, &b.info_point_id).await?,
                    None => vec![],
                };
                let service = match &b {
                    Some(b) => service_name(&st, &p, &b.service).await?,
                    None => String::new(),
                };
                Ok(render_status(
                    status,
                    &BookingPage {
                        p,
                        b,
                        code: f.code.trim().to_string(),
                        just_booked: false,
                        notice: None,
                        slots,
                        error: Some(err),
                        service,
                    },
                ))
            }
            None => Err(AppError(e)),
        },
    }
}

#[derive(Template)]
#[template(path = "agenda.html")]
pub struct AgendaPage {
    pub page: PageCtx,
    pub day: NaiveDate,
    pub lines: Vec<store::bookings::AgendaLine>,
    pub services: Vec<(String, String)>,
}

impl AgendaPage {
    pub fn service_name(&self, code: &str) -> String {
        super::public::name_in(&self.services, code)
    }
    pub fn autonym(&self, code: &str) -> &'static str {
        domain::languages::autonym(code)
    }
}

#[derive(serde::Deserialize, Default)]
pub struct DayQ {
    #[serde(default)]
    day: String,
}

/// `GET /agenda?day=…`: the day's appointments at the organisation's info points.
pub async fn agenda(
    State(st): State<AppState>,
    auth: Auth,
    Query(q): Query<DayQ>,
) -> AppResult<Response> {
    let day =
        NaiveDate::parse_from_str(&q.day, "%Y-%m-%d").unwrap_or_else(|_| domain::clock::today());
    let lines = store::bookings::agenda(&st.db, &auth.ctx, day).await?;
    let lang = auth.lang();
    let services = store::catalogue::procedures(&st.db)
        .await?
        .into_iter()
        .map(|p| (p.code.clone(), p.name(lang.as_str()).to_string()))
        .collect();
    Ok(render(&AgendaPage {
        page: auth.info.page(&auth.info.tr.t("agenda-title")),
        day,
        lines,
        services,
    }))
}
