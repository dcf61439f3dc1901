//! Integration tests: the real router, in process, against a real database — a fresh
//! SQLite file per test, or a fresh PostgreSQL database per test when
//! SPRINT_TEST_DATABASE_URL is set. Every test runs on whichever engine is configured.

mod support;

mod audit_log;
mod auth;
mod backup;
mod bad_input;
mod booking;
mod case_records;
mod cases;
mod catalogue;
mod centres;
mod digest;
mod front_office;
mod helpdesk;
mod minors;
mod monitoring;
mod network;
mod observability;
mod offline;
mod payloads;
mod people;
mod permissions;
mod person_export;
mod placement;
mod public;
mod reports;
mod safe_space;
mod scale;
mod schema;
mod service_pages;
mod sessions_shared;
mod trainings;
mod wire;
mod work;
