//! Appointments at an info point without an account: the free slots of the next two weeks
//! (made from the opening hours), a booking that gets a code, and the code to find, cancel
//! or move it. A slot holds one live booking (a unique index: two requests at the same
//! moment cannot both win). Bookings and failed code look-ups are limited per address.

use chrono::{Duration, NaiveDate, NaiveTime};
use domain::policy::Permission;
use domain::{Error, FieldError, Result};
use serde_json::json;

use crate::audit::{self, Event};
use crate::crypto::keyring;
use crate::db::{Ctx, Db, db_err};
use crate::{Ts, new_id, with_pool, with_tx};

/// Minutes of one appointment.
pub const SLOT_MINUTES: i64 = 30;
/// Days ahead that can be booked.
pub const DAYS_AHEAD: i64 = 14;
/// Bookings one address may make in an hour, and failed code look-ups in 15 minutes.
const BOOKINGS_PER_HOUR: i64 = 5;
const LOOKUPS_PER_QUARTER: i64 = 20;

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Slot {
    pub id: String,
    pub starts_at: Ts,
    pub minutes: i32,
    pub taken: bool,
}

impl Slot {
    /// Rome's date and time of the slot.
    pub fn day(&self) -> NaiveDate {
        domain::clock::rome(self.starts_at.0).date()
    }
    pub fn time(&self) -> String {
        domain::clock::rome(self.starts_at.0)
            .format("%H:%M")
            .to_string()
    }
}

/// Makes the slots of the next days from the opening hours (those already made stay).
async fn ensure_slots(db: &Db, info_point: &str) -> Result<()> {
    let hours: Vec<(i32, String, String)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT weekday, opens_at, closes_at FROM info_point_hours WHERE info_point_id = $1"
    )
    .bind(info_point)
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    let today = domain::clock::today();
    let mut starts = vec![];
    for d in 0..=DAYS_AHEAD {
        let day = today + Duration::days(d);
        let weekday = chrono::Datelike::weekday(&day).number_from_monday() as i32;
        for (w, opens, closes) in hours.iter().filter(|h| h.0 == weekday) {
            let _ = w;
            let (Ok(o), Ok(c)) = (
                NaiveTime::parse_from_str(opens, "%H:%M"),
                NaiveTime::parse_from_str(closes, "%H:%M"),
            ) else {
                continue;
            };
            let mut t = o;
            while t + Duration::minutes(SLOT_MINUTES) <= c {
                if let Some(at) = domain::clock::from_rome(day.and_time(t)) {
                    starts.push(Ts::from_datetime(at));
                }
                t += Duration::minutes(SLOT_MINUTES);
            }
        }
    }
    if starts.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    for at in starts {
        with_tx!(&mut tx, |c| sqlx::query(
            "INSERT INTO booking_slots (id, info_point_id, starts_at, minutes) VALUES ($1,$2,$3,$4) \
             ON CONFLICT (info_point_id, starts_at) DO NOTHING"
        )
        .bind(new_id())
        .bind(info_point)
        .bind(at)
        .bind(SLOT_MINUTES as i32)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(db_err)?;
    }
    tx.commit().await
}

/// The slots of an info point from now to two weeks ahead, each marked taken or free.
pub async fn slots(db: &Db, info_point: &str) -> Result<Vec<Slot>> {
    ensure_slots(db, info_point).await?;
    let now = Ts::now();
    let until = now.plus_seconds((DAYS_AHEAD + 1) * 86_400);
    with_pool!(db, |p| sqlx::query_as(
        "SELECT s.id, s.starts_at, s.minutes, \
         EXISTS (SELECT 1 FROM bookings b WHERE b.slot_id = s.id AND b.status = 'booked') AS taken \
         FROM booking_slots s WHERE s.info_point_id = $1 AND s.starts_at > $2 AND s.starts_at < $3 ORDER BY s.starts_at"
    )
    .bind(info_point)
    .bind(now)
    .bind(until)
    .fetch_all(p)
    .await)
    .map_err(db_err)
}

