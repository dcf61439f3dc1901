//! The figures of each role's home page: how much waits in each area of work, counted for
//! the reader's organisation (one short count per area the reader's permissions open).
//! Counts only, never a name: the home page is the first thing on a shared screen.

use std::collections::BTreeMap;

use domain::Result;
use domain::policy::Permission;

use crate::db::{Ctx, Db, db_err};
use crate::with_pool;

/// One count of the home page, by the area it belongs to.
async fn count(db: &Db, sql: &str, binds: &[String]) -> Result<i64> {
    with_pool!(db, |p| {
        let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()));
        for b in binds {
            q = q.bind(b.clone());
        }
        q.fetch_one(p).await
    })
    .map_err(db_err)
}

/// Counts by area id (`referrals`, `overdue`, `minors`, …), for the areas the actor works in.
pub async fn counts(db: &Db, ctx: &Ctx) -> Result<BTreeMap<&'static str, i64>> {
    let a = &ctx.actor;
    let org = a.org_id.clone().unwrap_or_default();
    let today = domain::clock::today();
    let mut out = BTreeMap::new();
    let o = || vec![org.clone()];
    if a.can(Permission::EditCases) {
        out.insert(
            "referrals",
            count(
                db,
                "SELECT COUNT(*) FROM referrals WHERE to_org_id = $1 AND status = 'requested'",
                &o(),
            )
            .await?,
        );
        out.insert(
            "open_cases",
            count(
                db,
                "SELECT COUNT(*) FROM cases WHERE owner_org_id = $1 AND status <> 'closed'",
                &o(),
            )
            .await?,
        );
        // `due_on` is a DATE on PostgreSQL and ISO text on SQLite: the literal compares on both.
        out.insert(
            "overdue",
            count(
                db,
                &format!(
                    "SELECT COUNT(*) FROM cases WHERE owner_org_id = $1 AND due_on IS NOT NULL \
                     AND status NOT IN ('decided','closed') AND due_on < '{today}'"
                ),
                &o(),
            )
            .await?,
        );
        out.insert(
            "citizenship",
            count(
                db,
                "SELECT COUNT(*) FROM cases WHERE owner_org_id = $1 AND status <> 'closed' AND procedure_code IN \
                 (SELECT code FROM procedures WHERE category = 'citizenship')",
                &o(),
            )
            .await?,
        );
    }
    if a.can(Permission::EditPeople) {
        out.insert(
            "access_requests",
            count(
                db,
                "SELECT COUNT(*) FROM access_requests WHERE owner_org_id = $1 AND status = 'requested'",
                &o(),
            )
            .await?,
        );
        out.insert(
            "duplicates",
            count(
                db,
                "SELECT COUNT(*) FROM duplicate_pairs d JOIN persons pn ON pn.id = d.new_id \
                 JOIN persons po ON po.id = d.old_id WHERE d.status IN ('open','merge_requested') \
                 AND pn.merged_into IS NULL AND po.merged_into IS NULL \
                 AND (pn.owner_org_id = $1 OR po.owner_org_id = $1)",
                &o(),
            )
            .await?,
        );
    }
    if a.can(Permission::LogContacts) {
        out.insert(
            "contacts_today",
            count(
                db,
                &format!(
                    "SELECT COUNT(*) FROM contacts WHERE org_id = $1 AND contact_on = '{today}'"
                ),
                &o(),
            )
            .await?,
        );
        let from = crate::Ts::from_datetime(
            today
                .and_hms_opt(0, 0, 0)
                .and_then(domain::clock::from_rome)
                .unwrap_or_default(),
        );
        let to = from.plus_seconds(24 * 3600);
        out.insert(
            "bookings_today",
            with_pool!(db, |p| sqlx::query_scalar(
                "SELECT COUNT(*) FROM bookings b JOIN booking_slots s ON s.id = b.slot_id \
                 JOIN info_points ip ON ip.id = s.info_point_id WHERE ip.org_id = $1 \
                 AND b.status = 'booked' AND s.starts_at >= $2 AND s.starts_at < $3"
            )
            .bind(&org)
            .bind(from)
            .bind(to)
            .fetch_one(p)
            .await)
            .map_err(db_err)?,
        );
    }
    if a.can(Permission::ViewMinors) {
        out.insert(
            "minors_present",
            count(
                db,
                "SELECT COUNT(*) FROM minors WHERE hub_org_id = $1 AND status = 'present'",
                &o(),
            )
            .await?,
        );
        out.insert(
            "transfers_waiting",
            count(
                db,
                "SELECT COUNT(*) FROM minor_transfers t JOIN minors m ON m.id = t.minor_id \
                 WHERE m.hub_org_id = $1 AND t.status IN ('requested','accepted')",
                &o(),
            )
            .await?,
        );
    }
    if a.can(Permission::AnswerTransfers) {
        out.insert(
            "transfers_to_answer",
            count(
                db,
                "SELECT COUNT(*) FROM minor_transfers t JOIN centres c ON c.id = t.centre_id \
                 WHERE c.org_id = $1 AND t.status = 'requested'",
                &o(),
            )
            .await?,
        );
    }
    if a.can(Permission::AnswerFindings) {
        out.insert(
            "actions_open",
            count(
                db,
                "SELECT COUNT(*) FROM corrective_actions a JOIN centres c ON c.id = a.centre_id \
                 WHERE c.org_id = $1 AND a.status = 'open'",
                &o(),
            )
            .await?,
        );
    }
    if a.can(Permission::Inspect) {
        out.insert(
            "actions_to_verify",
            count(
                db,
                "SELECT COUNT(*) FROM corrective_actions WHERE status = 'answered'",
                &[],
            )
            .await?,
        );
        out.insert(
            "inspections_open",
            count(
                db,
                "SELECT COUNT(*) FROM inspections WHERE status IN ('planned','in_progress')",
                &[],
            )
            .await?,
        );
    }
    if a.can(Permission::AnswerHelpdesk) {
        out.insert(
            "questions_open",
            count(
                db,
                "SELECT COUNT(*) FROM helpdesk_questions WHERE status = 'open'",
                &[],
            )
            .await?,
        );
    }
    if a.can(Permission::TranslateContent) {
        out.insert(
            "translations_review",
            count(
                db,
                "SELECT COUNT(*) FROM service_texts WHERE lang <> 'it' AND state = 'review'",
                &[],
            )
            .await?,
        );
    }
    if a.can(Permission::ManageTrainings) {
        out.insert(
            "courses",
            count(db, "SELECT COUNT(*) FROM courses", &[]).await?,
        );
    }
    out.insert(
        "action_items",
        count(
            db,
            "SELECT COUNT(*) FROM action_items WHERE owner_id = $1 AND done_at IS NULL",
            std::slice::from_ref(&a.id),
        )
        .await?,
    );
    Ok(out)
}
