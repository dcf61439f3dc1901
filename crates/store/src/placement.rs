//! Placement of a minor leaving the hub: facilities with places by sex and age band, the
//! suggestions that respect the hard rules (`domain::placement`), and the transfer from
//! request to completion. A place is taken when the receiving facility accepts, by an
//! update that only succeeds while a place is free, in the same transaction as the answer:
//! two acceptances racing for the last place cannot both win, on either engine.

use chrono::NaiveDate;
use domain::minors::Deadline;
use domain::placement::{self as rules, Child, Exclusion, Place};
use domain::policy::Permission;
use domain::{Error, FieldError, Result};
use serde_json::json;

use crate::audit::{self, Event};
use crate::catalogue::legal_rules;
use crate::db::{Ctx, Db, db_err};
use crate::inbox::{self, Notice, To};
use crate::minors::Minor;
use crate::{Ts, new_id, with_pool, with_tx};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct PlaceRow {
    pub place_id: String,
    pub centre_id: String,
    pub centre_name: String,
    pub kind: String,
    pub org_id: String,
    pub municipality: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub languages: String,
    pub specialisms: String,
    pub sex: String,
    pub min_age: i32,
    pub max_age: i32,
    pub places: i32,
    pub occupied: i32,
}

const PLACE_COLUMNS: &str = "cp.id AS place_id, c.id AS centre_id, c.name AS centre_name, c.kind, c.org_id, c.municipality, \
    c.lat, c.lon, c.languages, c.specialisms, cp.sex, cp.min_age, cp.max_age, cp.places, cp.occupied \
    FROM centre_places cp JOIN centres c ON c.id = cp.centre_id";

fn list(s: &str) -> Vec<String> {
    s.split(',')
        .map(|x| x.trim().to_lowercase())
        .filter(|x| !x.is_empty())
        .collect()
}

impl PlaceRow {
    fn as_place(&self, from: Option<(f64, f64)>) -> Place {
        Place {
            kind: self.kind.clone(),
            sex: self.sex.clone(),
            min_age: self.min_age,
            max_age: self.max_age,
            places: i64::from(self.places),
            occupied: i64::from(self.occupied),
            languages: list(&self.languages),
            specialisms: list(&self.specialisms),
            distance_km: match (from, self.lat, self.lon) {
                (Some(a), Some(lat), Some(lon)) => Some(rules::distance_km(a, (lat, lon))),
                _ => None,
            },
        }
    }

    pub fn free(&self) -> i32 {
        (self.places - self.occupied).max(0)
    }
}

/// A place offered for the minor, best first.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Offer {
    pub place: PlaceRow,
    pub score: f64,
    pub reasons: Vec<&'static str>,
    pub distance_km: Option<f64>,
    /// For an adult-centre section: the term the stay there may last, from today.
    pub term: Option<Deadline>,
}

/// A facility for minors not offered, and the rule that keeps it out.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Excluded {
    pub place: PlaceRow,
    pub why: Exclusion,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Suggestions {
    pub age: Option<i32>,
    pub offers: Vec<Offer>,
    pub excluded: Vec<Excluded>,
}

/// The child as placement sees them: age today (registered, else declared), sex, languages
/// and vulnerabilities (when the actor may read them; the read is audited).
async fn child_of(db: &Db, ctx: &Ctx, m: &Minor) -> Result<Child> {
    let needs = match crate::people::vulnerabilities(db, ctx, &m.person_id).await {
        Ok(v) => v.into_iter().map(|e| e.category).collect(),
        Err(Error::Forbidden) => vec![],
        Err(e) => return Err(e),
    };
    Ok(Child {
        age: m.age_on(domain::clock::today()).or(m.declared_age),
        sex: m.sex.clone(),
        languages: list(&m.languages),
        needs,
    })
}

