//! The duplicate queue: pairs of records that may be the same person, where someone can
//! act on them. A pair is kept when an operator registers a person despite the duplicate
//! warning ("this is someone else"), so that the doubt is not lost: each organisation
//! owning one side finds the pair in its queue with the reasons of the match.
//!
//! From there: if both records are one's own (or one's grant reaches the whole programme)
//! one merges them at once; otherwise one asks the other owner to merge (the merge happens
//! when they say yes: both owners agreed) or to hand their record over (an access request,
//! `access`). Either owner may settle the pair as two different people.

use domain::account::Scope;
use domain::policy::Permission;
use domain::{Error, FieldError, Result};
use serde_json::json;

use crate::audit::{self, Event};
use crate::db::{Ctx, Db, Tx, db_err};
use crate::inbox::{self, Notice, To};
use crate::people::{Candidate, Summary};
use crate::{Ts, new_id, with_pool, with_tx};

/// Keeps the pairs of a record just registered with the likely matches its registrar was
/// shown and set aside, in the registration's transaction.
pub(crate) async fn record_in(
    tx: &mut Tx,
    ctx: &Ctx,
    new_person: &str,
    candidates: &[Candidate],
) -> Result<()> {
    let now = Ts::now();
    for c in candidates {
        with_tx!(&mut *tx, |conn| {
            sqlx::query(
                "INSERT INTO duplicate_pairs (id, new_id, old_id, score, reasons, status, found_by, found_at) \
                 VALUES ($1,$2,$3,$4,$5,'open',$6,$7) ON CONFLICT (new_id, old_id) DO NOTHING",
            )
            .bind(new_id())
            .bind(new_person)
            .bind(&c.person.id)
            .bind((c.score * 100.0).round() as i32)
            .bind(c.reasons.join(","))
            .bind(&ctx.actor.id)
            .bind(now)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
        })
        .map_err(db_err)?;
    }
    Ok(())
}

/// Marks the pairs of two records as merged (whoever merged them, and however).
pub(crate) async fn settle_in(tx: &mut Tx, ctx: &Ctx, a: &str, b: &str) -> Result<()> {
    with_tx!(&mut *tx, |c| {
        sqlx::query(
            "UPDATE duplicate_pairs SET status = 'merged', decided_by = $1, decided_at = $2, version = version + 1 \
             WHERE status IN ('open','merge_requested') AND ((new_id = $3 AND old_id = $4) OR (new_id = $4 AND old_id = $3))",
        )
        .bind(&ctx.actor.id)
        .bind(Ts::now())
        .bind(a)
        .bind(b)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    Ok(())
}

/// A pair as the queue shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Pair {
    pub id: String,
    pub status: String,
    pub score: i32,
    pub reasons: Vec<String>,
    pub new: Summary,
    pub old: Summary,
    /// The record to keep, when a merge was asked for.
    pub keep_id: Option<String>,
    pub asked_org_id: Option<String>,
    pub note: String,
    pub answer: String,
    pub version: i32,
}

impl Pair {
    /// The side of the pair that is the actor's organisation's, if one is.
    pub fn mine<'a>(&'a self, org: Option<&str>) -> Option<&'a Summary> {
        [&self.new, &self.old]
            .into_iter()
            .find(|s| Some(s.owner_org_id.as_str()) == org)
    }
    /// The other side.
    pub fn other<'a>(&'a self, org: Option<&str>) -> &'a Summary {
        if Some(self.new.owner_org_id.as_str()) == org {
            &self.old
        } else {
            &self.new
        }
    }
    pub fn same_owner(&self) -> bool {
        self.new.owner_org_id == self.old.owner_org_id
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    new_id: String,
    old_id: String,
    status: String,
    score: i32,
    reasons: String,
    keep_id: Option<String>,
    asked_org_id: Option<String>,
    note: String,
    answer: String,
    version: i32,
}

const ROW: &str = "SELECT d.id, d.new_id, d.old_id, d.status, d.score, d.reasons, d.keep_id, d.asked_org_id, \
    d.note, d.answer, d.version FROM duplicate_pairs d";