pub(crate) async fn attempts(db: &Db, ip: &str, kind: &str, since: Ts) -> Result<i64> {
    let (n,): (i64,) = with_pool!(db, |p| sqlx::query_as(
        "SELECT COUNT(*) FROM public_attempts WHERE ip = $1 AND kind = $2 AND at >= $3"
    )
    .bind(ip)
    .bind(kind)
    .bind(since)
    .fetch_one(p)
    .await)
    .map_err(db_err)?;
    Ok(n)
}

pub(crate) async fn attempt(db: &Db, ip: &str, kind: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO public_attempts (id, ip, kind, at) VALUES ($1,$2,$3,$4)"
    )
    .bind(new_id())
    .bind(ip)
    .bind(kind)
    .bind(Ts::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    tx.commit().await
}

/// A booking as typed on the public page.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct BookInput {
    pub point: String,
    pub slot_id: String,
    pub service: String,
    pub language: String,
    pub phone: String,
}

/// A booking as its holder sees it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Booking {
    pub id: String,
    pub slot_id: String,
    pub info_point_id: String,
    pub info_point_name: String,
    pub address: String,
    pub starts_at: Ts,
    pub service: String,
    pub language: String,
    pub status: String,
}

impl Booking {
    pub fn when(&self) -> String {
        domain::clock::rome(self.starts_at.0)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }
}

/// "K7M2-QX9P": letters and digits that cannot be mistaken for each other.
fn new_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let chars: String = (0..8)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

/// The code as typed: case, spaces and dashes do not matter.
fn code_hash(code: &str) -> String {
    let norm: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    crate::token_hash(&norm)
}

async fn slot_of(db: &Db, slot_id: &str) -> Result<Option<(String, Ts)>> {
    with_pool!(db, |p| sqlx::query_as(
        "SELECT info_point_id, starts_at FROM booking_slots WHERE id = $1"
    )
    .bind(slot_id)
    .fetch_optional(p)
    .await)
    .map_err(db_err)
}

/// Books a free slot; returns the code, shown once. A slot taken meanwhile (even by a
/// request at the same instant) is refused with `slot_taken`.
pub async fn book(db: &Db, ip: &str, i: &BookInput) -> Result<(String, Booking)> {
    if attempts(db, ip, "book", Ts::now().plus_seconds(-3600)).await? >= BOOKINGS_PER_HOUR {
        return Err(Error::RateLimited);
    }
    let mut errs = vec![];
    let points = crate::info_points::list(db, &Default::default()).await?;
    let point = points.iter().find(|p| p.id == i.point);
    match point {
        None => errs.push(FieldError::new("point", "field_invalid_choice")),
        Some(p) if !p.service_list().contains(&i.service.as_str()) => {
            errs.push(FieldError::new("service", "field_invalid_choice"))
        }
        Some(_) => {}
    }
    if !domain::languages::is_known(&i.language) {
        errs.push(FieldError::new("language", "field_invalid_choice"));
    }
    let phone = i.phone.trim();
    if !phone.is_empty()
        && (phone.len() > 20
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '.')))
    {
        errs.push(FieldError::new("phone", "phone_invalid"));
    }
    match slot_of(db, &i.slot_id).await? {
        Some((p, at)) if p == i.point && at > Ts::now() => {}
        _ => errs.push(FieldError::new("slot_id", "slot_required")),
    }
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let id = new_id();
    let code = new_code();
    let sealed = if phone.is_empty() {
        None
    } else {
        Some(keyring(db)?.seal(&format!("bookings:{id}"), phone.as_bytes())?)
    };
    let mut tx = db.begin().await?;
    let inserted = with_tx!(&mut tx, |c| {
        sqlx::query(
        "INSERT INTO bookings (id, slot_id, code_hash, service, language, phone_sealed, status, created_at) \
         VALUES ($1,$2,$3,$4,$5,$6,'booked',$7)"
    )
    .bind(&id)
    .bind(&i.slot_id)
    .bind(code_hash(&code))
    .bind(&i.service)
    .bind(&i.language)
    .bind(&sealed)
    .bind(Ts::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    });
    match inserted {
        Ok(_) => {}
        Err(e) if crate::db::is_unique_violation(&e) => {
            return Err(Error::field("slot_id", "slot_taken"));
        }
        Err(e) => return Err(db_err(e)),
    }
    // Counted with the booking, in its transaction: a slot lost to someone faster is not a
    // booking, and must not bring a reception centre's shared address nearer its limit.
    with_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO public_attempts (id, ip, kind, at) VALUES ($1,$2,'book',$3)"
    )
    .bind(new_id())
    .bind(ip)
    .bind(Ts::now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    let anon = Ctx::anonymous_from(ip);
    tell_info_point(&mut tx, &anon, &id, &i.slot_id, &i.service, &i.language).await?;
    audit::append(
        &mut tx,
        &anon,
        Event::new("booking.create", "booking", Some(&id)).details(json!({"slot": i.slot_id})),
    )
    .await?;
    tx.commit().await?;
    let b = load(db, &code_hash(&code)).await?.ok_or(Error::NotFound)?;
    Ok((code, b))
}