/// Where the hub is (its facility's coordinates), to rank places by distance.
async fn hub_location(db: &Db, hub_org: &str) -> Result<Option<(f64, f64)>> {
    let row: Option<(Option<f64>, Option<f64>)> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT lat, lon FROM centres WHERE org_id = $1 AND kind = 'hub' AND active LIMIT 1",
        )
        .bind(hub_org)
        .fetch_optional(p)
        .await
    })
    .map_err(db_err)?;
    Ok(row.and_then(|(a, b)| a.zip(b)))
}

/// The places for a minor: those the hard rules allow, ranked by fit with reasons, and the
/// facilities for minors left out with the rule that excludes each.
pub async fn suggest(db: &Db, ctx: &Ctx, minor_id: &str) -> Result<Suggestions> {
    let m = crate::minors::load_for(db, ctx, minor_id, Permission::EditMinors).await?;
    let child = child_of(db, ctx, &m).await?;
    let from = hub_location(db, &m.hub_org_id).await?;
    let sql = format!(
        "SELECT {PLACE_COLUMNS} WHERE c.active AND c.kind IN ('sai','first_reception_minors','temporary_minors','adult_section_minors') \
         ORDER BY c.name, cp.sex, cp.min_age"
    );
    let rows: Vec<PlaceRow> = with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .fetch_all(p)
        .await)
    .map_err(db_err)?;
    let all_rules = legal_rules(db).await?;
    let today = domain::clock::today();
    let mut offers = vec![];
    let mut excluded = vec![];
    for row in rows {
        let place = row.as_place(from);
        match rules::check(&child, &place) {
            Ok(()) => {
                let (score, reasons) = rules::fit(&child, &place);
                let term = (row.kind == "adult_section_minors")
                    .then(|| domain::minors::adult_section_term(today, None, &all_rules, today));
                offers.push(Offer {
                    distance_km: place.distance_km,
                    place: row,
                    score,
                    reasons,
                    term,
                });
            }
            // A band for the other sex or other ages is not worth a line; the rules of law
            // and a full facility are.
            Err(Exclusion::Sex | Exclusion::AgeBand) => {}
            Err(why) => excluded.push(Excluded { place: row, why }),
        }
    }
    offers.sort_by(|a, b| b.score.total_cmp(&a.score));
    Ok(Suggestions {
        age: child.age,
        offers,
        excluded,
    })
}

/// A transfer as the hub sees it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Transfer {
    pub id: String,
    pub minor_id: String,
    pub centre_id: String,
    pub centre_name: String,
    pub kind: String,
    pub status: String,
    pub note: Option<String>,
    pub answer: Option<String>,
    pub requested_at: Ts,
    pub completed_on: Option<NaiveDate>,
}

pub async fn transfers_of(db: &Db, ctx: &Ctx, minor_id: &str) -> Result<Vec<Transfer>> {
    crate::minors::load_for(db, ctx, minor_id, Permission::ViewMinors).await?;
    with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT t.id, t.minor_id, t.centre_id, c.name AS centre_name, c.kind, t.status, t.note, t.answer, t.requested_at, t.completed_on \
             FROM minor_transfers t JOIN centres c ON c.id = t.centre_id WHERE t.minor_id = $1 ORDER BY t.requested_at DESC",
        )
        .bind(minor_id)
        .fetch_all(p)
        .await
    })
    .map_err(db_err)
}