async fn summaries(db: &Db, ids: &[String]) -> Result<Vec<Summary>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "SELECT p.id, p.given_names, p.family_name, p.name_original, p.sex, p.birth_year, p.birth_month, \
         p.birth_day, p.birth_precision, p.nationality, p.owner_org_id, o.name AS owner_org_name \
         FROM persons p JOIN organisations o ON o.id = p.owner_org_id WHERE p.id IN ({})",
        crate::placeholders(ids.len())
    );
    with_pool!(db, |p| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
        for i in ids {
            q = q.bind(i);
        }
        q.fetch_all(p).await
    })
    .map_err(db_err)
}

async fn assemble(db: &Db, rows: Vec<Row>) -> Result<Vec<Pair>> {
    let mut ids: Vec<String> = rows
        .iter()
        .flat_map(|r| [r.new_id.clone(), r.old_id.clone()])
        .collect();
    ids.sort();
    ids.dedup();
    let people = summaries(db, &ids).await?;
    let find = |id: &str| people.iter().find(|p| p.id == id).cloned();
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Pair {
                new: find(&r.new_id)?,
                old: find(&r.old_id)?,
                id: r.id,
                status: r.status,
                score: r.score,
                reasons: r
                    .reasons
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                keep_id: r.keep_id,
                asked_org_id: r.asked_org_id,
                note: r.note,
                answer: r.answer,
                version: r.version,
            })
        })
        .collect())
}

/// The open pairs where the actor's organisation owns a side (all of them, for a grant
/// over the whole programme). The names shown are what a duplicate check shows.
pub async fn queue(db: &Db, ctx: &Ctx) -> Result<Vec<Pair>> {
    let scope = ctx.actor.require(Permission::EditPeople)?;
    let both = "JOIN persons pn ON pn.id = d.new_id JOIN persons po ON po.id = d.old_id \
        WHERE d.status IN ('open','merge_requested') AND pn.merged_into IS NULL AND po.merged_into IS NULL";
    let rows: Vec<Row> = if scope == Scope::All {
        with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{ROW} {both} ORDER BY d.found_at DESC LIMIT 200"
        )))
        .fetch_all(p)
        .await)
        .map_err(db_err)?
    } else {
        let org = ctx.actor.org_id.clone().unwrap_or_default();
        with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{ROW} {both} AND (pn.owner_org_id = $1 OR po.owner_org_id = $1) ORDER BY d.found_at DESC LIMIT 200"
        )))
        .bind(&org)
        .fetch_all(p)
        .await)
        .map_err(db_err)?
    };
    let pairs = assemble(db, rows).await?;
    audit::record(
        db,
        ctx,
        Event::new("duplicates.list", "person", None).details(json!({"pairs": pairs.len()})),
    )
    .await?;
    Ok(pairs)
}

/// The open pairs of one record that the actor may act on (for the record's page).
pub async fn of_person(db: &Db, ctx: &Ctx, person_id: &str) -> Result<Vec<Pair>> {
    if !ctx.actor.can(Permission::EditPeople) {
        return Ok(vec![]);
    }
    let rows: Vec<Row> = with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{ROW} WHERE d.status IN ('open','merge_requested') AND (d.new_id = $1 OR d.old_id = $1) ORDER BY d.found_at DESC"
    )))
    .bind(person_id)
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    let org = ctx.actor.org_id.as_deref();
    let all = ctx.actor.scope_for(Permission::EditPeople) == Some(Scope::All);
    Ok(assemble(db, rows)
        .await?
        .into_iter()
        .filter(|p| all || p.mine(org).is_some())
        .collect())
}

async fn load(db: &Db, ctx: &Ctx, id: &str) -> Result<Pair> {
    ctx.actor.require(Permission::EditPeople)?;
    let rows: Vec<Row> = with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{ROW} WHERE d.id = $1"
    )))
    .bind(id)
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    let pair = assemble(db, rows)
        .await?
        .into_iter()
        .next()
        .ok_or(Error::NotFound)?;
    let all = ctx.actor.scope_for(Permission::EditPeople) == Some(Scope::All);
    if !all && pair.mine(ctx.actor.org_id.as_deref()).is_none() {
        return Err(Error::Forbidden);
    }
    Ok(pair)
}

