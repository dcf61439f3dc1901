//! The few statements that differ between SQLite and PostgreSQL. Everything else is
//! portable SQL written once.

use crate::db::{Tx, db_err};
use domain::Result;

/// Serialises appends to the audit chain. SQLite transactions here are already exclusive
/// (`BEGIN IMMEDIATE` on the single writer); PostgreSQL needs a transaction-scoped lock so
/// that several app instances never compute two successors of the same link.
pub async fn lock_audit_chain(tx: &mut Tx) -> Result<()> {
    match tx {
        Tx::Sqlite(_) => Ok(()),
        Tx::Postgres(t) => sqlx::query("SELECT pg_advisory_xact_lock(727001)")
            .execute(&mut **t)
            .await
            .map(|_| ())
            .map_err(db_err),
    }
}