/// The hub asks a facility to take the minor in a band of places the rules allow now.
pub async fn request_transfer(
    db: &Db,
    ctx: &Ctx,
    minor_id: &str,
    place_id: &str,
    note: &str,
) -> Result<String> {
    let m = crate::minors::load_for(db, ctx, minor_id, Permission::EditMinors).await?;
    if m.status != "present" {
        return Err(Error::field("place_id", "minor_not_present"));
    }
    let sql = format!("SELECT {PLACE_COLUMNS} WHERE cp.id = $1 AND c.active");
    let row: PlaceRow = with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(place_id)
        .fetch_optional(p)
        .await)
    .map_err(db_err)?
    .ok_or_else(|| Error::field("place_id", "field_invalid_choice"))?;
    let child = child_of(db, ctx, &m).await?;
    // The rules are checked again here, whatever the page offered.
    if let Err(why) = rules::check(&child, &row.as_place(None)) {
        return Err(Error::field("place_id", placement_code(why)));
    }
    let note = note.trim();
    if note.chars().count() > 1000 {
        return Err(Error::field("transfer_note", "field_too_long"));
    }
    let id = new_id();
    let mut tx = db.begin().await?;
    let inserted = with_tx!(&mut tx, |c| {
        sqlx::query("INSERT INTO minor_transfers (id, minor_id, centre_id, place_id, status, note, requested_by, requested_at) VALUES ($1,$2,$3,$4,'requested',$5,$6,$7)")
            .bind(&id)
            .bind(minor_id)
            .bind(&row.centre_id)
            .bind(place_id)
            .bind((!note.is_empty()).then_some(note))
            .bind(&ctx.actor.id)
            .bind(Ts::now())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    });
    match inserted {
        Ok(_) => {}
        Err(e) if crate::db::is_unique_violation(&e) => {
            return Err(Error::Duplicate(vec![FieldError::new(
                "place_id",
                "transfer_open",
            )]));
        }
        Err(e) => return Err(db_err(e)),
    }
    inbox::notify(
        &mut tx,
        ctx,
        Notice::new(
            "transfer_request",
            To::Queue(&row.org_id, Permission::AnswerTransfers),
            "minor_transfer",
            &id,
            "/transfers".to_string(),
        )
        .person(&m.person_id)
        .from(Some(&m.hub_org_id))
        .summary(row.centre_name.clone()),
    )
    .await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("minor.transfer_requested", "minor", Some(minor_id))
            .details(json!({"transfer": id, "centre": row.centre_id})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The message code for a hard rule.
pub fn placement_code(why: Exclusion) -> &'static str {
    match why {
        Exclusion::NotForMinors => "placement_not_for_minors",
        Exclusion::TemporaryUnder14 => "placement_temporary_under_14",
        Exclusion::AdultSectionUnder16 => "placement_adult_section_under_16",
        Exclusion::AgeUnknown => "placement_age_unknown",
        Exclusion::Sex => "placement_sex",
        Exclusion::AgeBand => "placement_age_band",
        Exclusion::Full => "placement_full",
    }
}

/// A transfer as the receiving facility sees it: only what it needs to answer.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct SharedTransfer {
    pub id: String,
    pub centre_name: String,
    pub given_names: String,
    pub family_name: String,
    pub sex: Option<String>,
    pub birth_year: Option<i32>,
    pub declared_age: Option<i32>,
    pub nationality: Option<String>,
    pub languages: String,
    pub note: Option<String>,
    pub status: String,
    pub requested_at: Ts,
    pub hub_name: String,
}

const SHARED_COLUMNS: &str = "t.id, c.name AS centre_name, p.given_names, p.family_name, p.sex, p.birth_year, m.declared_age, \
    p.nationality, p.languages, t.note, t.status, t.requested_at, o.name AS hub_name \
    FROM minor_transfers t JOIN centres c ON c.id = t.centre_id JOIN minors m ON m.id = t.minor_id \
    JOIN persons p ON p.id = m.person_id JOIN organisations o ON o.id = m.hub_org_id";

/// Transfers to the facilities of the actor's managing body, waiting ones first.
pub async fn incoming(db: &Db, ctx: &Ctx) -> Result<Vec<SharedTransfer>> {
    ctx.actor.require(Permission::AnswerTransfers)?;
    let (filter, org) = crate::minors::hub_scope(ctx, Permission::AnswerTransfers, "c.org_id", 1)?;
    let sql = format!(
        "SELECT {SHARED_COLUMNS} WHERE TRUE{filter} ORDER BY CASE t.status WHEN 'requested' THEN 0 ELSE 1 END, t.requested_at DESC"
    );
    let rows: Vec<SharedTransfer> = with_pool!(db, |p| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
        if let Some(o) = &org {
            q = q.bind(o);
        }
        q.fetch_all(p).await
    })
    .map_err(db_err)?;
    audit::record(
        db,
        ctx,
        Event::new("minor.transfers_read", "minor_transfer", None)
            .details(json!({"count": rows.len()})),
    )
    .await?;
    Ok(rows)
}