fn open(p: &Pair) -> Result<()> {
    match p.status.as_str() {
        "open" | "merge_requested" => Ok(()),
        "merged" => Err(Error::field("pair", "pair_merged")),
        _ => Err(Error::field("pair", "pair_settled")),
    }
}

fn note(field: &str, s: &str) -> Result<String> {
    let s = s.trim();
    if s.chars().count() > 1000 {
        return Err(Error::field(field.to_string(), "field_too_long"));
    }
    Ok(s.to_string())
}

async fn set_status(
    tx: &mut Tx,
    ctx: &Ctx,
    p: &Pair,
    from: &str,
    to: &str,
    extra: (&str, Option<&str>, Option<&str>),
) -> Result<()> {
    let (text, keep, asked_org) = extra;
    let asking = to == "merge_requested";
    let sql = if asking {
        "UPDATE duplicate_pairs SET status = $1, note = $2, keep_id = $3, asked_org_id = $4, asked_by = $5, \
         asked_at = $6, version = version + 1 WHERE id = $7 AND status = $8 AND version = $9"
    } else {
        "UPDATE duplicate_pairs SET status = $1, answer = $2, keep_id = COALESCE($3, keep_id), \
         asked_org_id = COALESCE($4, asked_org_id), decided_by = $5, decided_at = $6, version = version + 1 \
         WHERE id = $7 AND status = $8 AND version = $9"
    };
    let n = with_tx!(&mut *tx, |c| sqlx::query(sql)
        .bind(to)
        .bind(text)
        .bind(keep)
        .bind(asked_org)
        .bind(&ctx.actor.id)
        .bind(Ts::now())
        .bind(&p.id)
        .bind(from)
        .bind(p.version)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .map_err(db_err)?;
    if n == 0 {
        return Err(Error::Conflict);
    }
    Ok(())
}

/// Either owner (or a programme-wide grant) settles a pair as two different people.
pub async fn distinct(db: &Db, ctx: &Ctx, id: &str, version: i32, reason: &str) -> Result<()> {
    let p = load(db, ctx, id).await?;
    open(&p)?;
    if p.version != version {
        return Err(Error::Conflict);
    }
    let reason = note("reason", reason)?;
    let mut tx = db.begin().await?;
    set_status(
        &mut tx,
        ctx,
        &p,
        &p.status,
        "distinct",
        (&reason, None, None),
    )
    .await?;
    inbox::resolve(&mut tx, ctx, "duplicate_pair", id, &["merge_request"]).await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("duplicates.distinct", "person", Some(&p.new.id))
            .details(json!({"pair": id, "other": p.old.id})),
    )
    .await?;
    tx.commit().await
}

/// Merges a pair at once: both records are the actor's organisation's, or the actor's
/// grant reaches the whole programme. `keep` is the record that stays.
pub async fn merge_now(db: &Db, ctx: &Ctx, id: &str, keep: &str, reason: &str) -> Result<String> {
    let p = load(db, ctx, id).await?;
    open(&p)?;
    let all = ctx.actor.scope_for(Permission::EditPeople) == Some(Scope::All);
    if !all && !p.same_owner() {
        return Err(Error::field("pair", "pair_needs_other_owner"));
    }
    let (kept, merged) = sides(&p, keep)?;
    crate::people::merge_persons(db, ctx, kept, merged, reason).await
}

fn sides<'a>(p: &'a Pair, keep: &str) -> Result<(&'a str, &'a str)> {
    if keep == p.new.id {
        Ok((&p.new.id, &p.old.id))
    } else if keep == p.old.id {
        Ok((&p.old.id, &p.new.id))
    } else {
        Err(Error::field("keep", "field_invalid_choice"))
    }
}