async fn load(db: &Db, hash: &str) -> Result<Option<Booking>> {
    with_pool!(db, |p| sqlx::query_as(
        "SELECT b.id, b.slot_id, s.info_point_id, ip.name AS info_point_name, ip.address, s.starts_at, b.service, b.language, b.status \
         FROM bookings b JOIN booking_slots s ON s.id = b.slot_id JOIN info_points ip ON ip.id = s.info_point_id \
         WHERE b.code_hash = $1"
    )
    .bind(hash)
    .fetch_optional(p)
    .await)
    .map_err(db_err)
}

/// The booking of a code. Wrong codes count against the address: too many and it waits.
pub async fn find(db: &Db, ip: &str, code: &str) -> Result<Booking> {
    if attempts(db, ip, "lookup", Ts::now().plus_seconds(-900)).await? >= LOOKUPS_PER_QUARTER {
        return Err(Error::RateLimited);
    }
    match load(db, &code_hash(code)).await? {
        Some(b) => Ok(b),
        None => {
            attempt(db, ip, "lookup").await?;
            Err(Error::field("code", "booking_code_unknown"))
        }
    }
}

/// Cancels a booking by its code; the slot is free again.
pub async fn cancel(db: &Db, ip: &str, code: &str) -> Result<Booking> {
    let b = find(db, ip, code).await?;
    if b.status != "booked" {
        return Err(Error::field("code", "booking_already_cancelled"));
    }
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "UPDATE bookings SET status = 'cancelled', cancelled_at = $1 WHERE id = $2 AND status = 'booked'"
    )
    .bind(Ts::now())
    .bind(&b.id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    let anon = Ctx::anonymous_from(ip);
    crate::inbox::resolve(&mut tx, &anon, "booking", &b.id, &["booking"]).await?;
    audit::append(
        &mut tx,
        &anon,
        Event::new("booking.cancel", "booking", Some(&b.id)),
    )
    .await?;
    tx.commit().await?;
    find(db, ip, code).await
}

/// Moves a booking to another free slot of the same info point.
pub async fn move_to(db: &Db, ip: &str, code: &str, slot_id: &str) -> Result<Booking> {
    let b = find(db, ip, code).await?;
    if b.status != "booked" {
        return Err(Error::field("code", "booking_already_cancelled"));
    }
    match slot_of(db, slot_id).await? {
        Some((p, at)) if p == b.info_point_id && at > Ts::now() => {}
        _ => return Err(Error::field("slot_id", "slot_required")),
    }
    let mut tx = db.begin().await?;
    let r = with_tx!(&mut tx, |c| sqlx::query(
        "UPDATE bookings SET slot_id = $1 WHERE id = $2 AND status = 'booked'"
    )
    .bind(slot_id)
    .bind(&b.id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()));
    match r {
        Ok(_) => {}
        Err(e) if crate::db::is_unique_violation(&e) => {
            return Err(Error::field("slot_id", "slot_taken"));
        }
        Err(e) => return Err(db_err(e)),
    }
    let anon = Ctx::anonymous_from(ip);
    crate::inbox::resolve(&mut tx, &anon, "booking", &b.id, &["booking"]).await?;
    tell_info_point(&mut tx, &anon, &b.id, slot_id, &b.service, &b.language).await?;
    audit::append(
        &mut tx,
        &anon,
        Event::new("booking.move", "booking", Some(&b.id)).details(json!({"slot": slot_id})),
    )
    .await?;
    tx.commit().await?;
    find(db, ip, code).await
}

