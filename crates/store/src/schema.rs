//! What the migrated schema looks like, read back from the database: used to check that
//! both engines have the same tables, columns and nullability, and by backups.

use std::collections::BTreeMap;

use domain::Result;

use crate::db::{Db, Pools, db_err};

/// Every application table, parents before children (the order restores insert in).
pub const TABLES_IN_ORDER: &[&str] = &[
    "organisations",
    "users",
    "user_roles",
    "sessions",
    "api_tokens",
    "login_attempts",
    "audit_log",
    "persons",
    "person_identifiers",
    "person_vulnerabilities",
    "person_consents",
    "person_merges",
    "legal_rules",
    "procedures",
    "procedure_items",
    "procedure_versions",
    "cases",
    "case_tasks",
    "case_events",
    "referrals",
    "case_notes",
    "case_appointments",
    "case_documents",
    "minors",
    "minor_notifications",
    "minor_movements",
    "guardians",
    "minor_guardians",
    "minor_interviews",
    "age_assessments",
    "health_screenings",
    "sim_exports",
    "sim_export_minors",
    "centres",
    "centre_places",
    "minor_transfers",
    "centre_presences",
    "checklist_templates",
    "checklist_items",
    "inspections",
    "inspection_team",
    "inspection_answers",
    "findings",
    "corrective_actions",
    "action_events",
    "monitoring_files",
    "centre_events",
    "legal_consultations",
    "contacts",
    "info_points",
    "info_point_hours",
    "booking_slots",
    "bookings",
    "public_attempts",
    "service_texts",
    "service_text_versions",
    "bodies",
    "body_members",
    "meetings",
    "meeting_attendance",
    "meeting_decisions",
    "action_items",
    "courses",
    "course_sessions",
    "enrolments",
    "session_attendance",
    "course_surveys",
    "certificates",
    "kb_entries",
    "helpdesk_questions",
    "meeting_documents",
    "safe_space_protocols",
    "protocol_acknowledgements",
    "vulnerability_screenings",
    "jobs",
    "report_indicators",
    "report_runs",
    "report_cube",
    "report_cells",
    "access_requests",
    "duplicate_pairs",
    "stated_purposes",
    "inbox_items",
    "mail_outbox",
    "inbox_deliveries",
    "idempotency_keys",
];

/// Tables whose triggers refuse changes (the audit log, closed inspections): a restore
/// into PostgreSQL switches their triggers off while it copies the rows back.
pub const GUARDED_TABLES: &[&str] = &[
    "audit_log",
    "inspections",
    "inspection_team",
    "inspection_answers",
    "findings",
    "monitoring_files",
];

/// table → column → nullable
pub type Shape = BTreeMap<String, BTreeMap<String, bool>>;

pub async fn describe(db: &Db) -> Result<Shape> {
    let mut shape = Shape::new();
    match &db.pools {
        Pools::Sqlite { read, .. } => {
            let tables: Vec<(String,)> = sqlx::query_as(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
            )
            .fetch_all(read)
            .await
            .map_err(db_err)?;
            for (t,) in tables {
                let cols: Vec<(String, i64, i64)> =
                    sqlx::query_as("SELECT name, \"notnull\", pk FROM pragma_table_info($1)")
                        .bind(&t)
                        .fetch_all(read)
                        .await
                        .map_err(db_err)?;
                shape.insert(
                    t,
                    cols.into_iter()
                        .map(|(c, notnull, pk)| (c, notnull == 0 && pk == 0))
                        .collect(),
                );
            }
        }
        Pools::Postgres(pg) => {
            let cols: Vec<(String, String, String)> = sqlx::query_as(
                "SELECT c.table_name::text, c.column_name::text, c.is_nullable::text \
                 FROM information_schema.columns c JOIN information_schema.tables t \
                 ON t.table_name = c.table_name AND t.table_schema = c.table_schema \
                 WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
                 AND c.table_name <> '_sqlx_migrations'",
            )
            .fetch_all(pg)
            .await
            .map_err(db_err)?;
            for (t, c, n) in cols {
                shape.entry(t).or_default().insert(c, n == "YES");
            }
        }
    }
    Ok(shape)
}

/// The version of every applied migration.
pub async fn applied_migrations(db: &Db) -> Result<Vec<i64>> {
    let sql = "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version";
    let rows: Vec<(i64,)> =
        crate::with_pool!(db, |p| sqlx::query_as(sql).fetch_all(p).await).map_err(db_err)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