/// Asks the other owner to merge the pair, keeping `keep`.
pub async fn ask_merge(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    version: i32,
    keep: &str,
    text: &str,
) -> Result<()> {
    let p = load(db, ctx, id).await?;
    if p.status != "open" {
        open(&p)?;
        return Err(Error::field("pair", "pair_asked"));
    }
    if p.version != version {
        return Err(Error::Conflict);
    }
    let org = ctx.actor.org_id.clone().ok_or(Error::Forbidden)?;
    let Some(mine) = p.mine(Some(&org)) else {
        return Err(Error::Forbidden);
    };
    if p.same_owner() {
        return Err(Error::field("pair", "pair_same_owner"));
    }
    sides(&p, keep)?;
    let text = note("note", text)?;
    let other = p.other(Some(&org)).clone();
    let mine_id = mine.id.clone();
    let mut tx = db.begin().await?;
    set_status(
        &mut tx,
        ctx,
        &p,
        "open",
        "merge_requested",
        (&text, Some(keep), Some(&org)),
    )
    .await?;
    inbox::notify(
        &mut tx,
        ctx,
        Notice::new(
            "merge_request",
            To::Queue(&other.owner_org_id, Permission::EditPeople),
            "duplicate_pair",
            id,
            "/people/duplicates".to_string(),
        )
        .person(&other.id)
        .from(Some(&org))
        .summary(text.clone()),
    )
    .await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("duplicates.ask_merge", "person", Some(&mine_id))
            .details(json!({"pair": id, "other": other.id, "keep": keep})),
    )
    .await?;
    tx.commit().await
}

/// The other owner answers a request to merge: yes merges the records (both owners agreed),
/// no settles the pair as two people, with a reason.
pub async fn answer_merge(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    version: i32,
    accept: bool,
    reason: &str,
) -> Result<()> {
    let p = load(db, ctx, id).await?;
    if p.status != "merge_requested" {
        open(&p)?;
        return Err(Error::field("pair", "pair_not_asked"));
    }
    if p.version != version {
        return Err(Error::Conflict);
    }
    let org = ctx.actor.org_id.clone().ok_or(Error::Forbidden)?;
    // The answer is the other owner's, not the asker's.
    if p.asked_org_id.as_deref() == Some(org.as_str()) || p.mine(Some(&org)).is_none() {
        return Err(Error::Forbidden);
    }
    let reason = note("reason", reason)?;
    if !accept && reason.is_empty() {
        return Err(Error::Validation(vec![FieldError::new(
            "reason",
            "access_reason_required",
        )]));
    }
    let keep = p.keep_id.clone().unwrap_or_else(|| p.old.id.clone());
    let (kept, merged) = sides(&p, &keep)?;
    let asker = p.asked_org_id.clone().unwrap_or_default();
    let mut tx = db.begin().await?;
    if accept {
        crate::people::merge_in(&mut tx, ctx, kept, merged, &reason).await?;
    } else {
        set_status(
            &mut tx,
            ctx,
            &p,
            "merge_requested",
            "distinct",
            (&reason, None, None),
        )
        .await?;
    }
    inbox::resolve(&mut tx, ctx, "duplicate_pair", id, &["merge_request"]).await?;
    let asked_by: (Option<String>,) = with_tx!(&mut tx, |c| sqlx::query_as(
        "SELECT asked_by FROM duplicate_pairs WHERE id = $1"
    )
    .bind(id)
    .fetch_one(c)
    .await)
    .map_err(db_err)?;
    let to = match &asked_by.0 {
        Some(u) if inbox::is_user(&mut tx, u).await? => To::User(u),
        _ => To::Queue(&asker, Permission::EditPeople),
    };
    inbox::notify(
        &mut tx,
        ctx,
        Notice::new(
            if accept {
                "merge_accepted"
            } else {
                "merge_refused"
            },
            to,
            "duplicate_pair",
            id,
            format!("/people/{kept}"),
        )
        .person(kept)
        .from(Some(&org))
        .summary(reason.clone()),
    )
    .await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new(
            if accept {
                "duplicates.merge_agreed"
            } else {
                "duplicates.merge_refused"
            },
            "person",
            Some(kept),
        )
        .details(json!({"pair": id, "merged": merged})),
    )
    .await?;
    tx.commit().await
}