/// The centre, place and minor of a transfer, if the actor answers for the centre.
async fn for_answer(db: &Db, ctx: &Ctx, id: &str) -> Result<(String, String, String)> {
    ctx.actor.require(Permission::AnswerTransfers)?;
    let row: Option<(String, String, String)> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT c.org_id, t.place_id, t.minor_id FROM minor_transfers t JOIN centres c ON c.id = t.centre_id WHERE t.id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await
    })
    .map_err(db_err)?;
    let (org, place, minor) = row.ok_or(Error::NotFound)?;
    if !ctx.actor.reaches(Permission::AnswerTransfers, &org, None) {
        return Err(Error::Forbidden);
    }
    Ok((org, place, minor))
}

/// The receiving facility accepts (taking a place, if one is still free) or refuses with a
/// reason. An answer already given is a conflict.
pub async fn answer_transfer(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    accept: bool,
    answer: &str,
) -> Result<()> {
    let (_, place, minor) = for_answer(db, ctx, id).await?;
    let answer = answer.trim();
    if !accept && answer.is_empty() {
        return Err(Error::field("answer", "field_required"));
    }
    if answer.chars().count() > 1000 {
        return Err(Error::field("answer", "field_too_long"));
    }
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| {
        sqlx::query("UPDATE minor_transfers SET status = $1, answer = $2, answered_by = $3, answered_at = $4 WHERE id = $5 AND status = 'requested'")
            .bind(if accept { "accepted" } else { "refused" })
            .bind((!answer.is_empty()).then_some(answer))
            .bind(&ctx.actor.id)
            .bind(Ts::now())
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    if n == 0 {
        return Err(Error::Conflict);
    }
    if accept {
        // Only while a place is free: the row lock makes concurrent acceptances queue, and
        // the condition is checked again on the row each one finds.
        let taken = with_tx!(&mut tx, |c| {
            sqlx::query("UPDATE centre_places SET occupied = occupied + 1 WHERE id = $1 AND occupied < places")
                .bind(&place)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(db_err)?;
        if taken == 0 {
            return Err(Error::field("answer", "placement_full"));
        }
    }
    inbox::resolve(&mut tx, ctx, "minor_transfer", id, &["transfer_request"]).await?;
    let (requested_by, person, centre_org, centre_name): (String, String, String, String) =
        with_tx!(&mut tx, |c| {
            sqlx::query_as(
                "SELECT t.requested_by, m.person_id, c.org_id, c.name FROM minor_transfers t \
                 JOIN minors m ON m.id = t.minor_id JOIN centres c ON c.id = t.centre_id WHERE t.id = $1",
            )
            .bind(id)
            .fetch_one(c)
            .await
        })
        .map_err(db_err)?;
    inbox::notify(
        &mut tx,
        ctx,
        Notice::new(
            if accept {
                "transfer_accepted"
            } else {
                "transfer_refused"
            },
            To::User(&requested_by),
            "minor_transfer",
            id,
            format!("/minors/{minor}/placement"),
        )
        .person(&person)
        .from(Some(&centre_org))
        .summary(if accept {
            centre_name
        } else {
            format!("{centre_name}: {answer}")
        }),
    )
    .await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new(
            if accept {
                "minor.transfer_accepted"
            } else {
                "minor.transfer_refused"
            },
            "minor",
            Some(&minor),
        )
        .details(json!({"transfer": id})),
    )
    .await?;
    tx.commit().await
}

/// The hub records that an accepted transfer took place: the stay at the hub ends.
pub async fn complete_transfer(db: &Db, ctx: &Ctx, id: &str, on: &str) -> Result<()> {
    let row: Option<(String, String, String)> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT t.minor_id, t.status, c.name FROM minor_transfers t JOIN centres c ON c.id = t.centre_id WHERE t.id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await
    })
    .map_err(db_err)?;
    let (minor_id, status, centre) = row.ok_or(Error::NotFound)?;
    let m = crate::minors::load_for(db, ctx, &minor_id, Permission::EditMinors).await?;
    if status != "accepted" {
        return Err(Error::field("completed_on", "transfer_not_accepted"));
    }
    let day = match crate::cases::parse_date("completed_on", on)? {
        Some(d) if d > domain::clock::today() => {
            return Err(Error::field("completed_on", "date_in_future"));
        }
        Some(d) if d < m.arrival_date => {
            return Err(Error::field("completed_on", "date_before_arrival"));
        }
        Some(d) => d,
        None => return Err(Error::field("completed_on", "field_required")),
    };
    let mut tx = db.begin().await?;
    let n = with_tx!(&mut tx, |c| {
        sqlx::query("UPDATE minor_transfers SET status = 'completed', completed_on = $1 WHERE id = $2 AND status = 'accepted'")
            .bind(day)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    let ended = with_tx!(&mut tx, |c| {
        sqlx::query("UPDATE minors SET status = 'transferred', left_on = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND status = 'present'")
            .bind(day)
            .bind(Ts::now())
            .bind(&minor_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    if n == 0 || ended == 0 {
        return Err(Error::Conflict);
    }
    crate::minors::record_exit(&mut tx, ctx, &m, day, &centre).await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("minor.transfer_completed", "minor", Some(&minor_id))
            .details(json!({"transfer": id})),
    )
    .await?;
    tx.commit().await
}

/// A facility as the registry records it.
#[derive(Debug, Clone, Default)]
pub struct CentreInput {
    pub name: String,
    pub kind: String,
    pub org_id: String,
    pub address: String,
    pub municipality: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub languages: String,
    pub specialisms: String,
}

/// One band of places: sex, ages (inclusive), places, occupied.
pub type Band<'a> = (&'a str, i32, i32, i32, i32);

/// Registers a facility with its bands of places (the centres' registry builds on this).
pub async fn create_centre(
    db: &Db,
    ctx: &Ctx,
    c: &CentreInput,
    bands: &[Band<'_>],
) -> Result<String> {
    ctx.actor.require(Permission::ManageOrganisations)?;
    if c.name.trim().is_empty() {
        return Err(Error::field("name", "field_required"));
    }
    let id = new_id();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |x| {
        sqlx::query("INSERT INTO centres (id, name, kind, org_id, address, municipality, lat, lon, languages, specialisms, active, created_at) \
                     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,TRUE,$11)")
            .bind(&id)
            .bind(c.name.trim())
            .bind(&c.kind)
            .bind(&c.org_id)
            .bind(&c.address)
            .bind(&c.municipality)
            .bind(c.lat)
            .bind(c.lon)
            .bind(&c.languages)
            .bind(&c.specialisms)
            .bind(Ts::now())
            .execute(x)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    for (sex, min_age, max_age, places, occupied) in bands {
        with_tx!(&mut tx, |x| {
            sqlx::query("INSERT INTO centre_places (id, centre_id, sex, min_age, max_age, places, occupied) VALUES ($1,$2,$3,$4,$5,$6,$7)")
                .bind(new_id())
                .bind(&id)
                .bind(*sex)
                .bind(*min_age)
                .bind(*max_age)
                .bind(*places)
                .bind(*occupied)
                .execute(x)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(db_err)?;
    }
    audit::append(
        &mut tx,
        ctx,
        Event::new("centre.create", "centre", Some(&id)),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A transfer's status, for the caller that has just written it.
pub async fn status_of(db: &Db, id: &str) -> Result<String> {
    let row: Option<(String,)> = with_pool!(db, |p| {
        sqlx::query_as("SELECT status FROM minor_transfers WHERE id = $1")
            .bind(id)
            .fetch_optional(p)
            .await
    })
    .map_err(db_err)?;
    row.map(|r| r.0).ok_or(Error::NotFound)
}