/// The info point's organisation learns of a booking (its day, time, service and
/// language; never the phone) in the booking's transaction.
async fn tell_info_point(
    tx: &mut crate::db::Tx,
    ctx: &Ctx,
    booking_id: &str,
    slot_id: &str,
    service: &str,
    language: &str,
) -> Result<()> {
    let (org, name, starts_at, service_name): (String, String, Ts, Option<String>) =
        with_tx!(&mut *tx, |c| sqlx::query_as(
        "SELECT ip.org_id, ip.name, s.starts_at, (SELECT pr.name_it FROM procedures pr WHERE pr.code = $2) \
         FROM booking_slots s JOIN info_points ip ON ip.id = s.info_point_id WHERE s.id = $1"
    )
    .bind(slot_id)
    .bind(service)
    .fetch_one(c)
    .await)
    .map_err(db_err)?;
    let local = domain::clock::rome(starts_at.0);
    // The service by its name in the operators' language of record, the language by its code
    // (the agenda lists both in full).
    let service = service_name.unwrap_or_else(|| service.to_string());
    crate::inbox::notify(
        tx,
        ctx,
        crate::inbox::Notice::new(
            "booking",
            crate::inbox::To::Queue(&org, domain::policy::Permission::LogContacts),
            "booking",
            booking_id,
            format!("/agenda?day={}", local.format("%Y-%m-%d")),
        )
        .summary(format!(
            "{name} — {} — {service} ({language})",
            local.format("%d/%m/%Y %H:%M")
        ))
        .due(Some(local.date())),
    )
    .await?;
    Ok(())
}

/// One appointment on the operators' agenda.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AgendaLine {
    pub time: String,
    pub info_point_name: String,
    pub service: String,
    pub language: String,
    pub phone: Option<String>,
}

/// The day's appointments at the info points of the actor's organisation; the read of the
/// phone numbers is audited.
pub async fn agenda(db: &Db, ctx: &Ctx, day: NaiveDate) -> Result<Vec<AgendaLine>> {
    ctx.actor.require(Permission::LogContacts)?;
    let org = ctx.actor.org_id.clone().unwrap_or_default();
    let from = domain::clock::from_rome(day.and_time(NaiveTime::MIN)).ok_or(Error::BadRequest)?;
    let to = from + Duration::days(1);
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        starts_at: Ts,
        name: String,
        service: String,
        language: String,
        phone_sealed: Option<String>,
    }
    let rows: Vec<Row> = with_pool!(db, |p| sqlx::query_as(
        "SELECT b.id, s.starts_at, ip.name, b.service, b.language, b.phone_sealed FROM bookings b \
         JOIN booking_slots s ON s.id = b.slot_id JOIN info_points ip ON ip.id = s.info_point_id \
         WHERE ip.org_id = $1 AND b.status = 'booked' AND s.starts_at >= $2 AND s.starts_at < $3 ORDER BY s.starts_at, ip.name"
    )
    .bind(&org)
    .bind(Ts::from_datetime(from))
    .bind(Ts::from_datetime(to))
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    let mut out = vec![];
    let mut phones = 0;
    for r in rows {
        let phone = match &r.phone_sealed {
            Some(s) => {
                phones += 1;
                Some(
                    String::from_utf8_lossy(&keyring(db)?.open(&format!("bookings:{}", r.id), s)?)
                        .into_owned(),
                )
            }
            None => None,
        };
        out.push(AgendaLine {
            time: domain::clock::rome(r.starts_at.0)
                .format("%H:%M")
                .to_string(),
            info_point_name: r.name,
            service: r.service,
            language: r.language,
            phone,
        });
    }
    if phones > 0 {
        audit::record(
            db,
            ctx,
            Event::new("booking.agenda_read", "booking", None)
                .details(json!({"day": day.to_string(), "phones": phones})),
        )
        .await?;
    }
    Ok(out)
}
