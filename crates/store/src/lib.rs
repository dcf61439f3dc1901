//! Persistence for SQLite (embedded default) and PostgreSQL, with one code path: every
//! query is written once with `$N` placeholders and run on whichever pool is configured.
//! Feature modules check permissions through `domain::policy` before touching data and
//! append to the audit log in the same transaction as the write they record.

pub mod access;
pub mod account;
pub mod appointments;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod bookings;
pub mod case_documents;
pub mod case_notes;
pub mod cases;
pub mod catalogue;
pub mod centre_log;
pub mod centres;
pub mod checklists;
mod checks;
pub mod contacts;
pub mod corrective;
pub mod crypto;
pub mod db;
pub mod demo;
pub mod demo_monitoring;
mod demo_network;
mod demo_portal;
mod demo_work;
pub mod dialect;
pub mod digest;
pub mod duplicates;
pub mod governance;
pub mod helpdesk;
pub mod home;
pub mod idempotency;
pub mod inbox;
pub mod info_points;
pub mod inspections;
pub mod jobs;
pub mod matching;
pub mod minor_care;
pub mod minor_events;
pub mod minors;
pub mod people;
pub mod placement;
pub mod purposes;
pub mod referrals;
pub mod reports;
pub mod risk;
pub mod safe_space;
pub mod scale;
pub mod schema;
pub mod service_texts;
pub mod sim;
pub mod time;
pub mod trainings;

pub use db::{Ctx, Db, Tx};
pub use time::Ts;

/// Generates an identifier: UUIDv7 (time-ordered, so indexes stay compact), as text.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Random bytes from the operating system, hex-encoded: for tokens and secrets.
pub fn random_token(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// SHA-256 of a token, hex-encoded: what the database keeps instead of the token itself.
pub fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Escapes `%`, `_` and the backslash for a `LIKE … ESCAPE` pattern, so typed text matches literally.
pub fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// `$1, $2, …, $n`: the placeholders of an `IN (…)` list of `n` bound values.
pub fn placeholders(n: usize) -> String {
    placeholders_from(1, n)
}

/// `$first, …`: `n` placeholders after the `first - 1` bound before them.
pub fn placeholders_from(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
